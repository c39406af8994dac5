/* geo_models.c — polar radar plots (with or without a range rate) and
 * geodetic positions for the ECEF tracker state [x vx y vy z vz]. */
#include <math.h>
#include <string.h>

#include "dronewall/track_geo.h"

void dw_polar_site_init(dw_polar_site *s, const dw_geodetic *site)
{
    memset(s, 0, sizeof *s);
    dw_enu_frame_init(&s->frame, site);
    s->prior_alt_m = 1000.0;
    s->prior_alt_sigma_m = 1000.0;
}

/* Where a target at the prior altitude is, seen at slant range r: its
 * elevation and its distance in the site's horizontal plane, with the
 * sigma the prior's gives the latter. A sphere of the mean radius (the prior
 * is a guess to a kilometre; the ellipsoid is not worth it): with a, b the
 * radii of site and target, sin el = (b² - a² - r²) / (2 a r), clamped short
 * of straight up or down when the height is out of reach at that range. */
static void prior_geometry(const dw_polar_site *s, double r, double *el, double *rho,
                           double *sigma_rho)
{
    const double R = 6371000.0, a = R + s->frame.origin.alt_m, b = R + s->prior_alt_m;
    const double dh = s->prior_alt_m - s->frame.origin.alt_m;
    double se = (dh * (a + b) - r * r) / (2.0 * a * r);
    if (se > 0.99)
        se = 0.99;
    if (se < -0.99)
        se = -0.99;
    *el = asin(se);
    const double ce = sqrt(1.0 - se * se);
    *rho = r * ce;
    /* d(rho)/d(b) = -r (se / ce) d(sin el)/d(b), d(sin el)/d(b) = b / (a r) */
    *sigma_rho = fabs(se / ce) * b / a * s->prior_alt_sigma_m;
}

static void state_pos(const dw_motion_model *mm, const double *x, double p[3])
{
    for (int a = 0; a < 3; a++)
        p[a] = x[mm->pos_idx[a]];
}

static int polar_h(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred,
                   double *H)
{
    const dw_polar_site *s = ctx;
    if (mm->n_pos != 3)
        return -1;
    double p[3], enu[3], J[3][3];
    state_pos(mm, x, p);
    dw_enu_from_ecef(&s->frame, p, enu);
    if (dw_polar_jacobian(enu, J) != DW_OK)
        return -1;
    dw_polar_from_enu(enu, &zpred[0], &zpred[1], &zpred[2]);
    if (s->horizontal) {
        /* the distance in the site's horizontal plane: no height in it */
        const double h = hypot(enu[0], enu[1]);
        zpred[0] = h;
        J[0][0] = enu[0] / h;
        J[0][1] = enu[1] / h;
        J[0][2] = 0.0;
    }
    /* d(polar)/d(ecef) = J * rot, placed on the position columns. */
    const int nx = mm->nx;
    memset(H, 0, sizeof(double) * (size_t)(3 * nx));
    for (int i = 0; i < 3; i++)
        for (int a = 0; a < 3; a++) {
            double v = 0;
            for (int k = 0; k < 3; k++)
                v += J[i][k] * s->frame.rot[k][a];
            H[i * nx + mm->pos_idx[a]] = v;
        }
    return 0;
}

static void polar_residual(const void *ctx, int nz, const double *z, const double *zpred, double *nu)
{
    (void)ctx;
    (void)nz;
    nu[0] = z[0] - zpred[0];
    nu[1] = dw_wrap_pi(z[1] - zpred[1]);
    nu[2] = z[2] - zpred[2];
}

/* cov = G R G^T for 3x3 G and R (row-major R). */
static void sandwich(const double G[3][3], const double *R, double out[3][3])
{
    double GR[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double v = 0;
            for (int k = 0; k < 3; k++)
                v += G[i][k] * R[k * 3 + j];
            GR[i][j] = v;
        }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double v = 0;
            for (int k = 0; k < 3; k++)
                v += GR[i][k] * G[j][k];
            out[i][j] = v;
        }
}

static int polar_to_pos(const void *ctx, const dw_motion_model *mm, const double *z, const double *R,
                        double *pos, double *pos_cov)
{
    const dw_polar_site *s = ctx;
    if (mm->n_pos != 3 || !(z[0] > 0))
        return -1;
    double enu[3], ce_[3][3];
    const double sa = sin(z[1]), ca = cos(z[1]);
    if (s->horizontal) {
        /* A 2-D plot: horizontal distance and azimuth, the height the prior's
         * (its up in the site's frame, the Earth's drop over rho included). */
        const double rho = z[0], R0 = 6371000.0;
        enu[0] = rho * sa;
        enu[1] = rho * ca;
        enu[2] = s->prior_alt_m - s->frame.origin.alt_m - rho * rho / (2.0 * R0);
        const double G[3][3] = {{sa, rho * ca, 0.0}, {ca, -rho * sa, 0.0}, {0.0, 0.0, 1.0}};
        const double Rh[9] = {R[0], R[1], 0.0, R[3], R[4], 0.0,
                              0.0, 0.0, s->prior_alt_sigma_m * s->prior_alt_sigma_m};
        sandwich(G, Rh, ce_);
    } else {
        const double r = z[0], se = sin(z[2]), cel = cos(z[2]);
        dw_enu_from_polar(z[0], z[1], z[2], enu);
        /* G = d(enu)/d(range, az, el); cov_enu = G R G^T, then into ECEF. */
        const double G[3][3] = {
            {sa * cel, r * ca * cel, -r * sa * se},
            {ca * cel, -r * sa * cel, -r * ca * se},
            {se, 0.0, r * cel},
        };
        sandwich(G, R, ce_);
    }
    dw_ecef_from_enu(&s->frame, enu, pos);
    double cecef[3][3];
    dw_ecef_cov_from_enu(&s->frame, ce_, cecef);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            pos_cov[i * 3 + j] = cecef[i][j];
    return 0;
}

const dw_meas_model dw_meas_polar = {
    .name = "polar",
    .nz = 3,
    .h = polar_h,
    .residual = polar_residual,
    .to_pos = polar_to_pos,
};

/* ---- the range rate ------------------------------------------------------ */

/* A plot with its Doppler: z = [range (or the horizontal distance), az, el,
 * range rate]. The first three rows are the polar model's; the range rate of
 * a state at p moving at v, seen from the site s (fixed to the Earth, so the
 * ECEF velocity is the one the radar's Doppler sees), is
 *     rr = (p - s) . v / |p - s|,
 * with d = p - s, r = |d|:
 *     d rr / d p = (v - rr d / r) / r,    d rr / d v = d / r:
 * the velocity's part across the line of sight turns the line, and along it
 * a range rate needs no position at all.
 * A 2-D plot (a `horizontal` site) measures neither the height nor, in its
 * z[0], anything of it; its z[3] is likewise the rate of the horizontal
 * distance, rho' = (e ve + n vn) / rho in the site's frame (dw_polar_meas_add_rr
 * converts the radar's slant rate). The slant rate itself would tie the
 * unmeasured climb rate to it by sin(el): with nothing to hold the height, a
 * metre per second between the ranges' rate and the Doppler became tens of
 * metres per second of climb (unit test). */
static int polar_rr_h(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred,
                      double *H)
{
    const dw_polar_site *s = ctx;
    if (mm->n_pos != 3 || polar_h(ctx, mm, x, zpred, H) != 0)
        return -1;
    double d[3], v[3], gp[3], gv[3];
    for (int a = 0; a < 3; a++) {
        d[a] = x[mm->pos_idx[a]] - s->frame.origin_ecef[a];
        v[a] = x[mm->vel_idx[a]];
    }
    double rate;
    if (s->horizontal) {
        double e[3], ve[3];
        dw_enu_vec_from_ecef(&s->frame, d, e);
        dw_enu_vec_from_ecef(&s->frame, v, ve);
        const double rho = hypot(e[0], e[1]);
        if (!(rho > 1e-3))
            return -1;
        rate = (e[0] * ve[0] + e[1] * ve[1]) / rho;
        const double de = (ve[0] - rate * e[0] / rho) / rho, dn = (ve[1] - rate * e[1] / rho) / rho;
        for (int a = 0; a < 3; a++) {
            gp[a] = de * s->frame.rot[0][a] + dn * s->frame.rot[1][a];
            gv[a] = (e[0] * s->frame.rot[0][a] + e[1] * s->frame.rot[1][a]) / rho;
        }
    } else {
        double r2 = 0.0, dv = 0.0;
        for (int a = 0; a < 3; a++) {
            r2 += d[a] * d[a];
            dv += d[a] * v[a];
        }
        const double r = sqrt(r2);
        if (!(r > 1e-3))
            return -1;
        rate = dv / r;
        for (int a = 0; a < 3; a++) {
            gp[a] = (v[a] - rate * d[a] / r) / r;
            gv[a] = d[a] / r;
        }
    }
    const int nx = mm->nx;
    double *row = H + 3 * nx;
    memset(row, 0, sizeof(double) * (size_t)nx);
    for (int a = 0; a < 3; a++) {
        row[mm->pos_idx[a]] = gp[a];
        row[mm->vel_idx[a]] = gv[a];
    }
    zpred[3] = rate;
    return 0;
}

static void polar_rr_residual(const void *ctx, int nz, const double *z, const double *zpred,
                              double *nu)
{
    polar_residual(ctx, nz, z, zpred, nu);
    nu[3] = z[3] - zpred[3];
}

/* A position from range, azimuth and elevation as the polar model gives it:
 * the range rate places nothing. */
static int polar_rr_to_pos(const void *ctx, const dw_motion_model *mm, const double *z,
                           const double *R, double *pos, double *pos_cov)
{
    double R3[9];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            R3[i * 3 + j] = R[i * 4 + j];
    return polar_to_pos(ctx, mm, z, R3, pos, pos_cov);
}

const dw_meas_model dw_meas_polar_rr = {
    .name = "polar-rr",
    .nz = 4,
    .h = polar_rr_h,
    .residual = polar_rr_residual,
    .to_pos = polar_rr_to_pos,
};

void dw_polar_meas_add_rr(dw_meas *m, double range_rate_mps, double sigma_rr_mps)
{
    double R3[9];
    memcpy(R3, m->R, sizeof R3);
    memset(m->R, 0, sizeof m->R);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            m->R[i * 4 + j] = R3[i * 3 + j];
    const dw_polar_site *s = m->ctx;
    double c = 1.0;
    if (s && s->horizontal) {
        /* The horizontal distance's rate, of a target at the altitude prior
         * flying level: the slant rate over cos el, el where to_pos puts it. */
        const double rho = m->z[0], R0 = 6371000.0;
        const double up = s->prior_alt_m - s->frame.origin.alt_m - rho * rho / (2.0 * R0);
        c = cos(atan2(up, rho));
    }
    m->z[3] = range_rate_mps / c;
    m->R[15] = sigma_rr_mps * sigma_rr_mps / (c * c);
    m->model = &dw_meas_polar_rr;
}

void dw_polar_meas(dw_meas *m, int64_t t_us, double range_m, double az_rad, double el_rad,
                   double sigma_range_m, double sigma_az_rad, double sigma_el_rad)
{
    memset(m, 0, sizeof *m);
    m->t_us = t_us;
    m->z[0] = range_m;
    m->z[1] = az_rad;
    m->z[2] = el_rad;
    m->R[0] = sigma_range_m * sigma_range_m;
    m->R[4] = sigma_az_rad * sigma_az_rad;
    m->R[8] = sigma_el_rad * sigma_el_rad;
}

void dw_polar_meas_no_el(dw_meas *m, int64_t t_us, const dw_polar_site *site2d, double range_m,
                         double az_rad, double sigma_range_m, double sigma_az_rad)
{
    double el, rho, sr;
    prior_geometry(site2d, range_m, &el, &rho, &sr);
    dw_polar_meas(m, t_us, rho, az_rad, 0.0, 0.0, sigma_az_rad, 0.0);
    m->R[0] = sigma_range_m * sigma_range_m * cos(el) * cos(el) + sr * sr;
    m->R[8] = DW_POLAR_NO_EL_VAR;
    m->ctx = site2d;
}

void dw_geo_pos_meas(dw_meas *m, int64_t t_us, const dw_geodetic *g, const double cov_enu[3][3])
{
    memset(m, 0, sizeof *m);
    m->t_us = t_us;
    dw_geo_to_ecef(g, m->z);
    dw_enu_frame f;
    dw_enu_frame_init(&f, g);
    double c[3][3];
    dw_ecef_cov_from_enu(&f, cov_enu, c);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            m->R[i * 3 + j] = c[i][j];
}

void dw_geo_state(const double *x, dw_geodetic *g, double vel_enu[3])
{
    const double p[3] = {x[0], x[2], x[4]}, v[3] = {x[1], x[3], x[5]};
    dw_geo_from_ecef(p, g);
    dw_enu_frame f;
    dw_enu_frame_init(&f, g);
    dw_enu_vec_from_ecef(&f, v, vel_enu);
}

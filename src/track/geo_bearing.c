/* geo_bearing.c — bearings from a site, and latitude/longitude reports
 * (POS2, CELL), for the ECEF tracker state [x vx y vy z vz] (track_geo.h).
 *
 * Both are h and its exact Jacobian at the state: the extended Kalman update
 * uses both, the tracker's unscented one (DW_UPDATE_UKF) h alone, at sigma
 * points, with the residual wrapping the angles. With a state that is already
 * a track (gated, so near the truth) the linearisation error of a bearing is
 * far below its noise, and a track's first position from bearings comes from
 * the initiator's least squares, not from a bearing update of a wide prior;
 * where a prior is wide all the same (a track a bearing or two old), the
 * unscented update is the one to use (docs/tracker.md, "The unscented
 * update"). h fails beyond the site's reach and straight above it, at a
 * sigma point as at the state: such an update falls back to the EKF's.
 */
#include <math.h>
#include <string.h>

#include "dronewall/track_geo.h"

#define E2 (DW_WGS84_F * (2.0 - DW_WGS84_F))

void dw_bearing_site_init(dw_bearing_site *s, const dw_geodetic *site, double max_range_m,
                          uint32_t id)
{
    memset(s, 0, sizeof *s);
    dw_enu_frame_init(&s->frame, site);
    s->max_range_m = max_range_m > 0 ? max_range_m : 0.0;
    s->reach_m = max_range_m > 0 ? DW_BEARING_REACH_K * max_range_m + DW_BEARING_REACH_M : INFINITY;
    s->id = id;
}

/* ---- bearings ------------------------------------------------------------ */

static int bearing_h_n(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred,
                       double *H, int nz)
{
    const dw_bearing_site *s = ctx;
    if (!s || mm->n_pos != 3)
        return -1;
    double p[3], enu[3], J[3][3];
    for (int a = 0; a < 3; a++)
        p[a] = x[mm->pos_idx[a]];
    dw_enu_from_ecef(&s->frame, p, enu);
    /* Beyond the site's reach it did not hear this state; straight above it
     * (within 1 mm) the azimuth has no derivative. */
    if (enu[0] * enu[0] + enu[1] * enu[1] > s->reach_m * s->reach_m ||
        dw_polar_jacobian(enu, J) != DW_OK)
        return -1;
    double r, az, el;
    dw_polar_from_enu(enu, &r, &az, &el);
    zpred[0] = az;
    if (nz > 1)
        zpred[1] = el;
    const int nx = mm->nx;
    memset(H, 0, sizeof(double) * (size_t)(nz * nx));
    /* d(az, el)/d(ecef) = J[1..2] * rot, on the position columns. */
    for (int i = 0; i < nz; i++)
        for (int a = 0; a < 3; a++) {
            double v = 0;
            for (int k = 0; k < 3; k++)
                v += J[i + 1][k] * s->frame.rot[k][a];
            H[i * nx + mm->pos_idx[a]] = v;
        }
    return 0;
}

static int bearing_h(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred,
                     double *H)
{
    return bearing_h_n(ctx, mm, x, zpred, H, 1);
}

static int bearing_el_h(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred,
                        double *H)
{
    return bearing_h_n(ctx, mm, x, zpred, H, 2);
}

static void bearing_residual(const void *ctx, int nz, const double *z, const double *zpred,
                             double *nu)
{
    (void)ctx;
    nu[0] = dw_wrap_pi(z[0] - zpred[0]);
    if (nz > 1)
        nu[1] = z[1] - zpred[1];
}

/* A bearing is a line, not a point: no position, so no track of its own and
 * no place in the gating grid. */
static int bearing_to_pos(const void *ctx, const dw_motion_model *mm, const double *z,
                          const double *R, double *pos, double *pos_cov)
{
    (void)ctx;
    (void)mm;
    (void)z;
    (void)R;
    (void)pos;
    (void)pos_cov;
    return -1;
}

/* Heights, relative to a site, between which a target may be. */
#define BOX_DOWN_M 1000.0
#define BOX_UP_M 30000.0

/* The ECEF box around a vertical cylinder of radius r about the frame's
 * origin, from BOX_DOWN_M below it to BOX_UP_M above. */
static void cylinder_box(const dw_enu_frame *f, double r, double *lo, double *hi)
{
    for (int a = 0; a < 3; a++) {
        const double u = f->rot[2][a], h = r * hypot(f->rot[0][a], f->rot[1][a]);
        const double v0 = -BOX_DOWN_M * u, v1 = BOX_UP_M * u;
        lo[a] = f->origin_ecef[a] + (v0 < v1 ? v0 : v1) - h;
        hi[a] = f->origin_ecef[a] + (v0 < v1 ? v1 : v0) + h;
    }
}

/* Where a bearing can have come from: the site's reach all round (the
 * cone would be tighter, but a track's own uncertainty widens what gates). */
static int bearing_bounds(const void *ctx, const dw_motion_model *mm, const double *z,
                          const double *R, double *lo, double *hi)
{
    (void)z;
    (void)R;
    const dw_bearing_site *s = ctx;
    if (!s || mm->n_pos != 3 || !isfinite(s->reach_m))
        return -1;
    cylinder_box(&s->frame, s->reach_m, lo, hi);
    return 0;
}

const dw_meas_model dw_meas_bearing = {
    .name = "bearing",
    .nz = 1,
    .h = bearing_h,
    .residual = bearing_residual,
    .to_pos = bearing_to_pos,
    .bounds = bearing_bounds,
};

const dw_meas_model dw_meas_bearing_el = {
    .name = "bearing-el",
    .nz = 2,
    .h = bearing_el_h,
    .residual = bearing_residual,
    .to_pos = bearing_to_pos,
    .bounds = bearing_bounds,
};

void dw_bearing_meas(dw_meas *m, int64_t t_us, const dw_bearing_site *site, double az_rad,
                     double el_rad, double sigma_az_rad, double sigma_el_rad)
{
    memset(m, 0, sizeof *m);
    m->t_us = t_us;
    m->ctx = site;
    m->z[0] = az_rad;
    m->R[0] = sigma_az_rad * sigma_az_rad;
    if (sigma_el_rad > 0 && isfinite(el_rad)) {
        m->z[1] = el_rad;
        m->R[3] = sigma_el_rad * sigma_el_rad;
    } else {
        m->z[1] = 0.0;
        m->R[3] = DW_BEARING_NO_EL_VAR;
    }
}

/* ---- latitude and longitude ---------------------------------------------- */

/* Meridian (M) and prime-vertical (N) radii of curvature at latitude lat. */
static void radii(double lat_rad, double *M, double *N)
{
    const double s = sin(lat_rad), w = sqrt(1.0 - E2 * s * s);
    *N = DW_WGS84_A / w;
    *M = DW_WGS84_A * (1.0 - E2) / (w * w * w);
}

/* Moving a point ds north changes its latitude by ds / (M + h), ds east its
 * longitude by ds / ((N + h) cos lat), and along the normal neither: so the
 * rows of d(lat, lon)/d(ecef) are the north and east unit vectors scaled. */
static int latlon_h(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred,
                    double *H)
{
    (void)ctx;
    if (mm->n_pos != 3)
        return -1;
    double p[3];
    for (int a = 0; a < 3; a++)
        p[a] = x[mm->pos_idx[a]];
    dw_geodetic g;
    dw_geo_from_ecef(p, &g);
    const double lat = g.lat_deg * M_PI / 180.0, lon = g.lon_deg * M_PI / 180.0;
    const double sl = sin(lat), cl = cos(lat), so = sin(lon), co = cos(lon);
    if (!(cl > 1e-6) || !isfinite(g.alt_m))
        return -1;
    double M, N;
    radii(lat, &M, &N);
    const double dm = M + g.alt_m, dn = (N + g.alt_m) * cl;
    if (!(dm > 1.0) || !(dn > 1.0))
        return -1;
    zpred[0] = lat;
    zpred[1] = lon;
    const double north[3] = {-sl * co, -sl * so, cl}, east[3] = {-so, co, 0.0};
    const int nx = mm->nx;
    memset(H, 0, sizeof(double) * (size_t)(2 * nx));
    for (int a = 0; a < 3; a++) {
        H[mm->pos_idx[a]] = north[a] / dm;
        H[nx + mm->pos_idx[a]] = east[a] / dn;
    }
    return 0;
}

static void latlon_residual(const void *ctx, int nz, const double *z, const double *zpred,
                            double *nu)
{
    (void)ctx;
    (void)nz;
    nu[0] = z[0] - zpred[0];
    nu[1] = dw_wrap_pi(z[1] - zpred[1]);
}

/* The report's point at the prior altitude, with the report's horizontal
 * covariance and the prior's sigma vertically. */
static int latlon_to_pos(const void *ctx, const dw_motion_model *mm, const double *z,
                         const double *R, double *pos, double *pos_cov)
{
    const dw_latlon_ctx *c = ctx;
    if (mm->n_pos != 3 || (c && c->no_pos) || !isfinite(z[0]) || !isfinite(z[1]))
        return -1;
    const double alt = c ? c->alt_m : DW_LATLON_ALT_M;
    const double sa = c ? c->alt_sigma_m : DW_LATLON_ALT_SIGMA_M;
    const double cl = cos(z[0]);
    if (!(cl > 1e-6))
        return -1;
    dw_geodetic g = {z[0] * 180.0 / M_PI, z[1] * 180.0 / M_PI, alt};
    dw_geo_to_ecef(&g, pos);
    double M, N;
    radii(z[0], &M, &N);
    const double dm = M + alt, dn = (N + alt) * cl;
    double enu[3][3] = {{0}};
    enu[0][0] = R[3] * dn * dn;
    enu[1][1] = R[0] * dm * dm;
    enu[0][1] = enu[1][0] = R[1] * dm * dn;
    enu[2][2] = sa * sa;
    dw_enu_frame f;
    dw_enu_frame_init(&f, &g);
    double ce[3][3];
    dw_ecef_cov_from_enu(&f, enu, ce);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            pos_cov[i * 3 + j] = ce[i][j];
    return 0;
}

/* A cell's box: five sigmas of its footprint all round (a uniform disc of
 * radius r has sigma r/2 per axis: 2.5 r), any height. */
static int latlon_bounds(const void *ctx, const dw_motion_model *mm, const double *z,
                         const double *R, double *lo, double *hi)
{
    (void)ctx;
    if (mm->n_pos != 3 || !isfinite(z[0]) || !isfinite(z[1]) || !(cos(z[0]) > 1e-6))
        return -1;
    double M, N;
    radii(z[0], &M, &N);
    const double sn = sqrt(R[0]) * M, se = sqrt(R[3]) * N * cos(z[0]);
    dw_geodetic g = {z[0] * 180.0 / M_PI, z[1] * 180.0 / M_PI, 0.0};
    dw_enu_frame f;
    dw_enu_frame_init(&f, &g);
    cylinder_box(&f, 5.0 * (sn > se ? sn : se), lo, hi);
    return 0;
}

const dw_meas_model dw_meas_latlon = {
    .name = "latlon",
    .nz = 2,
    .h = latlon_h,
    .residual = latlon_residual,
    .to_pos = latlon_to_pos,
    .bounds = latlon_bounds,
};

void dw_latlon_meas(dw_meas *m, int64_t t_us, double lat_deg, double lon_deg,
                    const double cov_en[4])
{
    memset(m, 0, sizeof *m);
    m->t_us = t_us;
    const double lat = lat_deg * M_PI / 180.0;
    m->z[0] = lat;
    m->z[1] = lon_deg * M_PI / 180.0;
    double M, N;
    radii(lat, &M, &N);
    /* At the prior altitude: a kilometre changes the radii by 1.6e-4. */
    double cl = cos(lat);
    if (cl < 1e-6)
        cl = 1e-6;
    const double dm = M + DW_LATLON_ALT_M, dn = (N + DW_LATLON_ALT_M) * cl;
    m->R[0] = cov_en[3] / (dm * dm);                /* lat: north */
    m->R[3] = cov_en[0] / (dn * dn);                /* lon: east  */
    m->R[1] = m->R[2] = 0.5 * (cov_en[1] + cov_en[2]) / (dm * dn);
}

void dw_cell_meas(dw_meas *m, int64_t t_us, double lat_deg, double lon_deg, double radius_m)
{
    const double v = 0.25 * radius_m * radius_m;
    const double cov[4] = {v, 0.0, 0.0, v};
    dw_latlon_meas(m, t_us, lat_deg, lon_deg, cov);
    m->z[2] = radius_m;     /* not measured (nz is 2): for the initiator */
}

/* geo_models.c — polar radar plots and geodetic positions for the ECEF
 * tracker state [x vx y vy z vz]. */
#include <math.h>
#include <string.h>

#include "dronewall/track_geo.h"

void dw_polar_site_init(dw_polar_site *s, const dw_geodetic *site)
{
    dw_enu_frame_init(&s->frame, site);
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

static int polar_to_pos(const void *ctx, const dw_motion_model *mm, const double *z, const double *R,
                        double *pos, double *pos_cov)
{
    const dw_polar_site *s = ctx;
    if (mm->n_pos != 3 || !(z[0] > 0))
        return -1;
    double enu[3];
    dw_enu_from_polar(z[0], z[1], z[2], enu);
    dw_ecef_from_enu(&s->frame, enu, pos);
    /* G = d(enu)/d(range, az, el); cov_enu = G R G^T, then into ECEF. */
    const double r = z[0], sa = sin(z[1]), ca = cos(z[1]), se = sin(z[2]), ce = cos(z[2]);
    const double G[3][3] = {
        {sa * ce, r * ca * ce, -r * sa * se},
        {ca * ce, -r * sa * ce, -r * ca * se},
        {se, 0.0, r * ce},
    };
    double GR[3][3], ce_[3][3];
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
            ce_[i][j] = v;
        }
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

/* models.c — the motion and measurement models of tracker v1. */
#include <math.h>
#include <string.h>

#include "dronewall/tracker.h"

/* CV predict on interleaved [p v] pairs, using F's structure: F P F^T costs
 * O(nx^2) instead of two dense products. */
static void cv_predict(const dw_motion_model *m, double *x, double *P, double dt)
{
    const int n = m->nx;
    if (dt == 0.0)
        return;
    for (int a = 0; a < m->n_pos; a++)
        x[2 * a] += dt * x[2 * a + 1];
    /* rows: A = F P */
    for (int a = 0; a < m->n_pos; a++) {
        double *rp = P + (size_t)(2 * a) * n, *rv = rp + n;
        for (int j = 0; j < n; j++)
            rp[j] += dt * rv[j];
    }
    /* columns: A F^T */
    for (int i = 0; i < n; i++) {
        double *r = P + (size_t)i * n;
        for (int a = 0; a < m->n_pos; a++)
            r[2 * a] += dt * r[2 * a + 1];
    }
    const double adt = fabs(dt);
    const double q = m->q;
    const double q11 = q * adt * adt * adt / 3.0, q12 = q * dt * adt / 2.0, q22 = q * adt;
    for (int a = 0; a < m->n_pos; a++) {
        int p = 2 * a, v = p + 1;
        P[p * n + p] += q11;
        P[p * n + v] += q12;
        P[v * n + p] += q12;
        P[v * n + v] += q22;
    }
}

void dw_motion_cv_init(dw_motion_model *m, int n_axes, double q)
{
    memset(m, 0, sizeof *m);
    m->name = "cv";
    if (n_axes < 1 || n_axes > 3)
        return; /* nx = 0: dw_tracker_create rejects it */
    m->n_pos = n_axes;
    m->nx = 2 * n_axes;
    for (int a = 0; a < n_axes; a++) {
        m->pos_idx[a] = 2 * a;
        m->vel_idx[a] = 2 * a + 1;
    }
    m->q = q;
    m->predict = cv_predict;
}

/* CV in ECEF with the process noise shaped in the local frame: q_h on the two horizontal
 * axes, q_v (small: drones and aircraft hold their altitude) on the vertical, the vertical
 * being the direction of the position from the Earth's centre (the geocentric up, within
 * 0.2 degrees of the geodetic one, which is ample for a noise shape). Q's spatial part is
 * S = q_h (I - u u^T) + q_v u u^T per [dt^3/3, dt^2/2; dt^2/2, dt] block. */
static void cv_geo_predict(const dw_motion_model *m, double *x, double *P, double dt)
{
    if (dt == 0.0)
        return;
    dw_motion_model flat = *m;
    flat.q = 0.0;
    cv_predict(&flat, x, P, dt);
    double r = sqrt(x[0] * x[0] + x[2] * x[2] + x[4] * x[4]);
    double u[3] = {0, 0, 1};
    if (r > 0)
        for (int a = 0; a < 3; a++)
            u[a] = x[2 * a] / r;
    const double adt = fabs(dt);
    const double c11 = adt * adt * adt / 3.0, c12 = dt * adt / 2.0, c22 = adt;
    const double qh = m->q, qv = m->q_v;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double S = qh * ((a == b) - u[a] * u[b]) + qv * u[a] * u[b];
            int pa = 2 * a, va = pa + 1, pb = 2 * b, vb = pb + 1;
            P[pa * 6 + pb] += c11 * S;
            P[pa * 6 + vb] += c12 * S;
            P[va * 6 + pb] += c12 * S;
            P[va * 6 + vb] += c22 * S;
        }
}

void dw_motion_cv_geo_init(dw_motion_model *m, double q_h, double q_v)
{
    dw_motion_cv_init(m, 3, q_h);
    m->name = "cv_geo";
    m->q_v = q_v;
    m->predict = cv_geo_predict;
}

static int lin_h(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred, double *H)
{
    (void)ctx;
    const int nx = mm->nx, nz = mm->n_pos;
    memset(H, 0, sizeof(double) * (size_t)(nz * nx));
    for (int a = 0; a < nz; a++) {
        zpred[a] = x[mm->pos_idx[a]];
        H[a * nx + mm->pos_idx[a]] = 1.0;
    }
    return 0;
}

static void lin_residual(const void *ctx, int nz, const double *z, const double *zpred, double *nu)
{
    (void)ctx;
    for (int a = 0; a < nz; a++)
        nu[a] = z[a] - zpred[a];
}

static int lin_to_pos(const void *ctx, const dw_motion_model *mm, const double *z, const double *R,
                      double *pos, double *pos_cov)
{
    (void)ctx;
    const int n = mm->n_pos;
    for (int a = 0; a < n; a++)
        pos[a] = z[a];
    memcpy(pos_cov, R, sizeof(double) * (size_t)(n * n));
    return 0;
}

const dw_meas_model dw_meas_linear_pos = {
    .name = "linear_pos",
    .nz = 0,
    .h = lin_h,
    .residual = lin_residual,
    .to_pos = lin_to_pos,
};

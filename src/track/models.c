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

/* ---- coordinated turn ------------------------------------------------------
 *
 * Over dt at turn rate w about the unit vertical u, with the velocity split
 * into its vertical part vu = (u.v) u, its horizontal part vh = v - vu and
 * wv = u x v (vh turned a quarter to the left):
 *   v' = vu + cos(w dt) vh + sin(w dt) wv
 *   p' = p + dt vu + A vh + B wv,  A = sin(w dt)/w,  B = (1 - cos(w dt))/w
 * (A -> dt, B -> 0 as w -> 0). F is the Jacobian of that at the state, with
 * u taken as fixed over the step (it turns by dt |v| / 6,400 km); in a plane
 * u is the normal (0, 0, 1). The state is [p0 v0 p1 v1 (p2 v2) w]. */
static void ct_step(const dw_motion_model *m, double *x, double *P, double dt, const double u[3],
                    double qh, double qv)
{
    const int n = m->nx, np = m->n_pos, wi = n - 1;
    const double w = x[wi], th = w * dt, c = cos(th), sn = sin(th);
    double A, B, dA, dB;
    if (fabs(th) < 1e-4) {
        /* series: exact to rounding here, and no 0/0 */
        A = dt * (1.0 - th * th / 6.0);
        B = dt * (th / 2.0 - th * th * th / 24.0);
        dA = dt * dt * (-th / 3.0 + th * th * th / 30.0);
        dB = dt * dt * (0.5 - th * th / 8.0);
    } else {
        A = sn / w;
        B = (1.0 - c) / w;
        dA = (th * c - sn) / (w * w);
        dB = (th * sn - (1.0 - c)) / (w * w);
    }
    double v[3] = {0, 0, 0}, vu[3], vh[3], wv[3];
    for (int a = 0; a < np; a++)
        v[a] = x[2 * a + 1];
    const double uv = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
    for (int a = 0; a < 3; a++) {
        vu[a] = uv * u[a];
        vh[a] = v[a] - vu[a];
    }
    wv[0] = u[1] * v[2] - u[2] * v[1];
    wv[1] = u[2] * v[0] - u[0] * v[2];
    wv[2] = u[0] * v[1] - u[1] * v[0];
    /* [u]x, u u^T */
    const double ux[3][3] = {{0, -u[2], u[1]}, {u[2], 0, -u[0]}, {-u[1], u[0], 0}};
    double F[49];
    memset(F, 0, sizeof F);
    for (int i = 0; i < n; i++)
        F[i * n + i] = 1.0;
    for (int a = 0; a < np; a++) {
        int pa = 2 * a, va = pa + 1;
        for (int b = 0; b < np; b++) {
            int vb = 2 * b + 1;
            double uu = u[a] * u[b], ph = (a == b) - uu;
            F[pa * n + vb] = dt * uu + A * ph + B * ux[a][b];
            F[va * n + vb] = uu + c * ph + sn * ux[a][b];
        }
        F[pa * n + wi] = dA * vh[a] + dB * wv[a];
        F[va * n + wi] = dt * (-sn * vh[a] + c * wv[a]);
    }
    for (int a = 0; a < np; a++) {
        x[2 * a] += dt * vu[a] + A * vh[a] + B * wv[a];
        x[2 * a + 1] = vu[a] + c * vh[a] + sn * wv[a];
    }
    /* P <- F P F^T + Q */
    double FP[49];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double acc = 0;
            for (int k = 0; k < n; k++)
                acc += F[i * n + k] * P[k * n + j];
            FP[i * n + j] = acc;
        }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double acc = 0;
            for (int k = 0; k < n; k++)
                acc += FP[i * n + k] * F[j * n + k];
            P[i * n + j] = acc;
        }
    const double adt = fabs(dt);
    const double c11 = adt * adt * adt / 3.0, c12 = dt * adt / 2.0, c22 = adt;
    for (int a = 0; a < np; a++)
        for (int b = 0; b < np; b++) {
            double S = qh * ((a == b) - u[a] * u[b]) + qv * u[a] * u[b];
            int pa = 2 * a, va = pa + 1, pb = 2 * b, vb = pb + 1;
            P[pa * n + pb] += c11 * S;
            P[pa * n + vb] += c12 * S;
            P[va * n + pb] += c12 * S;
            P[va * n + vb] += c22 * S;
        }
    P[wi * n + wi] += m->q_turn * adt;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            P[i * n + j] = P[j * n + i] = 0.5 * (P[i * n + j] + P[j * n + i]);
}

static void ct_predict(const dw_motion_model *m, double *x, double *P, double dt)
{
    if (dt == 0.0)
        return;
    static const double up[3] = {0, 0, 1};
    /* in a plane the normal; in 3-D z is up, with the vertical's own noise */
    ct_step(m, x, P, dt, up, m->q, m->n_pos == 3 ? m->q_v : 0.0);
}

static void ct_geo_predict(const dw_motion_model *m, double *x, double *P, double dt)
{
    if (dt == 0.0)
        return;
    double r = sqrt(x[0] * x[0] + x[2] * x[2] + x[4] * x[4]);
    double u[3] = {0, 0, 1};
    if (r > 0)
        for (int a = 0; a < 3; a++)
            u[a] = x[2 * a] / r;
    ct_step(m, x, P, dt, u, m->q, m->q_v);
}

void dw_motion_ct_init(dw_motion_model *m, int n_axes, double q, double q_turn, double turn_sigma0)
{
    if (n_axes != 2 && n_axes != 3) {
        memset(m, 0, sizeof *m);
        m->name = "ct";
        return; /* nx = 0: rejected */
    }
    dw_motion_cv_init(m, n_axes, q);
    m->name = "ct";
    m->nx = 2 * n_axes + 1;
    m->q_v = q;
    m->q_turn = q_turn;
    m->turn_sigma0 = turn_sigma0;
    m->predict = ct_predict;
}

void dw_motion_ct_geo_init(dw_motion_model *m, double q_h, double q_v, double q_turn,
                           double turn_sigma0)
{
    dw_motion_ct_init(m, 3, q_h, q_turn, turn_sigma0);
    m->name = "ct_geo";
    m->q_v = q_v;
    m->predict = ct_geo_predict;
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
    .h_selects_pos = 1,
    .h = lin_h,
    .residual = lin_residual,
    .to_pos = lin_to_pos,
};

/* bias.c — per-radar azimuth and range bias from cooperative aircraft (bias.h).
 *
 * Per radar a two-state Kalman filter with the identity as its measurement
 * matrix: the residual of a pair measures the bias directly. The residual's
 * covariance is diagonal (the plot's noise and the track's, per component), so
 * the two components would decouple but for the gate and the drift noise;
 * the 2x2 covariance is kept whole anyway, it costs nothing.
 */
#include "dronewall/bias.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TWO_PI (2.0 * M_PI)

/* A held pair of the robust start: its residual and variances. */
typedef struct held {
    double nu[2], var[2];
    int64_t t_us;
} held;

typedef struct radar_est {
    double b[2];                /* [az rad, range m] */
    double P[2][2];
    int started;
    int n_held;
    uint64_t pairs, taken, outliers, uncertain;
    int64_t last_us;
    held hold[DW_BIAS_MAX_WARMUP];
} radar_est;

struct dw_bias {
    dw_bias_config cfg;
    size_t n;
    radar_est r[];
};

void dw_bias_config_default(dw_bias_config *c)
{
    memset(c, 0, sizeof *c);
    c->gate = 13.8;
    c->min_count = 50;
    c->warmup = 15;
    c->prior_az_sigma_rad = 3.0 * M_PI / 180.0;
    c->prior_range_sigma_m = 1000.0;
    c->max_track_sigma_m = 300.0;
}

static void est_reset(const dw_bias_config *c, radar_est *e)
{
    memset(e, 0, sizeof *e);
    e->P[0][0] = c->prior_az_sigma_rad * c->prior_az_sigma_rad;
    e->P[1][1] = c->prior_range_sigma_m * c->prior_range_sigma_m;
    e->last_us = INT64_MIN;
}

dw_status dw_bias_create(size_t n_radars, const dw_bias_config *cfg, dw_bias **out)
{
    dw_bias_config c;
    if (cfg)
        c = *cfg;
    else
        dw_bias_config_default(&c);
    if (!out || n_radars < 1 || n_radars > 4096 || !(c.gate > 0) || c.min_count < 1 ||
        c.warmup < 1 || c.warmup > DW_BIAS_MAX_WARMUP || !(c.prior_az_sigma_rad > 0) ||
        !(c.prior_range_sigma_m > 0) || !(c.max_track_sigma_m > 0) ||
        !(c.drift_az_rad2_per_s >= 0) || !(c.drift_range_m2_per_s >= 0) ||
        !isfinite(c.gate) || !isfinite(c.prior_az_sigma_rad) || !isfinite(c.prior_range_sigma_m) ||
        !isfinite(c.drift_az_rad2_per_s) || !isfinite(c.drift_range_m2_per_s))
        return DW_ERR_INVALID;
    dw_bias *b = calloc(1, sizeof *b + n_radars * sizeof b->r[0]);
    if (!b)
        return DW_ERR_NOMEM;
    b->cfg = c;
    b->n = n_radars;
    for (size_t i = 0; i < n_radars; i++)
        est_reset(&c, &b->r[i]);
    *out = b;
    return DW_OK;
}

void dw_bias_destroy(dw_bias *b)
{
    free(b);
}

static double wrap_pi(double a)
{
    a = fmod(a, TWO_PI);
    if (a > M_PI)
        a -= TWO_PI;
    else if (a <= -M_PI)
        a += TWO_PI;
    return a;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* d² of residual nu against the estimate, with the residual's own variances
 * and the estimate's covariance. */
static double gate_d2(const radar_est *e, const double nu[2], const double var[2])
{
    double d[2] = {nu[0] - e->b[0], nu[1] - e->b[1]};
    double s00 = e->P[0][0] + var[0], s01 = e->P[0][1], s11 = e->P[1][1] + var[1];
    double det = s00 * s11 - s01 * s01;
    if (!(det > 0))
        return INFINITY;
    return (d[0] * d[0] * s11 - 2.0 * d[0] * d[1] * s01 + d[1] * d[1] * s00) / det;
}

/* The Kalman update with H = I: S = P + R, K = P S^-1, b += K (nu - b),
 * P = (I - K) P, kept symmetric. */
static void kf_update(radar_est *e, const double nu[2], const double var[2])
{
    double s00 = e->P[0][0] + var[0], s01 = e->P[0][1], s11 = e->P[1][1] + var[1];
    double det = s00 * s11 - s01 * s01;
    double i00 = s11 / det, i01 = -s01 / det, i11 = s00 / det;
    double K[2][2];
    for (int r = 0; r < 2; r++) {
        K[r][0] = e->P[r][0] * i00 + e->P[r][1] * i01;
        K[r][1] = e->P[r][0] * i01 + e->P[r][1] * i11;
    }
    double d[2] = {nu[0] - e->b[0], nu[1] - e->b[1]};
    for (int r = 0; r < 2; r++)
        e->b[r] += K[r][0] * d[0] + K[r][1] * d[1];
    double P[2][2];
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 2; c++)
            P[r][c] = e->P[r][c] - (K[r][0] * e->P[0][c] + K[r][1] * e->P[1][c]);
    e->P[0][0] = P[0][0];
    e->P[1][1] = P[1][1];
    e->P[0][1] = e->P[1][0] = 0.5 * (P[0][1] + P[1][0]);
}

/* The drift's process noise from the last pair taken to t_us. */
static void drift(const dw_bias_config *c, radar_est *e, int64_t t_us)
{
    if (e->last_us == INT64_MIN || t_us <= e->last_us)
        return;
    double dt = (double)(t_us - e->last_us) * 1e-6;
    e->P[0][0] += c->drift_az_rad2_per_s * dt;
    e->P[1][1] += c->drift_range_m2_per_s * dt;
}

static void take(radar_est *e, const double nu[2], const double var[2], int64_t t_us)
{
    kf_update(e, nu, var);
    e->taken++;
    if (e->last_us == INT64_MIN || t_us > e->last_us)
        e->last_us = t_us;
}

/* The robust start: the median of the held residuals, and those within the
 * gate of it (with their own variances) into the estimate, from the prior.
 * Returns 1 when started (at least one pair was taken). */
static int robust_start(const dw_bias_config *c, radar_est *e)
{
    const int n = e->n_held;
    double v[DW_BIAS_MAX_WARMUP], med[2];
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < n; i++)
            v[i] = e->hold[i].nu[k];
        med[k] = median(v, n);
    }
    radar_est probe = *e;
    probe.b[0] = med[0];
    probe.b[1] = med[1];
    probe.P[0][0] = probe.P[0][1] = probe.P[1][0] = probe.P[1][1] = 0.0;
    int in[DW_BIAS_MAX_WARMUP], n_in = 0;
    for (int i = 0; i < n; i++) {
        in[i] = gate_d2(&probe, e->hold[i].nu, e->hold[i].var) <= c->gate;
        n_in += in[i];
    }
    e->n_held = 0;
    if (n_in == 0) {
        e->outliers += (uint64_t)n;
        return 0;
    }
    for (int i = 0; i < n; i++) {
        if (in[i])
            take(e, e->hold[i].nu, e->hold[i].var, e->hold[i].t_us);
        else
            e->outliers++;
    }
    e->started = 1;
    return 1;
}

dw_status dw_bias_add(dw_bias *b, const dw_bias_pair *p, dw_bias_outcome *outcome)
{
    if (!b || !p || p->radar < 0 || (size_t)p->radar >= b->n || !isfinite(p->range_m) ||
        !isfinite(p->az_rad) || !isfinite(p->pred_range_m) || !isfinite(p->pred_az_rad) ||
        !isfinite(p->corr_range_m) || !isfinite(p->corr_az_rad) ||
        !(p->pred_range_m > 0) || !(p->range_m > 0) || !(p->sigma_range_m > 0) ||
        !(p->sigma_az_rad > 0) || !isfinite(p->sigma_range_m) || !isfinite(p->sigma_az_rad) ||
        !(p->track_sigma_m >= 0) || !isfinite(p->track_sigma_m) ||
        !isfinite(p->track_range_sigma_m) || !isfinite(p->track_cross_sigma_m))
        return DW_ERR_INVALID;
    const dw_bias_config *c = &b->cfg;
    radar_est *e = &b->r[p->radar];
    e->pairs++;
    dw_bias_outcome res;

    /* The residual and its variances: the plot's noise and the track's, along the
     * line of sight and across it. */
    const double R[2] = {p->sigma_az_rad * p->sigma_az_rad, p->sigma_range_m * p->sigma_range_m};
    const double s_r = p->track_range_sigma_m > 0 ? p->track_range_sigma_m : p->track_sigma_m;
    const double s_c = p->track_cross_sigma_m > 0 ? p->track_cross_sigma_m : p->track_sigma_m;
    double a[2] = {s_c * s_c / (p->pred_range_m * p->pred_range_m), s_r * s_r};
    double nu[2] = {wrap_pi(p->az_rad - p->pred_az_rad), p->range_m - p->pred_range_m};
    int uncertain = s_r > c->max_track_sigma_m || s_c > c->max_track_sigma_m;
    if (p->posterior && !uncertain) {
        /* After the update the residual is R (m + R)^-1 nu and a is the posterior's
         * share m R / (m + R) for the prior's m: undo both. */
        for (int k = 0; k < 2; k++) {
            if (!(a[k] < 0.5 * R[k])) {
                uncertain = 1;
                break;
            }
            double g = R[k] / (R[k] - a[k]);
            nu[k] *= g;
            a[k] *= g;          /* the prior's share: a R / (R - a) */
        }
    }
    /* The plot as measured: what a correction took off goes back on. */
    nu[0] = wrap_pi(nu[0] + p->corr_az_rad);
    nu[1] += p->corr_range_m;
    if (uncertain) {
        e->uncertain++;
        res = DW_BIAS_UNCERTAIN;
    } else {
        const double var[2] = {R[0] + a[0], R[1] + a[1]};
        if (!e->started) {
            held *h = &e->hold[e->n_held++];
            h->nu[0] = nu[0];
            h->nu[1] = nu[1];
            h->var[0] = var[0];
            h->var[1] = var[1];
            h->t_us = p->t_us;
            res = DW_BIAS_HELD;
            if (e->n_held >= c->warmup)
                robust_start(c, e);
        } else {
            drift(c, e, p->t_us);
            if (gate_d2(e, nu, var) <= c->gate) {
                take(e, nu, var, p->t_us);
                res = DW_BIAS_TAKEN;
            } else {
                e->outliers++;
                res = DW_BIAS_OUTLIER;
            }
        }
    }
    if (outcome)
        *outcome = res;
    return DW_OK;
}

static int is_valid(const dw_bias *b, const radar_est *e)
{
    return e->started && e->taken >= (uint64_t)b->cfg.min_count;
}

dw_status dw_bias_get(const dw_bias *b, int radar, double *az_bias_rad, double *range_bias_m,
                      double *sigma_az_rad, double *sigma_range_m, int *valid)
{
    if (!b || radar < 0 || (size_t)radar >= b->n)
        return DW_ERR_INVALID;
    const radar_est *e = &b->r[radar];
    if (az_bias_rad)
        *az_bias_rad = e->b[0];
    if (range_bias_m)
        *range_bias_m = e->b[1];
    if (sigma_az_rad)
        *sigma_az_rad = sqrt(e->P[0][0]);
    if (sigma_range_m)
        *sigma_range_m = sqrt(e->P[1][1]);
    if (valid)
        *valid = is_valid(b, e);
    return DW_OK;
}

dw_status dw_bias_get_info(const dw_bias *b, int radar, dw_bias_info *out)
{
    if (!b || !out || radar < 0 || (size_t)radar >= b->n)
        return DW_ERR_INVALID;
    const radar_est *e = &b->r[radar];
    memset(out, 0, sizeof *out);
    out->az_bias_rad = e->b[0];
    out->range_bias_m = e->b[1];
    memcpy(out->cov, e->P, sizeof out->cov);
    out->valid = is_valid(b, e);
    out->started = e->started;
    out->pairs = e->pairs;
    out->taken = e->taken;
    out->outliers = e->outliers;
    out->uncertain = e->uncertain;
    out->last_us = e->last_us;
    return DW_OK;
}

int dw_bias_correct(const dw_bias *b, int radar, double *range_m, double *az_rad)
{
    if (!b || !range_m || !az_rad || radar < 0 || (size_t)radar >= b->n)
        return 0;
    const radar_est *e = &b->r[radar];
    if (!is_valid(b, e))
        return 0;
    *range_m -= e->b[1];
    double az = fmod(*az_rad - e->b[0], TWO_PI);
    if (az < 0)
        az += TWO_PI;
    *az_rad = az;
    return 1;
}

dw_status dw_bias_reset(dw_bias *b, int radar)
{
    if (!b || radar < 0 || (size_t)radar >= b->n)
        return DW_ERR_INVALID;
    est_reset(&b->cfg, &b->r[radar]);
    return DW_OK;
}

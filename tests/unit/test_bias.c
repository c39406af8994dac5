/* Radar registration (bias.h): the estimator finds a known azimuth and range bias in
 * simulated plots of cooperative aircraft with noise and 5 % outliers, its sigma is honest
 * (Monte Carlo) and shrinks as 1/sqrt(n), a bad start does not lock it onto an outlier,
 * predictions taken after the update are scaled back, azimuths wrap, radars are kept apart,
 * a drifting bias is followed, and bad input changes nothing. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/bias.h"
#include "dronewall/sim.h"

#define DEG (M_PI / 180.0)
#define T0_US 1757451000000000LL

#define NOTE(...)                                                                           \
    do {                                                                                    \
        if (getenv("DW_TEST_VERBOSE"))                                                      \
            fprintf(stderr, __VA_ARGS__);                                                   \
    } while (0)

/* How the simulated plots are made. */
typedef struct scene {
    double az_bias_rad, range_bias_m;
    double sigma_az_rad, sigma_range_m;
    double track_sigma_m;
    double p_outlier;           /* a plot of another aircraft: uniform within +-5 deg, +-5 km */
    double az_lo_rad, az_hi_rad;
    int posterior;              /* give the prediction after a Kalman update on the plot */
    /* > 0: the track's sigma along the line of sight and across it, told to the
     * estimator as such (else track_sigma_m on both) */
    double range_sigma_m, cross_sigma_m;
} scene;

static scene default_scene(void)
{
    scene s = {0.5 * DEG, 40.0, 0.2 * DEG, 50.0, 20.0, 0.05, 0.0, 2 * M_PI, 0, 0, 0};
    return s;
}

/* One pair: a true position (range 50-150 km), the track's estimate of it (off by the
 * track's sigma), and the radar's plot of it (biased, noisy, or an outlier). With corr
 * (az rad, range m; NULL: none) the plot is corrected by it before the track takes it,
 * as a pipeline does once the estimate is valid. */
static dw_bias_pair make_pair_corr(const scene *s, dw_rng *g, int radar, int64_t t_us,
                                   const double *corr, int *outlier)
{
    double r = 50e3 + 100e3 * dw_rng_uniform(g);
    double az = s->az_lo_rad + (s->az_hi_rad - s->az_lo_rad) * dw_rng_uniform(g);
    /* The track's error: s_r in range and s_c/r in azimuth. */
    const double s_r = s->range_sigma_m > 0 ? s->range_sigma_m : s->track_sigma_m;
    const double s_c = s->cross_sigma_m > 0 ? s->cross_sigma_m : s->track_sigma_m;
    double tr = s_r * dw_rng_normal(g), ta = s_c / r * dw_rng_normal(g);
    dw_bias_pair p;
    memset(&p, 0, sizeof p);
    p.t_us = t_us;
    p.radar = radar;
    p.pred_range_m = r + tr;
    p.pred_az_rad = az + ta;
    p.track_sigma_m = s->track_sigma_m;
    if (s->range_sigma_m > 0) {
        p.track_range_sigma_m = s_r;
        p.track_cross_sigma_m = s_c;
    }
    p.posterior = s->posterior;
    p.sigma_range_m = s->sigma_range_m;
    p.sigma_az_rad = s->sigma_az_rad;
    *outlier = dw_rng_uniform(g) < s->p_outlier;
    if (*outlier) {
        p.range_m = r + 5e3 * (2 * dw_rng_uniform(g) - 1);
        p.az_rad = az + 5 * DEG * (2 * dw_rng_uniform(g) - 1);
    } else {
        p.range_m = r + s->range_bias_m + s->sigma_range_m * dw_rng_normal(g);
        p.az_rad = az + s->az_bias_rad + s->sigma_az_rad * dw_rng_normal(g);
    }
    if (corr) {
        p.az_rad -= corr[0];
        p.range_m -= corr[1];
        p.corr_az_rad = corr[0];
        p.corr_range_m = corr[1];
    }
    p.az_rad = fmod(p.az_rad + 4 * M_PI, 2 * M_PI);
    p.pred_az_rad = fmod(p.pred_az_rad + 4 * M_PI, 2 * M_PI);
    if (s->posterior) {
        /* The track took the plot: its prediction moved towards it by the gain, and its
         * sigmas shrank to the posterior's. */
        double m[2] = {s_c * s_c / (r * r), s_r * s_r};
        double R[2] = {p.sigma_az_rad * p.sigma_az_rad, p.sigma_range_m * p.sigma_range_m};
        double daz = remainder(p.az_rad - p.pred_az_rad, 2 * M_PI);
        p.pred_az_rad += m[0] / (m[0] + R[0]) * daz;
        p.pred_range_m += m[1] / (m[1] + R[1]) * (p.range_m - p.pred_range_m);
        p.track_sigma_m = sqrt(m[1] * R[1] / (m[1] + R[1]));
        if (s->range_sigma_m > 0) {
            /* told apart; and as one sigma, the root mean square of the two */
            p.track_range_sigma_m = p.track_sigma_m;
            p.track_cross_sigma_m = sqrt(m[0] * R[0] / (m[0] + R[0])) * r;
            p.track_sigma_m = sqrt(0.5 * (p.track_range_sigma_m * p.track_range_sigma_m +
                                          p.track_cross_sigma_m * p.track_cross_sigma_m));
        }
    }
    return p;
}

static dw_bias_pair make_pair(const scene *s, dw_rng *g, int radar, int64_t t_us, int *outlier)
{
    return make_pair_corr(s, g, radar, t_us, NULL, outlier);
}

static dw_bias *make(size_t n)
{
    dw_bias *b = NULL;
    assert_int_equal(dw_bias_create(n, NULL, &b), DW_OK);
    assert_non_null(b);
    return b;
}

/* 0.5 deg and 40 m, 5 % outliers: at 100, 400, 1,600 and 6,400 pairs taken the estimate
 * is within 3 sigma of the truth, each sigma half the one before (1/sqrt(n)), and sigma
 * times sqrt(n) is the pairs' own noise. */
static void bias_converges(void **state)
{
    (void)state;
    dw_bias *b = make(1);
    scene s = default_scene();
    dw_rng g;
    dw_rng_seed(&g, 1, 1);
    const uint64_t checks[] = {100, 400, 1600, 6400};
    double prev_sa = 0, prev_sr = 0;
    uint64_t n_out = 0, n = 0;
    size_t c = 0;
    int valid_seen_at = -1;
    while (c < sizeof checks / sizeof checks[0]) {
        int outlier;
        dw_bias_pair p = make_pair(&s, &g, 0, T0_US + (int64_t)n * 1000000, &outlier);
        n++;
        n_out += (uint64_t)outlier;
        dw_bias_outcome oc;
        assert_int_equal(dw_bias_add(b, &p, &oc), DW_OK);
        dw_bias_info in;
        assert_int_equal(dw_bias_get_info(b, 0, &in), DW_OK);
        if (in.valid && valid_seen_at < 0)
            valid_seen_at = (int)in.taken;
        if (in.taken != checks[c])
            continue;
        double az, rg, sa, sr;
        int valid;
        assert_int_equal(dw_bias_get(b, 0, &az, &rg, &sa, &sr, &valid), DW_OK);
        assert_true(valid);
        NOTE("bias: n %5llu az %.4f +- %.4f deg, range %.2f +- %.2f m (outliers %llu "
             "rejected %llu of %llu pairs)\n",
             (unsigned long long)in.taken, az / DEG, sa / DEG, rg, sr,
             (unsigned long long)n_out, (unsigned long long)in.outliers,
             (unsigned long long)in.pairs);
        assert_true(fabs(az - s.az_bias_rad) <= 3 * sa);
        assert_true(fabs(rg - s.range_bias_m) <= 3 * sr);
        /* sigma sqrt(n): the plot's and the track's noise, per pair. */
        double nn = (double)in.taken;
        assert_near(sa * sqrt(nn) / DEG, sqrt(0.2 * 0.2 + pow(20.0 / 100e3 / DEG, 2)), 0.004);
        assert_near(sr * sqrt(nn), sqrt(50.0 * 50.0 + 20.0 * 20.0), 0.5);
        if (prev_sa > 0) {
            assert_near(prev_sa / sa, 2.0, 0.02);
            assert_near(prev_sr / sr, 2.0, 0.01);
        }
        prev_sa = sa;
        prev_sr = sr;
        c++;
    }
    /* The gate: most outliers out (a few fall inside it by chance), no good plot lost
     * beyond the 0.1 % the gate costs. */
    dw_bias_info in;
    assert_int_equal(dw_bias_get_info(b, 0, &in), DW_OK);
    assert_true(in.outliers <= n_out + n / 200);
    assert_true(in.outliers >= n_out * 8 / 10);
    assert_int_equal(in.taken + in.outliers, in.pairs);
    assert_int_equal(valid_seen_at, 50);
    dw_bias_destroy(b);
}

/* Chi-square bounds on the mean of n draws of chi2(1)/1, two-sided 95 %:
 * Wilson-Hilferty for chi2(n). */
static void chi2_bounds(double dof, double *lo, double *hi)
{
    const double z = 1.959963984540054;
    double a = 2.0 / (9.0 * dof);
    *lo = dof * pow(1 - a - z * sqrt(a), 3);
    *hi = dof * pow(1 - a + z * sqrt(a), 3);
}

/* 1,000 independent runs of 300 pairs each: the squared error over the estimate's variance
 * averages to 1 within the chi-square bounds for 1,000 runs, per component: the sigma the
 * estimator reports is the one it has, outliers and all. */
static void bias_sigma_is_honest(void **state)
{
    (void)state;
    enum { RUNS = 1000, PAIRS = 300 };
    scene s = default_scene();
    double ea = 0, er = 0;
    for (int run = 0; run < RUNS; run++) {
        dw_bias *b = make(1);
        dw_rng g;
        dw_rng_seed(&g, 1000 + (uint64_t)run, 7);
        for (int i = 0; i < PAIRS; i++) {
            int o;
            dw_bias_pair p = make_pair(&s, &g, 0, T0_US + (int64_t)i * 1000000, &o);
            assert_int_equal(dw_bias_add(b, &p, NULL), DW_OK);
        }
        dw_bias_info in;
        assert_int_equal(dw_bias_get_info(b, 0, &in), DW_OK);
        double da = in.az_bias_rad - s.az_bias_rad, dr = in.range_bias_m - s.range_bias_m;
        ea += da * da / in.cov[0][0];
        er += dr * dr / in.cov[1][1];
        dw_bias_destroy(b);
    }
    double lo, hi;
    chi2_bounds(RUNS, &lo, &hi);
    NOTE("bias: normalised squared error az %.3f range %.3f, 95 %% bounds [%.3f, %.3f]\n",
         ea / RUNS, er / RUNS, lo / RUNS, hi / RUNS);
    assert_true(ea >= lo && ea <= hi);
    assert_true(er >= lo && er <= hi);
}

/* Predictions from the track after it took the plot are pulled towards it: a 40 m track
 * sigma against 50 m of range noise pulls the range residual to 61 % of itself. With
 * `posterior` the estimator scales it back and finds the bias; taken for a prediction
 * before the update, the same pairs underestimate it. */
static void bias_posterior(void **state)
{
    (void)state;
    scene s = default_scene();
    s.track_sigma_m = 40.0;
    s.posterior = 1;
    s.p_outlier = 0;
    dw_bias *b = make(1), *naive = make(1);
    dw_rng g;
    dw_rng_seed(&g, 3, 3);
    for (int i = 0; i < 4000; i++) {
        int o;
        dw_bias_pair p = make_pair(&s, &g, 0, T0_US + (int64_t)i * 1000000, &o);
        assert_int_equal(dw_bias_add(b, &p, NULL), DW_OK);
        p.posterior = 0;
        assert_int_equal(dw_bias_add(naive, &p, NULL), DW_OK);
    }
    double az, rg, sa, sr, rn;
    int valid;
    assert_int_equal(dw_bias_get(b, 0, &az, &rg, &sa, &sr, &valid), DW_OK);
    assert_int_equal(dw_bias_get(naive, 0, NULL, &rn, NULL, NULL, NULL), DW_OK);
    NOTE("bias: posterior range %.2f +- %.2f m (as prior: %.2f m), az %.4f deg\n", rg, sr, rn,
         az / DEG);
    assert_true(valid);
    assert_true(fabs(rg - 40.0) <= 3 * sr);
    assert_true(fabs(az - 0.5 * DEG) <= 3 * sa);
    assert_true(rn < 40.0 * 0.7);
    /* A plot that makes most of its track's estimate says little of the radar. */
    int o;
    dw_bias_pair p = make_pair(&s, &g, 0, T0_US, &o);
    p.track_sigma_m = 40.0;    /* posterior 40 m on 50 m of noise: the prior was larger */
    dw_bias_outcome oc;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_OK);
    assert_int_equal(oc, DW_BIAS_UNCERTAIN);
    dw_bias_destroy(b);
    dw_bias_destroy(naive);
}

/* The loop a pipeline runs: once the estimate is valid the plots are corrected by it before
 * the track takes them, and given back with the correction (corr_*): the estimate stays on
 * the bias instead of feeding on itself. */
static void bias_closed_loop(void **state)
{
    (void)state;
    scene s = default_scene();
    s.track_sigma_m = 30.0;
    s.posterior = 1;
    dw_bias *b = make(1);
    dw_rng g;
    dw_rng_seed(&g, 19, 19);
    int corrected = 0;
    for (int i = 0; i < 4000; i++) {
        double corr[2];
        int valid, o;
        assert_int_equal(dw_bias_get(b, 0, &corr[0], &corr[1], NULL, NULL, &valid), DW_OK);
        dw_bias_pair p = make_pair_corr(&s, &g, 0, T0_US + (int64_t)i * 1000000,
                                        valid ? corr : NULL, &o);
        corrected += valid;
        assert_int_equal(dw_bias_add(b, &p, NULL), DW_OK);
    }
    dw_bias_info in;
    assert_int_equal(dw_bias_get_info(b, 0, &in), DW_OK);
    NOTE("bias: closed loop az %.4f +- %.4f deg, range %.2f +- %.2f m (%d plots corrected)\n",
         in.az_bias_rad / DEG, sqrt(in.cov[0][0]) / DEG, in.range_bias_m, sqrt(in.cov[1][1]),
         corrected);
    assert_true(corrected > 3800);
    assert_true(fabs(in.az_bias_rad - 0.5 * DEG) <= 3 * sqrt(in.cov[0][0]));
    assert_true(fabs(in.range_bias_m - 40.0) <= 3 * sqrt(in.cov[1][1]));
    dw_bias_destroy(b);
}

/* An aircraft's track: 40 m along the line of sight, 5 m across it (before the plot). Told
 * so, the estimator scales each residual back by its own share; told only one sigma for
 * both (the root mean square of the two), it scales the range residual back too little and
 * finds too small a range bias. */
static void bias_track_sigmas_apart(void **state)
{
    (void)state;
    scene s = default_scene();
    s.posterior = 1;
    s.p_outlier = 0;
    s.range_sigma_m = 40.0;
    s.cross_sigma_m = 5.0;
    s.track_sigma_m = sqrt((40.0 * 40.0 + 5.0 * 5.0) / 2);
    dw_bias *b = make(1), *mean_only = make(1);
    dw_rng g;
    dw_rng_seed(&g, 23, 23);
    for (int i = 0; i < 4000; i++) {
        int o;
        dw_bias_pair p = make_pair(&s, &g, 0, T0_US + (int64_t)i * 1000000, &o);
        assert_int_equal(dw_bias_add(b, &p, NULL), DW_OK);
        p.track_range_sigma_m = p.track_cross_sigma_m = 0;
        assert_int_equal(dw_bias_add(mean_only, &p, NULL), DW_OK);
    }
    dw_bias_info in, mo;
    assert_int_equal(dw_bias_get_info(b, 0, &in), DW_OK);
    assert_int_equal(dw_bias_get_info(mean_only, 0, &mo), DW_OK);
    NOTE("bias: sigmas apart: range %.2f +- %.2f m (one sigma: %.2f m)\n", in.range_bias_m,
         sqrt(in.cov[1][1]), mo.range_bias_m);
    assert_true(fabs(in.range_bias_m - 40.0) <= 3 * sqrt(in.cov[1][1]));
    assert_true(fabs(in.az_bias_rad - 0.5 * DEG) <= 3 * sqrt(in.cov[0][0]));
    assert_true(fabs(mo.range_bias_m - 40.0) > 5 * sqrt(mo.cov[1][1]));
    dw_bias_destroy(b);
    dw_bias_destroy(mean_only);
}

/* The first pairs are wild (five of the fifteen held ones, 3 degrees off): the median start
 * keeps them out, and the estimate never locks onto them. */
static void bias_robust_start(void **state)
{
    (void)state;
    scene s = default_scene();
    s.p_outlier = 0;
    dw_bias *b = make(1);
    dw_rng g;
    dw_rng_seed(&g, 5, 5);
    for (int i = 0; i < 15; i++) {
        int o;
        dw_bias_pair p = make_pair(&s, &g, 0, T0_US + (int64_t)i * 1000000, &o);
        if (i % 3 == 0) {
            p.az_rad = fmod(p.az_rad + 3 * DEG, 2 * M_PI);
            p.range_m += 2500;
        }
        dw_bias_outcome oc;
        assert_int_equal(dw_bias_add(b, &p, &oc), DW_OK);
        assert_int_equal(oc, DW_BIAS_HELD);
        double az, sa;
        int valid;
        assert_int_equal(dw_bias_get(b, 0, &az, NULL, &sa, NULL, &valid), DW_OK);
        assert_false(valid);
        if (i < 14) {
            assert_near(az, 0, 0);
            assert_near(sa, 3 * DEG, 1e-15);
        }
    }
    dw_bias_info in;
    assert_int_equal(dw_bias_get_info(b, 0, &in), DW_OK);
    assert_true(in.started);
    assert_int_equal(in.outliers, 5);
    assert_int_equal(in.taken, 10);
    assert_true(fabs(in.az_bias_rad - 0.5 * DEG) < 4 * sqrt(in.cov[0][0]));
    for (int i = 0; i < 100; i++) {
        int o;
        dw_bias_pair p = make_pair(&s, &g, 0, T0_US + (int64_t)(15 + i) * 1000000, &o);
        dw_bias_outcome oc;
        assert_int_equal(dw_bias_add(b, &p, &oc), DW_OK);
        assert_true(oc == DW_BIAS_TAKEN || oc == DW_BIAS_OUTLIER);
    }
    /* Good pairs all, but for the 0.1 % the gate costs. */
    assert_int_equal(dw_bias_get_info(b, 0, &in), DW_OK);
    assert_true(in.valid);
    assert_true(in.taken >= 10 + 98);
    assert_true(fabs(in.az_bias_rad - 0.5 * DEG) < 3 * sqrt(in.cov[0][0]));
    dw_bias_destroy(b);
}

/* Aircraft near north: plots at 0.3 deg of predictions at 359.8 deg. The residual wraps,
 * and a corrected azimuth stays in [0, 2pi). */
static void bias_wraps_north(void **state)
{
    (void)state;
    scene s = default_scene();
    s.az_lo_rad = -1 * DEG;
    s.az_hi_rad = 1 * DEG;
    s.p_outlier = 0;
    dw_bias *b = make(1);
    dw_rng g;
    dw_rng_seed(&g, 9, 9);
    for (int i = 0; i < 500; i++) {
        int o;
        dw_bias_pair p = make_pair(&s, &g, 0, T0_US + (int64_t)i * 1000000, &o);
        assert_int_equal(dw_bias_add(b, &p, NULL), DW_OK);
    }
    double az, sa;
    int valid;
    assert_int_equal(dw_bias_get(b, 0, &az, NULL, &sa, NULL, &valid), DW_OK);
    assert_true(valid);
    assert_true(fabs(az - 0.5 * DEG) <= 3 * sa);
    double r = 1000.0, a = 0.2 * DEG;
    assert_int_equal(dw_bias_correct(b, 0, &r, &a), 1);
    assert_true(a >= 0 && a < 2 * M_PI);
    assert_near(a, 2 * M_PI - 0.3 * DEG, 4 * sa);
    dw_bias_destroy(b);
}

/* Three radars, each its own bias, fed in turn; the pairs of one never move another. */
static void bias_radars_apart(void **state)
{
    (void)state;
    dw_bias *b = make(3);
    const double az_b[3] = {0.5 * DEG, -0.3 * DEG, 0.0}, rg_b[3] = {40.0, -25.0, 0.0};
    dw_rng g;
    dw_rng_seed(&g, 11, 11);
    for (int i = 0; i < 3000; i++) {
        int r = i % 3, o;
        scene s = default_scene();
        s.az_bias_rad = az_b[r];
        s.range_bias_m = rg_b[r];
        if (r == 2)
            continue;               /* radar 2 hears nothing */
        dw_bias_pair p = make_pair(&s, &g, r, T0_US + (int64_t)i * 1000000, &o);
        assert_int_equal(dw_bias_add(b, &p, NULL), DW_OK);
    }
    for (int r = 0; r < 2; r++) {
        dw_bias_info in;
        assert_int_equal(dw_bias_get_info(b, r, &in), DW_OK);
        assert_true(in.valid);
        assert_true(fabs(in.az_bias_rad - az_b[r]) <= 3 * sqrt(in.cov[0][0]));
        assert_true(fabs(in.range_bias_m - rg_b[r]) <= 3 * sqrt(in.cov[1][1]));
    }
    dw_bias_info in;
    assert_int_equal(dw_bias_get_info(b, 2, &in), DW_OK);
    assert_false(in.valid);
    assert_false(in.started);
    assert_int_equal(in.pairs, 0);
    assert_true(in.last_us == INT64_MIN);
    double r = 5000.0, a = 1.0;
    assert_int_equal(dw_bias_correct(b, 2, &r, &a), 0);
    assert_near(r, 5000.0, 0);
    assert_near(a, 1.0, 0);
    assert_int_equal(dw_bias_correct(b, 0, &r, &a), 1);
    assert_near(r, 5000.0 - 40.0, 10.0);
    /* Reset forgets. */
    assert_int_equal(dw_bias_reset(b, 0), DW_OK);
    assert_int_equal(dw_bias_get_info(b, 0, &in), DW_OK);
    assert_false(in.valid);
    assert_int_equal(in.pairs, 0);
    dw_bias_destroy(b);
}

/* A radar re-aligned in the field: its bias steps from 0.5 to 0.8 deg. With drift noise
 * the estimate follows it within a few hundred pairs, and its sigma keeps a floor. */
static void bias_follows_drift(void **state)
{
    (void)state;
    dw_bias_config c;
    dw_bias_config_default(&c);
    c.drift_az_rad2_per_s = pow(0.01 * DEG, 2);     /* 0.01 deg per sqrt(s) */
    c.drift_range_m2_per_s = 1.0;
    dw_bias *b = NULL;
    assert_int_equal(dw_bias_create(1, &c, &b), DW_OK);
    scene s = default_scene();
    s.p_outlier = 0;
    dw_rng g;
    dw_rng_seed(&g, 13, 13);
    for (int i = 0; i < 3000; i++) {
        if (i == 1500)
            s.az_bias_rad = 0.8 * DEG;
        int o;
        dw_bias_pair p = make_pair(&s, &g, 0, T0_US + (int64_t)i * 1000000, &o);
        assert_int_equal(dw_bias_add(b, &p, NULL), DW_OK);
    }
    double az, sa;
    assert_int_equal(dw_bias_get(b, 0, &az, NULL, &sa, NULL, NULL), DW_OK);
    NOTE("bias: drift: az %.4f +- %.4f deg\n", az / DEG, sa / DEG);
    assert_true(fabs(az - 0.8 * DEG) <= 3 * sa);
    assert_true(sa > 0.01 * DEG);
    dw_bias_destroy(b);
}

static void bias_bad_input(void **state)
{
    (void)state;
    dw_bias *b = NULL;
    dw_bias_config c;
    dw_bias_config_default(&c);
    assert_int_equal(dw_bias_create(0, NULL, &b), DW_ERR_INVALID);
    assert_null(b);
    assert_int_equal(dw_bias_create(1, NULL, NULL), DW_ERR_INVALID);
    c.warmup = DW_BIAS_MAX_WARMUP + 1;
    assert_int_equal(dw_bias_create(1, &c, &b), DW_ERR_INVALID);
    dw_bias_config_default(&c);
    c.gate = NAN;
    assert_int_equal(dw_bias_create(1, &c, &b), DW_ERR_INVALID);
    dw_bias_config_default(&c);
    c.drift_az_rad2_per_s = -1;
    assert_int_equal(dw_bias_create(1, &c, &b), DW_ERR_INVALID);
    assert_null(b);

    b = make(2);
    scene s = default_scene();
    dw_rng g;
    dw_rng_seed(&g, 17, 17);
    int o;
    dw_bias_pair good = make_pair(&s, &g, 1, T0_US, &o), p;
    dw_bias_outcome oc = (dw_bias_outcome)99;
    p = good;
    p.radar = 2;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_ERR_INVALID);
    p.radar = -1;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_ERR_INVALID);
    p = good;
    p.az_rad = NAN;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_ERR_INVALID);
    p = good;
    p.pred_range_m = 0;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_ERR_INVALID);
    p = good;
    p.sigma_az_rad = 0;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_ERR_INVALID);
    p = good;
    p.track_sigma_m = -1;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_ERR_INVALID);
    p = good;
    p.sigma_range_m = INFINITY;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_ERR_INVALID);
    p = good;
    p.corr_az_rad = NAN;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_ERR_INVALID);
    p = good;
    p.track_cross_sigma_m = INFINITY;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_ERR_INVALID);
    assert_int_equal(dw_bias_add(b, NULL, &oc), DW_ERR_INVALID);
    assert_int_equal(dw_bias_add(NULL, &good, &oc), DW_ERR_INVALID);
    assert_int_equal((int)oc, 99);
    dw_bias_info in;
    assert_int_equal(dw_bias_get_info(b, 1, &in), DW_OK);
    assert_int_equal(in.pairs, 0);
    /* A track too uncertain to say anything: counted, not held. */
    p = good;
    p.track_sigma_m = 301;
    assert_int_equal(dw_bias_add(b, &p, &oc), DW_OK);
    assert_int_equal(oc, DW_BIAS_UNCERTAIN);
    assert_int_equal(dw_bias_get_info(b, 1, &in), DW_OK);
    assert_int_equal(in.pairs, 1);
    assert_int_equal(in.uncertain, 1);
    double x = 7;
    assert_int_equal(dw_bias_get(b, 2, &x, NULL, NULL, NULL, NULL), DW_ERR_INVALID);
    assert_near(x, 7, 0);
    assert_int_equal(dw_bias_get_info(b, 5, &in), DW_ERR_INVALID);
    assert_int_equal(dw_bias_reset(b, 2), DW_ERR_INVALID);
    assert_int_equal(dw_bias_correct(b, 9, &x, &x), 0);
    assert_int_equal(dw_bias_correct(NULL, 0, &x, &x), 0);
    dw_bias_destroy(b);
    dw_bias_destroy(NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(bias_converges),
    cmocka_unit_test(bias_sigma_is_honest),
    cmocka_unit_test(bias_posterior),
    cmocka_unit_test(bias_closed_loop),
    cmocka_unit_test(bias_track_sigmas_apart),
    cmocka_unit_test(bias_robust_start),
    cmocka_unit_test(bias_wraps_north),
    cmocka_unit_test(bias_radars_apart),
    cmocka_unit_test(bias_follows_drift),
    cmocka_unit_test(bias_bad_input),
};

DW_TEST_MAIN("bias", tests)

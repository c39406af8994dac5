/* test_ukf.c — the tracker's unscented update (dw_tracker_config.update = DW_UPDATE_UKF)
 * and its per-measurement models (dw_meas.model), through the public API:
 *   - for a linear model that is not a selection of the position axes the UKF is the
 *     Kalman filter: the same x, P and d² as the EKF to 1e-9, with one model and with the
 *     IMM (CV + CT: the turn rate's sigma points too), for alpha, beta, kappa (1, 2, 0)
 *     and (0.5, 0, 1); and to 1e-7 at (1e-3, 2, 0), a centre weight of -10^6 whose sigma
 *     points lie so close that differences of h lose digits;
 *   - a late bearing re-run through the out-of-sequence history gives the in-order UKF
 *     result;
 *   - angles: sigma points either side of north average to north;
 *   - a sigma point h cannot map (beyond a bearing's reach) falls back to the EKF's update;
 *   - the settings are checked;
 *   - plots with their own model (a radar's plots with a range rate among plots without)
 *     share the radar's slot, in one batch, with GNN and JPDA, and through the history.
 * The Monte Carlo figures (bearing-only NEES, EKF against UKF) are test_consistency.c's. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "dronewall/track_geo.h"
#include "dronewall/tracker.h"

#define DEG (M_PI / 180.0)
#define T0 1757451000000000LL

/* ---- a linear model that is not a selection ----------------------------------------- */

/* z = A x on the 2-D CV state [x vx y vy]: a mix of position and velocity, so the
 * tracker takes the general path (h, H, residual) and with DW_UPDATE_UKF the sigma
 * points. No position of its own: tracks are started by the caller. */
static const double A[2][4] = {{1.0, 0.3, 0.5, 0.0}, {-0.2, 0.0, 1.0, 0.7}};

static int lin_h(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred,
                 double *H)
{
    (void)ctx;
    const int nx = mm->nx;
    for (int i = 0; i < 2; i++) {
        zpred[i] = 0.0;
        for (int a = 0; a < 4; a++) {
            zpred[i] += A[i][a] * x[a];
            H[i * nx + a] = A[i][a];
        }
        for (int a = 4; a < nx; a++)
            H[i * nx + a] = 0.0;
    }
    return 0;
}

static void lin_residual(const void *ctx, int nz, const double *z, const double *zpred, double *nu)
{
    (void)ctx;
    for (int i = 0; i < nz; i++)
        nu[i] = z[i] - zpred[i];
}

static int lin_to_pos(const void *ctx, const dw_motion_model *mm, const double *z, const double *R,
                      double *pos, double *pos_cov)
{
    (void)ctx;
    (void)mm;
    (void)z;
    (void)R;
    (void)pos;
    (void)pos_cov;
    return -1;
}

static const dw_meas_model lin_model = {
    .name = "linear-mix", .nz = 2, .h = lin_h, .residual = lin_residual, .to_pos = lin_to_pos};

static double urand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

static double nrand(uint64_t *s)
{
    return sqrt(-2.0 * log(urand(s))) * cos(2 * M_PI * urand(s));
}

static dw_tracker *tracker_2d(dw_update upd, double alpha, double beta, double kappa, int imm)
{
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, 0.5);
    c.gate = 1e6;
    c.confirm_m = 1;
    c.confirm_n = 1;
    c.delete_misses = 1000;
    c.max_tracks = 8;
    c.init_vel_sigma = 5.0;
    c.update = upd;
    c.ukf_alpha = alpha;
    c.ukf_beta = beta;
    c.ukf_kappa = kappa;
    if (imm) {
        dw_motion_model ct;
        dw_motion_ct_init(&ct, 2, 0.5, 1e-3, 0.05);
        dw_tracker_config_imm(&c, &ct, 0.05, 0.1, 1.0);
    }
    dw_tracker *t = NULL;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    return t;
}

static void near_rel(double got, double want, double rel, const char *what, int k)
{
    if (!(fabs(got - want) <= rel * (1.0 + fabs(want))))
        fail_msg("%s at step %d: %.17g against %.17g (%.2e)", what, k, got, want, (got - want) / (1.0 + fabs(want)));
}

/* The same measurements through the EKF and the UKF: equal to 1e-9 after every one. */
static void ukf_equals_ekf_for_a_linear_model(void **state)
{
    (void)state;
    const double par[3][3] = {{1.0, 2.0, 0.0}, {1e-3, 2.0, 0.0}, {0.5, 0.0, 1.0}};
    for (int imm = 0; imm < 2; imm++)
        for (int p = 0; p < 3; p++) {
            dw_tracker *te = tracker_2d(DW_UPDATE_EKF, 1.0, 2.0, 0.0, imm);
            dw_tracker *tu = tracker_2d(DW_UPDATE_UKF, par[p][0], par[p][1], par[p][2], imm);
            /* at alpha 1e-3 the sigma points lie 2e-3 sigma from the centre: differences of
             * h there lose digits to h's own size (1e3 here), about 1e-9 of the result */
            const double tol = par[p][0] < 0.1 ? 1e-7 : 1e-9;
            int se, su;
            assert_int_equal(dw_tracker_add_sensor(te, &lin_model, NULL, &se), DW_OK);
            assert_int_equal(dw_tracker_add_sensor(tu, &lin_model, NULL, &su), DW_OK);
            const double pos[2] = {1200.0, -800.0}, pc[4] = {400.0, 30.0, 30.0, 900.0};
            assert_int_equal(dw_tracker_start_track(te, se, T0, pos, pc, NULL), DW_OK);
            assert_int_equal(dw_tracker_start_track(tu, su, T0, pos, pc, NULL), DW_OK);
            double x[4] = {1190.0, 12.0, -790.0, -7.0};
            uint64_t rs = 17 + (uint64_t)p;
            for (int k = 1; k <= 30; k++) {
                const double dt = 1.0 + 0.25 * (k % 3);
                x[0] += x[1] * dt;
                x[2] += x[3] * dt;
                if (k > 15)
                    x[1] += 3.0 * dt;       /* a manoeuvre, for the IMM */
                dw_meas z;
                memset(&z, 0, sizeof z);
                z.t_us = T0 + (int64_t)k * 1250000;
                for (int i = 0; i < 2; i++) {
                    z.z[i] = 0.0;
                    for (int a = 0; a < 4; a++)
                        z.z[i] += A[i][a] * x[a];
                }
                z.z[0] += 5.0 * nrand(&rs);
                z.z[1] += 4.0 * nrand(&rs);
                z.R[0] = 25.0;
                z.R[1] = z.R[2] = 6.0;
                z.R[3] = 16.0;
                assert_int_equal(dw_tracker_update(te, se, z.t_us, &z, 1), DW_OK);
                assert_int_equal(dw_tracker_update(tu, su, z.t_us, &z, 1), DW_OK);
                const dw_trk *ke = dw_tracker_get(te, 0), *ku = dw_tracker_get(tu, 0);
                assert_int_equal(ke->hits, (uint32_t)k + 1);
                assert_int_equal(ku->hits, (uint32_t)k + 1);
                for (int a = 0; a < 4; a++)
                    near_rel(ku->x[a], ke->x[a], tol, "x", k);
                for (int a = 0; a < 16; a++)
                    near_rel(ku->P[a], ke->P[a], tol, "P", k);
                near_rel(ku->last_d2, ke->last_d2, tol, "d2", k);
                if (imm)
                    near_rel(ku->model_prob[1], ke->model_prob[1], tol, "mu", k);
            }
            dw_tracker_stats st;
            dw_tracker_get_stats(tu, &st);
            assert_int_equal(st.ukf_updates, imm ? 60 : 30);     /* the IMM: per mode */
            assert_int_equal(st.ukf_fallbacks, 0);
            dw_tracker_get_stats(te, &st);
            assert_int_equal(st.ukf_updates, 0);
            dw_tracker_destroy(te);
            dw_tracker_destroy(tu);
        }
}

/* ---- bearings -------------------------------------------------------------------------- */

static dw_tracker *tracker_geo(dw_update upd, int imm)
{
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 0.5);
    dw_motion_cv_geo_init(&c.motion, 0.5, 0.05);
    c.gate = 1e6;
    c.confirm_m = 1;
    c.confirm_n = 1;
    c.delete_misses = 1000;
    c.max_tracks = 8;
    c.init_vel_sigma = 15.0;
    c.update = upd;
    c.oosm_depth = 8;
    if (imm) {
        dw_motion_model ct;
        dw_motion_ct_geo_init(&ct, 0.5, 0.05, 1e-3, 0.05);
        dw_tracker_config_imm(&c, &ct, 0.05, 0.1, 1.0);
    }
    dw_tracker *t = NULL;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    return t;
}

/* A track 1 km from a drone that two bearing sites see, started by the caller. */
static void start_geo(dw_tracker *t, int sensor, const dw_enu_frame *f, const double enu[3],
                      double sigma)
{
    double p[3], cov[9] = {0};
    dw_ecef_from_enu(f, enu, p);
    for (int a = 0; a < 3; a++)
        cov[a * 4] = sigma * sigma;
    assert_int_equal(dw_tracker_start_track(t, sensor, T0, p, cov, NULL), DW_OK);
}

/* One bearing of the drone at truth_enu (scene frame f) from site s at t_us. */
static dw_meas bearing_of(const dw_bearing_site *s, const dw_enu_frame *f, const double truth_enu[3],
                          int64_t t_us, uint64_t *rs)
{
    double p[3], enu[3], r, az, el;
    dw_ecef_from_enu(f, truth_enu, p);
    dw_enu_from_ecef(&s->frame, p, enu);
    dw_polar_from_enu(enu, &r, &az, &el);
    dw_meas z;
    dw_bearing_meas(&z, t_us, s, fmod(az + 1.0 * DEG * nrand(rs) + 2 * M_PI, 2 * M_PI),
                    el + 1.0 * DEG * nrand(rs), 1.0 * DEG, 1.0 * DEG);
    return z;
}

/* The out-of-sequence history re-runs unscented updates: a bearing delivered three
 * updates late gives the in-order state, with one model and with the IMM. */
static void ukf_late_bearing_reruns_exactly(void **state)
{
    (void)state;
    const dw_geodetic ref = {52.0, 23.0, 100.0}, sg[2] = {{51.99, 22.97, 120.0}, {51.99, 23.03, 110.0}};
    dw_enu_frame f;
    dw_enu_frame_init(&f, &ref);
    dw_bearing_site sites[2];
    for (int s = 0; s < 2; s++)
        dw_bearing_site_init(&sites[s], &sg[s], 0.0, (uint32_t)s);
    for (int imm = 0; imm < 2; imm++) {
        dw_tracker *ta = tracker_geo(DW_UPDATE_UKF, imm), *tb = tracker_geo(DW_UPDATE_UKF, imm);
        int sa, sb;
        assert_int_equal(dw_tracker_add_sensor(ta, &dw_meas_bearing_el, NULL, &sa), DW_OK);
        assert_int_equal(dw_tracker_add_sensor(tb, &dw_meas_bearing_el, NULL, &sb), DW_OK);
        const double e0[3] = {500.0, 5000.0, 400.0};
        start_geo(ta, sa, &f, e0, 700.0);
        start_geo(tb, sb, &f, e0, 700.0);
        dw_meas z[12];
        uint64_t rs = 99;
        for (int k = 0; k < 12; k++) {
            const double ts = 0.5 * (k + 1);
            const double tr[3] = {e0[0] - 300.0 + 20.0 * ts, e0[1] + 800.0 - 10.0 * ts, 600.0};
            z[k] = bearing_of(&sites[k % 2], &f, tr, T0 + (int64_t)(k + 1) * 500000, &rs);
        }
        /* ta in order; tb with z[5] after z[8] */
        for (int k = 0; k < 12; k++)
            assert_int_equal(dw_tracker_update(ta, sa, z[k].t_us, &z[k], 1), DW_OK);
        for (int k = 0; k < 12; k++) {
            if (k == 5)
                continue;
            assert_int_equal(dw_tracker_update(tb, sb, z[k].t_us, &z[k], 1), DW_OK);
            if (k == 8)
                assert_int_equal(dw_tracker_update(tb, sb, z[5].t_us, &z[5], 1), DW_OK);
        }
        const dw_trk *ka = dw_tracker_get(ta, 0), *kb = dw_tracker_get(tb, 0);
        assert_int_equal(ka->hits, 13);
        assert_int_equal(kb->hits, 13);
        assert_true(ka->t_us == kb->t_us);
        for (int a = 0; a < 6; a++)
            near_rel(kb->x[a], ka->x[a], 1e-9, "x", imm);
        for (int a = 0; a < 36; a++)
            near_rel(kb->P[a], ka->P[a], 1e-9, "P", imm);
        dw_tracker_stats st;
        dw_tracker_get_stats(tb, &st);
        assert_int_equal(st.oosm_exact, 1);
        assert_int_equal(st.ukf_fallbacks, 0);
        /* the re-run: the late one, then the three after it again */
        assert_int_equal(st.ukf_updates, (uint64_t)(imm ? 2 : 1) * (11 + 1 + 3));
        dw_tracker_destroy(ta);
        dw_tracker_destroy(tb);
    }
}

/* Sigma points either side of north: the predicted azimuth is their mean through the
 * residual (north), not the mean of 0.1 and 6.2 (south); the update agrees with the EKF's
 * where the bearing is nearly linear. */
static void ukf_averages_azimuths_across_north(void **state)
{
    (void)state;
    const dw_geodetic sg = {52.0, 23.0, 100.0};
    dw_bearing_site site;
    dw_bearing_site_init(&site, &sg, 0.0, 0);
    double x_out[2][6];
    for (int u = 0; u < 2; u++) {
        dw_tracker *t = tracker_geo(u ? DW_UPDATE_UKF : DW_UPDATE_EKF, 0);
        int s;
        assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_bearing, NULL, &s), DW_OK);
        /* due north at 5 km, 300 m sigma: the sigma points' azimuths span +-0.15 rad */
        const double e0[3] = {0.0, 5000.0, 300.0};
        start_geo(t, s, &site.frame, e0, 300.0);
        dw_meas z;
        dw_bearing_meas(&z, T0 + 1000, &site, 2 * M_PI - 0.004, 0.0, 0.5 * DEG, 0.0);
        assert_int_equal(dw_tracker_update(t, s, z.t_us, &z, 1), DW_OK);
        const dw_trk *k = dw_tracker_get(t, 0);
        memcpy(x_out[u], k->x, sizeof x_out[u]);
        assert_true(k->last_d2 < 1.0);
        dw_tracker_stats st;
        dw_tracker_get_stats(t, &st);
        assert_int_equal(st.ukf_updates, (uint64_t)u);
        dw_tracker_destroy(t);
    }
    double p[2][3], enu[2][3];
    for (int u = 0; u < 2; u++) {
        for (int a = 0; a < 3; a++)
            p[u][a] = x_out[u][2 * a];
        dw_enu_from_ecef(&site.frame, p[u], enu[u]);
    }
    print_message("east after a bearing 0.004 rad west of north: EKF %.2f m, UKF %.2f m\n",
                  enu[0][0], enu[1][0]);
    /* pulled west, onto the ray 20 m west at 5 km, and the same as the EKF within a metre */
    assert_true(enu[1][0] < -15.0 && enu[1][0] > -25.0);
    assert_near(enu[1][0], enu[0][0], 1.0);
    assert_near(enu[1][1], enu[0][1], 5.0);
}

/* A sigma point beyond a node's reach: h fails there, the update is the EKF's. */
static void ukf_falls_back_where_h_fails(void **state)
{
    (void)state;
    const dw_geodetic sg = {52.0, 23.0, 100.0};
    dw_bearing_site site;
    dw_bearing_site_init(&site, &sg, 3000.0, 0);      /* reach 1.5 x 3 km + 2 km = 6.5 km */
    double x_out[2][6], P_out[2][36];
    for (int u = 0; u < 2; u++) {
        dw_tracker *t = tracker_geo(u ? DW_UPDATE_UKF : DW_UPDATE_EKF, 0);
        int s;
        assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_bearing, NULL, &s), DW_OK);
        const double e0[3] = {300.0, 6000.0, 300.0};
        start_geo(t, s, &site.frame, e0, 400.0);        /* sigma points out to 7 km */
        dw_meas z;
        dw_bearing_meas(&z, T0 + 1000, &site, 0.06, 0.0, 1.0 * DEG, 0.0);
        assert_int_equal(dw_tracker_update(t, s, z.t_us, &z, 1), DW_OK);
        const dw_trk *k = dw_tracker_get(t, 0);
        assert_int_equal(k->hits, 2);
        memcpy(x_out[u], k->x, sizeof x_out[u]);
        memcpy(P_out[u], k->P, sizeof P_out[u]);
        dw_tracker_stats st;
        dw_tracker_get_stats(t, &st);
        assert_int_equal(st.ukf_updates, 0);
        assert_int_equal(st.ukf_fallbacks, (uint64_t)u);
        dw_tracker_destroy(t);
    }
    assert_memory_equal(x_out[0], x_out[1], sizeof x_out[0]);
    assert_memory_equal(P_out[0], P_out[1], sizeof P_out[0]);
}

static void ukf_settings_are_checked(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 1.0);
    assert_int_equal(c.update, DW_UPDATE_EKF);
    assert_near(c.ukf_alpha, 1.0, 0);
    assert_near(c.ukf_beta, 2.0, 0);
    assert_near(c.ukf_kappa, 0.0, 0);
    dw_tracker *t = NULL;
    c.update = DW_UPDATE_UKF;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    dw_tracker_destroy(t);
    const struct { double a, b, k; dw_status want; } cases[] = {
        {0.0, 2.0, 0.0, DW_ERR_INVALID},     {-1.0, 2.0, 0.0, DW_ERR_INVALID},
        {NAN, 2.0, 0.0, DW_ERR_INVALID},     {1.0, -0.5, 0.0, DW_ERR_INVALID},
        {1.0, 2.0, -6.0, DW_ERR_INVALID},    {1.0, 2.0, -3.0, DW_OK},      /* n + kappa = 3 */
        {1e-3, 2.0, 0.0, DW_OK},             {1.0, 0.0, 0.0, DW_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c.ukf_alpha = cases[i].a;
        c.ukf_beta = cases[i].b;
        c.ukf_kappa = cases[i].k;
        t = NULL;
        assert_int_equal(dw_tracker_create(&c, &t), cases[i].want);
        dw_tracker_destroy(t);
    }
    /* with the EKF the UKF's settings are not read */
    c.update = DW_UPDATE_EKF;
    c.ukf_alpha = 0.0;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    dw_tracker_destroy(t);
    c.update = (dw_update)7;
    c.ukf_alpha = 1.0;
    assert_int_equal(dw_tracker_create(&c, &t), DW_ERR_INVALID);
}

/* ---- a measurement's own model ----------------------------------------------------------- */

/* Two drones 2 km apart seen by a Doppler radar: plots with a range rate (their own model,
 * dw_meas_polar_rr) and without (the slot's dw_meas_polar), mixed in one batch, through GNN
 * and JPDA and the EKF and UKF: both tracks follow their drone, their velocity along the line
 * of sight pinned by the range rates; a track's history re-runs a range-rate plot (its
 * model kept) exactly; a model that does not fit is refused. */
static void plots_with_their_own_model(void **state)
{
    (void)state;
    const dw_geodetic sg = {52.0, 23.0, 150.0};
    dw_polar_site site;
    dw_polar_site_init(&site, &sg);
    for (int v = 0; v < 4; v++) {
        dw_tracker_config c;
        dw_tracker_config_default(&c, 3, 0.5);
        dw_motion_cv_geo_init(&c.motion, 0.5, 0.05);
        c.gate = 20.0;
        c.confirm_m = 2;
        c.confirm_n = 3;
        c.init_vel_sigma = 30.0;
        c.max_tracks = 16;
        c.oosm_depth = 6;
        c.assoc = v & 1 ? DW_ASSOC_JPDA : DW_ASSOC_GNN;
        c.update = v & 2 ? DW_UPDATE_UKF : DW_UPDATE_EKF;
        dw_tracker *t = NULL;
        assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
        int s;
        assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_polar, &site, &s), DW_OK);
        uint64_t rs = 5;
        /* drones in the site's frame: start (e, n, u), velocity (ve, vn) */
        const double d0[2][5] = {{3000.0, 6000.0, 400.0, -25.0, -10.0},
                                 {5000.0, 6000.0, 600.0, 15.0, -20.0}};
        dw_meas late;
        for (int k = 0; k < 20; k++) {
            const int64_t tk = T0 + (int64_t)k * 1000000;
            dw_meas z[2];
            for (int d = 0; d < 2; d++) {
                const double ts = (double)k;
                const double enu[3] = {d0[d][0] + d0[d][3] * ts, d0[d][1] + d0[d][4] * ts, d0[d][2]};
                double r, az, el;
                dw_polar_from_enu(enu, &r, &az, &el);
                const double rr = (enu[0] * d0[d][3] + enu[1] * d0[d][4]) / r;
                dw_polar_meas(&z[d], tk + d * 1000, r + 10.0 * nrand(&rs), az + 0.3 * DEG * nrand(&rs),
                              el + 0.3 * DEG * nrand(&rs), 10.0, 0.3 * DEG, 0.3 * DEG);
                /* drone 0's plots carry the range rate at every other scan, drone 1's always */
                if (d == 1 || k % 2 == 0)
                    dw_polar_meas_add_rr(&z[d], rr + 0.5 * nrand(&rs), 0.5);
            }
            if (k == 14) {
                late = z[1];            /* drone 1's plot comes two scans late */
                assert_int_equal(dw_tracker_update(t, s, tk, z, 1), DW_OK);
            } else {
                assert_int_equal(dw_tracker_update(t, s, tk, z, 2), DW_OK);
            }
            if (k == 16)
                assert_int_equal(dw_tracker_update(t, s, late.t_us, &late, 1), DW_OK);
        }
        assert_int_equal(dw_tracker_count(t), 2);
        dw_tracker_stats st;
        dw_tracker_get_stats(t, &st);
        assert_int_equal(st.oosm_exact, 1);
        /* JPDA's PDA update keeps the linearisation: the UKF runs for the clusters GNN
         * solves (those with a plot of the other model) */
        if (v & 2)
            assert_true(st.ukf_updates > (v & 1 ? 0u : 30u));
        if (v & 1)
            assert_true(st.jpda_clusters > 0);
        for (size_t i = 0; i < 2; i++) {
            dw_trk k;
            dw_tracker_predict_copy(t, dw_tracker_get(t, i), T0 + 19 * 1000000 + 1000, &k);
            assert_int_equal(k.status, DW_TRACK_CONFIRMED);
            /* JPDA counts a plot whose chance of being the track's is below jpda_hit as a
             * miss (a 4-D d² above 12 does it): one of the 40 may */
            if (v & 1)
                assert_true(k.hits >= 19);
            else
                assert_int_equal(k.hits, 20);
            double p[3] = {k.x[0], k.x[2], k.x[4]}, enu[3], vel[3], v_e[3];
            dw_enu_from_ecef(&site.frame, p, enu);
            const double vv[3] = {k.x[1], k.x[3], k.x[5]};
            dw_enu_vec_from_ecef(&site.frame, vv, vel);
            const int d = enu[0] < 4000.0 ? 0 : 1;
            const double truth[3] = {d0[d][0] + d0[d][3] * 19.0, d0[d][1] + d0[d][4] * 19.0, d0[d][2]};
            v_e[0] = vel[0] - d0[d][3];
            v_e[1] = vel[1] - d0[d][4];
            v_e[2] = vel[2];
            const double r = sqrt(truth[0] * truth[0] + truth[1] * truth[1] + truth[2] * truth[2]);
            const double los = (v_e[0] * truth[0] + v_e[1] * truth[1] + v_e[2] * truth[2]) / r;
            print_message("%s %s, drone %d: %.1f m off, velocity %.1f m/s off (%.2f along the line "
                          "of sight)\n", v & 1 ? "JPDA" : "GNN", v & 2 ? "UKF" : "EKF", d,
                          sqrt(pow(enu[0] - truth[0], 2) + pow(enu[1] - truth[1], 2) +
                               pow(enu[2] - truth[2], 2)),
                          sqrt(v_e[0] * v_e[0] + v_e[1] * v_e[1] + v_e[2] * v_e[2]), los);
            assert_true(fabs(los) < 1.0);
            assert_true(hypot(enu[0] - truth[0], enu[1] - truth[1]) < 60.0);
        }
        dw_tracker_destroy(t);
    }
    /* A model too wide for the tracker, or without its functions, is refused. */
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 0.5);
    dw_tracker *t = NULL;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_polar, &site, &s), DW_OK);
    dw_meas_model wide = dw_meas_polar_rr;
    wide.nz = DW_TRK_MAX_Z + 1;
    dw_meas_model none = dw_meas_polar_rr;
    none.h = NULL;
    dw_meas z;
    dw_polar_meas(&z, T0, 5000.0, 1.0, 0.05, 10.0, 0.01, 0.01);
    dw_polar_meas_add_rr(&z, 3.0, 0.5);
    z.model = &wide;
    assert_int_equal(dw_tracker_update(t, s, T0, &z, 1), DW_ERR_INVALID);
    z.model = &none;
    assert_int_equal(dw_tracker_update(t, s, T0, &z, 1), DW_ERR_INVALID);
    assert_int_equal(dw_tracker_count(t), 0);
    z.model = &dw_meas_polar_rr;
    assert_int_equal(dw_tracker_update(t, s, T0, &z, 1), DW_OK);
    assert_int_equal(dw_tracker_count(t), 1);
    dw_tracker_destroy(t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(ukf_equals_ekf_for_a_linear_model),
    cmocka_unit_test(ukf_late_bearing_reruns_exactly),
    cmocka_unit_test(ukf_averages_azimuths_across_north),
    cmocka_unit_test(ukf_falls_back_where_h_fails),
    cmocka_unit_test(ukf_settings_are_checked),
    cmocka_unit_test(plots_with_their_own_model),
};

DW_TEST_MAIN("ukf", tests)

#include "harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/track_geo.h"
#include "dronewall/tracker.h"

/* A small deterministic generator for test scenes. */
typedef struct rng { uint64_t s; } rng;
static double urand(rng *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(r->s >> 11) * (1.0 / 9007199254740992.0);
}
static double nrand(rng *r)
{
    double u = urand(r), v = urand(r);
    return sqrt(-2.0 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

static dw_tracker *make(int m, int n, double q, int *sensor)
{
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, q);
    c.confirm_m = m;
    c.confirm_n = n;
    c.max_tracks = 256;
    dw_tracker *t = NULL;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, sensor), DW_OK);
    return t;
}

static dw_meas meas_at(int64_t t_us, double x, double y, double sigma, uint32_t user)
{
    dw_meas m;
    memset(&m, 0, sizeof m);
    m.t_us = t_us;
    m.z[0] = x;
    m.z[1] = y;
    m.R[0] = m.R[3] = sigma * sigma;
    m.user = user;
    return m;
}

static const dw_trk *find_confirmed(dw_tracker *t, int *count)
{
    const dw_trk *found = NULL;
    *count = 0;
    for (size_t i = 0; i < dw_tracker_count(t); i++) {
        const dw_trk *k = dw_tracker_get(t, i);
        if (k->status == DW_TRACK_CONFIRMED || k->status == DW_TRACK_COASTING) {
            found = k;
            (*count)++;
        }
    }
    return found;
}

static void one_target_confirms_and_converges(void **state)
{
    (void)state;
    int s;
    dw_tracker *t = make(2, 3, 0.01, &s);
    rng r = {7};
    int n;
    for (int k = 0; k < 60; k++) {
        double x = 10.0 + 3.0 * k, y = -5.0 - 1.5 * k;
        dw_meas m = meas_at(k * 1000000LL, x + nrand(&r), y + nrand(&r), 1.0, (uint32_t)k);
        assert_int_equal(dw_tracker_update(t, s, m.t_us, &m, 1), DW_OK);
        const dw_trk *k1 = find_confirmed(t, &n);
        if (k == 0) {
            assert_int_equal(n, 0); /* one hit is not a track yet */
        } else {
            assert_int_equal(n, 1);
            assert_true(k1->id == 1); /* one identity throughout */
        }
    }
    const dw_trk *k1 = find_confirmed(t, &n);
    assert_near(k1->x[1], 3.0, 0.3);
    assert_near(k1->x[3], -1.5, 0.3);
    assert_near(k1->x[0], 10.0 + 3.0 * 59, 2.0);
    assert_true(k1->hits == 60);
    dw_tracker_destroy(t);
}

static void confirmed_track_deleted_after_misses(void **state)
{
    (void)state;
    int s;
    dw_tracker *t = make(2, 3, 0.01, &s);
    int n;
    for (int k = 0; k < 5; k++) {
        dw_meas m = meas_at(k * 1000000LL, 1.0 * k, 0.0, 1.0, 0);
        dw_tracker_update(t, s, m.t_us, &m, 1);
    }
    find_confirmed(t, &n);
    assert_int_equal(n, 1);
    /* Two empty scans: coasting. The third deletes it and reports its id. */
    for (int k = 5; k < 7; k++) {
        assert_int_equal(dw_tracker_update(t, s, k * 1000000LL, NULL, 0), DW_OK);
        const dw_trk *c = find_confirmed(t, &n);
        assert_int_equal(n, 1);
        assert_int_equal(c->status, DW_TRACK_COASTING);
    }
    dw_tracker_update(t, s, 7 * 1000000LL, NULL, 0);
    find_confirmed(t, &n);
    assert_int_equal(n, 0);
    const dw_trk *dead;
    assert_int_equal(dw_tracker_deleted(t, &dead), 1);
    assert_true(dead[0].id == 1);
    assert_int_equal(dead[0].status, DW_TRACK_DEAD);
    assert_int_equal(dw_tracker_count(t), 0);
    dw_tracker_destroy(t);
}

static void tentative_dies_without_m_of_n(void **state)
{
    (void)state;
    int s;
    dw_tracker *t = make(3, 4, 0.01, &s);
    /* Two hits then silence: 3-of-4 is never reached. */
    for (int k = 0; k < 2; k++) {
        dw_meas m = meas_at(k * 1000000LL, 0.5 * k, 0.0, 1.0, 0);
        dw_tracker_update(t, s, m.t_us, &m, 1);
    }
    assert_int_equal(dw_tracker_count(t), 1);
    assert_int_equal(dw_tracker_get(t, 0)->status, DW_TRACK_TENTATIVE);
    for (int k = 2; k < 6; k++)
        dw_tracker_update(t, s, k * 1000000LL, NULL, 0);
    assert_int_equal(dw_tracker_count(t), 0);
    const dw_trk *dead;
    /* A track that was never confirmed is not reported as deleted. */
    assert_int_equal(dw_tracker_deleted(t, &dead), 0);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.confirmed == 0 && st.initiated == 1 && st.deleted == 1);
    dw_tracker_destroy(t);
}

/* Two targets that cross, in clutter: each keeps its identity. */
static void crossing_targets_keep_identity(void **state)
{
    (void)state;
    int s;
    dw_tracker *t = make(2, 3, 0.01, &s);
    rng r = {99};
    uint64_t id_of[2] = {0, 0};
    for (int k = 0; k < 40; k++) {
        dw_meas m[12];
        int nm = 0;
        double tk = k;
        /* A moves +x, B moves -x; both at y = +-0.05 k (they cross at k=20). */
        m[nm++] = meas_at(k * 1000000LL, -40 + 2 * tk + 0.3 * nrand(&r), 0.5 * (tk - 20) + 0.3 * nrand(&r), 0.3, 0);
        m[nm++] = meas_at(k * 1000000LL, 40 - 2 * tk + 0.3 * nrand(&r), -0.5 * (tk - 20) + 0.3 * nrand(&r), 0.3, 1);
        for (int c = 0; c < 4; c++)
            m[nm++] = meas_at(k * 1000000LL, 200 * urand(&r) - 100, 200 * urand(&r) - 100, 0.3, 100);
        assert_int_equal(dw_tracker_update(t, s, k * 1000000LL, m, (size_t)nm), DW_OK);
        for (size_t i = 0; i < dw_tracker_count(t); i++) {
            const dw_trk *k1 = dw_tracker_get(t, i);
            if (k1->status != DW_TRACK_CONFIRMED || k1->last_user > 1 || k1->hits < 3)
                continue;
            uint32_t who = k1->last_user;
            if (id_of[who] == 0)
                id_of[who] = k1->id;
            assert_true(id_of[who] == k1->id);
        }
    }
    assert_true(id_of[0] != 0 && id_of[1] != 0 && id_of[0] != id_of[1]);
    dw_tracker_destroy(t);
}

/* The grid is an optimisation only: with a cell so large that every track
 * meets every measurement, the result must be the same. */
static void grid_matches_all_pairs(void **state)
{
    (void)state;
    dw_tracker *a, *b;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, 0.05);
    c.max_tracks = 4000;
    assert_int_equal(dw_tracker_create(&c, &a), DW_OK);
    c.grid_cell = 1e7;
    c.max_gate_extent = 1e9;
    assert_int_equal(dw_tracker_create(&c, &b), DW_OK);
    int sa, sb;
    dw_tracker_add_sensor(a, &dw_meas_linear_pos, NULL, &sa);
    dw_tracker_add_sensor(b, &dw_meas_linear_pos, NULL, &sb);
    enum { N = 150 };
    double x[N][4];
    rng r = {3};
    for (int i = 0; i < N; i++) {
        x[i][0] = 400 * urand(&r) - 200;
        x[i][1] = nrand(&r);
        x[i][2] = 400 * urand(&r) - 200;
        x[i][3] = nrand(&r);
    }
    dw_meas *m = calloc(N + 50, sizeof *m);
    for (int k = 0; k < 30; k++) {
        int nm = 0;
        for (int i = 0; i < N; i++) {
            x[i][0] += x[i][1];
            x[i][2] += x[i][3];
            if (urand(&r) < 0.9)
                m[nm++] = meas_at(k * 1000000LL, x[i][0] + nrand(&r), x[i][2] + nrand(&r), 1.0, (uint32_t)i);
        }
        for (int j = 0; j < 40; j++)
            m[nm++] = meas_at(k * 1000000LL, 500 * urand(&r) - 250, 500 * urand(&r) - 250, 1.0, 9999);
        assert_int_equal(dw_tracker_update(a, sa, k * 1000000LL, m, (size_t)nm), DW_OK);
        assert_int_equal(dw_tracker_update(b, sb, k * 1000000LL, m, (size_t)nm), DW_OK);
        assert_int_equal(dw_tracker_count(a), dw_tracker_count(b));
        for (size_t i = 0; i < dw_tracker_count(a); i++) {
            const dw_trk *ka = dw_tracker_get(a, i), *kb = dw_tracker_get(b, i);
            assert_true(ka->id == kb->id);
            assert_int_equal(ka->status, kb->status);
            assert_true(memcmp(ka->x, kb->x, sizeof ka->x) == 0);
        }
    }
    dw_tracker_stats st;
    dw_tracker_get_stats(a, &st);
    dw_tracker_stats sb_st;
    dw_tracker_get_stats(b, &sb_st);
    /* ...and it does far fewer gate tests. */
    assert_true(st.gate_tests * 5 < sb_st.gate_tests);
    free(m);
    dw_tracker_destroy(a);
    dw_tracker_destroy(b);
}

/* The same in 3-D with wide gates, where each track covers many cells and
 * the cell table must grow well past its first size. */
static void grid_matches_all_pairs_3d_wide_gates(void **state)
{
    (void)state;
    dw_tracker *a, *b;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 1.0);
    c.max_tracks = 2000;
    c.init_vel_sigma = 60.0;
    c.grid_cell = 700.0;         /* gates span 3-4 cells an axis: ~40 cells a track */
    c.max_gate_extent = 1e9;
    assert_int_equal(dw_tracker_create(&c, &a), DW_OK);
    c.grid_cell = 1e9;
    assert_int_equal(dw_tracker_create(&c, &b), DW_OK);
    int sa, sb;
    dw_tracker_add_sensor(a, &dw_meas_linear_pos, NULL, &sa);
    dw_tracker_add_sensor(b, &dw_meas_linear_pos, NULL, &sb);
    rng r = {17};
    enum { N = 300 };
    static double z0[N][3];
    dw_meas *m = calloc(N, sizeof *m);
    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < N; i++) {
            memset(&m[i], 0, sizeof m[i]);
            m[i].t_us = k * 1000000LL;
            for (int d = 0; d < 3; d++) {
                if (k == 0)
                    z0[i][d] = 1e5 * urand(&r);
                m[i].z[d] = z0[i][d];
            }
            m[i].R[0] = m[i].R[4] = m[i].R[8] = 100.0 * 100.0;
        }
        /* the same targets again, moved a little, so the tracks continue */
        if (k > 0)
            for (int i = 0; i < N; i++)
                for (int d = 0; d < 3; d++)
                    m[i].z[d] = z0[i][d] + 30.0 * k + 50.0 * nrand(&r);
        assert_int_equal(dw_tracker_update(a, sa, k * 1000000LL, m, N), DW_OK);
        assert_int_equal(dw_tracker_update(b, sb, k * 1000000LL, m, N), DW_OK);
        assert_int_equal(dw_tracker_count(a), dw_tracker_count(b));
        for (size_t i = 0; i < dw_tracker_count(a); i++) {
            const dw_trk *ka = dw_tracker_get(a, i), *kb = dw_tracker_get(b, i);
            assert_true(ka->id == kb->id);
            assert_true(memcmp(ka->x, kb->x, sizeof ka->x) == 0);
        }
    }
    /* every target kept its track through the four scans */
    dw_tracker_stats st;
    dw_tracker_get_stats(a, &st);
    assert_true(st.confirmed == N);
    free(m);
    dw_tracker_destroy(a);
    dw_tracker_destroy(b);
}

static void two_sensors_update_in_turn(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, 0.01);
    c.max_tracks = 16;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s0, s1;
    dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s0);
    dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s1);
    for (int k = 0; k < 20; k++) {
        int64_t tu = k * 500000LL;
        dw_meas m = meas_at(tu, 2.0 * k * 0.5, 0.0, k % 2 ? 2.0 : 0.5, 0);
        assert_int_equal(dw_tracker_update(t, k % 2 ? s1 : s0, tu, &m, 1), DW_OK);
    }
    int n;
    const dw_trk *k = find_confirmed(t, &n);
    assert_int_equal(n, 1);
    assert_int_equal(k->sensor_mask, 3);
    assert_near(k->x[1], 2.0, 0.2);
    assert_int_equal(dw_tracker_update(t, 5, 0, NULL, 0), DW_ERR_INVALID);
    dw_tracker_destroy(t);
}

static void pool_full_is_counted_not_fatal(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, 0.01);
    c.max_tracks = 4;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s;
    dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s);
    dw_meas m[10];
    for (int i = 0; i < 10; i++)
        m[i] = meas_at(0, 100.0 * i, 0, 1.0, (uint32_t)i);
    assert_int_equal(dw_tracker_update(t, s, 0, m, 10), DW_OK);
    assert_int_equal(dw_tracker_count(t), 4);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.pool_full == 6);
    dw_tracker_destroy(t);
}

static void bad_config_rejected(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker *t = NULL;
    dw_tracker_config_default(&c, 2, 0.01);
    c.confirm_m = 4;
    c.confirm_n = 3;
    assert_int_equal(dw_tracker_create(&c, &t), DW_ERR_INVALID);
    dw_tracker_config_default(&c, 2, 0.01);
    c.max_tracks = 0;
    assert_int_equal(dw_tracker_create(&c, &t), DW_ERR_INVALID);
    dw_tracker_config_default(&c, 4, 0.01);
    assert_int_equal(dw_tracker_create(&c, &t), DW_ERR_INVALID);
    assert_null(t);
    dw_tracker_destroy(NULL);
}

/* ---- per-measurement context ------------------------------------------- */

/* A 2-D position seen from a site: z = position - site. The context is the
 * site; the last context each call saw is kept for the test to check. */
static const void *off_seen_h, *off_seen_res, *off_seen_pos;
static int off_h(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred, double *H)
{
    const double *o = ctx;
    off_seen_h = ctx;
    memset(H, 0, sizeof(double) * 2 * (size_t)mm->nx);
    zpred[0] = x[0] - o[0];
    zpred[1] = x[2] - o[1];
    H[0] = 1.0;
    H[mm->nx + 2] = 1.0;
    return 0;
}
static void off_residual(const void *ctx, int nz, const double *z, const double *zpred, double *nu)
{
    off_seen_res = ctx;
    for (int a = 0; a < nz; a++)
        nu[a] = z[a] - zpred[a];
}
static int off_to_pos(const void *ctx, const dw_motion_model *mm, const double *z, const double *R,
                      double *pos, double *pos_cov)
{
    (void)mm;
    const double *o = ctx;
    off_seen_pos = ctx;
    pos[0] = z[0] + o[0];
    pos[1] = z[1] + o[1];
    memcpy(pos_cov, R, 4 * sizeof(double));
    return 0;
}
static const dw_meas_model off_model = {
    .name = "offset", .nz = 2, .h = off_h, .residual = off_residual, .to_pos = off_to_pos};

static void per_measurement_context_replaces_sensor_context(void **state)
{
    (void)state;
    static const double site_a[2] = {0, 0}, site_b[2] = {1000, -500};
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, 0.01);
    c.max_tracks = 16;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s;
    assert_int_equal(dw_tracker_add_sensor(t, &off_model, site_a, &s), DW_OK);
    rng r = {5};
    for (int k = 0; k < 30; k++) {
        /* a target at (100 + 2k, 50): odd scans seen from site b, which
         * shares the sensor's slot and gives its site with each plot */
        double x = 100 + 2.0 * k, y = 50;
        const double *site = k % 2 ? site_b : site_a;
        dw_meas m = meas_at(k * 1000000LL, x - site[0] + 0.5 * nrand(&r), y - site[1] + 0.5 * nrand(&r),
                            0.5, (uint32_t)k);
        m.ctx = k % 2 ? site_b : NULL;
        off_seen_h = off_seen_res = off_seen_pos = NULL;
        assert_int_equal(dw_tracker_update(t, s, m.t_us, &m, 1), DW_OK);
        if (k == 0)
            assert_ptr_equal(off_seen_pos, site_a);
        if (k % 2 && k > 1) {
            assert_ptr_equal(off_seen_h, site_b);   /* the update linearised there */
            assert_ptr_equal(off_seen_res, site_b);
        }
    }
    int n;
    const dw_trk *k1 = find_confirmed(t, &n);
    assert_int_equal(n, 1);
    assert_true(k1->id == 1 && k1->hits == 30);
    assert_near(k1->x[0], 158.0, 1.0);
    assert_near(k1->x[2], 50.0, 1.0);
    assert_near(k1->x[1], 2.0, 0.2);
    /* a first plot from site b starts its track where site b says */
    dw_tracker_destroy(t);
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    assert_int_equal(dw_tracker_add_sensor(t, &off_model, site_a, &s), DW_OK);
    dw_meas m = meas_at(0, -900, 550, 0.5, 0);
    m.ctx = site_b;
    assert_int_equal(dw_tracker_update(t, s, 0, &m, 1), DW_OK);
    assert_ptr_equal(off_seen_pos, site_b);
    assert_near(dw_tracker_get(t, 0)->x[0], 100, 1e-9);
    assert_near(dw_tracker_get(t, 0)->x[2], 50, 1e-9);
    dw_tracker_destroy(t);
}

/* ---- measurements without a position ---------------------------------- */

/* Only the x coordinate (a 1-D "bearing"): no position to start a track. */
static int xo_h(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred, double *H)
{
    (void)ctx;
    memset(H, 0, sizeof(double) * (size_t)mm->nx);
    zpred[0] = x[0];
    H[0] = 1.0;
    return 0;
}
static void xo_residual(const void *ctx, int nz, const double *z, const double *zpred, double *nu)
{
    (void)ctx;
    (void)nz;
    nu[0] = z[0] - zpred[0];
}
static int xo_to_pos(const void *ctx, const dw_motion_model *mm, const double *z, const double *R,
                     double *pos, double *pos_cov)
{
    (void)ctx, (void)mm, (void)z, (void)R, (void)pos, (void)pos_cov;
    return -1;
}
static const dw_meas_model xo_model = {
    .name = "x_only", .nz = 1, .h = xo_h, .residual = xo_residual, .to_pos = xo_to_pos};
static int xo_h_calls;
static int xo_h_counted(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred,
                        double *H)
{
    xo_h_calls++;
    return xo_h(ctx, mm, x, zpred, H);
}
/* The same with a bound: x within 5 sigma, y anywhere below 1e6. */
static int xo_bounds(const void *ctx, const dw_motion_model *mm, const double *z, const double *R,
                     double *lo, double *hi)
{
    (void)ctx, (void)mm;
    lo[0] = z[0] - 5 * sqrt(R[0]);
    hi[0] = z[0] + 5 * sqrt(R[0]);
    lo[1] = -1e6;
    hi[1] = 1e6;
    return 0;
}
static const dw_meas_model xo_boxed = {.name = "x_only_boxed", .nz = 1, .h = xo_h_counted,
                                       .residual = xo_residual, .to_pos = xo_to_pos,
                                       .bounds = xo_bounds};

static void unassigned_lists_what_started_nothing(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, 0.01);
    c.max_tracks = 3;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int sp, sx;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &sp), DW_OK);
    assert_int_equal(dw_tracker_add_sensor(t, &xo_model, NULL, &sx), DW_OK);
    const uint32_t *idx;
    /* x-only plots start nothing: all of them are listed */
    dw_meas m[4];
    for (int i = 0; i < 3; i++) {
        memset(&m[i], 0, sizeof m[i]);
        m[i].z[0] = 100.0 * i;
        m[i].R[0] = 1.0;
    }
    assert_int_equal(dw_tracker_update(t, sx, 0, m, 3), DW_OK);
    assert_int_equal(dw_tracker_count(t), 0);
    assert_int_equal(dw_tracker_unassigned(t, &idx), 3);
    assert_true(idx[0] == 0 && idx[1] == 1 && idx[2] == 2);
    /* the caller triangulates and starts a track itself */
    const double pos[2] = {100.0, 20.0}, cov[4] = {4.0, 0.0, 0.0, 4.0};
    uint64_t id = 0;
    assert_int_equal(dw_tracker_start_track(t, sx, 0, pos, cov, &id), DW_OK);
    assert_true(id == 1);
    assert_int_equal(dw_tracker_unassigned(t, &idx), 3);   /* still the last batch's */
    const dw_trk *k = dw_tracker_get(t, 0);
    assert_int_equal(k->status, DW_TRACK_TENTATIVE);
    assert_int_equal(k->reason, DW_TRK_STARTED_BY_CALLER);
    assert_string_equal(dw_trk_reason_name(k->reason), "started_by_caller");
    /* an x-only plot near it updates it (gated against every track); the
     * others are listed */
    m[1].t_us = m[0].t_us = m[2].t_us = 1000000;
    m[1].z[0] = 101.0;
    assert_int_equal(dw_tracker_update(t, sx, 1000000, m, 3), DW_OK);
    assert_int_equal(dw_tracker_unassigned(t, &idx), 2);
    assert_true(idx[0] == 0 && idx[1] == 2);
    k = dw_tracker_get(t, 0);
    assert_true(k->hits == 2 && k->status == DW_TRACK_CONFIRMED);
    assert_near(k->x[0], 101.0, 0.9);
    /* bad starts change nothing */
    const double bad_cov[4] = {1.0, 2.0, 2.0, 1.0}, nan_pos[2] = {NAN, 0};
    assert_int_equal(dw_tracker_start_track(t, 7, 0, pos, cov, NULL), DW_ERR_INVALID);
    assert_int_equal(dw_tracker_start_track(t, sx, 0, pos, bad_cov, NULL), DW_ERR_INVALID);
    assert_int_equal(dw_tracker_start_track(t, sx, 0, nan_pos, cov, NULL), DW_ERR_INVALID);
    assert_int_equal(dw_tracker_count(t), 1);
    /* positions when the pool is full are listed too */
    for (int i = 0; i < 4; i++)
        m[i] = meas_at(2000000, 1000.0 * (i + 1), 0, 1.0, (uint32_t)i);
    assert_int_equal(dw_tracker_update(t, sp, 2000000, m, 4), DW_OK);
    assert_int_equal(dw_tracker_count(t), 3);
    assert_int_equal(dw_tracker_unassigned(t, &idx), 2);
    assert_true(idx[0] == 2 && idx[1] == 3);
    assert_int_equal(dw_tracker_start_track(t, sx, 0, pos, cov, NULL), DW_ERR_FULL);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.pool_full == 2 && st.unassigned == 3 + 2 + 2);
    dw_tracker_destroy(t);
}

/* A bound keeps a measurement without a position from meeting far tracks:
 * same result, far fewer model calls. */
static void positionless_bounds_spare_far_tracks(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, 0.01);
    c.max_tracks = 128;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int sp, sx;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &sp), DW_OK);
    assert_int_equal(dw_tracker_add_sensor(t, &xo_boxed, NULL, &sx), DW_OK);
    dw_meas m[100];
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < 100; i++)
            m[i] = meas_at(k * 1000000LL, 1000.0 * i, 500.0, 1.0, (uint32_t)i);
        assert_int_equal(dw_tracker_update(t, sp, k * 1000000LL, m, 100), DW_OK);
    }
    xo_h_calls = 0;
    dw_meas b;
    memset(&b, 0, sizeof b);
    b.t_us = 3000000;
    b.z[0] = 42000.5;
    b.R[0] = 1.0;
    b.user = 777;
    static const int node = 1;
    b.ctx = &node;      /* its own context: each pair it meets is linearised apart */
    dw_tracker_stats st0, st1;
    dw_tracker_get_stats(t, &st0);
    assert_int_equal(dw_tracker_update(t, sx, b.t_us, &b, 1), DW_OK);
    dw_tracker_get_stats(t, &st1);
    /* the batch's linearisation of every track, then one pair and its update */
    assert_int_equal(xo_h_calls, 100 + 1 + 1);
    assert_true(st1.gate_tests - st0.gate_tests == 1);
    const uint32_t *idx;
    assert_int_equal(dw_tracker_unassigned(t, &idx), 0);
    int updated = 0;
    for (size_t i = 0; i < dw_tracker_count(t); i++)
        if (dw_tracker_get(t, i)->last_user == 777) {
            updated++;
            assert_near(dw_tracker_get(t, i)->x[0], 42000.5, 0.6);
        }
    assert_int_equal(updated, 1);
    dw_tracker_destroy(t);
}

/* ---- identity keys ------------------------------------------------------ */

static dw_meas meas3(int64_t t_us, double x, double y, double z, double sigma, uint32_t user)
{
    dw_meas m;
    memset(&m, 0, sizeof m);
    m.t_us = t_us;
    m.z[0] = x;
    m.z[1] = y;
    m.z[2] = z;
    m.R[0] = m.R[4] = m.R[8] = sigma * sigma;
    m.user = user;
    return m;
}

static dw_tracker *make3(int *s_adsb, int *s_radar, size_t max_tracks)
{
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 0.5);
    c.max_tracks = max_tracks;
    c.init_vel_sigma = 100.0;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, s_adsb), DW_OK);
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, s_radar), DW_OK);
    return t;
}

#define ICAO_KEY 0x48AE21ull

/* An airliner reports itself by ADS-B; a drone flies 300 m beside it at the
 * same speed and is seen only by radar, whose plots of both carry no key and
 * whose errors are large enough for a drone plot to fall in the airliner's
 * gate. The drone is never merged into the airliner's track, and never takes
 * its key. */
static void airliner_and_drone_never_merge(void **state)
{
    (void)state;
    int sa, sr;
    dw_tracker *t = make3(&sa, &sr, 64);
    rng r = {21};
    enum { U_ADSB = 1, U_RADAR_AIRLINER = 2, U_DRONE = 3 };
    uint64_t airliner_id = 0;
    for (int k = 0; k < 40; k++) {
        int64_t tu = k * 1000000LL;
        double ax = 230.0 * k, ay = 0, az = 9000;
        dw_meas m = meas3(tu, ax + 10 * nrand(&r), ay + 10 * nrand(&r), az + 10 * nrand(&r), 10, U_ADSB);
        m.id_key = ICAO_KEY;
        m.flags = DW_MEAS_COOPERATIVE;
        assert_int_equal(dw_tracker_update(t, sa, tu, &m, 1), DW_OK);
        if (k == 0) {
            /* a cooperative report starts a confirmed track at once */
            const dw_trk *a = dw_tracker_get(t, 0);
            assert_int_equal(a->status, DW_TRACK_CONFIRMED);
            assert_int_equal(a->reason, DW_TRK_CONFIRMED_COOPERATIVE);
            assert_true(a->id_key == ICAO_KEY && (a->id_key_flags & DW_MEAS_COOPERATIVE));
            airliner_id = a->id;
        }
        /* the radar half a second later: the airliner and the drone */
        dw_meas pl[2];
        int64_t tr = tu + 500000;
        double axr = ax + 115.0;
        pl[0] = meas3(tr, axr + 150 * nrand(&r), 150 * nrand(&r), az + 150 * nrand(&r), 150, U_RADAR_AIRLINER);
        pl[1] = meas3(tr, axr + 150 * nrand(&r), 300 + 150 * nrand(&r), az + 150 * nrand(&r), 150, U_DRONE);
        assert_int_equal(dw_tracker_update(t, sr, tr, pl, 2), DW_OK);
        for (size_t i = 0; i < dw_tracker_count(t); i++) {
            const dw_trk *q = dw_tracker_get(t, i);
            if (q->id == airliner_id) {
                assert_true(q->id_key == ICAO_KEY);
                assert_true(q->last_user == U_ADSB);    /* never a radar plot */
                assert_true(q->sensor_mask == (1u << sa));
            } else {
                assert_true(q->id_key == 0);            /* nobody else has the key */
            }
        }
    }
    /* the airliner's ADS-B track, and radar tracks for the drone and for the
     * airliner's own echo */
    int drone_tracks = 0, n_conf = 0;
    for (size_t i = 0; i < dw_tracker_count(t); i++) {
        const dw_trk *q = dw_tracker_get(t, i);
        if (q->status != DW_TRACK_CONFIRMED && q->status != DW_TRACK_COASTING)
            continue;
        n_conf++;
        if (q->last_user == U_DRONE) {
            drone_tracks++;
            assert_near(q->x[2], 300.0, 200.0);
            assert_true(q->hits > 30);
        }
    }
    assert_int_equal(drone_tracks, 1);
    assert_int_equal(n_conf, 3);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.key_jumps == 0);
    dw_tracker_destroy(t);
}

/* d² of a 3-D position report at (x, y, z) with sigma against track k
 * predicted to t_us. */
static double d2_of(const dw_tracker *t, const dw_trk *k, int64_t t_us, const double *z,
                    double sigma)
{
    dw_trk p;
    dw_tracker_predict_copy(t, k, t_us, &p);
    double S[9], Si[9], nu[3] = {z[0] - p.x[0], z[1] - p.x[2], z[2] - p.x[4]};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            S[a * 3 + b] = p.P[(2 * a) * 6 + 2 * b] + (a == b) * sigma * sigma;
    /* 3x3 inverse by cofactors */
    double det = S[0] * (S[4] * S[8] - S[5] * S[7]) - S[1] * (S[3] * S[8] - S[5] * S[6]) +
                 S[2] * (S[3] * S[7] - S[4] * S[6]);
    Si[0] = (S[4] * S[8] - S[5] * S[7]) / det;
    Si[1] = (S[2] * S[7] - S[1] * S[8]) / det;
    Si[2] = (S[1] * S[5] - S[2] * S[4]) / det;
    Si[3] = (S[5] * S[6] - S[3] * S[8]) / det;
    Si[4] = (S[0] * S[8] - S[2] * S[6]) / det;
    Si[5] = (S[2] * S[3] - S[0] * S[5]) / det;
    Si[6] = (S[3] * S[7] - S[4] * S[6]) / det;
    Si[7] = (S[1] * S[6] - S[0] * S[7]) / det;
    Si[8] = (S[0] * S[4] - S[1] * S[3]) / det;
    double d2 = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            d2 += nu[a] * Si[a * 3 + b] * nu[b];
    return d2;
}

/* A cooperative report outside its holder's gate but inside the wider key
 * gate updates the holder. One outside the key gate is dropped (the holder
 * may have coasted, the report may be corrupt); a second in a row takes the
 * key to a new track, and the old one lives on without it. */
static void keyed_report_that_jumps_restarts(void **state)
{
    (void)state;
    int sa, sr;
    dw_tracker *t = make3(&sa, &sr, 64);
    for (int k = 0; k < 5; k++) {
        dw_meas m = meas3(k * 1000000LL, 200.0 * k, 0, 5000, 10, 0);
        m.id_key = ICAO_KEY;
        m.flags = DW_MEAS_COOPERATIVE;
        assert_int_equal(dw_tracker_update(t, sa, m.t_us, &m, 1), DW_OK);
    }
    assert_int_equal(dw_tracker_count(t), 1);
    uint64_t old_id = dw_tracker_get(t, 0)->id;
    /* d² 25: outside the gate (11.8), inside the key gate (4 x 11.8) */
    {
        dw_trk p;
        dw_tracker_predict_copy(t, dw_tracker_get(t, 0), 5000000, &p);
        double z[3] = {p.x[0], p.x[2], p.x[4]};
        double off = sqrt(25.0 * (p.P[2 * 6 + 2] + 100.0));
        z[1] += off;
        assert_near(d2_of(t, dw_tracker_get(t, 0), 5000000, z, 10), 25.0, 1e-6);
        dw_meas m = meas3(5000000, z[0], z[1], z[2], 10, 5);
        m.id_key = ICAO_KEY;
        m.flags = DW_MEAS_COOPERATIVE;
        assert_int_equal(dw_tracker_update(t, sa, m.t_us, &m, 1), DW_OK);
        assert_int_equal(dw_tracker_count(t), 1);
        assert_true(dw_tracker_get(t, 0)->last_user == 5 && dw_tracker_get(t, 0)->hits == 6);
    }
    /* 30 km off: dropped, the key stays */
    dw_meas m = meas3(5500000, 30000.0, 0, 5000, 10, 7);
    m.id_key = ICAO_KEY;
    m.flags = DW_MEAS_COOPERATIVE;
    assert_int_equal(dw_tracker_update(t, sa, m.t_us, &m, 1), DW_OK);
    assert_int_equal(dw_tracker_count(t), 1);
    assert_true(dw_tracker_get(t, 0)->id_key == ICAO_KEY && dw_tracker_get(t, 0)->last_user == 5);
    /* the second in a row: the key jumps */
    m = meas3(5800000, 30060.0, 0, 5000, 10, 8);
    m.id_key = ICAO_KEY;
    m.flags = DW_MEAS_COOPERATIVE;
    assert_int_equal(dw_tracker_update(t, sa, m.t_us, &m, 1), DW_OK);
    assert_int_equal(dw_tracker_count(t), 2);
    const dw_trk *o = dw_tracker_get(t, 0), *nw = dw_tracker_get(t, 1);
    assert_true(o->id == old_id && o->id_key == 0 && o->id_key_flags == 0);
    assert_true(nw->id_key == ICAO_KEY && nw->status == DW_TRACK_CONFIRMED && nw->last_user == 8);
    /* the old track, keyless now, may take radar plots again */
    dw_meas pl = meas3(6000000, 1200.0, 0, 5000, 50, 9);
    assert_int_equal(dw_tracker_update(t, sr, pl.t_us, &pl, 1), DW_OK);
    assert_true(dw_tracker_get(t, 0)->last_user == 9);
    /* two reports of one key in one batch: the second updates the same track */
    dw_meas two[2];
    two[0] = meas3(6000000, 30100.0, 0, 5000, 10, 11);
    two[1] = meas3(6500000, 30200.0, 0, 5000, 10, 12);
    two[0].id_key = two[1].id_key = ICAO_KEY;
    two[0].flags = two[1].flags = DW_MEAS_COOPERATIVE;
    assert_int_equal(dw_tracker_update(t, sa, 6000000, two, 2), DW_OK);
    assert_int_equal(dw_tracker_count(t), 2);
    nw = dw_tracker_get(t, 1);
    assert_true(nw->hits == 3 && nw->last_user == 12 && nw->t_us == 6500000);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.key_jumps == 1 && st.key_repeats == 1 && st.key_held == 1);
    assert_true(st.key_refused == 0);
    dw_tracker_destroy(t);
}

/* With key_jump_after 1 a key jumps at the first report outside the key gate. */
static void key_jump_after_one(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 0.5);
    c.max_tracks = 16;
    c.init_vel_sigma = 100.0;
    c.key_jump_after = 1;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int sa;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &sa), DW_OK);
    for (int k = 0; k < 4; k++) {
        dw_meas m = meas3(k * 1000000LL, k == 3 ? 30000.0 : 200.0 * k, 0, 5000, 10, (uint32_t)k);
        m.id_key = ICAO_KEY;
        m.flags = DW_MEAS_COOPERATIVE;
        assert_int_equal(dw_tracker_update(t, sa, m.t_us, &m, 1), DW_OK);
    }
    assert_int_equal(dw_tracker_count(t), 2);
    assert_true(dw_tracker_get(t, 1)->id_key == ICAO_KEY && dw_tracker_get(t, 0)->id_key == 0);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.key_jumps == 1 && st.key_held == 0);
    dw_tracker_destroy(t);
}

/* A radar plot carrying the aircraft's Mode S address (a key, not
 * cooperative) goes to the aircraft's ADS-B track when it gates there; one
 * that does not is dropped: it never takes the key away (before, 166 of the
 * September scenario's 173 key jumps were such plots, each moving an
 * airliner's identity to a new track). */
static void mode_s_plot_never_takes_a_cooperative_key(void **state)
{
    (void)state;
    int sa, sr;
    dw_tracker *t = make3(&sa, &sr, 64);
    for (int k = 0; k < 5; k++) {
        dw_meas m = meas3(k * 1000000LL, 230.0 * k, 0, 9000, 10, 1);
        m.id_key = ICAO_KEY;
        m.flags = DW_MEAS_COOPERATIVE;
        assert_int_equal(dw_tracker_update(t, sa, m.t_us, &m, 1), DW_OK);
        if (k == 0)
            continue;
        /* a Mode S plot of it, then two 8 km off */
        dw_meas pl = meas3(m.t_us + 400000, 230.0 * k + 92.0 + (k >= 3 ? 8000.0 : 0.0), 30.0, 9000, 100,
                           k >= 3 ? 3 : 2);
        pl.id_key = ICAO_KEY;
        assert_int_equal(dw_tracker_update(t, sr, pl.t_us, &pl, 1), DW_OK);
        assert_int_equal(dw_tracker_count(t), 1);
        const dw_trk *a = dw_tracker_get(t, 0);
        assert_true(a->id_key == ICAO_KEY && (a->id_key_flags & DW_MEAS_COOPERATIVE));
        assert_true(a->last_user == (k >= 3 ? 1u : 2u));
    }
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.key_refused == 2 && st.key_jumps == 0 && st.key_held == 0);
    assert_true(st.initiated == 1);
    dw_tracker_destroy(t);
}

/* The case that made a track take a plot 430 km away: an aircraft's AEW plot
 * with its Mode S address (the key, sigma 1 to 2.3 km) starts a track; its
 * ADS-B report 1.6 ms later lies 4 km and 4 km up from it, outside the gate.
 * Two-point differencing made that 2,800 km/s with a sigma of 700 km/s; the
 * next ADS-B report missed the track, the key jumped, and the old track, its
 * gate hundreds of kilometres wide, took the next plots anywhere. With the
 * velocity prior widened to key_vel_sigma instead, the second report moves
 * the track to where the aircraft says it is, its velocity stays within
 * the prior, the next report gates, and a plot 430 km away does not. */
static void keyed_second_report_a_moment_later(void **state)
{
    (void)state;
    for (int bounded = 0; bounded < 2; bounded++) {
        dw_tracker_config c;
        dw_tracker_config_default(&c, 3, 1.0);
        c.max_tracks = 16;
        c.gate = 16.3;
        c.confirm_m = 3;
        c.confirm_n = 4;
        c.init_vel_sigma = 80.0;
        c.key_vel_sigma = bounded ? 1000.0 : 0.0;
        dw_tracker *t;
        assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
        int sp;
        assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &sp), DW_OK);
        /* east, north, up in metres from the AEW plot; the reports' own
         * figures (their correlations left out) */
        const int64_t t0 = 1757470161460796LL;
        dw_meas aew = meas3(t0, 0, 0, 6720, 1, 1);
        aew.R[0] = 714942.0;
        aew.R[4] = 1200631.4;
        aew.R[8] = 5284085.1;
        aew.id_key = ICAO_KEY;
        assert_int_equal(dw_tracker_update(t, sp, aew.t_us, &aew, 1), DW_OK);
        dw_meas adsb = meas3(t0 + 1638, -2336.0, 3652.0, 10998.2, 100, 2);
        adsb.R[8] = 15.0 * 15.0;
        adsb.id_key = ICAO_KEY;
        adsb.flags = DW_MEAS_COOPERATIVE;
        assert_int_equal(dw_tracker_update(t, sp, adsb.t_us, &adsb, 1), DW_OK);
        assert_int_equal(dw_tracker_count(t), 1);
        const dw_trk *k = dw_tracker_get(t, 0);
        double v = sqrt(k->x[1] * k->x[1] + k->x[3] * k->x[3] + k->x[5] * k->x[5]);
        dw_tracker_stats st;
        dw_tracker_get_stats(t, &st);
        assert_true(st.two_point == 1);
        if (!bounded) {
            /* the old way: what went wrong */
            assert_true(v > 1e6);
            dw_tracker_destroy(t);
            continue;
        }
        assert_true(v < 100.0);
        assert_true(sqrt(k->P[1 * 6 + 1]) <= 1000.0 && sqrt(k->P[3 * 6 + 3]) <= 1000.0);
        assert_near(k->x[0], -2336.0, 100.0);
        assert_near(k->x[2], 3652.0, 100.0);
        assert_near(k->x[4], 10998.2, 30.0);
        /* the aircraft's next report, a second later, gates */
        adsb = meas3(t0 + 1001638, -2336.0 + 47.0, 3652.0 - 222.9, 10988.7, 100, 3);
        adsb.R[8] = 15.0 * 15.0;
        adsb.id_key = ICAO_KEY;
        adsb.flags = DW_MEAS_COOPERATIVE;
        assert_int_equal(dw_tracker_update(t, sp, adsb.t_us, &adsb, 1), DW_OK);
        assert_int_equal(dw_tracker_count(t), 1);
        k = dw_tracker_get(t, 0);
        assert_true(k->hits == 3 && k->last_user == 3 && k->id_key == ICAO_KEY);
        /* another AEW's plot of something 430 km away starts its own track */
        dw_meas far = meas3(t0 + 2552560, 230000.0, 410000.0, 654.0, 600, 4);
        far.R[8] = 983.0 * 983.0;
        assert_int_equal(dw_tracker_update(t, sp, far.t_us, &far, 1), DW_OK);
        assert_int_equal(dw_tracker_count(t), 2);
        assert_true(dw_tracker_get(t, 0)->last_user == 3);
        dw_tracker_get_stats(t, &st);
        assert_true(st.key_jumps == 0 && st.key_held == 0);
        dw_tracker_destroy(t);
    }
}

/* A fast aircraft whose second report falls outside the gate of a young
 * track (velocity prior 20 m/s, 250 m/s true): the key restarts the track
 * with the wide prior, which the two reports then determine; no jump, one
 * track, the velocity within a few m/s of the truth by the fifth report. */
static void keyed_fast_aircraft_restarts(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 1.0);
    c.max_tracks = 16;
    c.init_vel_sigma = 20.0;
    c.key_vel_sigma = 1000.0;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int sp;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &sp), DW_OK);
    rng r = {77};
    for (int k = 0; k < 5; k++) {
        int64_t tu = k * 4000000LL;
        dw_meas m = meas3(tu, 250.0 * 4 * k + 30 * nrand(&r), 30 * nrand(&r), 9000 + 30 * nrand(&r), 30,
                          (uint32_t)k);
        m.id_key = ICAO_KEY;
        m.flags = DW_MEAS_COOPERATIVE;
        assert_int_equal(dw_tracker_update(t, sp, tu, &m, 1), DW_OK);
        assert_int_equal(dw_tracker_count(t), 1);
    }
    const dw_trk *k = dw_tracker_get(t, 0);
    assert_true(k->hits == 5 && k->id_key == ICAO_KEY);
    assert_near(k->x[1], 250.0, 10.0);
    assert_near(k->x[3], 0.0, 10.0);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.two_point == 1 && st.key_jumps == 0 && st.key_held == 0);
    dw_tracker_destroy(t);
}

/* A partner's track number (a key that is not cooperative) may be taken by
 * our keyless radar track; our plots keep updating it. */
static void partner_key_joins_radar_track(void **state)
{
    (void)state;
    int sa, sr;
    dw_tracker *t = make3(&sa, &sr, 64);
    for (int k = 0; k < 4; k++) {
        dw_meas pl = meas3(k * 1000000LL, 50.0 * k, 0, 1000, 30, 1);
        assert_int_equal(dw_tracker_update(t, sr, pl.t_us, &pl, 1), DW_OK);
    }
    dw_meas p = meas3(4000000, 200.0, 10.0, 1000, 40, 2);
    p.id_key = 0xAB17;
    p.flags = DW_MEAS_CI;
    assert_int_equal(dw_tracker_update(t, sa, p.t_us, &p, 1), DW_OK);
    assert_int_equal(dw_tracker_count(t), 1);
    const dw_trk *k = dw_tracker_get(t, 0);
    assert_true(k->id_key == 0xAB17 && k->id_key_flags == 0 && k->last_user == 2);
    dw_meas pl = meas3(5000000, 250.0, 0, 1000, 30, 3);
    assert_int_equal(dw_tracker_update(t, sr, pl.t_us, &pl, 1), DW_OK);
    assert_int_equal(dw_tracker_count(t), 1);
    assert_true(dw_tracker_get(t, 0)->last_user == 3);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.ci_updates == 1);
    dw_tracker_destroy(t);
}

/* Many aircraft report by key; some fall silent and their tracks time out,
 * new ones appear. Every report must find its own track through the key
 * table (removal shifts entries back; a broken shift would lose a key and
 * start a duplicate). At 100 m/s they are far faster than a new track's
 * velocity prior (1 m/s): each second report restarts its track from two
 * points instead of jumping. */
static void many_keys_come_and_go(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 0.5);
    c.max_tracks = 300;          /* a small key table: long probe chains */
    c.max_coast_us = 1500000;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s), DW_OK);
    enum { N = 260 };
    static dw_meas m[N];
    rng r = {4242};
    uint64_t keys[N];
    int alive_from[N], alive_to[N];
    for (int i = 0; i < N; i++) {
        keys[i] = ((uint64_t)(urand(&r) * 4294967296.0) << 32) ^ (uint64_t)(urand(&r) * 4294967296.0);
        keys[i] |= 1;
        alive_from[i] = (int)(urand(&r) * 20);
        alive_to[i] = alive_from[i] + 3 + (int)(urand(&r) * 20);
    }
    for (int k = 0; k < 45; k++) {
        int nm = 0;
        for (int i = 0; i < N; i++) {
            if (k < alive_from[i] || k > alive_to[i])
                continue;
            m[nm] = meas3(k * 1000000LL, 5000.0 * (i % 20) + 100.0 * k, 5000.0 * (i / 20), 3000, 20,
                          (uint32_t)i);
            m[nm].id_key = keys[i];
            m[nm].flags = DW_MEAS_COOPERATIVE;
            nm++;
        }
        assert_int_equal(dw_tracker_update(t, s, k * 1000000LL, m, (size_t)nm), DW_OK);
        /* one track per aircraft seen in the last 1.5 s, each with its key */
        int expect = 0;
        for (int i = 0; i < N; i++)
            if (k >= alive_from[i] && k <= alive_to[i] + 1)
                expect++;
        assert_int_equal((int)dw_tracker_count(t), expect);
        for (size_t q = 0; q < dw_tracker_count(t); q++) {
            const dw_trk *tr = dw_tracker_get(t, q);
            assert_true(tr->id_key == keys[tr->last_user]);
            assert_true(tr->hits == (uint32_t)((k < alive_to[tr->last_user] ? k : alive_to[tr->last_user]) -
                                               alive_from[tr->last_user] + 1));
        }
    }
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.key_jumps == 0 && st.initiated == N && st.two_point == N);
    dw_tracker_destroy(t);
}

/* A measurement's own coast_us replaces max_coast_us for the track it updates
 * last: of two tracks 60 s without an update, the one a sparse feed's report
 * (coast 100 s) made lives, the other (30 s) is dropped; a later ordinary
 * update gives the first the short coast again. */
static void measurement_coast_replaces_max_coast(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 0.5);
    c.max_tracks = 16;
    c.max_coast_us = 30000000;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s), DW_OK);
    dw_meas m[2];
    m[0] = meas3(0, 0, 0, 1000, 50, 1);
    m[0].coast_us = 100000000;
    m[1] = meas3(0, 50000, 0, 1000, 50, 2);
    assert_int_equal(dw_tracker_update(t, s, 0, m, 2), DW_OK);
    dw_cover cv;
    memset(&cv, 0, sizeof cv);
    cv.no_miss = 1;
    assert_int_equal(dw_tracker_update_cover(t, s, 60000000, NULL, 0, &cv), DW_OK);
    assert_int_equal(dw_tracker_count(t), 1);
    assert_true(dw_tracker_get(t, 0)->last_user == 1);
    dw_meas u = meas3(70000000, 0, 0, 1000, 50, 3);
    assert_int_equal(dw_tracker_update(t, s, u.t_us, &u, 1), DW_OK);
    assert_int_equal(dw_tracker_count(t), 1);
    assert_int_equal(dw_tracker_update_cover(t, s, 110000000, NULL, 0, &cv), DW_OK);
    assert_int_equal(dw_tracker_count(t), 0);
    dw_tracker_destroy(t);
}

/* ---- IMM ------------------------------------------------------------------ */

#ifndef CT_Q
#define CT_Q 1.0
#define CT_QW 1e-3
#define CT_W0 0.1
#endif

typedef struct imm_run {
    double err_straight, err_turn;  /* mean squared position error */
    double mu_straight, mu_turn;    /* mean probability of the manoeuvre model */
} imm_run;

/* A target at 100 m/s flies straight for 40 s, turns at 0.2 rad/s (2 g) for
 * 10 s, then flies straight again; plots every second, sigma 10 m. */
static void fly_turn(int mode, uint64_t seed, imm_run *out)
{
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, mode == 1 ? 100.0 : 0.05);
    c.max_tracks = 8;
    c.gate = 1e12;              /* filtering only: the one track takes every plot */
    c.confirm_m = 1;
    c.init_vel_sigma = 150.0;
    if (mode == 2) {
        dw_motion_model hi;
        dw_motion_cv_init(&hi, 2, 100.0);
        dw_tracker_config_imm(&c, &hi, 0.05, 0.1, 1.0);
    } else if (mode == 3) {
        dw_motion_model ct;
        dw_motion_ct_init(&ct, 2, CT_Q, CT_QW, CT_W0);
        dw_tracker_config_imm(&c, &ct, 0.05, 0.1, 1.0);
    }
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s), DW_OK);
    rng r = {seed};
    double x = 0, y = 0, hd = 0, v = 100;
    int n_s = 0, n_t = 0;
    memset(out, 0, sizeof *out);
    for (int k = 0; k < 70; k++) {
        int turning = k >= 40 && k < 50;
        if (k > 0) {
            /* exact motion over 1 s, turning or not */
            if (turning) {
                double w = 0.2, h1 = hd + w;
                x += v / w * (sin(h1) - sin(hd));
                y += v / w * (cos(hd) - cos(h1));
                hd = h1;
            } else {
                x += v * cos(hd);
                y += v * sin(hd);
            }
        }
        dw_meas m = meas_at(k * 1000000LL, x + 10 * nrand(&r), y + 10 * nrand(&r), 10, 0);
        assert_int_equal(dw_tracker_update(t, s, m.t_us, &m, 1), DW_OK);
        assert_int_equal(dw_tracker_count(t), 1);
        const dw_trk *q = dw_tracker_get(t, 0);
        double e2 = (q->x[0] - x) * (q->x[0] - x) + (q->x[2] - y) * (q->x[2] - y);
        double mu = q->n_models == 2 ? q->model_prob[1] : 0;
        if (k >= 15 && k < 40) {
            out->err_straight += e2;
            out->mu_straight += mu;
            n_s++;
        } else if (k >= 41 && k < 51) {
            out->err_turn += e2;
            out->mu_turn += mu;
            n_t++;
        }
    }
    out->err_straight /= n_s;
    out->err_turn /= n_t;
    out->mu_straight /= n_s;
    out->mu_turn /= n_t;
    dw_tracker_destroy(t);
}

static void imm_follows_a_turn_and_a_straight_line(void **state)
{
    (void)state;
    imm_run sum[4];
    memset(sum, 0, sizeof sum);
    enum { RUNS = 20 };
    for (int mode = 0; mode < 4; mode++)
        for (int run = 0; run < RUNS; run++) {
            imm_run o;
            fly_turn(mode, 1000 + (uint64_t)run, &o);
            sum[mode].err_straight += o.err_straight / RUNS;
            sum[mode].err_turn += o.err_turn / RUNS;
            sum[mode].mu_straight += o.mu_straight / RUNS;
            sum[mode].mu_turn += o.mu_turn / RUNS;
        }
    print_message("rms straight / turn: cv-low %.1f / %.1f, cv-high %.1f / %.1f, imm cv+cv %.1f / %.1f, "
                  "imm cv+ct %.1f / %.1f; P(manoeuvre) straight / turn: cv+cv %.2f / %.2f, "
                  "cv+ct %.2f / %.2f\n",
                  sqrt(sum[0].err_straight), sqrt(sum[0].err_turn), sqrt(sum[1].err_straight),
                  sqrt(sum[1].err_turn), sqrt(sum[2].err_straight), sqrt(sum[2].err_turn),
                  sqrt(sum[3].err_straight), sqrt(sum[3].err_turn), sum[2].mu_straight,
                  sum[2].mu_turn, sum[3].mu_straight, sum[3].mu_turn);
    for (int mode = 2; mode < 4; mode++) {
        assert_true(sum[mode].err_turn < 0.5 * sum[0].err_turn);         /* beats CV-low in the turn */
        assert_true(sum[mode].err_straight < 0.8 * sum[1].err_straight); /* and CV-high when straight */
        assert_true(sum[mode].mu_turn > 0.6);
        assert_true(sum[mode].mu_straight < 0.3);
    }
    /* a coordinated turn follows the turn better than a noisier CV */
    assert_true(sum[3].err_turn < sum[2].err_turn);
    assert_true(sum[3].err_straight < sum[2].err_straight);
}

/* The coordinated turn: exact on a circle, its Jacobian the derivative of
 * its motion, CV in the limit of no turn, and in ECEF it keeps the vertical
 * speed and the speed. */
static void ct_step_fd(const dw_motion_model *m, const double *x0, double h, int k, double *col)
{
    double xp[7], xm[7], P[49];
    memcpy(xp, x0, sizeof xp);
    memcpy(xm, x0, sizeof xm);
    xp[k] += h;
    xm[k] -= h;
    memset(P, 0, sizeof P);
    m->predict(m, xp, P, 2.0);
    memset(P, 0, sizeof P);
    m->predict(m, xm, P, 2.0);
    for (int i = 0; i < m->nx; i++)
        col[i] = (xp[i] - xm[i]) / (2 * h);
}

static void coordinated_turn_model(void **state)
{
    (void)state;
    dw_motion_model ct;
    dw_motion_ct_init(&ct, 2, 0.0, 0.0, 0.1);
    assert_int_equal(ct.nx, 5);
    double x[7] = {0, 100, 0, 0, 0.1}, P[49];
    memset(P, 0, sizeof P);
    ct.predict(&ct, x, P, 10.0);
    assert_near(x[0], 1000.0 * sin(1.0), 1e-9);
    assert_near(x[2], 1000.0 * (1.0 - cos(1.0)), 1e-9);
    assert_near(x[1], 100.0 * cos(1.0), 1e-9);
    assert_near(x[3], 100.0 * sin(1.0), 1e-9);
    assert_near(x[4], 0.1, 0);
    /* the Jacobian: with P = e_k e_k^T and no noise, F P F^T = F_k F_k^T */
    const double x0[7] = {10, 80, -5, 40, 0.07};
    for (int k = 0; k < 5; k++) {
        double col[7], xx[7];
        ct_step_fd(&ct, x0, 1e-5, k, col);
        memcpy(xx, x0, sizeof xx);
        memset(P, 0, sizeof P);
        P[k * 5 + k] = 1.0;
        ct.predict(&ct, xx, P, 2.0);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
                assert_near(P[i * 5 + j], col[i] * col[j], 1e-5 * (1 + fabs(col[i] * col[j])));
    }
    /* no turn: CV, on either side of the series' threshold */
    for (int e = 0; e < 2; e++) {
        double w = e ? 2e-5 : 1e-12;
        double xc[7] = {1, 30, 2, -20, w};
        memset(P, 0, sizeof P);
        ct.predict(&ct, xc, P, 3.0);
        assert_near(xc[0], 1 + 90 + 0.5 * 9 * w * 20, 1e-6);
        assert_near(xc[2], 2 - 60 + 0.5 * 9 * w * 30, 1e-6);
    }
    /* in ECEF: the vertical speed and the speed are kept */
    dw_motion_model g;
    dw_motion_ct_geo_init(&g, 0.0, 0.0, 0.0, 0.1);
    assert_int_equal(g.nx, 7);
    const double r = 6371000.0, la = 0.9, lo = 0.4;
    double u[3] = {cos(la) * cos(lo), cos(la) * sin(lo), sin(la)};
    double e[3] = {-sin(lo), cos(lo), 0};          /* east */
    double v[3];
    for (int a = 0; a < 3; a++)
        v[a] = 200.0 * e[a] + 3.0 * u[a];
    double xg[7] = {r * u[0], v[0], r * u[1], v[1], r * u[2], v[2], 0.05};
    memset(P, 0, sizeof P);
    g.predict(&g, xg, P, 4.0);
    double sp = sqrt(xg[1] * xg[1] + xg[3] * xg[3] + xg[5] * xg[5]);
    double up = xg[1] * u[0] + xg[3] * u[1] + xg[5] * u[2];
    assert_near(sp, sqrt(200.0 * 200.0 + 9.0), 1e-9);
    assert_near(up, 3.0, 1e-9);
    /* turned by 0.2 rad to the left of east: towards the north */
    double east = xg[1] * e[0] + xg[3] * e[1] + xg[5] * e[2];
    assert_near(east, 200.0 * cos(0.2), 1e-6);
}

/* The air picture's IMM: ECEF state, CV-geo and CT-geo, two radars' polar
 * plots (an EKF, so the turn model's extra state goes through the path that
 * widens H). A drone at 50 m/s flies west, turns through 180 degrees at
 * 0.1 rad/s, flies back east. */
static double geo_run(int imm, double *mu_turn, double *mu_straight)
{
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 0.5);
    dw_motion_cv_geo_init(&c.motion, 0.5, 0.05);
    c.init_vel_sigma = 60.0;
    c.max_tracks = 32;
    c.gate = 1e12;
    c.confirm_m = 1;
    if (imm) {
        dw_motion_model ct;
        dw_motion_ct_geo_init(&ct, 1.0, 0.05, 1e-3, 0.1);
        dw_tracker_config_imm(&c, &ct, 0.05, 0.1, 1.0);
    }
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    dw_polar_site s[2];
    dw_geodetic sites[2] = {{51.20, 23.40, 200.0}, {51.60, 23.00, 150.0}};
    int idx[2];
    for (int i = 0; i < 2; i++) {
        dw_polar_site_init(&s[i], &sites[i]);
        assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_polar, &s[i], &idx[i]), DW_OK);
    }
    dw_geodetic start = {51.45, 23.60, 900.0};
    dw_enu_frame f;
    dw_enu_frame_init(&f, &start);
    rng r = {9};
    const double v = 50.0, w = 0.1;
    double e = 0, n = 0, hd = M_PI, err_t = 0;
    int n_t = 0, n_s = 0;
    *mu_turn = *mu_straight = 0;
    for (int k = 0; k < 140; k++) {
        /* 1 s steps: straight (k < 40), turning (40..71), straight */
        if (k > 0) {
            if (k > 40 && k <= 71) {
                double h1 = hd + w;
                e += v / w * (sin(h1) - sin(hd));
                n += v / w * (cos(hd) - cos(h1));
                hd = h1;
            } else {
                e += v * cos(hd);
                n += v * sin(hd);
            }
        }
        int si = k % 2;
        int64_t tu = 1757451000000000LL + k * 1000000LL;
        double enu[3] = {e, n, 0.0}, ecef[3], le[3], rg, az, el;
        dw_ecef_from_enu(&f, enu, ecef);
        dw_enu_from_ecef(&s[si].frame, ecef, le);
        dw_polar_from_enu(le, &rg, &az, &el);
        dw_meas m;
        dw_polar_meas(&m, tu, rg + 20 * nrand(&r), az + 0.002 * nrand(&r), el + 0.003 * nrand(&r), 20,
                      0.002, 0.003);
        assert_int_equal(dw_tracker_update(t, idx[si], tu, &m, 1), DW_OK);
        assert_int_equal(dw_tracker_count(t), 1);
        const dw_trk *tr = dw_tracker_get(t, 0);
        double d2 = pow(tr->x[0] - ecef[0], 2) + pow(tr->x[2] - ecef[1], 2) + pow(tr->x[4] - ecef[2], 2);
        if (k > 42 && k <= 72) {
            err_t += d2;
            n_t++;
            *mu_turn += tr->model_prob[1];
        } else if (k >= 15 && k <= 40) {
            *mu_straight += tr->model_prob[1];
            n_s++;
        }
    }
    *mu_turn /= n_t;
    *mu_straight /= n_s;
    dw_tracker_destroy(t);
    return sqrt(err_t / n_t);
}

static void geo_imm_follows_a_turning_drone(void **state)
{
    (void)state;
    double mt, ms, mt1, ms1;
    double cv = geo_run(0, &mt, &ms), imm = geo_run(1, &mt1, &ms1);
    print_message("ECEF, two radars, 0.1 rad/s turn: rms in the turn cv %.1f m, imm cv+ct %.1f m; "
                  "P(ct) straight %.2f turn %.2f\n", cv, imm, ms1, mt1);
    assert_true(imm < 0.7 * cv);
    assert_true(mt1 > ms1 + 0.2);
}

static void imm_config_checked(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker *t = NULL;
    dw_motion_model hi, three;
    dw_motion_cv_init(&hi, 2, 10.0);
    dw_motion_cv_init(&three, 3, 10.0);
    dw_tracker_config_default(&c, 2, 0.1);
    dw_tracker_config_imm(&c, &three, 0.05, 0.1, 1.0);   /* another layout */
    assert_int_equal(dw_tracker_create(&c, &t), DW_ERR_INVALID);
    dw_tracker_config_imm(&c, &hi, 0.6, 0.5, 1.0);       /* p01 + p10 >= 1 */
    assert_int_equal(dw_tracker_create(&c, &t), DW_ERR_INVALID);
    dw_tracker_config_imm(&c, &hi, 0.05, 0.1, 1.0);
    c.imm_switch[0][0] = 0.9;                             /* a row not summing to 1 */
    assert_int_equal(dw_tracker_create(&c, &t), DW_ERR_INVALID);
    assert_null(t);
    dw_motion_model ct3;
    dw_motion_ct_init(&ct3, 3, 1.0, 1e-3, 0.1);
    dw_tracker_config_imm(&c, &ct3, 0.05, 0.1, 1.0);     /* a turn model of another layout */
    assert_int_equal(dw_tracker_create(&c, &t), DW_ERR_INVALID);
    dw_motion_model ct2;
    dw_motion_ct_init(&ct2, 2, 1.0, 1e-3, 0.1);
    dw_tracker_config_imm(&c, &ct2, 0.05, 0.1, 1.0);     /* one state more: fine */
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    dw_tracker_destroy(t);
    t = NULL;
    dw_tracker_config_imm(&c, &hi, 0.05, 0.1, 2.0);
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s), DW_OK);
    dw_meas m = meas_at(0, 1, 2, 1, 0);
    assert_int_equal(dw_tracker_update(t, s, 0, &m, 1), DW_OK);
    const dw_trk *k = dw_tracker_get(t, 0);
    assert_int_equal(k->n_models, 2);
    /* a new track starts from the chain's long-run shares: 0.1 / 0.15, 0.05 / 0.15 */
    assert_near(k->model_prob[0], 2.0 / 3.0, 1e-12);
    assert_near(k->model_prob[1], 1.0 / 3.0, 1e-12);
    /* predicting far ahead tends to the same shares; a copy leaves the track alone */
    dw_trk far;
    dw_tracker_predict_copy(t, k, 3600000000LL, &far);
    assert_near(far.model_prob[1], 1.0 / 3.0, 1e-9);
    assert_true(k->t_us == 0);
    dw_tracker_destroy(t);
}

/* ---- covariance intersection -------------------------------------------- */

/* Track at (0, 0) with position covariance diag(1, 9), a partner's track at
 * (2, 3) with diag(4, 1). The fused information is w A^-1 + (1 - w) B^-1 =
 * diag((1 + 3w) / 4, (9 - 8w) / 9), whose determinant is largest at
 * w = 19/48. Then the fused covariance is diag(192/105, 432/280), the
 * estimate P_f ((1 - w) B^-1 z) = (192/105 * 29/96, 432/280 * 87/48), and the
 * velocity, uncorrelated with the position, keeps its value and its
 * variance (the partner says nothing of it). */
static void covariance_intersection_hand_case(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, 0.01);
    c.max_tracks = 4;
    c.init_vel_sigma = 1.0;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s), DW_OK);
    const double pos[2] = {0, 0}, cov[4] = {1, 0, 0, 9};
    assert_int_equal(dw_tracker_start_track(t, s, 0, pos, cov, NULL), DW_OK);
    dw_meas m;
    memset(&m, 0, sizeof m);
    m.z[0] = 2;
    m.z[1] = 3;
    m.R[0] = 4;
    m.R[3] = 1;
    m.flags = DW_MEAS_CI;
    assert_int_equal(dw_tracker_update(t, s, 0, &m, 1), DW_OK);
    assert_int_equal(dw_tracker_count(t), 1);
    const dw_trk *k = dw_tracker_get(t, 0);
    const double w = 19.0 / 48.0;
    assert_near(k->x[0], 192.0 / 105.0 * 29.0 / 96.0, 1e-7);   /* 0.552381 */
    assert_near(k->x[2], 432.0 / 280.0 * 87.0 / 48.0, 1e-7);   /* 2.796429 */
    assert_near(k->P[0 * 4 + 0], 192.0 / 105.0, 1e-7);         /* 1.828571 */
    assert_near(k->P[2 * 4 + 2], 432.0 / 280.0, 1e-7);         /* 1.542857 */
    assert_near(k->P[0 * 4 + 2], 0.0, 1e-12);
    assert_near(k->x[1], 0.0, 1e-12);
    assert_near(k->P[1 * 4 + 1], 1.0, 1e-12);
    (void)w;
    assert_near(k->P[0 * 4 + 1], 0.0, 1e-12);
    /* a partner no better than us on any axis adds nothing (w = 1) */
    double before[16];
    memcpy(before, k->P, sizeof before);
    double x0 = k->x[0];
    m.z[0] = x0 + 1;
    m.R[0] = 10;
    m.R[3] = 10;
    m.t_us = 0;
    assert_int_equal(dw_tracker_update(t, s, 0, &m, 1), DW_OK);
    k = dw_tracker_get(t, 0);
    assert_true(k->x[0] == x0);
    assert_true(memcmp(before, k->P, sizeof before) == 0);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.ci_updates == 2);
    dw_tracker_destroy(t);
}

/* A partner's position much better than ours (w at its floor): CI in the
 * measurement's space, the velocity conditioned on the position through our
 * own gain. One axis, track P = [[4, 1], [1, 1]] (a start with variances 3
 * and 1, predicted 1 s), the partner at 2 with variance 1: the fused
 * information w / 4 + (1 - w) is largest at w = 0, kept at 1e-4. Then
 * S+ = 1 / (w / 4 + 1 - w), y+ = S+ (1 - w) 2, G = [1, 1/4], and
 * P+ = P - G (4 - S+) G^T: the velocity's variance falls from 1 to
 * 1 - (4 - S+) / 16 where dividing it by w made it 10^4. */
static void covariance_intersection_conditions_the_rest(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 1, 1e-15);
    c.max_tracks = 4;
    c.init_vel_sigma = 1.0;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s), DW_OK);
    const double pos[1] = {0}, cov[1] = {3};
    assert_int_equal(dw_tracker_start_track(t, s, 0, pos, cov, NULL), DW_OK);
    dw_meas m;
    memset(&m, 0, sizeof m);
    m.t_us = 1000000;
    m.z[0] = 2;
    m.R[0] = 1;
    m.flags = DW_MEAS_CI;
    assert_int_equal(dw_tracker_update(t, s, m.t_us, &m, 1), DW_OK);
    const dw_trk *k = dw_tracker_get(t, 0);
    const double w = 1e-4, sp = 1.0 / (w / 4.0 + 1.0 - w), dy = sp * (1.0 - w) * 2.0;
    assert_near(k->x[0], dy, 1e-9);
    assert_near(k->x[1], dy / 4.0, 1e-9);
    assert_near(k->P[0], sp, 1e-9);
    assert_near(k->P[1], sp / 4.0, 1e-9);
    assert_near(k->P[3], 1.0 - (4.0 - sp) / 16.0, 1e-9);
    dw_tracker_destroy(t);
}

/* The September scenario's false tracks: a radar plot starts a track; a
 * partner's report of the same object, 163 s older (the feed is 3 min late),
 * is older than the track's history and is fused with the track predicted
 * back there (position sigma 13 km). The partner's 200 m then dominate
 * (w near 0): dividing the velocity's covariance by w gave a sigma of 800 m/s,
 * and the next plot anywhere within 100 km gated. Conditioned instead, the
 * velocity is what the two positions 163 s apart say: 5 km west and 3 km
 * south in 163 s, with a sigma of about 10 m/s. */
static void late_partner_report_gives_a_velocity(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 1.0);
    c.max_tracks = 16;
    c.gate = 16.3;
    c.confirm_m = 3;
    c.confirm_n = 4;
    c.init_vel_sigma = 80.0;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int sr, sp;
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &sr), DW_OK);
    assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &sp), DW_OK);
    const int64_t t0 = 200000000;
    dw_meas pl = meas3(t0, 0, 0, 1000, 300, 1);
    assert_int_equal(dw_tracker_update(t, sr, t0, &pl, 1), DW_OK);
    dw_meas pr = meas3(t0 - 163000000, 5000, 3000, 1000, 200, 2);
    pr.flags = DW_MEAS_CI;
    assert_int_equal(dw_tracker_update(t, sp, pr.t_us, &pr, 1), DW_OK);
    assert_int_equal(dw_tracker_count(t), 1);
    const dw_trk *k = dw_tracker_get(t, 0);
    assert_true(k->hits == 2);
    assert_near(k->x[1], -5000.0 / 163.0, 5.0);
    assert_near(k->x[3], -3000.0 / 163.0, 5.0);
    for (int a = 1; a < 6; a += 2)
        assert_true(sqrt(k->P[a * 6 + a]) < 20.0);
    /* a plot 30 km away 17 s after the first is another object */
    dw_meas other = meas3(t0 + 17000000, 30000, 0, 1000, 300, 3);
    assert_int_equal(dw_tracker_update(t, sr, other.t_us, &other, 1), DW_OK);
    assert_int_equal(dw_tracker_count(t), 2);
    assert_true(dw_tracker_get(t, 0)->last_user == 2);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.ci_updates == 1 && st.oosm_approx == 1);
    dw_tracker_destroy(t);
}

/* ---- out-of-sequence measurements --------------------------------------- */

/* Two sensors, 0.5 s apart; in one run every batch comes in order, in the
 * other the batch of scan `late` arrives after those of the next `delay`
 * scans. The final states must agree. */
static void run_oosm(int imm, int late, int delay, int depth, double *x, double *P,
                     dw_tracker_stats *st)
{
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, 0.5);
    c.max_tracks = 8;
    c.gate = 1e9;
    c.oosm_depth = depth;
    if (imm == 1) {
        dw_motion_model hi;
        dw_motion_cv_init(&hi, 2, 50.0);
        dw_tracker_config_imm(&c, &hi, 0.05, 0.1, 1.0);
    } else if (imm == 2) {
        dw_motion_model ct;
        dw_motion_ct_init(&ct, 2, 1.0, 1e-3, 0.1);
        dw_tracker_config_imm(&c, &ct, 0.05, 0.1, 1.0);
    }
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    int s0, s1;
    dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s0);
    dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s1);
    enum { K = 16 };
    dw_meas m[K];
    rng r = {77};
    for (int k = 0; k < K; k++) {
        double tt = 0.5 * k;
        m[k] = meas_at(k * 500000LL, 10 + 20 * tt + 3 * sin(tt) + nrand(&r), -4 * tt + nrand(&r),
                       k % 2 ? 2.0 : 1.0, (uint32_t)k);
    }
    for (int k = 0; k < K; k++) {
        if (k == late)
            continue;
        assert_int_equal(dw_tracker_update(t, k % 2, m[k].t_us, &m[k], 1), DW_OK);
        if (late >= 0 && k == late + delay)
            assert_int_equal(dw_tracker_update(t, late % 2, m[late].t_us, &m[late], 1), DW_OK);
    }
    assert_int_equal(dw_tracker_count(t), 1);
    const dw_trk *q = dw_tracker_get(t, 0);
    assert_true(q->hits == K);
    assert_true(q->t_us == m[K - 1].t_us);
    memcpy(x, q->x, sizeof q->x);
    memcpy(P, q->P, sizeof q->P);
    dw_tracker_get_stats(t, st);
    dw_tracker_destroy(t);
}

static void out_of_sequence_is_exact_within_history(void **state)
{
    (void)state;
    for (int imm = 0; imm < 3; imm++) {
        double xa[DW_TRK_MAX_X], Pa[DW_TRK_MAX_X * DW_TRK_MAX_X];
        double xb[DW_TRK_MAX_X], Pb[DW_TRK_MAX_X * DW_TRK_MAX_X];
        dw_tracker_stats sa, sb;
        run_oosm(imm, -1, 0, 4, xa, Pa, &sa);
        /* scan 6 arrives after scans 7, 8 and 9: three later updates to re-run */
        run_oosm(imm, 6, 3, 4, xb, Pb, &sb);
        for (int i = 0; i < 4; i++)
            assert_near(xa[i], xb[i], 1e-9);
        for (int i = 0; i < 16; i++)
            assert_near(Pa[i], Pb[i], 1e-9);
        assert_true(sa.oosm_exact == 0 && sb.oosm_exact == 1 && sb.oosm_approx == 0);
        /* the same delay beyond a shorter history: approximate, and counted */
        run_oosm(imm, 6, 3, 2, xb, Pb, &sb);
        assert_true(sb.oosm_exact == 0 && sb.oosm_approx == 1);
        assert_near(xa[0], xb[0], 5.0);
        /* without any history, the old way */
        run_oosm(imm, 6, 3, 0, xb, Pb, &sb);
        assert_true(sb.oosm_approx == 1);
        assert_near(xa[0], xb[0], 5.0);
    }
}

/* ---- life cycle reasons ------------------------------------------------- */

static void life_cycle_reasons(void **state)
{
    (void)state;
    int s;
    dw_tracker *t = make(2, 3, 0.01, &s);
    dw_meas m = meas_at(0, 0, 0, 1.0, 0);
    dw_tracker_update(t, s, 0, &m, 1);
    const dw_trk *k = dw_tracker_get(t, 0);
    assert_int_equal(k->reason, DW_TRK_STARTED);
    m = meas_at(1000000, 1, 0, 1.0, 0);
    dw_tracker_update(t, s, m.t_us, &m, 1);
    k = dw_tracker_get(t, 0);
    assert_int_equal(k->reason, DW_TRK_CONFIRMED_M_OF_N);
    assert_true(k->reason_us == 1000000);
    dw_tracker_update(t, s, 2000000, NULL, 0);
    k = dw_tracker_get(t, 0);
    assert_int_equal(k->status, DW_TRACK_COASTING);
    assert_int_equal(k->reason, DW_TRK_COASTING_MISSED);
    m = meas_at(3000000, 3, 0, 1.0, 0);
    dw_tracker_update(t, s, m.t_us, &m, 1);
    k = dw_tracker_get(t, 0);
    assert_int_equal(k->status, DW_TRACK_CONFIRMED);
    assert_int_equal(k->reason, DW_TRK_REACQUIRED);
    for (int i = 4; i < 7; i++)
        dw_tracker_update(t, s, i * 1000000LL, NULL, 0);
    const dw_trk *dead;
    assert_int_equal(dw_tracker_deleted(t, &dead), 1);
    assert_int_equal(dead[0].reason, DW_TRK_DELETED_MISSED);
    assert_string_equal(dw_trk_reason_name(dead[0].reason), "deleted_missed");
    /* a lone plot: never confirmed */
    m = meas_at(7000000, 50, 50, 1.0, 0);
    dw_tracker_update(t, s, m.t_us, &m, 1);
    for (int i = 8; i < 11; i++)
        dw_tracker_update(t, s, i * 1000000LL, NULL, 0);
    assert_int_equal(dw_tracker_count(t), 0);
    dw_tracker_stats st;
    dw_tracker_get_stats(t, &st);
    assert_true(st.by_reason[DW_TRK_STARTED] == 2);
    assert_true(st.by_reason[DW_TRK_CONFIRMED_M_OF_N] == 1);
    assert_true(st.by_reason[DW_TRK_COASTING_MISSED] == 2);
    assert_true(st.by_reason[DW_TRK_REACQUIRED] == 1);
    assert_true(st.by_reason[DW_TRK_DELETED_MISSED] == 1);
    assert_true(st.by_reason[DW_TRK_DELETED_NEVER_CONFIRMED] == 1);
    dw_tracker_destroy(t);

    /* a track not updated for max_coast_us, whatever looked at it */
    dw_tracker_config c;
    dw_tracker_config_default(&c, 2, 0.01);
    c.max_tracks = 4;
    c.max_coast_us = 2500000;
    c.delete_misses = 100;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &s);
    for (int i = 0; i < 3; i++) {
        m = meas_at(i * 1000000LL, i, 0, 1.0, 0);
        dw_tracker_update(t, s, m.t_us, &m, 1);
    }
    for (int i = 3; i < 6 && dw_tracker_count(t); i++)
        dw_tracker_update(t, s, i * 1000000LL, NULL, 0);
    assert_int_equal(dw_tracker_deleted(t, &dead), 1);
    assert_int_equal(dead[0].reason, DW_TRK_DELETED_COAST_TIMEOUT);
    dw_tracker_destroy(t);

    /* every reason has a name */
    for (int r = 0; r < DW_TRK_NREASONS; r++)
        assert_true(strcmp(dw_trk_reason_name((dw_trk_reason)r), "unknown") != 0);
    assert_string_equal(dw_trk_reason_name(DW_TRK_NREASONS), "unknown");
    assert_string_equal(dw_trk_reason_name(DW_TRK_DELETED_NEVER_CONFIRMED), "deleted_never_confirmed");
}

/* One object tracked twice, with merge_after: a split plot from the start never confirms
 * a second track (it sits on the first: shadowed); a second track confirmed apart (a
 * misaligned sensor's plots, 80 m off, that then come together with the object's own) is
 * deleted as a duplicate after three sightings together; two objects passing each other at
 * 50 m in opposite directions are never merged; merge_after 0 keeps both tracks of the
 * split plot. */
static void duplicates_are_merged(void **state)
{
    (void)state;
    for (int variant = 0; variant < 4; variant++) {
        dw_tracker_config c;
        dw_tracker_config_default(&c, 2, 1.0);
        c.confirm_m = 2;
        c.confirm_n = 3;
        c.delete_misses = 50;     /* only a merge can delete here */
        c.init_vel_sigma = 50.0;
        c.max_tracks = 64;
        c.merge_after = variant == 2 ? 0 : 3;
        dw_tracker *t = NULL;
        int sensor;
        assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
        assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &sensor), DW_OK);
        uint64_t dups = 0;
        for (int k = 0; k < 20; k++) {
            int64_t tk = k * 1000000LL;
            dw_meas m[2];
            size_t n;
            if (variant == 1) {
                /* two objects, 50 m apart across, flying opposite ways at 30 m/s */
                m[0] = meas_at(tk, -300.0 + 30.0 * k, 0.0, 5.0, 0);
                m[1] = meas_at(tk, 300.0 - 30.0 * k, 50.0, 5.0, 1);
                n = 2;
            } else if (variant == 3) {
                /* 80 m off at first, then together with the object's own plot */
                static const double off[] = {80, 80, 80, 60, 40, 20, 5, 3, 3, 3, 3, 3};
                m[0] = meas_at(tk, 20.0 * k, 0.0, 5.0, 0);
                m[1] = meas_at(tk, 20.0 * k, k < 12 ? off[k] : 0.0, 5.0, 1);
                n = k < 12 ? 2 : 1;
            } else {
                m[0] = meas_at(tk, 20.0 * k, 0.0, 5.0, 0);
                m[1] = meas_at(tk, 20.0 * k + 3.0, 0.0, 5.0, 1);   /* split plot */
                n = k < 4 ? 2 : 1;
            }
            assert_int_equal(dw_tracker_update(t, sensor, tk, m, n), DW_OK);
            const dw_trk *dead;
            size_t nd = dw_tracker_deleted(t, &dead);
            for (size_t i = 0; i < nd; i++)
                if (dead[i].reason == DW_TRK_DELETED_DUPLICATE)
                    dups++;
        }
        int count;
        find_confirmed(t, &count);
        dw_tracker_stats st;
        dw_tracker_get_stats(t, &st);
        if (variant == 0) {
            assert_int_equal(st.shadowed, 1);       /* never confirmed twice */
            assert_int_equal(dups, 0);
            assert_int_equal(st.duplicates, 0);
            assert_int_equal(st.by_reason[DW_TRK_DELETED_DUPLICATE], 1);
            assert_int_equal(count, 1);
        } else if (variant == 3) {
            assert_int_equal(st.shadowed, 0);
            assert_int_equal(dups, 1);              /* confirmed apart, merged together */
            assert_int_equal(st.duplicates, 1);
            assert_int_equal(count, 1);
        } else {
            assert_int_equal(dups, 0);
            assert_int_equal(st.shadowed, 0);
            assert_int_equal(count, 2);
        }
        assert_string_equal(dw_trk_reason_name(DW_TRK_DELETED_DUPLICATE), "deleted_duplicate");
        dw_tracker_destroy(t);
    }
}

/* A track started on top of a confirmed one is the same object seen again (a rough fix
 * from bearings of a drone the radar holds; a plot of a high, turning fighter that a
 * gap-filler puts outside its track's gate): with merge_after it is not confirmed but
 * deleted as a duplicate (stats.shadowed), while the same fix 5 km away confirms, and
 * one beside a cooperative (ADS-B) track confirms too: a drone under an airliner is
 * another object. */
static void track_on_a_confirmed_one_is_not_confirmed(void **state)
{
    (void)state;
    for (int variant = 0; variant < 4; variant++) {
        dw_tracker_config c;
        dw_tracker_config_default(&c, 3, 0.5);
        c.max_tracks = 16;
        c.confirm_m = 2;            /* the fix confirms at its first hit... */
        c.confirm_n = 3;
        c.merge_after = variant == 3 ? 0 : 3;   /* ...unless it sits on the radar's track */
        c.init_vel_sigma = 50.0;
        dw_tracker *t;
        int sa, sc;
        assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
        assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &sa), DW_OK);
        assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_linear_pos, NULL, &sc), DW_OK);
        rng r = {5};
        /* the radar (or ADS-B, variant 2) holds a drone at 1 km, 40 m/s east */
        for (int k = 0; k < 10; k++) {
            int64_t tu = k * 1000000LL;
            dw_meas m = meas3(tu, 40.0 * k + 10 * nrand(&r), 10 * nrand(&r), 1000 + 10 * nrand(&r), 10, 1);
            if (variant == 2) {
                m.id_key = ICAO_KEY;
                m.flags = DW_MEAS_COOPERATIVE;
            }
            assert_int_equal(dw_tracker_update(t, sa, tu, &m, 1), DW_OK);
        }
        int n;
        const dw_trk *held = find_confirmed(t, &n);
        assert_int_equal(n, 1);
        uint64_t held_id = held->id;
        /* a rough fix (400 m sigma across, 1 km up) near it, or 5 km off (variant 1) */
        int64_t t1 = 10 * 1000000LL;
        double off = variant == 1 ? 5000.0 : 150.0;
        double pos[3] = {400.0 + off, -100.0, 800.0};
        double cov[9] = {400.0 * 400.0, 0, 0, 0, 400.0 * 400.0, 0, 0, 0, 1000.0 * 1000.0};
        uint64_t fix_id = 0;
        assert_int_equal(dw_tracker_start_track(t, sc, t1, pos, cov, &fix_id), DW_OK);
        assert_true(fix_id != 0 && fix_id != held_id);
        /* a second rough report where the fix is: the fix takes it */
        dw_meas m = meas3(t1 + 500000, 400.0 + off + 20.0, -100.0, 800.0, 300, 2);
        assert_int_equal(dw_tracker_update(t, sc, t1 + 500000, &m, 1), DW_OK);
        dw_tracker_stats st;
        dw_tracker_get_stats(t, &st);
        find_confirmed(t, &n);
        const dw_trk *dead;
        size_t nd = dw_tracker_deleted(t, &dead);
        (void)dead;
        if (variant == 0) {
            assert_int_equal(n, 1);                 /* the radar's track alone */
            assert_int_equal(st.shadowed, 1);
            assert_int_equal(find_confirmed(t, &n)->id, held_id);
            assert_int_equal(dw_tracker_count(t), 1);
            assert_int_equal(nd, 0);                /* a tentative track: not listed dead */
            assert_int_equal(st.by_reason[DW_TRK_DELETED_DUPLICATE], 1);
        } else {
            assert_int_equal(n, 2);                 /* far off, beside ADS-B, or merging off */
            assert_int_equal(st.shadowed, 0);
        }
        dw_tracker_destroy(t);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(duplicates_are_merged),
    cmocka_unit_test(track_on_a_confirmed_one_is_not_confirmed),
    cmocka_unit_test(one_target_confirms_and_converges),
    cmocka_unit_test(confirmed_track_deleted_after_misses),
    cmocka_unit_test(tentative_dies_without_m_of_n),
    cmocka_unit_test(crossing_targets_keep_identity),
    cmocka_unit_test(grid_matches_all_pairs),
    cmocka_unit_test(grid_matches_all_pairs_3d_wide_gates),
    cmocka_unit_test(two_sensors_update_in_turn),
    cmocka_unit_test(pool_full_is_counted_not_fatal),
    cmocka_unit_test(bad_config_rejected),
    cmocka_unit_test(per_measurement_context_replaces_sensor_context),
    cmocka_unit_test(unassigned_lists_what_started_nothing),
    cmocka_unit_test(positionless_bounds_spare_far_tracks),
    cmocka_unit_test(airliner_and_drone_never_merge),
    cmocka_unit_test(keyed_report_that_jumps_restarts),
    cmocka_unit_test(key_jump_after_one),
    cmocka_unit_test(mode_s_plot_never_takes_a_cooperative_key),
    cmocka_unit_test(keyed_second_report_a_moment_later),
    cmocka_unit_test(keyed_fast_aircraft_restarts),
    cmocka_unit_test(measurement_coast_replaces_max_coast),
    cmocka_unit_test(partner_key_joins_radar_track),
    cmocka_unit_test(many_keys_come_and_go),
    cmocka_unit_test(imm_follows_a_turn_and_a_straight_line),
    cmocka_unit_test(coordinated_turn_model),
    cmocka_unit_test(geo_imm_follows_a_turning_drone),
    cmocka_unit_test(imm_config_checked),
    cmocka_unit_test(covariance_intersection_hand_case),
    cmocka_unit_test(covariance_intersection_conditions_the_rest),
    cmocka_unit_test(late_partner_report_gives_a_velocity),
    cmocka_unit_test(out_of_sequence_is_exact_within_history),
    cmocka_unit_test(life_cycle_reasons),
};

DW_TEST_MAIN("tracker", tests)

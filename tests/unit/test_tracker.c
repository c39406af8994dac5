#include "harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(one_target_confirms_and_converges),
    cmocka_unit_test(confirmed_track_deleted_after_misses),
    cmocka_unit_test(tentative_dies_without_m_of_n),
    cmocka_unit_test(crossing_targets_keep_identity),
    cmocka_unit_test(grid_matches_all_pairs),
    cmocka_unit_test(grid_matches_all_pairs_3d_wide_gates),
    cmocka_unit_test(two_sensors_update_in_turn),
    cmocka_unit_test(pool_full_is_counted_not_fatal),
    cmocka_unit_test(bad_config_rejected),
};

DW_TEST_MAIN("tracker", tests)

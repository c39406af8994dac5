/* test_pipeline.c — the track stage's pipeline: sensors by id or wire_id
 * through a hash, slots only for sensors the tracker uses, POLAR plots placed
 * by their height, counters, reports and dropped tracks. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "dronewall/pipeline.h"

#define DEG (M_PI / 180.0)
#define T0 1757451000000000LL
#define S 1000000LL

/* ---- a small deterministic noise source --------------------------------- */

static uint64_t rng_state = 88172645463325252ULL;

static double uniform01(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
    return sqrt(-2.0 * log(uniform01())) * cos(2.0 * M_PI * uniform01());
}

/* ---- what the callbacks saw --------------------------------------------- */

typedef struct seen {
    dw_track *v;
    size_t n, cap;
    size_t dead, instants;
    dw_track last_dead;
} seen;

static dw_status on_report(void *ctx, const dw_track *t)
{
    seen *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        assert_non_null(s->v);
    }
    s->v[s->n++] = *t;
    return DW_OK;
}

static dw_status on_done(void *ctx, int64_t t_us)
{
    seen *s = ctx;
    (void)t_us;
    s->instants++;
    return DW_OK;
}

static dw_status on_dead(void *ctx, const dw_track *t)
{
    seen *s = ctx;
    s->dead++;
    s->last_dead = *t;
    return DW_OK;
}

static dw_pipeline *make(const dw_sensor *sn, size_t n, seen *s)
{
    memset(s, 0, sizeof *s);
    dw_pipeline_sink sink = {on_report, on_done, on_dead, s};
    dw_pipeline *p = NULL;
    char err[256];
    if (dw_pipeline_create(sn, n, NULL, &sink, &p, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    return p;
}

static dw_sensor radar(const char *id, const char *wire_id, double lat, double lon, double alt)
{
    dw_sensor s;
    dw_sensor_init(&s, DW_SENSOR_RADAR);
    snprintf(s.id, sizeof s.id, "%s", id);
    snprintf(s.wire_id, sizeof s.wire_id, "%s", wire_id ? wire_id : "");
    s.lat_deg = lat;
    s.lon_deg = lon;
    s.alt_m = alt;
    s.sigma_range_m = 30;
    s.sigma_az_rad = 0.2 * DEG;
    s.sigma_el_rad = 0.3 * DEG;
    s.period_us = 4 * S;
    s.max_range_m = 200e3;
    return s;
}

/* A target flying west at 40 m/s and constant height. */
typedef struct target {
    double lat0, lon0, alt_m, v_mps;
} target;

static dw_geodetic where(const target *tg, int64_t t_us)
{
    double dt = (double)(t_us - T0) / 1e6;
    dw_geodetic g = {tg->lat0, tg->lon0 - tg->v_mps * dt / (111320.0 * cos(tg->lat0 * DEG)), tg->alt_m};
    return g;
}

/* A plot of tg from site s at t_us: range and azimuth with the sensor's
 * noise times `noise`, and the height (sigma 20 m) but no elevation. */
static dw_obs plot(const dw_sensor *s, const char *name, const target *tg, int64_t t_us, double noise)
{
    dw_enu_frame f;
    dw_geodetic site = {s->lat_deg, s->lon_deg, s->alt_m};
    dw_enu_frame_init(&f, &site);
    dw_geodetic g = where(tg, t_us);
    double enu[3], r, az, el;
    dw_enu_from_geo(&f, &g, enu);
    dw_polar_from_enu(enu, &r, &az, &el);
    dw_obs o;
    dw_obs_init(&o, DW_OBS_POLAR);
    o.t_us = t_us;
    snprintf(o.sensor, sizeof o.sensor, "%s", name);
    o.range_m = r + noise * s->sigma_range_m * gauss();
    o.az_rad = az + noise * s->sigma_az_rad * gauss();
    o.alt_m = g.alt_m + noise * 20.0 * gauss();
    o.sigma_alt_m = 20.0;
    o.has = DW_OBS_HAS_ALT;
    return o;
}

/* The 3-D distance between a report and where the target was then. */
static double error_m(const dw_track *k, const target *tg, double *alt_err)
{
    dw_geodetic g = where(tg, k->t_us), e = {k->lat_deg, k->lon_deg, k->alt_m};
    double a[3], b[3];
    dw_geo_to_ecef(&g, a);
    dw_geo_to_ecef(&e, b);
    if (alt_err)
        *alt_err = k->alt_m - g.alt_m;
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                (a[2] - b[2]) * (a[2] - b[2]));
}

/* Scans of one target every 4 s for `scans` scans. */
static void feed_scans(dw_pipeline *p, const dw_sensor *s, const char *name, const target *tg,
                       int scans, double noise)
{
    for (int i = 0; i < scans; i++) {
        dw_obs o = plot(s, name, tg, T0 + i * 4 * S + 123456, noise);
        assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    }
}

/* ---- tests ---------------------------------------------------------------- */

static void polar_with_height_only_is_tracked(void **state)
{
    (void)state;
    rng_state = 7;
    dw_sensor r = radar("PL-RAD-01", NULL, 51.2, 23.4, 200);
    seen s;
    dw_pipeline *p = make(&r, 1, &s);
    target tg = {51.35, 23.9, 1000, 40};
    feed_scans(p, &r, "PL-RAD-01", &tg, 75, 1.0);
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);

    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.obs, 75);
    assert_int_equal(st.used, 75);
    assert_int_equal(st.el_from_alt, 75);
    assert_int_equal(st.unsupported, 0);
    assert_int_equal(st.tracker.confirmed, 1);
    assert_true(s.n > 200);
    assert_int_equal(st.reports, s.n);
    assert_int_equal(st.report_instants, s.instants);

    const dw_track *last = &s.v[s.n - 1];
    double dalt;
    double err = error_m(last, &tg, &dalt);
    if (!(err < 250) || !(fabs(dalt) < 100))
        fail_msg("last report %.0f m from the target, %.0f m in height", err, dalt);
    size_t n_names;
    const char *const *names = dw_pipeline_sensor_names(p, &n_names);
    assert_int_equal(n_names, 2);
    assert_int_equal(last->n_sensors, 1);
    assert_string_equal(names[last->sensor_idx[0]], "PL-RAD-01");
    assert_string_equal(names[1], DW_PIPELINE_POS_NAME);
    dw_pipeline_destroy(p);
    free(s.v);
}

/* Far out the Earth's curvature is a kilometre of height: the elevation from
 * the height must account for it (noise-free plots, so any error is the
 * geometry's or the filter's lag; it is centimetres). */
static void elevation_from_height_follows_the_curvature(void **state)
{
    (void)state;
    dw_sensor r = radar("R", NULL, 51.2, 23.4, 150);
    seen s;
    dw_pipeline *p = make(&r, 1, &s);
    target tg = {52.1, 24.5, 3000, 40};   /* about 125 km north-east */
    feed_scans(p, &r, "R", &tg, 40, 0.0);
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
    assert_true(s.n > 0);
    double dalt;
    double err = error_m(&s.v[s.n - 1], &tg, &dalt);
    if (!(fabs(dalt) < 5) || !(err < 10))
        fail_msg("%.1f m from the target, %.1f m in height", err, dalt);
    dw_pipeline_destroy(p);
    free(s.v);
}

static void ten_thousand_acoustic_nodes_take_no_slots(void **state)
{
    (void)state;
    const size_t n = 10002;
    dw_sensor *sn = calloc(n, sizeof *sn);
    assert_non_null(sn);
    for (size_t i = 0; i < 10000; i++) {
        dw_sensor_init(&sn[i], DW_SENSOR_ACOUSTIC);
        snprintf(sn[i].id, sizeof sn[i].id, "AC-%05zu", i);
        sn[i].lat_deg = 51 + 1e-4 * (double)i;
        sn[i].lon_deg = 23;
    }
    sn[10000] = radar("PL-RAD-01", "ASX-012-001", 51.2, 23.4, 200);
    sn[10001] = radar("PL-RAD-02", "ASX-012-002", 51.9, 23.0, 150);
    seen s;
    dw_pipeline *p = make(sn, n, &s);
    size_t n_names;
    const char *const *names = dw_pipeline_sensor_names(p, &n_names);
    assert_int_equal(n_names, 3);
    assert_string_equal(names[0], "PL-RAD-01");
    assert_string_equal(names[1], "PL-RAD-02");
    assert_int_equal(dw_pipeline_sensor_find(p, "AC-04242"), 4242);
    assert_int_equal(dw_pipeline_sensor_find(p, "ASX-012-002"), 10001);

    /* A second of a large acoustic network: counted, skipped. */
    for (int i = 0; i < 100000; i++) {
        dw_obs o;
        dw_obs_init(&o, DW_OBS_BEARING);
        o.t_us = T0 + i * 10;
        snprintf(o.sensor, sizeof o.sensor, "AC-%05d", i % 10000);
        o.az_rad = 1.0;
        assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    }
    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.obs, 100000);
    assert_int_equal(st.unsupported, 100000);
    assert_int_equal(st.used, 0);
    dw_pipeline_destroy(p);

    /* 31 radars fit beside the position slot; 32 do not. */
    for (size_t i = 0; i < 32; i++) {
        char id[16];
        snprintf(id, sizeof id, "R%02zu", i);
        sn[i] = radar(id, NULL, 50 + 0.1 * (double)i, 23, 100);
    }
    dw_pipeline_sink sink = {on_report, NULL, NULL, &s};
    char err[256] = "";
    assert_int_equal(dw_pipeline_create(sn, 31, NULL, &sink, &p, err, sizeof err), DW_OK);
    dw_pipeline_sensor_names(p, &n_names);
    assert_int_equal(n_names, 32);
    dw_pipeline_destroy(p);
    p = (dw_pipeline *)(uintptr_t)1;
    assert_int_equal(dw_pipeline_create(sn, n, NULL, &sink, &p, err, sizeof err), DW_ERR_INVALID);
    assert_true(p == (dw_pipeline *)(uintptr_t)1);
    if (!strstr(err, "34 radar and aew sensors"))
        fail_msg("%s", err);
    free(sn);
}

static void what_cannot_be_used_is_counted(void **state)
{
    (void)state;
    dw_sensor sn[2];
    sn[0] = radar("PL-RAD-01", NULL, 51.2, 23.4, 200);
    dw_sensor_init(&sn[1], DW_SENSOR_ACOUSTIC);
    snprintf(sn[1].id, sizeof sn[1].id, "AC-1");
    seen s;
    dw_pipeline *p = make(sn, 2, &s);
    dw_obs o;
    int64_t t = T0;

    dw_obs_init(&o, DW_OBS_POLAR);
    o.t_us = t++;
    o.range_m = 5000;
    o.el_rad = 0.01;
    o.has = DW_OBS_HAS_EL;
    snprintf(o.sensor, sizeof o.sensor, "NOPE");
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* unknown */
    snprintf(o.sensor, sizeof o.sensor, "AC-1");
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* no radar */

    snprintf(o.sensor, sizeof o.sensor, "PL-RAD-01");
    o.has = 0;
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* no el, no alt */
    o.has = DW_OBS_HAS_ALT;
    o.alt_m = 8000;                                             /* above 5 km of range */
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    o.range_m = 0;
    o.has = DW_OBS_HAS_EL;
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* no range */

    dw_obs_init(&o, DW_OBS_CELL);
    snprintf(o.sensor, sizeof o.sensor, "AC-1");
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    dw_obs_init(&o, DW_OBS_POS2);
    snprintf(o.sensor, sizeof o.sensor, "CITIZEN");
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);

    /* A position from a sensor nobody listed is used; a late one counted. */
    dw_obs_init(&o, DW_OBS_POS3);
    snprintf(o.sensor, sizeof o.sensor, "ADSB-X");
    o.lat_deg = 51.3;
    o.lon_deg = 23.5;
    o.alt_m = 3000;
    o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT;
    o.t_us = t + 10;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    o.t_us = t;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);

    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.obs, 9);
    assert_int_equal(st.unknown_sensor, 2);
    assert_int_equal(st.unsupported, 5);
    assert_int_equal(st.used, 2);
    assert_int_equal(st.late, 1);
    assert_int_equal(st.el_from_alt, 0);
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.tracker.batches, 2);   /* the late one starts its own */
    assert_int_equal(s.n, 0);                  /* nothing confirmed */
    dw_pipeline_destroy(p);
}

static void wire_ids_name_the_same_sensor(void **state)
{
    (void)state;
    rng_state = 11;
    dw_sensor r = radar("PL-RAD-01", "ASX-012-001", 51.2, 23.4, 200);
    seen s;
    dw_pipeline *p = make(&r, 1, &s);
    assert_int_equal(dw_pipeline_sensor_find(p, "ASX-012-001"), 0);
    assert_int_equal(dw_pipeline_sensor_find(p, "PL-RAD-01"), 0);
    assert_int_equal(dw_pipeline_sensor_find(p, "ASX-012-002"), -1);
    target tg = {51.3, 23.8, 800, 40};
    feed_scans(p, &r, "ASX-012-001", &tg, 30, 1.0);
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.used, 30);
    assert_int_equal(st.unknown_sensor, 0);
    assert_true(s.n > 0);
    const char *const *names = dw_pipeline_sensor_names(p, NULL);
    assert_string_equal(names[s.v[s.n - 1].sensor_idx[0]], "PL-RAD-01");
    dw_pipeline_destroy(p);
    free(s.v);

    /* Two sensors may not share a name. */
    dw_sensor two[2] = {r, radar("ASX-012-001", NULL, 52, 23, 0)};
    dw_pipeline_sink sink = {on_report, NULL, NULL, &s};
    char err[256] = "";
    p = NULL;
    assert_int_equal(dw_pipeline_create(two, 2, NULL, &sink, &p, err, sizeof err), DW_ERR_INVALID);
    assert_null(p);
    assert_non_null(strstr(err, "ASX-012-001"));
    /* No report callback, bad settings. */
    sink.report = NULL;
    assert_int_equal(dw_pipeline_create(&r, 1, NULL, &sink, &p, err, sizeof err), DW_ERR_INVALID);
    sink.report = on_report;
    dw_pipeline_config cfg;
    dw_pipeline_config_default(&cfg);
    cfg.report_us = 0;
    assert_int_equal(dw_pipeline_create(&r, 1, &cfg, &sink, &p, err, sizeof err), DW_ERR_INVALID);
    assert_null(p);
}

/* Telling the pipeline that time has passed gives the same reports, only
 * earlier. */
static void advance_changes_only_when(void **state)
{
    (void)state;
    dw_sensor r = radar("R", NULL, 51.2, 23.4, 200);
    target tg = {51.35, 23.9, 1000, 40};
    seen a, b;
    for (int run = 0; run < 2; run++) {
        rng_state = 99;
        dw_pipeline *p = make(&r, 1, run ? &b : &a);
        for (int i = 0; i < 60; i++) {
            int64_t t = T0 + i * 4 * S + 123456;
            if (run) {
                size_t before = b.n;
                assert_int_equal(dw_pipeline_advance(p, t), DW_OK);
                assert_int_equal(dw_pipeline_advance(p, t - 2 * S), DW_OK);
                assert_true(b.n >= before);
            }
            dw_obs o = plot(&r, "R", &tg, t, 1.0);
            assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
        }
        if (run) {
            /* The last plot's batch may still grow: nothing after it yet. */
            int64_t t_last = T0 + 59 * 4 * S + 123456;
            size_t before = b.n;
            assert_int_equal(dw_pipeline_advance(p, t_last + 1), DW_OK);
            assert_int_equal(b.n, before);
        }
        assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
        dw_pipeline_destroy(p);
    }
    assert_int_equal(a.n, b.n);
    assert_int_equal(a.instants, b.instants);
    for (size_t i = 0; i < a.n; i++) {
        assert_true(a.v[i].id == b.v[i].id && a.v[i].t_us == b.v[i].t_us);
        assert_memory_equal(&a.v[i].lat_deg, &b.v[i].lat_deg, 3 * sizeof(double));
    }
    free(a.v);
    free(b.v);
}

static void position_reports_and_a_dropped_track(void **state)
{
    (void)state;
    seen s;
    dw_pipeline *p = make(NULL, 0, &s);
    target one = {51.5, 23.0, 2000, 100}, two = {52.5, 22.0, 3000, 100};
    for (int i = 0; i < 120; i++) {
        const target *tg = i < 60 ? &one : &two;
        dw_geodetic g = where(tg, T0 + i * S);
        dw_obs o;
        dw_obs_init(&o, DW_OBS_POS3);
        o.t_us = T0 + i * S;
        snprintf(o.sensor, sizeof o.sensor, "ADSB-X");
        o.lat_deg = g.lat_deg;
        o.lon_deg = g.lon_deg;
        o.alt_m = g.alt_m;
        o.sigma_pos_m = 30;
        o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT;
        assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    }
    assert_int_equal(dw_pipeline_finish(p, T0 + 130 * S), DW_OK);
    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.tracker.confirmed, 2);
    assert_int_equal(s.dead, 1);
    assert_int_equal(st.dead, 1);
    assert_int_equal(s.last_dead.status, DW_TRACK_DEAD);
    assert_int_equal(s.instants, 131);        /* T0 .. T0 + 130 s */
    size_t n_names;
    const char *const *names = dw_pipeline_sensor_names(p, &n_names);
    assert_int_equal(n_names, 1);
    assert_string_equal(names[s.v[0].sensor_idx[0]], DW_PIPELINE_POS_NAME);
    assert_true(error_m(&s.v[s.n - 1], &two, NULL) < 100);
    dw_pipeline_destroy(p);
    free(s.v);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(polar_with_height_only_is_tracked),
    cmocka_unit_test(elevation_from_height_follows_the_curvature),
    cmocka_unit_test(ten_thousand_acoustic_nodes_take_no_slots),
    cmocka_unit_test(what_cannot_be_used_is_counted),
    cmocka_unit_test(wire_ids_name_the_same_sensor),
    cmocka_unit_test(advance_changes_only_when),
    cmocka_unit_test(position_reports_and_a_dropped_track),
};

DW_TEST_MAIN("pipeline", tests)

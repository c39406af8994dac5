/* test_pipeline.c — the track stage's pipeline: sensors by id or wire_id
 * through a hash, slots only for sensors the tracker uses (one per radar, one
 * per kind of bearing sensor), POLAR plots placed by their height, bearings
 * intersected into new tracks, cells, POS2 reports, identities, counters,
 * reports and dropped tracks. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "dronewall/ndjson.h"
#include "dronewall/pipeline.h"
#include "dronewall/sensors_file.h"

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
    dw_pipeline_sink sink = {on_report, on_done, on_dead, s, NULL};
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
    assert_int_equal(n_names, 3);
    assert_int_equal(last->n_sensors, 1);
    assert_string_equal(names[last->sensor_idx[0]], "PL-RAD-01");
    assert_string_equal(names[1], DW_PIPELINE_POS_NAME);
    assert_string_equal(names[2], DW_PIPELINE_2D_NAME);
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

static void ten_thousand_acoustic_nodes_share_one_slot(void **state)
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
    assert_int_equal(n_names, 5);
    assert_string_equal(names[0], "PL-RAD-01");
    assert_string_equal(names[1], "PL-RAD-02");
    assert_string_equal(names[2], DW_PIPELINE_POS_NAME);
    assert_string_equal(names[3], "acoustic-bearings");
    assert_string_equal(names[4], DW_PIPELINE_2D_NAME);
    assert_int_equal(dw_pipeline_sensor_find(p, "AC-04242"), 4242);
    assert_int_equal(dw_pipeline_sensor_find(p, "ASX-012-002"), 10001);

    /* A second of a large acoustic network, every node hearing something in
     * the same direction (parallel rays: nothing to intersect). */
    for (int i = 0; i < 100000; i++) {
        dw_obs o;
        dw_obs_init(&o, DW_OBS_BEARING);
        o.t_us = T0 + i * 10;
        snprintf(o.sensor, sizeof o.sensor, "AC-%05d", i % 10000);
        o.az_rad = 1.0;
        assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    }
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.obs, 100000);
    assert_int_equal(st.unsupported, 0);
    assert_int_equal(st.used, 100000);
    assert_int_equal(st.used_kind[DW_OBS_BEARING], 100000);
    assert_int_equal(st.init_started, 0);
    assert_int_equal(st.tracker.initiated, 0);
    dw_pipeline_destroy(p);

    /* 31 radars fit beside the position slot; 32 do not. */
    for (size_t i = 0; i < 32; i++) {
        char id[16];
        snprintf(id, sizeof id, "R%02zu", i);
        sn[i] = radar(id, NULL, 50 + 0.1 * (double)i, 23, 100);
    }
    dw_pipeline_sink sink = {on_report, NULL, NULL, &s, NULL};
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
    sn[1].lat_deg = 51.5;
    sn[1].lon_deg = 23.5;
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

    /* Bearings need a site: from a name nobody listed, from a radar. */
    dw_obs_init(&o, DW_OBS_BEARING);
    o.az_rad = 1.0;
    snprintf(o.sensor, sizeof o.sensor, "AC-2");
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* unknown */
    snprintf(o.sensor, sizeof o.sensor, "PL-RAD-01");
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* a radar's: unsupported */
    snprintf(o.sensor, sizeof o.sensor, "AC-1");
    o.az_rad = NAN;
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* no azimuth */
    o.az_rad = 1.0;
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* used */

    /* A cell: the node's site and range stand in for what it lacks; an
     * unlisted sender must give its centre. */
    dw_obs_init(&o, DW_OBS_CELL);
    snprintf(o.sensor, sizeof o.sensor, "AC-1");
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* used */
    snprintf(o.sensor, sizeof o.sensor, "AC-9");
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* unknown */
    o.has = DW_OBS_HAS_POS;
    o.lat_deg = 51.6;
    o.lon_deg = 23.5;
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* no radius */
    o.has |= DW_OBS_HAS_RANGE;
    o.radius_m = 2000;
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* used */

    dw_obs_init(&o, DW_OBS_POS2);
    snprintf(o.sensor, sizeof o.sensor, "CITIZEN");
    o.lat_deg = 51.4;
    o.lon_deg = 23.2;
    o.has = DW_OBS_HAS_POS;
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* used */
    o.lat_deg = NAN;
    o.t_us = t++;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);            /* no position */

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
    assert_int_equal(st.obs, 17);
    assert_int_equal(st.unknown_sensor, 4);
    assert_int_equal(st.unsupported, 7);
    assert_int_equal(st.used, 6);
    assert_int_equal(st.used_kind[DW_OBS_BEARING], 1);
    assert_int_equal(st.used_kind[DW_OBS_CELL], 2);
    assert_int_equal(st.used_kind[DW_OBS_POS2], 1);
    assert_int_equal(st.used_kind[DW_OBS_POS3], 2);
    assert_int_equal(st.late, 1);
    assert_int_equal(st.el_from_alt, 0);
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
    dw_pipeline_get_stats(p, &st);
    /* bearing, cell (AC-1), cell (AC-9), POS2, POS3, and the late POS3 */
    assert_int_equal(st.tracker.batches, 6);
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
    dw_pipeline_sink sink = {on_report, NULL, NULL, &s, NULL};
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
    assert_int_equal(n_names, 2);             /* position reports, POS2 and cells */
    assert_string_equal(names[s.v[0].sensor_idx[0]], DW_PIPELINE_POS_NAME);
    assert_true(error_m(&s.v[s.n - 1], &two, NULL) < 100);
    dw_pipeline_destroy(p);
    free(s.v);
}


/* ---- sensors that give no position -------------------------------------- */

static dw_sensor node(const char *id, const dw_geodetic *g, double range_m, double sigma_deg)
{
    dw_sensor s;
    dw_sensor_init(&s, DW_SENSOR_ACOUSTIC);
    snprintf(s.id, sizeof s.id, "%s", id);
    s.lat_deg = g->lat_deg;
    s.lon_deg = g->lon_deg;
    s.alt_m = g->alt_m;
    s.max_range_m = range_m;
    s.sigma_az_rad = sigma_deg * DEG;
    return s;
}

static dw_geodetic east_north(const dw_geodetic *g, double e, double n, double alt)
{
    dw_enu_frame f;
    dw_enu_frame_init(&f, g);
    double enu[3] = {e, n, 0}, x[3];
    dw_ecef_from_enu(&f, enu, x);
    dw_geodetic out;
    dw_geo_from_ecef(x, &out);
    out.alt_m = alt;
    return out;
}

static int cmp_obs(const void *a, const void *b)
{
    const dw_obs *x = a, *y = b;
    return x->t_us < y->t_us ? -1 : x->t_us > y->t_us;
}

/* A drone crosses a line of acoustic nodes (2 km apart, 6 km range, 5-degree
 * bearings every 2 s): the bearings of two nodes start a track, the others
 * keep it. Nothing but bearings. */
static void a_drone_over_an_acoustic_line_is_tracked(void **state)
{
    (void)state;
    enum { N_NODES = 10 };
    const dw_geodetic west = {51.50, 23.00, 3.0};
    dw_sensor sn[N_NODES];
    for (int i = 0; i < N_NODES; i++) {
        char id[16];
        snprintf(id, sizeof id, "AC-%02d", i);
        dw_geodetic g = east_north(&west, 2000.0 * i, 0.0, 3.0);
        sn[i] = node(id, &g, 6000.0, 5.0);
    }
    /* South at 45 m/s, 900 m up, from 6 km north of the line's middle. */
    const dw_geodetic start = east_north(&west, 9300.0, 6000.0, 900.0);
    dw_enu_frame fs;
    dw_enu_frame_init(&fs, &start);
    const int secs = 280;
    dw_obs *obs = calloc((size_t)N_NODES * secs, sizeof *obs);
    assert_non_null(obs);
    size_t n = 0;
    rng_state = 2024;
    for (int i = 0; i < N_NODES; i++) {
        dw_enu_frame fn;
        dw_geodetic g = {sn[i].lat_deg, sn[i].lon_deg, sn[i].alt_m};
        dw_enu_frame_init(&fn, &g);
        for (int64_t t = T0 + i * 190000; t < T0 + secs * S; t += 2 * S) {
            double dt = (double)(t - T0) / 1e6;
            double enu[3] = {0.0, -45.0 * dt, 0.0}, x[3], le[3], r, az, el;
            dw_ecef_from_enu(&fs, enu, x);
            dw_enu_from_ecef(&fn, x, le);
            dw_polar_from_enu(le, &r, &az, &el);
            if (r > 6000.0 || uniform01() > 0.9)
                continue;
            dw_obs *o = &obs[n++];
            dw_obs_init(o, DW_OBS_BEARING);
            o->t_us = t;
            memcpy(o->sensor, sn[i].id, sizeof o->sensor);
            o->az_rad = fmod(az + 5.0 * DEG * gauss() + 2 * M_PI, 2 * M_PI);
            o->sigma_az_rad = 5.0 * DEG;
        }
    }
    qsort(obs, n, sizeof *obs, cmp_obs);
    seen s;
    dw_pipeline *p = make(sn, N_NODES, &s);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(dw_pipeline_obs(p, &obs[i]), DW_OK);
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    print_message("%zu bearings: %llu fixes, %llu tracks started (%llu on a track), %llu "
                  "confirmed, %llu tracker updates, %zu reports\n",
                  n, (unsigned long long)st.init_fixes, (unsigned long long)st.init_started,
                  (unsigned long long)st.init_explained, (unsigned long long)st.tracker.confirmed,
                  (unsigned long long)st.tracker.updates, s.n);
    assert_int_equal(st.used_kind[DW_OBS_BEARING], n);
    assert_true(st.init_started >= 1);
    assert_true(st.tracker.confirmed >= 1);
    /* While the drone is within 3 km of the line, the picture has it. */
    double err2 = 0;
    int n_err = 0, n_in = 0;
    for (int64_t t = T0; t < T0 + secs * S; t += S) {
        double dt = (double)(t - T0) / 1e6, north = 6000.0 - 45.0 * dt;
        if (fabs(north) > 3000.0)
            continue;
        n_in++;
        double enu[3] = {0.0, -45.0 * dt, 0.0}, x[3];
        dw_ecef_from_enu(&fs, enu, x);
        double best = INFINITY;
        for (size_t i = 0; i < s.n; i++) {
            if (s.v[i].t_us != t)
                continue;
            dw_geodetic g = {s.v[i].lat_deg, s.v[i].lon_deg, 900.0};
            double y[3];
            dw_geo_to_ecef(&g, y);
            double d = sqrt((x[0] - y[0]) * (x[0] - y[0]) + (x[1] - y[1]) * (x[1] - y[1]) +
                            (x[2] - y[2]) * (x[2] - y[2]));
            if (d < best)
                best = d;
        }
        if (best < 3000.0) {
            err2 += best * best;
            n_err++;
        }
    }
    print_message("within 3 km of the line: held %d of %d s, horizontal RMSE %.0f m\n", n_err, n_in,
                  n_err ? sqrt(err2 / n_err) : -1.0);
    assert_true(n_err > 0.7 * n_in);
    assert_true(sqrt(err2 / n_err) < 700.0);
    dw_pipeline_destroy(p);
    free(s.v);
    free(obs);
}

/* Two cell-reporting nodes whose footprints overlap start a track at the
 * overlap; one node alone does not. */
static void overlapping_cells_start_a_track(void **state)
{
    (void)state;
    const dw_geodetic a = {51.50, 23.00, 3.0};
    const dw_geodetic b = east_north(&a, 4000.0, 0.0, 3.0);
    dw_sensor sn[2] = {node("AC-A", &a, 3000.0, 0.0), node("AC-B", &b, 3000.0, 0.0)};
    seen s;
    dw_pipeline *p = make(sn, 2, &s);
    dw_obs o;
    for (int k = 0; k < 3; k++) {           /* node A alone, three times */
        dw_obs_init(&o, DW_OBS_CELL);
        o.t_us = T0 + k * 2 * S;
        snprintf(o.sensor, sizeof o.sensor, "AC-A");
        assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    }
    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.init_fixes, 0);
    dw_obs_init(&o, DW_OBS_CELL);
    o.t_us = T0 + 5 * S;
    snprintf(o.sensor, sizeof o.sensor, "AC-B");
    o.has = DW_OBS_HAS_RANGE;
    o.radius_m = 3000.0;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.init_fixes, 1);
    assert_int_equal(st.init_started, 1);
    assert_int_equal(st.used_kind[DW_OBS_CELL], 4);
    dw_pipeline_destroy(p);
    free(s.v);
}

/* ADS-B and Remote ID reports carry their identity and are cooperative; a
 * radar's Mode S plot carries the address only; a partner's report neither. */
static void identities_by_who_reports(void **state)
{
    (void)state;
    dw_sensor sn[4];
    sn[0] = radar("PL-RAD-01", NULL, 51.2, 23.4, 200);
    dw_sensor_init(&sn[1], DW_SENSOR_ADSB);
    snprintf(sn[1].id, sizeof sn[1].id, "ADSB-1");
    dw_sensor_init(&sn[2], DW_SENSOR_REMOTE_ID);
    snprintf(sn[2].id, sizeof sn[2].id, "RID-1");
    dw_sensor_init(&sn[3], DW_SENSOR_PARTNER);
    snprintf(sn[3].id, sizeof sn[3].id, "UA-WARN");
    seen s;
    dw_pipeline *p = make(sn, 4, &s);
    dw_obs o;
    dw_obs_init(&o, DW_OBS_POS3);
    o.t_us = T0;
    snprintf(o.sensor, sizeof o.sensor, "ADSB-1");
    o.lat_deg = 52.0;
    o.lon_deg = 21.0;
    o.alt_m = 11000;
    o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_ICAO;
    o.icao = 0x48AE21;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    snprintf(o.sensor, sizeof o.sensor, "RID-1");
    o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_RID;
    snprintf(o.rid, sizeof o.rid, "1581F5FJD229X00000");
    o.lat_deg = 51.0;
    o.alt_m = 100;
    o.t_us = T0 + 100000;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    snprintf(o.sensor, sizeof o.sensor, "UA-WARN");
    o.lat_deg = 51.5;
    o.lon_deg = 24.5;
    o.alt_m = 900;
    o.sigma_pos_m = 3000;
    o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT;
    o.t_us = T0 + 200000;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    dw_obs_init(&o, DW_OBS_POLAR);
    snprintf(o.sensor, sizeof o.sensor, "PL-RAD-01");
    o.t_us = T0 + 300000;
    o.range_m = 50000;
    o.az_rad = 1.0;
    o.el_rad = 0.05;
    o.has = DW_OBS_HAS_EL | DW_OBS_HAS_ICAO;
    o.icao = 0x48AE22;
    assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    assert_int_equal(dw_pipeline_finish(p, T0 + S), DW_OK);
    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.used, 4);
    assert_int_equal(st.keyed, 3);
    assert_int_equal(st.coop, 2);
    /* Cooperative reports start confirmed tracks: both are in the picture at
     * once; the radar plot and the partner's report are not. */
    size_t n_at = 0;
    for (size_t i = 0; i < s.n; i++)
        n_at += s.v[i].t_us == T0 + S;
    assert_int_equal(n_at, 2);
    assert_true(dw_pipeline_id_key("icao:48AE21") != dw_pipeline_id_key("icao:48AE22"));
    assert_true(dw_pipeline_id_key("") != 0);
    dw_pipeline_destroy(p);
    free(s.v);
}

/* Five observations of the September scenario (copied from its run) that made
 * a tentative track take a plot 430 km away at 150 km/s: an AEW plot of an
 * airliner with its Mode S address, the airliner's ADS-B report 1.6 ms later
 * 4 km from it, its next report, another AEW's plot of something far away and
 * a radar plot. The two reports with one key used to be differenced into a
 * velocity (2,800 km/s), the next report missed the track, the key jumped and
 * the keyless track gated anything. Now one cooperative track holds the
 * airliner, at a sane speed, and nothing else is confirmed. (Either the
 * restart with a speed bound or the wider key gate alone passes this; the
 * tracker's keyed_second_report_a_moment_later holds the restart.) */
static void keyed_reports_a_moment_apart_stay_sane(void **state)
{
    (void)state;
    static const char sensors[] =
        "{\"sensors\":[\n"
        "{\"id\":\"PL-RAD-02\",\"wire_id\":\"ASX-048-002\",\"kind\":\"radar\",\"owner\":\"PL\",\"lat_deg\":51.3,"
        "\"lon_deg\":22.88,\"alt_m\":230,\"pd\":0.9,\"max_range_m\":450000,\"min_range_m\":2000,\"period_s\":10,"
        "\"min_el_deg\":-2,\"max_el_deg\":29.999999999999996,\"clutter_per_scan\":3,"
        "\"sigma\":{\"range_m\":100,\"az_deg\":0.2,\"alt_m\":500}},\n"
        "{\"id\":\"IT-CAEW\",\"kind\":\"aew\",\"owner\":\"IT\",\"lat_deg\":52.7,\"lon_deg\":21.4,\"alt_m\":12000,"
        "\"pd\":0.9,\"max_range_m\":400000,\"min_range_m\":1000,\"period_s\":10,\"min_el_deg\":-90,"
        "\"max_el_deg\":90,\"sigma\":{\"range_m\":100,\"az_deg\":0.3,\"el_deg\":0.5}},\n"
        "{\"id\":\"PL-AEW\",\"kind\":\"aew\",\"owner\":\"PL\",\"lat_deg\":51.95,\"lon_deg\":21.6,\"alt_m\":6000,"
        "\"pd\":0.9,\"max_range_m\":350000,\"min_range_m\":1000,\"period_s\":10,\"min_el_deg\":-90,"
        "\"max_el_deg\":90,\"sigma\":{\"range_m\":100,\"az_deg\":0.3,\"el_deg\":0.5}},\n"
        "{\"id\":\"PL-ADSB-WAW\",\"kind\":\"adsb\",\"owner\":\"PL\",\"lat_deg\":52.17,\"lon_deg\":20.97,"
        "\"alt_m\":120,\"pd\":0.95,\"max_range_m\":400000,\"period_s\":1,\"min_el_deg\":-5,\"max_el_deg\":90,"
        "\"sigma\":{\"pos_m\":20}}\n"
        "]}\n";
    static const char *const obs[] = {
        "{\"v\":1,\"type\":\"obs\",\"t_us\":1757470161460796,\"sensor\":\"PL-AEW\",\"kind\":\"POS3\","
        "\"lat_deg\":50.27962023897855,\"lon_deg\":18.51758866616259,\"alt_m\":6720.167068004608,"
        "\"sigma\":{\"pos_m\":1095.7332786756872,\"alt_m\":2298.713787909672},"
        "\"cov_enu\":[714942.0468662847,-913171.887992114,97528.78833431804,-913171.887992114,"
        "1200631.4179973712,75206.569466908,97528.78833431804,75206.569466908,5284085.078726034],"
        "\"icao\":\"461F02\",\"mode3a\":\"1027\",\"callsign\":\"FIN123\"}",
        "{\"v\":1,\"type\":\"obs\",\"t_us\":1757470161462434,\"sensor\":\"PL-ADSB-WAW\",\"kind\":\"POS3\","
        "\"lat_deg\":50.31246347453765,\"lon_deg\":18.484796115480425,\"alt_m\":10998.196826016001,"
        "\"sigma\":{\"pos_m\":100,\"alt_m\":15},\"vel_enu_mps\":[47.040560120018334,-222.86745331044048,0],"
        "\"icao\":\"461F02\",\"mode3a\":\"1027\",\"callsign\":\"FIN123\"}",
        "{\"v\":1,\"type\":\"obs\",\"t_us\":1757470162462434,\"sensor\":\"PL-ADSB-WAW\",\"kind\":\"POS3\","
        "\"lat_deg\":50.31021635927721,\"lon_deg\":18.485332524432994,\"alt_m\":10988.696722080002,"
        "\"sigma\":{\"pos_m\":100,\"alt_m\":15},\"vel_enu_mps\":[47.038583725596865,-222.86787045820768,0],"
        "\"icao\":\"461F02\",\"mode3a\":\"1027\",\"callsign\":\"FIN123\"}",
        "{\"v\":1,\"type\":\"obs\",\"t_us\":1757470164013356,\"sensor\":\"IT-CAEW\",\"kind\":\"POS3\","
        "\"lat_deg\":53.96153489346908,\"lon_deg\":21.72302799205143,\"alt_m\":654.0626049153507,"
        "\"sigma\":{\"pos_m\":551.7380694046005,\"alt_m\":983.1260370447279},"
        "\"cov_enu\":[304414.8972303158,-110020.6489142423,31538.045769606142,-110020.6489142423,"
        "60352.68408681928,82054.91484321581,31538.045769606142,82054.91484321581,966536.8047152717]}",
        "{\"v\":1,\"type\":\"obs\",\"t_us\":1757470170898438,\"sensor\":\"PL-RAD-02\",\"kind\":\"POLAR\","
        "\"alt_m\":2819.4,\"range_m\":247314.34375,\"az_deg\":277.734375,\"mode3a\":\"4302\"}",
    };
    dw_sensor *sn = NULL;
    size_t ns = 0;
    char err[256];
    if (dw_sensors_load_mem(sensors, sizeof sensors - 1, ".json", &sn, &ns, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    assert_int_equal(ns, 4);
    seen s;
    dw_pipeline *p = make(sn, ns, &s);
    for (size_t i = 0; i < sizeof obs / sizeof obs[0]; i++) {
        dw_record rec;
        if (dw_ndjson_parse(obs[i], strlen(obs[i]), &rec, err, sizeof err) != DW_OK)
            fail_msg("obs %zu: %s", i, err);
        assert_int_equal(rec.type, DW_REC_OBS);
        assert_int_equal(dw_pipeline_obs(p, &rec.u.obs), DW_OK);
    }
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.used, 5);
    assert_int_equal(st.tracker.confirmed, 1);
    assert_int_equal(st.tracker.key_jumps, 0);
    assert_int_equal(st.tracker.two_point, 1);
    assert_true(s.n >= 7);
    uint64_t id = s.v[0].id;
    for (size_t i = 0; i < s.n; i++) {
        const dw_track *k = &s.v[i];
        double v = sqrt(k->vel_enu_mps[0] * k->vel_enu_mps[0] + k->vel_enu_mps[1] * k->vel_enu_mps[1] +
                        k->vel_enu_mps[2] * k->vel_enu_mps[2]);
        assert_true(k->id == id);
        assert_true(v < 400.0);
        assert_true(fabs(k->lat_deg - 50.31) < 0.05 && fabs(k->lon_deg - 18.486) < 0.05);
        assert_true(fabs(k->alt_m - 10990.0) < 200.0);
    }
    dw_pipeline_destroy(p);
    free(s.v);
    free(sn);
}

/* A partner reports a drone every 60 s, each report 180 s late, while a radar
 * tracks something else (its batches keep the tracker's clock at the present;
 * the drone is beyond its reach, so it counts no misses there).
 * With the default coast (30 s) the partner's track is dropped at the first
 * radar batch after it, 180 s old; with partner_coast_us 300 s it takes the
 * next reports and is confirmed. The IMM's settings are checked at create. */
static void partner_coast_and_imm_settings(void **state)
{
    (void)state;
    dw_sensor sn[2];
    sn[0] = radar("PL-RAD-01", NULL, 51.2, 23.4, 200);
    dw_sensor_init(&sn[1], DW_SENSOR_PARTNER);
    snprintf(sn[1].id, sizeof sn[1].id, "UA-WARN");
    /* b beyond the radar's 200 km: it looks for it nowhere */
    const target a = {51.5, 23.6, 1500.0, 40.0}, b = {53.3, 23.0, 1000.0, 40.0};
    for (int coast = 0; coast < 2; coast++) {
        seen s;
        memset(&s, 0, sizeof s);
        dw_pipeline_sink sink = {on_report, on_done, on_dead, &s, NULL};
        dw_pipeline_config cfg;
        dw_pipeline_config_default(&cfg);
        cfg.partner_coast_us = coast ? 300 * S : 0;
        cfg.report_us = 10 * S;
        dw_pipeline *p = NULL;
        char err[256];
        assert_int_equal(dw_pipeline_create(sn, 2, &cfg, &sink, &p, err, sizeof err), DW_OK);
        rng_state = 11;
        for (int k = 0; k <= 100; k++) {
            int64_t now = T0 + k * 4 * S;
            dw_obs o = plot(&sn[0], "PL-RAD-01", &a, now, 1.0);
            assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
            if (k >= 45 && k % 15 == 0) {
                int64_t then = now - 180 * S;
                dw_geodetic g = where(&b, then);
                dw_obs_init(&o, DW_OBS_POS3);
                snprintf(o.sensor, sizeof o.sensor, "UA-WARN");
                o.t_us = then;
                o.lat_deg = g.lat_deg;
                o.lon_deg = g.lon_deg;
                o.alt_m = g.alt_m;
                o.sigma_pos_m = 300.0;
                o.sigma_alt_m = 300.0;
                o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT;
                assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
            }
        }
        assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
        /* reports of a track near b */
        size_t near_b = 0;
        for (size_t i = 0; i < s.n; i++)
            near_b += error_m(&s.v[i], &b, NULL) < 5000.0;
        if (coast)
            assert_true(near_b > 0);
        else
            assert_int_equal(near_b, 0);
        dw_pipeline_destroy(p);
        free(s.v);
    }
    /* the IMM: on, and its settings checked */
    dw_pipeline_config cfg;
    dw_pipeline_config_default(&cfg);
    assert_int_equal(cfg.imm, 0);
    cfg.imm = 1;
    seen s;
    memset(&s, 0, sizeof s);
    dw_pipeline_sink sink = {on_report, on_done, on_dead, &s, NULL};
    dw_pipeline *p = NULL;
    char err[256];
    assert_int_equal(dw_pipeline_create(sn, 2, &cfg, &sink, &p, err, sizeof err), DW_OK);
    rng_state = 12;
    feed_scans(p, &sn[0], "PL-RAD-01", &a, 30, 1.0);
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.tracker.confirmed, 1);
    assert_true(s.n > 0 && error_m(&s.v[s.n - 1], &a, NULL) < 300.0);
    dw_pipeline_destroy(p);
    free(s.v);
    cfg.imm_p_turn = 0.6;
    cfg.imm_p_straight = 0.5;
    p = NULL;
    assert_int_equal(dw_pipeline_create(sn, 2, &cfg, &sink, &p, err, sizeof err), DW_ERR_INVALID);
    assert_null(p);
    cfg.imm = 0;        /* the IMM's settings matter only when it is on */
    assert_int_equal(dw_pipeline_create(sn, 2, &cfg, &sink, &p, err, sizeof err), DW_OK);
    dw_pipeline_destroy(p);
}

/* A citizen's report minutes late goes to the tracker at its own time, and a
 * POS2 report near a track updates it without moving its height. */
static void late_pos2_reports_are_used(void **state)
{
    (void)state;
    rng_state = 5;
    dw_sensor r = radar("PL-RAD-01", NULL, 51.2, 23.4, 200);
    seen s;
    dw_pipeline *p = make(&r, 1, &s);
    target tg = {51.35, 23.9, 1000, 40};
    feed_scans(p, &r, "PL-RAD-01", &tg, 40, 1.0);
    /* Reports of where it was 100 s and 60 s ago, 500 m off. */
    for (int k = 0; k < 2; k++) {
        int64_t t_seen = T0 + (k ? 100 : 60) * S;
        dw_geodetic g = where(&tg, t_seen);
        dw_obs o;
        dw_obs_init(&o, DW_OBS_POS2);
        o.t_us = t_seen;
        snprintf(o.sensor, sizeof o.sensor, "PL-CIT");
        o.lat_deg = g.lat_deg + 0.0045;
        o.lon_deg = g.lon_deg;
        o.sigma_pos_m = 2000;
        o.has = DW_OBS_HAS_POS;
        assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    }
    feed_scans(p, &r, "PL-RAD-01", &tg, 0, 1.0);
    assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
    dw_pipeline_stats st;
    dw_pipeline_get_stats(p, &st);
    assert_int_equal(st.used_kind[DW_OBS_POS2], 2);
    assert_int_equal(st.late, 2);
    assert_int_equal(st.tracker.confirmed, 1);
    double dalt;
    double err = error_m(&s.v[s.n - 1], &tg, &dalt);
    if (!(err < 300) || !(fabs(dalt) < 150))
        fail_msg("last report %.0f m from the target, %.0f m in height", err, dalt);
    dw_pipeline_destroy(p);
    free(s.v);
}

/* A 2-D radar's primary plots (range and azimuth, no height) are dropped by
 * default and, with polar_2d, track the target horizontally. */
static void polar_without_height_with_polar_2d(void **state)
{
    (void)state;
    dw_sensor r = radar("PL-RAD-04", NULL, 52.03, 23.10, 190);
    target tg = {52.10, 23.55, 1000, 40};
    for (int on = 0; on < 2; on++) {
        rng_state = 31;
        seen s;
        memset(&s, 0, sizeof s);
        dw_pipeline_sink sink = {on_report, on_done, on_dead, &s, NULL};
        dw_pipeline_config cfg;
        dw_pipeline_config_default(&cfg);
        cfg.polar_2d = on;
        dw_pipeline *p = NULL;
        char err[256];
        assert_int_equal(dw_pipeline_create(&r, 1, &cfg, &sink, &p, err, sizeof err), DW_OK);
        for (int i = 0; i < 60; i++) {
            dw_obs o = plot(&r, "PL-RAD-04", &tg, T0 + i * 4 * S + 123456, 1.0);
            o.has = 0;                          /* no height: a primary plot */
            assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
        }
        assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
        dw_pipeline_stats st;
        dw_pipeline_get_stats(p, &st);
        if (!on) {
            assert_int_equal(st.unsupported, 60);
            assert_int_equal(s.n, 0);
        } else {
            assert_int_equal(st.polar_no_el, 60);
            assert_int_equal(st.tracker.confirmed, 1);
            const dw_track *last = &s.v[s.n - 1];
            dw_geodetic g = where(&tg, last->t_us);
            dw_enu_frame f;
            dw_enu_frame_init(&f, &g);
            dw_geodetic e = {last->lat_deg, last->lon_deg, last->alt_m};
            double d[3];
            dw_enu_from_geo(&f, &e, d);
            print_message("2-D radar: %.0f m horizontally, %.0f m in height\n", hypot(d[0], d[1]), d[2]);
            assert_true(hypot(d[0], d[1]) < 300.0);
        }
        dw_pipeline_destroy(p);
        free(s.v);
    }
}


/* The range rate of the target seen from radar s at t_us: the slant range's rate, by central
 * differences over 10 ms of the truth's own motion. */
static double range_rate_of(const dw_sensor *s, const target *tg, int64_t t_us)
{
    dw_enu_frame f;
    dw_geodetic site = {s->lat_deg, s->lon_deg, s->alt_m};
    dw_enu_frame_init(&f, &site);
    double r[2];
    for (int i = 0; i < 2; i++) {
        dw_geodetic g = where(tg, t_us + (i ? 5000 : -5000));
        double enu[3];
        dw_enu_from_geo(&f, &g, enu);
        r[i] = sqrt(enu[0] * enu[0] + enu[1] * enu[1] + enu[2] * enu[2]);
    }
    return (r[1] - r[0]) / 0.01;
}

/* A Doppler radar's plots: with a range rate and a sigma (the plot's, or the sensor's
 * sigma.range_rate_mps) they are filtered with it (stats.polar_rr), and the track's
 * velocity is right sooner; with a range rate but no sigma anywhere, or without one, the
 * tracks are those of plots without (to the bit); 2-D plots (polar_2d) take it too, as
 * the horizontal distance's rate. */
static void polar_range_rate_is_used(void **state)
{
    (void)state;
    dw_sensor r = radar("PL-RAD-09", NULL, 51.2, 23.4, 200);
    target tg = {51.35, 23.9, 1000, 40};
    /* 0: no range rate; 1: with sigma 0.5 on the plot; 2: with the sensor's sigma (1 m/s);
     * 3: a range rate, no sigma anywhere; 4: 2-D plots with it */
    double vel_err[6] = {0};
    seen s[6];
    for (int v = 0; v < 6; v++) {
        rng_state = 41;
        dw_sensor rs = r;
        rs.sigma_rr_mps = v == 3 ? 0.0 : 1.0;
        dw_pipeline_config cfg;
        dw_pipeline_config_default(&cfg);
        cfg.polar_2d = v >= 4;
        memset(&s[v], 0, sizeof s[v]);
        dw_pipeline_sink sink = {on_report, on_done, on_dead, &s[v], NULL};
        dw_pipeline *p = NULL;
        char err[256];
        assert_int_equal(dw_pipeline_create(&rs, 1, &cfg, &sink, &p, err, sizeof err), DW_OK);
        for (int i = 0; i < 40; i++) {
            const int64_t t = T0 + i * 4 * S + 123456;
            dw_obs o = plot(&rs, "PL-RAD-09", &tg, t, 1.0);
            const double noise = gauss();       /* drawn in every case: the same plots */
            if (v >= 4)
                o.has = 0;
            if (v != 0 && v != 5) {
                o.has |= DW_OBS_HAS_RR;
                o.range_rate_mps = range_rate_of(&rs, &tg, t) + (v == 1 ? 0.5 : 1.0) * noise;
                o.sigma_rr_mps = v == 1 ? 0.5 : 0.0;
            }
            assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
        }
        assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
        dw_pipeline_stats st;
        dw_pipeline_get_stats(p, &st);
        assert_int_equal(st.used, 40);
        assert_int_equal(st.polar_rr, v == 1 || v == 2 || v == 4 ? 40u : 0u);
        assert_int_equal(st.tracker.confirmed, 1);
        /* the velocity's error in the reports from the 3rd scan to the 6th (8 to 20 s) */
        size_t n = 0;
        for (size_t i = 0; i < s[v].n; i++) {
            const dw_track *k = &s[v].v[i];
            if (k->t_us < T0 + 8 * S || k->t_us > T0 + 20 * S)
                continue;
            dw_geodetic g = where(&tg, k->t_us);
            dw_enu_frame f;
            dw_enu_frame_init(&f, &g);
            /* the truth flies west at 40 m/s */
            double de = k->vel_enu_mps[0] + 40.0, dn = k->vel_enu_mps[1], du = k->vel_enu_mps[2];
            vel_err[v] += de * de + dn * dn + du * du;
            n++;
        }
        assert_true(n > 5);
        vel_err[v] = sqrt(vel_err[v] / (double)n);
        dw_pipeline_destroy(p);
    }
    print_message("velocity RMSE from 8 to 20 s: %.1f m/s without the range rate, %.1f with "
                  "(0.5 m/s), %.1f with the sensor's sigma (1 m/s); a 2-D radar %.1f without, "
                  "%.1f with\n", vel_err[0], vel_err[1], vel_err[2], vel_err[5], vel_err[4]);
    assert_true(vel_err[1] < 0.8 * vel_err[0]);
    assert_true(vel_err[2] < 0.8 * vel_err[0]);
    /* a 2-D plot's rate is the horizontal distance's: it says nothing of the climb (as the
     * slant rate did, tens of m/s of it out of a metre per second of noise) */
    assert_true(vel_err[4] < 0.8 * vel_err[5]);
    /* without a sigma the range rate is not used: the same reports to the bit */
    assert_int_equal(s[3].n, s[0].n);
    assert_memory_equal(s[3].v, s[0].v, s[0].n * sizeof *s[0].v);
    for (int v = 0; v < 6; v++)
        free(s[v].v);
}

/* `update = UKF`: the radar's plots through the unscented update track the target as well
 * as the EKF does (within a metre of its error here: far from the radar a plot is nearly
 * linear); an update that is neither is refused. */
static void the_unscented_update_through_the_pipeline(void **state)
{
    (void)state;
    dw_sensor r = radar("PL-RAD-01", NULL, 51.2, 23.4, 200);
    target tg = {51.35, 23.9, 1000, 40};
    double err[2];
    for (int u = 0; u < 2; u++) {
        rng_state = 7;
        seen s;
        memset(&s, 0, sizeof s);
        dw_pipeline_sink sink = {on_report, on_done, on_dead, &s, NULL};
        dw_pipeline_config cfg;
        dw_pipeline_config_default(&cfg);
        assert_int_equal(cfg.update, DW_UPDATE_EKF);
        cfg.update = u ? DW_UPDATE_UKF : DW_UPDATE_EKF;
        dw_pipeline *p = NULL;
        char e[256];
        assert_int_equal(dw_pipeline_create(&r, 1, &cfg, &sink, &p, e, sizeof e), DW_OK);
        feed_scans(p, &r, "PL-RAD-01", &tg, 75, 1.0);
        assert_int_equal(dw_pipeline_finish(p, INT64_MIN), DW_OK);
        dw_pipeline_stats st;
        dw_pipeline_get_stats(p, &st);
        assert_int_equal(st.tracker.confirmed, 1);
        assert_int_equal(st.tracker.ukf_updates, u ? 74u : 0u);
        assert_int_equal(st.tracker.ukf_fallbacks, 0);
        err[u] = error_m(&s.v[s.n - 1], &tg, NULL);
        dw_pipeline_destroy(p);
        free(s.v);
    }
    print_message("last report %.1f m from the target (EKF), %.1f m (UKF)\n", err[0], err[1]);
    assert_true(err[1] < 250.0);
    assert_near(err[1], err[0], 1.0);
    dw_pipeline_config cfg;
    dw_pipeline_config_default(&cfg);
    cfg.update = 2;
    seen s;
    dw_pipeline_sink sink = {on_report, on_done, on_dead, &s, NULL};
    dw_pipeline *p = NULL;
    char e[256];
    assert_int_equal(dw_pipeline_create(&r, 1, &cfg, &sink, &p, e, sizeof e), DW_ERR_INVALID);
    assert_null(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(polar_with_height_only_is_tracked),
    cmocka_unit_test(elevation_from_height_follows_the_curvature),
    cmocka_unit_test(ten_thousand_acoustic_nodes_share_one_slot),
    cmocka_unit_test(what_cannot_be_used_is_counted),
    cmocka_unit_test(wire_ids_name_the_same_sensor),
    cmocka_unit_test(advance_changes_only_when),
    cmocka_unit_test(position_reports_and_a_dropped_track),
    cmocka_unit_test(a_drone_over_an_acoustic_line_is_tracked),
    cmocka_unit_test(overlapping_cells_start_a_track),
    cmocka_unit_test(identities_by_who_reports),
    cmocka_unit_test(keyed_reports_a_moment_apart_stay_sane),
    cmocka_unit_test(partner_coast_and_imm_settings),
    cmocka_unit_test(late_pos2_reports_are_used),
    cmocka_unit_test(polar_without_height_with_polar_2d),
    cmocka_unit_test(polar_range_rate_is_used),
    cmocka_unit_test(the_unscented_update_through_the_pipeline),
};

DW_TEST_MAIN("pipeline", tests)

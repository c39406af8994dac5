/* A misaligned simulated radar (az_bias_deg, range_bias_m in a radar or aew entry): its
 * plots' mean azimuth and range errors against the truth are the configured bias, their
 * spread is still the configured sigma, the default is no bias at all (the same plots,
 * draw for draw), and out-of-range values are refused with the line. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "sim/sensor_int.h"

#define DEG (M_PI / 180.0)
#define START_US 1757451000000000LL     /* 2025-09-09T20:50:00Z */
#define S_US 1000000LL

#define NOTE(...)                                                                           \
    do {                                                                                    \
        if (getenv("DW_TEST_VERBOSE"))                                                      \
            fprintf(stderr, __VA_ARGS__);                                                   \
    } while (0)

typedef struct rec {
    dw_obs o;
    int32_t target;
} rec;

typedef struct collector {
    rec *v;
    size_t n, cap;
} collector;

static void collect(void *ctx, const dw_obs *o, int64_t deliver_us, int32_t target)
{
    (void)deliver_us;
    collector *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
        assert_non_null(c->v);
    }
    rec *r = &c->v[c->n++];
    memset(r, 0, sizeof *r);
    memcpy(&r->o, o, sizeof *o);
    r->target = target;
}

static dw_sim_sensors *load(const char *yaml, char *err, size_t errlen)
{
    dw_doc *d;
    if (dw_doc_load_mem(yaml, strlen(yaml), "test.yaml", &d, err, errlen) != DW_OK)
        fail_msg("%s", err);
    dw_sim_sensors *s = NULL;
    dw_status st = dw_sim_sensors_load(d, json_object_get(dw_doc_root(d), "sensors"), 7,
                                       START_US, &s, err, errlen);
    dw_doc_destroy(d);
    return st == DW_OK ? s : NULL;
}

/* 100 targets of 1 m² at 100 km on a circle about the site, at 2,000 m, flying across the
 * beam. */
static dw_sim_world *ring(double lat, double lon)
{
    enum { NT = 100 };
    dw__sim_target_spec specs[NT];
    for (int i = 0; i < NT; i++) {
        dw__sim_target_spec *s = &specs[i];
        memset(s, 0, sizeof *s);
        snprintf(s->id, sizeof s->id, "T%03d", i);
        double az = 360.0 * i / NT;
        dw_geodetic site = {lat, lon, 0}, p, a, b;
        assert_int_equal(dw_geo_direct(&site, az, 100e3, &p), DW_OK);
        assert_int_equal(dw_geo_direct(&p, az + 90, -3000, &a), DW_OK);
        assert_int_equal(dw_geo_direct(&p, az + 90, 3000, &b), DW_OK);
        s->cls = DW_CLASS_OWA_DRONE;
        s->rcs_m2 = 1.0;
        s->launch_us = START_US;
        s->route[0] = (dw__sim_point){a.lat_deg, a.lon_deg, 2000, 1, ""};
        s->route[1] = (dw__sim_point){b.lat_deg, b.lon_deg, 2000, 1, ""};
        s->n_route = 2;
        s->speed_mps = 10;
        s->alt_m = 2000;
        s->climb_mps = 10;
        s->end = DW_SIM_END_LEAVE;
    }
    dw_sim_world *w = NULL;
    dw_sim_event *ev = NULL;
    size_t n_ev = 0;
    assert_int_equal(dw__sim_world_create(specs, NT, 1, &w, &ev, &n_ev), DW_OK);
    free(ev);
    return w;
}

static void run(dw_sim_sensors *s, dw_sim_world *w, int64_t t1, collector *c)
{
    dw_sim_sink sink = {collect, c};
    for (int64_t t = START_US; t < t1; t += S_US) {
        dw_sim_world_advance(w, t);
        dw_sim_sensors_step(s, w, t, t + S_US, &sink);
    }
}

typedef struct stats {
    double n, sum, sum2;
} stats;

static void add(stats *s, double x)
{
    s->n++;
    s->sum += x;
    s->sum2 += x * x;
}

static double mean(const stats *s) { return s->sum / s->n; }
static double sd(const stats *s)
{
    double m = mean(s);
    return sqrt(s->sum2 / s->n - m * m);
}

/* The plots' errors against the truth seen from site: range, azimuth (and for an aew's
 * positions, the azimuth and range of the reported point from the platform, taken from the
 * truth's frame at the plot instant: the platform is at the orbit's centre only on
 * average, so an aew test uses a zero-radius-like long orbit, see below). */
static void errors(const collector *c, const dw_sim_world *w, const dw_geodetic *site,
                   stats *er, stats *ea)
{
    dw_enu_frame f;
    dw_enu_frame_init(&f, site);
    for (size_t i = 0; i < c->n; i++) {
        const dw_obs *o = &c->v[i].o;
        assert_int_equal(o->kind, DW_OBS_POLAR);
        assert_true(c->v[i].target >= 0);
        dw_sim_state st;
        assert_true(dw_sim_world_state(w, (size_t)c->v[i].target, o->t_us, &st));
        double enu[3], r, az, el;
        dw_enu_from_ecef(&f, st.ecef, enu);
        dw_polar_from_enu(enu, &r, &az, &el);
        add(er, o->range_m - r);
        add(ea, dw_wrap_pi(o->az_rad - az));
    }
}

static const char *radar_fmt =
    "sensors:\n"
    "  - kind: radar\n"
    "    id: PL-RAD-07\n"
    "    lat_deg: 52.0\n"
    "    lon_deg: 23.0\n"
    "    alt_m: 20\n"
    "    sac: 25\n"
    "    sic: 207\n"
    "    period_s: 10\n"
    "    ssr: false\n"
    "    sigma: {range_m: 50, az_deg: 0.2}\n"
    "%s";

static void plots(const char *extra, collector *c, dw_sim_world **w_out)
{
    char yaml[2048], err[512];
    snprintf(yaml, sizeof yaml, radar_fmt, extra);
    dw_sim_sensors *s = load(yaml, err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    dw_sim_world *w = ring(52.0, 23.0);
    run(s, w, START_US + 600 * S_US, c);
    dw_sim_sensors_destroy(s);
    *w_out = w;
}

/* 0.5 degrees and 40 m: the mean errors are the bias (4 sigma of the mean), the spread
 * the sigma. */
static void radar_bias_mean_error(void **state)
{
    (void)state;
    collector c = {0};
    dw_sim_world *w;
    plots("    az_bias_deg: 0.5\n    range_bias_m: 40\n", &c, &w);
    stats er = {0}, ea = {0};
    dw_geodetic site = {52.0, 23.0, 20};
    errors(&c, w, &site, &er, &ea);
    NOTE("radar bias: n %.0f, mean az error %.4f deg (sd %.4f), mean range error %.2f m "
         "(sd %.2f)\n", ea.n, mean(&ea) / DEG, sd(&ea) / DEG, mean(&er), sd(&er));
    assert_true(ea.n > 3000);
    assert_near(mean(&ea), 0.5 * DEG, 4 * 0.2 * DEG / sqrt(ea.n));
    assert_near(mean(&er), 40.0, 4 * 50.0 / sqrt(er.n));
    assert_near(sd(&ea), 0.2 * DEG, 0.2 * DEG * 0.05);
    assert_near(sd(&er), 50.0, 50.0 * 0.05);
    free(c.v);
    dw__sim_world_destroy(w);
}

/* A negative bias across north: the plots' azimuths stay in [0, 2pi). */
static void radar_bias_negative_wraps(void **state)
{
    (void)state;
    collector c = {0};
    dw_sim_world *w;
    plots("    az_bias_deg: -1.5\n    range_bias_m: -120\n", &c, &w);
    stats er = {0}, ea = {0};
    dw_geodetic site = {52.0, 23.0, 20};
    errors(&c, w, &site, &er, &ea);
    for (size_t i = 0; i < c.n; i++)
        assert_true(c.v[i].o.az_rad >= 0 && c.v[i].o.az_rad < 2 * M_PI);
    assert_near(mean(&ea), -1.5 * DEG, 4 * 0.2 * DEG / sqrt(ea.n));
    assert_near(mean(&er), -120.0, 4 * 50.0 / sqrt(er.n));
    free(c.v);
    dw__sim_world_destroy(w);
}

/* No key, or zeros: the very same plots (the bias takes no random draw). */
static void radar_bias_default_is_none(void **state)
{
    (void)state;
    collector a = {0}, b = {0};
    dw_sim_world *wa, *wb;
    plots("", &a, &wa);
    plots("    az_bias_deg: 0\n    range_bias_m: 0\n", &b, &wb);
    assert_int_equal(a.n, b.n);
    assert_true(a.n > 0);
    assert_memory_equal(a.v, b.v, a.n * sizeof *a.v);
    stats er = {0}, ea = {0};
    dw_geodetic site = {52.0, 23.0, 20};
    errors(&a, wa, &site, &er, &ea);
    assert_near(mean(&ea), 0.0, 4 * 0.2 * DEG / sqrt(ea.n));
    assert_near(mean(&er), 0.0, 4 * 50.0 / sqrt(er.n));
    free(a.v);
    free(b.v);
    dw__sim_world_destroy(wa);
    dw__sim_world_destroy(wb);
}

/* An AEW radar takes the keys too: its positions, seen from the platform, are turned by
 * the bias. The platform flies a 2 km orbit; the truth is looked at from where it is at
 * each plot's instant, through the plot's position converted back to polar. */
static void aew_bias(void **state)
{
    (void)state;
    const char *yaml = "sensors:\n"
                       "  - kind: aew\n"
                       "    id: AEW-1\n"
                       "    orbit: {centre: [52.0, 23.0], radius_km: 2}\n"
                       "    alt_m: 9000\n"
                       "    speed_kmh: 1\n"
                       "    ssr: false\n"
                       "    az_bias_deg: 0.5\n"
                       "    sigma: {range_m: 50, az_deg: 0.2, el_deg: 0.2}\n";
    char err[512];
    dw_sim_sensors *s = load(yaml, err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    dw_sim_world *w = ring(52.0, 23.0);
    collector c = {0};
    run(s, w, START_US + 300 * S_US, &c);
    /* At 1 km/h the platform moves 80 m in 300 s: as good as fixed 2 km north of the
     * centre, where the orbit starts (clockwise from north). */
    dw_geodetic centre = {52.0, 23.0, 9000}, plat;
    assert_int_equal(dw_geo_direct(&centre, 0, 2000, &plat), DW_OK);
    plat.alt_m = 9000;
    dw_enu_frame f;
    dw_enu_frame_init(&f, &plat);
    stats ea = {0};
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_int_equal(o->kind, DW_OBS_POS3);
        dw_sim_state st;
        assert_true(dw_sim_world_state(w, (size_t)c.v[i].target, o->t_us, &st));
        dw_geodetic g = {o->lat_deg, o->lon_deg, o->alt_m};
        double ecef[3], e1[3], e2[3], r, a1, a2, el;
        dw_geo_to_ecef(&g, ecef);
        dw_enu_from_ecef(&f, ecef, e1);
        dw_enu_from_ecef(&f, st.ecef, e2);
        dw_polar_from_enu(e1, &r, &a1, &el);
        dw_polar_from_enu(e2, &r, &a2, &el);
        add(&ea, dw_wrap_pi(a1 - a2));
    }
    NOTE("aew bias: n %.0f, mean az error %.4f deg\n", ea.n, mean(&ea) / DEG);
    assert_true(ea.n > 1000);
    /* The platform's 80 m of travel is 0.05 deg at 100 km at most: within the bound. */
    assert_near(mean(&ea), 0.5 * DEG, 4 * 0.2 * DEG / sqrt(ea.n) + 0.05 * DEG);
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

static void radar_bias_out_of_range(void **state)
{
    (void)state;
    char yaml[2048], err[512] = "";
    snprintf(yaml, sizeof yaml, radar_fmt, "    az_bias_deg: 45\n");
    assert_null(load(yaml, err, sizeof err));
    assert_non_null(strstr(err, "az_bias_deg"));
    assert_non_null(strstr(err, "test.yaml:"));
    snprintf(yaml, sizeof yaml, radar_fmt, "    range_bias_m: 20000\n");
    assert_null(load(yaml, err, sizeof err));
    assert_non_null(strstr(err, "range_bias_m"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(radar_bias_mean_error),
    cmocka_unit_test(radar_bias_negative_wraps),
    cmocka_unit_test(radar_bias_default_is_none),
    cmocka_unit_test(aew_bias),
    cmocka_unit_test(radar_bias_out_of_range),
};

DW_TEST_MAIN("sim_radar_bias", tests)

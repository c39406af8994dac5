/* The simulated sensors: their statistics measured over many draws match what the scenario
 * configures (Pd, sigmas, clutter, false-alarm rates, delays, losses), the geometry holds
 * (the radar horizon, the acoustic radius), the same seed gives the same output, and bad
 * entries fail with the file and line. */
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

/* DW_TEST_VERBOSE=1 prints what each test measured. */
#define NOTE(...)                                                                           \
    do {                                                                                    \
        if (getenv("DW_TEST_VERBOSE"))                                                      \
            fprintf(stderr, __VA_ARGS__);                                                   \
    } while (0)

/* ------------------------------------------------------------------ helpers */

typedef struct rec {
    dw_obs o;
    int64_t deliver_us;
    int32_t target;
} rec;

typedef struct collector {
    rec *v;
    size_t n, cap;
} collector;

static void collect(void *ctx, const dw_obs *o, int64_t deliver_us, int32_t target)
{
    collector *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
        assert_non_null(c->v);
    }
    rec *r = &c->v[c->n++];
    memset(r, 0, sizeof *r);        /* padding too: runs are compared byte for byte */
    memcpy(&r->o, o, sizeof *o);
    r->deliver_us = deliver_us;
    r->target = target;
}

static dw_sim_sensors *load_seed(const char *yaml, uint64_t seed)
{
    dw_doc *d;
    char err[512];
    if (dw_doc_load_mem(yaml, strlen(yaml), "test.yaml", &d, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    dw_sim_sensors *s = NULL;
    if (dw_sim_sensors_load(d, json_object_get(dw_doc_root(d), "sensors"), seed, START_US, &s, err,
                            sizeof err) != DW_OK)
        fail_msg("%s", err);
    dw_doc_destroy(d);
    return s;
}

static dw_sim_sensors *load(const char *yaml)
{
    return load_seed(yaml, 7);
}

/* The load must fail, with a message that contains want. */
static void load_fails(const char *yaml, const char *want)
{
    dw_doc *d;
    char err[512] = "";
    assert_int_equal(dw_doc_load_mem(yaml, strlen(yaml), "test.yaml", &d, err, sizeof err), DW_OK);
    dw_sim_sensors *s = NULL;
    dw_status st = dw_sim_sensors_load(d, json_object_get(dw_doc_root(d), "sensors"), 7, START_US,
                                       &s, err, sizeof err);
    dw_doc_destroy(d);
    if (st != DW_ERR_PARSE || !strstr(err, want)) {
        fprintf(stderr, "status %s, err '%s', wanted '%s'\n", dw_status_name(st), err, want);
        fail();
    }
    assert_null(s);
}

/* A target flying the great circle from a to b at alt_m and speed_mps, launched at t0. */
static dw__sim_target_spec line_target(const char *id, double lat0, double lon0, double lat1,
                                       double lon1, double alt_m, double speed_mps, uint32_t flags)
{
    dw__sim_target_spec s;
    memset(&s, 0, sizeof s);
    snprintf(s.id, sizeof s.id, "%s", id);
    s.cls = DW_CLASS_OWA_DRONE;
    s.flags = flags;
    s.rcs_m2 = 1.0;
    s.sound_db = 110;
    s.launch_us = START_US;
    s.route[0] = (dw__sim_point){lat0, lon0, alt_m, 1, ""};
    s.route[1] = (dw__sim_point){lat1, lon1, alt_m, 1, ""};
    s.n_route = 2;
    s.speed_mps = speed_mps;
    s.alt_m = alt_m;
    s.climb_mps = 10;
    s.end = DW_SIM_END_LEAVE;
    return s;
}

static dw__sim_target_spec line_from(const char *id, double lat, double lon, double az_deg,
                                     double before_m, double after_m, double alt_m,
                                     double speed_mps, uint32_t flags)
{
    dw_geodetic p = {lat, lon, 0}, a, b;
    assert_int_equal(dw_geo_direct(&p, az_deg, -before_m, &a), DW_OK);
    assert_int_equal(dw_geo_direct(&p, az_deg, after_m, &b), DW_OK);
    return line_target(id, a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg, alt_m, speed_mps, flags);
}

static dw_sim_world *world(const dw__sim_target_spec *specs, size_t n)
{
    dw_sim_world *w = NULL;
    dw_sim_event *ev = NULL;
    size_t n_ev = 0;
    assert_int_equal(dw__sim_world_create(specs, n, 1, &w, &ev, &n_ev), DW_OK);
    free(ev);
    return w;
}

static void run(dw_sim_sensors *s, dw_sim_world *w, int64_t t0, int64_t t1, int64_t step,
                collector *c)
{
    dw_sim_sink sink = {collect, c};
    for (int64_t t = t0; t < t1; t += step) {
        dw_sim_world_advance(w, t);
        dw_sim_sensors_step(s, w, t, t + step < t1 ? t + step : t1, &sink);
    }
}

/* Range, azimuth and elevation of a target's true position at t from a site. */
static void truth_polar(const dw_sim_world *w, int32_t target, int64_t t, const dw_geodetic *site,
                        double *r, double *az, double *el, dw_sim_state *st)
{
    dw_sim_state s;
    assert_true(dw_sim_world_state(w, (size_t)target, t, &s));
    dw_enu_frame f;
    dw_enu_frame_init(&f, site);
    double enu[3];
    dw_enu_from_ecef(&f, s.ecef, enu);
    dw_polar_from_enu(enu, r, az, el);
    if (st)
        *st = s;
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

/* Error of a reported position against the truth, metres east and north. */
static void en_error(double lat, double lon, const dw_sim_state *s, double *de, double *dn)
{
    dw_enu_frame f;
    dw_geodetic g = {s->truth.lat_deg, s->truth.lon_deg, 0};
    dw_enu_frame_init(&f, &g);
    dw_geodetic p = {lat, lon, 0};
    double enu[3];
    dw_enu_from_geo(&f, &p, enu);
    *de = enu[0];
    *dn = enu[1];
}

/* ------------------------------------------------------------------ radar */

static const char *radar_3d =
    "sensors:\n"
    "  - kind: radar\n"
    "    id: PL-RAD-01\n"
    "    owner: PL\n"
    "    lat_deg: 52.0\n"
    "    lon_deg: 23.0\n"
    "    alt_m: 20\n"
    "    sac: 25\n"
    "    sic: 201\n"
    "    period_s: 10\n"
    "    max_range_km: 250\n"
    "    pd: 0.9\n"
    "    ref_range_km: 100\n"
    "    ref_rcs_m2: 1\n"
    "    pfa: 0.000001\n"
    "    height: true\n"
    "    ssr: false\n"
    "    sigma: {range_m: 50, az_deg: 0.2, height_m: 300}\n";

/* 200 targets of the reference RCS on a circle at the reference range, flying across the
 * beam: 50 scans give 10,000 chances to detect, and the plots' errors. */
static void radar_pd_and_sigmas(void **state)
{
    (void)state;
    dw_sim_sensors *s = load(radar_3d);
    size_t n_tab;
    const dw_sim_sensor_info *tab = dw_sim_sensors_table(s, &n_tab);
    assert_int_equal(n_tab, 1);
    assert_string_equal(tab[0].desc.id, "PL-RAD-01");
    assert_string_equal(tab[0].desc.wire_id, "ASX-025-201");
    assert_string_equal(tab[0].desc.owner, "PL");
    assert_int_equal(tab[0].desc.kind, DW_SENSOR_RADAR);
    assert_int_equal(tab[0].stream, DW_SIM_STREAM_ASTERIX);
    assert_true(tab[0].desc.period_us == 10 * S_US);
    assert_near(tab[0].desc.sigma_range_m, 50, 0);
    assert_near(tab[0].desc.sigma_az_rad, 0.2 * DEG, 1e-15);

    enum { NT = 200 };
    dw__sim_target_spec specs[NT];
    for (int i = 0; i < NT; i++) {
        char id[16];
        snprintf(id, sizeof id, "T%03d", i);
        double az = 360.0 * i / NT;
        /* The slant range is the reference range at the middle of the pass. */
        double ground = sqrt(100e3 * 100e3 - 1980.0 * 1980.0);
        dw_geodetic site = {52.0, 23.0, 0}, p;
        assert_int_equal(dw_geo_direct(&site, az, ground, &p), DW_OK);
        specs[i] = line_from(id, p.lat_deg, p.lon_deg, az + 90, 3000, 3000, 2000, 10, 0);
    }
    dw_sim_world *w = world(specs, NT);
    collector c = {0};
    run(s, w, START_US, START_US + 500 * S_US, S_US, &c);

    dw_geodetic site = {52.0, 23.0, 20};
    stats er = {0}, ea = {0}, eh = {0};
    size_t hits = 0;
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_int_equal(o->kind, DW_OBS_POLAR);
        assert_string_equal(o->sensor, "PL-RAD-01");
        assert_int_equal(o->sensor_idx, 0);
        assert_true(c.v[i].deliver_us == o->t_us);
        assert_true(o->has & DW_OBS_HAS_ALT);
        assert_false(o->has & (DW_OBS_HAS_EL | DW_OBS_HAS_MODE3A | DW_OBS_HAS_ICAO));
        assert_near(o->sigma_range_m, 50, 0);
        assert_near(o->sigma_az_rad, 0.2 * DEG, 1e-15);
        assert_near(o->sigma_alt_m, 300, 0);
        assert_true(c.v[i].target >= 0);
        hits++;
        double r, az, el;
        dw_sim_state st;
        truth_polar(w, c.v[i].target, o->t_us, &site, &r, &az, &el, &st);
        add(&er, o->range_m - r);
        add(&ea, dw_wrap_pi(o->az_rad - az));
        add(&eh, o->alt_m - st.truth.alt_m);
    }
    /* Pd at the reference range: binomial, 4 sigma. */
    double trials = NT * 50.0, pd = hits / trials;
    NOTE("radar: pd %.4f, sd range %.2f m, az %.4f deg, height %.1f m (n %zu)\n", pd, sd(&er),
         sd(&ea) / DEG, sd(&eh), hits);
    assert_near(pd, 0.9, 4 * sqrt(0.9 * 0.1 / trials));
    assert_near(sd(&er), 50, 50 * 0.04);
    assert_near(sd(&ea), 0.2 * DEG, 0.2 * DEG * 0.04);
    assert_near(sd(&eh), 300, 300 * 0.04);
    assert_near(mean(&er), 0, 4 * 50 / sqrt(er.n));
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

static void radar_clutter_per_scan(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: radar\n"
                             "    id: R\n"
                             "    lat_deg: 52.0\n"
                             "    lon_deg: 23.0\n"
                             "    sac: 1\n"
                             "    sic: 2\n"
                             "    period_s: 5\n"
                             "    min_range_km: 2\n"
                             "    max_range_km: 150\n"
                             "    clutter_per_scan: 4\n");
    dw_sim_world *w = world(NULL, 0);
    collector c = {0};
    enum { SCANS = 4000 };
    run(s, w, START_US, START_US + SCANS * 5 * S_US, 2 * S_US, &c);
    double per_scan = (double)c.n / SCANS;
    NOTE("clutter: %.3f plots a scan\n", per_scan);
    assert_near(per_scan, 4.0, 4 * sqrt(4.0 / SCANS));
    size_t inner = 0;
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_int_equal(c.v[i].target, -1);
        assert_true(o->range_m >= 2000 && o->range_m <= 150000);
        inner += o->range_m < sqrt((2000.0 * 2000 + 150000.0 * 150000) / 2);
    }
    /* Uniform over the area: half the plots inside the radius that halves the annulus. */
    assert_near((double)inner / c.n, 0.5, 4 * sqrt(0.25 / c.n));
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

/* A 20 m antenna: a drone at 100 m is below the horizon at 80 km, one at 2,000 m is not. */
static void radar_horizon(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: radar\n"
                             "    id: R\n"
                             "    lat_deg: 52.0\n"
                             "    lon_deg: 23.0\n"
                             "    alt_m: 20\n"
                             "    sac: 1\n"
                             "    sic: 2\n"
                             "    pd: 0.99\n");
    dw_geodetic site = {52.0, 23.0, 0}, p, q;
    assert_int_equal(dw_geo_direct(&site, 90, 80e3, &p), DW_OK);
    assert_int_equal(dw_geo_direct(&site, 270, 80e3, &q), DW_OK);
    dw__sim_target_spec specs[2] = {
        line_from("LOW", p.lat_deg, p.lon_deg, 0, 1000, 1000, 100, 5, 0),
        line_from("HIGH", q.lat_deg, q.lon_deg, 0, 1000, 1000, 2000, 5, 0),
    };
    specs[0].rcs_m2 = specs[1].rcs_m2 = 10;
    dw_sim_world *w = world(specs, 2);
    collector c = {0};
    run(s, w, START_US, START_US + 200 * S_US, S_US, &c);
    size_t low = 0, high = 0;
    for (size_t i = 0; i < c.n; i++) {
        low += c.v[i].target == 0;
        high += c.v[i].target == 1;
    }
    assert_int_equal(low, 0);
    assert_true(high >= 18);
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

/* A 2-D radar: no height from the primary, Mode 3/A and C from the secondary, and the
 * ICAO address and callsign from a Mode S transponder. */
static void radar_ssr(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: radar\n"
                             "    id: R\n"
                             "    site: [52.0, 23.0]\n"
                             "    sac: 1\n"
                             "    sic: 2\n"
                             "    ssr_pd: 1\n"
                             "    report_rcs: true\n");
    dw__sim_target_spec specs[3] = {
        line_from("DRONE", 52.3, 23.2, 0, 1000, 10000, 1000, 40, 0),
        line_from("GA", 52.3, 22.8, 0, 1000, 10000, 1500, 50, DW_SIM_SSR),
        line_from("LOT1", 51.7, 23.0, 90, 1000, 30000, 10000, 230, DW_SIM_SSR | DW_SIM_ADSB),
    };
    specs[1].mode3a = 07000;
    specs[2].mode3a = 01234;
    specs[2].icao = 0x48AE21;
    snprintf(specs[2].callsign, sizeof specs[2].callsign, "LOT1");
    specs[2].rcs_m2 = 0;            /* seen by the secondary only */
    dw_sim_world *w = world(specs, 3);
    collector c = {0};
    run(s, w, START_US, START_US + 100 * S_US, S_US, &c);
    size_t n[3] = {0};
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        dw_sim_state st;
        assert_true(dw_sim_world_state(w, (size_t)c.v[i].target, o->t_us, &st));
        n[c.v[i].target]++;
        switch (c.v[i].target) {
        case 0:
            assert_int_equal(o->has & ~DW_OBS_HAS_RCS, 0);
            break;
        case 1:
            assert_true(o->has & DW_OBS_HAS_MODE3A);
            assert_int_equal(o->mode3a, 07000);
            assert_true(o->has & DW_OBS_HAS_ALT);
            assert_near(o->alt_m, st.truth.alt_m, 1e-9);
            assert_false(o->has & DW_OBS_HAS_ICAO);
            break;
        default:
            assert_int_equal(o->mode3a, 01234);
            assert_true(o->has & DW_OBS_HAS_ICAO);
            assert_int_equal(o->icao, 0x48AE21);
            assert_string_equal(o->callsign, "LOT1");
            assert_false(o->has & DW_OBS_HAS_RCS);
            break;
        }
    }
    assert_true(n[0] >= 9 && n[1] == 10 && n[2] == 10);
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

/* ------------------------------------------------------------------ aew */

static int inv3(const double a[3][3], double b[3][3])
{
    double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                 a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                 a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    if (!(fabs(det) > 0))
        return -1;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
            b[i][j] = (a[i1][j1] * a[i2][j2] - a[i1][j2] * a[i2][j1]) / det;
        }
    return 0;
}

/* Positions whose covariance is right: the mean normalised error squared is 3. */
static void aew_covariance(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: aew\n"
                             "    id: AEW-1\n"
                             "    orbit: {centre: [52.5, 21.0], radius_km: 40}\n"
                             "    alt_m: 9000\n"
                             "    speed_kmh: 650\n"
                             "    on: +00:00:30\n"
                             "    sigma: {range_m: 100, az_deg: 0.3, el_deg: 0.5}\n");
    size_t n_tab;
    const dw_sim_sensor_info *tab = dw_sim_sensors_table(s, &n_tab);
    assert_int_equal(tab[0].desc.kind, DW_SENSOR_AEW);
    assert_int_equal(tab[0].stream, DW_SIM_STREAM_SAPIENT);
    enum { NT = 60 };
    dw__sim_target_spec specs[NT];
    for (int i = 0; i < NT; i++) {
        char id[16];
        snprintf(id, sizeof id, "T%02d", i);
        dw_geodetic c = {52.5, 21.0, 0}, p;
        assert_int_equal(dw_geo_direct(&c, 360.0 * i / NT, 60e3 + 1500.0 * i, &p), DW_OK);
        specs[i] = line_from(id, p.lat_deg, p.lon_deg, 17.0 * i, 100, 20000, 1000, 50, 0);
        specs[i].rcs_m2 = 5;
    }
    dw_sim_world *w = world(specs, NT);
    collector c = {0};
    run(s, w, START_US, START_US + 330 * S_US, S_US, &c);
    stats nees = {0};
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_true(o->t_us >= START_US + 30 * S_US);
        assert_int_equal(o->kind, DW_OBS_POS3);
        assert_true(o->has & DW_OBS_HAS_COV);
        assert_true(c.v[i].target >= 0);
        dw_sim_state st;
        assert_true(dw_sim_world_state(w, (size_t)c.v[i].target, o->t_us, &st));
        dw_geodetic g = {o->lat_deg, o->lon_deg, o->alt_m};
        dw_enu_frame f;
        dw_enu_frame_init(&f, &g);
        double e[3], inv[3][3] = {{0}};
        dw_enu_from_ecef(&f, st.ecef, e);
        assert_int_equal(inv3(o->cov_enu, inv), 0);
        double x = 0;
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                x += e[a] * inv[a][b] * e[b];
        add(&nees, x);
    }
    NOTE("aew: mean NEES %.3f over %.0f plots\n", mean(&nees), nees.n);
    assert_true(nees.n > 1000);
    assert_near(mean(&nees), 3.0, 4 * sqrt(6.0 / nees.n) + 0.05);
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

/* ------------------------------------------------------------------ acoustic */

static void acoustic_radius(void **state)
{
    (void)state;
    /* A line of nodes 2 km apart along a parallel, targets crossing it at 100 m. */
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: acoustic\n"
                             "    id_prefix: SF\n"
                             "    owner: UA\n"
                             "    line: [[50.0, 30.0], [50.0, 31.0]]\n"
                             "    spacing_km: 2\n"
                             "    radius_km: 3\n"
                             "    ref_sound_db: 110\n"
                             "    absorption_db_per_km: 0\n"
                             "    pd: 0.8\n"
                             "    bearing_sigma_deg: 5\n"
                             "    period_s: 2\n");
    size_t n_tab;
    const dw_sim_sensor_info *tab = dw_sim_sensors_table(s, &n_tab);
    /* 71.7 km of line: nodes at 0, 2, ..., 70 km. */
    assert_int_equal(n_tab, 36);
    assert_string_equal(tab[0].desc.id, "SF-00001");
    assert_string_equal(tab[35].desc.id, "SF-00036");
    assert_string_equal(tab[0].desc.owner, "UA");
    assert_int_equal(tab[0].stream, DW_SIM_STREAM_SAPIENT);
    assert_near(tab[0].desc.lat_deg, 50.0, 1e-9);
    assert_near(tab[0].desc.alt_m, 3, 0);
    enum { NT = 12 };
    dw__sim_target_spec specs[NT];
    for (int i = 0; i < NT; i++) {
        char id[16];
        snprintf(id, sizeof id, "T%02d", i);
        specs[i] = line_from(id, 50.0, 30.1 + 0.07 * i, 10.0 * i, 20000, 20000, 100, 50,
                             DW_SIM_AUDIBLE);
    }
    specs[10].sound_db = 104;           /* half the radius */
    specs[11].flags = 0;                /* silent */
    dw_sim_world *w = world(specs, NT);
    collector c = {0};
    run(s, w, START_US, START_US + 800 * S_US, S_US, &c);
    stats eaz = {0};
    size_t by[NT] = {0};
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_int_equal(o->kind, DW_OBS_BEARING);
        assert_true(o->sensor_idx < n_tab);
        assert_string_equal(o->sensor, tab[o->sensor_idx].desc.id);
        assert_near(o->sigma_az_rad, 5 * DEG, 1e-12);
        int32_t k = c.v[i].target;
        assert_true(k >= 0);
        by[k]++;
        const dw_sensor *nd = &tab[o->sensor_idx].desc;
        dw_geodetic site = {nd->lat_deg, nd->lon_deg, nd->alt_m};
        double r, az, el;
        truth_polar(w, k, o->t_us, &site, &r, &az, &el, NULL);
        assert_true(r < (k == 10 ? 1505.0 : 3000.0));
        add(&eaz, dw_wrap_pi(o->az_rad - az));
    }
    NOTE("acoustic: %zu bearings, sd %.3f deg\n", c.n, sd(&eaz) / DEG);
    assert_int_equal(by[11], 0);
    for (int k = 0; k < 11; k++)
        assert_true(by[k] > 0);
    assert_near(sd(&eaz), 5 * DEG, 5 * DEG * 0.06);
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

/* Nodes report the classes they listen for (drones by default), and the air takes its
 * share: a 130 dB source is heard well short of the 30 km that spreading alone gives. */
static void acoustic_listens_for_drones(void **state)
{
    (void)state;
    const char *yaml[2] = {"sensors:\n"
                           "  - kind: acoustic\n"
                           "    id_prefix: N\n"
                           "    points: [[50.0, 30.0]]\n"
                           "    radius_km: 3\n"
                           "    ref_sound_db: 110\n"
                           "    pd: 1\n"
                           "    bearing_sigma_deg: 5\n"
                           "    period_s: 1\n",
                           "sensors:\n"
                           "  - kind: acoustic\n"
                           "    id_prefix: N\n"
                           "    points: [[50.0, 30.0]]\n"
                           "    radius_km: 3\n"
                           "    ref_sound_db: 110\n"
                           "    pd: 1\n"
                           "    bearing_sigma_deg: 5\n"
                           "    period_s: 1\n"
                           "    classes: [fighter, decoy]\n"};
    for (int v = 0; v < 2; v++) {
        dw_sim_sensors *s = load(yaml[v]);
        dw__sim_target_spec specs[2];
        specs[0] = line_from("JET", 50.0, 30.0, 90, 40000, 40000, 100, 200, DW_SIM_AUDIBLE);
        specs[0].cls = DW_CLASS_FIGHTER;
        specs[0].sound_db = 130;
        specs[1] = line_from("DECOY", 50.0, 30.0, 0, 40000, 40000, 100, 200, DW_SIM_AUDIBLE);
        specs[1].cls = DW_CLASS_DECOY;
        specs[1].sound_db = 130;
        dw_sim_world *w = world(specs, 2);
        collector c = {0};
        run(s, w, START_US, START_US + 400 * S_US, S_US, &c);
        size_t by[2] = {0};
        double far = 0;
        dw_geodetic site = {50.0, 30.0, 3};
        for (size_t i = 0; i < c.n; i++) {
            int32_t k = c.v[i].target;
            assert_true(k == 0 || k == 1);
            by[k]++;
            double r, az, el;
            truth_polar(w, k, c.v[i].o.t_us, &site, &r, &az, &el, NULL);
            far = fmax(far, r);
        }
        NOTE("acoustic classes variant %d: jet %zu, decoy %zu reports, farthest %.0f m\n", v,
             by[0], by[1], far);
        assert_true(by[1] > 0);
        if (v == 0)
            assert_int_equal(by[0], 0);
        else
            assert_true(by[0] > 0);
        /* 2 dB/km by default: 20 log d + 2 d(km) = 20 log 3000 + 6 + 20 dB at d = 8.48 km
         * (30 km without the air's share). */
        assert_true(far > 6000 && far < 8490);
        free(c.v);
        dw__sim_world_destroy(w);
        dw_sim_sensors_destroy(s);
    }
}

/* Inside half the radius a node hears with the full pd, once per period. */
static void acoustic_pd_near(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: acoustic\n"
                             "    id_prefix: N\n"
                             "    points: [[50.0, 30.0]]\n"
                             "    radius_km: 20\n"
                             "    pd: 0.7\n"
                             "    period_s: 2\n");
    size_t n_tab;
    const dw_sim_sensor_info *tab = dw_sim_sensors_table(s, &n_tab);
    assert_int_equal(n_tab, 1);
    assert_int_equal(tab[0].stream, DW_SIM_STREAM_SAPIENT);  /* cells too: location + radius */
    /* Within 8 km (< R/2) for the whole run: 4,000 s, 2,000 reports due. */
    dw__sim_target_spec t = line_from("T", 50.0, 30.0, 90, 4000, 4000, 300, 2, DW_SIM_AUDIBLE);
    dw_sim_world *w = world(&t, 1);
    collector c = {0};
    run(s, w, START_US, START_US + 4000 * S_US, S_US, &c);
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_int_equal(o->kind, DW_OBS_CELL);
        assert_true((o->has & (DW_OBS_HAS_POS | DW_OBS_HAS_RANGE)) ==
                    (DW_OBS_HAS_POS | DW_OBS_HAS_RANGE));
        assert_near(o->lat_deg, 50.0, 1e-12);
        assert_near(o->lon_deg, 30.0, 1e-12);
        assert_near(o->radius_m, 20000, 0);
    }
    NOTE("acoustic: pd near %.4f\n", c.n / 2000.0);
    assert_near(c.n / 2000.0, 0.7, 4 * sqrt(0.7 * 0.3 / 2000));
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

static void acoustic_false_alarms(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: acoustic\n"
                             "    id_prefix: G\n"
                             "    grid: {south: 50.0, west: 30.0, north: 51.0, east: 31.5}\n"
                             "    count: 1000\n"
                             "    bearing_sigma_deg: 4\n"
                             "    false_alarms_per_hour: 3\n");
    size_t n_tab;
    dw_sim_sensors_table(s, &n_tab);
    assert_true(n_tab >= 950 && n_tab <= 1050);
    dw_sim_world *w = world(NULL, 0);
    collector c = {0};
    run(s, w, START_US, START_US + 5 * 3600 * S_US, 1 * S_US, &c);
    double expect = 3.0 * (double)n_tab * 5;
    NOTE("acoustic: %zu nodes, %.4f false alarms per node-hour\n", n_tab, c.n / (n_tab * 5.0));
    assert_near((double)c.n, expect, 4 * sqrt(expect));
    stats az = {0};
    for (size_t i = 0; i < c.n; i++) {
        assert_int_equal(c.v[i].target, -1);
        assert_int_equal(c.v[i].o.kind, DW_OBS_BEARING);
        add(&az, c.v[i].o.az_rad);
    }
    assert_near(mean(&az), M_PI, 4 * (2 * M_PI / sqrt(12)) / sqrt(az.n));
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

/* A Sky Fortress-sized network: 10,000 nodes, 800 targets. Only that it completes. */
static void acoustic_scale(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: acoustic\n"
                             "    id_prefix: SF\n"
                             "    grid: {south: 46.0, west: 24.0, north: 52.0, east: 40.0}\n"
                             "    count: 10000\n"
                             "    radius_km: 8\n"
                             "    bearing_sigma_deg: 5\n"
                             "    false_alarms_per_hour: 0.5\n");
    size_t n_tab;
    dw_sim_sensors_table(s, &n_tab);
    assert_true(n_tab >= 9500 && n_tab <= 10500);
    enum { NT = 800 };
    dw__sim_target_spec *specs = calloc(NT, sizeof *specs);
    assert_non_null(specs);
    dw_rng r;
    dw_rng_seed(&r, 3, 4);
    for (int i = 0; i < NT; i++) {
        char id[16];
        snprintf(id, sizeof id, "D%03d", i);
        specs[i] = line_from(id, 46.5 + 5 * dw_rng_uniform(&r), 25 + 14 * dw_rng_uniform(&r),
                             360 * dw_rng_uniform(&r), 0, 100000, 300 + 2000 * dw_rng_uniform(&r),
                             50, DW_SIM_AUDIBLE);
    }
    dw_sim_world *w = world(specs, NT);
    collector c = {0};
    run(s, w, START_US, START_US + 60 * S_US, S_US, &c);
    assert_true(c.n > 0);
    free(c.v);
    free(specs);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

/* ------------------------------------------------------------------ rf, eo */

static void rf_bearings(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: rf\n"
                             "    id: RF-1\n"
                             "    lat_deg: 50.0\n"
                             "    lon_deg: 30.0\n"
                             "    range_km: 15\n"
                             "    pd: 0.6\n"
                             "    bearing_sigma_deg: 3\n"
                             "    period_s: 1\n");
    dw__sim_target_spec specs[4] = {
        line_from("Q1", 50.03, 30.0, 90, 200, 8000, 120, 10, DW_SIM_RF),
        line_from("Q2", 49.95, 30.05, 0, 200, 8000, 150, 10, DW_SIM_RF),
        line_from("Q3", 50.0, 29.9, 45, 200, 8000, 200, 10, DW_SIM_RF),
        line_from("SILENT", 50.02, 30.02, 0, 200, 8000, 100, 10, 0),
    };
    dw_sim_world *w = world(specs, 4);
    collector c = {0};
    run(s, w, START_US, START_US + 800 * S_US, S_US, &c);
    stats e = {0};
    dw_geodetic site = {50.0, 30.0, 10};
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_int_equal(o->kind, DW_OBS_BEARING);
        assert_true(c.v[i].target >= 0 && c.v[i].target < 3);
        double r, az, el;
        truth_polar(w, c.v[i].target, o->t_us, &site, &r, &az, &el, NULL);
        add(&e, dw_wrap_pi(o->az_rad - az));
    }
    NOTE("rf: pd %.4f, sd %.3f deg\n", e.n / 2400.0, sd(&e) / DEG);
    assert_near(e.n / 2400.0, 0.6, 4 * sqrt(0.24 / 2400));
    assert_near(sd(&e), 3 * DEG, 3 * DEG * 0.08);
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

static void eo_sector_and_class(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: eo\n"
                             "    id: CAM-1\n"
                             "    lat_deg: 50.0\n"
                             "    lon_deg: 30.0\n"
                             "    alt_m: 15\n"
                             "    range_km: 8\n"
                             "    from_deg: 315\n"
                             "    to_deg: 45\n"
                             "    p_correct: 0.6\n");
    dw__sim_target_spec specs[2] = {
        line_from("NORTH", 50.03, 30.0, 90, 100, 100, 300, 1, 0),
        line_from("SOUTH", 49.97, 30.0, 90, 100, 100, 300, 1, 0),
    };
    specs[0].cls = DW_CLASS_QUADCOPTER;
    dw_sim_world *w = world(specs, 2);
    collector c = {0};
    run(s, w, START_US, START_US + 100 * S_US, S_US, &c);
    assert_true(c.n > 50);
    dw_geodetic site = {50.0, 30.0, 15};
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_int_equal(c.v[i].target, 0);
        assert_true(o->has & DW_OBS_HAS_EL);
        assert_true(o->has & DW_OBS_HAS_CLASS);
        assert_near(o->class_score[DW_CLASS_QUADCOPTER], 0.6, 1e-6);
        assert_near(o->class_score[DW_CLASS_BIRD], 0.05, 1e-6);
        double r, az, el;
        truth_polar(w, 0, o->t_us, &site, &r, &az, &el, NULL);
        assert_near(o->el_rad, el, 6 * 0.2 * DEG);
    }
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

/* ------------------------------------------------------------------ citizens, partner */

static void citizens_reports(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: citizens\n"
                             "    id: EPPO\n"
                             "    area: {south: 49.0, west: 29.0, north: 51.0, east: 33.0}\n"
                             "    rate_per_min: 2\n"
                             "    delay_min_s: 30\n"
                             "    delay_mean_s: 120\n"
                             "    sigma_m: 2000\n"
                             "    false_per_hour: 1000\n");
    enum { NT = 22 };
    dw__sim_target_spec specs[NT];
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "G%02d", i);
        specs[i] = line_from(id, 49.5 + 0.05 * i, 30.0, 90, 0, 200000, 800, 40, DW_SIM_AUDIBLE);
    }
    specs[20] = line_from("HIGH", 50.0, 30.0, 90, 0, 200000, 4000, 40, DW_SIM_AUDIBLE);
    specs[21] = line_from("QUIET", 50.1, 30.0, 90, 0, 200000, 500, 40, 0);
    dw_sim_world *w = world(specs, NT);
    collector c = {0};
    run(s, w, START_US, START_US + 3600 * S_US, S_US, &c);
    stats delay = {0}, ee = {0}, en = {0};
    double dmin = 1e18;
    size_t real = 0, fake = 0;
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_int_equal(o->kind, DW_OBS_POS2);
        assert_near(o->sigma_pos_m, 2000, 0);
        double d = (double)(c.v[i].deliver_us - o->t_us) * 1e-6;
        add(&delay, d);
        dmin = fmin(dmin, d);
        if (c.v[i].target < 0) {
            fake++;
            assert_true(o->lat_deg >= 49 && o->lat_deg <= 51 && o->lon_deg >= 29 && o->lon_deg <= 33);
            continue;
        }
        assert_true(c.v[i].target < 20);
        real++;
        dw_sim_state st;
        assert_true(dw_sim_world_state(w, (size_t)c.v[i].target, o->t_us, &st));
        double de, dn;
        en_error(o->lat_deg, o->lon_deg, &st, &de, &dn);
        add(&ee, de);
        add(&en, dn);
    }
    NOTE("citizens: %zu reports, %zu false, delay min %.2f s mean %.2f s, sd e %.0f n %.0f m\n",
         real, fake, dmin, mean(&delay), sd(&ee), sd(&en));
    assert_near((double)real, 2400, 4 * sqrt(2400));
    assert_near((double)fake, 1000, 4 * sqrt(1000));
    assert_true(dmin >= 30.0 && dmin < 31.0);
    assert_near(mean(&delay), 120, 4 * 90 / sqrt(delay.n));
    assert_near(sd(&ee), 2000, 2000 * 0.08);
    assert_near(sd(&en), 2000, 2000 * 0.08);
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

static void partner_feed(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: partner\n"
                             "    id: UA-WARN\n"
                             "    owner: UA\n"
                             "    area: {south: 50.0, west: 23.5, north: 52.0, east: 26.0}\n"
                             "    period_s: 60\n"
                             "    delay_s: 300\n"
                             "    sigma_m: 3000\n");
    size_t n_tab;
    const dw_sim_sensor_info *tab = dw_sim_sensors_table(s, &n_tab);
    assert_int_equal(tab[0].stream, DW_SIM_STREAM_COT);
    dw__sim_target_spec specs[3] = {
        line_from("G1", 51.0, 25.5, 270, 0, 60000, 1000, 40, DW_SIM_AUDIBLE),
        line_from("G2", 51.5, 25.5, 270, 0, 60000, 1000, 40, DW_SIM_AUDIBLE),
        line_from("AIRLINER", 51.0, 25.0, 270, 0, 200000, 10000, 230, DW_SIM_ADSB),
    };
    specs[1].cls = DW_CLASS_DECOY;
    specs[2].cls = DW_CLASS_AIRLINER;
    dw_sim_world *w = world(specs, 3);
    collector c = {0};
    run(s, w, START_US, START_US + 1200 * S_US, S_US, &c);
    assert_true(c.n >= 38 && c.n <= 40);
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_true(c.v[i].target == 0 || c.v[i].target == 1);
        assert_true(c.v[i].deliver_us - o->t_us == 300 * S_US);
        assert_int_equal(o->kind, DW_OBS_POS3);
        assert_true(o->has & DW_OBS_HAS_VEL);
        assert_near(o->sigma_pos_m, 3000, 0);
        assert_near(hypot(o->vel_enu_mps[0], o->vel_enu_mps[1]), 40, 25);
    }
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

/* ------------------------------------------------------------------ adsb, remote id */

static void adsb_loss(void **state)
{
    (void)state;
    dw_sim_sensors *s = load("sensors:\n"
                             "  - kind: adsb\n"
                             "    id: ADSB-WAW\n"
                             "    lat_deg: 52.17\n"
                             "    lon_deg: 20.97\n"
                             "    pd: 0.9\n"
                             "    sigma_m: 20\n"
                             "  - kind: remote_id\n"
                             "    id: RID-1\n"
                             "    lat_deg: 52.0\n"
                             "    lon_deg: 21.0\n");
    size_t n_tab;
    const dw_sim_sensor_info *tab = dw_sim_sensors_table(s, &n_tab);
    assert_int_equal(n_tab, 2);
    assert_int_equal(tab[0].stream, DW_SIM_STREAM_SBS);
    assert_int_equal(tab[1].stream, DW_SIM_STREAM_REMOTEID);
    enum { NT = 21 };
    dw__sim_target_spec specs[NT];
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "A%02d", i);
        specs[i] = line_from(id, 52.0 + 0.05 * i, 20.5, 90, 0, 300000, 9000, 200, DW_SIM_ADSB);
        specs[i].icao = 0x480000u + (uint32_t)i;
        snprintf(specs[i].callsign, sizeof specs[i].callsign, "LOT%d", i);
    }
    specs[20] = line_from("DJI", 52.005, 21.0, 0, 0, 2000, 60, 5, DW_SIM_RID);
    snprintf(specs[20].rid, sizeof specs[20].rid, "1581F5FKD229400F0E9K");
    dw_sim_world *w = world(specs, NT);
    collector c = {0};
    run(s, w, START_US, START_US + 1000 * S_US, S_US, &c);
    stats e = {0};
    size_t adsb = 0, rid = 0;
    for (size_t i = 0; i < c.n; i++) {
        const dw_obs *o = &c.v[i].o;
        assert_int_equal(o->kind, DW_OBS_POS3);
        dw_sim_state st;
        assert_true(dw_sim_world_state(w, (size_t)c.v[i].target, o->t_us, &st));
        if (o->sensor_idx == 1) {
            rid++;
            assert_true(o->has & DW_OBS_HAS_RID);
            assert_string_equal(o->rid, "1581F5FKD229400F0E9K");
            continue;
        }
        adsb++;
        assert_true((o->has & (DW_OBS_HAS_ICAO | DW_OBS_HAS_CALLSIGN | DW_OBS_HAS_VEL |
                               DW_OBS_HAS_ALT)) ==
                    (DW_OBS_HAS_ICAO | DW_OBS_HAS_CALLSIGN | DW_OBS_HAS_VEL | DW_OBS_HAS_ALT));
        assert_int_equal(o->icao, st.icao);
        assert_string_equal(o->callsign, st.callsign);
        double de, dn;
        en_error(o->lat_deg, o->lon_deg, &st, &de, &dn);
        add(&e, de);
        add(&e, dn);
    }
    double loss = 1.0 - adsb / (20.0 * 1000);
    NOTE("adsb: loss %.4f, sd %.2f m; remote id %zu reports\n", loss, sd(&e), rid);
    assert_near(loss, 0.1, 4 * sqrt(0.09 / 20000));
    assert_near(sd(&e), 20, 20 * 0.04);
    assert_true(rid > 300);
    free(c.v);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

/* ------------------------------------------------------------------ determinism */

static const char *mixed =
    "sensors:\n"
    "  - kind: radar\n"
    "    id: R\n"
    "    lat_deg: 50.2\n"
    "    lon_deg: 30.2\n"
    "    sac: 1\n"
    "    sic: 1\n"
    "    clutter_per_scan: 3\n"
    "  - kind: acoustic\n"
    "    id_prefix: SF\n"
    "    grid: {south: 49.8, west: 29.8, north: 50.6, east: 30.8}\n"
    "    spacing_km: 3\n"
    "    bearing_sigma_deg: 5\n"
    "    false_alarms_per_hour: 1\n"
    "  - kind: citizens\n"
    "    id: EPPO\n"
    "    area: {south: 49.0, west: 29.0, north: 51.0, east: 31.0}\n"
    "    false_per_hour: 60\n";

static void run_mixed(uint64_t seed, collector *c)
{
    dw_sim_sensors *s = load_seed(mixed, seed);
    dw__sim_target_spec specs[3] = {
        line_from("A", 50.0, 30.0, 45, 0, 60000, 500, 45, DW_SIM_AUDIBLE),
        line_from("B", 50.4, 30.0, 100, 0, 60000, 800, 45, DW_SIM_AUDIBLE),
        line_from("C", 50.2, 30.6, 200, 0, 60000, 300, 45, DW_SIM_AUDIBLE),
    };
    dw_sim_world *w = world(specs, 3);
    run(s, w, START_US, START_US + 600 * S_US, S_US, c);
    dw__sim_world_destroy(w);
    dw_sim_sensors_destroy(s);
}

static void determinism(void **state)
{
    (void)state;
    collector a = {0}, b = {0}, x = {0};
    run_mixed(42, &a);
    run_mixed(42, &b);
    run_mixed(43, &x);
    assert_true(a.n > 100);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.v, b.v, a.n * sizeof *a.v);
    assert_true(a.n != x.n || memcmp(a.v, x.v, a.n * sizeof *a.v) != 0);
    free(a.v);
    free(b.v);
    free(x.v);
}

/* ------------------------------------------------------------------ errors */

static void errors(void **state)
{
    (void)state;
    load_fails("sensors:\n"
               "  - kind: radar\n"
               "    id: R1\n"
               "    sac: 1\n"
               "    sic: 2\n"
               "    lat_deg: 52\n"
               "    lon_deg: 23\n"
               "    max_rang_km: 100\n",
               "test.yaml:8: sensors[0] (R1): unknown key 'max_rang_km'");
    load_fails("sensors:\n"
               "  - id: R1\n"
               "    kind: radr\n",
               "test.yaml:3: sensors[0] (R1): unknown kind 'radr'");
    load_fails("sensors:\n"
               "  - kind: radar\n"
               "    id: R1\n"
               "    sac: 1\n"
               "    lat_deg: 52\n"
               "    lon_deg: 23\n",
               "test.yaml:2: sensors[0] (R1): sic is required");
    load_fails("sensors:\n"
               "  - kind: rf\n"
               "    id: RF\n",
               "test.yaml:2: sensors[0] (RF): the site is required");
    load_fails("sensors:\n"
               "  - kind: acoustic\n"
               "    id_prefix: SF\n"
               "    points: [[50, 30]]\n"
               "    grid: {south: 1, west: 1, north: 2, east: 2}\n",
               "test.yaml:2: sensors[0] (SF): give the nodes as line, grid or points");
    load_fails("sensors:\n"
               "  - kind: citizens\n"
               "    id: C\n"
               "    area: {south: 1, west: 1, north: 2}\n",
               "test.yaml:4: sensors[0] (C): area: east is required");
    load_fails("sensors:\n"
               "  - kind: radar\n"
               "    id: R1\n"
               "    site: [52, 23]\n"
               "    sac: 1\n"
               "    sic: 2\n"
               "  - kind: radar\n"
               "    id: R2\n"
               "    site: [52, 24]\n"
               "    sac: 1\n"
               "    sic: 2\n",
               "test.yaml:7: sensors[1]: the ASTERIX name (sac, sic) 'ASX-001-002' is also used by "
               "sensors[0]");
    load_fails("sensors:\n"
               "  - kind: rf\n"
               "    id: X\n"
               "    site: [52, 23]\n"
               "  - kind: eo\n"
               "    id: X\n"
               "    site: [52, 23]\n",
               "test.yaml:5: sensors[1]: the sensor id 'X' is also used by sensors[0]");
    load_fails("sensors:\n"
               "  - kind: partner\n"
               "    id: P\n"
               "    area: {south: 1, west: 1, north: 2, east: 2}\n"
               "    classes: [owa_drone, shahed]\n",
               "test.yaml:5: sensors[0] (P): 'shahed' is no class");
}

static void streams(void **state)
{
    (void)state;
    assert_string_equal(dw_sim_stream_name(DW_SIM_STREAM_ASTERIX), "asterix");
    assert_string_equal(dw_sim_stream_ext(DW_SIM_STREAM_NDJSON), "ndjson");
    assert_string_equal(dw_sim_stream_name(DW_SIM_STREAM_REMOTEID), "remoteid");
    assert_string_equal(dw_sim_stream_name((dw_sim_stream)99), "?");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(radar_pd_and_sigmas),
        cmocka_unit_test(radar_clutter_per_scan),
        cmocka_unit_test(radar_horizon),
        cmocka_unit_test(radar_ssr),
        cmocka_unit_test(aew_covariance),
        cmocka_unit_test(acoustic_radius),
        cmocka_unit_test(acoustic_listens_for_drones),
        cmocka_unit_test(acoustic_pd_near),
        cmocka_unit_test(acoustic_false_alarms),
        cmocka_unit_test(acoustic_scale),
        cmocka_unit_test(rf_bearings),
        cmocka_unit_test(eo_sector_and_class),
        cmocka_unit_test(citizens_reports),
        cmocka_unit_test(partner_feed),
        cmocka_unit_test(adsb_loss),
        cmocka_unit_test(determinism),
        cmocka_unit_test(errors),
        cmocka_unit_test(streams),
    };
    return dw_test_run("sim_sensors", tests, sizeof tests / sizeof tests[0], argc, argv);
}

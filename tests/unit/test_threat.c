/* Threat evaluation (threat.h) on the real geography: the uncertainty model is the one
 * documented; the predicted path is made of segments of at most 10 km along the track's
 * course; the predicted crossing into Poland of a drone flying from Belarus towards
 * Lublin is where and when a fine walk along the same course finds it; sites are reached
 * when the path comes within k sigma + radius (and not otherwise), with the closest
 * approach where geometry puts it; a region is reached before the path enters it by
 * about k sigma / speed; a path from Poland into Lithuania lists the crossing; the score
 * orders threats as documented; bad input changes nothing. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "dronewall/geog.h"
#include "dronewall/threat.h"

#define COUNTRIES DW_SOURCE_DIR "/data/geo/countries.geojson"
#define REGIONS DW_SOURCE_DIR "/data/geo/regions.geojson"
#define PROTECTED DW_SOURCE_DIR "/scenarios/geo/pl-protected.geojson"
#define T0_US 1757451000000000LL

#define NOTE(...)                                                                           \
    do {                                                                                    \
        if (getenv("DW_TEST_VERBOSE"))                                                      \
            fprintf(stderr, __VA_ARGS__);                                                   \
    } while (0)

static dw_geog *geo(void)
{
    static const char *const files[] = {COUNTRIES, REGIONS, PROTECTED};
    dw_geog *g = NULL;
    char err[512];
    assert_int_equal(dw_geog_create(&g), DW_OK);
    for (size_t i = 0; i < 3; i++) {
        dw_status st = dw_geog_load(g, files[i], err, sizeof err);
        if (st != DW_OK)
            fprintf(stderr, "%s\n", err);
        assert_int_equal(st, DW_OK);
    }
    return g;
}

static dw_threat_ctx *ctx(const dw_geog *g, const dw_threat_config *c)
{
    dw_threat_ctx *x = NULL;
    char err[256];
    dw_status st = dw_threat_create(g, c, &x, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    return x;
}

static size_t must_find(const dw_geog *g, const char *id)
{
    int i = dw_geog_find(g, id);
    assert_true(i >= 0);
    return (size_t)i;
}

/* A track at (lat, lon) flying at speed on course az (degrees), with sigma 20 m / 1 m/s. */
static dw_track mk(double lat, double lon, double az_deg, double speed, double sp_m, double sv_mps)
{
    dw_track t;
    dw_track_init(&t);
    t.id = 7;
    t.t_us = T0_US;
    t.status = DW_TRACK_CONFIRMED;
    t.lat_deg = lat;
    t.lon_deg = lon;
    t.alt_m = 2000;
    t.vel_enu_mps[0] = speed * sin(az_deg * M_PI / 180);
    t.vel_enu_mps[1] = speed * cos(az_deg * M_PI / 180);
    for (int k = 0; k < 3; k++) {
        t.cov_pos_enu[k][k] = sp_m * sp_m;
        t.cov_vel_enu[k][k] = sv_mps * sv_mps;
    }
    return t;
}

static double azimuth_to(double lat1, double lon1, double lat2, double lon2)
{
    dw_geodetic a = {lat1, lon1, 0}, b = {lat2, lon2, 0};
    double az;
    assert_int_equal(dw_geo_inverse(&a, &b, NULL, &az, NULL), DW_OK);
    return az;
}

static double dist_m(double lat1, double lon1, double lat2, double lon2)
{
    dw_geodetic a = {lat1, lon1, 0}, b = {lat2, lon2, 0};
    double d;
    assert_int_equal(dw_geo_inverse(&a, &b, &d, NULL, NULL), DW_OK);
    return d;
}

/* The point s metres along the loxodrome (constant course) from (lat, lon): the path the
 * prediction draws, walked here in 25 m geodesic steps so it does not share the code. */
static void rhumb(double lat, double lon, double az_deg, double s, double *olat, double *olon)
{
    const double step = 25.0;
    double ce = sin(az_deg * M_PI / 180), cn = cos(az_deg * M_PI / 180);
    for (double d = 0; d < s; d += step) {
        double h = d + step <= s ? step : s - d;
        dw_geodetic p = {lat, lon, 0}, q;
        /* one short geodesic step on the local course: a loxodrome in the limit */
        assert_int_equal(dw_geo_direct(&p, atan2(ce, cn) * 180 / M_PI, h, &q), DW_OK);
        lat = q.lat_deg;
        lon = q.lon_deg;
    }
    *olat = lat;
    *olon = lon;
}

/* The first time (s) the loxodrome enters feature i, by 5 s steps and bisection. */
static double first_inside(const dw_geog *g, size_t i, const dw_track *t, double tmax, double *lat,
                           double *lon)
{
    double v = hypot(t->vel_enu_mps[0], t->vel_enu_mps[1]);
    double az = atan2(t->vel_enu_mps[0], t->vel_enu_mps[1]) * 180 / M_PI;
    double prev = 0, la, lo;
    for (double s = 5; s <= tmax; s += 5) {
        rhumb(t->lat_deg, t->lon_deg, az, v * s, &la, &lo);
        if (dw_geog_contains(g, i, la, lo)) {
            double a = prev, b = s;
            for (int k = 0; k < 40; k++) {
                double m = 0.5 * (a + b);
                rhumb(t->lat_deg, t->lon_deg, az, v * m, &la, &lo);
                if (dw_geog_contains(g, i, la, lo))
                    b = m;
                else
                    a = m;
            }
            rhumb(t->lat_deg, t->lon_deg, az, v * b, lat, lon);
            return b;
        }
        prev = s;
    }
    return NAN;
}

/* sigma(t)² = sp² + t² sv² + q t³ / 3, and the larger eigenvalue of a 2x2. */
static void sigma_model(void **state)
{
    (void)state;
    dw_threat_config c;
    dw_threat_config_default(&c);
    assert_near(c.k_sigma, 2.0, 0);
    assert_near(c.manoeuvre_q, 0.05, 0);
    assert_near(dw_threat_sigma_m(&c, 20, 1, 0), 20, 1e-12);
    double t = 600;
    assert_near(dw_threat_sigma_m(&c, 20, 1, t), sqrt(400 + t * t + 0.05 * t * t * t / 3), 1e-9);
    c.manoeuvre_q = 0;
    assert_near(dw_threat_sigma_m(&c, 30, 2, 100), sqrt(900 + 40000), 1e-9);
    assert_near(dw_threat_max_eig2(4, 0, 1), 4, 1e-12);
    assert_near(dw_threat_max_eig2(1, 0, 9), 9, 1e-12);
    assert_near(dw_threat_max_eig2(2, 1, 2), 3, 1e-12);
}

/* A drone at 51.9 N 24.2 E (Belarus) flying at 45 m/s towards Lublin airport: the path's
 * segments are at most 10 km and follow its course, the crossing into Poland is
 * predicted within 2 s and 100 m of where a fine walk along that course enters Poland,
 * and it is over Belarus now. */
static void path_and_crossing(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_threat_config c;
    dw_threat_config_default(&c);
    c.horizon_s = 1800;                 /* the border is ~17 min away */
    dw_threat_ctx *x = ctx(g, &c);
    size_t eplb = must_find(g, "EPLB"), pl = must_find(g, "PL"), by = must_find(g, "BY");
    const dw_geog_feature *ap = dw_geog_get(g, eplb);
    double az = azimuth_to(51.9, 24.2, ap->lat_deg, ap->lon_deg);
    dw_track t = mk(51.9, 24.2, az, 45, 20, 1);
    static dw_threat th;
    assert_int_equal(dw_threat_eval(x, &t, &th), DW_OK);
    assert_int_equal(th.now_in, (int)by);
    assert_false(th.inside_home);
    assert_near(th.speed_mps, 45, 1e-9);
    assert_true(th.n_points >= 5);
    for (int i = 0; i + 1 < th.n_points; i++) {
        double d = dist_m(th.lat_deg[i], th.lon_deg[i], th.lat_deg[i + 1], th.lon_deg[i + 1]);
        assert_true(d <= 10000.0 + 1.0);
        assert_near(d, 45 * th.seg_s, 1.0);
        /* along the course: each point where the loxodrome puts it */
        double la, lo;
        rhumb(51.9, 24.2, az, 45 * th.seg_s * (i + 1), &la, &lo);
        assert_true(dist_m(la, lo, th.lat_deg[i + 1], th.lon_deg[i + 1]) < 5.0);
    }
    assert_near(th.seg_s * (th.n_points - 1), 1800, 1e-6);
    double la, lo;
    double tc = first_inside(g, pl, &t, 1800, &la, &lo);
    assert_false(isnan(tc));
    assert_true(th.cross_eta_us != INT64_MIN);
    double eta = (double)(th.cross_eta_us - T0_US) * 1e-6;
    double derr = dist_m(la, lo, th.cross_lat_deg, th.cross_lon_deg);
    NOTE("crossing: predicted %.2f s at %.6f %.6f, walk %.2f s at %.6f %.6f: %.2f s, %.1f m\n", eta,
         th.cross_lat_deg, th.cross_lon_deg, tc, la, lo, eta - tc, derr);
    assert_near(eta, tc, 2.0);
    assert_true(derr < 100.0);
    /* the crossing lies on the border between the two */
    double bd;
    assert_int_equal(dw_geog_boundary_distance(g, pl, th.cross_lat_deg, th.cross_lon_deg, &bd, NULL,
                                               NULL), DW_OK);
    assert_true(bd < 5.0);
    /* Poland is home: it is not in the list of other countries entered. */
    for (int i = 0; i < th.n_crossings; i++)
        assert_int_not_equal(th.crossings[i].feature, (int)pl);
    dw_threat_destroy(x);
    dw_geog_destroy(g);
}

/* Near Lublin, heading straight for the airport (EPLB, 10 km zone): reachable when the
 * path comes within 2 sigma + 10 km of its centre, on the centre line, closest approach
 * under 100 m at distance / speed; a site 30 km off the path is not reachable with 20 m /
 * 1 m/s, and is with a velocity sigma of 15 m/s; the region around is reached now. */
static void sites_reach(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_threat_ctx *x = ctx(g, NULL);
    size_t eplb = must_find(g, "EPLB"), lu = must_find(g, "PL-LU");
    const dw_geog_feature *ap = dw_geog_get(g, eplb);
    /* 40 km east of the airport on its parallel, flying due west (a constant course
     * along the parallel: straight at it) at 45 m/s */
    const double e2 = DW_WGS84_F * (2 - DW_WGS84_F), sl = sin(ap->lat_deg * M_PI / 180);
    const double kx = DW_WGS84_A / sqrt(1 - e2 * sl * sl) * cos(ap->lat_deg * M_PI / 180) * M_PI / 180;
    dw_geodetic p = {ap->lat_deg, ap->lon_deg + 40000.0 / kx, 0};
    assert_near(dist_m(p.lat_deg, p.lon_deg, ap->lat_deg, ap->lon_deg), 40000, 2);
    dw_track t = mk(p.lat_deg, p.lon_deg, 270, 45, 20, 1);
    static dw_threat th;
    assert_int_equal(dw_threat_eval(x, &t, &th), DW_OK);
    assert_true(th.inside_home);
    assert_true(th.cross_eta_us == INT64_MIN);
    const dw_threat_reach *r = NULL, *rl = NULL;
    for (int i = 0; i < th.n_reach; i++) {
        if (th.reach[i].feature == (int)eplb)
            r = &th.reach[i];
        if (th.reach[i].feature == (int)lu)
            rl = &th.reach[i];
        if (i)
            assert_true(th.reach[i - 1].eta_us <= th.reach[i].eta_us);
    }
    assert_non_null(r);
    assert_true(r->is_site);
    assert_true(r->on_path);
    assert_false(r->inside_now);
    assert_near(r->value, 0.8, 1e-12);
    /* reach: 40 km - 10 km - 2 sigma(t) = 45 t */
    dw_threat_config c;
    dw_threat_config_default(&c);
    double te = NAN;
    for (double s = 0; s < 900; s += 0.01)
        if (40000 - 45 * s <= 10000 + 2 * dw_threat_sigma_m(&c, 20, 1, s)) {
            te = s;
            break;
        }
    double eta = (double)(r->eta_us - T0_US) * 1e-6;
    NOTE("EPLB: eta %.2f s (expected %.2f), sigma %.0f m, approach %.1f m at %.1f s\n", eta, te,
         r->sigma_m, r->approach_m, (double)(r->approach_us - T0_US) * 1e-6);
    assert_near(eta, te, 1.5);
    assert_true(r->approach_m < 100);
    assert_near((double)(r->approach_us - T0_US) * 1e-6, 40000.0 / 45, 3.0);
    assert_non_null(rl);
    assert_true(rl->inside_now);
    assert_true(rl->eta_us == T0_US);
    assert_false(rl->is_site);

    /* A parallel course 30 km to the north: EPLB out of reach... */
    dw_geodetic n;
    assert_int_equal(dw_geo_direct(&p, 0.0, 30000.0, &n), DW_OK);
    dw_track u = mk(n.lat_deg, n.lon_deg, 270, 45, 20, 1);
    assert_int_equal(dw_threat_eval(x, &u, &th), DW_OK);
    for (int i = 0; i < th.n_reach; i++)
        assert_int_not_equal(th.reach[i].feature, (int)eplb);
    /* ... unless the velocity is that uncertain (2 sigma at 15 min: 2 x 13.5 km + 10 km) */
    u = mk(n.lat_deg, n.lon_deg, 270, 45, 20, 15);
    assert_int_equal(dw_threat_eval(x, &u, &th), DW_OK);
    r = NULL;
    for (int i = 0; i < th.n_reach; i++)
        if (th.reach[i].feature == (int)eplb)
            r = &th.reach[i];
    assert_non_null(r);
    assert_false(r->on_path);
    assert_near(r->approach_m, 30000, 1500);
    dw_threat_destroy(x);
    dw_geog_destroy(g);
}

/* From Belarus into Lubelskie: the region is reached before the path enters it, at the
 * instant the predicted point is 2 sigma(t) from its boundary (within 10 % + 200 m: the
 * distance is interpolated between path points), and on_path is set. */
static void region_before_entry(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_threat_config c;
    dw_threat_config_default(&c);
    c.horizon_s = 1800;
    dw_threat_ctx *x = ctx(g, &c);
    size_t lu = must_find(g, "PL-LU");
    dw_track t = mk(51.9, 24.2, 250, 45, 20, 1);
    static dw_threat th;
    assert_int_equal(dw_threat_eval(x, &t, &th), DW_OK);
    double la, lo;
    double te = first_inside(g, lu, &t, 1800, &la, &lo);
    assert_false(isnan(te));
    const dw_threat_reach *r = NULL;
    for (int i = 0; i < th.n_reach; i++)
        if (th.reach[i].feature == (int)lu)
            r = &th.reach[i];
    assert_non_null(r);
    assert_true(r->on_path);
    double eta = (double)(r->eta_us - T0_US) * 1e-6;
    double ks = 2 * dw_threat_sigma_m(&c, 20, 1, eta);
    rhumb(t.lat_deg, t.lon_deg, 250, 45 * eta, &la, &lo);
    double d;
    assert_int_equal(dw_geog_boundary_distance(g, lu, la, lo, &d, NULL, NULL), DW_OK);
    assert_false(dw_geog_contains(g, lu, la, lo));
    NOTE("PL-LU: entry %.1f s, reach %.1f s, there %.0f m from it, 2 sigma %.0f m\n", te, eta, d, ks);
    assert_true(eta < te);
    assert_near(d, ks, 0.1 * ks + 200);
    assert_near(r->sigma_m, ks / 2, 0.05 * ks);
    /* Regions of other countries are not alert regions of the home country. */
    for (int i = 0; i < th.n_reach; i++) {
        const dw_geog_feature *f = dw_geog_get(g, (size_t)th.reach[i].feature);
        if (!th.reach[i].is_site)
            assert_string_equal(f->country, "PL");
    }
    dw_threat_destroy(x);
    dw_geog_destroy(g);
}

/* From Poland near Sejny north-east into Lithuania: one crossing, "LT", predicted within
 * 2 s of the walk's entry. */
static void neighbour_crossing(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_threat_ctx *x = ctx(g, NULL);
    size_t lt = must_find(g, "LT");
    dw_track t = mk(54.05, 23.0, 45, 45, 20, 1);
    static dw_threat th;
    assert_int_equal(dw_threat_eval(x, &t, &th), DW_OK);
    assert_true(th.inside_home);
    assert_int_equal(th.n_crossings, 1);
    assert_string_equal(th.crossings[0].country, "LT");
    double la, lo;
    double te = first_inside(g, lt, &t, 900, &la, &lo);
    double eta = (double)(th.crossings[0].eta_us - T0_US) * 1e-6;
    NOTE("LT: predicted %.2f s, walk %.2f s, %.1f m apart\n", eta, te,
         dist_m(la, lo, th.crossings[0].lat_deg, th.crossings[0].lon_deg));
    assert_near(eta, te, 2.0);
    assert_true(dist_m(la, lo, th.crossings[0].lat_deg, th.crossings[0].lon_deg) < 100);
    dw_threat_destroy(x);
    dw_geog_destroy(g);
}

/* The score: a hostile drone a minute from an air base outranks the same drone ten
 * minutes from it, which outranks one in Belarus reaching no site; an airliner (drone
 * probability 0.01) and a friend score near or at 0; all in 0..1 and as the formula. */
static void score_orders(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_threat_ctx *x = ctx(g, NULL);
    size_t deblin = must_find(g, "MIL-DEBLIN");
    const dw_geog_feature *b = dw_geog_get(g, deblin);
    assert_near(dw_threat_site_value(x, (int)deblin), 1.0, 0);
    assert_near(dw_threat_site_value(x, must_find(g, "CITY-WARSAW")),
                fmin(1, 0.5 + 0.25 * log10(1860000.0 / 50000)), 1e-12);
    assert_true(dw_threat_site_value(x, must_find(g, "PL-LU")) < 0);
    dw_geodetic c = {b->lat_deg, b->lon_deg, 0}, p1, p10;
    assert_int_equal(dw_geo_direct(&c, 90, 5000 + 45 * 60, &p1), DW_OK);
    assert_int_equal(dw_geo_direct(&c, 90, 5000 + 45 * 600, &p10), DW_OK);
    static dw_threat th;
    dw_track near = mk(p1.lat_deg, p1.lon_deg, 270, 45, 20, 1);
    assert_int_equal(dw_threat_eval(x, &near, &th), DW_OK);
    double s_near = dw_threat_score(x, &th, 0.95, DW_AFF_HOSTILE);
    assert_near(th.score, s_near, 0);
    double s_air = dw_threat_score(x, &th, 0.01, DW_AFF_NEUTRAL);
    double s_friend = dw_threat_score(x, &th, 0.95, DW_AFF_FRIEND);
    dw_track far = mk(p10.lat_deg, p10.lon_deg, 270, 45, 20, 1);
    assert_int_equal(dw_threat_eval(x, &far, &th), DW_OK);
    double s_far = dw_threat_score(x, &th, 0.95, DW_AFF_HOSTILE);
    dw_track by = mk(53.0, 27.0, 90, 45, 20, 1);        /* deep in Belarus, eastbound */
    assert_int_equal(dw_threat_eval(x, &by, &th), DW_OK);
    double s_by = dw_threat_score(x, &th, 0.95, DW_AFF_HOSTILE);
    NOTE("score: near %.3f far %.3f belarus %.3f airliner %.4f friend %.3f\n", s_near, s_far, s_by,
         s_air, s_friend);
    assert_true(s_near > s_far);
    assert_true(s_far > s_by);
    assert_near(s_by, 0, 1e-12);
    assert_true(s_air < 0.01);
    assert_near(s_friend, 0, 0);
    assert_true(s_near <= 1 && s_near > 0.8);
    dw_threat_destroy(x);
    dw_geog_destroy(g);
}

/* A position or velocity that is not finite is refused and nothing is written; so is a
 * home country the store lacks. */
static void bad_input(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_threat_ctx *x = ctx(g, NULL);
    static dw_threat th, before;
    memset(&th, 0x5a, sizeof th);
    before = th;
    dw_track t = mk(52, 21, 0, 45, 20, 1);
    t.lat_deg = NAN;
    assert_int_equal(dw_threat_eval(x, &t, &th), DW_ERR_INVALID);
    t = mk(52, 21, 0, 45, 20, 1);
    t.vel_enu_mps[1] = INFINITY;
    assert_int_equal(dw_threat_eval(x, &t, &th), DW_ERR_INVALID);
    assert_memory_equal(&th, &before, sizeof th);
    dw_threat_config c;
    dw_threat_config_default(&c);
    memcpy(c.home, "XX", 3);
    dw_threat_ctx *y = NULL;
    char err[128] = "";
    assert_int_equal(dw_threat_create(g, &c, &y, err, sizeof err), DW_ERR_INVALID);
    assert_null(y);
    assert_non_null(strstr(err, "XX"));
    /* A hovering track: one point, nothing crossed, the sites it is in reached now. */
    size_t war = must_find(g, "CITY-WARSAW");
    const dw_geog_feature *w = dw_geog_get(g, war);
    t = mk(w->lat_deg, w->lon_deg, 0, 0, 20, 0.1);
    assert_int_equal(dw_threat_eval(x, &t, &th), DW_OK);
    int found = 0;
    for (int i = 0; i < th.n_reach; i++)
        if (th.reach[i].feature == (int)war) {
            found = 1;
            assert_true(th.reach[i].inside_now);
            assert_true(th.reach[i].eta_us == T0_US);
        }
    assert_true(found);
    dw_threat_destroy(x);
    dw_geog_destroy(g);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(sigma_model),
    cmocka_unit_test(path_and_crossing),
    cmocka_unit_test(sites_reach),
    cmocka_unit_test(region_before_entry),
    cmocka_unit_test(neighbour_crossing),
    cmocka_unit_test(score_orders),
    cmocka_unit_test(bad_input),
};

DW_TEST_MAIN("threat", tests)

/* The assessment engine and its alerts (assess.h) on the real geography.
 *
 * A drone flies from Belarus (51.9 N 24.2 E) at 45 m/s towards Lublin airport, reported
 * every 4 s with 20 m of position noise; halfway its track breaks (track 101 dies, track
 * 202 starts 8 s later where the drone is). Checked against the truth walked along the
 * same flight: border_imminent comes at least imminent_s - one update before the
 * crossing (and not much earlier); border_violation comes at the first update over
 * Poland, with the crossing instant within 3 s and its point within 100 m of the true
 * crossing on the border; the regional warning for Lubelskie and the airspace closure
 * for EPLB come warn_lead_s before the drone gets there (less the reach's 2 sigma / v),
 * never later; every (kind, area) is raised once through the whole flight, the track
 * break included (the alerts say "continued"); and all is cleared clear_after_s after
 * the drone's track ended (or once no track can continue it, if later). An airliner and
 * a bird flock crossing the same border raise nothing. A drone track that ends in flight
 * where what lies ahead was seen gets a fall zone where the model puts it, once no
 * continuation can come; one at the edge of what was seen does not, nor one whose track
 * is continued. A drone in Poland heading into Lithuania gets one neighbour notice
 * (NDJSON and CoT); one in Belarus gets none, and one leaving Poland is announced to the
 * country it leaves into only. Hysteresis: an alert is held to twice its lead, not raised
 * twice, and reopened (same id) only when clearly worse. A track first seen just inside
 * Poland flying in gets a border violation with its crossing estimated back along its
 * course. Aircraft with a transponder are never drone threats. A silent sensor is
 * reported once and cleared when it reports again.
 * Every alert line is JSON with every key docs/formats.md documents.
 */
#include "harness.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/assess.h"
#include "dronewall/geo.h"
#include "dronewall/geog.h"
#include "dronewall/rules.h"
#include "dronewall/sensor.h"
#include "dronewall/sim.h"
#include "dronewall/threat.h"

#define COUNTRIES DW_SOURCE_DIR "/data/geo/countries.geojson"
#define REGIONS DW_SOURCE_DIR "/data/geo/regions.geojson"
#define PROTECTED DW_SOURCE_DIR "/scenarios/geo/pl-protected.geojson"
#define FORMATS DW_SOURCE_DIR "/docs/formats.md"
#define RULES DW_SOURCE_DIR "/config/identification.yaml"
#define T0_US 1757451000000000LL        /* 2025-09-09 20:50:00 UTC */
#define S(x) ((int64_t)llround((x) * 1e6))

#define NOTE(...)                                                                           \
    do {                                                                                    \
        if (getenv("DW_TEST_VERBOSE"))                                                      \
            fprintf(stderr, __VA_ARGS__);                                                   \
    } while (0)

/* ---- fixtures ---------------------------------------------------------------------- */

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

typedef struct ident {
    uint64_t track;
    dw_affiliation from, to;
    char rule[64];
    int64_t t_us;
} ident;

typedef struct logbook {
    dw_alert *a;
    size_t n, cap;
    int n_ident;
    ident id[16];
} logbook;

static void on_alert(void *ctx, const dw_alert *a)
{
    logbook *L = ctx;
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 64;
        L->a = realloc(L->a, L->cap * sizeof *L->a);
        assert_non_null(L->a);
    }
    /* time order */
    if (L->n)
        assert_true(a->t_us >= L->a[L->n - 1].t_us);
    L->a[L->n++] = *a;
    if (getenv("DW_TEST_VERBOSE")) {
        char line[2048];
        assert_true(dw_alert_to_ndjson(a, line, sizeof line) > 0);
        fprintf(stderr, "  %s\n", line);
    }
}

static void on_ident(void *ctx, const dw_track *t, dw_affiliation from, dw_affiliation to,
                     const char *rule)
{
    logbook *L = ctx;
    assert_non_null(rule);
    assert_int_equal(t->affiliation, to);
    if (L->n_ident < 16) {
        ident *i = &L->id[L->n_ident];
        i->track = t->id;
        i->from = from;
        i->to = to;
        i->t_us = t->t_us;
        snprintf(i->rule, sizeof i->rule, "%s", rule);
    }
    L->n_ident++;
}

static dw_assess *engine(const dw_geog *g, dw_assess_config *c, logbook *L)
{
    dw_assess_config d;
    if (!c) {
        dw_assess_config_default(&d);
        c = &d;
    }
    c->geo = g;
    dw_assess_sink sink = {on_alert, on_ident, L};
    dw_assess *a = NULL;
    char err[256];
    dw_status st = dw_assess_create(c, &sink, &a, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    return a;
}

/* Records of one state (or all: -1), of a kind (or all: -1) and area (or any: NULL). */
static size_t count(const logbook *L, int kind, const char *area, int state)
{
    size_t n = 0;
    for (size_t i = 0; i < L->n; i++)
        if ((kind < 0 || (int)L->a[i].kind == kind) && (state < 0 || (int)L->a[i].state == state) &&
            (!area || !strcmp(L->a[i].area_id, area)))
            n++;
    return n;
}

static const dw_alert *find(const logbook *L, dw_alert_kind kind, const char *area,
                            dw_alert_state state)
{
    for (size_t i = 0; i < L->n; i++)
        if (L->a[i].kind == kind && L->a[i].state == state && (!area || !strcmp(L->a[i].area_id, area)))
            return &L->a[i];
    return NULL;
}

/* At most one raise per (kind, area, object): here each flight is one object. */
static void assert_no_flood(const logbook *L)
{
    for (size_t i = 0; i < L->n; i++) {
        if (L->a[i].state != DW_ALERT_RAISED)
            continue;
        size_t n = count(L, (int)L->a[i].kind, L->a[i].area_id, DW_ALERT_RAISED);
        if (n != 1)
            fprintf(stderr, "%zu raises of %s %s\n", n, dw_alert_kind_name(L->a[i].kind),
                    L->a[i].area_id);
        assert_int_equal(n, 1);
    }
}

/* A flight along the geodesic from start on azimuth az. */
typedef struct flight {
    dw_geodetic start;
    double az_deg, speed_mps, alt_m;
} flight;

static void fly(const flight *f, double s, double *lat, double *lon, double *ve, double *vn)
{
    dw_geodetic p, q;
    assert_int_equal(dw_geo_direct(&f->start, f->az_deg, f->speed_mps * s, &p), DW_OK);
    assert_int_equal(dw_geo_direct(&f->start, f->az_deg, f->speed_mps * s + 10.0, &q), DW_OK);
    double az;
    assert_int_equal(dw_geo_inverse(&p, &q, NULL, &az, NULL), DW_OK);
    *lat = p.lat_deg;
    *lon = p.lon_deg;
    if (ve) {
        *ve = f->speed_mps * sin(az * M_PI / 180);
        *vn = f->speed_mps * cos(az * M_PI / 180);
    }
}

static double dist_m(double lat1, double lon1, double lat2, double lon2)
{
    dw_geodetic a = {lat1, lon1, 0}, b = {lat2, lon2, 0};
    double d;
    assert_int_equal(dw_geo_inverse(&a, &b, &d, NULL, NULL), DW_OK);
    return d;
}

/* The first instant (s) the flight is in feature i (within r_m of a circle's centre when
 * r_m > 0), by 2 s steps and bisection. */
static double first_in(const dw_geog *g, size_t i, const flight *f, double tmax, double r_m,
                       double *lat, double *lon)
{
    const dw_geog_feature *ft = dw_geog_get(g, i);
    double la, lo, prev = 0;
#define IN(s) (fly(f, (s), &la, &lo, NULL, NULL),                                            \
               r_m > 0 ? dist_m(la, lo, ft->lat_deg, ft->lon_deg) <= r_m : dw_geog_contains(g, i, la, lo))
    for (double s = 0; s <= tmax; s += 2) {
        if (IN(s)) {
            double a = prev, b = s;
            for (int k = 0; k < 40; k++) {
                double m = 0.5 * (a + b);
                if (IN(m))
                    b = m;
                else
                    a = m;
            }
            fly(f, b, lat, lon, NULL, NULL);
            return b;
        }
        prev = s;
    }
#undef IN
    return NAN;
}

/* The first instant (s, to 1 s) the flight comes within d_m of feature i (of a circle's
 * edge). */
static double first_near(const dw_geog *g, size_t i, const flight *f, double tmax, double d_m)
{
    const dw_geog_feature *ft = dw_geog_get(g, i);
    for (double s = 0; s <= tmax; s += 1) {
        double la, lo, d;
        fly(f, s, &la, &lo, NULL, NULL);
        if (ft->shape == DW_GEOG_CIRCLE)
            d = dist_m(la, lo, ft->lat_deg, ft->lon_deg) - ft->radius_m;
        else if (dw_geog_contains(g, i, la, lo))
            d = 0;
        else
            assert_int_equal(dw_geog_boundary_distance(g, i, la, lo, &d, NULL, NULL), DW_OK);
        if (d <= d_m)
            return s;
    }
    return NAN;
}

/* A track report: 20 m / 1 m/s sigmas (the noise drawn when g is given). */
static dw_track report(uint64_t id, int64_t t_us, int64_t first_us, const flight *f, double s,
                       dw_track_status st, dw_rng *g)
{
    dw_track t;
    dw_track_init(&t);
    double ve, vn;
    fly(f, s, &t.lat_deg, &t.lon_deg, &ve, &vn);
    if (g) {
        double kx = 111320.0 * cos(t.lat_deg * M_PI / 180), ky = 111132.0;
        t.lat_deg += 20.0 * dw_rng_normal(g) / ky;
        t.lon_deg += 20.0 * dw_rng_normal(g) / kx;
        ve += 0.5 * dw_rng_normal(g);
        vn += 0.5 * dw_rng_normal(g);
    }
    t.id = id;
    t.t_us = t_us;
    t.status = st;
    t.alt_m = f->alt_m;
    t.vel_enu_mps[0] = ve;
    t.vel_enu_mps[1] = vn;
    for (int k = 0; k < 3; k++) {
        t.cov_pos_enu[k][k] = k < 2 ? 400.0 : 900.0;
        t.cov_vel_enu[k][k] = 1.0;
    }
    t.first_us = first_us;
    t.last_update_us = t_us;
    t.hits = 10;
    t.quality = 0.9;
    return t;
}

static dw_class_hints drone_hints(void)
{
    dw_class_hints h;
    memset(&h, 0, sizeof h);
    h.sensor_kinds = 1u << DW_SENSOR_RADAR;
    h.rcs_m2 = 0.1;
    h.n_rcs = 20;
    return h;
}

static void feed(dw_assess *a, dw_track *t, const dw_class_hints *h)
{
    assert_int_equal(dw_assess_track(a, t, h), DW_OK);
}

/* ---- the night's flight --------------------------------------------------------------- */

static void drone_from_belarus(void **state)
{
    (void)state;
    dw_geog *g = geo();
    logbook L = {0};
    dw_assess_config c;
    dw_assess_config_default(&c);
    c.warn_lead_s = 600;
    dw_assess *a = engine(g, &c, &L);
    const size_t pl = (size_t)dw_geog_find(g, "PL"), lu = (size_t)dw_geog_find(g, "PL-LU");
    const size_t eplb = (size_t)dw_geog_find(g, "EPLB");
    const dw_geog_feature *ap = dw_geog_get(g, eplb);
    flight f = {{51.9, 24.2, 0}, 0, 45.0, 2000.0};
    dw_geodetic tgt = {ap->lat_deg, ap->lon_deg, 0};
    double dist;
    assert_int_equal(dw_geo_inverse(&f.start, &tgt, &dist, &f.az_deg, NULL), DW_OK);

    /* The truth: crossing, Lubelskie, the airport's zone. */
    double c_lat, c_lon, x_lat, x_lon;
    const double T_c = first_in(g, pl, &f, 3000, 0, &c_lat, &c_lon);
    const double T_lu = first_in(g, lu, &f, 3000, 0, &x_lat, &x_lon);
    const double T_zone = first_in(g, eplb, &f, 4000, ap->radius_m, &x_lat, &x_lon);
    assert_false(isnan(T_c) || isnan(T_lu) || isnan(T_zone));
    NOTE("truth: crossing %.1f s at %.6f %.6f, Lubelskie %.1f s, EPLB zone %.1f s, EPLB %.1f s\n", T_c,
         c_lat, c_lon, T_lu, T_zone, dist / 45);

    const double dt = 4.0, t_sw = 1400.0, t_end = dist / 45 + 60;
    dw_rng rng;
    dw_rng_seed(&rng, 9, 10);
    dw_class_hints h = drone_hints();
    double first_inside = NAN;
    int checked_before = 0, checked_after = 0;
    for (double s = 0; s <= t_sw + 1e-9; s += dt) {
        dw_track t = report(101, T0_US + S(s), T0_US, &f, s, DW_TRACK_CONFIRMED, &rng);
        feed(a, &t, &h);
        if (isnan(first_inside) && dw_geog_contains(g, pl, t.lat_deg, t.lon_deg))
            first_inside = s;
        const dw_assess_facts *fa = dw_assess_facts_of(a, 101);
        assert_non_null(fa);
        if (s > 60 && s > T_c - 600 && s < T_c - 100 && !checked_before) {
            checked_before = 1;
            assert_string_equal(fa->origin, "BY");
            assert_string_equal(fa->now_in, "BY");
            assert_false(fa->inside_home);
            assert_false(fa->crossed_into_home);
            assert_true(fa->cross_eta_us != INT64_MIN);
            assert_near((double)(fa->cross_eta_us - T0_US) * 1e-6, T_c, 15);
            assert_true(fa->drone_prob >= 0.5);
            assert_true(t.cls == DW_CLASS_OWA_DRONE || t.cls == DW_CLASS_DECOY);
            assert_true(fa->threat_score > 0 && fa->threat_score <= 1);
        }
        if (s > T_c + 60 && !checked_after) {
            checked_after = 1;
            assert_true(fa->inside_home);
            assert_true(fa->crossed_into_home);
            assert_string_equal(fa->now_in, "PL");
            assert_string_equal(fa->origin, "BY");
        }
    }
    assert_true(checked_before && checked_after);
    /* The break: 101 is deleted 4 s after its last report, 202 starts 8 s after it. */
    {
        dw_track t = report(101, T0_US + S(t_sw + 4), T0_US, &f, t_sw + 4, DW_TRACK_DEAD, &rng);
        t.last_update_us = T0_US + S(t_sw);
        feed(a, &t, &h);
        assert_null(dw_assess_facts_of(a, 101));
    }
    double last_s = t_sw + 8;
    for (double s = t_sw + 8; s <= t_end + 1e-9; s += dt) {
        last_s = s;
        dw_track t = report(202, T0_US + S(s), T0_US + S(t_sw + 6), &f, s, DW_TRACK_CONFIRMED, &rng);
        feed(a, &t, &h);
        const dw_assess_facts *fa = dw_assess_facts_of(a, 202);
        assert_non_null(fa);
        assert_string_equal(fa->origin, "BY");      /* the object's, not the new track's */
        assert_true(fa->crossed_into_home);
    }
    {
        dw_track t = report(202, T0_US + S(t_end + 4), T0_US + S(t_sw + 6), &f, t_end + 4,
                            DW_TRACK_DEAD, &rng);
        t.last_update_us = T0_US + S(last_s);
        feed(a, &t, &h);
    }
    const int64_t dead_us = T0_US + S(t_end + 4);
    dw_assess_stats st;
    dw_assess_get_stats(a, &st);
    assert_int_equal(st.continued, 1);
    size_t n_flight = L.n;
    NOTE("%zu alert records for %llu updates\n", n_flight, (unsigned long long)st.updates);

    /* border_imminent: at least imminent_s - one update before the crossing, and not
     * earlier than two updates and 5 s (the velocity noise) beyond that. */
    const dw_alert *im = find(&L, DW_ALERT_BORDER_IMMINENT, "PL", DW_ALERT_RAISED);
    assert_non_null(im);
    double lead_im = T_c - (double)(im->raised_us - T0_US) * 1e-6;
    NOTE("border_imminent raised %.1f s before the crossing (imminent_s %.0f)\n", lead_im, c.imminent_s);
    assert_true(lead_im >= c.imminent_s - dt);
    assert_true(lead_im <= c.imminent_s + 2 * dt + 5);
    assert_int_equal(im->track_id, 101);
    const dw_alert *imc = find(&L, DW_ALERT_BORDER_IMMINENT, "PL", DW_ALERT_CLEARED);
    assert_non_null(imc);
    assert_non_null(strstr(imc->reason, "crossed"));

    /* border_violation: at the first report over Poland, the crossing interpolated. */
    const dw_alert *bv = find(&L, DW_ALERT_BORDER_VIOLATION, "PL", DW_ALERT_RAISED);
    assert_non_null(bv);
    assert_true(bv->raised_us == T0_US + S(first_inside));
    assert_true(imc->t_us == bv->raised_us);
    double t_err = (double)(bv->event_us - T0_US) * 1e-6 - T_c;
    double p_err = dist_m(bv->lat_deg, bv->lon_deg, c_lat, c_lon);
    NOTE("border_violation at the report of %.0f s: crossing instant %+.2f s, point %.1f m off\n",
         first_inside, t_err, p_err);
    assert_true(fabs(t_err) <= 3.0);
    assert_true(p_err <= 100.0);
    assert_int_equal(bv->severity, DW_ALERT_CRITICAL);

    /* Regional warning and closure: at least warn_lead_s before the drone gets there,
     * and not before it could reach it within warn_lead_s: the truth comes within
     * 2 sigma(warn_lead_s + 5 min) (an upper bound of the reach radius the prediction
     * drew) of the area no earlier than warn_lead_s after the raise. */
    dw_threat_config tc;
    dw_threat_config_default(&tc);
    const double D = 2 * dw_threat_sigma_m(&tc, 20, 1, c.warn_lead_s + 300);
    const double near_lu = first_near(g, lu, &f, 3000, D), near_zone = first_near(g, eplb, &f, 4000, D);
    const dw_alert *rw = find(&L, DW_ALERT_REGIONAL_WARNING, "PL-LU", DW_ALERT_RAISED);
    assert_non_null(rw);
    double rw_t = (double)(rw->raised_us - T0_US) * 1e-6;
    NOTE("regional_warning PL-LU raised %.1f s before the entry (warn_lead_s %.0f); within %.0f m "
         "of it %.1f s after the raise\n", T_lu - rw_t, c.warn_lead_s, D, near_lu - rw_t);
    assert_true(T_lu - rw_t >= c.warn_lead_s - dt - 5);
    assert_true(near_lu - rw_t <= c.warn_lead_s + dt + 5);
    const dw_alert *ac = find(&L, DW_ALERT_AIRSPACE_CLOSURE, "EPLB", DW_ALERT_RAISED);
    assert_non_null(ac);
    double ac_t = (double)(ac->raised_us - T0_US) * 1e-6;
    NOTE("airspace_closure EPLB raised %.1f s before the zone; within %.0f m of it %.1f s after\n",
         T_zone - ac_t, D, near_zone - ac_t);
    assert_true(T_zone - ac_t >= c.warn_lead_s - dt - 5);
    assert_true(near_zone - ac_t <= c.warn_lead_s + dt + 5);
    /* their ETA is the expected arrival */
    assert_near((double)(ac->eta_us - T0_US) * 1e-6, T_zone, 20);
    assert_non_null(find(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_RAISED));

    /* One raise per kind and area, the break included; the break said so. */
    assert_no_flood(&L);
    assert_int_equal(count(&L, DW_ALERT_BORDER_IMMINENT, NULL, DW_ALERT_RAISED), 1);
    assert_int_equal(count(&L, DW_ALERT_BORDER_VIOLATION, NULL, DW_ALERT_RAISED), 1);
    assert_int_equal(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, -1), 0);
    assert_int_equal(count(&L, DW_ALERT_NEIGHBOUR_NOTICE, NULL, -1), 0);
    assert_int_equal(count(&L, DW_ALERT_SENSOR_DOWN, NULL, -1), 0);
    int said = 0;
    for (size_t i = 0; i < L.n; i++)
        if (L.a[i].kind == DW_ALERT_BORDER_VIOLATION && L.a[i].state == DW_ALERT_UPDATED &&
            strstr(L.a[i].reason, "track 101 continued as track 202") && L.a[i].track_id == 202)
            said = 1;
    assert_true(said);
    /* few records: raised, a handful of updates, nothing per report */
    assert_true(n_flight < 40);

    /* Cleared clear_after_s after the track ended, or once no track can continue it
     * (continue_window_s + 2 debris_hold_s after its last measurement), whichever is
     * later; not before. */
    const double gone = fmax(c.clear_after_s,
                             c.continue_window_s + 2 * c.debris_hold_s - (t_end + 4 - last_s));
    assert_int_equal(dw_assess_advance(a, dead_us + S(gone - 5)), DW_OK);
    assert_int_equal(count(&L, DW_ALERT_BORDER_VIOLATION, NULL, DW_ALERT_CLEARED), 0);
    for (double s = gone - 4; s <= gone + 2; s += 1)
        assert_int_equal(dw_assess_advance(a, dead_us + S(s)), DW_OK);
    dw_assess_get_stats(a, &st);
    assert_int_equal(st.active_alerts, 0);
    for (size_t i = 0; i < L.n; i++) {
        if (L.a[i].state != DW_ALERT_RAISED)
            continue;
        const dw_alert *cl = NULL;
        for (size_t j = i + 1; j < L.n; j++)
            if (L.a[j].id == L.a[i].id && L.a[j].state == DW_ALERT_CLEARED)
                cl = &L.a[j];
        assert_non_null(cl);
        if (L.a[i].kind == DW_ALERT_BORDER_VIOLATION || L.a[i].kind == DW_ALERT_REGIONAL_WARNING ||
            L.a[i].kind == DW_ALERT_AIRSPACE_CLOSURE) {
            double after = (double)(cl->t_us - dead_us) * 1e-6;
            NOTE("%s %s cleared %.1f s after the track ended (expected %.1f)\n",
                 dw_alert_kind_name(cl->kind), cl->area_id, after, gone);
            assert_true(after >= gone - 0.01 && after <= gone + 2);
        }
    }
    assert_int_equal(L.n_ident, 0);
    dw_assess_destroy(a);
    dw_geog_destroy(g);
    free(L.a);
}

/* The continuation rule: a new track that starts where a stopped one was heading
 * (within continue_gate_m + 2 sigma + a quarter of the distance flown, with a velocity
 * within 25 m/s + 2 sigma of the difference) continues it; one 20 km behind on the same
 * line, or at the right place flying north (its velocity known to 1 m/s), or after the
 * window, does not (and, on the line to Lublin airport, raises its own protected_zone:
 * a second object). A new track that starts while the old is still coasting takes over
 * too, and the old id's later reports are ignored. A young track whose first velocity
 * points north but is known only to 50 m/s (two plots) is not refused for it. */
static void continuation_rule(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_class_hints h = drone_hints();
    /* In Lubelskie, flying west towards Lublin: holds PL-LU and Lublin's sites. */
    flight f = {{51.25, 23.30, 0}, 270, 45.0, 2000.0};
    for (int variant = 0; variant < 6; variant++) {
        logbook L = {0};
        dw_assess *a = engine(g, NULL, &L);
        for (double s = 0; s <= 60; s += 4) {
            dw_track t = report(1, T0_US + S(s), T0_US, &f, s, DW_TRACK_CONFIRMED, NULL);
            feed(a, &t, &h);
        }
        size_t raised = count(&L, -1, NULL, DW_ALERT_RAISED);
        assert_true(raised >= 2);
        /* variant 4: after the window (unseen from its last update at 60 s to the new
         * track's start, 2 s before its first report) */
        double gap = variant == 4 ? 190 : 10;
        if (variant == 3) {
            /* 1 coasts; 2 starts while it does */
            dw_track t = report(1, T0_US + S(64), T0_US, &f, 64, DW_TRACK_COASTING, NULL);
            t.last_update_us = T0_US + S(60);
            feed(a, &t, &h);
        } else {
            dw_track t = report(1, T0_US + S(64), T0_US, &f, 64, DW_TRACK_DEAD, NULL);
            t.last_update_us = T0_US + S(60);
            feed(a, &t, &h);
        }
        flight f2 = f;
        if (variant == 1) /* 20 km behind, on the same line */
            assert_int_equal(dw_geo_direct(&f.start, 90, 20000, &f2.start), DW_OK);
        for (double s = 60 + gap; s <= 60 + gap + 60; s += 4) {
            dw_track t = report(2, T0_US + S(s), T0_US + S(60 + gap - 2), &f2, s,
                                DW_TRACK_CONFIRMED, NULL);
            if (variant == 2 || (variant == 5 && s < 60 + gap + 1)) {
                t.vel_enu_mps[0] = 0;
                t.vel_enu_mps[1] = 45;
            }
            if (variant == 5 && s < 60 + gap + 1)
                t.cov_vel_enu[0][0] = t.cov_vel_enu[1][1] = 2500.0;
            feed(a, &t, &h);
            if (variant == 3 && s < 60 + gap + 20) {
                /* the old id still coasting: ignored */
                dw_track o = report(1, T0_US + S(s + 1), T0_US, &f, s + 1, DW_TRACK_COASTING, NULL);
                o.last_update_us = T0_US + S(60);
                feed(a, &o, &h);
            }
        }
        dw_assess_stats st;
        dw_assess_get_stats(a, &st);
        size_t raised2 = count(&L, -1, NULL, DW_ALERT_RAISED);
        NOTE("variant %d: continued %llu, raised %zu then %zu\n", variant,
             (unsigned long long)st.continued, raised, raised2);
        if (variant == 0 || variant == 3 || variant == 5) {
            assert_int_equal(st.continued, 1);
            assert_int_equal(raised2, raised);
            assert_no_flood(&L);
            assert_non_null(dw_assess_facts_of(a, 2));
            assert_null(dw_assess_facts_of(a, 1));
            if (variant == 3)
                assert_true(st.ignored >= 4);
        } else {
            assert_int_equal(st.continued, 0);
            if (variant != 2)           /* its own: a second object on the line */
                assert_int_equal(count(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_RAISED), 2);
        }
        if (variant != 2)
            assert_int_equal(count(&L, DW_ALERT_AIRSPACE_CLOSURE, "EPLB", DW_ALERT_RAISED), 1);
        dw_assess_destroy(a);
        free(L.a);
    }
    dw_geog_destroy(g);
}

/* An airliner (ICAO, 230 m/s at 11 km) and a bird flock (15 m/s at 800 m) crossing from
 * Belarus into Poland: not drones, no alert at all. */
static void airliner_and_birds_silent(void **state)
{
    (void)state;
    dw_geog *g = geo();
    logbook L = {0};
    dw_assess *a = engine(g, NULL, &L);
    flight air = {{52.0, 24.6, 0}, 265, 230.0, 11000.0};
    flight bird = {{51.75, 23.80, 0}, 265, 15.0, 800.0};
    dw_class_hints ha, hb;
    memset(&ha, 0, sizeof ha);
    ha.sensor_kinds = (1u << DW_SENSOR_ADSB) | (1u << DW_SENSOR_RADAR);
    ha.rcs_m2 = 40;
    ha.n_rcs = 20;
    memset(&hb, 0, sizeof hb);
    hb.sensor_kinds = 1u << DW_SENSOR_RADAR;
    hb.rcs_m2 = 0.02;
    hb.n_rcs = 20;
    dw_rng rng;
    dw_rng_seed(&rng, 3, 4);
    const size_t pl = (size_t)dw_geog_find(g, "PL");
    int air_in = 0, bird_in = 0;
    dw_track ta, tb;
    for (double s = 0; s <= 1800; s += 4) {
        if (s <= 900) {
            ta = report(301, T0_US + S(s), T0_US, &air, s, DW_TRACK_CONFIRMED, &rng);
            ta.icao = 0x48ae21;
            memcpy(ta.callsign, "LOT3AB", 7);
            feed(a, &ta, &ha);
            air_in |= dw_geog_contains(g, pl, ta.lat_deg, ta.lon_deg);
        }
        tb = report(401, T0_US + S(s), T0_US, &bird, s, DW_TRACK_CONFIRMED, &rng);
        feed(a, &tb, &hb);
        bird_in |= dw_geog_contains(g, pl, tb.lat_deg, tb.lon_deg);
    }
    assert_true(air_in && bird_in);         /* both did cross */
    const dw_assess_facts *fb = dw_assess_facts_of(a, 401);
    assert_non_null(fb);
    NOTE("airliner class %s; bird class %s, drone probability %.3f\n", dw_class_name(ta.cls),
         dw_class_name(tb.cls), fb->drone_prob);
    assert_int_equal(ta.cls, DW_CLASS_AIRLINER);
    assert_int_equal(tb.cls, DW_CLASS_BIRD);
    assert_true(fb->drone_prob < 0.5);
    assert_true(fb->crossed_into_home);     /* the facts know; the alerts stay quiet */
    assert_int_equal(L.n, 0);
    dw_assess_destroy(a);
    dw_geog_destroy(g);
    free(L.a);
}

/* With the shipped rules (config/identification.yaml): the drone from Belarus becomes
 * suspect once its class rests on kinematics ("drone-from-across-the-border"), hostile
 * once it has crossed and its path reaches a protected site
 * ("crossed-heading-for-a-protected-site"), each change reported once with its rule and
 * written into the track; the alerts carry the affiliation; a bird flock crossing
 * beside it becomes neutral ("birds") and never suspect. */
static void identity_by_rules(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_rules *rules = NULL;
    char err[512];
    dw_status rs = dw_rules_load(RULES, g, &rules, err, sizeof err);
    if (rs != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rs, DW_OK);
    logbook L = {0};
    dw_assess_config c;
    dw_assess_config_default(&c);
    c.rules = rules;
    dw_assess *a = engine(g, &c, &L);
    const dw_geog_feature *ap = dw_geog_get(g, (size_t)dw_geog_find(g, "EPLB"));
    flight f = {{51.9, 24.2, 0}, 0, 45.0, 2000.0};
    dw_geodetic tgt = {ap->lat_deg, ap->lon_deg, 0};
    assert_int_equal(dw_geo_inverse(&f.start, &tgt, NULL, &f.az_deg, NULL), DW_OK);
    flight bird = {{51.75, 23.80, 0}, 265, 15.0, 800.0};
    dw_class_hints h = drone_hints(), hb = drone_hints();
    hb.rcs_m2 = 0.02;
    dw_track t, tb;
    for (double s = 0; s <= 2000; s += 4) {
        t = report(11, T0_US + S(s), T0_US, &f, s, DW_TRACK_CONFIRMED, NULL);
        feed(a, &t, &h);
        tb = report(12, T0_US + S(s), T0_US, &bird, s, DW_TRACK_CONFIRMED, NULL);
        feed(a, &tb, &hb);
        if (s < c.classify.min_track_s)
            assert_int_equal(t.affiliation, DW_AFF_PENDING);
    }
    int n11 = 0, n12 = 0;
    for (int i = 0; i < L.n_ident && i < 16; i++) {
        NOTE("identity: track %llu %s -> %s by %s at %.0f s\n", (unsigned long long)L.id[i].track,
             dw_affiliation_name(L.id[i].from), dw_affiliation_name(L.id[i].to), L.id[i].rule,
             (double)(L.id[i].t_us - T0_US) * 1e-6);
        if (L.id[i].track == 11) {
            if (n11 == 0) {
                assert_int_equal(L.id[i].from, DW_AFF_PENDING);
                assert_int_equal(L.id[i].to, DW_AFF_SUSPECT);
                assert_string_equal(L.id[i].rule, "drone-from-across-the-border");
            } else {
                assert_int_equal(L.id[i].from, DW_AFF_SUSPECT);
                assert_int_equal(L.id[i].to, DW_AFF_HOSTILE);
                assert_string_equal(L.id[i].rule, "crossed-heading-for-a-protected-site");
            }
            n11++;
        } else {
            assert_int_equal(L.id[i].track, 12);
            assert_int_equal(L.id[i].to, DW_AFF_NEUTRAL);
            assert_string_equal(L.id[i].rule, "birds");
            n12++;
        }
    }
    assert_int_equal(n11, 2);
    assert_int_equal(n12, 1);
    assert_int_equal(t.affiliation, DW_AFF_HOSTILE);
    assert_int_equal(tb.affiliation, DW_AFF_NEUTRAL);
    dw_assess_stats st;
    dw_assess_get_stats(a, &st);
    assert_int_equal(st.identity_changes, 3);
    const dw_assess_facts *fa = dw_assess_facts_of(a, 11);
    assert_non_null(fa);
    assert_int_equal(fa->affiliation, DW_AFF_HOSTILE);
    assert_true(fa->n_threatened >= 1);
    const dw_alert *bv = find(&L, DW_ALERT_BORDER_VIOLATION, "PL", DW_ALERT_RAISED);
    assert_non_null(bv);
    assert_int_equal(bv->affiliation, DW_AFF_SUSPECT);
    for (size_t i = 0; i < L.n; i++)
        for (int k = 0; k < L.a[i].n_tracks && k < 8; k++)
            assert_int_not_equal(L.a[i].track_ids[k], 12);
    dw_assess_destroy(a);
    dw_rules_destroy(rules);
    dw_geog_destroy(g);
    free(L.a);
}

/* ---- hysteresis ------------------------------------------------------------------------ */

/* A drone that changes course and speed: the current leg starts where the last ended. */
typedef struct mover {
    dw_geodetic start;
    double az_deg, speed_mps, t0_s, alt_m;
} mover;

static void mover_at(const mover *m, double s, double *lat, double *lon, double *ve, double *vn)
{
    flight f = {m->start, m->az_deg, m->speed_mps, m->alt_m};
    fly(&f, s - m->t0_s, lat, lon, ve, vn);
}

static void mover_turn(mover *m, double s, double az_deg, double speed_mps)
{
    double lat, lon;
    mover_at(m, s, &lat, &lon, NULL, NULL);
    m->start.lat_deg = lat;
    m->start.lon_deg = lon;
    m->az_deg = az_deg;
    m->speed_mps = speed_mps;
    m->t0_s = s;
}

static dw_track mover_report(uint64_t id, const mover *m, double s, int64_t first_us)
{
    flight dummy = {m->start, 0, 0, m->alt_m};
    dw_track t = report(id, T0_US + S(s), first_us, &dummy, 0, DW_TRACK_CONFIRMED, NULL);
    mover_at(m, s, &t.lat_deg, &t.lon_deg, &t.vel_enu_mps[0], &t.vel_enu_mps[1]);
    return t;
}

/* The lead (s) at which the track's path reaches feature fi within k sigma, NAN if not. */
static double reach_lead(const dw_assess *a, uint64_t id, int fi)
{
    static dw_threat th;
    if (dw_assess_threat_of(a, id, &th) != DW_OK)
        return NAN;
    for (int i = 0; i < th.n_reach; i++)
        if (th.reach[i].feature == fi)
            return (double)(th.reach[i].eta_us - th.t_us) * 1e-6;
    return NAN;
}

/* The alerts' hysteresis on a drone in Lubelskie flying at Lublin airport (EPLB), its
 * closest approach 6 km: raised when its path reaches the airport's zone within
 * warn_lead_s (15 min); it slows from 45 to 25 m/s, so that the lead grows to ~1,400 s,
 * beyond the raise lead and within hold_factor (2) times it: held, nothing written
 * beyond updates; it turns away for 10 min: cleared (180 s after the path stopped
 * reaching it); it turns back: within warn_lead_s again it is not raised a second time
 * (suppressed: it is not worse than what the alert said), and when its path reaches the
 * zone within half the lead (450 s) the same alert is reopened: raised, cleared,
 * reopened, one id, one raise. Variant 1, with the old hold_factor 1.2, clears while the
 * drone is only slower; variant 2, without suppression (suppress_s 0), raises it twice. */
static void hysteresis_held_then_reopened(void **state)
{
    (void)state;
    dw_geog *g = geo();
    const int eplb = dw_geog_find(g, "EPLB");
    dw_class_hints h = drone_hints();
    for (int variant = 0; variant < 3; variant++) {
        logbook L = {0};
        dw_assess_config c;
        dw_assess_config_default(&c);
        if (variant == 1)
            c.hold_factor = 1.2;
        if (variant == 2)
            c.suppress_s = 0;
        dw_assess *a = engine(g, &c, &L);
        mover m = {{51.295, 23.60, 0}, 270, 45.0, 0, 1500.0};
        int phase = 1;
        double s = 0, phase_t = 0, max_lead2 = 0, lead_reopen = NAN, lead_prev = NAN;
        uint64_t id = 0;
        for (; s < 6000 && phase < 5; s += 4) {
            dw_track t = mover_report(21, &m, s, T0_US);
            feed(a, &t, &h);
            double lead = reach_lead(a, 21, eplb);
            const dw_alert *r = find(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_RAISED);
            if (phase == 1 && r) {
                id = r->id;
                if (s >= (double)(r->t_us - T0_US) * 1e-6 + 60) {
                    mover_turn(&m, s, 270, 25.0);       /* slower, same course */
                    phase = 2;
                    phase_t = s;
                }
            } else if (phase == 2) {
                if (isfinite(lead) && lead > max_lead2)
                    max_lead2 = lead;
                if (s >= phase_t + 300) {
                    NOTE("variant %d: slowed for 300 s, lead up to %.0f s (raise %.0f, hold %.0f)\n",
                         variant, max_lead2, c.warn_lead_s, c.warn_lead_s * c.hold_factor);
                    assert_true(max_lead2 > 1.2 * c.warn_lead_s);
                    assert_true(max_lead2 <= 2.0 * c.warn_lead_s);
                    if (variant == 1) {         /* the old band: it let go */
                        assert_int_equal(count(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_CLEARED), 1);
                        break;
                    }
                    assert_int_equal(count(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_CLEARED), 0);
                    mover_turn(&m, s, 90, 45.0);        /* away */
                    phase = 3;
                    phase_t = s;
                }
            } else if (phase == 3 && s >= phase_t + 600) {
                assert_int_equal(count(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_CLEARED), 1);
                mover_turn(&m, s, 270, 45.0);           /* back */
                phase = 4;
                phase_t = s;
            } else if (phase == 4) {
                size_t back = count(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_REOPENED) +
                              count(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_RAISED);
                if (back >= 2) {
                    lead_reopen = lead;
                    phase = 5;
                }
                lead_prev = lead;
                (void)lead_prev;
            }
        }
        if (variant == 1) {
            dw_assess_destroy(a);
            free(L.a);
            continue;
        }
        assert_int_equal(phase, 5);
        dw_assess_stats st;
        dw_assess_get_stats(a, &st);
        NOTE("variant %d: back %.0f s after turning back, lead %.0f s; suppressed %llu wants\n",
             variant, s - phase_t, lead_reopen, (unsigned long long)st.alerts_suppressed);
        if (variant == 2) {
            assert_int_equal(count(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_RAISED), 2);
            assert_int_equal(count(&L, -1, NULL, DW_ALERT_REOPENED), 0);
            assert_true(lead_reopen > 0.5 * c.warn_lead_s);
        } else {
            assert_int_equal(count(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_RAISED), 1);
            const dw_alert *ro = find(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_REOPENED);
            assert_non_null(ro);
            assert_int_equal(ro->id, id);
            assert_true(ro->raised_us == find(&L, DW_ALERT_PROTECTED_ZONE, "EPLB", DW_ALERT_RAISED)->raised_us);
            assert_non_null(strstr(ro->reason, "reopened, "));
            assert_true(lead_reopen <= 0.5 * c.warn_lead_s && lead_reopen > c.imminent_s);
            assert_true(st.alerts_suppressed > 0);
            assert_int_equal(st.alerts_reopened, count(&L, -1, NULL, DW_ALERT_REOPENED));
            /* its records: raised, updated..., cleared, reopened, in that order */
            int seq = 0;
            for (size_t i = 0; i < L.n; i++) {
                if (L.a[i].id != id)
                    continue;
                dw_alert_state x = L.a[i].state;
                if (seq == 0)
                    assert_int_equal(x, DW_ALERT_RAISED), seq = 1;
                else if (seq == 1 && x == DW_ALERT_CLEARED)
                    seq = 2;
                else if (seq == 1)
                    assert_int_equal(x, DW_ALERT_UPDATED);
                else if (seq == 2)
                    assert_int_equal(x, DW_ALERT_REOPENED), seq = 3;
            }
            assert_int_equal(seq, 3);
            /* the closure of the airport, held by the same drone: the same story */
            assert_int_equal(count(&L, DW_ALERT_AIRSPACE_CLOSURE, "EPLB", DW_ALERT_RAISED), 1);
            assert_no_flood(&L);
        }
        dw_assess_destroy(a);
        free(L.a);
    }
    dw_geog_destroy(g);
}

/* A drone threat stays one down to drone_prob_hold: the drone from the hysteresis test,
 * in Lubelskie, whose radar echo grows halfway (a cross-section between a drone's and a
 * light aircraft's: its drone probability falls from ~0.9 to between drone_prob_hold and
 * drone_prob_min) keeps its alerts and raises no new one (its path reaches more sites as
 * it flies on); with drone_prob_hold = drone_prob_min (no band) the same flight lets them
 * go and clears them. */
static void threat_held_down_to_hold_prob(void **state)
{
    (void)state;
    dw_geog *g = geo();
    for (int variant = 0; variant < 2; variant++) {
        logbook L = {0};
        dw_assess_config c;
        dw_assess_config_default(&c);
        if (variant == 1)
            c.drone_prob_hold = c.drone_prob_min;
        dw_assess *a = engine(g, &c, &L);
        flight f = {{51.295, 23.60, 0}, 270, 35.0, 1500.0};
        dw_class_hints h = drone_hints();
        double pmin = 1, pmax = 0;
        size_t before = 0;
        for (double s = 0; s <= 900; s += 4) {
            if (s >= 300 && !before) {
                before = count(&L, -1, NULL, DW_ALERT_RAISED);
                h.rcs_m2 = 1.2;
            }
            dw_track t = report(71, T0_US + S(s), T0_US, &f, s, DW_TRACK_CONFIRMED, NULL);
            feed(a, &t, &h);
            const dw_assess_facts *fa = dw_assess_facts_of(a, 71);
            if (s >= 400) {
                pmin = fmin(pmin, fa->drone_prob);
                pmax = fmax(pmax, fa->drone_prob);
            }
        }
        NOTE("variant %d: drone probability %.2f..%.2f after the echo grew; %zu raised, %zu cleared\n",
             variant, pmin, pmax, count(&L, -1, NULL, DW_ALERT_RAISED), count(&L, -1, NULL, DW_ALERT_CLEARED));
        assert_true(pmin >= 0.3 && pmax < 0.5);
        assert_true(before >= 2);
        assert_int_equal(count(&L, -1, NULL, DW_ALERT_RAISED), before);
        if (variant == 0)
            assert_int_equal(count(&L, -1, NULL, DW_ALERT_CLEARED), 0);
        else
            assert_true(count(&L, -1, NULL, DW_ALERT_CLEARED) >= 2);
        dw_assess_destroy(a);
        free(L.a);
    }
    dw_geog_destroy(g);
}

/* ---- debris --------------------------------------------------------------------------- */

/* A light aircraft (ICAO) flies at 60 m/s for 20 min from (lat, lon) on course az, from
 * 25 min before T0: that strip has been seen. */
static void paint_line(dw_assess *a, double lat, double lon, double az)
{
    flight p = {{lat, lon, 0}, az, 60.0, 1500.0};
    dw_class_hints h;
    memset(&h, 0, sizeof h);
    h.sensor_kinds = (1u << DW_SENSOR_ADSB) | (1u << DW_SENSOR_RADAR);
    for (double s = 0; s <= 1200; s += 4) {
        dw_track t = report(900, T0_US - S(1500) + S(s), T0_US - S(1500), &p, s, DW_TRACK_CONFIRMED,
                            NULL);
        t.icao = 0x48c001;
        feed(a, &t, &h);
    }
    dw_track t = report(900, T0_US - S(1500) + S(1204), T0_US - S(1500), &p, 1204, DW_TRACK_DEAD, NULL);
    feed(a, &t, &h);
}

/* North along 22.20 E from 51.3 N to 51.95 N. */
static void paint(dw_assess *a) { paint_line(a, 51.3, 22.20, 0); }

/* Flies a drone for dur_s and ends it: the last report at dur_s, the dead record 4 s
 * later (4 s of coasting). Returns the dead record. */
static dw_track fly_and_die(dw_assess *a, uint64_t id, const flight *f, int64_t t0, double dur_s)
{
    dw_class_hints h = drone_hints();
    for (double s = 0; s <= dur_s + 1e-9; s += 4) {
        dw_track t = report(id, t0 + S(s), t0, f, s, DW_TRACK_CONFIRMED, NULL);
        feed(a, &t, &h);
    }
    dw_track t = report(id, t0 + S(dur_s + 4), t0, f, dur_s + 4, DW_TRACK_DEAD, NULL);
    t.last_update_us = t0 + S(dur_s);
    feed(a, &t, &h);
    return t;
}

static void advance_to(dw_assess *a, int64_t from, int64_t to)
{
    for (int64_t t = from; t <= to; t += S(1))
        assert_int_equal(dw_assess_advance(a, t), DW_OK);
}

/* In the seen strip, a drone at 2,000 m and 45 m/s ends: the zone is raised once no
 * continuation can come any more (continue_window_s after its last measurement, plus
 * debris_hold_s for a new track's confirmation), centred sqrt(2h/g) of flight ahead of
 * where it was when it began to fall (the middle of its 4 s of coasting), with radius
 * 2 sqrt(sp² + tau² sv²) + v coast / 2 + 50 m, and cleared after debris_keep_s. */
static void debris_zone_ahead(void **state)
{
    (void)state;
    dw_geog *g = geo();
    logbook L = {0};
    dw_assess_config c;
    dw_assess_config_default(&c);
    dw_assess *a = engine(g, &c, &L);
    paint(a);
    flight f = {{51.40, 22.20, 0}, 0, 45.0, 2000.0};
    dw_track dead = fly_and_die(a, 601, &f, T0_US, 600);
    assert_int_equal(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, -1), 0);   /* held back */
    const double wait = c.continue_window_s + c.debris_hold_s;
    advance_to(a, dead.t_us, dead.last_update_us + S(wait - 1));
    assert_int_equal(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, -1), 0);   /* a track may still come */
    advance_to(a, dead.last_update_us + S(wait - 1), dead.last_update_us + S(wait + 2));
    const dw_alert *z = find(&L, DW_ALERT_DEBRIS_ZONE, NULL, DW_ALERT_RAISED);
    assert_non_null(z);
    double after = (double)(z->t_us - dead.last_update_us) * 1e-6;
    NOTE("debris: raised %.1f s after the last measurement (window %.0f + hold %.0f)\n", after,
         c.continue_window_s, c.debris_hold_s);
    assert_true(after >= wait && after <= wait + 1.5);
    const double tf = sqrt(2 * 2000 / 9.80665), coast = 4;
    dw_geodetic p = {dead.lat_deg, dead.lon_deg, 0}, q;
    assert_int_equal(dw_geo_direct(&p, atan2(dead.vel_enu_mps[0], dead.vel_enu_mps[1]) * 180 / M_PI,
                                   45 * (tf - coast / 2), &q), DW_OK);
    double off = dist_m(z->lat_deg, z->lon_deg, q.lat_deg, q.lon_deg);
    double ahead = dist_m(z->lat_deg, z->lon_deg, dead.lat_deg, dead.lon_deg);
    double tau = tf + coast / 2;
    double radius = 2 * sqrt(400 + tau * tau * 1.0) + 45 * coast / 2 + 50;
    NOTE("debris: fall %.2f s, centre %.1f m ahead of the dead record (%.2f m from the model's), "
         "radius %.1f m\n", tf, ahead, off, z->radius_m);
    assert_true(off < 2.0);
    assert_near(ahead, 45 * (tf - coast / 2), 2.0);
    assert_near(z->radius_m, radius, 0.5);
    assert_true(z->event_us == dead.last_update_us + S(coast / 2 + tf));
    assert_int_equal(z->track_id, 601);
    assert_int_equal(z->severity, DW_ALERT_CRITICAL);
    assert_true(z->region[0] != 0);
    assert_string_equal(z->area_id, z->region);
    assert_int_equal(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, DW_ALERT_RAISED), 1);
    advance_to(a, z->t_us + S(c.debris_keep_s - 2), z->t_us + S(c.debris_keep_s + 1));
    assert_non_null(find(&L, DW_ALERT_DEBRIS_ZONE, NULL, DW_ALERT_CLEARED));
    dw_assess_destroy(a);
    dw_geog_destroy(g);
    free(L.a);
}

/* A drone that ends where nothing was ever seen ahead of it (it flew out of what the
 * sensors see) gets no zone; nor does one whose track is continued within the
 * continuation window, even long after the old debris_hold_s of 15 s (variant 2: 2 min
 * later); one continued by a track that began within the window but was confirmed late,
 * after the zone was raised, has it withdrawn (variant 3); and a drone whose track
 * breaks twice in the seen strip before it ends gets one zone, for its last end, however
 * many ends its chain had (variant 4). */
static void debris_not_at_edge_nor_continued(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_class_hints h = drone_hints();
    for (int variant = 0; variant < 5; variant++) {
        logbook L = {0};
        dw_assess_config c;
        dw_assess_config_default(&c);
        dw_assess *a = engine(g, &c, &L);
        paint(a);
        const double wait = c.continue_window_s + c.debris_hold_s;
        if (variant == 0) {
            flight f = {{52.60, 22.00, 0}, 90, 45.0, 2000.0};
            dw_track dead = fly_and_die(a, 602, &f, T0_US, 600);
            advance_to(a, dead.t_us, dead.t_us + S(wait + 60));
            assert_int_equal(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, -1), 0);
        } else if (variant < 4) {
            flight f = {{51.40, 22.20, 0}, 0, 45.0, 2000.0};
            dw_track dead = fly_and_die(a, 603, &f, T0_US, 600);   /* last measured at 600 s */
            /* the new track: begun at 600 + begin s, first published at 600 + shown s */
            double begin = variant == 1 ? 6 : variant == 2 ? 118 : c.continue_window_s - 10;
            double shown = variant == 3 ? wait + 5 : begin + 2;
            advance_to(a, dead.t_us, T0_US + S(600 + shown - 1));
            if (variant == 3)
                assert_int_equal(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, DW_ALERT_RAISED), 1);
            else
                assert_int_equal(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, -1), 0);
            for (double s = 600 + shown; s <= 600 + shown + 40; s += 4) {
                dw_track t = report(604, T0_US + S(s), T0_US + S(600 + begin), &f, s,
                                    DW_TRACK_CONFIRMED, NULL);
                feed(a, &t, &h);
            }
            advance_to(a, T0_US + S(600 + shown + 41), T0_US + S(600 + shown + wait + 60));
            dw_assess_stats st;
            dw_assess_get_stats(a, &st);
            NOTE("debris variant %d: continued %llu, zones %zu\n", variant,
                 (unsigned long long)st.continued, count(&L, DW_ALERT_DEBRIS_ZONE, NULL, DW_ALERT_RAISED));
            assert_int_equal(st.continued, 1);
            if (variant < 3)
                assert_int_equal(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, -1), 0);
            else {
                assert_int_equal(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, DW_ALERT_RAISED), 1);
                const dw_alert *cl = find(&L, DW_ALERT_DEBRIS_ZONE, NULL, DW_ALERT_CLEARED);
                assert_non_null(cl);
                assert_non_null(strstr(cl->reason, "did not come down"));
            }
            assert_no_flood(&L);
        } else {
            /* 605 ends, 606 takes over 40 s later and ends, 607 takes over 134 s later
             * and ends (each time 4 s of coasting, then the dead record) */
            flight f = {{51.40, 22.20, 0}, 0, 45.0, 2000.0};
            const uint64_t ids[3] = {605, 606, 607};
            const double from[3] = {0, 344, 738}, to[3] = {300, 600, 900};
            dw_track dead;
            for (int k = 0; k < 3; k++) {
                for (double s = from[k]; s <= to[k] + 1e-9; s += 4) {
                    dw_track t = report(ids[k], T0_US + S(s), T0_US + S(from[k] - 2), &f, s,
                                        DW_TRACK_CONFIRMED, NULL);
                    feed(a, &t, &h);
                }
                dead = report(ids[k], T0_US + S(to[k] + 4), T0_US + S(from[k] - 2), &f, to[k] + 4,
                              DW_TRACK_DEAD, NULL);
                dead.last_update_us = T0_US + S(to[k]);
                feed(a, &dead, &h);
                if (k < 2)
                    advance_to(a, dead.t_us, T0_US + S(from[k + 1] - 1));
            }
            advance_to(a, dead.t_us, dead.t_us + S(wait + 10));
            dw_assess_stats st;
            dw_assess_get_stats(a, &st);
            assert_int_equal(st.continued, 2);
            assert_int_equal(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, -1), 1);
            const dw_alert *z = find(&L, DW_ALERT_DEBRIS_ZONE, NULL, DW_ALERT_RAISED);
            assert_non_null(z);
            assert_int_equal(z->track_id, 607);
            assert_no_flood(&L);
        }
        dw_assess_destroy(a);
        free(L.a);
    }
    dw_geog_destroy(g);
}

/* ---- neighbours, sensors, the record ------------------------------------------------------ */

/* A drone over Poland near Sejny heading north-east into Lithuania: one notice to LT,
 * its ETA within 5 s of the crossing; no border alerts; the CoT form is an event of
 * the threat whose remarks are addressed to LT. */
static void neighbour_notice_lithuania(void **state)
{
    (void)state;
    dw_geog *g = geo();
    logbook L = {0};
    dw_assess *a = engine(g, NULL, &L);
    const size_t lt = (size_t)dw_geog_find(g, "LT");
    flight f = {{54.05, 23.0, 0}, 45, 45.0, 2000.0};
    double la, lo;
    double T_lt = first_in(g, lt, &f, 3000, 0, &la, &lo);
    assert_false(isnan(T_lt));
    dw_class_hints h = drone_hints();
    dw_track last;
    for (double s = 0; s <= T_lt + 60; s += 4) {
        last = report(701, T0_US + S(s), T0_US, &f, s, DW_TRACK_CONFIRMED, NULL);
        feed(a, &last, &h);
    }
    assert_int_equal(count(&L, DW_ALERT_NEIGHBOUR_NOTICE, NULL, DW_ALERT_RAISED), 1);
    assert_int_equal(count(&L, DW_ALERT_BORDER_IMMINENT, NULL, -1), 0);
    assert_int_equal(count(&L, DW_ALERT_BORDER_VIOLATION, NULL, -1), 0);
    const dw_alert *n = find(&L, DW_ALERT_NEIGHBOUR_NOTICE, NULL, DW_ALERT_RAISED);
    assert_string_equal(n->neighbour, "LT");
    assert_string_equal(n->area_id, "LT");
    double eta = (double)(n->eta_us - T0_US) * 1e-6;
    NOTE("neighbour notice raised at %.0f s, ETA %.1f s, truth %.1f s, point %.0f m off\n",
         (double)(n->raised_us - T0_US) * 1e-6, eta, T_lt, dist_m(n->lat_deg, n->lon_deg, la, lo));
    assert_near(eta, T_lt, 5.0);
    assert_true(dist_m(n->lat_deg, n->lon_deg, la, lo) < 250);
    assert_true(n->raised_us < T0_US + S(T_lt));
    char line[2048];
    assert_true(dw_alert_to_ndjson(n, line, sizeof line) > 0);
    json_error_t je;
    json_t *j = json_loads(line, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "neighbour")), "LT");
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "neighbour_notice");
    json_decref(j);

    uint8_t buf[8192], *end = NULL;
    assert_int_equal(dw_alert_to_cot(n, n->t_us, buf, buf + sizeof buf, &end), DW_OK);
    NOTE("%.*s\n", (int)(end - buf), (const char *)buf);
    xmlDocPtr doc = xmlReadMemory((const char *)buf, (int)(end - buf), "notice.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR);
    assert_non_null(doc);
    xmlNodePtr ev = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)ev->name, "event");
    xmlChar *type = xmlGetProp(ev, (const xmlChar *)"type");
    assert_non_null(type);
    assert_true(type[0] == 'a' && type[1] == '-');
    xmlFree(type);
    xmlChar *uid = xmlGetProp(ev, (const xmlChar *)"uid");
    assert_string_equal((const char *)uid, "dronewall-701");
    xmlFree(uid);
    int found = 0;
    for (xmlNodePtr d = ev->children; d; d = d->next) {
        if (d->type != XML_ELEMENT_NODE || strcmp((const char *)d->name, "detail"))
            continue;
        for (xmlNodePtr r = d->children; r; r = r->next) {
            if (r->type != XML_ELEMENT_NODE || strcmp((const char *)r->name, "remarks"))
                continue;
            xmlChar *to = xmlGetProp(r, (const xmlChar *)"to");
            xmlChar *txt = xmlNodeGetContent(r);
            assert_string_equal((const char *)to, "LT");
            assert_non_null(strstr((const char *)txt, "predicted to enter Lithuania"));
            xmlFree(to);
            xmlFree(txt);
            found = 1;
        }
    }
    assert_true(found);
    xmlFreeDoc(doc);
    /* not for other kinds */
    dw_alert other = *n;
    other.kind = DW_ALERT_BORDER_VIOLATION;
    assert_int_equal(dw_alert_to_cot(&other, n->t_us, buf, buf + sizeof buf, &end), DW_ERR_UNSUPPORTED);
    dw_assess_destroy(a);
    dw_geog_destroy(g);
    free(L.a);
}

/* Who is told: Poland tells a neighbour what leaves Polish airspace towards it. A drone
 * in Belarus flying south into Ukraine (its path enters Ukraine within the lead, never
 * Poland) gets no notice; a drone in Poland near the tri-border flying south-east, whose
 * path leaves Poland into Belarus (in 150 s) and goes on into Ukraine (in 510 s), gets
 * one notice, to Belarus, none to Ukraine, and none again once it is in Belarus. */
static void neighbour_notice_scope(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_class_hints h = drone_hints();
    for (int variant = 0; variant < 2; variant++) {
        logbook L = {0};
        dw_assess *a = engine(g, NULL, &L);
        flight f = variant == 0 ? (flight){{52.30, 25.00, 0}, 180, 45.0, 1500.0}
                                : (flight){{51.80, 23.50, 0}, 140, 45.0, 1500.0};
        const char *first = variant == 0 ? "UA" : "BY";
        int seen_both = 0, seen_first = 0;
        for (double s = 0; s <= 900; s += 4) {
            dw_track t = report(31, T0_US + S(s), T0_US, &f, s, DW_TRACK_CONFIRMED, NULL);
            feed(a, &t, &h);
            dw_threat th;
            if (dw_assess_threat_of(a, 31, &th) != DW_OK || th.n_crossings == 0)
                continue;
            double lead = (double)(th.crossings[0].eta_us - th.t_us) * 1e-6;
            if (!strcmp(th.crossings[0].country, first) && lead < 600)
                seen_first = 1;
            if (variant == 1 && th.n_crossings >= 2 && !strcmp(th.crossings[1].country, "UA") &&
                (double)(th.crossings[1].eta_us - th.t_us) * 1e-6 < 600)
                seen_both = 1;
        }
        assert_true(seen_first);                /* the path does enter it, soon */
        size_t n = count(&L, DW_ALERT_NEIGHBOUR_NOTICE, NULL, DW_ALERT_RAISED);
        NOTE("variant %d: %zu notices raised\n", variant, n);
        if (variant == 0) {
            assert_int_equal(count(&L, DW_ALERT_NEIGHBOUR_NOTICE, NULL, -1), 0);
        } else {
            assert_true(seen_both);             /* and on into Ukraine */
            assert_int_equal(n, 1);
            assert_int_equal(count(&L, DW_ALERT_NEIGHBOUR_NOTICE, "BY", DW_ALERT_RAISED), 1);
            assert_int_equal(count(&L, DW_ALERT_NEIGHBOUR_NOTICE, "UA", -1), 0);
            assert_int_equal(count(&L, DW_ALERT_NEIGHBOUR_NOTICE, NULL, DW_ALERT_REOPENED), 0);
            assert_string_equal(find(&L, DW_ALERT_NEIGHBOUR_NOTICE, "BY", DW_ALERT_RAISED)->neighbour, "BY");
        }
        /* neither crossed into Poland */
        assert_int_equal(count(&L, DW_ALERT_BORDER_VIOLATION, NULL, -1), 0);
        dw_assess_destroy(a);
        free(L.a);
    }
    dw_geog_destroy(g);
}

/* A track first seen over Poland, not continuing any: a drone from Belarus flying west,
 * first seen 2 km inside (its crossing was not seen: it came in unseen), gets a
 * border_violation with the crossing estimated back along its course, within 3 s and
 * 150 m of the true one, and its origin is Belarus; the same when its first reports'
 * velocity is not yet known (50 m/s sigma, pointing anywhere): decided once it is. First
 * seen 30 km inside (deeper than entry_gate_m), or 2 km inside flying east (out), it did
 * not come in: no violation, origin Poland. */
static void first_seen_inside(void **state)
{
    (void)state;
    dw_geog *g = geo();
    const size_t pl = (size_t)dw_geog_find(g, "PL");
    dw_class_hints h = drone_hints();
    for (int variant = 0; variant < 4; variant++) {
        logbook L = {0};
        dw_assess_config c;
        dw_assess_config_default(&c);
        dw_assess *a = engine(g, &c, &L);
        flight f = {{51.75, 23.90, 0}, 270, 45.0, 1500.0};
        double c_lat, c_lon;
        const double T_c = first_in(g, pl, &f, 3000, 0, &c_lat, &c_lon);
        assert_false(isnan(T_c));
        double s0 = T_c + (variant == 2 ? 30000.0 : 2000.0) / 45.0;   /* first seen */
        if (variant == 3) {
            /* 2 km inside, flying the other way */
            double la, lo;
            fly(&f, s0, &la, &lo, NULL, NULL);
            f.start.lat_deg = la;
            f.start.lon_deg = lo;
            f.az_deg = 90;
            s0 = 0;
        }
        for (double s = s0; s <= s0 + 120; s += 4) {
            dw_track t = report(41, T0_US + S(s), T0_US + S(s0 - 2), &f, s, DW_TRACK_CONFIRMED, NULL);
            if (variant == 1 && s < s0 + 9) {
                t.vel_enu_mps[0] = 30;          /* a young track's guess */
                t.vel_enu_mps[1] = -40;
                t.cov_vel_enu[0][0] = t.cov_vel_enu[1][1] = 2500;
            }
            feed(a, &t, &h);
        }
        const dw_assess_facts *fa = dw_assess_facts_of(a, 41);
        assert_non_null(fa);
        const dw_alert *bv = find(&L, DW_ALERT_BORDER_VIOLATION, "PL", DW_ALERT_RAISED);
        if (variant <= 1) {
            assert_non_null(bv);
            double t_err = (double)(bv->event_us - T0_US) * 1e-6 - T_c;
            double p_err = dist_m(bv->lat_deg, bv->lon_deg, c_lat, c_lon);
            NOTE("variant %d: first seen %.0f s after the crossing; estimated %+.2f s, %.0f m off; "
                 "raised %.0f s after first seen: %s\n", variant, s0 - T_c, t_err, p_err,
                 (double)(bv->raised_us - T0_US) * 1e-6 - s0, bv->reason);
            assert_true(fabs(t_err) <= 3.0);
            assert_true(p_err <= 150.0);
            assert_true(fa->crossed_into_home);
            assert_string_equal(fa->origin, "BY");
            assert_non_null(strstr(bv->reason, "first seen 2.0 km inside"));
            assert_int_equal(count(&L, DW_ALERT_BORDER_VIOLATION, NULL, DW_ALERT_RAISED), 1);
        } else {
            assert_null(bv);
            assert_false(fa->crossed_into_home);
            assert_string_equal(fa->origin, "PL");
        }
        dw_assess_destroy(a);
        free(L.a);
    }
    dw_geog_destroy(g);
}

/* Aircraft with a transponder are never drone threats, whatever they fly like: a track
 * flying exactly as the drone from Belarus does (45 m/s at 1,500 m, a drone's radar
 * echo) but carrying an ICAO address, or only a callsign, or only a Mode 3/A code on
 * the track raises nothing; the facts say cooperative / squawk. With the shipped rules a
 * fighter-like track (a 17 m/s² racetrack at 210 m/s, 6 km) with a squawk comes out
 * assumed_friend ("own-military"), and an airliner taking off from Warsaw, its first
 * reports at 0 m/s with a 50 m/s velocity sigma, is never a drone. */
static void transponder_never_a_threat(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_rules *rules = NULL;
    char err[512];
    assert_int_equal(dw_rules_load(RULES, g, &rules, err, sizeof err), DW_OK);
    dw_class_hints h = drone_hints();
    for (int variant = 0; variant < 3; variant++) {
        logbook L = {0};
        dw_assess_config c;
        dw_assess_config_default(&c);
        c.rules = rules;
        dw_assess *a = engine(g, &c, &L);
        flight f = {{51.75, 23.90, 0}, 270, 45.0, 1500.0};
        for (double s = 0; s <= 900; s += 4) {
            dw_track t = report(51, T0_US + S(s), T0_US, &f, s, DW_TRACK_CONFIRMED, NULL);
            if (variant == 0)
                t.icao = 0x48ae33;
            else if (variant == 1)
                snprintf(t.callsign, sizeof t.callsign, "SPXYZ");
            else
                t.mode3a = 01234;
            feed(a, &t, &h);
        }
        const dw_assess_facts *fa = dw_assess_facts_of(a, 51);
        assert_non_null(fa);
        NOTE("variant %d: drone probability %.2f, cooperative %d, squawk %d, %zu alerts\n", variant,
             fa->drone_prob, fa->cooperative, fa->has_squawk, L.n);
        assert_true(fa->crossed_into_home);
        assert_int_equal(fa->cooperative, variant < 2);
        assert_int_equal(fa->has_squawk, variant == 2);
        assert_int_equal(L.n, 0);
        dw_assess_destroy(a);
        free(L.a);
    }
    /* own fighter, airliner taking off */
    {
        logbook L = {0};
        dw_assess_config c;
        dw_assess_config_default(&c);
        c.rules = rules;
        dw_assess *a = engine(g, &c, &L);
        mover m = {{52.0, 22.5, 0}, 0, 210.0, 0, 6000.0};
        flight dep = {{52.1657, 20.9671, 0}, 250, 90.0, 300.0};
        dw_class_hints hf;
        memset(&hf, 0, sizeof hf);
        hf.sensor_kinds = 1u << DW_SENSOR_RADAR;
        double turn_t = -1;
        dw_track ft, at;
        for (double s = 0; s <= 1200; s += 4) {
            /* the fighter: 60 s legs, 180° turns at 17 m/s² (about 39 s) */
            double leg = fmod(s, 100.0);
            if (leg < 61 && turn_t >= 0)
                turn_t = -1;
            if (leg >= 61)
                mover_turn(&m, s, m.az_deg + 4 * 17.0 / 210.0 * 180 / M_PI, 210.0);
            ft = mover_report(61, &m, s, T0_US);
            ft.alt_m = 6000;
            ft.mode3a = 04521;
            feed(a, &ft, &hf);
            /* the airliner: 0 m/s, unknown, for its first 3 reports; climbing out */
            at = report(62, T0_US + S(s), T0_US, &dep, s, DW_TRACK_CONFIRMED, NULL);
            at.alt_m = 300 + 8 * s;
            at.vel_enu_mps[2] = 8;
            at.icao = 0x48ad01;
            if (s < 12) {
                at.vel_enu_mps[0] = at.vel_enu_mps[1] = 0;
                at.cov_vel_enu[0][0] = at.cov_vel_enu[1][1] = 2500;
            }
            dw_class_hints ha = hf;
            ha.sensor_kinds |= 1u << DW_SENSOR_ADSB;
            feed(a, &at, &ha);
            const dw_assess_facts *fa = dw_assess_facts_of(a, 62);
            assert_non_null(fa);
            assert_true(fa->drone_prob < 0.5);
        }
        NOTE("fighter: %s, %s; airliner: %s, %s\n", dw_class_name(ft.cls),
             dw_affiliation_name(ft.affiliation), dw_class_name(at.cls), dw_affiliation_name(at.affiliation));
        assert_int_equal(ft.affiliation, DW_AFF_ASSUMED_FRIEND);
        assert_int_equal(at.cls, DW_CLASS_AIRLINER);
        assert_int_equal(L.n, 0);
        dw_assess_destroy(a);
        free(L.a);
    }
    dw_rules_destroy(rules);
    dw_geog_destroy(g);
}

/* A radar reports, goes silent: sensor_down sensor_stale_s later (once, however long
 * the silence), cleared when it reports again; declared down: at once. */
static void sensor_down_and_back(void **state)
{
    (void)state;
    dw_geog *g = geo();
    logbook L = {0};
    dw_assess_config c;
    dw_assess_config_default(&c);
    dw_assess *a = engine(g, &c, &L);
    for (int k = 0; k < 10; k++)
        assert_int_equal(dw_assess_sensor(a, "PL-RAD-01", 1, T0_US + S(k * 10)), DW_OK);
    const int64_t last = T0_US + S(90);
    advance_to(a, last, last + S(c.sensor_stale_s - 1));
    assert_int_equal(L.n, 0);
    advance_to(a, last + S(c.sensor_stale_s - 1), last + S(c.sensor_stale_s + 600));
    assert_int_equal(count(&L, DW_ALERT_SENSOR_DOWN, "PL-RAD-01", DW_ALERT_RAISED), 1);
    const dw_alert *r = find(&L, DW_ALERT_SENSOR_DOWN, "PL-RAD-01", DW_ALERT_RAISED);
    assert_true(r->t_us >= last + S(c.sensor_stale_s) && r->t_us <= last + S(c.sensor_stale_s + 1));
    assert_true(r->event_us == last);
    assert_int_equal(L.n, 1);
    assert_int_equal(dw_assess_sensor(a, "PL-RAD-01", 1, last + S(c.sensor_stale_s + 601)), DW_OK);
    const dw_alert *cl = find(&L, DW_ALERT_SENSOR_DOWN, "PL-RAD-01", DW_ALERT_CLEARED);
    assert_non_null(cl);
    assert_int_equal(cl->id, r->id);
    assert_non_null(strstr(cl->reason, "reported again"));
    /* declared down */
    assert_int_equal(dw_assess_sensor(a, "AC-0412", 1, last + S(700)), DW_OK);
    assert_int_equal(dw_assess_sensor(a, "AC-0412", 0, last + S(701)), DW_OK);
    assert_int_equal(count(&L, DW_ALERT_SENSOR_DOWN, "AC-0412", DW_ALERT_RAISED), 1);
    assert_int_equal(dw_assess_sensor(a, "AC-0412", 0, last + S(702)), DW_OK);
    assert_int_equal(count(&L, DW_ALERT_SENSOR_DOWN, "AC-0412", DW_ALERT_RAISED), 1);
    assert_int_equal(dw_assess_sensor(a, "AC-0412", 1, last + S(710)), DW_OK);
    assert_int_equal(count(&L, DW_ALERT_SENSOR_DOWN, "AC-0412", DW_ALERT_CLEARED), 1);
    assert_int_equal(dw_assess_sensor(a, "", 1, last), DW_ERR_INVALID);
    dw_assess_destroy(a);
    dw_geog_destroy(g);
    free(L.a);
}

/* The keys of an alert line, as docs/formats.md lists them. */
static const char *const alert_keys[] = {
    "v", "type", "t_us", "id", "kind", "state", "severity", "raised_us", "track", "tracks",
    "n_tracks", "area", "area_name", "region", "neighbour", "lat_deg", "lon_deg", "radius_m",
    "eta_us", "event_us", "class", "affiliation", "threat_score", "track_lat_deg",
    "track_lon_deg", "track_alt_m", "vel_enu_mps", "text",
};

/* Every record of a short flight across the border, a sensor's silence (declared down,
 * back, down again: reopened) and a fall zone writes a line that parses as JSON with
 * exactly the documented keys, each documented in the "alert" section of
 * docs/formats.md, as is every state word, with the values of the record; a buffer too
 * small gives 0. */
static void ndjson_lines(void **state)
{
    (void)state;
    dw_geog *g = geo();
    logbook L = {0};
    dw_assess *a = engine(g, NULL, &L);
    paint_line(a, 51.75, 23.2, 270);
    flight f = {{51.75, 23.9, 0}, 270, 45.0, 2000.0};
    dw_track dead = fly_and_die(a, 801, &f, T0_US, 1500);
    assert_int_equal(dw_assess_sensor(a, "PL-RAD-07", 0, dead.t_us), DW_OK);
    advance_to(a, dead.t_us, dead.t_us + S(250));
    assert_int_equal(dw_assess_sensor(a, "PL-RAD-07", 1, dead.t_us + S(251)), DW_OK);
    assert_int_equal(dw_assess_sensor(a, "PL-RAD-07", 0, dead.t_us + S(252)), DW_OK);
    assert_true(count(&L, DW_ALERT_BORDER_VIOLATION, NULL, -1) >= 1);
    assert_int_equal(count(&L, DW_ALERT_SENSOR_DOWN, NULL, DW_ALERT_RAISED), 1);
    assert_int_equal(count(&L, DW_ALERT_SENSOR_DOWN, NULL, DW_ALERT_REOPENED), 1);
    assert_int_equal(find(&L, DW_ALERT_SENSOR_DOWN, NULL, DW_ALERT_REOPENED)->id,
                     find(&L, DW_ALERT_SENSOR_DOWN, NULL, DW_ALERT_RAISED)->id);
    assert_true(count(&L, DW_ALERT_DEBRIS_ZONE, NULL, -1) >= 1);

    size_t doclen;
    char *doc = dw_test_read_file(FORMATS, &doclen);
    const char *sec = strstr(doc, "`alert` — ");
    assert_non_null(sec);
    const char *sec_end = strstr(sec + 1, "\n## ");
    size_t sec_len = sec_end ? (size_t)(sec_end - sec) : strlen(sec);
    const size_t nk = sizeof alert_keys / sizeof alert_keys[0];
    for (size_t k = 0; k < nk; k++) {
        char q[64];
        snprintf(q, sizeof q, "`%s`", alert_keys[k]);
        char *hit = strstr(sec, q);
        if (!hit || (size_t)(hit - sec) > sec_len)
            fprintf(stderr, "docs/formats.md: the alert section does not document %s\n", q);
        assert_true(hit && (size_t)(hit - sec) <= sec_len);
    }
    for (int k = 0; k < DW_NALERT_STATES; k++) {
        char q[64];
        snprintf(q, sizeof q, "`%s`", dw_alert_state_name((dw_alert_state)k));
        char *hit = strstr(sec, q);
        if (!hit || (size_t)(hit - sec) > sec_len)
            fprintf(stderr, "docs/formats.md: the alert section does not document the state %s\n", q);
        assert_true(hit && (size_t)(hit - sec) <= sec_len);
    }
    for (size_t i = 0; i < L.n; i++) {
        char line[2048];
        size_t n = dw_alert_to_ndjson(&L.a[i], line, sizeof line);
        assert_true(n > 0 && n == strlen(line));
        json_error_t je;
        json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &je);
        if (!j)
            fprintf(stderr, "%s: %s\n", line, je.text);
        assert_non_null(j);
        assert_int_equal(json_object_size(j), nk);
        for (size_t k = 0; k < nk; k++) {
            if (!json_object_get(j, alert_keys[k]))
                fprintf(stderr, "%s: no \"%s\"\n", line, alert_keys[k]);
            assert_non_null(json_object_get(j, alert_keys[k]));
        }
        const dw_alert *r = &L.a[i];
        assert_int_equal(json_integer_value(json_object_get(j, "v")), 1);
        assert_string_equal(json_string_value(json_object_get(j, "type")), "alert");
        assert_true(json_integer_value(json_object_get(j, "t_us")) == r->t_us);
        assert_true((uint64_t)json_integer_value(json_object_get(j, "id")) == r->id);
        dw_alert_kind k;
        dw_alert_state s;
        dw_alert_severity sv;
        assert_int_equal(dw_alert_kind_parse(json_string_value(json_object_get(j, "kind")), &k), 0);
        assert_int_equal(dw_alert_state_parse(json_string_value(json_object_get(j, "state")), &s), 0);
        assert_int_equal(dw_alert_severity_parse(json_string_value(json_object_get(j, "severity")), &sv), 0);
        assert_int_equal(k, r->kind);
        assert_int_equal(s, r->state);
        assert_int_equal(sv, r->severity);
        assert_string_equal(json_string_value(json_object_get(j, "text")), r->reason);
        assert_int_equal(json_array_size(json_object_get(j, "tracks")), r->n_tracks < 8 ? r->n_tracks : 8);
        if (r->kind == DW_ALERT_BORDER_VIOLATION) {
            assert_true(json_integer_value(json_object_get(j, "event_us")) == r->event_us);
            assert_near(json_real_value(json_object_get(j, "lat_deg")), r->lat_deg, 1e-9);
            assert_string_equal(json_string_value(json_object_get(j, "area")), "PL");
            assert_int_equal(json_integer_value(json_object_get(j, "track")), 801);
        }
        if (r->kind == DW_ALERT_DEBRIS_ZONE)
            assert_near(json_real_value(json_object_get(j, "radius_m")), r->radius_m, 1e-6);
        if (r->kind == DW_ALERT_SENSOR_DOWN) {
            assert_true(json_is_null(json_object_get(j, "track")));
            assert_true(json_is_null(json_object_get(j, "class")));
            assert_true(json_is_null(json_object_get(j, "lat_deg")));
        }
        json_decref(j);
        char small[64];
        assert_int_equal(dw_alert_to_ndjson(r, small, sizeof small), 0);
    }
    free(doc);
    dw_assess_destroy(a);
    dw_geog_destroy(g);
    free(L.a);
}

/* Words: every kind, state and severity name parses back; unknown words do not. */
static void names(void **state)
{
    (void)state;
    for (int k = 0; k < DW_NALERT_KINDS; k++) {
        dw_alert_kind o;
        assert_int_equal(dw_alert_kind_parse(dw_alert_kind_name((dw_alert_kind)k), &o), 0);
        assert_int_equal(o, k);
    }
    for (int k = 0; k < DW_NALERT_STATES; k++) {
        dw_alert_state o;
        assert_int_equal(dw_alert_state_parse(dw_alert_state_name((dw_alert_state)k), &o), 0);
        assert_int_equal(o, k);
    }
    for (int k = 0; k < DW_NALERT_SEVERITIES; k++) {
        dw_alert_severity o;
        assert_int_equal(dw_alert_severity_parse(dw_alert_severity_name((dw_alert_severity)k), &o), 0);
        assert_int_equal(o, k);
    }
    dw_alert_kind o = DW_ALERT_SENSOR_DOWN;
    assert_int_equal(dw_alert_kind_parse("Border_violation", &o), -1);
    assert_int_equal(o, DW_ALERT_SENSOR_DOWN);
    assert_string_equal(dw_alert_kind_name(DW_ALERT_DEBRIS_ZONE), "debris_zone");
    assert_string_equal(dw_alert_kind_name((dw_alert_kind)99), "?");
    dw_alert al;
    dw_alert_init(&al);
    assert_true(al.eta_us == INT64_MIN && al.event_us == INT64_MIN && al.raised_us == INT64_MIN);
    assert_int_equal(al.affiliation, DW_AFF_PENDING);
}

/* No geography, an unknown home country, a value out of range: refused with the reason;
 * a track that is not finite is refused and counted; tentative tracks are ignored. */
static void bad_config_and_input(void **state)
{
    (void)state;
    dw_geog *g = geo();
    dw_assess_config c;
    dw_assess_config_default(&c);
    dw_assess *a = NULL;
    char err[256] = "";
    assert_int_equal(dw_assess_create(&c, NULL, &a, err, sizeof err), DW_ERR_INVALID);
    assert_null(a);
    assert_non_null(strstr(err, "geography"));
    c.geo = g;
    memcpy(c.home, "XX", 3);
    assert_int_equal(dw_assess_create(&c, NULL, &a, err, sizeof err), DW_ERR_INVALID);
    assert_non_null(strstr(err, "XX"));
    memcpy(c.home, "PL", 3);
    c.hold_factor = 0.5;
    assert_int_equal(dw_assess_create(&c, NULL, &a, err, sizeof err), DW_ERR_INVALID);
    assert_null(a);
    dw_assess_config_default(&c);
    c.geo = g;
    assert_int_equal(dw_assess_create(&c, NULL, &a, err, sizeof err), DW_OK);
    flight f = {{52.2, 21.0, 0}, 90, 45, 2000};
    dw_track t = report(5, T0_US, T0_US, &f, 0, DW_TRACK_CONFIRMED, NULL);
    t.vel_enu_mps[0] = NAN;
    assert_int_equal(dw_assess_track(a, &t, NULL), DW_ERR_INVALID);
    t = report(5, T0_US, T0_US, &f, 0, DW_TRACK_TENTATIVE, NULL);
    assert_int_equal(dw_assess_track(a, &t, NULL), DW_OK);
    assert_null(dw_assess_facts_of(a, 5));
    dw_assess_stats st;
    dw_assess_get_stats(a, &st);
    assert_int_equal(st.bad_input, 1);
    assert_int_equal(st.ignored, 1);
    assert_int_equal(st.updates, 0);
    /* many tracks: the pool grows past its hint */
    for (uint64_t id = 1; id <= 3000; id++) {
        dw_track u = report(100000 + id, T0_US + S(1), T0_US, &f, (double)id, DW_TRACK_CONFIRMED, NULL);
        assert_int_equal(dw_assess_track(a, &u, NULL), DW_OK);
    }
    dw_assess_get_stats(a, &st);
    assert_int_equal(st.tracks, 3000);
    assert_non_null(dw_assess_facts_of(a, 101500));
    dw_assess_destroy(a);
    dw_assess_destroy(NULL);
    dw_geog_destroy(g);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(drone_from_belarus),
    cmocka_unit_test(continuation_rule),
    cmocka_unit_test(airliner_and_birds_silent),
    cmocka_unit_test(identity_by_rules),
    cmocka_unit_test(hysteresis_held_then_reopened),
    cmocka_unit_test(threat_held_down_to_hold_prob),
    cmocka_unit_test(debris_zone_ahead),
    cmocka_unit_test(debris_not_at_edge_nor_continued),
    cmocka_unit_test(neighbour_notice_lithuania),
    cmocka_unit_test(neighbour_notice_scope),
    cmocka_unit_test(first_seen_inside),
    cmocka_unit_test(transponder_never_a_threat),
    cmocka_unit_test(sensor_down_and_back),
    cmocka_unit_test(ndjson_lines),
    cmocka_unit_test(names),
    cmocka_unit_test(bad_config_and_input),
};

DW_TEST_MAIN("alerts", tests)

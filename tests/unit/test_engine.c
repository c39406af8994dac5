/* test_engine.c — the daemon's engine: a recording's lines drive it again to the same
 * bytes, operator actions, the picture it keeps, and the session's JSON round trip. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/engine.h"
#include "harness.h"
#include "serve/session.h"

#define S 1000000LL
#define T0 1757451000000000LL   /* 2025-09-09T20:50:00Z */

/* ------------------------------------------------------------------ a tape of lines */

typedef struct line {
    int kind;
    int64_t t_us;
    uint64_t track;
    char *text;
    size_t len;
} line;

typedef struct tape {
    line *in, *out;
    size_t n_in, n_out, cap_in, cap_out;
    size_t n_live, n_alert_raised, n_identity;
    int saw_acked;
} tape;

static void push(line **v, size_t *n, size_t *cap, int kind, int64_t t, uint64_t track,
                 const char *s, size_t len)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        *v = realloc(*v, *cap * sizeof **v);
        assert_non_null(*v);
    }
    char *c = malloc(len + 1);
    assert_non_null(c);
    memcpy(c, s, len);
    c[len] = 0;
    (*v)[(*n)++] = (line){kind, t, track, c, len};
}

static void on_in(void *ctx, int kind, int64_t t, const char *s, size_t len)
{
    tape *tp = ctx;
    push(&tp->in, &tp->n_in, &tp->cap_in, kind, t, 0, s, len);
}

static void on_out(void *ctx, int kind, int64_t t, uint64_t track, const char *s, size_t len,
                   const void *obj)
{
    (void)obj;
    tape *tp = ctx;
    if (kind == DW_ENG_OUT_LIVE) {
        tp->n_live++;
        return;
    }
    if (kind == DW_ENG_OUT_ALERT && strstr(s, "\"state\":\"raised\""))
        tp->n_alert_raised++;
    if (kind == DW_ENG_OUT_ALERT && strstr(s, "\"acked\":{"))
        tp->saw_acked = 1;
    if (kind == DW_ENG_OUT_IDENTITY)
        tp->n_identity++;
    push(&tp->out, &tp->n_out, &tp->cap_out, kind, t, track, s, len);
}

static void tape_free(tape *tp)
{
    for (size_t i = 0; i < tp->n_in; i++)
        free(tp->in[i].text);
    for (size_t i = 0; i < tp->n_out; i++)
        free(tp->out[i].text);
    free(tp->in);
    free(tp->out);
}

/* ------------------------------------------------------------------ the engine under test */

static void sensors(dw_sensor *s)
{
    dw_sensor_init(s, DW_SENSOR_RADAR);
    snprintf(s->id, sizeof s->id, "PL-RAD-9");
    s->lat_deg = 51.45;
    s->lon_deg = 23.30;
    s->alt_m = 200;
    s->max_range_m = 150000;
}

static dw_engine *make_with(tape *tp, int assess, int plan)
{
    static char geo0[1024], geo1[1024], geo2[1024], rules[1024];
    snprintf(geo0, sizeof geo0, "%s/data/geo/countries.geojson", DW_SOURCE_DIR);
    snprintf(geo1, sizeof geo1, "%s/data/geo/regions.geojson", DW_SOURCE_DIR);
    snprintf(geo2, sizeof geo2, "%s/scenarios/geo/pl-protected.geojson", DW_SOURCE_DIR);
    snprintf(rules, sizeof rules, "%s/config/identification.yaml", DW_SOURCE_DIR);
    static const char *geo[3] = {geo0, geo1, geo2};
    dw_sensor s;
    sensors(&s);
    dw_engine_config c;
    memset(&c, 0, sizeof c);
    c.sensors = &s;
    c.n_sensors = 1;
    dw_pipeline_config_default(&c.pipeline);
    if (assess) {
        c.geo_files = geo;
        c.n_geo_files = 3;
        c.rules_file = rules;
        memcpy(c.home, "PL", 3);
    }
    static char effectors[1024];
    snprintf(effectors, sizeof effectors, "%s/config/effectors.yaml", DW_SOURCE_DIR);
    if (plan) {
        c.effectors_file = effectors;
        c.plan_period_s = 10;
    }
    const dw_engine_sink sink = {on_in, on_out, tp};
    dw_engine *e = NULL;
    char err[300] = "";
    dw_status st = dw_engine_create(&c, &sink, &e, err, sizeof err);
    if (st != DW_OK)
        fail_msg("engine: %s", err);
    return e;
}

static dw_engine *make(tape *tp, int assess) { return make_with(tp, assess, 0); }

/* A drone flying west out of Belarus into Poland north of Włodawa at 40 m/s, 800 m up,
 * seen once a second by a 3-D radar giving positions; a second drone parallel to it. */
static void fly(dw_engine *e, int64_t from_s, int64_t to_s)
{
    for (int64_t k = from_s; k < to_s; k++) {
        for (int j = 0; j < 2; j++) {
            dw_obs o;
            dw_obs_init(&o, DW_OBS_POS3);
            o.t_us = T0 + k * S + j * 1000;
            snprintf(o.sensor, sizeof o.sensor, "PL-RAD-9");
            o.lat_deg = 51.62 + 0.05 * j;
            o.lon_deg = 23.80 - 40.0 * (double)k / (111320.0 * cos(51.62 * M_PI / 180.0));
            o.alt_m = 800;
            o.sigma_pos_m = 60;
            o.sigma_alt_m = 60;
            o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT;
            assert_int_equal(dw_engine_obs(e, &o), DW_OK);
        }
        assert_int_equal(dw_engine_flush(e), DW_OK);
        if (k % 2 == 0)
            assert_int_equal(dw_engine_tick(e, T0 + k * S + 500000), DW_OK);
    }
}

static uint64_t first_alert_id(const tape *tp)
{
    for (size_t i = 0; i < tp->n_out; i++)
        if (tp->out[i].kind == DW_ENG_OUT_ALERT) {
            const char *p = strstr(tp->out[i].text, "\"id\":");
            if (p)
                return strtoull(p + 5, NULL, 10);
        }
    return 0;
}

static uint64_t some_track(const tape *tp)
{
    for (size_t i = tp->n_out; i-- > 0;)
        if (tp->out[i].kind == DW_ENG_OUT_TRACK)
            return tp->out[i].track;
    return 0;
}

/* The same input lines, applied to a fresh engine, give the same output lines. */
static void replay_is_byte_for_byte(void **state)
{
    (void)state;
    tape a = {0}, b = {0};
    dw_engine *e = make(&a, 1);
    fly(e, 0, 400);
    uint64_t alert = first_alert_id(&a);
    uint64_t trk = some_track(&a);
    assert_true(alert > 0);
    assert_true(trk > 0);
    assert_int_equal(dw_engine_ack(e, alert, T0 + 400 * S, "duty officer"), DW_OK);
    assert_int_equal(dw_engine_set_identity(e, trk, DW_AFF_HOSTILE, T0 + 401 * S, "duty officer"),
                     DW_OK);
    fly(e, 401, 700);
    assert_int_equal(dw_engine_sensor(e, "PL-RAD-9", 0, T0 + 700 * S), DW_OK);
    dw_engine_destroy(e);
    assert_true(a.n_alert_raised >= 2);     /* border imminent and violation, at least */
    assert_true(a.saw_acked);
    assert_true(a.n_live > 100);

    dw_engine *r = make(&b, 1);
    char err[200];
    for (size_t i = 0; i < a.n_in; i++)
        assert_int_equal(dw_engine_apply(r, a.in[i].kind, a.in[i].text, a.in[i].len, err, sizeof err),
                         DW_OK);
    dw_engine_destroy(r);
    assert_int_equal(b.n_out, a.n_out);
    for (size_t i = 0; i < a.n_out; i++) {
        if (a.out[i].len != b.out[i].len || memcmp(a.out[i].text, b.out[i].text, a.out[i].len))
            fail_msg("output %zu differs:\n  %s\n  %s", i, a.out[i].text, b.out[i].text);
        assert_int_equal(a.out[i].kind, b.out[i].kind);
        assert_int_equal(a.out[i].t_us, b.out[i].t_us);
        assert_int_equal(a.out[i].track, b.out[i].track);
    }
    tape_free(&a);
    tape_free(&b);
}

/* Without the acknowledgement and identity in the tape, the outputs differ: the tape is what
 * decides, not the engine's memory of the live run. */
static void a_shorter_tape_differs(void **state)
{
    (void)state;
    tape a = {0}, b = {0};
    dw_engine *e = make(&a, 1);
    fly(e, 0, 400);
    uint64_t trk = some_track(&a);
    assert_int_equal(dw_engine_set_identity(e, trk, DW_AFF_FRIEND, T0 + 400 * S, "x"), DW_OK);
    fly(e, 400, 450);
    dw_engine_destroy(e);
    dw_engine *r = make(&b, 1);
    char err[200];
    for (size_t i = 0; i < a.n_in; i++)
        if (a.in[i].kind != DW_ENG_IN_SET_IDENTITY)
            assert_int_equal(dw_engine_apply(r, a.in[i].kind, a.in[i].text, a.in[i].len, err,
                                             sizeof err), DW_OK);
    dw_engine_destroy(r);
    size_t same = a.n_out == b.n_out;
    for (size_t i = 0; same && i < a.n_out; i++)
        same = a.out[i].len == b.out[i].len && !memcmp(a.out[i].text, b.out[i].text, a.out[i].len);
    assert_false(same);
    assert_int_equal(a.n_identity, b.n_identity + 1);
    tape_free(&a);
    tape_free(&b);
}

static void operator_actions(void **state)
{
    (void)state;
    tape a = {0};
    dw_engine *e = make(&a, 1);
    assert_int_equal(dw_engine_ack(e, 999, T0, "x"), DW_ERR_NOT_FOUND);
    assert_int_equal(dw_engine_set_identity(e, 999, DW_AFF_HOSTILE, T0, "x"), DW_ERR_NOT_FOUND);
    size_t inputs = a.n_in;
    assert_int_equal(inputs, 0);    /* refused actions are not recorded */
    fly(e, 0, 120);
    uint64_t trk = some_track(&a);
    assert_true(trk > 0);
    assert_int_equal(dw_engine_set_identity(e, trk, DW_AFF_FRIEND, T0 + 120 * S, "duty officer"),
                     DW_OK);
    fly(e, 120, 125);
    /* The picture and the next reports carry the operator's affiliation. */
    char *buf = malloc(1 << 20);
    size_t n = dw_engine_track_json(e, trk, buf, 1 << 20);
    assert_true(n > 0 && n < (1 << 20));
    assert_non_null(strstr(buf, "\"affiliation\":\"friend\""));
    assert_non_null(strstr(buf, "\"forced\":true"));
    assert_non_null(strstr(buf, "\"history\":[["));
    assert_non_null(strstr(buf, "\"predicted\":[["));
    const line *last = NULL;
    for (size_t i = 0; i < a.n_out; i++)
        if (a.out[i].kind == DW_ENG_OUT_TRACK && a.out[i].track == trk)
            last = &a.out[i];
    assert_non_null(last);
    assert_non_null(strstr(last->text, "\"affiliation\":\"friend\""));
    int ident = 0;
    for (size_t i = 0; i < a.n_out; i++)
        if (a.out[i].kind == DW_ENG_OUT_IDENTITY && strstr(a.out[i].text, "operator duty officer"))
            ident++;
    assert_int_equal(ident, 1);
    /* An unknown track's JSON is 0 bytes; a buffer too small says how much it needs. */
    assert_int_equal(dw_engine_track_json(e, 424242, buf, 1 << 20), 0);
    size_t need = dw_engine_track_json(e, trk, buf, 64);
    assert_true(need > 64);
    free(buf);
    dw_engine_destroy(e);
    tape_free(&a);
}

static void count_track(void *ctx, uint64_t id, const char *l, size_t len)
{
    (void)id;
    (void)l;
    (void)len;
    (*(int *)ctx)++;
}

static void count_dead(void *ctx, uint64_t id)
{
    (void)id;
    (*(int *)ctx)++;
}

/* Changes are handed out once; tracks that end are announced. */
static void changes_once(void **state)
{
    (void)state;
    tape a = {0};
    dw_engine *e = make(&a, 0);
    fly(e, 0, 30);
    int n1 = 0, d1 = 0, n2 = 0, all = 0;
    dw_engine_take_changes(e, 1000, 0, count_track, count_dead, &n1);
    assert_int_equal(n1, 2);
    dw_engine_take_changes(e, 2000, 0, count_track, count_dead, &n2);
    assert_int_equal(n2, 0);
    /* Changed again: held back within the interval since they were handed out, then given. */
    fly(e, 30, 33);
    int n3 = 0, n4 = 0;
    dw_engine_take_changes(e, 2500, 2000, count_track, count_dead, &n3);
    assert_int_equal(n3, 0);
    dw_engine_take_changes(e, 3500, 2000, count_track, count_dead, &n4);
    assert_int_equal(n4, 2);
    dw_engine_each_track(e, count_track, &all);
    assert_int_equal(all, 2);
    /* Silence: both tracks coast out and are dropped. */
    assert_int_equal(dw_engine_tick(e, T0 + 200 * S), DW_OK);
    dw_engine_take_changes(e, 9000, 0, NULL, count_dead, &d1);
    assert_int_equal(d1, 2);
    all = 0;
    dw_engine_each_track(e, count_track, &all);
    assert_int_equal(all, 0);
    dw_engine_stats st;
    dw_engine_get_stats(e, &st);
    assert_int_equal(st.tracks_now, 0);
    assert_int_equal(st.dead_out, 2);
    dw_engine_destroy(e);
    tape_free(&a);
}

/* A session's JSON reads back to the same JSON (sensors, tracker settings, files). */
static void session_round_trip(void **state)
{
    (void)state;
    dw_session s;
    memset(&s, 0, sizeof s);
    snprintf(s.node, sizeof s.node, "PL-EAST");
    memcpy(s.home, "PL", 3);
    char *g[1] = {"/x/countries.geojson"};
    s.geo = g;
    s.n_geo = 1;
    dw_pipeline_config_default(&s.pipeline);
    s.pipeline.q = 0.1 + 0.2;               /* a value that needs all 17 digits */
    s.pipeline.assoc = DW_ASSOC_JPDA;
    s.pipeline.window_us = 123457;
    dw_sensor sn[2];
    sensors(&sn[0]);
    sensors(&sn[1]);
    snprintf(sn[1].id, sizeof sn[1].id, "AC-0412");
    sn[1].kind = DW_SENSOR_ACOUSTIC;
    sn[1].sigma_az_rad = 3.0 * M_PI / 180.0;
    s.sensors = sn;
    s.n_sensors = 2;
    char *j1 = dw_session_json(&s, "{\"http\":{\"listen\":\"127.0.0.1:8080\"}}");
    assert_non_null(j1);
    assert_non_null(strstr(j1, "\"run\":{\"http\""));
    dw_session r;
    char err[200];
    assert_int_equal(dw_session_parse(j1, &r, err, sizeof err), DW_OK);
    assert_true(r.pipeline.q == 0.1 + 0.2);
    assert_int_equal(r.pipeline.assoc, DW_ASSOC_JPDA);
    assert_int_equal(r.pipeline.window_us, 123457);
    assert_int_equal(r.n_sensors, 2);
    assert_string_equal(r.sensors[1].id, "AC-0412");
    assert_int_equal(r.n_geo, 1);
    assert_string_equal(r.geo[0], "/x/countries.geojson");
    /* Once through the text, the text is a fixed point. */
    char *j2 = dw_session_json(&r, "{\"http\":{\"listen\":\"127.0.0.1:8080\"}}");
    dw_session r2;
    assert_int_equal(dw_session_parse(j2, &r2, err, sizeof err), DW_OK);
    char *j3 = dw_session_json(&r2, "{\"http\":{\"listen\":\"127.0.0.1:8080\"}}");
    assert_string_equal(j2, j3);
    dw_session_free(&r2);
    assert_int_equal(dw_session_parse("{\"v\":1}", &r2, err, sizeof err), DW_ERR_PARSE);
    assert_non_null(strstr(err, "session configuration"));
    free(j1);
    free(j2);
    free(j3);
    dw_session_free(&r);
    dw_session_free(&r2);
}

static void bad_lines_are_refused(void **state)
{
    (void)state;
    tape a = {0};
    dw_engine *e = make(&a, 0);
    char err[200] = "";
    static const char junk[] = "{\"type\":\"tick\"}";
    assert_int_equal(dw_engine_apply(e, DW_ENG_IN_TICK, junk, sizeof junk - 1, err, sizeof err),
                     DW_ERR_PARSE);
    assert_non_null(strstr(err, "is not one"));
    static const char obs[] = "{\"v\":1,\"type\":\"obs\"}";
    assert_int_equal(dw_engine_apply(e, DW_ENG_IN_OBS, obs, sizeof obs - 1, err, sizeof err),
                     DW_ERR_PARSE);
    static const char notjson[] = "{{{";
    assert_int_equal(dw_engine_apply(e, DW_ENG_IN_ACK, notjson, 3, err, sizeof err), DW_ERR_PARSE);
    /* A recorded acknowledgement of an alert this engine never had is counted, not fatal. */
    static const char ack[] = "{\"type\":\"ack\",\"t_us\":1,\"alert\":77,\"by\":\"x\"}";
    assert_int_equal(dw_engine_apply(e, DW_ENG_IN_ACK, ack, sizeof ack - 1, err, sizeof err), DW_OK);
    dw_engine_stats st;
    dw_engine_get_stats(e, &st);
    assert_int_equal(st.unknown_alert, 1);
    assert_int_equal(st.obs_rejected, 1);
    dw_engine_destroy(e);
    tape_free(&a);
}

/* With effectors, the hostile drones get a plan every 10 s of data time; an approved
 * recommendation is decided once, recorded, and the tape replays to the same bytes. */
static void planning_and_decisions(void **state)
{
    (void)state;
    tape a = {0}, b = {0};
    dw_engine *e = make_with(&a, 1, 1);
    fly(e, 0, 500);
    size_t plans = 0;
    for (size_t i = 0; i < a.n_out; i++)
        plans += a.out[i].kind == DW_ENG_OUT_PLAN;
    assert_true(plans >= 10);
    size_t n = 0;
    const char *pl = dw_engine_plan_line(e, &n);
    assert_non_null(pl);
    const char *p = strstr(pl, "\"recommendations\":[{\"id\":");
    if (!p)
        fail_msg("no recommendation for two hostile drones crossing near Wlodawa: %s", pl);
    uint64_t rec = strtoull(p + strlen("\"recommendations\":[{\"id\":"), NULL, 10);
    assert_non_null(strstr(pl, "\"reason\":\""));
    assert_int_equal(dw_engine_decide(e, 987654, 1, T0 + 500 * S, "x"), DW_ERR_NOT_FOUND);
    assert_int_equal(dw_engine_decide(e, rec, 1, T0 + 500 * S, "duty officer"), DW_OK);
    assert_int_equal(dw_engine_decide(e, rec, 0, T0 + 500 * S, "duty officer"), DW_ERR_NOT_FOUND);
    pl = dw_engine_plan_line(e, &n);
    assert_non_null(strstr(pl, "\"decision\":{\"decision\":\"approve\",\"by\":\"duty officer\""));
    size_t decisions = 0;
    for (size_t i = 0; i < a.n_out; i++)
        decisions += a.out[i].kind == DW_ENG_OUT_DECISION;
    assert_int_equal(decisions, 1);
    fly(e, 500, 600);
    dw_engine_stats st;
    dw_engine_get_stats(e, &st);
    assert_int_equal(st.decisions, 1);
    dw_engine_destroy(e);

    dw_engine *r = make_with(&b, 1, 1);
    char err[200];
    for (size_t i = 0; i < a.n_in; i++)
        assert_int_equal(dw_engine_apply(r, a.in[i].kind, a.in[i].text, a.in[i].len, err, sizeof err),
                         DW_OK);
    dw_engine_destroy(r);
    assert_int_equal(b.n_out, a.n_out);
    for (size_t i = 0; i < a.n_out; i++)
        if (a.out[i].len != b.out[i].len || memcmp(a.out[i].text, b.out[i].text, a.out[i].len))
            fail_msg("output %zu differs:\n  %s\n  %s", i, a.out[i].text, b.out[i].text);
    /* Without effectors: no plan, and a decision is refused as unsupported. */
    tape c = {0};
    dw_engine *q = make(&c, 1);
    assert_null(dw_engine_plan_line(q, &n));
    assert_int_equal(dw_engine_decide(q, rec, 1, T0, "x"), DW_ERR_UNSUPPORTED);
    dw_engine_destroy(q);
    tape_free(&a);
    tape_free(&b);
    tape_free(&c);
}

/* A partner's alerts and notices (federation): in the picture under numbers of ours with
 * their origin, updated by the partner's later lines, acknowledged like ours, recorded as
 * inputs that replay to the same bytes; what is not an alert line is refused and not
 * recorded. */
static void partner_alerts(void **state)
{
    (void)state;
    tape a = {0}, b = {0};
    dw_engine *e = make(&a, 1);
    const char *raised = "{\"v\":1,\"type\":\"alert\",\"t_us\":1757451000000000,\"id\":7,"
                         "\"kind\":\"neighbour_notice\",\"state\":\"raised\",\"severity\":\"warning\","
                         "\"neighbour\":\"PL\",\"lat_deg\":51.2,\"lon_deg\":24.1,\"text\":\"a drone heads "
                         "for PL\",\"acked\":null}";
    const char *cleared = "{\"v\":1,\"type\":\"alert\",\"t_us\":1757451060000000,\"id\":7,"
                          "\"kind\":\"neighbour_notice\",\"state\":\"cleared\",\"neighbour\":\"PL\"}";
    const char *other = "{\"v\":1,\"type\":\"alert\",\"id\":7,\"kind\":\"border_violation\","
                        "\"state\":\"raised\",\"region\":\"LT\"}";
    assert_int_equal(dw_engine_partner_alert(e, "UA", "ntf", raised, strlen(raised), T0), DW_OK);
    assert_int_equal(dw_engine_partner_alert(e, "LT", "alr", other, strlen(other), T0 + S), DW_OK);
    size_t before = a.n_in;
    const char *bad[] = {"{\"id\":\"x\"}", "{\"id\":3,\"kind\":\"no_such\",\"state\":\"raised\"}", "[1]",
                         "{\"id\":3,\"kind\":\"border_violation\"}"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(dw_engine_partner_alert(e, "UA", "alr", bad[i], strlen(bad[i]), T0),
                         DW_ERR_PARSE);
    assert_int_equal(a.n_in, before);
    /* Two partners' alerts with the partner's number 7 are two alerts of ours. */
    uint64_t ua = 0, lt = 0;
    for (size_t i = 0; i < a.n_out; i++) {
        if (a.out[i].kind != DW_ENG_OUT_ALERT)
            continue;
        if (strstr(a.out[i].text, "\"origin\":\"UA\""))
            sscanf(strstr(a.out[i].text, "\"id\":") + 5, "%llu", (unsigned long long *)&ua);
        if (strstr(a.out[i].text, "\"origin\":\"LT\""))
            sscanf(strstr(a.out[i].text, "\"id\":") + 5, "%llu", (unsigned long long *)&lt);
    }
    assert_true(ua > 0 && lt > 0 && ua != lt);
    const line *l = &a.out[a.n_out - 1];
    assert_non_null(strstr(l->text, "\"origin_id\":7"));
    assert_non_null(strstr(l->text, "\"via\":\"alr\""));
    assert_non_null(strstr(l->text, "\"acked\":null"));
    /* Acknowledged here like ours; the partner's later line updates the same alert. */
    assert_int_equal(dw_engine_ack(e, ua, T0 + 2 * S, "duty officer"), DW_OK);
    assert_non_null(strstr(a.out[a.n_out - 1].text, "\"acked\":{"));
    assert_int_equal(dw_engine_partner_alert(e, "UA", "ntf", cleared, strlen(cleared), T0 + 60 * S),
                     DW_OK);
    l = &a.out[a.n_out - 1];
    char want[64];
    snprintf(want, sizeof want, "\"id\":%llu", (unsigned long long)ua);
    assert_non_null(strstr(l->text, want));
    assert_non_null(strstr(l->text, "\"state\":\"cleared\""));
    assert_non_null(strstr(l->text, "\"acked\":{"));      /* a clear keeps our acknowledgement */
    dw_engine_stats st;
    dw_engine_get_stats(e, &st);
    assert_int_equal(st.partner_alerts, 3);
    assert_int_equal(st.partner_rejected, 4);
    dw_engine_destroy(e);

    dw_engine *r = make(&b, 1);
    char err[200];
    for (size_t i = 0; i < a.n_in; i++)
        assert_int_equal(dw_engine_apply(r, a.in[i].kind, a.in[i].text, a.in[i].len, err, sizeof err),
                         DW_OK);
    dw_engine_destroy(r);
    assert_int_equal(b.n_out, a.n_out);
    for (size_t i = 0; i < a.n_out; i++)
        assert_string_equal(a.out[i].text, b.out[i].text);
    tape_free(&a);
    tape_free(&b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(partner_alerts),
    cmocka_unit_test(planning_and_decisions),
    cmocka_unit_test(replay_is_byte_for_byte),
    cmocka_unit_test(a_shorter_tape_differs),
    cmocka_unit_test(operator_actions),
    cmocka_unit_test(changes_once),
    cmocka_unit_test(session_round_trip),
    cmocka_unit_test(bad_lines_are_refused),
};

DW_TEST_MAIN("engine", tests)

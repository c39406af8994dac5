/* test_sapient.c — SAPIENT (BSI Flex 335): the Apex samples, round trips, framing, units.
 *
 * The samples in ../shared/data/sapient/samples are protobuf JSON (camelCase keys), not wire
 * bytes, and there is no protoc here to serialize them: the test builds each message from its
 * JSON with dw_sapient_encode_json, decodes the bytes through the codec, and checks the raw JSON
 * it writes against the sample key by key and value by value, in both directions. The typed
 * reads (dw_obs, node state) are then checked against the numbers in the samples by hand.
 */
#include "harness.h"

#include <jansson.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/sapient.h"

#include "codecs/sapient_int.h"

#define SAMPLES "data/sapient/samples/apex/proto/bsi_flex_335_v1_0/"
#define MAXREC 64
#define T0 1757451000000000LL /* 2025-09-09 20:50:00 UTC */

/* ---------------------------------------------------------------- helpers */

typedef struct cap {
    char *raw[MAXREC];
    size_t n_raw;
    dw_obs obs[MAXREC];
    size_t n_obs;
} cap;

static void on_raw(void *ctx, const char *json, size_t len)
{
    cap *c = ctx;
    assert_true(strlen(json) == len);
    if (c->n_raw < MAXREC)
        c->raw[c->n_raw++] = strdup(json);
}

static void on_obs(void *ctx, const dw_obs *o)
{
    cap *c = ctx;
    if (c->n_obs < MAXREC)
        c->obs[c->n_obs++] = *o;
}

static void sink_init(dw_decode_sink *k, cap *c)
{
    memset(k, 0, sizeof *k);
    memset(c, 0, sizeof *c);
    k->raw = on_raw;
    k->obs = on_obs;
    k->ctx = c;
    k->want_raw = k->want_obs = 1;
}

static void cap_free(cap *c)
{
    for (size_t i = 0; i < c->n_raw; i++)
        free(c->raw[i]);
    c->n_raw = 0;
    c->n_obs = 0;
}

static const dw_codec_ops *ops(void)
{
    const dw_codec_ops *o = dw_codec_find("sapient");
    assert_non_null(o);
    return o;
}

static void *codec_new(const char *edition)
{
    dw_codec_config cfg = {0};
    cfg.edition = edition;
    void *st = NULL;
    assert_int_equal(ops()->create(&cfg, &st), DW_OK);
    return st;
}

static dw_status decode(void *st, const uint8_t *frame, size_t len, dw_decode_sink *k)
{
    dw_frame_meta meta = {0};
    meta.linktype = DW_LINK_STREAM;
    meta.source = "test";
    return ops()->decode(st, frame, len, &meta, k);
}


/* A sample file → one length-prefixed message of the given version. */
static size_t encode_sample(const char *name, dw_sapient_version v, uint8_t *buf, size_t cap_bytes)
{
    size_t len;
    char *json = dw_test_read_file(dw_test_shared(name), &len);
    uint8_t *end = NULL;
    char err[256];
    dw_status st = dw_sapient_encode_json(json, len, v, buf, buf + cap_bytes, &end, err, sizeof err);
    free(json);
    if (st != DW_OK)
        fail_msg("%s: %s (%s)", name, dw_status_name(st), err);
    return (size_t)(end - buf);
}

/* "nodeSubType" → "node_sub_type": the proto field name of a protobuf-JSON key. */
static void snake(const char *camel, char *out, size_t cap_bytes)
{
    size_t n = 0;
    for (; *camel && n + 2 < cap_bytes; camel++) {
        if (*camel >= 'A' && *camel <= 'Z' && n > 0) {
            out[n++] = '_';
            out[n++] = (char)(*camel - 'A' + 'a');
        } else {
            out[n++] = *camel;
        }
    }
    out[n] = '\0';
}

/* Every key and value of the sample is in the decoded raw JSON, with the same value. */
static void expect_in(json_t *sample, json_t *raw, const char *path)
{
    char where[512];
    if (json_is_object(sample)) {
        if (!json_is_object(raw))
            fail_msg("%s: not an object in the decode", path);
        const char *k;
        json_t *v;
        json_object_foreach(sample, k, v) {
            char key[128];
            snake(k, key, sizeof key);
            json_t *r = json_object_get(raw, key);
            snprintf(where, sizeof where, "%s.%s", path, key);
            if (!r)
                fail_msg("%s: missing from the decode", where);
            expect_in(v, r, where);
        }
    } else if (json_is_array(sample)) {
        if (!json_is_array(raw) || json_array_size(raw) != json_array_size(sample))
            fail_msg("%s: array sizes differ", path);
        for (size_t i = 0; i < json_array_size(sample); i++) {
            snprintf(where, sizeof where, "%s[%zu]", path, i);
            expect_in(json_array_get(sample, i), json_array_get(raw, i), where);
        }
    } else if (json_is_number(sample)) {
        if (!json_is_number(raw) || json_number_value(raw) != json_number_value(sample))
            fail_msg("%s: %.17g decoded as %.17g", path, json_number_value(sample),
                     json_is_number(raw) ? json_number_value(raw) : NAN);
    } else if (json_is_string(sample)) {
        if (!json_is_string(raw) || strcmp(json_string_value(raw), json_string_value(sample)))
            fail_msg("%s: \"%s\" decoded as \"%s\"", path, json_string_value(sample),
                     json_is_string(raw) ? json_string_value(raw) : "(not a string)");
    } else if (!json_equal(sample, raw)) {
        fail_msg("%s: values differ", path);
    }
}

/* ...and the decode adds nothing but its own keys: codec, version, type, sensor, *_us. */
static void expect_nothing_more(json_t *raw, json_t *sample, const char *path, int top)
{
    static const char *const own[] = {"codec", "version", "version_from", "type", "sensor"};
    if (json_is_object(raw)) {
        const char *k;
        json_t *v;
        json_object_foreach(raw, k, v) {
            int skip = 0;
            for (size_t i = 0; top && i < sizeof own / sizeof own[0]; i++)
                skip |= !strcmp(own[i], k);
            size_t n = strlen(k);
            if (skip || (n > 3 && !strcmp(k + n - 3, "_us")))
                continue;
            json_t *match = NULL;
            const char *sk;
            json_t *sv;
            json_object_foreach(sample, sk, sv) {
                char key[128];
                snake(sk, key, sizeof key);
                if (!strcmp(key, k))
                    match = sv;
            }
            if (!match)
                fail_msg("%s.%s: in the decode but not in the sample", path, k);
            char where[512];
            snprintf(where, sizeof where, "%s.%s", path, k);
            expect_nothing_more(v, match, where, 0);
        }
    } else if (json_is_array(raw)) {
        for (size_t i = 0; i < json_array_size(raw); i++)
            expect_nothing_more(json_array_get(raw, i), json_array_get(sample, i), path, 0);
    }
}

static json_t *load_json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("bad JSON (%s): %s", e.text, text);
    return j;
}

/* Decode one sample and compare it with its file both ways; returns the raw JSON (caller frees). */
static char *check_sample(const char *file, dw_sapient_version v, cap *c, void *st)
{
    static uint8_t buf[1 << 16];
    size_t n = encode_sample(file, v, buf, sizeof buf);
    dw_decode_sink k;
    sink_init(&k, c);
    assert_int_equal(decode(st, buf, n, &k), DW_OK);
    assert_int_equal(k.stats.frames, 1);
    assert_int_equal(k.stats.malformed, 0);
    assert_int_equal(c->n_raw, 1);
    size_t len;
    char *text = dw_test_read_file(dw_test_shared(file), &len);
    json_t *sample = load_json(text), *raw = load_json(c->raw[0]);
    expect_in(sample, raw, file);
    expect_nothing_more(raw, sample, file, 1);
    json_decref(sample);
    json_decref(raw);
    free(text);
    char *out = c->raw[0];
    c->raw[0] = NULL;
    c->n_raw = 0;
    return out;
}

static const char *jstr(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* ----------------------------------------------------- typed message makers */

static dw_sapient_header header(dw_sapient_version v, const char *node)
{
    dw_sapient_header h;
    memset(&h, 0, sizeof h);
    h.version = v;
    h.has_time = 1;
    h.t_us = T0 + 123456;
    strcpy(h.node_id, node);
    strcpy(h.destination_id, "6f1c2c8e-5c1b-4b7e-9a77-0d7b6b1b2a10");
    return h;
}

static void make_detection(dw_sapient_detection *d)
{
    memset(d, 0, sizeof *d);
    strcpy(d->report_id, "01K4PX7ZB0000000000000000A");
    strcpy(d->object_id, "01K4PX7ZB0000000000000000B");
    strcpy(d->task_id, "01K4PX7ZB0000000000000000C");
    strcpy(d->state, "tracking");
    d->where = DW_SAPIENT_AT_RANGE_BEARING;
    d->rb.has = DW_SAPIENT_HAS_AZIMUTH | DW_SAPIENT_HAS_ELEVATION | DW_SAPIENT_HAS_RANGE |
                DW_SAPIENT_HAS_AZIMUTH_ERROR | DW_SAPIENT_HAS_ELEVATION_ERROR |
                DW_SAPIENT_HAS_RANGE_ERROR;
    d->rb.azimuth = 87.2;
    d->rb.elevation = 1.1;
    d->rb.range = 4125.5;
    d->rb.azimuth_error = 0.2;
    d->rb.elevation_error = 0.3;
    d->rb.range_error = 50;
    d->rb.coordinate_system = DW_SAPIENT_RB_DEGREES_M;
    d->rb.datum = DW_SAPIENT_NORTH_TRUE;
    d->has = DW_SAPIENT_DET_CONFIDENCE | DW_SAPIENT_DET_VELOCITY | DW_SAPIENT_DET_VEL_UP;
    d->detection_confidence = 0.9f;
    d->vel_east = -41.0;
    d->vel_north = 3.25;
    d->vel_up = -0.5;
    /* Air Vehicle → UAV → {Fixed Wing → One-Way Attack, Rotary Wing}; Bird. */
    static const struct {
        const char *type;
        float conf;
        int parent;
    } cls[] = {{"Air Vehicle", 0.95f, -1}, {"UAV", 0.9f, 0}, {"Fixed Wing", 0.7f, 1},
               {"One-Way Attack", 0.6f, 2}, {"Rotary Wing", 0.2f, 1}, {"Bird", 0.05f, -1}};
    for (size_t i = 0; i < sizeof cls / sizeof cls[0]; i++) {
        strcpy(d->classes[i].type, cls[i].type);
        d->classes[i].has_confidence = 1;
        d->classes[i].confidence = cls[i].conf;
        d->classes[i].parent = cls[i].parent;
    }
    d->n_classes = sizeof cls / sizeof cls[0];
    strcpy(d->object_info[0].type, "rcs_m2");
    strcpy(d->object_info[0].value, "0.25");
    strcpy(d->object_info[1].type, "callsign");
    strcpy(d->object_info[1].value, "GER07");
    d->n_info = 2;
    strcpy(d->colour, "grey");
    strcpy(d->id, "G07");
}

static void make_status(dw_sapient_status *s)
{
    memset(s, 0, sizeof *s);
    strcpy(s->report_id, "01K4PX7ZB0000000000000000D");
    s->system = DW_SAPIENT_SYSTEM_OK;
    s->info = DW_SAPIENT_INFO_NEW;
    strcpy(s->active_task_id, "01K4PX7ZB0000000000000000E");
    strcpy(s->mode, "search");
    s->has_location = 1;
    s->node_location.has = DW_SAPIENT_HAS_XY | DW_SAPIENT_HAS_Z | DW_SAPIENT_HAS_X_ERROR |
                           DW_SAPIENT_HAS_Y_ERROR | DW_SAPIENT_HAS_Z_ERROR;
    s->node_location.x = 23.6123;
    s->node_location.y = 51.5512;
    s->node_location.z = 181.5;
    s->node_location.x_error = 1e-5;
    s->node_location.y_error = 1e-5;
    s->node_location.z_error = 2;
    s->node_location.coordinate_system = DW_SAPIENT_LOC_LAT_LNG_DEG_M;
    s->node_location.datum = DW_SAPIENT_DATUM_WGS84_E;
    s->has_power_level = 1;
    s->power_level = 87;
}

static void make_registration(dw_sapient_registration *r, dw_sapient_version v)
{
    memset(r, 0, sizeof *r);
    r->node_type = DW_SAPIENT_NODE_RADAR;
    strcpy(r->node_sub_type, "Ku-band C-UAS radar");
    strcpy(r->icd_version, v == DW_SAPIENT_V1_0 ? "BSI Flex 335 v1.0" : "BSI Flex 335 v2.0");
    strcpy(r->name, "Lublin border radar 1");
    strcpy(r->short_name, "PL-RAD-01");
    r->has_status_interval = 1;
    r->status_interval_s = 5;
    r->n_modes = 2;
    strcpy(r->modes[0].name, "search");
    r->modes[0].range_bearing = 1;
    r->modes[0].units = DW_SAPIENT_RB_RADIANS_KM;
    r->modes[0].datum = DW_SAPIENT_NORTH_TRUE;
    r->modes[0].speed_units = DW_SAPIENT_SPEED_KPH;
    strcpy(r->modes[1].name, "track");
    r->modes[1].range_bearing = 0;
    r->modes[1].units = DW_SAPIENT_LOC_UTM_M;
    r->modes[1].datum = DW_SAPIENT_DATUM_WGS84_E;
    strcpy(r->modes[1].zone, "34N");
    r->n_classes = 3;
    strcpy(r->classes[0], "UAV");
    strcpy(r->classes[1], "Bird");
    strcpy(r->classes[2], "Manned Aircraft");
    if (v == DW_SAPIENT_V2_0) {
        strcpy(r->manufacturer, "Acme Radar");
        strcpy(r->model, "AR-7");
    }
}

static void make_alert(dw_sapient_alert *a)
{
    memset(a, 0, sizeof *a);
    strcpy(a->alert_id, "01K4PX7ZB0000000000000000F");
    a->alert_type = DW_SAPIENT_ALERT_CRITICAL;
    a->status = DW_SAPIENT_ALERT_ACTIVE;
    strcpy(a->description, "UAV entering protected zone — Ł");
    a->where = DW_SAPIENT_AT_LOCATION;
    a->loc.has = DW_SAPIENT_HAS_XY;
    a->loc.x = 23.61;
    a->loc.y = 51.55;
    a->loc.coordinate_system = DW_SAPIENT_LOC_LAT_LNG_DEG_M;
    a->loc.datum = DW_SAPIENT_DATUM_WGS84_E;
    strcpy(a->region_id, "01K4PX7ZB0000000000000000G");
    a->priority = DW_SAPIENT_PRIORITY_HIGH;
    a->has_ranking = a->has_confidence = 1;
    a->ranking = 0.75f;
    a->confidence = 0.8f;
    a->n_assoc = 1;
    strcpy(a->assoc[0].node_id, "b5546692-a0cc-4846-a36c-4b7098eae08e");
    strcpy(a->assoc[0].object_id, "01K4PX7ZB0000000000000000B");
    strcpy(a->additional_information, "seen by two nodes");
}

static size_t encode_msg(const dw_sapient_msg *m, uint8_t *buf, size_t cap_bytes)
{
    uint8_t *end = NULL;
    dw_status st = dw_sapient_encode(m, buf, buf + cap_bytes, &end);
    if (st != DW_OK)
        fail_msg("encode: %s", dw_status_name(st));
    return (size_t)(end - buf);
}

static void fill_msg(dw_sapient_msg *m, dw_sapient_kind kind, dw_sapient_version v)
{
    memset(m, 0, sizeof *m);
    m->hdr = header(v, "b5546692-a0cc-4846-a36c-4b7098eae08e");
    m->kind = kind;
    switch (kind) {
    case DW_SAPIENT_REGISTRATION: make_registration(&m->u.reg, v); break;
    case DW_SAPIENT_STATUS_REPORT: make_status(&m->u.status); break;
    case DW_SAPIENT_DETECTION_REPORT: make_detection(&m->u.det); break;
    case DW_SAPIENT_ALERT: make_alert(&m->u.alert); break;
    default: break;
    }
}

/* ------------------------------------------------------------------ tests */

static void samples_detection_v1(void **state)
{
    (void)state;
    cap c;
    void *st = codec_new(NULL);
    char *raw = check_sample(SAMPLES "detection_proto.json", DW_SAPIENT_V1_0, &c, st);
    json_t *j = load_json(raw);
    assert_string_equal(jstr(j, "codec"), "sapient");
    assert_string_equal(jstr(j, "type"), "detection_report");
    /* Nothing in a detection tells 1.0 from 2.0: the bytes are the same in both. */
    assert_string_equal(jstr(j, "version_from"), "default");
    assert_int_equal(json_integer_value(json_object_get(j, "timestamp_us")), 1692008522340051LL);
    assert_string_equal(jstr(j, "sensor"), "b5546692-a0cc-4846-a36c-4b7098eae08e");
    json_decref(j);
    free(raw);
    /* x = 37, y = 53 in an unspecified system: degrees, since they can be. No z: POS2. */
    assert_int_equal(c.n_obs, 1);
    const dw_obs *o = &c.obs[0];
    assert_int_equal(o->kind, DW_OBS_POS2);
    assert_int_equal(o->t_us, 1692008522340051LL);
    assert_string_equal(o->sensor, "b5546692-a0cc-4846-a36c-4b7098eae08e");
    assert_near(o->lat_deg, 53.0, 0);
    assert_near(o->lon_deg, 37.0, 0);
    assert_true(o->has & DW_OBS_HAS_POS);
    assert_false(o->has & DW_OBS_HAS_ALT);
    /* Human 0.8 and Unknown 0.2: neither is an air class, both are "unknown". */
    assert_true(o->has & DW_OBS_HAS_CLASS);
    assert_near(o->class_score[DW_CLASS_UNKNOWN], 0.8f, 0);
    assert_near(o->class_score[DW_CLASS_OWA_DRONE], 0, 0);
    cap_free(&c);
    ops()->destroy(st);
}

static void samples_status_v1(void **state)
{
    (void)state;
    cap c;
    void *st = codec_new(NULL);
    char *raw = check_sample(SAMPLES "status_proto.json", DW_SAPIENT_V1_0, &c, st);
    json_t *j = load_json(raw);
    assert_string_equal(jstr(j, "type"), "status_report");
    json_t *sr = json_object_get(j, "status_report");
    assert_string_equal(jstr(sr, "system"), "SYSTEM_OK");
    /* v1.0's coverage is field 9 (v2.0 moved it to 12): the sample says which it is. */
    assert_string_equal(jstr(j, "version"), "1.0");
    assert_string_equal(jstr(j, "version_from"), "fields");
    json_decref(j);
    free(raw);
    assert_int_equal(c.n_obs, 0);
    /* 603885 / 5650836 are UTM (not degrees) and no zone is known: no site. */
    dw_sapient_node n;
    assert_int_equal(dw_sapient_node_get(st, "ea54bd43-304f-4d11-a80a-6e5a401bdb7d", &n), DW_OK);
    assert_false(n.has_site);
    assert_int_equal(n.version, DW_SAPIENT_V1_0);
    cap_free(&c);
    ops()->destroy(st);
}

static void samples_registration_v1(void **state)
{
    (void)state;
    cap c;
    void *st = codec_new(NULL);
    char *raw = check_sample(SAMPLES "registration_proto.json", DW_SAPIENT_V1_0, &c, st);
    json_t *j = load_json(raw);
    assert_string_equal(jstr(j, "version"), "1.0");
    assert_string_equal(jstr(j, "version_from"), "registration");
    json_decref(j);
    free(raw);
    cap_free(&c);
    /* The typed view of the same bytes. */
    static uint8_t buf[1 << 16];
    size_t n = encode_sample(SAMPLES "registration_proto.json", DW_SAPIENT_V1_0, buf, sizeof buf);
    dw_sapient_msg *m = malloc(sizeof *m);
    assert_int_equal(dw_sapient_parse(buf + 4, n - 4, 0, m), DW_OK);
    assert_int_equal(m->kind, DW_SAPIENT_REGISTRATION);
    assert_int_equal(m->hdr.version, DW_SAPIENT_V1_0);
    assert_int_equal(m->u.reg.node_type, DW_SAPIENT_NODE_OTHER);
    assert_string_equal(m->u.reg.node_sub_type, "Test Radar");
    assert_string_equal(m->u.reg.name, "Test Radar");
    assert_string_equal(m->u.reg.short_name, "Radar");
    assert_true(m->u.reg.has_status_interval);
    assert_near(m->u.reg.status_interval_s, 5.0, 0);
    assert_int_equal(m->u.reg.n_modes, 1);
    assert_string_equal(m->u.reg.modes[0].name, "test");
    assert_true(m->u.reg.modes[0].range_bearing);
    assert_int_equal(m->u.reg.modes[0].units, DW_SAPIENT_RB_DEGREES_M);
    assert_string_equal(m->u.reg.modes[0].zone, "30N");
    assert_int_equal(m->u.reg.n_classes, 1);
    assert_string_equal(m->u.reg.classes[0], "Human");
    free(m);
    ops()->destroy(st);
}

static void samples_alert_and_task_v1(void **state)
{
    (void)state;
    cap c;
    void *st = codec_new(NULL);
    char *raw = check_sample(SAMPLES "alert_proto.json", DW_SAPIENT_V1_0, &c, st);
    json_t *j = load_json(raw);
    assert_string_equal(jstr(j, "type"), "alert");
    assert_string_equal(jstr(j, "node_id"), "1");
    json_t *al = json_object_get(j, "alert");
    assert_string_equal(jstr(json_array_get(json_object_get(al, "associated_detection"), 0), "timestamp"),
                        "2023-03-06T14:44:26Z");
    json_decref(j);
    free(raw);
    assert_int_equal(c.n_obs, 0);
    raw = check_sample(SAMPLES "task_proto.json", DW_SAPIENT_V1_0, &c, st);
    j = load_json(raw);
    assert_string_equal(jstr(j, "type"), "task");
    assert_string_equal(jstr(j, "destination_id"), "1");
    json_decref(j);
    free(raw);
    cap_free(&c);
    ops()->destroy(st);
}

/* decode → raw JSON → encode_json → the same bytes → the same JSON, for every sample. */
static void samples_raw_json_round_trip(void **state)
{
    (void)state;
    static const char *const files[] = {"alert_proto.json", "detection_proto.json",
                                        "registration_proto.json", "status_proto.json",
                                        "task_proto.json"};
    static uint8_t a[1 << 16], b[1 << 16];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, SAMPLES "%s", files[i]);
        size_t na = encode_sample(path, DW_SAPIENT_V1_0, a, sizeof a);
        cap c;
        dw_decode_sink k;
        void *st = codec_new(NULL);
        sink_init(&k, &c);
        assert_int_equal(decode(st, a, na, &k), DW_OK);
        char *raw1 = strdup(c.raw[0]);
        uint8_t *end = NULL;
        char err[256];
        assert_int_equal(dw_sapient_encode_json(raw1, strlen(raw1), 0, b, b + sizeof b, &end, err, sizeof err), DW_OK);
        assert_int_equal((size_t)(end - b), na);
        assert_memory_equal(a, b, na);
        cap_free(&c);
        assert_int_equal(decode(st, b, na, &k), DW_OK);
        assert_string_equal(c.raw[0], raw1);
        free(raw1);
        cap_free(&c);
        ops()->destroy(st);
    }
}

/* Typed: parse(encode(m)) == m for each kind and version; raw JSON: bytes again. */
static void round_trip_kind(dw_sapient_kind kind, dw_sapient_version v)
{
    static uint8_t a[1 << 16], b[1 << 16];
    dw_sapient_msg *m = malloc(sizeof *m), *back = malloc(sizeof *back), *again = malloc(sizeof *again);
    fill_msg(m, kind, v);
    size_t na = encode_msg(m, a, sizeof a);
    memset(back, 0xA5, sizeof *back);
    assert_int_equal(dw_sapient_parse(a + 4, na - 4, v, back), DW_OK);
    assert_int_equal(back->kind, kind);
    assert_int_equal(back->hdr.version, v);
    assert_memory_equal(&back->hdr, &m->hdr, sizeof m->hdr);
    assert_memory_equal(back, m, sizeof *m);
    /* encode → parse again: still the same. */
    size_t nb = encode_msg(back, b, sizeof b);
    assert_int_equal(nb, na);
    assert_memory_equal(a, b, na);
    assert_int_equal(dw_sapient_parse(b + 4, nb - 4, v, again), DW_OK);
    assert_memory_equal(again, m, sizeof *m);

    /* The codec's raw JSON of the bytes encodes back to them. */
    char edition[16];
    snprintf(edition, sizeof edition, "sapient=%s", dw_sapient_version_name(v));
    void *st = codec_new(edition);
    cap c;
    dw_decode_sink k;
    sink_init(&k, &c);
    assert_int_equal(decode(st, a, na, &k), DW_OK);
    assert_int_equal(c.n_raw, 1);
    uint8_t *end = NULL;
    char err[256];
    assert_int_equal(dw_sapient_encode_json(c.raw[0], strlen(c.raw[0]), 0, b, b + sizeof b, &end, err, sizeof err), DW_OK);
    assert_int_equal((size_t)(end - b), na);
    assert_memory_equal(a, b, na);
    /* v1.0 bytes read with the v1.0 schema leave nothing unknown (the encoder wrote no
     * v2.0-only field), and the other way round. */
    dw__sap_scan scan;
    dw__sap_prescan(dw__sap_root(v), a + 4, na - 4, &scan);
    assert_true(scan.ok);
    assert_int_equal(scan.unknown, 0);
    cap_free(&c);
    ops()->destroy(st);
    free(m);
    free(back);
    free(again);
}

static void round_trip_typed_v1(void **state)
{
    (void)state;
    for (int k = DW_SAPIENT_REGISTRATION; k <= DW_SAPIENT_ALERT; k++)
        round_trip_kind((dw_sapient_kind)k, DW_SAPIENT_V1_0);
}

static void round_trip_typed_v2(void **state)
{
    (void)state;
    for (int k = DW_SAPIENT_REGISTRATION; k <= DW_SAPIENT_ALERT; k++)
        round_trip_kind((dw_sapient_kind)k, DW_SAPIENT_V2_0);
}

static void expect_same_obs(const dw_obs *x, const dw_obs *y)
{
    assert_int_equal(x->t_us, y->t_us);
    assert_string_equal(x->sensor, y->sensor);
    assert_int_equal(x->kind, y->kind);
    assert_int_equal(x->has, y->has);
    assert_near(x->lat_deg, y->lat_deg, 0);
    assert_near(x->lon_deg, y->lon_deg, 0);
    assert_near(x->alt_m, y->alt_m, 0);
    assert_near(x->range_m, y->range_m, 0);
    assert_near(x->az_rad, y->az_rad, 1e-14);
    assert_near(x->el_rad, y->el_rad, 1e-14);
    assert_near(x->sigma_pos_m, y->sigma_pos_m, 1e-9);
    assert_near(x->sigma_alt_m, y->sigma_alt_m, 0);
    assert_near(x->sigma_range_m, y->sigma_range_m, 0);
    assert_near(x->sigma_az_rad, y->sigma_az_rad, 1e-15);
    assert_near(x->sigma_el_rad, y->sigma_el_rad, 1e-15);
    for (int i = 0; i < 3; i++)
        assert_near(x->vel_enu_mps[i], y->vel_enu_mps[i], 0);
    assert_int_equal(x->icao, y->icao);
    assert_int_equal(x->mode3a, y->mode3a);
    assert_string_equal(x->callsign, y->callsign);
    assert_string_equal(x->rid, y->rid);
    assert_near(x->rcs_m2, y->rcs_m2, 0);
    assert_near(x->amplitude_db, y->amplitude_db, 0);
    for (int i = 0; i < DW_NCLASSES; i++)
        assert_true(x->class_score[i] == y->class_score[i]);
}

/* dw_obs → encode_obs → decode → the same dw_obs (angles to 1e-14 rad: degrees on the wire). */
static void round_trip_obs(void **state)
{
    (void)state;
    dw_obs in[4];
    dw_obs_init(&in[0], DW_OBS_POLAR);
    in[0].has |= DW_OBS_HAS_EL | DW_OBS_HAS_CLASS | DW_OBS_HAS_RCS | DW_OBS_HAS_VEL;
    in[0].range_m = 41250.0;
    in[0].az_rad = 87.2 * M_PI / 180;
    in[0].el_rad = 1.1 * M_PI / 180;
    in[0].sigma_range_m = 50;
    in[0].sigma_az_rad = 0.2 * M_PI / 180;
    in[0].sigma_el_rad = 0.3 * M_PI / 180;
    in[0].class_score[DW_CLASS_OWA_DRONE] = 0.7f;
    in[0].class_score[DW_CLASS_DECOY] = 0.2f;
    in[0].class_score[DW_CLASS_BIRD] = 0.05f;
    in[0].rcs_m2 = 0.1;
    in[0].vel_enu_mps[0] = -41;
    in[0].vel_enu_mps[1] = 3.2;
    in[0].vel_enu_mps[2] = 0.5;
    strcpy(in[0].sensor, "PL-RAD-01");
    dw_obs_init(&in[1], DW_OBS_BEARING);
    in[1].az_rad = 241.0 * M_PI / 180;
    in[1].sigma_az_rad = 3.0 * M_PI / 180;
    in[1].has |= DW_OBS_HAS_CLASS | DW_OBS_HAS_AMPLITUDE;
    in[1].class_score[DW_CLASS_QUADCOPTER] = 0.5f;
    in[1].class_score[DW_CLASS_HELICOPTER] = 0.25f;
    in[1].amplitude_db = -61.5;
    strcpy(in[1].sensor, "AC-0412");
    dw_obs_init(&in[2], DW_OBS_POS3);
    in[2].has |= DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_ICAO | DW_OBS_HAS_CALLSIGN |
                 DW_OBS_HAS_MODE3A | DW_OBS_HAS_CLASS | DW_OBS_HAS_VEL;
    in[2].lat_deg = 52.17;
    in[2].lon_deg = 20.97;
    in[2].alt_m = 3200;
    in[2].sigma_pos_m = 30;
    in[2].sigma_alt_m = 15;
    in[2].icao = 0x48AE21;
    in[2].mode3a = 07500;
    strcpy(in[2].callsign, "LOT3AB");
    in[2].class_score[DW_CLASS_AIRLINER] = 1.0f;
    in[2].vel_enu_mps[0] = 120;
    in[2].vel_enu_mps[1] = -80;
    strcpy(in[2].sensor, "b5546692-a0cc-4846-a36c-4b7098eae08e");
    dw_obs_init(&in[3], DW_OBS_POS2);
    in[3].has |= DW_OBS_HAS_POS | DW_OBS_HAS_RID | DW_OBS_HAS_CLASS;
    in[3].lat_deg = -33.9;
    in[3].lon_deg = 151.2;
    in[3].sigma_pos_m = 250;
    strcpy(in[3].rid, "1596F3A4B5C6D7E8F901");
    in[3].class_score[DW_CLASS_UNKNOWN] = 0.3f;
    in[3].class_score[DW_CLASS_LIGHT_AIRCRAFT] = 0.4f;
    in[3].class_score[DW_CLASS_FIGHTER] = 0.1f;
    strcpy(in[3].sensor, "citizen-app");
    for (int v = 1; v <= 2; v++) {
        void *st = codec_new(v == 1 ? "sapient=1.0" : "v2.0");
        for (int i = 0; i < 4; i++) {
            in[i].t_us = T0 + i * 1000;
            uint8_t buf[4096], *end = NULL;
            assert_int_equal(ops()->encode_obs(st, &in[i], buf, buf + sizeof buf, &end), DW_OK);
            /* Too small a buffer: DW_ERR_FULL, out_end untouched. */
            uint8_t *untouched = buf;
            assert_int_equal(ops()->encode_obs(st, &in[i], buf, buf + 10, &untouched), DW_ERR_FULL);
            assert_ptr_equal(untouched, buf);
            cap c;
            dw_decode_sink k;
            sink_init(&k, &c);
            assert_int_equal(decode(st, buf, (size_t)(end - buf), &k), DW_OK);
            assert_int_equal(c.n_obs, 1);
            expect_same_obs(&in[i], &c.obs[0]);
            json_t *j = load_json(c.raw[0]);
            assert_string_equal(jstr(j, "version"), v == 1 ? "1.0" : "2.0");
            assert_string_equal(jstr(j, "version_from"), "config");
            json_decref(j);
            cap_free(&c);
        }
        /* A CELL without a centre or a radius has no SAPIENT form. */
        dw_obs cell;
        dw_obs_init(&cell, DW_OBS_CELL);
        uint8_t buf[256], *end = NULL;
        assert_int_equal(ops()->encode_obs(st, &cell, buf, buf + sizeof buf, &end), DW_ERR_UNSUPPORTED);
        cell.has = DW_OBS_HAS_POS;
        assert_int_equal(ops()->encode_obs(st, &cell, buf, buf + sizeof buf, &end), DW_ERR_UNSUPPORTED);
        cell.has = DW_OBS_HAS_RANGE;
        assert_int_equal(ops()->encode_obs(st, &cell, buf, buf + sizeof buf, &end), DW_ERR_UNSUPPORTED);
        ops()->destroy(st);
    }
}

static void *round_trip_one(void *st, const dw_obs *in, dw_obs *out, char **raw)
{
    uint8_t buf[4096], *end = NULL;
    assert_int_equal(ops()->encode_obs(st, in, buf, buf + sizeof buf, &end), DW_OK);
    cap c;
    dw_decode_sink k;
    sink_init(&k, &c);
    assert_int_equal(decode(st, buf, (size_t)(end - buf), &k), DW_OK);
    assert_int_equal(c.n_obs, 1);
    *out = c.obs[0];
    if (raw)
        *raw = strdup(c.raw[0]);
    cap_free(&c);
    return st;
}

/* A full covariance (an airborne radar's: long, thin and turned) goes out as per-axis errors
 * with their correlations and comes back whole; sigmas alone come back as sigmas. */
static void obs_covariance_to_errors(void **state)
{
    (void)state;
    dw_obs o;
    dw_obs_init(&o, DW_OBS_POS3);
    o.has |= DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_COV | DW_OBS_HAS_VEL;
    o.t_us = T0;
    strcpy(o.sensor, "AEW-01");
    o.lat_deg = 50.0;
    o.lon_deg = 24.0;
    o.alt_m = 900;
    o.cov_enu[0][0] = 400;  /* 20 m east  */
    o.cov_enu[1][1] = 90000;  /* 300 m north */
    o.cov_enu[2][2] = 2500; /* 50 m up    */
    o.cov_enu[0][1] = o.cov_enu[1][0] = -0.9 * 20 * 300;
    o.cov_enu[0][2] = o.cov_enu[2][0] = 0.3 * 20 * 50;
    o.cov_enu[1][2] = o.cov_enu[2][1] = 0.05 * 300 * 50;
    o.vel_enu_mps[0] = -41;
    o.vel_enu_mps[1] = 3.25;
    o.vel_enu_mps[2] = 0.5;
    for (int v = 1; v <= 2; v++) {
        void *st = codec_new(v == 1 ? "sapient=1.0" : NULL);
        dw_obs d;
        char *raw;
        round_trip_one(st, &o, &d, &raw);
        assert_int_equal(d.kind, DW_OBS_POS3);
        assert_int_equal(d.has, o.has);
        assert_near(d.sigma_pos_m, 300, 1e-9);  /* the larger horizontal error */
        assert_near(d.sigma_alt_m, 50, 1e-9);
        /* As the simulator's airborne radar sends it, sigmas beside the covariance: all back. */
        dw_obs sim = o;
        sim.sigma_pos_m = 300;
        sim.sigma_alt_m = 50;
        dw_obs ds;
        round_trip_one(st, &sim, &ds, NULL);
        expect_same_obs(&sim, &ds);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                assert_near(d.cov_enu[i][j], o.cov_enu[i][j], 1e-12 * fabs(o.cov_enu[i][j]) + 1e-12);
        assert_true(d.lat_deg == o.lat_deg && d.lon_deg == o.lon_deg && d.alt_m == o.alt_m);
        assert_non_null(strstr(raw, "\"cov_enu_correlation\""));
        free(raw);

        /* Sigmas alone: per-axis errors, back as the larger horizontal one. */
        dw_obs p = o;
        p.has &= ~(uint32_t)DW_OBS_HAS_COV;
        memset(p.cov_enu, 0, sizeof p.cov_enu);
        p.sigma_pos_m = 30;
        p.sigma_alt_m = 10;
        round_trip_one(st, &p, &d, NULL);
        assert_false(d.has & DW_OBS_HAS_COV);
        assert_near(d.sigma_pos_m, 30, 1e-9);
        assert_near(d.sigma_alt_m, 10, 0);

        /* A POS2's covariance: the horizontal part. */
        dw_obs q = o;
        q.kind = DW_OBS_POS2;
        q.has &= ~(uint32_t)DW_OBS_HAS_ALT;
        q.alt_m = 0;
        round_trip_one(st, &q, &d, NULL);
        assert_int_equal(d.kind, DW_OBS_POS2);
        assert_int_equal(d.has, q.has);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                assert_near(d.cov_enu[i][j], q.cov_enu[i][j], 1e-12 * fabs(q.cov_enu[i][j]));
        assert_near(d.cov_enu[2][2], 0, 0);
        assert_near(d.cov_enu[0][2], 0, 0);

        /* A zero variance: that axis's correlations are 0, as is what comes back. */
        dw_obs z = o;
        z.cov_enu[2][2] = 0;
        z.cov_enu[0][2] = z.cov_enu[2][0] = z.cov_enu[1][2] = z.cov_enu[2][1] = 0;
        round_trip_one(st, &z, &d, NULL);
        assert_true(d.has & DW_OBS_HAS_COV);
        assert_near(d.cov_enu[2][2], 0, 0);
        assert_near(d.cov_enu[0][1], z.cov_enu[0][1], 1e-9);
        ops()->destroy(st);
    }
}

/* What the simulator's sensors send, each back as it went (angles to 1e-14 rad as they travel
 * in degrees; horizontal errors to 1e-9 m as they travel in degrees of latitude/longitude):
 * an acoustic node's wide bearing or its detection-only cell, an RF detector's bearing, an
 * EO/IR camera's bearing with elevation and class scores, a radar's plot with range rate. */
static void obs_simulator_kinds(void **state)
{
    (void)state;
    dw_obs in[6];
    dw_obs_init(&in[0], DW_OBS_BEARING);
    strcpy(in[0].sensor, "AC-0412");
    in[0].az_rad = 241.3 * M_PI / 180;
    in[0].sigma_az_rad = 6.5 * M_PI / 180;
    dw_obs_init(&in[1], DW_OBS_CELL);
    strcpy(in[1].sensor, "AC-0413");
    in[1].has |= DW_OBS_HAS_POS | DW_OBS_HAS_RANGE;
    in[1].lat_deg = 51.5512345678;
    in[1].lon_deg = 23.6187654321;
    in[1].radius_m = 1800.5;
    dw_obs_init(&in[2], DW_OBS_BEARING);
    strcpy(in[2].sensor, "RF-PL-003");
    in[2].az_rad = 0.00001;
    in[2].sigma_az_rad = 2 * M_PI / 180;
    dw_obs_init(&in[3], DW_OBS_BEARING);
    strcpy(in[3].sensor, "EOIR-PL-07");
    in[3].has |= DW_OBS_HAS_EL | DW_OBS_HAS_CLASS;
    in[3].az_rad = 359.99 * M_PI / 180;
    in[3].el_rad = 12.25 * M_PI / 180;
    in[3].sigma_az_rad = 0.05 * M_PI / 180;
    in[3].sigma_el_rad = 0.07 * M_PI / 180;
    in[3].class_score[DW_CLASS_OWA_DRONE] = 0.8125f;
    in[3].class_score[DW_CLASS_DECOY] = 0.15f;
    in[3].class_score[DW_CLASS_QUADCOPTER] = 0.01f;
    in[3].class_score[DW_CLASS_BIRD] = 0.0001f;
    dw_obs_init(&in[4], DW_OBS_CELL);
    strcpy(in[4].sensor, "AC-0414");
    in[4].has |= DW_OBS_HAS_POS | DW_OBS_HAS_RANGE | DW_OBS_HAS_ALT;
    in[4].lat_deg = -0.5;
    in[4].lon_deg = 179.5;
    in[4].alt_m = 300;
    in[4].sigma_alt_m = 200;
    in[4].radius_m = 0;
    dw_obs_init(&in[5], DW_OBS_POLAR);
    strcpy(in[5].sensor, "RAD-CUAS-2");
    in[5].has |= DW_OBS_HAS_EL | DW_OBS_HAS_RR;
    in[5].range_m = 3456.7;
    in[5].az_rad = 1.234;
    in[5].el_rad = 0.05;
    in[5].range_rate_mps = -41.7;
    in[5].sigma_rr_mps = 0.5;
    in[5].sigma_range_m = 5;
    for (int v = 1; v <= 2; v++) {
        void *st = codec_new(v == 1 ? "sapient=1.0" : NULL);
        for (int i = 0; i < 6; i++) {
            in[i].t_us = T0 + i * 1000;
            dw_obs d;
            char *raw;
            round_trip_one(st, &in[i], &d, &raw);
            expect_same_obs(&in[i], &d);
            assert_near(d.radius_m, in[i].radius_m, 0);
            assert_near(d.range_rate_mps, in[i].range_rate_mps, 0);
            assert_near(d.sigma_rr_mps, in[i].sigma_rr_mps, 0);
            if (in[i].kind == DW_OBS_CELL) {
                /* the disc's errors, for receivers that do not know the entry */
                json_t *j = load_json(raw);
                json_t *loc = json_object_get(json_object_get(j, "detection_report"), "location");
                assert_non_null(loc);
                double per_deg = 6378137.0 * M_PI / 180 * cos(in[i].lat_deg * M_PI / 180);
                assert_near(json_number_value(json_object_get(loc, "x_error")) * per_deg,
                            in[i].radius_m / 2, 0.01 * in[i].radius_m + 1e-9);
                json_decref(j);
            }
            free(raw);
        }
        ops()->destroy(st);
    }
}

/* A stream of messages with garbage between them, fed in pieces of every size from 1 to 97
 * bytes through frame() and decode() as a driver would. */
static void framing_split_buffers(void **state)
{
    (void)state;
    static uint8_t stream[1 << 16];
    size_t n = 0, garbage = 0, msgs = 0;
    dw_sapient_msg *m = malloc(sizeof *m);
    static const uint8_t junk1[] = "hello\r\n";
    /* A plausible length and first key followed by bytes that do not parse. */
    static const uint8_t junk2[] = {0x09, 0, 0, 0, 0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    for (int i = 0; i < 6; i++) {
        fill_msg(m, (dw_sapient_kind)(DW_SAPIENT_REGISTRATION + i % 4), i % 2 ? DW_SAPIENT_V1_0 : DW_SAPIENT_V2_0);
        n += encode_msg(m, stream + n, sizeof stream - n);
        msgs++;
        const uint8_t *j = i % 2 ? junk1 : junk2;
        size_t jl = i % 2 ? sizeof junk1 - 1 : sizeof junk2;
        memcpy(stream + n, j, jl);
        n += jl;
        garbage += jl;
    }
    free(m);
    const dw_codec_ops *o = ops();
    for (size_t piece = 1; piece <= 97; piece += (piece < 8 ? 1 : 13)) {
        void *st = codec_new(NULL);
        cap c;
        dw_decode_sink k;
        sink_init(&k, &c);
        uint8_t buf[1 << 16];
        size_t have = 0, fed = 0;
        while (fed < n || have) {
            size_t take = n - fed < piece ? n - fed : piece;
            memcpy(buf + have, stream + fed, take);
            have += take;
            fed += take;
            for (;;) {
                size_t skip = 0, flen = 0;
                dw_status st_f = o->frame(buf, have, &skip, &flen);
                k.stats.skipped_bytes += skip;
                memmove(buf, buf + skip, have - skip);
                have -= skip;
                if (st_f != DW_OK)
                    break;
                assert_int_equal(decode(st, buf, flen, &k), DW_OK);
                memmove(buf, buf + flen, have - flen);
                have -= flen;
            }
            if (fed == n) {
                /* End of input: what is left can never be a frame. */
                k.stats.skipped_bytes += have;
                have = 0;
            }
        }
        assert_int_equal(k.stats.frames, msgs);
        assert_int_equal(c.n_raw, msgs);
        assert_int_equal(k.stats.malformed, 0);
        assert_int_equal(k.stats.skipped_bytes, garbage);
        assert_int_equal(c.n_obs, 1); /* the one detection report */
        cap_free(&c);
        ops()->destroy(st);
    }
}

/* Garbage with a plausible prefix (a length just under the limit, a content key) every six
 * bytes, each followed by what parses as fields for as long as it claims: checking each
 * candidate whole made this quadratic (minutes for a megabyte); it must stay linear. */
static void framing_crafted_garbage_is_linear(void **state)
{
    (void)state;
    size_t n = 1u << 20;
    uint8_t *b = malloc(n);
    static const uint8_t unit[] = {0xf0, 0xff, 0x07, 0x00, 0x6a, 0x00};
    for (size_t i = 0; i < n; i++)
        b[i] = unit[i % sizeof unit];
    size_t at = 0, frames = 0, calls = 0;
    while (at < n && calls < 100) {
        size_t skip = 0, flen = 0;
        dw_status st = ops()->frame(b + at, n - at, &skip, &flen);
        calls++;
        at += skip;
        if (st == DW_OK) {
            frames++;
            at += flen;
        } else if (skip == 0) {
            break;
        }
    }
    assert_int_equal(frames, 0);
    assert_true(at >= n / 2 - 64);   /* all but the candidates still waiting for their bytes */
    free(b);
}

static void truncated_and_garbage_counted(void **state)
{
    (void)state;
    uint8_t buf[4096];
    dw_sapient_msg *m = malloc(sizeof *m);
    fill_msg(m, DW_SAPIENT_DETECTION_REPORT, DW_SAPIENT_V2_0);
    size_t n = encode_msg(m, buf, sizeof buf);
    free(m);
    void *st = codec_new(NULL);
    cap c;
    dw_decode_sink k;
    sink_init(&k, &c);
    /* Every truncation: the prefix no longer matches, so each is malformed and nothing is
     * emitted. */
    for (size_t cut = 0; cut < n; cut++)
        assert_int_equal(decode(st, buf, cut, &k), DW_ERR_PARSE);
    assert_int_equal(k.stats.malformed, n);
    assert_int_equal(c.n_raw + c.n_obs, 0);
    /* A truncated message with a prefix that claims just its length. */
    uint8_t cut[4096];
    size_t half = n / 2;
    memcpy(cut, buf, half);
    cut[0] = (uint8_t)(half - 4);
    cut[1] = cut[2] = cut[3] = 0;
    k.stats.malformed = 0;
    assert_int_equal(decode(st, cut, half, &k), DW_ERR_PARSE);
    assert_int_equal(k.stats.malformed, 1);
    /* Garbage of every kind. */
    uint64_t x = 88172645463325252ULL;
    for (int t = 0; t < 2000; t++) {
        size_t len = 4 + (size_t)(t % 300);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            cut[i] = (uint8_t)x;
        }
        cut[0] = (uint8_t)(len - 4);
        cut[1] = (uint8_t)((len - 4) >> 8);
        cut[2] = cut[3] = 0;
        if (t % 2)
            cut[4] = 0x0a;
        dw_status r = decode(st, cut, len, &k);
        assert_true(r == DW_OK || r == DW_ERR_PARSE);
    }
    assert_int_equal(k.stats.frames + k.stats.malformed, 2000 + 1);
    /* frame() never claims a frame that does not parse, nor one that is not whole. */
    size_t skip, flen;
    assert_int_equal(ops()->frame(buf, n - 1, &skip, &flen), DW_ERR_EOF);
    assert_int_equal(skip, 0);
    assert_int_equal(ops()->frame(buf, n, &skip, &flen), DW_OK);
    assert_int_equal(flen, n);
    static const uint8_t text[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(ops()->frame(text, sizeof text - 1, &skip, &flen), DW_ERR_EOF);
    assert_int_equal(skip, sizeof text - 1 - 3);
    cap_free(&c);
    ops()->destroy(st);
}

static void detect_scores(void **state)
{
    (void)state;
    uint8_t buf[4096];
    dw_sapient_msg *m = malloc(sizeof *m);
    fill_msg(m, DW_SAPIENT_STATUS_REPORT, DW_SAPIENT_V1_0);
    size_t n = encode_msg(m, buf, sizeof buf);
    free(m);
    dw_frame_meta meta = {0};
    meta.linktype = DW_LINK_STREAM;
    assert_int_equal(ops()->detect(buf, n, &meta), 95);
    assert_int_equal(ops()->detect(buf, 12, &meta), 55);
    assert_ptr_equal(dw_codec_detect(buf, n, &meta), ops());
    static const uint8_t text[] = "MSG,3,1,1,48AE21,1,2025/09/09,21:10:00.000,,,\r\n";
    assert_int_equal(ops()->detect(text, sizeof text - 1, &meta), 0);
    static const uint8_t asterix[] = {48, 0, 12, 0xfd, 0xf7, 0x02, 0x19, 0xc9, 0x35, 0x6d, 0x4d, 0xa0};
    assert_int_equal(ops()->detect(asterix, sizeof asterix, &meta), 0);
}

/* Units the detection leaves out come from the node's registration and current mode. */
/* A network of thousands of nodes: the codec's table keeps the 256 heard most recently, each
 * found again by its id, a registered one with its version; older ones make room. */
static void many_nodes(void **state)
{
    (void)state;
    void *st = codec_new(NULL);
    dw_sapient_msg *m = malloc(sizeof *m);
    uint8_t buf[1 << 16];
    cap c;
    dw_decode_sink k;
    sink_init(&k, &c);
    k.want_raw = 0;
    /* One node registers as 1.0 and keeps talking. */
    const char *reg = "c0ffee00-0000-4000-8000-00000000beef";
    fill_msg(m, DW_SAPIENT_REGISTRATION, DW_SAPIENT_V1_0);
    strcpy(m->hdr.node_id, reg);
    m->hdr.t_us = T0;
    assert_int_equal(decode(st, buf, encode_msg(m, buf, sizeof buf), &k), DW_OK);
    for (int i = 0; i < 3000; i++) {
        dw_obs o;
        dw_obs_init(&o, DW_OBS_BEARING);
        o.t_us = T0 + (i + 1) * 1000LL;
        o.az_rad = 1.0;
        if (i % 10 == 0)
            strcpy(o.sensor, reg);
        else
            snprintf(o.sensor, sizeof o.sensor, "UA-AC-C-%04d", i);
        uint8_t *end;
        assert_int_equal(ops()->encode_obs(st, &o, buf, buf + sizeof buf, &end), DW_OK);
        assert_int_equal(decode(st, buf, (size_t)(end - buf), &k), DW_OK);
        assert_int_equal(c.n_obs, 1);
        assert_string_equal(c.obs[0].sensor, o.sensor);
        cap_free(&c);
    }
    dw_sapient_node nd;
    assert_int_equal(dw_sapient_node_get(st, reg, &nd), DW_OK);
    assert_true(nd.registered);
    assert_int_equal(nd.version, DW_SAPIENT_V1_0);
    assert_int_equal(nd.last_us, T0 + 2991 * 1000LL);
    int found = 0;
    for (int i = 0; i < 3000; i++) {
        if (i % 10 == 0)
            continue;
        char id[32];
        snprintf(id, sizeof id, "UA-AC-C-%04d", i);
        int ok = dw_sapient_node_get(st, id, &nd) == DW_OK;
        found += ok;
        if (i >= 3000 - 200)
            assert_true(ok && nd.last_us == T0 + (i + 1) * 1000LL);
        if (i < 2000)
            assert_false(ok);
    }
    assert_int_equal(found, 255);
    assert_int_equal(dw_sapient_node_get(st, "UA-AC-C-", &nd), DW_ERR_NOT_FOUND);
    free(m);
    ops()->destroy(st);
}

static void units_from_registration(void **state)
{
    (void)state;
    const char *node = "c0ffee00-0000-4000-8000-000000000001";
    void *st = codec_new(NULL);
    dw_sapient_msg *m = malloc(sizeof *m);
    uint8_t buf[1 << 16];
    cap c;
    dw_decode_sink k;
    sink_init(&k, &c);
    /* Registration (v1.0): mode "search" in radians/km, "track" in UTM zone 34N. */
    fill_msg(m, DW_SAPIENT_REGISTRATION, DW_SAPIENT_V1_0);
    strcpy(m->hdr.node_id, node);
    assert_int_equal(decode(st, buf, encode_msg(m, buf, sizeof buf), &k), DW_OK);
    dw_sapient_node nd;
    assert_int_equal(dw_sapient_node_get(st, node, &nd), DW_OK);
    assert_true(nd.registered);
    assert_int_equal(nd.version, DW_SAPIENT_V1_0);
    assert_int_equal(nd.n_modes, 2);
    /* A detection with no units: the first mode's radians and kilometres, km/h. */
    fill_msg(m, DW_SAPIENT_DETECTION_REPORT, DW_SAPIENT_V1_0);
    strcpy(m->hdr.node_id, node);
    dw_sapient_detection *d = &m->u.det;
    d->rb.coordinate_system = 0;
    d->rb.datum = 0;
    d->rb.azimuth = 1.5;
    d->rb.elevation = 0.02;
    d->rb.range = 4.5;
    d->rb.range_error = 0.05;
    d->vel_east = 36;
    assert_int_equal(decode(st, buf, encode_msg(m, buf, sizeof buf), &k), DW_OK);
    assert_int_equal(c.n_obs, 1);
    assert_int_equal(c.obs[0].kind, DW_OBS_POLAR);
    assert_near(c.obs[0].az_rad, 1.5, 0);
    assert_near(c.obs[0].el_rad, 0.02, 0);
    assert_near(c.obs[0].range_m, 4500, 1e-9);
    assert_near(c.obs[0].sigma_range_m, 50, 1e-9);
    assert_near(c.obs[0].vel_enu_mps[0], 10, 1e-12);
    /* The version the node registered with decides, though the bytes would read as 2.0. */
    json_t *j = load_json(c.raw[1]);
    assert_string_equal(jstr(j, "version"), "1.0");
    assert_string_equal(jstr(j, "version_from"), "node");
    json_decref(j);
    /* Its classes: Air Vehicle → UAV → Fixed Wing → One-Way Attack 0.6 and Rotary Wing 0.2,
     * Bird 0.05. */
    assert_true(c.obs[0].class_score[DW_CLASS_OWA_DRONE] == 0.6f);
    assert_true(c.obs[0].class_score[DW_CLASS_QUADCOPTER] == 0.2f);
    assert_true(c.obs[0].class_score[DW_CLASS_BIRD] == 0.05f);
    assert_true(c.obs[0].class_score[DW_CLASS_DECOY] == 0.0f);
    assert_true(c.obs[0].class_score[DW_CLASS_HELICOPTER] == 0.0f);
    assert_true(c.obs[0].has & DW_OBS_HAS_CALLSIGN);
    assert_string_equal(c.obs[0].callsign, "GER07");
    assert_near(c.obs[0].rcs_m2, 0.25, 0);
    /* Status: now in mode "track", at a site in lat/lon. */
    fill_msg(m, DW_SAPIENT_STATUS_REPORT, DW_SAPIENT_V1_0);
    strcpy(m->hdr.node_id, node);
    strcpy(m->u.status.mode, "track");
    assert_int_equal(decode(st, buf, encode_msg(m, buf, sizeof buf), &k), DW_OK);
    assert_int_equal(dw_sapient_node_get(st, node, &nd), DW_OK);
    assert_string_equal(nd.mode, "track");
    assert_true(nd.has_site && nd.has_site_alt);
    assert_near(nd.site_lat_deg, 51.5512, 0);
    assert_near(nd.site_lon_deg, 23.6123, 0);
    assert_near(nd.site_alt_m, 181.5, 0);
    /* A location with no system in mode "track": UTM 34N. */
    fill_msg(m, DW_SAPIENT_DETECTION_REPORT, DW_SAPIENT_V1_0);
    strcpy(m->hdr.node_id, node);
    d->where = DW_SAPIENT_AT_LOCATION;
    d->loc.has = DW_SAPIENT_HAS_XY | DW_SAPIENT_HAS_Z | DW_SAPIENT_HAS_X_ERROR | DW_SAPIENT_HAS_Y_ERROR;
    d->loc.x = 500000;
    d->loc.y = 5710000;
    d->loc.z = 850;
    d->loc.x_error = 12;
    d->loc.y_error = 8;
    assert_int_equal(decode(st, buf, encode_msg(m, buf, sizeof buf), &k), DW_OK);
    assert_int_equal(c.n_obs, 2);
    assert_int_equal(c.obs[1].kind, DW_OBS_POS3);
    assert_near(c.obs[1].lon_deg, 21.0, 1e-9);  /* the central meridian of zone 34 */
    assert_near(c.obs[1].lat_deg, 51.541099544, 1e-9); /* cct +inv +proj=utm +zone=34 */
    assert_near(c.obs[1].alt_m, 850, 0);
    assert_near(c.obs[1].sigma_pos_m, 12, 0);
    /* Magnetic north: no obs, counted as unknown. */
    uint64_t unknown = k.stats.unknown;
    fill_msg(m, DW_SAPIENT_DETECTION_REPORT, DW_SAPIENT_V1_0);
    strcpy(m->hdr.node_id, node);
    d->rb.datum = DW_SAPIENT_NORTH_MAGNETIC;
    assert_int_equal(decode(st, buf, encode_msg(m, buf, sizeof buf), &k), DW_OK);
    assert_int_equal(c.n_obs, 2);
    assert_int_equal(k.stats.unknown, unknown + 1);
    free(m);
    cap_free(&c);
    ops()->destroy(st);
}

static void version_by_fields(void **state)
{
    (void)state;
    /* Error: v1.0 has error_message = 2 (a string), v2.0 error_message = 3 (repeated). */
    static const char v1[] = "{\"node_id\":\"n1\",\"error\":{\"packet\":\"AA==\",\"error_message\":\"bad\"}}";
    static const char v2[] = "{\"node_id\":\"n1\",\"error\":{\"packet\":\"AA==\",\"error_message\":[\"bad\",\"worse\"]}}";
    static const char v2env[] = "{\"node_id\":\"n1\",\"additional_information\":\"x\",\"status_report\":{\"system\":\"SYSTEM_OK\"}}";
    uint8_t buf[1024], *end;
    char err[256];
    const struct {
        const char *json;
        dw_sapient_version v;
        const char *version, *from;
    } cases[] = {
        {v1, DW_SAPIENT_V1_0, "1.0", "fields"},
        {v2, DW_SAPIENT_V2_0, "2.0", "fields"},
        {v2env, DW_SAPIENT_V2_0, "2.0", "fields"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dw_status st_e = dw_sapient_encode_json(cases[i].json, strlen(cases[i].json), cases[i].v, buf,
                                                buf + sizeof buf, &end, err, sizeof err);
        if (st_e != DW_OK)
            fail_msg("%s: %s", cases[i].json, err);
        void *st = codec_new(NULL);
        cap c;
        dw_decode_sink k;
        sink_init(&k, &c);
        assert_int_equal(decode(st, buf, (size_t)(end - buf), &k), DW_OK);
        json_t *j = load_json(c.raw[0]);
        assert_string_equal(jstr(j, "version"), cases[i].version);
        assert_string_equal(jstr(j, "version_from"), cases[i].from);
        json_decref(j);
        cap_free(&c);
        ops()->destroy(st);
    }
    /* The JSON encoder refuses what the schema of its version does not have. */
    assert_int_equal(dw_sapient_encode_json(v2env, strlen(v2env), DW_SAPIENT_V1_0, buf, buf + sizeof buf,
                                            &end, err, sizeof err), DW_ERR_PARSE);
    assert_non_null(strstr(err, "additional_information"));
    /* A config that names no sapient version is left to other codecs; a bad one is refused. */
    dw_codec_config cfg = {0};
    void *st = NULL;
    cfg.edition = "cat048=1.32,sapient=3.1";
    assert_int_equal(ops()->create(&cfg, &st), DW_ERR_INVALID);
    assert_null(st);
    cfg.edition = "cat048=1.32";
    assert_int_equal(ops()->create(&cfg, &st), DW_OK);
    ops()->destroy(st);
    dw_sapient_version v;
    assert_int_equal(dw_sapient_version_parse("BSI Flex 335 v2.0", &v), DW_OK);
    assert_int_equal(v, DW_SAPIENT_V2_0);
    assert_int_equal(dw_sapient_version_parse("bsi_flex_335_v1_0", &v), DW_OK);
    assert_int_equal(v, DW_SAPIENT_V1_0);
    assert_int_equal(dw_sapient_version_parse("BSI_Flex_335_v2.0", &v), DW_OK);
    assert_int_equal(v, DW_SAPIENT_V2_0);
    assert_int_equal(dw_sapient_version_parse("v1.0", &v), DW_OK);
    assert_int_equal(v, DW_SAPIENT_V1_0);
    assert_int_equal(dw_sapient_version_parse("7", &v), DW_ERR_INVALID);
    assert_int_equal(dw_sapient_version_parse("2.0 beta", &v), DW_ERR_INVALID);
}

static void class_mapping(void **state)
{
    (void)state;
    const struct {
        const char *types[4];   /* a chain: each the sub-class of the one before */
        float conf;
        dw_class expect[4];
    } cases[] = {
        {{"UAV"}, 0.9f, {DW_CLASS_OWA_DRONE, DW_CLASS_DECOY, DW_CLASS_QUADCOPTER}},
        {{"UAV", "Rotary Wing"}, 0.8f, {DW_CLASS_QUADCOPTER}},
        {{"Manned Aircraft", "Rotary Wing"}, 0.8f, {DW_CLASS_HELICOPTER}},
        {{"Rotary Wing"}, 0.8f, {DW_CLASS_QUADCOPTER, DW_CLASS_HELICOPTER}},
        {{"Air Vehicle", "UAV", "fixed-wing"}, 0.6f, {DW_CLASS_OWA_DRONE, DW_CLASS_DECOY}},
        {{"UAV", "DJI Mavic 3"}, 0.7f, {DW_CLASS_OWA_DRONE, DW_CLASS_DECOY, DW_CLASS_QUADCOPTER}},
        {{"bird"}, 0.4f, {DW_CLASS_BIRD}},
        {{"Human"}, 0.8f, {DW_CLASS_UNKNOWN}},
        {{"Shahed-136"}, 0.95f, {DW_CLASS_OWA_DRONE}},
        {{"Gerbera"}, 0.5f, {DW_CLASS_DECOY}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dw_sapient_class cl[4];
        memset(cl, 0, sizeof cl);
        size_t n = 0;
        for (; n < 4 && cases[i].types[n]; n++) {
            strcpy(cl[n].type, cases[i].types[n]);
            cl[n].parent = (int)n - 1;
        }
        cl[n - 1].has_confidence = 1;
        cl[n - 1].confidence = cases[i].conf;
        float score[DW_NCLASSES];
        for (int c = 0; c < DW_NCLASSES; c++)
            score[c] = -1;
        if (dw_sapient_class_scores(cl, n, score) != 1)
            fail_msg("case %zu (%s...): no class", i, cases[i].types[0]);
        for (int c = 0; c < DW_NCLASSES; c++) {
            int want = 0;
            for (int e = 0; e < 4; e++)
                want |= cases[i].expect[e] == (dw_class)c && (e == 0 || cases[i].expect[e] != 0);
            if (score[c] != (want ? cases[i].conf : 0.0f))
                fail_msg("case %zu (%s...): %s = %g", i, cases[i].types[0], dw_class_name((dw_class)c),
                         (double)score[c]);
        }
    }
    /* A name nobody knows maps to nothing, and the scores are left alone. */
    dw_sapient_class odd = {"Sea Vessel", 1, 0.9f, -1};
    float score[DW_NCLASSES] = {0};
    score[0] = 0.5f;
    assert_int_equal(dw_sapient_class_scores(&odd, 1, score), 0);
    assert_true(score[0] == 0.5f);
    /* No confidence anywhere: 1. A parent index that does not come first: a top-level class. */
    dw_sapient_class loose[2] = {{"Bird", 0, 0, 1}, {"UAV", 0, 0, 0}};
    assert_int_equal(dw_sapient_class_scores(loose, 2, score), 1);
    assert_true(score[DW_CLASS_BIRD] == 0.0f && score[DW_CLASS_QUADCOPTER] == 1.0f);
}

/* The hand-written inverse UTM against PROJ, over the zone's width and both hemispheres. */
static void utm_matches_proj(void **state)
{
    (void)state;
    PJ_CONTEXT *ctx = proj_context_create();
    for (int south = 0; south <= 1; south++) {
        char def[128];
        snprintf(def, sizeof def, "+proj=pipeline +step +inv +proj=utm +zone=34 %s+ellps=WGS84",
                 south ? "+south " : "");
        PJ *p = proj_create(ctx, def);
        assert_non_null(p);
        for (double e = 170000; e <= 830000; e += 55000) {
            for (double nn = 100000; nn <= 9300000; nn += 400000) {
                PJ_COORD in = proj_coord(e, nn, 0, 0), out = proj_trans(p, PJ_FWD, in);
                double lat, lon;
                dw__sap_utm_to_geo(34, south, e, nn, &lat, &lon);
                /* 1e-9 degree is about 0.1 mm. */
                assert_near(lat, proj_todeg(out.lp.phi), 1e-9);
                assert_near(lon, proj_todeg(out.lp.lam), 1e-9);
            }
        }
        proj_destroy(p);
    }
    proj_context_destroy(ctx);
    int s;
    assert_int_equal(dw__sap_utm_zone("30N", &s), 30);
    assert_int_equal(s, 0);
    assert_int_equal(dw__sap_utm_zone("56 S", &s), 56);
    assert_int_equal(s, 1);
    assert_int_equal(dw__sap_utm_zone("34U", &s), 34);
    assert_int_equal(s, 0);
    assert_int_equal(dw__sap_utm_zone("19H", &s), 19);
    assert_int_equal(s, 1);
    assert_int_equal(dw__sap_utm_zone("61N", &s), -1);
    assert_int_equal(dw__sap_utm_zone("N", &s), -1);
    assert_int_equal(dw__sap_utm_zone("30NX", &s), -1);
}

static void ids_and_times(void **state)
{
    (void)state;
    char u[27];
    dw_sapient_ulid(1469918176385000LL, 0, u);
    assert_string_equal(u, "01ARYZ6S410000000000000000");  /* the ULID spec's example time */
    dw_sapient_ulid(T0, 0xFFFFFFFFFFFFFFFFULL, u);
    assert_int_equal(strlen(u), 26);
    /* 16 zero bits, then the 64 of entropy: the 4th digit holds one zero bit and three ones. */
    assert_string_equal(u + 10, "000FZZZZZZZZZZZZ");
    char id[DW_ID_MAX];
    dw_sapient_sensor_id("b5546692-a0cc-4846-a36c-4b7098eae08e", id);
    assert_string_equal(id, "b5546692-a0cc-4846-a36c-4b7098eae08e"); /* a UUID fits whole */
    dw_sapient_sensor_id("node-with-a-name-far-longer-than-any-id-may-be-0123456789", id);
    assert_string_equal(id, "node-with-a-name-far-longer-than-any-id-may-be-");
    dw_sapient_sensor_id("PL-RAD-01", id);
    assert_string_equal(id, "PL-RAD-01");
    /* A cut never splits a UTF-8 character. */
    dw_sapient_sensor_id("ąąąąąąąąąąąąąąąąąąąąąąąąąąąąąą", id);
    assert_int_equal(strlen(id), 46);
    int64_t s;
    int32_t ns;
    char iso[40];
    assert_true(dw__sap_parse_time("2023-08-14T10:22:02.340051Z", &s, &ns));
    assert_int_equal(s, 1692008522);
    assert_int_equal(ns, 340051000);
    dw__sap_format_time(s, ns, iso);
    assert_string_equal(iso, "2023-08-14T10:22:02.340051Z");
    assert_true(dw__sap_parse_time("2023-08-14T12:22:02+02:00", &s, &ns));
    assert_int_equal(s, 1692008522);
    dw__sap_format_time(-1, 5, iso);
    assert_string_equal(iso, "1969-12-31T23:59:59.000000005Z");
    assert_false(dw__sap_parse_time("2023-02-29T00:00:00Z", &s, &ns));
    assert_false(dw__sap_parse_time("2023-08-14 10:22Z", &s, &ns));
    assert_false(dw__sap_parse_time("10000-01-01T00:00:00Z", &s, &ns));
}

/* A hostile nesting depth is malformed, not a stack overflow. */
static void deep_nesting_refused(void **state)
{
    (void)state;
    /* detection_report (7) { classification (11) { sub_class (3) { sub_class (4) { ... } } } } */
    static uint8_t msg[1 << 16];
    size_t depth = 5000, n = 0;
    uint8_t inner[1 << 16];
    size_t in = 0;
    for (size_t i = 0; i < depth; i++) {
        /* Wrap the current inner bytes in field 4 (SubClass.sub_class); lengths < 128 only
         * near the core, so rebuild with varints. */
        uint8_t tmp[1 << 16];
        size_t t = 0, len = in;
        tmp[t++] = (4 << 3) | 2;
        do {
            tmp[t++] = (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
            len >>= 7;
        } while (len);
        if (t + in > sizeof tmp - 16)
            break;
        memcpy(tmp + t, inner, in);
        in += t;
        memcpy(inner, tmp, in);
    }
    /* classification { type: "x", sub_class... } is field 3 at the first level: close enough:
     * the scan stops at the depth limit whatever the field names. */
    uint8_t cls[1 << 16];
    size_t c = 0, len = in;
    cls[c++] = (3 << 3) | 2;
    do {
        cls[c++] = (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
        len >>= 7;
    } while (len);
    memcpy(cls + c, inner, in);
    c += in;
    uint8_t det[1 << 16];
    size_t dl = 0;
    det[dl++] = (11 << 3) | 2;
    len = c;
    do {
        det[dl++] = (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
        len >>= 7;
    } while (len);
    memcpy(det + dl, cls, c);
    dl += c;
    n = 4;
    msg[n++] = (7 << 3) | 2;
    len = dl;
    do {
        msg[n++] = (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
        len >>= 7;
    } while (len);
    memcpy(msg + n, det, dl);
    n += dl;
    msg[0] = (uint8_t)(n - 4);
    msg[1] = (uint8_t)((n - 4) >> 8);
    msg[2] = (uint8_t)((n - 4) >> 16);
    msg[3] = 0;
    void *st = codec_new(NULL);
    cap cp;
    dw_decode_sink k;
    sink_init(&k, &cp);
    assert_int_equal(decode(st, msg, n, &k), DW_ERR_PARSE);
    assert_int_equal(k.stats.malformed, 1);
    size_t skip, flen;
    assert_int_equal(ops()->frame(msg, n, &skip, &flen), DW_ERR_EOF);
    cap_free(&cp);
    ops()->destroy(st);
}

/* Strings must be UTF-8 without NUL (proto3's rule; the raw JSON could not carry them). */
static void strings_must_be_utf8(void **state)
{
    (void)state;
    static const char json[] = "{\"node_id\":\"n1\",\"alert\":{\"alert_id\":\"AAAA\"}}";
    uint8_t buf[256], *end;
    char err[128];
    assert_int_equal(dw_sapient_encode_json(json, strlen(json), 0, buf, buf + sizeof buf, &end, err, sizeof err), DW_OK);
    size_t n = (size_t)(end - buf);
    uint8_t *a = NULL;
    for (size_t i = 0; i + 4 <= n && !a; i++)
        if (!memcmp(buf + i, "AAAA", 4))
            a = buf + i;
    assert_non_null(a);
    void *st = codec_new(NULL);
    cap c;
    dw_decode_sink k;
    sink_init(&k, &c);
    static const uint8_t bad[][4] = {{0xff, 'A', 'A', 'A'}, {'A', 0, 'A', 'A'}, {0xed, 0xa0, 0x80, 'A'},
                                     {0xc0, 0x80, 'A', 'A'}, {'A', 'A', 'A', 0xe2}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(a, bad[i], 4);
        assert_int_equal(decode(st, buf, n, &k), DW_ERR_PARSE);
    }
    memcpy(a, "\xc5\x81\x41\x41", 4); /* "ŁAA" */
    assert_int_equal(decode(st, buf, n, &k), DW_OK);
    assert_int_equal(k.stats.malformed, sizeof bad / sizeof bad[0]);
    assert_non_null(strstr(c.raw[0], "\"alert_id\":\"ŁAA\""));
    cap_free(&c);
    ops()->destroy(st);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(samples_detection_v1),
    cmocka_unit_test(samples_status_v1),
    cmocka_unit_test(samples_registration_v1),
    cmocka_unit_test(samples_alert_and_task_v1),
    cmocka_unit_test(samples_raw_json_round_trip),
    cmocka_unit_test(round_trip_typed_v1),
    cmocka_unit_test(round_trip_typed_v2),
    cmocka_unit_test(round_trip_obs),
    cmocka_unit_test(obs_covariance_to_errors),
    cmocka_unit_test(obs_simulator_kinds),
    cmocka_unit_test(framing_split_buffers),
    cmocka_unit_test(framing_crafted_garbage_is_linear),
    cmocka_unit_test(truncated_and_garbage_counted),
    cmocka_unit_test(detect_scores),
    cmocka_unit_test(units_from_registration),
    cmocka_unit_test(many_nodes),
    cmocka_unit_test(version_by_fields),
    cmocka_unit_test(class_mapping),
    cmocka_unit_test(utm_matches_proj),
    cmocka_unit_test(ids_and_times),
    cmocka_unit_test(deep_nesting_refused),
    cmocka_unit_test(strings_must_be_utf8),
};

DW_TEST_MAIN("sapient", tests)

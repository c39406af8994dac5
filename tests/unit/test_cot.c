/* test_cot.c — Cursor-on-Target and TAK protocol v1 (codec_cot.c, cot*.c).
 *
 * The official ATAK example events (../shared/data/cot/atak-examples) must
 * decode without a complaint and survive decode → encode → decode on both
 * wires (their golden records are regression cases: tests/regression/cases/
 * cot_atak_examples*.args, run by tests/regression/regress). Our own
 * track events must validate against the MITRE and TAK schemas and come
 * back as the observation they describe. The rest is framing and hostile
 * input: a stream that mixes wires, cut documents, entities, DOCTYPEs.
 */
#include "harness.h"

#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/cot_int.h"
#include "dronewall/codec.h"
#include "dronewall/cot.h"
#include "dronewall/log.h"

#define BIG (1u << 20)

/* ---- helpers ------------------------------------------------------------ */

#define MAX_REC 64

typedef struct got {
    char *raw[MAX_REC];
    int n_raw;
    dw_obs obs[MAX_REC];
    int n_obs;
    dw_decode_stats stats;
} got;

static void on_raw(void *ctx, const char *json, size_t len)
{
    got *g = ctx;
    assert_true(g->n_raw < MAX_REC);
    g->raw[g->n_raw] = malloc(len + 1);
    memcpy(g->raw[g->n_raw], json, len);
    g->raw[g->n_raw][len] = '\0';
    g->n_raw++;
}

static void on_obs(void *ctx, const dw_obs *o)
{
    got *g = ctx;
    assert_true(g->n_obs < MAX_REC);
    g->obs[g->n_obs++] = *o;
}

static void got_free(got *g)
{
    for (int i = 0; i < g->n_raw; i++)
        free(g->raw[i]);
    memset(g, 0, sizeof *g);
}

/* Frame and decode a whole buffer, as a reader of a file or stream would;
 * `chunk` > 0 feeds it that many bytes at a time, like a TCP socket. */
static void run_chunked(const void *buf, size_t len, size_t chunk, got *g)
{
    memset(g, 0, sizeof *g);
    void *st = NULL;
    assert_int_equal(dw_codec_cot.create(NULL, &st), DW_OK);
    dw_decode_sink sink = {on_raw, on_obs, g, 1, 1, {0}};
    dw_frame_meta meta = {0, DW_LINK_STREAM, 0, 0, "test"};
    const uint8_t *b = buf;
    size_t off = 0, avail = chunk ? (chunk < len ? chunk : len) : len;
    for (;;) {
        size_t skip = 0, fl = 0;
        dw_status s = dw_codec_cot.frame(b + off, avail - off, &skip, &fl);
        assert_true(skip <= avail - off);
        off += skip;
        sink.stats.skipped_bytes += skip;
        if (s == DW_ERR_EOF) {
            if (avail == len)
                break;
            avail = avail + chunk < len ? avail + chunk : len;
            continue;
        }
        assert_int_equal(s, DW_OK);
        assert_true(fl > 0 && fl <= avail - off);
        dw_codec_cot.decode(st, b + off, fl, &meta, &sink);
        off += fl;
    }
    g->stats = sink.stats;
    dw_codec_cot.destroy(st);
}

static void run(const void *buf, size_t len, got *g) { run_chunked(buf, len, 0, g); }

static void run_str(const char *s, got *g) { run(s, strlen(s), g); }


static int example_names(char names[][128], int max)
{
    DIR *d = opendir(dw_test_shared("data/cot/atak-examples"));
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max)
        if (strstr(e->d_name, ".cot") && strlen(e->d_name) < 128)
            memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
    closedir(d);
    /* A stable order, whatever readdir gives. */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[128];
            memcpy(t, names[j], 128);
            memcpy(names[j], names[j - 1], 128);
            memcpy(names[j - 1], t, 128);
        }
    return n;
}

static char *example(const char *name, size_t *len)
{
    char rel[256];
    if (snprintf(rel, sizeof rel, "data/cot/atak-examples/%s", name) >= (int)sizeof rel)
        fail_msg("example name too long: %s", name);
    char *b = dw_test_read_file(dw_test_shared(rel), len);
    assert_non_null(b);
    return b;
}

/* Decode one frame's worth of bytes to exactly one record. */
static char *decode_one(const void *buf, size_t len)
{
    got g;
    run(buf, len, &g);
    if (g.n_raw != 1 || g.stats.malformed || g.stats.unknown) {
        fprintf(stderr, "decode_one: %d records, %llu malformed, %llu unknown\n", g.n_raw,
                (unsigned long long)g.stats.malformed, (unsigned long long)g.stats.unknown);
        fail();
    }
    char *r = g.raw[0];
    g.raw[0] = NULL;
    g.n_raw = 0;
    got_free(&g);
    return r;
}

/* decode(enc(rec, wire)) must be rec; returns the re-encoded bytes' length. */
static size_t same_after(const char *rec, dw_cot_wire wire, uint8_t *out, size_t cap)
{
    uint8_t *e = NULL;
    dw_status st = dw_cot_encode_raw(rec, strlen(rec), wire, out, out + cap, &e);
    if (st != DW_OK) {
        fprintf(stderr, "encode_raw: %s\n%s\n", dw_status_name(st), rec);
        fail();
    }
    char *back = decode_one(out, (size_t)(e - out));
    if (strcmp(back, rec)) {
        fprintf(stderr, "round trip differs:\n  %s\n  %s\n", rec, back);
        fail();
    }
    free(back);
    return (size_t)(e - out);
}

static dw_track hostile_uav(void)
{
    dw_track t;
    dw_track_init(&t);
    t.id = 17;
    t.t_us = 1757451001000000LL;
    t.status = DW_TRACK_CONFIRMED;
    t.lat_deg = 51.55;
    t.lon_deg = 23.61;
    t.alt_m = 850.0;
    t.vel_enu_mps[0] = -41.0;
    t.vel_enu_mps[1] = 3.2;
    t.vel_enu_mps[2] = 0.5;
    t.cov_pos_enu[0][0] = 900.0;
    t.cov_pos_enu[1][1] = 400.0;
    t.cov_pos_enu[2][2] = 225.0;
    t.cls = DW_CLASS_OWA_DRONE;
    t.class_prob[DW_CLASS_OWA_DRONE] = 0.82f;
    t.affiliation = DW_AFF_HOSTILE;
    t.quality = 0.9;
    t.hits = 12;
    return t;
}

static int has_bytes(const uint8_t *buf, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(buf + i, s, n))
            return 1;
    return 0;
}

static const char *find_json(const char *rec, const char *needle)
{
    const char *p = strstr(rec, needle);
    if (!p) {
        fprintf(stderr, "'%s' not in %s\n", needle, rec);
        fail();
    }
    return p;
}

/* ---- the ATAK examples -------------------------------------------------- */

static void atak_examples_decode(void **state)
{
    (void)state;
    char names[32][128];
    int n = example_names(names, 32);
    assert_int_equal(n, 12);
    for (int i = 0; i < n; i++) {
        size_t len;
        char *b = example(names[i], &len);
        got g;
        run(b, len, &g);
        if (g.n_raw != 1 || g.stats.malformed || g.stats.unknown || g.stats.skipped_bytes) {
            fprintf(stderr, "%s: %d records, %llu malformed, %llu unknown\n", names[i], g.n_raw,
                    (unsigned long long)g.stats.malformed, (unsigned long long)g.stats.unknown);
            fail();
        }
        assert_int_equal(g.stats.frames, 1);
        /* Only the two a-u-G markers are atoms; they have no height. */
        int atom = strstr(g.raw[0], "\"cot_type\":\"a-") != NULL;
        assert_int_equal(g.n_obs, atom);
        if (atom) {
            assert_int_equal(g.obs[0].kind, DW_OBS_POS2);
            assert_string_equal(g.obs[0].sensor, "COT");
            assert_false(g.obs[0].has & DW_OBS_HAS_ALT);
            assert_int_equal(g.obs[0].sigma_pos_m, 0.0); /* ce 9999999: unknown */
        }
        got_free(&g);
        free(b);
    }
}

static void atak_example_fields(void **state)
{
    (void)state;
    size_t len;
    char *b = example("Marker_-_Icon_Set.cot", &len);
    got g;
    run(b, len, &g);
    assert_int_equal(g.n_raw, 1);
    const char *r = g.raw[0];
    find_json(r, "{\"codec\":\"cot\",\"wire\":\"xml\",\"version\":\"2.0\",\"uid\":\"4a0f4f84-240c-4ff9-b7b0-d08beec900b3\","
                 "\"cot_type\":\"a-u-G\",\"how\":\"h-g-i-g-o\",\"time_us\":1608148774911000,"
                 "\"start_us\":1608148774911000,\"stale_us\":1609620003839000");
    find_json(r, "\"point\":{\"lat_deg\":38.85513174538468,\"lon_deg\":-77.05143976872927,"
                 "\"hae_m\":9999999,\"ce_m\":9999999,\"le_m\":9999999}");
    find_json(r, "\"contact\":{\"callsign\":\"hiker 1\"}");
    find_json(r, "\"status\":{\"readiness\":\"true\"}");
    find_json(r, "\"precisionlocation\":{\"altsrc\":\"???\"}");
    find_json(r, "\"remarks\":{}");
    /* The second <archive/> and the link stay, in order, in the generic list. */
    find_json(r, "\"detail\":[{\"name\":\"archive\"},{\"name\":\"link\",\"attrs\":{\"uid\":"
                 "\"ANDROID-589520ccfcd20f01\",\"production_time\":\"2020-12-16T19:51:34.459Z\","
                 "\"type\":\"a-f-G-U-C\",\"parent_callsign\":\"HOPE\",\"relation\":\"p-p\"}},"
                 "{\"name\":\"archive\"},{\"name\":\"color\",\"attrs\":{\"argb\":\"-1\"}},"
                 "{\"name\":\"usericon\"");
    assert_int_equal(g.n_obs, 1);
    assert_string_equal(g.obs[0].callsign, "hiker 1");
    assert_true(g.obs[0].has & DW_OBS_HAS_CALLSIGN);
    assert_near(g.obs[0].lat_deg, 38.85513174538468, 0);
    assert_int_equal(g.obs[0].t_us, 1608148774911000LL);
    got_free(&g);
    free(b);

    /* Escaped XML inside an attribute, nested KML style, "&amp;" in names. */
    b = example("Drawing_Shapes_-_Telestration.cot", &len);
    run(b, len, &g);
    assert_int_equal(g.n_raw, 1);
    find_json(g.raw[0], "\"attrs\":{\"line\":\"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"
                        "<event version='2.0' uid='741ad148");
    got_free(&g);
    free(b);
    b = example("Range_and_Bearing_-_Circle.cot", &len);
    run(b, len, &g);
    find_json(g.raw[0], "\"contact\":{\"callsign\":\"R&B Circle 1\"}");
    find_json(g.raw[0], "{\"name\":\"LineStyle\",\"children\":[{\"name\":\"color\",\"text\":"
                        "\"ffff0000\"},{\"name\":\"width\",\"text\":\"3.0\"}]}");
    got_free(&g);
    free(b);
}

static void atak_examples_round_trip(void **state)
{
    (void)state;
    char names[32][128];
    int n = example_names(names, 32);
    uint8_t *out = malloc(BIG);
    for (int i = 0; i < n; i++) {
        size_t len;
        char *b = example(names[i], &len);
        char *rec = decode_one(b, len);
        same_after(rec, DW_COT_WIRE_XML, out, BIG);

        /* TAK protocol v1: the first trip maps to protobuf (times in ms,
         * version implied, attributes with no field dropped); from there the
         * record must be stable, on both TAK wires. */
        for (int k = 0; k < 2; k++) {
            dw_cot_wire wire = k ? DW_COT_WIRE_TAKP_STREAM : DW_COT_WIRE_TAKP_MESH;
            uint8_t *e;
            assert_int_equal(dw_cot_encode_raw(rec, strlen(rec), wire, out, out + BIG, &e), DW_OK);
            assert_int_equal(out[0], 0xbf);
            char *tak = decode_one(out, (size_t)(e - out));
            same_after(tak, DW_COT_WIRE_AUTO, out, BIG);
            /* ...and what TAK carries of it is what the XML said. */
            const char *keys[] = {"\"uid\":", "\"cot_type\":", "\"time_us\":", "\"point\":",
                                  "\"contact\":"};
            for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++) {
                const char *a = strstr(rec, keys[j]), *c = strstr(tak, keys[j]);
                assert_non_null(a);
                assert_non_null(c);
                size_t l = strcspn(a, "}") < strcspn(a, ",") ? strcspn(a, "}") : strcspn(a, ",");
                if (!strcmp(keys[j], "\"point\":"))
                    l = strcspn(a, "}");
                assert_memory_equal(a, c, l);
            }
            free(tak);
        }
        free(rec);
        free(b);
    }
    free(out);
}

/* ---- tracks out --------------------------------------------------------- */

static void track_type_table(void **state)
{
    (void)state;
    char t[16];
    assert_int_equal(dw_cot_track_type(DW_AFF_HOSTILE, DW_CLASS_OWA_DRONE, t, sizeof t), DW_OK);
    assert_string_equal(t, "a-h-A-M-F-Q");
    dw_cot_track_type(DW_AFF_SUSPECT, DW_CLASS_QUADCOPTER, t, sizeof t);
    assert_string_equal(t, "a-s-A-M-H-Q");
    dw_cot_track_type(DW_AFF_NEUTRAL, DW_CLASS_AIRLINER, t, sizeof t);
    assert_string_equal(t, "a-n-A-C-F");
    dw_cot_track_type(DW_AFF_NEUTRAL, DW_CLASS_HELICOPTER, t, sizeof t);
    assert_string_equal(t, "a-n-A-C-H");
    dw_cot_track_type(DW_AFF_FRIEND, DW_CLASS_HELICOPTER, t, sizeof t);
    assert_string_equal(t, "a-f-A-M-H");
    dw_cot_track_type(DW_AFF_ASSUMED_FRIEND, DW_CLASS_FIGHTER, t, sizeof t);
    assert_string_equal(t, "a-a-A-M-F-F");
    dw_cot_track_type(DW_AFF_PENDING, DW_CLASS_UNKNOWN, t, sizeof t);
    assert_string_equal(t, "a-p-A");
    dw_cot_track_type(DW_AFF_UNKNOWN, DW_CLASS_DECOY, t, sizeof t);
    assert_string_equal(t, "a-u-A-W-D");
    dw_cot_track_type(DW_AFF_NEUTRAL, DW_CLASS_BIRD, t, sizeof t);
    assert_string_equal(t, "a-n-A");
    dw_cot_track_type(DW_AFF_NEUTRAL, DW_CLASS_LIGHT_AIRCRAFT, t, sizeof t);
    assert_string_equal(t, "a-n-A-C-F");
    for (int a = 0; a < DW_NAFFILIATIONS; a++)
        for (int c = 0; c < DW_NCLASSES; c++)
            assert_int_equal(dw_cot_track_type((dw_affiliation)a, (dw_class)c, t, sizeof t), DW_OK);
    assert_int_equal(dw_cot_track_type(DW_NAFFILIATIONS, DW_CLASS_BIRD, t, sizeof t), DW_ERR_INVALID);
    assert_int_equal(dw_cot_track_type(DW_AFF_HOSTILE, DW_CLASS_OWA_DRONE, t, 8), DW_ERR_FULL);
}

static void track_encode_hostile_uav(void **state)
{
    (void)state;
    dw_track t = hostile_uav();
    uint8_t buf[4096], *e;
    int64_t now = 1757451001250000LL;
    assert_int_equal(dw_cot_encode_track(&t, now, NULL, buf, buf + sizeof buf, &e), DW_OK);
    *e = '\0';
    const char *x = (const char *)buf;
    assert_non_null(strstr(x, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<event "));
    assert_non_null(strstr(x, " uid=\"dronewall-17\" type=\"a-h-A-M-F-Q\" "
                              "time=\"2025-09-09T20:50:01.250Z\" start=\"2025-09-09T20:50:01.250Z\" "
                              "stale=\"2025-09-09T20:50:21.250Z\" how=\"m-f\">"));
    assert_non_null(strstr(x, "<point lat=\"51.55\" lon=\"23.61\" hae=\"850\" ce=\"30\" le=\"15\"/>"));
    assert_non_null(strstr(x, "<contact callsign=\"DW-17\"/>"));
    assert_non_null(strstr(x, "dronewall track 17: confirmed, owa_drone 82%, hostile"));
    assert_true(e[-1] == '>' && !strstr(x, "</event>\n")); /* nothing after </event> */

    /* Back as an observation: the track's position, errors and velocity. */
    got g;
    run(buf, (size_t)(e - buf), &g);
    assert_int_equal(g.n_obs, 1);
    dw_obs *o = &g.obs[0];
    assert_int_equal(o->kind, DW_OBS_POS3);
    assert_int_equal(o->t_us, now);
    assert_near(o->lat_deg, 51.55, 0);
    assert_near(o->alt_m, 850.0, 0);
    assert_near(o->sigma_pos_m, 30.0, 1e-12);
    assert_near(o->sigma_alt_m, 15.0, 1e-12);
    assert_true(o->has & DW_OBS_HAS_VEL);
    for (int i = 0; i < 3; i++) /* 1e-6 degree, 0.1 mm/s */
        assert_near(o->vel_enu_mps[i], t.vel_enu_mps[i], 1e-4);
    assert_string_equal(o->callsign, "DW-17");
    got_free(&g);

    /* Coasting is a prediction; a dead track is stale at once. */
    t.status = DW_TRACK_COASTING;
    dw_cot_encode_track(&t, now, NULL, buf, buf + sizeof buf, &e);
    *e = '\0';
    assert_non_null(strstr((char *)buf, "how=\"m-p\""));
    t.status = DW_TRACK_DEAD;
    dw_cot_track_opts opts = {DW_COT_WIRE_XML, 5000000, "pl-east-"};
    dw_cot_encode_track(&t, now, &opts, buf, buf + sizeof buf, &e);
    *e = '\0';
    assert_non_null(strstr((char *)buf, "uid=\"pl-east-17\""));
    assert_non_null(strstr((char *)buf, "stale=\"2025-09-09T20:50:01.250Z\""));
    /* No covariance: ce/le unknown. A callsign with XML's special characters. */
    memset(t.cov_pos_enu, 0, sizeof t.cov_pos_enu);
    snprintf(t.callsign, sizeof t.callsign, "<&'\">");
    dw_cot_encode_track(&t, now, NULL, buf, buf + sizeof buf, &e);
    *e = '\0';
    assert_non_null(strstr((char *)buf, "ce=\"9999999\" le=\"9999999\""));
    assert_non_null(strstr((char *)buf, "callsign=\"&lt;&amp;&apos;&quot;&gt;\""));
    run(buf, (size_t)(e - buf), &g);
    assert_int_equal(g.n_obs, 1);
    assert_string_equal(g.obs[0].callsign, "<&'\">");
    assert_int_equal(g.obs[0].sigma_pos_m, 0.0);
    got_free(&g);
    /* Too small a buffer, and a time CoT cannot write. */
    assert_int_equal(dw_cot_encode_track(&t, now, NULL, buf, buf + 100, &e), DW_ERR_FULL);
    assert_int_equal(dw_cot_encode_track(&t, 300000000000000000LL, NULL, buf, buf + sizeof buf, &e),
                     DW_ERR_RANGE);
    t.lat_deg = NAN;
    assert_int_equal(dw_cot_encode_track(&t, now, NULL, buf, buf + sizeof buf, &e), DW_ERR_RANGE);
}

static void track_round_trip(void **state)
{
    (void)state;
    uint8_t buf[8192], out[8192], *e;
    for (int w = 0; w < 3; w++) {
        for (int a = 0; a < DW_NAFFILIATIONS; a++) {
            for (int c = 0; c < DW_NCLASSES; c++) {
                dw_track t = hostile_uav();
                t.affiliation = (dw_affiliation)a;
                t.cls = (dw_class)c;
                t.id = (uint64_t)(a * 100 + c);
                if (c % 3 == 0)
                    memset(t.vel_enu_mps, 0, sizeof t.vel_enu_mps);
                if (c % 2)
                    snprintf(t.callsign, sizeof t.callsign, "LOT%dAB", c);
                dw_cot_track_opts o = {(dw_cot_wire)(DW_COT_WIRE_XML + w), 0, NULL};
                assert_int_equal(dw_cot_encode_track(&t, 1757451001000000LL + c * 1000, &o, buf,
                                                     buf + sizeof buf, &e),
                                 DW_OK);
                got g;
                run(buf, (size_t)(e - buf), &g);
                assert_int_equal(g.n_raw, 1);
                assert_int_equal(g.n_obs, 1);
                assert_near(g.obs[0].vel_enu_mps[0], t.vel_enu_mps[0], 1e-4);
                assert_near(g.obs[0].vel_enu_mps[1], t.vel_enu_mps[1], 1e-4);
                assert_near(g.obs[0].vel_enu_mps[2], t.vel_enu_mps[2], 1e-4);
                same_after(g.raw[0], DW_COT_WIRE_AUTO, out, sizeof out);
                got_free(&g);
            }
        }
    }
}

/* ---- observations out (a neighbour's warning) ---------------------------- */

static dw_obs warning(void)
{
    dw_obs o;
    dw_obs_init(&o, DW_OBS_POS3);
    snprintf(o.sensor, sizeof o.sensor, "LT-ARC-01");
    o.t_us = 1757451001234567LL;
    o.has |= DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_VEL;
    o.lat_deg = 54.123456789012;
    o.lon_deg = 23.987654321098;
    o.alt_m = 912.3456;
    o.sigma_pos_m = 2000;
    o.sigma_alt_m = 450.25;
    o.vel_enu_mps[0] = -41.3;
    o.vel_enu_mps[1] = 3.25;
    o.vel_enu_mps[2] = 0.5;
    return o;
}

/* Decode one encoded observation event; the one observation, its record. */
static dw_obs decode_obs(const uint8_t *buf, size_t len, char **raw)
{
    got g;
    run(buf, len, &g);
    assert_int_equal(g.n_raw, 1);
    assert_int_equal(g.n_obs, 1);
    assert_int_equal(g.stats.malformed + g.stats.unknown, 0);
    dw_obs d = g.obs[0];
    if (raw) {
        *raw = g.raw[0];
        g.raw[0] = NULL;
        g.n_raw = 0;
    }
    got_free(&g);
    return d;
}

static void expect_obs_near(const dw_obs *d, const dw_obs *o, double ce, double le)
{
    assert_string_equal(d->sensor, "COT");
    assert_int_equal(d->kind, o->kind);
    assert_int_equal(d->t_us, o->t_us);
    assert_near(d->lat_deg, o->lat_deg, 0.5e-9 + 1e-13);
    assert_near(d->lon_deg, o->lon_deg, 0.5e-9 + 1e-13);
    uint32_t want = DW_OBS_HAS_POS | (o->has & (DW_OBS_HAS_ALT | DW_OBS_HAS_VEL | DW_OBS_HAS_CALLSIGN));
    assert_int_equal(d->has, want);
    if (o->kind == DW_OBS_POS3)
        assert_near(d->alt_m, o->alt_m, 0.5e-3 + 1e-9);
    assert_near(d->sigma_pos_m, ce, 0.5e-3 + 1e-9);
    assert_near(d->sigma_alt_m, le, 0.5e-3 + 1e-9);
    if (o->has & DW_OBS_HAS_VEL)
        for (int i = 0; i < 3; i++)
            assert_near(d->vel_enu_mps[i], o->vel_enu_mps[i], 1e-4);
    if (o->has & DW_OBS_HAS_CALLSIGN)
        assert_string_equal(d->callsign, o->callsign);
}

/* encode_obs → decode gives the observation to CoT's resolutions; and
 * decode → encode → decode gives exactly the same observation again. */
static void obs_encode_round_trip(void **state)
{
    (void)state;
    void *st = NULL;
    assert_int_equal(dw_codec_cot.create(NULL, &st), DW_OK);
    uint8_t buf[4096], buf2[4096], *e, *e2;
    dw_obs cases[6];
    double ce[6], le[6];
    cases[0] = warning();
    ce[0] = 2000;
    le[0] = 450.25;
    /* a full covariance: ce from its larger horizontal axis, le vertical */
    cases[1] = warning();
    cases[1].has |= DW_OBS_HAS_COV;
    cases[1].cov_enu[0][0] = 300 * 300;
    cases[1].cov_enu[1][1] = 1200 * 1200;
    cases[1].cov_enu[0][1] = cases[1].cov_enu[1][0] = 0;
    cases[1].cov_enu[2][2] = 80 * 80;
    ce[1] = 1200;
    le[1] = 80;
    /* a citizen-style POS2 with a callsign, no velocity */
    dw_obs_init(&cases[2], DW_OBS_POS2);
    snprintf(cases[2].sensor, sizeof cases[2].sensor, "PL-CITIZEN");
    cases[2].t_us = 1757451060000000LL;
    cases[2].has |= DW_OBS_HAS_POS | DW_OBS_HAS_CALLSIGN;
    cases[2].lat_deg = -33.9;
    cases[2].lon_deg = -179.999999999;
    cases[2].sigma_pos_m = 500;
    snprintf(cases[2].callsign, sizeof cases[2].callsign, "WATCH7");
    ce[2] = 500;
    le[2] = 0;
    /* classified by the sensor, hovering, no errors known */
    cases[3] = warning();
    cases[3].has |= DW_OBS_HAS_CLASS;
    cases[3].class_score[DW_CLASS_OWA_DRONE] = 0.7f;
    cases[3].class_score[DW_CLASS_DECOY] = 0.2f;
    memset(cases[3].vel_enu_mps, 0, sizeof cases[3].vel_enu_mps);
    cases[3].sigma_pos_m = cases[3].sigma_alt_m = 0;
    ce[3] = le[3] = 0;
    /* a turned covariance, climbing */
    cases[4] = warning();
    cases[4].has |= DW_OBS_HAS_COV;
    cases[4].cov_enu[0][0] = 50000;
    cases[4].cov_enu[1][1] = 50000;
    cases[4].cov_enu[0][1] = cases[4].cov_enu[1][0] = 40000;   /* axes 300 m and 100 m */
    cases[4].cov_enu[2][2] = 0;
    cases[4].vel_enu_mps[2] = 12;
    ce[4] = 300;
    le[4] = 0;
    /* a POS2 with a height it does not claim: written without one */
    dw_obs_init(&cases[5], DW_OBS_POS2);
    snprintf(cases[5].sensor, sizeof cases[5].sensor, "x<&>\"y");
    cases[5].t_us = 1757451060000000LL;
    cases[5].has |= DW_OBS_HAS_POS;
    cases[5].lat_deg = 52.0;
    cases[5].lon_deg = 21.0;
    cases[5].alt_m = 150;
    cases[5].sigma_alt_m = 3;
    ce[5] = le[5] = 0;
    static const char *const types[6] = {"a-u-A", "a-u-A", "a-u-A", "a-u-A-M-F-Q", "a-u-A", "a-u-A"};
    for (int i = 0; i < 6; i++) {
        const dw_obs *o = &cases[i];
        assert_int_equal(dw_codec_cot.encode_obs(st, o, buf, buf + sizeof buf, &e), DW_OK);
        char *raw;
        dw_obs d = decode_obs(buf, (size_t)(e - buf), &raw);
        expect_obs_near(&d, o, ce[i], le[i]);
        /* uid from the sensor and the codec's counter; stale two minutes on */
        char uid[128], ty[64], stale[64];
        snprintf(uid, sizeof uid, "\"uid\":\"%s-%d\"", o->sensor, i);
        if (i != 5)
            assert_non_null(strstr(raw, uid));
        snprintf(ty, sizeof ty, "\"cot_type\":\"%s\"", types[i]);
        assert_non_null(strstr(raw, ty));
        snprintf(stale, sizeof stale, "\"stale_us\":%lld", (long long)(o->t_us + DW_COT_OBS_STALE_DEFAULT_US));
        assert_non_null(strstr(raw, stale));
        assert_non_null(strstr(raw, "\"how\":\"m-f\""));
        assert_non_null(strstr(raw, "\"relation\":\"p-p\""));
        free(raw);
        /* once decoded, what it says is on the grid: the same again */
        assert_int_equal(dw_cot_encode_obs(&d, 7, 0, buf2, buf2 + sizeof buf2, &e2), DW_OK);
        dw_obs d2 = decode_obs(buf2, (size_t)(e2 - buf2), NULL);
        assert_memory_equal(&d, &d2, sizeof d);
        /* one byte short: DW_ERR_FULL, out_end untouched */
        uint8_t *keep = buf;
        assert_int_equal(dw_cot_encode_obs(o, 0, 0, buf, buf + (e - buf) - 1, &keep), DW_ERR_FULL);
        assert_ptr_equal(keep, buf);
    }
    /* Events in a stream: one frame each. */
    size_t n = 0;
    static uint8_t stream[1 << 15];
    for (int i = 0; i < 6; i++) {
        assert_int_equal(dw_codec_cot.encode_obs(st, &cases[i], stream + n, stream + sizeof stream, &e), DW_OK);
        n = (size_t)(e - stream);
    }
    for (size_t chunk = 0; chunk < 200; chunk += 37) {
        got g;
        run_chunked(stream, n, chunk, &g);
        assert_int_equal(g.n_obs, 6);
        assert_int_equal(g.stats.frames, 6);
        assert_int_equal(g.stats.skipped_bytes + g.stats.malformed, 0);
        got_free(&g);
    }
    /* What CoT cannot carry. */
    dw_obs bad = warning();
    bad.kind = DW_OBS_POLAR;
    assert_int_equal(dw_codec_cot.encode_obs(st, &bad, buf, buf + sizeof buf, &e), DW_ERR_UNSUPPORTED);
    bad.kind = DW_OBS_CELL;
    assert_int_equal(dw_codec_cot.encode_obs(st, &bad, buf, buf + sizeof buf, &e), DW_ERR_UNSUPPORTED);
    bad = warning();
    bad.lat_deg = 91;
    assert_int_equal(dw_codec_cot.encode_obs(st, &bad, buf, buf + sizeof buf, &e), DW_ERR_RANGE);
    bad = warning();
    bad.lon_deg = NAN;
    assert_int_equal(dw_codec_cot.encode_obs(st, &bad, buf, buf + sizeof buf, &e), DW_ERR_RANGE);
    bad = warning();
    bad.alt_m = 200000;
    assert_int_equal(dw_codec_cot.encode_obs(st, &bad, buf, buf + sizeof buf, &e), DW_ERR_RANGE);
    bad = warning();
    bad.t_us = -62135596800000001LL; /* before year 1 */
    assert_int_equal(dw_codec_cot.encode_obs(st, &bad, buf, buf + sizeof buf, &e), DW_ERR_RANGE);
    /* A velocity beyond what the decoder takes is left out. */
    bad = warning();
    bad.vel_enu_mps[0] = 2e4;
    assert_int_equal(dw_codec_cot.encode_obs(st, &bad, buf, buf + sizeof buf, &e), DW_OK);
    assert_false(has_bytes(buf, (size_t)(e - buf), "<track"));
    dw_codec_cot.destroy(st);
}

/* ---- schema validation -------------------------------------------------- */

static xmlSchemaPtr load_schema(const char *const *files, const char *extra)
{
    char xsd[4096];
    size_t n = (size_t)snprintf(xsd, sizeof xsd,
                                "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                                "elementFormDefault=\"qualified\">");
    for (; *files; files++)
        n += (size_t)snprintf(xsd + n, sizeof xsd - n, "<xs:include schemaLocation=\"%s\"/>",
                              dw_test_shared(*files));
    n += (size_t)snprintf(xsd + n, sizeof xsd - n, "%s</xs:schema>", extra);
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt(xsd, (int)n);
    assert_non_null(pc);
    xmlSchemaPtr s = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    assert_non_null(s);
    return s;
}

static int valid(xmlSchemaPtr s, const uint8_t *buf, size_t len)
{
    xmlDocPtr doc = xmlReadMemory((const char *)buf, (int)len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(s);
    int r = xmlSchemaValidateDoc(v, doc);
    xmlSchemaFreeValidCtxt(v);
    xmlFreeDoc(doc);
    if (r != 0)
        fprintf(stderr, "invalid:\n%.*s\n", (int)len, (const char *)buf);
    return r == 0;
}

/* The MITRE base event with its track, contact and remarks sub-schemas; and
 * the same base event with TAK's detail schemas (TAK's remarks.xsd declares
 * only a type, so the element is declared here). The two sets cannot be one
 * schema: both declare <contact> and <track>. */
static void schema_validates_track_events(void **state)
{
    (void)state;
    static const char *const mitre[] = {
        "data/cot/schema/mitre/CoT_Base-Event_Schema_PUBLIC_RELEASE.xsd",
        "data/cot/schema/mitre/CoT_Track_Schema_PUBLIC_RELEASE.xsd",
        "data/cot/schema/mitre/CoT_Contact_Schema_PUBLIC_RELEASE.xsd",
        "data/cot/schema/mitre/CoT_Remarks_Schema_PUBLIC_RELEASE.xsd", NULL};
    static const char *const tak[] = {
        "data/cot/schema/mitre/CoT_Base-Event_Schema_PUBLIC_RELEASE.xsd",
        "data/cot/schema/takcot/details/track.xsd", "data/cot/schema/takcot/details/contact.xsd",
        "data/cot/schema/takcot/details/remarks.xsd", NULL};
    xmlSchemaPtr sm = load_schema(mitre, "");
    xmlSchemaPtr st = load_schema(tak, "<xs:element name=\"remarks\" type=\"remarks\"/>");
    uint8_t buf[4096], *e;
    int checked = 0;
    static const double vels[][3] = {{-41, 3.2, 0.5}, {0, 0, 0}, {0, -1e-300, 0}, {1e-7, 250, -30},
                                     {0, 0, -9}, {-1e-12, 99999.9, 1e-200}, {1e300, 0, 0}};
    for (int a = 0; a < DW_NAFFILIATIONS; a++) {
        for (int c = 0; c < DW_NCLASSES; c++) {
            for (size_t v = 0; v < sizeof vels / sizeof vels[0]; v++) {
                dw_track t = hostile_uav();
                t.affiliation = (dw_affiliation)a;
                t.cls = (dw_class)c;
                t.status = (dw_track_status)(v % DW_TRACK_NSTATUS);
                memcpy(t.vel_enu_mps, vels[v], sizeof t.vel_enu_mps);
                t.lat_deg = -90.0 + 180.0 * c / (DW_NCLASSES - 1);
                t.lon_deg = v ? -180.0 + 1e-9 * v : 180.0;
                t.alt_m = v == 2 ? -1e-12 : v == 5 ? 9999999.9999 : 1234.5;
                if (v == 5) {
                    t.cov_pos_enu[0][0] = 1e-30;
                    t.cov_pos_enu[2][2] = 1e300;
                    t.lat_deg = 1e-300;
                    t.lon_deg = -179.9999999999999;
                }
                if (v == 3)
                    memset(t.cov_pos_enu, 0, sizeof t.cov_pos_enu);
                if (v == 4) {
                    snprintf(t.callsign, sizeof t.callsign, "a&b<c>");
                    t.icao = 0x48ae21;
                    snprintf(t.rid, sizeof t.rid, "1581F5FJD21B30001");
                }
                assert_int_equal(dw_cot_encode_track(&t, 1757451001000000LL + v, NULL, buf,
                                                     buf + sizeof buf, &e),
                                 DW_OK);
                assert_true(valid(sm, buf, (size_t)(e - buf)));
                assert_true(valid(st, buf, (size_t)(e - buf)));
                checked++;
            }
        }
    }
    assert_int_equal(checked, DW_NAFFILIATIONS * DW_NCLASSES * 7);

    /* The official examples re-encoded by us validate against the base
     * event schema (their detail elements are not all declared anywhere). */
    static const char *const base[] = {
        "data/cot/schema/mitre/CoT_Base-Event_Schema_PUBLIC_RELEASE.xsd", NULL};
    xmlSchemaPtr sb = load_schema(base, "");
    char names[32][128];
    int n = example_names(names, 32);
    uint8_t *out = malloc(BIG);
    for (int i = 0; i < n; i++) {
        size_t len;
        char *b = example(names[i], &len);
        char *rec = decode_one(b, len);
        assert_int_equal(dw_cot_encode_raw(rec, strlen(rec), DW_COT_WIRE_XML, out, out + BIG, &e),
                         DW_OK);
        assert_true(valid(sb, out, (size_t)(e - out)));
        free(rec);
        free(b);
    }
    free(out);
    xmlSchemaFree(sb);
    xmlSchemaFree(sm);
    xmlSchemaFree(st);
}

/* ---- text --------------------------------------------------------------- */

static void time_parse_and_format(void **state)
{
    (void)state;
    int64_t t;
    char s[40];
#define PARSE(str) dw_cot_time_parse(str, strlen(str), &t)
    assert_int_equal(PARSE("2020-12-16T19:59:34.910Z"), DW_OK);
    assert_int_equal(t, 1608148774910000LL);
    assert_int_equal(PARSE("2020-12-16T19:59:34Z"), DW_OK);
    assert_int_equal(t, 1608148774000000LL);
    assert_int_equal(PARSE(" 2020-12-16T19:59:34.1234567Z\n"), DW_OK); /* truncated to µs */
    assert_int_equal(t, 1608148774123456LL);
    assert_int_equal(PARSE("2020-12-16T20:59:34.91+01:00"), DW_OK);
    assert_int_equal(t, 1608148774910000LL);
    assert_int_equal(PARSE("2020-12-16T19:59:34.91"), DW_OK); /* no zone: UTC */
    assert_int_equal(t, 1608148774910000LL);
    assert_int_equal(PARSE("1969-12-31T23:59:59.5Z"), DW_OK);
    assert_int_equal(t, -500000);
    assert_int_equal(PARSE("2024-02-29T00:00:00Z"), DW_OK);
    assert_int_equal(PARSE("2023-02-29T00:00:00Z"), DW_ERR_PARSE);
    assert_int_equal(PARSE("2020-12-16 19:59:34Z"), DW_ERR_PARSE);
    assert_int_equal(PARSE("2020-12-16T19:59:34.Z"), DW_ERR_PARSE);
    assert_int_equal(PARSE("2020-12-16T24:00:00Z"), DW_ERR_PARSE);
    assert_int_equal(PARSE("2020-12-16T19:59:34Zx"), DW_ERR_PARSE);
    assert_int_equal(PARSE("0001-01-01T00:00:00+00:01"), DW_ERR_RANGE); /* year 0 in UTC */
    assert_int_equal(PARSE("9999-12-31T23:59:59.999999Z"), DW_OK);
    assert_int_equal(dw_cot_time_format(t, s, sizeof s), DW_OK);
    assert_string_equal(s, "9999-12-31T23:59:59.999999Z");
    assert_int_equal(dw_cot_time_format(t + 1, s, sizeof s), DW_ERR_RANGE);
    assert_int_equal(dw_cot_time_format(1608148774910000LL, s, sizeof s), DW_OK);
    assert_string_equal(s, "2020-12-16T19:59:34.910Z");
    assert_int_equal(dw_cot_time_format(-500000, s, sizeof s), DW_OK);
    assert_string_equal(s, "1969-12-31T23:59:59.500Z");
    assert_int_equal(PARSE("0001-01-01T00:00:00Z"), DW_OK);
    assert_int_equal(dw_cot_time_format(t, s, sizeof s), DW_OK);
    assert_string_equal(s, "0001-01-01T00:00:00.000Z");
    /* Every µs of a few days around leap years reads back. */
    for (int64_t u = 951782400000000LL - 3; u < 951782400000000LL + 86400000000LL * 3;
         u += 86400000000LL / 7 + 13) {
        assert_int_equal(dw_cot_time_format(u, s, sizeof s), DW_OK);
        assert_int_equal(PARSE(s), DW_OK);
        assert_int_equal(t, u);
    }
#undef PARSE
}

/* Every number we write must be a plain xs:decimal reading back exactly. */
static void numbers_are_plain_decimals(void **state)
{
    (void)state;
    uint8_t buf[2048], *e;
    static const double vals[] = {0.1, 1e-7, 1e-300, 5e-324, 1e300, 123456789.125, -0.0, 51.55,
                                  9999999.0, 2.5e15, 1.7976931348623157e308};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        for (int sign = -1; sign <= 1; sign += 2) {
            double v = sign * vals[i];
            char rec[512];
            snprintf(rec, sizeof rec,
                     "{\"uid\":\"n\",\"cot_type\":\"b\",\"time_us\":0,\"start_us\":0,\"stale_us\":0,"
                     "\"point\":{\"lat_deg\":1,\"lon_deg\":2,\"hae_m\":%.17g,\"ce_m\":1,\"le_m\":1}}",
                     v);
            assert_int_equal(dw_cot_encode_raw(rec, strlen(rec), DW_COT_WIRE_XML, buf,
                                               buf + sizeof buf, &e),
                             DW_OK);
            *e = '\0';
            const char *h = strstr((char *)buf, "hae=\"") + 5;
            size_t l = strcspn(h, "\"");
            assert_true(strspn(h, "-0123456789.") == l);
            assert_true(strtod(h, NULL) == v);
        }
    }
}

/* ---- framing and hostile input ------------------------------------------ */

#define EV(uid, extra)                                                      \
    "<event version='2.0' uid='" uid "' type='a-f-G-U-C' time='2025-09-09T21:10:00Z' "   \
    "start='2025-09-09T21:10:00Z' stale='2025-09-09T21:20:00Z' how='m-g'>"  \
    "<point lat='52.1' lon='21.0' hae='110' ce='5' le='8'/><detail>" extra "</detail></event>"

static void framing_stream(void **state)
{
    (void)state;
    /* As TAK servers stream it, with blanks, a comment holding "</event>",
     * a ">" in an attribute, garbage, a cut document resynchronised by the
     * next prolog, and a CDATA section. */
    const char *s =
        "<?xml version='1.0' encoding='UTF-8'?>\n" EV("A", "<contact callsign='A'/>")
        "\n\n<?xml version='1.0'?>" EV("B", "<!-- </event> --><remarks a='x>y'>r</remarks>")
        "garbage!<?xml version='1.0'?><event version='2.0' uid='cut' "
        "<?xml version='1.0' encoding='UTF-8'?>\n" EV("C", "<x><![CDATA[</event><]]></x>")
        EV("D", "");
    got g;
    run_str(s, &g);
    assert_int_equal(g.n_raw, 4);
    assert_int_equal(g.stats.malformed, 1);
    assert_int_equal(g.stats.skipped_bytes, strlen("garbage!"));
    find_json(g.raw[0], "\"uid\":\"A\"");
    find_json(g.raw[1], "\"remarks\":{\"a\":\"x>y\",\"text\":\"r\"}");
    find_json(g.raw[2], "\"detail\":[{\"name\":\"x\",\"text\":\"</event><\"}]");
    find_json(g.raw[3], "\"uid\":\"D\"");
    assert_int_equal(g.n_obs, 4);
    assert_int_equal(g.obs[0].kind, DW_OBS_POS3);
    assert_near(g.obs[0].sigma_pos_m, 5.0, 0);
    assert_near(g.obs[0].sigma_alt_m, 8.0, 0);
    assert_string_equal(g.obs[0].callsign, "A");
    got_free(&g);

    /* The same bytes a few at a time give the same records. */
    for (size_t chunk = 1; chunk < 40; chunk += 7) {
        got h;
        run_chunked(s, strlen(s), chunk, &h);
        assert_int_equal(h.n_raw, 4);
        assert_int_equal(h.stats.malformed, 1);
        got_free(&h);
    }

    /* A stream that switches to TAK protocol v1 after negotiation. */
    uint8_t buf[8192], *e;
    size_t n = (size_t)snprintf((char *)buf, sizeof buf, "%s", "<?xml version='1.0'?>" EV("X", ""));
    char *rec = decode_one(buf, n);
    assert_int_equal(dw_cot_encode_raw(rec, strlen(rec), DW_COT_WIRE_TAKP_STREAM, buf + n,
                                       buf + sizeof buf, &e), DW_OK);
    size_t m = (size_t)(e - buf);
    assert_int_equal(dw_cot_encode_raw(rec, strlen(rec), DW_COT_WIRE_TAKP_STREAM, buf + m,
                                       buf + sizeof buf, &e), DW_OK);
    run(buf, (size_t)(e - buf), &g);
    assert_int_equal(g.n_raw, 3);
    assert_int_equal(g.stats.malformed + g.stats.unknown + g.stats.skipped_bytes, 0);
    find_json(g.raw[1], "\"wire\":\"takp_stream\"");
    assert_int_equal(g.n_obs, 3);
    got_free(&g);
    for (size_t chunk = 1; chunk < 30; chunk += 4) {
        run_chunked(buf, (size_t)(e - buf), chunk, &g);
        assert_int_equal(g.n_raw, 3);
        got_free(&g);
    }
    free(rec);

    /* A document that never ends is cut at DW_COT_MAX_FRAME. */
    size_t big = DW_COT_MAX_FRAME + 1000;
    char *hb = malloc(big);
    memset(hb, ' ', big);
    memcpy(hb, "<event uid='x'><detail>", 23);
    run(hb, big, &g);
    assert_int_equal(g.n_raw, 0);
    assert_int_equal(g.stats.malformed, 1);
    got_free(&g);
    free(hb);
}

static void hostile_and_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        /* billion laughs: refused at the DOCTYPE, before any entity exists */
        "<?xml version='1.0'?><!DOCTYPE event [<!ENTITY a 'aaaaaaaaaa'>"
        "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
        "<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'><!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>"
        "<!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'><!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>"
        "<!ENTITY h '&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;'><!ENTITY i '&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;'>]>"
        EV("L", "<remarks>&i;</remarks>"),
        /* external entity */
        "<?xml version='1.0'?><!DOCTYPE event [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        EV("X", "<remarks>&x;</remarks>"),
        "<?xml version='1.0'?><!DOCTYPE event SYSTEM 'http://example.invalid/cot.dtd'>" EV("S", ""),
        /* undeclared entity, unknown encoding bytes, bad structure */
        EV("U", "<remarks>&nbsp;</remarks>"),
        "<?xml version='1.0'?>" EV("B", "<remarks>\xff\xfe</remarks>"),
        "<event version='2.0' uid='m' type='a-f-G' time='2025-09-09T21:10:00Z' "
        "start='2025-09-09T21:10:00Z' stale='2025-09-09T21:10:00Z'><detail/></event>",
        "<event version='2.0' type='a-f-G' time='2025-09-09T21:10:00Z' start='2025-09-09T21:10:00Z' "
        "stale='2025-09-09T21:10:00Z'><point lat='1' lon='2'/></event>",
        "<event version='2.0' uid='t' type='a-f-G' time='yesterday' start='2025-09-09T21:10:00Z' "
        "stale='2025-09-09T21:10:00Z'><point lat='1' lon='2'/></event>",
        "<event version='2.0' uid='p' type='a-f-G' time='2025-09-09T21:10:00Z' "
        "start='2025-09-09T21:10:00Z' stale='2025-09-09T21:10:00Z'><point lat='91' lon='2'/></event>",
        "<event version='2.0' uid='p' type='a-f-G' time='2025-09-09T21:10:00Z' "
        "start='2025-09-09T21:10:00Z' stale='2025-09-09T21:10:00Z'><point lat='nan' lon='2'/></event>",
        "<event version='2.0' uid='p' type='a-f-G' time='2025-09-09T21:10:00Z' "
        "start='2025-09-09T21:10:00Z' stale='2025-09-09T21:10:00Z'><point lat='1' lon='2' hae='x'/>"
        "</event>",
        EV("deep", "<a><a><a><a><a><a><a><a><a><a><a><a><a></a></a></a></a></a></a></a></a></a>"
                   "</a></a></a></a>"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        got g;
        run_str(bad[i], &g);
        if (g.n_raw != 0 || g.stats.malformed != 1) {
            fprintf(stderr, "case %zu: %d records, %llu malformed\n", i, g.n_raw,
                    (unsigned long long)g.stats.malformed);
            fail();
        }
        got_free(&g);
    }
    /* Not an event: unknown, not malformed. Nor is a TAK mesh version 2. */
    got g;
    run_str("<?xml version='1.0'?><SensorRegistration/>", &g);
    assert_int_equal(g.stats.unknown, 1);
    assert_int_equal(g.stats.malformed, 0);
    got_free(&g);
    static const uint8_t v2[] = {0xbf, 0x02, 0xbf, 0x12, 0x00};
    run(v2, sizeof v2, &g);
    assert_int_equal(g.stats.unknown, 1);
    got_free(&g);
    /* Twelve levels under <detail> are fine; the thirteenth was refused above. */
    run_str(EV("ok", "<a><a><a><a><a><a><a><a><a><a><a><a></a></a></a></a></a></a></a></a></a></a>"
                     "</a></a>"), &g);
    assert_int_equal(g.n_raw, 1);
    got_free(&g);
}

/* ---- TAK protocol v1 ---------------------------------------------------- */

static void takp_typed_messages_and_control(void **state)
{
    (void)state;
    /* Every typed kind that converts whole travels as its message; the
     * record is the same however it travelled. */
    const char *x = "<?xml version='1.0'?>" EV(
        "T", "<contact callsign='HOPE' endpoint='*:-1:stcp'/><__group name='Cyan' role='Team Member'/>"
             "<precisionlocation geopointsrc='GPS' altsrc='GPS'/><status battery='87'/>"
             "<takv device='Pixel' platform='ATAK-CIV' os='33' version='4.10'/>"
             "<track course='270.5' speed='41.25'/><remarks>hi</remarks><uid Droid='HOPE'/>");
    char *rec = decode_one(x, strlen(x));
    find_json(rec, "\"contact\":{\"callsign\":\"HOPE\",\"endpoint\":\"*:-1:stcp\"},\"group\":{\"name\":"
                   "\"Cyan\",\"role\":\"Team Member\"},\"track\":{\"course_deg\":270.5,\"speed_mps\":"
                   "41.25},\"status\":{\"battery\":\"87\"},\"takv\":{\"device\":\"Pixel\",\"platform\":"
                   "\"ATAK-CIV\",\"os\":\"33\",\"version\":\"4.10\"},\"precisionlocation\":{"
                   "\"geopointsrc\":\"GPS\",\"altsrc\":\"GPS\"},\"remarks\":{\"text\":\"hi\"},"
                   "\"detail\":[{\"name\":\"uid\",\"attrs\":{\"Droid\":\"HOPE\"}}]");
    uint8_t buf[4096], *e;
    assert_int_equal(dw_cot_encode_raw(rec, strlen(rec), DW_COT_WIRE_TAKP_MESH, buf, buf + sizeof buf, &e),
                     DW_OK);
    assert_memory_equal(buf, "\xbf\x01\xbf", 3);
    /* Only remarks and uid are left for xmlDetail. */
    assert_true(has_bytes(buf, (size_t)(e - buf), "<remarks>hi</remarks><uid Droid=\"HOPE\"/>"));
    assert_false(has_bytes(buf, (size_t)(e - buf), "<contact"));
    char *tak = decode_one(buf, (size_t)(e - buf));
    /* Equal apart from the wire. */
    assert_string_equal(strstr(tak, "\"uid\""), strstr(rec, "\"uid\""));
    assert_int_equal(dw_codec_cot.detect(buf, (size_t)(e - buf), NULL), 90);
    free(tak);

    /* A typed element that appears twice stays XML (detail.proto rule 1). */
    const char *x2 = "<?xml version='1.0'?>" EV("T2", "<status battery='5'/><status battery='6'/>"
                                                      "<track course='1' speed='2' slope='3'/>");
    char *rec2 = decode_one(x2, strlen(x2));
    assert_int_equal(dw_cot_encode_raw(rec2, strlen(rec2), DW_COT_WIRE_TAKP_STREAM, buf,
                                       buf + sizeof buf, &e), DW_OK);
    assert_true(has_bytes(buf, (size_t)(e - buf), "<status battery=\"5\"/><status battery=\"6\"/>"));
    assert_true(has_bytes(buf, (size_t)(e - buf), "<track course=\"1\" speed=\"2\" slope=\"3\"/>"));
    tak = decode_one(buf, (size_t)(e - buf));
    assert_string_equal(strstr(tak, "\"uid\""), strstr(rec2, "\"uid\""));
    free(tak);

    /* TakControl alone: a record without an event; no XML form. */
    const char *ctl = "{\"codec\":\"cot\",\"wire\":\"takp_mesh\",\"takcontrol\":{\"min_version\":1,\"max_version\":1,"
                      "\"contact_uid\":\"ANDROID-1\"}}";
    same_after(ctl, DW_COT_WIRE_AUTO, buf, sizeof buf);
    assert_int_equal(dw_cot_encode_raw(ctl, strlen(ctl), DW_COT_WIRE_XML, buf, buf + sizeof buf, &e),
                     DW_ERR_UNSUPPORTED);
    assert_int_equal(dw_cot_encode_raw("[1]", 3, DW_COT_WIRE_AUTO, buf, buf + sizeof buf, &e),
                     DW_ERR_INVALID);
    const char *other = "{\"codec\":\"sbs\",\"uid\":\"x\"}";
    assert_int_equal(dw_cot_encode_raw(other, strlen(other), DW_COT_WIRE_AUTO, buf, buf + sizeof buf, &e),
                     DW_ERR_INVALID);
    assert_int_equal(dw_cot_encode_raw(rec, strlen(rec), DW_COT_WIRE_TAKP_MESH, buf, buf + 20, &e),
                     DW_ERR_FULL);
    /* A truncated or corrupted TAK frame is malformed. */
    uint8_t *e2;
    dw_cot_encode_raw(rec, strlen(rec), DW_COT_WIRE_TAKP_MESH, buf, buf + sizeof buf, &e2);
    got g;
    run(buf, (size_t)(e2 - buf) - 5, &g);
    assert_int_equal(g.stats.malformed, 1);
    got_free(&g);
    free(rec);
    free(rec2);
}

static void detect_scores(void **state)
{
    (void)state;
    const char *x = "<?xml version='1.0' encoding='UTF-8'?>\n<event version='2.0'";
    assert_int_equal(dw_codec_cot.detect((const uint8_t *)x, strlen(x), NULL), 95);
    assert_int_equal(dw_codec_cot.detect((const uint8_t *)"\n<event uid='x'>", 16, NULL), 95);
    const char *sapient = "<?xml version='1.0'?><SensorRegistration>";
    assert_int_equal(dw_codec_cot.detect((const uint8_t *)sapient, strlen(sapient), NULL), 0);
    assert_int_equal(dw_codec_cot.detect((const uint8_t *)"{\"v\":1}", 7, NULL), 0);
    assert_int_equal(dw_codec_cot.detect((const uint8_t *)"\x1a\x32", 2, NULL), 0);
    assert_ptr_equal(dw_codec_find("cot"), &dw_codec_cot);
}

/* The fixed-point writer of snapped numbers: the same double back as the
 * shortest-digits writer gives, and the same text. */
static void fixed_decimals_read_back(void **state)
{
    (void)state;
    static const double p10[10] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    uint64_t x = 0x243F6A8885A308D3ULL;
    int same_text = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int dec = (int)(x % 10);
        double mag = (double)(x >> 40) / (double)(1 << 24) * (i % 3 ? 400.0 : 1e7);
        double v = nearbyint(((x >> 20) & 1 ? -mag : mag) * p10[dec]) / p10[dec];
        if (i < 40)
            v = i % 2 ? 9999999.0 : (double)(i - 20) / p10[dec];
        char a[64], b[400];
        dw__xw w = {a, a + sizeof a, 0};
        dw__xw_attr_fixed(&w, "v", v, dec);
        assert_false(w.full);
        size_t n = (size_t)(w.p - a);
        assert_true(n > 5 && !memcmp(a, " v=\"", 4) && a[n - 1] == '"');
        a[n - 1] = '\0';
        assert_true(strtod(a + 4, NULL) == v);
        assert_null(strchr(a + 4, 'e'));
        size_t m = dw__cot_decimal(v, b, sizeof b);
        assert_true(m > 0);
        same_text += strlen(a + 4) == m && !memcmp(a + 4, b, m);
    }
    assert_int_equal(same_text, 200000);
}

/* Observation events validate against MITRE's base event with its track,
 * contact, remarks and link sub-schemas. */
static void schema_validates_obs_events(void **state)
{
    (void)state;
    static const char *const mitre[] = {
        "data/cot/schema/mitre/CoT_Base-Event_Schema_PUBLIC_RELEASE.xsd",
        "data/cot/schema/mitre/CoT_Track_Schema_PUBLIC_RELEASE.xsd",
        "data/cot/schema/mitre/CoT_Contact_Schema_PUBLIC_RELEASE.xsd",
        "data/cot/schema/mitre/CoT_Remarks_Schema_PUBLIC_RELEASE.xsd",
        "data/cot/schema/mitre/CoT_Link_Schema_PUBLIC_RELEASE.xsd", NULL};
    xmlSchemaPtr sm = load_schema(mitre, "");
    uint8_t buf[4096], *e;
    static const double vels[][3] = {{-41, 3.2, 0.5}, {0, 0, 0}, {0, -1e-300, 0}, {1e-7, 250, -30}};
    for (int k = 0; k < 2; k++) {
        for (size_t v = 0; v < sizeof vels / sizeof vels[0]; v++) {
            dw_obs o = warning();
            if (k) {
                o.kind = DW_OBS_POS2;
                o.has &= ~(uint32_t)DW_OBS_HAS_ALT;
                o.has |= DW_OBS_HAS_CALLSIGN | DW_OBS_HAS_ICAO | DW_OBS_HAS_CLASS;
                snprintf(o.callsign, sizeof o.callsign, "a&b<c>");
                o.icao = 0x48ae21;
                o.class_score[DW_CLASS_QUADCOPTER] = 0.5f;
            }
            memcpy(o.vel_enu_mps, vels[v], sizeof o.vel_enu_mps);
            o.lat_deg = v == 2 ? 1e-300 : -89.999999999;
            assert_int_equal(dw_cot_encode_obs(&o, v, 0, buf, buf + sizeof buf, &e), DW_OK);
            assert_true(valid(sm, buf, (size_t)(e - buf)));
        }
    }
    xmlSchemaFree(sm);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(atak_examples_decode),
    cmocka_unit_test(atak_example_fields),
    cmocka_unit_test(atak_examples_round_trip),
    cmocka_unit_test(track_type_table),
    cmocka_unit_test(track_encode_hostile_uav),
    cmocka_unit_test(track_round_trip),
    cmocka_unit_test(schema_validates_track_events),
    cmocka_unit_test(obs_encode_round_trip),
    cmocka_unit_test(schema_validates_obs_events),
    cmocka_unit_test(fixed_decimals_read_back),
    cmocka_unit_test(time_parse_and_format),
    cmocka_unit_test(numbers_are_plain_decimals),
    cmocka_unit_test(framing_stream),
    cmocka_unit_test(hostile_and_malformed),
    cmocka_unit_test(takp_typed_messages_and_control),
    cmocka_unit_test(detect_scores),
};

DW_TEST_MAIN("cot", tests)

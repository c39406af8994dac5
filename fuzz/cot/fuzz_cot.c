/* fuzz_cot.c — the CoT codec on arbitrary bytes: framing, XML and TAK
 * protocol v1 decoding, and the encoders on whatever the decoder accepts.
 *
 * Beyond "no crash, no leak, no undefined behaviour, no runaway memory"
 * (libxml2 parses every frame, so entity tricks land here too):
 *   - framing always makes progress and stays inside the buffer;
 *   - every record decoded is one the encoder can write back on its own wire
 *     (dw_cot_encode_raw, AUTO), and that decodes to the very same record —
 *     the round trip STYLE.md asks of every codec;
 *   - a TAK record written as XML is still a well-formed event;
 *   - every observation is a sane one (position in range, finite numbers).
 * An input that starts with "TRK" is a track instead: its bytes become the
 * track's numbers, and the event written for it must decode to the
 * observation it describes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/cot.h"
#include "dronewall/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_CAP (8u * DW_COT_MAX_FRAME)

static void die(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_cot: %s\n%s\n", what, text ? text : "");
    abort();
}

typedef struct ctx {
    char *recs[64];
    size_t n;
    int n_obs;
    dw_obs obs;
} ctx;

static void on_raw(void *c, const char *json, size_t len)
{
    ctx *x = c;
    if (x->n < 64) {
        x->recs[x->n] = malloc(len + 1);
        memcpy(x->recs[x->n], json, len);
        x->recs[x->n][len] = '\0';
        x->n++;
    }
}

static void on_obs(void *c, const dw_obs *o)
{
    ctx *x = c;
    if (!(o->has & DW_OBS_HAS_POS) || !(fabs(o->lat_deg) <= 90) || !(fabs(o->lon_deg) <= 180) ||
        !isfinite(o->alt_m) || !isfinite(o->sigma_pos_m) || !isfinite(o->sigma_alt_m) ||
        !isfinite(o->vel_enu_mps[0]) || !isfinite(o->vel_enu_mps[1]) ||
        !isfinite(o->vel_enu_mps[2]) || strcmp(o->sensor, DW_COT_SENSOR))
        die("insane observation", NULL);
    x->n_obs++;
    x->obs = *o;
}

/* Frame and decode all of buf; the records go to x. */
static dw_decode_stats decode_all(void *st, const uint8_t *buf, size_t len, ctx *x)
{
    dw_decode_sink sink = {on_raw, on_obs, x, 1, 1, {0}};
    dw_frame_meta meta = {0, DW_LINK_STREAM, 0, 0, "fuzz"};
    size_t off = 0;
    for (;;) {
        size_t skip = 0, fl = 0;
        dw_status s = dw_codec_cot.frame(buf + off, len - off, &skip, &fl);
        if (skip > len - off)
            die("frame skipped past the end", NULL);
        off += skip;
        if (s == DW_ERR_EOF)
            break;
        if (s != DW_OK || fl == 0 || fl > len - off)
            die("frame returned a bad length", NULL);
        dw_codec_cot.decode(st, buf + off, fl, &meta, &sink);
        off += fl;
    }
    return sink.stats;
}

static void free_recs(ctx *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->recs[i]);
    x->n = 0;
}

static void round_trip(void *st, const char *rec, uint8_t *out)
{
    uint8_t *e = NULL;
    dw_status s = dw_cot_encode_raw(rec, strlen(rec), DW_COT_WIRE_AUTO, out, out + OUT_CAP, &e);
    if (s != DW_OK)
        die(dw_status_name(s), rec);
    ctx y = {0};
    dw_decode_stats ds = decode_all(st, out, (size_t)(e - out), &y);
    if (y.n != 1 || ds.malformed || ds.unknown) {
        fprintf(stderr, "re-encoded:\n%.*s\n", (int)(e - out), (const char *)out);
        die("the re-encoded record does not decode to one record", rec);
    }
    if (strcmp(y.recs[0], rec)) {
        fprintf(stderr, "after:\n%s\n", y.recs[0]);
        die("the record changed in the round trip", rec);
    }
    free_recs(&y);

    /* A TAK record as XML: may lose what XML cannot carry, never break. */
    if (strstr(rec, "\"wire\":\"takp") && !strstr(rec, "\"wire\":\"xml\"")) {
        s = dw_cot_encode_raw(rec, strlen(rec), DW_COT_WIRE_XML, out, out + OUT_CAP, &e);
        if (s == DW_ERR_UNSUPPORTED && !strstr(rec, "\"uid\":"))
            return;
        if (s != DW_OK)
            die(dw_status_name(s), rec);
        ds = decode_all(st, out, (size_t)(e - out), &y);
        if (y.n != 1 || ds.malformed) {
            fprintf(stderr, "as XML:\n%.*s\n", (int)(e - out), (const char *)out);
            die("a TAK record written as XML does not decode", rec);
        }
        free_recs(&y);
    }
}

static double take(const uint8_t **p, const uint8_t *end)
{
    double v = 0;
    if ((size_t)(end - *p) >= sizeof v) {
        memcpy(&v, *p, sizeof v);
        *p += sizeof v;
    }
    return v;
}

static void fuzz_track(void *st, const uint8_t *data, size_t size, uint8_t *out)
{
    const uint8_t *p = data + 3, *end = data + size;
    dw_track t;
    dw_track_init(&t);
    t.lat_deg = take(&p, end);
    t.lon_deg = take(&p, end);
    t.alt_m = take(&p, end);
    for (int i = 0; i < 3; i++)
        t.vel_enu_mps[i] = take(&p, end);
    for (int i = 0; i < 9; i++)
        t.cov_pos_enu[i / 3][i % 3] = take(&p, end);
    int64_t now = 0;
    if ((size_t)(end - p) >= sizeof now) {
        memcpy(&now, p, sizeof now);
        p += sizeof now;
    }
    if (p < end) {
        t.affiliation = (dw_affiliation)(*p % DW_NAFFILIATIONS);
        t.cls = (dw_class)(*p++ / DW_NAFFILIATIONS % DW_NCLASSES);
    }
    if (p < end)
        t.status = (dw_track_status)(*p++ % DW_TRACK_NSTATUS);
    size_t cl = (size_t)(end - p) < DW_CALLSIGN_MAX - 1 ? (size_t)(end - p) : DW_CALLSIGN_MAX - 1;
    memcpy(t.callsign, p, cl);
    t.callsign[cl] = '\0';
    dw_cot_track_opts o = {(dw_cot_wire)(1 + (size % 3)), 0, NULL};
    uint8_t *e;
    dw_status s = dw_cot_encode_track(&t, now, &o, out, out + OUT_CAP, &e);
    if (s == DW_ERR_RANGE)
        return;
    if (s != DW_OK)
        die(dw_status_name(s), "encode_track");
    ctx y = {0};
    dw_decode_stats ds = decode_all(st, out, (size_t)(e - out), &y);
    if (y.n != 1 || ds.malformed) {
        fprintf(stderr, "%.*s\n", (int)(e - out), (const char *)out);
        die("a track event does not decode", NULL);
    }
    /* The position comes back when it makes an observation, to the writer's
     * resolution (1e-9 degree, 1 mm); the time exactly, except that TAK
     * protocol v1 carries milliseconds. */
    int64_t t_back = o.wire == DW_COT_WIRE_XML ? now : now / 1000 * 1000;
    if (y.n_obs && (!(fabs(y.obs.lat_deg - t.lat_deg) <= 5.1e-10) ||
                    !(fabs(y.obs.lon_deg - t.lon_deg) <= 5.1e-10) ||
                    ((y.obs.has & DW_OBS_HAS_ALT) && !(fabs(y.obs.alt_m - t.alt_m) <= 5.1e-4)) ||
                    y.obs.t_us != t_back))
        die("a track event decodes to another position or time", y.recs[0]);
    round_trip(st, y.recs[0], out);
    free_recs(&y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static void *st;
    static uint8_t *out;
    if (!st) {
        /* FUZZ_COT_LOG=1 shows why a frame was refused, when replaying. */
        const char *lg = getenv("FUZZ_COT_LOG");
        dw_log_set_level(-1, lg && *lg == '1' ? DW_LOG_DEBUG : DW_LOG_OFF);
        if (dw_codec_cot.create(NULL, &st) != DW_OK)
            abort();
        out = malloc(OUT_CAP);
    }
    if (size >= 3 && !memcmp(data, "TRK", 3)) {
        fuzz_track(st, data, size, out);
        return 0;
    }
    ctx x = {0};
    decode_all(st, data, size, &x);
    for (size_t i = 0; i < x.n; i++)
        round_trip(st, x.recs[i], out);
    free_recs(&x);
    /* Detection looks at any prefix without reading past it. */
    dw_codec_cot.detect(data, size, NULL);
    return 0;
}

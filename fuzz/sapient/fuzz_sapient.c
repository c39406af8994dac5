/* fuzz_sapient.c — the SAPIENT codec on arbitrary bytes, and its encoders on what it accepts.
 *
 * The input is read three ways: as a TCP stream (frame() and decode() in a driver's loop), as
 * one SapientMessage for dw_sapient_parse, and, when it starts with '{', as JSON for
 * dw_sapient_encode_json. Beyond "no crash, no leak, no undefined behaviour", what is accepted
 * must round-trip (STYLE.md habit 1):
 *   - every raw JSON record encodes back to bytes that decode to the same JSON;
 *   - every dw_obs encodes (encode_obs) to a frame that decodes to the same obs (angles to
 *     1e-9 rad, as degrees travel on the wire);
 *   - every typed message encodes to bytes that parse to the same struct.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/log.h"
#include "dronewall/sapient.h"

#include "codecs/sapient_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_sapient: %s\n%s\n", what, text ? text : "");
    abort();
}

static const dw_codec_ops *codec;
static uint8_t out[DW_SAPIENT_MSG_MAX + 4];

typedef struct run {
    void *check;                /* a second codec state that decodes what we encode */
    char *json;                 /* the last raw record of the check decode */
    dw_obs obs;
    int n_obs;
} run;

static void keep_raw(void *ctx, const char *json, size_t len)
{
    run *r = ctx;
    free(r->json);
    r->json = malloc(len + 1);
    memcpy(r->json, json, len + 1);
}

static void keep_obs(void *ctx, const dw_obs *o)
{
    run *r = ctx;
    r->obs = *o;
    r->n_obs++;
}

/* The check decoders live for the whole run: told the version, their raw JSON does not depend
 * on what they saw before; the obs checker only ever sees encode_obs's detections, so no
 * registration's units can creep in. */
static dw_status check_decode(run *r, const char *edition, const uint8_t *frame, size_t len)
{
    static void *states[3];
    int which = !edition ? 0 : strstr(edition, "1.0") ? 1 : 2;
    if (!states[which]) {
        dw_codec_config cfg = {0};
        cfg.edition = edition;
        if (codec->create(&cfg, &states[which]) != DW_OK)
            die("create failed", NULL);
    }
    void *st = states[which];
    dw_decode_sink k = {0};
    k.raw = keep_raw;
    k.obs = keep_obs;
    k.ctx = r;
    k.want_raw = k.want_obs = 1;
    r->n_obs = 0;
    free(r->json);
    r->json = NULL;
    dw_frame_meta meta = {0};
    return codec->decode(st, frame, len, &meta, &k);
}

/* The raw JSON with its version_from replaced by "config": the check decode is told the
 * version, so that is what it says. */
static char *as_config(const char *json)
{
    const char *k = strstr(json, "\"version_from\":\"");
    const char *v = k ? strchr(k + 16, '"') : NULL;
    if (!v)
        die("raw JSON without version_from", json);
    size_t head = (size_t)(k + 16 - json);
    char *s = malloc(strlen(json) + 16);
    memcpy(s, json, head);
    strcpy(s + head, "config");
    strcat(s, v);
    return s;
}

static void json_round_trip(run *r, const char *json)
{
    /* Fields the schema does not know are dropped by design; so are the counts of them. */
    if (strstr(json, "\"_unknown_fields\":"))
        return;
    uint8_t *end = NULL;
    char err[256];
    dw_status s = dw_sapient_encode_json(json, strlen(json), 0, out, out + sizeof out, &end, err, sizeof err);
    if (s != DW_OK)
        die(err, json);
    const char *ver = strstr(json, "\"version\":\"1.0\"") ? "sapient=1.0" : "sapient=2.0";
    if (check_decode(r, ver, out, (size_t)(end - out)) != DW_OK || !r->json)
        die("the encoding of a raw record does not decode", json);
    char *want = as_config(json);
    if (strcmp(want, r->json)) {
        fprintf(stderr, "was: %s\nnow: %s\n", want, r->json);
        die("raw JSON changed on the round trip", NULL);
    }
    free(want);
}

static int same_angle(double a, double b)
{
    double d = fmod(fabs(a - b), 2 * M_PI);
    return d <= 1e-9 || 2 * M_PI - d <= 1e-9;
}

static int near_rel(double a, double b) { return fabs(a - b) <= 1e-9 * (1 + fabs(a)); }

static void obs_round_trip(run *r, const dw_obs *o, const char *json)
{
    static void *enc;
    if (!enc && codec->create(NULL, &enc) != DW_OK)
        die("create failed", NULL);
    uint8_t *end = NULL;
    dw_status s = codec->encode_obs(enc, o, out, out + sizeof out, &end);
    if (s != DW_OK)
        die("encode_obs refused an obs the decoder made", json);
    if (check_decode(r, NULL, out, (size_t)(end - out)) != DW_OK || r->n_obs != 1)
        die("encode_obs wrote what does not decode to one obs", json);
    const dw_obs *b = &r->obs;
    uint32_t mask = ~0u;
    int any = 0;
    for (int c = 0; c < DW_NCLASSES; c++)
        any |= o->class_score[c] > 0;
    if (!any)
        mask &= ~(uint32_t)DW_OBS_HAS_CLASS;   /* all-zero scores are not written */
    if (o->t_us != b->t_us || strcmp(o->sensor, b->sensor) || o->kind != b->kind ||
        (o->has & mask) != (b->has & mask) || o->icao != b->icao || o->mode3a != b->mode3a ||
        strcmp(o->callsign, b->callsign) || strcmp(o->rid, b->rid))
        die("obs identity, time or has bits changed", json);
    if (o->lat_deg != b->lat_deg || o->lon_deg != b->lon_deg || o->alt_m != b->alt_m ||
        o->range_m != b->range_m || !same_angle(o->az_rad, b->az_rad) ||
        fabs(o->el_rad - b->el_rad) > 1e-9 || !near_rel(o->sigma_pos_m, b->sigma_pos_m) ||
        o->sigma_alt_m != b->sigma_alt_m || o->sigma_range_m != b->sigma_range_m ||
        !near_rel(o->sigma_az_rad, b->sigma_az_rad) || !near_rel(o->sigma_el_rad, b->sigma_el_rad) ||
        o->rcs_m2 != b->rcs_m2 || o->amplitude_db != b->amplitude_db)
        die("obs numbers changed", json);
    for (int i = 0; i < 3; i++)
        if (!near_rel(o->vel_enu_mps[i], b->vel_enu_mps[i]))
            die("obs velocity changed", json);
    if (any)
        for (int c = 0; c < DW_NCLASSES; c++)
            if (o->class_score[c] != b->class_score[c])
                die("obs class scores changed", json);
}

/* The stream pass: what a driver would do, checking each record as it comes. */
typedef struct stream_ctx {
    run *r;
    char *raws[64];
    int n_raws;
    dw_obs obs[64];
    int n_obs;
} stream_ctx;

static void s_raw(void *ctx, const char *json, size_t len)
{
    stream_ctx *c = ctx;
    if (strlen(json) != len)
        die("raw length is not the text's", json);
    if (c->n_raws < 64) {
        c->raws[c->n_raws] = malloc(len + 1);
        memcpy(c->raws[c->n_raws++], json, len + 1);
    }
}

static void s_obs(void *ctx, const dw_obs *o)
{
    stream_ctx *c = ctx;
    if (c->n_obs < 64)
        c->obs[c->n_obs++] = *o;
}

static void canon_nan(float *f)
{
    if (isnan(*f))
        *f = NAN;
}

/* Floats travel as doubles through the typed encoder: a signalling NaN comes back quiet. */
static void canon(dw_sapient_msg *m)
{
    switch (m->kind) {
    case DW_SAPIENT_DETECTION_REPORT:
        canon_nan(&m->u.det.detection_confidence);
        for (size_t i = 0; i < m->u.det.n_classes; i++)
            canon_nan(&m->u.det.classes[i].confidence);
        break;
    case DW_SAPIENT_ALERT:
        canon_nan(&m->u.alert.ranking);
        canon_nan(&m->u.alert.confidence);
        break;
    case DW_SAPIENT_REGISTRATION:
        canon_nan(&m->u.reg.status_interval_s);
        /* An empty icd_version is written as the version's own name. */
        if (!m->u.reg.icd_version[0])
            strcpy(m->u.reg.icd_version, m->hdr.version == DW_SAPIENT_V1_0 ? "BSI Flex 335 v1.0"
                                                                           : "BSI Flex 335 v2.0");
        break;
    default:
        break;
    }
}

static void typed_round_trip(const uint8_t *msg, size_t len)
{
    static dw_sapient_msg a, b;
    if (dw_sapient_parse(msg, len, 0, &a) != DW_OK || a.kind == DW_SAPIENT_OTHER)
        return;
    canon(&a);
    uint8_t *end = NULL;
    dw_status s = dw_sapient_encode(&a, out, out + sizeof out, &end);
    if (s != DW_OK)
        die("the typed encoder refused what the parser made", dw_status_name(s));
    if (dw_sapient_parse(out + 4, (size_t)(end - out - 4), a.hdr.version, &b) != DW_OK)
        die("the typed encoding does not parse", NULL);
    canon(&b);
    if (memcmp(&a, &b, sizeof a))
        die("the typed message changed on the round trip", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        dw_log_set_level(-1, DW_LOG_OFF);
        codec = dw_codec_find("sapient");
        if (!codec)
            die("no sapient codec", NULL);
        init = 1;
    }
    run r = {0};

    /* 1. A stream, framed as the driver frames it. */
    void *st;
    if (codec->create(NULL, &st) != DW_OK)
        die("create failed", NULL);
    stream_ctx c = {0};
    c.r = &r;
    dw_decode_sink k = {0};
    k.raw = s_raw;
    k.obs = s_obs;
    k.ctx = &c;
    k.want_raw = k.want_obs = 1;
    size_t at = 0;
    while (at < size) {
        size_t skip = 0, flen = 0;
        dw_status fs = codec->frame(data + at, size - at, &skip, &flen);
        if (skip > size - at)
            die("frame skipped past the end", NULL);
        at += skip;
        if (fs != DW_OK)
            break;
        if (flen < 4 || flen > size - at)
            die("frame length outside the buffer", NULL);
        uint64_t before = k.stats.frames + k.stats.malformed;
        dw_status ds = codec->decode(st, data + at, flen, NULL, &k);
        /* frame() checks the start of a long message only; a short one it checked whole. */
        if (ds != DW_OK && flen - 4 <= DW__SAP_PLAUSIBLE_WINDOW)
            die("decode refused a frame that frame() found", NULL);
        if (k.stats.frames + k.stats.malformed == before)
            die("a frame was not counted", NULL);
        typed_round_trip(data + at + 4, flen - 4);
        at += flen;
    }
    codec->destroy(st);
    for (int i = 0; i < c.n_raws; i++) {
        json_round_trip(&r, c.raws[i]);
        free(c.raws[i]);
    }
    for (int i = 0; i < c.n_obs; i++)
        obs_round_trip(&r, &c.obs[i], "(stream obs)");

    /* 2. The whole input as one frame, whatever its prefix says. */
    if (size >= 4) {
        if (codec->create(NULL, &st) != DW_OK)
            die("create failed", NULL);
        memset(&c, 0, sizeof c);
        k.stats = (dw_decode_stats){0};
        dw_frame_meta meta = {0};
        meta.rx_us = 1757451000000000LL;
        dw_status ds = codec->decode(st, data, size, &meta, &k);
        if (ds != DW_OK && ds != DW_ERR_PARSE)
            die("decode returned neither OK nor PARSE", dw_status_name(ds));
        codec->destroy(st);
        for (int i = 0; i < c.n_raws; i++)
            free(c.raws[i]);
        typed_round_trip(data + 4, size - 4);
        (void)codec->detect(data, size, &meta);
    }

    /* 3. JSON in: what encodes must decode to JSON that encodes to the same bytes. */
    if (size > 0 && data[0] == '{') {
        static uint8_t first[DW_SAPIENT_MSG_MAX + 4];
        uint8_t *end = NULL;
        char err[256];
        if (dw_sapient_encode_json((const char *)data, size, DW_SAPIENT_V2_0, first,
                                   first + sizeof first, &end, err, sizeof err) == DW_OK) {
            size_t n = (size_t)(end - first);
            /* Bytes without content are no message; the rest must decode. */
            if (check_decode(&r, "sapient=2.0", first, n) == DW_OK &&
                r.json && !strstr(r.json, "\"_unknown_fields\":")) {
                char *raw = r.json;
                r.json = NULL;
                if (dw_sapient_encode_json(raw, strlen(raw), 0, out, out + sizeof out, &end, err,
                                           sizeof err) != DW_OK)
                    die(err, raw);
                if ((size_t)(end - out) != n || memcmp(out, first, n))
                    die("JSON → bytes → JSON → bytes changed the bytes", raw);
                free(raw);
            }
        }
    }
    free(r.json);
    return 0;
}

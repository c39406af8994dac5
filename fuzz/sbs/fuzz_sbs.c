/* fuzz_sbs.c — the SBS (BaseStation) codec on arbitrary bytes, and its encoder on what it decodes.
 *
 * Every observation the decoder produces must survive encode_obs → decode
 * (STYLE.md's round trip): the same kind, time, identity, has bits and
 * sigmas, latitude and longitude exactly, altitude and velocity to 1e-9
 * relative (they travel as ten significant digits of feet and knots).
 * Raw items must be JSON objects and counters must add up.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const dw_codec_ops dw_codec_sbs;

static void die(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_sbs: %s\n%s\n", what, text ? text : "");
    abort();
}

typedef struct ctx {
    void *back;             /* a second decoder fed with what we encode */
    dw_obs last;            /* its last observation */
    int got;
    char text[4096];
} ctx;

static void on_raw(void *c, const char *json, size_t len)
{
    (void)c;
    json_error_t e;
    json_t *j = json_loadb(json, len, 0, &e);
    if (!j || !json_is_object(j))
        die("raw item is not a JSON object", json);
    json_decref(j);
}

static void on_back(void *c, const dw_obs *o)
{
    ctx *x = c;
    x->last = *o;
    x->got++;
}

static int close_enough(double a, double b)
{
    return a == b || fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b)) || fabs(a - b) < 1e-9;
}

static void compare(const dw_obs *a, const dw_obs *b, const char *text)
{
    if (a->kind != b->kind || a->t_us != b->t_us || a->has != b->has || a->icao != b->icao ||
        a->mode3a != b->mode3a || strcmp(a->callsign, b->callsign) || strcmp(a->sensor, b->sensor))
        die("round trip changed kind, time, identity or has bits", text);
    if (a->lat_deg != b->lat_deg || a->lon_deg != b->lon_deg)
        die("round trip changed the position", text);
    if (a->sigma_pos_m != b->sigma_pos_m || a->sigma_alt_m != b->sigma_alt_m)
        die("round trip changed a sigma", text);
    if (!close_enough(a->alt_m, b->alt_m))
        die("round trip changed the altitude", text);
    for (int i = 0; i < 3; i++)
        if (!close_enough(a->vel_enu_mps[i], b->vel_enu_mps[i]))
            die("round trip changed the velocity", text);
}

static void on_obs(void *c, const dw_obs *o)
{
    ctx *x = c;
    uint8_t *end;
    dw_status st = dw_codec_sbs.encode_obs(NULL, o, (uint8_t *)x->text,
                                           (uint8_t *)x->text + sizeof x->text - 1, &end);
    if (st == DW_ERR_UNSUPPORTED && !(o->has & 16 /* DW_OBS_HAS_ICAO */))
        return;                 /* a non-ICAO address: SBS cannot say "~" back */
    if (st != DW_OK)
        die("encode_obs refused an observation the decoder made", NULL);
    *end = '\0';
    dw_decode_sink sink = {NULL, on_back, x, 0, 1, {0}};
    x->got = 0;
    const uint8_t *p = (const uint8_t *)x->text;
    size_t len = (size_t)(end - (uint8_t *)x->text);
    while (len) {
        size_t skip, fl;
        if (dw_codec_sbs.frame(p, len, &skip, &fl) != DW_OK)
            die("our own lines do not frame", x->text);
        if (dw_codec_sbs.decode(x->back, p + skip, fl, NULL, &sink) != DW_OK)
            die("our own line does not decode", x->text);
        p += skip + fl;
        len -= skip + fl;
    }
    if (x->got != 1)
        die("one observation encoded, not one decoded back", x->text);
    compare(o, &x->last, x->text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        dw_log_set_level(-1, DW_LOG_OFF);
        quiet = 1;
    }
    ctx x;
    memset(&x, 0, sizeof x);
    void *st;
    if (dw_codec_sbs.create(NULL, &st) != DW_OK || dw_codec_sbs.create(NULL, &x.back) != DW_OK)
        die("create", NULL);
    dw_decode_sink sink = {on_raw, on_obs, &x, 1, 1, {0}};
    dw_frame_meta meta = {1700000000123000LL, DW_LINK_STREAM, 0, 0, "fuzz"};
    dw_codec_sbs.detect(data, size, &meta);
    size_t off = 0;
    for (;;) {
        size_t skip = (size_t)-1, fl = (size_t)-1;
        dw_status s = dw_codec_sbs.frame(data + off, size - off, &skip, &fl);
        if (skip > size - off)
            die("frame skipped past the end", NULL);
        off += skip;
        if (s != DW_OK)
            break;
        if (fl == 0 || fl > size - off)
            die("frame length out of the buffer", NULL);
        uint64_t before = sink.stats.frames + sink.stats.malformed;
        dw_status d = dw_codec_sbs.decode(st, data + off, fl, &meta, &sink);
        if (d != DW_OK && d != DW_ERR_PARSE)
            die("decode status", NULL);
        if (sink.stats.frames + sink.stats.malformed != before + 1)
            die("a line was neither decoded nor counted malformed", NULL);
        off += fl;
    }
    /* the tail without a newline, as a driver does at the end of a file */
    if (off < size)
        dw_codec_sbs.decode(st, data + off, size - off, &meta, &sink);
    dw_codec_sbs.destroy(st);
    dw_codec_sbs.destroy(x.back);
    return 0;
}

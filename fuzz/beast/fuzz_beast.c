/* fuzz_beast.c — the Beast and AVR codecs, and Mode S underneath, on arbitrary bytes.
 *
 * The same input goes three ways: as a Beast stream (framed and decoded the
 * way a stream driver does, in two chunkings that must agree), as AVR text,
 * and cut into 7/14-byte replies straight into dw_modes_decode/update with
 * the parity forced good, so the CPR and table code sees frames the CRC
 * would normally keep away. Beyond "no crash, no leak, no UB": every raw
 * item must be valid JSON, every observation must be a finite position on
 * the globe, and the counters must add up.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/log.h"
#include "dronewall/modes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const dw_codec_ops dw_codec_beast;
extern const dw_codec_ops dw_codec_avr;

static void die(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_beast: %s\n%s\n", what, text ? text : "");
    abort();
}

typedef struct acc {
    uint64_t hash;      /* of everything the sink saw, to compare chunkings */
    size_t raws, obs;
} acc;

static void mix(acc *a, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        a->hash = (a->hash ^ b[i]) * 0x100000001b3ull;
}

static void on_raw(void *ctx, const char *json, size_t len)
{
    acc *a = ctx;
    json_error_t e;
    json_t *j = json_loadb(json, len, 0, &e);
    if (!j || !json_is_object(j))
        die("raw item is not a JSON object", json);
    json_decref(j);
    mix(a, json, len);
    a->raws++;
}

static void check_obs(const dw_obs *o)
{
    if (!(o->has & DW_OBS_HAS_POS) || !isfinite(o->lat_deg) || !isfinite(o->lon_deg) ||
        fabs(o->lat_deg) > 90 || fabs(o->lon_deg) > 180)
        die("observation off the globe", o->sensor);
    if ((o->has & DW_OBS_HAS_ALT) && !isfinite(o->alt_m))
        die("altitude not finite", o->sensor);
    if (!(o->sigma_pos_m > 0) || !isfinite(o->sigma_pos_m))
        die("bad sigma", o->sensor);
    for (int i = 0; i < 3; i++)
        if (!isfinite(o->vel_enu_mps[i]))
            die("velocity not finite", o->sensor);
}

static void on_obs(void *ctx, const dw_obs *o)
{
    acc *a = ctx;
    check_obs(o);
    mix(a, &o->t_us, sizeof o->t_us);
    mix(a, &o->lat_deg, sizeof o->lat_deg);
    mix(a, &o->lon_deg, sizeof o->lon_deg);
    a->obs++;
}

static acc run(const dw_codec_ops *c, const dw_codec_config *cfg, const uint8_t *data,
               size_t size, size_t chunk)
{
    acc a = {0xcbf29ce484222325ull, 0, 0};
    void *st;
    if (c->create(cfg, &st) != DW_OK)
        die("create failed", NULL);
    dw_decode_sink sink = {on_raw, on_obs, &a, 1, 1, {0}};
    dw_frame_meta meta = {1700000000000000LL, DW_LINK_STREAM, 0, 0, "fuzz"};
    c->detect(data, size, &meta);
    uint8_t *buf = malloc(size + 1);
    size_t have = 0, fed = 0;
    while (fed < size) {
        size_t n = size - fed < chunk ? size - fed : chunk;
        memcpy(buf + have, data + fed, n);
        have += n;
        fed += n;
        size_t off = 0;
        for (;;) {
            size_t skip = (size_t)-1, fl = (size_t)-1;
            dw_status s = c->frame(buf + off, have - off, &skip, &fl);
            if (skip > have - off)
                die("frame skipped past the end", c->name);
            off += skip;
            if (s == DW_ERR_EOF)
                break;
            if (s != DW_OK)
                die("frame returned neither OK nor EOF", c->name);
            if (fl == 0 || fl > have - off)
                die("frame length out of the buffer", c->name);
            uint64_t before = sink.stats.frames + sink.stats.malformed;
            dw_status d = c->decode(st, buf + off, fl, &meta, &sink);
            if (d != DW_OK && d != DW_ERR_PARSE)
                die("decode returned an unexpected status", c->name);
            if (sink.stats.frames + sink.stats.malformed != before + 1)
                die("a frame was neither decoded nor counted malformed", c->name);
            off += fl;
        }
        memmove(buf, buf + off, have - off);
        have -= off;
    }
    free(buf);
    if (sink.stats.obs != a.obs)
        die("stats.obs differs from the observations delivered", c->name);
    c->destroy(st);
    return a;
}

static void modes_direct(const uint8_t *data, size_t size, int has_ref)
{
    dw_modes_config mc = {.max_aircraft = 8, .has_ref = has_ref, .ref_lat_deg = 59.8,
                          .ref_lon_deg = 30.3};
    dw_modes_table *t;
    if (dw_modes_table_create(&mc, &t) != DW_OK)
        die("table create", NULL);
    char json[2048];
    int64_t now = 0;
    for (size_t i = 0; i + 7 <= size;) {
        size_t len = dw_modes_len(data[i]);
        if (i + len > size)
            break;
        dw_modes_msg m;
        dw_status st = dw_modes_decode(data + i, len, &m);
        if (st == DW_ERR_PARSE)
            die("a reply of its own length refused", NULL);
        m.crc_ok = 1;
        now += (int64_t)(data[i + len - 1] & 0x3f) * 250000;    /* up to 16 s steps */
        dw_modes_aircraft *ac = NULL;
        if (dw_modes_update(t, &m, now, &ac) == DW_OK && (m.has & DW_MODES_HAS_POS)) {
            dw_obs o;
            if (dw_modes_obs(ac, &m, now, "F", &o) != DW_OK)
                die("no obs for a position", NULL);
            check_obs(&o);
        }
        dw_jw w;
        dw_jw_init(&w, json, sizeof json);
        dw_jw_obj(&w);
        dw_modes_json(&w, &m);
        dw_jw_obj_end(&w);
        json_error_t e;
        json_t *j = json_loadb(json, dw_jw_len(&w), 0, &e);
        if (!dw_jw_ok(&w) || !j)
            die("modes JSON", json);
        json_decref(j);
        i += len;
    }
    if (dw_modes_table_count(t) > 8)
        die("table over capacity", NULL);
    dw_modes_table_destroy(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        dw_log_set_level(-1, DW_LOG_OFF);
        quiet = 1;
    }
    if (size == 0)
        return 0;
    dw_codec_config cfg = {0};
    if (data[0] & 1) {
        cfg.has_ref = 1;
        cfg.ref_lat_deg = 59.8;
        cfg.ref_lon_deg = 30.3;
    }
    acc whole = run(&dw_codec_beast, &cfg, data, size, size);
    acc bits = run(&dw_codec_beast, &cfg, data, size, 1 + data[size - 1] % 17);
    if (whole.hash != bits.hash || whole.raws != bits.raws || whole.obs != bits.obs)
        die("chunking changed the Beast decode", NULL);
    acc a1 = run(&dw_codec_avr, &cfg, data, size, size);
    acc a2 = run(&dw_codec_avr, &cfg, data, size, 1 + data[0] % 13);
    if (a1.hash != a2.hash || a1.raws != a2.raws)
        die("chunking changed the AVR decode", NULL);
    modes_direct(data, size, cfg.has_ref);
    return 0;
}

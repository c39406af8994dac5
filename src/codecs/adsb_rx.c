/* adsb_rx.c — the receiver behind the Beast and AVR codecs (adsb_rx.h). */
#include "adsb_rx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/jsonw.h"

#define TICKS_MASK 0xFFFFFFFFFFFFull
#define US_PER_S 1000000LL
/* A counter jump backwards larger than this is a receiver restart, not the
 * reordering a TCP relay can cause. */
#define RESET_BACK_US (10 * US_PER_S)
/* A live receive clock this far from the counter's time re-anchors it. */
#define DRIFT_US (5 * US_PER_S)

dw_status dw__adsb_rx_create(const dw_codec_config *cfg, const char *codec, const char *sensor,
                             dw__adsb_rx **out)
{
    if (!out)
        return DW_ERR_INVALID;
    dw_modes_config mc = {0};
    if (cfg && cfg->has_ref) {
        mc.has_ref = 1;
        mc.ref_lat_deg = cfg->ref_lat_deg;
        mc.ref_lon_deg = cfg->ref_lon_deg;
    }
    dw__adsb_rx *rx = calloc(1, sizeof *rx);
    if (!rx)
        return DW_ERR_NOMEM;
    dw_status st = dw_modes_table_create(&mc, &rx->table);
    if (st != DW_OK) {
        free(rx);
        return st;
    }
    rx->codec = codec;
    rx->sensor = sensor;
    rx->rl = (dw_ratelimit)DW_RATELIMIT_INIT(1.0, 5.0);
    *out = rx;
    return DW_OK;
}

void dw__adsb_rx_destroy(dw__adsb_rx *rx)
{
    if (!rx)
        return;
    dw_modes_table_destroy(rx->table);
    free(rx);
}

/* ticks a - b as a signed 48-bit count */
static int64_t tick_diff(uint64_t a, uint64_t b)
{
    uint64_t d = (a - b) & TICKS_MASK;
    return (d & (1ull << 47)) ? (int64_t)d - (int64_t)(1ull << 48) : (int64_t)d;
}

static int64_t ticks_to_us(int64_t ticks)
{
    /* 12 ticks per microsecond, rounded toward minus infinity */
    return ticks >= 0 ? ticks / 12 : -((-ticks + 11) / 12);
}

static void anchor(dw__adsb_rx *rx, uint64_t ticks, int64_t t_us, int64_t rx_us)
{
    rx->anchored = 1;
    rx->anchor_ticks = ticks;
    rx->anchor_t_us = t_us;
    rx->anchor_rx_us = rx_us;
}

int64_t dw__adsb_rx_time(dw__adsb_rx *rx, int has_ticks, uint64_t ticks, int64_t rx_us)
{
    ticks &= TICKS_MASK;
    if (!has_ticks || ticks == 0 || ticks == DW_BEAST_MLAT_MAGIC) {
        /* no counter (or a synthesised MLAT frame): the receive time */
        if (rx_us)
            rx->last_t_us = rx_us;
        return rx->last_t_us;
    }
    if (!rx->anchored) {
        anchor(rx, ticks, rx_us ? rx_us : rx->last_t_us, rx_us);
    } else if (ticks_to_us(tick_diff(ticks, rx->last_ticks)) < -RESET_BACK_US) {
        anchor(rx, ticks, rx_us && rx_us != rx->anchor_rx_us ? rx_us : rx->last_t_us, rx_us);
    }
    int64_t t = rx->anchor_t_us + ticks_to_us(tick_diff(ticks, rx->anchor_ticks));
    /* A container with its own clock (pcap of a TCP feed) that disagrees:
     * trust the clock. A constant rx_us (a file's start) never moves. */
    if (rx_us && rx_us != rx->anchor_rx_us && llabs(rx_us - t) > DRIFT_US) {
        anchor(rx, ticks, rx_us, rx_us);
        t = rx_us;
    }
    rx->last_ticks = ticks;
    rx->last_t_us = t;
    return t;
}

void dw__adsb_rx_bad(dw__adsb_rx *rx, const dw_frame_meta *meta, dw_decode_sink *sink,
                     const char *why)
{
    sink->stats.malformed++;
    /* the stream's own time keeps the limit deterministic on replay */
    DW_LOG_RL(&rx->rl, rx->last_t_us, DW_LOG_CODEC, DW_LOG_DEBUG, "%s: %s: %s", rx->codec,
              meta && meta->source ? meta->source : "-", why);
}

void dw__adsb_rx_json_head(dw__adsb_rx *rx, dw_jw *w, const dw__adsb_frame *f)
{
    dw_jw_init(w, rx->json, sizeof rx->json);
    dw_jw_obj(w);
    dw_jw_kstr(w, "codec", rx->codec);
    dw_jw_kstr(w, "type", f->type);
    dw_jw_kint(w, "t_us", f->t_us);
    if (f->has_ticks)
        dw_jw_kint(w, "mlat_ticks", (int64_t)f->ticks);
    if (f->has_signal)
        dw_jw_kint(w, "signal", f->signal);
}

void dw__adsb_rx_emit(dw_jw *w, dw_decode_sink *sink)
{
    dw_jw_obj_end(w);
    if (dw_jw_ok(w) && sink->raw)
        sink->raw(sink->ctx, w->start, dw_jw_len(w));
}

void dw__adsb_modeac_json(dw_jw *w, uint16_t v)
{
    unsigned a = v >> 12 & 0xf, b = v >> 8 & 0xf, c = v >> 4 & 0xf, d = v & 0xf;
    if ((a | b | c | d) & 8)
        return;                         /* not four octal digits */
    char code[5] = {(char)('0' + a), (char)('0' + b), (char)('0' + c), (char)('0' + d), 0};
    dw_jw_kstr(w, "code", code);
    /* the same digits in the 13-bit ID layout C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4 */
    unsigned id = (c & 1) << 12 | (a & 1) << 11 | (c >> 1 & 1) << 10 | (a >> 1 & 1) << 9 |
                  (c >> 2 & 1) << 8 | (a >> 2 & 1) << 7 | (b & 1) << 5 | (d & 1) << 4 |
                  (b >> 1 & 1) << 3 | (d >> 1 & 1) << 2 | (b >> 2 & 1) << 1 | (d >> 2 & 1);
    int32_t alt;
    if (dw_modes_gillham_ft(id, &alt) == DW_OK)
        dw_jw_kint(w, "alt_modec_ft", alt);
}

dw_status dw__adsb_rx_modes(dw__adsb_rx *rx, const uint8_t *msg, size_t len,
                            const dw__adsb_frame *f, dw_decode_sink *sink)
{
    dw_modes_msg m;
    dw_status st = dw_modes_decode(msg, len, &m);
    if (st == DW_ERR_PARSE) {
        sink->stats.malformed++;
        return DW_ERR_PARSE;
    }
    sink->stats.records++;
    dw_modes_aircraft *ac = NULL;
    dw_status ust = dw_modes_update(rx->table, &m, f->t_us, &ac);
    if (ust == DW_ERR_NOT_FOUND)
        sink->stats.crc_errors++;
    else if (st == DW_ERR_UNSUPPORTED || ust == DW_ERR_UNSUPPORTED)
        sink->stats.unknown++;

    if (sink->want_raw && sink->raw) {
        dw_jw w;
        dw__adsb_rx_json_head(rx, &w, f);
        dw_modes_json(&w, &m);
        dw__adsb_rx_emit(&w, sink);
    }
    if (sink->want_obs && sink->obs && ust == DW_OK && (m.has & DW_MODES_HAS_POS)) {
        dw_obs o;
        if (dw_modes_obs(ac, &m, f->t_us, rx->sensor, &o) == DW_OK) {
            if (f->has_signal && f->signal > 0) {
                o.amplitude_db = 20.0 * log10(f->signal / 255.0);
                o.has |= DW_OBS_HAS_AMPLITUDE;
            }
            sink->obs(sink->ctx, &o);
            sink->stats.obs++;
        }
    }
    return DW_OK;
}

/* codec_avr.c — AVR text (dump1090 port 30002): one reply per line as
 * "*HEX;" or, with the 12 MHz counter, "@TTTTTTTTTTTTHEX;" (12 hex digits of
 * counter first). 4 hex digits are a Mode A/C reply, 14 and 28 Mode S.
 * Same receiver, raw items and observations as Beast (docs/formats.md
 * "Beast"), with "codec":"avr" and sensor ADSB-AVR.
 */
#include <string.h>

#include "adsb_rx.h"
#include "dronewall/codec.h"

#define MAX_LINE 64             /* '@' + 12 + 28 + ';' and some slack */

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static dw_status avr_frame(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len)
{
    size_t i = 0;
    for (;;) {
        while (i < len && buf[i] != '*' && buf[i] != '@')
            i++;
        if (i >= len) {
            *skip = len;
            return DW_ERR_EOF;
        }
        size_t j = i + 1;
        while (j < len && j - i < MAX_LINE && buf[j] != ';' && buf[j] != '*' && buf[j] != '@' &&
               buf[j] != '\n')
            j++;
        if (j < len && buf[j] == ';') {
            j++;
            while (j < len && (buf[j] == '\r' || buf[j] == '\n'))
                j++;
            *skip = i;
            *frame_len = j - i;
            return DW_OK;
        }
        if (j >= len && j - i < MAX_LINE) {
            *skip = i;
            return DW_ERR_EOF;
        }
        i = j;                  /* no ';' where one must be: garbage */
    }
}

/* Parses "*HEX;" / "@T..HEX;" into bytes. Returns the byte count (2, 7, 14)
 * or 0 if malformed. */
static size_t parse_line(const uint8_t *s, size_t len, uint8_t out[14], int *has_ticks,
                         uint64_t *ticks)
{
    while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    if (len < 3 || (s[0] != '*' && s[0] != '@') || s[len - 1] != ';')
        return 0;
    size_t i = 1, end = len - 1;
    *has_ticks = s[0] == '@';
    *ticks = 0;
    if (*has_ticks) {
        if (end - i < 12)
            return 0;
        for (size_t k = 0; k < 12; k++) {
            int v = hexval(s[i++]);
            if (v < 0)
                return 0;
            *ticks = *ticks << 4 | (uint64_t)v;
        }
    }
    size_t nhex = end - i;
    if (nhex != 4 && nhex != 14 && nhex != 28)
        return 0;
    for (size_t k = 0; k < nhex / 2; k++) {
        int a = hexval(s[i + 2 * k]), b = hexval(s[i + 2 * k + 1]);
        if (a < 0 || b < 0)
            return 0;
        out[k] = (uint8_t)(a << 4 | b);
    }
    return nhex / 2;
}

static int avr_detect(const uint8_t *buf, size_t len, const dw_frame_meta *meta)
{
    if (meta && meta->linktype > 0)
        return 0;
    size_t i = 0;
    while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
        i++;
    int n = 0;
    while (i < len && n < 3) {
        size_t skip = 0, fl = 0;
        if (avr_frame(buf + i, len - i, &skip, &fl) != DW_OK || skip != 0)
            break;
        uint8_t b[14];
        int ht;
        uint64_t tk;
        if (!parse_line(buf + i, fl, b, &ht, &tk))
            break;
        n++;
        i += fl;
    }
    if (n >= 3)
        return 90;
    if (n >= 1 && i >= len)
        return 60;
    return 0;
}

static dw_status avr_create(const dw_codec_config *cfg, void **state)
{
    dw__adsb_rx *rx;
    dw_status st = dw__adsb_rx_create(cfg, "avr", "ADSB-AVR", &rx);
    if (st == DW_OK)
        *state = rx;
    return st;
}

static void avr_destroy(void *state) { dw__adsb_rx_destroy(state); }

static dw_status avr_decode(void *state, const uint8_t *frame, size_t len,
                            const dw_frame_meta *meta, dw_decode_sink *sink)
{
    dw__adsb_rx *rx = state;
    uint8_t b[14];
    int has_ticks = 0;
    uint64_t ticks = 0;
    if (!rx || !frame)
        return DW_ERR_INVALID;
    size_t n = parse_line(frame, len, b, &has_ticks, &ticks);
    if (!n || (n > 2 && dw_modes_len(b[0]) != n)) {
        dw__adsb_rx_bad(rx, meta, sink, n ? "reply of the wrong length for its DF"
                                          : "not a *HEX; or @TIMEHEX; line");
        return DW_ERR_PARSE;
    }
    sink->stats.frames++;
    dw__adsb_frame f = {.has_ticks = has_ticks, .ticks = ticks};
    f.t_us = dw__adsb_rx_time(rx, has_ticks, ticks, meta ? meta->rx_us : 0);
    if (n == 2) {
        sink->stats.records++;
        if (sink->want_raw && sink->raw) {
            dw_jw w;
            f.type = "modeac";
            dw__adsb_rx_json_head(rx, &w, &f);
            dw_jw_key(&w, "hex");
            dw_jw_hex(&w, b, 2);
            dw__adsb_modeac_json(&w, (uint16_t)(b[0] << 8 | b[1]));
            dw__adsb_rx_emit(&w, sink);
        }
        return DW_OK;
    }
    f.type = n == 7 ? "modes_short" : "modes_long";
    return dw__adsb_rx_modes(rx, b, n, &f, sink);
}

const dw_codec_ops dw_codec_avr = {
    .name = "avr",
    .summary = "AVR text Mode S (dump1090 port 30002): *HEX; and @TIMESTAMPHEX; lines",
    .detect = avr_detect,
    .frame = avr_frame,
    .create = avr_create,
    .destroy = avr_destroy,
    .decode = avr_decode,
};

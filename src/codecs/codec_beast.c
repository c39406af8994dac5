/* codec_beast.c — Mode-S Beast binary (dump1090/readsb port 30005).
 *
 * A frame is 0x1a, a type ('1' Mode A/C, '2' Mode S short, '3' Mode S long,
 * '4' status), a 48-bit 12 MHz counter, a signal byte and the payload, with
 * every 0x1a after the first doubled. The stream has no other sync, so after
 * garbage a frame start is a 0x1a + type that is not the second half of a
 * doubled 0x1a; a lone 0x1a inside a frame means the frame was cut and the
 * next one starts there. Replies go through the shared receiver (adsb_rx.h);
 * raw items and observations are described in docs/formats.md "Beast".
 */
#include <string.h>

#include "adsb_rx.h"
#include "dronewall/codec.h"
#include "dronewall/modes.h"

#define BEAST_ESC 0x1a
#define HDR 7                   /* counter + signal */
#define MAX_BODY (HDR + 14)

static size_t payload_len(uint8_t type)
{
    switch (type) {
    case DW_BEAST_MODEAC: return 2;
    case DW_BEAST_SHORT: return 7;
    case DW_BEAST_LONG: return 14;
    case DW_BEAST_STATUS: return 14;
    default: return 0;
    }
}

/* Unescape the frame at buf (buf[0] = 0x1a, buf[1] a type) into out[want].
 * 1: complete, *used escaped bytes; 0: needs more bytes; -1: cut short by
 * a lone 0x1a at offset *used. */
static int unescape(const uint8_t *buf, size_t len, uint8_t *out, size_t want, size_t *used)
{
    size_t i = 2, n = 0;
    while (n < want) {
        if (i >= len)
            return 0;
        uint8_t b = buf[i];
        if (b == BEAST_ESC) {
            if (i + 1 >= len)
                return 0;
            if (buf[i + 1] != BEAST_ESC) {
                *used = i;
                return -1;
            }
            i += 2;
        } else {
            i++;
        }
        out[n++] = b;
    }
    *used = i;
    return 1;
}

/* Offset of the next frame start at or after i. Without one: len when every
 * byte was examined, len - 1 when the last byte could not be (it may be the
 * 0x1a of a frame start or of a doubled 0x1a whose partner is still to come). */
static size_t find_sync(const uint8_t *buf, size_t len, size_t i)
{
    while (i + 1 < len) {
        if (buf[i] == BEAST_ESC) {
            if (payload_len(buf[i + 1]))
                return i;
            if (buf[i + 1] == BEAST_ESC) {
                i += 2;         /* a doubled 0x1a is data */
                continue;
            }
        }
        i++;
    }
    return i < len ? i : len;
}

static dw_status beast_frame(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len)
{
    size_t i = 0;
    for (;;) {
        i = find_sync(buf, len, i);
        if (i + 1 >= len) {
            /* keep an unexamined trailing 0x1a: it may start the next frame */
            *skip = (i + 1 == len && buf[i] == BEAST_ESC) ? i : len;
            return DW_ERR_EOF;
        }
        uint8_t body[MAX_BODY];
        size_t used = 0;
        int r = unescape(buf + i, len - i, body, HDR + payload_len(buf[i + 1]), &used);
        if (r == 1) {
            *skip = i;
            *frame_len = used;
            return DW_OK;
        }
        if (r == 0) {
            *skip = i;
            return DW_ERR_EOF;
        }
        i += used;              /* resync at the lone 0x1a */
    }
}

/* Consecutive whole frames from the first sync in buf. */
static int beast_detect(const uint8_t *buf, size_t len, const dw_frame_meta *meta)
{
    if (meta && meta->linktype > 0)
        return 0;               /* link-layer frames (802.11, BLE) are not ours */
    size_t i = find_sync(buf, len, 0);
    if (i > 64 || i + 1 >= len)
        return 0;
    int n = 0;
    while (i + 1 < len && n < 4) {
        if (buf[i] != BEAST_ESC || !payload_len(buf[i + 1]))
            break;
        uint8_t body[MAX_BODY];
        size_t used = 0;
        int r = unescape(buf + i, len - i, body, HDR + payload_len(buf[i + 1]), &used);
        if (r != 1)
            break;
        /* a Mode S payload must announce its own length */
        if ((buf[i + 1] == DW_BEAST_SHORT || buf[i + 1] == DW_BEAST_LONG) &&
            dw_modes_len(body[HDR]) != payload_len(buf[i + 1]))
            break;
        n++;
        i += used;
    }
    if (n >= 3)
        return 95;
    if (n >= 1 && i >= len)
        return 60;              /* all of a short buffer */
    return n ? 30 : 0;
}

static dw_status beast_create(const dw_codec_config *cfg, void **state)
{
    dw__adsb_rx *rx;
    dw_status st = dw__adsb_rx_create(cfg, "beast", "ADSB-BEAST", &rx);
    if (st == DW_OK)
        *state = rx;
    return st;
}

static void beast_destroy(void *state) { dw__adsb_rx_destroy(state); }

static dw_status beast_decode(void *state, const uint8_t *frame, size_t len,
                              const dw_frame_meta *meta, dw_decode_sink *sink)
{
    dw__adsb_rx *rx = state;
    uint8_t body[MAX_BODY];
    size_t used = 0;
    if (!rx || !frame)
        return DW_ERR_INVALID;
    if (len < 2 || frame[0] != BEAST_ESC || !payload_len(frame[1]) ||
        unescape(frame, len, body, HDR + payload_len(frame[1]), &used) != 1 || used != len) {
        dw__adsb_rx_bad(rx, meta, sink, "not one whole frame");
        return DW_ERR_PARSE;
    }
    uint8_t type = frame[1];
    const uint8_t *p = body + HDR;
    if ((type == DW_BEAST_SHORT || type == DW_BEAST_LONG) &&
        dw_modes_len(p[0]) != payload_len(type)) {
        dw__adsb_rx_bad(rx, meta, sink, "Mode S reply of the wrong length for its DF");
        return DW_ERR_PARSE;
    }
    sink->stats.frames++;
    if (type == DW_BEAST_STATUS)
        return DW_OK;           /* receiver status: nothing for us, nor for the clock */
    uint64_t ticks = 0;
    for (int i = 0; i < 6; i++)
        ticks = ticks << 8 | body[i];
    dw__adsb_frame f = {
        .has_ticks = 1,
        .ticks = ticks,
        .has_signal = 1,
        .signal = body[6],
    };
    f.t_us = dw__adsb_rx_time(rx, 1, ticks, meta ? meta->rx_us : 0);

    switch (type) {
    case DW_BEAST_MODEAC:
        /* Mode A/C replies carry no address: raw only, no observation */
        sink->stats.records++;
        if (sink->want_raw && sink->raw) {
            dw_jw w;
            f.type = "modeac";
            dw__adsb_rx_json_head(rx, &w, &f);
            dw_jw_key(&w, "hex");
            dw_jw_hex(&w, p, 2);
            dw__adsb_modeac_json(&w, (uint16_t)(p[0] << 8 | p[1]));
            dw__adsb_rx_emit(&w, sink);
        }
        return DW_OK;
    case DW_BEAST_SHORT:
        f.type = "modes_short";
        return dw__adsb_rx_modes(rx, p, 7, &f, sink);
    case DW_BEAST_LONG:
        f.type = "modes_long";
        return dw__adsb_rx_modes(rx, p, 14, &f, sink);
    default:
        return DW_OK;
    }
}

const dw_codec_ops dw_codec_beast = {
    .name = "beast",
    .summary = "Mode-S Beast binary (dump1090/readsb port 30005): Mode S, ADS-B, Mode A/C",
    .detect = beast_detect,
    .frame = beast_frame,
    .create = beast_create,
    .destroy = beast_destroy,
    .decode = beast_decode,
};

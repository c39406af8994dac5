/* adsb_rx.h — what the Beast and AVR codecs share: a receiver.
 *
 * Both framings carry raw Mode S replies with an optional 12 MHz counter; a
 * receiver turns the counter into UTC microseconds (anchored to the first
 * frame's meta->rx_us, re-anchored when the counter resets or drifts from a
 * live clock), feeds each reply through dw_modes_decode and dw_modes_update,
 * and hands the sink one raw JSON object per reply and one dw_obs per
 * position. Internal to src/codecs; the receiver owns its aircraft table and
 * its JSON buffer, so decoding allocates nothing.
 */
#ifndef DW_CODECS_ADSB_RX_H
#define DW_CODECS_ADSB_RX_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/codec.h"
#include "dronewall/log.h"
#include "dronewall/modes.h"

typedef struct dw__adsb_rx {
    dw_modes_table *table;
    const char *codec;          /* "beast", "avr": the raw "codec" value     */
    const char *sensor;         /* "ADSB-BEAST", "ADSB-AVR": dw_obs.sensor   */
    int anchored;
    uint64_t anchor_ticks, last_ticks;
    int64_t anchor_t_us;        /* UTC of anchor_ticks                       */
    int64_t anchor_rx_us;       /* meta->rx_us when anchored                 */
    int64_t last_t_us;
    dw_ratelimit rl;            /* malformed-input messages */
    char json[2048];
} dw__adsb_rx;

/* What the framing knows of one reply besides its bytes. */
typedef struct dw__adsb_frame {
    const char *type;           /* raw "type": "modes_short", "modes_long"   */
    int has_ticks;
    uint64_t ticks;             /* 48-bit 12 MHz counter                     */
    int has_signal;
    uint8_t signal;             /* Beast RSSI byte: amplitude (sig/255)      */
    int64_t t_us;               /* from dw__adsb_rx_time                     */
} dw__adsb_frame;

dw_status dw__adsb_rx_create(const dw_codec_config *cfg, const char *codec, const char *sensor,
                             dw__adsb_rx **out);
void dw__adsb_rx_destroy(dw__adsb_rx *rx);

/* UTC of a frame from its counter (has_ticks) and the container's receive
 * time (0 if unknown). */
int64_t dw__adsb_rx_time(dw__adsb_rx *rx, int has_ticks, uint64_t ticks, int64_t rx_us);

/* One Mode S reply: DW_OK, or DW_ERR_PARSE (counted malformed) when its
 * length does not match its DF. */
dw_status dw__adsb_rx_modes(dw__adsb_rx *rx, const uint8_t *msg, size_t len,
                            const dw__adsb_frame *f, dw_decode_sink *sink);

/* Count a malformed frame and say why, at a rate limit (debug level). */
void dw__adsb_rx_bad(dw__adsb_rx *rx, const dw_frame_meta *meta, dw_decode_sink *sink,
                     const char *why);

/* Begin a raw JSON object with the framing's members; the caller adds its
 * own and calls dw__adsb_rx_emit. */
void dw__adsb_rx_json_head(dw__adsb_rx *rx, dw_jw *w, const dw__adsb_frame *f);
void dw__adsb_rx_emit(dw_jw *w, dw_decode_sink *sink);

/* Mode A/C reply as 4 octal digits in nibbles (dump1090's layout): the raw
 * "code" and, when it is a valid Gillham code, "alt_modec_ft". */
void dw__adsb_modeac_json(dw_jw *w, uint16_t nibbles);

#endif

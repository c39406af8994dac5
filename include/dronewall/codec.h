/* codec.h — the one table of wire formats (STYLE.md habit 2).
 *
 * Every sensor protocol dronewall reads is a codec: a const dw_codec_ops
 * named dw_codec_<name>, defined in src/codecs/codec_<name>.c. The build
 * finds those files and generates the table, so adding a codec is adding
 * one file. A codec says how sure it is that some bytes are its format
 * (detect), where the next frame ends in a byte stream (frame), and turns
 * one frame into records (decode): raw items as JSON text for people and
 * golden tests, and normalised dw_obs for the tracker. Encoding for the
 * pipeline's outputs is optional (encode_obs, encode_track); each codec's
 * own header has the full encoder of its raw items for round trips.
 *
 * Decoders never die on input: a malformed frame or record is counted in
 * the sink's stats and skipped, an unknown category or item is skipped by
 * its length where the format allows and counted. Decoders never track and
 * never read the clock: the time a frame was received is passed in.
 *
 * Ownership: a codec's state (create/destroy) belongs to the caller; the
 * frame bytes and everything passed to the sink are only valid during the
 * call.
 */
#ifndef DRONEWALL_CODEC_H
#define DRONEWALL_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/obs.h"
#include "dronewall/status.h"
#include "dronewall/track.h"

/* Link types of the packets a container hands over (pcap's LINKTYPE_*
 * values where one exists). */
enum {
    DW_LINK_STREAM = -1,        /* bytes of a stream (file, TCP): frame them */
    DW_LINK_DATAGRAM = -2,      /* one UDP payload: frame it too            */
    DW_LINK_IEEE802_11 = 105,
    DW_LINK_IEEE802_11_RADIOTAP = 127,
    DW_LINK_BLUETOOTH_LE_LL = 251,
    DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR = 256,
};

/* Where the bytes came from. */
typedef struct dw_frame_meta {
    int64_t rx_us;              /* receive time (capture time), 0 if unknown */
    int linktype;               /* DW_LINK_* */
    uint16_t src_port, dst_port;/* UDP/TCP ports where known               */
    const char *source;         /* file name or endpoint, for messages      */
} dw_frame_meta;

typedef struct dw_decode_stats {
    uint64_t frames;            /* frames decoded                           */
    uint64_t records;           /* records (items) decoded                  */
    uint64_t obs;               /* observations produced                   */
    uint64_t malformed;         /* frames or records skipped as malformed   */
    uint64_t unknown;           /* unknown categories/messages/items skipped*/
    uint64_t crc_errors;        /* failed checksums (Mode S)                */
    uint64_t skipped_bytes;     /* bytes of garbage between frames          */
} dw_decode_stats;

typedef struct dw_decode_sink {
    /* One raw record as one JSON object (no newline). Only called when
     * want_raw is set, so a decoder can skip building the text. */
    void (*raw)(void *ctx, const char *json, size_t len);
    /* One normalised observation. Only called when want_obs is set. */
    void (*obs)(void *ctx, const dw_obs *o);
    void *ctx;
    int want_raw, want_obs;
    dw_decode_stats stats;      /* the decoder adds to these */
} dw_decode_sink;

/* Settings a codec may use; zero is a sensible default for each. */
typedef struct dw_codec_config {
    double ref_lat_deg, ref_lon_deg;    /* receiver position, for local CPR;
                                           has_ref says whether it is set */
    int has_ref;
    const char *edition;                /* e.g. ASTERIX "cat021=2.6,cat048=1.32" */
} dw_codec_config;

typedef struct dw_codec_ops {
    const char *name;           /* "asterix", "beast", "sbs", ...           */
    const char *summary;        /* one line for --help                      */
    /* How sure, 0..100, that a stream or packet starting with buf is this
     * format (meta->linktype tells what kind of bytes they are). */
    int (*detect)(const uint8_t *buf, size_t len, const dw_frame_meta *meta);
    /* The next frame in buf: DW_OK with *skip bytes of garbage before it
     * and *frame_len bytes of frame; DW_ERR_EOF when more bytes are needed
     * (*skip may still be set to drop garbage). */
    dw_status (*frame)(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len);
    dw_status (*create)(const dw_codec_config *cfg, void **state);
    void (*destroy)(void *state);
    /* Decode one frame. Returns DW_OK, or DW_ERR_PARSE for a frame that was
     * skipped whole (counted in sink->stats.malformed). */
    dw_status (*decode)(void *state, const uint8_t *frame, size_t len, const dw_frame_meta *meta,
                        dw_decode_sink *sink);
    /* Optional: one frame from an observation or a track, into [buf, end);
     * *out_end is set on DW_OK. DW_ERR_UNSUPPORTED where the codec cannot
     * carry it, DW_ERR_FULL when it does not fit. */
    dw_status (*encode_obs)(void *state, const dw_obs *o, uint8_t *buf, uint8_t *end,
                            uint8_t **out_end);
    dw_status (*encode_track)(void *state, const dw_track *t, int64_t now_us, uint8_t *buf,
                              uint8_t *end, uint8_t **out_end);
} dw_codec_ops;

/* The table, in the order of the generated list; NULL-terminated. */
const dw_codec_ops *const *dw_codecs(void);
const dw_codec_ops *dw_codec_find(const char *name);
/* The codec most sure of buf (detect >= 50), or NULL. */
const dw_codec_ops *dw_codec_detect(const uint8_t *buf, size_t len, const dw_frame_meta *meta);

#endif

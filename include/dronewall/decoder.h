/* decoder.h — the driver between packets and codecs.
 *
 * A decoder takes what a capture (or a socket) delivers — stream bytes in
 * arbitrary pieces, datagrams, link-layer frames — and runs a codec over it:
 * it keeps the part of a stream that does not yet make a whole frame, asks
 * the codec where each frame starts and ends (frame), decodes each frame
 * into the sink (decode), and counts the bytes between frames as garbage
 * (sink->stats.skipped_bytes). A datagram (DW_LINK_DATAGRAM) is framed
 * within itself (an ASTERIX UDP payload may hold several data blocks); a
 * frame cut by its end is garbage too. A link-layer frame (meta->linktype a
 * pcap LINKTYPE: 802.11, Bluetooth LE...) is one frame, handed to decode
 * whole, as is every packet of a codec without frame().
 *
 * Each source — a stream, or the datagrams between one pair of ports, of
 * one link type, from one `meta->source` — has its own codec state and
 * reassembly buffer. With no codec given, each source's codec is found by
 * dw_codec_detect on its first bytes (a stream is also tried a byte at a
 * time further in, for captures that join mid-frame); until one matches,
 * every new datagram is tried again and the bytes no codec claims are
 * counted as skipped.
 *
 * Counting: every frame handed to codec->decode is counted once, by the codec
 * or, if it did not, by the driver: in stats.frames when decode returned
 * DW_OK, in stats.malformed otherwise. Codecs add their records, obs,
 * unknown and crc_errors themselves.
 *
 * Bounded memory: a stream source's buffer is allocated once, at most
 * DW_DECODER_STREAM_BUF bytes; when a codec keeps asking for more than fits
 * the buffered bytes are dropped and counted (overflows, skipped_bytes). At
 * most DW_DECODER_MAX_SOURCES sources are kept; the least recently fed is
 * flushed and forgotten to make room. Nothing is allocated per frame.
 *
 * Ownership: the decoder copies cfg (and its edition string); the sink must
 * outlive it. Bytes passed to dw_decoder_feed are only read during the
 * call. Nothing here reads the clock: meta->rx_us is passed to the codec.
 */
#ifndef DRONEWALL_DECODER_H
#define DRONEWALL_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/codec.h"
#include "dronewall/status.h"

#define DW_DECODER_STREAM_BUF (1u << 20)
#define DW_DECODER_MAX_SOURCES 32

typedef struct dw_decoder_stats {
    uint64_t packets;           /* dw_decoder_feed calls with bytes           */
    uint64_t bytes;             /* bytes fed                                  */
    uint64_t undetected_bytes;  /* bytes no codec recognised (in skipped_bytes) */
    uint64_t overflows;         /* stream buffers dropped as full             */
    uint64_t sources;           /* sources seen                               */
    uint64_t evicted;           /* sources forgotten to make room             */
    uint64_t codec_errors;      /* codec state that could not be created, or a
                                   frame() that broke its contract            */
} dw_decoder_stats;

typedef struct dw_decoder dw_decoder;

/* A decoder feeding `sink` with `codec`, or with the codec each source's
 * first bytes are recognised as when codec is NULL. cfg may be NULL (zero
 * defaults). DW_ERR_INVALID without sink or out, DW_ERR_NOMEM. */
dw_status dw_decoder_create(const dw_codec_ops *codec, const dw_codec_config *cfg,
                            dw_decode_sink *sink, dw_decoder **out);

/* Before the first feed only (else DW_ERR_INVALID): the stream buffer size
 * (>= 16 bytes) and the number of sources kept (>= 1); 0 keeps a value. */
dw_status dw_decoder_set_limits(dw_decoder *d, size_t stream_buf_bytes, size_t max_sources);

/* Auto-detection chooses among this NULL-terminated list (borrowed; must
 * outlive the decoder) instead of the whole table dw_codecs(). */
dw_status dw_decoder_set_candidates(dw_decoder *d, const dw_codec_ops *const *list);

/* Decode what can be decoded of len bytes; meta->linktype says what they
 * are (DW_LINK_STREAM: the next bytes of a stream). Input never makes this
 * fail: DW_OK, or DW_ERR_INVALID for a NULL argument, DW_ERR_NOMEM when a
 * new source's buffer cannot be allocated (its bytes are counted skipped). */
dw_status dw_decoder_feed(dw_decoder *d, const uint8_t *data, size_t len, const dw_frame_meta *meta);

/* The end of the input: what the streams still hold is decoded if it makes
 * frames, the rest counted as skipped. The decoder may be fed again after. */
dw_status dw_decoder_finish(dw_decoder *d);

void dw_decoder_get_stats(const dw_decoder *d, dw_decoder_stats *out);

/* The codec given at creation, or the first one detected; NULL if none yet. */
const dw_codec_ops *dw_decoder_codec(const dw_decoder *d);

/* Frees the decoder and every source's codec state (NULL is fine); does not
 * finish: call dw_decoder_finish first to decode what is buffered. */
void dw_decoder_destroy(dw_decoder *d);

#endif

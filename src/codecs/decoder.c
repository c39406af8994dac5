/* decoder.c — framing, reassembly and codec detection for every codec.
 *
 * The hot path is: find the source (a short scan of a fixed table), ask the
 * codec for the next frame, decode it in place. Stream bytes are framed
 * straight from the caller's buffer when nothing is pending, and only the
 * tail that does not make a whole frame is copied into the source's buffer,
 * so a 64 KiB read is not copied twice.
 */
#include "dronewall/decoder.h"

#include <stdlib.h>
#include <string.h>

/* A stream no codec claims is tried at this many offsets at a time... */
#define DETECT_SCAN 256u
/* ...once this much of it is buffered (or at its end): before that a codec
 * may want more bytes to be sure. */
#define DETECT_WINDOW 4096u

typedef struct source {
    int used;
    int linktype;
    uint16_t sport, dport;
    char *key;                  /* meta->source, copied */
    uint64_t last_use;
    int64_t last_rx_us;
    const dw_codec_ops *codec;
    void *state;
    int failed;                 /* the codec's state could not be created */
    uint8_t *buf;               /* stream reassembly: buf[0 .. len) */
    size_t len;
} source;

struct dw_decoder {
    const dw_codec_ops *fixed;
    const dw_codec_ops *first;
    const dw_codec_ops *const *cands;
    dw_codec_config cfg;
    char *edition;
    dw_decode_sink *sink;
    size_t buf_cap, max_sources;
    source *src;
    uint64_t clock;
    dw_decoder_stats st;
};

dw_status dw_decoder_create(const dw_codec_ops *codec, const dw_codec_config *cfg,
                            dw_decode_sink *sink, dw_decoder **out)
{
    if (!sink || !out)
        return DW_ERR_INVALID;
    dw_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return DW_ERR_NOMEM;
    if (cfg) {
        d->cfg = *cfg;
        if (cfg->edition) {
            d->edition = strdup(cfg->edition);
            if (!d->edition) {
                free(d);
                return DW_ERR_NOMEM;
            }
            d->cfg.edition = d->edition;
        }
    }
    d->fixed = codec;
    d->first = codec;
    d->sink = sink;
    d->buf_cap = DW_DECODER_STREAM_BUF;
    d->max_sources = DW_DECODER_MAX_SOURCES;
    *out = d;
    return DW_OK;
}

dw_status dw_decoder_set_limits(dw_decoder *d, size_t stream_buf_bytes, size_t max_sources)
{
    if (!d || d->src || (stream_buf_bytes && stream_buf_bytes < 16))
        return DW_ERR_INVALID;
    if (stream_buf_bytes)
        d->buf_cap = stream_buf_bytes;
    if (max_sources)
        d->max_sources = max_sources;
    return DW_OK;
}

dw_status dw_decoder_set_candidates(dw_decoder *d, const dw_codec_ops *const *list)
{
    if (!d)
        return DW_ERR_INVALID;
    d->cands = list;
    return DW_OK;
}

const dw_codec_ops *dw_decoder_codec(const dw_decoder *d) { return d ? d->first : NULL; }

void dw_decoder_get_stats(const dw_decoder *d, dw_decoder_stats *out) { *out = d->st; }

/* ---- codecs ------------------------------------------------------------- */

static const dw_codec_ops *detect(const dw_decoder *d, const uint8_t *p, size_t n,
                                  const dw_frame_meta *meta)
{
    if (!d->cands)
        return dw_codec_detect(p, n, meta);
    const dw_codec_ops *best = NULL;
    int best_score = 49;
    for (size_t i = 0; d->cands[i]; i++) {
        if (!d->cands[i]->detect)
            continue;
        int sc = d->cands[i]->detect(p, n, meta);
        if (sc > best_score) {
            best_score = sc;
            best = d->cands[i];
        }
    }
    return best;
}

static int adopt(dw_decoder *d, source *s, const dw_codec_ops *c)
{
    void *state = NULL;
    if (c->create && c->create(&d->cfg, &state) != DW_OK) {
        d->st.codec_errors++;
        s->failed = 1;
        return 0;
    }
    s->codec = c;
    s->state = state;
    if (!d->first)
        d->first = c;
    return 1;
}

static void skipped(dw_decoder *d, const source *s, size_t n)
{
    d->sink->stats.skipped_bytes += n;
    if (!s->codec)
        d->st.undetected_bytes += n;
}

/* One frame to the codec, counted exactly once (see decoder.h). */
static void decode_frame(dw_decoder *d, source *s, const uint8_t *p, size_t n,
                         const dw_frame_meta *meta)
{
    dw_decode_sink *k = d->sink;
    uint64_t f0 = k->stats.frames, m0 = k->stats.malformed;
    dw_status st = s->codec->decode(s->state, p, n, meta, k);
    if (st == DW_OK) {
        if (k->stats.frames == f0)
            k->stats.frames++;
    } else if (k->stats.malformed == m0) {
        k->stats.malformed++;
    }
}

/* Frames in p[0 .. n): returns how many bytes were decoded or skipped; the
 * rest is an unfinished frame. At the end of a stream (or of a datagram)
 * everything is consumed. */
static size_t frames(dw_decoder *d, source *s, const uint8_t *p, size_t n,
                     const dw_frame_meta *meta, int at_end)
{
    size_t pos = 0;
    while (!s->codec) {
        size_t left = n - pos;
        if (left == 0 || s->failed) {
            skipped(d, s, left);
            return n;
        }
        size_t window = d->buf_cap < DETECT_WINDOW ? d->buf_cap : DETECT_WINDOW;
        size_t tries = left < DETECT_SCAN ? left : DETECT_SCAN;
        const dw_codec_ops *c = NULL;
        size_t k;
        for (k = 0; k < tries && !c; k++)
            c = detect(d, p + pos + k, left - k, meta);
        if (c) {
            k--;
            skipped(d, s, k);
            pos += k;
            adopt(d, s, c);
            break;
        }
        if (left < window && !at_end)
            return pos; /* wait for more before giving these up */
        skipped(d, s, tries);
        pos += tries;
    }
    if (s->failed || !s->codec->frame) {
        if (!s->failed)
            d->st.codec_errors++; /* a stream codec must say where frames end */
        skipped(d, s, n - pos);
        return n;
    }
    const dw_codec_ops *c = s->codec;
    while (pos < n) {
        size_t skip = 0, flen = 0, left = n - pos;
        dw_status st = c->frame(p + pos, left, &skip, &flen);
        if (skip > left) {
            d->st.codec_errors++;
            skip = left;
        }
        if (st == DW_OK) {
            if (flen > left - skip || (skip == 0 && flen == 0)) {
                d->st.codec_errors++;
                flen = 0;
                if (!skip)
                    skip = 1;
            }
        } else if (st == DW_ERR_EOF) {
            d->sink->stats.skipped_bytes += skip;
            pos += skip;
            if (!at_end || pos >= n)
                break;
            /* The stream has ended inside what looked like the start of a
             * long frame: it was junk. Step over one byte and frame the
             * rest, rather than dropping every frame behind it. */
            d->sink->stats.skipped_bytes++;
            pos++;
            continue;
        } else {
            flen = 0;
            if (!skip)
                skip = 1;
        }
        d->sink->stats.skipped_bytes += skip;
        pos += skip;
        if (flen) {
            decode_frame(d, s, p + pos, flen, meta);
            pos += flen;
        }
    }
    if (at_end && pos < n) {
        d->sink->stats.skipped_bytes += n - pos;
        pos = n;
    }
    return pos;
}

/* ---- sources ------------------------------------------------------------ */

static void source_meta(const source *s, dw_frame_meta *m)
{
    m->rx_us = s->last_rx_us;
    m->linktype = s->linktype;
    m->src_port = s->sport;
    m->dst_port = s->dport;
    m->source = s->key;
}

static void source_flush(dw_decoder *d, source *s)
{
    if (s->len) {
        dw_frame_meta m;
        source_meta(s, &m);
        frames(d, s, s->buf, s->len, &m, 1);
        s->len = 0;
    }
}

/* Forget a source, keeping its buffer for the next. */
static void source_reset(source *s)
{
    if (s->codec && s->codec->destroy)
        s->codec->destroy(s->state);
    free(s->key);
    uint8_t *buf = s->buf;
    memset(s, 0, sizeof *s);
    s->buf = buf;
}

static source *get_source(dw_decoder *d, const dw_frame_meta *meta)
{
    const char *name = meta->source ? meta->source : "";
    source *slot = NULL, *lru = NULL;
    for (size_t i = 0; i < d->max_sources; i++) {
        source *s = &d->src[i];
        if (!s->used) {
            if (!slot)
                slot = s;
            continue;
        }
        if (s->linktype == meta->linktype && s->sport == meta->src_port &&
            s->dport == meta->dst_port && !strcmp(s->key, name)) {
            s->last_use = ++d->clock;
            return s;
        }
        if (!lru || s->last_use < lru->last_use)
            lru = s;
    }
    if (!slot) {
        slot = lru;
        source_flush(d, slot);
        source_reset(slot);
        d->st.evicted++;
    }
    char *key = strdup(name);
    if (!key)
        return NULL;
    slot->used = 1;
    slot->key = key;
    slot->linktype = meta->linktype;
    slot->sport = meta->src_port;
    slot->dport = meta->dst_port;
    slot->last_use = ++d->clock;
    d->st.sources++;
    if (d->fixed)
        adopt(d, slot, d->fixed);
    return slot;
}

static dw_status stream_feed(dw_decoder *d, source *s, const uint8_t *p, size_t n,
                             const dw_frame_meta *meta)
{
    if (s->len == 0) {
        size_t used = frames(d, s, p, n, meta, 0);
        p += used;
        n -= used;
        if (n == 0)
            return DW_OK;
    }
    if (!s->buf) {
        s->buf = malloc(d->buf_cap);
        if (!s->buf) {
            skipped(d, s, n);
            return DW_ERR_NOMEM;
        }
    }
    while (n > 0) {
        size_t room = d->buf_cap - s->len;
        if (room == 0) { /* the codec wants more than we hold: give it up */
            skipped(d, s, s->len);
            s->len = 0;
            d->st.overflows++;
            room = d->buf_cap;
        }
        size_t m = n < room ? n : room;
        memcpy(s->buf + s->len, p, m);
        s->len += m;
        p += m;
        n -= m;
        size_t used = frames(d, s, s->buf, s->len, meta, 0);
        if (used) {
            memmove(s->buf, s->buf + used, s->len - used);
            s->len -= used;
        }
    }
    return DW_OK;
}

dw_status dw_decoder_feed(dw_decoder *d, const uint8_t *data, size_t len, const dw_frame_meta *meta)
{
    if (!d || (!data && len) || !meta)
        return DW_ERR_INVALID;
    if (!d->src) {
        d->src = calloc(d->max_sources, sizeof *d->src);
        if (!d->src) {
            d->sink->stats.skipped_bytes += len;
            return DW_ERR_NOMEM;
        }
    }
    if (len == 0)
        return DW_OK;
    d->st.packets++;
    d->st.bytes += len;
    source *s = get_source(d, meta);
    if (!s) {
        d->sink->stats.skipped_bytes += len;
        return DW_ERR_NOMEM;
    }
    s->last_rx_us = meta->rx_us;
    if (meta->linktype == DW_LINK_STREAM)
        return stream_feed(d, s, data, len, meta);
    if (!s->codec && !s->failed) {
        const dw_codec_ops *c = detect(d, data, len, meta);
        if (c)
            adopt(d, s, c);
    }
    if (!s->codec || s->failed) {
        skipped(d, s, len);
        return DW_OK;
    }
    /* A link-layer frame is one frame; a datagram may hold several (an
     * ASTERIX UDP payload: data blocks), and a codec without frame() takes
     * each packet whole. */
    if (meta->linktype >= 0 || !s->codec->frame)
        decode_frame(d, s, data, len, meta);
    else
        frames(d, s, data, len, meta, 1);
    return DW_OK;
}

dw_status dw_decoder_finish(dw_decoder *d)
{
    if (!d)
        return DW_ERR_INVALID;
    if (d->src)
        for (size_t i = 0; i < d->max_sources; i++)
            if (d->src[i].used)
                source_flush(d, &d->src[i]);
    return DW_OK;
}

void dw_decoder_destroy(dw_decoder *d)
{
    if (!d)
        return;
    if (d->src) {
        for (size_t i = 0; i < d->max_sources; i++) {
            source_reset(&d->src[i]);
            free(d->src[i].buf);
        }
        free(d->src);
    }
    free(d->edition);
    free(d);
}

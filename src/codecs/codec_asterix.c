/* codec_asterix.c — ASTERIX in the codec table: instances, the block loop,
 * framing and detection. The layouts live in the generated tables, their
 * interpretation in asterix.c, the observations in asterix_obs.c.
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "asterix_int.h"
#include "dronewall/asterix.h"
#include "dronewall/codec.h"

/* ------------------------------------------------------------------ settings */

static int parse_uint(const char *s, size_t n, unsigned max, unsigned *out)
{
    unsigned v = 0;
    if (n == 0 || n > 3)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* "cat048=1.30,sac=25,sic=100": applied to ax only if all of it is valid. */
static dw_status apply_settings(dw_asterix *ax, const char *spec)
{
    const dw__asx_cat *by_cat[256];
    memcpy(by_cat, ax->by_cat, sizeof by_cat);
    unsigned sac = ax->sac, sic = ax->sic;
    const char *p = spec;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (eq) {
            size_t kn = (size_t)(eq - p), vn = n - kn - 1;
            const char *v = eq + 1;
            unsigned x;
            if (kn >= 3 && !strncmp(p, "cat", 3)) {
                char ed[16];
                if (kn != 6 || parse_uint(p + 3, 3, 255, &x) < 0 || vn == 0 || vn >= sizeof ed)
                    return DW_ERR_INVALID;
                memcpy(ed, v, vn);
                ed[vn] = '\0';
                const dw__asx_cat *c = dw__asx_find_cat((int)x, ed);
                if (!c)
                    return DW_ERR_NOT_FOUND;
                by_cat[x] = c;
            } else if (kn == 3 && !strncmp(p, "sac", 3)) {
                if (parse_uint(v, vn, 255, &sac) < 0)
                    return DW_ERR_INVALID;
            } else if (kn == 3 && !strncmp(p, "sic", 3)) {
                if (parse_uint(v, vn, 255, &sic) < 0)
                    return DW_ERR_INVALID;
            }
            /* other keys belong to other codecs */
        }
        p = e ? e + 1 : NULL;
    }
    memcpy(ax->by_cat, by_cat, sizeof by_cat);
    ax->sac = sac;
    ax->sic = sic;
    return DW_OK;
}

dw_status dw_asterix_create(const dw_codec_config *cfg, dw_asterix **out)
{
    if (!out)
        return DW_ERR_INVALID;
    dw_asterix *ax = calloc(1, sizeof *ax);
    if (!ax)
        return DW_ERR_NOMEM;
    ax->json = malloc(DW_ASX_JSON_CAP);
    ax->toks = malloc(sizeof *ax->toks * DW_ASX_MAX_TOKENS);
    ax->scratch = malloc(65536);
    if (!ax->json || !ax->toks || !ax->scratch) {
        dw_asterix_destroy(ax);
        return DW_ERR_NOMEM;
    }
    for (int c = 0; c < 256; c++)
        ax->by_cat[c] = dw__asx_find_cat(c, NULL);
    ax->sac = 0;
    ax->sic = 1;
    ax->last_src = -1;
    dw_ratelimit rl = DW_RATELIMIT_INIT(1.0, 10.0);
    ax->rl = rl;
    dw_status st = apply_settings(ax, cfg ? cfg->edition : NULL);
    if (st != DW_OK) {
        dw_asterix_destroy(ax);
        return st;
    }
    dw__asx_resolve_refs(ax);
    *out = ax;
    return DW_OK;
}

void dw_asterix_destroy(dw_asterix *ax)
{
    if (!ax)
        return;
    free(ax->json);
    free(ax->toks);
    free(ax->scratch);
    free(ax);
}

const char *dw_asterix_edition(const dw_asterix *ax, int cat)
{
    if (!ax || cat < 0 || cat > 255 || !ax->by_cat[cat])
        return NULL;
    return ax->by_cat[cat]->edition;
}

dw_status dw_asterix_encode_json(dw_asterix *ax, const char *json, size_t len, uint8_t *buf,
                                 uint8_t *end, uint8_t **out_end)
{
    return dw__asx_encode_json(ax, json, len, buf, end, out_end);
}

/* ------------------------------------------------------------------ decode */

static void drop(dw_asterix *ax, dw_decode_sink *sink, const dw_frame_meta *meta, int rc, int cat,
                 size_t at)
{
    if (rc == DW__ASX_UNKNOWN)
        sink->stats.unknown++;
    else
        sink->stats.malformed++;
    DW_LOG_RL(&ax->rl, meta ? meta->rx_us : 0, DW_LOG_CODEC, DW_LOG_DEBUG,
              "asterix: %s: CAT%03d record at octet %zu %s; rest of block dropped",
              meta && meta->source ? meta->source : "-", cat, at,
              rc == DW__ASX_UNKNOWN ? "has an item the edition does not define"
                                    : "is cut short or mis-sized");
}

/* The records of one block; how many were decoded. */

/* A record can be well formed and still carry a value no aircraft has (a
 * flight level of -1,900 in a corrupted plot). Such a value does not reach
 * the tracker: an impossible altitude is dropped (a POS3 becomes a POS2),
 * an impossible position or polar value drops the observation, counted as
 * malformed. */
static int plausible(dw_obs *o, dw_decode_sink *sink)
{
    if ((o->has & DW_OBS_HAS_ALT) && !(o->alt_m >= -1000.0 && o->alt_m <= 1e5)) {
        o->has &= ~(uint32_t)DW_OBS_HAS_ALT;
        o->alt_m = 0;
        if (o->kind == DW_OBS_POS3)
            o->kind = DW_OBS_POS2;
    }
    int ok = 1;
    if (o->kind == DW_OBS_POS3 || o->kind == DW_OBS_POS2)
        ok = o->lat_deg >= -90.0 && o->lat_deg <= 90.0 && o->lon_deg >= -180.0 && o->lon_deg <= 180.0;
    else if (o->kind == DW_OBS_POLAR)
        ok = o->range_m >= 0.0 && o->range_m < 1e7 && o->az_rad >= 0.0 && o->az_rad < 7.0;
    if (!ok)
        sink->stats.malformed++;
    return ok;
}

static size_t decode_block(dw_asterix *ax, const dw__asx_cat *c, const uint8_t *p, size_t n,
                           const dw_frame_meta *meta, dw_decode_sink *sink)
{
    dw__asx_when when = dw__asx_when_of(meta ? meta->rx_us : 0);
    size_t off = 0, nrec = 0;
    dw__asx_rec r;
    while (off < n) {
        int rc = dw__asx_locate(c, p + off, n - off, &r);
        if (rc != DW__ASX_OK) {
            drop(ax, sink, meta, rc, c->cat, off + 3);
            break;
        }
        nrec++;
        sink->stats.records++;
        if (sink->want_obs && sink->obs) {
            dw_obs o;
            if (dw__asx_obs(ax, c, &r, &when, &o) && plausible(&o, sink)) {
                sink->stats.obs++;
                sink->obs(sink->ctx, &o);
            }
        }
        if (sink->want_raw && sink->raw) {
            size_t len = dw__asx_json(c, &r, ax->json, DW_ASX_JSON_CAP);
            if (len)
                sink->raw(sink->ctx, ax->json, len);
            else
                sink->stats.malformed++;    /* too big to show; cannot happen
                                               for a 64 KiB block today */
        }
        off += r.size;
    }
    return nrec;
}

dw_status dw_asterix_decode(dw_asterix *ax, const uint8_t *buf, size_t len,
                            const dw_frame_meta *meta, dw_decode_sink *sink)
{
    if (!ax || !sink || (!buf && len))
        return DW_ERR_INVALID;
    size_t off = 0, nrec = 0, nskipped = 0;
    while (off < len) {
        size_t left = len - off;
        size_t blen = left >= 3 ? (size_t)buf[off + 1] << 8 | buf[off + 2] : 0;
        if (left < 3 || blen < 3 || blen > left) {
            sink->stats.malformed++;
            break;
        }
        const dw__asx_cat *c = ax->by_cat[buf[off]];
        if (!c) {
            sink->stats.unknown++;
            nskipped++;             /* skipped as it should be */
        } else if (blen == 3) {
            nskipped++;             /* an empty block */
        } else {
            nrec += decode_block(ax, c, buf + off + 3, blen - 3, meta, sink);
        }
        off += blen;
    }
    /* Nothing read and nothing rightly skipped: the frame was dropped
     * whole (its cause is counted above). */
    if (!nrec && !nskipped)
        return DW_ERR_PARSE;
    sink->stats.frames++;
    return DW_OK;
}

/* ------------------------------------------------------------------ codec ops */

static dw_status op_create(const dw_codec_config *cfg, void **state)
{
    dw_asterix *ax;
    dw_status st = dw_asterix_create(cfg, &ax);
    if (st == DW_OK)
        *state = ax;
    return st;
}

static void op_destroy(void *state) { dw_asterix_destroy(state); }

static dw_status op_decode(void *state, const uint8_t *frame, size_t len, const dw_frame_meta *meta,
                           dw_decode_sink *sink)
{
    return dw_asterix_decode(state, frame, len, meta, sink);
}

static dw_status op_encode_obs(void *state, const dw_obs *o, uint8_t *buf, uint8_t *end,
                               uint8_t **out_end)
{
    return dw_asterix_encode_obs(state, o, buf, end, out_end);
}

static dw_status op_encode_track(void *state, const dw_track *t, int64_t now_us, uint8_t *buf,
                                 uint8_t *end, uint8_t **out_end)
{
    return dw_asterix_encode_track(state, t, now_us, buf, end, out_end);
}

/* A data block is CAT, LEN (including these 3 octets), LEN - 3 octets.
 * In step (the first bytes given), any header with LEN >= 3 is taken. When
 * looking for the next block after garbage, a block of a category we know
 * is taken when its first record parses (or it is not all here yet), one
 * we do not know only when it ends the bytes or another plausible header
 * follows it: garbage seldom passes for a block, while unknown categories
 * are framed whole, to be skipped by the decoder and counted. */
/* Could a block of a category we have no table for start at p? Only its
 * length can be checked: it must land exactly at the end of the bytes at
 * hand, on a block we know, or on another such header that lands well in
 * turn. Junk between blocks then rarely passes for a block, which would
 * swallow the good blocks behind it. */
static int unknown_block_ok(const uint8_t *p, size_t avail, int depth)
{
    if (avail < 3 || p[0] == 0)
        return 0;
    size_t blen = (size_t)p[1] << 8 | p[2];
    if (blen < 3 || blen > avail)
        return 0;
    if (blen == avail)
        return 1;
    const uint8_t *q = p + blen;
    size_t rest = avail - blen;
    if (rest < 3)
        return 0;
    const dw__asx_cat *c = dw__asx_find_cat(q[0], NULL);
    if (c) {
        /* a block we know: its first record must parse, when it is here */
        size_t blen2 = (size_t)q[1] << 8 | q[2];
        if (blen2 < 4)
            return 0;
        dw__asx_rec r;
        return blen2 > rest || dw__asx_locate(c, q + 3, blen2 - 3, &r) == DW__ASX_OK;
    }
    return depth > 0 && unknown_block_ok(q, rest, depth - 1);
}

static dw_status op_frame(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len)
{
    size_t s = 0;
    for (; s + 3 <= len; s++) {
        size_t blen = (size_t)buf[s + 1] << 8 | buf[s + 2];
        if (blen < 3 || buf[s] == 0)    /* category 0 is not assigned */
            continue;
        const dw__asx_cat *c = dw__asx_find_cat(buf[s], NULL);
        size_t avail = len - s;
        if (blen > avail) {
            if (s == 0) {
                *skip = 0;
                return DW_ERR_EOF;
            }
            if (c) {
                /* a block we know, cut by the read: drop the junk before
                 * it and wait for the rest */
                *skip = s;
                return DW_ERR_EOF;
            }
            continue;
        }
        if (c) {
            dw__asx_rec r;
            /* In step (s == 0) the header is trusted; when looking for
             * the next block after junk, its first record must parse. */
            if (s == 0 || blen == 3 ||
                dw__asx_locate(c, buf + s + 3, blen - 3, &r) == DW__ASX_OK) {
                *skip = s;
                *frame_len = blen;
                return DW_OK;
            }
            continue;
        }
        if (unknown_block_ok(buf + s, avail, 16)) {
            *skip = s;
            *frame_len = blen;
            return DW_OK;
        }
    }
    *skip = s;
    return DW_ERR_EOF;
}

/* How much of buf reads as blocks of categories the tables know, each of
 * whose first record parses. */
static int op_detect(const uint8_t *buf, size_t len, const dw_frame_meta *meta)
{
    if (meta && meta->linktype != DW_LINK_STREAM && meta->linktype != DW_LINK_DATAGRAM)
        return 0;
    size_t off = 0;
    int blocks = 0;
    while (off + 3 <= len && blocks < 4) {
        const dw__asx_cat *c = dw__asx_find_cat(buf[off], NULL);
        size_t blen = (size_t)buf[off + 1] << 8 | buf[off + 2];
        if (!c || blen < 4)
            break;
        if (blen > len - off) {
            /* A stream may end inside a block: judge its header only. */
            if (blocks == 0 && (!meta || meta->linktype == DW_LINK_STREAM))
                return 40;
            break;
        }
        dw__asx_rec r;
        if (dw__asx_locate(c, buf + off + 3, blen - 3, &r) != DW__ASX_OK)
            break;
        blocks++;
        off += blen;
    }
    if (!blocks)
        return 0;
    if (off == len)
        return 95;  /* exactly whole blocks */
    return blocks > 1 ? 85 : 70;
}

const dw_codec_ops dw_codec_asterix = {
    .name = "asterix",
    .summary = "EUROCONTROL ASTERIX data blocks: CAT048/034/021/062/065 (+063, 240)",
    .detect = op_detect,
    .frame = op_frame,
    .create = op_create,
    .destroy = op_destroy,
    .decode = op_decode,
    .encode_obs = op_encode_obs,
    .encode_track = op_encode_track,
};

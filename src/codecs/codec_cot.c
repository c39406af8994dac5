/* codec_cot.c — Cursor-on-Target in the codec table: framing, detection,
 * decoding to raw records and observations, and tracks out.
 *
 * One byte stream may mix both wires: a TAK server connection starts in XML
 * and, after the t-x-takp negotiation, continues with 0xbf-framed protobuf.
 * So every frame is told apart by its first byte: '<' (after blanks or a
 * byte-order mark) is an XML document, 0xbf is TAK protocol v1. The XML
 * framer follows the markup (comments, CDATA, quoted attribute values) to
 * the end of the root element instead of searching for "</event>", so a
 * "</event>" inside a comment or attribute cannot cut an event in two, and
 * an "<?xml" or a '<' inside a tag, where none may be, ends a document
 * that was cut off and starts the next (resynchronising after a truncated
 * one).
 *
 * Observations: an atom ("a-…" type) with a position is one dw_obs from the
 * sensor "COT": POS3 when its height is known, POS2 otherwise; ce/le are
 * the one-sigma errors, <track> course/speed/slope the velocity, <contact>
 * callsign the callsign when it fits. docs/formats.md has the details.
 * Observations out (encode_obs, a neighbour's warning) are cot_obs.c's,
 * one XML event per frame.
 *
 * Memory: the state owns the JSON buffer and the TAK arena, sized once for
 * the largest frame; libxml2 builds (and we free) a tree per XML event,
 * bounded by DW_COT_MAX_FRAME. CoT arrives at human and tracker rates, not
 * radar rates, so a DOM is worth its simplicity here.
 */
#include <libxml/parser.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cot_int.h"
#include "dronewall/log.h"

/* ---- framing ------------------------------------------------------------ */

static int ws(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int starts(const uint8_t *p, size_t n, const char *s)
{
    size_t l = strlen(s);
    return n >= l && !memcmp(p, s, l);
}

/* How a '<' at p may start a document: 1 yes ("<?xml" or "<event"+delimiter),
 * 0 need more bytes, -1 no. */
static int xml_start(const uint8_t *p, size_t n)
{
    static const char *const heads[] = {"<?xml", "<event"};
    for (int i = 0; i < 2; i++) {
        size_t l = strlen(heads[i]);
        size_t m = n < l ? n : l;
        if (memcmp(p, heads[i], m))
            continue;
        if (n <= l)
            return 0; /* need the delimiter after it */
        uint8_t c = p[l];
        if (ws(c) || (i == 0 ? c == '?' : c == '>' || c == '/'))
            return 1;
    }
    return -1;
}

/* Find `pat` at or after i; its index, or SIZE_MAX. */
static size_t find(const uint8_t *b, size_t len, size_t i, const char *pat)
{
    size_t l = strlen(pat);
    for (; i + l <= len; i++) {
        const uint8_t *q = memchr(b + i, pat[0], len - i);
        if (!q)
            return SIZE_MAX;
        i = (size_t)(q - b);
        if (i + l <= len && !memcmp(q, pat, l))
            return i;
    }
    return SIZE_MAX;
}

enum { X_DONE, X_MORE, X_RESTART, X_TOO_BIG };

/* Follow the markup of one document from b[s] ('<'): X_DONE with *e just
 * after the root's end, X_MORE, X_RESTART with *e at the '<' of an "<?xml"
 * or inside a tag (this document was cut off there), X_TOO_BIG past
 * DW_COT_MAX_FRAME. */
static int xml_scan(const uint8_t *b, size_t len, size_t s, size_t *e)
{
    size_t i = s, depth = 0;
    int root_seen = 0;
    size_t lim = len - s > DW_COT_MAX_FRAME ? s + DW_COT_MAX_FRAME : len;
    while (i < lim) {
        if (b[i] != '<') {
            const uint8_t *q = memchr(b + i, '<', lim - i);
            if (!q)
                break;
            i = (size_t)(q - b);
            continue;
        }
        size_t n = lim - i;
        if (n < 2)
            break;
        size_t j;
        if (b[i + 1] == '?') {
            if (i > s && starts(b + i, n, "<?xml") && n > 5 && (ws(b[i + 5]) || b[i + 5] == '?')) {
                *e = i;
                return X_RESTART;
            }
            if ((j = find(b, lim, i + 2, "?>")) == SIZE_MAX)
                break;
            i = j + 2;
        } else if (b[i + 1] == '!') {
            if (n < 4)
                break;
            if (starts(b + i, n, "<!--")) {
                if ((j = find(b, lim, i + 4, "-->")) == SIZE_MAX)
                    break;
                i = j + 3;
            } else if (n >= 9 && starts(b + i, n, "<![CDATA[")) {
                if ((j = find(b, lim, i + 9, "]]>")) == SIZE_MAX)
                    break;
                i = j + 3;
            } else if (n < 9 && !memcmp(b + i, "<![CDATA[", n)) {
                break;
            } else {
                /* A DOCTYPE (refused by the parser) or junk: to its '>',
                 * past quoted strings and an internal subset in [ ]. */
                size_t k = i + 2, br = 0;
                uint8_t q = 0;
                for (; k < lim; k++) {
                    uint8_t c = b[k];
                    if (q) {
                        if (c == q)
                            q = 0;
                    } else if (c == '"' || c == '\'') {
                        q = c;
                    } else if (c == '[') {
                        br++;
                    } else if (c == ']' && br) {
                        br--;
                    } else if (c == '>' && !br) {
                        break;
                    }
                }
                if (k >= lim)
                    break;
                i = k + 1;
            }
        } else {
            /* A start or end tag: to its '>' outside quoted values. A '<'
             * cannot be in a tag, quoted or not: the document was cut off
             * there, and the next one may start at it. */
            int end_tag = b[i + 1] == '/';
            size_t k = i + 1;
            uint8_t q = 0;
            for (; k < lim; k++) {
                uint8_t c = b[k];
                if (c == '<')
                    break;
                if (q) {
                    if (c == q)
                        q = 0;
                } else if (c == '"' || c == '\'') {
                    q = c;
                } else if (c == '>') {
                    break;
                }
            }
            if (k >= lim)
                break;
            if (b[k] == '<') {
                *e = k;
                return X_RESTART;
            }
            int empty = !end_tag && b[k - 1] == '/';
            i = k + 1;
            if (end_tag) {
                if (depth > 0)
                    depth--;
                if (depth == 0 && root_seen) {
                    *e = i;
                    return X_DONE;
                }
            } else {
                root_seen = 1;
                if (empty) {
                    if (depth == 0) {
                        *e = i;
                        return X_DONE;
                    }
                } else {
                    depth++;
                }
            }
        }
    }
    if (lim < len || len - s >= DW_COT_MAX_FRAME) {
        *e = s + DW_COT_MAX_FRAME;
        return X_TOO_BIG;
    }
    return X_MORE;
}

static int bom(const uint8_t *p, size_t n) { return n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf; }

static dw_status cot_frame(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len)
{
    size_t i = 0, lead = 0; /* lead: where blanks (part of the next frame) began */
    while (i < len) {
        uint8_t c = buf[i];
        if (ws(c)) {
            i++;
            continue;
        }
        if (c == 0xef && (len - i < 3 || bom(buf + i, len - i))) {
            if (len - i < 3) {
                *skip = lead;
                return DW_ERR_EOF;
            }
            i += 3;
            continue;
        }
        if (c == '<') {
            int r = xml_start(buf + i, len - i);
            if (r == 0) {
                *skip = lead;
                return DW_ERR_EOF;
            }
            if (r > 0) {
                size_t e;
                switch (xml_scan(buf, len, i, &e)) {
                case X_DONE:
                    /* Blanks after the root belong to this frame. */
                    while (e < len && ws(buf[e]))
                        e++;
                    *skip = lead;
                    *frame_len = e - lead;
                    return DW_OK;
                case X_TOO_BIG:
                    *skip = lead;
                    *frame_len = e - lead;
                    return DW_OK; /* decodes as malformed, counted */
                case X_RESTART:
                    /* The document before e was cut off: hand it over as a
                     * frame (malformed) and resume at the new prolog. */
                    *skip = lead;
                    *frame_len = e - lead;
                    return DW_OK;
                default:
                    *skip = lead;
                    return DW_ERR_EOF;
                }
            }
        } else if (c == 0xbf) {
            size_t fl;
            int r = dw__takp_frame(buf + i, len - i, &fl);
            if (r == 0) {
                *skip = i;
                return DW_ERR_EOF;
            }
            if (r > 0) {
                *skip = i;
                *frame_len = fl;
                return DW_OK;
            }
        }
        i++;
        lead = i; /* garbage: blanks before it do not belong to a frame */
    }
    /* Only blanks (or nothing) left: drop them, a frame starts at its '<'. */
    *skip = len;
    return DW_ERR_EOF;
}

/* ---- detection ---------------------------------------------------------- */

static int cot_detect(const uint8_t *buf, size_t len, const dw_frame_meta *meta)
{
    (void)meta;
    size_t i = 0;
    while (i < len && ws(buf[i]))
        i++;
    if (bom(buf + i, len - i))
        i += 3;
    if (i >= len)
        return 0;
    if (buf[i] == 0xbf) {
        size_t fl;
        if (len - i >= 3 && buf[i + 1] == 0x01 && buf[i + 2] == 0xbf)
            return 90;
        return dw__takp_frame(buf + i, len - i, &fl) == 1 ? 70 : 0;
    }
    if (buf[i] != '<')
        return 0;
    if (xml_start(buf + i, len - i) == 1 && starts(buf + i, len - i, "<event"))
        return 95;
    if (!starts(buf + i, len - i, "<?xml"))
        return 0;
    /* A prolog: CoT if the root element that follows is an event. */
    size_t j = find(buf, len < i + 1024 ? len : i + 1024, i, "?>");
    if (j == SIZE_MAX)
        return 30;
    j += 2;
    while (j < len && ws(buf[j]))
        j++;
    if (j >= len)
        return 30;
    return xml_start(buf + j, len - j) == 1 && starts(buf + j, len - j, "<event") ? 95 : 0;
}

/* ---- state, decode ------------------------------------------------------ */

typedef struct cot_state {
    char *json;
    dw__takp_arena *arena;
    dw_ratelimit rl;
    uint64_t seq;           /* encode_obs counter, for uids */
} cot_state;

static dw_status cot_create(const dw_codec_config *cfg, void **out)
{
    (void)cfg;
    xmlInitParser(); /* idempotent; libxml2 wants it before use from threads */
    cot_state *s = calloc(1, sizeof *s);
    if (!s)
        return DW_ERR_NOMEM;
    s->json = malloc(DW__COT_JSON_CAP);
    if (!s->json || dw__takp_arena_create(&s->arena) != DW_OK) {
        free(s->json);
        free(s);
        return DW_ERR_NOMEM;
    }
    dw_ratelimit rl = DW_RATELIMIT_INIT(1.0, 10.0);
    s->rl = rl;
    *out = s;
    return DW_OK;
}

static void cot_destroy(void *state)
{
    cot_state *s = state;
    if (!s)
        return;
    dw__takp_arena_destroy(s->arena);
    free(s->json);
    free(s);
}

static int known(double v) { return isfinite(v) && fabs(v) < DW_COT_UNKNOWN_MIN; }

/* The observation of an atom, if it has one. Values outside the ranges the
 * native formats accept (docs/formats.md §1.1) are left out rather than
 * passed on. */
static int atom_obs(const dw__cot_facts *f, dw_obs *o)
{
    if (!f->type || f->type[0] != 'a' || f->type[1] != '-')
        return 0;
    /* 0,0 is what TAK clients send before they have a fix. */
    if (f->lat_deg == 0.0 && f->lon_deg == 0.0)
        return 0;
    int alt = known(f->hae_m) && f->hae_m >= -1000.0 && f->hae_m <= 100000.0;
    dw_obs_init(o, alt ? DW_OBS_POS3 : DW_OBS_POS2);
    o->t_us = f->time_us;
    memcpy(o->sensor, DW_COT_SENSOR, sizeof DW_COT_SENSOR);
    o->has = DW_OBS_HAS_POS;
    o->lat_deg = f->lat_deg;
    o->lon_deg = f->lon_deg;
    if (alt) {
        o->alt_m = f->hae_m;
        o->has |= DW_OBS_HAS_ALT;
        if (known(f->le_m) && f->le_m > 0)
            o->sigma_alt_m = f->le_m;
    }
    if (known(f->ce_m) && f->ce_m > 0)
        o->sigma_pos_m = f->ce_m;
    if (f->has_track && f->speed_mps >= 0 && f->speed_mps <= 1e4) {
        double slope = f->has_slope ? f->slope_deg * M_PI / 180.0 : 0.0;
        double crs = f->course_deg * M_PI / 180.0;
        double h = f->speed_mps * cos(slope);
        o->vel_enu_mps[0] = h * sin(crs);
        o->vel_enu_mps[1] = h * cos(crs);
        o->vel_enu_mps[2] = f->speed_mps * sin(slope);
        o->has |= DW_OBS_HAS_VEL;
    }
    if (f->callsign) {
        size_t n = strlen(f->callsign);
        /* Cut callsigns would merge different objects' identities. */
        if (n > 0 && n < DW_CALLSIGN_MAX) {
            memcpy(o->callsign, f->callsign, n + 1);
            o->has |= DW_OBS_HAS_CALLSIGN;
        }
    }
    return 1;
}

static dw_status cot_decode(void *state, const uint8_t *frame, size_t len, const dw_frame_meta *meta,
                            dw_decode_sink *sink)
{
    cot_state *s = state;
    const char *src = meta && meta->source ? meta->source : "cot";
    int64_t now = meta ? meta->rx_us : 0;
    size_t i = 0;
    while (i < len && ws(frame[i]))
        i++;
    if (bom(frame + i, len - i))
        i += 3;
    const uint8_t *p = frame + i;
    size_t n = len - i;

    dw_jw w;
    dw_jw_init(&w, s->json, DW__COT_JSON_CAP);
    dw_jw_obj(&w);
    dw_jw_kstr(&w, "codec", "cot");
    dw__cot_facts f;
    memset(&f, 0, sizeof f);
    const char *why = "empty frame";
    void *doc = NULL;
    int has_event = 0;
    dw_status st = DW_ERR_PARSE;
    if (n > DW_COT_MAX_FRAME) {
        why = "frame too large";
    } else if (n > 0 && p[0] == 0xbf) {
        st = dw__takp_decode(s->arena, p, n, &w, &f, &has_event, &doc, &why);
    } else if (n > 0) {
        doc = dw__cot_xml_parse((const char *)p, n, &why);
        if (doc) {
            dw_jw_kstr(&w, "wire", "xml");
            st = dw__cot_event_json(doc, &w, &f, &why);
            has_event = st == DW_OK;
            if (st == DW_ERR_NOT_FOUND)
                why = "root element is not <event>";
        }
    }
    dw_jw_obj_end(&w);
    if (st == DW_OK && !dw_jw_ok(&w)) {
        st = DW_ERR_PARSE;
        why = "record too large";
    }
    if (st == DW_ERR_NOT_FOUND || st == DW_ERR_UNSUPPORTED) {
        sink->stats.unknown++;
        DW_LOG_RL(&s->rl, now, DW_LOG_CODEC, DW_LOG_DEBUG, "cot: %s: skipped: %s", src, why);
        dw__cot_xml_free(doc);
        return DW_OK;
    }
    if (st != DW_OK) {
        sink->stats.malformed++;
        DW_LOG_RL(&s->rl, now, DW_LOG_CODEC, DW_LOG_WARN, "cot: %s: malformed: %s", src, why);
        dw__cot_xml_free(doc);
        return DW_ERR_PARSE;
    }
    sink->stats.frames++;
    sink->stats.records++;
    if (sink->want_raw && sink->raw)
        sink->raw(sink->ctx, s->json, dw_jw_len(&w));
    dw_obs o;
    if (has_event && sink->want_obs && sink->obs && atom_obs(&f, &o)) {
        sink->obs(sink->ctx, &o);
        sink->stats.obs++;
    }
    dw__cot_xml_free(doc);
    return DW_OK;
}

static dw_status cot_encode_track(void *state, const dw_track *t, int64_t now_us, uint8_t *buf,
                                  uint8_t *end, uint8_t **out_end)
{
    (void)state;
    return dw_cot_encode_track(t, now_us, NULL, buf, end, out_end);
}

static dw_status cot_encode_obs(void *state, const dw_obs *o, uint8_t *buf, uint8_t *end,
                                uint8_t **out_end)
{
    cot_state *s = state;
    dw_status st = dw_cot_encode_obs(o, s->seq, 0, buf, end, out_end);
    if (st == DW_OK)
        s->seq++;
    return st;
}

const dw_codec_ops dw_codec_cot = {
    .name = "cot",
    .summary = "Cursor-on-Target XML events and TAK protocol v1 (mesh and stream)",
    .detect = cot_detect,
    .frame = cot_frame,
    .create = cot_create,
    .destroy = cot_destroy,
    .decode = cot_decode,
    .encode_obs = cot_encode_obs,
    .encode_track = cot_encode_track,
};

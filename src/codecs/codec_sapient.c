/* codec_sapient.c — dw_codec_sapient: SAPIENT (BSI Flex 335 v1.0/v2.0) over TCP.
 *
 * Frames are a 4-byte little-endian length and a SapientMessage. Every message becomes one raw
 * JSON record (all its fields, either version); detection reports also become dw_obs.
 * Registrations and status reports are remembered per node (version, units of each mode,
 * current mode, site), because a detection may leave its units to the registration and because
 * a range/bearing is relative to the node's site. The state is bounded: a fixed table of nodes
 * (the least recently heard is replaced when full), a fixed arena for protobuf-c's unpacked
 * tree, reset per frame, and a raw-JSON buffer that grows only for a huge message, up to a cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/log.h"
#include "dronewall/sapient.h"

#include "codecs/sapient_int.h"

#define NODES_MAX 256
#define NODE_BUCKETS 512            /* a power of two */
/* protobuf-c's tree of a message is a few times its wire size. The arena starts small (most
 * messages are a few hundred bytes) and doubles when a frame needs more, up to a cap; a frame
 * whose tree does not fit even then is counted as malformed. */
#define DECODE_ARENA (256u << 10)
#define DECODE_ARENA_MAX (8u << 20)
#define ENCODE_ARENA (256u << 10)
#define RAW_START (64u << 10)
#define RAW_MAX (48u << 20)

typedef struct sap_state {
    dw_sapient_version forced;          /* from the config; 0 = decide per message */
    dw_sapient_version out_version;     /* what encode_obs writes                  */
    dw__sap_arena dec, enc;
    char *raw;
    size_t raw_cap;
    size_t n_nodes;
    dw_sapient_node nodes[NODES_MAX];
    /* node ids → nodes[]: chains of indices from NODE_BUCKETS heads, -1 ends a chain. A
     * network of thousands of nodes sends every message from another one, so finding a node
     * must not cost a scan of the table. */
    int16_t bucket[NODE_BUCKETS];
    int16_t next[NODES_MAX];
    dw_sapient_msg msg;                 /* the typed view of the current frame */
    uint64_t seq;                       /* encode_obs counter, for ids          */
    dw_ratelimit rl;
} sap_state;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The first byte of a SapientMessage: the key of one of its 13 fields, all length-delimited
 * (senders write field 1, the timestamp, first). Anything else is not the start of one. */
static int plausible_key(uint8_t b)
{
    return (b & 7) == 2 && (b >> 3) >= 1 && (b >> 3) <= 13;
}

static int plausible_len(uint32_t n) { return n >= 2 && n <= DW_SAPIENT_MSG_MAX; }

dw_status dw_sapient_frame(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len)
{
    size_t i = 0;
    for (; len - i >= 4; i++) {
        uint32_t n = le32(buf + i);
        if (!plausible_len(n) || (len - i > 4 && !plausible_key(buf[i + 4])))
            continue;
        if (len - i - 4 < n) {
            *skip = i;
            return DW_ERR_EOF;
        }
        if (dw__sap_plausible(buf + i + 4, n, NULL)) {
            *skip = i;
            *frame_len = 4 + (size_t)n;
            return DW_OK;
        }
    }
    *skip = i;
    return DW_ERR_EOF;
}

static dw_status sap_frame(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len)
{
    return dw_sapient_frame(buf, len, skip, frame_len);
}

static int sap_detect(const uint8_t *buf, size_t len, const dw_frame_meta *meta)
{
    (void)meta;
    if (len < 6)
        return 0;
    uint32_t n = le32(buf);
    if (!plausible_len(n) || !plausible_key(buf[4]))
        return 0;
    if (len - 4 >= n) {
        dw__sap_scan scan;
        if (!dw__sap_plausible(buf + 4, n, &scan))
            return 0;
        /* Both mandatory header fields as well as content: very unlikely by chance. */
        return scan.node_id && scan.has_time ? 95 : 70;
    }
    /* Only the start is here: a timestamp first, shaped like one (seconds, then nanos). */
    if (buf[4] == 0x0a && buf[5] >= 2 && buf[5] <= 22 && (len < 7 || buf[6] == 0x08 || buf[6] == 0x10))
        return 55;
    return 20;
}

/* "sapient=2.0" in a comma-separated list, or a bare version ("v1.0", "bsi_flex_335_v1_0");
 * items for other codecs are left alone. */
static dw_status parse_edition(const char *ed, dw_sapient_version *out)
{
    *out = 0;
    if (!ed)
        return DW_OK;
    char buf[128];
    dw__sap_copy(buf, sizeof buf, ed);
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        char *eq = strchr(item, '=');
        dw_sapient_version v;
        if (eq) {
            *eq = '\0';
            if (strcmp(item, "sapient"))
                continue;
            if (dw_sapient_version_parse(eq + 1, &v) != DW_OK)
                return DW_ERR_INVALID;
            *out = v;
        } else if (dw_sapient_version_parse(item, &v) == DW_OK) {
            *out = v;
        }
    }
    return DW_OK;
}

static void sap_destroy(void *state)
{
    sap_state *s = state;
    if (!s)
        return;
    free(s->dec.base);
    free(s->enc.base);
    free(s->raw);
    free(s);
}

static dw_status sap_create(const dw_codec_config *cfg, void **state)
{
    dw_sapient_version forced = 0;
    if (cfg && parse_edition(cfg->edition, &forced) != DW_OK)
        return DW_ERR_INVALID;
    sap_state *s = calloc(1, sizeof *s);
    if (!s)
        return DW_ERR_NOMEM;
    void *dec = malloc(DECODE_ARENA), *enc = malloc(ENCODE_ARENA);
    s->raw = malloc(RAW_START);
    if (!dec || !enc || !s->raw) {
        free(dec);
        free(enc);
        free(s->raw);
        free(s);
        return DW_ERR_NOMEM;
    }
    dw__sap_arena_init(&s->dec, dec, DECODE_ARENA);
    dw__sap_arena_init(&s->enc, enc, ENCODE_ARENA);
    s->raw_cap = RAW_START;
    memset(s->bucket, 0xFF, sizeof s->bucket);     /* every chain empty (-1) */
    s->forced = forced;
    s->out_version = forced ? forced : DW_SAPIENT_V2_0;
    dw_ratelimit rl = DW_RATELIMIT_INIT(1.0, 5.0);
    s->rl = rl;
    *state = s;
    return DW_OK;
}

/* ---------------------------------------------------------------- nodes */

/* Of the first len bytes of id (no NUL among them), eight at a time. */
static size_t node_hash(const char *id, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
    while (len) {
        uint64_t w = 0;
        size_t k = len < 8 ? len : 8;
        memcpy(&w, id, k);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 29;
        id += k;
        len -= k;
    }
    return (size_t)(h ^ h >> 32) & (NODE_BUCKETS - 1);
}

/* The node of id (its first len bytes, or up to its NUL), or NULL. */
static dw_sapient_node *node_findn(const sap_state *s, const char *id, size_t len)
{
    for (int i = s->bucket[node_hash(id, len)]; i >= 0; i = s->next[i]) {
        const char *k = s->nodes[i].node_id;
        if (!strncmp(k, id, len) && k[len] == '\0')
            return (dw_sapient_node *)&s->nodes[i];
    }
    return NULL;
}

static dw_sapient_node *node_find(const sap_state *s, const char *id)
{
    return node_findn(s, id, strlen(id));
}

static dw_sapient_node *node_get(sap_state *s, const char *id)
{
    dw_sapient_node *n = node_find(s, id);
    if (n)
        return n;
    int k;
    if (s->n_nodes < NODES_MAX) {
        k = (int)s->n_nodes++;
    } else {
        /* Full: the least recently heard makes room, out of its chain first. */
        k = 0;
        for (int i = 1; i < NODES_MAX; i++)
            if (s->nodes[i].last_us < s->nodes[k].last_us)
                k = i;
        const char *old = s->nodes[k].node_id;
        int16_t *p = &s->bucket[node_hash(old, strlen(old))];
        while (*p >= 0 && *p != k)
            p = &s->next[*p];
        if (*p == k)
            *p = s->next[k];
    }
    n = &s->nodes[k];
    memset(n, 0, sizeof *n);
    dw__sap_copy(n->node_id, sizeof n->node_id, id);
    size_t b = node_hash(n->node_id, strlen(n->node_id));
    s->next[k] = s->bucket[b];
    s->bucket[b] = (int16_t)k;
    return n;
}

/* The mode a node's detections are in: the one its last status report named, else its first. */
static const dw_sapient_mode *node_mode(const dw_sapient_node *n)
{
    if (!n || n->n_modes == 0)
        return NULL;
    for (size_t i = 0; i < n->n_modes; i++)
        if (n->mode[0] && !strcmp(n->modes[i].name, n->mode))
            return &n->modes[i];
    return &n->modes[0];
}

dw_status dw_sapient_node_get(const void *codec_state, const char *node_id, dw_sapient_node *out)
{
    if (!codec_state || !node_id)
        return DW_ERR_INVALID;
    const dw_sapient_node *n = node_find(codec_state, node_id);
    if (!n)
        return DW_ERR_NOT_FOUND;
    *out = *n;
    return DW_OK;
}

/* The version a node registered with, for messages whose bytes read the same in both. */
static dw_sapient_version registered_version(void *ctx, const uint8_t *id, size_t len)
{
    if (len >= DW_SAPIENT_ID_MAX || memchr(id, '\0', len))
        return 0;
    const dw_sapient_node *n = node_findn(ctx, (const char *)id, len);
    return n && n->registered ? n->version : 0;
}

/* -------------------------------------------------------------- decoding */

static void bad(sap_state *s, dw_decode_sink *sink, const dw_frame_meta *meta, const char *why)
{
    sink->stats.malformed++;
    DW_LOG_RL(&s->rl, meta ? meta->rx_us : 0, DW_LOG_CODEC, DW_LOG_WARN, "sapient: %s%s%s", why,
              meta && meta->source ? " in " : "", meta && meta->source ? meta->source : "");
}

static void emit_raw(sap_state *s, const ProtobufCMessage *root, dw_sapient_version v,
                     const char *how, const char *type, const dw_sapient_header *h,
                     dw_decode_sink *sink, const dw_frame_meta *meta)
{
    for (;;) {
        dw_jw w;
        dw_jw_init(&w, s->raw, s->raw_cap);
        dw_jw_obj(&w);
        dw_jw_kstr(&w, "codec", "sapient");
        dw_jw_kstr(&w, "version", dw_sapient_version_name(v));
        dw_jw_kstr(&w, "version_from", how);
        dw_jw_kstr(&w, "type", type);
        if (h->node_id[0]) {
            char sensor[DW_ID_MAX];
            dw_sapient_sensor_id(h->node_id, sensor);
            dw_jw_kstr(&w, "sensor", sensor);
        }
        dw__sap_json_members(&w, root);
        dw_jw_obj_end(&w);
        if (dw_jw_ok(&w)) {
            sink->raw(sink->ctx, s->raw, dw_jw_len(&w));
            return;
        }
        /* Only a message with thousands of fields gets here: grow, within the cap. */
        char *bigger = s->raw_cap < RAW_MAX ? realloc(s->raw, s->raw_cap * 2) : NULL;
        if (!bigger) {
            bad(s, sink, meta, "message too large for its raw JSON");
            return;
        }
        s->raw = bigger;
        s->raw_cap *= 2;
    }
}

static dw_status sap_decode(void *state, const uint8_t *frame, size_t len, const dw_frame_meta *meta,
                            dw_decode_sink *sink)
{
    sap_state *s = state;
    if (len < 4 || le32(frame) != len - 4 || len - 4 > DW_SAPIENT_MSG_MAX) {
        bad(s, sink, meta, "frame length does not match its prefix");
        return DW_ERR_PARSE;
    }
    const uint8_t *msg = frame + 4;
    size_t n = len - 4;

    dw_sapient_version v;
    const char *how;
    if (dw__sap_pick_version(msg, n, s->forced, registered_version, s, &v, &how, NULL) != DW_OK) {
        bad(s, sink, meta, "not a SapientMessage of either version");
        return DW_ERR_PARSE;
    }
    dw__sap_arena_reset(&s->dec);
    ProtobufCMessage *root = dw__sap_unpack(&s->dec, v, msg, n);
    while (!root && s->dec.failed && s->dec.cap < DECODE_ARENA_MAX) {
        void *bigger = malloc(s->dec.cap * 2);
        if (!bigger)
            break;
        free(s->dec.base);
        dw__sap_arena_init(&s->dec, bigger, s->dec.cap * 2);
        root = dw__sap_unpack(&s->dec, v, msg, n);
    }
    if (!root) {
        bad(s, sink, meta, s->dec.failed ? "message too large to unpack" : "message does not unpack");
        return DW_ERR_PARSE;
    }
    const ProtobufCMessage *content;
    dw_sapient_msg *m = &s->msg;
    memset(m, 0, sizeof *m);
    dw__sap_read_header(root, v, &m->hdr);
    m->kind = dw__sap_kind(root, &content);
    /* The name of whichever member of the `content` oneof is set ("registration" is just one
     * member to find the oneof by). */
    const char *type = dw__sap_oneof_case(root, "registration");
    sink->stats.frames++;
    sink->stats.records++;
    if (sink->want_raw && sink->raw)
        emit_raw(s, root, v, how, type ? type : "", &m->hdr, sink, meta);

    dw_sapient_node *node = m->hdr.node_id[0] ? node_get(s, m->hdr.node_id) : NULL;
    if (node) {
        if (!node->registered)
            node->version = v;
        if (m->hdr.has_time && m->hdr.t_us > node->last_us)
            node->last_us = m->hdr.t_us;
        else if (meta && meta->rx_us > node->last_us)
            node->last_us = meta->rx_us;
    }
    switch (m->kind) {
    case DW_SAPIENT_REGISTRATION: {
        dw_sapient_registration *r = &m->u.reg;
        dw__sap_read_registration(content, r);
        if (node) {
            dw_sapient_version rv;
            node->registered = 1;
            node->version = dw_sapient_version_parse(r->icd_version, &rv) == DW_OK ? rv : v;
            node->node_type = r->node_type;
            dw__sap_copy(node->name, sizeof node->name, r->name);
            node->n_modes = r->n_modes;
            memcpy(node->modes, r->modes, sizeof node->modes);
        }
        break;
    }
    case DW_SAPIENT_STATUS_REPORT: {
        dw_sapient_status *st = &m->u.status;
        dw__sap_read_status(content, st);
        if (node) {
            if (st->mode[0])
                dw__sap_copy(node->mode, sizeof node->mode, st->mode);
            double lat, lon;
            if (st->has_location &&
                dw__sap_location_geo(&st->node_location, node_mode(node), &lat, &lon) == DW_OK) {
                node->has_site = 1;
                node->site_lat_deg = lat;
                node->site_lon_deg = lon;
                node->has_site_alt = (st->node_location.has & DW_SAPIENT_HAS_Z) != 0;
                node->site_alt_m = node->has_site_alt ? st->node_location.z : 0;
            }
        }
        break;
    }
    case DW_SAPIENT_DETECTION_REPORT: {
        dw__sap_read_detection(content, &m->u.det);
        if (!sink->want_obs || !sink->obs)
            break;
        dw_obs o;
        dw_status st = dw__sap_detection_obs(&m->hdr, &m->u.det, node_mode(node),
                                             meta ? meta->rx_us : 0, &o);
        if (st == DW_OK) {
            sink->obs(sink->ctx, &o);
            sink->stats.obs++;
        } else if (st == DW_ERR_UNSUPPORTED) {
            sink->stats.unknown++;
            DW_LOG_RL(&s->rl, meta ? meta->rx_us : 0, DW_LOG_CODEC, DW_LOG_INFO,
                      "sapient: detection from %s in units or a north dronewall cannot use",
                      m->hdr.node_id);
        } else {
            bad(s, sink, meta, "detection without a usable node id, time or location");
        }
        break;
    }
    case DW_SAPIENT_ALERT:
    case DW_SAPIENT_OTHER:
        break;
    }
    return DW_OK;
}

/* -------------------------------------------------------------- encoding */

static dw_status sap_encode_obs(void *state, const dw_obs *o, uint8_t *buf, uint8_t *end,
                                uint8_t **out_end)
{
    sap_state *s = state;
    dw_sapient_msg *m = &s->msg;
    /* dw__sap_obs_detection clears the header and the detection it fills. */
    m->hdr.version = s->out_version;
    m->kind = DW_SAPIENT_DETECTION_REPORT;
    dw_status st = dw__sap_obs_detection(o, s->seq, &m->hdr, &m->u.det);
    if (st != DW_OK)
        return st;
    st = dw__sap_encode_msg(&s->enc, m, buf, end, out_end);
    if (st == DW_OK)
        s->seq++;
    return st;
}

const dw_codec_ops dw_codec_sapient = {
    .name = "sapient",
    .summary = "SAPIENT (BSI Flex 335 v1.0/v2.0) protobuf over TCP, 4-byte length prefix",
    .detect = sap_detect,
    .frame = sap_frame,
    .create = sap_create,
    .destroy = sap_destroy,
    .decode = sap_decode,
    .encode_obs = sap_encode_obs,
    .encode_track = NULL,
};

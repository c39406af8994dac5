/* codec_remoteid.c — dw_codec_remoteid: broadcast Remote ID to raw JSON
 * and observations, and observations to Message Packs.
 *
 * Input is what a capture hands over whole (802.11, radiotap, Bluetooth LE
 * link-layer frames, by meta->linktype) or, as a datagram, one bare message
 * or Message Pack. Each message becomes one raw JSON object; each
 * Location/Vector with a position becomes one observation, named with the
 * identity its transmitter last sent in a Basic ID. Basic ID and Location
 * often travel in different frames (always, over Bluetooth 4), so the codec
 * remembers the latest identity of each transmitter (MAC address) in a table
 * of fixed size allocated at create: nothing is allocated per frame.
 *
 * Counting: a frame without Remote ID (a NAN synchronisation beacon, another
 * device's advert) is `unknown`, so are messages of types F3411 does not
 * define; a truncated or inconsistent frame, pack or message is `malformed`;
 * a frame whose checksum the capture marked bad, or whose BLE CRC fails, is
 * `crc_errors` and skipped without being read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/jsonw.h"
#include "dronewall/remoteid.h"

/* ---- the transmitter table ---------------------------------------------- */

#define PROBES 8 /* slots searched from a MAC's home slot */

typedef struct tx_entry {
    uint8_t mac[6];
    uint8_t used;
    uint8_t ua_type;
    uint64_t last_use;          /* table tick of the last lookup */
    char serial[DW_RID_MAX];    /* latest Basic ID of type serial number */
    char other[DW_RID_MAX];     /* latest Basic ID of another type */
} tx_entry;

typedef struct rid_state {
    uint64_t tick;
    tx_entry tx[DW_REMOTEID_TABLE_SIZE];
} rid_state;

static unsigned mac_hash(const uint8_t *mac)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 6; i++)
        h = (h ^ mac[i]) * 16777619u;
    return h;
}

/* The entry of mac; with create, a fresh one when it is not there (taking
 * the least recently used slot of its probe window). NULL otherwise. */
static tx_entry *tx_lookup(rid_state *s, const uint8_t *mac, int create)
{
    unsigned home = mac_hash(mac);
    tx_entry *victim = NULL;
    for (unsigned i = 0; i < PROBES; i++) {
        tx_entry *e = &s->tx[(home + i) % DW_REMOTEID_TABLE_SIZE];
        if (e->used && !memcmp(e->mac, mac, 6)) {
            e->last_use = ++s->tick;
            return e;
        }
        if (!victim || (!e->used && victim->used) ||
            (e->used == victim->used && e->last_use < victim->last_use))
            victim = e;
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof *victim);
    memcpy(victim->mac, mac, 6);
    victim->used = 1;
    victim->last_use = ++s->tick;
    return victim;
}

typedef struct ident {
    char serial[DW_RID_MAX], other[DW_RID_MAX];
    uint8_t ua_type;
} ident;

/* A Basic ID updates an identity: the serial number is preferred, any other
 * ID type stands in until one is heard; the latest UA type wins. */
static void ident_update(char *serial, char *other, uint8_t *ua_type, const dw_odid_basic_id *b)
{
    if (b->uas_id[0]) {
        char *dst = b->id_type == DW_ODID_IDT_SERIAL ? serial : other;
        snprintf(dst, DW_RID_MAX, "%s", b->uas_id);
    }
    if (b->ua_type != DW_ODID_UA_NONE)
        *ua_type = b->ua_type;
}

/* ---- words of the raw JSON ---------------------------------------------- */

static const char *const w_status[16] = {"undeclared", "ground", "airborne", "emergency",
                                         "system_failure"};
static const char *const w_id_type[16] = {"none", "serial", "caa", "utm", "session"};
static const char *const w_ua_type[16] = {
    "none", "aeroplane", "helicopter_multirotor", "gyroplane", "hybrid_lift", "ornithopter",
    "glider", "kite", "free_balloon", "captive_balloon", "airship", "free_fall_parachute",
    "rocket", "tethered_powered", "ground_obstacle", "other"};
static const char *const w_auth_type[16] = {
    "none", "uas_id_signature", "operator_id_signature", "message_set_signature",
    "network_remote_id", "specific_method"};
static const char *const w_desc_type[3] = {"text", "emergency", "extended_status"};
static const char *const w_op_loc[4] = {"takeoff", "live_gnss", "fixed"};
static const char *const w_class_type[8] = {"undeclared", "eu"};
static const char *const w_category[16] = {"undeclared", "open", "specific", "certified"};
static const char *const w_ua_class[16] = {"undeclared", "class_0", "class_1", "class_2",
                                           "class_3", "class_4", "class_5", "class_6"};

/* A word from a table, or the number when the table has none for it. */
static void kword(dw_jw *w, const char *k, const char *const *table, size_t n, unsigned v)
{
    dw_jw_key(w, k);
    if (v < n && table[v])
        dw_jw_str(w, table[v]);
    else
        dw_jw_uint(w, v);
}
#define KWORD(w, k, table, v) kword((w), (k), (table), sizeof(table) / sizeof((table)[0]), (v))

/* Text as sent, with bytes JSON cannot carry as they are replaced by '?'. */
static void ktext(dw_jw *w, const char *k, const char *s)
{
    char buf[DW_ODID_DESC_LEN + 1];
    size_t i = 0;
    for (; s[i] && i < sizeof buf - 1; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = c < 0x80 ? (char)c : '?';
    }
    dw_jw_key(w, k);
    dw_jw_strn(w, buf, i);
}

static void kalt(dw_jw *w, const char *k, double alt_m)
{
    dw_jw_key(w, k);
    if (alt_m == DW_ODID_ALT_UNKNOWN_M)
        dw_jw_null(w);
    else
        dw_jw_double(w, alt_m);
}

static void kpos(dw_jw *w, const char *klat, const char *klon, double lat, double lon)
{
    int known = !(lat == 0.0 && lon == 0.0);
    dw_jw_key(w, klat);
    known ? dw_jw_double(w, lat) : dw_jw_null(w);
    dw_jw_key(w, klon);
    known ? dw_jw_double(w, lon) : dw_jw_null(w);
}

static void kbound(dw_jw *w, const char *k, double bound)
{
    dw_jw_key(w, k);
    if (bound > 0)
        dw_jw_double(w, bound);
    else
        dw_jw_null(w);
}

static void kunix(dw_jw *w, const char *k, uint32_t t_2019_s)
{
    dw_jw_key(w, k);
    if (t_2019_s)
        dw_jw_int(w, (DW_ODID_EPOCH_UNIX_S + (int64_t)t_2019_s) * 1000000LL);
    else
        dw_jw_null(w);
}

static void json_location(dw_jw *w, const dw_odid_location *l, int64_t rx_us)
{
    KWORD(w, "status", w_status, l->status);
    dw_jw_key(w, "direction_deg");
    l->direction_deg <= 360.0 ? dw_jw_double(w, l->direction_deg) : dw_jw_null(w);
    dw_jw_key(w, "speed_mps");
    l->speed_mps < DW_ODID_SPEED_UNKNOWN_MPS ? dw_jw_double(w, l->speed_mps) : dw_jw_null(w);
    dw_jw_key(w, "vspeed_mps");
    l->vspeed_mps != DW_ODID_VSPEED_UNKNOWN_MPS ? dw_jw_double(w, l->vspeed_mps) : dw_jw_null(w);
    kpos(w, "lat_deg", "lon_deg", l->lat_deg, l->lon_deg);
    kalt(w, "pressure_alt_m", l->pressure_alt_m);
    kalt(w, "geodetic_alt_m", l->geodetic_alt_m);
    kalt(w, "height_m", l->height_m);
    dw_jw_kstr(w, "height_ref", l->height_type ? "ground" : "takeoff");
    kbound(w, "h_accuracy_m", dw_odid_h_accuracy_m(l->h_accuracy));
    kbound(w, "v_accuracy_m", dw_odid_v_accuracy_m(l->v_accuracy));
    kbound(w, "baro_accuracy_m", dw_odid_v_accuracy_m(l->baro_accuracy));
    kbound(w, "speed_accuracy_mps", dw_odid_speed_accuracy_mps(l->speed_accuracy));
    dw_jw_key(w, "t_hour_s");
    l->t_hour_ds < 36000 ? dw_jw_double(w, l->t_hour_ds / 10.0) : dw_jw_null(w);
    kbound(w, "t_accuracy_s", l->t_accuracy_ds / 10.0);
    int64_t t_us;
    if (dw_odid_location_time(l, rx_us, &t_us) == DW_OK)
        dw_jw_kint(w, "t_us", t_us);
}

static void json_msg(dw_jw *w, const dw_odid_msg *m, int64_t rx_us)
{
    dw_jw_kstr(w, "msg", dw_odid_type_name(m->type));
    dw_jw_kint(w, "version", m->version);
    switch (m->type) {
    case DW_ODID_BASIC_ID:
        KWORD(w, "id_type", w_id_type, m->u.basic_id.id_type);
        KWORD(w, "ua_type", w_ua_type, m->u.basic_id.ua_type);
        ktext(w, "uas_id", m->u.basic_id.uas_id);
        break;
    case DW_ODID_LOCATION:
        json_location(w, &m->u.location, rx_us);
        break;
    case DW_ODID_AUTH: {
        const dw_odid_auth *a = &m->u.auth;
        KWORD(w, "auth_type", w_auth_type, a->auth_type);
        dw_jw_kint(w, "page", a->page);
        if (a->page == 0) {
            dw_jw_kint(w, "last_page", a->last_page);
            dw_jw_kint(w, "length", a->length);
            kunix(w, "auth_t_us", a->t_2019_s);
        }
        dw_jw_key(w, "data");
        dw_jw_hex(w, a->data, a->data_len);
        break;
    }
    case DW_ODID_SELF_ID:
        KWORD(w, "desc_type", w_desc_type, m->u.self_id.desc_type);
        ktext(w, "desc", m->u.self_id.desc);
        break;
    case DW_ODID_SYSTEM: {
        const dw_odid_system *s = &m->u.system;
        KWORD(w, "operator_loc_type", w_op_loc, s->operator_loc_type);
        KWORD(w, "classification", w_class_type, s->classification_type);
        kpos(w, "operator_lat_deg", "operator_lon_deg", s->operator_lat_deg, s->operator_lon_deg);
        kalt(w, "operator_alt_m", s->operator_alt_m);
        dw_jw_kint(w, "area_count", s->area_count);
        dw_jw_kdouble(w, "area_radius_m", s->area_radius_m);
        kalt(w, "area_ceiling_m", s->area_ceiling_m);
        kalt(w, "area_floor_m", s->area_floor_m);
        KWORD(w, "ua_category", w_category, s->ua_category);
        KWORD(w, "ua_class", w_ua_class, s->ua_class);
        kunix(w, "system_t_us", s->t_2019_s);
        break;
    }
    case DW_ODID_OPERATOR_ID:
        dw_jw_key(w, "operator_id_type");
        if (m->u.operator_id.id_type == 0)
            dw_jw_str(w, "operator_id");
        else
            dw_jw_uint(w, m->u.operator_id.id_type);
        ktext(w, "operator_id", m->u.operator_id.id);
        break;
    default:
        break;
    }
}

static void emit_raw(dw_decode_sink *sink, const dw_remoteid_rx *rx, const dw_odid_msg *m,
                     size_t index, size_t count, int in_pack, int64_t rx_us)
{
    char buf[1024];
    dw_jw w;
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_obj(&w);
    dw_jw_kstr(&w, "codec", "remoteid");
    dw_jw_kstr(&w, "transport", dw_remoteid_transport_name(rx->transport));
    if (rx->has_mac) {
        char mac[18];
        snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", rx->mac[0], rx->mac[1],
                 rx->mac[2], rx->mac[3], rx->mac[4], rx->mac[5]);
        dw_jw_kstr(&w, "mac", mac);
    }
    if (rx->counter >= 0)
        dw_jw_kint(&w, "counter", rx->counter);
    if (rx->has_rssi)
        dw_jw_kint(&w, "rssi_dbm", rx->rssi_dbm);
    if (rx_us)
        dw_jw_kint(&w, "rx_us", rx_us);
    if (in_pack) {
        dw_jw_kint(&w, "pack_index", (int64_t)index);
        dw_jw_kint(&w, "pack_count", (int64_t)count);
    }
    json_msg(&w, m, rx_us);
    dw_jw_obj_end(&w);
    if (dw_jw_ok(&w))
        sink->raw(sink->ctx, buf, dw_jw_len(&w));
}

/* ---- decode ------------------------------------------------------------- */

typedef struct decode_ctx {
    rid_state *state;
    const dw_frame_meta *meta;
    dw_decode_sink *sink;
} decode_ctx;

static void on_payload(void *vctx, const dw_remoteid_rx *rx, const uint8_t *payload, size_t len)
{
    decode_ctx *c = vctx;
    dw_decode_sink *sink = c->sink;
    const uint8_t *raw[DW_ODID_PACK_MAX];
    size_t n = 0;
    int in_pack = (payload[0] >> 4) == DW_ODID_PACK;
    if (in_pack) {
        if (dw_odid_pack_split(payload, len, raw, &n) != DW_OK) {
            sink->stats.malformed++;
            return;
        }
    } else {
        if (len < DW_ODID_MSG_LEN) {
            sink->stats.malformed++;
            return;
        }
        raw[0] = payload;
        n = 1;
    }

    dw_odid_msg msgs[DW_ODID_PACK_MAX];
    size_t idx[DW_ODID_PACK_MAX], k = 0;
    for (size_t i = 0; i < n; i++) {
        dw_status st = dw_odid_decode(raw[i], DW_ODID_MSG_LEN, &msgs[k]);
        if (st == DW_OK)
            idx[k++] = i;
        else if (st == DW_ERR_UNSUPPORTED)
            sink->stats.unknown++; /* a pack in a pack, or types 6..14 */
        else
            sink->stats.malformed++;
    }

    /* Identities first, so a Location placed before its Basic ID in the
     * same pack is named too. */
    ident local = {{0}, {0}, 0};
    tx_entry *e = c->state && rx->has_mac ? tx_lookup(c->state, rx->mac, 0) : NULL;
    for (size_t i = 0; i < k; i++) {
        if (msgs[i].type != DW_ODID_BASIC_ID)
            continue;
        if (c->state && rx->has_mac && !e)
            e = tx_lookup(c->state, rx->mac, 1);
        if (e)
            ident_update(e->serial, e->other, &e->ua_type, &msgs[i].u.basic_id);
        ident_update(local.serial, local.other, &local.ua_type, &msgs[i].u.basic_id);
    }
    const char *serial = e ? e->serial : local.serial, *other = e ? e->other : local.other;
    const char *rid = serial[0] ? serial : other;
    uint8_t ua_type = e ? e->ua_type : local.ua_type;

    int64_t rx_us = c->meta ? c->meta->rx_us : 0;
    for (size_t i = 0; i < k; i++) {
        sink->stats.records++;
        if (sink->want_raw && sink->raw)
            emit_raw(sink, rx, &msgs[i], idx[i], n, in_pack, rx_us);
        if (msgs[i].type != DW_ODID_LOCATION || !sink->want_obs || !sink->obs)
            continue;
        dw_obs o;
        if (dw_remoteid_to_obs(&msgs[i].u.location, rid, ua_type, rx_us, &o) == DW_OK) {
            sink->obs(sink->ctx, &o);
            sink->stats.obs++;
        }
    }
}

static dw_status rid_decode(void *state, const uint8_t *frame, size_t len,
                            const dw_frame_meta *meta, dw_decode_sink *sink)
{
    if (!sink)
        return DW_ERR_INVALID;
    decode_ctx c = {state, meta, sink};
    size_t n = 0;
    int linktype = meta ? meta->linktype : DW_LINK_DATAGRAM;
    dw_status st = dw_remoteid_unwrap(frame, len, linktype, on_payload, &c, &n);
    switch (st) {
    case DW_OK:
        if (n)
            sink->stats.frames++;
        else
            sink->stats.unknown++;
        return DW_OK;
    case DW_ERR_RANGE:
        sink->stats.crc_errors++;
        return DW_OK;
    case DW_ERR_UNSUPPORTED:
        sink->stats.unknown++;
        return DW_OK;
    default:
        sink->stats.malformed++;
        return DW_ERR_PARSE;
    }
}

/* ---- detect and frame ----------------------------------------------------- */

/* A bare message: a defined type and a protocol version F3411 has used. */
static int plausible_msg(const uint8_t *b) { return (b[0] >> 4) <= 5 && (b[0] & 15) <= 2; }

static int rid_detect(const uint8_t *buf, size_t len, const dw_frame_meta *meta)
{
    if (!buf || !meta)
        return 0;
    size_t n = 0;
    switch (meta->linktype) {
    case DW_LINK_DATAGRAM:
        if (len >= DW_ODID_PACK_HDR && buf[0] >> 4 == DW_ODID_PACK && (buf[0] & 15) <= 2 &&
            buf[1] == DW_ODID_MSG_LEN && buf[2] >= 1 && buf[2] <= DW_ODID_PACK_MAX &&
            len == DW_ODID_PACK_HDR + (size_t)buf[2] * DW_ODID_MSG_LEN) {
            for (size_t i = 0; i < buf[2]; i++)
                if (!plausible_msg(buf + DW_ODID_PACK_HDR + i * DW_ODID_MSG_LEN))
                    return 0;
            return 80;
        }
        /* One 25-byte message has no signature worth the name: name the
         * codec to read such datagrams. */
        return len == DW_ODID_MSG_LEN && plausible_msg(buf) ? 30 : 0;
    case DW_LINK_STREAM:
        return 0; /* no sync pattern: a stream of messages must be named */
    default:
        break;
    }
    switch (dw_remoteid_unwrap(buf, len, meta->linktype, NULL, NULL, &n)) {
    case DW_OK:
        /* No other codec reads Wi-Fi or BLE frames, so a well-formed one
         * without Remote ID is still ours to count. */
        return n ? 95 : 60;
    case DW_ERR_RANGE:
        return 60;
    case DW_ERR_PARSE:
        return 10;
    default:
        return 0;
    }
}

/* A stream of bare messages and packs: each starts with a header byte whose
 * type and version say how long it is; other bytes are skipped. */
static dw_status rid_frame(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len)
{
    if (!buf || !skip || !frame_len)
        return DW_ERR_INVALID;
    size_t i = 0;
    while (i < len) {
        unsigned t = buf[i] >> 4, v = buf[i] & 15;
        if (v <= 2 && t <= 5) {
            if (len - i < DW_ODID_MSG_LEN)
                break;
            *skip = i;
            *frame_len = DW_ODID_MSG_LEN;
            return DW_OK;
        }
        if (v <= 2 && t == DW_ODID_PACK) {
            if (len - i < DW_ODID_PACK_HDR)
                break;
            if (buf[i + 1] == DW_ODID_MSG_LEN && buf[i + 2] <= DW_ODID_PACK_MAX) {
                size_t need = DW_ODID_PACK_HDR + (size_t)buf[i + 2] * DW_ODID_MSG_LEN;
                if (len - i < need)
                    break;
                *skip = i;
                *frame_len = need;
                return DW_OK;
            }
        }
        i++;
    }
    *skip = i;
    return DW_ERR_EOF;
}

/* ---- state and encode ----------------------------------------------------- */

static dw_status rid_create(const dw_codec_config *cfg, void **state)
{
    (void)cfg;
    if (!state)
        return DW_ERR_INVALID;
    rid_state *s = calloc(1, sizeof *s);
    if (!s)
        return DW_ERR_NOMEM;
    *state = s;
    return DW_OK;
}

static void rid_destroy(void *state) { free(state); }

/* The Message Pack (Basic ID when the observation has a rid, then
 * Location/Vector) a cooperative drone would broadcast: a bare pack, as a
 * datagram carries it; dw_remoteid_wrap puts it in a Wi-Fi or BLE frame. */
static dw_status rid_encode_obs(void *state, const dw_obs *o, uint8_t *buf, uint8_t *end,
                                uint8_t **out_end)
{
    (void)state;
    dw_odid_msg msgs[2];
    size_t n;
    if (!o || dw_remoteid_from_obs(o, msgs, &n) != DW_OK)
        return DW_ERR_UNSUPPORTED;
    return dw_odid_encode_pack(msgs, n, 2, buf, end, out_end);
}

const dw_codec_ops dw_codec_remoteid = {
    .name = "remoteid",
    .summary = "Open Drone ID broadcast Remote ID (Wi-Fi NAN/beacon, BLE 4/5) to obs; obs to packs",
    .detect = rid_detect,
    .frame = rid_frame,
    .create = rid_create,
    .destroy = rid_destroy,
    .decode = rid_decode,
    .encode_obs = rid_encode_obs,
    .encode_track = NULL,
};

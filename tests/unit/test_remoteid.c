/* test_remoteid.c — Remote ID (Open Drone ID): the three shared captures,
 * hand-built messages from the F3411 layouts, every transport wrapped and
 * unwrapped, the observation mapping, and robustness on cut and corrupted
 * frames.
 *
 * The captures are read with libpcap directly (the shared capture reader is
 * another module's); pcap_datalink() is passed as meta.linktype, as the
 * reader will. Expected counts come from an independent reading of the
 * captures (a throw-away Python walk of the same layouts, BLE CRC included)
 * and from the values the opendroneid demo transmitters are known to send.
 */
#include "harness.h"

#include <jansson.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/remoteid.h"

#define NAN_PCAP "data/remoteid/odid_wifi_sample.pcap"
#define BCN_PCAP "data/remoteid/odid_wifi_bcn_sample.pcap"
#define BT5_PCAP "data/remoteid/odid_bt5_lr_sample.pcapng"

/* ---- helpers ------------------------------------------------------------ */

typedef void (*packet_fn)(void *ctx, const uint8_t *p, size_t len, int linktype, int64_t rx_us);

/* Every packet of a capture; returns how many. */
static int each_packet(const char *rel, packet_fn fn, void *ctx)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(dw_test_shared(rel), err);
    if (!pc) {
        fprintf(stderr, "%s: %s\n", rel, err);
        fail();
    }
    int linktype = pcap_datalink(pc), n = 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(pc, &h, &data) == 1) {
        int64_t rx_us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        fn(ctx, data, h->caplen, linktype, rx_us);
        n++;
    }
    pcap_close(pc);
    return n;
}

enum { N_TYPES = 6 };

/* What the codec said about a capture. */
typedef struct tally {
    void *state;
    dw_decode_sink sink;
    int msgs[DW_RID_NTRANSPORTS][N_TYPES];
    int obs, obs_with_rid, obs_pos3;
    double lat_min, lat_max, lon_min, lon_max;
    dw_obs last_obs;
    char rid[DW_RID_MAX];
    int bad_json;
    int64_t last_rx_us;
} tally;

static int transport_index(const char *s)
{
    for (int t = 0; t < DW_RID_NTRANSPORTS; t++)
        if (!strcmp(s, dw_remoteid_transport_name((dw_remoteid_transport)t)))
            return t;
    return -1;
}

static int type_index(const char *s)
{
    for (int t = 0; t < N_TYPES; t++)
        if (!strcmp(s, dw_odid_type_name((dw_odid_type)t)))
            return t;
    return -1;
}

static int printable(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
            return 0;
    return 1;
}

static const char *jstr(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s ? s : "";
}

static void tally_raw(void *ctx, const char *json, size_t len)
{
    tally *t = ctx;
    json_error_t e;
    json_t *j = json_loadb(json, len, 0, &e);
    if (!j) {
        fprintf(stderr, "bad JSON: %.*s (%s)\n", (int)len, json, e.text);
        t->bad_json++;
        return;
    }
    const char *codec = json_string_value(json_object_get(j, "codec"));
    int tr = transport_index(jstr(j, "transport"));
    int ty = type_index(jstr(j, "msg"));
    if (!codec || strcmp(codec, "remoteid") || tr < 0 || ty < 0)
        t->bad_json++;
    else
        t->msgs[tr][ty]++;
    /* Identities are text a person can read. */
    const char *id = json_string_value(json_object_get(j, "uas_id"));
    if (id && !printable(id))
        t->bad_json++;
    json_decref(j);
}

static void tally_obs(void *ctx, const dw_obs *o)
{
    tally *t = ctx;
    if (t->obs == 0) {
        t->lat_min = t->lat_max = o->lat_deg;
        t->lon_min = t->lon_max = o->lon_deg;
    }
    t->obs++;
    t->obs_pos3 += o->kind == DW_OBS_POS3;
    t->lat_min = fmin(t->lat_min, o->lat_deg);
    t->lat_max = fmax(t->lat_max, o->lat_deg);
    t->lon_min = fmin(t->lon_min, o->lon_deg);
    t->lon_max = fmax(t->lon_max, o->lon_deg);
    if (o->has & DW_OBS_HAS_RID) {
        t->obs_with_rid++;
        snprintf(t->rid, sizeof t->rid, "%s", o->rid);
    }
    t->last_obs = *o;
}

static void tally_packet(void *ctx, const uint8_t *p, size_t len, int linktype, int64_t rx_us)
{
    tally *t = ctx;
    dw_frame_meta meta = {.rx_us = rx_us, .linktype = linktype, .source = "test"};
    t->last_rx_us = rx_us;
    dw_codec_remoteid.decode(t->state, p, len, &meta, &t->sink);
}

static void tally_capture(tally *t, const char *rel)
{
    memset(t, 0, sizeof *t);
    assert_int_equal(dw_codec_remoteid.create(NULL, &t->state), DW_OK);
    t->sink.raw = tally_raw;
    t->sink.obs = tally_obs;
    t->sink.ctx = t;
    t->sink.want_raw = t->sink.want_obs = 1;
    int n = each_packet(rel, tally_packet, t);
    assert_true(n > 0);
    dw_codec_remoteid.destroy(t->state);
    assert_int_equal(t->bad_json, 0);
}

static const dw_codec_ops *codec(void)
{
    const dw_codec_ops *c = dw_codec_find("remoteid");
    assert_non_null(c);
    return c;
}

/* ---- the captures --------------------------------------------------------- */

/* odid_wifi_sample.pcap: a transmitter that sends each message alone, by NAN
 * and by beacon, with NAN synchronisation beacons between; no Basic ID. */
static void capture_wifi_nan(void **state)
{
    (void)state;
    assert_ptr_equal(codec(), &dw_codec_remoteid);
    tally t;
    tally_capture(&t, NAN_PCAP);
    int (*m)[N_TYPES] = t.msgs;
    assert_int_equal(m[DW_RID_WIFI_NAN][DW_ODID_LOCATION], 16);
    assert_int_equal(m[DW_RID_WIFI_NAN][DW_ODID_SELF_ID], 2);
    assert_int_equal(m[DW_RID_WIFI_NAN][DW_ODID_SYSTEM], 2);
    assert_int_equal(m[DW_RID_WIFI_NAN][DW_ODID_OPERATOR_ID], 1);
    assert_int_equal(m[DW_RID_WIFI_NAN][DW_ODID_BASIC_ID], 0);
    assert_int_equal(m[DW_RID_WIFI_BEACON][DW_ODID_LOCATION], 15);
    assert_int_equal(m[DW_RID_WIFI_BEACON][DW_ODID_SELF_ID], 2);
    assert_int_equal(m[DW_RID_WIFI_BEACON][DW_ODID_SYSTEM], 2);
    assert_int_equal(m[DW_RID_WIFI_BEACON][DW_ODID_OPERATOR_ID], 2);
    assert_int_equal(t.sink.stats.frames, 42);
    assert_int_equal(t.sink.stats.records, 42);
    assert_int_equal(t.sink.stats.unknown, 21); /* the NAN sync beacons */
    assert_int_equal(t.sink.stats.malformed, 0);
    assert_int_equal(t.sink.stats.crc_errors, 0);
    /* Every location is a fix west of Portland, Oregon, 237 m HAE. */
    assert_int_equal(t.obs, 31);
    assert_int_equal(t.obs_pos3, 31);
    assert_int_equal(t.obs_with_rid, 0);
    assert_true(t.lat_min > 45.54 && t.lat_max < 45.55);
    assert_true(t.lon_min > -122.98 && t.lon_max < -122.96);
    assert_near(t.last_obs.alt_m, 237.0, 1e-9);
    assert_near(t.last_obs.sigma_pos_m, 15.0, 1e-9); /* "< 30 m" */
    assert_near(t.last_obs.sigma_alt_m, 12.5, 1e-9); /* "< 25 m" */
    assert_string_equal(t.last_obs.sensor, "RID");
    assert_true(t.last_obs.has & DW_OBS_HAS_VEL);
    assert_near(hypot(t.last_obs.vel_enu_mps[0], t.last_obs.vel_enu_mps[1]), 20.5, 1e-9);
    assert_near(t.last_obs.vel_enu_mps[2], 0.0, 0); /* vertical speed unknown */
}

/* odid_wifi_bcn_sample.pcap: 21 beacons, each a pack of five messages. */
static void capture_wifi_beacon(void **state)
{
    (void)state;
    tally t;
    tally_capture(&t, BCN_PCAP);
    for (int ty = 0; ty < N_TYPES; ty++)
        assert_int_equal(t.msgs[DW_RID_WIFI_BEACON][ty], ty == DW_ODID_AUTH ? 0 : 21);
    assert_int_equal(t.sink.stats.frames, 21);
    assert_int_equal(t.sink.stats.records, 105);
    assert_int_equal(t.sink.stats.malformed + t.sink.stats.unknown + t.sink.stats.crc_errors, 0);
    assert_int_equal(t.obs, 21);
    /* The demo's ID type is "none"; with no serial heard, the ID stands in. */
    assert_int_equal(t.obs_with_rid, 21);
    assert_string_equal(t.rid, "MFG1A0123456789");
    assert_false(t.last_obs.has & DW_OBS_HAS_CLASS); /* UA type "none" */
    assert_true(t.lat_min > 45.54 && t.lat_max < 45.55);
    assert_true(t.lon_min > -122.98 && t.lon_max < -122.96);
    /* The demo's clock is unset (0 tenths past the hour, heard at 21:52):
     * the time of reception stands in. */
    assert_true(t.last_obs.t_us == t.last_rx_us);
}

/* odid_bt5_lr_sample.pcapng: an nRF Sniffer capture of BT5 Long Range with
 * the sniffer's own CRC flag; the transmitter had no GNSS fix (0, 0). */
static void capture_bt5(void **state)
{
    (void)state;
    tally t;
    tally_capture(&t, BT5_PCAP);
    int *m = t.msgs[DW_RID_BT5];
    assert_int_equal(m[DW_ODID_BASIC_ID], 225);
    assert_int_equal(m[DW_ODID_LOCATION], 222);
    assert_int_equal(m[DW_ODID_SELF_ID], 216);
    assert_int_equal(m[DW_ODID_SYSTEM], 207);
    assert_int_equal(m[DW_ODID_OPERATOR_ID], 199);
    assert_int_equal(m[DW_ODID_AUTH], 0);
    assert_int_equal(t.sink.stats.frames, 244);
    assert_int_equal(t.sink.stats.crc_errors, 30);
    assert_int_equal(t.sink.stats.malformed + t.sink.stats.unknown, 0);
    assert_int_equal(t.obs, 0); /* no position, no observation */
}

/* Values of one capture message, against the demo transmitters' settings. */
typedef struct first_msgs {
    int have[N_TYPES];
    dw_odid_msg m[N_TYPES];
    dw_remoteid_rx rx[N_TYPES];
} first_msgs;

static void keep_first(void *ctx, const dw_remoteid_rx *rx, const uint8_t *p, size_t len)
{
    first_msgs *f = ctx;
    const uint8_t *raw[DW_ODID_PACK_MAX];
    size_t n = 1;
    raw[0] = p;
    if ((p[0] >> 4) == DW_ODID_PACK && dw_odid_pack_split(p, len, raw, &n) != DW_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        dw_odid_msg m;
        if (dw_odid_decode(raw[i], DW_ODID_MSG_LEN, &m) == DW_OK && !f->have[m.type]) {
            f->have[m.type] = 1;
            f->m[m.type] = m;
            f->rx[m.type] = *rx;
        }
    }
}

static void first_packet(void *ctx, const uint8_t *p, size_t len, int linktype, int64_t rx_us)
{
    (void)rx_us;
    size_t n;
    dw_remoteid_unwrap(p, len, linktype, keep_first, ctx, &n);
}

static void capture_values(void **state)
{
    (void)state;
    first_msgs f;
    memset(&f, 0, sizeof f);
    each_packet(BCN_PCAP, first_packet, &f);
    for (int t = 0; t < N_TYPES; t++)
        assert_int_equal(f.have[t], t != DW_ODID_AUTH);
    static const uint8_t mac[6] = {0x84, 0xcc, 0xa8, 0x60, 0x43, 0x24};
    assert_memory_equal(f.rx[DW_ODID_LOCATION].mac, mac, 6);
    assert_int_equal(f.rx[DW_ODID_LOCATION].counter, 0xd0);
    assert_true(f.rx[DW_ODID_LOCATION].has_rssi);
    const dw_odid_location *l = &f.m[DW_ODID_LOCATION].u.location;
    assert_near(l->lat_deg, 45.5457468, 1e-9);
    assert_near(l->lon_deg, -122.9681496, 1e-9);
    assert_near(l->speed_mps, 20.5, 0);
    assert_near(l->direction_deg, 92.0, 0);
    assert_near(l->geodetic_alt_m, 237.0, 0);
    assert_near(l->height_m, 100.0, 0);
    assert_near(l->pressure_alt_m, DW_ODID_ALT_UNKNOWN_M, 0);
    assert_int_equal(l->h_accuracy, 9);
    assert_int_equal(l->v_accuracy, 3);
    assert_int_equal(l->t_accuracy_ds, 10);
    assert_string_equal(f.m[DW_ODID_SELF_ID].u.self_id.desc, "Recreational");
    assert_string_equal(f.m[DW_ODID_OPERATOR_ID].u.operator_id.id, "GBR-OP-123ABCD");
    const dw_odid_system *s = &f.m[DW_ODID_SYSTEM].u.system;
    assert_int_equal(s->classification_type, 1); /* EU */
    assert_int_equal(s->area_count, 1);
    assert_near(s->area_radius_m, 500.0, 0);
    assert_int_equal(s->ua_category, 1);         /* open */
    assert_int_equal(s->ua_class, 5);            /* class 4 */
    assert_true(fabs(s->operator_lat_deg - 45.544) < 0.01);

    memset(&f, 0, sizeof f);
    each_packet(BT5_PCAP, first_packet, &f);
    assert_int_equal(f.m[DW_ODID_BASIC_ID].u.basic_id.id_type, DW_ODID_IDT_SERIAL);
    assert_int_equal(f.m[DW_ODID_BASIC_ID].u.basic_id.ua_type, DW_ODID_UA_HELI_MULTIROTOR);
    assert_string_equal(f.m[DW_ODID_BASIC_ID].u.basic_id.uas_id, "SSEVTFG93700070");
    assert_string_equal(f.m[DW_ODID_SELF_ID].u.self_id.desc, "Drone ID demo");
    assert_string_equal(f.m[DW_ODID_OPERATOR_ID].u.operator_id.id, "FIN87astrdge12kxyz8");
    static const uint8_t bt_mac[6] = {0xe0, 0x7d, 0xea, 0xeb, 0x2f, 0x1c};
    assert_memory_equal(f.rx[DW_ODID_BASIC_ID].mac, bt_mac, 6);
    const dw_odid_location *b = &f.m[DW_ODID_LOCATION].u.location;
    assert_int_equal(b->status, 2);
    assert_near(b->direction_deg, DW_ODID_DIR_UNKNOWN_DEG, 0);
    assert_near(b->speed_mps, DW_ODID_SPEED_UNKNOWN_MPS, 0);
    assert_near(b->vspeed_mps, DW_ODID_VSPEED_UNKNOWN_MPS, 0);
    assert_near(b->pressure_alt_m, -55.0, 0);
}

/* Bits F3411 uses, per message type: the rest are reserved and written 0. */
static void significant(uint8_t *b)
{
    switch (b[0] >> 4) {
    case DW_ODID_BASIC_ID:
    case DW_ODID_OPERATOR_ID:
        b[22] = b[23] = b[24] = 0;
        break;
    case DW_ODID_LOCATION:
        b[1] &= 0xF7;
        b[23] &= 0x0F;
        b[24] = 0;
        break;
    case DW_ODID_SYSTEM:
        b[1] &= 0x1F;
        b[24] = 0;
        break;
    default:
        break;
    }
}

typedef struct rt {
    int msgs, bytes_equal;
} rt;

static void same_msg(const dw_odid_msg *a, const dw_odid_msg *b)
{
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->version, b->version);
    switch (a->type) {
    case DW_ODID_BASIC_ID:
        assert_int_equal(a->u.basic_id.id_type, b->u.basic_id.id_type);
        assert_int_equal(a->u.basic_id.ua_type, b->u.basic_id.ua_type);
        assert_string_equal(a->u.basic_id.uas_id, b->u.basic_id.uas_id);
        break;
    case DW_ODID_LOCATION: {
        const dw_odid_location *x = &a->u.location, *y = &b->u.location;
        assert_true(x->status == y->status && x->height_type == y->height_type);
        assert_true(x->direction_deg == y->direction_deg && x->speed_mps == y->speed_mps &&
                    x->vspeed_mps == y->vspeed_mps);
        assert_true(x->lat_deg == y->lat_deg && x->lon_deg == y->lon_deg);
        assert_true(x->pressure_alt_m == y->pressure_alt_m &&
                    x->geodetic_alt_m == y->geodetic_alt_m && x->height_m == y->height_m);
        assert_true(x->h_accuracy == y->h_accuracy && x->v_accuracy == y->v_accuracy &&
                    x->baro_accuracy == y->baro_accuracy && x->speed_accuracy == y->speed_accuracy);
        assert_true(x->t_hour_ds == y->t_hour_ds && x->t_accuracy_ds == y->t_accuracy_ds);
        break;
    }
    case DW_ODID_AUTH: {
        const dw_odid_auth *x = &a->u.auth, *y = &b->u.auth;
        assert_true(x->auth_type == y->auth_type && x->page == y->page &&
                    x->last_page == y->last_page && x->length == y->length &&
                    x->t_2019_s == y->t_2019_s && x->data_len == y->data_len);
        assert_memory_equal(x->data, y->data, x->data_len);
        break;
    }
    case DW_ODID_SELF_ID:
        assert_int_equal(a->u.self_id.desc_type, b->u.self_id.desc_type);
        assert_string_equal(a->u.self_id.desc, b->u.self_id.desc);
        break;
    case DW_ODID_SYSTEM: {
        const dw_odid_system *x = &a->u.system, *y = &b->u.system;
        assert_true(x->operator_loc_type == y->operator_loc_type &&
                    x->classification_type == y->classification_type);
        assert_true(x->operator_lat_deg == y->operator_lat_deg &&
                    x->operator_lon_deg == y->operator_lon_deg);
        assert_true(x->area_count == y->area_count && x->area_radius_m == y->area_radius_m &&
                    x->area_ceiling_m == y->area_ceiling_m && x->area_floor_m == y->area_floor_m);
        assert_true(x->ua_category == y->ua_category && x->ua_class == y->ua_class &&
                    x->operator_alt_m == y->operator_alt_m && x->t_2019_s == y->t_2019_s);
        break;
    }
    case DW_ODID_OPERATOR_ID:
        assert_int_equal(a->u.operator_id.id_type, b->u.operator_id.id_type);
        assert_string_equal(a->u.operator_id.id, b->u.operator_id.id);
        break;
    default:
        fail();
    }
}

static void round_trip_payload(void *ctx, const dw_remoteid_rx *rx, const uint8_t *p, size_t len)
{
    (void)rx;
    rt *r = ctx;
    const uint8_t *raw[DW_ODID_PACK_MAX];
    size_t n = 1;
    raw[0] = p;
    if ((p[0] >> 4) == DW_ODID_PACK) {
        assert_int_equal(dw_odid_pack_split(p, len, raw, &n), DW_OK);
    }
    dw_odid_msg d1[DW_ODID_PACK_MAX], d2;
    for (size_t i = 0; i < n; i++) {
        uint8_t enc[DW_ODID_MSG_LEN], *e;
        assert_int_equal(dw_odid_decode(raw[i], DW_ODID_MSG_LEN, &d1[i]), DW_OK);
        assert_int_equal(dw_odid_encode(&d1[i], enc, enc + sizeof enc, &e), DW_OK);
        assert_ptr_equal(e, enc + DW_ODID_MSG_LEN);
        assert_int_equal(dw_odid_decode(enc, sizeof enc, &d2), DW_OK);
        same_msg(&d1[i], &d2);
        uint8_t orig[DW_ODID_MSG_LEN];
        memcpy(orig, raw[i], sizeof orig);
        significant(orig);
        r->bytes_equal += !memcmp(orig, enc, sizeof enc);
        r->msgs++;
    }
    if ((p[0] >> 4) == DW_ODID_PACK) { /* the pack as a whole, too */
        uint8_t enc[DW_ODID_PACK_LEN_MAX], *e;
        assert_int_equal(dw_odid_encode_pack(d1, n, p[0] & 15, enc, enc + sizeof enc, &e), DW_OK);
        assert_int_equal((size_t)(e - enc), DW_ODID_PACK_HDR + n * DW_ODID_MSG_LEN);
        assert_memory_equal(enc, p, DW_ODID_PACK_HDR);
    }
}

static void round_trip_packet(void *ctx, const uint8_t *p, size_t len, int linktype, int64_t rx_us)
{
    (void)rx_us;
    size_t n;
    dw_remoteid_unwrap(p, len, linktype, round_trip_payload, ctx, &n);
}

/* decode → encode → decode is the identity for every message in the
 * captures, and the encoding is the captured bytes, reserved bits aside. */
static void capture_round_trip(void **state)
{
    (void)state;
    rt r = {0, 0};
    each_packet(NAN_PCAP, round_trip_packet, &r);
    each_packet(BCN_PCAP, round_trip_packet, &r);
    each_packet(BT5_PCAP, round_trip_packet, &r);
    assert_int_equal(r.msgs, 42 + 105 + 1069);
    assert_int_equal(r.bytes_equal, r.msgs);
}

/* ---- hand-built messages (F3411 layouts) ------------------------------------ */

static void expect_encoding(const dw_odid_msg *m, const uint8_t *bytes)
{
    uint8_t enc[DW_ODID_MSG_LEN], *e;
    assert_int_equal(dw_odid_encode(m, enc, enc + sizeof enc, &e), DW_OK);
    assert_memory_equal(enc, bytes, DW_ODID_MSG_LEN);
    /* and no byte past the end */
    assert_int_equal(dw_odid_encode(m, enc, enc + DW_ODID_MSG_LEN - 1, &e), DW_ERR_FULL);
}

static void vector_basic_id(void **state)
{
    (void)state;
    uint8_t b[DW_ODID_MSG_LEN] = {0x02, 0x12};
    memcpy(b + 2, "1596F3ABCDE12345", 16);
    dw_odid_msg m;
    assert_int_equal(dw_odid_decode(b, sizeof b, &m), DW_OK);
    assert_int_equal(m.type, DW_ODID_BASIC_ID);
    assert_int_equal(m.version, 2);
    assert_int_equal(m.u.basic_id.id_type, DW_ODID_IDT_SERIAL);
    assert_int_equal(m.u.basic_id.ua_type, DW_ODID_UA_HELI_MULTIROTOR);
    assert_string_equal(m.u.basic_id.uas_id, "1596F3ABCDE12345");
    expect_encoding(&m, b);
    /* A full 20-character ID has no terminating NUL on the air. */
    memcpy(b + 2, "ABCDEFGHIJKLMNOPQRST", 20);
    assert_int_equal(dw_odid_decode(b, sizeof b, &m), DW_OK);
    assert_string_equal(m.u.basic_id.uas_id, "ABCDEFGHIJKLMNOPQRST");
    expect_encoding(&m, b);
    assert_int_equal(dw_odid_decode(b, 24, &m), DW_ERR_PARSE);
}

static void vector_location(void **state)
{
    (void)state;
    /* airborne, height above ground, 215° (E/W bit), 99.75 m/s (multiplier),
     * -3.5 m/s, 52.2296756 N 21.0122287 E, baro 110.5 m, HAE 150 m, height
     * 40 m, accuracies <10 m / <10 m / <25 m / <3 m/s, 1234.5 s past the
     * hour ±0.2 s. */
    static const uint8_t b[DW_ODID_MSG_LEN] = {
        0x12, 0x27, 0x23, 0x30, 0xF9, 0xB4, 0x9D, 0x21, 0x1F, 0x2F, 0x36, 0x86, 0x0C,
        0xAD, 0x08, 0xFC, 0x08, 0x20, 0x08, 0x4A, 0x32, 0x39, 0x30, 0x02, 0x00};
    dw_odid_msg m;
    assert_int_equal(dw_odid_decode(b, sizeof b, &m), DW_OK);
    const dw_odid_location *l = &m.u.location;
    assert_int_equal(m.type, DW_ODID_LOCATION);
    assert_int_equal(l->status, 2);
    assert_int_equal(l->height_type, 1);
    assert_near(l->direction_deg, 215.0, 0);
    assert_near(l->speed_mps, 99.75, 0);
    assert_near(l->vspeed_mps, -3.5, 0);
    assert_near(l->lat_deg, 52.2296756, 1e-12);
    assert_near(l->lon_deg, 21.0122287, 1e-12);
    assert_near(l->pressure_alt_m, 110.5, 0);
    assert_near(l->geodetic_alt_m, 150.0, 0);
    assert_near(l->height_m, 40.0, 0);
    assert_near(dw_odid_h_accuracy_m(l->h_accuracy), 10.0, 0);
    assert_near(dw_odid_v_accuracy_m(l->v_accuracy), 10.0, 0);
    assert_near(dw_odid_v_accuracy_m(l->baro_accuracy), 25.0, 0);
    assert_near(dw_odid_speed_accuracy_mps(l->speed_accuracy), 3.0, 0);
    assert_int_equal(l->t_hour_ds, 12345);
    assert_int_equal(l->t_accuracy_ds, 2);
    expect_encoding(&m, b);

    /* Slow speeds use 0.25 m/s steps; the top of that range stays there. */
    dw_odid_msg s = m;
    uint8_t enc[DW_ODID_MSG_LEN], *e;
    s.u.location.speed_mps = 63.75;
    assert_int_equal(dw_odid_encode(&s, enc, enc + sizeof enc, &e), DW_OK);
    assert_int_equal(enc[3], 255);
    assert_int_equal(enc[1] & 1, 0);
    s.u.location.speed_mps = 64.5;
    assert_int_equal(dw_odid_encode(&s, enc, enc + sizeof enc, &e), DW_OK);
    assert_int_equal(enc[3], 1);
    assert_int_equal(enc[1] & 1, 1);
    /* Unknowns: direction 361, speed 255, vertical 63, altitudes -1000. */
    s.u.location.direction_deg = DW_ODID_DIR_UNKNOWN_DEG;
    s.u.location.speed_mps = DW_ODID_SPEED_UNKNOWN_MPS;
    s.u.location.vspeed_mps = DW_ODID_VSPEED_UNKNOWN_MPS;
    s.u.location.geodetic_alt_m = DW_ODID_ALT_UNKNOWN_M;
    assert_int_equal(dw_odid_encode(&s, enc, enc + sizeof enc, &e), DW_OK);
    assert_int_equal(enc[2], 181);
    assert_int_equal(enc[1] & 3, 3);
    assert_int_equal(enc[3], 255);
    assert_int_equal(enc[4], 126);
    assert_int_equal(enc[15] | enc[16], 0);
    /* A direction byte past 180 with the E/W bit is not a direction. */
    uint8_t odd[DW_ODID_MSG_LEN];
    memcpy(odd, b, sizeof odd);
    odd[2] = 200;
    assert_int_equal(dw_odid_decode(odd, sizeof odd, &m), DW_OK);
    assert_near(m.u.location.direction_deg, DW_ODID_DIR_UNKNOWN_DEG, 0);
}

static void vector_auth(void **state)
{
    (void)state;
    uint8_t p0[DW_ODID_MSG_LEN] = {0x22, 0x10, 2, 40, 0x00, 0xE1, 0xF5, 0x05};
    for (int i = 0; i < 17; i++)
        p0[8 + i] = (uint8_t)(i + 1);
    dw_odid_msg m;
    assert_int_equal(dw_odid_decode(p0, sizeof p0, &m), DW_OK);
    assert_int_equal(m.u.auth.auth_type, 1);
    assert_int_equal(m.u.auth.page, 0);
    assert_int_equal(m.u.auth.last_page, 2);
    assert_int_equal(m.u.auth.length, 40);
    assert_int_equal(m.u.auth.t_2019_s, 100000000u);
    assert_int_equal(m.u.auth.data_len, 17);
    assert_int_equal(m.u.auth.data[16], 17);
    expect_encoding(&m, p0);

    uint8_t p1[DW_ODID_MSG_LEN] = {0x22, 0x11};
    for (int i = 0; i < 23; i++)
        p1[2 + i] = (uint8_t)(0xA0 + i);
    assert_int_equal(dw_odid_decode(p1, sizeof p1, &m), DW_OK);
    assert_int_equal(m.u.auth.page, 1);
    assert_int_equal(m.u.auth.data_len, 23);
    assert_int_equal(m.u.auth.data[22], 0xB6);
    expect_encoding(&m, p1);
}

static void vector_self_id(void **state)
{
    (void)state;
    uint8_t b[DW_ODID_MSG_LEN] = {0x32, 0x00};
    memcpy(b + 2, "Drone ID demo", 13);
    dw_odid_msg m;
    assert_int_equal(dw_odid_decode(b, sizeof b, &m), DW_OK);
    assert_int_equal(m.type, DW_ODID_SELF_ID);
    assert_int_equal(m.u.self_id.desc_type, 0);
    assert_string_equal(m.u.self_id.desc, "Drone ID demo");
    expect_encoding(&m, b);
    memcpy(b + 2, "ABCDEFGHIJKLMNOPQRSTUVW", 23); /* all 23 characters */
    assert_int_equal(dw_odid_decode(b, sizeof b, &m), DW_OK);
    assert_int_equal(strlen(m.u.self_id.desc), 23);
    expect_encoding(&m, b);
}

static void vector_system(void **state)
{
    (void)state;
    /* EU classification, live GNSS operator at 52.23 N 21.01 E, 1 aircraft
     * in 500 m, ceiling 120 m, floor 0 m, specific category class 1,
     * operator 100 m HAE, 150 000 000 s after 2019-01-01. */
    static const uint8_t b[DW_ODID_MSG_LEN] = {
        0x42, 0x05, 0x60, 0xAA, 0x21, 0x1F, 0x20, 0xDF, 0x85, 0x0C, 0x01, 0x00, 0x32,
        0xC0, 0x08, 0xD0, 0x07, 0x22, 0x98, 0x08, 0x80, 0xD1, 0xF0, 0x08, 0x00};
    dw_odid_msg m;
    assert_int_equal(dw_odid_decode(b, sizeof b, &m), DW_OK);
    const dw_odid_system *s = &m.u.system;
    assert_int_equal(s->classification_type, 1);
    assert_int_equal(s->operator_loc_type, 1);
    assert_near(s->operator_lat_deg, 52.23, 1e-12);
    assert_near(s->operator_lon_deg, 21.01, 1e-12);
    assert_int_equal(s->area_count, 1);
    assert_near(s->area_radius_m, 500.0, 0);
    assert_near(s->area_ceiling_m, 120.0, 0);
    assert_near(s->area_floor_m, 0.0, 0);
    assert_int_equal(s->ua_category, 2);
    assert_int_equal(s->ua_class, 2);
    assert_near(s->operator_alt_m, 100.0, 0);
    assert_int_equal(s->t_2019_s, 150000000u);
    expect_encoding(&m, b);
}

static void vector_operator_id(void **state)
{
    (void)state;
    uint8_t b[DW_ODID_MSG_LEN] = {0x52, 0x00};
    memcpy(b + 2, "POL123456789abc", 15);
    dw_odid_msg m;
    assert_int_equal(dw_odid_decode(b, sizeof b, &m), DW_OK);
    assert_int_equal(m.type, DW_ODID_OPERATOR_ID);
    assert_string_equal(m.u.operator_id.id, "POL123456789abc");
    expect_encoding(&m, b);
    /* Types F3411 does not define, and a pack, are not messages. */
    b[0] = 0x72;
    assert_int_equal(dw_odid_decode(b, sizeof b, &m), DW_ERR_UNSUPPORTED);
    b[0] = 0xF2;
    assert_int_equal(dw_odid_decode(b, sizeof b, &m), DW_ERR_UNSUPPORTED);
}

static void vector_pack(void **state)
{
    (void)state;
    dw_odid_msg msgs[DW_ODID_PACK_MAX + 1];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i <= DW_ODID_PACK_MAX; i++) {
        msgs[i].type = DW_ODID_SELF_ID;
        msgs[i].version = 2;
        snprintf(msgs[i].u.self_id.desc, sizeof msgs[i].u.self_id.desc, "msg %d", i);
    }
    uint8_t buf[DW_ODID_PACK_LEN_MAX + 8], *e;
    assert_int_equal(dw_odid_encode_pack(msgs, 3, 2, buf, buf + sizeof buf, &e), DW_OK);
    assert_int_equal(e - buf, 3 + 3 * 25);
    assert_int_equal(buf[0], 0xF2);
    assert_int_equal(buf[1], 25);
    assert_int_equal(buf[2], 3);
    const uint8_t *raw[DW_ODID_PACK_MAX];
    size_t n;
    assert_int_equal(dw_odid_pack_split(buf, (size_t)(e - buf), raw, &n), DW_OK);
    assert_int_equal(n, 3);
    dw_odid_msg m;
    assert_int_equal(dw_odid_decode(raw[2], 25, &m), DW_OK);
    assert_string_equal(m.u.self_id.desc, "msg 2");
    /* Ten do not fit one pack; a short buffer is refused whole. */
    assert_int_equal(dw_odid_encode_pack(msgs, 10, 2, buf, buf + sizeof buf, &e), DW_ERR_INVALID);
    memset(buf, 0xAA, sizeof buf);
    assert_int_equal(dw_odid_encode_pack(msgs, 9, 2, buf, buf + 200, &e), DW_ERR_FULL);
    assert_int_equal(buf[0], 0xAA);
    assert_int_equal(dw_odid_encode_pack(msgs, 9, 2, buf, buf + 228, &e), DW_OK);
    /* Truncated, a wrong message size or too many messages: malformed. */
    assert_int_equal(dw_odid_pack_split(buf, 227, raw, &n), DW_ERR_PARSE);
    buf[1] = 24;
    assert_int_equal(dw_odid_pack_split(buf, 228, raw, &n), DW_ERR_PARSE);
    buf[1] = 25;
    buf[2] = 10;
    assert_int_equal(dw_odid_pack_split(buf, 400, raw, &n), DW_ERR_PARSE);
    buf[2] = 0; /* an empty pack is a pack (transmitters start with one) */
    assert_int_equal(dw_odid_pack_split(buf, 3, raw, &n), DW_OK);
    assert_int_equal(n, 0);
}

/* ---- transports ----------------------------------------------------------- */

typedef struct got {
    int n;
    dw_remoteid_rx rx;
    uint8_t payload[DW_ODID_PACK_LEN_MAX];
    size_t len;
} got;

static void keep_payload(void *ctx, const dw_remoteid_rx *rx, const uint8_t *p, size_t len)
{
    got *g = ctx;
    g->n++;
    g->rx = *rx;
    assert_true(len <= sizeof g->payload);
    memcpy(g->payload, p, len);
    g->len = len;
}

static void transports_wrap_unwrap(void **state)
{
    (void)state;
    static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    dw_odid_msg msgs[5];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < 5; i++) {
        msgs[i].type = DW_ODID_OPERATOR_ID;
        snprintf(msgs[i].u.operator_id.id, sizeof msgs[i].u.operator_id.id, "OP%d", i);
    }
    uint8_t pack[DW_ODID_PACK_LEN_MAX], one[DW_ODID_MSG_LEN], *e;
    assert_int_equal(dw_odid_encode_pack(msgs, 5, 2, pack, pack + sizeof pack, &e), DW_OK);
    size_t pack_len = (size_t)(e - pack);
    assert_int_equal(dw_odid_encode(&msgs[0], one, one + sizeof one, &e), DW_OK);

    static const struct {
        dw_remoteid_transport tr;
        int linktype;
        int single;
    } cases[] = {
        {DW_RID_WIFI_BEACON, DW_LINK_IEEE802_11, 0},
        {DW_RID_WIFI_BEACON, DW_LINK_IEEE802_11_RADIOTAP, 0},
        {DW_RID_WIFI_NAN, DW_LINK_IEEE802_11, 0},
        {DW_RID_WIFI_NAN, DW_LINK_IEEE802_11_RADIOTAP, 0},
        {DW_RID_BT4, DW_LINK_BLUETOOTH_LE_LL, 1},
        {DW_RID_BT4, DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR, 1},
        {DW_RID_BT4, DW_RID_LINK_NORDIC_BLE, 1},
        {DW_RID_BT5, DW_LINK_BLUETOOTH_LE_LL, 0},
        {DW_RID_BT5, DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR, 0},
        {DW_RID_BT5, DW_RID_LINK_NORDIC_BLE, 0},
        {DW_RID_RAW, DW_LINK_DATAGRAM, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const uint8_t *pl = cases[c].single ? one : pack;
        size_t pl_len = cases[c].single ? sizeof one : pack_len;
        uint8_t frame[512], *fe;
        assert_int_equal(dw_remoteid_wrap(cases[c].tr, cases[c].linktype, mac, (uint8_t)(40 + c),
                                          pl, pl_len, frame, frame + sizeof frame, &fe),
                         DW_OK);
        got g;
        memset(&g, 0, sizeof g);
        size_t n;
        assert_int_equal(dw_remoteid_unwrap(frame, (size_t)(fe - frame), cases[c].linktype,
                                            keep_payload, &g, &n),
                         DW_OK);
        assert_int_equal(n, 1);
        assert_int_equal(g.n, 1);
        assert_int_equal(g.rx.transport, cases[c].tr);
        assert_int_equal(g.len, pl_len);
        assert_memory_equal(g.payload, pl, pl_len);
        if (cases[c].tr != DW_RID_RAW) {
            assert_true(g.rx.has_mac);
            assert_memory_equal(g.rx.mac, mac, 6);
            assert_int_equal(g.rx.counter, 40 + (int)c);
        }
        /* The codec reads it, and so does detect. */
        dw_frame_meta meta = {.linktype = cases[c].linktype};
        assert_true(dw_codec_remoteid.detect(frame, (size_t)(fe - frame), &meta) >= 80);
        /* One bit flipped in a BLE PDU fails its CRC and is not read. */
        if (cases[c].tr == DW_RID_BT4 || cases[c].tr == DW_RID_BT5) {
            frame[(size_t)(fe - frame) - 10] ^= 0x01;
            memset(&g, 0, sizeof g);
            assert_int_equal(dw_remoteid_unwrap(frame, (size_t)(fe - frame), cases[c].linktype,
                                                keep_payload, &g, &n),
                             DW_ERR_RANGE);
            assert_int_equal(g.n, 0);
        }
    }
    /* What a transport cannot carry. */
    uint8_t frame[512], *fe;
    assert_int_equal(dw_remoteid_wrap(DW_RID_BT4, DW_LINK_BLUETOOTH_LE_LL, mac, 0, pack, pack_len,
                                      frame, frame + sizeof frame, &fe),
                     DW_ERR_INVALID);
    assert_int_equal(dw_remoteid_wrap(DW_RID_BT5, DW_LINK_IEEE802_11, mac, 0, pack, pack_len,
                                      frame, frame + sizeof frame, &fe),
                     DW_ERR_INVALID);
    assert_int_equal(dw_remoteid_wrap(DW_RID_WIFI_NAN, DW_LINK_IEEE802_11, mac, 0, pack, pack_len,
                                      frame, frame + 50, &fe),
                     DW_ERR_FULL);
    size_t n;
    assert_int_equal(dw_remoteid_unwrap(frame, 10, 1 /* Ethernet */, NULL, NULL, &n),
                     DW_ERR_UNSUPPORTED);
}

/* 10:10 past 20:00 UTC on 2025-09-09. */
#define RX_10_10 ((1757448000LL + 610) * 1000000)

/* Bluetooth 4 carries one message per advert: the Basic ID in one, the
 * location in the next; the table of transmitters joins them. */
static void bt4_identity_across_frames(void **state)
{
    (void)state;
    static const uint8_t mac[6] = {0xC0, 0x01, 0x02, 0x03, 0x04, 0x05};
    dw_odid_msg b, l;
    memset(&b, 0, sizeof b);
    b.type = DW_ODID_BASIC_ID;
    b.u.basic_id.id_type = DW_ODID_IDT_SERIAL;
    b.u.basic_id.ua_type = DW_ODID_UA_HELI_MULTIROTOR;
    snprintf(b.u.basic_id.uas_id, sizeof b.u.basic_id.uas_id, "1581F5FHD229T00B1234");
    memset(&l, 0, sizeof l);
    l.type = DW_ODID_LOCATION;
    l.u.location.lat_deg = 52.1;
    l.u.location.lon_deg = 23.5;
    l.u.location.geodetic_alt_m = 120.0;
    l.u.location.pressure_alt_m = DW_ODID_ALT_UNKNOWN_M;
    l.u.location.height_m = DW_ODID_ALT_UNKNOWN_M;
    l.u.location.speed_mps = 10.0;
    l.u.location.direction_deg = 90.0;
    l.u.location.vspeed_mps = 1.5;
    l.u.location.t_hour_ds = 6095; /* 10:09.5 past the hour */

    tally t;
    memset(&t, 0, sizeof t);
    assert_int_equal(dw_codec_remoteid.create(NULL, &t.state), DW_OK);
    t.sink.raw = tally_raw;
    t.sink.obs = tally_obs;
    t.sink.ctx = &t;
    t.sink.want_raw = t.sink.want_obs = 1;
    const dw_odid_msg *seq[3] = {&l, &b, &l}; /* the first location has no name yet */
    for (int i = 0; i < 3; i++) {
        uint8_t msg[DW_ODID_MSG_LEN], frame[128], *e, *fe;
        assert_int_equal(dw_odid_encode(seq[i], msg, msg + sizeof msg, &e), DW_OK);
        assert_int_equal(dw_remoteid_wrap(DW_RID_BT4, DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR, mac,
                                          (uint8_t)i, msg, sizeof msg, frame, frame + sizeof frame,
                                          &fe),
                         DW_OK);
        dw_frame_meta meta = {.rx_us = RX_10_10, .linktype = DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR};
        assert_int_equal(dw_codec_remoteid.decode(t.state, frame, (size_t)(fe - frame), &meta,
                                                  &t.sink),
                         DW_OK);
    }
    dw_codec_remoteid.destroy(t.state);
    assert_int_equal(t.msgs[DW_RID_BT4][DW_ODID_LOCATION], 2);
    assert_int_equal(t.msgs[DW_RID_BT4][DW_ODID_BASIC_ID], 1);
    assert_int_equal(t.obs, 2);
    assert_int_equal(t.obs_with_rid, 1);
    assert_string_equal(t.last_obs.rid, "1581F5FHD229T00B1234");
    assert_true(t.last_obs.has & DW_OBS_HAS_CLASS);
    assert_near(t.last_obs.class_score[DW_CLASS_QUADCOPTER], 0.8, 1e-6);
    assert_near(t.last_obs.vel_enu_mps[0], 10.0, 1e-9);
    assert_near(t.last_obs.vel_enu_mps[1], 0.0, 1e-9);
    assert_near(t.last_obs.vel_enu_mps[2], 1.5, 0);
    /* 10:09.5 past the hour, heard at 10:10. */
    assert_true(t.last_obs.t_us == RX_10_10 - 500000);
}

/* ---- observations ----------------------------------------------------------- */

static void obs_mapping(void **state)
{
    (void)state;
    dw_odid_location l;
    memset(&l, 0, sizeof l);
    l.lat_deg = 51.5;
    l.lon_deg = 23.6;
    l.pressure_alt_m = 300.0;
    l.geodetic_alt_m = DW_ODID_ALT_UNKNOWN_M;
    l.height_m = DW_ODID_ALT_UNKNOWN_M;
    l.speed_mps = DW_ODID_SPEED_UNKNOWN_MPS;
    l.direction_deg = DW_ODID_DIR_UNKNOWN_DEG;
    l.vspeed_mps = DW_ODID_VSPEED_UNKNOWN_MPS;
    l.baro_accuracy = 4; /* < 10 m */
    l.t_hour_ds = DW_ODID_TIME_UNKNOWN_DS;
    dw_obs o;
    /* Pressure altitude stands in for an unknown geodetic one. */
    assert_int_equal(dw_remoteid_to_obs(&l, NULL, DW_ODID_UA_NONE, 5000000, &o), DW_OK);
    assert_int_equal(o.kind, DW_OBS_POS3);
    assert_near(o.alt_m, 300.0, 0);
    assert_near(o.sigma_alt_m, 5.0, 0);
    assert_near(o.sigma_pos_m, 0.0, 0); /* unknown: the sensor's default */
    assert_true(o.t_us == 5000000);     /* no timestamp: the receive time */
    assert_int_equal(o.has, DW_OBS_HAS_POS | DW_OBS_HAS_ALT);
    /* No altitude at all: a 2-D position. */
    l.pressure_alt_m = DW_ODID_ALT_UNKNOWN_M;
    assert_int_equal(dw_remoteid_to_obs(&l, "", DW_ODID_UA_AEROPLANE, 0, &o), DW_OK);
    assert_int_equal(o.kind, DW_OBS_POS2);
    assert_true(o.has & DW_OBS_HAS_CLASS);
    assert_near(o.class_score[DW_CLASS_OWA_DRONE], 0.5, 1e-6);
    assert_false(o.has & DW_OBS_HAS_RID);
    /* 0, 0 is "no position"; so is anything off the globe. */
    l.lat_deg = l.lon_deg = 0;
    memset(&o, 0x5A, sizeof o);
    assert_int_equal(dw_remoteid_to_obs(&l, NULL, 0, 0, &o), DW_ERR_RANGE);
    assert_int_equal(o.kind, 0x5A5A5A5A); /* untouched */
    l.lat_deg = 91;
    assert_int_equal(dw_remoteid_to_obs(&l, NULL, 0, 0, &o), DW_ERR_RANGE);

    /* The hour nearest to reception: 59:59.0 (tenths 35990) heard at
     * 00:00:02 of the next hour is three seconds old... */
    dw_odid_location t;
    memset(&t, 0, sizeof t);
    t.t_hour_ds = 35990;
    int64_t hour = 3600LL * 1000000, rx = 1757451000LL * 1000000;
    rx = rx - rx % hour + 2000000;
    int64_t when = 0;
    assert_int_equal(dw_odid_location_time(&t, rx, &when), DW_OK);
    assert_true(when == rx - 3000000);
    t.t_hour_ds = 20; /* ...and 00:00:02.0 heard at 59:59.5 is ahead. */
    assert_int_equal(dw_odid_location_time(&t, rx - 2500000, &when), DW_OK);
    assert_true(when == rx);
    t.t_hour_ds = 36000; /* not a time */
    assert_int_equal(dw_odid_location_time(&t, rx, &when), DW_ERR_RANGE);
    t.t_hour_ds = 6000; /* 10:00 heard at 00:02: a clock not to trust */
    assert_int_equal(dw_odid_location_time(&t, rx, &when), DW_ERR_RANGE);
    t.t_hour_ds = 15;
    assert_int_equal(dw_odid_location_time(&t, 0, &when), DW_ERR_RANGE); /* rx unknown */
    assert_true(when == rx);

    /* Every UA type's scores sum to 1, or it says nothing. */
    for (uint8_t ua = 0; ua < 16; ua++) {
        float s[DW_NCLASSES];
        if (!dw_odid_ua_class_scores(ua, s)) {
            assert_true(ua == DW_ODID_UA_NONE || ua == DW_ODID_UA_GROUND_OBSTACLE ||
                        ua == DW_ODID_UA_OTHER);
            continue;
        }
        float sum = 0;
        for (int c = 0; c < DW_NCLASSES; c++)
            sum += s[c];
        assert_near(sum, 1.0, 1e-6);
    }
    /* Accuracy enums: the best enum still covering a bound. */
    assert_int_equal(dw_odid_h_accuracy_enum(30.0), 9);
    assert_int_equal(dw_odid_h_accuracy_enum(5.0), 10);
    assert_int_equal(dw_odid_h_accuracy_enum(0.5), 12);
    assert_int_equal(dw_odid_h_accuracy_enum(20000.0), 0);
    assert_int_equal(dw_odid_v_accuracy_enum(0.0), 0);
    assert_int_equal(dw_odid_v_accuracy_enum(2.0), 5);
}

typedef struct one_obs {
    int n;
    dw_obs o;
} one_obs;

static void keep_obs(void *ctx, const dw_obs *o)
{
    one_obs *k = ctx;
    k->n++;
    k->o = *o;
}

/* obs → encode_obs (a Message Pack) → decode → obs, equal to the encoding's
 * resolution, through every transport the simulator can use. */
static void encode_obs_round_trip(void **state)
{
    (void)state;
    const dw_codec_ops *c = codec();
    dw_obs in;
    dw_obs_init(&in, DW_OBS_POS3);
    snprintf(in.sensor, sizeof in.sensor, "SIM");
    in.t_us = 1757451012345678LL;
    in.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_VEL | DW_OBS_HAS_RID | DW_OBS_HAS_CLASS;
    in.lat_deg = 51.55123456;
    in.lon_deg = 23.61098765;
    in.alt_m = 850.3;
    in.vel_enu_mps[0] = -41.0;
    in.vel_enu_mps[1] = 3.2;
    in.vel_enu_mps[2] = -1.2;
    in.sigma_pos_m = 4.0;
    in.sigma_alt_m = 6.0;
    in.class_score[DW_CLASS_QUADCOPTER] = 0.9f;
    snprintf(in.rid, sizeof in.rid, "1596F3ABCDE12345");

    uint8_t pack[DW_ODID_PACK_LEN_MAX], *e;
    assert_int_equal(c->encode_obs(NULL, &in, pack, pack + sizeof pack, &e), DW_OK);
    assert_int_equal(e - pack, 3 + 2 * 25);
    uint8_t small[40];
    assert_int_equal(c->encode_obs(NULL, &in, small, small + sizeof small, &e), DW_ERR_FULL);
    dw_obs polar;
    dw_obs_init(&polar, DW_OBS_POLAR);
    assert_int_equal(c->encode_obs(NULL, &polar, pack, pack + sizeof pack, &e), DW_ERR_UNSUPPORTED);
    assert_int_equal(c->encode_obs(NULL, &in, pack, pack + sizeof pack, &e), DW_OK);
    size_t pack_len = (size_t)(e - pack);

    static const int links[] = {DW_LINK_DATAGRAM, DW_LINK_IEEE802_11_RADIOTAP, DW_RID_LINK_NORDIC_BLE};
    static const dw_remoteid_transport trs[] = {DW_RID_RAW, DW_RID_WIFI_BEACON, DW_RID_BT5};
    static const uint8_t mac[6] = {1, 2, 3, 4, 5, 6};
    for (int i = 0; i < 3; i++) {
        uint8_t frame[512], *fe;
        assert_int_equal(dw_remoteid_wrap(trs[i], links[i], mac, 7, pack, pack_len, frame,
                                          frame + sizeof frame, &fe),
                         DW_OK);
        void *st;
        assert_int_equal(c->create(NULL, &st), DW_OK);
        one_obs k = {0};
        dw_decode_sink sink = {.obs = keep_obs, .ctx = &k, .want_obs = 1};
        dw_frame_meta meta = {.rx_us = in.t_us + 300000, .linktype = links[i]};
        assert_int_equal(c->decode(st, frame, (size_t)(fe - frame), &meta, &sink), DW_OK);
        c->destroy(st);
        assert_int_equal(k.n, 1);
        const dw_obs *o = &k.o;
        assert_int_equal(o->kind, DW_OBS_POS3);
        assert_string_equal(o->sensor, "RID");
        assert_string_equal(o->rid, in.rid);
        assert_near(o->lat_deg, in.lat_deg, 0.6e-7);
        assert_near(o->lon_deg, in.lon_deg, 0.6e-7);
        assert_near(o->alt_m, in.alt_m, 0.25);
        double sp = hypot(in.vel_enu_mps[0], in.vel_enu_mps[1]);
        assert_near(hypot(o->vel_enu_mps[0], o->vel_enu_mps[1]), sp, 0.375);
        /* direction in whole degrees */
        assert_near(atan2(o->vel_enu_mps[0], o->vel_enu_mps[1]),
                    atan2(in.vel_enu_mps[0], in.vel_enu_mps[1]), 0.5 * M_PI / 180 + 1e-9);
        assert_near(o->vel_enu_mps[2], in.vel_enu_mps[2], 0.25);
        assert_true(o->t_us <= in.t_us && in.t_us - o->t_us < 100000); /* tenths */
        /* 2 sigma 8 m → "< 10 m" → sigma 5 m; 12 m → "< 25 m" → 12.5 m. */
        assert_near(o->sigma_pos_m, 5.0, 0);
        assert_near(o->sigma_alt_m, 12.5, 0);
        assert_true(o->has & DW_OBS_HAS_CLASS);
        assert_true(o->class_score[DW_CLASS_QUADCOPTER] > 0.5f);
    }
}

/* ---- robustness --------------------------------------------------------------- */

typedef struct cut {
    void *state;
    dw_decode_sink sink;
    int frames;
} cut;

static void null_raw(void *ctx, const char *json, size_t len)
{
    (void)ctx;
    assert_true(len > 0 && json[0] == '{' && json[len - 1] == '}');
}

static void null_obs(void *ctx, const dw_obs *o)
{
    (void)ctx;
    assert_true(fabs(o->lat_deg) <= 90 && fabs(o->lon_deg) <= 180);
}

static void cut_packet(void *ctx, const uint8_t *p, size_t len, int linktype, int64_t rx_us)
{
    cut *c = ctx;
    /* Every prefix, into a buffer of exactly that size (ASan sees any
     * read past it), and the whole frame with each byte flipped. */
    for (size_t l = 0; l <= len; l++) {
        uint8_t *copy = malloc(l ? l : 1);
        memcpy(copy, p, l);
        dw_frame_meta meta = {.rx_us = rx_us, .linktype = linktype};
        dw_status st = dw_codec_remoteid.decode(c->state, copy, l, &meta, &c->sink);
        assert_true(st == DW_OK || st == DW_ERR_PARSE);
        dw_codec_remoteid.detect(copy, l, &meta);
        free(copy);
    }
    uint8_t *copy = malloc(len);
    for (size_t i = 0; i < len; i += 3) {
        memcpy(copy, p, len);
        copy[i] ^= 0xFF;
        dw_frame_meta meta = {.rx_us = rx_us, .linktype = linktype};
        dw_codec_remoteid.decode(c->state, copy, len, &meta, &c->sink);
    }
    free(copy);
    c->frames++;
}

static void truncated_frames_counted(void **state)
{
    (void)state;
    static const char *const caps[] = {NAN_PCAP, BCN_PCAP, BT5_PCAP};
    for (int i = 0; i < 3; i++) {
        cut c;
        memset(&c, 0, sizeof c);
        assert_int_equal(dw_codec_remoteid.create(NULL, &c.state), DW_OK);
        c.sink = (dw_decode_sink){.raw = null_raw, .obs = null_obs, .want_raw = 1, .want_obs = 1};
        each_packet(caps[i], cut_packet, &c);
        dw_codec_remoteid.destroy(c.state);
        assert_true(c.frames > 0);
        assert_true(c.sink.stats.malformed > 0);
    }
    /* A cut Remote ID element is malformed, not "no Remote ID". */
    uint8_t pack[3 + 25] = {0xF2, 25, 1, 0x52};
    uint8_t frame[256], *fe;
    static const uint8_t mac[6] = {0};
    assert_int_equal(dw_remoteid_wrap(DW_RID_WIFI_BEACON, DW_LINK_IEEE802_11, mac, 0, pack,
                                      sizeof pack, frame, frame + sizeof frame, &fe),
                     DW_OK);
    size_t n;
    assert_int_equal(dw_remoteid_unwrap(frame, (size_t)(fe - frame) - 10, DW_LINK_IEEE802_11, NULL,
                                        NULL, &n),
                     DW_ERR_PARSE);
    /* A cut pack inside a whole element is malformed too, and counted:
     * the element (5 bytes, then the 28-byte pack) shortened to 30. */
    size_t total = (size_t)(fe - frame);
    assert_int_equal(frame[total - 34], 33);
    frame[total - 34] = 30;
    dw_decode_sink sink = {0};
    dw_frame_meta meta = {.linktype = DW_LINK_IEEE802_11};
    assert_int_equal(dw_codec_remoteid.decode(NULL, frame, total - 3, &meta, &sink), DW_OK);
    assert_int_equal(sink.stats.malformed, 1);
    assert_int_equal(sink.stats.records, 0);
    assert_int_equal(sink.stats.frames, 1);
}

static void detect_and_frame(void **state)
{
    (void)state;
    const dw_codec_ops *c = codec();
    dw_odid_msg m[2];
    memset(m, 0, sizeof m);
    m[0].type = DW_ODID_SELF_ID;
    m[1].type = DW_ODID_OPERATOR_ID;
    m[0].version = m[1].version = 2;
    uint8_t buf[200], *e;
    assert_int_equal(dw_odid_encode_pack(m, 2, 2, buf, buf + sizeof buf, &e), DW_OK);
    dw_frame_meta dgram = {.linktype = DW_LINK_DATAGRAM};
    assert_int_equal(c->detect(buf, (size_t)(e - buf), &dgram), 80);
    assert_true(c->detect(buf, (size_t)(e - buf) - 1, &dgram) < 50);
    assert_true(c->detect(buf + 3, 25, &dgram) < 50); /* one message: ambiguous */
    dw_frame_meta stream = {.linktype = DW_LINK_STREAM};
    assert_int_equal(c->detect(buf, (size_t)(e - buf), &stream), 0);

    /* A stream: garbage, a pack, a message, half a message. */
    uint8_t s[256];
    size_t n = 0;
    s[n++] = 0x99;
    s[n++] = 0x77;
    memcpy(s + n, buf, 53);
    n += 53;
    memcpy(s + n, buf + 3, 25);
    n += 25;
    memcpy(s + n, buf + 3, 10);
    n += 10;
    size_t off = 0, skip, flen;
    assert_int_equal(c->frame(s + off, n - off, &skip, &flen), DW_OK);
    assert_int_equal(skip, 2);
    assert_int_equal(flen, 53);
    off += skip + flen;
    assert_int_equal(c->frame(s + off, n - off, &skip, &flen), DW_OK);
    assert_int_equal(skip, 0);
    assert_int_equal(flen, 25);
    off += skip + flen;
    assert_int_equal(c->frame(s + off, n - off, &skip, &flen), DW_ERR_EOF);
    assert_int_equal(skip, 0);
    /* Decoding the framed pack as a stream frame. */
    dw_decode_sink sink = {0};
    assert_int_equal(c->decode(NULL, s + 2, 53, &stream, &sink), DW_OK);
    assert_int_equal(sink.stats.records, 2);
    /* Not a link type this codec reads. */
    dw_frame_meta eth = {.linktype = 1};
    assert_int_equal(c->detect(s, n, &eth), 0);
    assert_int_equal(c->decode(NULL, s, n, &eth, &sink), DW_OK);
    assert_int_equal(sink.stats.unknown, 1);
}

/* More transmitters than the table holds: the newest are remembered, the
 * oldest forgotten, and nothing grows. */
typedef struct named {
    int n, with_rid;
    char last_rid[DW_RID_MAX];
} named;

static void count_named(void *ctx, const dw_obs *o)
{
    named *k = ctx;
    k->n++;
    if (o->has & DW_OBS_HAS_RID) {
        k->with_rid++;
        snprintf(k->last_rid, sizeof k->last_rid, "%s", o->rid);
    }
}

static void table_is_bounded(void **state)
{
    (void)state;
    void *st;
    assert_int_equal(dw_codec_remoteid.create(NULL, &st), DW_OK);
    named k = {0};
    dw_decode_sink sink = {.obs = count_named, .ctx = &k, .want_obs = 1};
    dw_odid_msg b, l;
    memset(&b, 0, sizeof b);
    memset(&l, 0, sizeof l);
    b.type = DW_ODID_BASIC_ID;
    b.u.basic_id.id_type = DW_ODID_IDT_SERIAL;
    l.type = DW_ODID_LOCATION;
    l.u.location.lat_deg = 50;
    l.u.location.lon_deg = 20;
    l.u.location.speed_mps = DW_ODID_SPEED_UNKNOWN_MPS;
    l.u.location.direction_deg = DW_ODID_DIR_UNKNOWN_DEG;
    l.u.location.geodetic_alt_m = 100;
    const int N = 4 * DW_REMOTEID_TABLE_SIZE;
    /* Pass 0: every transmitter names itself; pass 1: every one reports a
     * position, oldest first, so the forgotten ones come first. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < N; i++) {
            uint8_t mac[6] = {0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
            uint8_t msg[25], frame[128], *e, *fe;
            if (pass == 0) {
                snprintf(b.u.basic_id.uas_id, sizeof b.u.basic_id.uas_id, "SN%05d", i);
                assert_int_equal(dw_odid_encode(&b, msg, msg + 25, &e), DW_OK);
            } else {
                assert_int_equal(dw_odid_encode(&l, msg, msg + 25, &e), DW_OK);
            }
            assert_int_equal(dw_remoteid_wrap(DW_RID_BT4, DW_LINK_BLUETOOTH_LE_LL, mac, 0, msg,
                                              25, frame, frame + sizeof frame, &fe),
                             DW_OK);
            dw_frame_meta meta = {.linktype = DW_LINK_BLUETOOTH_LE_LL};
            assert_int_equal(dw_codec_remoteid.decode(st, frame, (size_t)(fe - frame), &meta,
                                                      &sink),
                             DW_OK);
        }
    }
    dw_codec_remoteid.destroy(st);
    dw_codec_remoteid.destroy(NULL);
    assert_int_equal(k.n, N);
    assert_int_equal(sink.stats.obs, (uint64_t)N);
    /* At most a table's worth are still named, most of the last table's. */
    assert_true(k.with_rid <= DW_REMOTEID_TABLE_SIZE);
    assert_true(k.with_rid >= DW_REMOTEID_TABLE_SIZE / 2);
    char want[DW_RID_MAX];
    snprintf(want, sizeof want, "SN%05d", N - 1);
    assert_string_equal(k.last_rid, want);
}

/* ---- documentation --------------------------------------------------------- */

/* docs/formats.md "Remote ID", up to the next top-level section. */
static char *doc_section(void)
{
    FILE *f = fopen(DW_SOURCE_DIR "/docs/formats.md", "rb");
    assert_non_null(f);
    static char text[1 << 18];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *start = strstr(text, "\n## Remote ID");
    assert_non_null(start);
    char *end = strstr(start + 1, "\n## ");
    if (end)
        *end = '\0';
    return start;
}

/* Keys whose values are words of a list (the rest are numbers or text). */
static const char *const word_keys[] = {
    "transport", "msg", "id_type", "ua_type", "status", "height_ref", "auth_type", "desc_type",
    "operator_loc_type", "classification", "ua_category", "ua_class", "operator_id_type"};

typedef struct doc_check {
    const char *doc;
    int missing, records;
} doc_check;

static int doc_names(const char *doc, const char *word)
{
    char quoted[96];
    snprintf(quoted, sizeof quoted, "`%s`", word);
    return strstr(doc, quoted) != NULL;
}

static void doc_raw(void *ctx, const char *json, size_t len)
{
    doc_check *d = ctx;
    json_t *j = json_loadb(json, len, 0, NULL);
    assert_non_null(j);
    d->records++;
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        if (!doc_names(d->doc, key)) {
            fprintf(stderr, "docs/formats.md Remote ID does not name the key `%s`\n", key);
            d->missing++;
        }
        for (size_t i = 0; i < sizeof word_keys / sizeof word_keys[0]; i++) {
            if (strcmp(key, word_keys[i]) || !json_is_string(v))
                continue;
            if (!doc_names(d->doc, json_string_value(v))) {
                fprintf(stderr, "docs/formats.md Remote ID does not name `%s` of `%s`\n",
                        json_string_value(v), key);
                d->missing++;
            }
        }
    }
    json_decref(j);
}

static void doc_packet(void *ctx, const uint8_t *p, size_t len, int linktype, int64_t rx_us)
{
    dw_decode_sink *sink = ctx;
    dw_frame_meta meta = {.rx_us = rx_us, .linktype = linktype};
    dw_codec_remoteid.decode(NULL, p, len, &meta, sink);
}

/* Every key the codec writes, and every word of its enumerations that the
 * captures and a message of each type use, is named in its section of
 * docs/formats.md. */
static void formats_doc_names_every_key(void **state)
{
    (void)state;
    doc_check d = {doc_section(), 0, 0};
    dw_decode_sink sink = {.raw = doc_raw, .ctx = &d, .want_raw = 1};
    each_packet(NAN_PCAP, doc_packet, &sink);
    each_packet(BCN_PCAP, doc_packet, &sink);
    each_packet(BT5_PCAP, doc_packet, &sink);

    dw_odid_msg m[DW_ODID_PACK_MAX];
    memset(m, 0, sizeof m);
    for (int i = 0; i < 6; i++)
        m[i].type = (dw_odid_type)i;
    m[6].type = DW_ODID_AUTH;
    m[6].u.auth.page = 1;
    m[1].u.location.lat_deg = 1;
    m[1].u.location.t_hour_ds = 10;
    for (uint8_t v = 0; v < 16; v++) { /* every word of every enumeration */
        m[0].u.basic_id.id_type = v;
        m[0].u.basic_id.ua_type = v;
        m[1].u.location.status = v;
        m[1].u.location.height_type = v & 1;
        m[2].u.auth.auth_type = v;
        m[3].u.self_id.desc_type = v;
        m[4].u.system.operator_loc_type = v & 3;
        m[4].u.system.classification_type = v & 7;
        m[4].u.system.ua_category = v;
        m[4].u.system.ua_class = v;
        m[4].u.system.t_2019_s = 1;
        m[2].u.auth.t_2019_s = 1;
        m[5].u.operator_id.id_type = v;
        uint8_t pack[DW_ODID_PACK_LEN_MAX], frame[512], *e, *fe;
        assert_int_equal(dw_odid_encode_pack(m, 7, 2, pack, pack + sizeof pack, &e), DW_OK);
        static const uint8_t mac[6] = {1, 2, 3, 4, 5, 6};
        assert_int_equal(dw_remoteid_wrap(DW_RID_BT5, DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR, mac, v,
                                          pack, (size_t)(e - pack), frame, frame + sizeof frame,
                                          &fe),
                         DW_OK);
        doc_packet(&sink, frame, (size_t)(fe - frame), DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR,
                   1757451000000000LL);
        doc_packet(&sink, pack, (size_t)(e - pack), DW_LINK_DATAGRAM, 0);
        assert_int_equal(dw_remoteid_wrap(DW_RID_BT4, DW_LINK_BLUETOOTH_LE_LL, mac, v, pack + 3,
                                          25, frame, frame + sizeof frame, &fe),
                         DW_OK);
        doc_packet(&sink, frame, (size_t)(fe - frame), DW_LINK_BLUETOOTH_LE_LL, 0);
    }
    assert_true(d.records > 1000);
    assert_int_equal(d.missing, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(capture_wifi_nan),
    cmocka_unit_test(capture_wifi_beacon),
    cmocka_unit_test(capture_bt5),
    cmocka_unit_test(capture_values),
    cmocka_unit_test(capture_round_trip),
    cmocka_unit_test(vector_basic_id),
    cmocka_unit_test(vector_location),
    cmocka_unit_test(vector_auth),
    cmocka_unit_test(vector_self_id),
    cmocka_unit_test(vector_system),
    cmocka_unit_test(vector_operator_id),
    cmocka_unit_test(vector_pack),
    cmocka_unit_test(transports_wrap_unwrap),
    cmocka_unit_test(bt4_identity_across_frames),
    cmocka_unit_test(obs_mapping),
    cmocka_unit_test(encode_obs_round_trip),
    cmocka_unit_test(truncated_frames_counted),
    cmocka_unit_test(detect_and_frame),
    cmocka_unit_test(table_is_bounded),
    cmocka_unit_test(formats_doc_names_every_key),
};

DW_TEST_MAIN("remoteid", tests)

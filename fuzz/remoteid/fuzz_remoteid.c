/* fuzz_remoteid.c — the Remote ID codec on arbitrary link-layer frames.
 *
 * The first byte picks the link type the rest arrives as (802.11, radiotap,
 * BLE LL, BLE LL with pseudo-header, nRF Sniffer, a datagram, a stream).
 * Beyond "no crash, no leak, no undefined behaviour":
 *  - every raw record is a JSON object from this codec;
 *  - every observation is on the globe, finite, and names a printable rid;
 *  - every message found decodes → encodes → decodes to the same value, and
 *    every payload wraps back into a frame of its transport that unwraps to
 *    the same bytes;
 *  - every observation encodes (encode_obs) to a pack that decodes to the
 *    same position, altitude, velocity, rid and sigmas;
 *  - the stream framer only hands out frames inside the buffer.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/log.h"
#include "dronewall/remoteid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = {
    DW_LINK_IEEE802_11,       DW_LINK_IEEE802_11_RADIOTAP,       DW_LINK_BLUETOOTH_LE_LL,
    DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR, DW_RID_LINK_NORDIC_BLE, DW_LINK_DATAGRAM, DW_LINK_STREAM,
};

static void die(const char *what)
{
    fprintf(stderr, "fuzz_remoteid: %s\n", what);
    abort();
}

static void check_raw(void *ctx, const char *json, size_t len)
{
    (void)ctx;
    json_error_t e;
    json_t *j = json_loadb(json, len, 0, &e);
    if (!j || !json_is_object(j))
        die("raw record is not a JSON object");
    const char *codec = json_string_value(json_object_get(j, "codec"));
    if (!codec || strcmp(codec, "remoteid") || !json_string_value(json_object_get(j, "msg")))
        die("raw record without codec or msg");
    json_decref(j);
}

static void check_obs(const dw_obs *o)
{
    if (!(fabs(o->lat_deg) <= 90 && fabs(o->lon_deg) <= 180) || (o->lat_deg == 0 && o->lon_deg == 0))
        die("obs off the globe");
    if (!isfinite(o->alt_m) || !isfinite(o->sigma_pos_m) || !isfinite(o->sigma_alt_m))
        die("obs not finite");
    for (int i = 0; i < 3; i++)
        if (!isfinite(o->vel_enu_mps[i]))
            die("velocity not finite");
    if ((o->kind == DW_OBS_POS3) != !!(o->has & DW_OBS_HAS_ALT))
        die("POS3 without altitude, or POS2 with");
    for (const char *p = o->rid; *p; p++)
        if (*p < 0x20 || *p > 0x7E)
            die("rid not printable");
    if (!!(o->has & DW_OBS_HAS_RID) != !!o->rid[0])
        die("rid bit and rid disagree");
}

static void one_obs(void *ctx, const dw_obs *o)
{
    *(dw_obs *)ctx = *o;
}

static void round_trip_obs(const dw_obs *o, int64_t rx_us)
{
    uint8_t pack[DW_ODID_PACK_LEN_MAX], *e;
    if (dw_codec_remoteid.encode_obs(NULL, o, pack, pack + sizeof pack, &e) != DW_OK)
        die("encode_obs refused an observation the decoder made");
    dw_obs back;
    memset(&back, 0, sizeof back);
    dw_decode_sink sink = {.obs = one_obs, .ctx = &back, .want_obs = 1};
    dw_frame_meta meta = {.rx_us = rx_us, .linktype = DW_LINK_DATAGRAM};
    if (dw_codec_remoteid.decode(NULL, pack, (size_t)(e - pack), &meta, &sink) != DW_OK ||
        sink.stats.obs != 1)
        die("encoded observation does not decode");
    if (back.lat_deg != o->lat_deg || back.lon_deg != o->lon_deg || back.kind != o->kind ||
        (o->kind == DW_OBS_POS3 && back.alt_m != o->alt_m))
        die("position differs after encode_obs");
    if (back.sigma_pos_m != o->sigma_pos_m || back.sigma_alt_m != o->sigma_alt_m)
        die("sigmas differ after encode_obs");
    if (strcmp(back.rid, o->rid))
        die("rid differs after encode_obs");
    if ((back.has & DW_OBS_HAS_VEL) != (o->has & DW_OBS_HAS_VEL))
        die("velocity bit differs after encode_obs");
    for (int i = 0; i < 3; i++)
        if (fabs(back.vel_enu_mps[i] - o->vel_enu_mps[i]) > 1e-9 * (1 + fabs(o->vel_enu_mps[i])))
            die("velocity differs after encode_obs");
}

typedef struct run {
    int linktype;
    int64_t rx_us;
} run;

static void on_obs(void *ctx, const dw_obs *o)
{
    run *r = ctx;
    check_obs(o);
    round_trip_obs(o, r->rx_us);
}

static void messages_round_trip(const uint8_t *p, size_t len)
{
    const uint8_t *raw[DW_ODID_PACK_MAX];
    size_t n = 1;
    raw[0] = p;
    if ((p[0] >> 4) == DW_ODID_PACK) {
        if (dw_odid_pack_split(p, len, raw, &n) != DW_OK)
            return;
    } else if (len < DW_ODID_MSG_LEN) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        dw_odid_msg d1, d2;
        uint8_t e1[DW_ODID_MSG_LEN], e2[DW_ODID_MSG_LEN], *end;
        if (dw_odid_decode(raw[i], DW_ODID_MSG_LEN, &d1) != DW_OK)
            continue;
        if (dw_odid_encode(&d1, e1, e1 + sizeof e1, &end) != DW_OK)
            die("a decoded message does not encode");
        if (dw_odid_decode(e1, sizeof e1, &d2) != DW_OK)
            die("an encoded message does not decode");
        /* dw_odid_decode zeroes the whole struct first, so bytes compare. */
        if (memcmp(&d1, &d2, sizeof d1))
            die("decode -> encode -> decode changed a value");
        if (dw_odid_encode(&d2, e2, e2 + sizeof e2, &end) != DW_OK || memcmp(e1, e2, sizeof e1))
            die("encoding is not stable");
    }
}

typedef struct rewrap {
    int linktype;
} rewrap;

typedef struct same {
    int n;
    const uint8_t *p;
    size_t len;
    dw_remoteid_transport tr;
} same;

static void expect_same(void *ctx, const dw_remoteid_rx *rx, const uint8_t *p, size_t len)
{
    same *s = ctx;
    s->n++;
    if (rx->transport != s->tr || len != s->len || memcmp(p, s->p, len))
        die("wrap -> unwrap changed the payload");
}

static void on_payload(void *ctx, const dw_remoteid_rx *rx, const uint8_t *p, size_t len)
{
    rewrap *w = ctx;
    messages_round_trip(p, len);
    uint8_t frame[600], *fe;
    int lt = rx->transport == DW_RID_RAW ? DW_LINK_DATAGRAM : w->linktype;
    if (dw_remoteid_wrap(rx->transport, lt, rx->has_mac ? rx->mac : NULL, 0, p, len, frame,
                         frame + sizeof frame, &fe) != DW_OK)
        return; /* e.g. a pack found in a legacy advert cannot go back there */
    same s = {0, p, len, rx->transport};
    size_t n;
    if (dw_remoteid_unwrap(frame, (size_t)(fe - frame), lt, expect_same, &s, &n) != DW_OK ||
        n != 1 || s.n != 1)
        die("a wrapped payload does not unwrap");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        dw_log_set_level(-1, DW_LOG_OFF);
        init = 1;
    }
    if (size < 1)
        return 0;
    int linktype = links[data[0] % (sizeof links / sizeof links[0])];
    /* A copy of exactly the frame's size, so ASan sees any read past it. */
    size_t len = size - 1;
    uint8_t *frame = malloc(len ? len : 1);
    memcpy(frame, data + 1, len);
    run r = {linktype, 1757451000000000LL};

    dw_frame_meta meta = {.rx_us = r.rx_us, .linktype = linktype};
    int score = dw_codec_remoteid.detect(frame, len, &meta);
    if (score < 0 || score > 100)
        die("detect out of range");

    void *state;
    if (dw_codec_remoteid.create(NULL, &state) != DW_OK)
        die("create");
    dw_decode_sink sink = {.raw = check_raw, .obs = on_obs, .ctx = &r, .want_raw = 1, .want_obs = 1};
    if (linktype == DW_LINK_STREAM) {
        size_t off = 0;
        while (off < len) {
            size_t skip = 0, flen = 0;
            dw_status st = dw_codec_remoteid.frame(frame + off, len - off, &skip, &flen);
            if (skip > len - off)
                die("frame skips past the end");
            if (st != DW_OK)
                break;
            if (flen == 0 || flen > len - off - skip)
                die("frame outside the buffer");
            dw_codec_remoteid.decode(state, frame + off + skip, flen, &meta, &sink);
            off += skip + flen;
        }
    } else {
        /* Twice: the second time the table knows the transmitter. */
        dw_codec_remoteid.decode(state, frame, len, &meta, &sink);
        dw_codec_remoteid.decode(state, frame, len, &meta, &sink);
    }
    dw_codec_remoteid.destroy(state);
    if (sink.stats.obs > sink.stats.records)
        die("more observations than records");

    rewrap w = {linktype};
    size_t n;
    dw_remoteid_unwrap(frame, len, linktype, on_payload, &w, &n);
    free(frame);
    return 0;
}

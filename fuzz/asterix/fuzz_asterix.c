/* fuzz_asterix — the ASTERIX codec on arbitrary bytes.
 *
 * The first byte picks the editions (the defaults, or the older ones the
 * goldens use); the rest is read three ways: as one datagram, as a stream
 * cut into frames by the codec's frame(), and as JSON for the encoder.
 * Beyond "no crash, no leak, no undefined behaviour", every record the
 * decoder accepts must encode back (decode -> encode -> decode) to the same
 * raw JSON and the same observation: the round trip STYLE.md asks of every
 * codec, on inputs nobody thought of.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/asterix.h"
#include "dronewall/codec.h"
#include "dronewall/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const settings[2] = {
    NULL, "cat034=1.27,cat048=1.30,cat062=1.18,cat021=2.6,sac=25,sic=100"};

static dw_asterix *ax[2], *ax2[2];     /* decoder; round-trip checker */
static int sel;
static char rec[1 << 20];
static uint8_t blk[65536];

static void die(const char *what, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_asterix: %s\n%s\n%s\n", what, a ? a : "", b ? b : "");
    abort();
}

typedef struct one {
    char *json;
    size_t len;
    int n;
    dw_obs obs;
    int nobs;
} one;

static void one_raw(void *ctx, const char *json, size_t len)
{
    one *o = ctx;
    if (len >= sizeof rec || strlen(json) != len)
        die("raw JSON length", json, NULL);
    if (o->n++ == 0) {
        memcpy(o->json, json, len + 1);
        o->len = len;
    }
}

static void one_obs(void *ctx, const dw_obs *ob)
{
    one *o = ctx;
    if (o->nobs++ == 0)
        o->obs = *ob;
}

static void check_obs(const dw_obs *o)
{
    double v[] = {o->lat_deg, o->lon_deg, o->alt_m, o->range_m, o->az_rad, o->vel_enu_mps[0],
                  o->vel_enu_mps[1], o->vel_enu_mps[2], o->cov_enu[0][0], o->cov_enu[2][2]};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!isfinite(v[i]))
            die("observation with a value that is not finite", o->sensor, NULL);
    if (!memchr(o->sensor, '\0', sizeof o->sensor) || !memchr(o->callsign, '\0', sizeof o->callsign))
        die("unterminated string in an observation", NULL, NULL);
}

/* Each record as it is decoded: encode it alone, decode that, compare. */
static void on_raw(void *ctx, const char *json, size_t len)
{
    (void)ctx;
    if (len >= sizeof rec)
        die("raw JSON too long", NULL, NULL);
    memcpy(rec, json, len + 1);
    uint8_t *e;
    dw_status st = dw_asterix_encode_json(ax2[sel], rec, len, blk, blk + sizeof blk, &e);
    if (st != DW_OK)
        die(dw_status_name(st), "record the decoder accepted does not encode:", rec);
    static char back[1 << 20];
    one o = {back, 0, 0, {0}, 0};
    dw_decode_sink s = {one_raw, one_obs, &o, 1, 1, {0}};
    dw_frame_meta m = {1700000000000000, DW_LINK_DATAGRAM, 0, 0, "fuzz"};
    if (dw_asterix_decode(ax2[sel], blk, (size_t)(e - blk), &m, &s) != DW_OK || o.n != 1)
        die("re-encoded record does not decode", rec, NULL);
    if (o.len != len || memcmp(back, rec, len))
        die("round trip changed the record", rec, back);
    if (o.nobs)
        check_obs(&o.obs);
}

static void on_obs(void *ctx, const dw_obs *o)
{
    (void)ctx;
    check_obs(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    sel = data[0] & 1;
    if (!ax[sel]) {
        dw_log_set_level(-1, DW_LOG_OFF);
        dw_codec_config cfg = {0};
        cfg.edition = settings[sel];
        if (dw_asterix_create(&cfg, &ax[sel]) != DW_OK || dw_asterix_create(&cfg, &ax2[sel]) != DW_OK)
            abort();
    }
    const uint8_t *p = data + 1;
    size_t n = size - 1;

    /* one datagram */
    dw_decode_sink s = {on_raw, on_obs, NULL, 1, 1, {0}};
    dw_frame_meta m = {1700000000000000, DW_LINK_DATAGRAM, 0, 0, "fuzz"};
    dw_asterix_decode(ax[sel], p, n, &m, &s);

    /* a stream, framed as the decode driver does */
    const dw_codec_ops *ops = dw_codec_find("asterix");
    if (!ops)
        abort();
    ops->detect(p, n, &m);
    m.linktype = DW_LINK_STREAM;
    size_t off = 0;
    while (off < n) {
        size_t skip = 0, fl = 0;
        dw_status st = ops->frame(p + off, n - off, &skip, &fl);
        if (skip > n - off)
            die("frame skipped past the end", NULL, NULL);
        if (st != DW_OK) {
            off += skip ? skip : n - off;   /* the driver would wait for more */
            continue;
        }
        if (fl < 3 || fl > n - off - skip)
            die("frame outside the bytes", NULL, NULL);
        off += skip;
        dw_decode_sink z = {NULL, on_obs, NULL, 0, 1, {0}};
        ops->decode(ax[sel], p + off, fl, &m, &z);
        off += fl;
    }

    /* the bytes as JSON for the encoder: refused or encoded, never more */
    uint8_t *e = NULL;
    if (dw_asterix_encode_json(ax[sel], (const char *)p, n, blk, blk + sizeof blk, &e) == DW_OK) {
        if (!e || e < blk + 4 || e > blk + sizeof blk)
            die("encoder end pointer", NULL, NULL);
        dw_decode_sink z = {NULL, on_obs, NULL, 0, 1, {0}};
        if (dw_asterix_decode(ax[sel], blk, (size_t)(e - blk), &m, &z) != DW_OK)
            die("encoded JSON does not decode", NULL, NULL);
    }
    return 0;
}

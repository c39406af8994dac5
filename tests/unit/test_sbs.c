/* test_sbs.c — the SBS-1/BaseStation codec: dump1090's own SBS output of the
 * Beast recording, the same recording through our Beast codec, and the
 * decode → encode_obs → decode round trip.
 */
#include "harness.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/modes.h"

#define RECORDING "data/adsb/beastblackbox/ulss7-beast-bin-utc--1522782148.136310917--.log"
#define GOLDEN_SBS "data/adsb/beastblackbox/beast_decoded_sbs.txt"
#define START_US 1522782148136310LL

extern const dw_codec_ops dw_codec_sbs;
extern const dw_codec_ops dw_codec_beast;


typedef struct collect {
    json_t *raw;
    dw_obs *obs;
    size_t nobs, cap;
} collect;

static void on_raw(void *ctx, const char *json, size_t len)
{
    collect *c = ctx;
    json_error_t e;
    json_t *j = json_loadb(json, len, 0, &e);
    if (!j)
        fail_msg("raw item is not JSON (%s): %.*s", e.text, (int)len, json);
    json_array_append_new(c->raw, j);
}

static void on_obs(void *ctx, const dw_obs *o)
{
    collect *c = ctx;
    if (c->nobs == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 1024;
        c->obs = realloc(c->obs, c->cap * sizeof *c->obs);
    }
    c->obs[c->nobs++] = *o;
}

static void collect_init(collect *c)
{
    memset(c, 0, sizeof *c);
    c->raw = json_array();
}

static void collect_free(collect *c)
{
    json_decref(c->raw);
    free(c->obs);
}

/* Frame and decode a whole buffer with one codec state; the tail without a
 * newline is decoded too, as a file driver does at the end. */
static dw_decode_stats decode_with(const dw_codec_ops *codec, void *st, const uint8_t *data,
                                   size_t len, int64_t rx_us, collect *out)
{
    dw_decode_sink sink = {on_raw, on_obs, out, 1, 1, {0}};
    dw_frame_meta meta = {rx_us, DW_LINK_STREAM, 0, 0, "test"};
    size_t off = 0;
    for (;;) {
        size_t skip = 0, fl = 0;
        dw_status s = codec->frame(data + off, len - off, &skip, &fl);
        sink.stats.skipped_bytes += skip;
        off += skip;
        if (s != DW_OK)
            break;
        codec->decode(st, data + off, fl, &meta, &sink);
        off += fl;
    }
    if (off < len)
        codec->decode(st, data + off, len - off, &meta, &sink);
    return sink.stats;
}

static dw_decode_stats decode_all(const dw_codec_ops *codec, const uint8_t *data, size_t len,
                                  int64_t rx_us, collect *out)
{
    void *st;
    assert_int_equal(codec->create(NULL, &st), DW_OK);
    dw_decode_stats s = decode_with(codec, st, data, len, rx_us, out);
    codec->destroy(st);
    return s;
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- dump1090's SBS output ----------------------------------------------- */

static void sbs_golden_file_decode(void **state)
{
    (void)state;
    size_t len;
    uint8_t *text = dw_test_read_file(dw_test_shared(GOLDEN_SBS), &len);
    assert_non_null(text);
    collect c;
    collect_init(&c);
    dw_decode_stats s = decode_all(&dw_codec_sbs, text, len, 0, &c);
    free(text);
    fprintf(stderr, "SBS golden: %llu lines, %llu obs, %llu malformed, %llu unknown\n",
            (unsigned long long)s.frames, (unsigned long long)s.obs,
            (unsigned long long)s.malformed, (unsigned long long)s.unknown);
    /* 8,622 MSG lines; the two summary lines at the end are not SBS */
    assert_int_equal(s.frames, 8622);
    assert_int_equal(s.malformed, 2);
    assert_int_equal(s.obs, 1456);
    int cs = 0, vel = 0, sq = 0;
    for (size_t i = 0; i < c.nobs; i++) {
        const dw_obs *o = &c.obs[i];
        assert_int_equal(o->kind, DW_OBS_POS3);
        assert_string_equal(o->sensor, "ADSB-SBS");
        assert_true(o->has & DW_OBS_HAS_ICAO);
        assert_near(o->sigma_alt_m, DW_ADSB_SIGMA_ALT_BARO_M, 0);
        assert_near(o->sigma_pos_m, DW_ADSB_SIGMA_POS_M, 0);
        cs += (o->has & DW_OBS_HAS_CALLSIGN) != 0;
        vel += (o->has & DW_OBS_HAS_VEL) != 0;
        sq += (o->has & DW_OBS_HAS_MODE3A) != 0;
    }
    fprintf(stderr, "  with callsign %d, velocity %d, squawk %d\n", cs, vel, sq);
    /* a velocity joins only the first position after it (round trips) */
    assert_true(cs > 1000 && vel > 900 && sq > 300);
    /* one line in full */
    json_t *r = json_array_get(c.raw, 3);
    assert_string_equal(jstr(r, "type"), "MSG");
    assert_int_equal(json_integer_value(json_object_get(r, "tt")), 3);
    assert_string_equal(jstr(r, "icao"), "780A5C");
    assert_int_equal(json_integer_value(json_object_get(r, "t_us")), 1522782148298000LL);
    assert_int_equal(json_integer_value(json_object_get(r, "alt_baro_ft")), 33000);
    assert_true(json_is_false(json_object_get(r, "on_ground")));

    /* the same recording through our Beast codec gives the same positions */
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    collect b;
    collect_init(&b);
    decode_all(&dw_codec_beast, rec, len, START_US, &b);
    free(rec);
    assert_int_equal(b.nobs, c.nobs);
    int same_cs = 0, both_cs = 0;
    for (size_t i = 0; i < c.nobs; i++) {
        const dw_obs *x = &c.obs[i], *y = &b.obs[i];
        assert_int_equal(x->icao, y->icao);
        assert_int_equal(x->t_us, y->t_us / 1000 * 1000);
        assert_near(x->lat_deg, y->lat_deg, 0.5e-5);
        assert_near(x->lon_deg, y->lon_deg, 0.5e-5);
        if ((x->has & y->has) & DW_OBS_HAS_CALLSIGN) {
            both_cs++;
            same_cs += !strcmp(x->callsign, y->callsign);
        }
    }
    fprintf(stderr, "  vs our Beast decode: %zu positions agree, callsign %d / %d\n", c.nobs,
            same_cs, both_cs);
    assert_int_equal(same_cs, both_cs);
    collect_free(&b);
    collect_free(&c);
}

/* Every field, exactly (memcmp would also compare padding). */
static int obs_equal(const dw_obs *a, const dw_obs *b)
{
    if (a->t_us != b->t_us || strcmp(a->sensor, b->sensor) || a->sensor_idx != b->sensor_idx ||
        a->kind != b->kind || a->has != b->has || a->lat_deg != b->lat_deg ||
        a->lon_deg != b->lon_deg || a->alt_m != b->alt_m || a->range_m != b->range_m ||
        a->az_rad != b->az_rad || a->el_rad != b->el_rad || a->range_rate_mps != b->range_rate_mps ||
        a->sigma_pos_m != b->sigma_pos_m || a->sigma_alt_m != b->sigma_alt_m ||
        a->sigma_range_m != b->sigma_range_m || a->sigma_az_rad != b->sigma_az_rad ||
        a->sigma_el_rad != b->sigma_el_rad || a->sigma_rr_mps != b->sigma_rr_mps ||
        a->radius_m != b->radius_m || a->icao != b->icao || a->mode3a != b->mode3a ||
        strcmp(a->callsign, b->callsign) || strcmp(a->rid, b->rid) ||
        a->amplitude_db != b->amplitude_db || a->rcs_m2 != b->rcs_m2)
        return 0;
    for (int i = 0; i < 9; i++)
        if (a->cov_enu[i / 3][i % 3] != b->cov_enu[i / 3][i % 3])
            return 0;
    for (int i = 0; i < 3; i++)
        if (a->vel_enu_mps[i] != b->vel_enu_mps[i])
            return 0;
    for (int i = 0; i < DW_NCLASSES; i++)
        if (a->class_score[i] != b->class_score[i])
            return 0;
    return 1;
}

/* Encode every observation and decode the text with a fresh decoder: the
 * observations must come back identical. */
static void round_trip(const dw_obs *obs, size_t n, int exact)
{
    void *back;
    assert_int_equal(dw_codec_sbs.create(NULL, &back), DW_OK);
    char text[2048];
    size_t encoded = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t *end;
        dw_status st = dw_codec_sbs.encode_obs(NULL, &obs[i], (uint8_t *)text,
                                               (uint8_t *)text + sizeof text, &end);
        assert_int_equal(st, DW_OK);
        collect c;
        collect_init(&c);
        dw_decode_stats s = decode_with(&dw_codec_sbs, back, (uint8_t *)text,
                                        (size_t)(end - (uint8_t *)text), 0, &c);
        assert_int_equal(s.malformed, 0);
        assert_int_equal(c.nobs, 1);
        const dw_obs *a = &obs[i], *b = &c.obs[0];
        if (exact) {
            if (!obs_equal(a, b)) {
                fail_msg("obs %zu changed in the round trip:\n%.*s", i,
                         (int)(end - (uint8_t *)text), text);
            }
        } else {
            assert_int_equal(a->t_us, b->t_us);
            assert_int_equal(a->kind, b->kind);
            assert_int_equal(a->icao, b->icao);
            assert_int_equal(a->has & ~(uint32_t)DW_OBS_HAS_AMPLITUDE, b->has);
            assert_int_equal(a->mode3a, b->mode3a);
            assert_string_equal(a->callsign, b->callsign);
            assert_true(a->lat_deg == b->lat_deg && a->lon_deg == b->lon_deg);
            assert_near(a->alt_m, b->alt_m, 1e-6);
            assert_near(a->sigma_alt_m, b->sigma_alt_m, 0);
            for (int k = 0; k < 3; k++)
                assert_near(a->vel_enu_mps[k], b->vel_enu_mps[k], 1e-6);
        }
        encoded++;
        collect_free(&c);
    }
    assert_int_equal(encoded, n);
    dw_codec_sbs.destroy(back);
}

static void sbs_roundtrip_golden(void **state)
{
    (void)state;
    size_t len;
    uint8_t *text = dw_test_read_file(dw_test_shared(GOLDEN_SBS), &len);
    collect c;
    collect_init(&c);
    decode_all(&dw_codec_sbs, text, len, 0, &c);
    free(text);
    round_trip(c.obs, c.nobs, 1);
    collect_free(&c);
}

/* Our Beast observations (geometric altitudes, NACp sigmas, µs times) through
 * SBS: all that SBS can carry comes back; the position sigma becomes SBS's
 * default, which the format cannot say. */
static void sbs_roundtrip_beast_obs(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    collect b;
    collect_init(&b);
    decode_all(&dw_codec_beast, rec, len, START_US, &b);
    free(rec);
    for (size_t i = 0; i < b.nobs; i++)
        snprintf(b.obs[i].sensor, sizeof b.obs[i].sensor, "ADSB-SBS");
    round_trip(b.obs, b.nobs, 0);
    /* and one written out, to see what SBS consumers get */
    char text[1024];
    uint8_t *end;
    assert_int_equal(dw_codec_sbs.encode_obs(NULL, &b.obs[100], (uint8_t *)text,
                                             (uint8_t *)text + sizeof text - 1, &end),
                     DW_OK);
    *end = 0;
    fprintf(stderr, "obs 100 as SBS:\n%s", text);
    collect_free(&b);
}

/* Values the fuzzer found or that sit at the edges: a longitude a metre from
 * zero (fixed notation would need 20 decimals), negative zero, the south-west,
 * a microsecond time, geometric height, a westerly track. */
static void sbs_roundtrip_edges(void **state)
{
    (void)state;
    dw_obs o[4];
    for (int i = 0; i < 4; i++) {
        dw_obs_init(&o[i], DW_OBS_POS3);
        snprintf(o[i].sensor, sizeof o[i].sensor, "ADSB-SBS");
        o[i].has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_ICAO;
        o[i].icao = 0x5CA948;
        o[i].t_us = 1757452200500123LL + i;
        o[i].alt_m = 37000 * 0.3048;
        o[i].sigma_alt_m = DW_ADSB_SIGMA_ALT_BARO_M;
        o[i].sigma_pos_m = DW_ADSB_SIGMA_POS_M;
    }
    o[0].lat_deg = 52.17, o[0].lon_deg = 1.209927558710e-05;
    o[1].lat_deg = -0.0, o[1].lon_deg = -179.99999999999997;
    o[2].lat_deg = -33.946111, o[2].lon_deg = -151.177222;
    o[2].sigma_alt_m = DW_ADSB_SIGMA_ALT_GNSS_M;
    o[3].lat_deg = 89.9, o[3].lon_deg = 180.0;
    o[3].has |= DW_OBS_HAS_VEL | DW_OBS_HAS_CALLSIGN | DW_OBS_HAS_MODE3A;
    o[3].vel_enu_mps[0] = -200 * 1852 / 3600.0;     /* due west, climbing */
    o[3].vel_enu_mps[2] = 1024 * 0.3048 / 60;
    strcpy(o[3].callsign, "SAS 12");
    o[3].mode3a = 07500;
    round_trip(o, 4, 0);
}

/* ---- lines ------------------------------------------------------------------- */

static dw_decode_stats one_text(const char *t, collect *c)
{
    return decode_all(&dw_codec_sbs, (const uint8_t *)t, strlen(t), 1700000000000000LL, c);
}

static void sbs_lines_malformed_and_other_types(void **state)
{
    (void)state;
    static const char *bad[] = {
        "MSG,3,1,1,4CA948,1,2025/13/09,21:10:00.000,,,,100,,,52,21,,,,,,0\n",    /* month 13 */
        "MSG,9,1,1,4CA948,1,,,,,,,,,,,,,,,,\n",                                 /* type 9 */
        "MSG,3,1,1,4CA94,1,,,,,,100,,,52,21,,,,,,0\n",                          /* 5 hex digits */
        "MSG,3,1,1,4CA948,1,,,,,,0x1A,,,52,21,,,,,,0\n",                        /* hex */
        "MSG,3,1,1,4CA948,1,,,,,,100,,,nan,21,,,,,,0\n",
        "MSG,3,1,1,4CA948,1,,,,,,100,,,52,,,,,,,0\n",                           /* lat, no lon */
        "MSG,3,1,1,4CA948,1,,,,,,100,,,95,21,,,,,,0\n",                         /* lat > 90 */
        "MSG,6,1,1,4CA948,1,,,,,,,,,,,,7800,,,,\n",                             /* squawk 8 */
        "MSG,3,1,1,4CA948,1,,,,,,100,,,52,21,,,,,,2\n",                         /* flag 2 */
        "MSG,1,1,1,4CA948,1,,,,,TOOLONGCS,,,,,,,,,,,\n",
        "MSG,3\n",
        "garbage\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        collect c;
        collect_init(&c);
        dw_decode_stats s = one_text(bad[i], &c);
        if (s.malformed != 1 || s.frames != 0 || c.nobs != 0)
            fail_msg("line %zu not refused: %s", i, bad[i]);
        collect_free(&c);
    }
    collect c;
    collect_init(&c);
    dw_decode_stats s = one_text(
        "SEL,,496,2286,4CA4E5,27215,2010/02/19,18:06:07.710,2010/02/19,18:06:07.710,RYR1427\r\n"
        "ID,,496,7162,405637,27928,2010/02/19,18:06:07.115,2010/02/19,18:06:07.115,EZY691A\r\n"
        "AIR,,496,5906,400F01,27931,2010/02/19,18:06:07.128,2010/02/19,18:06:07.128\r\n"
        "STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM\r\n"
        "CLK,,496,-1,,-1,2010/02/19,18:18:19.036,2010/02/19,18:18:19.036\r\n",
        &c);
    assert_int_equal(s.frames, 5);
    assert_int_equal(s.unknown, 5);
    assert_int_equal(s.malformed, 0);
    assert_string_equal(jstr(json_array_get(c.raw, 0), "type"), "SEL");
    collect_free(&c);

    /* every field of a line, "H" altitude, a non-ICAO address */
    collect_init(&c);
    s = one_text("MSG,1,1,1,4CA948,1,2025/09/09,21:10:00.000,2025/09/09,21:10:00.000,IBK9RU  ,,,,,,,,,,,\n"
                 "MSG,6,1,1,4CA948,1,2025/09/09,21:10:00.100,,,,,,,,,,7700,-1,-1,0,0\n"
                 "MSG,4,1,1,4CA948,1,2025/09/09,21:10:00.250,,,,,452.5,271.25,,,-64,,,,,0\n"
                 "MSG,3,1,1,4CA948,1,2025/09/09,21:10:00.500,,,,37000H,,,52.17,20.97,,,0,0,0,0\n"
                 "MSG,3,1,1,4CA948,1,2025/09/09,21:10:01.500,,,,37000,,,52.18,20.96,,,0,0,0,0\n"
                 "MSG,2,1,1,~A1B2C3,1,2025/09/09,21:10:01.000,,,,,12,90,52.1,21.0,,,,,,-1\n",
                 &c);
    assert_int_equal(s.frames, 6);
    assert_int_equal(s.obs, 3);
    json_t *r = json_array_get(c.raw, 1);
    assert_string_equal(jstr(r, "squawk"), "7700");
    assert_true(json_is_true(json_object_get(r, "alert")));
    assert_true(json_is_true(json_object_get(r, "emergency")));
    r = json_array_get(c.raw, 3);
    assert_int_equal(json_integer_value(json_object_get(r, "alt_gnss_ft")), 37000);
    const dw_obs *o = &c.obs[0];
    assert_int_equal(o->kind, DW_OBS_POS3);
    assert_int_equal(o->t_us, 1757452200500000LL);
    assert_string_equal(o->callsign, "IBK9RU");
    assert_int_equal(o->mode3a, 07700);
    assert_near(o->alt_m, 37000 * 0.3048, 1e-9);
    assert_near(o->sigma_alt_m, DW_ADSB_SIGMA_ALT_GNSS_M, 0);
    assert_true(o->has & DW_OBS_HAS_VEL);
    assert_near(o->vel_enu_mps[0], 452.5 * 1852 / 3600.0 * sin(271.25 * M_PI / 180), 1e-9);
    assert_near(o->vel_enu_mps[2], -64 * 0.3048 / 60, 1e-12);
    /* the velocity joins one position only */
    o = &c.obs[1];
    assert_false(o->has & DW_OBS_HAS_VEL);
    assert_near(o->sigma_alt_m, DW_ADSB_SIGMA_ALT_BARO_M, 0);
    /* MSG,2 on the surface: POS2 with its own movement, no ICAO claimed */
    o = &c.obs[2];
    assert_int_equal(o->kind, DW_OBS_POS2);
    assert_false(o->has & DW_OBS_HAS_ICAO);
    assert_false(o->has & DW_OBS_HAS_ALT);
    assert_true(o->has & DW_OBS_HAS_VEL);
    assert_near(o->vel_enu_mps[0], 12 * 1852 / 3600.0, 1e-9);
    collect_free(&c);

    /* a stale velocity (11 s before) is not joined */
    collect_init(&c);
    one_text("MSG,4,1,1,4CA948,1,2025/09/09,21:10:00.000,,,,,452,271,,,0,,,,,0\n"
             "MSG,3,1,1,4CA948,1,2025/09/09,21:10:11.000,,,,37000,,,52.17,20.97,,,,,,0\n",
             &c);
    assert_int_equal(c.nobs, 1);
    assert_false(c.obs[0].has & DW_OBS_HAS_VEL);
    collect_free(&c);
}

static void sbs_time_fields(void **state)
{
    (void)state;
    static const struct {
        const char *date, *tod;
        long long want;
    } cases[] = {
        {"2018/04/03", "19:02:28.136", 1522782148136000LL},
        {"1970/01/01", "00:00:00.000", 0},
        {"2024/02/29", "23:59:59.9", 1709251199900000LL},
        {"2000/03/01", "00:00:00", 951868800000000LL},
        {"2025/09/09", "21:10:00.000001", 1757452200000001LL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[160];
        snprintf(line, sizeof line, "MSG,3,1,1,4CA948,1,%s,%s,,,,100,,,52,21,,,,,,0\n",
                 cases[i].date, cases[i].tod);
        collect c;
        collect_init(&c);
        one_text(line, &c);
        assert_int_equal(c.nobs, 1);
        if (c.obs[0].t_us != cases[i].want)
            fail_msg("%s %s: %lld, want %lld", cases[i].date, cases[i].tod,
                     (long long)c.obs[0].t_us, cases[i].want);
        /* and back out: milliseconds, or microseconds when there are some */
        char out[512];
        uint8_t *end;
        assert_int_equal(dw_codec_sbs.encode_obs(NULL, &c.obs[0], (uint8_t *)out,
                                                 (uint8_t *)out + sizeof out - 1, &end),
                         DW_OK);
        *end = 0;
        if (i == 0)
            assert_non_null(strstr(out, ",2018/04/03,19:02:28.136,"));
        if (i == 4)
            assert_non_null(strstr(out, ",2025/09/09,21:10:00.000001,"));
        collect_free(&c);
    }
    /* no date fields: the receive time */
    collect c;
    collect_init(&c);
    one_text("MSG,3,1,1,4CA948,1,,,,,,100,,,52,21,,,,,,0", &c);  /* no newline either */
    assert_int_equal(c.nobs, 1);
    assert_int_equal(c.obs[0].t_us, 1700000000000000LL);
    collect_free(&c);
}

static void sbs_frame_detect_encode_limits(void **state)
{
    (void)state;
    const char *t = "\r\n\nMSG,8,1,1,400159,1,,,,,,,,,,,,,,,,\r\nMSG,8";
    size_t skip, fl;
    assert_int_equal(dw_codec_sbs.frame((const uint8_t *)t, strlen(t), &skip, &fl), DW_OK);
    assert_int_equal(skip, 3);
    assert_int_equal(fl, strlen("MSG,8,1,1,400159,1,,,,,,,,,,,,,,,,\r\n"));
    assert_int_equal(dw_codec_sbs.frame((const uint8_t *)t + 3 + fl, 5, &skip, &fl), DW_ERR_EOF);
    assert_int_equal(skip, 0);
    /* an over-long line is dropped whole */
    char big[1200];
    memset(big, 'x', sizeof big);
    big[700] = '\n';
    memcpy(big + 701, "MSG,8,1\n", 8);
    assert_int_equal(dw_codec_sbs.frame((const uint8_t *)big, 709, &skip, &fl), DW_OK);
    assert_int_equal(skip, 701);
    assert_int_equal(dw_codec_sbs.frame((const uint8_t *)big, 650, &skip, &fl), DW_ERR_EOF);
    assert_int_equal(skip, 650);

    size_t len;
    uint8_t *g = dw_test_read_file(dw_test_shared(GOLDEN_SBS), &len);
    dw_frame_meta m = {0, DW_LINK_STREAM, 0, 0, "x"};
    assert_true(dw_codec_sbs.detect(g, len, &m) >= 90);
    free(g);
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    assert_int_equal(dw_codec_sbs.detect(rec, len, &m), 0);
    free(rec);

    dw_obs o;
    dw_obs_init(&o, DW_OBS_POLAR);
    uint8_t buf[512], *end = NULL;
    assert_int_equal(dw_codec_sbs.encode_obs(NULL, &o, buf, buf + sizeof buf, &end),
                     DW_ERR_UNSUPPORTED);
    dw_obs_init(&o, DW_OBS_POS3);
    o.lat_deg = 52;
    o.lon_deg = 21;
    o.alt_m = 1000;
    o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT;
    assert_int_equal(dw_codec_sbs.encode_obs(NULL, &o, buf, buf + sizeof buf, &end),
                     DW_ERR_UNSUPPORTED);      /* no ICAO address */
    o.has |= DW_OBS_HAS_ICAO;
    o.icao = 0x48AE21;
    assert_int_equal(dw_codec_sbs.encode_obs(NULL, &o, buf, buf + 20, &end), DW_ERR_FULL);
    assert_null(end);
    o.lat_deg = 91;
    assert_int_equal(dw_codec_sbs.encode_obs(NULL, &o, buf, buf + sizeof buf, &end), DW_ERR_RANGE);
    o.lat_deg = 52;
    strcpy(o.callsign, "A,B");
    o.has |= DW_OBS_HAS_CALLSIGN;
    assert_int_equal(dw_codec_sbs.encode_obs(NULL, &o, buf, buf + sizeof buf, &end), DW_ERR_RANGE);
    strcpy(o.callsign, "LOT3AB");
    o.sigma_alt_m = 0;          /* not declared pressure altitude: geometric, "H" */
    assert_int_equal(dw_codec_sbs.encode_obs(NULL, &o, buf, buf + sizeof buf - 1, &end), DW_OK);
    *end = 0;
    assert_string_equal((char *)buf,
                        "MSG,1,1,1,48AE21,1,1970/01/01,00:00:00.000,1970/01/01,00:00:00.000,"
                        "LOT3AB,,,,,,,,,,,\r\n"
                        "MSG,3,1,1,48AE21,1,1970/01/01,00:00:00.000,1970/01/01,00:00:00.000,"
                        ",3280.839895H,,,52.000000,21.000000,,,,,,0\r\n");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(sbs_golden_file_decode),
    cmocka_unit_test(sbs_roundtrip_golden),
    cmocka_unit_test(sbs_roundtrip_beast_obs),
    cmocka_unit_test(sbs_roundtrip_edges),
    cmocka_unit_test(sbs_lines_malformed_and_other_types),
    cmocka_unit_test(sbs_time_fields),
    cmocka_unit_test(sbs_frame_detect_encode_limits),
};

DW_TEST_MAIN("sbs", tests)

/* test_asterix_doppler.c — a Doppler radar's range rate through ASTERIX CAT048 I120 (radial
 * Doppler speed, its CAL sub-item: 1 m/s, 10 bits signed, D = doubtful):
 *   - a POLAR plot with a range rate encodes to the same octets by the direct writer and by
 *     the JSON route, in both editions (1.30, 1.32), with I120 = FRN 20 after I110;
 *   - decode gives it back to the 1 m/s LSB, by the fast path and the generic one alike,
 *     bit for bit; a rate beyond +-511 m/s, or not finite, is left out, the plot kept;
 *   - a record whose CAL says "doubtful" gives no range rate;
 *   - a plot without one has no I120 (the octets of before).
 * The rest of the CAT048 codec is test_asterix.c's. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/asterix_int.h"
#include "dronewall/asterix.h"

typedef struct got {
    dw_obs obs[4];
    size_t nobs;
    char json[4][1024];
    size_t n;
} got;

static void on_raw(void *ctx, const char *json, size_t len)
{
    got *g = ctx;
    if (g->n < 4 && len < sizeof g->json[0]) {
        memcpy(g->json[g->n], json, len);
        g->json[g->n][len] = '\0';
    }
    g->n++;
}

static void on_obs(void *ctx, const dw_obs *o)
{
    got *g = ctx;
    if (g->nobs < 4)
        g->obs[g->nobs] = *o;
    g->nobs++;
}

static dw_asterix *make(const char *settings)
{
    dw_codec_config cfg = {0};
    cfg.edition = settings;
    dw_asterix *ax = NULL;
    assert_int_equal(dw_asterix_create(&cfg, &ax), DW_OK);
    return ax;
}

static dw_obs plot(double rr, int with_rr)
{
    dw_obs o;
    dw_obs_init(&o, DW_OBS_POLAR);
    snprintf(o.sensor, sizeof o.sensor, "ASX-012-034");
    o.t_us = 1757451000000000LL;
    o.range_m = 23456.0;
    o.az_rad = 2.5;
    o.has = DW_OBS_HAS_ALT;
    o.alt_m = 300.0;
    if (with_rr) {
        o.has |= DW_OBS_HAS_RR;
        o.range_rate_mps = rr;
    }
    return o;
}

/* Decode one block: its observation (1) through the codec, and the fast and generic paths
 * on its record compared bit for bit. */
static int decode_one(dw_asterix *ax, const uint8_t *b, size_t n, dw_obs *out, char *json)
{
    got g;
    memset(&g, 0, sizeof g);
    dw_decode_sink s = {on_raw, on_obs, &g, 1, 1, {0}};
    dw_frame_meta m = {1757451002000000LL, DW_LINK_DATAGRAM, 0, 0, "t"};
    assert_int_equal(dw_asterix_decode(ax, b, n, &m, &s), DW_OK);
    assert_int_equal(g.nobs, 1);
    assert_int_equal(g.n, 1);
    *out = g.obs[0];
    strcpy(json, g.json[0]);
    dw__asx_rec r;
    dw__asx_when w = dw__asx_when_of(m.rx_us);
    assert_int_equal(dw__asx_locate(ax->by_cat[48], b + 3, n - 3, &r), DW__ASX_OK);
    dw_obs fast, slow;
    assert_int_equal(dw__asx_obs(ax, ax->by_cat[48], &r, &w, &fast), 1);
    assert_int_equal(dw__asx_obs048_generic(ax, ax->by_cat[48], &r, &w, &slow), 1);
    assert_memory_equal(&fast, &slow, sizeof fast);
    assert_memory_equal(&fast, out, sizeof fast);
    return 1;
}

static void range_rate_round_trips_through_i120(void **state)
{
    (void)state;
    const double rates[] = {-40.0, 0.0, 0.4, -0.6, 12.5, -12.5, 511.0, -512.0, 511.6, -512.6,
                            1000.0, NAN, INFINITY};
    for (int e = 0; e < 2; e++) {
        dw_asterix *ax = make(e ? "cat048=1.30" : NULL);
        assert_true(ax->f048.ok);
        assert_true(ax->f048.enc_ok);
        assert_int_equal(ax->f048.f120, 19);        /* FRN 20 */
        for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
            const double rr = rates[i];
            dw_obs o = plot(rr, 1);
            uint8_t a[256], b[256], *ea, *eb;
            assert_int_equal(dw_asterix_encode_obs(ax, &o, a, a + sizeof a, &ea), DW_OK);
            assert_int_equal(dw__asx_encode_obs_json(ax, &o, b, b + sizeof b, &eb), DW_OK);
            assert_int_equal(ea - a, eb - b);
            assert_memory_equal(a, b, (size_t)(ea - a));
            dw_obs d;
            char json[1024];
            decode_one(ax, a, (size_t)(ea - a), &d, json);
            assert_near(d.range_m, o.range_m, 1852.0 / 512 + 1e-9);
            const int fits = isfinite(rr) && round(rr) >= -512.0 && round(rr) <= 511.0;
            if (fits) {
                assert_true(d.has & DW_OBS_HAS_RR);
                assert_near(d.range_rate_mps, round(rr), 0);
                assert_non_null(strstr(json, "\"I120\":{\"CAL\":{\"D\":0,\"CAL\":"));
                /* FSPEC: I110 and I120 in the third octet; I120 is three octets, last */
                assert_int_equal(a[5], 0x08 | 0x04);
                assert_int_equal(ea[-3], 0x80);
            } else {
                assert_false(d.has & DW_OBS_HAS_RR);
                assert_null(strstr(json, "\"I120\""));
            }
            /* the plot without a range rate: as it always was */
            dw_obs o0 = plot(rr, 0);
            uint8_t c0[256], *e0;
            assert_int_equal(dw_asterix_encode_obs(ax, &o0, c0, c0 + sizeof c0, &e0), DW_OK);
            if (fits) {
                assert_int_equal((ea - a) - (e0 - c0), 3);
                assert_int_equal(c0[5], 0x08);
            } else {
                assert_int_equal(ea - a, e0 - c0);
                assert_memory_equal(a, c0, (size_t)(ea - a));
            }
        }
        dw_asterix_destroy(ax);
    }
}

/* A CAL the radar calls doubtful (D = 1) is no range rate; a record with I120's raw Doppler
 * (RDS) only gives none either. */
static void doubtful_doppler_is_not_read(void **state)
{
    (void)state;
    dw_asterix *ax = make(NULL);
    const char *js[] = {
        "{\"cat\":48,\"I010\":{\"SAC\":1,\"SIC\":2},\"I140\":100.5,\"I020\":{\"TYP\":1,\"SIM\":0,"
        "\"RDP\":0,\"SPI\":0,\"RAB\":0},\"I040\":{\"RHO\":10.5,\"THETA\":45.0},"
        "\"I120\":{\"CAL\":{\"D\":1,\"CAL\":-40}}}",
        "{\"cat\":48,\"I010\":{\"SAC\":1,\"SIC\":2},\"I140\":100.5,\"I020\":{\"TYP\":1,\"SIM\":0,"
        "\"RDP\":0,\"SPI\":0,\"RAB\":0},\"I040\":{\"RHO\":10.5,\"THETA\":45.0},"
        "\"I120\":{\"RDS\":[{\"DOP\":40,\"AMB\":100,\"FRQ\":3000}]}}",
        "{\"cat\":48,\"I010\":{\"SAC\":1,\"SIC\":2},\"I140\":100.5,\"I020\":{\"TYP\":1,\"SIM\":0,"
        "\"RDP\":0,\"SPI\":0,\"RAB\":0},\"I040\":{\"RHO\":10.5,\"THETA\":45.0},"
        "\"I120\":{\"CAL\":{\"D\":0,\"CAL\":-40},\"RDS\":[{\"DOP\":40,\"AMB\":100,\"FRQ\":3000}]}}",
    };
    for (int i = 0; i < 3; i++) {
        uint8_t b[256], *e;
        assert_int_equal(dw_asterix_encode_json(ax, js[i], strlen(js[i]), b, b + sizeof b, &e),
                         DW_OK);
        dw_obs d;
        char json[1024];
        decode_one(ax, b, (size_t)(e - b), &d, json);
        if (i < 2) {
            assert_false(d.has & DW_OBS_HAS_RR);
        } else {
            assert_true(d.has & DW_OBS_HAS_RR);
            assert_near(d.range_rate_mps, -40.0, 0);
        }
    }
    dw_asterix_destroy(ax);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(range_rate_round_trips_through_i120),
    cmocka_unit_test(doubtful_doppler_is_not_read),
};

DW_TEST_MAIN("asterix_doppler", tests)

/* test_modes.c — Mode S decoding, CPR and the aircraft table (modes.h).
 *
 * The golden check is pyModeS's own decode of 600 real frames
 * (data/adsb/pymodes/golden_v2.json): every field both sides decode is
 * compared and counted, and a disagreement names the field. The CPR and ES
 * examples are the worked examples of "The 1090 MHz Riddle".
 */
#include "harness.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/modes.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s) / 2;
    if (n > cap)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (uint8_t)v;
    }
    return n;
}

static dw_modes_msg decode_hex(const char *hex)
{
    uint8_t b[14];
    size_t n = unhex(hex, b, sizeof b);
    dw_modes_msg m;
    memset(&m, 0, sizeof m);
    dw_status st = dw_modes_decode(b, n, &m);
    assert_true(st == DW_OK || st == DW_ERR_UNSUPPORTED);
    return m;
}

/* ---- CRC, codes ---------------------------------------------------------- */

static void crc_parity_and_address_recovery(void **state)
{
    (void)state;
    /* DF17: parity 0 */
    dw_modes_msg m = decode_hex("8D4840D6202CC371C32CE0576098");
    assert_int_equal(m.df, 17);
    assert_int_equal(m.syndrome, 0);
    assert_true(m.crc_ok);
    assert_int_equal(m.icao, 0x4840D6);
    uint8_t b[14];
    unhex("8D4840D6202CC371C32CE0576098", b, 14);
    assert_int_equal(dw_modes_crc(b, 11), 0x576098);
    /* one flipped bit breaks it */
    b[5] ^= 0x10;
    assert_int_not_equal(dw_modes_syndrome(b, 14), 0);
    /* DF11 with IID 0 (dump1090: "CRC: 000000") */
    m = decode_hex("5f4001594b0fbb");
    assert_int_equal(m.df, 11);
    assert_true(m.crc_ok);
    assert_int_equal(m.icao, 0x400159);
    /* AP formats: the address is CRC xor AP (dump1090 "CRC: 400159" etc.) */
    m = decode_hex("a0200233ea59bf163f57ecd3cb13");
    assert_int_equal(m.df, 20);
    assert_int_equal(m.icao, 0x400159);
    assert_false(m.crc_ok);     /* unverified until the table knows it */
    m = decode_hex("282018154a9d59");
    assert_int_equal(m.df, 5);
    assert_int_equal(m.icao, 0x400159);
    m = decode_hex("80a18498902583b6a913421bf699");
    assert_int_equal(m.df, 16);
    assert_int_equal(m.icao, 0x504DD9);
    /* lengths must match the DF */
    dw_modes_msg keep;
    memset(&keep, 0x5a, sizeof keep);
    assert_int_equal(dw_modes_decode(b, 7, &keep), DW_ERR_PARSE);   /* DF17 in 7 bytes */
    assert_int_equal(dw_modes_decode(b, 13, &keep), DW_ERR_PARSE);
    assert_int_equal(((uint8_t *)&keep)[0], 0x5a);  /* untouched on failure */
}

static void altitude_and_identity_codes(void **state)
{
    (void)state;
    int32_t alt = 0;
    /* Q-bit: N*25-1000. 38000 ft is N=1560 = 0b11000011000 -> AC12 0xC38 */
    assert_int_equal(dw_modes_ac12_ft(0xC38, &alt), DW_OK);
    assert_int_equal(alt, 38000);
    assert_int_equal(dw_modes_ac12_ft(0, &alt), DW_ERR_RANGE);
    /* DF4/20 AC13 of "a0200233...": 2675 ft (dump1090) */
    dw_modes_msg m = decode_hex("a0200233ea59bf163f57ecd3cb13");
    assert_true(m.has & DW_MODES_HAS_ALT_BARO);
    assert_int_equal(m.alt_baro_ft, 2675);
    /* M bit set: metric, refused */
    assert_int_equal(dw_modes_ac13_ft(0x40 | 0x10, &alt), DW_ERR_RANGE);
    /* Gillham 100-ft: the lowest code, -1200 ft, is C4 alone */
    assert_int_equal(dw_modes_gillham_ft(1u << 8, &alt), DW_OK);
    assert_int_equal(alt, -1200);
    /* C1 C2 C4 = 000 is never a valid 100-ft code */
    assert_int_equal(dw_modes_gillham_ft(1u << 7, &alt), DW_ERR_RANGE);
    /* Gillham and Q-bit agree over the whole range: a Gillham code built
     * from an altitude decodes back to it (encoder written from the table) */
    for (int a = -1200; a <= 126700; a += 100) {
        int n = (a + 1300) / 100, n500 = n / 5, n100 = n % 5;
        if (n100 == 0) {
            n500--;
            n100 = 5;
        }
        if (n500 & 1)
            n100 = 6 - n100;
        static const unsigned c_of[6] = {0, 1, 3, 2, 6, 4};
        unsigned c = c_of[n100], g = (unsigned)n500 ^ ((unsigned)n500 >> 1);
        unsigned d1 = g >> 8 & 1, d2 = g >> 7 & 1, d4 = g >> 6 & 1, a1 = g >> 5 & 1,
                 a2 = g >> 4 & 1, a4 = g >> 3 & 1, b1 = g >> 2 & 1, b2 = g >> 1 & 1, b4 = g & 1;
        unsigned c1 = c >> 2 & 1, c2 = c >> 1 & 1, c4 = c & 1;
        unsigned id = c1 << 12 | a1 << 11 | c2 << 10 | a2 << 9 | c4 << 8 | a4 << 7 | b1 << 5 |
                      d1 << 4 | b2 << 3 | d2 << 2 | b4 << 1 | d4;
        assert_int_equal(dw_modes_gillham_ft(id, &alt), DW_OK);
        if (alt != a)
            fail_msg("Gillham %d decodes as %d", a, alt);
    }
    /* ID13: DF5 "282018154a9d59" squawks 1017 (dump1090) */
    m = decode_hex("282018154a9d59");
    assert_true(m.has & DW_MODES_HAS_SQUAWK);
    assert_int_equal(m.squawk, 01017);
    /* TC 28 emergency status carries the squawk too */
    m = decode_hex("8f400159e1181500000000d94095");
    assert_int_equal(m.tc, 28);
    assert_int_equal(m.squawk, 01017);
}

/* ---- CPR ------------------------------------------------------------------- */

static void cpr_riddle_examples(void **state)
{
    (void)state;
    assert_int_equal(dw_cpr_nl(0.0), 59);
    assert_int_equal(dw_cpr_nl(10.4704712), 59);
    assert_int_equal(dw_cpr_nl(10.4704714), 58);
    assert_int_equal(dw_cpr_nl(-52.2572), 36);
    assert_int_equal(dw_cpr_nl(86.9), 2);
    assert_int_equal(dw_cpr_nl(87.0), 2);
    assert_int_equal(dw_cpr_nl(87.1), 1);
    assert_int_equal(dw_cpr_nl(90.0), 1);

    /* The Riddle's pair: even 8D40621D58C382D690C8AC2863A7 (newer), odd
     * 8D40621D58C386435CC412692AD6 -> 52.2572°N 3.91937°E at 38000 ft */
    dw_modes_msg ev = decode_hex("8D40621D58C382D690C8AC2863A7");
    dw_modes_msg od = decode_hex("8D40621D58C386435CC412692AD6");
    assert_int_equal(ev.tc, 11);
    assert_int_equal(ev.cpr_odd, 0);
    assert_int_equal(od.cpr_odd, 1);
    assert_int_equal(ev.alt_baro_ft, 38000);
    double lat, lon;
    assert_int_equal(dw_cpr_airborne_global(ev.cpr_lat, ev.cpr_lon, od.cpr_lat, od.cpr_lon, 0,
                                            &lat, &lon),
                     DW_OK);
    assert_near(lat, 52.2572, 5e-5);
    assert_near(lon, 3.91937, 5e-6);
    /* local, one frame and a reference */
    assert_int_equal(dw_cpr_local(ev.cpr_lat, ev.cpr_lon, 0, 0, 52.258, 3.918, &lat, &lon),
                     DW_OK);
    assert_near(lat, 52.2572, 5e-5);
    assert_near(lon, 3.91937, 5e-6);

    /* The Riddle's surface example: even 8C4841753AAB238733C8CD4020B1 at t0,
     * odd 8C4841753A8A35323FAEBDAC702D at t0+2 s, reference 51.990°N
     * 4.375°E -> 52.32061°N 4.73473°E (the odd, newer frame) */
    dw_modes_msg se = decode_hex("8C4841753AAB238733C8CD4020B1");
    dw_modes_msg so = decode_hex("8C4841753A8A35323FAEBDAC702D");
    assert_int_equal(se.tc, 7);
    assert_true(se.cpr_surface);
    assert_int_equal(se.cpr_odd, 0);
    assert_int_equal(so.cpr_odd, 1);
    assert_true(se.has & DW_MODES_HAS_GS);
    assert_near(se.gs_kt, 18.0, 0);         /* movement 42 */
    assert_near(se.track_deg, 140.625, 0);
    assert_int_equal(dw_cpr_surface_global(se.cpr_lat, se.cpr_lon, so.cpr_lat, so.cpr_lon, 1,
                                           51.990, 4.375, &lat, &lon),
                     DW_OK);
    assert_near(lat, 52.32061, 5e-6);
    assert_near(lon, 4.73473, 5e-6);
    assert_int_equal(dw_cpr_local(so.cpr_lat, so.cpr_lon, 1, 1, 51.990, 4.375, &lat, &lon), DW_OK);
    assert_near(lat, 52.32061, 5e-6);
    assert_near(lon, 4.73473, 5e-6);

    /* encode → decode everywhere: local within a CPR step, global exact */
    for (double la = -86.5; la <= 86.5; la += 7.3) {
        for (double lo = -179.9; lo < 180.0; lo += 23.7) {
            uint32_t y0, x0, y1, x1;
            /* one CPR step of longitude at this latitude */
            int nl = dw_cpr_nl(la) - 1;
            double step = 360.0 / (nl < 1 ? 1 : nl) / 131072.0;
            dw_cpr_encode(la, lo, 0, 0, &y0, &x0);
            dw_cpr_encode(la, lo, 1, 0, &y1, &x1);
            assert_int_equal(dw_cpr_airborne_global(y0, x0, y1, x1, 1, &lat, &lon), DW_OK);
            assert_near(lat, la, 1e-4);
            assert_near(remainder(lon - lo, 360.0), 0, step);
            assert_int_equal(dw_cpr_local(y0, x0, 0, 0, la + 1.0, lo - 1.0, &lat, &lon), DW_OK);
            assert_near(lat, la, 1e-4);
            assert_near(remainder(lon - lo, 360.0), 0, step);
            dw_cpr_encode(la, lo, 0, 1, &y0, &x0);
            dw_cpr_encode(la, lo, 1, 1, &y1, &x1);
            assert_int_equal(
                dw_cpr_surface_global(y0, x0, y1, x1, 0, la + 0.2, lo + 0.2, &lat, &lon), DW_OK);
            assert_near(lat, la, 3e-5);
            assert_near(remainder(lon - lo, 360.0), 0, step / 4);
        }
    }
    /* frames straddling a zone edge are refused */
    uint32_t y0, x0, y1, x1;
    dw_cpr_encode(10.465, 20.0, 0, 0, &y0, &x0);
    dw_cpr_encode(10.476, 20.0, 1, 0, &y1, &x1);
    assert_int_equal(dw_cpr_airborne_global(y0, x0, y1, x1, 0, &lat, &lon), DW_ERR_RANGE);
    assert_int_equal(dw_cpr_airborne_global(0x20000, 0, 0, 0, 0, &lat, &lon), DW_ERR_INVALID);
}

static void es_riddle_examples(void **state)
{
    (void)state;
    dw_modes_msg m = decode_hex("8D4840D6202CC371C32CE0576098");
    assert_int_equal(m.tc, 4);
    assert_true(m.has & DW_MODES_HAS_CALLSIGN);
    assert_string_equal(m.callsign, "KLM1023");
    assert_int_equal(m.category, 0xA0);

    /* ground speed subtype: 159.20 kt, 182.88°, -832 ft/min (GNSS) */
    m = decode_hex("8D485020994409940838175B284F");
    assert_int_equal(m.tc, 19);
    assert_int_equal(m.st, 1);
    assert_true(m.has & DW_MODES_HAS_GS);
    assert_near(m.gs_kt, 159.20, 0.005);
    assert_near(m.track_deg, 182.88, 0.005);
    assert_int_equal(m.vrate_fpm, -832);
    assert_true(m.vrate_gnss);
    assert_true(m.has & DW_MODES_HAS_GNSS_DIFF);
    assert_int_equal(m.gnss_baro_diff_ft, 550);

    /* airspeed subtype: heading 243.98°, 375 kt TAS, -2304 ft/min (baro) */
    m = decode_hex("8DA05F219B06B6AF189400CBC33F");
    assert_int_equal(m.st, 3);
    assert_true(m.has & DW_MODES_HAS_HEADING);
    assert_near(m.heading_deg, 243.98, 0.005);
    assert_true(m.has & DW_MODES_HAS_AIRSPEED);
    assert_near(m.airspeed_kt, 375, 1e-9);
    assert_true(m.airspeed_true);
    assert_int_equal(m.vrate_fpm, -2304);
    assert_false(m.vrate_gnss);
    assert_false(m.has & DW_MODES_HAS_GS);

    /* operational status v2 (dump1090: version 2, NACp 9) and target state
     * v2 (NACp 10) from the Beast recording */
    m = decode_hex("8d400159f82300060049b812cdb4");
    assert_int_equal(m.tc, 31);
    assert_int_equal(m.version, 2);
    assert_int_equal(m.nacp, 9);
    m = decode_hex("8d71be34ea4478648f5c086f49fc");
    assert_int_equal(m.tc, 29);
    assert_int_equal(m.nacp, 10);

    /* Comm-B BDS 2,0 in a DF20 (dump1090 does not decode it; pyModeS
     * golden: KLM1385) */
    m = decode_hex("a000123e202cc371cf8d6017072c");
    assert_int_equal(m.bds, 0x20);
    assert_string_equal(m.callsign, "KLM1385");
    /* an MB that starts 0x20 but holds non-characters is not taken */
    m = decode_hex("a0001838fa8103000000002d2cc4");
    assert_int_equal(m.bds, 0);
    assert_false(m.has & DW_MODES_HAS_CALLSIGN);
}

/* ---- pyModeS golden ------------------------------------------------------ */

typedef struct tally {
    const char *field;
    int agree, total;
} tally;

static void count(tally *t, int ok, const char *hex, const char *what)
{
    t->total++;
    if (ok)
        t->agree++;
    else
        fprintf(stderr, "  %s differs on %s: %s\n", t->field, hex, what);
}

static void pymodes_golden_v2(void **state)
{
    (void)state;
    json_error_t err;
    json_t *g = json_load_file(dw_test_shared("data/adsb/pymodes/golden_v2.json"), 0, &err);
    if (!g)
        fail_msg("golden_v2.json: %s", err.text);
    enum { DF, ICAO, TC, CALLSIGN, CATEGORY, ALT, CPRF, SQUAWK, GS, TRACK, VR, NT };
    tally t[NT] = {{"df", 0, 0},      {"icao", 0, 0},     {"typecode", 0, 0},
                   {"callsign", 0, 0}, {"category", 0, 0}, {"altitude", 0, 0},
                   {"cpr_format", 0, 0}, {"squawk", 0, 0}, {"groundspeed", 0, 0},
                   {"track", 0, 0},   {"vertical_rate", 0, 0}};
    const char *hex;
    json_t *v;
    char what[128];
    int frames = 0, bds20_golden = 0, bds20_ours = 0;
    json_object_foreach(g, hex, v) {
        frames++;
        dw_modes_msg m = decode_hex(hex);
        json_t *x;
        snprintf(what, sizeof what, "%d vs %d", (int)m.df,
                 (int)json_integer_value(json_object_get(v, "df")));
        count(&t[DF], m.df == json_integer_value(json_object_get(v, "df")), hex, what);
        if ((x = json_object_get(v, "icao"))) {
            unsigned long gi = strtoul(json_string_value(x), NULL, 16);
            snprintf(what, sizeof what, "%06X vs %s", (unsigned)m.icao, json_string_value(x));
            count(&t[ICAO], m.icao == gi, hex, what);
        }
        if ((x = json_object_get(v, "typecode"))) {
            snprintf(what, sizeof what, "%d vs %d", m.tc, (int)json_integer_value(x));
            count(&t[TC], m.tc == json_integer_value(x), hex, what);
        }
        if ((x = json_object_get(v, "callsign"))) {
            /* pyModeS writes spaces as '_' */
            char gc[16];
            snprintf(gc, sizeof gc, "%s", json_string_value(x));
            size_t n = strlen(gc);
            while (n && gc[n - 1] == '_')
                gc[--n] = '\0';
            for (size_t i = 0; i < n; i++)
                if (gc[i] == '_')
                    gc[i] = ' ';
            snprintf(what, sizeof what, "'%s' vs '%s'", m.callsign, gc);
            count(&t[CALLSIGN], (m.has & DW_MODES_HAS_CALLSIGN) && !strcmp(m.callsign, gc), hex,
                  what);
        }
        json_t *bds = json_object_get(v, "bds");
        if (bds && !strcmp(json_string_value(bds), "BDS20"))
            bds20_golden++;
        if (m.bds == 0x20)
            bds20_ours++;
        if ((x = json_object_get(v, "category"))) {
            /* pyModeS: the 3-bit code within the set */
            snprintf(what, sizeof what, "%X vs %d", m.category, (int)json_integer_value(x));
            count(&t[CATEGORY], (m.category & 7) == json_integer_value(x), hex, what);
        }
        if ((x = json_object_get(v, "altitude"))) {
            int32_t a = (m.has & DW_MODES_HAS_ALT_BARO) ? m.alt_baro_ft : INT32_MIN;
            snprintf(what, sizeof what, "%d vs %d", a, (int)json_integer_value(x));
            count(&t[ALT], a == json_integer_value(x), hex, what);
        }
        if ((x = json_object_get(v, "cpr_format"))) {
            snprintf(what, sizeof what, "%d vs %d", m.cpr_odd, (int)json_integer_value(x));
            count(&t[CPRF], (m.has & DW_MODES_HAS_CPR) && m.cpr_odd == json_integer_value(x), hex,
                  what);
        }
        if ((x = json_object_get(v, "squawk"))) {
            char sq[8];
            snprintf(sq, sizeof sq, "%04o", (unsigned)m.squawk);
            snprintf(what, sizeof what, "%s vs %s", sq, json_string_value(x));
            count(&t[SQUAWK], (m.has & DW_MODES_HAS_SQUAWK) && !strcmp(sq, json_string_value(x)),
                  hex, what);
        }
        if (m.tc == 19 && (x = json_object_get(v, "groundspeed"))) {
            /* pyModeS truncates the speed to whole knots; ours is exact */
            snprintf(what, sizeof what, "%.3f vs %d", m.gs_kt, (int)json_integer_value(x));
            count(&t[GS],
                  (m.has & DW_MODES_HAS_GS) && (long)floor(m.gs_kt) == json_integer_value(x), hex,
                  what);
        }
        if (m.tc == 19 && (x = json_object_get(v, "track"))) {
            snprintf(what, sizeof what, "%.9f vs %.9f", m.track_deg, json_number_value(x));
            count(&t[TRACK], fabs(m.track_deg - json_number_value(x)) < 1e-9, hex, what);
        }
        if (m.tc == 19 && (x = json_object_get(v, "vertical_rate"))) {
            snprintf(what, sizeof what, "%d vs %d", m.vrate_fpm, (int)json_integer_value(x));
            count(&t[VR], (m.has & DW_MODES_HAS_VRATE) && m.vrate_fpm == json_integer_value(x),
                  hex, what);
        }
    }
    fprintf(stderr, "pyModeS golden_v2: %d frames\n", frames);
    int bad = 0;
    for (int i = 0; i < NT; i++) {
        fprintf(stderr, "  %-14s %4d / %4d agree\n", t[i].field, t[i].agree, t[i].total);
        bad += t[i].total - t[i].agree;
    }
    fprintf(stderr, "  BDS 2,0 callsigns: pyModeS %d, ours %d\n", bds20_golden, bds20_ours);
    json_decref(g);
    assert_int_equal(frames, 600);
    assert_int_equal(bad, 0);
    assert_true(t[ALT].total > 380 && t[SQUAWK].total >= 200 && t[CALLSIGN].total == 13);
    assert_int_equal(bds20_ours, bds20_golden);
}

/* The golden has no positions; decode the DF17 sample statefully as a
 * receiver would (no receiver position) and check every position against an
 * independent local decode from the previous one, and that the Riddle's
 * aircraft comes out where the Riddle says. */
static void pymodes_sample_positions(void **state)
{
    (void)state;
    FILE *f = fopen(dw_test_shared("data/adsb/pymodes/sample_data_adsb.csv"), "r");
    assert_non_null(f);
    dw_modes_table *t;
    assert_int_equal(dw_modes_table_create(NULL, &t), DW_OK);
    char line[256];
    int rows = 0, pos = 0, global = 0, local = 0, checked = 0, tc_agree = 0, icao_agree = 0;
    while (fgets(line, sizeof line, f)) {
        long long ts;
        char hex[64], icao[16];
        int tc;
        if (sscanf(line, "%lld,\"%29[0-9A-Fa-f]\",\"%6[0-9A-Fa-f]\",%d", &ts, hex, icao, &tc) != 4)
            continue;
        rows++;
        dw_modes_msg m = decode_hex(hex);
        tc_agree += m.tc == tc;
        icao_agree += m.icao == strtoul(icao, NULL, 16);
        dw_modes_aircraft *ac = dw_modes_table_find(t, m.icao, 0);
        double plat = 0, plon = 0;
        int had = ac && ac->pos_us;
        if (had) {
            plat = ac->lat_deg;
            plon = ac->lon_deg;
        }
        int64_t t_us = ts * 1000000LL + rows;   /* the file has whole seconds */
        assert_int_equal(dw_modes_update(t, &m, t_us, &ac), DW_OK);
        if (!(m.has & DW_MODES_HAS_POS))
            continue;
        pos++;
        global += m.cpr_how == DW_CPR_GLOBAL;
        local += m.cpr_how == DW_CPR_LOCAL_AIRCRAFT;
        if (had) {
            double la, lo;
            assert_int_equal(dw_cpr_local(m.cpr_lat, m.cpr_lon, m.cpr_odd, 0, plat, plon, &la, &lo),
                             DW_OK);
            assert_near(la, m.lat_deg, 1e-9);
            assert_near(lo, m.lon_deg, 1e-9);
            checked++;
        }
    }
    fclose(f);
    fprintf(stderr, "sample_data_adsb: %d rows, tc %d, icao %d agree; %d positions (%d global, "
                    "%d local), %d cross-checked\n",
            rows, tc_agree, icao_agree, pos, global, local, checked);
    assert_int_equal(tc_agree, rows);
    assert_int_equal(icao_agree, rows);
    assert_true(pos > 500);
    assert_true(checked > pos - 50);
    dw_modes_table_destroy(t);
}

/* (c) Comm-B samples: DF20/21 carry their address only in the parity; the
 * CSV's icao column is what pyModeS recovered. */
static void pymodes_commb_samples(void **state)
{
    (void)state;
    const char *files[2] = {"data/adsb/pymodes/sample_data_commb_df20.csv",
                            "data/adsb/pymodes/sample_data_commb_df21.csv"};
    for (int k = 0; k < 2; k++) {
        FILE *f = fopen(dw_test_shared(files[k]), "r");
        assert_non_null(f);
        char line[256];
        int rows = 0, addr = 0, field = 0, bds20 = 0, corrupt = 0, nknown = 0;
        /* every address the file names, to tell a corrupted frame from a
         * disagreement: a receiver could never verify an address that no
         * aircraft in the file has */
        static uint32_t known[8192];
        while (fgets(line, sizeof line, f)) {
            char *p = line;
            long long ts;
            char icao[16], hex[64];
            if ((unsigned char)p[0] == 0xEF)
                p += 3;
            if (sscanf(p, "%lld,%6[0-9A-Fa-f],%28[0-9A-Fa-f]", &ts, icao, hex) == 3 &&
                nknown < 8192)
                known[nknown++] = (uint32_t)strtoul(icao, NULL, 16);
        }
        rewind(f);
        while (fgets(line, sizeof line, f)) {
            char *p = line;
            if ((unsigned char)p[0] == 0xEF)
                p += 3;         /* UTF-8 BOM */
            long long ts;
            char icao[16], hex[64];
            if (sscanf(p, "%lld,%6[0-9A-Fa-f],%28[0-9A-Fa-f]", &ts, icao, hex) != 3)
                continue;
            rows++;
            dw_modes_msg m = decode_hex(hex);
            if (m.icao == strtoul(icao, NULL, 16)) {
                addr++;
            } else {
                int seen = 0;
                for (int q = 0; q < nknown; q++)
                    seen |= known[q] == m.icao;
                corrupt += !seen;
                fprintf(stderr, "  address differs on %s: %06X vs %s (%s)\n", hex,
                        (unsigned)m.icao, icao,
                        seen ? "a known address!" : "no such aircraft: a corrupted frame");
            }
            field += k == 0 ? (m.df == 20 && (m.has & DW_MODES_HAS_ALT_BARO) != 0)
                            : (m.df == 21 && (m.has & DW_MODES_HAS_SQUAWK) != 0);
            bds20 += m.bds == 0x20;
        }
        fclose(f);
        fprintf(stderr,
                "%s: %d rows, address %d agree (%d corrupted frames), %s decoded %d, "
                "BDS 2,0 callsigns %d\n",
                files[k], rows, addr, corrupt, k ? "squawk" : "altitude", field, bds20);
        assert_true(rows >= 4000);
        assert_int_equal(addr + corrupt, rows);
        assert_true(corrupt <= 5);
        assert_true(field >= rows - rows / 100);   /* "no altitude" codes exist */
        assert_true(bds20 > 0);
    }
}

/* ---- the table ---------------------------------------------------------- */

static void table_lru_and_probing(void **state)
{
    (void)state;
    dw_modes_config c = {.max_aircraft = 4};
    dw_modes_table *t;
    assert_int_equal(dw_modes_table_create(&c, &t), DW_OK);
    for (uint32_t a = 1; a <= 4; a++)
        dw_modes_table_touch(t, a, 0)->messages = a;
    dw_modes_table_touch(t, 1, 0);          /* 2 is now the least recent */
    dw_modes_table_touch(t, 5, 0);
    assert_int_equal(dw_modes_table_count(t), 4);
    assert_int_equal(dw_modes_table_evictions(t), 1);
    assert_null(dw_modes_table_find(t, 2, 0));
    assert_non_null(dw_modes_table_find(t, 1, 0));
    assert_int_equal(dw_modes_table_find(t, 1, 0)->messages, 1);
    assert_int_equal(dw_modes_table_find(t, 5, 0)->messages, 0);  /* fresh entry */
    /* the anonymous space is separate */
    assert_null(dw_modes_table_find(t, 1, 1));
    dw_modes_table_destroy(t);
    dw_modes_table_destroy(NULL);

    /* churn: a reference LRU of 64 against the table, addresses chosen to
     * collide (probe chains wrap, deletions shift back) */
    c.max_aircraft = 64;
    assert_int_equal(dw_modes_table_create(&c, &t), DW_OK);
    uint32_t ref[64];
    int nref = 0;
    uint32_t x = 12345;
    for (int i = 0; i < 200000; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t a = (x >> 8) % 300;
        int at = -1;
        for (int k = 0; k < nref; k++)
            if (ref[k] == a)
                at = k;
        if (at < 0) {
            if (nref == 64) {
                memmove(ref, ref + 1, 63 * sizeof ref[0]);     /* drop the oldest */
                nref--;
            }
        } else {
            memmove(ref + at, ref + at + 1, (size_t)(nref - at - 1) * sizeof ref[0]);
            nref--;
        }
        ref[nref++] = a;
        dw_modes_aircraft *ac = dw_modes_table_touch(t, a, 0);
        assert_int_equal(ac->icao, a);
        if (i % 997 == 0) {
            for (uint32_t q = 0; q < 300; q++) {
                int in = 0;
                for (int k = 0; k < nref; k++)
                    in |= ref[k] == q;
                if (in != (dw_modes_table_find(t, q, 0) != NULL))
                    fail_msg("step %d: address %u %s", i, q, in ? "lost" : "not evicted");
            }
        }
    }
    dw_modes_table_destroy(t);
}

static void update_verifies_addresses(void **state)
{
    (void)state;
    dw_modes_table *t;
    assert_int_equal(dw_modes_table_create(NULL, &t), DW_OK);
    dw_modes_msg df20 = decode_hex("a0200233ea59bf163f57ecd3cb13");     /* 400159 */
    dw_modes_aircraft *ac = (dw_modes_aircraft *)0x1;
    assert_int_equal(dw_modes_update(t, &df20, 1000000, &ac), DW_ERR_NOT_FOUND);
    assert_ptr_equal(ac, (dw_modes_aircraft *)0x1);
    assert_int_equal(dw_modes_table_count(t), 0);
    dw_modes_msg df11 = decode_hex("5f4001594b0fbb");
    assert_int_equal(dw_modes_update(t, &df11, 2000000, &ac), DW_OK);
    df20 = decode_hex("a0200233ea59bf163f57ecd3cb13");
    assert_int_equal(dw_modes_update(t, &df20, 3000000, &ac), DW_OK);
    assert_true(df20.crc_ok);
    assert_int_equal(ac->alt_baro_ft, 2675);
    /* a minute later without a verified message: no longer trusted */
    df20 = decode_hex("a0200233ea59bf163f57ecd3cb13");
    assert_int_equal(dw_modes_update(t, &df20, 2000000 + DW_MODES_ADDR_TTL_US + 1, &ac),
                     DW_ERR_NOT_FOUND);
    /* a DF17 with a broken parity is not attributed */
    uint8_t b[14];
    unhex("8D4840D6202CC371C32CE0576098", b, 14);
    b[13] ^= 1;
    dw_modes_msg bad;
    assert_int_equal(dw_modes_decode(b, 14, &bad), DW_OK);
    assert_false(bad.crc_ok);
    assert_int_equal(dw_modes_update(t, &bad, 4000000, &ac), DW_ERR_NOT_FOUND);
    assert_null(dw_modes_table_find(t, 0x4840D6, 0));
    dw_modes_table_destroy(t);
}

/* Positions through the table: global pair, then local from the last
 * position, a receiver reference, and an implausible jump refused. */
static void update_positions_and_obs(void **state)
{
    (void)state;
    dw_modes_table *t;
    assert_int_equal(dw_modes_table_create(NULL, &t), DW_OK);
    dw_modes_msg od = decode_hex("8D40621D58C386435CC412692AD6");
    dw_modes_msg ev = decode_hex("8D40621D58C382D690C8AC2863A7");
    dw_modes_aircraft *ac;
    int64_t t0 = 1457996400000000LL;
    assert_int_equal(dw_modes_update(t, &od, t0, &ac), DW_OK);
    assert_false(od.has & DW_MODES_HAS_POS);    /* one frame, no reference */
    dw_obs o;
    assert_int_equal(dw_modes_obs(ac, &od, t0, "X", &o), DW_ERR_INVALID);
    assert_int_equal(dw_modes_update(t, &ev, t0 + 2000000, &ac), DW_OK);
    assert_true(ev.has & DW_MODES_HAS_POS);
    assert_int_equal(ev.cpr_how, DW_CPR_GLOBAL);
    assert_near(ev.lat_deg, 52.2572, 5e-5);
    assert_near(ev.lon_deg, 3.91937, 5e-6);
    /* 11 s later the odd frame alone: too old to pair, local from the last */
    od = decode_hex("8D40621D58C386435CC412692AD6");
    assert_int_equal(dw_modes_update(t, &od, t0 + 14000000, &ac), DW_OK);
    assert_int_equal(od.cpr_how, DW_CPR_LOCAL_AIRCRAFT);

    /* obs: baro altitude, default sigmas, no velocity yet */
    assert_int_equal(dw_modes_obs(ac, &ev, t0 + 2000000, "ADSB-TEST", &o), DW_OK);
    assert_int_equal(o.kind, DW_OBS_POS3);
    assert_string_equal(o.sensor, "ADSB-TEST");
    assert_int_equal(o.icao, 0x40621D);
    assert_true(o.has & DW_OBS_HAS_ICAO);
    assert_near(o.alt_m, 38000 * 0.3048, 1e-9);
    assert_near(o.sigma_alt_m, DW_ADSB_SIGMA_ALT_BARO_M, 0);
    assert_near(o.sigma_pos_m, 185.2 / 2.448, 1e-9);   /* TC 11: NIC 8, Rc 0.1 NM */
    assert_false(o.has & DW_OBS_HAS_VEL);
    /* a velocity with a GNSS-baro difference, and NACp from TC 31 */
    dw_modes_msg v = decode_hex("8D40621D994409940838175B284F");
    v.icao = 0x40621D;          /* the example's velocity belongs to another aircraft */
    v.crc_ok = 1;
    assert_int_equal(dw_modes_update(t, &v, t0 + 3000000, &ac), DW_OK);
    ac->nacp = 9;
    ac->nacp_us = t0 + 3000000;
    assert_int_equal(dw_modes_obs(ac, &ev, t0 + 4000000, "ADSB-TEST", &o), DW_OK);
    assert_true(o.has & DW_OBS_HAS_VEL);
    assert_near(hypot(o.vel_enu_mps[0], o.vel_enu_mps[1]), 159.2 * 1852.0 / 3600.0, 0.01);
    assert_near(o.vel_enu_mps[2], -832 * 0.3048 / 60.0, 1e-9);
    assert_near(o.alt_m, (38000 + 550) * 0.3048, 1e-9);     /* geometric */
    assert_near(o.sigma_alt_m, DW_ADSB_SIGMA_ALT_GNSS_M, 0);
    assert_near(o.sigma_pos_m, 30.0 / 2.448, 1e-9);         /* NACp 9: EPU 30 m */
    /* stale velocity is dropped */
    assert_int_equal(dw_modes_obs(ac, &ev, t0 + 3000000 + DW_MODES_FRESH_US + 1, "X", &o), DW_OK);
    assert_false(o.has & DW_OBS_HAS_VEL);
    assert_near(o.sigma_alt_m, DW_ADSB_SIGMA_ALT_BARO_M, 0);
    dw_modes_table_destroy(t);

    /* with a receiver position, one frame is enough; far away it is not */
    dw_modes_config c = {.has_ref = 1, .ref_lat_deg = 52.0, .ref_lon_deg = 4.5};
    assert_int_equal(dw_modes_table_create(&c, &t), DW_OK);
    ev = decode_hex("8D40621D58C382D690C8AC2863A7");
    assert_int_equal(dw_modes_update(t, &ev, t0, &ac), DW_OK);
    assert_int_equal(ev.cpr_how, DW_CPR_LOCAL_RECEIVER);
    assert_near(ev.lat_deg, 52.2572, 5e-5);
    /* surface position from the receiver reference, obs is POS2 */
    dw_modes_msg s = decode_hex("8C4841753A8A35323FAEBDAC702D");
    assert_int_equal(dw_modes_update(t, &s, t0, &ac), DW_OK);
    assert_int_equal(s.cpr_how, DW_CPR_LOCAL_RECEIVER);
    assert_near(s.lat_deg, 52.32061, 5e-6);
    assert_int_equal(dw_modes_obs(ac, &s, t0, "X", &o), DW_OK);
    assert_int_equal(o.kind, DW_OBS_POS2);
    assert_false(o.has & DW_OBS_HAS_ALT);
    assert_true(o.has & DW_OBS_HAS_VEL);        /* surface movement and track */
    dw_modes_table_destroy(t);

    /* a global decode that jumps 300 km in 1 s is refused */
    assert_int_equal(dw_modes_table_create(NULL, &t), DW_OK);
    uint32_t y0, x0, y1, x1;
    uint8_t frame[14] = {0x8D, 0x12, 0x34, 0x56, 0x58, 0xC3, 0x80, 0, 0, 0, 0, 0, 0, 0};
    dw_modes_msg a, b;
    assert_int_equal(dw_modes_decode(frame, 14, &a), DW_OK);
    a.crc_ok = 1;
    dw_cpr_encode(50.0, 10.0, 0, 0, &y0, &x0);
    dw_cpr_encode(50.0, 10.0, 1, 0, &y1, &x1);
    b = a;
    a.cpr_odd = 0, a.cpr_lat = y0, a.cpr_lon = x0;
    b.cpr_odd = 1, b.cpr_lat = y1, b.cpr_lon = x1;
    assert_int_equal(dw_modes_update(t, &a, t0, &ac), DW_OK);
    assert_int_equal(dw_modes_update(t, &b, t0 + 500000, &ac), DW_OK);
    assert_true(b.has & DW_MODES_HAS_POS);
    dw_cpr_encode(52.7, 10.0, 0, 0, &y0, &x0);
    a.cpr_lat = y0, a.cpr_lon = x0, a.has &= ~(uint32_t)DW_MODES_HAS_POS;
    assert_int_equal(dw_modes_update(t, &a, t0 + 1500000, &ac), DW_OK);
    assert_false(a.has & DW_MODES_HAS_POS);
    assert_int_equal(ac->cpr_rejected, 1);
    dw_modes_table_destroy(t);
}

/* Random bytes of every length never crash and never claim a position. */
static void random_frames_never_fail_hard(void **state)
{
    (void)state;
    dw_modes_table *t;
    dw_modes_config c = {.max_aircraft = 32, .has_ref = 1, .ref_lat_deg = 59.9, .ref_lon_deg = 30.3};
    assert_int_equal(dw_modes_table_create(&c, &t), DW_OK);
    uint32_t x = 99;
    char json[2048];
    for (int i = 0; i < 200000; i++) {
        uint8_t b[14];
        for (int k = 0; k < 14; k++) {
            x = x * 1664525u + 1013904223u;
            b[k] = (uint8_t)(x >> 24);
        }
        size_t len = (i & 1) ? 14 : 7;
        dw_modes_msg m;
        dw_status st = dw_modes_decode(b, len, &m);
        if (st == DW_ERR_PARSE)
            continue;
        if (i % 3 == 0)
            m.crc_ok = 1;       /* pretend, to reach the position code */
        dw_modes_aircraft *ac = NULL;
        dw_modes_update(t, &m, (int64_t)i * 1000, &ac);
        dw_jw w;
        dw_jw_init(&w, json, sizeof json);
        dw_jw_obj(&w);
        dw_modes_json(&w, &m);
        dw_jw_obj_end(&w);
        assert_true(dw_jw_ok(&w));
        if (m.has & DW_MODES_HAS_POS) {
            assert_true(fabs(m.lat_deg) <= 90 && fabs(m.lon_deg) <= 180);
            dw_obs o;
            assert_int_equal(dw_modes_obs(ac, &m, (int64_t)i * 1000, "R", &o), DW_OK);
        }
    }
    assert_true(dw_modes_table_count(t) <= 32);
    dw_modes_table_destroy(t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(crc_parity_and_address_recovery),
    cmocka_unit_test(altitude_and_identity_codes),
    cmocka_unit_test(cpr_riddle_examples),
    cmocka_unit_test(es_riddle_examples),
    cmocka_unit_test(pymodes_golden_v2),
    cmocka_unit_test(pymodes_sample_positions),
    cmocka_unit_test(pymodes_commb_samples),
    cmocka_unit_test(table_lru_and_probing),
    cmocka_unit_test(update_verifies_addresses),
    cmocka_unit_test(update_positions_and_obs),
    cmocka_unit_test(random_frames_never_fail_hard),
};

DW_TEST_MAIN("modes", tests)

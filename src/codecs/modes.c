/* modes.c — Mode S replies to fields, and the aircraft table that makes them
 * a receiver (include/dronewall/modes.h). Bit numbers in comments are the
 * 1-based numbers of ICAO Annex 10 (message bits) or Doc 9871 (ME bits).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/modes.h"

#define FT_M 0.3048
#define KT_MPS (1852.0 / 3600.0)
#define FPM_MPS (FT_M / 60.0)
#define DEG (M_PI / 180.0)
#define EARTH_R_M 6371008.8
#define NM_M 1852.0

/* ---- CRC-24 ------------------------------------------------------------- */

/* crc_table[i] is i<<16 shifted through eight steps of the generator
 * polynomial 0xFFF409 (x^24 term implicit): the byte-at-a-time form of the
 * bitwise division in Annex 10 §3.1.2.3.3. */
static const uint32_t crc_table[256] = {
    0x000000, 0xfff409, 0x001c1b, 0xffe812, 0x003836, 0xffcc3f, 0x00242d, 0xffd024,
    0x00706c, 0xff8465, 0x006c77, 0xff987e, 0x00485a, 0xffbc53, 0x005441, 0xffa048,
    0x00e0d8, 0xff14d1, 0x00fcc3, 0xff08ca, 0x00d8ee, 0xff2ce7, 0x00c4f5, 0xff30fc,
    0x0090b4, 0xff64bd, 0x008caf, 0xff78a6, 0x00a882, 0xff5c8b, 0x00b499, 0xff4090,
    0x01c1b0, 0xfe35b9, 0x01ddab, 0xfe29a2, 0x01f986, 0xfe0d8f, 0x01e59d, 0xfe1194,
    0x01b1dc, 0xfe45d5, 0x01adc7, 0xfe59ce, 0x0189ea, 0xfe7de3, 0x0195f1, 0xfe61f8,
    0x012168, 0xfed561, 0x013d73, 0xfec97a, 0x01195e, 0xfeed57, 0x010545, 0xfef14c,
    0x015104, 0xfea50d, 0x014d1f, 0xfeb916, 0x016932, 0xfe9d3b, 0x017529, 0xfe8120,
    0x038360, 0xfc7769, 0x039f7b, 0xfc6b72, 0x03bb56, 0xfc4f5f, 0x03a74d, 0xfc5344,
    0x03f30c, 0xfc0705, 0x03ef17, 0xfc1b1e, 0x03cb3a, 0xfc3f33, 0x03d721, 0xfc2328,
    0x0363b8, 0xfc97b1, 0x037fa3, 0xfc8baa, 0x035b8e, 0xfcaf87, 0x034795, 0xfcb39c,
    0x0313d4, 0xfce7dd, 0x030fcf, 0xfcfbc6, 0x032be2, 0xfcdfeb, 0x0337f9, 0xfcc3f0,
    0x0242d0, 0xfdb6d9, 0x025ecb, 0xfdaac2, 0x027ae6, 0xfd8eef, 0x0266fd, 0xfd92f4,
    0x0232bc, 0xfdc6b5, 0x022ea7, 0xfddaae, 0x020a8a, 0xfdfe83, 0x021691, 0xfde298,
    0x02a208, 0xfd5601, 0x02be13, 0xfd4a1a, 0x029a3e, 0xfd6e37, 0x028625, 0xfd722c,
    0x02d264, 0xfd266d, 0x02ce7f, 0xfd3a76, 0x02ea52, 0xfd1e5b, 0x02f649, 0xfd0240,
    0x0706c0, 0xf8f2c9, 0x071adb, 0xf8eed2, 0x073ef6, 0xf8caff, 0x0722ed, 0xf8d6e4,
    0x0776ac, 0xf882a5, 0x076ab7, 0xf89ebe, 0x074e9a, 0xf8ba93, 0x075281, 0xf8a688,
    0x07e618, 0xf81211, 0x07fa03, 0xf80e0a, 0x07de2e, 0xf82a27, 0x07c235, 0xf8363c,
    0x079674, 0xf8627d, 0x078a6f, 0xf87e66, 0x07ae42, 0xf85a4b, 0x07b259, 0xf84650,
    0x06c770, 0xf93379, 0x06db6b, 0xf92f62, 0x06ff46, 0xf90b4f, 0x06e35d, 0xf91754,
    0x06b71c, 0xf94315, 0x06ab07, 0xf95f0e, 0x068f2a, 0xf97b23, 0x069331, 0xf96738,
    0x0627a8, 0xf9d3a1, 0x063bb3, 0xf9cfba, 0x061f9e, 0xf9eb97, 0x060385, 0xf9f78c,
    0x0657c4, 0xf9a3cd, 0x064bdf, 0xf9bfd6, 0x066ff2, 0xf99bfb, 0x0673e9, 0xf987e0,
    0x0485a0, 0xfb71a9, 0x0499bb, 0xfb6db2, 0x04bd96, 0xfb499f, 0x04a18d, 0xfb5584,
    0x04f5cc, 0xfb01c5, 0x04e9d7, 0xfb1dde, 0x04cdfa, 0xfb39f3, 0x04d1e1, 0xfb25e8,
    0x046578, 0xfb9171, 0x047963, 0xfb8d6a, 0x045d4e, 0xfba947, 0x044155, 0xfbb55c,
    0x041514, 0xfbe11d, 0x04090f, 0xfbfd06, 0x042d22, 0xfbd92b, 0x043139, 0xfbc530,
    0x054410, 0xfab019, 0x05580b, 0xfaac02, 0x057c26, 0xfa882f, 0x05603d, 0xfa9434,
    0x05347c, 0xfac075, 0x052867, 0xfadc6e, 0x050c4a, 0xfaf843, 0x051051, 0xfae458,
    0x05a4c8, 0xfa50c1, 0x05b8d3, 0xfa4cda, 0x059cfe, 0xfa68f7, 0x0580e5, 0xfa74ec,
    0x05d4a4, 0xfa20ad, 0x05c8bf, 0xfa3cb6, 0x05ec92, 0xfa189b, 0x05f089, 0xfa0480,
};

uint32_t dw_modes_crc(const uint8_t *msg, size_t n)
{
    uint32_t crc = 0;
    for (size_t i = 0; i < n; i++)
        crc = ((crc << 8) ^ crc_table[((crc >> 16) ^ msg[i]) & 0xff]) & 0xffffff;
    return crc;
}

uint32_t dw_modes_syndrome(const uint8_t *msg, size_t len)
{
    if (len < 4)
        return 0xffffffffu;
    uint32_t tail = (uint32_t)msg[len - 3] << 16 | (uint32_t)msg[len - 2] << 8 | msg[len - 1];
    return dw_modes_crc(msg, len - 3) ^ tail;
}

/* ---- bits ----------------------------------------------------------------- */

/* Bits first..last (1-based, inclusive, at most 32 wide) of msg. */
static uint32_t bits(const uint8_t *msg, unsigned first, unsigned last)
{
    uint64_t v = 0;
    unsigned b0 = (first - 1) / 8, b1 = (last - 1) / 8;
    for (unsigned i = b0; i <= b1; i++)
        v = v << 8 | msg[i];
    unsigned drop = 7 - (last - 1) % 8;
    unsigned width = last - first + 1;
    return (uint32_t)((v >> drop) & ((1ull << width) - 1));
}

/* ME bits are message bits 33..88. */
static inline uint32_t me(const uint8_t *msg, unsigned first, unsigned last)
{
    return bits(msg, first + 32, last + 32);
}

/* ---- altitude and identity codes ----------------------------------------- */

dw_status dw_modes_gillham_ft(unsigned id13, int32_t *alt_ft)
{
    /* C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4, bit 12 first */
    unsigned c1 = id13 >> 12 & 1, a1 = id13 >> 11 & 1, c2 = id13 >> 10 & 1, a2 = id13 >> 9 & 1;
    unsigned c4 = id13 >> 8 & 1, a4 = id13 >> 7 & 1, b1 = id13 >> 5 & 1, d1 = id13 >> 4 & 1;
    unsigned b2 = id13 >> 3 & 1, d2 = id13 >> 2 & 1, b4 = id13 >> 1 & 1, d4 = id13 & 1;
    /* 500-ft steps: a reflected binary (Gray) code D1 D2 D4 A1 A2 A4 B1 B2 B4 */
    unsigned g = d1 << 8 | d2 << 7 | d4 << 6 | a1 << 5 | a2 << 4 | a4 << 3 | b1 << 2 | b2 << 1 | b4;
    unsigned n500 = g;
    for (unsigned s = 1; s < 16; s <<= 1)
        n500 ^= n500 >> s;
    /* 100-ft steps: five valid C1 C2 C4 patterns, counting up then down */
    int n100;
    switch (c1 << 2 | c2 << 1 | c4) {
    case 1: n100 = 1; break;
    case 3: n100 = 2; break;
    case 2: n100 = 3; break;
    case 6: n100 = 4; break;
    case 4: n100 = 5; break;
    default: return DW_ERR_RANGE;
    }
    if (n500 & 1)
        n100 = 6 - n100;
    *alt_ft = (int32_t)n500 * 500 + n100 * 100 - 1300;
    return DW_OK;
}

dw_status dw_modes_ac13_ft(unsigned ac13, int32_t *alt_ft)
{
    ac13 &= 0x1fff;
    if (ac13 == 0)
        return DW_ERR_RANGE;            /* altitude not available */
    if (ac13 & 0x40)
        return DW_ERR_RANGE;            /* M: metric units, not in use */
    if (ac13 & 0x10) {                  /* Q: 25 ft steps */
        unsigned n = (ac13 & 0x1f80) >> 2 | (ac13 & 0x20) >> 1 | (ac13 & 0x0f);
        *alt_ft = (int32_t)n * 25 - 1000;
        return DW_OK;
    }
    return dw_modes_gillham_ft(ac13, alt_ft);
}

dw_status dw_modes_ac12_ft(unsigned ac12, int32_t *alt_ft)
{
    ac12 &= 0xfff;
    return dw_modes_ac13_ft((ac12 & 0xfc0) << 1 | (ac12 & 0x3f), alt_ft);
}

uint16_t dw_modes_id13_squawk(unsigned id13)
{
    unsigned c1 = id13 >> 12 & 1, a1 = id13 >> 11 & 1, c2 = id13 >> 10 & 1, a2 = id13 >> 9 & 1;
    unsigned c4 = id13 >> 8 & 1, a4 = id13 >> 7 & 1, b1 = id13 >> 5 & 1, d1 = id13 >> 4 & 1;
    unsigned b2 = id13 >> 3 & 1, d2 = id13 >> 2 & 1, b4 = id13 >> 1 & 1, d4 = id13 & 1;
    unsigned a = a4 << 2 | a2 << 1 | a1, b = b4 << 2 | b2 << 1 | b1;
    unsigned c = c4 << 2 | c2 << 1 | c1, d = d4 << 2 | d2 << 1 | d1;
    return (uint16_t)(a << 9 | b << 6 | c << 3 | d);
}

/* ---- one message ---------------------------------------------------------- */

/* The 6-bit character set of identification (Annex 10 Vol IV Table 3-9):
 * '#' marks codes that are not characters. */
static const char ais_chars[65] =
    "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######";

/* Eight characters from 48 bits starting at message bit `first`; trailing
 * spaces dropped. Returns 0 if any code is not a character or all are
 * spaces, so a callsign is only reported "where clear". */
static int read_callsign(const uint8_t *msg, unsigned first, char out[DW_CALLSIGN_MAX])
{
    char s[DW_CALLSIGN_MAX];
    for (int i = 0; i < 8; i++) {
        char c = ais_chars[bits(msg, first + 6u * i, first + 6u * i + 5)];
        if (c == '#')
            return 0;
        s[i] = c;
    }
    int n = 8;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0)
        return 0;
    s[n] = '\0';
    memcpy(out, s, (size_t)n + 1);
    return 1;
}

/* NIC and its containment radius (m) from the type code, with supplement A
 * taken as 0 (it comes in TC 31, often not yet heard) and the position
 * message's own supplement B (DO-260B Table 2-14). Where a combination is
 * undefined the larger radius is used. */
static void nic_from_tc(int tc, int nic_b, uint8_t *nic, double *rc_m)
{
    static const struct { uint8_t nic; double rc; } t[23] = {
        [5] = {11, 7.5},      [6] = {10, 25.0},    [7] = {8, 185.2},    [8] = {0, 0.0},
        [9] = {11, 7.5},      [10] = {10, 25.0},   [11] = {8, 185.2},   [12] = {7, 370.4},
        [13] = {6, 926.0},    [14] = {5, 1852.0},  [15] = {4, 3704.0},  [16] = {2, 14816.0},
        [17] = {1, 37040.0},  [18] = {0, 0.0},     [20] = {11, 7.5},    [21] = {10, 25.0},
        [22] = {0, 0.0},
    };
    *nic = t[tc].nic;
    *rc_m = t[tc].rc;
    if (tc == 13 && nic_b)
        *rc_m = 555.6;                  /* 0.3 NM */
}

/* Surface movement, kt, from its non-linear 7-bit code (DO-260B Table
 * 2-21): the lower edge of each quantisation step. -1 for no information. */
static double surface_speed_kt(unsigned mov)
{
    if (mov == 0 || mov > 124)
        return -1.0;
    if (mov == 1)
        return 0.0;
    if (mov <= 8)
        return 0.125 * (mov - 1);
    if (mov <= 12)
        return 1.0 + 0.25 * (mov - 9);
    if (mov <= 38)
        return 2.0 + 0.5 * (mov - 13);
    if (mov <= 93)
        return 15.0 + (mov - 39);
    if (mov <= 108)
        return 70.0 + 2.0 * (mov - 94);
    if (mov <= 123)
        return 100.0 + 5.0 * (mov - 109);
    return 175.0;
}

static double norm_deg(double a)
{
    a = fmod(a, 360.0);
    return a < 0 ? a + 360.0 : a;
}

static void set_ground_from_fs(dw_modes_msg *m, unsigned fs)
{
    if (fs == 0 || fs == 2) {
        m->on_ground = 0;
        m->has |= DW_MODES_HAS_GROUND;
    } else if (fs == 1 || fs == 3) {
        m->on_ground = 1;
        m->has |= DW_MODES_HAS_GROUND;
    }
}

static void decode_velocity(const uint8_t *msg, dw_modes_msg *m)
{
    unsigned st = m->st;
    if (st >= 1 && st <= 2) {
        unsigned mult = st == 2 ? 4 : 1;
        unsigned vew = me(msg, 15, 24), vns = me(msg, 26, 35);
        if (vew && vns) {
            double e = (double)((vew - 1) * mult), n = (double)((vns - 1) * mult);
            if (me(msg, 14, 14))
                e = -e;
            if (me(msg, 25, 25))
                n = -n;
            m->gs_kt = sqrt(e * e + n * n);
            m->track_deg = norm_deg(atan2(e, n) / DEG);
            m->has |= DW_MODES_HAS_GS;
        }
    } else {
        unsigned mult = st == 4 ? 4 : 1;
        if (me(msg, 14, 14)) {
            m->heading_deg = me(msg, 15, 24) * (360.0 / 1024.0);
            m->has |= DW_MODES_HAS_HEADING;
        }
        unsigned as = me(msg, 26, 35);
        if (as) {
            m->airspeed_kt = (double)((as - 1) * mult);
            m->airspeed_true = (uint8_t)me(msg, 25, 25);
            m->has |= DW_MODES_HAS_AIRSPEED;
        }
    }
    unsigned vr = me(msg, 38, 46);
    if (vr) {
        int32_t v = (int32_t)(vr - 1) * 64;
        m->vrate_fpm = me(msg, 37, 37) ? -v : v;
        m->vrate_gnss = me(msg, 36, 36) == 0;
        m->has |= DW_MODES_HAS_VRATE;
    }
    unsigned da = me(msg, 50, 56);
    if (da) {
        int32_t d = (int32_t)(da - 1) * 25;
        m->gnss_baro_diff_ft = me(msg, 49, 49) ? -d : d;
        m->has |= DW_MODES_HAS_GNSS_DIFF;
    }
}

/* The ME field of an extended squitter. Returns 0 if the type code carries
 * nothing this module reads. */
static int decode_me(const uint8_t *msg, dw_modes_msg *m)
{
    unsigned tc = me(msg, 1, 5);
    m->tc = (uint8_t)tc;
    m->es = 1;
    if (tc >= 1 && tc <= 4) {
        m->category = (uint8_t)((0xE - tc) << 4 | me(msg, 6, 8));
        m->has |= DW_MODES_HAS_CATEGORY;
        if (read_callsign(msg, 32 + 9, m->callsign))
            m->has |= DW_MODES_HAS_CALLSIGN;
        return 1;
    }
    if ((tc >= 5 && tc <= 18) || (tc >= 20 && tc <= 22)) {
        int surface = tc <= 8;
        m->cpr_surface = (uint8_t)surface;
        m->cpr_odd = (uint8_t)me(msg, 22, 22);
        m->cpr_lat = me(msg, 23, 39);
        m->cpr_lon = me(msg, 40, 56);
        m->has |= DW_MODES_HAS_CPR;
        nic_from_tc((int)tc, surface ? 0 : (int)me(msg, 8, 8), &m->nic, &m->rc_m);
        m->has |= DW_MODES_HAS_NIC;
        if (surface) {
            m->on_ground = 1;
            m->has |= DW_MODES_HAS_GROUND;
            double kt = surface_speed_kt(me(msg, 6, 12));
            if (kt >= 0 && me(msg, 13, 13)) {
                m->gs_kt = kt;
                m->track_deg = me(msg, 14, 20) * (360.0 / 128.0);
                m->has |= DW_MODES_HAS_GS;
            }
        } else {
            m->on_ground = 0;
            m->has |= DW_MODES_HAS_GROUND;
            int32_t alt;
            /* TC 20-22 carry GNSS height in the same 12-bit code as the
             * barometric types (Doc 9871 §C.2.3.2.4; pyModeS reads metres) */
            if (dw_modes_ac12_ft(me(msg, 9, 20), &alt) == DW_OK) {
                if (tc >= 20) {
                    m->alt_gnss_ft = alt;
                    m->has |= DW_MODES_HAS_ALT_GNSS;
                } else {
                    m->alt_baro_ft = alt;
                    m->has |= DW_MODES_HAS_ALT_BARO;
                }
            }
        }
        return 1;
    }
    if (tc == 19) {
        m->st = (uint8_t)me(msg, 6, 8);
        if (m->st < 1 || m->st > 4)
            return 0;
        decode_velocity(msg, m);
        return 1;
    }
    if (tc == 28) {
        m->st = (uint8_t)me(msg, 6, 8);
        if (m->st != 1)
            return 0;
        m->emergency = (uint8_t)me(msg, 9, 11);
        m->has |= DW_MODES_HAS_EMERGENCY;
        unsigned id = me(msg, 12, 24);
        if (id) {
            m->squawk = dw_modes_id13_squawk(id);
            m->has |= DW_MODES_HAS_SQUAWK;
        }
        return 1;
    }
    if (tc == 29) {
        m->st = (uint8_t)me(msg, 6, 7);
        if (m->st != 1)
            return 0;
        m->nacp = (uint8_t)me(msg, 40, 43);
        m->has |= DW_MODES_HAS_NACP;
        return 1;
    }
    if (tc == 31) {
        m->st = (uint8_t)me(msg, 6, 8);
        if (m->st > 1)
            return 0;
        m->version = (uint8_t)me(msg, 41, 43);
        m->has |= DW_MODES_HAS_VERSION;
        if (m->version >= 1) {
            m->nacp = (uint8_t)me(msg, 45, 48);
            m->has |= DW_MODES_HAS_NACP;
        }
        return 1;
    }
    return 0;
}

dw_status dw_modes_decode(const uint8_t *msg, size_t len, dw_modes_msg *out)
{
    if (!msg || !out || (len != DW_MODES_SHORT_BYTES && len != DW_MODES_LONG_BYTES))
        return DW_ERR_PARSE;
    if (dw_modes_len(msg[0]) != len)
        return DW_ERR_PARSE;

    dw_modes_msg m;
    memset(&m, 0, sizeof m);
    memcpy(m.raw, msg, len);
    m.len = (uint8_t)len;
    unsigned df = msg[0] >> 3;
    m.df = (uint8_t)(df >= 24 ? 24 : df);
    m.syndrome = dw_modes_syndrome(msg, len);
    int known = 1;
    int32_t alt;

    switch (m.df) {
    case 0:
    case 16:
        m.ca = (uint8_t)bits(msg, 6, 6);
        m.on_ground = m.ca;
        m.has |= DW_MODES_HAS_GROUND;
        m.icao = m.syndrome;
        if (dw_modes_ac13_ft(bits(msg, 20, 32), &alt) == DW_OK) {
            m.alt_baro_ft = alt;
            m.has |= DW_MODES_HAS_ALT_BARO;
        }
        break;
    case 4:
    case 20:
        m.ca = (uint8_t)bits(msg, 6, 8);
        set_ground_from_fs(&m, m.ca);
        m.icao = m.syndrome;
        if (dw_modes_ac13_ft(bits(msg, 20, 32), &alt) == DW_OK) {
            m.alt_baro_ft = alt;
            m.has |= DW_MODES_HAS_ALT_BARO;
        }
        if (m.df == 20 && msg[4] == 0x20 && read_callsign(msg, 41, m.callsign)) {
            m.bds = 0x20;
            m.has |= DW_MODES_HAS_CALLSIGN;
        }
        break;
    case 5:
    case 21:
        m.ca = (uint8_t)bits(msg, 6, 8);
        set_ground_from_fs(&m, m.ca);
        m.icao = m.syndrome;
        m.squawk = dw_modes_id13_squawk(bits(msg, 20, 32));
        m.has |= DW_MODES_HAS_SQUAWK;
        if (m.df == 21 && msg[4] == 0x20 && read_callsign(msg, 41, m.callsign)) {
            m.bds = 0x20;
            m.has |= DW_MODES_HAS_CALLSIGN;
        }
        break;
    case 11:
        m.ca = (uint8_t)bits(msg, 6, 8);
        m.icao = bits(msg, 9, 32);
        /* the parity is overlaid with the interrogator code (II/SI) */
        m.crc_ok = (m.syndrome & 0xffff80u) == 0;
        if (m.ca == 4 || m.ca == 5) {
            m.on_ground = m.ca == 4;
            m.has |= DW_MODES_HAS_GROUND;
        }
        break;
    case 17:
    case 18:
        m.ca = (uint8_t)bits(msg, 6, 8);
        m.icao = bits(msg, 9, 32);
        m.crc_ok = m.syndrome == 0;
        if (m.df == 17) {
            if (m.ca == 4 || m.ca == 5) {
                m.on_ground = m.ca == 4;
                m.has |= DW_MODES_HAS_GROUND;
            }
            known = decode_me(msg, &m);
        } else {
            /* CF 0,1: ADS-B from non-transponder devices; 2,5: fine TIS-B;
             * 6: ADS-R — all with the DF17 ME layouts. 1 and 5 carry an
             * address that is not an ICAO one. 3,4,7: other layouts. */
            if (m.ca == 1 || m.ca == 5)
                m.non_icao = 1;
            if (m.ca == 3 || m.ca == 4 || m.ca == 7)
                known = 0;
            else
                known = decode_me(msg, &m);
        }
        break;
    default:
        known = 0;
        break;
    }
    *out = m;
    return known ? DW_OK : DW_ERR_UNSUPPORTED;
}

static const char *cpr_how_name(dw_cpr_how h)
{
    switch (h) {
    case DW_CPR_GLOBAL: return "global";
    case DW_CPR_LOCAL_AIRCRAFT: return "local_aircraft";
    case DW_CPR_LOCAL_RECEIVER: return "local_receiver";
    default: return "none";
    }
}

static void hex24(char out[8], uint32_t v, int tilde)
{
    static const char hx[] = "0123456789ABCDEF";
    int k = 0;
    if (tilde)
        out[k++] = '~';
    for (int i = 5; i >= 0; i--)
        out[k++] = hx[(v >> (4 * i)) & 0xf];
    out[k] = '\0';
}

static void squawk_str(char out[5], uint16_t sq)
{
    for (int i = 0; i < 4; i++)
        out[i] = (char)('0' + ((sq >> (3 * (3 - i))) & 7));
    out[4] = '\0';
}

void dw_modes_json(dw_jw *w, const dw_modes_msg *m)
{
    char buf[16];
    dw_jw_key(w, "hex");
    dw_jw_hex(w, m->raw, m->len);
    dw_jw_kint(w, "df", m->df);
    if (m->df == 0 || m->df == 4 || m->df == 5 || m->df == 11 || m->df == 16 || m->df == 17 ||
        m->df == 18 || m->df == 20 || m->df == 21) {
        hex24(buf, m->icao, m->non_icao);
        dw_jw_kstr(w, "icao", buf);
    }
    dw_jw_kbool(w, "crc_ok", m->crc_ok);
    switch (m->df) {
    case 0: case 16: dw_jw_kint(w, "vs", m->ca); break;
    case 4: case 5: case 20: case 21: dw_jw_kint(w, "fs", m->ca); break;
    case 11: case 17: dw_jw_kint(w, "ca", m->ca); break;
    case 18: dw_jw_kint(w, "cf", m->ca); break;
    default: break;
    }
    if (m->es) {
        dw_jw_kint(w, "tc", m->tc);
        if (m->tc == 19 || m->tc == 28 || m->tc == 29 || m->tc == 31)
            dw_jw_kint(w, "st", m->st);
    }
    if (m->has & DW_MODES_HAS_ALT_BARO)
        dw_jw_kint(w, "alt_baro_ft", m->alt_baro_ft);
    if (m->has & DW_MODES_HAS_ALT_GNSS)
        dw_jw_kint(w, "alt_gnss_ft", m->alt_gnss_ft);
    if (m->has & DW_MODES_HAS_SQUAWK) {
        squawk_str(buf, m->squawk);
        dw_jw_kstr(w, "squawk", buf);
    }
    if (m->has & DW_MODES_HAS_EMERGENCY)
        dw_jw_kint(w, "emergency", m->emergency);
    if (m->has & DW_MODES_HAS_CALLSIGN)
        dw_jw_kstr(w, "callsign", m->callsign);
    if (m->bds)
        dw_jw_kstr(w, "bds", "2,0");
    if (m->has & DW_MODES_HAS_CATEGORY) {
        snprintf(buf, sizeof buf, "%X", (unsigned)m->category);
        dw_jw_kstr(w, "category", buf);
    }
    if (m->has & DW_MODES_HAS_GROUND)
        dw_jw_kbool(w, "on_ground", m->on_ground);
    if (m->has & DW_MODES_HAS_CPR) {
        dw_jw_kbool(w, "surface", m->cpr_surface);
        dw_jw_kint(w, "cpr_odd", m->cpr_odd);
        dw_jw_kint(w, "cpr_lat", m->cpr_lat);
        dw_jw_kint(w, "cpr_lon", m->cpr_lon);
    }
    if (m->has & DW_MODES_HAS_NIC) {
        dw_jw_kint(w, "nic", m->nic);
        if (m->rc_m > 0)
            dw_jw_kdouble(w, "rc_m", m->rc_m);
    }
    if (m->has & DW_MODES_HAS_POS) {
        dw_jw_kdouble(w, "lat_deg", m->lat_deg);
        dw_jw_kdouble(w, "lon_deg", m->lon_deg);
        dw_jw_kstr(w, "cpr_decode", cpr_how_name(m->cpr_how));
    }
    if (m->has & DW_MODES_HAS_GS) {
        dw_jw_key(w, "gs_kt");
        dw_jw_double_prec(w, m->gs_kt, 10);
        dw_jw_key(w, "track_deg");
        dw_jw_double_prec(w, m->track_deg, 10);
    }
    if (m->has & DW_MODES_HAS_AIRSPEED) {
        dw_jw_kdouble(w, "airspeed_kt", m->airspeed_kt);
        dw_jw_kstr(w, "airspeed_type", m->airspeed_true ? "tas" : "ias");
    }
    if (m->has & DW_MODES_HAS_HEADING) {
        dw_jw_key(w, "heading_deg");
        dw_jw_double_prec(w, m->heading_deg, 10);
    }
    if (m->has & DW_MODES_HAS_VRATE) {
        dw_jw_kint(w, "vrate_fpm", m->vrate_fpm);
        dw_jw_kstr(w, "vrate_src", m->vrate_gnss ? "gnss" : "baro");
    }
    if (m->has & DW_MODES_HAS_GNSS_DIFF)
        dw_jw_kint(w, "gnss_baro_diff_ft", m->gnss_baro_diff_ft);
    if (m->has & DW_MODES_HAS_NACP)
        dw_jw_kint(w, "nacp", m->nacp);
    if (m->has & DW_MODES_HAS_VERSION)
        dw_jw_kint(w, "version", m->version);
}

/* ---- the aircraft table ------------------------------------------------- */

#define NIL 0xffffffffu

struct dw_modes_table {
    dw_modes_config cfg;
    uint32_t cap, count;
    uint32_t mask;              /* slots - 1 */
    uint32_t *slot;             /* entry index + 1; 0 empty */
    dw_modes_aircraft *ac;
    uint32_t *prev, *next;      /* LRU list over entries, head most recent */
    uint32_t head, tail;
    uint64_t evictions;
};

static inline uint32_t key_of(uint32_t icao, int non_icao)
{
    return (icao & 0xffffff) | (non_icao ? 0x1000000u : 0);
}

static inline uint32_t home(const dw_modes_table *t, uint32_t key)
{
    return (key * 0x9E3779B1u) >> 7 & t->mask;
}

dw_status dw_modes_table_create(const dw_modes_config *cfg, dw_modes_table **out)
{
    if (!out)
        return DW_ERR_INVALID;
    dw_modes_config c = {0};
    if (cfg)
        c = *cfg;
    if (c.max_aircraft == 0)
        c.max_aircraft = 1024;
    if (c.max_aircraft > (1u << 24))
        return DW_ERR_RANGE;
    if (c.max_range_m <= 0)
        c.max_range_m = 600e3;
    if (c.has_ref && (!(fabs(c.ref_lat_deg) <= 90.0) || !(fabs(c.ref_lon_deg) <= 180.0)))
        return DW_ERR_RANGE;
    uint32_t slots = 4;
    while (slots < 2 * c.max_aircraft)  /* load factor <= 1/2: short probes */
        slots <<= 1;
    dw_modes_table *t = calloc(1, sizeof *t);
    if (!t)
        return DW_ERR_NOMEM;
    t->cfg = c;
    t->cap = (uint32_t)c.max_aircraft;
    t->mask = slots - 1;
    t->slot = calloc(slots, sizeof *t->slot);
    t->ac = calloc(t->cap, sizeof *t->ac);
    t->prev = calloc(t->cap, sizeof *t->prev);
    t->next = calloc(t->cap, sizeof *t->next);
    if (!t->slot || !t->ac || !t->prev || !t->next) {
        dw_modes_table_destroy(t);
        return DW_ERR_NOMEM;
    }
    t->head = t->tail = NIL;
    *out = t;
    return DW_OK;
}

void dw_modes_table_destroy(dw_modes_table *t)
{
    if (!t)
        return;
    free(t->slot);
    free(t->ac);
    free(t->prev);
    free(t->next);
    free(t);
}

size_t dw_modes_table_count(const dw_modes_table *t) { return t ? t->count : 0; }
uint64_t dw_modes_table_evictions(const dw_modes_table *t) { return t ? t->evictions : 0; }

static uint32_t find_slot(const dw_modes_table *t, uint32_t key)
{
    for (uint32_t s = home(t, key);; s = (s + 1) & t->mask) {
        uint32_t e = t->slot[s];
        if (e == 0)
            return NIL;
        const dw_modes_aircraft *a = &t->ac[e - 1];
        if (key_of(a->icao, a->non_icao) == key)
            return s;
    }
}

dw_modes_aircraft *dw_modes_table_find(dw_modes_table *t, uint32_t icao, int non_icao)
{
    uint32_t s = find_slot(t, key_of(icao, non_icao));
    return s == NIL ? NULL : &t->ac[t->slot[s] - 1];
}

static void lru_unlink(dw_modes_table *t, uint32_t e)
{
    if (t->prev[e] != NIL)
        t->next[t->prev[e]] = t->next[e];
    else
        t->head = t->next[e];
    if (t->next[e] != NIL)
        t->prev[t->next[e]] = t->prev[e];
    else
        t->tail = t->prev[e];
}

static void lru_push_front(dw_modes_table *t, uint32_t e)
{
    t->prev[e] = NIL;
    t->next[e] = t->head;
    if (t->head != NIL)
        t->prev[t->head] = e;
    t->head = e;
    if (t->tail == NIL)
        t->tail = e;
}

/* Linear probing with backward-shift deletion, so no tombstones pile up in a
 * table that churns through aircraft for days. */
static void slot_remove(dw_modes_table *t, uint32_t s)
{
    uint32_t i = s;
    for (uint32_t j = (s + 1) & t->mask; t->slot[j]; j = (j + 1) & t->mask) {
        const dw_modes_aircraft *a = &t->ac[t->slot[j] - 1];
        uint32_t h = home(t, key_of(a->icao, a->non_icao));
        /* move j back to i unless its home lies cyclically in (i, j] */
        int stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
        if (!stays) {
            t->slot[i] = t->slot[j];
            i = j;
        }
    }
    t->slot[i] = 0;
}

dw_modes_aircraft *dw_modes_table_touch(dw_modes_table *t, uint32_t icao, int non_icao)
{
    uint32_t key = key_of(icao, non_icao);
    uint32_t s = find_slot(t, key);
    if (s != NIL) {
        uint32_t e = t->slot[s] - 1;
        if (t->head != e) {
            lru_unlink(t, e);
            lru_push_front(t, e);
        }
        return &t->ac[e];
    }
    uint32_t e;
    if (t->count < t->cap) {
        e = t->count++;
    } else {
        e = t->tail;
        const dw_modes_aircraft *old = &t->ac[e];
        slot_remove(t, find_slot(t, key_of(old->icao, old->non_icao)));
        lru_unlink(t, e);
        t->evictions++;
    }
    dw_modes_aircraft *a = &t->ac[e];
    memset(a, 0, sizeof *a);
    a->icao = icao & 0xffffff;
    a->non_icao = (uint8_t)(non_icao != 0);
    uint32_t h = home(t, key);
    while (t->slot[h])
        h = (h + 1) & t->mask;
    t->slot[h] = e + 1;
    lru_push_front(t, e);
    return a;
}

/* ---- positions ------------------------------------------------------------ */

static int64_t absdiff(int64_t a, int64_t b) { return a > b ? a - b : b - a; }

/* Great-circle distance: a plausibility gate, not a measurement. */
static double dist_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG, p2 = lat2 * DEG;
    double dp = p2 - p1, dl = (lon2 - lon1) * DEG;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    if (a > 1.0)
        a = 1.0;
    return 2 * EARTH_R_M * asin(sqrt(a));
}

/* Can the aircraft have moved from its last position to here by now? Mach 3
 * and a kilometre of slack are generous: a wrong CPR answer is off by tens
 * of kilometres or more. */
static int reachable(const dw_modes_aircraft *ac, double lat, double lon, int64_t t_us,
                     int surface)
{
    if (!ac->pos_us || absdiff(t_us, ac->pos_us) > DW_MODES_LOCAL_REF_US)
        return 1;
    double dt_s = (double)absdiff(t_us, ac->pos_us) / 1e6;
    double limit = 1000.0 + (surface ? 100.0 : 1000.0) * dt_s;
    return dist_m(ac->lat_deg, ac->lon_deg, lat, lon) <= limit;
}

static int have_recent_pos(const dw_modes_aircraft *ac, int64_t t_us)
{
    return ac->pos_us && absdiff(t_us, ac->pos_us) <= DW_MODES_LOCAL_REF_US;
}

static void decode_position(dw_modes_table *t, dw_modes_aircraft *ac, dw_modes_msg *m,
                            int64_t t_us)
{
    int odd = m->cpr_odd, surface = m->cpr_surface;
    dw_modes_cpr_frame *f = &ac->cpr[odd];
    f->lat = m->cpr_lat;
    f->lon = m->cpr_lon;
    f->t_us = t_us;
    f->valid = 1;
    f->surface = (uint8_t)surface;
    const dw_modes_cpr_frame *o = &ac->cpr[!odd];
    const dw_modes_cpr_frame *ev = odd ? o : f, *od = odd ? f : o;
    double lat = 0, lon = 0;
    dw_cpr_how how = DW_CPR_NONE;
    const dw_modes_config *c = &t->cfg;
    int recent = have_recent_pos(ac, t_us);

    int64_t pair_us = surface ? DW_MODES_CPR_PAIR_SURFACE_US : DW_MODES_CPR_PAIR_US;
    if (o->valid && o->surface == surface && absdiff(t_us, o->t_us) <= pair_us) {
        dw_status st;
        if (!surface) {
            st = dw_cpr_airborne_global(ev->lat, ev->lon, od->lat, od->lon, odd, &lat, &lon);
        } else if (recent || c->has_ref) {
            double rlat = recent ? ac->lat_deg : c->ref_lat_deg;
            double rlon = recent ? ac->lon_deg : c->ref_lon_deg;
            st = dw_cpr_surface_global(ev->lat, ev->lon, od->lat, od->lon, odd, rlat, rlon,
                                       &lat, &lon);
        } else {
            st = DW_ERR_NOT_FOUND;
        }
        if (st == DW_OK) {
            int ok = !c->has_ref ||
                     dist_m(c->ref_lat_deg, c->ref_lon_deg, lat, lon) <= c->max_range_m;
            if (ok && !reachable(ac, lat, lon, t_us, surface)) {
                /* Either this pair or the last position is wrong; forget the
                 * last position so the next pair decides. */
                ok = 0;
                ac->pos_us = 0;
                recent = 0;
            }
            if (ok)
                how = DW_CPR_GLOBAL;
            else
                ac->cpr_rejected++;
        }
    }
    if (how == DW_CPR_NONE && recent && ac->pos_surface == surface &&
        dw_cpr_local(f->lat, f->lon, odd, surface, ac->lat_deg, ac->lon_deg, &lat, &lon) ==
            DW_OK) {
        if (reachable(ac, lat, lon, t_us, surface))
            how = DW_CPR_LOCAL_AIRCRAFT;
        else
            ac->cpr_rejected++;
    }
    if (how == DW_CPR_NONE && c->has_ref &&
        dw_cpr_local(f->lat, f->lon, odd, surface, c->ref_lat_deg, c->ref_lon_deg, &lat, &lon) ==
            DW_OK) {
        double max_m = (surface ? 45.0 : 180.0) * NM_M;
        if (dist_m(c->ref_lat_deg, c->ref_lon_deg, lat, lon) <= max_m &&
            reachable(ac, lat, lon, t_us, surface))
            how = DW_CPR_LOCAL_RECEIVER;
        else
            ac->cpr_rejected++;
    }
    if (how == DW_CPR_NONE)
        return;
    ac->lat_deg = lat;
    ac->lon_deg = lon;
    ac->pos_us = t_us;
    ac->pos_surface = (uint8_t)surface;
    ac->pos_how = how;
    m->lat_deg = lat;
    m->lon_deg = lon;
    m->cpr_how = how;
    m->has |= DW_MODES_HAS_POS;
}

dw_status dw_modes_update(dw_modes_table *t, dw_modes_msg *m, int64_t t_us,
                          dw_modes_aircraft **out)
{
    if (!t || !m)
        return DW_ERR_INVALID;
    dw_modes_aircraft *ac;
    switch (m->df) {
    case 11:
    case 17:
    case 18:
        if (!m->crc_ok)
            return DW_ERR_NOT_FOUND;
        ac = dw_modes_table_touch(t, m->icao, m->non_icao);
        ac->verified_us = t_us;
        break;
    case 0:
    case 4:
    case 5:
    case 16:
    case 20:
    case 21:
        ac = dw_modes_table_find(t, m->icao, 0);
        if (!ac || !ac->verified_us || absdiff(t_us, ac->verified_us) > DW_MODES_ADDR_TTL_US)
            return DW_ERR_NOT_FOUND;
        m->crc_ok = 1;
        ac = dw_modes_table_touch(t, m->icao, 0);
        break;
    default:
        return DW_ERR_UNSUPPORTED;
    }
    ac->seen_us = t_us;
    ac->messages++;

    uint32_t h = m->has;
    if (h & DW_MODES_HAS_ALT_BARO) {
        ac->alt_baro_ft = m->alt_baro_ft;
        ac->alt_baro_us = t_us;
    }
    if (h & DW_MODES_HAS_ALT_GNSS) {
        ac->alt_gnss_ft = m->alt_gnss_ft;
        ac->alt_gnss_us = t_us;
    }
    if (h & DW_MODES_HAS_SQUAWK) {
        ac->squawk = m->squawk;
        ac->squawk_us = t_us;
    }
    if (h & DW_MODES_HAS_CALLSIGN) {
        memcpy(ac->callsign, m->callsign, sizeof ac->callsign);
        ac->callsign_us = t_us;
    }
    if (h & DW_MODES_HAS_CATEGORY) {
        ac->category = m->category;
        ac->category_us = t_us;
    }
    if (h & DW_MODES_HAS_GROUND) {
        ac->on_ground = m->on_ground;
        ac->ground_us = t_us;
    }
    if (h & DW_MODES_HAS_GS) {
        ac->gs_kt = m->gs_kt;
        ac->track_deg = m->track_deg;
        ac->gs_us = t_us;
        ac->vel_since_pos = 1;
    }
    if (h & DW_MODES_HAS_AIRSPEED) {
        ac->airspeed_kt = m->airspeed_kt;
        ac->airspeed_true = m->airspeed_true;
        ac->airspeed_us = t_us;
    }
    if (h & DW_MODES_HAS_HEADING)
        ac->heading_deg = m->heading_deg;
    if (h & DW_MODES_HAS_VRATE) {
        ac->vrate_fpm = m->vrate_fpm;
        ac->vrate_gnss = m->vrate_gnss;
        ac->vrate_us = t_us;
    }
    if (h & DW_MODES_HAS_GNSS_DIFF) {
        ac->gnss_baro_diff_ft = m->gnss_baro_diff_ft;
        ac->gnss_diff_us = t_us;
    }
    if (h & DW_MODES_HAS_NACP) {
        ac->nacp = m->nacp;
        ac->nacp_us = t_us;
    }
    if (h & DW_MODES_HAS_VERSION) {
        ac->version = m->version;
        ac->version_us = t_us;
    }
    if (h & DW_MODES_HAS_NIC) {
        ac->nic = m->nic;
        ac->rc_m = m->rc_m;
        ac->nic_us = t_us;
    }
    if (h & DW_MODES_HAS_CPR)
        decode_position(t, ac, m, t_us);
    if (out)
        *out = ac;
    return DW_OK;
}

/* ---- observations ------------------------------------------------------- */

/* 95% horizontal position bound (EPU) of each NACp (DO-260B Table 2-70). */
static const double nacp_epu_m[12] = {0, 18520, 7408, 3704, 1852, 926, 555.6, 185.2,
                                      92.6, 30, 10, 3};

/* The 95% radius of a circular Gaussian is 2.45 sigma. */
#define R95_TO_SIGMA (1.0 / 2.448)

dw_status dw_modes_obs(const dw_modes_aircraft *ac, const dw_modes_msg *m, int64_t t_us,
                       const char *sensor, dw_obs *o)
{
    if (!m || !o || !(m->has & DW_MODES_HAS_POS))
        return DW_ERR_INVALID;
    dw_obs r;
    dw_obs_init(&r, DW_OBS_POS3);
    r.t_us = t_us;
    if (sensor)
        snprintf(r.sensor, sizeof r.sensor, "%s", sensor);
    r.lat_deg = m->lat_deg;
    r.lon_deg = m->lon_deg;
    r.has |= DW_OBS_HAS_POS;
    if (!m->non_icao) {
        r.icao = m->icao;
        r.has |= DW_OBS_HAS_ICAO;
    }

    /* Height above the ellipsoid where the aircraft tells it (GNSS height,
     * or baro plus a fresh GNSS-baro difference); else pressure altitude,
     * flagged by its larger sigma. */
    if (m->cpr_surface) {
        r.kind = DW_OBS_POS2;
    } else if (m->has & DW_MODES_HAS_ALT_GNSS) {
        r.alt_m = m->alt_gnss_ft * FT_M;
        r.sigma_alt_m = DW_ADSB_SIGMA_ALT_GNSS_M;
        r.has |= DW_OBS_HAS_ALT;
    } else if (m->has & DW_MODES_HAS_ALT_BARO) {
        if (ac && ac->gnss_diff_us && absdiff(t_us, ac->gnss_diff_us) <= DW_MODES_FRESH_US) {
            r.alt_m = (m->alt_baro_ft + ac->gnss_baro_diff_ft) * FT_M;
            r.sigma_alt_m = DW_ADSB_SIGMA_ALT_GNSS_M;
        } else {
            r.alt_m = m->alt_baro_ft * FT_M;
            r.sigma_alt_m = DW_ADSB_SIGMA_ALT_BARO_M;
        }
        r.has |= DW_OBS_HAS_ALT;
    } else {
        r.kind = DW_OBS_POS2;
    }

    double sigma = DW_ADSB_SIGMA_POS_M;
    if (ac && ac->nacp_us && absdiff(t_us, ac->nacp_us) <= DW_MODES_QUALITY_TTL_US &&
        ac->nacp >= 1 && ac->nacp <= 11)
        sigma = nacp_epu_m[ac->nacp] * R95_TO_SIGMA;
    else if (m->rc_m > 0)
        sigma = m->rc_m * R95_TO_SIGMA;
    if (sigma < DW_ADSB_SIGMA_POS_MIN_M)
        sigma = DW_ADSB_SIGMA_POS_MIN_M;
    r.sigma_pos_m = sigma;

    if (ac) {
        if (ac->callsign_us) {
            memcpy(r.callsign, ac->callsign, sizeof r.callsign);
            r.has |= DW_OBS_HAS_CALLSIGN;
        }
        if (ac->squawk_us) {
            r.mode3a = ac->squawk;
            r.has |= DW_OBS_HAS_MODE3A;
        }
    }
    /* Ground velocity: the message's own (surface movement) or the aircraft's
     * last airborne velocity if fresh. Airspeed and heading are not ground
     * velocity (wind) and are not used. */
    double gs = -1, trk = 0;
    if (m->has & DW_MODES_HAS_GS) {
        gs = m->gs_kt;
        trk = m->track_deg;
    } else if (ac && ac->gs_us && absdiff(t_us, ac->gs_us) <= DW_MODES_FRESH_US &&
               !m->cpr_surface) {
        gs = ac->gs_kt;
        trk = ac->track_deg;
    }
    if (gs >= 0) {
        r.vel_enu_mps[0] = gs * KT_MPS * sin(trk * DEG);
        r.vel_enu_mps[1] = gs * KT_MPS * cos(trk * DEG);
        if (!m->cpr_surface && ac && ac->vrate_us && absdiff(t_us, ac->vrate_us) <= DW_MODES_FRESH_US)
            r.vel_enu_mps[2] = ac->vrate_fpm * FPM_MPS;
        r.has |= DW_OBS_HAS_VEL;
    }
    *o = r;
    return DW_OK;
}

/* ---- framings -------------------------------------------------------------- */

dw_status dw_beast_encode(int type, uint64_t ticks, uint8_t signal, const uint8_t *payload,
                          size_t len, uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    size_t want;
    switch (type) {
    case DW_BEAST_MODEAC: want = 2; break;
    case DW_BEAST_SHORT: want = 7; break;
    case DW_BEAST_LONG: want = 14; break;
    case DW_BEAST_STATUS: want = 14; break;
    default: return DW_ERR_INVALID;
    }
    if (len != want || !payload || !buf || !end || end < buf || !out_end)
        return DW_ERR_INVALID;
    uint8_t body[6 + 1 + 14];
    for (int i = 0; i < 6; i++)
        body[i] = (uint8_t)(ticks >> (8 * (5 - i)));
    body[6] = signal;
    memcpy(body + 7, payload, len);
    uint8_t *p = buf;
    if (end - p < 2)
        return DW_ERR_FULL;
    *p++ = 0x1a;
    *p++ = (uint8_t)type;
    for (size_t i = 0; i < 7 + len; i++) {
        size_t n = body[i] == 0x1a ? 2 : 1;
        if ((size_t)(end - p) < n)
            return DW_ERR_FULL;
        *p++ = body[i];
        if (n == 2)
            *p++ = 0x1a;
    }
    *out_end = p;
    return DW_OK;
}

dw_status dw_avr_encode(const uint8_t *msg, size_t len, int has_ticks, uint64_t ticks,
                        uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    static const char hx[] = "0123456789ABCDEF";
    if (!msg || (len != 2 && len != 7 && len != 14) || !buf || !end || end < buf || !out_end)
        return DW_ERR_INVALID;
    size_t need = 1 + (has_ticks ? 12 : 0) + 2 * len + 2;
    if ((size_t)(end - buf) < need)
        return DW_ERR_FULL;
    uint8_t *p = buf;
    *p++ = has_ticks ? '@' : '*';
    if (has_ticks)
        for (int i = 11; i >= 0; i--)
            *p++ = (uint8_t)hx[(ticks >> (4 * i)) & 0xf];
    for (size_t i = 0; i < len; i++) {
        *p++ = (uint8_t)hx[msg[i] >> 4];
        *p++ = (uint8_t)hx[msg[i] & 0xf];
    }
    *p++ = ';';
    *p++ = '\n';
    *out_end = p;
    return DW_OK;
}

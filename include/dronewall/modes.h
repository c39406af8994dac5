/* modes.h — Mode S and ADS-B (1090 MHz extended squitter) messages, whatever framed them.
 *
 * Beast, AVR and other receiver feeds carry raw 56- and 112-bit Mode S
 * replies; this module turns one reply into fields and keeps the per-aircraft
 * state a real receiver keeps, because half of what ADS-B says only makes
 * sense with history: a position is two CPR frames (or one and a reference),
 * a Mode S reply's address is only trustworthy once the aircraft has been
 * heard in a message with its own parity, a callsign arrives in one message
 * and a position in another.
 *
 * Three layers, each usable alone:
 *   - dw_modes_decode: one frame → dw_modes_msg (stateless: CRC, DF, address,
 *     ES type codes, altitude, identity, velocity, raw CPR, Comm-B BDS 2,0);
 *   - dw_cpr_*: Compact Position Reporting, global (even/odd pair) and local
 *     (one frame and a reference), airborne and surface;
 *   - dw_modes_table + dw_modes_update: a fixed-size aircraft table (open
 *     addressing, LRU eviction, no allocation after create) that verifies
 *     address/parity replies against aircraft already heard, keeps CPR frames
 *     and the last position per aircraft, and merges callsign, squawk,
 *     velocity and quality so an observation can carry them.
 * dw_modes_obs maps a decoded position and its aircraft to a dw_obs; the
 * Beast, AVR and SBS codecs are built on these.
 *
 * Sources: ICAO Annex 10 Vol IV and Doc 9871 / RTCA DO-260B as summarised in
 * public documents ("The 1090 MHz Riddle", mode-s.org). Nothing here reads the
 * clock: every time is passed in, microseconds since the Unix epoch.
 *
 * Ownership: dw_modes_msg and dw_obs are caller-allocated values. The table
 * owns its aircraft; pointers it returns stay valid until the next call that
 * may insert (dw_modes_update, dw_modes_table_touch) or dw_modes_table_destroy.
 */
#ifndef DRONEWALL_MODES_H
#define DRONEWALL_MODES_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/jsonw.h"
#include "dronewall/obs.h"
#include "dronewall/status.h"

#define DW_MODES_SHORT_BYTES 7      /* 56-bit replies: DF0-15  */
#define DW_MODES_LONG_BYTES 14      /* 112-bit replies: DF16-31 */

/* Observation defaults (docs/formats.md "Beast"): one-sigma errors when the
 * aircraft tells nothing better. Pressure altitude is not height above the
 * ellipsoid: with a non-standard atmosphere and the geoid they differ by
 * ~100 m at cruise, hence the large baro sigma. */
#define DW_ADSB_SIGMA_POS_M 100.0       /* no NACp and no NIC known            */
#define DW_ADSB_SIGMA_POS_MIN_M 5.0     /* CPR resolution and latency floor    */
#define DW_ADSB_SIGMA_ALT_BARO_M 150.0  /* alt_m is pressure altitude          */
#define DW_ADSB_SIGMA_ALT_GNSS_M 15.0   /* alt_m is GNSS height (HAE)          */

/* How long state stays usable, microseconds. */
#define DW_MODES_CPR_PAIR_US (10 * 1000000LL)      /* airborne even/odd pair     */
#define DW_MODES_CPR_PAIR_SURFACE_US (25 * 1000000LL)
#define DW_MODES_LOCAL_REF_US (60 * 1000000LL)     /* own last position as ref   */
#define DW_MODES_ADDR_TTL_US (60 * 1000000LL)      /* verified address, for AP   */
#define DW_MODES_FRESH_US (10 * 1000000LL)         /* velocity, GNSS-baro delta  */
#define DW_MODES_QUALITY_TTL_US (120 * 1000000LL)  /* NACp, version               */

/* ---- CRC-24 ------------------------------------------------------------ */

/* The Mode S CRC (generator 0x1FFF409) of n bytes. */
uint32_t dw_modes_crc(const uint8_t *msg, size_t n);
/* The syndrome of a whole reply: CRC of all but the last 3 bytes XOR those
 * bytes. 0 for a good DF17/18; the address for DF0/4/5/16/20/21; the
 * interrogator code (low 7 bits) for DF11. len is 7 or 14. */
uint32_t dw_modes_syndrome(const uint8_t *msg, size_t len);
/* The reply length the first byte announces: 7 for DF0-15, 14 for DF16-31. */
static inline size_t dw_modes_len(uint8_t first)
{
    return (first & 0x80) ? DW_MODES_LONG_BYTES : DW_MODES_SHORT_BYTES;
}

/* ---- altitude and identity codes --------------------------------------- */

/* The 13-bit AC field (DF0/4/16/20): DW_OK and *alt_ft for a Q-bit (25 ft) or
 * Gillham (100 ft) code; DW_ERR_RANGE for "no altitude", an invalid Gillham
 * code or the metric M-bit form. */
dw_status dw_modes_ac13_ft(unsigned ac13, int32_t *alt_ft);
/* The 12-bit altitude of ES airborne positions (the AC field without M). */
dw_status dw_modes_ac12_ft(unsigned ac12, int32_t *alt_ft);
/* Gillham (Mode C) code from the Mode A digit bits as the 13-bit ID layout
 * C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4; DW_ERR_RANGE if not a valid code. */
dw_status dw_modes_gillham_ft(unsigned id13, int32_t *alt_ft);
/* The 13-bit ID field (DF5/21) as the squawk's octal value (07700 for 7700). */
uint16_t dw_modes_id13_squawk(unsigned id13);

/* ---- one message ------------------------------------------------------- */

/* Bits of dw_modes_msg.has. */
enum {
    DW_MODES_HAS_ALT_BARO = 1u << 0,    /* alt_baro_ft                         */
    DW_MODES_HAS_ALT_GNSS = 1u << 1,    /* alt_gnss_ft, height above ellipsoid  */
    DW_MODES_HAS_SQUAWK = 1u << 2,      /* squawk                              */
    DW_MODES_HAS_CALLSIGN = 1u << 3,    /* callsign                            */
    DW_MODES_HAS_CATEGORY = 1u << 4,    /* category                            */
    DW_MODES_HAS_CPR = 1u << 5,         /* cpr_* of a position message         */
    DW_MODES_HAS_POS = 1u << 6,         /* lat/lon: set by dw_modes_update     */
    DW_MODES_HAS_GS = 1u << 7,          /* gs_kt and track_deg over ground     */
    DW_MODES_HAS_AIRSPEED = 1u << 8,    /* airspeed_kt (airspeed_true: TAS)     */
    DW_MODES_HAS_HEADING = 1u << 9,     /* heading_deg                         */
    DW_MODES_HAS_VRATE = 1u << 10,      /* vrate_fpm (vrate_gnss: its source)  */
    DW_MODES_HAS_GNSS_DIFF = 1u << 11,  /* gnss_baro_diff_ft                   */
    DW_MODES_HAS_GROUND = 1u << 12,     /* on_ground known                     */
    DW_MODES_HAS_NIC = 1u << 13,        /* nic, rc_m from the type code        */
    DW_MODES_HAS_NACP = 1u << 14,       /* nacp (TC 29, 31)                    */
    DW_MODES_HAS_VERSION = 1u << 15,    /* version (TC 31)                     */
    DW_MODES_HAS_EMERGENCY = 1u << 16,  /* emergency (TC 28)                   */
};

/* How a position was found (dw_modes_update). */
typedef enum dw_cpr_how {
    DW_CPR_NONE = 0,
    DW_CPR_GLOBAL,          /* even/odd pair                                 */
    DW_CPR_LOCAL_AIRCRAFT,  /* one frame, the aircraft's last position as ref */
    DW_CPR_LOCAL_RECEIVER,  /* one frame, the receiver's position as ref     */
} dw_cpr_how;

typedef struct dw_modes_msg {
    uint8_t raw[DW_MODES_LONG_BYTES];
    uint8_t len;            /* 7 or 14 */
    uint8_t df;             /* downlink format 0..31 (DF24 family as 24)     */
    uint8_t ca;             /* DF11/17: CA; DF18: CF; DF4/5/20/21: FS; DF0/16: VS */
    uint8_t tc, st;         /* ES type code and subtype; 0 when not ES       */
    uint8_t crc_ok;         /* DF11/17/18: parity good; AP formats: address
                               verified against the table (dw_modes_update)   */
    uint8_t non_icao;       /* DF18 with a non-ICAO (anonymous, TIS-B) address */
    uint8_t es;             /* an extended squitter whose ME field was read  */
    uint32_t icao;          /* AA, or recovered from AP                      */
    uint32_t syndrome;      /* see dw_modes_syndrome                         */
    uint32_t has;           /* DW_MODES_HAS_* */

    int32_t alt_baro_ft, alt_gnss_ft;
    uint16_t squawk;        /* octal value */
    char callsign[DW_CALLSIGN_MAX]; /* trailing spaces removed                 */
    uint8_t category;       /* emitter category as set<<4 | code: 0xA3 = "A3" */
    uint8_t emergency;      /* TC 28 emergency state 0..7                   */

    uint8_t cpr_odd, cpr_surface;
    uint32_t cpr_lat, cpr_lon;  /* 17-bit CPR values */
    uint8_t nic;            /* from the type code (supplement A taken as 0)   */
    double rc_m;            /* containment radius the NIC stands for; 0 unknown */
    uint8_t nacp, version, on_ground;

    double gs_kt, track_deg;
    double airspeed_kt, heading_deg;
    uint8_t airspeed_true;
    int32_t vrate_fpm;
    uint8_t vrate_gnss;
    int32_t gnss_baro_diff_ft;  /* GNSS height minus baro altitude          */
    uint8_t bds;            /* 0x20 when a Comm-B MB was read as BDS 2,0     */

    double lat_deg, lon_deg;    /* with DW_MODES_HAS_POS */
    dw_cpr_how cpr_how;
} dw_modes_msg;

/* Decode one reply of len bytes (7 or 14, matching its DF). DW_ERR_PARSE for
 * a wrong length; DW_ERR_UNSUPPORTED for a DF this module does not read (df,
 * icao 0 and raw are still set). Fields are decoded whatever the parity:
 * check crc_ok (DF11/17/18) or call dw_modes_update before trusting them.
 * *out is written on DW_OK and DW_ERR_UNSUPPORTED. */
dw_status dw_modes_decode(const uint8_t *msg, size_t len, dw_modes_msg *out);

/* The DF-specific text for raw JSON: the members "hex", "df", "icao",
 * "crc_ok", and every decoded field (docs/formats.md "Beast"), appended to
 * an object the caller opened. */
void dw_modes_json(dw_jw *w, const dw_modes_msg *m);

/* ---- CPR ---------------------------------------------------------------- */

/* Number of longitude zones at a latitude (NZ = 15). */
int dw_cpr_nl(double lat_deg);
/* Global airborne decode of an even (lat0, lon0) and odd (lat1, lon1) frame;
 * the result is the position of the odd frame when latest_odd, else the even.
 * DW_ERR_RANGE when the frames straddle a latitude zone boundary. */
dw_status dw_cpr_airborne_global(uint32_t lat0, uint32_t lon0, uint32_t lat1, uint32_t lon1,
                                 int latest_odd, double *lat_deg, double *lon_deg);
/* Global surface decode: as above, the four-fold ambiguity resolved by the
 * reference (the receiver, or a recent position) nearest to the answer. */
dw_status dw_cpr_surface_global(uint32_t lat0, uint32_t lon0, uint32_t lat1, uint32_t lon1,
                                int latest_odd, double ref_lat_deg, double ref_lon_deg,
                                double *lat_deg, double *lon_deg);
/* Local decode of one frame near a reference: right if the reference is
 * within 180 NM (airborne) or 45 NM (surface) of the aircraft. */
dw_status dw_cpr_local(uint32_t lat_cpr, uint32_t lon_cpr, int odd, int surface,
                       double ref_lat_deg, double ref_lon_deg, double *lat_deg,
                       double *lon_deg);
/* The reverse: the 17-bit CPR values of a position (for encoders, tests). */
void dw_cpr_encode(double lat_deg, double lon_deg, int odd, int surface, uint32_t *lat_cpr,
                   uint32_t *lon_cpr);

/* ---- the aircraft table ------------------------------------------------ */

typedef struct dw_modes_cpr_frame {
    uint32_t lat, lon;
    int64_t t_us;
    uint8_t valid, surface;
} dw_modes_cpr_frame;

/* What is known of one aircraft. Every field has the time it was last set
 * (0: never); the table decides freshness with the DW_MODES_*_US limits. */
typedef struct dw_modes_aircraft {
    uint32_t icao;
    uint8_t non_icao;
    int64_t seen_us;            /* any message                               */
    int64_t verified_us;        /* a message with its own parity (DF11/17/18) */
    uint64_t messages;

    char callsign[DW_CALLSIGN_MAX]; int64_t callsign_us;
    uint8_t category;           int64_t category_us;
    uint16_t squawk;            int64_t squawk_us;
    int32_t alt_baro_ft;        int64_t alt_baro_us;
    int32_t alt_gnss_ft;        int64_t alt_gnss_us;
    int32_t gnss_baro_diff_ft;  int64_t gnss_diff_us;
    double gs_kt, track_deg;    int64_t gs_us;
    double airspeed_kt, heading_deg; uint8_t airspeed_true; int64_t airspeed_us;
    int32_t vrate_fpm;          uint8_t vrate_gnss; int64_t vrate_us;
    uint8_t on_ground;          int64_t ground_us;
    uint8_t nacp;               int64_t nacp_us;
    uint8_t version;            int64_t version_us;
    uint8_t nic; double rc_m;   int64_t nic_us;

    dw_modes_cpr_frame cpr[2];  /* [0] even, [1] odd */
    double lat_deg, lon_deg;    int64_t pos_us;
    uint8_t pos_surface;
    dw_cpr_how pos_how;
    uint32_t cpr_rejected;      /* decodes refused as implausible             */

    uint8_t vel_since_pos;      /* velocity arrived after the last position (SBS) */
} dw_modes_aircraft;

typedef struct dw_modes_config {
    size_t max_aircraft;        /* 0: 1024 (a receiver hears a few hundred at once) */
    int has_ref;                /* receiver position known */
    double ref_lat_deg, ref_lon_deg;
    double max_range_m;         /* global decodes farther from the receiver are
                                   refused; 0: 600 km */
} dw_modes_config;

typedef struct dw_modes_table dw_modes_table;

/* Allocates everything the table will ever use. cfg may be NULL (defaults).
 * The caller destroys it with dw_modes_table_destroy. */
dw_status dw_modes_table_create(const dw_modes_config *cfg, dw_modes_table **out);
void dw_modes_table_destroy(dw_modes_table *t);   /* NULL is fine */

/* The aircraft with this address (non_icao selects the DF18 anonymous
 * space), or NULL. Does not change the LRU order. */
dw_modes_aircraft *dw_modes_table_find(dw_modes_table *t, uint32_t icao, int non_icao);
/* Find or insert, evicting the least recently touched aircraft when full;
 * makes it the most recent. Never NULL. */
dw_modes_aircraft *dw_modes_table_touch(dw_modes_table *t, uint32_t icao, int non_icao);
size_t dw_modes_table_count(const dw_modes_table *t);
uint64_t dw_modes_table_evictions(const dw_modes_table *t);

/* Attribute a decoded message received at t_us to its aircraft, merge its
 * fields, and decode its position (m->has gains DW_MODES_HAS_POS, m->lat_deg,
 * m->lon_deg, m->cpr_how). DW_OK with *ac (may be NULL) on success;
 * DW_ERR_NOT_FOUND when the address cannot be trusted: a failed parity, or an
 * address/parity reply from an aircraft not verified within
 * DW_MODES_ADDR_TTL_US (m->crc_ok stays 0, nothing is merged);
 * DW_ERR_UNSUPPORTED for DFs that carry no address. */
dw_status dw_modes_update(dw_modes_table *t, dw_modes_msg *m, int64_t t_us,
                          dw_modes_aircraft **ac);

/* ---- observations ----------------------------------------------------- */

/* The observation of a decoded position m (DW_MODES_HAS_POS) of aircraft ac
 * at t_us: POS3, or POS2 on the surface or without altitude; ICAO, callsign
 * and squawk when known, velocity when fresh, sigmas from NACp/NIC
 * (docs/formats.md "Beast"). DW_ERR_INVALID when m has no position. */
dw_status dw_modes_obs(const dw_modes_aircraft *ac, const dw_modes_msg *m, int64_t t_us,
                       const char *sensor, dw_obs *o);

/* ---- framings ---------------------------------------------------------- */

enum {
    DW_BEAST_MODEAC = '1',      /* 2 bytes                   */
    DW_BEAST_SHORT = '2',       /* 7 bytes                   */
    DW_BEAST_LONG = '3',        /* 14 bytes                  */
    DW_BEAST_STATUS = '4',      /* 14 bytes, skipped         */
};
/* The 12 MHz timestamp dump1090 puts on frames it synthesised from MLAT. */
#define DW_BEAST_MLAT_MAGIC 0xFF004D4C4154ull

/* One Beast frame: 0x1a, type, 48-bit timestamp, signal, payload, with every
 * 0x1a after the first doubled. Into [buf, end); *out_end on DW_OK;
 * DW_ERR_FULL when it does not fit; DW_ERR_INVALID for a bad type/length. */
dw_status dw_beast_encode(int type, uint64_t ticks, uint8_t signal, const uint8_t *payload,
                          size_t len, uint8_t *buf, uint8_t *end, uint8_t **out_end);
/* One AVR line, "*HEX;\n", or "@TTTTTTTTTTTTHEX;\n" with a timestamp when
 * has_ticks. */
dw_status dw_avr_encode(const uint8_t *msg, size_t len, int has_ticks, uint64_t ticks,
                        uint8_t *buf, uint8_t *end, uint8_t **out_end);

#endif

/* obs.h — dw_obs: one observation from one sensor at one time.
 *
 * The tracker sees observations, never wire formats: every codec decodes to
 * this struct and the native NDJSON form (docs/formats.md) maps one to one to
 * it. Which optional fields are meaningful is said by `has`, a mask of
 * DW_OBS_HAS_* bits, in the way a decoder reports what it set. Angles are
 * radians in memory and degrees on the wire; names carry the unit.
 * A dw_obs is a plain value: it owns no memory and may be copied freely.
 */
#ifndef DRONEWALL_OBS_H
#define DRONEWALL_OBS_H

#include <stdint.h>

#define DW_ID_MAX 48        /* sensor and track identifiers, NUL included: a UUID fits */
#define DW_CALLSIGN_MAX 9   /* 8 characters + NUL */
#define DW_RID_MAX 21       /* ANSI/CTA-2063-A serial: 20 characters + NUL */

/* Measurement kinds (DESIGN.md §2). The string is the NDJSON `kind`. */
#define DW_OBS_KINDS(X)                                                     \
    X(DW_OBS_POS3, "POS3")     /* lat/lon/alt + 3x3 ENU covariance */       \
    X(DW_OBS_POS2, "POS2")     /* lat/lon (+ 2x2 EN covariance) */          \
    X(DW_OBS_POLAR, "POLAR")   /* range, azimuth, elevation, range-rate */  \
    X(DW_OBS_BEARING, "BEARING") /* azimuth (+ elevation) */                \
    X(DW_OBS_CELL, "CELL")     /* detection only: "something is here" */

typedef enum dw_obs_kind {
#define DW_OBS_KIND_ENUM(e, s) e,
    DW_OBS_KINDS(DW_OBS_KIND_ENUM)
#undef DW_OBS_KIND_ENUM
    DW_OBS_NKINDS
} dw_obs_kind;

/* Target classes (DESIGN.md §2). The string is the NDJSON `class`. */
#define DW_CLASSES(X)                                                       \
    X(DW_CLASS_UNKNOWN, "unknown")                                          \
    X(DW_CLASS_OWA_DRONE, "owa_drone")                                      \
    X(DW_CLASS_DECOY, "decoy")                                              \
    X(DW_CLASS_QUADCOPTER, "quadcopter")                                    \
    X(DW_CLASS_HELICOPTER, "helicopter")                                    \
    X(DW_CLASS_AIRLINER, "airliner")                                        \
    X(DW_CLASS_LIGHT_AIRCRAFT, "light_aircraft")                            \
    X(DW_CLASS_FIGHTER, "fighter")                                          \
    X(DW_CLASS_BIRD, "bird")

typedef enum dw_class {
#define DW_CLASS_ENUM(e, s) e,
    DW_CLASSES(DW_CLASS_ENUM)
#undef DW_CLASS_ENUM
    DW_NCLASSES
} dw_class;

/* Bits of dw_obs.has: which optional fields were set. */
enum {
    DW_OBS_HAS_ALT = 1u << 0,       /* alt_m (POS2 may lack it)          */
    DW_OBS_HAS_COV = 1u << 1,       /* cov_enu (else sigma_* are used)   */
    DW_OBS_HAS_EL = 1u << 2,        /* el_rad (POLAR, BEARING)           */
    DW_OBS_HAS_RR = 1u << 3,        /* range_rate_mps (POLAR)            */
    DW_OBS_HAS_ICAO = 1u << 4,
    DW_OBS_HAS_MODE3A = 1u << 5,
    DW_OBS_HAS_CALLSIGN = 1u << 6,
    DW_OBS_HAS_RID = 1u << 7,
    DW_OBS_HAS_AMPLITUDE = 1u << 8, /* amplitude_db                      */
    DW_OBS_HAS_RCS = 1u << 9,       /* rcs_m2                            */
    DW_OBS_HAS_CLASS = 1u << 10,    /* class_score[] from the sensor     */
    DW_OBS_HAS_VEL = 1u << 11,      /* vel_enu_mps (ADS-B, partner)      */
    DW_OBS_HAS_RANGE = 1u << 12,    /* CELL: radius_m of the footprint   */
    DW_OBS_HAS_POS = 1u << 13,      /* lat_deg/lon_deg: always with POS3 and
                                       POS2; CELL: the footprint's centre */
    DW_OBS_HAS_PTRACK = 1u << 14,   /* partner_track                     */
};

typedef struct dw_obs {
    int64_t t_us;                   /* time of the measurement, UTC µs  */
    char sensor[DW_ID_MAX];         /* the sensor's id                   */
    uint32_t sensor_idx;            /* index in the run's sensor table   */
    dw_obs_kind kind;
    uint32_t has;                   /* DW_OBS_HAS_* */

    /* POS3 / POS2; CELL: the footprint's centre when not the site. */
    double lat_deg, lon_deg, alt_m;
    double cov_enu[3][3];           /* m², local east-north-up            */

    /* POLAR / BEARING, from the sensor's site. */
    double range_m, az_rad, el_rad, range_rate_mps;

    /* One-sigma errors where no full covariance is given. */
    double sigma_pos_m, sigma_alt_m;
    double sigma_range_m, sigma_az_rad, sigma_el_rad, sigma_rr_mps;

    double vel_enu_mps[3];          /* when DW_OBS_HAS_VEL               */
    double radius_m;                /* CELL footprint radius             */

    /* Identity and attributes. */
    uint32_t icao;                  /* 24-bit ICAO address               */
    uint16_t mode3a;                /* octal squawk as its integer value */
    char callsign[DW_CALLSIGN_MAX];
    char rid[DW_RID_MAX];
    double amplitude_db, rcs_m2;
    float class_score[DW_NCLASSES];
    /* A partner's report (a sensor of kind partner): the partner's own number of the
     * track, so that its reports keep to one track of ours (federation, fed.h). */
    uint64_t partner_track;
} dw_obs;

const char *dw_obs_kind_name(dw_obs_kind k);
/* Returns 0 and sets *out, or -1 if `s` names no kind. */
int dw_obs_kind_parse(const char *s, dw_obs_kind *out);

const char *dw_class_name(dw_class c);
int dw_class_parse(const char *s, dw_class *out);

/* Zero everything and set the kind; the starting point for every decoder. */
void dw_obs_init(dw_obs *o, dw_obs_kind kind);

#endif

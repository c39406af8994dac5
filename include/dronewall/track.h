/* track.h — dw_track: the engine's published picture of one object.
 *
 * This is the value the tracker hands downstream (assessment, publishing,
 * NDJSON); the tracker's internal filter state lives in track/ and is not
 * part of it. Positions are WGS-84 geodetic, velocity is local ENU. Every
 * field group carries its validity (source, updated, stale) as dump1090 does,
 * so a consumer can tell a fresh ADS-B callsign from an hour-old one.
 * A dw_track is a plain value: it owns no memory.
 */
#ifndef DRONEWALL_TRACK_H
#define DRONEWALL_TRACK_H

#include <stdint.h>

#include "dronewall/obs.h"

#define DW_TRACK_STATUSES(X)                                                \
    X(DW_TRACK_TENTATIVE, "tentative")                                      \
    X(DW_TRACK_CONFIRMED, "confirmed")                                      \
    X(DW_TRACK_COASTING, "coasting")                                        \
    X(DW_TRACK_DEAD, "dead")

typedef enum dw_track_status {
#define DW_TRACK_STATUS_ENUM(e, s) e,
    DW_TRACK_STATUSES(DW_TRACK_STATUS_ENUM)
#undef DW_TRACK_STATUS_ENUM
    DW_TRACK_NSTATUS
} dw_track_status;

/* STANAG 1241 standard identities. */
#define DW_AFFILIATIONS(X)                                                  \
    X(DW_AFF_PENDING, "pending")                                            \
    X(DW_AFF_UNKNOWN, "unknown")                                            \
    X(DW_AFF_ASSUMED_FRIEND, "assumed_friend")                              \
    X(DW_AFF_FRIEND, "friend")                                              \
    X(DW_AFF_NEUTRAL, "neutral")                                            \
    X(DW_AFF_SUSPECT, "suspect")                                            \
    X(DW_AFF_HOSTILE, "hostile")

typedef enum dw_affiliation {
#define DW_AFF_ENUM(e, s) e,
    DW_AFFILIATIONS(DW_AFF_ENUM)
#undef DW_AFF_ENUM
    DW_NAFFILIATIONS
} dw_affiliation;

/* Where a field's value came from. */
typedef enum dw_source {
    DW_SRC_NONE = 0,
    DW_SRC_RADAR,
    DW_SRC_ADSB,
    DW_SRC_REMOTE_ID,
    DW_SRC_PASSIVE,     /* acoustic, RF, EO bearings */
    DW_SRC_CITIZEN,
    DW_SRC_PARTNER,
    DW_SRC_OPERATOR,
    DW_SRC_ESTIMATED    /* the tracker's own inference */
} dw_source;

typedef struct dw_validity {
    dw_source source;
    int64_t updated_us;     /* last time the field was set; 0 = never   */
    int64_t stale_us;       /* after this time the value is stale       */
} dw_validity;

#define DW_TRACK_MAX_SENSORS 8  /* contributing sensors kept per track */

typedef struct dw_track {
    uint64_t id;
    int64_t t_us;                   /* time of this estimate             */
    dw_track_status status;

    double lat_deg, lon_deg, alt_m;
    double vel_enu_mps[3];
    double cov_pos_enu[3][3];       /* m²                                */
    double cov_vel_enu[3][3];       /* (m/s)²                            */

    double model_prob[4];           /* IMM mode probabilities            */
    int n_models;
    double quality;                 /* 0..1                              */

    uint32_t hits, misses;          /* updates, consecutive misses       */
    int64_t first_us, last_update_us;
    int64_t last_local_us;          /* the newest update by a sensor of this node's own (not
                                       a partner's: federation), INT64_MIN none or not known */

    uint16_t sensor_idx[DW_TRACK_MAX_SENSORS];
    int n_sensors;

    /* Identity keys. */
    uint32_t icao;
    char callsign[DW_CALLSIGN_MAX];
    char rid[DW_RID_MAX];
    uint16_t mode3a;                /* SSR Mode 3/A code (octal as its value), 0: none */
    char partner_id[DW_ID_MAX];
    dw_validity v_pos, v_alt, v_vel, v_icao, v_callsign, v_rid, v_class, v_aff;

    float class_prob[DW_NCLASSES];
    dw_class cls;                   /* most probable class               */
    dw_affiliation affiliation;
} dw_track;

const char *dw_track_status_name(dw_track_status s);
int dw_track_status_parse(const char *s, dw_track_status *out);
const char *dw_affiliation_name(dw_affiliation a);
int dw_affiliation_parse(const char *s, dw_affiliation *out);

void dw_track_init(dw_track *t);

#endif

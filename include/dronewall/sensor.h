/* sensor.h — dw_sensor: what the engine knows about one sensor.
 *
 * A sensor is described once (site, accuracy, coverage, owner) and referred to
 * by index from observations. Status and last-heard time are updated by the
 * pipeline as data arrives; a sensor that stays quiet past its update period
 * is reported down (by the assessment stage, not here).
 */
#ifndef DRONEWALL_SENSOR_H
#define DRONEWALL_SENSOR_H

#include <stdint.h>

#include "dronewall/obs.h"

#define DW_SENSOR_KINDS(X)                                                  \
    X(DW_SENSOR_RADAR, "radar")                                             \
    X(DW_SENSOR_AEW, "aew")              /* airborne early-warning radar */ \
    X(DW_SENSOR_ADSB, "adsb")                                               \
    X(DW_SENSOR_REMOTE_ID, "remote_id")                                     \
    X(DW_SENSOR_ACOUSTIC, "acoustic")                                       \
    X(DW_SENSOR_RF, "rf")                                                   \
    X(DW_SENSOR_EO, "eo")                                                   \
    X(DW_SENSOR_CITIZEN, "citizen")                                         \
    X(DW_SENSOR_PARTNER, "partner")                                         \
    X(DW_SENSOR_OTHER, "other")

typedef enum dw_sensor_kind {
#define DW_SENSOR_KIND_ENUM(e, s) e,
    DW_SENSOR_KINDS(DW_SENSOR_KIND_ENUM)
#undef DW_SENSOR_KIND_ENUM
    DW_SENSOR_NKINDS
} dw_sensor_kind;

typedef enum dw_sensor_status {
    DW_SENSOR_UNKNOWN = 0,
    DW_SENSOR_UP,
    DW_SENSOR_STALE,
    DW_SENSOR_DOWN
} dw_sensor_status;

typedef struct dw_sensor {
    char id[DW_ID_MAX];
    /* The name its wire format gives it when that is not id: ASTERIX calls a
     * radar "ASX-SAC-SIC" (dw_asterix_sensor_name). "" when the same as id. */
    char wire_id[DW_ID_MAX];
    dw_sensor_kind kind;
    char owner[DW_ID_MAX];          /* nation or organisation, "PL"     */
    double lat_deg, lon_deg, alt_m; /* site (antenna) position           */
    double heading_rad;             /* boresight azimuth, for sectors   */

    /* Accuracy, one sigma, used when an observation carries none. */
    double sigma_range_m, sigma_az_rad, sigma_el_rad, sigma_rr_mps, sigma_pos_m;
    double sigma_alt_m;             /* a 3-D radar's measured height; a position
                                       report's altitude (0: unknown)        */

    /* Detection model. */
    double pd;                      /* probability of detection in cover */
    double clutter_per_scan;        /* expected false plots a scan       */

    /* Coverage. */
    double min_range_m, max_range_m;
    double min_el_rad, max_el_rad;

    int64_t period_us;              /* expected update period (0: none)  */

    /* Live state. */
    dw_sensor_status status;
    int64_t last_heard_us;
} dw_sensor;

const char *dw_sensor_kind_name(dw_sensor_kind k);
int dw_sensor_kind_parse(const char *s, dw_sensor_kind *out);

/* Defaults for a kind: sensible sigmas, Pd and coverage. */
void dw_sensor_init(dw_sensor *s, dw_sensor_kind kind);

#endif

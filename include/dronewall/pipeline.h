/* pipeline.h — observations in, the air picture out: the track stage as one
 * reusable piece.
 *
 * `dronewall track` (NDJSON from a file), the scenario simulator (observations
 * decoded in-process) and the daemon all do the same thing with a stream of
 * dw_obs: find each one's sensor, turn it into a tracker measurement, group
 * consecutive measurements of one sensor into batches, run the tracker, and
 * at every report instant hand out the picture. This module is that loop.
 *
 * Sensors. The pipeline copies the caller's sensor array and indexes it by
 * name in a hash table: an observation's `sensor` may be a sensor's id or its
 * wire_id (the name its wire format gives it, e.g. ASTERIX "ASX-012-034").
 * Only sensors the tracker can use take one of its few sensor slots: each
 * radar or aew sensor (POLAR plots) one, and one slot, "position-reports",
 * shared by every POS3 report, listed sensor or not. Kinds the tracker cannot
 * use yet (BEARING, CELL, POS2) are counted and skipped, and their sensors
 * take no slot, so a list of 10,000 acoustic nodes and a few radars works.
 *
 * A POLAR plot needs an elevation; one without it but with a height (alt_m,
 * as ASTERIX CAT048 gives from Mode C or a 3-D radar) gets the elevation from
 * the site and that height, see docs/tracker.md. Only a plot with neither is
 * counted as unsupported.
 *
 * Time. Observations come in time order; the pipeline never reads the clock.
 * A batch holds consecutive measurements of one sensor within `window_us` of
 * its first; it goes to the tracker when the next measurement cannot join it
 * (another sensor, later than the window, a full batch) or at advance/finish.
 * A measurement older than one already used is counted as out of order and
 * still used, as the tracker updates a slightly late batch at its own time.
 * Reports happen at every multiple of `report_us` from the first used
 * observation on: each confirmed or coasting track, predicted to the instant,
 * to the `report` callback. A confirmed track the tracker drops goes to the
 * `dead` callback once, stamped with the time of the batch that dropped it.
 * The picture at an instant is written before the first batch after it.
 *
 * Memory: everything is allocated at create except the batch buffer, which
 * grows (doubling, up to DW_PIPELINE_MAX_BATCH) to the largest batch seen;
 * the steady-state loop allocates nothing.
 *
 * Ownership: the pipeline owns its copy of the sensors, its tracker and its
 * buffers; dw_pipeline_destroy frees them. Tracks handed to callbacks are
 * valid only during the call; their sensor_idx values are tracker slots,
 * named by dw_pipeline_sensor_names(). Callbacks are called only from inside
 * dw_pipeline_obs/advance/finish, never after an error of create.
 */
#ifndef DRONEWALL_PIPELINE_H
#define DRONEWALL_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/obs.h"
#include "dronewall/sensor.h"
#include "dronewall/status.h"
#include "dronewall/track.h"
#include "dronewall/tracker.h"

#define DW_PIPELINE_MAX_BATCH 65536     /* measurements in one batch, at most */
#define DW_PIPELINE_POS_NAME "position-reports"

/* The tracker settings `dronewall track` exposes. */
typedef struct dw_pipeline_config {
    double q;                   /* process noise, m²/s³ per horizontal axis (1)     */
    double q_vertical;          /* the same vertically (1)                          */
    double init_vel_mps;        /* velocity sigma of a new track (80)               */
    double gate;                /* Mahalanobis d² gate (16.3: chi² 99.9 %, 3-D)      */
    int confirm_m, confirm_n;   /* confirm after M hits in N batches (3 of 4)       */
    int delete_misses;          /* drop after K batches without a hit (4)           */
    size_t max_tracks;          /* track pool (20,000)                              */
    int64_t max_coast_us;       /* drop a track not updated for this long (30 s)    */
    int64_t window_us;          /* a batch spans at most this (0.5 s), >= 0          */
    int64_t report_us;          /* report period (1 s), > 0                          */
} dw_pipeline_config;

void dw_pipeline_config_default(dw_pipeline_config *c);

/* Where the picture goes. A callback returning anything but DW_OK stops the
 * call that made it, which returns that status; so does a tracker error.
 * Either is final: every later obs/advance/finish returns the same status,
 * and only get_stats and destroy remain useful. */
typedef struct dw_pipeline_sink {
    /* One confirmed or coasting track at a report instant (t->t_us). */
    dw_status (*report)(void *ctx, const dw_track *t);
    /* Optional: every report of instant t_us has been made (also when
     * there were none). */
    dw_status (*report_done)(void *ctx, int64_t t_us);
    /* Optional: a confirmed track was dropped (status dead, its last state). */
    dw_status (*dead)(void *ctx, const dw_track *t);
    void *ctx;
} dw_pipeline_sink;

typedef struct dw_pipeline_stats {
    uint64_t obs;               /* observations given                              */
    uint64_t used;              /* went to the tracker                             */
    uint64_t unsupported;       /* kinds not tracked yet (BEARING, CELL, POS2), and
                                   POLAR plots with neither elevation nor height, or
                                   no range, or a height they cannot reach          */
    uint64_t unknown_sensor;    /* POLAR from a name that is no radar or aew sensor */
    uint64_t late;              /* used, but older than one used before             */
    uint64_t el_from_alt;       /* POLAR plots whose elevation came from alt_m     */
    uint64_t reports;           /* track reports made                               */
    uint64_t report_instants;
    uint64_t dead;              /* dead-track reports made                          */
    dw_tracker_stats tracker;   /* batches, confirmed, ...                          */
} dw_pipeline_stats;

typedef struct dw_pipeline dw_pipeline;

/* A pipeline over a copy of sensors[0..n_sensors-1] (NULL and 0 are fine:
 * then only POS3 reports are tracked); cfg NULL means the defaults; the sink
 * is copied and its `report` is required. On failure nothing is created and
 * err (when not NULL) says why: DW_ERR_INVALID for bad settings, two sensors
 * sharing a name, or more radar and aew sensors than the tracker has slots
 * for; DW_ERR_NOMEM. */
dw_status dw_pipeline_create(const dw_sensor *sensors, size_t n_sensors,
                             const dw_pipeline_config *cfg, const dw_pipeline_sink *sink,
                             dw_pipeline **out, char *err, size_t errlen);

/* Frees everything (NULL is fine). Nothing is flushed: call finish first. */
void dw_pipeline_destroy(dw_pipeline *p);

/* One observation, in time order. Observations the tracker cannot use are
 * counted and skipped (DW_OK). Other than DW_OK: DW_ERR_INVALID without p or
 * o; DW_ERR_NOMEM if the batch buffer could not grow (nothing changed, the
 * observation may be given again); or a final error (see the sink). */
dw_status dw_pipeline_obs(dw_pipeline *p, const dw_obs *o);

/* Nothing older than now_us will come: the waiting batch goes to the tracker
 * if no later observation could join it, and the picture is reported at
 * every instant before now_us. Optional (the output is the same without it,
 * only later); for callers that want reports while the data is quiet. */
dw_status dw_pipeline_advance(dw_pipeline *p, int64_t now_us);

/* End of input: the waiting batch goes to the tracker, and the picture is
 * reported at every instant up to and including until_us; INT64_MIN means
 * up to the latest observation used (what `dronewall track` does). */
dw_status dw_pipeline_finish(dw_pipeline *p, int64_t until_us);

void dw_pipeline_get_stats(const dw_pipeline *p, dw_pipeline_stats *out);

/* Names of the tracker's sensor slots: names[i] is the id of the sensor in
 * slot i (DW_PIPELINE_POS_NAME for the shared one); for
 * dw_ndjson_write_track. Owned by the pipeline, valid until destroy. */
const char *const *dw_pipeline_sensor_names(const dw_pipeline *p, size_t *n);

/* The index in the caller's sensor array of the sensor named `name` (id or
 * wire_id), or -1: the lookup observations get, for callers that keep
 * per-sensor data of their own. */
int dw_pipeline_sensor_find(const dw_pipeline *p, const char *name);

#endif

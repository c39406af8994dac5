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
 * The tracker has 32 sensor slots; the pipeline gives them out as
 *   - one per radar or aew sensor (POLAR plots from its site), list order;
 *   - "position-reports", shared by every POS3 report, listed sensor or not,
 *     but for those of a partner: each sensor of kind partner has a slot of its
 *     own, named by its id, while slots remain (so a track shows whose picture
 *     it came from);
 *   - one per kind of bearing sensor in the list, "acoustic-bearings",
 *     "rf-bearings", "eo-bearings" (a camera's bearings carry an elevation):
 *     all nodes of a kind share the slot, each measurement naming its node's
 *     site (built once at create, so 10,000 acoustic nodes cost one slot and
 *     one site each, and an observation O(1));
 *   - "2d-reports", shared by POS2 reports (a citizen's sighting, a partner's
 *     position without height) and CELL detections (a footprint), when a slot
 *     is left for it (else those are counted as unsupported).
 * More radar and aew sensors than leave room for the position and bearing
 * slots is an error at create.
 *
 * What each kind becomes (see docs/tracker.md):
 *   - BEARING: an azimuth (and a camera's elevation) from the node's site.
 *     A bearing no track takes goes to the initiator (initiate.h): bearings of
 *     different sites within init_window_us whose rays cross are intersected
 *     into a new tentative track, unless a track is already there.
 *   - CELL: the footprint's centre with radius²/4 per axis, a 2-D measurement;
 *     it never starts a track alone, but two overlapping cells of different
 *     nodes do (the initiator again).
 *   - POS2: latitude and longitude with their covariance; a track it starts
 *     sits at prior_alt_m with pos2_alt_sigma_m.
 *   - POS3: a position with its covariance. Identity: ADS-B (icao) and Remote
 *     ID (rid) reports from sensors of those kinds carry an identity key and
 *     the cooperative flag (a new track from one is confirmed at once); a POS3
 *     or POLAR plot of a radar or aew with an ICAO address (Mode S) carries
 *     the key only; a partner's report (POS3 or POS2 from a sensor of kind
 *     partner) is fused by covariance intersection (DW_MEAS_CI); with the
 *     partner's own track number (partner_track) it carries the key
 *     "partner:<sensor>/<number>", so a partner's track keeps to one of ours
 *     and a local sensor's plots may join it (a non-cooperative key).
 *
 * A POLAR plot needs an elevation; one without it but with a height (alt_m,
 * as ASTERIX CAT048 gives from Mode C or a 3-D radar) gets the elevation from
 * the site and that height, see docs/tracker.md. A plot with neither (a 2-D
 * radar's primary plot) is counted as unsupported, or with polar_2d used as
 * range and azimuth only (dw_polar_meas_no_el). A POLAR plot with a range rate
 * (DW_OBS_HAS_RR: a Doppler radar's, through SAPIENT, NDJSON or CAT048 I120)
 * and a sigma for it (the plot's sigma_rr_mps, else the sensor's; > 0) is
 * filtered with it (dw_meas_polar_rr, in the radar's own slot); without
 * either, as before.
 *
 * Time. Observations come in time order; the pipeline never reads the clock.
 * A batch holds consecutive measurements of one sensor within `window_us` of
 * its first; it goes to the tracker when the next measurement cannot join it
 * (another sensor, later than the window, a full batch) or at advance/finish.
 * A measurement older than one already used (a citizen's report minutes
 * after the sighting) is counted as out of order and still used: it goes to
 * the tracker at its own time, in a batch of its own.
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
#define DW_PIPELINE_2D_NAME "2d-reports"

/* The tracker settings `dronewall track` exposes. */
typedef struct dw_pipeline_config {
    double q;                   /* process noise, m²/s³ per horizontal axis (1)     */
    double q_vertical;          /* the same vertically (1)                          */
    int merge_after;            /* duplicate tracks deleted after this many
                                   sightings (dw_tracker_config.merge_after; 3)     */
    double init_vel_mps;        /* velocity sigma of a new track (80)               */
    double gate;                /* Mahalanobis d² gate (16.3: chi² 99.9 %, 3-D)      */
    int confirm_m, confirm_n;   /* confirm after M hits in N batches (3 of 4)       */
    int delete_misses;          /* drop after K batches without a hit (4)           */
    size_t max_tracks;          /* track pool (20,000)                              */
    int64_t max_coast_us;       /* drop a track not updated for this long (30 s)    */
    int64_t window_us;          /* a batch spans at most this (0.5 s), >= 0          */
    int64_t report_us;          /* report period (1 s), > 0                          */
    /* Tracks from sensors that give no height (all > 0 except the altitude). */
    double prior_alt_m;         /* assumed altitude: a drone's (1000)               */
    double prior_alt_sigma_m;   /* its sigma for tracks from bearings and cells (1000) */
    double pos2_alt_sigma_m;    /* its sigma for a track a POS2 report starts (1500) */
    int64_t init_window_us;     /* bearings and cells combine within this (10 s)     */
    double init_min_cross_rad;  /* rays must cross at more than this (10°), >= 0      */
    /* The IMM (docs/tracker.md): a nearly-constant-velocity model and a
     * coordinated turn (dw_motion_ct_geo_init) mixed by an interacting multiple
     * model filter. */
    int imm;                    /* 1: on; 0 (default): the CV model alone (on the
                                   September scenario the turn model made fighters'
                                   and drones' tracks worse: docs/tracker.md)      */
    double imm_q;               /* the turn model's horizontal process noise, m²/s³;
                                   0 (default): q                                  */
    double imm_q_turn;          /* the turn rate's random walk, rad²/s³ (1e-3)       */
    double imm_turn_sigma;      /* the turn rate's sigma where unknown, rad/s (0.1)  */
    double imm_p_turn;          /* chance per second of going from CV to the turn (0.05) */
    double imm_p_straight;      /* ... and back (0.1); the two sum below 1            */
    /* Sparse feeds: a track whose newest measurement is a partner's report (or a
     * citizen's) may go this long without another before it is dropped, instead
     * of max_coast_us; 0: max_coast_us. A partner reporting every minute, three
     * minutes late, needs over four minutes; a citizen's reports come minutes
     * apart. Off by default: on the September scenario without radars 300 s
     * kept more false tracks than drones (docs/tracker.md). */
    int64_t partner_coast_us;   /* (0: max_coast_us), >= 0 */
    int64_t citizen_coast_us;   /* (0: max_coast_us), >= 0 */
    double key_vel_mps;         /* the fastest object followed (1000): a keyed track's
                                   second report outside its gate restarts it with
                                   this velocity sigma (tracker key_vel_sigma)      */
    int polar_2d;               /* 1: a POLAR plot with neither elevation nor height
                                   is used as range and azimuth (its height left to
                                   other sensors; a track it starts sits at the
                                   altitude prior). 0 (default): unsupported, as
                                   before                                          */
    int radar_bias;             /* 1 (default): estimate each radar's azimuth and range
                                   bias from the Mode S plots of ADS-B aircraft and
                                   take it off its plots once valid (bias.h)       */
    /* Association (dw_tracker_config.assoc, docs/tracker.md "JPDA"). A radar's
     * batch gives each track the radar's pd where it can see it; other sensors
     * use jpda_pd. Keyed (ADS-B, Remote ID, Mode S) and partner (CI) reports
     * and bearings with their node's site keep GNN in any case. */
    int assoc;                  /* DW_ASSOC_GNN (default) or DW_ASSOC_JPDA           */
    double jpda_pd;             /* detection chance where the sensor gives none (0.9) */
    double jpda_clutter;        /* false plots per unit volume of a sensor's measurement
                                   space per batch; 0 (default): estimated per cluster
                                   (the sensors' spaces differ: m, rad, rad for a
                                   radar, m³ for a position report)                */
    double jpda_used;           /* a plot whose chances sum to this starts no track (0.5) */
    double jpda_hit;            /* a track counts a hit at this chance (0.5)         */
    int jpda_max_events;        /* joint events per cluster before GNN (10,000)      */
    int jpda_max_size;          /* tracks or plots per cluster before GNN (12)       */
    /* The measurement update (dw_tracker_config.update, docs/tracker.md "The
     * unscented update"): DW_UPDATE_EKF (default) or DW_UPDATE_UKF, the latter
     * for radar plots, bearings and latitude/longitude reports (position
     * reports are linear: the same either way), with the tracker's default
     * alpha 1, beta 2, kappa 0. */
    int update;
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
    /* Optional: a confirmed track a batch has just updated, at the batch's time
     * (t->t_us), right after the batch: the live picture between report
     * instants (the daemon's WebSocket stream). Not predicted, not assessed. */
    dw_status (*update)(void *ctx, const dw_track *t);
} dw_pipeline_sink;

typedef struct dw_pipeline_stats {
    uint64_t obs;               /* observations given                              */
    uint64_t used;              /* went to the tracker                             */
    uint64_t used_kind[DW_OBS_NKINDS]; /* of them, by kind (dw_obs_kind)            */
    uint64_t unsupported;       /* POLAR plots with neither elevation nor height, or
                                   no range, or a height they cannot reach; BEARING
                                   from a sensor of no bearing kind; CELL without
                                   centre or radius; POS2/CELL with no slot left    */
    uint64_t unknown_sensor;    /* POLAR from a name that is no radar or aew sensor,
                                   BEARING from a name that is no sensor           */
    uint64_t coop;              /* ADS-B and Remote ID reports (cooperative)        */
    uint64_t keyed;             /* measurements with an identity key                */
    uint64_t init_fixes;        /* positions the initiator found                    */
    uint64_t init_started;      /* tracks started from them                         */
    uint64_t init_explained;    /* fixes an existing track already explained        */
    uint64_t late;              /* used, but older than one used before             */
    uint64_t el_from_alt;       /* POLAR plots whose elevation came from alt_m     */
    uint64_t bias_pairs;        /* plots given to the radar-bias estimator          */
    uint64_t bias_corrected;    /* plots corrected by a valid radar bias            */
    uint64_t polar_no_el;       /* POLAR plots used as range and azimuth only      */
    uint64_t polar_rr;          /* POLAR plots filtered with their range rate      */
    uint64_t reports;           /* track reports made                               */
    uint64_t report_instants;
    uint64_t dead;              /* dead-track reports made                          */
    dw_tracker_stats tracker;   /* batches, confirmed, ...                          */
} dw_pipeline_stats;

typedef struct dw_pipeline dw_pipeline;

/* A pipeline over a copy of sensors[0..n_sensors-1] (NULL and 0 are fine:
 * then only POS3, POS2 and CELL reports with their own position are
 * tracked); cfg NULL means the defaults; the sink is copied and its `report`
 * is required. On failure nothing is created and err (when not NULL) says
 * why: DW_ERR_INVALID for bad settings, two sensors sharing a name, or more
 * radar and aew sensors than the tracker has slots for; DW_ERR_NOMEM. */
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

/* The waiting batch goes to the tracker now, whatever may still join it: the
 * daemon calls it after each datagram or read, so that a plot reaches the
 * picture without waiting for the next one. Part of the input: the output
 * depends on where flushes fall (a recording keeps them, for replay). */
dw_status dw_pipeline_flush(dw_pipeline *p);

/* The clock says now_us and no data may come (a quiet live feed): the waiting batch
 * goes to the tracker, the picture is reported before now_us, and tracks whose coast
 * has run out are dropped (an empty batch: nobody misses), as a batch at now_us would
 * drop them. Later observations older than now_us count as late. Part of the input,
 * like a flush. */
dw_status dw_pipeline_expire(dw_pipeline *p, int64_t now_us);

/* End of input: the waiting batch goes to the tracker, and the picture is
 * reported at every instant up to and including until_us; INT64_MIN means
 * up to the latest observation used (what `dronewall track` does). */
dw_status dw_pipeline_finish(dw_pipeline *p, int64_t until_us);

void dw_pipeline_get_stats(const dw_pipeline *p, dw_pipeline_stats *out);

/* Names of the tracker's sensor slots: names[i] is the id of the sensor in
 * slot i (DW_PIPELINE_POS_NAME, "acoustic-bearings", ..., DW_PIPELINE_2D_NAME
 * for the shared ones); for dw_ndjson_write_track. Owned by the pipeline,
 * valid until destroy. */
const char *const *dw_pipeline_sensor_names(const dw_pipeline *p, size_t *n);

/* The index in the caller's sensor array of the sensor named `name` (id or
 * wire_id), or -1: the lookup observations get, for callers that keep
 * per-sensor data of their own. */
int dw_pipeline_sensor_find(const dw_pipeline *p, const char *name);

/* The radar-bias estimator (bias.h), its radars numbered by tracker slot (see
 * dw_pipeline_sensor_names), or NULL when cfg.radar_bias is 0. Owned by the
 * pipeline, valid until destroy; read it between calls. */
struct dw_bias;
const struct dw_bias *dw_pipeline_bias(const dw_pipeline *p);

/* The identity key of a text such as "icao:48AE21" or "rid:1581F5FJD2...":
 * 64-bit FNV-1a, never 0 (dw_meas.id_key). */
uint64_t dw_pipeline_id_key(const char *text);

#endif

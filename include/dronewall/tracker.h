/* tracker.h — the frame-agnostic multi-target tracking core (tracker v1).
 *
 * The tracker filters Cartesian states with pluggable motion and measurement
 * models: the same code runs the abstract 2-D benchmark (state [x vx y vy],
 * measurements [x y]) and the geodetic air picture (state in ECEF
 * [x vx y vy z vz], radar plots in each site's range/azimuth/elevation).
 *
 * One call, dw_tracker_update(), takes a batch of measurements from one
 * sensor (a scan, or the plots of one sector) at one time and
 *   1. predicts every track to that time,
 *   2. gates measurements against tracks through a uniform hash grid, so the
 *      work grows with the local density and not with the number of tracks,
 *   3. splits the gated pairs into independent clusters and solves each one
 *      exactly (global nearest neighbour, dw_assign), or with assoc
 *      DW_ASSOC_JPDA weighs every measurement of the cluster by its exact
 *      marginal association probability (joint probabilistic data
 *      association, enumerated per cluster; GNN beyond a cap),
 *   4. updates assigned tracks (Kalman / extended Kalman, or with update
 *      DW_UPDATE_UKF the unscented update for the nonlinear models; the
 *      probabilistic data association update with JPDA, or covariance
 *      intersection for a partner's track), counts misses, confirms
 *      tentative tracks by M-of-N and deletes stale ones,
 *   5. starts a tentative track on every measurement nobody took and that
 *      gives a position; the others are listed (dw_tracker_unassigned) for
 *      the caller to combine (bearings from several sites).
 * Batches from several sensors are applied one after the other in time order
 * (sequential multi-sensor updating); a measurement older than its track is
 * filtered in exactly by re-running the track's last few updates.
 * Optionally two motion models are mixed by an IMM. Identity keys (ICAO
 * address, Remote ID serial, a partner's track number) bind reports to the
 * track that holds the key.
 *
 * Memory: every track lives in a pool sized at creation (with, per pool entry,
 * its IMM mode states and its out-of-sequence history when those are on); the
 * scratch space of the association step grows to the largest batch seen and
 * is then reused, so the steady-state loop does not allocate. The tracker
 * owns its tracks; the pointers it hands out stay valid until the next update,
 * dw_tracker_start_track() or destroy.
 */
#ifndef DRONEWALL_TRACKER_H
#define DRONEWALL_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/status.h"
#include "dronewall/track.h"

#define DW_TRK_MAX_X 6  /* state dimension, at most */
#define DW_TRK_MAX_Z 4  /* measurement dimension, at most */

/* A motion model: how a state moves over dt seconds. */
typedef struct dw_motion_model {
    const char *name;
    int nx;             /* state dimension: 2 n_pos, or 2 n_pos + 1 for a
                           coordinated turn (its turn rate last)        */
    int n_pos;          /* number of position axes (2 or 3) */
    int pos_idx[3];     /* where they are in the state */
    int vel_idx[3];     /* where the matching velocities are */
    double q;           /* process noise power spectral density, per axis */
    double q_v;         /* cv_geo: the vertical axis's (q is the horizontal's) */
    double q_turn;      /* ct: the turn rate's random walk, (rad/s)^2 per s */
    double turn_sigma0; /* ct: the turn rate's sigma where nothing is known
                           of it (a new track, or mixed in from a model
                           without one), rad/s                          */
    /* Predict in place: x <- F x, P <- F P F^T + Q (P row-major nx*nx).
     * dt may be negative for a slightly late batch. */
    void (*predict)(const struct dw_motion_model *m, double *x, double *P, double dt_s);
} dw_motion_model;

/* Nearly constant velocity on n_axes axes (1..3), state [p0 v0 p1 v1 ...],
 * Q = q [[dt^3/3, dt^2/2], [dt^2/2, dt]] per axis. */
void dw_motion_cv_init(dw_motion_model *m, int n_axes, double q);

/* Nearly constant velocity in ECEF [x vx y vy z vz] with the process noise shaped in the
 * local frame: q_h per horizontal axis, q_v vertically (drones and aircraft hold their
 * altitude, so their height is averaged over many plots instead of following each). */
void dw_motion_cv_geo_init(dw_motion_model *m, double q_h, double q_v);

/* A coordinated turn: constant speed, the velocity turning at the rate w
 * about the vertical, [x vx y vy w] in a plane (n_axes 2) or
 * [x vx y vy z vz w] with z up (n_axes 3); predicted as an extended Kalman
 * filter, with the CV's process noise q on the velocities and q_turn on w.
 * Its nx (2 n_axes + 1) exceeds the track layout: it is meant as the IMM's
 * second model (dw_tracker_config_imm), whose turn rate stays inside the
 * mode estimates; measurement models still see the 2 n_axes-state layout. */
void dw_motion_ct_init(dw_motion_model *m, int n_axes, double q, double q_turn, double turn_sigma0);

/* The same in ECEF [x vx y vy z vz w], turning about the local (geocentric)
 * vertical, with the process noise shaped as dw_motion_cv_geo's. */
void dw_motion_ct_geo_init(dw_motion_model *m, double q_h, double q_v, double q_turn,
                           double turn_sigma0);

/* A measurement model: what a sensor measures of a state. `ctx` is the
 * sensor's own data (its site and frame), owned by the caller and kept alive
 * as long as the tracker uses it. */
typedef struct dw_meas_model {
    const char *name;
    int nz;             /* 0: as many as the motion model's position axes */
    /* Predicted measurement and its Jacobian H (nz x nx, row-major).
     * Returns 0, or -1 where the model cannot be linearised there. */
    int (*h)(const void *ctx, const dw_motion_model *mm, const double *x, double *zpred, double *H);
    /* nu = z - zpred, wrapping angles. */
    void (*residual)(const void *ctx, int nz, const double *z, const double *zpred, double *nu);
    /* A measurement as a position in the state's frame with its covariance
     * (n_pos x n_pos, row-major): for gating and for starting tracks.
     * Returns 0, or -1 if the measurement gives no position. */
    int (*to_pos)(const void *ctx, const dw_motion_model *mm, const double *z, const double *R,
                  double *pos, double *pos_cov);
    /* 1: h is exactly "z = the position axes" (H selects them) whatever the
     * context: the tracker then takes H P H^T and P H^T from P directly,
     * without calling h or multiplying matrices. 0 for every other model. */
    int h_selects_pos;
    /* Optional, for measurements without a position (to_pos -1): a box in the
     * state's position axes, lo[a] <= p[a] <= hi[a], holding every position
     * the measurement can have come from (a bearing: its cone out to the
     * sensor's reach). Such a measurement meets every track (there is no grid
     * cell to look in); with a box, a track whose gate box misses it is
     * passed over before any model call. Returns 0, or -1: no bound. */
    int (*bounds)(const void *ctx, const dw_motion_model *mm, const double *z, const double *R,
                  double *lo, double *hi);
} dw_meas_model;

/* Direct measurement of the position axes (H selects them). */
extern const dw_meas_model dw_meas_linear_pos;

/* Bits of dw_meas.flags. */
enum {
    DW_MEAS_CI = 1u << 0,           /* fuse by covariance intersection: a partner's
                                       track, whose errors are correlated with ours
                                       in ways nobody knows                         */
    DW_MEAS_COOPERATIVE = 1u << 1,  /* the object reports itself (ADS-B, Remote ID):
                                       a new track from it is confirmed at once     */
};

/* One measurement. R is nz x nz row-major (nz: its model's); `user` is the caller's tag,
 * handed back with the track that took the measurement. Build it zeroed
 * (memset or `= {0}`) so that fields added later keep their neutral value.
 * `ctx`, when not NULL, replaces the sensor's model context for this one
 * measurement (the site of one node of an acoustic network that shares one
 * sensor slot) in every model call (h, residual, to_pos); it must stay alive
 * while the track's out-of-sequence history may re-run the measurement (the
 * tracker's lifetime, in practice). `model`, when not NULL, likewise replaces
 * the sensor's measurement model for this one measurement, its nz included:
 * a radar's plot that carries a range rate (dw_meas_polar_rr) among plots that
 * do not (dw_meas_polar); it must take the sensor's context, and a static
 * model (as those of track_geo.h are) outlives everything. `id_key` is an identity the measurement
 * carries (a hash of "icao:48AE21", "rid:...", "partner:UA/17"; 0: none): a
 * track that has taken one keeps it and thereafter takes no measurement with
 * another key (nor, once the key came from a cooperative report, any
 * without one), and a measurement with a key goes only to the track holding
 * it, or to a track holding none — so a drone's plot is never merged into an
 * airliner's track. In detail (docs/tracker.md, "Identity keys"):
 *   - a keyed measurement is tried against the track holding its key first;
 *     when it gates there it goes there and nowhere else;
 *   - a key from a cooperative report (DW_MEAS_COOPERATIVE) never moves onto
 *     a track that holds no key: such a report updates its own track or
 *     starts one (confirmed at once); a non-cooperative key (a partner's track
 *     number) may be taken by a keyless track;
 *   - an unkeyed measurement never updates a track whose key came from a
 *     cooperative report;
 *   - a measurement whose key is not the object's own word (a radar's Mode S
 *     address) and that misses the gate of a track whose key came from a
 *     cooperative report is dropped (stats.key_refused): it never takes that
 *     key, nor goes anywhere else;
 *   - otherwise a keyed measurement that misses its holder's gate still
 *     updates it when the holder has had only its first report (no velocity to
 *     contradict the key: the track restarts from its first state with the
 *     velocity prior widened to key_vel_sigma, stats.two_point), or when it is
 *     cooperative and falls inside the wider key_gate (its own accuracy is
 *     good; the holder may have coasted);
 *   - else it is dropped (stats.key_held) until key_jump_after consecutive
 *     reports of the key have missed the holder; then the key jumps: it leaves
 *     that track, which lives on without a key, and the report goes where a
 *     keyed measurement without a holder goes (stats.key_jumps);
 *   - a second report with the same key in one batch updates the holder after
 *     the first (its own time, in order) instead of starting a duplicate. */
typedef struct dw_meas {
    int64_t t_us;
    double z[DW_TRK_MAX_Z];
    double R[DW_TRK_MAX_Z * DW_TRK_MAX_Z];
    uint32_t user;
    uint32_t flags;                 /* DW_MEAS_* */
    uint64_t id_key;
    const void *ctx;
    int64_t coast_us;               /* > 0: a track this measurement updates last may go
                                       this long without another before it is dropped,
                                       instead of max_coast_us (a sparse or late feed:
                                       a partner's reports every minute, minutes late) */
    const dw_meas_model *model;     /* NULL: the sensor's (see above)  */
} dw_meas;

/* How the association step shares a cluster's measurements among its tracks. */
typedef enum dw_assoc {
    DW_ASSOC_GNN = 0,   /* global nearest neighbour: the exact least-cost assignment,
                           one measurement per track (the default)               */
    DW_ASSOC_JPDA = 1,  /* joint probabilistic data association: each track takes
                           every measurement of its gate, weighed by the chance it
                           is the track's (docs/tracker.md, "JPDA")              */
} dw_assoc;

/* How a track takes a measurement whose model is not a selection of the
 * position axes (docs/tracker.md, "The unscented update"). */
typedef enum dw_update {
    DW_UPDATE_EKF = 0,  /* the extended Kalman update: h and its Jacobian at the
                           prediction (the default)                              */
    DW_UPDATE_UKF = 1,  /* the unscented update: h through 2n+1 sigma points of the
                           prediction (n its dimension), the scaled unscented
                           transform with ukf_alpha, ukf_beta, ukf_kappa         */
} dw_update;

typedef struct dw_tracker_config {
    dw_motion_model motion;
    size_t max_tracks;          /* pool size (tentative + confirmed)        */
    double gate;                /* Mahalanobis d^2 gate (chi-square)        */
    int confirm_m, confirm_n;   /* confirm after M hits in the last N scans */
    int delete_misses;          /* confirmed: delete when the misses since the
                                   last hit, each weighted by the chance the
                                   sensor had of seeing it, add up to this   */
    double init_vel_sigma;      /* velocity sigma of a new track (per axis) */
    double grid_cell;           /* gating grid cell, position units; 0: auto */
    double max_gate_extent;     /* a gate wider than this is checked against
                                   every measurement instead of gridded; 0: auto */
    int merge_after;            /* a confirmed track that, this many times with no
                                   30 s gap, gates the measurement another
                                   confirmed track took while lying within 3 sigma
                                   of it with a like velocity is its duplicate:
                                   the one with fewer hits is deleted (a track a
                                   cooperative report keyed is kept). 0: never  */
    int64_t max_coast_us;       /* drop a track not updated for this long, 0: never;
                                   a measurement's own coast_us replaces it for the
                                   tracks it updates last                       */
    /* IMM: a second motion model, mixed with `motion` by an interacting
     * multiple model filter. nx 0 (the default): one model, no IMM. It must
     * have motion's state layout (nx, n_pos, pos_idx, vel_idx), or that
     * layout and one more state after it, a turn rate (dw_motion_ct_*). */
    dw_motion_model motion2;
    /* imm_switch[i][j]: the chance that a target moving by model i now moves
     * by model j imm_period_s later (rows sum to 1, and p01 + p10 < 1). Over
     * another interval the two-state Markov chain with the same rates is
     * used, so irregular updates switch consistently. */
    double imm_switch[2][2];
    double imm_period_s;        /* 0: 1 s */
    /* Out-of-sequence measurements: the states kept per track (each with the
     * measurement that made it), 0..16; a measurement older than the track but
     * not older than its oldest kept state is filtered in exactly; older ones
     * approximately (stats.oosm_approx). 0: no history. */
    int oosm_depth;
    /* Identity keys (dw_meas.id_key). key_gate: the d² under which a
     * cooperative report still updates the track holding its key when it
     * misses the gate (0: 4 gate; never less than gate). key_jump_after:
     * consecutive reports of a key that miss their holder before the key
     * leaves it; the ones before are dropped (0 or 1: at the first). key_vel_sigma:
     * the velocity sigma per axis a track with one report is restarted with
     * when its second report, of the same key, misses its gate: the speed of
     * the fastest object to follow (the key vouches for the pair; the
     * init_vel_sigma prior may be too narrow for it). 0: no bound, two-point
     * differencing (position from the second report, velocity from the
     * difference), which reports a moment apart make meaningless. */
    double key_gate;
    int key_jump_after;
    double key_vel_sigma;
    /* Association (docs/tracker.md, "JPDA"). With DW_ASSOC_JPDA each cluster's
     * joint events (each measurement from at most one track, each track at
     * most one measurement) are enumerated with the likelihoods Pd N(nu; 0, S)
     * for a detection, 1 - Pd for a miss and the clutter density for a
     * measurement from no track; every track with a measurement of nonzero
     * probability takes the PDA update. Clusters holding a keyed, CI or
     * own-context measurement, and those over the caps, are solved by GNN.
     * With the IMM each mode takes the PDA update with the same betas; the
     * out-of-sequence history keeps a PDA update as its equivalent measurement.
     * The jpda_* fields are read (and checked) only with DW_ASSOC_JPDA. */
    dw_assoc assoc;
    double jpda_pd;             /* the chance of detecting a track where the batch's
                                   cover gives none (dw_cover.pd), (0, 1]        */
    double jpda_clutter;        /* false measurements per unit volume of the sensor's
                                   measurement space and batch; 0: estimated per
                                   cluster as its measurements over the volume of
                                   its tracks' gates (nonparametric)             */
    double jpda_used;           /* a measurement whose probabilities summed over the
                                   tracks reach this counts as taken and starts no
                                   track, [0, 1]                                 */
    double jpda_hit;            /* a track whose measurements are its own with a
                                   chance (1 - beta_0) below this still takes the
                                   PDA update but counts a miss, not a hit, for
                                   M-of-N and deletion, [0, 1]                   */
    int jpda_max_events;        /* a cluster with more joint events than this is
                                   solved by GNN (stats.jpda_over_cap), >= 1      */
    int jpda_max_size;          /* ... and one with more tracks or measurements than
                                   this, 1..64                                    */
    /* The measurement update (docs/tracker.md, "The unscented update"). With
     * DW_UPDATE_UKF every Kalman update by a model that is not a selection of
     * the position axes (h_selects_pos 0) is unscented: sigma points
     * x, x +- sqrt(n + lambda) L_i (L L^T = P, n the state's dimension: an
     * IMM mode's with its turn rate), lambda = alpha^2 (n + kappa) - n, mean
     * weights lambda / (n + lambda) and 1 / (2 (n + lambda)), the centre's
     * covariance weight lambda / (n + lambda) + 1 - alpha^2 + beta; angles
     * are averaged and differenced through the model's residual (wrapped
     * about h at the centre). Each IMM mode is updated so, and so is every
     * re-run of the out-of-sequence history. Gating, the CI update and the
     * JPDA's PDA update keep the linearisation; where a sigma point cannot
     * be mapped (h fails: beyond a bearing's reach, straight above a site) or
     * S is not positive definite the update is the EKF's (stats.ukf_fallbacks).
     * The ukf_* fields are read (and checked) only with DW_UPDATE_UKF:
     * alpha > 0, beta >= 0, n + kappa > 0 for the smallest state. */
    dw_update update;
    double ukf_alpha;           /* the spread of the sigma points (1)              */
    double ukf_beta;            /* prior knowledge of the distribution: 2 for a
                                   Gaussian (2)                                   */
    double ukf_kappa;           /* secondary scaling (0)                          */
} dw_tracker_config;

/* Defaults: CV in n_axes, gate 11.8 (chi2 99.7 % in 2-D), 2-of-3 confirmation,
 * 3 misses to delete, 10,000 tracks, one motion model, a history of 4 states
 * per track for out-of-sequence measurements; keys: key_gate 4 gate, a jump
 * after 2 reports, key_vel_sigma 0 (two-point: the tracker knows no units);
 * GNN association, and for JPDA: jpda_pd 0.9, jpda_clutter 0 (estimated),
 * jpda_used 0.5, jpda_hit 0.5, at most 10,000 joint events and 12 tracks or
 * measurements per cluster; the EKF update, and for the UKF alpha 1, beta 2,
 * kappa 0 (the sigma points sqrt(n) sigma out, every weight but the
 * centre's covariance weight 1 / (2n)). */
void dw_tracker_config_default(dw_tracker_config *c, int n_axes, double q);

/* Turn the IMM on: `maneuver` as the second model, switching from model 0 to 1
 * with probability p01 and back with p10 per period_s. */
void dw_tracker_config_imm(dw_tracker_config *c, const dw_motion_model *maneuver, double p01,
                           double p10, double period_s);

/* Why a track has its status: what last changed it.
 *   started                  tentative, started from a measurement nobody took
 *   started_by_caller        tentative, from dw_tracker_start_track()
 *   confirmed_m_of_n         M hits in its first N batches (or M = 1)
 *   confirmed_cooperative    started by a cooperative report: confirmed at once
 *   reacquired               confirmed again: a hit after coasting
 *   coasting_missed          confirmed, then missed by a sensor that could see it
 *   deleted_missed           dead: its miss score reached delete_misses
 *   deleted_coast_timeout    dead: max_coast_us without an update
 *   deleted_never_confirmed  dead: tentative, and M of N could no longer be reached */
#define DW_TRK_REASONS(X)                                              \
    X(DW_TRK_STARTED, "started")                                       \
    X(DW_TRK_STARTED_BY_CALLER, "started_by_caller")                   \
    X(DW_TRK_CONFIRMED_M_OF_N, "confirmed_m_of_n")                     \
    X(DW_TRK_CONFIRMED_COOPERATIVE, "confirmed_cooperative")           \
    X(DW_TRK_REACQUIRED, "reacquired")                                 \
    X(DW_TRK_COASTING_MISSED, "coasting_missed")                       \
    X(DW_TRK_DELETED_MISSED, "deleted_missed")                         \
    X(DW_TRK_DELETED_COAST_TIMEOUT, "deleted_coast_timeout")           \
    X(DW_TRK_DELETED_NEVER_CONFIRMED, "deleted_never_confirmed")       \
    X(DW_TRK_DELETED_DUPLICATE, "deleted_duplicate")

typedef enum dw_trk_reason {
#define DW_TRK_REASON_ENUM(e, s) e,
    DW_TRK_REASONS(DW_TRK_REASON_ENUM)
#undef DW_TRK_REASON_ENUM
    DW_TRK_NREASONS
} dw_trk_reason;

/* "confirmed_m_of_n", ...; "unknown" out of range. Static storage. */
const char *dw_trk_reason_name(dw_trk_reason r);

/* The tracker's view of one track: read-only for callers. */
typedef struct dw_trk {
    uint64_t id;
    dw_track_status status;
    dw_trk_reason reason;           /* what gave it that status          */
    int64_t reason_us;              /* when (the batch's time)           */
    int64_t t_us;                   /* time of x and P                   */
    double x[DW_TRK_MAX_X];
    double P[DW_TRK_MAX_X * DW_TRK_MAX_X];
    uint32_t hits;                  /* measurements taken                */
    uint32_t misses;                /* consecutive batches without one   */
    double miss_score;              /* the sensors' chances of detection summed over
                                       those batches; deleted at delete_misses */
    uint32_t history;               /* bit 0: the last batch was a hit   */
    int64_t first_us, last_update_us;
    uint32_t sensor_mask;           /* bit s: sensor s has updated it    */
    uint32_t last_user;             /* `user` of the last measurement    */
    double last_d2;                 /* its normalised innovation squared */
    uint64_t id_key;                /* the identity it holds (dw_meas.id_key), 0: none */
    uint32_t id_key_flags;          /* DW_MEAS_COOPERATIVE: the key came from a
                                       cooperative report                 */
    int n_models;                   /* 1, or 2 with the IMM              */
    double model_prob[2];           /* the models' probabilities at t_us */
} dw_trk;

typedef struct dw_tracker_stats {
    uint64_t batches, measurements, updates, initiated, confirmed, deleted;
    uint64_t gate_tests, pairs, clusters, max_cluster, unlinearisable;
    uint64_t pool_full;             /* measurements that could start no track */
    uint64_t unassigned;            /* measurements listed by dw_tracker_unassigned */
    uint64_t ci_updates;            /* covariance-intersection updates    */
    uint64_t oosm_exact;            /* late measurements re-filtered exactly  */
    uint64_t oosm_approx;           /* late measurements older than the track's
                                       history: filtered in approximately */
    uint64_t duplicates;            /* tracks deleted as another's duplicate */
    uint64_t shadowed;              /* with merge_after: tentative tracks not
                                       confirmed because they sat on a
                                       confirmed track (deleted_duplicate) */
    uint64_t absorbed;              /* with merge_after: measurements in a
                                       confirmed track's gate that started
                                       nothing though no track took them  */
    uint64_t key_jumps;             /* keys taken from a track their report
                                       no longer gated with               */
    uint64_t key_held;              /* keyed reports that missed their holder,
                                       dropped before a jump (key_jump_after) */
    uint64_t key_refused;           /* reports with a key not from a cooperative
                                       report (Mode S) that missed the gate of
                                       the cooperative track holding it: dropped */
    uint64_t key_repeats;           /* second reports of one key in a batch,
                                       applied to the holder in turn      */
    uint64_t two_point;             /* keyed tracks restarted from their first
                                       state by their second report, outside
                                       the gate (key_vel_sigma)           */
    uint64_t by_reason[DW_TRK_NREASONS]; /* status changes, by their reason */
    /* DW_ASSOC_JPDA */
    uint64_t jpda_clusters;         /* clusters solved by JPDA            */
    uint64_t jpda_events;           /* joint events enumerated in them    */
    uint64_t jpda_updates;          /* PDA updates of tracks              */
    uint64_t jpda_over_cap;         /* clusters over jpda_max_events or
                                       jpda_max_size: solved by GNN       */
    uint64_t jpda_gnn_kept;         /* clusters with a keyed, CI or own-context
                                       measurement: solved by GNN         */
    /* DW_UPDATE_UKF */
    uint64_t ukf_updates;           /* unscented updates (IMM: per mode)  */
    uint64_t ukf_fallbacks;         /* updates that fell back to the EKF: a sigma
                                       point h could not map, or S not
                                       positive definite                  */
} dw_tracker_stats;

typedef struct dw_tracker dw_tracker;

/* Create; the config is copied. DW_ERR_INVALID for an inconsistent config. */
dw_status dw_tracker_create(const dw_tracker_config *cfg, dw_tracker **out);
void dw_tracker_destroy(dw_tracker *t);

/* Register a sensor (its measurement model and context); *out_idx is the
 * index batches name. At most 32 sensors. */
dw_status dw_tracker_add_sensor(dw_tracker *t, const dw_meas_model *model, const void *ctx,
                                int *out_idx);

/* What a batch looked at: every track is gated, but only tracks whose
 * predicted measurement falls in the cover count a miss when nothing is
 * assigned to them.
 * A rotating radar's batch covers the arc its beam swept since its previous
 * batch; a track elsewhere was not looked at and must not lose a hit. */
typedef struct dw_cover {
    int comp;           /* measurement component of the arc (1: azimuth)   */
    double lo, hi;      /* the arc (lo, hi], radians, clockwise, wrapping   */
    int full;           /* 1: the whole circle                               */
    double max0;        /* > 0: component 0 (range) must be at most this     */
    int no_miss;        /* every track is gated, none counts a miss: reports
                           that each describe one object (ADS-B, Remote ID) */
    int64_t revisit_us; /* a track this sensor updated less than this long
                           before the batch is not counted as missed: its
                           plot came in the previous batch, at the arc's edge */
    /* Optional: the chance the sensor had of detecting a track in state x
     * (0..1: beyond its horizon, range or elevation limits it is 0). A track
     * not assigned a measurement adds this to its miss score, so a radar that
     * could not see it costs it nothing and a weak chance costs it little;
     * NULL means 1 inside the cover. JPDA takes it as the track's Pd (without
     * it: jpda_pd). */
    double (*pd)(const void *ctx, const double *x);
    const void *pd_ctx;
} dw_cover;

/* Apply one batch of n measurements from sensor `sensor` at time t_us.
 * A measurement whose own t_us differs from the batch's is updated at its
 * own time. DW_ERR_INVALID for an unknown sensor. */
dw_status dw_tracker_update(dw_tracker *t, int sensor, int64_t t_us, const dw_meas *m, size_t n);

/* The same for a batch that looked at part of the sensor's coverage only
 * (cover NULL: everything, as dw_tracker_update). */
dw_status dw_tracker_update_cover(dw_tracker *t, int sensor, int64_t t_us, const dw_meas *m,
                                  size_t n, const dw_cover *cover);

/* The measurements of the last batch that neither updated a track nor
 * started one (their model gives no position: a bearing, or the pool was
 * full), as indices into that batch, ascending; valid until the next update
 * (dw_tracker_start_track() leaves it alone). The caller may combine them
 * (bearings from two sites) into positions.
 * A measurement without a position is still gated against every track (there
 * is no grid cell to look in) and may update one; only the rest are listed. */
size_t dw_tracker_unassigned(const dw_tracker *t, const uint32_t **idx);

/* Start a tentative track at a position found by the caller (pos and its
 * covariance in the state's position axes, n_pos x n_pos row-major), as if
 * sensor `sensor` had measured it at t_us; velocity unknown (init_vel_sigma).
 * It counts one hit towards M-of-N; its reason is DW_TRK_STARTED_BY_CALLER.
 * *out_id (may be NULL) is the new track's id. DW_ERR_FULL when the pool is,
 * DW_ERR_INVALID for an unknown sensor, a non-finite position or a covariance
 * that is not positive definite; nothing changes on failure. */
dw_status dw_tracker_start_track(dw_tracker *t, int sensor, int64_t t_us, const double *pos,
                                 const double *pos_cov, uint64_t *out_id);

/* Predict every track to t_us without measurements (for output times). */
void dw_tracker_predict(dw_tracker *t, int64_t t_us);

/* A copy of track k predicted to t_us, for output; the track is unchanged. */
void dw_tracker_predict_copy(const dw_tracker *t, const dw_trk *k, int64_t t_us, dw_trk *out);

/* The live tracks, in a stable order (by creation). */
size_t dw_tracker_count(const dw_tracker *t);
const dw_trk *dw_tracker_get(const dw_tracker *t, size_t i);
/* When sensor sensor_idx last updated the live track k (a pointer dw_tracker_get gave),
 * INT64_MIN when it never did (or k is not a live track of t). */
int64_t dw_tracker_last_update_by(const dw_tracker *t, const dw_trk *k, int sensor_idx);

/* The confirmed tracks deleted by the last update, as they were last
 * (status DW_TRACK_DEAD); valid until the next update. Tentative tracks that
 * never confirmed are not listed. */
size_t dw_tracker_deleted(const dw_tracker *t, const dw_trk **dead);

void dw_tracker_get_stats(const dw_tracker *t, dw_tracker_stats *out);

#endif

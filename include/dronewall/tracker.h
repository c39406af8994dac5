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
 *      exactly (global nearest neighbour, dw_assign),
 *   4. updates assigned tracks (Kalman / extended Kalman), counts misses,
 *      confirms tentative tracks by M-of-N and deletes stale ones,
 *   5. starts a tentative track on every measurement nobody took.
 * Batches from several sensors are applied one after the other in time order
 * (sequential multi-sensor updating).
 *
 * Memory: every track lives in a pool sized at creation; the scratch space of
 * the association step grows to the largest batch seen and is then reused, so
 * the steady-state loop does not allocate. The tracker owns its tracks; the
 * pointers it hands out stay valid until the next update or destroy.
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
    int nx;             /* state dimension */
    int n_pos;          /* number of position axes (2 or 3) */
    int pos_idx[3];     /* where they are in the state */
    int vel_idx[3];     /* where the matching velocities are */
    double q;           /* process noise power spectral density, per axis */
    double q_v;         /* cv_geo: the vertical axis's (q is the horizontal's) */
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
} dw_meas_model;

/* Direct measurement of the position axes (H selects them). */
extern const dw_meas_model dw_meas_linear_pos;

/* One measurement. R is nz x nz row-major; `user` is the caller's tag,
 * handed back with the track that took the measurement. */
typedef struct dw_meas {
    int64_t t_us;
    double z[DW_TRK_MAX_Z];
    double R[DW_TRK_MAX_Z * DW_TRK_MAX_Z];
    uint32_t user;
} dw_meas;

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
    int64_t max_coast_us;       /* drop a track not updated for this long, 0: never */
} dw_tracker_config;

/* Defaults: CV in n_axes, gate 11.8 (chi2 99.7 % in 2-D), 2-of-3 confirmation,
 * 3 misses to delete, 10,000 tracks. */
void dw_tracker_config_default(dw_tracker_config *c, int n_axes, double q);

/* The tracker's view of one track: read-only for callers. */
typedef struct dw_trk {
    uint64_t id;
    dw_track_status status;
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
} dw_trk;

typedef struct dw_tracker_stats {
    uint64_t batches, measurements, updates, initiated, confirmed, deleted;
    uint64_t gate_tests, pairs, clusters, max_cluster, unlinearisable;
    uint64_t pool_full;             /* measurements that could start no track */
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
     * NULL means 1 inside the cover. */
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

/* Predict every track to t_us without measurements (for output times). */
void dw_tracker_predict(dw_tracker *t, int64_t t_us);

/* A copy of track k predicted to t_us, for output; the track is unchanged. */
void dw_tracker_predict_copy(const dw_tracker *t, const dw_trk *k, int64_t t_us, dw_trk *out);

/* The live tracks, in a stable order (by creation). */
size_t dw_tracker_count(const dw_tracker *t);
const dw_trk *dw_tracker_get(const dw_tracker *t, size_t i);

/* The confirmed tracks deleted by the last update, as they were last
 * (status DW_TRACK_DEAD); valid until the next update. Tentative tracks that
 * never confirmed are not listed. */
size_t dw_tracker_deleted(const dw_tracker *t, const dw_trk **dead);

void dw_tracker_get_stats(const dw_tracker *t, dw_tracker_stats *out);

#endif

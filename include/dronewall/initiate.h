/* initiate.h — new tracks from sensors that give no position on their own.
 *
 * A bearing (an acoustic node, an RF direction finder, a camera) is a line
 * from its site; a detection-only cell is a disc. Neither says where a target
 * is, so the tracker cannot start a track from one (tracker.h: to_pos fails,
 * the measurement is left "unassigned"). Two or more of them from different
 * sites, close in time, can:
 *   - bearings: the rays from two or more sites, crossing at more than
 *     min_cross_rad and at a place within each sensor's range, are
 *     intersected by weighted least squares in 3-D (each azimuth is a vertical
 *     half-plane through its site; an elevation a plane across it), with the
 *     position covariance from the bearing sigmas and the geometry. The
 *     altitude comes from the elevations when a camera gives any, else from a
 *     prior (alt_m ± alt_sigma_m: a drone-like height, stated, not measured).
 *     A third ray joins a fix when it passes within the gate of it.
 *   - cells: two discs of different nodes that overlap give a fix at the
 *     centre of their overlap (the lens), with the covariance of a uniform
 *     ellipse of the lens's half-widths (semi-axis² / 4 per axis); further
 *     cells that contain that centre are taken with it.
 * The target moves between the measurements: each one's error is widened by
 * speed_sigma_mps times its age at the fix (the newest measurement's time).
 *
 * The initiator only proposes fixes; the caller decides (the pipeline skips a
 * fix an existing track already explains, and starts the others with
 * dw_tracker_start_track). Each bearing or cell is used at most once.
 *
 * Memory: one ring of `capacity` entries allocated at create; a full ring
 * drops its oldest entry (counted). Nothing is allocated afterwards. Sites
 * are the caller's (dw_bearing_site) and must outlive the entries that name
 * them, i.e. the window.
 */
#ifndef DRONEWALL_INITIATE_H
#define DRONEWALL_INITIATE_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/status.h"
#include "dronewall/track_geo.h"

typedef struct dw_initiator_config {
    int64_t window_us;          /* measurements this close in time combine (10 s)   */
    size_t capacity;            /* ring size (4096)                                  */
    double min_cross_rad;       /* rays must cross at more than this (10°)           */
    double range_margin;        /* a fix may lie at (1 + this) x a sensor's range (0.25) */
    double default_range_m;     /* the range of a site that gives none (20 km)      */
    double alt_m, alt_sigma_m;  /* altitude prior without elevations (1000, 1000)   */
    double speed_sigma_mps;     /* target speed, to widen older measurements (50)    */
    double gate;                /* chi-square a third ray must pass to join (9)      */
} dw_initiator_config;

void dw_initiator_config_default(dw_initiator_config *c);

/* A bearing nobody took. */
typedef struct dw_init_bearing {
    int64_t t_us;
    const dw_bearing_site *site;    /* the caller's, see above */
    double az_rad, sigma_az_rad;
    double el_rad, sigma_el_rad;    /* sigma_el_rad <= 0: no elevation */
    int tag;                        /* the caller's (the tracker slot) */
} dw_init_bearing;

/* A cell nobody took: something within radius_m of (lat, lon). */
typedef struct dw_init_cell {
    int64_t t_us;
    uint64_t node;                  /* tells nodes apart */
    double lat_deg, lon_deg, radius_m;
    int tag;
} dw_init_cell;

typedef enum dw_init_source { DW_INIT_BEARINGS = 0, DW_INIT_CELLS = 1 } dw_init_source;

/* A proposed track start. */
typedef struct dw_init_fix {
    int64_t t_us;               /* the newest measurement's time        */
    double pos[3];              /* ECEF, m                              */
    double cov[9];              /* ECEF, m², row-major                  */
    dw_init_source source;
    int n_used;                 /* bearings or cells combined           */
    int n_el;                   /* of them, bearings with an elevation  */
    int tag;                    /* the newest measurement's tag         */
} dw_init_fix;

typedef struct dw_initiator_stats {
    uint64_t bearings, cells;       /* added                                  */
    uint64_t fixes_bearing, fixes_cell;
    uint64_t rays_used, cells_used;
    uint64_t dropped;               /* pushed out of a full ring unused       */
    uint64_t rejected;              /* pairs that met no test (angle, range, behind) */
} dw_initiator_stats;

typedef struct dw_initiator dw_initiator;

/* Create (cfg NULL: the defaults; the config is copied). DW_ERR_INVALID for
 * a window, capacity or gate that is not positive; DW_ERR_NOMEM. */
dw_status dw_initiator_create(const dw_initiator_config *cfg, dw_initiator **out);
void dw_initiator_destroy(dw_initiator *in);    /* NULL is fine */

/* Keep a bearing or a cell (copied) for the next run. A bearing without a
 * site, or with a non-finite angle or sigma, is ignored. */
void dw_initiator_add_bearing(dw_initiator *in, const dw_init_bearing *b);
void dw_initiator_add_cell(dw_initiator *in, const dw_init_cell *c);

/* Combine what was added since the last run with what the window still
 * holds; write up to max fixes (the rest wait for the next run, their
 * measurements still unused). Returns how many were written. now_us is the
 * newest time given; entries older than now_us - window_us are forgotten. */
size_t dw_initiator_run(dw_initiator *in, int64_t now_us, dw_init_fix *fixes, size_t max);

void dw_initiator_get_stats(const dw_initiator *in, dw_initiator_stats *out);

#endif

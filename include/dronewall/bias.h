/* bias.h — radar registration: each radar's azimuth misalignment and range
 * offset, estimated from the aircraft that say where they are.
 *
 * No radar points exactly where it thinks it points: its north is off by a
 * fraction of a degree (the antenna's alignment, the encoder's zero) and its
 * range by some tens of metres (cable and processing delays). Half a degree is
 * 870 m at 100 km, more than twice a good radar's noise: two radars then
 * report one drone as two, or the tracker holds one track between their plots.
 * Cooperative aircraft give the bias away. An airliner's ADS-B position is
 * known to about 20 m, so the track that holds its ICAO address predicts where
 * each radar should see it; the radar's plot of it (a Mode S reply carries the
 * address) misses that prediction by the radar's bias plus noise.
 *
 * The caller feeds such pairs, one plot and the cooperative track's predicted
 * range and azimuth, and this module keeps per radar a Kalman (recursive least
 * squares) estimate of b = [az_bias_rad, range_bias_m] with its covariance:
 *     residual = plot - prediction = b + e,
 *     e ~ N(0, diag(sigma_az² + s²/r², sigma_range² + s²)),
 * s being the track's position sigma at range r. Outliers (a plot given to the
 * wrong aircraft, a multipath reply) are kept out by a chi-square gate on the
 * residual less the current estimate, its covariance including the estimate's
 * own. A gate cannot protect the first pairs, when nothing is known yet, so
 * the first `warmup` pairs of a radar are held, their component-wise median
 * taken as a robust start, and only those within the gate of the median fed
 * in. The estimate is `valid` once min_count pairs have been taken; its sigma
 * then shrinks as 1/sqrt(n) (docs/tracker.md, "Radar registration"). With
 * drift noise configured, it follows a bias that wanders (a radar re-aligned
 * in the field) at the price of a floor on the sigma.
 *
 * The estimate is the bias itself: feed the plots as measured, never the
 * corrected ones, and correct plots with dw_bias_correct() on their way to the
 * tracker.
 *
 * Memory: everything is allocated by dw_bias_create() (one block for all
 * radars); nothing afterwards. Not thread-safe: one estimator per pipeline.
 * Time is the pairs' own (t_us), never the clock.
 */
#ifndef DRONEWALL_BIAS_H
#define DRONEWALL_BIAS_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/status.h"

#define DW_BIAS_MAX_WARMUP 64   /* pairs held for the robust start, at most */

typedef struct dw_bias_config {
    double gate;                /* chi-square gate on the 2-D residual (13.8: 99.9 %)      */
    int min_count;              /* pairs taken before the estimate is valid (50)           */
    int warmup;                 /* pairs held for the robust start, 1..DW_BIAS_MAX_WARMUP (15) */
    double prior_az_sigma_rad;  /* what is known before any pair: 3 degrees                 */
    double prior_range_sigma_m; /* and 1,000 m; > 0                                         */
    double max_track_sigma_m;   /* pairs from a track less certain than this are skipped (300) */
    double drift_az_rad2_per_s; /* random-walk drift of the bias (0, 0: a constant bias)    */
    double drift_range_m2_per_s;
} dw_bias_config;

/* The defaults in the comments above. */
void dw_bias_config_default(dw_bias_config *c);

/* One plot of a cooperative aircraft and where its track says it is. Build it
 * zeroed (memset or `= {0}`) so that fields added later keep their neutral value. */
typedef struct dw_bias_pair {
    int64_t t_us;               /* the plot's time                                   */
    int radar;                  /* 0 .. n_radars-1: the caller's numbering (a slot)   */
    double range_m, az_rad;     /* the plot as the track took it                      */
    /* What had been taken off the plot before the track took it (the amounts
     * dw_bias_correct() subtracted; 0 when it was not corrected): added back,
     * so that the estimator always sees the plot as measured. */
    double corr_range_m, corr_az_rad;
    double pred_range_m;        /* the track's position at t_us seen from the radar   */
    double pred_az_rad;
    double track_sigma_m;       /* the track's position sigma, per axis (m, >= 0)     */
    /* Optional, > 0: the track's position sigma along the line of sight from the
     * radar and across it (horizontally), which then replace track_sigma_m; an
     * aircraft's track knows its height (Mode C, ADS-B) far better than its
     * horizontal position, so the mean of the three axes understates both. */
    double track_range_sigma_m, track_cross_sigma_m;
    double sigma_range_m;       /* the plot's own noise (> 0)                         */
    double sigma_az_rad;
    /* 1: the prediction comes from the track after it took this very plot (the
     * state a tracker holds once the batch is applied), so it has been pulled
     * towards the plot by the gain m/(m + R) on each component (m the prior's
     * share, H P H'); the residual is scaled back by R / (R - s²) (s² the
     * posterior's share, the components taken as independent, which they are when
     * the track is far more certain than the plot), and a plot that dominates its
     * track's estimate (s² > R/2, m > R) is skipped as too uncertain. 0: the
     * prediction is the track's before the plot. */
    int posterior;
} dw_bias_pair;

/* What became of a pair. */
typedef enum dw_bias_outcome {
    DW_BIAS_TAKEN,              /* went into the estimate                          */
    DW_BIAS_HELD,               /* held for the robust start (taken or not later)  */
    DW_BIAS_OUTLIER,            /* outside the gate                                */
    DW_BIAS_UNCERTAIN,          /* the track was too uncertain to say anything     */
} dw_bias_outcome;

/* One radar's estimate and its history. */
typedef struct dw_bias_info {
    double az_bias_rad, range_bias_m;
    double cov[2][2];           /* [az, range], rad², rad·m, m²                     */
    int valid;                  /* min_count pairs taken                          */
    int started;                /* the robust start is done                       */
    uint64_t pairs;             /* given (add called with a good pair)            */
    uint64_t taken, outliers, uncertain;
    int64_t last_us;            /* time of the last pair taken, INT64_MIN: none    */
} dw_bias_info;

typedef struct dw_bias dw_bias;

/* An estimator for radars 0 .. n_radars-1 (1 .. 4096); cfg NULL: defaults (the
 * config is copied). DW_ERR_INVALID for a bad config or count, DW_ERR_NOMEM.
 * The caller destroys it. */
dw_status dw_bias_create(size_t n_radars, const dw_bias_config *cfg, dw_bias **out);
void dw_bias_destroy(dw_bias *b);       /* NULL is fine */

/* Feed one pair; *outcome (may be NULL) says what became of it. DW_ERR_INVALID
 * (nothing changes, outcome untouched) for an unknown radar, a value that is
 * not finite, a range or plot sigma not above 0 or a negative track sigma. A
 * track sigma above max_track_sigma_m makes the pair DW_BIAS_UNCERTAIN. */
dw_status dw_bias_add(dw_bias *b, const dw_bias_pair *p, dw_bias_outcome *outcome);

/* Radar r's estimate: the azimuth bias (rad, clockwise: the radar reads this
 * much more than the truth), the range bias (m, the same sense), their sigmas
 * (any pointer may be NULL) and whether it is valid. Before the robust start
 * the estimate is 0 with the prior's sigmas. DW_ERR_INVALID for an unknown
 * radar (nothing written). */
dw_status dw_bias_get(const dw_bias *b, int radar, double *az_bias_rad, double *range_bias_m,
                      double *sigma_az_rad, double *sigma_range_m, int *valid);

/* Everything about radar r's estimate. DW_ERR_INVALID for an unknown radar. */
dw_status dw_bias_get_info(const dw_bias *b, int radar, dw_bias_info *out);

/* Take radar r's valid bias out of a plot: range_m -= range bias, az_rad -=
 * azimuth bias (wrapped to [0, 2pi)). Returns 1 when corrected; 0, with the
 * plot untouched, when the estimate is not valid or r is unknown. */
int dw_bias_correct(const dw_bias *b, int radar, double *range_m, double *az_rad);

/* Forget radar r's estimate (it was re-aligned). DW_ERR_INVALID for an unknown radar. */
dw_status dw_bias_reset(dw_bias *b, int radar);

#endif

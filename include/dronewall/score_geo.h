/* score_geo.h — scoring a geodetic picture against the simulator's truth.
 *
 * At every instant that has truth, the truths alive then and the confirmed
 * or coasting track reports of the same instant are put in one local ENU
 * frame (at the first truth's position) and compared with GOSPA in 3-D
 * (optimal assignment, cut-off c metres, alpha = 2). Besides GOSPA it
 * reports completeness (the share of truth instants with a track assigned),
 * position RMSE over assigned pairs, and how often a truth changed the
 * track assigned to it (track-number changes, as SIAP counts them).
 * Tracks must be reported at the truth instants (`dronewall track --report`
 * on the same grid); a track report at another instant is not used.
 */
#ifndef DRONEWALL_SCORE_GEO_H
#define DRONEWALL_SCORE_GEO_H

#include <stddef.h>
#include <stdio.h>

#include "dronewall/status.h"
#include "dronewall/track.h"
#include "dronewall/truth.h"

typedef struct dw_geo_score {
    size_t n_steps;             /* instants with truth */
    size_t n_truth;             /* truth points (alive)  */
    size_t n_pairs;
    double gospa_mean, gospa_localisation_mean, gospa_missed_mean, gospa_false_mean;
    double missed_per_step, false_per_step;
    double completeness;        /* n_pairs / n_truth */
    double rmse_m;
    size_t id_changes;          /* a truth's assigned track changed */
    size_t n_truth_ids;
    double c_m, p;
} dw_geo_score;

/* Score; the arrays may be in any order (they are sorted internally by a
 * copy). DW_ERR_INVALID for c <= 0 or p < 1, DW_ERR_NOMEM. */
dw_status dw_geo_score_run(const dw_truth *truth, size_t n_truth, const dw_track *tracks,
                           size_t n_tracks, double c_m, double p, dw_geo_score *out);

/* One JSON object on one line, without the newline. */
void dw_geo_score_print_json(FILE *f, const dw_geo_score *s);

#endif

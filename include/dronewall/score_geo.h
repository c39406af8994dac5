/* score_geo.h — scoring a geodetic picture against the simulator's truth.
 *
 * At every instant that has truth, the truths alive then and the confirmed
 * or coasting track reports of the same instant are put in one local ENU
 * frame (at the first truth's position) and compared in 3-D, in two ways:
 *
 * - GOSPA (optimal 1-to-1 assignment, cut-off c metres, alpha = 2) and the
 *   figures of that assignment: completeness (the share of truth points with
 *   a track assigned), position RMSE over assigned pairs, track-number
 *   changes (a truth's assigned track id changed since its last assignment),
 *   the share of truth objects ever held, and the longest segment (per truth
 *   object, the longest run of its consecutive points held by one track id,
 *   over its number of points). All of these also per class (the truth's
 *   class at its first point).
 * - SIAP's association by distance: each track report belongs to its nearest
 *   truth closer than c, and several reports may belong to one truth. That is
 *   what ambiguity needs (a duplicate track is redundant, not false, and the
 *   1-to-1 assignment cannot see it): SIAP completeness (truth points with at
 *   least one report), ambiguity (reports belonging to a truth over truths
 *   with one), spuriousness (reports belonging to none over all reports) and
 *   false tracks (track ids whose reports never belonged to a truth).
 * - Both completenesses again over the truth points inside coverage only (a truth
 *   point marked unseen, which no sensor reported in the 30 s before, is left out),
 *   overall and per class: what a tracker can be asked to hold.
 *
 * Tracks must be reported at the truth instants (`dronewall track --report`
 * on the same grid); a track report at another instant is not used.
 */
#ifndef DRONEWALL_SCORE_GEO_H
#define DRONEWALL_SCORE_GEO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dronewall/status.h"
#include "dronewall/track.h"
#include "dronewall/truth.h"

/* The figures of one class of truth (1-to-1 assignment). */
typedef struct dw_geo_class_score {
    size_t n_truth;             /* truth points                               */
    size_t n_pairs;             /* of them with a track assigned              */
    size_t n_truth_ids;         /* truth objects                              */
    size_t id_changes;
    double completeness;        /* n_pairs / n_truth                          */
    double rmse_m;              /* over the pairs; NaN without any            */
    double held_share;          /* objects with a track assigned at least once */
    double longest_segment_mean;
    /* Inside coverage: the truth points not marked unseen (dw_truth.unseen). */
    size_t n_in_cover;
    double completeness_in_cover;       /* 1-to-1, as completeness; NaN without any */
    double siap_completeness_in_cover;  /* with a report within c, as SIAP's      */
} dw_geo_class_score;

/* Drone tracks by the mix of sensors that made them (see dw_geo_score_run_mix). */
#define DW_GEO_MAX_MIX 8

typedef struct dw_geo_mix_score {
    size_t n_pairs;             /* drone truth points held by a track of this mix */
    double rmse_m;              /* NaN without any                                */
} dw_geo_mix_score;

typedef struct dw_geo_score {
    size_t n_steps;             /* instants with truth */
    size_t n_truth;             /* truth points (alive)  */
    size_t n_pairs;
    double gospa_mean, gospa_localisation_mean, gospa_missed_mean, gospa_false_mean;
    double missed_per_step, false_per_step;
    double completeness;        /* n_pairs / n_truth */
    double rmse_m;
    size_t id_changes;          /* a truth's assigned track changed */
    size_t n_truth_ids;         /* truth objects (ids with an alive point) */
    double held_share;          /* of them, with a track assigned at least once */
    double longest_segment_mean;/* mean over truth objects, 0..1 */
    /* SIAP, by distance association (see above); NaN where undefined. */
    size_t n_track_reports;     /* confirmed or coasting, at truth instants */
    size_t n_track_ids;         /* distinct ids among them */
    size_t false_tracks;        /* ids never near a truth */
    double siap_completeness;
    size_t n_in_cover;          /* truth points inside coverage (not unseen)  */
    double siap_completeness_in_cover;
    double ambiguity;           /* >= 1; 1 is best */
    double spuriousness;
    dw_geo_class_score by_class[DW_NCLASSES];
    dw_geo_mix_score by_mix[DW_GEO_MAX_MIX];    /* with dw_geo_score_run_mix */
    const char *const *mix_names;               /* borrowed; NULL: no by_mix  */
    size_t n_mix;
    double c_m, p;
} dw_geo_score;

/* Score; the arrays may be in any order (they are sorted internally by a
 * copy). DW_ERR_INVALID for c <= 0 or p < 1, DW_ERR_NOMEM. */
dw_status dw_geo_score_run(const dw_truth *truth, size_t n_truth, const dw_track *tracks,
                           size_t n_tracks, double c_m, double p, dw_geo_score *out);

/* The same, and the position error of drone tracks (truth classes owa_drone, decoy,
 * quadcopter, unknown) by sensor mix: mix[i] < n_mix labels tracks[i] (e.g. "radar only",
 * "acoustic only", "radar and acoustic"), names[] (borrowed: must outlive *out) names
 * the labels; n_mix <= DW_GEO_MAX_MIX. */
dw_status dw_geo_score_run_mix(const dw_truth *truth, size_t n_truth, const dw_track *tracks,
                               size_t n_tracks, const uint8_t *mix, const char *const *names,
                               size_t n_mix, double c_m, double p, dw_geo_score *out);

/* One JSON object on one line, without the newline: every figure above,
 * the per-class ones as "by_class": {"decoy": {...}, ...} with only the
 * classes that have truth, then "by_mix": {"radar only": {"n_pairs":..,"rmse_m":..}, ...}
 * when mixes were given. NaN is written as null. */
void dw_geo_score_print_json(FILE *f, const dw_geo_score *s);

#endif

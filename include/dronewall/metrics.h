/* metrics.h — how good are the tracks: GOSPA, RMSE and the accuracy bound.
 *
 * Scoring sits beside the pipeline: it sees truth and tracks, never the
 * tracker's insides. GOSPA (Rahmathullah, García-Fernández and Svensson,
 * 2017, with alpha = 2) is computed on arbitrary point sets with an optimal
 * assignment; the sets are first split into clusters (points closer than c,
 * found with a uniform grid of cell c and union-find) because a pair at
 * distance >= c can never be assigned, and each cluster is solved exactly with
 * dw_assign. That gives the same answer as one big solve at a fraction of the
 * cost when there are 1,000 targets per scan.
 *
 * Ownership: a dw_gospa_ws owns all its scratch memory, grows it to the
 * largest problem seen and then stops allocating; one workspace per thread.
 * The track2d scorer allocates per call (not per scan) and frees before it
 * returns.
 */
#ifndef DRONEWALL_METRICS_H
#define DRONEWALL_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "dronewall/status.h"
#include "dronewall/track2d.h"

/* ---- GOSPA on point sets ------------------------------------------------ */

typedef struct dw_gospa_ws dw_gospa_ws;

dw_status dw_gospa_ws_create(dw_gospa_ws **out);
void dw_gospa_ws_destroy(dw_gospa_ws *ws);   /* NULL is fine */

/* One scan's GOSPA. The three costs are in units of distance^p and add up to
 * total^p; for p = 1 they add up to total itself. */
typedef struct dw_gospa_parts {
    double total;           /* (localisation + missed_cost + false_cost)^(1/p) */
    double localisation;    /* sum of d^p over assigned pairs */
    double missed_cost;     /* c^p / 2 per truth left unassigned */
    double false_cost;      /* c^p / 2 per estimate left unassigned */
    int n_pairs, n_missed, n_false;
    double sum_sq_dist;     /* sum of d^2 over assigned pairs (for RMSE) */
} dw_gospa_parts;

/* GOSPA with cut-off c > 0, order p >= 1 and alpha = 2 between nt truth and
 * ne estimated 2-D positions (x, y interleaved). Pairs at distance >= c are
 * forbidden, i.e. count as one missed plus one false. On DW_OK fills *out;
 * DW_ERR_INVALID on a bad c, p, count or a non-finite coordinate;
 * DW_ERR_NOMEM if the workspace cannot grow (then *out is unchanged). */
dw_status dw_gospa(const double *truth_xy, int nt, const double *est_xy, int ne, double c,
                   double p, dw_gospa_ws *ws, dw_gospa_parts *out);

/* The same for points of `dim` coordinates each (dim >= 1; the cluster grid
 * uses the first two, which finds every pair closer than c in any dim). */
dw_status dw_gospa_nd(const double *truth, int nt, const double *est, int ne, int dim,
                      double c, double p, dw_gospa_ws *ws, dw_gospa_parts *out);

/* The assignment of the last successful call: entry i is the estimate paired
 * with truth i, or -1. Owned by ws; valid until its next call. */
const int *dw_gospa_assignment(const dw_gospa_ws *ws);

/* ---- the track2d benchmark's score -------------------------------------- */

/* RMSE and the bound skip the first scans, while trackers are still starting. */
#define DW_T2D_SCORE_FIRST_SCAN 10

typedef struct dw_t2d_score {
    /* Means over all n_scans scans of the scenario (a scan without track rows
     * counts with all its truths missed). The parts are in distance^p units
     * (see dw_gospa_parts). */
    double gospa_mean, gospa_localisation_mean, gospa_missed_mean, gospa_false_mean;
    double missed_per_scan, false_per_scan;     /* counts */
    double rmse;            /* position, over assigned pairs from FIRST_SCAN on */
    double pcrlb_rmse;      /* NaN if the scenario has no origins */
    double rmse_over_pcrlb;
    size_t n_scans;
    size_t n_pairs;         /* the pairs behind rmse */
} dw_t2d_score;

/* Score track rows (any order) against a scenario read with at least
 * DW_T2D_TRUTH; with DW_T2D_MEAS | DW_T2D_ORIGIN too the bound is computed,
 * else (or when dw_t2d_pcrlb_rmse refuses the scenario) it is NaN.
 * DW_ERR_RANGE if a row's scan is outside the scenario; DW_ERR_INVALID on a
 * bad c or p. */
dw_status dw_t2d_score_tracks(const dw_t2d_scenario *sc, const dw_t2d_track_row *rows,
                              size_t n_rows, double c, double p, dw_t2d_score *out);

/* The README's bound: sqrt(mean over targets and scans >= first_scan of the
 * position trace of J^-1), J from the information recursion with s = 1 on the
 * scans where the target was detected (a target that first appears later
 * starts from J(0) there). Needs truth, meas and origin. DW_ERR_INVALID
 * without them, when sigma_z, sigma_v or spacing are not positive, or when a
 * truth id appears twice in a scan; DW_ERR_RANGE if no (target, scan) counts. */
dw_status dw_t2d_pcrlb_rmse(const dw_t2d_scenario *sc, int first_scan, double *out);

/* One JSON object on one line, without the newline: gospa_mean,
 * gospa_localisation_mean, gospa_missed_mean, gospa_false_mean,
 * missed_per_scan, false_per_scan, rmse, pcrlb_rmse, rmse_over_pcrlb, n_scans,
 * n_pairs. NaN and infinities are written as null. */
void dw_t2d_score_print_json(FILE *f, const dw_t2d_score *s);

#endif

/* jpda.h — the marginal association probabilities of one cluster, for the
 * tracker's joint probabilistic data association (private to src/track and
 * its tests).
 *
 * A cluster is nr tracks and nc measurements joined by gated pairs. A joint
 * event gives each track at most one measurement and each measurement at
 * most one track; its weight is the product over the tracks of the
 * likelihood ratio of the measurement it takes (Pd N(nu; 0, S) over the
 * clutter density) or of its miss (1 - Pd). Summing the weights of the
 * events in which track i takes measurement j, over the sum of all, gives
 * beta_ij; beta_i0 is the same for track i taking none. The events are
 * enumerated depth-first over the tracks with a running product, each node
 * adding the weight of its subtree to the pair that chose it, so the work is
 * proportional to the number of events, and an enumeration that would pass a
 * cap stops there (the caller then solves the cluster otherwise).
 *
 * The workspace owns its scratch and grows it only for a larger cluster than
 * any before: the hot loop does not allocate.
 */
#ifndef DW_TRACK_JPDA_H
#define DW_TRACK_JPDA_H

#include "dronewall/status.h"

typedef struct dw__jpda_ws dw__jpda_ws;

/* Create an empty workspace; free it with dw__jpda_destroy (NULL is fine). */
dw_status dw__jpda_create(dw__jpda_ws **out);
void dw__jpda_destroy(dw__jpda_ws *ws);

/* The betas of a cluster of nr tracks and nc measurements.
 * lg[i * nc + j]: log of the likelihood ratio of track i taking measurement j
 * (-INFINITY: not gated); lmiss[i]: log of track i's miss weight. Any
 * constant added to a track's row and its lmiss cancels, so the values need
 * only be right relative to each other within a row.
 * On DW_OK, beta[i * (nc + 1)] is beta_i0 and beta[i * (nc + 1) + 1 + j] is
 * beta_ij, and *n_events (if not NULL) the number of joint events.
 * DW_ERR_FULL: more than max_events events (beta is not written);
 * DW_ERR_INVALID: no event has a positive finite weight (every one
 * underflowed, or a NaN), or nr, nc out of range; DW_ERR_NOMEM. */
dw_status dw__jpda_betas(dw__jpda_ws *ws, int nr, int nc, const double *lg, const double *lmiss,
                         long max_events, double *beta, long *n_events);

#endif

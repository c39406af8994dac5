/* jpda.c — exact marginal association probabilities of a cluster by
 * enumerating its joint events (see jpda.h).
 *
 * Depth-first over the tracks: track i either misses or takes one of its
 * gated measurements that no earlier track took. A node is called with the
 * product of the choices above it and returns the sum, over every way of
 * completing the event below it, of the product of the choices there; the
 * product of the two is the total weight of the events through that node,
 * which is what the choice that led to it adds to its beta. Every node is
 * visited once, so the work is the number of nodes (at most the number of
 * events times the number of tracks), not that times the cost of a sum over
 * each event's pairs.
 *
 * Each track's factors are divided by its largest one before the search
 * (the same constant multiplies every event, so the betas do not change):
 * then every factor is at most 1, the best choice of each track is 1, and a
 * cluster whose likelihoods are far below 1 in absolute terms (a polar
 * measurement's density, radians times metres) neither underflows nor
 * overflows.
 */
#include "track/jpda.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct dw__jpda_ws {
    int cap_r, cap_c;           /* largest cluster the buffers hold */
    double *g;                  /* by track: its gated factors, compact */
    int *col;                   /* ... and their measurements           */
    int *deg;                   /* by track: how many                   */
    double *miss;               /* by track: its miss factor            */
    double *acc;                /* by track: (nc + 1) sums, miss first  */
    unsigned char *used;        /* by measurement: taken above          */
    int nr, nc;
    long n_events, max_events;
};

dw_status dw__jpda_create(dw__jpda_ws **out)
{
    dw__jpda_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return DW_ERR_NOMEM;
    *out = ws;
    return DW_OK;
}

void dw__jpda_destroy(dw__jpda_ws *ws)
{
    if (!ws)
        return;
    free(ws->g);
    free(ws->col);
    free(ws->deg);
    free(ws->miss);
    free(ws->acc);
    free(ws->used);
    free(ws);
}

static dw_status reserve(dw__jpda_ws *ws, int nr, int nc)
{
    if (nr <= ws->cap_r && nc <= ws->cap_c)
        return DW_OK;
    int r = ws->cap_r > nr ? ws->cap_r : nr, c = ws->cap_c > nc ? ws->cap_c : nc;
    size_t rc = (size_t)r * (size_t)c, ra = (size_t)r * (size_t)(c + 1);
    double *g = realloc(ws->g, rc * sizeof *g);
    if (g)
        ws->g = g;
    int *col = realloc(ws->col, rc * sizeof *col);
    if (col)
        ws->col = col;
    int *deg = realloc(ws->deg, (size_t)r * sizeof *deg);
    if (deg)
        ws->deg = deg;
    double *miss = realloc(ws->miss, (size_t)r * sizeof *miss);
    if (miss)
        ws->miss = miss;
    double *acc = realloc(ws->acc, ra * sizeof *acc);
    if (acc)
        ws->acc = acc;
    unsigned char *used = realloc(ws->used, (size_t)c);
    if (used)
        ws->used = used;
    if (!g || !col || !deg || !miss || !acc || !used)
        return DW_ERR_NOMEM;   /* the buffers that grew are kept; cap unchanged */
    ws->cap_r = r;
    ws->cap_c = c;
    return DW_OK;
}

/* The events below track i, given the product `above` of the choices of
 * tracks 0..i-1: adds each choice's total to acc, returns the sum over the
 * completions of their products (1 at a leaf). Stops counting (returns 0)
 * once there are more events than the cap. */
static double descend(dw__jpda_ws *ws, int i, double above)
{
    if (i == ws->nr)
        return ++ws->n_events <= ws->max_events ? 1.0 : 0.0;
    const int nc1 = ws->nc + 1;
    double *acc = ws->acc + (size_t)i * (size_t)nc1;
    double below = descend(ws, i + 1, above * ws->miss[i]);
    double sum = ws->miss[i] * below;
    acc[0] += above * sum;
    const double *g = ws->g + (size_t)i * (size_t)ws->nc;
    const int *col = ws->col + (size_t)i * (size_t)ws->nc;
    for (int q = 0; q < ws->deg[i] && ws->n_events <= ws->max_events; q++) {
        int j = col[q];
        if (ws->used[j])
            continue;
        ws->used[j] = 1;
        below = descend(ws, i + 1, above * g[q]);
        ws->used[j] = 0;
        acc[1 + j] += above * g[q] * below;
        sum += g[q] * below;
    }
    return sum;
}

dw_status dw__jpda_betas(dw__jpda_ws *ws, int nr, int nc, const double *lg, const double *lmiss,
                         long max_events, double *beta, long *n_events)
{
    if (nr < 1 || nc < 0 || nr > 4096 || nc > 4096)
        return DW_ERR_INVALID;
    dw_status st = reserve(ws, nr, nc);
    if (st != DW_OK)
        return st;
    ws->nr = nr;
    ws->nc = nc;
    ws->n_events = 0;
    ws->max_events = max_events;
    const int nc1 = nc + 1;
    for (int i = 0; i < nr; i++) {
        const double *row = lg + (size_t)i * (size_t)nc;
        double top = lmiss[i];
        for (int j = 0; j < nc; j++)
            if (row[j] > top)
                top = row[j];
        if (isnan(top) || top == -INFINITY)
            top = 0.0;   /* nothing possible: every factor stays 0 */
        if (isinf(top))
            return DW_ERR_INVALID;
        int d = 0;
        for (int j = 0; j < nc; j++) {
            if (!(row[j] > -INFINITY))
                continue;
            ws->g[(size_t)i * (size_t)nc + (size_t)d] = exp(row[j] - top);
            ws->col[(size_t)i * (size_t)nc + (size_t)d] = j;
            d++;
        }
        ws->deg[i] = d;
        ws->miss[i] = lmiss[i] > -INFINITY ? exp(lmiss[i] - top) : 0.0;
    }
    memset(ws->acc, 0, (size_t)nr * (size_t)nc1 * sizeof *ws->acc);
    memset(ws->used, 0, (size_t)nc);
    double z = descend(ws, 0, 1.0);
    if (ws->n_events > max_events)
        return DW_ERR_FULL;
    if (!(z > 0) || !isfinite(z))
        return DW_ERR_INVALID;
    const double inv = 1.0 / z;
    for (size_t q = 0; q < (size_t)nr * (size_t)nc1; q++)
        beta[q] = ws->acc[q] * inv;
    if (n_events)
        *n_events = ws->n_events;
    return DW_OK;
}

/* assign.c — exact assignment by shortest augmenting paths.
 *
 * The square problem of size N = n + m is
 *
 *            real cols (m)          dummy cols (n)
 *   rows n [ cost[i][j]         |  row_miss[i] on the diagonal ]
 *   dum. m [ col_miss[j] diag.  |  0                           ]
 *
 * which always has a finite solution. Rows are added one at a time; each
 * addition runs Dijkstra over reduced costs (with potentials u, v) to the
 * nearest free column and flips the path, as in Jonker and Volgenant's
 * augmentation phase. Forbidden entries are skipped, never added.
 */
#include "dronewall/assign.h"

#include <stdlib.h>
#include <string.h>

struct dw_assign {
    int cap;            /* largest N the buffers hold */
    double *c;          /* (cap) x (cap), 0-based */
    double *u, *v, *minv;
    int *p, *way;
    unsigned char *used;
};

dw_status dw_assign_create(dw_assign **out)
{
    dw_assign *ws = calloc(1, sizeof *ws);
    if (!ws)
        return DW_ERR_NOMEM;
    *out = ws;
    return DW_OK;
}

void dw_assign_destroy(dw_assign *ws)
{
    if (!ws)
        return;
    free(ws->c);
    free(ws->u);
    free(ws->v);
    free(ws->minv);
    free(ws->p);
    free(ws->way);
    free(ws->used);
    free(ws);
}

static dw_status reserve(dw_assign *ws, int n)
{
    if (n <= ws->cap)
        return DW_OK;
    int cap = ws->cap ? ws->cap : 16;
    while (cap < n)
        cap *= 2;
    size_t k = (size_t)cap + 1;
    double *c = malloc((size_t)cap * (size_t)cap * sizeof *c);
    double *u = malloc(k * sizeof *u), *v = malloc(k * sizeof *v), *minv = malloc(k * sizeof *minv);
    int *p = malloc(k * sizeof *p), *way = malloc(k * sizeof *way);
    unsigned char *used = malloc(k);
    if (!c || !u || !v || !minv || !p || !way || !used) {
        free(c); free(u); free(v); free(minv); free(p); free(way); free(used);
        return DW_ERR_NOMEM;
    }
    free(ws->c); free(ws->u); free(ws->v); free(ws->minv); free(ws->p); free(ws->way); free(ws->used);
    ws->c = c; ws->u = u; ws->v = v; ws->minv = minv; ws->p = p; ws->way = way; ws->used = used;
    ws->cap = cap;
    return DW_OK;
}

dw_status dw_assign_solve(dw_assign *ws, int n, int m, const double *cost,
                          const double *row_miss, const double *col_miss,
                          int *row_to_col, double *total)
{
    if (n < 0 || m < 0)
        return DW_ERR_INVALID;
    for (int i = 0; i < n; i++)
        if (!isfinite(row_miss[i]))
            return DW_ERR_INVALID;
    for (int j = 0; j < m; j++)
        if (!isfinite(col_miss[j]))
            return DW_ERR_INVALID;

    /* Tiny cases without the machinery. */
    if (n == 0 || m == 0) {
        double t = 0;
        for (int i = 0; i < n; i++) { row_to_col[i] = -1; t += row_miss[i]; }
        for (int j = 0; j < m; j++) t += col_miss[j];
        if (total) *total = t;
        return DW_OK;
    }
    if (n == 1 && m == 1) {
        double both = row_miss[0] + col_miss[0];
        if (cost[0] < both) { row_to_col[0] = 0; if (total) *total = cost[0]; }
        else { row_to_col[0] = -1; if (total) *total = both; }
        return DW_OK;
    }

    const int N = n + m;
    dw_status st = reserve(ws, N);
    if (st != DW_OK)
        return st;

    double *c = ws->c;
    for (int i = 0; i < N; i++) {
        double *row = c + (size_t)i * N;
        if (i < n) {
            memcpy(row, cost + (size_t)i * m, (size_t)m * sizeof *row);
            for (int k = 0; k < n; k++)
                row[m + k] = k == i ? row_miss[i] : DW_ASSIGN_FORBID;
        } else {
            for (int j = 0; j < m; j++)
                row[j] = j == i - n ? col_miss[j] : DW_ASSIGN_FORBID;
            for (int k = 0; k < n; k++)
                row[m + k] = 0.0;
        }
    }

    /* 1-based arrays: p[j] is the row matched to column j (0 = none). */
    double *u = ws->u, *v = ws->v, *minv = ws->minv;
    int *p = ws->p, *way = ws->way;
    unsigned char *used = ws->used;
    for (int j = 0; j <= N; j++) { u[j] = 0; v[j] = 0; p[j] = 0; way[j] = 0; }

    for (int i = 1; i <= N; i++) {
        p[0] = i;
        int j0 = 0;
        for (int j = 0; j <= N; j++) { minv[j] = INFINITY; used[j] = 0; }
        do {
            used[j0] = 1;
            int i0 = p[j0], j1 = -1;
            double delta = INFINITY;
            const double *row = c + (size_t)(i0 - 1) * N;
            for (int j = 1; j <= N; j++) {
                if (used[j])
                    continue;
                double a = row[j - 1];
                if (a != DW_ASSIGN_FORBID) {
                    double cur = a - u[i0] - v[j];
                    if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                }
                if (minv[j] < delta) { delta = minv[j]; j1 = j; }
            }
            /* The dummy block guarantees a finite augmenting path. */
            if (j1 < 0)
                return DW_ERR_INVALID;
            for (int j = 0; j <= N; j++) {
                if (used[j]) { u[p[j]] += delta; v[j] -= delta; }
                else minv[j] -= delta;
            }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            int j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }

    double t = 0;
    for (int i = 0; i < n; i++)
        row_to_col[i] = -1;
    for (int j = 1; j <= N; j++) {
        int i = p[j] - 1;
        if (i < n) {
            if (j - 1 < m) { row_to_col[i] = j - 1; t += cost[(size_t)i * m + (j - 1)]; }
            else t += row_miss[i];
        } else if (j - 1 < m) {
            t += col_miss[j - 1];
        }
    }
    if (total)
        *total = t;
    return DW_OK;
}

/* gospa.c — GOSPA by clusters solved exactly.
 *
 * Only truth–estimate pairs closer than c may be assigned, so the bipartite
 * graph of such pairs falls apart into connected components whose optimal
 * assignments are independent: solving each one exactly is the same as one
 * big exact solve, and much cheaper (the solver is cubic). Candidate pairs come
 * from a hash grid of cell c over the estimates: any pair closer than c lies in
 * the same or a neighbouring cell.
 */
#include "dronewall/metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/assign.h"

struct cell {
    int64_t cx, cy;
    int head;               /* first estimate in the cell, -1 = empty slot */
};

struct edge {
    int i, j;               /* truth, estimate */
    double cost;            /* d^p */
    double d2;
};

struct dw_gospa_ws {
    dw_assign *as;
    /* Scratch, each array with its own capacity in elements. */
    int *enext;             /* per estimate: next estimate in the same cell */
    struct cell *tab;       /* the hash grid */
    int *parent, *cid, *local;              /* per node: truths, then estimates */
    int *c_nt, *c_ne, *c_estart;            /* per cluster */
    int *t2e;               /* truth -> estimate, the last answer */
    struct edge *edges;     /* candidate pairs (kept while growing) */
    int *eorder;            /* edges bucketed by cluster */
    double *cost, *row_miss, *col_miss;     /* one cluster's problem */
    int *r2c;
    size_t cap_enext, cap_tab, cap_parent, cap_cid, cap_local, cap_c_nt, cap_c_ne,
        cap_c_estart, cap_t2e, cap_edges, cap_eorder, cap_cost, cap_row_miss, cap_col_miss,
        cap_r2c;
};

dw_status dw_gospa_ws_create(dw_gospa_ws **out)
{
    if (!out)
        return DW_ERR_INVALID;
    dw_gospa_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return DW_ERR_NOMEM;
    if (dw_assign_create(&ws->as) != DW_OK) {
        free(ws);
        return DW_ERR_NOMEM;
    }
    *out = ws;
    return DW_OK;
}

void dw_gospa_ws_destroy(dw_gospa_ws *ws)
{
    if (!ws)
        return;
    dw_assign_destroy(ws->as);
    free(ws->enext);
    free(ws->tab);
    free(ws->parent);
    free(ws->cid);
    free(ws->local);
    free(ws->t2e);
    free(ws->edges);
    free(ws->eorder);
    free(ws->c_nt);
    free(ws->c_ne);
    free(ws->c_estart);
    free(ws->cost);
    free(ws->row_miss);
    free(ws->col_miss);
    free(ws->r2c);
    free(ws);
}

const int *dw_gospa_assignment(const dw_gospa_ws *ws) { return ws ? ws->t2e : NULL; }

/* A scratch array able to hold `need` elements: the old one if it is big
 * enough, else a fresh one (contents are not kept, which is all per-call
 * scratch needs) and the old one freed. NULL if that allocation fails, with
 * the old array untouched. */
static void *grow_scratch(void *old, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return old;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = malloc(c * elem);
    if (!q)
        return NULL;
    free(old);
    *cap = c;
    return q;
}

#define GROW(field, need, on_fail)                                              \
    do {                                                                        \
        size_t need_ = (need);                                                  \
        void *q_ = grow_scratch(ws->field, &ws->cap_##field, need_, sizeof *ws->field); \
        if (!q_ && need_ > ws->cap_##field)                                     \
            on_fail;                                                            \
        ws->field = q_;                                                         \
    } while (0)

/* Sizes every per-call array; *tabn is the hash grid's size for this call
 * (at most half full), which may be less than what an earlier call needed. */
static int reserve_ws(dw_gospa_ws *ws, int nt, int ne, size_t *tabn_out)
{
    size_t nodes = (size_t)nt + (size_t)ne, tabn = 16;
    while (tabn < 2 * (size_t)ne)
        tabn *= 2;
    *tabn_out = tabn;
    GROW(enext, (size_t)ne, return 0);
    GROW(tab, tabn, return 0);
    GROW(parent, nodes, return 0);
    GROW(cid, nodes, return 0);
    GROW(local, nodes, return 0);
    GROW(c_nt, nodes + 1, return 0);
    GROW(c_ne, nodes + 1, return 0);
    GROW(c_estart, nodes + 1, return 0);
    GROW(t2e, (size_t)nt, return 0);
    return 1;
}

/* Edges grow while they are found, so this one keeps its contents. */
static int push_edge(dw_gospa_ws *ws, size_t n, struct edge e)
{
    if (n == ws->cap_edges) {
        size_t c = ws->cap_edges ? 2 * ws->cap_edges : 256;
        struct edge *q = realloc(ws->edges, c * sizeof *q);
        if (!q)
            return 0;
        ws->edges = q;
        ws->cap_edges = c;
    }
    ws->edges[n] = e;
    return 1;
}

static int find(int *parent, int x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Far-away cells are clamped: the clamp is monotone, so cells that were
 * neighbours stay neighbours and no close pair is lost. */
static int64_t cell_of(double v, double c)
{
    double f = floor(v / c);
    const double lim = 4503599627370496.0; /* 2^52 */
    if (f > lim)
        f = lim;
    if (f < -lim)
        f = -lim;
    return (int64_t)f;
}

static size_t cell_hash(int64_t cx, int64_t cy, size_t mask)
{
    uint64_t h = (uint64_t)cx * 0x9e3779b97f4a7c15u ^ (uint64_t)cy * 0xc2b2ae3d27d4eb4fu;
    h ^= h >> 29;
    return (size_t)h & mask;
}

static struct cell *cell_slot(struct cell *tab, size_t mask, int64_t cx, int64_t cy)
{
    size_t h = cell_hash(cx, cy, mask);
    while (tab[h].head >= 0 && (tab[h].cx != cx || tab[h].cy != cy))
        h = (h + 1) & mask;
    return &tab[h];
}

static double pow_p(double d, double d2, double p)
{
    if (p == 1.0)
        return d;
    if (p == 2.0)
        return d2;
    return pow(d, p);
}

dw_status dw_gospa_nd(const double *truth, int nt, const double *est, int ne, int dim,
                      double c, double p, dw_gospa_ws *ws, dw_gospa_parts *out)
{
    if (!ws || !out || dim < 1 || nt < 0 || ne < 0 || !(c > 0) || !isfinite(c) ||
        !(p >= 1) || !isfinite(p) || (nt && !truth) || (ne && !est) || nt == INT32_MAX ||
        (size_t)nt + (size_t)ne >= (size_t)INT32_MAX)
        return DW_ERR_INVALID;
    for (size_t k = 0; k < (size_t)nt * (size_t)dim; k++)
        if (!isfinite(truth[k]))
            return DW_ERR_INVALID;
    for (size_t k = 0; k < (size_t)ne * (size_t)dim; k++)
        if (!isfinite(est[k]))
            return DW_ERR_INVALID;
    size_t tabn;
    if (!reserve_ws(ws, nt, ne, &tabn))
        return DW_ERR_NOMEM;

    const double miss = pow(c, p) / 2.0;
    const size_t mask = tabn - 1;
    for (size_t h = 0; h <= mask; h++)
        ws->tab[h].head = -1;
    for (int j = 0; j < ne; j++) {
        const double *e = est + (size_t)j * dim;
        int64_t cx = cell_of(e[0], c), cy = dim > 1 ? cell_of(e[1], c) : 0;
        struct cell *s = cell_slot(ws->tab, mask, cx, cy);
        if (s->head < 0) {
            s->cx = cx;
            s->cy = cy;
        }
        ws->enext[j] = s->head;
        s->head = j;
    }

    /* Candidate pairs and the components they join. */
    const int nodes = nt + ne;
    int *parent = ws->parent;
    for (int v = 0; v < nodes; v++)
        parent[v] = v;
    size_t n_edges = 0;
    for (int i = 0; i < nt; i++) {
        const double *t = truth + (size_t)i * dim;
        int64_t cx = cell_of(t[0], c), cy = dim > 1 ? cell_of(t[1], c) : 0;
        for (int64_t dx = -1; dx <= 1; dx++) {
            for (int64_t dy = (dim > 1 ? -1 : 0); dy <= (dim > 1 ? 1 : 0); dy++) {
                const struct cell *s = cell_slot(ws->tab, mask, cx + dx, cy + dy);
                for (int j = s->head; j >= 0; j = ws->enext[j]) {
                    const double *e = est + (size_t)j * dim;
                    double d2 = 0;
                    for (int k = 0; k < dim; k++)
                        d2 += (t[k] - e[k]) * (t[k] - e[k]);
                    double d = sqrt(d2);
                    if (!(d < c))
                        continue;
                    struct edge ed = {i, j, pow_p(d, d2, p), d2};
                    if (!push_edge(ws, n_edges, ed))
                        return DW_ERR_NOMEM;
                    n_edges++;
                    int a = find(parent, i), b = find(parent, nt + j);
                    if (a != b)
                        parent[a < b ? b : a] = a < b ? a : b;
                }
            }
        }
    }

    dw_gospa_parts r;
    memset(&r, 0, sizeof r);
    int *t2e = ws->t2e;
    for (int i = 0; i < nt; i++)
        t2e[i] = -1;

    /* Number the clusters that have at least one pair; lone points are
     * missed or false without a solve. */
    int *cid = ws->cid, *local = ws->local;
    for (int v = 0; v < nodes; v++)
        cid[v] = -1;
    int n_cl = 0;
    for (size_t k = 0; k < n_edges; k++) {
        int root = find(parent, ws->edges[k].i);
        if (cid[root] < 0)
            cid[root] = n_cl++;
    }
    int *c_nt = ws->c_nt, *c_ne = ws->c_ne, *c_estart = ws->c_estart;
    for (int k = 0; k <= n_cl; k++)
        c_nt[k] = c_ne[k] = c_estart[k] = 0;
    for (int v = 0; v < nodes; v++) {
        int cl = cid[find(parent, v)];
        if (cl < 0) {
            local[v] = -1;
            continue;
        }
        local[v] = v < nt ? c_nt[cl]++ : c_ne[cl]++;
    }
    /* Edges bucketed by cluster (counting sort). */
    GROW(eorder, n_edges, return DW_ERR_NOMEM);
    for (size_t k = 0; k < n_edges; k++)
        c_estart[cid[find(parent, ws->edges[k].i)] + 1]++;
    for (int k = 0; k < n_cl; k++)
        c_estart[k + 1] += c_estart[k];
    /* c_estart[cl] runs as the cluster's cursor, then is shifted back. */
    for (size_t k = 0; k < n_edges; k++) {
        int cl = cid[find(parent, ws->edges[k].i)];
        ws->eorder[c_estart[cl]++] = (int)k;
    }
    for (int k = n_cl; k > 0; k--)
        c_estart[k] = c_estart[k - 1];
    c_estart[0] = 0;

    size_t max_side = 0, max_cost = 0;
    for (int k = 0; k < n_cl; k++) {
        size_t a = (size_t)c_nt[k], b = (size_t)c_ne[k];
        if (a > max_side) max_side = a;
        if (b > max_side) max_side = b;
        if (a * b > max_cost) max_cost = a * b;
    }
    GROW(cost, max_cost, return DW_ERR_NOMEM);
    GROW(row_miss, max_side, return DW_ERR_NOMEM);
    GROW(col_miss, max_side, return DW_ERR_NOMEM);
    GROW(r2c, max_side, return DW_ERR_NOMEM);

    for (int k = 0; k < n_cl; k++) {
        const int a = c_nt[k], b = c_ne[k];
        const int e0 = c_estart[k], e1 = c_estart[k + 1];
        if (a == 1 && b == 1) {
            /* One pair closer than c: d^p < c^p = both left alone. */
            const struct edge *ed = &ws->edges[ws->eorder[e0]];
            t2e[ed->i] = ed->j;
            continue;
        }
        double *cost = ws->cost;
        for (size_t m = 0; m < (size_t)a * (size_t)b; m++)
            cost[m] = DW_ASSIGN_FORBID;
        for (int m = 0; m < (a > b ? a : b); m++)
            ws->row_miss[m] = ws->col_miss[m] = miss;
        for (int m = e0; m < e1; m++) {
            const struct edge *ed = &ws->edges[ws->eorder[m]];
            int li = local[ed->i], lj = local[nt + ed->j];
            cost[(size_t)li * b + lj] = ed->cost;
        }
        dw_status st = dw_assign_solve(ws->as, a, b, cost, ws->row_miss, ws->col_miss,
                                       ws->r2c, NULL);
        if (st != DW_OK)
            return st;
        /* Map local estimate indices back through the edges of the pairs. */
        for (int m = e0; m < e1; m++) {
            const struct edge *ed = &ws->edges[ws->eorder[m]];
            if (ws->r2c[local[ed->i]] == local[nt + ed->j])
                t2e[ed->i] = ed->j;
        }
    }

    /* Every chosen pair is an edge, which already holds its cost. */
    for (size_t k = 0; k < n_edges; k++) {
        const struct edge *ed = &ws->edges[k];
        if (t2e[ed->i] != ed->j)
            continue;
        r.localisation += ed->cost;
        r.sum_sq_dist += ed->d2;
        r.n_pairs++;
    }
    r.n_missed = nt - r.n_pairs;
    r.n_false = ne - r.n_pairs;
    r.missed_cost = miss * r.n_missed;
    r.false_cost = miss * r.n_false;
    double sum = r.localisation + r.missed_cost + r.false_cost;
    r.total = p == 1.0 ? sum : pow(sum, 1.0 / p);
    *out = r;
    return DW_OK;
}

dw_status dw_gospa(const double *truth_xy, int nt, const double *est_xy, int ne, double c,
                   double p, dw_gospa_ws *ws, dw_gospa_parts *out)
{
    return dw_gospa_nd(truth_xy, nt, est_xy, ne, 2, c, p, ws, out);
}

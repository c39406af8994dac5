/* geog_grid.c — the edge grid of an area: point-in-polygon, first hit of a path,
 * nearest boundary point (geog_int.h).
 *
 * Point in polygon is the even-odd ray test, cast east along the point's latitude, but
 * only over the cells the ray passes before it reaches a cell no edge touches: that
 * cell's state (inside or outside, fixed when the grid was built) stands for everything
 * further east. Each crossing is counted in exactly one cell, the one whose half-open
 * column [x_k, x_k+1) holds its longitude; an edge is listed in every cell its segment
 * touches (with a margin), so the cell that owns a crossing always lists its edge. On
 * the Polish border (17,700 edges, ~71,000 cells of ~2.5 km) most points fall in an
 * empty cell and cost one load; a point near the border scans a few cells of a few
 * edges each.
 *
 * The states of the empty cells come from the same count, run once per row from the
 * east edge of the grid (outside) westwards at the row's middle latitude.
 */
#include "assess/geog_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIDE 4096           /* cells along one side of the grid, at most     */
#define CELLS_PER_EDGE 4.0      /* the grid's size: this many cells per edge      */

static inline double cell_x(const dw__geog_grid *G, int k) { return G->bx0 + k * G->cw; }
static inline double cell_y(const dw__geog_grid *G, int k) { return G->by0 + k * G->ch; }

static inline int col_of(const dw__geog_grid *G, double x)
{
    double f = (x - G->bx0) * G->inv_cw;
    if (!(f >= 0))
        return 0;
    if (f >= G->nx)
        return G->nx - 1;
    return (int)f;
}

static inline int row_of(const dw__geog_grid *G, double y)
{
    double f = (y - G->by0) * G->inv_ch;
    if (!(f >= 0))
        return 0;
    if (f >= G->ny)
        return G->ny - 1;
    return (int)f;
}

/* Liang-Barsky: does a + t (b - a), t in [0, 1], meet the rectangle? *t_in (may be
 * NULL) is where it enters. */
static int seg_meets_rect(double ax, double ay, double bx, double by, double x0, double y0,
                          double x1, double y1, double *t_in)
{
    double dx = bx - ax, dy = by - ay;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {ax - x0, x1 - ax, ay - y0, y1 - ay};
    double t0 = 0, t1 = 1;
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double r = q[i] / p[i];
        if (p[i] < 0) {
            if (r > t1)
                return 0;
            if (r > t0)
                t0 = r;
        } else {
            if (r < t0)
                return 0;
            if (r < t1)
                t1 = r;
        }
    }
    if (t_in)
        *t_in = t0;
    return 1;
}

/* Calls visit(G, cell, edge, ctx) for every cell edge e touches (margin included). */
static void for_cells(const dw__geog_grid *G, uint32_t e,
                      void (*visit)(const dw__geog_grid *, size_t, uint32_t, void *), void *ctx)
{
    const double *v = G->edges + 4 * (size_t)e;
    double eps = DW__GEOG_EPS;
    int c0 = col_of(G, fmin(v[0], v[2]) - eps), c1 = col_of(G, fmax(v[0], v[2]) + eps);
    int r0 = row_of(G, fmin(v[1], v[3]) - eps), r1 = row_of(G, fmax(v[1], v[3]) + eps);
    for (int r = r0; r <= r1; r++) {
        double y0 = cell_y(G, r) - eps, y1 = cell_y(G, r + 1) + eps;
        for (int c = c0; c <= c1; c++) {
            if (c0 != c1 && r0 != r1 &&
                !seg_meets_rect(v[0], v[1], v[2], v[3], cell_x(G, c) - eps, y0,
                                cell_x(G, c + 1) + eps, y1, NULL))
                continue;
            visit(G, (size_t)r * (size_t)G->nx + (size_t)c, e, ctx);
        }
    }
}

static void count_one(const dw__geog_grid *G, size_t cell, uint32_t e, void *ctx)
{
    (void)e;
    (void)ctx;
    G->start[cell + 1]++;
}

static void put_one(const dw__geog_grid *G, size_t cell, uint32_t e, void *ctx)
{
    uint32_t *fill = ctx;
    G->items[fill[cell]++] = e;
}

/* Parity of the crossings of the line y = py by cell k's edges whose longitude is in
 * [lo, hi) and beyond px. The one expression for the crossing's longitude is used
 * everywhere, so two cells never disagree about which of them owns a crossing. */
static inline int cell_parity(const dw__geog_grid *G, size_t k, double px, double py,
                              double lo, double hi)
{
    int odd = 0;
    for (uint32_t j = G->start[k]; j < G->start[k + 1]; j++) {
        const double *e = G->edges + 4 * (size_t)G->items[j];
        if ((e[1] > py) != (e[3] > py)) {
            double xi = e[0] + (py - e[1]) * (e[2] - e[0]) / (e[3] - e[1]);
            if (xi > px && xi >= lo && xi < hi)
                odd ^= 1;
        }
    }
    return odd;
}

dw_status dw__geog_grid_build(dw__geog_grid *G, double *edges, size_t n_edges)
{
    memset(G, 0, sizeof *G);
    G->edges = edges;
    G->n_edges = n_edges;
    G->bx0 = G->by0 = INFINITY;
    G->bx1 = G->by1 = -INFINITY;
    for (size_t i = 0; i < 2 * n_edges; i++) {
        double x = edges[2 * i], y = edges[2 * i + 1];
        G->bx0 = fmin(G->bx0, x);
        G->bx1 = fmax(G->bx1, x);
        G->by0 = fmin(G->by0, y);
        G->by1 = fmax(G->by1, y);
    }
    /* Cells about square on the ground, CELLS_PER_EDGE of them per edge. */
    double w = G->bx1 - G->bx0, h = G->by1 - G->by0;
    double wg = fmax(w * cos((G->by0 + G->by1) * 0.5 * M_PI / 180.0), 1e-9), hg = fmax(h, 1e-9);
    double target = fmin(fmax(CELLS_PER_EDGE * (double)n_edges, 1.0), (double)(1 << 22));
    double nxf = ceil(sqrt(target * wg / hg));
    G->nx = (int)fmin(fmax(nxf, 1.0), MAX_SIDE);
    G->ny = (int)fmin(fmax(ceil(target / G->nx), 1.0), MAX_SIDE);
    G->cw = w > 0 ? w / G->nx : 1e-6;
    G->ch = h > 0 ? h / G->ny : 1e-6;
    G->inv_cw = 1.0 / G->cw;
    G->inv_ch = 1.0 / G->ch;

    size_t n_cells = (size_t)G->nx * (size_t)G->ny;
    G->state = malloc(n_cells);
    G->start = calloc(n_cells + 1, sizeof *G->start);
    uint32_t *fill = malloc(n_cells * sizeof *fill);
    if (!G->state || !G->start || !fill)
        goto nomem;
    for (uint32_t e = 0; e < n_edges; e++)
        for_cells(G, e, count_one, NULL);
    uint64_t total = 0;
    for (size_t k = 0; k < n_cells; k++) {
        total += G->start[k + 1];
        if (total > UINT32_MAX)
            goto nomem;
        G->start[k + 1] = (uint32_t)total;
    }
    G->items = malloc((total ? total : 1) * sizeof *G->items);
    if (!G->items)
        goto nomem;
    memcpy(fill, G->start, n_cells * sizeof *fill);
    for (uint32_t e = 0; e < n_edges; e++)
        for_cells(G, e, put_one, fill);
    free(fill);
    fill = NULL;

    for (int r = 0; r < G->ny; r++) {
        double py = cell_y(G, r) + 0.5 * G->ch;
        int cur = 0;
        for (int c = G->nx - 1; c >= 0; c--) {
            size_t k = (size_t)r * (size_t)G->nx + (size_t)c;
            if (G->start[k + 1] == G->start[k]) {
                G->state[k] = (uint8_t)cur;
                continue;
            }
            G->state[k] = DW__CELL_MIXED;
            double lo = c == 0 ? -INFINITY : cell_x(G, c);
            double hi = c == G->nx - 1 ? INFINITY : cell_x(G, c + 1);
            cur ^= cell_parity(G, k, -INFINITY, py, lo, hi);
        }
    }
    return DW_OK;

nomem:
    free(fill);
    dw__geog_grid_free(G);
    return DW_ERR_NOMEM;
}

void dw__geog_grid_free(dw__geog_grid *G)
{
    free(G->state);
    free(G->start);
    free(G->items);
    free(G->edges);
    memset(G, 0, sizeof *G);
}

int dw__geog_grid_contains(const dw__geog_grid *G, double px, double py)
{
    if (!(px >= G->bx0 && px <= G->bx1 && py >= G->by0 && py <= G->by1))
        return 0;
    int c = col_of(G, px), r = row_of(G, py);
    size_t row = (size_t)r * (size_t)G->nx;
    const uint8_t *st = G->state + row;
    if (st[c] != DW__CELL_MIXED)
        return st[c];
    int odd = 0;
    for (int k = c; k < G->nx; k++) {
        if (st[k] != DW__CELL_MIXED)
            return odd ^ st[k];
        double lo = k == c ? -INFINITY : cell_x(G, k);
        double hi = k == G->nx - 1 ? INFINITY : cell_x(G, k + 1);
        odd ^= cell_parity(G, row + (size_t)k, px, py, lo, hi);
    }
    return odd;
}

/* Where a + t r meets edge e, as t in [0, 1], or INFINITY. Collinear overlap: where
 * the overlap starts. */
static double seg_hit(double ax, double ay, double rx, double ry, const double *e)
{
    double sx = e[2] - e[0], sy = e[3] - e[1];
    double qx = e[0] - ax, qy = e[1] - ay;
    double den = rx * sy - ry * sx;
    if (den == 0) {
        double rr = rx * rx + ry * ry;
        if (rr == 0 || qx * ry - qy * rx != 0)
            return INFINITY;
        double t0 = (qx * rx + qy * ry) / rr;
        double t1 = ((e[2] - ax) * rx + (e[3] - ay) * ry) / rr;
        double lo = fmin(t0, t1), hi = fmax(t0, t1);
        if (hi < 0 || lo > 1)
            return INFINITY;
        return lo > 0 ? lo : 0;
    }
    double t = (qx * sy - qy * sx) / den, u = (qx * ry - qy * rx) / den;
    if (!(t >= 0 && t <= 1 && u >= 0 && u <= 1))
        return INFINITY;
    return t;
}

int dw__geog_grid_first_hit(const dw__geog_grid *G, double ax, double ay, double bx,
                            double by, double *t)
{
    double eps = DW__GEOG_EPS;
    if (fmax(ax, bx) < G->bx0 - eps || fmin(ax, bx) > G->bx1 + eps ||
        fmax(ay, by) < G->by0 - eps || fmin(ay, by) > G->by1 + eps)
        return 0;
    int c0 = col_of(G, fmin(ax, bx) - eps), c1 = col_of(G, fmax(ax, bx) + eps);
    int r0 = row_of(G, fmin(ay, by) - eps), r1 = row_of(G, fmax(ay, by) + eps);
    double best = INFINITY, rx = bx - ax, ry = by - ay;
    for (int r = r0; r <= r1; r++) {
        double y0 = cell_y(G, r) - eps, y1 = cell_y(G, r + 1) + eps;
        for (int c = c0; c <= c1; c++) {
            size_t k = (size_t)r * (size_t)G->nx + (size_t)c;
            double t_in;
            if (G->state[k] != DW__CELL_MIXED ||
                !seg_meets_rect(ax, ay, bx, by, cell_x(G, c) - eps, y0, cell_x(G, c + 1) + eps,
                                y1, &t_in) ||
                t_in > best)
                continue;
            for (uint32_t j = G->start[k]; j < G->start[k + 1]; j++) {
                double th = seg_hit(ax, ay, rx, ry, G->edges + 4 * (size_t)G->items[j]);
                if (th < best)
                    best = th;
            }
        }
    }
    if (!(best <= 1))
        return 0;
    *t = best;
    return 1;
}

double dw__geog_grid_nearest(const dw__geog_grid *G, double px, double py, double kx,
                             double ky, double *qx, double *qy)
{
    int c = col_of(G, px), r = row_of(G, py);
    double cell_m = fmin(G->cw * kx, G->ch * ky);
    double best2 = INFINITY, bx = 0, by = 0;
    int reach = c;
    reach = reach > G->nx - 1 - c ? reach : G->nx - 1 - c;
    reach = reach > r ? reach : r;
    reach = reach > G->ny - 1 - r ? reach : G->ny - 1 - r;
    for (int ring = 0; ring <= reach; ring++) {
        for (int rr = r - ring; rr <= r + ring; rr++) {
            if (rr < 0 || rr >= G->ny)
                continue;
            int edge_row = rr == r - ring || rr == r + ring;
            for (int cc = c - ring; cc <= c + ring; cc += edge_row ? 1 : 2 * ring) {
                if (cc >= 0 && cc < G->nx) {
                    size_t k = (size_t)rr * (size_t)G->nx + (size_t)cc;
                    for (uint32_t j = G->start[k]; j < G->start[k + 1]; j++) {
                        const double *e = G->edges + 4 * (size_t)G->items[j];
                        double x0 = (e[0] - px) * kx, y0 = (e[1] - py) * ky;
                        double dx = (e[2] - px) * kx - x0, dy = (e[3] - py) * ky - y0;
                        double len2 = dx * dx + dy * dy;
                        double t = len2 > 0 ? -(x0 * dx + y0 * dy) / len2 : 0;
                        t = t < 0 ? 0 : t > 1 ? 1 : t;
                        double x = x0 + t * dx, y = y0 + t * dy, d2 = x * x + y * y;
                        if (d2 < best2) {
                            best2 = d2;
                            bx = x;
                            by = y;
                        }
                    }
                }
                if (ring == 0)
                    break;
            }
        }
        /* Every cell not yet seen is at least `ring` whole cells away. */
        if (best2 <= (ring * cell_m) * (ring * cell_m))
            break;
    }
    *qx = px + bx / kx;
    *qy = py + by / ky;
    return sqrt(best2);
}

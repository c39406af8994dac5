/* geog_int.h — the edge grid behind geog.h's areas, shared by geog.c and geog_grid.c.
 *
 * An area's boundary (every ring of every polygon, holes included) is a set of edges in
 * the (lon, lat) plane. The grid lays nx x ny cells over the area's box; each cell
 * lists the edges that touch it (its closed rectangle grown by DW__GEOG_EPS), and a
 * cell that no edge touches is wholly inside or wholly outside, which is recorded. The
 * even-odd rule over all edges then decides containment: holes and separate polygons
 * need no special case, and GEOS's validity check at load guarantees that the even-odd
 * answer is GEOS's answer.
 */
#ifndef DW_ASSESS_GEOG_INT_H
#define DW_ASSESS_GEOG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/status.h"

/* How far beyond its rectangle a cell reaches when edges are listed in it (degrees,
 * ~0.1 mm): more than any rounding in the tests, so an edge is never missed. */
#define DW__GEOG_EPS 1e-9

enum { DW__CELL_OUT = 0, DW__CELL_IN = 1, DW__CELL_MIXED = 2 };

typedef struct dw__geog_grid {
    double bx0, by0, bx1, by1;  /* the box of the edges (lon, lat)                   */
    double cw, ch;              /* cell width and height (degrees)                   */
    double inv_cw, inv_ch;
    int nx, ny;
    uint8_t *state;             /* nx*ny, row-major from the south-west: DW__CELL_*  */
    uint32_t *start;            /* nx*ny + 1: the cell's edges are items[start[k] ..] */
    uint32_t *items;            /* edge indices                                      */
    double *edges;              /* 4 per edge: lon, lat of its two ends              */
    size_t n_edges;
} dw__geog_grid;

/* Builds the grid over n_edges edges (4 doubles each, which the grid takes over and
 * frees; n_edges >= 1 and below 2^31). DW_ERR_NOMEM (the edges are freed then too). */
dw_status dw__geog_grid_build(dw__geog_grid *G, double *edges, size_t n_edges);
void dw__geog_grid_free(dw__geog_grid *G);

/* Even-odd containment of (px, py) = (lon, lat); 0 outside the box. */
int dw__geog_grid_contains(const dw__geog_grid *G, double px, double py);

/* The smallest t in [0, 1] at which a + t (b - a) meets an edge: 1 and *t, or 0. */
int dw__geog_grid_first_hit(const dw__geog_grid *G, double ax, double ay, double bx,
                            double by, double *t);

/* The nearest point of any edge to (px, py), distances measured as
 * hypot(kx dlon, ky dlat): returns that distance and the point in *qx, *qy. */
double dw__geog_grid_nearest(const dw__geog_grid *G, double px, double py, double kx,
                             double ky, double *qx, double *qy);

#endif

/* assign.h — exact minimum-cost assignment with "leave it unassigned".
 *
 * The association step of the tracker and the GOSPA metric both need the
 * same thing: pair rows (tracks) with columns (measurements, truths) so the
 * total cost is least, where each row or column may also stay unpaired at a
 * cost of its own and some pairs are forbidden (outside the gate). This
 * solves it exactly with a shortest-augmenting-path (Jonker–Volgenant /
 * Hungarian) method on the square problem that adds one "unassigned" column
 * per row and one "unassigned" row per column: O((n+m)^3), meant for the
 * small clusters that gating leaves.
 *
 * The workspace owns its scratch memory and grows it only when a larger
 * problem than any before arrives, so the hot loop does not allocate.
 */
#ifndef DRONEWALL_ASSIGN_H
#define DRONEWALL_ASSIGN_H

#include <math.h>

#include "dronewall/status.h"

/* A pair that may not be assigned. */
#define DW_ASSIGN_FORBID INFINITY

typedef struct dw_assign dw_assign;

/* Create an empty workspace; free it with dw_assign_destroy (NULL is fine). */
dw_status dw_assign_create(dw_assign **out);
void dw_assign_destroy(dw_assign *ws);

/* Solve for n rows and m columns.
 * cost: n*m row-major pair costs (finite, or DW_ASSIGN_FORBID);
 * row_miss[i], col_miss[j]: finite cost of leaving row i / column j unpaired.
 * On DW_OK, row_to_col[i] is the column paired with row i or -1, and *total
 * (if not NULL) the least total cost. n or m may be 0.
 * DW_ERR_INVALID if an unpaired cost is not finite; DW_ERR_NOMEM if the
 * workspace cannot grow. */
dw_status dw_assign_solve(dw_assign *ws, int n, int m, const double *cost,
                          const double *row_miss, const double *col_miss,
                          int *row_to_col, double *total);

#endif

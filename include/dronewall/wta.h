/* wta.h — the weapon–target assignment of the response stage (DESIGN.md §6).
 *
 * Given engagement options that the caller has already worked out (which effector can
 * engage which target, with what kill chance, how many rounds, what it costs in money
 * and in expected harm on the ground, and when the effector is busy), this picks the
 * set of options that maximises
 *
 *   sum over targets j of value_j * P(kill j)            P(kill j) = 1 - prod(1 - pk)
 *   - sum over chosen options of (cost + risk)
 *   - switch_penalty * (targets whose previous effector is no longer engaging them)
 *
 * under three limits: an effector's chosen options use at most its magazine, an
 * effector's chosen options do not overlap in time (one engagement at a time), and a
 * target gets at most max_per_target (1 or 2) options. The solver knows no geometry.
 *
 * Two solvers share the problem and the plan:
 *  - dw_wta_solve: a deterministic heuristic for a raid of hundreds of targets and tens
 *    of effectors. Two starts by lazy greedy on marginal gain, once plainly and once with
 *    each effector's magazine and busy time priced by the Lagrangian multipliers below;
 *    then local improvement: put an option in by taking out what is in its way (the
 *    engagement overlapping it on its effector, or the one freeing enough rounds, and/or
 *    an option of its full target), re-serve the target left and the effector freed from
 *    their best options, keep the change if the objective rises; repeat where something
 *    changed. Up to 2,000 options both starts are improved, beyond that only the better.
 *    It also reports an upper bound on the optimum from a Lagrangian relaxation (the
 *    magazine and a busy-time budget per effector priced, the no-overlap rule otherwise
 *    dropped, the multipliers found by subgradient steps), so every plan carries a known
 *    gap, whether or not the optimum is known.
 *  - dw_wta_solve_exact: branch and bound over targets (each target's best net value
 *    ignoring conflicts bounds what the rest can add), started from the heuristic's
 *    plan; it refuses with DW_ERR_RANGE when it would need more nodes than the budget.
 *
 * Re-planning: pass the last plan's choice per target in previous[] and a switch
 * penalty; a target whose previous effector still engages it pays nothing, so a small
 * improvement does not move effectors around (no flapping).
 *
 * Memory: each call allocates its scratch at its start (one block, freed before it
 * returns) and the plan's two arrays at its end; nothing is allocated inside the search.
 * The scratch holds every target's candidate sets (1 + k + k(k-1)/2 for k options on it),
 * so it is meant for targets with tens of options, not thousands. The caller frees the
 * plan with dw_wta_plan_free. Both solvers are deterministic: the same problem gives
 * the same plan.
 */
#ifndef DRONEWALL_WTA_H
#define DRONEWALL_WTA_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/status.h"

/* One way to engage one target with one effector. */
typedef struct dw_wta_option {
    uint32_t effector;      /* index < n_effectors */
    uint32_t target;        /* index < n_targets */
    double pk;              /* chance this engagement kills the target (after its shots), 0..1 */
    uint32_t shots;         /* rounds it uses from the effector's magazine */
    double cost;            /* money it costs (EUR) */
    double risk;            /* expected harm on the ground, in the units of value (EUR-equivalent) */
    double t_start, t_end;  /* the effector is busy over [t_start, t_end) (seconds from now) */
} dw_wta_option;

typedef struct dw_wta_problem {
    const dw_wta_option *options;   /* n_options, owned by the caller */
    size_t n_options;
    size_t n_effectors, n_targets;
    const uint32_t *magazine;       /* n_effectors: shots left per effector */
    const double *target_value;     /* n_targets: value protected by killing target j */
    int max_per_target;             /* 1 or 2 engagements on one target at most */
    const int32_t *previous;        /* optional (NULL): last plan's option index per target, -1 none */
    double switch_penalty;          /* objective cost of a target losing its previous effector */
} dw_wta_problem;

/* A plan. The solver allocates chosen and by_target; free them with dw_wta_plan_free. */
typedef struct dw_wta_plan {
    uint32_t *chosen;               /* indices into options, ascending */
    size_t n_chosen;
    int32_t *by_target;             /* 2 per target: by_target[2j], by_target[2j+1], -1 when none */
    double objective;               /* the objective above, of this plan */
    double upper_bound;             /* >= the optimum (the optimum itself from the exact solver) */
    double gap;                     /* (upper_bound - objective) / max(|upper_bound|, 1) */
    double leakage_value;           /* sum over targets of value_j * P(j survives) */
    double expected_survivors;      /* sum over targets of P(j survives) */
    double cost, risk;              /* sums over the chosen options */
    uint32_t switches;              /* targets whose previous effector no longer engages them */
    uint64_t nodes;                 /* branch-and-bound nodes (exact) */
    uint64_t iterations;            /* greedy steps + improvement moves tried + subgradient steps */
    size_t n_skipped;               /* options ignored as malformed (index out of range, NaN, pk
                                       outside 0..1, t_end < t_start) */
} dw_wta_plan;

/* The heuristic plan and its upper bound. On DW_OK *out holds a new plan the caller frees
 * with dw_wta_plan_free; otherwise *out is untouched. DW_ERR_INVALID when p or out is
 * NULL, an array the sizes need is NULL, max_per_target is not 1 or 2, a target value is
 * not finite or switch_penalty is negative or not finite (malformed options are skipped
 * and counted instead); DW_ERR_NOMEM when the scratch cannot be had. */
dw_status dw_wta_solve(const dw_wta_problem *p, dw_wta_plan *out);

/* The optimal plan (upper_bound == objective, gap 0), by branch and bound; at most
 * node_budget nodes, else DW_ERR_RANGE and *out untouched. Errors otherwise as
 * dw_wta_solve. Meant for small problems (tens of options). */
dw_status dw_wta_solve_exact(const dw_wta_problem *p, dw_wta_plan *out, uint64_t node_budget);

/* Free a plan's arrays and zero it; NULL is fine. */
void dw_wta_plan_free(dw_wta_plan *plan);

#endif

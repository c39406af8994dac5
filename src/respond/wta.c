/* wta.c — weapon–target assignment: lazy greedy + local improvement with a Lagrangian
 * upper bound, and an exact branch and bound for small problems (wta.h).
 *
 * Everything a call needs is carved out of one allocation made at its start. The
 * objective separates by target (a target's kill chance, its switch penalty and its
 * options' cost and risk depend only on the options chosen for it), so the search keeps
 * one net value per target and updates it when that target's options change.
 */
#include "dronewall/wta.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-9
#define NONE UINT32_MAX
#define MAX_PASSES 30      /* local improvement: passes at most */
#define LAGR_ITERS 60      /* subgradient steps at most */

typedef struct cand {           /* a set of options for one target: none, one or two */
    uint32_t a, b;              /* option indices or NONE */
    double net;                 /* the target's net value with this set, conflicts ignored */
} cand;

typedef struct ws {
    const dw_wta_problem *p;
    size_t nt, ne, no;
    uint8_t *ok;                /* per option: well-formed and usable at all */
    uint32_t *prev_eff;         /* per target: previous effector or NONE */
    uint32_t *t_start, *t_opts; /* options by target (CSR) */
    uint32_t *e_start, *e_opts; /* options by effector (CSR) */
    double *span;               /* per effector: max t_end - min t_start of its options */
    double *maxdur;             /* per effector: its longest engagement (e_opts is by t_start) */
    /* the current plan */
    uint8_t *chosen;            /* per option */
    uint32_t *tg;               /* 2 per target */
    uint32_t *e_list, *e_cnt;   /* chosen per effector: e_list[e_start[e] ..+ e_cnt[e]] */
    uint32_t *used;             /* shots used per effector */
    double *tnet;               /* net value per target */
    double *surv;               /* per target: chance it survives the chosen options */
    uint8_t *keep;              /* per target: no switch penalty due (no previous, or kept) */
    double obj;
    /* per-target candidate sets (exact solver, relaxation) */
    uint32_t *c_start;
    cand *cands;
    double *suffix;             /* branch and bound: best nets of the targets after depth d */
    uint32_t *order;            /* branch and bound: target order */
    /* heuristic scratch */
    double *price;              /* per option: Lagrangian price of its resources */
    double *lam, *mu, *best_lam, *best_mu;
    uint32_t *heap_o;
    double *heap_k;
    size_t heap_n;
    uint8_t *dirty, *dirty_next;  /* improvement: targets [0,nt) and effectors [nt,nt+ne) changed */
    uint64_t iters, nodes, budget;
    size_t n_skipped;
    /* best plan so far (exact) */
    uint32_t *best_tg;
    double best_obj;
} ws;

/* ---- the objective ------------------------------------------------------------- */

static double net_of(const ws *w, uint32_t j, uint32_t a, uint32_t b)
{
    const dw_wta_option *o = w->p->options;
    double surv = 1.0, c = 0.0;
    int keep = w->prev_eff[j] == NONE;
    if (a != NONE) {
        surv *= 1.0 - o[a].pk;
        c += o[a].cost + o[a].risk;
        keep |= o[a].effector == w->prev_eff[j];
    }
    if (b != NONE) {
        surv *= 1.0 - o[b].pk;
        c += o[b].cost + o[b].risk;
        keep |= o[b].effector == w->prev_eff[j];
    }
    return w->p->target_value[j] * (1.0 - surv) - c - (keep ? 0.0 : w->p->switch_penalty);
}

static int overlap(const dw_wta_option *x, const dw_wta_option *y)
{
    return x->t_start < y->t_end && y->t_start < x->t_end;
}

/* Can option k be added to the current plan? */
static int feasible(const ws *w, uint32_t k)
{
    const dw_wta_option *o = w->p->options, *x = &o[k];
    uint32_t j = x->target, e = x->effector;
    if (!w->ok[k] || w->chosen[k])
        return 0;
    if (w->tg[2 * j + (size_t)w->p->max_per_target - 1] != NONE)
        return 0;
    if ((uint64_t)w->used[e] + x->shots > w->p->magazine[e])
        return 0;
    const uint32_t *l = w->e_list + w->e_start[e];
    for (uint32_t i = 0; i < w->e_cnt[e]; i++)
        if (overlap(x, &o[l[i]]))
            return 0;
    return 1;
}

static void set_tnet(ws *w, uint32_t j)
{
    const dw_wta_option *o = w->p->options;
    uint32_t a = w->tg[2 * j], b = w->tg[2 * j + 1];
    double n = net_of(w, j, a, b);
    w->obj += n - w->tnet[j];
    w->tnet[j] = n;
    w->surv[j] = (a == NONE ? 1.0 : 1.0 - o[a].pk) * (b == NONE ? 1.0 : 1.0 - o[b].pk);
    w->keep[j] = (uint8_t)(w->prev_eff[j] == NONE || (a != NONE && o[a].effector == w->prev_eff[j]) ||
                           (b != NONE && o[b].effector == w->prev_eff[j]));
}

static void add(ws *w, uint32_t k)
{
    const dw_wta_option *x = &w->p->options[k];
    uint32_t j = x->target, e = x->effector;
    w->chosen[k] = 1;
    if (w->tg[2 * j] == NONE)
        w->tg[2 * j] = k;
    else
        w->tg[2 * j + 1] = k;
    w->used[e] += x->shots;
    w->e_list[w->e_start[e] + w->e_cnt[e]++] = k;
    set_tnet(w, j);
}

static void del(ws *w, uint32_t k)
{
    const dw_wta_option *x = &w->p->options[k];
    uint32_t j = x->target, e = x->effector;
    w->chosen[k] = 0;
    if (w->tg[2 * j] == k) {
        w->tg[2 * j] = w->tg[2 * j + 1];
        w->tg[2 * j + 1] = NONE;
    } else {
        w->tg[2 * j + 1] = NONE;
    }
    w->used[e] -= x->shots;
    uint32_t *l = w->e_list + w->e_start[e];
    for (uint32_t i = 0; i < w->e_cnt[e]; i++)
        if (l[i] == k) {
            l[i] = l[--w->e_cnt[e]];
            break;
        }
    set_tnet(w, j);
}

/* What adding option k (assumed feasible) would change the objective by. */
static double gain(const ws *w, uint32_t k)
{
    const dw_wta_option *x = &w->p->options[k];
    uint32_t j = x->target;
    double g = w->p->target_value[j] * w->surv[j] * x->pk - x->cost - x->risk;
    if (!w->keep[j] && x->effector == w->prev_eff[j])
        g += w->p->switch_penalty;
    return g;
}

/* Remember that option k's target and effector changed (local improvement looks again
 * only where something changed). */
static void mark(ws *w, uint32_t k)
{
    w->dirty_next[w->p->options[k].target] = 1;
    w->dirty_next[w->nt + w->p->options[k].effector] = 1;
}

static void reset(ws *w)
{
    memset(w->chosen, 0, w->no);
    memset(w->used, 0, w->ne * sizeof *w->used);
    memset(w->e_cnt, 0, w->ne * sizeof *w->e_cnt);
    w->obj = 0.0;
    for (size_t j = 0; j < w->nt; j++) {
        w->tg[2 * j] = w->tg[2 * j + 1] = NONE;
        w->tnet[j] = 0.0;
        set_tnet(w, (uint32_t)j);
    }
}

/* ---- lazy greedy ----------------------------------------------------------------- */

/* Max-heap on key, ties to the lower option index (determinism). */
static int above(const ws *w, size_t x, size_t y)
{
    return w->heap_k[x] > w->heap_k[y] || (w->heap_k[x] == w->heap_k[y] && w->heap_o[x] < w->heap_o[y]);
}

static void heap_swap(ws *w, size_t x, size_t y)
{
    uint32_t o = w->heap_o[x];
    double k = w->heap_k[x];
    w->heap_o[x] = w->heap_o[y], w->heap_k[x] = w->heap_k[y];
    w->heap_o[y] = o, w->heap_k[y] = k;
}

static void heap_push(ws *w, uint32_t o, double k)
{
    size_t i = w->heap_n++;
    w->heap_o[i] = o, w->heap_k[i] = k;
    while (i > 0 && above(w, i, (i - 1) / 2)) {
        heap_swap(w, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_pop(ws *w)
{
    heap_swap(w, 0, --w->heap_n);
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < w->heap_n && above(w, l, m))
            m = l;
        if (r < w->heap_n && above(w, r, m))
            m = r;
        if (m == i)
            break;
        heap_swap(w, i, m);
        i = m;
    }
}

/* Add options to the current plan, best priced gain first, while the true gain is
 * positive. A gain only falls as the plan grows (a second option on a target adds less
 * kill chance, a kept previous effector earns its penalty once) and feasibility only
 * gets lost, so a popped option whose recomputed key still tops the heap is the best. */
static void greedy(ws *w, int priced)
{
    w->heap_n = 0;
    for (uint32_t k = 0; k < w->no; k++)
        if (feasible(w, k)) {
            double g = gain(w, k), key = g - (priced ? w->price[k] : 0.0);
            if (g > EPS && key > EPS)
                heap_push(w, k, key);
        }
    while (w->heap_n > 0) {
        uint32_t k = w->heap_o[0];
        double old = w->heap_k[0];
        heap_pop(w);
        w->iters++;
        if (!feasible(w, k))
            continue;
        double g = gain(w, k), key = g - (priced ? w->price[k] : 0.0);
        if (g <= EPS || key <= EPS)
            continue;
        if (key < old - 1e-12 && w->heap_n > 0 && key < w->heap_k[0]) {
            heap_push(w, k, key);
            continue;
        }
        add(w, k);
        mark(w, k);
    }
}

/* ---- local improvement ----------------------------------------------------------- */

/* Try: take options a1 and a2 out (either may be NONE), put b in, then re-serve the
 * targets they left with their best options. Keeps the change when the objective
 * rises; undoes it otherwise. */
static int try_move(ws *w, uint32_t a1, uint32_t a2, uint32_t b)
{
    const dw_wta_option *o = w->p->options;
    double before = w->obj;
    uint32_t added[1 + 8], n_added = 0, out[2] = {a1, a2 == a1 ? NONE : a2};
    w->iters++;
    uint32_t lo[2] = {0, 0}, hi[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        if (out[i] == NONE)
            continue;
        /* the effector's options that the freed engagement may make room for: those
         * overlapping it in time, or all of them when its magazine was what was full */
        uint32_t e = o[out[i]].effector;
        lo[i] = w->e_start[e], hi[i] = w->e_start[e + 1];
        if ((uint64_t)w->used[e] + 1 <= w->p->magazine[e]) {
            double from = o[out[i]].t_start - w->maxdur[e], to = o[out[i]].t_end;
            uint32_t a = lo[i], z = hi[i];
            while (a < z) { /* first option starting after from */
                uint32_t m = a + (z - a) / 2;
                if (o[w->e_opts[m]].t_start <= from)
                    a = m + 1;
                else
                    z = m;
            }
            lo[i] = a;
            while (hi[i] > lo[i] && o[w->e_opts[hi[i] - 1]].t_start >= to)
                hi[i]--;
        }
        del(w, out[i]);
    }
    if (feasible(w, b)) {
        add(w, b);
        added[n_added++] = b;
        /* re-serve, best gain first, from the options of the targets left and of the
         * effectors freed */
        for (int r = 0; r < 8; r++) {
            uint32_t best = NONE;
            double bg = EPS;
            for (int i = 0; i < 2; i++) {
                if (out[i] == NONE)
                    continue;
                uint32_t t = o[out[i]].target;
                for (uint32_t q = w->t_start[t]; q < w->t_start[t + 1]; q++) {
                    uint32_t k = w->t_opts[q];
                    double g;
                    if ((g = gain(w, k)) > bg && feasible(w, k))
                        bg = g, best = k;
                }
                for (uint32_t q = lo[i]; q < hi[i]; q++) {
                    uint32_t k = w->e_opts[q];
                    double g;
                    if ((g = gain(w, k)) > bg && feasible(w, k))
                        bg = g, best = k;
                }
            }
            if (best == NONE)
                break;
            add(w, best);
            added[n_added++] = best;
        }
        if (w->obj > before + EPS) {
            for (int i = 0; i < 2; i++)
                if (out[i] != NONE)
                    mark(w, out[i]);
            while (n_added > 0)
                mark(w, added[--n_added]);
            return 1;
        }
    }
    while (n_added > 0)
        del(w, added[--n_added]);
    for (int i = 1; i >= 0; i--)
        if (out[i] != NONE)
            add(w, out[i]);
    return 0;
}

/* What taking chosen option k out would cost its target. */
static double drop_loss(const ws *w, uint32_t k)
{
    uint32_t j = w->p->options[k].target;
    uint32_t other = w->tg[2 * j] == k ? w->tg[2 * j + 1] : w->tg[2 * j];
    return w->tnet[j] - net_of(w, j, other, NONE);
}

static void improve(ws *w)
{
    const dw_wta_option *o = w->p->options;
    size_t mpt = (size_t)w->p->max_per_target;
    memset(w->dirty_next, 1, w->nt + w->ne);
    for (int pass = 0; pass < MAX_PASSES; pass++) {
        int better = 0;
        memcpy(w->dirty, w->dirty_next, w->nt + w->ne);
        memset(w->dirty_next, 0, w->nt + w->ne);
        for (uint32_t b = 0; b < w->no; b++) {
            if (!w->ok[b] || w->chosen[b])
                continue;
            uint32_t j = o[b].target, e = o[b].effector;
            if (!w->dirty[j] && !w->dirty[w->nt + e])
                continue; /* nothing near it changed since it was last looked at */
            if (w->p->target_value[j] * o[b].pk - o[b].cost - o[b].risk +
                    (e == w->prev_eff[j] ? w->p->switch_penalty : 0.0) <= EPS)
                continue; /* b never pays for itself */
            /* what is in the way on the effector: the one overlapping engagement, or (the
             * magazine short) the engagement freeing enough rounds whose target loses least */
            uint32_t eway[1], n_eway = 0;
            const uint32_t *l = w->e_list + w->e_start[e];
            uint32_t nblock = 0, blocker = NONE;
            for (uint32_t i = 0; i < w->e_cnt[e]; i++)
                if (overlap(&o[b], &o[l[i]]))
                    blocker = l[i], nblock++;
            if (nblock > 1)
                continue;
            uint64_t need = (uint64_t)w->used[e] + o[b].shots;
            need = need > w->p->magazine[e] ? need - w->p->magazine[e] : 0;
            if (nblock == 1) {
                eway[n_eway++] = blocker;
            } else if (need > 0) {
                /* of those freeing enough rounds, the one whose target loses least */
                double least = INFINITY;
                for (uint32_t i = 0; i < w->e_cnt[e]; i++)
                    if (o[l[i]].shots >= need) {
                        double loss = drop_loss(w, l[i]);
                        if (loss < least)
                            least = loss, eway[0] = l[i], n_eway = 1;
                    }
                if (n_eway == 0)
                    continue;
            } else {
                eway[n_eway++] = NONE;
            }
            /* what is in the way on the target: one of its options when it is full */
            uint32_t tway[2] = {NONE, NONE}, n_tway = 1;
            if (w->tg[2 * j + mpt - 1] != NONE) {
                /* the target is full: give up one of its options */
                n_tway = 0;
                for (size_t q = 0; q < mpt; q++)
                    tway[n_tway++] = w->tg[2 * j + q];
            }
            for (uint32_t x = 0; x < n_eway && !w->chosen[b]; x++)
                for (uint32_t y = 0; y < n_tway && !w->chosen[b]; y++) {
                    uint32_t ta = tway[y];
                    if (ta != NONE && !w->chosen[ta])
                        continue; /* moved by an earlier try */
                    if (eway[x] != NONE && !w->chosen[eway[x]])
                        continue;
                    better |= try_move(w, eway[x], ta, b);
                }
        }
        double before = w->obj;
        greedy(w, 0);
        if (!better && w->obj <= before + EPS)
            break;
    }
}

/* ---- candidate sets and the bounds ----------------------------------------------- */

static int pair_ok(const ws *w, uint32_t a, uint32_t b)
{
    const dw_wta_option *x = &w->p->options[a], *y = &w->p->options[b];
    if (x->effector != y->effector)
        return 1;
    return !overlap(x, y) && (uint64_t)x->shots + y->shots <= w->p->magazine[x->effector];
}

static int cand_cmp(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->net != b->net)
        return a->net > b->net ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

/* Each target's sets (none, one option, two compatible options), best net first. */
static void build_cands(ws *w)
{
    size_t n = 0;
    for (uint32_t j = 0; j < w->nt; j++) {
        w->c_start[j] = (uint32_t)n;
        w->cands[n++] = (cand){NONE, NONE, net_of(w, j, NONE, NONE)};
        for (uint32_t i = w->t_start[j]; i < w->t_start[j + 1]; i++) {
            uint32_t a = w->t_opts[i];
            w->cands[n++] = (cand){a, NONE, net_of(w, j, a, NONE)};
            if (w->p->max_per_target < 2)
                continue;
            for (uint32_t i2 = i + 1; i2 < w->t_start[j + 1]; i2++) {
                uint32_t b = w->t_opts[i2];
                if (pair_ok(w, a, b))
                    w->cands[n++] = (cand){a, b, net_of(w, j, a, b)};
            }
        }
        qsort(w->cands + w->c_start[j], n - w->c_start[j], sizeof(cand), cand_cmp);
    }
    w->c_start[w->nt] = (uint32_t)n;
}

static double opt_price(const ws *w, const double *lam, const double *mu, uint32_t k)
{
    const dw_wta_option *x = &w->p->options[k];
    uint32_t e = x->effector;
    double pr = w->p->magazine[e] ? lam[e] * (double)x->shots / (double)w->p->magazine[e] : 0.0;
    if (w->span[e] > 0)
        pr += mu[e] * (x->t_end - x->t_start) / w->span[e];
    return pr;
}

/* The Lagrangian bound: every effector's use of its magazine (shots / magazine <= 1)
 * and of its busy span (sum of busy times / span <= 1, which the no-overlap rule
 * implies) priced; each target then takes its best set at those prices. Subgradient
 * steps (Polyak, towards the heuristic's objective lb) on the prices. */
static double lagrangian(ws *w, double lb)
{
    double *gl = w->price; /* reused as the subgradient per effector: [0,ne) shots, [ne,2ne) time */
    double best = INFINITY, theta = 2.0;
    int stale = 0;
    memset(w->lam, 0, w->ne * sizeof *w->lam);
    memset(w->mu, 0, w->ne * sizeof *w->mu);
    memset(w->best_lam, 0, w->ne * sizeof *w->lam);
    memset(w->best_mu, 0, w->ne * sizeof *w->mu);
    for (int it = 0; it < LAGR_ITERS; it++) {
        w->iters++;
        double ub = 0.0;
        for (size_t e = 0; e < w->ne; e++) {
            ub += w->lam[e] + w->mu[e];
            gl[e] = 1.0;
            gl[w->ne + e] = 1.0;
        }
        for (uint32_t j = 0; j < w->nt; j++) {
            double bv = -INFINITY;
            uint32_t ba = NONE, bb = NONE;
            for (uint32_t c = w->c_start[j]; c < w->c_start[j + 1]; c++) {
                const cand *x = &w->cands[c];
                if (x->net <= bv)
                    break; /* sorted by net; prices only lower it */
                double v = x->net;
                if (x->a != NONE)
                    v -= opt_price(w, w->lam, w->mu, x->a);
                if (x->b != NONE)
                    v -= opt_price(w, w->lam, w->mu, x->b);
                if (v > bv)
                    bv = v, ba = x->a, bb = x->b;
            }
            ub += bv;
            uint32_t s[2] = {ba, bb};
            for (int i = 0; i < 2; i++) {
                if (s[i] == NONE)
                    continue;
                const dw_wta_option *x = &w->p->options[s[i]];
                if (w->p->magazine[x->effector])
                    gl[x->effector] -= (double)x->shots / (double)w->p->magazine[x->effector];
                if (w->span[x->effector] > 0)
                    gl[w->ne + x->effector] -= (x->t_end - x->t_start) / w->span[x->effector];
            }
        }
        if (ub < best - 1e-12) {
            best = ub;
            memcpy(w->best_lam, w->lam, w->ne * sizeof *w->lam);
            memcpy(w->best_mu, w->mu, w->ne * sizeof *w->mu);
            stale = 0;
        } else if (++stale >= 5) {
            theta *= 0.5;
            stale = 0;
        }
        double norm = 0.0;
        for (size_t e = 0; e < w->ne; e++) {
            double g1 = (w->lam[e] > 0 || gl[e] < 0) ? gl[e] : 0.0;
            double g2 = (w->mu[e] > 0 || gl[w->ne + e] < 0) ? gl[w->ne + e] : 0.0;
            norm += g1 * g1 + g2 * g2;
        }
        if (norm < 1e-18 || best - lb < 1e-9 * fmax(1.0, fabs(best)))
            break; /* the relaxed plan is feasible for the relaxed rules, or the gap is closed */
        double step = theta * (ub - lb) / norm;
        if (!(step > 0))
            step = 1e-6;
        for (size_t e = 0; e < w->ne; e++) {
            w->lam[e] = fmax(0.0, w->lam[e] - step * gl[e]);
            w->mu[e] = fmax(0.0, w->mu[e] - step * gl[w->ne + e]);
        }
    }
    for (uint32_t k = 0; k < w->no; k++)
        w->price[k] = w->ok[k] ? opt_price(w, w->best_lam, w->best_mu, k) : 0.0;
    return best;
}

/* ---- set-up ---------------------------------------------------------------------- */

static int check(const dw_wta_problem *p)
{
    if (!p || (p->n_options && !p->options) || (p->n_effectors && !p->magazine) ||
        (p->n_targets && !p->target_value) || (p->max_per_target != 1 && p->max_per_target != 2) ||
        p->n_options >= NONE || p->n_targets >= NONE || p->n_effectors >= NONE ||
        !isfinite(p->switch_penalty) || p->switch_penalty < 0)
        return 0;
    for (size_t j = 0; j < p->n_targets; j++)
        if (!isfinite(p->target_value[j]))
            return 0;
    return 1;
}

static int well_formed(const dw_wta_problem *p, const dw_wta_option *x)
{
    return x->effector < p->n_effectors && x->target < p->n_targets && x->pk >= 0.0 && x->pk <= 1.0 &&
           isfinite(x->cost) && isfinite(x->risk) && isfinite(x->t_start) && isfinite(x->t_end) &&
           x->t_end >= x->t_start;
}

#define CARVE(ptr, count)                                                  \
    do {                                                                   \
        size_t sz_ = ((count) * sizeof *(ptr) + 15) & ~(size_t)15;         \
        if (base) (ptr) = (void *)(base + off);                            \
        off += sz_;                                                        \
    } while (0)

static dw_status ws_open(ws *w, const dw_wta_problem *p, int with_cands)
{
    memset(w, 0, sizeof *w);
    w->p = p;
    w->nt = p->n_targets, w->ne = p->n_effectors, w->no = p->n_options;
    size_t nt = w->nt, ne = w->ne, no = w->no;

    /* count the candidate sets first (they need the CSR, so bound them by options) */
    size_t ncand = 0;
    if (with_cands) {
        /* an upper count: per target 1 + k + k(k-1)/2; computed from per-target counts */
        size_t *cnt = calloc(nt + 1, sizeof *cnt);
        if (!cnt)
            return DW_ERR_NOMEM;
        for (size_t k = 0; k < no; k++)
            if (well_formed(p, &p->options[k]))
                cnt[p->options[k].target]++;
        for (size_t j = 0; j < nt; j++)
            ncand += 1 + cnt[j] + (p->max_per_target > 1 ? cnt[j] * (cnt[j] - (cnt[j] > 0)) / 2 : 0);
        free(cnt);
    }

    unsigned char *base = NULL;
    size_t off = 0;
    for (int round = 0; round < 2; round++) {
        off = 0;
        CARVE(w->ok, no);
        CARVE(w->prev_eff, nt);
        CARVE(w->t_start, nt + 1);
        CARVE(w->t_opts, no);
        CARVE(w->e_start, ne + 1);
        CARVE(w->e_opts, no);
        CARVE(w->span, ne);
        CARVE(w->maxdur, ne);
        CARVE(w->chosen, no);
        CARVE(w->tg, 2 * nt);
        CARVE(w->e_list, no);
        CARVE(w->e_cnt, ne);
        CARVE(w->used, ne);
        CARVE(w->tnet, nt);
        CARVE(w->surv, nt);
        CARVE(w->keep, nt);
        CARVE(w->c_start, nt + 1);
        CARVE(w->cands, ncand);
        CARVE(w->suffix, nt + 1);
        CARVE(w->order, nt);
        CARVE(w->price, no + 2 * ne);
        CARVE(w->lam, ne);
        CARVE(w->mu, ne);
        CARVE(w->best_lam, ne);
        CARVE(w->best_mu, ne);
        CARVE(w->heap_o, no);
        CARVE(w->heap_k, no);
        CARVE(w->best_tg, 2 * nt);
        CARVE(w->dirty, nt + ne);
        CARVE(w->dirty_next, nt + ne);
        if (round == 0) {
            base = malloc(off ? off : 16);
            if (!base)
                return DW_ERR_NOMEM;
        }
    }

    memset(w->t_start, 0, (nt + 1) * sizeof *w->t_start);
    memset(w->e_start, 0, (ne + 1) * sizeof *w->e_start);
    for (size_t e = 0; e < ne; e++)
        w->span[e] = 0.0;
    double *lo = w->lam; /* scratch for the effectors' earliest start */
    for (size_t e = 0; e < ne; e++)
        lo[e] = INFINITY, w->mu[e] = -INFINITY;
    for (size_t k = 0; k < no; k++) {
        const dw_wta_option *x = &p->options[k];
        w->ok[k] = (uint8_t)well_formed(p, x);
        if (!w->ok[k]) {
            w->n_skipped++;
            continue;
        }
        if (x->shots > p->magazine[x->effector]) {
            w->ok[k] = 0; /* infeasible, not malformed */
            continue;
        }
        w->t_start[x->target + 1]++;
        w->e_start[x->effector + 1]++;
        lo[x->effector] = fmin(lo[x->effector], x->t_start);
        w->mu[x->effector] = fmax(w->mu[x->effector], x->t_end);
    }
    for (size_t e = 0; e < ne; e++)
        w->span[e] = isfinite(lo[e]) ? w->mu[e] - lo[e] : 0.0;
    for (size_t j = 0; j < nt; j++)
        w->t_start[j + 1] += w->t_start[j];
    for (size_t e = 0; e < ne; e++)
        w->e_start[e + 1] += w->e_start[e];
    /* fill the CSR lists (prev_eff and e_cnt serve as cursors until set below) */
    for (size_t j = 0; j < nt; j++)
        w->prev_eff[j] = (uint32_t)w->t_start[j]; /* cursor */
    memset(w->e_cnt, 0, ne * sizeof *w->e_cnt);
    for (size_t k = 0; k < no; k++) {
        if (!w->ok[k])
            continue;
        const dw_wta_option *x = &p->options[k];
        w->t_opts[w->prev_eff[x->target]++] = (uint32_t)k;
        w->e_opts[w->e_start[x->effector] + w->e_cnt[x->effector]++] = (uint32_t)k;
    }
    /* each effector's options by start time (shell sort: no scratch), and its longest */
    for (size_t e = 0; e < ne; e++) {
        uint32_t *v = w->e_opts + w->e_start[e];
        size_t n = w->e_start[e + 1] - w->e_start[e];
        w->maxdur[e] = 0.0;
        for (size_t gap = n / 2; gap > 0; gap = gap == 2 ? 1 : gap * 5 / 11)
            for (size_t i = gap; i < n; i++) {
                uint32_t x = v[i];
                size_t q = i;
                while (q >= gap && (p->options[v[q - gap]].t_start > p->options[x].t_start ||
                                    (p->options[v[q - gap]].t_start == p->options[x].t_start && v[q - gap] > x))) {
                    v[q] = v[q - gap];
                    q -= gap;
                }
                v[q] = x;
            }
        for (size_t i = 0; i < n; i++)
            w->maxdur[e] = fmax(w->maxdur[e], p->options[v[i]].t_end - p->options[v[i]].t_start);
    }
    for (size_t j = 0; j < nt; j++) {
        int32_t pv = p->previous ? p->previous[j] : -1;
        w->prev_eff[j] = (pv >= 0 && (size_t)pv < no && well_formed(p, &p->options[pv]))
                             ? p->options[pv].effector
                             : NONE;
    }
    reset(w);
    if (with_cands)
        build_cands(w);
    return DW_OK;
}

static void ws_close(ws *w) { free(w->ok); }

/* Write the current plan (w->tg) to out; DW_ERR_NOMEM leaves out untouched. */
static dw_status emit(ws *w, double upper, dw_wta_plan *out)
{
    const dw_wta_option *o = w->p->options;
    dw_wta_plan pl;
    memset(&pl, 0, sizeof pl);
    size_t n = 0;
    for (size_t j = 0; j < 2 * w->nt; j++)
        n += w->tg[j] != NONE;
    pl.chosen = malloc((n ? n : 1) * sizeof *pl.chosen);
    pl.by_target = malloc((w->nt ? 2 * w->nt : 1) * sizeof *pl.by_target);
    if (!pl.chosen || !pl.by_target) {
        free(pl.chosen);
        free(pl.by_target);
        return DW_ERR_NOMEM;
    }
    for (uint32_t k = 0; k < w->no; k++)
        if (w->chosen[k]) {
            pl.chosen[pl.n_chosen++] = k;
            pl.cost += o[k].cost;
            pl.risk += o[k].risk;
        }
    pl.objective = 0.0;
    for (uint32_t j = 0; j < w->nt; j++) {
        uint32_t a = w->tg[2 * j], b = w->tg[2 * j + 1];
        pl.by_target[2 * j] = a == NONE ? -1 : (int32_t)a;
        pl.by_target[2 * j + 1] = b == NONE ? -1 : (int32_t)b;
        double surv = (a == NONE ? 1.0 : 1.0 - o[a].pk) * (b == NONE ? 1.0 : 1.0 - o[b].pk);
        pl.expected_survivors += surv;
        pl.leakage_value += w->p->target_value[j] * surv;
        int keep = w->prev_eff[j] == NONE || (a != NONE && o[a].effector == w->prev_eff[j]) ||
                   (b != NONE && o[b].effector == w->prev_eff[j]);
        pl.switches += !keep;
        pl.objective += net_of(w, j, a, b);
    }
    pl.upper_bound = fmax(upper, pl.objective);
    pl.gap = (pl.upper_bound - pl.objective) / fmax(fabs(pl.upper_bound), 1.0);
    pl.nodes = w->nodes;
    pl.iterations = w->iters;
    pl.n_skipped = w->n_skipped;
    *out = pl;
    return DW_OK;
}

/* The heuristic on an opened workspace with its candidate sets: leaves the best plan
 * found in w->tg and returns the upper bound. */
#define MULTI_START_OPTIONS 2000

static void rebuild(ws *w, const uint32_t *tg)
{
    reset(w);
    for (size_t i = 0; i < 2 * w->nt; i++)
        if (tg[i] != NONE)
            add(w, tg[i]);
}

/* Two starts (plain greedy, greedy at the Lagrangian prices); the better one is
 * improved, or, on problems of up to MULTI_START_OPTIONS options, both are and the
 * better result kept. Leaves the plan in w->tg; returns the upper bound. */
static double heuristic(ws *w)
{
    greedy(w, 0);
    double obj1 = w->obj;
    int both = w->no <= MULTI_START_OPTIONS;
    if (both) {
        improve(w);
        obj1 = w->obj;
    }
    memcpy(w->best_tg, w->tg, 2 * w->nt * sizeof *w->tg);
    double ub = lagrangian(w, obj1);
    reset(w);
    greedy(w, 1);
    if (both)
        improve(w);
    if (w->obj < obj1 - EPS || (both && w->obj <= obj1 + EPS))
        rebuild(w, w->best_tg);
    if (!both)
        improve(w);
    return ub;
}

dw_status dw_wta_solve(const dw_wta_problem *p, dw_wta_plan *out)
{
    if (!out || !check(p))
        return DW_ERR_INVALID;
    ws w;
    dw_status st = ws_open(&w, p, 1);
    if (st != DW_OK)
        return st;
    double ub = heuristic(&w);
    st = emit(&w, ub, out);
    ws_close(&w);
    return st;
}

/* ---- exact ----------------------------------------------------------------------- */

static int cand_fits(ws *w, const cand *c)
{
    if (c->a != NONE && !feasible(w, c->a))
        return 0;
    if (c->b == NONE)
        return 1;
    if (c->a != NONE)
        add(w, c->a);
    int f = feasible(w, c->b);
    if (c->a != NONE)
        del(w, c->a);
    return f;
}

/* Depth d decides target order[d]; cur is the net of the targets decided so far. */
static int branch(ws *w, size_t d, double cur)
{
    if (d == w->nt) {
        if (cur > w->best_obj + 1e-12) {
            w->best_obj = cur;
            memcpy(w->best_tg, w->tg, 2 * w->nt * sizeof *w->tg);
        }
        return 0;
    }
    uint32_t j = w->order[d];
    for (uint32_t c = w->c_start[j]; c < w->c_start[j + 1]; c++) {
        const cand *x = &w->cands[c];
        if (cur + x->net + w->suffix[d + 1] <= w->best_obj + 1e-12)
            break; /* sorted: no later set does better */
        if (++w->nodes > w->budget)
            return -1;
        if (!cand_fits(w, x))
            continue;
        if (x->a != NONE)
            add(w, x->a);
        if (x->b != NONE)
            add(w, x->b);
        int r = branch(w, d + 1, cur + x->net);
        if (x->b != NONE)
            del(w, x->b);
        if (x->a != NONE)
            del(w, x->a);
        if (r < 0)
            return r;
    }
    return 0;
}

static double best_net(const ws *w, uint32_t j) { return w->cands[w->c_start[j]].net; }

static int order_cmp_ctx(const ws *w, uint32_t a, uint32_t b)
{
    /* the targets with most at stake first: their choice moves the bound most */
    double da = best_net(w, a) - w->cands[w->c_start[a + 1] - 1].net;
    double db = best_net(w, b) - w->cands[w->c_start[b + 1] - 1].net;
    if (da != db)
        return da > db ? -1 : 1;
    return (a > b) - (a < b);
}

dw_status dw_wta_solve_exact(const dw_wta_problem *p, dw_wta_plan *out, uint64_t node_budget)
{
    if (!out || !check(p))
        return DW_ERR_INVALID;
    ws w;
    dw_status st = ws_open(&w, p, 1);
    if (st != DW_OK)
        return st;
    heuristic(&w);
    /* the incumbent: the heuristic's plan */
    w.best_obj = w.obj;
    memcpy(w.best_tg, w.tg, 2 * w.nt * sizeof *w.tg);
    reset(&w);
    /* order targets (insertion sort: small problems) */
    for (uint32_t j = 0; j < w.nt; j++) {
        uint32_t i = j;
        while (i > 0 && order_cmp_ctx(&w, j, w.order[i - 1]) < 0) {
            w.order[i] = w.order[i - 1];
            i--;
        }
        w.order[i] = j;
    }
    w.suffix[w.nt] = 0.0;
    for (size_t d = w.nt; d-- > 0;)
        w.suffix[d] = w.suffix[d + 1] + best_net(&w, w.order[d]);
    w.budget = node_budget;
    if (branch(&w, 0, 0.0) < 0) {
        ws_close(&w);
        return DW_ERR_RANGE;
    }
    reset(&w);
    for (size_t i = 0; i < 2 * w.nt; i++)
        if (w.best_tg[i] != NONE)
            add(&w, w.best_tg[i]);
    st = emit(&w, -INFINITY, out);
    ws_close(&w);
    return st;
}

void dw_wta_plan_free(dw_wta_plan *plan)
{
    if (!plan)
        return;
    free(plan->chosen);
    free(plan->by_target);
    memset(plan, 0, sizeof *plan);
}

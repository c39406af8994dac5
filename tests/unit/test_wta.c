/* test_wta.c — the weapon–target assignment against brute force and on hand-made cases. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dronewall/wta.h"

#define MAXO 16

static uint64_t rng_state;
static double uni(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}
static uint32_t pick(uint32_t n) { return (uint32_t)(uni() * n) % n; }

typedef struct inst {
    dw_wta_option opt[MAXO];
    uint32_t mag[4];
    double val[5];
    int32_t prev[5];
    dw_wta_problem p;
} inst;

static void gen(inst *in)
{
    memset(in, 0, sizeof *in);
    size_t ne = 2 + pick(3), nt = 2 + pick(4), no = 4 + pick(11);
    for (size_t e = 0; e < ne; e++)
        in->mag[e] = 1 + pick(3);
    for (size_t j = 0; j < nt; j++) {
        in->val[j] = 100.0 + 900.0 * uni();
        in->prev[j] = -1;
    }
    for (size_t k = 0; k < no; k++) {
        dw_wta_option *o = &in->opt[k];
        o->effector = pick((uint32_t)ne);
        o->target = pick((uint32_t)nt);
        o->pk = 0.2 + 0.75 * uni();
        o->shots = 1 + pick(2);
        o->cost = 300.0 * uni();
        o->risk = uni() < 0.3 ? 200.0 * uni() : 0.0;
        o->t_start = 10.0 * uni();
        o->t_end = o->t_start + 1.0 + 5.0 * uni();
    }
    in->p = (dw_wta_problem){in->opt, no, ne, nt, in->mag, in->val, 1 + (int)pick(2), NULL, 0.0};
    if (uni() < 0.3) {
        for (size_t j = 0; j < nt; j++)
            in->prev[j] = uni() < 0.5 ? (int32_t)pick((uint32_t)no) : -1;
        in->p.previous = in->prev;
        in->p.switch_penalty = 50.0 * uni();
    }
}

/* The objective of the option set mask, or -INFINITY when it breaks a rule. */
static double eval(const dw_wta_problem *p, uint32_t mask)
{
    const dw_wta_option *o = p->options;
    uint32_t used[8] = {0};
    int per[8] = {0};
    double surv[8], total = 0.0;
    for (size_t j = 0; j < p->n_targets; j++)
        surv[j] = 1.0;
    for (size_t k = 0; k < p->n_options; k++) {
        if (!(mask >> k & 1))
            continue;
        used[o[k].effector] += o[k].shots;
        per[o[k].target]++;
        surv[o[k].target] *= 1.0 - o[k].pk;
        total -= o[k].cost + o[k].risk;
        for (size_t m = 0; m < k; m++)
            if ((mask >> m & 1) && o[m].effector == o[k].effector && o[m].t_start < o[k].t_end &&
                o[k].t_start < o[m].t_end)
                return -INFINITY;
    }
    for (size_t e = 0; e < p->n_effectors; e++)
        if (used[e] > p->magazine[e])
            return -INFINITY;
    for (size_t j = 0; j < p->n_targets; j++) {
        if (per[j] > p->max_per_target)
            return -INFINITY;
        total += p->target_value[j] * (1.0 - surv[j]);
        if (p->previous && p->previous[j] >= 0) {
            uint32_t pe = o[p->previous[j]].effector;
            int keep = 0;
            for (size_t k = 0; k < p->n_options; k++)
                keep |= (mask >> k & 1) && o[k].target == j && o[k].effector == pe;
            if (!keep)
                total -= p->switch_penalty;
        }
    }
    return total;
}

static double brute(const dw_wta_problem *p)
{
    double best = -INFINITY;
    for (uint32_t mask = 0; mask < (1u << p->n_options); mask++) {
        double v = eval(p, mask);
        if (v > best)
            best = v;
    }
    return best;
}

static uint32_t mask_of(const dw_wta_plan *pl)
{
    uint32_t m = 0;
    for (size_t i = 0; i < pl->n_chosen; i++)
        m |= 1u << pl->chosen[i];
    return m;
}

static void brute_force_random(void **state)
{
    (void)state;
    rng_state = 0x2545F4914F6CDD1DULL;
    double sum_gap = 0.0, worst = 0.0, sum_ub = 0.0, worst_ub = 0.0;
    int n = 300, exact_hits = 0;
    for (int i = 0; i < n; i++) {
        inst in;
        gen(&in);
        double opt = brute(&in.p);
        dw_wta_plan ex, he;
        assert_int_equal(dw_wta_solve_exact(&in.p, &ex, 10000000), DW_OK);
        assert_near(ex.objective, opt, 1e-9);
        assert_near(eval(&in.p, mask_of(&ex)), opt, 1e-9);
        assert_near(ex.upper_bound, ex.objective, 1e-12);
        assert_int_equal(dw_wta_solve(&in.p, &he), DW_OK);
        double hv = eval(&in.p, mask_of(&he));
        assert_true(isfinite(hv));                          /* feasible */
        assert_near(hv, he.objective, 1e-9);
        assert_true(he.objective <= opt + 1e-9);
        assert_true(opt <= he.upper_bound + 1e-9);
        double g = (opt - he.objective) / fmax(fabs(opt), 1.0);
        sum_gap += g;
        worst = fmax(worst, g);
        exact_hits += g < 1e-9;
        sum_ub += he.gap;
        worst_ub = fmax(worst_ub, he.gap);
        dw_wta_plan_free(&ex);
        dw_wta_plan_free(&he);
    }
    printf("wta: %d random small instances: heuristic gap to the optimum mean %.4f %% worst %.4f %% "
           "(optimal on %d); its own bound gap mean %.2f %% worst %.2f %%\n",
           n, 100 * sum_gap / n, 100 * worst, exact_hits, 100 * sum_ub / n, 100 * worst_ub);
}

static dw_wta_option opt(uint32_t e, uint32_t t, double pk, uint32_t shots, double cost, double risk,
                         double t0, double t1)
{
    return (dw_wta_option){e, t, pk, shots, cost, risk, t0, t1};
}

static void both(const dw_wta_problem *p, dw_wta_plan *h, dw_wta_plan *x)
{
    assert_int_equal(dw_wta_solve(p, h), DW_OK);
    assert_int_equal(dw_wta_solve_exact(p, x, 1000000), DW_OK);
}

static void magazine_binding(void **state)
{
    (void)state;
    /* one effector with 2 rounds, three targets wanting 1 round each: the two most valuable */
    dw_wta_option o[3] = {opt(0, 0, 0.9, 1, 10, 0, 0, 1), opt(0, 1, 0.9, 1, 10, 0, 1, 2),
                          opt(0, 2, 0.9, 1, 10, 0, 2, 3)};
    uint32_t mag[1] = {2};
    double val[3] = {1000, 500, 2000};
    dw_wta_problem p = {o, 3, 1, 3, mag, val, 1, NULL, 0};
    dw_wta_plan h, x;
    both(&p, &h, &x);
    assert_int_equal(x.n_chosen, 2);
    assert_int_equal(x.by_target[0], 0);
    assert_int_equal(x.by_target[2], -1);
    assert_int_equal(x.by_target[4], 2);
    assert_near(h.objective, x.objective, 1e-9);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
}

static void time_overlap(void **state)
{
    (void)state;
    /* the gun is busy 0-10 s on target 0; it cannot also take target 1 at 5-8 s */
    dw_wta_option o[2] = {opt(0, 0, 0.8, 1, 10, 0, 0, 10), opt(0, 1, 0.8, 1, 10, 0, 5, 8)};
    uint32_t mag[1] = {10};
    double val[2] = {1000, 900};
    dw_wta_problem p = {o, 2, 1, 2, mag, val, 1, NULL, 0};
    dw_wta_plan h, x;
    both(&p, &h, &x);
    assert_int_equal(x.n_chosen, 1);
    assert_int_equal(x.chosen[0], 0);
    assert_int_equal(h.n_chosen, 1);
    /* back to back is fine */
    o[1].t_start = 10, o[1].t_end = 12;
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
    both(&p, &h, &x);
    assert_int_equal(x.n_chosen, 2);
    assert_int_equal(h.n_chosen, 2);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
}

static void value_decides(void **state)
{
    (void)state;
    /* a cheap gun (pk 0.3, 100 EUR) against an interceptor missile (pk 0.95, 50,000 EUR) */
    dw_wta_option o[2] = {opt(0, 0, 0.3, 1, 100, 0, 0, 5), opt(1, 0, 0.95, 1, 50000, 0, 0, 5)};
    uint32_t mag[2] = {100, 4};
    double val[1] = {20000};
    dw_wta_problem p = {o, 2, 2, 1, mag, val, 1, NULL, 0};
    dw_wta_plan h, x;
    both(&p, &h, &x);
    assert_int_equal(x.chosen[0], 0); /* a 20,000 EUR drone: the gun */
    assert_int_equal(h.chosen[0], 0);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
    val[0] = 2e6; /* a cruise missile aimed at a power plant: the missile */
    both(&p, &h, &x);
    assert_int_equal(x.chosen[0], 1);
    assert_int_equal(h.chosen[0], 1);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
}

static void risk_over_village(void **state)
{
    (void)state;
    /* option 0 kills over a village (pk 0.9, debris risk 30,000); option 1 a little later
     * over fields (pk 0.85, no risk): the second wins */
    dw_wta_option o[2] = {opt(0, 0, 0.9, 1, 1000, 30000, 0, 5), opt(1, 0, 0.85, 1, 1000, 0, 5, 10)};
    uint32_t mag[2] = {2, 2};
    double val[1] = {100000};
    dw_wta_problem p = {o, 2, 2, 1, mag, val, 1, NULL, 0};
    dw_wta_plan h, x;
    both(&p, &h, &x);
    assert_int_equal(x.chosen[0], 1);
    assert_int_equal(h.chosen[0], 1);
    assert_near(x.risk, 0.0, 0);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
    o[0].risk = 0; /* no village: the better pk */
    both(&p, &h, &x);
    assert_int_equal(x.chosen[0], 0);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
}

static void hysteresis(void **state)
{
    (void)state;
    /* last plan: effector 0 on the target; effector 1 is now 10 EUR better */
    dw_wta_option o[2] = {opt(0, 0, 0.8, 1, 1000, 0, 0, 5), opt(1, 0, 0.8, 1, 990, 0, 0, 5)};
    uint32_t mag[2] = {2, 2};
    double val[1] = {100000};
    int32_t prev[1] = {0};
    dw_wta_problem p = {o, 2, 2, 1, mag, val, 1, prev, 50.0};
    dw_wta_plan h, x;
    both(&p, &h, &x);
    assert_int_equal(x.chosen[0], 0);
    assert_int_equal(h.chosen[0], 0);
    assert_int_equal(h.switches, 0);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
    /* effector 1 is now much better (pk 0.95): switch */
    o[1].pk = 0.95;
    both(&p, &h, &x);
    assert_int_equal(x.chosen[0], 1);
    assert_int_equal(h.chosen[0], 1);
    assert_int_equal(h.switches, 1);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
    /* without the penalty the small improvement would have switched */
    o[1].pk = 0.8;
    p.switch_penalty = 0;
    both(&p, &h, &x);
    assert_int_equal(h.chosen[0], 1);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
}

static void empty_problem(void **state)
{
    (void)state;
    dw_wta_problem p = {NULL, 0, 0, 0, NULL, NULL, 1, NULL, 0};
    dw_wta_plan h, x;
    both(&p, &h, &x);
    assert_int_equal(h.n_chosen, 0);
    assert_near(h.objective, 0, 0);
    assert_near(h.upper_bound, 0, 0);
    assert_near(x.objective, 0, 0);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
    /* targets but no options: everything leaks */
    double val[2] = {10, 20};
    dw_wta_problem q = {NULL, 0, 0, 2, NULL, val, 2, NULL, 0};
    both(&q, &h, &x);
    assert_near(h.leakage_value, 30, 1e-12);
    assert_near(h.expected_survivors, 2, 1e-12);
    assert_int_equal(h.by_target[0], -1);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
    /* bad arguments change nothing */
    q.max_per_target = 3;
    memset(&h, 0x5a, sizeof h);
    assert_int_equal(dw_wta_solve(&q, &h), DW_ERR_INVALID);
    assert_int_equal(dw_wta_solve(NULL, &h), DW_ERR_INVALID);
    assert_int_equal(h.n_chosen, (size_t)0x5a5a5a5a5a5a5a5aULL);
}

static void infeasible_only(void **state)
{
    (void)state;
    /* more rounds than the magazine, a loss-maker, and a malformed one: nothing chosen */
    dw_wta_option o[3] = {opt(0, 0, 0.9, 3, 10, 0, 0, 1), opt(1, 0, 0.5, 1, 5000, 0, 0, 1),
                          opt(7, 0, 0.5, 1, 1, 0, 0, 1)};
    uint32_t mag[2] = {2, 5};
    double val[1] = {1000};
    dw_wta_problem p = {o, 3, 2, 1, mag, val, 2, NULL, 0};
    dw_wta_plan h, x;
    both(&p, &h, &x);
    assert_int_equal(h.n_chosen, 0);
    assert_int_equal(x.n_chosen, 0);
    assert_int_equal(h.n_skipped, 1);
    assert_near(h.leakage_value, 1000, 1e-12);
    dw_wta_plan_free(&h);
    dw_wta_plan_free(&x);
}

static void determinism(void **state)
{
    (void)state;
    /* a mid-size problem, twice */
    enum { NE = 12, NT = 60, NO = 500 };
    static dw_wta_option o[NO];
    uint32_t mag[NE];
    double val[NT];
    rng_state = 99;
    for (int e = 0; e < NE; e++)
        mag[e] = 1 + pick(6);
    for (int j = 0; j < NT; j++)
        val[j] = 1000 + 1e5 * uni();
    for (int k = 0; k < NO; k++) {
        double t0 = 60 * uni();
        o[k] = opt(pick(NE), pick(NT), 0.3 + 0.6 * uni(), 1 + pick(2), 5000 * uni(), 2000 * uni(), t0,
                   t0 + 2 + 10 * uni());
    }
    dw_wta_problem p = {o, NO, NE, NT, mag, val, 2, NULL, 0};
    dw_wta_plan a, b;
    assert_int_equal(dw_wta_solve(&p, &a), DW_OK);
    assert_int_equal(dw_wta_solve(&p, &b), DW_OK);
    assert_int_equal(a.n_chosen, b.n_chosen);
    assert_memory_equal(a.chosen, b.chosen, a.n_chosen * sizeof *a.chosen);
    assert_true(a.objective == b.objective && a.upper_bound == b.upper_bound);
    assert_true(a.objective <= a.upper_bound);
    dw_wta_plan_free(&a);
    dw_wta_plan_free(&b);
}

static void budget_refused(void **state)
{
    (void)state;
    inst in;
    rng_state = 7;
    gen(&in);
    dw_wta_plan x;
    memset(&x, 0, sizeof x);
    assert_int_equal(dw_wta_solve_exact(&in.p, &x, 0), DW_ERR_RANGE);
    assert_null(x.chosen);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(brute_force_random), cmocka_unit_test(magazine_binding),
    cmocka_unit_test(time_overlap),       cmocka_unit_test(value_decides),
    cmocka_unit_test(risk_over_village),  cmocka_unit_test(hysteresis),
    cmocka_unit_test(empty_problem),      cmocka_unit_test(infeasible_only),
    cmocka_unit_test(determinism),        cmocka_unit_test(budget_refused),
};

DW_TEST_MAIN("wta", tests)

/* dw_bench_wta — the weapon–target assignment at the scale of the 810-drone night.
 *
 *   dw_bench_wta [--targets N] [--replans R] [--small S] [--seed X] [--bound-ms B]
 *
 * The raid: N targets (default 810) over a 400 x 400 km area arriving over 30 minutes,
 * each worth what it threatens (log-uniform 20,000 EUR .. 2 M EUR), and 60 effectors
 * placed over the same area: 8 fighters (6 missiles, pk 0.75-0.9, 150-400 kEUR, busy
 * 30-90 s), 4 SAM batteries (16 rounds, pk 0.85-0.95, 1-2 rounds at 0.5-1 MEUR, busy
 * 15-40 s), 20 guns (40 bursts, pk 0.3-0.6, 1-3 bursts at 2 kEUR, busy 5-20 s), 20
 * MANPADS teams (3 missiles, pk 0.5-0.75, 100 kEUR, busy 10-25 s) and 8 interceptor-drone
 * teams (10 drones, pk 0.6-0.8, 8 kEUR, busy 40-120 s). Each target can be engaged by
 * the 5-15 nearest effectors (its reach set), starting when it comes into reach; a
 * third of the engagements are over built-up land and carry a debris risk of 2-20 % of
 * the target's value. Everything is drawn from one seed.
 *
 * Printed, one line per figure with its bound: the full re-plan (dw_wta_solve over all
 * targets and options, max 2 per target, the last plan as `previous`, a switch penalty
 * of 5,000 EUR) median and max over R re-plans (default 20) with the values, kill
 * chances and times perturbed each time, against the bound of 100 ms on one core; the
 * plan's gap to its own upper bound on those instances; and on S small instances
 * (default 200: 4-6 effectors, 6-10 targets, 20-30 options, magazines 1-4) the
 * heuristic's gap to the exact optimum (mean, p90, worst). The last line is one JSON
 * object with the figures. Like app/, a benchmark reads the clock.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dronewall/wta.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}
static double between(double a, double b) { return a + (b - a) * uniform(); }
static uint32_t below(uint32_t n) { return (uint32_t)(uniform() * n) % n; }

typedef struct kind {
    const char *name;
    int count;
    uint32_t magazine;
    double pk_lo, pk_hi, cost, busy_lo, busy_hi;
    uint32_t shots_hi;
} kind;

static const kind kinds[] = {
    {"fighter", 8, 6, 0.75, 0.90, 250000, 30, 90, 1},
    {"SAM battery", 4, 16, 0.85, 0.95, 750000, 15, 40, 2},
    {"gun", 20, 40, 0.30, 0.60, 2000, 5, 20, 3},
    {"MANPADS team", 20, 3, 0.50, 0.75, 100000, 10, 25, 1},
    {"interceptor-drone team", 8, 10, 0.60, 0.80, 8000, 40, 120, 1},
};

typedef struct raid {
    size_t ne, nt, no, cap;
    dw_wta_option *opt;
    uint32_t *mag;
    double *value;
    int32_t *prev;
    double *ex, *ey;        /* effector positions, km */
    int *kind;
} raid;

static int raid_alloc(raid *r, size_t ne, size_t nt, size_t cap)
{
    memset(r, 0, sizeof *r);
    r->ne = ne, r->nt = nt, r->cap = cap;
    r->opt = calloc(cap, sizeof *r->opt);
    r->mag = calloc(ne, sizeof *r->mag);
    r->value = calloc(nt, sizeof *r->value);
    r->prev = calloc(nt, sizeof *r->prev);
    r->ex = calloc(ne, sizeof *r->ex);
    r->ey = calloc(ne, sizeof *r->ey);
    r->kind = calloc(ne, sizeof *r->kind);
    return r->opt && r->mag && r->value && r->prev && r->ex && r->ey && r->kind ? 0 : -1;
}

static void raid_free(raid *r)
{
    free(r->opt), free(r->mag), free(r->value), free(r->prev), free(r->ex), free(r->ey), free(r->kind);
}

/* The raid above: ne effectors by kinds (scaled when small), nt targets each with
 * reach_lo..reach_hi options. mag_scale shrinks magazines for the small instances. */
static void raid_make(raid *r, double area_km, double window_s, int reach_lo, int reach_hi, int small)
{
    for (size_t e = 0; e < r->ne; e++) {
        int k;
        if (small) {
            k = (int)below(5);
        } else {
            size_t acc = 0;
            for (k = 0; k < 4; k++) {
                acc += (size_t)kinds[k].count;
                if (e < acc)
                    break;
            }
        }
        r->kind[e] = k;
        r->mag[e] = small ? 1 + below(4) : kinds[k].magazine;
        r->ex[e] = between(0, area_km);
        r->ey[e] = between(0, area_km);
    }
    r->no = 0;
    for (size_t j = 0; j < r->nt; j++) {
        r->value[j] = 20000.0 * exp(uniform() * log(100.0));
        r->prev[j] = -1;
        double x = between(0, area_km), y = between(0, area_km), arrive = between(0, window_s);
        int reach = reach_lo + (int)below((uint32_t)(reach_hi - reach_lo + 1));
        /* the reach set: the nearest effectors (selection by repeated minimum) */
        uint8_t taken[64] = {0};
        for (int n = 0; n < reach && n < (int)r->ne && r->no < r->cap; n++) {
            size_t best = 0;
            double bd = INFINITY;
            for (size_t e = 0; e < r->ne; e++) {
                double d = hypot(r->ex[e] - x, r->ey[e] - y);
                if (!taken[e] && d < bd)
                    bd = d, best = e;
            }
            taken[best] = 1;
            const kind *k = &kinds[r->kind[best]];
            dw_wta_option *o = &r->opt[r->no++];
            o->effector = (uint32_t)best;
            o->target = (uint32_t)j;
            o->pk = between(k->pk_lo, k->pk_hi);
            o->shots = 1 + below(k->shots_hi);
            o->cost = k->cost * o->shots * between(0.8, 1.2);
            o->risk = uniform() < 1.0 / 3 ? r->value[j] * between(0.02, 0.2) : 0.0;
            o->t_start = arrive + bd / 0.18 * between(0.0, 0.3); /* ~650 km/h drones, some lead */
            o->t_end = o->t_start + between(k->busy_lo, k->busy_hi);
        }
    }
}

/* The next picture: values, kill chances and times drift a little. */
static void raid_perturb(raid *r)
{
    for (size_t j = 0; j < r->nt; j++)
        r->value[j] *= between(0.9, 1.1);
    for (size_t k = 0; k < r->no; k++) {
        dw_wta_option *o = &r->opt[k];
        o->pk = fmin(0.99, fmax(0.01, o->pk + between(-0.03, 0.03)));
        double dt = between(-2, 2);
        o->t_start += dt, o->t_end += dt;
    }
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(void)
{
    fprintf(stderr, "usage: dw_bench_wta [--targets N] [--replans R] [--small S] [--seed X] [--bound-ms B]\n");
}

int main(int argc, char **argv)
{
    size_t nt = 810;
    int replans = 20, n_small = 200;
    double bound_ms = 100.0;
    static const struct option lo[] = {{"targets", 1, 0, 't'}, {"replans", 1, 0, 'r'}, {"small", 1, 0, 's'},
                                       {"seed", 1, 0, 'x'},    {"bound-ms", 1, 0, 'b'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 't': nt = (size_t)strtoul(optarg, NULL, 10); break;
        case 'r': replans = atoi(optarg); break;
        case 's': n_small = atoi(optarg); break;
        case 'x': rng = strtoull(optarg, NULL, 0) | 1; break;
        case 'b': bound_ms = atof(optarg); break;
        default: usage(); return 2;
        }
    }
    if (replans < 1 || n_small < 1 || nt < 1) {
        usage();
        return 2;
    }

    /* ---- the full re-plan ---- */
    raid r;
    size_t ne = 60;
    if (raid_alloc(&r, ne, nt, nt * 15) != 0) {
        fprintf(stderr, "dw_bench_wta: out of memory\n");
        return 1;
    }
    raid_make(&r, 400.0, 1800.0, 5, 15, 0);
    double *ms = calloc((size_t)replans, sizeof *ms), *gaps = calloc((size_t)replans, sizeof *gaps);
    if (!ms || !gaps)
        return 1;
    dw_wta_plan plan;
    size_t chosen = 0, switches = 0;
    double obj = 0, ub = 0, leak = 0, surv = 0;
    for (int i = 0; i <= replans; i++) {
        dw_wta_problem p = {r.opt, r.no, r.ne, r.nt, r.mag, r.value, 2, i ? r.prev : NULL, 5000.0};
        double t0 = now_s();
        dw_status st = dw_wta_solve(&p, &plan);
        double t1 = now_s();
        if (st != DW_OK) {
            fprintf(stderr, "dw_bench_wta: solve: %s\n", dw_status_str(st));
            return 1;
        }
        if (i > 0) { /* the first plan has no previous: it sets the scene, not timed */
            ms[i - 1] = 1e3 * (t1 - t0);
            gaps[i - 1] = plan.gap;
            switches += plan.switches;
        }
        chosen = plan.n_chosen, obj = plan.objective, ub = plan.upper_bound;
        leak = plan.leakage_value, surv = plan.expected_survivors;
        for (size_t j = 0; j < r.nt; j++)
            r.prev[j] = plan.by_target[2 * j];
        dw_wta_plan_free(&plan);
        raid_perturb(&r);
    }
    double worst_ms = 0, sum_gap = 0, worst_gap = 0;
    for (int i = 0; i < replans; i++) {
        worst_ms = fmax(worst_ms, ms[i]);
        sum_gap += gaps[i];
        worst_gap = fmax(worst_gap, gaps[i]);
    }
    qsort(ms, (size_t)replans, sizeof *ms, cmp_d);
    double med_ms = ms[replans / 2];
    double total_value = 0;
    for (size_t j = 0; j < r.nt; j++)
        total_value += r.value[j];
    printf("raid: %zu targets, %zu effectors (8 fighters, 4 SAM batteries, 20 guns, 20 MANPADS, "
           "8 interceptor-drone teams), %zu options, max 2 per target\n", r.nt, r.ne, r.no);
    printf("full re-plan: median %.2f ms, max %.2f ms over %d re-plans (bound: 100 ms on one core)\n",
           med_ms, worst_ms, replans);
    printf("gap to its own upper bound on the raid: mean %.2f %%, worst %.2f %% (no bound set; "
           "the optimum lies between)\n", 100 * sum_gap / replans, 100 * worst_gap);
    printf("last plan: %zu engagements, objective %.3g EUR of %.3g EUR at stake (upper bound %.3g), "
           "value leaking %.3g EUR, %.1f targets expected to survive; switches per re-plan %.1f\n",
           chosen, obj, total_value, ub, leak, surv, (double)switches / replans);
    raid_free(&r);

    /* ---- against the exact optimum on small instances ---- */
    double *sg = calloc((size_t)n_small, sizeof *sg);
    if (!sg)
        return 1;
    int solved = 0, refused = 0, optimal = 0;
    double sum_small = 0, sum_own = 0, worst_own = 0;
    uint64_t max_nodes = 0;
    for (int i = 0; i < n_small; i++) {
        raid s;
        size_t sne = 4 + below(3), snt = 6 + below(5);
        if (raid_alloc(&s, sne, snt, 30) != 0)
            return 1;
        raid_make(&s, 60.0, 120.0, 2, 4, 1);
        dw_wta_problem p = {s.opt, s.no, s.ne, s.nt, s.mag, s.value, 1 + (int)below(2), NULL, 0};
        dw_wta_plan h, x;
        if (dw_wta_solve(&p, &h) != DW_OK) {
            fprintf(stderr, "dw_bench_wta: solve failed\n");
            return 1;
        }
        dw_status st = dw_wta_solve_exact(&p, &x, 50000000);
        if (st == DW_OK) {
            double g = (x.objective - h.objective) / fmax(fabs(x.objective), 1.0);
            sg[solved++] = g;
            sum_small += g;
            optimal += g < 1e-9;
            if (x.nodes > max_nodes)
                max_nodes = x.nodes;
            dw_wta_plan_free(&x);
        } else {
            refused++;
        }
        sum_own += h.gap;
        worst_own = fmax(worst_own, h.gap);
        dw_wta_plan_free(&h);
        raid_free(&s);
    }
    qsort(sg, (size_t)solved, sizeof *sg, cmp_d);
    double p90 = solved ? sg[(size_t)(0.9 * (solved - 1))] : NAN, worst_small = solved ? sg[solved - 1] : NAN;
    double mean_small = solved ? sum_small / solved : NAN;
    printf("small instances solved exactly: %d of %d (4-6 effectors, 6-10 targets, up to 30 options; "
           "%d refused over the 50 M node budget; most nodes %llu)\n",
           solved, n_small, refused, (unsigned long long)max_nodes);
    printf("heuristic gap to the exact optimum: mean %.3f %%, p90 %.3f %%, worst %.3f %%; optimal on %d "
           "(no bound set; reported)\n", 100 * mean_small, 100 * p90, 100 * worst_small, optimal);
    printf("heuristic gap to its own upper bound there: mean %.2f %%, worst %.2f %%\n", 100 * sum_own / n_small,
           100 * worst_own);
    printf("{\"bench\":\"wta\",\"targets\":%zu,\"effectors\":%zu,\"replans\":%d,\"replan_ms_median\":%.3f,"
           "\"replan_ms_max\":%.3f,\"bound_ms\":%.0f,\"within_bound\":%s,\"raid_gap_to_bound_mean\":%.5f,"
           "\"raid_gap_to_bound_worst\":%.5f,\"small_solved\":%d,\"small_gap_mean\":%.6f,"
           "\"small_gap_p90\":%.6f,\"small_gap_worst\":%.6f,\"small_optimal\":%d}\n",
           nt, ne, replans, med_ms, worst_ms, bound_ms, worst_ms <= bound_ms ? "true" : "false",
           sum_gap / replans, worst_gap, solved, mean_small, p90, worst_small, optimal);
    free(ms), free(gaps), free(sg);
    return 0;
}

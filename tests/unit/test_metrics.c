#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/assign.h"
#include "dronewall/metrics.h"
#include "dronewall/track2d.h"

static dw_gospa_ws *new_ws(void)
{
    dw_gospa_ws *ws = NULL;
    assert_int_equal(dw_gospa_ws_create(&ws), DW_OK);
    return ws;
}

/* ---- GOSPA on hand cases ------------------------------------------------ */

static void gospa_of_empty_sets(void **state)
{
    (void)state;
    dw_gospa_ws *ws = new_ws();
    dw_gospa_parts g;
    assert_int_equal(dw_gospa(NULL, 0, NULL, 0, 10, 1, ws, &g), DW_OK);
    assert_near(g.total, 0.0, 0.0);
    assert_int_equal(g.n_pairs, 0);

    /* Three truths and nothing estimated: three misses of c^p/2 each. */
    const double t[6] = {0, 0, 100, 0, 0, 100};
    assert_int_equal(dw_gospa(t, 3, NULL, 0, 10, 1, ws, &g), DW_OK);
    assert_near(g.total, 15.0, 1e-12);
    assert_near(g.missed_cost, 15.0, 1e-12);
    assert_int_equal(g.n_missed, 3);
    assert_int_equal(g.n_false, 0);
    assert_int_equal(dw_gospa(t, 3, NULL, 0, 10, 2, ws, &g), DW_OK);
    assert_near(g.total, sqrt(150.0), 1e-12);
    assert_near(g.missed_cost, 150.0, 1e-12);

    /* Two estimates and no truth: two false. */
    assert_int_equal(dw_gospa(NULL, 0, t, 2, 4, 1, ws, &g), DW_OK);
    assert_near(g.total, 4.0, 1e-12);
    assert_near(g.false_cost, 4.0, 1e-12);
    assert_int_equal(g.n_false, 2);
    dw_gospa_ws_destroy(ws);
}

static void gospa_all_beyond_c(void **state)
{
    (void)state;
    dw_gospa_ws *ws = new_ws();
    const double t[4] = {0, 0, 50, 50};
    const double e[6] = {20, 0, 70, 50, 0, -10.0};   /* the last is at exactly c */
    dw_gospa_parts g;
    assert_int_equal(dw_gospa(t, 2, e, 3, 10, 1, ws, &g), DW_OK);
    assert_int_equal(g.n_pairs, 0);
    assert_int_equal(g.n_missed, 2);
    assert_int_equal(g.n_false, 3);
    assert_near(g.total, 25.0, 1e-12);
    assert_near(g.localisation, 0.0, 0.0);
    const int *a = dw_gospa_assignment(ws);
    assert_int_equal(a[0], -1);
    assert_int_equal(a[1], -1);
    dw_gospa_ws_destroy(ws);
}

static void gospa_exact_numbers(void **state)
{
    (void)state;
    dw_gospa_ws *ws = new_ws();
    dw_gospa_parts g;

    /* One estimate between two truths: pairing it with the nearer (d = 5)
     * and missing the other (5) beats the farther (sqrt 65) plus a miss. */
    const double t1[4] = {0, 0, 10, 0}, e1[2] = {3, 4};
    assert_int_equal(dw_gospa(t1, 2, e1, 1, 10, 1, ws, &g), DW_OK);
    assert_near(g.total, 10.0, 1e-12);
    assert_near(g.localisation, 5.0, 1e-12);
    assert_near(g.missed_cost, 5.0, 1e-12);
    assert_near(g.sum_sq_dist, 25.0, 1e-12);
    assert_int_equal(dw_gospa_assignment(ws)[0], 0);
    assert_int_equal(dw_gospa_assignment(ws)[1], -1);
    assert_int_equal(dw_gospa(t1, 2, e1, 1, 10, 2, ws, &g), DW_OK);
    assert_near(g.total, sqrt(75.0), 1e-12);

    /* Where the greedy nearest pair is wrong: B-X is closest (0.1) but
     * leaves A-Y at 4.2 (sum 4.3); the optimum is A-X 2 + B-Y 2.1 = 4.1. */
    const double t2[4] = {0, 0, 2.1, 0}, e2[4] = {2, 0, 4.2, 0};
    assert_int_equal(dw_gospa(t2, 2, e2, 2, 10, 1, ws, &g), DW_OK);
    assert_near(g.total, 4.1, 1e-12);
    assert_int_equal(g.n_pairs, 2);
    assert_int_equal(dw_gospa_assignment(ws)[0], 0);
    assert_int_equal(dw_gospa_assignment(ws)[1], 1);
    /* p = 2 prefers the small squares: 0.01 + 17.64 vs 4 + 4.41. */
    assert_int_equal(dw_gospa(t2, 2, e2, 2, 10, 2, ws, &g), DW_OK);
    assert_near(g.total, sqrt(8.41), 1e-12);

    /* A 3-D pair that looks coincident in x, y but is separated in z. */
    const double t3[3] = {0, 0, 0}, e3[6] = {0, 0, 20, 0, 0, 9.5};
    assert_int_equal(dw_gospa_nd(t3, 1, e3, 2, 3, 10, 1, ws, &g), DW_OK);
    assert_int_equal(g.n_pairs, 1);
    assert_near(g.total, 9.5 + 5.0, 1e-12);
    assert_int_equal(dw_gospa_assignment(ws)[0], 1);
    dw_gospa_ws_destroy(ws);
}

static void gospa_rejects_bad_input_without_writing(void **state)
{
    (void)state;
    dw_gospa_ws *ws = new_ws();
    const double t[2] = {0, 0}, bad[2] = {NAN, 0};
    dw_gospa_parts g;
    memset(&g, 0x5a, sizeof g);
    dw_gospa_parts keep = g;
    assert_int_equal(dw_gospa(t, 1, t, 1, 0, 1, ws, &g), DW_ERR_INVALID);
    assert_int_equal(dw_gospa(t, 1, t, 1, 10, 0.5, ws, &g), DW_ERR_INVALID);
    assert_int_equal(dw_gospa(t, 1, t, 1, INFINITY, 1, ws, &g), DW_ERR_INVALID);
    assert_int_equal(dw_gospa(t, 1, bad, 1, 10, 1, ws, &g), DW_ERR_INVALID);
    assert_int_equal(dw_gospa(t, -1, t, 1, 10, 1, ws, &g), DW_ERR_INVALID);
    assert_int_equal(dw_gospa(t, 1, t, 1, 10, 1, NULL, &g), DW_ERR_INVALID);
    assert_memory_equal(&g, &keep, sizeof g);
    dw_gospa_ws_destroy(ws);
    dw_gospa_ws_destroy(NULL);
}

/* ---- clusters vs one big solve ------------------------------------------ */

static double one_big_solve(dw_assign *as, const double *t, int nt, const double *e, int ne,
                            double c, double p)
{
    double *cost = malloc(((size_t)nt * (size_t)ne + 1) * sizeof *cost);
    double *rm = malloc(((size_t)nt + 1) * sizeof *rm), *cm = malloc(((size_t)ne + 1) * sizeof *cm);
    int *r2c = malloc(((size_t)nt + 1) * sizeof *r2c);
    assert_non_null(cost);
    assert_non_null(rm);
    assert_non_null(cm);
    assert_non_null(r2c);
    for (int i = 0; i < nt; i++) {
        rm[i] = pow(c, p) / 2;
        for (int j = 0; j < ne; j++) {
            double d = hypot(t[2 * i] - e[2 * j], t[2 * i + 1] - e[2 * j + 1]);
            cost[i * ne + j] = d < c ? pow(d, p) : DW_ASSIGN_FORBID;
        }
    }
    for (int j = 0; j < ne; j++)
        cm[j] = pow(c, p) / 2;
    double total = 0;
    assert_int_equal(dw_assign_solve(as, nt, ne, cost, rm, cm, r2c, &total), DW_OK);
    free(cost);
    free(rm);
    free(cm);
    free(r2c);
    return total;
}

static void cluster_split_equals_one_big_solve(void **state)
{
    (void)state;
    dw_gospa_ws *ws = new_ws();
    dw_assign *as = NULL;
    assert_int_equal(dw_assign_create(&as), DW_OK);
    srand(777);
    const double ps[3] = {1.0, 2.0, 1.5};
    for (int trial = 0; trial < 150; trial++) {
        /* Sizes go up and down so the workspace is reused after growing. */
        int nt = rand() % 60, ne = rand() % 60;
        double side = 20.0 + rand() % 100, c = 10.0, p = ps[trial % 3];
        double t[120], e[120];
        for (int k = 0; k < 2 * nt; k++)
            t[k] = side * rand() / (double)RAND_MAX - side / 2;
        for (int k = 0; k < 2 * ne; k++)
            e[k] = side * rand() / (double)RAND_MAX - side / 2;
        dw_gospa_parts g;
        assert_int_equal(dw_gospa(t, nt, e, ne, c, p, ws, &g), DW_OK);
        double want = one_big_solve(as, t, nt, e, ne, c, p);
        double sum = g.localisation + g.missed_cost + g.false_cost;
        assert_near(sum, want, 1e-9 * (1 + want));
        assert_near(g.total, pow(want, 1 / p), 1e-9 * (1 + want));
        /* The assignment is a matching of pairs closer than c that adds up. */
        const int *a = dw_gospa_assignment(ws);
        unsigned char used[60] = {0};
        double loc = 0;
        int pairs = 0;
        for (int i = 0; i < nt; i++) {
            if (a[i] < 0)
                continue;
            assert_true(a[i] < ne);
            assert_false(used[a[i]]);
            used[a[i]] = 1;
            double d = hypot(t[2 * i] - e[2 * a[i]], t[2 * i + 1] - e[2 * a[i] + 1]);
            assert_true(d < c);
            loc += pow(d, p);
            pairs++;
        }
        assert_int_equal(pairs, g.n_pairs);
        assert_near(loc, g.localisation, 1e-9 * (1 + loc));
    }
    dw_assign_destroy(as);
    dw_gospa_ws_destroy(ws);
}

/* ---- the bound on a one-target hand case --------------------------------- */

/* Gauss–Jordan inverse of a 4x4, for the direct computation. */
static void inv4(const double a[16], double out[16])
{
    double m[4][8];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            m[i][j] = j < 4 ? a[i * 4 + j] : (j - 4 == i);
    for (int col = 0; col < 4; col++) {
        int piv = col;
        for (int r = col + 1; r < 4; r++)
            if (fabs(m[r][col]) > fabs(m[piv][col]))
                piv = r;
        for (int j = 0; j < 8; j++) {
            double tmp = m[col][j];
            m[col][j] = m[piv][j];
            m[piv][j] = tmp;
        }
        double d = m[col][col];
        for (int j = 0; j < 8; j++)
            m[col][j] /= d;
        for (int r = 0; r < 4; r++) {
            if (r == col)
                continue;
            double f = m[r][col];
            for (int j = 0; j < 8; j++)
                m[r][j] -= f * m[col][j];
        }
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            out[i * 4 + j] = m[i][j + 4];
}

static void mul4(const double a[16], const double b[16], double out[16])
{
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            double s = 0;
            for (int k = 0; k < 4; k++)
                s += a[i * 4 + k] * b[k * 4 + j];
            out[i * 4 + j] = s;
        }
}

enum { HK = 16 };

/* One target, HK scans, not detected on scans 3, 11 and 12, plus a clutter
 * measurement on scan 11 (which must not count as a detection). */
static void one_target_scenario(dw_t2d_scenario *sc, dw_t2d_truth *truth, dw_t2d_meas *meas,
                                int *origin, int *scan_start, int *truth_start)
{
    memset(sc, 0, sizeof *sc);
    sc->params = (dw_t2d_params){.n_targets = 1, .n_scans = HK, .dt = 0.5, .q = 0.3,
                                 .sigma_z = 2.0, .sigma_v = 1.5, .pd = 0.9, .spacing = 40.0};
    int nm = 0;
    for (int k = 0; k < HK; k++) {
        truth[k] = (dw_t2d_truth){.scan = k, .t = 0.5 * k, .id = 0, .x = k, .y = -k};
        truth_start[k] = k;
        scan_start[k] = nm;
        if (k == 11) {
            meas[nm] = (dw_t2d_meas){.scan = k, .t = 0.5 * k, .zx = 99, .zy = 99};
            origin[nm++] = -1;
        } else if (k != 3 && k != 12) {
            meas[nm] = (dw_t2d_meas){.scan = k, .t = 0.5 * k, .zx = k, .zy = -k};
            origin[nm++] = 0;
        }
    }
    truth_start[HK] = HK;
    scan_start[HK] = nm;
    sc->truth = truth;
    sc->n_truth = HK;
    sc->truth_start = truth_start;
    sc->meas = meas;
    sc->n_meas = (size_t)nm;
    sc->origin = origin;
    sc->scan_start = scan_start;
}

static void pcrlb_one_target_matches_direct_4x4(void **state)
{
    (void)state;
    dw_t2d_scenario sc;
    dw_t2d_truth truth[HK];
    dw_t2d_meas meas[HK];
    int origin[HK], scan_start[HK + 1], truth_start[HK + 1];
    one_target_scenario(&sc, truth, meas, origin, scan_start, truth_start);

    /* The README's recursion, written out with 4x4 matrices. */
    const double dt = 0.5, q = 0.3, sz = 2.0, sv = 1.5, L = 40.0;
    const double F[16] = {1, dt, 0, 0, 0, 1, 0, 0, 0, 0, 1, dt, 0, 0, 0, 1};
    const double Ft[16] = {1, 0, 0, 0, dt, 1, 0, 0, 0, 0, 1, 0, 0, 0, dt, 1};
    const double q11 = q * dt * dt * dt / 3, q12 = q * dt * dt / 2, q22 = q * dt;
    const double Q[16] = {q11, q12, 0, 0, q12, q22, 0, 0, 0, 0, q11, q12, 0, 0, q12, q22};
    double J[16] = {0};
    J[0] = J[10] = 12 / (L * L);
    J[5] = J[15] = 1 / (sv * sv);
    double sum = 0;
    int count = 0;
    for (int k = 0; k < HK; k++) {
        if (k > 0) {
            double P[16], FP[16], FPFt[16];
            inv4(J, P);
            mul4(F, P, FP);
            mul4(FP, Ft, FPFt);
            for (int m = 0; m < 16; m++)
                FPFt[m] += Q[m];
            inv4(FPFt, J);
        }
        int s = k != 3 && k != 11 && k != 12;
        J[0] += s / (sz * sz);
        J[10] += s / (sz * sz);
        if (k >= 10) {
            double P[16];
            inv4(J, P);
            sum += P[0] + P[10];
            count++;
        }
    }
    double want = sqrt(sum / count);

    double got;
    assert_int_equal(dw_t2d_pcrlb_rmse(&sc, 10, &got), DW_OK);
    fprintf(stderr, "pcrlb one target: %.17g (direct %.17g)\n", got, want);
    assert_near(got, want, 1e-12 * want);

    /* The scorer reports the same bound. */
    dw_t2d_track_row row = {.scan = 12, .t = 6, .track_id = 1, .x = 12.5, .y = -12};
    dw_t2d_score s;
    assert_int_equal(dw_t2d_score_tracks(&sc, &row, 1, 10, 1, &s), DW_OK);
    assert_near(s.pcrlb_rmse, want, 1e-12 * want);
    assert_near(s.rmse, 0.5, 1e-12);
    assert_int_equal((int)s.n_pairs, 1);
    assert_near(s.rmse_over_pcrlb, 0.5 / want, 1e-12);
    /* 16 scans: 15 with the truth missed (5 each), one paired at 0.5. */
    assert_near(s.gospa_mean, (15 * 5.0 + 0.5) / 16, 1e-12);
    assert_near(s.missed_per_scan, 15.0 / 16, 1e-12);
    assert_near(s.false_per_scan, 0.0, 0.0);

    /* A duplicated truth id in a scan is refused, and the scorer then has
     * no bound rather than a wrong one. */
    truth_start[4] = 3;     /* scan 3 empty; scan 4 holds rows 3 and 4, both id 0 */
    assert_int_equal(dw_t2d_pcrlb_rmse(&sc, 10, &got), DW_ERR_INVALID);
    assert_int_equal(dw_t2d_score_tracks(&sc, &row, 1, 10, 1, &s), DW_OK);
    assert_true(isnan(s.pcrlb_rmse));
}

/* ---- the track2d figures ------------------------------------------------ */

static void load_n100(dw_t2d_scenario *sc, dw_t2d_track_row **rows, size_t *n)
{
    char err[512] = "";
    const char *scn = dw_test_shared("bench/track2d/scenario_N100_s1.csv");
    dw_status st = dw_t2d_read_scenario(scn, DW_T2D_TRUTH | DW_T2D_MEAS | DW_T2D_ORIGIN, sc,
                                        err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    const char *trk = dw_test_shared("bench/track2d/tracks_stonesoup-kdtree_N100_s1.csv");
    st = dw_t2d_read_tracks(trk, rows, n, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
}

/* The README's table at its own precision: our scorer must give the peer's
 * published figures for the peer's own tracks. */
static void peer_tracks_reproduce_readme_figures(void **state)
{
    (void)state;
    dw_t2d_scenario sc;
    dw_t2d_track_row *rows;
    size_t n;
    load_n100(&sc, &rows, &n);
    dw_t2d_score s;
    assert_int_equal(dw_t2d_score_tracks(&sc, rows, n, 10, 1, &s), DW_OK);
    fprintf(stderr,
            "N100 peer: gospa %.17g loc %.17g missed %.17g false %.17g missed/scan %.17g "
            "false/scan %.17g rmse %.17g bound %.17g ratio %.17g pairs %zu\n",
            s.gospa_mean, s.gospa_localisation_mean, s.gospa_missed_mean, s.gospa_false_mean,
            s.missed_per_scan, s.false_per_scan, s.rmse, s.pcrlb_rmse, s.rmse_over_pcrlb,
            s.n_pairs);
    assert_int_equal((int)s.n_scans, 100);
    assert_near(s.gospa_mean, 108.735, 5e-4);
    assert_near(s.gospa_localisation_mean, 95.535, 5e-4);
    assert_near(s.missed_per_scan, 1.72, 5e-3);
    assert_near(s.false_per_scan, 0.92, 5e-3);
    assert_near(s.rmse, 1.132, 5e-4);
    assert_near(s.rmse_over_pcrlb, 1.060, 5e-4);
    /* With p = 1 the parts add up to the mean. */
    assert_near(s.gospa_localisation_mean + s.gospa_missed_mean + s.gospa_false_mean,
                s.gospa_mean, 1e-9);
    assert_near(s.gospa_missed_mean, 5 * s.missed_per_scan, 1e-9);
    free(rows);
    dw_t2d_scenario_free(&sc);
}

static void truth_as_tracks_scores_zero(void **state)
{
    (void)state;
    dw_t2d_scenario sc;
    char err[512] = "";
    assert_int_equal(dw_t2d_read_scenario(dw_test_shared("bench/track2d/scenario_N10_s1.csv"),
                                          DW_T2D_TRUTH | DW_T2D_ORIGIN, &sc, err, sizeof err),
                     DW_OK);
    dw_t2d_track_row *rows = malloc(sc.n_truth * sizeof *rows);
    assert_non_null(rows);
    /* Reversed, so the scorer's grouping by scan is exercised. */
    for (size_t r = 0; r < sc.n_truth; r++) {
        const dw_t2d_truth *t = &sc.truth[sc.n_truth - 1 - r];
        rows[r] = (dw_t2d_track_row){t->scan, t->t, t->id, t->x, t->vx, t->y, t->vy};
    }
    dw_t2d_score s;
    assert_int_equal(dw_t2d_score_tracks(&sc, rows, sc.n_truth, 10, 1, &s), DW_OK);
    assert_near(s.gospa_mean, 0.0, 0.0);
    assert_near(s.rmse, 0.0, 0.0);
    assert_int_equal((int)s.n_pairs, 10 * 90);
    assert_true(s.pcrlb_rmse > 0.5 && s.pcrlb_rmse < 1.5);

    /* A row beyond the scenario's scans is refused. */
    rows[0].scan = 100;
    dw_t2d_score keep = s;
    assert_int_equal(dw_t2d_score_tracks(&sc, rows, sc.n_truth, 10, 1, &s), DW_ERR_RANGE);
    assert_memory_equal(&s, &keep, sizeof s);
    assert_int_equal(dw_t2d_score_tracks(&sc, rows, sc.n_truth, 0, 1, &s), DW_ERR_INVALID);
    free(rows);
    dw_t2d_scenario_free(&sc);
}

static void score_without_origin_has_no_bound(void **state)
{
    (void)state;
    dw_t2d_scenario sc;
    char err[512] = "";
    assert_int_equal(dw_t2d_read_scenario(dw_test_shared("bench/track2d/scenario_N10_s1.csv"),
                                          DW_T2D_TRUTH, &sc, err, sizeof err),
                     DW_OK);
    dw_t2d_score s;
    assert_int_equal(dw_t2d_score_tracks(&sc, NULL, 0, 10, 1, &s), DW_OK);
    assert_near(s.gospa_mean, 50.0, 1e-12);         /* 10 truths missed, 5 each */
    assert_near(s.missed_per_scan, 10.0, 1e-12);
    assert_true(isnan(s.rmse));
    assert_true(isnan(s.pcrlb_rmse));

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    dw_t2d_score_print_json(f, &s);
    fclose(f);
    assert_null(strchr(buf, '\n'));
    assert_int_equal(buf[0], '{');
    assert_int_equal(buf[len - 1], '}');
    assert_non_null(strstr(buf, "\"gospa_mean\":50,"));
    assert_non_null(strstr(buf, "\"rmse\":null,"));
    assert_non_null(strstr(buf, "\"pcrlb_rmse\":null,"));
    assert_non_null(strstr(buf, "\"rmse_over_pcrlb\":null"));
    static const char *const keys[] = {"gospa_localisation_mean", "gospa_missed_mean",
                                       "gospa_false_mean", "missed_per_scan", "false_per_scan"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char k[64];
        snprintf(k, sizeof k, "\"%s\":", keys[i]);
        assert_non_null(strstr(buf, k));
    }
    free(buf);
    dw_t2d_scenario_free(&sc);
}

/* 1,000 targets per scan must score in well under a second per scan; a
 * generated scenario with jittered truth as tracks, a few scans. */
static void scores_1000_targets_by_clusters(void **state)
{
    (void)state;
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/n1000.csv", dir);
    dw_t2d_params p = {.n_targets = 1000, .n_scans = 12, .dt = 1, .q = 0.05, .sigma_z = 1,
                       .sigma_v = 1, .pd = 0.9, .clutter_density = 2e-5, .spacing = 100,
                       .seed = 3};
    assert_int_equal(dw_t2d_generate(&p, path), DW_OK);
    dw_t2d_scenario sc;
    char err[512] = "";
    assert_int_equal(dw_t2d_read_scenario(path, DW_T2D_TRUTH | DW_T2D_ORIGIN, &sc, err, sizeof err),
                     DW_OK);
    dw_t2d_track_row *rows = malloc(sc.n_truth * sizeof *rows);
    assert_non_null(rows);
    srand(5);
    for (size_t r = 0; r < sc.n_truth; r++) {
        const dw_t2d_truth *t = &sc.truth[r];
        rows[r] = (dw_t2d_track_row){t->scan, t->t, (long long)r, t->x + rand() % 7 - 3.0,
                                     t->vx, t->y + rand() % 7 - 3.0, t->vy};
    }
    dw_t2d_score s;
    assert_int_equal(dw_t2d_score_tracks(&sc, rows, sc.n_truth, 10, 1, &s), DW_OK);
    /* Each pair is off by at most 3*sqrt(2) < c, so all of them pair up. */
    assert_near(s.missed_per_scan, 0.0, 0.0);
    assert_near(s.false_per_scan, 0.0, 0.0);
    assert_true(s.gospa_mean > 1000 && s.gospa_mean < 3000);

    /* And per scan it agrees with one big exact solve (on the first scan). */
    dw_gospa_ws *ws = new_ws();
    dw_assign *as = NULL;
    assert_int_equal(dw_assign_create(&as), DW_OK);
    /* Estimates drawn anywhere in the box make real clusters and conflicts. */
    int nt = sc.truth_start[1];
    double *t = malloc(2 * (size_t)nt * sizeof *t), *e = malloc(2 * (size_t)nt * sizeof *e);
    assert_non_null(t);
    assert_non_null(e);
    for (int i = 0; i < nt; i++) {
        t[2 * i] = sc.truth[i].x;
        t[2 * i + 1] = sc.truth[i].y;
        e[2 * i] = sc.truth[(i * 7) % nt].x + rand() % 21 - 10.0;
        e[2 * i + 1] = sc.truth[(i * 7) % nt].y + rand() % 21 - 10.0;
    }
    dw_gospa_parts g;
    assert_int_equal(dw_gospa(t, nt, e, nt, 10, 1, ws, &g), DW_OK);
    /* The big solve is O((n+m)^3): keep it to a corner of the set. */
    int sub = 250;
    assert_int_equal(dw_gospa(t, sub, e, sub, 10, 1, ws, &g), DW_OK);
    double want = one_big_solve(as, t, sub, e, sub, 10, 1);
    assert_near(g.total, want, 1e-9 * want);
    free(t);
    free(e);
    dw_assign_destroy(as);
    dw_gospa_ws_destroy(ws);
    free(rows);
    dw_t2d_scenario_free(&sc);
    remove(path);
    remove(dir);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(gospa_of_empty_sets),
    cmocka_unit_test(gospa_all_beyond_c),
    cmocka_unit_test(gospa_exact_numbers),
    cmocka_unit_test(gospa_rejects_bad_input_without_writing),
    cmocka_unit_test(cluster_split_equals_one_big_solve),
    cmocka_unit_test(pcrlb_one_target_matches_direct_4x4),
    cmocka_unit_test(peer_tracks_reproduce_readme_figures),
    cmocka_unit_test(truth_as_tracks_scores_zero),
    cmocka_unit_test(score_without_origin_has_no_bound),
    cmocka_unit_test(scores_1000_targets_by_clusters),
};

DW_TEST_MAIN("metrics", tests)

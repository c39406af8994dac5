#include "harness.h"

#include <stdlib.h>

#include "dronewall/assign.h"

/* Exhaustive search over every partial matching, for checking. */
static double brute(int n, int m, const double *cost, const double *rm, const double *cm,
                    int i, unsigned used, double acc)
{
    if (i == n) {
        for (int j = 0; j < m; j++)
            if (!(used & (1u << j)))
                acc += cm[j];
        return acc;
    }
    double best = brute(n, m, cost, rm, cm, i + 1, used, acc + rm[i]);
    for (int j = 0; j < m; j++) {
        double c = cost[i * m + j];
        if ((used & (1u << j)) || c == DW_ASSIGN_FORBID)
            continue;
        double r = brute(n, m, cost, rm, cm, i + 1, used | (1u << j), acc + c);
        if (r < best)
            best = r;
    }
    return best;
}

static void matches_brute_force_on_random_cases(void **state)
{
    (void)state;
    dw_assign *ws = NULL;
    assert_int_equal(dw_assign_create(&ws), DW_OK);
    srand(12345);
    for (int trial = 0; trial < 3000; trial++) {
        int n = rand() % 7, m = rand() % 7;
        double cost[49], rm[7], cm[7];
        int r2c[7];
        for (int k = 0; k < n * m; k++)
            cost[k] = (rand() % 5 == 0) ? DW_ASSIGN_FORBID : (double)(rand() % 1000) / 37.0 - 5.0;
        for (int i = 0; i < n; i++) rm[i] = (double)(rand() % 500) / 29.0;
        for (int j = 0; j < m; j++) cm[j] = (double)(rand() % 500) / 29.0;
        double total;
        assert_int_equal(dw_assign_solve(ws, n, m, cost, rm, cm, r2c, &total), DW_OK);
        double want = brute(n, m, cost, rm, cm, 0, 0, 0.0);
        assert_double_equal(total, want, 1e-9);
        /* The assignment itself must be valid and add up to the total. */
        double check = 0;
        unsigned used = 0;
        for (int i = 0; i < n; i++) {
            if (r2c[i] < 0) { check += rm[i]; continue; }
            assert_true(r2c[i] < m);
            assert_false(used & (1u << r2c[i]));
            assert_true(cost[i * m + r2c[i]] != DW_ASSIGN_FORBID);
            used |= 1u << r2c[i];
            check += cost[i * m + r2c[i]];
        }
        for (int j = 0; j < m; j++)
            if (!(used & (1u << j))) check += cm[j];
        assert_double_equal(check, total, 1e-9);
    }
    dw_assign_destroy(ws);
}

static void all_forbidden_leaves_everything_unpaired(void **state)
{
    (void)state;
    dw_assign *ws = NULL;
    assert_int_equal(dw_assign_create(&ws), DW_OK);
    double cost[6] = {DW_ASSIGN_FORBID, DW_ASSIGN_FORBID, DW_ASSIGN_FORBID,
                      DW_ASSIGN_FORBID, DW_ASSIGN_FORBID, DW_ASSIGN_FORBID};
    double rm[2] = {1, 2}, cm[3] = {3, 4, 5};
    int r2c[2] = {7, 7};
    double total;
    assert_int_equal(dw_assign_solve(ws, 2, 3, cost, rm, cm, r2c, &total), DW_OK);
    assert_int_equal(r2c[0], -1);
    assert_int_equal(r2c[1], -1);
    assert_double_equal(total, 15.0, 1e-12);
    dw_assign_destroy(ws);
}

static void rejects_infinite_miss_cost_without_writing(void **state)
{
    (void)state;
    dw_assign *ws = NULL;
    assert_int_equal(dw_assign_create(&ws), DW_OK);
    double cost[1] = {1}, rm[1] = {INFINITY}, cm[1] = {1};
    int r2c[1] = {42};
    assert_int_equal(dw_assign_solve(ws, 1, 1, cost, rm, cm, r2c, NULL), DW_ERR_INVALID);
    assert_int_equal(r2c[0], 42);
    dw_assign_destroy(ws);
    dw_assign_destroy(NULL);
}

static void large_diagonal_problem(void **state)
{
    (void)state;
    /* 60 rows, 60 cols, the diagonal is cheapest: the workspace grows. */
    enum { K = 60 };
    static double cost[K * K];
    double rm[K], cm[K];
    int r2c[K];
    for (int i = 0; i < K; i++) {
        rm[i] = cm[i] = 50;
        for (int j = 0; j < K; j++)
            cost[i * K + j] = i == j ? 1.0 : 10.0 + (double)((i * 7 + j * 13) % 17);
    }
    dw_assign *ws = NULL;
    assert_int_equal(dw_assign_create(&ws), DW_OK);
    double total;
    assert_int_equal(dw_assign_solve(ws, K, K, cost, rm, cm, r2c, &total), DW_OK);
    for (int i = 0; i < K; i++)
        assert_int_equal(r2c[i], i);
    assert_double_equal(total, (double)K, 1e-9);
    dw_assign_destroy(ws);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(matches_brute_force_on_random_cases),
    cmocka_unit_test(all_forbidden_leaves_everything_unpaired),
    cmocka_unit_test(rejects_infinite_miss_cost_without_writing),
    cmocka_unit_test(large_diagonal_problem),
};

DW_TEST_MAIN("assign", tests)

/* test_initiate.c — new tracks from bearings of several sites and from
 * overlapping cells: the fix is where the truth is, as often as its
 * covariance says, and nothing comes from rays that do not cross. */
#include "harness.h"

#include <math.h>
#include <string.h>

#include "dronewall/initiate.h"

#define DEG (M_PI / 180.0)
#define T0 1757451000000000LL
#define S 1000000LL

typedef struct rng { uint64_t s; } rng;
static double urand(rng *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return ((double)(r->s >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}
static double nrand(rng *r)
{
    double u = urand(r), v = urand(r);
    return sqrt(-2.0 * log(u)) * cos(2 * M_PI * v);
}

/* A point east_m and north_m of g (through the local frame), at alt_m. */
static dw_geodetic offset(const dw_geodetic *g, double east_m, double north_m, double alt_m)
{
    dw_enu_frame f;
    dw_enu_frame_init(&f, g);
    double enu[3] = {east_m, north_m, 0}, e[3];
    dw_ecef_from_enu(&f, enu, e);
    dw_geodetic out;
    dw_geo_from_ecef(e, &out);
    out.alt_m = alt_m;
    return out;
}

/* The azimuth and elevation of target t from site s. */
static void look(const dw_bearing_site *s, const dw_geodetic *t, double *az, double *el)
{
    double enu[3], r;
    dw_enu_from_geo(&s->frame, t, enu);
    dw_polar_from_enu(enu, &r, az, el);
}

static dw_init_bearing bearing(const dw_bearing_site *s, int64_t t_us, double az, double sigma)
{
    dw_init_bearing b;
    memset(&b, 0, sizeof b);
    b.t_us = t_us;
    b.site = s;
    b.az_rad = az;
    b.sigma_az_rad = sigma;
    b.tag = 3;
    return b;
}

/* The fix's error against the truth in the truth's local frame: the
 * horizontal Mahalanobis distance, and the ENU covariance. */
static double horiz_d2(const dw_init_fix *f, const dw_geodetic *truth, double cov_enu[3][3],
                       double err_enu[3])
{
    dw_enu_frame fr;
    dw_enu_frame_init(&fr, truth);
    dw_enu_from_ecef(&fr, f->pos, err_enu);
    double c[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            c[i][j] = f->cov[i * 3 + j];
    dw_enu_cov_from_ecef(&fr, c, cov_enu);
    double a = cov_enu[0][0], b = cov_enu[0][1], d = cov_enu[1][1], det = a * d - b * b;
    double e = err_enu[0], n = err_enu[1];
    return (d * e * e - 2 * b * e * n + a * n * n) / det;
}

/* Two acoustic nodes 4 km apart, a drone 1.5 km north of the middle: over
 * many draws of 5-degree bearings, the fix is within 3 sigma (2-D) as often
 * as a Gaussian would be, and its mean normalised error is 2. */
static void two_nodes_triangulate_consistently(void **state)
{
    (void)state;
    dw_geodetic a = {51.50, 23.50, 3.0};
    dw_geodetic b = offset(&a, 4000.0, 0.0, 3.0);
    dw_bearing_site sa, sb;
    dw_bearing_site_init(&sa, &a, 6000.0, 1);
    dw_bearing_site_init(&sb, &b, 6000.0, 2);
    dw_geodetic truth = offset(&a, 2000.0, 1500.0, 800.0);
    double az_a, az_b, el;
    look(&sa, &truth, &az_a, &el);
    look(&sb, &truth, &az_b, &el);

    dw_initiator *in;
    assert_int_equal(dw_initiator_create(NULL, &in), DW_OK);
    rng r = {42};
    const int draws = 4000;
    int fixes = 0, within = 0;
    double sum_d2 = 0, sum_e = 0, sum_n = 0, sum_err2 = 0;
    for (int k = 0; k < draws; k++) {
        int64_t t = T0 + k * 20 * S;            /* each draw past the last's window */
        const double sg = 5.0 * DEG;
        dw_init_bearing ba = bearing(&sa, t, az_a + sg * nrand(&r), sg);
        dw_init_bearing bb = bearing(&sb, t, az_b + sg * nrand(&r), sg);
        dw_initiator_add_bearing(in, &ba);
        dw_initiator_add_bearing(in, &bb);
        dw_init_fix f[4];
        size_t n = dw_initiator_run(in, t, f, 4);
        assert_true(n <= 1);
        if (n == 0)
            continue;
        fixes++;
        assert_int_equal(f[0].n_used, 2);
        assert_int_equal(f[0].source, DW_INIT_BEARINGS);
        assert_int_equal(f[0].tag, 3);
        assert_true(f[0].t_us == t);
        double ce[3][3], err[3];
        double d2 = horiz_d2(&f[0], &truth, ce, err);
        sum_d2 += d2;
        within += d2 < 11.83;                   /* chi-square(2) 99.73 %: 3 sigma */
        sum_e += err[0];
        sum_n += err[1];
        sum_err2 += err[0] * err[0] + err[1] * err[1];
        /* the altitude is the prior's: 1,000 m +- 1,000 m */
        assert_near(err[2], 200.0, 30.0);
        assert_near(sqrt(ce[2][2]), 1000.0, 50.0);
    }
    double mean_d2 = sum_d2 / fixes, share = (double)within / fixes;
    print_message("%d fixes of %d draws; within 3 sigma %.4f; mean d2 %.3f (2 wanted); "
                  "bias %.0f m E %.0f m N; rms %.0f m\n", fixes, draws, share, mean_d2,
                  sum_e / fixes, sum_n / fixes, sqrt(sum_err2 / fixes));
    assert_true(fixes > 0.99 * draws);
    assert_true(share > 0.985);
    assert_true(mean_d2 > 1.7 && mean_d2 < 2.4);
    dw_initiator_stats st;
    dw_initiator_get_stats(in, &st);
    assert_int_equal(st.fixes_bearing, (uint64_t)fixes);
    assert_int_equal(st.bearings, 2 * (uint64_t)draws);
    dw_initiator_destroy(in);
}

/* Parallel rays, rays that part, nearly parallel ones, one site twice and
 * bearings further apart than the window give nothing. */
static void no_fix_without_a_crossing(void **state)
{
    (void)state;
    dw_geodetic a = {51.50, 23.50, 3.0};
    dw_geodetic b = offset(&a, 4000.0, 0.0, 3.0);
    dw_bearing_site sa, sb;
    dw_bearing_site_init(&sa, &a, 6000.0, 1);
    dw_bearing_site_init(&sb, &b, 6000.0, 2);
    dw_initiator *in;
    assert_int_equal(dw_initiator_create(NULL, &in), DW_OK);
    dw_init_fix f[4];
    const double sg = 5.0 * DEG;
    struct { double az_a, az_b; } cases[] = {
        {0.0, 0.0},                     /* parallel, north */
        {10.0 * DEG, 10.0 * DEG},       /* parallel */
        {270.0 * DEG, 90.0 * DEG},      /* back to back: they part */
        {90.0 * DEG, 270.0 * DEG},      /* along the baseline, face to face */
        {45.0 * DEG, 50.0 * DEG},       /* 5 degrees: too flat a crossing */
        {300.0 * DEG, 60.0 * DEG},      /* they cross behind both sites */
        {60.0 * DEG, 300.0 * DEG},      /* they cross 3.5 km north: fine */
    };
    int64_t t = T0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t += 30 * S;
        dw_init_bearing ba = bearing(&sa, t, cases[i].az_a, sg);
        dw_init_bearing bb = bearing(&sb, t, cases[i].az_b, sg);
        dw_initiator_add_bearing(in, &ba);
        dw_initiator_add_bearing(in, &bb);
        size_t n = dw_initiator_run(in, t, f, 4);
        if (n != (i == 6 ? 1u : 0u))
            fail_msg("case %zu: %zu fixes", i, n);
    }
    /* A crossing 20 km away is beyond the nodes' 6 km (and the margin). */
    t += 30 * S;
    dw_init_bearing ba = bearing(&sa, t, 5.7 * DEG, sg), bb = bearing(&sb, t, 354.3 * DEG, sg);
    dw_initiator_add_bearing(in, &ba);
    dw_initiator_add_bearing(in, &bb);
    assert_int_equal(dw_initiator_run(in, t, f, 4), 0);
    /* One site twice. */
    t += 30 * S;
    ba = bearing(&sa, t, 60.0 * DEG, sg);
    bb = bearing(&sa, t, 120.0 * DEG, sg);
    dw_initiator_add_bearing(in, &ba);
    dw_initiator_add_bearing(in, &bb);
    assert_int_equal(dw_initiator_run(in, t, f, 4), 0);
    /* 15 s apart with a 10 s window. */
    t += 30 * S;
    ba = bearing(&sa, t, 60.0 * DEG, sg);
    dw_initiator_add_bearing(in, &ba);
    assert_int_equal(dw_initiator_run(in, t, f, 4), 0);
    bb = bearing(&sb, t + 15 * S, 300.0 * DEG, sg);
    dw_initiator_add_bearing(in, &bb);
    assert_int_equal(dw_initiator_run(in, t + 15 * S, f, 4), 0);
    /* Within the window they do cross. */
    ba = bearing(&sa, t + 20 * S, 60.0 * DEG, sg);
    dw_initiator_add_bearing(in, &ba);
    assert_int_equal(dw_initiator_run(in, t + 20 * S, f, 4), 1);
    assert_true(f[0].t_us == t + 20 * S);
    dw_initiator_destroy(in);
}

/* Three nodes hear the drone: one fix from all three, each bearing used
 * once; a camera pair's elevations give the height. */
static void more_rays_join_and_elevations_give_height(void **state)
{
    (void)state;
    dw_geodetic a = {51.50, 23.50, 3.0};
    dw_geodetic b = offset(&a, 4000.0, 0.0, 3.0), c = offset(&a, 2000.0, 5000.0, 3.0);
    dw_bearing_site s[3];
    dw_bearing_site_init(&s[0], &a, 6000.0, 1);
    dw_bearing_site_init(&s[1], &b, 6000.0, 2);
    dw_bearing_site_init(&s[2], &c, 6000.0, 3);
    dw_geodetic truth = offset(&a, 2200.0, 2000.0, 900.0);
    dw_initiator *in;
    assert_int_equal(dw_initiator_create(NULL, &in), DW_OK);
    rng r = {7};
    const double sg = 3.0 * DEG;
    for (int i = 0; i < 3; i++) {
        double az, el;
        look(&s[i], &truth, &az, &el);
        dw_init_bearing x = bearing(&s[i], T0 + i * 500000, az + sg * nrand(&r), sg);
        dw_initiator_add_bearing(in, &x);
    }
    dw_init_fix f[4];
    assert_int_equal(dw_initiator_run(in, T0 + S, f, 4), 1);
    assert_int_equal(f[0].n_used, 3);
    assert_true(f[0].t_us == T0 + 1000000);
    double ce[3][3], err[3];
    double d2 = horiz_d2(&f[0], &truth, ce, err);
    print_message("three rays: %.0f m E, %.0f m N off (d2 %.2f)\n", err[0], err[1], d2);
    assert_true(d2 < 11.83);
    /* Another bearing of the first node: nothing left to pair it with. */
    double az, el;
    look(&s[0], &truth, &az, &el);
    dw_init_bearing x = bearing(&s[0], T0 + 2 * S, az, sg);
    dw_initiator_add_bearing(in, &x);
    assert_int_equal(dw_initiator_run(in, T0 + 2 * S, f, 4), 0);
    dw_initiator_destroy(in);

    /* Two cameras on masts 6.3 km apart, 0.2 degrees in azimuth and elevation. */
    dw_geodetic ca = {51.565, 23.540, 200.0}, cb = offset(&ca, 6000.0, 2000.0, 190.0);
    dw_bearing_site e[2];
    dw_bearing_site_init(&e[0], &ca, 8000.0, 10);
    dw_bearing_site_init(&e[1], &cb, 8000.0, 11);
    truth = offset(&ca, 3000.0, 4000.0, 1100.0);
    assert_int_equal(dw_initiator_create(NULL, &in), DW_OK);
    int n_ok = 0, n = 0;
    double sum_d2 = 0;
    for (int k = 0; k < 500; k++) {
        int64_t t = T0 + k * 20 * S;
        for (int i = 0; i < 2; i++) {
            look(&e[i], &truth, &az, &el);
            dw_init_bearing y = bearing(&e[i], t, az + 0.2 * DEG * nrand(&r), 0.2 * DEG);
            y.el_rad = el + 0.2 * DEG * nrand(&r);
            y.sigma_el_rad = 0.2 * DEG;
            dw_initiator_add_bearing(in, &y);
        }
        if (dw_initiator_run(in, t, f, 4) != 1)
            continue;
        n++;
        assert_int_equal(f[0].n_el, 2);
        horiz_d2(&f[0], &truth, ce, err);
        /* 3-D Mahalanobis */
        double Ci[9], C[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                C[i * 3 + j] = ce[i][j];
        double det = C[0] * (C[4] * C[8] - C[5] * C[7]) - C[1] * (C[3] * C[8] - C[5] * C[6]) +
                     C[2] * (C[3] * C[7] - C[4] * C[6]);
        Ci[0] = (C[4] * C[8] - C[5] * C[7]) / det;
        Ci[1] = (C[2] * C[7] - C[1] * C[8]) / det;
        Ci[2] = (C[1] * C[5] - C[2] * C[4]) / det;
        Ci[3] = Ci[1];
        Ci[4] = (C[0] * C[8] - C[2] * C[6]) / det;
        Ci[5] = (C[2] * C[3] - C[0] * C[5]) / det;
        Ci[6] = Ci[2];
        Ci[7] = Ci[5];
        Ci[8] = (C[0] * C[4] - C[1] * C[3]) / det;
        double d3 = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                d3 += err[i] * Ci[i * 3 + j] * err[j];
        sum_d2 += d3;
        n_ok += d3 < 14.16;                     /* chi-square(3) 99.73 % */
        assert_true(sqrt(ce[2][2]) < 100.0);    /* the height is measured, not the prior's */
    }
    print_message("cameras: %d fixes, within 3 sigma %.3f, mean d2 %.2f (3 wanted)\n", n,
                  (double)n_ok / n, sum_d2 / n);
    assert_true(n > 490);
    assert_true((double)n_ok / n > 0.98);
    assert_true(sum_d2 / n > 2.4 && sum_d2 / n < 3.6);
    dw_initiator_destroy(in);
}

static dw_init_cell cell(uint64_t node, int64_t t, const dw_geodetic *g, double r)
{
    dw_init_cell c = {t, node, g->lat_deg, g->lon_deg, r, 5};
    return c;
}

/* Two overlapping footprints give their lens's centre and the covariance of
 * an ellipse of its half-widths; apart, or of one node, they give nothing. */
static void overlapping_cells_make_a_fix(void **state)
{
    (void)state;
    dw_geodetic a = {51.50, 23.50, 0.0};
    dw_geodetic b = offset(&a, 4000.0, 0.0, 0.0), far = offset(&a, 7000.0, 0.0, 0.0);
    dw_geodetic inner = offset(&a, 500.0, 500.0, 0.0);
    dw_initiator *in;
    assert_int_equal(dw_initiator_create(NULL, &in), DW_OK);
    dw_init_fix f[4];
    dw_init_cell c1 = cell(1, T0, &a, 3000.0), c2 = cell(2, T0 + S, &b, 3000.0);
    dw_initiator_add_cell(in, &c1);
    dw_initiator_add_cell(in, &c2);
    assert_int_equal(dw_initiator_run(in, T0 + S, f, 4), 1);
    assert_int_equal(f[0].source, DW_INIT_CELLS);
    assert_int_equal(f[0].n_used, 2);
    assert_int_equal(f[0].tag, 5);
    dw_geodetic mid = offset(&a, 2000.0, 0.0, 1000.0);
    double ce[3][3], err[3];
    horiz_d2(&f[0], &mid, ce, err);
    assert_near(err[0], 0.0, 1.0);
    assert_near(err[1], 0.0, 1.0);
    assert_near(err[2], 0.0, 1.0);              /* at the altitude prior */
    /* Along the axis the lens is 2 km wide (half-width 1 km), across it
     * 2 sqrt(3² - 2²) = 4.47 km; plus 50 m/s x 1 s of motion. */
    assert_near(ce[0][0], 1000.0 * 1000.0 / 4 + 2500.0, 1000.0);
    assert_near(ce[1][1], 5e6 / 4 + 2500.0, 1000.0);
    assert_near(ce[2][2], 1e6, 1.0);

    /* Apart: nothing. One node twice: nothing. */
    dw_init_cell c3 = cell(3, T0 + 30 * S, &a, 3000.0), c4 = cell(4, T0 + 30 * S, &far, 3000.0);
    dw_initiator_add_cell(in, &c3);
    dw_initiator_add_cell(in, &c4);
    assert_int_equal(dw_initiator_run(in, T0 + 30 * S, f, 4), 0);
    dw_init_cell c5 = cell(3, T0 + 31 * S, &inner, 3000.0);   /* overlaps only node 3's */
    dw_initiator_add_cell(in, &c5);
    assert_int_equal(dw_initiator_run(in, T0 + 31 * S, f, 4), 0);
    /* A small footprint inside a large one: the small one; a third cell
     * holding that centre is the same detection. */
    int64_t t = T0 + 60 * S;
    dw_init_cell big = cell(7, t, &a, 5000.0), small = cell(8, t, &inner, 1000.0),
                 third = cell(9, t, &b, 5000.0);
    dw_initiator_add_cell(in, &big);
    dw_initiator_add_cell(in, &third);
    dw_initiator_add_cell(in, &small);
    size_t n = dw_initiator_run(in, t, f, 4);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].n_used, 3);
    dw_geodetic inner_up = inner;
    inner_up.alt_m = 1000.0;
    horiz_d2(&f[0], &inner_up, ce, err);
    assert_near(hypot(err[0], err[1]), 0.0, 1.0);
    assert_near(ce[0][0], 1000.0 * 1000.0 / 4, 100.0);
    dw_initiator_stats st;
    dw_initiator_get_stats(in, &st);
    assert_int_equal(st.fixes_cell, 2);
    assert_int_equal(st.cells_used, 5);
    dw_initiator_destroy(in);
}

/* The ring is bounded: a flood of bearings that cross nothing pushes the
 * oldest out (counted), and nothing is allocated or found. */
static void the_ring_is_bounded(void **state)
{
    (void)state;
    dw_initiator_config c;
    dw_initiator_config_default(&c);
    c.capacity = 8;
    dw_initiator *in;
    assert_int_equal(dw_initiator_create(&c, &in), DW_OK);
    dw_bearing_site s[20];
    dw_geodetic a = {51.50, 23.50, 3.0};
    dw_init_fix f[4];
    for (int i = 0; i < 20; i++) {
        dw_geodetic g = offset(&a, 3000.0 * i, 0.0, 3.0);
        dw_bearing_site_init(&s[i], &g, 6000.0, (uint32_t)i);
        dw_init_bearing b = bearing(&s[i], T0 + i * 1000, 0.0, 5.0 * DEG);
        dw_initiator_add_bearing(in, &b);
    }
    assert_int_equal(dw_initiator_run(in, T0 + S, f, 4), 0);
    dw_initiator_stats st;
    dw_initiator_get_stats(in, &st);
    assert_int_equal(st.bearings, 20);
    assert_int_equal(st.dropped, 12);
    /* bad input is ignored */
    dw_init_bearing bad = bearing(NULL, T0, 0.0, 5.0 * DEG);
    dw_initiator_add_bearing(in, &bad);
    bad = bearing(&s[0], T0, NAN, 5.0 * DEG);
    dw_initiator_add_bearing(in, &bad);
    bad = bearing(&s[0], T0, 1.0, 0.0);
    dw_initiator_add_bearing(in, &bad);
    dw_initiator_get_stats(in, &st);
    assert_int_equal(st.bearings, 20);
    c.capacity = 0;
    dw_initiator *x = NULL;
    assert_int_equal(dw_initiator_create(&c, &x), DW_ERR_INVALID);
    assert_null(x);
    dw_initiator_destroy(in);
    dw_initiator_destroy(NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(two_nodes_triangulate_consistently),
    cmocka_unit_test(no_fix_without_a_crossing),
    cmocka_unit_test(more_rays_join_and_elevations_give_height),
    cmocka_unit_test(overlapping_cells_make_a_fix),
    cmocka_unit_test(the_ring_is_bounded),
};

DW_TEST_MAIN("initiate", tests)

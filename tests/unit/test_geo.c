/* test_geo.c — the hand-written geodesy against PROJ, to the millimetre.
 *
 * PROJ is the reference (DESIGN.md §3): the fast path in src/geo must agree
 * with proj_trans on a few thousand pseudo-random points over the globe and
 * over Poland, and the geodesics must reproduce what the `geod` tool prints.
 * The generator is seeded, so a failure names a point that fails every run.
 */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <proj.h>

#include "dronewall/geo.h"

#define DEG (M_PI / 180.0)
#define MM 1e-3
#define N_GLOBAL 3000
#define N_POLAND 1000

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s ? s : 0x9e3779b97f4a7c15ull;
}

/* xorshift64*: reproducible on every platform, unlike rand(). */
static double uniform(double lo, double hi)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t x = rng_state * 0x2545f4914f6cdd1dull;
    return lo + (hi - lo) * ((double)(x >> 11) / 9007199254740992.0);
}

static dw_geodetic random_global(void)
{
    dw_geodetic g = { uniform(-89, 89), uniform(-180, 180), uniform(-500, 30000) };
    return g;
}

static dw_geodetic random_poland(void)
{
    dw_geodetic g = { uniform(49.0, 54.9), uniform(14.1, 24.2), uniform(-100, 15000) };
    return g;
}

static double dist3(const double a[3], const double b[3])
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                (a[2] - b[2]) * (a[2] - b[2]));
}

/* The horizontal and vertical gap between two geodetic points, in metres,
 * so one tolerance serves latitude, longitude and height. */
static double geo_gap_m(const dw_geodetic *a, const dw_geodetic *b)
{
    double dn = (a->lat_deg - b->lat_deg) * DEG * DW_WGS84_A;
    double de = dw_wrap_pi((a->lon_deg - b->lon_deg) * DEG) * DW_WGS84_A * cos(a->lat_deg * DEG);
    double du = a->alt_m - b->alt_m;
    return sqrt(dn * dn + de * de + du * du);
}

static void fail_point(const char *what, const dw_geodetic *g, double err)
{
    print_error("%s: lat %.9f lon %.9f alt %.4f: error %.6f m\n", what, g->lat_deg, g->lon_deg,
                g->alt_m, err);
    fail();
}

/* --- PROJ references ---------------------------------------------------- */

typedef struct proj_ref {
    PJ_CONTEXT *ctx;
    PJ *pj;
} proj_ref;

static void proj_ref_close(proj_ref *r)
{
    proj_destroy(r->pj);
    proj_context_destroy(r->ctx);
}

/* EPSG:4979 -> EPSG:4978, normalised so the input is lon, lat (degrees), h. */
static proj_ref proj_ecef(void)
{
    proj_ref r = { proj_context_create(), NULL };
    assert_non_null(r.ctx);
    PJ *p = proj_create_crs_to_crs(r.ctx, "EPSG:4979", "EPSG:4978", NULL);
    assert_non_null(p);
    r.pj = proj_normalize_for_visualization(r.ctx, p);
    proj_destroy(p);
    assert_non_null(r.pj);
    return r;
}

/* Geodetic (lon, lat degrees, h) -> topocentric ENU at origin. */
static proj_ref proj_enu(const dw_geodetic *o)
{
    char def[512];
    snprintf(def, sizeof def,
             "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
             "+step +proj=cart +ellps=WGS84 "
             "+step +proj=topocentric +ellps=WGS84 +lat_0=%.17g +lon_0=%.17g +h_0=%.17g",
             o->lat_deg, o->lon_deg, o->alt_m);
    proj_ref r = { proj_context_create(), NULL };
    assert_non_null(r.ctx);
    r.pj = proj_create(r.ctx, def);
    assert_non_null(r.pj);
    return r;
}

/* proj_trans_generic works in place, so the arrays passed are fresh copies
 * and the caller's geodetic points stay intact. */
static void proj_fwd_geo(PJ *pj, const dw_geodetic *g, size_t n, double (*out)[3])
{
    static double x[N_GLOBAL + N_POLAND], y[N_GLOBAL + N_POLAND], z[N_GLOBAL + N_POLAND];
    assert_true(n <= N_GLOBAL + N_POLAND);
    for (size_t i = 0; i < n; i++) {
        x[i] = g[i].lon_deg;
        y[i] = g[i].lat_deg;
        z[i] = g[i].alt_m;
    }
    size_t done = proj_trans_generic(pj, PJ_FWD, x, sizeof *x, n, y, sizeof *y, n, z, sizeof *z,
                                     n, NULL, 0, 0);
    assert_int_equal(done, n);
    for (size_t i = 0; i < n; i++) {
        out[i][0] = x[i];
        out[i][1] = y[i];
        out[i][2] = z[i];
    }
}

static dw_geodetic pts[N_GLOBAL + N_POLAND];
static double ref[N_GLOBAL + N_POLAND][3];

/* --- tests -------------------------------------------------------------- */

/* Forward and inverse geodetic <-> ECEF against EPSG:4979 -> EPSG:4978. */
static void ecef_matches_proj(void **state)
{
    (void)state;
    rng_seed(1);
    size_t n = 0;
    for (int i = 0; i < N_GLOBAL; i++)
        pts[n++] = random_global();
    for (int i = 0; i < N_POLAND; i++)
        pts[n++] = random_poland();

    proj_ref r = proj_ecef();
    proj_fwd_geo(r.pj, pts, n, ref);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double ecef[3];
        dw_geo_to_ecef(&pts[i], ecef);
        double err = dist3(ecef, ref[i]);
        if (err > worst)
            worst = err;
        if (err > MM)
            fail_point("geo->ecef vs PROJ", &pts[i], err);

        /* PROJ's inverse of the same ECEF point. */
        PJ_COORD c = proj_trans(r.pj, PJ_INV, proj_coord(ref[i][0], ref[i][1], ref[i][2], 0));
        dw_geodetic pg = { c.lpz.phi, c.lpz.lam, c.lpz.z }, ours;
        dw_geo_from_ecef(ref[i], &ours);
        err = geo_gap_m(&pg, &ours);
        if (err > MM)
            fail_point("ecef->geo vs PROJ", &pts[i], err);
    }
    proj_ref_close(&r);
    assert_true(worst < MM);
}

/* geo -> ECEF -> geo, including the poles, the antimeridian, deep below the
 * ellipsoid and out to geostationary height. */
static void ecef_round_trip(void **state)
{
    (void)state;
    rng_seed(2);
    static const dw_geodetic edge[] = {
        { 90, 0, 0 }, { -90, 0, 0 }, { 90, 0, 30000 }, { -90, 45, -500 },
        { 89.9999999, 17, 1000 }, { 0, 0, 0 }, { 0, 180, 0 }, { 0, -179.9999999, 10 },
        { 0, 90, -500 }, { 45, 45, 35786000 }, { -30, 120, -10000 }, { 52.2297, 21.0122, 100 },
    };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0] + 5000; i++) {
        dw_geodetic g = i < sizeof edge / sizeof edge[0]
                            ? edge[i]
                            : (dw_geodetic){ uniform(-90, 90), uniform(-180, 180),
                                             uniform(-10000, 1000000) };
        double e1[3], e2[3];
        dw_geodetic back;
        dw_geo_to_ecef(&g, e1);
        dw_geo_from_ecef(e1, &back);
        dw_geo_to_ecef(&back, e2);
        double err = dist3(e1, e2);
        if (err > MM)
            fail_point("ecef round trip", &g, err);
        /* At a pole the longitude is arbitrary; elsewhere it must come back. */
        if (fabs(g.lat_deg) < 89.99999)
            assert_near(dw_wrap_pi((back.lon_deg - g.lon_deg) * DEG), 0, 1e-12);
        assert_near(back.lat_deg, g.lat_deg, 1e-11);
        assert_near(back.alt_m, g.alt_m, MM);
    }
    /* On the polar axis the longitude is 0, not NaN. */
    double pole[3] = { 0, 0, 6356752.314245 + 10 };
    dw_geodetic g;
    dw_geo_from_ecef(pole, &g);
    assert_near(g.lat_deg, 90, 1e-12);
    assert_near(g.lon_deg, 0, 0);
    assert_near(g.alt_m, 10, MM);
}

/* ENU against PROJ's topocentric pipeline at sites around Poland and the
 * world, for targets within a radar's reach of each. */
static void enu_matches_proj(void **state)
{
    (void)state;
    rng_seed(3);
    dw_geodetic origins[12] = {
        { 52.2297, 21.0122, 110 },      /* Warsaw */
        { 50.0647, 19.9450, 220 },      /* Kraków */
        { 54.3520, 18.6466, 5 },        /* Gdańsk */
        { 51.2465, 22.5684, 180 },      /* Lublin */
    };
    for (int k = 4; k < 12; k++)
        origins[k] = random_global();
    enum { PER = 300 };
    for (int k = 0; k < 12; k++) {
        const dw_geodetic *o = &origins[k];
        dw_enu_frame f;
        dw_enu_frame_init(&f, o);
        /* Targets out to ~3 degrees (~300 km) and 30 km up. */
        for (int i = 0; i < PER; i++) {
            double lat = o->lat_deg + uniform(-3, 3);
            if (lat > 89.5)
                lat = 89.5;
            if (lat < -89.5)
                lat = -89.5;
            pts[i] = (dw_geodetic){ lat, o->lon_deg + uniform(-3, 3), uniform(-500, 30000) };
        }
        proj_ref r = proj_enu(o);
        proj_fwd_geo(r.pj, pts, PER, ref);
        for (int i = 0; i < PER; i++) {
            double enu[3];
            dw_enu_from_geo(&f, &pts[i], enu);
            double err = dist3(enu, ref[i]);
            if (err > MM)
                fail_point("geo->enu vs PROJ", &pts[i], err);
            /* And PROJ's inverse lands where ours does. */
            PJ_COORD c = proj_trans(r.pj, PJ_INV, proj_coord(ref[i][0], ref[i][1], ref[i][2], 0));
            dw_geodetic pg = { c.lpz.phi, c.lpz.lam, c.lpz.z }, ours;
            dw_geo_from_enu(&f, ref[i], &ours);
            err = geo_gap_m(&pg, &ours);
            if (err > MM)
                fail_point("enu->geo vs PROJ", &pts[i], err);
        }
        proj_ref_close(&r);
    }
}

/* ENU <-> ECEF <-> geodetic round trips; the frame is a proper rotation;
 * vectors and covariances rotate back exactly. */
static void enu_round_trip(void **state)
{
    (void)state;
    rng_seed(4);
    for (int k = 0; k < 50; k++) {
        dw_geodetic o = k < 25 ? random_poland() : random_global();
        dw_enu_frame f;
        dw_enu_frame_init(&f, &o);

        /* rot * rot^T = I and det = +1 (right-handed e, n, u). */
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int m = 0; m < 3; m++)
                    s += f.rot[i][m] * f.rot[j][m];
                assert_near(s, i == j ? 1.0 : 0.0, 1e-15);
            }
        double (*R)[3] = f.rot;
        double det = R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) -
                     R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0]) +
                     R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
        assert_near(det, 1.0, 1e-15);

        /* The origin is (0,0,0); 100 m up along the normal is (0,0,100). */
        double enu[3], ecef[3], back[3];
        dw_enu_from_geo(&f, &o, enu);
        assert_near(dist3(enu, (double[3]){ 0, 0, 0 }), 0, 1e-6);
        dw_geodetic up = { o.lat_deg, o.lon_deg, o.alt_m + 100 };
        dw_enu_from_geo(&f, &up, enu);
        assert_near(dist3(enu, (double[3]){ 0, 0, 100 }), 0, 1e-6);

        for (int i = 0; i < 40; i++) {
            double p[3] = { uniform(-400e3, 400e3), uniform(-400e3, 400e3), uniform(-2e3, 40e3) };
            dw_ecef_from_enu(&f, p, ecef);
            dw_enu_from_ecef(&f, ecef, back);
            assert_true(dist3(p, back) < 1e-6);

            dw_geodetic g, g2;
            dw_geo_from_enu(&f, p, &g);
            dw_enu_from_geo(&f, &g, back);
            assert_true(dist3(p, back) < MM);
            dw_geo_from_enu(&f, back, &g2);
            assert_true(geo_gap_m(&g, &g2) < MM);

            double v[3], vb[3];
            dw_ecef_vec_from_enu(&f, p, v);
            assert_near(sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]),
                        sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]), 1e-6);
            dw_enu_vec_from_ecef(&f, v, vb);
            assert_true(dist3(p, vb) < 1e-6);
        }

        /* A diagonal ENU covariance goes to ECEF and back, symmetric, even
         * when rotated in place. */
        double pe[3][3] = { { 100, 5, 0 }, { 5, 400, -3 }, { 0, -3, 25 } }, pc[3][3];
        dw_ecef_cov_from_enu(&f, pe, pc);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                assert_true(pc[i][j] == pc[j][i]);
        assert_near(pc[0][0] + pc[1][1] + pc[2][2], 525, 1e-9);     /* trace is invariant */
        dw_enu_cov_from_ecef(&f, pc, pc);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                assert_near(pc[i][j], pe[i][j], 1e-9);
    }
}

static void polar_round_trip(void **state)
{
    (void)state;
    rng_seed(5);
    for (int i = 0; i < 5000; i++) {
        double p[3] = { uniform(-300e3, 300e3), uniform(-300e3, 300e3), uniform(-5e3, 30e3) };
        double r, az, el, back[3];
        dw_polar_from_enu(p, &r, &az, &el);
        assert_true(az >= 0 && az < 2 * M_PI);
        assert_true(el >= -M_PI / 2 && el <= M_PI / 2);
        dw_enu_from_polar(r, az, el, back);
        assert_true(dist3(p, back) < 1e-6);

        double r2, az2, el2;
        r = uniform(1, 400e3);
        az = uniform(0, 2 * M_PI);
        el = uniform(-M_PI / 2 + 1e-6, M_PI / 2 - 1e-6);
        dw_enu_from_polar(r, az, el, back);
        dw_polar_from_enu(back, &r2, &az2, &el2);
        assert_near(r2, r, 1e-6);
        assert_near(dw_wrap_pi(az2 - az), 0, 1e-9);
        assert_near(el2, el, 1e-12);
    }
}

/* Azimuth runs clockwise from north in [0, 2pi): due west is 3pi/2, and a
 * point a hair west of north is just under 2pi, never 2pi itself. */
static void polar_azimuth_wraps(void **state)
{
    (void)state;
    struct { double enu[3], az, el; } cases[] = {
        { { 0, 1000, 0 }, 0, 0 },
        { { 1000, 0, 0 }, M_PI / 2, 0 },
        { { 0, -1000, 0 }, M_PI, 0 },
        { { -1000, 0, 0 }, 3 * M_PI / 2, 0 },
        { { -1000, 1000, 1000 * M_SQRT2 }, 7 * M_PI / 4, M_PI / 4 },
        { { 1000, -1000, -1000 * M_SQRT2 }, 3 * M_PI / 4, -M_PI / 4 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double r, az, el;
        dw_polar_from_enu(cases[i].enu, &r, &az, &el);
        assert_near(az, cases[i].az, 1e-12);
        assert_near(el, cases[i].el, 1e-12);
    }
    double r, az, el;
    dw_polar_from_enu((double[3]){ -1e-3, 1000, 0 }, &r, &az, &el);
    assert_true(az < 2 * M_PI && az > 2 * M_PI - 1e-5);
    dw_polar_from_enu((double[3]){ -1e-300, 1000, 0 }, &r, &az, &el);
    assert_true(az >= 0 && az < 2 * M_PI);
    dw_polar_from_enu((double[3]){ -0.0, 1000, 0 }, &r, &az, &el);
    assert_true(az == 0 && !signbit(az));
    /* The origin and the zenith are defined, not NaN. */
    dw_polar_from_enu((double[3]){ 0, 0, 0 }, &r, &az, &el);
    assert_true(r == 0 && az == 0 && el == 0);
    dw_polar_from_enu((double[3]){ 0, 0, 500 }, &r, &az, &el);
    assert_true(r == 500 && az == 0);
    assert_near(el, M_PI / 2, 0);
    /* Azimuth 3pi/2 with elevation 0 points due west. */
    double enu[3];
    dw_enu_from_polar(1000, 3 * M_PI / 2, 0, enu);
    assert_near(enu[0], -1000, 1e-9);
    assert_near(enu[1], 0, 1e-9);
    assert_near(enu[2], 0, 1e-9);
}

/* The analytic Jacobian against central differences, and the refusal where
 * azimuth is undefined. */
static void polar_jacobian_matches_finite_differences(void **state)
{
    (void)state;
    rng_seed(6);
    for (int i = 0; i < 2000; i++) {
        double range = exp(uniform(log(100), log(400e3)));
        double p[3];
        dw_enu_from_polar(range, uniform(0, 2 * M_PI), uniform(-0.3, 1.4), p);
        double jac[3][3];
        assert_int_equal(dw_polar_jacobian(p, jac), DW_OK);
        double h = 1e-4 * range;
        for (int c = 0; c < 3; c++) {
            double pp[3] = { p[0], p[1], p[2] }, pm[3] = { p[0], p[1], p[2] };
            pp[c] += h;
            pm[c] -= h;
            double rp, azp, elp, rm, azm, elm;
            dw_polar_from_enu(pp, &rp, &azp, &elp);
            dw_polar_from_enu(pm, &rm, &azm, &elm);
            double d[3] = { (rp - rm) / (2 * h), dw_wrap_pi(azp - azm) / (2 * h),
                            (elp - elm) / (2 * h) };
            /* Truncation error is O(h²) relative to the derivative's scale:
             * 1 for range, 1/range for the angles. */
            double scale[3] = { 1.0, 1.0 / hypot(p[0], p[1]), 1.0 / range };
            for (int rI = 0; rI < 3; rI++)
                assert_near(jac[rI][c], d[rI], 1e-6 * scale[rI]);
        }
    }

    double jac[3][3], canary[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            jac[i][j] = canary[i][j] = 42.0 + i * 3 + j;
    assert_int_equal(dw_polar_jacobian((double[3]){ 0, 0, 0 }, jac), DW_ERR_RANGE);
    assert_int_equal(dw_polar_jacobian((double[3]){ 0, 0, 1000 }, jac), DW_ERR_RANGE);
    assert_int_equal(dw_polar_jacobian((double[3]){ 5e-4, -5e-4, -30 }, jac), DW_ERR_RANGE);
    assert_int_equal(dw_polar_jacobian((double[3]){ NAN, 1000, 0 }, jac), DW_ERR_RANGE);
    assert_memory_equal(jac, canary, sizeof jac);
    assert_int_equal(dw_polar_jacobian((double[3]){ 2e-3, 0, 0 }, jac), DW_OK);
}

/* Warsaw -> Kraków as `echo 52.2297 21.0122 50.0647 19.9450 | geod +ellps=WGS84
 * -I -f %.6f +units=m` prints: -162.357044  16.811705  252162.179 (the
 * second figure is the back azimuth, azi2 + 180). */
static void geodesic_warsaw_krakow(void **state)
{
    (void)state;
    dw_geodetic waw = { 52.2297, 21.0122, 110 }, krk = { 50.0647, 19.9450, 220 };
    double s, a1, a2;
    assert_int_equal(dw_geo_inverse(&waw, &krk, &s, &a1, &a2), DW_OK);
    assert_near(s, 252162.179, MM);
    assert_near(a1, -162.357044, 1e-6);
    assert_near(a2, 16.811705 - 180.0, 1e-6);
    /* Out-pointers are optional. */
    double s2 = 0;
    assert_int_equal(dw_geo_inverse(&krk, &waw, &s2, NULL, NULL), DW_OK);
    assert_near(s2, s, 1e-6);

    dw_geodetic out;
    assert_int_equal(dw_geo_direct(&waw, a1, s, &out), DW_OK);
    assert_near(out.lat_deg, krk.lat_deg, 1e-9);
    assert_near(out.lon_deg, krk.lon_deg, 1e-9);
    assert_near(out.alt_m, waw.alt_m, 0);
}

/* direct -> inverse returns the distance and azimuth it started from; bad
 * input is refused without touching the outputs. */
static void geodesic_direct_inverse_round_trip(void **state)
{
    (void)state;
    rng_seed(7);
    for (int i = 0; i < 1000; i++) {
        dw_geodetic a = i < 500 ? random_poland() : random_global(), b;
        double azi = uniform(-180, 180), dist = uniform(1, i < 500 ? 500e3 : 15000e3);
        assert_int_equal(dw_geo_direct(&a, azi, dist, &b), DW_OK);
        assert_true(b.lon_deg >= -180 && b.lon_deg <= 180);
        double s, a1, a2;
        assert_int_equal(dw_geo_inverse(&a, &b, &s, &a1, &a2), DW_OK);
        assert_near(s, dist, 1e-6);
        assert_near(dw_wrap_pi((a1 - azi) * DEG), 0, 1e-9);
    }

    dw_geodetic bad = { 91, 0, 0 }, ok = { 52, 21, 0 }, out = { 1, 2, 3 };
    double s = -1, a1 = -1, a2 = -1;
    assert_int_equal(dw_geo_inverse(&bad, &ok, &s, &a1, &a2), DW_ERR_INVALID);
    assert_int_equal(dw_geo_inverse(&ok, &(dw_geodetic){ 0, NAN, 0 }, &s, &a1, &a2),
                     DW_ERR_INVALID);
    assert_true(s == -1 && a1 == -1 && a2 == -1);
    assert_int_equal(dw_geo_direct(&bad, 0, 1000, &out), DW_ERR_INVALID);
    assert_int_equal(dw_geo_direct(&ok, NAN, 1000, &out), DW_ERR_INVALID);
    assert_int_equal(dw_geo_direct(&ok, 0, INFINITY, &out), DW_ERR_INVALID);
    assert_true(out.lat_deg == 1 && out.lon_deg == 2 && out.alt_m == 3);
}

static void wrap_pi(void **state)
{
    (void)state;
    assert_near(dw_wrap_pi(0), 0, 0);
    assert_near(dw_wrap_pi(M_PI), M_PI, 0);
    assert_near(dw_wrap_pi(-M_PI), M_PI, 0);           /* open at -pi */
    assert_near(dw_wrap_pi(3 * M_PI), M_PI, 1e-12);
    assert_near(dw_wrap_pi(-3 * M_PI / 2), M_PI / 2, 1e-12);
    assert_near(dw_wrap_pi(3 * M_PI / 2), -M_PI / 2, 1e-12);
    assert_near(dw_wrap_pi(2 * M_PI + 0.1), 0.1, 1e-12);
    assert_near(dw_wrap_pi(-100.0), -100.0 + 32 * M_PI, 1e-12);
    rng_seed(8);
    for (int i = 0; i < 10000; i++) {
        double a = uniform(-1e4, 1e4), w = dw_wrap_pi(a);
        assert_true(w > -M_PI && w <= M_PI);
        assert_near(sin(w), sin(a), 1e-9);
        assert_near(cos(w), cos(a), 1e-9);
    }
    assert_true(isnan(dw_wrap_pi(INFINITY)));
    assert_true(isnan(dw_wrap_pi(NAN)));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(ecef_matches_proj),
    cmocka_unit_test(ecef_round_trip),
    cmocka_unit_test(enu_matches_proj),
    cmocka_unit_test(enu_round_trip),
    cmocka_unit_test(polar_round_trip),
    cmocka_unit_test(polar_azimuth_wraps),
    cmocka_unit_test(polar_jacobian_matches_finite_differences),
    cmocka_unit_test(geodesic_warsaw_krakow),
    cmocka_unit_test(geodesic_direct_inverse_round_trip),
    cmocka_unit_test(wrap_pi),
};

DW_TEST_MAIN("geo", tests)

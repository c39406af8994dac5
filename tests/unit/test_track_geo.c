#include "harness.h"

#include <math.h>
#include <string.h>

#include "dronewall/track_geo.h"

#define DEG (M_PI / 180.0)

typedef struct rng { uint64_t s; } rng;
static double urand(rng *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(r->s >> 11) * (1.0 / 9007199254740992.0);
}
static double nrand(rng *r)
{
    double u = urand(r), v = urand(r);
    return sqrt(-2.0 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

/* The polar model's H is the derivative of its h. */
static void polar_jacobian_is_derivative(void **state)
{
    (void)state;
    dw_motion_model mm;
    dw_motion_cv_init(&mm, 3, 1.0);
    dw_polar_site site;
    dw_geodetic g = {51.5, 23.6, 180.0};
    dw_polar_site_init(&site, &g);
    dw_geodetic tg = {51.7, 23.1, 1500.0};
    double p[3];
    dw_geo_to_ecef(&tg, p);
    double x[6] = {p[0], 10, p[1], -5, p[2], 1};
    double z0[3], H[18];
    assert_int_equal(dw_meas_polar.h(&site, &mm, x, z0, H), 0);
    for (int a = 0; a < 3; a++) {
        double xp[6], xm[6], zp[3], zm[3], Hd[18];
        memcpy(xp, x, sizeof x);
        memcpy(xm, x, sizeof x);
        xp[2 * a] += 1.0;
        xm[2 * a] -= 1.0;
        dw_meas_polar.h(&site, &mm, xp, zp, Hd);
        dw_meas_polar.h(&site, &mm, xm, zm, Hd);
        for (int i = 0; i < 3; i++) {
            double fd = (zp[i] - zm[i]) / 2.0;
            assert_near(H[i * 6 + 2 * a], fd, 1e-6 * (fabs(fd) + 1e-6) + 1e-9);
        }
        /* velocities do not enter a position measurement */
        for (int i = 0; i < 3; i++)
            assert_true(H[i * 6 + 2 * a + 1] == 0.0);
    }
    /* to_pos inverts h. */
    double pos[3], cov[9], R[9] = {2500, 0, 0, 0, 1e-5, 0, 0, 0, 1e-5};
    assert_int_equal(dw_meas_polar.to_pos(&site, &mm, z0, R, pos, cov), 0);
    for (int a = 0; a < 3; a++)
        assert_near(pos[a], p[a], 1e-4);
    /* Rotation keeps the trace: sigma_r^2 + (r cos(el) sigma_az)^2 + (r sigma_el)^2. */
    double r = z0[0], ce = cos(z0[2]);
    assert_near(cov[0] + cov[4] + cov[8], 2500 + r * r * ce * ce * 1e-5 + r * r * 1e-5, 1.0);
    assert_near(cov[1], cov[3], 1e-6);
}

/* Two radars follow a drone at 150 km/h: position within tens of metres. */
static void two_radars_track_a_drone(void **state)
{
    (void)state;
    dw_tracker_config c;
    dw_tracker_config_default(&c, 3, 0.5);
    c.init_vel_sigma = 60.0;
    c.max_tracks = 64;
    dw_tracker *t;
    assert_int_equal(dw_tracker_create(&c, &t), DW_OK);
    dw_polar_site s[2];
    dw_geodetic sites[2] = {{51.20, 23.40, 200.0}, {51.90, 23.00, 150.0}};
    int idx[2];
    for (int i = 0; i < 2; i++) {
        dw_polar_site_init(&s[i], &sites[i]);
        assert_int_equal(dw_tracker_add_sensor(t, &dw_meas_polar, &s[i], &idx[i]), DW_OK);
    }
    /* Truth: from (51.55, 23.9) heading west at 41.7 m/s, 900 m up. */
    dw_geodetic start = {51.55, 23.90, 900.0};
    dw_enu_frame f;
    dw_enu_frame_init(&f, &start);
    rng r = {5};
    const double v = 41.7;
    double err_sum = 0;
    int n_err = 0;
    for (int k = 0; k < 120; k++) {
        int si = k % 2;
        int64_t tu = 1757451000000000LL + k * 2000000LL;
        double tsec = k * 2.0;
        double enu[3] = {-v * tsec, 0.0, 0.0}, ecef[3];
        dw_ecef_from_enu(&f, enu, ecef);
        double le[3], rg, az, el;
        dw_enu_from_ecef(&s[si].frame, ecef, le);
        dw_polar_from_enu(le, &rg, &az, &el);
        dw_meas m;
        dw_polar_meas(&m, tu, rg + 30 * nrand(&r), az + 0.2 * DEG * nrand(&r), el + 0.3 * DEG * nrand(&r),
                      30, 0.2 * DEG, 0.3 * DEG);
        assert_int_equal(dw_tracker_update(t, idx[si], tu, &m, 1), DW_OK);
        if (k >= 40) {
            assert_int_equal(dw_tracker_count(t), 1);
            const dw_trk *tr = dw_tracker_get(t, 0);
            assert_int_equal(tr->status, DW_TRACK_CONFIRMED);
            double d = sqrt(pow(tr->x[0] - ecef[0], 2) + pow(tr->x[2] - ecef[1], 2) + pow(tr->x[4] - ecef[2], 2));
            err_sum += d * d;
            n_err++;
            dw_geodetic g;
            double ve[3];
            dw_geo_state(tr->x, &g, ve);
            assert_near(ve[0], -v, 8.0);
            assert_near(ve[1], 0.0, 8.0);
        }
    }
    double rmse = sqrt(err_sum / n_err);
    print_message("two-radar position RMSE %.1f m\n", rmse);
    /* 0.2 deg at ~40-70 km is ~150-250 m cross-range per plot; filtering
     * and two look angles bring it well below that. */
    assert_true(rmse < 150.0);
    dw_tracker_destroy(t);
}


/* ---- bearings, latitude/longitude, cells -------------------------------- */

static void state_at(const dw_geodetic *g, double x[6])
{
    double p[3];
    dw_geo_to_ecef(g, p);
    x[0] = p[0];
    x[1] = 10;
    x[2] = p[1];
    x[3] = -5;
    x[4] = p[2];
    x[5] = 1;
}

/* H of a model against central differences of its h (5 cm steps: one
 * target is 30 m from straight above the node), the differences wrapped as
 * the residual wraps them. */
static void check_jacobian(const dw_meas_model *md, const void *ctx, const double x[6], double tol_rel)
{
    dw_motion_model mm;
    dw_motion_cv_init(&mm, 3, 1.0);
    const int nz = md->nz;
    double z0[4], H[24];
    assert_int_equal(md->h(ctx, &mm, x, z0, H), 0);
    for (int a = 0; a < 3; a++) {
        double xp[6], xm[6], zp[4], zm[4], Hd[24], nu[4];
        memcpy(xp, x, sizeof xp);
        memcpy(xm, x, sizeof xm);
        xp[2 * a] += 0.05;
        xm[2 * a] -= 0.05;
        assert_int_equal(md->h(ctx, &mm, xp, zp, Hd), 0);
        assert_int_equal(md->h(ctx, &mm, xm, zm, Hd), 0);
        md->residual(ctx, nz, zp, zm, nu);
        for (int i = 0; i < nz; i++) {
            double fd = nu[i] / 0.1;
            assert_near(H[i * 6 + 2 * a], fd, tol_rel * (fabs(fd) + 1e-9) + 1e-12);
            assert_true(H[i * 6 + 2 * a + 1] == 0.0);
        }
    }
}

static void bearing_and_latlon_jacobians_are_derivatives(void **state)
{
    (void)state;
    dw_bearing_site site;
    dw_geodetic sg = {51.55, 23.55, 3.0};
    dw_bearing_site_init(&site, &sg, 6000, 7);
    /* Targets around the node, one just west of north (az near 2 pi: the
     * difference must wrap) and one nearly overhead. */
    const dw_geodetic tg[] = {{51.57, 23.58, 900.0}, {51.56, 23.5499, 1200.0},
                              {51.52, 23.45, 300.0}, {51.5502, 23.5503, 1000.0}};
    for (size_t i = 0; i < sizeof tg / sizeof tg[0]; i++) {
        double x[6];
        state_at(&tg[i], x);
        check_jacobian(&dw_meas_bearing, &site, x, 1e-5);
        check_jacobian(&dw_meas_bearing_el, &site, x, 1e-5);
        check_jacobian(&dw_meas_latlon, NULL, x, 1e-6);
    }
    /* Directly above the node the azimuth has no derivative. */
    dw_motion_model mm;
    dw_motion_cv_init(&mm, 3, 1.0);
    dw_geodetic up = {51.55, 23.55, 1000.0};
    double x[6], z[4], H[24];
    state_at(&up, x);
    assert_int_equal(dw_meas_bearing.h(&site, &mm, x, z, H), -1);
    /* Beyond its reach (1.5 x 6 km + 2 km) a node did not hear the state: a
     * clutter track 300 km down the same azimuth is never gated. */
    dw_geodetic far = {51.55 + 12000.0 / 111320.0, 23.55, 900.0};
    state_at(&far, x);
    assert_int_equal(dw_meas_bearing.h(&site, &mm, x, z, H), -1);
    far.lat_deg = 51.55 + 10000.0 / 111320.0;
    state_at(&far, x);
    assert_int_equal(dw_meas_bearing_el.h(&site, &mm, x, z, H), 0);
    dw_bearing_site nolimit;
    dw_bearing_site_init(&nolimit, &sg, 0.0, 8);
    far.lat_deg = 54.0;
    state_at(&far, x);
    assert_int_equal(dw_meas_bearing.h(&nolimit, &mm, x, z, H), 0);
    /* Its box holds whatever it can hear, and not a state twice as far. */
    double lo[3], hi[3];
    assert_int_equal(dw_meas_bearing.bounds(&site, &mm, z, NULL, lo, hi), 0);
    for (int k = 0; k < 16; k++) {
        double enu[3] = {10900.0 * sin(k * 0.4), 10900.0 * cos(k * 0.4), k * 600.0}, q[3];
        dw_ecef_from_enu(&site.frame, enu, q);
        for (int a = 0; a < 3; a++)
            assert_true(q[a] >= lo[a] && q[a] <= hi[a]);
    }
    {
        double enu[3] = {0.0, 30000.0, 900.0}, q[3];
        dw_ecef_from_enu(&site.frame, enu, q);
        int inside = 1;
        for (int a = 0; a < 3; a++)
            inside &= q[a] >= lo[a] && q[a] <= hi[a];
        assert_false(inside);
    }
    assert_int_equal(dw_meas_bearing.bounds(&nolimit, &mm, z, NULL, lo, hi), -1);
    /* A cell's box holds its footprint at any drone's height. */
    dw_meas cm;
    dw_cell_meas(&cm, 0, 51.55, 23.55, 6000.0);
    assert_int_equal(dw_meas_latlon.bounds(NULL, &mm, cm.z, cm.R, lo, hi), 0);
    {
        double enu[3] = {5900.0, 0.0, 2000.0}, q[3];
        dw_ecef_from_enu(&site.frame, enu, q);
        for (int a = 0; a < 3; a++)
            assert_true(q[a] >= lo[a] && q[a] <= hi[a]);
    }
    /* The latitude/longitude model predicts the state's own coordinates. */
    state_at(&tg[0], x);
    assert_int_equal(dw_meas_latlon.h(NULL, &mm, x, z, H), 0);
    assert_near(z[0], tg[0].lat_deg * DEG, 1e-12);
    assert_near(z[1], tg[0].lon_deg * DEG, 1e-12);
}

static void residuals_wrap_angles(void **state)
{
    (void)state;
    double nu[2];
    const double z[2] = {0.01, 0.1}, zp[2] = {2 * M_PI - 0.01, 0.05};
    dw_meas_bearing_el.residual(NULL, 2, z, zp, nu);
    assert_near(nu[0], 0.02, 1e-12);
    assert_near(nu[1], 0.05, 1e-12);
    dw_meas_bearing.residual(NULL, 1, zp, z, nu);
    assert_near(nu[0], -0.02, 1e-12);
    /* longitude across the antimeridian; latitude never wraps */
    const double zl[2] = {0.5, -M_PI + 0.001}, zlp[2] = {0.4, M_PI - 0.001};
    dw_meas_latlon.residual(NULL, 2, zl, zlp, nu);
    assert_near(nu[0], 0.1, 1e-12);
    assert_near(nu[1], 0.002, 1e-12);
}

/* One EKF step with a model's h, H and residual (what the tracker does). */
static void ekf_step(const dw_meas_model *md, const void *ctx, double x[6], double P[36],
                     const dw_meas *m)
{
    dw_motion_model mm;
    dw_motion_cv_init(&mm, 3, 1.0);
    const int nz = md->nz;
    double zp[4], H[24], nu[4];
    assert_int_equal(md->h(ctx, &mm, x, zp, H), 0);
    md->residual(ctx, nz, m->z, zp, nu);
    double PHt[6][3] = {{0}}, S[3][3] = {{0}};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < nz; j++)
            for (int k = 0; k < 6; k++)
                PHt[i][j] += P[i * 6 + k] * H[j * 6 + k];
    for (int i = 0; i < nz; i++)
        for (int j = 0; j < nz; j++) {
            S[i][j] = m->R[i * nz + j];
            for (int k = 0; k < 6; k++)
                S[i][j] += H[i * 6 + k] * PHt[k][j];
        }
    double Si[3][3] = {{0}};
    if (nz == 1) {
        Si[0][0] = 1.0 / S[0][0];
    } else if (nz == 2) {
        double det = S[0][0] * S[1][1] - S[0][1] * S[1][0];
        Si[0][0] = S[1][1] / det;
        Si[1][1] = S[0][0] / det;
        Si[0][1] = -S[0][1] / det;
        Si[1][0] = -S[1][0] / det;
    } else {
        double det = S[0][0] * (S[1][1] * S[2][2] - S[1][2] * S[2][1]) -
                     S[0][1] * (S[1][0] * S[2][2] - S[1][2] * S[2][0]) +
                     S[0][2] * (S[1][0] * S[2][1] - S[1][1] * S[2][0]);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                /* cofactor of (j, i) */
                int r0 = j == 0 ? 1 : 0, r1 = j == 2 ? 1 : 2, c0 = i == 0 ? 1 : 0, c1 = i == 2 ? 1 : 2;
                double cof = S[r0][c0] * S[r1][c1] - S[r0][c1] * S[r1][c0];
                Si[i][j] = ((i + j) % 2 ? -cof : cof) / det;
            }
    }
    double K[6][3] = {{0}};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < nz; j++)
            for (int k = 0; k < nz; k++)
                K[i][j] += PHt[i][k] * Si[k][j];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < nz; j++)
            x[i] += K[i][j] * nu[j];
    double Pn[36];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            double a = 0;
            for (int k = 0; k < nz; k++)
                a += K[i][k] * PHt[j][k];
            Pn[i * 6 + j] = P[i * 6 + j] - a;
        }
    memcpy(P, Pn, sizeof Pn);
}

static void a_bearing_moves_the_state_toward_its_ray(void **state)
{
    (void)state;
    dw_bearing_site site;
    dw_geodetic sg = {51.55, 23.55, 3.0};
    dw_bearing_site_init(&site, &sg, 6000, 1);
    /* A track 3 km north-east of the node, 600 m; the bearing says 30 deg. */
    double enu[3] = {2121.0, 2121.0, 600.0}, p[3];
    dw_ecef_from_enu(&site.frame, enu, p);
    double x[6] = {p[0], 0, p[1], 0, p[2], 0}, P[36] = {0};
    for (int i = 0; i < 6; i++)
        P[i * 6 + i] = i % 2 ? 100.0 : 500.0 * 500.0;
    dw_meas m;
    dw_bearing_meas(&m, 0, &site, 30.0 * DEG, 0.0, 3.0 * DEG, 0.0);
    /* distance from the ray (horizontal, across it) before and after */
    const double ux = sin(30.0 * DEG), uy = cos(30.0 * DEG);
    double across0 = fabs(enu[0] * uy - enu[1] * ux);
    double up0 = enu[2];
    ekf_step(&dw_meas_bearing, &site, x, P, &m);
    double p1[3] = {x[0], x[2], x[4]}, e1[3];
    dw_enu_from_ecef(&site.frame, p1, e1);
    double across1 = fabs(e1[0] * uy - e1[1] * ux);
    print_message("across the ray: %.0f m -> %.0f m\n", across0, across1);
    assert_true(across1 < 0.5 * across0);
    assert_near(e1[2], up0, 5.0);           /* an azimuth says nothing of height */
    assert_near(hypot(e1[0], e1[1]), 3000.0, 100.0);
    /* The same through the elevation model with no elevation: the same step. */
    double x2[6] = {p[0], 0, p[1], 0, p[2], 0}, P2[36] = {0};
    for (int i = 0; i < 6; i++)
        P2[i * 6 + i] = i % 2 ? 100.0 : 500.0 * 500.0;
    dw_meas m2;
    dw_bearing_meas(&m2, 0, &site, 30.0 * DEG, NAN, 3.0 * DEG, 0.0);
    assert_near(m2.R[3], DW_BEARING_NO_EL_VAR, 0);
    ekf_step(&dw_meas_bearing_el, &site, x2, P2, &m2);
    for (int i = 0; i < 6; i += 2)
        assert_near(x2[i], x[i], 0.05);
    /* And an elevation of 20 deg lifts it toward 3 km * tan 20 = 1,092 m. */
    dw_meas m3;
    dw_bearing_meas(&m3, 0, &site, 30.0 * DEG, 20.0 * DEG, 3.0 * DEG, 0.5 * DEG);
    double x3[6] = {p[0], 0, p[1], 0, p[2], 0}, P3[36] = {0};
    for (int i = 0; i < 6; i++)
        P3[i * 6 + i] = i % 2 ? 100.0 : 500.0 * 500.0;
    ekf_step(&dw_meas_bearing_el, &site, x3, P3, &m3);
    double p3[3] = {x3[0], x3[2], x3[4]}, e3[3];
    dw_enu_from_ecef(&site.frame, p3, e3);
    assert_true(e3[2] > 900.0);
    /* A bearing gives no position. */
    dw_motion_model mm;
    dw_motion_cv_init(&mm, 3, 1.0);
    double pos[3], pc[9];
    assert_int_equal(dw_meas_bearing.to_pos(&site, &mm, m.z, m.R, pos, pc), -1);
    assert_int_equal(dw_meas_bearing_el.to_pos(&site, &mm, m3.z, m3.R, pos, pc), -1);
}

static void latlon_and_cell_covariances(void **state)
{
    (void)state;
    dw_motion_model mm;
    dw_motion_cv_init(&mm, 3, 1.0);
    /* A citizen's report, 2 km per axis: to_pos gives the point at the
     * altitude prior with 2 km east and north and the prior's sigma up. */
    const double s2 = 2000.0 * 2000.0, cov[4] = {s2, 0, 0, s2};
    dw_meas m;
    dw_latlon_meas(&m, 5, 51.3, 23.1, cov);
    assert_near(m.z[0], 51.3 * DEG, 1e-15);
    assert_near(m.z[1], 23.1 * DEG, 1e-15);
    dw_latlon_ctx c = {800.0, 1500.0, 0};
    double pos[3], pc[9];
    assert_int_equal(dw_meas_latlon.to_pos(&c, &mm, m.z, m.R, pos, pc), 0);
    dw_geodetic g;
    dw_geo_from_ecef(pos, &g);
    assert_near(g.lat_deg, 51.3, 1e-9);
    assert_near(g.lon_deg, 23.1, 1e-9);
    assert_near(g.alt_m, 800.0, 1e-3);
    dw_enu_frame f;
    dw_enu_frame_init(&f, &g);
    double pe[3][3], pl[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            pe[i][j] = pc[i * 3 + j];
    dw_enu_cov_from_ecef(&f, pe, pl);
    assert_near(pl[0][0], s2, 1e-3 * s2);
    assert_near(pl[1][1], s2, 1e-3 * s2);
    assert_near(pl[2][2], 1500.0 * 1500.0, 1.0);
    assert_near(pl[0][1], 0.0, 1e-6 * s2);
    /* NULL context: the defaults. */
    assert_int_equal(dw_meas_latlon.to_pos(NULL, &mm, m.z, m.R, pos, pc), 0);
    dw_geo_from_ecef(pos, &g);
    assert_near(g.alt_m, DW_LATLON_ALT_M, 1e-3);
    /* A correlated report keeps its correlation. */
    const double cc[4] = {4e6, 1e6, 1e6, 1e6};
    dw_latlon_meas(&m, 5, 51.3, 23.1, cc);
    assert_int_equal(dw_meas_latlon.to_pos(&c, &mm, m.z, m.R, pos, pc), 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            pe[i][j] = pc[i * 3 + j];
    dw_enu_cov_from_ecef(&f, pe, pl);
    assert_near(pl[0][0], 4e6, 4e3);
    assert_near(pl[1][1], 1e6, 1e3);
    assert_near(pl[0][1], 1e6, 1e3);

    /* A cell of 6 km: the centre with r²/4 = 9 km² per axis (a uniform disc
     * of radius r has that variance along any axis); detection only. */
    dw_cell_meas(&m, 5, 51.3, 23.1, 6000.0);
    assert_near(m.z[2], 6000.0, 0);
    dw_latlon_ctx cell = {1000.0, 1000.0, 1};
    assert_int_equal(dw_meas_latlon.to_pos(&cell, &mm, m.z, m.R, pos, pc), -1);
    c.no_pos = 0;
    assert_int_equal(dw_meas_latlon.to_pos(&c, &mm, m.z, m.R, pos, pc), 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            pe[i][j] = pc[i * 3 + j];
    dw_enu_cov_from_ecef(&f, pe, pl);
    assert_near(pl[0][0], 9e6, 9e3);
    assert_near(pl[1][1], 9e6, 9e3);
    /* The disc's variance, by sampling: r²/4. */
    rng r = {3};
    double sxx = 0;
    int n = 0;
    while (n < 200000) {
        double u = 2 * urand(&r) - 1, v = 2 * urand(&r) - 1;
        if (u * u + v * v > 1)
            continue;
        sxx += u * u;
        n++;
    }
    assert_near(sxx / n, 0.25, 0.003);
}

/* A report on the ground plane moves a track sideways, not up or down. */
static void a_latlon_report_leaves_the_height(void **state)
{
    (void)state;
    dw_geodetic tg = {51.30, 23.10, 900.0};
    double x[6], P[36] = {0};
    state_at(&tg, x);
    for (int i = 0; i < 6; i++)
        P[i * 6 + i] = i % 2 ? 100.0 : 1000.0 * 1000.0;
    const double cov[4] = {500.0 * 500.0, 0, 0, 500.0 * 500.0};
    dw_meas m;
    dw_latlon_meas(&m, 0, 51.31, 23.10, cov);      /* 1.1 km north */
    ekf_step(&dw_meas_latlon, NULL, x, P, &m);
    double p[3] = {x[0], x[2], x[4]};
    dw_geodetic g;
    dw_geo_from_ecef(p, &g);
    assert_near(g.alt_m, 900.0, 5.0);
    /* toward the report by P / (P + R) = 0.8 of the way */
    assert_near(g.lat_deg, 51.30 + 0.8 * 0.01, 2e-4);
    assert_near(g.lon_deg, 23.10, 1e-5);
}

/* A 2-D radar's plot (range and azimuth): a track it starts sits at the
 * prior altitude with the prior's sigma; an update moves the state in range
 * and azimuth and leaves its height. */
static void a_plot_without_elevation(void **state)
{
    (void)state;
    dw_motion_model mm;
    dw_motion_cv_init(&mm, 3, 1.0);
    dw_polar_site site, s2;
    dw_geodetic sg = {52.03, 23.10, 190.0};
    dw_polar_site_init(&site, &sg);
    site.prior_alt_m = 900.0;
    site.prior_alt_sigma_m = 800.0;
    s2 = site;
    s2.horizontal = 1;
    dw_meas m;
    dw_polar_meas_no_el(&m, 0, &s2, 35000.0, 1.2, 30.0, 0.5 * DEG);
    assert_true(m.ctx == &s2);
    assert_near(m.R[8], DW_POLAR_NO_EL_VAR, 0);
    /* the horizontal distance at 900 m: 35 km less a few metres, its sigma the
     * range's with the prior's ~16 m */
    assert_true(m.z[0] < 35000.0 && m.z[0] > 34980.0);
    assert_true(sqrt(m.R[0]) > 30.0 && sqrt(m.R[0]) < 40.0);
    double pos[3], pc[9];
    assert_int_equal(dw_meas_polar.to_pos(&s2, &mm, m.z, m.R, pos, pc), 0);
    dw_geodetic g;
    dw_geo_from_ecef(pos, &g);
    assert_near(g.alt_m, 900.0, 10.0);          /* a sphere for the prior: metres */
    double enu[3], r, az, el;
    dw_enu_from_ecef(&site.frame, pos, enu);
    dw_polar_from_enu(enu, &r, &az, &el);
    assert_near(r, 35000.0, 5.0);
    assert_near(az, 1.2, 1e-12);
    dw_enu_frame f;
    dw_enu_frame_init(&f, &g);
    double pe[3][3], pl[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            pe[i][j] = pc[i * 3 + j];
    dw_enu_cov_from_ecef(&f, pe, pl);
    assert_near(sqrt(pl[2][2]), 800.0, 10.0);
    /* the horizontal model's Jacobian */
    double tenu[3] = {35200.0 * sin(1.21), 35200.0 * cos(1.21), 1500.0}, p[3];
    dw_ecef_from_enu(&site.frame, tenu, p);
    double x[6] = {p[0], 0, p[1], 0, p[2], 0};
    check_jacobian(&dw_meas_polar, &s2, x, 1e-5);
    /* An update of a track at 1,500 m: range and azimuth pulled in, the
     * height left alone however uncertain. */
    dw_geodetic gt;
    dw_geo_from_ecef(p, &gt);
    dw_enu_frame ft;
    dw_enu_frame_init(&ft, &gt);
    const double pen[3][3] = {{400.0 * 400.0, 0, 0}, {0, 400.0 * 400.0, 0}, {0, 0, 2000.0 * 2000.0}};
    double pec[3][3], P[36] = {0};
    dw_ecef_cov_from_enu(&ft, pen, pec);
    for (int i = 0; i < 3; i++) {
        P[(2 * i + 1) * 6 + 2 * i + 1] = 100.0;
        for (int j = 0; j < 3; j++)
            P[(2 * i) * 6 + 2 * j] = pec[i][j];
    }
    ekf_step(&dw_meas_polar, &s2, x, P, &m);
    double p1[3] = {x[0], x[2], x[4]}, e1[3];
    dw_enu_from_ecef(&site.frame, p1, e1);
    dw_geodetic g1, g0;
    dw_geo_from_ecef(p1, &g1);
    dw_geo_from_ecef(p, &g0);
    print_message("height moved %.1f m (sigma 2 km)\n", g1.alt_m - g0.alt_m);
    assert_near(g1.alt_m, g0.alt_m, 40.0);
    assert_true(fabs(hypot(e1[0], e1[1]) - m.z[0]) < 60.0);
    assert_true(fabs(atan2(e1[0], e1[1]) - 1.2) < 0.004);
}


/* ---- range rate ----------------------------------------------------------- */

/* A state at geodetic g moving at vel_enu (m/s in the local frame there). */
static void moving_state(const dw_geodetic *g, const double vel_enu[3], double x[6])
{
    double p[3], v[3];
    dw_geo_to_ecef(g, p);
    dw_enu_frame f;
    dw_enu_frame_init(&f, g);
    dw_ecef_vec_from_enu(&f, vel_enu, v);
    for (int a = 0; a < 3; a++) {
        x[2 * a] = p[a];
        x[2 * a + 1] = v[a];
    }
}

/* dw_meas_polar_rr's h and H at x against central differences in every state
 * component (positions by dp metres, velocities by 0.01 m/s), the differences
 * wrapped as the residual wraps them; its first three rows and to_pos are
 * the polar model's; the range rate is the rate of the range h itself
 * predicts along the motion. */
static void check_rr(const dw_polar_site *site, const double x[6], double dp, double tol_rel)
{
    dw_motion_model mm;
    dw_motion_cv_init(&mm, 3, 1.0);
    const dw_meas_model *md = &dw_meas_polar_rr;
    double z0[4], H[24], zq[3], Hq[18];
    assert_int_equal(md->h(site, &mm, x, z0, H), 0);
    assert_int_equal(dw_meas_polar.h(site, &mm, x, zq, Hq), 0);
    for (int i = 0; i < 3; i++) {
        assert_true(z0[i] == zq[i]);
        for (int c = 0; c < 6; c++)
            assert_true(H[i * 6 + c] == Hq[i * 6 + c]);
    }
    for (int c = 0; c < 6; c++) {
        const double step = c % 2 ? 0.01 : dp;
        double xp[6], xm[6], zp[4], zm[4], Hd[24], nu[4];
        memcpy(xp, x, sizeof xp);
        memcpy(xm, x, sizeof xm);
        xp[c] += step;
        xm[c] -= step;
        assert_int_equal(md->h(site, &mm, xp, zp, Hd), 0);
        assert_int_equal(md->h(site, &mm, xm, zm, Hd), 0);
        md->residual(site, 4, zp, zm, nu);
        for (int i = 0; i < 4; i++) {
            const double fd = nu[i] / (2.0 * step);
            assert_near(H[i * 6 + c], fd, tol_rel * (fabs(fd) + 1e-9) + 1e-12);
        }
    }
    /* the rate of h's own range (a 2-D plot's: horizontal) along the motion, over +-1 ms */
    {
        double xp[6], xm[6], zp[4], zm[4], Hd[24];
        for (int a = 0; a < 6; a++) {
            xp[a] = x[a] + (a % 2 ? 0.0 : 1e-3 * x[a + 1]);
            xm[a] = x[a] - (a % 2 ? 0.0 : 1e-3 * x[a + 1]);
        }
        assert_int_equal(md->h(site, &mm, xp, zp, Hd), 0);
        assert_int_equal(md->h(site, &mm, xm, zm, Hd), 0);
        assert_near(z0[3], (zp[0] - zm[0]) / 2e-3, 1e-6 * (fabs(z0[3]) + 1.0));
    }
    /* to_pos reads the 3 x 3 block of a 4 x 4 R */
    double R4[16] = {0}, R3[9] = {0}, p4[3], p3[3], c4[9], c3[9];
    const double var[4] = {900.0, 1e-5, 2e-5, 1.0};
    for (int i = 0; i < 4; i++)
        R4[i * 5] = var[i];
    for (int i = 0; i < 3; i++)
        R3[i * 4] = var[i];
    assert_int_equal(md->to_pos(site, &mm, z0, R4, p4, c4), 0);
    assert_int_equal(dw_meas_polar.to_pos(site, &mm, z0, R3, p3, c3), 0);
    assert_memory_equal(p4, p3, sizeof p3);
    assert_memory_equal(c4, c3, sizeof c3);
}

static void range_rate_jacobian_is_derivative(void **state)
{
    (void)state;
    dw_polar_site site, s2;
    dw_geodetic sg = {51.50, 23.60, 180.0};
    dw_polar_site_init(&site, &sg);
    s2 = site;
    s2.horizontal = 1;
    /* name, place, velocity (east, north, up) */
    struct {
        dw_geodetic g;
        double v[3], dp, tol;
    } cases[] = {
        {{51.70, 23.10, 1500.0}, {10.0, -5.0, 1.0}, 0.5, 1e-5},        /* a drone at 40 km */
        {{51.52, 23.62, 300.0}, {-40.0, 20.0, 0.0}, 0.05, 1e-5},       /* 2.6 km off       */
        {{52.70, 22.30, 9000.0}, {-250.0, -180.0, 5.0}, 5.0, 1e-5},     /* a jet at 160 km  */
        {{51.5002, 23.6003, 4000.0}, {30.0, 0.0, -3.0}, 0.01, 1e-4},    /* 30 m off zenith  */
        {{51.90, 23.60, 2000.0}, {-120.0, 0.0, 0.0}, 0.5, 1e-5},        /* straight north: az
                                                                           across 0 when moved */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double x[6];
        moving_state(&cases[i].g, cases[i].v, x);
        check_rr(&site, x, cases[i].dp, cases[i].tol);
        if (i != 3)
            check_rr(&s2, x, cases[i].dp, cases[i].tol);
    }
    /* Tangential motion: across the line of sight the range rate is zero and
     * its derivative by position is v / r, which the differences confirm. */
    dw_motion_model mm;
    dw_motion_cv_init(&mm, 3, 1.0);
    double enu[3] = {20000.0, 15000.0, 1200.0}, p[3], v[3], ve[3] = {-15000.0, 20000.0, 0.0};
    const double sp = 80.0 / hypot(ve[0], ve[1]);
    ve[0] *= sp;
    ve[1] *= sp;
    dw_ecef_from_enu(&site.frame, enu, p);
    dw_ecef_vec_from_enu(&site.frame, ve, v);
    double x[6] = {p[0], v[0], p[1], v[1], p[2], v[2]}, z[4], H[24];
    assert_int_equal(dw_meas_polar_rr.h(&site, &mm, x, z, H), 0);
    assert_near(z[3], 0.0, 1e-9);
    const double r = sqrt(enu[0] * enu[0] + enu[1] * enu[1] + enu[2] * enu[2]);
    for (int a = 0; a < 3; a++) {
        assert_near(H[18 + 2 * a], v[a] / r, 1e-12);
        assert_near(H[18 + 2 * a + 1], (p[a] - site.frame.origin_ecef[a]) / r, 1e-12);
    }
    check_rr(&site, x, 0.5, 1e-5);
    /* Radial: the range rate is the speed, negative closing; no derivative by
     * position (the line of sight does not turn). */
    for (int a = 0; a < 3; a++) {
        const double u = (p[a] - site.frame.origin_ecef[a]) / r;
        x[2 * a + 1] = -100.0 * u;
    }
    assert_int_equal(dw_meas_polar_rr.h(&site, &mm, x, z, H), 0);
    assert_near(z[3], -100.0, 1e-9);
    for (int a = 0; a < 3; a++)
        assert_near(H[18 + 2 * a], 0.0, 1e-12);
    /* Straight above the site within a millimetre: no azimuth, no update. */
    dw_geodetic up = {51.50, 23.60, 3000.0};
    const double vz[3] = {0.0, 0.0, 5.0};
    moving_state(&up, vz, x);
    assert_int_equal(dw_meas_polar_rr.h(&site, &mm, x, z, H), -1);
}

/* dw_polar_meas_add_rr makes a 4 x 4 R around the 3 x 3 one, and the residual
 * wraps the azimuth only. */
static void a_plot_with_range_rate(void **state)
{
    (void)state;
    dw_meas m, m3;
    dw_polar_meas(&m, 5, 12000.0, 0.01, 0.02, 30.0, 0.2 * DEG, 0.3 * DEG);
    m3 = m;
    m.R[1] = m.R[3] = 7.0;      /* a correlation, to see it moved with its block */
    dw_polar_meas_add_rr(&m, -12.5, 0.5);
    assert_true(m.model == &dw_meas_polar_rr);
    assert_near(m.z[3], -12.5, 0);
    const double want[16] = {m3.R[0], 7.0, 0, 0, 7.0, m3.R[4], 0, 0,
                             0, 0, m3.R[8], 0, 0, 0, 0, 0.25};
    for (int i = 0; i < 16; i++)
        assert_near(m.R[i], want[i], 0);
    double nu[4];
    const double zp[4] = {11990.0, 2 * M_PI - 0.01, 0.025, -10.0};
    dw_meas_polar_rr.residual(NULL, 4, m.z, zp, nu);
    assert_near(nu[0], 10.0, 1e-9);
    assert_near(nu[1], 0.02, 1e-12);
    assert_near(nu[2], -0.005, 1e-12);
    assert_near(nu[3], -2.5, 1e-12);
    /* A 2-D plot: the slant rate becomes the horizontal distance's, which the horizontal
     * model predicts for a level target at the altitude prior. Close in (3 km, 1 km up:
     * el 18 deg) the two differ by 5 %. */
    dw_motion_model mm;
    dw_motion_cv_init(&mm, 3, 1.0);
    dw_polar_site site, s2;
    dw_geodetic sg = {52.0, 23.0, 150.0};
    dw_polar_site_init(&site, &sg);
    site.prior_alt_m = 1150.0;
    s2 = site;
    s2.horizontal = 1;
    const double enu[3] = {1800.0, 2400.0, 1000.0 - 3000.0 * 3000.0 / (2 * 6371000.0)};
    const double ve[3] = {-20.0, -15.0, 0.0};
    double p[3], v[3], x[6], z[4], H[24];
    dw_ecef_from_enu(&site.frame, enu, p);
    dw_ecef_vec_from_enu(&site.frame, ve, v);
    for (int a = 0; a < 3; a++) {
        x[2 * a] = p[a];
        x[2 * a + 1] = v[a];
    }
    assert_int_equal(dw_meas_polar_rr.h(&site, &mm, x, z, H), 0);      /* slant */
    const double slant_r = z[0], slant_rr = z[3];
    assert_near(slant_rr, -24.0 * 3000.0 / slant_r, 1e-9);
    dw_polar_meas_no_el(&m, 5, &s2, slant_r, z[1], 10.0, 0.3 * DEG);
    dw_polar_meas_add_rr(&m, slant_rr, 0.5);
    assert_int_equal(dw_meas_polar_rr.h(&s2, &mm, x, z, H), 0);        /* horizontal */
    assert_near(z[3], -24.0, 1e-9);
    assert_near(m.z[3], -24.0, 0.01);
    assert_near(sqrt(m.R[15]), 0.5 * 24.0 / fabs(slant_rr), 1e-4);
    /* nothing of the height or the climb in it: no derivative along the site's up */
    double dz = 0.0, dvz = 0.0;
    for (int a = 0; a < 3; a++) {
        dz += H[18 + 2 * a] * site.frame.rot[2][a];
        dvz += H[18 + 2 * a + 1] * site.frame.rot[2][a];
    }
    assert_near(dz, 0.0, 1e-15);
    assert_near(dvz, 0.0, 1e-15);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(polar_jacobian_is_derivative),
    cmocka_unit_test(two_radars_track_a_drone),
    cmocka_unit_test(bearing_and_latlon_jacobians_are_derivatives),
    cmocka_unit_test(residuals_wrap_angles),
    cmocka_unit_test(a_bearing_moves_the_state_toward_its_ray),
    cmocka_unit_test(latlon_and_cell_covariances),
    cmocka_unit_test(a_latlon_report_leaves_the_height),
    cmocka_unit_test(a_plot_without_elevation),
    cmocka_unit_test(range_rate_jacobian_is_derivative),
    cmocka_unit_test(a_plot_with_range_rate),
};

DW_TEST_MAIN("track_geo", tests)

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

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(polar_jacobian_is_derivative),
    cmocka_unit_test(two_radars_track_a_drone),
};

DW_TEST_MAIN("track_geo", tests)

/* test_intercept.c — intercept geometry against analytic cases, shots against closed
 * forms, and the debris footprint over a city and over fields. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dronewall/intercept.h"
#include "harness.h"

static const dw_geodetic site = {51.0, 22.0, 0.0};

/* A plain interceptor at `site`: speed w, no reaction, an envelope that never binds. */
static dw_effector plain(double w)
{
    dw_effector e;
    dw_effector_defaults(DW_EFF_INTERCEPTOR_DRONE, &e);
    snprintf(e.id, sizeof e.id, "test");
    e.site = site;
    e.speed_mps = w;
    e.reaction_s = 0;
    e.min_range_m = 0;
    e.max_range_m = 1e6;
    e.min_alt_m = -1e5;
    e.max_alt_m = 1e5;
    e.magazine = 10;
    return e;
}

/* A target at enu (m) in the frame at e's site, moving at vel (m/s) in that frame. */
static dw_intercept_target at(const dw_effector *e, double x, double y, double z, double ve,
                              double vn, double vu)
{
    dw_enu_frame f, ft;
    dw_enu_frame_init(&f, &e->site);
    double p[3] = {x, y, z}, v[3] = {ve, vn, vu}, vecef[3];
    dw_intercept_target t;
    dw_geo_from_enu(&f, p, &t.pos);
    dw_enu_frame_init(&ft, &t.pos);
    dw_ecef_vec_from_enu(&f, v, vecef);
    dw_enu_vec_from_ecef(&ft, vecef, t.vel_enu);
    return t;
}

static dw_intercept solve(const dw_effector *e, const dw_intercept_target *t, double ready,
                          double deadline)
{
    dw_intercept_limits lim = {deadline};
    dw_intercept r;
    assert_int_equal(dw_intercept_solve(e, t, ready, &lim, &r), DW_OK);
    return r;
}

/* The intercept point is where the target is at t and where the weapon is: on both
 * paths, to 1e-6 m. */
static void on_both_paths(const dw_effector *e, const dw_intercept *r, const double p0[3],
                          const double v[3], double t_react)
{
    for (int i = 0; i < 3; i++)
        assert_near(r->point_enu[i], p0[i] + v[i] * r->t_intercept_s, 1e-6);
    double range = sqrt(r->point_enu[0] * r->point_enu[0] + r->point_enu[1] * r->point_enu[1] +
                        r->point_enu[2] * r->point_enu[2]);
    assert_near(range, e->speed_mps * (r->t_intercept_s - t_react), 1e-6);
    assert_near(r->range_m, range, 1e-6);
}

static void head_on(void **state)
{
    (void)state;
    dw_effector e = plain(200);
    dw_intercept_target t = at(&e, 10000, 0, 0, -50, 0, 0);
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_true(r.feasible);
    assert_int_equal(r.reason, DW_ICPT_OK);
    assert_near(r.t_intercept_s, 10000.0 / 250.0, 1e-9);
    assert_near(r.closing_speed_mps, 250, 1e-6);
    assert_near(r.aspect_deg, 0, 1e-4);
    assert_near(r.t_launch_s, 0, 1e-9);
    on_both_paths(&e, &r, (double[3]){10000, 0, 0}, (double[3]){-50, 0, 0}, 0);
}

static void tail_chase(void **state)
{
    (void)state;
    dw_effector e = plain(200);
    dw_intercept_target t = at(&e, 10000, 0, 0, 50, 0, 0);
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_true(r.feasible);
    assert_near(r.t_intercept_s, 10000.0 / 150.0, 1e-9);
    assert_near(r.closing_speed_mps, 150, 1e-6);
    assert_near(r.aspect_deg, 180, 1e-4);
    on_both_paths(&e, &r, (double[3]){10000, 0, 0}, (double[3]){50, 0, 0}, 0);
}

static void crossing_right_angles(void **state)
{
    (void)state;
    /* (50 t)² + 10000² = (200 t)²  =>  t = 10000 / sqrt(200² - 50²) */
    dw_effector e = plain(200);
    dw_intercept_target t = at(&e, 0, 10000, 0, 50, 0, 0);
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_true(r.feasible);
    assert_near(r.t_intercept_s, 10000.0 / sqrt(37500.0), 1e-9);
    on_both_paths(&e, &r, (double[3]){0, 10000, 0}, (double[3]){50, 0, 0}, 0);
}

static void faster_target_going_away(void **state)
{
    (void)state;
    dw_effector e = plain(200);
    dw_intercept_target t = at(&e, 10000, 0, 0, 250, 0, 0);
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_false(r.feasible);
    assert_int_equal(r.reason, DW_ICPT_TOO_SLOW);
    assert_true(isnan(r.t_intercept_s));
    /* The same speed as the interceptor, going away or crossing: never. */
    t = at(&e, 10000, 0, 0, 200, 0, 0);
    assert_int_equal(solve(&e, &t, 0, INFINITY).reason, DW_ICPT_TOO_SLOW);
    t = at(&e, 0, 10000, 0, 200, 0, 0);
    assert_int_equal(solve(&e, &t, 0, INFINITY).reason, DW_ICPT_TOO_SLOW);
}

static void equal_speed_head_on(void **state)
{
    (void)state;
    /* |v| = w: the quadratic is a line; head-on they meet half way. */
    dw_effector e = plain(200);
    dw_intercept_target t = at(&e, 10000, 0, 0, -200, 0, 0);
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_true(r.feasible);
    assert_near(r.t_intercept_s, 25, 1e-9);
    on_both_paths(&e, &r, (double[3]){10000, 0, 0}, (double[3]){-200, 0, 0}, 0);
}

static void reaction_delay_shifts_time(void **state)
{
    (void)state;
    /* 10000 - 50 t = 200 (t - tr)  =>  t = (10000 + 200 tr) / 250 */
    dw_effector e = plain(200);
    e.reaction_s = 10;
    dw_intercept_target t = at(&e, 10000, 0, 0, -50, 0, 0);
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_near(r.t_react_s, 10, 0);
    assert_near(r.t_intercept_s, 12000.0 / 250.0, 1e-9);
    assert_near(r.t_launch_s, 10, 1e-9);
    on_both_paths(&e, &r, (double[3]){10000, 0, 0}, (double[3]){-50, 0, 0}, 10);
    r = solve(&e, &t, 5, INFINITY); /* ready in 5 s, then 10 s reaction */
    assert_near(r.t_intercept_s, 13000.0 / 250.0, 1e-9);
    on_both_paths(&e, &r, (double[3]){10000, 0, 0}, (double[3]){-50, 0, 0}, 15);
}

static void gun_target_in_range(void **state)
{
    (void)state;
    dw_effector e;
    dw_effector_defaults(DW_EFF_GUN, &e);
    e.site = site;
    dw_intercept_target t = at(&e, 2000, 0, 300, -50, 0, 0);
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_true(r.feasible);
    /* (2000 - 50 t)² + 300² = (1000 (t - 5))², checked as the equation itself, with
     * the root between 5 + 1700/1050 and 5 + 2100/1000 s */
    double ti = r.t_intercept_s;
    double lhs = sqrt((2000 - 50 * ti) * (2000 - 50 * ti) + 300.0 * 300.0);
    assert_near(lhs, 1000 * (ti - 5), 1e-6);
    assert_true(ti > 5 && ti < 5 + 2.1);
    assert_near(r.flight_time_s, ti - 5, 1e-9);
    on_both_paths(&e, &r, (double[3]){2000, 0, 300}, (double[3]){-50, 0, 0}, 5);
}

static void envelope_edges(void **state)
{
    (void)state;
    dw_effector e = plain(1000);
    e.max_range_m = 5000;
    e.max_alt_m = 3000;
    dw_intercept_target t = at(&e, 4999.9, 0, 0, 0, 0, 0);
    assert_true(solve(&e, &t, 0, INFINITY).feasible);
    t = at(&e, 5000.1, 0, 0, 0, 0, 0);
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_false(r.feasible);
    assert_int_equal(r.reason, DW_ICPT_OUT_OF_RANGE);
    t = at(&e, 1000, 0, 2999.5, 0, 0, 0);
    assert_true(solve(&e, &t, 0, INFINITY).feasible);
    t = at(&e, 1000, 0, 3000.5, 0, 0, 0);
    assert_int_equal(solve(&e, &t, 0, INFINITY).reason, DW_ICPT_ALTITUDE);
    /* Minimum range: a MANPADS cannot engage at 300 m. */
    dw_effector m;
    dw_effector_defaults(DW_EFF_MANPADS, &m);
    m.site = site;
    t = at(&m, 300, 0, 100, 0, 0, 0);
    assert_int_equal(solve(&m, &t, 0, INFINITY).reason, DW_ICPT_TOO_CLOSE);
    /* Approaching from beyond max range: launch is held until the target is at exactly
     * max range, 300 s from now (20000 - 50 t = 5000). */
    e = plain(500);
    e.max_range_m = 5000;
    t = at(&e, 20000, 0, 0, -50, 0, 0);
    r = solve(&e, &t, 0, INFINITY);
    assert_true(r.feasible);
    assert_near(r.t_intercept_s, 300, 1e-6);
    assert_near(r.range_m, 5000, 1e-6);
    assert_near(r.t_launch_s, 290, 1e-6);
    /* Climbing through the ceiling: 2000 m up at 10 m/s, ceiling 3000, interceptor at
     * the site's foot: t = 100 s at the latest; a slow interceptor is too late. */
    e = plain(20);
    e.max_alt_m = 3000;
    t = at(&e, 0, 0, 2000, 0, 0, 10);
    r = solve(&e, &t, 0, INFINITY);
    assert_false(r.feasible);
    assert_int_equal(r.reason, DW_ICPT_ALTITUDE);
}

static void deadline_and_readiness(void **state)
{
    (void)state;
    dw_effector e = plain(200);
    dw_intercept_target t = at(&e, 10000, 0, 0, -50, 0, 0);
    dw_intercept r = solve(&e, &t, 0, 39);
    assert_false(r.feasible);
    assert_int_equal(r.reason, DW_ICPT_AFTER_DEADLINE);
    assert_near(r.t_intercept_s, 40, 1e-9);
    r = solve(&e, &t, 0, 41);
    assert_true(r.feasible);
    assert_near(r.slack_s, 1, 1e-9);
    r = solve(&e, &t, 100, 50);
    assert_int_equal(r.reason, DW_ICPT_NOT_READY);
    e.magazine = 0;
    assert_int_equal(solve(&e, &t, 0, INFINITY).reason, DW_ICPT_MAGAZINE_EMPTY);
    /* Bad input: out untouched. */
    dw_intercept keep;
    memset(&keep, 0xab, sizeof keep);
    dw_intercept_limits lim = {INFINITY};
    t.vel_enu[0] = NAN;
    assert_int_equal(dw_intercept_solve(&e, &t, 0, &lim, &keep), DW_ERR_INVALID);
    assert_int_equal(((unsigned char *)&keep)[0], 0xab);
}

static void degenerate_cases(void **state)
{
    (void)state;
    /* A stationary target: t = d / w. */
    dw_effector e = plain(80);
    dw_intercept_target t = at(&e, 0, 8000, 0, 0, 0, 0);
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_near(r.t_intercept_s, 100, 1e-9);
    assert_near(r.closing_speed_mps, 80, 1e-9);
    /* The target at the site: intercept at once (t = t_react). */
    e.reaction_s = 7;
    t = at(&e, 0, 0, 0, 30, 0, 0);
    r = solve(&e, &t, 0, INFINITY);
    assert_true(r.feasible);
    assert_near(r.t_intercept_s, 7 + 7 * 30.0 / 50.0, 1e-9); /* tail chase of 210 m at 50 */
    t = at(&e, 0, 0, 0, 0, 0, 0);
    r = solve(&e, &t, 0, INFINITY);
    assert_near(r.t_intercept_s, 7, 1e-9);
    assert_near(r.range_m, 0, 1e-6);
    /* A gun has a minimum range: the target over its barrels is too close. */
    dw_effector g;
    dw_effector_defaults(DW_EFF_GUN, &g);
    g.site = site;
    t = at(&g, 0, 0, 0, 0, 0, 0);
    assert_int_equal(solve(&g, &t, 0, INFINITY).reason, DW_ICPT_TOO_CLOSE);
}

static void jammer_range_only(void **state)
{
    (void)state;
    dw_effector j;
    dw_effector_defaults(DW_EFF_JAMMER, &j);
    j.site = site;
    dw_intercept_target t = at(&j, 5000, 0, 200, -50, 0, 0);
    dw_intercept r = solve(&j, &t, 0, INFINITY);
    assert_true(r.feasible);
    /* In effect when the slant range is 2000: (5000 - 50 t)² + 200² = 2000². */
    assert_near(r.t_intercept_s, (5000 - sqrt(2000.0 * 2000 - 200 * 200)) / 50, 1e-9);
    assert_near(r.flight_time_s, 0, 0);
    assert_near(r.range_m, 2000, 1e-6);
    /* Passing 3 km abeam: never in range. */
    t = at(&j, 5000, 3000, 200, -50, 0, 0);
    r = solve(&j, &t, 0, INFINITY);
    assert_false(r.feasible);
    assert_int_equal(r.reason, DW_ICPT_OUT_OF_RANGE);
}

static void cap_orbit_nearest_point(void **state)
{
    (void)state;
    dw_effector e;
    dw_effector_defaults(DW_EFF_FIGHTER_CAP, &e);
    e.site = site;
    e.orbit_radius_m = 30000;
    e.min_alt_m = -1e5;
    /* Target 100 km east, still: the fighters leave the orbit's east point (30 km east),
     * fly 60 km at 250 m/s after 60 s of reaction to be 10 km off, then the missile flies
     * 10 km at 800 m/s. */
    dw_intercept_target t = at(&e, 100000, 0, 0, 0, 0, 0);
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_true(r.feasible);
    assert_near(r.t_launch_s, 60 + 60000.0 / 250, 1e-6);
    assert_near(r.flight_time_s, 10000.0 / 800, 1e-9);
    assert_near(r.t_intercept_s, 300 + 12.5, 1e-6);
    dw_enu_frame f;
    dw_enu_frame_init(&f, &site);
    double lp[3];
    dw_enu_from_geo(&f, &r.launch_point, lp);
    assert_near(lp[0], 30000, 1e-6);
    assert_near(lp[1], 0, 1e-6);
    /* North-west of the orbit: the nearest point is on that bearing. */
    t = at(&e, -60000, 60000, 0, 0, 0, 0);
    r = solve(&e, &t, 0, INFINITY);
    dw_enu_from_geo(&f, &r.launch_point, lp);
    assert_near(lp[0], -30000 / sqrt(2.0), 1e-6);
    assert_near(lp[1], 30000 / sqrt(2.0), 1e-6);
    assert_near(r.t_launch_s, 60 + (60000 * sqrt(2.0) - 30000 - 10000) / 250, 1e-6);
}

static void shots_closed_forms(void **state)
{
    (void)state;
    dw_engagement g;
    /* pk 0.7, P 0.9: 2 shots reach 0.91; shoot-look-shoot fires 1.3 on average. */
    assert_int_equal(dw_engagement_plan(0.7, 0.9, 10, 10, &g), DW_OK);
    assert_int_equal(g.shots, 2);
    assert_int_equal(g.salvo, 1);
    assert_int_equal(g.looks, 2);
    assert_near(g.pk_achieved, 0.91, 1e-12);
    assert_near(g.expected_shots, 1.3, 1e-12);
    assert_true(g.meets_required);
    /* No time to look: a salvo of 2. */
    assert_int_equal(dw_engagement_plan(0.7, 0.9, 1, 10, &g), DW_OK);
    assert_int_equal(g.salvo, 2);
    assert_near(g.expected_shots, 2, 1e-12);
    assert_near(g.pk_achieved, 0.91, 1e-12);
    /* pk 0.5, P 0.9: n = ceil(log 0.1 / log 0.5) = 4; two looks: 2 + 2 x 0.25. */
    assert_int_equal(dw_engagement_plan(0.5, 0.9, 2, 10, &g), DW_OK);
    assert_int_equal(g.shots, 4);
    assert_int_equal(g.salvo, 2);
    assert_near(g.expected_shots, 2.5, 1e-12);
    assert_near(g.pk_achieved, 0.9375, 1e-12);
    /* Shoot-look-shoot: 1 + .5 + .25 + .125. */
    assert_int_equal(dw_engagement_plan(0.5, 0.9, 4, 10, &g), DW_OK);
    assert_near(g.expected_shots, 1.875, 1e-12);
    /* pk 0.5, P 0.75: exactly 2 (no rounding up to 3). */
    assert_int_equal(dw_engagement_plan(0.5, 0.75, 4, 10, &g), DW_OK);
    assert_int_equal(g.shots, 2);
    /* The magazine caps it. */
    assert_int_equal(dw_engagement_plan(0.5, 0.9, 4, 3, &g), DW_OK);
    assert_int_equal(g.shots, 3);
    assert_false(g.meets_required);
    assert_near(g.pk_achieved, 0.875, 1e-12);
    /* A hopeless pk with an unlimited magazine: capped, not overflowed. */
    assert_int_equal(dw_engagement_plan(1e-9, 0.9, 1000000, DW_MAGAZINE_UNLIMITED, &g), DW_OK);
    assert_int_equal(g.shots, DW_ENGAGEMENT_MAX_SHOTS);
    assert_false(g.meets_required);
    assert_int_equal(dw_engagement_plan(0.0, 0.9, 4, 3, &g), DW_ERR_RANGE);
    assert_int_equal(dw_engagement_plan(0.5, 0.9, 4, 0, &g), DW_ERR_RANGE);
    assert_int_equal(dw_engagement_plan(0.5, 1.0, 4, 3, &g), DW_ERR_INVALID);
    /* Money: a Piorun team (pk 0.7 vs owa_drone, €154k) with 100 s to spare, 10 s of
     * flight and 8 s to look: 5 looks, 1.3 missiles, €200,200, 6.36 x a Shahed. */
    dw_effector m;
    dw_effector_defaults(DW_EFF_MANPADS, &m);
    assert_int_equal(dw_intercept_cost(&m, DW_CLASS_OWA_DRONE, 0.9, 100, 10,
                                       dw_threat_value_eur(DW_CLASS_OWA_DRONE), &g), DW_OK);
    assert_near(g.expected_shots, 1.3, 1e-12);
    assert_near(g.cost_eur, 1.3 * 154000, 1e-6);
    assert_near(g.exchange_ratio, 1.3 * 154000 / 31500.0, 1e-9);
    /* A fighter pays its sortie; two AIM-9X salvoed at a decoy (no time to look). */
    dw_effector f;
    dw_effector_defaults(DW_EFF_FIGHTER_CAP, &f);
    assert_int_equal(dw_intercept_cost(&f, DW_CLASS_DECOY, 0.9, 5, 12.5, 9000, &g), DW_OK);
    assert_int_equal(g.shots, 2);
    assert_near(g.expected_shots, 2, 1e-12);
    assert_near(g.cost_eur, 2 * 400000 + 40000, 1e-6);
    assert_near(g.exchange_ratio, 840000 / 9000.0, 1e-9);
}

static void debris_city_vs_fields(void **state)
{
    (void)state;
    dw_geog *g = NULL;
    char err[512] = "";
    assert_int_equal(dw_geog_create(&g), DW_OK);
    if (dw_geog_load(g, DW_SOURCE_DIR "/scenarios/geo/pl-protected.geojson", err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    double vel[3] = {50, 0, 0}, people = -1;
    int over = -1;
    char id[DW_GEOG_ID_MAX] = "x";
    /* 1000 m over Lublin at 50 m/s: tf = sqrt(2000 / g), the ellipse's semi-axes are
     * 25 tf + 100 and 100 m, all inside the city's 8 km circle of 330,000 people. */
    double tf = sqrt(2000 / 9.80665);
    double area = M_PI * (25 * tf + 100) * 100;
    double dens = 330000 / (M_PI * 8000.0 * 8000.0) + DW_GROUND_RURAL_PER_KM2 / 1e6;
    assert_int_equal(dw_intercept_ground_risk(g, 51.2465, 22.5684, 1000, vel, &people, &over, id), DW_OK);
    assert_near(people, area * dens, 1e-6 * area * dens);
    assert_int_equal(over, 1);
    assert_string_equal(id, "CITY-LUBLIN");
    /* The same over fields south-west of Włodawa: the rural background only. */
    assert_int_equal(dw_intercept_ground_risk(g, 51.45, 23.3, 1000, vel, &people, &over, id), DW_OK);
    assert_near(people, area * DW_GROUND_RURAL_PER_KM2 / 1e6, 1e-9);
    assert_int_equal(over, 0);
    assert_string_equal(id, "");
    /* Without geography, and at ground level (no throw: a 50 m circle). */
    assert_int_equal(dw_intercept_ground_risk(NULL, 51.2465, 22.5684, 0, vel, &people, &over, NULL), DW_OK);
    assert_near(people, M_PI * 50 * 50 * DW_GROUND_RURAL_PER_KM2 / 1e6, 1e-9);
    assert_int_equal(dw_intercept_ground_risk(g, NAN, 22.5, 1000, vel, &people, &over, id), DW_ERR_INVALID);
    dw_geog_destroy(g);
}

static void level_target_far_keeps_altitude(void **state)
{
    (void)state;
    /* 150 km out the tangent plane is 1.8 km above the ground: a level target at 1000 m
     * is still at 1000 m for the envelope (a floor of 500 m must not refuse it). */
    dw_effector e = plain(1000);
    e.min_alt_m = 500;
    e.max_alt_m = 2000;
    dw_enu_frame f;
    dw_enu_frame_init(&f, &site);
    dw_geodetic far;
    assert_int_equal(dw_geo_direct(&site, 90, 150000, &far), DW_OK);
    far.alt_m = 1000;
    dw_intercept_target t = {far, {-50, 0, 0}};
    dw_intercept r = solve(&e, &t, 0, INFINITY);
    assert_true(r.feasible);
    assert_near(r.point.alt_m, 1000, 1e-9);
    double p0[3];
    dw_enu_from_geo(&f, &far, p0);
    assert_true(p0[2] < 1000 - 1700); /* below the floor in the tangent plane */
    assert_near(r.range_m, e.speed_mps * r.t_intercept_s, 1e-6);
}

/* The shipped catalogue against a Gerbera-class decoy east of Chełm flying west towards
 * Lublin at 45 m/s and 1500 m: the cheap effectors near it can, the Patriot at Rzeszów
 * cannot, and an F-35 pair's exchange ratio is two orders above a gun's. */
static void shipped_catalogue_against_a_decoy(void **state)
{
    (void)state;
    dw_effector *list = NULL;
    size_t n = 0;
    char err[512] = "";
    if (dw_effectors_load(DW_SOURCE_DIR "/config/effectors.yaml", &list, &n, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    dw_intercept_target t = {{51.15, 23.60, 1500}, {-45, 0, 0}};
    double deadline = 1500; /* ~68 km to Lublin at 45 m/s */
    double cer_gun = NAN, cer_f35 = NAN;
    int patriot = -1, manpads_chelm = 0;
    for (size_t i = 0; i < n; i++) {
        const dw_effector *e = &list[i];
        dw_intercept r;
        dw_intercept_limits lim = {deadline};
        assert_int_equal(dw_intercept_solve(e, &t, e->ready_in_s, &lim, &r), DW_OK);
        dw_engagement g = {0};
        double cer = NAN;
        if (r.feasible && dw_intercept_cost(e, DW_CLASS_DECOY, 0.9, r.slack_s, r.flight_time_s,
                                            dw_threat_value_eur(DW_CLASS_DECOY), &g) == DW_OK)
            cer = g.exchange_ratio;
        printf("  %-18s %-17s %-45s t=%7.1f s  shots %.2f  EUR %9.0f  CER %8.2f\n", e->id,
               dw_effector_kind_name(e->kind), dw_intercept_reason_str(r.reason),
               r.t_intercept_s, g.expected_shots, g.cost_eur, cer);
        if (!strcmp(e->id, "gun-chelm")) {
            assert_true(r.feasible);
            cer_gun = cer;
        }
        if (!strcmp(e->id, "cap-f35-1")) {
            assert_true(r.feasible);
            cer_f35 = cer;
        }
        if (!strcmp(e->id, "sam-patriot-rze"))
            patriot = r.reason;
        if (!strncmp(e->id, "manpads-chelm", 13))
            manpads_chelm += r.feasible;
    }
    assert_int_equal(patriot, DW_ICPT_OUT_OF_RANGE);
    assert_int_equal(manpads_chelm, 2);
    assert_true(cer_f35 > 50 * cer_gun);
    dw_effectors_free(list);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(head_on),
        cmocka_unit_test(tail_chase),
        cmocka_unit_test(crossing_right_angles),
        cmocka_unit_test(faster_target_going_away),
        cmocka_unit_test(equal_speed_head_on),
        cmocka_unit_test(reaction_delay_shifts_time),
        cmocka_unit_test(gun_target_in_range),
        cmocka_unit_test(envelope_edges),
        cmocka_unit_test(deadline_and_readiness),
        cmocka_unit_test(degenerate_cases),
        cmocka_unit_test(jammer_range_only),
        cmocka_unit_test(cap_orbit_nearest_point),
        cmocka_unit_test(shots_closed_forms),
        cmocka_unit_test(debris_city_vs_fields),
        cmocka_unit_test(level_target_far_keeps_altitude),
        cmocka_unit_test(shipped_catalogue_against_a_decoy),
    };
    return dw_test_run("intercept", tests, sizeof tests / sizeof tests[0], argc, argv);
}

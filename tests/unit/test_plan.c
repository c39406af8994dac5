/* test_plan.c — the response planner: cheap effectors for cheap drones, the baselines,
 * debris kept off cities when it can be, rounds spent on commit, no flapping on re-plan,
 * and reasons in words. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/intercept.h"
#include "dronewall/plan.h"
#include "harness.h"

static const dw_geodetic EPLB = {51.2403, 22.7136, 0};

static dw_effector *catalogue(size_t *n)
{
    dw_effector *list = NULL;
    char err[256];
    if (dw_effectors_load(DW_SOURCE_DIR "/config/effectors.yaml", &list, n, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    return list;
}

static dw_geog *geography(void)
{
    dw_geog *g = NULL;
    char err[256];
    assert_int_equal(dw_geog_create(&g), DW_OK);
    if (dw_geog_load(g, DW_SOURCE_DIR "/scenarios/geo/pl-protected.geojson", err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    return g;
}

/* A threat at (lat, lon, alt) flying at speed_mps straight at `to`; its deadline is the
 * time to get there. */
static dw_plan_target threat(uint64_t id, dw_class cls, double lat, double lon, double alt,
                             double speed_mps, const dw_geodetic *to, const char *site,
                             double value_eur)
{
    dw_plan_target t;
    memset(&t, 0, sizeof t);
    t.track_id = id;
    t.cls = cls;
    t.lat_deg = lat;
    t.lon_deg = lon;
    t.alt_m = alt;
    dw_geodetic here = {lat, lon, alt};
    double dist = 0, az = 0;
    assert_int_equal(dw_geo_inverse(&here, to, &dist, &az, NULL), DW_OK);
    t.vel_enu_mps[0] = speed_mps * sin(az * M_PI / 180.0);
    t.vel_enu_mps[1] = speed_mps * cos(az * M_PI / 180.0);
    t.vel_enu_mps[2] = 0;
    t.deadline_s = dist / speed_mps;
    t.value_eur = value_eur;
    snprintf(t.threatens, sizeof t.threatens, "%s", site);
    return t;
}

static dw_effector make(dw_effector_kind k, const char *id, double lat, double lon)
{
    dw_effector e;
    assert_int_equal(dw_effector_defaults(k, &e), DW_OK);
    snprintf(e.id, sizeof e.id, "%s", id);
    snprintf(e.name, sizeof e.name, "%s", id);
    e.site = (dw_geodetic){lat, lon, 200};
    return e;
}

static dw_planner *planner(const dw_effector *e, size_t n, const dw_geog *g, dw_plan_strategy s,
                           double switch_penalty)
{
    dw_plan_config c;
    dw_plan_config_default(&c);
    c.strategy = s;
    c.switch_penalty_eur = switch_penalty;
    dw_planner *p = NULL;
    char err[128];
    assert_int_equal(dw_planner_create(e, n, g, &c, &p, err, sizeof err), DW_OK);
    return p;
}

static const dw_plan_rec *rec_for(const dw_plan_rec *r, size_t n, uint64_t track)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].track_id == track)
            return &r[i];
    return NULL;
}

/* A decoy east of Chełm heading for Lublin airport (EUR 1M at stake: a decoy carries no
 * warhead, it disrupts): the assignment sends something cheap, the fighters-only baseline
 * a fighter. */
static void decoy_gets_cheap_effector(void **state)
{
    (void)state;
    size_t n = 0;
    dw_effector *eff = catalogue(&n);
    dw_geog *g = geography();
    dw_plan_target t = threat(17, DW_CLASS_DECOY, 51.15, 23.62, 600, 45, &EPLB, "EPLB", 1e6);
    const dw_plan_rec *r;
    size_t nr;
    dw_plan_summary s;

    dw_planner *p = planner(eff, n, g, DW_PLAN_WTA, 10000);
    assert_int_equal(dw_planner_plan(p, &t, 1, 0, &r, &nr, &s), DW_OK);
    assert_int_equal(nr, 1);
    dw_effector_kind k = eff[r[0].effector].kind;
    print_message("WTA: %s\n", r[0].reason);
    assert_false(dw_effector_is_fighter(k));
    assert_true(k == DW_EFF_GUN || k == DW_EFF_MANPADS || k == DW_EFF_INTERCEPTOR_DRONE ||
                k == DW_EFF_JAMMER);
    assert_true(r[0].cost_eur < 400000);   /* below one fighter missile */
    assert_int_equal(s.engaged, 1);
    dw_planner_destroy(p);

    p = planner(eff, n, g, DW_PLAN_FIGHTERS, 10000);
    assert_int_equal(dw_planner_plan(p, &t, 1, 0, &r, &nr, &s), DW_OK);
    assert_int_equal(nr, 1);
    print_message("FIGHTERS: %s\n", r[0].reason);
    assert_true(dw_effector_is_fighter(eff[r[0].effector].kind));
    assert_true(r[0].cost_eur >= 400000);
    dw_planner_destroy(p);
    dw_geog_destroy(g);
    dw_effectors_free(eff);
}

/* Ten threats along the Bug, heading for Lublin airport: EUR 20M at stake for a drone
 * with a warhead, 5M for a decoy. */
static size_t raid(dw_plan_target *t)
{
    static const struct { double lat, lon; dw_class cls; } at[] = {
        {51.10, 23.70, DW_CLASS_DECOY},     {51.20, 23.68, DW_CLASS_OWA_DRONE},
        {51.30, 23.65, DW_CLASS_DECOY},     {51.45, 23.60, DW_CLASS_DECOY},
        {51.55, 23.62, DW_CLASS_OWA_DRONE}, {51.00, 23.80, DW_CLASS_DECOY},
        {50.85, 23.85, DW_CLASS_OWA_DRONE}, {51.17, 23.85, DW_CLASS_DECOY},
        {51.65, 23.55, DW_CLASS_DECOY},     {50.95, 23.60, DW_CLASS_DECOY},
    };
    size_t n = sizeof at / sizeof at[0];
    for (size_t i = 0; i < n; i++)
        t[i] = threat(100 + i, at[i].cls, at[i].lat, at[i].lon, 800, 50, &EPLB, "EPLB",
                      at[i].cls == DW_CLASS_DECOY ? 5e6 : 2e7);
    return n;
}

/* Costs and leakage of the three strategies on the raid. Asserted: the assignment costs
 * less than the fighters-only baseline, and its expected leakage is at most the nearest
 * baseline's plus 0.5 drone (it may trade a little kill chance for much less money or
 * debris over people, never much). */
static void strategies_on_raid(void **state)
{
    (void)state;
    size_t n = 0;
    dw_effector *eff = catalogue(&n);
    dw_geog *g = geography();
    dw_plan_target t[16];
    size_t nt = raid(t);
    dw_plan_summary s[3];
    for (int k = 0; k < 3; k++) {
        dw_planner *p = planner(eff, n, g, (dw_plan_strategy)k, 10000);
        const dw_plan_rec *r;
        size_t nr;
        assert_int_equal(dw_planner_plan(p, t, nt, 0, &r, &nr, &s[k]), DW_OK);
        print_message("strategy %d: engaged %zu/%zu cost %.0f leakage %.2f value %.0f people %.2f "
                      "over %zu (%zu avoidable)\n",
                      k, s[k].engaged, s[k].threats, s[k].cost_eur, s[k].expected_leakage,
                      s[k].leakage_value_eur, s[k].people_at_risk, s[k].over_populated,
                      s[k].over_populated_avoidable);
        for (size_t i = 0; i < nr; i++)
            assert_true(r[i].reason[0] != 0);
        dw_planner_destroy(p);
    }
    assert_int_equal(s[0].threats, nt);
    assert_true(s[1].engaged > 0);
    assert_true(s[0].cost_eur < s[1].cost_eur);
    assert_true(s[0].expected_leakage <= s[2].expected_leakage + 0.5);
    assert_true(s[0].gap >= 0 && s[0].upper_bound >= s[0].objective - 1e-6);
    dw_geog_destroy(g);
    dw_effectors_free(eff);
}

/* A drone coming down on Lublin from the north: a gun in the city and an interceptor
 * team north of it. The assignment takes the team (debris on fields); with the gun alone,
 * it takes the gun over the city, as the only option. */
static void city_avoided_when_possible(void **state)
{
    (void)state;
    dw_geog *g = geography();
    const dw_geodetic lublin = {51.2465, 22.5684, 0};
    dw_effector e[2] = {make(DW_EFF_GUN, "gun-city", 51.2465, 22.5684),
                        make(DW_EFF_INTERCEPTOR_DRONE, "idrone-north", 51.42, 22.57)};
    dw_plan_target t = threat(5, DW_CLASS_OWA_DRONE, 51.52, 22.5684, 500, 45, &lublin,
                              "CITY-LUBLIN", 1e9);
    const dw_plan_rec *r;
    size_t nr;
    dw_plan_summary s;

    dw_planner *p = planner(e, 2, g, DW_PLAN_WTA, 10000);
    assert_int_equal(dw_planner_plan(p, &t, 1, 0, &r, &nr, &s), DW_OK);
    assert_int_equal(nr, 1);
    print_message("%s\n", r[0].reason);
    assert_string_equal(r[0].effector_id, "idrone-north");
    assert_string_equal(r[0].over_site, "");
    assert_int_equal(s.over_populated, 0);
    assert_int_equal(s.over_populated_avoidable, 0);
    dw_planner_destroy(p);

    p = planner(e, 1, g, DW_PLAN_WTA, 10000);
    assert_int_equal(dw_planner_plan(p, &t, 1, 0, &r, &nr, &s), DW_OK);
    assert_int_equal(nr, 1);
    print_message("%s\n", r[0].reason);
    assert_string_equal(r[0].effector_id, "gun-city");
    assert_string_equal(r[0].over_site, "CITY-LUBLIN");
    assert_int_equal(s.over_populated, 1);
    assert_int_equal(s.over_populated_avoidable, 0);
    dw_planner_destroy(p);
    dw_geog_destroy(g);
}

/* An approved recommendation empties a one-round magazine: the next plan cannot use it. */
static void commit_spends_rounds(void **state)
{
    (void)state;
    dw_effector e = make(DW_EFF_INTERCEPTOR_DRONE, "idrone", 51.42, 22.57);
    e.magazine = 1;
    e.pk[DW_CLASS_DECOY] = 0.95;    /* one shot meets 0.9 */
    const dw_geodetic lublin = {51.2465, 22.5684, 0};
    dw_plan_target a = threat(1, DW_CLASS_DECOY, 51.52, 22.5684, 500, 45, &lublin, "X", 1e8);
    dw_plan_target b = threat(2, DW_CLASS_DECOY, 51.53, 22.60, 500, 45, &lublin, "X", 1e8);
    dw_planner *p = planner(&e, 1, NULL, DW_PLAN_WTA, 10000);
    const dw_plan_rec *r;
    size_t nr;
    dw_plan_summary s;
    assert_int_equal(dw_planner_plan(p, &a, 1, 0, &r, &nr, &s), DW_OK);
    assert_int_equal(nr, 1);
    assert_int_equal(r[0].shots, 1);
    assert_int_equal(dw_planner_commit(p, r[0].id, 0), DW_OK);
    assert_int_equal(dw_planner_commit(p, r[0].id + 1000, 0), DW_ERR_NOT_FOUND);
    size_t ne;
    assert_int_equal(dw_planner_effectors(p, &ne)[0].magazine, 0);
    assert_int_equal(dw_planner_plan(p, &b, 1, 1000000, &r, &nr, &s), DW_OK);
    assert_int_equal(nr, 0);
    assert_int_equal(s.engaged, 0);
    assert_near(s.expected_leakage, 1.0, 1e-12);
    dw_planner_destroy(p);
}

/* Re-planning: at first only team A reaches the threat (too high for B); twenty seconds
 * on, lower, the cheaper team B does too. With the switch penalty the recommendation stays on A, with the same
 * id; without it, it moves to B (so B really was better). */
static void replan_keeps_id(void **state)
{
    (void)state;
    dw_effector e[2] = {make(DW_EFF_INTERCEPTOR_DRONE, "team-a", 51.40, 22.57),
                        make(DW_EFF_INTERCEPTOR_DRONE, "team-b", 51.40, 22.57)};
    e[1].cost_per_shot_eur = 4000;
    e[1].max_alt_m = 2000;
    const dw_geodetic lublin = {51.2465, 22.5684, 0};
    dw_plan_target t0 = threat(9, DW_CLASS_DECOY, 51.60, 22.95, 3000, 45, &lublin, "X", 1e8);
    /* 20 s later it has come down to 1,500 m: team B reaches it too, for a little less */
    dw_plan_target t1 = t0;
    t1.alt_m = 1500;
    t1.deadline_s -= 20;

    uint64_t ids[2];
    char eff1[2][64];
    for (int k = 0; k < 2; k++) {
        dw_planner *p = planner(e, 2, NULL, DW_PLAN_WTA, k == 0 ? 10000 : 0);
        const dw_plan_rec *r;
        size_t nr;
        dw_plan_summary s;
        assert_int_equal(dw_planner_plan(p, &t0, 1, 0, &r, &nr, &s), DW_OK);
        assert_int_equal(nr, 1);
        assert_string_equal(r[0].effector_id, "team-a");
        ids[k] = r[0].id;
        assert_int_equal(dw_planner_plan(p, &t1, 1, 20000000, &r, &nr, &s), DW_OK);
        assert_int_equal(nr, 1);
        print_message("penalty %d: %s\n", k == 0 ? 10000 : 0, r[0].reason);
        snprintf(eff1[k], sizeof eff1[k], "%s", r[0].effector_id);
        if (k == 0)
            assert_true(r[0].id == ids[0]);
        dw_planner_destroy(p);
    }
    assert_string_equal(eff1[0], "team-a");
    assert_string_equal(eff1[1], "team-b");
}

/* Every recommendation's reason names its effector and its track. */
static void reasons_name_effector_and_track(void **state)
{
    (void)state;
    size_t n = 0;
    dw_effector *eff = catalogue(&n);
    dw_geog *g = geography();
    dw_plan_target t[16];
    size_t nt = raid(t);
    for (int k = 0; k < 3; k++) {
        dw_planner *p = planner(eff, n, g, (dw_plan_strategy)k, 10000);
        const dw_plan_rec *r;
        size_t nr;
        dw_plan_summary s;
        assert_int_equal(dw_planner_plan(p, t, nt, 0, &r, &nr, &s), DW_OK);
        assert_true(nr > 0);
        for (size_t i = 0; i < nr; i++) {
            char track[32];
            snprintf(track, sizeof track, "track %llu", (unsigned long long)r[i].track_id);
            assert_non_null(strstr(r[i].reason, r[i].effector_id));
            assert_non_null(strstr(r[i].reason, track));
            assert_non_null(rec_for(r, nr, r[i].track_id));
        }
        dw_planner_destroy(p);
    }
    dw_geog_destroy(g);
    dw_effectors_free(eff);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decoy_gets_cheap_effector),
        cmocka_unit_test(strategies_on_raid),
        cmocka_unit_test(city_avoided_when_possible),
        cmocka_unit_test(commit_spends_rounds),
        cmocka_unit_test(replan_keeps_id),
        cmocka_unit_test(reasons_name_effector_and_track),
    };
    return dw_test_run("plan", tests, sizeof tests / sizeof tests[0], argc, argv);
}

/* test_sim.c — the simulator's world and scenarios: random streams, target paths, scenario
 * files and their errors, and whole runs that must repeat byte for byte. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "dronewall/sim.h"
#include "harness.h"
#include "sim/sim_int.h"

/* ------------------------------------------------------------------ random streams */

static void rng_statistics(void **state)
{
    (void)state;
    dw_rng r;
    dw_rng_seed(&r, 42, 7);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0, se = 0, sp = 0;
    for (int i = 0; i < n; i++) {
        su += dw_rng_uniform(&r);
        double x = dw_rng_normal(&r);
        sn += x;
        sn2 += x * x;
        se += dw_rng_exp(&r, 30.0);
        sp += dw_rng_poisson(&r, 3.5);
    }
    assert_near(su / n, 0.5, 0.005);
    assert_near(sn / n, 0.0, 0.01);
    assert_near(sqrt(sn2 / n), 1.0, 0.01);
    assert_near(se / n, 30.0, 0.3);
    assert_near(sp / n, 3.5, 0.03);
    double sl = 0;
    for (int i = 0; i < 20000; i++)
        sl += dw_rng_poisson(&r, 250.0);
    assert_near(sl / 20000, 250.0, 0.6);
}

static void rng_streams_are_independent_and_repeat(void **state)
{
    (void)state;
    dw_rng a, b, c;
    dw_rng_seed(&a, 1, dw_rng_hash("PL-RAD-01"));
    dw_rng_seed(&b, 1, dw_rng_hash("PL-RAD-01"));
    dw_rng_seed(&c, 1, dw_rng_hash("PL-RAD-02"));
    int same = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = dw_rng_next(&a), y = dw_rng_next(&b), z = dw_rng_next(&c);
        assert_true(x == y);
        same += x == z;
    }
    assert_int_equal(same, 0);
}

/* ------------------------------------------------------------------ target paths */

static dw__sim_target_spec line_spec(const char *id, double lat0, double lon0, double lat1,
                                     double lon1, double kmh, double alt)
{
    dw__sim_target_spec s;
    memset(&s, 0, sizeof s);
    snprintf(s.id, sizeof s.id, "%s", id);
    s.cls = DW_CLASS_DECOY;
    s.launch_us = 1757451600000000LL;
    s.route[0] = (dw__sim_point){lat0, lon0, alt, 1, ""};
    s.route[1] = (dw__sim_point){lat1, lon1, 0, 0, ""};
    s.n_route = 2;
    s.speed_mps = kmh / 3.6;
    s.alt_m = alt;
    s.climb_mps = 5;
    s.end = DW_SIM_END_LEAVE;
    return s;
}

static double dist_m(double lat0, double lon0, double lat1, double lon1)
{
    dw_geodetic a = {lat0, lon0, 0}, b = {lat1, lon1, 0};
    double d, z1, z2;
    assert_int_equal(dw_geo_inverse(&a, &b, &d, &z1, &z2), DW_OK);
    return d;
}

static void world_straight_line_at_speed(void **state)
{
    (void)state;
    dw__sim_target_spec s = line_spec("T1", 51.5, 23.6, 51.5, 21.0, 150, 1000);
    dw_sim_world *w;
    dw_sim_event *ev = NULL;
    size_t nev = 0;
    assert_int_equal(dw__sim_world_create(&s, 1, 1, &w, &ev, &nev), DW_OK);
    assert_int_equal(nev, 2);
    assert_int_equal(ev[0].kind, DW_SIM_EV_LAUNCH);
    assert_int_equal(ev[1].kind, DW_SIM_EV_ARRIVE);
    double L = dist_m(51.5, 23.6, 51.5, 21.0);
    /* It ends when it has flown the route at its speed. */
    assert_near((double)(ev[1].t_us - s.launch_us) * 1e-6, L / s.speed_mps, 0.01);
    dw_sim_state st;
    assert_int_equal(dw_sim_world_state(w, 0, s.launch_us - 1, &st), 0);
    int64_t t = s.launch_us + 3600000000LL;
    assert_int_equal(dw_sim_world_state(w, 0, t, &st), 1);
    assert_true(st.truth.alive);
    /* One hour at 150 km/h: 150 km along the great circle, within 0.1 %. */
    assert_near(dist_m(51.5, 23.6, st.truth.lat_deg, st.truth.lon_deg), 150000.0, 150.0);
    assert_near(st.truth.alt_m, 1000.0, 1e-6);
    assert_near(hypot(st.truth.vel_enu_mps[0], st.truth.vel_enu_mps[1]), s.speed_mps, 1e-6);
    assert_true(st.truth.vel_enu_mps[0] < -40);     /* westward */
    /* Position and velocity agree: one second later it is one velocity further. */
    dw_sim_state st2;
    assert_int_equal(dw_sim_world_state(w, 0, t + 1000000, &st2), 1);
    assert_near(dist_m(st.truth.lat_deg, st.truth.lon_deg, st2.truth.lat_deg, st2.truth.lon_deg),
                s.speed_mps, 0.05);
    /* The ECEF position is the geodetic one. */
    double e[3];
    dw_geodetic g = {st.truth.lat_deg, st.truth.lon_deg, st.truth.alt_m};
    dw_geo_to_ecef(&g, e);
    for (int i = 0; i < 3; i++)
        assert_near(st.ecef[i], e[i], 1e-3);
    /* At its end it reports alive = false once; after that it is gone. */
    assert_int_equal(dw_sim_world_state(w, 0, ev[1].t_us, &st), 1);
    assert_false(st.truth.alive);
    assert_int_equal(dw_sim_world_state(w, 0, ev[1].t_us + 1, &st), 0);
    dw__sim_world_destroy(w);
    free(ev);
}

static void world_climb_dive_fuel_shot(void **state)
{
    (void)state;
    dw__sim_target_spec s[4];
    s[0] = line_spec("CLIMB", 51.5, 23.6, 51.5, 21.0, 180, 2000);
    s[0].route[0].alt_m = 0;
    s[1] = line_spec("DIVE", 51.5, 23.6, 51.5, 22.0, 185, 2000);
    s[1].end = DW_SIM_END_DIVE;
    s[1].dive_rad = 30 * M_PI / 180;
    s[2] = line_spec("FUEL", 51.5, 23.6, 51.5, 19.0, 150, 1000);
    s[2].range_m = 100000;
    s[2].glide_ratio = 8;
    s[3] = line_spec("SHOT", 51.5, 23.6, 51.5, 21.0, 150, 1000);
    s[3].shot_us = s[3].launch_us + 1800000000LL;
    dw_sim_world *w;
    dw_sim_event *ev = NULL;
    size_t nev = 0;
    assert_int_equal(dw__sim_world_create(s, 4, 1, &w, &ev, &nev), DW_OK);
    assert_int_equal(nev, 8);
    dw_sim_state st;
    /* Climbing at 5 m/s: 100 s after launch it is at 500 m and rising at 5 m/s. */
    assert_int_equal(dw_sim_world_state(w, 0, s[0].launch_us + 100000000LL, &st), 1);
    assert_near(st.truth.alt_m, 500.0, 1e-6);
    assert_near(st.truth.vel_enu_mps[2], 5.0, 1e-9);
    /* The dive ends on the last route point at ground level, 30° down from 2 km. */
    const dw_sim_event *dive = NULL, *fuel = NULL, *shot = NULL;
    for (size_t i = 0; i < nev; i++) {
        if (ev[i].kind == DW_SIM_EV_END_DIVE)
            dive = &ev[i];
        if (ev[i].kind == DW_SIM_EV_END_FUEL)
            fuel = &ev[i];
        if (ev[i].kind == DW_SIM_EV_SHOT)
            shot = &ev[i];
    }
    assert_non_null(dive);
    assert_non_null(fuel);
    assert_non_null(shot);
    assert_near(dist_m(dive->lat_deg, dive->lon_deg, 51.5, 22.0), 0.0, 1.0);
    assert_int_equal(dw_sim_world_state(w, 1, dive->t_us - 10000000LL, &st), 1);
    double vh = hypot(st.truth.vel_enu_mps[0], st.truth.vel_enu_mps[1]);
    assert_near(-st.truth.vel_enu_mps[2] / vh, tan(30 * M_PI / 180), 1e-6);
    assert_near(st.truth.alt_m, 10.0 * vh * tan(30 * M_PI / 180), 1e-3);
    /* Fuel out after 100 km at 1,000 m: 8 km of glide, landing 108 km from launch. */
    assert_near(dist_m(51.5, 23.6, fuel->lat_deg, fuel->lon_deg), 108000.0, 200.0);
    assert_near((double)(fuel->t_us - s[2].launch_us) * 1e-6, 108000.0 / s[2].speed_mps, 0.5);
    assert_int_equal(dw_sim_world_state(w, 2, fuel->t_us, &st), 1);
    assert_near(st.truth.alt_m, 0.0, 1e-6);
    /* Shot down half an hour in: 75 km out. */
    assert_int_equal(shot->t_us, s[3].shot_us);
    assert_near(dist_m(51.5, 23.6, shot->lat_deg, shot->lon_deg), 75000.0, 100.0);
    dw__sim_world_destroy(w);
    free(ev);
}

static void world_snapshot_holds_the_living(void **state)
{
    (void)state;
    dw__sim_target_spec s[3];
    s[0] = line_spec("A", 51.5, 23.6, 51.5, 21.0, 150, 1000);
    s[1] = line_spec("B", 51.5, 23.6, 51.5, 21.0, 150, 1000);
    s[1].launch_us += 3600000000LL;
    s[2] = line_spec("C", 51.5, 23.6, 51.5, 23.5, 150, 1000);
    dw_sim_world *w;
    dw_sim_event *ev = NULL;
    size_t nev = 0;
    assert_int_equal(dw__sim_world_create(s, 3, 1, &w, &ev, &nev), DW_OK);
    dw_sim_world_advance(w, s[0].launch_us + 1800000000LL);
    const dw_sim_state *snap;
    size_t n = dw_sim_world_snapshot(w, &snap);
    assert_int_equal(n, 1);     /* B not launched, C (7 km) long ended */
    assert_string_equal(snap[0].truth.id, "A");
    assert_int_equal(snap[0].target, 0);
    dw__sim_world_destroy(w);
    free(ev);
}

/* ------------------------------------------------------------------ scenario files */

static const char *write_tmp(const char *name, const char *text)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", dw_test_tmpdir(), name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char *const base_yaml =
    "name: t\n"
    "start: 2025-09-09T20:00:00Z\n"
    "duration_s: 600\n"
    "seed: 5\n"
    "places:\n"
    "  Wlodawa: [51.55, 23.55]\n"
    "  EPWA: {lat_deg: 52.1657, lon_deg: 20.9671, kind: airport, label: Warsaw Chopin}\n";

static void scenario_targets_raids_traffic(void **state)
{
    (void)state;
    char text[4096];
    snprintf(text, sizeof text,
             "%s"
             "targets:\n"
             "  - id: G01\n"
             "    type: gerbera\n"
             "    launch: +00:01\n"
             "    route: [[51.6, 24.5], Wlodawa, [51.4, 22.5, 800]]\n"
             "    shot_down: 2025-09-09T20:30:00Z\n"
             "raids:\n"
             "  - id_prefix: W-\n"
             "    type: shahed\n"
             "    count: 12\n"
             "    from: [[51.0, 25.0], [51.2, 25.0]]\n"
             "    launch_start: 60\n"
             "    launch_end: +00:05:00\n"
             "    to: [Wlodawa]\n"
             "    spread_km: 5\n"
             "    shot_fraction: 0.5\n"
             "traffic:\n"
             "  - type: airliner\n"
             "    count: 3\n"
             "    routes: [[EPWA, [50.07, 19.78]]]\n"
             "    depart_start: +00:00\n"
             "    depart_end: +00:09\n"
             "    callsign_prefix: LOT\n"
             "    icao_base: \"48A000\"\n",
             base_yaml);
    const char *p = write_tmp("ok.yaml", text);
    dw_scenario *s;
    char err[512];
    dw_status st = dw_scenario_load(p, 0, &s, err, sizeof err);
    if (st != DW_OK)
        fail_msg("%s", err);
    assert_int_equal(dw_sim_world_count(s->world), 1 + 12 + 3);
    assert_int_equal(s->seed, 5);
    assert_int_equal(s->end_us - s->start_us, 600000000LL);
    dw_sim_state st0;
    /* G01: launched a minute in; traffic gets its addresses and callsigns. */
    assert_int_equal(dw_sim_world_state(s->world, 0, s->start_us + 59000000LL, &st0), 0);
    assert_int_equal(dw_sim_world_state(s->world, 0, s->start_us + 60000000LL, &st0), 1);
    assert_string_equal(st0.truth.id, "G01");
    assert_int_equal(st0.truth.cls, DW_CLASS_DECOY);
    int raid = 0, shot = 0, traffic = 0;
    for (size_t i = 0; i < s->n_events; i++) {
        const dw_sim_event *e = &s->events[i];
        if (i)
            assert_true(e->t_us >= s->events[i - 1].t_us);
        dw_sim_state x;
        int64_t t = e->t_us;
        assert_int_equal(dw_sim_world_state(s->world, e->target, t, &x), 1);
        if (e->kind == DW_SIM_EV_LAUNCH && !strncmp(x.truth.id, "W-", 2)) {
            raid++;
            assert_true(t >= s->start_us + 60000000LL && t <= s->start_us + 300000000LL);
            assert_int_equal(x.truth.cls, DW_CLASS_OWA_DRONE);
        }
        if (e->kind == DW_SIM_EV_SHOT && !strncmp(x.truth.id, "W-", 2))
            shot++;
        if (e->kind == DW_SIM_EV_LAUNCH && x.truth.cls == DW_CLASS_AIRLINER) {
            traffic++;
            assert_true(x.flags & DW_SIM_ADSB);
            assert_int_equal(x.icao & 0xFFF000, 0x48A000);
            assert_memory_equal(x.callsign, "LOT", 3);
        }
    }
    assert_int_equal(raid, 12);
    assert_int_equal(traffic, 3);
    assert_true(shot >= 2 && shot <= 10);   /* half of 12, give or take chance */
    dw_scenario_destroy(s);
}

static void expect_error(const char *body, const char *needle)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base_yaml, body);
    const char *p = write_tmp("bad.yaml", text);
    dw_scenario *s = NULL;
    char err[512] = "";
    assert_int_equal(dw_scenario_load(p, 0, &s, err, sizeof err), DW_ERR_PARSE);
    assert_null(s);
    if (!strstr(err, needle) || !strstr(err, "bad.yaml:"))
        fail_msg("error '%s' does not say '%s' with the file and line", err, needle);
}

static void scenario_errors_name_file_and_line(void **state)
{
    (void)state;
    expect_error("targets:\n  - id: X\n    type: gerbera\n    launch: +00:01\n"
                 "    route: [[51, 24], [51, 23]]\n    sped_kmh: 100\n",
                 ":13: targets[0]: unknown key 'sped_kmh'");
    expect_error("targets:\n  - id: X\n    type: zeppelin\n    launch: +00:01\n"
                 "    route: [[51, 24], [51, 23]]\n",
                 "unknown type 'zeppelin'");
    expect_error("targets:\n  - id: X\n    type: gerbera\n    launch: yesterday\n"
                 "    route: [[51, 24], [51, 23]]\n",
                 "'yesterday' is no UTC time");
    expect_error("targets:\n  - id: X\n    type: gerbera\n    launch: +00:01\n"
                 "    route: [[51, 24], Nowhere]\n",
                 "no place called 'Nowhere'");
    expect_error("targets:\n  - id: X\n    type: gerbera\n    launch: +00:01\n"
                 "    route: [[51, 24], [95, 23]]\n",
                 "latitude = 95 is outside");
    expect_error("targets:\n  - id: X\n    type: gerbera\n    launch: +00:01\n"
                 "    route: [[51, 24], [51, 23]]\n"
                 "  - id: X\n    type: gerbera\n    launch: +00:01\n"
                 "    route: [[51, 24], [51, 23]]\n",
                 "two targets are called 'X'");
    expect_error("assessment:\n  home: PL\n  geography: [no-such-borders.geojson]\n",
                 "assessment.geography: cannot read");
    expect_error("assessment:\n  home: Poland\n  geography: [x.geojson]\n",
                 "home must be the defended country's two-letter code");
    expect_error("assessment:\n  home: PL\n  geo: [x.geojson]\n", "unknown key 'geo'");
    expect_error("assessment:\n  home: PL\n", "geography must list the GeoJSON files");
    expect_error("traffic:\n  - type: airliner\n    count: 2\n    routes: [[EPWA, Wlodawa]]\n"
                 "    depart_start: +00:00\n    depart_end: +00:01\n    icao_base: 48A0\n",
                 "icao_base '48A0' is not six hex digits");
}

/* A turn at a waypoint is flown on a circle of radius v^2/(g tan bank): the heading turns
 * smoothly at v/r, the speed holds, the path stays continuous, and the aircraft passes
 * the waypoint at r (1/cos(th/2) - 1) on the inside. */
static void world_turns_at_waypoints(void **state)
{
    (void)state;
    dw__sim_target_spec s = line_spec("F1", 51.0, 22.0, 51.3, 22.0, 750, 6000);
    s.route[0].alt_m = 6000;
    s.route[2] = (dw__sim_point){51.3, 22.4, 0, 0, ""};     /* north, then a right turn east */
    s.n_route = 3;
    s.bank_rad = 60 * M_PI / 180;
    dw_sim_world *w;
    dw_sim_event *ev = NULL;
    size_t nev = 0;
    assert_int_equal(dw__sim_world_create(&s, 1, 1, &w, &ev, &nev), DW_OK);
    const double v = s.speed_mps, r = v * v / (9.80665 * tan(s.bank_rad));
    double max_rate = 0, min_miss = 1e9, prev_hdg = NAN, prev[3] = {0}, max_jump = 0;
    int n = 0;
    for (int64_t t = s.launch_us; t < ev[1].t_us; t += 100000) {
        dw_sim_state st;
        assert_int_equal(dw_sim_world_state(w, 0, t, &st), 1);
        double hs = hypot(st.truth.vel_enu_mps[0], st.truth.vel_enu_mps[1]);
        assert_near(hs, v, 1e-6);
        double hdg = atan2(st.truth.vel_enu_mps[0], st.truth.vel_enu_mps[1]);
        if (n) {
            double dh = remainder(hdg - prev_hdg, 2 * M_PI);
            max_rate = fmax(max_rate, fabs(dh) / 0.1);
            assert_true(dh >= -1e-9);       /* a right turn only */
            max_jump = fmax(max_jump, sqrt((st.ecef[0] - prev[0]) * (st.ecef[0] - prev[0]) +
                                           (st.ecef[1] - prev[1]) * (st.ecef[1] - prev[1]) +
                                           (st.ecef[2] - prev[2]) * (st.ecef[2] - prev[2])));
        }
        min_miss = fmin(min_miss, dist_m(51.3, 22.0, st.truth.lat_deg, st.truth.lon_deg));
        prev_hdg = hdg;
        memcpy(prev, st.ecef, sizeof prev);
        n++;
    }
    /* the turn rate never exceeds v / r (a corner would be a jump of 90 degrees) */
    assert_true(max_rate <= v / r * 1.01);
    assert_true(max_rate >= v / r * 0.95);
    /* continuous: 0.1 s apart is 0.1 v apart, arc or straight */
    assert_true(max_jump <= 0.1 * v * 1.001);
    /* the turn cuts the corner by r (sqrt 2 - 1) for 90 degrees (r ~ 2.55 km) */
    assert_near(min_miss, r * (M_SQRT2 - 1), 0.02 * r);
    /* and it is at its last waypoint at the end */
    dw_sim_state st;
    assert_int_equal(dw_sim_world_state(w, 0, ev[1].t_us, &st), 1);
    assert_true(dist_m(51.3, 22.4, st.truth.lat_deg, st.truth.lon_deg) < 1.0);
    dw__sim_world_destroy(w);
    free(ev);

    /* Legs too short for the circle: the radius shrinks to half the shorter leg; a
     * reversal stays a corner; bank 0 keeps corners. */
    s.route[2] = (dw__sim_point){51.3, 22.02, 0, 0, ""};   /* a 1.4 km leg */
    ev = NULL;
    nev = 0;
    assert_int_equal(dw__sim_world_create(&s, 1, 1, &w, &ev, &nev), DW_OK);
    double min2 = 1e9;
    for (int64_t t = s.launch_us; t < ev[1].t_us; t += 100000) {
        assert_int_equal(dw_sim_world_state(w, 0, t, &st), 1);
        min2 = fmin(min2, dist_m(51.3, 22.0, st.truth.lat_deg, st.truth.lon_deg));
    }
    double half = 0.5 * dist_m(51.3, 22.0, 51.3, 22.02);
    assert_near(min2, half * (M_SQRT2 - 1), 0.03 * half);
    dw__sim_world_destroy(w);
    free(ev);
    ev = NULL;
    s.route[2] = (dw__sim_point){51.0, 22.0, 0, 0, ""};    /* back the way it came */
    nev = 0;
    assert_int_equal(dw__sim_world_create(&s, 1, 1, &w, &ev, &nev), DW_OK);
    double min3 = 1e9;
    for (int64_t t = s.launch_us; t < ev[1].t_us; t += 100000) {
        assert_int_equal(dw_sim_world_state(w, 0, t, &st), 1);
        min3 = fmin(min3, dist_m(51.3, 22.0, st.truth.lat_deg, st.truth.lon_deg));
    }
    assert_true(min3 < 25.0);
    dw__sim_world_destroy(w);
    free(ev);
}

/* {laps: N, of: [...]} in a route flies the circuit N times. */
static void scenario_route_laps(void **state)
{
    (void)state;
    char text[4096];
    snprintf(text, sizeof text,
             "%s"
             "targets:\n"
             "  - id: F1\n"
             "    type: fighter\n"
             "    launch: +00:01\n"
             "    route: [[51.9, 22.5], {laps: 3, of: [[51.6, 23.0], [51.2, 23.0], [51.2, 22.9], [51.6, 22.9]]}, [51.9, 22.5]]\n"
             "    end: land\n",
             base_yaml);
    const char *p = write_tmp("laps.yaml", text);
    dw_scenario *s;
    char err[512];
    dw_status st = dw_scenario_load(p, 0, &s, err, sizeof err);
    if (st != DW_OK)
        fail_msg("%s", err);
    /* Count how often it passes near the circuit's first corner. */
    int passes = 0, near = 0;
    dw_sim_state x;
    for (int64_t t = s->start_us; dw_sim_world_state(s->world, 0, t, &x) || t < s->start_us + 120000000LL;
         t += 1000000) {
        if (!dw_sim_world_state(s->world, 0, t, &x))
            continue;
        int now = dist_m(51.6, 23.0, x.truth.lat_deg, x.truth.lon_deg) < 3000;
        passes += now && !near;
        near = now;
    }
    assert_int_equal(passes, 3);
    dw_scenario_destroy(s);

    expect_error("targets:\n  - id: X\n    type: fighter\n    launch: +00:01\n"
                 "    route: [[51, 24], {laps: 0, of: [[51, 23], [51.1, 23]]}]\n",
                 "laps must be a whole number from 1 to 1000");
    expect_error("targets:\n  - id: X\n    type: fighter\n    launch: +00:01\n"
                 "    route: [[51, 24], {laps: 2, over: [[51, 23], [51.1, 23]]}]\n",
                 "exactly the keys laps and of");
    expect_error("targets:\n  - id: X\n    type: fighter\n    launch: +00:01\n"
                 "    route: [[51, 24], {laps: 50, of: [[51, 23], [51.1, 23]]}]\n",
                 "route has more than 96 points");
}

static void utc_round_trip(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(dw__parse_utc("2025-09-09T21:30:00Z", &t), 0);
    assert_int_equal(t, 1757453400000000LL);
    char buf[32];
    dw__format_utc(t, buf, sizeof buf);
    assert_string_equal(buf, "2025-09-09T21:30:00Z");
    assert_int_equal(dw__parse_utc("2025-09-09 21:30:00", &t), -1);
    assert_int_equal(dw__parse_utc("2025-13-09T21:30:00Z", &t), -1);
}

/* ------------------------------------------------------------------ the September replay */

static const dw_sim_place *place(const dw_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->n_places; i++)
        if (!strcmp(s->places[i].name, name))
            return &s->places[i];
    return NULL;
}

/* scenarios/pl-2025-09-10.yaml says what the public record says (docs: domain facts §1):
 * about 21 drones, most of them Gerbera decoys; four shot down, the last at 06:45 local
 * (04:45Z); the others come down at the villages where they were found, one almost 400 km
 * from the tri-border; the four airports that closed are on the map. */
static void september_replay_is_calibrated(void **state)
{
    (void)state;
    dw_scenario *s;
    char err[512];
    if (dw_scenario_load(DW_SOURCE_DIR "/scenarios/pl-2025-09-10.yaml", 0, &s, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    static const char *const airports[] = {"EPRZ", "EPLB", "EPWA", "EPMO"};
    for (size_t i = 0; i < 4; i++) {
        const dw_sim_place *p = place(s, airports[i]);
        if (!p)
            fail_msg("no place %s", airports[i]);
        assert_string_equal(p->kind, "airport");
    }
    int decoys = 0, owa = 0, shot = 0, near_site = 0, landed = 0;
    double farthest = 0;
    int64_t last_shot = 0;
    for (size_t i = 0; i < s->n_events; i++) {
        const dw_sim_event *e = &s->events[i];
        dw_sim_state st;
        assert_int_equal(dw_sim_world_state(s->world, e->target, e->t_us, &st), 1);
        if (st.truth.cls != DW_CLASS_DECOY && st.truth.cls != DW_CLASS_OWA_DRONE)
            continue;
        if (e->kind == DW_SIM_EV_LAUNCH) {
            decoys += st.truth.cls == DW_CLASS_DECOY;
            owa += st.truth.cls == DW_CLASS_OWA_DRONE;
            continue;
        }
        assert_true(e->t_us <= s->end_us);
        if (e->kind == DW_SIM_EV_SHOT) {
            shot++;
            last_shot = e->t_us > last_shot ? e->t_us : last_shot;
            continue;
        }
        landed++;
        double best = INFINITY;
        for (size_t k = 0; k < s->n_places; k++)
            if (!strcmp(s->places[k].kind, "crash_site"))
                best = fmin(best, dist_m(e->lat_deg, e->lon_deg, s->places[k].lat_deg,
                                         s->places[k].lon_deg));
        near_site += best < 2000.0;
        farthest = fmax(farthest, dist_m(51.55, 23.55, e->lat_deg, e->lon_deg));
    }
    assert_int_equal(decoys + owa, 21);
    assert_true(decoys >= 15);
    assert_int_equal(shot, 4);
    assert_int_equal(last_shot, 1757479500000000LL);    /* 2025-09-10T04:45:00Z */
    /* Every drone that was not shot down comes down within 2 km of a crash site. */
    assert_int_equal(near_site, landed);
    assert_true(farthest > 380000.0);                  /* Oleśno, ~400 km from Włodawa */
    dw_scenario_destroy(s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(rng_statistics),
    cmocka_unit_test(rng_streams_are_independent_and_repeat),
    cmocka_unit_test(world_straight_line_at_speed),
    cmocka_unit_test(world_climb_dive_fuel_shot),
    cmocka_unit_test(world_snapshot_holds_the_living),
    cmocka_unit_test(scenario_targets_raids_traffic),
    cmocka_unit_test(scenario_errors_name_file_and_line),
    cmocka_unit_test(world_turns_at_waypoints),
    cmocka_unit_test(scenario_route_laps),
    cmocka_unit_test(utc_round_trip),
    cmocka_unit_test(september_replay_is_calibrated),
};

DW_TEST_MAIN("sim", tests)

/* Classification (classify.h) on synthetic tracks of every class, flown as the
 * pl-2025-09-10 scenario flies them and measured with the errors its tracker makes there
 * (speed, altitude and climb errors that wander with a 30 s memory): an airliner with
 * and without its ICAO address, Gerbera and Shahed drones heard or not, a bird flock
 * low and slow, a fighter pulling 2 g turns, a helicopter with a squawk, a quadcopter
 * with Remote ID. Then what keeps the class steady (one outlier update does not flip it,
 * nothing is ever impossible), what moves it (an EO classifier's scores), the prior-only
 * start, and the whole confusion matrix on a run directory written here from scratch and
 * read the way tests/tools/classify_eval reads a simulated run. Floors are set below what
 * the classifier reaches with margin, and far above what a coin would. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/classify_eval.h"
#include "dronewall/classify.h"
#include "dronewall/ndjson.h"
#include "dronewall/sim.h"

#define T0_US 1757451000000000LL
#define LAT0 51.5
#define LON0 23.0
#define M_PER_DEG 111195.0

#define NOTE(...)                                                                           \
    do {                                                                                    \
        if (getenv("DW_TEST_VERBOSE"))                                                      \
            fprintf(stderr, __VA_ARGS__);                                                   \
    } while (0)

/* ------------------------------------------------------------------ synthetic flights */

typedef struct flight {
    dw_class cls;
    double speed_mps, alt_m, climb_mps;
    double leg_s;               /* > 0: a racetrack, legs this long, 180° turns ...    */
    double turn_mps2;           /* ... at this lateral acceleration                    */
    double wander_m, wander_len_m;  /* a bird flock's lateral wander                   */
    /* The tracker's errors (one sigma, 30 s memory); cov_vel: it says so in the track's
     * velocity covariance (the September scenario's tracker gives none). */
    double sig_v, sig_alt, sig_climb;
    int cov_vel;
    /* Identity and hints. */
    uint32_t icao;
    const char *rid;
    uint16_t mode3a;
    int heard;
    double rcs_m2;
} flight;

typedef struct flyer {
    flight f;
    dw_rng g;
    double e, n, hd, s_m;       /* position (m), heading, distance flown */
    double t_s, leg_t, turn_left;
    double ev, ep, ea, ec;      /* AR(1) errors: speed, across, altitude, climb */
    double alt;
} flyer;

static void fly_init(flyer *y, const flight *f, uint64_t seed, double e0, double n0)
{
    memset(y, 0, sizeof *y);
    y->f = *f;
    dw_rng_seed(&y->g, seed, 7);
    y->e = e0;
    y->n = n0;
    y->hd = 2 * M_PI * dw_rng_uniform(&y->g);
    y->alt = f->alt_m;
    y->ev = f->sig_v * dw_rng_normal(&y->g);
    y->ep = f->sig_v * dw_rng_normal(&y->g);
    y->ea = f->sig_alt * dw_rng_normal(&y->g);
    y->ec = f->sig_climb * dw_rng_normal(&y->g);
}

static double ar1(dw_rng *g, double x, double sigma, double dt)
{
    double r = exp(-dt / 30.0);
    return r * x + sqrt(1 - r * r) * sigma * dw_rng_normal(g);
}

/* Advances by dt and writes the truth and the track of this instant. */
static void fly_step(flyer *y, double dt, int64_t t_us, dw_truth *tr, dw_track *tk)
{
    const flight *f = &y->f;
    double v = f->speed_mps, hdot = 0;
    if (f->leg_s > 0 && f->turn_mps2 > 0) {
        if (y->turn_left > 0) {
            hdot = f->turn_mps2 / v;
            y->turn_left -= hdot * dt;
        } else if ((y->leg_t += dt) >= f->leg_s) {
            y->leg_t = 0;
            y->turn_left = M_PI;
        }
    }
    double hd = y->hd;
    if (f->wander_m > 0) {
        double k = 2 * M_PI / f->wander_len_m;
        hd += atan(f->wander_m * k * cos(k * y->s_m));
    }
    if (y->t_s > 0) {
        y->hd += hdot * dt;
        y->e += v * sin(hd) * dt;
        y->n += v * cos(hd) * dt;
        y->alt += f->climb_mps * dt;
        y->s_m += v * dt;
    }
    y->t_s += dt;
    y->ev = ar1(&y->g, y->ev, f->sig_v, dt);
    y->ep = ar1(&y->g, y->ep, f->sig_v, dt);
    y->ea = ar1(&y->g, y->ea, f->sig_alt, dt);
    y->ec = ar1(&y->g, y->ec, f->sig_climb, dt);

    double lat = LAT0 + y->n / M_PER_DEG;
    double lon = LON0 + y->e / (M_PER_DEG * cos(LAT0 * M_PI / 180));
    memset(tr, 0, sizeof *tr);
    tr->t_us = t_us;
    snprintf(tr->id, sizeof tr->id, "X");
    tr->cls = f->cls;
    tr->lat_deg = lat;
    tr->lon_deg = lon;
    tr->alt_m = y->alt;
    tr->vel_enu_mps[0] = v * sin(hd);
    tr->vel_enu_mps[1] = v * cos(hd);
    tr->vel_enu_mps[2] = f->climb_mps;
    tr->alive = 1;

    dw_track_init(tk);
    tk->id = 1;
    tk->t_us = t_us;
    tk->status = DW_TRACK_CONFIRMED;
    tk->lat_deg = lat;
    tk->lon_deg = lon;
    tk->alt_m = y->alt + y->ea;
    double vs = v + y->ev;
    tk->vel_enu_mps[0] = vs * sin(hd) + y->ep * cos(hd);
    tk->vel_enu_mps[1] = vs * cos(hd) - y->ep * sin(hd);
    tk->vel_enu_mps[2] = f->climb_mps + y->ec;
    tk->cov_pos_enu[0][0] = tk->cov_pos_enu[1][1] = 60.0 * 60.0;
    tk->cov_pos_enu[2][2] = f->sig_alt * f->sig_alt;
    if (f->cov_vel) {
        tk->cov_vel_enu[0][0] = tk->cov_vel_enu[1][1] = f->sig_v * f->sig_v;
        tk->cov_vel_enu[2][2] = f->sig_climb * f->sig_climb;
    }
    tk->icao = f->icao;
    if (f->rid)
        snprintf(tk->rid, sizeof tk->rid, "%s", f->rid);
    tk->hits = (uint32_t)(y->t_s / dt);
    tk->quality = 1;
    tk->first_us = t_us - (int64_t)(y->t_s * 1e6);
}

static void hints_of(const flight *f, dw_class_hints *h)
{
    memset(h, 0, sizeof *h);
    h->sensor_kinds = 1u << DW_SENSOR_RADAR;
    if (f->heard) {
        h->heard = 1;
        h->sensor_kinds |= 1u << DW_SENSOR_ACOUSTIC;
    }
    h->mode3a = f->mode3a;
    if (f->rid)
        h->sensor_kinds |= 1u << DW_SENSOR_REMOTE_ID;
    if (f->rcs_m2 > 0) {
        h->rcs_m2 = f->rcs_m2;
        h->n_rcs = 20;
    }
}

/* The scenario's objects (scenarios/pl-2025-09-10.yaml) and its tracker's errors there
 * (docs: the sim's tracks matched to their truth: speed, altitude, climb sigmas). */
static flight airliner(void)
{
    return (flight){.cls = DW_CLASS_AIRLINER, .speed_mps = 228, .alt_m = 11000, .sig_v = 6,
                    .sig_alt = 60, .sig_climb = 1.8};
}
static flight gerbera(void)
{
    return (flight){.cls = DW_CLASS_DECOY, .speed_mps = 42, .alt_m = 1000, .sig_v = 4.4,
                    .sig_alt = 220, .sig_climb = 5};
}
static flight shahed(void)
{
    return (flight){.cls = DW_CLASS_OWA_DRONE, .speed_mps = 51, .alt_m = 2100, .sig_v = 5,
                    .sig_alt = 170, .sig_climb = 4.7};
}
static flight fighter(void)
{
    return (flight){.cls = DW_CLASS_FIGHTER, .speed_mps = 208, .alt_m = 6000, .leg_s = 120,
                    .turn_mps2 = 17, .sig_v = 10, .sig_alt = 90, .sig_climb = 5};
}
static flight helicopter(void)
{
    return (flight){.cls = DW_CLASS_HELICOPTER, .speed_mps = 56, .alt_m = 300, .sig_v = 3,
                    .sig_alt = 110, .sig_climb = 2.8};
}
static flight bird(void)
{
    return (flight){.cls = DW_CLASS_BIRD, .speed_mps = 11, .alt_m = 600, .wander_m = 300,
                    .wander_len_m = 5000, .sig_v = 5, .sig_alt = 250, .sig_climb = 7.5};
}

/* Flies f for dur_s with reports every dt_s; the share of reports after min_track_s of
 * kinematics (the first DW_CLASSIFY_VEL_KNOWN_S of a track without a velocity
 * covariance are none: its velocity is not known yet) whose class is one of want[]
 * (n_want), the minimum and maximum drone probability over them, and the final result. */
typedef struct outcome {
    double share_want, share_drone, min_drone, max_drone;
    dw_class last;
    float prob[DW_NCLASSES];
} outcome;

static outcome run_flight(const flight *f, uint64_t seed, double dur_s, double dt_s,
                          const dw_class *want, int n_want)
{
    dw_classify_config c;
    dw_classify_config_default(&c);
    dw_class_state s;
    dw_class_state_init(&s);
    dw_class_hints h;
    hints_of(f, &h);
    flyer y;
    fly_init(&y, f, seed, 0, 0);
    outcome o = {0, 0, 1, 0, DW_CLASS_UNKNOWN, {0}};
    int n = 0, good = 0, drone = 0;
    for (double t = 0; t <= dur_s; t += dt_s) {
        dw_truth tr;
        dw_track tk;
        fly_step(&y, dt_s, T0_US + (int64_t)(t * 1e6), &tr, &tk);
        dw_classify_update(&c, &s, &tk, &h);
        dw_class b;
        dw_classify_result(&c, &s, o.prob, &b);
        o.last = b;
        if (t < c.min_track_s + DW_CLASSIFY_VEL_KNOWN_S)
            continue;
        n++;
        for (int k = 0; k < n_want; k++)
            if (b == want[k]) {
                good++;
                break;
            }
        double pd = dw_classify_drone_prob(o.prob);
        drone += pd >= 0.5;
        if (pd < o.min_drone)
            o.min_drone = pd;
        if (pd > o.max_drone)
            o.max_drone = pd;
    }
    o.share_want = n ? (double)good / n : 0;
    o.share_drone = n ? (double)drone / n : 0;
    NOTE("%-12s seed %llu: %.1f%% as wanted, %.1f%% drones, P(drone) %.3f..%.3f, last %s "
         "(%.2f)\n", dw_class_name(f->cls), (unsigned long long)seed, 100 * o.share_want,
         100 * o.share_drone, o.min_drone, o.max_drone, dw_class_name(o.last), o.prob[o.last]);
    return o;
}

/* ------------------------------------------------------------------ one class at a time */

static void airliner_with_icao(void **state)
{
    (void)state;
    flight f = airliner();
    f.speed_mps = 230;
    f.icao = 0x48AE01;
    const dw_class want[] = {DW_CLASS_AIRLINER};
    for (uint64_t seed = 1; seed <= 5; seed++) {
        outcome o = run_flight(&f, seed, 900, 1, want, 1);
        assert_true(o.share_want == 1.0);
        assert_true(o.max_drone < 0.05);
        assert_true(o.prob[DW_CLASS_AIRLINER] > 0.9);
    }
}

static void airliner_by_kinematics_alone(void **state)
{
    (void)state;
    flight f = airliner();
    const dw_class want[] = {DW_CLASS_AIRLINER};
    for (uint64_t seed = 1; seed <= 5; seed++) {
        outcome o = run_flight(&f, seed, 900, 5, want, 1);
        assert_true(o.share_want >= 0.95);
        assert_true(o.max_drone < 0.05);
    }
}

static void gerbera_heard_is_a_drone(void **state)
{
    (void)state;
    flight f = gerbera();
    f.heard = 1;
    const dw_class want[] = {DW_CLASS_DECOY, DW_CLASS_OWA_DRONE};
    double mean_final = 0;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        outcome o = run_flight(&f, seed, 1800, 5, want, 2);
        assert_true(o.share_want >= 0.9);
        assert_true(o.share_drone >= 0.95);
        assert_true(o.last == DW_CLASS_DECOY || o.last == DW_CLASS_OWA_DRONE);
        mean_final += dw_classify_drone_prob(o.prob) / 8;
    }
    NOTE("gerbera heard: mean final P(drone) %.3f\n", mean_final);
    assert_true(mean_final > 0.65);

    /* The same Gerbera measured well (a short-range radar: 30 m in height, 1 m/s), and
     * the track saying so. A helicopter or a light aircraft can fly like this too (they
     * keep ~20 % between them); its radar cross-section settles it. */
    f.sig_alt = 30;
    f.sig_v = 1;
    f.sig_climb = 1;
    f.cov_vel = 1;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        outcome o = run_flight(&f, seed, 600, 2, want, 2);
        assert_true(o.share_want == 1.0);
        assert_true(o.min_drone > 0.7);
        assert_int_equal(o.last, DW_CLASS_DECOY);
    }
    /* ...and with its small radar cross-section: no doubt left. */
    f.rcs_m2 = 0.05;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        outcome o = run_flight(&f, seed, 600, 2, want, 2);
        assert_true(o.min_drone > 0.9);
    }
}

static void shahed_is_a_drone(void **state)
{
    (void)state;
    flight f = shahed();
    const dw_class want[] = {DW_CLASS_OWA_DRONE};
    for (uint64_t seed = 1; seed <= 6; seed++) {
        outcome o = run_flight(&f, seed, 1800, 5, want, 1);
        assert_true(o.share_want >= 0.8);
        assert_true(o.share_drone >= 0.9);
    }
}

static void bird_flock_is_a_bird(void **state)
{
    (void)state;
    /* 10 m/s at 150 m: as low and slow as a quadcopter flies. */
    flight f = bird();
    f.speed_mps = 10;
    f.alt_m = 150;
    f.sig_alt = 100;
    f.sig_climb = 3;
    const dw_class want[] = {DW_CLASS_BIRD};
    for (uint64_t seed = 1; seed <= 6; seed++) {
        outcome o = run_flight(&f, seed, 1200, 5, want, 1);
        assert_true(o.share_want >= 0.85);
        assert_true(o.max_drone < 0.5);
    }
    /* Past a quadcopter's endurance nothing is left of the doubt. */
    for (uint64_t seed = 1; seed <= 3; seed++) {
        outcome o = run_flight(&f, seed, 5400, 5, want, 1);
        assert_int_equal(o.last, DW_CLASS_BIRD);
        assert_true(dw_classify_drone_prob(o.prob) < 0.1);
    }
    /* The scenario's flocks, 11 m/s at 600 m, with their radar's errors. */
    f = bird();
    for (uint64_t seed = 1; seed <= 6; seed++) {
        outcome o = run_flight(&f, seed, 1800, 5, want, 1);
        assert_true(o.share_want >= 0.85);
        assert_true(o.max_drone < 0.5);
    }
}

static void fighter_pulling_2g_is_a_fighter(void **state)
{
    (void)state;
    /* A combat air patrol: 2-minute legs, 180° turns at 2 g (60° bank), measured every
     * 2 s by a short-range radar. Once it has turned it is no airliner. */
    flight f = fighter();
    f.speed_mps = 250;
    f.sig_v = 3;
    f.sig_alt = 30;
    f.sig_climb = 2;
    f.cov_vel = 1;
    const dw_class want[] = {DW_CLASS_FIGHTER};
    for (uint64_t seed = 1; seed <= 4; seed++) {
        outcome o = run_flight(&f, seed, 1200, 2, want, 1);
        assert_int_equal(o.last, DW_CLASS_FIGHTER);
        assert_true(o.prob[DW_CLASS_FIGHTER] > 0.8);
        assert_true(o.share_want >= 0.6);     /* the first leg, before a turn, is not */
        assert_true(o.max_drone < 0.05);
    }
}

static void helicopter_with_squawk(void **state)
{
    (void)state;
    flight f = helicopter();
    f.mode3a = 04321;
    const dw_class want[] = {DW_CLASS_HELICOPTER};
    for (uint64_t seed = 1; seed <= 4; seed++) {
        outcome o = run_flight(&f, seed, 1800, 5, want, 1);
        assert_true(o.share_want >= 0.95);
        assert_true(o.max_drone < 0.05);
    }
    /* Without the squawk the kinematics alone still say helicopter: 200 km/h at 300 m is
     * above a Gerbera's speed and below a 2025 Shahed's height. */
    f.mode3a = 0;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        outcome o = run_flight(&f, seed, 1800, 5, want, 1);
        assert_true(o.share_want >= 0.8);
        assert_true(o.max_drone < 0.5);
    }
}

static void quadcopter_with_remote_id(void **state)
{
    (void)state;
    flight f = {.cls = DW_CLASS_QUADCOPTER, .speed_mps = 8, .alt_m = 250, .wander_m = 50,
                .wander_len_m = 400, .sig_v = 1, .sig_alt = 20, .sig_climb = 1,
                .rid = "1596F3B2C1A4D5E6F708", .heard = 1};
    const dw_class want[] = {DW_CLASS_QUADCOPTER};
    outcome o = run_flight(&f, 1, 900, 1, want, 1);
    assert_true(o.share_want == 1.0);
    assert_true(o.min_drone > 0.9);
}

/* ------------------------------------------------------------------ stability and hints */

static void one_outlier_does_not_flip(void **state)
{
    (void)state;
    dw_classify_config c;
    dw_classify_config_default(&c);
    for (uint64_t seed = 1; seed <= 6; seed++) {
        flight f = gerbera();
        dw_class_state s;
        dw_class_state_init(&s);
        flyer y;
        fly_init(&y, &f, seed, 0, 0);
        dw_class before = DW_CLASS_UNKNOWN;
        float p[DW_NCLASSES];
        for (int k = 0; k <= 240; k++) {
            dw_truth tr;
            dw_track tk;
            fly_step(&y, 5, T0_US + k * 5000000LL, &tr, &tk);
            if (k == 120) {
                /* A wild update: an airliner's speed and height (a swap, a bad plot). */
                tk.vel_enu_mps[0] = 230;
                tk.vel_enu_mps[1] = 0;
                tk.vel_enu_mps[2] = 40;
                tk.alt_m = 11000;
            }
            dw_classify_update(&c, &s, &tk, NULL);
            dw_class b;
            dw_classify_result(&c, &s, p, &b);
            if (k == 119)
                before = b;
            if (k >= 120 && k <= 125) {
                assert_int_equal(b, before);
                assert_true(dw_classify_drone_prob(p) > 0.5);
            }
        }
        assert_true(before == DW_CLASS_DECOY || before == DW_CLASS_OWA_DRONE);
    }
}

/* A velocity the tracker has not estimated is no evidence. dw_classify_velocity_known:
 * by the covariance when the track gives one (sigma 50 m/s no, 10 m/s yes, the larger
 * axis counting), else by plots and age (2 s old no, 8 s and 5 plots yes, 8 s and 2
 * plots no, 2 plots of no given age no, a track that says neither yes). A Gerbera whose
 * first three reports are a young track's guesses (0 m/s, 80 m/s sideways, sigma 50 m/s)
 * ends in exactly the state of one that never had them; and an airliner taking off, its
 * first reports at 0 m/s at 300 m (a hovering quadcopter's kinematics) with the velocity
 * not yet known, is never a drone. */
static void unknown_velocity_is_no_evidence(void **state)
{
    (void)state;
    dw_track t;
    dw_track_init(&t);
    t.status = DW_TRACK_CONFIRMED;
    t.t_us = T0_US + 8000000;
    t.cov_vel_enu[0][0] = t.cov_vel_enu[1][1] = 2500;
    assert_false(dw_classify_velocity_known(&t));
    t.cov_vel_enu[0][0] = 100;
    assert_false(dw_classify_velocity_known(&t));   /* the worse axis */
    t.cov_vel_enu[1][1] = 100;
    assert_true(dw_classify_velocity_known(&t));
    memset(t.cov_vel_enu, 0, sizeof t.cov_vel_enu);
    t.first_us = t.t_us - 2000000;
    t.hits = 5;
    assert_false(dw_classify_velocity_known(&t));
    t.first_us = t.t_us - 8000000;
    assert_true(dw_classify_velocity_known(&t));
    t.hits = 2;
    assert_false(dw_classify_velocity_known(&t));
    t.first_us = 0;
    assert_false(dw_classify_velocity_known(&t));   /* 2 plots, age not given */
    t.hits = 0;
    assert_true(dw_classify_velocity_known(&t));    /* says neither */
    assert_false(dw_classify_velocity_known(NULL));

    dw_classify_config c;
    dw_classify_config_default(&c);
    dw_class_state with, without;
    dw_class_state_init(&with);
    dw_class_state_init(&without);
    flight f = gerbera();
    f.cov_vel = 1;
    flyer y;
    fly_init(&y, &f, 11, 0, 0);
    for (int k = 0; k <= 60; k++) {
        dw_truth tr;
        dw_track tk;
        fly_step(&y, 5, T0_US + k * 5000000LL, &tr, &tk);
        if (k < 3) {
            tk.vel_enu_mps[0] = k == 1 ? 80 : 0;
            tk.vel_enu_mps[1] = 0;
            tk.cov_vel_enu[0][0] = tk.cov_vel_enu[1][1] = 2500;
            dw_classify_update(&c, &with, &tk, NULL);
            continue;
        }
        dw_classify_update(&c, &with, &tk, NULL);
        dw_classify_update(&c, &without, &tk, NULL);
    }
    assert_int_equal(with.n, without.n);
    assert_true(with.first_us == without.first_us);
    for (int k = 0; k < DW_NCLASSES; k++)
        assert_true(with.logl[k] == without.logl[k]);
    assert_true(with.max_speed_mps == without.max_speed_mps);

    /* the airliner taking off */
    dw_class_state s;
    dw_class_state_init(&s);
    for (int k = 0; k <= 60; k++) {
        dw_track tk;
        dw_track_init(&tk);
        tk.id = 2;
        tk.status = DW_TRACK_CONFIRMED;
        tk.t_us = T0_US + k * 5000000LL;
        tk.first_us = T0_US;
        tk.hits = (uint32_t)(3 + 2 * k);
        tk.lat_deg = LAT0;
        tk.lon_deg = LON0;
        double v = k < 3 ? 0 : fmin(70 + 4.0 * k, 128);      /* 250 kt below FL100 */
        tk.vel_enu_mps[0] = v;
        tk.vel_enu_mps[2] = k < 3 ? 0 : 10;
        tk.alt_m = 300 + 50.0 * k;
        tk.cov_pos_enu[0][0] = tk.cov_pos_enu[1][1] = 3600;
        tk.cov_pos_enu[2][2] = 3600;
        double sv = k < 3 ? 50 : 6;
        tk.cov_vel_enu[0][0] = tk.cov_vel_enu[1][1] = sv * sv;
        tk.cov_vel_enu[2][2] = 4;
        dw_classify_update(&c, &s, &tk, NULL);
        float p[DW_NCLASSES];
        dw_class b;
        dw_classify_result(&c, &s, p, &b);
        NOTE("airliner taking off, report %d: %s, P(drone) %.3f\n", k, dw_class_name(b),
             dw_classify_drone_prob(p));
        assert_true(dw_classify_drone_prob(p) < 0.5);
    }
}

static void nothing_is_impossible(void **state)
{
    (void)state;
    /* Two hours of a clear airliner, then the track is really a Gerbera (a swap the
     * tracker did not notice): every class keeps a non-zero probability, and the new
     * evidence wins within a few smoothing times, not never. */
    dw_classify_config c;
    dw_classify_config_default(&c);
    dw_class_state s;
    dw_class_state_init(&s);
    flight a = airliner(), g = gerbera();
    flyer ya, yg;
    fly_init(&ya, &a, 3, 0, 0);
    fly_init(&yg, &g, 4, 0, 0);
    float p[DW_NCLASSES];
    dw_class b;
    int64_t t = T0_US;
    for (int k = 0; k < 1440; k++, t += 5000000) {
        dw_truth tr;
        dw_track tk;
        fly_step(&ya, 5, t, &tr, &tk);
        dw_classify_update(&c, &s, &tk, NULL);
    }
    dw_classify_result(&c, &s, p, &b);
    assert_int_equal(b, DW_CLASS_AIRLINER);
    for (int k = 0; k < DW_NCLASSES; k++)
        assert_true(p[k] > 0.0f);
    int switched_after = -1;
    for (int k = 0; k < 120; k++, t += 5000000) {
        dw_truth tr;
        dw_track tk;
        fly_step(&yg, 5, t, &tr, &tk);
        tk.first_us = T0_US;
        dw_classify_update(&c, &s, &tk, NULL);
        dw_classify_result(&c, &s, p, &b);
        if (switched_after < 0 && dw_classify_drone_prob(p) > 0.5)
            switched_after = 5 * k;
    }
    NOTE("switched to a drone after %d s\n", switched_after);
    assert_true(switched_after >= 0);
    assert_true(switched_after <= 3 * c.smoothing_s);
    assert_true(b == DW_CLASS_DECOY || b == DW_CLASS_OWA_DRONE);
}

/* 40 m/s at 800 m: a Gerbera, a helicopter and a light aircraft all fly like this. */
static flight ambiguous(void)
{
    return (flight){.cls = DW_CLASS_UNKNOWN, .speed_mps = 40, .alt_m = 800, .sig_v = 3,
                    .sig_alt = 150, .sig_climb = 2};
}

static void classifier_scores_move_it(void **state)
{
    (void)state;
    dw_classify_config c;
    dw_classify_config_default(&c);
    flight f = ambiguous();
    for (int which = 0; which < 3; which++) {
        static const dw_class said[] = {DW_CLASS_HELICOPTER, DW_CLASS_DECOY,
                                        DW_CLASS_LIGHT_AIRCRAFT};
        dw_class_state s, s0;
        dw_class_state_init(&s);
        dw_class_state_init(&s0);
        flyer y;
        fly_init(&y, &f, 11, 0, 0);
        dw_class_hints h;
        memset(&h, 0, sizeof h);
        h.sensor_kinds = 1u << DW_SENSOR_EO;
        float p[DW_NCLASSES], p0[DW_NCLASSES];
        dw_class b = DW_CLASS_UNKNOWN, b0;
        for (int k = 0; k <= 60; k++) {
            dw_truth tr;
            dw_track tk;
            fly_step(&y, 5, T0_US + k * 5000000LL, &tr, &tk);
            if (k >= 20) {
                /* An EO/IR camera's classifier: 0.8 on one class, the rest spread. */
                for (int j = 0; j < DW_NCLASSES; j++)
                    h.class_score[j] = j == (int)said[which] ? 0.8f : 0.2f / (DW_NCLASSES - 1);
                h.n_class_scores = (uint32_t)(k - 19);
            }
            dw_classify_update(&c, &s, &tk, &h);
            dw_classify_update(&c, &s0, &tk, NULL);
            dw_classify_result(&c, &s, p, &b);
        }
        dw_classify_result(&c, &s0, p0, &b0);
        NOTE("scores for %s: %s %.2f (without: %s %.2f)\n", dw_class_name(said[which]),
             dw_class_name(b), p[b], dw_class_name(b0), p0[b0]);
        assert_int_equal(b, said[which]);
        assert_true(p[said[which]] > 0.6);
        assert_true(p[said[which]] > 0.95 || p[said[which]] > 2 * p0[said[which]]);
        if (said[which] == DW_CLASS_HELICOPTER)
            assert_true(dw_classify_drone_prob(p) < 0.3);
        if (said[which] == DW_CLASS_DECOY)
            assert_true(dw_classify_drone_prob(p) > 0.9);
    }
}

static void hints_each_do_their_part(void **state)
{
    (void)state;
    dw_classify_config c;
    dw_classify_config_default(&c);
    flight f = ambiguous();
    float base[DW_NCLASSES];
    for (int variant = 0; variant < 6; variant++) {
        dw_class_state s;
        dw_class_state_init(&s);
        flyer y;
        fly_init(&y, &f, 5, 0, 0);
        dw_class_hints h;
        memset(&h, 0, sizeof h);
        switch (variant) {
        case 1: h.heard = 1; break;                              /* an engine: no bird */
        case 2: h.sensor_kinds = 1u << DW_SENSOR_RF; break;      /* a drone's radio link */
        case 3: h.mode3a = 07000; break;                         /* a transponder */
        case 4: h.rcs_m2 = 5.0; h.n_rcs = 10; break;             /* big */
        case 5: h.rcs_m2 = 0.03; h.n_rcs = 10; break;            /* small */
        default: break;
        }
        float p[DW_NCLASSES];
        dw_class b;
        for (int k = 0; k <= 60; k++) {
            dw_truth tr;
            dw_track tk;
            fly_step(&y, 5, T0_US + k * 5000000LL, &tr, &tk);
            dw_classify_update(&c, &s, &tk, &h);
        }
        dw_classify_result(&c, &s, p, &b);
        double pd = dw_classify_drone_prob(p), pd0 = dw_classify_drone_prob(base);
        NOTE("variant %d: %s, P(drone) %.3f\n", variant, dw_class_name(b), pd);
        switch (variant) {
        case 0: memcpy(base, p, sizeof base); break;
        case 1: assert_true(p[DW_CLASS_BIRD] < base[DW_CLASS_BIRD] / 10); break;
        case 2: assert_true(pd > pd0 && pd > 0.8); break;
        case 3: assert_true(pd < 0.05); break;
        case 4: assert_true(pd < 0.05); break;
        case 5: assert_true(pd > pd0 && pd > 0.8); break;
        }
    }
}

static void prior_until_min_track(void **state)
{
    (void)state;
    dw_classify_config c;
    dw_classify_config_default(&c);
    dw_class_state s;
    dw_class_state_init(&s);
    flight f = gerbera();
    flyer y;
    fly_init(&y, &f, 1, 0, 0);
    float p[DW_NCLASSES];
    dw_class b;
    dw_truth tr;
    dw_track tk;
    for (int k = 0; k < 5; k++) {
        fly_step(&y, 1, T0_US + k * 1000000LL, &tr, &tk);
        dw_classify_update(&c, &s, &tk, NULL);
        dw_classify_result(&c, &s, p, &b);
        assert_int_equal(b, DW_CLASS_UNKNOWN);
        for (int j = 0; j < DW_NCLASSES; j++)
            assert_near(p[j], c.prior[j], 1e-6);
    }
    /* An ICAO address counts from the first report: a crewed aircraft, not a drone. */
    dw_class_state_init(&s);
    flight a = airliner();
    a.icao = 0x4CA123;
    fly_init(&y, &a, 1, 0, 0);
    fly_step(&y, 1, T0_US, &tr, &tk);
    dw_classify_update(&c, &s, &tk, NULL);
    dw_classify_result(&c, &s, p, &b);
    assert_true(dw_classify_drone_prob(p) < 0.01);
    /* No state: the prior. */
    dw_classify_result(&c, NULL, p, &b);
    assert_near(p[DW_CLASS_BIRD], c.prior[DW_CLASS_BIRD], 1e-6);
}

static void only_confirmed_and_coasting(void **state)
{
    (void)state;
    dw_classify_config c;
    dw_classify_config_default(&c);
    dw_class_state s;
    dw_class_state_init(&s);
    dw_track t;
    dw_track_init(&t);
    t.t_us = T0_US;
    t.vel_enu_mps[0] = 40;
    t.alt_m = 1000;
    t.status = DW_TRACK_TENTATIVE;
    dw_classify_update(&c, &s, &t, NULL);
    t.status = DW_TRACK_DEAD;
    dw_classify_update(&c, &s, &t, NULL);
    assert_int_equal(s.n, 0);
    t.status = DW_TRACK_COASTING;
    dw_classify_update(&c, &s, &t, NULL);
    assert_int_equal(s.n, 1);
    /* The same instant again, an older one, and values that are not numbers change
     * nothing kinematic. */
    dw_class_state before = s;
    dw_classify_update(&c, &s, &t, NULL);
    t.t_us -= 1000000;
    dw_classify_update(&c, &s, &t, NULL);
    t.t_us = T0_US + 5000000;
    t.vel_enu_mps[0] = NAN;
    t.alt_m = INFINITY;
    t.vel_enu_mps[2] = NAN;
    dw_classify_update(&c, &s, &t, NULL);
    assert_int_equal(s.n, before.n);
    assert_memory_equal(s.logl, before.logl, sizeof s.logl);
    /* NULL everything: nothing happens, nothing crashes. */
    dw_classify_update(NULL, NULL, &t, NULL);
    dw_classify_update(&c, &s, NULL, NULL);
    float p[DW_NCLASSES];
    dw_classify_result(NULL, &s, p, NULL);
    double sum = 0;
    for (int k = 0; k < DW_NCLASSES; k++)
        sum += p[k];
    assert_near(sum, 1.0, 1e-5);
}

/* ------------------------------------------------------------------ the confusion matrix */

typedef struct fixture_obj {
    flight f;
    double start_s, dur_s;
    int heard_from;             /* report index from which an acoustic net hears it (-1 never) */
} fixture_obj;

/* A run directory as `dronewall sim` writes one: sensors.json, truth.ndjson,
 * tracks.ndjson, with the scenario's classes, speeds and altitudes. */
static void write_fixture(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/sensors.json", dir);
    FILE *fs = fopen(path, "w");
    assert_non_null(fs);
    fprintf(fs, "{\"sensors\":[{\"id\":\"PL-RAD-01\",\"kind\":\"radar\"},"
                "{\"id\":\"PL-RAD-02\",\"kind\":\"radar\"}]}\n");
    fclose(fs);

    fixture_obj objs[32];
    int n = 0;
    const double gerbera_kmh[] = {140, 150, 155, 145, 150, 140};
    const double gerbera_alt[] = {800, 1000, 1200, 900, 1100, 900};
    for (int i = 0; i < 6; i++) {
        objs[n] = (fixture_obj){gerbera(), 60.0 * i, 2400, i % 2 ? 200 : -1};
        objs[n].f.speed_mps = gerbera_kmh[i] / 3.6;
        objs[n++].f.alt_m = gerbera_alt[i];
    }
    for (int i = 0; i < 3; i++) {
        objs[n] = (fixture_obj){shahed(), 100.0 * i, 2400, i == 0 ? 150 : -1};
        objs[n++].f.alt_m = 2000 + 100 * i;
    }
    for (int i = 0; i < 4; i++) {
        objs[n] = (fixture_obj){airliner(), 30.0 * i, 1800, -1};
        objs[n++].f.alt_m = i == 3 ? 8000 : 11000;
    }
    for (int i = 0; i < 3; i++) {
        objs[n] = (fixture_obj){fighter(), 50.0 * i, 2400, -1};
        objs[n++].f.alt_m = 5500 + 400 * i;
    }
    for (int i = 0; i < 3; i++)
        objs[n++] = (fixture_obj){helicopter(), 70.0 * i, 2400, -1};
    for (int i = 0; i < 4; i++) {
        objs[n] = (fixture_obj){bird(), 40.0 * i, 3600, -1};
        objs[n++].f.alt_m = 500 + 100 * i;
    }

    snprintf(path, sizeof path, "%s/truth.ndjson", dir);
    FILE *ft = fopen(path, "w");
    snprintf(path, sizeof path, "%s/tracks.ndjson", dir);
    FILE *fk = fopen(path, "w");
    assert_non_null(ft);
    assert_non_null(fk);
    static const char *const names[] = {"PL-RAD-01", "PL-RAD-02", "position-reports",
                                        "acoustic-bearings"};
    flyer ys[32];
    for (int i = 0; i < n; i++)
        fly_init(&ys[i], &objs[i].f, 100 + (uint64_t)i, 30e3 * (i % 6), 30e3 * (i / 6));
    char buf[4096];
    const double dt = 5;
    for (double t = 0; t <= 3700; t += dt) {
        int64_t t_us = T0_US + (int64_t)(t * 1e6);
        for (int i = 0; i < n; i++) {
            if (t < objs[i].start_s || t > objs[i].start_s + objs[i].dur_s)
                continue;
            dw_truth tr;
            dw_track tk;
            fly_step(&ys[i], dt, t_us, &tr, &tk);
            snprintf(tr.id, sizeof tr.id, "OBJ%02d", i);
            tk.id = (uint64_t)(100 + i);
            int k = (int)((t - objs[i].start_s) / dt);
            tk.n_sensors = 0;
            tk.sensor_idx[tk.n_sensors++] = (uint16_t)(i % 2);
            if (objs[i].f.cls == DW_CLASS_AIRLINER)
                tk.sensor_idx[tk.n_sensors++] = 2;
            if (objs[i].heard_from >= 0 && k >= objs[i].heard_from)
                tk.sensor_idx[tk.n_sensors++] = 3;
            char *end;
            assert_int_equal(dw_ndjson_write_truth(buf, buf + sizeof buf, &tr, &end), DW_OK);
            fputs(buf, ft);
            assert_int_equal(dw_ndjson_write_track(buf, buf + sizeof buf, &tk, names, 4, &end),
                             DW_OK);
            fputs(buf, fk);
        }
    }
    fclose(ft);
    fclose(fk);
}

static void confusion_on_a_synthetic_run(void **state)
{
    (void)state;
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    write_fixture(dir);
    ce_eval e;
    assert_int_equal(ce_init(&e), 0);
    assert_int_equal(ce_run_dir(&e, dir), 0);
    if (getenv("DW_TEST_VERBOSE"))
        ce_print(&e, stderr);
    assert_int_equal(e.bad_lines, 0);
    assert_true(e.reports > 5000);
    assert_int_equal(e.unmatched, 0);

    /* What the alerts depend on. */
    const ce_counts *c = &e.all;
    assert_true(ce_share_as_drone(c, 0, NULL, NULL) < 0.02);
    assert_true(ce_share_as_drone(c, 1, NULL, NULL) > 0.95);
    assert_true(ce_class_as_drone(c, DW_CLASS_AIRLINER) < 0.005);
    assert_true(ce_class_as_drone(c, DW_CLASS_BIRD) < 0.05);
    assert_true(ce_class_as_drone(c, DW_CLASS_HELICOPTER) < 0.05);
    assert_true(ce_class_as_drone(c, DW_CLASS_FIGHTER) < 0.01);
    assert_true(ce_class_as_drone(c, DW_CLASS_DECOY) > 0.95);
    assert_true(ce_class_as_drone(c, DW_CLASS_OWA_DRONE) > 0.9);

    /* Per class, settled tracks (a minute old). */
    c = &e.settled;
    assert_true(ce_accuracy(c, DW_CLASS_AIRLINER) > 0.95);
    assert_true(ce_accuracy(c, DW_CLASS_DECOY) > 0.85);
    assert_true(ce_accuracy(c, DW_CLASS_OWA_DRONE) > 0.8);
    assert_true(ce_accuracy(c, DW_CLASS_HELICOPTER) > 0.85);
    assert_true(ce_accuracy(c, DW_CLASS_BIRD) > 0.85);
    assert_true(ce_accuracy(c, DW_CLASS_FIGHTER) > 0.5);
    /* A Gerbera and a Shahed may be taken for each other, never for anything else. */
    uint64_t drones = c->n[DW_CLASS_DECOY] + c->n[DW_CLASS_OWA_DRONE];
    uint64_t either = c->conf[DW_CLASS_DECOY][DW_CLASS_DECOY] +
                      c->conf[DW_CLASS_DECOY][DW_CLASS_OWA_DRONE] +
                      c->conf[DW_CLASS_OWA_DRONE][DW_CLASS_DECOY] +
                      c->conf[DW_CLASS_OWA_DRONE][DW_CLASS_OWA_DRONE];
    assert_true((double)either / (double)drones > 0.97);
    ce_free(&e);
}

/* ------------------------------------------------------------------ the table and its page */

static void envelopes_are_documented(void **state)
{
    (void)state;
    static char table[16384];
    assert_int_equal(dw_classify_describe(table, 100), 0);
    assert_int_equal(table[0], '\0');
    size_t n = dw_classify_describe(table, sizeof table);
    assert_true(n > 500);
    assert_int_equal(strlen(table), n);
    /* Every class has a row; every box is a box. */
    for (int k = 0; k < DW_NCLASSES; k++) {
        char row[64];
        snprintf(row, sizeof row, "| %s |", dw_class_name((dw_class)k));
        assert_non_null(strstr(table, row));
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/identification.md", DW_SOURCE_DIR);
    char *doc = dw_test_read_file(path, NULL);
    if (!strstr(doc, table)) {
        fprintf(stderr, "docs/identification.md does not hold the envelope table as "
                        "dw_classify_describe prints it; it should read:\n%s", table);
        fail();
    }
    free(doc);
    assert_true(dw_class_is_drone(DW_CLASS_DECOY) && dw_class_is_drone(DW_CLASS_OWA_DRONE) &&
                dw_class_is_drone(DW_CLASS_QUADCOPTER));
    assert_false(dw_class_is_drone(DW_CLASS_BIRD) || dw_class_is_drone(DW_CLASS_AIRLINER) ||
                 dw_class_is_drone(DW_CLASS_UNKNOWN) || dw_class_is_drone(DW_CLASS_HELICOPTER));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(airliner_with_icao),
        cmocka_unit_test(airliner_by_kinematics_alone),
        cmocka_unit_test(gerbera_heard_is_a_drone),
        cmocka_unit_test(shahed_is_a_drone),
        cmocka_unit_test(bird_flock_is_a_bird),
        cmocka_unit_test(fighter_pulling_2g_is_a_fighter),
        cmocka_unit_test(helicopter_with_squawk),
        cmocka_unit_test(quadcopter_with_remote_id),
        cmocka_unit_test(one_outlier_does_not_flip),
        cmocka_unit_test(unknown_velocity_is_no_evidence),
        cmocka_unit_test(nothing_is_impossible),
        cmocka_unit_test(classifier_scores_move_it),
        cmocka_unit_test(hints_each_do_their_part),
        cmocka_unit_test(prior_until_min_track),
        cmocka_unit_test(only_confirmed_and_coasting),
        cmocka_unit_test(confusion_on_a_synthetic_run),
        cmocka_unit_test(envelopes_are_documented),
    };
    return dw_test_run("classify", tests, sizeof tests / sizeof tests[0], argc, argv);
}

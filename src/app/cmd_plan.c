/* cmd_plan.c — `dronewall plan`: the response planner on a scenario, beside its two
 * baselines (docs/respond.md "Planning and the baselines").
 *
 * The scenario runs through the simulator into the daemon's engine, in process; every
 * --every seconds of data time the live picture is read back (each track's brief line),
 * the drone tracks become threats (plan.h's rule: the first protected site on its course,
 * within the hour), and each strategy plans on
 * its own planner. A simulated operator approves every recommendation at once; a threat
 * once engaged is not planned again by that strategy. Wall time enters here only, for the
 * planners' own timing.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/commands.h"
#include "dronewall/engine.h"
#include "dronewall/geo.h"
#include "dronewall/grow.h"
#include "dronewall/intercept.h"
#include "dronewall/plan.h"
#include "dronewall/sim.h"

#define NSTRAT 3

static const char *strat_name[NSTRAT] = {"wta", "fighters", "nearest"};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: dronewall plan SCENARIO.yaml [options]\n"
        "\n"
        "Run a scenario through the engine and plan the response every S seconds of data\n"
        "time with the assignment (wta) and two baselines (fighters only; nearest effector),\n"
        "each approving every recommendation; print one table of what each cost and let\n"
        "through (docs/respond.md).\n"
        "\n"
        "      --effectors FILE  the effector catalogue (default config/effectors.yaml)\n"
        "      --every S         plan every S seconds of data time (default 30)\n"
        "      --out FILE        also write the figures as JSON\n"
        "      --apply STRATEGY  plan with one strategy (wta, fighters, nearest) and apply its\n"
        "                        engagements to the simulated world: a kill with the engagement's\n"
        "                        chance at its intercept time, scored against the truth\n"
        "      --approve-within S  approve only engagements whose intercept is within S\n"
        "                        seconds; later ones wait for a later plan (default: all;\n"
        "                        180 with --apply)\n"
        "  -h, --help            this text\n");
}

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* What one strategy has done over the run. */
typedef struct tally {
    dw_planner *p;
    uint64_t *engaged;          /* track ids engaged (sorted insert not needed: small) */
    double *survive;            /* 1 - pk of each engagement                         */
    double *value;              /* value of each engaged threat                      */
    size_t n_engaged, cap;
    double cost_eur, people;
    size_t over, over_avoidable;
    double ratio_sum;
    size_t ratio_n;
    double *plan_ms;
    size_t n_plans, cap_plans;
    size_t by_kind[DW_EFF_NKINDS];  /* engagements by effector kind */
} tally;

/* Every threat seen over the run, with its value when last seen. */
typedef struct seen {
    uint64_t *id;
    double *value;
    size_t n, cap;
} seen;

typedef struct run {
    dw_engine *eng;
    const dw_geog *geo;
    dw_plan_threats *threats;
    int64_t every_us, next_us;
    double commit_within_s;     /* approve only intercepts this close (seconds)      */
    tally t[NSTRAT];
    seen s;
    dw_plan_target *targets;
    size_t n_targets, cap_targets;
    int failed;
    size_t plans;
    /* --apply: one strategy, its approved engagements applied to the simulated world. */
    int only;                   /* the strategy planned, -1: all                      */
    dw_scenario *sc;
    struct shot {
        int64_t t_us;           /* the intercept                                      */
        double lat_deg, lon_deg, alt_m;
        double pk;
        int effector;
    } *shots;
    size_t n_shots, cap_shots, next_shot;
    uint64_t rng;
    size_t hits, misses, no_target;
    double debris_people;       /* people under where the killed drones fell          */
    size_t debris_over_site;
} run;

static int has_id(const uint64_t *ids, size_t n, uint64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

static void take_track(void *ctx, uint64_t id, const char *line, size_t len)
{
    run *r = ctx;
    dw_plan_target t;
    if (!dw_plan_threats_target(r->threats, id, line, len, &t) || !isfinite(t.deadline_s))
        return;             /* not a drone, or nothing of ours in reach within the horizon */
    dw_plan_target *nt = dw_grow(r->targets, &r->cap_targets, r->n_targets + 1, sizeof *nt, 64);
    if (!nt) {
        r->failed = 1;
        return;
    }
    r->targets = nt;
    r->targets[r->n_targets++] = t;
    /* remember it for the leakage over the run */
    for (size_t i = 0; i < r->s.n; i++)
        if (r->s.id[i] == id) {
            r->s.value[i] = t.value_eur + 0;
            return;
        }
    size_t c1 = r->s.cap, c2 = r->s.cap;
    uint64_t *ids = dw_grow(r->s.id, &c1, r->s.n + 1, sizeof *ids, 64);
    if (ids)
        r->s.id = ids;
    double *vals = dw_grow(r->s.value, &c2, r->s.n + 1, sizeof *vals, 64);
    if (vals)
        r->s.value = vals;
    if (!ids || !vals) {
        r->failed = 1;
        return;
    }
    r->s.cap = c1 < c2 ? c1 : c2;
    r->s.id[r->s.n] = id;
    r->s.value[r->s.n++] = t.value_eur;
}

static void plan_now(run *r, int64_t now_us)
{
    r->n_targets = 0;
    dw_engine_each_track(r->eng, take_track, r);
    if (r->failed)
        return;
    r->plans++;
    dw_plan_target *mine = malloc((r->n_targets ? r->n_targets : 1) * sizeof *mine);
    if (!mine) {
        r->failed = 1;
        return;
    }
    for (int k = 0; k < NSTRAT; k++) {
        if (r->only >= 0 && k != r->only)
            continue;
        tally *ty = &r->t[k];
        size_t n = 0;
        for (size_t i = 0; i < r->n_targets; i++)
            if (!has_id(ty->engaged, ty->n_engaged, r->targets[i].track_id))
                mine[n++] = r->targets[i];
        const dw_plan_rec *recs;
        size_t nr;
        dw_plan_summary sm;
        double t0 = wall_ms();
        if (dw_planner_plan(ty->p, mine, n, now_us, &recs, &nr, &sm) != DW_OK) {
            r->failed = 1;
            break;
        }
        double ms = wall_ms() - t0;
        double *pm = dw_grow(ty->plan_ms, &ty->cap_plans, ty->n_plans + 1, sizeof *pm, 64);
        if (!pm) {
            r->failed = 1;
            break;
        }
        ty->plan_ms = pm;
        ty->plan_ms[ty->n_plans++] = ms;
        ty->over += sm.over_populated;
        ty->over_avoidable += sm.over_populated_avoidable;
        for (size_t i = 0; i < nr; i++) {
            const dw_plan_rec *rc = &recs[i];
            if (has_id(ty->engaged, ty->n_engaged, rc->track_id))
                continue;       /* a second effector on the same threat (max_per_target 2) */
            /* The operator approves what is about to happen; an intercept further ahead is
             * left to a later plan, when the track has said where it really goes. */
            if (rc->t_intercept_s > r->commit_within_s)
                continue;
            if (dw_planner_commit(ty->p, rc->id, now_us) != DW_OK)
                continue;
            size_t c1 = ty->cap, c2 = ty->cap, c3 = ty->cap;
            uint64_t *e = dw_grow(ty->engaged, &c1, ty->n_engaged + 1, sizeof *e, 64);
            if (e)
                ty->engaged = e;
            double *sv = dw_grow(ty->survive, &c2, ty->n_engaged + 1, sizeof *sv, 64);
            if (sv)
                ty->survive = sv;
            double *vv = dw_grow(ty->value, &c3, ty->n_engaged + 1, sizeof *vv, 64);
            if (vv)
                ty->value = vv;
            if (!e || !sv || !vv) {
                r->failed = 1;
                break;
            }
            ty->cap = c1;
            double value = 0;
            for (size_t j = 0; j < n; j++)
                if (mine[j].track_id == rc->track_id)
                    value = mine[j].value_eur;
            if (r->only >= 0) {
                size_t cs = r->cap_shots;
                struct shot *sh = dw_grow(r->shots, &cs, r->n_shots + 1, sizeof *sh, 64);
                if (!sh) {
                    r->failed = 1;
                    break;
                }
                r->shots = sh;
                r->cap_shots = cs;
                r->shots[r->n_shots++] = (struct shot){now_us + (int64_t)llround(rc->t_intercept_s * 1e6),
                                                       rc->lat_deg, rc->lon_deg, rc->alt_m, rc->pk,
                                                       rc->effector};
            }
            ty->engaged[ty->n_engaged] = rc->track_id;
            ty->survive[ty->n_engaged] = 1.0 - rc->pk;
            ty->value[ty->n_engaged++] = value;
            ty->cost_eur += rc->cost_eur;
            {
                size_t ne = 0;
                const dw_effector *ef = dw_planner_effectors(ty->p, &ne);
                if (rc->effector >= 0 && (size_t)rc->effector < ne)
                    ty->by_kind[ef[rc->effector].kind]++;
            }
            ty->people += rc->people_at_risk;
            if (isfinite(rc->exchange_ratio)) {
                ty->ratio_sum += rc->exchange_ratio;
                ty->ratio_n++;
            }
        }
    }
    free(mine);
}

static void on_obs(void *ctx, const dw_obs *o)
{
    run *r = ctx;
    dw_engine_obs(r->eng, o);
}

static int is_drone(dw_class c)
{
    return c == DW_CLASS_OWA_DRONE || c == DW_CLASS_DECOY || c == DW_CLASS_QUADCOPTER;
}

static double rng01(run *r)
{
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 7;
    r->rng ^= r->rng << 17;
    return (double)(r->rng >> 11) / 9007199254740992.0;
}

/* Engagements whose intercept time has come: the drone nearest the intercept point (within
 * 3 km, at that instant) is killed with the engagement's kill chance, and its debris falls
 * where it was. Shots are in order of commitment, not of time: each is looked at once its
 * time is past. */
static void apply_shots(run *r, int64_t now_us)
{
    dw_sim_world *w = r->sc->world;
    for (size_t k = 0; k < r->n_shots; k++) {
        struct shot *sh = &r->shots[k];
        if (sh->t_us == INT64_MIN || sh->t_us > now_us)
            continue;
        int64_t t = sh->t_us;
        sh->t_us = INT64_MIN;   /* done */
        dw_sim_state hit;
        switch (dw_sim_world_engage(w, t, sh->lat_deg, sh->lon_deg, 3000.0, sh->pk, rng01(r), &hit)) {
        case DW_SIM_ENGAGE_NONE:
            r->no_target++;
            continue;
        case DW_SIM_ENGAGE_MISS:
            r->misses++;
            continue;
        case DW_SIM_ENGAGE_HIT:
            break;
        }
        r->hits++;
        double people = 0;
        int over = 0;
        char site[DW_GEOG_ID_MAX];
        if (dw_intercept_ground_risk(r->geo, hit.truth.lat_deg, hit.truth.lon_deg, hit.truth.alt_m,
                                     hit.truth.vel_enu_mps, &people, &over, site) == DW_OK) {
            r->debris_people += people;
            r->debris_over_site += over != 0;
        }
    }
}

static void on_progress(void *ctx, const dw_sim_progress *pg)
{
    run *r = ctx;
    if (r->only >= 0)
        apply_shots(r, pg->t_us);
    dw_engine_flush(r->eng);
    dw_engine_tick(r->eng, pg->t_us);
    if (r->next_us == INT64_MIN)
        r->next_us = pg->t_us + r->every_us;
    if (pg->t_us >= r->next_us && !r->failed) {
        plan_now(r, pg->t_us);
        r->next_us += r->every_us;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int cmd_plan(int argc, char **argv)
{
    const char *eff_path = "config/effectors.yaml", *out_path = NULL;
    double every_s = 30;
    int only = -1;
    double within_s = INFINITY;
    static const struct option opts[] = {
        {"effectors", required_argument, NULL, 'e'},
        {"every", required_argument, NULL, 'n'},
        {"out", required_argument, NULL, 'o'},
        {"apply", required_argument, NULL, 'a'},
        {"approve-within", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': eff_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'w': {
            char *end;
            within_s = strtod(optarg, &end);
            if (*end || !(within_s > 0)) {
                fprintf(stderr, "dronewall plan: --approve-within takes seconds above 0\n");
                return 2;
            }
            break;
        }
        case 'a':
            only = -1;
            for (int k = 0; k < NSTRAT; k++)
                if (!strcmp(optarg, strat_name[k]))
                    only = k;
            if (only < 0) {
                fprintf(stderr, "dronewall plan: --apply takes wta, fighters or nearest\n");
                return 2;
            }
            break;
        case 'n': {
            char *end;
            every_s = strtod(optarg, &end);
            if (*end || !(every_s >= 1 && every_s <= 3600)) {
                fprintf(stderr, "dronewall plan: --every takes 1 .. 3600 seconds\n");
                return 2;
            }
            break;
        }
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    const char *path = argv[optind];
    char err[512];
    int rc = 1;
    dw_scenario *sc = NULL;
    dw_effector *eff = NULL;
    size_t n_eff = 0;
    dw_geog *geo = NULL;
    run r;
    memset(&r, 0, sizeof r);
    r.every_us = (int64_t)llround(every_s * 1e6);
    r.next_us = INT64_MIN;
    r.only = only;
    /* Applied, an operator approves what is about to happen: 180 s unless told. */
    r.commit_within_s = isfinite(within_s) ? within_s : only >= 0 ? 180.0 : INFINITY;
    r.rng = 0x2545F4914F6CDD1DULL;

    if (dw_scenario_load(path, 0, &sc, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall plan: %s\n", err);
        return 1;
    }
    r.sc = sc;
    if (!sc->home[0] || !sc->n_geo_files) {
        fprintf(stderr, "dronewall plan: %s: the scenario has no assessment (home, geography)\n",
                path);
        goto done;
    }
    if (dw_effectors_load(eff_path, &eff, &n_eff, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall plan: %s\n", err);
        goto done;
    }
    if (dw_geog_create(&geo) != DW_OK)
        goto done;
    for (size_t i = 0; i < sc->n_geo_files; i++)
        if (dw_geog_load(geo, sc->geo_files[i], err, sizeof err) != DW_OK) {
            fprintf(stderr, "dronewall plan: %s\n", err);
            goto done;
        }
    if (dw_plan_threats_create(geo, sc->home, &r.threats, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall plan: %s\n", err);
        goto done;
    }
    r.geo = geo;

    size_t n_sens = 0;
    const dw_sim_sensor_info *si = dw_sim_sensors_table(sc->sensors, &n_sens);
    dw_sensor *sens = calloc(n_sens ? n_sens : 1, sizeof *sens);
    if (!sens)
        goto done;
    for (size_t i = 0; i < n_sens; i++)
        sens[i] = si[i].desc;
    dw_engine_config ec;
    memset(&ec, 0, sizeof ec);
    ec.sensors = sens;
    ec.n_sensors = n_sens;
    ec.pipeline = sc->tracker;
    ec.geo_files = (const char *const *)sc->geo_files;
    ec.n_geo_files = sc->n_geo_files;
    ec.rules_file = sc->rules_file;
    memcpy(ec.home, sc->home, sizeof ec.home);
    ec.effectors_file = NULL;       /* the engine's own planning is not what is measured */
    ec.plan_period_s = 10;
    dw_engine_sink sink;
    memset(&sink, 0, sizeof sink);
    dw_status st = dw_engine_create(&ec, &sink, &r.eng, err, sizeof err);
    free(sens);
    if (st != DW_OK) {
        fprintf(stderr, "dronewall plan: %s\n", err);
        goto done;
    }
    for (int k = 0; k < NSTRAT; k++) {
        dw_plan_config pc;
        dw_plan_config_default(&pc);
        pc.strategy = (dw_plan_strategy)k;
        if (dw_planner_create(eff, n_eff, geo, &pc, &r.t[k].p, err, sizeof err) != DW_OK) {
            fprintf(stderr, "dronewall plan: %s\n", err);
            goto done;
        }
    }

    dw_sim_options so;
    memset(&so, 0, sizeof so);
    so.track = 0;
    so.write_obs = 0;
    so.obs = on_obs;
    so.progress = on_progress;
    so.ctx = &r;
    dw_sim_progress pg;
    if (dw_sim_run(sc, &so, &pg, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall plan: %s\n", err);
        goto done;
    }
    if (r.failed) {
        fprintf(stderr, "dronewall plan: out of memory or a planner failed\n");
        goto done;
    }

    /* the figures */
    double leak[NSTRAT], leak_val[NSTRAT], p50[NSTRAT], pmax[NSTRAT];
    for (int k = 0; k < NSTRAT; k++) {
        tally *ty = &r.t[k];
        leak[k] = leak_val[k] = 0;
        for (size_t i = 0; i < r.s.n; i++) {
            double sv = 1.0, v = r.s.value[i];
            for (size_t j = 0; j < ty->n_engaged; j++)
                if (ty->engaged[j] == r.s.id[i]) {
                    sv = ty->survive[j];
                    v = ty->value[j];
                }
            leak[k] += sv;
            leak_val[k] += sv * v;
        }
        p50[k] = pmax[k] = 0;
        if (ty->n_plans) {
            qsort(ty->plan_ms, ty->n_plans, sizeof *ty->plan_ms, cmp_double);
            p50[k] = ty->plan_ms[ty->n_plans / 2];
            pmax[k] = ty->plan_ms[ty->n_plans - 1];
        }
    }
    printf("%s: %zu plans every %.0f s, %zu threat tracks seen\n", path, r.plans, every_s, r.s.n);
    size_t drones = 0, killed_drones = 0;
    if (only >= 0) {
        /* Scored against the truth: which drones the engagements really brought down. */
        size_t nt = dw_sim_world_count(sc->world);
        for (size_t i = 0; i < nt; i++) {
            dw_sim_state ws;
            int seen_any = 0;
            for (int64_t t = sc->start_us; t <= sc->end_us; t += 60 * 1000000LL)
                if (dw_sim_world_state(sc->world, i, t, &ws)) {
                    seen_any = 1;
                    break;
                }
            if (!seen_any || !is_drone(ws.truth.cls))
                continue;
            drones++;
        }
        killed_drones = r.hits;
        printf("applied (%s): %zu engagements approved, %zu reached their intercept before the "
               "end: %zu drones brought down, %zu missed, %zu found no drone at the intercept "
               "point; %zu of %zu drones not brought down; debris of the killed drones over "
               "%.1f people in all, %zu on a site or city\n",
               strat_name[only], r.n_shots, r.hits + r.misses + r.no_target, r.hits, r.misses,
               r.no_target, drones - killed_drones, drones, r.debris_people, r.debris_over_site);
    }
    printf("%-9s %8s %14s %9s %14s %8s %10s %9s %10s %10s\n", "strategy", "engaged", "cost EUR",
           "leakage", "leak value EUR", "over pop", "avoidable", "mean CER", "plan p50 ms",
           "max ms");
    for (int k = 0; k < NSTRAT; k++) {
        tally *ty = &r.t[k];
        if (only >= 0 && k != only)
            continue;
        printf("%-9s %8zu %14.0f %9.2f %14.0f %8zu %10zu %9.2f %10.2f %10.2f\n", strat_name[k],
               ty->n_engaged, ty->cost_eur, leak[k], leak_val[k], ty->over, ty->over_avoidable,
               ty->ratio_n ? ty->ratio_sum / (double)ty->ratio_n : 0.0, p50[k], pmax[k]);
    }
    for (int k = 0; k < NSTRAT; k++) {
        if (only >= 0 && k != only)
            continue;
        printf("%-9s by kind:", strat_name[k]);
        for (int q = 0; q < DW_EFF_NKINDS; q++)
            if (r.t[k].by_kind[q])
                printf(" %s %zu", dw_effector_kind_name((dw_effector_kind)q), r.t[k].by_kind[q]);
        printf("\n");
    }
    if (out_path) {
        json_t *root = json_object();
        json_object_set_new(root, "scenario", json_string(path));
        json_object_set_new(root, "every_s", json_real(every_s));
        json_object_set_new(root, "plans", json_integer((json_int_t)r.plans));
        json_object_set_new(root, "threat_tracks", json_integer((json_int_t)r.s.n));
        json_object_set_new(root, "picture", json_string("engine"));
        json_t *arr = json_array();
        for (int k = 0; k < NSTRAT; k++) {
            tally *ty = &r.t[k];
            if (only >= 0 && k != only)
                continue;
            json_t *o = json_object();
            if (only >= 0) {
                json_t *ap = json_object();
                json_object_set_new(ap, "approved", json_integer((json_int_t)r.n_shots));
                json_object_set_new(ap, "brought_down", json_integer((json_int_t)r.hits));
                json_object_set_new(ap, "missed", json_integer((json_int_t)r.misses));
                json_object_set_new(ap, "no_drone_at_intercept", json_integer((json_int_t)r.no_target));
                json_object_set_new(ap, "drones", json_integer((json_int_t)drones));
                json_object_set_new(ap, "debris_people", json_real(r.debris_people));
                json_object_set_new(ap, "debris_over_site", json_integer((json_int_t)r.debris_over_site));
                json_object_set_new(o, "applied", ap);
            }
            json_object_set_new(o, "strategy", json_string(strat_name[k]));
            json_object_set_new(o, "engaged", json_integer((json_int_t)ty->n_engaged));
            json_object_set_new(o, "cost_eur", json_real(ty->cost_eur));
            json_object_set_new(o, "expected_leakage", json_real(leak[k]));
            json_object_set_new(o, "leakage_value_eur", json_real(leak_val[k]));
            json_object_set_new(o, "people_at_risk", json_real(ty->people));
            json_object_set_new(o, "over_populated", json_integer((json_int_t)ty->over));
            json_object_set_new(o, "over_populated_avoidable",
                                json_integer((json_int_t)ty->over_avoidable));
            json_object_set_new(o, "mean_exchange_ratio",
                                json_real(ty->ratio_n ? ty->ratio_sum / (double)ty->ratio_n : 0));
            json_object_set_new(o, "plan_ms_p50", json_real(p50[k]));
            json_object_set_new(o, "plan_ms_max", json_real(pmax[k]));
            json_t *bk = json_object();
            for (int q = 0; q < DW_EFF_NKINDS; q++)
                if (ty->by_kind[q])
                    json_object_set_new(bk, dw_effector_kind_name((dw_effector_kind)q),
                                        json_integer((json_int_t)ty->by_kind[q]));
            json_object_set_new(o, "engagements_by_kind", bk);
            json_array_append_new(arr, o);
        }
        json_object_set_new(root, "strategies", arr);
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
        if (json_dump_file(root, tmp, JSON_INDENT(2)) != 0 || rename(tmp, out_path) != 0) {
            fprintf(stderr, "dronewall plan: cannot write %s\n", out_path);
            json_decref(root);
            goto done;
        }
        json_decref(root);
    }
    rc = 0;
done:
    for (int k = 0; k < NSTRAT; k++) {
        dw_planner_destroy(r.t[k].p);
        free(r.t[k].engaged);
        free(r.t[k].survive);
        free(r.t[k].value);
        free(r.t[k].plan_ms);
    }
    free(r.shots);
    free(r.s.id);
    free(r.s.value);
    free(r.targets);
    dw_engine_destroy(r.eng);
    dw_plan_threats_destroy(r.threats);
    dw_geog_destroy(geo);
    dw_effectors_free(eff);
    dw_scenario_destroy(sc);
    return rc;
}

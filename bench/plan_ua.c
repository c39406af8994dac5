/* dw_bench_plan_ua — the response planner on the real picture of the 810-drone night.
 *
 *   dw_bench_plan_ua [--scenario F] [--effectors F] [--root DIR] [--at T] [--replans R]
 *                    [--small S] [--bound-ms B] [--threats-only] [--scan]
 *
 * bench/wta.c times the assignment on synthetic options; this runs scenarios/ua-2025-09-07.yaml
 * (810 drones over Ukraine, 6-7 Sept 2025) through the simulator, the daemon's engine
 * (pipeline and assessment) and the planner, with config/effectors-ua.yaml, and measures
 * the re-plan's time and gap on what the engine really sees (docs/respond.md "The 810-drone night").
 * Paths are relative to --root, else $DW_SOURCE_DIR, else the first of ., .., ../.. that
 * holds the scenario.
 *
 *  1. A first pass over the simulated truth (every 60 s) finds the minute with the most
 *     drones in the air. The ua scenario has no assessment section, so the bench gives the
 *     engine one: home UA; data/geo borders and regions; the scenario's cities and air bases
 *     as protected sites, written to a scratch GeoJSON with populations [assumed]; a few
 *     wartime identification rules, written to a scratch YAML.
 *  2. The scenario runs in process into a dw_engine (as `dronewall plan` does) and the
 *     picture is kept at every report instant from 20 minutes before that minute to 5 minutes
 *     after it (--at T: from T seconds after the start) and R instants more: every confirmed or
 *     coasting drone track that is not friendly or neutral becomes a dw_plan_target by
 *     plan.h's rule (dw_plan_threats_target, as `dronewall plan`); a track whose course
 *     reaches no site within the hour gets no deadline and the loose-drone value
 *     (--threats-only leaves it out, as `dronewall plan` does).
 *  3. The kept picture with the most hostile or suspect drone tracks (or the first, with --at)
 *     and the R after it are planned by dw_planner_plan over ALL their threats and ALL the
 *     effectors (strategy wta, the previous plan kept, switch penalty 10,000 EUR, nothing
 *     committed): the first plan sets the scene, the R re-plans are timed, one core.
 *  4. The split: the planner does not expose its options, so the bench costs the same options
 *     again through the public API (dw_intercept_solve, dw_intercept_cost,
 *     dw_intercept_ground_risk, as docs/respond.md "Options" describes), times that by part,
 *     and times dw_wta_solve on the resulting problem.
 *  5. On S sub-instances drawn from the first picture's real options (4-6 effectors and 6-10
 *     threats near each other, at most 30 options), the heuristic's gap to dw_wta_solve_exact,
 *     with the effectors' real magazines and again with magazines of 1-3 rounds.
 *
 * --scan instead runs the whole night and reports the minute with the most hostile or
 * suspect drone tracks (about 4 minutes). The last line is one JSON object with the figures.
 * Like app/, a benchmark reads the clock.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_tmp.h"
#include "dronewall/engine.h"
#include "dronewall/geo.h"
#include "dronewall/intercept.h"
#include "dronewall/plan.h"
#include "dronewall/sim.h"
#include "dronewall/threat.h"
#include "dronewall/wta.h"

#define MAX_REPLANS 1000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + 1e-6 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int is_drone(dw_class c)
{
    return c == DW_CLASS_OWA_DRONE || c == DW_CLASS_DECOY || c == DW_CLASS_QUADCOPTER;
}

/* ---- the assessment the scenario lacks ------------------------------------------- */

/* Populations: rounded pre-2022 estimates (general geography) [assumed]; radii of the
 * zones by size [assumed]. Names as the scenario's places. */
static const struct {
    const char *place;
    double population;
} city_pop[] = {
    {"Kyiv", 2950000},       {"Kharkiv", 1430000},   {"Odesa", 1010000},      {"Dnipro", 980000},
    {"Zaporizhzhia", 720000}, {"Lviv", 720000},      {"Kryvyi-Rih", 610000},  {"Mykolaiv", 470000},
    {"Chernihiv", 285000},   {"Poltava", 285000},    {"Cherkasy", 270000},    {"Khmelnytskyi", 275000},
    {"Zhytomyr", 265000},    {"Sumy", 260000},       {"Rivne", 245000},       {"Ternopil", 225000},
    {"Kremenchuk", 215000},  {"Lutsk", 215000},      {"Bila-Tserkva", 205000}, {"Pavlohrad", 105000},
    {"Izmail", 70000},       {"Starokostiantyniv", 35000},
};

static double city_radius_m(double pop)
{
    return pop >= 2e6 ? 15000 : pop >= 7e5 ? 10000 : pop >= 2e5 ? 6000 : 4000; /* [assumed] */
}

/* The scratch GeoJSON of protected sites and the rules; 0 or -1. */
static int write_assessment(const dw_scenario *sc, const char *dir, char *geo_path, char *rules_path,
                            size_t len, size_t *n_sites)
{
    snprintf(geo_path, len, "%s/ua-protected.geojson", dir);
    snprintf(rules_path, len, "%s/ua-identification.yaml", dir);
    FILE *f = fopen(geo_path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[");
    size_t n = 0;
    for (size_t i = 0; i < sc->n_places; i++) {
        const dw_sim_place *pl = &sc->places[i];
        double pop = 0, radius;
        const char *kind;
        if (!strcmp(pl->kind, "city")) {
            for (size_t k = 0; k < sizeof city_pop / sizeof city_pop[0]; k++)
                if (!strcmp(city_pop[k].place, pl->name))
                    pop = city_pop[k].population;
            kind = "city";
            radius = city_radius_m(pop);
        } else if (!strcmp(pl->kind, "airport") && strstr(pl->label, "air base")) {
            kind = "base";
            radius = 5000; /* as pl-protected.geojson's bases [assumed] */
        } else {
            continue;
        }
        fprintf(f, "%s{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.4f,%.4f]},"
                   "\"properties\":{\"id\":\"%s-%s\",\"name\":\"%s\",\"kind\":\"%s\",\"country\":\"UA\","
                   "\"radius_m\":%.0f",
                n ? "," : "", pl->lon_deg, pl->lat_deg, !strcmp(kind, "city") ? "CITY" : "BASE", pl->name,
                pl->name, kind, radius);
        if (pop > 0)
            fprintf(f, ",\"population\":%.0f", pop);
        fprintf(f, "}}");
        n++;
    }
    fprintf(f, "]}\n");
    if (fclose(f) != 0)
        return -1;
    f = fopen(rules_path, "w");
    if (!f)
        return -1;
    /* A country at war: every drone that does not identify itself is suspect, and hostile
     * once its path reaches a city or a base (verification first, as the PL rules). */
    fputs("rules:\n"
          "  - name: cooperative-civil\n"
          "    when: {cooperative: true, drone: false, class: [airliner, light_aircraft, helicopter],\n"
          "           affiliation: [pending, unknown, neutral, suspect]}\n"
          "    set: neutral\n"
          "    may_lower: true\n"
          "  - name: own-military\n"
          "    when: {has_squawk: true, drone: false, class: [fighter, helicopter]}\n"
          "    set: assumed_friend\n"
          "  - name: birds\n"
          "    when: {class: [bird], drone: false}\n"
          "    set: neutral\n"
          "  - name: drone-heading-for-a-city-or-base\n"
          "    when: {drone: true, affiliation: [suspect], threatens: [base, city]}\n"
          "    set: hostile\n"
          "  - name: drone-not-identified\n"
          "    when: {drone: true, cooperative: false}\n"
          "    set: suspect\n"
          "  - name: not-identified\n"
          "    set: unknown\n",
          f);
    if (fclose(f) != 0)
        return -1;
    *n_sites = n;
    return 0;
}

/* ---- the run ---------------------------------------------------------------------- */

typedef struct cand {           /* one costed option, as the planner's build_cands */
    uint32_t e, j;
    double pk, cost, risk, t0, t1;
    int shots;
    double lat, lon;            /* the intercept point */
} cand;

typedef struct bench {
    dw_engine *eng;
    dw_geog *geo;
    dw_plan_threats *threats;
    dw_planner *planner;
    dw_effector *eff;
    size_t n_eff;
    int64_t start_us, busy_us, period_us, next_us;
    int64_t win0_us, win1_us;   /* the pictures are kept over [win0, win1]              */
    int replans, done_plans;    /* plans made: the first + replans */
    /* the pictures kept, one a report instant */
    struct snap {
        int64_t t_us;
        dw_plan_target *tg;
        size_t n_tg, tracks, live, drones, hostile, suspect, other, no_site;
        size_t by_class[DW_NCLASSES];
    } *snaps;
    size_t n_snaps, cap_snaps;
    volatile int stop;
    int failed;
    double sim_ms_to_busy, t_start_ms;
    /* the targets of the moment */
    dw_plan_target *tg;
    size_t n_tg, cap_tg;
    size_t drone_tracks, hostile, suspect, other_aff, no_site;
    size_t all_tracks, live_tracks, by_class[DW_NCLASSES];
    int all_drones;             /* also the drone tracks with no site in reach (default;
                                   --threats-only: as dronewall plan, without them)    */
    int scan;                   /* --scan: count hostile/suspect drone tracks every 60 s  */
    int64_t scan_next_us, scan_best_us;
    size_t scan_best, scan_best_threats;
    /* figures per re-plan */
    double plan_ms[MAX_REPLANS + 1], cost_ms[MAX_REPLANS + 1], solve_ms[MAX_REPLANS + 1];
    double icpt_ms[MAX_REPLANS + 1], eng_ms[MAX_REPLANS + 1], risk_ms[MAX_REPLANS + 1];
    double gap[MAX_REPLANS + 1], my_gap[MAX_REPLANS + 1];
    double open_ms[MAX_REPLANS + 1], check_ms[MAX_REPLANS + 1];
    size_t open_n[MAX_REPLANS + 1];
    size_t n_threats[MAX_REPLANS + 1], n_opts[MAX_REPLANS + 1], n_pairs[MAX_REPLANS + 1];
    size_t n_recs[MAX_REPLANS + 1];
    dw_plan_summary last;
    /* the replica's options and its previous choice per track (for its own re-plans) */
    cand *cs;
    size_t n_cs, cap_cs;
    uint64_t *prev_track;
    int32_t *prev_eff;
    size_t n_prev;
    /* the options at the first plan, kept for the small instances */
    cand *cs0;
    size_t n_cs0;
    dw_plan_target *tg0;
    size_t n_tg0;
} bench;

static void take_track(void *ctx, uint64_t id, const char *line, size_t len)
{
    bench *b = ctx;
    json_error_t je;
    json_t *o = json_loadb(line, len, 0, &je);
    if (!o)
        return;
    const char *cls_s = json_string_value(json_object_get(o, "class"));
    const char *aff = json_string_value(json_object_get(o, "affiliation"));
    const char *status = json_string_value(json_object_get(o, "status"));
    json_t *vel = json_object_get(o, "vel_enu_mps");
    dw_class cls;
    b->all_tracks++;
    if (!status || !strcmp(status, "confirmed") || !strcmp(status, "coasting")) {
        b->live_tracks++;
        if (cls_s && dw_class_parse(cls_s, &cls) == 0 && (unsigned)cls < DW_NCLASSES)
            b->by_class[cls]++;
    }
    if (!cls_s || dw_class_parse(cls_s, &cls) != 0 || !is_drone(cls) || !json_is_array(vel) ||
        json_array_size(vel) != 3 || (status && strcmp(status, "confirmed") && strcmp(status, "coasting"))) {
        json_decref(o);
        return;
    }
    b->drone_tracks++;
    int hostile = aff && !strcmp(aff, "hostile"), suspect = aff && !strcmp(aff, "suspect");
    json_decref(o);
    dw_plan_target t;
    if (!dw_plan_threats_target(b->threats, id, line, len, &t))
        return;                 /* friend, assumed friend or neutral */
    b->hostile += (size_t)hostile;
    b->suspect += (size_t)suspect;
    b->other_aff += (size_t)(!hostile && !suspect);
    if (!isfinite(t.deadline_s)) {
        b->no_site++;
        if (!b->all_drones)
            return;             /* kept with plan.h's loose-drone value otherwise */
    }
    if (b->n_tg == b->cap_tg) {
        size_t cap = b->cap_tg ? 2 * b->cap_tg : 1024;
        dw_plan_target *n = realloc(b->tg, cap * sizeof *n);
        if (!n) {
            b->failed = 1;
            return;
        }
        b->tg = n, b->cap_tg = cap;
    }
    b->tg[b->n_tg++] = t;
}

/* Whether an intercept's debris footprint (docs/respond.md "Ground risk": at most
 * 2 x throw + scatter along the track, scatter across) can touch a feature that changes the
 * answer: one with a population, or a site (any kind but country and region). When not,
 * the grid's answer is the rural background times the ellipse's area, and the 21 x 21 grid
 * of dw_intercept_ground_risk is work that an early exit could skip. */
static int footprint_open(const dw_geog *g, double lat, double lon, double alt, const double v[3])
{
    double h = alt > 0 ? alt : 0, tf = sqrt(2 * h / 9.80665), vh = hypot(v[0], v[1]);
    double r = vh * tf + 2 * (50 + 0.05 * h) + 100; /* + 100 m of slack */
    double dlat = r / 110000.0, dlon = r / (110000.0 * cos(lat * M_PI / 180.0));
    size_t n = dw_geog_count(g);
    for (size_t i = 0; i < n; i++) {
        const dw_geog_feature *ft = dw_geog_get(g, i);
        int matters = (isfinite(ft->population) && ft->population > 0) ||
                      (strcmp(ft->kind, "country") && strcmp(ft->kind, "region"));
        if (matters && lat + dlat >= ft->min_lat_deg && lat - dlat <= ft->max_lat_deg &&
            lon + dlon >= ft->min_lon_deg && lon - dlon <= ft->max_lon_deg)
            return 0;
    }
    return 1;
}

/* The options the planner costs, costed again through the public API (docs/respond.md
 * "Options"), timed by part. Nothing is committed in this bench, so an effector is ready
 * after what is left of its readiness. */
static int cost_options(bench *b, int64_t now_us, int64_t t0_us, int k)
{
    b->n_cs = 0;
    size_t pairs = 0;
    double t_icpt = 0, t_eng = 0, t_risk = 0, t_risk_open = 0, t_check = 0;
    size_t n_open = 0;
    dw_plan_config pc;
    dw_plan_config_default(&pc);
    double t_all = now_ms();
    for (size_t j = 0; j < b->n_tg; j++) {
        const dw_plan_target *t = &b->tg[j];
        dw_intercept_target it = {{t->lat_deg, t->lon_deg, t->alt_m},
                                  {t->vel_enu_mps[0], t->vel_enu_mps[1], t->vel_enu_mps[2]}};
        dw_intercept_limits lim = {t->deadline_s};
        double tv = dw_threat_value_eur(t->cls);
        for (size_t i = 0; i < b->n_eff; i++) {
            const dw_effector *e = &b->eff[i];
            if (e->magazine == 0)
                continue;
            double ready = e->ready_in_s - (double)(now_us - t0_us) / 1e6;
            if (!(ready > 0))
                ready = 0;
            pairs++;
            dw_intercept ic;
            double a = now_ms();
            int ok = dw_intercept_solve(e, &it, ready, &lim, &ic) == DW_OK && ic.feasible;
            double c1 = now_ms();
            t_icpt += c1 - a;
            if (!ok)
                continue;
            double avail = lim.deadline_s - ic.t_launch_s;
            if (!isfinite(avail))
                avail = 3600.0;
            dw_engagement en;
            ok = dw_intercept_cost(e, t->cls, pc.p_required, avail, ic.flight_time_s, tv, &en) == DW_OK &&
                 en.shots > 0;
            double c2 = now_ms();
            t_eng += c2 - c1;
            if (!ok)
                continue;
            double people = 0;
            int over = 0;
            char site[DW_GEOG_ID_MAX];
            if (dw_intercept_ground_risk(b->geo, ic.point.lat_deg, ic.point.lon_deg, ic.point.alt_m, it.vel_enu,
                                         &people, &over, site) != DW_OK)
                people = 0, over = 0;
            double c3 = now_ms();
            t_risk += c3 - c2;
            int open = footprint_open(b->geo, ic.point.lat_deg, ic.point.lon_deg, ic.point.alt_m, it.vel_enu);
            t_check += now_ms() - c3;
            if (open) {
                n_open++;
                t_risk_open += c3 - c2;
            }
            if (b->n_cs == b->cap_cs) {
                size_t cap = b->cap_cs ? 2 * b->cap_cs : 4096;
                cand *n = realloc(b->cs, cap * sizeof *n);
                if (!n)
                    return -1;
                b->cs = n, b->cap_cs = cap;
            }
            int salvos = en.salvo > 0 ? (en.shots + en.salvo - 1) / en.salvo : 1;
            if (salvos < 1)
                salvos = 1;
            double risk_eur = people * pc.harm_per_person * pc.eur_per_person + (over ? pc.over_site_eur : 0);
            double busy_to = ic.t_intercept_s + e->assess_s + (salvos - 1) * (ic.flight_time_s + e->assess_s);
            b->cs[b->n_cs++] = (cand){(uint32_t)i, (uint32_t)j, en.pk_achieved, en.cost_eur, risk_eur,
                                      ic.t_launch_s, busy_to, en.shots, ic.point.lat_deg, ic.point.lon_deg};
        }
    }
    b->cost_ms[k] = now_ms() - t_all;
    b->cost_ms[k] -= t_check; /* the check is the bench's, not the planner's */
    b->icpt_ms[k] = t_icpt, b->eng_ms[k] = t_eng, b->risk_ms[k] = t_risk;
    b->open_n[k] = n_open, b->open_ms[k] = t_risk_open, b->check_ms[k] = t_check;
    b->n_pairs[k] = pairs;
    b->n_opts[k] = b->n_cs;
    return 0;
}

static double target_value(const dw_plan_target *t)
{
    return (isfinite(t->value_eur) && t->value_eur > 0 ? t->value_eur : 0) + dw_threat_value_eur(t->cls);
}

/* dw_wta_solve on the replica's options, with its own last choice as `previous`. */
static int solve_replica(bench *b, int k)
{
    size_t nc = b->n_cs, n = b->n_tg;
    dw_wta_option *o = malloc((nc ? nc : 1) * sizeof *o);
    uint32_t *mag = malloc((b->n_eff ? b->n_eff : 1) * sizeof *mag);
    double *val = malloc((n ? n : 1) * sizeof *val);
    int32_t *prev = malloc((n ? n : 1) * sizeof *prev);
    if (!o || !mag || !val || !prev) {
        free(o), free(mag), free(val), free(prev);
        return -1;
    }
    double t0 = now_ms(); /* building the problem is part of the planner's work too */
    for (size_t m = 0; m < nc; m++) {
        const cand *c = &b->cs[m];
        o[m] = (dw_wta_option){c->e, c->j, c->pk, (uint32_t)c->shots, c->cost, c->risk, c->t0, c->t1};
    }
    for (size_t i = 0; i < b->n_eff; i++)
        mag[i] = b->eff[i].magazine < 0 ? 1000000u : (uint32_t)b->eff[i].magazine;
    for (size_t j = 0; j < n; j++) {
        val[j] = target_value(&b->tg[j]);
        prev[j] = -1;
    }
    /* previous: option index of (track, effector) chosen last time; tracks sorted? no: a
     * linear map over the last choices (a few hundred), then one pass over the options */
    for (size_t m = 0; m < nc; m++) {
        const cand *c = &b->cs[m];
        uint64_t id = b->tg[c->j].track_id;
        for (size_t q = 0; q < b->n_prev; q++)
            if (b->prev_track[q] == id) {
                if (b->prev_eff[q] == (int32_t)c->e)
                    prev[c->j] = (int32_t)m;
                break;
            }
    }
    dw_wta_problem p = {o, nc, b->n_eff, n, mag, val, 1, prev, 10000.0};
    dw_wta_plan plan;
    dw_status st = dw_wta_solve(&p, &plan);
    b->solve_ms[k] = now_ms() - t0;
    if (st == DW_OK) {
        b->my_gap[k] = plan.gap;
        uint64_t *pt = realloc(b->prev_track, (plan.n_chosen ? plan.n_chosen : 1) * sizeof *pt);
        int32_t *pe = realloc(b->prev_eff, (plan.n_chosen ? plan.n_chosen : 1) * sizeof *pe);
        if (pt)
            b->prev_track = pt;
        if (pe)
            b->prev_eff = pe;
        if (pt && pe) {
            for (size_t q = 0; q < plan.n_chosen; q++) {
                b->prev_track[q] = b->tg[o[plan.chosen[q]].target].track_id;
                b->prev_eff[q] = (int32_t)o[plan.chosen[q]].effector;
            }
            b->n_prev = plan.n_chosen;
        }
        dw_wta_plan_free(&plan);
    }
    free(o), free(mag), free(val), free(prev);
    return st == DW_OK ? 0 : -1;
}

static int64_t t0_planner = INT64_MIN;

/* The picture of the moment, kept (the engine moves on). */
static void keep_picture(bench *b, int64_t now_us)
{
    b->n_tg = 0;
    b->drone_tracks = b->hostile = b->suspect = b->other_aff = b->no_site = 0;
    b->all_tracks = b->live_tracks = 0;
    memset(b->by_class, 0, sizeof b->by_class);
    dw_engine_each_track(b->eng, take_track, b);
    if (b->failed)
        return;
    if (b->n_snaps == b->cap_snaps) {
        size_t cap = b->cap_snaps ? 2 * b->cap_snaps : 256;
        struct snap *n = realloc(b->snaps, cap * sizeof *n);
        if (!n) {
            b->failed = 1;
            return;
        }
        b->snaps = n, b->cap_snaps = cap;
    }
    struct snap *sn = &b->snaps[b->n_snaps];
    memset(sn, 0, sizeof *sn);
    sn->tg = malloc((b->n_tg ? b->n_tg : 1) * sizeof *sn->tg);
    if (!sn->tg) {
        b->failed = 1;
        return;
    }
    memcpy(sn->tg, b->tg, b->n_tg * sizeof *b->tg);
    sn->t_us = now_us;
    sn->n_tg = b->n_tg, sn->tracks = b->all_tracks, sn->live = b->live_tracks, sn->drones = b->drone_tracks;
    sn->hostile = b->hostile, sn->suspect = b->suspect, sn->other = b->other_aff, sn->no_site = b->no_site;
    memcpy(sn->by_class, b->by_class, sizeof sn->by_class);
    b->n_snaps++;
}

static void plan_here(bench *b, const struct snap *sn)
{
    int k = b->done_plans;
    int64_t now_us = sn->t_us;
    b->n_tg = sn->n_tg;
    memcpy(b->tg, sn->tg, sn->n_tg * sizeof *b->tg);
    if (t0_planner == INT64_MIN)
        t0_planner = now_us;
    const dw_plan_rec *recs;
    size_t nr;
    dw_plan_summary sm;
    double t0 = now_ms();
    if (dw_planner_plan(b->planner, b->tg, b->n_tg, now_us, &recs, &nr, &sm) != DW_OK) {
        b->failed = 1;
        return;
    }
    b->plan_ms[k] = now_ms() - t0;
    b->gap[k] = sm.gap;
    b->n_recs[k] = nr;
    b->n_threats[k] = b->n_tg;
    b->last = sm;
    if (cost_options(b, now_us, t0_planner, k) != 0 || solve_replica(b, k) != 0) {
        b->failed = 1;
        return;
    }
    if (k == 0) { /* keep the first picture's options for the small instances */
        b->cs0 = malloc((b->n_cs ? b->n_cs : 1) * sizeof *b->cs0);
        b->tg0 = malloc((b->n_tg ? b->n_tg : 1) * sizeof *b->tg0);
        if (!b->cs0 || !b->tg0) {
            b->failed = 1;
            return;
        }
        memcpy(b->cs0, b->cs, b->n_cs * sizeof *b->cs);
        memcpy(b->tg0, b->tg, b->n_tg * sizeof *b->tg);
        b->n_cs0 = b->n_cs, b->n_tg0 = b->n_tg;
        printf("the picture at start+%.0f s: %zu tracks, %zu confirmed or coasting (",
               (double)(now_us - b->start_us) / 1e6, sn->tracks, sn->live);
        for (int q = 0, first = 1; q < DW_NCLASSES; q++)
            if (sn->by_class[q]) {
                printf("%s%zu %s", first ? "" : ", ", sn->by_class[q], dw_class_name((dw_class)q));
                first = 0;
            }
        printf("); %zu drone tracks not friendly or neutral (%zu hostile, %zu suspect, %zu other): %zu "
               "threats planned; the %zu with no site in reach within the hour %s\n",
               sn->drones, sn->hostile, sn->suspect, sn->other, sn->n_tg, sn->no_site,
               b->all_drones ? "kept (deadline none, EUR 1M: plan.h's loose-drone value)"
                             : "left out (--threats-only, as dronewall plan)");
        fflush(stdout);
    }
    b->done_plans++;
}

static void on_obs(void *ctx, const dw_obs *o)
{
    bench *b = ctx;
    dw_engine_obs(b->eng, o);
}

static void on_progress(void *ctx, const dw_sim_progress *pg)
{
    bench *b = ctx;
    dw_engine_flush(b->eng);
    dw_engine_tick(b->eng, pg->t_us);
    if (b->scan) {
        if (pg->t_us >= b->scan_next_us) {
            b->n_tg = 0;
            b->drone_tracks = b->hostile = b->suspect = b->other_aff = b->no_site = 0;
            b->all_tracks = b->live_tracks = 0;
            dw_engine_each_track(b->eng, take_track, b);
            size_t hs = b->hostile + b->suspect;
            if (hs > b->scan_best)
                b->scan_best = hs, b->scan_best_us = pg->t_us, b->scan_best_threats = b->n_tg - b->no_site;
            b->scan_next_us = pg->t_us + 60 * 1000000LL;
        }
        return;
    }
    if (pg->t_us < b->win0_us || b->failed)
        return;
    if (b->n_snaps == 0) {
        b->sim_ms_to_busy = now_ms() - b->t_start_ms;
        b->next_us = pg->t_us;
    }
    if (pg->t_us >= b->next_us) {
        keep_picture(b, pg->t_us);
        b->next_us += b->period_us;
    }
    if (pg->t_us >= b->win1_us || b->failed)
        b->stop = 1;
}

/* ---- small instances from the real options --------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

typedef struct small_res {
    int solved, refused, optimal, trivial;
    double sum, worst, p90, sum_own;
    uint64_t max_nodes;
    double *g;
} small_res;

/* One sub-instance around a random real option: its effector and the effectors with the
 * most options on threats within 40 km of its threat (4-6 in all), the threats with the
 * most options among those (6-10), at most 30 options. scarce: magazines of 1-3. */
static int small_one(const bench *b, int scarce, small_res *r)
{
    if (b->n_cs0 == 0)
        return -1;
    const cand *seed = &b->cs0[(size_t)(uniform() * (double)b->n_cs0) % b->n_cs0];
    const dw_plan_target *t0 = &b->tg0[seed->j];
    size_t ne_want = 4 + (size_t)(uniform() * 3), nt_want = 6 + (size_t)(uniform() * 5);
    /* effectors: count options on nearby threats */
    size_t *score = calloc(b->n_eff, sizeof *score);
    uint8_t *near = calloc(b->n_tg0 ? b->n_tg0 : 1, 1);
    if (!score || !near) {
        free(score), free(near);
        return -1;
    }
    dw_geodetic g0 = {t0->lat_deg, t0->lon_deg, 0};
    for (size_t j = 0; j < b->n_tg0; j++) {
        dw_geodetic g1 = {b->tg0[j].lat_deg, b->tg0[j].lon_deg, 0};
        double d = 0;
        dw_geo_inverse(&g0, &g1, &d, NULL, NULL);
        near[j] = d < 40000.0;
    }
    for (size_t m = 0; m < b->n_cs0; m++)
        if (near[b->cs0[m].j])
            score[b->cs0[m].e]++;
    uint32_t es[6];
    size_t ne = 0;
    es[ne++] = seed->e;
    score[seed->e] = 0;
    while (ne < ne_want) {
        size_t best = SIZE_MAX, bs = 0;
        for (size_t i = 0; i < b->n_eff; i++)
            if (score[i] > bs)
                bs = score[i], best = i;
        if (best == SIZE_MAX)
            break;
        es[ne++] = (uint32_t)best;
        score[best] = 0;
    }
    /* threats: options among those effectors */
    size_t *tsc = calloc(b->n_tg0 ? b->n_tg0 : 1, sizeof *tsc);
    if (!tsc) {
        free(score), free(near);
        return -1;
    }
    for (size_t m = 0; m < b->n_cs0; m++)
        for (size_t q = 0; q < ne; q++)
            if (b->cs0[m].e == es[q])
                tsc[b->cs0[m].j]++;
    uint32_t ts[10];
    size_t nt = 0;
    ts[nt++] = seed->j;
    tsc[seed->j] = 0;
    while (nt < nt_want) {
        size_t best = SIZE_MAX, bs = 0;
        for (size_t j = 0; j < b->n_tg0; j++)
            if (tsc[j] > bs || (tsc[j] == bs && bs > 0 && near[j] && best != SIZE_MAX && !near[best]))
                bs = tsc[j], best = j;
        if (best == SIZE_MAX)
            break;
        ts[nt++] = (uint32_t)best;
        tsc[best] = 0;
    }
    dw_wta_option o[30];
    size_t no = 0;
    for (size_t m = 0; m < b->n_cs0 && no < 30; m++) {
        const cand *c = &b->cs0[m];
        int qe = -1, qt = -1;
        for (size_t q = 0; q < ne; q++)
            if (c->e == es[q])
                qe = (int)q;
        for (size_t q = 0; q < nt; q++)
            if (c->j == ts[q])
                qt = (int)q;
        if (qe < 0 || qt < 0)
            continue;
        o[no++] = (dw_wta_option){(uint32_t)qe, (uint32_t)qt, c->pk, (uint32_t)c->shots,
                                  c->cost, c->risk, c->t0, c->t1};
    }
    uint32_t mag[6];
    double val[10];
    for (size_t q = 0; q < ne; q++) {
        int m = b->eff[es[q]].magazine;
        mag[q] = scarce ? 1 + (uint32_t)(uniform() * 3) : m < 0 ? 1000000u : (uint32_t)m;
    }
    for (size_t q = 0; q < nt; q++)
        val[q] = target_value(&b->tg0[ts[q]]);
    free(score), free(near), free(tsc);
    if (no < 2) {
        r->trivial++;
        return 0;
    }
    dw_wta_problem p = {o, no, ne, nt, mag, val, 1, NULL, 0};
    dw_wta_plan h, x;
    if (dw_wta_solve(&p, &h) != DW_OK)
        return -1;
    dw_status st = dw_wta_solve_exact(&p, &x, 50000000);
    if (st == DW_OK) {
        double g = (x.objective - h.objective) / fmax(fabs(x.objective), 1.0);
        r->g[r->solved++] = g;
        r->sum += g;
        r->worst = fmax(r->worst, g);
        r->optimal += g < 1e-9;
        if (x.nodes > r->max_nodes)
            r->max_nodes = x.nodes;
        dw_wta_plan_free(&x);
    } else {
        r->refused++;
    }
    r->sum_own += h.gap;
    dw_wta_plan_free(&h);
    return 0;
}

/* ---- main ------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: dw_bench_plan_ua [--scenario F] [--effectors F] [--root DIR] [--at T] "
                    "[--replans R] [--small S] [--bound-ms B] [--threats-only] [--scan]\n");
}

static const char *under(const char *root, const char *path, char *buf, size_t len)
{
    if (path[0] == '/' || !root)
        return path;
    snprintf(buf, len, "%s/%s", root, path);
    return buf;
}

int main(int argc, char **argv)
{
    const char *sc_arg = "scenarios/ua-2025-09-07.yaml", *eff_arg = "config/effectors-ua.yaml";
    const char *root = getenv("DW_SOURCE_DIR");
    double at_s = -1, bound_ms = 100.0;
    int replans = 20, n_small = 100, all_drones = 1, scan = 0;
    static const struct option lo[] = {{"scenario", 1, 0, 'c'}, {"effectors", 1, 0, 'e'}, {"root", 1, 0, 'o'},
                                       {"at", 1, 0, 'a'},       {"replans", 1, 0, 'r'},   {"small", 1, 0, 's'},
                                       {"bound-ms", 1, 0, 'b'}, {"help", 0, 0, 'h'},      {"threats-only", 0, 0, 'A'},
                                       {"scan", 0, 0, 'S'},     {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'c': sc_arg = optarg; break;
        case 'e': eff_arg = optarg; break;
        case 'o': root = optarg; break;
        case 'a': at_s = atof(optarg); break;
        case 'r': replans = atoi(optarg); break;
        case 's': n_small = atoi(optarg); break;
        case 'b': bound_ms = atof(optarg); break;
        case 'A': all_drones = 0; break;
        case 'S': scan = 1; break;
        case 'h': usage(); return 0;
        default: usage(); return 2;
        }
    }
    if (replans < 1 || replans > MAX_REPLANS || n_small < 0) {
        usage();
        return 2;
    }
    if (!root) {
        if (access("scenarios/ua-2025-09-07.yaml", R_OK) == 0)
            root = ".";
        else if (access("../scenarios/ua-2025-09-07.yaml", R_OK) == 0)
            root = "..";
        else if (access("../../scenarios/ua-2025-09-07.yaml", R_OK) == 0)
            root = "../..";
        else
            root = ".";
    }
    char sc_buf[1024], eff_buf[1024], g1[1024], g2[1024], err[1024];
    const char *sc_path = under(root, sc_arg, sc_buf, sizeof sc_buf);
    const char *eff_path = under(root, eff_arg, eff_buf, sizeof eff_buf);
    under(root, "data/geo/countries.geojson", g1, sizeof g1);
    under(root, "data/geo/regions.geojson", g2, sizeof g2);

    static bench b;
    memset(&b, 0, sizeof b);
    b.replans = replans;
    b.all_drones = scan ? 1 : all_drones;
    b.scan = scan;
    b.scan_next_us = INT64_MIN;
    dw_scenario *sc = NULL;
    double t_load = now_ms();
    if (dw_scenario_load(sc_path, 0, &sc, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_plan_ua: %s\n", err);
        return 1;
    }
    if (dw_effectors_load(eff_path, &b.eff, &b.n_eff, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_plan_ua: %s\n", err);
        return 1;
    }
    size_t by_kind[DW_EFF_NKINDS] = {0};
    for (size_t i = 0; i < b.n_eff; i++)
        by_kind[b.eff[i].kind]++;
    t_load = now_ms() - t_load;

    /* 1. the busiest instant: drones in the air, from the truth */
    size_t nw = dw_sim_world_count(sc->world), busiest = 0;
    int64_t busy_us = sc->start_us;
    double t_pass = now_ms();
    if (at_s >= 0) {
        busy_us = sc->start_us + (int64_t)llround(at_s * 1e6);
    }
    for (int64_t t = sc->start_us; t <= sc->end_us; t += 60 * 1000000LL) {
        size_t n = 0;
        dw_sim_state st;
        for (size_t i = 0; i < nw; i++)
            if (dw_sim_world_state(sc->world, i, t, &st) && st.truth.alive && is_drone(st.truth.cls))
                n++;
        if (at_s < 0 && n > busiest)
            busiest = n, busy_us = t;
        if (at_s >= 0 && t <= busy_us && busy_us < t + 60 * 1000000LL)
            busiest = n;
    }
    t_pass = now_ms() - t_pass;
    b.busy_us = busy_us;
    b.start_us = sc->start_us;
    /* The pictures kept: with --at, from T for R report periods; else 20 minutes before the
     * truth's busiest minute to 5 minutes after it (the tracks' busiest instant need not be
     * the truth's: the sensors see the drones only over Ukraine), and R periods more. */
    {
        int64_t per = sc->report_period_us > 0 ? sc->report_period_us : 5000000;
        b.win0_us = at_s >= 0 ? busy_us : busy_us - 20 * 60 * 1000000LL;
        b.win1_us = (at_s >= 0 ? busy_us : busy_us + 5 * 60 * 1000000LL) + (int64_t)(replans + 1) * per;
        if (b.win0_us < sc->start_us)
            b.win0_us = sc->start_us;
    }
    b.period_us = sc->report_period_us > 0 ? sc->report_period_us : 5000000;
    printf("scenario %s: %zu simulated objects; busiest instant %s+%.0f s (%02d:%02dZ) with %zu drones "
           "in the air (truth, every 60 s; %s; first pass %.0f ms)\n",
           sc_path, nw, "start", (double)(busy_us - sc->start_us) / 1e6,
           (int)(((busy_us / 1000000) % 86400) / 3600), (int)(((busy_us / 1000000) % 3600) / 60), busiest,
           at_s >= 0 ? "--at" : "the most", t_pass);
    printf("effectors %s: %zu (", eff_path, b.n_eff);
    for (int k = 0, first = 1; k < DW_EFF_NKINDS; k++)
        if (by_kind[k]) {
            printf("%s%zu %s", first ? "" : ", ", by_kind[k], dw_effector_kind_name((dw_effector_kind)k));
            first = 0;
        }
    printf(")\n");
    fflush(stdout);

    /* 2. the assessment the scenario lacks, and the engine */
    char dir[] = "/tmp/dw_bench_plan_ua.XXXXXX", geo_path[1100], rules_path[1100];
    if (bench_tmp_make(dir) != 0) {
        fprintf(stderr, "dw_bench_plan_ua: cannot make a scratch directory\n");
        return 1;
    }
    size_t n_sites = 0;
    int rc = 1;
    if (write_assessment(sc, dir, geo_path, rules_path, sizeof geo_path, &n_sites) != 0) {
        fprintf(stderr, "dw_bench_plan_ua: cannot write %s\n", dir);
        goto done;
    }
    const char *geo_files[3] = {g1, g2, geo_path};
    if (dw_geog_create(&b.geo) != DW_OK)
        goto done;
    for (int i = 0; i < 3; i++)
        if (dw_geog_load(b.geo, geo_files[i], err, sizeof err) != DW_OK) {
            fprintf(stderr, "dw_bench_plan_ua: %s\n", err);
            goto done;
        }
    if (dw_plan_threats_create(b.geo, "UA", &b.threats, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_plan_ua: %s\n", err);
        goto done;
    }
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
    ec.geo_files = geo_files;
    ec.n_geo_files = 3;
    ec.rules_file = rules_path;
    memcpy(ec.home, "UA", 3);
    ec.effectors_file = NULL; /* the engine's own planning is not what is measured */
    ec.plan_period_s = 10;
    dw_engine_sink sink;
    memset(&sink, 0, sizeof sink);
    dw_status st = dw_engine_create(&ec, &sink, &b.eng, err, sizeof err);
    free(sens);
    if (st != DW_OK) {
        fprintf(stderr, "dw_bench_plan_ua: %s\n", err);
        goto done;
    }
    dw_plan_config pc;
    dw_plan_config_default(&pc); /* wta, previous kept, switch penalty 10,000 EUR */
    if (dw_planner_create(b.eff, b.n_eff, b.geo, &pc, &b.planner, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_plan_ua: %s\n", err);
        goto done;
    }

    /* 3. run to the busy instant and plan there and at the following report instants */
    dw_sim_options so;
    memset(&so, 0, sizeof so);
    so.track = 0;
    so.write_obs = 0;
    so.obs = on_obs;
    so.progress = on_progress;
    so.ctx = &b;
    so.stop = &b.stop;
    dw_sim_progress pg;
    b.t_start_ms = now_ms();
    if (dw_sim_run(sc, &so, &pg, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_plan_ua: %s\n", err);
        goto done;
    }
    double t_run = now_ms() - b.t_start_ms;
    if (scan) {
        printf("scan: the most hostile or suspect drone tracks, every 60 s of data time: %zu at start+%.0f s "
               "(%zu with a site in reach within the hour); the whole run %.1f s\n",
               b.scan_best, (double)(b.scan_best_us - sc->start_us) / 1e6, b.scan_best_threats, t_run / 1e3);
        rc = 0;
        goto done;
    }
    if (b.failed || b.n_snaps < (size_t)replans + 1) {
        fprintf(stderr, "dw_bench_plan_ua: %s (%zu pictures kept)\n",
                b.failed ? "out of memory" : "the scenario ended first", b.n_snaps);
        goto done;
    }
    /* the instant with the most hostile or suspect drone tracks that has R pictures after it */
    size_t kbest = 0, hs_best = 0;
    for (size_t k = 0; at_s < 0 && k + (size_t)replans < b.n_snaps; k++)
        if (b.snaps[k].hostile + b.snaps[k].suspect > hs_best)
            hs_best = b.snaps[k].hostile + b.snaps[k].suspect, kbest = k;
    if (at_s < 0)
        printf("the busiest picture: %zu hostile or suspect drone tracks at start+%.0f s, of %zu pictures kept "
               "from start+%.0f s, every %.0f s\n",
               hs_best, (double)(b.snaps[kbest].t_us - sc->start_us) / 1e6, b.n_snaps,
               (double)(b.snaps[0].t_us - sc->start_us) / 1e6, (double)b.period_us / 1e6);
    {
        size_t maxn = 1;
        for (size_t k = 0; k < b.n_snaps; k++)
            maxn = b.snaps[k].n_tg > maxn ? b.snaps[k].n_tg : maxn;
        dw_plan_target *nt = realloc(b.tg, maxn * sizeof *nt);
        if (!nt)
            goto done;
        b.tg = nt, b.cap_tg = maxn;
    }
    double t_plans = now_ms();
    for (int i = 0; i <= replans && !b.failed; i++)
        plan_here(&b, &b.snaps[kbest + (size_t)i]);
    t_plans = now_ms() - t_plans;
    if (b.failed) {
        fprintf(stderr, "dw_bench_plan_ua: out of memory or a planner failed\n");
        goto done;
    }
    busy_us = b.snaps[kbest].t_us;
    printf("simulation + pipeline + assessment: %.1f s wall to the first picture kept, %.1f s in all to "
           "start+%.0f s (%zu protected sites, populations [assumed]); the plans %.1f s\n",
           b.sim_ms_to_busy / 1e3, t_run / 1e3, (double)(b.snaps[b.n_snaps - 1].t_us - sc->start_us) / 1e6,
           n_sites, t_plans / 1e3);

    /* the figures over the R re-plans (plans 1..R; plan 0 set the scene) */
    int R = b.done_plans - 1;
    double ms[MAX_REPLANS], cm[MAX_REPLANS], sv[MAX_REPLANS];
    double sum_gap = 0, worst_gap = 0, sum_my_gap = 0, icpt = 0, engt = 0, risk = 0, open_ms = 0;
    size_t open_n = 0;
    size_t thr_min = SIZE_MAX, thr_max = 0, opt_sum = 0, pair_sum = 0;
    for (int i = 0; i < R; i++) {
        int k = i + 1;
        ms[i] = b.plan_ms[k], cm[i] = b.cost_ms[k], sv[i] = b.solve_ms[k];
        sum_gap += b.gap[k];
        worst_gap = fmax(worst_gap, b.gap[k]);
        sum_my_gap += b.my_gap[k];
        icpt += b.icpt_ms[k], engt += b.eng_ms[k], risk += b.risk_ms[k];
        open_ms += b.open_ms[k], open_n += b.open_n[k];
        thr_min = b.n_threats[k] < thr_min ? b.n_threats[k] : thr_min;
        thr_max = b.n_threats[k] > thr_max ? b.n_threats[k] : thr_max;
        opt_sum += b.n_opts[k], pair_sum += b.n_pairs[k];
    }
    double worst_ms = 0;
    for (int i = 0; i < R; i++)
        worst_ms = fmax(worst_ms, ms[i]);
    qsort(ms, (size_t)R, sizeof *ms, cmp_d);
    qsort(cm, (size_t)R, sizeof *cm, cmp_d);
    qsort(sv, (size_t)R, sizeof *sv, cmp_d);
    double med = ms[R / 2], cmed = cm[R / 2], smed = sv[R / 2];
    printf("threat tracks planned: %zu at the busy instant, %zu-%zu over the re-plans; effectors %zu\n",
           b.n_threats[0], thr_min, thr_max, b.n_eff);
    printf("options: the planner does not expose its count; costed again here: %.0f effector x threat pairs "
           "tried, %.0f feasible options per re-plan (mean)\n",
           (double)pair_sum / R, (double)opt_sum / R);
    printf("first plan (no previous): %.2f ms\n", b.plan_ms[0]);
    printf("full re-plan (dw_planner_plan): median %.2f ms, max %.2f ms over %d re-plans, %.0f s apart "
           "(bound: %.0f ms on one core) -> %s\n",
           med, worst_ms, R, (double)b.period_us / 1e6, bound_ms, worst_ms <= bound_ms ? "within" : "OVER");
    printf("split, measured on the same options through the public API: costing median %.2f ms "
           "(intercept geometry %.2f, shots and cost %.2f, ground risk %.2f: means), solving (dw_wta_solve, "
           "problem built) median %.2f ms; the planner's remainder (previous choices, reasons, summary): "
           "re-plan - costing - solving = %.2f ms (the bench's costing carries 3 clock reads a pair)\n",
           cmed, icpt / R, engt / R, risk / R, smed, med - cmed - smed);
    printf("ground risk: %.1f us an option; %.0f of %.0f options (means) have a footprint that touches no "
           "populated feature or site (open ground: no 21 x 21 grid needed), %.2f ms of the %.2f ms\n",
           opt_sum ? 1e3 * risk / (double)opt_sum : 0.0, (double)open_n / R, (double)opt_sum / R, open_ms / R,
           risk / R);
    printf("gap to its own upper bound (dw_plan_summary.gap): mean %.3f %%, worst %.3f %% (replica: mean "
           "%.3f %%)\n",
           100 * sum_gap / R, 100 * worst_gap, 100 * sum_my_gap / R);
    printf("last plan: %zu threats, %zu engaged, EUR %.0f, expected leakage %.1f, leakage value EUR %.3g, "
           "%.1f people under the debris, %zu over a site or city (%zu avoidable); objective %.4g, upper "
           "bound %.4g\n",
           b.last.threats, b.last.engaged, b.last.cost_eur, b.last.expected_leakage, b.last.leakage_value_eur,
           b.last.people_at_risk, b.last.over_populated, b.last.over_populated_avoidable, b.last.objective,
           b.last.upper_bound);
    fflush(stdout);

    /* 5. small sub-instances from the real options at the busy instant */
    small_res sr[2];
    memset(sr, 0, sizeof sr);
    double t_small = now_ms();
    for (int v = 0; v < 2; v++) {
        sr[v].g = calloc((size_t)(n_small ? n_small : 1), sizeof *sr[v].g);
        if (!sr[v].g)
            goto done;
        for (int i = 0; i < n_small; i++)
            if (small_one(&b, v, &sr[v]) != 0)
                goto done;
        qsort(sr[v].g, (size_t)sr[v].solved, sizeof *sr[v].g, cmp_d);
        sr[v].p90 = sr[v].solved ? sr[v].g[(size_t)(0.9 * (sr[v].solved - 1))] : NAN;
        int nh = sr[v].solved + sr[v].refused;
        printf("small instances from the real options, %s: %d solved exactly of %d (%d refused over the 50 M "
               "node budget, %d with under 2 options skipped; most nodes %llu): heuristic gap to the optimum "
               "mean %.3f %%, p90 %.3f %%, worst %.3f %%, optimal on %d; its gap to its own bound there mean "
               "%.2f %%\n",
               v ? "magazines cut to 1-3 rounds" : "real magazines", sr[v].solved, n_small, sr[v].refused,
               sr[v].trivial, (unsigned long long)sr[v].max_nodes,
               sr[v].solved ? 100 * sr[v].sum / sr[v].solved : NAN, 100 * sr[v].p90, 100 * sr[v].worst,
               sr[v].optimal, nh ? 100 * sr[v].sum_own / nh : NAN);
    }
    t_small = now_ms() - t_small;
    printf("(small instances: %.1f s)\n", t_small / 1e3);
    printf("{\"bench\":\"plan_ua\",\"busy_offset_s\":%.0f,\"drones_in_air_truth_peak\":%zu,"
           "\"threats\":%zu,\"effectors\":%zu,"
           "\"pairs\":%.0f,\"options\":%.0f,\"replans\":%d,\"replan_ms_median\":%.3f,\"replan_ms_max\":%.3f,"
           "\"bound_ms\":%.0f,\"within_bound\":%s,\"costing_ms_median\":%.3f,\"ground_risk_ms_mean\":%.3f,"
           "\"ground_risk_open_ms_mean\":%.3f,"
           "\"solve_ms_median\":%.3f,\"gap_to_bound_mean\":%.5f,\"gap_to_bound_worst\":%.5f,"
           "\"small_solved\":%d,\"small_gap_mean\":%.6f,\"small_gap_p90\":%.6f,\"small_gap_worst\":%.6f,"
           "\"small_optimal\":%d,\"scarce_solved\":%d,\"scarce_gap_mean\":%.6f,\"scarce_gap_p90\":%.6f,"
           "\"scarce_gap_worst\":%.6f,\"scarce_optimal\":%d,\"sim_to_busy_s\":%.1f}\n",
           (double)(busy_us - sc->start_us) / 1e6, busiest, b.n_threats[0], b.n_eff, (double)pair_sum / R,
           (double)opt_sum / R, R, med, worst_ms, bound_ms, worst_ms <= bound_ms ? "true" : "false", cmed,
           risk / R, open_ms / R, smed, sum_gap / R, worst_gap, sr[0].solved,
           sr[0].solved ? sr[0].sum / sr[0].solved : 0,
           sr[0].solved ? sr[0].p90 : 0, sr[0].worst, sr[0].optimal, sr[1].solved,
           sr[1].solved ? sr[1].sum / sr[1].solved : 0, sr[1].solved ? sr[1].p90 : 0, sr[1].worst, sr[1].optimal,
           b.sim_ms_to_busy / 1e3);
    free(sr[0].g), free(sr[1].g);
    rc = 0;
done:
    bench_tmp_remove("dw_bench_plan_ua", dir);
    dw_planner_destroy(b.planner);
    dw_engine_destroy(b.eng);
    dw_plan_threats_destroy(b.threats);
    dw_geog_destroy(b.geo);
    dw_effectors_free(b.eff);
    dw_scenario_destroy(sc);
    for (size_t k = 0; k < b.n_snaps; k++)
        free(b.snaps[k].tg);
    free(b.snaps);
    free(b.tg), free(b.cs), free(b.cs0), free(b.tg0), free(b.prev_track), free(b.prev_eff);
    return rc;
}

/* plan.c — response planning: costs every effector x threat option with intercept.h,
 * picks with wta.h (or a baseline), and words the reasons (plan.h, docs/respond.md).
 *
 * The planner's clock starts at its first plan: an effector's ready_in_s counts from
 * there. Busy times and rounds change only on dw_planner_commit, so a plan that is not
 * approved leaves the planner as it was (except the memory of the last plan, which the
 * switch penalty and the stable ids need). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/intercept.h"
#include "dronewall/plan.h"
#include "dronewall/wta.h"

#define UNLIMITED_ROUNDS 1000000u

/* One feasible engagement, costed. */
typedef struct cand {
    size_t target;
    int effector;
    dw_intercept icpt;
    dw_engagement eng;
    double people, risk_eur;
    char site[DW_GEOG_ID_MAX];
    double t_start_s, t_end_s;
} cand;

/* What the last plan chose: kept for ids and the switch penalty. */
typedef struct prev_choice {
    uint64_t track_id;
    int effector;
    uint64_t rec_id;
} prev_choice;

struct dw_planner {
    dw_effector *eff;
    size_t n_eff;
    int64_t *busy_until_us;     /* per effector; INT64_MIN: free */
    const dw_geog *geo;
    dw_plan_config cfg;
    int started;
    int64_t t0_us;              /* the first plan's now: ready_in_s counts from it */
    dw_plan_rec *recs;
    size_t n_recs, cap_recs;
    prev_choice *prev;
    size_t n_prev, cap_prev;
    uint64_t next_id;
};

void dw_plan_config_default(dw_plan_config *c)
{
    if (!c)
        return;
    memset(c, 0, sizeof *c);
    c->strategy = DW_PLAN_WTA;
    c->p_required = 0.9;
    c->eur_per_person = 2e6;
    c->switch_penalty_eur = 10000;
    c->max_per_target = 1;
    c->harm_per_person = 0.01;
    c->over_site_eur = 1e6;
}

dw_status dw_planner_create(const dw_effector *eff, size_t n, const dw_geog *geo,
                            const dw_plan_config *c, dw_planner **out, char *err, size_t errlen)
{
    if (!out || (n && !eff) || !c) {
        if (err && errlen)
            snprintf(err, errlen, "planner: NULL argument");
        return DW_ERR_INVALID;
    }
    if (!(c->p_required > 0 && c->p_required < 1) || !(c->eur_per_person >= 0) ||
        !(c->harm_per_person >= 0 && c->harm_per_person <= 1) || !(c->over_site_eur >= 0) ||
        isinf(c->over_site_eur) || isinf(c->eur_per_person) ||
        !(c->switch_penalty_eur >= 0) || isinf(c->switch_penalty_eur) ||
        (c->max_per_target != 1 && c->max_per_target != 2) ||
        (unsigned)c->strategy > DW_PLAN_NEAREST) {
        if (err && errlen)
            snprintf(err, errlen, "planner: bad configuration (p_required in (0,1), "
                                  "max_per_target 1 or 2, costs >= 0)");
        return DW_ERR_INVALID;
    }
    dw_planner *p = calloc(1, sizeof *p);
    if (!p)
        return DW_ERR_NOMEM;
    p->eff = malloc((n ? n : 1) * sizeof *p->eff);
    p->busy_until_us = malloc((n ? n : 1) * sizeof *p->busy_until_us);
    if (!p->eff || !p->busy_until_us) {
        dw_planner_destroy(p);
        return DW_ERR_NOMEM;
    }
    if (n)
        memcpy(p->eff, eff, n * sizeof *eff);
    for (size_t i = 0; i < n; i++)
        p->busy_until_us[i] = INT64_MIN;
    p->n_eff = n;
    p->geo = geo;
    p->cfg = *c;
    p->next_id = 1;
    *out = p;
    return DW_OK;
}

void dw_planner_destroy(dw_planner *p)
{
    if (!p)
        return;
    free(p->eff);
    free(p->busy_until_us);
    free(p->recs);
    free(p->prev);
    free(p);
}

const dw_effector *dw_planner_effectors(const dw_planner *p, size_t *n)
{
    if (!p) {
        if (n)
            *n = 0;
        return NULL;
    }
    if (n)
        *n = p->n_eff;
    return p->eff;
}

/* ---- words ---------------------------------------------------------------------- */

/* 1234567 -> "1,234,567" */
static void eur_str(double v, char *buf, size_t len)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "?");
        return;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    size_t nd = strlen(digits), o = 0;
    char tmp[48];
    if (v < 0)
        tmp[o++] = '-';
    for (size_t i = 0; i < nd && o + 2 < sizeof tmp; i++) {
        if (i && (nd - i) % 3 == 0)
            tmp[o++] = ',';
        tmp[o++] = digits[i];
    }
    tmp[o] = 0;
    snprintf(buf, len, "%s", tmp);
}

static const char *compass(double az_deg)
{
    static const char *names[8] = {"N", "NE", "E", "SE", "S", "SW", "W", "NW"};
    double a = fmod(az_deg + 360.0 + 22.5, 360.0);
    int i = (int)(a / 45.0);
    return names[i & 7];
}

static double net_value(const cand *c, double value)
{
    return value * c->eng.pk_achieved - c->eng.cost_eur - c->risk_eur;
}

static void write_reason(const dw_planner *p, const dw_plan_target *t, const cand *c,
                         const cand *alt, double value, char *out, size_t len)
{
    const dw_effector *e = &p->eff[c->effector];
    char threat[96];
    if (t->threatens[0] && isfinite(t->deadline_s))
        snprintf(threat, sizeof threat, "threatens %s in %.0f min", t->threatens,
                 t->deadline_s / 60.0);
    else if (t->threatens[0])
        snprintf(threat, sizeof threat, "threatens %s", t->threatens);
    else
        snprintf(threat, sizeof threat, "no site in reach");
    double dist = 0, az = 0;
    dw_geo_inverse(&e->site, &c->icpt.point, &dist, &az, NULL);
    char ground[96];
    if (c->site[0])
        snprintf(ground, sizeof ground, "over %s (%.1f people at risk)", c->site, c->people);
    else
        snprintf(ground, sizeof ground, "over open ground (%.2f people at risk)", c->people);
    char cost[32];
    eur_str(c->eng.cost_eur, cost, sizeof cost);
    char ratio[32];
    double tv = dw_threat_value_eur(t->cls);
    if (tv > 0)
        snprintf(ratio, sizeof ratio, "%.1fx its value", c->eng.cost_eur / tv);
    else
        snprintf(ratio, sizeof ratio, "no drone value");
    char why[128];
    if (alt) {
        const dw_effector *a = &p->eff[alt->effector];
        char acost[32];
        eur_str(alt->eng.cost_eur, acost, sizeof acost);
        const char *because;
        if (alt->site[0] && !c->site[0])
            because = "debris over a populated site";
        else if (alt->icpt.t_intercept_s > c->icpt.t_intercept_s + 60 &&
                 alt->eng.cost_eur <= c->eng.cost_eur)
            because = "later";
        else if (alt->eng.pk_achieved + 1e-9 < c->eng.pk_achieved &&
                 alt->eng.cost_eur <= c->eng.cost_eur)
            because = "lower Pk";
        else if (alt->risk_eur > c->risk_eur + 1)
            because = "more ground risk";
        else if (alt->eng.cost_eur > c->eng.cost_eur)
            because = "dearer";
        else if (net_value(alt, value) > net_value(c, value))
            because = "kept: a switch would gain less than the switch penalty, or its "
                      "effector is needed elsewhere";
        else
            because = "no better";
        if (snprintf(why, sizeof why, "; next best %s would cost EUR %s (%s)", a->id, acost,
                     because) < 0)
            why[0] = 0;
    } else {
        snprintf(why, sizeof why, "; no other effector can reach it in time");
    }
    if (snprintf(out, len,
             "%s %s engages track %llu (%s, %s): intercept in %.0f s %.1f km %s of its site %s, "
             "%d shot%s, Pk %.2f, EUR %s (%s)%s",
             dw_effector_kind_name(e->kind), e->id, (unsigned long long)t->track_id,
             dw_class_name(t->cls), threat, c->icpt.t_intercept_s, dist / 1000.0, compass(az),
             ground, c->eng.shots, c->eng.shots == 1 ? "" : "s", c->eng.pk_achieved, cost, ratio,
             why) < 0 && len)
        out[0] = 0;
}

/* ---- options -------------------------------------------------------------------- */

static dw_status build_cands(const dw_planner *p, const dw_plan_target *targets, size_t n,
                             int64_t now_us, cand **out, size_t *n_out)
{
    size_t cap = n * p->n_eff;
    cand *cs = malloc((cap ? cap : 1) * sizeof *cs);
    if (!cs)
        return DW_ERR_NOMEM;
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        const dw_plan_target *t = &targets[j];
        if (!isfinite(t->lat_deg) || !isfinite(t->lon_deg) || !isfinite(t->alt_m) ||
            !isfinite(t->vel_enu_mps[0]) || !isfinite(t->vel_enu_mps[1]) ||
            !isfinite(t->vel_enu_mps[2]) || (unsigned)t->cls >= DW_NCLASSES)
            continue;
        dw_intercept_target it = {{t->lat_deg, t->lon_deg, t->alt_m},
                                  {t->vel_enu_mps[0], t->vel_enu_mps[1], t->vel_enu_mps[2]}};
        dw_intercept_limits lim = {isnan(t->deadline_s) ? INFINITY : t->deadline_s};
        double tv = dw_threat_value_eur(t->cls);
        for (size_t i = 0; i < p->n_eff; i++) {
            const dw_effector *e = &p->eff[i];
            if (e->magazine == 0)
                continue;
            double ready = e->ready_in_s - (double)(now_us - p->t0_us) / 1e6;
            if (p->busy_until_us[i] != INT64_MIN) {
                double b = (double)(p->busy_until_us[i] - now_us) / 1e6;
                if (b > ready)
                    ready = b;
            }
            if (!(ready > 0))
                ready = 0;
            cand c;
            memset(&c, 0, sizeof c);
            if (dw_intercept_solve(e, &it, ready, &lim, &c.icpt) != DW_OK || !c.icpt.feasible)
                continue;
            double avail = lim.deadline_s - c.icpt.t_launch_s;
            if (!isfinite(avail))
                avail = 3600.0;
            if (dw_intercept_cost(e, t->cls, p->cfg.p_required, avail, c.icpt.flight_time_s, tv,
                                  &c.eng) != DW_OK || c.eng.shots <= 0)
                continue;
            int over = 0;
            double people = 0;
            if (dw_intercept_ground_risk(p->geo, c.icpt.point.lat_deg, c.icpt.point.lon_deg,
                                         c.icpt.point.alt_m, it.vel_enu, &people, &over,
                                         c.site) != DW_OK) {
                people = 0;
                over = 0;
            }
            if (!over)
                c.site[0] = 0;
            c.people = people;
            c.risk_eur = people * p->cfg.harm_per_person * p->cfg.eur_per_person +
                         (over ? p->cfg.over_site_eur : 0);
            c.target = j;
            c.effector = (int)i;
            int salvos = c.eng.salvo > 0 ? (c.eng.shots + c.eng.salvo - 1) / c.eng.salvo : 1;
            if (salvos < 1)
                salvos = 1;
            c.t_start_s = c.icpt.t_launch_s;
            c.t_end_s = c.icpt.t_intercept_s + e->assess_s +
                        (salvos - 1) * (c.icpt.flight_time_s + e->assess_s);
            cs[k++] = c;
        }
    }
    *out = cs;
    *n_out = k;
    return DW_OK;
}

static double target_value(const dw_plan_target *t)
{
    double v = t->value_eur;
    if (!isfinite(v) || v < 0)
        v = 0;
    return v + dw_threat_value_eur(t->cls);
}

/* Targets by deadline, then track id (the baselines' order). */
typedef struct order_key {
    double deadline_s;
    uint64_t track_id;
    size_t j;
} order_key;

static int by_deadline(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    if (x->deadline_s != y->deadline_s)
        return x->deadline_s < y->deadline_s ? -1 : 1;
    return x->track_id < y->track_id ? -1 : x->track_id > y->track_id;
}

/* A baseline: targets in deadline order; each gets the best candidate by its rule that
 * its effector can still take (rounds, no overlap with what this plan gave it). */
static dw_status baseline(const dw_planner *p, const dw_plan_target *targets, size_t n,
                          const cand *cs, size_t nc, uint8_t *chosen)
{
    order_key *order = malloc((n ? n : 1) * sizeof *order);
    long *rounds = malloc((p->n_eff ? p->n_eff : 1) * sizeof *rounds);
    if (!order || !rounds) {
        free(order);
        free(rounds);
        return DW_ERR_NOMEM;
    }
    for (size_t j = 0; j < n; j++) {
        double d = targets[j].deadline_s;
        order[j] = (order_key){isnan(d) ? INFINITY : d, targets[j].track_id, j};
    }
    qsort(order, n, sizeof *order, by_deadline);
    for (size_t i = 0; i < p->n_eff; i++)
        rounds[i] = p->eff[i].magazine < 0 ? (long)UNLIMITED_ROUNDS : p->eff[i].magazine;
    int fighters = p->cfg.strategy == DW_PLAN_FIGHTERS;
    for (size_t oi = 0; oi < n; oi++) {
        size_t j = order[oi].j;
        long best = -1;
        for (size_t k = 0; k < nc; k++) {
            const cand *c = &cs[k];
            if (c->target != j)
                continue;
            const dw_effector *e = &p->eff[c->effector];
            if (fighters && !dw_effector_is_fighter(e->kind))
                continue;
            if (rounds[c->effector] < c->eng.shots)
                continue;
            int clash = 0;
            for (size_t m = 0; m < nc && !clash; m++)
                if (chosen[m] && cs[m].effector == c->effector &&
                    cs[m].t_start_s < c->t_end_s && c->t_start_s < cs[m].t_end_s)
                    clash = 1;
            if (clash)
                continue;
            if (best < 0) {
                best = (long)k;
                continue;
            }
            const cand *b = &cs[best];
            int better;
            if (fighters)
                better = c->eng.pk_achieved > b->eng.pk_achieved + 1e-12 ||
                         (fabs(c->eng.pk_achieved - b->eng.pk_achieved) <= 1e-12 &&
                          c->icpt.t_intercept_s < b->icpt.t_intercept_s);
            else
                better = c->icpt.range_m < b->icpt.range_m;
            if (better)
                best = (long)k;
        }
        if (best >= 0) {
            chosen[best] = 1;
            rounds[cs[best].effector] -= cs[best].eng.shots;
        }
    }
    free(order);
    free(rounds);
    return DW_OK;
}

static const prev_choice *find_prev(const dw_planner *p, uint64_t track_id, int effector)
{
    for (size_t i = 0; i < p->n_prev; i++)
        if (p->prev[i].track_id == track_id && (effector < 0 || p->prev[i].effector == effector))
            return &p->prev[i];
    return NULL;
}

dw_status dw_planner_plan(dw_planner *p, const dw_plan_target *targets, size_t n, int64_t now_us,
                          const dw_plan_rec **recs, size_t *n_recs, dw_plan_summary *sum)
{
    if (!p || (n && !targets) || !recs || !n_recs)
        return DW_ERR_INVALID;
    if (!p->started) {
        p->started = 1;
        p->t0_us = now_us;
    }
    cand *cs = NULL;
    size_t nc = 0;
    dw_status s = build_cands(p, targets, n, now_us, &cs, &nc);
    if (s != DW_OK)
        return s;
    uint8_t *chosen = calloc(nc ? nc : 1, 1);
    if (!chosen) {
        free(cs);
        return DW_ERR_NOMEM;
    }
    double objective = 0, upper = 0, gap = 0;
    if (p->cfg.strategy == DW_PLAN_WTA) {
        dw_wta_option *opts = malloc((nc ? nc : 1) * sizeof *opts);
        uint32_t *mag = malloc((p->n_eff ? p->n_eff : 1) * sizeof *mag);
        double *val = malloc((n ? n : 1) * sizeof *val);
        int32_t *prevs = malloc((n ? n : 1) * sizeof *prevs);
        if (!opts || !mag || !val || !prevs) {
            free(opts), free(mag), free(val), free(prevs), free(chosen), free(cs);
            return DW_ERR_NOMEM;
        }
        for (size_t k = 0; k < nc; k++) {
            opts[k] = (dw_wta_option){(uint32_t)cs[k].effector, (uint32_t)cs[k].target,
                                      cs[k].eng.pk_achieved, (uint32_t)cs[k].eng.shots,
                                      cs[k].eng.cost_eur, cs[k].risk_eur, cs[k].t_start_s,
                                      cs[k].t_end_s};
        }
        for (size_t i = 0; i < p->n_eff; i++)
            mag[i] = p->eff[i].magazine < 0 ? UNLIMITED_ROUNDS : (uint32_t)p->eff[i].magazine;
        for (size_t j = 0; j < n; j++) {
            val[j] = target_value(&targets[j]);
            prevs[j] = -1;
            const prev_choice *pc = find_prev(p, targets[j].track_id, -1);
            if (!pc)
                continue;
            for (size_t k = 0; k < nc; k++)
                if (cs[k].target == j && cs[k].effector == pc->effector) {
                    prevs[j] = (int32_t)k;
                    break;
                }
        }
        dw_wta_problem prob = {opts, nc, p->n_eff, n, mag, val, p->cfg.max_per_target, prevs,
                               p->cfg.switch_penalty_eur};
        dw_wta_plan wp;
        memset(&wp, 0, sizeof wp);
        s = dw_wta_solve(&prob, &wp);
        if (s == DW_OK) {
            for (size_t m = 0; m < wp.n_chosen; m++)
                if (wp.chosen[m] < nc)
                    chosen[wp.chosen[m]] = 1;
            objective = wp.objective;
            upper = wp.upper_bound;
            gap = wp.gap;
            dw_wta_plan_free(&wp);
        }
        free(opts), free(mag), free(val), free(prevs);
        if (s != DW_OK) {
            free(chosen), free(cs);
            return s;
        }
    } else {
        s = baseline(p, targets, n, cs, nc, chosen);
        if (s != DW_OK) {
            free(chosen), free(cs);
            return s;
        }
    }

    size_t nr = 0;
    for (size_t k = 0; k < nc; k++)
        nr += chosen[k];
    if (nr > p->cap_recs) {
        dw_plan_rec *r = realloc(p->recs, nr * sizeof *r);
        if (!r) {
            free(chosen), free(cs);
            return DW_ERR_NOMEM;
        }
        p->recs = r;
        p->cap_recs = nr;
    }
    if (nr > p->cap_prev) {
        prev_choice *r = realloc(p->prev, nr * sizeof *r);
        if (!r) {
            free(chosen), free(cs);
            return DW_ERR_NOMEM;
        }
        p->prev = r;
        p->cap_prev = nr;
    }

    dw_plan_summary sm;
    memset(&sm, 0, sizeof sm);
    sm.threats = n;
    double *survive = malloc((n ? n : 1) * sizeof *survive);
    if (!survive) {
        free(chosen), free(cs);
        return DW_ERR_NOMEM;
    }
    for (size_t j = 0; j < n; j++)
        survive[j] = 1.0;
    size_t r = 0;
    uint64_t *ids = malloc((nr ? nr : 1) * sizeof *ids);
    if (!ids) {
        free(survive), free(chosen), free(cs);
        return DW_ERR_NOMEM;
    }
    for (size_t k = 0; k < nc; k++) {
        if (!chosen[k])
            continue;
        const cand *c = &cs[k];
        const dw_plan_target *t = &targets[c->target];
        const prev_choice *pc = find_prev(p, t->track_id, c->effector);
        ids[r] = pc ? pc->rec_id : p->next_id++;
        r++;
    }
    r = 0;
    for (size_t k = 0; k < nc; k++) {
        if (!chosen[k])
            continue;
        const cand *c = &cs[k];
        const dw_plan_target *t = &targets[c->target];
        const dw_effector *e = &p->eff[c->effector];
        dw_plan_rec *rec = &p->recs[r];
        memset(rec, 0, sizeof *rec);
        rec->id = ids[r];
        rec->track_id = t->track_id;
        rec->effector = c->effector;
        snprintf(rec->effector_id, sizeof rec->effector_id, "%s", e->id);
        rec->t_launch_s = c->icpt.t_launch_s;
        rec->t_intercept_s = c->icpt.t_intercept_s;
        rec->lat_deg = c->icpt.point.lat_deg;
        rec->lon_deg = c->icpt.point.lon_deg;
        rec->alt_m = c->icpt.point.alt_m;
        rec->shots = c->eng.shots;
        rec->pk = c->eng.pk_achieved;
        rec->cost_eur = c->eng.cost_eur;
        rec->exchange_ratio = c->eng.exchange_ratio;
        rec->people_at_risk = c->people;
        snprintf(rec->over_site, sizeof rec->over_site, "%s", c->site);
        double value = target_value(t);
        /* the next best: the other effector's option with the best net value */
        const cand *alt = NULL;
        for (size_t m = 0; m < nc; m++) {
            if (m == k || cs[m].target != c->target || cs[m].effector == c->effector)
                continue;
            /* another kind of effector first: "the other F-35" says little */
            int other = p->eff[cs[m].effector].kind != e->kind;
            int alt_other = alt && p->eff[alt->effector].kind != e->kind;
            if (!alt || (other && !alt_other) ||
                (other == alt_other && net_value(&cs[m], value) > net_value(alt, value)))
                alt = &cs[m];
        }
        write_reason(p, t, c, alt, value, rec->reason, sizeof rec->reason);
        survive[c->target] *= 1.0 - c->eng.pk_achieved;
        sm.cost_eur += c->eng.cost_eur;
        sm.people_at_risk += c->people;
        if (c->site[0]) {
            sm.over_populated++;
            int avoidable = 0;
            for (size_t m = 0; m < nc && !avoidable; m++)
                if (m != k && cs[m].target == c->target && !cs[m].site[0])
                    avoidable = 1;
            sm.over_populated_avoidable += (size_t)avoidable;
        }
        if (p->cfg.strategy != DW_PLAN_WTA)
            objective -= c->eng.cost_eur + c->risk_eur;
        p->prev[r] = (prev_choice){t->track_id, c->effector, rec->id};
        r++;
    }
    for (size_t j = 0; j < n; j++) {
        if (survive[j] < 1.0)
            sm.engaged++;
        sm.expected_leakage += survive[j];
        double v = target_value(&targets[j]);
        sm.leakage_value_eur += v * survive[j];
        if (p->cfg.strategy != DW_PLAN_WTA)
            objective += v * (1.0 - survive[j]);
    }
    if (p->cfg.strategy != DW_PLAN_WTA) {
        upper = objective;
        gap = 0;
    }
    sm.objective = objective;
    sm.upper_bound = upper;
    sm.gap = gap;
    p->n_recs = nr;
    p->n_prev = nr;
    free(ids), free(survive), free(chosen), free(cs);
    *recs = p->recs;
    *n_recs = nr;
    if (sum)
        *sum = sm;
    return DW_OK;
}

dw_status dw_planner_commit(dw_planner *p, uint64_t rec_id, int64_t now_us)
{
    if (!p)
        return DW_ERR_INVALID;
    for (size_t r = 0; r < p->n_recs; r++) {
        dw_plan_rec *rec = &p->recs[r];
        if (rec->id != rec_id)
            continue;
        dw_effector *e = &p->eff[rec->effector];
        if (e->magazine >= 0)
            e->magazine = rec->shots >= e->magazine ? 0 : e->magazine - rec->shots;
        int64_t until = now_us + (int64_t)((rec->t_intercept_s + e->assess_s) * 1e6);
        if (p->busy_until_us[rec->effector] == INT64_MIN || until > p->busy_until_us[rec->effector])
            p->busy_until_us[rec->effector] = until;
        return DW_OK;
    }
    return DW_ERR_NOT_FOUND;
}

/* assess_run.c — the simulator's picture through the assessment, and the alerts judged
 * against the truth.
 *
 * A scenario with an `assessment` section (home country, geography files, rules) has
 * every published track update assessed (class, affiliation, alerts) before it is
 * written; the alerts go to alerts.ndjson and the affiliation changes, with the rule
 * that made each, to identities.ndjson. Meanwhile the truth of every drone is followed
 * through the same geography — the instant it crossed into the home country, entered
 * each alert region and each protected site's zone, interpolated between truth points —
 * and at the end the alerts are judged against it (score.json "assessment"):
 *   - border: per drone that crossed, the delay from its true crossing to the first
 *     border_violation alert about it (an alert is about the drone nearest to the
 *     alerted track at the alert's instant, within MATCH_M);
 *   - regions and airports: per region a drone entered and per airport zone a drone
 *     entered, the lead of the regional warning / closure advice over the first entry;
 *   - floods: raised alerts per drone, kind and area (at most one is the aim);
 *   - civil: alerts about cooperative civil traffic (there should be none);
 *   - the timeline of raised and cleared alerts.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/assess.h"
#include "dronewall/geo.h"
#include "dronewall/geog.h"
#include "dronewall/rules.h"
#include "sim/sim_assess.h"
#include "sim/sim_int.h"

#define MATCH_M 5000.0          /* an alert is about a drone this close to its track */
#define LINE_BYTES 2048

typedef struct entry {          /* a drone first inside a feature */
    uint32_t target;
    int feature;
    int64_t t_us;
    double lat_deg, lon_deg;
} entry;

typedef struct kept_alert {     /* a raised or cleared alert, as judged */
    dw_alert a;
    int64_t issued_us;          /* the simulated instant it was issued   */
    int32_t target;             /* the drone it is about, -1: none found */
} kept_alert;

struct dw__sim_assess {
    const dw_scenario *s;
    dw_geog *geo;
    dw_rules *rules;
    dw_assess *as;
    FILE *alerts_f, *ident_f;
    char alerts_tmp[1040], ident_tmp[1040], alerts_path[1024], ident_path[1024];
    char *line;
    int home;                           /* the home country's feature */
    uint32_t track_kinds;               /* kinds followed for the truth: region, sites */
    size_t n_features, n_targets;
    unsigned char *inside;              /* [target][feature]: inside at its last point */
    unsigned char *entered;             /* [target][feature]: has been inside          */
    double *prev;                       /* [target]: lat, lon of its last point        */
    int64_t *prev_t;
    entry *entries;
    size_t n_entries, cap_entries;
    kept_alert *alerts;
    size_t n_alerts, cap_alerts;
    const dw_track *cur;                /* the track being assessed, for the alerts   */
    int64_t now_us;
    uint64_t n_identity;
    int failed;
    char err[512];
};

static int is_drone(dw_class c)
{
    return c == DW_CLASS_OWA_DRONE || c == DW_CLASS_DECOY || c == DW_CLASS_QUADCOPTER;
}

static void fail(dw__sim_assess *a, const char *fmt, const char *x, const char *y)
{
    if (!a->failed)
        snprintf(a->err, sizeof a->err, fmt, x, y);
    a->failed = 1;
}

/* ------------------------------------------------------------------ alerts in */

static int32_t nearest_target(const dw__sim_assess *a, int64_t t_us, double lat, double lon,
                              double max_m)
{
    int32_t best = -1;
    double bd = max_m;
    dw_geodetic p = {lat, lon, 0};
    for (size_t i = 0; i < a->n_targets; i++) {
        dw_sim_state st;
        if (!dw_sim_world_state(a->s->world, i, t_us, &st))
            continue;
        dw_geodetic q = {st.truth.lat_deg, st.truth.lon_deg, 0};
        double d, z1, z2;
        if (dw_geo_inverse(&p, &q, &d, &z1, &z2) == DW_OK && d < bd) {
            bd = d;
            best = (int32_t)i;
        }
    }
    return best;
}

static void on_alert(void *ctx, const dw_alert *al)
{
    dw__sim_assess *a = ctx;
    if (a->alerts_f) {
        size_t n = dw_alert_to_ndjson(al, a->line, LINE_BYTES);
        if (n) {
            fwrite(a->line, 1, n, a->alerts_f);
            fputc('\n', a->alerts_f);
        }
    }
    if (al->state == DW_ALERT_UPDATED)
        return;
    if (a->n_alerts == a->cap_alerts) {
        size_t nc = a->cap_alerts ? 2 * a->cap_alerts : 256;
        kept_alert *x = realloc(a->alerts, nc * sizeof *x);
        if (!x) {
            fail(a, "out of memory keeping %s%s", "alerts", "");
            return;
        }
        a->alerts = x;
        a->cap_alerts = nc;
    }
    kept_alert *k = &a->alerts[a->n_alerts++];
    k->a = *al;
    k->issued_us = a->now_us;
    k->target = -1;
    if (al->state == DW_ALERT_RAISED && al->kind != DW_ALERT_SENSOR_DOWN) {
        /* About the track being assessed, else about the point it names. */
        if (a->cur && (al->track_id == a->cur->id || !al->track_id))
            k->target = nearest_target(a, a->now_us, a->cur->lat_deg, a->cur->lon_deg, MATCH_M);
        else if (isfinite(al->lat_deg) && isfinite(al->lon_deg))
            k->target = nearest_target(a, a->now_us, al->lat_deg, al->lon_deg, MATCH_M);
    }
}

static void on_identity(void *ctx, const dw_track *t, dw_affiliation from, dw_affiliation to,
                        const char *rule)
{
    dw__sim_assess *a = ctx;
    a->n_identity++;
    if (!a->ident_f)
        return;
    fprintf(a->ident_f,
            "{\"v\":1,\"type\":\"identity\",\"t_us\":%" PRId64 ",\"track\":%" PRIu64
            ",\"from\":\"%s\",\"to\":\"%s\",\"class\":\"%s\",\"rule\":\"",
            t->t_us, t->id, dw_affiliation_name(from), dw_affiliation_name(to),
            dw_class_name(t->cls));
    for (const char *c = rule ? rule : ""; *c; c++) {
        if (*c == '"' || *c == '\\')
            fputc('\\', a->ident_f);
        if ((unsigned char)*c >= 0x20)
            fputc(*c, a->ident_f);
    }
    fputs("\"}\n", a->ident_f);
}

/* ------------------------------------------------------------------ open and close */

static FILE *open_out(dw__sim_assess *a, const char *dir, const char *name, char *path,
                      size_t plen, char *tmp, size_t tlen)
{
    snprintf(path, plen, "%s/%s", dir, name);
    snprintf(tmp, tlen, "%s.part", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        fail(a, "%.400s: %s", tmp, strerror(errno));
    return f;
}

dw_status dw__sim_assess_open(const dw_scenario *s, const char *dir, dw__sim_assess **out,
                              char *err, size_t errlen)
{
    *out = NULL;
    if (!s->n_geo_files)
        return DW_OK;
    dw__sim_assess *a = calloc(1, sizeof *a);
    if (!a)
        return DW_ERR_NOMEM;
    a->s = s;
    a->line = malloc(LINE_BYTES);
    dw_status st = a->line ? dw_geog_create(&a->geo) : DW_ERR_NOMEM;
    for (size_t i = 0; st == DW_OK && i < s->n_geo_files; i++)
        st = dw_geog_load(a->geo, s->geo_files[i], err, errlen);
    if (st == DW_OK && s->rules_file)
        st = dw_rules_load(s->rules_file, a->geo, &a->rules, err, errlen);
    if (st != DW_OK) {
        dw__sim_assess_close(a, 0);
        return st;
    }
    dw_assess_config c;
    dw_assess_config_default(&c);
    c.geo = a->geo;
    c.rules = a->rules;
    memcpy(c.home, s->home, sizeof c.home);
    dw_assess_sink sink = {on_alert, on_identity, a};
    if ((st = dw_assess_create(&c, &sink, &a->as, err, errlen)) != DW_OK) {
        dw__sim_assess_close(a, 0);
        return st;
    }
    a->home = dw_geog_find(a->geo, s->home);
    char kinds[256];
    snprintf(kinds, sizeof kinds, "%s,%s", c.region_kinds, c.site_kinds);
    a->track_kinds = dw_geog_kinds(a->geo, kinds);
    a->n_features = dw_geog_count(a->geo);
    a->n_targets = dw_sim_world_count(s->world);
    size_t cells = (a->n_targets ? a->n_targets : 1) * (a->n_features ? a->n_features : 1);
    a->inside = calloc(cells, 1);
    a->entered = calloc(cells, 1);
    a->prev = calloc(2 * (a->n_targets ? a->n_targets : 1), sizeof *a->prev);
    a->prev_t = malloc((a->n_targets ? a->n_targets : 1) * sizeof *a->prev_t);
    if (!a->inside || !a->entered || !a->prev || !a->prev_t) {
        dw__sim_assess_close(a, 0);
        return DW_ERR_NOMEM;
    }
    for (size_t i = 0; i < a->n_targets; i++)
        a->prev_t[i] = INT64_MIN;
    if (dir) {
        a->alerts_f = open_out(a, dir, "alerts.ndjson", a->alerts_path, sizeof a->alerts_path,
                               a->alerts_tmp, sizeof a->alerts_tmp);
        a->ident_f = open_out(a, dir, "identities.ndjson", a->ident_path, sizeof a->ident_path,
                              a->ident_tmp, sizeof a->ident_tmp);
        if (a->failed) {
            snprintf(err, errlen, "%s", a->err);
            dw__sim_assess_close(a, 0);
            return DW_ERR_IO;
        }
    }
    *out = a;
    return DW_OK;
}

/* ------------------------------------------------------------------ the picture in */

dw_status dw__sim_assess_track(dw__sim_assess *a, dw_track *t, const dw_class_hints *hints)
{
    a->cur = t;
    a->now_us = t->t_us;
    dw_status st = dw_assess_track(a->as, t, hints);
    a->cur = NULL;
    return a->failed ? DW_ERR_NOMEM : st;
}

void dw__sim_assess_sensor(dw__sim_assess *a, const char *sensor_id, int64_t t_us)
{
    a->now_us = t_us;
    dw_assess_sensor(a->as, sensor_id, 1, t_us);
}

dw_status dw__sim_assess_advance(dw__sim_assess *a, int64_t t_us)
{
    a->now_us = t_us;
    dw_status st = dw_assess_advance(a->as, t_us);
    return a->failed ? DW_ERR_NOMEM : st;
}

/* ------------------------------------------------------------------ the truth in */

static void add_entry(dw__sim_assess *a, uint32_t target, int feature, int64_t t_us, double lat,
                      double lon)
{
    if (a->n_entries == a->cap_entries) {
        size_t nc = a->cap_entries ? 2 * a->cap_entries : 256;
        entry *x = realloc(a->entries, nc * sizeof *x);
        if (!x) {
            fail(a, "out of memory keeping %s%s", "truth entries", "");
            return;
        }
        a->entries = x;
        a->cap_entries = nc;
    }
    a->entries[a->n_entries++] = (entry){target, feature, t_us, lat, lon};
}

void dw__sim_assess_truth(dw__sim_assess *a, uint32_t target, const dw_truth *t)
{
    if (target >= a->n_targets || !is_drone(t->cls) || !t->alive)
        return;
    unsigned char *in = a->inside + (size_t)target * a->n_features;
    unsigned char *ever = a->entered + (size_t)target * a->n_features;
    size_t idx[64];
    uint32_t kinds = a->track_kinds;
    if (a->home >= 0)
        kinds |= 1u << dw_geog_get(a->geo, (size_t)a->home)->kind_index;
    size_t n = dw_geog_which(a->geo, kinds, t->lat_deg, t->lon_deg, idx, 64);
    if (n > 64)
        n = 64;
    unsigned char now[1024];
    size_t nf = a->n_features < sizeof now ? a->n_features : sizeof now;
    memset(now, 0, nf);
    for (size_t k = 0; k < n; k++)
        if (idx[k] < nf)
            now[idx[k]] = 1;
    double *pv = a->prev + 2 * target;
    int64_t pt = a->prev_t[target];
    for (size_t f = 0; f < nf; f++) {
        if (now[f] && !in[f] && !ever[f]) {
            /* First inside: when did it cross, between the last point and this one? */
            int64_t te = t->t_us;
            double lat = t->lat_deg, lon = t->lon_deg;
            int crosses = 0;
            dw_geog_crossing c;
            if (pt != INT64_MIN &&
                dw_geog_first_crossing(a->geo, f, pv[0], pv[1], t->lat_deg, t->lon_deg, &crosses,
                                       &c) == DW_OK &&
                crosses) {
                te = pt + (int64_t)llround(c.frac * (double)(t->t_us - pt));
                lat = c.lat_deg;
                lon = c.lon_deg;
            }
            if (pt != INT64_MIN)    /* inside from its launch: not an entry */
                add_entry(a, target, (int)f, te, lat, lon);
            ever[f] = 1;
        }
        in[f] = now[f];
    }
    pv[0] = t->lat_deg;
    pv[1] = t->lon_deg;
    a->prev_t[target] = t->t_us;
}

/* ------------------------------------------------------------------ judging */

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static double pct(const int64_t *v, size_t n, double q)
{
    if (!n)
        return NAN;
    size_t i = (size_t)ceil(q * (double)n) - (q > 0);
    if (i >= n)
        i = n - 1;
    return (double)v[i] * 1e-6;
}

static void jnum(FILE *f, const char *key, double v)
{
    if (isfinite(v))
        fprintf(f, "\"%s\":%.3f", key, v);
    else
        fprintf(f, "\"%s\":null", key);
}

static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

static const char *target_id(const dw__sim_assess *a, int32_t i)
{
    return i >= 0 ? dw__sim_world_target_id(a->s->world, (size_t)i) : "";
}

/* The first raised alert of a kind about an area (area NULL: any) and, when target >= 0,
 * about that drone; NULL if none. */
static const kept_alert *first_raised(const dw__sim_assess *a, dw_alert_kind kind,
                                      const char *area, int32_t target)
{
    for (size_t i = 0; i < a->n_alerts; i++) {
        const kept_alert *k = &a->alerts[i];
        if (k->a.state != DW_ALERT_RAISED || k->a.kind != kind)
            continue;
        if (area && strcmp(k->a.area_id, area) != 0)
            continue;
        if (target >= 0 && k->target != target)
            continue;
        return k;
    }
    return NULL;
}

static void area_leads(const dw__sim_assess *a, FILE *f, const char *key, uint32_t kinds,
                       dw_alert_kind kind)
{
    fprintf(f, ",\"%s\":[", key);
    int first = 1;
    for (size_t fi = 0; fi < a->n_features; fi++) {
        const dw_geog_feature *ft = dw_geog_get(a->geo, fi);
        if (!(kinds & (1u << ft->kind_index)))
            continue;
        const entry *e0 = NULL;
        for (size_t i = 0; i < a->n_entries; i++)
            if (a->entries[i].feature == (int)fi && (!e0 || a->entries[i].t_us < e0->t_us))
                e0 = &a->entries[i];
        const kept_alert *k = first_raised(a, kind, ft->id, -1);
        if (!e0 && !k)
            continue;
        fprintf(f, "%s{\"id\":", first ? "" : ",");
        jstr(f, ft->id);
        fputs(",\"name\":", f);
        jstr(f, ft->name);
        fputs(",\"first_drone\":", f);
        jstr(f, e0 ? target_id(a, (int32_t)e0->target) : "");
        if (e0)
            fprintf(f, ",\"first_entry_us\":%" PRId64, e0->t_us);
        else
            fputs(",\"first_entry_us\":null", f);
        if (k)
            fprintf(f, ",\"raised_us\":%" PRId64 ",", k->issued_us);
        else
            fputs(",\"raised_us\":null,", f);
        jnum(f, "lead_s", e0 && k ? (double)(e0->t_us - k->issued_us) * 1e-6 : NAN);
        fputc('}', f);
        first = 0;
    }
    fputc(']', f);
}

void dw__sim_assess_score(const dw__sim_assess *a, FILE *f)
{
    fputs("{", f);
    dw_assess_stats st;
    dw_assess_get_stats(a->as, &st);
    fputs("\"raised\":{", f);
    for (int k = 0; k < DW_NALERT_KINDS; k++)
        fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", dw_alert_kind_name((dw_alert_kind)k),
                st.raised_by_kind[k]);
    fprintf(f, "},\"identity_changes\":%" PRIu64, a->n_identity);

    /* Border: every drone that crossed into the home country. */
    int64_t *delay = malloc((a->n_entries + 1) * sizeof *delay);
    size_t n_cross = 0, n_delay = 0;
    fputs(",\"border\":{\"drones\":[", f);
    for (size_t i = 0; delay && i < a->n_entries; i++) {
        const entry *e = &a->entries[i];
        if (e->feature != a->home)
            continue;
        const kept_alert *k = first_raised(a, DW_ALERT_BORDER_VIOLATION, NULL, (int32_t)e->target);
        fprintf(f, "%s{\"id\":", n_cross ? "," : "");
        jstr(f, target_id(a, (int32_t)e->target));
        fprintf(f, ",\"crossed_us\":%" PRId64 ",\"lat_deg\":%.6f,\"lon_deg\":%.6f,", e->t_us,
                e->lat_deg, e->lon_deg);
        if (k) {
            fprintf(f, "\"alert_us\":%" PRId64 ",", k->issued_us);
            delay[n_delay++] = k->issued_us - e->t_us;
        } else {
            fputs("\"alert_us\":null,", f);
        }
        jnum(f, "delay_s", k ? (double)(k->issued_us - e->t_us) * 1e-6 : NAN);
        fputc('}', f);
        n_cross++;
    }
    if (delay)
        qsort(delay, n_delay, sizeof *delay, cmp_i64);
    fprintf(f, "],\"crossed\":%zu,\"alerted\":%zu,", n_cross, n_delay);
    jnum(f, "delay_min_s", n_delay ? pct(delay, n_delay, 0) : NAN);
    fputc(',', f);
    jnum(f, "delay_median_s", pct(delay, n_delay, 0.5));
    fputc(',', f);
    jnum(f, "delay_p90_s", pct(delay, n_delay, 0.9));
    fputc(',', f);
    jnum(f, "delay_max_s", n_delay ? pct(delay, n_delay, 1.0) : NAN);
    fputc('}', f);
    free(delay);

    dw_assess_config c;
    dw_assess_config_default(&c);
    area_leads(a, f, "regions", dw_geog_kinds(a->geo, c.region_kinds), DW_ALERT_REGIONAL_WARNING);
    area_leads(a, f, "airports", dw_geog_kinds(a->geo, c.airport_kinds), DW_ALERT_AIRSPACE_CLOSURE);

    /* Floods: raised alerts per drone, kind and area beyond the first. */
    size_t max_same = 0, n_floods = 0, civil = 0;
    for (size_t i = 0; i < a->n_alerts; i++) {
        const kept_alert *k = &a->alerts[i];
        if (k->a.state != DW_ALERT_RAISED || k->target < 0)
            continue;
        dw_sim_state s0;
        if (dw_sim_world_state(a->s->world, (size_t)k->target, k->issued_us, &s0) &&
            (s0.flags & DW_SIM_ADSB))
            civil++;
        size_t same = 0;
        for (size_t j = 0; j < a->n_alerts; j++) {
            const kept_alert *o = &a->alerts[j];
            same += o->a.state == DW_ALERT_RAISED && o->target == k->target &&
                    o->a.kind == k->a.kind && !strcmp(o->a.area_id, k->a.area_id);
        }
        if (same > max_same)
            max_same = same;
        n_floods += same > 1;
    }
    fprintf(f, ",\"max_raised_per_drone_kind_area\":%zu,\"raised_beyond_first\":%zu"
               ",\"about_cooperative_traffic\":%zu",
            max_same, n_floods, civil);

    /* The timeline: raised and cleared. */
    fputs(",\"timeline\":[", f);
    for (size_t i = 0; i < a->n_alerts; i++) {
        const kept_alert *k = &a->alerts[i];
        fprintf(f, "%s{\"t_us\":%" PRId64 ",\"kind\":\"%s\",\"state\":\"%s\",\"area\":", i ? "," : "",
                k->issued_us, dw_alert_kind_name(k->a.kind), dw_alert_state_name(k->a.state));
        jstr(f, k->a.area_id);
        fprintf(f, ",\"alert\":%" PRIu64 ",\"track\":%" PRIu64 ",\"drone\":", k->a.id, k->a.track_id);
        jstr(f, target_id(a, k->target));
        fputc('}', f);
    }
    fputs("]}", f);
}

dw_status dw__sim_assess_close(dw__sim_assess *a, int keep)
{
    if (!a)
        return DW_OK;
    dw_status st = a->failed ? DW_ERR_IO : DW_OK;
    FILE *fs[2] = {a->alerts_f, a->ident_f};
    const char *tmp[2] = {a->alerts_tmp, a->ident_tmp}, *path[2] = {a->alerts_path, a->ident_path};
    for (int i = 0; i < 2; i++) {
        if (!fs[i])
            continue;
        int bad = ferror(fs[i]) | fclose(fs[i]);
        if (bad || a->failed || !keep) {
            remove(tmp[i]);
            st = bad || a->failed ? DW_ERR_IO : st;
        } else if (rename(tmp[i], path[i]) != 0) {
            st = DW_ERR_IO;
        }
    }
    dw_assess_destroy(a->as);
    dw_rules_destroy(a->rules);
    dw_geog_destroy(a->geo);
    free(a->inside);
    free(a->entered);
    free(a->prev);
    free(a->prev_t);
    free(a->entries);
    free(a->alerts);
    free(a->line);
    free(a);
    return st;
}

int64_t dw__sim_assess_crossed(const dw__sim_assess *a, uint32_t target)
{
    for (size_t i = 0; a && i < a->n_entries; i++)
        if (a->entries[i].target == target && a->entries[i].feature == a->home)
            return a->entries[i].t_us;
    return INT64_MIN;
}

int64_t dw__sim_assess_first_alert(const dw__sim_assess *a, uint32_t target, dw_alert_kind kind)
{
    const kept_alert *k = a ? first_raised(a, kind, NULL, (int32_t)target) : NULL;
    return k ? k->issued_us : INT64_MIN;
}

const char *dw__sim_assess_error(const dw__sim_assess *a)
{
    return a && a->failed ? a->err : "";
}

/* engine.c — the daemon's picture: the pipeline, the assessment and what the API shows,
 * driven by input lines so that a recording drives it again (engine.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "assess/idmap.h"
#include "dronewall/engine.h"
#include "dronewall/geog.h"
#include "dronewall/grow.h"
#include "dronewall/jsonw.h"
#include "dronewall/ndjson.h"
#include "dronewall/plan.h"
#include "dronewall/rules.h"
#include "dronewall/sensors_file.h"
#include "dronewall/threat.h"

#define LINE_CAP 8192           /* one track or alert line, with room to spare */

typedef struct hpoint {
    int64_t t_us;
    float lat, lon, alt;
} hpoint;

typedef struct eng_track {
    uint64_t id;                /* 0: slot free */
    dw_track t;                 /* the latest, assessed at its last report */
    int assessed;               /* t carries a report's class and affiliation */
    double threat;
    int forced;                 /* an operator set the affiliation */
    dw_affiliation forced_aff;
    char *line;                 /* the latest line (report or live) */
    size_t len, cap;
    char *brief;                /* the same, brief: the stream's and the list's */
    size_t blen, bcap;
    int64_t handed_us;          /* when take_changes last handed it out (caller's clock) */
    dw_track live;              /* the newest live update, when line or brief is older:  */
    int line_stale, brief_stale; /* they are written from it when asked for (every plot
                                    updates a track; a viewer sees it a few times a second) */
    hpoint hist[DW_ENGINE_HISTORY];
    int n_hist, head;           /* ring: oldest at head when full */
    int dirty;
} eng_track;

typedef struct eng_alert {
    uint64_t id;
    dw_alert_state state;
    int64_t t_us;
    int acked;
    int64_t ack_us;
    char ack_by[64];
    char *base;                 /* the alert's line as the assessment wrote it */
    size_t base_len;
    char *line;                 /* with "acked" */
    size_t len;
} eng_alert;

struct dw_engine {
    dw_engine_sink sink;
    dw_pipeline *pl;
    dw_geog *geo;
    dw_rules *rules;
    dw_assess *as;
    dw_sensors_index *index;
    dw_sensor *sensors;
    size_t n_sensors;
    char home[3];

    eng_track *tr;
    size_t n_tr, cap_tr;
    uint32_t *free_tr;
    size_t n_free;
    dw__idmap tmap;
    uint32_t *dirty;
    size_t n_dirty, cap_dirty;
    uint64_t *dead;
    size_t n_dead, cap_dead;

    eng_alert *al;
    size_t n_al, cap_al;
    dw__idmap amap;

    char line[LINE_CAP];
    char line2[LINE_CAP];
    int64_t t_us;
    dw_status failed;
    const dw_alert *cur_alert;  /* the alert being published, for the sink */
    int64_t last_obs_us;        /* the newest observation's time, INT64_MIN: none */
    /* Response planning (plan.h), when the configuration names effectors. */
    dw_planner *planner;
    dw_plan_threats *threats;   /* what a threat is worth (plan.h's rule)           */
    int64_t plan_period_us, last_plan_us;
    dw_plan_rec *recs;          /* the current plan's recommendations (a copy)      */
    size_t n_recs, cap_recs;
    dw_plan_summary plan_sum;
    int64_t plan_t_us;
    struct plan_decision {
        uint64_t rec;
        int approve;
        int64_t t_us;
        char by[64];
    } *decisions;               /* decisions on the current plan                    */
    size_t n_decisions, cap_decisions;
    uint64_t *engaged;          /* tracks an approved engagement is on             */
    size_t n_engaged, cap_engaged;
    char *plan_line;
    size_t plan_len;
    /* Partners' alerts: their number and ours. */
    struct partner_alert {
        char origin[40];
        uint64_t origin_id, id;
    } *palerts;
    size_t n_palerts, cap_palerts;
    dw_engine_stats st;
};

/* Our numbers for partners' alerts: far above the assessment's own. */
#define PARTNER_ALERT_ID0 (1ull << 40)

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void emit_in(dw_engine *e, int kind, int64_t t_us, const char *line, size_t len)
{
    if (e->sink.input)
        e->sink.input(e->sink.ctx, kind, t_us, line, len);
}

static void emit_out(dw_engine *e, int kind, int64_t t_us, uint64_t track, const char *line,
                     size_t len, const void *obj)
{
    if (e->sink.output)
        e->sink.output(e->sink.ctx, kind, t_us, track, line, len, obj);
}

/* ------------------------------------------------------------------ tracks */

static eng_track *track_find(const dw_engine *e, uint64_t id)
{
    size_t pos = 0;
    uint32_t v;
    while ((v = dw__idmap_next(&e->tmap, mix(id), &pos)) != DW__IDMAP_NONE)
        if (e->tr[v].id == id)
            return &e->tr[v];
    return NULL;
}

static eng_track *track_get(dw_engine *e, uint64_t id)
{
    eng_track *k = track_find(e, id);
    if (k)
        return k;
    uint32_t slot;
    if (e->n_free) {
        slot = e->free_tr[--e->n_free];
    } else {
        if (e->n_tr == e->cap_tr) {
            size_t nc = e->cap_tr ? e->cap_tr * 2 : 256;
            eng_track *n = realloc(e->tr, nc * sizeof *n);
            uint32_t *f = realloc(e->free_tr, nc * sizeof *f);
            if (f)
                e->free_tr = f;
            if (!n || !f) {
                if (n)
                    e->tr = n;
                return NULL;
            }
            e->tr = n;
            e->cap_tr = nc;
        }
        slot = (uint32_t)e->n_tr++;
        memset(&e->tr[slot], 0, sizeof e->tr[slot]);
    }
    if (dw__idmap_reserve(&e->tmap, e->tmap.count + 1) != DW_OK)
        return NULL;
    k = &e->tr[slot];
    char *line = k->line, *brief = k->brief;
    size_t cap = k->cap, bcap = k->bcap;
    memset(k, 0, sizeof *k);
    k->line = line;
    k->cap = cap;
    k->brief = brief;
    k->bcap = bcap;
    k->handed_us = INT64_MIN;
    k->id = id;
    dw__idmap_add(&e->tmap, mix(id), slot);
    e->st.tracks_now++;
    return k;
}

static void track_drop(dw_engine *e, eng_track *k)
{
    uint32_t slot = (uint32_t)(k - e->tr);
    dw__idmap_del(&e->tmap, mix(k->id), slot);
    k->id = 0;
    k->len = k->blen = 0;
    e->free_tr[e->n_free++] = slot;
    e->st.tracks_now--;
}

static int set_line(char **buf, size_t *cap, size_t *len, const char *s, size_t n)
{
    if (n + 1 > *cap) {
        size_t nc = n + 1 < 512 ? 512 : n + 1;
        char *b = realloc(*buf, nc);
        if (!b)
            return -1;
        *buf = b;
        *cap = nc;
    }
    memcpy(*buf, s, n);
    (*buf)[n] = 0;
    *len = n;
    return 0;
}

static void mark_dirty(dw_engine *e, eng_track *k)
{
    if (k->dirty)
        return;
    uint32_t *d = dw_grow(e->dirty, &e->cap_dirty, e->n_dirty + 1, sizeof *d, 256);
    if (!d)
        return;                 /* the change shows at the next report */
    e->dirty = d;
    e->dirty[e->n_dirty++] = (uint32_t)(k - e->tr);
    k->dirty = 1;
}

/* The horizontal 1-sigma: the larger axis of the east-north covariance ellipse. */
static double sigma_h(const dw_track *t)
{
    double a = t->cov_pos_enu[0][0], b = t->cov_pos_enu[0][1], d = t->cov_pos_enu[1][1];
    double m = 0.5 * (a + d), r = sqrt(0.25 * (a - d) * (a - d) + b * b);
    double l = m + r;
    return l > 0 && isfinite(l) ? sqrt(l) : 0.0;
}

/* The track's line with the picture's own keys; 0 when the estimate cannot be written
 * (outside the format's range: counted by the caller). */
static size_t track_line(const dw_engine *e, const dw_track *t, double threat, char *buf,
                         size_t cap)
{
    size_t nn = 0;
    const char *const *names = dw_pipeline_sensor_names(e->pl, &nn);
    char *end = NULL;
    if (dw_ndjson_write_track(buf, buf + cap - 64, t, names, nn, &end) != DW_OK)
        return 0;
    while (end > buf && end[-1] != '}')
        end--;
    if (end == buf)
        return 0;
    end--;
    int n = snprintf(end, (size_t)(buf + cap - end), ",\"threat\":%.3f,\"sigma_m\":%.1f}",
                     threat, sigma_h(t));
    if (n < 0 || end + n >= buf + cap)
        return 0;
    return (size_t)(end + n - buf);
}

/* The brief line: what a map needs of a track, a fifth of the full one's bytes (no
 * covariances), for the stream and the track list. */
static size_t brief_line(const dw_engine *e, const dw_track *t, double threat, char *buf,
                         size_t cap)
{
    dw_jw w;
    dw_jw_init(&w, buf, cap);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "v", 1);
    dw_jw_kstr(&w, "type", "track");
    dw_jw_kint(&w, "t_us", t->t_us);
    dw_jw_key(&w, "id");
    dw_jw_uint(&w, t->id);
    dw_jw_kstr(&w, "status", dw_track_status_name(t->status));
    dw_jw_key(&w, "lat_deg");
    dw_jw_double_prec(&w, t->lat_deg, 10);
    dw_jw_key(&w, "lon_deg");
    dw_jw_double_prec(&w, t->lon_deg, 10);
    dw_jw_key(&w, "alt_m");
    dw_jw_double_prec(&w, t->alt_m, 6);
    dw_jw_key(&w, "vel_enu_mps");
    dw_jw_arr(&w);
    for (int i = 0; i < 3; i++)
        dw_jw_double_prec(&w, t->vel_enu_mps[i], 4);
    dw_jw_arr_end(&w);
    dw_jw_kstr(&w, "class", dw_class_name(t->cls));
    dw_jw_key(&w, "class_prob");
    dw_jw_double_prec(&w, t->class_prob[t->cls], 3);
    dw_jw_kstr(&w, "affiliation", dw_affiliation_name(t->affiliation));
    size_t nn = 0;
    const char *const *names = dw_pipeline_sensor_names(e->pl, &nn);
    dw_jw_key(&w, "sensors");
    dw_jw_arr(&w);
    for (int i = 0; i < t->n_sensors; i++)
        if (t->sensor_idx[i] < nn)
            dw_jw_str(&w, names[t->sensor_idx[i]]);
    dw_jw_arr_end(&w);
    if (t->icao) {
        char hex[8];
        snprintf(hex, sizeof hex, "%06X", (unsigned)t->icao & 0xFFFFFFu);
        dw_jw_kstr(&w, "icao", hex);
    }
    if (t->callsign[0])
        dw_jw_kstr(&w, "callsign", t->callsign);
    if (t->rid[0])
        dw_jw_kstr(&w, "rid", t->rid);
    dw_jw_key(&w, "threat");
    dw_jw_double_prec(&w, threat, 3);
    dw_jw_key(&w, "sigma_m");
    dw_jw_double_prec(&w, sigma_h(t), 4);
    dw_jw_obj_end(&w);
    return dw_jw_ok(&w) ? dw_jw_len(&w) : 0;
}

static int set_brief(dw_engine *e, eng_track *k, const dw_track *t, double threat)
{
    size_t n = brief_line(e, t, threat, e->line2, sizeof e->line2);
    return n ? set_line(&k->brief, &k->bcap, &k->blen, e->line2, n) : 0;
}

static void hints_of(const dw_engine *e, const dw_track *t, dw_class_hints *h)
{
    size_t nn = 0;
    const char *const *names = dw_pipeline_sensor_names(e->pl, &nn);
    dw_class_hints_of_track(t, names, nn, e->index, e->sensors, h);
}

static dw_status on_report(void *ctx, const dw_track *in)
{
    dw_engine *e = ctx;
    dw_track t = *in;
    double threat = 0.0;
    if (e->as) {
        dw_class_hints h;
        hints_of(e, in, &h);
        dw_status st = dw_assess_track(e->as, &t, &h);
        if (st != DW_OK)
            return st;
        const dw_assess_facts *f = dw_assess_facts_of(e->as, t.id);
        if (f)
            threat = f->threat_score;
    }
    eng_track *k = track_get(e, t.id);
    if (!k)
        return DW_ERR_NOMEM;
    if (k->forced)
        t.affiliation = k->forced_aff;
    k->t = t;
    k->assessed = 1;
    k->threat = threat;
    size_t n = track_line(e, &t, threat, e->line, sizeof e->line);
    if (!n)
        return DW_OK;
    if (set_line(&k->line, &k->cap, &k->len, e->line, n) || set_brief(e, k, &t, threat))
        return DW_ERR_NOMEM;
    k->line_stale = k->brief_stale = 0;
    int at = k->n_hist < DW_ENGINE_HISTORY ? (k->head + k->n_hist++) % DW_ENGINE_HISTORY
                                          : (k->head++ % DW_ENGINE_HISTORY);
    k->head %= DW_ENGINE_HISTORY;
    k->hist[at] = (hpoint){t.t_us, (float)t.lat_deg, (float)t.lon_deg, (float)t.alt_m};
    mark_dirty(e, k);
    e->st.track_out++;
    emit_out(e, DW_ENG_OUT_TRACK, t.t_us, t.id, e->line, n, &t);
    return DW_OK;
}

static dw_status make_plan(dw_engine *e, int64_t t_us);

static dw_status on_report_done(void *ctx, int64_t t_us)
{
    dw_engine *e = ctx;
    if (t_us > e->t_us)
        e->t_us = t_us;
    dw_status st = e->as ? dw_assess_advance(e->as, t_us) : DW_OK;
    return st == DW_OK ? make_plan(e, t_us) : st;
}

static dw_status on_dead(void *ctx, const dw_track *in)
{
    dw_engine *e = ctx;
    /* The assessment sees the end as `dronewall sim` shows it: a drone that ended in flight
     * raises its debris zone (docs/assessment.md §6); the dead line carries its class. */
    dw_track ended = *in;
    const dw_track *t = in;
    if (e->as) {
        dw_class_hints h;
        hints_of(e, in, &h);
        dw_status st = dw_assess_track(e->as, &ended, &h);
        if (st != DW_OK)
            return st;
        t = &ended;
    }
    size_t n = track_line(e, t, 0.0, e->line, sizeof e->line);
    e->st.dead_out++;
    if (n)
        emit_out(e, DW_ENG_OUT_DEAD, t->t_us, t->id, e->line, n, t);
    eng_track *k = track_find(e, t->id);
    if (k) {
        if (k->dirty) {         /* out of the dirty list before the slot is reused */
            for (size_t i = 0; i < e->n_dirty; i++)
                if (e->dirty[i] == (uint32_t)(k - e->tr)) {
                    e->dirty[i] = e->dirty[--e->n_dirty];
                    break;
                }
        }
        track_drop(e, k);
    }
    uint64_t *d = dw_grow(e->dead, &e->cap_dead, e->n_dead + 1, sizeof *d, 64);
    if (!d)
        return DW_OK;
    e->dead = d;
    e->dead[e->n_dead++] = t->id;
    return DW_OK;
}

static dw_status on_update(void *ctx, const dw_track *in)
{
    dw_engine *e = ctx;
    eng_track *k = track_get(e, in->id);
    if (!k)
        return DW_ERR_NOMEM;
    dw_track t = *in;
    if (k->assessed) {
        t.cls = k->t.cls;
        t.affiliation = k->t.affiliation;
        memcpy(t.class_prob, k->t.class_prob, sizeof t.class_prob);
    }
    if (k->forced)
        t.affiliation = k->forced_aff;
    /* Every plot updates a track and a viewer sees it a few times a second: its lines
     * are written from the newest update when they are asked for. */
    k->live = t;
    k->line_stale = k->brief_stale = 1;
    if (!k->assessed)
        k->t = t;
    mark_dirty(e, k);
    e->st.live_out++;
    emit_out(e, DW_ENG_OUT_LIVE, t.t_us, t.id, NULL, 0, &t);
    return DW_OK;
}

/* ------------------------------------------------------------------ alerts */

static eng_alert *alert_find(const dw_engine *e, uint64_t id)
{
    size_t pos = 0;
    uint32_t v;
    while ((v = dw__idmap_next(&e->amap, mix(id), &pos)) != DW__IDMAP_NONE)
        if (e->al[v].id == id)
            return &e->al[v];
    return NULL;
}

/* The alert's line with its acknowledgement, kept and put out. */
static void alert_publish(dw_engine *e, eng_alert *a)
{
    char *buf = e->line2;
    size_t n = a->base_len;
    if (n + 200 > sizeof e->line2 || n < 2)
        return;
    memcpy(buf, a->base, n);
    while (n > 0 && buf[n - 1] != '}')
        n--;
    if (!n)
        return;
    n--;
    int k;
    if (a->acked) {
        char by[128];
        dw_jw w;
        dw_jw_init(&w, by, sizeof by);
        dw_jw_str(&w, a->ack_by);
        k = snprintf(buf + n, sizeof e->line2 - n, ",\"acked\":{\"t_us\":%lld,\"by\":%s}}",
                     (long long)a->ack_us, dw_jw_ok(&w) ? by : "\"operator\"");
    } else {
        k = snprintf(buf + n, sizeof e->line2 - n, ",\"acked\":null}");
    }
    if (k < 0 || n + (size_t)k >= sizeof e->line2)
        return;
    n += (size_t)k;
    char *l = realloc(a->line, n + 1);
    if (!l)
        return;
    memcpy(l, buf, n + 1);
    a->line = l;
    a->len = n;
    e->st.alert_out++;
    emit_out(e, DW_ENG_OUT_ALERT, a->t_us, 0, a->line, a->len, e->cur_alert);
}

static void on_alert(void *ctx, const dw_alert *al)
{
    dw_engine *e = ctx;
    size_t n = dw_alert_to_ndjson(al, e->line, sizeof e->line);
    if (!n)
        return;
    eng_alert *a = alert_find(e, al->id);
    if (!a) {
        eng_alert *x = dw_grow(e->al, &e->cap_al, e->n_al + 1, sizeof *x, 64);
        if (!x)
            return;
        e->al = x;
        if (dw__idmap_reserve(&e->amap, e->amap.count + 1) != DW_OK)
            return;
        a = &e->al[e->n_al];
        memset(a, 0, sizeof *a);
        a->id = al->id;
        dw__idmap_add(&e->amap, mix(al->id), (uint32_t)e->n_al);
        e->n_al++;
    }
    char *b = realloc(a->base, n + 1);
    if (!b)
        return;
    memcpy(b, e->line, n + 1);
    a->base = b;
    a->base_len = n;
    a->state = al->state;
    a->t_us = al->t_us;
    /* A reopened or worse alert is news again: the acknowledgement was for what it was. */
    if (al->state == DW_ALERT_RAISED || al->state == DW_ALERT_REOPENED)
        a->acked = 0;
    e->cur_alert = al;
    alert_publish(e, a);
    e->cur_alert = NULL;
}

static void on_identity(void *ctx, const dw_track *t, dw_affiliation from, dw_affiliation to,
                        const char *rule)
{
    dw_engine *e = ctx;
    dw_jw w;
    dw_jw_init(&w, e->line2, sizeof e->line2);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "v", 1);
    dw_jw_kstr(&w, "type", "identity");
    dw_jw_kint(&w, "t_us", t->t_us);
    dw_jw_key(&w, "track");
    dw_jw_uint(&w, t->id);
    dw_jw_kstr(&w, "from", dw_affiliation_name(from));
    dw_jw_kstr(&w, "to", dw_affiliation_name(to));
    dw_jw_kstr(&w, "class", dw_class_name(t->cls));
    dw_jw_kstr(&w, "rule", rule ? rule : "");
    dw_jw_obj_end(&w);
    if (!dw_jw_ok(&w))
        return;
    e->st.identity_out++;
    emit_out(e, DW_ENG_OUT_IDENTITY, t->t_us, t->id, e->line2, dw_jw_len(&w), t);
}


/* ------------------------------------------------------------------ response planning */

static int is_engaged(const dw_engine *e, uint64_t id)
{
    for (size_t i = 0; i < e->n_engaged; i++)
        if (e->engaged[i] == id)
            return 1;
    return 0;
}

static const struct plan_decision *decision_of(const dw_engine *e, uint64_t rec)
{
    for (size_t i = 0; i < e->n_decisions; i++)
        if (e->decisions[i].rec == rec)
            return &e->decisions[i];
    return NULL;
}

static void rec_json(const dw_engine *e, dw_jw *w, const dw_plan_rec *r)
{
    size_t ne = 0;
    const dw_effector *eff = dw_planner_effectors(e->planner, &ne);
    dw_jw_obj(w);
    dw_jw_key(w, "id");
    dw_jw_uint(w, r->id);
    dw_jw_key(w, "track");
    dw_jw_uint(w, r->track_id);
    dw_jw_kstr(w, "effector", r->effector_id);
    dw_jw_kstr(w, "effector_kind", r->effector >= 0 && (size_t)r->effector < ne
                                       ? dw_effector_kind_name(eff[r->effector].kind) : "");
    dw_jw_key(w, "t_launch_s");
    dw_jw_double_prec(w, r->t_launch_s, 6);
    dw_jw_key(w, "t_intercept_s");
    dw_jw_double_prec(w, r->t_intercept_s, 6);
    dw_jw_key(w, "lat_deg");
    dw_jw_double_prec(w, r->lat_deg, 10);
    dw_jw_key(w, "lon_deg");
    dw_jw_double_prec(w, r->lon_deg, 10);
    dw_jw_key(w, "alt_m");
    dw_jw_double_prec(w, r->alt_m, 6);
    dw_jw_kint(w, "shots", r->shots);
    dw_jw_key(w, "pk");
    dw_jw_double_prec(w, r->pk, 4);
    dw_jw_key(w, "cost_eur");
    dw_jw_double_prec(w, r->cost_eur, 8);
    dw_jw_key(w, "exchange_ratio");
    dw_jw_double_prec(w, r->exchange_ratio, 4);
    dw_jw_key(w, "people_at_risk");
    dw_jw_double_prec(w, r->people_at_risk, 4);
    dw_jw_kstr(w, "over_site", r->over_site);
    dw_jw_kstr(w, "reason", r->reason);
    dw_jw_key(w, "decision");
    const struct plan_decision *d = decision_of(e, r->id);
    if (d) {
        dw_jw_obj(w);
        dw_jw_kstr(w, "decision", d->approve ? "approve" : "reject");
        dw_jw_kstr(w, "by", d->by);
        dw_jw_kint(w, "t_us", d->t_us);
        dw_jw_obj_end(w);
    } else {
        dw_jw_null(w);
    }
    dw_jw_obj_end(w);
}

/* The current plan as one line, kept for GET /api/plan and put out. */
static void publish_plan(dw_engine *e)
{
    size_t cap = 2048 + e->n_recs * 1024;
    char *buf = malloc(cap);
    if (!buf)
        return;
    dw_jw w;
    dw_jw_init(&w, buf, cap);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "v", 1);
    dw_jw_kstr(&w, "type", "plan");
    dw_jw_kint(&w, "t_us", e->plan_t_us);
    dw_jw_kstr(&w, "strategy", "wta");
    dw_jw_key(&w, "summary");
    dw_jw_obj(&w);
    const dw_plan_summary *m = &e->plan_sum;
    dw_jw_kint(&w, "threats", (int64_t)m->threats);
    dw_jw_kint(&w, "engaged", (int64_t)m->engaged);
    dw_jw_key(&w, "cost_eur");
    dw_jw_double_prec(&w, m->cost_eur, 8);
    dw_jw_key(&w, "expected_leakage");
    dw_jw_double_prec(&w, m->expected_leakage, 4);
    dw_jw_key(&w, "people_at_risk");
    dw_jw_double_prec(&w, m->people_at_risk, 4);
    dw_jw_kint(&w, "over_populated", (int64_t)m->over_populated);
    dw_jw_key(&w, "gap");
    dw_jw_double_prec(&w, m->gap, 4);
    dw_jw_kint(&w, "under_way", (int64_t)e->n_engaged);
    dw_jw_obj_end(&w);
    dw_jw_key(&w, "recommendations");
    dw_jw_arr(&w);
    for (size_t i = 0; i < e->n_recs; i++)
        rec_json(e, &w, &e->recs[i]);
    dw_jw_arr_end(&w);
    dw_jw_obj_end(&w);
    if (!dw_jw_ok(&w)) {
        free(buf);
        return;
    }
    free(e->plan_line);
    e->plan_line = buf;
    e->plan_len = dw_jw_len(&w);
    emit_out(e, DW_ENG_OUT_PLAN, e->plan_t_us, 0, e->plan_line, e->plan_len, NULL);
}

/* Every plan_period of data time: the hostile and suspect drones not yet engaged, with
 * what they threaten and when, planned against the effectors. */
static dw_status make_plan(dw_engine *e, int64_t t_us)
{
    if (!e->planner || !e->as)
        return DW_OK;
    if (e->last_plan_us != INT64_MIN && t_us - e->last_plan_us < e->plan_period_us)
        return DW_OK;
    e->last_plan_us = t_us;
    size_t cap = e->st.tracks_now + 1, n = 0;
    dw_plan_target *tg = malloc(cap * sizeof *tg);
    if (!tg)
        return DW_ERR_NOMEM;
    for (size_t i = 0; i < e->n_tr && n < cap; i++) {
        const eng_track *k = &e->tr[i];
        if (!k->id || !k->assessed || is_engaged(e, k->id))
            continue;
        if (k->t.affiliation != DW_AFF_HOSTILE && k->t.affiliation != DW_AFF_SUSPECT)
            continue;
        const dw_assess_facts *f = dw_assess_facts_of(e->as, k->id);
        if (!f || f->drone_prob < 0.5)
            continue;
        dw_plan_target *x = &tg[n++];
        memset(x, 0, sizeof *x);
        x->track_id = k->id;
        x->cls = k->t.cls;
        x->lat_deg = k->t.lat_deg;
        x->lon_deg = k->t.lon_deg;
        x->alt_m = k->t.alt_m;
        memcpy(x->vel_enu_mps, k->t.vel_enu_mps, sizeof x->vel_enu_mps);
        x->deadline_s = INFINITY;
        if (f->n_threatened > 0) {
            x->deadline_s = (double)(f->threatened_eta_us[0] - t_us) * 1e-6;
            if (x->deadline_s < 0)
                x->deadline_s = 0;
            const dw_geog_feature *gf = dw_geog_get(e->geo, (size_t)f->threatened[0]);
            if (gf)
                snprintf(x->threatens, sizeof x->threatens, "%s", gf->id);
        }
        /* What the assessment says it threatens first, valued as `dronewall plan` does. */
        x->value_eur = dw_plan_threats_value(e->threats, x->cls,
                                             f->n_threatened > 0 ? f->threatened[0] : -1);
    }
    const dw_plan_rec *recs = NULL;
    size_t nr = 0;
    dw_plan_summary sum;
    dw_status st = dw_planner_plan(e->planner, tg, n, t_us, &recs, &nr, &sum);
    free(tg);
    if (st != DW_OK)
        return st;
    if (nr > e->cap_recs) {
        dw_plan_rec *r = realloc(e->recs, nr * sizeof *r);
        if (!r)
            return DW_ERR_NOMEM;
        e->recs = r;
        e->cap_recs = nr;
    }
    if (nr)
        memcpy(e->recs, recs, nr * sizeof *recs);
    e->n_recs = nr;
    e->plan_sum = sum;
    e->plan_t_us = t_us;
    e->n_decisions = 0;         /* decisions were on the last plan's recommendations */
    e->st.plans++;
    publish_plan(e);
    return DW_OK;
}

static dw_status do_decide(dw_engine *e, uint64_t rec_id, int approve, int64_t t_us,
                           const char *by)
{
    const dw_plan_rec *r = NULL;
    for (size_t i = 0; i < e->n_recs; i++)
        if (e->recs[i].id == rec_id)
            r = &e->recs[i];
    if (!r || decision_of(e, rec_id))
        return DW_ERR_NOT_FOUND;
    if (approve) {
        dw_status st = dw_planner_commit(e->planner, rec_id, t_us);
        if (st != DW_OK)
            return st;
        uint64_t *g = dw_grow(e->engaged, &e->cap_engaged, e->n_engaged + 1, sizeof *g, 32);
        if (!g)
            return DW_ERR_NOMEM;
        e->engaged = g;
        e->engaged[e->n_engaged++] = r->track_id;
        if (e->as)
            dw_assess_engaged(e->as, r->track_id);
    }
    struct plan_decision *x = dw_grow(e->decisions, &e->cap_decisions, e->n_decisions + 1,
                                      sizeof *x, 16);
    if (!x)
        return DW_ERR_NOMEM;
    e->decisions = x;
    struct plan_decision *d = &e->decisions[e->n_decisions++];
    d->rec = rec_id;
    d->approve = approve;
    d->t_us = t_us;
    snprintf(d->by, sizeof d->by, "%s", by && *by ? by : "operator");
    e->st.decisions++;
    char *buf = malloc(4096);
    if (buf) {
        dw_jw w;
        dw_jw_init(&w, buf, 4096);
        dw_jw_obj(&w);
        dw_jw_kint(&w, "v", 1);
        dw_jw_kstr(&w, "type", "decision");
        dw_jw_kint(&w, "t_us", t_us);
        dw_jw_kstr(&w, "decision", approve ? "approve" : "reject");
        dw_jw_kstr(&w, "by", d->by);
        dw_jw_key(&w, "recommendation");
        rec_json(e, &w, r);
        dw_jw_obj_end(&w);
        if (dw_jw_ok(&w))
            emit_out(e, DW_ENG_OUT_DECISION, t_us, r->track_id, buf, dw_jw_len(&w), NULL);
        free(buf);
    }
    publish_plan(e);
    return DW_OK;
}

dw_status dw_engine_decide(dw_engine *e, uint64_t rec_id, int approve, int64_t t_us,
                           const char *by)
{
    if (!e)
        return DW_ERR_INVALID;
    if (e->failed != DW_OK)
        return e->failed;
    if (!e->planner)
        return DW_ERR_UNSUPPORTED;
    int known = 0;
    for (size_t i = 0; i < e->n_recs; i++)
        known |= e->recs[i].id == rec_id;
    if (!known || decision_of(e, rec_id))
        return DW_ERR_NOT_FOUND;
    dw_jw w;
    dw_jw_init(&w, e->line, sizeof e->line);
    dw_jw_obj(&w);
    dw_jw_kstr(&w, "type", "decision");
    dw_jw_kint(&w, "t_us", t_us);
    dw_jw_key(&w, "recommendation");
    dw_jw_uint(&w, rec_id);
    dw_jw_kstr(&w, "decision", approve ? "approve" : "reject");
    dw_jw_kstr(&w, "by", by && *by ? by : "operator");
    dw_jw_obj_end(&w);
    if (!dw_jw_ok(&w))
        return DW_ERR_INVALID;
    emit_in(e, DW_ENG_IN_DECISION, t_us, e->line, dw_jw_len(&w));
    return do_decide(e, rec_id, approve, t_us, by);
}

int dw_engine_has_planning(const dw_engine *e) { return e && e->planner; }

dw_status dw_engine_recommendation(const dw_engine *e, uint64_t rec_id, dw_plan_rec *out,
                                   int64_t *planned_us)
{
    for (size_t i = 0; e && i < e->n_recs; i++)
        if (e->recs[i].id == rec_id) {
            *out = e->recs[i];
            *planned_us = e->plan_t_us;
            return DW_OK;
        }
    return DW_ERR_NOT_FOUND;
}

const char *dw_engine_plan_line(const dw_engine *e, size_t *len)
{
    *len = e && e->plan_line ? e->plan_len : 0;
    return e ? e->plan_line : NULL;
}

/* ------------------------------------------------------------------ life */

dw_status dw_engine_create(const dw_engine_config *c, const dw_engine_sink *sink,
                           dw_engine **out, char *err, size_t errlen)
{
    if (!c || !out)
        return DW_ERR_INVALID;
    *out = NULL;
    dw_engine *e = calloc(1, sizeof *e);
    if (!e)
        return DW_ERR_NOMEM;
    if (sink)
        e->sink = *sink;
    e->t_us = e->last_obs_us = INT64_MIN;
    dw_status st = DW_ERR_NOMEM;
    if (dw__idmap_init(&e->tmap, 1024) != DW_OK || dw__idmap_init(&e->amap, 64) != DW_OK)
        goto fail;
    if (c->n_sensors) {
        e->sensors = malloc(c->n_sensors * sizeof *e->sensors);
        if (!e->sensors)
            goto fail;
        memcpy(e->sensors, c->sensors, c->n_sensors * sizeof *e->sensors);
        e->n_sensors = c->n_sensors;
    }
    if (c->n_geo_files) {
        memcpy(e->home, c->home, sizeof e->home);
        if ((st = dw_geog_create(&e->geo)) != DW_OK)
            goto fail;
        for (size_t i = 0; i < c->n_geo_files; i++)
            if ((st = dw_geog_load(e->geo, c->geo_files[i], err, errlen)) != DW_OK)
                goto fail;
        if (c->rules_file &&
            (st = dw_rules_load(c->rules_file, e->geo, &e->rules, err, errlen)) != DW_OK)
            goto fail;
        dw_assess_config ac;
        dw_assess_config_default(&ac);
        ac.geo = e->geo;
        ac.rules = e->rules;
        memcpy(ac.home, c->home, sizeof ac.home);
        const dw_assess_sink as = {on_alert, on_identity, e};
        if ((st = dw_assess_create(&ac, &as, &e->as, err, errlen)) != DW_OK)
            goto fail;
        if ((st = dw_sensors_index_create(e->sensors, e->n_sensors, &e->index, err, errlen)) !=
            DW_OK)
            goto fail;
    } else if (c->rules_file) {
        seterr(err, errlen, "identification rules need a geography to assess against");
        st = DW_ERR_INVALID;
        goto fail;
    }
    e->last_plan_us = INT64_MIN;
    e->plan_period_us = (int64_t)llround((c->plan_period_s > 0 ? c->plan_period_s : 10.0) * 1e6);
    if (c->effectors_file) {
        if (!e->as) {
            seterr(err, errlen, "response planning needs an assessment (a home country and its "
                                "geography): threats are what it assesses");
            st = DW_ERR_INVALID;
            goto fail;
        }
        dw_effector *eff = NULL;
        size_t ne = 0;
        if ((st = dw_effectors_load(c->effectors_file, &eff, &ne, err, errlen)) != DW_OK)
            goto fail;
        dw_plan_config pc;
        dw_plan_config_default(&pc);
        st = dw_planner_create(eff, ne, e->geo, &pc, &e->planner, err, errlen);
        dw_effectors_free(eff);
        if (st != DW_OK ||
            (st = dw_plan_threats_create(e->geo, e->home, &e->threats, err, errlen)) != DW_OK)
            goto fail;
    }
    const dw_pipeline_sink ps = {.report = on_report, .report_done = on_report_done,
                                 .dead = on_dead, .update = on_update, .ctx = e};
    if ((st = dw_pipeline_create(e->sensors, e->n_sensors, &c->pipeline, &ps, &e->pl, err,
                                 errlen)) != DW_OK)
        goto fail;
    *out = e;
    return DW_OK;
fail:
    dw_engine_destroy(e);
    return st;
}

void dw_engine_destroy(dw_engine *e)
{
    if (!e)
        return;
    dw_pipeline_destroy(e->pl);
    dw_planner_destroy(e->planner);
    dw_plan_threats_destroy(e->threats);
    free(e->recs);
    free(e->decisions);
    free(e->engaged);
    free(e->plan_line);
    free(e->palerts);
    dw_assess_destroy(e->as);
    dw_rules_destroy(e->rules);
    dw_geog_destroy(e->geo);
    dw_sensors_index_destroy(e->index);
    for (size_t i = 0; i < e->n_tr; i++) {
        free(e->tr[i].line);
        free(e->tr[i].brief);
    }
    for (size_t i = 0; i < e->n_al; i++) {
        free(e->al[i].base);
        free(e->al[i].line);
    }
    free(e->tr);
    free(e->free_tr);
    free(e->al);
    free(e->dirty);
    free(e->dead);
    free(e->sensors);
    dw__idmap_free(&e->tmap);
    dw__idmap_free(&e->amap);
    free(e);
}

static dw_status fail(dw_engine *e, dw_status st)
{
    if (st != DW_OK && e->failed == DW_OK)
        e->failed = st;
    return st;
}

/* ------------------------------------------------------------------ inputs */

static dw_status take_obs(dw_engine *e, const dw_obs *o)
{
    e->st.obs++;
    if (o->t_us > e->last_obs_us)
        e->last_obs_us = o->t_us;
    if (o->t_us > e->t_us)
        e->t_us = o->t_us;
    return fail(e, dw_pipeline_obs(e->pl, o));
}

dw_status dw_engine_obs(dw_engine *e, const dw_obs *o)
{
    if (!e || !o)
        return DW_ERR_INVALID;
    if (e->failed != DW_OK)
        return e->failed;
    char *end = NULL;
    if (dw_ndjson_write_obs(e->line, e->line + sizeof e->line, o, &end) != DW_OK) {
        e->st.obs_rejected++;
        return DW_OK;
    }
    size_t n = (size_t)(end - e->line);
    while (n && (e->line[n - 1] == '\n' || e->line[n - 1] == '\r'))
        n--;
    emit_in(e, DW_ENG_IN_OBS, o->t_us, e->line, n);
    /* What is tracked is what the line says, so that the recording's line tracks the same. */
    dw_record rec;
    char perr[160];
    if (dw_ndjson_parse(e->line, n, &rec, perr, sizeof perr) != DW_OK || rec.type != DW_REC_OBS) {
        e->st.obs_rejected++;
        return DW_OK;
    }
    return take_obs(e, &rec.u.obs);
}

dw_status dw_engine_flush(dw_engine *e)
{
    if (!e)
        return DW_ERR_INVALID;
    if (e->failed != DW_OK)
        return e->failed;
    /* Before the first observation nothing can wait in a batch: not an event. */
    if (e->last_obs_us == INT64_MIN)
        return DW_OK;
    static const char line[] = "{\"type\":\"flush\"}";
    emit_in(e, DW_ENG_IN_FLUSH, e->t_us, line, sizeof line - 1);
    e->st.flushes++;
    return fail(e, dw_pipeline_flush(e->pl));
}

/* Quiet for this long (no observation), the clock alone drops tracks whose coast ran out. */
#define QUIET_US (2 * 1000000LL)

static dw_status do_tick(dw_engine *e, int64_t now_us)
{
    e->st.ticks++;
    if (now_us > e->t_us)
        e->t_us = now_us;
    if (e->last_obs_us != INT64_MIN && now_us - e->last_obs_us >= QUIET_US)
        return fail(e, dw_pipeline_expire(e->pl, now_us));
    return fail(e, dw_pipeline_advance(e->pl, now_us));
}

dw_status dw_engine_tick(dw_engine *e, int64_t now_us)
{
    if (!e)
        return DW_ERR_INVALID;
    if (e->failed != DW_OK)
        return e->failed;
    int n = snprintf(e->line, sizeof e->line, "{\"type\":\"tick\",\"t_us\":%lld}", (long long)now_us);
    emit_in(e, DW_ENG_IN_TICK, now_us, e->line, (size_t)n);
    return do_tick(e, now_us);
}

static dw_status do_sensor(dw_engine *e, const char *sensor, int up, int64_t t_us)
{
    dw_jw w;
    dw_jw_init(&w, e->line2, sizeof e->line2);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "v", 1);
    dw_jw_kstr(&w, "type", "sensor");
    dw_jw_kint(&w, "t_us", t_us);
    dw_jw_kstr(&w, "sensor", sensor);
    dw_jw_kstr(&w, "status", up ? "up" : "down");
    dw_jw_obj_end(&w);
    if (dw_jw_ok(&w)) {
        e->st.sensor_out++;
        emit_out(e, DW_ENG_OUT_SENSOR, t_us, 0, e->line2, dw_jw_len(&w), NULL);
    }
    return e->as ? fail(e, dw_assess_sensor(e->as, sensor, up, t_us)) : DW_OK;
}

dw_status dw_engine_sensor(dw_engine *e, const char *sensor, int up, int64_t t_us)
{
    if (!e || !sensor)
        return DW_ERR_INVALID;
    if (e->failed != DW_OK)
        return e->failed;
    dw_jw w;
    dw_jw_init(&w, e->line, sizeof e->line);
    dw_jw_obj(&w);
    dw_jw_kstr(&w, "type", "sensor");
    dw_jw_kint(&w, "t_us", t_us);
    dw_jw_kstr(&w, "sensor", sensor);
    dw_jw_kbool(&w, "up", up);
    dw_jw_obj_end(&w);
    if (!dw_jw_ok(&w))
        return DW_ERR_INVALID;
    emit_in(e, DW_ENG_IN_SENSOR, t_us, e->line, dw_jw_len(&w));
    return do_sensor(e, sensor, up, t_us);
}

static dw_status do_ack(dw_engine *e, uint64_t id, int64_t t_us, const char *by)
{
    eng_alert *a = alert_find(e, id);
    if (!a) {
        e->st.unknown_alert++;
        return DW_ERR_NOT_FOUND;
    }
    a->acked = 1;
    a->ack_us = t_us;
    snprintf(a->ack_by, sizeof a->ack_by, "%s", by && *by ? by : "operator");
    a->t_us = t_us > a->t_us ? t_us : a->t_us;
    e->st.acks++;
    alert_publish(e, a);
    return DW_OK;
}

dw_status dw_engine_ack(dw_engine *e, uint64_t alert_id, int64_t t_us, const char *by)
{
    if (!e)
        return DW_ERR_INVALID;
    if (e->failed != DW_OK)
        return e->failed;
    if (!alert_find(e, alert_id)) {
        e->st.unknown_alert++;
        return DW_ERR_NOT_FOUND;
    }
    dw_jw w;
    dw_jw_init(&w, e->line, sizeof e->line);
    dw_jw_obj(&w);
    dw_jw_kstr(&w, "type", "ack");
    dw_jw_kint(&w, "t_us", t_us);
    dw_jw_key(&w, "alert");
    dw_jw_uint(&w, alert_id);
    dw_jw_kstr(&w, "by", by && *by ? by : "operator");
    dw_jw_obj_end(&w);
    if (!dw_jw_ok(&w))
        return DW_ERR_INVALID;
    emit_in(e, DW_ENG_IN_ACK, t_us, e->line, dw_jw_len(&w));
    return do_ack(e, alert_id, t_us, by);
}

static dw_status do_set_identity(dw_engine *e, uint64_t id, dw_affiliation aff, int64_t t_us,
                                 const char *by)
{
    eng_track *k = track_find(e, id);
    if (!k) {
        e->st.unknown_track++;
        return DW_ERR_NOT_FOUND;
    }
    dw_affiliation from = k->t.affiliation;
    k->forced = 1;
    k->forced_aff = aff;
    k->t.affiliation = aff;
    e->st.identities_set++;
    char rule[96];
    snprintf(rule, sizeof rule, "operator %s", by && *by ? by : "");
    dw_track t = k->t;
    t.t_us = t_us;
    on_identity(e, &t, from, aff, rule);
    if (k->line_stale || k->brief_stale) {     /* a live update is newer: written when asked */
        k->live.affiliation = aff;
        k->line_stale = k->brief_stale = 1;
        mark_dirty(e, k);
        return DW_OK;
    }
    size_t n = track_line(e, &k->t, k->threat, e->line, sizeof e->line);
    if (n && !set_line(&k->line, &k->cap, &k->len, e->line, n) && !set_brief(e, k, &k->t, k->threat))
        mark_dirty(e, k);
    return DW_OK;
}

dw_status dw_engine_set_identity(dw_engine *e, uint64_t track_id, dw_affiliation aff,
                                 int64_t t_us, const char *by)
{
    if (!e)
        return DW_ERR_INVALID;
    if (e->failed != DW_OK)
        return e->failed;
    if (!track_find(e, track_id)) {
        e->st.unknown_track++;
        return DW_ERR_NOT_FOUND;
    }
    dw_jw w;
    dw_jw_init(&w, e->line, sizeof e->line);
    dw_jw_obj(&w);
    dw_jw_kstr(&w, "type", "set_identity");
    dw_jw_kint(&w, "t_us", t_us);
    dw_jw_key(&w, "track");
    dw_jw_uint(&w, track_id);
    dw_jw_kstr(&w, "affiliation", dw_affiliation_name(aff));
    dw_jw_kstr(&w, "by", by && *by ? by : "operator");
    dw_jw_obj_end(&w);
    if (!dw_jw_ok(&w))
        return DW_ERR_INVALID;
    emit_in(e, DW_ENG_IN_SET_IDENTITY, t_us, e->line, dw_jw_len(&w));
    return do_set_identity(e, track_id, aff, t_us, by);
}

static dw_status do_partner(dw_engine *e, json_t *in)
{
    json_int_t t = 0, oid = 0;
    const char *origin = NULL, *via = NULL, *kind = NULL, *state = NULL;
    json_t *al = NULL;
    dw_alert_kind k;
    dw_alert_state s;
    if (json_unpack(in, "{s:I,s:s,s:s,s:o}", "t_us", &t, "origin", &origin, "via", &via, "alert",
                    &al) ||
        json_unpack(al, "{s:I,s:s,s:s}", "id", &oid, "kind", &kind, "state", &state) ||
        oid < 0 || dw_alert_kind_parse(kind, &k) != 0 || dw_alert_state_parse(state, &s) != 0)
        return DW_ERR_PARSE;
    struct partner_alert *pa = NULL;
    for (size_t i = 0; i < e->n_palerts && !pa; i++)
        if (e->palerts[i].origin_id == (uint64_t)oid && !strcmp(e->palerts[i].origin, origin))
            pa = &e->palerts[i];
    if (!pa) {
        pa = dw_grow(e->palerts, &e->cap_palerts, e->n_palerts + 1, sizeof *pa, 16);
        if (!pa)
            return DW_ERR_NOMEM;
        e->palerts = pa;
        pa = &pa[e->n_palerts];
        snprintf(pa->origin, sizeof pa->origin, "%s", origin);
        pa->origin_id = (uint64_t)oid;
        pa->id = PARTNER_ALERT_ID0 + e->n_palerts++;
    }
    json_t *copy = json_deep_copy(al);
    if (!copy)
        return DW_ERR_NOMEM;
    json_object_set_new(copy, "id", json_integer((json_int_t)pa->id));
    json_object_set_new(copy, "origin", json_string(origin));
    json_object_set_new(copy, "origin_id", json_integer(oid));
    json_object_set_new(copy, "via", json_string(via));
    json_object_del(copy, "acked");     /* the partner's acknowledgement is not ours */
    char *line = json_dumps(copy, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    json_decref(copy);
    if (!line)
        return DW_ERR_NOMEM;
    eng_alert *a = alert_find(e, pa->id);
    if (!a) {
        eng_alert *x = dw_grow(e->al, &e->cap_al, e->n_al + 1, sizeof *x, 64);
        if (!x || dw__idmap_reserve(&e->amap, e->amap.count + 1) != DW_OK) {
            if (x)
                e->al = x;
            free(line);
            return DW_ERR_NOMEM;
        }
        e->al = x;
        a = &e->al[e->n_al];
        memset(a, 0, sizeof *a);
        a->id = pa->id;
        dw__idmap_add(&e->amap, mix(pa->id), (uint32_t)e->n_al);
        e->n_al++;
    }
    free(a->base);
    a->base = line;
    a->base_len = strlen(line);
    a->state = s;
    a->t_us = t;
    if (s == DW_ALERT_RAISED || s == DW_ALERT_REOPENED)
        a->acked = 0;
    e->st.partner_alerts++;
    e->cur_alert = NULL;
    alert_publish(e, a);
    return DW_OK;
}

dw_status dw_engine_partner_alert(dw_engine *e, const char *origin, const char *via,
                                  const char *alert, size_t len, int64_t t_us)
{
    if (!e || !origin || !via || !alert)
        return DW_ERR_INVALID;
    if (e->failed != DW_OK)
        return e->failed;
    size_t head = 96 + strlen(origin) + strlen(via);
    if (len + head > sizeof e->line || strlen(origin) > 32 || strlen(via) > 8)
        return DW_ERR_RANGE;
    int n = snprintf(e->line, sizeof e->line,
                     "{\"type\":\"partner\",\"t_us\":%lld,\"origin\":\"%s\",\"via\":\"%s\",\"alert\":",
                     (long long)t_us, origin, via);
    memcpy(e->line + n, alert, len);
    e->line[n + len] = '}';
    e->line[n + len + 1] = '\0';
    size_t ll = (size_t)n + len + 1;
    json_error_t je;
    json_t *j = json_loadb(e->line, ll, 0, &je);
    if (!j) {
        e->st.partner_rejected++;
        return DW_ERR_PARSE;
    }
    /* Checked before it is recorded: what is recorded is what acted. */
    json_int_t oid;
    const char *k, *s;
    dw_alert_kind ak;
    dw_alert_state as;
    if (json_unpack(json_object_get(j, "alert"), "{s:I,s:s,s:s}", "id", &oid, "kind", &k, "state",
                    &s) || oid < 0 || dw_alert_kind_parse(k, &ak) != 0 ||
        dw_alert_state_parse(s, &as) != 0) {
        json_decref(j);
        e->st.partner_rejected++;
        return DW_ERR_PARSE;
    }
    emit_in(e, DW_ENG_IN_PARTNER, t_us, e->line, ll);
    dw_status st = do_partner(e, j);
    json_decref(j);
    if (st == DW_ERR_PARSE)
        e->st.partner_rejected++;
    return st;
}

dw_status dw_engine_apply(dw_engine *e, int kind, const char *line, size_t len, char *err,
                          size_t errlen)
{
    if (!e || !line)
        return DW_ERR_INVALID;
    if (e->failed != DW_OK)
        return e->failed;
    if (kind == DW_ENG_IN_OBS) {
        dw_record rec;
        if (dw_ndjson_parse(line, len, &rec, err, errlen) != DW_OK || rec.type != DW_REC_OBS) {
            e->st.obs_rejected++;
            return DW_ERR_PARSE;
        }
        return take_obs(e, &rec.u.obs);
    }
    if (kind == DW_ENG_IN_FLUSH) {
        e->st.flushes++;
        return fail(e, dw_pipeline_flush(e->pl));
    }
    json_error_t je;
    json_t *j = json_loadb(line, len, 0, &je);
    if (!j) {
        seterr(err, errlen, "input line: %s", je.text);
        return DW_ERR_PARSE;
    }
    dw_status st = DW_ERR_PARSE;
    json_int_t t = 0, id = 0;
    const char *s = NULL, *by = "";
    int up = 0;
    switch (kind) {
    case DW_ENG_IN_TICK:
        if (!json_unpack(j, "{s:I}", "t_us", &t))
            st = do_tick(e, t);
        break;
    case DW_ENG_IN_SENSOR:
        if (!json_unpack(j, "{s:I,s:s,s:b}", "t_us", &t, "sensor", &s, "up", &up))
            st = do_sensor(e, s, up, t);
        break;
    case DW_ENG_IN_ACK:
        if (!json_unpack(j, "{s:I,s:I,s?s}", "t_us", &t, "alert", &id, "by", &by)) {
            st = do_ack(e, (uint64_t)id, t, by);
            if (st == DW_ERR_NOT_FOUND)
                st = DW_OK;     /* as it was when recorded: counted */
        }
        break;
    case DW_ENG_IN_SET_IDENTITY: {
        dw_affiliation a;
        if (!json_unpack(j, "{s:I,s:I,s:s,s?s}", "t_us", &t, "track", &id, "affiliation", &s,
                         "by", &by) &&
            dw_affiliation_parse(s, &a) == 0) {
            st = do_set_identity(e, (uint64_t)id, a, t, by);
            if (st == DW_ERR_NOT_FOUND)
                st = DW_OK;
        }
        break;
    }
    case DW_ENG_IN_PARTNER:
        st = do_partner(e, j);
        break;
    case DW_ENG_IN_DECISION: {
        const char *dec = NULL;
        if (!json_unpack(j, "{s:I,s:I,s:s,s?s}", "t_us", &t, "recommendation", &id, "decision",
                         &dec, "by", &by) &&
            e->planner) {
            st = do_decide(e, (uint64_t)id, !strcmp(dec, "approve"), t, by);
            if (st == DW_ERR_NOT_FOUND)
                st = DW_OK;
        }
        break;
    }
    default:
        st = DW_OK;             /* a kind this engine does not act on */
        break;
    }
    if (st == DW_ERR_PARSE)
        seterr(err, errlen, "input line of kind %d is not one: %.*s", kind, (int)(len > 80 ? 80 : len), line);
    json_decref(j);
    return st;
}

dw_status dw_engine_finish(dw_engine *e, int64_t until_us)
{
    if (!e)
        return DW_ERR_INVALID;
    if (e->failed != DW_OK)
        return e->failed;
    return fail(e, dw_pipeline_finish(e->pl, until_us));
}

/* ------------------------------------------------------------------ the picture */

int64_t dw_engine_time(const dw_engine *e) { return e ? e->t_us : INT64_MIN; }

void dw_engine_each_track(const dw_engine *e,
                          void (*cb)(void *ctx, uint64_t id, const char *line, size_t len),
                          void *ctx)
{
    char buf[LINE_CAP];
    for (size_t i = 0; i < e->n_tr; i++) {
        const eng_track *k = &e->tr[i];
        if (!k->id)
            continue;
        size_t n = k->brief_stale ? brief_line(e, &k->live, k->threat, buf, sizeof buf) : 0;
        if (n)
            cb(ctx, k->id, buf, n);
        else if (k->blen)
            cb(ctx, k->id, k->brief, k->blen);
    }
}

size_t dw_engine_track_json(const dw_engine *e, uint64_t id, char *buf, size_t cap)
{
    const eng_track *k = track_find(e, id);
    if (!k)
        return 0;
    const char *line = k->line;
    size_t len = k->len;
    char fresh[LINE_CAP];
    if (k->line_stale) {
        size_t fn = track_line(e, &k->live, k->threat, fresh, sizeof fresh);
        if (fn) {
            line = fresh;
            len = fn;
        }
    }
    if (!len)
        return 0;
    size_t need = len + 128 + (size_t)k->n_hist * 80 + (DW_THREAT_MAX_SEGS + 1) * 80;
    if (need > cap)
        return need;
    int n = snprintf(buf, cap, "{\"v\":1,\"forced\":%s,\"track\":%.*s,\"history\":",
                     k->forced ? "true" : "false", (int)len, line);
    dw_jw w;
    dw_jw_init(&w, buf + n, cap - (size_t)n);
    dw_jw_arr(&w);
    for (int i = 0; i < k->n_hist; i++) {
        const hpoint *h = &k->hist[(k->head + i) % DW_ENGINE_HISTORY];
        dw_jw_arr(&w);
        dw_jw_int(&w, h->t_us);
        dw_jw_double_prec(&w, h->lat, 7);
        dw_jw_double_prec(&w, h->lon, 7);
        dw_jw_double_prec(&w, h->alt, 5);
        dw_jw_arr_end(&w);
    }
    dw_jw_arr_end(&w);
    if (!dw_jw_ok(&w))
        return cap + 4096;
    size_t at = (size_t)n + dw_jw_len(&w);
    n = snprintf(buf + at, cap - at, ",\"predicted\":");
    at += (size_t)n;
    dw_jw_init(&w, buf + at, cap - at);
    dw_jw_arr(&w);
    dw_threat th;
    if (e->as && dw_assess_threat_of(e->as, id, &th) == DW_OK) {
        for (int i = 0; i < th.n_points; i++) {
            dw_jw_arr(&w);
            dw_jw_int(&w, th.t_us + (int64_t)llround(i * th.seg_s * 1e6));
            dw_jw_double_prec(&w, th.lat_deg[i], 8);
            dw_jw_double_prec(&w, th.lon_deg[i], 8);
            dw_jw_double_prec(&w, th.sigma_m[i], 4);
            dw_jw_arr_end(&w);
        }
    }
    dw_jw_arr_end(&w);
    if (!dw_jw_ok(&w))
        return cap + 4096;
    at += dw_jw_len(&w);
    if (at + 2 > cap)
        return cap + 4096;
    buf[at++] = '}';
    buf[at] = 0;
    return at;
}

void dw_engine_each_alert(const dw_engine *e, int64_t keep_cleared_us,
                          void (*cb)(void *ctx, uint64_t id, const char *line, size_t len),
                          void *ctx)
{
    for (size_t i = 0; i < e->n_al; i++) {
        const eng_alert *a = &e->al[i];
        if (!a->len)
            continue;
        if (a->state == DW_ALERT_CLEARED && e->t_us - a->t_us > keep_cleared_us)
            continue;
        cb(ctx, a->id, a->line, a->len);
    }
}

void dw_engine_take_changes(dw_engine *e, int64_t now_us, int64_t min_interval_us,
                            void (*track)(void *ctx, uint64_t id, const char *line, size_t len),
                            void (*dead)(void *ctx, uint64_t id), void *ctx)
{
    size_t kept = 0;
    for (size_t i = 0; i < e->n_dirty; i++) {
        eng_track *k = &e->tr[e->dirty[i]];
        if (!k->id)
            continue;
        /* Handed out recently: it waits (still dirty) for its next turn. */
        if (k->handed_us != INT64_MIN && now_us - k->handed_us < min_interval_us) {
            e->dirty[kept++] = e->dirty[i];
            continue;
        }
        k->dirty = 0;
        k->handed_us = now_us;
        if (k->brief_stale && track) {
            if (set_brief(e, k, &k->live, k->threat) == 0)
                k->brief_stale = 0;
        }
        if (k->blen && track)
            track(ctx, k->id, k->brief, k->blen);
    }
    e->n_dirty = kept;
    for (size_t i = 0; i < e->n_dead; i++)
        if (dead)
            dead(ctx, e->dead[i]);
    e->n_dead = 0;
}

const dw_sensor *dw_engine_sensors(const dw_engine *e, size_t *n)
{
    *n = e->n_sensors;
    return e->sensors;
}

int dw_engine_has_assessment(const dw_engine *e) { return e && e->as; }
const char *dw_engine_home(const dw_engine *e) { return e && e->as ? e->home : ""; }

void dw_engine_get_stats(const dw_engine *e, dw_engine_stats *out)
{
    *out = e->st;
    out->t_us = e->t_us;
    out->alerts_now = e->n_al;
    dw_pipeline_get_stats(e->pl, &out->pipeline);
}

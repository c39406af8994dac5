/* assess.c — the assessment engine (assess.h): per track, classify, build the facts,
 * apply the identification rules, evaluate the threat, and tell the alert book what the
 * track holds; per sensor, silence; per ended track, a debris zone when it came down.
 *
 * Track states live in a pool indexed by an open-addressing map from the track id, both
 * grown by doubling (an update allocates nothing once the pool has room for the picture).
 * A state is an object's, not a track id's: a new track that starts where one that
 * stopped updating moments ago was heading (continue_* in the config, docs/assessment.md)
 * takes over the old state under its new id, so it keeps the class evidence, the origin,
 * the crossing, and the alerts, which say "track 17 continued as track 42" instead of
 * being raised again. An ended state stays for continue_window_s for that purpose, and
 * for debris_hold_s before its debris zone is raised (a continuation withdraws it).
 *
 * "What was seen" for the debris test is a grid of cells over the home country and 1°
 * around it, each holding when a confirmed track was last updated in it.
 */
#include "dronewall/assess.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_int.h"
#include "idmap.h"
#include "dronewall/geo.h"
#include "dronewall/rules.h"
#include "dronewall/threat.h"

#define NONE UINT32_MAX
#define US 1000000LL
#define G0 9.80665
#define RETIRED_MAX 256
#define SWEEP_US (1 * US)

enum { S_FREE = 0, S_LIVE, S_ENDED };

typedef struct slot {
    int state;
    uint64_t track_id, object, prev_track_id;
    int64_t first_us, last_us, ended_us, last_update_us;
    dw_class_state cs;
    float prob[DW_NCLASSES];
    dw_affiliation aff;
    dw_assess_facts facts;
    dw_track last;                      /* the last update as assessed                */
    int has_prev, prev_inside;
    double prev_lat, prev_lon;
    int64_t prev_t;
    double cross_lat, cross_lon;
    int threat, was_confirmed, ever_threat;
    int entry_check;                    /* first seen over the home country: did it
                                           come in? (decided once its velocity is)    */
    double first_lat, first_lon;
    int64_t first_t;
    double entry_in_m;                  /* how far in it was first seen (0: it was
                                           seen crossing)                             */
    char entry_detail[48];
    int debris_pending, debris_raised;
    int engaged;                        /* an approved engagement is on it: where its track
                                           ends is where it came down                 */
    dw_alert debris;                    /* the zone, computed at the end              */
    char debris_area[DW_ASSESS_ID_MAX];
    char debris_detail[64];
    uint32_t next_free;
} slot;

typedef struct sensor_ent {
    char id[DW_ID_MAX];
    int64_t last_us;
    int reported, down;                 /* down: a sensor_down alert is in force      */
} sensor_ent;

struct dw_assess {
    dw_assess_config c;
    char home[3];
    char region_kinds[128], site_kinds[256], airport_kinds[128], country_kinds[128];
    dw_assess_sink sink;
    const dw_geog *g;
    dw_threat_ctx *tx;
    dw__book *book;
    dw_assess_stats st;
    int home_feat;
    const char *home_name;
    uint32_t airport_mask, region_mask, country_mask;
    /* track states */
    slot *s;
    uint32_t cap_s, hw_s, free_s;
    size_t n_live;
    dw__idmap tmap;                     /* mixed track id -> slot                     */
    uint64_t retired[RETIRED_MAX];
    size_t n_retired;
    /* sensors */
    sensor_ent *sen;
    size_t n_sen, cap_sen;
    dw__idmap smap;                     /* hashed sensor id -> sensor                 */
    /* what was seen */
    uint32_t *seen;
    int gx, gy;
    double gx0, gy0, gcell;
    int64_t epoch_us;
    int64_t now, next_sweep;
    dw_threat th;                       /* scratch of one evaluation                  */
};

/* ---- configuration ------------------------------------------------------------------ */

void dw_assess_config_default(dw_assess_config *c)
{
    memset(c, 0, sizeof *c);
    dw_classify_config_default(&c->classify);
    memcpy(c->home, "PL", 3);
    c->region_kinds = "region";
    c->site_kinds = "airport,power_plant,base,city";
    c->airport_kinds = "airport";
    c->horizon_s = 1800;                /* warn_lead_s x hold_factor: what is held */
    c->imminent_s = 300;
    c->warn_lead_s = 900;
    c->clear_after_s = 180;
    c->sensor_stale_s = 120;
    c->drone_prob_min = 0.5;
    c->country_kinds = "country";
    c->k_sigma = 2.0;
    c->manoeuvre_q = 0.05;
    c->seg_max_m = 10000;
    c->score_tau_s = 600;
    c->eta_update_s = 30;
    c->eta_update_frac = 0.1;
    c->hold_factor = 2.0;
    c->continue_window_s = 180;
    c->continue_gate_m = 1500;
    c->continue_speed_frac = 0.25;
    c->continue_dv_mps = 25;
    c->continue_dalt_m = 1000;
    c->track_timeout_s = 300;
    c->debris_hold_s = 15;
    c->debris_keep_s = 1800;
    c->debris_min_speed_mps = 5;
    c->ground_alt_m = 0;
    c->coverage_cell_deg = 0.02;
    c->coverage_window_s = 3600;
    c->edge_ahead_m = 5000;
    c->tracks_hint = 1024;
    c->drone_prob_hold = 0.3;
    c->suppress_s = 1800;
    c->entry_gate_m = 5000;
}

static void seterr(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

static int pos_finite(double v) { return v >= 0 && isfinite(v); }

/* A variance as given, 0 when it is not one. */
static double pos_or0(double v) { return v > 0 && isfinite(v) ? v : 0; }

static void metres_per_deg(double lat_deg, double *kx, double *ky)
{
    const double e2 = DW_WGS84_F * (2.0 - DW_WGS84_F);
    double s = sin(lat_deg * M_PI / 180), w = sqrt(1.0 - e2 * s * s);
    *kx = DW_WGS84_A / w * cos(lat_deg * M_PI / 180) * M_PI / 180;
    *ky = DW_WGS84_A * (1.0 - e2) / (w * w * w) * M_PI / 180;
}

/* ---- the track map ------------------------------------------------------------------ */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Track ids are mixed into keys: the mixing is one to one, so a key is its id. */
static uint32_t tmap_get(const dw_assess *a, uint64_t id)
{
    size_t pos = 0;
    uint32_t si = dw__idmap_next(&a->tmap, mix64(id), &pos);
    return si == DW__IDMAP_NONE ? NONE : si;
}

/* id -> si; there is room (track_room). */
static void tmap_put(dw_assess *a, uint64_t id, uint32_t si)
{
    uint32_t old = tmap_get(a, id);
    if (old != NONE)
        dw__idmap_del(&a->tmap, mix64(id), old);
    dw__idmap_add(&a->tmap, mix64(id), si);
}

static void tmap_del(dw_assess *a, uint64_t id)
{
    uint32_t si = tmap_get(a, id);
    if (si != NONE)
        dw__idmap_del(&a->tmap, mix64(id), si);
}

static int retired(const dw_assess *a, uint64_t id)
{
    size_t n = a->n_retired < RETIRED_MAX ? a->n_retired : RETIRED_MAX;
    for (size_t i = 0; i < n; i++)
        if (a->retired[i] == id)
            return 1;
    return 0;
}

/* Room for one more track state (pool, map, the book's holders). */
static dw_status slot_reserve(dw_assess *a)
{
    if (a->free_s == NONE && a->hw_s == a->cap_s) {
        uint32_t nc = a->cap_s * 2;
        slot *s = realloc(a->s, (size_t)nc * sizeof *s);
        if (!s)
            return DW_ERR_NOMEM;
        a->s = s;
        a->cap_s = nc;
    }
    dw_status st = dw__book_reserve_holders(a->book, a->cap_s);
    if (st != DW_OK)
        return st;
    return dw__idmap_reserve(&a->tmap, a->tmap.count + 1);
}

static uint32_t slot_take(dw_assess *a)
{
    uint32_t i;
    if (a->free_s != NONE) {
        i = a->free_s;
        a->free_s = a->s[i].next_free;
    } else
        i = a->hw_s++;
    memset(&a->s[i], 0, sizeof a->s[i]);
    return i;
}

static void slot_free(dw_assess *a, uint32_t i)
{
    a->s[i].state = S_FREE;
    a->s[i].next_free = a->free_s;
    a->free_s = i;
}

/* ---- geography helpers ---------------------------------------------------------------- */

static void country_code(const dw_assess *a, int feature, char out[3])
{
    out[0] = 0;
    if (feature < 0)
        return;
    const dw_geog_feature *f = dw_geog_get(a->g, (size_t)feature);
    if (f && strlen(f->id) <= 2)
        memcpy(out, f->id, strlen(f->id) + 1);
}

static void region_of(void *ctx, double lat, double lon, char *buf, size_t cap)
{
    const dw_assess *a = ctx;
    size_t idx[8];
    size_t n = dw_geog_which(a->g, a->region_mask, lat, lon, idx, 8);
    buf[0] = 0;
    for (size_t i = 0; i < n && i < 8; i++) {
        const dw_geog_feature *f = dw_geog_get(a->g, idx[i]);
        if (!strcmp(f->country, a->home)) {
            snprintf(buf, cap, "%s", f->id);
            return;
        }
    }
}

/* ---- what was seen -------------------------------------------------------------------- */

static int cell_of(const dw_assess *a, double lat, double lon)
{
    if (!a->seen)
        return -1;
    double fx = (lon - a->gx0) / a->gcell, fy = (lat - a->gy0) / a->gcell;
    if (!(fx >= 0 && fy >= 0 && fx < a->gx && fy < a->gy))
        return -1;
    return (int)fy * a->gx + (int)fx;
}

static uint32_t rel_s(const dw_assess *a, int64_t t)
{
    int64_t d = (t - a->epoch_us) / US;
    return d < 0 ? 1u : d > 0xfffffff0LL ? 0xfffffff0u : (uint32_t)d + 1u;
}

static void mark_seen(dw_assess *a, double lat, double lon, int64_t t)
{
    int c = cell_of(a, lat, lon);
    if (c >= 0) {
        uint32_t v = rel_s(a, t);
        if (v > a->seen[c])
            a->seen[c] = v;
    }
}

static int seen_recently(const dw_assess *a, double lat, double lon, int64_t t)
{
    int c = cell_of(a, lat, lon);
    if (c < 0 || !a->seen[c])
        return 0;
    return (double)rel_s(a, t) - (double)a->seen[c] <= a->c.coverage_window_s;
}

/* ---- create / destroy ------------------------------------------------------------------ */

static void copy_kinds(char *dst, size_t cap, const char *src, const char *dflt)
{
    snprintf(dst, cap, "%s", src ? src : dflt);
}

dw_status dw_assess_create(const dw_assess_config *cfg, const dw_assess_sink *sink,
                           dw_assess **out, char *err, size_t errlen)
{
    if (!cfg || !out) {
        seterr(err, errlen, "assess: no configuration");
        return DW_ERR_INVALID;
    }
    if (!cfg->geo) {
        seterr(err, errlen, "assess: no geography (geo is required)");
        return DW_ERR_INVALID;
    }
    const dw_assess_config *c = cfg;
    if (!pos_finite(c->horizon_s) || !pos_finite(c->imminent_s) || !pos_finite(c->warn_lead_s) ||
        !pos_finite(c->clear_after_s) || !(c->sensor_stale_s > 0) || !(c->drone_prob_min >= 0) ||
        !(c->drone_prob_min <= 1) || !pos_finite(c->eta_update_s) || !pos_finite(c->eta_update_frac) || !(c->hold_factor >= 1) ||
        !pos_finite(c->continue_window_s) || !pos_finite(c->continue_gate_m) ||
        !pos_finite(c->continue_speed_frac) || !pos_finite(c->continue_dv_mps) ||
        !pos_finite(c->continue_dalt_m) || !(c->track_timeout_s > 0) || !pos_finite(c->debris_hold_s) ||
        !pos_finite(c->debris_keep_s) || !pos_finite(c->debris_min_speed_mps) ||
        !isfinite(c->ground_alt_m) || !(c->coverage_cell_deg >= 0.001 && c->coverage_cell_deg <= 1) ||
        !pos_finite(c->coverage_window_s) || !pos_finite(c->edge_ahead_m) ||
        !(c->drone_prob_hold >= 0 && c->drone_prob_hold <= c->drone_prob_min) ||
        !pos_finite(c->suppress_s) || !pos_finite(c->entry_gate_m)) {
        seterr(err, errlen, "assess: a configuration value is out of range (docs/assessment.md lists "
                            "each key and its range)");
        return DW_ERR_INVALID;
    }
    dw_assess *a = calloc(1, sizeof *a);
    if (!a)
        return DW_ERR_NOMEM;
    a->c = *c;
    memcpy(a->home, c->home, 2);
    a->home[2] = 0;
    copy_kinds(a->region_kinds, sizeof a->region_kinds, c->region_kinds, "region");
    copy_kinds(a->site_kinds, sizeof a->site_kinds, c->site_kinds, "airport,power_plant,base,city");
    copy_kinds(a->airport_kinds, sizeof a->airport_kinds, c->airport_kinds, "airport");
    copy_kinds(a->country_kinds, sizeof a->country_kinds, c->country_kinds, "country");
    a->c.region_kinds = a->region_kinds;
    a->c.site_kinds = a->site_kinds;
    a->c.airport_kinds = a->airport_kinds;
    a->c.country_kinds = a->country_kinds;
    if (sink)
        a->sink = *sink;
    a->g = c->geo;
    a->free_s = NONE;
    a->now = INT64_MIN;
    a->next_sweep = INT64_MIN;
    a->epoch_us = INT64_MIN;

    dw_threat_config tc;
    dw_threat_config_default(&tc);
    memcpy(tc.home, a->home, 3);
    tc.country_kinds = a->country_kinds;
    tc.region_kinds = a->region_kinds;
    tc.site_kinds = a->site_kinds;
    tc.horizon_s = c->horizon_s;
    tc.seg_max_m = c->seg_max_m > 0 ? c->seg_max_m : 10000;
    tc.k_sigma = c->k_sigma;
    tc.manoeuvre_q = c->manoeuvre_q;
    tc.score_tau_s = c->score_tau_s > 0 ? c->score_tau_s : 600;
    dw_status st = dw_threat_create(a->g, &tc, &a->tx, err, errlen);
    if (st != DW_OK) {
        dw_assess_destroy(a);
        return st;
    }
    a->home_feat = dw_threat_home(a->tx);
    a->home_name = dw_geog_get(a->g, (size_t)a->home_feat)->name;
    a->airport_mask = dw_geog_kinds(a->g, a->airport_kinds);
    a->region_mask = dw_threat_kinds(a->tx, 1);
    a->country_mask = dw_threat_kinds(a->tx, 0);

    size_t hint = c->tracks_hint >= 16 ? c->tracks_hint : 16;
    if (hint > (1u << 24))
        hint = 1u << 24;
    /* Alerts and claims at start: a quarter of the tracks in alert, four claims each. */
    dw__book_config bc = {.clear_after_s = c->clear_after_s,
                          .eta_update_s = c->eta_update_s,
                          .eta_update_frac = c->eta_update_frac,
                          .suppress_s = c->suppress_s,
                          .alerts_hint = hint / 4,
                          .claims_hint = hint * 4,
                          .region_of = region_of,
                          .region_ctx = a};
    st = dw__book_create(&bc, sink, &a->st, &a->book);
    if (st != DW_OK) {
        dw_assess_destroy(a);
        return st;
    }
    a->cap_s = (uint32_t)hint;
    a->s = calloc(a->cap_s, sizeof *a->s);
    dw_status mt = dw__idmap_init(&a->tmap, hint), ms = dw__idmap_init(&a->smap, 32);
    if (!a->s || mt != DW_OK || ms != DW_OK ||
        dw__book_reserve_holders(a->book, a->cap_s) != DW_OK) {
        dw_assess_destroy(a);
        return DW_ERR_NOMEM;
    }
    /* The seen grid over the home country and 1° around it. */
    const dw_geog_feature *h = dw_geog_get(a->g, (size_t)a->home_feat);
    a->gcell = c->coverage_cell_deg;
    a->gx0 = h->min_lon_deg - 1.0;
    a->gy0 = h->min_lat_deg - 1.0;
    double nx = ceil((h->max_lon_deg - h->min_lon_deg + 2.0) / a->gcell);
    double ny = ceil((h->max_lat_deg - h->min_lat_deg + 2.0) / a->gcell);
    if (nx * ny <= 16e6) {
        a->gx = (int)nx;
        a->gy = (int)ny;
        a->seen = calloc((size_t)a->gx * (size_t)a->gy, sizeof *a->seen);
        if (!a->seen) {
            dw_assess_destroy(a);
            return DW_ERR_NOMEM;
        }
    }
    *out = a;
    return DW_OK;
}

void dw_assess_destroy(dw_assess *a)
{
    if (!a)
        return;
    dw__book_destroy(a->book);
    dw_threat_destroy(a->tx);
    free(a->s);
    dw__idmap_free(&a->tmap);
    free(a->sen);
    dw__idmap_free(&a->smap);
    free(a->seen);
    free(a);
}

/* ---- time ------------------------------------------------------------------------------ */

static void sweep(dw_assess *a);

static void set_now(dw_assess *a, int64_t t)
{
    if (a->epoch_us == INT64_MIN)
        a->epoch_us = t;
    if (a->now == INT64_MIN || t > a->now)
        a->now = t;
}

static void maybe_sweep(dw_assess *a)
{
    if (a->next_sweep == INT64_MIN || a->now >= a->next_sweep)
        sweep(a);
}

/* ---- ending a track, debris ------------------------------------------------------------- */

static void holder_of(const dw_assess *a, uint32_t si, const dw_track *t, dw__holder *h)
{
    const slot *s = &a->s[si];
    h->slot = si;
    h->object = s->object;
    h->track_id = s->track_id;
    h->prev_track_id = s->prev_track_id;
    h->t = t;
    h->threat_score = s->facts.threat_score;
}

/* The fall zone of a track that ended in flight (docs/assessment.md, "Debris"). The fall
 * began at some instant between its last measurement and the end of its published state,
 * taken as the middle; then a drag-free fall from its height keeps its ground velocity. */
static void debris_zone(dw_assess *a, slot *s, const dw_track *t)
{
    double ve = t->vel_enu_mps[0], vn = t->vel_enu_mps[1];
    double v = hypot(ve, vn);
    double coast = 0;
    if (t->last_update_us > 0 && t->last_update_us <= t->t_us)
        coast = (double)(t->t_us - t->last_update_us) * 1e-6;
    if (coast > 60)
        coast = 60;
    double h = t->alt_m - a->c.ground_alt_m;
    if (!(h > 0))
        h = 0;
    double tf = sqrt(2.0 * h / G0);
    double ahead_s = tf - coast / 2;    /* from the published position               */
    double kx, ky;
    metres_per_deg(t->lat_deg, &kx, &ky);
    double clat = t->lat_deg + vn * ahead_s / ky, clon = t->lon_deg + ve * ahead_s / kx;
    double sp2 = dw_threat_max_eig2(t->cov_pos_enu[0][0], t->cov_pos_enu[0][1], t->cov_pos_enu[1][1]);
    double sv2 = dw_threat_max_eig2(t->cov_vel_enu[0][0], t->cov_vel_enu[0][1], t->cov_vel_enu[1][1]);
    double tau = tf + coast / 2;
    double sig = sqrt(sp2 + tau * tau * sv2);
    double radius = a->c.k_sigma * sig + v * coast / 2 + 50.0;
    dw_alert *z = &s->debris;
    dw_alert_init(z);
    z->lat_deg = clat;
    z->lon_deg = clon;
    z->radius_m = radius;
    z->event_us = (t->last_update_us > 0 ? t->last_update_us : t->t_us) +
                  (int64_t)llround((coast / 2 + tf) * 1e6);
    region_of(a, clat, clon, s->debris_area, sizeof s->debris_area);
    size_t ci;
    if (!s->debris_area[0] && dw_geog_which(a->g, a->country_mask, clat, clon, &ci, 1) >= 1)
        country_code(a, (int)ci, s->debris_area);
    snprintf(s->debris_detail, sizeof s->debris_detail, "at %.0f m/s, %.0f m up, falling %.0f s", v,
             h, tf);
}

static void raise_debris(dw_assess *a, uint32_t si)
{
    slot *s = &a->s[si];
    dw__holder h;
    holder_of(a, si, &s->last, &h);
    dw__want w;
    memset(&w, 0, sizeof w);
    int fi = dw_geog_find(a->g, s->debris_area);
    w.kind = DW_ALERT_DEBRIS_ZONE;
    w.area_id = s->debris_area;
    w.area_name = fi >= 0 ? dw_geog_get(a->g, (size_t)fi)->name : s->debris_area;
    w.per_object = 1;
    w.eta_us = INT64_MIN;
    w.event_us = s->debris.event_us;
    w.lat_deg = s->debris.lat_deg;
    w.lon_deg = s->debris.lon_deg;
    w.radius_m = s->debris.radius_m;
    w.severity = DW_ALERT_CRITICAL;
    w.approach_m = NAN;
    w.detail = s->debris_detail;
    int64_t keep = (int64_t)llround(a->c.debris_keep_s * 1e6);
    if (dw__book_standalone(a->book, &h, &w, a->now + keep, a->now) == DW_OK)
        s->debris_raised = 1;
    s->debris_pending = 0;
}

/* Ends the state of a live track: its claims stop holding; a confirmed drone threat that
 * ended moving, where what lies ahead of it had been seen, gets a fall zone. */
static void end_track(dw_assess *a, uint32_t si, const dw_track *dead, int timed_out)
{
    slot *s = &a->s[si];
    dw__book_suspend(a->book, si, a->now);
    tmap_del(a, s->track_id);
    s->state = S_ENDED;
    s->ended_us = a->now;
    a->n_live--;
    if (timed_out) {
        a->st.timed_out++;
        return;
    }
    a->st.ended++;
    const dw_track *t = &s->last;
    if (dead && isfinite(dead->lat_deg) && isfinite(dead->lon_deg) && isfinite(dead->alt_m) &&
        isfinite(dead->vel_enu_mps[0]) && isfinite(dead->vel_enu_mps[1]) && dead->t_us >= s->last.t_us)
        t = dead;
    double v = hypot(t->vel_enu_mps[0], t->vel_enu_mps[1]);
    if (!s->threat || !s->was_confirmed || !(v >= a->c.debris_min_speed_mps) || v < 0.1)
        return;
    double kx, ky;
    metres_per_deg(t->lat_deg, &kx, &ky);
    double ahead_lat = t->lat_deg + t->vel_enu_mps[1] / v * a->c.edge_ahead_m / ky;
    double ahead_lon = t->lon_deg + t->vel_enu_mps[0] / v * a->c.edge_ahead_m / kx;
    if (!s->engaged && !seen_recently(a, ahead_lat, ahead_lon, a->now))
        return;                         /* at the edge of what was seen: it flew out  */
    debris_zone(a, s, t);
    if (t == dead) {
        /* the dead record as the tracker wrote it; the class and identity are ours */
        dw_track keep = s->last;
        s->last = *t;
        memcpy(s->last.class_prob, keep.class_prob, sizeof keep.class_prob);
        s->last.cls = keep.cls;
        s->last.affiliation = keep.affiliation;
    }
    s->debris_pending = 1;               /* raised by the sweep: continuation_over */
}

/* Can no track continue this ended one any more? A new track may begin up to
 * continue_window_s after the old one's last measurement, and is published once
 * confirmed, normally within debris_hold_s: a debris zone waits for this. The state
 * itself is kept debris_hold_s longer (slack = 1), for a track confirmed late: it
 * continues the object and withdraws the zone. */
static int continuation_over(const dw_assess *a, const slot *s, int64_t now, int slack)
{
    const int64_t hold = (int64_t)llround(a->c.debris_hold_s * 1e6);
    const int64_t window = (int64_t)llround(a->c.continue_window_s * 1e6);
    return now - s->ended_us >= hold && now - s->last_update_us >= window + (1 + slack) * hold;
}

/* ---- continuation --------------------------------------------------------------------- */

/* The state a new track continues, or NONE: one that stopped updating at most
 * continue_window_s before the new one began (the time the drone went unseen), not
 * updated since, whose predicted position is within the gate of the new one, with a
 * compatible velocity and altitude; the nearest relative to its gate wins. A young
 * track's velocity rests on a few plots (its sigma is often 30-60 m/s): the velocity
 * test allows k sigma of the difference on top of continue_dv_mps, so that it refuses
 * only what the two estimates really say is another course. */
static uint32_t find_predecessor(const dw_assess *a, const dw_track *t)
{
    const dw_assess_config *c = &a->c;
    int64_t begun = t->first_us > 0 && t->first_us <= t->t_us ? t->first_us : t->t_us;
    const double sv_new2 = dw_threat_max_eig2(t->cov_vel_enu[0][0], t->cov_vel_enu[0][1],
                                              t->cov_vel_enu[1][1]);
    const dw_threat_config *tc = dw_threat_config_of(a->tx);
    uint32_t best = NONE;
    double best_r = INFINITY;
    for (uint32_t i = 0; i < a->hw_s; i++) {
        const slot *s = &a->s[i];
        if (s->state == S_FREE || s->track_id == t->id)
            continue;
        if (s->state == S_LIVE && s->last.status != DW_TRACK_COASTING)
            continue;
        if (s->last_update_us > begun)
            continue;
        double unseen = (double)(begun - s->last_update_us) * 1e-6;
        if (!(unseen <= c->continue_window_s))
            continue;
        const dw_track *o = &s->last;
        double dt = (double)(t->t_us - o->t_us) * 1e-6;
        double flown_s = (double)(t->t_us - s->last_update_us) * 1e-6;
        double ve = o->vel_enu_mps[0], vn = o->vel_enu_mps[1], vo = hypot(ve, vn);
        double kx, ky;
        metres_per_deg(o->lat_deg, &kx, &ky);
        double de = (t->lon_deg - o->lon_deg) * kx - ve * dt;
        double dn = (t->lat_deg - o->lat_deg) * ky - vn * dt;
        double d = hypot(de, dn);
        double sp = sqrt(dw_threat_max_eig2(o->cov_pos_enu[0][0], o->cov_pos_enu[0][1], o->cov_pos_enu[1][1]));
        double sv2 = dw_threat_max_eig2(o->cov_vel_enu[0][0], o->cov_vel_enu[0][1], o->cov_vel_enu[1][1]);
        double gate = c->continue_gate_m + c->k_sigma * dw_threat_sigma_m(tc, sp, sqrt(sv2), dt) +
                      c->continue_speed_frac * vo * flown_s;
        if (!(d <= gate))
            continue;
        double dv = hypot(t->vel_enu_mps[0] - ve, t->vel_enu_mps[1] - vn);
        double dv_max = (c->continue_dv_mps > 0.5 * vo ? c->continue_dv_mps : 0.5 * vo) +
                        c->k_sigma * sqrt(sv2 + sv_new2);
        if (!(dv <= dv_max))
            continue;
        /* A transponder says who it is: two different ICAO addresses are two aircraft,
         * and a drone threat does not continue as a track that answers. */
        if (t->icao && o->icao && t->icao != o->icao)
            continue;
        if (s->threat && (t->icao || t->callsign[0] || t->mode3a))
            continue;
        double dalt = fabs(t->alt_m - (o->alt_m + o->vel_enu_mps[2] * dt));
        double va = pos_or0(o->cov_pos_enu[2][2]) + pos_or0(t->cov_pos_enu[2][2]) +
                    dt * dt * pos_or0(o->cov_vel_enu[2][2]);
        if (!(dalt <= c->continue_dalt_m + c->k_sigma * sqrt(va)))
            continue;
        double r = d / gate;
        if (r < best_r) {
            best_r = r;
            best = i;
        }
    }
    return best;
}

static void continue_state(dw_assess *a, uint32_t si, const dw_track *t)
{
    slot *s = &a->s[si];
    uint64_t old = s->track_id;
    if (s->state == S_LIVE) {
        tmap_del(a, old);
        a->retired[a->n_retired++ % RETIRED_MAX] = old;
    } else
        a->n_live++;
    if (s->debris_raised) {
        char why[96];
        snprintf(why, sizeof why, "track %" PRIu64 " continued as track %" PRIu64 ": it did not come down",
                 old, t->id);
        dw__book_clear(a->book, DW_ALERT_DEBRIS_ZONE, s->debris_area, s->object, a->now, why);
    }
    s->debris_pending = s->debris_raised = 0;
    s->prev_track_id = old;
    s->track_id = t->id;
    s->state = S_LIVE;
    tmap_put(a, t->id, si);
    a->st.continued++;
}

static uint32_t new_state(dw_assess *a, const dw_track *t)
{
    uint32_t si = slot_take(a);
    slot *s = &a->s[si];
    s->state = S_LIVE;
    s->track_id = t->id;
    s->object = t->id;
    s->first_us = t->t_us;
    s->entry_check = 1;
    s->first_lat = t->lat_deg;
    s->first_lon = t->lon_deg;
    s->first_t = t->t_us;
    dw_class_state_init(&s->cs);
    s->aff = (unsigned)t->affiliation < DW_NAFFILIATIONS ? t->affiliation : DW_AFF_PENDING;
    s->facts.crossed_us = INT64_MIN;
    size_t idx;
    if (dw_geog_which(a->g, a->country_mask, t->lat_deg, t->lon_deg, &idx, 1) >= 1)
        country_code(a, (int)idx, s->facts.origin);
    tmap_put(a, t->id, si);
    a->n_live++;
    return si;
}

/* ---- the alerts a track holds ------------------------------------------------------------ */

/* The class rests on min_track_s of kinematics (before, on the prior and the hints). */
static int class_mature(const dw_assess *a, const slot *s)
{
    double span = s->cs.n ? (double)(s->cs.last_us - s->cs.first_us) * 1e-6 : -1;
    return span >= a->c.classify.min_track_s;
}

/* A drone threat: probably a drone, on kinematic evidence (a small radar echo alone is
 * not yet a drone), not known to be friendly or neutral, and without a transponder (an
 * ICAO address, a callsign or a Mode 3/A code, ever: a crewed aircraft, whatever its
 * first seconds of velocity looked like). THREAT_RAISE at drone_prob_min or more; once
 * one, it stays one down to drone_prob_hold, THREAT_HOLD: it holds what it has raised
 * and raises nothing new, so that a drone probability wavering about drone_prob_min (a
 * track break, a noisy stretch) does not drop and raise its alerts. */
enum { THREAT_NONE = 0, THREAT_HOLD = 1, THREAT_RAISE = 2 };

static int is_threat(const dw_assess *a, const slot *s)
{
    dw_affiliation f = s->aff;
    if (f == DW_AFF_FRIEND || f == DW_AFF_ASSUMED_FRIEND || f == DW_AFF_NEUTRAL)
        return THREAT_NONE;
    if ((s->cs.ident & (DW_CLASS_IDENT_ICAO | DW_CLASS_IDENT_SSR)) || !class_mature(a, s))
        return THREAT_NONE;
    if (s->facts.drone_prob >= a->c.drone_prob_min)
        return THREAT_RAISE;
    return s->threat && s->facts.drone_prob >= a->c.drone_prob_hold ? THREAT_HOLD : THREAT_NONE;
}

/* Raised within lead_s (when the path rests on a known velocity: may_raise), held
 * within lead_s x hold_factor while it already holds it. */
static int within(const dw_assess *a, uint32_t si, double lead_s, double limit_s, int may_raise,
                  dw_alert_kind k, const char *area, uint64_t object)
{
    if (lead_s <= limit_s && may_raise)
        return 1;
    if (lead_s > limit_s * a->c.hold_factor)
        return 0;
    return dw__book_holds(a->book, si, k, area, object);
}

static void want_init(dw__want *w, dw_alert_kind k, const char *area, const char *name,
                      int per_object)
{
    memset(w, 0, sizeof *w);
    w->kind = k;
    w->area_id = area;
    w->area_name = name;
    w->per_object = per_object;
    w->eta_us = w->event_us = INT64_MIN;
    w->lat_deg = w->lon_deg = NAN;
    w->approach_m = NAN;
    w->lead_s = NAN;
    w->severity = DW_ALERT_WARNING;
}

static dw_status hold_alerts(dw_assess *a, uint32_t si, const dw_track *t, int crossed_now)
{
    slot *s = &a->s[si];
    const dw_threat *th = &a->th;
    const int64_t now = a->now;
    dw__holder h;
    holder_of(a, si, t, &h);
    dw_status st = DW_OK;
    dw__book_begin(a->book, si);
    if (!s->threat)
        goto done;
    dw__want w;
    const double imm = a->c.imminent_s, warn = a->c.warn_lead_s;
    const int crossed = s->facts.crossed_into_home;
    /* A threat held only by drone_prob_hold raises nothing new; neither does a path
     * predicted from a velocity the tracker has not estimated yet (a young track: its
     * reach is a cone of 50 km): both hold what the object holds, the latter as it stands
     * (its ETAs and points are not taken from that path). */
    const int raise_ok = s->threat == THREAT_RAISE;
    const int vel_known = dw_classify_velocity_known(t);
    const int known = raise_ok && vel_known;
    /* The imminent warning is for an object that has not crossed yet: one that has is
     * a violation (held while it flies along the border, reopened if it comes back). */
    if (!th->inside_home && !crossed && th->cross_eta_us != INT64_MIN) {
        double lead = (double)(th->cross_eta_us - t->t_us) * 1e-6;
        if (within(a, si, lead, imm, known, DW_ALERT_BORDER_IMMINENT, a->home, s->object)) {
            want_init(&w, DW_ALERT_BORDER_IMMINENT, a->home, a->home_name, 1);
            w.eta_us = th->cross_eta_us;
            w.lat_deg = th->cross_lat_deg;
            w.lon_deg = th->cross_lon_deg;
            w.lead_s = lead;
            w.raise_lead_s = imm;
            w.hold_only = !vel_known;
            if ((st = dw__book_want(a->book, &h, &w, now)) != DW_OK)
                goto done;
        }
    }
    /* The violation holds while the object is over the home country, and while it flies
     * just outside with its path coming back in within imminent_s x hold_factor. */
    const int holds_bv = crossed && dw__book_holds(a->book, si, DW_ALERT_BORDER_VIOLATION,
                                                   a->home, s->object);
    if (crossed &&
        ((th->inside_home && (raise_ok || holds_bv)) ||
         (holds_bv && th->cross_eta_us != INT64_MIN &&
          (double)(th->cross_eta_us - t->t_us) * 1e-6 <= imm * a->c.hold_factor))) {
        if (crossed_now)
            dw__book_clear(a->book, DW_ALERT_BORDER_IMMINENT, a->home, s->object, now,
                           "it crossed: see the border_violation");
        want_init(&w, DW_ALERT_BORDER_VIOLATION, a->home, a->home_name, 1);
        w.event_us = s->facts.crossed_us;
        w.lat_deg = s->cross_lat;
        w.lon_deg = s->cross_lon;
        w.severity = DW_ALERT_CRITICAL;
        w.detail = s->entry_in_m > 0 ? s->entry_detail : NULL;
        if ((st = dw__book_want(a->book, &h, &w, now)) != DW_OK)
            goto done;
    }
    for (int i = 0; i < th->n_reach; i++) {
        const dw_threat_reach *r = &th->reach[i];
        const dw_geog_feature *f = dw_geog_get(a->g, (size_t)r->feature);
        double lead = (double)(r->eta_us - t->t_us) * 1e-6;
        if (lead < 0 || r->inside_now)
            lead = 0;
        if (r->is_site) {
            if (within(a, si, lead, warn, known, DW_ALERT_PROTECTED_ZONE, f->id, s->object)) {
                want_init(&w, DW_ALERT_PROTECTED_ZONE, f->id, f->name, 1);
                w.eta_us = r->arrive_us;
                w.lat_deg = t->lat_deg;
                w.lon_deg = t->lon_deg;
                w.approach_m = r->approach_m;
                w.severity = lead <= imm ? DW_ALERT_CRITICAL : DW_ALERT_WARNING;
                w.lead_s = lead;
                w.raise_lead_s = warn;
                w.hold_only = !vel_known;
                if ((st = dw__book_want(a->book, &h, &w, now)) != DW_OK)
                    goto done;
            }
            if (((a->airport_mask >> f->kind_index) & 1u) &&
                within(a, si, lead, warn, known, DW_ALERT_AIRSPACE_CLOSURE, f->id, 0)) {
                want_init(&w, DW_ALERT_AIRSPACE_CLOSURE, f->id, f->name, 0);
                w.eta_us = r->arrive_us;
                w.lat_deg = f->lat_deg;
                w.lon_deg = f->lon_deg;
                w.radius_m = f->radius_m;
                w.approach_m = r->approach_m;
                w.lead_s = lead;
                w.raise_lead_s = warn;
                w.hold_only = !vel_known;
                if ((st = dw__book_want(a->book, &h, &w, now)) != DW_OK)
                    goto done;
            }
        } else if (within(a, si, lead, warn, r->inside_now ? raise_ok : known,
                          DW_ALERT_REGIONAL_WARNING, f->id, 0)) {
            want_init(&w, DW_ALERT_REGIONAL_WARNING, f->id, f->name, 0);
            w.eta_us = r->arrive_us;
            w.lat_deg = f->lat_deg;
            w.lon_deg = f->lon_deg;
            w.approach_m = r->approach_m;
            w.lead_s = lead;
            w.raise_lead_s = warn;
            w.hold_only = !vel_known && !r->inside_now;
            if ((st = dw__book_want(a->book, &h, &w, now)) != DW_OK)
                goto done;
        }
    }
    /* Neighbour notices: Poland tells its neighbours what leaves its airspace towards
     * them. Only while over the home country, and only for the country the path leaves
     * it into (the first one entered); what a threat does beyond that is that
     * neighbour's to tell. */
    if (th->inside_home && th->n_crossings > 0) {
        const dw_threat_crossing *xc = &th->crossings[0];
        const dw_geog_feature *f = dw_geog_get(a->g, (size_t)xc->feature);
        double lead = (double)(xc->eta_us - t->t_us) * 1e-6;
        if (xc->country[0] &&
            within(a, si, lead, warn, known, DW_ALERT_NEIGHBOUR_NOTICE, f->id, s->object)) {
            want_init(&w, DW_ALERT_NEIGHBOUR_NOTICE, f->id, f->name, 1);
            memcpy(w.neighbour, xc->country, 3);
            w.eta_us = xc->eta_us;
            w.lat_deg = xc->lat_deg;
            w.lon_deg = xc->lon_deg;
            w.lead_s = lead;
            w.raise_lead_s = warn;
            w.hold_only = !vel_known;
            if ((st = dw__book_want(a->book, &h, &w, now)) != DW_OK)
                goto done;
        }
    }
done:
    /* On a failure the claims not renewed are kept rather than released: the next
     * update decides again. */
    if (st == DW_OK)
        dw__book_end(a->book, si, now);
    return st;
}

/* ---- a track first seen inside ------------------------------------------------------------ */

/* A track first seen over the home country (not a continuation: a new object) came in
 * unseen, or was launched inside. Once its velocity says where it is going (known:
 * dw_classify_velocity_known, and moving), the line back from where it was first seen along
 * that velocity decides: when it leaves the home country within entry_gate_m, the
 * object crossed into it there, at the instant its speed puts it on the border, and it
 * came from the country behind. Deeper in, or not moving, or no known velocity within
 * continue_window_s of its first report: launched inside, or not known. 1 when it crossed. */
static int entry_seen_inside(dw_assess *a, slot *s, const dw_track *t, const dw_threat *th)
{
    dw_assess_facts *f = &s->facts;
    if (f->crossed_into_home || (!s->has_prev && !th->inside_home) ||
        (double)(t->t_us - s->first_t) * 1e-6 > a->c.continue_window_s) {
        s->entry_check = 0;
        return 0;
    }
    if (!th->inside_home)
        return 0;
    double ve = t->vel_enu_mps[0], vn = t->vel_enu_mps[1], v = hypot(ve, vn);
    if (!(v >= a->c.debris_min_speed_mps) || !dw_classify_velocity_known(t))
        return 0;                       /* not yet known where it is going */
    s->entry_check = 0;
    const double L = a->c.entry_gate_m;
    double kx, ky;
    metres_per_deg(s->first_lat, &kx, &ky);
    double blat = s->first_lat - vn / v * L / ky, blon = s->first_lon - ve / v * L / kx;
    if (dw_geog_contains(a->g, (size_t)a->home_feat, blat, blon))
        return 0;                       /* deeper in than the gate: launched inside? */
    int cr = 0;
    dw_geog_crossing c;
    if (dw_geog_first_crossing(a->g, (size_t)a->home_feat, blat, blon, s->first_lat, s->first_lon,
                               &cr, &c) != DW_OK || !cr)
        return 0;
    double in_m = (1.0 - c.frac) * L;
    f->crossed_into_home = 1;
    f->crossed_us = s->first_t - (int64_t)llround(in_m / v * 1e6);
    s->cross_lat = c.lat_deg;
    s->cross_lon = c.lon_deg;
    s->entry_in_m = in_m > 1 ? in_m : 1;
    snprintf(s->entry_detail, sizeof s->entry_detail, "(first seen %.1f km inside)", in_m * 1e-3);
    size_t ci;
    char from[3] = "";
    if (dw_geog_which(a->g, a->country_mask, blat, blon, &ci, 1) >= 1)
        country_code(a, (int)ci, from);
    if (from[0] && (!f->origin[0] || !strcmp(f->origin, a->home)))
        memcpy(f->origin, from, 3);
    return 1;
}

/* ---- one update ------------------------------------------------------------------------- */

static dw_status assess_update(dw_assess *a, uint32_t si, dw_track *t, const dw_class_hints *hints)
{
    slot *s = &a->s[si];
    dw_assess_facts *f = &s->facts;

    dw_classify_update(&a->c.classify, &s->cs, t, hints);
    dw_class best = DW_CLASS_UNKNOWN;
    dw_classify_result(&a->c.classify, &s->cs, s->prob, &best);
    memcpy(t->class_prob, s->prob, sizeof t->class_prob);
    t->cls = best;
    t->v_class.source = DW_SRC_ESTIMATED;
    t->v_class.updated_us = t->t_us;

    if (t->status == DW_TRACK_CONFIRMED) {
        s->was_confirmed = 1;
        mark_seen(a, t->lat_deg, t->lon_deg, t->t_us);
    }

    dw_threat *th = &a->th;
    dw_status st = dw_threat_eval(a->tx, t, th);
    if (st != DW_OK)
        return st;

    f->track_id = t->id;
    f->t_us = t->t_us;
    f->cls = best;
    f->class_prob = (unsigned)best < DW_NCLASSES ? s->prob[best] : 0;
    f->drone_prob = dw_classify_drone_prob(s->prob);
    f->cooperative = (s->cs.ident & (DW_CLASS_IDENT_ICAO | DW_CLASS_IDENT_RID)) != 0 ||
                     t->partner_id[0] != 0;
    f->has_squawk = (s->cs.ident & DW_CLASS_IDENT_SSR) != 0;
    country_code(a, th->now_in, f->now_in);
    f->inside_home = th->inside_home;
    int crossed_now = 0;
    if (th->inside_home && s->has_prev && !s->prev_inside) {
        int cr = 0;
        dw_geog_crossing c;
        if (dw_geog_first_crossing(a->g, (size_t)a->home_feat, s->prev_lat, s->prev_lon, t->lat_deg,
                                   t->lon_deg, &cr, &c) == DW_OK &&
            cr) {
            f->crossed_us = s->prev_t + (int64_t)llround(c.frac * (double)(t->t_us - s->prev_t));
            s->cross_lat = c.lat_deg;
            s->cross_lon = c.lon_deg;
        } else {
            f->crossed_us = t->t_us;
            s->cross_lat = t->lat_deg;
            s->cross_lon = t->lon_deg;
        }
        f->crossed_into_home = 1;
        crossed_now = 1;
    }
    if (s->entry_check)
        crossed_now |= entry_seen_inside(a, s, t, th);
    f->cross_eta_us = th->cross_eta_us;
    f->speed_mps = th->speed_mps;
    f->alt_m = t->alt_m;
    f->climb_mps = t->vel_enu_mps[2];
    f->n_threatened = 0;
    const int64_t warn_us = (int64_t)llround(a->c.warn_lead_s * 1e6);
    for (int i = 0; i < th->n_reach && f->n_threatened < 8; i++) {
        if (!th->reach[i].is_site || th->reach[i].eta_us - t->t_us > warn_us)
            continue;
        f->threatened[f->n_threatened] = th->reach[i].feature;
        f->threatened_eta_us[f->n_threatened] = th->reach[i].arrive_us;
        f->n_threatened++;
    }
    f->affiliation = s->aff;
    f->threat_score = dw_threat_score(a->tx, th, f->drone_prob, s->aff);

    /* The rules wait for the class to rest on kinematics (min_track_s of it): before,
     * the probabilities are the prior and the sensors' hints, and an identity, which
     * only goes up, must not be set on them. */
    if (a->c.rules && class_mature(a, s)) {
        int rule = -1;
        dw_affiliation to = dw_rules_apply(a->c.rules, f, &rule);
        if (rule >= 0 && (unsigned)to < DW_NAFFILIATIONS && to != s->aff) {
            dw_affiliation from = s->aff;
            s->aff = to;
            t->affiliation = to;
            a->st.identity_changes++;
            if (a->sink.identity)
                a->sink.identity(a->sink.ctx, t, from, to, dw_rules_name(a->c.rules, (size_t)rule));
            f->affiliation = to;
            f->threat_score = dw_threat_score(a->tx, th, f->drone_prob, to);
        }
    }
    t->affiliation = s->aff;
    t->v_aff.source = DW_SRC_ESTIMATED;
    t->v_aff.updated_us = t->t_us;
    s->threat = is_threat(a, s);
    s->ever_threat |= s->threat;

    st = hold_alerts(a, si, t, crossed_now);

    s->has_prev = 1;
    s->prev_inside = th->inside_home;
    s->prev_lat = t->lat_deg;
    s->prev_lon = t->lon_deg;
    s->prev_t = t->t_us;
    s->last = *t;
    s->last_us = t->t_us;
    s->last_update_us = t->last_update_us > 0 && t->last_update_us <= t->t_us ? t->last_update_us
                                                                              : t->t_us;
    return st;
}

dw_status dw_assess_track(dw_assess *a, dw_track *t, const dw_class_hints *hints)
{
    if (!a || !t)
        return DW_ERR_INVALID;
    if (!isfinite(t->lat_deg) || !isfinite(t->lon_deg) || fabs(t->lat_deg) > 89.0 ||
        fabs(t->lon_deg) > 180.0 || !isfinite(t->alt_m) || !isfinite(t->vel_enu_mps[0]) ||
        !isfinite(t->vel_enu_mps[1]) || !isfinite(t->vel_enu_mps[2]) ||
        (unsigned)t->status >= DW_TRACK_NSTATUS) {
        a->st.bad_input++;
        return DW_ERR_INVALID;
    }
    if (t->status == DW_TRACK_TENTATIVE) {
        a->st.ignored++;
        return DW_OK;
    }
    set_now(a, t->t_us);
    maybe_sweep(a);
    uint32_t si = tmap_get(a, t->id);
    if (t->status == DW_TRACK_DEAD) {
        if (si != NONE) {
            const slot *s = &a->s[si];
            memcpy(t->class_prob, s->prob, sizeof t->class_prob);
            t->cls = s->last.cls;
            t->affiliation = s->aff;
            end_track(a, si, t, 0);
        } else
            a->st.ignored++;
        return DW_OK;
    }
    if (si == NONE) {
        if (retired(a, t->id)) {
            a->st.ignored++;
            return DW_OK;
        }
        dw_status st = slot_reserve(a);
        if (st != DW_OK)
            return st;
        si = find_predecessor(a, t);
        if (si != NONE)
            continue_state(a, si, t);
        else
            si = new_state(a, t);
    }
    a->st.updates++;
    return assess_update(a, si, t, hints);
}

/* ---- sensors ------------------------------------------------------------------------------ */

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return mix64(h);
}

static uint32_t sensor_find(const dw_assess *a, const char *id, uint64_t h)
{
    size_t pos = 0;
    for (uint32_t i; (i = dw__idmap_next(&a->smap, h, &pos)) != DW__IDMAP_NONE;)
        if (!strcmp(a->sen[i].id, id))
            return i;
    return NONE;
}

static dw_status sensor_add(dw_assess *a, const char *id, uint64_t h, uint32_t *out)
{
    dw_status st = dw__idmap_reserve(&a->smap, a->n_sen + 1);
    if (st != DW_OK)
        return st;
    if (a->n_sen == a->cap_sen) {
        size_t nc = a->cap_sen ? 2 * a->cap_sen : 64;
        sensor_ent *s = realloc(a->sen, nc * sizeof *s);
        if (!s)
            return DW_ERR_NOMEM;
        a->sen = s;
        a->cap_sen = nc;
    }
    uint32_t i = (uint32_t)a->n_sen++;
    memset(&a->sen[i], 0, sizeof a->sen[i]);
    snprintf(a->sen[i].id, sizeof a->sen[i].id, "%s", id);
    a->sen[i].last_us = INT64_MIN;
    dw__idmap_add(&a->smap, h, i);
    *out = i;
    return DW_OK;
}

static void sensor_raise(dw_assess *a, sensor_ent *e, const char *detail)
{
    dw__want w;
    want_init(&w, DW_ALERT_SENSOR_DOWN, e->id, e->id, 0);
    w.event_us = e->last_us;
    w.detail = detail;
    if (dw__book_standalone(a->book, NULL, &w, INT64_MAX, a->now) == DW_OK)
        e->down = 1;
}

dw_status dw_assess_sensor(dw_assess *a, const char *sensor_id, int up, int64_t t_us)
{
    if (!a || !sensor_id || !*sensor_id || strlen(sensor_id) >= DW_ID_MAX)
        return DW_ERR_INVALID;
    set_now(a, t_us);
    uint64_t h = str_hash(sensor_id);
    uint32_t i = sensor_find(a, sensor_id, h);
    if (i == NONE) {
        dw_status st = sensor_add(a, sensor_id, h, &i);
        if (st != DW_OK)
            return st;
    }
    sensor_ent *e = &a->sen[i];
    if (up) {
        if (e->last_us == INT64_MIN || t_us > e->last_us)
            e->last_us = t_us;
        e->reported = 1;
        if (e->down) {
            char why[64];
            snprintf(why, sizeof why, "it reported again");
            dw__book_clear(a->book, DW_ALERT_SENSOR_DOWN, e->id, 0, a->now, why);
            e->down = 0;
        }
    } else if (!e->down)
        sensor_raise(a, e, "was declared down");
    maybe_sweep(a);
    return DW_OK;
}

/* ---- time moves on -------------------------------------------------------------------------- */

static void sweep(dw_assess *a)
{
    const int64_t now = a->now;
    const int64_t timeout = (int64_t)llround(a->c.track_timeout_s * 1e6);
    const int64_t window = (int64_t)llround(a->c.continue_window_s * 1e6);
    for (uint32_t i = 0; i < a->hw_s; i++) {
        slot *s = &a->s[i];
        if (s->state == S_LIVE) {
            if (now - s->last_us > timeout)
                end_track(a, i, NULL, 1);
            continue;
        }
        if (s->state != S_ENDED)
            continue;
        if (s->debris_pending && continuation_over(a, s, now, 0))
            raise_debris(a, i);
        if (!s->debris_pending && now - s->ended_us > window && continuation_over(a, s, now, 1)) {
            dw__book_drop(a->book, i, now);
            if (s->ever_threat)
                dw__book_object_gone(a->book, s->object);
            slot_free(a, i);
        }
    }
    dw__book_sweep(a->book, now);
    const int64_t stale = (int64_t)llround(a->c.sensor_stale_s * 1e6);
    for (size_t i = 0; i < a->n_sen; i++) {
        sensor_ent *e = &a->sen[i];
        if (e->reported && !e->down && now - e->last_us >= stale)
            sensor_raise(a, e, "is silent");
    }
    a->next_sweep = now + SWEEP_US;
}

dw_status dw_assess_advance(dw_assess *a, int64_t t_us)
{
    if (!a)
        return DW_ERR_INVALID;
    set_now(a, t_us);
    sweep(a);
    return DW_OK;
}

/* ---- queries ------------------------------------------------------------------------------- */

dw_status dw_assess_engaged(dw_assess *a, uint64_t track_id)
{
    uint32_t si = a ? tmap_get(a, track_id) : NONE;
    if (si == NONE || a->s[si].state != S_LIVE)
        return DW_ERR_NOT_FOUND;
    a->s[si].engaged = 1;
    return DW_OK;
}

const dw_assess_facts *dw_assess_facts_of(const dw_assess *a, uint64_t track_id)
{
    if (!a)
        return NULL;
    uint32_t si = tmap_get(a, track_id);
    if (si == NONE || a->s[si].state != S_LIVE)
        return NULL;
    return &a->s[si].facts;
}

dw_status dw_assess_threat_of(const dw_assess *a, uint64_t track_id, struct dw_threat *out)
{
    if (!a || !out)
        return DW_ERR_INVALID;
    uint32_t si = tmap_get(a, track_id);
    if (si == NONE || a->s[si].state != S_LIVE)
        return DW_ERR_NOT_FOUND;
    const slot *s = &a->s[si];
    dw_status st = dw_threat_eval(a->tx, &s->last, out);
    if (st == DW_OK)
        dw_threat_score(a->tx, out, s->facts.drone_prob, s->aff);
    return st;
}

void dw_assess_get_stats(const dw_assess *a, dw_assess_stats *out)
{
    if (!a || !out)
        return;
    *out = a->st;
    out->tracks = a->n_live;
    out->active_alerts = dw__book_active(a->book);
}

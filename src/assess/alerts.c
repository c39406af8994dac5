/* alerts.c — the alert book (alerts_int.h): alerts in force, their holders, and when a
 * change is worth a record.
 *
 * A record is written when an alert is raised, when something material changes (a
 * holder added to an area alert, a holder replaced by the track that continues it, the
 * ETA moved by more than eta_update_s, the severity rose) and when it is cleared.
 * Nothing else is said: a drone passing from sensor to sensor, or updating every second,
 * changes none of these.
 *
 * A cleared alert stays in the index, closed, while an object it was about lives and
 * suppress_s after its clear or the last want it turned down: wanted again meanwhile it
 * is reopened under its id when clearly worse (book_worse) and otherwise stays cleared,
 * so that an alert is raised at most once per object, kind and area in that time.
 */
#include "alerts_int.h"
#include "idmap.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

typedef struct claim {
    uint32_t alert, slot;
    uint32_t next_a, prev_a;            /* in the alert's list                        */
    uint32_t next_h, prev_h;            /* in the holder's list; next_h links the free list */
    uint64_t track_id;                  /* the holder's track when last renewed        */
    int64_t eta_us;
    uint32_t mark;
    uint8_t active;
} claim;

typedef struct ent {
    dw_alert pub;                       /* as last written                            */
    uint64_t object, hkey;
    double approach_m;                  /* protected_zone: for the reason             */
    char detail[48];                    /* border_violation: how the crossing is known */
    char key_area[DW_ASSESS_ID_MAX];
    uint32_t head;                      /* claims                                     */
    int n_active, n_claims;             /* active ones; all (the rest: suspended)     */
    int64_t lapse_us;                   /* when the last active claim went; MIN: held  */
    int64_t clear_at_us;                /* standalone                                 */
    int standalone, in_use;
    int closed;                         /* cleared, remembered until suppress_s after
                                           wanted_us and none of its objects lives    */
    int64_t closed_us;                  /* its clear                                  */
    int64_t wanted_us;                  /* its clear, or the last want it suppressed   */
    dw_alert_severity max_sev;          /* the highest it has had                      */
    double min_approach_m;              /* the closest approach it has told, NAN: none */
    uint64_t objs[8];                   /* objects it has been about (note_object)     */
    uint8_t obj_alive[8];
    int n_objs, n_alive;
    uint32_t next_free;
} ent;

struct dw__book {
    dw__book_config c;
    dw_assess_sink sink;
    dw_assess_stats *st;
    ent *e;
    uint32_t cap_e, hw_e, free_e;
    size_t n_in_force;
    claim *cl;
    uint32_t cap_c, free_c;
    uint32_t *hhead, *hmark;
    size_t cap_h;
    dw__idmap map;                      /* hashed (kind, area, object) -> alert index  */
    uint64_t next_id;
};

/* ---- small helpers ---------------------------------------------------------------- */

/* snprintf whose truncation is intended: reasons are cut to the record's field. */
static void fmt(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t cap, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, cap, f, ap);
    va_end(ap);
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t key_of(dw_alert_kind kind, const char *area, uint64_t object)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)area; p && *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return mix64(h ^ mix64((uint64_t)kind + 1) ^ mix64(object * 0x9e3779b97f4a7c15ULL + 7));
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = 0;
}

/* "21:47:12Z" */
static void hms(int64_t t_us, char *buf, size_t cap)
{
    int64_t s = t_us / 1000000;
    if (t_us < 0 && t_us % 1000000)
        s--;
    int64_t d = s % 86400;
    if (d < 0)
        d += 86400;
    fmt(buf, cap, "%02d:%02d:%02dZ", (int)(d / 3600), (int)(d / 60 % 60), (int)(d % 60));
}

/* "in 4 min 50 s", "now", "12 s ago" */
static void lead(int64_t eta_us, int64_t now_us, char *buf, size_t cap)
{
    if (eta_us == INT64_MIN) {
        fmt(buf, cap, "(no ETA)");
        return;
    }
    double s = (double)(eta_us - now_us) * 1e-6;
    long a = lround(fabs(s));
    if (a < 1)
        fmt(buf, cap, "now");
    else if (a < 60)
        fmt(buf, cap, s > 0 ? "in %ld s" : "%ld s ago", a);
    else
        fmt(buf, cap, s > 0 ? "in %ld min %ld s" : "%ld min %ld s ago", a / 60, a % 60);
}

/* The reason of a raise, in words an operator reads; updates and clears prefix it. */
static void describe(const ent *e, int64_t now, const char *detail, char *buf, size_t cap)
{
    const dw_alert *a = &e->pub;
    char l[40], t[16];
    lead(a->eta_us, now, l, sizeof l);
    const char *cls = dw_class_name(a->cls), *aff = dw_affiliation_name(a->affiliation);
    unsigned long long id = (unsigned long long)a->track_id;
    switch (a->kind) {
    case DW_ALERT_BORDER_IMMINENT:
        fmt(buf, cap, "track %llu (%s, %s) predicted to cross into %s %s at %.4f N %.4f E", id,
                 cls, aff, a->area_name, l, a->lat_deg, a->lon_deg);
        break;
    case DW_ALERT_BORDER_VIOLATION:
        hms(a->event_us, t, sizeof t);
        fmt(buf, cap, "track %llu (%s, %s) crossed into %s at %s near %.4f N %.4f E%s%s", id, cls,
            aff, a->area_name, t, a->lat_deg, a->lon_deg, e->detail[0] ? " " : "", e->detail);
        break;
    case DW_ALERT_PROTECTED_ZONE:
        if (isfinite(e->approach_m))
            fmt(buf, cap, "track %llu (%s, %s) can reach %s (%s) %s; closest approach %.1f km", id,
                cls, aff, a->area_name, a->area_id, l, e->approach_m * 1e-3);
        else
            fmt(buf, cap, "track %llu (%s, %s) can reach %s (%s) %s", id, cls, aff, a->area_name,
                a->area_id, l);
        break;
    case DW_ALERT_REGIONAL_WARNING:
        if (a->eta_us != INT64_MIN && a->eta_us <= now)
            fmt(buf, cap, "air threat over %s: %d drone track%s", a->area_name, a->n_tracks,
                     a->n_tracks == 1 ? "" : "s");
        else
            fmt(buf, cap, "air threat to %s: %d drone track%s, the first %s", a->area_name,
                     a->n_tracks, a->n_tracks == 1 ? "" : "s", l);
        break;
    case DW_ALERT_AIRSPACE_CLOSURE:
        fmt(buf, cap, "close the airspace of %s (%s): %d drone track%s can reach it, the first %s",
                 a->area_name, a->area_id, a->n_tracks, a->n_tracks == 1 ? "" : "s", l);
        break;
    case DW_ALERT_SENSOR_DOWN:
        hms(a->event_us, t, sizeof t);
        fmt(buf, cap, "sensor %s %s (last report %s)", a->area_id,
                 detail ? detail : "is silent", a->event_us == INT64_MIN ? "never" : t);
        break;
    case DW_ALERT_DEBRIS_ZONE:
        fmt(buf, cap, "track %llu (%s) ended in flight%s%s: fall zone %.4f N %.4f E, radius %.0f m",
                 id, cls, detail ? " " : "", detail ? detail : "", a->lat_deg, a->lon_deg, a->radius_m);
        break;
    case DW_ALERT_NEIGHBOUR_NOTICE:
        fmt(buf, cap, "to %s: track %llu (%s, %s) predicted to enter %s %s at %.4f N %.4f E",
                 a->neighbour, id, cls, aff, a->area_name, l, a->lat_deg, a->lon_deg);
        break;
    default:
        fmt(buf, cap, "%s", dw_alert_kind_name(a->kind));
    }
}

/* ---- pools and the index ---------------------------------------------------------- */

dw_status dw__book_create(const dw__book_config *c, const dw_assess_sink *sink,
                          dw_assess_stats *stats, dw__book **out)
{
    if (!c || !stats || !out || !(c->clear_after_s >= 0) || !(c->eta_update_s >= 0) ||
        !(c->eta_update_frac >= 0) || !(c->suppress_s >= 0))
        return DW_ERR_INVALID;
    dw__book *b = calloc(1, sizeof *b);
    if (!b)
        return DW_ERR_NOMEM;
    b->c = *c;
    if (sink)
        b->sink = *sink;
    b->st = stats;
    b->free_e = NONE;
    b->free_c = NONE;
    b->next_id = 1;
    size_t ne = c->alerts_hint >= 64 ? c->alerts_hint : 64, nc = c->claims_hint >= 256 ? c->claims_hint : 256;
    if (ne > (1u << 24))
        ne = 1u << 24;
    if (nc > (1u << 26))
        nc = 1u << 26;
    dw_status mst = dw__idmap_init(&b->map, ne);
    b->e = malloc(ne * sizeof *b->e);
    b->cl = malloc(nc * sizeof *b->cl);
    if (mst != DW_OK || !b->e || !b->cl) {
        dw__book_destroy(b);
        return DW_ERR_NOMEM;
    }
    b->cap_e = (uint32_t)ne;
    b->cap_c = (uint32_t)nc;
    for (uint32_t i = b->cap_c; i-- > 0;) {
        b->cl[i].next_h = b->free_c;
        b->free_c = i;
    }
    *out = b;
    return DW_OK;
}

void dw__book_destroy(dw__book *b)
{
    if (!b)
        return;
    free(b->e);
    free(b->cl);
    free(b->hhead);
    free(b->hmark);
    dw__idmap_free(&b->map);
    free(b);
}

dw_status dw__book_reserve_holders(dw__book *b, size_t n)
{
    if (n <= b->cap_h)
        return DW_OK;
    uint32_t *h = realloc(b->hhead, n * sizeof *h);
    if (!h)
        return DW_ERR_NOMEM;
    b->hhead = h;
    uint32_t *m = realloc(b->hmark, n * sizeof *m);
    if (!m)
        return DW_ERR_NOMEM;
    b->hmark = m;
    for (size_t i = b->cap_h; i < n; i++) {
        b->hhead[i] = NONE;
        b->hmark[i] = 0;
    }
    b->cap_h = n;
    return DW_OK;
}

static int ent_is(const ent *e, dw_alert_kind kind, const char *area, uint64_t object)
{
    return e->in_use && e->pub.kind == kind && e->object == object &&
           !strcmp(e->key_area, area ? area : "");
}

/* The alert of (kind, area, object) under its hashed key k, or NONE. */
static uint32_t map_find(const dw__book *b, uint64_t k, dw_alert_kind kind, const char *area,
                         uint64_t object)
{
    size_t pos = 0;
    for (uint32_t ei; (ei = dw__idmap_next(&b->map, k, &pos)) != DW__IDMAP_NONE;)
        if (ent_is(&b->e[ei], kind, area, object))
            return ei;
    return NONE;
}

static dw_status reserve(dw__book *b, uint32_t n_ent, uint32_t n_claim)
{
    if (n_ent && b->free_e == NONE && b->hw_e + n_ent > b->cap_e) {
        uint32_t nc = b->cap_e ? 2 * b->cap_e : 64;
        ent *e = realloc(b->e, (size_t)nc * sizeof *e);
        if (!e)
            return DW_ERR_NOMEM;
        b->e = e;
        b->cap_e = nc;
    }
    if (n_claim && b->free_c == NONE) {
        uint32_t old = b->cap_c, nc = old ? 2 * old : 256;
        claim *c = realloc(b->cl, (size_t)nc * sizeof *c);
        if (!c)
            return DW_ERR_NOMEM;
        b->cl = c;
        for (uint32_t i = nc; i-- > old;) {
            c[i].next_h = b->free_c;
            b->free_c = i;
        }
        b->cap_c = nc;
    }
    if (n_ent)
        return dw__idmap_reserve(&b->map, b->map.count + 1);
    return DW_OK;
}

static uint32_t ent_new(dw__book *b)
{
    uint32_t i;
    if (b->free_e != NONE) {
        i = b->free_e;
        b->free_e = b->e[i].next_free;
    } else
        i = b->hw_e++;
    memset(&b->e[i], 0, sizeof b->e[i]);
    b->e[i].in_use = 1;
    b->e[i].head = NONE;
    b->e[i].lapse_us = INT64_MIN;
    b->e[i].clear_at_us = INT64_MAX;
    b->e[i].min_approach_m = NAN;
    b->n_in_force++;
    return i;
}

static uint32_t claim_new(dw__book *b, uint32_t ei, uint32_t slot)
{
    uint32_t ci = b->free_c;
    b->free_c = b->cl[ci].next_h;
    claim *c = &b->cl[ci];
    memset(c, 0, sizeof *c);
    c->alert = ei;
    c->slot = slot;
    c->eta_us = INT64_MIN;
    c->prev_a = NONE;
    c->next_a = b->e[ei].head;
    if (c->next_a != NONE)
        b->cl[c->next_a].prev_a = ci;
    b->e[ei].head = ci;
    c->prev_h = NONE;
    c->next_h = b->hhead[slot];
    if (c->next_h != NONE)
        b->cl[c->next_h].prev_h = ci;
    b->hhead[slot] = ci;
    c->active = 1;
    b->e[ei].n_active++;
    b->e[ei].n_claims++;
    b->e[ei].lapse_us = INT64_MIN;
    return ci;
}

/* Unlinks and frees a claim; the alert lapses when it was its last active one. */
static void claim_free(dw__book *b, uint32_t ci, int64_t now)
{
    claim *c = &b->cl[ci];
    ent *e = &b->e[c->alert];
    if (c->prev_a != NONE)
        b->cl[c->prev_a].next_a = c->next_a;
    else
        e->head = c->next_a;
    if (c->next_a != NONE)
        b->cl[c->next_a].prev_a = c->prev_a;
    if (c->prev_h != NONE)
        b->cl[c->prev_h].next_h = c->next_h;
    else
        b->hhead[c->slot] = c->next_h;
    if (c->next_h != NONE)
        b->cl[c->next_h].prev_h = c->prev_h;
    if (c->active) {
        e->n_active--;
        if (e->n_active == 0)
            e->lapse_us = now;
    }
    e->n_claims--;
    c->next_h = b->free_c;
    b->free_c = ci;
}

static uint32_t claim_of(const dw__book *b, uint32_t slot, uint32_t ei)
{
    if (slot >= b->cap_h)
        return NONE;
    for (uint32_t ci = b->hhead[slot]; ci != NONE; ci = b->cl[ci].next_h)
        if (b->cl[ci].alert == ei)
            return ci;
    return NONE;
}

/* The earliest ETA of the active claims (the written one when none is active). */
static int64_t eta_now(const dw__book *b, const ent *e)
{
    int64_t m = INT64_MAX;
    for (uint32_t ci = e->head; ci != NONE; ci = b->cl[ci].next_a) {
        const claim *c = &b->cl[ci];
        if (c->active && c->eta_us != INT64_MIN && c->eta_us < m)
            m = c->eta_us;
    }
    return m == INT64_MAX ? e->pub.eta_us : m;
}

/* The holders' track ids into the record: the active claims, else the suspended ones,
 * else the list stays as last written (a standalone alert: its track). */
static void fill_tracks(const dw__book *b, ent *e)
{
    int n = 0, total = 0;
    for (int pass = 0; pass < 2 && total == 0; pass++) {
        for (uint32_t ci = e->head; ci != NONE; ci = b->cl[ci].next_a) {
            const claim *c = &b->cl[ci];
            if (pass == 0 && !c->active)
                continue;
            total++;
            if (n < 8)
                e->pub.track_ids[n++] = c->track_id;
        }
    }
    if (total == 0) {
        if (e->pub.n_tracks > 0 || !e->pub.track_id)
            return;
        e->pub.track_ids[n++] = e->pub.track_id;
        total = 1;
    }
    e->pub.n_tracks = total;
    for (int i = n; i < 8; i++)
        e->pub.track_ids[i] = 0;
}

static void emit(dw__book *b, ent *e, dw_alert_state state, int64_t now, const char *prefix,
                 const char *detail)
{
    e->pub.state = state;
    e->pub.t_us = now;
    fill_tracks(b, e);
    char what[sizeof e->pub.reason];
    describe(e, now, detail, what, sizeof what);
    if (prefix && *prefix)
        fmt(e->pub.reason, sizeof e->pub.reason, "%s: %s", prefix, what);
    else
        memcpy(e->pub.reason, what, sizeof what);
    if (e->pub.severity > e->max_sev)
        e->max_sev = e->pub.severity;
    if (isfinite(e->approach_m) && !(e->min_approach_m <= e->approach_m))
        e->min_approach_m = e->approach_m;
    if (state == DW_ALERT_RAISED) {
        b->st->alerts_raised++;
        b->st->raised_by_kind[e->pub.kind]++;
    } else if (state == DW_ALERT_REOPENED)
        b->st->alerts_reopened++;
    else if (state == DW_ALERT_UPDATED)
        b->st->alerts_updated++;
    else
        b->st->alerts_cleared++;
    if (b->sink.alert)
        b->sink.alert(b->sink.ctx, &e->pub);
}

/* The record's fields from what is wanted and who wants it. */
static void fill_holder(ent *e, const dw__holder *h, int per_object);

static void fill_from(dw__book *b, ent *e, const dw__holder *h, const dw__want *w)
{
    dw_alert *a = &e->pub;
    a->lat_deg = w->lat_deg;
    a->lon_deg = w->lon_deg;
    a->radius_m = w->radius_m;
    a->event_us = w->event_us;
    e->approach_m = w->approach_m;
    if (w->kind == DW_ALERT_BORDER_VIOLATION)
        copy_str(e->detail, sizeof e->detail, w->detail);
    if (w->severity > a->severity || a->state == DW_ALERT_RAISED)
        a->severity = w->severity;
    if (w->area_name)
        copy_str(a->area_name, sizeof a->area_name, w->area_name);
    if (w->neighbour[0])
        memcpy(a->neighbour, w->neighbour, 3);
    if (b->c.region_of && isfinite(w->lat_deg) && isfinite(w->lon_deg))
        b->c.region_of(b->c.region_ctx, w->lat_deg, w->lon_deg, a->region, sizeof a->region);
    fill_holder(e, h, w->per_object);
}

/* The record's track fields from its holder. */
static void fill_holder(ent *e, const dw__holder *h, int per_object)
{
    dw_alert *a = &e->pub;
    if (h && h->t) {
        a->track_id = per_object || e->standalone ? h->track_id : 0;
        a->cls = h->t->cls;
        a->affiliation = h->t->affiliation;
        a->threat_score = h->threat_score;
        a->track_lat_deg = h->t->lat_deg;
        a->track_lon_deg = h->t->lon_deg;
        a->track_alt_m = h->t->alt_m;
        for (int k = 0; k < 3; k++)
            a->track_vel_enu_mps[k] = h->t->vel_enu_mps[k];
    }
}

/* Out of the index and back to the pool. */
static void ent_forget(dw__book *b, uint32_t ei)
{
    ent *e = &b->e[ei];
    dw__idmap_del(&b->map, e->hkey, ei);
    e->in_use = 0;
    e->closed = 0;
    e->next_free = b->free_e;
    b->free_e = ei;
}

/* The objects an alert has been about: the first eight, a gone one's place taken by the
 * next when full. */
static void note_object(ent *e, uint64_t obj)
{
    int gone = -1;
    for (int i = 0; i < e->n_objs; i++) {
        if (e->objs[i] == obj)
            return;
        if (!e->obj_alive[i] && gone < 0)
            gone = i;
    }
    int k = e->n_objs < 8 ? e->n_objs++ : gone;
    if (k < 0)
        return;
    e->objs[k] = obj;
    e->obj_alive[k] = 1;
    e->n_alive++;
}

static int seen_object(const ent *e, uint64_t obj)
{
    for (int i = 0; i < e->n_objs; i++)
        if (e->objs[i] == obj)
            return 1;
    return 0;
}

static void ent_clear(dw__book *b, uint32_t ei, int64_t now, const char *why)
{
    ent *e = &b->e[ei];
    fill_tracks(b, e);                  /* the record lists who held it last          */
    while (e->head != NONE)
        claim_free(b, e->head, now);
    e->pub.state = DW_ALERT_CLEARED;
    e->pub.t_us = now;
    char what[sizeof e->pub.reason];
    describe(e, now, NULL, what, sizeof what);
    fmt(e->pub.reason, sizeof e->pub.reason, "cleared: %s; was: %s", why ? why : "", what);
    b->st->alerts_cleared++;
    if (b->sink.alert)
        b->sink.alert(b->sink.ctx, &e->pub);
    b->n_in_force--;
    if (b->c.suppress_s > 0) {
        e->closed = 1;
        e->closed_us = e->wanted_us = now;
        return;
    }
    ent_forget(b, ei);
}

/* ---- the book's verbs ------------------------------------------------------------- */

void dw__book_begin(dw__book *b, uint32_t slot)
{
    if (slot < b->cap_h)
        b->hmark[slot]++;
}

static dw_status raise_new(dw__book *b, const dw__holder *h, const dw__want *w, uint64_t obj,
                           uint64_t k, int standalone, int64_t clear_at, int64_t now)
{
    dw_status st = reserve(b, 1, standalone ? 0 : 1);
    if (st != DW_OK)
        return st;
    uint32_t ei = ent_new(b);
    ent *e = &b->e[ei];
    dw_alert_init(&e->pub);
    e->object = obj;
    e->hkey = k;
    e->standalone = standalone;
    e->clear_at_us = clear_at;
    copy_str(e->key_area, sizeof e->key_area, w->area_id);
    e->pub.id = b->next_id++;
    e->pub.kind = w->kind;
    e->pub.state = DW_ALERT_RAISED;
    e->pub.raised_us = now;
    e->pub.eta_us = w->eta_us;
    copy_str(e->pub.area_id, sizeof e->pub.area_id, w->area_id);
    fill_from(b, e, h, w);
    e->pub.severity = w->severity;
    if (!standalone && h) {
        uint32_t ci = claim_new(b, ei, h->slot);
        b->cl[ci].track_id = h->track_id;
        b->cl[ci].eta_us = w->eta_us;
        b->cl[ci].mark = b->hmark[h->slot];
    }
    if (h)
        note_object(e, h->object);
    dw__idmap_add(&b->map, k, ei);
    emit(b, e, DW_ALERT_RAISED, now, NULL, w->detail);
    return DW_OK;
}

/* Is what is wanted now clearly worse than anything the cleared alert said? Clearly:
 *   - a severity higher than it ever had (a protected site now within imminent_s);
 *   - a new event, after the clear (the object crossed into the home country again);
 *   - an area alert wanted by an object that never held it (another drone);
 *   - the raise criterion met with half its lead or less (twice as near in time as
 *     the raise asks), or the object there;
 *   - a path at most half as far from the area as the closest approach it told (a
 *     drone that passed 70 km from a site now heading 30 km from it).
 * Why, into buf. */
static int book_worse(const ent *e, const dw__holder *h, const dw__want *w, char *buf,
                      size_t cap)
{
    if (w->severity > e->max_sev) {
        fmt(buf, cap, "now %s", dw_alert_severity_name(w->severity));
        return 1;
    }
    if (w->event_us != INT64_MIN && e->pub.event_us != INT64_MIN && w->event_us > e->closed_us) {
        char t[16];
        hms(w->event_us, t, sizeof t);
        fmt(buf, cap, "again at %s", t);
        return 1;
    }
    if (e->object == 0 && h && !seen_object(e, h->object)) {
        fmt(buf, cap, "track %" PRIu64 " added", h->track_id);
        return 1;
    }
    if (isfinite(w->lead_s) && w->raise_lead_s > 0 && w->lead_s <= 0.5 * w->raise_lead_s) {
        if (w->lead_s <= 0)
            fmt(buf, cap, "it is there");
        else
            fmt(buf, cap, "in reach within %.0f s, half its lead", 0.5 * w->raise_lead_s);
        return 1;
    }
    if (isfinite(w->approach_m) && isfinite(e->min_approach_m) &&
        w->approach_m < 0.5 * e->min_approach_m) {
        fmt(buf, cap, "its path now %.1f km from it, was %.1f km", w->approach_m * 1e-3,
            e->min_approach_m * 1e-3);
        return 1;
    }
    return 0;
}

/* A closed alert back: same id, raised_us kept, written as reopened. */
static dw_status reopen(dw__book *b, uint32_t ei, const dw__holder *h, const dw__want *w,
                        int64_t clear_at, int64_t now, const char *why)
{
    if (!b->e[ei].standalone && h) {
        dw_status st = reserve(b, 0, 1);
        if (st != DW_OK)
            return st;
    }
    ent *e = &b->e[ei];
    e->closed = 0;
    b->n_in_force++;
    e->lapse_us = INT64_MIN;
    e->clear_at_us = clear_at;
    e->pub.eta_us = w->eta_us;
    e->pub.n_tracks = 0;
    e->pub.state = DW_ALERT_REOPENED;
    fill_from(b, e, h, w);
    e->pub.severity = w->severity;
    if (!e->standalone && h) {
        uint32_t ci = claim_new(b, ei, h->slot);
        b->cl[ci].track_id = h->track_id;
        b->cl[ci].eta_us = w->eta_us;
        b->cl[ci].mark = b->hmark[h->slot];
    }
    if (h)
        note_object(e, h->object);
    char pre[80];
    fmt(pre, sizeof pre, "reopened, %s", why);
    emit(b, e, DW_ALERT_REOPENED, now, pre, w->detail);
    return DW_OK;
}

/* The entry under a key, forgetting a closed one whose suppression is over. */
static uint32_t book_lookup(dw__book *b, uint64_t k, dw_alert_kind kind, const char *area,
                            uint64_t obj, int64_t now)
{
    uint32_t ei = map_find(b, k, kind, area, obj);
    if (ei != NONE && b->e[ei].closed && b->e[ei].n_alive == 0 &&
        (double)(now - b->e[ei].wanted_us) * 1e-6 >= b->c.suppress_s) {
        ent_forget(b, ei);
        ei = NONE;
    }
    return ei;
}

dw_status dw__book_want(dw__book *b, const dw__holder *h, const dw__want *w, int64_t now)
{
    if (!h || !w || h->slot >= b->cap_h)
        return DW_ERR_INVALID;
    uint64_t obj = w->per_object ? h->object : 0;
    uint64_t k = key_of(w->kind, w->area_id, obj);
    uint32_t ei = book_lookup(b, k, w->kind, w->area_id, obj, now);
    if (ei == NONE)
        return w->hold_only ? DW_OK : raise_new(b, h, w, obj, k, 0, INT64_MAX, now);
    if (b->e[ei].closed) {
        char why[64];
        if (b->e[ei].standalone || w->hold_only)
            return DW_OK;
        if (!book_worse(&b->e[ei], h, w, why, sizeof why)) {
            /* still there, not worse: it stays cleared, and remembered */
            b->e[ei].wanted_us = now;
            b->st->alerts_suppressed++;
            return DW_OK;
        }
        return reopen(b, ei, h, w, INT64_MAX, now, why);
    }
    if (b->e[ei].standalone)
        return DW_OK;
    uint32_t ci = claim_of(b, h->slot, ei);
    char chg[112];
    chg[0] = 0;
    if (ci == NONE) {
        dw_status st = reserve(b, 0, 1);
        if (st != DW_OK)
            return st;
        ent *e = &b->e[ei];
        uint64_t was = e->pub.track_id;
        int known = seen_object(e, h->object);
        ci = claim_new(b, ei, h->slot);
        note_object(e, h->object);
        /* A holder added is news once: one that held it before and comes back (its
         * reach wavering at the lead) changes nothing an operator reads. */
        if (!w->per_object && !known)
            fmt(chg, sizeof chg, "track %" PRIu64 " added", h->track_id);
        else if (was != h->track_id)
            fmt(chg, sizeof chg, "holder replaced: track %" PRIu64 " %s track %" PRIu64, was,
                     h->prev_track_id == was ? "continued as" : "replaced by", h->track_id);
    } else {
        claim *c = &b->cl[ci];
        ent *e = &b->e[ei];
        if (!c->active) {
            c->active = 1;
            e->n_active++;
        }
        if (c->track_id != h->track_id)
            fmt(chg, sizeof chg, "holder replaced: track %" PRIu64 " %s track %" PRIu64,
                     c->track_id, h->prev_track_id == c->track_id ? "continued as" : "replaced by",
                     h->track_id);
    }
    ent *e = &b->e[ei];
    claim *c = &b->cl[ci];
    e->lapse_us = INT64_MIN;
    c->track_id = h->track_id;
    c->mark = b->hmark[h->slot];
    if (w->hold_only) {
        /* renewed as it stands: a new holder is said, the ETA and point are kept */
        if (chg[0]) {
            fill_holder(e, h, w->per_object);
            emit(b, e, DW_ALERT_UPDATED, now, chg, NULL);
        }
        return DW_OK;
    }
    /* Once there, the arrival stays where it was: an object sitting in a region must
     * not move its ETA forward with every update. */
    if (!(c->eta_us != INT64_MIN && c->eta_us <= now && w->eta_us != INT64_MIN && w->eta_us <= now))
        c->eta_us = w->eta_us;
    int64_t eta = eta_now(b, e);
    if (!chg[0]) {
        int64_t old = e->pub.eta_us;
        if ((old == INT64_MIN) != (eta == INT64_MIN))
            fmt(chg, sizeof chg, "%s", eta == INT64_MIN ? "no ETA" : "ETA set");
        else if (old != INT64_MIN && fabs((double)(eta - old)) * 1e-6 > b->c.eta_update_s &&
                 fabs((double)(eta - old)) > b->c.eta_update_frac * (double)(eta - now))
            fmt(chg, sizeof chg, "ETA moved by %+.0f s", (double)(eta - old) * 1e-6);
        else if (w->severity > e->pub.severity)
            fmt(chg, sizeof chg, "now %s", dw_alert_severity_name(w->severity));
    }
    if (chg[0]) {
        e->pub.eta_us = eta;
        fill_from(b, e, h, w);
        emit(b, e, DW_ALERT_UPDATED, now, chg, w->detail);
    }
    return DW_OK;
}

void dw__book_end(dw__book *b, uint32_t slot, int64_t now)
{
    if (slot >= b->cap_h)
        return;
    uint32_t mark = b->hmark[slot];
    for (uint32_t ci = b->hhead[slot]; ci != NONE;) {
        uint32_t next = b->cl[ci].next_h;
        if (b->cl[ci].mark != mark)
            claim_free(b, ci, now);
        ci = next;
    }
}

void dw__book_suspend(dw__book *b, uint32_t slot, int64_t now)
{
    if (slot >= b->cap_h)
        return;
    for (uint32_t ci = b->hhead[slot]; ci != NONE; ci = b->cl[ci].next_h) {
        claim *c = &b->cl[ci];
        if (!c->active)
            continue;
        c->active = 0;
        ent *e = &b->e[c->alert];
        e->n_active--;
        if (e->n_active == 0)
            e->lapse_us = now;
    }
}

void dw__book_drop(dw__book *b, uint32_t slot, int64_t now)
{
    if (slot >= b->cap_h)
        return;
    while (b->hhead[slot] != NONE)
        claim_free(b, b->hhead[slot], now);
}

dw_status dw__book_standalone(dw__book *b, const dw__holder *h, const dw__want *w,
                              int64_t clear_at_us, int64_t now)
{
    if (!w)
        return DW_ERR_INVALID;
    uint64_t obj = w->per_object && h ? h->object : 0;
    uint64_t k = key_of(w->kind, w->area_id, obj);
    uint32_t ei = book_lookup(b, k, w->kind, w->area_id, obj, now);
    if (ei == NONE)
        return raise_new(b, h, w, obj, k, 1, clear_at_us, now);
    if (b->e[ei].closed)
        return reopen(b, ei, h, w, clear_at_us, now, "again");
    b->e[ei].clear_at_us = clear_at_us;
    return DW_OK;
}

const dw_alert *dw__book_find(const dw__book *b, dw_alert_kind kind, const char *area_id,
                              uint64_t object)
{
    uint32_t ei = map_find(b, key_of(kind, area_id, object), kind, area_id, object);
    return ei == NONE || b->e[ei].closed ? NULL : &b->e[ei].pub;
}

int dw__book_holds(const dw__book *b, uint32_t slot, dw_alert_kind kind, const char *area_id,
                   uint64_t object)
{
    uint32_t ei = map_find(b, key_of(kind, area_id, object), kind, area_id, object);
    if (ei == NONE)
        return 0;
    /* a suspended claim counts: the track that continues an ended one holds what it held */
    return claim_of(b, slot, ei) != NONE;
}

int dw__book_clear(dw__book *b, dw_alert_kind kind, const char *area_id, uint64_t object,
                   int64_t now, const char *why)
{
    uint32_t ei = map_find(b, key_of(kind, area_id, object), kind, area_id, object);
    if (ei == NONE || b->e[ei].closed)
        return 0;
    ent_clear(b, ei, now, why);
    return 1;
}

void dw__book_sweep(dw__book *b, int64_t now)
{
    const int64_t after = (int64_t)llround(b->c.clear_after_s * 1e6);
    for (uint32_t i = 0; i < b->hw_e; i++) {
        ent *e = &b->e[i];
        if (!e->in_use)
            continue;
        if (e->closed) {
            if (e->n_alive == 0 && (double)(now - e->wanted_us) * 1e-6 >= b->c.suppress_s)
                ent_forget(b, i);
            continue;
        }
        if (e->standalone) {
            if (e->clear_at_us != INT64_MAX && now >= e->clear_at_us)
                ent_clear(b, i, now, "its time is up");
        } else if (e->n_claims == 0 && e->lapse_us != INT64_MIN && now - e->lapse_us >= after) {
            /* (a suspended claim holds it back: its track may still be continued) */
            char why[64];
            fmt(why, sizeof why, "no drone threat has held it for %.0f s",
                     (double)(now - e->lapse_us) * 1e-6);
            ent_clear(b, i, now, why);
        }
    }
}

void dw__book_object_gone(dw__book *b, uint64_t object)
{
    for (uint32_t i = 0; i < b->hw_e; i++) {
        ent *e = &b->e[i];
        if (!e->in_use)
            continue;
        for (int k = 0; k < e->n_objs; k++)
            if (e->objs[k] == object && e->obj_alive[k]) {
                e->obj_alive[k] = 0;
                e->n_alive--;
            }
    }
}

size_t dw__book_active(const dw__book *b) { return b->n_in_force; }

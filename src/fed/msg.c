/* msg.c — federation messages: the envelope around a node's lines, and the checks a
 * receiver makes before it believes a partner (fed.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dronewall/fed.h"
#include "dronewall/grow.h"
#include "dronewall/ndjson.h"

static const char *const verdict_names[] = {
#define DW_FED_VERDICT_STR(e, s) s,
    DW_FED_REASONS(DW_FED_VERDICT_STR)
#undef DW_FED_VERDICT_STR
};

const char *dw_fed_verdict_name(dw_fed_verdict v)
{
    return (unsigned)v < DW_FED_NVERDICTS ? verdict_names[v] : "?";
}

size_t dw_fed_wrap(char *buf, size_t cap, const dw_fed_env *e, const char *line, size_t len)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
        len--;
    if (!dw_fed_name_ok(e->origin) || !dw_fed_name_ok(e->owner) ||
        (unsigned)e->kind >= DW_FED_NKINDS || !len || line[0] != '{')
        return 0;
    int n = snprintf(buf, cap,
                     "{\"v\":1,\"type\":\"fed\",\"origin\":\"%s\",\"owner\":\"%s\",\"kind\":\"%s\","
                     "\"session\":%llu,\"seq\":%llu,\"sent_us\":%lld,\"body\":",
                     e->origin, e->owner, dw_fed_kind_name(e->kind),
                     (unsigned long long)e->session, (unsigned long long)e->seq,
                     (long long)e->sent_us);
    if (n < 0 || (size_t)n + len + 2 > cap)
        return 0;
    memcpy(buf + n, line, len);
    buf[n + len] = '}';
    buf[n + len + 1] = '\0';
    return (size_t)n + len + 1;
}

size_t dw_fed_msg_id(char *buf, size_t cap, const dw_fed_env *e, const char *audience)
{
    int n = snprintf(buf, cap, "%s/%s/%llu/%llu", e->origin, audience,
                     (unsigned long long)e->session, (unsigned long long)e->seq);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

dw_status dw_fed_sensor_name(const char *origin, char *buf, size_t cap)
{
    if (!dw_fed_name_ok(origin))
        return DW_ERR_INVALID;
    int n = snprintf(buf, cap, "fed:%s", origin);
    return n < 0 || (size_t)n >= cap ? DW_ERR_RANGE : DW_OK;
}

/* ------------------------------------------------------------------ the receiver */

void dw_fed_rx_config_default(dw_fed_rx_config *c)
{
    c->max_speed_mps = 1000.0;
    c->min_alt_m = -500.0;
    c->max_alt_m = 30000.0;
    c->max_future_s = 30.0;
    c->max_age_s = 600.0;
    c->max_sigma_m = 50000.0;
}

/* Where a sequence stands: one per (origin, audience). */
#define SEQ_WINDOW 4096                 /* numbers behind the newest still told apart:
                                           late (a gap filled) or twice (a duplicate)  */
typedef struct seqpos {
    int origin;                         /* index in origins                            */
    char audience[DW_FED_NAME_MAX];
    uint64_t session, next;             /* the newest session; the seq expected next   */
    uint64_t first;                     /* the lowest seq of the session seen here     */
    uint64_t seen[SEQ_WINDOW / 64];     /* bit seq % SEQ_WINDOW: seen, for the window
                                           [next - SEQ_WINDOW, next)                   */
} seqpos;

static int seen_get(const seqpos *s, uint64_t q)
{
    return (int)((s->seen[(q % SEQ_WINDOW) / 64] >> (q % 64)) & 1u);
}

static void seen_set(seqpos *s, uint64_t q, int on)
{
    uint64_t bit = 1ull << (q % 64);
    if (on)
        s->seen[(q % SEQ_WINDOW) / 64] |= bit;
    else
        s->seen[(q % SEQ_WINDOW) / 64] &= ~bit;
}

/* Where a message falls in its sequence. */
enum { SEQ_DUP, SEQ_NEXT, SEQ_LATE, SEQ_SESSION };

static int seq_place(const seqpos *s, uint64_t session, uint64_t seq)
{
    if (session < s->session)
        return SEQ_DUP;                 /* an old session's message, after a newer one */
    if (session > s->session)
        return SEQ_SESSION;
    if (seq >= s->next)
        return SEQ_NEXT;
    if (s->next - seq > SEQ_WINDOW)
        return SEQ_DUP;                 /* too far behind to tell: taken as seen       */
    if (seq < s->first)
        return SEQ_LATE;                /* before where this receiver joined           */
    return seen_get(s, seq) ? SEQ_DUP : SEQ_LATE;
}

/* A partner track's last accepted position, for the jump check. */
typedef struct lastpos {
    uint64_t key;                       /* hash of origin and track number; 0 empty    */
    int64_t t_us;
    double lat_deg, lon_deg;
} lastpos;

struct dw_fed_rx {
    dw_fed_rx_config c;
    dw_fed_origin_stats *org;
    size_t n_org, cap_org;
    seqpos *seq;
    size_t n_seq, cap_seq;
    lastpos *last;                      /* open addressing, a power of two             */
    size_t n_last, cap_last;
};

dw_status dw_fed_rx_create(const dw_fed_rx_config *c, dw_fed_rx **out)
{
    if (!out)
        return DW_ERR_INVALID;
    dw_fed_rx *rx = calloc(1, sizeof *rx);
    if (!rx)
        return DW_ERR_NOMEM;
    if (c)
        rx->c = *c;
    else
        dw_fed_rx_config_default(&rx->c);
    *out = rx;
    return DW_OK;
}

void dw_fed_rx_destroy(dw_fed_rx *rx)
{
    if (!rx)
        return;
    free(rx->org);
    free(rx->seq);
    free(rx->last);
    free(rx);
}

const dw_fed_origin_stats *dw_fed_rx_origins(const dw_fed_rx *rx, size_t *n)
{
    *n = rx ? rx->n_org : 0;
    return rx ? rx->org : NULL;
}

static int origin_of(dw_fed_rx *rx, const char *origin)
{
    for (size_t i = 0; i < rx->n_org; i++)
        if (strcmp(rx->org[i].origin, origin) == 0)
            return (int)i;
    dw_fed_origin_stats *o = dw_grow(rx->org, &rx->cap_org, rx->n_org + 1, sizeof *o, 8);
    if (!o)
        return -1;
    rx->org = o;
    memset(&o[rx->n_org], 0, sizeof *o);
    snprintf(o[rx->n_org].origin, sizeof o->origin, "%s", origin);
    return (int)rx->n_org++;
}

static seqpos *seq_of(dw_fed_rx *rx, int origin, const char *audience)
{
    for (size_t i = 0; i < rx->n_seq; i++)
        if (rx->seq[i].origin == origin && strcmp(rx->seq[i].audience, audience) == 0)
            return &rx->seq[i];
    seqpos *s = dw_grow(rx->seq, &rx->cap_seq, rx->n_seq + 1, sizeof *s, 8);
    if (!s)
        return NULL;
    rx->seq = s;
    s = &s[rx->n_seq++];
    memset(s, 0, sizeof *s);
    s->origin = origin;
    snprintf(s->audience, sizeof s->audience, "%s", audience);
    return s;
}

static uint64_t track_key(const char *origin, uint64_t id)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *c = (const unsigned char *)origin; *c; c++)
        h = (h ^ *c) * 0x100000001b3ull;
    h ^= id + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

static lastpos *last_slot(dw_fed_rx *rx, uint64_t key, int add)
{
    if (add && (rx->n_last + 1) * 2 > rx->cap_last) {
        /* Grow, or when the table is large start again: the jump check forgets tracks
         * it has not seen for a while rather than grow without end. */
        size_t nc = rx->cap_last ? rx->cap_last * 2 : 1024;
        if (nc > (1u << 20))
            nc = rx->cap_last;
        lastpos *t = calloc(nc, sizeof *t);
        if (!t)
            return NULL;
        if (nc != rx->cap_last)
            for (size_t i = 0; i < rx->cap_last; i++) {
                if (!rx->last[i].key)
                    continue;
                size_t j = rx->last[i].key & (nc - 1);
                while (t[j].key)
                    j = (j + 1) & (nc - 1);
                t[j] = rx->last[i];
            }
        else
            rx->n_last = 0;
        free(rx->last);
        rx->last = t;
        rx->cap_last = nc;
    }
    if (!rx->cap_last)
        return NULL;
    size_t j = key & (rx->cap_last - 1);
    while (rx->last[j].key && rx->last[j].key != key)
        j = (j + 1) & (rx->cap_last - 1);
    if (!rx->last[j].key) {
        if (!add)
            return NULL;
        rx->last[j].key = key;
        rx->n_last++;
    }
    return &rx->last[j];
}

/* The subject's tokens: dw.<node>.<audience>.<kind>. */
static int split_subject(const char *subject, char *node, char *audience, dw_fed_kind *kind)
{
    char tok[4][DW_FED_NAME_MAX];
    int n = 0;
    const char *p = subject;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 4 || l == 0 || l >= DW_FED_NAME_MAX)
            return -1;
        memcpy(tok[n], p, l);
        tok[n][l] = '\0';
        n++;
        if (!dot)
            break;
        p = dot + 1;
    }
    if (n != 4 || strcmp(tok[0], "dw") || !dw_fed_name_ok(tok[1]) || !dw_fed_name_ok(tok[2]))
        return -1;
    if (dw_fed_kind_parse(tok[3], kind) != 0)
        return -1;
    strcpy(node, tok[1]);
    strcpy(audience, tok[2]);
    return 0;
}

static int str_into(json_t *o, const char *key, char *buf, size_t cap)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || strlen(s) >= cap)
        return -1;
    strcpy(buf, s);
    return 0;
}

static uint64_t uint_of(json_t *o, const char *key, int *ok)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        *ok = 0;
        return 0;
    }
    return (uint64_t)json_integer_value(v);
}

/* The body's bytes inside the message: from "body": to the envelope's closing brace. The
 * envelope is ours (dw_fed_wrap), so the body is its last key. */
static int body_span(const char *data, size_t len, const char **body, size_t *blen)
{
    static const char key[] = "\"body\":";
    const char *p = NULL;
    for (size_t i = 0; i + sizeof key - 1 <= len; i++)
        if (memcmp(data + i, key, sizeof key - 1) == 0) {
            p = data + i + sizeof key - 1;
            break;
        }
    if (!p)
        return -1;
    const char *e = data + len;
    while (e > p && e[-1] != '}')
        e--;
    if (e <= p + 1)
        return -1;
    e--;                                /* the envelope's own brace */
    while (e > p && e[-1] != '}')
        e--;
    if (e <= p || *p != '{')
        return -1;
    *body = p;
    *blen = (size_t)(e - p);
    return 0;
}

static dw_fed_verdict check_track(dw_fed_rx *rx, const dw_fed_item *it, const dw_track *t,
                                  int64_t now_us)
{
    const dw_fed_rx_config *c = &rx->c;
    if (!isfinite(t->lat_deg) || !isfinite(t->lon_deg) || fabs(t->lat_deg) > 90 ||
        fabs(t->lon_deg) > 180)
        return DW_FED_REJ_POSITION;
    if (!isfinite(t->alt_m) || t->alt_m < c->min_alt_m || t->alt_m > c->max_alt_m)
        return DW_FED_REJ_ALTITUDE;
    double v = hypot(hypot(t->vel_enu_mps[0], t->vel_enu_mps[1]), t->vel_enu_mps[2]);
    if (!isfinite(v) || v > c->max_speed_mps)
        return DW_FED_REJ_SPEED;
    if (now_us != INT64_MIN) {
        if (t->t_us > now_us + (int64_t)(c->max_future_s * 1e6))
            return DW_FED_REJ_TIME;
        if (c->max_age_s > 0 && t->t_us < now_us - (int64_t)(c->max_age_s * 1e6))
            return DW_FED_REJ_TIME;
    }
    double vx = t->cov_pos_enu[0][0], vy = t->cov_pos_enu[1][1], vz = t->cov_pos_enu[2][2];
    double smax = c->max_sigma_m * c->max_sigma_m;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (!isfinite(t->cov_pos_enu[i][j]))
                return DW_FED_REJ_COVARIANCE;
    if (vx <= 0 || vy <= 0 || vz < 0 || vx > smax || vy > smax ||
        t->cov_pos_enu[0][1] * t->cov_pos_enu[0][1] >= vx * vy)
        return DW_FED_REJ_COVARIANCE;
    lastpos *lp = last_slot(rx, track_key(it->env.origin, t->id), 0);
    if (lp && lp->t_us <= t->t_us) {
        double dt = (double)(t->t_us - lp->t_us) * 1e-6;
        double k = cos(0.5 * (lp->lat_deg + t->lat_deg) * M_PI / 180.0);
        double dn = (t->lat_deg - lp->lat_deg) * 111195.0;
        double de = remainder(t->lon_deg - lp->lon_deg, 360.0) * 111195.0 * k;
        /* A few sigmas of slack: two estimates of the same object may differ by their
         * errors, not only by its motion. */
        double slack = 3.0 * sqrt(vx + vy) + 100.0;
        if (hypot(dn, de) > c->max_speed_mps * dt + slack)
            return DW_FED_REJ_JUMP;
    }
    return DW_FED_ACCEPTED;
}

static void track_obs(const dw_fed_item *it, const dw_track *t, dw_obs *o)
{
    dw_obs_init(o, DW_OBS_POS3);
    o->t_us = t->t_us;
    dw_fed_sensor_name(it->env.origin, o->sensor, sizeof o->sensor);
    o->has |= DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_COV | DW_OBS_HAS_VEL |
              DW_OBS_HAS_PTRACK;
    o->lat_deg = t->lat_deg;
    o->lon_deg = t->lon_deg;
    o->alt_m = t->alt_m;
    memcpy(o->cov_enu, t->cov_pos_enu, sizeof o->cov_enu);
    memcpy(o->vel_enu_mps, t->vel_enu_mps, sizeof o->vel_enu_mps);
    o->partner_track = t->id;
    float sum = 0;
    for (int k = 0; k < DW_NCLASSES; k++)
        sum += t->class_prob[k];
    if (sum > 0.5f) {
        memcpy(o->class_score, t->class_prob, sizeof o->class_score);
        o->has |= DW_OBS_HAS_CLASS;
    }
    if (t->icao) {
        o->icao = t->icao;
        o->has |= DW_OBS_HAS_ICAO;
    }
    if (t->callsign[0]) {
        memcpy(o->callsign, t->callsign, sizeof o->callsign);
        o->has |= DW_OBS_HAS_CALLSIGN;
    }
    if (t->rid[0]) {
        memcpy(o->rid, t->rid, sizeof o->rid);
        o->has |= DW_OBS_HAS_RID;
    }
    if (t->mode3a) {
        o->mode3a = t->mode3a;
        o->has |= DW_OBS_HAS_MODE3A;
    }
}

void dw_fed_align(dw_fed_item *it, int64_t t_us, double accel_sigma_mps2)
{
    if (!it->has_obs || t_us == it->obs.t_us)
        return;
    dw_obs *o = &it->obs;
    double dt = (double)(t_us - o->t_us) * 1e-6;
    double de = o->vel_enu_mps[0] * dt, dn = o->vel_enu_mps[1] * dt;
    double k = cos(o->lat_deg * M_PI / 180.0);
    o->lat_deg += dn / 111195.0;
    o->lon_deg += k > 1e-6 ? de / (111195.0 * k) : 0.0;
    if (o->lon_deg > 180)
        o->lon_deg -= 360;
    else if (o->lon_deg < -180)
        o->lon_deg += 360;
    if (o->lat_deg > 89.9)
        o->lat_deg = 89.9;
    else if (o->lat_deg < -89.9)
        o->lat_deg = -89.9;
    o->alt_m += o->vel_enu_mps[2] * dt;
    double q = 0.25 * accel_sigma_mps2 * accel_sigma_mps2 * dt * dt * dt * dt;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            o->cov_enu[i][j] += dt * dt * it->cov_vel_enu[i][j];
    o->cov_enu[0][0] += q;
    o->cov_enu[1][1] += q;
    o->cov_enu[2][2] += 0.1 * q;
    o->t_us = t_us;
}

dw_fed_verdict dw_fed_rx_take(dw_fed_rx *rx, const char *subject, const char *data, size_t len,
                              int64_t now_us, dw_fed_item *it)
{
    memset(it, 0, sizeof *it);
    char node[DW_FED_NAME_MAX];
    dw_fed_kind skind;
    json_error_t jerr;
    if (split_subject(subject, node, it->audience, &skind) != 0)
        return DW_FED_REJ_PARSE;        /* not ours to count against anyone */
    int oi = origin_of(rx, node);
    if (oi < 0)
        return DW_FED_REJ_PARSE;
    dw_fed_origin_stats *os = &rx->org[oi];
    os->received++;
    dw_fed_verdict v = DW_FED_REJ_PARSE;
    /* The envelope is read without its body (a track's line is most of the message and is
     * read once, below, as a track): its head and "null}" in place of the body. */
    json_t *root = NULL;
    char head[512];
    size_t hl;
    if (body_span(data, len, &it->body, &it->body_len) == 0 &&
        (hl = (size_t)(it->body - data)) + 6 <= sizeof head) {
        memcpy(head, data, hl);
        memcpy(head + hl, "null}", 6);
        root = json_loadb(head, hl + 5, 0, &jerr);
    }
    const char *kind = root ? json_string_value(json_object_get(root, "kind")) : NULL;
    int ok = 1;
    if (!json_is_object(root) || json_integer_value(json_object_get(root, "v")) != 1 ||
        !kind || str_into(root, "origin", it->env.origin, sizeof it->env.origin) ||
        str_into(root, "owner", it->env.owner, sizeof it->env.owner) ||
        dw_fed_kind_parse(kind, &it->env.kind) != 0)
        goto out;
    it->env.session = uint_of(root, "session", &ok);
    it->env.seq = uint_of(root, "seq", &ok);
    it->env.sent_us = (int64_t)uint_of(root, "sent_us", &ok);
    if (!ok || it->env.seq == 0)
        goto out;
    if (strcmp(it->env.origin, node) != 0 || it->env.kind != skind) {
        v = DW_FED_REJ_FORGED;
        goto out;
    }
    /* The sequence first: a duplicate is dropped whatever it holds. */
    seqpos *sp = seq_of(rx, oi, it->audience);
    if (!sp)
        goto out;
    int place = seq_place(sp, it->env.session, it->env.seq);
    if (place == SEQ_DUP) {
        v = DW_FED_REJ_DUPLICATE;
        goto out;
    }
    dw_track t;
    if (it->env.kind == DW_FED_TRK) {
        dw_record rec;
        if (dw_ndjson_parse(it->body, it->body_len, &rec, NULL, 0) != DW_OK ||
            rec.type != DW_REC_TRACK)
            goto out;
        t = rec.u.track;
        v = check_track(rx, it, &t, now_us);
    } else {
        /* Alerts, notices and statuses are used as the lines they are: one JSON object. */
        json_t *b = json_loadb(it->body, it->body_len, 0, &jerr);
        int obj = json_is_object(b);
        json_decref(b);
        if (!obj)
            goto out;
        v = DW_FED_ACCEPTED;
    }
    /* The message counts in its sequence whether its content is believed or not. The
     * first session this receiver sees may be joined in the middle (a durable consumer
     * resumes where this node's last run left off): it starts where it is found. A later
     * session is a restart of the sender, which counts from 1. A message behind the
     * newest (a redelivery after the ack wait, a re-send) fills its gap. */
    uint64_t q = it->env.seq;
    if (place == SEQ_SESSION) {
        if (sp->session)
            os->sessions++;
        else if (!os->sessions)
            os->sessions = 1;
        sp->next = sp->first = sp->session ? 1 : q;
        sp->session = it->env.session;
        memset(sp->seen, 0, sizeof sp->seen);
        place = SEQ_NEXT;
    }
    if (place == SEQ_NEXT) {
        if (q > sp->next)
            os->gaps += q - sp->next;
        for (uint64_t k = sp->next; k < q && q - k <= SEQ_WINDOW; k++)
            seen_set(sp, k, 0);
        if (q - sp->next >= SEQ_WINDOW)
            memset(sp->seen, 0, sizeof sp->seen);
        sp->next = q + 1;
    } else if (q < sp->first) {
        /* Joined later than the session's true start here: what lies between is missing. */
        os->gaps += sp->first - q - 1;
        sp->first = q;
        os->late++;
    } else {
        if (os->gaps)
            os->gaps--;
        os->late++;
    }
    seen_set(sp, q, 1);
    if (it->env.session >= os->session)
        os->first_seq = sp->first;
    if (it->env.session >= os->session) {
        os->session = it->env.session;
        uint64_t sum = 0;
        for (size_t i = 0; i < rx->n_seq; i++)
            if (rx->seq[i].origin == oi && rx->seq[i].session == os->session)
                sum += rx->seq[i].next - 1;
        os->last_seq = sum;
    }
    if (v == DW_FED_ACCEPTED && it->env.kind == DW_FED_TRK) {
        lastpos *lp = last_slot(rx, track_key(it->env.origin, t.id), 1);
        if (lp && lp->t_us <= t.t_us) {
            lp->t_us = t.t_us;
            lp->lat_deg = t.lat_deg;
            lp->lon_deg = t.lon_deg;
        }
        track_obs(it, &t, &it->obs);
        memcpy(it->cov_vel_enu, t.cov_vel_enu, sizeof it->cov_vel_enu);
        it->has_obs = 1;
        if (t.t_us > os->last_us)
            os->last_us = t.t_us;
    }
out:
    json_decref(root);
    if (v == DW_FED_ACCEPTED) {
        os->accepted++;
        os->by_kind[it->env.kind]++;
    } else {
        os->rejected[v]++;
    }
    return v;
}

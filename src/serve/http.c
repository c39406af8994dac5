/* http.c — the daemon's HTTP API and WebSocket stream (docs/api.md).
 *
 * GET answers are built whole into one buffer and written in chunks as the socket takes
 * them. Operator actions (POST) need the bearer token; a citizen's report does not. The
 * stream: every change goes into one shared ring of frames (built once, whatever the
 * number of viewers); each viewer reads the ring at its own pace, one frame per writable
 * callback; a viewer that falls DWD_WS_RING frames behind gets {"type":"resync"} and
 * starts again from the newest (it refetches /api/tracks), so a slow browser never holds
 * memory or the pipeline back.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dronewall/jsonw.h"
#include "dronewall/record.h"
#include "serve/daemon_int.h"

#define BODY_MAX (64 * 1024)    /* largest POST body accepted */
#define CHUNK (32 * 1024)
#define KEEP_CLEARED_US (30 * 60 * 1000000LL)

typedef struct pss {
    struct lws *wsi;
    int is_ws;
    int hello;                  /* the greeting is still to be sent */
    uint64_t next;              /* the next ring frame this viewer reads */
    struct pss *next_ws;
    /* a response */
    uint8_t *out;               /* LWS_PRE + body */
    size_t out_len, out_off;
    /* a POST's body */
    char *req;
    size_t req_len;
    int too_big;
    char uri[256];
    int post;
} pss;

static pss *g_viewers;          /* the WebSocket connections */

size_t dwd_http_pss_size(void) { return sizeof(pss); }

/* ------------------------------------------------------------------ a growing text */

typedef struct sbuf {
    char *b;
    size_t n, cap;
    int bad;
} sbuf;

static void sb_put(sbuf *s, const char *p, size_t n)
{
    if (s->bad)
        return;
    if (s->n + n + 1 > s->cap) {
        size_t nc = s->cap ? s->cap : 4096;
        while (nc < s->n + n + 1)
            nc *= 2;
        char *b = realloc(s->b, nc);
        if (!b) {
            s->bad = 1;
            return;
        }
        s->b = b;
        s->cap = nc;
    }
    memcpy(s->b + s->n, p, n);
    s->n += n;
    s->b[s->n] = 0;
}

static void sb_str(sbuf *s, const char *p) { sb_put(s, p, strlen(p)); }

static void sb_fmt(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(sbuf *s, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        sb_put(s, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* ------------------------------------------------------------------ responses */

static int respond(struct lws *wsi, pss *p, unsigned status, const char *ctype, const char *body,
                   size_t len)
{
    p->out = malloc(LWS_PRE + len + 1);
    if (!p->out)
        return -1;
    memcpy(p->out + LWS_PRE, body, len);
    p->out_len = len;
    p->out_off = 0;
    unsigned char hdr[LWS_PRE + 1024];
    unsigned char *start = hdr + LWS_PRE, *q = start, *end = hdr + sizeof hdr - 1;
    if (lws_add_http_common_headers(wsi, status, ctype, len, &q, end) ||
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                     (const unsigned char *)"no-store", 8, &q, end) ||
        lws_finalize_write_http_header(wsi, start, &q, end))
        return -1;
    lws_callback_on_writable(wsi);
    return 0;
}

static int respond_json(struct lws *wsi, pss *p, unsigned status, sbuf *s)
{
    if (s->bad) {
        free(s->b);
        static const char oom[] = "{\"v\":1,\"error\":\"out of memory\"}";
        return respond(wsi, p, 500, "application/json", oom, sizeof oom - 1);
    }
    int rc = respond(wsi, p, status, "application/json", s->b ? s->b : "", s->n);
    free(s->b);
    return rc;
}

static int respond_error(struct lws *wsi, pss *p, dwd *d, unsigned status, const char *msg)
{
    d->http_errors++;
    sbuf s = {0};
    char esc[512];
    dw_jw w;
    dw_jw_init(&w, esc, sizeof esc);
    dw_jw_str(&w, msg);
    sb_fmt(&s, "{\"v\":1,\"error\":%s}", dw_jw_ok(&w) ? esc : "\"error\"");
    return respond_json(wsi, p, status, &s);
}

/* ------------------------------------------------------------------ GET handlers */

static void add_line(void *ctx, uint64_t id, const char *line, size_t len)
{
    (void)id;
    sbuf *s = ctx;
    if (s->n && s->b[s->n - 1] != '[')
        sb_put(s, ",", 1);
    sb_put(s, line, len);
}

static int add_row(void *ctx, int64_t seq, int kind, int64_t t_us, uint64_t track,
                   const void *body, size_t len)
{
    (void)seq;
    (void)kind;
    (void)t_us;
    add_line(ctx, track, body, len);
    return 0;
}

/* ?t_us=T: the picture as the recording has it then (the time slider). */
static int query_t(struct lws *wsi, int64_t *t)
{
    char buf[48];
    /* buf gets "t_us=VALUE"; the value is where the returned pointer points. */
    const char *v = lws_get_urlarg_by_name(wsi, "t_us=", buf, sizeof buf);
    if (v == NULL)
        return 0;
    char *e = NULL;
    errno = 0;
    long long x = strtoll(v, &e, 10);
    if (errno || !e || *e || e == v)
        return -1;
    *t = x;
    return 1;
}

static int get_tracks(struct lws *wsi, pss *p, dwd *d)
{
    int64_t t = 0;
    int q = query_t(wsi, &t);
    if (q < 0)
        return respond_error(wsi, p, d, 400, "t_us wants microseconds since 1970 (an integer)");
    sbuf s = {0};
    if (q > 0) {
        if (!d->rec_read)
            return respond_error(wsi, p, d, 404, "no recording to look back into (record.path is off)");
        sb_fmt(&s, "{\"v\":1,\"t_us\":%lld,\"tracks\":[", (long long)t);
        dw_recording_tracks_at(d->rec_read, d->session, t, add_row, &s);
    } else {
        sb_fmt(&s, "{\"v\":1,\"t_us\":%lld,\"tracks\":[", (long long)dwd_now(d));
        dw_engine_each_track(d->eng, add_line, &s);
    }
    sb_str(&s, "]}");
    return respond_json(wsi, p, 200, &s);
}

typedef struct hist_ctx {
    sbuf *s;
    int n;
    char last[8192];
    size_t last_len;
} hist_ctx;

static int add_hist(void *ctx, int64_t seq, int kind, int64_t t_us, uint64_t track,
                    const void *body, size_t len)
{
    (void)seq;
    (void)kind;
    (void)track;
    hist_ctx *h = ctx;
    json_t *j = json_loadb(body, len, 0, NULL);
    if (!j)
        return 0;
    double lat = json_number_value(json_object_get(j, "lat_deg"));
    double lon = json_number_value(json_object_get(j, "lon_deg"));
    double alt = json_number_value(json_object_get(j, "alt_m"));
    json_decref(j);
    sb_fmt(h->s, "%s[%lld,%.7f,%.7f,%.1f]", h->n++ ? "," : "", (long long)t_us, lat, lon, alt);
    if (len < sizeof h->last) {
        memcpy(h->last, body, len);
        h->last_len = len;
    }
    return 0;
}

static int get_track(struct lws *wsi, pss *p, dwd *d, uint64_t id)
{
    int64_t t = 0;
    int q = query_t(wsi, &t);
    if (q < 0)
        return respond_error(wsi, p, d, 400, "t_us wants microseconds since 1970 (an integer)");
    char msg[64];
    snprintf(msg, sizeof msg, "no track %llu", (unsigned long long)id);
    if (q == 0) {
        size_t cap = 65536;
        for (int tries = 0; tries < 3; tries++) {
            char *buf = malloc(cap);
            if (!buf)
                return respond_error(wsi, p, d, 500, "out of memory");
            size_t n = dw_engine_track_json(d->eng, id, buf, cap);
            if (n && n < cap) {
                int rc = respond(wsi, p, 200, "application/json", buf, n);
                free(buf);
                return rc;
            }
            free(buf);
            if (!n)
                break;
            cap = n + 1024;
        }
        if (!d->rec_read)
            return respond_error(wsi, p, d, 404, msg);
        t = dwd_now(d);
    }
    if (!d->rec_read)
        return respond_error(wsi, p, d, 404, msg);
    /* From the recording: the ten minutes up to t. */
    sbuf s = {0};
    hist_ctx *h = calloc(1, sizeof *h);
    if (!h)
        return respond_error(wsi, p, d, 500, "out of memory");
    sbuf hs = {0};
    h->s = &hs;
    sb_put(&hs, "", 0);
    dw_recording_track_history(d->rec_read, d->session, id, t - 600 * 1000000LL, t, 600, add_hist, h);
    if (!h->last_len) {
        free(h);
        free(hs.b);
        return respond_error(wsi, p, d, 404, msg);
    }
    sb_str(&s, "{\"v\":1,\"track\":");
    sb_put(&s, h->last, h->last_len);
    sb_str(&s, ",\"history\":[");
    if (hs.b)
        sb_put(&s, hs.b, hs.n);
    sb_str(&s, "],\"predicted\":[]}");
    free(hs.b);
    free(h);
    return respond_json(wsi, p, 200, &s);
}

static int get_alerts(struct lws *wsi, pss *p, dwd *d)
{
    int64_t t = 0;
    int q = query_t(wsi, &t);
    if (q < 0)
        return respond_error(wsi, p, d, 400, "t_us wants microseconds since 1970 (an integer)");
    sbuf s = {0};
    sb_str(&s, "{\"v\":1,\"alerts\":[");
    if (q > 0) {
        if (!d->rec_read) {
            free(s.b);
            return respond_error(wsi, p, d, 404, "no recording to look back into (record.path is off)");
        }
        dw_recording_alerts_at(d->rec_read, d->session, t, KEEP_CLEARED_US, add_row, &s);
    } else {
        dw_engine_each_alert(d->eng, KEEP_CLEARED_US, add_line, &s);
    }
    sb_str(&s, "]}");
    return respond_json(wsi, p, 200, &s);
}

static int get_sensors(struct lws *wsi, pss *p, dwd *d)
{
    size_t cap = 4096 + d->n_sensors * 512 + d->n_io * 1024 + (d->fed ? 256 * 1024 : 0);
    char *buf = malloc(cap);
    if (!buf)
        return respond_error(wsi, p, d, 500, "out of memory");
    dw_jw w;
    dw_jw_init(&w, buf, cap);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "v", 1);
    dw_jw_key(&w, "sensors");
    dw_jw_arr(&w);
    int64_t now = dwd_now(d);
    for (size_t i = 0; i < d->n_sensors; i++) {
        const dw_sensor *s = &d->sensors[i];
        dw_jw_obj(&w);
        dw_jw_kstr(&w, "id", s->id);
        dw_jw_kstr(&w, "kind", dw_sensor_kind_name(s->kind));
        dw_jw_kdouble(&w, "lat_deg", s->lat_deg);
        dw_jw_kdouble(&w, "lon_deg", s->lon_deg);
        dw_jw_kdouble(&w, "alt_m", s->alt_m);
        dw_jw_key(&w, "range_m");
        if (s->max_range_m > 0)
            dw_jw_double(&w, s->max_range_m);
        else
            dw_jw_null(&w);
        int64_t last = d->sensor_last_us[i];
        int64_t stale = s->period_us > 0 ? 3 * s->period_us : 0;
        if (stale < 60 * 1000000LL)
            stale = 60 * 1000000LL;
        dw_jw_kstr(&w, "status", !last ? "unknown" : now - last > stale ? "down" : "up");
        dw_jw_key(&w, "last_us");
        if (last)
            dw_jw_int(&w, last);
        else
            dw_jw_null(&w);
        dw_jw_kint(&w, "obs", (int64_t)d->sensor_obs[i]);
        dw_jw_obj_end(&w);
    }
    dw_jw_arr_end(&w);
    dw_jw_key(&w, "inputs");
    dwd_io_json(d, &w, 1);
    dw_jw_key(&w, "outputs");
    dwd_io_json(d, &w, 0);
    dw_jw_kint(&w, "obs_unlisted", (int64_t)d->sensor_obs[d->n_sensors]);
    dw_jw_obj_end(&w);
    int rc = dw_jw_ok(&w) ? respond(wsi, p, 200, "application/json", buf, dw_jw_len(&w))
                          : respond_error(wsi, p, d, 500, "sensor list too large");
    free(buf);
    return rc;
}

void dwd_ws_stats(const dwd *d, double *p50, double *p99, double *max)
{
    *p50 = *p99 = 0;
    *max = (double)d->lat_max_us / 1000.0;
    if (!d->lat_n)
        return;
    uint64_t acc = 0, k50 = (d->lat_n + 1) / 2, k99 = (uint64_t)ceil(0.99 * (double)d->lat_n);
    int got50 = 0;
    for (int i = 0; i < DWD_LAT_BINS; i++) {
        acc += d->lat_hist[i];
        if (!got50 && acc >= k50) {
            *p50 = (i + 1) * 0.1;
            got50 = 1;
        }
        if (acc >= k99) {
            *p99 = (i + 1) * 0.1;
            return;
        }
    }
    *p99 = *max;
}

static int get_stats(struct lws *wsi, pss *p, dwd *d)
{
    size_t cap = 16384 + d->n_io * 1024;
    char *buf = malloc(cap);
    if (!buf)
        return respond_error(wsi, p, d, 500, "out of memory");
    dw_engine_stats es;
    dw_engine_get_stats(d->eng, &es);
    dw_jw w;
    dw_jw_init(&w, buf, cap);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "v", 1);
    dw_jw_kdouble(&w, "uptime_s", (double)(dwd_wall_us() - d->started_wall_us) * 1e-6);
    dw_jw_kint(&w, "t_us", dwd_now(d));
    dw_jw_key(&w, "inputs");
    dwd_io_json(d, &w, 1);
    dw_jw_key(&w, "outputs");
    dwd_io_json(d, &w, 0);
    dwd_fed_stats_json(d, &w);
    dw_jw_key(&w, "engine");
    dw_jw_obj(&w);
    dw_jw_kint(&w, "obs", (int64_t)es.obs);
    dw_jw_kint(&w, "obs_rejected", (int64_t)es.obs_rejected);
    dw_jw_kint(&w, "flushes", (int64_t)es.flushes);
    dw_jw_kint(&w, "ticks", (int64_t)es.ticks);
    dw_jw_kint(&w, "track_reports", (int64_t)es.track_out);
    dw_jw_kint(&w, "live_updates", (int64_t)es.live_out);
    dw_jw_kint(&w, "dead", (int64_t)es.dead_out);
    dw_jw_kint(&w, "alert_changes", (int64_t)es.alert_out);
    dw_jw_kint(&w, "identity_changes", (int64_t)es.identity_out);
    dw_jw_kint(&w, "sensor_changes", (int64_t)es.sensor_out);
    dw_jw_kint(&w, "acks", (int64_t)es.acks);
    dw_jw_kint(&w, "identities_set", (int64_t)es.identities_set);
    dw_jw_kint(&w, "tracks_now", (int64_t)es.tracks_now);
    dw_jw_kint(&w, "alerts_known", (int64_t)es.alerts_now);
    dw_jw_kint(&w, "partner_alerts", (int64_t)es.partner_alerts);
    dw_jw_kint(&w, "partner_rejected", (int64_t)es.partner_rejected);
    dw_jw_kint(&w, "plans", (int64_t)es.plans);
    dw_jw_kint(&w, "decisions", (int64_t)es.decisions);
    dw_jw_obj_end(&w);
    if (d->scenario) {
        /* Approved engagements applied to the scenario's simulated world. */
        pthread_mutex_lock(&d->mu);
        dw_jw_key(&w, "engagements");
        dw_jw_obj(&w);
        dw_jw_kint(&w, "approved", (int64_t)d->shots_approved);
        dw_jw_kint(&w, "pending", (int64_t)d->n_shots);
        dw_jw_kint(&w, "brought_down", (int64_t)d->shots_hit);
        dw_jw_kint(&w, "missed", (int64_t)d->shots_missed);
        dw_jw_kint(&w, "no_target", (int64_t)d->shots_no_target);
        dw_jw_obj_end(&w);
        pthread_mutex_unlock(&d->mu);
    }
    const dw_pipeline_stats *ps = &es.pipeline;
    dw_jw_key(&w, "pipeline");
    dw_jw_obj(&w);
    dw_jw_kint(&w, "obs", (int64_t)ps->obs);
    dw_jw_kint(&w, "used", (int64_t)ps->used);
    dw_jw_kint(&w, "unsupported", (int64_t)ps->unsupported);
    dw_jw_kint(&w, "unknown_sensor", (int64_t)ps->unknown_sensor);
    dw_jw_kint(&w, "late", (int64_t)ps->late);
    dw_jw_kint(&w, "reports", (int64_t)ps->reports);
    dw_jw_kint(&w, "dead", (int64_t)ps->dead);
    dw_jw_obj_end(&w);
    dw_jw_key(&w, "record");
    dw_jw_obj(&w);
    if (d->rec) {
        dw_recorder_stats rs;
        dw_recorder_get_stats(d->rec, &rs);
        dw_jw_kstr(&w, "path", d->cfg.record_path);
        dw_jw_kint(&w, "session", d->session);
        dw_jw_kint(&w, "queued", (int64_t)rs.queued);
        dw_jw_kint(&w, "written", (int64_t)rs.written);
        dw_jw_kint(&w, "dropped", (int64_t)rs.dropped);
        dw_jw_kint(&w, "batches", (int64_t)rs.batches);
        dw_jw_kdouble(&w, "commit_ms_p50", rs.commit_ms_p50);
        dw_jw_kdouble(&w, "commit_ms_p99", rs.commit_ms_p99);
        dw_jw_kint(&w, "queue_bytes", (int64_t)rs.queue_bytes);
        dw_jw_kbool(&w, "failed", rs.failed);
        if (rs.failed)
            dw_jw_kstr(&w, "error", rs.error);
    } else {
        dw_jw_kstr(&w, "path", d->replay ? "(replay)" : "off");
    }
    dw_jw_obj_end(&w);
    double p50, p99, mx;
    dwd_ws_stats(d, &p50, &p99, &mx);
    dw_jw_key(&w, "stream");
    dw_jw_obj(&w);
    dw_jw_kint(&w, "viewers", (int64_t)d->viewers);
    dw_jw_kint(&w, "frames", (int64_t)d->ws_frames);
    dw_jw_kint(&w, "bytes", (int64_t)d->ws_bytes);
    dw_jw_kint(&w, "writes", (int64_t)d->ws_writes);
    dw_jw_kint(&w, "resyncs", (int64_t)d->ws_resyncs);
    dw_jw_kint(&w, "connects", (int64_t)d->ws_connects);
    dw_jw_key(&w, "latency_ms");
    dw_jw_obj(&w);
    dw_jw_kdouble(&w, "p50", p50);
    dw_jw_kdouble(&w, "p99", p99);
    dw_jw_kdouble(&w, "max", mx);
    dw_jw_kint(&w, "n", (int64_t)d->lat_n);
    dw_jw_obj_end(&w);
    dw_jw_obj_end(&w);
    dw_jw_key(&w, "http");
    dw_jw_obj(&w);
    dw_jw_kint(&w, "requests", (int64_t)d->http_requests);
    dw_jw_kint(&w, "errors", (int64_t)d->http_errors);
    dw_jw_kint(&w, "unauthorized", (int64_t)d->http_unauthorized);
    dw_jw_kint(&w, "too_big", (int64_t)d->http_too_big);
    dw_jw_kint(&w, "reports", (int64_t)d->reports);
    dw_jw_obj_end(&w);
    if (d->scenario)
        dw_jw_kint(&w, "scenario_obs", (int64_t)d->sim_obs);
    dw_jw_obj_end(&w);
    int rc = dw_jw_ok(&w) ? respond(wsi, p, 200, "application/json", buf, dw_jw_len(&w))
                          : respond_error(wsi, p, d, 500, "stats too large");
    free(buf);
    return rc;
}

static int get_info(struct lws *wsi, pss *p, dwd *d)
{
    char buf[8192];
    dw_jw w;
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "v", 1);
    dw_jw_kstr(&w, "node", d->cfg.node_id);
    dw_jw_kstr(&w, "mode", d->replay ? "replay" : "live");
    dw_jw_kstr(&w, "home", dw_engine_home(d->eng));
    dw_jw_kint(&w, "t_us", dwd_now(d));
    int64_t first = 0, last = 0;
    dw_jw_key(&w, "first_us");
    if (d->rec_read && dw_recording_span(d->rec_read, d->session, &first, &last) == DW_OK &&
        first > 0)
        dw_jw_int(&w, first);
    else
        dw_jw_null(&w);
    dw_jw_key(&w, "last_us");
    if (last > 0)
        dw_jw_int(&w, last);
    else
        dw_jw_null(&w);
    dw_jw_kdouble(&w, "speed", d->replay ? d->replay_speed : d->scenario ? d->speed : 1.0);
    dw_jw_kbool(&w, "recording", d->rec_read != NULL);
    dw_jw_key(&w, "geo");
    dw_jw_arr(&w);
    for (size_t i = 0; i < d->n_geo; i++) {
        char url[32];
        snprintf(url, sizeof url, "/api/geo/%zu", i);
        const char *base = strrchr(d->geo_paths[i], '/');
        dw_jw_obj(&w);
        dw_jw_kstr(&w, "url", url);
        dw_jw_kstr(&w, "name", base ? base + 1 : d->geo_paths[i]);
        dw_jw_obj_end(&w);
    }
    dw_jw_arr_end(&w);
    dw_jw_kstr(&w, "sensors_url", "/api/sensors");
    if (dw_engine_has_planning(d->eng))
        dw_jw_kstr(&w, "plan_url", "/api/plan");
    dw_jw_kstr(&w, "version", DW_VERSION);
    dw_jw_obj_end(&w);
    if (!dw_jw_ok(&w))
        return respond_error(wsi, p, d, 500, "info too large");
    return respond(wsi, p, 200, "application/json", buf, dw_jw_len(&w));
}

/* ------------------------------------------------------------------ POST handlers */

static int authorised(struct lws *wsi, const dwd *d)
{
    char h[256];
    int n = lws_hdr_copy(wsi, h, sizeof h, WSI_TOKEN_HTTP_AUTHORIZATION);
    if (n <= 7 || strncmp(h, "Bearer ", 7))
        return 0;
    const char *t = h + 7;
    size_t a = strlen(t), b = strlen(d->token);
    unsigned diff = (unsigned)(a ^ b);
    for (size_t i = 0; i < b; i++)
        diff |= (unsigned)(i < a ? t[i] : 0) ^ (unsigned)d->token[i];
    return diff == 0 && b > 0;
}

static int post_ok(struct lws *wsi, pss *p, unsigned status, const char *extra)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "{\"v\":1,\"ok\":true%s}", extra ? extra : "");
    return respond(wsi, p, status, "application/json", buf, (size_t)n);
}

static int post_report(struct lws *wsi, pss *p, dwd *d)
{
    json_error_t je;
    json_t *j = json_loadb(p->req ? p->req : "", p->req_len, 0, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return respond_error(wsi, p, d, 400, "a report is a JSON object with lat_deg and lon_deg");
    }
    json_t *la = json_object_get(j, "lat_deg"), *lo = json_object_get(j, "lon_deg");
    json_t *al = json_object_get(j, "alt_m"), *tt = json_object_get(j, "t_us");
    json_t *sg = json_object_get(j, "sigma_m");
    double lat = json_number_value(la), lon = json_number_value(lo);
    if (!json_is_number(la) || !json_is_number(lo) || !(lat >= -90 && lat <= 90) ||
        !(lon >= -180 && lon <= 180)) {
        json_decref(j);
        return respond_error(wsi, p, d, 400, "lat_deg and lon_deg are required, in degrees");
    }
    int64_t now = dwd_now(d);
    int64_t t = json_is_integer(tt) ? (int64_t)json_integer_value(tt) : now;
    if (t > now + 60 * 1000000LL || t < now - 3600 * 1000000LL) {
        json_decref(j);
        return respond_error(wsi, p, d, 400, "t_us is more than an hour old or in the future");
    }
    dw_obs o;
    dw_obs_init(&o, json_is_number(al) ? DW_OBS_POS3 : DW_OBS_POS2);
    o.t_us = t;
    snprintf(o.sensor, sizeof o.sensor, "citizen-reports");
    o.lat_deg = lat;
    o.lon_deg = lon;
    double sigma = json_is_number(sg) ? json_number_value(sg) : 500.0;
    if (!(sigma >= 10 && sigma <= 20000))
        sigma = 500.0;
    if (json_is_number(al))
        o.alt_m = json_number_value(al);
    o.sigma_pos_m = sigma;
    json_decref(j);
    d->reports++;
    dwd_engine_obs(d, &o, NULL);
    dw_engine_flush(d->eng);
    return post_ok(wsi, p, 202, NULL);
}

static int post_action(struct lws *wsi, pss *p, dwd *d, const char *path)
{
    if (!strcmp(path, "reports"))
        return post_report(wsi, p, d);
    if (!authorised(wsi, d)) {
        d->http_unauthorized++;
        d->http_errors++;
        static const char m[] = "{\"v\":1,\"error\":\"operator token required\"}";
        return respond(wsi, p, 401, "application/json", m, sizeof m - 1);
    }
    if (d->replay)
        return respond_error(wsi, p, d, 409, "a replay is read-only");
    unsigned long long id = 0;
    int n = 0;
    if (sscanf(path, "alerts/%llu/ack%n", &id, &n) == 1 && path[n] == 0) {
        dw_status st = dw_engine_ack(d->eng, id, dwd_now(d), "operator");
        if (st == DW_ERR_NOT_FOUND) {
            char m[64];
            snprintf(m, sizeof m, "no alert %llu", id);
            return respond_error(wsi, p, d, 404, m);
        }
        return post_ok(wsi, p, 200, NULL);
    }
    if (sscanf(path, "tracks/%llu/identity%n", &id, &n) == 1 && path[n] == 0) {
        json_t *j = json_loadb(p->req ? p->req : "", p->req_len, 0, NULL);
        const char *a = j ? json_string_value(json_object_get(j, "affiliation")) : NULL;
        dw_affiliation aff;
        if (!a || dw_affiliation_parse(a, &aff) != 0) {
            json_decref(j);
            return respond_error(wsi, p, d, 400, "body {\"affiliation\": one of pending, unknown, "
                                                 "assumed_friend, friend, neutral, suspect, hostile}");
        }
        json_decref(j);
        dw_status st = dw_engine_set_identity(d->eng, id, aff, dwd_now(d), "operator");
        if (st == DW_ERR_NOT_FOUND) {
            char m[64];
            snprintf(m, sizeof m, "no track %llu", id);
            return respond_error(wsi, p, d, 404, m);
        }
        return post_ok(wsi, p, 200, NULL);
    }
    if (!strcmp(path, "decisions")) {
        json_t *j = json_loadb(p->req ? p->req : "", p->req_len, 0, NULL);
        json_t *rj = j ? json_object_get(j, "recommendation") : NULL;
        const char *dec = j ? json_string_value(json_object_get(j, "decision")) : NULL;
        if (!json_is_integer(rj) || json_integer_value(rj) < 0 || !dec ||
            (strcmp(dec, "approve") && strcmp(dec, "reject"))) {
            json_decref(j);
            return respond_error(wsi, p, d, 400, "body {\"recommendation\": ID, \"decision\": "
                                                 "\"approve\" or \"reject\"}");
        }
        uint64_t rid = (uint64_t)json_integer_value(rj);
        int approve = !strcmp(dec, "approve");
        json_decref(j);
        dw_status st = dw_engine_decide(d->eng, rid, approve, dwd_now(d), "operator");
        if (st == DW_ERR_UNSUPPORTED)
            return respond_error(wsi, p, d, 404, "no response planning: no effectors configured "
                                                 "(response.effectors)");
        if (st == DW_ERR_NOT_FOUND) {
            char m[96];
            snprintf(m, sizeof m, "no recommendation %llu awaiting a decision in the current plan",
                     (unsigned long long)rid);
            return respond_error(wsi, p, d, 404, m);
        }
        if (st != DW_OK)
            return respond_error(wsi, p, d, 500, dw_status_str(st));
        if (approve)
            dwd_scenario_engage(d, rid);
        return post_ok(wsi, p, 200, NULL);
    }
    return respond_error(wsi, p, d, 404, "no such operator action");
}

/* ------------------------------------------------------------------ dispatch */

static int route_get(struct lws *wsi, pss *p, dwd *d, const char *path)
{
    unsigned long long id;
    int n = 0;
    if (!strcmp(path, "info"))
        return get_info(wsi, p, d);
    if (!strcmp(path, "tracks"))
        return get_tracks(wsi, p, d);
    if (sscanf(path, "tracks/%llu%n", &id, &n) == 1 && path[n] == 0)
        return get_track(wsi, p, d, id);
    if (!strcmp(path, "alerts"))
        return get_alerts(wsi, p, d);
    if (!strcmp(path, "sensors"))
        return get_sensors(wsi, p, d);
    if (!strcmp(path, "stats"))
        return get_stats(wsi, p, d);
    if (!strcmp(path, "plan")) {
        size_t len_ = 0;
        const char *line = dw_engine_plan_line(d->eng, &len_);
        if (!line && dw_engine_has_planning(d->eng)) {
            char empty[320];
            int k = snprintf(empty, sizeof empty,
                             "{\"v\":1,\"type\":\"plan\",\"t_us\":%lld,\"strategy\":\"wta\","
                             "\"summary\":{\"threats\":0,\"engaged\":0,\"cost_eur\":0,"
                             "\"expected_leakage\":0,\"people_at_risk\":0,\"over_populated\":0,"
                             "\"gap\":0,\"under_way\":0},\"recommendations\":[]}",
                             (long long)dwd_now(d));
            return respond(wsi, p, 200, "application/json", empty, (size_t)k);
        }
        if (!line)
            return respond_error(wsi, p, d, 404, "no response planning: no effectors configured "
                                                 "(response.effectors)");
        return respond(wsi, p, 200, "application/json", line, len_);
    }
    if (sscanf(path, "geo/%llu%n", &id, &n) == 1 && path[n] == 0) {
        if (id >= d->n_geo)
            return respond_error(wsi, p, d, 404, "no such geography file");
        int r = lws_serve_http_file(wsi, d->geo_paths[id], "application/geo+json", NULL, 0);
        return r < 0 ? -1 : 0;
    }
    return respond_error(wsi, p, d, 404, "no such resource (see docs/api.md)");
}

/* The request's path after "/api/", without its query. */
static const char *api_path(pss *p)
{
    char *q = strchr(p->uri, '?');
    if (q)
        *q = 0;
    const char *s = p->uri;
    if (!strncmp(s, "/api", 4))
        s += 4;
    while (*s == '/')
        s++;
    size_t n = strlen(s);
    while (n && p->uri[0] && ((char *)s)[n - 1] == '/')
        ((char *)s)[--n] = 0;
    return s;
}

int dwd_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                      size_t len)
{
    pss *p = user;
    struct lws_context *ctx = wsi ? lws_get_context(wsi) : NULL;
    dwd *d = ctx ? lws_context_user(ctx) : NULL;
    switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        return dwd_raw_callback(wsi, reason, user, in, len);
    case LWS_CALLBACK_HTTP: {
        d->http_requests++;
        free(p->out);           /* a kept-alive connection's last request, if anything is left */
        free(p->req);
        memset(p, 0, sizeof *p);
        p->wsi = wsi;
        int post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
        int get = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0;
        if (lws_hdr_copy(wsi, p->uri, sizeof p->uri, post ? WSI_TOKEN_POST_URI : WSI_TOKEN_GET_URI) < 0)
            return respond_error(wsi, p, d, 414, "request line too long");
        if (post) {
            p->post = 1;
            return 0;           /* the body comes next */
        }
        if (!get)
            return respond_error(wsi, p, d, 405, "GET or POST");
        return route_get(wsi, p, d, api_path(p));
    }
    case LWS_CALLBACK_HTTP_BODY:
        if (!p || !p->post || !len)
            return 0;           /* an empty body comes as (NULL, 0) */
        if (p->too_big || p->req_len + len > BODY_MAX) {
            p->too_big = 1;
            return 0;
        }
        {
            char *r = realloc(p->req, p->req_len + len + 1);
            if (!r) {
                p->too_big = 1;
                return 0;
            }
            p->req = r;
            memcpy(p->req + p->req_len, in, len);
            p->req_len += len;
            p->req[p->req_len] = 0;
        }
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (!p || !p->post)
            return 0;
        {
            int rc;
            if (p->too_big) {
                d->http_too_big++;
                rc = respond_error(wsi, p, d, 413, "request body larger than 64 KiB");
            } else {
                rc = post_action(wsi, p, d, api_path(p));
            }
            free(p->req);       /* read; the connection may carry another request */
            p->req = NULL;
            p->req_len = 0;
            return rc;
        }
    case LWS_CALLBACK_HTTP_WRITEABLE: {
        if (!p || !p->out)
            break;
        size_t n = p->out_len - p->out_off;
        if (n > CHUNK)
            n = CHUNK;
        int final = p->out_off + n >= p->out_len;
        if (lws_write(wsi, p->out + LWS_PRE + p->out_off, n,
                      final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
            return -1;
        p->out_off += n;
        if (!final) {
            lws_callback_on_writable(wsi);
            return 0;
        }
        free(p->out);
        p->out = NULL;
        if (lws_http_transaction_completed(wsi))
            return -1;
        return 0;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
        if (p) {
            free(p->out);
            free(p->req);
            p->out = NULL;
            p->req = NULL;
        }
        break;
    /* ---- the stream */
    case LWS_CALLBACK_ESTABLISHED:
        memset(p, 0, sizeof *p);
        p->wsi = wsi;
        p->is_ws = 1;
        p->hello = 1;
        p->next = d->ring_head;
        p->next_ws = g_viewers;
        g_viewers = p;
        d->viewers++;
        d->ws_connects++;
        lws_callback_on_writable(wsi);
        return 0;
    case LWS_CALLBACK_CLOSED:
        if (p && p->is_ws) {
            for (pss **q = &g_viewers; *q; q = &(*q)->next_ws)
                if (*q == p) {
                    *q = p->next_ws;
                    break;
                }
            d->viewers--;
            p->is_ws = 0;
        }
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return 0;               /* viewers have nothing to say; ignored */
    case LWS_CALLBACK_SERVER_WRITEABLE: {
        if (!p || !p->is_ws)
            return 0;
        unsigned char buf[LWS_PRE + 256];
        if (p->hello) {
            int n = snprintf((char *)buf + LWS_PRE, 256,
                             "{\"type\":\"hello\",\"v\":1,\"t_us\":%lld,\"mode\":\"%s\"}",
                             (long long)dwd_now(d), d->replay ? "replay" : "live");
            p->hello = 0;
            if (lws_write(wsi, buf + LWS_PRE, (size_t)n, LWS_WRITE_TEXT) < n)
                return -1;
        } else if (d->ring_head > p->next && d->ring_head - p->next > DWD_WS_RING - 8) {
            int n = snprintf((char *)buf + LWS_PRE, 256, "{\"type\":\"resync\"}");
            p->next = d->ring_head;
            d->ws_resyncs++;
            if (lws_write(wsi, buf + LWS_PRE, (size_t)n, LWS_WRITE_TEXT) < n)
                return -1;
        } else if (p->next < d->ring_head) {
            dwd_frame *f = &d->ring[p->next % DWD_WS_RING];
            p->next++;
            if (lws_write(wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT) < (int)f->len)
                return -1;
            d->ws_writes++;
            d->ws_bytes += f->len;
            if (!f->sent && f->oldest_change_wall_us) {
                int64_t lat = dwd_wall_us() - f->oldest_change_wall_us;
                if (lat < 0)
                    lat = 0;
                int bin = (int)(lat / 100);
                d->lat_hist[bin < DWD_LAT_BINS ? bin : DWD_LAT_BINS - 1]++;
                d->lat_n++;
                if (lat > d->lat_max_us)
                    d->lat_max_us = lat;
            }
            f->sent = 1;
        }
        if (p->next < d->ring_head)
            lws_callback_on_writable(wsi);
        return 0;
    }
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* ------------------------------------------------------------------ frames */

void dwd_ws_push(dwd *d, const char *text, size_t len, int64_t oldest_change_wall_us)
{
    if (!d->viewers)
        return;
    dwd_frame *f = &d->ring[d->ring_head % DWD_WS_RING];
    uint8_t *b = realloc(f->buf, LWS_PRE + len);
    if (!b)
        return;
    f->buf = b;
    memcpy(b + LWS_PRE, text, len);
    f->len = len;
    f->seq = d->ring_head++;
    f->made_wall_us = dwd_wall_us();
    f->oldest_change_wall_us = oldest_change_wall_us;
    f->sent = 0;
    d->ws_frames++;
    for (pss *p = g_viewers; p; p = p->next_ws)
        lws_callback_on_writable(p->wsi);
}

static sbuf g_frame;

static void frame_track(void *ctx, uint64_t id, const char *line, size_t len)
{
    (void)ctx;
    (void)id;
    if (g_frame.b[g_frame.n - 1] != '[')
        sb_put(&g_frame, ",", 1);
    sb_put(&g_frame, line, len);
}

static int g_dead_n;

static void frame_dead(void *ctx, uint64_t id)
{
    (void)ctx;
    if (!g_dead_n++)
        sb_str(&g_frame, "],\"dead\":[");
    else
        sb_put(&g_frame, ",", 1);
    sb_fmt(&g_frame, "%llu", (unsigned long long)id);
}

void dwd_ws_changes(dwd *d)
{
    int64_t oldest = d->last_change_wall_us;
    d->last_change_wall_us = 0;
    if (!d->viewers) {
        dw_engine_take_changes(d->eng, 0, 0, NULL, NULL, NULL);
        return;
    }
    g_frame.n = 0;
    g_frame.bad = 0;
    g_dead_n = 0;
    sb_fmt(&g_frame, "{\"type\":\"tracks\",\"t_us\":%lld,\"tracks\":[", (long long)dwd_now(d));
    size_t empty = g_frame.n;
    dw_engine_take_changes(d->eng, dwd_wall_us(), DWD_TRACK_INTERVAL_US, frame_track, frame_dead,
                           NULL);
    if (g_frame.n == empty || g_frame.bad)
        return;
    sb_str(&g_frame, g_dead_n ? "]}" : "],\"dead\":[]}");
    dwd_ws_push(d, g_frame.b, g_frame.n, oldest);
}

/* daemon.c — `dronewall run`: the loop, the clock, the engine's sinks, the scenario's
 * thread, replay serving, and starting and stopping it all (daemon.h, daemon_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dronewall/daemon.h"
#include "dronewall/fed.h"
#include "dronewall/grow.h"
#include "dronewall/jsonw.h"
#include "dronewall/log.h"
#include "dronewall/record.h"
#include "dronewall/sim.h"
#include "serve/daemon_int.h"
#include "serve/session.h"


/* The engine's event numbers are the recording's. */
_Static_assert((int)DW_ENG_IN_OBS == (int)DW_REC_IN_OBS && (int)DW_ENG_IN_FLUSH == (int)DW_REC_IN_FLUSH &&
                   (int)DW_ENG_IN_TICK == (int)DW_REC_IN_TICK && (int)DW_ENG_IN_ACK == (int)DW_REC_IN_ACK &&
                   (int)DW_ENG_IN_SET_IDENTITY == (int)DW_REC_IN_SET_IDENTITY,
               "engine inputs and recorded input kinds");
_Static_assert((int)DW_ENG_OUT_TRACK == (int)DW_REC_OUT_TRACK && (int)DW_ENG_OUT_DEAD == (int)DW_REC_OUT_DEAD &&
                   (int)DW_ENG_OUT_ALERT == (int)DW_REC_OUT_ALERT &&
                   (int)DW_ENG_OUT_IDENTITY == (int)DW_REC_OUT_IDENTITY &&
                   (int)DW_ENG_OUT_SENSOR == (int)DW_REC_OUT_SENSOR,
               "engine outputs and recorded output kinds");

static volatile sig_atomic_t g_signalled;
static struct lws_context *g_ctx;

static void on_signal(int sig)
{
    (void)sig;
    g_signalled = 1;
    if (g_ctx)
        lws_cancel_service(g_ctx);
}

int64_t dwd_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t dwd_now(const dwd *d)
{
    if (d->scenario || d->replay) {
        int64_t t = dw_engine_time(d->eng);
        return t == INT64_MIN ? d->t0_data_us : t;
    }
    return dwd_wall_us();
}

/* ------------------------------------------------------------------ engine sinks */

static void eng_input(void *ctx, int kind, int64_t t_us, const char *line, size_t len)
{
    dwd *d = ctx;
    if (d->rec)
        dw_recorder_input(d->rec, kind, t_us, line, len);
    if (kind == DW_ENG_IN_OBS && d->fed)
        dwd_fed_obs(d, line, len);
}

static void eng_output(void *ctx, int kind, int64_t t_us, uint64_t track, const char *line,
                       size_t len, const void *obj)
{
    dwd *d = ctx;
    if (!d->last_change_wall_us &&
        (kind == DW_ENG_OUT_LIVE || kind == DW_ENG_OUT_TRACK || kind == DW_ENG_OUT_DEAD))
        d->last_change_wall_us = dwd_wall_us();
    if (d->rec && kind != DW_ENG_OUT_LIVE)
        dw_recorder_output(d->rec, kind, t_us, track, line, len);
    switch (kind) {
    case DW_ENG_OUT_TRACK:
    case DW_ENG_OUT_DEAD:
        dwd_out_track(d, kind, obj, line, len);
        dwd_fed_track(d, kind, obj, line, len);
        break;
    case DW_ENG_OUT_ALERT: {
        /* An alert goes to viewers at once, in a frame of its own. */
        size_t need = len + 32;
        char *buf = need <= sizeof d->ws_text ? d->ws_text : NULL;
        if (buf) {
            int n = snprintf(buf, sizeof d->ws_text, "{\"type\":\"alert\",\"alert\":%.*s}", (int)len,
                             line);
            dwd_ws_push(d, buf, (size_t)n, 0);
        }
        dwd_out_alert(d, obj, line, len);
        dwd_fed_alert(d, obj, line, len);
        break;
    }
    case DW_ENG_OUT_PLAN:
        dwd_ws_push(d, line, len, 0);       /* the plan's line is the stream's frame */
        break;
    case DW_ENG_OUT_DECISION: {
        size_t need = len + 40;
        char *buf = need <= sizeof d->ws_text ? d->ws_text : NULL;
        if (buf) {
            int n = snprintf(buf, sizeof d->ws_text, "{\"type\":\"decision\",\"decision\":%.*s}",
                             (int)len, line);
            dwd_ws_push(d, buf, (size_t)n, 0);
        }
        break;
    }
    case DW_ENG_OUT_SENSOR: {
        int n = snprintf(d->ws_text, sizeof d->ws_text, "{\"type\":\"sensor\",\"sensor\":%.*s}",
                         (int)len, line);
        if (n > 0 && (size_t)n < sizeof d->ws_text)
            dwd_ws_push(d, d->ws_text, (size_t)n, 0);
        dwd_fed_sensor(d, line, len);
        break;
    }
    default:
        break;
    }
}

/* ------------------------------------------------------------------ the scenario's thread */

static void sim_obs(void *ctx, const dw_obs *o)
{
    dwd *d = ctx;
    if (o->sensor_idx < d->n_sim_keep && !d->sim_keep[o->sensor_idx])
        return;                 /* another owner's sensor (scenario.owners) */
    pthread_mutex_lock(&d->mu);
    while (d->q_len >= 200000 && !d->stop)
        pthread_cond_wait(&d->cv, &d->mu);
    if (d->q_len == d->q_cap) {
        size_t nc = d->q_cap ? d->q_cap * 2 : 4096;
        dwd_simq_item *q = realloc(d->q, nc * sizeof *q);
        if (!q) {
            pthread_mutex_unlock(&d->mu);
            return;
        }
        d->q = q;
        d->q_cap = nc;
    }
    d->q[d->q_len].kind = 0;
    d->q[d->q_len].t_us = o->t_us;
    d->q[d->q_len].o = *o;
    d->q_len++;
    pthread_mutex_unlock(&d->mu);
}

/* A uniform draw in [0, 1) for engagement k of this scenario: the same engagement has the
 * same luck in every run of the scenario. */
static double engage_u01(uint64_t seed, uint64_t k)
{
    uint64_t z = seed ^ (k * 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

void dwd_scenario_engage(dwd *d, uint64_t rec_id)
{
    dw_plan_rec r;
    int64_t planned;
    if (!d->scenario || dw_engine_recommendation(d->eng, rec_id, &r, &planned) != DW_OK)
        return;
    /* Approved after its planned launch, it flies that much later: the drone is looked for
     * near the planned point at the later intercept (3 km of reach: about a minute late). */
    int64_t now = dwd_now(d), launch = planned + (int64_t)llround(r.t_launch_s * 1e6);
    int64_t t = planned + (int64_t)llround(r.t_intercept_s * 1e6) + (now > launch ? now - launch : 0);
    pthread_mutex_lock(&d->mu);
    struct dwd_shot *s = dw_grow(d->shots, &d->cap_shots, d->n_shots + 1, sizeof *s, 16);
    if (s) {
        d->shots = s;
        s[d->n_shots++] = (struct dwd_shot){t, r.lat_deg, r.lon_deg, r.pk, rec_id, r.track_id};
        d->shots_approved++;
    }
    pthread_mutex_unlock(&d->mu);
}

/* On the scenario's thread, between steps: the engagements whose intercept has come. */
static void apply_shots(dwd *d, int64_t now_us)
{
    dw_scenario *sc = d->scenario_obj;
    for (size_t i = 0; i < d->n_shots;) {
        struct dwd_shot s = d->shots[i];
        if (s.t_us > now_us) {
            i++;
            continue;
        }
        d->shots[i] = d->shots[--d->n_shots];
        dw_sim_state hit;
        dw_sim_engage o = dw_sim_world_engage(sc->world, s.t_us, s.lat_deg, s.lon_deg, 3000.0, s.pk,
                                              engage_u01(sc->seed, s.rec), &hit);
        const char *what = o == DW_SIM_ENGAGE_HIT    ? "brought down"
                           : o == DW_SIM_ENGAGE_MISS ? "missed"
                                                     : "found no drone at the intercept point";
        d->shots_hit += o == DW_SIM_ENGAGE_HIT;
        d->shots_missed += o == DW_SIM_ENGAGE_MISS;
        d->shots_no_target += o == DW_SIM_ENGAGE_NONE;
        if (o == DW_SIM_ENGAGE_NONE)
            fprintf(stderr, "dronewall run: engagement %llu (track %llu): %s\n",
                    (unsigned long long)s.rec, (unsigned long long)s.track, what);
        else
            fprintf(stderr, "dronewall run: engagement %llu (track %llu): %s %s (pk %.2f)\n",
                    (unsigned long long)s.rec, (unsigned long long)s.track, what, hit.truth.id,
                    s.pk);
    }
}

static void sim_progress(void *ctx, const dw_sim_progress *p)
{
    dwd *d = ctx;
    pthread_mutex_lock(&d->mu);
    if (d->n_shots)
        apply_shots(d, p->t_us);
    if (d->q_len == d->q_cap) {
        size_t nc = d->q_cap ? d->q_cap * 2 : 4096;
        dwd_simq_item *q = realloc(d->q, nc * sizeof *q);
        if (q) {
            d->q = q;
            d->q_cap = nc;
        }
    }
    if (d->q_len < d->q_cap) {
        d->q[d->q_len].kind = 1;
        d->q[d->q_len].t_us = p->t_us;
        d->q_len++;
    }
    pthread_mutex_unlock(&d->mu);
    lws_cancel_service(d->ctx);
    /* Pace: the step's end is shown when the wall clock says so. */
    if (d->speed > 0) {
        int64_t due = d->t0_wall_us + (int64_t)((double)(p->t_us - d->t0_data_us) / d->speed);
        for (;;) {
            int64_t now = dwd_wall_us();
            if (now >= due || d->stop)
                break;
            int64_t dt = due - now;
            if (dt > 100000)
                dt = 100000;
            struct timespec ts = {0, (long)dt * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

static void *sim_main(void *arg)
{
    dwd *d = arg;
    dw_sim_options so;
    memset(&so, 0, sizeof so);
    so.track = 0;
    so.progress = sim_progress;
    so.obs = sim_obs;
    so.ctx = d;
    so.stop = &d->stop;
    dw_sim_progress pr;
    char err[256] = "";
    if (dw_sim_run(d->scenario_obj, &so, &pr, err, sizeof err) != DW_OK)
        snprintf(d->sim_error, sizeof d->sim_error, "%s", err);
    pthread_mutex_lock(&d->mu);
    d->sim_done = 1;
    pthread_mutex_unlock(&d->mu);
    lws_cancel_service(d->ctx);
    return NULL;
}

/* The simulator's observations into the engine, on the loop's thread, at most 15 ms at a
 * time: a scenario at high speed must not starve the API and the stream. What is left
 * waits in the backlog for the next turn, a millisecond later. */
static void drain_cb(struct lws_sorted_usec_list *sul);

static void drain_sim(dwd *d)
{
    if (d->backlog_at >= d->backlog_n) {
        free(d->backlog);
        pthread_mutex_lock(&d->mu);
        d->backlog = d->q;
        d->backlog_n = d->q_len;
        d->backlog_at = 0;
        d->q = NULL;
        d->q_len = d->q_cap = 0;
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
    }
    int64_t until = dwd_wall_us() + 15000;
    size_t k = 0;
    while (d->backlog_at < d->backlog_n) {
        dwd_simq_item *it = &d->backlog[d->backlog_at++];
        if (it->kind == 0) {
            d->sim_obs++;
            dwd_engine_obs(d, &it->o, NULL);
        } else {
            dw_engine_flush(d->eng);
            dw_engine_tick(d->eng, it->t_us);
        }
        if (++k % 256 == 0 && dwd_wall_us() > until)
            break;
    }
    if (d->backlog_at < d->backlog_n)
        lws_sul_schedule(d->ctx, 0, &d->sul_drain, drain_cb, LWS_US_PER_MS);
}

static void drain_cb(struct lws_sorted_usec_list *sul)
{
    dwd *d = lws_container_of(sul, dwd, sul_drain);
    drain_sim(d);
}

/* Whether everything the scenario produced has gone into the engine. */
static int sim_drained(dwd *d)
{
    pthread_mutex_lock(&d->mu);
    int done = d->sim_done && d->q_len == 0;
    pthread_mutex_unlock(&d->mu);
    return done && d->backlog_at >= d->backlog_n;
}

/* ------------------------------------------------------------------ replay serving */

typedef struct replay_row {
    int kind;
    int64_t t_us;
    char *line;
    size_t len;
} replay_row;

typedef struct replay_rows {
    replay_row *r;
    size_t n, cap;
} replay_rows;

static int collect_row(void *ctx, int64_t seq, int kind, int64_t t_us, uint64_t track,
                       const void *body, size_t len)
{
    (void)seq;
    (void)track;
    replay_rows *rr = ctx;
    if (rr->n == rr->cap) {
        size_t nc = rr->cap ? rr->cap * 2 : 65536;
        replay_row *x = realloc(rr->r, nc * sizeof *x);
        if (!x)
            return 1;
        rr->r = x;
        rr->cap = nc;
    }
    char *l = malloc(len + 1);
    if (!l)
        return 1;
    memcpy(l, body, len);
    l[len] = 0;
    rr->r[rr->n++] = (replay_row){kind, t_us, l, len};
    return 0;
}

static void replay_free(replay_rows *rr)
{
    if (!rr)
        return;
    for (size_t i = 0; i < rr->n; i++)
        free(rr->r[i].line);
    free(rr->r);
    free(rr);
}

/* The recorded inputs due by now (at the chosen speed) into the engine. */
static void replay_step(dwd *d)
{
    replay_rows *rr = d->replay_rows;
    if (!rr || d->replay_done)
        return;
    int64_t due = INT64_MAX;
    if (d->replay_speed > 0 && rr->n)
        due = d->t0_data_us + (int64_t)((double)(dwd_wall_us() - d->t0_wall_us) * d->replay_speed);
    char err[200];
    size_t budget = 200000;     /* rows per turn, so the loop keeps serving */
    while (d->replay_at < rr->n && budget--) {
        const replay_row *r = &rr->r[d->replay_at];
        if (r->t_us > due && r->kind != DW_ENG_IN_FLUSH)
            break;
        dw_engine_apply(d->eng, r->kind, r->line, r->len, err, sizeof err);
        d->replay_at++;
    }
    if (d->replay_at >= rr->n) {
        d->replay_done = 1;
        dw_engine_finish(d->eng, INT64_MIN);
        fprintf(stderr, "dronewall replay: the session has been played (%zu inputs)\n", rr->n);
    }
}

/* ------------------------------------------------------------------ timers */

static void tick_cb(struct lws_sorted_usec_list *sul)
{
    dwd *d = lws_container_of(sul, dwd, sul_tick);
    dwd_io_poll(d);
    if (d->replay)
        replay_step(d);
    else if (!d->scenario)
        dw_engine_tick(d->eng, dwd_wall_us());
    lws_sul_schedule(d->ctx, 0, &d->sul_tick, tick_cb, d->replay ? 20 * LWS_US_PER_MS
                                                                   : 100 * LWS_US_PER_MS);
}

static void ws_cb(struct lws_sorted_usec_list *sul)
{
    dwd *d = lws_container_of(sul, dwd, sul_ws);
    dwd_ws_changes(d);
    int64_t us = (int64_t)(d->cfg.ws_period_s * 1e6);
    lws_sul_schedule(d->ctx, 0, &d->sul_ws, ws_cb, us > 1000 ? us : 1000);
}

static int64_t g_end_wall_us;  /* when the played scenario or replay ended, 0 not yet */
static double g_linger_s;
static int g_exit_at_end;

static void second_cb(struct lws_sorted_usec_list *sul)
{
    dwd *d = lws_container_of(sul, dwd, sul_second);
    dwd_io_second(d);
    int n = snprintf(d->ws_text, sizeof d->ws_text, "{\"type\":\"time\",\"t_us\":%lld}",
                     (long long)dwd_now(d));
    dwd_ws_push(d, d->ws_text, (size_t)n, 0);
    int64_t now = dwd_wall_us();
    if (d->cfg.stop_after_s > 0 && now - d->started_wall_us > (int64_t)(d->cfg.stop_after_s * 1e6)) {
        fprintf(stderr, "dronewall run: stopping: stop_after_s (%.0f s) reached\n", d->cfg.stop_after_s);
        d->stop = 1;
    }
    int ended = (d->scenario && sim_drained(d)) || (d->replay && d->replay_done);
    if (ended && !g_end_wall_us) {
        g_end_wall_us = now;
        if (d->sim_error[0]) {
            fprintf(stderr, "dronewall run: the scenario stopped: %s\n", d->sim_error);
            d->exit_code = 1;
        }
        dw_engine_stats es;
        dw_engine_get_stats(d->eng, &es);
        fprintf(stderr, "dronewall run: %s played: %llu observations, %llu track reports, "
                        "%llu alert changes, %zu tracks in the picture%s\n",
                d->scenario ? "scenario" : "recording", (unsigned long long)es.obs,
                (unsigned long long)es.track_out, (unsigned long long)es.alert_out, es.tracks_now,
                g_exit_at_end ? "" : "; the map stays up (Ctrl-C stops)");
        if (g_exit_at_end && g_linger_s > 0)
            fprintf(stderr, "dronewall run: stopping in %.0f s\n", g_linger_s);
    }
    if (g_end_wall_us && g_exit_at_end && now - g_end_wall_us >= (int64_t)(g_linger_s * 1e6))
        d->stop = 1;
    lws_sul_schedule(d->ctx, 0, &d->sul_second, second_cb, LWS_US_PER_SEC);
}

/* ------------------------------------------------------------------ protocols */

static int raw_or_wake(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len)
{
    if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
        dwd *d = lws_context_user(lws_get_context(wsi));
        if (d && d->fed)
            dwd_fed_drain(d);
        if (d && d->scenario)
            drain_sim(d);
        return 0;
    }
    return dwd_raw_callback(wsi, reason, user, in, len);
}

static struct lws_protocols protocols[] = {
    /* tx_packet_size: a frame goes out in as few writes as the socket takes; at 0, lws
     * sends at most rx_buffer_size (4 KiB) a turn and 200 viewers fall seconds behind. */
    {"http", dwd_http_callback, 0, 4096, 0, NULL, 1 << 20},
    {"dw-raw", raw_or_wake, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static const struct lws_protocol_vhost_options mime_mjs = {NULL, NULL, ".mjs", "text/javascript"};
static const struct lws_protocol_vhost_options mime_geojson = {&mime_mjs, NULL, ".geojson",
                                                               "application/geo+json"};
static const struct lws_protocol_vhost_options mime_map = {&mime_geojson, NULL, ".map",
                                                           "application/json"};

/* ------------------------------------------------------------------ start and stop */

static int load_token(dwd *d, char *err, size_t errlen)
{
    const char *env = getenv("DRONEWALL_TOKEN");
    if (d->cfg.token_file[0]) {
        FILE *f = fopen(d->cfg.token_file, "r");
        if (!f) {
            snprintf(err, errlen, "%s: %s (http.token_file)", d->cfg.token_file, strerror(errno));
            return -1;
        }
        if (!fgets(d->token, sizeof d->token, f))
            d->token[0] = 0;
        fclose(f);
        d->token[strcspn(d->token, "\r\n")] = 0;
        if (strlen(d->token) < 16) {
            snprintf(err, errlen, "%s: the operator token must be at least 16 characters",
                     d->cfg.token_file);
            return -1;
        }
        snprintf(d->token_path, sizeof d->token_path, "%s", d->cfg.token_file);
        return 0;
    }
    if (env && *env) {
        if (strlen(env) < 16 || strlen(env) >= sizeof d->token) {
            snprintf(err, errlen, "DRONEWALL_TOKEN must be 16 to %zu characters",
                     sizeof d->token - 1);
            return -1;
        }
        snprintf(d->token, sizeof d->token, "%s", env);
        snprintf(d->token_path, sizeof d->token_path, "(DRONEWALL_TOKEN)");
        return 0;
    }
    unsigned char rnd[24];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
        if (fd >= 0)
            close(fd);
        snprintf(err, errlen, "/dev/urandom: cannot read a token");
        return -1;
    }
    close(fd);
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(d->token + 2 * i, 3, "%02x", rnd[i]);
    /* Beside the recording, where an operator of this daemon looks; else here. */
    const char *rp = d->cfg.record_path;
    const char *slash = strrchr(rp, '/');
    if (rp[0] && slash)
        snprintf(d->token_path, sizeof d->token_path, "%.*s/dronewall.token",
                 (int)(slash - rp), rp);
    else
        snprintf(d->token_path, sizeof d->token_path, "dronewall.token");
    int tf = open(d->token_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (tf < 0) {
        snprintf(err, errlen, "%s: %s (where the operator token is written)", d->token_path,
                 strerror(errno));
        return -1;
    }
    fchmod(tf, 0600);
    dprintf(tf, "%s\n", d->token);
    close(tf);
    return 0;
}

static int write_ready(dwd *d, const char *url)
{
    if (!d->ready_file)
        return 0;
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp", d->ready_file);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "dronewall run: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    char *buf = malloc(65536);
    if (!buf) {
        fclose(f);
        return -1;
    }
    dw_jw w;
    dw_jw_init(&w, buf, 65536);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "pid", (int64_t)getpid());
    char hp[64];
    snprintf(hp, sizeof hp, "127.0.0.1:%d", d->http_port);
    dw_jw_kstr(&w, "http", hp);
    dw_jw_kstr(&w, "url", url);
    dw_jw_kstr(&w, "token_file", d->token_path);
    dw_jw_kstr(&w, "record", d->cfg.record_path);
    dw_jw_key(&w, "io");
    dw_jw_obj(&w);
    for (size_t i = 0; i < d->n_io; i++)
        dw_jw_kstr(&w, d->io[i].name, d->io[i].address);
    dw_jw_obj_end(&w);
    dw_jw_obj_end(&w);
    fprintf(f, "%s\n", buf);
    free(buf);
    if (fclose(f) != 0 || rename(tmp, d->ready_file) != 0) {
        fprintf(stderr, "dronewall run: %s: %s\n", d->ready_file, strerror(errno));
        return -1;
    }
    return 0;
}

/* Whether owner is one of the comma-separated list ("" lists everyone). */
static int owner_listed(const char *list, const char *owner)
{
    if (!list[0])
        return 1;
    size_t n = strlen(owner);
    for (const char *p = list; *p;) {
        size_t w = strcspn(p, ",");
        if (w == n && !strncmp(p, owner, n))
            return 1;
        p += w + (p[w] == ',');
    }
    return 0;
}

/* The session: from the scenario or the config (live), or from the recording (replay). */
static int build_session(dwd *d, const dw_daemon_opts *o, dw_session *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (o->replay) {
        char rerr[400];
        if (dw_recording_open(o->replay, &d->rec_read, rerr, sizeof rerr) != DW_OK) {
            snprintf(err, errlen, "%s", rerr);
            return -1;
        }
        int64_t ids[4096];
        size_t n = 0;
        if (dw_recording_sessions(d->rec_read, ids, 4096, &n) != DW_OK || !n) {
            snprintf(err, errlen, "%s: no session recorded", o->replay);
            return -1;
        }
        int64_t sess = o->replay_session ? o->replay_session : ids[n - 1];
        char *json = NULL;
        if (dw_recording_session_config(d->rec_read, sess, &json) != DW_OK || !json) {
            snprintf(err, errlen, "%s: no session %lld", o->replay, (long long)sess);
            return -1;
        }
        d->replay_session = d->session = sess;
        dw_status st = dw_session_parse(json, s, err, errlen);
        free(json);
        return st == DW_OK ? 0 : -1;
    }
    dw_pipeline_config_default(&s->pipeline);
    snprintf(s->node, sizeof s->node, "%s", d->cfg.node_id);
    const char *rules = d->cfg.rules_file[0] ? d->cfg.rules_file : NULL;
    const char *geo[DW_RUN_MAX_GEO + 8];
    size_t n_geo = 0;
    for (size_t i = 0; i < d->cfg.n_geo_files && n_geo < DW_RUN_MAX_GEO; i++)
        geo[n_geo++] = d->cfg.geo_files[i];
    memcpy(s->home, d->cfg.home, sizeof s->home);
    if (d->cfg.scenario[0]) {
        dw_scenario *sc = NULL;
        char serr[400];
        if (dw_scenario_load(d->cfg.scenario, 0, &sc, serr, sizeof serr) != DW_OK) {
            snprintf(err, errlen, "%s", serr);
            return -1;
        }
        d->scenario_obj = sc;
        d->scenario = 1;
        d->t0_data_us = sc->start_us;
        s->pipeline = sc->tracker;
        snprintf(s->scenario, sizeof s->scenario, "%s", d->cfg.scenario);
        size_t n;
        const dw_sim_sensor_info *si = dw_sim_sensors_table(sc->sensors, &n);
        if (n) {
            s->sensors = malloc(n * sizeof *s->sensors);
            if (!s->sensors)
                return -1;
            d->sim_keep = calloc(n, 1);
            if (!d->sim_keep)
                return -1;
            d->n_sim_keep = n;
            for (size_t i = 0; i < n; i++)
                if ((d->sim_keep[i] = (uint8_t)owner_listed(d->cfg.scenario_owners,
                                                            si[i].desc.owner)))
                    s->sensors[s->n_sensors++] = si[i].desc;
        }
        if (!d->cfg.home[0] && sc->home[0]) {
            memcpy(s->home, sc->home, sizeof s->home);
            n_geo = 0;
            for (size_t i = 0; i < sc->n_geo_files && n_geo < DW_RUN_MAX_GEO; i++)
                geo[n_geo++] = sc->geo_files[i];
            if (!rules)
                rules = sc->rules_file;
        }
    } else if (d->cfg.sensors_file[0]) {
        if (dw_sensors_load(d->cfg.sensors_file, &s->sensors, &s->n_sensors, err, errlen) != DW_OK)
            return -1;
    }
    /* Each partner read over the bus is a sensor of kind partner: its tracks are fused by
     * covariance intersection and named "fed:<node>" in a track's sensors. */
    for (size_t i = 0; i < d->cfg.n_inputs; i++) {
        const dw_run_input *in = &d->cfg.inputs[i];
        if (in->kind != DW_IN_NATS)
            continue;
        dw_sensor *ns = realloc(s->sensors, (s->n_sensors + 1) * sizeof *ns);
        if (!ns)
            return -1;
        s->sensors = ns;
        dw_sensor *p = &ns[s->n_sensors++];
        dw_sensor_init(p, DW_SENSOR_PARTNER);
        dw_fed_sensor_name(in->from, p->id, sizeof p->id);
        snprintf(p->owner, sizeof p->owner, "%s", in->from);
    }
    if (d->cfg.report_s > 0)
        s->pipeline.report_us = (int64_t)llround(d->cfg.report_s * 1e6);
    if (!strcmp(d->cfg.assoc, "jpda"))
        s->pipeline.assoc = DW_ASSOC_JPDA;
    else if (!strcmp(d->cfg.assoc, "gnn"))
        s->pipeline.assoc = DW_ASSOC_GNN;
    /* Live plots go to the tracker datagram by datagram (flushes): no waiting window. */
    if (s->home[0] && !n_geo) {
        snprintf(err, errlen, "assessment.home %s needs assessment.geography files", s->home);
        return -1;
    }
    s->geo = calloc(n_geo ? n_geo : 1, sizeof *s->geo);
    if (!s->geo)
        return -1;
    for (size_t i = 0; i < n_geo; i++)
        if (!(s->geo[s->n_geo++] = dw_session_abspath(geo[i])))
            return -1;
    s->plan_period_s = d->cfg.plan_period_s > 0 ? d->cfg.plan_period_s : 10.0;
    if (d->cfg.effectors_file[0]) {
        if (!s->home[0]) {
            snprintf(err, errlen, "response.effectors needs an assessment (assessment.home and "
                                  "geography, or a scenario's): threats are what it assesses");
            return -1;
        }
        char *ef = dw_session_abspath(d->cfg.effectors_file);
        snprintf(s->effectors, sizeof s->effectors, "%s", ef ? ef : d->cfg.effectors_file);
        free(ef);
    }
    if (rules) {
        char *r = dw_session_abspath(rules);
        snprintf(s->rules, sizeof s->rules, "%s", r ? r : rules);
        free(r);
    }
    return 0;
}

int dw_daemon_run(const dw_run_config *cfg, const dw_daemon_opts *o)
{
    static dwd dd;              /* large (frames, histogram): not on the stack */
    dwd *d = &dd;
    memset(d, 0, sizeof *d);
    d->cfg = *cfg;
    d->ready_file = o->ready_file;
    d->replay = o->replay != NULL;
    d->replay_speed = o->replay_speed;
    d->speed = cfg->speed > 0 ? cfg->speed : 1;
    d->started_wall_us = dwd_wall_us();
    g_exit_at_end = o->exit_at_end;
    g_linger_s = o->linger_s;
    g_end_wall_us = 0;
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    int rc = 1;
    char err[600] = "";
    dw_session s;
    memset(&s, 0, sizeof s);
    char *sess_json = NULL, *run_json = NULL;

    if (build_session(d, o, &s, err, sizeof err)) {
        fprintf(stderr, "dronewall %s: %s\n", d->replay ? "replay" : "run",
                err[0] ? err : "out of memory");
        goto done;
    }
    run_json = dw_run_config_json(cfg);
    sess_json = dw_session_json(&s, run_json);
    if (!sess_json) {
        fprintf(stderr, "dronewall run: out of memory\n");
        goto done;
    }
    /* The engine is built from the session's text, as a replay will build it. */
    dw_session_free(&s);
    if (dw_session_parse(sess_json, &s, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall run: %s\n", err);
        goto done;
    }
    const dw_engine_sink es = {eng_input, eng_output, d};
    if (dw_session_engine(&s, &es, &d->eng, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall %s: %s\n", d->replay ? "replay" : "run", err);
        goto done;
    }
    d->geo_paths = s.geo;
    d->n_geo = s.n_geo;
    d->sensors = s.sensors;
    d->n_sensors = s.n_sensors;
    if (dw_sensors_index_create(d->sensors, d->n_sensors, &d->sindex, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall run: %s\n", err);
        goto done;
    }
    d->sensor_obs = calloc(d->n_sensors + 1, sizeof *d->sensor_obs);
    d->sensor_last_us = calloc(d->n_sensors + 1, sizeof *d->sensor_last_us);
    if (!d->sensor_obs || !d->sensor_last_us)
        goto done;
    if (load_token(d, err, sizeof err)) {
        fprintf(stderr, "dronewall run: %s\n", err);
        goto done;
    }

    /* The recording (live only; a replay reads its file). */
    if (!d->replay && cfg->record_path[0]) {
        dw_recorder_config rc_;
        dw_recorder_config_default(&rc_);
        if (cfg->record_commit_ms > 0)
            rc_.commit_ms = cfg->record_commit_ms;
        if (dw_recorder_open(cfg->record_path, &rc_, sess_json, &d->rec, err, sizeof err) != DW_OK) {
            fprintf(stderr, "dronewall run: %s (record.path)\n", err);
            goto done;
        }
        d->session = dw_recorder_session(d->rec);
        dw_recorder_meta(d->rec, "dronewall_version", DW_VERSION);
        dw_recorder_meta(d->rec, "node", cfg->node_id);
        char rerr[400];
        if (dw_recording_open(cfg->record_path, &d->rec_read, rerr, sizeof rerr) != DW_OK)
            d->rec_read = NULL;     /* the time slider works from the live picture only */
    }

    /* The web map's files. */
    snprintf(d->web_root, sizeof d->web_root, "%s", cfg->web_root[0] ? cfg->web_root : DW_WEB_DIR);
    size_t wl = strnlen(d->web_root, sizeof d->web_root - 1);
    memcpy(d->vendor_root, d->web_root, wl);
    memcpy(d->vendor_root + wl, "/node_modules", sizeof "/node_modules");
    struct stat stt;
    if (stat(d->web_root, &stt) != 0 || !S_ISDIR(stt.st_mode))
        fprintf(stderr, "dronewall run: warning: the web map's directory %s is missing "
                        "(http.web_root); the API still serves\n", d->web_root);
    else if (stat(d->vendor_root, &stt) != 0)
        fprintf(stderr, "dronewall run: warning: %s is missing: run scripts/webdeps for the "
                        "map's libraries\n", d->vendor_root);

    char host[128];
    int port = 0;
    if (dw_hostport_parse(cfg->http_listen, host, sizeof host, &port, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall run: http.listen: %s\n", err);
        goto done;
    }
    memset(d->mounts, 0, sizeof d->mounts);
    d->mounts[0].mountpoint = "/vendor";
    d->mounts[0].mountpoint_len = 7;
    d->mounts[0].origin = d->vendor_root;
    d->mounts[0].origin_protocol = LWSMPRO_FILE;
    d->mounts[0].extra_mimetypes = &mime_map;
    d->mounts[0].mount_next = &d->mounts[1];
    d->mounts[1].mountpoint = "/api";
    d->mounts[1].mountpoint_len = 4;
    d->mounts[1].origin = "http";
    d->mounts[1].origin_protocol = LWSMPRO_CALLBACK;
    d->mounts[1].mount_next = &d->mounts[2];
    d->mounts[2].mountpoint = "/";
    d->mounts[2].mountpoint_len = 1;
    d->mounts[2].origin = d->web_root;
    d->mounts[2].def = "index.html";
    d->mounts[2].origin_protocol = LWSMPRO_FILE;
    d->mounts[2].extra_mimetypes = &mime_map;

    protocols[0].per_session_data_size = dwd_http_pss_size();
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = host;
    info.protocols = protocols;
    info.mounts = &d->mounts[0];
    info.user = d;
    info.options = LWS_SERVER_OPTION_HTTP_HEADERS_SECURITY_BEST_PRACTICES_ENFORCE |
                   LWS_SERVER_OPTION_VALIDATE_UTF8;
    info.timeout_secs = 10;     /* a request that does not finish its headers is dropped */
    info.timeout_secs_ah_idle = 5;
    info.keepalive_timeout = 30;
    info.max_http_header_data = 4096;
    info.fd_limit_per_thread = (unsigned int)(cfg->http_max_clients + 4 * DW_RUN_MAX_IO + 256);
    lws_set_log_level(LLL_ERR | LLL_WARN | LLL_USER, NULL);
    d->ctx = lws_create_context(&info);
    if (!d->ctx) {
        fprintf(stderr, "dronewall run: cannot listen on %s (http.listen): in use or not "
                        "an address of this machine\n", cfg->http_listen);
        goto done;
    }
    g_ctx = d->ctx;
    d->vh = lws_get_vhost_by_name(d->ctx, "default");
    d->http_port = d->vh ? lws_get_vhost_listen_port(d->vh) : port;

    if (!d->replay && (dwd_io_start(d, err, sizeof err) || dwd_fed_start(d, err, sizeof err))) {
        fprintf(stderr, "dronewall run: %s\n", err);
        goto done;
    }
    if (d->replay) {
        replay_rows *rr = calloc(1, sizeof *rr);
        if (!rr || dw_recording_inputs(d->rec_read, d->replay_session, collect_row, rr) != DW_OK) {
            fprintf(stderr, "dronewall replay: %s: cannot read the session's inputs\n", o->replay);
            replay_free(rr);
            goto done;
        }
        d->replay_rows = rr;
        d->t0_data_us = rr->n ? rr->r[0].t_us : 0;
        for (size_t i = 0; i < rr->n; i++)
            if (rr->r[i].kind == DW_ENG_IN_OBS || rr->r[i].kind == DW_ENG_IN_TICK) {
                d->t0_data_us = rr->r[i].t_us;
                break;
            }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char url[160];
    snprintf(url, sizeof url, "http://%s:%d/", strcmp(host, "0.0.0.0") ? host : "127.0.0.1",
             d->http_port);
    fprintf(stderr, "dronewall %s: the live map is at %s\n", d->replay ? "replay" : "run", url);
    fprintf(stderr, "dronewall %s: operator token in %s; recording %s\n",
            d->replay ? "replay" : "run", d->token_path,
            d->replay ? o->replay : cfg->record_path[0] ? cfg->record_path : "off");
    if (write_ready(d, url))
        goto done;

    d->t0_wall_us = d->scenario && d->cfg.scenario_begin_at > 0
                        ? (int64_t)llround(d->cfg.scenario_begin_at * 1e6)
                        : dwd_wall_us();
    if (d->scenario) {
        if (pthread_create(&d->sim_thread, NULL, sim_main, d) != 0) {
            fprintf(stderr, "dronewall run: cannot start the scenario's thread\n");
            goto done;
        }
        d->sim_running = 1;
    }
    lws_sul_schedule(d->ctx, 0, &d->sul_tick, tick_cb, 10 * LWS_US_PER_MS);
    lws_sul_schedule(d->ctx, 0, &d->sul_ws, ws_cb, 10 * LWS_US_PER_MS);
    lws_sul_schedule(d->ctx, 0, &d->sul_second, second_cb, LWS_US_PER_SEC);

    while (!d->stop && !g_signalled)
        if (lws_service(d->ctx, 0) < 0)
            break;
    if (g_signalled)
        fprintf(stderr, "dronewall run: stopping (signal)\n");
    rc = d->exit_code;
done:
    d->stop = 1;
    if (d->sim_running) {
        pthread_mutex_lock(&d->mu);
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
        pthread_join(d->sim_thread, NULL);
    }
    dwd_fed_stop(d);
    dwd_io_stop(d);
    if (d->ctx)
        lws_context_destroy(d->ctx);
    g_ctx = NULL;
    dw_recording_close(d->rec_read);    /* the writer closes last and checkpoints the WAL */
    d->rec_read = NULL;
    if (d->rec) {
        dw_recorder_stats rs;
        dw_recorder_get_stats(d->rec, &rs);
        if (dw_recorder_close(d->rec) != DW_OK)
            fprintf(stderr, "dronewall run: the recording failed: %s\n", rs.error);
        else
            fprintf(stderr, "dronewall run: recorded %llu rows to %s (%llu dropped)\n",
                    (unsigned long long)rs.queued, cfg->record_path,
                    (unsigned long long)rs.dropped);
    }
    replay_free(d->replay_rows);
    dw_engine_destroy(d->eng);
    dw_sensors_index_destroy(d->sindex);
    dw_session_free(&s);        /* d->geo_paths and d->sensors were the session's */
    d->geo_paths = NULL;
    d->sensors = NULL;
    free(d->sensor_obs);
    free(d->sensor_last_us);
    free(sess_json);
    free(run_json);
    free(d->q);
    free(d->backlog);
    for (size_t i = 0; i < DWD_WS_RING; i++)
        free(d->ring[i].buf);
    if (d->scenario_obj)
        dw_scenario_destroy(d->scenario_obj);
    free(d->sim_keep);
    free(d->shots);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    return rc;
}

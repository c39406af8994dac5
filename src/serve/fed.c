/* fed.c — the daemon on the federation bus (fed.h, fedbus.h, docs/federation.md).
 *
 * Outputs of kind nats release this node's picture to one audience each: every track at
 * a report instant (at most once per period_s, hostile ones only if asked), alerts, sensor
 * status and, if asked, the raw observations of its own sensors. A track is released only
 * while one of its own sensors holds it (updated it within 20 s): a track made of partners'
 * reports alone, or one our sensors have lost and partners' reports alone keep, is theirs
 * to tell, and echoing it back would pull their picture with their own data. Neighbour notices go only to the neighbour they
 * name, as notifications. Each message carries the session (this run's start) and a
 * sequence number per audience; the bus keeps what it acknowledged in a stream per
 * audience, and a buffer here holds the rest while the bus is away.
 *
 * Inputs of kind nats read a partner's stream released to our owner through a durable
 * consumer (nothing is missed while we are down). The consumer's thread only copies each
 * message into a queue and wakes the loop; on the loop every message is checked
 * (dw_fed_rx: origin by subject, plausibility, sequence) and what passes goes into the
 * engine as an input — a track as a partner's report (fused by covariance intersection,
 * its provenance the sensor "fed:<origin>"), an alert or notice as a partner alert — so
 * the recording holds it and a replay gives the same picture. Sensor status is kept for
 * /api/sensors; partners' raw observations are counted, not fused (their sensors are not
 * in our table).
 */
#define _GNU_SOURCE             /* memmem */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/fed.h"
#include "dronewall/fedbus.h"
#include "dronewall/grow.h"
#include "dronewall/jsonw.h"
#include "serve/daemon_int.h"

#define FED_QUEUE_MAX 50000             /* received, not yet on the loop: then refused   */
#define FED_LAT_BINS 2000               /* latency: 1 ms bins to 2 s                      */
#define FED_PARTNER_SENSORS 256         /* partners' sensor statuses kept                 */
#define FED_OWN_FRESH_US 20000000LL     /* a track is released while our own sensors have
                                           updated it within this (data time) [assumed]  */
#define FED_ACCEL_SIGMA_MPS2 1.0        /* a partner's track moved to our time: what it may
                                           have manoeuvred meanwhile [assumed]            */

typedef struct fed_msg {
    char *subject;
    char *data;
    size_t len;
} fed_msg;

typedef struct fed_sensor {
    char origin[DW_FED_NAME_MAX];
    char sensor[DW_ID_MAX];
    char *line;                         /* the partner's sensor line */
    size_t len;
} fed_sensor;

struct dwd_fed {
    dwd *d;
    dw_fedbus *bus;
    dw_fed_rx *rx;
    char owner[DW_FED_NAME_MAX];
    uint64_t session;
    char msg[1 << 17];                  /* a message being made */
    /* The consumer threads' queue. */
    pthread_mutex_t mu;
    fed_msg *q;
    size_t q_len, q_cap;
    uint64_t q_refused;
    /* Receiving. */
    uint64_t rx_unknown;                /* from an origin no input names */
    uint64_t rx_engine_errors;
    uint64_t obs_counted;               /* partners' raw observations */
    double aligned_s_sum;               /* partners' tracks moved to our time: by how much */
    uint64_t aligned_n;
    uint32_t lat_hist[FED_LAT_BINS + 1];
    uint64_t lat_n;
    fed_sensor sensors[FED_PARTNER_SENSORS];
    size_t n_sensors;
};

static const char *owner_of(const dwd *d)
{
    return d->cfg.node_owner[0] ? d->cfg.node_owner : d->cfg.node_id;
}

/* ------------------------------------------------------------------ the bus's threads */

static int on_msg(void *ctx, const char *subject, const void *data, size_t len,
                  const dw_fedbus_meta *m)
{
    (void)m;
    dwd_fed *f = ctx;
    pthread_mutex_lock(&f->mu);
    if (f->q_len >= FED_QUEUE_MAX) {
        /* The loop is behind: the bus delivers it again later. */
        f->q_refused++;
        pthread_mutex_unlock(&f->mu);
        return 1;
    }
    fed_msg *q = dw_grow(f->q, &f->q_cap, f->q_len + 1, sizeof *q, 1024);
    char *s = strdup(subject);
    char *b = malloc(len ? len : 1);
    if (!q || !s || !b) {
        if (q)
            f->q = q;
        free(s);
        free(b);
        f->q_refused++;
        pthread_mutex_unlock(&f->mu);
        return 1;
    }
    f->q = q;
    memcpy(b, data, len);
    q[f->q_len++] = (fed_msg){s, b, len};
    pthread_mutex_unlock(&f->mu);
    if (f->d->ctx)
        lws_cancel_service(f->d->ctx);
    return 0;
}

static void on_state(void *ctx)
{
    dwd_fed *f = ctx;
    if (f->d->ctx)
        lws_cancel_service(f->d->ctx);
}

/* ------------------------------------------------------------------ start, stop */

static char *read_first_line(const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(err, errlen, "%s: cannot read (federation.password_file)", path);
        return NULL;
    }
    char buf[512];
    if (!fgets(buf, sizeof buf, fp))
        buf[0] = '\0';
    fclose(fp);
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!buf[0]) {
        snprintf(err, errlen, "%s: empty (federation.password_file)", path);
        return NULL;
    }
    return strdup(buf);
}

int dwd_fed_start(dwd *d, char *err, size_t errlen)
{
    if (!d->cfg.fed_servers[0])
        return 0;
    dwd_fed *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    f->d = d;
    pthread_mutex_init(&f->mu, NULL);
    snprintf(f->owner, sizeof f->owner, "%.32s", owner_of(d));
    f->session = (uint64_t)d->started_wall_us;
    dw_fed_rx_config rc;
    dw_fed_rx_config_default(&rc);
    rc.max_speed_mps = d->cfg.fed_max_speed_mps;
    if (dw_fed_rx_create(&rc, &f->rx) != DW_OK) {
        free(f);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    d->fed = f;

    const char *aud[DW_RUN_MAX_IO];
    size_t n_aud = 0;
    dw_fedbus_consumer cons[DW_RUN_MAX_IO];
    char streams[DW_RUN_MAX_IO][80];
    size_t n_cons = 0;
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        if (!io->is_input && io->out->kind == DW_OUT_NATS) {
            aud[n_aud++] = io->out->to;
            dw_fed_stream_name(d->cfg.node_id, io->out->to, io->address, sizeof io->address);
            io->state = "connecting";
        } else if (io->is_input && io->in->kind == DW_IN_NATS) {
            dw_fed_stream_name(io->in->from, f->owner, streams[n_cons], sizeof streams[0]);
            snprintf(io->address, sizeof io->address, "%s", streams[n_cons]);
            cons[n_cons] = (dw_fedbus_consumer){streams[n_cons], d->cfg.node_id, NULL};
            n_cons++;
            io->state = "connecting";
        }
    }
    char *password = NULL;
    if (d->cfg.fed_password_file[0] &&
        !(password = read_first_line(d->cfg.fed_password_file, err, errlen)))
        return -1;
    dw_fedbus_config bc;
    memset(&bc, 0, sizeof bc);
    bc.servers = d->cfg.fed_servers;
    bc.user = d->cfg.fed_user[0] ? d->cfg.fed_user : (password ? d->cfg.node_id : NULL);
    bc.password = password;
    bc.tls_ca = d->cfg.fed_tls_ca[0] ? d->cfg.fed_tls_ca : NULL;
    bc.tls_cert = d->cfg.fed_tls_cert[0] ? d->cfg.fed_tls_cert : NULL;
    bc.tls_key = d->cfg.fed_tls_key[0] ? d->cfg.fed_tls_key : NULL;
    bc.node = d->cfg.node_id;
    bc.audiences = aud;
    bc.n_audiences = n_aud;
    bc.replicas = d->cfg.fed_replicas;
    bc.max_age_s = (int64_t)d->cfg.fed_max_age_s;
    bc.consumers = cons;
    bc.n_consumers = n_cons;
    bc.buffer_max = d->cfg.fed_buffer_max;
    bc.on_msg = on_msg;
    bc.on_state = on_state;
    bc.ctx = f;
    char berr[DW_FEDBUS_ERR_MAX];
    dw_status st = dw_fedbus_start(&bc, &f->bus, berr, sizeof berr);
    if (password) {
        memset(password, 0, strlen(password));
        free(password);
    }
    if (st != DW_OK) {
        snprintf(err, errlen, "federation: %s", berr);
        return -1;
    }
    return 0;
}

void dwd_fed_stop(dwd *d)
{
    dwd_fed *f = d->fed;
    if (!f)
        return;
    /* What is queued gets a moment to reach the bus: a clean stop loses nothing the bus
     * can take. */
    dw_fedbus_flush(f->bus, 3000);
    dw_fedbus_stop(f->bus);
    for (size_t i = 0; i < f->q_len; i++) {
        free(f->q[i].subject);
        free(f->q[i].data);
    }
    free(f->q);
    for (size_t i = 0; i < f->n_sensors; i++)
        free(f->sensors[i].line);
    dw_fed_rx_destroy(f->rx);
    pthread_mutex_destroy(&f->mu);
    free(f);
    d->fed = NULL;
}

/* ------------------------------------------------------------------ publishing */

static void publish(dwd_fed *f, dwd_io *io, dw_fed_kind kind, const char *line, size_t len)
{
    dwd *d = f->d;
    dw_fed_env e;
    memset(&e, 0, sizeof e);
    snprintf(e.origin, sizeof e.origin, "%.32s", d->cfg.node_id);
    snprintf(e.owner, sizeof e.owner, "%s", f->owner);
    e.kind = kind;
    e.session = f->session;
    e.seq = io->seq + 1;
    e.sent_us = dwd_wall_us();
    char subject[128], id[160];
    size_t n = dw_fed_wrap(f->msg, sizeof f->msg, &e, line, len);
    if (!n || dw_fed_subject(d->cfg.node_id, io->out->to, kind, subject, sizeof subject) != DW_OK ||
        !dw_fed_msg_id(id, sizeof id, &e, io->out->to)) {
        io->send_errors++;             /* a line too long for a message */
        return;
    }
    if (dw_fedbus_publish(f->bus, subject, f->msg, n, id) != DW_OK) {
        io->send_errors++;
        return;
    }
    io->seq++;
    io->sent++;
    io->last_tx_wall_us = e.sent_us;
}

/* Whether one of our own sensors holds the track now: updated it within FED_OWN_FRESH_US
 * (not only partners' reports, nor our own prediction after our sensors lost it). */
static int held_by_own_sensor(const dw_track *t)
{
    return t->last_local_us != INT64_MIN && t->t_us - t->last_local_us <= FED_OWN_FRESH_US;
}

void dwd_fed_track(dwd *d, int kind, const dw_track *t, const char *line, size_t len)
{
    dwd_fed *f = d->fed;
    if (!f || !t || kind != DW_ENG_OUT_TRACK || !held_by_own_sensor(t))
        return;
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        if (io->is_input || io->out->kind != DW_OUT_NATS)
            continue;
        if (io->out->hostile_only && t->affiliation != DW_AFF_HOSTILE &&
            t->affiliation != DW_AFF_SUSPECT)
            continue;
        if (dwd_out_due(io, t, 0))
            publish(f, io, DW_FED_TRK, line, len);
    }
}

void dwd_fed_alert(dwd *d, const dw_alert *a, const char *line, size_t len)
{
    dwd_fed *f = d->fed;
    if (!f || !a)                       /* no alert object: a partner's, or an acknowledgement */
        return;
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        if (io->is_input || io->out->kind != DW_OUT_NATS || !io->out->alerts)
            continue;
        if (a->kind == DW_ALERT_NEIGHBOUR_NOTICE) {
            /* A notice is for the neighbour it names (audiences are owners: a country's
             * code names its nodes' owner). */
            if (strcmp(a->neighbour, io->out->to) == 0)
                publish(f, io, DW_FED_NTF, line, len);
            continue;
        }
        publish(f, io, DW_FED_ALR, line, len);
    }
}

void dwd_fed_sensor(dwd *d, const char *line, size_t len)
{
    dwd_fed *f = d->fed;
    if (!f)
        return;
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        if (!io->is_input && io->out->kind == DW_OUT_NATS && io->out->sensors)
            publish(f, io, DW_FED_SEN, line, len);
    }
}

void dwd_fed_obs(dwd *d, const char *line, size_t len)
{
    dwd_fed *f = d->fed;
    if (!f || memmem(line, len, "\"sensor\":\"fed:", 14))
        return;                         /* a partner's report is not ours to release */
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        if (!io->is_input && io->out->kind == DW_OUT_NATS && io->out->observations)
            publish(f, io, DW_FED_OBS, line, len);
    }
}

/* ------------------------------------------------------------------ receiving, on the loop */

static dwd_io *input_from(dwd *d, const char *origin)
{
    for (size_t i = 0; i < d->n_io; i++)
        if (d->io[i].is_input && d->io[i].in->kind == DW_IN_NATS &&
            !strcmp(d->io[i].in->from, origin))
            return &d->io[i];
    return NULL;
}

static void keep_sensor(dwd_fed *f, const char *origin, const char *body, size_t len)
{
    /* The sensor's id: the line's "sensor" value, found without a parse (it is a line of
     * a dronewall node; anything else just makes another entry). */
    char id[DW_ID_MAX] = "?";
    const char *p = memmem(body, len, "\"sensor\":\"", 10);
    if (p) {
        p += 10;
        size_t k = 0;
        while (p + k < body + len && p[k] != '"' && k + 1 < sizeof id)
            k++;
        memcpy(id, p, k);
        id[k] = '\0';
    }
    fed_sensor *s = NULL;
    for (size_t i = 0; i < f->n_sensors && !s; i++)
        if (!strcmp(f->sensors[i].origin, origin) && !strcmp(f->sensors[i].sensor, id))
            s = &f->sensors[i];
    if (!s) {
        if (f->n_sensors == FED_PARTNER_SENSORS)
            return;
        s = &f->sensors[f->n_sensors++];
        memset(s, 0, sizeof *s);
        snprintf(s->origin, sizeof s->origin, "%s", origin);
        snprintf(s->sensor, sizeof s->sensor, "%s", id);
    }
    char *l = realloc(s->line, len + 1);
    if (!l)
        return;
    memcpy(l, body, len);
    l[len] = '\0';
    s->line = l;
    s->len = len;
}

/* The time a partner's data is judged against: the wall clock live; with a scenario, the
 * scenario's clock (nodes given one scenario.begin_at share it), not how far this node's
 * own simulation has got — a node that falls behind must not refuse its partners' tracks
 * as coming from the future. */
static int64_t judge_now(const dwd *d)
{
    if (d->scenario && d->speed > 0)
        return d->t0_data_us + (int64_t)((double)(dwd_wall_us() - d->t0_wall_us) * d->speed);
    return dwd_now(d);
}

void dwd_fed_drain(dwd *d)
{
    dwd_fed *f = d->fed;
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    fed_msg *q = f->q;
    size_t n = f->q_len;
    f->q = NULL;
    f->q_len = f->q_cap = 0;
    pthread_mutex_unlock(&f->mu);
    if (!n)
        return;
    int64_t wall = dwd_wall_us();
    int tracks = 0;
    for (size_t i = 0; i < n; i++) {
        fed_msg *m = &q[i];
        dw_fed_item it;
        dw_fed_verdict v = dw_fed_rx_take(f->rx, m->subject, m->data, m->len, judge_now(d), &it);
        /* Counted against the input that reads the subject's node: a message claiming
         * another origin (forged) is its sender's. */
        char node[DW_FED_NAME_MAX] = "";
        sscanf(m->subject, "dw.%32[^.]", node);
        dwd_io *io = input_from(d, node);
        if (!io)
            f->rx_unknown++;
        else {
            io->frames++;
            io->bytes += m->len;
            io->last_rx_wall_us = wall;
            io->heard = 1;
            if (v != DW_FED_ACCEPTED)
                io->malformed++;
        }
        if (v == DW_FED_ACCEPTED) {
            if (it.env.sent_us > 0 && wall >= it.env.sent_us) {
                int64_t ms = (wall - it.env.sent_us) / 1000;
                f->lat_hist[ms < FED_LAT_BINS ? ms : FED_LAT_BINS]++;
                f->lat_n++;
            }
            switch (it.env.kind) {
            case DW_FED_TRK: {
                if (io)
                    io->obs++;
                /* At this node's time: a report from the partner's past (or future) fused
                 * out of order puts its track out of step with ours (fed.h). */
                int64_t now = dw_engine_time(d->eng);
                if (now != INT64_MIN) {
                    f->aligned_s_sum += fabs((double)(now - it.obs.t_us)) * 1e-6;
                    f->aligned_n++;
                    dw_fed_align(&it, now, FED_ACCEL_SIGMA_MPS2);
                }
                dwd_engine_obs(d, &it.obs, NULL);
                tracks = 1;
                break;
            }
            case DW_FED_ALR:
            case DW_FED_NTF:
                if (dw_engine_partner_alert(d->eng, it.env.origin, dw_fed_kind_name(it.env.kind),
                                            it.body, it.body_len, dwd_now(d)) != DW_OK)
                    f->rx_engine_errors++;
                break;
            case DW_FED_SEN:
                keep_sensor(f, it.env.origin, it.body, it.body_len);
                break;
            case DW_FED_OBS:
                f->obs_counted++;
                break;
            default:
                break;
            }
        }
        free(m->subject);
        free(m->data);
    }
    free(q);
    if (tracks)
        dw_engine_flush(d->eng);
}

/* Once a second: the inputs' and outputs' states from the bus's. */
void dwd_fed_second(dwd *d)
{
    dwd_fed *f = d->fed;
    if (!f)
        return;
    dw_fedbus_stats bs;
    dw_fedbus_get_stats(f->bus, &bs);
    const char *state = dw_fedbus_state_name(bs.state);
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        int nats = io->is_input ? io->in->kind == DW_IN_NATS : io->out->kind == DW_OUT_NATS;
        if (!nats)
            continue;
        io->state = state;
        snprintf(io->last_error, sizeof io->last_error, "%.159s", bs.last_error);
    }
}

/* ------------------------------------------------------------------ status */

static double lat_pct(const dwd_fed *f, double p)
{
    if (!f->lat_n)
        return 0;
    uint64_t want = (uint64_t)(p * (double)f->lat_n), seen = 0;
    for (int i = 0; i <= FED_LAT_BINS; i++) {
        seen += f->lat_hist[i];
        if (seen > want)
            return i + 0.5;
    }
    return FED_LAT_BINS;
}

/* Extra keys of a nats input or output in /api/sensors. */
void dwd_fed_io_json(const dwd *d, const dwd_io *io, dw_jw *w)
{
    const dwd_fed *f = d->fed;
    if (!f)
        return;
    if (!io->is_input) {
        dw_jw_kstr(w, "to", io->out->to);
        dw_jw_key(w, "session");
        dw_jw_uint(w, f->session);
        dw_jw_key(w, "seq");
        dw_jw_uint(w, io->seq);
        return;
    }
    dw_jw_kstr(w, "from", io->in->from);
    size_t n = 0;
    const dw_fed_origin_stats *os = dw_fed_rx_origins(f->rx, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(os[i].origin, io->in->from))
            continue;
        dw_jw_key(w, "session");
        dw_jw_uint(w, os[i].session);
        dw_jw_key(w, "sessions");
        dw_jw_uint(w, os[i].sessions);
        dw_jw_key(w, "first_seq");
        dw_jw_uint(w, os[i].first_seq);
        dw_jw_key(w, "last_seq");
        dw_jw_uint(w, os[i].last_seq);
        dw_jw_key(w, "gaps");
        dw_jw_uint(w, os[i].gaps);
        dw_jw_key(w, "late");
        dw_jw_uint(w, os[i].late);
        dw_jw_key(w, "accepted");
        dw_jw_obj(w);
        for (int k = 0; k < DW_FED_NKINDS; k++) {
            dw_jw_key(w, dw_fed_kind_name((dw_fed_kind)k));
            dw_jw_uint(w, os[i].by_kind[k]);
        }
        dw_jw_obj_end(w);
        dw_jw_key(w, "rejected");
        dw_jw_obj(w);
        for (int k = 1; k < DW_FED_NVERDICTS; k++) {
            dw_jw_key(w, dw_fed_verdict_name((dw_fed_verdict)k));
            dw_jw_uint(w, os[i].rejected[k]);
        }
        dw_jw_obj_end(w);
    }
    dw_jw_key(w, "sensors");
    dw_jw_arr(w);
    for (size_t i = 0; i < f->n_sensors; i++) {
        if (strcmp(f->sensors[i].origin, io->in->from))
            continue;
        dw_jw_raw(w, f->sensors[i].line, f->sensors[i].len);
    }
    dw_jw_arr_end(w);
}

/* The "federation" object of /api/stats. */
void dwd_fed_stats_json(const dwd *d, dw_jw *w)
{
    const dwd_fed *f = d->fed;
    dw_jw_key(w, "federation");
    if (!f) {
        dw_jw_null(w);
        return;
    }
    dw_fedbus_stats bs;
    dw_fedbus_get_stats(f->bus, &bs);
    dw_jw_obj(w);
    dw_jw_kstr(w, "node", d->cfg.node_id);
    dw_jw_kstr(w, "owner", f->owner);
    dw_jw_key(w, "session");
    dw_jw_uint(w, f->session);
    dw_jw_kstr(w, "state", dw_fedbus_state_name(bs.state));
    dw_jw_kstr(w, "server", bs.server);
    dw_jw_kint(w, "streams_ready", bs.streams_ready);
#define U(k, v)          \
    dw_jw_key(w, k);     \
    dw_jw_uint(w, v)
    U("queued", bs.queued);
    U("queued_peak", bs.queued_peak);
    U("published", bs.published);
    U("duplicates", bs.duplicates);
    U("sent", bs.sent);
    U("resent", bs.resent);
    U("dropped", bs.dropped);
    U("publish_errors", bs.publish_errors);
    U("received", bs.received);
    U("acked", bs.acked);
    U("refused", bs.refused + f->q_refused);
    U("redelivered", bs.redelivered);
    U("consumer_errors", bs.consumer_errors);
    U("reconnects", bs.reconnects);
    U("unknown_origin", f->rx_unknown);
    U("partner_alert_errors", f->rx_engine_errors);
    U("partner_obs_counted", f->obs_counted);
#undef U
    dw_jw_key(w, "aligned_mean_s");
    dw_jw_double(w, f->aligned_n ? f->aligned_s_sum / (double)f->aligned_n : 0.0);
    if (bs.last_error[0])
        dw_jw_kstr(w, "last_error", bs.last_error);
    dw_jw_key(w, "latency_ms");
    dw_jw_obj(w);
    dw_jw_key(w, "n");
    dw_jw_uint(w, f->lat_n);
    dw_jw_key(w, "p50");
    dw_jw_double(w, lat_pct(f, 0.5));
    dw_jw_key(w, "p99");
    dw_jw_double(w, lat_pct(f, 0.99));
    dw_jw_obj_end(w);
    dw_jw_obj_end(w);
}

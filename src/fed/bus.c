/* bus.c — the node's connection to the federation bus (fedbus.h).
 *
 * The buffer is a ring indexed by a sequence number the bus gives each message: [head,
 * tail) are held, [head, next_send) have been handed to nats.c at least once. Each sent
 * message carries its sequence in a private header so that the PubAck (or the error) that
 * nats.c hands back can be matched to its slot without a table; a slot leaves the ring when
 * it and every older one are acked. An error puts the slot back to QUEUED and moves
 * next_send back to it; a reconnection takes back everything nats.c still waits on
 * (js_PublishAsyncGetPendingList) and re-queues all in-flight slots, because acks lost with
 * the old connection never come. Re-sends keep the caller's msg id, so JetStream stores a
 * message once however often it is sent.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

#include "dronewall/fed.h"
#include "dronewall/fedbus.h"

#define HDR_SEQ "Dw-Bus-Seq"
#define MSG_MAX (1u << 20)
#define SEND_BATCH 64
#define FETCH_WAIT_MS 500

enum { SLOT_EMPTY, SLOT_QUEUED, SLOT_INFLIGHT, SLOT_ACKED };

typedef struct slot {
    uint64_t seq;
    char *subj, *id;            /* both point into mem */
    const void *data;
    int len;
    uint8_t state;
    uint32_t attempts;
    void *mem;
} slot;

typedef struct consumer {
    dw_fedbus *bus;
    char *stream, *durable, *filter;
    natsSubscription *sub;
    uint64_t seen_seq;          /* highest stream sequence passed to on_msg */
    int caught_up;              /* the last pull found no backlog */
    pthread_t th;
    int started;
} consumer;

struct dw_fedbus {
    char node[DW_FED_NAME_MAX];
    char **streams, **stream_subj;
    size_t n_streams;
    int replicas;
    int64_t max_age_s, dup_window_s;
    size_t cap;
    int reconnect_ms, ack_wait_ms, max_inflight, fetch_batch;
    dw_fedbus_msg_fn on_msg;
    dw_fedbus_state_fn on_state;
    void *ctx;

    natsOptions *opts;
    natsConnection *nc;
    jsCtx *js;

    pthread_mutex_t mu;
    pthread_cond_t cv;          /* publisher and consumers: something changed */
    pthread_cond_t cv_flush;    /* flush waiters: the ring got shorter */

    slot *ring;
    uint64_t head, tail, next_send, id_base;
    int inflight;
    int stop;
    int connected, resync, streams_ready, closed_seen;
    struct timespec pause_until;        /* no sending before (after an error) */
    dw_fedbus_state state;

    dw_fedbus_stats st;         /* counters; state, server, queued filled on read */

    pthread_t pub_th;
    int pub_started;
    consumer *cons;
    size_t n_cons;
};

/* ---- small helpers ----------------------------------------------------------------- */

static void ts_now(struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
}

static void ts_add_ms(struct timespec *ts, int64_t ms)
{
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static int ts_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Wait on cv for at most ms (mu held). */
static void wait_ms(dw_fedbus *b, pthread_cond_t *cv, int64_t ms)
{
    struct timespec t;
    ts_now(&t);
    ts_add_ms(&t, ms);
    pthread_cond_timedwait(cv, &b->mu, &t);
}

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void errf(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* The last error, kept for the stats (mu held). */
static void set_error(dw_fedbus *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->st.last_error, sizeof b->st.last_error, fmt, ap);
    va_end(ap);
}

/* nats.c's own description of the last failure in this thread, or the status text. */
static const char *nats_err_text(natsStatus s)
{
    natsStatus ls = NATS_OK;
    const char *t = nats_GetLastError(&ls);
    return t && *t ? t : natsStatus_GetText(s);
}

static slot *slot_of(dw_fedbus *b, uint64_t seq)
{
    if (seq < b->head || seq >= b->tail)
        return NULL;
    slot *s = &b->ring[seq % b->cap];
    return s->seq == seq && s->state != SLOT_EMPTY ? s : NULL;
}

static void slot_free(slot *s)
{
    free(s->mem);
    memset(s, 0, sizeof *s);
}

/* Pop acked slots off the front (mu held). */
static void advance_head(dw_fedbus *b)
{
    while (b->head < b->tail) {
        slot *s = &b->ring[b->head % b->cap];
        if (s->state != SLOT_ACKED)
            break;
        slot_free(s);
        b->head++;
    }
    if (b->next_send < b->head)
        b->next_send = b->head;
    if (b->head == b->tail)
        pthread_cond_broadcast(&b->cv_flush);
}

static void notify_state(dw_fedbus *b)
{
    if (b->on_state)
        b->on_state(b->ctx);
}

/* ---- connection callbacks (nats.c threads: set flags, never call nats.c) ----------- */

static void became_connected(dw_fedbus *b, int reconnect)
{
    pthread_mutex_lock(&b->mu);
    b->connected = 1;
    b->state = DW_FEDBUS_CONNECTED;
    b->streams_ready = 0;       /* a restarted server without its store has none */
    b->resync = 1;
    if (reconnect)
        b->st.reconnects++;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    notify_state(b);
}

static void cb_connected(natsConnection *nc, void *closure)
{
    became_connected(closure, 0);
}

static void cb_reconnected(natsConnection *nc, void *closure)
{
    became_connected(closure, 1);
}

static void cb_disconnected(natsConnection *nc, void *closure)
{
    dw_fedbus *b = closure;
    pthread_mutex_lock(&b->mu);
    int was = b->connected;
    b->connected = 0;
    if (b->state != DW_FEDBUS_DOWN)
        b->state = was || b->state == DW_FEDBUS_RECONNECTING ? DW_FEDBUS_RECONNECTING
                                                             : DW_FEDBUS_CONNECTING;
    pthread_mutex_unlock(&b->mu);
    notify_state(b);
}

static void cb_closed(natsConnection *nc, void *closure)
{
    dw_fedbus *b = closure;
    pthread_mutex_lock(&b->mu);
    b->connected = 0;
    b->state = DW_FEDBUS_DOWN;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    notify_state(b);
    /* Last: once this is seen, dw_fedbus_stop may free the bus. */
    pthread_mutex_lock(&b->mu);
    b->closed_seen = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static void cb_async_err(natsConnection *nc, natsSubscription *sub, natsStatus err, void *closure)
{
    dw_fedbus *b = closure;
    pthread_mutex_lock(&b->mu);
    set_error(b, "nats: %s", natsStatus_GetText(err));
    pthread_mutex_unlock(&b->mu);
}

/* A PubAck or a publish error for one message we sent; the message is ours to destroy. */
static void cb_pub_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
    dw_fedbus *b = closure;
    const char *v = NULL;
    if (natsMsgHeader_Get(msg, HDR_SEQ, &v) != NATS_OK || !v) {
        natsMsg_Destroy(msg);
        return;
    }
    uint64_t seq = strtoull(v, NULL, 10);
    pthread_mutex_lock(&b->mu);
    if (b->inflight > 0)
        b->inflight--;
    slot *s = slot_of(b, seq);
    if (pa) {
        b->st.published++;
        if (pa->Duplicate)
            b->st.duplicates++;
        if (s) {
            s->state = SLOT_ACKED;
            advance_head(b);
        }
    } else {
        b->st.publish_errors++;
        if (pae)
            set_error(b, "publish %s: %s%s%s", natsMsg_GetSubject(msg), natsStatus_GetText(pae->Err),
                      pae->ErrText ? ": " : "", pae->ErrText ? pae->ErrText : "");
        if (s && s->state == SLOT_INFLIGHT) {
            s->state = SLOT_QUEUED;
            if (seq < b->next_send)
                b->next_send = seq;
        }
        /* No responders: the stream is gone (a server restarted without its store). */
        if (pae && pae->Err == NATS_NO_RESPONDERS)
            b->streams_ready = 0;
        ts_now(&b->pause_until);
        ts_add_ms(&b->pause_until, b->reconnect_ms);
    }
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    natsMsg_Destroy(msg);
}

/* ---- publisher thread --------------------------------------------------------------- */

/* Make sure every stream we publish into exists. Blocks on the server: no lock held. */
static int ensure_streams(dw_fedbus *b)
{
    for (size_t i = 0; i < b->n_streams; i++) {
        jsStreamConfig sc;
        jsStreamConfig_Init(&sc);
        sc.Name = b->streams[i];
        const char *subj[1] = {b->stream_subj[i]};
        sc.Subjects = subj;
        sc.SubjectsLen = 1;
        sc.Storage = js_FileStorage;
        sc.Replicas = b->replicas;
        sc.MaxAge = b->max_age_s * INT64_C(1000000000);
        sc.Duplicates = b->dup_window_s * INT64_C(1000000000);
        jsStreamInfo *si = NULL;
        jsErrCode jerr = 0;
        natsStatus s = js_AddStream(&si, b->js, &sc, NULL, &jerr);
        jsStreamInfo_Destroy(si);
        if (s == NATS_OK || jerr == JSStreamNameExistErr)
            continue;
        const char *why = nats_err_text(s);
        char whybuf[160];
        snprintf(whybuf, sizeof whybuf, "%s", why);
        /* Refused (e.g. an operator made the stream and we may not): fine if it is there. */
        si = NULL;
        if (js_GetStreamInfo(&si, b->js, b->streams[i], NULL, NULL) == NATS_OK) {
            jsStreamInfo_Destroy(si);
            continue;
        }
        pthread_mutex_lock(&b->mu);
        set_error(b, "stream %s: %s (err %d)", b->streams[i], whybuf, (int)jerr);
        pthread_mutex_unlock(&b->mu);
        return 0;
    }
    return 1;
}

/* js_PublishAsyncGetPendingList crashes in nats.c 3.4.1 on a context that never published
 * asynchronously (its pending map is made by the first publish): ask only after one. */
static void take_back_pending(dw_fedbus *b)
{
    pthread_mutex_lock(&b->mu);
    int sent = b->st.sent > 0;
    pthread_mutex_unlock(&b->mu);
    natsMsgList pl = {0};
    if (sent && b->js && js_PublishAsyncGetPendingList(&pl, b->js) == NATS_OK)
        natsMsgList_Destroy(&pl);
}

/* Take back what nats.c still waits on from before a reconnection and queue it again
 * (called with mu released). */
static void resync_pending(dw_fedbus *b)
{
    take_back_pending(b);
    pthread_mutex_lock(&b->mu);
    for (uint64_t q = b->head; q < b->tail; q++) {
        slot *s = &b->ring[q % b->cap];
        if (s->state == SLOT_INFLIGHT)
            s->state = SLOT_QUEUED;
    }
    b->inflight = 0;
    b->next_send = b->head;
    pthread_mutex_unlock(&b->mu);
}

static void *publisher_main(void *arg)
{
    dw_fedbus *b = arg;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = b->ack_wait_ms;
    natsMsg *batch[SEND_BATCH];
    uint64_t seqs[SEND_BATCH];

    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        if (!b->connected) {
            wait_ms(b, &b->cv, 1000);
            continue;
        }
        if (b->resync) {
            b->resync = 0;
            pthread_mutex_unlock(&b->mu);
            resync_pending(b);
            pthread_mutex_lock(&b->mu);
            continue;
        }
        if (!b->streams_ready) {
            pthread_mutex_unlock(&b->mu);
            int ok = ensure_streams(b);
            pthread_mutex_lock(&b->mu);
            if (ok)
                b->streams_ready = 1;
            else
                wait_ms(b, &b->cv, b->reconnect_ms);
            continue;
        }
        struct timespec now;
        ts_now(&now);
        if (ts_before(&now, &b->pause_until)) {
            pthread_cond_timedwait(&b->cv, &b->mu, &b->pause_until);
            continue;
        }
        while (b->next_send < b->tail && b->ring[b->next_send % b->cap].state != SLOT_QUEUED)
            b->next_send++;
        if (b->next_send >= b->tail || b->inflight >= b->max_inflight) {
            wait_ms(b, &b->cv, 1000);
            continue;
        }
        /* A batch of messages built under the lock (a copy each), sent without it. */
        int n = 0;
        while (n < SEND_BATCH && b->next_send < b->tail && b->inflight < b->max_inflight) {
            slot *s = &b->ring[b->next_send % b->cap];
            b->next_send++;
            if (s->state != SLOT_QUEUED)
                continue;
            natsMsg *m = NULL;
            char seqtxt[24];
            snprintf(seqtxt, sizeof seqtxt, "%" PRIu64, s->seq);
            if (natsMsg_Create(&m, s->subj, NULL, s->data, s->len) != NATS_OK ||
                natsMsgHeader_Set(m, "Nats-Msg-Id", s->id) != NATS_OK ||
                natsMsgHeader_Set(m, HDR_SEQ, seqtxt) != NATS_OK) {
                natsMsg_Destroy(m);
                b->next_send--;
                break;
            }
            s->state = SLOT_INFLIGHT;
            if (s->attempts++)
                b->st.resent++;
            b->st.sent++;
            b->inflight++;
            seqs[n] = s->seq;
            batch[n++] = m;
        }
        if (n == 0) {
            wait_ms(b, &b->cv, b->reconnect_ms);
            continue;
        }
        pthread_mutex_unlock(&b->mu);
        int failed_at = -1;
        natsStatus fs = NATS_OK;
        for (int i = 0; i < n; i++) {
            if (failed_at < 0) {
                fs = js_PublishMsgAsync(b->js, &batch[i], &po);
                if (fs != NATS_OK)
                    failed_at = i;
            }
            natsMsg_Destroy(batch[i]);      /* NULL once nats.c took it */
        }
        pthread_mutex_lock(&b->mu);
        if (failed_at >= 0) {
            /* Not handed over: queue them again, from the first that failed. */
            for (int i = failed_at; i < n; i++) {
                slot *s = slot_of(b, seqs[i]);
                if (s && s->state == SLOT_INFLIGHT)
                    s->state = SLOT_QUEUED;
                if (b->inflight > 0)
                    b->inflight--;
            }
            if (seqs[failed_at] < b->next_send)
                b->next_send = seqs[failed_at] < b->head ? b->head : seqs[failed_at];
            b->st.publish_errors++;
            set_error(b, "publish: %s", natsStatus_GetText(fs));
            ts_now(&b->pause_until);
            ts_add_ms(&b->pause_until, b->reconnect_ms);
        }
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* ---- consumer threads ----------------------------------------------------------------- */

/* Create the durable (if it is not there) and bind a pull subscription to it. Binding to a
 * consumer we made ourselves matters: nats.c deletes on unsubscribe a consumer that its own
 * subscribe call created, durable or not, and a stopped bus must leave its durable behind. */
static natsStatus consumer_subscribe(consumer *c)
{
    dw_fedbus *b = c->bus;
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = c->durable;
    cc.AckPolicy = js_AckExplicit;
    cc.DeliverPolicy = js_DeliverAll;
    cc.FilterSubject = c->filter;
    cc.MaxAckPending = 4 * (int64_t)b->fetch_batch + 1024;
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_AddConsumer(&ci, b->js, c->stream, &cc, NULL, &jerr);
    jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK && jerr != JSConsumerNameExistErr && jerr != JSConsumerExistingActiveErr) {
        /* Refused by permissions: fine if it exists. */
        ci = NULL;
        if (js_GetConsumerInfo(&ci, b->js, c->stream, c->durable, NULL, NULL) != NATS_OK) {
            pthread_mutex_lock(&b->mu);
            b->st.consumer_errors++;
            set_error(b, "consumer %s/%s: %s (err %d)", c->stream, c->durable, nats_err_text(s),
                      (int)jerr);
            pthread_mutex_unlock(&b->mu);
            return s;
        }
        jsConsumerInfo_Destroy(ci);
    }
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = c->stream;
    so.Consumer = c->durable;
    so.ManualAck = true;
    s = js_PullSubscribe(&c->sub, b->js, c->filter, c->durable, NULL, &so, &jerr);
    if (s != NATS_OK) {
        c->sub = NULL;
        pthread_mutex_lock(&b->mu);
        b->st.consumer_errors++;
        set_error(b, "subscribe %s/%s: %s (err %d)", c->stream, c->durable, nats_err_text(s),
                  (int)jerr);
        pthread_mutex_unlock(&b->mu);
    }
    return s;
}

static void deliver(consumer *c, natsMsg *msg)
{
    dw_fedbus *b = c->bus;
    jsMsgMetaData *md = NULL;
    dw_fedbus_meta m = {.stream = c->stream, .durable = c->durable};
    if (natsMsg_GetMetaData(&md, msg) == NATS_OK) {
        m.stream_seq = md->Sequence.Stream;
        m.delivered = md->NumDelivered;
        m.published_ns = md->Timestamp;
    }
    /* The server's count can restart at 1 when it lost its consumer state (a kill -9);
     * what this bus already handed over says "seen before" as well. */
    m.redelivered = m.delivered > 1 || (m.stream_seq && m.stream_seq <= c->seen_seq);
    if (m.stream_seq > c->seen_seq)
        c->seen_seq = m.stream_seq;
    int rc = b->on_msg(b->ctx, natsMsg_GetSubject(msg), natsMsg_GetData(msg),
                       (size_t)natsMsg_GetDataLength(msg), &m);
    jsMsgMetaData_Destroy(md);
    if (rc == 0)
        natsMsg_Ack(msg, NULL);
    else
        natsMsg_NakWithDelay(msg, (int64_t)b->reconnect_ms, NULL);
    pthread_mutex_lock(&b->mu);
    b->st.received++;
    if (rc == 0)
        b->st.acked++;
    else
        b->st.refused++;
    if (m.redelivered)
        b->st.redelivered++;
    pthread_mutex_unlock(&b->mu);
    if (rc != 0) {
        /* The caller cannot take more now: give it a moment before the next fetch. */
        pthread_mutex_lock(&b->mu);
        if (!b->stop)
            wait_ms(b, &b->cv, b->reconnect_ms);
        pthread_mutex_unlock(&b->mu);
    }
}

static void *consumer_main(void *arg)
{
    consumer *c = arg;
    dw_fedbus *b = c->bus;
    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        if (!b->connected) {
            wait_ms(b, &b->cv, 1000);
            continue;
        }
        pthread_mutex_unlock(&b->mu);
        if (!c->sub && consumer_subscribe(c) != NATS_OK) {
            pthread_mutex_lock(&b->mu);
            if (!b->stop)
                wait_ms(b, &b->cv, b->reconnect_ms);
            continue;
        }
        /* A pull for a full batch waits until the batch is full or the request expires,
         * which at a few thousand messages a second holds each for tens of ms. So: take
         * what is there without waiting (NoWait, a full batch) while there is a backlog,
         * and when caught up wait for the next single message, then drain again. */
        natsMsgList list = {0};
        jsFetchRequest fr;
        jsFetchRequest_Init(&fr);
        fr.Expires = (int64_t)FETCH_WAIT_MS * 1000000;
        fr.Batch = c->caught_up ? 1 : b->fetch_batch;
        fr.NoWait = !c->caught_up;
        natsStatus s = natsSubscription_FetchRequest(&list, c->sub, &fr);
        if (s == NATS_OK)
            c->caught_up = fr.NoWait && list.Count < b->fetch_batch;
        else if (s == NATS_TIMEOUT || s == NATS_NOT_FOUND)
            c->caught_up = 1;
        if (s == NATS_NOT_FOUND && fr.NoWait)
            s = NATS_TIMEOUT;               /* "no messages" to a NoWait pull */
        if (s == NATS_OK) {
            for (int i = 0; i < list.Count; i++) {
                pthread_mutex_lock(&b->mu);
                int stop = b->stop;
                pthread_mutex_unlock(&b->mu);
                if (stop)
                    /* Give the rest back at once rather than after the ack wait. */
                    natsMsg_Nak(list.Msgs[i], NULL);
                else
                    deliver(c, list.Msgs[i]);
            }
            natsMsgList_Destroy(&list);
        } else if (s != NATS_TIMEOUT) {
            natsMsgList_Destroy(&list);
            pthread_mutex_lock(&b->mu);
            int up = b->connected;
            if (up) {
                b->st.consumer_errors++;
                set_error(b, "fetch %s/%s: %s", c->stream, c->durable, natsStatus_GetText(s));
            }
            pthread_mutex_unlock(&b->mu);
            /* The consumer may be gone (a server that lost its store): make it again. */
            if (up && (s == NATS_NO_RESPONDERS || s == NATS_NOT_FOUND ||
                       s == NATS_INVALID_SUBSCRIPTION || s == NATS_CONNECTION_CLOSED ||
                       s == NATS_ERR)) {
                natsSubscription_Destroy(c->sub);
                c->sub = NULL;
            }
            pthread_mutex_lock(&b->mu);
            if (!b->stop)
                wait_ms(b, &b->cv, b->reconnect_ms);
            continue;
        }
        pthread_mutex_lock(&b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* ---- configuration ------------------------------------------------------------------ */

/* nats.c accepts nearly anything at SetServers and fails only when it tries to connect,
 * where a retrying bus would hide the mistake: check each URL here. */
static int url_ok(const char *u, size_t n)
{
    const char *p = u, *end = u + n;
    const char *sep = NULL;
    for (const char *q = u; q + 2 < end; q++)
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            sep = q;
            break;
        }
    if (sep) {
        size_t sl = (size_t)(sep - u);
        if (!((sl == 4 && !strncmp(u, "nats", 4)) || (sl == 3 && !strncmp(u, "tls", 3))))
            return 0;
        p = sep + 3;
    }
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    if (at)
        p = at + 1;
    const char *colon = NULL;
    for (const char *q = p; q < end; q++) {
        if (*q == ':')
            colon = q;
        else if (*q == '/' || *q == ' ' || *q == '\t')
            return 0;
    }
    const char *host_end = colon ? colon : end;
    if (host_end == p)
        return 0;
    for (const char *q = p; q < host_end; q++) {
        char ch = *q;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '.' || ch == '_' || ch == '[' || ch == ']'))
            return 0;
    }
    if (colon) {
        if (colon + 1 == end || end - colon > 6)
            return 0;
        long port = 0;
        for (const char *q = colon + 1; q < end; q++) {
            if (*q < '0' || *q > '9')
                return 0;
            port = port * 10 + (*q - '0');
        }
        if (port < 1 || port > 65535)
            return 0;
    }
    return 1;
}

static int file_readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fclose(f);
    return 1;
}

const char *dw_fedbus_state_name(dw_fedbus_state s)
{
    switch (s) {
    case DW_FEDBUS_CONNECTING: return "connecting";
    case DW_FEDBUS_CONNECTED: return "connected";
    case DW_FEDBUS_RECONNECTING: return "reconnecting";
    case DW_FEDBUS_DOWN: return "down";
    }
    return "?";
}

static void bus_free(dw_fedbus *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_streams; i++) {
        free(b->streams ? b->streams[i] : NULL);
        free(b->stream_subj ? b->stream_subj[i] : NULL);
    }
    free(b->streams);
    free(b->stream_subj);
    for (size_t i = 0; i < b->n_cons; i++) {
        free(b->cons[i].stream);
        free(b->cons[i].durable);
        free(b->cons[i].filter);
    }
    free(b->cons);
    if (b->ring) {
        for (size_t i = 0; i < b->cap; i++)
            free(b->ring[i].mem);
        free(b->ring);
    }
    natsOptions_Destroy(b->opts);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    pthread_cond_destroy(&b->cv_flush);
    free(b);
}

/* Everything from the config that does not need nats.c; DW_OK or an error in err. */
static dw_status copy_config(dw_fedbus *b, const dw_fedbus_config *cfg, char *err, size_t errcap)
{
    if (!dw_fed_name_ok(cfg->node)) {
        errf(err, errcap, "fedbus: node id '%s' is not valid (1-32 of A-Z a-z 0-9 - _)",
             cfg->node ? cfg->node : "(null)");
        return DW_ERR_INVALID;
    }
    snprintf(b->node, sizeof b->node, "%s", cfg->node);
    b->replicas = cfg->replicas > 0 ? cfg->replicas : 1;
    b->max_age_s = cfg->max_age_s > 0 ? cfg->max_age_s : 0;
    b->dup_window_s = cfg->dup_window_s > 0 ? cfg->dup_window_s : 120;
    b->cap = cfg->buffer_max ? cfg->buffer_max : DW_FEDBUS_DEFAULT_BUFFER_MAX;
    b->reconnect_ms = cfg->reconnect_wait_ms > 0 ? cfg->reconnect_wait_ms : 250;
    b->ack_wait_ms = cfg->ack_wait_ms > 0 ? cfg->ack_wait_ms : 2000;
    b->max_inflight = cfg->max_inflight > 0 ? cfg->max_inflight : 4096;
    b->fetch_batch = cfg->fetch_batch > 0 ? cfg->fetch_batch : 256;
    b->on_msg = cfg->on_msg;
    b->on_state = cfg->on_state;
    b->ctx = cfg->ctx;
    if (cfg->n_consumers && !cfg->on_msg) {
        errf(err, errcap, "fedbus: consumers configured but no on_msg");
        return DW_ERR_INVALID;
    }
    if (cfg->n_audiences && !cfg->audiences) {
        errf(err, errcap, "fedbus: n_audiences without audiences");
        return DW_ERR_INVALID;
    }
    b->ring = calloc(b->cap, sizeof *b->ring);
    b->streams = calloc(cfg->n_audiences + 1, sizeof *b->streams);
    b->stream_subj = calloc(cfg->n_audiences + 1, sizeof *b->stream_subj);
    b->cons = calloc(cfg->n_consumers + 1, sizeof *b->cons);
    if (!b->ring || !b->streams || !b->stream_subj || !b->cons) {
        errf(err, errcap, "fedbus: out of memory");
        return DW_ERR_NOMEM;
    }
    for (size_t i = 0; i < cfg->n_audiences; i++) {
        char name[80], subj[96];
        const char *aud = cfg->audiences[i];
        if (dw_fed_stream_name(b->node, aud, name, sizeof name) != DW_OK ||
            dw_fed_stream_subjects(b->node, aud, subj, sizeof subj) != DW_OK) {
            errf(err, errcap, "fedbus: audience '%s' is not valid", aud ? aud : "(null)");
            return DW_ERR_INVALID;
        }
        b->n_streams = i + 1;
        b->streams[i] = dup_str(name);
        b->stream_subj[i] = dup_str(subj);
        if (!b->streams[i] || !b->stream_subj[i]) {
            errf(err, errcap, "fedbus: out of memory");
            return DW_ERR_NOMEM;
        }
    }
    for (size_t i = 0; i < cfg->n_consumers; i++) {
        const dw_fedbus_consumer *cc = &cfg->consumers[i];
        if (!cc->stream || !*cc->stream || !dw_fed_name_ok(cc->durable)) {
            errf(err, errcap, "fedbus: consumer %zu: needs a stream and a valid durable name", i);
            return DW_ERR_INVALID;
        }
        consumer *c = &b->cons[i];
        b->n_cons = i + 1;
        c->bus = b;
        c->stream = dup_str(cc->stream);
        c->durable = dup_str(cc->durable);
        c->filter = cc->filter ? dup_str(cc->filter) : NULL;
        if (!c->stream || !c->durable || (cc->filter && !c->filter)) {
            errf(err, errcap, "fedbus: out of memory");
            return DW_ERR_NOMEM;
        }
    }
    return DW_OK;
}

/* The natsOptions from the config; DW_OK or an error in err. */
static dw_status make_options(dw_fedbus *b, const dw_fedbus_config *cfg, char *err, size_t errcap)
{
    if (!cfg->servers || !*cfg->servers) {
        errf(err, errcap, "fedbus: no servers given");
        return DW_ERR_INVALID;
    }
    /* Split "a,b,c": SetURL takes one URL only (dependencies.md §11.2). */
    size_t n = 1;
    for (const char *p = cfg->servers; *p; p++)
        n += *p == ',';
    char *copy = dup_str(cfg->servers);
    const char **urls = calloc(n, sizeof *urls);
    if (!copy || !urls) {
        free(copy);
        free(urls);
        errf(err, errcap, "fedbus: out of memory");
        return DW_ERR_NOMEM;
    }
    size_t k = 0;
    dw_status st = DW_OK;
    for (char *tok = copy, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (!url_ok(tok, len)) {
            errf(err, errcap, "fedbus: server URL '%s' cannot be parsed (nats://host:port)", tok);
            st = DW_ERR_INVALID;
            break;
        }
        urls[k++] = tok;
    }
    natsStatus s = NATS_OK;
    const char *what = "options";
    if (st == DW_OK) {
        char inbox[64];
        dw_fed_inbox_prefix(b->node, inbox, sizeof inbox);
        s = natsOptions_Create(&b->opts);
        if (s == NATS_OK && (what = "servers", 1))
            s = natsOptions_SetServers(b->opts, urls, (int)k);
        if (s == NATS_OK && (what = "inbox prefix", 1))
            s = natsOptions_SetCustomInboxPrefix(b->opts, inbox);
        if (s == NATS_OK && (cfg->user || cfg->password) && (what = "user", 1))
            s = natsOptions_SetUserInfo(b->opts, cfg->user, cfg->password);
        if (s == NATS_OK && (what = "reconnect", 1)) {
            s = natsOptions_SetMaxReconnect(b->opts, -1);
            if (s == NATS_OK)
                s = natsOptions_SetReconnectWait(b->opts, b->reconnect_ms);
            if (s == NATS_OK)
                s = natsOptions_SetRetryOnFailedConnect(b->opts, true, cb_connected, b);
            /* What nats.c buffers while reconnecting: our ring is the real buffer. */
            if (s == NATS_OK)
                s = natsOptions_SetReconnectBufSize(b->opts, 8 * 1024 * 1024);
            if (s == NATS_OK)
                s = natsOptions_SetTimeout(b->opts, 2000);
            if (s == NATS_OK)
                s = natsOptions_SetDisconnectedCB(b->opts, cb_disconnected, b);
            if (s == NATS_OK)
                s = natsOptions_SetReconnectedCB(b->opts, cb_reconnected, b);
            if (s == NATS_OK)
                s = natsOptions_SetClosedCB(b->opts, cb_closed, b);
            if (s == NATS_OK)
                s = natsOptions_SetErrorHandler(b->opts, cb_async_err, b);
        }
        int tls = cfg->tls_ca || cfg->tls_cert || cfg->tls_key;
        if (s == NATS_OK && tls) {
            const char *files[3] = {cfg->tls_ca, cfg->tls_cert, cfg->tls_key};
            const char *names[3] = {"CA", "certificate", "key"};
            for (int i = 0; i < 3; i++)
                if (files[i] && !file_readable(files[i])) {
                    errf(err, errcap, "fedbus: TLS %s file '%s': %s", names[i], files[i],
                         strerror(errno));
                    st = DW_ERR_IO;
                    break;
                }
            if ((cfg->tls_cert != NULL) != (cfg->tls_key != NULL) && st == DW_OK) {
                errf(err, errcap, "fedbus: TLS needs both a certificate and a key file");
                st = DW_ERR_INVALID;
            }
            if (st == DW_OK && (what = "TLS", 1))
                s = natsOptions_SetSecure(b->opts, true);
            if (st == DW_OK && s == NATS_OK && cfg->tls_ca && (what = "TLS CA file", 1))
                s = natsOptions_LoadCATrustedCertificates(b->opts, cfg->tls_ca);
            if (st == DW_OK && s == NATS_OK && cfg->tls_cert &&
                (what = "TLS certificate/key", 1))
                s = natsOptions_LoadCertificatesChain(b->opts, cfg->tls_cert, cfg->tls_key);
        }
        if (st == DW_OK && s != NATS_OK) {
            errf(err, errcap, "fedbus: %s: %s", what, nats_err_text(s));
            st = DW_ERR_IO;
        }
    }
    free(urls);
    free(copy);
    return st;
}

/* ---- public ------------------------------------------------------------------------- */

dw_status dw_fedbus_start(const dw_fedbus_config *cfg, dw_fedbus **out, char *err, size_t errcap)
{
    if (!cfg || !out) {
        errf(err, errcap, "fedbus: no config");
        return DW_ERR_INVALID;
    }
    dw_fedbus *b = calloc(1, sizeof *b);
    if (!b) {
        errf(err, errcap, "fedbus: out of memory");
        return DW_ERR_NOMEM;
    }
    pthread_mutex_init(&b->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->cv, &ca);
    pthread_cond_init(&b->cv_flush, &ca);
    pthread_condattr_destroy(&ca);
    b->state = DW_FEDBUS_CONNECTING;

    dw_status st = copy_config(b, cfg, err, errcap);
    if (st == DW_OK)
        st = make_options(b, cfg, err, errcap);
    if (st != DW_OK) {
        bus_free(b);
        return st;
    }
    struct timespec t0;
    clock_gettime(CLOCK_REALTIME, &t0);
    b->id_base = (uint64_t)t0.tv_sec * 1000000000u + (uint64_t)t0.tv_nsec;

    natsStatus s = natsConnection_Connect(&b->nc, b->opts);
    if (s == NATS_OK) {
        pthread_mutex_lock(&b->mu);
        b->connected = 1;
        b->state = DW_FEDBUS_CONNECTED;
        pthread_mutex_unlock(&b->mu);
    } else if (s != NATS_NOT_YET_CONNECTED) {
        errf(err, errcap, "fedbus: connect: %s", nats_err_text(s));
        natsConnection_Destroy(b->nc);
        bus_free(b);
        return DW_ERR_IO;
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = 5000;
    jo.PublishAsync.MaxPending = 4 * (int64_t)b->max_inflight;
    jo.PublishAsync.AckHandler = cb_pub_ack;
    jo.PublishAsync.AckHandlerClosure = b;
    s = natsConnection_JetStream(&b->js, b->nc, &jo);
    if (s != NATS_OK) {
        errf(err, errcap, "fedbus: JetStream context: %s", nats_err_text(s));
        natsConnection_Destroy(b->nc);
        bus_free(b);
        return DW_ERR_IO;
    }
    if (pthread_create(&b->pub_th, NULL, publisher_main, b) == 0)
        b->pub_started = 1;
    for (size_t i = 0; b->pub_started && i < b->n_cons; i++)
        if (pthread_create(&b->cons[i].th, NULL, consumer_main, &b->cons[i]) == 0)
            b->cons[i].started = 1;
    int all = b->pub_started;
    for (size_t i = 0; i < b->n_cons; i++)
        all = all && b->cons[i].started;
    if (!all) {
        errf(err, errcap, "fedbus: cannot start threads");
        dw_fedbus_stop(b);
        return DW_ERR_NOMEM;
    }
    *out = b;
    return DW_OK;
}

dw_status dw_fedbus_publish(dw_fedbus *bus, const char *subject, const void *data, size_t len,
                            const char *msg_id)
{
    if (!bus || !subject || !*subject || len > MSG_MAX || (len && !data))
        return DW_ERR_INVALID;
    char autoid[64];
    size_t sl = strlen(subject) + 1;
    size_t il = msg_id ? strlen(msg_id) + 1 : sizeof autoid;
    char *mem = malloc(sl + il + len + 1);
    if (!mem)
        return DW_ERR_NOMEM;
    memcpy(mem, subject, sl);
    if (len)
        memcpy(mem + sl + il, data, len);
    pthread_mutex_lock(&bus->mu);
    if (!msg_id) {
        snprintf(autoid, sizeof autoid, "%s-%" PRIx64 "-%" PRIu64, bus->node, bus->id_base, bus->tail);
        msg_id = autoid;
    }
    memcpy(mem + sl, msg_id, strlen(msg_id) + 1);
    if (bus->tail - bus->head >= bus->cap) {
        /* Full: the oldest goes. If it is in flight its ack is simply not matched. */
        slot_free(&bus->ring[bus->head % bus->cap]);
        bus->head++;
        bus->st.dropped++;
        advance_head(bus);
    }
    slot *s = &bus->ring[bus->tail % bus->cap];
    s->seq = bus->tail++;
    s->mem = mem;
    s->subj = mem;
    s->id = mem + sl;
    s->data = mem + sl + il;
    s->len = (int)len;
    s->state = SLOT_QUEUED;
    s->attempts = 0;
    uint64_t q = bus->tail - bus->head;
    if (q > bus->st.queued_peak)
        bus->st.queued_peak = q;
    pthread_cond_broadcast(&bus->cv);
    pthread_mutex_unlock(&bus->mu);
    return DW_OK;
}

dw_status dw_fedbus_flush(dw_fedbus *bus, int timeout_ms)
{
    if (!bus)
        return DW_ERR_INVALID;
    struct timespec until;
    ts_now(&until);
    ts_add_ms(&until, timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&bus->mu);
    while (bus->head != bus->tail) {
        if (pthread_cond_timedwait(&bus->cv_flush, &bus->mu, &until) == ETIMEDOUT)
            break;
    }
    dw_status st = bus->head == bus->tail ? DW_OK : DW_ERR_RANGE;
    pthread_mutex_unlock(&bus->mu);
    return st;
}

void dw_fedbus_get_stats(dw_fedbus *bus, dw_fedbus_stats *out)
{
    if (!bus || !out)
        return;
    pthread_mutex_lock(&bus->mu);
    *out = bus->st;
    out->state = bus->state;
    out->streams_ready = bus->streams_ready;
    out->queued = bus->tail - bus->head;
    int up = bus->connected;
    pthread_mutex_unlock(&bus->mu);
    out->server[0] = '\0';
    if (up && bus->nc &&
        natsConnection_GetConnectedUrl(bus->nc, out->server, sizeof out->server) != NATS_OK)
        out->server[0] = '\0';
}

void dw_fedbus_stop(dw_fedbus *bus)
{
    if (!bus)
        return;
    pthread_mutex_lock(&bus->mu);
    bus->stop = 1;
    pthread_cond_broadcast(&bus->cv);
    pthread_mutex_unlock(&bus->mu);
    if (bus->pub_started)
        pthread_join(bus->pub_th, NULL);
    for (size_t i = 0; i < bus->n_cons; i++)
        if (bus->cons[i].started)
            pthread_join(bus->cons[i].th, NULL);
    /* nats.c calls our ack handler only for messages it still holds: take them back so
     * that no call comes after the bus is freed; the lock waits out one in progress. */
    take_back_pending(bus);
    pthread_mutex_lock(&bus->mu);
    int up = bus->connected;
    pthread_mutex_unlock(&bus->mu);
    /* Acks and naks are publishes: let them reach the server before the close. */
    if (bus->nc && up)
        natsConnection_FlushTimeout(bus->nc, 1000);
    /* Destroy, not unsubscribe: the durable stays on the server for the next start. */
    for (size_t i = 0; i < bus->n_cons; i++)
        natsSubscription_Destroy(bus->cons[i].sub);
    if (bus->nc) {
        natsConnection_Close(bus->nc);
        /* The connection callbacks run in nats.c's own thread: wait for the last one. */
        struct timespec until;
        ts_now(&until);
        ts_add_ms(&until, 3000);
        pthread_mutex_lock(&bus->mu);
        while (!bus->closed_seen)
            if (pthread_cond_timedwait(&bus->cv, &bus->mu, &until) == ETIMEDOUT)
                break;
        pthread_mutex_unlock(&bus->mu);
    }
    jsCtx_Destroy(bus->js);
    natsConnection_Destroy(bus->nc);
    bus_free(bus);
}

void dw_fedbus_library_close(void)
{
    nats_CloseAndWait(5000);
}

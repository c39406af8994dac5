/* natsprobe.c — one action on the federation's NATS bus, to see whether the server allows it.
 *
 * tests/integration/fed_security.sh drives it: each run connects as one user, tries one thing
 * (a JetStream publish, a stream, a durable pull consumer, a core subscription...) and reports
 * whether the server allowed it. A permission violation reaches the client asynchronously
 * (the server answers -ERR and drops the message, so a refused request would only time out):
 * the error handler wakes the main thread, which reports the refusal at once.
 *
 * Prints one line: "ok ...", "refused: <the server's reason>" or "error: ...".
 * Exit codes: 0 allowed, 3 refused by the server (permissions, authorization, TLS required),
 * 2 usage or any other error (a timeout, a missing stream, no server).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "dronewall/fed.h"

#define EXIT_OK 0
#define EXIT_USAGE 2
#define EXIT_REFUSED 3

static const char usage_text[] =
    "usage: dw_tool_natsprobe --servers URLS [--user U --password-file F] [--inbox-prefix P]\n"
    "                         [--tls-ca F] [--wait MS] [--replicas R] [--data S]\n"
    "                         [--stream-subjects S] ACTION ARGS\n"
    "actions:\n"
    "  connect                      connect, nothing else\n"
    "  publish SUBJECT              JetStream publish, expecting a PubAck\n"
    "  core-publish SUBJECT         a core NATS publish (and a flush)\n"
    "  subscribe SUBJECT            a core subscription\n"
    "  add-stream NODE AUDIENCE     create stream DW_NODE_AUDIENCE on dw.NODE.AUDIENCE.>\n"
    "                               (or on --stream-subjects S: a probe of the stream's body)\n"
    "  stream-info STREAM           look a stream up\n"
    "  delete-stream STREAM         delete a stream\n"
    "  purge-stream STREAM          purge a stream\n"
    "  add-consumer STREAM [NAME]   create a durable pull consumer NAME (none: ephemeral)\n"
    "  read STREAM DURABLE [N]      bind or create durable pull consumer DURABLE, fetch up to N\n"
    "                               (default 10) messages and acknowledge them\n"
    "URLS is comma-separated; the inbox prefix defaults to _INBOX_<user> (fed.h) when the user\n"
    "is a node id, '-' keeps the library's _INBOX. Exit: 0 allowed, 3 refused, 2 other.\n";

/* What the error handler saw, and whether the action is over. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refused;
    int done;
    int rc;
    char reason[512];
} g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, ""};

static struct {
    const char *servers;
    const char *user;
    const char *password_file;
    const char *inbox_prefix;
    const char *tls_ca;
    const char *data;
    const char *stream_subjects;
    int64_t wait_ms;
    int replicas;
    char **args;
    int nargs;
    natsConnection *nc;
    jsCtx *js;
} opt = {.data = "natsprobe", .wait_ms = 2000, .replicas = 1};

static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus err, void *closure)
{
    const char *text = NULL;
    if (err != NATS_NOT_PERMITTED)
        return;
    natsConnection_GetLastError(nc, &text);
    pthread_mutex_lock(&g.mu);
    if (!g.refused) {
        g.refused = 1;
        snprintf(g.reason, sizeof g.reason, "%s", text && *text ? text : natsStatus_GetText(err));
    }
    pthread_cond_signal(&g.cv);
    pthread_mutex_unlock(&g.mu);
}

/* Connection-time statuses that mean the server (or the TLS handshake) said no. */
static int status_refused(natsStatus s)
{
    return s == NATS_NOT_PERMITTED || s == NATS_CONNECTION_AUTH_FAILED ||
           s == NATS_SECURE_CONNECTION_REQUIRED || s == NATS_SSL_ERROR;
}

static int report(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int report(int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    return rc;
}

static int js_fail(const char *what, natsStatus s, jsErrCode jerr)
{
    const char *last = nats_GetLastError(NULL);
    if (s == NATS_NOT_PERMITTED)
        return report(EXIT_REFUSED, "refused: %s: %s", what, last ? last : natsStatus_GetText(s));
    return report(EXIT_USAGE, "error: %s: %s (jetstream error %d)%s%s", what, natsStatus_GetText(s),
                  (int)jerr, last ? ": " : "", last ? last : "");
}

/* Waits up to ms for a permission violation to arrive (after a flush, it is on its way). */
static void settle(int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&g.mu);
    while (!g.refused)
        if (pthread_cond_timedwait(&g.cv, &g.mu, &ts) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&g.mu);
}

/* 1 when a violation has come: main reports it, the action says nothing more. */
static int was_refused(void)
{
    pthread_mutex_lock(&g.mu);
    int r = g.refused;
    pthread_mutex_unlock(&g.mu);
    return r;
}

static int act_publish(void)
{
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = opt.wait_ms;
    natsStatus s = js_Publish(&pa, opt.js, opt.args[1], opt.data, (int)strlen(opt.data), &po, &jerr);
    if (s != NATS_OK)
        return js_fail("publish", s, jerr);
    int rc = report(EXIT_OK, "ok published to %s: stream %s seq %llu", opt.args[1], pa->Stream,
                    (unsigned long long)pa->Sequence);
    jsPubAck_Destroy(pa);
    return rc;
}

static int act_core_publish(void)
{
    natsStatus s = natsConnection_PublishString(opt.nc, opt.args[1], opt.data);
    if (s == NATS_OK)
        s = natsConnection_FlushTimeout(opt.nc, opt.wait_ms);
    if (s != NATS_OK)
        return js_fail("core publish", s, 0);
    settle(300);
    if (was_refused())
        return EXIT_REFUSED;
    return report(EXIT_OK, "ok core-published to %s", opt.args[1]);
}

static int act_subscribe(void)
{
    natsSubscription *sub = NULL;
    natsStatus s = natsConnection_SubscribeSync(&sub, opt.nc, opt.args[1]);
    if (s == NATS_OK)
        s = natsConnection_FlushTimeout(opt.nc, opt.wait_ms);
    if (s != NATS_OK) {
        natsSubscription_Destroy(sub);
        return js_fail("subscribe", s, 0);
    }
    settle(300);
    natsSubscription_Destroy(sub);
    if (was_refused())
        return EXIT_REFUSED;
    return report(EXIT_OK, "ok subscribed to %s", opt.args[1]);
}

static int act_add_stream(void)
{
    char name[128], subj[128];
    if (dw_fed_stream_name(opt.args[1], opt.args[2], name, sizeof name) != DW_OK ||
        dw_fed_stream_subjects(opt.args[1], opt.args[2], subj, sizeof subj) != DW_OK)
        return report(EXIT_USAGE, "error: '%s' and '%s' are not a node id and an audience",
                      opt.args[1], opt.args[2]);
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    const char *subjects[1] = {opt.stream_subjects ? opt.stream_subjects : subj};
    sc.Name = name;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Replicas = opt.replicas;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_AddStream(&si, opt.js, &sc, NULL, &jerr);
    if (s != NATS_OK && jerr == JSStreamNameExistErr)
        return report(EXIT_OK, "ok stream %s exists", name);
    if (s != NATS_OK)
        return js_fail("add stream", s, jerr);
    jsStreamInfo_Destroy(si);
    return report(EXIT_OK, "ok created stream %s (%s, %d replicas)", name, subjects[0], opt.replicas);
}

static int act_stream_info(void)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, opt.js, opt.args[1], NULL, &jerr);
    if (s != NATS_OK)
        return js_fail("stream info", s, jerr);
    int rc = report(EXIT_OK, "ok stream %s: %llu messages", opt.args[1],
                    (unsigned long long)si->State.Msgs);
    jsStreamInfo_Destroy(si);
    return rc;
}

static int act_delete_or_purge(int purge)
{
    jsErrCode jerr = 0;
    natsStatus s = purge ? js_PurgeStream(opt.js, opt.args[1], NULL, &jerr)
                         : js_DeleteStream(opt.js, opt.args[1], NULL, &jerr);
    if (s != NATS_OK)
        return js_fail(purge ? "purge stream" : "delete stream", s, jerr);
    return report(EXIT_OK, "ok %s stream %s", purge ? "purged" : "deleted", opt.args[1]);
}

static int act_add_consumer(void)
{
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = opt.nargs > 2 ? opt.args[2] : NULL;
    cc.AckPolicy = js_AckExplicit;
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_AddConsumer(&ci, opt.js, opt.args[1], &cc, NULL, &jerr);
    if (s != NATS_OK)
        return js_fail("add consumer", s, jerr);
    int rc = report(EXIT_OK, "ok consumer %s on %s", ci->Name, opt.args[1]);
    jsConsumerInfo_Destroy(ci);
    return rc;
}

/* The stream's subjects, from its name DW_<node>_<audience>: the audience is what follows the
 * last '_' (an owner with '_' in it needs the stream's own filter; none in the tests). */
static int stream_filter(const char *stream, char *buf, size_t cap)
{
    const char *last = strrchr(stream, '_');
    char node[DW_FED_NAME_MAX];
    if (strncmp(stream, "DW_", 3) != 0 || !last || last <= stream + 3 ||
        (size_t)(last - (stream + 3)) >= sizeof node)
        return -1;
    memcpy(node, stream + 3, (size_t)(last - (stream + 3)));
    node[last - (stream + 3)] = '\0';
    return dw_fed_stream_subjects(node, last + 1, buf, cap) == DW_OK ? 0 : -1;
}

static int act_read(void)
{
    const char *stream = opt.args[1], *durable = opt.args[2];
    int want = opt.nargs > 3 ? atoi(opt.args[3]) : 10;
    char filter[128];
    if (want < 1 || stream_filter(stream, filter, sizeof filter) != 0)
        return report(EXIT_USAGE, "error: read STREAM DURABLE [N]: stream DW_<node>_<audience>, N >= 1");
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream;
    so.Config.AckPolicy = js_AckExplicit;
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_PullSubscribe(&sub, opt.js, filter, durable, NULL, &so, &jerr);
    if (s != NATS_OK)
        return js_fail("pull subscribe", s, jerr);
    natsMsgList list = {0};
    s = natsSubscription_Fetch(&list, sub, want, opt.wait_ms, &jerr);
    if (s != NATS_OK && s != NATS_TIMEOUT) {
        natsSubscription_Destroy(sub);
        return js_fail("fetch", s, jerr);
    }
    int n = s == NATS_OK ? list.Count : 0;
    for (int i = 0; i < n; i++) {
        s = natsMsg_AckSync(list.Msgs[i], NULL, &jerr);
        if (s != NATS_OK) {
            natsMsgList_Destroy(&list);
            natsSubscription_Destroy(sub);
            return js_fail("ack", s, jerr);
        }
    }
    char first[160] = "";
    if (n > 0)
        snprintf(first, sizeof first, " (first: %s \"%.*s\")", natsMsg_GetSubject(list.Msgs[0]),
                 natsMsg_GetDataLength(list.Msgs[0]) > 64 ? 64 : natsMsg_GetDataLength(list.Msgs[0]),
                 natsMsg_GetData(list.Msgs[0]));
    natsMsgList_Destroy(&list);
    natsSubscription_Destroy(sub);
    return report(EXIT_OK, "ok read %d from %s as %s%s", n, stream, durable, first);
}

static const struct action {
    const char *name;
    int min_args, max_args; /* after the action's name */
    int need_js;
    int (*run)(void);
} actions[] = {
    {"connect", 0, 0, 0, NULL},
    {"publish", 1, 1, 1, act_publish},
    {"core-publish", 1, 1, 0, act_core_publish},
    {"subscribe", 1, 1, 0, act_subscribe},
    {"add-stream", 2, 2, 1, act_add_stream},
    {"stream-info", 1, 1, 1, act_stream_info},
    {"delete-stream", 1, 1, 1, NULL},
    {"purge-stream", 1, 1, 1, NULL},
    {"add-consumer", 1, 2, 1, act_add_consumer},
    {"read", 2, 3, 1, act_read},
};

static const struct action *chosen;

static void *worker(void *arg)
{
    int rc;
    if (strcmp(chosen->name, "delete-stream") == 0)
        rc = act_delete_or_purge(0);
    else if (strcmp(chosen->name, "purge-stream") == 0)
        rc = act_delete_or_purge(1);
    else
        rc = chosen->run();
    pthread_mutex_lock(&g.mu);
    g.done = 1;
    g.rc = rc;
    pthread_cond_signal(&g.cv);
    pthread_mutex_unlock(&g.mu);
    return NULL;
}

static int read_password(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    if (!fgets(buf, (int)cap, f)) {
        fclose(f);
        return -1;
    }
    fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int connect_bus(void)
{
    natsOptions *o = NULL;
    char *urls = strdup(opt.servers);
    const char *list[32];
    int n = 0;
    char password[256];
    char inbox[64];
    if (!urls)
        return report(EXIT_USAGE, "error: out of memory");
    for (char *save = NULL, *t = strtok_r(urls, ",", &save); t && n < 32;
         t = strtok_r(NULL, ",", &save))
        list[n++] = t;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK)
        s = natsOptions_SetServers(o, list, n);
    if (s == NATS_OK)
        s = natsOptions_SetNoRandomize(o, true);
    if (s == NATS_OK)
        s = natsOptions_SetAllowReconnect(o, false);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(o, opt.wait_ms);
    if (s == NATS_OK)
        s = natsOptions_SetErrorHandler(o, on_error, NULL);
    if (s == NATS_OK && opt.user) {
        if (!opt.password_file || read_password(opt.password_file, password, sizeof password) != 0) {
            natsOptions_Destroy(o);
            free(urls);
            return report(EXIT_USAGE, "error: --user needs a readable --password-file");
        }
        s = natsOptions_SetUserInfo(o, opt.user, password);
    }
    const char *prefix = opt.inbox_prefix;
    if (!prefix && opt.user && dw_fed_inbox_prefix(opt.user, inbox, sizeof inbox) == DW_OK &&
        strcmp(opt.user, "admin") != 0)
        prefix = inbox;
    if (s == NATS_OK && prefix && strcmp(prefix, "-") != 0)
        s = natsOptions_SetCustomInboxPrefix(o, prefix);
    if (s == NATS_OK && opt.tls_ca) {
        s = natsOptions_SetSecure(o, true);
        if (s == NATS_OK)
            s = natsOptions_LoadCATrustedCertificates(o, opt.tls_ca);
    }
    if (s != NATS_OK) {
        natsOptions_Destroy(o);
        free(urls);
        return report(EXIT_USAGE, "error: options: %s: %s", natsStatus_GetText(s),
                      nats_GetLastError(NULL) ? nats_GetLastError(NULL) : "");
    }
    s = natsConnection_Connect(&opt.nc, o);
    natsOptions_Destroy(o);
    free(urls);
    if (s != NATS_OK) {
        const char *last = nats_GetLastError(NULL);
        return report(status_refused(s) ? EXIT_REFUSED : EXIT_USAGE, "%s: connect: %s%s%s",
                      status_refused(s) ? "refused" : "error", natsStatus_GetText(s),
                      last ? ": " : "", last ? last : "");
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return EXIT_OK;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "%s needs a value\n%s", a, usage_text);
            return EXIT_USAGE;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--servers") == 0)
            opt.servers = v;
        else if (strcmp(a, "--user") == 0)
            opt.user = v;
        else if (strcmp(a, "--password-file") == 0)
            opt.password_file = v;
        else if (strcmp(a, "--inbox-prefix") == 0)
            opt.inbox_prefix = v;
        else if (strcmp(a, "--tls-ca") == 0)
            opt.tls_ca = v;
        else if (strcmp(a, "--stream-subjects") == 0)
            opt.stream_subjects = v;
        else if (strcmp(a, "--data") == 0)
            opt.data = v;
        else if (strcmp(a, "--wait") == 0)
            opt.wait_ms = atoll(v);
        else if (strcmp(a, "--replicas") == 0)
            opt.replicas = atoi(v);
        else {
            fprintf(stderr, "unknown option %s\n%s", a, usage_text);
            return EXIT_USAGE;
        }
    }
    if (!opt.servers || i >= argc || opt.wait_ms < 1 || opt.replicas < 1) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    opt.args = argv + i;
    opt.nargs = argc - i;
    for (size_t k = 0; k < sizeof actions / sizeof actions[0]; k++)
        if (strcmp(actions[k].name, opt.args[0]) == 0)
            chosen = &actions[k];
    if (!chosen || opt.nargs - 1 < chosen->min_args || opt.nargs - 1 > chosen->max_args) {
        fprintf(stderr, "bad action or arguments: %s\n%s", opt.args[0], usage_text);
        return EXIT_USAGE;
    }

    int rc = connect_bus();
    if (rc != EXIT_OK)
        return rc;
    if (strcmp(chosen->name, "connect") == 0) {
        natsConnection_Destroy(opt.nc);
        return report(EXIT_OK, "ok connected to %s", opt.servers);
    }
    if (chosen->need_js) {
        jsOptions jo;
        jsOptions_Init(&jo);
        jo.Wait = opt.wait_ms;
        natsStatus s = natsConnection_JetStream(&opt.js, opt.nc, &jo);
        if (s != NATS_OK)
            return js_fail("jetstream context", s, 0);
    }

    /* The action runs in a thread; a permission violation ends the wait at once. */
    pthread_t th;
    if (pthread_create(&th, NULL, worker, NULL) != 0)
        return report(EXIT_USAGE, "error: pthread_create failed");
    pthread_mutex_lock(&g.mu);
    while (!g.done && !g.refused)
        pthread_cond_wait(&g.cv, &g.mu);
    int refused = g.refused;
    char reason[sizeof g.reason];
    memcpy(reason, g.reason, sizeof reason);
    pthread_mutex_unlock(&g.mu);
    if (refused) {
        /* The worker may still be waiting for an answer that will not come: leave at once. */
        report(EXIT_REFUSED, "refused: %s", reason);
        _exit(EXIT_REFUSED);
    }
    pthread_join(th, NULL);
    jsCtx_Destroy(opt.js);
    natsConnection_Destroy(opt.nc);
    nats_Close();
    return g.rc;
}

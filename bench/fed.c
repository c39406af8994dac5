/* dw_bench_fed — the federation bus against libnats straight, on the same server in the same run.
 *
 *   dw_bench_fed [--n N] [--rate R] [--seconds S] [--cluster] [--keep]
 *
 * Starts its own nats-server (from PATH) on 127.0.0.1 on a free port, JetStream with file
 * storage in a scratch directory; with --cluster, three of them on loopback routed into one
 * cluster (the config of docs/dependencies.md, Appendix A, on free ports) and R3 streams.
 * Every message is a full track line as a node's engine puts it out, in the federation's
 * envelope (fed.h) with the message's index as its sequence number: what travels between
 * two nodes; the receiving bus's callback checks each as the receiving node does
 * (dw_fed_rx_take).
 *
 * Measured, each figure on one line with the raw rate beside the bus rate:
 *   1. publish, acked: N messages with js_PublishAsync straight from libnats (MaxPending
 *      4,096), then js_PublishAsyncComplete; the same with a Nats-Msg-Id on each (what the
 *      bus sends); and N through dw_fedbus_publish until dw_fedbus_flush says every one is
 *      acked: alone (node "PL", audience "XX", a stream nobody reads), and again into
 *      audience "LT" while the consuming bus of 2. runs beside it.
 *   2. consume: the raw stream's N messages through a durable pull consumer (fetch 256,
 *      ack each), against the bus's end to end: first dw_fedbus_publish to the last on_msg
 *      of a second bus (node "LT", durable "LT") in the same process.
 *   3. latency dw_fedbus_publish -> on_msg (CLOCK_MONOTONIC, a table by message index):
 *      p50 / p99 / max over the N above, which were published as fast as the caller could
 *      (so mostly the wait in the buffer), and over S seconds (default 3) published at a
 *      steady R per second (default 10,000), the figure for a live picture.
 * No bound is set for any of them. Exits 0 when it ran, 1 when the server could not be
 * started or a phase failed. The last line printed is one JSON object with the figures.
 * Like app/, a benchmark reads the clock.
 */
#define _GNU_SOURCE             /* memmem */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "bench_tmp.h"
#include "dronewall/fed.h"
#include "dronewall/fedbus.h"

#define PROG "dw_bench_fed"
#define NODES_MAX 3

/* A track line as a node's engine puts it out (a full line: covariances, class
 * probabilities), in the federation's envelope (fed.h) with its sequence number as the
 * message's index: what travels between two nodes. */
static const char track_line[] =
    "{\"v\":1,\"type\":\"track\",\"t_us\":1757469739000000,\"id\":86,\"status\":\"confirmed\",\""
    "lat_deg\":51.163155436183274,\"lon_deg\":23.961139096983857,\"alt_m\":2187.698869"
    "160376,\"vel_enu_mps\":[-51.4291147875184,-2.79195888241463,0.1665048407610072"
    "4],\"class\":\"owa_drone\",\"affiliation\":\"hostile\",\"sensors\":[\"PL-RAD-CHE\",\"fed:"
    "UA\"],\"cov_pos_enu\":[46938.50522980642,8226.295252901982,-12810.323390641832,"
    "8226.295252901982,76400.69484351097,-46427.52794949027,-12810.323390641832,-"
    "46427.52794949027,94105.36840362233],\"cov_vel_enu\":[51.58091124188594,1.4890"
    "899620912759,-3.1774835221093873,1.4890899620912759,57.66524614232723,-11.03"
    "2372824798294,-3.1774835221093873,-11.032372824798294,61.82583436882584],\"hi"
    "ts\":114,\"quality\":1,\"class_probs\":{\"unknown\":0.00012631183,\"owa_drone\":0.970"
    "3487,\"decoy\":0.029449327,\"quadcopter\":2.7625615e-07,\"helicopter\":6.0619568e-"
    "05,\"airliner\":1.393685e-07,\"light_aircraft\":1.4362905e-05,\"fighter\":1.410267"
    "6e-07,\"bird\":8.6960135e-08},\"threat\":0.710,\"sigma_m\":280.3}";
#define MSG_CAP 2048

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Message i: the track line in an envelope from node PL with sequence number i + 1. */
static size_t make_msg(char *buf, uint64_t i)
{
    dw_fed_env e = {.origin = "PL", .owner = "PL", .kind = DW_FED_TRK, .session = 1,
                    .seq = i + 1};
    return dw_fed_wrap(buf, MSG_CAP, &e, track_line, sizeof track_line - 1);
}

static uint64_t msg_index(const void *data, size_t len)
{
    const char *p = memmem(data, len < 200 ? len : 200, "\"seq\":", 6);
    return p ? strtoull(p + 6, NULL, 10) - 1 : UINT64_MAX;
}

/* ---- servers ------------------------------------------------------------------------- */

typedef struct node {
    pid_t pid;
    int port, cport;
} node;

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &al) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static int port_open(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* Start nats-server with argv; 0 when it listens on port within 10 s. */
static int spawn(node *n, char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);       /* never outlive the benchmark */
        if (!freopen(log, "a", stdout))
            _exit(127);
        dup2(STDOUT_FILENO, STDERR_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    n->pid = pid;
    for (int i = 0; i < 1000; i++) {
        if (port_open(n->port))
            return 0;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            n->pid = 0;
            fprintf(stderr, PROG ": nats-server exited at start (see %s)\n", log);
            return -1;
        }
        sleep_ms(10);
    }
    return -1;
}

static int start_servers(node *nodes, int nn, const char *dir, char *urls, size_t cap)
{
    urls[0] = '\0';
    for (int k = 0; k < nn; k++) {
        nodes[k].port = free_port();
        nodes[k].cport = free_port();
        if (nodes[k].port <= 0 || nodes[k].cport <= 0)
            return -1;
    }
    for (int k = 0; k < nn; k++) {
        char log[1100], port[16], conf[1100];
        snprintf(log, sizeof log, "%s/n%d.log", dir, k + 1);
        snprintf(port, sizeof port, "%d", nodes[k].port);
        if (nn == 1) {
            char *argv[] = {"nats-server", "-a", "127.0.0.1", "-p", port, "-js", "-sd",
                            (char *)dir, NULL};
            if (spawn(&nodes[k], argv, log) != 0)
                return -1;
        } else {
            /* dependencies.md Appendix A, on free ports. */
            snprintf(conf, sizeof conf, "%s/n%d.conf", dir, k + 1);
            FILE *f = fopen(conf, "w");
            if (!f)
                return -1;
            fprintf(f, "server_name: n%d\nlisten: 127.0.0.1:%d\n"
                       "jetstream { store_dir: \"%s/c%d\" }\ncluster {\n  name: airpic\n"
                       "  listen: 127.0.0.1:%d\n  routes: [",
                    k + 1, nodes[k].port, dir, k + 1, nodes[k].cport);
            for (int j = 0; j < nn; j++)
                fprintf(f, "%s nats-route://127.0.0.1:%d", j ? "," : "", nodes[j].cport);
            fprintf(f, " ]\n}\n");
            fclose(f);
            char *argv[] = {"nats-server", "-c", conf, NULL};
            if (spawn(&nodes[k], argv, log) != 0)
                return -1;
        }
        size_t l = strlen(urls);
        snprintf(urls + l, cap - l, "%snats://127.0.0.1:%d", k ? "," : "", nodes[k].port);
    }
    return 0;
}

static void stop_servers(node *nodes, int nn)
{
    for (int k = 0; k < nn; k++)
        if (nodes[k].pid > 0) {
            kill(nodes[k].pid, SIGTERM);
            waitpid(nodes[k].pid, NULL, 0);
            nodes[k].pid = 0;
        }
}

/* ---- raw libnats ----------------------------------------------------------------------- */

typedef struct raw_result {
    double pub_rate, pub_id_rate, cons_rate;
} raw_result;

static natsStatus raw_stream(jsCtx *js, const char *name, const char *subj, int replicas)
{
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = name;
    const char *subjs[1] = {subj};
    sc.Subjects = subjs;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Replicas = replicas;
    jsErrCode jerr = 0;
    natsStatus s = NATS_TIMEOUT;
    /* A cluster elects its meta leader a moment after start: try for a few seconds. */
    for (int i = 0; i < 50 && s != NATS_OK; i++) {
        s = js_AddStream(NULL, js, &sc, NULL, &jerr);
        if (s != NATS_OK)
            sleep_ms(200);
    }
    return s;
}

/* N messages into a stream of their own, acked; msg ids when with_id. Messages/s or -1. */
static double raw_publish(jsCtx *js, const char *subj, long n, int with_id)
{
    char buf[MSG_CAP], id[32];
    jsPubOptions po;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        size_t mlen = make_msg(buf, (uint64_t)i);
        jsPubOptions_Init(&po);
        if (with_id) {
            snprintf(id, sizeof id, "raw-%ld", i);
            po.MsgId = id;
        }
        natsStatus s = js_PublishAsync(js, subj, buf, (int)mlen,
                                       with_id ? &po : NULL);
        if (s != NATS_OK) {
            fprintf(stderr, PROG ": raw publish: %s\n", natsStatus_GetText(s));
            return -1;
        }
    }
    jsPubOptions_Init(&po);
    po.MaxWait = 120000;
    natsStatus s = js_PublishAsyncComplete(js, &po);
    if (s != NATS_OK) {
        fprintf(stderr, PROG ": raw publish complete: %s\n", natsStatus_GetText(s));
        return -1;
    }
    return (double)n / (now_s() - t0);
}

static double raw_consume(jsCtx *js, const char *stream, long n)
{
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = "RAWC";
    cc.AckPolicy = js_AckExplicit;
    cc.MaxAckPending = 20000;
    jsErrCode jerr = 0;
    natsStatus s = js_AddConsumer(NULL, js, stream, &cc, NULL, &jerr);
    natsSubscription *sub = NULL;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream;
    so.Consumer = "RAWC";
    if (s == NATS_OK)
        s = js_PullSubscribe(&sub, js, NULL, "RAWC", NULL, &so, &jerr);
    if (s != NATS_OK) {
        fprintf(stderr, PROG ": raw consumer: %s\n", natsStatus_GetText(s));
        return -1;
    }
    long got = 0;
    double t0 = now_s();
    while (got < n) {
        natsMsgList list = {0};
        s = natsSubscription_Fetch(&list, sub, 256, 5000, &jerr);
        if (s != NATS_OK) {
            fprintf(stderr, PROG ": raw fetch: %s after %ld\n", natsStatus_GetText(s), got);
            natsSubscription_Destroy(sub);
            return -1;
        }
        for (int i = 0; i < list.Count; i++)
            natsMsg_Ack(list.Msgs[i], NULL);
        got += list.Count;
        natsMsgList_Destroy(&list);
    }
    double rate = (double)n / (now_s() - t0);
    natsSubscription_Destroy(sub);
    return rate;
}

static int run_raw(const char *urls, long n, int replicas, raw_result *r)
{
    natsOptions *o = NULL;
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    char *copy = strdup(urls);
    const char *list[NODES_MAX];
    int nl = 0;
    for (char *t = strtok(copy, ","); t && nl < NODES_MAX; t = strtok(NULL, ","))
        list[nl++] = t;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK)
        s = natsOptions_SetServers(o, list, nl);
    if (s == NATS_OK)
        s = natsConnection_Connect(&nc, o);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.MaxPending = 4096;
    if (s == NATS_OK)
        s = natsConnection_JetStream(&js, nc, &jo);
    int rc = -1;
    if (s == NATS_OK && raw_stream(js, "RAW", "raw.>", replicas) == NATS_OK &&
        raw_stream(js, "RAWID", "rawid.>", replicas) == NATS_OK) {
        r->pub_rate = raw_publish(js, "raw.trk", n, 0);
        r->pub_id_rate = r->pub_rate > 0 ? raw_publish(js, "rawid.trk", n, 1) : -1;
        r->cons_rate = r->pub_id_rate > 0 ? raw_consume(js, "RAW", n) : -1;
        rc = r->cons_rate > 0 ? 0 : -1;
    } else {
        fprintf(stderr, PROG ": raw setup: %s\n", natsStatus_GetText(s));
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(o);
    free(copy);
    return rc;
}

/* ---- through the bus ------------------------------------------------------------------- */

typedef struct sink {
    pthread_mutex_t mu;
    int64_t *t_pub, *t_recv;    /* by message index */
    uint64_t cap;
    uint64_t received, dups;
    dw_fed_rx *rx;              /* the receiving node's check of each message */
    uint64_t accepted, refused;
} sink;

static int on_msg(void *ctx, const char *subject, const void *data, size_t len,
                  const dw_fedbus_meta *m)
{
    sink *k = ctx;
    uint64_t i = msg_index(data, len);
    pthread_mutex_lock(&k->mu);
    /* As the receiving node does (fed.h): envelope, origin by subject, plausibility,
     * sequence; with no clock check (the line's time is fixed). */
    dw_fed_item it;
    if (dw_fed_rx_take(k->rx, subject, data, len, INT64_MIN, &it) == DW_FED_ACCEPTED)
        k->accepted++;
    else
        k->refused++;
    int64_t t = now_ns();
    if (i < k->cap) {
        if (k->t_recv[i])
            k->dups++;
        else {
            k->t_recv[i] = t;
            k->received++;
        }
    }
    pthread_mutex_unlock(&k->mu);
    return 0;
}

static uint64_t sink_received(sink *k)
{
    pthread_mutex_lock(&k->mu);
    uint64_t r = k->received;
    pthread_mutex_unlock(&k->mu);
    return r;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* p50, p99, max in ms of t_recv - t_pub over [from, to). */
static void lat_stats(sink *k, uint64_t from, uint64_t to, double out[3])
{
    uint64_t n = 0;
    int64_t *d = malloc((to - from + 1) * sizeof *d);
    if (!d) {
        out[0] = out[1] = out[2] = -1;
        return;
    }
    pthread_mutex_lock(&k->mu);
    for (uint64_t i = from; i < to; i++)
        if (k->t_recv[i] && k->t_pub[i])
            d[n++] = k->t_recv[i] - k->t_pub[i];
    pthread_mutex_unlock(&k->mu);
    if (n == 0) {
        out[0] = out[1] = out[2] = -1;
        free(d);
        return;
    }
    qsort(d, n, sizeof *d, cmp_i64);
    out[0] = (double)d[n / 2] / 1e6;
    out[1] = (double)d[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1e6;
    out[2] = (double)d[n - 1] / 1e6;
    free(d);
}

typedef struct bus_result {
    double pub_alone_rate, pub_rate, e2e_rate, lat_burst[3], lat_paced[3], paced_rate;
    uint64_t received, dups, paced_n, accepted, refused;
    dw_fedbus_stats ps, cs;
} bus_result;

static int wait_received(sink *k, uint64_t want, double timeout_s)
{
    double end = now_s() + timeout_s;
    while (sink_received(k) < want) {
        if (now_s() > end)
            return -1;
        sleep_ms(1);
    }
    return 0;
}

static int run_bus(const char *urls, long n, int replicas, double rate, double seconds,
                   bus_result *r)
{
    uint64_t paced_n = (uint64_t)(rate * seconds);
    sink k = {.cap = (uint64_t)n + paced_n};
    pthread_mutex_init(&k.mu, NULL);
    k.t_pub = calloc(k.cap, sizeof *k.t_pub);
    k.t_recv = calloc(k.cap, sizeof *k.t_recv);
    if (!k.t_pub || !k.t_recv || dw_fed_rx_create(NULL, &k.rx) != DW_OK)
        return -1;
    static const char *const aud[] = {"LT", "XX"};
    dw_fedbus_config pc = {.servers = urls, .node = "PL", .audiences = aud, .n_audiences = 2,
                           .replicas = replicas, .buffer_max = (size_t)k.cap};
    static const dw_fedbus_consumer cons[] = {{.stream = "DW_PL_LT", .durable = "LT"}};
    dw_fedbus_config cc = {.servers = urls, .node = "LT", .consumers = cons, .n_consumers = 1,
                           .on_msg = on_msg, .ctx = &k};
    dw_fedbus *pub = NULL, *sub = NULL;
    char err[256];
    if (dw_fedbus_start(&pc, &pub, err, sizeof err) != DW_OK ||
        dw_fedbus_start(&cc, &sub, err, sizeof err) != DW_OK) {
        fprintf(stderr, PROG ": bus: %s\n", err);
        dw_fedbus_stop(pub);
        return -1;
    }
    char subj[64], subj_alone[64];
    dw_fed_subject("PL", "LT", DW_FED_TRK, subj, sizeof subj);
    dw_fed_subject("PL", "XX", DW_FED_TRK, subj_alone, sizeof subj_alone);
    char buf[MSG_CAP], id[32];
    int rc = -1;

    /* Streams and consumer made, and one message through, before the clock starts. */
    double t_ready = now_s() + 30;
    while (now_s() < t_ready) {
        dw_fedbus_stats s;
        dw_fedbus_get_stats(pub, &s);
        if (s.streams_ready)
            break;
        sleep_ms(5);
    }

    /* Publishing alone (a stream nobody reads), the peer of the raw figures. */
    double ta = now_s();
    for (long i = 0; i < n; i++) {
        size_t mlen = make_msg(buf, (uint64_t)i);
        snprintf(id, sizeof id, "PL-XX-%ld", i);
        dw_fedbus_publish(pub, subj_alone, buf, mlen, id);
    }
    if (dw_fedbus_flush(pub, 300000) != DW_OK) {
        fprintf(stderr, PROG ": bus flush timed out\n");
        goto out;
    }
    r->pub_alone_rate = (double)n / (now_s() - ta);

    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        size_t mlen = make_msg(buf, (uint64_t)i);
        snprintf(id, sizeof id, "PL-%ld", i);
        k.t_pub[i] = now_ns();
        dw_fedbus_publish(pub, subj, buf, mlen, id);
    }
    if (dw_fedbus_flush(pub, 300000) != DW_OK) {
        fprintf(stderr, PROG ": bus flush timed out\n");
        goto out;
    }
    double t_acked = now_s();
    if (wait_received(&k, (uint64_t)n, 300) != 0) {
        fprintf(stderr, PROG ": bus: only %" PRIu64 " of %ld received\n", sink_received(&k), n);
        goto out;
    }
    double t_all = now_s();
    r->pub_rate = (double)n / (t_acked - t0);
    r->e2e_rate = (double)n / (t_all - t0);
    lat_stats(&k, 0, (uint64_t)n, r->lat_burst);

    /* Paced: R a second in 1 ms ticks. */
    double tp0 = now_s();
    uint64_t sent = 0;
    while (sent < paced_n) {
        double due = (now_s() - tp0) * rate;
        while (sent < paced_n && (double)sent < due) {
            uint64_t i = (uint64_t)n + sent;
            size_t mlen = make_msg(buf, i);
            snprintf(id, sizeof id, "PL-%" PRIu64, i);
            k.t_pub[i] = now_ns();
            dw_fedbus_publish(pub, subj, buf, mlen, id);
            sent++;
        }
        sleep_ms(1);
    }
    r->paced_rate = (double)paced_n / (now_s() - tp0);
    if (wait_received(&k, k.cap, 60) != 0) {
        fprintf(stderr, PROG ": bus paced: only %" PRIu64 " of %" PRIu64 " received\n",
                sink_received(&k), k.cap);
        goto out;
    }
    lat_stats(&k, (uint64_t)n, k.cap, r->lat_paced);
    r->paced_n = paced_n;
    rc = 0;
out:
    dw_fedbus_get_stats(pub, &r->ps);
    dw_fedbus_get_stats(sub, &r->cs);
    r->received = sink_received(&k);
    r->dups = k.dups;
    dw_fedbus_stop(sub);
    dw_fedbus_stop(pub);
    r->accepted = k.accepted;
    r->refused = k.refused;
    dw_fed_rx_destroy(k.rx);
    free(k.t_pub);
    free(k.t_recv);
    pthread_mutex_destroy(&k.mu);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: " PROG " [--n N] [--rate R] [--seconds S] [--cluster] [--keep]\n");
}

int main(int argc, char **argv)
{
    long n = 200000;
    double rate = 10000, seconds = 3;
    int cluster = 0, keep = 0;
    static const struct option lo[] = {
        {"n", required_argument, NULL, 'n'},     {"rate", required_argument, NULL, 'r'},
        {"seconds", required_argument, NULL, 's'}, {"cluster", no_argument, NULL, 'c'},
        {"keep", no_argument, NULL, 'k'},        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'n': n = strtol(optarg, NULL, 10); break;
        case 'r': rate = atof(optarg); break;
        case 's': seconds = atof(optarg); break;
        case 'c': cluster = 1; break;
        case 'k': keep = 1; break;
        default: usage(); return 2;
        }
    }
    if (n < 1 || rate <= 0 || seconds < 0) {
        usage();
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char dir[] = "/tmp/dw_bench_fed.XXXXXX";
    if (bench_tmp_make(dir) != 0) {
        fprintf(stderr, PROG ": cannot make a scratch directory\n");
        return 1;
    }
    int nn = cluster ? 3 : 1, replicas = cluster ? 3 : 1;
    node nodes[NODES_MAX] = {{0}};
    char urls[256];
    if (start_servers(nodes, nn, dir, urls, sizeof urls) != 0) {
        fprintf(stderr, PROG ": cannot start nats-server (is it installed? see %s)\n", dir);
        stop_servers(nodes, nn);
        return 1;
    }
    printf("server: nats-server, %s, JetStream file storage, R%d streams, %s\n",
           cluster ? "3-node cluster on loopback" : "single node", replicas, urls);
    char sample[MSG_CAP];
    size_t msg_bytes = make_msg(sample, 0);
    printf("message: a %zu-byte track line in its %zu-byte envelope (fed.h), N = %ld\n",
           sizeof track_line - 1, msg_bytes, n);
    fflush(stdout);

    raw_result raw = {0};
    bus_result bus = {0};
    int rc_raw = run_raw(urls, n, replicas, &raw);
    int rc_bus = run_bus(urls, n, replicas, rate, seconds, &bus);
    dw_fedbus_library_close();
    stop_servers(nodes, nn);
    if (!keep)
        bench_tmp_remove(PROG, dir);
    else
        printf("kept: %s\n", dir);

    printf("publish, acked:  raw js_PublishAsync %.0f msg/s | raw with Nats-Msg-Id %.0f msg/s | "
           "bus dw_fedbus_publish -> all acked %.0f msg/s (%.0f msg/s with the consuming bus "
           "running beside it)\n",
           raw.pub_rate, raw.pub_id_rate, bus.pub_alone_rate, bus.pub_rate);
    printf("consume:         raw durable pull (fetch 256, ack each) %.0f msg/s | bus end to end "
           "(first publish -> last on_msg) %.0f updates/s\n",
           raw.cons_rate, bus.e2e_rate);
    printf("latency publish -> on_msg, %ld published at once: p50 %.1f ms, p99 %.1f ms, max %.1f ms "
           "(mostly the wait in the buffer)\n",
           n, bus.lat_burst[0], bus.lat_burst[1], bus.lat_burst[2]);
    printf("latency publish -> on_msg, %" PRIu64 " paced at %.0f/s: p50 %.2f ms, p99 %.2f ms, "
           "max %.2f ms\n",
           bus.paced_n, bus.paced_rate, bus.lat_paced[0], bus.lat_paced[1], bus.lat_paced[2]);
    printf("bus counters: published %" PRIu64 ", sent %" PRIu64 ", resent %" PRIu64
           ", dropped %" PRIu64 ", publish errors %" PRIu64 ", peak queued %" PRIu64
           "; received %" PRIu64 " (%" PRIu64 " repeated), redelivered %" PRIu64
           ", consumer errors %" PRIu64 "\n",
           bus.ps.published, bus.ps.sent, bus.ps.resent, bus.ps.dropped, bus.ps.publish_errors,
           bus.ps.queued_peak, bus.received, bus.dups, bus.cs.redelivered,
           bus.cs.consumer_errors);
    printf("checked as the receiving node does (envelope, origin, plausibility, sequence): "
           "%" PRIu64 " accepted, %" PRIu64 " refused\n", bus.accepted, bus.refused);
    printf("{\"bench\":\"fed\",\"cluster\":%s,\"replicas\":%d,\"n\":%ld,\"msg_bytes\":%zu,"
           "\"raw_publish_per_s\":%.0f,\"raw_publish_msgid_per_s\":%.0f,\"raw_consume_per_s\":%.0f,"
           "\"bus_publish_per_s\":%.0f,\"bus_publish_with_consumer_per_s\":%.0f,"
           "\"bus_end_to_end_per_s\":%.0f,"
           "\"bus_burst_latency_ms\":{\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f},"
           "\"paced_per_s\":%.0f,\"paced_n\":%" PRIu64 ","
           "\"bus_paced_latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
           "\"bus_resent\":%" PRIu64 ",\"bus_dropped\":%" PRIu64 ",\"bus_received\":%" PRIu64
           ",\"bus_repeated\":%" PRIu64 ",\"checked_accepted\":%" PRIu64 ",\"checked_refused\":%"
           PRIu64 ",\"ok\":%s}\n",
           cluster ? "true" : "false", replicas, n, msg_bytes, raw.pub_rate,
           raw.pub_id_rate, raw.cons_rate, bus.pub_alone_rate, bus.pub_rate, bus.e2e_rate, bus.lat_burst[0],
           bus.lat_burst[1], bus.lat_burst[2], bus.paced_rate, bus.paced_n, bus.lat_paced[0],
           bus.lat_paced[1], bus.lat_paced[2], bus.ps.resent, bus.ps.dropped, bus.received,
           bus.dups, bus.accepted, bus.refused, rc_raw == 0 && rc_bus == 0 ? "true" : "false");
    return rc_raw == 0 && rc_bus == 0 ? 0 : 1;
}

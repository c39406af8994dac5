/* test_fedbus.c — the federation bus against a real nats-server (a declared dependency,
 * found on PATH; its absence fails every case): one bus publishing, another consuming;
 * a server that is not there at start; a full buffer; a server killed with SIGKILL in the
 * middle of a stream of publishes and restarted on the same port and store; a durable
 * consumer that resumes where another left off; and configuration errors.
 *
 * Each case starts its own server on 127.0.0.1 on a free port with a store in a fresh
 * temporary directory, and stops it (by its pid) and removes the directory in the case's
 * teardown, which runs after a failed assertion too; a server also dies with the test
 * process (PR_SET_PDEATHSIG), so that a crash leaves none behind.
 */
#define _XOPEN_SOURCE 700     /* nftw */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dronewall/fed.h"
#include "dronewall/fedbus.h"

/* ---- a nats-server of our own --------------------------------------------------- */

typedef struct server {
    pid_t pid;
    int port;
    char dir[256];
    char url[64];
} server;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    return ntohs(a.sin_port);
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

static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    char buf[1024];
    while (path && *path) {
        const char *c = strchr(path, ':');
        size_t n = c ? (size_t)(c - path) : strlen(path);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, prog);
        if (access(buf, X_OK) == 0)
            return 1;
        path = c ? c + 1 : NULL;
    }
    return 0;
}

/* The servers of the running case, for the teardown. */
#define SERVERS_MAX 4
static server *live[SERVERS_MAX];

/* A fresh store directory and port; the server is not started. */
static void server_init(server *s)
{
    if (!on_path("nats-server")) {
        fprintf(stderr, "nats-server is not on PATH: it is a declared dependency "
                        "(apt-get install nats-server)\n");
        fail();
    }
    memset(s, 0, sizeof *s);
    const char *d = dw_test_tmpdir();
    assert_non_null(d);
    snprintf(s->dir, sizeof s->dir, "%s", d);
    s->port = free_port();
    snprintf(s->url, sizeof s->url, "nats://127.0.0.1:%d", s->port);
    for (int i = 0; i < SERVERS_MAX; i++)
        if (!live[i]) {
            live[i] = s;
            break;
        }
}

static void server_start(server *s)
{
    char port[16], log[300];
    snprintf(port, sizeof port, "%d", s->port);
    snprintf(log, sizeof log, "%s/server.log", s->dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        FILE *f = freopen(log, "a", stdout);
        (void)f;
        dup2(STDOUT_FILENO, STDERR_FILENO);
        execlp("nats-server", "nats-server", "-a", "127.0.0.1", "-p", port, "-js", "-sd", s->dir,
               (char *)NULL);
        _exit(127);
    }
    s->pid = pid;
    for (int i = 0; i < 500; i++) {
        if (port_open(s->port))
            return;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            s->pid = 0;
            fprintf(stderr, "nats-server exited at start (see %s)\n", log);
            fail();
        }
        sleep_ms(10);
    }
    fprintf(stderr, "nats-server did not listen on %d in 5 s\n", s->port);
    fail();
}

static void server_kill(server *s, int sig)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, sig);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

static void server_done(server *s)
{
    server_kill(s, SIGTERM);
    if (s->dir[0])
        nftw(s->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    s->dir[0] = '\0';
    for (int i = 0; i < SERVERS_MAX; i++)
        if (live[i] == s)
            live[i] = NULL;
}

/* After every case, passed or failed: no server left running, no store left behind. */
static int teardown_servers(void **state)
{
    for (int i = 0; i < SERVERS_MAX; i++)
        if (live[i])
            server_done(live[i]);
    return 0;
}

/* ---- what a consuming bus saw ------------------------------------------------------ */

typedef struct seen {
    pthread_mutex_t mu;
    int n_max;
    int *count;                 /* per message index */
    uint64_t *sseq;             /* stream sequence of its first delivery */
    int received, accepted, unflagged_dup, redelivered, out_of_order, bad, bad_meta;
    int last_index;
    uint64_t last_sseq;
    int accept_limit;           /* 0: accept all; else refuse after this many */
} seen;

static void seen_init(seen *w, int n_max)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    w->n_max = n_max;
    w->count = calloc((size_t)n_max, sizeof *w->count);
    w->sseq = calloc((size_t)n_max, sizeof *w->sseq);
    assert_non_null(w->count);
    assert_non_null(w->sseq);
    w->last_index = -1;
}

static void seen_free(seen *w)
{
    free(w->count);
    free(w->sseq);
    pthread_mutex_destroy(&w->mu);
}

/* Payloads are "msg <index>". */
static int on_msg(void *ctx, const char *subject, const void *data, size_t len,
                  const dw_fedbus_meta *m)
{
    seen *w = ctx;
    char buf[64];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, data, len);
    buf[len] = '\0';
    int idx = -1;
    pthread_mutex_lock(&w->mu);
    if (sscanf(buf, "msg %d", &idx) != 1 || idx < 0 || idx >= w->n_max) {
        w->bad++;
        pthread_mutex_unlock(&w->mu);
        return 0;
    }
    if (w->accept_limit && w->accepted >= w->accept_limit) {
        pthread_mutex_unlock(&w->mu);
        return -1;
    }
    w->received++;
    w->accepted++;
    if (!m->stream || strcmp(m->stream, "DW_PA_LB") != 0 || !m->durable ||
        strcmp(m->durable, "LB") != 0 || m->delivered < 1 || m->published_ns <= 0 ||
        strcmp(subject, "dw.PA.LB.trk") != 0)
        w->bad_meta++;
    if (m->redelivered)
        w->redelivered++;
    if (w->count[idx]++ == 0) {
        w->sseq[idx] = m->stream_seq;
    } else {
        if (!m->redelivered)
            w->unflagged_dup++;
        if (w->sseq[idx] != m->stream_seq)
            w->bad++;           /* stored twice: de-duplication failed */
    }
    if (!m->redelivered) {
        if (idx <= w->last_index || m->stream_seq <= w->last_sseq)
            w->out_of_order++;
        w->last_index = idx;
        w->last_sseq = m->stream_seq;
    }
    pthread_mutex_unlock(&w->mu);
    return 0;
}

/* Number of distinct message indexes seen. */
static int seen_distinct(seen *w)
{
    pthread_mutex_lock(&w->mu);
    int d = 0;
    for (int i = 0; i < w->n_max; i++)
        d += w->count[i] > 0;
    pthread_mutex_unlock(&w->mu);
    return d;
}

static int wait_distinct(seen *w, int want, double timeout_s)
{
    double t_end = now_s() + timeout_s;
    int d;
    while ((d = seen_distinct(w)) < want && now_s() < t_end)
        sleep_ms(10);
    return d;
}

/* ---- buses ----------------------------------------------------------------------------- */

static const char *const aud_lb[] = {"LB"};

/* on_state calls of the publishing bus (a wake-up: counted, nothing more). */
static int state_calls;
static pthread_mutex_t state_mu = PTHREAD_MUTEX_INITIALIZER;

static void on_state(void *ctx)
{
    pthread_mutex_lock(&state_mu);
    state_calls++;
    pthread_mutex_unlock(&state_mu);
}

static int state_calls_now(void)
{
    pthread_mutex_lock(&state_mu);
    int n = state_calls;
    pthread_mutex_unlock(&state_mu);
    return n;
}

static dw_fedbus *start_pub(const char *url, size_t buffer_max)
{
    dw_fedbus_config c = {
        .servers = url, .node = "PA", .audiences = aud_lb, .n_audiences = 1,
        .buffer_max = buffer_max, .reconnect_wait_ms = 100, .ack_wait_ms = 1000,
        .on_state = on_state,
    };
    dw_fedbus *b = NULL;
    char err[256] = "";
    dw_status st = dw_fedbus_start(&c, &b, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "start: %s\n", err);
    assert_int_equal(st, DW_OK);
    assert_non_null(b);
    return b;
}

static dw_fedbus *start_sub(const char *url, seen *w)
{
    static const dw_fedbus_consumer cons[] = {{.stream = "DW_PA_LB", .durable = "LB"}};
    dw_fedbus_config c = {
        .servers = url, .node = "LB", .consumers = cons, .n_consumers = 1,
        .reconnect_wait_ms = 100, .on_msg = on_msg, .ctx = w,
    };
    dw_fedbus *b = NULL;
    char err[256] = "";
    dw_status st = dw_fedbus_start(&c, &b, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "start: %s\n", err);
    assert_int_equal(st, DW_OK);
    return b;
}

static void publish_range(dw_fedbus *b, int from, int to)
{
    char subj[64], id[64], body[64];
    assert_int_equal(dw_fed_subject("PA", "LB", DW_FED_TRK, subj, sizeof subj), DW_OK);
    for (int i = from; i < to; i++) {
        int n = snprintf(body, sizeof body, "msg %d", i);
        snprintf(id, sizeof id, "PA-%d", i);
        assert_int_equal(dw_fedbus_publish(b, subj, body, (size_t)n, id), DW_OK);
    }
}

static void print_stats(const char *who, dw_fedbus *b)
{
    dw_fedbus_stats s;
    dw_fedbus_get_stats(b, &s);
    fprintf(stderr,
            "%s: %s %s queued %llu peak %llu published %llu dup %llu sent %llu resent %llu "
            "dropped %llu errors %llu received %llu acked %llu redelivered %llu cons_err %llu "
            "reconnects %llu last_error '%s'\n",
            who, dw_fedbus_state_name(s.state), s.server, (unsigned long long)s.queued,
            (unsigned long long)s.queued_peak, (unsigned long long)s.published,
            (unsigned long long)s.duplicates, (unsigned long long)s.sent,
            (unsigned long long)s.resent, (unsigned long long)s.dropped,
            (unsigned long long)s.publish_errors, (unsigned long long)s.received,
            (unsigned long long)s.acked, (unsigned long long)s.redelivered,
            (unsigned long long)s.consumer_errors, (unsigned long long)s.reconnects,
            s.last_error);
}

/* ---- cases --------------------------------------------------------------------------- */

/* (a) 10,000 messages from one node to another: all, in order, once, stream seq 1..N. */
static void pub_sub_10000_in_order(void **state)
{
    enum { N = 10000 };
    static server s;       /* static: the teardown reaches it after a failed assertion */
    server_init(&s);
    server_start(&s);
    seen w;
    seen_init(&w, N);
    dw_fedbus *pub = start_pub(s.url, 0);
    dw_fedbus *sub = start_sub(s.url, &w);
    publish_range(pub, 0, N);
    assert_int_equal(dw_fedbus_flush(pub, 15000), DW_OK);
    int d = wait_distinct(&w, N, 15);
    print_stats("pub", pub);
    print_stats("sub", sub);
    assert_int_equal(d, N);
    sleep_ms(200);
    assert_int_equal(w.received, N);
    assert_int_equal(w.out_of_order, 0);
    assert_int_equal(w.bad, 0);
    assert_int_equal(w.bad_meta, 0);
    assert_int_equal(w.redelivered, 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(w.sseq[i], (uint64_t)i + 1);
    dw_fedbus_stats ps;
    dw_fedbus_get_stats(pub, &ps);
    assert_int_equal(ps.published, N);
    assert_int_equal(ps.queued, 0);
    assert_int_equal(ps.dropped, 0);
    assert_string_equal(dw_fedbus_state_name(ps.state), "connected");
    assert_string_equal(ps.server, s.url);
    dw_fedbus_stop(sub);
    dw_fedbus_stop(pub);
    seen_free(&w);
    server_done(&s);
    dw_fedbus_library_close();
}

/* (b) No server at start: 2,000 messages wait in the buffer, then all arrive once. */
static void down_at_start_queues(void **state)
{
    enum { N = 2000 };
    static server s;       /* static: the teardown reaches it after a failed assertion */
    server_init(&s);
    seen w;
    seen_init(&w, N);
    dw_fedbus *pub = start_pub(s.url, 0);
    dw_fedbus *sub = start_sub(s.url, &w);
    publish_range(pub, 0, N);
    sleep_ms(300);
    dw_fedbus_stats ps;
    dw_fedbus_get_stats(pub, &ps);
    assert_int_equal(ps.queued, N);
    assert_int_equal(ps.published, 0);
    assert_string_equal(dw_fedbus_state_name(ps.state), "connecting");
    assert_string_equal(ps.server, "");
    int calls0 = state_calls_now();
    server_start(&s);
    assert_int_equal(dw_fedbus_flush(pub, 15000), DW_OK);
    int d = wait_distinct(&w, N, 15);
    print_stats("pub", pub);
    print_stats("sub", sub);
    assert_int_equal(d, N);
    sleep_ms(200);
    assert_int_equal(w.received, N);
    assert_int_equal(w.bad, 0);
    assert_int_equal(w.out_of_order, 0);
    dw_fedbus_get_stats(pub, &ps);
    assert_int_equal(ps.queued, 0);
    assert_int_equal(ps.dropped, 0);
    assert_int_equal(ps.queued_peak, N);
    assert_string_equal(dw_fedbus_state_name(ps.state), "connected");
    assert_true(state_calls_now() > calls0);        /* the connection was announced */
    dw_fedbus_stop(sub);
    dw_fedbus_stop(pub);
    seen_free(&w);
    server_done(&s);
    dw_fedbus_library_close();
}

/* (c) buffer_max 100, 250 published with no server: the oldest 150 dropped, the newest
 * 100 delivered. */
static void overflow_drops_oldest(void **state)
{
    enum { N = 250, CAP = 100 };
    static server s;       /* static: the teardown reaches it after a failed assertion */
    server_init(&s);
    seen w;
    seen_init(&w, N);
    dw_fedbus *pub = start_pub(s.url, CAP);
    publish_range(pub, 0, N);
    dw_fedbus_stats ps;
    dw_fedbus_get_stats(pub, &ps);
    assert_int_equal(ps.dropped, N - CAP);
    assert_int_equal(ps.queued, CAP);
    assert_int_equal(ps.queued_peak, CAP);
    server_start(&s);
    dw_fedbus *sub = start_sub(s.url, &w);
    assert_int_equal(dw_fedbus_flush(pub, 15000), DW_OK);
    int d = wait_distinct(&w, CAP, 15);
    print_stats("pub", pub);
    assert_int_equal(d, CAP);
    sleep_ms(300);
    assert_int_equal(w.received, CAP);
    for (int i = 0; i < N; i++)
        assert_int_equal(w.count[i], i < N - CAP ? 0 : 1);
    dw_fedbus_get_stats(pub, &ps);
    assert_int_equal(ps.dropped, N - CAP);
    assert_int_equal(ps.published, CAP);
    dw_fedbus_stop(sub);
    dw_fedbus_stop(pub);
    seen_free(&w);
    server_done(&s);
    dw_fedbus_library_close();
}

typedef struct feeder {
    dw_fedbus *bus;
    int from, to, per_ms;
} feeder;

static void *feed_main(void *arg)
{
    feeder *f = arg;
    for (int i = f->from; i < f->to; i += f->per_ms) {
        int e = i + f->per_ms < f->to ? i + f->per_ms : f->to;
        publish_range(f->bus, i, e);
        sleep_ms(1);
    }
    return NULL;
}

/* (d) The server SIGKILLed in the middle of a stream of publishes, restarted on the same
 * port and store: every message in the stream once, the consumer gets each once (a repeat
 * only when flagged redelivered). */
static void server_kill9_no_loss_no_dup(void **state)
{
    enum { N = 6000 };
    static server s;       /* static: the teardown reaches it after a failed assertion */
    server_init(&s);
    server_start(&s);
    seen w;
    seen_init(&w, N);
    dw_fedbus *pub = start_pub(s.url, 0);
    dw_fedbus *sub = start_sub(s.url, &w);
    /* Paced (~3 per ms) so that the kill falls among sends, acks and deliveries. */
    feeder f = {.bus = pub, .from = 0, .to = N, .per_ms = 3};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, feed_main, &f), 0);
    while (wait_distinct(&w, N / 3, 0) < N / 3)
        sleep_ms(2);
    server_kill(&s, SIGKILL);
    sleep_ms(300);
    server_start(&s);
    pthread_join(th, NULL);
    assert_int_equal(dw_fedbus_flush(pub, 15000), DW_OK);
    int d = wait_distinct(&w, N, 15);
    sleep_ms(300);
    print_stats("pub", pub);
    print_stats("sub", sub);
    fprintf(stderr, "consumer: received %d distinct %d redelivered %d unflagged dups %d "
                    "out of order %d\n", w.received, d, w.redelivered, w.unflagged_dup,
            w.out_of_order);
    assert_int_equal(d, N);
    assert_int_equal(w.bad, 0);
    assert_int_equal(w.unflagged_dup, 0);
    /* Stored once each: stream sequences 1..N, each message at one. */
    uint64_t maxs = 0;
    for (int i = 0; i < N; i++)
        if (w.sseq[i] > maxs)
            maxs = w.sseq[i];
    assert_int_equal(maxs, N);
    dw_fedbus_stats ps;
    dw_fedbus_get_stats(pub, &ps);
    assert_true(ps.reconnects >= 1);
    dw_fedbus_stop(sub);
    dw_fedbus_stop(pub);
    seen_free(&w);
    server_done(&s);
    dw_fedbus_library_close();
}

/* (e) A durable consumer resumes: one bus takes 500 of 1,000 and stops; a new bus with the
 * same durable gets exactly the other 500. */
static void durable_resumes(void **state)
{
    enum { N = 1000, HALF = 500 };
    static server s;       /* static: the teardown reaches it after a failed assertion */
    server_init(&s);
    server_start(&s);
    dw_fedbus *pub = start_pub(s.url, 0);
    publish_range(pub, 0, N);
    assert_int_equal(dw_fedbus_flush(pub, 15000), DW_OK);
    seen w1;
    seen_init(&w1, N);
    w1.accept_limit = HALF;
    dw_fedbus *sub = start_sub(s.url, &w1);
    int d1 = wait_distinct(&w1, HALF, 10);
    sleep_ms(100);
    dw_fedbus_stop(sub);
    assert_int_equal(d1, HALF);
    assert_int_equal(w1.received, HALF);
    for (int i = 0; i < N; i++)
        assert_int_equal(w1.count[i], i < HALF ? 1 : 0);

    seen w2;
    seen_init(&w2, N);
    sub = start_sub(s.url, &w2);
    int d2 = wait_distinct(&w2, HALF, 10);
    sleep_ms(500);
    print_stats("sub2", sub);
    assert_int_equal(d2, HALF);
    for (int i = 0; i < N; i++)
        assert_int_equal(w2.count[i], i < HALF ? 0 : 1);
    assert_int_equal(w2.received, HALF);
    dw_fedbus_stop(sub);
    dw_fedbus_stop(pub);
    seen_free(&w1);
    seen_free(&w2);
    server_done(&s);
    dw_fedbus_library_close();
}

/* (f) Configuration errors fail start with a clear message; the bus is not made. */
static void bad_config_errors(void **state)
{
    dw_fedbus *b = (dw_fedbus *)&b;     /* a sentinel: must stay unchanged */
    dw_fedbus *const sentinel = b;
    char err[256];
    dw_fedbus_config c = {.servers = "nats://127.0.0.1:notaport", .node = "PA"};
    assert_int_equal(dw_fedbus_start(&c, &b, err, sizeof err), DW_ERR_INVALID);
    fprintf(stderr, "bad url: %s\n", err);
    assert_non_null(strstr(err, "nats://127.0.0.1:notaport"));
    assert_non_null(strstr(err, "cannot be parsed"));
    assert_ptr_equal(b, sentinel);

    c.servers = "nats://127.0.0.1:4222, http://x:1";
    assert_int_equal(dw_fedbus_start(&c, &b, err, sizeof err), DW_ERR_INVALID);
    assert_non_null(strstr(err, "http://x:1"));

    c.servers = "nats://127.0.0.1:4222";
    c.tls_ca = "/nonexistent/dw-ca.pem";
    assert_int_equal(dw_fedbus_start(&c, &b, err, sizeof err), DW_ERR_IO);
    fprintf(stderr, "bad ca: %s\n", err);
    assert_non_null(strstr(err, "TLS CA file '/nonexistent/dw-ca.pem'"));
    assert_non_null(strstr(err, "No such file"));
    assert_ptr_equal(b, sentinel);

    /* A CA file that exists but is not a certificate: nats.c's own words. */
    char path[300];
    const char *d = dw_test_tmpdir();
    assert_non_null(d);
    char dir[256];
    snprintf(dir, sizeof dir, "%s", d);
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a certificate\n", f);
    fclose(f);
    c.tls_ca = path;
    assert_int_equal(dw_fedbus_start(&c, &b, err, sizeof err), DW_ERR_IO);
    fprintf(stderr, "junk ca: %s\n", err);
    assert_non_null(strstr(err, "TLS CA file"));
    assert_ptr_equal(b, sentinel);
    remove(path);
    rmdir(dir);

    c.tls_ca = NULL;
    c.node = "PA.1";
    assert_int_equal(dw_fedbus_start(&c, &b, err, sizeof err), DW_ERR_INVALID);
    assert_non_null(strstr(err, "node id 'PA.1'"));
    assert_ptr_equal(b, sentinel);
    dw_fedbus_stop(NULL);
    dw_fedbus_library_close();
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(pub_sub_10000_in_order, teardown_servers),
    cmocka_unit_test_teardown(down_at_start_queues, teardown_servers),
    cmocka_unit_test_teardown(overflow_drops_oldest, teardown_servers),
    cmocka_unit_test_teardown(server_kill9_no_loss_no_dup, teardown_servers),
    cmocka_unit_test_teardown(durable_resumes, teardown_servers),
    cmocka_unit_test_teardown(bad_config_errors, teardown_servers),
};

DW_TEST_MAIN("fedbus", tests)

/* test_record.c — the recording: bytes in, the same bytes out in the same
 * order; sessions; the picture, the alerts and a track's history at an
 * instant against answers worked out by hand; a reader beside the writer; a
 * full queue; the file's errors with their exact messages; and the crash
 * promises, with a writer process killed by SIGKILL: every batch it knew
 * committed is there, in order, with no gap, and nothing put more than a
 * second before the kill is lost. */
#include "harness.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dronewall/record.h"

#define S_US INT64_C(1000000)

/* ---- helpers --------------------------------------------------------------------- */

typedef struct row {
    int64_t seq, t_us;
    int kind;
    uint64_t track;
    unsigned char *body;
    size_t len;
} row;

typedef struct rows {
    row *v;
    size_t n, cap;
    size_t stop_after;          /* nonzero: stop the query after this many */
} rows;

static int collect(void *ctx, int64_t seq, int kind, int64_t t_us, uint64_t track, const void *body,
                   size_t len)
{
    rows *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        assert_non_null(r->v);
    }
    assert_non_null(body);
    row *w = &r->v[r->n++];
    w->seq = seq;
    w->kind = kind;
    w->t_us = t_us;
    w->track = track;
    w->len = len;
    w->body = malloc(len + 1);
    assert_non_null(w->body);
    memcpy(w->body, body, len);
    w->body[len] = 0;
    return r->stop_after && r->n >= r->stop_after;
}

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].body);
    free(r->v);
    memset(r, 0, sizeof *r);
}

static void db_path(char *buf, size_t cap, const char *name)
{
    const char *d = dw_test_tmpdir();
    assert_non_null(d);
    snprintf(buf, cap, "%s/%s", d, name);
}

static dw_recorder *open_rec(const char *path, int commit_ms, size_t batch_rows, size_t max_q,
                             const char *cfg_json)
{
    dw_recorder_config c;
    dw_recorder_config_default(&c);
    if (commit_ms)
        c.commit_ms = commit_ms;
    if (batch_rows)
        c.batch_rows = batch_rows;
    if (max_q)
        c.max_queue_bytes = max_q;
    dw_recorder *r = NULL;
    char err[512] = "";
    dw_status st = dw_recorder_open(path, &c, cfg_json, &r, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "open: %s\n", err);
    assert_int_equal(st, DW_OK);
    assert_non_null(r);
    return r;
}

static dw_recording *open_rd(const char *path)
{
    dw_recording *d = NULL;
    char err[512] = "";
    dw_status st = dw_recording_open(path, &d, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "open: %s\n", err);
    assert_int_equal(st, DW_OK);
    return d;
}

static void put_out(dw_recorder *r, int kind, int64_t t_us, uint64_t track, const char *body)
{
    assert_int_equal(dw_recorder_output(r, kind, t_us, track, body, strlen(body)), DW_OK);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* One text value of a query on a plain read-only connection. */
static void query_text(const char *path, const char *sql, char *out, size_t cap)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    out[0] = 0;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void make_db(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* The track ids of rows, in order, as "1,4,5". */
static void tracks_of(const rows *r, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < r->n && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%" PRIu64, i ? "," : "", r->v[i].track);
}

/* ---- round trip -------------------------------------------------------------------- */

static void roundtrip_exact_bytes(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "rt.db");
    dw_recorder *r = open_rec(path, 0, 0, 0, "{\"sensors\":[\"PL-RAD-01\"]}");
    assert_int_equal(dw_recorder_session(r), 1);

    size_t big = (size_t)1 << 20;
    unsigned char *b1 = malloc(big), *b2 = malloc(big + 3);
    assert_non_null(b1);
    assert_non_null(b2);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < big + 3; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (i < big)
            b1[i] = (unsigned char)x;
        b2[i] = (unsigned char)(x >> 8);
    }
    static const char nul[] = {'a', 0, 'b', 0, 0, 'c', 0};
    const char *obs = "{\"v\":1,\"type\":\"obs\",\"t_us\":1000,\"sensor\":\"PL-RAD-01\"}";
    const char *trk = "{\"v\":1,\"type\":\"track\",\"id\":17}";

    assert_int_equal(dw_recorder_input(r, DW_REC_IN_OBS, 1000, obs, strlen(obs)), DW_OK);
    assert_int_equal(dw_recorder_input(r, DW_REC_IN_TICK, 2000, NULL, 0), DW_OK);
    assert_int_equal(dw_recorder_input(r, DW_REC_IN_REPORT, -5, nul, sizeof nul), DW_OK);
    assert_int_equal(dw_recorder_output(r, DW_REC_OUT_TRACK, 3000, 17, trk, strlen(trk)), DW_OK);
    assert_int_equal(dw_recorder_output(r, DW_REC_OUT_DEAD, 3001, UINT64_MAX - 5, nul, sizeof nul),
                     DW_OK);
    assert_int_equal(dw_recorder_input(r, 99, INT64_MAX, b1, big), DW_OK);
    assert_int_equal(dw_recorder_output(r, DW_REC_OUT_SENSOR, INT64_MIN, 0, b2, big + 3), DW_OK);
    assert_int_equal(dw_recorder_input(r, DW_REC_IN_FLUSH, 4000, "", 0), DW_OK);
    assert_int_equal(dw_recorder_meta(r, "node", "pl-east-1"), DW_OK);
    assert_int_equal(dw_recorder_meta(r, "nothing", NULL), DW_OK);
    assert_int_equal(dw_recorder_meta(r, "node", "pl-east-2"), DW_OK);
    assert_int_equal(dw_recorder_input(NULL, 1, 0, "", 0), DW_ERR_INVALID);
    assert_int_equal(dw_recorder_input(r, 1, 0, NULL, 3), DW_ERR_INVALID);
    assert_int_equal(dw_recorder_sync(r), DW_OK);

    dw_recorder_stats st;
    dw_recorder_get_stats(r, &st);
    assert_int_equal(st.queued, 11);
    assert_int_equal(st.written, 11);
    assert_int_equal(st.dropped, 0);
    assert_int_equal(st.failed, 0);
    assert_string_equal(st.error, "");
    assert_int_equal(st.queue_bytes, 0);
    assert_true(st.batches >= 1);
    assert_true(st.bytes_written > 2 * big);
    assert_true(st.last_commit_wall_us > 0);
    assert_int_equal(dw_recorder_close(r), DW_OK);

    char v[256];
    query_text(path, "PRAGMA user_version", v, sizeof v);
    assert_string_equal(v, "1");
    query_text(path, "PRAGMA journal_mode", v, sizeof v);
    assert_string_equal(v, "wal");
    query_text(path, "SELECT value FROM meta WHERE key = 'node'", v, sizeof v);
    assert_string_equal(v, "pl-east-2");
    query_text(path, "SELECT quote(value) FROM meta WHERE key = 'nothing'", v, sizeof v);
    assert_string_equal(v, "NULL");

    dw_recording *d = open_rd(path);
    char *cfg = NULL;
    assert_int_equal(dw_recording_session_config(d, 1, &cfg), DW_OK);
    assert_string_equal(cfg, "{\"sensors\":[\"PL-RAD-01\"]}");
    free(cfg);

    rows in = {0}, out = {0};
    assert_int_equal(dw_recording_inputs(d, 1, collect, &in), DW_OK);
    assert_int_equal(dw_recording_outputs(d, 0, collect, &out), DW_OK);
    assert_int_equal(in.n, 5);
    assert_int_equal(out.n, 3);
    for (size_t i = 1; i < in.n; i++)
        assert_true(in.v[i].seq > in.v[i - 1].seq);
    assert_int_equal(in.v[0].kind, DW_REC_IN_OBS);
    assert_int_equal(in.v[0].t_us, 1000);
    assert_int_equal(in.v[0].len, strlen(obs));
    assert_memory_equal(in.v[0].body, obs, strlen(obs));
    assert_int_equal(in.v[0].track, 0);
    assert_int_equal(in.v[1].kind, DW_REC_IN_TICK);
    assert_int_equal(in.v[1].len, 0);
    assert_int_equal(in.v[2].kind, DW_REC_IN_REPORT);
    assert_int_equal(in.v[2].t_us, -5);
    assert_int_equal(in.v[2].len, sizeof nul);
    assert_memory_equal(in.v[2].body, nul, sizeof nul);
    assert_int_equal(in.v[3].kind, 99);
    assert_true(in.v[3].t_us == INT64_MAX);
    assert_int_equal(in.v[3].len, big);
    assert_memory_equal(in.v[3].body, b1, big);
    assert_int_equal(in.v[4].kind, DW_REC_IN_FLUSH);
    assert_int_equal(in.v[4].len, 0);

    assert_int_equal(out.v[0].kind, DW_REC_OUT_TRACK);
    assert_int_equal(out.v[0].track, 17);
    assert_int_equal(out.v[0].t_us, 3000);
    assert_memory_equal(out.v[0].body, trk, strlen(trk));
    assert_int_equal(out.v[1].kind, DW_REC_OUT_DEAD);
    assert_true(out.v[1].track == UINT64_MAX - 5);
    assert_memory_equal(out.v[1].body, nul, sizeof nul);
    assert_int_equal(out.v[2].kind, DW_REC_OUT_SENSOR);
    assert_true(out.v[2].t_us == INT64_MIN);
    assert_int_equal(out.v[2].len, big + 3);
    assert_memory_equal(out.v[2].body, b2, big + 3);
    assert_true(out.v[0].seq < out.v[1].seq && out.v[1].seq < out.v[2].seq);

    /* a callback that says stop */
    rows some = {.stop_after = 2};
    assert_int_equal(dw_recording_inputs(d, 0, collect, &some), DW_OK);
    assert_int_equal(some.n, 2);
    rows_free(&some);
    rows_free(&in);
    rows_free(&out);
    dw_recording_close(d);
    free(b1);
    free(b2);
}

/* ---- sessions ---------------------------------------------------------------------- */

static void sessions_append_and_seq_continues(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "ses.db");
    dw_recorder *r = open_rec(path, 0, 0, 0, "{\"run\":1}");
    for (int i = 0; i < 3; i++) {
        char b[32];
        snprintf(b, sizeof b, "s1 in %d", i);
        assert_int_equal(dw_recorder_input(r, DW_REC_IN_OBS, 100 * S_US + i * S_US, b, strlen(b)),
                         DW_OK);
    }
    put_out(r, DW_REC_OUT_TRACK, 101 * S_US, 1, "s1 out 0");
    put_out(r, DW_REC_OUT_TRACK, 105 * S_US, 1, "s1 out 1");
    assert_int_equal(dw_recorder_close(r), DW_OK);

    r = open_rec(path, 0, 0, 0, "{\"run\":2}");
    assert_int_equal(dw_recorder_session(r), 2);
    assert_int_equal(dw_recorder_input(r, DW_REC_IN_OBS, 200 * S_US, "s2 in 0", 7), DW_OK);
    assert_int_equal(dw_recorder_input(r, DW_REC_IN_OBS, 203 * S_US, "s2 in 1", 7), DW_OK);
    put_out(r, DW_REC_OUT_ALERT, 201 * S_US, 0, "s2 out 0");
    assert_int_equal(dw_recorder_close(r), DW_OK);

    r = open_rec(path, 0, 0, 0, NULL);
    assert_int_equal(dw_recorder_session(r), 3);
    assert_int_equal(dw_recorder_close(r), DW_OK);

    dw_recording *d = open_rd(path);
    int64_t ids[8];
    size_t n = 0;
    assert_int_equal(dw_recording_sessions(d, ids, 8, &n), DW_OK);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 2);
    assert_int_equal(ids[2], 3);
    int64_t two[2] = {0, 0};
    assert_int_equal(dw_recording_sessions(d, two, 2, &n), DW_OK);
    assert_int_equal(n, 3);
    assert_int_equal(two[1], 2);

    char *cfg = (char *)"untouched";
    assert_int_equal(dw_recording_session_config(d, 2, &cfg), DW_OK);
    assert_string_equal(cfg, "{\"run\":2}");
    free(cfg);
    assert_int_equal(dw_recording_session_config(d, 3, &cfg), DW_OK);
    assert_null(cfg);
    cfg = (char *)"untouched";
    assert_int_equal(dw_recording_session_config(d, 99, &cfg), DW_ERR_NOT_FOUND);
    assert_string_equal(cfg, "untouched");

    rows all = {0}, s2 = {0};
    assert_int_equal(dw_recording_inputs(d, 0, collect, &all), DW_OK);
    assert_int_equal(all.n, 5);
    for (size_t i = 0; i < all.n; i++)
        assert_int_equal(all.v[i].seq, (int64_t)i + 1); /* seq goes on across sessions */
    assert_string_equal((char *)all.v[3].body, "s2 in 0");
    assert_int_equal(dw_recording_inputs(d, 2, collect, &s2), DW_OK);
    assert_int_equal(s2.n, 2);
    assert_int_equal(s2.v[0].seq, 4);
    assert_string_equal((char *)s2.v[1].body, "s2 in 1");
    rows_free(&all);
    rows_free(&s2);
    assert_int_equal(dw_recording_outputs(d, 2, collect, &s2), DW_OK);
    assert_int_equal(s2.n, 1);
    assert_int_equal(s2.v[0].seq, 3);
    assert_int_equal(s2.v[0].kind, DW_REC_OUT_ALERT);
    rows_free(&s2);

    int64_t a = 0, b = 0;
    assert_int_equal(dw_recording_span(d, 1, &a, &b), DW_OK);
    assert_int_equal(a, 100 * S_US);
    assert_int_equal(b, 105 * S_US);
    assert_int_equal(dw_recording_span(d, 2, &a, &b), DW_OK);
    assert_int_equal(a, 200 * S_US);
    assert_int_equal(b, 203 * S_US);
    assert_int_equal(dw_recording_span(d, 0, &a, &b), DW_OK);
    assert_int_equal(a, 100 * S_US);
    assert_int_equal(b, 203 * S_US);
    a = b = 7;
    assert_int_equal(dw_recording_span(d, 3, &a, &b), DW_ERR_NOT_FOUND);
    assert_int_equal(a, 7);
    assert_int_equal(b, 7);
    dw_recording_close(d);
}

/* ---- the picture at an instant ----------------------------------------------------- */

static void tracks_at_hand_computed(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "tracks.db");
    dw_recorder *r = open_rec(path, 0, 0, 0, NULL);
    /* report instant 10 s: tracks 1, 2, 3 */
    put_out(r, DW_REC_OUT_TRACK, 10 * S_US, 1, "t1@10");
    put_out(r, DW_REC_OUT_TRACK, 10 * S_US, 2, "t2@10");
    put_out(r, DW_REC_OUT_TRACK, 10 * S_US, 3, "t3@10");
    put_out(r, DW_REC_OUT_ALERT, 12 * S_US, 1, "{\"id\":1,\"state\":\"raised\"}");
    put_out(r, DW_REC_OUT_DEAD, 15 * S_US, 2, "dead2@15");
    /* track 3 ends at 20 s, the same instant it is last reported */
    put_out(r, DW_REC_OUT_DEAD, 20 * S_US, 3, "dead3@20");
    /* report instant 20 s: 1, 3, 4, 5 */
    put_out(r, DW_REC_OUT_TRACK, 20 * S_US, 1, "t1@20");
    put_out(r, DW_REC_OUT_TRACK, 20 * S_US, 3, "t3@20");
    put_out(r, DW_REC_OUT_TRACK, 20 * S_US, 4, "t4@20");
    put_out(r, DW_REC_OUT_TRACK, 20 * S_US, 5, "t5@20");
    put_out(r, DW_REC_OUT_IDENTITY, 21 * S_US, 4, "id4@21");
    put_out(r, DW_REC_OUT_DEAD, 25 * S_US, 5, "dead5@25");
    /* report instant 30 s: 1 */
    put_out(r, DW_REC_OUT_TRACK, 30 * S_US, 1, "t1@30");
    assert_int_equal(dw_recorder_close(r), DW_OK);
    /* a second run of the daemon: track 7 at 40 s */
    r = open_rec(path, 0, 0, 0, NULL);
    put_out(r, DW_REC_OUT_TRACK, 40 * S_US, 7, "t7@40");
    assert_int_equal(dw_recorder_close(r), DW_OK);

    static const struct {
        int64_t session, t_us;
        const char *want;
    } cases[] = {
        {1, 5 * S_US, ""},                /* before the first report instant          */
        {1, 10 * S_US, "1,2,3"},          /* track 2 ends later, at 15 s               */
        {1, 20 * S_US - 1, "1,2,3"},      /* still the picture of 10 s                  */
        {1, 20 * S_US, "1,4,5"},          /* 3 ended at 20 s: at or before the instant  */
        {1, 29 * S_US, "1,4,5"},          /* 5 ended at 25 s, after the instant 20 s     */
        {1, 100 * S_US, "1"},
        {0, 35 * S_US, "1"},
        {0, 50 * S_US, "7"},              /* all sessions: the latest instant is run 2's */
        {2, 35 * S_US, ""},
        {2, 40 * S_US, "7"},
    };
    dw_recording *d = open_rd(path);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rows got = {0};
        assert_int_equal(dw_recording_tracks_at(d, cases[i].session, cases[i].t_us, collect, &got),
                         DW_OK);
        char ids[128];
        tracks_of(&got, ids, sizeof ids);
        if (strcmp(ids, cases[i].want) != 0)
            fprintf(stderr, "case %zu: session %" PRId64 " t %" PRId64 ": got [%s] want [%s]\n", i,
                    cases[i].session, cases[i].t_us, ids, cases[i].want);
        assert_string_equal(ids, cases[i].want);
        for (size_t k = 0; k < got.n; k++) {
            assert_int_equal(got.v[k].kind, DW_REC_OUT_TRACK);
            char want_body[32];
            snprintf(want_body, sizeof want_body, "t%" PRIu64 "@%" PRId64, got.v[k].track,
                     got.v[k].t_us / S_US);
            assert_string_equal((char *)got.v[k].body, want_body);
        }
        rows_free(&got);
    }
    dw_recording_close(d);
}

static void alert_row(dw_recorder *r, int64_t t_s, int id, const char *state)
{
    char b[160];
    snprintf(b, sizeof b,
             "{\"v\":1,\"type\":\"alert\",\"t_us\":%" PRId64 ",\"id\":%d,\"kind\":\"border_violation\","
             "\"state\":\"%s\",\"text\":\"x\"}",
             t_s * S_US, id, state);
    put_out(r, DW_REC_OUT_ALERT, t_s * S_US, (uint64_t)(100 + id), b);
}

/* "id:state@t,..." */
static void alerts_of(const rows *r, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < r->n && n < cap; i++) {
        const char *b = (const char *)r->v[i].body;
        const char *id = strstr(b, "\"id\":"), *st = strstr(b, "\"state\":\"");
        assert_non_null(id);
        assert_non_null(st);
        int idn = atoi(id + 5);
        char s[16] = "";
        sscanf(st + 9, "%15[a-z]", s);
        n += (size_t)snprintf(buf + n, cap - n, "%s%d:%s@%" PRId64, i ? "," : "", idn, s,
                              r->v[i].t_us / S_US);
    }
}

static void alerts_at_hand_computed(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "alerts.db");
    dw_recorder *r = open_rec(path, 0, 0, 0, NULL);
    alert_row(r, 10, 1, "raised");
    put_out(r, DW_REC_OUT_TRACK, 11 * S_US, 5, "{\"id\":5}"); /* not an alert: never counted */
    alert_row(r, 12, 2, "raised");
    alert_row(r, 15, 1, "updated");
    alert_row(r, 20, 2, "cleared");
    alert_row(r, 25, 3, "raised");
    put_out(r, DW_REC_OUT_ALERT, 26 * S_US, 0, "not json at all");
    put_out(r, DW_REC_OUT_ALERT, 27 * S_US, 0, "{\"state\":\"raised\"}"); /* no id */
    alert_row(r, 30, 3, "cleared");
    alert_row(r, 31, 4, "raised");
    alert_row(r, 35, 4, "cleared");
    alert_row(r, 36, 4, "reopened");
    assert_int_equal(dw_recorder_close(r), DW_OK);
    r = open_rec(path, 0, 0, 0, NULL);
    alert_row(r, 50, 1, "raised");   /* run 2 numbers its alerts from 1 again */
    assert_int_equal(dw_recorder_close(r), DW_OK);

    static const struct {
        int64_t session, t_us, keep_us;
        const char *want;
    } cases[] = {
        {1, 9 * S_US, 5 * S_US, ""},
        {1, 11 * S_US, 5 * S_US, "1:raised@10"},
        {1, 16 * S_US, 5 * S_US, "2:raised@12,1:updated@15"},
        {1, 20 * S_US, 5 * S_US, "1:updated@15,2:cleared@20"},
        {1, 25 * S_US, 5 * S_US, "1:updated@15,2:cleared@20,3:raised@25"}, /* cleared 5 s ago */
        {1, 25 * S_US + 1, 5 * S_US, "1:updated@15,3:raised@25"},
        {1, 30 * S_US, 0, "1:updated@15,3:cleared@30"},
        {1, 34 * S_US, 0, "1:updated@15,4:raised@31"},
        {1, 35 * S_US, 0, "1:updated@15,4:cleared@35"},
        {1, 40 * S_US, 5 * S_US, "1:updated@15,4:reopened@36"},
        {1, 60 * S_US, 0, "1:updated@15,4:reopened@36"},
        {2, 60 * S_US, 0, "1:raised@50"},
        {0, 60 * S_US, 0, "1:updated@15,4:reopened@36,1:raised@50"},
        /* in (t_us, seq) order of the rows kept, whatever their ids */
        {0, 60 * S_US, 1000 * S_US, "1:updated@15,2:cleared@20,3:cleared@30,4:reopened@36,1:raised@50"},
    };
    dw_recording *d = open_rd(path);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rows got = {0};
        assert_int_equal(dw_recording_alerts_at(d, cases[i].session, cases[i].t_us,
                                                cases[i].keep_us, collect, &got),
                         DW_OK);
        char s[512];
        alerts_of(&got, s, sizeof s);
        if (strcmp(s, cases[i].want) != 0)
            fprintf(stderr, "case %zu: got [%s] want [%s]\n", i, s, cases[i].want);
        assert_string_equal(s, cases[i].want);
        for (size_t k = 0; k < got.n; k++) {
            assert_int_equal(got.v[k].kind, DW_REC_OUT_ALERT);
            assert_int_equal(got.v[k].track, 100 + (uint64_t)atoi(strstr((char *)got.v[k].body,
                                                                         "\"id\":") + 5));
        }
        rows_free(&got);
    }
    rows none = {0};
    assert_int_equal(dw_recording_alerts_at(d, 1, 60 * S_US, -1, collect, &none), DW_ERR_INVALID);
    dw_recording_close(d);
}

/* The alert id and state are read at the top level of the line only: not in
 * a nested object, not inside a string, whatever the spacing. */
static void alerts_at_reads_top_level_keys(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "alert-keys.db");
    dw_recorder *r = open_rec(path, 0, 0, 0, NULL);
    put_out(r, DW_REC_OUT_ALERT, 1 * S_US, 0,
            "{\"text\":\"a \\\"id\\\":9 and \\\"state\\\":\\\"raised\\\"\","
            "\"meta\":{\"id\":8,\"state\":\"raised\",\"x\":[1,{\"id\":3}]},"
            "\"id\":6,\"state\":\"cleared\"}");
    put_out(r, DW_REC_OUT_ALERT, 2 * S_US, 0,
            " { \"id\" : 7 ,\n \"tracks\" : [ {\"id\":1} ] , \"state\" : \"raised\" } ");
    put_out(r, DW_REC_OUT_ALERT, 3 * S_US, 0, "{\"id\":6.5,\"state\":\"raised\"}");
    put_out(r, DW_REC_OUT_ALERT, 4 * S_US, 0, "[{\"id\":11,\"state\":\"raised\"}]");
    put_out(r, DW_REC_OUT_ALERT, 5 * S_US, 0, "{\"id\":10,\"state\":\"raised\",\"text\":\"cut sho");
    put_out(r, DW_REC_OUT_ALERT, 6 * S_US, 0, "{\"meta\":{\"id\":12},\"state\":\"raised\"}");
    put_out(r, DW_REC_OUT_ALERT, 7 * S_US, 0, "");
    assert_int_equal(dw_recorder_close(r), DW_OK);

    dw_recording *d = open_rd(path);
    rows got = {0};
    /* id 6 cleared 9 s before: gone; 7 and 10 (leniently read) stand */
    assert_int_equal(dw_recording_alerts_at(d, 0, 10 * S_US, 0, collect, &got), DW_OK);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.v[0].t_us, 2 * S_US);
    assert_int_equal(got.v[1].t_us, 5 * S_US);
    rows_free(&got);
    assert_int_equal(dw_recording_alerts_at(d, 0, 10 * S_US, 9 * S_US, collect, &got), DW_OK);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.v[0].t_us, 1 * S_US);
    rows_free(&got);
    dw_recording_close(d);
}

static void track_history_thinning(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "hist.db");
    dw_recorder *r = open_rec(path, 0, 0, 0, NULL);
    for (int s = 0; s < 100; s++) {
        char b[32];
        for (uint64_t t = 8; t <= 10; t++) {
            snprintf(b, sizeof b, "t%" PRIu64 "@%d", t, s);
            put_out(r, DW_REC_OUT_TRACK, s * S_US, t, b);
        }
        if (s == 50)
            put_out(r, DW_REC_OUT_IDENTITY, s * S_US, 9, "not a point");
    }
    put_out(r, DW_REC_OUT_DEAD, 99 * S_US, 9, "dead");
    assert_int_equal(dw_recorder_close(r), DW_OK);

    dw_recording *d = open_rd(path);
    rows got = {0};
    assert_int_equal(dw_recording_track_history(d, 1, 9, 10 * S_US, 19 * S_US, 0, collect, &got),
                     DW_OK);
    assert_int_equal(got.n, 10);
    for (size_t i = 0; i < got.n; i++) {
        char want[32];
        snprintf(want, sizeof want, "t9@%zu", 10 + i);
        assert_string_equal((char *)got.v[i].body, want);
        assert_int_equal(got.v[i].track, 9);
        assert_int_equal(got.v[i].kind, DW_REC_OUT_TRACK);
    }
    rows_free(&got);

    /* 100 points thinned to 10: i * 99 / 9 = 0, 11, 22, ..., 99 */
    assert_int_equal(dw_recording_track_history(d, 0, 9, 0, 99 * S_US, 10, collect, &got), DW_OK);
    assert_int_equal(got.n, 10);
    for (size_t i = 0; i < got.n; i++)
        assert_int_equal(got.v[i].t_us, (int64_t)(11 * i) * S_US);
    rows_free(&got);

    /* 100 to 7: round(i * 99 / 6) = 0, 17 (16.5), 33, 50 (49.5), 66, 83 (82.5), 99 */
    static const int64_t seven[] = {0, 17, 33, 50, 66, 83, 99};
    assert_int_equal(dw_recording_track_history(d, 1, 9, 0, 99 * S_US, 7, collect, &got), DW_OK);
    assert_int_equal(got.n, 7);
    for (size_t i = 0; i < got.n; i++)
        assert_int_equal(got.v[i].t_us, seven[i] * S_US);
    rows_free(&got);

    assert_int_equal(dw_recording_track_history(d, 1, 9, 0, 99 * S_US, 1, collect, &got), DW_OK);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.v[0].t_us, 99 * S_US);
    rows_free(&got);

    assert_int_equal(dw_recording_track_history(d, 1, 9, 0, 99 * S_US, 100, collect, &got), DW_OK);
    assert_int_equal(got.n, 100);
    rows_free(&got);
    assert_int_equal(dw_recording_track_history(d, 1, 9, 0, 200 * S_US, 1000, collect, &got), DW_OK);
    assert_int_equal(got.n, 100);
    rows_free(&got);

    assert_int_equal(dw_recording_track_history(d, 1, 42, 0, 99 * S_US, 0, collect, &got), DW_OK);
    assert_int_equal(got.n, 0);
    assert_int_equal(dw_recording_track_history(d, 2, 9, 0, 99 * S_US, 0, collect, &got), DW_OK);
    assert_int_equal(got.n, 0);

    got.stop_after = 3;
    assert_int_equal(dw_recording_track_history(d, 1, 8, 0, 99 * S_US, 0, collect, &got), DW_OK);
    assert_int_equal(got.n, 3);
    rows_free(&got);
    dw_recording_close(d);
}

/* ---- a reader beside the writer ------------------------------------------------------ */

#define CONC_ROWS 60000

typedef struct conc {
    const char *path;
    int polls, partial;         /* reads done; reads that saw some, not all     */
    int bad;                    /* a read that was not a gap-free prefix        */
    size_t last;
} conc;

static int conc_check(void *ctx, int64_t seq, int kind, int64_t t_us, uint64_t track,
                      const void *body, size_t len)
{
    conc *c = ctx;
    char want[32];
    int n = snprintf(want, sizeof want, "row %zu", c->last);
    if ((size_t)n != len || memcmp(body, want, len) != 0 || t_us != (int64_t)c->last)
        c->bad = 1;
    c->last++;
    return c->bad;
}

static void *conc_reader(void *arg)
{
    conc *c = arg;
    dw_recording *d = NULL;
    char err[512];
    if (dw_recording_open(c->path, &d, err, sizeof err) != DW_OK) {
        c->bad = 2;
        return NULL;
    }
    size_t prev = 0;
    double t_end = mono_s() + 60;
    while (mono_s() < t_end) {
        c->last = 0;
        if (dw_recording_outputs(d, 0, conc_check, c) != DW_OK) {
            c->bad = 3;
            break;
        }
        if (c->bad)
            break;
        if (c->last < prev) { /* what was committed stays */
            c->bad = 4;
            break;
        }
        prev = c->last;
        c->polls++;
        if (c->last > 0 && c->last < CONC_ROWS)
            c->partial++;
        if (c->last == CONC_ROWS)
            break;
        sleep_ms(5);
    }
    dw_recording_close(d);
    return NULL;
}

static void concurrent_reader_sees_committed_prefix(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "conc.db");
    dw_recorder *r = open_rec(path, 20, 0, 0, NULL);
    conc c = {.path = path};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, conc_reader, &c), 0);
    for (size_t i = 0; i < CONC_ROWS; i++) {
        char b[32];
        int n = snprintf(b, sizeof b, "row %zu", i);
        assert_int_equal(dw_recorder_output(r, DW_REC_OUT_TRACK, (int64_t)i, i % 100, b, (size_t)n),
                         DW_OK);
        if (i % 2000 == 1999)
            sleep_ms(10);
    }
    assert_int_equal(dw_recorder_sync(r), DW_OK);
    pthread_join(th, NULL);
    dw_recorder_stats st;
    dw_recorder_get_stats(r, &st);
    assert_int_equal(dw_recorder_close(r), DW_OK);
    fprintf(stderr, "reader: %d reads, %d saw part of the rows; writer: %" PRIu64 " batches\n",
            c.polls, c.partial, st.batches);
    assert_int_equal(c.bad, 0);
    assert_int_equal(c.last, CONC_ROWS);
    assert_true(c.polls >= 2);
    assert_true(st.batches >= 2);
}

/* ---- a full queue ------------------------------------------------------------------- */

static void queue_overflow_drops_and_counts(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "full.db");
    /* the writer waits a minute: nothing leaves the queue until the sync */
    dw_recorder *r = open_rec(path, 60000, 1000000, 4096, NULL);
    char body[200];
    memset(body, 'x', sizeof body);
    int accepted = 0, refused = 0;
    double t0 = mono_s();
    for (int i = 0; i < 100; i++) {
        int n = snprintf(body, sizeof body, "%d", i);
        body[n] = 'x';
        dw_status st = dw_recorder_output(r, DW_REC_OUT_TRACK, i, 1, body, sizeof body);
        if (st == DW_OK)
            accepted++;
        else {
            assert_int_equal(st, DW_ERR_FULL);
            refused++;
        }
    }
    assert_true(mono_s() - t0 < 1.0); /* refusing never waits */
    /* each record costs 32 + 200 bytes: 17 fit in 4,096 */
    assert_int_equal(accepted, 17);
    assert_int_equal(refused, 83);
    /* bigger than the whole queue */
    assert_int_equal(dw_recorder_input(r, DW_REC_IN_OBS, 0, body, 5000 - 32), DW_ERR_FULL);
    dw_recorder_stats st;
    dw_recorder_get_stats(r, &st);
    assert_int_equal(st.queued, 17);
    assert_int_equal(st.written, 0);
    assert_int_equal(st.dropped, 84);
    assert_int_equal(st.queue_bytes, 17 * 232);
    assert_int_equal(st.queue_bytes_peak, 17 * 232);
    assert_int_equal(st.failed, 0);

    assert_int_equal(dw_recorder_sync(r), DW_OK);
    dw_recorder_get_stats(r, &st);
    assert_int_equal(st.written, 17);
    assert_int_equal(st.queue_bytes, 0);
    /* room again */
    assert_int_equal(dw_recorder_output(r, DW_REC_OUT_TRACK, 1000, 1, "after", 5), DW_OK);
    assert_int_equal(dw_recorder_close(r), DW_OK);

    dw_recording *d = open_rd(path);
    rows got = {0};
    assert_int_equal(dw_recording_outputs(d, 0, collect, &got), DW_OK);
    assert_int_equal(got.n, 18);
    for (int i = 0; i < 17; i++) {
        assert_int_equal(got.v[i].t_us, i); /* the first 17, in order */
        assert_int_equal(got.v[i].len, sizeof body);
    }
    assert_string_equal((char *)got.v[17].body, "after");
    rows_free(&got);
    dw_recording_close(d);
}

static void commits_on_time_and_by_rows(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "cadence.db");
    /* by time: nobody syncs, the writer commits within commit_ms */
    dw_recorder *r = open_rec(path, 50, 0, 0, NULL);
    for (int i = 0; i < 10; i++)
        put_out(r, DW_REC_OUT_TRACK, i, 1, "on time");
    dw_recorder_stats st;
    double t0 = mono_s();
    do {
        sleep_ms(10);
        dw_recorder_get_stats(r, &st);
    } while (st.written < 10 && mono_s() - t0 < 5);
    assert_int_equal(st.written, 10);
    assert_int_equal(st.queue_bytes, 0);
    assert_true(st.batches >= 1);
    assert_true(st.commit_ms_max > 0);
    assert_true(st.commit_ms_p50 > 0 && st.commit_ms_p50 <= st.commit_ms_max);
    assert_true(st.commit_ms_p99 >= st.commit_ms_p50 && st.commit_ms_p99 <= st.commit_ms_max);
    assert_int_equal(dw_recorder_close(r), DW_OK);

    /* by rows: the writer waits a minute, but 100 waiting rows wake it, and no
       transaction holds more than 100 */
    r = open_rec(path, 60000, 100, 0, NULL);
    for (int i = 0; i < 250; i++)
        put_out(r, DW_REC_OUT_TRACK, i, 1, "by rows");
    t0 = mono_s();
    do {
        sleep_ms(10);
        dw_recorder_get_stats(r, &st);
    } while (st.written < 100 && mono_s() - t0 < 5);
    assert_true(st.written >= 100);
    assert_true(st.batches * 100 >= st.written);
    assert_int_equal(dw_recorder_sync(r), DW_OK);
    dw_recorder_get_stats(r, &st);
    assert_int_equal(st.written, 250);
    assert_true(st.batches >= 3);
    assert_int_equal(dw_recorder_close(r), DW_OK);
    assert_int_equal(dw_recorder_close(NULL), DW_OK);
}

/* ---- errors ------------------------------------------------------------------------ */

static void expect_open_error(const char *path, dw_status want_st, const char *want_reason)
{
    char want[1024], err[1024];
    snprintf(want, sizeof want, "%s: %s", path, want_reason);
    dw_recorder *r = (dw_recorder *)(uintptr_t)1;
    err[0] = 0;
    assert_int_equal(dw_recorder_open(path, NULL, NULL, &r, err, sizeof err), want_st);
    assert_string_equal(err, want);
    assert_true(r == (dw_recorder *)(uintptr_t)1); /* untouched on failure */
    dw_recording *d = (dw_recording *)(uintptr_t)1;
    err[0] = 0;
    assert_int_equal(dw_recording_open(path, &d, err, sizeof err), want_st);
    assert_string_equal(err, want);
    assert_true(d == (dw_recording *)(uintptr_t)1);
}

static void open_errors_exact_messages(void **state)
{
    (void)state;
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s", dw_test_tmpdir());

    snprintf(path, sizeof path, "%s/no-such-dir/rec.db", dir);
    expect_open_error(path, DW_ERR_IO, "unable to open database file (No such file or directory)");

    snprintf(path, sizeof path, "%s/notes.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("2025-09-10 operator notes: nothing to see here, this file is plain text and longer "
          "than one SQLite header of one hundred bytes, so SQLite reads it and says no.\n",
          f);
    fclose(f);
    expect_open_error(path, DW_ERR_IO, "file is not a database");

    snprintf(path, sizeof path, "%s/newer.db", dir);
    make_db(path, "CREATE TABLE session(id INTEGER PRIMARY KEY); PRAGMA user_version = 2;");
    expect_open_error(path, DW_ERR_UNSUPPORTED,
                      "recording schema version 2 is newer than this dronewall reads (1)");

    snprintf(path, sizeof path, "%s/other.db", dir);
    make_db(path, "CREATE TABLE aircraft(icao INTEGER PRIMARY KEY, reg TEXT);");
    expect_open_error(path, DW_ERR_UNSUPPORTED,
                      "not a dronewall recording (an SQLite database with user_version 0 and 1 "
                      "schema objects)");

    /* the reader does not create: a missing file is an error for it alone */
    snprintf(path, sizeof path, "%s/missing.db", dir);
    char err[1024], want[1024];
    dw_recording *d = NULL;
    assert_int_equal(dw_recording_open(path, &d, err, sizeof err), DW_ERR_IO);
    snprintf(want, sizeof want, "%s: unable to open database file (No such file or directory)", path);
    assert_string_equal(err, want);

    dw_recorder_config c;
    dw_recorder_config_default(&c);
    assert_int_equal(c.commit_ms, 500);
    assert_int_equal(c.batch_rows, 20000);
    assert_int_equal(c.max_queue_bytes, (size_t)256 << 20);
    c.commit_ms = 0;
    dw_recorder *r = NULL;
    assert_int_equal(dw_recorder_open(path, &c, NULL, &r, err, sizeof err), DW_ERR_INVALID);
    snprintf(want, sizeof want,
             "%s: commit_ms, batch_rows and max_queue_bytes must be positive (0, 20000, 268435456)",
             path);
    assert_string_equal(err, want);
    assert_null(r);
}

static void file_removed_marks_failed(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "gone.db");
    dw_recorder *r = open_rec(path, 20, 0, 0, NULL);
    put_out(r, DW_REC_OUT_TRACK, 1, 1, "before");
    assert_int_equal(dw_recorder_sync(r), DW_OK);
    assert_int_equal(unlink(path), 0);
    put_out(r, DW_REC_OUT_TRACK, 2, 1, "after");
    put_out(r, DW_REC_OUT_TRACK, 3, 1, "after");
    assert_int_equal(dw_recorder_sync(r), DW_ERR_IO);
    dw_recorder_stats st;
    dw_recorder_get_stats(r, &st);
    assert_int_equal(st.failed, 1);
    char want[700];
    snprintf(want, sizeof want, "%s: the file was removed or renamed while recording", path);
    assert_string_equal(st.error, want);
    assert_int_equal(st.written, 1);
    assert_int_equal(st.dropped, 2);
    assert_int_equal(st.queue_bytes, 0);
    /* later records are refused and counted, never queued */
    assert_int_equal(dw_recorder_output(r, DW_REC_OUT_TRACK, 4, 1, "later", 5), DW_ERR_IO);
    assert_int_equal(dw_recorder_meta(r, "k", "v"), DW_ERR_IO);
    dw_recorder_get_stats(r, &st);
    assert_int_equal(st.dropped, 4);
    assert_int_equal(st.queued, 3);
    assert_int_equal(dw_recorder_close(r), DW_ERR_IO);
}

/* In a child (the file size limit is the process's): a file that cannot grow
 * is a disk that is full. */
typedef struct full_report {
    int failed, put_after, sync_st, close_st;
    uint64_t puts, queued, written, dropped;
    char error[256];
} full_report;

static void disk_full_marks_failed(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "full-disk.db");
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        signal(SIGXFSZ, SIG_IGN);
        dw_recorder_config c;
        dw_recorder_config_default(&c);
        c.commit_ms = 20;
        dw_recorder *r = NULL;
        char err[512];
        if (dw_recorder_open(path, &c, NULL, &r, err, sizeof err) != DW_OK)
            _exit(3);
        struct rlimit rl = {2 << 20, 2 << 20};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(4);
        char body[1000];
        memset(body, 'd', sizeof body);
        full_report rep;
        memset(&rep, 0, sizeof rep);
        dw_recorder_stats st;
        double t_end = mono_s() + 20;
        for (int i = 0; mono_s() < t_end; i++) {
            dw_recorder_output(r, DW_REC_OUT_TRACK, i, 1, body, sizeof body);
            rep.puts++;
            if (i % 50 == 49) { /* 25 MB/s: a few batches fit before the limit */
                dw_recorder_get_stats(r, &st);
                if (st.failed)
                    break;
                sleep_ms(2);
            }
        }
        rep.sync_st = dw_recorder_sync(r);
        rep.put_after = dw_recorder_output(r, DW_REC_OUT_TRACK, 0, 1, body, sizeof body);
        rep.puts++;
        dw_recorder_get_stats(r, &st);
        rep.failed = st.failed;
        rep.queued = st.queued;
        rep.written = st.written;
        rep.dropped = st.dropped;
        memcpy(rep.error, st.error, sizeof rep.error);
        rep.close_st = dw_recorder_close(r);
        if (write(pfd[1], &rep, sizeof rep) != (ssize_t)sizeof rep)
            _exit(5);
        _exit(0);
    }
    close(pfd[1]);
    full_report rep;
    ssize_t got = 0;
    while (got < (ssize_t)sizeof rep) {
        ssize_t k = read(pfd[0], (char *)&rep + got, sizeof rep - (size_t)got);
        if (k <= 0)
            break;
        got += k;
    }
    close(pfd[0]);
    int ws = 0;
    waitpid(pid, &ws, 0);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), 0);
    assert_int_equal(got, (ssize_t)sizeof rep);
    fprintf(stderr, "disk full: %s; queued %" PRIu64 " written %" PRIu64 " dropped %" PRIu64 "\n",
            rep.error, rep.queued, rep.written, rep.dropped);
    assert_int_equal(rep.failed, 1);
    assert_int_equal(rep.sync_st, DW_ERR_IO);
    assert_int_equal(rep.put_after, DW_ERR_IO);
    assert_int_equal(rep.close_st, DW_ERR_IO);
    char want[600];
    snprintf(want, sizeof want, "%s: ", path);
    assert_true(strncmp(rep.error, want, strlen(want)) == 0);
    assert_true(strstr(rep.error, "File too large") || strstr(rep.error, "disk is full"));
    assert_int_equal(rep.puts, rep.written + rep.dropped); /* every put counted once */
    assert_true(rep.written > 0);
    /* what was committed before the disk filled is intact and readable */
    dw_recording *d = open_rd(path);
    rows all = {0};
    assert_int_equal(dw_recording_outputs(d, 0, collect, &all), DW_OK);
    assert_true(all.n >= rep.written);
    for (size_t i = 0; i < all.n; i++)
        assert_int_equal(all.v[i].t_us, (int64_t)i);
    rows_free(&all);
    dw_recording_close(d);
    char ok[64];
    query_text(path, "PRAGMA integrity_check", ok, sizeof ok);
    assert_string_equal(ok, "ok");
}

/* ---- kill -9 --------------------------------------------------------------------------- */

/* Reads one number per message until the pipe is empty or closed; *eof when
 * closed. Messages are fixed-size structs. */
typedef struct kmsg {
    uint64_t n;                 /* records put (or known committed)              */
    double t;                   /* the child's CLOCK_MONOTONIC when it was true  */
} kmsg;

static size_t drain(int fd, kmsg *v, size_t cap, size_t n, int timeout_ms, int *eof)
{
    struct pollfd p = {fd, POLLIN, 0};
    while (poll(&p, 1, timeout_ms) > 0) {
        kmsg m;
        ssize_t k = read(fd, &m, sizeof m);
        if (k <= 0) {
            *eof = 1;
            break;
        }
        assert_int_equal(k, (ssize_t)sizeof m); /* pipe writes of <= PIPE_BUF are atomic */
        if (n < cap)
            v[n++] = m;
        else
            v[cap - 1] = m;
        timeout_ms = 0;
    }
    return n;
}

/* Every body of a table in seq order must be "<tag> <i>" for i = 0, 1, 2...:
 * a prefix of what was put, no gap, nothing out of order. Returns the count. */
typedef struct prefix {
    const char *tag;
    uint64_t n;
    int bad;
} prefix;

static int prefix_check(void *ctx, int64_t seq, int kind, int64_t t_us, uint64_t track,
                        const void *body, size_t len)
{
    prefix *p = ctx;
    char want[64];
    int k = snprintf(want, sizeof want, "%s %" PRIu64 " ", p->tag, p->n);
    if (len < (size_t)k || memcmp(body, want, (size_t)k) != 0 || t_us != (int64_t)p->n) {
        fprintf(stderr, "row %" PRIu64 " (seq %" PRId64 "): '%.*s'\n", p->n, seq,
                (int)(len < 40 ? len : 40), (const char *)body);
        p->bad = 1;
        return 1;
    }
    p->n++;
    return 0;
}

static void put_numbered(dw_recorder *r, uint64_t i, char *buf, size_t pad)
{
    int k = snprintf(buf, 64, "obs %" PRIu64 " ", i);
    memset(buf + k, 'o', pad);
    dw_recorder_input(r, DW_REC_IN_OBS, (int64_t)i, buf, (size_t)k + pad);
    k = snprintf(buf, 64, "trk %" PRIu64 " ", i);
    memset(buf + k, 't', pad);
    dw_recorder_output(r, DW_REC_OUT_TRACK, (int64_t)i, i % 50, buf, (size_t)k + pad);
}

static void check_after_kill(const char *path, uint64_t committed, uint64_t *n_in)
{
    char ok[64];
    query_text(path, "PRAGMA integrity_check", ok, sizeof ok);
    assert_string_equal(ok, "ok");
    dw_recording *d = open_rd(path);
    prefix pi = {.tag = "obs"}, po = {.tag = "trk"};
    assert_int_equal(dw_recording_inputs(d, 0, prefix_check, &pi), DW_OK);
    assert_int_equal(dw_recording_outputs(d, 0, prefix_check, &po), DW_OK);
    dw_recording_close(d);
    fprintf(stderr, "after the kill: %" PRIu64 " inputs, %" PRIu64 " outputs; %" PRIu64
                    " known committed\n",
            pi.n, po.n, committed);
    assert_int_equal(pi.bad, 0);
    assert_int_equal(po.bad, 0);
    assert_true(pi.n >= committed);
    assert_true(po.n >= committed);
    *n_in = pi.n;
}

/* Opens the file again after the kill: a new session, seq going on. */
static void reopen_and_append(const char *path, uint64_t n_in)
{
    dw_recorder *r = open_rec(path, 0, 0, 0, "{\"after\":\"kill\"}");
    assert_int_equal(dw_recorder_session(r), 2);
    assert_int_equal(dw_recorder_input(r, DW_REC_IN_OBS, 0, "again", 5), DW_OK);
    assert_int_equal(dw_recorder_close(r), DW_OK);
    dw_recording *d = open_rd(path);
    int64_t ids[4];
    size_t n;
    assert_int_equal(dw_recording_sessions(d, ids, 4, &n), DW_OK);
    assert_int_equal(n, 2);
    rows got = {0};
    assert_int_equal(dw_recording_inputs(d, 2, collect, &got), DW_OK);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.v[0].seq, (int64_t)n_in + 1);
    assert_string_equal((char *)got.v[0].body, "again");
    rows_free(&got);
    dw_recording_close(d);
    char ok[64];
    query_text(path, "PRAGMA integrity_check", ok, sizeof ok);
    assert_string_equal(ok, "ok");
}

static void kill9_synced_prefix_intact(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "kill.db");
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        dw_recorder *r = NULL;
        char err[512];
        if (dw_recorder_open(path, NULL, "{\"child\":1}", &r, err, sizeof err) != DW_OK)
            _exit(3);
        char buf[320];
        for (uint64_t i = 0;; i++) {
            put_numbered(r, i, buf, 200);
            if (i % 500 == 499) {
                if (dw_recorder_sync(r) != DW_OK)
                    _exit(4);
                kmsg m = {i + 1, mono_s()};
                if (write(pfd[1], &m, sizeof m) != (ssize_t)sizeof m)
                    _exit(5);
            }
        }
    }
    close(pfd[1]);
    static kmsg v[4096];
    size_t n = 0;
    int eof = 0;
    double t0 = mono_s();
    /* let it write for a while, then kill it wherever it is */
    while (!eof && mono_s() - t0 < 1.2)
        n = drain(pfd[0], v, 4096, n, 50, &eof);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int ws = 0;
    waitpid(pid, &ws, 0);
    n = drain(pfd[0], v, 4096, n, 0, &eof);
    close(pfd[0]);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    assert_true(n > 0);
    uint64_t committed = v[n - 1].n, n_in = 0;
    check_after_kill(path, committed, &n_in);
    reopen_and_append(path, n_in);
}

static void kill9_loses_at_most_one_second(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "kill-time.db");
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        dw_recorder_config c;
        dw_recorder_config_default(&c);
        c.commit_ms = 200;
        dw_recorder *r = NULL;
        char err[512];
        if (dw_recorder_open(path, &c, NULL, &r, err, sizeof err) != DW_OK)
            _exit(3);
        /* 10,000 input and 10,000 output records a second, never a sync; every
           10 ms the count put so far, with the time just after the last put */
        char buf[320];
        uint64_t i = 0;
        for (;;) {
            for (int k = 0; k < 100; k++, i++)
                put_numbered(r, i, buf, 180);
            kmsg m = {i, mono_s()};
            if (write(pfd[1], &m, sizeof m) != (ssize_t)sizeof m)
                _exit(5);
            sleep_ms(10);
        }
    }
    close(pfd[1]);
    static kmsg v[8192];
    size_t n = 0;
    int eof = 0;
    double t0 = mono_s();
    while (!eof && mono_s() - t0 < 1.5)
        n = drain(pfd[0], v, 8192, n, 20, &eof);
    double t_kill = mono_s();
    assert_int_equal(kill(pid, SIGKILL), 0);
    int ws = 0;
    waitpid(pid, &ws, 0);
    n = drain(pfd[0], v, 8192, n, 0, &eof);
    close(pfd[0]);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    /* everything put more than a second before the kill must be committed */
    uint64_t due = 0, put = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].t <= t_kill - 1.0 && v[i].n > due)
            due = v[i].n;
        if (v[i].n > put)
            put = v[i].n;
    }
    fprintf(stderr, "put %" PRIu64 " records each way, %" PRIu64 " of them more than 1 s before "
                    "the kill\n",
            put, due);
    assert_true(due > 0);
    uint64_t n_in = 0;
    check_after_kill(path, due, &n_in);
    reopen_and_append(path, n_in);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(roundtrip_exact_bytes),
    cmocka_unit_test(sessions_append_and_seq_continues),
    cmocka_unit_test(tracks_at_hand_computed),
    cmocka_unit_test(alerts_at_hand_computed),
    cmocka_unit_test(alerts_at_reads_top_level_keys),
    cmocka_unit_test(track_history_thinning),
    cmocka_unit_test(concurrent_reader_sees_committed_prefix),
    cmocka_unit_test(queue_overflow_drops_and_counts),
    cmocka_unit_test(commits_on_time_and_by_rows),
    cmocka_unit_test(open_errors_exact_messages),
    cmocka_unit_test(file_removed_marks_failed),
    cmocka_unit_test(disk_full_marks_failed),
    cmocka_unit_test(kill9_synced_prefix_intact),
    cmocka_unit_test(kill9_loses_at_most_one_second),
};

DW_TEST_MAIN("record", tests)

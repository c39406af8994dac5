/* record.c — the recording (record.h): a chunked queue on the loop's side, a
 * writer thread with its own SQLite connection on the other, and the
 * read-only queries of the replay and the map.
 *
 * The queue is a list of chunks (1 MiB, or one record's size when a record is
 * bigger) holding records back to back: a 32-byte header, the body, padding
 * to 8 bytes. The loop thread appends to `cur` under the mutex; the writer
 * takes the whole list (and `cur`, if it holds anything) under the mutex and
 * writes it with the mutex released, so the loop waits at most for a list
 * swap. A written chunk goes back to a pool of spare chunks; the writer also
 * tops the pool up (and touches the pages) so that a put on the loop thread
 * finds a ready chunk and neither allocates nor page-faults.
 *
 * Transactions hold at most batch_rows rows; chunks are released (and
 * queue_bytes lowered) when every row in them is committed, so queue_bytes is
 * what a crash would lose. Before each transaction the writer asks SQLite
 * whether the file was removed or renamed (SQLITE_FCNTL_HAS_MOVED): in WAL
 * mode SQLite would otherwise go on writing into an unlinked file.
 */
#include "dronewall/record.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK_BYTES ((size_t)1 << 20)
#define POOL_MIN 8                      /* spare chunks kept ready: 8 MiB, half a second
                                           of the daemon's bound (51,000 rows/s)       */
#define POOL_MAX 32                     /* spare chunks kept; more go back to malloc  */
#define RING 1024                       /* commit durations kept for p50/p99          */
#define HDR 32
#define BODY_MARGIN 1024                /* room for the row's other columns           */

enum { T_INPUT = 1, T_OUTPUT = 2, T_META = 3 };

typedef struct rec_hdr {
    int64_t t_us;
    uint64_t track;
    uint32_t len;                       /* body bytes                                 */
    int32_t kind;
    uint8_t table;                      /* T_*                                        */
    uint8_t value_null;                 /* T_META: value is SQL NULL                  */
    uint8_t pad[6];
} rec_hdr;
_Static_assert(sizeof(rec_hdr) == HDR, "record header is 32 bytes");

typedef struct chunk {
    struct chunk *next;
    size_t cap, used, nrec;
    unsigned char data[];
} chunk;

struct dw_recorder {
    char *path;
    dw_recorder_config c;
    int64_t session;
    size_t max_body;
    sqlite3 *db;                        /* the writer thread's alone after open       */
    sqlite3_stmt *ins_in, *ins_out, *ins_meta, *begin, *commit, *rollback;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;                /* the writer waits on it                     */
    pthread_cond_t done;                /* dw_recorder_sync waits on it               */
    /* under mu */
    chunk *cur;                         /* being filled                               */
    chunk *head, *tail;                 /* full, waiting, in put order                */
    chunk *pool;
    size_t n_pool;
    size_t pending_rows;                /* records in cur and head..tail              */
    size_t queue_bytes, queue_bytes_peak;
    uint64_t queued, written, refused, lost, batches, bytes_written;
    int stop, sync_req, failed;
    char error[256];
    double ring[RING];
    uint64_t n_commits;
    double commit_max_ms;
    int64_t last_commit_wall_us;
};

/* ---- small helpers ------------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *path, const char *f, ...)
    __attribute__((format(printf, 4, 5)));
static void set_err(char *err, size_t errlen, const char *path, const char *f, ...)
{
    if (!err || !errlen)
        return;
    int n = snprintf(err, errlen, "%s: ", path ? path : "(null)");
    if (n < 0 || (size_t)n >= errlen)
        return;
    va_list ap;
    va_start(ap, f);
    vsnprintf(err + n, errlen - (size_t)n, f, ap);
    va_end(ap);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct timespec mono_plus_ms(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static int ts_reached(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec ||
           (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static size_t rec_size(size_t len) { return (HDR + len + 7) & ~(size_t)7; }

/* The message of the last error on db, with what failed and the system's
 * reason when there is one: "unable to open database file (No such file or
 * directory)", "disk I/O error (write: File too large)". sys_errno is errno
 * as the caller saw it right after the failing call: SQLite's own
 * sqlite3_system_errno is often 0 for a failed write. */
static void db_reason(sqlite3 *db, int sys_errno, char *buf, size_t cap)
{
    if (!db) {
        snprintf(buf, cap, "out of memory");
        return;
    }
    const char *m = sqlite3_errmsg(db);
    int ext = sqlite3_extended_errcode(db), code = ext & 0xff;
    int sys = sqlite3_system_errno(db);
    if (!sys)
        sys = sys_errno;
    const char *op = NULL;
    switch (ext) {
    case SQLITE_IOERR_READ: case SQLITE_IOERR_SHORT_READ: op = "read"; break;
    case SQLITE_IOERR_WRITE: op = "write"; break;
    case SQLITE_IOERR_FSYNC: case SQLITE_IOERR_DIR_FSYNC: op = "fsync"; break;
    case SQLITE_IOERR_TRUNCATE: op = "truncate"; break;
    case SQLITE_IOERR_SHMOPEN: case SQLITE_IOERR_SHMSIZE: case SQLITE_IOERR_SHMMAP:
        op = "shared memory"; break;
    default: break;
    }
    if (code != SQLITE_CANTOPEN && code != SQLITE_IOERR && code != SQLITE_FULL)
        snprintf(buf, cap, "%s", m);
    else if (op && sys)
        snprintf(buf, cap, "%s (%s: %s)", m, op, strerror(sys));
    else if (op)
        snprintf(buf, cap, "%s (%s)", m, op);
    else if (sys)
        snprintf(buf, cap, "%s (%s)", m, strerror(sys));
    else
        snprintf(buf, cap, "%s", m);
}

/* ---- chunks (called with mu held unless said) ------------------------------------ */

/* A new chunk of at least need bytes; outside mu or inside, it only mallocs. */
static chunk *chunk_new(size_t need, int touch)
{
    size_t cap = need > CHUNK_BYTES ? need : CHUNK_BYTES;
    chunk *c = malloc(sizeof *c + cap);
    if (!c)
        return NULL;
    c->next = NULL;
    c->cap = cap;
    c->used = c->nrec = 0;
    if (touch)
        memset(c->data, 0, cap);        /* fault the pages in here, not in a put   */
    return c;
}

/* Back to the pool, or onto *spill (to be freed once mu is released: the loop
 * must not wait for an munmap) when the pool is full or the chunk oversized. */
static void pool_give(dw_recorder *r, chunk *c, chunk **spill)
{
    if (c->cap == CHUNK_BYTES && r->n_pool < POOL_MAX) {
        c->used = c->nrec = 0;
        c->next = r->pool;
        r->pool = c;
        r->n_pool++;
    } else {
        c->next = *spill;
        *spill = c;
    }
}

static chunk *pool_take(dw_recorder *r, size_t need)
{
    if (need <= CHUNK_BYTES && r->pool) {
        chunk *c = r->pool;
        r->pool = c->next;
        r->n_pool--;
        c->next = NULL;
        return c;
    }
    return chunk_new(need, 0);
}

static void free_list(chunk *c)
{
    while (c) {
        chunk *n = c->next;
        free(c);
        c = n;
    }
}

/* ---- the loop's side ----------------------------------------------------------- */

void dw_recorder_config_default(dw_recorder_config *c)
{
    c->commit_ms = 500;
    c->batch_rows = 20000;
    c->max_queue_bytes = (size_t)256 << 20;
}

static dw_status put(dw_recorder *r, rec_hdr *h, const void *a, size_t alen, const void *b,
                     size_t blen)
{
    size_t len = alen + blen;
    size_t need = rec_size(len);
    dw_status st = DW_OK;
    pthread_mutex_lock(&r->mu);
    if (r->failed) {
        st = DW_ERR_IO;
    } else if (len > r->max_body) {
        st = DW_ERR_RANGE;
    } else if (need > r->c.max_queue_bytes - r->queue_bytes) {
        st = DW_ERR_FULL;
    } else if (!r->cur || r->cur->cap - r->cur->used < need) {
        chunk *c = pool_take(r, need);
        if (!c) {
            st = DW_ERR_NOMEM;
        } else {
            if (r->cur && r->cur->nrec) {
                if (r->tail)
                    r->tail->next = r->cur;
                else
                    r->head = r->cur;
                r->tail = r->cur;
            } else if (r->cur) {
                /* an empty chunk too small for this record: a pool chunk, and
                   the pool has room for it since c came from it or malloc */
                chunk *spill = NULL;
                pool_give(r, r->cur, &spill);
                free(spill);
            }
            r->cur = c;
        }
    }
    if (st != DW_OK) {
        r->refused++;
        pthread_mutex_unlock(&r->mu);
        return st;
    }
    chunk *c = r->cur;
    unsigned char *p = c->data + c->used;
    h->len = (uint32_t)len;
    memcpy(p, h, HDR);
    if (alen)
        memcpy(p + HDR, a, alen);
    if (blen)
        memcpy(p + HDR + alen, b, blen);
    c->used += need;
    c->nrec++;
    r->queued++;
    r->queue_bytes += need;
    if (r->queue_bytes > r->queue_bytes_peak)
        r->queue_bytes_peak = r->queue_bytes;
    if (++r->pending_rows == r->c.batch_rows)
        pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->mu);
    return DW_OK;
}

dw_status dw_recorder_input(dw_recorder *r, int kind, int64_t t_us, const void *body, size_t len)
{
    if (!r || (!body && len))
        return DW_ERR_INVALID;
    rec_hdr h = {.t_us = t_us, .kind = kind, .table = T_INPUT};
    return put(r, &h, body, len, NULL, 0);
}

dw_status dw_recorder_output(dw_recorder *r, int kind, int64_t t_us, uint64_t track,
                             const void *body, size_t len)
{
    if (!r || (!body && len))
        return DW_ERR_INVALID;
    rec_hdr h = {.t_us = t_us, .track = track, .kind = kind, .table = T_OUTPUT};
    return put(r, &h, body, len, NULL, 0);
}

dw_status dw_recorder_meta(dw_recorder *r, const char *key, const char *value)
{
    if (!r || !key)
        return DW_ERR_INVALID;
    rec_hdr h = {.table = T_META, .value_null = value == NULL};
    /* the key with its NUL, then the value */
    return put(r, &h, key, strlen(key) + 1, value, value ? strlen(value) : 0);
}

int64_t dw_recorder_session(const dw_recorder *r) { return r ? r->session : 0; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void dw_recorder_get_stats(dw_recorder *r, dw_recorder_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!r)
        return;
    double v[RING];
    size_t n;
    pthread_mutex_lock(&r->mu);
    out->queued = r->queued;
    out->written = r->written;
    out->dropped = r->refused + r->lost;
    out->batches = r->batches;
    out->bytes_written = r->bytes_written;
    out->commit_ms_max = r->commit_max_ms;
    out->last_commit_wall_us = r->last_commit_wall_us;
    out->queue_bytes = r->queue_bytes;
    out->queue_bytes_peak = r->queue_bytes_peak;
    out->failed = r->failed;
    memcpy(out->error, r->error, sizeof out->error);
    n = r->n_commits < RING ? (size_t)r->n_commits : RING;
    memcpy(v, r->ring, n * sizeof v[0]);
    pthread_mutex_unlock(&r->mu);
    if (n) {
        qsort(v, n, sizeof v[0], cmp_double);
        out->commit_ms_p50 = v[(n - 1) / 2];
        out->commit_ms_p99 = v[(size_t)((double)(n - 1) * 0.99 + 0.5)];
    }
}

dw_status dw_recorder_sync(dw_recorder *r)
{
    if (!r)
        return DW_ERR_INVALID;
    pthread_mutex_lock(&r->mu);
    uint64_t target = r->queued;
    if (r->written + r->lost < target) {
        r->sync_req = 1;
        pthread_cond_signal(&r->wake);
        while (r->written + r->lost < target)
            pthread_cond_wait(&r->done, &r->mu);
    }
    dw_status st = r->failed ? DW_ERR_IO : DW_OK;
    pthread_mutex_unlock(&r->mu);
    return st;
}

/* ---- the writer thread --------------------------------------------------------- */

/* Marks the recorder failed (the first reason stays). */
static void writer_fail(dw_recorder *r, const char *reason)
{
    pthread_mutex_lock(&r->mu);
    if (!r->failed) {
        r->failed = 1;
        snprintf(r->error, sizeof r->error, "%s: %s", r->path, reason);
    }
    pthread_mutex_unlock(&r->mu);
}

static void writer_fail_db(dw_recorder *r, int sys_errno)
{
    char why[200];
    db_reason(r->db, sys_errno, why, sizeof why);
    writer_fail(r, why);
}

static int step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

static int insert(dw_recorder *r, const rec_hdr *h, const unsigned char *body)
{
    sqlite3_stmt *s;
    switch (h->table) {
    case T_INPUT:
        s = r->ins_in;
        sqlite3_bind_int64(s, 2, h->t_us);
        sqlite3_bind_int(s, 3, h->kind);
        sqlite3_bind_blob(s, 4, body, (int)h->len, SQLITE_STATIC);
        break;
    case T_OUTPUT:
        s = r->ins_out;
        sqlite3_bind_int64(s, 2, h->t_us);
        sqlite3_bind_int(s, 3, h->kind);
        sqlite3_bind_int64(s, 4, (int64_t)h->track);
        sqlite3_bind_blob(s, 5, body, (int)h->len, SQLITE_STATIC);
        break;
    default: {
        s = r->ins_meta;
        size_t klen = strlen((const char *)body);
        sqlite3_bind_text(s, 1, (const char *)body, (int)klen, SQLITE_STATIC);
        if (h->value_null)
            sqlite3_bind_null(s, 2);
        else
            sqlite3_bind_text(s, 2, (const char *)body + klen + 1, (int)(h->len - klen - 1),
                              SQLITE_STATIC);
        break;
    }
    }
    return step_done(s);
}

/* Releases the chunks from *done up to (not including) stop, after a commit;
 * those the pool does not keep go onto *spill. */
static void release(dw_recorder *r, chunk **done, chunk *stop, chunk **spill)
{
    while (*done && *done != stop) {
        chunk *c = *done;
        *done = c->next;
        r->queue_bytes -= c->used;
        pool_give(r, c, spill);
    }
}

/* Writes the taken list, in transactions of at most batch_rows rows; when the
 * recorder has failed, counts it as lost. Frees or pools every chunk. */
static void write_list(dw_recorder *r, chunk *list)
{
    chunk *done = list;                 /* first chunk not yet released           */
    chunk *spill = NULL;                /* released, to free outside mu           */
    size_t in_txn = 0;
    uint64_t txn_bytes = 0;
    double t0 = 0;
    pthread_mutex_lock(&r->mu);
    int failed = r->failed;
    pthread_mutex_unlock(&r->mu);

    for (chunk *c = list, *next; c; c = next) {
        next = c->next;                 /* c may go back to the pool below        */
        const unsigned char *p = c->data, *end = c->data + c->used;
        while (p < end) {
            rec_hdr h;
            memcpy(&h, p, HDR);
            const unsigned char *body = p + HDR;
            p += rec_size(h.len);
            if (failed) {
                pthread_mutex_lock(&r->mu);
                r->lost++;
                pthread_mutex_unlock(&r->mu);
                continue;
            }
            if (in_txn == 0) {
                int moved = 0;
                if (sqlite3_file_control(r->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) ==
                        SQLITE_OK &&
                    moved) {
                    writer_fail(r, "the file was removed or renamed while recording");
                    failed = 1;
                } else if (t0 = mono_s(), errno = 0, !step_done(r->begin)) {
                    writer_fail_db(r, errno);
                    failed = 1;
                }
                if (failed) {
                    pthread_mutex_lock(&r->mu);
                    r->lost++;
                    pthread_mutex_unlock(&r->mu);
                    continue;
                }
            }
            errno = 0;
            if (!insert(r, &h, body)) {
                writer_fail_db(r, errno);
                step_done(r->rollback);
                failed = 1;
                pthread_mutex_lock(&r->mu);
                r->lost += in_txn + 1;
                pthread_mutex_unlock(&r->mu);
                in_txn = 0;
                continue;
            }
            in_txn++;
            txn_bytes += h.len;
            if (in_txn >= r->c.batch_rows || (p >= end && !next)) {
                errno = 0;
                int ok = step_done(r->commit);
                if (!ok) {
                    writer_fail_db(r, errno);
                    step_done(r->rollback);
                    failed = 1;
                }
                double ms = (mono_s() - t0) * 1e3;
                pthread_mutex_lock(&r->mu);
                if (ok) {
                    r->written += in_txn;
                    r->bytes_written += txn_bytes;
                    r->batches++;
                    r->ring[r->n_commits % RING] = ms;
                    r->n_commits++;
                    if (ms > r->commit_max_ms)
                        r->commit_max_ms = ms;
                    r->last_commit_wall_us = wall_us();
                    /* every row of the chunks before c is committed; all of c too
                       when it is finished */
                    release(r, &done, p >= end ? next : c, &spill);
                } else {
                    r->lost += in_txn;
                }
                pthread_cond_broadcast(&r->done);
                pthread_mutex_unlock(&r->mu);
                free_list(spill);
                spill = NULL;
                in_txn = 0;
                txn_bytes = 0;
            }
        }
    }
    pthread_mutex_lock(&r->mu);
    release(r, &done, NULL, &spill);
    pthread_cond_broadcast(&r->done);
    pthread_mutex_unlock(&r->mu);
    free_list(spill);
}

static void *writer_main(void *arg)
{
    dw_recorder *r = arg;
    struct timespec deadline = mono_plus_ms(r->c.commit_ms);
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->stop && !r->sync_req && r->pending_rows < r->c.batch_rows) {
            if (ts_reached(&deadline)) {
                if (r->pending_rows)
                    break;
                deadline = mono_plus_ms(r->c.commit_ms);
            }
            pthread_cond_timedwait(&r->wake, &r->mu, &deadline);
        }
        chunk *list = r->head;
        if (r->cur && r->cur->nrec) {
            if (r->tail)
                r->tail->next = r->cur;
            else
                list = r->cur;
            r->cur = NULL;
        }
        r->head = r->tail = NULL;
        r->pending_rows = 0;
        r->sync_req = 0;
        int stopping = r->stop;
        pthread_mutex_unlock(&r->mu);

        deadline = mono_plus_ms(r->c.commit_ms);
        if (list)
            write_list(r, list);
        /* keep spare chunks ready, their pages touched, for the loop's puts */
        pthread_mutex_lock(&r->mu);
        size_t spare = r->n_pool;
        pthread_mutex_unlock(&r->mu);
        chunk *fresh = NULL;
        for (size_t i = spare; i < POOL_MIN; i++) {
            chunk *c = chunk_new(CHUNK_BYTES, 1);
            if (!c)
                break;
            c->next = fresh;
            fresh = c;
        }

        chunk *spill = NULL;
        pthread_mutex_lock(&r->mu);
        while (fresh) {
            chunk *c = fresh;
            fresh = c->next;
            pool_give(r, c, &spill);
        }
        if (spill) {                    /* rare: the pool filled meanwhile */
            pthread_mutex_unlock(&r->mu);
            free_list(spill);
            pthread_mutex_lock(&r->mu);
        }
        if (stopping && !r->head && !(r->cur && r->cur->nrec))
            break;
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* ---- open and close ------------------------------------------------------------ */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS session(id INTEGER PRIMARY KEY, started_wall_us INTEGER,"
    " config TEXT);"
    "CREATE TABLE IF NOT EXISTS input(seq INTEGER PRIMARY KEY, session INTEGER, t_us INTEGER,"
    " kind INTEGER, body BLOB);"
    "CREATE TABLE IF NOT EXISTS output(seq INTEGER PRIMARY KEY, session INTEGER, t_us INTEGER,"
    " kind INTEGER, track INTEGER, body BLOB);"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE INDEX IF NOT EXISTS output_kind_t ON output(kind, t_us);"
    "CREATE INDEX IF NOT EXISTS input_session ON input(session);"
    "CREATE INDEX IF NOT EXISTS output_session ON output(session);"
    "PRAGMA user_version = 1;";

/* One integer from a one-row query; 0 on success. */
static int query_int(sqlite3 *db, const char *sql, int64_t *v)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* Checks the schema version and the tables of an open connection: 0 when it
 * is a recording (or, when may_create, an empty database), with *empty set;
 * otherwise err is written and the status returned. */
static dw_status check_schema(sqlite3 *db, const char *path, int may_create, int *empty,
                              char *err, size_t errlen)
{
    int64_t v = 0, n_obj = 0, n_tab = 0;
    char why[200];
    if (query_int(db, "PRAGMA user_version", &v) != 0 ||
        query_int(db, "SELECT count(*) FROM sqlite_master", &n_obj) != 0 ||
        query_int(db,
                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                  "('session', 'input', 'output', 'meta')",
                  &n_tab) != 0) {
        db_reason(db, 0, why, sizeof why);
        set_err(err, errlen, path, "%s", why);
        return DW_ERR_IO;
    }
    if (v > DW_REC_SCHEMA_VERSION) {
        set_err(err, errlen, path,
                "recording schema version %" PRId64 " is newer than this dronewall reads (%d)", v,
                DW_REC_SCHEMA_VERSION);
        return DW_ERR_UNSUPPORTED;
    }
    if (v == 0 && n_obj == 0 && may_create) {
        *empty = 1;
        return DW_OK;
    }
    if (v != DW_REC_SCHEMA_VERSION || n_tab != 4) {
        set_err(err, errlen, path,
                "not a dronewall recording (an SQLite database with user_version %" PRId64
                " and %" PRId64 " schema objects)",
                v, n_obj);
        return DW_ERR_UNSUPPORTED;
    }
    *empty = 0;
    return DW_OK;
}

static void recorder_free(dw_recorder *r)
{
    sqlite3_finalize(r->ins_in);
    sqlite3_finalize(r->ins_out);
    sqlite3_finalize(r->ins_meta);
    sqlite3_finalize(r->begin);
    sqlite3_finalize(r->commit);
    sqlite3_finalize(r->rollback);
    sqlite3_close(r->db);
    if (r->cur)
        free(r->cur);
    free_list(r->head);
    free_list(r->pool);
    free(r->path);
    free(r);
}

dw_status dw_recorder_open(const char *path, const dw_recorder_config *c, const char *config_json,
                           dw_recorder **out, char *err, size_t errlen)
{
    if (!path || !out) {
        set_err(err, errlen, path, "no path or no place for the recorder");
        return DW_ERR_INVALID;
    }
    dw_recorder_config cfg;
    dw_recorder_config_default(&cfg);
    if (c)
        cfg = *c;
    if (cfg.commit_ms <= 0 || cfg.batch_rows == 0 || cfg.max_queue_bytes == 0) {
        set_err(err, errlen, path,
                "commit_ms, batch_rows and max_queue_bytes must be positive (%d, %zu, %zu)",
                cfg.commit_ms, cfg.batch_rows, cfg.max_queue_bytes);
        return DW_ERR_INVALID;
    }
    dw_recorder *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        free(r);
        set_err(err, errlen, path, "out of memory");
        return DW_ERR_NOMEM;
    }
    r->c = cfg;
    char why[200];
    dw_status st = DW_ERR_IO;
    errno = 0;
    int rc = sqlite3_open_v2(path, &r->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK)
        goto db_fail;
    sqlite3_busy_timeout(r->db, 5000);
    /* The journal mode is the first thing that reads the file: a text file
       fails here with "file is not a database". */
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(r->db, "PRAGMA journal_mode=WAL", -1, &s, NULL) != SQLITE_OK)
        goto db_fail;
    rc = sqlite3_step(s);
    int wal = rc == SQLITE_ROW && sqlite3_column_text(s, 0) &&
              strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        goto db_fail;
    if (!wal) {
        set_err(err, errlen, path, "cannot switch the file to WAL mode");
        goto fail;
    }
    if (sqlite3_exec(r->db, "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-8192;", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto db_fail;
    int empty = 0;
    st = check_schema(r->db, path, 1, &empty, err, errlen);
    if (st != DW_OK) {
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        goto fail;
    }
    st = DW_ERR_IO;
    if (empty && sqlite3_exec(r->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        goto db_fail_rollback;
    if (sqlite3_prepare_v2(r->db, "INSERT INTO session(started_wall_us, config) VALUES(?1, ?2)",
                           -1, &s, NULL) != SQLITE_OK)
        goto db_fail_rollback;
    sqlite3_bind_int64(s, 1, wall_us());
    if (config_json)
        sqlite3_bind_text(s, 2, config_json, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        goto db_fail_rollback;
    r->session = sqlite3_last_insert_rowid(r->db);
    if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto db_fail_rollback;

    if (sqlite3_prepare_v3(r->db,
                           "INSERT INTO input(session, t_us, kind, body) VALUES(?1, ?2, ?3, ?4)",
                           -1, SQLITE_PREPARE_PERSISTENT, &r->ins_in, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(r->db,
                           "INSERT INTO output(session, t_us, kind, track, body) "
                           "VALUES(?1, ?2, ?3, ?4, ?5)",
                           -1, SQLITE_PREPARE_PERSISTENT, &r->ins_out, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(r->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1,
                           SQLITE_PREPARE_PERSISTENT, &r->ins_meta, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(r->db, "BEGIN", -1, SQLITE_PREPARE_PERSISTENT, &r->begin, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v3(r->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &r->commit, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v3(r->db, "ROLLBACK", -1, SQLITE_PREPARE_PERSISTENT, &r->rollback,
                           NULL) != SQLITE_OK)
        goto db_fail;
    sqlite3_bind_int64(r->ins_in, 1, r->session);
    sqlite3_bind_int64(r->ins_out, 1, r->session);
    int lim = sqlite3_limit(r->db, SQLITE_LIMIT_LENGTH, -1);
    r->max_body = lim > BODY_MARGIN ? (size_t)lim - BODY_MARGIN : 0;
    if (r->max_body > UINT32_MAX)
        r->max_body = UINT32_MAX;

    for (int i = 0; i < POOL_MIN; i++) {
        chunk *ch = chunk_new(CHUNK_BYTES, 1);
        if (!ch) {
            set_err(err, errlen, path, "out of memory");
            st = DW_ERR_NOMEM;
            goto fail;
        }
        ch->next = r->pool;
        r->pool = ch;
        r->n_pool++;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->wake, &ca);
    pthread_cond_init(&r->done, NULL);
    pthread_condattr_destroy(&ca);
    if ((rc = pthread_create(&r->thread, NULL, writer_main, r)) != 0) {
        set_err(err, errlen, path, "cannot start the writer thread: %s", strerror(rc));
        pthread_cond_destroy(&r->wake);
        pthread_cond_destroy(&r->done);
        pthread_mutex_destroy(&r->mu);
        st = DW_ERR_NOMEM;
        goto fail;
    }
    *out = r;
    return DW_OK;

db_fail_rollback:
    db_reason(r->db, errno, why, sizeof why);
    set_err(err, errlen, path, "%s", why);
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    goto fail;
db_fail:
    db_reason(r->db, errno, why, sizeof why);
    set_err(err, errlen, path, "%s", why);
fail:
    recorder_free(r);
    return st;
}

dw_status dw_recorder_close(dw_recorder *r)
{
    if (!r)
        return DW_OK;
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    int failed = r->failed;
    pthread_cond_destroy(&r->wake);
    pthread_cond_destroy(&r->done);
    pthread_mutex_destroy(&r->mu);
    sqlite3_finalize(r->ins_in);
    sqlite3_finalize(r->ins_out);
    sqlite3_finalize(r->ins_meta);
    sqlite3_finalize(r->begin);
    sqlite3_finalize(r->commit);
    sqlite3_finalize(r->rollback);
    r->ins_in = r->ins_out = r->ins_meta = r->begin = r->commit = r->rollback = NULL;
    if (sqlite3_close(r->db) != SQLITE_OK)
        failed = 1;
    r->db = NULL;
    recorder_free(r);
    return failed ? DW_ERR_IO : DW_OK;
}

/* ---- reading ------------------------------------------------------------------- */

struct dw_recording {
    sqlite3 *db;
    char *path;
    char err[320];
};

/* ---- dw_json_top(body, key): one top-level value of a JSON object -------------------- */

/* The alerts query needs two keys of each alert line. SQLite's json_extract
 * parses the whole line per call (and json_valid once more before it, so that
 * a malformed line does not fail the query): this walks the top level once,
 * skipping nested values and strings without decoding them, and is several
 * times faster on an 800-byte alert line. */

static const char *skip_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* p at an opening quote: past the closing one, or NULL. */
static const char *skip_str(const char *p, const char *e)
{
    for (p++; p < e; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* Past one value, or NULL. */
static const char *skip_value(const char *p, const char *e)
{
    if (p >= e)
        return NULL;
    if (*p == '"')
        return skip_str(p, e);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p < e) {
            if (*p == '"') {
                if (!(p = skip_str(p, e)))
                    return NULL;
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            else if ((*p == '}' || *p == ']') && --depth == 0)
                return p + 1;
            p++;
        }
        return NULL;
    }
    const char *q = p;
    while (q < e && *q != ',' && *q != '}' && *q != ']' && *q != ' ' && *q != '\t' &&
           *q != '\n' && *q != '\r')
        q++;
    return q > p ? q : NULL;
}

/* The raw text of the value of top-level key `key` in [p, e): 1 and [*v, *ve)
 * when found; 0 when absent or when the text is not an object up to it. */
static int json_top(const char *p, const char *e, const char *key, size_t klen, const char **v,
                    const char **ve)
{
    p = skip_ws(p, e);
    if (p >= e || *p != '{')
        return 0;
    p++;
    for (;;) {
        p = skip_ws(p, e);
        if (p >= e || *p != '"')
            return 0;
        const char *k = p + 1, *ke = skip_str(p, e);
        if (!ke)
            return 0;
        p = skip_ws(ke, e);
        if (p >= e || *p != ':')
            return 0;
        p = skip_ws(p + 1, e);
        const char *end = skip_value(p, e);
        if (!end)
            return 0;
        if ((size_t)(ke - 1 - k) == klen && memcmp(k, key, klen) == 0) {
            *v = p;
            *ve = end;
            return 1;
        }
        p = skip_ws(end, e);
        if (p >= e || *p != ',')
            return 0;
        p++;
    }
}

/* SQL dw_json_top(body, key): an integer value as an integer, a string's
 * contents as text (escapes left as they are), anything else or nothing as NULL. */
static void sql_json_top(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *b = sqlite3_value_blob(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    const char *key = (const char *)sqlite3_value_text(argv[1]);
    const char *v, *ve;
    if (!b || !key || !json_top(b, b + n, key, strlen(key), &v, &ve))
        return;
    if (*v == '"') {
        sqlite3_result_text(cx, v + 1, (int)(ve - v - 2), SQLITE_TRANSIENT);
        return;
    }
    char num[32];
    size_t len = (size_t)(ve - v);
    if (len == 0 || len >= sizeof num)
        return;
    memcpy(num, v, len);
    num[len] = 0;
    char *end;
    errno = 0;
    long long x = strtoll(num, &end, 10);
    if (*end == 0 && errno == 0)
        sqlite3_result_int64(cx, x);
}

dw_status dw_recording_open(const char *path, dw_recording **out, char *err, size_t errlen)
{
    if (!path || !out) {
        set_err(err, errlen, path, "no path or no place for the recording");
        return DW_ERR_INVALID;
    }
    dw_recording *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        free(r);
        set_err(err, errlen, path, "out of memory");
        return DW_ERR_NOMEM;
    }
    char why[200];
    dw_status st = DW_ERR_IO;
    errno = 0;
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        db_reason(r->db, errno, why, sizeof why);
        set_err(err, errlen, path, "%s", why);
        goto fail;
    }
    sqlite3_busy_timeout(r->db, 5000);
    if (sqlite3_create_function(r->db, "dw_json_top", 2,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                sql_json_top, NULL, NULL) != SQLITE_OK) {
        db_reason(r->db, 0, why, sizeof why);
        set_err(err, errlen, path, "%s", why);
        goto fail;
    }
    int empty;
    st = check_schema(r->db, path, 0, &empty, err, errlen);
    if (st != DW_OK)
        goto fail;
    *out = r;
    return DW_OK;
fail:
    sqlite3_close(r->db);
    free(r->path);
    free(r);
    return st;
}

void dw_recording_close(dw_recording *r)
{
    if (!r)
        return;
    sqlite3_close(r->db);
    free(r->path);
    free(r);
}

const char *dw_recording_errmsg(const dw_recording *r) { return r ? r->err : ""; }

static dw_status rd_fail(dw_recording *r)
{
    char why[200];
    db_reason(r->db, 0, why, sizeof why);
    snprintf(r->err, sizeof r->err, "%s: %s", r->path, why);
    return DW_ERR_IO;
}

static dw_status rd_prepare(dw_recording *r, const char *sql, sqlite3_stmt **s)
{
    r->err[0] = 0;
    if (sqlite3_prepare_v2(r->db, sql, -1, s, NULL) != SQLITE_OK) {
        *s = NULL;
        return rd_fail(r);
    }
    return DW_OK;
}

/* Steps s, whose columns are seq, kind, t_us, track, body, handing each row to
 * cb; finalizes s. */
static dw_status rd_rows(dw_recording *r, sqlite3_stmt *s, dw_rec_row_cb cb, void *ctx)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const void *b = sqlite3_column_blob(s, 4);
        size_t n = (size_t)sqlite3_column_bytes(s, 4);
        if (!b)
            b = "";
        if (cb(ctx, sqlite3_column_int64(s, 0), sqlite3_column_int(s, 1),
               sqlite3_column_int64(s, 2), (uint64_t)sqlite3_column_int64(s, 3), b, n)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    dw_status st = rc == SQLITE_DONE ? DW_OK : rd_fail(r);
    sqlite3_finalize(s);
    return st;
}

dw_status dw_recording_sessions(dw_recording *r, int64_t *ids, size_t cap, size_t *n)
{
    if (!r || !n || (cap && !ids))
        return DW_ERR_INVALID;
    sqlite3_stmt *s;
    dw_status st = rd_prepare(r, "SELECT id FROM session ORDER BY id", &s);
    if (st != DW_OK)
        return st;
    size_t k = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (k < cap)
            ids[k] = sqlite3_column_int64(s, 0);
        k++;
    }
    st = rc == SQLITE_DONE ? DW_OK : rd_fail(r);
    sqlite3_finalize(s);
    if (st == DW_OK)
        *n = k;
    return st;
}

dw_status dw_recording_session_config(dw_recording *r, int64_t session, char **json_out)
{
    if (!r || !json_out)
        return DW_ERR_INVALID;
    sqlite3_stmt *s;
    dw_status st = rd_prepare(r, "SELECT config FROM session WHERE id = ?1", &s);
    if (st != DW_OK)
        return st;
    sqlite3_bind_int64(s, 1, session);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        char *j = NULL;
        if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
            const unsigned char *t = sqlite3_column_text(s, 0);
            size_t len = (size_t)sqlite3_column_bytes(s, 0);
            j = malloc(len + 1);
            if (!j) {
                sqlite3_finalize(s);
                return DW_ERR_NOMEM;
            }
            memcpy(j, t, len);
            j[len] = 0;
        }
        *json_out = j;
        st = DW_OK;
    } else if (rc == SQLITE_DONE) {
        snprintf(r->err, sizeof r->err, "%s: no session %" PRId64, r->path, session);
        st = DW_ERR_NOT_FOUND;
    } else {
        st = rd_fail(r);
    }
    sqlite3_finalize(s);
    return st;
}

dw_status dw_recording_span(dw_recording *r, int64_t session, int64_t *first_t_us,
                            int64_t *last_t_us)
{
    if (!r || !first_t_us || !last_t_us)
        return DW_ERR_INVALID;
    static const char *const all[] = {
        "SELECT t_us FROM input ORDER BY seq LIMIT 1",
        "SELECT t_us FROM input ORDER BY seq DESC LIMIT 1",
        "SELECT t_us FROM output ORDER BY seq LIMIT 1",
        "SELECT t_us FROM output ORDER BY seq DESC LIMIT 1",
    };
    static const char *const one[] = {
        "SELECT t_us FROM input WHERE session = ?1 ORDER BY seq LIMIT 1",
        "SELECT t_us FROM input WHERE session = ?1 ORDER BY seq DESC LIMIT 1",
        "SELECT t_us FROM output WHERE session = ?1 ORDER BY seq LIMIT 1",
        "SELECT t_us FROM output WHERE session = ?1 ORDER BY seq DESC LIMIT 1",
    };
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    int any = 0;
    for (int i = 0; i < 4; i++) {
        sqlite3_stmt *s;
        dw_status st = rd_prepare(r, session ? one[i] : all[i], &s);
        if (st != DW_OK)
            return st;
        if (session)
            sqlite3_bind_int64(s, 1, session);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            int64_t t = sqlite3_column_int64(s, 0);
            lo = t < lo ? t : lo;
            hi = t > hi ? t : hi;
            any = 1;
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return rd_fail(r);
    }
    if (!any) {
        snprintf(r->err, sizeof r->err, "%s: no records in session %" PRId64, r->path, session);
        return DW_ERR_NOT_FOUND;
    }
    *first_t_us = lo;
    *last_t_us = hi;
    return DW_OK;
}

static dw_status all_rows(dw_recording *r, const char *table, int64_t session, dw_rec_row_cb cb,
                          void *ctx)
{
    if (!r || !cb)
        return DW_ERR_INVALID;
    char sql[200];
    int out = strcmp(table, "output") == 0;
    snprintf(sql, sizeof sql, "SELECT seq, kind, t_us, %s, body FROM %s %s ORDER BY seq",
             out ? "track" : "0", table, session ? "WHERE session = ?1" : "");
    sqlite3_stmt *s;
    dw_status st = rd_prepare(r, sql, &s);
    if (st != DW_OK)
        return st;
    if (session)
        sqlite3_bind_int64(s, 1, session);
    return rd_rows(r, s, cb, ctx);
}

dw_status dw_recording_inputs(dw_recording *r, int64_t session, dw_rec_row_cb cb, void *ctx)
{
    return all_rows(r, "input", session, cb, ctx);
}

dw_status dw_recording_outputs(dw_recording *r, int64_t session, dw_rec_row_cb cb, void *ctx)
{
    return all_rows(r, "output", session, cb, ctx);
}

/* "+session" keeps the planner on output_kind_t rather than output_session:
 * the time range is what narrows these queries. */
dw_status dw_recording_tracks_at(dw_recording *r, int64_t session, int64_t t_us, dw_rec_row_cb cb,
                                 void *ctx)
{
    if (!r || !cb)
        return DW_ERR_INVALID;
    sqlite3_stmt *s;
    dw_status st = rd_prepare(r,
                              session ? "SELECT t_us, session FROM output WHERE kind = 1 AND "
                                        "t_us <= ?1 AND +session = ?2 "
                                        "ORDER BY t_us DESC, seq DESC LIMIT 1"
                                      : "SELECT t_us, session FROM output WHERE kind = 1 AND "
                                        "t_us <= ?1 ORDER BY t_us DESC, seq DESC LIMIT 1",
                              &s);
    if (st != DW_OK)
        return st;
    sqlite3_bind_int64(s, 1, t_us);
    if (session)
        sqlite3_bind_int64(s, 2, session);
    int rc = sqlite3_step(s);
    int64_t instant = 0, ses = 0;
    if (rc == SQLITE_ROW) {
        instant = sqlite3_column_int64(s, 0);
        ses = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        return DW_OK;
    if (rc != SQLITE_ROW)
        return rd_fail(r);
    st = rd_prepare(r,
                    "SELECT seq, kind, t_us, track, body FROM output "
                    "WHERE kind = 1 AND t_us = ?1 AND +session = ?2 AND track NOT IN "
                    "(SELECT track FROM output WHERE kind = 2 AND t_us <= ?1 AND +session = ?2) "
                    "ORDER BY seq",
                    &s);
    if (st != DW_OK)
        return st;
    sqlite3_bind_int64(s, 1, instant);
    sqlite3_bind_int64(s, 2, ses);
    return rd_rows(r, s, cb, ctx);
}

dw_status dw_recording_alerts_at(dw_recording *r, int64_t session, int64_t t_us,
                                 int64_t keep_cleared_us, dw_rec_row_cb cb, void *ctx)
{
    if (!r || !cb || keep_cleared_us < 0)
        return DW_ERR_INVALID;
    /* The latest row of each alert is found on (seq, t_us, id, state) alone;
       only the kept rows' bodies are read again. */
    static const char sql[] =
        "SELECT o.seq, o.kind, o.t_us, o.track, o.body FROM output AS o JOIN ("
        " SELECT seq FROM ("
        "  SELECT seq, t_us, aid, st, row_number() OVER"
        "   (PARTITION BY session, aid ORDER BY t_us DESC, seq DESC) AS rn FROM ("
        "   SELECT seq, t_us, session, dw_json_top(body, 'id') AS aid,"
        "    dw_json_top(body, 'state') AS st"
        "   FROM output WHERE kind = 3 AND t_us <= ?1 AND (?3 = 0 OR +session = ?3)))"
        "  WHERE rn = 1 AND aid IS NOT NULL AND (st IS NOT 'cleared' OR t_us >= ?2)) AS w"
        " ON o.seq = w.seq ORDER BY o.t_us, o.seq";
    sqlite3_stmt *s;
    dw_status st = rd_prepare(r, sql, &s);
    if (st != DW_OK)
        return st;
    int64_t since = t_us < INT64_MIN + keep_cleared_us ? INT64_MIN : t_us - keep_cleared_us;
    sqlite3_bind_int64(s, 1, t_us);
    sqlite3_bind_int64(s, 2, since);
    sqlite3_bind_int64(s, 3, session);
    return rd_rows(r, s, cb, ctx);
}

dw_status dw_recording_track_history(dw_recording *r, int64_t session, uint64_t track, int64_t t0_us,
                                     int64_t t1_us, size_t max, dw_rec_row_cb cb, void *ctx)
{
    if (!r || !cb)
        return DW_ERR_INVALID;
    sqlite3_stmt *s;
    dw_status st = rd_prepare(r,
                              "SELECT seq FROM output WHERE kind = 1 AND t_us >= ?1 AND "
                              "t_us <= ?2 AND track = ?3 AND (?4 = 0 OR +session = ?4) "
                              "ORDER BY t_us, seq",
                              &s);
    if (st != DW_OK)
        return st;
    sqlite3_bind_int64(s, 1, t0_us);
    sqlite3_bind_int64(s, 2, t1_us);
    sqlite3_bind_int64(s, 3, (int64_t)track);
    sqlite3_bind_int64(s, 4, session);
    int64_t *seq = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            int64_t *ns = realloc(seq, nc * sizeof *ns);
            if (!ns) {
                free(seq);
                sqlite3_finalize(s);
                return DW_ERR_NOMEM;
            }
            seq = ns;
            cap = nc;
        }
        seq[n++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        free(seq);
        return rd_fail(r);
    }
    st = rd_prepare(r, "SELECT seq, kind, t_us, track, body FROM output WHERE seq = ?1", &s);
    if (st != DW_OK) {
        free(seq);
        return st;
    }
    size_t k = max && n > max ? max : n;
    for (size_t i = 0; i < k && st == DW_OK; i++) {
        size_t at = i;
        if (k < n)
            at = k == 1 ? n - 1
                        : (size_t)((double)i * (double)(n - 1) / (double)(k - 1) + 0.5);
        sqlite3_bind_int64(s, 1, seq[at]);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            const void *b = sqlite3_column_blob(s, 4);
            if (!b)
                b = "";
            if (cb(ctx, sqlite3_column_int64(s, 0), sqlite3_column_int(s, 1),
                   sqlite3_column_int64(s, 2), (uint64_t)sqlite3_column_int64(s, 3), b,
                   (size_t)sqlite3_column_bytes(s, 4)))
                k = 0;
        } else if (rc != SQLITE_DONE) {
            st = rd_fail(r);
        }
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    free(seq);
    return st;
}

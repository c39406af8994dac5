/* record.h — the daemon's recording: everything that went into the engine and
 * everything it put out, in one SQLite file, written off the event loop.
 *
 * `dronewall run` records so that `dronewall replay` can feed the same inputs,
 * in the same order, to a fresh engine and compare its outputs byte for byte;
 * so that the web map can show the picture at any past instant (a time
 * slider); and so that after `kill -9` or a crash the file is intact up to the
 * last committed batch and the daemon can reopen it and go on.
 *
 * Schema (PRAGMA user_version = 1; a file with a newer version is refused):
 *
 *   session(id INTEGER PRIMARY KEY, started_wall_us INTEGER, config TEXT)
 *       one row per dw_recorder_open: a reopened file gets a new session.
 *       config is the JSON text the daemon passes (its effective
 *       configuration, sensors, geography files...), NULL when none.
 *   input(seq INTEGER PRIMARY KEY, session INTEGER, t_us INTEGER,
 *         kind INTEGER, body BLOB)
 *       what went into the engine, in the order it went in: observations as
 *       NDJSON lines and control events (dw_rec_in_kind).
 *   output(seq INTEGER PRIMARY KEY, session INTEGER, t_us INTEGER,
 *          kind INTEGER, track INTEGER, body BLOB)
 *       what the engine put out (dw_rec_out_kind), body the NDJSON line
 *       without its newline; track the track id (an alert's holder, 0 when
 *       none), stored as the signed 64-bit integer with the same bits.
 *   meta(key TEXT PRIMARY KEY, value TEXT)
 *       anything else (dronewall version, node id), dw_recorder_meta.
 *   indexes: output_kind_t ON output(kind, t_us) for the picture at an
 *       instant, the alerts up to an instant and a track's history;
 *       input_session ON input(session) and output_session ON
 *       output(session), so that one session's rows are read without
 *       scanning the others'.
 *
 * seq is SQLite's rowid: it grows with every row and goes on across sessions,
 * so "ORDER BY seq" is the order of the calls. Bodies are stored as given,
 * any bytes (NUL included), up to 1,000,000,000 bytes each. No other index:
 * every index costs each insert (docs/recording.md has the figures); a
 * track's history is found through output_kind_t.
 *
 * Writing. The put functions (dw_recorder_input, _output, _meta) copy the
 * record into the tail of an in-memory queue of 1 MiB chunks under a mutex
 * held for that copy alone: they never touch the disk, never wait for the
 * writer, and allocate only when the queue needs a chunk the pool does not
 * have (the writer thread keeps a few spare chunks ready). A writer thread
 * takes the queue at least every commit_ms, or as soon as batch_rows records
 * wait, or when dw_recorder_sync asks, and writes it with prepared INSERTs,
 * one BEGIN...COMMIT per at most batch_rows rows, in WAL mode with
 * synchronous=NORMAL and busy_timeout=5000.
 *
 * Loss. A record is refused, and counted in `dropped`, when the queue holds
 * max_queue_bytes (each record costs its body plus a 32-byte header, rounded
 * up to 8 bytes) or when the recorder has failed. A disk error in the writer
 * (disk full, an I/O error, the file removed or renamed under it) marks the
 * recorder failed, for good: the batch in hand and everything queued is
 * counted as dropped, later puts are refused and counted, stats.failed and
 * stats.error say what happened; nothing crashes and nothing blocks. Reopen
 * to record again.
 *
 * Crash safety. A committed batch survives the process being killed
 * (SIGKILL, a crash): WAL commits are in the operating system's file cache
 * before COMMIT returns. A record is committed at most commit_ms plus one
 * batch's write time after it was put (with the defaults, well under a
 * second: tests/unit/test_record.c kills a writer and checks). A power loss
 * may lose more: synchronous=NORMAL syncs the WAL only at checkpoints.
 *
 * Reading. dw_recording_open opens the file read-only; it works while a
 * recorder (in this process or another) writes, each query seeing the batches
 * committed when it started. Session 0 means every session for the queries
 * that take one; tracks and alert ids are matched within their own session.
 *
 * Time. The engine's times (t_us) are the caller's; the recorder reads the
 * wall clock only for session.started_wall_us and its own statistics, never
 * for anything the engine sees.
 *
 * Ownership. dw_recorder_open / dw_recording_open allocate the handle,
 * dw_recorder_close / dw_recording_close free it (NULL is fine). Bodies given
 * to the put functions are copied before they return. Bodies handed to a row
 * callback are valid only during the call. dw_recording_session_config's
 * string is malloc'd and the caller frees it.
 */
#ifndef DRONEWALL_RECORD_H
#define DRONEWALL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/status.h"

#define DW_REC_SCHEMA_VERSION 1

/* input.kind: what went into the engine. Values are stored in files: never
 * renumber; new kinds take new numbers. */
typedef enum dw_rec_in_kind {
    DW_REC_IN_OBS = 1,             /* an observation, its NDJSON line              */
    DW_REC_IN_FLUSH = 2,           /* the engine was told to flush                 */
    DW_REC_IN_TICK = 3,            /* the engine's clock advanced (body may be empty) */
    DW_REC_IN_ACK = 4,             /* an operator acknowledged an alert            */
    DW_REC_IN_SET_IDENTITY = 5,    /* an operator set a track's identity           */
    DW_REC_IN_DECISION = 6,        /* an operator's decision (response stage)      */
    DW_REC_IN_REPORT = 7,          /* a citizen's report                           */
    DW_REC_IN_SENSOR = 8,          /* a sensor or input went quiet or came back    */
    DW_REC_IN_PARTNER = 9,         /* a partner's alert or notice (federation)     */
} dw_rec_in_kind;

/* output.kind: what the engine put out, each an NDJSON line. Stored in files:
 * never renumber. */
typedef enum dw_rec_out_kind {
    DW_REC_OUT_TRACK = 1,           /* a track at a report instant                  */
    DW_REC_OUT_DEAD = 2,            /* a track ended                                */
    DW_REC_OUT_ALERT = 3,           /* one change of one alert ("id", "state" keys) */
    DW_REC_OUT_IDENTITY = 4,        /* a track's identity changed                   */
    DW_REC_OUT_SENSOR = 5,          /* a sensor's status changed                    */
} dw_rec_out_kind;

/* ---- writing --------------------------------------------------------------- */

typedef struct dw_recorder dw_recorder;

typedef struct dw_recorder_config {
    int commit_ms;              /* commit at least this often (500), > 0              */
    size_t batch_rows;          /* or as soon as this many records wait (20,000); also
                                   the most rows in one transaction, > 0              */
    size_t max_queue_bytes;     /* refuse records beyond this much queued (256 MiB), > 0 */
} dw_recorder_config;

/* The defaults above. */
void dw_recorder_config_default(dw_recorder_config *c);

/* Opens the recording at path, creating the file and its tables if missing,
 * starts a new session with config_json (NULL: none) and the writer thread.
 * c NULL: the defaults. Errors, with "<path>: <reason>" in err: the directory
 * does not exist ("unable to open database file (No such file or
 * directory)"), the file is not a database ("file is not a database"), it is
 * an SQLite database of something else, its schema is newer than this
 * dronewall's, the configuration is invalid. DW_ERR_IO for the file,
 * DW_ERR_UNSUPPORTED for a newer schema, DW_ERR_INVALID for arguments. */
dw_status dw_recorder_open(const char *path, const dw_recorder_config *c, const char *config_json,
                           dw_recorder **out, char *err, size_t errlen);

/* Queue one input record: kind (dw_rec_in_kind, or the caller's), the engine
 * time, the body (len bytes, copied; body may be NULL when len is 0).
 * DW_OK when queued. Refused and counted as dropped: DW_ERR_FULL when the
 * queue holds max_queue_bytes, DW_ERR_IO when the recorder has failed,
 * DW_ERR_RANGE for a body over SQLite's limit (about 1 GB), DW_ERR_NOMEM when
 * a chunk cannot be allocated. DW_ERR_INVALID (not counted) for a NULL
 * recorder, or a NULL body with len > 0. Never waits for the writer's I/O. */
dw_status dw_recorder_input(dw_recorder *r, int kind, int64_t t_us, const void *body, size_t len);

/* Queue one output record, likewise, with its track id (0: none). */
dw_status dw_recorder_output(dw_recorder *r, int kind, int64_t t_us, uint64_t track,
                             const void *body, size_t len);

/* Queue meta[key] = value (value NULL: SQL NULL), written in order with the
 * records. Same results as dw_recorder_input. */
dw_status dw_recorder_meta(dw_recorder *r, const char *key, const char *value);

/* This recorder's session id (session.id). */
int64_t dw_recorder_session(const dw_recorder *r);

typedef struct dw_recorder_stats {
    uint64_t queued;            /* records accepted since open                   */
    uint64_t written;           /* records committed                             */
    uint64_t dropped;           /* refused by a put, or lost by a failed writer  */
    uint64_t batches;           /* transactions committed                        */
    uint64_t bytes_written;     /* body bytes committed                          */
    double commit_ms_p50, commit_ms_p99, commit_ms_max; /* one transaction, BEGIN to
                                   COMMIT done (p50/p99 over the last 1,024; max
                                   since open)                                    */
    int64_t last_commit_wall_us; /* wall clock of the last commit, 0: none yet    */
    size_t queue_bytes, queue_bytes_peak; /* queued, not yet committed            */
    int failed;                 /* 1: the writer hit an error and stopped writing */
    char error[256];            /* why, "<path>: <reason>"; "" when not failed    */
} dw_recorder_stats;

/* A consistent snapshot of the counters; thread-safe. */
void dw_recorder_get_stats(dw_recorder *r, dw_recorder_stats *out);

/* Waits until every record queued before the call is committed (tests, a
 * clean stop, a checkpoint the caller wants to be sure of). DW_OK, or
 * DW_ERR_IO when the recorder failed and some of them were lost. */
dw_status dw_recorder_sync(dw_recorder *r);

/* Writes what is queued, stops the writer thread, closes the file and frees
 * the recorder. DW_ERR_IO if the recorder had failed (the file is still
 * closed and the recorder freed). NULL is fine. */
dw_status dw_recorder_close(dw_recorder *r);

/* ---- reading --------------------------------------------------------------- */

typedef struct dw_recording dw_recording;

/* Opens a recording read-only. Errors as dw_recorder_open's, with the
 * missing file's "unable to open database file" and a database without the
 * recording's tables ("not a dronewall recording"). */
dw_status dw_recording_open(const char *path, dw_recording **out, char *err, size_t errlen);

/* Closes and frees; NULL is fine. */
void dw_recording_close(dw_recording *r);

/* Why the last query on r failed ("<path>: <reason>"); "" after a success. */
const char *dw_recording_errmsg(const dw_recording *r);

/* The session ids in ascending order: the first min(cap, total) go to ids,
 * *n is the total (call again with a bigger array when *n > cap). */
dw_status dw_recording_sessions(dw_recording *r, int64_t *ids, size_t cap, size_t *n);

/* A session's config text in *json_out, malloc'd, the caller frees; NULL when
 * the session was started without one. DW_ERR_NOT_FOUND: no such session. */
dw_status dw_recording_session_config(dw_recording *r, int64_t session, char **json_out);

/* The engine times of the first and the last record (by seq) of the session
 * (0: all), inputs and outputs together: the earliest and latest of those
 * four. DW_ERR_NOT_FOUND when it has no records. */
dw_status dw_recording_span(dw_recording *r, int64_t session, int64_t *first_t_us,
                            int64_t *last_t_us);

/* A row for a callback; track is 0 for inputs; body never NULL (may be
 * empty). Return nonzero to stop: the query then returns DW_OK. */
typedef int (*dw_rec_row_cb)(void *ctx, int64_t seq, int kind, int64_t t_us, uint64_t track,
                             const void *body, size_t len);

/* Every input of the session (0: all) in seq order. */
dw_status dw_recording_inputs(dw_recording *r, int64_t session, dw_rec_row_cb cb, void *ctx);

/* Every output of the session (0: all) in seq order. */
dw_status dw_recording_outputs(dw_recording *r, int64_t session, dw_rec_row_cb cb, void *ctx);

/* The picture at t_us: every DW_REC_OUT_TRACK row of the latest report instant
 * <= t_us (one t_us value, of one session: the one of the latest such row),
 * minus tracks a DW_REC_OUT_DEAD row of that session at or before that instant
 * ended; in seq order. No rows (and DW_OK) when there is no report instant. */
dw_status dw_recording_tracks_at(dw_recording *r, int64_t session, int64_t t_us, dw_rec_row_cb cb,
                                 void *ctx);

/* The alerts as they stood at t_us: for each alert (the integer "id" key at
 * the top level of the body, within its session) its latest DW_REC_OUT_ALERT row
 * with t_us <= t_us, kept when its "state" is not "cleared" or when it
 * cleared within keep_cleared_us before t_us (row t_us >= t_us -
 * keep_cleared_us); in order of those rows' (t_us, seq). A row whose body is
 * not a JSON object with an integer "id" is skipped; the keys are read
 * leniently (the rest of the line is not validated). Reads every alert row up
 * to t_us: docs/recording.md has the cost. */
dw_status dw_recording_alerts_at(dw_recording *r, int64_t session, int64_t t_us,
                                 int64_t keep_cleared_us, dw_rec_row_cb cb, void *ctx);

/* A track's points: its DW_REC_OUT_TRACK rows with t0_us <= t_us <= t1_us, in
 * (t_us, seq) order; when more than max (0: no limit), max of them evenly
 * spread, the first and the last included (max 1: the last). The query scans
 * every track row of [t0_us, t1_us] in output_kind_t (no index by track:
 * docs/recording.md has the cost). */
dw_status dw_recording_track_history(dw_recording *r, int64_t session, uint64_t track, int64_t t0_us,
                                     int64_t t1_us, size_t max, dw_rec_row_cb cb, void *ctx);

#endif

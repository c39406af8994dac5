/* replay.c — `dronewall replay RECORDING` without --serve: the session's inputs through a
 * fresh engine, every output compared with the recorded one byte for byte (daemon.h).
 *
 * The replayed outputs go to a file first (the out_dir's, else a temporary one), then the
 * recorded outputs are read in order beside it: memory stays flat however long the
 * recording. A session cut short (the daemon was killed) has inputs whose outputs were not
 * committed: outputs replayed beyond the recorded ones are counted, not a difference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dronewall/daemon.h"
#include "dronewall/engine.h"
#include "dronewall/record.h"
#include "serve/session.h"

typedef struct rp {
    dw_engine *eng;
    FILE *all;                  /* every replayed output: kind \t t_us \t track \t line */
    FILE *tracks, *alerts;      /* with out_dir */
    dw_replay_result *res;
    char err[300];
    int failed;
    /* comparing */
    char *line;
    size_t cap;
} rp;

static void rp_output(void *ctx, int kind, int64_t t_us, uint64_t track, const char *line,
                      size_t len, const void *obj)
{
    (void)obj;
    rp *r = ctx;
    if (kind == DW_ENG_OUT_LIVE)
        return;
    r->res->outputs_replayed++;
    fprintf(r->all, "%d\t%lld\t%llu\t%.*s\n", kind, (long long)t_us, (unsigned long long)track,
            (int)len, line);
    if (kind == DW_ENG_OUT_TRACK || kind == DW_ENG_OUT_DEAD) {
        r->res->tracks++;
        if (r->tracks)
            fprintf(r->tracks, "%.*s\n", (int)len, line);
    } else if (kind == DW_ENG_OUT_ALERT || kind == DW_ENG_OUT_IDENTITY ||
               kind == DW_ENG_OUT_SENSOR) {
        if (kind == DW_ENG_OUT_ALERT)
            r->res->alerts++;
        if (r->alerts)
            fprintf(r->alerts, "%.*s\n", (int)len, line);
    }
}

static int rp_input(void *ctx, int64_t seq, int kind, int64_t t_us, uint64_t track,
                    const void *body, size_t len)
{
    (void)t_us;
    (void)track;
    rp *r = ctx;
    r->res->inputs++;
    char err[200];
    dw_status st = dw_engine_apply(r->eng, kind, body, len, err, sizeof err);
    if (st != DW_OK && st != DW_ERR_PARSE) {
        snprintf(r->err, sizeof r->err, "input row %lld: the engine stopped: %s", (long long)seq,
                 dw_status_str(st));
        r->failed = 1;
        return 1;
    }
    return 0;
}

static int rp_compare(void *ctx, int64_t seq, int kind, int64_t t_us, uint64_t track,
                      const void *body, size_t len)
{
    rp *r = ctx;
    dw_replay_result *res = r->res;
    res->outputs_recorded++;
    if (res->first_diff_seq >= 0)
        return 0;               /* only counting now */
    ssize_t n = getline(&r->line, &r->cap, r->all);
    if (n <= 0) {
        res->first_diff_seq = seq;
        snprintf(res->first_diff, sizeof res->first_diff,
                 "the replay ended before recorded output row %lld", (long long)seq);
        return 0;
    }
    char want_head[96];
    int h = snprintf(want_head, sizeof want_head, "%d\t%lld\t%llu\t", kind, (long long)t_us,
                     (unsigned long long)track);
    if ((size_t)n != (size_t)h + len + 1 || memcmp(r->line, want_head, (size_t)h) ||
        memcmp(r->line + h, body, len)) {
        res->first_diff_seq = seq;
        snprintf(res->first_diff, sizeof res->first_diff,
                 "output row %lld differs:\n  recorded: %s%.*s\n  replayed: %.*s", (long long)seq,
                 want_head, (int)(len > 200 ? 200 : len), (const char *)body,
                 (int)(n > 260 ? 260 : n - 1), r->line);
        return 0;
    }
    res->matched++;
    return 0;
}

static FILE *open_out(const char *dir, const char *name, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return f;
}

int dw_replay_check(const char *path, int64_t session, const char *out_dir,
                    dw_replay_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->first_diff_seq = -1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = 2;
    rp r;
    memset(&r, 0, sizeof r);
    r.res = res;
    dw_session s;
    memset(&s, 0, sizeof s);
    char *json = NULL;
    dw_recording *rec = NULL;
    if (dw_recording_open(path, &rec, err, errlen) != DW_OK)
        return 2;
    int64_t ids[4096];
    size_t n = 0;
    if (dw_recording_sessions(rec, ids, 4096, &n) != DW_OK || !n) {
        snprintf(err, errlen, "%s: no session recorded", path);
        goto done;
    }
    if (!session)
        session = ids[n - 1];
    res->session = session;
    if (dw_recording_session_config(rec, session, &json) != DW_OK || !json) {
        snprintf(err, errlen, "%s: no session %lld", path, (long long)session);
        goto done;
    }
    if (dw_session_parse(json, &s, err, errlen) != DW_OK)
        goto done;
    const dw_engine_sink sink = {NULL, rp_output, &r};
    if (dw_session_engine(&s, &sink, &r.eng, err, errlen) != DW_OK)
        goto done;
    if (out_dir) {
        if (!(r.tracks = open_out(out_dir, "tracks.ndjson", err, errlen)) ||
            !(r.alerts = open_out(out_dir, "alerts.ndjson", err, errlen)))
            goto done;
    }
    r.all = tmpfile();
    if (!r.all) {
        snprintf(err, errlen, "a temporary file: %s", strerror(errno));
        goto done;
    }
    if (dw_recording_inputs(rec, session, rp_input, &r) != DW_OK || r.failed) {
        snprintf(err, errlen, "%s: %s", path, r.failed ? r.err : "cannot read the inputs");
        goto done;
    }
    fflush(r.all);
    rewind(r.all);
    if (dw_recording_outputs(rec, session, rp_compare, &r) != DW_OK) {
        snprintf(err, errlen, "%s: cannot read the outputs", path);
        goto done;
    }
    rc = res->first_diff_seq >= 0 ? 1 : 0;
done:
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (r.all)
        fclose(r.all);
    if (r.tracks && fclose(r.tracks) != 0 && rc == 0) {
        snprintf(err, errlen, "%s/tracks.ndjson: %s", out_dir, strerror(errno));
        rc = 2;
    }
    if (r.alerts && fclose(r.alerts) != 0 && rc == 0) {
        snprintf(err, errlen, "%s/alerts.ndjson: %s", out_dir, strerror(errno));
        rc = 2;
    }
    free(r.line);
    dw_engine_destroy(r.eng);
    dw_session_free(&s);
    free(json);
    dw_recording_close(rec);
    return rc;
}

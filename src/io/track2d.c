/* track2d.c — dronewall-scn-1 / dronewall-trk-1 files and the scenario
 * generator of the track2d benchmark.
 *
 * The readers are strict (a benchmark file that does not say what the README
 * says is a broken benchmark, better stopped at its first bad line) and report
 * the line. The writers go through a temporary file renamed at the end, so a
 * crash never leaves a truncated file under the final name.
 */
#define _GNU_SOURCE /* fopencookie: lets the tracks writer rename on fclose */

#include "dronewall/grow.h"
#include "dronewall/track2d.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Header limits: a hostile header must not make us allocate gigabytes for
 * scan offsets before the first row is read. */
#define MAX_SCANS 10000000
#define MAX_TARGETS 10000000

/* ---- header keys: one table for the reader and the generator ---------- */

enum key_kind { KEY_INT, KEY_DOUBLE, KEY_ULONG };

struct key_def {
    const char *name;
    enum key_kind kind;
    size_t offset;
};

/* In the order the shipped files use (after `format`). */
static const struct key_def keys[] = {
    {"seed", KEY_ULONG, offsetof(dw_t2d_params, seed)},
    {"n_targets", KEY_INT, offsetof(dw_t2d_params, n_targets)},
    {"n_scans", KEY_INT, offsetof(dw_t2d_params, n_scans)},
    {"dt", KEY_DOUBLE, offsetof(dw_t2d_params, dt)},
    {"q", KEY_DOUBLE, offsetof(dw_t2d_params, q)},
    {"sigma_z", KEY_DOUBLE, offsetof(dw_t2d_params, sigma_z)},
    {"sigma_v", KEY_DOUBLE, offsetof(dw_t2d_params, sigma_v)},
    {"pd", KEY_DOUBLE, offsetof(dw_t2d_params, pd)},
    {"clutter_density", KEY_DOUBLE, offsetof(dw_t2d_params, clutter_density)},
    {"clutter_rate", KEY_DOUBLE, offsetof(dw_t2d_params, clutter_rate)},
    {"box_xmin", KEY_DOUBLE, offsetof(dw_t2d_params, box_xmin)},
    {"box_xmax", KEY_DOUBLE, offsetof(dw_t2d_params, box_xmax)},
    {"box_ymin", KEY_DOUBLE, offsetof(dw_t2d_params, box_ymin)},
    {"box_ymax", KEY_DOUBLE, offsetof(dw_t2d_params, box_ymax)},
    {"spacing", KEY_DOUBLE, offsetof(dw_t2d_params, spacing)},
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static const char scn_columns[] = "rec,scan,t,id,a,b,c,d,origin";
static const char trk_columns[] = "scan,t,track_id,x,vx,y,vy";

/* ---- small parsing helpers ------------------------------------------- */

static void seterr(char *err, size_t errlen, const char *path, long line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void seterr(char *err, size_t errlen, const char *path, long line, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    int k = line > 0 ? snprintf(err, errlen, "%s:%ld: ", path, line)
                     : snprintf(err, errlen, "%s: ", path);
    if (k < 0 || (size_t)k >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
    va_end(ap);
}

static int parse_double(const char *s, double *out)
{
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int parse_ll(const char *s, long long *out)
{
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno == ERANGE)
        return 0;
    *out = v;
    return 1;
}

static int parse_int_range(const char *s, long long lo, long long hi, int *out)
{
    long long v;
    if (!parse_ll(s, &v) || v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

/* Split a line in place at commas; returns the number of fields, or
 * max+1 if there are more than max. */
static int split(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        if (n == max)
            return max + 1;
        f[n++] = s;
        char *comma = strchr(s, ',');
        if (!comma)
            return n;
        *comma = '\0';
        s = comma + 1;
    }
}

/* getline without the line ending (\n or \r\n). */
/* The next non-empty line, without its line end, counting lines in
 * *lineno. Returns its length, or -1 at the end of the file; a read error
 * also returns -1, after setting *st to DW_ERR_IO with the message. */
static ssize_t read_line(FILE *fp, char **buf, size_t *cap, long *lineno, const char *path,
                         char *err, size_t errlen, dw_status *st)
{
    for (;;) {
        errno = 0;
        ssize_t len = getline(buf, cap, fp);
        if (len < 0) {
            if (ferror(fp)) {
                seterr(err, errlen, path, *lineno + 1, "read error: %s", strerror(errno));
                *st = DW_ERR_IO;
            }
            return -1;
        }
        ++*lineno;
        while (len > 0 && ((*buf)[len - 1] == '\n' || (*buf)[len - 1] == '\r'))
            (*buf)[--len] = '\0';
        if (len > 0)
            return len;
    }
}

/* ---- scenario reader --------------------------------------------------- */

/* "# key=value" → key and value, both trimmed; 0 if not of that shape. */
static int comment_kv(char *line, char **key, char **val)
{
    char *s = line + 1;
    while (*s == ' ' || *s == '\t')
        s++;
    char *eq = strchr(s, '=');
    if (!eq || eq == s)
        return 0;
    char *ke = eq;
    while (ke > s && (ke[-1] == ' ' || ke[-1] == '\t'))
        ke--;
    *ke = '\0';
    char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    char *ve = v + strlen(v);
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
    *ve = '\0';
    *key = s;
    *val = v;
    return 1;
}

static int set_key(dw_t2d_params *p, const struct key_def *k, const char *val)
{
    char *base = (char *)p + k->offset;
    switch (k->kind) {
    case KEY_INT: {
        int v;
        if (!parse_int_range(val, INT_MIN, INT_MAX, &v))
            return 0;
        memcpy(base, &v, sizeof v);
        return 1;
    }
    case KEY_ULONG: {
        if (!*val || *val == '-')
            return 0;
        char *end;
        errno = 0;
        unsigned long v = strtoul(val, &end, 10);
        if (*end || errno == ERANGE)
            return 0;
        memcpy(base, &v, sizeof v);
        return 1;
    }
    case KEY_DOUBLE: {
        double v;
        if (!parse_double(val, &v))
            return 0;
        memcpy(base, &v, sizeof v);
        return 1;
    }
    }
    return 0;
}

struct scn_build {
    dw_t2d_meas *meas;
    size_t n_meas, cap_meas;
    int *origin;
    size_t cap_origin;
    dw_t2d_truth *truth;
    size_t n_truth, cap_truth;
    int *scan_start, *truth_start;
};

static void build_free(struct scn_build *b)
{
    free(b->meas);
    free(b->origin);
    free(b->truth);
    free(b->scan_start);
    free(b->truth_start);
}

dw_status dw_t2d_read_scenario(const char *path, unsigned what, dw_t2d_scenario *out,
                               char *err, size_t errlen)
{
    if (!path || !out || (what & ~(unsigned)(DW_T2D_MEAS | DW_T2D_TRUTH | DW_T2D_ORIGIN))) {
        seterr(err, errlen, path ? path : "(null)", 0, "invalid arguments");
        return DW_ERR_INVALID;
    }
    if (what & DW_T2D_ORIGIN)
        what |= DW_T2D_MEAS;
    const int want_meas = (what & DW_T2D_MEAS) != 0, want_truth = (what & DW_T2D_TRUTH) != 0;
    const int want_origin = (what & DW_T2D_ORIGIN) != 0;

    FILE *fp = fopen(path, "r");
    if (!fp) {
        seterr(err, errlen, path, 0, "cannot open: %s", strerror(errno));
        return DW_ERR_IO;
    }

    dw_t2d_params prm;
    memset(&prm, 0, sizeof prm);
    unsigned char seen[N_KEYS] = {0};
    int have_format = 0, in_rows = 0;
    int cur_scan = -1, cur_has_m = 0;
    struct scn_build b;
    memset(&b, 0, sizeof b);
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    dw_status st = DW_OK;

    for (;;) {
        ssize_t len = read_line(fp, &line, &cap, &lineno, path, err, errlen, &st);
        if (len < 0)
            break;
        if (line[0] == '#') {
            char *k, *v;
            if (in_rows || !comment_kv(line, &k, &v))
                continue;
            if (!strcmp(k, "format")) {
                if (strcmp(v, DW_T2D_SCN_FORMAT)) {
                    seterr(err, errlen, path, lineno, "format is '%s', expected '%s'", v,
                           DW_T2D_SCN_FORMAT);
                    st = DW_ERR_PARSE;
                    break;
                }
                have_format = 1;
                continue;
            }
            for (size_t i = 0; i < N_KEYS; i++) {
                if (strcmp(k, keys[i].name))
                    continue;
                if (!set_key(&prm, &keys[i], v)) {
                    seterr(err, errlen, path, lineno, "bad value '%s' for %s", v, k);
                    st = DW_ERR_PARSE;
                }
                seen[i] = 1;
                break;
            }
            if (st != DW_OK)
                break;
            continue;   /* unknown keys are someone's later addition */
        }

        if (!in_rows) {
            if (strcmp(line, scn_columns)) {
                seterr(err, errlen, path, lineno, "expected the column line '%s'", scn_columns);
                st = DW_ERR_PARSE;
                break;
            }
            if (!have_format) {
                seterr(err, errlen, path, lineno, "no '# format=%s' line before the columns",
                       DW_T2D_SCN_FORMAT);
                st = DW_ERR_PARSE;
                break;
            }
            for (size_t i = 0; i < N_KEYS; i++) {
                if (!seen[i]) {
                    seterr(err, errlen, path, lineno, "missing header key '%s'", keys[i].name);
                    st = DW_ERR_PARSE;
                    break;
                }
            }
            if (st != DW_OK)
                break;
            if (prm.n_scans < 1 || prm.n_scans > MAX_SCANS || prm.n_targets < 0 ||
                prm.n_targets > MAX_TARGETS) {
                seterr(err, errlen, path, lineno, "n_scans=%d or n_targets=%d out of range",
                       prm.n_scans, prm.n_targets);
                st = DW_ERR_RANGE;
                break;
            }
            b.scan_start = calloc((size_t)prm.n_scans + 1, sizeof *b.scan_start);
            b.truth_start = calloc((size_t)prm.n_scans + 1, sizeof *b.truth_start);
            if (!b.scan_start || !b.truth_start) {
                seterr(err, errlen, path, lineno, "out of memory");
                st = DW_ERR_NOMEM;
                break;
            }
            in_rows = 1;
            continue;
        }

        char *f[9];
        int nf = split(line, f, 9);
        if (nf != 9) {
            seterr(err, errlen, path, lineno, "%s fields, expected 9", nf > 9 ? "more than 9" : "fewer than 9");
            st = DW_ERR_PARSE;
            break;
        }
        int is_t = !strcmp(f[0], "T"), is_m = !strcmp(f[0], "M");
        if (!is_t && !is_m) {
            seterr(err, errlen, path, lineno, "record type '%s', expected T or M", f[0]);
            st = DW_ERR_PARSE;
            break;
        }
        int scan;
        if (!parse_int_range(f[1], 0, prm.n_scans - 1, &scan)) {
            seterr(err, errlen, path, lineno, "scan '%s' is not an integer in [0, %d)", f[1],
                   prm.n_scans);
            st = DW_ERR_PARSE;
            break;
        }
        if (scan < cur_scan) {
            seterr(err, errlen, path, lineno, "scan %d after scan %d: rows must be sorted by scan",
                   scan, cur_scan);
            st = DW_ERR_PARSE;
            break;
        }
        if (scan > cur_scan) {
            /* Close the offsets of every scan passed over (empty scans too). */
            for (int k = cur_scan + 1; k <= scan; k++) {
                b.scan_start[k] = (int)b.n_meas;
                b.truth_start[k] = (int)b.n_truth;
            }
            cur_scan = scan;
            cur_has_m = 0;
        }
        if (is_t && cur_has_m) {
            seterr(err, errlen, path, lineno, "T row after an M row of scan %d", scan);
            st = DW_ERR_PARSE;
            break;
        }
        cur_has_m |= is_m;
        if ((is_t && !want_truth) || (is_m && !want_meas))
            continue;

        double t;
        if (!parse_double(f[2], &t)) {
            seterr(err, errlen, path, lineno, "time '%s' is not a finite number", f[2]);
            st = DW_ERR_PARSE;
            break;
        }
        if (is_t) {
            dw_t2d_truth r = {.scan = scan, .t = t};
            if (!parse_int_range(f[3], 0, (long long)prm.n_targets - 1, &r.id)) {
                seterr(err, errlen, path, lineno, "truth id '%s' is not in [0, %d)", f[3],
                       prm.n_targets);
                st = DW_ERR_PARSE;
                break;
            }
            if (!parse_double(f[4], &r.x) || !parse_double(f[5], &r.vx) ||
                !parse_double(f[6], &r.y) || !parse_double(f[7], &r.vy)) {
                seterr(err, errlen, path, lineno, "truth state a,b,c,d must be finite numbers");
                st = DW_ERR_PARSE;
                break;
            }
            if (f[8][0]) {
                seterr(err, errlen, path, lineno, "origin must be empty on a T row");
                st = DW_ERR_PARSE;
                break;
            }
            if (b.n_truth >= (size_t)INT_MAX) {
                seterr(err, errlen, path, lineno, "too many truth rows");
                st = DW_ERR_RANGE;
                break;
            }
            dw_t2d_truth *grown = dw_grow(b.truth, &b.cap_truth, b.n_truth + 1, sizeof *grown, 256);
            if (!grown) {
                seterr(err, errlen, path, lineno, "out of memory");
                st = DW_ERR_NOMEM;
                break;
            }
            b.truth = grown;
            b.truth[b.n_truth++] = r;
        } else {
            dw_t2d_meas r = {.scan = scan, .t = t};
            long long id;
            if (!parse_ll(f[3], &id) || id < 0) {
                seterr(err, errlen, path, lineno, "measurement id '%s' is not a non-negative integer", f[3]);
                st = DW_ERR_PARSE;
                break;
            }
            if (!parse_double(f[4], &r.zx) || !parse_double(f[5], &r.zy)) {
                seterr(err, errlen, path, lineno, "measurement a,b must be finite numbers");
                st = DW_ERR_PARSE;
                break;
            }
            if (f[6][0] || f[7][0]) {
                seterr(err, errlen, path, lineno, "c and d must be empty on an M row");
                st = DW_ERR_PARSE;
                break;
            }
            int origin = 0;
            if (want_origin && !parse_int_range(f[8], -1, (long long)prm.n_targets - 1, &origin)) {
                seterr(err, errlen, path, lineno, "origin '%s' is neither -1 nor a truth id", f[8]);
                st = DW_ERR_PARSE;
                break;
            }
            if (b.n_meas >= (size_t)INT_MAX) {
                seterr(err, errlen, path, lineno, "too many measurement rows");
                st = DW_ERR_RANGE;
                break;
            }
            dw_t2d_meas *grown = dw_grow(b.meas, &b.cap_meas, b.n_meas + 1, sizeof *grown, 256);
            if (grown)
                b.meas = grown;
            int *grown_o = want_origin ? dw_grow(b.origin, &b.cap_origin, b.n_meas + 1, sizeof *grown_o, 256)
                                       : NULL;
            if (grown_o)
                b.origin = grown_o;
            if (!grown || (want_origin && !grown_o)) {
                seterr(err, errlen, path, lineno, "out of memory");
                st = DW_ERR_NOMEM;
                break;
            }
            if (want_origin)
                b.origin[b.n_meas] = origin;
            b.meas[b.n_meas++] = r;
        }
    }
    free(line);
    fclose(fp);

    if (st == DW_OK && !in_rows) {
        seterr(err, errlen, path, lineno, "no column line '%s'", scn_columns);
        st = DW_ERR_PARSE;
    }
    if (st != DW_OK) {
        build_free(&b);
        return st;
    }
    for (int k = cur_scan + 1; k <= prm.n_scans; k++) {
        b.scan_start[k] = (int)b.n_meas;
        b.truth_start[k] = (int)b.n_truth;
    }
    out->params = prm;
    out->meas = b.meas;
    out->n_meas = b.n_meas;
    out->scan_start = b.scan_start;
    out->truth = b.truth;
    out->n_truth = b.n_truth;
    out->origin = b.origin;
    out->truth_start = b.truth_start;
    return DW_OK;
}

void dw_t2d_scenario_free(dw_t2d_scenario *s)
{
    if (!s)
        return;
    free(s->meas);
    free(s->scan_start);
    free(s->truth);
    free(s->origin);
    free(s->truth_start);
    memset(s, 0, sizeof *s);
}

/* ---- tracks reader ----------------------------------------------------- */

dw_status dw_t2d_read_tracks(const char *path, dw_t2d_track_row **rows, size_t *n,
                             char *err, size_t errlen)
{
    if (!path || !rows || !n) {
        seterr(err, errlen, path ? path : "(null)", 0, "invalid arguments");
        return DW_ERR_INVALID;
    }
    FILE *fp = fopen(path, "r");
    if (!fp) {
        seterr(err, errlen, path, 0, "cannot open: %s", strerror(errno));
        return DW_ERR_IO;
    }
    dw_t2d_track_row *v = NULL;
    size_t nv = 0, capv = 0;
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int in_rows = 0;
    dw_status st = DW_OK;

    for (;;) {
        ssize_t len = read_line(fp, &line, &cap, &lineno, path, err, errlen, &st);
        if (len < 0)
            break;
        if (line[0] == '#') {
            char *k, *val;
            if (!in_rows && comment_kv(line, &k, &val) && !strcmp(k, "format") &&
                strcmp(val, DW_T2D_TRK_FORMAT)) {
                seterr(err, errlen, path, lineno, "format is '%s', expected '%s'", val,
                       DW_T2D_TRK_FORMAT);
                st = DW_ERR_PARSE;
                break;
            }
            continue;
        }
        if (!in_rows) {
            if (strcmp(line, trk_columns)) {
                seterr(err, errlen, path, lineno, "expected the column line '%s'", trk_columns);
                st = DW_ERR_PARSE;
                break;
            }
            in_rows = 1;
            continue;
        }
        char *f[7];
        int nf = split(line, f, 7);
        if (nf != 7) {
            seterr(err, errlen, path, lineno, "%s fields, expected 7", nf > 7 ? "more than 7" : "fewer than 7");
            st = DW_ERR_PARSE;
            break;
        }
        dw_t2d_track_row r;
        if (!parse_int_range(f[0], 0, INT_MAX, &r.scan)) {
            seterr(err, errlen, path, lineno, "scan '%s' is not a non-negative integer", f[0]);
            st = DW_ERR_PARSE;
            break;
        }
        if (!parse_double(f[1], &r.t)) {
            seterr(err, errlen, path, lineno, "time '%s' is not a finite number", f[1]);
            st = DW_ERR_PARSE;
            break;
        }
        if (!parse_ll(f[2], &r.track_id)) {
            seterr(err, errlen, path, lineno, "track_id '%s' is not an integer", f[2]);
            st = DW_ERR_PARSE;
            break;
        }
        if (!parse_double(f[3], &r.x) || !parse_double(f[4], &r.vx) ||
            !parse_double(f[5], &r.y) || !parse_double(f[6], &r.vy)) {
            seterr(err, errlen, path, lineno, "x,vx,y,vy must be finite numbers");
            st = DW_ERR_PARSE;
            break;
        }
        dw_t2d_track_row *grown = dw_grow(v, &capv, nv + 1, sizeof *grown, 256);
        if (!grown) {
            seterr(err, errlen, path, lineno, "out of memory");
            st = DW_ERR_NOMEM;
            break;
        }
        v = grown;
        v[nv++] = r;
    }
    free(line);
    fclose(fp);
    if (st == DW_OK && !in_rows) {
        seterr(err, errlen, path, lineno, "no column line '%s'", trk_columns);
        st = DW_ERR_PARSE;
    }
    if (st != DW_OK) {
        free(v);
        return st;
    }
    if (nv == 0) {
        free(v);
        v = NULL;
    }
    *rows = v;
    *n = nv;
    return DW_OK;
}

/* ---- writing through a temporary file ---------------------------------- */

/* A temporary file beside `path` (same file system, so rename is atomic). */
static FILE *open_temp(const char *path, char **tmp_out)
{
    size_t len = strlen(path);
    char *tmp = malloc(len + 8);
    if (!tmp)
        return NULL;
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".XXXXXX", 8);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return NULL;
    }
    /* mkstemp makes 0600; results are meant to be shared like any output. */
    (void)fchmod(fd, 0644);
    FILE *fp = fdopen(fd, "w");
    if (!fp) {
        close(fd);
        unlink(tmp);
        free(tmp);
        return NULL;
    }
    *tmp_out = tmp;
    return fp;
}

/* Close fp and rename tmp onto path, or remove tmp if anything failed. */
static int finish_temp(FILE *fp, char *tmp, const char *path, int failed)
{
    failed |= fflush(fp) != 0;
    failed |= ferror(fp) != 0;
    failed |= fclose(fp) != 0;
    if (!failed && rename(tmp, path) != 0)
        failed = 1;
    if (failed)
        unlink(tmp);
    free(tmp);
    return failed ? -1 : 0;
}

/* The FILE handed to the caller is a cookie stream over the temporary file,
 * so that the plain FILE * of the API can still rename on close. */
struct tw {
    FILE *fp;
    char *tmp;
    char *path;
    int failed;
};

static ssize_t tw_write(void *cookie, const char *buf, size_t size)
{
    struct tw *w = cookie;
    if (fwrite(buf, 1, size, w->fp) != size) {
        w->failed = 1;
        return -1;
    }
    return (ssize_t)size;
}

static int tw_close(void *cookie)
{
    struct tw *w = cookie;
    int r = finish_temp(w->fp, w->tmp, w->path, w->failed);
    free(w->path);
    free(w);
    return r;
}

dw_status dw_t2d_tracks_writer_open(const char *path, const char *tracker,
                                    const char *scenario, FILE **out)
{
    if (!path || !out)
        return DW_ERR_INVALID;
    /* A newline in a header value would break the file's structure. */
    if ((tracker && strpbrk(tracker, "\r\n")) || (scenario && strpbrk(scenario, "\r\n")))
        return DW_ERR_INVALID;
    struct tw *w = calloc(1, sizeof *w);
    if (!w)
        return DW_ERR_NOMEM;
    w->path = strdup(path);
    if (!w->path) {
        free(w);
        return DW_ERR_NOMEM;
    }
    w->fp = open_temp(path, &w->tmp);
    if (!w->fp) {
        free(w->path);
        free(w);
        return DW_ERR_IO;
    }
    cookie_io_functions_t io = {.read = NULL, .write = tw_write, .seek = NULL, .close = tw_close};
    FILE *f = fopencookie(w, "w", io);
    if (!f) {
        finish_temp(w->fp, w->tmp, w->path, 1);
        free(w->path);
        free(w);
        return DW_ERR_NOMEM;
    }
    fprintf(f, "# format=%s\n# tracker=%s\n# scenario=%s\n%s\n", DW_T2D_TRK_FORMAT,
            tracker ? tracker : "", scenario ? scenario : "", trk_columns);
    *out = f;
    return DW_OK;
}

void dw_t2d_tracks_write_row(FILE *f, const dw_t2d_track_row *r)
{
    fprintf(f, "%d,%.17g,%lld,%.17g,%.17g,%.17g,%.17g\n", r->scan, r->t, r->track_id, r->x,
            r->vx, r->y, r->vy);
}

dw_status dw_t2d_tracks_writer_close(FILE *f)
{
    if (!f)
        return DW_ERR_INVALID;
    int bad = ferror(f) != 0;
    bad |= fclose(f) != 0;
    return bad ? DW_ERR_IO : DW_OK;
}

/* ---- the generator ----------------------------------------------------- */

/* xoshiro256** (Blackman & Vigna), seeded through splitmix64 so that seeds
 * 0, 1, 2 ... give unrelated streams. */
struct rng {
    uint64_t s[4];
    int have_spare;
    double spare;
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
    r->have_spare = 0;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_uniform(struct rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* Standard normal by Box–Muller; the second value of a pair is kept. */
static double rng_normal(struct rng *r)
{
    if (r->have_spare) {
        r->have_spare = 0;
        return r->spare;
    }
    double u1;
    do
        u1 = rng_uniform(r);
    while (u1 <= 0.0);
    double u2 = rng_uniform(r);
    double rad = sqrt(-2.0 * log(u1)), th = 2.0 * M_PI * u2;
    r->spare = rad * sin(th);
    r->have_spare = 1;
    return rad * cos(th);
}

/* Poisson by Knuth's product of uniforms, in pieces of mean <= 200 so that
 * exp(-mean) never underflows (a sum of Poissons is Poisson). */
static long rng_poisson(struct rng *r, double mean)
{
    long n = 0;
    while (mean > 0) {
        double piece = mean > 200.0 ? 200.0 : mean;
        mean -= piece;
        double limit = exp(-piece), prod = rng_uniform(r);
        while (prod > limit) {
            n++;
            prod *= rng_uniform(r);
        }
    }
    return n;
}

/* The shortest %.Ng that reads back as the same double, so generated files
 * look like the shipped ones ("0.05", not "0.050000000000000003"). */
static void fmt_double(char *buf, size_t len, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".eEin")) {
        size_t k = strlen(buf);
        if (k + 2 < len)
            memcpy(buf + k, ".0", 3);
    }
}

static dw_status write_scenario(const char *path, const dw_t2d_params *p,
                                const double *state, struct rng *r)
{
    char *tmp;
    FILE *fp = open_temp(path, &tmp);
    if (!fp)
        return DW_ERR_IO;
    char a[40], b[40], c[40], d[40], t[40];
    fprintf(fp, "# format=%s\n", DW_T2D_SCN_FORMAT);
    for (size_t i = 0; i < N_KEYS; i++) {
        const char *base = (const char *)p + keys[i].offset;
        switch (keys[i].kind) {
        case KEY_INT: {
            int v;
            memcpy(&v, base, sizeof v);
            fprintf(fp, "# %s=%d\n", keys[i].name, v);
            break;
        }
        case KEY_ULONG: {
            unsigned long v;
            memcpy(&v, base, sizeof v);
            fprintf(fp, "# %s=%lu\n", keys[i].name, v);
            break;
        }
        case KEY_DOUBLE: {
            double v;
            memcpy(&v, base, sizeof v);
            fmt_double(a, sizeof a, v);
            fprintf(fp, "# %s=%s\n", keys[i].name, a);
            break;
        }
        }
    }
    fprintf(fp, "%s\n", scn_columns);

    const int n = p->n_targets;
    const double box_w = p->box_xmax - p->box_xmin, box_h = p->box_ymax - p->box_ymin;
    /* Per-scan scratch: origin of each measurement, then its position. */
    size_t cap = 0;
    int *org = NULL;
    double *zxy = NULL;
    long long meas_id = 0;
    int failed = 0;
    for (int k = 0; k < p->n_scans && !failed; k++) {
        fmt_double(t, sizeof t, k * p->dt);
        const double *sk = state + (size_t)k * (size_t)n * 4;
        for (int i = 0; i < n; i++) {
            fmt_double(a, sizeof a, sk[4 * i]);
            fmt_double(b, sizeof b, sk[4 * i + 1]);
            fmt_double(c, sizeof c, sk[4 * i + 2]);
            fmt_double(d, sizeof d, sk[4 * i + 3]);
            fprintf(fp, "T,%d,%s,%d,%s,%s,%s,%s,\n", k, t, i, a, b, c, d);
        }
        long nclut = rng_poisson(r, p->clutter_rate);
        size_t need = (size_t)n + (size_t)nclut, m = 0;
        if (need > cap) {
            int *o2 = realloc(org, need * sizeof *o2);
            if (o2)
                org = o2;
            double *z2 = realloc(zxy, 2 * need * sizeof *z2);
            if (z2)
                zxy = z2;
            if (!o2 || !z2) {
                failed = 2;
                break;
            }
            cap = need;
        }
        for (int i = 0; i < n; i++) {
            if (rng_uniform(r) >= p->pd)
                continue;
            org[m] = i;
            zxy[2 * m] = sk[4 * i] + p->sigma_z * rng_normal(r);
            zxy[2 * m + 1] = sk[4 * i + 2] + p->sigma_z * rng_normal(r);
            m++;
        }
        for (long j = 0; j < nclut; j++) {
            org[m] = -1;
            zxy[2 * m] = p->box_xmin + box_w * rng_uniform(r);
            zxy[2 * m + 1] = p->box_ymin + box_h * rng_uniform(r);
            m++;
        }
        /* Fisher–Yates, so order tells a tracker nothing about origin. */
        for (size_t j = m; j > 1; j--) {
            size_t s = (size_t)(rng_uniform(r) * (double)j);
            if (s >= j)
                s = j - 1;
            int to = org[j - 1];
            org[j - 1] = org[s];
            org[s] = to;
            double tx = zxy[2 * (j - 1)], ty = zxy[2 * (j - 1) + 1];
            zxy[2 * (j - 1)] = zxy[2 * s];
            zxy[2 * (j - 1) + 1] = zxy[2 * s + 1];
            zxy[2 * s] = tx;
            zxy[2 * s + 1] = ty;
        }
        for (size_t j = 0; j < m; j++) {
            fmt_double(a, sizeof a, zxy[2 * j]);
            fmt_double(b, sizeof b, zxy[2 * j + 1]);
            fprintf(fp, "M,%d,%s,%lld,%s,%s,,,%d\n", k, t, meas_id++, a, b, org[j]);
        }
    }
    free(org);
    free(zxy);
    if (finish_temp(fp, tmp, path, failed != 0) != 0)
        return failed == 2 ? DW_ERR_NOMEM : DW_ERR_IO;
    return DW_OK;
}

dw_status dw_t2d_generate(const dw_t2d_params *in, const char *path)
{
    if (!in || !path)
        return DW_ERR_INVALID;
    dw_t2d_params p = *in;
    if (p.n_targets < 0 || p.n_targets > MAX_TARGETS || p.n_scans < 1 || p.n_scans > MAX_SCANS ||
        !(p.dt > 0) || !isfinite(p.dt) || !(p.q >= 0) || !isfinite(p.q) ||
        !(p.sigma_z >= 0) || !isfinite(p.sigma_z) || !(p.sigma_v >= 0) || !isfinite(p.sigma_v) ||
        !(p.pd >= 0 && p.pd <= 1) || !(p.clutter_density >= 0) || !isfinite(p.clutter_density) ||
        !(p.spacing > 0) || !isfinite(p.spacing))
        return DW_ERR_INVALID;
    const size_t n = (size_t)p.n_targets, k_n = (size_t)p.n_scans;
    if (n && k_n > SIZE_MAX / (n * 4 * sizeof(double)))
        return DW_ERR_RANGE;

    struct rng r;
    rng_seed(&r, (uint64_t)p.seed);

    /* Truth first: the clutter box depends on every truth position. */
    double *x = malloc((n ? n : 1) * k_n * 4 * sizeof *x);
    if (!x)
        return DW_ERR_NOMEM;
    const double side_m = p.spacing * sqrt((double)n), dt = p.dt;
    /* Cholesky factor of the per-axis Q = q [dt^3/3 dt^2/2; dt^2/2 dt]. */
    const double l11 = sqrt(p.q * dt * dt * dt / 3.0);
    const double l21 = l11 > 0 ? p.q * dt * dt / 2.0 / l11 : 0.0;
    const double l22 = sqrt(fmax(0.0, p.q * dt - l21 * l21));
    for (size_t i = 0; i < n; i++) {
        double *s = x + 4 * i;
        s[0] = (rng_uniform(&r) - 0.5) * side_m;
        s[2] = (rng_uniform(&r) - 0.5) * side_m;
        s[1] = p.sigma_v * rng_normal(&r);
        s[3] = p.sigma_v * rng_normal(&r);
    }
    for (size_t k = 1; k < k_n; k++) {
        for (size_t i = 0; i < n; i++) {
            const double *a = x + ((k - 1) * n + i) * 4;
            double *s = x + (k * n + i) * 4;
            for (int ax = 0; ax < 4; ax += 2) {
                double e1 = rng_normal(&r), e2 = rng_normal(&r);
                s[ax] = a[ax] + dt * a[ax + 1] + l11 * e1;
                s[ax + 1] = a[ax + 1] + l21 * e1 + l22 * e2;
            }
        }
    }
    double xmin = 0, xmax = 0, ymin = 0, ymax = 0;
    for (size_t j = 0; j < n * k_n; j++) {
        const double *s = x + 4 * j;
        if (j == 0 || s[0] < xmin) xmin = s[0];
        if (j == 0 || s[0] > xmax) xmax = s[0];
        if (j == 0 || s[2] < ymin) ymin = s[2];
        if (j == 0 || s[2] > ymax) ymax = s[2];
    }
    const double margin_m = p.spacing / 2.0;
    p.box_xmin = xmin - margin_m;
    p.box_xmax = xmax + margin_m;
    p.box_ymin = ymin - margin_m;
    p.box_ymax = ymax + margin_m;
    p.clutter_rate = p.clutter_density * (p.box_xmax - p.box_xmin) * (p.box_ymax - p.box_ymin);

    dw_status st = write_scenario(path, &p, x, &r);
    free(x);
    return st;
}

/* cmd_score.c — `dronewall score`: truth and tracks in, one JSON object of
 * metrics out, so scripts and the benchmark compare trackers with one scorer.
 *
 * The option table below drives both getopt_long and --help. Exit codes as in
 * commands.h: 0 scored, 1 a file could not be read or scored, 2 usage.
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "dronewall/metrics.h"
#include "dronewall/ndjson.h"
#include "dronewall/score_geo.h"
#include "dronewall/track2d.h"

#define SCORE_OPTIONS(X)                                                                   \
    X("format", 'f', "FMT", "input format (required), one of the formats below")       \
    X("scenario", 's', "FILE", "the scenario with truth (track2d: dronewall-scn-1 CSV)")   \
    X("truth", 'T', "FILE", "truth records (ndjson: native NDJSON, type truth)")          \
    X("tracks", 't', "FILE", "the tracks to score (track2d: dronewall-trk-1 CSV)")         \
    X("c", 'c', "M", "GOSPA cut-off distance (default 10; ndjson: metres, default 1000)")                                \
    X("p", 'p', "P", "GOSPA order, >= 1 (default 1)")                                      \
    X("help", 'h', NULL, "show this help")

static const char *const known_formats[] = {"track2d", "ndjson"};
#define N_FORMATS (sizeof known_formats / sizeof known_formats[0])

static const char *format_list(void)
{
    static char buf[128];
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_FORMATS && k < sizeof buf; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? ", " : "", known_formats[i]);
    return buf;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: dronewall score --format track2d --scenario S.csv --tracks T.csv"
               " [--c 10] [--p 1]\n"
               "       dronewall score --format ndjson --truth T.ndjson --tracks K.ndjson"
               " [--c 1000] [--p 1]\n\n"
               "Scores tracks against the scenario's truth and prints one JSON object:\n"
               "the mean GOSPA over all scans (alpha = 2, optimal assignment) and its\n"
               "localisation, missed and false parts, missed and false counts per scan,\n"
               "the position RMSE over assigned pairs from scan %d on, the posterior\n"
               "Cramer-Rao bound on the same truth and RMSE / bound.\n\n"
               "ndjson: geodetic truth and track records (docs/formats.md); at every truth\n"
               "instant the tracks reported at that instant are compared in 3-D (metres):\n"
               "GOSPA and its parts, completeness, RMSE, track-number changes and the\n"
               "longest segment from the optimal assignment, overall and per class of\n"
               "truth; SIAP completeness, ambiguity, spuriousness and false tracks from\n"
               "associating each track with its nearest truth closer than --c.\n\noptions:\n",
            DW_T2D_SCORE_FIRST_SCAN);
#define SCORE_HELP(name, ch, arg, text)                                                     \
    {                                                                                       \
        char head[40];                                                                      \
        snprintf(head, sizeof head, "--%s%s%s", name, arg ? " " : "", arg ? (const char *)arg : ""); \
        fprintf(f, "  %-18s %s\n", head, text);                                             \
    }
    SCORE_OPTIONS(SCORE_HELP)
#undef SCORE_HELP
    fprintf(f, "\nformats: %s\nexit status: 0 scored, 1 unreadable input, 2 usage error\n",
            format_list());
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "dronewall score: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(dronewall score --help for usage)\n");
    va_end(ap);
    return 2;
}

static int parse_number(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int score_track2d(const char *scn_path, const char *trk_path, double c, double p)
{
    char err[1024];
    dw_t2d_scenario sc;
    dw_status st = dw_t2d_read_scenario(scn_path, DW_T2D_TRUTH | DW_T2D_MEAS | DW_T2D_ORIGIN,
                                        &sc, err, sizeof err);
    if (st != DW_OK) {
        fprintf(stderr, "dronewall score: %s\n", err);
        return 1;
    }
    dw_t2d_track_row *rows = NULL;
    size_t n = 0;
    st = dw_t2d_read_tracks(trk_path, &rows, &n, err, sizeof err);
    if (st != DW_OK) {
        fprintf(stderr, "dronewall score: %s\n", err);
        dw_t2d_scenario_free(&sc);
        return 1;
    }
    dw_t2d_score s;
    st = dw_t2d_score_tracks(&sc, rows, n, c, p, &s);
    free(rows);
    dw_t2d_scenario_free(&sc);
    if (st != DW_OK) {
        fprintf(stderr, "dronewall score: %s: %s%s\n", trk_path, dw_status_str(st),
                st == DW_ERR_RANGE ? " (a track row's scan is outside the scenario)" : "");
        return 1;
    }
    dw_t2d_score_print_json(stdout, &s);
    fputc('\n', stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* Read every record of one type from an NDJSON file into a growing array. */
static int read_ndjson(const char *path, dw_record_type want, dw_record **out, size_t *n_out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "dronewall score: %s: cannot open\n", path);
        return -1;
    }
    dw_ndjson_reader *r = NULL;
    if (dw_ndjson_reader_create(f, path, &r) != DW_OK) {
        fclose(f);
        return -1;
    }
    dw_record *v = NULL;
    size_t n = 0, cap = 0;
    dw_record rec;
    dw_status st;
    while ((st = dw_ndjson_next(r, &rec)) == DW_OK) {
        if (rec.type != want)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            dw_record *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                st = DW_ERR_NOMEM;
                break;
            }
            v = nv;
        }
        v[n++] = rec;
    }
    dw_ndjson_stats ns;
    dw_ndjson_get_stats(r, &ns);
    if (ns.bad)
        fprintf(stderr, "dronewall score: %s: %llu bad lines skipped (last: %s)\n", path,
                (unsigned long long)ns.bad, dw_ndjson_last_error(r));
    dw_ndjson_reader_destroy(r);
    fclose(f);
    if (st != DW_ERR_EOF) {
        fprintf(stderr, "dronewall score: %s: %s\n", path, dw_status_str(st));
        free(v);
        return -1;
    }
    *out = v;
    *n_out = n;
    return 0;
}

static int score_ndjson(const char *truth_path, const char *trk_path, double c, double p)
{
    dw_record *tr = NULL, *tk = NULL;
    size_t ntr = 0, ntk = 0;
    int rc = 1;
    dw_truth *truth = NULL;
    dw_track *tracks = NULL;
    if (read_ndjson(truth_path, DW_REC_TRUTH, &tr, &ntr) != 0 ||
        read_ndjson(trk_path, DW_REC_TRACK, &tk, &ntk) != 0)
        goto done;
    truth = malloc((ntr + 1) * sizeof *truth);
    tracks = malloc((ntk + 1) * sizeof *tracks);
    if (!truth || !tracks)
        goto done;
    for (size_t i = 0; i < ntr; i++)
        truth[i] = tr[i].u.truth;
    for (size_t i = 0; i < ntk; i++)
        tracks[i] = tk[i].u.track;
    free(tr);
    free(tk);
    tr = tk = NULL;
    dw_geo_score s;
    dw_status st = dw_geo_score_run(truth, ntr, tracks, ntk, c, p, &s);
    if (st != DW_OK) {
        fprintf(stderr, "dronewall score: %s\n", dw_status_str(st));
        goto done;
    }
    if (s.n_steps == 0)
        fprintf(stderr, "dronewall score: %s holds no truth records\n", truth_path);
    dw_geo_score_print_json(stdout, &s);
    fputc('\n', stdout);
    rc = fflush(stdout) == 0 && s.n_steps > 0 ? 0 : 1;
done:
    free(tr);
    free(tk);
    free(truth);
    free(tracks);
    return rc;
}

int cmd_score(int argc, char **argv)
{
    static const struct option longopts[] = {
#define SCORE_LONG(name, ch, arg, text) {name, arg ? required_argument : no_argument, NULL, ch},
        SCORE_OPTIONS(SCORE_LONG)
#undef SCORE_LONG
        {NULL, 0, NULL, 0},
    };
    const char *format = NULL, *scenario = NULL, *tracks = NULL, *truth = NULL;
    double c = NAN, p = 1.0;

    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":f:s:T:t:c:p:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f': format = optarg; break;
        case 's': scenario = optarg; break;
        case 't': tracks = optarg; break;
        case 'T': truth = optarg; break;
        case 'c':
            if (!parse_number(optarg, &c) || !(c > 0))
                return usage_error("--c must be a positive number, not '%s'", optarg);
            break;
        case 'p':
            if (!parse_number(optarg, &p) || !(p >= 1))
                return usage_error("--p must be a number >= 1, not '%s'", optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt)
                return usage_error("unknown option '-%c'", optopt);
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!format)
        return usage_error("--format is required (known: %s)", format_list());
    int known = 0;
    for (size_t i = 0; i < N_FORMATS; i++)
        known |= !strcmp(format, known_formats[i]);
    if (!known)
        return usage_error("unknown --format '%s' (known: %s)", format, format_list());
    if (!strcmp(format, "ndjson")) {
        if (!truth || !tracks)
            return usage_error("--truth and --tracks are both required with --format ndjson");
        return score_ndjson(truth, tracks, isnan(c) ? 1000.0 : c, p);
    }
    if (!scenario || !tracks)
        return usage_error("--scenario and --tracks are both required");
    return score_track2d(scenario, tracks, isnan(c) ? 10.0 : c, p);
}

/* dw_bench_track2d — tracker v1 on the track2d benchmark (bench/track2d in
 * the shared data; the model is described in its README).
 *
 *   dw_bench_track2d --scenario S.csv [--tracks-out T.csv] [--repeat K]
 *
 * Reads only the scenario's measurement rows into memory, runs the tracker
 * single-threaded scan by scan (that loop alone is timed), writes the
 * confirmed tracks of every scan as a dronewall-trk-1 file, then scores them
 * against the truth rows and prints one JSON object as its last line.
 * This is a benchmark program: it, like app/, reads the wall clock.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dronewall/metrics.h"
#include "dronewall/track2d.h"
#include "dronewall/tracker.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dw_bench_track2d --scenario S.csv [--tracks-out T.csv] [--repeat K]\n"
            "  --scenario FILE    a dronewall-scn-1 scenario (required)\n"
            "  --tracks-out FILE  write the confirmed tracks (dronewall-trk-1)\n"
            "  --repeat K         run the tracking loop K times, report the best (default 3)\n"
            "  --confirm M/N      M-of-N confirmation (default 2/2)\n"
            "  --gate G           Mahalanobis d^2 gate (default 16)\n"
            "  --peer-name S --peer-meas-per-s X --peer-gospa X --peer-rmse-over-bound X\n"
            "                     a peer's figures on the same scenario, printed beside ours\n"
            "The last line printed is one JSON object with the figures.\n");
}

typedef struct run_out {
    dw_t2d_track_row *rows;
    size_t n_rows, cap_rows;
    double *scan_ms;
    double loop_s;
    dw_tracker_stats stats;
} run_out;

static int run_once(const dw_t2d_scenario *sc, const dw_meas *meas, const dw_tracker_config *cfg,
                    run_out *out)
{
    dw_tracker *trk = NULL;
    if (dw_tracker_create(cfg, &trk) != DW_OK)
        return -1;
    int sensor;
    if (dw_tracker_add_sensor(trk, &dw_meas_linear_pos, NULL, &sensor) != DW_OK) {
        dw_tracker_destroy(trk);
        return -1;
    }
    out->n_rows = 0;
    double total = 0;
    const int K = sc->params.n_scans;
    for (int k = 0; k < K; k++) {
        size_t a = (size_t)sc->scan_start[k], b = (size_t)sc->scan_start[k + 1];
        int64_t t_us = (int64_t)llround(sc->params.dt * k * 1e6);
        double t0 = now_s();
        dw_status st = dw_tracker_update(trk, sensor, t_us, meas + a, b - a);
        double t1 = now_s();
        if (st != DW_OK) {
            fprintf(stderr, "dw_bench_track2d: scan %d: %s\n", k, dw_status_str(st));
            dw_tracker_destroy(trk);
            return -1;
        }
        out->scan_ms[k] = (t1 - t0) * 1e3;
        total += t1 - t0;
        /* Output (outside the timed part): every confirmed or coasting track. */
        size_t nt = dw_tracker_count(trk);
        for (size_t i = 0; i < nt; i++) {
            const dw_trk *tr = dw_tracker_get(trk, i);
            if (tr->status != DW_TRACK_CONFIRMED && tr->status != DW_TRACK_COASTING)
                continue;
            if (out->n_rows == out->cap_rows) {
                size_t cap = out->cap_rows ? 2 * out->cap_rows : 65536;
                dw_t2d_track_row *r = realloc(out->rows, cap * sizeof *r);
                if (!r) {
                    dw_tracker_destroy(trk);
                    return -1;
                }
                out->rows = r;
                out->cap_rows = cap;
            }
            dw_t2d_track_row *r = &out->rows[out->n_rows++];
            /* The estimate at the scan time (a coasting track is predicted). */
            double dt = (double)(t_us - tr->t_us) * 1e-6;
            r->scan = k;
            r->t = sc->params.dt * k;
            r->track_id = (long long)tr->id;
            r->x = tr->x[0] + dt * tr->x[1];
            r->vx = tr->x[1];
            r->y = tr->x[2] + dt * tr->x[3];
            r->vy = tr->x[3];
        }
    }
    out->loop_s = total;
    dw_tracker_get_stats(trk, &out->stats);
    dw_tracker_destroy(trk);
    return 0;
}

int main(int argc, char **argv)
{
    const char *scen = NULL, *tracks_out = NULL;
    int repeat = 3;
    dw_tracker_config cfg;
    /* Two hits in two scans confirm: on this model, with a wide gate, it is
     * the best GOSPA trade of late starts against false tracks (see
     * docs/tracker.md for the sweep). */
    int cm = 2, cn = 2;
    double gate = 16.0;
    const char *peer = NULL;
    double peer_mps = NAN, peer_gospa = NAN, peer_ratio = NAN;
    static const struct option opts[] = {
        {"scenario", required_argument, 0, 's'}, {"tracks-out", required_argument, 0, 'o'},
        {"repeat", required_argument, 0, 'r'},   {"confirm", required_argument, 0, 'c'},
        {"gate", required_argument, 0, 'g'},     {"help", no_argument, 0, 'h'},
        {"peer-name", required_argument, 0, 'P'}, {"peer-meas-per-s", required_argument, 0, 'M'},
        {"peer-gospa", required_argument, 0, 'O'}, {"peer-rmse-over-bound", required_argument, 0, 'B'},
        {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "s:o:r:c:g:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': scen = optarg; break;
        case 'o': tracks_out = optarg; break;
        case 'r': repeat = atoi(optarg); break;
        case 'c':
            if (sscanf(optarg, "%d/%d", &cm, &cn) != 2) {
                fprintf(stderr, "dw_bench_track2d: --confirm wants M/N, e.g. 2/3\n");
                return 2;
            }
            break;
        case 'g': gate = atof(optarg); break;
        case 'P': peer = optarg; break;
        case 'M': peer_mps = atof(optarg); break;
        case 'O': peer_gospa = atof(optarg); break;
        case 'B': peer_ratio = atof(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!scen || repeat < 1 || optind != argc) {
        usage(stderr);
        return 2;
    }

    char err[512];
    dw_t2d_scenario sc;
    if (dw_t2d_read_scenario(scen, DW_T2D_MEAS, &sc, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_track2d: %s\n", err);
        return 1;
    }
    const dw_t2d_params *p = &sc.params;

    dw_tracker_config_default(&cfg, 2, p->q);
    cfg.init_vel_sigma = p->sigma_v;
    cfg.confirm_m = cm;
    cfg.confirm_n = cn;
    cfg.gate = gate;
    cfg.max_tracks = (size_t)(p->n_targets * 4 + 4 * (p->clutter_rate + 1) + 1024);

    /* The tracker's input, in memory before the clock starts. */
    dw_meas *meas = calloc(sc.n_meas ? sc.n_meas : 1, sizeof *meas);
    double *scan_ms = calloc((size_t)p->n_scans, sizeof *scan_ms);
    if (!meas || !scan_ms) {
        fprintf(stderr, "dw_bench_track2d: out of memory\n");
        return 1;
    }
    const double r = p->sigma_z * p->sigma_z;
    for (size_t i = 0; i < sc.n_meas; i++) {
        meas[i].t_us = (int64_t)llround(sc.meas[i].t * 1e6);
        meas[i].z[0] = sc.meas[i].zx;
        meas[i].z[1] = sc.meas[i].zy;
        meas[i].R[0] = r;
        meas[i].R[3] = r;
        meas[i].user = (uint32_t)i;
    }

    run_out best = {0}, cur = {0};
    best.scan_ms = scan_ms;
    cur.scan_ms = calloc((size_t)p->n_scans, sizeof *cur.scan_ms);
    if (!cur.scan_ms)
        return 1;
    best.loop_s = INFINITY;
    for (int rep = 0; rep < repeat; rep++) {
        if (run_once(&sc, meas, &cfg, &cur) != 0) {
            fprintf(stderr, "dw_bench_track2d: the tracker failed\n");
            return 1;
        }
        if (cur.loop_s < best.loop_s) {
            run_out tmp = best;
            best = cur;
            cur = tmp;
        }
    }
    free(cur.rows);
    free(cur.scan_ms);

    if (tracks_out) {
        FILE *f;
        if (dw_t2d_tracks_writer_open(tracks_out, "dronewall tracker v1 (GNN, grid gating)", scen,
                                      &f) != DW_OK) {
            fprintf(stderr, "dw_bench_track2d: cannot write %s\n", tracks_out);
            return 1;
        }
        for (size_t i = 0; i < best.n_rows; i++)
            dw_t2d_tracks_write_row(f, &best.rows[i]);
        if (dw_t2d_tracks_writer_close(f) != DW_OK) {
            fprintf(stderr, "dw_bench_track2d: cannot write %s\n", tracks_out);
            return 1;
        }
    }

    /* Per-scan p95 of the best run. */
    int K = p->n_scans;
    double *sorted = malloc((size_t)K * sizeof *sorted);
    memcpy(sorted, best.scan_ms, (size_t)K * sizeof *sorted);
    qsort(sorted, (size_t)K, sizeof *sorted, cmp_double);
    double p95 = sorted[(size_t)ceil(0.95 * K) - 1];
    free(sorted);
    size_t n_meas = sc.n_meas;
    int n_targets = p->n_targets;
    dw_t2d_scenario_free(&sc);
    free(meas);

    /* Memory of the tracking run, before scoring loads the truth. */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rss_track_mb = (double)ru.ru_maxrss / 1024.0;

    dw_t2d_scenario full;
    if (dw_t2d_read_scenario(scen, DW_T2D_MEAS | DW_T2D_TRUTH | DW_T2D_ORIGIN, &full, err,
                             sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_track2d: %s\n", err);
        return 1;
    }
    dw_t2d_score score;
    if (dw_t2d_score_tracks(&full, best.rows, best.n_rows, 10.0, 1.0, &score) != DW_OK) {
        fprintf(stderr, "dw_bench_track2d: scoring failed\n");
        return 1;
    }
    dw_t2d_scenario_free(&full);
    getrusage(RUSAGE_SELF, &ru);
    double rss_mb = (double)ru.ru_maxrss / 1024.0;

    const double mps = (double)n_meas / best.loop_s;
    if (peer) {
        printf("%-22s %14s %14s %10s\n", "", "dronewall", peer, "ratio");
        printf("%-22s %14.0f %14.0f %9.0fx\n", "measurements/s", mps, peer_mps, mps / peer_mps);
        printf("%-22s %14.3f %14.3f %10.4f\n", "mean GOSPA (lower wins)", score.gospa_mean, peer_gospa,
               score.gospa_mean / peer_gospa);
        printf("%-22s %14.3f %14.3f\n", "RMSE / bound", score.rmse_over_pcrlb, peer_ratio);
        printf("%-22s %14.3f\n", "scan p95 ms", p95);
        printf("%-22s %14.1f\n", "peak RSS MB", rss_mb);
    }
    printf("{\"scenario\":\"%s\",\"n_targets\":%d,\"n_measurements\":%zu,\"loop_s\":%.6f,"
           "\"meas_per_s\":%.0f,\"scan_ms_p95\":%.4f,\"peak_rss_mb\":%.1f,"
           "\"peak_rss_tracking_mb\":%.1f,\"tracks_initiated\":%llu,\"tracks_confirmed\":%llu,"
           "\"max_cluster\":%llu,",
           scen, n_targets, n_meas, best.loop_s, (double)n_meas / best.loop_s, p95, rss_mb,
           rss_track_mb, (unsigned long long)best.stats.initiated,
           (unsigned long long)best.stats.confirmed, (unsigned long long)best.stats.max_cluster);
    /* The score's own object, spliced in so every figure is a top-level key. */
    char *sj = NULL;
    size_t sj_len = 0;
    FILE *mf = open_memstream(&sj, &sj_len);
    if (!mf)
        return 1;
    dw_t2d_score_print_json(mf, &score);
    fclose(mf);
    const char *body = strchr(sj, '{');
    if (peer)
        printf("\"peer\":\"%s\",\"peer_meas_per_s\":%.0f,\"speedup_vs_peer\":%.1f,"
               "\"peer_gospa_mean\":%.3f,\"gospa_over_peer\":%.5f,",
               peer, peer_mps, mps / peer_mps, peer_gospa, score.gospa_mean / peer_gospa);
    printf("%s\n", body ? body + 1 : "}");
    free(sj);
    free(best.rows);
    free(best.scan_ms);
    return 0;
}

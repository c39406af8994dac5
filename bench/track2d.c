/* dw_bench_track2d — tracker v1 on the track2d benchmark (bench/track2d in
 * the shared data; the model is described in its README).
 *
 *   dw_bench_track2d --scenario S.csv [--tracks-out T.csv] [--repeat K]
 *                    [--assoc gnn|jpda|both]
 *
 * Reads only the scenario's measurement rows into memory, runs the tracker
 * single-threaded scan by scan (that loop alone is timed), writes the
 * confirmed tracks of every scan as a dronewall-trk-1 file, then scores them
 * against the truth rows and prints one JSON object as its last line.
 * With --assoc both the tracker runs twice, GNN then JPDA: the figures of
 * GNN stay the top-level keys (as with GNN alone) and JPDA's are added as
 * jpda_*; the tracks written are GNN's. With --assoc jpda the one run is
 * JPDA's. JPDA is told the scenario's own detection probability and clutter
 * density (as the filter is told its q and R) unless --jpda-pd and
 * --jpda-clutter say otherwise.
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
            "  --assoc A          gnn (default), jpda, or both: GNN, then JPDA beside it\n"
            "  --jpda-pd P        JPDA's detection probability (default: the scenario's pd)\n"
            "  --jpda-clutter D   JPDA's clutter density per unit area; 0: estimated per\n"
            "                     cluster (default: the scenario's clutter_density)\n"
            "  --jpda-used U      a measurement whose association chances sum to U starts\n"
            "                     no track (default 0.5)\n"
            "  --jpda-hit H       a track whose measurements are its own with chance H\n"
            "                     counts a hit (default 0.5)\n"
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
    enum { A_GNN = 1, A_JPDA = 2, A_BOTH = 3 } assoc = A_GNN;
    double jpda_pd = NAN, jpda_clutter = NAN, jpda_used = 0.5, jpda_hit = 0.5;
    static const struct option opts[] = {
        {"scenario", required_argument, 0, 's'}, {"tracks-out", required_argument, 0, 'o'},
        {"repeat", required_argument, 0, 'r'},   {"confirm", required_argument, 0, 'c'},
        {"gate", required_argument, 0, 'g'},     {"help", no_argument, 0, 'h'},
        {"peer-name", required_argument, 0, 'P'}, {"peer-meas-per-s", required_argument, 0, 'M'},
        {"peer-gospa", required_argument, 0, 'O'}, {"peer-rmse-over-bound", required_argument, 0, 'B'},
        {"assoc", required_argument, 0, 'A'},     {"jpda-pd", required_argument, 0, 'D'},
        {"jpda-clutter", required_argument, 0, 'L'}, {"jpda-used", required_argument, 0, 'U'},
        {"jpda-hit", required_argument, 0, 'H'},
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
        case 'A':
            if (!strcmp(optarg, "gnn"))
                assoc = A_GNN;
            else if (!strcmp(optarg, "jpda"))
                assoc = A_JPDA;
            else if (!strcmp(optarg, "both"))
                assoc = A_BOTH;
            else {
                fprintf(stderr, "dw_bench_track2d: --assoc wants gnn, jpda or both\n");
                return 2;
            }
            break;
        case 'D': jpda_pd = atof(optarg); break;
        case 'L': jpda_clutter = atof(optarg); break;
        case 'U': jpda_used = atof(optarg); break;
        case 'H': jpda_hit = atof(optarg); break;
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
    dw_tracker_config jcfg = cfg;
    jcfg.assoc = DW_ASSOC_JPDA;
    jcfg.jpda_pd = isnan(jpda_pd) ? p->pd : jpda_pd;
    jcfg.jpda_clutter = isnan(jpda_clutter) ? p->clutter_density : jpda_clutter;
    jcfg.jpda_used = jpda_used;
    jcfg.jpda_hit = jpda_hit;
    if (assoc == A_JPDA)
        cfg = jcfg;

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
    /* --assoc both: JPDA's run, after GNN's. */
    run_out jbest = {0};
    if (assoc == A_BOTH) {
        jbest.scan_ms = calloc((size_t)p->n_scans, sizeof *jbest.scan_ms);
        if (!jbest.scan_ms)
            return 1;
        jbest.loop_s = INFINITY;
        for (int rep = 0; rep < repeat; rep++) {
            if (run_once(&sc, meas, &jcfg, &cur) != 0) {
                fprintf(stderr, "dw_bench_track2d: the tracker failed (JPDA)\n");
                return 1;
            }
            if (cur.loop_s < jbest.loop_s) {
                run_out tmp = jbest;
                jbest = cur;
                cur = tmp;
            }
        }
    }
    free(cur.rows);
    free(cur.scan_ms);

    if (tracks_out) {
        FILE *f;
        if (dw_t2d_tracks_writer_open(tracks_out,
                                      assoc == A_JPDA ? "dronewall tracker v1 (JPDA, grid gating)"
                                                      : "dronewall tracker v1 (GNN, grid gating)",
                                      scen, &f) != DW_OK) {
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
    dw_t2d_score score, jscore;
    if (dw_t2d_score_tracks(&full, best.rows, best.n_rows, 10.0, 1.0, &score) != DW_OK ||
        (assoc == A_BOTH &&
         dw_t2d_score_tracks(&full, jbest.rows, jbest.n_rows, 10.0, 1.0, &jscore) != DW_OK)) {
        fprintf(stderr, "dw_bench_track2d: scoring failed\n");
        return 1;
    }
    dw_t2d_scenario_free(&full);
    getrusage(RUSAGE_SELF, &ru);
    double rss_mb = (double)ru.ru_maxrss / 1024.0;

    const double mps = (double)n_meas / best.loop_s;
    if (assoc == A_BOTH) {
        const double jmps = (double)n_meas / jbest.loop_s;
        printf("%-22s %14s %14s", "", "GNN", "JPDA");
        if (peer)
            printf(" %14s", peer);
        printf("\n%-22s %14.0f %14.0f", "measurements/s", mps, jmps);
        if (peer)
            printf(" %14.0f", peer_mps);
        printf("\n%-22s %14.5f %14.5f", "mean GOSPA (lower wins)", score.gospa_mean,
               jscore.gospa_mean);
        if (peer)
            printf(" %14.3f", peer_gospa);
        printf("\n%-22s %14.3f %14.3f", "RMSE / bound", score.rmse_over_pcrlb,
               jscore.rmse_over_pcrlb);
        if (peer)
            printf(" %14.3f", peer_ratio);
        printf("\n%-22s %14.3f %14.3f\n%-22s %14.3f %14.3f\n", "missed / scan",
               score.missed_per_scan, jscore.missed_per_scan, "false / scan",
               score.false_per_scan, jscore.false_per_scan);
    } else if (peer) {
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
    if (assoc != A_GNN) {
        const run_out *jr = assoc == A_BOTH ? &jbest : &best;
        printf("\"assoc\":\"%s\",\"jpda_pd\":%g,\"jpda_clutter\":%g,\"jpda_used\":%g,"
               "\"jpda_hit\":%g,\"jpda_clusters\":%llu,\"jpda_events\":%llu,"
               "\"jpda_over_cap\":%llu,",
               assoc == A_BOTH ? "both" : "jpda", jcfg.jpda_pd, jcfg.jpda_clutter, jcfg.jpda_used,
               jcfg.jpda_hit,
               (unsigned long long)jr->stats.jpda_clusters,
               (unsigned long long)jr->stats.jpda_events,
               (unsigned long long)jr->stats.jpda_over_cap);
    }
    if (assoc == A_BOTH)
        printf("\"jpda_meas_per_s\":%.0f,\"jpda_gospa_mean\":%.17g,\"jpda_missed_per_scan\":%g,"
               "\"jpda_false_per_scan\":%g,\"jpda_rmse_over_pcrlb\":%.6g,",
               (double)n_meas / jbest.loop_s, jscore.gospa_mean, jscore.missed_per_scan,
               jscore.false_per_scan, jscore.rmse_over_pcrlb);
    printf("%s\n", body ? body + 1 : "}");
    free(sj);
    free(best.rows);
    free(best.scan_ms);
    free(jbest.rows);
    free(jbest.scan_ms);
    return 0;
}

/* dw_bench_sim — how much faster than real time a scenario is generated.
 *
 *   dw_bench_sim SCENARIO.yaml [--out DIR] [--track] [--bound X]
 *
 * Runs the scenario as `dronewall sim --no-track` does: every target's truth at its rate,
 * every sensor's reports encoded by the real encoders into raw stream files (written to
 * --out, a temporary directory by default, removed afterwards), and decoded back into
 * observations. The figure is simulated time over wall time, printed beside the bound the
 * project holds itself to (500x real time on one core for the 810-drone night), with the
 * CPU time and the peak resident memory (getrusage). --track adds the tracker and score.
 * The last line is one JSON object with the figures. Like app/, a benchmark reads the clock.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_tmp.h"
#include "dronewall/sim.h"

static double now_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    int track = 0;
    double bound = 500;
    static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                         {"track", no_argument, 0, 't'},
                                         {"bound", required_argument, 0, 'b'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (o) {
        case 'o': out = optarg; break;
        case 't': track = 1; break;
        case 'b': bound = atof(optarg); break;
        default:
            fprintf(o == 'h' ? stdout : stderr,
                    "usage: dw_bench_sim SCENARIO.yaml [--out DIR] [--track] [--bound X]\n");
            return o == 'h' ? 0 : 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: dw_bench_sim SCENARIO.yaml [--out DIR] [--track] [--bound X]\n");
        return 2;
    }
    char tmpdir[] = "/tmp/dw_bench_sim.XXXXXX";
    int own = 0;
    if (!out) {
        if (bench_tmp_make(tmpdir) != 0) {
            perror("dw_bench_sim: mkdtemp");
            return 1;
        }
        out = tmpdir;
        own = 1;
    }
    char err[1024];
    double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    dw_scenario *s = NULL;
    if (dw_scenario_load(argv[optind], 0, &s, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_sim: %s\n", err);
        return 1;
    }
    double w1 = now_s(CLOCK_MONOTONIC), c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    dw_sim_options so = {out, track, 0, 1, NULL, NULL, NULL, NULL};
    dw_sim_progress pr;
    dw_status st = dw_sim_run(s, &so, &pr, err, sizeof err);
    double w2 = now_s(CLOCK_MONOTONIC), c2 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    if (st != DW_OK) {
        fprintf(stderr, "dw_bench_sim: %s\n", err);
        dw_scenario_destroy(s);
        return 1;
    }
    size_t n_sens = 0;
    dw_sim_sensors_table(s->sensors, &n_sens);
    double sim_s = (double)(s->end_us - s->start_us) * 1e-6;
    double wall = w2 - w0, cpu = c2 - c0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rss_mb = (double)ru.ru_maxrss / 1024.0;
    printf("scenario %s: %zu targets, %zu reporting sensors, %.2f h simulated%s\n", s->name,
           dw_sim_world_count(s->world), n_sens, sim_s / 3600, track ? " (with tracking)" : "");
    printf("load %.2f s, run %.2f s wall (%.2f s CPU); %llu truth records, %llu observations "
           "encoded and decoded, %.1f MB of sensor streams\n",
           w1 - w0, w2 - w1, c2 - c1, (unsigned long long)pr.truth_written,
           (unsigned long long)pr.obs_decoded, (double)pr.bytes_encoded / 1e6);
    printf("speed-up: %.0fx real time (wall), %.0fx (CPU); bound %.0fx: %s; peak RSS %.1f MB\n",
           sim_s / wall, sim_s / cpu, bound, sim_s / wall >= bound ? "met" : "NOT met", rss_mb);
    printf("{\"bench\":\"sim\",\"scenario\":\"%s\",\"targets\":%zu,\"sensors\":%zu,"
           "\"simulated_s\":%.0f,\"wall_s\":%.3f,\"cpu_s\":%.3f,\"speedup_wall\":%.1f,"
           "\"speedup_cpu\":%.1f,\"bound\":%.0f,\"obs\":%llu,\"truth\":%llu,\"stream_bytes\":%llu,"
           "\"encode_errors\":%llu,\"peak_rss_mb\":%.1f}\n",
           s->name, dw_sim_world_count(s->world), n_sens, sim_s, wall, cpu, sim_s / wall,
           sim_s / cpu, bound, (unsigned long long)pr.obs_decoded,
           (unsigned long long)pr.truth_written, (unsigned long long)pr.bytes_encoded,
           (unsigned long long)pr.encode_errors, rss_mb);
    dw_scenario_destroy(s);
    if (own)
        bench_tmp_remove("dw_bench_sim", tmpdir);
    return 0;
}

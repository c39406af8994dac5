/* dw_bench_fuse — how much faster than real time the track stage fuses a night's observations.
 *
 *   dw_bench_fuse SCENARIO.yaml [--obs-dir DIR] [--bound X] [--report S]
 *
 * The fusion side of the scale night. The scenario is first simulated without tracking (as
 * `dronewall sim --no-track` does: every sensor's reports encoded by the real encoders and
 * decoded back) into a temporary directory, or into --obs-dir, which is kept and reused when
 * it already holds a run (obs.ndjson and sensors.json). Then DIR/sensors.json is loaded and
 * every observation of DIR/obs.ndjson, read by the NDJSON reader, goes to one dw_pipeline
 * (default settings, the picture reported every --report seconds, 5 by default), each
 * dw_pipeline_obs call timed on its own with the monotonic clock. Reading and parsing the
 * file is not counted; the pipeline's calls and its final flush are.
 *
 * Printed: the observations (by kind, and what the pipeline used), the tracks confirmed, the
 * total fuse time, the speed-up over real time (the scenario's duration over the fuse time)
 * beside the bound the project holds itself to (20x real time on one core for the 810-drone
 * night, scenarios/ua-2025-09-07.yaml), the latency of one dw_pipeline_obs call (p50, p99,
 * max, in µs; most calls only queue a measurement, the one that closes a batch runs the
 * tracker on it) and the peak resident memory of the fusing process. The simulation runs in
 * a child process so that its memory is not counted. The last line is one JSON object with
 * the figures. Like app/, a benchmark reads the clock.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dronewall/ndjson.h"
#include "dronewall/pipeline.h"
#include "dronewall/sensors_file.h"
#include "bench_tmp.h"
#include "dronewall/sim.h"

static double now_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Latencies in a log histogram: 200 buckets a decade from 1 ns (1.2 % wide), so a night of
 * tens of millions of calls costs no memory; the quantiles are bucket midpoints. */
#define LAT_PER_DECADE 200
#define LAT_BUCKETS (LAT_PER_DECADE * 11)
typedef struct lat_hist {
    uint64_t n[LAT_BUCKETS];
    uint64_t count;
    int64_t max_ns;
    double sum_ns;
} lat_hist;

static void lat_add(lat_hist *h, int64_t ns)
{
    int b = ns > 1 ? (int)(log10((double)ns) * LAT_PER_DECADE) : 0;
    if (b >= LAT_BUCKETS)
        b = LAT_BUCKETS - 1;
    h->n[b]++;
    h->count++;
    h->sum_ns += (double)ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

static double lat_quantile_us(const lat_hist *h, double q)
{
    if (!h->count)
        return 0;
    uint64_t want = (uint64_t)ceil(q * (double)h->count), seen = 0;
    if (want < 1)
        want = 1;
    for (int b = 0; b < LAT_BUCKETS; b++) {
        seen += h->n[b];
        if (seen >= want)
            return pow(10.0, (b + 0.5) / LAT_PER_DECADE) * 1e-3;
    }
    return (double)h->max_ns * 1e-3;
}

typedef struct sink_counts {
    uint64_t reports, instants, dead;
} sink_counts;

static dw_status on_report(void *ctx, const dw_track *t)
{
    (void)t;
    ((sink_counts *)ctx)->reports++;
    return DW_OK;
}

static dw_status on_done(void *ctx, int64_t t_us)
{
    (void)t_us;
    ((sink_counts *)ctx)->instants++;
    return DW_OK;
}

static dw_status on_dead(void *ctx, const dw_track *t)
{
    (void)t;
    ((sink_counts *)ctx)->dead++;
    return DW_OK;
}

/* What the child tells the parent about the scenario. */
typedef struct scen_info {
    int ok;
    char name[64];
    int64_t start_us, end_us;
    size_t targets;
    double sim_wall_s;
    int simulated;              /* 0: the directory already held a run */
    dw_pipeline_config tracker; /* the scenario's tracker settings */
    char err[512];
} scen_info;

static int file_exists(const char *dir, const char *name)
{
    char p[1200];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* In the child: load the scenario, simulate it into dir unless dir holds a run already. */
static void child(const char *scenario, const char *dir, int fd)
{
    scen_info in;
    memset(&in, 0, sizeof in);
    dw_scenario *s = NULL;
    double w0 = now_s(CLOCK_MONOTONIC);
    if (dw_scenario_load(scenario, 0, &s, in.err, sizeof in.err) == DW_OK) {
        snprintf(in.name, sizeof in.name, "%s", s->name);
        in.start_us = s->start_us;
        in.end_us = s->end_us;
        in.targets = dw_sim_world_count(s->world);
        in.tracker = s->tracker;
        in.ok = 1;
        if (!file_exists(dir, "obs.ndjson") || !file_exists(dir, "sensors.json")) {
            dw_sim_options so = {dir, 0, 0, 1, NULL, NULL, NULL, NULL};
            dw_sim_progress pr;
            in.simulated = 1;
            if (dw_sim_run(s, &so, &pr, in.err, sizeof in.err) != DW_OK)
                in.ok = 0;
        }
        dw_scenario_destroy(s);
    }
    in.sim_wall_s = now_s(CLOCK_MONOTONIC) - w0;
    ssize_t w = write(fd, &in, sizeof in);
    _exit(w == (ssize_t)sizeof in && in.ok ? 0 : 1);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: dw_bench_fuse SCENARIO.yaml [--obs-dir DIR] [--bound X] [--report S]\n"
               "  --obs-dir DIR  simulate into DIR and keep it; reuse it if it holds a run\n"
               "  --bound X      the speed-up to meet, x real time (default 20)\n"
               "  --report S     the pipeline's report period, s (default 5)\n"
               "The last line printed is one JSON object with the figures.\n");
}

int main(int argc, char **argv)
{
    const char *obs_dir = NULL;
    double bound = 20, report_s = 5;
    static const struct option opts[] = {{"obs-dir", required_argument, 0, 'o'},
                                         {"bound", required_argument, 0, 'b'},
                                         {"report", required_argument, 0, 'r'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (o) {
        case 'o': obs_dir = optarg; break;
        case 'b': bound = atof(optarg); break;
        case 'r': report_s = atof(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc || !(report_s > 0)) {
        usage(stderr);
        return 2;
    }
    char tmpdir[] = "/tmp/dw_bench_fuse.XXXXXX";
    const char *dir = obs_dir;
    int own = 0;
    if (!dir) {
        if (bench_tmp_make(tmpdir) != 0) {
            perror("dw_bench_fuse: mkdtemp");
            return 1;
        }
        dir = tmpdir;
        own = 1;
    }
    int rc = 1;
    dw_sensor *sensors = NULL;
    size_t n_sensors = 0;
    FILE *f = NULL;
    dw_ndjson_reader *rd = NULL;
    dw_pipeline *pl = NULL;
    char err[1024];

    /* The simulation, in a child. */
    int fds[2];
    if (pipe(fds) != 0) {
        perror("dw_bench_fuse: pipe");
        goto out;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("dw_bench_fuse: fork");
        goto out;
    }
    if (pid == 0) {
        close(fds[0]);
        child(argv[optind], dir, fds[1]);
    }
    close(fds[1]);
    scen_info si;
    memset(&si, 0, sizeof si);
    ssize_t got = read(fds[0], &si, sizeof si);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != (ssize_t)sizeof si || !si.ok) {
        fprintf(stderr, "dw_bench_fuse: %s\n", got == (ssize_t)sizeof si ? si.err
                                                                           : "the simulation died");
        goto out;
    }
    struct rusage ru_child;
    getrusage(RUSAGE_CHILDREN, &ru_child);

    char path[1200];
    snprintf(path, sizeof path, "%s/sensors.json", dir);
    if (dw_sensors_load(path, &sensors, &n_sensors, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_fuse: %s\n", err);
        goto out;
    }
    snprintf(path, sizeof path, "%s/obs.ndjson", dir);
    if (!(f = fopen(path, "r"))) {
        perror(path);
        goto out;
    }
    if (dw_ndjson_reader_create(f, path, &rd) != DW_OK) {
        fprintf(stderr, "dw_bench_fuse: no reader\n");
        goto out;
    }
    dw_pipeline_config cfg = si.tracker;   /* as the simulator tracks this scenario */
    cfg.report_us = (int64_t)llround(report_s * 1e6);
    sink_counts sc = {0, 0, 0};
    dw_pipeline_sink sink = {on_report, on_done, on_dead, &sc, NULL};
    if (dw_pipeline_create(sensors, n_sensors, &cfg, &sink, &pl, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_fuse: %s\n", err);
        goto out;
    }

    static lat_hist lat;
    uint64_t by_kind[DW_OBS_NKINDS] = {0};
    int64_t fuse_ns = 0;
    double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    dw_record rec;
    dw_status st;
    while ((st = dw_ndjson_next(rd, &rec)) == DW_OK) {
        if (rec.type != DW_REC_OBS)
            continue;
        by_kind[rec.u.obs.kind]++;
        int64_t a = now_ns();
        dw_status ps = dw_pipeline_obs(pl, &rec.u.obs);
        int64_t b = now_ns();
        fuse_ns += b - a;
        lat_add(&lat, b - a);
        if (ps != DW_OK) {
            fprintf(stderr, "dw_bench_fuse: pipeline: %s\n", dw_status_str(ps));
            goto out;
        }
    }
    if (st != DW_ERR_EOF) {
        fprintf(stderr, "dw_bench_fuse: reading %s: %s\n", path, dw_status_str(st));
        goto out;
    }
    int64_t a = now_ns();
    if ((st = dw_pipeline_finish(pl, si.end_us)) != DW_OK) {
        fprintf(stderr, "dw_bench_fuse: pipeline: %s\n", dw_status_str(st));
        goto out;
    }
    int64_t finish_ns = now_ns() - a;
    fuse_ns += finish_ns;
    double loop_wall = now_s(CLOCK_MONOTONIC) - w0, loop_cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;

    dw_pipeline_stats ps;
    dw_pipeline_get_stats(pl, &ps);
    dw_ndjson_stats ns;
    dw_ndjson_get_stats(rd, &ns);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const double rss_mb = (double)ru.ru_maxrss / 1024.0;
    const double sim_s = (double)(si.end_us - si.start_us) * 1e-6, fuse_s = (double)fuse_ns * 1e-9;
    const double speedup = sim_s / fuse_s;
    const double p50 = lat_quantile_us(&lat, 0.5), p99 = lat_quantile_us(&lat, 0.99),
                 pmax = (double)lat.max_ns * 1e-3;

    printf("scenario %s: %zu targets, %zu sensors, %.2f h\n", si.name, si.targets, n_sensors,
           sim_s / 3600);
    if (si.simulated)
        printf("observations simulated into %s without tracking: %.1f s, peak RSS %.1f MB "
               "(not counted below)\n",
               dir, si.sim_wall_s, (double)ru_child.ru_maxrss / 1024.0);
    else
        printf("observations reused from %s\n", dir);
    printf("observations %" PRIu64 " (", ps.obs);
    for (int k = 0; k < DW_OBS_NKINDS; k++)
        printf("%s%s %" PRIu64, k ? ", " : "", dw_obs_kind_name((dw_obs_kind)k), by_kind[k]);
    printf("), bad lines %" PRIu64 "\n", ns.bad);
    printf("used %" PRIu64 " (", ps.used);
    for (int k = 0; k < DW_OBS_NKINDS; k++)
        printf("%s%s %" PRIu64, k ? ", " : "", dw_obs_kind_name((dw_obs_kind)k), ps.used_kind[k]);
    printf("); unsupported %" PRIu64 ", unknown sensor %" PRIu64 ", late %" PRIu64 "\n",
           ps.unsupported, ps.unknown_sensor, ps.late);
    printf("tracks: %" PRIu64 " started, %" PRIu64 " confirmed, %" PRIu64 " deleted; %" PRIu64
           " batches, %" PRIu64 " updates; %" PRIu64 " reports at %" PRIu64 " instants\n",
           ps.tracker.initiated, ps.tracker.confirmed, ps.tracker.deleted, ps.tracker.batches,
           ps.tracker.updates, ps.reports, ps.report_instants);
    printf("fuse %.2f s (finish %.3f s; with reading and parsing %.2f s wall, %.2f s CPU)\n",
           fuse_s, (double)finish_ns * 1e-9, loop_wall, loop_cpu);
    printf("speed-up: %.1fx real time; bound %.0fx: %s\n", speedup, bound,
           speedup >= bound ? "met" : "NOT met");
    printf("latency per dw_pipeline_obs: p50 %.2f us, p99 %.2f us, max %.0f us, mean %.2f us; "
           "peak RSS %.1f MB\n",
           p50, p99, pmax, lat.count ? lat.sum_ns / (double)lat.count * 1e-3 : 0.0, rss_mb);
    printf("{\"bench\":\"fuse\",\"scenario\":\"%s\",\"targets\":%zu,\"sensors\":%zu,"
           "\"simulated_s\":%.0f,\"obs\":%" PRIu64 ",\"used\":%" PRIu64 ",\"used_polar\":%" PRIu64
           ",\"used_pos3\":%" PRIu64 ",\"used_bearing\":%" PRIu64 ",\"used_pos2\":%" PRIu64
           ",\"used_cell\":%" PRIu64 ",\"tracks_started\":%" PRIu64 ",\"tracks_confirmed\":%" PRIu64
           ",\"fuse_s\":%.3f,\"speedup\":%.1f,\"bound\":%.0f,\"lat_p50_us\":%.3f,"
           "\"lat_p99_us\":%.3f,\"lat_max_us\":%.0f,\"peak_rss_mb\":%.1f}\n",
           si.name, si.targets, n_sensors, sim_s, ps.obs, ps.used, ps.used_kind[DW_OBS_POLAR],
           ps.used_kind[DW_OBS_POS3], ps.used_kind[DW_OBS_BEARING], ps.used_kind[DW_OBS_POS2],
           ps.used_kind[DW_OBS_CELL], ps.tracker.initiated, ps.tracker.confirmed, fuse_s, speedup,
           bound, p50, p99, pmax, rss_mb);
    rc = 0;
out:
    dw_pipeline_destroy(pl);
    dw_ndjson_reader_destroy(rd);
    if (f)
        fclose(f);
    free(sensors);
    if (own)
        bench_tmp_remove("dw_bench_fuse", tmpdir);
    return rc;
}

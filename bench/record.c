/* dw_bench_record — the recording's cost to the event loop, and how fast its writer keeps up.
 *
 *   dw_bench_record [--rows N] [--tracks T] [--seconds S] [--dir DIR] [--keep]
 *
 * Burst: N output rows (default 1,000,000) of a ~250-byte track NDJSON line, T tracks
 * (default 1,000) at each report instant, put as fast as the loop can: each put timed
 * alone (that is what the event loop pays), then dw_recorder_sync. The queue limit is
 * raised to 1 GiB for this part so that the burst is measured, not refused (the
 * queue's peak is printed). Printed: puts/s inside the put calls, p50/p99/max of one
 * put in µs; the writer's sustained rows/s and MB/s from the first put to the sync;
 * commit p50/p99/max; the file's size; then three queries on the file the map makes:
 * the picture at an instant, a track's history over the whole file (thinned to 500
 * points), the alerts at an instant.
 *
 * Load: the bound the daemon needs, with the default configuration: for S seconds
 * (default 10), 50,000 observation lines (~200 bytes) a second into `input`, spread
 * over each millisecond, and T track rows a second into `output`, all at each whole
 * second (a report instant). Printed: put p99/max under that load, rows refused (must
 * be 0), the writer's rows/s against the rows/s put, the queue's peak, commit p50/p99/max.
 *
 * Then the process's peak RSS. The last line is one JSON object with the figures. Files
 * go to a fresh directory under DIR (default /tmp), removed afterwards unless --keep.
 * Like app/, a benchmark reads the clock.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "bench_tmp.h"
#include "dronewall/record.h"

#define T0_US 1757451000000000LL

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* p50, p99, max of n durations (µs), sorted in place. */
static void pct(float *v, size_t n, double *p50, double *p99, double *max)
{
    qsort(v, n, sizeof v[0], cmp_float);
    *p50 = v[(n - 1) / 2];
    *p99 = v[(size_t)((double)(n - 1) * 0.99)];
    *max = v[n - 1];
}

/* The baseline: the same loop timing a copy of the body in place of the put, so that
 * the machine's own jitter (preemption on a loaded machine) is told apart. */
static unsigned char sink_buf[1024];
static unsigned char *volatile sink = sink_buf;

static double copy_us(const char *line, int len)
{
    double a = now_s();
    memcpy(sink, line, (size_t)len);
    return (now_s() - a) * 1e6;
}

static size_t over(const float *v, size_t n, float us)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += v[i] > us;
    return k;
}

static int track_line(char *b, size_t cap, int64_t t_us, uint64_t id)
{
    double f = (double)(id % 997) / 997.0;
    return snprintf(b, cap,
                    "{\"v\":1,\"type\":\"track\",\"t_us\":%" PRId64 ",\"id\":%" PRIu64
                    ",\"status\":\"confirmed\",\"lat_deg\":%.7f,\"lon_deg\":%.7f,\"alt_m\":%.1f,"
                    "\"vel_enu_mps\":[%.3f,%.3f,0.000],\"class\":\"owa_drone\","
                    "\"affiliation\":\"pending\",\"sensors\":[\"PL-RAD-01\",\"AC-0412\"]}",
                    t_us, id, 50.1 + 3.2 * f + (double)(t_us % 1000) * 1e-7, 19.5 + 4.4 * f,
                    300.0 + 1500.0 * f, -41.0 + 30.0 * f, 3.2 - 8.0 * f);
}

static int obs_line(char *b, size_t cap, int64_t t_us, uint64_t i)
{
    return snprintf(b, cap,
                    "{\"v\":1,\"type\":\"obs\",\"t_us\":%" PRId64 ",\"sensor\":\"AC-%04" PRIu64
                    "\",\"kind\":\"bearing\",\"az_deg\":%.3f,\"sigma_az_deg\":2.000,"
                    "\"snr_db\":%.1f,\"class_hint\":\"owa_drone\",\"p\":0.62}",
                    t_us, i % 10000, (double)(i % 36000) / 100.0, 10.0 + (double)(i % 200) / 10.0);
}

static int count_row(void *ctx, int64_t seq, int kind, int64_t t_us, uint64_t track,
                     const void *body, size_t len)
{
    (void)seq, (void)kind, (void)t_us, (void)track, (void)body, (void)len;
    (*(size_t *)ctx)++;
    return 0;
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: dw_bench_record [--rows N] [--tracks T] [--seconds S] [--dir DIR] [--keep]\n");
}

int main(int argc, char **argv)
{
    size_t n_rows = 1000000, n_tracks = 1000;
    double seconds = 10;
    const char *base = "/tmp";
    int keep = 0;
    static const struct option opts[] = {{"rows", required_argument, 0, 'n'},
                                         {"tracks", required_argument, 0, 't'},
                                         {"seconds", required_argument, 0, 's'},
                                         {"dir", required_argument, 0, 'd'},
                                         {"keep", no_argument, 0, 'k'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "n:t:s:d:kh", opts, NULL)) != -1) {
        switch (o) {
        case 'n': n_rows = (size_t)strtoull(optarg, NULL, 10); break;
        case 't': n_tracks = (size_t)strtoull(optarg, NULL, 10); break;
        case 's': seconds = atof(optarg); break;
        case 'd': base = optarg; break;
        case 'k': keep = 1; break;
        default:
            usage(o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (optind != argc || n_rows < 1000 || n_tracks == 0 || !(seconds >= 1)) {
        usage(stderr);
        return 2;
    }
    char dir[512], path[600], path2[600], wal[620], err[700];
    snprintf(dir, sizeof dir, "%s/dw_bench_record.XXXXXX", base);
    if (bench_tmp_make(dir) != 0) {
        fprintf(stderr, "dw_bench_record: cannot make a directory under %s\n", base);
        return 1;
    }
    snprintf(path, sizeof path, "%s/burst.db", dir);
    snprintf(path2, sizeof path2, "%s/load.db", dir);
    int rc = 1;
    float *dt = malloc(n_rows * sizeof *dt), *bl = malloc(n_rows * sizeof *bl);
    if (!dt || !bl)
        goto out;
    char line[512];
    for (size_t i = 0; i < n_rows; i++) {
        int64_t t_us = T0_US + (int64_t)(i / n_tracks) * 1000000;
        bl[i] = (float)copy_us(line, track_line(line, sizeof line, t_us, 1 + i % n_tracks));
    }
    double bl_p50, bl_p99, bl_max;
    size_t bl_over = over(bl, n_rows, 100);
    pct(bl, n_rows, &bl_p50, &bl_p99, &bl_max);

    /* ---- burst ---- */
    dw_recorder_config c;
    dw_recorder_config_default(&c);
    c.max_queue_bytes = (size_t)1 << 30;
    dw_recorder *r = NULL;
    if (dw_recorder_open(path, &c, "{\"bench\":\"record\"}", &r, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_record: %s\n", err);
        goto out;
    }
    double put_total = 0, body_total = 0;
    double t_start = now_s();
    for (size_t i = 0; i < n_rows; i++) {
        int64_t t_us = T0_US + (int64_t)(i / n_tracks) * 1000000;
        uint64_t id = 1 + i % n_tracks;
        int len = track_line(line, sizeof line, t_us, id);
        body_total += len;
        double a = now_s();
        dw_status st = dw_recorder_output(r, DW_REC_OUT_TRACK, t_us, id, line, (size_t)len);
        double b = now_s();
        if (st != DW_OK) {
            fprintf(stderr, "dw_bench_record: put refused: %s\n", dw_status_str(st));
            dw_recorder_close(r);
            goto out;
        }
        dt[i] = (float)((b - a) * 1e6);
        put_total += b - a;
    }
    double t_puts = now_s();
    dw_recorder_sync(r);
    double t_synced = now_s();
    dw_recorder_stats bs;
    dw_recorder_get_stats(r, &bs);
    if (dw_recorder_close(r) != DW_OK) {
        fprintf(stderr, "dw_bench_record: %s\n", bs.error);
        goto out;
    }
    snprintf(wal, sizeof wal, "%s-wal", path);
    long long burst_file = file_size(path) + file_size(wal);
    double put_p50, put_p99, put_max;
    size_t put_over = over(dt, n_rows, 100);
    pct(dt, n_rows, &put_p50, &put_p99, &put_max);
    double puts_per_s = (double)n_rows / put_total;
    double writer_rows_s = (double)bs.written / (t_synced - t_start);
    double writer_mb_s = (double)bs.bytes_written / 1e6 / (t_synced - t_start);

    /* the map's queries on the burst file */
    dw_recording *d = NULL;
    if (dw_recording_open(path, &d, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_record: %s\n", err);
        goto out;
    }
    int64_t span = (int64_t)((n_rows - 1) / n_tracks) * 1000000;
    size_t n_pic = 0, n_hist = 0, n_al = 0;
    double q0 = now_s();
    dw_recording_tracks_at(d, 0, T0_US + span / 2 + 500000, count_row, &n_pic);
    double q1 = now_s();
    dw_recording_track_history(d, 0, 17, T0_US, T0_US + span, 500, count_row, &n_hist);
    double q2 = now_s();
    dw_recording_alerts_at(d, 0, T0_US + span, 60000000, count_row, &n_al);
    double q3 = now_s();
    dw_recording_close(d);

    /* ---- the daemon's load ---- */
    dw_recorder_config_default(&c);
    r = NULL;
    if (dw_recorder_open(path2, &c, "{\"bench\":\"record-load\"}", &r, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_record: %s\n", err);
        goto out;
    }
    size_t n_ms = (size_t)(seconds * 1000);
    size_t n_load = n_ms * 50 + (size_t)seconds * n_tracks + n_tracks;
    float *ld = malloc(n_load * sizeof *ld), *lb = malloc(n_load * sizeof *lb);
    if (!ld || !lb) {
        free(ld);
        free(lb);
        dw_recorder_close(r);
        goto out;
    }
    size_t k = 0, refused = 0;
    uint64_t obs_i = 0;
    struct timespec tick;
    clock_gettime(CLOCK_MONOTONIC, &tick);
    double l_start = now_s();
    for (size_t ms = 0; ms < n_ms; ms++) {
        int64_t t_us = T0_US + (int64_t)ms * 1000;
        if (ms % 1000 == 0) {
            for (size_t j = 0; j < n_tracks && k < n_load; j++) {
                int len = track_line(line, sizeof line, t_us, 1 + j);
                double a = now_s();
                dw_status st = dw_recorder_output(r, DW_REC_OUT_TRACK, t_us, 1 + j, line, (size_t)len);
                ld[k] = (float)((now_s() - a) * 1e6);
                lb[k++] = (float)copy_us(line, len);
                refused += st != DW_OK;
            }
        }
        for (int j = 0; j < 50 && k < n_load; j++) {
            int len = obs_line(line, sizeof line, t_us, obs_i++);
            double a = now_s();
            dw_status st = dw_recorder_input(r, DW_REC_IN_OBS, t_us, line, (size_t)len);
            ld[k] = (float)((now_s() - a) * 1e6);
            lb[k++] = (float)copy_us(line, len);
            refused += st != DW_OK;
        }
        tick.tv_nsec += 1000000;
        if (tick.tv_nsec >= 1000000000L) {
            tick.tv_sec++;
            tick.tv_nsec -= 1000000000L;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL);
    }
    double l_puts = now_s();
    dw_recorder_stats ls;
    dw_recorder_get_stats(r, &ls);        /* before the sync: what the writer kept up with */
    double backlog_ms = 0;
    dw_recorder_sync(r);
    backlog_ms = (now_s() - l_puts) * 1e3;
    dw_recorder_stats ls2;
    dw_recorder_get_stats(r, &ls2);
    dw_recorder_close(r);
    double l_p50, l_p99, l_max, lb_p50, lb_p99, lb_max;
    size_t l_over = over(ld, k, 100), lb_over = over(lb, k, 100);
    pct(ld, k, &l_p50, &l_p99, &l_max);
    pct(lb, k, &lb_p50, &lb_p99, &lb_max);
    double load_rate = (double)k / (l_puts - l_start);
    free(ld);
    free(lb);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);

    printf("burst: %zu track rows of %.0f bytes (%zu tracks a report instant), queue limit 1 GiB\n",
           n_rows, body_total / (double)n_rows, n_tracks);
    printf("loop thread: %.0f puts/s inside the put calls (%.0f/s with the JSON formatting), one "
           "put p50 %.2f us, p99 %.2f us, max %.1f us\n",
           puts_per_s, (double)n_rows / (t_puts - t_start), put_p50, put_p99, put_max);
    printf("loop thread: %zu puts over 100 us; baseline, a memcpy of the body timed in the same "
           "loop: p50 %.2f us, p99 %.2f us, max %.1f us, %zu over 100 us\n",
           put_over, bl_p50, bl_p99, bl_max, bl_over);
    printf("writer: %.0f rows/s, %.1f MB/s of bodies sustained (first put to sync, %.2f s), %" PRIu64
           " transactions\n",
           writer_rows_s, writer_mb_s, t_synced - t_start, bs.batches);
    printf("commit (one transaction): p50 %.1f ms, p99 %.1f ms, max %.1f ms; queue peak %.1f MB\n",
           bs.commit_ms_p50, bs.commit_ms_p99, bs.commit_ms_max, (double)bs.queue_bytes_peak / 1e6);
    printf("file: %.1f MB for %zu rows (%.0f bytes a row)\n", (double)burst_file / 1e6, n_rows,
           (double)burst_file / (double)n_rows);
    printf("queries: tracks_at %.1f ms (%zu tracks); track_history over %" PRId64 " s %.1f ms "
           "(%zu points of %zu); alerts_at %.1f ms\n",
           (q1 - q0) * 1e3, n_pic, span / 1000000, (q2 - q1) * 1e3, n_hist, n_rows / n_tracks,
           (q3 - q2) * 1e3);
    printf("load: %.0f s of 50,000 obs/s in + %zu track rows/s out = %.0f puts/s; one put p50 %.2f "
           "us, p99 %.2f us, max %.1f us; %zu refused\n",
           seconds, n_tracks, load_rate, l_p50, l_p99, l_max, refused);
    printf("load: %zu puts over 100 us; baseline, a memcpy timed right after each put: p99 %.2f us, "
           "max %.1f us, %zu over 100 us\n",
           l_over, lb_p99, lb_max, lb_over);
    printf("load: writer committed %.0f rows/s while %.0f were put (%.1f MB/s); queue peak %.1f MB; "
           "commit p50 %.1f ms, p99 %.1f ms, max %.1f ms; the rest committed %.0f ms after the last "
           "put\n",
           (double)ls.written / (l_puts - l_start), load_rate,
           (double)ls.bytes_written / 1e6 / (l_puts - l_start), (double)ls2.queue_bytes_peak / 1e6,
           ls2.commit_ms_p50, ls2.commit_ms_p99, ls2.commit_ms_max, backlog_ms);
    printf("bound: the daemon needs %.0f rows/s; the writer sustained %.0f (%.1f x) in the burst\n",
           50000.0 + (double)n_tracks, writer_rows_s, writer_rows_s / (50000.0 + (double)n_tracks));
    printf("peak RSS: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    printf("{\"bench\":\"record\",\"rows\":%zu,\"puts_per_s\":%.0f,\"put_us_p50\":%.3f,"
           "\"put_us_p99\":%.3f,\"put_us_max\":%.1f,\"writer_rows_per_s\":%.0f,"
           "\"writer_mb_per_s\":%.1f,\"commit_ms_p50\":%.2f,\"commit_ms_p99\":%.2f,"
           "\"file_bytes\":%lld,\"tracks_at_ms\":%.2f,\"history_ms\":%.2f,"
           "\"baseline_us_max\":%.1f,\"load_put_us_p99\":%.3f,\"load_put_us_max\":%.1f,"
           "\"load_baseline_us_max\":%.1f,\"load_refused\":%zu,"
           "\"load_commit_ms_p99\":%.2f,\"bound_rows_per_s\":%.0f,\"peak_rss_mb\":%.1f}\n",
           n_rows, puts_per_s, put_p50, put_p99, put_max, writer_rows_s, writer_mb_s,
           bs.commit_ms_p50, bs.commit_ms_p99, burst_file, (q1 - q0) * 1e3, (q2 - q1) * 1e3,
           bl_max, l_p99, l_max, lb_max, refused, ls2.commit_ms_p99, 50000.0 + (double)n_tracks,
           (double)ru.ru_maxrss / 1024.0);
    rc = 0;
out:
    free(dt);
    free(bl);
    if (keep)
        fprintf(stderr, "dw_bench_record: files kept in %s\n", dir);
    else
        bench_tmp_remove("dw_bench_record", dir);
    return rc;
}

/* dw_bench_assess — the assessment's cost per track update, 1,000 tracks over Poland.
 *
 *   dw_bench_assess [--geo DIR] [--tracks N] [--seconds S] [--period P] [--bound X]
 *
 * Loads the geography as the engine uses it (data/geo/countries.geojson,
 * data/geo/regions.geojson, scenarios/geo/pl-protected.geojson under DIR, default "."),
 * places N tracks (default 1,000) uniformly over Poland with random courses: 70 %
 * drones (45 m/s at 2 km, small radar echo), 20 % airliners (ADS-B, 230 m/s at 11 km),
 * 10 % bird flocks (15 m/s at 800 m), each reported every P s (default 4) for S s of
 * scenario time (default 600), every report through dw_assess_track (classify, facts,
 * prediction over the configured horizon, 1,800 s by default, reach, score, alerts). The
 * first minute is a warm-up (class evidence, alert book, pools) and is not timed.
 * Printed: updates per second and µs per update of the whole engine; beside it,
 * measured in the same run, the peer part alone (dw_threat_eval + dw_threat_score on
 * the same reports) and the bound the picture asks for (N tracks at one report a
 * second: N updates/s, so the ratio is how many such
 * pictures one core keeps up with); the heap's growth over the timed part (0: nothing
 * allocated per update); the alerts raised. The last line is one JSON object with the
 * figures. Like app/, a benchmark reads the clock.
 */
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dronewall/assess.h"
#include "dronewall/geog.h"
#include "dronewall/sensor.h"
#include "dronewall/threat.h"

#define T0_US 1757451000000000LL

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

typedef struct obj {
    double lat, lon, alt, ve, vn;
    int kind;                           /* 0 drone, 1 airliner, 2 birds               */
    dw_class_hints h;
} obj;

static uint64_t n_alerts;
static void on_alert(void *ctx, const dw_alert *a)
{
    (void)ctx;
    if (a->state == DW_ALERT_RAISED)
        n_alerts++;
}

static void step(obj *o, double dt)
{
    double kx = 111320.0 * cos(o->lat * M_PI / 180), ky = 111132.0;
    o->lat += o->vn * dt / ky;
    o->lon += o->ve * dt / kx;
}

static void report(const obj *o, uint64_t id, int64_t t_us, dw_track *t)
{
    dw_track_init(t);
    t->id = id;
    t->t_us = t_us;
    t->status = DW_TRACK_CONFIRMED;
    t->lat_deg = o->lat;
    t->lon_deg = o->lon;
    t->alt_m = o->alt;
    t->vel_enu_mps[0] = o->ve;
    t->vel_enu_mps[1] = o->vn;
    for (int k = 0; k < 3; k++) {
        t->cov_pos_enu[k][k] = k < 2 ? 400 : 900;
        t->cov_vel_enu[k][k] = 1;
    }
    t->first_us = T0_US;
    t->last_update_us = t_us;
    if (o->kind == 1)
        t->icao = 0x480000u + (uint32_t)id;
}

static size_t heap_used(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: dw_bench_assess [--geo DIR] [--tracks N] [--seconds S] [--period P]\n");
}

int main(int argc, char **argv)
{
    const char *dir = ".";
    size_t n = 1000;
    double seconds = 600, period = 4;
    static const struct option opts[] = {{"geo", required_argument, 0, 'g'},
                                         {"tracks", required_argument, 0, 'n'},
                                         {"seconds", required_argument, 0, 's'},
                                         {"period", required_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "g:n:s:p:h", opts, NULL)) != -1) {
        switch (o) {
        case 'g': dir = optarg; break;
        case 'n': n = (size_t)strtoull(optarg, NULL, 10); break;
        case 's': seconds = atof(optarg); break;
        case 'p': period = atof(optarg); break;
        default:
            usage(o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (optind != argc || n == 0 || !(seconds > 60) || !(period > 0)) {
        usage(stderr);
        return 2;
    }
    static const char *const files[] = {"data/geo/countries.geojson", "data/geo/regions.geojson",
                                        "scenarios/geo/pl-protected.geojson"};
    dw_geog *g = NULL;
    char err[512], path[1024];
    if (dw_geog_create(&g) != DW_OK)
        return 1;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (dw_geog_load(g, path, err, sizeof err) != DW_OK) {
            fprintf(stderr, "dw_bench_assess: %s\n", err);
            dw_geog_destroy(g);
            return 1;
        }
    }
    int ipl = dw_geog_find(g, "PL");
    const dw_geog_feature *pl = dw_geog_get(g, (size_t)ipl);
    obj *ob = calloc(n, sizeof *ob);
    if (!ob)
        return 1;
    for (size_t i = 0; i < n; i++) {
        obj *b = &ob[i];
        do {
            b->lat = pl->min_lat_deg + (pl->max_lat_deg - pl->min_lat_deg) * uniform();
            b->lon = pl->min_lon_deg + (pl->max_lon_deg - pl->min_lon_deg) * uniform();
        } while (!dw_geog_contains(g, (size_t)ipl, b->lat, b->lon));
        double u = uniform(), hd = 2 * M_PI * uniform(), v;
        b->kind = u < 0.7 ? 0 : u < 0.9 ? 1 : 2;
        b->h.sensor_kinds = 1u << DW_SENSOR_RADAR;
        b->h.n_rcs = 20;
        if (b->kind == 0) {
            v = 45;
            b->alt = 2000;
            b->h.rcs_m2 = 0.1;
        } else if (b->kind == 1) {
            v = 230;
            b->alt = 11000;
            b->h.rcs_m2 = 40;
            b->h.sensor_kinds |= 1u << DW_SENSOR_ADSB;
        } else {
            v = 15;
            b->alt = 800;
            b->h.rcs_m2 = 0.02;
        }
        b->ve = v * sin(hd);
        b->vn = v * cos(hd);
    }

    dw_assess_config c;
    dw_assess_config_default(&c);
    c.geo = g;
    c.tracks_hint = n;
    dw_assess_sink sink = {on_alert, NULL, NULL};
    dw_assess *a = NULL;
    if (dw_assess_create(&c, &sink, &a, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_assess: %s\n", err);
        return 1;
    }
    dw_threat_config tc;
    dw_threat_config_default(&tc);
    dw_threat_ctx *x = NULL;
    if (dw_threat_create(g, &tc, &x, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_assess: %s\n", err);
        return 1;
    }
    static dw_threat th;
    dw_track t;
    const double warm = 60;
    uint64_t n_timed = 0, n_peer = 0;
    double t_engine = 0, t_peer = 0, sink_score = 0;
    size_t heap0 = 0;
    /* Each object reports at its own phase within the period. */
    for (double s = 0; s <= seconds; s += period) {
        if (s >= warm && heap0 == 0)
            heap0 = heap_used();
        double t1 = now_s();
        for (size_t i = 0; i < n; i++) {
            report(&ob[i], i + 1, T0_US + (int64_t)llround((s + period * (double)i / (double)n) * 1e6), &t);
            if (dw_assess_track(a, &t, &ob[i].h) != DW_OK) {
                fprintf(stderr, "dw_bench_assess: update refused\n");
                return 1;
            }
        }
        double t2 = now_s();
        if (s >= warm) {
            t_engine += t2 - t1;
            n_timed += n;
            /* the peer: the prediction and reach alone, on the same reports */
            double t3 = now_s();
            for (size_t i = 0; i < n; i++) {
                report(&ob[i], i + 1, T0_US + (int64_t)llround((s + period * (double)i / (double)n) * 1e6), &t);
                if (dw_threat_eval(x, &t, &th) == DW_OK)
                    sink_score += dw_threat_score(x, &th, ob[i].kind == 0 ? 0.9 : 0.01, DW_AFF_UNKNOWN);
            }
            t_peer += now_s() - t3;
            n_peer += n;
        }
        for (size_t i = 0; i < n; i++)
            step(&ob[i], period);
    }
    size_t heap1 = heap_used();
    dw_assess_stats st;
    dw_assess_get_stats(a, &st);
    double ups = (double)n_timed / t_engine, peer = (double)n_peer / t_peer;
    double bound = (double)n;           /* N tracks at one report a second */
    printf("%zu tracks over Poland (%.0f %% drones), a report every %.0f s for %.0f s (first %.0f s "
           "not timed): %llu updates timed\n", n, 70.0, period, seconds, warm,
           (unsigned long long)n_timed);
    printf("engine (classify, facts, prediction, reach, score, alerts): %.0f updates/s, %.2f us per "
           "update\n", ups, 1e6 / ups);
    printf("peer, same run: prediction + reach + score alone: %.0f updates/s, %.2f us; the engine "
           "costs %.2f x it\n", peer, 1e6 / peer, peer / ups);
    printf("bound: %zu tracks at one report a second = %.0f updates/s; the engine keeps up with "
           "%.0f such pictures on one core\n", n, bound, ups / bound);
    printf("heap growth over the timed part: %lld bytes; alerts raised %llu, in force %llu\n",
           (long long)heap1 - (long long)heap0, (unsigned long long)n_alerts,
           (unsigned long long)st.active_alerts);
    printf("{\"bench\":\"assess\",\"tracks\":%zu,\"updates\":%llu,\"updates_per_s\":%.0f,"
           "\"us_per_update\":%.3f,\"peer_threat_updates_per_s\":%.0f,\"bound_updates_per_s\":%.0f,"
           "\"ratio_to_bound\":%.1f,\"heap_growth_bytes\":%lld,\"alerts_raised\":%llu,"
           "\"checksum\":%.3f}\n",
           n, (unsigned long long)n_timed, ups, 1e6 / ups, peer, bound, ups / bound,
           (long long)heap1 - (long long)heap0, (unsigned long long)n_alerts, sink_score);
    dw_threat_destroy(x);
    dw_assess_destroy(a);
    dw_geog_destroy(g);
    free(ob);
    return 0;
}

/* dw_bench_daemon — `dronewall run` under load: radars' ASTERIX over UDP in, the WebSocket
 * stream out, 1 viewer and then 200.
 *
 *   dw_bench_daemon [--dronewall PATH] [--targets N] [--rate R] [--radars K] [--seconds S]
 *                   [--warmup S] [--viewers V] [--ws-period S] [--quick] [--keep]
 *
 * The workload (defaults): 1,000 targets in a 300 km box over eastern Poland (centre
 * 52.0 N 22.8 E), 50-200 m/s at 1-5 km, flying straight or in gentle turns (up to
 * 0.5 deg/s) and turning back at the edges; 25 3-D surveillance radars on a 5 x 5 grid
 * 60 km apart inside the box, each rotating in 0.5 s and seeing every target (coverage
 * 470 km, pd 1, no clutter, range sigma 50 m, azimuth 0.1 deg, height 60 m): 25 radars x
 * 1,000 targets / 0.5 s = 50,000 plots/s, every target in 50 plots a second. Denser than
 * any real network (each target is in every radar's picture); chosen to reach the issue's
 * 50,000 observations/s with 1,000 live tracks. Each radar sends its scan as sectors: a
 * CAT048 data block of the ~30 targets whose azimuth it has just swept, in azimuth order
 * (the tracker takes a radar's datagram as the arc up to its last plot), every ~15 ms,
 * stamped with the sector's time (ASTERIX I140 counts 1/128 s), one UDP datagram each,
 * with the radar's SAC/SIC (ASX-SAC-SIC, the wire_id in the sensors file); 1,650
 * datagrams/s. The period follows --rate: K x N / R.
 *
 * The daemon is the real binary (--dronewall, default ../dronewall beside this program),
 * started in a scratch directory with --http 127.0.0.1:0, --record, the sensors file and
 * one asterix_udp input on 127.0.0.1:0, tracker.assoc gnn and the other settings at
 * their defaults (http.ws_period_s as `dronewall run --check` reports it, unless
 * --ws-period). Plots go out at the wall clock's pace, stamped with the wall clock's time
 * of day (the daemon puts the date from its own clock): a warm-up (10 s), then the
 * measured window (20 s) with one viewer, then --viewers - 1 more viewers connect (each
 * reading every frame as fast as it can, all in one thread over poll), 3 s to settle, and
 * the same window again. Viewers' sockets have a 4 MB receive buffer, so that this
 * program's own threads, late to read on a busy machine, never close a TCP window on the
 * daemon.
 *
 * Latency, from the measuring viewer's frames. Each track line of a "tracks" frame
 * carries the time of the measurement that last updated it (t_us); the datagram that
 * carried a plot of that time was sent at a known wall time; datagram -> frame is the
 * frame's arrival minus that send time (for a report instant between plot times, the
 * latest plot time before it): the age of what a viewer is shown, the figure
 * (bound 50 ms). Part of that age is the radars' and not the daemon's: a target's plots
 * come from 25 radars at uneven moments, so its newest plot is already some ms old at any
 * moment; the sender measures that (every target, every 4th tick) and it is printed
 * beside. Split by the frame's own t_us (the daemon's clock when it made the frame):
 * datagram -> frame made, and frame made -> received. Then two figures of the daemon
 * alone: a datagram's wait for the first frame showing its time or later (the frame
 * period and the per-track pacing included), and each frame's newest plot's age at
 * arrival. The daemon's own figure (/api/stats stream.latency_ms, change to first write,
 * since start) is printed as well.
 * Throughput from /api/stats (inputs[0].obs, engine.obs, pipeline.late, tracks_now)
 * against what was sent; the daemon's CPU from /proc/PID/stat over each window, its
 * event loop's time on and waiting for a CPU from /proc/PID/schedstat, its peak RSS
 * from VmHWM. The 1-viewer window is the peer of the 200-viewer one: the ratios say
 * whether the viewers slowed the pipeline.
 *
 * Exits 0 when the daemon ran, whatever the figures say; 1 when it could not be started
 * or measured. The last line printed is one JSON object with the figures. Like app/, a
 * benchmark reads the clock.
 */
#define _GNU_SOURCE 1     /* memmem, strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bench_tmp.h"
#include "dronewall/asterix.h"
#include "dronewall/geo.h"
#include "dronewall/obs.h"

#define PROG "dw_bench_daemon"
#define TICKS_PER_S 128                 /* ASTERIX I140: 1/128 s                       */
#define SEND_RING (TICKS_PER_S * 600)   /* send times kept: ten minutes of ticks       */
#define DGRAM_MAX 1400                  /* bytes of one datagram (one data block)      */
#define PLOTS_PER_DGRAM 30              /* what a sector holds, as a radar sends it     */
#define BOX_KM 300.0
#define CENTRE_LAT 52.0
#define CENTRE_LON 22.8

/* ------------------------------------------------------------------ clocks, random */

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static volatile sig_atomic_t g_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

/* Sleep s seconds, or less when interrupted (SIGINT, SIGTERM: the run is abandoned). */
static void sleep_s(double s)
{
    double end = mono_s() + s;
    while (!g_interrupted) {
        double left = end - mono_s();
        if (left <= 0)
            return;
        if (left > 0.1)
            left = 0.1;
        struct timespec ts = {0, (long)(left * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* Tick k of the epoch: k x 7812.5 us; a time's nearest tick, and back. */
static int64_t tick_near(int64_t t_us) { return (t_us * 16 + 62500) / 125000; }
static int64_t tick_floor(int64_t t_us) { return t_us * 16 / 125000; }
static int64_t tick_us(int64_t k) { return k * 125000 / 16; }

typedef struct rng {
    uint64_t s;
} rng;

static double uniform(rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (double)(r->s >> 11) / 9007199254740992.0;
}

static double gauss(rng *r)
{
    double u = uniform(r), v = uniform(r);
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* ------------------------------------------------------------------ the world */

typedef struct target {
    double lat, lon, alt, v, hdg, turn;         /* deg, deg, m, m/s, rad, rad/s */
} target;

typedef struct radar {
    dw_geodetic site;
    dw_enu_frame f;
    unsigned sac, sic;
    char wire[16];
    int64_t phase;                              /* ticks: its scans start then */
    uint32_t *order;                            /* targets by sector, this scan */
    uint32_t *start;                            /* S + 1 offsets into order      */
    uint32_t *count;
} radar;

typedef struct world {
    size_t n_targets, n_radars;
    target *t;
    radar *r;
    int64_t scan_ticks;                         /* T: ticks per rotation          */
    int sectors;                                /* S: sectors (datagrams) a scan  */
    int *sector_at;                             /* local tick -> sector sent, -1  */
    double lat0, lat1, lon0, lon1;              /* the box                        */
    double sigma_range_m, sigma_az_rad, sigma_alt_m;
    rng rnd;
} world;

static void world_box(world *w)
{
    double half = BOX_KM * 500.0;
    w->lat0 = CENTRE_LAT - half / 111132.0;
    w->lat1 = CENTRE_LAT + half / 111132.0;
    double k = 111320.0 * cos(CENTRE_LAT * M_PI / 180);
    w->lon0 = CENTRE_LON - half / k;
    w->lon1 = CENTRE_LON + half / k;
}

static int world_init(world *w, size_t n, size_t k, int64_t scan_ticks)
{
    memset(w, 0, sizeof *w);
    w->rnd.s = 0x9e3779b97f4a7c15ULL;
    w->n_targets = n;
    w->n_radars = k;
    w->scan_ticks = scan_ticks;
    long s = lround((double)n / PLOTS_PER_DGRAM);
    if (s < 1)
        s = 1;
    if (s > scan_ticks)
        s = (long)scan_ticks;
    w->sectors = (int)s;
    w->sigma_range_m = 50;
    w->sigma_az_rad = 0.1 * M_PI / 180;
    w->sigma_alt_m = 60;
    world_box(w);
    w->t = calloc(n, sizeof *w->t);
    w->r = calloc(k, sizeof *w->r);
    w->sector_at = malloc((size_t)scan_ticks * sizeof *w->sector_at);
    if (!w->t || !w->r || !w->sector_at)
        return -1;
    for (int64_t i = 0; i < scan_ticks; i++)
        w->sector_at[i] = -1;
    for (int j = 0; j < w->sectors; j++)
        w->sector_at[(int64_t)j * scan_ticks / w->sectors] = j;
    for (size_t i = 0; i < n; i++) {
        target *t = &w->t[i];
        t->lat = w->lat0 + (w->lat1 - w->lat0) * (0.05 + 0.9 * uniform(&w->rnd));
        t->lon = w->lon0 + (w->lon1 - w->lon0) * (0.05 + 0.9 * uniform(&w->rnd));
        t->alt = 1000 + 4000 * uniform(&w->rnd);
        t->v = 50 + 150 * uniform(&w->rnd);
        t->hdg = 2 * M_PI * uniform(&w->rnd);
        /* Half fly straight, half turn gently (up to 0.5 deg/s either way). */
        t->turn = uniform(&w->rnd) < 0.5 ? 0 : (uniform(&w->rnd) - 0.5) * M_PI / 180;
    }
    /* A square grid of sites inside the box, 1/5 of the way in from its edges. */
    size_t side = (size_t)ceil(sqrt((double)k));
    for (size_t j = 0; j < k; j++) {
        radar *r = &w->r[j];
        double fx = side > 1 ? 0.1 + 0.8 * (double)(j % side) / (double)(side - 1) : 0.5;
        double fy = side > 1 ? 0.1 + 0.8 * (double)(j / side) / (double)(side - 1) : 0.5;
        r->site.lat_deg = w->lat0 + (w->lat1 - w->lat0) * fy;
        r->site.lon_deg = w->lon0 + (w->lon1 - w->lon0) * fx;
        r->site.alt_m = 200;
        dw_enu_frame_init(&r->f, &r->site);
        r->sac = 50;
        r->sic = (unsigned)(j + 1);
        dw_asterix_sensor_name(r->wire, r->sac, r->sic);
        r->phase = (int64_t)j * scan_ticks / (int64_t)k;
        r->order = malloc(n * sizeof *r->order);
        r->start = calloc((size_t)w->sectors + 1, sizeof *r->start);
        r->count = calloc((size_t)w->sectors, sizeof *r->count);
        if (!r->order || !r->start || !r->count)
            return -1;
    }
    return 0;
}

static void world_free(world *w)
{
    for (size_t j = 0; w->r && j < w->n_radars; j++) {
        free(w->r[j].order);
        free(w->r[j].start);
        free(w->r[j].count);
    }
    free(w->r);
    free(w->t);
    free(w->sector_at);
}

static void world_step(world *w, double dt)
{
    double mlat = 0.1 * (w->lat1 - w->lat0), mlon = 0.1 * (w->lon1 - w->lon0);
    for (size_t i = 0; i < w->n_targets; i++) {
        target *t = &w->t[i];
        int out = t->lat < w->lat0 + mlat || t->lat > w->lat1 - mlat || t->lon < w->lon0 + mlon ||
                  t->lon > w->lon1 - mlon;
        double turn = t->turn;
        if (out) {
            /* Near an edge: turn towards the centre at 2 deg/s (a standard-rate-ish turn). */
            double kx = cos(t->lat * M_PI / 180);
            double want = atan2((CENTRE_LON - t->lon) * kx, CENTRE_LAT - t->lat);
            double d = remainder(want - t->hdg, 2 * M_PI);
            if (fabs(d) > 0.05)
                turn = (d > 0 ? 2.0 : -2.0) * M_PI / 180;
        }
        t->hdg = remainder(t->hdg + turn * dt, 2 * M_PI);
        t->lat += t->v * cos(t->hdg) * dt / 111132.0;
        t->lon += t->v * sin(t->hdg) * dt / (111320.0 * cos(t->lat * M_PI / 180));
    }
}

static void polar_of(const radar *r, const target *t, double *range, double *az)
{
    dw_geodetic g = {t->lat, t->lon, t->alt};
    double ecef[3], enu[3], el;
    dw_geo_to_ecef(&g, ecef);
    dw_enu_from_ecef(&r->f, ecef, enu);
    dw_polar_from_enu(enu, range, az, &el);
}

/* A new rotation: which sector each target falls in, by its azimuth now. */
static void radar_bucket(world *w, radar *r)
{
    int s = w->sectors;
    memset(r->count, 0, (size_t)s * sizeof *r->count);
    static uint32_t *tmp;                       /* each target's sector (sender's thread) */
    static size_t tmp_n;
    if (tmp_n < w->n_targets) {
        free(tmp);
        tmp = malloc(w->n_targets * sizeof *tmp);
        tmp_n = tmp ? w->n_targets : 0;
        if (!tmp)
            return;
    }
    for (size_t i = 0; i < w->n_targets; i++) {
        double range, az;
        polar_of(r, &w->t[i], &range, &az);
        int j = (int)(az / (2 * M_PI) * s);
        if (j < 0)
            j = 0;
        if (j >= s)
            j = s - 1;
        tmp[i] = (uint32_t)j;
        r->count[j]++;
    }
    r->start[0] = 0;
    for (int j = 0; j < s; j++)
        r->start[j + 1] = r->start[j] + r->count[j];
    memset(r->count, 0, (size_t)s * sizeof *r->count);
    for (size_t i = 0; i < w->n_targets; i++) {
        uint32_t j = tmp[i];
        r->order[r->start[j] + r->count[j]++] = (uint32_t)i;
    }
}

/* ------------------------------------------------------------------ the sender */

typedef struct send_slot {
    _Atomic int64_t tick;                       /* the epoch tick it was for    */
    _Atomic int64_t wall_us;                    /* its first datagram went then */
} send_slot;

static send_slot g_sent[SEND_RING];

/* The send time of plots of tick k, or of the latest tick before k that had any (a report
 * instant falls between ticks); -1 when none is kept. */
static int64_t send_time_of(int64_t k)
{
    for (int back = 0; back < 2 * TICKS_PER_S; back++, k--) {
        send_slot *s = &g_sent[(uint64_t)k % SEND_RING];
        if (atomic_load_explicit(&s->tick, memory_order_acquire) != k)
            continue;
        int64_t w = atomic_load_explicit(&s->wall_us, memory_order_relaxed);
        if (atomic_load_explicit(&s->tick, memory_order_acquire) == k)
            return w;
    }
    return -1;
}

/* A float array that grows. */
typedef struct fvec {
    float *v;
    size_t n, cap;
} fvec;

static void fv_add(fvec *f, float x)
{
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 65536;
        float *v = realloc(f->v, nc * sizeof *v);
        if (!v)
            return;
        f->v = v;
        f->cap = nc;
    }
    f->v[f->n++] = x;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static double fv_q(const fvec *f, double q)
{
    if (!f->n)
        return NAN;
    size_t i = (size_t)ceil(q * (double)f->n);
    if (i < 1)
        i = 1;
    if (i > f->n)
        i = f->n;
    return f->v[i - 1];
}

#define N_PHASES 3                      /* 0: not measured, 1: one viewer, 2: many */

static atomic_int g_phase;

typedef struct plot {
    double range_m, az_rad, alt_m, key;   /* key: azimuth unwrapped about the sector */
    uint32_t target;
} plot;

static int cmp_plot(const void *a, const void *b)
{
    double x = ((const plot *)a)->key, y = ((const plot *)b)->key;
    return (x > y) - (x < y);
}

typedef struct sender {
    world *w;
    int fd;
    struct sockaddr_in to;
    dw_asterix *ax;
    atomic_int stop;
    _Atomic uint64_t plots, datagrams, bytes, skipped, send_errors, late_ticks;
    int64_t first_tick;
    int64_t *last_plot;                 /* each target's latest plot, tick */
    plot *sector;                       /* one sector's plots, being sent */
    fvec revisit[N_PHASES];             /* a target's latest plot's age at a tick, ms */
    char err[256];
} sender;

static void *sender_main(void *arg)
{
    sender *s = arg;
    world *w = s->w;
    size_t cap = w->n_radars * 8 + 16;
    uint8_t *buf = malloc(cap * DGRAM_MAX);
    size_t *len = malloc(cap * sizeof *len);
    if (!buf || !len) {
        snprintf(s->err, sizeof s->err, "out of memory");
        free(buf);
        free(len);
        return NULL;
    }
    for (size_t j = 0; j < w->n_radars; j++)
        radar_bucket(w, &w->r[j]);
    const double dt = 1.0 / TICKS_PER_S;
    for (int64_t k = s->first_tick; !atomic_load(&s->stop); k++) {
        int64_t due = tick_us(k);
        int64_t now = wall_us();
        if (now < due) {
            struct timespec ts = {(time_t)(due / 1000000), (long)(due % 1000000) * 1000};
            while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR) {
            }
        } else if (now - due > 1000000 / TICKS_PER_S) {
            atomic_fetch_add(&s->late_ticks, 1);
        }
        if (k > s->first_tick)
            world_step(w, dt);
        /* Every radar whose beam ends a sector at this tick sends it. */
        size_t n_dg = 0;
        uint64_t plots = 0, skipped = 0;
        for (size_t j = 0; j < w->n_radars; j++) {
            radar *r = &w->r[j];
            int64_t local = (k - s->first_tick - r->phase) % w->scan_ticks;
            if (local < 0)
                local += w->scan_ticks;
            if (local == 0)
                radar_bucket(w, r);
            int sec = w->sector_at[local];
            if (sec < 0)
                continue;
            /* The sector's plots, measured now, in the order the beam meets them (the
             * tracker takes a radar's datagram as the arc up to its last plot). */
            size_t np = 0;
            const double centre = (sec + 0.5) * 2 * M_PI / w->sectors;
            for (uint32_t q = r->start[sec]; q < r->start[sec + 1]; q++) {
                plot *pl = &s->sector[np++];
                const target *t = &w->t[r->order[q]];
                double range, az;
                polar_of(r, t, &range, &az);
                pl->range_m = range + w->sigma_range_m * gauss(&w->rnd);
                pl->az_rad = fmod(az + w->sigma_az_rad * gauss(&w->rnd) + 2 * M_PI, 2 * M_PI);
                pl->alt_m = t->alt + w->sigma_alt_m * gauss(&w->rnd);
                pl->key = centre + remainder(pl->az_rad - centre, 2 * M_PI);
                pl->target = r->order[q];
            }
            qsort(s->sector, np, sizeof *s->sector, cmp_plot);
            dw_asterix_block b;
            int open = 0;
            for (size_t q = 0; q < np; q++) {
                const plot *pl = &s->sector[q];
                dw_obs o;
                dw_obs_init(&o, DW_OBS_POLAR);
                o.t_us = due;
                memcpy(o.sensor, r->wire, sizeof r->wire);
                o.range_m = pl->range_m;
                o.az_rad = pl->az_rad;
                o.alt_m = pl->alt_m;
                o.has |= DW_OBS_HAS_ALT;
                for (int attempt = 0; attempt < 2; attempt++) {
                    if (!open) {
                        if (n_dg == cap)
                            break;
                        dw_asterix_block_begin(&b, buf + n_dg * DGRAM_MAX,
                                               buf + (n_dg + 1) * DGRAM_MAX);
                        open = 1;
                    }
                    dw_status st = dw_asterix_block_add_obs(s->ax, &b, &o);
                    if (st == DW_OK) {
                        plots++;
                        s->last_plot[pl->target] = k;
                        break;
                    }
                    if (st != DW_ERR_FULL || attempt) {
                        skipped++;
                        break;
                    }
                    uint8_t *end = NULL;
                    dw_asterix_block_finish(&b, &end);
                    len[n_dg] = (size_t)(end - b.start);
                    if (len[n_dg])
                        n_dg++;
                    open = 0;
                }
            }
            if (open) {
                uint8_t *end = NULL;
                dw_asterix_block_finish(&b, &end);
                len[n_dg] = (size_t)(end - b.start);
                if (len[n_dg])
                    n_dg++;
            }
        }
        if (!n_dg)
            continue;
        send_slot *sl = &g_sent[(uint64_t)k % SEND_RING];
        atomic_store_explicit(&sl->wall_us, wall_us(), memory_order_relaxed);
        atomic_store_explicit(&sl->tick, k, memory_order_release);
        uint64_t bytes = 0, errs = 0;
        for (size_t i = 0; i < n_dg; i++) {
            if (sendto(s->fd, buf + i * DGRAM_MAX, len[i], 0, (struct sockaddr *)&s->to,
                       sizeof s->to) < 0)
                errs++;
            else
                bytes += len[i];
        }
        /* The radars' own part of a shown track's age: how old each target's latest plot
         * is at a given moment (every 4th tick, every target). */
        int ph = atomic_load(&g_phase);
        if (ph && !(k & 3))
            for (size_t i = 0; i < w->n_targets; i++)
                if (s->last_plot[i])
                    fv_add(&s->revisit[ph],
                           (float)((double)(tick_us(k) - tick_us(s->last_plot[i])) / 1000.0));
        atomic_fetch_add(&s->plots, plots);
        atomic_fetch_add(&s->datagrams, n_dg - errs);
        atomic_fetch_add(&s->bytes, bytes);
        atomic_fetch_add(&s->skipped, skipped);
        atomic_fetch_add(&s->send_errors, errs);
    }
    free(buf);
    free(len);
    return NULL;
}

/* ------------------------------------------------------------------ WebSocket viewers */

/* Connect to the stream and finish the handshake; the socket, blocking, or -1. Bytes
 * read past the handshake go to extra (at most cap; *n_extra says how many). */
static int ws_connect(int port, uint8_t *extra, size_t cap, size_t *n_extra)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    /* Room for a few seconds of frames: a viewer thread that is late to read (this bench
     * shares the machine with the daemon) must not close the TCP window on the daemon. */
    int rcv = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: ZHJvbmV3YWxsYmVuY2gxMg==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n", port);
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        close(fd);
        return -1;
    }
    char resp[4096];
    size_t got = 0;
    for (;;) {
        ssize_t r = recv(fd, resp + got, sizeof resp - 1 - got, 0);
        if (r <= 0) {
            close(fd);
            return -1;
        }
        got += (size_t)r;
        resp[got] = 0;
        char *e = strstr(resp, "\r\n\r\n");
        if (e) {
            if (strncmp(resp, "HTTP/1.1 101", 12) != 0) {
                close(fd);
                return -1;
            }
            size_t head = (size_t)(e + 4 - resp), more = got - head;
            if (more > cap)
                more = cap;
            memcpy(extra, resp + head, more);
            *n_extra = more;
            return fd;
        }
        if (got >= sizeof resp - 1) {
            close(fd);
            return -1;
        }
    }
}

/* Open n streams at once: every connection and request first, then the answers as they
 * come, so that a busy daemon costs one wait, not n. Each fd[i] is a handshaken
 * non-blocking socket or -1; bytes past a handshake go to feed. The number opened. */
static size_t ws_connect_many(int port, int *fd, size_t n, double timeout_s,
                              void (*feed)(void *ctx, size_t i, const uint8_t *p, size_t len),
                              void *ctx)
{
    char (*resp)[1024] = calloc(n ? n : 1, sizeof *resp);
    size_t *got = calloc(n ? n : 1, sizeof *got);
    struct pollfd *pf = calloc(n ? n : 1, sizeof *pf);
    size_t done = 0, pending = 0;
    if (!resp || !got || !pf)
        goto out;
    char req[512];
    int rl = snprintf(req, sizeof req,
                      "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: ZHJvbmV3YWxsYmVuY2gxMg==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n", port);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (size_t i = 0; i < n; i++) {
        fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pf[i].fd = -1;
        if (fd[i] < 0)
            continue;
        int rcv = 4 << 20;
        setsockopt(fd[i], SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        if (connect(fd[i], (struct sockaddr *)&sa, sizeof sa) != 0 ||
            send(fd[i], req, (size_t)rl, MSG_NOSIGNAL) != rl) {
            close(fd[i]);
            fd[i] = -1;
            continue;
        }
        fcntl(fd[i], F_SETFL, fcntl(fd[i], F_GETFL) | O_NONBLOCK);
        pf[i].fd = fd[i];
        pf[i].events = POLLIN;
        pending++;
    }
    double end = mono_s() + timeout_s;
    while (pending && !g_interrupted && mono_s() < end) {
        if (poll(pf, n, 100) <= 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = recv(fd[i], resp[i] + got[i], sizeof resp[i] - 1 - got[i], 0);
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            char *e = NULL;
            if (r > 0) {
                got[i] += (size_t)r;
                resp[i][got[i]] = 0;
                e = strstr(resp[i], "\r\n\r\n");
                if (!e && got[i] < sizeof resp[i] - 1)
                    continue;
            }
            pf[i].fd = -1;
            pending--;
            if (!e || strncmp(resp[i], "HTTP/1.1 101", 12)) {
                close(fd[i]);
                fd[i] = -1;
                continue;
            }
            size_t head = (size_t)(e + 4 - resp[i]);
            if (got[i] > head)
                feed(ctx, i, (const uint8_t *)resp[i] + head, got[i] - head);
            done++;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (pf[i].fd >= 0) {            /* no answer in time */
            close(fd[i]);
            fd[i] = -1;
        }
out:
    free(resp);
    free(got);
    free(pf);
    return done;
}


/* What the measuring viewer saw in each phase. */
typedef struct meas {
    fvec age[N_PHASES];                 /* per track line: frame arrival - plot's send, ms */
    fvec first[N_PHASES];               /* per datagram tick: first frame showing it, ms    */
    fvec deliver[N_PHASES];             /* per frame: arrival - the frame's own t_us (made), ms */
    fvec built[N_PHASES];               /* per track line: the frame's t_us - plot's send, ms  */
    fvec newest[N_PHASES];              /* per frame: arrival - send of its newest plot, ms     */
    uint64_t frames[N_PHASES], bytes[N_PHASES], lines[N_PHASES], unmatched[N_PHASES];
    uint64_t resyncs, other;
} meas;


typedef struct viewer {
    int fd;
    uint8_t *in;
    size_t len, cap;
    uint8_t *msg;                       /* a fragmented message being put together */
    size_t msg_len, msg_cap;
    atomic_int stop;
    meas m;
    int64_t last_max_tick;
    char err[128];
} viewer;

static int grow(uint8_t **b, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 1 << 20;
    while (nc < need)
        nc *= 2;
    uint8_t *x = realloc(*b, nc);
    if (!x)
        return -1;
    *b = x;
    *cap = nc;
    return 0;
}

/* Each element of a "tracks" frame's "tracks" array: its own "id" and "t_us" (nested
 * objects' keys are skipped by depth). */
static void scan_tracks(const char *s, size_t n, void (*cb)(void *, int64_t), void *ctx)
{
    const char *end = s + n;
    const char *p = memmem(s, n, "\"tracks\":[", 10);
    if (!p)
        return;
    p += 10;
    while (p < end) {
        while (p < end && (*p == ',' || *p == ' ' || *p == '\n'))
            p++;
        if (p >= end || *p != '{')
            return;
        int depth = 0;
        int64_t t_us = INT64_MIN;
        do {
            char c = *p;
            if (c == '"') {
                if (depth == 1 && end - p > 7 && !memcmp(p, "\"t_us\":", 7))
                    t_us = strtoll(p + 7, NULL, 10);
                for (p++; p < end && *p != '"'; p++)
                    if (*p == '\\')
                        p++;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
            p++;
        } while (p < end && depth > 0);
        if (t_us != INT64_MIN)
            cb(ctx, t_us);
    }
}

typedef struct frame_ctx {
    viewer *v;
    int phase;
    int64_t rx_us;
    int64_t made_us;                    /* the frame's "t_us": the daemon's clock at making */
    int64_t max_tick;
} frame_ctx;

static void on_track_line(void *ctx, int64_t t_us)
{
    frame_ctx *f = ctx;
    int64_t k = tick_near(t_us);
    if (llabs(tick_us(k) - t_us) > 50)
        k = tick_floor(t_us);               /* a report instant: the plots before it */
    if (k > f->max_tick)
        f->max_tick = k;
    f->v->m.lines[f->phase]++;
    int64_t sent = send_time_of(k);
    if (sent < 0) {
        f->v->m.unmatched[f->phase]++;
        return;
    }
    fv_add(&f->v->m.age[f->phase], (float)((double)(f->rx_us - sent) / 1000.0));
    if (f->made_us != INT64_MIN)
        fv_add(&f->v->m.built[f->phase], (float)((double)(f->made_us - sent) / 1000.0));
}

static void on_message(viewer *v, const uint8_t *p, size_t n, int64_t rx_us)
{
    int phase = atomic_load(&g_phase);
    v->m.frames[phase]++;
    v->m.bytes[phase] += n;
    if (n > 16 && !memcmp(p, "{\"type\":\"resync\"", 16)) {
        v->m.resyncs++;
        return;
    }
    if (n < 17 || memcmp(p, "{\"type\":\"tracks\"", 16)) {
        v->m.other++;
        return;
    }
    frame_ctx f = {v, phase, rx_us, INT64_MIN, INT64_MIN};
    /* {"type":"tracks","t_us":T,...: T is the daemon's wall clock when it made the frame. */
    if (n > 24 && !memcmp(p + 16, ",\"t_us\":", 8)) {
        f.made_us = strtoll((const char *)p + 24, NULL, 10);
        fv_add(&v->m.deliver[phase], (float)((double)(rx_us - f.made_us) / 1000.0));
    }
    scan_tracks((const char *)p, n, on_track_line, &f);
    if (f.max_tick == INT64_MIN)
        return;
    int64_t newest = send_time_of(f.max_tick);
    if (newest >= 0)
        fv_add(&v->m.newest[phase], (float)((double)(rx_us - newest) / 1000.0));
    /* Every datagram tick up to the newest shown now has its first frame. */
    if (v->last_max_tick != INT64_MIN && f.max_tick > v->last_max_tick &&
        f.max_tick - v->last_max_tick < 10 * TICKS_PER_S) {
        for (int64_t k = v->last_max_tick + 1; k <= f.max_tick; k++) {
            send_slot *s = &g_sent[(uint64_t)k % SEND_RING];
            if (atomic_load_explicit(&s->tick, memory_order_acquire) != k)
                continue;
            int64_t sent = atomic_load_explicit(&s->wall_us, memory_order_relaxed);
            fv_add(&v->m.first[phase], (float)((double)(rx_us - sent) / 1000.0));
        }
    }
    if (f.max_tick > v->last_max_tick)
        v->last_max_tick = f.max_tick;
}

/* Whole frames at the front of v->in: messages to on_message; 1 on a close frame. */
static int parse_frames(viewer *v, int64_t rx_us)
{
    size_t off = 0;
    int closed = 0;
    while (v->len - off >= 2) {
        const uint8_t *h = v->in + off;
        int fin = h[0] & 0x80, op = h[0] & 0x0f, masked = h[1] & 0x80;
        uint64_t plen = h[1] & 0x7f;
        size_t hl = 2;
        if (plen == 126) {
            if (v->len - off < 4)
                break;
            plen = (uint64_t)h[2] << 8 | h[3];
            hl = 4;
        } else if (plen == 127) {
            if (v->len - off < 10)
                break;
            plen = 0;
            for (int i = 0; i < 8; i++)
                plen = plen << 8 | h[2 + i];
            hl = 10;
        }
        if (masked)
            hl += 4;                        /* a server does not mask; skip it if it does */
        if (v->len - off < hl + plen)
            break;
        const uint8_t *pay = h + hl;
        if (op == 8) {
            closed = 1;
        } else if (op == 1 || op == 2 || op == 0) {
            if (fin && op != 0 && !v->msg_len) {
                on_message(v, pay, (size_t)plen, rx_us);
            } else if (!grow(&v->msg, &v->msg_cap, v->msg_len + plen)) {
                memcpy(v->msg + v->msg_len, pay, plen);
                v->msg_len += plen;
                if (fin) {
                    on_message(v, v->msg, v->msg_len, rx_us);
                    v->msg_len = 0;
                }
            }
        }
        off += hl + plen;
    }
    if (off) {
        memmove(v->in, v->in + off, v->len - off);
        v->len -= off;
    }
    return closed;
}

static void *viewer_main(void *arg)
{
    viewer *v = arg;
    parse_frames(v, wall_us());
    while (!atomic_load(&v->stop)) {
        if (grow(&v->in, &v->cap, v->len + 262144)) {
            snprintf(v->err, sizeof v->err, "out of memory");
            break;
        }
        ssize_t n = recv(v->fd, v->in + v->len, v->cap - v->len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;                       /* the 1 s receive timeout: look at stop */
        if (n <= 0) {
            snprintf(v->err, sizeof v->err, "the stream closed (%s)",
                     n == 0 ? "end of stream" : strerror(errno));
            break;
        }
        v->len += (size_t)n;
        if (parse_frames(v, wall_us())) {
            snprintf(v->err, sizeof v->err, "the daemon closed the stream");
            break;
        }
    }
    return NULL;
}

/* The other viewers: read everything, parse only frame headers, count messages. */
typedef struct crowd_conn {
    int fd;
    uint8_t hdr[14];
    size_t hdr_len, hdr_need;
    uint64_t left;                      /* payload bytes still to skip */
    int fin, op, closed;
    uint64_t msgs, bytes;
} crowd_conn;

typedef struct crowd {
    crowd_conn *c;
    size_t n;
    atomic_int stop;
    _Atomic uint64_t msgs, bytes, closed;
} crowd;

static void crowd_feed(crowd *cr, crowd_conn *c, const uint8_t *p, size_t n)
{
    while (n) {
        if (c->left) {
            size_t k = n < c->left ? n : (size_t)c->left;
            p += k;
            n -= k;
            c->left -= k;
            if (!c->left && c->fin && c->op != 8) {
                c->msgs++;
                atomic_fetch_add_explicit(&cr->msgs, 1, memory_order_relaxed);
            }
            continue;
        }
        c->hdr[c->hdr_len++] = *p++;
        n--;
        if (c->hdr_len == 2) {
            uint8_t l = c->hdr[1] & 0x7f;
            c->hdr_need = 2 + (l == 126 ? 2 : l == 127 ? 8 : 0) + (c->hdr[1] & 0x80 ? 4 : 0);
        }
        if (c->hdr_len >= 2 && c->hdr_len == c->hdr_need) {
            uint8_t l = c->hdr[1] & 0x7f;
            uint64_t plen = l;
            if (l == 126)
                plen = (uint64_t)c->hdr[2] << 8 | c->hdr[3];
            else if (l == 127)
                for (int i = (plen = 0, 0); i < 8; i++)
                    plen = plen << 8 | c->hdr[2 + i];
            c->fin = c->hdr[0] & 0x80;
            c->op = c->hdr[0] & 0x0f;
            if (c->op == 8)
                c->closed = 1;
            c->hdr_len = 0;
            c->hdr_need = 0;
            c->left = plen;
            if (!plen && c->fin && c->op != 8) {
                c->msgs++;
                atomic_fetch_add_explicit(&cr->msgs, 1, memory_order_relaxed);
            }
        }
    }
}

static void crowd_first_bytes(void *ctx, size_t i, const uint8_t *p, size_t len)
{
    crowd *cr = ctx;
    crowd_feed(cr, &cr->c[i], p, len);
}

static void *crowd_main(void *arg)
{
    crowd *cr = arg;
    struct pollfd *pf = calloc(cr->n, sizeof *pf);
    static uint8_t buf[1 << 18];
    if (!pf)
        return NULL;
    for (size_t i = 0; i < cr->n; i++) {
        pf[i].fd = cr->c[i].fd;         /* -1 (never opened) is skipped by poll */
        pf[i].events = POLLIN;
    }
    while (!atomic_load(&cr->stop)) {
        int r = poll(pf, cr->n, 200);
        if (r <= 0)
            continue;
        for (size_t i = 0; i < cr->n; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            crowd_conn *c = &cr->c[i];
            for (int k = 0; k < 8; k++) {       /* fairness: a few reads each turn */
                ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n > 0) {
                    c->bytes += (uint64_t)n;
                    atomic_fetch_add_explicit(&cr->bytes, (uint64_t)n, memory_order_relaxed);
                    crowd_feed(cr, c, buf, (size_t)n);
                    if ((size_t)n < sizeof buf)
                        break;
                    continue;
                }
                if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                    pf[i].fd = -1;              /* gone: poll skips it */
                    c->closed = 1;
                    atomic_fetch_add(&cr->closed, 1);
                }
                break;
            }
        }
    }
    free(pf);
    return NULL;
}

/* ------------------------------------------------------------------ the daemon, its API */

/* GET path from the daemon; the body (malloc'd, NUL-terminated) or NULL. */
static char *http_get(int port, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char *buf = NULL;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        goto fail;
    char req[256];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n", path,
                     port);
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n)
        goto fail;
    size_t len = 0, cap = 65536;
    if (!(buf = malloc(cap)))
        goto fail;
    long clen = -1;
    for (;;) {
        if (len + 1 >= cap) {
            char *b = realloc(buf, cap * 2);
            if (!b)
                goto fail;
            buf = b;
            cap *= 2;
        }
        ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = 0;
        char *e = strstr(buf, "\r\n\r\n");
        if (e) {
            char *body = e + 4;
            char *cl = strcasestr(buf, "\r\ncontent-length:");
            if (cl && cl < e)
                clen = strtol(cl + 17, NULL, 10);
            if (clen >= 0 && (size_t)(buf + len - body) >= (size_t)clen)
                break;
        }
    }
    close(fd);
    fd = -1;
    char *e = buf ? strstr(buf, "\r\n\r\n") : NULL;
    if (!e || strncmp(buf, "HTTP/1.1 200", 12))
        goto fail;
    char *body = e + 4;
    size_t bl = (size_t)(buf + len - body);
    memmove(buf, body, bl);
    buf[bl] = 0;
    return buf;
fail:
    if (fd >= 0)
        close(fd);
    free(buf);
    return NULL;
}

typedef struct snap {
    double mono;
    int64_t wall;
    uint64_t sent_plots, sent_dgrams;
    double cpu_s;                       /* the daemon's user + system time */
    double loop_run_s, loop_wait_s;     /* its loop thread: on a CPU, runnable but waiting */
    long rss_kb, hwm_kb;
    int ok;
    uint64_t in_frames, in_obs, in_malformed, eng_obs, eng_rejected, tracks_now, late,
        unsupported, unknown_sensor, used, ws_frames, ws_bytes, ws_resyncs, viewers, rec_dropped,
        rec_queued, rec_written, track_reports, live_updates, dead;
    double lat_p50, lat_p99, lat_max;
} snap;

static uint64_t jint(json_t *o, const char *path)
{
    char key[64];
    const char *p = path;
    json_t *x = o;
    while (x && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        if (json_is_array(x))
            x = json_array_get(x, strtoul(key, NULL, 10));
        else
            x = json_object_get(x, key);
        p += n + (dot ? 1 : 0);
    }
    if (json_is_integer(x))
        return (uint64_t)json_integer_value(x);
    return json_is_real(x) ? (uint64_t)json_real_value(x) : 0;
}

static double jdbl(json_t *o, const char *a, const char *b, const char *c)
{
    json_t *x = json_object_get(json_object_get(json_object_get(o, a), b), c);
    return json_is_number(x) ? json_number_value(x) : NAN;
}

static void proc_read(pid_t pid, snap *s)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        fclose(f);
        char *p = strrchr(buf, ')');    /* the name may hold spaces; fields follow it */
        unsigned long ut = 0, st = 0;
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
                        &st) == 2)
            s->cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    }
    /* The main thread is the event loop: its time on a CPU and waiting for one. */
    snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
    if ((f = fopen(path, "r"))) {
        unsigned long long run = 0, wait = 0;
        if (fscanf(f, "%llu %llu", &run, &wait) == 2) {
            s->loop_run_s = (double)run * 1e-9;
            s->loop_wait_s = (double)wait * 1e-9;
        }
        fclose(f);
    }
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if ((f = fopen(path, "r"))) {
        while (fgets(buf, sizeof buf, f)) {
            if (!strncmp(buf, "VmHWM:", 6))
                s->hwm_kb = strtol(buf + 6, NULL, 10);
            else if (!strncmp(buf, "VmRSS:", 6))
                s->rss_kb = strtol(buf + 6, NULL, 10);
        }
        fclose(f);
    }
}

static void take_snap(int port, pid_t pid, const sender *sd, snap *s)
{
    memset(s, 0, sizeof *s);
    s->mono = mono_s();
    s->wall = wall_us();
    s->sent_plots = atomic_load(&sd->plots);
    s->sent_dgrams = atomic_load(&sd->datagrams);
    proc_read(pid, s);
    char *body = http_get(port, "/api/stats");
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;
    free(body);
    if (!j)
        return;
    s->ok = 1;
    s->in_frames = jint(j, "inputs.0.frames");
    s->in_obs = jint(j, "inputs.0.obs");
    s->in_malformed = jint(j, "inputs.0.malformed");
    s->eng_obs = jint(j, "engine.obs");
    s->eng_rejected = jint(j, "engine.obs_rejected");
    s->tracks_now = jint(j, "engine.tracks_now");
    s->track_reports = jint(j, "engine.track_reports");
    s->live_updates = jint(j, "engine.live_updates");
    s->dead = jint(j, "engine.dead");
    s->used = jint(j, "pipeline.used");
    s->late = jint(j, "pipeline.late");
    s->unsupported = jint(j, "pipeline.unsupported");
    s->unknown_sensor = jint(j, "pipeline.unknown_sensor");
    s->ws_frames = jint(j, "stream.frames");
    s->ws_bytes = jint(j, "stream.bytes");
    s->ws_resyncs = jint(j, "stream.resyncs");
    s->viewers = jint(j, "stream.viewers");
    s->rec_dropped = jint(j, "record.dropped");
    s->rec_queued = jint(j, "record.queued");
    s->rec_written = jint(j, "record.written");
    s->lat_p50 = jdbl(j, "stream", "latency_ms", "p50");
    s->lat_p99 = jdbl(j, "stream", "latency_ms", "p99");
    s->lat_max = jdbl(j, "stream", "latency_ms", "max");
    json_decref(j);
}

static void stop_daemon(pid_t pid, int *status_out)
{
    int st = 0;
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    double t0 = mono_s();
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD))
            break;
        if (mono_s() - t0 > 15) {
            fprintf(stderr, PROG ": the daemon did not stop in 15 s: SIGKILL\n");
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            break;
        }
        sleep_s(0.05);
    }
    if (status_out)
        *status_out = st;
}

/* The daemon's effective http.ws_period_s, from `dronewall run --check` with the same
 * arguments (argv[1] is "run"); NAN when it cannot be read. */
static double ws_period_of(const char *const *av)
{
    const char *cv[40];
    int n = 0;
    cv[n++] = av[0];
    cv[n++] = "run";
    cv[n++] = "--check";
    for (int i = 2; av[i] && n < 38; i++)
        cv[n++] = av[i];
    cv[n] = NULL;
    int fds[2];
    if (pipe(fds) != 0)
        return NAN;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return NAN;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        int nul = open("/dev/null", O_WRONLY);
        if (nul >= 0)
            dup2(nul, 2);
        close(fds[0]);
        close(fds[1]);
        execv(av[0], (char *const *)cv);
        _exit(127);
    }
    close(fds[1]);
    char buf[65536];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof buf - 1 && (r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = 0;
    close(fds[0]);
    waitpid(pid, NULL, 0);
    json_t *j = json_loads(buf, 0, NULL);
    json_t *x = json_object_get(json_object_get(j, "http"), "ws_period_s");
    double v = json_is_number(x) ? json_number_value(x) : NAN;
    json_decref(j);
    return v;
}

static void show_log(const char *dir)
{
    char path[1200], line[1024];
    snprintf(path, sizeof path, "%s/daemon.log", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fprintf(stderr, "--- the daemon's log:\n");
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}

/* ------------------------------------------------------------------ figures */

typedef struct window {
    snap a, b;
    double secs, sent_ps, in_ps, handled_ps, cpu_pct, loop_pct, loop_wait_pct;
    int64_t loss;
    double age_p50, age_p90, age_p99, age_max, first_p50, first_p99, first_max;
    double built_p50, built_p99, deliver_p50, deliver_p99, revisit_p50, revisit_p99;
    double newest_p50, newest_p99;
    double view_fps, view_mbps, crowd_mbps, crowd_fps_min;
    uint64_t samples, resyncs, late;
} window;

static void window_figures(window *w, meas *m, int phase)
{
    w->secs = w->b.mono - w->a.mono;
    w->sent_ps = (double)(w->b.sent_plots - w->a.sent_plots) / w->secs;
    w->in_ps = (double)(w->b.in_obs - w->a.in_obs) / w->secs;
    w->handled_ps = (double)(w->b.eng_obs - w->a.eng_obs) / w->secs;
    w->cpu_pct = 100.0 * (w->b.cpu_s - w->a.cpu_s) / w->secs;
    w->loop_pct = 100.0 * (w->b.loop_run_s - w->a.loop_run_s) / w->secs;
    w->loop_wait_pct = 100.0 * (w->b.loop_wait_s - w->a.loop_wait_s) / w->secs;
    w->loss = (int64_t)(w->b.sent_plots - w->a.sent_plots) - (int64_t)(w->b.in_obs - w->a.in_obs);
    w->resyncs = w->b.ws_resyncs - w->a.ws_resyncs;
    w->late = w->b.late - w->a.late;
    fvec *f = &m->age[phase];
    qsort(f->v, f->n, sizeof *f->v, cmp_float);
    w->samples = f->n;
    w->age_p50 = fv_q(f, 0.5);
    w->age_p90 = fv_q(f, 0.9);
    w->age_p99 = fv_q(f, 0.99);
    w->age_max = f->n ? f->v[f->n - 1] : NAN;
    f = &m->built[phase];
    qsort(f->v, f->n, sizeof *f->v, cmp_float);
    w->built_p50 = fv_q(f, 0.5);
    w->built_p99 = fv_q(f, 0.99);
    f = &m->newest[phase];
    qsort(f->v, f->n, sizeof *f->v, cmp_float);
    w->newest_p50 = fv_q(f, 0.5);
    w->newest_p99 = fv_q(f, 0.99);
    f = &m->deliver[phase];
    qsort(f->v, f->n, sizeof *f->v, cmp_float);
    w->deliver_p50 = fv_q(f, 0.5);
    w->deliver_p99 = fv_q(f, 0.99);
    f = &m->first[phase];
    qsort(f->v, f->n, sizeof *f->v, cmp_float);
    w->first_p50 = fv_q(f, 0.5);
    w->first_p99 = fv_q(f, 0.99);
    w->first_max = f->n ? f->v[f->n - 1] : NAN;
    w->view_fps = (double)m->frames[phase] / w->secs;
    w->view_mbps = (double)m->bytes[phase] / w->secs / 1e6;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROG " [options]\n"
            "  --dronewall PATH  the daemon's binary (default: ../dronewall beside this program)\n"
            "  --targets N       targets, each a track (default 1000)\n"
            "  --rate R          plots per second over all radars (default 50000)\n"
            "  --radars K        radars, each seeing every target (default 25)\n"
            "  --seconds S       each measured window (default 20)\n"
            "  --warmup S        before the first window (default 10)\n"
            "  --viewers V       WebSocket viewers in the second window (default 200)\n"
            "  --ws-period S     set http.ws_period_s (default: the daemon's own)\n"
            "  --quick           100 targets, 5,000 plots/s, 5 s windows, 3 s warm-up, 20 viewers\n"
            "  --keep            keep the scratch directory (the daemon's log and recording)\n"
            "The last line printed is one JSON object with the figures.\n");
}

static void self_dir(char *buf, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n <= 0) {
        snprintf(buf, cap, ".");
        return;
    }
    buf[n] = 0;
    char *s = strrchr(buf, '/');
    if (s)
        *s = 0;
}

int main(int argc, char **argv)
{
    char dronewall[PATH_MAX] = "";
    size_t n_targets = 1000, n_radars = 25, n_viewers = 200;
    double rate = 50000, seconds = 20, warmup = 10, ws_period = 0;
    int keep = 0;
    static const struct option opts[] = {{"dronewall", required_argument, 0, 'd'},
                                         {"targets", required_argument, 0, 'n'},
                                         {"rate", required_argument, 0, 'r'},
                                         {"radars", required_argument, 0, 'k'},
                                         {"seconds", required_argument, 0, 's'},
                                         {"warmup", required_argument, 0, 'w'},
                                         {"viewers", required_argument, 0, 'v'},
                                         {"ws-period", required_argument, 0, 'p'},
                                         {"quick", no_argument, 0, 'q'},
                                         {"keep", no_argument, 0, 'K'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'd': snprintf(dronewall, sizeof dronewall, "%s", optarg); break;
        case 'n': n_targets = strtoul(optarg, NULL, 10); break;
        case 'r': rate = atof(optarg); break;
        case 'k': n_radars = strtoul(optarg, NULL, 10); break;
        case 's': seconds = atof(optarg); break;
        case 'w': warmup = atof(optarg); break;
        case 'v': n_viewers = strtoul(optarg, NULL, 10); break;
        case 'p': ws_period = atof(optarg); break;
        case 'q':
            n_targets = 100;
            rate = 5000;
            seconds = 5;
            warmup = 3;
            n_viewers = 20;
            break;
        case 'K': keep = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || !n_targets || !n_radars || n_radars > 255 || !(rate > 0) ||
        !(seconds > 0) || !(warmup >= 0) || !n_viewers) {
        usage(stderr);
        return 2;
    }
    if (!dronewall[0]) {
        char d[PATH_MAX - 16];
        self_dir(d, sizeof d);
        snprintf(dronewall, sizeof dronewall, "%s/../dronewall", d);
    }
    if (access(dronewall, X_OK) != 0) {
        fprintf(stderr, PROG ": no daemon binary at %s (--dronewall PATH)\n", dronewall);
        return 1;
    }
    char *real = realpath(dronewall, NULL);
    if (real) {
        snprintf(dronewall, sizeof dronewall, "%s", real);
        free(real);
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* The workload: T ticks a rotation so that K radars x N targets / T = R. */
    int64_t scan_ticks = llround((double)n_radars * (double)n_targets / rate * TICKS_PER_S);
    if (scan_ticks < 1)
        scan_ticks = 1;
    const double period_s = (double)scan_ticks / TICKS_PER_S;
    const double rate_real = (double)n_radars * (double)n_targets / period_s;
    static world w;
    if (world_init(&w, n_targets, n_radars, scan_ticks)) {
        fprintf(stderr, PROG ": out of memory\n");
        return 1;
    }

    char tmpdir[] = "/tmp/dw_bench_daemon.XXXXXX";
    if (bench_tmp_make(tmpdir) != 0) {
        perror(PROG ": mkdtemp");
        return 1;
    }
    int rc = 1;
    pid_t pid = -1;
    sender sd;
    memset(&sd, 0, sizeof sd);
    sd.fd = -1;
    pthread_t th_send, th_view, th_crowd;
    int send_started = 0, view_started = 0, crowd_started = 0;
    static viewer v;
    memset(&v, 0, sizeof v);
    v.fd = -1;
    v.last_max_tick = INT64_MIN;
    crowd cr;
    memset(&cr, 0, sizeof cr);
    char path[1200], ready[1200], arg[1400];

    /* The sensors file. */
    snprintf(path, sizeof path, "%s/sensors.json", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        goto out;
    }
    fprintf(f, "{\"sensors\": [\n");
    for (size_t j = 0; j < n_radars; j++) {
        const radar *r = &w.r[j];
        fprintf(f,
                "  {\"id\": \"BENCH-RAD-%02zu\", \"wire_id\": \"%s\", \"kind\": \"radar\", "
                "\"owner\": \"PL\", \"lat_deg\": %.6f, \"lon_deg\": %.6f, \"alt_m\": %.0f, "
                "\"sigma\": {\"range_m\": %.0f, \"az_deg\": %.2f, \"alt_m\": %.0f}, \"pd\": 1.0, "
                "\"max_range_m\": 470000, \"period_s\": %.4f}%s\n",
                j + 1, r->wire, r->site.lat_deg, r->site.lon_deg, r->site.alt_m, w.sigma_range_m,
                w.sigma_az_rad * 180 / M_PI, w.sigma_alt_m, period_s, j + 1 < n_radars ? "," : "");
    }
    fprintf(f, "]}\n");
    if (fclose(f) != 0) {
        perror(path);
        goto out;
    }

    /* The daemon. */
    snprintf(ready, sizeof ready, "%s/ready.json", tmpdir);
    char a_sensors[1300], a_record[1300], a_period[64];
    snprintf(a_sensors, sizeof a_sensors, "sensors=%s", path);
    snprintf(a_record, sizeof a_record, "%s/bench.db", tmpdir);
    snprintf(a_period, sizeof a_period, "http.ws_period_s=%g", ws_period);
    const char *av[32];
    int ac = 0;
    av[ac++] = dronewall;
    av[ac++] = "run";
    av[ac++] = "--http";
    av[ac++] = "127.0.0.1:0";
    av[ac++] = "--ready-file";
    av[ac++] = ready;
    av[ac++] = "--record";
    av[ac++] = a_record;
    av[ac++] = "--set";
    av[ac++] = a_sensors;
    av[ac++] = "--set";
    av[ac++] = "inputs[0].kind=asterix_udp";
    av[ac++] = "--set";
    av[ac++] = "inputs[0].listen=127.0.0.1:0";
    av[ac++] = "--set";
    av[ac++] = "tracker.assoc=gnn";
    if (ws_period > 0) {
        av[ac++] = "--set";
        av[ac++] = a_period;
    }
    av[ac] = NULL;
    const double ws_period_eff = ws_period_of(av);
    snprintf(arg, sizeof arg, "%s/daemon.log", tmpdir);
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        perror(PROG ": fork");
        goto out;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);       /* the bench killed: so is the daemon */
        int lf = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (lf >= 0) {
            dup2(lf, 1);
            dup2(lf, 2);
            close(lf);
        }
        if (chdir(tmpdir) != 0)
            _exit(127);
        execv(dronewall, (char *const *)av);
        _exit(127);
    }
    int http_port = 0;
    char udp_addr[128] = "";
    for (double t0 = mono_s(); mono_s() - t0 < 30;) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            fprintf(stderr, PROG ": the daemon exited at start (status %d)\n", st);
            pid = -1;
            show_log(tmpdir);
            goto out;
        }
        json_t *j = json_load_file(ready, 0, NULL);
        if (j) {
            const char *h = json_string_value(json_object_get(j, "http"));
            const char *c = h ? strrchr(h, ':') : NULL;
            http_port = c ? atoi(c + 1) : 0;
            const char *k;
            json_t *x;
            json_object_foreach(json_object_get(j, "io"), k, x) {
                if (!udp_addr[0] && json_is_string(x))
                    snprintf(udp_addr, sizeof udp_addr, "%s", json_string_value(x));
            }
            json_decref(j);
            break;
        }
        sleep_s(0.05);
    }
    char *colon = strrchr(udp_addr, ':');
    if (!http_port || !colon) {
        fprintf(stderr, PROG ": no ready file from the daemon in 30 s\n");
        show_log(tmpdir);
        goto out;
    }
    *colon = 0;
    memset(&sd.to, 0, sizeof sd.to);
    sd.to.sin_family = AF_INET;
    sd.to.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, udp_addr, &sd.to.sin_addr) != 1) {
        fprintf(stderr, PROG ": the input's address %s is not IPv4\n", udp_addr);
        goto out;
    }

    /* The measuring viewer, before any plot. */
    uint8_t extra[4096];
    size_t n_extra = 0;
    v.fd = ws_connect(http_port, extra, sizeof extra, &n_extra);
    if (v.fd < 0 || grow(&v.in, &v.cap, 1 << 20)) {
        fprintf(stderr, PROG ": cannot open the WebSocket stream\n");
        show_log(tmpdir);
        goto out;
    }
    {
        struct timeval tv = {1, 0};
        setsockopt(v.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    memcpy(v.in, extra, n_extra);
    v.len = n_extra;
    if (pthread_create(&th_view, NULL, viewer_main, &v) != 0)
        goto out;
    view_started = 1;

    /* The radars. */
    dw_codec_config cc;
    memset(&cc, 0, sizeof cc);
    cc.edition = "sac=50,sic=1";
    if (dw_asterix_create(&cc, &sd.ax) != DW_OK) {
        fprintf(stderr, PROG ": no ASTERIX encoder\n");
        goto out;
    }
    sd.w = &w;
    sd.last_plot = calloc(n_targets, sizeof *sd.last_plot);
    sd.sector = malloc(n_targets * sizeof *sd.sector);
    if (!sd.last_plot || !sd.sector)
        goto out;
    sd.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sd.fd < 0) {
        perror(PROG ": socket");
        goto out;
    }
    int sndbuf = 4 << 20;
    setsockopt(sd.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    sd.first_tick = tick_floor(wall_us()) + TICKS_PER_S / 4;
    if (pthread_create(&th_send, NULL, sender_main, &sd) != 0)
        goto out;
    send_started = 1;

    printf("workload: %zu targets in a %.0f km box around %.1f N %.1f E (50-200 m/s, 1-5 km), "
           "%zu radars each seeing every target, a rotation in %.4f s, %d sectors a rotation "
           "(~%.0f plots a datagram): %.0f plots/s, %.0f datagrams/s, ASTERIX CAT048 over UDP\n",
           n_targets, BOX_KM, CENTRE_LAT, CENTRE_LON, n_radars, period_s, w.sectors,
           (double)n_targets / w.sectors, rate_real, (double)n_radars * w.sectors / period_s);
    printf("daemon: %s run, tracker.assoc gnn, recording on, http.ws_period_s %g%s; "
           "warm-up %.0f s, windows %.0f s; %d cores here\n",
           dronewall, ws_period_eff, ws_period > 0 ? "" : " (its default)", warmup, seconds,
           (int)sysconf(_SC_NPROCESSORS_ONLN));
    fflush(stdout);

    /* Warm-up, then the window with one viewer. */
    sleep_s(0.25 + warmup);
    if (g_interrupted)
        goto out;
    window w1, w2;
    memset(&w1, 0, sizeof w1);
    memset(&w2, 0, sizeof w2);
    take_snap(http_port, pid, &sd, &w1.a);
    fprintf(stderr, PROG ": window 1: one viewer, %.0f s\n", seconds);
    atomic_store(&g_phase, 1);
    sleep_s(seconds);
    atomic_store(&g_phase, 0);
    take_snap(http_port, pid, &sd, &w1.b);
    if (g_interrupted)
        goto out;
    if (!w1.a.ok || !w1.b.ok) {
        fprintf(stderr, PROG ": /api/stats did not answer\n");
        show_log(tmpdir);
        goto out;
    }

    /* The crowd. */
    size_t n_crowd = n_viewers - 1;
    cr.c = calloc(n_crowd ? n_crowd : 1, sizeof *cr.c);
    if (!cr.c)
        goto out;
    int *cfd = calloc(n_crowd ? n_crowd : 1, sizeof *cfd);
    if (!cfd)
        goto out;
    double c0 = mono_s();
    fprintf(stderr, PROG ": connecting %zu more viewers\n", n_crowd);
    cr.n = n_crowd;
    size_t opened = ws_connect_many(http_port, cfd, n_crowd, 60, crowd_first_bytes, &cr);
    for (size_t i = 0; i < n_crowd; i++)
        cr.c[i].fd = cfd[i];
    free(cfd);
    double connect_s = mono_s() - c0;
    if (opened < n_crowd)
        fprintf(stderr, PROG ": %zu of %zu more viewers could not connect in 60 s\n",
                n_crowd - opened, n_crowd);
    if (cr.n && pthread_create(&th_crowd, NULL, crowd_main, &cr) == 0)
        crowd_started = 1;
    sleep_s(3);
    if (g_interrupted)
        goto out;
    uint64_t crowd_bytes0 = atomic_load(&cr.bytes), crowd_msgs0 = atomic_load(&cr.msgs);
    uint64_t *per0 = calloc(cr.n ? cr.n : 1, sizeof *per0);
    for (size_t i = 0; per0 && i < cr.n; i++)
        per0[i] = cr.c[i].msgs;
    take_snap(http_port, pid, &sd, &w2.a);
    fprintf(stderr, PROG ": window 2: %zu viewers, %.0f s\n", opened + 1, seconds);
    atomic_store(&g_phase, 2);
    sleep_s(seconds);
    atomic_store(&g_phase, 0);
    take_snap(http_port, pid, &sd, &w2.b);
    if (g_interrupted)
        goto out;
    uint64_t crowd_bytes = atomic_load(&cr.bytes) - crowd_bytes0,
             crowd_msgs = atomic_load(&cr.msgs) - crowd_msgs0;
    uint64_t crowd_min = UINT64_MAX;
    for (size_t i = 0; per0 && i < cr.n; i++)
        if (cr.c[i].fd >= 0 && cr.c[i].msgs - per0[i] < crowd_min)
            crowd_min = cr.c[i].msgs - per0[i];
    free(per0);

    /* Stop sending; give the daemon a moment to take what is in flight. */
    fprintf(stderr, PROG ": stopping\n");
    atomic_store(&sd.stop, 1);
    pthread_join(th_send, NULL);
    send_started = 0;
    sleep_s(1.0);
    snap fin;
    take_snap(http_port, pid, &sd, &fin);
    uint64_t crowd_closed = atomic_load(&cr.closed);
    atomic_store(&cr.stop, 1);
    if (crowd_started)
        pthread_join(th_crowd, NULL);
    crowd_started = 0;
    atomic_store(&v.stop, 1);
    pthread_join(th_view, NULL);
    view_started = 0;
    if (!w2.a.ok || !w2.b.ok || !fin.ok) {
        fprintf(stderr, PROG ": /api/stats did not answer\n");
        show_log(tmpdir);
        goto out;
    }
    window_figures(&w1, &v.m, 1);
    window_figures(&w2, &v.m, 2);
    for (int p = 1; p <= 2; p++) {
        window *wp = p == 1 ? &w1 : &w2;
        fvec *rf = &sd.revisit[p];
        qsort(rf->v, rf->n, sizeof *rf->v, cmp_float);
        wp->revisit_p50 = fv_q(rf, 0.5);
        wp->revisit_p99 = fv_q(rf, 0.99);
    }
    w2.crowd_mbps = (double)crowd_bytes / w2.secs / 1e6;
    const size_t n_open = opened;       /* the crowd that is connected */
    w2.crowd_fps_min = crowd_min != UINT64_MAX ? (double)crowd_min / w2.secs : 0;

    /* ---- the figures */
    const double bound_ms = 50, bound_rate = rate_real;
    const uint64_t lost = fin.sent_plots - fin.in_obs;
    printf("daemon: obs in %.0f/s sent, %.0f/s received, %.0f/s handled by the engine "
           "(bound %.0f/s: %.3f); 1 viewer, %.0f s window\n",
           w1.sent_ps, w1.in_ps, w1.handled_ps, bound_rate, w1.handled_ps / bound_rate, w1.secs);
    printf("daemon: p99 datagram->frame %.1f ms (bound %.0f ms: %.2f); p50 %.1f, p90 %.1f, max "
           "%.1f ms over %llu track lines\n",
           w1.age_p99, bound_ms, w1.age_p99 / bound_ms, w1.age_p50, w1.age_p90, w1.age_max,
           (unsigned long long)w1.samples);
    printf("daemon: of which: datagram sent -> frame made p50 %.1f, p99 %.1f ms; frame made -> "
           "received p50 %.1f, p99 %.1f ms (the frame's t_us is the daemon's clock)\n",
           w1.built_p50, w1.built_p99, w1.deliver_p50, w1.deliver_p99);
    printf("daemon: the radars' share of it, no daemon involved: a target's latest plot was sent "
           "p50 %.1f, p99 %.1f ms before a given moment (25 radars' plots a target, not evenly "
           "spaced)\n", w1.revisit_p50, w1.revisit_p99);
    printf("daemon: a datagram's wait for its first frame: p50 %.1f ms, p99 %.1f ms, max %.1f ms "
           "(includes the frame period, %g s, and the per-track pacing); each frame's "
           "newest plot: p50 %.1f, p99 %.1f ms\n",
           w1.first_p50, w1.first_p99, w1.first_max, ws_period_eff, w1.newest_p50, w1.newest_p99);
    printf("daemon: the daemon's own stream.latency_ms (change -> first write, since start): "
           "p50 %.1f, p99 %.1f, max %.1f ms\n", w1.b.lat_p50, w1.b.lat_p99, w1.b.lat_max);
    printf("daemon: tracks in the picture %llu (bound %zu targets: %.3f); pipeline.late %llu, "
           "unsupported %llu, unknown sensor %llu, malformed datagrams %llu\n",
           (unsigned long long)w1.b.tracks_now, n_targets,
           (double)w1.b.tracks_now / (double)n_targets,
           (unsigned long long)w1.late, (unsigned long long)(w1.b.unsupported - w1.a.unsupported),
           (unsigned long long)(w1.b.unknown_sensor - w1.a.unknown_sensor),
           (unsigned long long)(w1.b.in_malformed - w1.a.in_malformed));
    printf("daemon: 1 viewer: %.1f frames/s, %.2f MB/s; the engine's live updates %.0f/s, "
           "track reports %.0f/s; CPU %.0f %% of a core\n", w1.view_fps, w1.view_mbps,
           (double)(w1.b.live_updates - w1.a.live_updates) / w1.secs,
           (double)(w1.b.track_reports - w1.a.track_reports) / w1.secs, w1.cpu_pct);
    printf("daemon: its event loop (one thread) on a CPU %.0f %% of the time, runnable but waiting "
           "for one %.1f %% (1 viewer); %.0f %% and %.1f %% (%zu viewers)\n", w1.loop_pct,
           w1.loop_wait_pct, w2.loop_pct, w2.loop_wait_pct, n_open + 1);
    printf("daemon: %zu viewers (%zu more connected in %.2f s): handled %.0f/s (1 viewer: %.0f/s; "
           "ratio %.3f), p99 %.1f ms (1 viewer: %.1f ms; ratio %.2f), CPU %.0f %% of a core "
           "(1 viewer: %.0f %%)\n",
           n_open + 1, n_open, connect_s, w2.handled_ps, w1.handled_ps,
           w2.handled_ps / w1.handled_ps,
           w2.age_p99, w1.age_p99, w2.age_p99 / w1.age_p99, w2.cpu_pct, w1.cpu_pct);
    printf("daemon: %zu viewers: p50 %.1f, p90 %.1f, max %.1f ms; first frame p50 %.1f, p99 %.1f "
           "ms; sent %.0f/s, received %.0f/s, late %llu; tracks %llu\n",
           n_open + 1, w2.age_p50, w2.age_p90, w2.age_max, w2.first_p50, w2.first_p99, w2.sent_ps,
           w2.in_ps, (unsigned long long)w2.late, (unsigned long long)w2.b.tracks_now);
    printf("daemon: %zu viewers: datagram sent -> frame made p50 %.1f, p99 %.1f ms; frame made -> "
           "received p50 %.1f, p99 %.1f ms; each frame's newest plot p50 %.1f, p99 %.1f ms\n",
           n_open + 1, w2.built_p50, w2.built_p99, w2.deliver_p50, w2.deliver_p99, w2.newest_p50,
           w2.newest_p99);
    printf("daemon: %zu viewers: the measuring viewer %.1f frames/s, %.2f MB/s; the other %zu "
           "%.1f MB/s together, %.1f messages/s each on average, the slowest %.1f/s; "
           "resyncs %llu (1 viewer: %llu), streams closed %llu\n",
           n_open + 1, w2.view_fps, w2.view_mbps, n_open, w2.crowd_mbps,
           n_open ? (double)crowd_msgs / (double)n_open / w2.secs : 0.0, w2.crowd_fps_min,
           (unsigned long long)w2.resyncs, (unsigned long long)w1.resyncs,
           (unsigned long long)crowd_closed);
    printf("daemon: the daemon's own stream.latency_ms since start: p50 %.1f, p99 %.1f, max "
           "%.1f ms\n", w2.b.lat_p50, w2.b.lat_p99, w2.b.lat_max);
    printf("daemon: UDP loss over the run: %llu of %llu plots sent (%.3f %%); "
           "recording: %llu rows queued, %llu written, %llu dropped\n",
           (unsigned long long)lost, (unsigned long long)fin.sent_plots,
           fin.sent_plots ? 100.0 * (double)lost / (double)fin.sent_plots : 0.0,
           (unsigned long long)fin.rec_queued, (unsigned long long)fin.rec_written,
           (unsigned long long)fin.rec_dropped);
    printf("daemon: peak RSS %.1f MB (RSS now %.1f MB); sender late ticks %llu, plots out of "
           "range %llu\n",
           (double)fin.hwm_kb / 1024.0, (double)fin.rss_kb / 1024.0,
           (unsigned long long)atomic_load(&sd.late_ticks),
           (unsigned long long)atomic_load(&sd.skipped));
    if (v.err[0])
        printf("daemon: the measuring viewer: %s\n", v.err);
    printf("{\"bench\":\"daemon\",\"targets\":%zu,\"radars\":%zu,\"rate_bound\":%.0f,"
           "\"viewers\":%zu,\"w1\":{\"sent_per_s\":%.0f,\"handled_per_s\":%.0f,"
           "\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,\"first_p99_ms\":%.2f,"
           "\"newest_p99_ms\":%.2f,\"revisit_p99_ms\":%.2f,\"cpu_pct\":%.1f,"
           "\"loop_wait_pct\":%.1f,\"tracks\":%llu,\"late\":%llu,\"resyncs\":%llu},"
           "\"w2\":{\"sent_per_s\":%.0f,\"handled_per_s\":%.0f,\"p50_ms\":%.2f,\"p90_ms\":%.2f,"
           "\"p99_ms\":%.2f,\"max_ms\":%.2f,\"first_p99_ms\":%.2f,\"newest_p99_ms\":%.2f,"
           "\"revisit_p99_ms\":%.2f,\"cpu_pct\":%.1f,\"loop_wait_pct\":%.1f,\"tracks\":%llu,"
           "\"late\":%llu,\"resyncs\":%llu,\"crowd_mb_per_s\":%.1f},"
           "\"p99_bound_ms\":%.0f,\"lost\":%llu,\"sent\":%llu,\"peak_rss_mb\":%.1f,"
           "\"daemon_lat_p99_ms\":%.1f,\"record_dropped\":%llu}\n",
           n_targets, n_radars, bound_rate, n_open + 1, w1.sent_ps, w1.handled_ps, w1.age_p50,
           w1.age_p90, w1.age_p99, w1.age_max, w1.first_p99, w1.newest_p99, w1.revisit_p99,
           w1.cpu_pct, w1.loop_wait_pct,
           (unsigned long long)w1.b.tracks_now, (unsigned long long)w1.late,
           (unsigned long long)w1.resyncs, w2.sent_ps, w2.handled_ps, w2.age_p50, w2.age_p90,
           w2.age_p99, w2.age_max, w2.first_p99, w2.newest_p99, w2.revisit_p99, w2.cpu_pct,
           w2.loop_wait_pct,
           (unsigned long long)w2.b.tracks_now,
           (unsigned long long)w2.late, (unsigned long long)w2.resyncs, w2.crowd_mbps, bound_ms,
           (unsigned long long)lost, (unsigned long long)fin.sent_plots,
           (double)fin.hwm_kb / 1024.0, w2.b.lat_p99, (unsigned long long)fin.rec_dropped);
    rc = 0;
out:
    if (send_started) {
        atomic_store(&sd.stop, 1);
        pthread_join(th_send, NULL);
    }
    if (crowd_started) {
        atomic_store(&cr.stop, 1);
        pthread_join(th_crowd, NULL);
    }
    if (view_started) {
        atomic_store(&v.stop, 1);
        pthread_join(th_view, NULL);
    }
    for (size_t i = 0; i < cr.n; i++)
        if (cr.c[i].fd >= 0)
            close(cr.c[i].fd);
    free(cr.c);
    if (v.fd >= 0)
        close(v.fd);
    if (pid > 0) {
        int st = 0;
        stop_daemon(pid, &st);
        if (rc == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
            fprintf(stderr, PROG ": the daemon ended with status %d\n", st);
    }
    if (sd.fd >= 0)
        close(sd.fd);
    dw_asterix_destroy(sd.ax);
    for (int p = 0; p < N_PHASES; p++) {
        free(v.m.age[p].v);
        free(v.m.first[p].v);
        free(v.m.built[p].v);
        free(v.m.deliver[p].v);
        free(v.m.newest[p].v);
    }
    free(v.in);
    free(v.msg);
    free(sd.last_plot);
    free(sd.sector);
    for (int p = 0; p < N_PHASES; p++)
        free(sd.revisit[p].v);
    world_free(&w);
    if (keep)
        fprintf(stderr, PROG ": kept %s\n", tmpdir);
    else
        bench_tmp_remove(PROG, tmpdir);
    return rc;
}

/* dw_bench_modes — how fast the Beast codec turns a real Mode S stream into
 * observations and raw JSON.
 *
 *   dw_bench_modes [--input FILE] [--mb N] [--runs K]
 *
 * The input (default: the shared 61 s Beast recording) is framed once, and
 * its frames are written again, copy after copy, with their 12 MHz counters
 * moved on by the recording's length each time, until the stream is at
 * least N MB (default 50): one continuous, ever later stream, so the
 * aircraft table and CPR pairing work as on a live feed rather than seeing
 * time jump back. Three passes are timed over it, best of K runs each:
 *   frame  — the codec's framing alone (find, unescape-check): the bound;
 *   obs    — frame + decode, observations only (what the tracker uses);
 *   raw    — frame + decode, raw JSON copied into a 4 MiB ring buffer
 *            (`dronewall decode --raw` without the write).
 * The last line is one JSON object; ratio_* are each pass against the
 * framing bound measured in the same run. This is a benchmark program: it,
 * like app/, reads the wall clock.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dronewall/codec.h"
#include "dronewall/modes.h"

#define RECORDING "data/adsb/beastblackbox/ulss7-beast-bin-utc--1522782148.136310917--.log"
#define RING (4u << 20)
#define START_US 1522782148136310LL

extern const dw_codec_ops dw_codec_beast;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct sinkctx {
    char *ring;
    size_t at;
    uint64_t raw_bytes, obs;
    double checksum;
} sinkctx;

static void on_raw(void *ctx, const char *json, size_t len)
{
    sinkctx *s = ctx;
    if (s->at + len + 1 > RING)
        s->at = 0;
    memcpy(s->ring + s->at, json, len);
    s->at += len;
    s->ring[s->at++] = '\n';
    s->raw_bytes += len + 1;
}

static void on_obs(void *ctx, const dw_obs *o)
{
    sinkctx *s = ctx;
    s->obs++;
    s->checksum += o->lat_deg;  /* keep the work observable */
}

typedef struct result {
    double wall_s, cpu_s;
    dw_decode_stats stats;
    uint64_t raw_bytes;
} result;

/* mode 0: frame only; 1: obs; 2: raw */
static result pass(const uint8_t *buf, size_t len, int mode, sinkctx *sc)
{
    result r;
    memset(&r, 0, sizeof r);
    void *st = NULL;
    if (mode && dw_codec_beast.create(NULL, &st) != DW_OK) {
        fprintf(stderr, "dw_bench_modes: create failed\n");
        exit(1);
    }
    dw_decode_sink sink = {on_raw, on_obs, sc, mode == 2, mode == 1, {0}};
    dw_frame_meta meta = {START_US, DW_LINK_STREAM, 0, 0, "bench"};
    sc->at = 0;
    sc->raw_bytes = 0;
    double w0 = now_s(), c0 = cpu_s();
    size_t off = 0;
    uint64_t frames = 0;
    for (;;) {
        size_t skip = 0, fl = 0;
        if (dw_codec_beast.frame(buf + off, len - off, &skip, &fl) != DW_OK)
            break;
        off += skip;
        if (mode)
            dw_codec_beast.decode(st, buf + off, fl, &meta, &sink);
        frames++;
        off += fl;
    }
    r.wall_s = now_s() - w0;
    r.cpu_s = cpu_s() - c0;
    r.stats = sink.stats;
    if (!mode)
        r.stats.frames = frames;
    r.raw_bytes = sc->raw_bytes;
    if (st)
        dw_codec_beast.destroy(st);
    return r;
}

int main(int argc, char **argv)
{
    const char *input = NULL;
    double want_mb = 50;
    int runs = 3;
    static const struct option opts[] = {{"input", required_argument, NULL, 'i'},
                                         {"mb", required_argument, NULL, 'm'},
                                         {"runs", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'i': input = optarg; break;
        case 'm': want_mb = atof(optarg); break;
        case 'r': runs = atoi(optarg); break;
        case 'h':
            printf("usage: dw_bench_modes [--input BEAST_FILE] [--mb N] [--runs K]\n");
            return 0;
        default:
            fprintf(stderr, "usage: dw_bench_modes [--input BEAST_FILE] [--mb N] [--runs K]\n");
            return 2;
        }
    }
    char def[4096];
    if (!input) {
        /* $DW_SHARED_DIR, else ../shared beside the source tree */
        const char *shared = getenv("DW_SHARED_DIR");
        if (shared && *shared) {
            snprintf(def, sizeof def, "%s/%s", shared, RECORDING);
        } else {
            const char *src = __FILE__, *slash = strstr(src, "/bench/");
            snprintf(def, sizeof def, "%.*s/../shared/%s", slash ? (int)(slash - src) : 1,
                     slash ? src : ".", RECORDING);
        }
        input = def;
    }
    if (runs < 1 || want_mb <= 0) {
        fprintf(stderr, "dw_bench_modes: --runs and --mb must be positive\n");
        return 2;
    }
    FILE *f = fopen(input, "rb");
    if (!f) {
        perror(input);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *rec = malloc((size_t)n);
    if (!rec || fread(rec, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "dw_bench_modes: cannot read %s\n", input);
        return 1;
    }
    fclose(f);

    /* the recording's frames: type, counter, signal, payload */
    typedef struct fr {
        uint8_t type, signal, len, payload[14];
        uint64_t ticks;
    } fr;
    size_t nfr = 0, cap = 1024;
    fr *frs = malloc(cap * sizeof *frs);
    uint64_t tmin = UINT64_MAX, tmax = 0;
    size_t off = 0;
    for (;;) {
        size_t skip, fl;
        if (dw_codec_beast.frame(rec + off, (size_t)n - off, &skip, &fl) != DW_OK)
            break;
        off += skip;
        const uint8_t *p = rec + off + 2, *e = rec + off + fl;
        uint8_t body[21];
        size_t k = 0;
        while (p < e && k < sizeof body) {
            body[k++] = *p;
            p += (*p == 0x1a) ? 2 : 1;
        }
        uint8_t type = rec[off + 1];
        size_t plen = type == '1' ? 2 : type == '2' ? 7 : 14;
        if (k == 7 + plen) {
            if (nfr == cap)
                frs = realloc(frs, (cap *= 2) * sizeof *frs);
            fr *x = &frs[nfr++];
            x->type = type;
            x->ticks = 0;
            for (int i = 0; i < 6; i++)
                x->ticks = x->ticks << 8 | body[i];
            x->signal = body[6];
            x->len = (uint8_t)plen;
            memcpy(x->payload, body + 7, plen);
            if (x->ticks < tmin)
                tmin = x->ticks;
            if (x->ticks > tmax)
                tmax = x->ticks;
        }
        off += fl;
    }
    free(rec);
    if (!nfr) {
        fprintf(stderr, "dw_bench_modes: no Beast frames in %s\n", input);
        return 1;
    }
    /* copies, each a recording-length (plus a second) later */
    uint64_t span = tmax - tmin + 12000000;
    size_t want = (size_t)(want_mb * 1e6);
    size_t bcap = want + 64 * 1024;
    uint8_t *buf = malloc(bcap), *w = buf, *end = buf + bcap;
    int copies = 0;
    while ((size_t)(w - buf) < want) {
        for (size_t i = 0; i < nfr; i++) {
            uint8_t *q;
            uint64_t t = (frs[i].ticks + (uint64_t)copies * span) & 0xFFFFFFFFFFFFull;
            if (dw_beast_encode(frs[i].type, t, frs[i].signal, frs[i].payload, frs[i].len, w, end,
                                &q) != DW_OK)
                break;
            w = q;
        }
        copies++;
    }
    size_t len = (size_t)(w - buf);
    free(frs);

    sinkctx sc = {malloc(RING), 0, 0, 0, 0};
    result best[3];
    for (int mode = 0; mode < 3; mode++) {
        for (int k = 0; k < runs; k++) {
            result r = pass(buf, len, mode, &sc);
            if (k == 0 || r.cpu_s < best[mode].cpu_s)
                best[mode] = r;
        }
    }
    double mb = (double)len / 1e6;
    uint64_t msgs = best[1].stats.frames;
    fprintf(stderr,
            "dw_bench_modes: %.1f MB (%d copies of %zu frames), %llu frames, %llu obs, "
            "%llu raw bytes\n",
            mb, copies, nfr, (unsigned long long)msgs, (unsigned long long)best[1].stats.obs,
            (unsigned long long)best[2].raw_bytes);
    for (int mode = 0; mode < 3; mode++)
        fprintf(stderr, "  %-5s wall %.3f s, cpu %.3f s: %.0f frames/s, %.1f MB/s\n",
                mode == 0 ? "frame" : mode == 1 ? "obs" : "raw", best[mode].wall_s,
                best[mode].cpu_s, (double)msgs / best[mode].cpu_s, mb / best[mode].cpu_s);
    printf("{\"bench\":\"modes\",\"input_mb\":%.2f,\"copies\":%d,\"messages\":%llu,\"obs\":%llu,"
           "\"crc_errors\":%llu,\"raw_bytes\":%llu,"
           "\"frame_msgs_per_s\":%.0f,\"frame_mb_per_s\":%.1f,"
           "\"obs_msgs_per_s\":%.0f,\"obs_mb_per_s\":%.1f,"
           "\"raw_msgs_per_s\":%.0f,\"raw_mb_per_s\":%.1f,"
           "\"ratio_obs_vs_framing\":%.3f,\"ratio_raw_vs_framing\":%.3f,\"runs\":%d,"
           "\"timing\":\"cpu, best of runs\"}\n",
           mb, copies, (unsigned long long)msgs, (unsigned long long)best[1].stats.obs,
           (unsigned long long)best[1].stats.crc_errors, (unsigned long long)best[2].raw_bytes,
           (double)msgs / best[0].cpu_s, mb / best[0].cpu_s, (double)msgs / best[1].cpu_s,
           mb / best[1].cpu_s, (double)msgs / best[2].cpu_s, mb / best[2].cpu_s,
           best[0].cpu_s / best[1].cpu_s, best[0].cpu_s / best[2].cpu_s, runs);
    free(sc.ring);
    free(buf);
    return 0;
}

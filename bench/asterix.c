/* dw_bench_asterix — ASTERIX decoding speed, to observations and to raw JSON.
 *
 *   dw_bench_asterix [--pcap FILE] [--repeat N] [--runs K] [--only obs|raw]
 *
 * Builds one stream in memory from the data blocks of a capture (default
 * ../shared/data/asterix/croatiacontrol/cat_034_048.pcap, 120 blocks of
 * CAT034 and CAT048) repeated N times (default 7,265: 1,176,930 records,
 * about 50 MB), then runs the codec over it as the decode driver would —
 * frame(), then decode() per block — (a) to dw_obs only and (b) to raw JSON
 * copied into an in-memory buffer, each K times (default 3), best run kept.
 * The peer is CroatiaControl's `asterix -j`, 34,000 records/s on the same
 * kind of input (its published figure); the last line is one JSON object
 * with both. This is a benchmark program: it reads the wall clock.
 */
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dronewall/codec.h"

#define PEER_RECORDS_PER_S 34000.0

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
/* CPU time of this thread: what the decoding cost on its core, whatever else
 * the machine was doing. */
static double cpu_s(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID); }

typedef struct counts {
    uint64_t obs, raw_bytes;
    double checksum;            /* keeps the work from being optimised away */
    char *out;                  /* raw JSON lands here, wrapping             */
    size_t out_cap, out_len;
} counts;

static void on_obs(void *ctx, const dw_obs *o)
{
    counts *c = ctx;
    c->obs++;
    c->checksum += o->range_m + (double)o->t_us * 1e-12;
}

static void on_raw(void *ctx, const char *json, size_t len)
{
    counts *c = ctx;
    if (c->out_len + len + 1 > c->out_cap)
        c->out_len = 0;
    memcpy(c->out + c->out_len, json, len);
    c->out[c->out_len + len] = '\n';
    c->out_len += len + 1;
    c->raw_bytes += len + 1;
}

/* The UDP payloads of an Ethernet/IPv4/UDP capture, concatenated. */
static uint8_t *blocks_of(const char *path, size_t *n)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc) {
        fprintf(stderr, "dw_bench_asterix: %s\n", err);
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *b = malloc(cap);
    struct pcap_pkthdr *h;
    const u_char *d;
    while (b && pcap_next_ex(pc, &h, &d) == 1) {
        if (h->caplen < 42 || d[12] != 0x08 || d[13] != 0)
            continue;
        size_t ihl = (size_t)(d[14] & 15) * 4;
        if (d[14 + 9] != 17 || 14 + ihl + 8 > h->caplen)
            continue;
        const u_char *udp = d + 14 + ihl;
        size_t ul = (size_t)udp[4] << 8 | udp[5];
        if (ul < 8 || 14 + ihl + ul > h->caplen)
            continue;
        while (len + ul > cap)
            b = realloc(b, cap *= 2);
        memcpy(b + len, udp + 8, ul - 8);
        len += ul - 8;
    }
    pcap_close(pc);
    *n = len;
    return b;
}

typedef struct result {
    double secs, cpu_secs;
    dw_decode_stats st;
    counts c;
} result;

static int run(const dw_codec_ops *ops, const uint8_t *s, size_t n, int want_obs, int want_raw,
               counts *cnt, result *out)
{
    void *state;
    dw_codec_config cfg = {0};
    if (ops->create(&cfg, &state) != DW_OK)
        return -1;
    dw_decode_sink sink = {on_raw, on_obs, cnt, want_raw, want_obs, {0}};
    dw_frame_meta meta = {1462433756000000, DW_LINK_STREAM, 0, 0, "bench"};
    double t0 = now_s(), c0 = cpu_s();
    size_t off = 0;
    while (off < n) {
        size_t skip = 0, fl = 0;
        if (ops->frame(s + off, n - off, &skip, &fl) != DW_OK)
            break;
        off += skip;
        ops->decode(state, s + off, fl, &meta, &sink);
        off += fl;
    }
    out->secs = now_s() - t0;
    out->cpu_secs = cpu_s() - c0;
    out->st = sink.stats;
    out->c = *cnt;
    ops->destroy(state);
    return 0;
}

int main(int argc, char **argv)
{
    const char *pcap = NULL;
    long repeat = 7265, runs = 3;
    const char *only = "";
    static const struct option opts[] = {{"pcap", required_argument, 0, 'p'},
                                         {"repeat", required_argument, 0, 'r'},
                                         {"runs", required_argument, 0, 'k'},
                                         {"only", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "p:r:k:o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'p': pcap = optarg; break;
        case 'r': repeat = strtol(optarg, NULL, 10); break;
        case 'k': runs = strtol(optarg, NULL, 10); break;
        case 'o': only = optarg; break;
        default:
            fprintf(ch == 'h' ? stdout : stderr,
                    "usage: dw_bench_asterix [--pcap FILE] [--repeat N] [--runs K] [--only obs|raw]\n"
                    "The last line printed is one JSON object with the figures.\n");
            return ch == 'h' ? 0 : 2;
        }
    }
    char def[4096];
    if (!pcap) {
        /* $DW_SHARED_DIR, else ../shared beside the source tree */
        const char *shared = getenv("DW_SHARED_DIR");
        if (shared && *shared) {
            snprintf(def, sizeof def, "%s/data/asterix/croatiacontrol/cat_034_048.pcap", shared);
        } else {
            const char *src = __FILE__, *slash = strstr(src, "/bench/");
            snprintf(def, sizeof def, "%.*s/../shared/data/asterix/croatiacontrol/cat_034_048.pcap",
                     slash ? (int)(slash - src) : 1, slash ? src : ".");
        }
        pcap = def;
    }
    if (repeat < 1 || runs < 1)
        return 2;
    size_t one;
    uint8_t *blocks = blocks_of(pcap, &one);
    if (!blocks || !one)
        return 1;
    size_t n = one * (size_t)repeat;
    uint8_t *stream = malloc(n);
    if (!stream)
        return 1;
    for (long i = 0; i < repeat; i++)
        memcpy(stream + (size_t)i * one, blocks, one);
    const dw_codec_ops *ops = dw_codec_find("asterix");
    if (!ops)
        return 1;

    counts cnt = {0};
    cnt.out_cap = 64u << 20;
    cnt.out = malloc(cnt.out_cap);
    result best_obs = {1e30, 1e30, {0}, {0}}, best_raw = {1e30, 1e30, {0}, {0}}, r;
    for (long k = 0; k < runs; k++) {
        counts c = {0};
        if (strcmp(only, "raw")) {
            if (run(ops, stream, n, 1, 0, &c, &r) < 0)
                return 1;
            if (r.secs < best_obs.secs)
                best_obs = r;
        }
        if (strcmp(only, "obs")) {
            c = cnt;
            c.out_len = c.raw_bytes = 0;
            if (run(ops, stream, n, 0, 1, &c, &r) < 0)
                return 1;
            if (r.secs < best_raw.secs)
                best_raw = r;
        }
    }
    double mb = (double)n / 1e6;
    double obs_cpu_rps = (double)best_obs.st.records / best_obs.cpu_secs;
    double raw_cpu_rps = (double)best_raw.st.records / best_raw.cpu_secs;
    double obs_rps = (double)best_obs.st.records / best_obs.secs;
    double raw_rps = (double)best_raw.st.records / best_raw.secs;
    printf("input: %s x %ld = %.1f MB, %llu blocks, %llu records (malformed %llu, unknown %llu)\n",
           pcap, repeat, mb, (unsigned long long)best_obs.st.frames,
           (unsigned long long)best_obs.st.records, (unsigned long long)best_obs.st.malformed,
           (unsigned long long)best_obs.st.unknown);
    printf("(a) to dw_obs:   %.3f s, %.2f M records/s, %.0f MB/s, %llu obs (checksum %.6g); "
           "CPU %.3f s, %.2f M records/s\n",
           best_obs.secs, obs_rps / 1e6, mb / best_obs.secs, (unsigned long long)best_obs.st.obs,
           best_obs.c.checksum, best_obs.cpu_secs, obs_cpu_rps / 1e6);
    printf("(b) to raw JSON: %.3f s, %.2f M records/s, %.0f MB/s in, %.0f MB of JSON out; "
           "CPU %.3f s, %.2f M records/s\n",
           best_raw.secs, raw_rps / 1e6, mb / best_raw.secs, (double)best_raw.c.raw_bytes / 1e6,
           best_raw.cpu_secs, raw_cpu_rps / 1e6);
    printf("peer: CroatiaControl asterix -j, %.0f records/s: raw JSON is %.0fx the peer\n",
           PEER_RECORDS_PER_S, raw_rps / PEER_RECORDS_PER_S);
    printf("{\"bench\":\"asterix\",\"input_mb\":%.2f,\"records\":%llu,"
           "\"obs_records_per_s\":%.0f,\"obs_mb_per_s\":%.1f,"
           "\"raw_records_per_s\":%.0f,\"raw_mb_per_s\":%.1f,\"raw_json_mb\":%.1f,"
           "\"obs_records_per_cpu_s\":%.0f,\"raw_records_per_cpu_s\":%.0f,"
           "\"peer\":\"CroatiaControl asterix -j\",\"peer_records_per_s\":%.0f,"
           "\"raw_vs_peer\":%.1f,\"obs_vs_peer\":%.1f}\n",
           mb, (unsigned long long)best_obs.st.records, obs_rps, mb / best_obs.secs, raw_rps,
           mb / best_raw.secs, (double)best_raw.c.raw_bytes / 1e6, obs_cpu_rps, raw_cpu_rps,
           PEER_RECORDS_PER_S,
           raw_rps / PEER_RECORDS_PER_S, obs_rps / PEER_RECORDS_PER_S);
    free(cnt.out);
    free(stream);
    free(blocks);
    return 0;
}

/* dw_bench_decode — how fast a codec turns a recording into records, in
 * memory, through the same capture and decoder as `dronewall decode`.
 *
 *   dw_bench_decode --format NAME --input FILE [--repeat-blocks N]
 *                   [--raw | --obs | --count] [--feed stream|packets] [--runs K]
 *
 * The input is read once through dw_capture (any container) into memory;
 * its packet payloads, repeated N times, are the workload. With --feed
 * stream (the default) they are one byte stream handed over in 64 KiB
 * pieces, as a raw file would be (for ASTERIX, the 50 MB stream is
 * cat_034_048.pcap's data blocks repeated 7,265 times); with --feed packets
 * each payload is one datagram with its original meta. Only the decode is
 * timed; the best of K runs is reported.
 *
 * Sinks: --raw (default) copies every raw JSON record and a newline into a
 * 4 MiB buffer that is rewound when full, which is `dronewall decode --raw`
 * without the write(2); --obs formats every observation as an NDJSON line
 * the same way; --count asks the codec for raw records and only counts them.
 * The last line printed is one JSON object with the figures, among them a
 * bound measured in the same run (the same decode with no output asked for)
 * and, with --peer-name/--peer-records-per-s, a peer's figure beside ours.
 * This is a benchmark program: it, like app/, reads the wall clock.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dronewall/capture.h"
#include "dronewall/codec.h"
#include "dronewall/decoder.h"
#include "dronewall/ndjson.h"

#define SINK_BUF (4u << 20)
#define FEED_CHUNK (64u * 1024u)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time as well as wall time: a loaded machine stretches only the latter. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dw_bench_decode --format NAME --input FILE [--repeat-blocks N]\n"
            "                       [--raw | --obs | --count] [--feed stream|packets] [--runs K]\n"
            "  --format NAME        the codec (see dronewall decode --list)\n"
            "  --input FILE         a recording in any container dronewall decode reads\n"
            "  --repeat-blocks N    repeat the packet payloads N times (default 1)\n"
            "  --raw                raw JSON records copied to a buffer (default)\n"
            "  --obs                observations written as NDJSON lines to a buffer\n"
            "  --count              raw records built by the codec, only counted\n"
            "  --feed stream        one byte stream in 64 KiB pieces (default)\n"
            "  --feed packets       each payload a datagram, with its meta\n"
            "  --runs K             decode K times, report the best (default 3)\n"
            "  --peer-name S --peer-records-per-s X\n"
            "                       a peer's figure, printed beside ours as a ratio\n"
            "The last line printed is one JSON object with the figures.\n");
}

typedef struct pkt {
    size_t off, len;
    dw_frame_meta meta;
} pkt;

typedef struct sink_buf {
    char *buf;
    size_t len;
    uint64_t out_bytes, refused;
} sink_buf;

static void raw_copy(void *ctx, const char *json, size_t len)
{
    sink_buf *s = ctx;
    if (SINK_BUF - s->len < len + 1)
        s->len = 0;
    if (len + 1 > SINK_BUF)
        return;
    memcpy(s->buf + s->len, json, len);
    s->len += len;
    s->buf[s->len++] = '\n';
    s->out_bytes += len + 1;
}

static void raw_count(void *ctx, const char *json, size_t len)
{
    sink_buf *s = ctx;
    (void)json;
    s->out_bytes += len + 1;
}

static void obs_line(void *ctx, const dw_obs *o)
{
    sink_buf *s = ctx;
    if (SINK_BUF - s->len < 4096)
        s->len = 0;
    char *end;
    if (dw_ndjson_write_obs(s->buf + s->len, s->buf + SINK_BUF, o, &end) == DW_OK) {
        s->out_bytes += (size_t)(end - (s->buf + s->len));
        s->len = (size_t)(end - s->buf);
    } else {
        s->refused++;
    }
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"input", required_argument, NULL, 'i'},
        {"repeat-blocks", required_argument, NULL, 'n'},
        {"raw", no_argument, NULL, 'r'},
        {"obs", no_argument, NULL, 'o'},
        {"count", no_argument, NULL, 'c'},
        {"feed", required_argument, NULL, 'F'},
        {"runs", required_argument, NULL, 'k'},
        {"peer-name", required_argument, NULL, 'P'},
        {"peer-records-per-s", required_argument, NULL, 'X'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = NULL, *input = NULL, *mode = "raw", *feed = "stream", *peer = NULL;
    long repeat = 1, runs = 3;
    double peer_rps = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'f': format = optarg; break;
        case 'i': input = optarg; break;
        case 'n': repeat = strtol(optarg, NULL, 10); break;
        case 'r': mode = "raw"; break;
        case 'o': mode = "obs"; break;
        case 'c': mode = "count"; break;
        case 'F': feed = optarg; break;
        case 'k': runs = strtol(optarg, NULL, 10); break;
        case 'P': peer = optarg; break;
        case 'X': peer_rps = strtod(optarg, NULL); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!format || !input || repeat < 1 || runs < 1 ||
        (strcmp(feed, "stream") && strcmp(feed, "packets"))) {
        usage(stderr);
        return 2;
    }
    const dw_codec_ops *codec = dw_codec_find(format);
    if (!codec) {
        fprintf(stderr, "dw_bench_decode: no codec '%s'\n", format);
        return 2;
    }

    /* The recording's payloads, once, in memory. */
    char err[512];
    dw_capture *cap;
    if (dw_capture_open(input, &cap, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_decode: %s\n", err);
        return 1;
    }
    uint8_t *once = NULL;
    size_t once_len = 0, once_cap = 0, npk = 0, pk_cap = 0;
    pkt *pk = NULL;
    const uint8_t *d;
    size_t n;
    dw_frame_meta m;
    dw_status st;
    while ((st = dw_capture_next(cap, &d, &n, &m)) == DW_OK) {
        if (once_len + n > once_cap) {
            once_cap = (once_len + n) * 2;
            once = realloc(once, once_cap);
        }
        if (npk == pk_cap) {
            pk_cap = pk_cap ? 2 * pk_cap : 256;
            pk = realloc(pk, pk_cap * sizeof *pk);
        }
        if (!once || !pk) {
            fprintf(stderr, "dw_bench_decode: out of memory\n");
            return 1;
        }
        memcpy(once + once_len, d, n);
        pk[npk].off = once_len;
        pk[npk].len = n;
        pk[npk].meta = m;
        pk[npk].meta.source = "bench";
        npk++;
        once_len += n;
    }
    dw_capture_close(cap);
    if (st != DW_ERR_EOF || once_len == 0) {
        fprintf(stderr, "dw_bench_decode: %s: %s\n", input,
                st != DW_ERR_EOF ? dw_status_str(st) : "no payload");
        return 1;
    }
    size_t total = once_len * (size_t)repeat;
    uint8_t *all = malloc(total);
    if (!all) {
        fprintf(stderr, "dw_bench_decode: out of memory for %zu bytes\n", total);
        return 1;
    }
    for (long r = 0; r < repeat; r++)
        memcpy(all + (size_t)r * once_len, once, once_len);

    sink_buf sb = {0};
    sb.buf = malloc(SINK_BUF);
    if (!sb.buf)
        return 1;
    int packets = !strcmp(feed, "packets");
    double best = 1e300, bound = 1e300, best_cpu = 1e300;
    dw_decode_stats stats = {0};
    uint64_t out_bytes = 0, refused = 0;
    /* Runs 0 .. runs-1 measure the chosen sink; one more run asks for
     * neither raw records nor observations: framing and parsing alone, the
     * bound the output costs are measured against in the same process. */
    for (long run = 0; run <= runs; run++) {
        int bare = run == runs;
        dw_decode_sink sink = {0};
        sink.ctx = &sb;
        if (bare) {
            sink.raw = raw_count;
            sink.obs = obs_line;
        } else if (!strcmp(mode, "obs")) {
            sink.obs = obs_line;
            sink.want_obs = 1;
        } else {
            sink.raw = !strcmp(mode, "raw") ? raw_copy : raw_count;
            sink.want_raw = 1;
        }
        sb.len = 0;
        sb.out_bytes = sb.refused = 0;
        dw_decoder *dec;
        if (dw_decoder_create(codec, NULL, &sink, &dec) != DW_OK)
            return 1;
        double t0 = now_s(), c0 = cpu_s();
        if (packets) {
            for (long r = 0; r < repeat; r++) {
                const uint8_t *base = all + (size_t)r * once_len;
                for (size_t i = 0; i < npk; i++)
                    dw_decoder_feed(dec, base + pk[i].off, pk[i].len, &pk[i].meta);
            }
        } else {
            dw_frame_meta sm = {0};
            sm.linktype = DW_LINK_STREAM;
            sm.source = "bench";
            for (size_t off = 0; off < total; off += FEED_CHUNK)
                dw_decoder_feed(dec, all + off, total - off < FEED_CHUNK ? total - off : FEED_CHUNK,
                                &sm);
        }
        dw_decoder_finish(dec);
        double dt = now_s() - t0, dc = cpu_s() - c0;
        dw_decoder_destroy(dec);
        if (bare) {
            bound = dt;
        } else if (dt < best) {
            best = dt;
            best_cpu = dc;
            stats = sink.stats;
            out_bytes = sb.out_bytes;
            refused = sb.refused;
        }
    }
    double rps = best > 0 ? (double)stats.records / best : 0;
    double mbps = best > 0 ? (double)total / 1e6 / best : 0;
    const char *base = strrchr(input, '/');
    fprintf(stderr,
            "dw_bench_decode: %s %s, %zu packets x %ld = %.1f MB as %s: %llu records in %.3f s "
            "= %.0f records/s, %.1f MB/s (best of %ld)\n",
            codec->name, mode, npk, repeat, (double)total / 1e6, feed,
            (unsigned long long)stats.records, best, rps, mbps, runs);
    printf("{\"bench\":\"decode\",\"codec\":\"%s\",\"input\":\"%s\",\"mode\":\"%s\","
           "\"feed\":\"%s\",\"repeat\":%ld,\"packets\":%zu,\"bytes\":%zu,\"frames\":%llu,"
           "\"records\":%llu,\"obs\":%llu,\"malformed\":%llu,\"unknown\":%llu,"
           "\"skipped_bytes\":%llu,\"out_bytes\":%llu,\"obs_refused\":%llu,"
           "\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"records_per_s\":%.0f,\"mb_per_s\":%.2f",
           codec->name, base ? base + 1 : input, mode, feed, repeat, npk * (size_t)repeat, total,
           (unsigned long long)stats.frames, (unsigned long long)stats.records,
           (unsigned long long)stats.obs, (unsigned long long)stats.malformed,
           (unsigned long long)stats.unknown, (unsigned long long)stats.skipped_bytes,
           (unsigned long long)out_bytes, (unsigned long long)refused, best, best_cpu, rps, mbps);
    double bound_rps = bound > 0 ? (double)stats.records / bound : 0;
    printf(",\"bound\":\"decode without output\",\"bound_records_per_s\":%.0f,"
           "\"ratio_to_bound\":%.3f",
           bound_rps, bound_rps > 0 ? rps / bound_rps : 0);
    if (peer && peer_rps > 0)
        printf(",\"peer\":\"%s\",\"peer_records_per_s\":%.0f,\"ratio_to_peer\":%.3f", peer,
               peer_rps, rps / peer_rps);
    printf("}\n");
    free(all);
    free(once);
    free(pk);
    free(sb.buf);
    return 0;
}

/* dw_bench_encode — how fast the encoders the simulator uses turn dw_obs into
 * wire bytes, and how fast the decoders read them back.
 *
 *   dw_bench_encode [--n N] [--runs K] [--only SUBSTRING]
 *
 * The simulator pushes every observation of a scenario (an 8-hour night with
 * 810 drones, at 500 times real time or better) through the real encoders
 * into raw streams and decodes them again, so both halves are on its hot
 * path. For each observation kind a simulated sensor sends, and the codec it
 * travels in, a pool of 4,096 deterministic observations is encoded N times
 * in all (default 200,000) into a buffer that is rewound when full, then the
 * pool's stream is decoded (frame() and decode(), to dw_obs only) until N
 * observations have come back; each is run K times (default 3), best kept.
 * Every decode is checked to give back as many observations as went in.
 *
 * The peer, measured in the same run, is the CAT048 writer the direct one
 * replaced: the record's raw JSON through the table-driven encoder
 * (dw__asx_encode_obs_json). Every row prints its encode rate as a ratio to
 * it. A table goes to stdout, then one JSON object per row and, last, one
 * with the summary. This is a benchmark program: it reads the wall clock.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codecs/asterix_int.h"
#include "dronewall/asterix.h"
#include "dronewall/codec.h"

#define POOL 4096
#define OUT_BUF (16u << 20)
#define FRAME_MAX 8192
#define T0_US 1757451000000000LL /* 2025-09-09 20:50:00 UTC */
#define DEG (M_PI / 180.0)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------ observations */

static uint64_t rs = 0x243F6A8885A308D3ULL;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static double uni(double lo, double hi) { return lo + (hi - lo) * (double)(rnd() >> 11) / 9007199254740992.0; }

typedef void (*gen_fn)(dw_obs *o, int i);

static void base(dw_obs *o, dw_obs_kind k, const char *sensor, int i)
{
    dw_obs_init(o, k);
    snprintf(o->sensor, sizeof o->sensor, "%s", sensor);
    o->t_us = T0_US + (int64_t)i * 250000;     /* 4 Hz, about 17 minutes */
}

/* A primary 3-D radar's plot of a drone: range, azimuth, its own height. */
static void gen_polar_psr(dw_obs *o, int i)
{
    base(o, DW_OBS_POLAR, "ASX-025-201", i);
    o->range_m = uni(2000, 150000);
    o->az_rad = uni(0, 2 * M_PI);
    o->alt_m = uni(50, 3000);
    o->has |= DW_OBS_HAS_ALT;
}

/* A secondary radar's plot of an airliner: Mode 3/A, Mode S, Mode C. */
static void gen_polar_ssr(dw_obs *o, int i)
{
    base(o, DW_OBS_POLAR, "ASX-025-202", i);
    o->range_m = uni(2000, 400000);
    o->az_rad = uni(0, 2 * M_PI);
    o->alt_m = uni(3000, 12000);
    o->mode3a = (uint16_t)(rnd() % 07777);
    o->icao = (uint32_t)(rnd() & 0xFFFFFF);
    snprintf(o->callsign, sizeof o->callsign, "LOT%04u", (unsigned)(rnd() % 10000));
    o->has |= DW_OBS_HAS_ALT | DW_OBS_HAS_MODE3A | DW_OBS_HAS_ICAO | DW_OBS_HAS_CALLSIGN;
}

/* An acoustic node's bearing, several degrees wide. */
static void gen_bearing_acoustic(dw_obs *o, int i)
{
    base(o, DW_OBS_BEARING, "b5546692-a0cc-4846-a36c-4b7098eae08e", i);
    o->az_rad = uni(0, 2 * M_PI);
    o->sigma_az_rad = uni(3, 8) * DEG;
}

/* The same from a network of thousands of nodes (Sky Fortress has ~10,000), each message
 * from another one: what the codec's table of nodes costs. */
static void gen_bearing_network(dw_obs *o, int i)
{
    gen_bearing_acoustic(o, i);
    snprintf(o->sensor, sizeof o->sensor, "UA-AC-C-%04d", (int)(rnd() % 3724));
}

/* An EO/IR camera: bearing, elevation and class scores. */
static void gen_bearing_eo(dw_obs *o, int i)
{
    base(o, DW_OBS_BEARING, "EOIR-PL-07", i);
    o->az_rad = uni(0, 2 * M_PI);
    o->el_rad = uni(0, 30) * DEG;
    o->sigma_az_rad = 0.1 * DEG;
    o->sigma_el_rad = 0.1 * DEG;
    o->has |= DW_OBS_HAS_EL | DW_OBS_HAS_CLASS;
    o->class_score[DW_CLASS_OWA_DRONE] = (float)uni(0.3, 0.9);
    o->class_score[DW_CLASS_DECOY] = (float)uni(0, 0.3);
    o->class_score[DW_CLASS_BIRD] = (float)uni(0, 0.1);
}

/* An acoustic node's detection only: something within a radius. */
static void gen_cell(dw_obs *o, int i)
{
    base(o, DW_OBS_CELL, "AC-0412", i);
    o->lat_deg = uni(51, 53);
    o->lon_deg = uni(22, 24);
    o->radius_m = uni(500, 3000);
    o->has |= DW_OBS_HAS_POS | DW_OBS_HAS_RANGE;
}

/* A position with a full covariance (an airborne radar's, or a partner's). */
static void gen_pos3_cov(dw_obs *o, int i)
{
    base(o, DW_OBS_POS3, "AEW-01", i);
    o->lat_deg = uni(51, 53);
    o->lon_deg = uni(22, 24);
    o->alt_m = uni(50, 3000);
    double a = uni(30, 300), b = uni(30, 300), c = uni(50, 500), r = uni(-0.8, 0.8);
    o->cov_enu[0][0] = a * a;
    o->cov_enu[1][1] = b * b;
    o->cov_enu[2][2] = c * c;
    o->cov_enu[0][1] = o->cov_enu[1][0] = r * a * b;
    o->cov_enu[0][2] = o->cov_enu[2][0] = 0.1 * a * c;
    o->cov_enu[1][2] = o->cov_enu[2][1] = -0.1 * b * c;
    o->vel_enu_mps[0] = uni(-60, 60);
    o->vel_enu_mps[1] = uni(-60, 60);
    o->vel_enu_mps[2] = uni(-2, 2);
    o->has |= DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_COV | DW_OBS_HAS_VEL;
}

/* An ADS-B position with identity and velocity. */
static void gen_pos3_adsb(dw_obs *o, int i)
{
    base(o, DW_OBS_POS3, "ADSB-SBS", i);
    o->lat_deg = uni(49, 55);
    o->lon_deg = uni(14, 24);
    o->alt_m = uni(1000, 12000);
    o->icao = 0x480000u + (uint32_t)(i % 500);
    snprintf(o->callsign, sizeof o->callsign, "LOT%u", (unsigned)(i % 500));
    o->vel_enu_mps[0] = uni(-250, 250);
    o->vel_enu_mps[1] = uni(-250, 250);
    o->vel_enu_mps[2] = uni(-10, 10);
    o->sigma_pos_m = 100;
    o->sigma_alt_m = 15;
    o->has |= DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_ICAO | DW_OBS_HAS_CALLSIGN |
              DW_OBS_HAS_VEL;
}

/* A neighbour's warning: coarse position, course and speed. */
static void gen_pos3_warning(dw_obs *o, int i)
{
    base(o, DW_OBS_POS3, "LT-ARC-01", i);
    o->lat_deg = uni(53, 55);
    o->lon_deg = uni(22, 26);
    o->alt_m = uni(50, 3000);
    o->sigma_pos_m = 2000;
    o->sigma_alt_m = 500;
    o->vel_enu_mps[0] = uni(-60, 60);
    o->vel_enu_mps[1] = uni(-60, 60);
    o->has |= DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_VEL;
}

/* ------------------------------------------------------------ the rows */

enum { ENC_CODEC, ENC_ASX_JSON, ENC_ASX_BLOCK };

typedef struct row {
    const char *name, *codec;
    gen_fn gen;
    int how;
    double enc_s, dec_s;        /* best seconds for N */
    uint64_t bytes;             /* per pool, encoded */
    int ok;
} row;

static row rows[] = {
    {"cat048 POLAR psr (JSON path)", "asterix", gen_polar_psr, ENC_ASX_JSON, 0, 0, 0, 0},
    {"cat048 POLAR psr", "asterix", gen_polar_psr, ENC_CODEC, 0, 0, 0, 0},
    {"cat048 POLAR ssr (JSON path)", "asterix", gen_polar_ssr, ENC_ASX_JSON, 0, 0, 0, 0},
    {"cat048 POLAR ssr", "asterix", gen_polar_ssr, ENC_CODEC, 0, 0, 0, 0},
    {"cat048 POLAR psr, 1400 B blocks", "asterix", gen_polar_psr, ENC_ASX_BLOCK, 0, 0, 0, 0},
    {"sapient BEARING acoustic", "sapient", gen_bearing_acoustic, ENC_CODEC, 0, 0, 0, 0},
    {"sapient BEARING, 3,724 nodes", "sapient", gen_bearing_network, ENC_CODEC, 0, 0, 0, 0},
    {"sapient BEARING eo/ir el+class", "sapient", gen_bearing_eo, ENC_CODEC, 0, 0, 0, 0},
    {"sapient CELL", "sapient", gen_cell, ENC_CODEC, 0, 0, 0, 0},
    {"sapient POS3 cov", "sapient", gen_pos3_cov, ENC_CODEC, 0, 0, 0, 0},
    {"sbs POS3 adsb", "sbs", gen_pos3_adsb, ENC_CODEC, 0, 0, 0, 0},
    {"cot POS3 warning", "cot", gen_pos3_warning, ENC_CODEC, 0, 0, 0, 0},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* Encode one observation (or, for blocks, append it) at [p, end). */
typedef struct enc_ctx {
    const dw_codec_ops *ops;
    void *state;
    int how;
    dw_asterix_block blk;
    int open;
} enc_ctx;

static dw_status enc_one(enc_ctx *e, const dw_obs *o, uint8_t *p, uint8_t *end, uint8_t **out)
{
    if (e->how == ENC_CODEC)
        return e->ops->encode_obs(e->state, o, p, end, out);
    if (e->how == ENC_ASX_JSON)
        return dw__asx_encode_obs_json(e->state, o, p, end, out);
    /* blocks: *out is where the next block may start, once this one closes */
    dw_status st;
    for (int tries = 0; tries < 2; tries++) {
        if (!e->open) {
            uint8_t *lim = end - p > 1400 ? p + 1400 : end;
            if ((st = dw_asterix_block_begin(&e->blk, p, lim)) != DW_OK)
                return st;
            e->open = 1;
        }
        st = dw_asterix_block_add_obs(e->state, &e->blk, o);
        if (st != DW_ERR_FULL)
            break;
        /* full: close it, start the next after it */
        uint8_t *fin;
        dw_asterix_block_finish(&e->blk, &fin);
        e->open = 0;
        p = fin;
    }
    if (st != DW_OK)
        return st;
    *out = e->blk.start; /* the open block's start: where appending continues */
    return DW_OK;
}

static size_t close_block(enc_ctx *e, uint8_t **out)
{
    if (e->how != ENC_ASX_BLOCK || !e->open)
        return 0;
    dw_asterix_block_finish(&e->blk, out);
    e->open = 0;
    return 1;
}

typedef struct cnt {
    uint64_t obs;
    double sum;
} cnt;

static void on_obs(void *ctx, const dw_obs *o)
{
    cnt *c = ctx;
    c->obs++;
    c->sum += o->lat_deg + o->range_m + o->az_rad;
}

/* Decode a stream through frame() and decode(): observations out. */
static uint64_t decode_stream(const dw_codec_ops *ops, void *state, const uint8_t *s, size_t n,
                              cnt *c)
{
    dw_decode_sink sink = {NULL, on_obs, c, 0, 1, {0}};
    dw_frame_meta meta = {T0_US + 600000000LL, DW_LINK_STREAM, 0, 0, "bench"};
    size_t off = 0;
    while (off < n) {
        size_t skip = 0, fl = 0;
        if (ops->frame(s + off, n - off, &skip, &fl) != DW_OK)
            break;
        off += skip;
        ops->decode(state, s + off, fl, &meta, &sink);
        off += fl;
    }
    return sink.stats.obs;
}

static int run_row(row *r, long n, long runs, uint8_t *out)
{
    const dw_codec_ops *ops = dw_codec_find(r->codec);
    if (!ops || !ops->encode_obs) {
        fprintf(stderr, "dw_bench_encode: %s: no encoder\n", r->codec);
        return -1;
    }
    static dw_obs pool[POOL];
    rs = 0x243F6A8885A308D3ULL;
    for (int i = 0; i < POOL; i++)
        r->gen(&pool[i], i);
    void *st;
    dw_codec_config cfg = {0};
    if (ops->create(&cfg, &st) != DW_OK)
        return -1;
    enc_ctx e = {ops, st, r->how, {0}, 0};

    /* The pool's stream, for the decode runs and the byte count. */
    uint8_t *p = out, *end = out + OUT_BUF, *q;
    for (int i = 0; i < POOL; i++) {
        dw_status s = enc_one(&e, &pool[i], p, end, &q);
        if (s != DW_OK) {
            fprintf(stderr, "dw_bench_encode: %s: obs %d: %s\n", r->name, i, dw_status_str(s));
            ops->destroy(st);
            return -1;
        }
        if (r->how != ENC_ASX_BLOCK)
            p = q;
        else
            p = e.blk.p;
    }
    if (r->how == ENC_ASX_BLOCK)
        close_block(&e, &p);
    size_t len = (size_t)(p - out);
    r->bytes = len;
    uint8_t *stream = malloc(len);
    if (!stream)
        return -1;
    memcpy(stream, out, len);

    r->enc_s = r->dec_s = 1e300;
    r->ok = 1;
    for (long k = 0; k < runs; k++) {
        p = out;
        double t0 = now_s();
        for (long i = 0; i < n; i++) {
            if (end - p < FRAME_MAX) {
                if (r->how == ENC_ASX_BLOCK)
                    close_block(&e, &q);
                p = out;
            }
            if (enc_one(&e, &pool[i % POOL], p, end, &q) != DW_OK) {
                r->ok = 0;
                break;
            }
            p = r->how == ENC_ASX_BLOCK ? e.blk.p : q;
        }
        close_block(&e, &q);
        double dt = now_s() - t0;
        if (dt < r->enc_s)
            r->enc_s = dt;

        /* Decode with a fresh state each run, the pool's stream repeated. */
        void *ds;
        if (ops->create(&cfg, &ds) != DW_OK)
            return -1;
        cnt c = {0, 0};
        uint64_t got = 0;
        t0 = now_s();
        while (got < (uint64_t)n) {
            uint64_t k1 = decode_stream(ops, ds, stream, len, &c);
            if (k1 != POOL)
                r->ok = 0;
            got += k1;
            if (!k1)
                break;
        }
        dt = (now_s() - t0) * (double)n / (double)(got ? got : 1);
        ops->destroy(ds);
        if (dt < r->dec_s)
            r->dec_s = dt;
    }
    free(stream);
    ops->destroy(st);
    return 0;
}

int main(int argc, char **argv)
{
    long n = 200000, runs = 3;
    const char *only = NULL;
    static const struct option opts[] = {{"n", required_argument, 0, 'n'},
                                         {"runs", required_argument, 0, 'k'},
                                         {"only", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "n:k:o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'n': n = strtol(optarg, NULL, 10); break;
        case 'k': runs = strtol(optarg, NULL, 10); break;
        case 'o': only = optarg; break;
        default:
            fprintf(ch == 'h' ? stdout : stderr,
                    "usage: dw_bench_encode [--n N] [--runs K] [--only SUBSTRING]\n"
                    "  --n N       observations encoded and decoded per run (default 200000)\n"
                    "  --runs K    runs per row, the best kept (default 3)\n"
                    "  --only S    only the rows whose name contains S (the peer always runs)\n"
                    "A table, then one JSON object per row; the last line is the summary.\n");
            return ch == 'h' ? 0 : 2;
        }
    }
    if (n < POOL || runs < 1)
        return 2;
    uint8_t *out = malloc(OUT_BUF);
    if (!out)
        return 1;
    int failed = 0;
    for (size_t i = 0; i < NROWS; i++) {
        rows[i].enc_s = 0;
        if (i != 0 && only && !strstr(rows[i].name, only))
            continue;
        if (run_row(&rows[i], n, runs, out) != 0 || !rows[i].ok) {
            fprintf(stderr, "dw_bench_encode: %s: failed (decode gave back a different count)\n",
                    rows[i].name);
            failed = 1;
        }
    }
    double peer = rows[0].enc_s > 0 ? (double)n / rows[0].enc_s : 0;
    printf("%-34s %12s %12s %12s %8s %9s\n", "observations", "encode/s", "decode/s", "both/s",
           "B/obs", "vs JSON");
    for (size_t i = 0; i < NROWS; i++) {
        row *r = &rows[i];
        if (r->enc_s <= 0)
            continue;
        double e = (double)n / r->enc_s, d = (double)n / r->dec_s;
        printf("%-34s %12.0f %12.0f %12.0f %8.1f %8.2fx\n", r->name, e, d,
               (double)n / (r->enc_s + r->dec_s), (double)r->bytes / POOL, peer > 0 ? e / peer : 0);
    }
    for (size_t i = 0; i < NROWS; i++) {
        row *r = &rows[i];
        if (r->enc_s <= 0)
            continue;
        double e = (double)n / r->enc_s, d = (double)n / r->dec_s;
        printf("{\"bench\":\"encode\",\"row\":\"%s\",\"codec\":\"%s\",\"n\":%ld,"
               "\"encode_obs_per_s\":%.0f,\"decode_obs_per_s\":%.0f,\"round_trip_obs_per_s\":%.0f,"
               "\"bytes_per_obs\":%.1f,\"ratio_to_peer\":%.3f,\"ok\":%s}\n",
               r->name, r->codec, n, e, d, (double)n / (r->enc_s + r->dec_s),
               (double)r->bytes / POOL, peer > 0 ? e / peer : 0, r->ok ? "true" : "false");
    }
    double direct = rows[1].enc_s > 0 ? (double)n / rows[1].enc_s : 0;
    printf("{\"bench\":\"encode\",\"peer\":\"cat048 via raw JSON (dw__asx_encode_obs_json)\","
           "\"peer_obs_per_s\":%.0f,\"cat048_direct_obs_per_s\":%.0f,\"ratio_to_peer\":%.3f,"
           "\"runs\":%ld,\"n\":%ld,\"ok\":%s}\n",
           peer, direct, peer > 0 ? direct / peer : 0, runs, n, failed ? "false" : "true");
    free(out);
    return failed;
}

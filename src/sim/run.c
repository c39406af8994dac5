/* run.c — a scenario through the whole pipeline, as live feeds would go.
 *
 * Each step: the world moves, truth is written at its rate, the sensors measure, and every
 * observation whose delivery time has come is encoded by its feed's real encoder (ASTERIX
 * CAT048 for a radar, SBS for an ADS-B receiver, SAPIENT for acoustic, RF, EO and airborne
 * sensors, CoT for a neighbour's warnings, NDJSON for citizens' reports), appended to that
 * feed's raw stream, and decoded back by the real decoder, which hands the observation to
 * obs.ndjson and the tracker. Observations are delivered in delivery order (a heap), so a
 * citizen's report seen at 01:00 and sent at 01:02 reaches the tracker at 01:02, out of
 * sequence, as it would.
 *
 * Memory: the pending heap holds what sensors have measured but not yet delivered (a radar
 * scan, delayed reports); scoring keeps truth and track reports at the score instants only.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dronewall/codec.h"
#include "dronewall/decoder.h"
#include "dronewall/jsonw.h"
#include "dronewall/ndjson.h"
#include "dronewall/pipeline.h"
#include "dronewall/score_geo.h"
#include "dronewall/sensors_file.h"
#include "dronewall/sim.h"
#include "sim/sim_assess.h"
#include "sim/sim_int.h"

#define LINE_MAX_BYTES (1u << 16)
#define ENC_MAX_BYTES (1u << 16)

typedef struct pending {
    int64_t deliver_us;
    uint64_t seq;
    int32_t target;
    dw_obs o;
} pending;

/* When a target was last measured, for coverage (dw_truth.unseen). A radar stamps a scan's
 * plots as the beam will pass, so a step may hold measurements seconds past the truth
 * instant written before it: those wait in `ahead` until their instant comes. */
#define SEEN_AHEAD 32
typedef struct seen_log {
    int64_t past;                   /* the latest measurement at or before `upto` */
    int64_t upto;
    int64_t ahead[SEEN_AHEAD];      /* later ones, in any order */
    int n_ahead;
} seen_log;

static void seen_add(seen_log *g, int64_t t)
{
    if (t <= g->upto) {
        if (t > g->past)
            g->past = t;
        return;
    }
    if (g->n_ahead < SEEN_AHEAD) {
        g->ahead[g->n_ahead++] = t;
        return;
    }
    /* full (the scenarios never come near): keep the earliest */
    int hi = 0;
    for (int i = 1; i < SEEN_AHEAD; i++)
        hi = g->ahead[i] > g->ahead[hi] ? i : hi;
    if (t < g->ahead[hi])
        g->ahead[hi] = t;
}

/* The latest measurement at or before t (t never goes back); INT64_MIN / 2 if none. */
static int64_t seen_at(seen_log *g, int64_t t)
{
    g->upto = t;
    int w = 0;
    for (int i = 0; i < g->n_ahead; i++) {
        if (g->ahead[i] <= t) {
            if (g->ahead[i] > g->past)
                g->past = g->ahead[i];
        } else {
            g->ahead[w++] = g->ahead[i];
        }
    }
    g->n_ahead = w;
    return g->past;
}

typedef struct run run;

typedef struct inst_track {
    double lat_deg, lon_deg, alt_m;
} inst_track;

/* One feed: a raw stream file, its encoder and its decoder. */
typedef struct feed {
    run *r;
    dw_sim_stream kind;
    int32_t sensor;                 /* the feed's one sensor, or -1 (SAPIENT: in band) */
    const dw_codec_ops *codec;      /* NULL for NDJSON                                 */
    void *enc;
    dw_decoder *dec;
    dw_decode_sink sink;
    FILE *f;
    char path[512], tmp[520];
    uint64_t bytes, obs;
} feed;

struct run {
    dw_scenario *s;
    const dw_sim_options *opt;
    const dw_sim_sensor_info *sens;
    size_t n_sens;
    dw_sensor *descs;               /* the sensors' descriptions, in table order */
    dw_sensors_index *index;        /* their names (id, wire_id) → table index   */
    feed *feeds;
    size_t n_feeds;
    int32_t *feed_of;               /* by sensor index                           */
    pending *heap;
    size_t n_heap, cap_heap;
    uint64_t seq;
    char *line;
    uint8_t *enc;
    FILE *truth_f, *obs_f, *tracks_f, *meant_f, *events_f;
    char truth_tmp[520], obs_tmp[520], tracks_tmp[520], meant_tmp[520], events_tmp[520];
    dw_sim_progress pr;
    int failed;
    char *err;
    size_t errlen;
    /* tracking and scoring */
    dw_pipeline *pipe;
    int64_t score_period_us;
    dw_truth *sc_truth;
    size_t n_sc_truth, cap_sc_truth;
    dw_track *sc_tracks;
    uint8_t *sc_mix;                /* each kept track's sensor mix (MIX_*) */
    size_t n_sc_tracks, cap_sc_tracks;
    /* the summary: first delivery per target and sensor kind, first track nearby */
    int64_t (*first_seen)[DW_SENSOR_NKINDS];
    seen_log *seen;                 /* per target: when our own sensors measured it */
    dw__sim_assess *as;             /* the assessment, when the scenario asks for one */
    int64_t *sensor_step;           /* per sensor: the step it last reported in       */
    int64_t step_us;                /* the step being simulated                       */
    int64_t *first_track;
    inst_track *inst;               /* the tracks reported at the current instant */
    size_t n_inst, cap_inst;
    uint64_t by_kind[DW_SENSOR_NKINDS];
};

/* ------------------------------------------------------------------ small helpers */

static void fail(run *r, const char *fmt, const char *a, const char *b)
{
    if (!r->failed)
        snprintf(r->err, r->errlen, fmt, a, b);
    r->failed = 1;
}

static FILE *open_tmp(run *r, const char *dir, const char *name, char *tmp, size_t tmplen)
{
    snprintf(tmp, tmplen, "%s/%s.part", dir, name);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fail(r, "%s: %s", tmp, strerror(errno));
        return NULL;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 18);
    return f;
}

/* Close and move into place; an error writing is the run's error. */
static void close_tmp(run *r, FILE **fp, const char *tmp)
{
    if (!*fp)
        return;
    int bad = ferror(*fp) | fclose(*fp);
    *fp = NULL;
    if (r->failed) {
        remove(tmp);
        return;
    }
    if (bad) {
        fail(r, "%s: write failed%s", tmp, "");
        remove(tmp);
        return;
    }
    char dst[520];
    size_t n = strlen(tmp) - strlen(".part");
    memcpy(dst, tmp, n);
    dst[n] = '\0';
    if (rename(tmp, dst) != 0)
        fail(r, "%s: %s", dst, strerror(errno));
}

static int mkdirs(const char *path)
{
    char p[512];
    snprintf(p, sizeof p, "%s", path);
    for (char *q = p + 1; *q; q++) {
        if (*q == '/') {
            *q = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                return -1;
            *q = '/';
        }
    }
    return mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* ------------------------------------------------------------------ pcap for UDP feeds
 * A radar's ASTERIX and a Remote ID receiver's message packs go out as UDP datagrams;
 * recorded, they are a pcap file (link type 101, raw IPv4), whose capture times give the
 * date that ASTERIX's time of day and Remote ID's tenths of the hour lack. */

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void pcap_header(FILE *f)
{
    static const uint8_t h[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                  0,    0,    0,    0,    0xff, 0xff, 0, 0, 101, 0, 0, 0};
    fwrite(h, 1, sizeof h, f);
}

static size_t pcap_udp_record(FILE *f, int64_t t_us, unsigned sac, unsigned sic,
                              const uint8_t *data, size_t len)
{
    uint8_t h[16 + 28];
    size_t ip_len = 28 + len;
    uint32_t sec = (uint32_t)(t_us / 1000000), usec = (uint32_t)(t_us % 1000000);
    uint32_t w[4] = {sec, usec, (uint32_t)ip_len, (uint32_t)ip_len};
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 4; b++)
            h[4 * i + b] = (uint8_t)(w[i] >> (8 * b));
    uint8_t *ip = h + 16;
    memset(ip, 0, 28);
    ip[0] = 0x45;
    put16(ip + 2, (unsigned)ip_len);
    put16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10, ip[13] = 48, ip[14] = (uint8_t)sac, ip[15] = (uint8_t)sic;
    ip[16] = 239, ip[17] = 48, ip[18] = 0, ip[19] = 1;
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    put16(ip + 10, ~sum & 0xFFFF);
    put16(ip + 20, 8600);
    put16(ip + 22, 8600);
    put16(ip + 24, (unsigned)(8 + len));
    fwrite(h, 1, sizeof h, f);
    fwrite(data, 1, len, f);
    return sizeof h + len;
}

/* ------------------------------------------------------------------ the pending heap */

static int before(const pending *a, const pending *b)
{
    return a->deliver_us != b->deliver_us ? a->deliver_us < b->deliver_us : a->seq < b->seq;
}

static void heap_push(run *r, const dw_obs *o, int64_t deliver_us, int32_t target)
{
    if (r->n_heap == r->cap_heap) {
        size_t nc = r->cap_heap ? r->cap_heap * 2 : 4096;
        pending *h = realloc(r->heap, nc * sizeof *h);
        if (!h) {
            fail(r, "out of memory holding %s%s", "pending observations", "");
            return;
        }
        r->heap = h;
        r->cap_heap = nc;
    }
    size_t i = r->n_heap++;
    pending p = {deliver_us, r->seq++, target, *o};
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (!before(&p, &r->heap[up]))
            break;
        r->heap[i] = r->heap[up];
        i = up;
    }
    r->heap[i] = p;
}

static void heap_pop(run *r, pending *out)
{
    *out = r->heap[0];
    pending last = r->heap[--r->n_heap];
    size_t i = 0, n = r->n_heap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&r->heap[c + 1], &r->heap[c]))
            c++;
        if (!before(&r->heap[c], &last))
            break;
        r->heap[i] = r->heap[c];
        i = c;
    }
    if (n)
        r->heap[i] = last;
}

static void on_emit(void *ctx, const dw_obs *o, int64_t deliver_us, int32_t target)
{
    run *r = ctx;
    r->pr.obs_emitted++;
    if (target >= 0 && o->sensor_idx < r->n_sens) {
        /* Coverage: what our own sensors measure (citizens and a neighbour's warnings
         * report it, they do not cover it). */
        dw_sensor_kind k = r->sens[o->sensor_idx].desc.kind;
        if (k != DW_SENSOR_CITIZEN && k != DW_SENSOR_PARTNER)
            seen_add(&r->seen[target], o->t_us);
    }
    heap_push(r, o, deliver_us < o->t_us ? o->t_us : deliver_us, target);
}

/* ------------------------------------------------------------------ tracking and scoring */

/* Which kinds of sensor made a track: its tracker slots' sensors (a radar's slot is named
 * by the radar; shared slots by what they hold). For the score's RMSE by sensor mix. */
enum { MIX_RADAR, MIX_ACOUSTIC, MIX_BOTH, MIX_OTHER, N_MIX };
static const char *const mix_names[N_MIX] = {"radar only", "acoustic only", "radar and acoustic",
                                             "other"};

static uint8_t mix_of(const run *r, const dw_track *t)
{
    size_t nn = 0;
    const char *const *names = dw_pipeline_sensor_names(r->pipe, &nn);
    int radar = 0, acoustic = 0;
    for (int i = 0; i < t->n_sensors; i++) {
        if (t->sensor_idx[i] >= nn || !names[t->sensor_idx[i]])
            continue;
        const char *nm = names[t->sensor_idx[i]];
        int k = dw_sensors_index_find(r->index, nm);
        if (k >= 0) {
            dw_sensor_kind sk = r->sens[k].desc.kind;
            radar |= sk == DW_SENSOR_RADAR || sk == DW_SENSOR_AEW;
            acoustic |= sk == DW_SENSOR_ACOUSTIC;
        } else {
            acoustic |= strstr(nm, "acoustic") != NULL;
        }
    }
    return radar && acoustic ? MIX_BOTH : radar ? MIX_RADAR : acoustic ? MIX_ACOUSTIC : MIX_OTHER;
}

static void keep_track(run *r, const dw_track *t)
{
    if (r->n_sc_tracks == r->cap_sc_tracks) {
        size_t nc = r->cap_sc_tracks ? r->cap_sc_tracks * 2 : 4096;
        dw_track *x = realloc(r->sc_tracks, nc * sizeof *x);
        uint8_t *m = x ? realloc(r->sc_mix, nc) : NULL;
        if (x)
            r->sc_tracks = x;
        if (!x || !m) {
            fail(r, "out of memory keeping %s%s", "track reports for the score", "");
            return;
        }
        r->sc_mix = m;
        r->cap_sc_tracks = nc;
    }
    r->sc_mix[r->n_sc_tracks] = mix_of(r, t);
    r->sc_tracks[r->n_sc_tracks++] = *t;
}

static void write_line(run *r, FILE *f, const char *what, dw_status st, const char *end)
{
    if (st == DW_OK)
        fwrite(r->line, 1, (size_t)(end - r->line), f);
    if (st != DW_OK && st != DW_ERR_INVALID)
        fail(r, "cannot write a %s record: %s", what, dw_status_str(st));
}

static dw_status on_track(void *ctx, const dw_track *in)
{
    run *r = ctx;
    dw_track assessed;
    const dw_track *t = in;
    if (r->as) {
        assessed = *in;
        /* What the sensors said beyond the position: which kinds reported it (a radar's
         * slot by its radar, the bearing slots by their kind) and its squawk. */
        dw_class_hints h;
        size_t nn = 0;
        const char *const *names = dw_pipeline_sensor_names(r->pipe, &nn);
        dw_class_hints_of_track(in, names, nn, r->index, r->descs, &h);
        if (dw__sim_assess_track(r->as, &assessed, &h) != DW_OK) {
            fail(r, "assessment: %s%s", dw__sim_assess_error(r->as), "");
            return DW_ERR_IO;
        }
        t = &assessed;
    }
    if (r->tracks_f) {
        char *end = NULL;
        size_t nn = 0;
        const char *const *names = dw_pipeline_sensor_names(r->pipe, &nn);
        dw_status st = dw_ndjson_write_track(r->line, r->line + LINE_MAX_BYTES, t, names, nn, &end);
        write_line(r, r->tracks_f, "track", st, end);
    }
    if (t->status == DW_TRACK_CONFIRMED || t->status == DW_TRACK_COASTING) {
        if (t->t_us % r->score_period_us == 0)
            keep_track(r, t);
        if (r->n_inst == r->cap_inst) {
            size_t nc = r->cap_inst ? r->cap_inst * 2 : 256;
            inst_track *x = realloc(r->inst, nc * sizeof *x);
            if (!x) {
                fail(r, "out of memory%s%s", "", "");
                return DW_ERR_NOMEM;
            }
            r->inst = x;
            r->cap_inst = nc;
        }
        r->inst[r->n_inst++] = (inst_track){t->lat_deg, t->lon_deg, t->alt_m};
    }
    return r->failed ? DW_ERR_IO : DW_OK;
}

/* ------------------------------------------------------------------ delivery */

static void deliver_decoded(run *r, feed *fd, const dw_obs *in)
{
    dw_obs o = *in;
    int idx = fd->sensor;
    if (idx < 0)
        idx = dw_sensors_index_find(r->index, o.sensor);
    if (idx < 0) {
        r->pr.decode_malformed++;
        return;
    }
    /* The feed's own name for its sensor (ASTERIX's ASX-SAC-SIC, SBS's receiver-less
     * lines) becomes the sensor's id, as a site's configuration maps its inputs. */
    memcpy(o.sensor, r->sens[idx].desc.id, sizeof o.sensor);
    o.sensor_idx = (uint32_t)idx;
    r->pr.obs_decoded++;
    fd->obs++;
    if (r->obs_f) {
        char *end = NULL;
        dw_status st = dw_ndjson_write_obs(r->line, r->line + LINE_MAX_BYTES, &o, &end);
        write_line(r, r->obs_f, "obs", st, end);
    }
    if (r->pipe && dw_pipeline_obs(r->pipe, &o) != DW_OK)
        fail(r, "tracker: %s%s", "cannot take an observation", "");
    if (r->opt->obs)
        r->opt->obs(r->opt->ctx, &o);
}

static void on_decoded(void *ctx, const dw_obs *o)
{
    feed *fd = ctx;
    deliver_decoded(fd->r, fd, o);
}

/* meant.ndjson names the target each observation measured: the line's closing brace moves
 * after a "truth" member. */
static dw_status add_truth_id(run *r, int32_t target, char **end)
{
    char *close = *end;
    while (close > r->line && close[-1] != '}')
        close--;
    if (close == r->line)
        return DW_ERR_INVALID;
    close--;
    char tail[8];
    size_t nt = (size_t)(*end - close - 1);
    if (nt >= sizeof tail)
        return DW_ERR_INVALID;
    memcpy(tail, close + 1, nt);
    dw_jw w;
    dw_jw_init(&w, close, (size_t)(r->line + LINE_MAX_BYTES - close));
    w.first[0] = 0;     /* members precede it */
    dw_jw_key(&w, "truth");
    dw_jw_str(&w, dw__sim_world_target_id(r->s->world, (size_t)target));
    if (!dw_jw_ok(&w) || dw_jw_len(&w) + 1 + nt > (size_t)(r->line + LINE_MAX_BYTES - close))
        return DW_ERR_NOMEM;
    char *q = close + dw_jw_len(&w);
    *q++ = '}';
    memcpy(q, tail, nt);
    *end = q + nt;
    return DW_OK;
}

static void deliver(run *r, const pending *p)
{
    const dw_obs *o = &p->o;
    if (o->sensor_idx >= r->n_sens) {
        r->pr.encode_errors++;
        return;
    }
    const dw_sim_sensor_info *si = &r->sens[o->sensor_idx];
    feed *fd = &r->feeds[r->feed_of[o->sensor_idx]];
    r->pr.obs_delivered++;
    r->by_kind[si->desc.kind]++;
    if (r->as && r->sensor_step[o->sensor_idx] != r->step_us &&
        (si->desc.kind == DW_SENSOR_RADAR || si->desc.kind == DW_SENSOR_AEW ||
         si->desc.kind == DW_SENSOR_ADSB)) {
        /* A periodic sensor is alive: once a step is enough. */
        r->sensor_step[o->sensor_idx] = r->step_us;
        dw__sim_assess_sensor(r->as, si->desc.id, p->deliver_us);
    }
    if (p->target >= 0 && r->first_seen) {
        int64_t *fs = &r->first_seen[p->target][si->desc.kind];
        if (*fs == INT64_MIN)
            *fs = p->deliver_us;
    }
    if (r->meant_f) {
        char *end = NULL;
        dw_status st = dw_ndjson_write_obs(r->line, r->line + LINE_MAX_BYTES, o, &end);
        if (st == DW_OK && p->target >= 0)
            st = add_truth_id(r, p->target, &end);
        write_line(r, r->meant_f, "obs", st, end);
    }
    if (fd->kind == DW_SIM_STREAM_NDJSON) {
        char *end = NULL;
        dw_status st = dw_ndjson_write_obs(r->line, r->line + LINE_MAX_BYTES, o, &end);
        if (st != DW_OK) {
            r->pr.encode_errors++;
            return;
        }
        size_t len = (size_t)(end - r->line);
        if (fd->f)
            fwrite(r->line, 1, len, fd->f);
        fd->bytes += len;
        r->pr.bytes_encoded += len;
        dw_record rec;
        if (dw_ndjson_parse(r->line, len, &rec, NULL, 0) != DW_OK || rec.type != DW_REC_OBS) {
            r->pr.decode_malformed++;
            return;
        }
        deliver_decoded(r, fd, &rec.u.obs);
        return;
    }
    dw_obs w = *o;
    /* A radar's plots name it as its wire does: SAC/SIC. */
    if (fd->kind == DW_SIM_STREAM_ASTERIX && si->desc.wire_id[0])
        memcpy(w.sensor, si->desc.wire_id, sizeof w.sensor);
    uint8_t *end = NULL;
    dw_status st = fd->codec->encode_obs(fd->enc, &w, r->enc, r->enc + ENC_MAX_BYTES, &end);
    if (st != DW_OK) {
        r->pr.encode_errors++;
        return;
    }
    size_t len = (size_t)(end - r->enc);
    if (fd->f && (fd->kind == DW_SIM_STREAM_ASTERIX || fd->kind == DW_SIM_STREAM_REMOTEID))
        pcap_udp_record(fd->f, p->deliver_us, si->desc.wire_id[0] ? (unsigned)atoi(si->desc.wire_id + 4) : 0,
                        si->desc.wire_id[0] ? (unsigned)atoi(si->desc.wire_id + 8) : 0, r->enc, len);
    else if (fd->f)
        fwrite(r->enc, 1, len, fd->f);
    fd->bytes += len;
    r->pr.bytes_encoded += len;
    dw_frame_meta meta = {p->deliver_us, DW_LINK_STREAM, 0, 0, fd->path};
    uint64_t bad = fd->sink.stats.malformed;
    dw_decoder_feed(fd->dec, r->enc, len, &meta);
    r->pr.decode_malformed += fd->sink.stats.malformed - bad;
}

/* ------------------------------------------------------------------ set-up */

static dw_status open_feeds(run *r)
{
    r->feed_of = calloc(r->n_sens ? r->n_sens : 1, sizeof *r->feed_of);
    r->feeds = calloc(r->n_sens + 1, sizeof *r->feeds);
    if (!r->feed_of || !r->feeds)
        return DW_ERR_NOMEM;
    int32_t sapient = -1;
    char dir[512] = "";
    if (r->opt->out_dir) {
        snprintf(dir, sizeof dir, "%s/streams", r->opt->out_dir);
        if (mkdirs(dir) != 0) {
            fail(r, "%s: %s", dir, strerror(errno));
            return DW_ERR_IO;
        }
    }
    for (size_t i = 0; i < r->n_sens; i++) {
        dw_sim_stream k = r->sens[i].stream;
        if (k == DW_SIM_STREAM_SAPIENT && sapient >= 0) {
            r->feed_of[i] = sapient;
            continue;
        }
        feed *fd = &r->feeds[r->n_feeds];
        fd->r = r;
        fd->kind = k;
        fd->sensor = k == DW_SIM_STREAM_SAPIENT ? -1 : (int32_t)i;
        const char *base = k == DW_SIM_STREAM_SAPIENT ? "sapient" : r->sens[i].desc.id;
        char name[128];
        snprintf(name, sizeof name, "%s.%s", base, dw_sim_stream_ext(k));
        snprintf(fd->path, sizeof fd->path, "%s/%s", dir, name);
        if (k != DW_SIM_STREAM_NDJSON) {
            fd->codec = dw_codec_find(dw_sim_stream_name(k));
            if (!fd->codec || !fd->codec->encode_obs) {
                fail(r, "no encoder for the %s stream of %s", dw_sim_stream_name(k), base);
                return DW_ERR_UNSUPPORTED;
            }
            dw_status st = fd->codec->create(NULL, &fd->enc);
            if (st != DW_OK)
                return st;
            fd->sink.obs = on_decoded;
            fd->sink.ctx = fd;
            fd->sink.want_obs = 1;
            st = dw_decoder_create(fd->codec, NULL, &fd->sink, &fd->dec);
            if (st != DW_OK)
                return st;
            dw_decoder_set_limits(fd->dec, 1u << 17, 1);
        }
        if (r->opt->out_dir) {
            fd->f = open_tmp(r, dir, name, fd->tmp, sizeof fd->tmp);
            if (!fd->f)
                return DW_ERR_IO;
            if (k == DW_SIM_STREAM_ASTERIX || k == DW_SIM_STREAM_REMOTEID)
                pcap_header(fd->f);
        }
        if (k == DW_SIM_STREAM_SAPIENT)
            sapient = (int32_t)r->n_feeds;
        r->feed_of[i] = (int32_t)r->n_feeds++;
    }
    return DW_OK;
}

static void close_feeds(run *r)
{
    for (size_t i = 0; i < r->n_feeds; i++) {
        feed *fd = &r->feeds[i];
        if (fd->dec) {
            dw_decoder_finish(fd->dec);
            dw_decoder_destroy(fd->dec);
        }
        if (fd->enc)
            fd->codec->destroy(fd->enc);
        close_tmp(r, &fd->f, fd->tmp);
    }
}

/* sensors.json: what the run's sensors are, as a sensors file (docs/formats.md), so that
 * `dronewall track --sensors sensors.json obs.ndjson` reruns the tracking. */
static void write_sensors(run *r, const char *dir)
{
    char tmp[520];
    FILE *f = open_tmp(r, dir, "sensors.json", tmp, sizeof tmp);
    if (!f)
        return;
    fputs("{\"sensors\":[\n", f);
    for (size_t i = 0; i < r->n_sens; i++) {
        const dw_sensor *d = &r->sens[i].desc;
        char buf[2048];
        dw_jw w;
        dw_jw_init(&w, buf, sizeof buf);
        dw_sensor_write_json(&w, d);
        size_t len = dw_jw_len(&w);
        const char *txt = buf;
        if (!dw_jw_ok(&w)) {
            fail(r, "sensor %s does not fit a sensors.json line%s", d->id, "");
            break;
        }
        fwrite(txt, 1, len, f);
        fputs(i + 1 < r->n_sens ? ",\n" : "\n", f);
    }
    fputs("]}\n", f);
    close_tmp(r, &f, tmp);
}

static void write_event(run *r, const dw_sim_event *e)
{
    if (!r->events_f)
        return;
    dw_sim_state st;
    const char *id = "", *cls = "unknown";
    if (dw_sim_world_state(r->s->world, e->target, e->t_us, &st)) {
        id = st.truth.id;
        cls = dw_class_name(st.truth.cls);
    }
    char buf[1024];
    dw_jw w;
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "v", 1);
    dw_jw_kstr(&w, "type", "event");
    dw_jw_kint(&w, "t_us", e->t_us);
    dw_jw_kstr(&w, "kind", dw_sim_event_name(e->kind));
    dw_jw_kstr(&w, "target", id);
    dw_jw_kstr(&w, "class", cls);
    dw_jw_kdouble(&w, "lat_deg", e->lat_deg);
    dw_jw_kdouble(&w, "lon_deg", e->lon_deg);
    if (e->place[0])
        dw_jw_kstr(&w, "place", e->place);
    dw_jw_obj_end(&w);
    size_t len = dw_jw_len(&w);
    const char *txt = buf;
    if (dw_jw_ok(&w)) {
        fwrite(txt, 1, len, r->events_f);
        fputc('\n', r->events_f);
    }
}

static void keep_truth(run *r, const dw_truth *t)
{
    if (r->n_sc_truth == r->cap_sc_truth) {
        size_t nc = r->cap_sc_truth ? r->cap_sc_truth * 2 : 4096;
        dw_truth *x = realloc(r->sc_truth, nc * sizeof *x);
        if (!x) {
            fail(r, "out of memory keeping %s%s", "truth for the score", "");
            return;
        }
        r->sc_truth = x;
        r->cap_sc_truth = nc;
    }
    r->sc_truth[r->n_sc_truth++] = *t;
}

static void write_truth(run *r, dw_truth *t, uint32_t target, int score)
{
    t->unseen = !(t->t_us - seen_at(&r->seen[target], t->t_us) <= DW_TRUTH_SEEN_WINDOW_US);
    if (r->as)
        dw__sim_assess_truth(r->as, target, t);
    if (r->truth_f) {
        char *end = NULL;
        dw_status st = dw_ndjson_write_truth(r->line, r->line + LINE_MAX_BYTES, t, &end);
        write_line(r, r->truth_f, "truth", st, end);
    }
    r->pr.truth_written++;
    if (score && r->pipe && t->alive)
        keep_truth(r, t);
}


/* ------------------------------------------------------------------ tracker, score, summary */

static int cmp_inst(const void *a, const void *b)
{
    const inst_track *x = a, *y = b;
    return x->lat_deg < y->lat_deg ? -1 : x->lat_deg > y->lat_deg;
}

/* After each report instant: which targets have a confirmed track within FIRST_TRACK_M of
 * them now. A crude association, for the summary's "first in the picture" only; the
 * score does the real one. */
#define FIRST_TRACK_M 3000.0

static dw_status on_report_done(void *ctx, int64_t t_us)
{
    run *r = ctx;
    size_t n = r->n_inst;
    if (n)
        qsort(r->inst, n, sizeof *r->inst, cmp_inst);
    size_t nt = dw_sim_world_count(r->s->world);
    for (size_t i = 0; i < nt && n; i++) {
        if (r->first_track[i] != INT64_MIN)
            continue;
        dw_sim_state st;
        if (!dw_sim_world_state(r->s->world, i, t_us, &st) || !st.truth.alive)
            continue;
        double dlat = FIRST_TRACK_M / 111000.0;
        double lo = st.truth.lat_deg - dlat;
        size_t a = 0, b = n;
        while (a < b) {
            size_t m = (a + b) / 2;
            if (r->inst[m].lat_deg < lo)
                a = m + 1;
            else
                b = m;
        }
        double kx = 111320.0 * cos(st.truth.lat_deg * M_PI / 180);
        for (size_t k = a; k < n && r->inst[k].lat_deg <= st.truth.lat_deg + dlat; k++) {
            double dn = (r->inst[k].lat_deg - st.truth.lat_deg) * 111000.0;
            double de = (r->inst[k].lon_deg - st.truth.lon_deg) * kx;
            if (dn * dn + de * de < FIRST_TRACK_M * FIRST_TRACK_M) {
                r->first_track[i] = t_us;
                break;
            }
        }
    }
    r->pr.tracks_now = n;
    r->n_inst = 0;
    return DW_OK;
}

static dw_status sim_pipeline_open(run *r)
{
    dw_pipeline_config cfg = r->s->tracker;
    cfg.report_us = r->s->report_period_us;
    dw_pipeline_sink sink = {on_track, on_report_done, on_track, r, NULL};
    char perr[256];
    dw_status st = dw_pipeline_create(r->descs, r->n_sens, &cfg, &sink, &r->pipe, perr, sizeof perr);
    if (st != DW_OK)
        fail(r, "tracker: %s%s", perr, "");
    return st;
}

static void sim_pipeline_stats(run *r)
{
    dw_pipeline_stats ps;
    dw_pipeline_get_stats(r->pipe, &ps);
    r->pr.tracks_confirmed = ps.tracker.confirmed;
    r->pr.obs_dropped = ps.unsupported + ps.unknown_sensor;
}

static void sim_pipeline_close(run *r)
{
    if (dw_pipeline_finish(r->pipe, r->s->end_us) != DW_OK)
        fail(r, "tracker: %s%s", "cannot finish", "");
    sim_pipeline_stats(r);
}

static void sim_score(run *r, const char *dir)
{
    dw_geo_score sc;
    static const uint8_t none = 0;
    dw_status st = dw_geo_score_run_mix(r->sc_truth, r->n_sc_truth, r->sc_tracks, r->n_sc_tracks,
                                        r->sc_mix ? r->sc_mix : &none, mix_names, N_MIX, 1000.0,
                                        2.0, &sc);
    if (st != DW_OK) {
        fail(r, "score: %s%s", dw_status_str(st), "");
        return;
    }
    char tmp[520];
    FILE *f = open_tmp(r, dir, "score.json", tmp, sizeof tmp);
    if (!f)
        return;
    if (r->as) {
        /* The tracking score's object, with the assessment's judgement added last. */
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m) {
            fail(r, "score: %s%s", strerror(errno), "");
            fclose(f);
            return;
        }
        dw_geo_score_print_json(m, &sc);
        fclose(m);
        if (len && buf[len - 1] == '}')
            len--;
        fwrite(buf, 1, len, f);
        free(buf);
        fputs(",\"assessment\":", f);
        dw__sim_assess_score(r->as, f);
        fputc('}', f);
    } else {
        dw_geo_score_print_json(f, &sc);
    }
    fputc('\n', f);
    close_tmp(r, &f, tmp);
}

static void hhmmss(int64_t t_us, char *buf, size_t len)
{
    if (t_us == INT64_MIN) {
        snprintf(buf, len, "-");
        return;
    }
    char full[32];
    dw__format_utc(t_us, full, sizeof full);
    snprintf(buf, len, "%.8s", full + 11);
}

/* s as a JSON string: names and ids are the scenario author's words. */
static void json_str(FILE *f, const char *s)
{
    char buf[256];
    dw_jw w;
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_str(&w, s);
    if (dw_jw_ok(&w))
        fwrite(buf, 1, dw_jw_len(&w), f);
    else
        fputs("\"\"", f);
}

static int is_threat(dw_class c)
{
    return c == DW_CLASS_OWA_DRONE || c == DW_CLASS_DECOY || c == DW_CLASS_QUADCOPTER ||
           c == DW_CLASS_UNKNOWN;
}

/* The scenario's named place nearest (lat, lon), if within max_m. */
static const dw_sim_place *nearest_place(const dw_scenario *s, double lat, double lon, double max_m)
{
    const dw_sim_place *best = NULL;
    double kx = 111320.0 * cos(lat * M_PI / 180), b2 = max_m * max_m;
    for (size_t i = 0; i < s->n_places; i++) {
        double dn = (s->places[i].lat_deg - lat) * 111000.0, de = (s->places[i].lon_deg - lon) * kx;
        if (dn * dn + de * de < b2) {
            b2 = dn * dn + de * de;
            best = &s->places[i];
        }
    }
    return best;
}

/* summary.json (per target: launch, end, first report by each sensor kind, first track)
 * and summary.txt, the same for people. */
static void write_summary(run *r, const char *dir)
{
    dw_scenario *s = r->s;
    char tj[520], tt[520];
    FILE *fj = open_tmp(r, dir, "summary.json", tj, sizeof tj);
    FILE *ft = open_tmp(r, dir, "summary.txt", tt, sizeof tt);
    if (!fj || !ft) {
        if (fj)
            fclose(fj);
        if (ft)
            fclose(ft);
        return;
    }
    size_t nt = dw_sim_world_count(s->world);
    /* Each target's launch and end, from the events. */
    int64_t *launch = malloc((nt ? nt : 1) * sizeof *launch);
    const dw_sim_event **end = calloc(nt ? nt : 1, sizeof *end);
    if (!launch || !end) {
        free(launch);
        free(end);
        fclose(fj);
        fclose(ft);
        fail(r, "out of memory%s%s", "", "");
        return;
    }
    for (size_t i = 0; i < s->n_events; i++) {
        const dw_sim_event *e = &s->events[i];
        if (e->kind == DW_SIM_EV_LAUNCH)
            launch[e->target] = e->t_us;
        else
            end[e->target] = e;
    }
    size_t by_class[DW_NCLASSES] = {0}, sens_by_kind[DW_SENSOR_NKINDS] = {0};
    for (size_t i = 0; i < nt; i++) {
        dw_sim_state st;
        if (dw_sim_world_state(s->world, i, launch[i], &st))
            by_class[st.truth.cls]++;
    }
    for (size_t i = 0; i < r->n_sens; i++)
        sens_by_kind[r->sens[i].desc.kind]++;
    char a[32], b[32];
    dw__format_utc(s->start_us, a, sizeof a);
    dw__format_utc(s->end_us, b, sizeof b);
    fprintf(ft, "%s: %s to %s (times below are UTC)\n", s->name, a, b);
    fprintf(fj, "{\"v\":1,\"scenario\":");
    json_str(fj, s->name);
    fprintf(fj, ",\"start\":\"%s\",\"end\":\"%s\",\"targets_by_class\":{", a, b);
    fprintf(ft, "targets:");
    int first = 1;
    for (int c = 0; c < DW_NCLASSES; c++)
        if (by_class[c]) {
            fprintf(ft, " %zu %s", by_class[c], dw_class_name((dw_class)c));
            fprintf(fj, "%s\"%s\":%zu", first ? "" : ",", dw_class_name((dw_class)c), by_class[c]);
            first = 0;
        }
    fprintf(ft, "\nsensors:");
    fprintf(fj, "},\"sensors_by_kind\":{");
    first = 1;
    for (int k = 0; k < DW_SENSOR_NKINDS; k++)
        if (sens_by_kind[k]) {
            fprintf(ft, " %zu %s", sens_by_kind[k], dw_sensor_kind_name((dw_sensor_kind)k));
            fprintf(fj, "%s\"%s\":%zu", first ? "" : ",", dw_sensor_kind_name((dw_sensor_kind)k),
                    sens_by_kind[k]);
            first = 0;
        }
    fprintf(ft, "\nobservations delivered:");
    fprintf(fj, "},\"obs_by_sensor_kind\":{");
    first = 1;
    for (int k = 0; k < DW_SENSOR_NKINDS; k++)
        if (r->by_kind[k]) {
            fprintf(ft, " %llu %s", (unsigned long long)r->by_kind[k],
                    dw_sensor_kind_name((dw_sensor_kind)k));
            fprintf(fj, "%s\"%s\":%llu", first ? "" : ",", dw_sensor_kind_name((dw_sensor_kind)k),
                    (unsigned long long)r->by_kind[k]);
            first = 0;
        }
    fprintf(ft, "\nencoded: %llu bytes; %llu refused by an encoder, %llu frames malformed\n",
            (unsigned long long)r->pr.bytes_encoded, (unsigned long long)r->pr.encode_errors,
            (unsigned long long)r->pr.decode_malformed);
    fprintf(fj, "},\"bytes_encoded\":%llu,\"encode_errors\":%llu,\"decode_malformed\":%llu,"
                "\"tracks_confirmed\":%llu,\"targets\":[",
            (unsigned long long)r->pr.bytes_encoded, (unsigned long long)r->pr.encode_errors,
            (unsigned long long)r->pr.decode_malformed, (unsigned long long)r->pr.tracks_confirmed);
    /* The sensor kinds that saw any threat, as the table's columns. */
    int col[DW_SENSOR_NKINDS], ncol = 0;
    for (int k = 0; k < DW_SENSOR_NKINDS; k++) {
        int any = 0;
        for (size_t i = 0; i < nt && !any; i++) {
            dw_sim_state st;
            any = r->first_seen[i][k] != INT64_MIN &&
                  dw_sim_world_state(s->world, i, launch[i], &st) && is_threat(st.truth.cls);
        }
        if (any)
            col[ncol++] = k;
    }
    fprintf(ft, "\nthreats: launch, first report delivered by each kind of sensor, first "
                "confirmed track within %.0f km,%s end\n", FIRST_TRACK_M / 1000,
            r->as ? " true crossing into the home country and its first border alert," : "");
    fprintf(ft, "%-10s %-10s %-8s", "target", "class", "launch");
    for (int c = 0; c < ncol; c++)
        fprintf(ft, " %-9.9s", dw_sensor_kind_name((dw_sensor_kind)col[c]));
    fprintf(ft, " %-8s", "track");
    if (r->as)
        fprintf(ft, " %-8s %-8s", "crossed", "alerted");
    fprintf(ft, "  %s\n", "end");
    first = 1;
    for (size_t i = 0; i < nt; i++) {
        dw_sim_state st;
        if (!dw_sim_world_state(s->world, i, launch[i], &st))
            continue;
        char tl[16], tk[16], te[16];
        hhmmss(launch[i], tl, sizeof tl);
        hhmmss(r->first_track[i], tk, sizeof tk);
        const dw_sim_event *e = end[i];
        hhmmss(e ? e->t_us : INT64_MIN, te, sizeof te);
        fprintf(fj, "%s\n{\"id\":", first ? "" : ",");
        json_str(fj, st.truth.id);
        fprintf(fj, ",\"class\":\"%s\",\"launch_us\":%lld", dw_class_name(st.truth.cls),
                (long long)launch[i]);
        first = 0;
        if (e)
            fprintf(fj, ",\"end\":\"%s\",\"end_us\":%lld,\"end_lat_deg\":%.5f,\"end_lon_deg\":%.5f",
                    dw_sim_event_name(e->kind), (long long)e->t_us, e->lat_deg, e->lon_deg);
        fprintf(fj, ",\"first_report_us\":{");
        int f2 = 1;
        for (int k = 0; k < DW_SENSOR_NKINDS; k++)
            if (r->first_seen[i][k] != INT64_MIN) {
                fprintf(fj, "%s\"%s\":%lld", f2 ? "" : ",", dw_sensor_kind_name((dw_sensor_kind)k),
                        (long long)r->first_seen[i][k]);
                f2 = 0;
            }
        fprintf(fj, "}");
        if (r->first_track[i] != INT64_MIN)
            fprintf(fj, ",\"first_track_us\":%lld", (long long)r->first_track[i]);
        const int64_t crossed = dw__sim_assess_crossed(r->as, (uint32_t)i);
        const int64_t alerted = dw__sim_assess_first_alert(r->as, (uint32_t)i, DW_ALERT_BORDER_VIOLATION);
        if (crossed != INT64_MIN)
            fprintf(fj, ",\"crossed_us\":%lld", (long long)crossed);
        if (alerted != INT64_MIN)
            fprintf(fj, ",\"border_alert_us\":%lld", (long long)alerted);
        fprintf(fj, "}");
        if (!is_threat(st.truth.cls))
            continue;
        fprintf(ft, "%-10.10s %-10.10s %-8s", st.truth.id, dw_class_name(st.truth.cls), tl);
        for (int c = 0; c < ncol; c++) {
            char tf[16];
            hhmmss(r->first_seen[i][col[c]], tf, sizeof tf);
            fprintf(ft, " %-9s", tf);
        }
        fprintf(ft, " %-8s", tk);
        if (r->as) {
            char tc[16], ta[16];
            hhmmss(crossed, tc, sizeof tc);
            hhmmss(alerted, ta, sizeof ta);
            fprintf(ft, " %-8s %-8s", tc, ta);
        }
        fprintf(ft, "  %s %s", e ? dw_sim_event_name(e->kind) : "-", te);
        const dw_sim_place *np = e ? nearest_place(s, e->lat_deg, e->lon_deg, 5000.0) : NULL;
        if (np)
            fprintf(ft, " near %s", np->name);
        fputc('\n', ft);
    }
    /* The scenario's named places, for whoever reads the summary (crossing points,
     * airports, crash sites). Names are the file's own words: written escaped. */
    fprintf(fj, "\n],\"places\":[");
    for (size_t i = 0; i < s->n_places; i++) {
        char buf[512];
        dw_jw w;
        dw_jw_init(&w, buf, sizeof buf);
        dw_jw_obj(&w);
        dw_jw_kstr(&w, "name", s->places[i].name);
        dw_jw_kstr(&w, "kind", s->places[i].kind);
        dw_jw_kdouble(&w, "lat_deg", s->places[i].lat_deg);
        dw_jw_kdouble(&w, "lon_deg", s->places[i].lon_deg);
        dw_jw_obj_end(&w);
        if (dw_jw_ok(&w))
            fprintf(fj, "%s%.*s", i ? "," : "", (int)dw_jw_len(&w), buf);
    }
    fprintf(fj, "]}\n");
    free(launch);
    free(end);
    close_tmp(r, &fj, tj);
    close_tmp(r, &ft, tt);
}

/* ------------------------------------------------------------------ the run */

dw_status dw_sim_run(dw_scenario *s, const dw_sim_options *opt, dw_sim_progress *out, char *err,
                     size_t errlen)
{
    if (!s || !opt || !err)
        return DW_ERR_INVALID;
    run R;
    run *r = &R;
    memset(r, 0, sizeof *r);
    r->s = s;
    r->opt = opt;
    r->err = err;
    r->errlen = errlen;
    err[0] = '\0';
    r->sens = dw_sim_sensors_table(s->sensors, &r->n_sens);
    r->pr.start_us = s->start_us;
    r->pr.end_us = s->end_us;
    r->score_period_us = s->report_period_us;
    while (r->score_period_us < 10000000)
        r->score_period_us += s->report_period_us;
    dw_status st = DW_ERR_NOMEM;
    size_t n_targets = dw_sim_world_count(s->world);
    r->line = malloc(LINE_MAX_BYTES);
    r->enc = malloc(ENC_MAX_BYTES);
    r->first_seen = malloc((n_targets ? n_targets : 1) * sizeof *r->first_seen);
    r->first_track = malloc((n_targets ? n_targets : 1) * sizeof *r->first_track);
    r->seen = malloc((n_targets ? n_targets : 1) * sizeof *r->seen);
    r->sensor_step = malloc((r->n_sens ? r->n_sens : 1) * sizeof *r->sensor_step);
    r->descs = malloc((r->n_sens ? r->n_sens : 1) * sizeof *r->descs);
    if (!r->line || !r->enc || !r->first_seen || !r->first_track || !r->seen || !r->sensor_step || !r->descs)
        goto done;
    for (size_t i = 0; i < n_targets; i++) {
        r->first_track[i] = INT64_MIN;
        for (int k = 0; k < DW_SENSOR_NKINDS; k++)
            r->first_seen[i][k] = INT64_MIN;
        r->seen[i].past = r->seen[i].upto = INT64_MIN / 2;
        r->seen[i].n_ahead = 0;
    }
    for (size_t i = 0; i < r->n_sens; i++) {
        r->descs[i] = r->sens[i].desc;
        r->sensor_step[i] = INT64_MIN;
    }
    {
        char ierr[256];
        if ((st = dw_sensors_index_create(r->descs, r->n_sens, &r->index, ierr, sizeof ierr)) != DW_OK) {
            fail(r, "sensors: %s%s", ierr, "");
            goto done;
        }
    }
    const char *dir = opt->out_dir;
    if (dir) {
        if (mkdirs(dir) != 0) {
            fail(r, "%s: %s", dir, strerror(errno));
            st = DW_ERR_IO;
            goto done;
        }
        r->truth_f = open_tmp(r, dir, "truth.ndjson", r->truth_tmp, sizeof r->truth_tmp);
        r->events_f = open_tmp(r, dir, "events.ndjson", r->events_tmp, sizeof r->events_tmp);
        if (opt->write_obs)
            r->obs_f = open_tmp(r, dir, "obs.ndjson", r->obs_tmp, sizeof r->obs_tmp);
        if (opt->write_meant)
            r->meant_f = open_tmp(r, dir, "meant.ndjson", r->meant_tmp, sizeof r->meant_tmp);
        if (opt->track)
            r->tracks_f = open_tmp(r, dir, "tracks.ndjson", r->tracks_tmp, sizeof r->tracks_tmp);
        if (r->failed) {
            st = DW_ERR_IO;
            goto done;
        }
        write_sensors(r, dir);
    }
    if ((st = open_feeds(r)) != DW_OK)
        goto done;
    if (opt->track && (st = sim_pipeline_open(r)) != DW_OK)
        goto done;
    if (opt->track) {
        char aerr[512] = "";
        if ((st = dw__sim_assess_open(s, dir, &r->as, aerr, sizeof aerr)) != DW_OK) {
            fail(r, "assessment: %s%s", aerr, "");
            goto done;
        }
    }

    dw_sim_sink sink = {on_emit, r};
    size_t ev = 0;
    for (int64_t t = s->start_us; t < s->end_us && !r->failed && !(opt->stop && *opt->stop);
         t += s->step_us) {
        int64_t t1 = t + s->step_us < s->end_us ? t + s->step_us : s->end_us;
        r->step_us = t;
        dw_sim_world_advance(s->world, t);
        /* Ends (alive: false) and other events up to now, then the truth of this instant. */
        for (; ev < s->n_events && s->events[ev].t_us <= t; ev++) {
            const dw_sim_event *e = &s->events[ev];
            write_event(r, e);
            if (e->kind != DW_SIM_EV_LAUNCH) {
                dw_sim_state fs;
                if (dw_sim_world_state(s->world, e->target, e->t_us, &fs))
                    write_truth(r, &fs.truth, fs.target, 0);
            }
        }
        if (t % s->truth_period_us == 0) {
            const dw_sim_state *snap;
            size_t n = dw_sim_world_snapshot(s->world, &snap);
            int score = t % r->score_period_us == 0;
            for (size_t i = 0; i < n; i++) {
                dw_truth tr = snap[i].truth;
                if (tr.alive)
                    write_truth(r, &tr, snap[i].target, score);
            }
        }
        dw_sim_sensors_step(s->sensors, s->world, t, t1, &sink);
        pending p;
        while (r->n_heap && r->heap[0].deliver_us < t1 && !r->failed) {
            heap_pop(r, &p);
            deliver(r, &p);
        }
        if (r->pipe && dw_pipeline_advance(r->pipe, t1) != DW_OK && !r->failed)
            fail(r, "tracker: %s%s", "cannot go on", "");
        if (r->pipe)
            sim_pipeline_stats(r);
        if (r->as && dw__sim_assess_advance(r->as, t1) != DW_OK && !r->failed)
            fail(r, "assessment: %s%s", dw__sim_assess_error(r->as), "");
        r->pr.t_us = t1;
        if (opt->progress)
            opt->progress(opt->ctx, &r->pr);
    }
    /* What is still pending was measured before the end but arrives after it: dropped. */
    if (r->pipe && !r->failed)
        sim_pipeline_close(r);
    close_feeds(r);
    if (dir && !r->failed) {
        if (opt->track)
            sim_score(r, dir);
        write_summary(r, dir);
    }
    st = r->failed ? DW_ERR_IO : DW_OK;
done:
    if (st == DW_ERR_NOMEM && !err[0])
        snprintf(err, errlen, "out of memory");
    close_tmp(r, &r->truth_f, r->truth_tmp);
    close_tmp(r, &r->obs_f, r->obs_tmp);
    close_tmp(r, &r->meant_f, r->meant_tmp);
    close_tmp(r, &r->tracks_f, r->tracks_tmp);
    close_tmp(r, &r->events_f, r->events_tmp);
    if (dw__sim_assess_close(r->as, !r->failed) != DW_OK && !r->failed)
        fail(r, "assessment: %s%s", "cannot write alerts.ndjson or identities.ndjson", "");
    if (r->failed && st == DW_OK)
        st = DW_ERR_IO;
    if (out)
        *out = r->pr;
    dw_pipeline_destroy(r->pipe);
    free(r->feeds);
    free(r->feed_of);
    free(r->heap);
    free(r->line);
    free(r->enc);
    free(r->sc_truth);
    free(r->sc_tracks);
    free(r->sc_mix);
    free(r->first_seen);
    free(r->seen);
    free(r->sensor_step);
    free(r->first_track);
    free(r->inst);
    dw_sensors_index_destroy(r->index);
    free(r->descs);
    return st;
}

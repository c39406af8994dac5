/* cmd_decode.c — `dronewall decode`: any recording of a supported wire format
 * to NDJSON, like gpsdecode or `asterix -j`.
 *
 * Each file goes through a capture (container by content: pcap, pcapng,
 * FINAL, ORADIS, raw) and a decoder (codec given by --format or recognised
 * per source). --raw writes each raw record as the codec describes it (one
 * JSON object per line, "codec" first); --obs writes the normalised
 * observations as native NDJSON. The counters end up in a one-line summary
 * on stderr, and with --stats also as the output's last line. With --obs,
 * --sensor-id names the sensor of formats that carry no sensor identity and
 * --sensors turns the names wire formats give sensors (an ASTERIX radar's
 * "ASX-SAC-SIC") into the ids of a sensors file, so the output can go
 * straight to `dronewall track`.
 *
 * Output goes through our own 1 MiB buffer, so a record costs one memcpy and
 * a syscall happens once per megabyte. The option table below drives
 * getopt_long, its optstring and --help. Exit codes as in commands.h: 0 the
 * input was read (malformed records are counted, not fatal), 1 a file could
 * not be read or nothing in it could be decoded, 2 usage.
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/commands.h"
#include "dronewall/capture.h"
#include "dronewall/codec.h"
#include "dronewall/decoder.h"
#include "dronewall/jsonw.h"
#include "dronewall/ndjson.h"
#include "dronewall/sensors_file.h"

#define DECODE_OPTIONS(X)                                                                  \
    X("format", 'f', "NAME", "the codec (default: recognised from each source's bytes)")  \
    X("raw", 'r', NULL, "one JSON object per raw record (the default)")                   \
    X("obs", 'O', NULL, "observations as native NDJSON (docs/formats.md)")                \
    X("ref", 'R', "LAT,LON", "receiver position in degrees (local position decoding)")    \
    X("edition", 'e', "SPEC", "protocol editions, e.g. cat021=2.6,cat048=1.32")           \
    X("sensors", 'S', "FILE", "--obs: name sensors by their id in FILE, not their wire_id") \
    X("sensor-id", 'I', "NAME", "--obs: NAME is every observation's sensor (SBS, AVR, Beast,\n" \
      "                          Remote ID and CoT name none)")                              \
    X("stats", 's', NULL, "end the output with one JSON object of counters")              \
    X("output", 'o', "OUT", "write to OUT (through a temporary name), not stdout")        \
    X("list", 'l', NULL, "list the codecs and exit")                                      \
    X("help", 'h', NULL, "show this help")

#define OUT_BUF (1u << 20)
#define OBS_LINE_MAX 4096u

static void usage(FILE *f)
{
    fprintf(f, "usage: dronewall decode [--format NAME] [--raw | --obs] [--ref LAT,LON]\n"
               "                        [--edition SPEC] [--sensors FILE] [--sensor-id NAME]\n"
               "                        [--stats] [-o OUT] FILE... | -\n"
               "       dronewall decode --list\n\n"
               "Decodes recordings of sensor wire formats to NDJSON on stdout. The\n"
               "container is recognised by content: pcap and pcapng (UDP payloads, TCP\n"
               "streams, 802.11 and Bluetooth frames), ASTERIX FINAL and ORADIS, or a raw\n"
               "byte stream. '-' reads standard input. A summary of the counters goes to\n"
               "stderr.\n\noptions:\n");
#define DECODE_HELP(name, ch, arg, text)                                                    \
    {                                                                                       \
        char head[40];                                                                      \
        snprintf(head, sizeof head, "-%c, --%s%s%s", ch, name, arg ? " " : "",              \
                 arg ? (const char *)arg : "");                                             \
        fprintf(f, "  %-22s %s\n", head, text);                                             \
    }
    DECODE_OPTIONS(DECODE_HELP)
#undef DECODE_HELP
    fprintf(f, "\ncodecs:");
    const dw_codec_ops *const *t = dw_codecs();
    for (size_t i = 0; t[i]; i++)
        fprintf(f, " %s", t[i]->name);
    fprintf(f, "%s\n\nexit status: 0 read (malformed records are counted), 1 unreadable or\n"
               "nothing decodable, 2 usage error\n",
            t[0] ? "" : " (none built)");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "dronewall decode: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(dronewall decode --help for usage)\n");
    va_end(ap);
    return 2;
}

/* ---- output ------------------------------------------------------------- */

typedef struct out {
    FILE *f;
    char *buf;
    size_t len;
    int err;
    uint64_t obs_refused;       /* observations the NDJSON writer refused */
    /* Renaming sensors (--sensor-id, --sensors). */
    const char *sensor_id;      /* NULL: keep the decoder's name */
    const dw_sensor *sensors;
    const dw_sensors_index *index;  /* NULL: no --sensors */
    uint64_t renamed, by_id, unlisted;
} out;

static void out_flush(out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->err = 1;
    o->len = 0;
}

static void out_line(out *o, const char *s, size_t n)
{
    if (OUT_BUF - o->len < n + 1) {
        out_flush(o);
        if (n + 1 > OUT_BUF) {
            if (fwrite(s, 1, n, o->f) != n || fputc('\n', o->f) == EOF)
                o->err = 1;
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len++] = '\n';
}

static void sink_raw(void *ctx, const char *json, size_t len) { out_line(ctx, json, len); }

/* The observation under the name the run's sensors file gives its sensor. */
static const dw_obs *rename_sensor(out *o, const dw_obs *ob, dw_obs *copy)
{
    if (!o->sensor_id && !o->index)
        return ob;
    *copy = *ob;
    if (o->sensor_id)
        snprintf(copy->sensor, sizeof copy->sensor, "%s", o->sensor_id);
    if (o->index) {
        int i = dw_sensors_index_find(o->index, copy->sensor);
        if (i < 0) {
            o->unlisted++;
        } else if (strcmp(o->sensors[i].id, copy->sensor) == 0) {
            o->by_id++;
        } else {
            memcpy(copy->sensor, o->sensors[i].id, sizeof copy->sensor);
            o->renamed++;
        }
    }
    return copy;
}

static void sink_obs(void *ctx, const dw_obs *in)
{
    out *o = ctx;
    dw_obs copy;
    const dw_obs *ob = rename_sensor(o, in, &copy);
    if (OUT_BUF - o->len < OBS_LINE_MAX)
        out_flush(o);
    char *end = NULL;
    if (dw_ndjson_write_obs(o->buf + o->len, o->buf + OUT_BUF, ob, &end) == DW_OK)
        o->len = (size_t)(end - o->buf);
    else
        o->obs_refused++;
}

/* ---- one file ------------------------------------------------------------ */

typedef struct file_result {
    const char *path;
    const char *format;
    int linktype;
    const char *codec;
    dw_decode_stats d;          /* this file's share of the sink's counters */
    dw_capture_stats c;
    dw_decoder_stats k;
    int ok;
} file_result;

static void stats_sub(dw_decode_stats *a, const dw_decode_stats *b)
{
    a->frames -= b->frames;
    a->records -= b->records;
    a->obs -= b->obs;
    a->malformed -= b->malformed;
    a->unknown -= b->unknown;
    a->crc_errors -= b->crc_errors;
    a->skipped_bytes -= b->skipped_bytes;
}

static int decode_file(const char *path, const dw_codec_ops *codec, const dw_codec_config *cfg,
                       dw_decode_sink *sink, file_result *r)
{
    char err[512];
    dw_capture *cap = NULL;
    dw_status st = !strcmp(path, "-") ? dw_capture_open_fp(stdin, "-", &cap, err, sizeof err)
                                      : dw_capture_open(path, &cap, err, sizeof err);
    memset(r, 0, sizeof *r);
    r->path = path;
    if (st != DW_OK) {
        fprintf(stderr, "dronewall decode: %s\n", err);
        return 1;
    }
    r->format = dw_capture_format_name(dw_capture_get_format(cap));
    r->linktype = dw_capture_linktype(cap);
    dw_decoder *dec = NULL;
    if (dw_decoder_create(codec, cfg, sink, &dec) != DW_OK) {
        fprintf(stderr, "dronewall decode: %s: out of memory\n", path);
        dw_capture_close(cap);
        return 1;
    }
    dw_decode_stats before = sink->stats;
    const uint8_t *data;
    size_t len;
    dw_frame_meta meta;
    while ((st = dw_capture_next(cap, &data, &len, &meta)) == DW_OK)
        dw_decoder_feed(dec, data, len, &meta);
    dw_decoder_finish(dec);
    int rc = 0;
    if (st != DW_ERR_EOF) {
        fprintf(stderr, "dronewall decode: %s: %s\n", path, dw_status_str(st));
        rc = 1;
    }
    dw_capture_get_stats(cap, &r->c);
    dw_decoder_get_stats(dec, &r->k);
    const dw_codec_ops *used = dw_decoder_codec(dec);
    r->codec = used ? used->name : NULL;
    r->d = sink->stats;
    stats_sub(&r->d, &before);
    if (r->c.corrupt)
        fprintf(stderr, "dronewall decode: %s: a %s record header makes no sense; read up to it\n",
                path, r->format);
    else if (r->c.truncated_file)
        fprintf(stderr, "dronewall decode: %s: the %s file is cut short; read up to the cut\n",
                path, r->format);
    if (rc == 0 && r->c.records > 0 && r->d.frames == 0 && r->d.records == 0) {
        if (!used)
            fprintf(stderr, "dronewall decode: %s: no supported format recognised\n", path);
        else
            fprintf(stderr, "dronewall decode: %s: nothing could be decoded as %s "
                            "(%llu malformed)\n", path, used->name,
                    (unsigned long long)r->d.malformed);
        rc = 1;
    }
    r->ok = rc == 0;
    dw_decoder_destroy(dec);
    dw_capture_close(cap);
    return rc;
}

/* ---- the counters -------------------------------------------------------- */

static void jw_decode_stats(dw_jw *w, const dw_decode_stats *s)
{
    dw_jw_key(w, "frames"); dw_jw_uint(w, s->frames);
    dw_jw_key(w, "records"); dw_jw_uint(w, s->records);
    dw_jw_key(w, "obs"); dw_jw_uint(w, s->obs);
    dw_jw_key(w, "malformed"); dw_jw_uint(w, s->malformed);
    dw_jw_key(w, "unknown"); dw_jw_uint(w, s->unknown);
    dw_jw_key(w, "crc_errors"); dw_jw_uint(w, s->crc_errors);
    dw_jw_key(w, "skipped_bytes"); dw_jw_uint(w, s->skipped_bytes);
}

static void write_stats(out *o, const file_result *res, size_t n, const dw_decode_stats *total)
{
    static char buf[1 << 16];
    dw_jw w;
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_obj(&w);
    dw_jw_kstr(&w, "type", "decode_stats");
    dw_jw_key(&w, "files");
    dw_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        const file_result *r = &res[i];
        const char *base = strrchr(r->path, '/');
        dw_jw_obj(&w);
        dw_jw_kstr(&w, "file", base ? base + 1 : r->path);
        dw_jw_key(&w, "format");
        if (r->format)
            dw_jw_str(&w, r->format);
        else
            dw_jw_null(&w);
        dw_jw_key(&w, "codec");
        if (r->codec)
            dw_jw_str(&w, r->codec);
        else
            dw_jw_null(&w);
        if (r->linktype >= 0)
            dw_jw_kint(&w, "linktype", r->linktype);
        dw_jw_key(&w, "packets"); dw_jw_uint(&w, r->c.delivered);
        dw_jw_key(&w, "bytes"); dw_jw_uint(&w, r->c.bytes);
        jw_decode_stats(&w, &r->d);
        dw_jw_key(&w, "capture");
        dw_jw_obj(&w);
        dw_jw_key(&w, "records"); dw_jw_uint(&w, r->c.records);
        dw_jw_key(&w, "truncated"); dw_jw_uint(&w, r->c.truncated);
        dw_jw_key(&w, "ip_fragments"); dw_jw_uint(&w, r->c.ip_fragments);
        dw_jw_key(&w, "unknown_link"); dw_jw_uint(&w, r->c.unknown_link);
        dw_jw_key(&w, "malformed"); dw_jw_uint(&w, r->c.malformed);
        dw_jw_key(&w, "unwrapped"); dw_jw_uint(&w, r->c.unwrapped);
        dw_jw_key(&w, "skipped_bytes"); dw_jw_uint(&w, r->c.skipped_bytes);
        dw_jw_key(&w, "tcp_gaps"); dw_jw_uint(&w, r->c.tcp_gaps);
        dw_jw_key(&w, "tcp_dups"); dw_jw_uint(&w, r->c.tcp_dups);
        dw_jw_kbool(&w, "truncated_file", r->c.truncated_file);
        dw_jw_kbool(&w, "corrupt", r->c.corrupt);
        dw_jw_obj_end(&w);
        dw_jw_key(&w, "decoder");
        dw_jw_obj(&w);
        dw_jw_key(&w, "sources"); dw_jw_uint(&w, r->k.sources);
        dw_jw_key(&w, "undetected_bytes"); dw_jw_uint(&w, r->k.undetected_bytes);
        dw_jw_key(&w, "overflows"); dw_jw_uint(&w, r->k.overflows);
        dw_jw_key(&w, "codec_errors"); dw_jw_uint(&w, r->k.codec_errors);
        dw_jw_obj_end(&w);
        dw_jw_obj_end(&w);
    }
    dw_jw_arr_end(&w);
    dw_jw_key(&w, "total");
    dw_jw_obj(&w);
    jw_decode_stats(&w, total);
    dw_jw_obj_end(&w);
    dw_jw_obj_end(&w);
    if (dw_jw_ok(&w))
        out_line(o, buf, dw_jw_len(&w));
}

static void summary(const file_result *res, size_t n, const dw_decode_stats *t, const out *o)
{
    dw_capture_stats c = {0};
    uint64_t packets = 0;
    for (size_t i = 0; i < n; i++) {
        packets += res[i].c.delivered;
        c.truncated += res[i].c.truncated;
        c.ip_fragments += res[i].c.ip_fragments;
        c.unknown_link += res[i].c.unknown_link;
        c.malformed += res[i].c.malformed;
    }
    fprintf(stderr,
            "dronewall decode: %zu file%s, %llu packets, %llu frames, %llu records, %llu obs, "
            "%llu malformed, %llu unknown, %llu crc errors, %llu skipped bytes; capture: "
            "%llu truncated, %llu IP fragments, %llu unknown link/protocol, %llu malformed\n",
            n, n == 1 ? "" : "s", (unsigned long long)packets, (unsigned long long)t->frames,
            (unsigned long long)t->records, (unsigned long long)t->obs,
            (unsigned long long)t->malformed, (unsigned long long)t->unknown,
            (unsigned long long)t->crc_errors, (unsigned long long)t->skipped_bytes,
            (unsigned long long)c.truncated, (unsigned long long)c.ip_fragments,
            (unsigned long long)c.unknown_link, (unsigned long long)c.malformed);
    if (o->obs_refused)
        fprintf(stderr, "dronewall decode: %llu observations refused by the NDJSON writer "
                        "(a codec bug: please report)\n",
                (unsigned long long)o->obs_refused);
}

static void list_codecs(void)
{
    const dw_codec_ops *const *t = dw_codecs();
    for (size_t i = 0; t[i]; i++)
        printf("%-10s %s\n", t[i]->name, t[i]->summary ? t[i]->summary : "");
}

static int parse_ref(const char *s, dw_codec_config *cfg)
{
    char *end;
    double lat = strtod(s, &end);
    if (end == s || *end != ',')
        return 0;
    const char *q = end + 1;
    double lon = strtod(q, &end);
    if (end == q || *end || !isfinite(lat) || !isfinite(lon) || fabs(lat) > 90 ||
        fabs(lon) > 180)
        return 0;
    cfg->ref_lat_deg = lat;
    cfg->ref_lon_deg = lon;
    cfg->has_ref = 1;
    return 1;
}

int cmd_decode(int argc, char **argv)
{
    static const struct option longopts[] = {
#define DECODE_LONG(name, ch, arg, text) {name, arg ? required_argument : no_argument, NULL, ch},
        DECODE_OPTIONS(DECODE_LONG)
#undef DECODE_LONG
        {NULL, 0, NULL, 0},
    };
    /* The short options come from the same table; ":" first makes a
     * missing value come back as ':' so that we report it ourselves. */
    char shortopts[64];
    size_t k = 0;
    shortopts[k++] = ':';
    for (size_t i = 0; longopts[i].name && k + 2 < sizeof shortopts; i++) {
        shortopts[k++] = (char)longopts[i].val;
        if (longopts[i].has_arg)
            shortopts[k++] = ':';
    }
    shortopts[k] = '\0';

    const char *format = NULL, *output = NULL, *sensors_path = NULL, *sensor_id = NULL;
    int want_raw = 0, want_obs = 0, want_stats = 0, list = 0;
    dw_codec_config cfg = {0};

    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        switch (ch) {
        case 'f': format = optarg; break;
        case 'r': want_raw = 1; break;
        case 'O': want_obs = 1; break;
        case 'R':
            if (!parse_ref(optarg, &cfg))
                return usage_error("--ref must be LAT,LON in degrees, not '%s'", optarg);
            break;
        case 'e': cfg.edition = optarg; break;
        case 'S': sensors_path = optarg; break;
        case 'I':
            if (!*optarg || strlen(optarg) >= DW_ID_MAX)
                return usage_error("--sensor-id must be 1 to %d characters", DW_ID_MAX - 1);
            sensor_id = optarg;
            break;
        case 's': want_stats = 1; break;
        case 'o': output = optarg; break;
        case 'l': list = 1; break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt)
                return usage_error("unknown option '-%c'", optopt);
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (list) {
        list_codecs();
        return fflush(stdout) == 0 ? 0 : 1;
    }
    if (want_raw && want_obs)
        return usage_error("--raw and --obs exclude each other");
    if ((sensors_path || sensor_id) && !want_obs)
        return usage_error("--sensors and --sensor-id name the sensors of observations: add --obs");
    if (optind >= argc)
        return usage_error("no input: name files, or - for standard input");
    const dw_codec_ops *codec = NULL;
    if (format && !(codec = dw_codec_find(format))) {
        char names[512];
        size_t n = 0;
        names[0] = '\0';
        const dw_codec_ops *const *t = dw_codecs();
        for (size_t i = 0; t[i] && n < sizeof names; i++)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", t[i]->name);
        return usage_error("unknown --format '%s' (known: %s)", format, n ? names : "none");
    }

    out o = {0};
    char tmp[4096];
    dw_sensor *sensors = NULL;
    size_t n_sensors = 0;
    dw_sensors_index *index = NULL;
    if (sensors_path) {
        char err[512];
        if (dw_sensors_load(sensors_path, &sensors, &n_sensors, err, sizeof err) != DW_OK ||
            dw_sensors_index_create(sensors, n_sensors, &index, err, sizeof err) != DW_OK) {
            fprintf(stderr, "dronewall decode: %s\n", err);
            free(sensors);
            return 1;
        }
    }
    o.sensor_id = sensor_id;
    o.sensors = sensors;
    o.index = index;
    o.buf = malloc(OUT_BUF);
    if (!o.buf) {
        fprintf(stderr, "dronewall decode: out of memory\n");
        dw_sensors_index_destroy(index);
        free(sensors);
        return 1;
    }
    if (output) {
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", output, (long)getpid());
        o.f = fopen(tmp, "wb");
        if (!o.f) {
            fprintf(stderr, "dronewall decode: %s: cannot create\n", tmp);
            free(o.buf);
            dw_sensors_index_destroy(index);
            free(sensors);
            return 1;
        }
    } else {
        o.f = stdout;
    }

    dw_decode_sink sink = {0};
    sink.ctx = &o;
    if (want_obs) {
        sink.obs = sink_obs;
        sink.want_obs = 1;
    } else {
        sink.raw = sink_raw;
        sink.want_raw = 1;
    }
    size_t nfiles = (size_t)(argc - optind);
    file_result *res = calloc(nfiles, sizeof *res);
    if (!res) {
        fprintf(stderr, "dronewall decode: out of memory\n");
        if (output) {
            fclose(o.f);
            remove(tmp);
        }
        free(o.buf);
        dw_sensors_index_destroy(index);
        free(sensors);
        return 1;
    }
    int rc = 0;
    for (size_t i = 0; i < nfiles; i++)
        rc |= decode_file(argv[optind + (int)i], codec, &cfg, &sink, &res[i]);
    if (want_stats)
        write_stats(&o, res, nfiles, &sink.stats);
    out_flush(&o);
    if (fflush(o.f) != 0 || ferror(o.f))
        o.err = 1;
    if (output) {
        if (fclose(o.f) != 0)
            o.err = 1;
        if (o.err || rename(tmp, output) != 0) {
            remove(tmp);
            o.err = 1;
        }
    }
    if (o.err) {
        fprintf(stderr, "dronewall decode: %s: write error\n", output ? output : "stdout");
        rc = 1;
    }
    summary(res, nfiles, &sink.stats, &o);
    if (index)
        fprintf(stderr, "dronewall decode: %s: %llu observations renamed from a wire_id to the "
                        "sensor's id, %llu already named by id, %llu from sensors not listed "
                        "(names kept)\n",
                sensors_path, (unsigned long long)o.renamed, (unsigned long long)o.by_id,
                (unsigned long long)o.unlisted);
    free(res);
    free(o.buf);
    dw_sensors_index_destroy(index);
    free(sensors);
    return rc;
}

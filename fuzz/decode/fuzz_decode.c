/* fuzz_decode.c — `dronewall decode` on arbitrary bytes: the capture finds a
 * container (or none), the decoder frames what it hands out and runs every
 * codec over it.
 *
 * The first byte chooses the codec: 0 (and anything past the table)
 * recognises one per source, as `dronewall decode` does; k picks the k-th
 * codec of the table, as --format does, so that each codec's framing sees
 * every kind of stream. The rest is the file.
 *
 * Beyond "no crash, no leak, no hang, no undefined behaviour": every raw
 * record is one JSON object whose first key is "codec" (docs/formats.md,
 * "dronewall decode"), every observation is one the NDJSON writer accepts,
 * and the capture hands out only bytes of its input.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/capture.h"
#include "dronewall/codec.h"
#include "dronewall/decoder.h"
#include "dronewall/log.h"
#include "dronewall/ndjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text, size_t len)
{
    fprintf(stderr, "fuzz_decode: %s\n%.*s\n", what, (int)(len < 2000 ? len : 2000),
            text ? text : "");
    abort();
}

static void check_raw(void *ctx, const char *json, size_t len)
{
    (void)ctx;
    static const char head[] = "{\"codec\":\"";
    if (len < sizeof head || memcmp(json, head, sizeof head - 1))
        die("a raw record does not start with {\"codec\":\"", json, len);
    json_error_t e;
    json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
    if (!j || !json_is_object(j))
        die(j ? "a raw record is not an object" : e.text, json, len);
    json_decref(j);
}

static void check_obs(void *ctx, const dw_obs *o)
{
    (void)ctx;
    static char line[1 << 14];
    char *end;
    dw_status st = dw_ndjson_write_obs(line, line + sizeof line, o, &end);
    if (st != DW_OK) {
        snprintf(line, sizeof line,
                 "%s: sensor \"%s\" kind %d has 0x%x t_us %lld lat %.17g lon %.17g alt %.17g "
                 "range %.17g az %.17g el %.17g icao 0x%x",
                 dw_status_name(st), o->sensor, (int)o->kind, (unsigned)o->has,
                 (long long)o->t_us, o->lat_deg, o->lon_deg, o->alt_m, o->range_m, o->az_rad,
                 o->el_rad, (unsigned)o->icao);
        die("the NDJSON writer refused an observation a codec produced", line, strlen(line));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        dw_log_set_level(-1, DW_LOG_OFF);
        quiet = 1;
    }
    if (size < 1)
        return 0;
    const dw_codec_ops *const *table = dw_codecs();
    size_t ncodecs = 0;
    while (table[ncodecs])
        ncodecs++;
    const dw_codec_ops *codec = data[0] >= 1 && data[0] <= ncodecs ? table[data[0] - 1] : NULL;
    data++;
    size--;

    dw_capture *cap;
    if (dw_capture_open_mem(data, size, "fuzz", &cap, NULL, 0) != DW_OK)
        return 0;
    dw_decode_sink sink = {0};
    sink.raw = check_raw;
    sink.obs = check_obs;
    sink.want_raw = 1;
    sink.want_obs = 1;
    dw_codec_config cfg = {0};
    cfg.has_ref = 1;
    cfg.ref_lat_deg = 52.2;
    cfg.ref_lon_deg = 21.0;
    dw_decoder *dec;
    if (dw_decoder_create(codec, &cfg, &sink, &dec) != DW_OK) {
        dw_capture_close(cap);
        return 0;
    }
    const uint8_t *d;
    size_t n;
    dw_frame_meta m;
    dw_status st;
    while ((st = dw_capture_next(cap, &d, &n, &m)) == DW_OK) {
        if (n == 0 || d < data || d + n > data + size)
            die("the capture handed out bytes that are not its input's", NULL, 0);
        dw_decoder_feed(dec, d, n, &m);
    }
    if (st != DW_ERR_EOF)
        die("the capture of memory ended other than at EOF", dw_status_name(st),
            strlen(dw_status_name(st)));
    dw_decoder_finish(dec);
    dw_capture_stats cs;
    dw_capture_get_stats(cap, &cs);
    if (cs.bytes > size)
        die("the capture handed out more bytes than it was given", NULL, 0);
    dw_decoder_destroy(dec);
    dw_capture_close(cap);
    return 0;
}

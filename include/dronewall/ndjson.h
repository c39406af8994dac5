/* ndjson.h — dronewall's native line format: one JSON object per line, "v":1.
 *
 * NDJSON is the lingua franca of the tests, the command line and the API
 * (DESIGN.md §8; every key, unit and word is in docs/formats.md). This module
 * turns lines into dw_obs / dw_track / dw_truth values and back, and nothing
 * else: it never tracks, never maps sensor names to indices, never reads the
 * wall clock.
 *
 * Reading never dies on input. A line that is not JSON, not an object, of an
 * unknown version or type, missing a required key, holding a value of the
 * wrong type, an unknown word or a value out of range is counted, logged at a
 * rate limit (category io) as "NAME:LINE: reason", kept as the reader's last
 * error, and skipped; the good lines around it still come through. Keys this
 * version does not know are ignored, so newer writers stay readable.
 *
 * Ownership: the reader owns its line buffer and a copy of the name; it reads
 * from, but never closes, the caller's FILE. Records are plain values the
 * caller owns. The writers allocate nothing: they write into the caller's
 * buffer up to an end pointer, readsb style.
 */
#ifndef DRONEWALL_NDJSON_H
#define DRONEWALL_NDJSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dronewall/obs.h"
#include "dronewall/status.h"
#include "dronewall/track.h"
#include "dronewall/truth.h"

#define DW_NDJSON_VERSION 1

typedef enum dw_record_type { DW_REC_OBS, DW_REC_TRACK, DW_REC_TRUTH } dw_record_type;

typedef struct dw_record {
    dw_record_type type;
    uint64_t line;              /* 1-based line in the input; 0 from dw_ndjson_parse */
    union {
        dw_obs obs;             /* sensor_idx is 0: the caller maps obs.sensor */
        dw_track track;         /* n_sensors is 0: names cannot become indices here */
        dw_truth truth;
    } u;
} dw_record;

typedef struct dw_ndjson_stats {
    uint64_t lines;             /* every line read, blank and bad included */
    uint64_t records;           /* good records returned                   */
    uint64_t bad;               /* lines skipped as malformed              */
    uint64_t blank;             /* empty or white-space-only lines         */
} dw_ndjson_stats;

typedef struct dw_ndjson_reader dw_ndjson_reader;

/* A reader over f, which must stay open until the reader is destroyed; the
 * caller closes it. `name` (copied; NULL gives "-") starts every message.
 * Returns DW_ERR_INVALID without f or out, DW_ERR_NOMEM. */
dw_status dw_ndjson_reader_create(FILE *f, const char *name, dw_ndjson_reader **out);

/* Frees the reader (NULL is fine); the FILE is left open. */
void dw_ndjson_reader_destroy(dw_ndjson_reader *r);

/* The next good record: DW_OK, DW_ERR_EOF at the end (again on every later
 * call), DW_ERR_IO if reading failed. Bad lines are skipped, not returned.
 * Messages about bad lines are limited to 20 at once and then one a second,
 * on the data's own clock (the t_us of the last good record), so a replay
 * logs the same lines every time; stats and the last error count them all. */
dw_status dw_ndjson_next(dw_ndjson_reader *r, dw_record *out);

/* "NAME:LINE: reason" of the last bad line, or "" if there was none. Owned
 * by the reader, valid until its next call. */
const char *dw_ndjson_last_error(const dw_ndjson_reader *r);

void dw_ndjson_get_stats(const dw_ndjson_reader *r, dw_ndjson_stats *out);

/* One line (without or with its '\n') from memory, for inputs that arrive
 * as messages (NATS, WebSocket). DW_OK, or DW_ERR_PARSE with the reason
 * (no NAME:LINE prefix) in err when err is not NULL. */
dw_status dw_ndjson_parse(const char *line, size_t len, dw_record *out, char *err, size_t errlen);

/* Writers: one line into [buf, end), '\n' included, then a NUL, so at most
 * end - buf - 1 characters. On DW_OK *out_end points at the NUL, where the
 * next line may start. DW_ERR_FULL if it does not fit and DW_ERR_INVALID for
 * a value the reader would refuse (NaN, infinity, out of its documented
 * range, an ICAO address over 24 bits, a track id over INT64_MAX, an empty
 * id), so every line written reads back; on failure the buffer's content
 * is undefined and *out_end is untouched. Angles are printed to 12
 * significant digits of degrees (far below any sensor's accuracy), other
 * doubles in the shortest form that reads back to the same double. */
dw_status dw_ndjson_write_obs(char *buf, char *end, const dw_obs *o, char **out_end);

/* sensor_names[i] is the id of sensor index i; the track's sensor_idx
 * values are written as those names, and indices without a name are left
 * out. With sensor_names NULL the "sensors" key is not written. */
dw_status dw_ndjson_write_track(char *buf, char *end, const dw_track *t,
                                const char *const *sensor_names, size_t n_names,
                                char **out_end);

dw_status dw_ndjson_write_truth(char *buf, char *end, const dw_truth *t, char **out_end);

/* Whichever of the three rec->type says. */
dw_status dw_ndjson_write_record(char *buf, char *end, const dw_record *rec,
                                 const char *const *sensor_names, size_t n_names,
                                 char **out_end);

#endif

/* track2d.h — files of the track2d benchmark: scenarios in, tracks out.
 *
 * track2d (../shared/bench/track2d/README.md) is a plain 2-D multi-target
 * scenario that any tracker can run, so that dronewall's tracking core can be
 * compared with a peer on identical input. This module reads and writes its
 * two CSV formats, dronewall-scn-1 (truth T rows and measurement M rows) and
 * dronewall-trk-1 (one row per confirmed track per scan), and generates new
 * scenarios of the same kind from the README's model with its own seeded RNG.
 *
 * Ownership: a dw_t2d_scenario owns every array it points to and is released
 * with dw_t2d_scenario_free; rows from dw_t2d_read_tracks belong to the caller
 * (one free()). The origin of a measurement (which truth caused it) is in the
 * file only for scoring: it is read into a separate array and only when asked
 * for with DW_T2D_ORIGIN, so a tracker that asks for DW_T2D_MEAS cannot see it.
 * Error messages are "path:line: reason" so a person can go straight to the
 * line.
 */
#ifndef DRONEWALL_TRACK2D_H
#define DRONEWALL_TRACK2D_H

#include <stddef.h>
#include <stdio.h>

#include "dronewall/status.h"

#define DW_T2D_SCN_FORMAT "dronewall-scn-1"
#define DW_T2D_TRK_FORMAT "dronewall-trk-1"

/* The header parameters of a scenario (`# key=value` lines, same names). */
typedef struct dw_t2d_params {
    int n_targets, n_scans;
    double dt, q, sigma_z, sigma_v, pd, clutter_density, clutter_rate;
    double box_xmin, box_xmax, box_ymin, box_ymax, spacing;
    unsigned long seed;
} dw_t2d_params;

/* One measurement; deliberately without its origin. */
typedef struct dw_t2d_meas {
    int scan;
    double t;
    double zx, zy;
} dw_t2d_meas;

typedef struct dw_t2d_truth {
    int scan;
    double t;
    int id;                     /* 0 <= id < n_targets */
    double x, vx, y, vy;
} dw_t2d_truth;

typedef struct dw_t2d_track_row {
    int scan;
    double t;
    long long track_id;
    double x, vx, y, vy;
} dw_t2d_track_row;

typedef struct dw_t2d_scenario {
    dw_t2d_params params;
    dw_t2d_meas *meas;          /* sorted by scan, in file order within a scan */
    size_t n_meas;
    int *scan_start;            /* n_scans+1 offsets into meas */
    dw_t2d_truth *truth;        /* sorted by scan */
    size_t n_truth;
    /* Added after the first API: */
    int *origin;                /* parallel to meas: truth id or -1 (clutter);
                                   NULL unless DW_T2D_ORIGIN was asked for */
    int *truth_start;           /* n_scans+1 offsets into truth */
} dw_t2d_scenario;

enum { DW_T2D_MEAS = 1, DW_T2D_TRUTH = 2, DW_T2D_ORIGIN = 4 };

/* Read a dronewall-scn-1 file. `what` selects M rows and/or T rows; with
 * DW_T2D_ORIGIN (which implies DW_T2D_MEAS) the origin column is parsed into
 * out->origin, otherwise it is never looked at. Rows of a kind not asked for
 * are checked only for their kind and scan. Every header key is required.
 * On failure writes "path:line: reason" (or "path: reason") into err (if
 * err && errlen) and leaves *out unchanged; on DW_OK the caller releases *out
 * with dw_t2d_scenario_free. Status: DW_ERR_IO (cannot open/read),
 * DW_ERR_PARSE (malformed), DW_ERR_RANGE (too big to index), DW_ERR_NOMEM. */
dw_status dw_t2d_read_scenario(const char *path, unsigned what, dw_t2d_scenario *out,
                               char *err, size_t errlen);

/* Release what a scenario owns and zero it; NULL and a zeroed struct are fine. */
void dw_t2d_scenario_free(dw_t2d_scenario *s);

/* Read a dronewall-trk-1 file (a `# format=` line, if present, must name that
 * format). On DW_OK *rows is one malloc'd array of *n rows in file order (NULL
 * when empty) that the caller free()s; on failure nothing is written but err. */
dw_status dw_t2d_read_tracks(const char *path, dw_t2d_track_row **rows, size_t *n,
                             char *err, size_t errlen);

/* Open a dronewall-trk-1 writer: header comments (format, tracker, scenario)
 * and the column line are written at once. The data goes to a temporary file
 * beside `path` that only dw_t2d_tracks_writer_close renames onto `path`, so a
 * reader never sees half a file. *out is valid until that close. */
dw_status dw_t2d_tracks_writer_open(const char *path, const char *tracker,
                                    const char *scenario, FILE **out);

/* One row; doubles as %.17g so a read gives back the same bits. */
void dw_t2d_tracks_write_row(FILE *f, const dw_t2d_track_row *r);

/* Flush, close and rename onto the final path. DW_ERR_IO if any write failed,
 * in which case the temporary file is removed and `path` is left as it was.
 * f is closed in every case. */
dw_status dw_t2d_tracks_writer_close(FILE *f);

/* Generate a scenario of the README's kind and write it (through a temporary
 * file) as dronewall-scn-1 with every header key.
 * Used from p: n_targets, n_scans, dt, q, sigma_z, sigma_v, pd,
 * clutter_density, spacing, seed. The clutter box and clutter_rate are derived
 * and written: the box is the bounding box of every truth position grown by
 * spacing/2 on each side (what the shipped files show), and clutter_rate =
 * clutter_density * box area. Deterministic for a seed on every platform with
 * IEEE doubles and the same libm. DW_ERR_INVALID on nonsense parameters. */
dw_status dw_t2d_generate(const dw_t2d_params *p, const char *path);

#endif

/* fuzz_ndjson.c — the NDJSON reader on arbitrary bytes, the writers on what it accepts.
 *
 * Beyond "no crash, no leak, no undefined behaviour", every record the reader
 * accepts must be one the writer can write, and the written line must read
 * back as the same record: equal, except angles, which travel as 12
 * significant digits of degrees. That is the decode → encode → decode
 * round trip STYLE.md asks of every codec, on inputs nobody thought of.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/log.h"
#include "dronewall/ndjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_ndjson: %s\n%s\n", what, text ? text : "");
    abort();
}

static void same(double a, double b, const char *what, const char *text)
{
    if (!(a == b))
        die(what, text);
}

static void same_angle(double a, double b, const char *what, const char *text)
{
    if (!(fabs(a - b) <= 1e-9 * (1.0 + fabs(a))))
        die(what, text);
}

static void same_scores(const float *a, const float *b, const char *text)
{
    for (int i = 0; i < DW_NCLASSES; i++)
        if (a[i] != b[i])
            die("class scores differ", text);
}

static void compare(const dw_record *a, const dw_record *b, const char *text)
{
    if (a->type != b->type)
        die("type differs", text);
    switch (a->type) {
    case DW_REC_OBS: {
        const dw_obs *x = &a->u.obs, *y = &b->u.obs;
        if (x->t_us != y->t_us || strcmp(x->sensor, y->sensor) || x->kind != y->kind ||
            x->has != y->has || x->icao != y->icao || x->mode3a != y->mode3a ||
            strcmp(x->callsign, y->callsign) || strcmp(x->rid, y->rid))
            die("obs identity, time or has bits differ", text);
        same(x->lat_deg, y->lat_deg, "lat_deg", text);
        same(x->lon_deg, y->lon_deg, "lon_deg", text);
        same(x->alt_m, y->alt_m, "alt_m", text);
        for (int i = 0; i < 9; i++)
            same(x->cov_enu[i / 3][i % 3], y->cov_enu[i / 3][i % 3], "cov_enu", text);
        same(x->range_m, y->range_m, "range_m", text);
        same_angle(x->az_rad, y->az_rad, "az", text);
        same_angle(x->el_rad, y->el_rad, "el", text);
        same(x->range_rate_mps, y->range_rate_mps, "range_rate_mps", text);
        same(x->sigma_pos_m, y->sigma_pos_m, "sigma.pos_m", text);
        same(x->sigma_alt_m, y->sigma_alt_m, "sigma.alt_m", text);
        same(x->sigma_range_m, y->sigma_range_m, "sigma.range_m", text);
        same_angle(x->sigma_az_rad, y->sigma_az_rad, "sigma.az", text);
        same_angle(x->sigma_el_rad, y->sigma_el_rad, "sigma.el", text);
        same(x->sigma_rr_mps, y->sigma_rr_mps, "sigma.range_rate_mps", text);
        for (int i = 0; i < 3; i++)
            same(x->vel_enu_mps[i], y->vel_enu_mps[i], "vel_enu_mps", text);
        same(x->radius_m, y->radius_m, "radius_m", text);
        same(x->amplitude_db, y->amplitude_db, "amplitude_db", text);
        same(x->rcs_m2, y->rcs_m2, "rcs_m2", text);
        same_scores(x->class_score, y->class_score, text);
        break;
    }
    case DW_REC_TRACK: {
        const dw_track *x = &a->u.track, *y = &b->u.track;
        if (x->id != y->id || x->t_us != y->t_us || x->status != y->status || x->cls != y->cls ||
            x->affiliation != y->affiliation || x->hits != y->hits || x->icao != y->icao ||
            strcmp(x->callsign, y->callsign) || strcmp(x->rid, y->rid))
            die("track identity, time or words differ", text);
        same(x->lat_deg, y->lat_deg, "lat_deg", text);
        same(x->lon_deg, y->lon_deg, "lon_deg", text);
        same(x->alt_m, y->alt_m, "alt_m", text);
        same(x->quality, y->quality, "quality", text);
        for (int i = 0; i < 3; i++)
            same(x->vel_enu_mps[i], y->vel_enu_mps[i], "vel_enu_mps", text);
        for (int i = 0; i < 9; i++) {
            same(x->cov_pos_enu[i / 3][i % 3], y->cov_pos_enu[i / 3][i % 3], "cov_pos_enu", text);
            same(x->cov_vel_enu[i / 3][i % 3], y->cov_vel_enu[i / 3][i % 3], "cov_vel_enu", text);
        }
        same_scores(x->class_prob, y->class_prob, text);
        break;
    }
    case DW_REC_TRUTH: {
        const dw_truth *x = &a->u.truth, *y = &b->u.truth;
        if (x->t_us != y->t_us || strcmp(x->id, y->id) || x->cls != y->cls || x->alive != y->alive)
            die("truth identity, time or class differ", text);
        same(x->lat_deg, y->lat_deg, "lat_deg", text);
        same(x->lon_deg, y->lon_deg, "lon_deg", text);
        same(x->alt_m, y->alt_m, "alt_m", text);
        for (int i = 0; i < 3; i++)
            same(x->vel_enu_mps[i], y->vel_enu_mps[i], "vel_enu_mps", text);
        break;
    }
    }
}

static void round_trip(const dw_record *in)
{
    static char text[1 << 16];
    static const char *const names[] = {"PL-RAD-01"};
    char *end = NULL;
    dw_status st = dw_ndjson_write_record(text, text + sizeof text, in, names, 1, &end);
    if (st != DW_OK)
        die("the writer refused a record the reader accepted", dw_status_name(st));
    if (*end != '\0' || end == text || end[-1] != '\n')
        die("the line does not end in \\n and NUL", text);

    dw_record back;
    char err[512];
    if (dw_ndjson_parse(text, (size_t)(end - text), &back, err, sizeof err) != DW_OK)
        die(err, text);
    compare(in, &back, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        dw_log_set_level(-1, DW_LOG_OFF);
        quiet = 1;
    }
    if (size == 0)
        return 0;
    /* fmemopen reads the caller's bytes in place ("r" never writes). */
    FILE *f = fmemopen((void *)(uintptr_t)data, size, "r");
    if (!f)
        return 0;
    dw_ndjson_reader *r;
    if (dw_ndjson_reader_create(f, "fuzz", &r) != DW_OK) {
        fclose(f);
        return 0;
    }
    dw_record rec;
    dw_status st;
    while ((st = dw_ndjson_next(r, &rec)) == DW_OK)
        round_trip(&rec);
    if (st != DW_ERR_EOF)
        die("the reader ended other than at EOF", dw_status_name(st));

    dw_ndjson_stats s;
    dw_ndjson_get_stats(r, &s);
    if (s.records + s.bad + s.blank != s.lines)
        die("lines != records + bad + blank", NULL);
    if (s.bad > 0 && dw_ndjson_last_error(r)[0] == '\0')
        die("a bad line left no message", NULL);
    dw_ndjson_reader_destroy(r);
    fclose(f);
    return 0;
}

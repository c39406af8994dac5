/* cmd_track.c — `dronewall track`: NDJSON observations in, NDJSON tracks out.
 *
 * Observations are read in time order and grouped into batches (consecutive
 * plots of one sensor within --window seconds); each batch goes to the
 * tracker, whose state is ECEF [x vx y vy z vz]. Every --report seconds of
 * data time the picture is written: one track record for every confirmed or
 * coasting track, predicted to that instant, and a "dead" record once for each
 * track that was dropped. Bad lines are counted and skipped by the reader;
 * observations the tracker cannot use yet are counted and reported at the end.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "dronewall/log.h"
#include "dronewall/ndjson.h"
#include "dronewall/sensors_file.h"
#include "dronewall/track_geo.h"
#include "dronewall/tracker.h"

#define MAX_BATCH 65536

static void usage(FILE *f)
{
    fprintf(f,
        "usage: dronewall track --sensors FILE [options] [OBS.ndjson | -]\n"
        "\n"
        "Fuse NDJSON observations (docs/formats.md) into tracks, written as NDJSON.\n"
        "Reads standard input when no file (or '-') is given.\n"
        "\n"
        "  -s, --sensors FILE     sensor definitions, JSON or YAML (required)\n"
        "  -o, --out FILE         write tracks here (default: standard output)\n"
        "      --report S         write the picture every S seconds of data time (default 1)\n"
        "      --window S         plots of one sensor within S seconds form one batch (default 0.5)\n"
        "      --q Q              process noise, m^2/s^3 per axis (default 1)\n"
        "      --init-vel V       velocity sigma of a new track, m/s (default 80)\n"
        "      --gate G           Mahalanobis gate, d^2 (default 16.3: chi-square 99.9 %%, 3-D)\n"
        "      --confirm M/N      confirm after M hits in N batches (default 3/4)\n"
        "      --delete-misses K  drop a track after K batches without a hit (default 4)\n"
        "      --max-tracks N     track pool size (default 20000)\n"
        "      --max-coast S      drop a track not updated for S seconds (default 30)\n"
        "      --log SPEC         log levels, e.g. 'info' or 'warn,track=debug'\n"
        "  -h, --help             this text\n"
        "\n"
        "Observation kinds used now: POLAR (from a sensor of kind radar or aew in the\n"
        "sensors file) and POS3. Others are counted and skipped.\n");
}

typedef struct ctx {
    dw_tracker *trk;
    dw_sensor *sensors;
    size_t n_sensors;
    dw_polar_site *sites;       /* by file sensor index */
    int *tidx;                  /* tracker sensor index by file sensor index */
    int pos_sensor;             /* tracker sensor for POS3 from unlisted sensors */
    const char **names;         /* tracker sensor index -> name */
    size_t n_names;
    FILE *out;
    char *line;
    size_t line_cap;
    int is_polar[33];           /* by tracker sensor index */
    int64_t period_us[33];
    double max_range[33];
    int64_t prev_t[33];         /* end of the sensor's previous batch */
    double prev_az[33];
    int64_t report_us;
    int64_t next_report;        /* INT64_MIN until the first observation */
    uint64_t n_written, n_dead, n_unwritable;
} ctx;

static void to_track(const dw_trk *k, dw_track *t)
{
    dw_track_init(t);
    t->id = k->id;
    t->t_us = k->t_us;
    t->status = k->status;
    dw_geodetic g;
    dw_geo_state(k->x, &g, t->vel_enu_mps);
    t->lat_deg = g.lat_deg;
    t->lon_deg = g.lon_deg;
    t->alt_m = g.alt_m;
    /* Position covariance into the local ENU frame. */
    double pe[3][3], pl[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            pe[i][j] = k->P[(2 * i) * 6 + 2 * j];
    dw_enu_frame f;
    dw_enu_frame_init(&f, &g);
    dw_enu_cov_from_ecef(&f, pe, pl);
    memcpy(t->cov_pos_enu, pl, sizeof pl);
    t->hits = k->hits;
    t->misses = k->misses;
    t->first_us = k->first_us;
    t->last_update_us = k->last_update_us;
    t->quality = k->misses ? 1.0 / (1.0 + k->misses) : 1.0;
    for (int s = 0; s < 32 && t->n_sensors < DW_TRACK_MAX_SENSORS; s++)
        if (k->sensor_mask & (1u << s))
            t->sensor_idx[t->n_sensors++] = (uint16_t)s;
    t->v_pos = (dw_validity){DW_SRC_ESTIMATED, k->last_update_us, 0};
}

static int write_track(ctx *c, const dw_track *t)
{
    char *end;
    for (;;) {
        dw_status st = dw_ndjson_write_track(c->line, c->line + c->line_cap, t, c->names,
                                             c->n_names, &end);
        if (st == DW_OK)
            break;
        if (st == DW_ERR_INVALID) {
            /* An estimate outside what the format allows (a clutter track
             * diving underground): counted and left out, never fatal. */
            if (c->n_unwritable++ == 0)
                fprintf(stderr, "dronewall track: track %llu at %.0f m altitude is outside the "
                                "track format's range; such reports are left out and counted\n",
                        (unsigned long long)t->id, t->alt_m);
            return 0;
        }
        if (st != DW_ERR_FULL || c->line_cap > (1u << 24)) {
            fprintf(stderr, "dronewall track: cannot write track %llu: %s\n",
                    (unsigned long long)t->id, dw_status_str(st));
            return -1;
        }
        char *nb = realloc(c->line, c->line_cap * 2);
        if (!nb)
            return -1;
        c->line = nb;
        c->line_cap *= 2;
    }
    fwrite(c->line, 1, (size_t)(end - c->line), c->out);
    c->n_written++;
    return 0;
}

/* Write the picture at every report instant up to and including t_us. */
static int report_until(ctx *c, int64_t t_us)
{
    while (c->next_report <= t_us) {
        size_t n = dw_tracker_count(c->trk);
        for (size_t i = 0; i < n; i++) {
            const dw_trk *k = dw_tracker_get(c->trk, i);
            if (k->status != DW_TRACK_CONFIRMED && k->status != DW_TRACK_COASTING)
                continue;
            dw_trk p;
            dw_tracker_predict_copy(c->trk, k, c->next_report, &p);
            dw_track t;
            to_track(&p, &t);
            if (write_track(c, &t) != 0)
                return -1;
        }
        c->next_report += c->report_us;
    }
    return 0;
}

static int flush_batch(ctx *c, int sensor, dw_meas *m, size_t n)
{
    if (n == 0)
        return 0;
    int64_t t = m[0].t_us;
    if (report_until(c, t - 1) != 0)
        return -1;
    /* What this batch looked at. A radar's plots come in azimuth order as
     * the beam turns: the batch covers the arc swept since its previous
     * batch (the whole circle after a full period or at the start). A
     * position report describes only its own object: nobody misses. */
    dw_cover cv;
    memset(&cv, 0, sizeof cv);
    if (c->is_polar[sensor]) {
        int64_t t_end = m[n - 1].t_us;
        cv.comp = 1;
        cv.lo = c->prev_az[sensor];
        cv.hi = m[n - 1].z[1];
        cv.full = c->prev_t[sensor] == INT64_MIN || c->period_us[sensor] <= 0 ||
                  t_end - c->prev_t[sensor] >= c->period_us[sensor];
        cv.max0 = c->max_range[sensor];
        cv.revisit_us = c->period_us[sensor] / 2;
        c->prev_t[sensor] = t_end;
        c->prev_az[sensor] = cv.hi;
    } else {
        cv.no_miss = 1;
    }
    dw_status st = dw_tracker_update_cover(c->trk, sensor, t, m, n, &cv);
    if (st != DW_OK) {
        fprintf(stderr, "dronewall track: tracker: %s\n", dw_status_str(st));
        return -1;
    }
    const dw_trk *dead;
    size_t nd = dw_tracker_deleted(c->trk, &dead);
    for (size_t i = 0; i < nd; i++) {
        dw_track tr;
        to_track(&dead[i], &tr);
        tr.t_us = t;
        if (write_track(c, &tr) != 0)
            return -1;
        c->n_dead++;
    }
    return 0;
}

static double sig(double from_obs, double from_sensor)
{
    return from_obs > 0 ? from_obs : from_sensor;
}

int cmd_track(int argc, char **argv)
{
    const char *sensors_path = NULL, *out_path = NULL;
    double report_s = 1.0, window_s = 0.5, q = 1.0, init_vel = 80.0, gate = 16.3;
    int cm = 3, cn = 4, del = 4;
    long max_tracks = 20000;
    double max_coast = 30.0;
    static const struct option opts[] = {
        {"sensors", required_argument, 0, 's'}, {"out", required_argument, 0, 'o'},
        {"report", required_argument, 0, 'R'},  {"window", required_argument, 0, 'W'},
        {"q", required_argument, 0, 'Q'},       {"init-vel", required_argument, 0, 'V'},
        {"gate", required_argument, 0, 'G'},    {"confirm", required_argument, 0, 'C'},
        {"delete-misses", required_argument, 0, 'D'},
        {"max-tracks", required_argument, 0, 'M'},
        {"max-coast", required_argument, 0, 'K'},
        {"log", required_argument, 0, 'L'},     {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "s:o:h", opts, NULL)) != -1) {
        char *e = NULL;
        errno = 0;
        switch (o) {
        case 's': sensors_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'R': report_s = strtod(optarg, &e); break;
        case 'W': window_s = strtod(optarg, &e); break;
        case 'Q': q = strtod(optarg, &e); break;
        case 'V': init_vel = strtod(optarg, &e); break;
        case 'G': gate = strtod(optarg, &e); break;
        case 'D': del = (int)strtol(optarg, &e, 10); break;
        case 'M': max_tracks = strtol(optarg, &e, 10); break;
        case 'K': max_coast = strtod(optarg, &e); break;
        case 'C':
            if (sscanf(optarg, "%d/%d", &cm, &cn) != 2) {
                fprintf(stderr, "dronewall track: --confirm wants M/N, e.g. 3/4\n");
                return 2;
            }
            break;
        case 'L':
            if (dw_log_configure(optarg) != DW_OK) {
                fprintf(stderr, "dronewall track: bad --log '%s' (levels: off error warn info debug trace)\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (e && (*e || errno)) {
            fprintf(stderr, "dronewall track: '%s' is not a number\n", optarg);
            return 2;
        }
    }
    if (!sensors_path) {
        fprintf(stderr, "dronewall track: --sensors FILE is required\n");
        usage(stderr);
        return 2;
    }
    if (argc - optind > 1) {
        fprintf(stderr, "dronewall track: one input file at most\n");
        return 2;
    }
    if (!(report_s > 0) || !(window_s >= 0) || !(q > 0) || !(init_vel > 0) || !(gate > 0) ||
        max_tracks < 1 || !(max_coast > 0)) {
        fprintf(stderr, "dronewall track: --report, --q, --init-vel, --gate, --max-tracks and "
                        "--max-coast must be positive\n");
        return 2;
    }
    const char *in_path = optind < argc ? argv[optind] : "-";

    char err[512];
    ctx c;
    memset(&c, 0, sizeof c);
    int rc = 1;
    FILE *in = NULL;
    dw_ndjson_reader *rd = NULL;
    dw_meas *batch = NULL;

    if (dw_sensors_load(sensors_path, &c.sensors, &c.n_sensors, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall track: %s\n", err);
        return 1;
    }
    dw_tracker_config cfg;
    dw_tracker_config_default(&cfg, 3, q);
    cfg.gate = gate;
    cfg.confirm_m = cm;
    cfg.confirm_n = cn;
    cfg.delete_misses = del;
    cfg.init_vel_sigma = init_vel;
    cfg.max_tracks = (size_t)max_tracks;
    cfg.max_coast_us = (int64_t)llround(max_coast * 1e6);
    dw_status st = dw_tracker_create(&cfg, &c.trk);
    if (st != DW_OK) {
        fprintf(stderr, "dronewall track: tracker settings rejected: %s\n", dw_status_str(st));
        goto done;
    }
    c.sites = calloc(c.n_sensors ? c.n_sensors : 1, sizeof *c.sites);
    c.tidx = calloc(c.n_sensors ? c.n_sensors : 1, sizeof *c.tidx);
    c.names = calloc(c.n_sensors + 1, sizeof *c.names);
    c.line_cap = 4096;
    c.line = malloc(c.line_cap);
    batch = malloc(MAX_BATCH * sizeof *batch);
    if (!c.sites || !c.tidx || !c.names || !c.line || !batch) {
        fprintf(stderr, "dronewall track: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < c.n_sensors; i++) {
        const dw_sensor *s = &c.sensors[i];
        const dw_meas_model *mm = &dw_meas_linear_pos;
        const void *mctx = NULL;
        if (s->kind == DW_SENSOR_RADAR || s->kind == DW_SENSOR_AEW) {
            dw_geodetic g = {s->lat_deg, s->lon_deg, s->alt_m};
            dw_polar_site_init(&c.sites[i], &g);
            mm = &dw_meas_polar;
            mctx = &c.sites[i];
        }
        if (dw_tracker_add_sensor(c.trk, mm, mctx, &c.tidx[i]) != DW_OK) {
            fprintf(stderr, "dronewall track: too many sensors (at most 31 now)\n");
            goto done;
        }
        c.names[c.tidx[i]] = s->id;
        c.is_polar[c.tidx[i]] = mm == &dw_meas_polar;
        c.period_us[c.tidx[i]] = s->period_us;
        c.max_range[c.tidx[i]] = s->max_range_m;
        c.prev_t[c.tidx[i]] = INT64_MIN;
    }
    if (dw_tracker_add_sensor(c.trk, &dw_meas_linear_pos, NULL, &c.pos_sensor) != DW_OK) {
        fprintf(stderr, "dronewall track: too many sensors (at most 31 now)\n");
        goto done;
    }
    c.names[c.pos_sensor] = "position-reports";
    c.n_names = c.n_sensors + 1;

    in = strcmp(in_path, "-") ? fopen(in_path, "r") : stdin;
    if (!in) {
        fprintf(stderr, "dronewall track: %s: %s\n", in_path, strerror(errno));
        goto done;
    }
    c.out = out_path ? fopen(out_path, "w") : stdout;
    if (!c.out) {
        fprintf(stderr, "dronewall track: %s: %s\n", out_path, strerror(errno));
        goto done;
    }
    if (dw_ndjson_reader_create(in, in_path, &rd) != DW_OK) {
        fprintf(stderr, "dronewall track: out of memory\n");
        goto done;
    }
    c.report_us = (int64_t)llround(report_s * 1e6);
    c.next_report = INT64_MIN;

    uint64_t n_obs = 0, n_used = 0, n_unsupported = 0, n_unknown_sensor = 0, n_late = 0;
    uint64_t n_other = 0;
    int cur_sensor = -1;
    size_t nb = 0;
    int64_t batch_t0 = 0, last_t = INT64_MIN;
    const int64_t window_us = (int64_t)llround(window_s * 1e6);
    dw_record rec;
    for (;;) {
        st = dw_ndjson_next(rd, &rec);
        if (st == DW_ERR_EOF)
            break;
        if (st != DW_OK) {
            fprintf(stderr, "dronewall track: %s: read error\n", in_path);
            goto done;
        }
        if (rec.type != DW_REC_OBS) {
            n_other++;
            continue;
        }
        const dw_obs *ob = &rec.u.obs;
        n_obs++;
        int fi = dw_sensors_find(c.sensors, c.n_sensors, ob->sensor);
        const dw_sensor *sd = fi >= 0 ? &c.sensors[fi] : NULL;
        dw_meas m;
        int tsensor;
        if (ob->kind == DW_OBS_POLAR) {
            if (!sd || !(sd->kind == DW_SENSOR_RADAR || sd->kind == DW_SENSOR_AEW)) {
                n_unknown_sensor++;
                DW_LOG(DW_LOG_APP, DW_LOG_WARN, "%s:%llu: POLAR from '%s', which is no radar in %s",
                       in_path, (unsigned long long)rec.line, ob->sensor, sensors_path);
                continue;
            }
            if (!(ob->has & DW_OBS_HAS_EL) || !(ob->range_m > 0)) {
                n_unsupported++;
                continue;
            }
            dw_polar_meas(&m, ob->t_us, ob->range_m, ob->az_rad, ob->el_rad,
                          sig(ob->sigma_range_m, sd->sigma_range_m), sig(ob->sigma_az_rad, sd->sigma_az_rad),
                          sig(ob->sigma_el_rad, sd->sigma_el_rad));
            tsensor = c.tidx[fi];
        } else if (ob->kind == DW_OBS_POS3) {
            dw_geodetic g = {ob->lat_deg, ob->lon_deg, ob->alt_m};
            double cov[3][3] = {{0}};
            if (ob->has & DW_OBS_HAS_COV) {
                memcpy(cov, ob->cov_enu, sizeof cov);
            } else {
                double sp = sig(ob->sigma_pos_m, sd ? sd->sigma_pos_m : 100.0);
                double sa = sig(ob->sigma_alt_m, sp);
                cov[0][0] = cov[1][1] = sp * sp;
                cov[2][2] = sa * sa;
            }
            dw_geo_pos_meas(&m, ob->t_us, &g, cov);
            tsensor = sd ? c.tidx[fi] : c.pos_sensor;
        } else {
            n_unsupported++;
            continue;
        }
        m.user = (uint32_t)rec.line;
        if (c.next_report == INT64_MIN)
            c.next_report = (ob->t_us / c.report_us) * c.report_us;
        if (ob->t_us < last_t)
            n_late++;
        if (nb > 0 && (tsensor != cur_sensor || ob->t_us - batch_t0 > window_us || nb == MAX_BATCH ||
                       ob->t_us < batch_t0)) {
            if (flush_batch(&c, cur_sensor, batch, nb) != 0)
                goto done;
            nb = 0;
        }
        if (nb == 0) {
            cur_sensor = tsensor;
            batch_t0 = ob->t_us;
        }
        batch[nb++] = m;
        n_used++;
        if (ob->t_us > last_t)
            last_t = ob->t_us;
    }
    if (flush_batch(&c, cur_sensor, batch, nb) != 0)
        goto done;
    if (last_t != INT64_MIN && report_until(&c, last_t) != 0)
        goto done;
    if (fflush(c.out) != 0 || ferror(c.out)) {
        fprintf(stderr, "dronewall track: writing tracks failed\n");
        goto done;
    }

    dw_ndjson_stats ns;
    dw_ndjson_get_stats(rd, &ns);
    dw_tracker_stats ts;
    dw_tracker_get_stats(c.trk, &ts);
    fprintf(stderr,
            "dronewall track: %llu lines, %llu bad, %llu observations (%llu used, %llu of kinds not "
            "tracked yet, %llu from unknown sensors, %llu out of order), %llu other records; "
            "%llu batches, %llu tracks confirmed, %llu dropped; %llu track records written, "
            "%llu left out\n",
            (unsigned long long)ns.lines, (unsigned long long)ns.bad, (unsigned long long)n_obs,
            (unsigned long long)n_used, (unsigned long long)n_unsupported,
            (unsigned long long)n_unknown_sensor, (unsigned long long)n_late,
            (unsigned long long)n_other, (unsigned long long)ts.batches,
            (unsigned long long)ts.confirmed, (unsigned long long)c.n_dead,
            (unsigned long long)c.n_written, (unsigned long long)c.n_unwritable);
    if (ns.bad)
        fprintf(stderr, "dronewall track: last bad line: %s\n", dw_ndjson_last_error(rd));
    rc = 0;
done:
    dw_ndjson_reader_destroy(rd);
    if (in && in != stdin)
        fclose(in);
    if (c.out && c.out != stdout && fclose(c.out) != 0 && rc == 0) {
        fprintf(stderr, "dronewall track: writing %s failed\n", out_path);
        rc = 1;
    }
    dw_tracker_destroy(c.trk);
    free(c.sensors);
    free(c.sites);
    free(c.tidx);
    free(c.names);
    free(c.line);
    free(batch);
    return rc;
}

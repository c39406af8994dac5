/* dw_tool_radar_sim — a small, seeded two-radar scene for the integration
 * tests of `dronewall track` (the full simulator is src/sim's job).
 *
 *   dw_tool_radar_sim --out-dir DIR [--seed S] [--targets N] [--duration S]
 *
 * Writes DIR/sensors.json (two rotating radars east of Lublin), DIR/obs.ndjson
 * (their POLAR plots with noise, misses and clutter, in time order, each plot
 * stamped when the beam passes it) and DIR/truth.ndjson (every target every
 * second). Targets fly straight and level westwards at drone speeds.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "dronewall/ndjson.h"

#define DEG (M_PI / 180.0)
#define T0_US 1757451000000000LL   /* 2025-09-09 21:50 UTC */

typedef struct rng { uint64_t s; } rng;
static double urand(rng *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return ((double)(r->s >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}
static double nrand(rng *r)
{
    return sqrt(-2.0 * log(urand(r))) * cos(2 * M_PI * urand(r));
}

typedef struct radar {
    const char *id;
    dw_geodetic site;
    double period_s, phase_s, sigma_r, sigma_az, sigma_el, pd, max_range, clutter;
    dw_enu_frame f;
} radar;

typedef struct target {
    char id[8];
    double e0, n0;              /* start, in the scene frame */
    double ve, vn, alt;
} target;

typedef struct plot { int64_t t_us; dw_obs o; } plot;

static int cmp_plot(const void *a, const void *b)
{
    const plot *x = a, *y = b;
    return (x->t_us > y->t_us) - (x->t_us < y->t_us);
}

static void target_at(const target *tg, const dw_enu_frame *f0, double t, double ecef[3], double vel[3])
{
    double enu[3] = {tg->e0 + tg->ve * t, tg->n0 + tg->vn * t, 0.0};
    dw_geodetic g;
    dw_geo_from_enu(f0, enu, &g);
    g.alt_m = tg->alt;
    dw_geo_to_ecef(&g, ecef);
    vel[0] = tg->ve;
    vel[1] = tg->vn;
    vel[2] = 0;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    unsigned long seed = 1;
    int n_targets = 6;
    double duration = 600;
    static const struct option opts[] = {{"out-dir", required_argument, 0, 'o'},
                                         {"seed", required_argument, 0, 's'},
                                         {"targets", required_argument, 0, 'n'},
                                         {"duration", required_argument, 0, 'd'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "o:s:n:d:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': dir = optarg; break;
        case 's': seed = strtoul(optarg, NULL, 10); break;
        case 'n': n_targets = atoi(optarg); break;
        case 'd': duration = atof(optarg); break;
        default: return 2;
        }
    }
    if (!dir || n_targets < 1 || n_targets > 99 || !(duration > 0)) {
        fprintf(stderr, "usage: dw_tool_radar_sim --out-dir DIR [--seed S] [--targets 1..99] [--duration S]\n");
        return 2;
    }
    rng r = {seed * 2654435761u + 1};
    radar rd[2] = {
        {.id = "PL-RAD-01", .site = {51.20, 23.40, 200.0}, .period_s = 4.0, .phase_s = 0.0,
         .sigma_r = 30.0, .sigma_az = 0.2 * DEG, .sigma_el = 0.3 * DEG, .pd = 0.9,
         .max_range = 120e3, .clutter = 4},
        {.id = "PL-RAD-02", .site = {51.90, 23.00, 150.0}, .period_s = 5.0, .phase_s = 1.3,
         .sigma_r = 40.0, .sigma_az = 0.25 * DEG, .sigma_el = 0.4 * DEG, .pd = 0.85,
         .max_range = 120e3, .clutter = 4},
    };
    for (int i = 0; i < 2; i++)
        dw_enu_frame_init(&rd[i].f, &rd[i].site);

    char path[4096];
    snprintf(path, sizeof path, "%s/sensors.json", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "dw_tool_radar_sim: %s: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(f, "{\"sensors\":[\n");
    for (int i = 0; i < 2; i++)
        fprintf(f,
                "  {\"id\":\"%s\",\"kind\":\"radar\",\"owner\":\"PL\",\"lat_deg\":%.6f,\"lon_deg\":%.6f,"
                "\"alt_m\":%.1f,\"sigma\":{\"range_m\":%.1f,\"az_deg\":%.3f,\"el_deg\":%.3f},"
                "\"pd\":%.2f,\"max_range_m\":%.0f,\"period_s\":%.1f}%s\n",
                rd[i].id, rd[i].site.lat_deg, rd[i].site.lon_deg, rd[i].site.alt_m, rd[i].sigma_r,
                rd[i].sigma_az / DEG, rd[i].sigma_el / DEG, rd[i].pd, rd[i].max_range,
                rd[i].period_s, i ? "" : ",");
    fprintf(f, "]}\n");
    fclose(f);

    /* Targets enter from the east over a 40 km front, 3-8 km apart. */
    target *tg = calloc((size_t)n_targets, sizeof *tg);
    dw_geodetic c0 = {51.55, 23.95, 0.0};
    dw_enu_frame f0;
    dw_enu_frame_init(&f0, &c0);
    for (int i = 0; i < n_targets; i++) {
        snprintf(tg[i].id, sizeof tg[i].id, "D%02d", i + 1);
        double north = -20e3 + 40e3 * (i + 0.5) / n_targets + 1e3 * nrand(&r);
        double east = 5e3 * urand(&r);
        tg[i].e0 = east;
        tg[i].n0 = north;
        double speed = 35.0 + 15.0 * urand(&r);     /* 125-180 km/h */
        double hdg = (270.0 + 20.0 * (urand(&r) - 0.5)) * DEG;
        tg[i].ve = speed * sin(hdg);
        tg[i].vn = speed * cos(hdg);
        tg[i].alt = 300.0 + 1500.0 * urand(&r);
    }

    /* Plots. */
    size_t cap = 1024, n = 0;
    plot *pl = malloc(cap * sizeof *pl);
    for (int ri = 0; ri < 2; ri++) {
        radar *R = &rd[ri];
        for (double ts = R->phase_s; ts < duration; ts += R->period_s) {
            for (int i = 0; i < n_targets + (int)(R->clutter * 3); i++) {
                double enu[3], rg, az, el;
                int is_target = i < n_targets;
                if (is_target) {
                    /* the beam passes the target's azimuth once per rotation */
                    double ecef[3], v[3];
                    target_at(&tg[i], &f0, ts, ecef, v);
                    dw_enu_from_ecef(&R->f, ecef, enu);
                    dw_polar_from_enu(enu, &rg, &az, &el);
                    double t_hit = ts + R->period_s * az / (2 * M_PI);
                    if (t_hit >= duration)
                        continue;
                    target_at(&tg[i], &f0, t_hit, ecef, v);
                    dw_enu_from_ecef(&R->f, ecef, enu);
                    dw_polar_from_enu(enu, &rg, &az, &el);
                    if (rg > R->max_range || urand(&r) > R->pd)
                        continue;
                    if (n == cap) { cap *= 2; pl = realloc(pl, cap * sizeof *pl); }
                    dw_obs *o = &pl[n].o;
                    dw_obs_init(o, DW_OBS_POLAR);
                    o->t_us = T0_US + (int64_t)llround(t_hit * 1e6);
                    o->range_m = rg + R->sigma_r * nrand(&r);
                    o->az_rad = fmod(az + R->sigma_az * nrand(&r) + 2 * M_PI, 2 * M_PI);
                    o->el_rad = el + R->sigma_el * nrand(&r);
                    o->has = DW_OBS_HAS_EL;
                    pl[n].t_us = o->t_us;
                    snprintf(o->sensor, sizeof o->sensor, "%s", R->id);
                    n++;
                } else {
                    /* clutter: Poisson-ish, about R->clutter a scan */
                    if (urand(&r) > 1.0 / 3.0)
                        continue;
                    az = 2 * M_PI * urand(&r);
                    rg = 5e3 + (R->max_range - 5e3) * urand(&r);
                    el = 3.0 * DEG * urand(&r);
                    double t_hit = ts + R->period_s * az / (2 * M_PI);
                    if (t_hit >= duration)
                        continue;
                    if (n == cap) { cap *= 2; pl = realloc(pl, cap * sizeof *pl); }
                    dw_obs *o = &pl[n].o;
                    dw_obs_init(o, DW_OBS_POLAR);
                    o->t_us = T0_US + (int64_t)llround(t_hit * 1e6);
                    o->range_m = rg;
                    o->az_rad = az;
                    o->el_rad = el;
                    o->has = DW_OBS_HAS_EL;
                    pl[n].t_us = o->t_us;
                    snprintf(o->sensor, sizeof o->sensor, "%s", R->id);
                    n++;
                }
            }
        }
    }
    qsort(pl, n, sizeof *pl, cmp_plot);
    char line[4096], *end;
    snprintf(path, sizeof path, "%s/obs.ndjson", dir);
    f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "dw_tool_radar_sim: %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (dw_ndjson_write_obs(line, line + sizeof line, &pl[i].o, &end) != DW_OK)
            return 1;
        fputs(line, f);
    }
    fclose(f);

    snprintf(path, sizeof path, "%s/truth.ndjson", dir);
    f = fopen(path, "w");
    if (!f)
        return 1;
    for (int s = 0; s < (int)duration; s++) {
        for (int i = 0; i < n_targets; i++) {
            dw_truth tr;
            memset(&tr, 0, sizeof tr);
            double ecef[3], v[3];
            target_at(&tg[i], &f0, s, ecef, v);
            dw_geodetic g;
            dw_geo_from_ecef(ecef, &g);
            tr.t_us = T0_US + (int64_t)s * 1000000LL;
            snprintf(tr.id, sizeof tr.id, "%s", tg[i].id);
            tr.cls = DW_CLASS_DECOY;
            tr.lat_deg = g.lat_deg;
            tr.lon_deg = g.lon_deg;
            tr.alt_m = g.alt_m;
            memcpy(tr.vel_enu_mps, v, sizeof v);
            tr.alive = 1;
            if (dw_ndjson_write_truth(line, line + sizeof line, &tr, &end) != DW_OK)
                return 1;
            fputs(line, f);
        }
    }
    fclose(f);
    fprintf(stderr, "dw_tool_radar_sim: %d targets, %zu plots, %.0f s\n", n_targets, n, duration);
    free(pl);
    free(tg);
    return 0;
}

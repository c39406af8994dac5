/* dw_bench_geog — point-in-polygon on the full-precision Polish border, against GEOS.
 *
 *   dw_bench_geog [--countries data/geo/countries.geojson] [--points N] [--bound X]
 *
 * Loads the countries file (as the engine does: GEOS validity check, prepared geometry,
 * edge grid) and times dw_geog_contains on Poland (17,700 vertices) for two sets of N
 * points (default 1,000,000): uniform over a box around Poland (lon 13.5-24.8, lat
 * 48.5-55.3), and near the border (a random point of a random edge, moved up to 100 m
 * across it). The same points then go through GEOSPreparedContains
 * (dw_geog_contains_geos: GEOS 3.11 needs a point geometry per test), which is timed too
 * and must agree on every point. Also timed: the first crossing of 5 km paths through
 * the border, and the distance to the border. The figures are printed beside the bound
 * (1 M points/s on one core) and the project's GEOS reference (3.34 M points/s for a
 * prepared polygon of 2,000 vertices, docs/dependencies.md §6). The last line is one
 * JSON object with the figures. Like app/, a benchmark reads the clock.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dronewall/geog.h"

#define GEOS_REF_MPTS 3.34      /* docs/dependencies.md §6: prepared GEOS, 2,000 vertices */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* Poland's edges (lon, lat pairs), read from the file as the test reads it. */
static double *read_edges(const char *path, const char *id, size_t *n_out)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return NULL;
    double *e = NULL;
    size_t n = 0, cap = 0;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(root, "features"), i, f) {
        const char *fid = json_string_value(json_object_get(json_object_get(f, "properties"), "id"));
        if (!fid || strcmp(fid, id) != 0)
            continue;
        const json_t *geom = json_object_get(f, "geometry");
        const json_t *coords = json_object_get(geom, "coordinates");
        int multi = strcmp(json_string_value(json_object_get(geom, "type")), "MultiPolygon") == 0;
        for (size_t p = 0; p < (multi ? json_array_size(coords) : 1); p++) {
            const json_t *poly = multi ? json_array_get(coords, p) : coords;
            for (size_t r = 0; r < json_array_size(poly); r++) {
                const json_t *ring = json_array_get(poly, r);
                for (size_t k = 0; k + 1 < json_array_size(ring); k++) {
                    if (n == cap) {
                        cap = cap ? 2 * cap : 4096;
                        double *ne = realloc(e, cap * 4 * sizeof *e);
                        if (!ne) {
                            free(e);
                            json_decref(root);
                            return NULL;
                        }
                        e = ne;
                    }
                    const json_t *a = json_array_get(ring, k), *b = json_array_get(ring, k + 1);
                    e[4 * n] = json_number_value(json_array_get(a, 0));
                    e[4 * n + 1] = json_number_value(json_array_get(a, 1));
                    e[4 * n + 2] = json_number_value(json_array_get(b, 0));
                    e[4 * n + 3] = json_number_value(json_array_get(b, 1));
                    n++;
                }
            }
        }
    }
    json_decref(root);
    *n_out = n;
    return e;
}

/* Points per second of dw_geog_contains over pts (lat, lon pairs), repeated until at
 * least half a second has gone; *inside counts the hits of one pass. */
static double time_contains(const dw_geog *g, size_t i, const double *pts, size_t n, size_t *inside)
{
    size_t passes = 0, hits = 0;
    double t0 = now_s(), t;
    do {
        hits = 0;
        for (size_t k = 0; k < n; k++)
            hits += (size_t)dw_geog_contains(g, i, pts[2 * k], pts[2 * k + 1]);
        passes++;
        t = now_s() - t0;
    } while (t < 0.5);
    *inside = hits;
    return (double)(passes * n) / t;
}

/* GEOS over the same points: its rate, and how many answers differ from the grid's. */
static double time_geos(dw_geog *g, size_t i, const double *pts, size_t n, size_t *differ)
{
    size_t bad = 0;
    double t0 = now_s();
    for (size_t k = 0; k < n; k++) {
        int in = -1;
        if (dw_geog_contains_geos(g, i, pts[2 * k], pts[2 * k + 1], &in) != DW_OK)
            in = -1;
        bad += in != dw_geog_contains(g, i, pts[2 * k], pts[2 * k + 1]);
    }
    double t = now_s() - t0;
    *differ = bad;
    return (double)n / t;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: dw_bench_geog [--countries FILE] [--points N] [--bound X]\n");
}

int main(int argc, char **argv)
{
    const char *countries = "data/geo/countries.geojson";
    size_t n = 1000000;
    double bound = 1.0;
    static const struct option opts[] = {{"countries", required_argument, 0, 'c'},
                                         {"points", required_argument, 0, 'n'},
                                         {"bound", required_argument, 0, 'b'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "c:n:b:h", opts, NULL)) != -1) {
        switch (o) {
        case 'c': countries = optarg; break;
        case 'n': n = (size_t)strtoull(optarg, NULL, 10); break;
        case 'b': bound = atof(optarg); break;
        default:
            usage(o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (optind != argc || n == 0) {
        usage(stderr);
        return 2;
    }

    dw_geog *g = NULL;
    char err[512];
    double t0 = now_s();
    if (dw_geog_create(&g) != DW_OK || dw_geog_load(g, countries, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dw_bench_geog: %s\n", g ? err : "out of memory");
        dw_geog_destroy(g);
        return 1;
    }
    double load_s = now_s() - t0;
    int ipl = dw_geog_find(g, "PL");
    size_t n_edges = 0;
    double *edges = ipl >= 0 ? read_edges(countries, "PL", &n_edges) : NULL;
    double *uni = malloc(2 * n * sizeof *uni), *near = malloc(2 * n * sizeof *near);
    if (ipl < 0 || !edges || n_edges == 0 || !uni || !near) {
        fprintf(stderr, "dw_bench_geog: no Poland (\"PL\") in %s, or out of memory\n", countries);
        dw_geog_destroy(g);
        return 1;
    }
    const dw_geog_feature *pl = dw_geog_get(g, (size_t)ipl);

    for (size_t k = 0; k < n; k++) {
        uni[2 * k] = 48.5 + 6.8 * uniform();
        uni[2 * k + 1] = 13.5 + 11.3 * uniform();
    }
    /* Near the border: a random point of a random edge, up to 100 m across it. */
    for (size_t k = 0; k < n; k++) {
        const double *e = edges + 4 * (size_t)(uniform() * (double)n_edges);
        double t = uniform(), lon = e[0] + t * (e[2] - e[0]), lat = e[1] + t * (e[3] - e[1]);
        double kx = 111320.0 * cos(lat * M_PI / 180.0), ky = 110574.0;
        double dx = (e[2] - e[0]) * kx, dy = (e[3] - e[1]) * ky, len = hypot(dx, dy);
        double off = (2 * uniform() - 1) * 100.0;
        if (len > 0) {
            lon += -dy / len * off / kx;
            lat += dx / len * off / ky;
        }
        near[2 * k] = lat;
        near[2 * k + 1] = lon;
    }

    size_t in_uni = 0, in_near = 0, diff_uni = 0, diff_near = 0;
    double r_uni = time_contains(g, (size_t)ipl, uni, n, &in_uni);
    double r_near = time_contains(g, (size_t)ipl, near, n, &in_near);
    double g_uni = time_geos(g, (size_t)ipl, uni, n, &diff_uni);
    double g_near = time_geos(g, (size_t)ipl, near, n, &diff_near);

    /* 5 km paths through the border (a near-border point, a random heading), and the
     * distance to the border from the near-border points. */
    size_t n_paths = n < 200000 ? n : 200000, crossed = 0;
    double t1 = now_s();
    for (size_t k = 0; k < n_paths; k++) {
        double lat = near[2 * k], lon = near[2 * k + 1], h = 2 * M_PI * uniform();
        double dlat = 2500.0 * cos(h) / 110574.0, dlon = 2500.0 * sin(h) / (111320.0 * cos(lat * M_PI / 180));
        int c = 0;
        dw_geog_crossing x;
        if (dw_geog_first_crossing(g, (size_t)ipl, lat - dlat, lon - dlon, lat + dlat, lon + dlon, &c, &x) ==
            DW_OK)
            crossed += (size_t)c;
    }
    double r_cross = (double)n_paths / (now_s() - t1);
    double sum_d = 0;
    t1 = now_s();
    for (size_t k = 0; k < n_paths; k++) {
        double d = 0;
        if (dw_geog_boundary_distance(g, (size_t)ipl, near[2 * k], near[2 * k + 1], &d, NULL, NULL) == DW_OK)
            sum_d += d;
    }
    double r_dist = (double)n_paths / (now_s() - t1);

    printf("Poland: %zu vertices in %zu polygons (%zu rings); %s loaded in %.3f s\n", pl->n_vertices,
           pl->n_polygons, pl->n_rings, countries, load_s);
    printf("point in polygon, uniform over lon 13.5-24.8 lat 48.5-55.3 (%zu points, %.1f %% inside): "
           "%.1f M points/s\n", n, 100.0 * (double)in_uni / (double)n, r_uni / 1e6);
    printf("point in polygon, within 100 m of the border (%zu points): %.1f M points/s\n", n,
           r_near / 1e6);
    printf("GEOS prepared contains, a point created per test: %.2f M points/s uniform, %.2f M near; "
           "disagreements %zu of %zu\n", g_uni / 1e6, g_near / 1e6, diff_uni + diff_near, 2 * n);
    printf("bound %.1f M points/s: %s; GEOS reference at 2,000 vertices: %.2f M points/s\n", bound,
           fmin(r_uni, r_near) >= bound * 1e6 ? "met" : "NOT met", GEOS_REF_MPTS);
    printf("first crossing of 5 km paths through the border: %.2f M paths/s (%zu of %zu cross); "
           "distance to the border: %.2f M points/s (mean %.1f m)\n", r_cross / 1e6, crossed, n_paths,
           r_dist / 1e6, sum_d / (double)n_paths);
    printf("{\"bench\":\"geog\",\"vertices\":%zu,\"points\":%zu,\"load_s\":%.3f,"
           "\"pip_uniform_mpts_s\":%.2f,\"pip_near_mpts_s\":%.2f,\"geos_uniform_mpts_s\":%.3f,"
           "\"geos_near_mpts_s\":%.3f,\"disagreements\":%zu,\"bound_mpts_s\":%.2f,"
           "\"geos_ref_2000v_mpts_s\":%.2f,\"crossing_mpaths_s\":%.3f,\"distance_mpts_s\":%.3f}\n",
           pl->n_vertices, 2 * n, load_s, r_uni / 1e6, r_near / 1e6, g_uni / 1e6, g_near / 1e6,
           diff_uni + diff_near, bound, GEOS_REF_MPTS, r_cross / 1e6, r_dist / 1e6);
    free(uni);
    free(near);
    free(edges);
    dw_geog_destroy(g);
    return diff_uni + diff_near ? 1 : 0;
}

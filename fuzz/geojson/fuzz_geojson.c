/* fuzz_geojson.c — the GeoJSON loader of geog.h on arbitrary bytes, and the questions
 * asked of whatever it accepts.
 *
 * Each input goes into a store that already holds one feature, twice: as
 * "fuzz.geojson" and as "fuzz.yaml" (the document reader takes YAML too). Besides the
 * sanitizers' checks: a failure must leave the store as it was and say which file it
 * was about; a success must give features that dw_geog_find finds, inside their own
 * box. For each feature, at points of its box more than a metre from its boundary, the
 * grid and GEOS must agree (areas), and a path between two such points with different
 * answers must meet the boundary (a path between equal answers may still cross it twice,
 * so that direction is not checked). Distances must be finite and not negative.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char seed[] =
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
    "{\"id\":\"SEED\",\"kind\":\"zone\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[20,50],[21,50],[21,51],[20,51],[20,50]]]}}]}";

static void check(dw_geog *g)
{
    for (size_t i = 0; i < dw_geog_count(g); i++) {
        const dw_geog_feature *f = dw_geog_get(g, i);
        if (!f || dw_geog_find(g, f->id) != (int)i)
            abort();
        if (!(f->min_lat_deg <= f->max_lat_deg && f->min_lon_deg <= f->max_lon_deg))
            abort();
        double lat[5], lon[5];
        int in[5];
        for (int k = 0; k < 5; k++) {
            double u = (k + 0.5) / 5.0, v = (double)((k * 3) % 5 + 0.5) / 5.0;
            lat[k] = f->min_lat_deg + u * (f->max_lat_deg - f->min_lat_deg);
            lon[k] = f->min_lon_deg + v * (f->max_lon_deg - f->min_lon_deg);
            in[k] = dw_geog_contains(g, i, lat[k], lon[k]);
            double d = -1, nlat, nlon;
            if (dw_geog_boundary_distance(g, i, lat[k], lon[k], &d, &nlat, &nlon) != DW_OK)
                abort();
            if (!(d >= 0) || !isfinite(d))
                abort();
            int ref;
            if (d > 1.0 && f->shape == DW_GEOG_AREA &&
                dw_geog_contains_geos(g, i, lat[k], lon[k], &ref) == DW_OK && ref != in[k]) {
                fprintf(stderr, "fuzz_geojson: %s at (%.17g, %.17g): grid %d, GEOS %d\n", f->id,
                        lat[k], lon[k], in[k], ref);
                abort();
            }
            if (d <= 1.0)
                in[k] = -1;     /* too near the boundary to say */
        }
        for (int k = 0; k + 1 < 5; k++) {
            int crosses = -1;
            dw_geog_crossing c;
            if (dw_geog_first_crossing(g, i, lat[k], lon[k], lat[k + 1], lon[k + 1], &crosses, &c) != DW_OK)
                abort();
            if (crosses && !(c.frac >= 0 && c.frac <= 1))
                abort();
            if (in[k] >= 0 && in[k + 1] >= 0 && in[k] != in[k + 1] && !crosses) {
                fprintf(stderr, "fuzz_geojson: %s: a path from in=%d to in=%d meets no boundary\n",
                        f->id, in[k], in[k + 1]);
                abort();
            }
        }
    }
    size_t hit[4];
    (void)dw_geog_which(g, DW_GEOG_ALL_KINDS, 50.5, 20.5, hit, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"fuzz.geojson", "fuzz.yaml"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        dw_geog *g = NULL;
        char err[512] = "";
        if (dw_geog_create(&g) != DW_OK)
            abort();
        if (dw_geog_load_mem(g, seed, strlen(seed), "seed.geojson", NULL, 0) != DW_OK)
            abort();
        dw_status st = dw_geog_load_mem(g, (const char *)data, size, names[k], err, sizeof err);
        if (st != DW_OK) {
            if (strncmp(err, names[k], strlen(names[k])) != 0) {
                fprintf(stderr, "fuzz_geojson: message without the file's name: %s\n", err);
                abort();
            }
            if (dw_geog_count(g) != 1 || dw_geog_find(g, "SEED") != 0)
                abort();
        }
        check(g);
        dw_geog_destroy(g);
    }
    return 0;
}

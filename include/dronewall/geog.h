/* geog.h — geography for assessment: borders, alert regions and protected zones, and
 * the questions a track asks of them.
 *
 * Geography is data (DESIGN.md §5): country borders and alert regions come from
 * data/geo/ (scripts/geodata extracts them from OpenStreetMap and Natural Earth), and
 * protected sites and populated areas from a scenario's or a site's own GeoJSON
 * (scenarios/geo/pl-protected.geojson). This module loads such files into a store of
 * features and answers, per feature: does it contain a point, where does a short path
 * first cross its boundary (and at what fraction of the path), and how far is a point
 * from its boundary. docs/geography.md describes the data and the approximations.
 *
 * A feature is an area (GeoJSON Polygon or MultiPolygon, holes allowed) or a circle (a
 * Point with a "radius_m" property: an airport's or a base's zone). Its properties:
 * "id" (string, unique in the store, required), "kind" (a word such as "country",
 * "region", "airport", "power_plant", "base", "city"; required), "name", "country"
 * (ISO 3166-1 alpha-2), "population", "radius_m"; any other string or number property
 * is kept and can be read with dw_geog_prop_str / dw_geog_prop_num.
 *
 * Areas are held twice: as a GEOS prepared geometry (one GEOS context per store; the
 * loader has GEOS check each area's validity, so the two views cannot disagree) and as
 * an edge grid of this module's own, which answers the hot questions without
 * allocating: a point-in-polygon test on the 17,700-vertex Polish border costs 7 ns
 * away from the border and 100 ns near it, where GEOS 3.11 (no GEOSPreparedContainsXY)
 * must create a point geometry per test (150-400 ns). dw_geog_contains_geos asks GEOS, to check the grid against it.
 *
 * Approximations: areas are planar in longitude and latitude, so a path is a straight
 * line in (lon, lat), which departs from the great circle by at most
 * L² tan(lat) / (8 R): 2.5 m for a 10 km path at 52° N, 60 m for 50 km (keep paths
 * under ~50 km). Distances to an area's boundary are measured in a local equirectangular
 * plane at the point (the ellipsoid's radii of curvature at its latitude): exact at the
 * point, off by about tan(lat) x (the latitude difference) in the east-west component
 * further away, so under 1 % within ~50 km. Circles are tested by the straight-line
 * (ECEF) distance from their centre at height 0, shorter than the geodesic by 1 mm at
 * 10 km and 8 mm at 20 km. Heights are ignored throughout: a zone is a column of airspace.
 * Nothing crosses the antimeridian.
 *
 * Ownership and threads: the store owns its features; pointers from dw_geog_get and the
 * strings in them stay valid until dw_geog_destroy (loading more files moves nothing).
 * Loading is not thread-safe. Once loaded, every query may run on any number of threads
 * at once, except dw_geog_contains_geos (it uses the store's GEOS context).
 */
#ifndef DRONEWALL_GEOG_H
#define DRONEWALL_GEOG_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/status.h"

#define DW_GEOG_MAX_KINDS 32            /* distinct kinds in one store              */
#define DW_GEOG_ALL_KINDS 0xffffffffu   /* a kind mask that takes every feature     */
#define DW_GEOG_ID_MAX 64               /* longest id, NUL included                 */

typedef enum dw_geog_shape {
    DW_GEOG_AREA,                       /* Polygon or MultiPolygon                  */
    DW_GEOG_CIRCLE,                     /* Point with radius_m                      */
} dw_geog_shape;

/* One feature as loaded. Strings are never NULL ("" when the file gives none). */
typedef struct dw_geog_feature {
    const char *id;
    const char *name;                   /* the id when the file gives no name        */
    const char *kind;
    const char *country;
    const char *source;                 /* the file (or name) it was loaded from     */
    size_t file_index;                  /* its index in that file's "features"       */
    int kind_index;                     /* its bit in a kind mask: 1u << kind_index  */
    dw_geog_shape shape;
    double radius_m;                    /* CIRCLE: the zone's radius; AREA: 0        */
    double lat_deg, lon_deg;            /* CIRCLE: the centre; AREA: the box's middle */
    double min_lat_deg, min_lon_deg;    /* the box around it (for a circle, a box    */
    double max_lat_deg, max_lon_deg;    /* that holds the whole circle)              */
    double population;                  /* NaN when not given                       */
    size_t n_polygons, n_rings;         /* AREA: as in the file; CIRCLE: 0           */
    size_t n_vertices;                  /* positions in the file, each ring's closing one included */
} dw_geog_feature;

/* Where a path first meets a feature's boundary. */
typedef struct dw_geog_crossing {
    double frac;                        /* 0..1 along the path from its start        */
    double lat_deg, lon_deg;            /* the point on the boundary                 */
    int entering;                       /* 1: the path starts outside the feature     */
} dw_geog_crossing;

typedef struct dw_geog dw_geog;

/* An empty store; the caller destroys it. DW_ERR_NOMEM. */
dw_status dw_geog_create(dw_geog **out);
void dw_geog_destroy(dw_geog *g);       /* NULL is fine */

/* Adds the features of one GeoJSON FeatureCollection file. All or nothing: on failure
 * the store is unchanged, the status is DW_ERR_PARSE (bad content: the message names
 * the file, the feature's index and id, and the reason), DW_ERR_NOT_FOUND, DW_ERR_IO,
 * DW_ERR_RANGE (file too large), DW_ERR_FULL (a new kind beyond DW_GEOG_MAX_KINDS) or
 * DW_ERR_NOMEM, and err (may be NULL) holds "PATH: what". */
dw_status dw_geog_load(dw_geog *g, const char *path, char *err, size_t errlen);

/* The same from memory; name starts the messages and becomes the features' source. */
dw_status dw_geog_load_mem(dw_geog *g, const char *buf, size_t len, const char *name,
                           char *err, size_t errlen);

size_t dw_geog_count(const dw_geog *g);

/* Feature i (0 .. count-1, in the order loaded), or NULL. */
const dw_geog_feature *dw_geog_get(const dw_geog *g, size_t i);

/* Index of the feature whose id is `id`, or -1. One hash and, as a rule, one string
 * comparison. */
int dw_geog_find(const dw_geog *g, const char *id);

/* The kind mask of a comma-separated list of kinds ("airport,base"); kinds the store
 * does not have add nothing, so 0 means none of them is loaded. Resolve it once, not
 * per query. */
uint32_t dw_geog_kinds(const dw_geog *g, const char *list);

/* Property `key` of feature i as loaded: the string (NULL when absent or not a string)
 * or, with 1 returned, the number in *out (0 and *out untouched when absent or not a
 * number). "id", "name", "kind" and "country" are read from dw_geog_feature. */
const char *dw_geog_prop_str(const dw_geog *g, size_t i, const char *key);
int dw_geog_prop_num(const dw_geog *g, size_t i, const char *key, double *out);

/* 1 when feature i contains the point, 0 when not (and for an unknown index or a point
 * that is not finite). A point on the boundary itself (within ~1e-9°) may go either
 * way. No allocation. */
int dw_geog_contains(const dw_geog *g, size_t i, double lat_deg, double lon_deg);

/* The features whose kind is in `kinds` (DW_GEOG_ALL_KINDS: all) that contain the
 * point, in store order: up to max indices written to out (which may be NULL when max
 * is 0); returns how many there are, which may exceed max. */
size_t dw_geog_which(const dw_geog *g, uint32_t kinds, double lat_deg, double lon_deg,
                     size_t *out, size_t max);

/* The first point where the path from (lat1, lon1) to (lat2, lon2) meets feature i's
 * boundary: *crosses = 1 and *out filled, or *crosses = 0 (out untouched) when it does
 * not meet it. Areas: the path is straight in (lon, lat) (see the header); touching the
 * boundary counts. Circles: the chord between the endpoints in ECEF. DW_ERR_INVALID
 * (nothing written) for an unknown index or a bad coordinate. */
dw_status dw_geog_first_crossing(const dw_geog *g, size_t i, double lat1_deg,
                                 double lon1_deg, double lat2_deg, double lon2_deg,
                                 int *crosses, dw_geog_crossing *out);

/* Distance in metres from the point to feature i's boundary (inside or outside: see
 * dw_geog_contains for which), and the nearest boundary point (either pointer may be
 * NULL). DW_ERR_INVALID (nothing written) for an unknown index or a bad coordinate. */
dw_status dw_geog_boundary_distance(const dw_geog *g, size_t i, double lat_deg,
                                    double lon_deg, double *dist_m, double *near_lat_deg,
                                    double *near_lon_deg);

/* The same question as dw_geog_contains asked of GEOS (GEOSPreparedContains_r with a
 * point created for the call): a reference, slower, and not thread-safe. Circles are
 * not GEOS geometries and give DW_ERR_UNSUPPORTED; DW_ERR_INVALID for an unknown index
 * or a point that is not finite, DW_ERR_NOMEM when GEOS fails. */
dw_status dw_geog_contains_geos(dw_geog *g, size_t i, double lat_deg, double lon_deg,
                                int *inside);

#endif

/* Geography (geog.h): points 20-50 m either side of the real Polish border, made by
 * walking its PL-BY and PL-UA edges, are classed right (and as GEOS classes them),
 * paths across the border cross where the border is and at the right fraction, the
 * distance to the border is the construction's offset; known cities fall in their
 * countries and regions, a hole is a hole, circle zones hold what is within their
 * radius, every malformed file is refused with a message that says where and why (and
 * the store is unchanged), and the shipped data has what it should. */
#include "harness.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "dronewall/geog.h"

#define COUNTRIES DW_SOURCE_DIR "/data/geo/countries.geojson"
#define REGIONS DW_SOURCE_DIR "/data/geo/regions.geojson"
#define PROTECTED DW_SOURCE_DIR "/scenarios/geo/pl-protected.geojson"

#define NOTE(...)                                                                           \
    do {                                                                                    \
        if (getenv("DW_TEST_VERBOSE"))                                                      \
            fprintf(stderr, __VA_ARGS__);                                                   \
    } while (0)

static dw_geog *load(const char *const *paths, size_t n)
{
    dw_geog *g = NULL;
    char err[512];
    assert_int_equal(dw_geog_create(&g), DW_OK);
    for (size_t i = 0; i < n; i++) {
        dw_status st = dw_geog_load(g, paths[i], err, sizeof err);
        if (st != DW_OK)
            fprintf(stderr, "%s\n", err);
        assert_int_equal(st, DW_OK);
    }
    return g;
}

static dw_geog *load_all(void)
{
    static const char *const all[] = {COUNTRIES, REGIONS, PROTECTED};
    return load(all, 3);
}

static size_t must_find(const dw_geog *g, const char *id)
{
    int i = dw_geog_find(g, id);
    if (i < 0)
        fprintf(stderr, "no feature \"%s\"\n", id);
    assert_true(i >= 0);
    return (size_t)i;
}

/* ---- the border, read from the file the way a person would --------------------- */

typedef struct edge {
    double x0, y0, x1, y1;      /* lon, lat */
    int inside_left;            /* the feature's interior is left of x0,y0 -> x1,y1 */
} edge;

typedef struct edges {
    edge *e;
    size_t n;
} edges;

static double ring_area(const json_t *ring)
{
    double a = 0;
    for (size_t k = 0; k + 1 < json_array_size(ring); k++) {
        const json_t *p = json_array_get(ring, k), *q = json_array_get(ring, k + 1);
        a += json_number_value(json_array_get(p, 0)) * json_number_value(json_array_get(q, 1)) -
             json_number_value(json_array_get(q, 0)) * json_number_value(json_array_get(p, 1));
    }
    return a / 2;
}

/* Every edge of the feature with this id in a GeoJSON file. */
static edges read_edges(const char *path, const char *id)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    assert_non_null(root);
    edges out = {NULL, 0};
    size_t cap = 0;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(root, "features"), i, f) {
        if (strcmp(json_string_value(json_object_get(json_object_get(f, "properties"), "id")), id))
            continue;
        const json_t *geom = json_object_get(f, "geometry");
        const json_t *coords = json_object_get(geom, "coordinates");
        int multi = strcmp(json_string_value(json_object_get(geom, "type")), "MultiPolygon") == 0;
        size_t n_polys = multi ? json_array_size(coords) : 1;
        for (size_t p = 0; p < n_polys; p++) {
            const json_t *poly = multi ? json_array_get(coords, p) : coords;
            for (size_t r = 0; r < json_array_size(poly); r++) {
                const json_t *ring = json_array_get(poly, r);
                double area = ring_area(ring);
                int left = r == 0 ? area > 0 : area < 0;
                for (size_t k = 0; k + 1 < json_array_size(ring); k++) {
                    const json_t *a = json_array_get(ring, k), *b = json_array_get(ring, k + 1);
                    if (out.n == cap) {
                        cap = cap ? 2 * cap : 4096;
                        out.e = realloc(out.e, cap * sizeof *out.e);
                        assert_non_null(out.e);
                    }
                    out.e[out.n++] = (edge){json_number_value(json_array_get(a, 0)),
                                            json_number_value(json_array_get(a, 1)),
                                            json_number_value(json_array_get(b, 0)),
                                            json_number_value(json_array_get(b, 1)), left};
                }
            }
        }
    }
    json_decref(root);
    assert_true(out.n > 0);
    return out;
}

/* Edges compared without their direction. */
static void norm_edge(const edge *e, double k[4])
{
    int swap = e->x0 > e->x1 || (e->x0 == e->x1 && e->y0 > e->y1);
    k[0] = swap ? e->x1 : e->x0;
    k[1] = swap ? e->y1 : e->y0;
    k[2] = swap ? e->x0 : e->x1;
    k[3] = swap ? e->y0 : e->y1;
}

static int cmp_key(const void *a, const void *b)
{
    const double *x = a, *y = b;
    for (int k = 0; k < 4; k++)
        if (x[k] != y[k])
            return x[k] < y[k] ? -1 : 1;
    return 0;
}

typedef struct keyset {
    double (*k)[4];
    size_t n;
} keyset;

static keyset edge_keys(const edges *E)
{
    keyset s = {malloc(E->n * sizeof *s.k), E->n};
    assert_non_null(s.k);
    for (size_t i = 0; i < E->n; i++)
        norm_edge(&E->e[i], s.k[i]);
    qsort(s.k, s.n, sizeof *s.k, cmp_key);
    return s;
}

static int has_edge(const keyset *s, const edge *e)
{
    double k[4];
    norm_edge(e, k);
    return bsearch(k, s->k, s->n, sizeof *s->k, cmp_key) != NULL;
}

/* Distance in metres from (lon, lat) to every edge of E but `skip` (local plane). */
static double min_dist_others(const edges *E, const edge *skip, double lon, double lat)
{
    double kx = 111320.0 * cos(lat * M_PI / 180.0), ky = 110574.0, best = INFINITY;
    double win = 0.01;          /* ~1 km: enough for offsets of 50 m */
    for (size_t i = 0; i < E->n; i++) {
        const edge *e = &E->e[i];
        if (e == skip || fmin(e->y0, e->y1) > lat + win || fmax(e->y0, e->y1) < lat - win ||
            fmin(e->x0, e->x1) > lon + win || fmax(e->x0, e->x1) < lon - win)
            continue;
        double ax = (e->x0 - lon) * kx, ay = (e->y0 - lat) * ky;
        double dx = (e->x1 - lon) * kx - ax, dy = (e->y1 - lat) * ky - ay;
        double l2 = dx * dx + dy * dy, t = l2 > 0 ? -(ax * dx + ay * dy) / l2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        double x = ax + t * dx, y = ay + t * dy;
        best = fmin(best, sqrt(x * x + y * y));
    }
    return best;
}

/* A point `off_m` metres from the edge's midpoint along its normal, to the left
 * (side = +1) or right (-1), by geodesic. */
static dw_geodetic offset_point(const edge *e, double off_m, int side)
{
    dw_geodetic a = {e->y0, e->x0, 0}, b = {e->y1, e->x1, 0}, m, p;
    double len, azi;
    assert_int_equal(dw_geo_inverse(&a, &b, &len, &azi, NULL), DW_OK);
    assert_int_equal(dw_geo_direct(&a, azi, len / 2, &m), DW_OK);
    assert_int_equal(dw_geo_inverse(&m, &b, NULL, &azi, NULL), DW_OK);
    assert_int_equal(dw_geo_direct(&m, azi - side * 90.0, off_m, &p), DW_OK);
    return p;
}

static dw_geodetic midpoint(const edge *e)
{
    dw_geodetic a = {e->y0, e->x0, 0}, b = {e->y1, e->x1, 0}, m;
    double len, azi;
    assert_int_equal(dw_geo_inverse(&a, &b, &len, &azi, NULL), DW_OK);
    assert_int_equal(dw_geo_direct(&a, azi, len / 2, &m), DW_OK);
    return m;
}

/* The walk: PL's edges shared with `neighbour`, each one's two offset points. Returns
 * the number of points checked; fails on any wrong answer. */
static size_t walk_border(dw_geog *g, const edges *pl, const edges *nb, const char *neighbour,
                          size_t *n_edges_out)
{
    keyset nbk = edge_keys(nb);
    size_t ipl = must_find(g, "PL"), inb = must_find(g, neighbour);
    size_t checked = 0, shared = 0, skipped = 0, wrong = 0, geos_differ = 0;
    for (size_t i = 0; i < pl->n; i++) {
        const edge *e = &pl->e[i];
        if (!has_edge(&nbk, e))
            continue;
        shared++;
        double off = 20.0 + (double)(shared % 31);          /* 20 .. 50 m */
        for (int side = -1; side <= 1; side += 2) {
            dw_geodetic p = offset_point(e, off, side);
            int in_pl = (side > 0) == (e->inside_left != 0);
            /* Unambiguous only if no other edge (of PL, or of the neighbour on its side)
             * is as near as this one. */
            if (min_dist_others(pl, e, p.lon_deg, p.lat_deg) < off + 2 ||
                (!in_pl && min_dist_others(nb, NULL, p.lon_deg, p.lat_deg) < off - 2)) {
                skipped++;
                continue;
            }
            int got = dw_geog_contains(g, ipl, p.lat_deg, p.lon_deg), ref = -1;
            assert_int_equal(dw_geog_contains_geos(g, ipl, p.lat_deg, p.lon_deg, &ref), DW_OK);
            geos_differ += got != ref;
            if (got != in_pl) {
                if (wrong++ < 5)
                    fprintf(stderr, "PL-%s edge %zu: (%.7f, %.7f), %.0f m %s: contains says %d\n",
                            neighbour, i, p.lat_deg, p.lon_deg, off, in_pl ? "inside" : "outside", got);
            }
            /* The point outside Poland is in the neighbour. */
            if (!in_pl && !dw_geog_contains(g, inb, p.lat_deg, p.lon_deg)) {
                if (wrong++ < 5)
                    fprintf(stderr, "PL-%s edge %zu: (%.7f, %.7f) not in %s\n", neighbour, i,
                            p.lat_deg, p.lon_deg, neighbour);
            }
            /* Its distance to the border is the offset. */
            double d = -1, nlat, nlon;
            assert_int_equal(dw_geog_boundary_distance(g, ipl, p.lat_deg, p.lon_deg, &d, &nlat, &nlon),
                             DW_OK);
            if (fabs(d - off) > 1.0) {
                if (wrong++ < 5)
                    fprintf(stderr, "PL-%s edge %zu: distance %.2f m, offset %.2f m\n", neighbour, i,
                            d, off);
            }
            checked++;
        }
    }
    NOTE("PL-%s: %zu shared edges, %zu points checked, %zu skipped, %zu wrong, %zu GEOS differs\n",
         neighbour, shared, checked, skipped, wrong, geos_differ);
    assert_int_equal(wrong, 0);
    assert_int_equal(geos_differ, 0);
    free(nbk.k);
    *n_edges_out = shared;
    return checked;
}

static void geog_border_points(void **state)
{
    (void)state;
    static const char *const files[] = {COUNTRIES};
    dw_geog *g = load(files, 1);
    edges pl = read_edges(COUNTRIES, "PL"), by = read_edges(COUNTRIES, "BY"),
          ua = read_edges(COUNTRIES, "UA");
    size_t n_by = 0, n_ua = 0;
    size_t pts = walk_border(g, &pl, &by, "BY", &n_by) + walk_border(g, &pl, &ua, "UA", &n_ua);
    fprintf(stderr, "border walk: %zu PL-BY and %zu PL-UA edges, %zu points, 0 wrong, GEOS agrees\n",
            n_by, n_ua, pts);
    assert_true(n_by > 1000 && n_ua > 1000);
    assert_true(pts > 4000);
    free(pl.e);
    free(by.e);
    free(ua.e);
    dw_geog_destroy(g);
}

/* Paths 30 m out in the neighbour to 45 m in Poland, across each shared edge. */
static void geog_border_crossings(void **state)
{
    (void)state;
    static const char *const files[] = {COUNTRIES};
    dw_geog *g = load(files, 1);
    edges pl = read_edges(COUNTRIES, "PL"), by = read_edges(COUNTRIES, "BY");
    keyset byk = edge_keys(&by);
    size_t ipl = must_find(g, "PL"), n = 0, bad = 0;
    double worst_miss = 0;
    for (size_t i = 0; i < pl.n; i += 3) {
        const edge *e = &pl.e[i];
        if (!has_edge(&byk, e))
            continue;
        int in_side = e->inside_left ? 1 : -1;
        dw_geodetic a = offset_point(e, 30, -in_side), b = offset_point(e, 45, in_side);
        if (min_dist_others(&pl, e, a.lon_deg, a.lat_deg) < 32 ||
            min_dist_others(&pl, e, b.lon_deg, b.lat_deg) < 47)
            continue;
        /* No other edge within 30 m of the path's ends: it meets the border at e's
         * midpoint, or (e being short) at a neighbouring edge within a metre or two of it.
         * Either way the point is on the border, and the fraction is its distance from
         * the start over the path's length. */
        int crosses = 0;
        dw_geog_crossing c;
        assert_int_equal(dw_geog_first_crossing(g, ipl, a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg,
                                                &crosses, &c), DW_OK);
        dw_geodetic m = midpoint(e), x;
        double miss = INFINITY, len = 0, from_a = 0, on = INFINITY;
        if (crosses) {
            x = (dw_geodetic){c.lat_deg, c.lon_deg, 0};
            assert_int_equal(dw_geo_inverse(&m, &x, &miss, NULL, NULL), DW_OK);
            assert_int_equal(dw_geo_inverse(&a, &b, &len, NULL, NULL), DW_OK);
            assert_int_equal(dw_geo_inverse(&a, &x, &from_a, NULL, NULL), DW_OK);
            assert_int_equal(dw_geog_boundary_distance(g, ipl, x.lat_deg, x.lon_deg, &on, NULL, NULL),
                             DW_OK);
        }
        if (!crosses || !c.entering || miss > 2.0 || on > 0.01 || fabs(c.frac * len - from_a) > 0.01 ||
            fabs(c.frac - 30.0 / 75.0) > 2.0 / 75.0) {
            if (bad++ < 5)
                fprintf(stderr, "edge %zu: crosses %d entering %d frac %.4f miss %.2f m, %.3f m off the border\n",
                        i, crosses, crosses ? c.entering : -1, crosses ? c.frac : NAN, miss, on);
        }
        worst_miss = fmax(worst_miss, miss);
        /* The other way round: leaving, at 45/75. */
        assert_int_equal(dw_geog_first_crossing(g, ipl, b.lat_deg, b.lon_deg, a.lat_deg, a.lon_deg,
                                                &crosses, &c), DW_OK);
        if (!crosses || c.entering || fabs(c.frac - 45.0 / 75.0) > 2.0 / 75.0)
            bad++;
        n++;
    }
    NOTE("%zu paths across the PL-BY border, crossing at most %.2f m from the edge's midpoint\n", n,
         worst_miss);
    assert_int_equal(bad, 0);
    assert_true(n > 300);

    /* Brest to Terespol, across the Bug: where the path first meets the border, the
     * border is (within a metre), the start is in Belarus, and the path up to there
     * meets nothing. */
    size_t iby = must_find(g, "BY");
    double lat1 = 52.0976, lon1 = 23.7341, lat2 = 52.0756, lon2 = 23.6160;
    assert_true(dw_geog_contains(g, iby, lat1, lon1));
    assert_false(dw_geog_contains(g, ipl, lat1, lon1));
    int crosses = 0;
    dw_geog_crossing c;
    assert_int_equal(dw_geog_first_crossing(g, ipl, lat1, lon1, lat2, lon2, &crosses, &c), DW_OK);
    assert_int_equal(crosses, 1);
    assert_int_equal(c.entering, 1);
    assert_true(c.frac > 0.3 && c.frac < 1);
    double d = -1;
    assert_int_equal(dw_geog_boundary_distance(g, ipl, c.lat_deg, c.lon_deg, &d, NULL, NULL), DW_OK);
    assert_true(d < 1.0);
    double f0 = c.frac - 1e-4;
    dw_geog_crossing c2;
    assert_int_equal(dw_geog_first_crossing(g, ipl, lat1, lon1, lat1 + f0 * (lat2 - lat1),
                                            lon1 + f0 * (lon2 - lon1), &crosses, &c2), DW_OK);
    assert_int_equal(crosses, 0);
    NOTE("Brest -> Terespol: crosses at %.4f (%.6f, %.6f)\n", c.frac, c.lat_deg, c.lon_deg);

    /* Inside Poland, nothing to cross: Lublin to Warsaw, Chełm to Zamość. */
    assert_int_equal(dw_geog_first_crossing(g, ipl, 51.2465, 22.5684, 52.2297, 21.0122, &crosses, &c),
                     DW_OK);
    assert_int_equal(crosses, 0);
    assert_int_equal(dw_geog_first_crossing(g, ipl, 51.1431, 23.4716, 50.7231, 23.2520, &crosses, &c),
                     DW_OK);
    assert_int_equal(crosses, 0);
    /* Bad input changes nothing. */
    c.frac = 7;
    assert_int_equal(dw_geog_first_crossing(g, ipl, 91, 0, 0, 0, &crosses, &c), DW_ERR_INVALID);
    assert_int_equal(dw_geog_first_crossing(g, 9999, 50, 20, 51, 21, &crosses, &c), DW_ERR_INVALID);
    assert_int_equal(dw_geog_first_crossing(g, ipl, NAN, 0, 0, 0, &crosses, &c), DW_ERR_INVALID);
    assert_near(c.frac, 7, 0);
    free(byk.k);
    free(pl.e);
    free(by.e);
    dw_geog_destroy(g);
}

/* Random points over the whole region: the grid and GEOS agree on every one. */
static void geog_agrees_with_geos(void **state)
{
    (void)state;
    dw_geog *g = load_all();
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    size_t n = 0, differ = 0, in = 0;
    for (size_t i = 0; i < dw_geog_count(g); i++) {
        const dw_geog_feature *f = dw_geog_get(g, i);
        if (f->shape != DW_GEOG_AREA)
            continue;
        int per = strcmp(f->id, "PL") == 0 ? 100000 : 3000;
        double w = f->max_lon_deg - f->min_lon_deg, h = f->max_lat_deg - f->min_lat_deg;
        for (int k = 0; k < per; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            double u = (double)(x >> 11) / 9007199254740992.0;
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            double v = (double)(x >> 11) / 9007199254740992.0;
            double lon = f->min_lon_deg - 0.1 * w + 1.2 * w * u;
            double lat = f->min_lat_deg - 0.1 * h + 1.2 * h * v;
            int ref = -1, got = dw_geog_contains(g, i, lat, lon);
            assert_int_equal(dw_geog_contains_geos(g, i, lat, lon, &ref), DW_OK);
            if (got != ref && differ++ < 5)
                fprintf(stderr, "%s at (%.7f, %.7f): grid %d, GEOS %d\n", f->id, lat, lon, got, ref);
            in += got;
            n++;
        }
    }
    NOTE("%zu random points, %zu inside, %zu differ\n", n, in, differ);
    assert_int_equal(differ, 0);
    assert_true(n > 250000);
    int r = -1;
    assert_int_equal(dw_geog_contains_geos(g, must_find(g, "EPRZ"), 50.11, 22.02, &r),
                     DW_ERR_UNSUPPORTED);
    assert_int_equal(dw_geog_contains_geos(g, 0, NAN, 22.02, &r), DW_ERR_INVALID);
    assert_int_equal(r, -1);
    dw_geog_destroy(g);
}

typedef struct place {
    const char *what;
    double lat, lon;
    const char *country, *region;   /* NULL: none */
} place;

static void geog_known_places(void **state)
{
    (void)state;
    dw_geog *g = load_all();
    static const place places[] = {
        {"Lublin", 51.2465, 22.5684, "PL", "PL-LU"},
        {"Warsaw", 52.2297, 21.0122, "PL", "PL-MZ"},
        {"Rzeszów", 50.0412, 21.9991, "PL", "PL-PK"},
        {"Białystok", 53.1325, 23.1688, "PL", "PL-PD"},
        {"Kraków", 50.0647, 19.9450, "PL", "PL-MA"},
        {"Gdańsk", 54.3520, 18.6466, "PL", "PL-PM"},
        {"Lake Śniardwy (a hole in the source, filled)", 53.7500, 21.7300, "PL", "PL-WN"},
        {"Brest", 52.0976, 23.7341, "BY", "BY-BR"},
        {"Grodno", 53.6694, 23.8131, "BY", "BY-HR"},
        {"Minsk (a hole in Minsk Region)", 53.9006, 27.5590, "BY", "BY-HM"},
        {"Lviv", 49.8397, 24.0297, "UA", "UA-46"},
        {"Lutsk", 50.7472, 25.3254, "UA", "UA-07"},
        {"Kyiv (a hole in Kyiv Oblast)", 50.4501, 30.5234, "UA", "UA-30"},
        {"Vilnius", 54.6872, 25.2797, "LT", "LT-VL"},
        {"Kaunas", 54.8985, 23.9036, "LT", "LT-KU"},
        {"Kaliningrad", 54.7104, 20.4522, "RU", NULL},
        {"Berlin", 52.5200, 13.4050, "DE", NULL},
        {"Prague", 50.0755, 14.4378, "CZ", NULL},
        {"Bratislava", 48.1486, 17.1077, "SK", NULL},
        {"the Baltic", 55.0000, 18.0000, NULL, NULL},
    };
    uint32_t countries = dw_geog_kinds(g, "country"), regions = dw_geog_kinds(g, "region");
    assert_int_not_equal(countries, 0);
    assert_int_not_equal(regions, 0);
    for (size_t k = 0; k < sizeof places / sizeof places[0]; k++) {
        const place *p = &places[k];
        size_t hit[8];
        size_t n = dw_geog_which(g, countries, p->lat, p->lon, hit, 8);
        if (n != (p->country ? 1u : 0u) ||
            (n == 1 && strcmp(dw_geog_get(g, hit[0])->id, p->country) != 0)) {
            fprintf(stderr, "%s: %zu countries, first %s\n", p->what, n,
                    n ? dw_geog_get(g, hit[0])->id : "-");
            fail();
        }
        n = dw_geog_which(g, regions, p->lat, p->lon, hit, 8);
        if (n != (p->region ? 1u : 0u) ||
            (n == 1 && strcmp(dw_geog_get(g, hit[0])->id, p->region) != 0)) {
            fprintf(stderr, "%s: %zu regions, first %s\n", p->what, n,
                    n ? dw_geog_get(g, hit[0])->id : "-");
            fail();
        }
    }
    /* Kyiv and Minsk are in the holes of the regions around them. */
    assert_false(dw_geog_contains(g, must_find(g, "UA-32"), 50.4501, 30.5234));
    assert_true(dw_geog_contains(g, must_find(g, "UA-32"), 50.40, 30.10));
    assert_false(dw_geog_contains(g, must_find(g, "BY-MI"), 53.9006, 27.5590));

    /* Everything at Lublin's centre: the country, the region, the city. */
    size_t hit[8];
    size_t n = dw_geog_which(g, DW_GEOG_ALL_KINDS, 51.2465, 22.5684, hit, 8);
    assert_int_equal(n, 3);
    assert_string_equal(dw_geog_get(g, hit[0])->id, "PL");
    assert_string_equal(dw_geog_get(g, hit[1])->id, "PL-LU");
    assert_string_equal(dw_geog_get(g, hit[2])->id, "CITY-LUBLIN");
    assert_int_equal(dw_geog_which(g, DW_GEOG_ALL_KINDS, 51.2465, 22.5684, NULL, 0), 3);
    assert_int_equal(dw_geog_which(g, DW_GEOG_ALL_KINDS, 51.2465, 22.5684, hit, 1), 3);
    assert_int_equal(dw_geog_which(g, dw_geog_kinds(g, "airport, base"), 51.2465, 22.5684, hit, 8), 0);
    assert_int_equal(dw_geog_which(g, dw_geog_kinds(g, "nothing-such"), 51.2465, 22.5684, hit, 8), 0);
    assert_int_equal(dw_geog_which(g, countries, NAN, 22.5, hit, 8), 0);
    assert_int_equal(dw_geog_contains(g, 9999, 51.2, 22.5), 0);
    dw_geog_destroy(g);
}

/* A square with a square hole, and a second polygon: even-odd, crossings, distances. */
static void geog_holes_and_parts(void **state)
{
    (void)state;
    const char *text =
        "{\"type\": \"FeatureCollection\", \"features\": [\n"
        " {\"type\": \"Feature\", \"id\": \"SQ\", \"properties\": {\"kind\": \"zone\", \"name\": \"Square\","
        "  \"note\": \"a test\", \"level\": 3},\n"
        "  \"geometry\": {\"type\": \"MultiPolygon\", \"coordinates\": [\n"
        "   [[[20, 50], [21, 50], [21, 51], [20, 51], [20, 50]],\n"
        "    [[20.4, 50.4], [20.4, 50.6], [20.6, 50.6], [20.6, 50.4], [20.4, 50.4]]],\n"
        "   [[[22, 50], [22.5, 50], [22.5, 50.5, 120], [22, 50]]]]}}]}\n";
    dw_geog *g = NULL;
    char err[256];
    assert_int_equal(dw_geog_create(&g), DW_OK);
    assert_int_equal(dw_geog_load_mem(g, text, strlen(text), "square.geojson", err, sizeof err), DW_OK);
    const dw_geog_feature *f = dw_geog_get(g, 0);
    assert_string_equal(f->id, "SQ");
    assert_string_equal(f->name, "Square");
    assert_string_equal(f->country, "");
    assert_string_equal(f->source, "square.geojson");
    assert_int_equal(f->shape, DW_GEOG_AREA);
    assert_int_equal(f->n_polygons, 2);
    assert_int_equal(f->n_rings, 3);
    assert_int_equal(f->n_vertices, 14);
    assert_true(isnan(f->population));
    assert_string_equal(dw_geog_prop_str(g, 0, "note"), "a test");
    double v = 0;
    assert_int_equal(dw_geog_prop_num(g, 0, "level", &v), 1);
    assert_near(v, 3, 0);
    assert_int_equal(dw_geog_prop_num(g, 0, "note", &v), 0);
    assert_null(dw_geog_prop_str(g, 0, "level"));
    assert_null(dw_geog_prop_str(g, 0, "absent"));
    assert_null(dw_geog_prop_str(g, 5, "note"));

    static const struct { double lat, lon; int in; } pts[] = {
        {50.2, 20.2, 1}, {50.5, 20.5, 0}, {50.5, 20.7, 1}, {50.55, 20.45, 0}, {51.5, 20.5, 0},
        {50.05, 22.3, 1}, {50.4, 22.45, 1}, {50.4, 22.1, 0}, {49.9, 22.1, 0}, {50.5, 21.5, 0},
    };
    for (size_t k = 0; k < sizeof pts / sizeof pts[0]; k++) {
        int ref = -1;
        assert_int_equal(dw_geog_contains(g, 0, pts[k].lat, pts[k].lon), pts[k].in);
        assert_int_equal(dw_geog_contains_geos(g, 0, pts[k].lat, pts[k].lon, &ref), DW_OK);
        assert_int_equal(ref, pts[k].in);
    }
    /* From the hole's middle north: it enters the feature at the hole's edge (50.6),
     * a quarter of the way to 50.9. */
    int crosses = 0;
    dw_geog_crossing c;
    assert_int_equal(dw_geog_first_crossing(g, 0, 50.5, 20.5, 50.9, 20.5, &crosses, &c), DW_OK);
    assert_int_equal(crosses, 1);
    assert_int_equal(c.entering, 1);
    assert_near(c.frac, 0.25, 1e-12);
    assert_near(c.lat_deg, 50.6, 1e-12);
    assert_near(c.lon_deg, 20.5, 1e-12);
    /* Along the bottom edge itself: it touches at once. */
    assert_int_equal(dw_geog_first_crossing(g, 0, 50, 19.5, 50, 20.5, &crosses, &c), DW_OK);
    assert_int_equal(crosses, 1);
    assert_near(c.frac, 0.5, 1e-12);
    /* Inside the square, away from everything. */
    assert_int_equal(dw_geog_first_crossing(g, 0, 50.1, 20.1, 50.3, 20.3, &crosses, &c), DW_OK);
    assert_int_equal(crosses, 0);
    /* In the hole, 0.05° west of its east side (3.5 km) and 0.1° from its north and
     * south sides (11 km): the nearest boundary point is due east. */
    double d = 0, nlat = 0, nlon = 0;
    assert_int_equal(dw_geog_boundary_distance(g, 0, 50.5, 20.55, &d, &nlat, &nlon), DW_OK);
    dw_geodetic p = {50.5, 20.55, 0}, q = {50.5, 20.6, 0};
    double geod = 0;
    assert_int_equal(dw_geo_inverse(&p, &q, &geod, NULL, NULL), DW_OK);
    assert_near(d, geod, 0.5);
    assert_near(nlat, 50.5, 1e-9);
    assert_near(nlon, 20.6, 1e-9);
    /* Far outside (100 km east of the triangle) still finds the nearest edge. */
    assert_int_equal(dw_geog_boundary_distance(g, 0, 50.25, 24.0, &d, &nlat, &nlon), DW_OK);
    assert_near(nlon, 22.5, 1e-9);
    assert_near(nlat, 50.25, 1e-9);
    p = (dw_geodetic){50.25, 24.0, 0};
    q = (dw_geodetic){50.25, 22.5, 0};
    assert_int_equal(dw_geo_inverse(&p, &q, &geod, NULL, NULL), DW_OK);
    assert_near(d, geod, 0.01 * geod);
    d = -5;
    assert_int_equal(dw_geog_boundary_distance(g, 0, 95, 20, &d, NULL, NULL), DW_ERR_INVALID);
    assert_int_equal(dw_geog_boundary_distance(g, 3, 50, 20, &d, NULL, NULL), DW_ERR_INVALID);
    assert_near(d, -5, 0);
    dw_geog_destroy(g);
    dw_geog_destroy(NULL);
}

/* A point r +- 10 m from a circle zone's centre, on several bearings. */
static void geog_circles(void **state)
{
    (void)state;
    static const char *const files[] = {PROTECTED};
    dw_geog *g = load(files, 1);
    size_t i = must_find(g, "EPRZ");
    const dw_geog_feature *f = dw_geog_get(g, i);
    assert_int_equal(f->shape, DW_GEOG_CIRCLE);
    assert_near(f->radius_m, 10000, 0);
    dw_geodetic c = {f->lat_deg, f->lon_deg, 0}, p;
    for (int az = 0; az < 360; az += 15) {
        assert_int_equal(dw_geo_direct(&c, az, 9990, &p), DW_OK);
        assert_true(dw_geog_contains(g, i, p.lat_deg, p.lon_deg));
        assert_int_equal(dw_geo_direct(&c, az, 10010, &p), DW_OK);
        assert_false(dw_geog_contains(g, i, p.lat_deg, p.lon_deg));
        /* 12 km out: 2 km from the zone's edge, the nearest point 10 km out on the same bearing. */
        assert_int_equal(dw_geo_direct(&c, az, 12000, &p), DW_OK);
        double d = 0, nlat = 0, nlon = 0, s = 0, azi = 0;
        assert_int_equal(dw_geog_boundary_distance(g, i, p.lat_deg, p.lon_deg, &d, &nlat, &nlon), DW_OK);
        assert_near(d, 2000, 1.0);
        dw_geodetic nq = {nlat, nlon, 0};
        assert_int_equal(dw_geo_inverse(&c, &nq, &s, &azi, NULL), DW_OK);
        assert_near(s, 10000, 0.01);
        assert_near(fmod(azi + 360, 360), az, 1e-6);
    }
    /* 20 km north to the centre: it enters half way, 10 km from the centre. */
    dw_geodetic a;
    assert_int_equal(dw_geo_direct(&c, 0, 20000, &a), DW_OK);
    int crosses = 0;
    dw_geog_crossing x;
    assert_int_equal(dw_geog_first_crossing(g, i, a.lat_deg, a.lon_deg, c.lat_deg, c.lon_deg, &crosses,
                                            &x), DW_OK);
    assert_int_equal(crosses, 1);
    assert_int_equal(x.entering, 1);
    assert_near(x.frac, 0.5, 1e-3);
    dw_geodetic xp = {x.lat_deg, x.lon_deg, 0};
    double s = 0;
    assert_int_equal(dw_geo_inverse(&c, &xp, &s, NULL, NULL), DW_OK);
    assert_near(s, 10000, 1.0);
    /* And out again: leaving, half way. */
    assert_int_equal(dw_geog_first_crossing(g, i, c.lat_deg, c.lon_deg, a.lat_deg, a.lon_deg, &crosses,
                                            &x), DW_OK);
    assert_int_equal(crosses, 1);
    assert_int_equal(x.entering, 0);
    assert_near(x.frac, 0.5, 1e-3);
    /* Passing 11 km east of the centre, north to south: never inside. */
    dw_geodetic e, n1, s1;
    assert_int_equal(dw_geo_direct(&c, 90, 11000, &e), DW_OK);
    assert_int_equal(dw_geo_direct(&e, 0, 15000, &n1), DW_OK);
    assert_int_equal(dw_geo_direct(&e, 180, 15000, &s1), DW_OK);
    assert_int_equal(dw_geog_first_crossing(g, i, n1.lat_deg, n1.lon_deg, s1.lat_deg, s1.lon_deg,
                                            &crosses, &x), DW_OK);
    assert_int_equal(crosses, 0);
    /* Both ends inside: nothing crossed. */
    assert_int_equal(dw_geog_first_crossing(g, i, c.lat_deg, c.lon_deg, c.lat_deg + 0.01, c.lon_deg,
                                            &crosses, &x), DW_OK);
    assert_int_equal(crosses, 0);
    /* The kinds and properties of the protected sites. */
    assert_string_equal(dw_geog_prop_str(g, i, "icao"), "EPRZ");
    assert_string_equal(f->kind, "airport");
    assert_string_equal(f->country, "PL");
    size_t w = must_find(g, "CITY-WARSAW");
    assert_true(dw_geog_get(g, w)->population > 1e6);
    size_t hit[4];
    assert_int_equal(dw_geog_which(g, dw_geog_kinds(g, "airport"), 52.1657, 20.9671, hit, 4), 1);
    assert_string_equal(dw_geog_get(g, hit[0])->id, "EPWA");
    /* Chopin is inside Warsaw's 15 km too. */
    assert_int_equal(dw_geog_which(g, DW_GEOG_ALL_KINDS, 52.1657, 20.9671, hit, 4), 2);
    dw_geog_destroy(g);
}

/* ---- malformed input ---------------------------------------------------------------- */

static const char *write_tmp(const char *dir, const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#define FC(features) "{\"type\": \"FeatureCollection\", \"features\": [" features "]}"
#define SQUARE "[[[20, 50], [21, 50], [21, 51], [20, 51], [20, 50]]]"
#define FEAT(props, geom) "{\"type\": \"Feature\", \"properties\": " props ", \"geometry\": " geom "}"
#define POLY(c) "{\"type\": \"Polygon\", \"coordinates\": " c "}"
#define GOOD FEAT("{\"id\": \"A\", \"kind\": \"zone\"}", POLY(SQUARE))

typedef struct bad_case {
    const char *text;
    dw_status st;
    const char *want;           /* in the message, after "PATH: " */
} bad_case;

static void geog_bad_files(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"{\"type\": ", DW_ERR_PARSE, ":1:"},
        {"[1, 2]", DW_ERR_PARSE, "not a GeoJSON FeatureCollection: the document is a list"},
        {"{\"type\": \"Feature\"}", DW_ERR_PARSE, "not a FeatureCollection: \"type\" is \"Feature\""},
        {"{\"type\": \"FeatureCollection\"}", DW_ERR_PARSE, "\"features\" must be a list, not nothing"},
        {FC("7"), DW_ERR_PARSE, "feature 0: a feature must be an object, not a number"},
        {FC("{\"type\": \"Fature\"}"), DW_ERR_PARSE, "feature 0: \"type\" must be \"Feature\", not \"Fature\""},
        {FC(GOOD ", " FEAT("[]", POLY(SQUARE))), DW_ERR_PARSE,
         "feature 1: \"properties\" must be an object, not a list"},
        {FC(FEAT("{\"kind\": \"zone\"}", POLY(SQUARE))), DW_ERR_PARSE, "feature 0: missing \"id\""},
        {FC(FEAT("{\"id\": [1], \"kind\": \"zone\"}", POLY(SQUARE))), DW_ERR_PARSE,
         "feature 0: \"id\" must be a string, not a list"},
        {FC(FEAT("{\"id\": \"A\"}", POLY(SQUARE))), DW_ERR_PARSE, "feature 0 (\"A\"): missing \"kind\""},
        {FC(FEAT("{\"id\": \"A\", \"kind\": 3}", POLY(SQUARE))), DW_ERR_PARSE,
         "feature 0 (\"A\"): \"kind\" must be a string, not a number"},
        {FC(GOOD ", " FEAT("{\"id\": \"PL-LU\", \"kind\": \"region\"}",
                           POLY("[[[20, 50], [21, 50], [20, 50]]]"))),
         DW_ERR_PARSE, "feature 1 (\"PL-LU\"): ring 0 has 3 positions; a ring needs at least 4"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}",
                 POLY("[[[20, 50], [21, 50], [21, 51], [20, 51], [20, 50.5]]]"))),
         DW_ERR_PARSE, "feature 0 (\"A\"): ring 0 is not closed: its last position (20, 50.5) differs "
                       "from its first (20, 50)"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}",
                 POLY("[[[20, 50], [200, 50], [21, 51], [20, 50]]]"))),
         DW_ERR_PARSE, "feature 0 (\"A\"): ring 0, position 1: longitude 200 out of range (-180 to 180)"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}",
                 POLY("[[[20, 50], [21, 95], [21, 51], [20, 50]]]"))),
         DW_ERR_PARSE, "ring 0, position 1: latitude 95 out of range (-90 to 90)"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}",
                 POLY("[[[20, 50], [\"21\", 50], [21, 51], [20, 50]]]"))),
         DW_ERR_PARSE, "ring 0, position 1: coordinates must be numbers, not a string"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}", POLY("[[[20, 50], [21], [21, 51], [20, 50]]]"))),
         DW_ERR_PARSE, "ring 0, position 1: a position has 2 or 3 numbers ([lon, lat] or [lon, lat, height]), not 1"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}", POLY("[]"))), DW_ERR_PARSE,
         "feature 0 (\"A\"): the polygon has no rings"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}", POLY("{}"))), DW_ERR_PARSE,
         "feature 0 (\"A\"): \"coordinates\" must be a list of rings, not an object"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}",
                 "{\"type\": \"MultiPolygon\", \"coordinates\": [" SQUARE ", [[[1, 2], [3, 4]]]]}")),
         DW_ERR_PARSE, "feature 0 (\"A\"): polygon 1, ring 0 has 2 positions"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}", "{\"type\": \"MultiPolygon\", \"coordinates\": []}")),
         DW_ERR_PARSE, "feature 0 (\"A\"): the MultiPolygon has no polygons"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}", "{\"type\": \"Circle\", \"coordinates\": [20, 50]}")),
         DW_ERR_PARSE, "feature 0 (\"A\"): unknown geometry type \"Circle\" (expected Polygon, MultiPolygon, "
                       "or Point with \"radius_m\")"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}",
                 "{\"type\": \"LineString\", \"coordinates\": [[20, 50], [21, 50]]}")),
         DW_ERR_PARSE, "feature 0 (\"A\"): unsupported geometry type \"LineString\""},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}", "null")), DW_ERR_PARSE, "feature 0 (\"A\"): no geometry"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}", "{\"type\": \"Polygon\"}")), DW_ERR_PARSE,
         "feature 0 (\"A\"): the geometry has no \"coordinates\""},
        {FC(FEAT("{\"id\": \"EPXX\", \"kind\": \"airport\"}", "{\"type\": \"Point\", \"coordinates\": [20, 50]}")),
         DW_ERR_PARSE, "feature 0 (\"EPXX\"): a Point needs \"radius_m\""},
        {FC(FEAT("{\"id\": \"EPXX\", \"kind\": \"airport\", \"radius_m\": -5}",
                 "{\"type\": \"Point\", \"coordinates\": [20, 50]}")),
         DW_ERR_PARSE, "feature 0 (\"EPXX\"): \"radius_m\" out of range: -5 (expected above 0 to 1e+06)"},
        {FC(FEAT("{\"id\": \"EPXX\", \"kind\": \"airport\", \"radius_m\": \"10km\"}",
                 "{\"type\": \"Point\", \"coordinates\": [20, 50]}")),
         DW_ERR_PARSE, "feature 0 (\"EPXX\"): \"radius_m\" must be a number, not \"10km\""},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\", \"radius_m\": 5}", POLY(SQUARE))), DW_ERR_PARSE,
         "feature 0 (\"A\"): \"radius_m\" is for a Point's circle zone, not a Polygon"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"city\", \"population\": \"many\"}", POLY(SQUARE))),
         DW_ERR_PARSE, "feature 0 (\"A\"): \"population\" must be a number, not \"many\""},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}",
                 POLY("[[[20, 50], [21, 51], [21, 50], [20, 51], [20, 50]]]"))),
         DW_ERR_PARSE, "feature 0 (\"A\"): not a valid Polygon: Self-intersection near (20.5, 50.5)"},
        {FC(FEAT("{\"id\": \"A\", \"kind\": \"zone\"}",
                 POLY("[[[20, 50], [21, 50], [21, 51], [20, 51], [20, 50]],"
                      " [[22, 50], [22.5, 50], [22.5, 50.5], [22, 50]]]"))),
         DW_ERR_PARSE, "feature 0 (\"A\"): not a valid Polygon: Hole lies outside shell"},
        {FC(GOOD ", " GOOD), DW_ERR_PARSE, "feature 1 (\"A\"): duplicate id (first: feature 0)"},
    };
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    dw_geog *g = NULL;
    char err[512];
    assert_int_equal(dw_geog_create(&g), DW_OK);
    /* A store with something in it, which no failure may change. */
    const char *keep = write_tmp(dir, "keep.geojson",
                                 FC(FEAT("{\"id\": \"KEEP\", \"kind\": \"zone\"}", POLY(SQUARE))));
    char keep_path[512];
    snprintf(keep_path, sizeof keep_path, "%s", keep);
    assert_int_equal(dw_geog_load(g, keep_path, err, sizeof err), DW_OK);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char name[32];
        snprintf(name, sizeof name, "bad%02zu.geojson", k);
        const char *path = write_tmp(dir, name, cases[k].text);
        err[0] = '\0';
        dw_status st = dw_geog_load(g, path, err, sizeof err);
        if (st != cases[k].st || strncmp(err, path, strlen(path)) != 0 || !strstr(err, cases[k].want)) {
            fprintf(stderr, "case %zu: %s, \"%s\"\n  wanted %s, \"...%s...\"\n", k, dw_status_name(st), err,
                    dw_status_name(cases[k].st), cases[k].want);
            fail();
        }
        NOTE("%s\n", err);
        assert_int_equal(dw_geog_count(g), 1);
        assert_int_equal(dw_geog_find(g, "KEEP"), 0);
        assert_int_equal(dw_geog_find(g, "A"), -1);
        assert_int_equal(dw_geog_kinds(g, "zone,airport,region,city"), 1u);
    }
    /* The same id in two files. */
    const char *second = write_tmp(dir, "second.geojson",
                                   FC(FEAT("{\"id\": \"KEEP\", \"kind\": \"zone\"}", POLY(SQUARE))));
    assert_int_equal(dw_geog_load(g, second, err, sizeof err), DW_ERR_PARSE);
    assert_non_null(strstr(err, "feature 0 (\"KEEP\"): duplicate id (first: feature 0 of "));
    assert_non_null(strstr(err, keep_path));
    /* A file that is not there. */
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none.geojson", dir);
    assert_int_equal(dw_geog_load(g, missing, err, sizeof err), DW_ERR_NOT_FOUND);
    assert_int_equal(strncmp(err, missing, strlen(missing)), 0);
    /* More kinds than a store holds: DW_ERR_FULL, and the kinds stay as they were. */
    char big[8192];
    size_t used = (size_t)snprintf(big, sizeof big, "{\"type\": \"FeatureCollection\", \"features\": [");
    for (int k = 0; k < DW_GEOG_MAX_KINDS; k++)
        used += (size_t)snprintf(big + used, sizeof big - used,
                                 "%s{\"type\": \"Feature\", \"properties\": {\"id\": \"K%d\", \"kind\": \"k%d\"},"
                                 " \"geometry\": {\"type\": \"Point\", \"coordinates\": [20, 50]}, \"x\": 0}",
                                 k ? ", " : "", k, k);
    snprintf(big + used, sizeof big - used, "]}");
    assert_int_equal(dw_geog_load_mem(g, big, strlen(big), "kinds.geojson", err, sizeof err), DW_ERR_PARSE);
    assert_non_null(strstr(err, "feature 0 (\"K0\"): a Point needs \"radius_m\""));
    for (char *p = big; (p = strstr(p, "\"kind\"")) != NULL; p++) {
        char *c = strstr(p, "},");
        memmove(c + 19, c, strlen(c) + 1);
        memcpy(c, ", \"radius_m\": 1000 ", 19);
    }
    assert_int_equal(dw_geog_load_mem(g, big, strlen(big), "kinds.geojson", err, sizeof err), DW_ERR_FULL);
    assert_non_null(strstr(err, "feature 31 (\"K31\"): kind \"k31\" is one too many: a store holds at most 32 kinds"));
    assert_int_equal(dw_geog_count(g), 1);
    assert_int_equal(dw_geog_kinds(g, "k0"), 0);
    assert_int_equal(dw_geog_find(g, "K0"), -1);
    /* Bad arguments. */
    assert_int_equal(dw_geog_load(NULL, keep_path, err, sizeof err), DW_ERR_INVALID);
    assert_int_equal(dw_geog_load(g, NULL, err, sizeof err), DW_ERR_INVALID);
    assert_int_equal(dw_geog_load_mem(g, NULL, 5, "x", err, sizeof err), DW_ERR_INVALID);
    assert_int_equal(dw_geog_load_mem(g, "{}", 2, "x.geojson", NULL, 0), DW_ERR_PARSE);
    assert_int_equal(dw_geog_create(NULL), DW_ERR_INVALID);
    /* After all that, the store still works, and loads a good file. */
    assert_true(dw_geog_contains(g, 0, 50.5, 20.5));
    const char *good = write_tmp(dir, "good.geojson", FC(GOOD));
    assert_int_equal(dw_geog_load(g, good, err, sizeof err), DW_OK);
    assert_int_equal(dw_geog_count(g), 2);
    assert_int_equal(dw_geog_find(g, "A"), 1);
    assert_int_equal(dw_geog_find(g, "KEEP"), 0);
    assert_int_equal(dw_geog_find(NULL, "A"), -1);
    assert_null(dw_geog_get(g, 2));
    dw_geog_destroy(g);
}

/* ---- the shipped data ---------------------------------------------------------------- */

static void geog_shipped_data(void **state)
{
    (void)state;
    dw_geog *g = load_all();
    static const char *const countries[] = {"PL", "BY", "UA", "LT", "RU", "SK", "CZ", "DE"};
    static const char *const voivodeships[] = {"PL-DS", "PL-KP", "PL-LB", "PL-LD", "PL-LU", "PL-MA",
                                               "PL-MZ", "PL-OP", "PL-PD", "PL-PK", "PL-PM", "PL-SK",
                                               "PL-SL", "PL-WN", "PL-WP", "PL-ZP"};
    for (size_t k = 0; k < sizeof countries / sizeof countries[0]; k++) {
        const dw_geog_feature *f = dw_geog_get(g, must_find(g, countries[k]));
        assert_string_equal(f->kind, "country");
        assert_string_equal(f->country, countries[k]);
        assert_int_equal(f->shape, DW_GEOG_AREA);
    }
    const dw_geog_feature *pl = dw_geog_get(g, must_find(g, "PL"));
    NOTE("PL: %zu vertices, %zu polygons, %zu rings\n", pl->n_vertices, pl->n_polygons, pl->n_rings);
    assert_true(pl->n_vertices > 17000);
    assert_string_equal(pl->name, "Poland");
    assert_string_equal(dw_geog_prop_str(g, must_find(g, "PL"), "iso3"), "POL");
    assert_true(pl->min_lon_deg > 14.0 && pl->max_lon_deg < 24.2);
    assert_true(pl->min_lat_deg > 48.9 && pl->max_lat_deg < 54.9);

    size_t per[4] = {0};
    static const char *const cc[4] = {"PL", "UA", "LT", "BY"};
    uint32_t regions = dw_geog_kinds(g, "region");
    for (size_t i = 0; i < dw_geog_count(g); i++) {
        const dw_geog_feature *f = dw_geog_get(g, i);
        if (!((regions >> f->kind_index) & 1u))
            continue;
        for (int k = 0; k < 4; k++)
            if (strcmp(f->country, cc[k]) == 0) {
                per[k]++;
                assert_int_equal(strncmp(f->id, cc[k], 2), 0);
                assert_int_equal(f->id[2], '-');
            }
    }
    assert_int_equal(per[0], 16);
    assert_true(per[1] >= 25);
    assert_int_equal(per[2], 10);
    assert_int_equal(per[3], 7);
    for (size_t k = 0; k < 16; k++) {
        const dw_geog_feature *f = dw_geog_get(g, must_find(g, voivodeships[k]));
        assert_string_equal(f->kind, "region");
        assert_string_equal(f->country, "PL");
    }
    size_t lu = must_find(g, "PL-LU");
    assert_string_equal(dw_geog_get(g, lu)->name, "Lublin Voivodeship");
    assert_string_equal(dw_geog_prop_str(g, lu, "name_local"), "województwo lubelskie");
    assert_string_equal(dw_geog_get(g, must_find(g, "UA-07"))->name, "Volyn Oblast");
    assert_string_equal(dw_geog_get(g, must_find(g, "UA-46"))->name, "Lviv Oblast");

    /* The protected sites: 4 airports, 3 power plants, 3 bases, 7 cities. */
    static const struct { const char *kind; size_t n; } kinds[] = {
        {"airport", 4}, {"power_plant", 3}, {"base", 3}, {"city", 7}};
    for (size_t k = 0; k < 4; k++) {
        uint32_t m = dw_geog_kinds(g, kinds[k].kind);
        size_t n = 0;
        for (size_t i = 0; i < dw_geog_count(g); i++) {
            const dw_geog_feature *f = dw_geog_get(g, i);
            if ((m >> f->kind_index) & 1u) {
                n++;
                assert_int_equal(f->shape, DW_GEOG_CIRCLE);
                assert_true(f->radius_m >= 1000);
                /* Every site is in Poland. */
                assert_true(dw_geog_contains(g, must_find(g, "PL"), f->lat_deg, f->lon_deg));
                if (strcmp(kinds[k].kind, "city") == 0)
                    assert_true(f->population > 10000);
                if (strcmp(kinds[k].kind, "airport") == 0)
                    assert_string_equal(dw_geog_prop_str(g, i, "icao"), f->id);
            }
        }
        assert_int_equal(n, kinds[k].n);
    }
    assert_int_equal(__builtin_popcount(dw_geog_kinds(g, "airport,base, city")), 3);
    assert_int_equal(dw_geog_kinds(g, ""), 0);
    dw_geog_destroy(g);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(geog_border_points),
    cmocka_unit_test(geog_border_crossings),
    cmocka_unit_test(geog_agrees_with_geos),
    cmocka_unit_test(geog_known_places),
    cmocka_unit_test(geog_holes_and_parts),
    cmocka_unit_test(geog_circles),
    cmocka_unit_test(geog_bad_files),
    cmocka_unit_test(geog_shipped_data),
};

DW_TEST_MAIN("geog", tests)

/* geog.c — the store of geographic features: GeoJSON loading, lookups, and the
 * questions asked of one feature (geog.h).
 *
 * A file is read with the project's document reader (io/doc.h, jansson underneath),
 * checked feature by feature into slots reserved at the end of the store, and only
 * then made visible by moving the count; on any error the new slots are freed and the
 * id hash is rebuilt from the features that were there before, so a bad file changes
 * nothing. Each area goes to GEOS once, to be checked (GEOSisValidDetail: the even-odd
 * grid and GEOS agree only on valid polygons) and prepared, and to geog_grid.c for the
 * grid the queries use. Circles never touch GEOS: they are a centre in ECEF and a
 * squared radius.
 */
#define GEOS_USE_ONLY_R_API
#include "dronewall/geog.h"

#include <geos_c.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/geog_int.h"
#include "dronewall/doc.h"
#include "dronewall/geo.h"
#include "dronewall/log.h"

#define DEG (M_PI / 180.0)
#define MAX_RADIUS_M 1e6        /* a circle zone of 1,000 km is a mistake, not a zone */
#define MAX_EDGES 0x7fffffffu   /* the grid numbers edges in 32 bits                 */

/* A property kept as loaded: a string (str) or else a number. */
typedef struct gprop {
    char *key;
    char *str;
    double num;
} gprop;

typedef struct feat {
    dw_geog_feature pub;
    char *id, *name, *country;  /* owned; pub's pointers point here (kind: the store's) */
    GEOSGeometry *geom;         /* AREA */
    const GEOSPreparedGeometry *prep;
    dw__geog_grid grid;
    double c_ecef[3], r2;       /* CIRCLE: centre at height 0, radius squared */
    gprop *props;
    size_t n_props;
} feat;

struct dw_geog {
    GEOSContextHandle_t geos;
    char geos_msg[200];         /* GEOS's last error message */
    feat **f;
    size_t n, cap;
    char *kinds[DW_GEOG_MAX_KINDS];
    int n_kinds;
    char **sources;             /* the names features point to, one per file */
    size_t n_sources;
    uint32_t *slot;             /* id hash: 0 empty, else index + 1 */
    size_t mask;
};

/* ---- small helpers ---------------------------------------------------------------- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static const char *type_word(const json_t *v)
{
    if (!v)
        return "nothing";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}


/* Metres per degree of longitude and of latitude at lat_deg (WGS-84 radii of
 * curvature). */
static void metres_per_deg(double lat_deg, double *kx, double *ky)
{
    double e2 = DW_WGS84_F * (2 - DW_WGS84_F), s = sin(lat_deg * DEG);
    double w = 1 - e2 * s * s;
    double n = DW_WGS84_A / sqrt(w), m = DW_WGS84_A * (1 - e2) / (w * sqrt(w));
    *kx = fmax(n * cos(lat_deg * DEG) * DEG, 1e-3);
    *ky = m * DEG;
}

static void ecef_at(double lat_deg, double lon_deg, double out[3])
{
    dw_geodetic p = {lat_deg, lon_deg, 0};
    dw_geo_to_ecef(&p, out);
}

static int good_point(double lat_deg, double lon_deg)
{
    return lat_deg >= -90 && lat_deg <= 90 && lon_deg >= -180 && lon_deg <= 180;
}

/* ---- the store -------------------------------------------------------------------- */

static void geos_error(const char *msg, void *ctx)
{
    dw_geog *g = ctx;
    snprintf(g->geos_msg, sizeof g->geos_msg, "%s", msg);
}

static void geos_notice(const char *msg, void *ctx)
{
    (void)msg;
    (void)ctx;
}

dw_status dw_geog_create(dw_geog **out)
{
    if (!out)
        return DW_ERR_INVALID;
    dw_geog *g = calloc(1, sizeof *g);
    if (!g)
        return DW_ERR_NOMEM;
    g->geos = GEOS_init_r();
    if (!g->geos) {
        free(g);
        return DW_ERR_NOMEM;
    }
    GEOSContext_setErrorMessageHandler_r(g->geos, geos_error, g);
    GEOSContext_setNoticeMessageHandler_r(g->geos, geos_notice, g);
    *out = g;
    return DW_OK;
}

static void feat_free(dw_geog *g, feat *f)
{
    if (!f)
        return;
    if (f->prep)
        GEOSPreparedGeom_destroy_r(g->geos, f->prep);
    if (f->geom)
        GEOSGeom_destroy_r(g->geos, f->geom);
    dw__geog_grid_free(&f->grid);
    for (size_t i = 0; i < f->n_props; i++) {
        free(f->props[i].key);
        free(f->props[i].str);
    }
    free(f->props);
    free(f->id);
    free(f->name);
    free(f->country);
    free(f);
}

void dw_geog_destroy(dw_geog *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        feat_free(g, g->f[i]);
    free(g->f);
    for (int k = 0; k < g->n_kinds; k++)
        free(g->kinds[k]);
    for (size_t i = 0; i < g->n_sources; i++)
        free(g->sources[i]);
    free(g->sources);
    free(g->slot);
    GEOS_finish_r(g->geos);
    free(g);
}

/* The slot of id, or of the empty place where it would go. */
static size_t hash_slot(const dw_geog *g, feat *const *f, const char *id)
{
    size_t k = (size_t)fnv1a(id) & g->mask;
    while (g->slot[k] && strcmp(f[g->slot[k] - 1]->id, id) != 0)
        k = (k + 1) & g->mask;
    return k;
}

/* A hash for n_room features, holding the ids of f[0 .. n-1]. */
static dw_status hash_rebuild(dw_geog *g, size_t n, size_t n_room)
{
    size_t cap = 16;
    while (cap < 2 * n_room)
        cap *= 2;
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return DW_ERR_NOMEM;
    free(g->slot);
    g->slot = slot;
    g->mask = cap - 1;
    for (size_t i = 0; i < n; i++)
        g->slot[hash_slot(g, g->f, g->f[i]->id)] = (uint32_t)(i + 1);
    return DW_OK;
}

/* ---- loading ---------------------------------------------------------------------- */

typedef struct lctx {
    dw_geog *g;
    const dw_doc *d;
    char *err;
    size_t errlen;
    size_t index;               /* the feature being read                */
    char label[112];            /* feature 12 ("PL-LU")                  */
    int n_kinds0;               /* kinds before this file                */
    dw_status st;               /* the status an error returns           */
} lctx;

static int fail(lctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(lctx *c, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dw_doc_errf(c->d, 0, c->err, c->errlen, "%s: %s", c->label, msg);
    return -1;
}

static char *dup_str(lctx *c, const char *s)
{
    char *p = strdup(s);
    if (!p) {
        c->st = DW_ERR_NOMEM;
        fail(c, "out of memory");
    }
    return p;
}

/* A string property: NULL and 0 when absent; -1 after an error. */
static int get_string(lctx *c, const json_t *props, const char *key, size_t max_len,
                      const char **out)
{
    const json_t *v = props ? json_object_get(props, key) : NULL;
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return fail(c, "\"%s\" must be a string, not %s", key, type_word(v));
    size_t n = json_string_length(v);
    if (n == 0 || n > max_len || strlen(json_string_value(v)) != n)
        return fail(c, "\"%s\" must be a string of 1 to %zu bytes", key, max_len);
    *out = json_string_value(v);
    return 0;
}

/* A number property in [lo, hi] (lo excluded when lo_open): 1 and *out when given,
 * 0 when absent, -1 after an error. */
static int get_number(lctx *c, const json_t *props, const char *key, double lo, int lo_open,
                      double hi, double *out)
{
    const json_t *v = props ? json_object_get(props, key) : NULL;
    char sb[40];
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_number(v)) {
        if (json_is_string(v))
            return fail(c, "\"%s\" must be a number, not \"%s\"", key,
                        dw_doc_snip(json_string_value(v), sb, sizeof sb));
        return fail(c, "\"%s\" must be a number, not %s", key, type_word(v));
    }
    double x = json_number_value(v);
    if (!(lo_open ? x > lo : x >= lo) || !(x <= hi))
        return fail(c, "\"%s\" out of range: %g (expected %s%g to %g)", key, x,
                    lo_open ? "above " : "", lo, hi);
    *out = x;
    return 1;
}

/* Where a position sits, for messages: "ring 2, position 7" or "polygon 1, ring 0, ...". */
typedef struct where {
    long poly, ring, pos;       /* -1: not part of the path */
} where;

static const char *where_str(const where *w, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    if (w->poly >= 0)
        used += (size_t)snprintf(buf + used, n - used, "polygon %ld, ", w->poly);
    if (w->ring >= 0 && used < n)
        used += (size_t)snprintf(buf + used, n - used, "ring %ld, ", w->ring);
    if (w->pos >= 0 && used < n)
        used += (size_t)snprintf(buf + used, n - used, "position %ld, ", w->pos);
    if (used >= 2 && used < n)
        buf[used - 2] = '\0';
    return buf;
}

static int read_position(lctx *c, const json_t *p, const where *w, double *lon, double *lat)
{
    char wb[96];
    if (!json_is_array(p))
        return fail(c, "%s: a position must be a list [lon, lat], not %s", where_str(w, wb, sizeof wb),
                    type_word(p));
    size_t n = json_array_size(p);
    if (n < 2 || n > 3)
        return fail(c, "%s: a position has 2 or 3 numbers ([lon, lat] or [lon, lat, height]), not %zu",
                    where_str(w, wb, sizeof wb), n);
    for (size_t k = 0; k < n; k++)
        if (!json_is_number(json_array_get(p, k)))
            return fail(c, "%s: coordinates must be numbers, not %s", where_str(w, wb, sizeof wb),
                        type_word(json_array_get(p, k)));
    double x = json_number_value(json_array_get(p, 0)), y = json_number_value(json_array_get(p, 1));
    if (!(x >= -180 && x <= 180))
        return fail(c, "%s: longitude %g out of range (-180 to 180)", where_str(w, wb, sizeof wb), x);
    if (!(y >= -90 && y <= 90))
        return fail(c, "%s: latitude %g out of range (-90 to 90)", where_str(w, wb, sizeof wb), y);
    *lon = x;
    *lat = y;
    return 0;
}

/* The area being built: GEOS polygons, and the edges for the grid. */
typedef struct abuild {
    GEOSGeometry **polys;
    size_t n_polys, cap_polys;
    double *edges;
    size_t n_edges, cap_edges;
    size_t n_rings, n_vertices;
} abuild;

static int push_edge(lctx *c, abuild *a, double x0, double y0, double x1, double y1)
{
    if (x0 == x1 && y0 == y1)
        return 0;               /* a repeated position: no edge */
    if (a->n_edges == a->cap_edges) {
        if (a->n_edges >= MAX_EDGES) {
            c->st = DW_ERR_RANGE;
            return fail(c, "more than %u edges", MAX_EDGES);
        }
        size_t cap = a->cap_edges ? 2 * a->cap_edges : 256;
        double *e = realloc(a->edges, cap * 4 * sizeof *e);
        if (!e) {
            c->st = DW_ERR_NOMEM;
            return fail(c, "out of memory");
        }
        a->edges = e;
        a->cap_edges = cap;
    }
    double *e = a->edges + 4 * a->n_edges++;
    e[0] = x0;
    e[1] = y0;
    e[2] = x1;
    e[3] = y1;
    return 0;
}

/* One ring into a GEOS linear ring (*out) and the edge list. */
static int read_ring(lctx *c, abuild *a, const json_t *ring, where w, GEOSGeometry **out)
{
    char wb[96];
    if (!json_is_array(ring))
        return fail(c, "%s: a ring must be a list of positions, not %s", where_str(&w, wb, sizeof wb),
                    type_word(ring));
    size_t n = json_array_size(ring);
    if (n < 4)
        return fail(c, "%s has %zu position%s; a ring needs at least 4 (the last one repeating the first)",
                    where_str(&w, wb, sizeof wb), n, n == 1 ? "" : "s");
    if (n > UINT32_MAX)
        return fail(c, "%s has too many positions", where_str(&w, wb, sizeof wb));
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(c->g->geos, (unsigned)n, 2);
    if (!seq) {
        c->st = DW_ERR_NOMEM;
        return fail(c, "GEOS: %s", c->g->geos_msg);
    }
    double x0 = 0, y0 = 0, px = 0, py = 0;
    for (size_t k = 0; k < n; k++) {
        double x, y;
        where wp = w;
        wp.pos = (long)k;
        if (read_position(c, json_array_get(ring, k), &wp, &x, &y) < 0)
            goto bad;
        if (k == 0) {
            x0 = x;
            y0 = y;
        } else if (push_edge(c, a, px, py, x, y) < 0) {
            goto bad;
        }
        GEOSCoordSeq_setXY_r(c->g->geos, seq, (unsigned)k, x, y);
        px = x;
        py = y;
    }
    if (px != x0 || py != y0) {
        fail(c, "%s is not closed: its last position (%.7g, %.7g) differs from its first (%.7g, %.7g)",
             where_str(&w, wb, sizeof wb), px, py, x0, y0);
        goto bad;
    }
    *out = GEOSGeom_createLinearRing_r(c->g->geos, seq);
    if (!*out) {
        c->st = DW_ERR_NOMEM;
        return fail(c, "%s: GEOS: %s", where_str(&w, wb, sizeof wb), c->g->geos_msg);
    }
    a->n_rings++;
    a->n_vertices += n;
    return 0;
bad:
    GEOSCoordSeq_destroy_r(c->g->geos, seq);
    return -1;
}

/* One polygon's rings into a GEOS polygon appended to a->polys. */
static int read_polygon(lctx *c, abuild *a, const json_t *rings, long poly)
{
    char wb[96];
    where w = {poly, -1, -1};
    if (!json_is_array(rings))
        return fail(c, "%s%s must be a list of rings, not %s", poly >= 0 ? where_str(&w, wb, sizeof wb) : "",
                    poly >= 0 ? "" : "\"coordinates\"", type_word(rings));
    size_t n = json_array_size(rings);
    if (n == 0)
        return fail(c, "%s%s has no rings", poly >= 0 ? where_str(&w, wb, sizeof wb) : "",
                    poly >= 0 ? "" : "the polygon");
    GEOSGeometry **r = calloc(n, sizeof *r);
    if (!r) {
        c->st = DW_ERR_NOMEM;
        return fail(c, "out of memory");
    }
    size_t k = 0;
    for (; k < n; k++) {
        where wr = {poly, (long)k, -1};
        if (read_ring(c, a, json_array_get(rings, k), wr, &r[k]) < 0)
            break;
    }
    GEOSGeometry *p = NULL;
    if (k == n) {
        p = GEOSGeom_createPolygon_r(c->g->geos, r[0], r + 1, (unsigned)(n - 1));
        if (!p) {
            c->st = DW_ERR_NOMEM;
            fail(c, "GEOS: %s", c->g->geos_msg);
        }
    }
    if (!p) {
        for (size_t j = 0; j < k; j++)
            GEOSGeom_destroy_r(c->g->geos, r[j]);
        free(r);
        return -1;
    }
    free(r);
    if (a->n_polys == a->cap_polys) {
        size_t cap = a->cap_polys ? 2 * a->cap_polys : 4;
        GEOSGeometry **np = realloc(a->polys, cap * sizeof *np);
        if (!np) {
            GEOSGeom_destroy_r(c->g->geos, p);
            c->st = DW_ERR_NOMEM;
            return fail(c, "out of memory");
        }
        a->polys = np;
        a->cap_polys = cap;
    }
    a->polys[a->n_polys++] = p;
    return 0;
}

static int read_area(lctx *c, feat *f, const json_t *coords, int multi)
{
    abuild a = {0};
    int rc = 0;
    if (multi) {
        if (!json_is_array(coords)) {
            rc = fail(c, "\"coordinates\" of a MultiPolygon must be a list of polygons, not %s",
                      type_word(coords));
        } else if (json_array_size(coords) == 0) {
            rc = fail(c, "the MultiPolygon has no polygons");
        } else {
            for (size_t k = 0; k < json_array_size(coords) && rc == 0; k++)
                rc = read_polygon(c, &a, json_array_get(coords, k), (long)k);
        }
    } else {
        rc = read_polygon(c, &a, coords, -1);
    }
    GEOSGeometry *geom = NULL;
    if (rc == 0) {
        if (multi) {
            geom = GEOSGeom_createCollection_r(c->g->geos, GEOS_MULTIPOLYGON, a.polys,
                                               (unsigned)a.n_polys);
        } else {
            geom = a.polys[0];
        }
        if (!geom) {
            c->st = DW_ERR_NOMEM;
            rc = fail(c, "GEOS: %s", c->g->geos_msg);
        } else {
            a.n_polys = multi ? a.n_polys : 1;
        }
    }
    if (rc < 0) {
        for (size_t k = 0; k < a.n_polys; k++)
            GEOSGeom_destroy_r(c->g->geos, a.polys[k]);
        free(a.polys);
        free(a.edges);
        return -1;
    }
    size_t n_polys = a.n_polys;
    free(a.polys);
    f->geom = geom;

    char *reason = NULL;
    GEOSGeometry *loc = NULL;
    char v = GEOSisValidDetail_r(c->g->geos, geom, 0, &reason, &loc);
    if (v != 1) {
        double x = NAN, y = NAN;
        if (loc) {
            GEOSGeomGetX_r(c->g->geos, loc, &x);
            GEOSGeomGetY_r(c->g->geos, loc, &y);
        }
        if (v == 0)
            fail(c, "not a valid %s: %s near (%.7g, %.7g)", multi ? "MultiPolygon" : "Polygon",
                 reason ? reason : "?", x, y);
        else
            fail(c, "GEOS could not check the geometry: %s", c->g->geos_msg);
        if (reason)
            GEOSFree_r(c->g->geos, reason);
        if (loc)
            GEOSGeom_destroy_r(c->g->geos, loc);
        free(a.edges);
        return -1;
    }
    if (reason)
        GEOSFree_r(c->g->geos, reason);
    if (loc)
        GEOSGeom_destroy_r(c->g->geos, loc);
    f->prep = GEOSPrepare_r(c->g->geos, geom);
    if (!f->prep || a.n_edges == 0) {
        free(a.edges);
        c->st = DW_ERR_NOMEM;
        return fail(c, "GEOS: %s", f->prep ? "no edges" : c->g->geos_msg);
    }
    if (dw__geog_grid_build(&f->grid, a.edges, a.n_edges) != DW_OK) {
        c->st = DW_ERR_NOMEM;
        return fail(c, "out of memory");
    }
    dw_geog_feature *p = &f->pub;
    p->shape = DW_GEOG_AREA;
    p->n_polygons = n_polys;
    p->n_rings = a.n_rings;
    p->n_vertices = a.n_vertices;
    p->min_lon_deg = f->grid.bx0;
    p->max_lon_deg = f->grid.bx1;
    p->min_lat_deg = f->grid.by0;
    p->max_lat_deg = f->grid.by1;
    p->lon_deg = 0.5 * (f->grid.bx0 + f->grid.bx1);
    p->lat_deg = 0.5 * (f->grid.by0 + f->grid.by1);
    return 0;
}

static int read_circle(lctx *c, feat *f, const json_t *coords, double radius_m)
{
    double lon, lat;
    where w = {-1, -1, -1};
    if (read_position(c, coords, &w, &lon, &lat) < 0)
        return -1;
    dw_geog_feature *p = &f->pub;
    p->shape = DW_GEOG_CIRCLE;
    p->radius_m = radius_m;
    p->lat_deg = lat;
    p->lon_deg = lon;
    ecef_at(lat, lon, f->c_ecef);
    f->r2 = radius_m * radius_m;
    /* A box that holds the circle: its half-sizes in degrees, 1 % and 1e-9 deg to spare. */
    double kx, ky;
    metres_per_deg(lat, &kx, &ky);
    double dlat = radius_m / ky * 1.01 + 1e-9;
    p->min_lat_deg = fmax(lat - dlat, -90);
    p->max_lat_deg = fmin(lat + dlat, 90);
    double far = fmax(fabs(p->min_lat_deg), fabs(p->max_lat_deg));
    double kx_far = far >= 90 ? 0 : (kx / cos(lat * DEG)) * cos(far * DEG);
    double dlon = kx_far > 0 ? radius_m / kx_far * 1.01 + 1e-9 : 360;
    if (dlon >= 180) {
        p->min_lon_deg = -180;
        p->max_lon_deg = 180;
    } else {
        p->min_lon_deg = fmax(lon - dlon, -180);
        p->max_lon_deg = fmin(lon + dlon, 180);
    }
    return 0;
}

/* The index of kind (interned into the store), or -1 after an error. */
static int intern_kind(lctx *c, const char *kind)
{
    dw_geog *g = c->g;
    for (int k = 0; k < g->n_kinds; k++)
        if (strcmp(g->kinds[k], kind) == 0)
            return k;
    char sb[40];
    if (g->n_kinds == DW_GEOG_MAX_KINDS) {
        c->st = DW_ERR_FULL;
        return fail(c, "kind \"%s\" is one too many: a store holds at most %d kinds",
                    dw_doc_snip(kind, sb, sizeof sb), DW_GEOG_MAX_KINDS);
    }
    char *s = dup_str(c, kind);
    if (!s)
        return -1;
    g->kinds[g->n_kinds] = s;
    return g->n_kinds++;
}

/* The properties other than those dw_geog_feature holds: strings and numbers. */
static int keep_props(lctx *c, feat *f, const json_t *props)
{
    static const char *const own[] = {"id", "name", "kind", "country", "population", "radius_m"};
    if (!props)
        return 0;
    size_t n = json_object_size(props);
    if (n == 0)
        return 0;
    f->props = calloc(n, sizeof *f->props);
    if (!f->props) {
        c->st = DW_ERR_NOMEM;
        return fail(c, "out of memory");
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)props, key, v) {
        int skip = !(json_is_string(v) || json_is_number(v));
        for (size_t k = 0; k < sizeof own / sizeof own[0] && !skip; k++)
            skip = strcmp(key, own[k]) == 0;
        if (skip)
            continue;
        gprop *p = &f->props[f->n_props];
        if (!(p->key = dup_str(c, key)))
            return -1;
        f->n_props++;
        if (json_is_string(v)) {
            if (!(p->str = dup_str(c, json_string_value(v))))
                return -1;
        } else {
            p->num = json_number_value(v);
        }
    }
    return 0;
}

static const char *const GEOMETRY_TYPES = "Polygon, MultiPolygon, or Point with \"radius_m\"";

/* Feature i of the file into a new feat (*out), or -1 with the message written. */
static int read_feature(lctx *c, const json_t *jf, const char *source, feat **out)
{
    char sb[72];
    snprintf(c->label, sizeof c->label, "feature %zu", c->index);
    if (!json_is_object(jf))
        return fail(c, "a feature must be an object, not %s", type_word(jf));
    const json_t *type = json_object_get(jf, "type");
    if (!json_is_string(type) || strcmp(json_string_value(type), "Feature") != 0)
        return fail(c, "\"type\" must be \"Feature\", not %s%s%s", json_is_string(type) ? "\"" : "",
                    json_is_string(type) ? dw_doc_snip(json_string_value(type), sb, sizeof sb) : type_word(type),
                    json_is_string(type) ? "\"" : "");
    const json_t *props = json_object_get(jf, "properties");
    if (props && !json_is_object(props) && !json_is_null(props))
        return fail(c, "\"properties\" must be an object, not %s", type_word(props));
    if (json_is_null(props))
        props = NULL;

    /* The id first: every later message names it. */
    char idbuf[32];
    const json_t *jid = props ? json_object_get(props, "id") : NULL;
    if (!jid || json_is_null(jid))
        jid = json_object_get(jf, "id");
    const char *id = NULL;
    if (json_is_integer(jid)) {
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)json_integer_value(jid));
        id = idbuf;
    } else if (json_is_string(jid)) {
        id = json_string_value(jid);
        size_t n = json_string_length(jid);
        if (n == 0 || n >= DW_GEOG_ID_MAX || strlen(id) != n)
            return fail(c, "\"id\" must be a string of 1 to %d bytes", DW_GEOG_ID_MAX - 1);
    } else if (jid && !json_is_null(jid)) {
        return fail(c, "\"id\" must be a string, not %s", type_word(jid));
    } else {
        return fail(c, "missing \"id\" (in \"properties\" or on the feature)");
    }
    snprintf(c->label, sizeof c->label, "feature %zu (\"%s\")", c->index, dw_doc_snip(id, sb, 48));
    size_t slot = hash_slot(c->g, c->g->f, id);
    if (c->g->slot[slot]) {
        const feat *first = c->g->f[c->g->slot[slot] - 1];
        if (first->pub.source == source)
            return fail(c, "duplicate id (first: feature %zu)", first->pub.file_index);
        return fail(c, "duplicate id (first: feature %zu of %s)", first->pub.file_index,
                    first->pub.source);
    }

    const char *kind, *name, *country;
    if (get_string(c, props, "kind", DW_GEOG_ID_MAX - 1, &kind) < 0 ||
        get_string(c, props, "name", 255, &name) < 0 ||
        get_string(c, props, "country", 15, &country) < 0)
        return -1;
    if (!kind)
        return fail(c, "missing \"kind\" (country, region, airport, power_plant, base, city, ...)");
    double population = NAN, radius_m = 0;
    int has_radius;
    if (get_number(c, props, "population", 0, 0, 1e11, &population) < 0 ||
        (has_radius = get_number(c, props, "radius_m", 0, 1, MAX_RADIUS_M, &radius_m)) < 0)
        return -1;

    const json_t *geom = json_object_get(jf, "geometry");
    if (!geom || json_is_null(geom))
        return fail(c, "no geometry");
    if (!json_is_object(geom))
        return fail(c, "\"geometry\" must be an object, not %s", type_word(geom));
    const json_t *gt = json_object_get(geom, "type");
    if (!json_is_string(gt))
        return fail(c, "the geometry's \"type\" must be a string, not %s", type_word(gt));
    const char *gts = json_string_value(gt);
    const json_t *coords = json_object_get(geom, "coordinates");
    int multi = strcmp(gts, "MultiPolygon") == 0;
    int point = strcmp(gts, "Point") == 0;
    if (!multi && !point && strcmp(gts, "Polygon") != 0) {
        static const char *const other[] = {"LineString", "MultiLineString", "MultiPoint",
                                            "GeometryCollection"};
        for (size_t k = 0; k < sizeof other / sizeof other[0]; k++)
            if (strcmp(gts, other[k]) == 0)
                return fail(c, "unsupported geometry type \"%s\" (expected %s)", gts, GEOMETRY_TYPES);
        return fail(c, "unknown geometry type \"%s\" (expected %s)", dw_doc_snip(gts, sb, sizeof sb),
                    GEOMETRY_TYPES);
    }
    if (!coords)
        return fail(c, "the geometry has no \"coordinates\"");
    if (point && !has_radius)
        return fail(c, "a Point needs \"radius_m\" (the radius of its circle zone, in metres)");
    if (!point && has_radius)
        return fail(c, "\"radius_m\" is for a Point's circle zone, not a %s", gts);

    feat *f = calloc(1, sizeof *f);
    if (!f) {
        c->st = DW_ERR_NOMEM;
        return fail(c, "out of memory");
    }
    int k = intern_kind(c, kind);
    int rc = k < 0 ? -1 : point ? read_circle(c, f, coords, radius_m) : read_area(c, f, coords, multi);
    if (rc == 0 && (!(f->id = dup_str(c, id)) || !(f->name = dup_str(c, name ? name : id)) ||
                    !(f->country = dup_str(c, country ? country : "")) || keep_props(c, f, props) < 0))
        rc = -1;
    if (rc < 0) {
        feat_free(c->g, f);
        return -1;
    }
    dw_geog_feature *p = &f->pub;
    p->id = f->id;
    p->name = f->name;
    p->kind = c->g->kinds[k];
    p->kind_index = k;
    p->country = f->country;
    p->source = source;
    p->file_index = c->index;
    p->population = population;
    *out = f;
    return 0;
}

/* The features of a document already read; takes d over (destroys it). */
static dw_status load_doc(dw_geog *g, dw_doc *d, char *err, size_t errlen)
{
    const char *name = dw_doc_name(d);
    dw_status st;
    const json_t *root = dw_doc_root(d);
    const json_t *type = json_is_object(root) ? json_object_get(root, "type") : NULL;
    const json_t *list = json_is_object(root) ? json_object_get(root, "features") : NULL;
    char sb[48];
    if (!json_is_object(root)) {
        dw_doc_errf(d, 0, err, errlen, "not a GeoJSON FeatureCollection: the document is %s",
                    type_word(root));
        dw_doc_destroy(d);
        return DW_ERR_PARSE;
    }
    if (!json_is_string(type) || strcmp(json_string_value(type), "FeatureCollection") != 0) {
        dw_doc_errf(d, 0, err, errlen, "not a FeatureCollection: \"type\" is %s%s%s",
                    json_is_string(type) ? "\"" : "",
                    json_is_string(type) ? dw_doc_snip(json_string_value(type), sb, sizeof sb)
                                         : type_word(type),
                    json_is_string(type) ? "\"" : "");
        dw_doc_destroy(d);
        return DW_ERR_PARSE;
    }
    if (!json_is_array(list)) {
        dw_doc_errf(d, 0, err, errlen, "\"features\" must be a list, not %s", type_word(list));
        dw_doc_destroy(d);
        return DW_ERR_PARSE;
    }

    size_t n_new = json_array_size(list), n0 = g->n;
    lctx c = {g, d, err, errlen, 0, "", g->n_kinds, DW_ERR_PARSE};
    size_t made = 0, areas = 0, vertices = 0;
    char *source = strdup(name);
    char **sources = realloc(g->sources, (g->n_sources + 1) * sizeof *sources);
    if (sources)
        g->sources = sources;
    st = DW_ERR_NOMEM;
    if (!source || !sources || n_new > UINT32_MAX - n0) {
        snprintf(err, errlen, "%s: out of memory", name);
        goto fail;
    }
    if (n0 + n_new > g->cap) {
        feat **nf = realloc(g->f, (n0 + n_new) * sizeof *nf);
        if (!nf) {
            snprintf(err, errlen, "%s: out of memory", name);
            goto fail;
        }
        g->f = nf;
        g->cap = n0 + n_new;
    }
    if (hash_rebuild(g, n0, n0 + n_new) != DW_OK) {
        snprintf(err, errlen, "%s: out of memory", name);
        goto fail;
    }
    for (; made < n_new; made++) {
        c.index = made;
        feat *f = NULL;
        if (read_feature(&c, json_array_get(list, made), source, &f) < 0) {
            st = c.st;
            goto fail;
        }
        g->f[n0 + made] = f;
        g->slot[hash_slot(g, g->f, f->id)] = (uint32_t)(n0 + made + 1);
        areas += f->pub.shape == DW_GEOG_AREA;
        vertices += f->pub.n_vertices;
    }
    g->n = n0 + n_new;
    g->sources[g->n_sources++] = source;
    DW_LOG(DW_LOG_ASSESS, DW_LOG_INFO, "%s: %zu features (%zu areas, %zu vertices; %zu circles)",
           name, n_new, areas, vertices, n_new - areas);
    dw_doc_destroy(d);
    return DW_OK;

fail:
    for (size_t k = n0; k < n0 + made && k < g->cap; k++)
        feat_free(g, g->f[k]);
    while (g->n_kinds > c.n_kinds0)
        free(g->kinds[--g->n_kinds]);
    free(source);
    /* The old hash had room already; a failure here leaves the store without one, so
     * that lookups say "not found" until the next load builds it again. */
    if (hash_rebuild(g, n0, n0) != DW_OK) {
        free(g->slot);
        g->slot = NULL;
        g->mask = 0;
    }
    dw_doc_destroy(d);
    return st;
}

dw_status dw_geog_load_mem(dw_geog *g, const char *buf, size_t len, const char *name,
                           char *err, size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!name)
        name = "-";
    if (!g || (!buf && len)) {
        snprintf(err, errlen, "%s: no store or no input", name);
        return DW_ERR_INVALID;
    }
    dw_doc *d = NULL;
    dw_status st = dw_doc_load_mem(buf, len, name, &d, err, errlen);
    return st == DW_OK ? load_doc(g, d, err, errlen) : st;
}

dw_status dw_geog_load(dw_geog *g, const char *path, char *err, size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!g || !path) {
        snprintf(err, errlen, "no store or no file given");
        return DW_ERR_INVALID;
    }
    dw_doc *d = NULL;
    dw_status st = dw_doc_load(path, &d, err, errlen);
    return st == DW_OK ? load_doc(g, d, err, errlen) : st;
}

/* ---- lookups ---------------------------------------------------------------------- */

size_t dw_geog_count(const dw_geog *g) { return g ? g->n : 0; }

const dw_geog_feature *dw_geog_get(const dw_geog *g, size_t i)
{
    return g && i < g->n ? &g->f[i]->pub : NULL;
}

int dw_geog_find(const dw_geog *g, const char *id)
{
    if (!g || !id || !g->slot)
        return -1;
    uint32_t v = g->slot[hash_slot(g, g->f, id)];
    return v && v - 1 < g->n ? (int)(v - 1) : -1;
}

uint32_t dw_geog_kinds(const dw_geog *g, const char *list)
{
    uint32_t mask = 0;
    if (!g || !list)
        return 0;
    while (*list) {
        const char *end = strchr(list, ',');
        size_t n = end ? (size_t)(end - list) : strlen(list);
        while (n && *list == ' ') {
            list++;
            n--;
        }
        while (n && list[n - 1] == ' ')
            n--;
        for (int k = 0; k < g->n_kinds; k++)
            if (strlen(g->kinds[k]) == n && strncmp(g->kinds[k], list, n) == 0)
                mask |= 1u << k;
        if (!end)
            break;
        list = end + 1;
    }
    return mask;
}

static const gprop *find_prop(const dw_geog *g, size_t i, const char *key)
{
    if (!g || i >= g->n || !key)
        return NULL;
    const feat *f = g->f[i];
    for (size_t k = 0; k < f->n_props; k++)
        if (strcmp(f->props[k].key, key) == 0)
            return &f->props[k];
    return NULL;
}

const char *dw_geog_prop_str(const dw_geog *g, size_t i, const char *key)
{
    const gprop *p = find_prop(g, i, key);
    return p ? p->str : NULL;
}

int dw_geog_prop_num(const dw_geog *g, size_t i, const char *key, double *out)
{
    const gprop *p = find_prop(g, i, key);
    if (!p || p->str || !out)
        return 0;
    *out = p->num;
    return 1;
}

/* ---- questions -------------------------------------------------------------------- */

static int circle_contains(const feat *f, double lat_deg, double lon_deg)
{
    const dw_geog_feature *p = &f->pub;
    if (!(lat_deg >= p->min_lat_deg && lat_deg <= p->max_lat_deg && lon_deg >= p->min_lon_deg &&
          lon_deg <= p->max_lon_deg))
        return 0;
    double e[3];
    ecef_at(lat_deg, lon_deg, e);
    double dx = e[0] - f->c_ecef[0], dy = e[1] - f->c_ecef[1], dz = e[2] - f->c_ecef[2];
    return dx * dx + dy * dy + dz * dz <= f->r2;
}

static inline int feat_contains(const feat *f, double lat_deg, double lon_deg)
{
    if (f->pub.shape == DW_GEOG_AREA)
        return dw__geog_grid_contains(&f->grid, lon_deg, lat_deg);
    return circle_contains(f, lat_deg, lon_deg);
}

int dw_geog_contains(const dw_geog *g, size_t i, double lat_deg, double lon_deg)
{
    if (!g || i >= g->n)
        return 0;
    return feat_contains(g->f[i], lat_deg, lon_deg);
}

size_t dw_geog_which(const dw_geog *g, uint32_t kinds, double lat_deg, double lon_deg,
                     size_t *out, size_t max)
{
    size_t n = 0;
    if (!g)
        return 0;
    for (size_t i = 0; i < g->n; i++) {
        const feat *f = g->f[i];
        if (!((kinds >> f->pub.kind_index) & 1u))
            continue;
        if (!(lat_deg >= f->pub.min_lat_deg && lat_deg <= f->pub.max_lat_deg &&
              lon_deg >= f->pub.min_lon_deg && lon_deg <= f->pub.max_lon_deg))
            continue;
        if (feat_contains(f, lat_deg, lon_deg)) {
            if (n < max && out)
                out[n] = i;
            n++;
        }
    }
    return n;
}

dw_status dw_geog_first_crossing(const dw_geog *g, size_t i, double lat1_deg,
                                 double lon1_deg, double lat2_deg, double lon2_deg,
                                 int *crosses, dw_geog_crossing *out)
{
    if (!g || i >= g->n || !crosses || !out || !good_point(lat1_deg, lon1_deg) ||
        !good_point(lat2_deg, lon2_deg))
        return DW_ERR_INVALID;
    const feat *f = g->f[i];
    int entering = !feat_contains(f, lat1_deg, lon1_deg);
    if (f->pub.shape == DW_GEOG_AREA) {
        double t;
        if (!dw__geog_grid_first_hit(&f->grid, lon1_deg, lat1_deg, lon2_deg, lat2_deg, &t)) {
            *crosses = 0;
            return DW_OK;
        }
        out->frac = t;
        out->lat_deg = lat1_deg + t * (lat2_deg - lat1_deg);
        out->lon_deg = lon1_deg + t * (lon2_deg - lon1_deg);
        out->entering = entering;
        *crosses = 1;
        return DW_OK;
    }
    /* |a + t d - c|² = r² on the chord from a to b, in ECEF. */
    double a[3], b[3], q[3], dv[3];
    ecef_at(lat1_deg, lon1_deg, a);
    ecef_at(lat2_deg, lon2_deg, b);
    double dd = 0, qd = 0, qq = 0;
    for (int k = 0; k < 3; k++) {
        q[k] = a[k] - f->c_ecef[k];
        dv[k] = b[k] - a[k];
        dd += dv[k] * dv[k];
        qd += q[k] * dv[k];
        qq += q[k] * q[k];
    }
    double disc = qd * qd - dd * (qq - f->r2);
    double t = NAN;
    if (dd > 0 && disc >= 0) {
        double s = sqrt(disc);
        t = entering ? (-qd - s) / dd : (-qd + s) / dd;
    }
    if (!(t >= 0 && t <= 1)) {
        *crosses = 0;
        return DW_OK;
    }
    double p[3];
    for (int k = 0; k < 3; k++)
        p[k] = a[k] + t * dv[k];
    dw_geodetic gp;
    dw_geo_from_ecef(p, &gp);
    out->frac = t;
    out->lat_deg = gp.lat_deg;
    out->lon_deg = gp.lon_deg;
    out->entering = entering;
    *crosses = 1;
    return DW_OK;
}

dw_status dw_geog_boundary_distance(const dw_geog *g, size_t i, double lat_deg,
                                    double lon_deg, double *dist_m, double *near_lat_deg,
                                    double *near_lon_deg)
{
    if (!g || i >= g->n || !good_point(lat_deg, lon_deg))
        return DW_ERR_INVALID;
    const feat *f = g->f[i];
    double d, nlat, nlon;
    if (f->pub.shape == DW_GEOG_AREA) {
        double kx, ky;
        metres_per_deg(lat_deg, &kx, &ky);
        d = dw__geog_grid_nearest(&f->grid, lon_deg, lat_deg, kx, ky, &nlon, &nlat);
    } else {
        double e[3];
        ecef_at(lat_deg, lon_deg, e);
        double dx = e[0] - f->c_ecef[0], dy = e[1] - f->c_ecef[1], dz = e[2] - f->c_ecef[2];
        d = fabs(sqrt(dx * dx + dy * dy + dz * dz) - f->pub.radius_m);
        dw_geodetic c = {f->pub.lat_deg, f->pub.lon_deg, 0}, p = {lat_deg, lon_deg, 0}, q;
        double s = 0, azi = 0;
        if (dw_geo_inverse(&c, &p, &s, &azi, NULL) != DW_OK || !(s > 0))
            azi = 0;
        if (dw_geo_direct(&c, azi, f->pub.radius_m, &q) != DW_OK)
            return DW_ERR_INVALID;
        nlat = q.lat_deg;
        nlon = q.lon_deg;
    }
    if (dist_m)
        *dist_m = d;
    if (near_lat_deg)
        *near_lat_deg = nlat;
    if (near_lon_deg)
        *near_lon_deg = nlon;
    return DW_OK;
}

dw_status dw_geog_contains_geos(dw_geog *g, size_t i, double lat_deg, double lon_deg,
                                int *inside)
{
    if (!g || i >= g->n || !inside || !isfinite(lat_deg) || !isfinite(lon_deg))
        return DW_ERR_INVALID;
    const feat *f = g->f[i];
    if (f->pub.shape != DW_GEOG_AREA)
        return DW_ERR_UNSUPPORTED;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->geos, lon_deg, lat_deg);
    if (!pt)
        return DW_ERR_NOMEM;
    char r = GEOSPreparedContains_r(g->geos, f->prep, pt);
    GEOSGeom_destroy_r(g->geos, pt);
    if (r == 2)
        return DW_ERR_NOMEM;
    *inside = r == 1;
    return DW_OK;
}

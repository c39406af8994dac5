/* sensors.c — the simulated sensors of a scenario: the table of models, the table of
 * reporting sensors, and each step's view of the world.
 *
 * A scenario's "sensors:" list names models by `kind` (radar, aew, acoustic, rf, eo,
 * citizens, partner, adsb, remote_id; docs/scenarios.md "Sensors"). Each entry is read by
 * its model, which adds one reporting sensor (a radar) or thousands (an acoustic network)
 * to one table: index = dw_obs.sensor_idx, each with the description a sensors file would
 * give it and the wire format its reports travel in. Ids must be unique across the table,
 * and so must ASTERIX names (two radars with one SAC/SIC could not be told apart).
 *
 * At each step the snapshot of the world (the targets that exist at t0) is sorted onto a
 * latitude/longitude grid, once for all sensors, so that each sensor visits only the
 * targets that can be near it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sensor_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DEG (M_PI / 180.0)
#define KEY_SHIFT 28
#define IDX_MASK ((1ull << KEY_SHIFT) - 1)
#define VIEW_CELL_DEG 0.1           /* the step's target grid: ~11 km cells */

static const dw__sim_model *const models[] = {
    &dw__sim_model_radar,    &dw__sim_model_aew,     &dw__sim_model_acoustic,
    &dw__sim_model_rf,       &dw__sim_model_eo,      &dw__sim_model_citizens,
    &dw__sim_model_partner,  &dw__sim_model_adsb,    &dw__sim_model_remote_id,
};

const char *const dw__sim_skip_kind[] = {"kind", NULL};

const char *dw_sim_sensor_model(size_t i)
{
    return i < sizeof models / sizeof models[0] ? models[i]->kind : NULL;
}

struct dw__sim_table {
    dw_sim_sensor_info *v;
    size_t n, cap;
    /* The step's view (valid during dw_sim_sensors_step). */
    const dw_sim_world *w;
    const dw_sim_state *snap;
    size_t n_snap;
    dw__sim_grid grid;
    int grid_ok;
    double vmax_mps;
};

typedef struct instance {
    const dw__sim_model *m;
    void *state;
    size_t first, end;              /* its reporting sensors: [first, end) */
    const json_t *entry;
    size_t entry_idx;
} instance;

struct dw_sim_sensors {
    dw__sim_table table;
    instance *inst;
    size_t n_inst;
};

/* ------------------------------------------------------------------ streams */

const char *dw_sim_stream_name(dw_sim_stream s)
{
    static const char *const names[] = {
#define DW_SIM_STREAM_NAME(e, name, ext) name,
        DW_SIM_STREAMS(DW_SIM_STREAM_NAME)
#undef DW_SIM_STREAM_NAME
    };
    return (unsigned)s < DW_SIM_NSTREAMS ? names[s] : "?";
}

const char *dw_sim_stream_ext(dw_sim_stream s)
{
    static const char *const exts[] = {
#define DW_SIM_STREAM_EXT(e, name, ext) ext,
        DW_SIM_STREAMS(DW_SIM_STREAM_EXT)
#undef DW_SIM_STREAM_EXT
    };
    return (unsigned)s < DW_SIM_NSTREAMS ? exts[s] : "?";
}

/* ------------------------------------------------------------------ the table */

int dw__sim_add_sensor(dw__sim_table *t, const dw_sensor *desc, dw_sim_stream stream)
{
    if (t->n >= IDX_MASK)
        return -1;
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 64;
        dw_sim_sensor_info *v = realloc(t->v, nc * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->cap = nc;
    }
    t->v[t->n].desc = *desc;
    t->v[t->n].stream = stream;
    return (int)t->n++;
}

size_t dw__sim_sensor_count(const dw__sim_table *t)
{
    return t->n;
}

const dw_sim_sensor_info *dw__sim_sensor(const dw__sim_table *t, size_t idx)
{
    return idx < t->n ? &t->v[idx] : NULL;
}

const dw_sim_sensor_info *dw_sim_sensors_table(const dw_sim_sensors *s, size_t *n)
{
    if (!s) {
        if (n)
            *n = 0;
        return NULL;
    }
    if (n)
        *n = s->table.n;
    return s->table.v;
}

void dw__sim_obs(dw_obs *o, dw_obs_kind kind, const dw__sim_table *t, uint32_t idx, int64_t t_us)
{
    dw_obs_init(o, kind);
    o->t_us = t_us;
    o->sensor_idx = idx;
    if (idx < t->n)
        memcpy(o->sensor, t->v[idx].desc.id, sizeof o->sensor);
}

void dw__sim_desc(dw_sensor *s, dw_sensor_kind kind, const char *id, const char *owner,
                  const dw_geodetic *site)
{
    dw_sensor_init(s, kind);
    snprintf(s->id, sizeof s->id, "%s", id);
    snprintf(s->owner, sizeof s->owner, "%s", owner ? owner : "");
    if (site) {
        s->lat_deg = site->lat_deg;
        s->lon_deg = site->lon_deg;
        s->alt_m = site->alt_m;
    }
}

/* ------------------------------------------------------------------ loading */

void dw_sim_sensors_destroy(dw_sim_sensors *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_inst; i++)
        if (s->inst[i].m->destroy)
            s->inst[i].m->destroy(s->inst[i].state);
    free(s->inst);
    free(s->table.v);
    dw__sim_grid_free(&s->table.grid);
    free(s);
}

static const dw__sim_model *find_model(const char *kind)
{
    for (size_t i = 0; i < N(models); i++)
        if (!strcmp(models[i]->kind, kind))
            return models[i];
    return NULL;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const instance *owner_of(const dw_sim_sensors *s, size_t idx)
{
    for (size_t i = 0; i < s->n_inst; i++)
        if (idx >= s->inst[i].first && idx < s->inst[i].end)
            return &s->inst[i];
    return &s->inst[s->n_inst - 1];
}

/* Ids (and ASTERIX names) are how everything downstream tells sensors apart. */
static dw_status check_unique(const dw__cfg *c, const dw_sim_sensors *s, int wire)
{
    const dw__sim_table *t = &s->table;
    if (t->n < 2)
        return DW_OK;
    const char **p = malloc(t->n * sizeof *p);
    if (!p)
        return DW_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        const char *id = wire ? t->v[i].desc.wire_id : t->v[i].desc.id;
        if (id[0])
            p[n++] = id;
    }
    qsort(p, n, sizeof *p, cmp_str_ptr);
    dw_status st = DW_OK;
    for (size_t i = 1; i < n && st == DW_OK; i++) {
        if (strcmp(p[i - 1], p[i]))
            continue;
        size_t off = wire ? offsetof(dw_sim_sensor_info, desc.wire_id)
                          : offsetof(dw_sim_sensor_info, desc.id);
        size_t a = (size_t)((const char *)p[i - 1] - (const char *)t->v - off) / sizeof *t->v;
        size_t b = (size_t)((const char *)p[i] - (const char *)t->v - off) / sizeof *t->v;
        const instance *ia = owner_of(s, a < b ? a : b), *ib = owner_of(s, a < b ? b : a);
        char where[80];
        snprintf(where, sizeof where, "sensors[%zu]", ib->entry_idx);
        st = dw__cfg_fail(c, ib->entry, where, "%s '%s' is also used by sensors[%zu]",
                          wire ? "the ASTERIX name (sac, sic)" : "the sensor id", p[i],
                          ia->entry_idx);
    }
    free(p);
    return st;
}

dw_status dw__sim_sensors_load(const dw__cfg *c, const json_t *list, uint64_t seed,
                               dw_sim_sensors **out)
{
    if (!c || !out)
        return DW_ERR_INVALID;
    if (list && !json_is_array(list))
        return dw__cfg_fail(c, list, "sensors", "expected a list of sensors");
    dw_sim_sensors *s = calloc(1, sizeof *s);
    size_t n = list ? json_array_size(list) : 0;
    if (!s || !(s->inst = calloc(n ? n : 1, sizeof *s->inst))) {
        free(s);
        return DW_ERR_NOMEM;
    }
    dw_status st = DW_OK;
    for (size_t i = 0; i < n && st == DW_OK; i++) {
        const json_t *e = json_array_get(list, i);
        char where[96];
        snprintf(where, sizeof where, "sensors[%zu]", i);
        if (!json_is_object(e)) {
            st = dw__cfg_fail(c, e, where, "expected a mapping of keys");
            break;
        }
        const json_t *jid = json_object_get(e, "id");
        if (!jid)
            jid = json_object_get(e, "id_prefix");
        if (json_is_string(jid))
            snprintf(where, sizeof where, "sensors[%zu] (%.60s)", i, json_string_value(jid));
        const json_t *jk = json_object_get(e, "kind");
        if (!jk) {
            st = dw__cfg_fail(c, e, where, "kind is required");
            break;
        }
        const dw__sim_model *m = json_is_string(jk) ? find_model(json_string_value(jk)) : NULL;
        if (!m) {
            char known[200];
            size_t k = 0;
            for (size_t j = 0; j < N(models); j++)
                k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", j ? ", " : "",
                                      models[j]->kind);
            st = dw__cfg_fail(c, jk, where, "unknown kind '%s' (known: %s)",
                              json_is_string(jk) ? json_string_value(jk) : "?", known);
            break;
        }
        instance *in = &s->inst[s->n_inst];
        in->m = m;
        in->first = s->table.n;
        in->entry = e;
        in->entry_idx = i;
        st = m->load(c, e, where, seed, &s->table, &in->state);
        if (st != DW_OK)
            break;
        in->end = s->table.n;
        s->n_inst++;
    }
    if (st == DW_OK)
        st = check_unique(c, s, 0);
    if (st == DW_OK)
        st = check_unique(c, s, 1);
    if (st != DW_OK) {
        dw_sim_sensors_destroy(s);
        return st;
    }
    *out = s;
    return DW_OK;
}

dw_status dw_sim_sensors_load(const dw_doc *d, const json_t *list, uint64_t seed, int64_t start_us,
                              dw_sim_sensors **out, char *err, size_t errlen)
{
    dw__cfg c = {d, err, errlen, start_us, NULL, 0};
    return dw__sim_sensors_load(&c, list, seed, out);
}

/* ------------------------------------------------------------------ entry helpers */

dw_status dw__sim_site(const dw__cfg *c, const json_t *entry, const char *where,
                       const dw__sim_point *site, double lat_deg, double lon_deg, double alt_m,
                       double def_alt_m, dw_geodetic *out)
{
    int has_site = json_object_get(entry, "site") != NULL;
    int has_lat = json_object_get(entry, "lat_deg") != NULL;
    int has_lon = json_object_get(entry, "lon_deg") != NULL;
    if (has_site && (has_lat || has_lon))
        return dw__cfg_fail(c, entry, where, "give the site as site or as lat_deg/lon_deg, not both");
    if (!has_site && !(has_lat && has_lon))
        return dw__cfg_fail(c, entry, where, "the site is required: site (a position or place) "
                                             "or lat_deg and lon_deg");
    dw_geodetic g = {has_site ? site->lat_deg : lat_deg, has_site ? site->lon_deg : lon_deg,
                     def_alt_m};
    if (json_object_get(entry, "alt_m"))
        g.alt_m = alt_m;
    else if (has_site && site->has_alt)
        g.alt_m = site->alt_m;
    *out = g;
    return DW_OK;
}

dw_status dw__sim_read_box(const dw__cfg *c, const json_t *entry, const char *where,
                           const char *key, dw__sim_box *out)
{
    static const dw__cfg_field f[] = {
        {"south", DW_CF_NUM, offsetof(dw__sim_box, south), 0, -90, 90, 1},
        {"west", DW_CF_NUM, offsetof(dw__sim_box, west), 0, -180, 180, 1},
        {"north", DW_CF_NUM, offsetof(dw__sim_box, north), 0, -90, 90, 1},
        {"east", DW_CF_NUM, offsetof(dw__sim_box, east), 0, -180, 180, 1},
    };
    const json_t *v = json_object_get(entry, key);
    if (!v)
        return dw__cfg_fail(c, entry, where, "%s is required", key);
    char w[160];
    snprintf(w, sizeof w, "%s: %s", where, key);
    dw__sim_box b;
    memset(&b, 0, sizeof b);
    if (dw__cfg_read(c, v, w, f, N(f), NULL, &b) != DW_OK)
        return DW_ERR_PARSE;
    if (!(b.south < b.north) || !(b.west < b.east))
        return dw__cfg_fail(c, v, w, "south must be below north and west below east");
    *out = b;
    return DW_OK;
}

int dw__sim_in_box(const dw__sim_box *b, double lat_deg, double lon_deg)
{
    return lat_deg >= b->south && lat_deg <= b->north && lon_deg >= b->west && lon_deg <= b->east;
}

/* ------------------------------------------------------------------ the grid */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t grid_row(const dw__sim_grid *g, double lat)
{
    double r = floor((lat + 90.0) / g->cell_deg);
    double nrows = ceil(180.0 / g->cell_deg);
    return r < 0 ? 0 : r >= nrows ? (uint64_t)nrows - 1 : (uint64_t)r;
}

static uint64_t grid_col(const dw__sim_grid *g, double lon)
{
    double c = floor((lon + 180.0) / g->cell_deg);
    return c < 0 ? 0 : c >= (double)g->ncols ? g->ncols - 1 : (uint64_t)c;
}

dw_status dw__sim_grid_build(dw__sim_grid *g, double cell_deg, const double *lat_deg,
                             const double *lon_deg, size_t stride, size_t n)
{
    if (n > IDX_MASK)
        return DW_ERR_RANGE;
    if (n > g->cap) {
        uint64_t *k = realloc(g->keys, n * sizeof *k);
        if (!k)
            return DW_ERR_NOMEM;
        g->keys = k;
        g->cap = n;
    }
    /* Keys must fit 36 bits of cell: 90,000 rows × 180,000 columns at most. */
    g->cell_deg = cell_deg < 0.002 ? 0.002 : cell_deg > 90 ? 90 : cell_deg;
    g->ncols = (uint64_t)ceil(360.0 / g->cell_deg);
    const char *pa = (const char *)lat_deg, *po = (const char *)lon_deg;
    for (size_t i = 0; i < n; i++) {
        double lat = *(const double *)(pa + i * stride), lon = *(const double *)(po + i * stride);
        uint64_t cell = grid_row(g, lat) * g->ncols + grid_col(g, lon);
        g->keys[i] = cell << KEY_SHIFT | i;
    }
    qsort(g->keys, n, sizeof *g->keys, cmp_u64);
    g->n = n;
    return DW_OK;
}

void dw__sim_grid_free(dw__sim_grid *g)
{
    if (!g)
        return;
    free(g->keys);
    memset(g, 0, sizeof *g);
}

void dw__sim_grid_query(const dw__sim_grid *g, double lat_deg, double lon_deg, double radius_m,
                        int (*fn)(void *ctx, uint32_t idx), void *ctx)
{
    if (!g->n)
        return;
    double m_lat, m_lon;
    dw__sim_m_per_deg(lat_deg, &m_lat, &m_lon);
    double dlat = radius_m / m_lat;
    double lat0 = lat_deg - dlat, lat1 = lat_deg + dlat;
    uint64_t c0 = 0, c1 = g->ncols - 1;
    if (lat0 > -89.0 && lat1 < 89.0) {
        /* The narrowest parallel of the box sets its width in longitude. */
        double far = fabs(lat0) > fabs(lat1) ? lat0 : lat1;
        dw__sim_m_per_deg(far, &m_lat, &m_lon);
        double dlon = radius_m / m_lon;
        if (dlon < 180.0) {
            c0 = grid_col(g, lon_deg - dlon);
            c1 = grid_col(g, lon_deg + dlon);
        }
    }
    uint64_t r0 = grid_row(g, lat0), r1 = grid_row(g, lat1);
    for (uint64_t r = r0; r <= r1; r++) {
        uint64_t lo = (r * g->ncols + c0) << KEY_SHIFT, hi = (r * g->ncols + c1 + 1) << KEY_SHIFT;
        size_t a = 0, b = g->n;
        while (a < b) {
            size_t mid = a + (b - a) / 2;
            if (g->keys[mid] < lo)
                a = mid + 1;
            else
                b = mid;
        }
        for (; a < g->n && g->keys[a] < hi; a++)
            if (fn(ctx, (uint32_t)(g->keys[a] & IDX_MASK)))
                return;
    }
}

/* ------------------------------------------------------------------ the step's view */

typedef struct near_ctx {
    const dw__sim_table *t;
    double lat, lon, r2, m_lat, m_lon;
    int (*fn)(void *ctx, const dw_sim_state *s);
    void *ctx;
} near_ctx;

static int near_one(void *ctx, uint32_t idx)
{
    near_ctx *q = ctx;
    const dw_sim_state *s = &q->t->snap[idx];
    double dn = (s->truth.lat_deg - q->lat) * q->m_lat, de = (s->truth.lon_deg - q->lon) * q->m_lon;
    if (de * de + dn * dn > q->r2)
        return 0;
    return q->fn(q->ctx, s);
}

void dw__sim_near(const dw__sim_table *t, double lat_deg, double lon_deg, double radius_m,
                  int (*fn)(void *ctx, const dw_sim_state *s), void *ctx)
{
    if (!t->grid_ok) {
        /* No grid (it could not be allocated): every target, as a superset. */
        for (size_t i = 0; i < t->n_snap; i++)
            if (fn(ctx, &t->snap[i]))
                return;
        return;
    }
    near_ctx q = {t, lat_deg, lon_deg, 0, 0, 0, fn, ctx};
    /* The equirectangular check is loose by design: the narrowest metres per degree of
     * longitude over the disc's latitudes and a percent of slack keep it a superset. */
    dw__sim_m_per_deg(lat_deg, &q.m_lat, &q.m_lon);
    double dlat = radius_m / q.m_lat;
    double far = fabs(lat_deg) + dlat;
    double m_lat_far, m_lon_far;
    dw__sim_m_per_deg(far > 89.9 ? 89.9 : far, &m_lat_far, &m_lon_far);
    q.m_lon = m_lon_far;
    double r = radius_m * 1.01 + 100.0;
    q.r2 = r * r;
    dw__sim_grid_query(&t->grid, lat_deg, lon_deg, radius_m, near_one, &q);
}

size_t dw__sim_all(const dw__sim_table *t, const dw_sim_state **out)
{
    *out = t->snap;
    return t->n_snap;
}

double dw__sim_vmax(const dw__sim_table *t)
{
    return t->vmax_mps;
}

void dw_sim_sensors_step(dw_sim_sensors *s, const dw_sim_world *w, int64_t t0_us, int64_t t1_us,
                         const dw_sim_sink *sink)
{
    if (!s || !w || t1_us <= t0_us)
        return;
    dw__sim_table *t = &s->table;
    t->w = w;
    t->n_snap = dw_sim_world_snapshot(w, &t->snap);
    t->vmax_mps = 0;
    for (size_t i = 0; i < t->n_snap; i++) {
        const double *v = t->snap[i].truth.vel_enu_mps;
        double sp = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (sp > t->vmax_mps)
            t->vmax_mps = sp;
    }
    t->grid_ok = t->n_snap > 0 &&
                 dw__sim_grid_build(&t->grid, VIEW_CELL_DEG, &t->snap[0].truth.lat_deg,
                                    &t->snap[0].truth.lon_deg, sizeof *t->snap, t->n_snap) == DW_OK;
    if (!t->n_snap)
        t->grid_ok = 1, t->grid.n = 0;
    for (size_t i = 0; i < s->n_inst; i++)
        s->inst[i].m->step(s->inst[i].state, t, w, t0_us, t1_us, sink);
    t->snap = NULL;
    t->n_snap = 0;
}

/* ------------------------------------------------------------------ physics */

int dw__sim_los(double h_a_m, double h_t_m, double ground_m)
{
    if (h_a_m < 0)
        h_a_m = 0;
    if (h_t_m < 0)
        return 0;
    double d = sqrt(2.0 * DW_SIM_EFF_EARTH_R_M * h_a_m) + sqrt(2.0 * DW_SIM_EFF_EARTH_R_M * h_t_m);
    return ground_m <= d;
}

double dw__sim_swerling1(double snr, double pfa)
{
    if (!(snr > 0))
        return pfa;
    return pow(pfa, 1.0 / (1.0 + snr));
}

double dw__sim_snr_for(double pd, double pfa)
{
    return log(pfa) / log(pd) - 1.0;
}

void dw__sim_m_per_deg(double lat_deg, double *m_lat, double *m_lon)
{
    const double e2 = DW_WGS84_F * (2.0 - DW_WGS84_F);
    double s = sin(lat_deg * DEG), w = 1.0 - e2 * s * s;
    double rn = DW_WGS84_A / sqrt(w);              /* prime vertical */
    double rm = DW_WGS84_A * (1.0 - e2) / (w * sqrt(w)); /* meridian */
    *m_lat = rm * DEG;
    *m_lon = rn * cos(lat_deg * DEG) * DEG;
    if (*m_lon < 1e-3)
        *m_lon = 1e-3;
}

void dw__sim_offset(double lat_deg, double lon_deg, double de_m, double dn_m, double *lat_out,
                    double *lon_out)
{
    double m_lat, m_lon;
    dw__sim_m_per_deg(lat_deg, &m_lat, &m_lon);
    double lat = lat_deg + dn_m / m_lat, lon = lon_deg + de_m / m_lon;
    if (lat > 90)
        lat = 180 - lat;
    if (lat < -90)
        lat = -180 - lat;
    if (lon > 180)
        lon -= 360;
    if (lon <= -180)
        lon += 360;
    *lat_out = lat;
    *lon_out = lon;
}

void dw__sim_vel_ecef(const dw_sim_state *s, double v_ecef[3])
{
    /* v = ve·e + vn·n + vu·u with the frame's unit vectors at the target. */
    const double *v = s->truth.vel_enu_mps;
    double sl = sin(s->truth.lat_deg * DEG), cl = cos(s->truth.lat_deg * DEG);
    double so = sin(s->truth.lon_deg * DEG), co = cos(s->truth.lon_deg * DEG);
    v_ecef[0] = -so * v[0] - sl * co * v[1] + cl * co * v[2];
    v_ecef[1] = co * v[0] - sl * so * v[1] + cl * so * v[2];
    v_ecef[2] = cl * v[1] + sl * v[2];
}

int64_t dw__sim_next_tick(int64_t t_us, int64_t origin_us, int64_t period_us)
{
    int64_t k = (t_us - origin_us) / period_us;
    int64_t x = origin_us + k * period_us;
    if (x < t_us)
        x += period_us;
    return x;
}

double dw__sim_wrap_2pi(double a)
{
    a = fmod(a, 2 * M_PI);
    if (a < 0)
        a += 2 * M_PI;
    if (a >= 2 * M_PI)
        a = 0;
    return a;
}

/* The entry's `classes` (a list of class words) as a bit per dw_class; dflt without one. */
dw_status dw__sim_read_classes(const dw__cfg *c, const json_t *e, const char *where, uint32_t dflt,
                              uint32_t *out)
{
    const json_t *v = json_object_get(e, "classes");
    if (!v) {
        *out = dflt;
        return DW_OK;
    }
    if (!json_is_array(v) || !json_array_size(v))
        return dw__cfg_fail(c, v, where, "classes is a list of class words (owa_drone, decoy, ...)");
    uint32_t m = 0;
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *x = json_array_get(v, i);
        dw_class k;
        if (!json_is_string(x) || dw_class_parse(json_string_value(x), &k) != 0)
            return dw__cfg_fail(c, x, where, "'%s' is no class (owa_drone, decoy, quadcopter, "
                                             "helicopter, airliner, light_aircraft, fighter, "
                                             "bird, unknown)",
                                json_is_string(x) ? json_string_value(x) : "?");
        m |= 1u << k;
    }
    *out = m;
    return DW_OK;
}


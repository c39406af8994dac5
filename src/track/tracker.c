/* tracker.c — tracker v1: grid gating, clustered exact GNN, Kalman updates,
 * M-of-N confirmation. See tracker.h for the algorithm in words. */
#include "dronewall/tracker.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/assign.h"
#include "dronewall/log.h"
#include "track/mat.h"

#define MAX_SENSORS 32

typedef struct slot {
    dw_trk pub;
    uint32_t age;               /* batches seen since birth */
    int64_t last_by_sensor[MAX_SENSORS];
} slot;

/* What a track looks like to the current batch's sensor. */
typedef struct cache {
    double zpred[DW_TRK_MAX_Z];
    double H[DW_TRK_MAX_Z * DW_TRK_MAX_X];
    double HPH[DW_TRK_MAX_Z * DW_TRK_MAX_Z];
    double pos[3];
    double ext;                 /* half-width of the gate in position units */
    int ok;                     /* linearised: may be gated */
    int seen;                   /* inside the batch's cover: counts a hit or a miss */
    double pd;                  /* the sensor's chance of detecting it (cover->pd) */
} cache;

typedef struct pair {
    int live;                   /* index into live[] */
    int meas;
    double cost;
} pair;

typedef struct sensor {
    const dw_meas_model *model;
    const void *ctx;
    int nz;
} sensor;

/* Grid bucket: a cell and the head of its entry list. */
typedef struct bucket {
    int32_t k[3];
    int head;                   /* -1: empty bucket */
} bucket;

typedef struct entry {
    int live;
    int next;
} entry;

struct dw_tracker {
    dw_tracker_config cfg;
    sensor sensors[MAX_SENSORS];
    int n_sensors;

    slot *pool;
    int *free_slots, n_free;
    int *live, n_live;          /* slot indices of live tracks, creation order */
    uint64_t next_id;

    /* Per-batch scratch, sized to max_tracks or grown to the largest batch. */
    cache *cache;               /* by live index */
    int *assigned;              /* by live index: measurement or -1 */
    int *meas_taken;            /* by measurement: live index or -1 */
    double (*mpos)[3];          /* by measurement: position */
    int32_t (*mcell)[3];
    int *mok;
    size_t meas_cap;

    bucket *buckets;
    size_t n_buckets;           /* power of two */
    size_t n_used;              /* buckets holding a cell; kept under half */
    entry *entries;
    size_t n_entries, entries_cap;
    int *overflow, n_overflow;

    pair *pairs;
    size_t n_pairs, pairs_cap;
    int *uf;                    /* union-find over live tracks then measurements */
    size_t uf_cap;
    int *cluster_of;            /* by uf root: cluster id */
    int *order;                 /* pairs sorted by cluster */
    int *cstart;
    int *loc_row, *loc_col;     /* local indices inside one cluster */
    int *rows, *cols;
    double *cost, *row_miss, *col_miss;
    int *r2c;
    size_t cl_cap;
    dw_assign *assign;

    dw_trk *deleted;
    size_t n_deleted;

    dw_tracker_stats stats;
};

void dw_tracker_config_default(dw_tracker_config *c, int n_axes, double q)
{
    memset(c, 0, sizeof *c);
    dw_motion_cv_init(&c->motion, n_axes, q);
    c->max_tracks = 10000;
    c->gate = 11.8;
    c->confirm_m = 2;
    c->confirm_n = 3;
    c->delete_misses = 3;
    c->init_vel_sigma = 1.0;
    c->grid_cell = 0.0;
    c->max_gate_extent = 0.0;
}

void dw_tracker_destroy(dw_tracker *t)
{
    if (!t)
        return;
    free(t->pool);
    free(t->free_slots);
    free(t->live);
    free(t->cache);
    free(t->assigned);
    free(t->meas_taken);
    free(t->mpos);
    free(t->mcell);
    free(t->mok);
    free(t->buckets);
    free(t->entries);
    free(t->overflow);
    free(t->pairs);
    free(t->uf);
    free(t->cluster_of);
    free(t->order);
    free(t->cstart);
    free(t->loc_row);
    free(t->loc_col);
    free(t->rows);
    free(t->cols);
    free(t->cost);
    free(t->row_miss);
    free(t->col_miss);
    free(t->r2c);
    free(t->deleted);
    dw_assign_destroy(t->assign);
    free(t);
}

dw_status dw_tracker_create(const dw_tracker_config *cfg, dw_tracker **out)
{
    if (!cfg || cfg->max_tracks == 0 || cfg->max_tracks > (1u << 30) || cfg->motion.nx <= 0 ||
        cfg->motion.nx > DW_TRK_MAX_X || cfg->motion.n_pos < 1 || cfg->motion.n_pos > 3 ||
        !cfg->motion.predict || !(cfg->gate > 0) || cfg->confirm_m < 1 ||
        cfg->confirm_n < cfg->confirm_m || cfg->confirm_n > 32 || cfg->delete_misses < 1 ||
        !(cfg->init_vel_sigma >= 0))
        return DW_ERR_INVALID;

    dw_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return DW_ERR_NOMEM;
    t->cfg = *cfg;
    size_t n = cfg->max_tracks;
    t->pool = calloc(n, sizeof *t->pool);
    t->free_slots = malloc(n * sizeof *t->free_slots);
    t->live = malloc(n * sizeof *t->live);
    t->cache = malloc(n * sizeof *t->cache);
    t->assigned = malloc(n * sizeof *t->assigned);
    t->overflow = malloc(n * sizeof *t->overflow);
    t->deleted = malloc(n * sizeof *t->deleted);
    t->loc_row = malloc(n * sizeof *t->loc_row);
    if (!t->pool || !t->free_slots || !t->live || !t->cache || !t->assigned || !t->overflow ||
        !t->deleted || !t->loc_row || dw_assign_create(&t->assign) != DW_OK) {
        dw_tracker_destroy(t);
        return DW_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        t->free_slots[i] = (int)(n - 1 - i);
        t->loc_row[i] = -1;
    }
    t->n_free = (int)n;
    t->next_id = 1;
    *out = t;
    return DW_OK;
}

dw_status dw_tracker_add_sensor(dw_tracker *t, const dw_meas_model *model, const void *ctx,
                                int *out_idx)
{
    if (!model || !model->h || !model->residual || !model->to_pos)
        return DW_ERR_INVALID;
    if (t->n_sensors >= MAX_SENSORS)
        return DW_ERR_FULL;
    int nz = model->nz ? model->nz : t->cfg.motion.n_pos;
    if (nz > DW_TRK_MAX_Z)
        return DW_ERR_INVALID;
    t->sensors[t->n_sensors] = (sensor){model, ctx, nz};
    *out_idx = t->n_sensors++;
    return DW_OK;
}

size_t dw_tracker_count(const dw_tracker *t) { return (size_t)t->n_live; }

const dw_trk *dw_tracker_get(const dw_tracker *t, size_t i)
{
    return i < (size_t)t->n_live ? &t->pool[t->live[i]].pub : NULL;
}

size_t dw_tracker_deleted(const dw_tracker *t, const dw_trk **dead)
{
    *dead = t->deleted;
    return t->n_deleted;
}

void dw_tracker_get_stats(const dw_tracker *t, dw_tracker_stats *out) { *out = t->stats; }

static void predict_to(dw_tracker *t, dw_trk *k, int64_t t_us)
{
    if (k->t_us == t_us)
        return;
    double dt = (double)(t_us - k->t_us) * 1e-6;
    t->cfg.motion.predict(&t->cfg.motion, k->x, k->P, dt);
    k->t_us = t_us;
}

void dw_tracker_predict_copy(const dw_tracker *t, const dw_trk *k, int64_t t_us, dw_trk *out)
{
    *out = *k;
    if (k->t_us != t_us) {
        t->cfg.motion.predict(&t->cfg.motion, out->x, out->P, (double)(t_us - k->t_us) * 1e-6);
        out->t_us = t_us;
    }
}

void dw_tracker_predict(dw_tracker *t, int64_t t_us)
{
    for (int i = 0; i < t->n_live; i++)
        predict_to(t, &t->pool[t->live[i]].pub, t_us);
}

/* Grow per-measurement and per-pair scratch. Only the first batches of a
 * run (or a larger batch than ever before) get here. */
#define GROW(ptr, cap_needed, have)                                             \
    do {                                                                        \
        void *np_ = realloc((ptr), (size_t)(cap_needed) * sizeof *(ptr));       \
        if (!np_)                                                               \
            return DW_ERR_NOMEM;                                                \
        (ptr) = np_;                                                            \
        (void)(have);                                                           \
    } while (0)

static dw_status reserve_meas(dw_tracker *t, size_t n)
{
    if (n <= t->meas_cap)
        return DW_OK;
    size_t cap = t->meas_cap ? t->meas_cap : 256;
    while (cap < n)
        cap *= 2;
    GROW(t->meas_taken, cap, 0);
    GROW(t->mpos, cap, 0);
    GROW(t->mcell, cap, 0);
    GROW(t->mok, cap, 0);
    GROW(t->loc_col, cap, 0);
    for (size_t j = t->meas_cap; j < cap; j++)
        t->loc_col[j] = -1;
    t->meas_cap = cap;
    size_t ufn = t->cfg.max_tracks + cap;
    if (ufn > t->uf_cap) {
        GROW(t->uf, ufn, 0);
        GROW(t->cluster_of, ufn, 0);
        t->uf_cap = ufn;
    }
    return DW_OK;
}

static dw_status push_pair(dw_tracker *t, int live, int meas, double cost)
{
    if (t->n_pairs == t->pairs_cap) {
        size_t cap = t->pairs_cap ? 2 * t->pairs_cap : 1024;
        GROW(t->pairs, cap, 0);
        GROW(t->order, cap, 0);
        GROW(t->cstart, cap + 1, 0);
        t->pairs_cap = cap;
    }
    t->pairs[t->n_pairs++] = (pair){live, meas, cost};
    return DW_OK;
}

static dw_status reserve_cluster(dw_tracker *t, size_t r, size_t c)
{
    size_t need = r > c ? r : c;
    if (need * need <= t->cl_cap && need <= t->cl_cap)
        return DW_OK;
    size_t cap = 64;
    while (cap < need * need || cap < need)
        cap *= 2;
    GROW(t->cost, cap, 0);
    GROW(t->rows, cap, 0);
    GROW(t->cols, cap, 0);
    GROW(t->row_miss, cap, 0);
    GROW(t->col_miss, cap, 0);
    GROW(t->r2c, cap, 0);
    t->cl_cap = cap;
    return DW_OK;
}

/* ---- the grid --------------------------------------------------------- */

static inline uint64_t cell_hash(const int32_t k[3])
{
    uint64_t h = (uint64_t)(uint32_t)k[0] * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)(uint32_t)k[1] * 0xC2B2AE3D27D4EB4Full;
    h ^= (uint64_t)(uint32_t)k[2] * 0x165667B19E3779F9ull;
    return h ^ (h >> 29);
}

static bucket *grid_find(dw_tracker *t, const int32_t k[3], int create)
{
    size_t mask = t->n_buckets - 1;
    for (size_t i = cell_hash(k) & mask;; i = (i + 1) & mask) {
        bucket *b = &t->buckets[i];
        if (b->head == -2) {
            if (!create)
                return NULL;
            b->k[0] = k[0];
            b->k[1] = k[1];
            b->k[2] = k[2];
            b->head = -1;
            return b;
        }
        if (b->k[0] == k[0] && b->k[1] == k[1] && b->k[2] == k[2])
            return b;
    }
}

static dw_status grid_reset(dw_tracker *t, size_t expected_cells)
{
    size_t want = 64;
    while (want < 2 * expected_cells)
        want *= 2;
    if (want > t->n_buckets) {
        bucket *b = realloc(t->buckets, want * sizeof *b);
        if (!b)
            return DW_ERR_NOMEM;
        t->buckets = b;
        t->n_buckets = want;
    }
    for (size_t i = 0; i < t->n_buckets; i++)
        t->buckets[i].head = -2;
    t->n_used = 0;
    t->n_entries = 0;
    t->n_overflow = 0;
    return DW_OK;
}

/* Double the table and re-place every cell, keeping its entry list. */
static dw_status grid_grow(dw_tracker *t)
{
    size_t old_n = t->n_buckets, n = 2 * old_n;
    bucket *old = t->buckets, *b = malloc(n * sizeof *b);
    if (!b)
        return DW_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        b[i].head = -2;
    t->buckets = b;
    t->n_buckets = n;
    for (size_t i = 0; i < old_n; i++) {
        if (old[i].head == -2)
            continue;
        bucket *nb = grid_find(t, old[i].k, 1);
        nb->head = old[i].head;
    }
    free(old);
    return DW_OK;
}

static dw_status grid_add(dw_tracker *t, const int32_t k[3], int live)
{
    if (2 * (t->n_used + 1) > t->n_buckets) {
        dw_status st = grid_grow(t);
        if (st != DW_OK)
            return st;
    }
    if (t->n_entries == t->entries_cap) {
        size_t cap = t->entries_cap ? 2 * t->entries_cap : 4096;
        GROW(t->entries, cap, 0);
        t->entries_cap = cap;
    }
    bucket *b = grid_find(t, k, 1);
    if (b->head == -1)
        t->n_used++;
    t->entries[t->n_entries] = (entry){live, b->head};
    b->head = (int)t->n_entries++;
    return DW_OK;
}

/* ---- union-find -------------------------------------------------------- */

static int uf_find(int *uf, int a)
{
    while (uf[a] != a) {
        uf[a] = uf[uf[a]];
        a = uf[a];
    }
    return a;
}

static void uf_union(int *uf, int a, int b)
{
    a = uf_find(uf, a);
    b = uf_find(uf, b);
    if (a != b)
        uf[a < b ? b : a] = a < b ? a : b;
}

/* ---- filter steps ------------------------------------------------------ */

static int linearise(dw_tracker *t, const sensor *s, const dw_trk *k, cache *c)
{
    const int nx = t->cfg.motion.nx, nz = s->nz;
    if (s->model->h(s->ctx, &t->cfg.motion, k->x, c->zpred, c->H) != 0)
        return -1;
    double HP[DW_TRK_MAX_Z * DW_TRK_MAX_X];
    dw__mat_mul(c->H, k->P, HP, nz, nx, nx);
    dw__mat_mul_bt(HP, c->H, c->HPH, nz, nx, nz);
    return 0;
}

/* Normalised innovation squared of measurement m against a linearised track. */
static int innovation(const sensor *s, const cache *c, const dw_meas *m, double *nu, double *Sinv,
                      double *d2)
{
    const int nz = s->nz;
    double S[DW_TRK_MAX_Z * DW_TRK_MAX_Z];
    for (int i = 0; i < nz * nz; i++)
        S[i] = c->HPH[i] + m->R[i];
    if (dw__spd_inverse(S, nz, Sinv, NULL) != 0)
        return -1;
    s->model->residual(s->ctx, nz, m->z, c->zpred, nu);
    double r = 0;
    for (int i = 0; i < nz; i++) {
        double a = 0;
        for (int j = 0; j < nz; j++)
            a += Sinv[i * nz + j] * nu[j];
        r += nu[i] * a;
    }
    *d2 = r;
    return 0;
}

static void kalman_update(dw_tracker *t, const sensor *s, dw_trk *k, const dw_meas *m)
{
    const int nx = t->cfg.motion.nx, nz = s->nz;
    cache c;
    if (m->t_us != k->t_us)
        predict_to(t, k, m->t_us);
    if (linearise(t, s, k, &c) != 0)
        return;
    double nu[DW_TRK_MAX_Z], Sinv[DW_TRK_MAX_Z * DW_TRK_MAX_Z], d2;
    if (innovation(s, &c, m, nu, Sinv, &d2) != 0)
        return;
    /* K = P H^T S^-1 */
    double PHt[DW_TRK_MAX_X * DW_TRK_MAX_Z], K[DW_TRK_MAX_X * DW_TRK_MAX_Z];
    dw__mat_mul_bt(k->P, c.H, PHt, nx, nx, nz);
    dw__mat_mul(PHt, Sinv, K, nx, nz, nz);
    for (int i = 0; i < nx; i++) {
        double a = 0;
        for (int j = 0; j < nz; j++)
            a += K[i * nz + j] * nu[j];
        k->x[i] += a;
    }
    /* P <- P - K (H P) = P - K (P H^T)^T */
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < nx; j++) {
            double a = 0;
            for (int l = 0; l < nz; l++)
                a += K[i * nz + l] * PHt[j * nz + l];
            k->P[i * nx + j] -= a;
        }
    dw__mat_symmetrize(k->P, nx);
    k->last_d2 = d2;
}

static int start_track(dw_tracker *t, int sensor_idx, const sensor *s, const dw_meas *m)
{
    const dw_motion_model *mm = &t->cfg.motion;
    double pos[3], pc[9];
    if (s->model->to_pos(s->ctx, mm, m->z, m->R, pos, pc) != 0)
        return -1;
    if (t->n_free == 0) {
        t->stats.pool_full++;
        return -1;
    }
    int si = t->free_slots[--t->n_free];
    slot *sl = &t->pool[si];
    memset(sl, 0, sizeof *sl);
    dw_trk *k = &sl->pub;
    const int nx = mm->nx, np = mm->n_pos;
    k->id = t->next_id++;
    k->t_us = m->t_us;
    for (int a = 0; a < np; a++) {
        k->x[mm->pos_idx[a]] = pos[a];
        for (int b = 0; b < np; b++)
            k->P[mm->pos_idx[a] * nx + mm->pos_idx[b]] = pc[a * np + b];
        k->P[mm->vel_idx[a] * nx + mm->vel_idx[a]] = t->cfg.init_vel_sigma * t->cfg.init_vel_sigma;
    }
    k->hits = 1;
    k->history = 1;
    k->first_us = k->last_update_us = m->t_us;
    k->sensor_mask = 1u << sensor_idx;
    k->last_user = m->user;
    for (int q = 0; q < MAX_SENSORS; q++)
        sl->last_by_sensor[q] = INT64_MIN / 2;
    sl->last_by_sensor[sensor_idx] = m->t_us;
    sl->age = 1;
    k->status = t->cfg.confirm_m <= 1 ? DW_TRACK_CONFIRMED : DW_TRACK_TENTATIVE;
    if (k->status == DW_TRACK_CONFIRMED)
        t->stats.confirmed++;
    t->live[t->n_live++] = si;
    t->stats.initiated++;
    return 0;
}

static int popcount32(uint32_t v) { return __builtin_popcount(v); }

static int in_cover(const dw_cover *cv, const double *zpred)
{
    if (!cv)
        return 1;
    if (cv->max0 > 0 && zpred[0] > cv->max0)
        return 0;
    if (cv->full)
        return 1;
    const double two_pi = 2.0 * M_PI;
    double span = fmod(cv->hi - cv->lo, two_pi);
    if (span < 0)
        span += two_pi;
    double off = fmod(zpred[cv->comp] - cv->lo, two_pi);
    if (off < 0)
        off += two_pi;
    return off > 0 && off <= span;
}

dw_status dw_tracker_update(dw_tracker *t, int sensor_idx, int64_t t_us, const dw_meas *m, size_t n)
{
    return dw_tracker_update_cover(t, sensor_idx, t_us, m, n, NULL);
}

dw_status dw_tracker_update_cover(dw_tracker *t, int sensor_idx, int64_t t_us, const dw_meas *m,
                                  size_t n, const dw_cover *cover)
{
    if (sensor_idx < 0 || sensor_idx >= t->n_sensors || (n && !m))
        return DW_ERR_INVALID;
    if (cover && (cover->comp < 0 || cover->comp >= t->sensors[sensor_idx].nz))
        return DW_ERR_INVALID;
    const sensor *s = &t->sensors[sensor_idx];
    const dw_motion_model *mm = &t->cfg.motion;
    const int np = mm->n_pos;
    dw_status st = reserve_meas(t, n);
    if (st != DW_OK)
        return st;
    t->stats.batches++;
    t->stats.measurements += n;
    t->n_deleted = 0;

    /* 1. Predict and linearise every track for this sensor. */
    const int nl = t->n_live;
    double ext_sum = 0;
    int ext_n = 0;
    double meas_var = 0;
    for (size_t j = 0; j < n; j++) {
        double pc[9];
        t->mok[j] = s->model->to_pos(s->ctx, mm, m[j].z, m[j].R, t->mpos[j], pc) == 0;
        if (t->mok[j]) {
            double tr = 0;
            for (int a = 0; a < np; a++)
                tr += pc[a * np + a];
            if (tr > meas_var)
                meas_var = tr;
        }
        t->meas_taken[j] = -1;
    }
    for (int i = 0; i < nl; i++) {
        dw_trk *k = &t->pool[t->live[i]].pub;
        cache *c = &t->cache[i];
        t->assigned[i] = -1;
        predict_to(t, k, t_us);
        c->ok = linearise(t, s, k, c) == 0;
        c->seen = c->ok && !(cover && cover->no_miss) && in_cover(cover, c->zpred) &&
                  !(cover && cover->revisit_us > 0 &&
                    t_us - t->pool[t->live[i]].last_by_sensor[sensor_idx] < cover->revisit_us);
        c->pd = 1.0;
        if (c->seen && cover && cover->pd) {
            c->pd = cover->pd(cover->pd_ctx, k->x);
            /* A sensor that could not have seen it looked elsewhere. */
            c->seen = c->pd > 0.0;
        }
        if (!c->ok) {
            t->stats.unlinearisable++;
            continue;
        }
        double tr = 0;
        for (int a = 0; a < np; a++) {
            int pi = mm->pos_idx[a];
            c->pos[a] = k->x[pi];
            tr += k->P[pi * mm->nx + pi];
        }
        for (int a = np; a < 3; a++)
            c->pos[a] = 0;
        c->ext = sqrt(t->cfg.gate * (tr + meas_var));
        ext_sum += c->ext;
        ext_n++;
    }

    /* 2. The grid: each track sits in every cell its gate box touches; a
     * measurement meets the tracks of its own cell only. */
    double cell = t->cfg.grid_cell > 0 ? t->cfg.grid_cell : (ext_n ? 2.0 * ext_sum / ext_n : 1.0);
    if (!(cell > 0) || !isfinite(cell))
        cell = 1.0;
    double max_ext = t->cfg.max_gate_extent > 0 ? t->cfg.max_gate_extent : 4.0 * cell;
    const double inv_cell = 1.0 / cell;
    st = grid_reset(t, (size_t)nl * 4);
    if (st != DW_OK)
        return st;
    for (int i = 0; i < nl; i++) {
        cache *c = &t->cache[i];
        if (!c->ok)
            continue;
        if (c->ext > max_ext) {
            t->overflow[t->n_overflow++] = i;
            continue;
        }
        int32_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
        double n_cells = 1;
        for (int a = 0; a < np; a++) {
            double l = floor((c->pos[a] - c->ext) * inv_cell), h = floor((c->pos[a] + c->ext) * inv_cell);
            if (!(fabs(l) < 1e9 && fabs(h) < 1e9))
                n_cells = INFINITY;
            else
                n_cells *= h - l + 1;
            lo[a] = (int32_t)l;
            hi[a] = (int32_t)h;
        }
        if (n_cells > 64) {
            /* a gate this wide (or far) is cheaper checked against every
             * measurement than spread over the grid */
            t->overflow[t->n_overflow++] = i;
            continue;
        }
        int32_t k3[3];
        for (k3[0] = lo[0]; k3[0] <= hi[0]; k3[0]++)
            for (k3[1] = lo[1]; k3[1] <= hi[1]; k3[1]++)
                for (k3[2] = lo[2]; k3[2] <= hi[2]; k3[2]++)
                    if ((st = grid_add(t, k3, i)) != DW_OK)
                        return st;
    }

    /* 3. Gate. */
    t->n_pairs = 0;
    for (size_t j = 0; j < n; j++) {
        if (!t->mok[j])
            continue;
        int32_t k3[3] = {0, 0, 0};
        int far = 0;
        for (int a = 0; a < np; a++) {
            double v = floor(t->mpos[j][a] * inv_cell);
            far |= !(fabs(v) < 1e9);
            k3[a] = far ? 0 : (int32_t)v;
        }
        bucket *b = far ? NULL : grid_find(t, k3, 0);
        int e = b ? b->head : -1;
        int ov = 0;
        for (;;) {
            int i;
            if (e >= 0) {
                i = t->entries[e].live;
                e = t->entries[e].next;
            } else if (ov < t->n_overflow) {
                i = t->overflow[ov++];
            } else {
                break;
            }
            double nu[DW_TRK_MAX_Z], Sinv[DW_TRK_MAX_Z * DW_TRK_MAX_Z], d2;
            t->stats.gate_tests++;
            if (innovation(s, &t->cache[i], &m[j], nu, Sinv, &d2) != 0 || !(d2 < t->cfg.gate))
                continue;
            if ((st = push_pair(t, i, (int)j, d2)) != DW_OK)
                return st;
        }
    }
    t->stats.pairs += t->n_pairs;

    /* 4. Clusters: tracks and measurements joined by gated pairs. */
    const size_t np_ = t->n_pairs;
    if (np_) {
        int *uf = t->uf;
        for (int i = 0; i < nl; i++)
            uf[i] = i;
        for (size_t j = 0; j < n; j++)
            uf[nl + (int)j] = nl + (int)j;
        for (size_t p = 0; p < np_; p++)
            uf_union(uf, t->pairs[p].live, nl + t->pairs[p].meas);
        /* Count pairs per root, then order pairs by cluster. */
        int n_clusters = 0;
        for (size_t p = 0; p < np_; p++) {
            int r = uf_find(uf, t->pairs[p].live);
            t->cluster_of[r] = -1;
        }
        for (size_t p = 0; p < np_; p++) {
            int r = uf_find(uf, t->pairs[p].live);
            if (t->cluster_of[r] < 0)
                t->cluster_of[r] = n_clusters++;
        }
        int *cstart = t->cstart;
        for (int c = 0; c <= n_clusters; c++)
            cstart[c] = 0;
        for (size_t p = 0; p < np_; p++)
            cstart[t->cluster_of[uf_find(uf, t->pairs[p].live)] + 1]++;
        for (int c = 0; c < n_clusters; c++)
            cstart[c + 1] += cstart[c];
        /* fill, using cluster_of of the pair index slot temporarily */
        for (size_t p = 0; p < np_; p++) {
            int c = t->cluster_of[uf_find(uf, t->pairs[p].live)];
            t->order[cstart[c]++] = (int)p;
        }
        for (int c = n_clusters; c > 0; c--)
            cstart[c] = cstart[c - 1];
        cstart[0] = 0;
        t->stats.clusters += (uint64_t)n_clusters;

        const double half_gate = 0.5 * t->cfg.gate;
        for (int c = 0; c < n_clusters; c++) {
            int a = cstart[c], b = cstart[c + 1];
            if (b - a == 1) {
                const pair *p = &t->pairs[t->order[a]];
                t->assigned[p->live] = p->meas;
                t->meas_taken[p->meas] = p->live;
                if (t->stats.max_cluster < 1)
                    t->stats.max_cluster = 1;
                continue;
            }
            int nr = 0, nc = 0;
            for (int q = a; q < b; q++) {
                const pair *p = &t->pairs[t->order[q]];
                if (t->loc_row[p->live] < 0) {
                    if ((st = reserve_cluster(t, (size_t)nr + 1, (size_t)nc + 1)) != DW_OK)
                        return st;
                    t->loc_row[p->live] = nr;
                    t->rows[nr++] = p->live;
                }
                if (t->loc_col[p->meas] < 0) {
                    if ((st = reserve_cluster(t, (size_t)nr + 1, (size_t)nc + 1)) != DW_OK)
                        return st;
                    t->loc_col[p->meas] = nc;
                    t->cols[nc++] = p->meas;
                }
            }
            if ((st = reserve_cluster(t, (size_t)nr, (size_t)nc)) != DW_OK)
                return st;
            if ((uint64_t)(nr + nc) > t->stats.max_cluster)
                t->stats.max_cluster = (uint64_t)(nr + nc);
            for (int q = 0; q < nr * nc; q++)
                t->cost[q] = DW_ASSIGN_FORBID;
            for (int q = 0; q < nr; q++)
                t->row_miss[q] = half_gate;
            for (int q = 0; q < nc; q++)
                t->col_miss[q] = half_gate;
            for (int q = a; q < b; q++) {
                const pair *p = &t->pairs[t->order[q]];
                t->cost[t->loc_row[p->live] * nc + t->loc_col[p->meas]] = p->cost;
            }
            st = dw_assign_solve(t->assign, nr, nc, t->cost, t->row_miss, t->col_miss, t->r2c, NULL);
            for (int q = 0; q < nr; q++)
                t->loc_row[t->rows[q]] = -1;
            for (int q = 0; q < nc; q++)
                t->loc_col[t->cols[q]] = -1;
            if (st != DW_OK)
                return st;
            for (int q = 0; q < nr; q++) {
                if (t->r2c[q] < 0)
                    continue;
                int li = t->rows[q], mj = t->cols[t->r2c[q]];
                t->assigned[li] = mj;
                t->meas_taken[mj] = li;
            }
        }
    }

    /* 5. Update, count misses, confirm and delete. */
    const uint32_t nmask = t->cfg.confirm_n >= 32 ? 0xffffffffu : ((1u << t->cfg.confirm_n) - 1);
    int w = 0;
    for (int i = 0; i < nl; i++) {
        int si = t->live[i];
        slot *sl = &t->pool[si];
        dw_trk *k = &sl->pub;
        int mj = t->assigned[i];
        int stale = t->cfg.max_coast_us > 0 && t_us - k->last_update_us > t->cfg.max_coast_us;
        if (!t->cache[i].seen && mj < 0 && !stale) {
            t->live[w++] = si;   /* not looked at: no hit, no miss */
            continue;
        }
        sl->age++;
        if (mj >= 0) {
            kalman_update(t, s, k, &m[mj]);
            k->hits++;
            k->misses = 0;
            k->miss_score = 0.0;
            k->history = (k->history << 1) | 1u;
            k->last_update_us = m[mj].t_us;
            sl->last_by_sensor[sensor_idx] = m[mj].t_us;
            k->sensor_mask |= 1u << sensor_idx;
            k->last_user = m[mj].user;
            t->stats.updates++;
        } else {
            k->misses++;
            k->miss_score += t->cache[i].pd;
            k->history <<= 1;
        }
        int dead = stale && mj < 0;
        if (dead) {
            /* too long without an update, whatever looked at it */
        } else if (k->status == DW_TRACK_TENTATIVE) {
            if (popcount32(k->history & nmask) >= t->cfg.confirm_m) {
                k->status = DW_TRACK_CONFIRMED;
                t->stats.confirmed++;
            } else if (sl->age >= (uint32_t)t->cfg.confirm_n) {
                dead = 1;
            }
        } else {
            if (k->miss_score >= (double)t->cfg.delete_misses - 1e-9)
                dead = 1;
            else
                k->status = k->misses ? DW_TRACK_COASTING : DW_TRACK_CONFIRMED;
        }
        if (dead) {
            int was_confirmed = k->status != DW_TRACK_TENTATIVE;
            k->status = DW_TRACK_DEAD;
            if (was_confirmed)
                t->deleted[t->n_deleted++] = *k;
            t->free_slots[t->n_free++] = si;
            t->stats.deleted++;
        } else {
            t->live[w++] = si;
        }
    }
    t->n_live = w;

    /* 6. Every measurement nobody took may be a new object. */
    for (size_t j = 0; j < n; j++)
        if (t->meas_taken[j] < 0 && t->mok[j])
            start_track(t, sensor_idx, s, &m[j]);
    return DW_OK;
}

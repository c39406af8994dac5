/* tracker.c — tracker v1: grid gating, clustered exact GNN (or JPDA, whose
 * enumeration of a cluster's joint events is jpda.c), Kalman (extended or
 * unscented; or covariance-intersection, or probabilistic data association) updates, an
 * optional two-model IMM, identity keys, exact out-of-sequence updates from a
 * short per-track history, M-of-N confirmation. See tracker.h for the
 * algorithm in words and docs/tracker.md for the reasons. */
#include "dronewall/tracker.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/assign.h"
#include "dronewall/log.h"
#include "track/jpda.h"
#include "track/mat.h"

#define MAX_SENSORS 32
#define MAX_DEPTH 16
#define NXX (DW_TRK_MAX_X * DW_TRK_MAX_X)
/* An IMM mode may carry one state more than the track (a turn rate). */
#define MX (DW_TRK_MAX_X + 1)
#define MXX (MX * MX)
#define NZZ (DW_TRK_MAX_Z * DW_TRK_MAX_Z)
#define NZT (DW_TRK_MAX_Z * (DW_TRK_MAX_Z + 1) / 2)

typedef struct slot {
    dw_trk pub;
    uint32_t age;               /* batches seen since birth */
    uint8_t h_start, h_n;       /* the out-of-sequence history ring */
    uint8_t key_miss;           /* reports of its key outside key_gate since
                                   its last one (key_jump_after)        */
    int64_t coast_us;           /* its newest measurement's coast_us, 0: none */
    uint64_t dup_of;            /* the track it looked a duplicate of, how often */
    uint32_t dup_n;             /* (merge_after) and when last: evidence older  */
    int64_t dup_us;             /* than DUP_FORGET_US starts the count again     */
    int64_t last_by_sensor[MAX_SENSORS];
} slot;

/* IMM: the mode-conditioned estimates at the time of the last update. The
 * track's own x and P (the combined estimate) are derived from them at any
 * time, so predicting a track for a batch that does not update it changes
 * nothing here, and re-running the history reproduces a run in order. */
typedef struct modes {
    int64_t t_us;
    double mu[2];
    double x[2][MX];            /* each mode's own dimension (models[j].nx) */
    double P[2][MXX];
} modes;

/* One entry of a track's out-of-sequence history: a measurement and the state
 * it made (the posterior), followed in memory by that state: per model, x
 * (nx) and the upper triangle of P, then with the IMM the two probabilities.
 * The first entry of a track is its starting state (sensor -1). */
typedef struct hist {
    int64_t t_us;               /* time of the posterior (the measurement's) */
    const void *ctx;            /* dw_meas.ctx */
    const dw_meas_model *model; /* dw_meas.model */
    uint32_t flags;             /* dw_meas.flags */
    int32_t sensor;             /* -1: no measurement */
    double z[DW_TRK_MAX_Z];
    double R[NZT];              /* upper triangle */
    double s[];
} hist;

/* What a track looks like to the current batch's sensor (what the gate
 * test reads first, H last). */
typedef struct cache {
    double zpred[DW_TRK_MAX_Z];
    double HPH[DW_TRK_MAX_Z * DW_TRK_MAX_Z];
    int ok;                     /* linearised in the sensor's own context */
    int seen;                   /* inside the batch's cover: counts a hit or a miss */
    uint64_t key;               /* the track's id_key */
    uint32_t key_coop;          /* ...which came from a cooperative report */
    int gridded;                /* entered in the grid (or the overflow list) */
    double pos[3];
    double ext;                 /* half-width of the gate in position units */
    double pd;                  /* the sensor's chance of detecting it (cover->pd) */
    double H[DW_TRK_MAX_Z * MX];
} cache;

typedef struct pair {
    int live;                   /* index into live[] */
    int meas;
    double cost;
} pair;

/* JPDA: one measurement a track takes in part, and the chance it is the track's. */
typedef struct jent {
    int meas;
    double beta;
} jent;

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

/* Identity keys: open addressing, linear probing, key 0 = empty. */
typedef struct keyent {
    uint64_t key;
    int slot;
} keyent;

struct dw_tracker {
    dw_tracker_config cfg;
    sensor sensors[MAX_SENSORS];
    int n_sensors;

    slot *pool;
    int *free_slots, n_free;
    int *live, n_live;          /* slot indices of live tracks, creation order */
    int *live_of;               /* by slot: its index in live[] this batch */
    uint64_t next_id;

    /* IMM */
    int n_models;
    dw_motion_model models[2];
    double imm_p01, imm_p10, imm_rate;  /* per second */
    double mu0[2];                      /* a new track's model probabilities */
    modes *modes;                       /* by slot, NULL without IMM */

    /* Out-of-sequence history: depth entries of hist_stride bytes per slot. */
    int depth;
    size_t hist_stride;
    unsigned char *hist;

    /* Identity keys. */
    keyent *keys;
    size_t keys_mask;
    double key_gate;            /* cfg.key_gate, 0 resolved */

    /* Per-batch scratch, sized to max_tracks or grown to the largest batch. */
    cache *cache;               /* by live index */
    int *assigned;              /* by live index: measurement or -1 */
    uint8_t *dup_kill;          /* by live index: a duplicate to delete */
    int *meas_taken;            /* by measurement: live index or -1 */
    uint8_t *near_confirmed;    /* by measurement: in a confirmed track's gate */
    double (*mpos)[3];          /* by measurement: position */
    int32_t (*mcell)[3];
    int *mok;                   /* by measurement: bit 0 a position, bit 1 linearised
                                   apart (its own context or model)  */
    uint32_t *unassigned;
    size_t n_unassigned;
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

    /* JPDA (cfg.assoc), all NULL with GNN. By live index: where its entries
     * start in jents (-1: not a JPDA track this batch) and how many, its
     * beta_0, its chance of detection and the log of its cluster's clutter
     * density. One cluster's inputs and betas grow to the largest cluster. */
    dw__jpda_ws *jpda;
    int *jstart, *jn;
    double *jb0, *jpd, *jloglam;
    jent *jents;
    size_t n_jents, jents_cap;
    double *jlg, *jlmiss, *jbeta, *jlv;
    size_t jcl_cap;

    dw_trk *deleted;
    size_t n_deleted;

    dw_tracker_stats stats;
};

static const char *const reason_names[] = {
#define DW_TRK_REASON_NAME(e, s) s,
    DW_TRK_REASONS(DW_TRK_REASON_NAME)
#undef DW_TRK_REASON_NAME
};

const char *dw_trk_reason_name(dw_trk_reason r)
{
    return (unsigned)r < DW_TRK_NREASONS ? reason_names[r] : "unknown";
}

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
    c->oosm_depth = 4;
    c->key_jump_after = 2;
    c->assoc = DW_ASSOC_GNN;
    c->jpda_pd = 0.9;
    c->jpda_clutter = 0.0;
    c->jpda_used = 0.5;
    c->jpda_hit = 0.5;
    c->jpda_max_events = 10000;
    c->jpda_max_size = 12;
    c->update = DW_UPDATE_EKF;
    c->ukf_alpha = 1.0;
    c->ukf_beta = 2.0;
    c->ukf_kappa = 0.0;
}

void dw_tracker_config_imm(dw_tracker_config *c, const dw_motion_model *maneuver, double p01,
                           double p10, double period_s)
{
    c->motion2 = *maneuver;
    c->imm_switch[0][0] = 1.0 - p01;
    c->imm_switch[0][1] = p01;
    c->imm_switch[1][0] = p10;
    c->imm_switch[1][1] = 1.0 - p10;
    c->imm_period_s = period_s;
}

void dw_tracker_destroy(dw_tracker *t)
{
    if (!t)
        return;
    free(t->pool);
    free(t->free_slots);
    free(t->live);
    free(t->live_of);
    free(t->modes);
    free(t->hist);
    free(t->keys);
    free(t->cache);
    free(t->assigned);
    free(t->dup_kill);
    free(t->near_confirmed);
    free(t->meas_taken);
    free(t->mpos);
    free(t->mcell);
    free(t->mok);
    free(t->unassigned);
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
    dw__jpda_destroy(t->jpda);
    free(t->jstart);
    free(t->jn);
    free(t->jb0);
    free(t->jpd);
    free(t->jloglam);
    free(t->jents);
    free(t->jlg);
    free(t->jlmiss);
    free(t->jbeta);
    free(t->jlv);
    free(t);
}

static int same_layout(const dw_motion_model *a, const dw_motion_model *b)
{
    if (a->nx != b->nx || a->n_pos != b->n_pos)
        return 0;
    for (int i = 0; i < a->n_pos; i++)
        if (a->pos_idx[i] != b->pos_idx[i] || a->vel_idx[i] != b->vel_idx[i])
            return 0;
    return 1;
}

static int imm_config_ok(const dw_tracker_config *c)
{
    /* the same layout, and at most one state more (a turn rate, last) */
    if (!c->motion2.predict || c->motion2.n_pos != c->motion.n_pos ||
        (c->motion2.nx != c->motion.nx && c->motion2.nx != c->motion.nx + 1) ||
        !(c->motion2.turn_sigma0 >= 0))
        return 0;
    dw_motion_model base = c->motion2;
    base.nx = c->motion.nx;
    if (!same_layout(&c->motion, &base))
        return 0;
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++)
            if (!(c->imm_switch[i][j] >= 0.0 && c->imm_switch[i][j] <= 1.0))
                return 0;
        if (fabs(c->imm_switch[i][0] + c->imm_switch[i][1] - 1.0) > 1e-9)
            return 0;
    }
    return c->imm_switch[0][1] + c->imm_switch[1][0] < 1.0 && c->imm_period_s >= 0.0;
}

/* The unscented update's parameters: the spread alpha positive, beta not
 * negative, and n + kappa positive for the smallest state (the first
 * model's), so that every sigma point lies at a real distance. */
static int ukf_config_ok(const dw_tracker_config *c)
{
    return c->update == DW_UPDATE_UKF && c->ukf_alpha > 0.0 && isfinite(c->ukf_alpha) &&
           c->ukf_beta >= 0.0 && isfinite(c->ukf_beta) && isfinite(c->ukf_kappa) &&
           (double)c->motion.nx + c->ukf_kappa > 0.0;
}

static int jpda_config_ok(const dw_tracker_config *c)
{
    return c->assoc == DW_ASSOC_JPDA && c->jpda_pd > 0.0 && c->jpda_pd <= 1.0 &&
           c->jpda_clutter >= 0.0 && isfinite(c->jpda_clutter) && c->jpda_used >= 0.0 &&
           c->jpda_used <= 1.0 && c->jpda_hit >= 0.0 && c->jpda_hit <= 1.0 &&
           c->jpda_max_events >= 1 && c->jpda_max_size >= 1 &&
           c->jpda_max_size <= 64;
}

dw_status dw_tracker_create(const dw_tracker_config *cfg, dw_tracker **out)
{
    if (!cfg || cfg->max_tracks == 0 || cfg->max_tracks > (1u << 30) || cfg->motion.nx <= 0 ||
        cfg->motion.nx > DW_TRK_MAX_X || cfg->motion.n_pos < 1 || cfg->motion.n_pos > 3 ||
        !cfg->motion.predict || !(cfg->gate > 0) || cfg->confirm_m < 1 ||
        cfg->confirm_n < cfg->confirm_m || cfg->confirm_n > 32 || cfg->delete_misses < 1 ||
        !(cfg->init_vel_sigma >= 0) || cfg->oosm_depth < 0 || cfg->oosm_depth > MAX_DEPTH ||
        !(cfg->key_gate >= 0) || cfg->key_jump_after < 0 || cfg->key_jump_after > 255 ||
        !(cfg->key_vel_sigma >= 0) || !isfinite(cfg->key_vel_sigma) ||
        (cfg->motion2.nx != 0 && !imm_config_ok(cfg)) ||
        (cfg->assoc != DW_ASSOC_GNN && !jpda_config_ok(cfg)) ||
        (cfg->update != DW_UPDATE_EKF && !ukf_config_ok(cfg)))
        return DW_ERR_INVALID;

    dw_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return DW_ERR_NOMEM;
    t->cfg = *cfg;
    t->key_gate = cfg->key_gate > 0 ? fmax(cfg->key_gate, cfg->gate) : 4.0 * cfg->gate;
    size_t n = cfg->max_tracks;
    const int nx = cfg->motion.nx;
    t->models[0] = cfg->motion;
    t->n_models = 1;
    t->mu0[0] = 1.0;
    if (cfg->motion2.nx) {
        t->n_models = 2;
        t->models[1] = cfg->motion2;
        double T = cfg->imm_period_s > 0 ? cfg->imm_period_s : 1.0;
        double a = cfg->imm_switch[0][1], b = cfg->imm_switch[1][0], s = a + b;
        t->imm_p01 = a;
        t->imm_p10 = b;
        t->imm_rate = s > 0 ? -log(1.0 - s) / T : 0.0;
        /* A new track starts from the chain's long-run share of each model. */
        t->mu0[0] = s > 0 ? b / s : 0.5;
        t->mu0[1] = 1.0 - t->mu0[0];
        t->modes = calloc(n, sizeof *t->modes);
    }
    t->depth = cfg->oosm_depth;
    if (t->depth) {
        size_t n_doubles = t->n_models > 1 ? 2 : 0;
        for (int j = 0; j < t->n_models; j++) {
            size_t m = (size_t)t->models[j].nx;
            n_doubles += m + m * (m + 1) / 2;
        }
        (void)nx;
        t->hist_stride = sizeof(hist) + sizeof(double) * n_doubles;
        t->hist = calloc(n * (size_t)t->depth, t->hist_stride);
    }
    size_t nk = 16;
    while (nk < 2 * n)
        nk *= 2;
    t->keys = calloc(nk, sizeof *t->keys);
    t->keys_mask = nk - 1;
    t->pool = calloc(n, sizeof *t->pool);
    t->free_slots = malloc(n * sizeof *t->free_slots);
    t->live = malloc(n * sizeof *t->live);
    t->live_of = malloc(n * sizeof *t->live_of);
    t->cache = malloc(n * sizeof *t->cache);
    t->assigned = malloc(n * sizeof *t->assigned);
    t->dup_kill = calloc(n, 1);
    t->overflow = malloc(n * sizeof *t->overflow);
    t->deleted = malloc(n * sizeof *t->deleted);
    t->loc_row = malloc(n * sizeof *t->loc_row);
    if (cfg->assoc == DW_ASSOC_JPDA) {
        t->jstart = malloc(n * sizeof *t->jstart);
        t->jn = malloc(n * sizeof *t->jn);
        t->jb0 = malloc(n * sizeof *t->jb0);
        t->jpd = malloc(n * sizeof *t->jpd);
        t->jloglam = malloc(n * sizeof *t->jloglam);
        if (!t->jstart || !t->jn || !t->jb0 || !t->jpd || !t->jloglam ||
            dw__jpda_create(&t->jpda) != DW_OK) {
            dw_tracker_destroy(t);
            return DW_ERR_NOMEM;
        }
    }
    if (!t->pool || !t->free_slots || !t->live || !t->live_of || !t->cache || !t->assigned ||
        !t->dup_kill ||
        !t->overflow || !t->deleted || !t->loc_row || !t->keys ||
        (t->n_models > 1 && !t->modes) || (t->depth && !t->hist) ||
        dw_assign_create(&t->assign) != DW_OK) {
        dw_tracker_destroy(t);
        return DW_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        t->free_slots[i] = (int)(n - 1 - i);
        t->loc_row[i] = -1;
        t->live_of[i] = -1;
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

int64_t dw_tracker_last_update_by(const dw_tracker *t, const dw_trk *k, int sensor_idx)
{
    if (!t || !k || sensor_idx < 0 || sensor_idx >= MAX_SENSORS)
        return INT64_MIN;
    /* k must be a live track of this tracker's pool (not a copy: the deleted list). */
    uintptr_t base = (uintptr_t)&t->pool[0].pub, at = (uintptr_t)k;
    if (at < base || (at - base) % sizeof *t->pool)
        return INT64_MIN;
    size_t si = (at - base) / sizeof *t->pool;
    if (si >= t->cfg.max_tracks || &t->pool[si].pub != k)
        return INT64_MIN;
    int64_t v = t->pool[si].last_by_sensor[sensor_idx];
    return (k->sensor_mask & (1u << sensor_idx)) && v > INT64_MIN / 2 ? v : INT64_MIN;
}

size_t dw_tracker_deleted(const dw_tracker *t, const dw_trk **dead)
{
    *dead = t->deleted;
    return t->n_deleted;
}

size_t dw_tracker_unassigned(const dw_tracker *t, const uint32_t **idx)
{
    *idx = t->unassigned;
    return t->n_unassigned;
}

void dw_tracker_get_stats(const dw_tracker *t, dw_tracker_stats *out) { *out = t->stats; }

static inline const void *ctx_of(const sensor *s, const dw_meas *m)
{
    return m->ctx ? m->ctx : s->ctx;
}

/* The model of measurement m from sensor s: its own, or the sensor's. */
static inline const dw_meas_model *model_of(const sensor *s, const dw_meas *m)
{
    return m->model ? m->model : s->model;
}

/* A model's measurement dimension on this tracker (nz 0: the position axes). */
static inline int nz_of(const dw_tracker *t, const dw_meas_model *md)
{
    return md->nz ? md->nz : t->cfg.motion.n_pos;
}

/* Sensor s as measurement m sees it: with m's own model, when it has one. */
static inline sensor meas_sensor(const dw_tracker *t, const sensor *s, const dw_meas *m)
{
    if (!m->model || m->model == s->model)
        return *s;
    return (sensor){m->model, s->ctx, nz_of(t, m->model)};
}

/* Is m linearised apart from the batch (its own context, or a model other
 * than the batch's, sb; s is the sensor's own)? */
static inline int own_lin(const sensor *s, const sensor *sb, const dw_meas *m)
{
    return (m->ctx && m->ctx != s->ctx) || model_of(s, m) != sb->model;
}

/* The pool slot of a track the tracker handed out, or -1 (a caller's copy). */
static int slot_of(const dw_tracker *t, const dw_trk *k)
{
    uintptr_t a = (uintptr_t)k, b = (uintptr_t)t->pool;
    if (a < b || a >= b + t->cfg.max_tracks * sizeof(slot) || (a - b) % sizeof(slot) != 0)
        return -1;
    return (int)((a - b) / sizeof(slot));
}

/* ---- identity keys ------------------------------------------------------ */

static inline size_t key_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}

static int key_find(const dw_tracker *t, uint64_t key)
{
    for (size_t i = key_hash(key) & t->keys_mask;; i = (i + 1) & t->keys_mask) {
        if (t->keys[i].key == key)
            return t->keys[i].slot;
        if (t->keys[i].key == 0)
            return -1;
    }
}

static void key_put(dw_tracker *t, uint64_t key, int si)
{
    size_t i = key_hash(key) & t->keys_mask;
    while (t->keys[i].key != 0 && t->keys[i].key != key)
        i = (i + 1) & t->keys_mask;
    t->keys[i] = (keyent){key, si};
}

/* Remove by backward shift, so lookups need no tombstones. */
static void key_del(dw_tracker *t, uint64_t key)
{
    size_t m = t->keys_mask, i = key_hash(key) & m;
    while (t->keys[i].key != key) {
        if (t->keys[i].key == 0)
            return;
        i = (i + 1) & m;
    }
    for (size_t j = (i + 1) & m;; j = (j + 1) & m) {
        if (t->keys[j].key == 0)
            break;
        size_t home = key_hash(t->keys[j].key) & m;
        /* j's entry may fill hole i unless its home lies cyclically in (i, j] */
        if (((j - home) & m) >= ((j - i) & m)) {
            t->keys[i] = t->keys[j];
            i = j;
        }
    }
    t->keys[i].key = 0;
}

static void drop_key(dw_tracker *t, dw_trk *k)
{
    if (!k->id_key)
        return;
    key_del(t, k->id_key);
    k->id_key = 0;
    k->id_key_flags = 0;
}

/* Track slot si takes key `key` (from a report with `flags`); whoever held
 * it loses it. */
static void take_key(dw_tracker *t, int si, uint64_t key, uint32_t flags)
{
    dw_trk *k = &t->pool[si].pub;
    if (k->id_key == key)
        return;
    int h = key_find(t, key);
    if (h >= 0 && h != si) {
        dw_trk *o = &t->pool[h].pub;
        o->id_key = 0;
        o->id_key_flags = 0;
        t->stats.key_jumps++;
    }
    drop_key(t, k);
    k->id_key = key;
    k->id_key_flags = flags & DW_MEAS_COOPERATIVE;
    t->pool[si].key_miss = 0;
    key_put(t, key, si);
}

/* ---- motion: one model or the IMM -------------------------------------- */

/* The two-state switching chain over dt: pi[i][j] = P(model j at t+dt | model i at t). */
static void imm_pi(const dw_tracker *t, double dt, double pi[2][2])
{
    double s = t->imm_p01 + t->imm_p10;
    double f = s > 0 ? (1.0 - exp(-t->imm_rate * fabs(dt))) / s : 0.0;
    pi[0][1] = t->imm_p01 * f;
    pi[0][0] = 1.0 - pi[0][1];
    pi[1][0] = t->imm_p10 * f;
    pi[1][1] = 1.0 - pi[1][0];
}

/* Mix the mode estimates of md and predict each to t_us: xp, Pp and the
 * predicted model probabilities c. */
/* Mode i's estimate in mode j's dimension: a state mode i does not have (the
 * turn rate) is 0 with its prior variance and no correlation; one mode j does
 * not have is dropped. */
static void mode_as(const dw_tracker *t, const modes *md, int i, int j, double *x, double *P)
{
    const int ni = t->models[i].nx, nj = t->models[j].nx, nm = ni < nj ? ni : nj;
    for (int a = 0; a < nj; a++) {
        x[a] = a < nm ? md->x[i][a] : 0.0;
        for (int b = 0; b < nj; b++)
            P[a * nj + b] = a < nm && b < nm ? md->P[i][a * ni + b] : 0.0;
    }
    for (int a = nm; a < nj; a++)
        P[a * nj + a] = t->models[j].turn_sigma0 * t->models[j].turn_sigma0;
}

/* Mix the mode estimates of md and predict each to t_us: xp, Pp (each in its
 * mode's dimension) and the predicted model probabilities c. */
static void imm_predict(const dw_tracker *t, const modes *md, int64_t t_us, double xp[2][MX],
                        double Pp[2][MXX], double c[2])
{
    const double dt = (double)(t_us - md->t_us) * 1e-6;
    double pi[2][2];
    imm_pi(t, dt, pi);
    for (int j = 0; j < 2; j++) {
        const int nj = t->models[j].nx;
        c[j] = pi[0][j] * md->mu[0] + pi[1][j] * md->mu[1];
        double w[2], xi[2][MX], Pi[2][MXX];
        for (int i = 0; i < 2; i++) {
            w[i] = c[j] > 0 ? pi[i][j] * md->mu[i] / c[j] : (double)(i == j);
            mode_as(t, md, i, j, xi[i], Pi[i]);
        }
        for (int a = 0; a < nj; a++)
            xp[j][a] = w[0] * xi[0][a] + w[1] * xi[1][a];
        for (int a = 0; a < nj * nj; a++)
            Pp[j][a] = 0.0;
        for (int i = 0; i < 2; i++) {
            if (w[i] == 0.0)
                continue;
            double d[MX];
            for (int a = 0; a < nj; a++)
                d[a] = xi[i][a] - xp[j][a];
            for (int a = 0; a < nj; a++)
                for (int b = 0; b < nj; b++)
                    Pp[j][a * nj + b] += w[i] * (Pi[i][a * nj + b] + d[a] * d[b]);
        }
        t->models[j].predict(&t->models[j], xp[j], Pp[j], dt);
    }
}

/* x, P (nx) = the mixture of the first nx states of (x0, P0) and (x1, P1),
 * whose dimensions are n0 and n1, with weights c. */
static void imm_combine(int nx, const double c[2], const double *x0, const double *P0, int n0,
                        const double *x1, const double *P1, int n1, double *x, double *P)
{
    const double *xm[2] = {x0, x1}, *Pm[2] = {P0, P1};
    const int nm[2] = {n0, n1};
    for (int a = 0; a < nx; a++)
        x[a] = c[0] * x0[a] + c[1] * x1[a];
    for (int a = 0; a < nx * nx; a++)
        P[a] = 0.0;
    for (int j = 0; j < 2; j++) {
        double d[DW_TRK_MAX_X];
        for (int a = 0; a < nx; a++)
            d[a] = xm[j][a] - x[a];
        for (int a = 0; a < nx; a++)
            for (int b = 0; b < nx; b++)
                P[a * nx + b] += c[j] * (Pm[j][a * nm[j] + b] + d[a] * d[b]);
    }
    dw__mat_symmetrize(P, nx);
}

/* The combined estimate of an IMM track at t_us, from its mode estimates. */
static void imm_state_at(const dw_tracker *t, const modes *md, int64_t t_us, double *x, double *P,
                         double *prob)
{
    double xp[2][MX], Pp[2][MXX], c[2];
    imm_predict(t, md, t_us, xp, Pp, c);
    imm_combine(t->cfg.motion.nx, c, xp[0], Pp[0], t->models[0].nx, xp[1], Pp[1], t->models[1].nx,
                x, P);
    if (prob) {
        prob[0] = c[0];
        prob[1] = c[1];
    }
}

static void predict_to(dw_tracker *t, dw_trk *k, int64_t t_us)
{
    if (k->t_us == t_us)
        return;
    if (t->n_models > 1) {
        int si = slot_of(t, k);
        imm_state_at(t, &t->modes[si], t_us, k->x, k->P, k->model_prob);
        k->t_us = t_us;
        return;
    }
    double dt = (double)(t_us - k->t_us) * 1e-6;
    t->cfg.motion.predict(&t->cfg.motion, k->x, k->P, dt);
    k->t_us = t_us;
}

/* The estimate of live track slot si at t_us without changing it. */
static void state_at(const dw_tracker *t, int si, int64_t t_us, double *x, double *P)
{
    const dw_trk *k = &t->pool[si].pub;
    const int nx = t->cfg.motion.nx;
    if (t->n_models > 1 && k->t_us != t_us) {
        imm_state_at(t, &t->modes[si], t_us, x, P, NULL);
        return;
    }
    memcpy(x, k->x, sizeof(double) * (size_t)nx);
    memcpy(P, k->P, sizeof(double) * (size_t)(nx * nx));
    if (k->t_us != t_us)
        t->cfg.motion.predict(&t->cfg.motion, x, P, (double)(t_us - k->t_us) * 1e-6);
}

void dw_tracker_predict_copy(const dw_tracker *t, const dw_trk *k, int64_t t_us, dw_trk *out)
{
    *out = *k;
    if (k->t_us == t_us)
        return;
    int si = slot_of(t, k);
    if (t->n_models > 1 && si >= 0 && t->pool[si].pub.id == k->id) {
        imm_state_at(t, &t->modes[si], t_us, out->x, out->P, out->model_prob);
    } else {
        /* a copy the caller kept (a deleted track): the first model */
        t->cfg.motion.predict(&t->cfg.motion, out->x, out->P, (double)(t_us - k->t_us) * 1e-6);
    }
    out->t_us = t_us;
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
    GROW(t->near_confirmed, cap, 0);
    GROW(t->mpos, cap, 0);
    GROW(t->mcell, cap, 0);
    GROW(t->mok, cap, 0);
    GROW(t->unassigned, cap, 0);
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

/* JPDA: one cluster's log-likelihoods and betas for r tracks and c
 * measurements, and room for `more` entries. */
static dw_status reserve_jpda(dw_tracker *t, size_t r, size_t c, size_t more)
{
    size_t need = r * (c + 1);
    if (need > t->jcl_cap) {
        size_t cap = 64;
        while (cap < need)
            cap *= 2;
        GROW(t->jlg, cap, 0);
        GROW(t->jbeta, cap, 0);
        GROW(t->jlmiss, cap, 0);
        GROW(t->jlv, cap, 0);
        t->jcl_cap = cap;
    }
    if (t->n_jents + more > t->jents_cap) {
        size_t cap = t->jents_cap ? t->jents_cap : 256;
        while (cap < t->n_jents + more)
            cap *= 2;
        GROW(t->jents, cap, 0);
        t->jents_cap = cap;
    }
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

/* Predicted measurement, H and H P H^T of the state (x, P) of dimension nxs:
 * the track's (mm->nx), or an IMM mode's with a turn rate after the track's
 * states. The model sees the track's layout only (h is called with mm on the
 * first mm->nx states); the turn rate's column of H is zero. */
static int linearise_n(const dw_motion_model *mm, int nxs, const sensor *s, const void *ctx,
                       const double *x, const double *P, cache *c)
{
    const int nx = mm->nx, nz = s->nz;
    if (s->model->h_selects_pos) {
        /* H is a selection: the same numbers as the products below, for
         * finite P, at a fraction of the work (c->H is not needed) */
        const int *pi = mm->pos_idx;
        for (int a = 0; a < nz; a++) {
            c->zpred[a] = x[pi[a]];
            for (int b = 0; b < nz; b++)
                c->HPH[a * nz + b] = P[pi[a] * nxs + pi[b]];
        }
        return 0;
    }
    if (nxs == nx) {
        if (s->model->h(ctx, mm, x, c->zpred, c->H) != 0)
            return -1;
    } else {
        double Hb[DW_TRK_MAX_Z * DW_TRK_MAX_X];
        if (s->model->h(ctx, mm, x, c->zpred, Hb) != 0)
            return -1;
        for (int i = 0; i < nz; i++)
            for (int a = 0; a < nxs; a++)
                c->H[i * nxs + a] = a < nx ? Hb[i * nx + a] : 0.0;
    }
    double HP[DW_TRK_MAX_Z * MX];
    dw__mat_mul(c->H, P, HP, nz, nxs, nxs);
    dw__mat_mul_bt(HP, c->H, c->HPH, nz, nxs, nz);
    return 0;
}

static inline int linearise(const dw_motion_model *mm, const sensor *s, const void *ctx,
                            const double *x, const double *P, cache *c)
{
    return linearise_n(mm, mm->nx, s, ctx, x, P, c);
}

/* dw__spd_inverse, with the log-determinant for the IMM's likelihoods. */
static int spd_inverse(const double *A, int n, double *inv, double *logdet)
{
    return dw__spd_inverse(A, n, inv, logdet);
}

/* The same without it, for the gate test (the hot loop): flattened, so the
 * logarithms of the determinant are not computed at all. */
static __attribute__((flatten)) int spd_inverse_nold(const double *A, int n, double *inv)
{
    return dw__spd_inverse(A, n, inv, NULL);
}

/* Normalised innovation squared of measurement m against a linearised track,
 * and with logdet the log-determinant of S. */
static inline int innovation(const sensor *s, const void *ctx, const cache *c, const dw_meas *m,
                             double *nu, double *Sinv, double *d2, double *logdet)
{
    const int nz = s->nz;
    double S[DW_TRK_MAX_Z * DW_TRK_MAX_Z];
    for (int i = 0; i < nz * nz; i++)
        S[i] = c->HPH[i] + m->R[i];
    if ((logdet ? spd_inverse(S, nz, Sinv, logdet) : spd_inverse_nold(S, nz, Sinv)) != 0)
        return -1;
    s->model->residual(ctx, nz, m->z, c->zpred, nu);
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

/* log det of w A + (1 - w) B for symmetric positive definite A, B (n x n). */
static double logdet_mix(const double *A, const double *B, int n, double w)
{
    double M[NZZ], inv[NZZ], ld;
    for (int i = 0; i < n * n; i++)
        M[i] = w * A[i] + (1.0 - w) * B[i];
    return spd_inverse(M, n, inv, &ld) == 0 ? ld : -INFINITY;
}

/* The covariance-intersection weight for measurement m against a track whose
 * predicted measurement covariance is HPH: the w in [0, 1] that minimises the
 * determinant of the fused covariance (w HPH^-1 + (1 - w) R^-1)^-1, i.e.
 * maximises the log-determinant of the fused information, a concave function
 * of w: golden-section search to 1e-10. 1 means the measurement adds nothing. */
static double ci_weight(int nz, const double *HPH, const double *R)
{
    double Ai[NZZ], Bi[NZZ];
    if (spd_inverse(HPH, nz, Ai, NULL) != 0)
        return 0.0;   /* no information in the track: take the measurement's */
    if (spd_inverse(R, nz, Bi, NULL) != 0)
        return 1.0;
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double a = 0.0, b = 1.0;
    double x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = logdet_mix(Ai, Bi, nz, x1), f2 = logdet_mix(Ai, Bi, nz, x2);
    while (b - a > 1e-10) {
        if (f1 < f2) {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + g * (b - a);
            f2 = logdet_mix(Ai, Bi, nz, x2);
        } else {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - g * (b - a);
            f1 = logdet_mix(Ai, Bi, nz, x1);
        }
    }
    /* the ends, where the optimum often is (one estimate dominates) */
    double w = 0.5 * (a + b), fw = logdet_mix(Ai, Bi, nz, w);
    if (logdet_mix(Ai, Bi, nz, 1.0) >= fw)
        return 1.0;
    if (logdet_mix(Ai, Bi, nz, 0.0) >= fw)
        w = 0.0;
    return w;
}

/* The smallest weight the track's estimate keeps in a CI update: below it
 * P / w loses its precision. */
#define CI_W_MIN 1e-4
/* Above this the measurement adds nothing and the state is left alone. */
#define CI_W_MAX (1.0 - 1e-9)

/* Covariance intersection of (x, P) with m at weight w < 1, in the space of
 * the measurement: the track's predicted measurement (y, S = H P H^T) and m
 * (z, R) fuse to S+ = (w S^-1 + (1 - w) R^-1)^-1 and y+ = y + S+ (1 - w)
 * R^-1 nu; the rest of the state follows as conditioned on y, through our own
 * filter's gain G = P H^T S^-1: x += G (y+ - y), P -= G (S - S+) G^T. Where
 * the partner sees the whole state this is the textbook CI; where it sees
 * part (a position), the rest is not inflated by 1 / w, which a partner's
 * position much better than a young or back-predicted track (w near 0) made a
 * velocity sigma of hundreds of m/s, and a track that gated any plot.
 * Returns 0, or -1 (not linearisable, a matrix not positive definite). */
static int ci_fuse(const dw_motion_model *mm, int nxs, const sensor *s, const void *ctx,
                   const dw_meas *m, double w, double *x, double *P)
{
    const int nx = nxs, nz = s->nz;
    cache c;
    if (linearise_n(mm, nxs, s, ctx, x, P, &c) != 0)
        return -1;
    double Si[NZZ], Ri[NZZ], A[NZZ], Sp[NZZ], nu[DW_TRK_MAX_Z], t1[DW_TRK_MAX_Z], dy[DW_TRK_MAX_Z];
    if (spd_inverse(c.HPH, nz, Si, NULL) != 0 || spd_inverse(m->R, nz, Ri, NULL) != 0)
        return -1;
    for (int i = 0; i < nz * nz; i++)
        A[i] = w * Si[i] + (1.0 - w) * Ri[i];
    if (spd_inverse(A, nz, Sp, NULL) != 0)
        return -1;
    s->model->residual(ctx, nz, m->z, c.zpred, nu);
    for (int i = 0; i < nz; i++) {
        double a = 0;
        for (int j = 0; j < nz; j++)
            a += Ri[i * nz + j] * nu[j];
        t1[i] = (1.0 - w) * a;
    }
    for (int i = 0; i < nz; i++) {
        double a = 0;
        for (int j = 0; j < nz; j++)
            a += Sp[i * nz + j] * t1[j];
        dy[i] = a;
    }
    double PHt[MX * DW_TRK_MAX_Z], G[MX * DW_TRK_MAX_Z], D[NZZ], GD[MX * DW_TRK_MAX_Z];
    if (s->model->h_selects_pos) {
        for (int i = 0; i < nx; i++)
            for (int a = 0; a < nz; a++)
                PHt[i * nz + a] = P[i * nx + mm->pos_idx[a]];
    } else {
        dw__mat_mul_bt(P, c.H, PHt, nx, nx, nz);
    }
    dw__mat_mul(PHt, Si, G, nx, nz, nz);
    for (int i = 0; i < nz * nz; i++)
        D[i] = c.HPH[i] - Sp[i];
    dw__mat_mul(G, D, GD, nx, nz, nz);
    for (int i = 0; i < nx; i++) {
        double a = 0;
        for (int j = 0; j < nz; j++)
            a += G[i * nz + j] * dy[j];
        x[i] += a;
    }
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < nx; j++) {
            double a = 0;
            for (int l = 0; l < nz; l++)
                a += GD[i * nz + l] * G[j * nz + l];
            P[i * nx + j] -= a;
        }
    dw__mat_symmetrize(P, nx);
    return 0;
}

/* Update (x, P) by m in place: the Kalman update, or with w < 1 covariance
 * intersection with weight w (ci_fuse; d2 and the log-determinant then of
 * S / w + R / (1 - w), the innovation's covariance as CI sees it).
 * Returns 0 with d2 (and the log-determinant of S), or -1 when the model
 * cannot linearise here or S is not positive definite: x, P untouched. */
static __attribute__((noinline)) int ekf_update_ci(const dw_motion_model *mm, int nxs,
                                                   const sensor *s, const void *ctx,
                                                   const dw_meas *m, double w, double *x,
                                                   double *P, double *d2, double *logdet)
{
    const int nx = nxs, nz = s->nz;
    cache c;
    double Pci[MXX];
    dw_meas mci = *m;
    for (int i = 0; i < nx * nx; i++)
        Pci[i] = P[i] / w;
    for (int i = 0; i < nz * nz; i++)
        mci.R[i] = m->R[i] / (1.0 - w);
    double nu[DW_TRK_MAX_Z], Sinv[NZZ], dd;
    if (linearise_n(mm, nxs, s, ctx, x, Pci, &c) != 0 ||
        innovation(s, ctx, &c, &mci, nu, Sinv, &dd, logdet) != 0 ||
        ci_fuse(mm, nxs, s, ctx, m, w, x, P) != 0)
        return -1;
    *d2 = dd;
    return 0;
}

static int ekf_update(const dw_motion_model *mm, int nxs, const sensor *s, const void *ctx,
                      const dw_meas *m, double w, double *x, double *P, double *d2, double *logdet)
{
    if (w < 1.0)
        return ekf_update_ci(mm, nxs, s, ctx, m, w, x, P, d2, logdet);
    const int nx = nxs, nz = s->nz;
    cache c;
    if (linearise_n(mm, nxs, s, ctx, x, P, &c) != 0)
        return -1;
    double nu[DW_TRK_MAX_Z], Sinv[DW_TRK_MAX_Z * DW_TRK_MAX_Z], dd;
    if (innovation(s, ctx, &c, m, nu, Sinv, &dd, logdet) != 0)
        return -1;
    /* K = P H^T S^-1 */
    double PHt[MX * DW_TRK_MAX_Z], K[MX * DW_TRK_MAX_Z];
    if (s->model->h_selects_pos) {
        for (int i = 0; i < nx; i++)
            for (int a = 0; a < nz; a++)
                PHt[i * nz + a] = P[i * nx + mm->pos_idx[a]];
    } else {
        dw__mat_mul_bt(P, c.H, PHt, nx, nx, nz);
    }
    dw__mat_mul(PHt, Sinv, K, nx, nz, nz);
    for (int i = 0; i < nx; i++) {
        double a = 0;
        for (int j = 0; j < nz; j++)
            a += K[i * nz + j] * nu[j];
        x[i] += a;
    }
    /* P <- P - K (H P) = P - K (P H^T)^T */
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < nx; j++) {
            double a = 0;
            for (int l = 0; l < nz; l++)
                a += K[i * nz + l] * PHt[j * nz + l];
            P[i * nx + j] -= a;
        }
    dw__mat_symmetrize(P, nx);
    *d2 = dd;
    return 0;
}

/* The lower Cholesky factor L of the symmetric n x n P (P = L L^T, row-major,
 * the upper triangle zero). Returns 0, or -1 if P is not positive definite. */
static int cholesky(const double *P, int n, double *L)
{
    for (int j = 0; j < n; j++) {
        double d = P[j * n + j];
        for (int k = 0; k < j; k++)
            d -= L[j * n + k] * L[j * n + k];
        if (!(d > 0))
            return -1;
        d = sqrt(d);
        L[j * n + j] = d;
        for (int i = j + 1; i < n; i++) {
            double v = P[i * n + j];
            for (int k = 0; k < j; k++)
                v -= L[i * n + k] * L[j * n + k];
            L[i * n + j] = v / d;
            L[j * n + i] = 0.0;
        }
    }
    return 0;
}

/* The unscented update of (x, P) (dimension nxs) by m, in place; the
 * parameters are the config's (tracker.h). With the sigma points
 * X_0 = x, X_(2j+1, 2j+2) = x +- g L_j (g = sqrt(n + lambda), L_j the j-th
 * column of P's Cholesky factor) and Z_i = h(X_i):
 *   d_i  = residual(Z_i, Z_0), the deviations in the measurement's own
 *          differences (angles wrapped about the centre's, so that a spread
 *          across north averages to north, not south);
 *   zhat = Z_0 + sum W_i d_i (W_0 d_0 = 0);
 *   S    = sum Wc_i (d_i - dbar)(d_i - dbar)^T + R;
 *   Pxz  = sum W_i (X_i - x)(d_i - dbar)^T = W g sum_j L_j (d_2j+1 - d_2j+2)^T
 *          (the sigma points' mean is x);
 *   x   += K residual(z, zhat),  P -= K Pxz^T,  K = Pxz S^-1.
 * Deviations rather than the Z_i themselves are summed, so that a centre
 * weight far from 1 (a small alpha: -10^6 at alpha 10^-3) does not cancel
 * the digits of an ECEF-sized h. The model sees the track's layout: an IMM
 * mode's turn rate moves its sigma points, whose h ignores it.
 * Returns 0 with d2 = nu' S^-1 nu (and logdet of S); -1 (x, P untouched)
 * when P or S is not positive definite or h fails at a sigma point. */
static int ukf_update(const dw_tracker *t, const dw_motion_model *mm, int nxs, const sensor *s,
                      const void *ctx, const dw_meas *m, double *x, double *P, double *d2,
                      double *logdet)
{
    const int n = nxs, nz = s->nz;
    const double al = t->cfg.ukf_alpha, c = al * al * ((double)n + t->cfg.ukf_kappa);
    if (!(c > 0.0))
        return -1;
    const double lam = c - (double)n, g = sqrt(c), wi = 0.5 / c;
    const double wc0 = lam / c + 1.0 - al * al + t->cfg.ukf_beta;
    double L[MXX], z0[DW_TRK_MAX_Z], d[2 * MX][DW_TRK_MAX_Z], Hs[DW_TRK_MAX_Z * DW_TRK_MAX_X];
    if (cholesky(P, n, L) != 0 || s->model->h(ctx, mm, x, z0, Hs) != 0)
        return -1;
    for (int j = 0; j < n; j++)
        for (int sg = 0; sg < 2; sg++) {
            double xs[MX], zs[DW_TRK_MAX_Z];
            const double f = sg ? -g : g;
            for (int a = 0; a < n; a++)
                xs[a] = x[a] + f * L[a * n + j];
            if (s->model->h(ctx, mm, xs, zs, Hs) != 0)
                return -1;
            s->model->residual(ctx, nz, zs, z0, d[2 * j + sg]);
        }
    double dbar[DW_TRK_MAX_Z], zhat[DW_TRK_MAX_Z], S[NZZ] = {0}, Pxz[MX * DW_TRK_MAX_Z];
    for (int i = 0; i < nz; i++) {
        double a = 0.0;
        for (int q = 0; q < 2 * n; q++)
            a += d[q][i];
        dbar[i] = wi * a;
        zhat[i] = z0[i] + dbar[i];
    }
    for (int i = 0; i < nz; i++)
        for (int k = 0; k <= i; k++) {
            double a = 0.0;
            for (int q = 0; q < 2 * n; q++)
                a += (d[q][i] - dbar[i]) * (d[q][k] - dbar[k]);
            S[i * nz + k] = S[k * nz + i] = wi * a + wc0 * dbar[i] * dbar[k];
        }
    for (int i = 0; i < nz * nz; i++)
        S[i] += m->R[i];
    for (int a = 0; a < n; a++)
        for (int i = 0; i < nz; i++) {
            double v = 0.0;
            for (int j = 0; j < n; j++)
                v += L[a * n + j] * (d[2 * j][i] - d[2 * j + 1][i]);
            Pxz[a * nz + i] = wi * g * v;
        }
    double Sinv[NZZ], nu[DW_TRK_MAX_Z], K[MX * DW_TRK_MAX_Z];
    if (spd_inverse(S, nz, Sinv, logdet) != 0)
        return -1;
    s->model->residual(ctx, nz, m->z, zhat, nu);
    double r = 0.0;
    for (int i = 0; i < nz; i++) {
        double a = 0.0;
        for (int j = 0; j < nz; j++)
            a += Sinv[i * nz + j] * nu[j];
        r += nu[i] * a;
    }
    dw__mat_mul(Pxz, Sinv, K, n, nz, nz);
    for (int a = 0; a < n; a++) {
        double v = 0.0;
        for (int j = 0; j < nz; j++)
            v += K[a * nz + j] * nu[j];
        x[a] += v;
    }
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            double v = 0.0;
            for (int l = 0; l < nz; l++)
                v += K[a * nz + l] * Pxz[b * nz + l];
            P[a * n + b] -= v;
        }
    dw__mat_symmetrize(P, n);
    *d2 = r;
    return 0;
}

/* The Kalman update of (x, P) by m as the config says: unscented for a model
 * that is not a selection of the position axes with DW_UPDATE_UKF (falling
 * back to the EKF where it cannot be had), else ekf_update (which with w < 1
 * is covariance intersection, always linearised). */
static int kf_update(dw_tracker *t, const dw_motion_model *mm, int nxs, const sensor *s,
                     const void *ctx, const dw_meas *m, double w, double *x, double *P,
                     double *d2, double *logdet)
{
    if (t->cfg.update == DW_UPDATE_UKF && w >= 1.0 && !s->model->h_selects_pos) {
        if (ukf_update(t, mm, nxs, s, ctx, m, x, P, d2, logdet) == 0) {
            t->stats.ukf_updates++;
            return 0;
        }
        t->stats.ukf_fallbacks++;
    }
    return ekf_update(mm, nxs, s, ctx, m, w, x, P, d2, logdet);
}

/* d2 of m against (x, P) without changing them; -1 if it cannot be had. */
static int plain_d2(const dw_motion_model *mm, const sensor *s, const void *ctx, const dw_meas *m,
                    const double *x, const double *P, cache *c, double *d2)
{
    double nu[DW_TRK_MAX_Z], Sinv[NZZ];
    if (linearise(mm, s, ctx, x, P, c) != 0)
        return -1;
    return innovation(s, ctx, c, m, nu, Sinv, d2, NULL);
}

/* log(e^a + e^b), for sums of likelihoods far from 1. */
static inline double log_add(double a, double b)
{
    if (a < b) {
        double c = a;
        a = b;
        b = c;
    }
    return b == -INFINITY ? a : a + log1p(exp(b - a));
}

/* The probabilistic data association update of (x, P) (dimension nxs) by the
 * ne measurements m[e[q].meas], each with the chance e[q].beta of being the
 * track's (the rest, beta_0, that none is), linearised once at x with the
 * sensor's own context. With u_q = S_q^-1 nu_q and G = P H^T:
 *   x += G sum beta_q u_q,
 *   P -= G (W - U + u u^T) G^T,  W = sum beta_q S_q^-1, U = sum beta_q u_q u_q^T,
 *        u = sum beta_q u_q,
 * which, when the measurements share one R (one S, K = G S^-1, nu = sum
 * beta_q nu_q), is the textbook x += K nu, P -= (1 - beta_0) K S K^T -
 * K (sum beta_q nu_q nu_q^T - nu nu^T) K^T; with an R of its own per
 * measurement it is the moment-matched mixture of the Kalman updates by each
 * one and of the prediction.
 * Also: d2_best, the normalised innovation squared of m[best]; with loglik the
 * log-likelihood of the batch under this estimate, ln((1 - pd) + pd / lam
 * sum N(nu_q; 0, S_q)) (log_lam = ln lam), which weighs an IMM's modes; and
 * with eq the equivalent measurement (z, R) whose Kalman update from the
 * same (x, P) gives the same posterior: S_eq = (W - U + u u^T)^-1,
 * R = S_eq - H P H^T, z = zpred + S_eq u. It exists when that matrix is
 * positive definite; when the spread of the measurements is too large for it,
 * the spread is left out (S_eq = W^-1: the mean exact, P smaller by the
 * spread term), and failing that it is m[best] itself. The out-of-sequence
 * history keeps it: a re-run filters it in as a plain measurement.
 * Returns 0, or -1 when the model cannot linearise here or an S is not
 * positive definite (x, P untouched). */
static int pda_update(const dw_motion_model *mm, int nxs, const sensor *s, const dw_meas *m,
                      const jent *e, int ne, double pd, double log_lam, int best, double *x,
                      double *P, double *d2_best, double *loglik, dw_meas *eq)
{
    const int nx = nxs, nz = s->nz;
    cache c;
    if (linearise_n(mm, nxs, s, s->ctx, x, P, &c) != 0)
        return -1;
    double W[NZZ] = {0}, U[NZZ] = {0}, ub[DW_TRK_MAX_Z] = {0};
    double lsum = -INFINITY, db = 0.0;
    const double lnorm = -0.5 * nz * log(2.0 * M_PI);
    for (int q = 0; q < ne; q++) {
        const dw_meas *mq = &m[e[q].meas];
        double nu[DW_TRK_MAX_Z], Si[NZZ], u[DW_TRK_MAX_Z], d2, ld = 0.0;
        if (innovation(s, s->ctx, &c, mq, nu, Si, &d2, loglik ? &ld : NULL) != 0)
            return -1;
        const double b = e[q].beta;
        for (int i = 0; i < nz; i++) {
            double a = 0;
            for (int j = 0; j < nz; j++)
                a += Si[i * nz + j] * nu[j];
            u[i] = a;
        }
        for (int i = 0; i < nz; i++) {
            ub[i] += b * u[i];
            for (int j = 0; j < nz; j++) {
                W[i * nz + j] += b * Si[i * nz + j];
                U[i * nz + j] += b * u[i] * u[j];
            }
        }
        if (loglik)
            lsum = log_add(lsum, lnorm - 0.5 * (d2 + ld));
        if (e[q].meas == best)
            db = d2;
    }
    double Y[NZZ];
    for (int i = 0; i < nz; i++)
        for (int j = 0; j < nz; j++)
            Y[i * nz + j] = W[i * nz + j] - U[i * nz + j] + ub[i] * ub[j];
    if (eq) {
        /* before x moves: the equivalent measurement is relative to the prior */
        double Seq[NZZ], Req[NZZ], Ri[NZZ];
        int found = 0;
        for (int pass = 0; pass < 2 && !found; pass++) {
            if (spd_inverse(pass == 0 ? Y : W, nz, Seq, NULL) != 0)
                continue;
            for (int i = 0; i < nz * nz; i++)
                Req[i] = Seq[i] - c.HPH[i];
            dw__mat_symmetrize(Req, nz);
            found = spd_inverse(Req, nz, Ri, NULL) == 0;
        }
        *eq = m[best];
        eq->ctx = NULL;
        eq->flags = 0;
        eq->id_key = 0;
        if (found) {
            for (int i = 0; i < nz; i++) {
                double a = 0;
                for (int j = 0; j < nz; j++)
                    a += Seq[i * nz + j] * ub[j];
                eq->z[i] = c.zpred[i] + a;
            }
            memcpy(eq->R, Req, sizeof(double) * (size_t)(nz * nz));
        }
    }
    /* G = P H^T */
    double G[MX * DW_TRK_MAX_Z], GY[MX * DW_TRK_MAX_Z];
    if (s->model->h_selects_pos) {
        for (int i = 0; i < nx; i++)
            for (int a = 0; a < nz; a++)
                G[i * nz + a] = P[i * nx + mm->pos_idx[a]];
    } else {
        dw__mat_mul_bt(P, c.H, G, nx, nx, nz);
    }
    for (int i = 0; i < nx; i++) {
        double a = 0;
        for (int j = 0; j < nz; j++)
            a += G[i * nz + j] * ub[j];
        x[i] += a;
    }
    dw__mat_mul(G, Y, GY, nx, nz, nz);
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < nx; j++) {
            double a = 0;
            for (int l = 0; l < nz; l++)
                a += GY[i * nz + l] * G[j * nz + l];
            P[i * nx + j] -= a;
        }
    dw__mat_symmetrize(P, nx);
    *d2_best = db;
    if (loglik)
        *loglik = log_add(log1p(-pd), log(pd) + lsum - log_lam);
    return 0;
}

/* ---- the out-of-sequence history ---------------------------------------- */

static hist *hist_at(const dw_tracker *t, int si, int i)
{
    const slot *sl = &t->pool[si];
    int idx = (sl->h_start + i) % t->depth;
    return (hist *)(t->hist + ((size_t)si * (size_t)t->depth + (size_t)idx) * t->hist_stride);
}

static void pack_state(int nx, const double *x, const double *P, double *s)
{
    memcpy(s, x, sizeof(double) * (size_t)nx);
    s += nx;
    for (int i = 0; i < nx; i++)
        for (int j = i; j < nx; j++)
            *s++ = P[i * nx + j];
}

static void unpack_state(int nx, const double *s, double *x, double *P)
{
    memcpy(x, s, sizeof(double) * (size_t)nx);
    s += nx;
    for (int i = 0; i < nx; i++)
        for (int j = i; j < nx; j++)
            P[i * nx + j] = P[j * nx + i] = *s++;
}

/* Record the track's state after a measurement (m NULL: its first state). */
static void hist_push(dw_tracker *t, int si, int sensor_idx, const dw_meas *m)
{
    slot *sl = &t->pool[si];
    if (sl->h_n == t->depth) {
        sl->h_start = (uint8_t)((sl->h_start + 1) % t->depth);
        sl->h_n--;
    }
    hist *h = hist_at(t, si, sl->h_n++);
    const int nx = t->cfg.motion.nx;
    h->sensor = m ? sensor_idx : -1;
    h->ctx = m ? m->ctx : NULL;
    h->model = m ? m->model : NULL;
    h->flags = m ? m->flags : 0;
    if (m) {
        const int nz = meas_sensor(t, &t->sensors[sensor_idx], m).nz;
        memcpy(h->z, m->z, sizeof h->z);
        double *r = h->R;
        for (int i = 0; i < nz; i++)
            for (int j = i; j < nz; j++)
                *r++ = m->R[i * nz + j];
    }
    if (t->n_models == 1) {
        h->t_us = sl->pub.t_us;
        pack_state(nx, sl->pub.x, sl->pub.P, h->s);
    } else {
        const modes *md = &t->modes[si];
        const int n0 = t->models[0].nx, n1 = t->models[1].nx;
        const size_t per0 = (size_t)n0 + (size_t)(n0 * (n0 + 1) / 2);
        const size_t per1 = (size_t)n1 + (size_t)(n1 * (n1 + 1) / 2);
        h->t_us = md->t_us;
        pack_state(n0, md->x[0], md->P[0], h->s);
        pack_state(n1, md->x[1], md->P[1], h->s + per0);
        h->s[per0 + per1] = md->mu[0];
        h->s[per0 + per1 + 1] = md->mu[1];
    }
}

/* The measurement of entry h as a dw_meas. */
static void hist_meas(const dw_tracker *t, const hist *h, dw_meas *m)
{
    memset(m, 0, sizeof *m);
    const int nz = h->model ? nz_of(t, h->model) : t->sensors[h->sensor].nz;
    m->t_us = h->t_us;
    memcpy(m->z, h->z, sizeof m->z);
    const double *r = h->R;
    for (int i = 0; i < nz; i++)
        for (int j = i; j < nz; j++)
            m->R[i * nz + j] = m->R[j * nz + i] = *r++;
    m->flags = h->flags;
    m->ctx = h->ctx;
    m->model = h->model;
}

/* Put the track back into the state of entry i and forget the later ones. */
static void hist_restore(dw_tracker *t, int si, int i)
{
    slot *sl = &t->pool[si];
    const hist *h = hist_at(t, si, i);
    const int nx = t->cfg.motion.nx;
    if (t->n_models == 1) {
        unpack_state(nx, h->s, sl->pub.x, sl->pub.P);
    } else {
        modes *md = &t->modes[si];
        const int n0 = t->models[0].nx, n1 = t->models[1].nx;
        const size_t per0 = (size_t)n0 + (size_t)(n0 * (n0 + 1) / 2);
        const size_t per1 = (size_t)n1 + (size_t)(n1 * (n1 + 1) / 2);
        unpack_state(n0, h->s, md->x[0], md->P[0]);
        unpack_state(n1, h->s + per0, md->x[1], md->P[1]);
        md->mu[0] = h->s[per0 + per1];
        md->mu[1] = h->s[per0 + per1 + 1];
        md->t_us = h->t_us;
        imm_combine(nx, md->mu, md->x[0], md->P[0], t->models[0].nx, md->x[1], md->P[1],
                    t->models[1].nx, sl->pub.x, sl->pub.P);
        sl->pub.model_prob[0] = md->mu[0];
        sl->pub.model_prob[1] = md->mu[1];
    }
    sl->pub.t_us = h->t_us;
    sl->h_n = (uint8_t)(i + 1);
}

/* ---- updating one track ------------------------------------------------- */

/* The end of an IMM update at t_us: with ok, the modes become the updated
 * (xu, Pu) and are weighed by their log-likelihoods l; else they stay the
 * predicted (xp, Pp) with the predicted probabilities c. The track's own
 * estimate is their mixture. */
static void imm_settle(dw_tracker *t, int si, int ok, const double c[2], const double l[2],
                       double xp[2][MX], double Pp[2][MXX], double xu[2][MX], double Pu[2][MXX],
                       int64_t t_us)
{
    dw_trk *k = &t->pool[si].pub;
    modes *md = &t->modes[si];
    const int nx = t->cfg.motion.nx;
    const int n0 = t->models[0].nx, n1 = t->models[1].nx;
    md->t_us = t_us;
    if (ok) {
        double l0 = l[0], l1 = l[1];
        double lm = l0 > l1 ? l0 : l1;
        double a = c[0] * exp(l0 - lm), b = c[1] * exp(l1 - lm);
        if (a + b > 0 && isfinite(a + b)) {
            md->mu[0] = a / (a + b);
            md->mu[1] = b / (a + b);
        } else {
            md->mu[0] = c[0];
            md->mu[1] = c[1];
        }
        memcpy(md->x, xu, sizeof md->x);
        memcpy(md->P, Pu, sizeof md->P);
    } else {
        /* as with one model: predicted, not updated */
        md->mu[0] = c[0];
        md->mu[1] = c[1];
        memcpy(md->x, xp, sizeof md->x);
        memcpy(md->P, Pp, sizeof md->P);
    }
    imm_combine(nx, md->mu, md->x[0], md->P[0], n0, md->x[1], md->P[1], n1, k->x, k->P);
    k->model_prob[0] = md->mu[0];
    k->model_prob[1] = md->mu[1];
    k->t_us = t_us;
}

/* The IMM update of slot si by m at m's time: mix, predict each model, update
 * each (same CI weight for both), weigh the models by their likelihoods. */
static void imm_update(dw_tracker *t, int si, const sensor *s, const dw_meas *m)
{
    dw_trk *k = &t->pool[si].pub;
    modes *md = &t->modes[si];
    const int nx = t->cfg.motion.nx;
    const void *ctx = ctx_of(s, m);
    const int n0 = t->models[0].nx, n1 = t->models[1].nx;
    double xp[2][MX], Pp[2][MXX], c[2], x[DW_TRK_MAX_X], P[NXX];
    imm_predict(t, md, m->t_us, xp, Pp, c);
    imm_combine(nx, c, xp[0], Pp[0], n0, xp[1], Pp[1], n1, x, P);
    cache lc;
    double d2c;
    int have = plain_d2(&t->cfg.motion, s, ctx, m, x, P, &lc, &d2c) == 0;
    double w = 1.0;
    if (have && (m->flags & DW_MEAS_CI)) {
        w = ci_weight(s->nz, lc.HPH, m->R);
        if (w < CI_W_MIN)
            w = CI_W_MIN;
        t->stats.ci_updates++;
    }
    double xu[2][MX], Pu[2][MXX], d2[2], ld[2];
    int ok = have && (!(m->flags & DW_MEAS_CI) || w <= CI_W_MAX);
    for (int j = 0; ok && j < 2; j++) {
        memcpy(xu[j], xp[j], sizeof xu[j]);
        memcpy(Pu[j], Pp[j], sizeof Pu[j]);
        ok = kf_update(t, &t->cfg.motion, t->models[j].nx, s, ctx, m, w, xu[j], Pu[j], &d2[j],
                       &ld[j]) == 0;
    }
    double l[2] = {0.0, 0.0};
    if (ok) {
        /* mu_j ~ c_j N(nu_j; 0, S_j); the (2 pi)^nz/2 is common */
        l[0] = -0.5 * (d2[0] + ld[0]);
        l[1] = -0.5 * (d2[1] + ld[1]);
    }
    imm_settle(t, si, ok, c, l, xp, Pp, xu, Pu, m->t_us);
    if (have)
        k->last_d2 = d2c;
}

/* The IMM's PDA update of slot si at t_us: mix and predict each mode there,
 * update each by pda_update with the same betas (found on the combined
 * estimate, in the association step), weigh the modes by the likelihood of
 * the batch under each, ln((1 - pd) + pd / lam sum N(nu_q; 0, S_q)). The
 * equivalent measurement for the history (eq) and d2 of the most probable
 * measurement are those of the combined prediction. */
static void imm_pda(dw_tracker *t, int si, const sensor *s, const dw_meas *m, const jent *e, int ne,
                    double pd, double log_lam, int best, int64_t t_us, dw_meas *eq)
{
    dw_trk *k = &t->pool[si].pub;
    modes *md = &t->modes[si];
    const int nx = t->cfg.motion.nx;
    const int n0 = t->models[0].nx, n1 = t->models[1].nx;
    double xp[2][MX], Pp[2][MXX], c[2], x[DW_TRK_MAX_X], P[NXX], d2c;
    imm_predict(t, md, t_us, xp, Pp, c);
    imm_combine(nx, c, xp[0], Pp[0], n0, xp[1], Pp[1], n1, x, P);
    int have = pda_update(&t->cfg.motion, nx, s, m, e, ne, pd, log_lam, best, x, P, &d2c, NULL,
                          eq) == 0;
    if (!have)
        *eq = m[best];
    double xu[2][MX], Pu[2][MXX], l[2] = {0.0, 0.0}, d2;
    int ok = have;
    for (int j = 0; ok && j < 2; j++) {
        memcpy(xu[j], xp[j], sizeof xu[j]);
        memcpy(Pu[j], Pp[j], sizeof Pu[j]);
        ok = pda_update(&t->cfg.motion, t->models[j].nx, s, m, e, ne, pd, log_lam, best, xu[j],
                        Pu[j], &d2, &l[j], NULL) == 0;
    }
    imm_settle(t, si, ok, c, l, xp, Pp, xu, Pu, t_us);
    if (have)
        k->last_d2 = d2c;
}

/* One model, covariance intersection: the weight from the track's predicted
 * measurement covariance, then the update with P / w and R / (1 - w). */
static __attribute__((noinline)) void ci_update(dw_tracker *t, dw_trk *k, const sensor *s,
                                                const dw_meas *m)
{
    const void *ctx = ctx_of(s, m);
    cache lc;
    double d2;
    if (plain_d2(&t->cfg.motion, s, ctx, m, k->x, k->P, &lc, &d2) != 0)
        return;
    k->last_d2 = d2;
    double w = ci_weight(s->nz, lc.HPH, m->R);
    if (w < CI_W_MIN)
        w = CI_W_MIN;
    t->stats.ci_updates++;
    if (w <= CI_W_MAX)
        ekf_update(&t->cfg.motion, t->cfg.motion.nx, s, ctx, m, w, k->x, k->P, &d2, NULL);
}

/* Filter measurement m into slot si at m's time (predicting the track there,
 * forwards or, approximately, backwards) and record it in the history. */
static inline void filter_meas(dw_tracker *t, int si, int sensor_idx, const dw_meas *m)
{
    const sensor s = meas_sensor(t, &t->sensors[sensor_idx], m);
    dw_trk *k = &t->pool[si].pub;
    if (t->n_models > 1) {
        imm_update(t, si, &s, m);
    } else {
        if (m->t_us != k->t_us)
            predict_to(t, k, m->t_us);
        double d2;
        if (m->flags & DW_MEAS_CI)
            ci_update(t, k, &s, m);
        else if (kf_update(t, &t->cfg.motion, t->cfg.motion.nx, &s, ctx_of(&s, m), m, 1.0, k->x,
                           k->P, &d2, NULL) == 0)
            k->last_d2 = d2;
    }
    if (t->depth)
        hist_push(t, si, sensor_idx, m);
}

static void update_late(dw_tracker *t, int si, int sensor_idx, const dw_meas *m);

/* Update slot si by m. A measurement older than the track is filtered in
 * exactly when the history reaches back to it: back to the last state before
 * it, the measurement, the later ones again, then forward to where the track
 * was. Older than the history: predicted back and updated there (the track
 * then stays at the measurement's time; the history restarts from it). */
static inline void update_track(dw_tracker *t, int si, int sensor_idx, const dw_meas *m)
{
    if (m->t_us >= t->pool[si].pub.t_us)
        filter_meas(t, si, sensor_idx, m);
    else
        update_late(t, si, sensor_idx, m);
}

static __attribute__((noinline)) void update_late(dw_tracker *t, int si, int sensor_idx,
                                                  const dw_meas *m)
{
    slot *sl = &t->pool[si];
    dw_trk *k = &sl->pub;
    const int64_t t_end = k->t_us;
    int j = -1;
    for (int i = sl->h_n - 1; i >= 0 && t->depth; i--)
        if (hist_at(t, si, i)->t_us <= m->t_us) {
            j = i;
            break;
        }
    if (j >= 0) {
        dw_meas later[MAX_DEPTH];
        int later_sensor[MAX_DEPTH], n_later = 0;
        for (int i = j + 1; i < sl->h_n; i++) {
            const hist *h = hist_at(t, si, i);
            hist_meas(t, h, &later[n_later]);
            later_sensor[n_later++] = h->sensor;
        }
        if (n_later)
            t->stats.oosm_exact++;
        hist_restore(t, si, j);
        filter_meas(t, si, sensor_idx, m);
        for (int i = 0; i < n_later; i++)
            filter_meas(t, si, later_sensor[i], &later[i]);
        predict_to(t, k, t_end);
        return;
    }
    if (t->n_models > 1 && m->t_us >= t->modes[si].t_us) {
        /* after the last update: the IMM predicts from there anyway */
        filter_meas(t, si, sensor_idx, m);
        predict_to(t, k, t_end);
        return;
    }
    t->stats.oosm_approx++;
    sl->h_n = 0;
    filter_meas(t, si, sensor_idx, m);
}

/* Both modes of an IMM track from one estimate (x, P of the track's
 * layout), each with its own extra state at 0 with its prior variance. */
static void modes_init(dw_tracker *t, int si, const double *x, const double *P, int64_t t_us)
{
    modes *md = &t->modes[si];
    const int nx = t->cfg.motion.nx;
    md->t_us = t_us;
    for (int j = 0; j < 2; j++) {
        const int nj = t->models[j].nx;
        const double s0 = t->models[j].turn_sigma0;
        md->mu[j] = t->mu0[j];
        for (int a = 0; a < nj; a++) {
            md->x[j][a] = a < nx ? x[a] : 0.0;
            for (int b = 0; b < nj; b++)
                md->P[j][a * nj + b] = a < nx && b < nx ? P[a * nx + b] : (a == b) * s0 * s0;
        }
    }
}

/* A new track at pos (covariance pc) at t_us; the slot, or -1 if the pool is full. */
static int new_track(dw_tracker *t, int sensor_idx, int64_t t_us, const double *pos,
                     const double *pc, uint32_t user)
{
    const dw_motion_model *mm = &t->cfg.motion;
    if (t->n_free == 0)
        return -1;
    int si = t->free_slots[--t->n_free];
    slot *sl = &t->pool[si];
    memset(sl, 0, sizeof *sl);
    dw_trk *k = &sl->pub;
    const int nx = mm->nx, np = mm->n_pos;
    k->id = t->next_id++;
    k->t_us = t_us;
    for (int a = 0; a < np; a++) {
        k->x[mm->pos_idx[a]] = pos[a];
        for (int b = 0; b < np; b++)
            k->P[mm->pos_idx[a] * nx + mm->pos_idx[b]] = pc[a * np + b];
        k->P[mm->vel_idx[a] * nx + mm->vel_idx[a]] = t->cfg.init_vel_sigma * t->cfg.init_vel_sigma;
    }
    k->hits = 1;
    k->history = 1;
    k->first_us = k->last_update_us = t_us;
    k->sensor_mask = 1u << sensor_idx;
    k->last_user = user;
    k->n_models = t->n_models;
    k->model_prob[0] = t->mu0[0];
    k->model_prob[1] = t->mu0[1];
    if (t->n_models > 1)
        modes_init(t, si, k->x, k->P, t_us);
    for (int q = 0; q < MAX_SENSORS; q++)
        sl->last_by_sensor[q] = INT64_MIN / 2;
    sl->last_by_sensor[sensor_idx] = t_us;
    sl->age = 1;
    k->status = DW_TRACK_TENTATIVE;
    t->live[t->n_live++] = si;
    t->stats.initiated++;
    if (t->depth)
        hist_push(t, si, sensor_idx, NULL);
    return si;
}

static void set_reason(dw_tracker *t, dw_trk *k, dw_trk_reason why, int64_t t_us)
{
    k->reason = why;
    k->reason_us = t_us;
    t->stats.by_reason[why]++;
}

static void confirm(dw_tracker *t, dw_trk *k, dw_trk_reason why, int64_t t_us)
{
    k->status = DW_TRACK_CONFIRMED;
    set_reason(t, k, why, t_us);
    t->stats.confirmed++;
}

/* Start a track on measurement m. Returns 0, or -1 (no position, or the pool is full). */
static int start_track(dw_tracker *t, int sensor_idx, const sensor *s, const dw_meas *m)
{
    const dw_motion_model *mm = &t->cfg.motion;
    double pos[3], pc[9];
    if (model_of(s, m)->to_pos(ctx_of(s, m), mm, m->z, m->R, pos, pc) != 0)
        return -1;
    int si = new_track(t, sensor_idx, m->t_us, pos, pc, m->user);
    if (si < 0) {
        t->stats.pool_full++;
        return -1;
    }
    t->pool[si].coast_us = m->coast_us;
    dw_trk *k = &t->pool[si].pub;
    set_reason(t, k, DW_TRK_STARTED, m->t_us);
    if (m->id_key)
        take_key(t, si, m->id_key, m->flags);
    if (m->flags & DW_MEAS_COOPERATIVE)
        confirm(t, k, DW_TRK_CONFIRMED_COOPERATIVE, m->t_us);
    else if (t->cfg.confirm_m <= 1)
        confirm(t, k, DW_TRK_CONFIRMED_M_OF_N, m->t_us);
    return 0;
}

dw_status dw_tracker_start_track(dw_tracker *t, int sensor_idx, int64_t t_us, const double *pos,
                                 const double *pos_cov, uint64_t *out_id)
{
    const int np = t->cfg.motion.n_pos;
    if (sensor_idx < 0 || sensor_idx >= t->n_sensors || !pos || !pos_cov)
        return DW_ERR_INVALID;
    double inv[NZZ];
    for (int a = 0; a < np; a++)
        if (!isfinite(pos[a]))
            return DW_ERR_INVALID;
    for (int a = 0; a < np * np; a++)
        if (!isfinite(pos_cov[a]))
            return DW_ERR_INVALID;
    if (spd_inverse(pos_cov, np, inv, NULL) != 0)
        return DW_ERR_INVALID;
    if (t->n_free == 0)
        return DW_ERR_FULL;
    int si = new_track(t, sensor_idx, t_us, pos, pos_cov, 0);
    dw_trk *k = &t->pool[si].pub;
    set_reason(t, k, DW_TRK_STARTED_BY_CALLER, t_us);
    if (t->cfg.confirm_m <= 1)
        confirm(t, k, DW_TRK_CONFIRMED_M_OF_N, t_us);
    if (out_id)
        *out_id = k->id;
    return DW_OK;
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

/* May the track of cache c take measurement mj by identity? (The track
 * holding mj's key is tried apart from this.) */
static inline int key_allows(const cache *c, const dw_meas *mj)
{
    if (mj->id_key)
        return c->key == 0 && !(mj->flags & DW_MEAS_COOPERATIVE);
    return c->key == 0 || !c->key_coop;
}

/* Gate measurement j against live track i; push the pair if it gates. s is
 * the sensor, sb the sensor as the batch's linearisation (cache) saw it. */
static dw_status gate_pair(dw_tracker *t, const sensor *s, const sensor *sb, int64_t t_us,
                           const dw_meas *m, int j, int i)
{
    const cache *c = &t->cache[i];
    const dw_meas *mj = &m[j];
    double nu[DW_TRK_MAX_Z], Sinv[DW_TRK_MAX_Z * DW_TRK_MAX_Z], d2;
    t->stats.gate_tests++;
    if (own_lin(s, sb, mj)) {
        /* its own context or model: linearise this pair apart */
        double xl[DW_TRK_MAX_X], Pl[NXX];
        const dw_trk *k = &t->pool[t->live[i]].pub;
        const double *x = k->x, *P = k->P;
        const sensor ms = meas_sensor(t, s, mj);
        const void *ctx = ctx_of(s, mj);
        cache pc;
        if (k->t_us != t_us) {
            state_at(t, t->live[i], t_us, xl, Pl);
            x = xl;
            P = Pl;
        }
        if (linearise(&t->cfg.motion, &ms, ctx, x, P, &pc) != 0 ||
            innovation(&ms, ctx, &pc, mj, nu, Sinv, &d2, NULL) != 0 || !(d2 < t->cfg.gate))
            return DW_OK;
    } else if (!c->ok || innovation(sb, sb->ctx, c, mj, nu, Sinv, &d2, NULL) != 0 ||
               !(d2 < t->cfg.gate)) {
        return DW_OK;
    }
    return push_pair(t, i, j, d2);
}

/* Does m fall inside d² `gate` of live slot si, at m's own time? */
static int gates_now(const dw_tracker *t, int si, int sensor_idx, const dw_meas *m, double gate)
{
    const sensor s = meas_sensor(t, &t->sensors[sensor_idx], m);
    double x[DW_TRK_MAX_X], P[NXX], d2;
    cache lc;
    state_at(t, si, m->t_us, x, P);
    return plain_d2(&t->cfg.motion, &s, ctx_of(&s, m), m, x, P, &lc, &d2) == 0 && d2 < gate;
}

/* A keyed measurement m missed the gate of slot si, the track holding its
 * key: does the key make it go there all the same? Never for a measurement
 * whose key is not the object's own word (a radar's Mode S address) against a
 * track whose key is (a plot that contradicts the aircraft's own reports is
 * the plot's error; with the gate widened such plots pulled ADS-B tracks about
 * and an IMM took it for a turn). Else when the track has had one report only
 * (its velocity is a guess: key_restart), or when m is cooperative and falls
 * inside the wider key_gate (its own accuracy is good; the holder may have
 * coasted). */
static int key_forces(const dw_tracker *t, int si, int sensor_idx, const dw_meas *m)
{
    const dw_trk *k = &t->pool[si].pub;
    if ((k->id_key_flags & DW_MEAS_COOPERATIVE) && !(m->flags & DW_MEAS_COOPERATIVE))
        return 0;
    if (k->hits == 1)
        return 1;
    return (m->flags & DW_MEAS_COOPERATIVE) && gates_now(t, si, sensor_idx, m, t->key_gate);
}

/* The first state of slot si (its history's first entry, or the track
 * itself: with one report its velocity is still the starting zero, so its
 * position has not moved) and its time. */
static int64_t first_state(const dw_tracker *t, int si, double *x1, double *P1)
{
    const slot *sl = &t->pool[si];
    const int nx = t->cfg.motion.nx;
    if (t->depth && sl->h_n > 0 && hist_at(t, si, 0)->sensor < 0) {
        const hist *h = hist_at(t, si, 0);
        if (t->n_models == 1) {
            unpack_state(nx, h->s, x1, P1);
        } else {
            /* the modes were started equal (modes_init): the first one's
             * common states are the track's */
            const int n0 = t->models[0].nx;
            double x0[MX], P0[MXX];
            unpack_state(n0, h->s, x0, P0);
            for (int a = 0; a < nx; a++) {
                x1[a] = x0[a];
                for (int b = 0; b < nx; b++)
                    P1[a * nx + b] = P0[a * n0 + b];
            }
        }
        return h->t_us;
    }
    memcpy(x1, sl->pub.x, sizeof(double) * DW_TRK_MAX_X);
    memcpy(P1, sl->pub.P, sizeof(double) * NXX);
    return sl->pub.t_us;
}

/* Slot si's state becomes (x, P) at t_us, its only history entry. */
static void reset_state(dw_tracker *t, int si, const double *x, const double *P, int64_t t_us)
{
    slot *sl = &t->pool[si];
    dw_trk *k = &sl->pub;
    memcpy(k->x, x, sizeof k->x);
    memcpy(k->P, P, sizeof k->P);
    k->t_us = t_us;
    if (t->n_models > 1) {
        modes_init(t, si, x, P, t_us);
        k->model_prob[0] = t->mu0[0];
        k->model_prob[1] = t->mu0[1];
    }
    if (t->depth) {
        sl->h_n = 0;
        hist_push(t, si, -1, NULL);   /* a new first state */
    }
}

/* The track holding m's key has had only its first report, and m misses its
 * gate: its velocity is the init_vel_sigma guess, which a fast object
 * contradicts, and the key says the two reports are of one object. Without a
 * speed bound (key_vel_sigma 0) the two reports start the track again by
 * two-point differencing: position p2 (C2), velocity (p2 - p1) / dt with
 * covariance (C1 + C2) / dt^2, correlation C2 / dt. Returns 0, or -1 (no
 * position, or the reports are simultaneous) and nothing changes. */
static int two_point(dw_tracker *t, int si, int sensor_idx, const dw_meas *m)
{
    const dw_motion_model *mm = &t->cfg.motion;
    const sensor *s = &t->sensors[sensor_idx];
    const int nx = mm->nx, np = mm->n_pos;
    double p2[3], C2[9];
    double x1[DW_TRK_MAX_X], P1[NXX];
    int64_t t1 = first_state(t, si, x1, P1);
    double dt = (double)(m->t_us - t1) * 1e-6;
    if (!(fabs(dt) > 1e-3) || model_of(s, m)->to_pos(ctx_of(s, m), mm, m->z, m->R, p2, C2) != 0)
        return -1;
    double x[DW_TRK_MAX_X] = {0}, P[NXX] = {0};
    for (int a = 0; a < np; a++) {
        int pa = mm->pos_idx[a], va = mm->vel_idx[a];
        x[pa] = p2[a];
        x[va] = (p2[a] - x1[pa]) / dt;
        for (int b = 0; b < np; b++) {
            int pb = mm->pos_idx[b], vb = mm->vel_idx[b];
            double c2 = C2[a * np + b], c1 = P1[pa * nx + pb];
            P[pa * nx + pb] = c2;
            P[pa * nx + vb] = P[vb * nx + pa] = c2 / dt;
            P[va * nx + vb] = (c1 + c2) / (dt * dt);
        }
    }
    reset_state(t, si, x, P, m->t_us);
    t->pool[si].pub.last_d2 = 0.0;
    return 0;
}

/* The same with a speed bound: the track goes back to its first state with
 * the velocity prior widened to key_vel_sigma per axis (uncorrelated with the
 * position), and m is filtered in as any measurement. Where the two reports
 * are far apart in time this is two-point differencing with that prior added
 * (the update's velocity is their difference over dt, shrunk by
 * key_vel_sigma² / (key_vel_sigma² + (C1 + C2) / dt²)); where they are a
 * moment apart their difference says nothing of the velocity, and the update
 * weighs the two positions instead. Two-point differencing alone turned an
 * aircraft's AEW plot and its ADS-B report 1.6 ms later, 4 km apart, into
 * 2,800 km/s with a sigma of 700 km/s: a track that gated every plot within
 * hundreds of kilometres. */
static void key_restart(dw_tracker *t, int si, int sensor_idx, const dw_meas *m)
{
    const dw_motion_model *mm = &t->cfg.motion;
    const int nx = mm->nx, np = mm->n_pos;
    const double v2 = t->cfg.key_vel_sigma * t->cfg.key_vel_sigma;
    double x1[DW_TRK_MAX_X], P1[NXX];
    int64_t t1 = first_state(t, si, x1, P1);
    for (int a = 0; a < np; a++) {
        const int va = mm->vel_idx[a];
        x1[va] = 0.0;
        for (int b = 0; b < nx; b++)
            P1[va * nx + b] = P1[b * nx + va] = 0.0;
        P1[va * nx + va] = v2;
    }
    reset_state(t, si, x1, P1, t1);
    update_track(t, si, sensor_idx, m);
}

/* What every update of slot si by sensor sensor_idx leaves besides the
 * filtering: a hit, its times, its sensor, the measurement's tag. m is the
 * measurement taken (with JPDA the most probable one). */
static inline void took_book(dw_tracker *t, int si, int sensor_idx, const dw_meas *m)
{
    slot *sl = &t->pool[si];
    dw_trk *k = &sl->pub;
    k->hits++;
    k->misses = 0;
    k->miss_score = 0.0;
    if (m->t_us >= k->last_update_us) {
        k->last_update_us = m->t_us;
        sl->coast_us = m->coast_us;
    }
    if (m->t_us > sl->last_by_sensor[sensor_idx])
        sl->last_by_sensor[sensor_idx] = m->t_us;
    k->sensor_mask |= 1u << sensor_idx;
    k->last_user = m->user;
    t->stats.updates++;
}

/* Slot si took measurement m (sensor sensor_idx): its bookkeeping. */
static inline void took(dw_tracker *t, int si, int sensor_idx, const dw_meas *m)
{
    slot *sl = &t->pool[si];
    dw_trk *k = &sl->pub;
    int done = 0;
    if (m->id_key) {
        if (k->id_key != m->id_key) {
            take_key(t, si, m->id_key, m->flags);
        } else {
            k->id_key_flags |= m->flags & DW_MEAS_COOPERATIVE;  /* the object spoke */
            sl->key_miss = 0;
            if (k->hits == 1 && !gates_now(t, si, sensor_idx, m, t->cfg.gate)) {
                if (t->cfg.key_vel_sigma > 0) {
                    key_restart(t, si, sensor_idx, m);
                    done = 1;
                } else {
                    done = two_point(t, si, sensor_idx, m) == 0;
                }
                t->stats.two_point += (uint64_t)done;
            }
        }
    }
    if (!done)
        update_track(t, si, sensor_idx, m);
    took_book(t, si, sensor_idx, m);
}

/* Live track li (slot si) took the measurements of its JPDA entries in part:
 * the PDA update at the time of the most probable one (m[best]), the batch's
 * measurements being alternatives at about one time (as the gate test takes
 * them), then with `hit` the bookkeeping of took() with m[best] (without,
 * the caller counts a miss: jpda_hit). The history records the
 * update's equivalent measurement (pda_update), so that a late measurement
 * re-runs it as a plain one; a track already past that time (a late batch)
 * takes the equivalent measurement through its history at once. */
static __attribute__((noinline)) void took_pda(dw_tracker *t, int li, int si, int sensor_idx,
                                               const dw_meas *m, int best, int hit)
{
    /* every measurement of a JPDA cluster has the batch's model (own_lin) */
    const sensor sm = meas_sensor(t, &t->sensors[sensor_idx], &m[best]), *s = &sm;
    dw_trk *k = &t->pool[si].pub;
    const jent *e = t->jents + t->jstart[li];
    const int ne = t->jn[li];
    const double pd = t->jpd[li], log_lam = t->jloglam[li];
    const int64_t t_u = m[best].t_us;
    dw_meas eq;
    double d2 = k->last_d2;
    if (t_u >= k->t_us) {
        if (t->n_models > 1) {
            imm_pda(t, si, s, m, e, ne, pd, log_lam, best, t_u, &eq);
        } else {
            predict_to(t, k, t_u);
            if (pda_update(&t->cfg.motion, t->cfg.motion.nx, s, m, e, ne, pd, log_lam, best, k->x,
                           k->P, &d2, NULL, t->depth ? &eq : NULL) == 0)
                k->last_d2 = d2;
            else
                eq = m[best];
        }
        if (t->depth)
            hist_push(t, si, sensor_idx, &eq);
    } else {
        double x[DW_TRK_MAX_X], P[NXX];
        state_at(t, si, t_u, x, P);
        if (pda_update(&t->cfg.motion, t->cfg.motion.nx, s, m, e, ne, pd, log_lam, best, x, P, &d2,
                       NULL, &eq) != 0)
            eq = m[best];
        update_late(t, si, sensor_idx, &eq);
        k->last_d2 = d2;
    }
    t->stats.jpda_updates++;
    if (hit)
        took_book(t, si, sensor_idx, &m[best]);
}

static void kill_track(dw_tracker *t, int si, dw_trk_reason why, int64_t t_us)
{
    dw_trk *k = &t->pool[si].pub;
    int was_confirmed = k->status != DW_TRACK_TENTATIVE;
    drop_key(t, k);
    k->status = DW_TRACK_DEAD;
    set_reason(t, k, why, t_us);
    if (was_confirmed)
        t->deleted[t->n_deleted++] = *k;
    t->free_slots[t->n_free++] = si;
    t->stats.deleted++;
}

/* Two confirmed tracks at the batch's time (both predicted there): close in
 * position (Mahalanobis d2 of the difference under the sum of their position
 * covariances below 11.3, chi-square 99 % in 3-D) and in velocity (closer
 * than 3 sigma of the summed velocity variance, and never more than 30 m/s
 * apart, so that two aircraft crossing are never taken for one). */
static int same_object(const dw_tracker *t, const dw_trk *a, const dw_trk *b)
{
    const dw_motion_model *mm = &t->cfg.motion;
    const int nx = mm->nx, np = mm->n_pos;
    double S[9] = {0}, d[3] = {0}, Si[9];
    for (int r = 0; r < np; r++) {
        d[r] = a->x[mm->pos_idx[r]] - b->x[mm->pos_idx[r]];
        for (int c = 0; c < np; c++)
            S[r * np + c] = a->P[mm->pos_idx[r] * nx + mm->pos_idx[c]] +
                            b->P[mm->pos_idx[r] * nx + mm->pos_idx[c]];
    }
    if (spd_inverse_nold(S, np, Si) != 0)
        return 0;
    double d2 = 0;
    for (int r = 0; r < np; r++)
        for (int c = 0; c < np; c++)
            d2 += d[r] * Si[r * np + c] * d[c];
    if (!(d2 < 11.3))
        return 0;
    double dv2 = 0, var = 0;
    for (int r = 0; r < np; r++) {
        double dv = a->x[mm->vel_idx[r]] - b->x[mm->vel_idx[r]];
        dv2 += dv * dv;
        var += a->P[mm->vel_idx[r] * nx + mm->vel_idx[r]] + b->P[mm->vel_idx[r] * nx + mm->vel_idx[r]];
    }
    return dv2 < 9.0 * var && dv2 < 30.0 * 30.0;
}

/* A tentative track about to be confirmed that sits on a confirmed one (both at the batch's
 * time): its position within the 99 % region of the two covariances summed, its velocity
 * within 3 sigma of the summed velocity variance (a young track's velocity is loose, so no
 * fixed cap here). Such a track was started by the object's own plots that its track
 * missed (a plot outside the gate after a manoeuvre, a split plot, a second radar's
 * plot a scan late): confirming it would show one object twice. A track holding a
 * cooperative identity never shadows a keyless one: a drone flying under an airliner is
 * another object, and heights tell them apart where they are measured. */
static int shadowed(const dw_tracker *t, const dw_trk *k, int nl, int i, int w)
{
    const dw_motion_model *mm = &t->cfg.motion;
    const int nx = mm->nx, np = mm->n_pos;
    for (int j = 0; j < nl; j++) {
        if (j == i || (j >= w && j < i))
            continue;   /* itself, or a slot already given up this batch */
        const dw_trk *c = &t->pool[t->live[j]].pub;
        if (c->status != DW_TRACK_CONFIRMED && c->status != DW_TRACK_COASTING)
            continue;
        if (c->id_key && k->id_key && c->id_key != k->id_key)
            continue;
        if ((c->id_key_flags & DW_MEAS_COOPERATIVE) && !k->id_key)
            continue;
        double S[9] = {0}, d[3] = {0}, Si[9];
        for (int r = 0; r < np; r++) {
            d[r] = k->x[mm->pos_idx[r]] - c->x[mm->pos_idx[r]];
            for (int q = 0; q < np; q++)
                S[r * np + q] = k->P[mm->pos_idx[r] * nx + mm->pos_idx[q]] +
                                c->P[mm->pos_idx[r] * nx + mm->pos_idx[q]];
        }
        if (spd_inverse_nold(S, np, Si) != 0)
            continue;
        double d2 = 0;
        for (int r = 0; r < np; r++)
            for (int q = 0; q < np; q++)
                d2 += d[r] * Si[r * np + q] * d[q];
        if (!(d2 < 11.3))
            continue;
        double dv2 = 0, var = 0;
        for (int r = 0; r < np; r++) {
            double dv = k->x[mm->vel_idx[r]] - c->x[mm->vel_idx[r]];
            dv2 += dv * dv;
            var += k->P[mm->vel_idx[r] * nx + mm->vel_idx[r]] +
                   c->P[mm->vel_idx[r] * nx + mm->vel_idx[r]];
        }
        if (dv2 < 9.0 * var)
            return 1;
    }
    return 0;
}

#define DUP_FORGET_US (30 * 1000000LL)

static void find_duplicates(dw_tracker *t, int nl, int64_t t_us)
{
    for (size_t p = 0; p < t->n_pairs; p++) {
        const dw_trk *kp = &t->pool[t->live[t->pairs[p].live]].pub;
        if (kp->status == DW_TRACK_CONFIRMED || kp->status == DW_TRACK_COASTING)
            t->near_confirmed[t->pairs[p].meas] = 1;
    }
    for (size_t p = 0; p < t->n_pairs; p++) {
        int i = t->pairs[p].live, a = t->meas_taken[t->pairs[p].meas];
        if (a < 0 || a == i)
            continue;
        slot *si = &t->pool[t->live[i]], *sa = &t->pool[t->live[a]];
        dw_trk *ki = &si->pub, *ka = &sa->pub;
        if (ki->status == DW_TRACK_TENTATIVE || ka->status == DW_TRACK_TENTATIVE ||
            ki->status == DW_TRACK_DEAD || ka->status == DW_TRACK_DEAD)
            continue;
        /* The one to give up: fewer hits (the younger on a tie); a track a
         * cooperative report keyed is never given up for an unkeyed one. */
        int drop_i = ki->hits < ka->hits || (ki->hits == ka->hits && ki->id > ka->id);
        if ((ki->id_key_flags & DW_MEAS_COOPERATIVE) && !(ka->id_key_flags & DW_MEAS_COOPERATIVE))
            drop_i = 0;
        else if ((ka->id_key_flags & DW_MEAS_COOPERATIVE) && !(ki->id_key_flags & DW_MEAS_COOPERATIVE))
            drop_i = 1;
        if (ki->id_key && ka->id_key && ki->id_key != ka->id_key)
            continue;   /* two identities: two objects */
        int d = drop_i ? i : a;
        slot *sd = drop_i ? si : sa;
        const dw_trk *keep = drop_i ? ka : ki;
        if (t->dup_kill[d] || !same_object(t, ki, ka))
            continue;
        if (sd->dup_of == keep->id && t_us - sd->dup_us < DUP_FORGET_US) {
            sd->dup_n++;
        } else {
            sd->dup_of = keep->id;
            sd->dup_n = 1;
        }
        sd->dup_us = t_us;
        if (sd->dup_n >= (uint32_t)t->cfg.merge_after)
            t->dup_kill[d] = 1;
    }
    (void)nl;
}

/* Solve the cluster of pairs order[a..b) by GNN: the least-cost assignment
 * (dw_assign) with a pair costing its d2 and a track or a measurement left
 * alone gate / 2; a cluster of one pair is taken as it is. */
static inline __attribute__((always_inline)) dw_status gnn_cluster(dw_tracker *t, int a, int b)
{
    dw_status st;
    if (b - a == 1) {
        const pair *p = &t->pairs[t->order[a]];
        t->assigned[p->live] = p->meas;
        t->meas_taken[p->meas] = p->live;
        if (t->stats.max_cluster < 1)
            t->stats.max_cluster = 1;
        return DW_OK;
    }
    const double half_gate = 0.5 * t->cfg.gate;
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
    return DW_OK;
}

/* JPDA tracks whose measurements are more likely not their own (1 - beta_0
 * below jpda_hit): filtered in by their chances, but counted as missed (their
 * assigned[] becomes -1; step 5 does the rest). */
static __attribute__((noinline)) void jpda_weak(dw_tracker *t, int nl, int sensor_idx,
                                                const dw_meas *m)
{
    for (int i = 0; i < nl; i++) {
        if (t->assigned[i] < 0 || t->jstart[i] < 0 || 1.0 - t->jb0[i] >= t->cfg.jpda_hit)
            continue;
        took_pda(t, i, t->live[i], sensor_idx, m, t->assigned[i], 0);
        t->assigned[i] = -1;
    }
}

/* The largest chance of detection JPDA uses: at 1 a miss would be
 * impossible, and a cluster of two tracks and one measurement would have no
 * event left. */
#define JPDA_PD_MAX (1.0 - 1e-9)

/* The volume of the unit ball in n = 1..4 dimensions. */
static double unit_ball(int n)
{
    static const double v[5] = {1.0, 2.0, M_PI, 4.0 * M_PI / 3.0, M_PI * M_PI / 2.0};
    return v[n < 0 ? 0 : n > 4 ? 4 : n];
}

/* Solve the cluster of pairs order[a..b) by JPDA: the log-likelihood ratio of
 * each gated pair, ln Pd - d2/2 - ln|2 pi S|/2 - ln lam, and of each track's
 * miss, ln(1 - Pd), give the betas (dw__jpda_betas); each track's entries,
 * beta_0, Pd and lam go to step 5, the most probable measurement to
 * assigned[] (none when every beta_ij is 0: a miss), and a measurement whose
 * betas add up to jpda_used to meas_taken[] (its most probable track).
 * Pd is the cover's chance for the track when the batch has one (have_pd),
 * else jpda_pd; lam is jpda_clutter, or with 0 the cluster's measurements
 * over the sum of its tracks' gate volumes, c_nz gate^(nz/2) |S|^(1/2) (S of
 * each track's first pair). Returns 1 when it did; 0 when the cluster is
 * GNN's: a measurement with a key, CI or its own context or model (their semantics are
 * GNN's), too many tracks, measurements or events (stats.jpda_over_cap), or
 * no event with a positive weight. */
static __attribute__((noinline)) int jpda_cluster(dw_tracker *t, const sensor *s0,
                                                  const sensor *s, const dw_meas *m, int a, int b,
                                                  int have_pd, dw_status *st)
{
    const int nz = s->nz, cap = t->cfg.jpda_max_size;
    for (int q = a; q < b; q++) {
        const pair *p = &t->pairs[t->order[q]];
        const dw_meas *mj = &m[p->meas];
        if (mj->id_key || (mj->flags & DW_MEAS_CI) || own_lin(s0, s, mj) ||
            !t->cache[p->live].ok) {
            t->stats.jpda_gnn_kept++;
            return 0;
        }
    }
    int nr = 0, nc = 0, over = 0;
    for (int q = a; q < b && !over; q++) {
        const pair *p = &t->pairs[t->order[q]];
        if (t->loc_row[p->live] < 0) {
            if (nr == cap) {
                over = 1;
                break;
            }
            if ((*st = reserve_cluster(t, (size_t)nr + 1, (size_t)nc + 1)) != DW_OK)
                break;
            t->loc_row[p->live] = nr;
            t->rows[nr++] = p->live;
        }
        if (t->loc_col[p->meas] < 0) {
            if (nc == cap) {
                over = 1;
                break;
            }
            if ((*st = reserve_cluster(t, (size_t)nr + 1, (size_t)nc + 1)) != DW_OK)
                break;
            t->loc_col[p->meas] = nc;
            t->cols[nc++] = p->meas;
        }
    }
    int done = 0;
    if (!over && *st == DW_OK &&
        (*st = reserve_jpda(t, (size_t)nr, (size_t)nc, (size_t)(b - a))) == DW_OK) {
        double *lg = t->jlg, *lmiss = t->jlmiss, *lv = t->jlv, *beta = t->jbeta;
        for (int q = 0; q < nr * nc; q++)
            lg[q] = -INFINITY;
        for (int q = 0; q < nr; q++) {
            const cache *c = &t->cache[t->rows[q]];
            double pd = have_pd && c->seen ? c->pd : t->cfg.jpda_pd;
            pd = pd < JPDA_PD_MAX ? pd : JPDA_PD_MAX;
            t->jpd[t->rows[q]] = pd;
            lmiss[q] = log1p(-pd);
            lv[q] = NAN;
        }
        const double lnorm = -0.5 * nz * log(2.0 * M_PI);
        for (int q = a; q < b; q++) {
            const pair *p = &t->pairs[t->order[q]];
            const int i = t->loc_row[p->live];
            double nu[DW_TRK_MAX_Z], Si[NZZ], d2, ld;
            if (innovation(s, s->ctx, &t->cache[p->live], &m[p->meas], nu, Si, &d2, &ld) != 0)
                continue;
            lg[i * nc + t->loc_col[p->meas]] = log(t->jpd[p->live]) + lnorm - 0.5 * (d2 + ld);
            if (isnan(lv[i]))
                lv[i] = log(unit_ball(nz)) + 0.5 * nz * log(t->cfg.gate) + 0.5 * ld;
        }
        double log_lam;
        if (t->cfg.jpda_clutter > 0) {
            log_lam = log(t->cfg.jpda_clutter);
        } else {
            double lvs = -INFINITY;
            for (int q = 0; q < nr; q++)
                if (!isnan(lv[q]))
                    lvs = log_add(lvs, lv[q]);
            log_lam = log((double)nc) - lvs;
        }
        for (int q = 0; q < nr * nc; q++)
            lg[q] -= log_lam;
        long n_events = 0;
        dw_status js = dw__jpda_betas(t->jpda, nr, nc, lg, lmiss, t->cfg.jpda_max_events, beta,
                                      &n_events);
        if (js == DW_ERR_FULL) {
            over = 1;
        } else if (js == DW_ERR_NOMEM) {
            *st = js;
        } else if (js != DW_OK || !isfinite(log_lam)) {
            t->stats.jpda_gnn_kept++;
        } else if (js == DW_OK && isfinite(log_lam)) {
            done = 1;
            const int nc1 = nc + 1;
            for (int q = 0; q < nr; q++) {
                const int li = t->rows[q];
                const double *bq = beta + q * nc1;
                int best = -1;
                double bb = 0.0;
                t->jstart[li] = (int)t->n_jents;
                for (int j = 0; j < nc; j++) {
                    if (!(bq[1 + j] > 0))
                        continue;
                    t->jents[t->n_jents++] = (jent){t->cols[j], bq[1 + j]};
                    if (bq[1 + j] > bb) {
                        bb = bq[1 + j];
                        best = t->cols[j];
                    }
                }
                t->jn[li] = (int)t->n_jents - t->jstart[li];
                t->jb0[li] = bq[0];
                t->jloglam[li] = log_lam;
                t->assigned[li] = best;
            }
            for (int j = 0; j < nc; j++) {
                double sum = 0.0, bb = 0.0;
                int best = -1;
                for (int q = 0; q < nr; q++) {
                    double v = beta[q * nc1 + 1 + j];
                    sum += v;
                    if (v > bb) {
                        bb = v;
                        best = t->rows[q];
                    }
                }
                if (sum > 0 && sum >= t->cfg.jpda_used)
                    t->meas_taken[t->cols[j]] = best;
            }
            t->stats.jpda_clusters++;
            t->stats.jpda_events += (uint64_t)n_events;
            if ((uint64_t)(nr + nc) > t->stats.max_cluster)
                t->stats.max_cluster = (uint64_t)(nr + nc);
        }
    }
    if (over)
        t->stats.jpda_over_cap++;
    for (int q = 0; q < nr; q++)
        t->loc_row[t->rows[q]] = -1;
    for (int q = 0; q < nc; q++)
        t->loc_col[t->cols[q]] = -1;
    return done;
}

/* Step 4 with JPDA: every cluster by jpda_cluster, or by GNN where that
 * declines. */
static __attribute__((noinline)) dw_status jpda_clusters(dw_tracker *t, const sensor *s0,
                                                         const sensor *s, const dw_meas *m,
                                                         int n_clusters, int have_pd)
{
    dw_status st = DW_OK;
    for (int i = 0; i < t->n_live; i++)
        t->jstart[i] = -1;
    t->n_jents = 0;
    for (int c = 0; c < n_clusters; c++) {
        const int a = t->cstart[c], b = t->cstart[c + 1];
        if (jpda_cluster(t, s0, s, m, a, b, have_pd, &st))
            continue;
        if (st != DW_OK || (st = gnn_cluster(t, a, b)) != DW_OK)
            return st;
    }
    return DW_OK;
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

    /* 0. Where each measurement is, if it says; which model it has (one of
     * its own must be whole and fit the tracker: else DW_ERR_INVALID, nothing
     * changed) and whether it is linearised apart from the batch (its own
     * context or model: bit 1 of mok, bit 0 saying it has a position). */
    const dw_meas_model *other = NULL;  /* the first model other than the sensor's */
    size_t n_other = 0;                 /* measurements with it */
    double meas_var = 0;
    int any_own_ctx = 0, any_plain = n == 0;
    for (size_t j = 0; j < n; j++) {
        double pc[9];
        const void *ctx = ctx_of(s, &m[j]);
        const dw_meas_model *md = m[j].model;
        int own = m[j].ctx && m[j].ctx != s->ctx;
        if (md && md != s->model) {
            if (!md->h || !md->residual || !md->to_pos || nz_of(t, md) > DW_TRK_MAX_Z)
                return DW_ERR_INVALID;
            if (!other)
                other = md;
            n_other += md == other;
            own = 1;
        } else {
            md = s->model;
        }
        any_own_ctx |= own;
        any_plain |= !own;
        const int ok = md->to_pos(ctx, mm, m[j].z, m[j].R, t->mpos[j], pc) == 0;
        t->mok[j] = ok | own << 1;
        if (ok) {
            double tr = 0;
            for (int a = 0; a < np; a++)
                tr += pc[a * np + a];
            if (tr > meas_var)
                meas_var = tr;
        }
        t->meas_taken[j] = -1;
        t->near_confirmed[j] = 0;
    }
    t->stats.batches++;
    t->stats.measurements += n;
    t->n_deleted = 0;
    t->n_unassigned = 0;

    /* The batch's model: the sensor's, or the one most of its measurements
     * name (a radar whose plots carry a range rate); the tracks are
     * linearised for it once, the other measurements pair by pair. */
    sensor sbv = *s;
    if (other && 2 * n_other > n) {
        sbv.model = other;
        sbv.nz = nz_of(t, other);
        any_own_ctx = 0;
        any_plain = 0;
        for (size_t j = 0; j < n; j++) {
            const int own = own_lin(s, &sbv, &m[j]);
            t->mok[j] = (t->mok[j] & 1) | own << 1;
            any_own_ctx |= own;
            any_plain |= !own;
        }
    }
    const sensor *sb = &sbv;

    /* 1. Predict and linearise every track for this sensor. A track already
     * past the batch's time (a late batch) is not moved back: it is gated as
     * it was then and updated through its history. */
    const int nl = t->n_live;
    double ext_sum = 0;
    int ext_n = 0;
    for (int i = 0; i < nl; i++) {
        int si = t->live[i];
        dw_trk *k = &t->pool[si].pub;
        cache *c = &t->cache[i];
        t->assigned[i] = -1;
        t->live_of[si] = i;
        c->key = k->id_key;
        c->key_coop = k->id_key_flags & DW_MEAS_COOPERATIVE;
        const double *x = k->x, *P = k->P;
        double xl[DW_TRK_MAX_X], Pl[NXX];
        if (k->t_us <= t_us) {
            predict_to(t, k, t_us);
        } else {
            state_at(t, si, t_us, xl, Pl);
            x = xl;
            P = Pl;
        }
        c->ok = linearise(mm, sb, sb->ctx, x, P, c) == 0;
        c->seen = c->ok && !(cover && cover->no_miss) && in_cover(cover, c->zpred) &&
                  !(cover && cover->revisit_us > 0 &&
                    t_us - t->pool[si].last_by_sensor[sensor_idx] < cover->revisit_us);
        c->pd = 1.0;
        if (c->seen && cover && cover->pd) {
            c->pd = cover->pd(cover->pd_ctx, x);
            /* A sensor that could not have seen it looked elsewhere. */
            c->seen = c->pd > 0.0;
        }
        c->gridded = c->ok || any_own_ctx;
        if (!c->ok && any_plain)
            t->stats.unlinearisable++;
        if (!c->gridded)
            continue;
        double tr = 0;
        for (int a = 0; a < np; a++) {
            int pi = mm->pos_idx[a];
            c->pos[a] = x[pi];
            tr += P[pi * mm->nx + pi];
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
        if (!c->gridded)
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

    /* 3. Gate. A keyed measurement meets the track holding its key first; a
     * measurement without a position meets every track. */
    t->n_pairs = 0;
    for (size_t j = 0; j < n; j++) {
        const dw_meas *mj = &m[j];
        if (mj->id_key) {
            int h = key_find(t, mj->id_key);
            if (h >= 0 && t->live_of[h] >= 0 && t->live_of[h] < nl && t->live[t->live_of[h]] == h) {
                size_t before = t->n_pairs;
                if ((st = gate_pair(t, s, sb, t_us, m, (int)j, t->live_of[h])) != DW_OK)
                    return st;
                if (t->n_pairs == before && key_forces(t, h, sensor_idx, mj) &&
                    (st = push_pair(t, t->live_of[h], (int)j, 0.5 * t->cfg.gate)) != DW_OK)
                    return st;
                if (t->n_pairs > before)
                    continue;   /* its own track: nowhere else */
                if (t->pool[h].pub.id_key_flags & DW_MEAS_COOPERATIVE)
                    continue;   /* a cooperative track's key stays (step 6) */
            }
            if (mj->flags & DW_MEAS_COOPERATIVE)
                continue;       /* a cooperative key never moves to a keyless track */
        }
        if (!(t->mok[j] & 1)) {
            double lo[3], hi[3];
            const dw_meas_model *md = model_of(s, mj);
            int boxed = md->bounds && md->bounds(ctx_of(s, mj), mm, mj->z, mj->R, lo, hi) == 0;
            for (int i = 0; i < nl; i++) {
                const cache *c = &t->cache[i];
                if (!c->gridded || !key_allows(c, mj))
                    continue;
                int out = 0;
                for (int a = 0; boxed && a < np; a++)
                    out |= c->pos[a] + c->ext < lo[a] || c->pos[a] - c->ext > hi[a];
                if (!out && (st = gate_pair(t, s, sb, t_us, m, (int)j, i)) != DW_OK)
                    return st;
            }
            continue;
        }
        const uint64_t mk = mj->id_key;
        const int own = t->mok[j] >> 1;
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
            const cache *c = &t->cache[i];
            if ((mk | c->key) && !key_allows(c, mj))
                continue;
            if (own) {
                if ((st = gate_pair(t, s, sb, t_us, m, (int)j, i)) != DW_OK)
                    return st;
                continue;
            }
            double nu[DW_TRK_MAX_Z], Sinv[DW_TRK_MAX_Z * DW_TRK_MAX_Z], d2;
            t->stats.gate_tests++;
            if (!c->ok || innovation(sb, sb->ctx, c, mj, nu, Sinv, &d2, NULL) != 0 ||
                !(d2 < t->cfg.gate))
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

        if (t->jstart) {
            if ((st = jpda_clusters(t, s, sb, m, n_clusters, cover && cover->pd)) != DW_OK)
                return st;
        } else {
            for (int c = 0; c < n_clusters; c++)
                if ((st = gnn_cluster(t, cstart[c], cstart[c + 1])) != DW_OK)
                    return st;
        }
    }

    /* 4b. Duplicates: a confirmed track that gated a measurement another
     * confirmed track took, lying within 3 sigma of it with a like velocity,
     * batch after batch, is the same object tracked twice. */
    if (t->cfg.merge_after > 0)
        find_duplicates(t, nl, t_us);

    /* 5. Update, count misses, confirm and delete. */
    const uint32_t nmask = t->cfg.confirm_n >= 32 ? 0xffffffffu : ((1u << t->cfg.confirm_n) - 1);
    const int *const jstart = t->jstart;   /* NULL: GNN */
    if (jstart)
        jpda_weak(t, nl, sensor_idx, m);
    int w = 0;
    for (int i = 0; i < nl; i++) {
        int si = t->live[i];
        slot *sl = &t->pool[si];
        dw_trk *k = &sl->pub;
        int mj = t->assigned[i];
        t->live_of[si] = -1;
        const int64_t coast = sl->coast_us > 0 ? sl->coast_us : t->cfg.max_coast_us;
        int stale = coast > 0 && t_us - k->last_update_us > coast;
        if (!t->cache[i].seen && mj < 0 && !stale) {
            t->live[w++] = si;   /* not looked at: no hit, no miss */
            continue;
        }
        sl->age++;
        if (mj >= 0) {
            if (jstart && jstart[i] >= 0)
                took_pda(t, i, si, sensor_idx, m, mj, 1);
            else
                took(t, si, sensor_idx, &m[mj]);
            k->history = (k->history << 1) | 1u;
        } else {
            k->misses++;
            k->miss_score += t->cache[i].pd;
            k->history <<= 1;
        }
        dw_trk_reason dead = DW_TRK_NREASONS;
        if (stale && mj < 0) {
            /* too long without an update, whatever looked at it */
            dead = DW_TRK_DELETED_COAST_TIMEOUT;
        } else if (k->status == DW_TRACK_TENTATIVE) {
            if (popcount32(k->history & nmask) >= t->cfg.confirm_m) {
                if (t->cfg.merge_after > 0 && !(k->id_key_flags & DW_MEAS_COOPERATIVE) &&
                    shadowed(t, k, nl, i, w)) {
                    dead = DW_TRK_DELETED_DUPLICATE;
                    t->stats.shadowed++;
                } else {
                    confirm(t, k, DW_TRK_CONFIRMED_M_OF_N, t_us);
                }
            }
            else if (sl->age >= (uint32_t)t->cfg.confirm_n)
                dead = DW_TRK_DELETED_NEVER_CONFIRMED;
        } else {
            if (k->miss_score >= (double)t->cfg.delete_misses - 1e-9) {
                dead = DW_TRK_DELETED_MISSED;
            } else if (k->misses && k->status != DW_TRACK_COASTING) {
                k->status = DW_TRACK_COASTING;
                set_reason(t, k, DW_TRK_COASTING_MISSED, t_us);
            } else if (!k->misses && k->status != DW_TRACK_CONFIRMED) {
                k->status = DW_TRACK_CONFIRMED;
                set_reason(t, k, DW_TRK_REACQUIRED, t_us);
            }
        }
        if (dead == DW_TRK_NREASONS && t->dup_kill[i]) {
            dead = DW_TRK_DELETED_DUPLICATE;
            t->stats.duplicates++;
        }
        t->dup_kill[i] = 0;
        if (dead != DW_TRK_NREASONS)
            kill_track(t, si, dead, t_us);
        else
            t->live[w++] = si;
    }
    t->n_live = w;

    /* 6. Every measurement nobody took may be a new object; a keyed one may
     * be a second report for a track that holds its key. */
    for (size_t j = 0; j < n; j++) {
        if (t->meas_taken[j] >= 0)
            continue;
        const dw_meas *mj = &m[j];
        if (mj->id_key) {
            int h = key_find(t, mj->id_key);
            if (h >= 0) {
                slot *hs = &t->pool[h];
                if (gates_now(t, h, sensor_idx, mj, t->cfg.gate) || key_forces(t, h, sensor_idx, mj)) {
                    took(t, h, sensor_idx, mj);
                    t->stats.key_repeats++;
                    continue;
                }
                if ((hs->pub.id_key_flags & DW_MEAS_COOPERATIVE) &&
                    !(mj->flags & DW_MEAS_COOPERATIVE)) {
                    /* a radar's Mode S plot that contradicts the aircraft's
                     * own reports: the plot is wrong, not the key */
                    t->stats.key_refused++;
                    continue;
                }
                if (++hs->key_miss < t->cfg.key_jump_after) {
                    /* one report astray is not yet a jump */
                    t->stats.key_held++;
                    continue;
                }
                /* the report jumped: the key leaves its old track */
                drop_key(t, &hs->pub);
                t->stats.key_jumps++;
            }
        }
        if (t->near_confirmed[j]) {
            /* In a confirmed track's gate: the same object seen twice (two
             * radars' plots a scan apart, a split plot), not a new one. */
            t->near_confirmed[j] = 0;
            t->stats.absorbed++;
            continue;
        }
        if (!(t->mok[j] & 1) || start_track(t, sensor_idx, s, mj) != 0) {
            t->unassigned[t->n_unassigned++] = (uint32_t)j;
            t->stats.unassigned++;
        }
    }
    return DW_OK;
}

/* classify_eval.h — how the classifier (classify.h) does on tracks whose truth is known.
 *
 * Reads a run directory as `dronewall sim --out DIR` writes it (truth.ndjson,
 * tracks.ndjson, sensors.json) or as a test writes one: every confirmed or coasting track
 * report feeds its track's dw_class_state, with hints made only from what the record
 * says (the kinds of its sensors: "acoustic-bearings" is heard, "rf-bearings" an RF
 * emitter; its icao and rid when written), then the report is matched to the nearest
 * live truth within 1 km (3-D) at the same t_us and counted in a confusion matrix.
 * "Called a drone": owa_drone + decoy + quadcopter probability of at least 0.5.
 *
 * Header-only (static functions) so that the tool (tests/tools/classify_eval.c) and
 * the unit test (tests/unit/test_classify.c) count the same way.
 */
#ifndef DW_TESTS_CLASSIFY_EVAL_H
#define DW_TESTS_CLASSIFY_EVAL_H

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "dronewall/classify.h"
#include "dronewall/ndjson.h"
#include "dronewall/sensor.h"

#define CE_MATCH_M 1000.0
#define CE_DRONE_P 0.5

typedef struct ce_truth {
    int64_t t_us;
    double lat_deg, lon_deg, alt_m;
    dw_class cls;
} ce_truth;

typedef struct ce_trk {
    uint64_t id;                /* 0: empty slot (ids are offset by one) */
    dw_class_state st;
    dw_class_hints h;
} ce_trk;

typedef struct ce_counts {
    uint64_t n[DW_NCLASSES];
    uint64_t conf[DW_NCLASSES][DW_NCLASSES];   /* [true][predicted] */
    uint64_t as_drone[DW_NCLASSES];
    double p_drone_sum[DW_NCLASSES];
    double p_sum[DW_NCLASSES][DW_NCLASSES];    /* [true][class]: summed probabilities */
} ce_counts;

typedef struct ce_eval {
    dw_classify_config cfg;
    double settle_s;            /* "settled": reports of tracks at least this old */
    ce_truth *truth;
    size_t n_truth, cap_truth;
    ce_trk *trk;
    size_t cap_trk, n_trk;      /* open addressing, power of two */
    char (*sname)[DW_ID_MAX];
    dw_sensor_kind *skind;
    size_t n_s;
    ce_counts all, settled;
    uint64_t reports, unmatched, bad_lines;
} ce_eval;

static int ce_init(ce_eval *e)
{
    memset(e, 0, sizeof *e);
    dw_classify_config_default(&e->cfg);
    e->settle_s = 60.0;
    e->cap_trk = 1024;
    e->trk = calloc(e->cap_trk, sizeof *e->trk);
    return e->trk ? 0 : -1;
}

static void ce_free(ce_eval *e)
{
    free(e->truth);
    free(e->trk);
    free(e->sname);
    free(e->skind);
    memset(e, 0, sizeof *e);
}

static int ce_add_sensor(ce_eval *e, const char *id, dw_sensor_kind k)
{
    char (*n)[DW_ID_MAX] = realloc(e->sname, (e->n_s + 1) * sizeof *n);
    if (!n)
        return -1;
    e->sname = n;
    dw_sensor_kind *kk = realloc(e->skind, (e->n_s + 1) * sizeof *kk);
    if (!kk)
        return -1;
    e->skind = kk;
    snprintf(e->sname[e->n_s], DW_ID_MAX, "%s", id);
    e->skind[e->n_s++] = k;
    return 0;
}

static int ce_add_truth(ce_eval *e, const dw_truth *t)
{
    if (!t->alive)
        return 0;
    if (e->n_truth == e->cap_truth) {
        size_t cap = e->cap_truth ? 2 * e->cap_truth : 4096;
        ce_truth *n = realloc(e->truth, cap * sizeof *n);
        if (!n)
            return -1;
        e->truth = n;
        e->cap_truth = cap;
    }
    e->truth[e->n_truth++] = (ce_truth){t->t_us, t->lat_deg, t->lon_deg, t->alt_m, t->cls};
    return 0;
}

static int ce_truth_cmp(const void *a, const void *b)
{
    const ce_truth *x = a, *y = b;
    return (x->t_us > y->t_us) - (x->t_us < y->t_us);
}

static void ce_sort_truth(ce_eval *e)
{
    qsort(e->truth, e->n_truth, sizeof *e->truth, ce_truth_cmp);
}

static ce_trk *ce_track(ce_eval *e, uint64_t id)
{
    if (2 * (e->n_trk + 1) > e->cap_trk) {
        size_t cap = 2 * e->cap_trk;
        ce_trk *n = calloc(cap, sizeof *n);
        if (!n)
            return NULL;
        for (size_t i = 0; i < e->cap_trk; i++) {
            if (!e->trk[i].id)
                continue;
            size_t k = (size_t)(e->trk[i].id * 0x9E3779B97F4A7C15ULL) & (cap - 1);
            while (n[k].id)
                k = (k + 1) & (cap - 1);
            n[k] = e->trk[i];
        }
        free(e->trk);
        e->trk = n;
        e->cap_trk = cap;
    }
    uint64_t key = id + 1;
    size_t k = (size_t)(key * 0x9E3779B97F4A7C15ULL) & (e->cap_trk - 1);
    while (e->trk[k].id && e->trk[k].id != key)
        k = (k + 1) & (e->cap_trk - 1);
    if (!e->trk[k].id) {
        e->trk[k].id = key;
        dw_class_state_init(&e->trk[k].st);
        memset(&e->trk[k].h, 0, sizeof e->trk[k].h);
        e->n_trk++;
    }
    return &e->trk[k];
}

/* The kind a track record's sensor name stands for, -1 when it says nothing: the
 * pipeline's shared slots first (pipeline.h), then the run's sensor table. */
static int ce_sensor_kind(const ce_eval *e, const char *name)
{
    if (strcmp(name, "acoustic-bearings") == 0)
        return DW_SENSOR_ACOUSTIC;
    if (strcmp(name, "rf-bearings") == 0)
        return DW_SENSOR_RF;
    if (strcmp(name, "eo-bearings") == 0)
        return DW_SENSOR_EO;
    if (strcmp(name, "position-reports") == 0 || strcmp(name, "2d-reports") == 0)
        return -1;      /* shared by ADS-B, Remote ID, partners, citizens: unknowable */
    for (size_t i = 0; i < e->n_s; i++)
        if (strcmp(e->sname[i], name) == 0)
            return (int)e->skind[i];
    return -1;
}

static const ce_truth *ce_match(const ce_eval *e, const dw_track *t)
{
    size_t lo = 0, hi = e->n_truth;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->truth[mid].t_us < t->t_us)
            lo = mid + 1;
        else
            hi = mid;
    }
    const ce_truth *best = NULL;
    double bd = CE_MATCH_M;
    double kx = 111195.0 * cos(t->lat_deg * M_PI / 180.0), ky = 111195.0;
    for (size_t i = lo; i < e->n_truth && e->truth[i].t_us == t->t_us; i++) {
        double dx = (e->truth[i].lon_deg - t->lon_deg) * kx;
        double dy = (e->truth[i].lat_deg - t->lat_deg) * ky;
        double dz = e->truth[i].alt_m - t->alt_m;
        double d = sqrt(dx * dx + dy * dy + dz * dz);
        if (d < bd) {
            bd = d;
            best = &e->truth[i];
        }
    }
    return best;
}

static void ce_count(ce_counts *c, dw_class truth, dw_class pred, double pd,
                     const float p[DW_NCLASSES])
{
    for (int k = 0; k < DW_NCLASSES; k++)
        c->p_sum[truth][k] += p[k];
    c->n[truth]++;
    c->conf[truth][pred]++;
    c->p_drone_sum[truth] += pd;
    if (pd >= CE_DRONE_P)
        c->as_drone[truth]++;
}

/* One NDJSON line of a tracks file; lines of other types are skipped. */
static int ce_track_line(ce_eval *e, const char *line, size_t len)
{
    dw_record rec;
    if (dw_ndjson_parse(line, len, &rec, NULL, 0) != DW_OK) {
        e->bad_lines++;
        return 0;
    }
    if (rec.type != DW_REC_TRACK)
        return 0;
    dw_track *t = &rec.u.track;
    if (t->status != DW_TRACK_CONFIRMED && t->status != DW_TRACK_COASTING)
        return 0;
    ce_trk *k = ce_track(e, t->id);
    if (!k)
        return -1;
    json_t *root = json_loadb(line, len, 0, NULL);
    json_t *sens = root ? json_object_get(root, "sensors") : NULL;
    size_t i;
    json_t *v;
    json_array_foreach(sens, i, v) {
        int kind = json_is_string(v) ? ce_sensor_kind(e, json_string_value(v)) : -1;
        if (kind < 0)
            continue;
        k->h.sensor_kinds |= 1u << kind;
        if (kind == DW_SENSOR_ACOUSTIC)
            k->h.heard = 1;
    }
    json_decref(root);

    dw_classify_update(&e->cfg, &k->st, t, &k->h);
    float p[DW_NCLASSES];
    dw_class best;
    dw_classify_result(&e->cfg, &k->st, p, &best);
    e->reports++;
    const ce_truth *tr = ce_match(e, t);
    if (!tr) {
        e->unmatched++;
        return 0;
    }
    double pd = dw_classify_drone_prob(p);
    ce_count(&e->all, tr->cls, best, pd, p);
    if ((double)(k->st.last_us - k->st.first_us) / 1e6 >= e->settle_s)
        ce_count(&e->settled, tr->cls, best, pd, p);
    return 0;
}

static int ce_is_nondrone_class(int c)
{
    return c == DW_CLASS_AIRLINER || c == DW_CLASS_BIRD || c == DW_CLASS_FIGHTER ||
           c == DW_CLASS_HELICOPTER || c == DW_CLASS_LIGHT_AIRCRAFT;
}

/* Share of the reports of drone (want_drone) or non-drone truths called drones; -1
 * when there are none. */
static double ce_share_as_drone(const ce_counts *c, int want_drone, uint64_t *num, uint64_t *den)
{
    uint64_t a = 0, n = 0;
    for (int k = 0; k < DW_NCLASSES; k++) {
        int is = want_drone ? dw_class_is_drone((dw_class)k) : ce_is_nondrone_class(k);
        if (!is)
            continue;
        a += c->as_drone[k];
        n += c->n[k];
    }
    if (num)
        *num = a;
    if (den)
        *den = n;
    return n ? (double)a / (double)n : -1;
}

static double ce_accuracy(const ce_counts *c, dw_class k)
{
    return c->n[k] ? (double)c->conf[k][k] / (double)c->n[k] : -1;
}

static double ce_class_as_drone(const ce_counts *c, dw_class k)
{
    return c->n[k] ? (double)c->as_drone[k] / (double)c->n[k] : -1;
}

static void ce_print_counts(const ce_counts *c, FILE *f)
{
    fprintf(f, "%-15s %8s %9s %9s %9s |", "true class", "reports", "accuracy", "as drone",
            "mean P(d)");
    for (int k = 0; k < DW_NCLASSES; k++)
        fprintf(f, " %9.9s", dw_class_name((dw_class)k));
    fprintf(f, "\n");
    for (int t = 0; t < DW_NCLASSES; t++) {
        if (!c->n[t])
            continue;
        fprintf(f, "%-15s %8llu %8.1f%% %8.1f%% %9.3f |", dw_class_name((dw_class)t),
                (unsigned long long)c->n[t], 100.0 * ce_accuracy(c, (dw_class)t),
                100.0 * ce_class_as_drone(c, (dw_class)t), c->p_drone_sum[t] / (double)c->n[t]);
        for (int k = 0; k < DW_NCLASSES; k++)
            fprintf(f, " %8.1f%%", 100.0 * (double)c->conf[t][k] / (double)c->n[t]);
        fprintf(f, "\n");
    }
    fprintf(f, "%-15s %8s %9s %9s %9s |", "mean P(class)", "", "", "", "");
    for (int k = 0; k < DW_NCLASSES; k++)
        fprintf(f, " %9.9s", dw_class_name((dw_class)k));
    fprintf(f, "\n");
    for (int t = 0; t < DW_NCLASSES; t++) {
        if (!c->n[t])
            continue;
        fprintf(f, "%-15s %8s %9s %9s %9s |", dw_class_name((dw_class)t), "", "", "", "");
        for (int k = 0; k < DW_NCLASSES; k++)
            fprintf(f, " %9.3f", c->p_sum[t][k] / (double)c->n[t]);
        fprintf(f, "\n");
    }
    uint64_t a, n;
    double s = ce_share_as_drone(c, 0, &a, &n);
    if (s >= 0)
        fprintf(f, "non-drones (airliner, bird, fighter, helicopter, light_aircraft) called "
                   "drones: %.2f%% (%llu of %llu)\n", 100.0 * s, (unsigned long long)a,
                (unsigned long long)n);
    s = ce_share_as_drone(c, 1, &a, &n);
    if (s >= 0)
        fprintf(f, "drones (owa_drone, decoy, quadcopter) called drones: %.2f%% (%llu of %llu)\n",
                100.0 * s, (unsigned long long)a, (unsigned long long)n);
}

static void ce_print(const ce_eval *e, FILE *f)
{
    fprintf(f, "%llu track reports, %llu matched to a truth within %.0f m, %llu not\n",
            (unsigned long long)e->reports, (unsigned long long)(e->reports - e->unmatched),
            CE_MATCH_M, (unsigned long long)e->unmatched);
    fprintf(f, "\nall reports (the class as it stood at each report; columns: share predicted "
               "as each class)\n");
    ce_print_counts(&e->all, f);
    fprintf(f, "\nsettled: reports of tracks at least %.0f s old\n", e->settle_s);
    ce_print_counts(&e->settled, f);
}

/* Each line of the file at path to fn; -1 when it cannot be read. */
static int ce_lines(ce_eval *e, const char *path, int (*fn)(ce_eval *, const char *, size_t))
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0)
        rc = fn(e, line, (size_t)n);
    free(line);
    fclose(f);
    return rc;
}

static int ce_truth_line(ce_eval *e, const char *line, size_t len)
{
    dw_record rec;
    if (dw_ndjson_parse(line, len, &rec, NULL, 0) != DW_OK) {
        e->bad_lines++;
        return 0;
    }
    return rec.type == DW_REC_TRUTH ? ce_add_truth(e, &rec.u.truth) : 0;
}

/* sensors.json of a run, if there is one: ids and kinds. */
static int ce_sensors(ce_eval *e, const char *path)
{
    json_t *root = json_load_file(path, 0, NULL);
    if (!root)
        return 0;
    json_t *list = json_object_get(root, "sensors");
    size_t i;
    json_t *s;
    int rc = 0;
    json_array_foreach(list, i, s) {
        const char *id = json_string_value(json_object_get(s, "id"));
        const char *kind = json_string_value(json_object_get(s, "kind"));
        dw_sensor_kind k;
        if (id && kind && dw_sensor_kind_parse(kind, &k) == 0 && ce_add_sensor(e, id, k) != 0)
            rc = -1;
    }
    json_decref(root);
    return rc;
}

/* A run directory: sensors.json (optional), truth.ndjson, tracks.ndjson. */
static int ce_run_dir(ce_eval *e, const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/sensors.json", dir);
    if (ce_sensors(e, p) != 0)
        return -1;
    snprintf(p, sizeof p, "%s/truth.ndjson", dir);
    if (ce_lines(e, p, ce_truth_line) != 0)
        return -1;
    ce_sort_truth(e);
    snprintf(p, sizeof p, "%s/tracks.ndjson", dir);
    return ce_lines(e, p, ce_track_line);
}

#endif

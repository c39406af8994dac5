/* score_geo.c — GOSPA, completeness, RMSE, track-number changes and the SIAP
 * figures for a geodetic picture (score_geo.h says what each one means).
 *
 * Truth objects are numbered once, by sorting their ids, and track ids by
 * sorting theirs, so the per-instant work is the GOSPA solve, a hash grid of
 * cell c for the distance association and binary searches: a run of 1,000
 * targets over hours scores in seconds.
 */
#include "dronewall/score_geo.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "dronewall/metrics.h"

typedef struct idx_t { int64_t t; size_t i; } idx_t;

static int cmp_idx(const void *a, const void *b)
{
    const idx_t *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

typedef struct name_ref { const char *id; size_t i; } name_ref;

static int cmp_name(const void *a, const void *b)
{
    const name_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->i < y->i ? -1 : x->i > y->i);
}

static int cmp_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Position of id in the sorted unique ids (it is there). */
static size_t find_u64(const uint64_t *v, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= id)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* One truth object over the run. */
typedef struct object {
    dw_class cls;
    int seen;                   /* has had a point */
    int held;                   /* has had a track assigned */
    int has_last;
    uint64_t last;              /* the track assigned last */
    uint64_t run_track;
    size_t run_len, best_run, n_points;
} object;

/* A hash grid over one instant's truths, cell c in east and north. */
typedef struct grid {
    int *head;                  /* per bucket: first truth, -1 */
    int *next;                  /* per truth */
    int64_t *cx, *cy;           /* per truth: its cell */
    size_t mask;
} grid;

static size_t cell_hash(int64_t x, int64_t y, size_t mask)
{
    uint64_t h = (uint64_t)x * 0x9E3779B97F4A7C15ULL ^ (uint64_t)y * 0xC2B2AE3D27D4EB4FULL;
    return (size_t)(h ^ (h >> 29)) & mask;
}

static void grid_fill(grid *g, const double *tp, int n, double c)
{
    memset(g->head, 0xff, (g->mask + 1) * sizeof *g->head);
    for (int i = 0; i < n; i++) {
        g->cx[i] = (int64_t)floor(tp[3 * i] / c);
        g->cy[i] = (int64_t)floor(tp[3 * i + 1] / c);
        size_t h = cell_hash(g->cx[i], g->cy[i], g->mask);
        g->next[i] = g->head[h];
        g->head[h] = i;
    }
}

static double dist2(const double *a, const double *b)
{
    const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return dx * dx + dy * dy + dz * dz;
}

/* The truth nearest to point k closer than c, or -1. Any truth closer than
 * c in 3-D is closer than c in east-north, so in one of the 3 x 3 cells. */
static int grid_nearest(const grid *g, const double *tp, const double *k, double c)
{
    const int64_t x = (int64_t)floor(k[0] / c), y = (int64_t)floor(k[1] / c);
    int best = -1;
    double bd = c * c;
    for (int64_t dx = -1; dx <= 1; dx++)
        for (int64_t dy = -1; dy <= 1; dy++)
            for (int i = g->head[cell_hash(x + dx, y + dy, g->mask)]; i >= 0; i = g->next[i]) {
                if (g->cx[i] != x + dx || g->cy[i] != y + dy)
                    continue;
                double d = dist2(tp + 3 * i, k);
                if (d < bd || (d == bd && best >= 0 && i < best)) {
                    bd = d;
                    best = i;
                }
            }
    return best;
}

static dw_status score_run(const dw_truth *truth, size_t n_truth, const dw_track *tracks,
                           size_t n_tracks, const uint8_t *mix, const char *const *mix_names,
                           size_t n_mix, double c_m, double p, dw_geo_score *out);

dw_status dw_geo_score_run(const dw_truth *truth, size_t n_truth, const dw_track *tracks,
                           size_t n_tracks, double c_m, double p, dw_geo_score *out)
{
    return score_run(truth, n_truth, tracks, n_tracks, NULL, NULL, 0, c_m, p, out);
}

dw_status dw_geo_score_run_mix(const dw_truth *truth, size_t n_truth, const dw_track *tracks,
                               size_t n_tracks, const uint8_t *mix, const char *const *names,
                               size_t n_mix, double c_m, double p, dw_geo_score *out)
{
    if (!mix || !names || n_mix > DW_GEO_MAX_MIX)
        return DW_ERR_INVALID;
    for (size_t i = 0; i < n_tracks; i++)
        if (mix[i] >= n_mix)
            return DW_ERR_INVALID;
    return score_run(truth, n_truth, tracks, n_tracks, mix, names, n_mix, c_m, p, out);
}

static int is_drone(dw_class c)
{
    return c == DW_CLASS_OWA_DRONE || c == DW_CLASS_DECOY || c == DW_CLASS_QUADCOPTER ||
           c == DW_CLASS_UNKNOWN;
}

static dw_status score_run(const dw_truth *truth, size_t n_truth, const dw_track *tracks,
                           size_t n_tracks, const uint8_t *mix, const char *const *mix_names,
                           size_t n_mix, double c_m, double p, dw_geo_score *out)
{
    if (!(c_m > 0) || !(p >= 1) || !out || (n_truth && !truth) || (n_tracks && !tracks))
        return DW_ERR_INVALID;
    dw_status st = DW_ERR_NOMEM;
    const size_t N = n_truth + 1, K = n_tracks + 1;
    idx_t *ti = malloc(N * sizeof *ti), *ki = malloc(K * sizeof *ki);
    double *tp = malloc(N * 3 * sizeof *tp), *kp = malloc(K * 3 * sizeof *kp);
    size_t *tmap = malloc(N * sizeof *tmap), *kmap = malloc(K * sizeof *kmap);
    size_t *objof = malloc(N * sizeof *objof);
    name_ref *names = malloc(N * sizeof *names);
    object *obj = calloc(N, sizeof *obj);
    uint64_t *uid = malloc(K * sizeof *uid);
    unsigned char *near = calloc(K, 1);
    int *cnt = malloc(N * sizeof *cnt);
    size_t gcap = 16;
    while (gcap < 2 * N)
        gcap *= 2;
    grid g = {malloc(gcap * sizeof(int)), malloc(N * sizeof(int)), malloc(N * sizeof(int64_t)),
              malloc(N * sizeof(int64_t)), gcap - 1};
    dw_gospa_ws *ws = NULL;
    if (!ti || !ki || !tp || !kp || !tmap || !kmap || !objof || !names || !obj || !uid || !near ||
        !cnt || !g.head || !g.next || !g.cx || !g.cy || dw_gospa_ws_create(&ws) != DW_OK)
        goto done;

    size_t nt = 0, nk = 0;
    for (size_t i = 0; i < n_truth; i++)
        if (truth[i].alive)
            ti[nt++] = (idx_t){truth[i].t_us, i};
    for (size_t i = 0; i < n_tracks; i++)
        if (tracks[i].status == DW_TRACK_CONFIRMED || tracks[i].status == DW_TRACK_COASTING)
            ki[nk++] = (idx_t){tracks[i].t_us, i};
    qsort(ti, nt, sizeof *ti, cmp_idx);
    qsort(ki, nk, sizeof *ki, cmp_idx);

    /* Truth objects: number the distinct ids. */
    size_t n_obj = 0;
    for (size_t a = 0; a < nt; a++)
        names[a] = (name_ref){truth[ti[a].i].id, ti[a].i};
    qsort(names, nt, sizeof *names, cmp_name);
    for (size_t a = 0; a < nt; a++) {
        if (a > 0 && strcmp(names[a].id, names[a - 1].id) != 0)
            n_obj++;
        objof[names[a].i] = n_obj;
    }
    if (nt)
        n_obj++;

    dw_geo_score s;
    memset(&s, 0, sizeof s);
    s.c_m = c_m;
    s.p = p;
    if (nt == 0) {
        s.rmse_m = s.held_share = s.longest_segment_mean = NAN;
        s.siap_completeness = s.ambiguity = s.spuriousness = s.siap_completeness_in_cover = NAN;
        *out = s;
        st = DW_OK;
        goto done;
    }

    /* The distinct ids of the reports that are compared: those at truth
     * instants. */
    size_t n_uid = 0;
    {
        size_t a = 0, b = 0;
        while (a < nt && b < nk) {
            if (ki[b].t < ti[a].t)
                b++;
            else if (ki[b].t > ti[a].t)
                a++;
            else
                uid[n_uid++] = tracks[ki[b++].i].id;
        }
        qsort(uid, n_uid, sizeof *uid, cmp_u64);
        size_t u = 0;
        for (size_t i = 0; i < n_uid; i++)
            if (u == 0 || uid[i] != uid[u - 1])
                uid[u++] = uid[i];
        n_uid = u;
    }

    dw_enu_frame f;
    dw_geodetic g0 = {truth[ti[0].i].lat_deg, truth[ti[0].i].lon_deg, 0.0};
    dw_enu_frame_init(&f, &g0);
    double sum_g = 0, sum_l = 0, sum_m = 0, sum_f = 0, sum_sq = 0;
    double cls_sq[DW_NCLASSES] = {0}, mix_sq[DW_GEO_MAX_MIX] = {0};
    size_t nmiss = 0, nfalse = 0, n_tracked = 0, n_assoc = 0, n_spurious = 0;
    size_t n_cov_near = 0, cls_cov_pairs[DW_NCLASSES] = {0}, cls_cov_near[DW_NCLASSES] = {0};
    size_t a = 0, b = 0;
    while (a < nt) {
        int64_t t = ti[a].t;
        size_t a2 = a;
        int n1 = 0, n2 = 0;
        while (a2 < nt && ti[a2].t == t) {
            const dw_truth *x = &truth[ti[a2].i];
            dw_geodetic gx = {x->lat_deg, x->lon_deg, x->alt_m};
            dw_enu_from_geo(&f, &gx, tp + 3 * n1);
            tmap[n1++] = ti[a2].i;
            a2++;
        }
        while (b < nk && ki[b].t < t)
            b++;
        while (b < nk && ki[b].t == t) {
            const dw_track *k = &tracks[ki[b].i];
            dw_geodetic gk = {k->lat_deg, k->lon_deg, k->alt_m};
            dw_enu_from_geo(&f, &gk, kp + 3 * n2);
            kmap[n2++] = ki[b].i;
            b++;
        }
        dw_gospa_parts gp;
        if ((st = dw_gospa_nd(tp, n1, kp, n2, 3, c_m, p, ws, &gp)) != DW_OK)
            goto done;
        const int *asg = dw_gospa_assignment(ws);

        /* The 1-to-1 assignment: per truth object and class. */
        for (int i = 0; i < n1; i++) {
            object *o = &obj[objof[tmap[i]]];
            if (!o->seen) {
                o->seen = 1;
                o->cls = (unsigned)truth[tmap[i]].cls < DW_NCLASSES ? truth[tmap[i]].cls
                                                                   : DW_CLASS_UNKNOWN;
            }
            dw_geo_class_score *cs = &s.by_class[o->cls];
            const int in_cover = !truth[tmap[i]].unseen;
            o->n_points++;
            cs->n_truth++;
            cs->n_in_cover += (size_t)in_cover;
            cls_cov_pairs[o->cls] += (size_t)(in_cover && asg[i] >= 0);
            if (asg[i] < 0) {
                o->run_len = 0;
                continue;
            }
            uint64_t kid = tracks[kmap[asg[i]]].id;
            cs->n_pairs++;
            cls_sq[o->cls] += dist2(tp + 3 * i, kp + 3 * asg[i]);
            if (mix && is_drone(o->cls)) {
                unsigned mx = mix[kmap[asg[i]]];
                s.by_mix[mx].n_pairs++;
                mix_sq[mx] += dist2(tp + 3 * i, kp + 3 * asg[i]);
            }
            o->held = 1;
            if (o->has_last && o->last != kid) {
                s.id_changes++;
                cs->id_changes++;
            }
            o->has_last = 1;
            o->last = kid;
            if (o->run_len > 0 && o->run_track == kid) {
                o->run_len++;
            } else {
                o->run_track = kid;
                o->run_len = 1;
            }
            if (o->run_len > o->best_run)
                o->best_run = o->run_len;
        }

        /* The association by distance: each report to its nearest truth. */
        grid_fill(&g, tp, n1, c_m);
        memset(cnt, 0, (size_t)n1 * sizeof *cnt);
        for (int j = 0; j < n2; j++) {
            int i = grid_nearest(&g, tp, kp + 3 * j, c_m);
            if (i < 0) {
                n_spurious++;
                continue;
            }
            cnt[i]++;
            n_assoc++;
            near[find_u64(uid, n_uid, tracks[kmap[j]].id)] = 1;
        }
        for (int i = 0; i < n1; i++) {
            n_tracked += cnt[i] > 0;
            if (cnt[i] > 0 && !truth[tmap[i]].unseen) {
                n_cov_near++;
                cls_cov_near[obj[objof[tmap[i]]].cls]++;
            }
        }

        sum_g += gp.total;
        sum_l += gp.localisation;
        sum_m += gp.missed_cost;
        sum_f += gp.false_cost;
        sum_sq += gp.sum_sq_dist;
        s.n_pairs += (size_t)gp.n_pairs;
        nmiss += (size_t)gp.n_missed;
        nfalse += (size_t)gp.n_false;
        s.n_truth += (size_t)n1;
        s.n_track_reports += (size_t)n2;
        s.n_steps++;
        a = a2;
    }
    double ns = (double)s.n_steps;
    s.gospa_mean = sum_g / ns;
    s.gospa_localisation_mean = sum_l / ns;
    s.gospa_missed_mean = sum_m / ns;
    s.gospa_false_mean = sum_f / ns;
    s.missed_per_step = (double)nmiss / ns;
    s.false_per_step = (double)nfalse / ns;
    s.completeness = s.n_truth ? (double)s.n_pairs / (double)s.n_truth : 0.0;
    s.rmse_m = s.n_pairs ? sqrt(sum_sq / (double)s.n_pairs) : NAN;

    size_t held = 0;
    double ls_sum = 0, cls_ls[DW_NCLASSES] = {0};
    size_t cls_held[DW_NCLASSES] = {0};
    for (size_t i = 0; i < n_obj; i++) {
        const object *o = &obj[i];
        double ls = (double)o->best_run / (double)o->n_points;
        held += (size_t)o->held;
        ls_sum += ls;
        s.by_class[o->cls].n_truth_ids++;
        cls_held[o->cls] += (size_t)o->held;
        cls_ls[o->cls] += ls;
    }
    s.n_truth_ids = n_obj;
    s.held_share = (double)held / (double)n_obj;
    s.longest_segment_mean = ls_sum / (double)n_obj;
    for (int c = 0; c < DW_NCLASSES; c++) {
        dw_geo_class_score *cs = &s.by_class[c];
        if (!cs->n_truth) {
            cs->completeness = cs->rmse_m = cs->held_share = cs->longest_segment_mean = NAN;
            cs->completeness_in_cover = cs->siap_completeness_in_cover = NAN;
            continue;
        }
        cs->completeness = (double)cs->n_pairs / (double)cs->n_truth;
        cs->completeness_in_cover =
            cs->n_in_cover ? (double)cls_cov_pairs[c] / (double)cs->n_in_cover : NAN;
        cs->siap_completeness_in_cover =
            cs->n_in_cover ? (double)cls_cov_near[c] / (double)cs->n_in_cover : NAN;
        s.n_in_cover += cs->n_in_cover;
        cs->rmse_m = cs->n_pairs ? sqrt(cls_sq[c] / (double)cs->n_pairs) : NAN;
        cs->held_share = (double)cls_held[c] / (double)cs->n_truth_ids;
        cs->longest_segment_mean = cls_ls[c] / (double)cs->n_truth_ids;
    }

    s.mix_names = mix ? mix_names : NULL;
    s.n_mix = mix ? n_mix : 0;
    for (size_t m = 0; m < s.n_mix; m++)
        s.by_mix[m].rmse_m = s.by_mix[m].n_pairs ? sqrt(mix_sq[m] / (double)s.by_mix[m].n_pairs) : NAN;
    s.n_track_ids = n_uid;
    for (size_t i = 0; i < n_uid; i++)
        s.false_tracks += !near[i];
    s.siap_completeness = (double)n_tracked / (double)s.n_truth;
    s.siap_completeness_in_cover = s.n_in_cover ? (double)n_cov_near / (double)s.n_in_cover : NAN;
    s.ambiguity = n_tracked ? (double)n_assoc / (double)n_tracked : NAN;
    s.spuriousness = s.n_track_reports ? (double)n_spurious / (double)s.n_track_reports : NAN;
    *out = s;
    st = DW_OK;
done:
    free(ti);
    free(ki);
    free(tp);
    free(kp);
    free(tmap);
    free(kmap);
    free(objof);
    free(names);
    free(obj);
    free(uid);
    free(near);
    free(cnt);
    free(g.head);
    free(g.next);
    free(g.cx);
    free(g.cy);
    dw_gospa_ws_destroy(ws);
    return st;
}

static void num(FILE *f, const char *key, double v, int last)
{
    if (isfinite(v))
        fprintf(f, "\"%s\":%.6g%s", key, v, last ? "" : ",");
    else
        fprintf(f, "\"%s\":null%s", key, last ? "" : ",");
}

void dw_geo_score_print_json(FILE *f, const dw_geo_score *s)
{
    fputc('{', f);
    fprintf(f, "\"n_steps\":%zu,\"n_truth\":%zu,\"n_pairs\":%zu,\"n_truth_ids\":%zu,\"id_changes\":%zu,",
            s->n_steps, s->n_truth, s->n_pairs, s->n_truth_ids, s->id_changes);
    num(f, "c_m", s->c_m, 0);
    num(f, "p", s->p, 0);
    num(f, "gospa_mean", s->gospa_mean, 0);
    num(f, "gospa_localisation_mean", s->gospa_localisation_mean, 0);
    num(f, "gospa_missed_mean", s->gospa_missed_mean, 0);
    num(f, "gospa_false_mean", s->gospa_false_mean, 0);
    num(f, "missed_per_step", s->missed_per_step, 0);
    num(f, "false_per_step", s->false_per_step, 0);
    num(f, "completeness", s->completeness, 0);
    num(f, "rmse_m", s->rmse_m, 0);
    num(f, "held_share", s->held_share, 0);
    num(f, "longest_segment_mean", s->longest_segment_mean, 0);
    fprintf(f, "\"n_track_reports\":%zu,\"n_track_ids\":%zu,\"false_tracks\":%zu,",
            s->n_track_reports, s->n_track_ids, s->false_tracks);
    num(f, "siap_completeness", s->siap_completeness, 0);
    num(f, "ambiguity", s->ambiguity, 0);
    num(f, "spuriousness", s->spuriousness, 0);
    fprintf(f, "\"n_in_cover\":%zu,", s->n_in_cover);
    num(f, "siap_completeness_in_cover", s->siap_completeness_in_cover, 0);
    fputs("\"by_class\":{", f);
    int first = 1;
    for (int c = 0; c < DW_NCLASSES; c++) {
        const dw_geo_class_score *cs = &s->by_class[c];
        if (!cs->n_truth)
            continue;
        fprintf(f, "%s\"%s\":{\"n_truth\":%zu,\"n_pairs\":%zu,\"n_truth_ids\":%zu,"
                   "\"id_changes\":%zu,",
                first ? "" : ",", dw_class_name((dw_class)c), cs->n_truth, cs->n_pairs,
                cs->n_truth_ids, cs->id_changes);
        num(f, "completeness", cs->completeness, 0);
        num(f, "rmse_m", cs->rmse_m, 0);
        num(f, "held_share", cs->held_share, 0);
        num(f, "longest_segment_mean", cs->longest_segment_mean, 0);
        fprintf(f, "\"n_in_cover\":%zu,", cs->n_in_cover);
        num(f, "completeness_in_cover", cs->completeness_in_cover, 0);
        num(f, "siap_completeness_in_cover", cs->siap_completeness_in_cover, 1);
        fputc('}', f);
        first = 0;
    }
    fputc('}', f);
    if (s->mix_names && s->n_mix) {
        fputs(",\"by_mix\":{", f);
        for (size_t m = 0; m < s->n_mix; m++) {
            fprintf(f, "%s\"%s\":{\"n_pairs\":%zu,", m ? "," : "", s->mix_names[m],
                    s->by_mix[m].n_pairs);
            num(f, "rmse_m", s->by_mix[m].rmse_m, 1);
            fputc('}', f);
        }
        fputc('}', f);
    }
    fputc('}', f);
}

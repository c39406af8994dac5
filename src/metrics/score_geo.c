/* score_geo.c — GOSPA, completeness, RMSE and track-number changes for a
 * geodetic picture. */
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

/* Last track id assigned to each truth id (a small linear map: truth ids
 * are few). */
typedef struct last_id { char id[DW_ID_MAX]; uint64_t track; } last_id;

dw_status dw_geo_score_run(const dw_truth *truth, size_t n_truth, const dw_track *tracks,
                           size_t n_tracks, double c_m, double p, dw_geo_score *out)
{
    if (!(c_m > 0) || !(p >= 1))
        return DW_ERR_INVALID;
    dw_status st = DW_ERR_NOMEM;
    idx_t *ti = malloc((n_truth + 1) * sizeof *ti), *ki = malloc((n_tracks + 1) * sizeof *ki);
    double *tp = malloc((n_truth + 1) * 3 * sizeof *tp), *kp = malloc((n_tracks + 1) * 3 * sizeof *kp);
    size_t *tmap = malloc((n_truth + 1) * sizeof *tmap), *kmap = malloc((n_tracks + 1) * sizeof *kmap);
    last_id *ids = calloc(n_truth + 1, sizeof *ids);
    dw_gospa_ws *ws = NULL;
    if (!ti || !ki || !tp || !kp || !tmap || !kmap || !ids || dw_gospa_ws_create(&ws) != DW_OK)
        goto done;
    size_t nt = 0, nk = 0, n_ids = 0;
    for (size_t i = 0; i < n_truth; i++)
        if (truth[i].alive)
            ti[nt++] = (idx_t){truth[i].t_us, i};
    for (size_t i = 0; i < n_tracks; i++)
        if (tracks[i].status == DW_TRACK_CONFIRMED || tracks[i].status == DW_TRACK_COASTING)
            ki[nk++] = (idx_t){tracks[i].t_us, i};
    qsort(ti, nt, sizeof *ti, cmp_idx);
    qsort(ki, nk, sizeof *ki, cmp_idx);

    dw_geo_score s;
    memset(&s, 0, sizeof s);
    s.c_m = c_m;
    s.p = p;
    if (nt == 0) {
        *out = s;
        st = DW_OK;
        goto done;
    }
    dw_enu_frame f;
    dw_geodetic g0 = {truth[ti[0].i].lat_deg, truth[ti[0].i].lon_deg, 0.0};
    dw_enu_frame_init(&f, &g0);
    double sum_g = 0, sum_l = 0, sum_m = 0, sum_f = 0, sum_sq = 0;
    size_t nmiss = 0, nfalse = 0;
    size_t a = 0, b = 0;
    while (a < nt) {
        int64_t t = ti[a].t;
        size_t a2 = a;
        int n1 = 0, n2 = 0;
        while (a2 < nt && ti[a2].t == t) {
            const dw_truth *x = &truth[ti[a2].i];
            dw_geodetic g = {x->lat_deg, x->lon_deg, x->alt_m};
            dw_enu_from_geo(&f, &g, tp + 3 * n1);
            tmap[n1++] = ti[a2].i;
            a2++;
        }
        while (b < nk && ki[b].t < t)
            b++;
        while (b < nk && ki[b].t == t) {
            const dw_track *k = &tracks[ki[b].i];
            dw_geodetic g = {k->lat_deg, k->lon_deg, k->alt_m};
            dw_enu_from_geo(&f, &g, kp + 3 * n2);
            kmap[n2++] = ki[b].i;
            b++;
        }
        dw_gospa_parts gp;
        if ((st = dw_gospa_nd(tp, n1, kp, n2, 3, c_m, p, ws, &gp)) != DW_OK)
            goto done;
        const int *asg = dw_gospa_assignment(ws);
        for (int i = 0; i < n1; i++) {
            if (asg[i] < 0)
                continue;
            const char *tid = truth[tmap[i]].id;
            uint64_t kid = tracks[kmap[asg[i]]].id;
            size_t j = 0;
            while (j < n_ids && strcmp(ids[j].id, tid) != 0)
                j++;
            if (j == n_ids) {
                memcpy(ids[j].id, tid, DW_ID_MAX);
                ids[j].track = kid;
                n_ids++;
            } else if (ids[j].track != kid) {
                s.id_changes++;
                ids[j].track = kid;
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
    s.n_truth_ids = n_ids;
    *out = s;
    st = DW_OK;
done:
    free(ti);
    free(ki);
    free(tp);
    free(kp);
    free(tmap);
    free(kmap);
    free(ids);
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
    num(f, "rmse_m", s->rmse_m, 1);
    fputc('}', f);
}

/* score_t2d.c — the track2d benchmark's figures: mean GOSPA and its parts,
 * position RMSE and the posterior Cramér–Rao bound, as the README defines
 * them, so that our tracker and the peer's are scored by one program.
 */
#include "dronewall/metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Per-axis 2x2 symmetric [x, v] covariance. The README's 4x4 recursion has
 * block-diagonal J0, F, Q and H^T R^-1 H with equal blocks for x and y, so J
 * stays block-diagonal with two equal blocks; one block is the whole story
 * and the position trace of J^-1 is twice its (0,0) entry. */
struct cov2 {
    double a, b, c;         /* [a b; b c] */
};

static struct cov2 inv2(struct cov2 m)
{
    double det = m.a * m.c - m.b * m.b;
    struct cov2 r = {m.c / det, -m.b / det, m.a / det};
    return r;
}

dw_status dw_t2d_pcrlb_rmse(const dw_t2d_scenario *sc, int first_scan, double *out)
{
    if (!sc || !out || !sc->truth_start || !sc->scan_start || !sc->origin)
        return DW_ERR_INVALID;
    const dw_t2d_params *pr = &sc->params;
    if (!(pr->sigma_z > 0) || !(pr->sigma_v > 0) || !(pr->spacing > 0) || !(pr->q >= 0) ||
        !(pr->dt > 0) || pr->n_targets < 1 || pr->n_scans < 1)
        return DW_ERR_INVALID;

    const int n = pr->n_targets, K = pr->n_scans;
    const double dt = pr->dt, q = pr->q;
    const double side_m = pr->spacing * sqrt((double)n);
    const double info_z = 1.0 / (pr->sigma_z * pr->sigma_z);
    const struct cov2 prior_info = {12.0 / (side_m * side_m), 0.0,
                                    1.0 / (pr->sigma_v * pr->sigma_v)};

    struct cov2 *P = malloc((size_t)n * sizeof *P);
    int *last = malloc((size_t)n * sizeof *last);
    int *detected = malloc((size_t)n * sizeof *detected);
    if (!P || !last || !detected) {
        free(P);
        free(last);
        free(detected);
        return DW_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++)
        last[i] = detected[i] = -1;

    dw_status st = DW_OK;
    double sum = 0;
    size_t count = 0;
    for (int k = 0; k < K && st == DW_OK; k++) {
        for (int m = sc->scan_start[k]; m < sc->scan_start[k + 1]; m++) {
            int o = sc->origin[m];
            if (o >= 0 && o < n)
                detected[o] = k;
        }
        for (int r = sc->truth_start[k]; r < sc->truth_start[k + 1]; r++) {
            int id = sc->truth[r].id;
            if (id < 0 || id >= n || last[id] == k) {
                st = DW_ERR_INVALID;
                break;
            }
            struct cov2 J;
            if (last[id] < 0) {
                J = prior_info;
            } else {
                struct cov2 p = P[id];
                for (int step = last[id]; step < k; step++) {
                    struct cov2 np = {
                        p.a + 2 * dt * p.b + dt * dt * p.c + q * dt * dt * dt / 3.0,
                        p.b + dt * p.c + q * dt * dt / 2.0,
                        p.c + q * dt,
                    };
                    p = np;
                }
                J = inv2(p);
            }
            if (detected[id] == k)
                J.a += info_z;
            P[id] = inv2(J);
            last[id] = k;
            if (k >= first_scan) {
                sum += 2.0 * P[id].a;
                count++;
            }
        }
    }
    free(P);
    free(last);
    free(detected);
    if (st != DW_OK)
        return st;
    if (!count)
        return DW_ERR_RANGE;
    *out = sqrt(sum / (double)count);
    return DW_OK;
}

dw_status dw_t2d_score_tracks(const dw_t2d_scenario *sc, const dw_t2d_track_row *rows,
                              size_t n_rows, double c, double p, dw_t2d_score *out)
{
    if (!sc || !out || (n_rows && !rows) || !sc->truth_start || sc->params.n_scans < 1 ||
        !(c > 0) || !isfinite(c) || !(p >= 1) || !isfinite(p))
        return DW_ERR_INVALID;
    const int K = sc->params.n_scans;
    for (size_t r = 0; r < n_rows; r++)
        if (rows[r].scan < 0 || rows[r].scan >= K)
            return DW_ERR_RANGE;

    /* Rows grouped by scan (counting sort, stable). */
    size_t *start = calloc((size_t)K + 1, sizeof *start);
    size_t *order = malloc((n_rows ? n_rows : 1) * sizeof *order);
    size_t max_t = 0, max_e = 0;
    for (size_t r = 0; start && r < n_rows; r++)
        start[rows[r].scan + 1]++;
    for (int k = 0; start && k < K; k++) {
        if (start[k + 1] > max_e)
            max_e = start[k + 1];
        size_t nt = (size_t)(sc->truth_start[k + 1] - sc->truth_start[k]);
        if (nt > max_t)
            max_t = nt;
        start[k + 1] += start[k];
    }
    double *txy = malloc((max_t ? max_t : 1) * 2 * sizeof *txy);
    double *exy = malloc((max_e ? max_e : 1) * 2 * sizeof *exy);
    size_t *cursor = malloc(((size_t)K + 1) * sizeof *cursor);
    dw_gospa_ws *ws = NULL;
    dw_status st = DW_OK;
    if (!start || !order || !txy || !exy || !cursor || dw_gospa_ws_create(&ws) != DW_OK)
        st = DW_ERR_NOMEM;
    if (max_t > (size_t)INT32_MAX || max_e > (size_t)INT32_MAX)
        st = DW_ERR_RANGE;

    dw_t2d_score s;
    memset(&s, 0, sizeof s);
    double sum_sq = 0;
    size_t n_missed = 0, n_false = 0;
    if (st == DW_OK) {
        memcpy(cursor, start, ((size_t)K + 1) * sizeof *cursor);
        for (size_t r = 0; r < n_rows; r++)
            order[cursor[rows[r].scan]++] = r;
    }
    for (int k = 0; k < K && st == DW_OK; k++) {
        int nt = 0, ne = 0;
        for (int r = sc->truth_start[k]; r < sc->truth_start[k + 1]; r++, nt++) {
            txy[2 * nt] = sc->truth[r].x;
            txy[2 * nt + 1] = sc->truth[r].y;
        }
        for (size_t r = start[k]; r < start[k + 1]; r++, ne++) {
            exy[2 * ne] = rows[order[r]].x;
            exy[2 * ne + 1] = rows[order[r]].y;
        }
        dw_gospa_parts g;
        st = dw_gospa(txy, nt, exy, ne, c, p, ws, &g);
        if (st != DW_OK)
            break;
        s.gospa_mean += g.total;
        s.gospa_localisation_mean += g.localisation;
        s.gospa_missed_mean += g.missed_cost;
        s.gospa_false_mean += g.false_cost;
        n_missed += (size_t)g.n_missed;
        n_false += (size_t)g.n_false;
        if (k >= DW_T2D_SCORE_FIRST_SCAN) {
            sum_sq += g.sum_sq_dist;
            s.n_pairs += (size_t)g.n_pairs;
        }
    }
    dw_gospa_ws_destroy(ws);
    free(start);
    free(order);
    free(txy);
    free(exy);
    free(cursor);
    if (st != DW_OK)
        return st;

    /* Every scan of the scenario counts, including those with no tracks yet:
     * a tracker that is slow to start should pay for it. */
    const double nk = (double)K;
    s.n_scans = (size_t)K;
    s.gospa_mean /= nk;
    s.gospa_localisation_mean /= nk;
    s.gospa_missed_mean /= nk;
    s.gospa_false_mean /= nk;
    s.missed_per_scan = (double)n_missed / nk;
    s.false_per_scan = (double)n_false / nk;
    s.rmse = s.n_pairs ? sqrt(sum_sq / (double)s.n_pairs) : NAN;
    s.pcrlb_rmse = NAN;
    if (sc->origin) {
        double b;
        dw_status bs = dw_t2d_pcrlb_rmse(sc, DW_T2D_SCORE_FIRST_SCAN, &b);
        if (bs == DW_ERR_NOMEM)
            return bs;
        if (bs == DW_OK)
            s.pcrlb_rmse = b;
    }
    s.rmse_over_pcrlb = s.rmse / s.pcrlb_rmse;
    *out = s;
    return DW_OK;
}

static void json_num(FILE *f, const char *key, double v, int comma)
{
    if (isfinite(v))
        fprintf(f, "%s\"%s\":%.17g", comma ? "," : "", key, v);
    else
        fprintf(f, "%s\"%s\":null", comma ? "," : "", key);
}

void dw_t2d_score_print_json(FILE *f, const dw_t2d_score *s)
{
    fputc('{', f);
    json_num(f, "gospa_mean", s->gospa_mean, 0);
    json_num(f, "gospa_localisation_mean", s->gospa_localisation_mean, 1);
    json_num(f, "gospa_missed_mean", s->gospa_missed_mean, 1);
    json_num(f, "gospa_false_mean", s->gospa_false_mean, 1);
    json_num(f, "missed_per_scan", s->missed_per_scan, 1);
    json_num(f, "false_per_scan", s->false_per_scan, 1);
    json_num(f, "rmse", s->rmse, 1);
    json_num(f, "pcrlb_rmse", s->pcrlb_rmse, 1);
    json_num(f, "rmse_over_pcrlb", s->rmse_over_pcrlb, 1);
    fprintf(f, ",\"n_scans\":%zu,\"n_pairs\":%zu}", s->n_scans, s->n_pairs);
}

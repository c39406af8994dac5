/* test_score_geo.c — the geodetic scorer on pictures small enough to score by
 * hand: GOSPA, the per-class figures of the 1-to-1 assignment and the SIAP
 * figures of the association by distance. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/score_geo.h"

#define T0 1757451000000000LL
#define S 1000000LL

static dw_truth truth_at(const char *id, dw_class cls, int64_t t, double lat, double lon, double alt)
{
    dw_truth x;
    memset(&x, 0, sizeof x);
    snprintf(x.id, sizeof x.id, "%s", id);
    x.cls = cls;
    x.t_us = t;
    x.lat_deg = lat;
    x.lon_deg = lon;
    x.alt_m = alt;
    x.alive = 1;
    return x;
}

/* A track report exactly dz metres above the truth x (3-D distance dz). */
static dw_track track_on(uint64_t id, const dw_truth *x, double dz, dw_track_status st)
{
    dw_track k;
    dw_track_init(&k);
    k.id = id;
    k.t_us = x->t_us;
    k.status = st;
    k.lat_deg = x->lat_deg;
    k.lon_deg = x->lon_deg;
    k.alt_m = x->alt_m + dz;
    return k;
}

/* Three truths over four instants:
 *   A (decoy)    t0..t3, held by track 1 (10 m off) at t0, t1 and track 2
 *                (20 m off) at t2, t3: one track-number change, longest
 *                segment 2 of 4; at t3 track 4 (50 m off) duplicates it.
 *   B (airliner) t0..t3, held by track 3 (30 m off) at t0..t2, missed at
 *                t3: longest segment 3 of 4.
 *   C (decoy)    t2, t3, never tracked.
 *   Track 9 is far from everything at t1 and t2: a false track.
 *   Ignored: a tentative report, a report between instants, a dead one. */
typedef struct scene {
    dw_truth truth[16];
    size_t nt;
    dw_track tracks[32];
    size_t nk;
} scene;

static void build(scene *sc)
{
    memset(sc, 0, sizeof *sc);
    dw_truth A[4], B[4], C[4];
    for (int i = 0; i < 4; i++) {
        int64_t t = T0 + i * S;
        A[i] = truth_at("A", DW_CLASS_DECOY, t, 52.0, 21.0 + 0.0006 * i, 1000);
        B[i] = truth_at("B", DW_CLASS_AIRLINER, t, 52.5 + 0.002 * i, 21.0, 10000);
        C[i] = truth_at("C", DW_CLASS_DECOY, t, 51.5, 21.5, 500);
        sc->truth[sc->nt++] = A[i];
        sc->truth[sc->nt++] = B[i];
        if (i >= 2)
            sc->truth[sc->nt++] = C[i];
    }
    /* A dead truth point is not scored. */
    dw_truth gone = truth_at("D", DW_CLASS_BIRD, T0, 50.0, 20.0, 100);
    gone.alive = 0;
    sc->truth[sc->nt++] = gone;

    dw_track *k = sc->tracks;
    size_t n = 0;
    k[n++] = track_on(1, &A[0], 10, DW_TRACK_CONFIRMED);
    k[n++] = track_on(1, &A[1], 10, DW_TRACK_COASTING);
    k[n++] = track_on(2, &A[2], 20, DW_TRACK_CONFIRMED);
    k[n++] = track_on(2, &A[3], 20, DW_TRACK_CONFIRMED);
    k[n++] = track_on(4, &A[3], 50, DW_TRACK_CONFIRMED);
    k[n++] = track_on(3, &B[0], 30, DW_TRACK_CONFIRMED);
    k[n++] = track_on(3, &B[1], 30, DW_TRACK_CONFIRMED);
    k[n++] = track_on(3, &B[2], 30, DW_TRACK_CONFIRMED);
    dw_truth far = truth_at("-", DW_CLASS_UNKNOWN, T0 + S, 53.0, 22.0, 2000);
    k[n++] = track_on(9, &far, 0, DW_TRACK_CONFIRMED);
    far.t_us = T0 + 2 * S;
    k[n++] = track_on(9, &far, 0, DW_TRACK_CONFIRMED);
    k[n++] = track_on(5, &B[3], 0, DW_TRACK_TENTATIVE);
    dw_truth between = B[1];
    between.t_us = T0 + S + S / 2;
    k[n++] = track_on(6, &between, 0, DW_TRACK_CONFIRMED);
    k[n++] = track_on(7, &C[3], 0, DW_TRACK_DEAD);
    sc->nk = n;
}

static void check_scene(const dw_geo_score *s)
{
    assert_int_equal(s->n_steps, 4);
    assert_int_equal(s->n_truth, 10);
    assert_int_equal(s->n_pairs, 7);
    assert_near(s->completeness, 0.7, 1e-12);
    /* Pairs: 10, 10, 20, 20 m (A) and 30, 30, 30 m (B). */
    assert_near(s->rmse_m, sqrt(3700.0 / 7.0), 1e-4);
    assert_int_equal(s->id_changes, 1);
    assert_int_equal(s->n_truth_ids, 3);
    assert_near(s->held_share, 2.0 / 3.0, 1e-12);
    assert_near(s->longest_segment_mean, (0.5 + 0.75 + 0.0) / 3.0, 1e-12);
    /* GOSPA, c = 1000, p = 1: t0 10+30; t1 10+30 + 500 (9 false); t2 20+30
     * + 500 (C missed) + 500 (9 false); t3 20 + 500 (B) + 500 (C) + 500 (4). */
    assert_near(s->gospa_mean, (40.0 + 540.0 + 1050.0 + 1520.0) / 4.0, 1e-3);
    assert_near(s->missed_per_step, 3.0 / 4.0, 1e-12);
    assert_near(s->false_per_step, 3.0 / 4.0, 1e-12);

    /* SIAP: 10 reports; 2 of them (track 9) near no truth; truths with a
     * report: 2, 2, 2, 1 of 10 points; reports near a truth 2, 2, 2, 2. */
    assert_int_equal(s->n_track_reports, 10);
    assert_int_equal(s->n_track_ids, 5);
    assert_int_equal(s->false_tracks, 1);
    assert_near(s->siap_completeness, 0.7, 1e-12);
    assert_near(s->ambiguity, 8.0 / 7.0, 1e-12);
    assert_near(s->spuriousness, 0.2, 1e-12);

    const dw_geo_class_score *d = &s->by_class[DW_CLASS_DECOY];
    assert_int_equal(d->n_truth, 6);
    assert_int_equal(d->n_pairs, 4);
    assert_int_equal(d->n_truth_ids, 2);
    assert_int_equal(d->id_changes, 1);
    assert_near(d->completeness, 4.0 / 6.0, 1e-12);
    assert_near(d->rmse_m, sqrt(250.0), 1e-4);
    assert_near(d->held_share, 0.5, 1e-12);
    assert_near(d->longest_segment_mean, 0.25, 1e-12);

    const dw_geo_class_score *a = &s->by_class[DW_CLASS_AIRLINER];
    assert_int_equal(a->n_truth, 4);
    assert_int_equal(a->n_pairs, 3);
    assert_int_equal(a->n_truth_ids, 1);
    assert_int_equal(a->id_changes, 0);
    assert_near(a->completeness, 0.75, 1e-12);
    assert_near(a->rmse_m, 30.0, 1e-4);
    assert_near(a->held_share, 1.0, 0);
    assert_near(a->longest_segment_mean, 0.75, 1e-12);

    assert_int_equal(s->by_class[DW_CLASS_BIRD].n_truth, 0);
    assert_int_equal(s->by_class[DW_CLASS_UNKNOWN].n_truth, 0);
}

static void siap_and_classes_by_hand(void **state)
{
    (void)state;
    scene sc;
    build(&sc);
    dw_geo_score s;
    assert_int_equal(dw_geo_score_run(sc.truth, sc.nt, sc.tracks, sc.nk, 1000, 1, &s), DW_OK);
    check_scene(&s);
}

static void input_order_does_not_matter(void **state)
{
    (void)state;
    scene sc;
    build(&sc);
    /* Reverse both arrays: the scorer sorts its own copies. */
    for (size_t i = 0; i < sc.nt / 2; i++) {
        dw_truth x = sc.truth[i];
        sc.truth[i] = sc.truth[sc.nt - 1 - i];
        sc.truth[sc.nt - 1 - i] = x;
    }
    for (size_t i = 0; i < sc.nk / 2; i++) {
        dw_track x = sc.tracks[i];
        sc.tracks[i] = sc.tracks[sc.nk - 1 - i];
        sc.tracks[sc.nk - 1 - i] = x;
    }
    dw_geo_score s;
    assert_int_equal(dw_geo_score_run(sc.truth, sc.nt, sc.tracks, sc.nk, 1000, 1, &s), DW_OK);
    check_scene(&s);
}

static void perfect_picture(void **state)
{
    (void)state;
    dw_truth tr[60];
    dw_track tk[60];
    size_t n = 0;
    for (int i = 0; i < 20; i++)
        for (int j = 0; j < 3; j++) {
            const char id[3] = {'T', (char)('0' + j), '\0'};
            tr[n] = truth_at(id, j == 0 ? DW_CLASS_OWA_DRONE : DW_CLASS_HELICOPTER, T0 + i * S,
                             51.0 + 0.05 * j, 23.0 + 0.0005 * i, 300.0 + 100 * j);
            tk[n] = track_on((uint64_t)(10 + j), &tr[n], 0, DW_TRACK_CONFIRMED);
            n++;
        }
    dw_geo_score s;
    assert_int_equal(dw_geo_score_run(tr, n, tk, n, 500, 1, &s), DW_OK);
    assert_near(s.completeness, 1, 0);
    assert_near(s.rmse_m, 0, 1e-6);
    assert_near(s.siap_completeness, 1, 0);
    assert_near(s.ambiguity, 1, 0);
    assert_near(s.spuriousness, 0, 0);
    assert_near(s.longest_segment_mean, 1, 0);
    assert_near(s.held_share, 1, 0);
    assert_int_equal(s.false_tracks, 0);
    assert_int_equal(s.n_track_ids, 3);
    assert_int_equal(s.id_changes, 0);
    assert_int_equal(s.by_class[DW_CLASS_OWA_DRONE].n_truth_ids, 1);
    assert_int_equal(s.by_class[DW_CLASS_HELICOPTER].n_truth_ids, 2);
    assert_int_equal(s.by_class[DW_CLASS_HELICOPTER].n_truth, 40);
}

static void json_has_every_figure(void **state)
{
    (void)state;
    scene sc;
    build(&sc);
    dw_geo_score s;
    assert_int_equal(dw_geo_score_run(sc.truth, sc.nt, sc.tracks, sc.nk, 1000, 1, &s), DW_OK);
    FILE *f = tmpfile();
    assert_non_null(f);
    dw_geo_score_print_json(f, &s);
    long len = ftell(f);
    assert_true(len > 0);
    char *buf = calloc(1, (size_t)len + 1);
    assert_non_null(buf);
    rewind(f);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    static const char *const want[] = {
        "{\"n_steps\":4,\"n_truth\":10,\"n_pairs\":7,\"n_truth_ids\":3,\"id_changes\":1,",
        "\"completeness\":0.7,", "\"held_share\":0.666667,", "\"longest_segment_mean\":0.416667,",
        "\"n_track_reports\":10,\"n_track_ids\":5,\"false_tracks\":1,",
        "\"siap_completeness\":0.7,\"ambiguity\":1.14286,\"spuriousness\":0.2,"
        "\"n_in_cover\":10,\"siap_completeness_in_cover\":0.7,",
        "\"by_class\":{\"decoy\":{\"n_truth\":6,\"n_pairs\":4,\"n_truth_ids\":2,\"id_changes\":1,",
        ",\"airliner\":{\"n_truth\":4,\"n_pairs\":3,\"n_truth_ids\":1,\"id_changes\":0,"
        "\"completeness\":0.75,\"rmse_m\":30,\"held_share\":1,\"longest_segment_mean\":0.75,"
        "\"n_in_cover\":4,\"completeness_in_cover\":0.75,\"siap_completeness_in_cover\":0.75}}}",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(buf, want[i]))
            fail_msg("missing %s in\n%s", want[i], buf);
    assert_null(strstr(buf, "bird"));
    assert_null(strchr(buf, '\n'));
    free(buf);
}

/* Truth points outside coverage (unseen) are left out of the in-cover completenesses
 * only: C is never tracked; B's last point is missed. */
static void completeness_inside_coverage(void **state)
{
    (void)state;
    scene sc;
    build(&sc);
    for (size_t i = 0; i < sc.nt; i++)
        if (!strcmp(sc.truth[i].id, "C") && sc.truth[i].t_us == T0 + 2 * S)
            sc.truth[i].unseen = 1;
    dw_geo_score s;
    assert_int_equal(dw_geo_score_run(sc.truth, sc.nt, sc.tracks, sc.nk, 1000, 1, &s), DW_OK);
    check_scene(&s);    /* the other figures do not change */
    const dw_geo_class_score *d = &s.by_class[DW_CLASS_DECOY], *b = &s.by_class[DW_CLASS_AIRLINER];
    assert_int_equal(d->n_in_cover, 5);                 /* A's 4 and C's last */
    assert_near(d->completeness_in_cover, 4.0 / 5.0, 1e-12);
    assert_near(d->siap_completeness_in_cover, 4.0 / 5.0, 1e-12);
    assert_int_equal(b->n_in_cover, 4);
    assert_near(b->completeness_in_cover, 3.0 / 4.0, 1e-12);
    assert_int_equal(s.n_in_cover, 9);
    assert_near(s.siap_completeness_in_cover, 7.0 / 9.0, 1e-12);

    /* C out of coverage altogether and B's missed point too: everything held. */
    for (size_t i = 0; i < sc.nt; i++)
        if (!strcmp(sc.truth[i].id, "C") || (!strcmp(sc.truth[i].id, "B") && sc.truth[i].t_us == T0 + 3 * S))
            sc.truth[i].unseen = 1;
    assert_int_equal(dw_geo_score_run(sc.truth, sc.nt, sc.tracks, sc.nk, 1000, 1, &s), DW_OK);
    assert_int_equal(s.n_in_cover, 7);
    assert_near(s.by_class[DW_CLASS_DECOY].completeness_in_cover, 1.0, 1e-12);
    assert_near(s.by_class[DW_CLASS_AIRLINER].completeness_in_cover, 1.0, 1e-12);
    assert_near(s.siap_completeness_in_cover, 1.0, 1e-12);
}

static void no_truth_and_bad_arguments(void **state)
{
    (void)state;
    dw_geo_score s;
    memset(&s, 0x5a, sizeof s);
    dw_geo_score keep = s;
    dw_track k;
    dw_track_init(&k);
    assert_int_equal(dw_geo_score_run(NULL, 0, &k, 1, 0, 1, &s), DW_ERR_INVALID);
    assert_int_equal(dw_geo_score_run(NULL, 0, &k, 1, 100, 0.5, &s), DW_ERR_INVALID);
    assert_memory_equal(&s, &keep, sizeof s);
    assert_int_equal(dw_geo_score_run(NULL, 0, NULL, 0, 100, 1, &s), DW_OK);
    assert_int_equal(s.n_steps, 0);
    assert_true(isnan(s.ambiguity) && isnan(s.rmse_m));
}

/* Drone tracks by sensor mix: a decoy held by a radar track 30 m off at two instants and by
 * an acoustic one 400 m off at two others; an airliner's 5 m track counts in no mix. */
static void rmse_by_sensor_mix(void **state)
{
    (void)state;
    dw_truth tr[8];
    dw_track tk[8];
    uint8_t mix[8];
    size_t nt = 0, nk = 0;
    for (int i = 0; i < 4; i++) {
        tr[nt] = truth_at("D", DW_CLASS_DECOY, T0 + i * S, 51.5, 23.5, 1000);
        tk[nk] = track_on(i < 2 ? 1 : 2, &tr[nt], i < 2 ? 30.0 : 400.0, DW_TRACK_CONFIRMED);
        mix[nk++] = i < 2 ? 0 : 1;
        nt++;
    }
    tr[nt] = truth_at("AL", DW_CLASS_AIRLINER, T0, 52.0, 21.0, 11000);
    tk[nk] = track_on(3, &tr[nt], 5.0, DW_TRACK_CONFIRMED);
    mix[nk++] = 2;
    nt++;
    static const char *const names[3] = {"radar only", "acoustic only", "radar and acoustic"};
    dw_geo_score s;
    assert_int_equal(dw_geo_score_run_mix(tr, nt, tk, nk, mix, names, 3, 1000, 2, &s), DW_OK);
    assert_int_equal(s.by_mix[0].n_pairs, 2);
    assert_int_equal(s.by_mix[1].n_pairs, 2);
    assert_int_equal(s.by_mix[2].n_pairs, 0);
    assert_near(s.by_mix[0].rmse_m, 30.0, 1e-6);
    assert_near(s.by_mix[1].rmse_m, 400.0, 1e-6);
    assert_true(isnan(s.by_mix[2].rmse_m));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    dw_geo_score_print_json(f, &s);
    fclose(f);
    assert_non_null(strstr(buf, "\"by_mix\":{\"radar only\":{\"n_pairs\":2,\"rmse_m\":30}"));
    free(buf);
    mix[0] = 7;
    assert_int_equal(dw_geo_score_run_mix(tr, nt, tk, nk, mix, names, 3, 1000, 2, &s),
                     DW_ERR_INVALID);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(siap_and_classes_by_hand),
    cmocka_unit_test(input_order_does_not_matter),
    cmocka_unit_test(perfect_picture),
    cmocka_unit_test(json_has_every_figure),
    cmocka_unit_test(completeness_inside_coverage),
    cmocka_unit_test(no_truth_and_bad_arguments),
    cmocka_unit_test(rmse_by_sensor_mix),
};

DW_TEST_MAIN("score_geo", tests)

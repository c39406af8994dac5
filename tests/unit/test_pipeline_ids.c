/* test_pipeline_ids.c — what an object says of itself reaches its published track: an
 * ADS-B report's ICAO address and callsign, a Remote ID serial, a radar plot's Mode 3/A
 * code; the velocity covariance is published with the position's; the records of dead
 * tracks go with them, however many tracks come and go. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/pipeline.h"

#define T0 1757451000000000LL
#define S 1000000LL

typedef struct seen {
    dw_track last[64];              /* by track id % 64, the latest report */
    size_t n, dead;
} seen;

static dw_status on_report(void *ctx, const dw_track *t)
{
    seen *s = ctx;
    s->last[t->id % 64] = *t;
    s->n++;
    return DW_OK;
}

static dw_status on_done(void *ctx, int64_t t_us)
{
    (void)ctx;
    (void)t_us;
    return DW_OK;
}

static dw_status on_dead(void *ctx, const dw_track *t)
{
    seen *s = ctx;
    (void)t;
    s->dead++;
    return DW_OK;
}

static const dw_track *find(const seen *s, int64_t t_us, double lat, double lon)
{
    const dw_track *best = NULL;
    double bd = 5000.0;
    for (int i = 0; i < 64; i++) {
        const dw_track *k = &s->last[i];
        if (!k->id || k->t_us != t_us)
            continue;
        double d = hypot((k->lat_deg - lat) * 111e3, (k->lon_deg - lon) * 69e3);
        if (d < bd) {
            bd = d;
            best = k;
        }
    }
    return best;
}

static void identities_reach_the_track(void **state)
{
    (void)state;
    dw_sensor sn[3];
    dw_sensor_init(&sn[0], DW_SENSOR_ADSB);
    snprintf(sn[0].id, sizeof sn[0].id, "ADSB-1");
    dw_sensor_init(&sn[1], DW_SENSOR_REMOTE_ID);
    snprintf(sn[1].id, sizeof sn[1].id, "RID-1");
    dw_sensor_init(&sn[2], DW_SENSOR_RADAR);
    snprintf(sn[2].id, sizeof sn[2].id, "RAD-1");
    sn[2].lat_deg = 51.5;
    sn[2].lon_deg = 21.5;
    sn[2].alt_m = 200;
    sn[2].sigma_range_m = 30;
    sn[2].sigma_az_rad = 0.2 * M_PI / 180;
    sn[2].sigma_alt_m = 300;
    sn[2].period_us = 4 * S;
    sn[2].max_range_m = 200e3;
    seen s;
    memset(&s, 0, sizeof s);
    dw_pipeline_sink sink = {on_report, on_done, on_dead, &s, NULL};
    dw_pipeline *p = NULL;
    char err[256];
    if (dw_pipeline_create(sn, 3, NULL, &sink, &p, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    for (int k = 0; k < 20; k++) {
        int64_t t = T0 + k * S;
        dw_obs o;
        /* an airliner: ADS-B with its address and, from the third report, its callsign */
        dw_obs_init(&o, DW_OBS_POS3);
        o.t_us = t;
        snprintf(o.sensor, sizeof o.sensor, "ADSB-1");
        o.lat_deg = 52.0;
        o.lon_deg = 21.0 + 0.003 * k;
        o.alt_m = 11000;
        o.sigma_pos_m = 10;
        o.sigma_alt_m = 10;
        o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_ICAO;
        o.icao = 0x48AE21;
        if (k >= 2) {
            o.has |= DW_OBS_HAS_CALLSIGN;
            snprintf(o.callsign, sizeof o.callsign, "LOT3KM");
        }
        assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
        /* a quadcopter announcing its Remote ID serial */
        dw_obs_init(&o, DW_OBS_POS3);
        o.t_us = t + 100000;
        snprintf(o.sensor, sizeof o.sensor, "RID-1");
        o.lat_deg = 51.0 + 0.0001 * k;
        o.lon_deg = 21.0;
        o.alt_m = 100;
        o.sigma_pos_m = 5;
        o.sigma_alt_m = 5;
        o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_RID;
        snprintf(o.rid, sizeof o.rid, "1581F5FJD229X00000");
        assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    }
    assert_int_equal(dw_pipeline_finish(p, T0 + 20 * S), DW_OK);
    const dw_track *a = find(&s, T0 + 20 * S, 52.0, 21.06);
    const dw_track *q = find(&s, T0 + 20 * S, 51.002, 21.0);
    assert_non_null(a);
    assert_non_null(q);
    assert_int_equal(a->icao, 0x48AE21);
    assert_string_equal(a->callsign, "LOT3KM");
    assert_string_equal(a->rid, "");
    assert_string_equal(q->rid, "1581F5FJD229X00000");
    assert_int_equal(q->icao, 0);
    /* the velocity's covariance is published: an airliner's ADS-B track knows its
     * velocity to a few m/s, and the matrix is symmetric and positive */
    for (int i = 0; i < 3; i++) {
        assert_true(a->cov_vel_enu[i][i] > 0 && a->cov_vel_enu[i][i] < 100.0);
        for (int j = 0; j < 3; j++)
            assert_true(fabs(a->cov_vel_enu[i][j] - a->cov_vel_enu[j][i]) < 1e-9);
    }
    assert_true(hypot(a->vel_enu_mps[0], a->vel_enu_mps[1]) > 150.0);
    dw_pipeline_destroy(p);
}

/* Hundreds of short-lived keyed tracks: each one's record goes when the track dies (the
 * table grows and shrinks by deletion); a Mode 3/A code from a radar plot reaches the
 * radar track; a track never told anything carries nothing. */
static void records_come_and_go(void **state)
{
    (void)state;
    dw_sensor sn[2];
    dw_sensor_init(&sn[0], DW_SENSOR_ADSB);
    snprintf(sn[0].id, sizeof sn[0].id, "ADSB-1");
    dw_sensor_init(&sn[1], DW_SENSOR_RADAR);
    snprintf(sn[1].id, sizeof sn[1].id, "RAD-1");
    sn[1].lat_deg = 51.5;
    sn[1].lon_deg = 21.5;
    sn[1].alt_m = 200;
    sn[1].sigma_range_m = 30;
    sn[1].sigma_az_rad = 0.2 * M_PI / 180;
    sn[1].sigma_alt_m = 300;
    sn[1].period_us = 4 * S;
    sn[1].max_range_m = 200e3;
    seen s;
    memset(&s, 0, sizeof s);
    dw_pipeline_sink sink = {on_report, on_done, on_dead, &s, NULL};
    dw_pipeline_config c;
    dw_pipeline_config_default(&c);
    c.max_coast_us = 3 * S;
    dw_pipeline *p = NULL;
    char err[256];
    if (dw_pipeline_create(sn, 2, &c, &sink, &p, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    /* 300 aircraft, each reporting twice a second apart and then gone, 50 s apart */
    for (int a = 0; a < 300; a++) {
        for (int k = 0; k < 2; k++) {
            dw_obs o;
            dw_obs_init(&o, DW_OBS_POS3);
            o.t_us = T0 + a * 5 * S + k * S;
            snprintf(o.sensor, sizeof o.sensor, "ADSB-1");
            o.lat_deg = 50.0 + 0.01 * (a % 100);
            o.lon_deg = 20.0 + 0.01 * (a / 100) + 0.002 * k;
            o.alt_m = 9000;
            o.sigma_pos_m = 10;
            o.sigma_alt_m = 10;
            o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_ICAO;
            o.icao = 0x400000u + (uint32_t)a;
            assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
        }
    }
    int64_t t_end = T0 + 300 * 5 * S + 10 * S;
    assert_int_equal(dw_pipeline_advance(p, t_end), DW_OK);
    assert_true(s.dead >= 290);
    /* a radar track of a fighter squawking 4301 (octal), its plots with height */
    const double R = 30e3, az0 = 1.0;
    for (int k = 0; k < 8; k++) {
        dw_obs o;
        dw_obs_init(&o, DW_OBS_POLAR);
        o.t_us = t_end + k * 4 * S;
        snprintf(o.sensor, sizeof o.sensor, "RAD-1");
        o.range_m = R + 200.0 * k;
        o.az_rad = az0;
        o.alt_m = 6000;
        o.has = DW_OBS_HAS_ALT | DW_OBS_HAS_MODE3A;
        o.mode3a = 04301;
        assert_int_equal(dw_pipeline_obs(p, &o), DW_OK);
    }
    assert_int_equal(dw_pipeline_finish(p, t_end + 32 * S), DW_OK);
    int found = 0;
    for (int i = 0; i < 64; i++) {
        const dw_track *k = &s.last[i];
        if (k->t_us != t_end + 32 * S)
            continue;
        found++;
        assert_int_equal(k->mode3a, 04301);
        assert_int_equal(k->icao, 0);
    }
    assert_int_equal(found, 1);
    dw_pipeline_destroy(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(identities_reach_the_track),
    cmocka_unit_test(records_come_and_go),
};

DW_TEST_MAIN("pipeline_ids", tests)

#include "harness.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dronewall/log.h"
#include "dronewall/ndjson.h"
#include "dronewall/sensor.h"

#define DEG (M_PI / 180.0)
#define ANGLE_EPS 1e-11 /* angles travel as 12 significant digits of degrees */

/* ---- helpers ------------------------------------------------------------ */

static char msgs[64][512];
static int n_msgs;

static void capture_sink(void *ctx, dw_log_cat cat, dw_log_level level, const char *msg)
{
    (void)ctx; (void)cat; (void)level;
    if (n_msgs < 64)
        snprintf(msgs[n_msgs], sizeof msgs[0], "%s", msg);
    n_msgs++;
}

static void capture_start(void)
{
    n_msgs = 0;
    dw_log_set_level(-1, DW_LOG_WARN);
    dw_log_set_sink(capture_sink, NULL);
}

static void capture_stop(void) { dw_log_set_sink(NULL, NULL); }

/* A reader over a string (the reader never closes its FILE, so we do). */
typedef struct src {
    FILE *f;
    dw_ndjson_reader *r;
} src;

static src open_text(const char *text, const char *name)
{
    src s;
    s.f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(s.f);
    assert_int_equal(dw_ndjson_reader_create(s.f, name, &s.r), DW_OK);
    return s;
}

static void close_src(src *s)
{
    dw_ndjson_reader_destroy(s->r);
    fclose(s->f);
}

static dw_record parse_ok(const char *line)
{
    dw_record rec;
    char err[256] = "";
    dw_status st = dw_ndjson_parse(line, strlen(line), &rec, err, sizeof err);
    if (st != DW_OK)
        fail_msg("%s\n  for %s", err, line);
    return rec;
}

/* Write, then read back through the reader (so the '\n' and NUL are as a
 * file would have them). */
static dw_record round_trip(const dw_record *in, const char *const *names, size_t n_names,
                            char *text, size_t textlen)
{
    char *end = NULL;
    assert_int_equal(dw_ndjson_write_record(text, text + textlen, in, names, n_names, &end), DW_OK);
    assert_non_null(end);
    assert_int_equal(*end, '\0');
    assert_int_equal(end[-1], '\n');
    assert_int_equal((size_t)(end - text), strlen(text));
    assert_null(memchr(text, '\n', (size_t)(end - text) - 1)); /* exactly one line */

    src s = open_text(text, "rt");
    dw_record out;
    assert_int_equal(dw_ndjson_next(s.r, &out), DW_OK);
    assert_int_equal(out.line, 1);
    dw_record again;
    assert_int_equal(dw_ndjson_next(s.r, &again), DW_ERR_EOF);
    close_src(&s);
    assert_int_equal(out.type, in->type);
    return out;
}

static void assert_obs_equal(const dw_obs *a, const dw_obs *b)
{
    assert_true(a->t_us == b->t_us);
    assert_string_equal(a->sensor, b->sensor);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->has, b->has);
    assert_near(a->lat_deg, b->lat_deg, 0);
    assert_near(a->lon_deg, b->lon_deg, 0);
    assert_near(a->alt_m, b->alt_m, 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            assert_near(a->cov_enu[i][j], b->cov_enu[i][j], 0);
    assert_near(a->range_m, b->range_m, 0);
    assert_near(a->az_rad, b->az_rad, ANGLE_EPS);
    assert_near(a->el_rad, b->el_rad, ANGLE_EPS);
    assert_near(a->range_rate_mps, b->range_rate_mps, 0);
    assert_near(a->sigma_pos_m, b->sigma_pos_m, 0);
    assert_near(a->sigma_alt_m, b->sigma_alt_m, 0);
    assert_near(a->sigma_range_m, b->sigma_range_m, 0);
    assert_near(a->sigma_az_rad, b->sigma_az_rad, ANGLE_EPS);
    assert_near(a->sigma_el_rad, b->sigma_el_rad, ANGLE_EPS);
    assert_near(a->sigma_rr_mps, b->sigma_rr_mps, 0);
    for (int i = 0; i < 3; i++)
        assert_near(a->vel_enu_mps[i], b->vel_enu_mps[i], 0);
    assert_near(a->radius_m, b->radius_m, 0);
    assert_int_equal(a->icao, b->icao);
    assert_int_equal(a->mode3a, b->mode3a);
    assert_string_equal(a->callsign, b->callsign);
    assert_string_equal(a->rid, b->rid);
    assert_near(a->amplitude_db, b->amplitude_db, 0);
    assert_near(a->rcs_m2, b->rcs_m2, 0);
    for (int i = 0; i < DW_NCLASSES; i++)
        assert_true(a->class_score[i] == b->class_score[i]);
}

/* ---- round trips ---------------------------------------------------------- */

static void obs_round_trip_every_kind(void **state)
{
    (void)state;
    dw_obs o[5];
    dw_obs_init(&o[0], DW_OBS_POLAR);
    o[0].t_us = 1757451000123456LL;
    strcpy(o[0].sensor, "PL-RAD-01");
    o[0].range_m = 41250.125;
    o[0].az_rad = 87.2 * DEG;
    o[0].el_rad = -0.0192;
    o[0].range_rate_mps = -37.25;
    o[0].sigma_range_m = 50;
    o[0].sigma_az_rad = 0.2 * DEG;
    o[0].sigma_el_rad = 0.3 * DEG;
    o[0].sigma_rr_mps = 0.7;
    o[0].amplitude_db = -71.5;
    o[0].rcs_m2 = 0.1;
    o[0].class_score[DW_CLASS_OWA_DRONE] = 0.75f;
    o[0].class_score[DW_CLASS_BIRD] = 0.1f;
    o[0].has = DW_OBS_HAS_EL | DW_OBS_HAS_RR | DW_OBS_HAS_AMPLITUDE | DW_OBS_HAS_RCS |
               DW_OBS_HAS_CLASS;

    dw_obs_init(&o[1], DW_OBS_POS3);
    o[1].t_us = 1757451000500000LL;
    strcpy(o[1].sensor, "ADSB-WAW");
    o[1].lat_deg = 52.170000000000002;
    o[1].lon_deg = 1.0 / 3.0;
    o[1].alt_m = 3200.0;
    double cov[3][3] = {{900, 12.5, 0}, {12.5, 900, -3}, {0, -3, 2500}};
    memcpy(o[1].cov_enu, cov, sizeof cov);
    o[1].vel_enu_mps[0] = 120.5;
    o[1].vel_enu_mps[1] = -0.1;
    o[1].vel_enu_mps[2] = 2;
    o[1].icao = 0x48ae21;
    o[1].mode3a = 07500;
    strcpy(o[1].callsign, "LOT3AB");
    strcpy(o[1].rid, "1581F5FJD228400002J6");
    o[1].sigma_pos_m = 30;
    o[1].sigma_alt_m = 15;
    o[1].has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_COV | DW_OBS_HAS_VEL |
               DW_OBS_HAS_ICAO | DW_OBS_HAS_MODE3A | DW_OBS_HAS_CALLSIGN | DW_OBS_HAS_RID;

    dw_obs_init(&o[2], DW_OBS_BEARING);
    o[2].t_us = 1757451001000000LL;
    strcpy(o[2].sensor, "AC-0412 \"north\"\\x"); /* escaping on the way out */
    o[2].az_rad = 241.0 * DEG;
    o[2].el_rad = 12.5 * DEG;
    o[2].sigma_az_rad = 3.0 * DEG;
    o[2].has = DW_OBS_HAS_EL;

    dw_obs_init(&o[3], DW_OBS_POS2);
    o[3].t_us = -5; /* before the epoch is still a time */
    strcpy(o[3].sensor, "CIT-Łódź");
    o[3].lat_deg = -33.86;
    o[3].lon_deg = 151.21;
    o[3].sigma_pos_m = 2000;
    o[3].has = DW_OBS_HAS_POS;

    dw_obs_init(&o[4], DW_OBS_CELL);
    o[4].t_us = 0;
    strcpy(o[4].sensor, "RF-7");
    o[4].lat_deg = 51.5;
    o[4].lon_deg = 23.5;
    o[4].radius_m = 1500;
    o[4].has = DW_OBS_HAS_POS | DW_OBS_HAS_RANGE;

    for (int i = 0; i < 5; i++) {
        char text[2048];
        dw_record in = {.type = DW_REC_OBS, .u.obs = o[i]};
        dw_record out = round_trip(&in, NULL, 0, text, sizeof text);
        assert_obs_equal(&o[i], &out.u.obs);
    }

    /* Degrees on the wire, in short form. */
    char text[2048], *end;
    assert_int_equal(dw_ndjson_write_obs(text, text + sizeof text, &o[0], &end), DW_OK);
    assert_non_null(strstr(text, "\"az_deg\":87.2,"));
    assert_non_null(strstr(text, "\"sigma\":{\"range_m\":50,\"az_deg\":0.2,\"el_deg\":0.3,"));
    assert_non_null(strstr(text, "\"class_scores\":{\"owa_drone\":0.75,\"bird\":0.1}"));
    assert_int_equal(dw_ndjson_write_obs(text, text + sizeof text, &o[1], &end), DW_OK);
    assert_non_null(strstr(text, "\"icao\":\"48AE21\""));
    assert_non_null(strstr(text, "\"mode3a\":\"7500\""));
    assert_non_null(strstr(text, "\"lat_deg\":52.17,"));
}

static void track_round_trip(void **state)
{
    (void)state;
    dw_track t;
    dw_track_init(&t);
    t.id = 17;
    t.t_us = 1757451001000000LL;
    t.status = DW_TRACK_CONFIRMED;
    t.lat_deg = 51.55;
    t.lon_deg = 23.61;
    t.alt_m = 850.0;
    t.vel_enu_mps[0] = -41.0;
    t.vel_enu_mps[1] = 3.2;
    t.cov_pos_enu[0][0] = 400;
    t.cov_pos_enu[1][1] = 410.5;
    t.cov_pos_enu[2][2] = 900;
    t.cov_vel_enu[0][0] = 4;
    t.cov_vel_enu[1][1] = 4;
    t.cov_vel_enu[2][2] = 1;
    t.hits = 12;
    t.quality = 0.875;
    t.icao = 0x000001;
    strcpy(t.callsign, "SHD42");
    strcpy(t.rid, "RID-1");
    t.class_prob[DW_CLASS_OWA_DRONE] = 0.8f;
    t.class_prob[DW_CLASS_DECOY] = 0.2f;
    t.cls = DW_CLASS_OWA_DRONE;
    t.affiliation = DW_AFF_HOSTILE;
    t.sensor_idx[0] = 0;
    t.sensor_idx[1] = 2;
    t.sensor_idx[2] = 9; /* no name: left out */
    t.n_sensors = 3;
    const char *const names[] = {"PL-RAD-01", "PL-RAD-02", "AC-0412"};

    char text[2048];
    dw_record in = {.type = DW_REC_TRACK, .u.track = t};
    dw_record out = round_trip(&in, names, 3, text, sizeof text);
    assert_non_null(strstr(text, "\"sensors\":[\"PL-RAD-01\",\"AC-0412\"]"));
    assert_non_null(strstr(text, "\"id\":17,\"status\":\"confirmed\""));
    const dw_track *r = &out.u.track;
    assert_true(r->id == 17 && r->t_us == t.t_us);
    assert_int_equal(r->status, DW_TRACK_CONFIRMED);
    assert_near(r->lat_deg, 51.55, 0);
    assert_near(r->lon_deg, 23.61, 0);
    assert_near(r->alt_m, 850.0, 0);
    for (int i = 0; i < 3; i++) {
        assert_near(r->vel_enu_mps[i], t.vel_enu_mps[i], 0);
        for (int j = 0; j < 3; j++) {
            assert_near(r->cov_pos_enu[i][j], t.cov_pos_enu[i][j], 0);
            assert_near(r->cov_vel_enu[i][j], t.cov_vel_enu[i][j], 0);
        }
    }
    assert_int_equal(r->hits, 12);
    assert_near(r->quality, 0.875, 0);
    assert_int_equal(r->icao, 1);
    assert_string_equal(r->callsign, "SHD42");
    assert_string_equal(r->rid, "RID-1");
    assert_true(r->class_prob[DW_CLASS_OWA_DRONE] == 0.8f);
    assert_true(r->class_prob[DW_CLASS_DECOY] == 0.2f);
    assert_int_equal(r->cls, DW_CLASS_OWA_DRONE);
    assert_int_equal(r->affiliation, DW_AFF_HOSTILE);
    assert_int_equal(r->n_sensors, 0); /* names are not indices */

    /* Without a name table there is no "sensors" key, and unset identity
     * keys are not written. */
    dw_track_init(&t);
    char *end;
    assert_int_equal(dw_ndjson_write_track(text, text + sizeof text, &t, NULL, 0, &end), DW_OK);
    assert_null(strstr(text, "\"sensors\""));
    assert_null(strstr(text, "\"icao\""));
    assert_null(strstr(text, "\"callsign\""));
    assert_null(strstr(text, "\"cov_pos_enu\""));
    assert_non_null(strstr(text, "\"status\":\"tentative\""));
    assert_non_null(strstr(text, "\"affiliation\":\"pending\""));
}

static void truth_round_trip(void **state)
{
    (void)state;
    dw_truth t = {0};
    t.t_us = 1757451000000000LL;
    strcpy(t.id, "G07");
    t.cls = DW_CLASS_DECOY;
    t.lat_deg = 51.56;
    t.lon_deg = 23.70;
    t.alt_m = 900.0;
    t.vel_enu_mps[0] = -42.0;
    t.vel_enu_mps[1] = 1.0;
    t.alive = 0;
    char text[1024];
    dw_record in = {.type = DW_REC_TRUTH, .u.truth = t};
    dw_record out = round_trip(&in, NULL, 0, text, sizeof text);
    assert_string_equal(text, "{\"v\":1,\"type\":\"truth\",\"t_us\":1757451000000000,\"id\":\"G07\","
                              "\"class\":\"decoy\",\"lat_deg\":51.56,\"lon_deg\":23.7,\"alt_m\":900,"
                              "\"vel_enu_mps\":[-42,1,0],\"alive\":false}\n");
    assert_true(out.u.truth.t_us == t.t_us);
    assert_string_equal(out.u.truth.id, "G07");
    assert_int_equal(out.u.truth.cls, DW_CLASS_DECOY);
    assert_near(out.u.truth.lat_deg, 51.56, 0);
    assert_near(out.u.truth.lon_deg, 23.70, 0);
    assert_near(out.u.truth.alt_m, 900.0, 0);
    assert_near(out.u.truth.vel_enu_mps[0], -42.0, 0);
    assert_int_equal(out.u.truth.alive, 0);
}

/* ---- the examples of DESIGN.md §8 ----------------------------------------- */

static void design_examples_parse(void **state)
{
    (void)state;
    dw_record r = parse_ok("{\"v\":1,\"type\":\"obs\",\"t_us\":1757451000000000,\"sensor\":\"PL-RAD-01\","
                           "\"kind\":\"POLAR\",\"range_m\":41250.0,\"az_deg\":87.2,\"el_deg\":1.1,"
                           "\"sigma\":{\"range_m\":50,\"az_deg\":0.2,\"el_deg\":0.3}}");
    assert_int_equal(r.type, DW_REC_OBS);
    assert_true(r.u.obs.t_us == 1757451000000000LL);
    assert_string_equal(r.u.obs.sensor, "PL-RAD-01");
    assert_int_equal(r.u.obs.kind, DW_OBS_POLAR);
    assert_near(r.u.obs.range_m, 41250.0, 0);
    assert_near(r.u.obs.az_rad, 87.2 * DEG, 1e-15);
    assert_near(r.u.obs.el_rad, 1.1 * DEG, 1e-15);
    assert_near(r.u.obs.sigma_range_m, 50, 0);
    assert_near(r.u.obs.sigma_az_rad, 0.2 * DEG, 1e-15);
    assert_near(r.u.obs.sigma_el_rad, 0.3 * DEG, 1e-15);
    assert_int_equal(r.u.obs.has, DW_OBS_HAS_EL);
    assert_int_equal(r.line, 0);

    r = parse_ok("{\"v\":1,\"type\":\"obs\",\"t_us\":1757451000500000,\"sensor\":\"ADSB-WAW\","
                 "\"kind\":\"POS3\",\"lat_deg\":52.17,\"lon_deg\":20.97,\"alt_m\":3200.0,"
                 "\"icao\":\"48AE21\",\"callsign\":\"LOT3AB\"}");
    assert_int_equal(r.u.obs.kind, DW_OBS_POS3);
    assert_near(r.u.obs.lat_deg, 52.17, 0);
    assert_near(r.u.obs.lon_deg, 20.97, 0);
    assert_near(r.u.obs.alt_m, 3200.0, 0);
    assert_int_equal(r.u.obs.icao, 0x48AE21);
    assert_string_equal(r.u.obs.callsign, "LOT3AB");
    assert_int_equal(r.u.obs.has, DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_ICAO |
                                      DW_OBS_HAS_CALLSIGN);

    r = parse_ok("{\"v\":1,\"type\":\"obs\",\"t_us\":1757451001000000,\"sensor\":\"AC-0412\","
                 "\"kind\":\"BEARING\",\"az_deg\":241.0,\"sigma\":{\"az_deg\":3.0}}");
    assert_int_equal(r.u.obs.kind, DW_OBS_BEARING);
    assert_near(r.u.obs.az_rad, 241.0 * DEG, 1e-15);
    assert_near(r.u.obs.sigma_az_rad, 3.0 * DEG, 1e-15);
    assert_int_equal(r.u.obs.has, 0);

    r = parse_ok("{\"v\":1,\"type\":\"track\",\"t_us\":1757451001000000,\"id\":17,\"status\":\"confirmed\","
                 "\"lat_deg\":51.55,\"lon_deg\":23.61,\"alt_m\":850.0,\"vel_enu_mps\":[-41.0,3.2,0.0],"
                 "\"class\":\"owa_drone\",\"affiliation\":\"hostile\",\"sensors\":[\"PL-RAD-01\",\"AC-0412\"]}");
    assert_int_equal(r.type, DW_REC_TRACK);
    assert_true(r.u.track.id == 17);
    assert_int_equal(r.u.track.status, DW_TRACK_CONFIRMED);
    assert_near(r.u.track.vel_enu_mps[0], -41.0, 0);
    assert_near(r.u.track.vel_enu_mps[1], 3.2, 0);
    assert_int_equal(r.u.track.cls, DW_CLASS_OWA_DRONE);
    assert_int_equal(r.u.track.affiliation, DW_AFF_HOSTILE);
    assert_int_equal(r.u.track.n_sensors, 0);

    /* Alerts are reserved for later work: refused, with that reason. */
    const char *alert = "{\"v\":1,\"type\":\"alert\",\"t_us\":1757451002000000,\"id\":3,"
                        "\"kind\":\"border_violation\",\"state\":\"raised\",\"tracks\":[17],"
                        "\"region\":\"PL-LU\",\"text\":\"...\"}";
    char err[256];
    assert_int_equal(dw_ndjson_parse(alert, strlen(alert), &r, err, sizeof err), DW_ERR_PARSE);
    assert_non_null(strstr(err, "reserved"));

    /* Truth names the type; "gerbera" is a decoy. */
    r = parse_ok("{\"v\":1,\"type\":\"truth\",\"t_us\":1757451000000000,\"id\":\"G07\",\"class\":\"gerbera\","
                 "\"lat_deg\":51.56,\"lon_deg\":23.70,\"alt_m\":900.0,\"vel_enu_mps\":[-42.0,1.0,0.0],"
                 "\"alive\":true}");
    assert_int_equal(r.type, DW_REC_TRUTH);
    assert_string_equal(r.u.truth.id, "G07");
    assert_int_equal(r.u.truth.cls, DW_CLASS_DECOY);
    assert_near(r.u.truth.lat_deg, 51.56, 0);
    assert_int_equal(r.u.truth.alive, 1);
}

/* ---- bad input -------------------------------------------------------------- */

#define GOOD_OBS "{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"POLAR\",\"range_m\":10,\"az_deg\":5}"
#define POS3_HEAD "{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"POS3\",\"alt_m\":1,"
/* 100 s after the obs: the rate limiter, on data time, has refilled. */
#define TRACK_HEAD "{\"v\":1,\"type\":\"track\",\"t_us\":100000000,\"id\":5,\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3,"

static const struct bad_case {
    const char *line;           /* NULL: a good line */
    const char *reason;         /* the whole message after "bad.ndjson:N: " */
} lines[] = {
    {GOOD_OBS, NULL},
    {"not json at all", "not JSON: "},
    {"[1,2]", "not a JSON object but an array"},
    {"{\"type\":\"obs\"}", "missing \"v\" (the format version)"},
    {"{\"v\":2,\"type\":\"obs\"}", "unsupported \"v\": 2 (this reader knows 1)"},
    {"{\"v\":1,\"type\":\"plane\"}", "unknown \"type\": \"plane\" (expected obs, track or truth)"},
    {"{\"v\":1,\"type\":\"obs\",\"sensor\":\"S\",\"kind\":\"CELL\"}", "obs: missing \"t_us\""},
    {"{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"POLAR\",\"range_m\":\"far\",\"az_deg\":5}",
     "obs: \"range_m\" must be a number"},
    {"{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"RADAR\"}",
     "obs: unknown \"kind\": \"RADAR\" (expected one of POS3, POS2, POLAR, BEARING, CELL)"},
    {POS3_HEAD "\"lat_deg\":95,\"lon_deg\":20}", "obs: \"lat_deg\" out of range: 95 (expected -90 to 90)"},
    {POS3_HEAD "\"lat_deg\":50,\"lon_deg\":20,\"icao\":\"48AG21\"}",
     "obs: \"icao\" must be 6 hex digits, as \"48AE21\""},
    {"", NULL},
    {TRACK_HEAD "\"status\":\"confirmed\"}", NULL},
    {"{\"v\":1,\"type\":\"track\",\"t_us\":2,\"id\":5,\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3}",
     "track: missing \"status\""},
    {"{\"v\":1,\"type\":\"truth\",\"t_us\":3,\"id\":\"G1\",\"class\":\"ufo\",\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3}",
     "truth: unknown \"class\": \"ufo\" (expected one of unknown, owa_drone, decoy, quadcopter, "
     "helicopter, airliner, light_aircraft, fighter, bird)"},
    {"{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"POLAR\",\"az_deg\":5}",
     "obs: missing \"range_m\" (required for POLAR)"},
    {"{\"v\":1,\"type\":\"truth\",\"t_us\":3,\"id\":7,\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3}", NULL},
    {"{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"CELL\",\"lat_deg\":50}",
     "obs: \"lat_deg\" without \"lon_deg\""},
    {TRACK_HEAD "\"status\":\"dead\",\"sensors\":[1]}",
     "track: \"sensors\"[0] must be a sensor id (1 to 47 characters)"},
    {POS3_HEAD "\"lat_deg\":50,\"lon_deg\":20,\"mode3a\":\"7800\"}",
     "obs: \"mode3a\" must be 4 octal digits, as \"7500\""},
    {POS3_HEAD "\"lat_deg\":50,\"lon_deg\":20,\"cov_enu\":[1,0,0,0,1,0,0,0]}",
     "obs: \"cov_enu\" must be an array of 9 numbers"},
    {" \t\r", NULL},
    {"{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"BEARING\",\"az_deg\":5,"
     "\"future_key\":{\"anything\":[1,2]}}", NULL},
    {"{\"v\":1,\"type\":\"obs\",\"t_us\":1.5e15,\"sensor\":\"S\",\"kind\":\"CELL\"}",
     "obs: \"t_us\" must be an integer"},
    {"{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"\",\"kind\":\"CELL\"}",
     "obs: \"sensor\" must not be empty"},
    {POS3_HEAD "\"lat_deg\":50,\"lon_deg\":20,\"callsign\":\"TOOLONG123\"}",
     "obs: \"callsign\" is longer than 8 characters"},
    {"{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"CELL\",\"class_scores\":{\"owa_drone\":2}}",
     "obs: \"class_scores\": the score of \"owa_drone\" out of range: 2 (expected 0 to 1)"},
    {"{\"v\":1,\"type\":\"obs\",\"type\":\"obs\"}", "not JSON: "},
    {"{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"CELL\"", "not JSON: "},
};

static void bad_lines_skipped_with_line_and_reason(void **state)
{
    (void)state;
    size_t n = sizeof lines / sizeof lines[0];
    char *text = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&text, &len);
    for (size_t i = 0; i < n; i++)
        fprintf(mf, "%s%s", lines[i].line, i + 1 < n ? "\n" : ""); /* no final newline */
    fclose(mf);

    capture_start();
    src s = open_text(text, "bad.ndjson");
    dw_record rec;
    uint64_t good_lines[32];
    size_t n_good = 0;
    dw_status st;
    while ((st = dw_ndjson_next(s.r, &rec)) == DW_OK)
        good_lines[n_good++] = rec.line;
    assert_int_equal(st, DW_ERR_EOF);
    assert_int_equal(dw_ndjson_next(s.r, &rec), DW_ERR_EOF);
    capture_stop();

    size_t want_good = 0, want_bad = 0, want_blank = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        if (lines[i].reason) {
            char want[512];
            snprintf(want, sizeof want, "bad.ndjson:%zu: %s", i + 1, lines[i].reason);
            assert_true(m < (size_t)n_msgs);
            if (strncmp(msgs[m], want, strlen(want)) != 0)
                fail_msg("line %zu:\n  got  %s\n  want %s", i + 1, msgs[m], want);
            /* "not JSON" reasons continue with jansson's words; the rest are whole. */
            if (strncmp(lines[i].reason, "not JSON", 8) != 0)
                assert_string_equal(msgs[m], want);
            m++;
            want_bad++;
        } else if (strspn(lines[i].line, " \t\r") == strlen(lines[i].line)) {
            want_blank++;
        } else {
            assert_true(want_good < n_good);
            assert_int_equal(good_lines[want_good], i + 1);
            want_good++;
        }
    }
    assert_int_equal(m, (size_t)n_msgs);
    assert_int_equal(n_good, want_good);

    dw_ndjson_stats stats;
    dw_ndjson_get_stats(s.r, &stats);
    assert_int_equal(stats.lines, n);
    assert_int_equal(stats.records, want_good);
    assert_int_equal(stats.bad, want_bad);
    assert_int_equal(stats.blank, want_blank);
    assert_string_equal(dw_ndjson_last_error(s.r), msgs[n_msgs - 1]);
    close_src(&s);
    free(text);
}

static void bad_line_flood_is_rate_limited(void **state)
{
    (void)state;
    const int n_bad = 500;
    char *text = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&text, &len);
    fprintf(mf, "%s\n", GOOD_OBS);
    for (int i = 0; i < n_bad; i++)
        fprintf(mf, "{\"v\":1,\"type\":\"obs\",\"t_us\":%d}\n", i);
    fprintf(mf, "%s\n", GOOD_OBS);
    fclose(mf);

    capture_start();
    src s = open_text(text, "flood");
    dw_record rec;
    int good = 0;
    while (dw_ndjson_next(s.r, &rec) == DW_OK)
        good++;
    capture_stop();
    assert_int_equal(good, 2);
    assert_true(n_msgs > 0 && n_msgs <= 21);
    dw_ndjson_stats stats;
    dw_ndjson_get_stats(s.r, &stats);
    assert_int_equal(stats.bad, n_bad);
    /* The last error is kept even when its log line was suppressed. */
    char want[64];
    snprintf(want, sizeof want, "flood:%d: obs: missing \"kind\"", n_bad + 1);
    assert_string_equal(dw_ndjson_last_error(s.r), want);
    close_src(&s);
    free(text);
}

static void long_lines_and_files(void **state)
{
    (void)state;
    /* A 300 kB line: an unknown key carrying a long string. */
    size_t pad = 300000;
    size_t cap = pad + 1024;
    char *line = malloc(cap);
    assert_non_null(line);
    int k = snprintf(line, cap, "{\"v\":1,\"type\":\"obs\",\"t_us\":7,\"sensor\":\"S\",\"kind\":\"CELL\",\"note\":\"");
    memset(line + k, 'x', pad);
    snprintf(line + k + pad, cap - (size_t)k - pad, "\"}\r\n%s", GOOD_OBS);

    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/long.ndjson", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(line, f);
    fclose(f);
    free(line);

    f = fopen(path, "r");
    assert_non_null(f);
    dw_ndjson_reader *r;
    assert_int_equal(dw_ndjson_reader_create(f, path, &r), DW_OK);
    dw_record rec;
    assert_int_equal(dw_ndjson_next(r, &rec), DW_OK);
    assert_true(rec.u.obs.t_us == 7 && rec.line == 1);
    assert_int_equal(dw_ndjson_next(r, &rec), DW_OK); /* no final newline */
    assert_true(rec.line == 2);
    assert_int_equal(dw_ndjson_next(r, &rec), DW_ERR_EOF);
    assert_string_equal(dw_ndjson_last_error(r), "");
    dw_ndjson_reader_destroy(r);
    fclose(f);
    remove(path);
    rmdir(dir);
}

/* ---- writers ------------------------------------------------------------ */

static void writer_full_buffer(void **state)
{
    (void)state;
    dw_obs o;
    dw_obs_init(&o, DW_OBS_POLAR);
    o.t_us = 1757451000000000LL;
    strcpy(o.sensor, "PL-RAD-01");
    o.range_m = 41250;
    o.az_rad = 1;
    char big[1024], *end = NULL;
    assert_int_equal(dw_ndjson_write_obs(big, big + sizeof big, &o, &end), DW_OK);
    size_t need = (size_t)(end - big) + 1; /* the line and its NUL */

    char *small = malloc(need);
    char *sentinel = (char *)"untouched";
    char *out = sentinel;
    assert_int_equal(dw_ndjson_write_obs(small, small + need - 1, &o, &out), DW_ERR_FULL);
    assert_ptr_equal(out, sentinel);
    assert_int_equal(dw_ndjson_write_obs(small, small, &o, &out), DW_ERR_FULL);
    assert_int_equal(dw_ndjson_write_obs(small, small + 10, &o, &out), DW_ERR_FULL);
    assert_ptr_equal(out, sentinel);
    assert_int_equal(dw_ndjson_write_obs(small, small + need, &o, &out), DW_OK);
    assert_ptr_equal(out, small + need - 1);
    assert_string_equal(small, big);
    free(small);

    /* Lines chain at the end pointer. */
    char two[2048];
    char *p = two;
    assert_int_equal(dw_ndjson_write_obs(p, two + sizeof two, &o, &p), DW_OK);
    assert_int_equal(dw_ndjson_write_obs(p, two + sizeof two, &o, &p), DW_OK);
    assert_int_equal(strlen(two), 2 * (need - 1));
}

static void writer_refuses_what_cannot_be_read(void **state)
{
    (void)state;
    char buf[1024], *end = NULL;
    dw_obs o;
    dw_obs_init(&o, DW_OBS_POS3);
    strcpy(o.sensor, "S");
    o.lat_deg = 50;
    o.has = DW_OBS_HAS_POS | DW_OBS_HAS_ALT;
    assert_int_equal(dw_ndjson_write_obs(buf, buf + sizeof buf, &o, &end), DW_OK);
    o.alt_m = NAN;
    assert_int_equal(dw_ndjson_write_obs(buf, buf + sizeof buf, &o, &end), DW_ERR_INVALID);
    o.alt_m = 0;
    o.lat_deg = 95;
    assert_int_equal(dw_ndjson_write_obs(buf, buf + sizeof buf, &o, &end), DW_ERR_INVALID);
    o.lat_deg = 50;
    o.icao = 0x1000000;
    o.has |= DW_OBS_HAS_ICAO;
    assert_int_equal(dw_ndjson_write_obs(buf, buf + sizeof buf, &o, &end), DW_ERR_INVALID);
    o.icao = 0;
    o.sensor[0] = '\0';
    assert_int_equal(dw_ndjson_write_obs(buf, buf + sizeof buf, &o, &end), DW_ERR_INVALID);

    dw_track t;
    dw_track_init(&t);
    t.id = (uint64_t)INT64_MAX + 1;
    assert_int_equal(dw_ndjson_write_track(buf, buf + sizeof buf, &t, NULL, 0, &end), DW_ERR_INVALID);
    t.id = 1;
    t.vel_enu_mps[0] = INFINITY;
    assert_int_equal(dw_ndjson_write_track(buf, buf + sizeof buf, &t, NULL, 0, &end), DW_ERR_INVALID);

    /* Bytes that are not UTF-8 become '?', control characters are escaped. */
    dw_truth tr = {0};
    strcpy(tr.id, "a\xff\x01z");
    assert_int_equal(dw_ndjson_write_truth(buf, buf + sizeof buf, &tr, &end), DW_OK);
    assert_non_null(strstr(buf, "\"id\":\"a?\\u0001z\""));
    dw_record r = parse_ok(buf);
    assert_string_equal(r.u.truth.id, "a?\x01z");
}

static void t_us_is_exact_int64(void **state)
{
    (void)state;
    const int64_t times[] = {1757451000000000LL, 1757451000000001LL, INT64_MAX, INT64_MAX - 1,
                             INT64_MIN, 9007199254740993LL /* 2^53 + 1: not a double */};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        dw_truth t = {0};
        t.t_us = times[i];
        strcpy(t.id, "x");
        char buf[512], want[64], *end;
        assert_int_equal(dw_ndjson_write_truth(buf, buf + sizeof buf, &t, &end), DW_OK);
        snprintf(want, sizeof want, "\"t_us\":%lld,", (long long)times[i]);
        assert_non_null(strstr(buf, want));
        dw_record r = parse_ok(buf);
        assert_true(r.u.truth.t_us == times[i]);
    }
    /* One past INT64_MAX is not a time. */
    const char *over = "{\"v\":1,\"type\":\"truth\",\"t_us\":9223372036854775808,\"id\":\"x\","
                       "\"lat_deg\":0,\"lon_deg\":0,\"alt_m\":0}";
    dw_record r;
    char err[256];
    assert_int_equal(dw_ndjson_parse(over, strlen(over), &r, err, sizeof err), DW_ERR_PARSE);
    assert_non_null(strstr(err, "not JSON"));
}

static void parse_from_memory_needs_no_error_buffer(void **state)
{
    (void)state;
    dw_record r;
    memset(&r, 0x5a, sizeof r);
    dw_record before = r;
    assert_int_equal(dw_ndjson_parse("{}", 2, &r, NULL, 0), DW_ERR_PARSE);
    assert_memory_equal(&r, &before, sizeof r); /* untouched on failure */
    assert_int_equal(dw_ndjson_parse(GOOD_OBS "\n", strlen(GOOD_OBS) + 1, &r, NULL, 0), DW_OK);
    assert_int_equal(r.u.obs.kind, DW_OBS_POLAR);
    /* null stands for absent. */
    r = parse_ok("{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"BEARING\",\"az_deg\":5,\"el_deg\":null}");
    assert_int_equal(r.u.obs.has & DW_OBS_HAS_EL, 0);
    /* Keys of other kinds are not this record's (found by fuzz_ndjson: the
     * writer would drop them, so the reader must not keep them). */
    r = parse_ok("{\"v\":1,\"type\":\"obs\",\"t_us\":1,\"sensor\":\"S\",\"kind\":\"POS2\",\"lat_deg\":1,"
                 "\"lon_deg\":2,\"az_deg\":331,\"range_m\":\"not mine\"}");
    assert_near(r.u.obs.az_rad, 0, 0);
    assert_near(r.u.obs.range_m, 0, 0);
}

/* ---- docs/formats.md names every key and word ------------------------------ */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static void assert_documented(const char *doc, const char *word)
{
    char tick[128];
    snprintf(tick, sizeof tick, "`%s`", word);
    if (!strstr(doc, tick))
        fail_msg("docs/formats.md does not mention %s", tick);
}

static void keys_documented(const char *doc, json_t *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        assert_documented(doc, key);
        if (json_is_object(v) && strcmp(key, "class_scores") != 0 && strcmp(key, "class_probs") != 0)
            keys_documented(doc, v);
    }
}

static void formats_doc_names_every_key_and_word(void **state)
{
    (void)state;
    char *doc = read_all(DW_SOURCE_DIR "/docs/formats.md");
    assert_non_null(doc);
#define CHECK_WORD(e, s) assert_documented(doc, s);
    DW_OBS_KINDS(CHECK_WORD)
    DW_CLASSES(CHECK_WORD)
    DW_TRACK_STATUSES(CHECK_WORD)
    DW_AFFILIATIONS(CHECK_WORD)
    DW_SENSOR_KINDS(CHECK_WORD)
#undef CHECK_WORD

    /* Every key the writers can emit, with every optional one switched on. */
    dw_obs o;
    dw_obs_init(&o, DW_OBS_POLAR);
    strcpy(o.sensor, "S");
    o.has = ~0u & ~(uint32_t)DW_OBS_HAS_ICAO;
    o.sigma_pos_m = o.sigma_alt_m = o.sigma_range_m = o.sigma_az_rad = o.sigma_el_rad = o.sigma_rr_mps = 1;
    o.cov_enu[0][0] = 1;
    strcpy(o.callsign, "C");
    strcpy(o.rid, "R");
    dw_track t;
    dw_track_init(&t);
    t.cov_pos_enu[0][0] = t.cov_vel_enu[0][0] = 1;
    t.icao = 1;
    strcpy(t.callsign, "C");
    strcpy(t.rid, "R");
    t.class_prob[0] = 1;
    dw_truth tr = {0};
    strcpy(tr.id, "x");
    const char *const names[] = {"S"};
    dw_record recs[3] = {{.type = DW_REC_OBS, .u.obs = o},
                         {.type = DW_REC_TRACK, .u.track = t},
                         {.type = DW_REC_TRUTH, .u.truth = tr}};
    for (int i = 0; i < 3; i++) {
        char buf[4096], *end;
        assert_int_equal(dw_ndjson_write_record(buf, buf + sizeof buf, &recs[i], names, 1, &end), DW_OK);
        json_t *j = json_loads(buf, 0, NULL);
        assert_non_null(j);
        keys_documented(doc, j);
        json_decref(j);
    }
    free(doc);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(obs_round_trip_every_kind),
    cmocka_unit_test(track_round_trip),
    cmocka_unit_test(truth_round_trip),
    cmocka_unit_test(design_examples_parse),
    cmocka_unit_test(bad_lines_skipped_with_line_and_reason),
    cmocka_unit_test(bad_line_flood_is_rate_limited),
    cmocka_unit_test(long_lines_and_files),
    cmocka_unit_test(writer_full_buffer),
    cmocka_unit_test(writer_refuses_what_cannot_be_read),
    cmocka_unit_test(t_us_is_exact_int64),
    cmocka_unit_test(parse_from_memory_needs_no_error_buffer),
    cmocka_unit_test(formats_doc_names_every_key_and_word),
};

DW_TEST_MAIN("ndjson", tests)

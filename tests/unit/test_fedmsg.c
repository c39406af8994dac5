/* test_fedmsg — federation messages: names, the envelope, and a receiver's checks of a
 * partner's data (fed.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#include "dronewall/fed.h"
#include "dronewall/ndjson.h"
#include "dronewall/track.h"

#define T0 1757466000000000LL   /* 2025-09-10T01:00:00Z */

static void names(void **state)
{
    (void)state;
    char b[64];
    assert_int_equal(dw_fed_stream_name("PL-1", "LT", b, sizeof b), DW_OK);
    assert_string_equal(b, "DW_PL-1_LT");
    assert_int_equal(dw_fed_subject("PL-1", "LT", DW_FED_NTF, b, sizeof b), DW_OK);
    assert_string_equal(b, "dw.PL-1.LT.ntf");
    assert_int_equal(dw_fed_stream_subjects("UA", "PL", b, sizeof b), DW_OK);
    assert_string_equal(b, "dw.UA.PL.>");
    assert_int_equal(dw_fed_inbox_prefix("LT", b, sizeof b), DW_OK);
    assert_string_equal(b, "_INBOX_LT");
    assert_int_equal(dw_fed_sensor_name("UA", b, sizeof b), DW_OK);
    assert_string_equal(b, "fed:UA");
    /* Subject tokens and stream names cannot hold these. */
    const char *bad[] = {"", "PL.1", "PL*", "P>", "PL 1", "a/b", "0123456789012345678901234567890123"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(dw_fed_name_ok(bad[i]));
        assert_int_equal(dw_fed_stream_name(bad[i], "LT", b, sizeof b), DW_ERR_INVALID);
    }
    assert_int_equal(dw_fed_stream_name("PL", "LT", b, 5), DW_ERR_RANGE);
    dw_fed_kind k;
    assert_int_equal(dw_fed_kind_parse("alr", &k), 0);
    assert_int_equal(k, DW_FED_ALR);
    assert_int_equal(dw_fed_kind_parse("track", &k), -1);
}

/* A track line as a node's picture reports it, at t_us, moving east at vx. */
static size_t track_line(char *buf, size_t cap, uint64_t id, int64_t t_us, double lat, double lon,
                         double vx)
{
    dw_track t;
    dw_track_init(&t);
    t.id = id;
    t.t_us = t_us;
    t.status = DW_TRACK_CONFIRMED;
    t.lat_deg = lat;
    t.lon_deg = lon;
    t.alt_m = 1000;
    t.vel_enu_mps[0] = vx;
    t.cov_pos_enu[0][0] = t.cov_pos_enu[1][1] = 200.0 * 200.0;
    t.cov_pos_enu[2][2] = 300.0 * 300.0;
    t.cov_vel_enu[0][0] = t.cov_vel_enu[1][1] = t.cov_vel_enu[2][2] = 25.0;
    t.cls = DW_CLASS_DECOY;
    t.class_prob[DW_CLASS_DECOY] = 0.8f;
    t.class_prob[DW_CLASS_OWA_DRONE] = 0.2f;
    t.affiliation = DW_AFF_HOSTILE;
    char *end = NULL;
    assert_int_equal(dw_ndjson_write_track(buf, buf + cap, &t, NULL, 0, &end), DW_OK);
    while (end > buf && end[-1] == '\n')
        *--end = '\0';
    return (size_t)(end - buf);
}

static size_t wrap(char *msg, size_t cap, const char *origin, dw_fed_kind kind, uint64_t session,
                   uint64_t seq, const char *line, size_t len)
{
    dw_fed_env e = {.kind = kind, .session = session, .seq = seq, .sent_us = 5};
    snprintf(e.origin, sizeof e.origin, "%s", origin);
    snprintf(e.owner, sizeof e.owner, "%s", origin);
    size_t n = dw_fed_wrap(msg, cap, &e, line, len);
    assert_true(n > 0);
    return n;
}

static void envelope_round_trip(void **state)
{
    (void)state;
    char line[2048], msg[4096];
    size_t ll = track_line(line, sizeof line, 17, T0, 51.5, 23.9, 40);
    size_t n = wrap(msg, sizeof msg, "UA", DW_FED_TRK, 1000, 1, line, ll);
    dw_fed_rx *rx = NULL;
    assert_int_equal(dw_fed_rx_create(NULL, &rx), DW_OK);
    dw_fed_item it;
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.trk", msg, n, T0, &it), DW_FED_ACCEPTED);
    assert_string_equal(it.env.origin, "UA");
    assert_string_equal(it.audience, "PL");
    assert_int_equal(it.env.seq, 1);
    assert_int_equal(it.env.session, 1000);
    /* The body is the line, byte for byte. */
    assert_int_equal(it.body_len, ll);
    assert_memory_equal(it.body, line, ll);
    /* ... and the partner's track is a report of the sensor fed:UA with its number. */
    assert_true(it.has_obs);
    assert_string_equal(it.obs.sensor, "fed:UA");
    assert_int_equal(it.obs.kind, DW_OBS_POS3);
    assert_true(it.obs.has & DW_OBS_HAS_PTRACK);
    assert_int_equal(it.obs.partner_track, 17);
    assert_true(fabs(it.obs.lat_deg - 51.5) < 1e-9 && fabs(it.obs.vel_enu_mps[0] - 40) < 1e-9);
    assert_true(fabs(it.obs.cov_enu[0][0] - 40000.0) < 1e-6);
    assert_true(it.obs.has & DW_OBS_HAS_CLASS);
    assert_true(fabs(it.obs.class_score[DW_CLASS_DECOY] - 0.8f) < 1e-6);
    /* The report reads back from its own NDJSON line with the partner's number. */
    char ol[2048], *end = NULL;
    assert_int_equal(dw_ndjson_write_obs(ol, ol + sizeof ol, &it.obs, &end), DW_OK);
    assert_non_null(strstr(ol, "\"partner_track\":17"));
    dw_record rec;
    assert_int_equal(dw_ndjson_parse(ol, (size_t)(end - ol), &rec, NULL, 0), DW_OK);
    assert_int_equal(rec.u.obs.partner_track, 17);
    assert_true(rec.u.obs.has & DW_OBS_HAS_PTRACK);
    size_t no = 0;
    const dw_fed_origin_stats *os = dw_fed_rx_origins(rx, &no);
    assert_int_equal(no, 1);
    assert_int_equal(os[0].received, 1);
    assert_int_equal(os[0].accepted, 1);
    assert_int_equal(os[0].by_kind[DW_FED_TRK], 1);
    assert_int_equal(os[0].last_seq, 1);
    /* Too small a buffer: nothing. */
    dw_fed_env e = {.origin = "UA", .owner = "UA", .kind = DW_FED_TRK, .seq = 1};
    assert_int_equal(dw_fed_wrap(msg, 40, &e, line, ll), 0);
    char id[96];
    assert_true(dw_fed_msg_id(id, sizeof id, &e, "PL") > 0);
    assert_string_equal(id, "UA/PL/0/1");
    dw_fed_rx_destroy(rx);
}

/* Each implausible track is refused for its reason, counted, and refused again when it
 * comes again; the good ones around it pass. */
static void implausible_tracks_refused(void **state)
{
    (void)state;
    dw_fed_rx *rx = NULL;
    assert_int_equal(dw_fed_rx_create(NULL, &rx), DW_OK);
    char line[2048], msg[4096];
    dw_fed_item it;
    uint64_t seq = 0;
#define TAKE(ID, T, LAT, LON, VX, WANT)                                                          \
    do {                                                                                         \
        size_t ll_ = track_line(line, sizeof line, ID, T, LAT, LON, VX);                         \
        size_t n_ = wrap(msg, sizeof msg, "UA", DW_FED_TRK, 7, ++seq, line, ll_);                \
        assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.trk", msg, n_, T0, &it), WANT);             \
    } while (0)
    TAKE(1, T0, 51.0, 24.0, 40, DW_FED_ACCEPTED);
    TAKE(2, T0, 51.0, 24.0, 1500, DW_FED_REJ_SPEED);             /* 1,500 m/s              */
    TAKE(3, T0 + 120000000LL, 51.0, 24.0, 40, DW_FED_REJ_TIME);  /* two minutes ahead      */
    TAKE(4, T0 - 3600000000LL, 51.0, 24.0, 40, DW_FED_REJ_TIME); /* an hour old            */
    /* Track 1 again 10 s later, 50 km away: 5 km/s. */
    TAKE(1, T0 + 10000000LL, 51.0, 24.72, 40, DW_FED_REJ_JUMP);
    /* ... and 400 m further after 10 s: fine. */
    TAKE(1, T0 + 10000000LL, 51.0, 24.0057, 40, DW_FED_ACCEPTED);
#undef TAKE
    /* Altitude and covariance: edit the line. */
    size_t ll = track_line(line, sizeof line, 5, T0, 51.0, 24.0, 40);
    char edited[2048];
    const char *p = strstr(line, "\"alt_m\":1000");
    assert_non_null(p);
    int k = snprintf(edited, sizeof edited, "%.*s\"alt_m\":45000%s", (int)(p - line), line,
                     p + strlen("\"alt_m\":1000"));
    size_t n = wrap(msg, sizeof msg, "UA", DW_FED_TRK, 7, ++seq, edited, (size_t)k);
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.trk", msg, n, T0, &it), DW_FED_REJ_ALTITUDE);
    p = strstr(line, "\"cov_pos_enu\":[40000");
    assert_non_null(p);
    k = snprintf(edited, sizeof edited, "%.*s\"cov_pos_enu\":[1e11%s", (int)(p - line), line,
                 p + strlen("\"cov_pos_enu\":[40000"));
    n = wrap(msg, sizeof msg, "UA", DW_FED_TRK, 7, ++seq, edited, (size_t)k);
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.trk", msg, n, T0, &it), DW_FED_REJ_COVARIANCE);
    (void)ll;
    /* Not a message at all, and an envelope around no line. */
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.trk", "{\"v\":1", 6, T0, &it), DW_FED_REJ_PARSE);
    const char *nobody = "{\"v\":1,\"type\":\"fed\",\"origin\":\"UA\",\"owner\":\"UA\",\"kind\":\"trk\","
                         "\"session\":7,\"seq\":99,\"sent_us\":0,\"body\":{\"v\":1}}";
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.trk", nobody, strlen(nobody), T0, &it),
                     DW_FED_REJ_PARSE);
    size_t no = 0;
    const dw_fed_origin_stats *os = dw_fed_rx_origins(rx, &no);
    assert_int_equal(no, 1);
    assert_int_equal(os[0].accepted, 2);
    assert_int_equal(os[0].rejected[DW_FED_REJ_SPEED], 1);
    assert_int_equal(os[0].rejected[DW_FED_REJ_TIME], 2);
    assert_int_equal(os[0].rejected[DW_FED_REJ_JUMP], 1);
    assert_int_equal(os[0].rejected[DW_FED_REJ_ALTITUDE], 1);
    assert_int_equal(os[0].rejected[DW_FED_REJ_COVARIANCE], 1);
    assert_int_equal(os[0].rejected[DW_FED_REJ_PARSE], 2);
    assert_int_equal(os[0].received, 10);
    /* Refused content still counts in the sequence: no gap for it. */
    assert_int_equal(os[0].gaps, 0);
    assert_int_equal(os[0].last_seq, 8);
    dw_fed_rx_destroy(rx);
}

/* A partner can publish only under its own subjects; a message that claims to be another
 * node's, or another kind than its subject's, is forged. */
static void forged_origin_refused(void **state)
{
    (void)state;
    dw_fed_rx *rx = NULL;
    assert_int_equal(dw_fed_rx_create(NULL, &rx), DW_OK);
    char line[2048], msg[4096];
    size_t ll = track_line(line, sizeof line, 1, T0, 51.0, 24.0, 40);
    size_t n = wrap(msg, sizeof msg, "LT", DW_FED_TRK, 1, 1, line, ll);
    dw_fed_item it;
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.trk", msg, n, T0, &it), DW_FED_REJ_FORGED);
    n = wrap(msg, sizeof msg, "UA", DW_FED_TRK, 1, 1, line, ll);
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.alr", msg, n, T0, &it), DW_FED_REJ_FORGED);
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.trk", msg, n, T0, &it), DW_FED_ACCEPTED);
    /* Not a subject of ours. */
    assert_int_equal(dw_fed_rx_take(rx, "other.UA.PL.trk", msg, n, T0, &it), DW_FED_REJ_PARSE);
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.trk.x", msg, n, T0, &it), DW_FED_REJ_PARSE);
    /* Tokens that are no names (found by fuzz_fedmsg). */
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.P\xcfL.trk", msg, n, T0, &it), DW_FED_REJ_PARSE);
    assert_int_equal(dw_fed_rx_take(rx, "dw.U A.PL.trk", msg, n, T0, &it), DW_FED_REJ_PARSE);
    size_t no = 0;
    const dw_fed_origin_stats *os = dw_fed_rx_origins(rx, &no);
    assert_int_equal(no, 1);
    assert_int_equal(os[0].rejected[DW_FED_REJ_FORGED], 2);
    dw_fed_rx_destroy(rx);
}

/* Sequence numbers end to end: gaps counted, duplicates dropped, a new session (a restart)
 * starts again at 1 without a gap, and each audience has its own sequence. */
static void sequences(void **state)
{
    (void)state;
    dw_fed_rx *rx = NULL;
    assert_int_equal(dw_fed_rx_create(NULL, &rx), DW_OK);
    const char *alert = "{\"v\":1,\"type\":\"alert\",\"id\":3,\"kind\":\"border_violation\"}";
    char msg[1024];
    dw_fed_item it;
    /* Joined at 3 (a receiver started in the middle of the session: no gap for 1 and 2);
     * 6 comes after 8 (a redelivery) and fills its gap; 8 twice is a duplicate; 9 and 10
     * are missing. */
    uint64_t seqs[] = {3, 4, 5, 7, 8, 8, 6, 11};
    dw_fed_verdict want[] = {DW_FED_ACCEPTED, DW_FED_ACCEPTED, DW_FED_ACCEPTED, DW_FED_ACCEPTED,
                             DW_FED_ACCEPTED, DW_FED_REJ_DUPLICATE, DW_FED_ACCEPTED,
                             DW_FED_ACCEPTED};
    for (size_t i = 0; i < 8; i++) {
        size_t n = wrap(msg, sizeof msg, "PL", DW_FED_ALR, 100, seqs[i], alert, strlen(alert));
        assert_int_equal(dw_fed_rx_take(rx, "dw.PL.LT.alr", msg, n, T0, &it), want[i]);
    }
    size_t no = 0;
    const dw_fed_origin_stats *os = dw_fed_rx_origins(rx, &no);
    assert_int_equal(os[0].first_seq, 3);
    assert_int_equal(os[0].gaps, 2);
    assert_int_equal(os[0].late, 1);
    assert_int_equal(os[0].rejected[DW_FED_REJ_DUPLICATE], 1);
    assert_int_equal(os[0].last_seq, 11);
    assert_int_equal(os[0].sessions, 1);
    /* 6 again is a duplicate now; 1 comes (the session began before where this receiver
     * joined): 2 is missing too; then 2, 9 and 10 come late and nothing is missing. */
    uint64_t more[] = {6, 1, 2, 9, 10};
    for (size_t i = 0; i < 5; i++) {
        size_t n = wrap(msg, sizeof msg, "PL", DW_FED_ALR, 100, more[i], alert, strlen(alert));
        assert_int_equal(dw_fed_rx_take(rx, "dw.PL.LT.alr", msg, n, T0, &it),
                         i == 0 ? DW_FED_REJ_DUPLICATE : DW_FED_ACCEPTED);
        if (i == 1) {
            os = dw_fed_rx_origins(rx, &no);
            assert_int_equal(os[0].gaps, 3);
            assert_int_equal(os[0].first_seq, 1);
        }
    }
    os = dw_fed_rx_origins(rx, &no);
    assert_int_equal(os[0].gaps, 0);
    assert_int_equal(os[0].late, 5);
    assert_int_equal(os[0].rejected[DW_FED_REJ_DUPLICATE], 2);
    /* Far behind the window: taken as seen. */
    size_t nw = wrap(msg, sizeof msg, "PL", DW_FED_ALR, 100, 20000, alert, strlen(alert));
    assert_int_equal(dw_fed_rx_take(rx, "dw.PL.LT.alr", msg, nw, T0, &it), DW_FED_ACCEPTED);
    nw = wrap(msg, sizeof msg, "PL", DW_FED_ALR, 100, 12, alert, strlen(alert));
    assert_int_equal(dw_fed_rx_take(rx, "dw.PL.LT.alr", msg, nw, T0, &it), DW_FED_REJ_DUPLICATE);
    os = dw_fed_rx_origins(rx, &no);
    assert_int_equal(os[0].gaps, 20000 - 12);
    assert_int_equal(os[0].last_seq, 20000);
    /* Another audience's sequence is its own. */
    size_t n = wrap(msg, sizeof msg, "PL", DW_FED_ALR, 100, 1, alert, strlen(alert));
    assert_int_equal(dw_fed_rx_take(rx, "dw.PL.UA.alr", msg, n, T0, &it), DW_FED_ACCEPTED);
    os = dw_fed_rx_origins(rx, &no);
    assert_int_equal(os[0].last_seq, 20001);
    /* The node restarts: session 200 must start from 1 (its 1 lost is a gap). An old
     * session's message after it is late. */
    n = wrap(msg, sizeof msg, "PL", DW_FED_ALR, 200, 2, alert, strlen(alert));
    assert_int_equal(dw_fed_rx_take(rx, "dw.PL.LT.alr", msg, n, T0, &it), DW_FED_ACCEPTED);
    n = wrap(msg, sizeof msg, "PL", DW_FED_ALR, 100, 10, alert, strlen(alert));
    assert_int_equal(dw_fed_rx_take(rx, "dw.PL.LT.alr", msg, n, T0, &it), DW_FED_REJ_DUPLICATE);
    os = dw_fed_rx_origins(rx, &no);
    assert_int_equal(os[0].sessions, 2);
    assert_int_equal(os[0].session, 200);
    assert_int_equal(os[0].first_seq, 1);
    assert_int_equal(os[0].gaps, 20000 - 12 + 1);
    assert_int_equal(os[0].last_seq, 2);
    assert_int_equal(os[0].by_kind[DW_FED_ALR], 14);
    /* The alert's body, byte for byte. */
    n = wrap(msg, sizeof msg, "PL", DW_FED_ALR, 200, 3, alert, strlen(alert));
    assert_int_equal(dw_fed_rx_take(rx, "dw.PL.LT.alr", msg, n, T0, &it), DW_FED_ACCEPTED);
    assert_int_equal(it.body_len, strlen(alert));
    assert_memory_equal(it.body, alert, strlen(alert));
    assert_false(it.has_obs);
    dw_fed_rx_destroy(rx);
}

/* A partner's report moved to our time along its velocity, its covariance grown. */
static void align_to_our_time(void **state)
{
    (void)state;
    dw_fed_rx *rx = NULL;
    assert_int_equal(dw_fed_rx_create(NULL, &rx), DW_OK);
    char line[2048], msg[4096];
    size_t ll = track_line(line, sizeof line, 17, T0, 51.5, 23.9, 40);
    size_t n = wrap(msg, sizeof msg, "UA", DW_FED_TRK, 1, 1, line, ll);
    dw_fed_item it, back;
    assert_int_equal(dw_fed_rx_take(rx, "dw.UA.PL.trk", msg, n, T0, &it), DW_FED_ACCEPTED);
    back = it;
    dw_fed_align(&it, T0 + 10000000LL, 1.0);       /* 10 s later: 400 m east */
    assert_int_equal(it.obs.t_us, T0 + 10000000LL);
    double east_m = (it.obs.lon_deg - 23.9) * 111195.0 * cos(51.5 * M_PI / 180.0);
    assert_true(fabs(east_m - 400.0) < 0.5);
    assert_true(fabs(it.obs.lat_deg - 51.5) < 1e-12);
    /* 200² + 10² x 25 + (10⁴ / 4) x 1² */
    assert_true(fabs(it.obs.cov_enu[0][0] - (40000.0 + 2500.0 + 2500.0)) < 1e-6);
    assert_true(fabs(it.obs.cov_enu[2][2] - (90000.0 + 2500.0 + 250.0)) < 1e-6);
    dw_fed_align(&back, T0 - 10000000LL, 1.0);     /* 10 s earlier: 400 m west */
    east_m = (back.obs.lon_deg - 23.9) * 111195.0 * cos(51.5 * M_PI / 180.0);
    assert_true(fabs(east_m + 400.0) < 0.5);
    assert_true(fabs(back.obs.cov_enu[1][1] - (40000.0 + 2500.0 + 2500.0)) < 1e-6);
    /* The same time, or no report: nothing. */
    dw_fed_item same = back;
    dw_fed_align(&same, same.obs.t_us, 1.0);
    assert_memory_equal(&same, &back, sizeof same);
    dw_fed_item none;
    memset(&none, 0, sizeof none);
    dw_fed_align(&none, T0, 1.0);
    assert_int_equal(none.obs.t_us, 0);
    dw_fed_rx_destroy(rx);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test(envelope_round_trip),
        cmocka_unit_test(implausible_tracks_refused),
        cmocka_unit_test(forged_origin_refused),
        cmocka_unit_test(sequences),
        cmocka_unit_test(align_to_our_time),
    };
    return dw_test_run("fedmsg", tests, sizeof tests / sizeof tests[0], argc, argv);
}

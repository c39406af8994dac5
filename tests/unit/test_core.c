#include "harness.h"

#include <stdio.h>
#include <string.h>

#include "dronewall/clock.h"
#include "dronewall/log.h"
#include "dronewall/obs.h"
#include "dronewall/sensor.h"
#include "dronewall/status.h"
#include "dronewall/track.h"

static void status_strings(void **state)
{
    (void)state;
    assert_string_equal(dw_status_str(DW_OK), "ok");
    assert_string_equal(dw_status_name(DW_ERR_PARSE), "DW_ERR_PARSE");
    assert_string_equal(dw_status_str((dw_status)999), "unknown status");
}

static int formatted;
static const char *count_arg(void)
{
    formatted++;
    return "x";
}

static char last_msg[256];
static int n_msgs;
static void capture_sink(void *ctx, dw_log_cat cat, dw_log_level level, const char *msg)
{
    (void)ctx; (void)cat; (void)level;
    snprintf(last_msg, sizeof last_msg, "%s", msg);
    n_msgs++;
}

static void log_level_checked_before_formatting(void **state)
{
    (void)state;
    dw_log_set_sink(capture_sink, NULL);
    dw_log_set_level(-1, DW_LOG_WARN);
    formatted = 0;
    n_msgs = 0;
    DW_LOG(DW_LOG_TRACK, DW_LOG_DEBUG, "%s", count_arg());
    assert_int_equal(formatted, 0);
    assert_int_equal(n_msgs, 0);
    DW_LOG(DW_LOG_TRACK, DW_LOG_WARN, "value %s", count_arg());
    assert_int_equal(formatted, 1);
    assert_int_equal(n_msgs, 1);
    assert_string_equal(last_msg, "value x");
    dw_log_set_sink(NULL, NULL);
}

static void log_configure_spec(void **state)
{
    (void)state;
    dw_log_set_level(-1, DW_LOG_WARN);
    assert_int_equal(dw_log_configure("info,track=trace"), DW_OK);
    assert_int_equal(dw_log_threshold[DW_LOG_TRACK], DW_LOG_TRACE);
    assert_int_equal(dw_log_threshold[DW_LOG_IO], DW_LOG_INFO);
    /* A bad spec changes nothing. */
    assert_int_equal(dw_log_configure("error,nosuch=debug"), DW_ERR_INVALID);
    assert_int_equal(dw_log_threshold[DW_LOG_IO], DW_LOG_INFO);
    assert_int_equal(dw_log_configure("loud"), DW_ERR_INVALID);
    dw_log_set_level(-1, DW_LOG_WARN);
}

static void ratelimit_counts_suppressed(void **state)
{
    (void)state;
    dw_ratelimit rl = DW_RATELIMIT_INIT(1.0, 3.0);
    int allowed = 0;
    for (int i = 0; i < 100; i++)
        allowed += dw_ratelimit_allow(&rl, 1000);
    assert_int_equal(allowed, 3);
    assert_int_equal(rl.suppressed, 97);
    /* Two seconds later, two more tokens. */
    allowed = 0;
    for (int i = 0; i < 10; i++)
        allowed += dw_ratelimit_allow(&rl, 1000 + 2 * DW_US_PER_S);
    assert_int_equal(allowed, 2);

    dw_log_set_sink(capture_sink, NULL);
    dw_ratelimit rl2 = DW_RATELIMIT_INIT(1.0, 1.0);
    n_msgs = 0;
    for (int i = 0; i < 5; i++)
        DW_LOG_RL(&rl2, 0, DW_LOG_IO, DW_LOG_WARN, "bad packet %d", i);
    assert_int_equal(n_msgs, 1);
    DW_LOG_RL(&rl2, 5 * DW_US_PER_S, DW_LOG_IO, DW_LOG_WARN, "bad packet again");
    assert_int_equal(n_msgs, 3); /* the suppressed count, then the message */
    assert_string_equal(last_msg, "bad packet again");
    dw_log_set_sink(NULL, NULL);
}

static void manual_clock(void **state)
{
    (void)state;
    int64_t t = 1757451000000000LL;
    dw_clock c = {dw_clock_manual_now, &t};
    assert_true(dw_clock_now(&c) == 1757451000000000LL);
    t += 5;
    assert_true(dw_clock_now(&c) == 1757451000000005LL);
}

static void enum_names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < DW_OBS_NKINDS; k++) {
        dw_obs_kind out;
        assert_int_equal(dw_obs_kind_parse(dw_obs_kind_name((dw_obs_kind)k), &out), 0);
        assert_int_equal(out, k);
    }
    dw_class c;
    assert_int_equal(dw_class_parse("owa_drone", &c), 0);
    assert_int_equal(c, DW_CLASS_OWA_DRONE);
    assert_int_equal(dw_class_parse("OWA_DRONE", &c), -1);
    dw_affiliation a;
    assert_int_equal(dw_affiliation_parse("hostile", &a), 0);
    assert_string_equal(dw_affiliation_name(a), "hostile");
    dw_track_status s;
    assert_int_equal(dw_track_status_parse("coasting", &s), 0);
    assert_string_equal(dw_track_status_name(s), "coasting");
    dw_sensor_kind sk;
    assert_int_equal(dw_sensor_kind_parse("acoustic", &sk), 0);
    assert_int_equal(dw_sensor_kind_parse(NULL, &sk), -1);
}

static void type_defaults(void **state)
{
    (void)state;
    dw_sensor s;
    dw_sensor_init(&s, DW_SENSOR_RADAR);
    assert_true(s.sigma_range_m > 0 && s.max_range_m > 0 && s.pd > 0);
    dw_track t;
    dw_track_init(&t);
    assert_int_equal(t.status, DW_TRACK_TENTATIVE);
    assert_int_equal(t.affiliation, DW_AFF_PENDING);
    dw_obs o;
    dw_obs_init(&o, DW_OBS_POLAR);
    assert_int_equal(o.kind, DW_OBS_POLAR);
    assert_int_equal(o.has, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(status_strings),
    cmocka_unit_test(log_level_checked_before_formatting),
    cmocka_unit_test(log_configure_spec),
    cmocka_unit_test(ratelimit_counts_suppressed),
    cmocka_unit_test(manual_clock),
    cmocka_unit_test(enum_names_round_trip),
    cmocka_unit_test(type_defaults),
};

DW_TEST_MAIN("core", tests)

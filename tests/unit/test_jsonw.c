/* test_jsonw.c — the JSON writer every raw record goes through: commas and
 * nesting, escaping, integers at their extremes, doubles that read back
 * exactly in their shortest form, and a full buffer that says so. jansson
 * is the independent reader that checks the text is JSON. */
#include "harness.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/jsonw.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!j)
        fprintf(stderr, "not JSON (%s): %s\n", e.text, text);
    assert_non_null(j);
    return j;
}

static void nesting_and_commas(void **state)
{
    (void)state;
    char buf[256];
    dw_jw w;
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "a", 1);
    dw_jw_key(&w, "b");
    dw_jw_arr(&w);
    dw_jw_int(&w, 1);
    dw_jw_int(&w, 2);
    dw_jw_obj(&w);
    dw_jw_key(&w, "c");
    dw_jw_null(&w);
    dw_jw_obj_end(&w);
    dw_jw_arr(&w);
    dw_jw_arr_end(&w);
    dw_jw_obj(&w);
    dw_jw_obj_end(&w);
    dw_jw_arr_end(&w);
    dw_jw_key(&w, "d");
    dw_jw_obj(&w);
    dw_jw_kbool(&w, "t", 1);
    dw_jw_kbool(&w, "f", 0);
    dw_jw_obj_end(&w);
    dw_jw_kstr(&w, "e", "x");
    dw_jw_obj_end(&w);
    assert_true(dw_jw_ok(&w));
    assert_string_equal(buf, "{\"a\":1,\"b\":[1,2,{\"c\":null},[],{}],\"d\":{\"t\":true,\"f\":false},\"e\":\"x\"}");
    assert_int_equal(dw_jw_len(&w), strlen(buf));
    json_decref(parse(buf));

    /* Top-level arrays and scalars need no key. */
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_arr(&w);
    dw_jw_arr(&w);
    dw_jw_arr_end(&w);
    dw_jw_str(&w, "");
    dw_jw_arr_end(&w);
    assert_string_equal(buf, "[[],\"\"]");
}

static void escaping(void **state)
{
    (void)state;
    char buf[256];
    dw_jw w;
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_arr(&w);
    dw_jw_str(&w, "q\"b\\s/n\nt\t\x01\x1f\x7f \xc3\xa9");
    dw_jw_strn(&w, "a\0b", 3);
    dw_jw_arr_end(&w);
    assert_true(dw_jw_ok(&w));
    assert_string_equal(buf, "[\"q\\\"b\\\\s/n\\u000at\\u0009\\u0001\\u001f\\u007f \xc3\xa9\",\"a\\u0000b\"]");
    json_t *j = parse(buf);
    assert_string_equal(json_string_value(json_array_get(j, 0)), "q\"b\\s/n\nt\t\x01\x1f\x7f \xc3\xa9");
    assert_int_equal(json_string_length(json_array_get(j, 1)), 3);
    json_decref(j);

    static const uint8_t bytes[] = {0x00, 0x0a, 0x1b, 0xff};
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_hex(&w, bytes, sizeof bytes);
    assert_string_equal(buf, "\"000a1bff\"");
}

static void integers(void **state)
{
    (void)state;
    char buf[256];
    dw_jw w;
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_arr(&w);
    dw_jw_int(&w, 0);
    dw_jw_int(&w, -1);
    dw_jw_int(&w, INT64_MAX);
    dw_jw_int(&w, INT64_MIN);
    dw_jw_uint(&w, UINT64_MAX);
    dw_jw_uint(&w, 10);
    dw_jw_arr_end(&w);
    assert_string_equal(buf, "[0,-1,9223372036854775807,-9223372036854775808,18446744073709551615,10]");
    /* jansson stops at int64; the extremes it can hold read back. */
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_arr(&w);
    dw_jw_int(&w, INT64_MAX);
    dw_jw_int(&w, INT64_MIN);
    dw_jw_arr_end(&w);
    json_t *j = parse(buf);
    assert_true(json_integer_value(json_array_get(j, 0)) == INT64_MAX);
    assert_true(json_integer_value(json_array_get(j, 1)) == INT64_MIN);
    json_decref(j);
}

static const char *one_double(char *buf, size_t cap, double v)
{
    dw_jw w;
    dw_jw_init(&w, buf, cap);
    dw_jw_double(&w, v);
    assert_true(dw_jw_ok(&w));
    return buf;
}

static void doubles_shortest_and_exact(void **state)
{
    (void)state;
    char buf[64];
    /* The shortest text that reads back to the same double. */
    assert_string_equal(one_double(buf, sizeof buf, 0.1), "0.1");
    assert_string_equal(one_double(buf, sizeof buf, -2.25), "-2.25");
    assert_string_equal(one_double(buf, sizeof buf, 1.5e-7), "1.5e-07");
    assert_string_equal(one_double(buf, sizeof buf, 0.1 + 0.2), "0.30000000000000004");
    assert_string_equal(one_double(buf, sizeof buf, 1.0 / 3.0), "0.3333333333333333");
    /* Whole numbers print as integers, up to 1e15. */
    assert_string_equal(one_double(buf, sizeof buf, 41250.0), "41250");
    assert_string_equal(one_double(buf, sizeof buf, -7.0), "-7");
    assert_string_equal(one_double(buf, sizeof buf, 999999999999999.0), "999999999999999");
    /* Beyond int64 the exponent form, without undefined casts. */
    assert_string_equal(one_double(buf, sizeof buf, 1e300), "1e+300");
    assert_string_equal(one_double(buf, sizeof buf, -1.7976931348623157e308), "-1.7976931348623157e+308");
    /* Not JSON numbers: null. */
    assert_string_equal(one_double(buf, sizeof buf, NAN), "null");
    assert_string_equal(one_double(buf, sizeof buf, INFINITY), "null");
    assert_string_equal(one_double(buf, sizeof buf, -INFINITY), "null");

    /* Every finite double reads back exactly, through strtod and jansson. */
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v))
            continue;
        one_double(buf, sizeof buf, v);
        assert_true(strtod(buf, NULL) == v);
        if (i % 100 == 0) {
            json_t *j = parse(buf);
            assert_true(json_number_value(j) == v);
            json_decref(j);
        }
    }

    dw_jw w;
    dw_jw_init(&w, buf, sizeof buf);
    dw_jw_arr(&w);
    dw_jw_double_prec(&w, 52.123456789, 6);
    dw_jw_double_prec(&w, NAN, 6);
    dw_jw_double_prec(&w, 1e-9, 3);
    dw_jw_arr_end(&w);
    assert_true(dw_jw_ok(&w));
    assert_string_equal(buf, "[52.1235,null,1e-09]");
}

static void full_buffer_is_reported(void **state)
{
    (void)state;
    /* The same document into every capacity: the text fits, or ok is false
     * and nothing is written past the end. */
    char ref[128];
    dw_jw w;
    for (size_t cap = 0; cap <= sizeof ref; cap++) {
        char buf[sizeof ref + 8];
        memset(buf, '#', sizeof buf);
        dw_jw_init(&w, buf, cap);
        dw_jw_obj(&w);
        dw_jw_kstr(&w, "name", "a \"quoted\" string");
        dw_jw_kint(&w, "n", -1234567890123);
        dw_jw_kdouble(&w, "x", 0.5);
        dw_jw_key(&w, "h");
        dw_jw_hex(&w, (const uint8_t *)"\x01\x02", 2);
        dw_jw_obj_end(&w);
        for (size_t i = cap; i < sizeof buf; i++)
            assert_int_equal(buf[i], '#');
        const char *want = "{\"name\":\"a \\\"quoted\\\" string\",\"n\":-1234567890123,\"x\":0.5,\"h\":\"0102\"}";
        if (cap > strlen(want)) {
            assert_true(dw_jw_ok(&w));
            assert_string_equal(buf, want);
        } else {
            assert_false(dw_jw_ok(&w));
            if (cap)
                assert_non_null(memchr(buf, '\0', cap)); /* still a C string */
        }
    }

    /* Nesting deeper than DW_JW_DEPTH is refused the same way. */
    dw_jw_init(&w, ref, sizeof ref);
    for (int i = 0; i < DW_JW_DEPTH + 2; i++)
        dw_jw_arr(&w);
    assert_false(dw_jw_ok(&w));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(nesting_and_commas),
    cmocka_unit_test(escaping),
    cmocka_unit_test(integers),
    cmocka_unit_test(doubles_shortest_and_exact),
    cmocka_unit_test(full_buffer_is_reported),
};

DW_TEST_MAIN("jsonw", tests)

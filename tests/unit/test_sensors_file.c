#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dronewall/doc.h"
#include "dronewall/sensors_file.h"

#define DEG (M_PI / 180.0)

static const char *write_tmp(const char *name, const char *text)
{
    static char path[512];
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char *yaml_text =
    "# The Lublin sector.\n"
    "sensors:\n"
    "  - id: PL-RAD-01\n"
    "    kind: radar\n"
    "    owner: PL\n"
    "    lat_deg: 51.2\n"
    "    lon_deg: 22.9\n"
    "    alt_m: 210\n"
    "    sigma: {range_m: 40, az_deg: 0.15, el_deg: 0.25}\n"
    "    pd: 0.85\n"
    "    max_range_m: 250e3\n"
    "    period_s: 4\n"
    "  - id: AC-0412\n"
    "    kind: acoustic\n"
    "    lat_deg: 51.55\n"
    "    lon_deg: 23.61\n"
    "    sigma:\n"
    "      az_deg: 3\n"
    "  - id: \"ADSB-WAW\"\n"
    "    kind: adsb\n";

static const char *json_text =
    "{\"sensors\": [\n"
    "  {\"id\": \"PL-RAD-01\", \"kind\": \"radar\", \"owner\": \"PL\", \"lat_deg\": 51.2,\n"
    "   \"lon_deg\": 22.9, \"alt_m\": 210, \"sigma\": {\"range_m\": 40, \"az_deg\": 0.15,\n"
    "   \"el_deg\": 0.25}, \"pd\": 0.85, \"max_range_m\": 250000, \"period_s\": 4},\n"
    "  {\"id\": \"AC-0412\", \"kind\": \"acoustic\", \"lat_deg\": 51.55, \"lon_deg\": 23.61,\n"
    "   \"sigma\": {\"az_deg\": 3}},\n"
    "  {\"id\": \"ADSB-WAW\", \"kind\": \"adsb\"}\n"
    "]}\n";

static void check_lublin(const dw_sensor *s, size_t n)
{
    assert_int_equal(n, 3);
    assert_string_equal(s[0].id, "PL-RAD-01");
    assert_int_equal(s[0].kind, DW_SENSOR_RADAR);
    assert_string_equal(s[0].owner, "PL");
    assert_near(s[0].lat_deg, 51.2, 0);
    assert_near(s[0].lon_deg, 22.9, 0);
    assert_near(s[0].alt_m, 210, 0);
    assert_near(s[0].sigma_range_m, 40, 0);
    assert_near(s[0].sigma_az_rad, 0.15 * DEG, 1e-15);
    assert_near(s[0].sigma_el_rad, 0.25 * DEG, 1e-15);
    assert_near(s[0].pd, 0.85, 0);
    assert_near(s[0].max_range_m, 250000, 0);
    assert_true(s[0].period_us == 4000000);

    /* What an entry does not say comes from dw_sensor_init(kind). */
    dw_sensor def;
    dw_sensor_init(&def, DW_SENSOR_ACOUSTIC);
    assert_string_equal(s[1].id, "AC-0412");
    assert_int_equal(s[1].kind, DW_SENSOR_ACOUSTIC);
    assert_near(s[1].sigma_az_rad, 3 * DEG, 1e-15);
    assert_near(s[1].pd, def.pd, 0);
    assert_near(s[1].max_range_m, def.max_range_m, 0);
    assert_string_equal(s[1].owner, "");

    dw_sensor_init(&def, DW_SENSOR_ADSB);
    assert_string_equal(s[2].id, "ADSB-WAW");
    assert_int_equal(s[2].kind, DW_SENSOR_ADSB);
    assert_near(s[2].sigma_pos_m, def.sigma_pos_m, 0);
    assert_near(s[2].pd, def.pd, 0);
}

static void yaml_sensors_file(void **state)
{
    (void)state;
    dw_sensor *s = NULL;
    size_t n = 0;
    char err[256] = "";
    const char *path = write_tmp("sensors.yaml", yaml_text);
    if (dw_sensors_load(path, &s, &n, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    check_lublin(s, n);
    assert_string_equal(err, ""); /* untouched on success */
    free(s);
}

static void json_sensors_file(void **state)
{
    (void)state;
    dw_sensor *s = NULL;
    size_t n = 0;
    char err[256];
    const char *path = write_tmp("sensors.json", json_text);
    if (dw_sensors_load(path, &s, &n, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    check_lublin(s, n);
    free(s);
}

static void format_by_content(void **state)
{
    (void)state;
    dw_sensor *s;
    size_t n;
    char err[256];
    const char *path = write_tmp("sensors", yaml_text);
    assert_int_equal(dw_sensors_load(path, &s, &n, err, sizeof err), DW_OK);
    check_lublin(s, n);
    free(s);
    path = write_tmp("sensors.conf", json_text);
    assert_int_equal(dw_sensors_load(path, &s, &n, err, sizeof err), DW_OK);
    check_lublin(s, n);
    free(s);
    /* An empty list is a valid (if quiet) site. */
    assert_int_equal(dw_sensors_load_mem("sensors: []\n", 12, "empty.yaml", &s, &n, err, sizeof err), DW_OK);
    assert_int_equal(n, 0);
    assert_null(s);
}

static void find_by_id(void **state)
{
    (void)state;
    dw_sensor *s;
    size_t n;
    char err[256];
    assert_int_equal(dw_sensors_load_mem(yaml_text, strlen(yaml_text), "x.yaml", &s, &n, err, sizeof err), DW_OK);
    assert_int_equal(dw_sensors_find(s, n, "AC-0412"), 1);
    assert_int_equal(dw_sensors_find(s, n, "PL-RAD-01"), 0);
    assert_int_equal(dw_sensors_find(s, n, "nope"), -1);
    assert_int_equal(dw_sensors_find(s, n, NULL), -1);
    assert_int_equal(dw_sensors_find(NULL, 0, "x"), -1);
    free(s);
}

/* A sensor's wire_id is a second name: both lookups take it, the index in
 * one hash. */
static void find_by_wire_id(void **state)
{
    (void)state;
    static const char *y = "sensors:\n"
                           "  - id: PL-RAD-01\n"
                           "    kind: radar\n"
                           "    wire_id: ASX-012-001\n"
                           "    lat_deg: 51.2\n"
                           "    lon_deg: 22.9\n"
                           "  - id: SELF\n"
                           "    kind: adsb\n"
                           "    wire_id: SELF\n"
                           "  - id: AC-0412\n"
                           "    kind: acoustic\n"
                           "    lat_deg: 51.55\n"
                           "    lon_deg: 23.61\n";
    dw_sensor *s;
    size_t n;
    char err[256];
    if (dw_sensors_load_mem(y, strlen(y), "w.yaml", &s, &n, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    assert_int_equal(n, 3);
    assert_string_equal(s[0].wire_id, "ASX-012-001");
    assert_string_equal(s[2].wire_id, "");
    assert_int_equal(dw_sensors_find(s, n, "ASX-012-001"), 0);
    assert_int_equal(dw_sensors_find(s, n, "PL-RAD-01"), 0);
    assert_int_equal(dw_sensors_find(s, n, "SELF"), 1);
    assert_int_equal(dw_sensors_find(s, n, ""), -1);

    dw_sensors_index *x = NULL;
    assert_int_equal(dw_sensors_index_create(s, n, &x, err, sizeof err), DW_OK);
    assert_int_equal(dw_sensors_index_find(x, "ASX-012-001"), 0);
    assert_int_equal(dw_sensors_index_find(x, "PL-RAD-01"), 0);
    assert_int_equal(dw_sensors_index_find(x, "SELF"), 1);
    assert_int_equal(dw_sensors_index_find(x, "AC-0412"), 2);
    assert_int_equal(dw_sensors_index_find(x, "AC-0413"), -1);
    assert_int_equal(dw_sensors_index_find(x, ""), -1);
    assert_int_equal(dw_sensors_index_find(x, NULL), -1);
    assert_int_equal(dw_sensors_index_find(NULL, "SELF"), -1);
    dw_sensors_index_destroy(x);
    dw_sensors_index_destroy(NULL);

    /* An array built elsewhere is checked too; out is untouched on error. */
    snprintf(s[2].wire_id, sizeof s[2].wire_id, "PL-RAD-01");
    x = (dw_sensors_index *)(uintptr_t)1;
    assert_int_equal(dw_sensors_index_create(s, n, &x, err, sizeof err), DW_ERR_INVALID);
    assert_true(x == (dw_sensors_index *)(uintptr_t)1);
    assert_string_equal(err, "sensor 2's wire_id \"PL-RAD-01\" is already the id of sensor 0 "
                             "(\"PL-RAD-01\")");
    free(s);

    /* Many names: every one found, none confused. */
    const size_t big = 20000;
    s = calloc(big, sizeof *s);
    assert_non_null(s);
    for (size_t i = 0; i < big; i++) {
        dw_sensor_init(&s[i], DW_SENSOR_ACOUSTIC);
        snprintf(s[i].id, sizeof s[i].id, "AC-%05zu", i);
        if (i % 2)
            snprintf(s[i].wire_id, sizeof s[i].wire_id, "NODE-%zu", i);
    }
    assert_int_equal(dw_sensors_index_create(s, big, &x, err, sizeof err), DW_OK);
    for (size_t i = 0; i < big; i++) {
        char name[32];
        assert_int_equal(dw_sensors_index_find(x, s[i].id), (int)i);
        snprintf(name, sizeof name, "NODE-%zu", i);
        assert_int_equal(dw_sensors_index_find(x, name), i % 2 ? (int)i : -1);
    }
    dw_sensors_index_destroy(x);
    free(s);
}

static void yaml_scalars_become_json(void **state)
{
    (void)state;
    const char *y = "a: 12\n"
                    "b: 4.5e3\n"
                    "c: \"12\"\n"
                    "d: true\n"
                    "e: ~\n"
                    "f: null\n"
                    "g: yes\n"
                    "h: 0x1F\n"
                    "i: -7\n"
                    "j: 99999999999999999999\n"
                    "k: 'single'\n"
                    "l:\n"
                    "m: .inf\n"
                    "n: [1, two, 3.5]\n"
                    "o: 1757451000000000\n"
                    "p: False\n"
                    "q: !!str 42\n";
    dw_doc *d;
    char err[256];
    if (dw_doc_load_mem(y, strlen(y), "t.yaml", &d, err, sizeof err) != DW_OK)
        fail_msg("%s", err);
    json_t *r = dw_doc_root(d);
    assert_true(json_is_integer(json_object_get(r, "a")));
    assert_int_equal(json_integer_value(json_object_get(r, "a")), 12);
    assert_true(json_is_real(json_object_get(r, "b")));
    assert_near(json_real_value(json_object_get(r, "b")), 4500, 0);
    assert_string_equal(json_string_value(json_object_get(r, "c")), "12");
    assert_true(json_is_true(json_object_get(r, "d")));
    assert_true(json_is_null(json_object_get(r, "e")));
    assert_true(json_is_null(json_object_get(r, "f")));
    assert_string_equal(json_string_value(json_object_get(r, "g")), "yes");
    assert_string_equal(json_string_value(json_object_get(r, "h")), "0x1F");
    assert_int_equal(json_integer_value(json_object_get(r, "i")), -7);
    assert_true(json_is_real(json_object_get(r, "j")));
    assert_string_equal(json_string_value(json_object_get(r, "k")), "single");
    assert_true(json_is_null(json_object_get(r, "l")));
    assert_string_equal(json_string_value(json_object_get(r, "m")), ".inf");
    json_t *n = json_object_get(r, "n");
    assert_int_equal(json_array_size(n), 3);
    assert_string_equal(json_string_value(json_array_get(n, 1)), "two");
    assert_true(json_integer_value(json_object_get(r, "o")) == 1757451000000000LL);
    assert_true(json_is_false(json_object_get(r, "p")));
    assert_string_equal(json_string_value(json_object_get(r, "q")), "42");

    /* Lines: by key, by index, by node; true/false/null only by place. */
    assert_int_equal(dw_doc_key_line(d, r, "a"), 1);
    assert_int_equal(dw_doc_key_line(d, r, "d"), 4);
    assert_int_equal(dw_doc_key_line(d, r, "q"), 17);
    assert_int_equal(dw_doc_line(d, json_object_get(r, "d")), 0);
    assert_int_equal(dw_doc_line(d, n), 14);
    assert_int_equal(dw_doc_index_line(d, n, 2), 14);
    assert_int_equal(dw_doc_line(d, r), 1);
    assert_int_equal(dw_doc_key_line(d, r, "nope"), 0);
    dw_doc_destroy(d);

    /* JSON keeps no positions. */
    assert_int_equal(dw_doc_load_mem("{\"a\": 1}", 8, "t.json", &d, err, sizeof err), DW_OK);
    assert_int_equal(dw_doc_key_line(d, dw_doc_root(d), "a"), 0);
    dw_doc_destroy(d);
}

static const struct bad_file {
    const char *name;
    const char *text;
    const char *want;           /* the message starts with this */
} bad_files[] = {
    {"kind.yaml", "sensors:\n  - id: A\n    kind: radar\n    lat_deg: 1\n    lon_deg: 2\n"
                  "  - id: B\n    kind: radr\n",
     "kind.yaml:7: sensors[1] (\"B\"): unknown kind \"radr\" (expected one of radar, aew, adsb, "
     "remote_id, acoustic, rf, eo, citizen, partner, other)"},
    {"dup.yaml", "sensors:\n  - id: A\n    kind: adsb\n  - kind: rf\n    id: A\n",
     "dup.yaml:5: sensors[1] (\"A\"): duplicate id \"A\" (first at line 2)"},
    {"wire.yaml", "sensors:\n  - id: A\n    kind: adsb\n  - id: B\n    kind: adsb\n    wire_id: A\n",
     "wire.yaml:6: sensors[1] (\"B\"): wire_id \"A\" is already the id of the sensor at line 2"},
    {"wire2.yaml", "sensors:\n  - id: A\n    kind: adsb\n    wire_id: W\n  - id: B\n    kind: adsb\n"
                   "    wire_id: W\n",
     "wire2.yaml:7: sensors[1] (\"B\"): wire_id \"W\" is already the wire_id of the sensor at line 2"},
    {"wire3.yaml", "sensors:\n  - id: A\n    kind: adsb\n    wire_id: X\n  - id: X\n    kind: adsb\n",
     "wire3.yaml:5: sensors[1] (\"X\"): id \"X\" is the wire_id of the sensor at line 2"},
    {"wire4.json", "{\"sensors\": [{\"id\": \"A\", \"kind\": \"adsb\", \"wire_id\": 12}]}",
     "wire4.json: sensors[0] (\"A\"): \"wire_id\" must be a string, not a number"},
    {"noid.yaml", "sensors:\n  - id: A\n    kind: adsb\n  - kind: rf\n    lat_deg: 1\n",
     "noid.yaml:4: sensors[1]: missing \"id\""},
    {"num.yaml", "sensors:\n  - id: A\n    kind: adsb\n    max_range_m: 12km\n",
     "num.yaml:4: sensors[0] (\"A\"): \"max_range_m\" must be a number, not \"12km\""},
    {"quoted.yaml", "sensors:\n  - id: A\n    kind: adsb\n    pd: \"0.9\"\n",
     "quoted.yaml:4: sensors[0] (\"A\"): \"pd\" must be a number, not \"0.9\""},
    {"range.yaml", "sensors:\n  - id: A\n    kind: adsb\n    pd: 1.5\n",
     "range.yaml:4: sensors[0] (\"A\"): \"pd\" out of range: 1.5 (expected 0 to 1)"},
    {"key.yaml", "sensors:\n  - id: A\n    kind: adsb\n    sigma:\n      pos_m: 3\n      az_dg: 1\n",
     "key.yaml:6: sensors[0] (\"A\"): unknown key \"sigma.az_dg\""},
    {"typo.yaml", "sensors:\n  - id: A\n    kind: adsb\n    max_rang_m: 5\n",
     "typo.yaml:4: sensors[0] (\"A\"): unknown key \"max_rang_m\""},
    {"site.yaml", "sensors:\n  - id: R\n    kind: radar\n",
     "site.yaml:2: sensors[0] (\"R\"): a radar sensor needs its site: \"lat_deg\" and \"lon_deg\""},
    {"syntax.yaml", "sensors:\n  - id: A\n   kind: adsb\n", "syntax.yaml:3:"},
    {"tab.yaml", "sensors:\n\t- id: A\n", "tab.yaml:2:"},
    {"alias.yaml", "base: &b {kind: adsb}\nsensors:\n  - *b\n",
     "alias.yaml:3:5: aliases (*b) are not supported"},
    {"dupkey.yaml", "sensors:\n  - id: A\n    kind: adsb\n    id: B\n",
     "dupkey.yaml:4:5: duplicate key \"id\""},
    {"nolist.yaml", "sensor:\n  - id: A\n", "nolist.yaml: missing \"sensors\""},
    {"notmap.yaml", "- id: A\n", "notmap.yaml:1: the top level must be a mapping"},
    {"entry.yaml", "sensors:\n  - radar\n", "entry.yaml:2: sensors[0] must be a mapping"},
    {"empty.yaml", "# nothing\n", "empty.yaml: empty document"},
    {"syntax.json", "{\"sensors\": [\n  {\"id\": \"A\",\n   \"kind\": \"adsb\"\n   \"pd\": 1}\n]}\n",
     "syntax.json:4:"},
    {"kind.json", "{\"sensors\": [{\"id\": \"A\", \"kind\": \"sonar\"}]}",
     "kind.json: sensors[0] (\"A\"): unknown kind \"sonar\""},
    {"idnum.json", "{\"sensors\": [{\"id\": 7, \"kind\": \"rf\"}]}",
     "idnum.json: sensors[0]: \"id\" must be a string of 1 to 47 characters"},
};

static void bad_sensor_files_say_where(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
        const struct bad_file *b = &bad_files[i];
        const char *path = write_tmp(b->name, b->text);
        dw_sensor *s = (dw_sensor *)(uintptr_t)0x1;
        size_t n = 77;
        char err[512] = "";
        dw_status st = dw_sensors_load(path, &s, &n, err, sizeof err);
        assert_int_equal(st, DW_ERR_PARSE);
        assert_true(s == (dw_sensor *)(uintptr_t)0x1 && n == 77); /* untouched */
        /* The path is the tmp dir's; the rest must match. */
        const char *rel = strstr(err, b->name);
        if (!rel || rel != err + (strlen(path) - strlen(b->name)) ||
            strncmp(rel, b->want, strlen(b->want)) != 0)
            fail_msg("%s:\n  got  %s\n  want %s...", b->name, err, b->want);
        unlink(path);
    }

    /* Nesting is bounded, so hostile input cannot exhaust the stack. */
    char deep[300] = "sensors: ";
    for (int i = 0; i < 100; i++)
        strcat(deep, "[");
    char err[256];
    dw_sensor *s;
    size_t n;
    assert_int_equal(dw_sensors_load_mem(deep, strlen(deep), "deep.yaml", &s, &n, err, sizeof err),
                     DW_ERR_PARSE);
    assert_string_equal(err, "deep.yaml:1:73: nested deeper than 64 levels");
}

static void missing_file(void **state)
{
    (void)state;
    dw_sensor *s;
    size_t n;
    char err[256];
    assert_int_equal(dw_sensors_load("/nonexistent/sensors.yaml", &s, &n, err, sizeof err),
                     DW_ERR_NOT_FOUND);
    assert_string_equal(err, "/nonexistent/sensors.yaml: No such file or directory");
    assert_int_equal(dw_sensors_load(NULL, &s, &n, err, sizeof err), DW_ERR_INVALID);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(yaml_sensors_file),
    cmocka_unit_test(json_sensors_file),
    cmocka_unit_test(format_by_content),
    cmocka_unit_test(find_by_id),
    cmocka_unit_test(find_by_wire_id),
    cmocka_unit_test(yaml_scalars_become_json),
    cmocka_unit_test(bad_sensor_files_say_where),
    cmocka_unit_test(missing_file),
};

DW_TEST_MAIN("sensors_file", tests)

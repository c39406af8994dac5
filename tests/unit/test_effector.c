/* test_effector.c — the effector catalogue: the shipped file, per-kind defaults, and the
 * messages a bad file gets (exact, with file and line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/effector.h"
#include "harness.h"

static void shipped_config_loads(void **state)
{
    (void)state;
    dw_effector *list = NULL;
    size_t n = 0;
    char err[512] = "";
    dw_status s = dw_effectors_load(DW_SOURCE_DIR "/config/effectors.yaml", &list, &n, err,
                                    sizeof err);
    if (s != DW_OK)
        fail_msg("%s", err);
    assert_int_equal(n, 21);
    int per_kind[DW_EFF_NKINDS] = {0};
    for (size_t i = 0; i < n; i++) {
        per_kind[list[i].kind]++;
        assert_true(list[i].line > 0);
        assert_true(list[i].name[0]);
        assert_true(list[i].site.lat_deg > 49 && list[i].site.lat_deg < 55);
        assert_true(list[i].site.lon_deg > 14 && list[i].site.lon_deg < 25);
    }
    assert_int_equal(per_kind[DW_EFF_FIGHTER_CAP] + per_kind[DW_EFF_FIGHTER_QRA], 4);
    assert_int_equal(per_kind[DW_EFF_SAM_LONG], 1);
    assert_int_equal(per_kind[DW_EFF_SAM_MEDIUM], 1);
    assert_int_equal(per_kind[DW_EFF_GUN], 3);
    assert_int_equal(per_kind[DW_EFF_MANPADS], 6);
    assert_int_equal(per_kind[DW_EFF_INTERCEPTOR_DRONE], 4);
    assert_int_equal(per_kind[DW_EFF_JAMMER], 2);
    assert_string_equal(list[0].id, "cap-f35-1");
    assert_string_equal(list[0].owner, "NL");
    assert_near(list[0].orbit_radius_m, 30000, 0);
    assert_near(list[0].cost_per_shot_eur, 400000, 0);
    /* An entry that says only kind and site takes the kind's defaults. */
    const dw_effector *m = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i].id, "manpads-zamosc"))
            m = &list[i];
    assert_non_null(m);
    assert_near(m->max_range_m, 6500, 0);
    assert_near(m->site.lat_deg, 50.7231, 1e-12);
    dw_effectors_free(list);
}

static void defaults_apply(void **state)
{
    (void)state;
    const char *yaml = "effectors:\n"
                       "  - {id: m1, kind: manpads, lat: 51, lon: 23}\n"
                       "  - id: d1\n"
                       "    kind: interceptor_drone\n"
                       "    lat: 51.5\n"
                       "    lon: 23.5\n"
                       "    ready_in_min: 5\n"
                       "    pk: {decoy: 0.5}\n";
    dw_effector *list = NULL;
    size_t n = 0;
    char err[512] = "";
    dw_status s = dw_effectors_load_mem(yaml, strlen(yaml), "t.yaml", &list, &n, err, sizeof err);
    if (s != DW_OK)
        fail_msg("%s", err);
    assert_int_equal(n, 2);
    dw_effector def;
    assert_int_equal(dw_effector_defaults(DW_EFF_MANPADS, &def), DW_OK);
    assert_string_equal(list[0].name, "m1");
    assert_int_equal(list[0].kind, DW_EFF_MANPADS);
    assert_near(list[0].min_range_m, 400, 0);
    assert_near(list[0].max_range_m, 6500, 0);
    assert_near(list[0].min_alt_m, 10, 0);
    assert_near(list[0].max_alt_m, 4000, 0);
    assert_near(list[0].reaction_s, 30, 0);
    assert_int_equal(list[0].magazine, def.magazine);
    assert_near(list[0].pk[DW_CLASS_OWA_DRONE], def.pk[DW_CLASS_OWA_DRONE], 0);
    assert_int_equal(list[0].line, 2);
    assert_near(list[1].ready_in_s, 300, 0);
    assert_near(list[1].speed_mps, 80, 0);
    assert_near(list[1].pk[DW_CLASS_DECOY], 0.5, 0);
    assert_near(list[1].pk[DW_CLASS_OWA_DRONE], 0.68, 0);
    assert_int_equal(list[1].line, 3);
    dw_effectors_free(list);
    /* Every kind has a name, a default and a round trip. */
    for (int k = 0; k < DW_EFF_NKINDS; k++) {
        dw_effector_kind back;
        assert_int_equal(dw_effector_kind_parse(dw_effector_kind_name((dw_effector_kind)k), &back), 0);
        assert_int_equal(back, k);
        assert_int_equal(dw_effector_defaults((dw_effector_kind)k, &def), DW_OK);
        assert_true(def.max_range_m > def.min_range_m);
        assert_true(def.max_alt_m > def.min_alt_m);
    }
    assert_int_equal(dw_effector_defaults(DW_EFF_NKINDS, &def), DW_ERR_INVALID);
}

typedef struct bad_case {
    const char *text;
    const char *msg;                    /* exact, or a prefix when it ends in '*' */
} bad_case;

static const bad_case bad[] = {
    {"effectors: 3\n", "bad.yaml:1: effectors: expected a list, got a number"},
    {"fleet: []\n", "bad.yaml:1: top level: unknown key 'fleet' (known: effectors)"},
    {"effectors:\n  - gun\n", "bad.yaml:2: effectors[0]: expected a mapping, got a string"},
    {"effectors:\n  - {id: a, kind: tank, lat: 1, lon: 2}\n",
     "bad.yaml:2: effectors[0] 'a': kind: unknown kind 'tank' (known: fighter_cap, fighter_qra, "
     "sam_long, sam_medium, gun, manpads, interceptor_drone, jammer)"},
    {"effectors:\n  - {id: a, lat: 1, lon: 2}\n", "bad.yaml:2: effectors[0] 'a': kind is required"},
    {"effectors:\n  - id: a\n    kind: 7\n    lat: 1\n    lon: 2\n",
     "bad.yaml:3: effectors[0] 'a': kind: expected a string, got a number"},
    {"effectors:\n  - id: a\n    kind: jammer\n    lat: 1\n    lon: 2\n    pk: high\n",
     "bad.yaml:6: effectors[0] 'a': pk: expected a mapping of class: probability, got a string"},
    {"effectors:\n  - id: a\n    kind: gun\n    lat: 1\n    lon: 2\n    rnage_m: 5\n",
     "bad.yaml:6: effectors[0] 'a': unknown key 'rnage_m' (known: id, name, owner, kind, lat,*"},
    {"effectors:\n  - id: a\n    kind: gun\n    lon: 2\n", "bad.yaml:2: effectors[0] 'a': lat is required"},
    {"effectors:\n  - id: a\n    kind: gun\n    lat: 1\n    lon: 2\n    max_range_m: far\n",
     "bad.yaml:6: effectors[0] 'a': max_range_m: expected a number, got a string"},
    {"effectors:\n  - id: a\n    kind: gun\n    lat: 95\n    lon: 2\n",
     "bad.yaml:4: effectors[0] 'a': lat: 95 is outside -90 .. 90"},
    {"effectors:\n  - id: a\n    kind: gun\n    lat: 1\n    lon: 2\n    magazine: 2.5\n",
     "bad.yaml:6: effectors[0] 'a': magazine: expected a whole number, got 2.5"},
    {"effectors:\n  - id: a\n    kind: gun\n    lat: 1\n    lon: 2\n    pk:\n      decoy: 1.5\n",
     "bad.yaml:7: effectors[0] 'a': pk.decoy: 1.5 is outside 0 .. 1"},
    {"effectors:\n  - id: a\n    kind: gun\n    lat: 1\n    lon: 2\n    pk:\n      shahed: 0.5\n",
     "bad.yaml:7: effectors[0] 'a': pk: unknown class 'shahed' (known: unknown, owa_drone, decoy, "
     "quadcopter, helicopter, airliner, light_aircraft, fighter, bird)"},
    {"effectors:\n  - {id: a, kind: gun, lat: 1, lon: 2}\n  - {id: a, kind: gun, lat: 1, lon: 2}\n",
     "bad.yaml:3: effectors[1] 'a': id: duplicate of effectors[0] (line 2)"},
    {"effectors:\n  - {id: a, kind: gun, lat: 1, lon: 2, min_range_m: 5000}\n",
     "bad.yaml:2: effectors[0] 'a': min_range_m 5000 is above max_range_m 4000"},
    {"effectors:\n  - id: c\n    kind: fighter_cap\n    lat: 1\n    lon: 2\n    orbit_radius_m: 0\n",
     "bad.yaml:6: effectors[0] 'c': orbit_radius_m: a CAP needs an orbit (above 0)"},
    {"effectors:\n  - id: g\n    kind: gun\n    lat: 1\n    lon: 2\n    orbit_radius_m: 100\n",
     "bad.yaml:6: effectors[0] 'g': orbit_radius_m: only a fighter_cap has an orbit"},
};

static void bad_files_give_exact_messages(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dw_effector *list = (dw_effector *)(void *)&list; /* a sentinel: must stay */
        dw_effector *const sentinel = list;
        size_t n = 777;
        char err[1024] = "";
        dw_status s = dw_effectors_load_mem(bad[i].text, strlen(bad[i].text), "bad.yaml", &list,
                                            &n, err, sizeof err);
        if (s != DW_ERR_PARSE)
            fail_msg("case %zu: status %s, err '%s'", i, dw_status_name(s), err);
        assert_ptr_equal(list, sentinel);
        assert_int_equal(n, 777);
        size_t len = strlen(bad[i].msg);
        int prefix = bad[i].msg[len - 1] == '*';
        if (prefix ? strncmp(err, bad[i].msg, len - 1) : strcmp(err, bad[i].msg))
            fail_msg("case %zu:\n got: %s\nwant: %s", i, err, bad[i].msg);
    }
}

static void json_catalogue(void **state)
{
    (void)state;
    const char *ok = "{\"effectors\": [{\"id\": \"g\", \"kind\": \"gun\", \"lat\": 51, \"lon\": 23}]}";
    dw_effector *list = NULL;
    size_t n = 0;
    char err[512] = "";
    assert_int_equal(dw_effectors_load_mem(ok, strlen(ok), "c.json", &list, &n, err, sizeof err), DW_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].kind, DW_EFF_GUN);
    assert_near(list[0].max_range_m, 4000, 0);
    dw_effectors_free(list);
    /* JSON keeps no positions: the message has no line. */
    const char *badj = "{\"effectors\": [{\"id\": \"g\", \"kind\": \"gun\", \"lat\": 51}]}";
    assert_int_equal(dw_effectors_load_mem(badj, strlen(badj), "c.json", &list, &n, err, sizeof err),
                     DW_ERR_PARSE);
    assert_string_equal(err, "c.json: effectors[0] 'g': lon is required");
}

static void missing_file_names_path(void **state)
{
    (void)state;
    dw_effector *list = NULL;
    size_t n = 0;
    char err[512] = "";
    dw_status s = dw_effectors_load("/nonexistent/effectors.yaml", &list, &n, err, sizeof err);
    assert_int_not_equal(s, DW_OK);
    assert_null(list);
    assert_true(!strncmp(err, "/nonexistent/effectors.yaml", 27));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_config_loads),
        cmocka_unit_test(defaults_apply),
        cmocka_unit_test(bad_files_give_exact_messages),
        cmocka_unit_test(json_catalogue),
        cmocka_unit_test(missing_file_names_path),
    };
    return dw_test_run("effector", tests, sizeof tests / sizeof tests[0], argc, argv);
}

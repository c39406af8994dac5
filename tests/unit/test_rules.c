/* Identification rules (rules.h): every condition holds when it should and only then,
 * the first matching rule decides, identities only go up unless a rule may lower them
 * (so a flickering fact never makes a track oscillate), every way a file can be wrong
 * is refused with its file:line and what is wrong (and loads nothing), site kinds and
 * countries are checked against the geography, and the shipped
 * config/identification.yaml loads against the real geography and identifies the
 * September night's objects as an operator expects. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geog.h"
#include "dronewall/rules.h"

#define T0_US 1757451000000000LL

/* A small geography: two countries and three sites, one of each kind used. */
static const char geo_text[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"PL\",\"kind\":\"country\",\"country\":\"PL\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[14,49],[24,49],[24,55],[14,55],[14,49]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"BY\",\"kind\":\"country\",\"country\":\"BY\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[24,51],[32,51],[32,56],[24,56],[24,51]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"EPWA\",\"kind\":\"airport\",\"country\":\"PL\","
    "\"radius_m\":10000},\"geometry\":{\"type\":\"Point\",\"coordinates\":[20.97,52.17]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"MIL-DEBLIN\",\"kind\":\"base\",\"country\":\"PL\","
    "\"radius_m\":8000},\"geometry\":{\"type\":\"Point\",\"coordinates\":[21.89,51.55]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"CITY-LUBLIN\",\"kind\":\"city\",\"country\":\"PL\","
    "\"radius_m\":12000},\"geometry\":{\"type\":\"Point\",\"coordinates\":[22.57,51.25]}}]}";

static dw_geog *small_geo(void)
{
    dw_geog *g;
    char err[256];
    assert_int_equal(dw_geog_create(&g), DW_OK);
    dw_status st =
        dw_geog_load_mem(g, geo_text, strlen(geo_text), "small.geojson", err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    return g;
}

static int site(const dw_geog *g, const char *id)
{
    int i = dw_geog_find(g, id);
    assert_true(i >= 0);
    return i;
}

/* Facts of a plain track: nothing true, nothing known. */
static dw_assess_facts facts(void)
{
    dw_assess_facts f;
    memset(&f, 0, sizeof f);
    f.track_id = 7;
    f.t_us = T0_US;
    f.cls = DW_CLASS_UNKNOWN;
    f.cross_eta_us = INT64_MIN;
    f.crossed_us = INT64_MIN;
    f.affiliation = DW_AFF_PENDING;
    for (int i = 0; i < 8; i++)
        f.threatened_eta_us[i] = INT64_MIN;
    return f;
}

static dw_rules *load(const char *text, const dw_geog *g)
{
    dw_rules *r = NULL;
    char err[512] = "";
    dw_status st = dw_rules_load_mem(text, strlen(text), "test.yaml", g, &r, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "unexpected: %s\n", err);
    assert_int_equal(st, DW_OK);
    assert_non_null(r);
    return r;
}

/* A file that must be refused: DW_ERR_PARSE, *out untouched, and a message that holds
 * each of the expected pieces. */
static void refused(const char *text, const dw_geog *g, const char *want1, const char *want2)
{
    dw_rules *sentinel = (dw_rules *)(uintptr_t)0x1;
    dw_rules *r = sentinel;
    char err[512] = "";
    dw_status st = dw_rules_load_mem(text, strlen(text), "test.yaml", g, &r, err, sizeof err);
    if (st != DW_ERR_PARSE || r != sentinel || !strstr(err, want1) ||
        (want2 && !strstr(err, want2))) {
        fprintf(stderr, "status %s, message \"%s\"; wanted \"%s\"%s%s%s\n", dw_status_name(st),
                err, want1, want2 ? " and \"" : "", want2 ? want2 : "", want2 ? "\"" : "");
        fail();
    }
    if (getenv("DW_TEST_VERBOSE"))
        fprintf(stderr, "refused: %s\n", err);
}

/* ------------------------------------------------------------------ conditions */

/* One rule with one condition: holds for yes, not for no. */
static void cond_case(const char *cond, const dw_geog *g, const dw_assess_facts *yes,
                      const dw_assess_facts *no)
{
    char text[512];
    snprintf(text, sizeof text, "rules:\n  - name: r\n    when: {%s}\n    set: suspect\n", cond);
    dw_rules *r = load(text, g);
    int rule = 99;
    dw_affiliation a = dw_rules_apply(r, yes, &rule);
    if (rule != 0 || a != DW_AFF_SUSPECT) {
        fprintf(stderr, "condition {%s} did not hold where it should\n", cond);
        fail();
    }
    a = dw_rules_apply(r, no, &rule);
    if (rule != -1 || a != no->affiliation) {
        fprintf(stderr, "condition {%s} held where it should not\n", cond);
        fail();
    }
    dw_rules_destroy(r);
}

static void each_condition_holds_when_it_should(void **state)
{
    (void)state;
    dw_geog *g = small_geo();
    dw_assess_facts y = facts(), n = facts();

    y.cls = DW_CLASS_DECOY;
    n.cls = DW_CLASS_BIRD;
    cond_case("class: [decoy, owa_drone]", g, &y, &n);
    cond_case("class: decoy", g, &y, &n);                      /* one word alone */
    cond_case("class_not: [bird, airliner]", g, &y, &n);

    y = facts(), n = facts();
    y.class_prob = 0.8;
    n.class_prob = 0.6;
    cond_case("min_class_prob: 0.7", g, &y, &n);

    y = facts(), n = facts();
    y.drone_prob = 0.5;
    n.drone_prob = 0.49;
    cond_case("drone: true", g, &y, &n);                       /* 0.5 by default */
    cond_case("drone: false", g, &n, &y);
    y.drone_prob = 0.9;
    n.drone_prob = 0.85;
    cond_case("drone: true, drone_prob_min: 0.9", g, &y, &n);

    y = facts(), n = facts();
    y.cooperative = 1;
    cond_case("cooperative: true", g, &y, &n);
    cond_case("cooperative: false", g, &n, &y);
    y = facts(), n = facts();
    y.has_squawk = 1;
    cond_case("has_squawk: true", g, &y, &n);
    cond_case("has_squawk: false", g, &n, &y);

    y = facts(), n = facts();
    memcpy(y.origin, "BY", 3);
    memcpy(n.origin, "PL", 3);
    cond_case("origin: [BY]", g, &y, &n);
    cond_case("origin_not: [PL]", g, &y, &n);
    dw_assess_facts sea = facts();          /* first seen outside every country */
    cond_case("origin_not: [PL]", g, &sea, &n);
    cond_case("origin: [BY, PL]", g, &n, &sea);

    y = facts(), n = facts();
    memcpy(y.now_in, "PL", 3);
    memcpy(n.now_in, "BY", 3);
    cond_case("now_in: [PL]", g, &y, &n);
    cond_case("now_in_not: [BY]", g, &y, &n);

    y = facts(), n = facts();
    y.inside_home = 1;
    cond_case("inside_home: true", g, &y, &n);
    cond_case("inside_home: false", g, &n, &y);
    y = facts(), n = facts();
    y.crossed_into_home = 1;
    y.crossed_us = T0_US - 1000000;
    cond_case("crossed_into_home: true", g, &y, &n);
    cond_case("crossed_into_home: false", g, &n, &y);

    y = facts(), n = facts();
    y.cross_eta_us = T0_US + 300 * 1000000LL;
    n.cross_eta_us = T0_US + 301 * 1000000LL;
    cond_case("cross_within_s: 300", g, &y, &n);
    n.cross_eta_us = INT64_MIN;                                /* no crossing ahead */
    cond_case("cross_within_s: 300", g, &y, &n);

    dw_assess_facts none0 = facts();
    y = facts(), n = facts();
    y.n_threatened = 2;
    y.threatened[0] = site(g, "CITY-LUBLIN");
    y.threatened[1] = site(g, "EPWA");
    y.threatened_eta_us[0] = T0_US + 200 * 1000000LL;
    y.threatened_eta_us[1] = T0_US + 1200 * 1000000LL;
    n.n_threatened = 1;
    n.threatened[0] = site(g, "MIL-DEBLIN");
    n.threatened_eta_us[0] = T0_US + 100 * 1000000LL;
    cond_case("threatens: [airport]", g, &y, &n);
    cond_case("threatens: [airport, city]", g, &y, &n);
    cond_case("threatens: [city], threatens_within_s: 300", g, &y, &n);
    dw_assess_facts soon = facts(), late = facts();
    soon.n_threatened = late.n_threatened = 1;
    soon.threatened[0] = late.threatened[0] = site(g, "EPWA");
    soon.threatened_eta_us[0] = T0_US + 500 * 1000000LL;
    late.threatened_eta_us[0] = T0_US + 1200 * 1000000LL;    /* the airport, but late */
    cond_case("threatens: [airport], threatens_within_s: 600", g, &soon, &late);
    late.threatened_eta_us[0] = INT64_MIN;                     /* reached, when unknown */
    cond_case("threatens: [airport], threatens_within_s: 600", g, &soon, &late);
    cond_case("threatens: [airport]", g, &late, &none0);
    dw_assess_facts none = facts();
    cond_case("threatens: any", g, &n, &none);
    dw_assess_facts bad = facts();                             /* indices not in the store */
    bad.n_threatened = 2;
    bad.threatened[0] = -1;
    bad.threatened[1] = 999;
    cond_case("threatens: any", g, &n, &bad);

    y = facts(), n = facts();
    y.affiliation = DW_AFF_SUSPECT;
    n.affiliation = DW_AFF_UNKNOWN;
    cond_case("affiliation: [suspect]", g, &y, &n);

    y = facts(), n = facts();
    y.speed_mps = 150 / 3.6;
    n.speed_mps = 100 / 3.6;
    cond_case("min_speed_kmh: 120", g, &y, &n);
    cond_case("max_speed_kmh: 120", g, &n, &y);
    cond_case("min_speed_kmh: 120, max_speed_kmh: 200", g, &y, &n);
    y = facts(), n = facts();
    y.alt_m = 2000;
    n.alt_m = 5000;
    cond_case("max_alt_m: 3000", g, &y, &n);
    cond_case("min_alt_m: 3000", g, &n, &y);
    y = facts(), n = facts();
    y.threat_score = 0.7;
    n.threat_score = 0.69;
    cond_case("threat_score_min: 0.7", g, &y, &n);

    /* All conditions of a rule must hold. */
    y = facts();
    y.cls = DW_CLASS_DECOY;
    y.drone_prob = 0.9;
    memcpy(y.origin, "BY", 3);
    n = y;
    n.cooperative = 1;
    cond_case("drone: true, cooperative: false, origin_not: [PL], class: [decoy]", g, &y, &n);
    dw_geog_destroy(g);
}

static void no_conditions_always_hold(void **state)
{
    (void)state;
    dw_rules *r = load("rules:\n  - name: all\n    set: unknown\n"
                       "  - name: never-reached\n    when: {}\n    set: hostile\n", NULL);
    dw_assess_facts f = facts();
    int rule;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_UNKNOWN);
    assert_int_equal(rule, 0);
    dw_rules_destroy(r);
    r = load("rules:\n  - name: empty-when\n    when: {}\n    set: suspect\n", NULL);
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_SUSPECT);
    dw_rules_destroy(r);
    r = load("rules:\n  - name: null-when\n    when:\n    set: suspect\n", NULL);
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_SUSPECT);
    dw_rules_destroy(r);
}

static void threatens_needs_geography(void **state)
{
    (void)state;
    /* Without a store the kinds are checked for form only, and nothing is threatened. */
    dw_rules *r = load("rules:\n  - name: r\n    when: {threatens: [airport, no_such_kind]}\n"
                       "    set: hostile\n", NULL);
    dw_assess_facts f = facts();
    f.n_threatened = 1;
    f.threatened[0] = 0;
    int rule;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_PENDING);
    assert_int_equal(rule, -1);
    dw_rules_destroy(r);
    /* Countries too: form only. */
    r = load("rules:\n  - name: r\n    when: {origin: [XX]}\n    set: suspect\n", NULL);
    memcpy(f.origin, "XX", 3);
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_SUSPECT);
    dw_rules_destroy(r);
}

/* ------------------------------------------------------------------ order and levels */

static void first_match_decides(void **state)
{
    (void)state;
    const char *a = "rules:\n"
                    "  - name: neutral-first\n    when: {class: [airliner]}\n    set: neutral\n"
                    "  - name: suspect-second\n    when: {drone: false}\n    set: suspect\n";
    const char *b = "rules:\n"
                    "  - name: suspect-first\n    when: {drone: false}\n    set: suspect\n"
                    "  - name: neutral-second\n    when: {class: [airliner]}\n    set: neutral\n";
    dw_assess_facts f = facts();
    f.cls = DW_CLASS_AIRLINER;
    int rule;
    dw_rules *r = load(a, NULL);
    assert_int_equal(dw_rules_count(r), 2);
    assert_string_equal(dw_rules_name(r, 0), "neutral-first");
    assert_int_equal(dw_rules_line(r, 0), 2);
    assert_int_equal(dw_rules_line(r, 1), 5);
    assert_null(dw_rules_name(r, 2));
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_NEUTRAL);
    assert_int_equal(rule, 0);
    dw_rules_destroy(r);
    r = load(b, NULL);
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_SUSPECT);
    assert_int_equal(rule, 0);
    /* A bird matches only the second of b. */
    f.cls = DW_CLASS_BIRD;
    f.drone_prob = 0.9;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_PENDING);
    assert_int_equal(rule, -1);
    dw_rules_destroy(r);
}

static void identities_only_go_up(void **state)
{
    (void)state;
    assert_int_equal(dw_affiliation_level(DW_AFF_PENDING), 0);
    assert_int_equal(dw_affiliation_level(DW_AFF_UNKNOWN), 0);
    assert_int_equal(dw_affiliation_level(DW_AFF_FRIEND), 1);
    assert_int_equal(dw_affiliation_level(DW_AFF_ASSUMED_FRIEND), 1);
    assert_int_equal(dw_affiliation_level(DW_AFF_NEUTRAL), 1);
    assert_int_equal(dw_affiliation_level(DW_AFF_SUSPECT), 2);
    assert_int_equal(dw_affiliation_level(DW_AFF_HOSTILE), 3);

    dw_rules *r = load("rules:\n"
                       "  - name: drones-are-suspect\n    when: {drone: true}\n    set: suspect\n"
                       "  - name: rest\n    set: unknown\n", NULL);
    dw_assess_facts f = facts();
    f.drone_prob = 0.9;
    f.affiliation = DW_AFF_HOSTILE;
    dw_rules_result res;
    dw_rules_eval(r, &f, &res);
    assert_int_equal(res.affiliation, DW_AFF_HOSTILE);     /* not lowered */
    assert_int_equal(res.rule, -1);
    assert_int_equal(res.matched, 0);
    assert_int_equal(res.held, 1);
    int rule;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_HOSTILE);
    assert_int_equal(rule, -1);
    /* The held first match decides: "rest" is not consulted (it would lower too). */
    f.drone_prob = 0.1;
    dw_rules_eval(r, &f, &res);
    assert_int_equal(res.matched, 1);
    assert_int_equal(res.held, 1);
    assert_int_equal(res.affiliation, DW_AFF_HOSTILE);
    /* Undecided identities are replaced by anything; same level moves sideways. */
    f.affiliation = DW_AFF_NEUTRAL;
    dw_rules_eval(r, &f, &res);
    assert_int_equal(res.affiliation, DW_AFF_NEUTRAL);     /* unknown is below neutral */
    assert_int_equal(res.held, 1);
    f.affiliation = DW_AFF_PENDING;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_UNKNOWN);
    assert_int_equal(rule, 1);
    dw_rules_destroy(r);

    r = load("rules:\n  - name: mil\n    when: {has_squawk: true}\n    set: assumed_friend\n",
             NULL);
    f = facts();
    f.has_squawk = 1;
    f.affiliation = DW_AFF_NEUTRAL;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_ASSUMED_FRIEND);
    assert_int_equal(rule, 0);
    dw_rules_destroy(r);

    /* may_lower lets a rule take one down. */
    r = load("rules:\n  - name: operator-cleared\n    when: {cooperative: true}\n"
             "    set: neutral\n    may_lower: true\n    note: an operator's decision\n", NULL);
    f = facts();
    f.cooperative = 1;
    f.affiliation = DW_AFF_HOSTILE;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_NEUTRAL);
    assert_int_equal(rule, 0);
    dw_rules_destroy(r);
}

static void a_flickering_fact_does_not_oscillate(void **state)
{
    (void)state;
    /* A decoy from Belarus, assessed once a second. It crosses at t = 10; its path
     * reaches Lublin from t = 12 on, but the prediction drops the site every third
     * update, and its drone probability dips under 0.5 now and then. Its identity goes
     * pending -> suspect -> hostile and stays there: two changes, never back. */
    dw_geog *g = small_geo();
    dw_rules *r = load("rules:\n"
                       "  - name: hostile\n    when: {drone: true, affiliation: [suspect],"
                       " crossed_into_home: true, threatens: [city, airport]}\n    set: hostile\n"
                       "  - name: suspect\n    when: {drone: true, cooperative: false,"
                       " origin_not: [PL]}\n    set: suspect\n"
                       "  - name: rest\n    set: unknown\n", g);
    dw_assess_facts f = facts();
    f.cls = DW_CLASS_DECOY;
    memcpy(f.origin, "BY", 3);
    f.affiliation = DW_AFF_PENDING;
    int changes = 0;
    dw_affiliation seen[4] = {0};
    for (int k = 0; k < 60; k++) {
        f.t_us = T0_US + k * 1000000LL;
        f.drone_prob = (k % 7 == 3) ? 0.4 : 0.85;
        f.crossed_into_home = k >= 10;
        f.n_threatened = (k >= 12 && k % 3 != 0) ? 1 : 0;
        f.threatened[0] = site(g, "CITY-LUBLIN");
        f.threatened_eta_us[0] = f.t_us + 600 * 1000000LL;
        int rule;
        dw_affiliation a = dw_rules_apply(r, &f, &rule);
        if (a != f.affiliation) {
            assert_true(changes < 4);
            seen[changes++] = a;
            assert_true(dw_affiliation_level(a) >= dw_affiliation_level(f.affiliation));
        }
        f.affiliation = a;
    }
    assert_int_equal(changes, 2);
    assert_int_equal(seen[0], DW_AFF_SUSPECT);
    assert_int_equal(seen[1], DW_AFF_HOSTILE);
    assert_int_equal(f.affiliation, DW_AFF_HOSTILE);
    dw_rules_destroy(r);
    dw_geog_destroy(g);
}

/* ------------------------------------------------------------------ errors */

static void every_error_is_refused_with_its_line(void **state)
{
    (void)state;
    dw_geog *g = small_geo();
    /* Structure. */
    refused("[1, 2]\n", NULL, "test.yaml:1:", "top level must be a mapping");
    refused("rules: []\nextra: 1\n", NULL, "test.yaml:2: ", "unknown key \"extra\"");
    refused("other: 1\n", NULL, "test.yaml:1: ", "unknown key \"other\"");
    refused("{}\n", NULL, "test.yaml: missing \"rules\"", NULL);
    refused("rules: 5\n", NULL, "test.yaml:1: ", "\"rules\" must be a list");
    refused("rules:\n  - 5\n", NULL, "test.yaml:2: rules[0]: ", "a rule is a mapping");
    refused("rules:\n  - name: a\n    set: suspect\n    whne: {}\n", NULL,
            "test.yaml:4: rules[0]: unknown key \"whne\"", NULL);
    refused("rules:\n  - set: suspect\n", NULL, "test.yaml:2: rules[0]: missing \"name\"", NULL);
    refused("rules:\n  - name: 5\n    set: suspect\n", NULL, "test.yaml:2: rules[0]: ",
            "\"name\" must be a string");
    refused("rules:\n  - name: \"\"\n    set: suspect\n", NULL, "test.yaml:2: ",
            "\"name\" must be a string of 1 to 63");
    refused("rules:\n  - name: a\n    set: suspect\n  - name: b\n    set: hostile\n"
            "  - name: a\n    set: neutral\n", NULL,
            "test.yaml:6: rules[2] (\"a\"): duplicate rule name (first at line 2)", NULL);
    refused("rules:\n  - name: a\n", NULL, "test.yaml:2: rules[0] (\"a\"): missing \"set\"", NULL);
    refused("rules:\n  - name: a\n    set: enemy\n", NULL,
            "test.yaml:3: rules[0] (\"a\"): \"set\": unknown affiliation \"enemy\"",
            "expected one of pending, unknown, assumed_friend, friend, neutral, suspect, hostile");
    refused("rules:\n  - name: a\n    set: [hostile]\n", NULL, "test.yaml:3: ",
            "\"set\" must be an affiliation word");
    refused("rules:\n  - name: a\n    set: pending\n", NULL, "test.yaml:3: ",
            "pending means not yet assessed");
    refused("rules:\n  - name: a\n    set: neutral\n    may_lower: yes\n", NULL,
            "test.yaml:4: ", "\"may_lower\" must be true or false");
    refused("rules:\n  - name: a\n    set: neutral\n    note: [x]\n", NULL, "test.yaml:4: ",
            "\"note\" must be a string");
    refused("rules:\n  - name: a\n    set: neutral\n    when: [drone]\n", NULL,
            "test.yaml:4: ", "\"when\" must be a mapping");
    /* Conditions. */
    refused("rules:\n  - name: a\n    set: neutral\n    when:\n      drones: true\n", NULL,
            "test.yaml:5: rules[0] (\"a\"): unknown condition \"when.drones\"", "known: class,");
    refused("rules:\n  - name: a\n    set: neutral\n    when:\n      class: [airliner,\n"
            "              drone]\n", NULL,
            "test.yaml:6: rules[0] (\"a\"): \"when.class\": unknown class \"drone\"",
            "expected one of unknown, owa_drone, decoy");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {class_not: [plane]}\n", NULL,
            "test.yaml:4: ", "unknown class \"plane\"");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {affiliation: [enemy]}\n", NULL,
            "test.yaml:4: ", "\"when.affiliation\": unknown affiliation \"enemy\"");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {origin: [Poland]}\n", NULL,
            "test.yaml:4: ", "\"Poland\" is not a country code");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {origin_not: [pl]}\n", NULL,
            "test.yaml:4: ", "\"pl\" is not a country code");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {now_in: [UA]}\n", g,
            "test.yaml:4: ", "unknown country \"UA\" (not in the geography");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {threatens: [Airport]}\n", NULL,
            "test.yaml:4: ", "\"Airport\" is not a site kind");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {threatens: [airprot]}\n", g,
            "test.yaml:4: ", "unknown site kind \"airprot\" (the geography has: country, "
            "airport, base, city)");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {drone: 1}\n", NULL,
            "test.yaml:4: ", "\"when.drone\" must be true or false, not a number");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {cooperative: \"yes\"}\n", NULL,
            "test.yaml:4: ", "\"when.cooperative\" must be true or false, not yes");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {min_alt_m: high}\n", NULL,
            "test.yaml:4: ", "\"when.min_alt_m\" must be a number (metres), not a string");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {threat_score_min: 1.5}\n", NULL,
            "test.yaml:4: ", "\"when.threat_score_min\" out of range: 1.5 (expected 0 to 1)");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {class: []}\n", NULL,
            "test.yaml:4: ", "\"when.class\" is an empty list");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {class: {a: 1}}\n", NULL,
            "test.yaml:4: ", "\"when.class\" takes a list of class words, not a mapping");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {class: [5]}\n", NULL,
            "test.yaml:4: ", "\"when.class\" takes class words, not a number");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {drone_prob_min: 0.7}\n", NULL,
            "test.yaml:4: ", "threshold of \"drone\", which this rule does not have");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {threatens_within_s: 60}\n", NULL,
            "test.yaml:4: ", "needs \"threatens\"");
    refused("rules:\n  - name: a\n    set: neutral\n    when: {min_speed_kmh: 200,"
            " max_speed_kmh: 100}\n", NULL, "test.yaml:4: ", "nothing would match");
    refused("rules:\n  - name: a\n    set: neutral\n    when:\n      max_alt_m: 100\n"
            "      min_alt_m: 200\n", NULL, "test.yaml:6: ", "\"when.min_alt_m\" 200 is above");
    /* A list too long, and too many rules. */
    char big[8192];
    size_t n = (size_t)snprintf(big, sizeof big, "rules:\n  - name: a\n    set: neutral\n"
                                                 "    when: {class: [");
    for (int i = 0; i < DW_RULES_LIST_MAX + 1; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%sbird", i ? ", " : "");
    snprintf(big + n, sizeof big - n, "]}\n");
    refused(big, NULL, "test.yaml:4: ", "lists 33 words; at most 32");
    size_t cap = 64 * (DW_RULES_MAX + 2);
    char *many = malloc(cap);
    assert_non_null(many);
    n = (size_t)snprintf(many, cap, "rules:\n");
    for (int i = 0; i <= DW_RULES_MAX; i++)
        n += (size_t)snprintf(many + n, cap - n, "  - {name: r%d, set: unknown}\n", i);
    refused(many, NULL, "test.yaml:1: ", "1025 rules; at most 1024");
    free(many);
    /* The document reader's own errors come through with their place. */
    refused("rules:\n  - name: a\n    set: [unclosed\n", NULL, "test.yaml:", NULL);
    refused("rules:\n  - &x {name: a, set: neutral}\n  - *x\n", NULL, "test.yaml:3:",
            "aliases");
    refused("rules:\n  - name: a\n    name: b\n    set: neutral\n", NULL, "test.yaml:3:",
            "duplicate key");
    dw_geog_destroy(g);
}

static void json_files_and_missing_ones(void **state)
{
    (void)state;
    const char *j = "{\"rules\":[{\"name\":\"a\",\"when\":{\"drone\":true},\"set\":\"suspect\"}]}";
    dw_rules *r = NULL;
    char err[256];
    assert_int_equal(dw_rules_load_mem(j, strlen(j), "rules.json", NULL, &r, err, sizeof err),
                     DW_OK);
    assert_int_equal(dw_rules_count(r), 1);
    assert_int_equal(dw_rules_line(r, 0), 0);                  /* JSON keeps no lines */
    dw_rules_destroy(r);
    const char *bad = "{\"rules\":[{\"name\":\"a\",\"set\":\"enemy\"}]}";
    dw_rules *keep = (dw_rules *)(uintptr_t)0x1;
    r = keep;
    assert_int_equal(dw_rules_load_mem(bad, strlen(bad), "rules.json", NULL, &r, err, sizeof err),
                     DW_ERR_PARSE);
    assert_ptr_equal(r, keep);
    assert_non_null(strstr(err, "rules.json: rules[0] (\"a\"): \"set\": unknown affiliation"));

    const char *dir = dw_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/none.yaml", dir);
    assert_int_equal(dw_rules_load(path, NULL, &r, err, sizeof err), DW_ERR_NOT_FOUND);
    assert_ptr_equal(r, keep);
    assert_non_null(strstr(err, path));
    snprintf(path, sizeof path, "%s/rules.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("rules:\n  - name: a\n    set: suspect\n    when: {drone: maybe}\n", f);
    fclose(f);
    assert_int_equal(dw_rules_load(path, NULL, &r, err, sizeof err), DW_ERR_PARSE);
    char want[600];
    snprintf(want, sizeof want, "%s:4: rules[0] (\"a\"): \"when.drone\" must be true or false",
             path);
    assert_non_null(strstr(err, want));
    /* No room for a message, no input, nowhere to put the result. */
    assert_int_equal(dw_rules_load(path, NULL, &r, NULL, 0), DW_ERR_PARSE);
    assert_int_equal(dw_rules_load(NULL, NULL, &r, err, sizeof err), DW_ERR_INVALID);
    assert_int_equal(dw_rules_load_mem("x", 1, "x.yaml", NULL, NULL, err, sizeof err),
                     DW_ERR_INVALID);
    assert_int_equal(dw_rules_load_mem(NULL, 3, "x.yaml", NULL, &r, err, sizeof err),
                     DW_ERR_INVALID);
    /* An empty list is a file with no rules: everything stays as it is. */
    r = load("rules: []\n", NULL);
    assert_int_equal(dw_rules_count(r), 0);
    dw_assess_facts fa = facts();
    fa.affiliation = DW_AFF_SUSPECT;
    int rule;
    assert_int_equal(dw_rules_apply(r, &fa, &rule), DW_AFF_SUSPECT);
    assert_int_equal(rule, -1);
    dw_rules_destroy(r);
    /* NULLs. */
    assert_int_equal(dw_rules_apply(NULL, &fa, &rule), DW_AFF_SUSPECT);
    assert_int_equal(dw_rules_apply(NULL, NULL, NULL), DW_AFF_PENDING);
    assert_int_equal(dw_rules_count(NULL), 0);
    assert_null(dw_rules_name(NULL, 0));
    dw_rules_destroy(NULL);
}

/* ------------------------------------------------------------------ the shipped file */

static void shipped_rules_on_the_september_night(void **state)
{
    (void)state;
    dw_geog *g;
    char err[512];
    char path[4096];
    assert_int_equal(dw_geog_create(&g), DW_OK);
    snprintf(path, sizeof path, "%s/data/geo/countries.geojson", DW_SOURCE_DIR);
    assert_int_equal(dw_geog_load(g, path, err, sizeof err), DW_OK);
    snprintf(path, sizeof path, "%s/scenarios/geo/pl-protected.geojson", DW_SOURCE_DIR);
    assert_int_equal(dw_geog_load(g, path, err, sizeof err), DW_OK);

    snprintf(path, sizeof path, "%s/config/identification.yaml", DW_SOURCE_DIR);
    dw_rules *r = NULL;
    dw_status st = dw_rules_load(path, g, &r, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    dw_rules *r0 = NULL;
    assert_int_equal(dw_rules_load(path, NULL, &r0, err, sizeof err), DW_OK);
    assert_int_equal(dw_rules_count(r0), dw_rules_count(r));
    dw_rules_destroy(r0);
    assert_true(dw_rules_count(r) >= 5);

    int rule;
    dw_rules_result res;
#define NAMED(i, s) assert_string_equal(dw_rules_name(r, (size_t)(i)), (s))

    /* An airliner with ADS-B: neutral. */
    dw_assess_facts f = facts();
    f.cls = DW_CLASS_AIRLINER;
    f.class_prob = 0.97;
    f.drone_prob = 0.001;
    f.cooperative = 1;
    memcpy(f.origin, "DE", 3);
    memcpy(f.now_in, "PL", 3);
    f.inside_home = 1;
    f.crossed_into_home = 1;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_NEUTRAL);
    NAMED(rule, "cooperative-civil");
    /* ...also when it had been taken for a suspect before its transponder was read. */
    f.affiliation = DW_AFF_SUSPECT;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_NEUTRAL);
    /* ...but a hostile is the operator's to take down. */
    f.affiliation = DW_AFF_HOSTILE;
    dw_rules_eval(r, &f, &res);
    assert_int_equal(res.affiliation, DW_AFF_HOSTILE);

    /* A Polish F-16 on patrol, squawking: assumed friend. */
    f = facts();
    f.cls = DW_CLASS_FIGHTER;
    f.drone_prob = 0.002;
    f.has_squawk = 1;
    memcpy(f.origin, "PL", 3);
    memcpy(f.now_in, "PL", 3);
    f.inside_home = 1;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_ASSUMED_FRIEND);
    NAMED(rule, "own-military");

    /* A flock of birds near the border: neutral, never a drone alert. */
    f = facts();
    f.cls = DW_CLASS_BIRD;
    f.drone_prob = 0.2;
    memcpy(f.origin, "BY", 3);
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_NEUTRAL);
    NAMED(rule, "birds");

    /* A Gerbera from Belarus: suspect over Belarus, hostile once it has crossed and its
     * path reaches Lublin, and hostile it stays when the prediction loses the city. */
    f = facts();
    f.cls = DW_CLASS_DECOY;
    f.drone_prob = 0.9;
    memcpy(f.origin, "BY", 3);
    memcpy(f.now_in, "BY", 3);
    f.cross_eta_us = T0_US + 120 * 1000000LL;
    f.affiliation = dw_rules_apply(r, &f, &rule);
    assert_int_equal(f.affiliation, DW_AFF_SUSPECT);
    NAMED(rule, "drone-from-across-the-border");
    memcpy(f.now_in, "PL", 3);
    f.inside_home = f.crossed_into_home = 1;
    f.cross_eta_us = INT64_MIN;
    f.n_threatened = 1;
    f.threatened[0] = site(g, "CITY-LUBLIN");
    f.threatened_eta_us[0] = T0_US + 1800 * 1000000LL;
    f.affiliation = dw_rules_apply(r, &f, &rule);
    assert_int_equal(f.affiliation, DW_AFF_HOSTILE);
    NAMED(rule, "crossed-heading-for-a-protected-site");
    f.n_threatened = 0;
    f.drone_prob = 0.45;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_HOSTILE);

    /* A quadcopter launched in Poland near Warsaw's airport: suspect. */
    f = facts();
    f.cls = DW_CLASS_QUADCOPTER;
    f.drone_prob = 0.95;
    memcpy(f.origin, "PL", 3);
    memcpy(f.now_in, "PL", 3);
    f.inside_home = 1;
    f.n_threatened = 1;
    f.threatened[0] = site(g, "EPWA");
    f.threatened_eta_us[0] = T0_US + 300 * 1000000LL;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_SUSPECT);
    NAMED(rule, "drone-near-a-protected-site");

    /* A silent foreign jet that crossed: suspect. Anything else: unknown. */
    f = facts();
    f.cls = DW_CLASS_FIGHTER;
    memcpy(f.origin, "BY", 3);
    f.crossed_into_home = 1;
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_SUSPECT);
    NAMED(rule, "silent-fast-mover-from-across-the-border");
    f = facts();
    f.cls = DW_CLASS_LIGHT_AIRCRAFT;
    memcpy(f.origin, "PL", 3);
    assert_int_equal(dw_rules_apply(r, &f, &rule), DW_AFF_UNKNOWN);
    NAMED(rule, "not-identified");
#undef NAMED
    dw_rules_destroy(r);
    dw_geog_destroy(g);
}

static void vocabulary_is_documented(void **state)
{
    (void)state;
    static char table[8192];
    assert_int_equal(dw_rules_describe(table, 50), 0);
    size_t n = dw_rules_describe(table, sizeof table);
    assert_true(n > 200);
    assert_int_equal(strlen(table), n);
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/identification.md", DW_SOURCE_DIR);
    char *doc = dw_test_read_file(path, NULL);
    if (!strstr(doc, table)) {
        fprintf(stderr, "docs/identification.md does not hold the condition table as "
                        "dw_rules_describe prints it; it should read:\n%s", table);
        fail();
    }
    free(doc);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_condition_holds_when_it_should),
        cmocka_unit_test(no_conditions_always_hold),
        cmocka_unit_test(threatens_needs_geography),
        cmocka_unit_test(first_match_decides),
        cmocka_unit_test(identities_only_go_up),
        cmocka_unit_test(a_flickering_fact_does_not_oscillate),
        cmocka_unit_test(every_error_is_refused_with_its_line),
        cmocka_unit_test(json_files_and_missing_ones),
        cmocka_unit_test(shipped_rules_on_the_september_night),
        cmocka_unit_test(vocabulary_is_documented),
    };
    return dw_test_run("rules", tests, sizeof tests / sizeof tests[0], argc, argv);
}

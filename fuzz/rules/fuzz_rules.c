/* fuzz_rules.c — the identification rules loader (and under it the YAML and JSON
 * document readers) on arbitrary bytes, then the rules it accepts on facts drawn from
 * the same bytes.
 *
 * The bytes go in as YAML and as JSON, without a geography and with a small one (two
 * countries, an airport, a base). Besides the sanitizers' checks: a failure must say
 * which file it was about and leave *out alone; a success must hand back at most
 * DW_RULES_MAX rules with unique, non-empty names, and applying them must give a valid
 * identity from a valid rule, the facts' own identity when no rule set it, and never a
 * lower identity from a held match.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geog.h"
#include "dronewall/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char geo_text[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"PL\",\"kind\":\"country\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[14,49],[24,49],[24,55],[14,55],[14,49]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"BY\",\"kind\":\"country\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[24,51],[32,51],[32,56],[24,56],[24,51]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"EPWA\",\"kind\":\"airport\",\"country\":\"PL\","
    "\"radius_m\":10000},\"geometry\":{\"type\":\"Point\",\"coordinates\":[20.97,52.17]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"MIL-DEBLIN\",\"kind\":\"base\",\"country\":\"PL\","
    "\"radius_m\":8000},\"geometry\":{\"type\":\"Point\",\"coordinates\":[21.89,51.55]}}]}";

static const dw_geog *geo(void)
{
    static dw_geog *g;
    static int tried;
    if (!tried) {
        tried = 1;
        if (dw_geog_create(&g) != DW_OK ||
            dw_geog_load_mem(g, geo_text, strlen(geo_text), "fuzz.geojson", NULL, 0) != DW_OK)
            abort();
    }
    return g;
}

/* Facts from the bytes: every field the conditions read, so the matcher is walked. */
static void facts_from(const uint8_t *data, size_t size, unsigned k, dw_assess_facts *f)
{
    uint64_t h = 1469598103934665603ULL ^ k;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ULL;
    memset(f, 0, sizeof *f);
    f->t_us = 1757451000000000LL;
    f->cls = (dw_class)(h % DW_NCLASSES);
    f->class_prob = (double)((h >> 4) & 0xff) / 255.0;
    f->drone_prob = (double)((h >> 12) & 0xff) / 255.0;
    f->cooperative = (h >> 20) & 1;
    f->has_squawk = (h >> 21) & 1;
    static const char cc[4][3] = {"PL", "BY", "UA", ""};
    memcpy(f->origin, cc[(h >> 22) & 3], 3);
    memcpy(f->now_in, cc[(h >> 24) & 3], 3);
    f->inside_home = (h >> 26) & 1;
    f->crossed_into_home = (h >> 27) & 1;
    f->cross_eta_us = (h >> 28) & 1 ? f->t_us + (int64_t)((h >> 29) & 0x3ff) * 1000000 : INT64_MIN;
    f->n_threatened = (int)((h >> 39) % 4);
    for (int i = 0; i < 8; i++) {
        f->threatened[i] = (int)((h >> (41 + i)) % 6) - 1;     /* -1 .. 4: some not in the store */
        f->threatened_eta_us[i] = f->t_us + (int64_t)i * 300000000;
    }
    f->speed_mps = (double)((h >> 49) & 0xff);
    f->alt_m = (double)((h >> 52) & 0xfff) * 3.0;
    f->threat_score = (double)((h >> 56) & 0xff) / 255.0;
    f->affiliation = (dw_affiliation)((h >> 60) % DW_NAFFILIATIONS);
}

static void check(const dw_rules *r, const uint8_t *data, size_t size)
{
    size_t n = dw_rules_count(r);
    if (n > DW_RULES_MAX)
        abort();
    for (size_t i = 0; i < n; i++) {
        const char *name = dw_rules_name(r, i);
        if (!name || !name[0] || dw_rules_line(r, i) < 0)
            abort();
        for (size_t j = 0; j < i; j++)
            if (strcmp(name, dw_rules_name(r, j)) == 0)
                abort();
    }
    for (unsigned k = 0; k < 8; k++) {
        dw_assess_facts f;
        facts_from(data, size, k, &f);
        dw_rules_result res;
        dw_rules_eval(r, &f, &res);
        if ((unsigned)res.affiliation >= DW_NAFFILIATIONS)
            abort();
        if (res.rule < -1 || res.rule >= (int)n || res.matched < -1 || res.matched >= (int)n)
            abort();
        if (res.rule >= 0 && res.rule != res.matched)
            abort();
        if ((res.rule < 0 || res.held) && res.affiliation != f.affiliation)
            abort();
        if (res.held && res.rule != -1)
            abort();
        if (res.affiliation == DW_AFF_PENDING && f.affiliation != DW_AFF_PENDING)
            abort();
        int rule;
        if (dw_rules_apply(r, &f, &rule) != res.affiliation || rule != res.rule)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"fuzz.yaml", "fuzz.json"};
    const char *buf = (const char *)data;
    for (size_t k = 0; k < 2; k++) {
        for (int with_geo = 0; with_geo < 2; with_geo++) {
            dw_rules *sentinel = (dw_rules *)(uintptr_t)0x1;
            dw_rules *r = sentinel;
            char err[512] = "";
            dw_status st = dw_rules_load_mem(buf, size, names[k], with_geo ? geo() : NULL, &r,
                                             err, sizeof err);
            if (st == DW_OK) {
                if (r == sentinel || !r)
                    abort();
                check(r, data, size);
                dw_rules_destroy(r);
            } else {
                if (r != sentinel)
                    abort();
                if (strncmp(err, names[k], strlen(names[k])) != 0) {
                    fprintf(stderr, "fuzz_rules: message without the file's name: %s\n", err);
                    abort();
                }
            }
        }
    }
    return 0;
}

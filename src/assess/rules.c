/* rules.c — identification rules: loading a rules file and applying it (rules.h).
 *
 * The condition vocabulary is one table (conds[] below): its key, the type of its value,
 * the range of a number, and the sentence that documents it; the loader, the matcher
 * and dw_rules_describe (the table in docs/identification.md) all read it. A file is
 * read by the project's document reader (doc.h: YAML or JSON into one jansson tree,
 * with lines), checked whole, and only then handed out: a bad file loads nothing.
 */
#include "dronewall/rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/doc.h"

/* ------------------------------------------------------------------ the vocabulary */

typedef enum ctype {
    T_BOOL,
    T_CLASSES,          /* class words              */
    T_AFFS,             /* affiliation words        */
    T_COUNTRIES,        /* ISO 3166-1 alpha-2 codes */
    T_KINDS,            /* site kinds, or "any"     */
    T_NUM,
} ctype;

typedef enum cid {
    K_CLASS,
    K_CLASS_NOT,
    K_MIN_CLASS_PROB,
    K_DRONE,
    K_DRONE_PROB_MIN,
    K_COOPERATIVE,
    K_HAS_SQUAWK,
    K_ORIGIN,
    K_ORIGIN_NOT,
    K_NOW_IN,
    K_NOW_IN_NOT,
    K_INSIDE_HOME,
    K_CROSSED_INTO_HOME,
    K_CROSS_WITHIN_S,
    K_THREATENS,
    K_THREATENS_WITHIN_S,
    K_AFFILIATION,
    K_MIN_SPEED_KMH,
    K_MAX_SPEED_KMH,
    K_MIN_ALT_M,
    K_MAX_ALT_M,
    K_THREAT_SCORE_MIN,
    NK
} cid;

typedef struct cdef {
    const char *key;
    ctype type;
    double lo, hi;
    const char *value;          /* what the value is, for the docs */
    const char *holds;          /* when the condition holds        */
} cdef;

static const cdef conds[NK] = {
    [K_CLASS] = {"class", T_CLASSES, 0, 0, "class words",
                 "the most probable class is one of them"},
    [K_CLASS_NOT] = {"class_not", T_CLASSES, 0, 0, "class words",
                     "the most probable class is none of them"},
    [K_MIN_CLASS_PROB] = {"min_class_prob", T_NUM, 0, 1, "0 to 1",
                          "the most probable class has at least this probability"},
    [K_DRONE] = {"drone", T_BOOL, 0, 0, "true or false",
                 "true: the drone probability (owa_drone + decoy + quadcopter) is at least "
                 "drone_prob_min (0.5); false: it is below"},
    [K_DRONE_PROB_MIN] = {"drone_prob_min", T_NUM, 0, 1, "0 to 1",
                          "the threshold of `drone` in this rule (needs `drone`)"},
    [K_COOPERATIVE] = {"cooperative", T_BOOL, 0, 0, "true or false",
                       "it reports its own identity (ADS-B or Mode S: an ICAO address or a "
                       "callsign; Remote ID; a partner's track number), now or before, or not"},
    [K_HAS_SQUAWK] = {"has_squawk", T_BOOL, 0, 0, "true or false",
                      "an SSR Mode 3/A code was seen (on the track or in its hints), or not"},
    [K_ORIGIN] = {"origin", T_COUNTRIES, 0, 0, "country codes",
                  "it was first seen over one of these countries (a track first seen just "
                  "inside the home country flying in: came from one of them)"},
    [K_ORIGIN_NOT] = {"origin_not", T_COUNTRIES, 0, 0, "country codes",
                      "it was first seen over none of them (at sea or outside every loaded "
                      "country counts as none; a track first seen just inside the home "
                      "country flying in: came from none of them)"},
    [K_NOW_IN] = {"now_in", T_COUNTRIES, 0, 0, "country codes",
                  "it is over one of these countries now"},
    [K_NOW_IN_NOT] = {"now_in_not", T_COUNTRIES, 0, 0, "country codes",
                      "it is over none of them now"},
    [K_INSIDE_HOME] = {"inside_home", T_BOOL, 0, 0, "true or false",
                       "it is over the home country, or not"},
    [K_CROSSED_INTO_HOME] = {"crossed_into_home", T_BOOL, 0, 0, "true or false",
                             "it entered the home country from outside, or not"},
    [K_CROSS_WITHIN_S] = {"cross_within_s", T_NUM, 0, 86400, "seconds",
                          "its predicted crossing into the home country is at most this far "
                          "ahead"},
    [K_THREATENS] = {"threatens", T_KINDS, 0, 0, "site kinds, or `any`",
                     "its predicted path reaches a protected site of one of these kinds within "
                     "warn_lead_s"},
    [K_THREATENS_WITHIN_S] = {"threatens_within_s", T_NUM, 0, 86400, "seconds",
                              "...and reaches it within this time (needs `threatens`)"},
    [K_AFFILIATION] = {"affiliation", T_AFFS, 0, 0, "affiliation words",
                       "its identity before the rules run is one of them"},
    [K_MIN_SPEED_KMH] = {"min_speed_kmh", T_NUM, 0, 20000, "km/h",
                         "its ground speed is at least this"},
    [K_MAX_SPEED_KMH] = {"max_speed_kmh", T_NUM, 0, 20000, "km/h",
                         "its ground speed is at most this"},
    [K_MIN_ALT_M] = {"min_alt_m", T_NUM, -1000, 100000, "metres",
                     "its altitude is at least this"},
    [K_MAX_ALT_M] = {"max_alt_m", T_NUM, -1000, 100000, "metres",
                     "its altitude is at most this"},
    [K_THREAT_SCORE_MIN] = {"threat_score_min", T_NUM, 0, 1, "0 to 1",
                            "its threat score is at least this"},
};

/* The keys of a rule itself. */
static const char *const rule_keys[] = {"name", "when", "set", "may_lower", "note"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct clist {
    int n;
    uint16_t cc[DW_RULES_LIST_MAX];     /* 'P' << 8 | 'L' */
} clist;

typedef struct rrule {
    char name[DW_RULES_NAME_MAX];
    int line;
    dw_affiliation set;
    int may_lower;
    uint32_t have;                      /* 1u << cid per condition given */
    uint32_t classes, classes_not, affs;
    uint32_t kinds;                     /* kind mask of the store          */
    int any_kind;
    int b[NK];
    double num[NK];
    clist origin, origin_not, now_in, now_in_not;
} rrule;

struct dw_rules {
    const dw_geog *geo;
    size_t n;
    rrule r[];
};

/* ------------------------------------------------------------------ applying */

int dw_affiliation_level(dw_affiliation a)
{
    switch (a) {
    case DW_AFF_FRIEND:
    case DW_AFF_ASSUMED_FRIEND:
    case DW_AFF_NEUTRAL: return 1;
    case DW_AFF_SUSPECT: return 2;
    case DW_AFF_HOSTILE: return 3;
    default: return 0;
    }
}

static uint16_t cc_of(const char *s)
{
    return (uint16_t)((unsigned char)s[0] << 8 | (unsigned char)s[1]);
}

static int in_clist(const clist *l, const char cc[3])
{
    if (!cc[0] || !cc[1])
        return 0;
    uint16_t c = cc_of(cc);
    for (int i = 0; i < l->n; i++)
        if (l->cc[i] == c)
            return 1;
    return 0;
}

static int has(const rrule *r, cid k)
{
    return (r->have >> k) & 1u;
}

static int threatens(const dw_rules *rs, const rrule *r, const dw_assess_facts *f)
{
    if (!rs->geo)
        return 0;
    int n = f->n_threatened < 8 ? f->n_threatened : 8;
    for (int i = 0; i < n; i++) {
        if (f->threatened[i] < 0)
            continue;
        const dw_geog_feature *g = dw_geog_get(rs->geo, (size_t)f->threatened[i]);
        if (!g)
            continue;
        if (!r->any_kind && !(g->kind_index >= 0 && g->kind_index < 32 &&
                              ((r->kinds >> g->kind_index) & 1u)))
            continue;
        if (has(r, K_THREATENS_WITHIN_S)) {
            int64_t eta = f->threatened_eta_us[i];
            if (eta == INT64_MIN ||
                (double)eta - (double)f->t_us > r->num[K_THREATENS_WITHIN_S] * 1e6)
                continue;
        }
        return 1;
    }
    return 0;
}

static int matches(const dw_rules *rs, const rrule *r, const dw_assess_facts *f)
{
    for (int k = 0; k < NK; k++) {
        if (!has(r, (cid)k))
            continue;
        int ok = 1;
        switch ((cid)k) {
        case K_CLASS:
            ok = (unsigned)f->cls < DW_NCLASSES && ((r->classes >> f->cls) & 1u);
            break;
        case K_CLASS_NOT:
            ok = !((unsigned)f->cls < DW_NCLASSES && ((r->classes_not >> f->cls) & 1u));
            break;
        case K_MIN_CLASS_PROB: ok = f->class_prob >= r->num[k]; break;
        case K_DRONE: {
            double thr = has(r, K_DRONE_PROB_MIN) ? r->num[K_DRONE_PROB_MIN] : 0.5;
            ok = r->b[k] ? f->drone_prob >= thr : !(f->drone_prob >= thr);
            break;
        }
        case K_DRONE_PROB_MIN: break;   /* read by K_DRONE */
        case K_COOPERATIVE: ok = (f->cooperative != 0) == r->b[k]; break;
        case K_HAS_SQUAWK: ok = (f->has_squawk != 0) == r->b[k]; break;
        case K_ORIGIN: ok = in_clist(&r->origin, f->origin); break;
        case K_ORIGIN_NOT: ok = !in_clist(&r->origin_not, f->origin); break;
        case K_NOW_IN: ok = in_clist(&r->now_in, f->now_in); break;
        case K_NOW_IN_NOT: ok = !in_clist(&r->now_in_not, f->now_in); break;
        case K_INSIDE_HOME: ok = (f->inside_home != 0) == r->b[k]; break;
        case K_CROSSED_INTO_HOME: ok = (f->crossed_into_home != 0) == r->b[k]; break;
        case K_CROSS_WITHIN_S:
            ok = f->cross_eta_us != INT64_MIN &&
                 (double)f->cross_eta_us - (double)f->t_us <= r->num[k] * 1e6;
            break;
        case K_THREATENS: ok = threatens(rs, r, f); break;
        case K_THREATENS_WITHIN_S: break;   /* read by K_THREATENS */
        case K_AFFILIATION:
            ok = (unsigned)f->affiliation < DW_NAFFILIATIONS && ((r->affs >> f->affiliation) & 1u);
            break;
        case K_MIN_SPEED_KMH: ok = f->speed_mps * 3.6 >= r->num[k]; break;
        case K_MAX_SPEED_KMH: ok = f->speed_mps * 3.6 <= r->num[k]; break;
        case K_MIN_ALT_M: ok = f->alt_m >= r->num[k]; break;
        case K_MAX_ALT_M: ok = f->alt_m <= r->num[k]; break;
        case K_THREAT_SCORE_MIN: ok = f->threat_score >= r->num[k]; break;
        case NK: break;
        }
        if (!ok)
            return 0;
    }
    return 1;
}

void dw_rules_eval(const dw_rules *r, const dw_assess_facts *f, dw_rules_result *out)
{
    if (!out)
        return;
    out->affiliation = f ? f->affiliation : DW_AFF_PENDING;
    out->rule = out->matched = -1;
    out->held = 0;
    if (!r || !f)
        return;
    for (size_t i = 0; i < r->n; i++) {
        const rrule *ru = &r->r[i];
        if (!matches(r, ru, f))
            continue;
        out->matched = (int)i;
        if (ru->may_lower ||
            dw_affiliation_level(ru->set) >= dw_affiliation_level(f->affiliation)) {
            out->affiliation = ru->set;
            out->rule = (int)i;
        } else {
            out->held = 1;
        }
        return;
    }
}

dw_affiliation dw_rules_apply(const dw_rules *r, const dw_assess_facts *f, int *rule)
{
    dw_rules_result res;
    dw_rules_eval(r, f, &res);
    if (rule)
        *rule = res.rule;
    return res.affiliation;
}

size_t dw_rules_count(const dw_rules *r)
{
    return r ? r->n : 0;
}

const char *dw_rules_name(const dw_rules *r, size_t i)
{
    return r && i < r->n ? r->r[i].name : NULL;
}

int dw_rules_line(const dw_rules *r, size_t i)
{
    return r && i < r->n ? r->r[i].line : 0;
}

void dw_rules_destroy(dw_rules *r)
{
    free(r);
}

/* ------------------------------------------------------------------ loading */

typedef struct lctx {
    const dw_doc *d;
    const dw_geog *geo;
    char *err;
    size_t errlen;
    char where[DW_RULES_NAME_MAX + 32];   /* rules[3] ("name") */
} lctx;



static int fail(lctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(lctx *c, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->where[0])
        dw_doc_errf(c->d, line, c->err, c->errlen, "%s: %s", c->where, msg);
    else
        dw_doc_errf(c->d, line, c->err, c->errlen, "%s", msg);
    return -1;
}

/* Words of an enumeration, comma-separated, for "expected one of ...". */
static void list_words(char *buf, size_t n, const char *(*name)(int), int count)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < count && used < n; i++) {
        int k = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", name(i));
        used += k > 0 ? (size_t)k : 0;
    }
}

static const char *class_word(int i)
{
    return dw_class_name((dw_class)i);
}

static const char *aff_word(int i)
{
    return dw_affiliation_name((dw_affiliation)i);
}

/* Is cc a country the store knows: a feature of kind "country" with that id, or any
 * feature whose "country" is it. */
static int geo_has_country(const dw_geog *g, const char *cc)
{
    int i = dw_geog_find(g, cc);
    if (i >= 0) {
        const dw_geog_feature *f = dw_geog_get(g, (size_t)i);
        if (f && strcmp(f->kind, "country") == 0)
            return 1;
    }
    size_t n = dw_geog_count(g);
    for (size_t k = 0; k < n; k++) {
        const dw_geog_feature *f = dw_geog_get(g, k);
        if (f && strcmp(f->country, cc) == 0)
            return 1;
    }
    return 0;
}

/* The kinds of the store, for a message. */
static void geo_kinds(const dw_geog *g, char *buf, size_t n)
{
    const char *seen[DW_GEOG_MAX_KINDS];
    int ns = 0;
    size_t used = 0, count = dw_geog_count(g);
    buf[0] = '\0';
    for (size_t k = 0; k < count && ns < DW_GEOG_MAX_KINDS; k++) {
        const dw_geog_feature *f = dw_geog_get(g, k);
        int dup = 0;
        for (int j = 0; j < ns && !dup; j++)
            dup = strcmp(seen[j], f->kind) == 0;
        if (dup)
            continue;
        seen[ns++] = f->kind;
        if (used < n) {
            int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", f->kind);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    if (!ns)
        snprintf(buf, n, "none");
}

static int kind_word_ok(const char *s, size_t len)
{
    if (len == 0 || len > 31)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* One word of a list condition into the rule. */
static int parse_word(lctx *c, rrule *r, cid k, const char *key, const json_t *v, int line)
{
    char sb[48];
    char words[400];
    if (!json_is_string(v))
        return fail(c, line, "\"when.%s\" takes %s, not %s", key, conds[k].value, dw_doc_type_word(v));
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len)
        return fail(c, line, "\"when.%s\": a NUL character inside a word", key);
    switch (conds[k].type) {
    case T_CLASSES: {
        dw_class cl;
        if (dw_class_parse(s, &cl) != 0) {
            list_words(words, sizeof words, class_word, DW_NCLASSES);
            return fail(c, line, "\"when.%s\": unknown class \"%s\" (expected one of %s)", key,
                        dw_doc_snip(s, sb, sizeof sb), words);
        }
        if (k == K_CLASS)
            r->classes |= 1u << cl;
        else
            r->classes_not |= 1u << cl;
        return 0;
    }
    case T_AFFS: {
        dw_affiliation a;
        if (dw_affiliation_parse(s, &a) != 0) {
            list_words(words, sizeof words, aff_word, DW_NAFFILIATIONS);
            return fail(c, line, "\"when.%s\": unknown affiliation \"%s\" (expected one of %s)",
                        key, dw_doc_snip(s, sb, sizeof sb), words);
        }
        r->affs |= 1u << a;
        return 0;
    }
    case T_COUNTRIES: {
        if (len != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
            return fail(c, line,
                        "\"when.%s\": \"%s\" is not a country code (two capital letters, "
                        "ISO 3166-1 alpha-2, such as PL)", key, dw_doc_snip(s, sb, sizeof sb));
        if (c->geo && !geo_has_country(c->geo, s))
            return fail(c, line, "\"when.%s\": unknown country \"%s\" (not in the geography "
                                 "loaded)", key, s);
        clist *l = k == K_ORIGIN ? &r->origin : k == K_ORIGIN_NOT ? &r->origin_not
                 : k == K_NOW_IN ? &r->now_in : &r->now_in_not;
        l->cc[l->n++] = cc_of(s);
        return 0;
    }
    case T_KINDS: {
        if (strcmp(s, "any") == 0) {
            r->any_kind = 1;
            return 0;
        }
        if (!kind_word_ok(s, len))
            return fail(c, line, "\"when.%s\": \"%s\" is not a site kind (a word of a-z, 0-9 "
                                 "and _, such as airport, or any)", key, dw_doc_snip(s, sb, sizeof sb));
        if (c->geo) {
            uint32_t m = dw_geog_kinds(c->geo, s);
            if (!m) {
                geo_kinds(c->geo, words, sizeof words);
                return fail(c, line, "\"when.%s\": unknown site kind \"%s\" (the geography "
                                     "has: %s)", key, s, words);
            }
            r->kinds |= m;
        }
        return 0;
    }
    default:
        return -1;
    }
}

static int parse_cond(lctx *c, rrule *r, const json_t *when, const char *key, const json_t *v)
{
    int line = dw_doc_key_line(c->d, when, key);
    cid k = NK;
    for (int i = 0; i < NK; i++)
        if (strcmp(conds[i].key, key) == 0)
            k = (cid)i;
    char sb[48];
    if (k == NK) {
        char words[600];
        size_t used = 0;
        for (int i = 0; i < NK && used < sizeof words; i++) {
            int w = snprintf(words + used, sizeof words - used, "%s%s", i ? ", " : "",
                             conds[i].key);
            used += w > 0 ? (size_t)w : 0;
        }
        return fail(c, line, "unknown condition \"when.%s\" (known: %s)",
                    dw_doc_snip(key, sb, sizeof sb), words);
    }
    r->have |= 1u << k;
    switch (conds[k].type) {
    case T_BOOL:
        if (!json_is_boolean(v))
            return fail(c, line, "\"when.%s\" must be true or false, not %s", key,
                        json_is_string(v) ? dw_doc_snip(json_string_value(v), sb, sizeof sb)
                                          : dw_doc_type_word(v));
        r->b[k] = json_is_true(v);
        return 0;
    case T_NUM: {
        if (!json_is_number(v))
            return fail(c, line, "\"when.%s\" must be a number (%s), not %s", key,
                        conds[k].value, dw_doc_type_word(v));
        double x = json_number_value(v);
        if (!(x >= conds[k].lo && x <= conds[k].hi))
            return fail(c, line, "\"when.%s\" out of range: %g (expected %g to %g)", key, x,
                        conds[k].lo, conds[k].hi);
        r->num[k] = x;
        return 0;
    }
    default:
        break;
    }
    /* A list of words, or one word alone. */
    if (json_is_string(v))
        return parse_word(c, r, k, key, v, line);
    if (!json_is_array(v))
        return fail(c, line, "\"when.%s\" takes a list of %s, not %s", key, conds[k].value,
                    dw_doc_type_word(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return fail(c, line, "\"when.%s\" is an empty list: it would match nothing", key);
    if (n > DW_RULES_LIST_MAX)
        return fail(c, line, "\"when.%s\" lists %zu words; at most %d", key, n,
                    DW_RULES_LIST_MAX);
    for (size_t i = 0; i < n; i++) {
        int il = dw_doc_index_line(c->d, v, i);
        if (parse_word(c, r, k, key, json_array_get(v, i), il ? il : line) != 0)
            return -1;
    }
    return 0;
}

static int name_ok(const char *s, size_t len)
{
    if (len == 0 || len >= DW_RULES_NAME_MAX || strlen(s) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
            return 0;
    return 1;
}

static int load_rule(lctx *c, const json_t *list, size_t i, rrule *all)
{
    const json_t *e = json_array_get(list, i);
    int eline = dw_doc_index_line(c->d, list, i);
    char sb[48];
    snprintf(c->where, sizeof c->where, "rules[%zu]", i);
    if (!json_is_object(e))
        return fail(c, eline, "a rule is a mapping (name, when, set), not %s", dw_doc_type_word(e));

    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)e, key, v) {
        int known = 0;
        for (size_t k = 0; k < N(rule_keys) && !known; k++)
            known = strcmp(key, rule_keys[k]) == 0;
        if (!known)
            return fail(c, dw_doc_key_line(c->d, e, key),
                        "unknown key \"%s\" (a rule has name, when, set, may_lower, note)",
                        dw_doc_snip(key, sb, sizeof sb));
    }

    rrule *r = &all[i];
    memset(r, 0, sizeof *r);
    r->line = eline;
    const json_t *name = json_object_get(e, "name");
    if (!name)
        return fail(c, eline, "missing \"name\"");
    int nline = dw_doc_key_line(c->d, e, "name");
    if (!json_is_string(name) || !name_ok(json_string_value(name), json_string_length(name)))
        return fail(c, nline, "\"name\" must be a string of 1 to %d printable characters",
                    DW_RULES_NAME_MAX - 1);
    memcpy(r->name, json_string_value(name), json_string_length(name) + 1);
    snprintf(c->where, sizeof c->where, "rules[%zu] (\"%s\")", i,
             dw_doc_snip(r->name, sb, sizeof sb));
    for (size_t j = 0; j < i; j++) {
        if (strcmp(all[j].name, r->name) == 0) {
            if (all[j].line > 0)
                return fail(c, nline, "duplicate rule name (first at line %d)", all[j].line);
            return fail(c, nline, "duplicate rule name (first in rules[%zu])", j);
        }
    }

    const json_t *when = json_object_get(e, "when");
    if (when && !json_is_null(when)) {
        int wline = dw_doc_key_line(c->d, e, "when");
        if (!json_is_object(when))
            return fail(c, wline, "\"when\" must be a mapping of conditions, not %s",
                        dw_doc_type_word(when));
        json_object_foreach((json_t *)when, key, v) {
            if (parse_cond(c, r, when, key, v) != 0)
                return -1;
        }
        if (has(r, K_DRONE_PROB_MIN) && !has(r, K_DRONE))
            return fail(c, dw_doc_key_line(c->d, when, "drone_prob_min"),
                        "\"when.drone_prob_min\" is the threshold of \"drone\", which this "
                        "rule does not have");
        if (has(r, K_THREATENS_WITHIN_S) && !has(r, K_THREATENS))
            return fail(c, dw_doc_key_line(c->d, when, "threatens_within_s"),
                        "\"when.threatens_within_s\" needs \"threatens\" (use threatens: "
                        "any for every kind)");
        if (has(r, K_MIN_SPEED_KMH) && has(r, K_MAX_SPEED_KMH) &&
            r->num[K_MIN_SPEED_KMH] > r->num[K_MAX_SPEED_KMH])
            return fail(c, dw_doc_key_line(c->d, when, "min_speed_kmh"),
                        "\"when.min_speed_kmh\" %g is above \"max_speed_kmh\" %g: nothing "
                        "would match", r->num[K_MIN_SPEED_KMH], r->num[K_MAX_SPEED_KMH]);
        if (has(r, K_MIN_ALT_M) && has(r, K_MAX_ALT_M) &&
            r->num[K_MIN_ALT_M] > r->num[K_MAX_ALT_M])
            return fail(c, dw_doc_key_line(c->d, when, "min_alt_m"),
                        "\"when.min_alt_m\" %g is above \"max_alt_m\" %g: nothing would "
                        "match", r->num[K_MIN_ALT_M], r->num[K_MAX_ALT_M]);
    }
    const json_t *set = json_object_get(e, "set");
    if (!set)
        return fail(c, eline, "missing \"set\" (the affiliation the rule gives)");
    int sline = dw_doc_key_line(c->d, e, "set");
    char words[400];
    if (!json_is_string(set) || dw_affiliation_parse(json_string_value(set), &r->set) != 0) {
        list_words(words, sizeof words, aff_word, DW_NAFFILIATIONS);
        if (json_is_string(set))
            return fail(c, sline, "\"set\": unknown affiliation \"%s\" (expected one of %s)",
                        dw_doc_snip(json_string_value(set), sb, sizeof sb), words);
        return fail(c, sline, "\"set\" must be an affiliation word (one of %s), not %s", words,
                    dw_doc_type_word(set));
    }
    if (r->set == DW_AFF_PENDING)
        return fail(c, sline, "\"set: pending\": pending means not yet assessed; a rule "
                              "gives an identity (unknown, if nothing else)");

    const json_t *ml = json_object_get(e, "may_lower");
    if (ml) {
        if (!json_is_boolean(ml))
            return fail(c, dw_doc_key_line(c->d, e, "may_lower"),
                        "\"may_lower\" must be true or false, not %s", dw_doc_type_word(ml));
        r->may_lower = json_is_true(ml);
    }
    const json_t *note = json_object_get(e, "note");
    if (note && !json_is_string(note))
        return fail(c, dw_doc_key_line(c->d, e, "note"), "\"note\" must be a string, not %s",
                    dw_doc_type_word(note));

    return 0;
}

static dw_status from_doc(const dw_doc *d, const dw_geog *geo, dw_rules **out, char *err,
                          size_t errlen)
{
    lctx c = {d, geo, err, errlen, ""};
    const json_t *root = dw_doc_root(d);
    if (!json_is_object(root)) {
        fail(&c, dw_doc_line(d, root), "the top level must be a mapping with a \"rules\" "
                                       "list, not %s", dw_doc_type_word(root));
        return DW_ERR_PARSE;
    }
    const char *key;
    const json_t *v;
    char sb[48];
    json_object_foreach((json_t *)root, key, v) {
        if (strcmp(key, "rules") != 0) {
            fail(&c, dw_doc_key_line(d, root, key), "unknown key \"%s\" at the top level "
                                                    "(a rules file has \"rules\")",
                 dw_doc_snip(key, sb, sizeof sb));
            return DW_ERR_PARSE;
        }
    }
    const json_t *list = json_object_get(root, "rules");
    if (!list) {
        fail(&c, 0, "missing \"rules\" (the ordered list of identification rules)");
        return DW_ERR_PARSE;
    }
    if (!json_is_array(list)) {
        fail(&c, dw_doc_key_line(d, root, "rules"), "\"rules\" must be a list of rules, not %s",
             dw_doc_type_word(list));
        return DW_ERR_PARSE;
    }
    size_t n = json_array_size(list);
    if (n > DW_RULES_MAX) {
        fail(&c, dw_doc_key_line(d, root, "rules"), "%zu rules; at most %d", n, DW_RULES_MAX);
        return DW_ERR_PARSE;
    }
    dw_rules *r = calloc(1, sizeof *r + n * sizeof r->r[0]);
    if (!r) {
        fail(&c, 0, "out of memory for %zu rules", n);
        return DW_ERR_NOMEM;
    }
    r->geo = geo;
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        if (load_rule(&c, list, i, r->r) != 0) {
            free(r);
            return DW_ERR_PARSE;
        }
    }
    *out = r;
    return DW_OK;
}

dw_status dw_rules_load_mem(const char *text, size_t len, const char *name, const dw_geog *geo,
                            dw_rules **out, char *err, size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!out || (!text && len)) {
        snprintf(err, errlen, "%s: no input", name ? name : "-");
        return DW_ERR_INVALID;
    }
    dw_doc *d;
    dw_status st = dw_doc_load_mem(text ? text : "", len, name, &d, err, errlen);
    if (st != DW_OK)
        return st;
    st = from_doc(d, geo, out, err, errlen);
    dw_doc_destroy(d);
    return st;
}

dw_status dw_rules_load(const char *path, const dw_geog *geo, dw_rules **out, char *err,
                        size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!path || !out) {
        snprintf(err, errlen, "no rules file");
        return DW_ERR_INVALID;
    }
    dw_doc *d;
    dw_status st = dw_doc_load(path, &d, err, errlen);
    if (st != DW_OK)
        return st;
    st = from_doc(d, geo, out, err, errlen);
    dw_doc_destroy(d);
    return st;
}

/* ------------------------------------------------------------------ the vocabulary as text */

size_t dw_rules_describe(char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return 0;
    size_t used = 0;
    buf[0] = '\0';
    int k = snprintf(buf, cap, "| condition | value | holds when |\n|---|---|---|\n");
    if (k < 0 || (size_t)k >= cap)
        goto full;
    used = (size_t)k;
    for (int i = 0; i < NK; i++) {
        k = snprintf(buf + used, cap - used, "| `%s` | %s | %s |\n", conds[i].key,
                     conds[i].value, conds[i].holds);
        if (k < 0 || (size_t)k >= cap - used)
            goto full;
        used += (size_t)k;
    }
    return used;
full:
    buf[0] = '\0';
    return 0;
}

/* rules.h — identification: the STANAG 1241 affiliation of a track by rules an operator
 * reads and edits (config/identification.yaml, docs/identification.md).
 *
 * A rules file is an ordered list; each rule names itself, states conditions on the
 * track's facts (dw_assess_facts: class, cooperative, where it came from, whether it
 * crossed into the home country, which protected sites it threatens, its current
 * affiliation...) and the affiliation it sets. Evaluation gives the affiliation and the
 * rule that decided it, so every change is logged with its reason. A bad file is
 * refused with its path, line and what is wrong; nothing half-loaded is used.
 *
 * Semantics (docs/identification.md has the vocabulary and examples):
 *   - The first rule whose conditions all hold decides; later rules are not read. A rule
 *     without conditions always holds (a last catch-all).
 *   - Identities only go up. Levels: pending and unknown (undecided) 0; friend,
 *     assumed_friend and neutral 1; suspect 2; hostile 3. A deciding rule may move the
 *     identity to its level or higher; one that would lower it (hostile back to suspect
 *     because a fact flickered for one update) leaves it as it is, unless the rule says
 *     `may_lower: true` (an operator's "ADS-B airliner is neutral whatever it was").
 *     So an identity never oscillates on its own: only may_lower rules can undo one.
 *   - A rule cannot set `pending` (that is "not yet assessed").
 *
 * Ownership: the rules own their memory; the geography store given to the loader is
 * borrowed for the rules' life (`threatens` looks up the kinds of the sites in
 * facts->threatened through it). Loaded without a store, site kinds and country codes
 * are checked for their form only, and `threatens` never holds (without geography there
 * are no threatened sites). Loaded rules are read-only: dw_rules_apply may run on any
 * number of threads at once.
 */
#ifndef DRONEWALL_RULES_H
#define DRONEWALL_RULES_H

#include <stddef.h>

#include "dronewall/assess.h"
#include "dronewall/geog.h"
#include "dronewall/status.h"

#define DW_RULES_MAX 1024               /* rules in one file                         */
#define DW_RULES_NAME_MAX 64            /* a rule's name, NUL included               */
#define DW_RULES_LIST_MAX 32            /* words in one condition's list             */

typedef struct dw_rules dw_rules;

/* Loads a rules file. The geography store (may be NULL) resolves the site kinds and
 * country codes the rules name, so that a typo is an error at load, not a rule that
 * never fires. DW_ERR_PARSE with "PATH:LINE: what" in err, DW_ERR_NOT_FOUND, DW_ERR_IO,
 * DW_ERR_NOMEM. *out is written only on DW_OK; the caller destroys it. */
dw_status dw_rules_load(const char *path, const dw_geog *geo, dw_rules **out, char *err,
                        size_t errlen);
/* The same from memory; name stands for the path in messages (and picks JSON for a name
 * ending in .json, YAML otherwise). */
dw_status dw_rules_load_mem(const char *text, size_t len, const char *name, const dw_geog *geo,
                            dw_rules **out, char *err, size_t errlen);
void dw_rules_destroy(dw_rules *r);     /* NULL is fine */

size_t dw_rules_count(const dw_rules *r);
/* Rule i's name, NULL when there is no rule i. */
const char *dw_rules_name(const dw_rules *r, size_t i);
/* The line rule i starts on in its file (0: unknown, as for JSON). */
int dw_rules_line(const dw_rules *r, size_t i);

/* The affiliation the rules give these facts: the result, and the index of the rule
 * that set it (-1: no rule applied, the result is f->affiliation unchanged). rule may
 * be NULL. With r or f NULL: DW_AFF_PENDING (or f's) and -1. */
dw_affiliation dw_rules_apply(const dw_rules *r, const dw_assess_facts *f, int *rule);

/* The same with the whole story, for logs and the operator's "why": */
typedef struct dw_rules_result {
    dw_affiliation affiliation;         /* the result                                */
    int rule;                           /* the rule that set it, -1: none            */
    int matched;                        /* the first rule whose conditions held, -1:
                                           none                                      */
    int held;                           /* 1: that rule would have lowered the
                                           identity without may_lower, so it stayed  */
} dw_rules_result;
void dw_rules_eval(const dw_rules *r, const dw_assess_facts *f, dw_rules_result *out);

/* The level of an identity in the "only up" order above (0 .. 3). */
int dw_affiliation_level(dw_affiliation a);

/* The condition vocabulary as a Markdown table (docs/identification.md holds this
 * output), NUL-terminated into buf[0 .. cap-1]: the length, or 0 when it does not fit. */
size_t dw_rules_describe(char *buf, size_t cap);

#endif

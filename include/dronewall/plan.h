/* plan.h — response planning: which effector should engage which threat, at what cost and
 * risk, as recommendations a person approves or rejects (DESIGN.md §6, docs/respond.md).
 *
 * A planner holds the effector catalogue (effector.h) with each effector's rounds left and
 * busy time, and the geography for ground risk. Given the threats of the moment (drone
 * tracks identified hostile or suspect, with what they threaten and when), it costs every
 * effector × threat option with the intercept geometry (intercept.h: earliest intercept,
 * shots for the required kill probability, money, debris over people), solves the
 * weapon-target assignment (wta.h) and returns recommendations with their reasons in
 * words. An approved recommendation is committed: its rounds leave the magazine and the
 * effector is busy until the intercept. The strategy can be the assignment or one of two
 * baselines the assignment is judged against.
 *
 * Nothing here reads the clock; times are seconds from now_us, which the caller gives.
 */
#ifndef DRONEWALL_PLAN_H
#define DRONEWALL_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/classify.h"
#include "dronewall/effector.h"
#include "dronewall/geog.h"
#include "dronewall/status.h"

typedef enum dw_plan_strategy {
    DW_PLAN_WTA = 0,            /* the assignment: value minus cost and ground risk          */
    DW_PLAN_FIGHTERS,           /* baseline: fighters with missiles only, best kill chance    */
    DW_PLAN_NEAREST,            /* baseline: each threat in order of its deadline gets the
                                   nearest effector that can reach it                          */
} dw_plan_strategy;

typedef struct dw_plan_config {
    dw_plan_strategy strategy;
    double p_required;          /* kill probability asked of an engagement (0.9)             */
    double eur_per_person;      /* ground risk in money: a person under the debris (2e6)     */
    double switch_penalty_eur;  /* re-planning: cost of moving a threat to another effector
                                   (10,000), so plans do not flap                             */
    int max_per_target;         /* effectors on one threat at most (1 or 2; 1)                */
    double harm_per_person;     /* chance that a person in the debris footprint is hurt
                                   (0.01 [assumed]): risk = people x this x eur_per_person;
                                   1 counts everyone under the footprint as a casualty       */
    double over_site_eur;       /* added to the risk of an intercept whose debris falls on a
                                   protected site or city (1e6 [assumed]): damage and
                                   disruption the head count does not see                   */
} dw_plan_config;

void dw_plan_config_default(dw_plan_config *c);

/* One threat at now_us. */
typedef struct dw_plan_target {
    uint64_t track_id;
    dw_class cls;
    double lat_deg, lon_deg, alt_m;
    double vel_enu_mps[3];
    double value_eur;           /* what killing it protects: the value of what it threatens  */
    double deadline_s;          /* until it reaches that (INFINITY: nothing in reach)        */
    char threatens[64];         /* the site or region id it threatens, "" none               */
} dw_plan_target;

/* One recommended engagement. */
typedef struct dw_plan_rec {
    uint64_t id;                /* the planner's number, stable while the recommendation
                                   stands (the same threat and effector across re-plans)     */
    uint64_t track_id;
    int effector;               /* index in the catalogue                                    */
    char effector_id[64];
    double t_launch_s, t_intercept_s;
    double lat_deg, lon_deg, alt_m;     /* the intercept point                              */
    int shots;
    double pk;                  /* kill chance with those shots                              */
    double cost_eur, exchange_ratio;    /* money; money over the threat's own value          */
    double people_at_risk;      /* expected people under the debris                          */
    char over_site[64];         /* a protected site or city under the debris, "" none         */
    char reason[320];           /* why this one, in words, for the operator                  */
} dw_plan_rec;

/* What a plan adds up to. */
typedef struct dw_plan_summary {
    size_t threats, engaged;
    double cost_eur;
    double expected_leakage;    /* threats expected to get through: sum of (1 - pk), 1 for
                                   the unengaged                                             */
    double leakage_value_eur;   /* value they threaten, weighted the same way                */
    double people_at_risk;
    size_t over_populated;      /* recommended intercepts over a site or city                 */
    size_t over_populated_avoidable; /* ... of them, where a feasible alternative was not     */
    double objective, upper_bound, gap; /* the assignment's (DW_PLAN_WTA)                    */
    double plan_ms;             /* wall time of the plan (the caller may fill it)            */
} dw_plan_summary;

typedef struct dw_planner dw_planner;

/* The planner over a copy of the catalogue; geo may be NULL (no ground risk). */
dw_status dw_planner_create(const dw_effector *eff, size_t n, const dw_geog *geo,
                            const dw_plan_config *c, dw_planner **out, char *err, size_t errlen);
void dw_planner_destroy(dw_planner *p);    /* NULL is fine */

/* Plans for the threats at now_us: *recs (owned by the planner, valid until the next call)
 * and the summary. Re-planning keeps what still holds (the switch penalty). */
dw_status dw_planner_plan(dw_planner *p, const dw_plan_target *targets, size_t n, int64_t now_us,
                          const dw_plan_rec **recs, size_t *n_recs, dw_plan_summary *sum);

/* An operator approved recommendation `rec_id` of the last plan: its rounds are spent and
 * its effector busy until the intercept. DW_ERR_NOT_FOUND when the last plan has no such
 * recommendation. */
dw_status dw_planner_commit(dw_planner *p, uint64_t rec_id, int64_t now_us);

/* The catalogue as the planner holds it now (rounds left in magazine). */
const dw_effector *dw_planner_effectors(const dw_planner *p, size_t *n);

/* ---- threats from the picture: one rule for `dronewall plan` and its benchmarks
 *
 * A track of the picture is a threat to plan for when it is a drone (owa_drone, decoy,
 * quadcopter), confirmed or coasting, and not friend, assumed friend or neutral. What it
 * threatens is the first protected site (threat.h: a site, city, airport, base...) its
 * straight course enters or passes within DW_PLAN_SITE_MARGIN_M of, within
 * DW_PLAN_HORIZON_S; its value is DW_PLAN_SITE_EUR times the site's value (0..1, 0.5 when
 * the site has none), or DW_PLAN_LOOSE_EUR with no site in reach (deadline INFINITY); a
 * decoy, which carries no warhead, counts DW_PLAN_DECOY_FACTOR of that. The figures are
 * [assumed] round numbers for comparing options, not valuations (docs/respond.md). */
#define DW_PLAN_HORIZON_S 3600.0
#define DW_PLAN_SITE_MARGIN_M 3000.0
#define DW_PLAN_SITE_EUR 2e7
#define DW_PLAN_LOOSE_EUR 1e6
#define DW_PLAN_DECOY_FACTOR 0.25

typedef struct dw_plan_threats dw_plan_threats;

/* Over the geography (kept by the caller, which must outlive it) for the home country.
 * DW_ERR_INVALID / DW_ERR_NOMEM with err. */
dw_status dw_plan_threats_create(const dw_geog *geo, const char home[3], dw_plan_threats **out,
                                 char *err, size_t errlen);
void dw_plan_threats_destroy(dw_plan_threats *x);  /* NULL is fine */

/* What stopping a threat of class cls is worth: the site's (feature index in the geography,
 * -1 for none in reach) by the rule above. */
double dw_plan_threats_value(const dw_plan_threats *x, dw_class cls, int site);

/* The threat a track line (the picture's brief or full line, docs/formats.md) stands for:
 * 1 with *t filled when it is one, 0 when it is not (or the line does not parse). */
int dw_plan_threats_target(const dw_plan_threats *x, uint64_t id, const char *line, size_t len,
                           dw_plan_target *t);

#endif

/* intercept.h — can this effector reach this threat in time, at what cost and what risk
 * to the people below (DESIGN.md §6; docs/respond.md has the models and their limits).
 *
 * Geometry. The target flies at constant velocity from where it is now; the effector's
 * weapon leaves its launch point (its site; for a CAP, the point of its orbit nearest the
 * target; for fighters, the aircraft flies at its transit speed until the target is within
 * its missile's range) no earlier than t_react = t_ready + reaction_s and moves at constant
 * speed w. What it can reach at time t is a sphere of radius
 *     reach(t) = w (t - t_react) + r0          (r0: a fighter's weapon range, a jammer's
 *                                              max range with w = 0, else 0)
 * and the earliest intercept is the smallest t >= t_react with |p0 + v t - s| <= reach(t),
 * in closed form (a quadratic in t). Launch may be delayed, so the answer is the earliest t
 * at which that holds *and* the target is inside the envelope (min/max slant range from
 * the launch point, min/max altitude) *and* t is before the deadline; each of those sets
 * is bounded by roots of a quadratic, so the earliest is one of those roots, found exactly.
 * Everything is worked in the effector's local ENU frame (geo.h) with the Earth's
 * curvature ignored in the geometry: the target's path and the weapon's are straight
 * lines in that frame. A level target really follows the curved Earth, dropping below the
 * tangent plane by d²/2R (0.8 km at 100 km, 7 km at 300 km), so the envelope's altitude
 * test uses the target's own altitude and climb (alt + v_up t, above the ellipsoid), not
 * the ENU up; slant ranges are the straight-line ones. Fit for ~300 km: beyond that the
 * straight path in the frame departs from a real one by more than the envelopes care.
 *
 * Cost. Shots for a required kill probability with shoot-look-shoot when the time allows
 * it, salvoes when not; expected shots and money; the cost-exchange ratio.
 *
 * Ground risk. A simple ballistic debris footprint under the intercept point, and the
 * people expected under it from the geography store's populated features.
 *
 * Nothing here allocates or keeps state; every function may run on any thread.
 */
#ifndef DRONEWALL_INTERCEPT_H
#define DRONEWALL_INTERCEPT_H

#include "dronewall/effector.h"
#include "dronewall/geo.h"
#include "dronewall/geog.h"
#include "dronewall/obs.h"
#include "dronewall/status.h"

#define DW_INTERCEPT_REASONS(X)                                                    \
    X(DW_ICPT_OK, "ok")                                                            \
    X(DW_ICPT_NOT_READY, "not ready before the deadline")                          \
    X(DW_ICPT_MAGAZINE_EMPTY, "magazine empty")                                    \
    X(DW_ICPT_TOO_SLOW, "too slow: never reaches the target")                      \
    X(DW_ICPT_OUT_OF_RANGE, "outside the envelope's maximum range")                \
    X(DW_ICPT_TOO_CLOSE, "inside the envelope's minimum range")                    \
    X(DW_ICPT_ALTITUDE, "outside the envelope's altitudes")                        \
    X(DW_ICPT_AFTER_DEADLINE, "only after the threat reaches its target")

typedef enum dw_intercept_reason {
#define DW_ICPT_ENUM(e, s) e,
    DW_INTERCEPT_REASONS(DW_ICPT_ENUM)
#undef DW_ICPT_ENUM
    DW_ICPT_NREASONS
} dw_intercept_reason;

const char *dw_intercept_reason_str(dw_intercept_reason r);

/* The target now: position, and velocity in its own local ENU frame (m/s). */
typedef struct dw_intercept_target {
    dw_geodetic pos;
    double vel_enu[3];
} dw_intercept_target;

typedef struct dw_intercept_limits {
    double deadline_s;                  /* seconds from now when the threat reaches
                                           what it threatens or leaves; INFINITY: none */
} dw_intercept_limits;

typedef struct dw_intercept {
    int feasible;                       /* 1: an intercept inside the envelope in time */
    dw_intercept_reason reason;         /* DW_ICPT_OK, or why not (of the earliest
                                           intercept ignoring the envelope)            */
    double t_react_s;                   /* earliest launch: t_ready + reaction_s        */
    double t_launch_s;                  /* launch (fighters: when the missile leaves)  */
    double t_intercept_s;               /* seconds from now; set when reachable at all */
    dw_geodetic launch_point;           /* site, or CAP's nearest orbit point (for a
                                           fighter: its base or orbit point)           */
    dw_geodetic point;                  /* the target's position at t_intercept_s; alt
                                           is its altitude then (alt + v_up t)          */
    double point_enu[3];                /* the same in the effector's ENU frame (m)    */
    double range_m;                     /* slant range, launch point to point          */
    double flight_time_s;               /* weapon time of flight (0 for a jammer)      */
    double closing_speed_mps;           /* rate the distance shrinks at intercept      */
    double aspect_deg;                  /* angle between the target's velocity and the
                                           line from it to the launch point: 0 head-on,
                                           180 tail chase                             */
    double slack_s;                     /* deadline - t_intercept (INFINITY: none)     */
} dw_intercept;

/* The earliest feasible intercept of target by e, the effector ready to start its
 * reaction in t_ready_s seconds (0: ready now; e->ready_in_s is the file's value, the
 * caller passes what is left of it). out is always written on DW_OK; out->feasible says
 * whether there is one. DW_ERR_INVALID (out untouched) for NULL or non-finite input. */
dw_status dw_intercept_solve(const dw_effector *e, const dw_intercept_target *target,
                             double t_ready_s, const dw_intercept_limits *lim,
                             dw_intercept *out);

/* Shots and cost for a required kill probability. */
typedef struct dw_engagement {
    int shots;                          /* shots planned (at most the magazine)         */
    int salvo;                          /* shots fired together per look               */
    int looks;                          /* salvoes in sequence (1: no time to look)     */
    double expected_shots;              /* mean shots actually fired (stop on a kill)   */
    double pk_achieved;                 /* 1 - (1 - pk)^shots                          */
    int meets_required;                 /* pk_achieved >= the required one             */
    double cost_eur;                    /* expected_shots x cost_per_shot + sortie      */
    double exchange_ratio;              /* cost / threat value (INFINITY: value 0)      */
} dw_engagement;

#define DW_ENGAGEMENT_MAX_SHOTS 1000     /* a plan never counts more shots than this    */

/* n = ceil(log(1-P) / log(1-pk)) shots reach P (at most DW_ENGAGEMENT_MAX_SHOTS). When the time available allows `looks`
 * sequential cycles of (flight_time_s + e->assess_s), the shots are fired as
 * ceil(n / looks) per salvo, stopping at the first kill: pure shoot-look-shoot when
 * looks >= n, one salvo of n when there is no time to look. The magazine caps n
 * (meets_required says so). pk is e->pk[cls]; threat_value_eur (dw_threat_value_eur) gives
 * the exchange ratio. DW_ERR_RANGE (out untouched) when pk is 0 or the magazine is empty;
 * DW_ERR_INVALID for P outside (0, 1) or other bad input. */
dw_status dw_intercept_cost(const dw_effector *e, dw_class cls, double p_required,
                            double time_available_s, double flight_time_s,
                            double threat_value_eur, dw_engagement *out);

/* The same from bare numbers (the closed form the above uses). */
dw_status dw_engagement_plan(double pk, double p_required, int looks, int magazine,
                             dw_engagement *out);

/* What a threat of a class is worth, EUR (domain-facts §2.1; USD at 0.9 EUR [assumed]):
 * decoy 9,000 ($10k), owa_drone 31,500 ($35k), quadcopter 1,000; other classes 0
 * (not a cheap drone: the exchange ratio is not the question). */
double dw_threat_value_eur(dw_class cls);

/* The debris footprint of an intercept at (lat, lon, alt) with the target's velocity
 * vel_enu (m/s, local ENU), and the people expected under it.
 *
 * Model (docs/respond.md): debris falls from height h = max(alt, 0) (ground taken at the
 * ellipsoid) for tf = sqrt(2 h / g), drag ignored; fragments keep between none and all of
 * the horizontal speed vh, so they land in an ellipse centred vh tf / 2 ahead of the point
 * along the track, with semi-axes vh tf / 2 + s along the track and s across it, where
 * s = 50 m + 0.05 h is the fragments' own scatter [assumed]. The ellipse is sampled on a
 * 21 x 21 grid; each sample inside it stands for its share of the area, and its people are
 * that area times the density of the populated features (a "population" property) it
 * falls in: population / area (a circle's pi r², an area's bounding box: an under-estimate
 * of density) — plus a rural background of DW_GROUND_RURAL_PER_KM2 everywhere.
 * *over_site is 1 when a sample falls in a feature of any kind except "country" and
 * "region" (a city, an airport, a power plant, a base) and site_id (may be NULL) then gets
 * the first such feature's id (else ""). g may be NULL: background only.
 * DW_ERR_INVALID (nothing written) for bad input. */
#define DW_GROUND_RURAL_PER_KM2 30.0    /* [assumed]: rural eastern Poland ~30-40/km² */
dw_status dw_intercept_ground_risk(const dw_geog *g, double lat_deg, double lon_deg,
                                   double alt_m, const double vel_enu[3], double *people,
                                   int *over_site, char site_id[DW_GEOG_ID_MAX]);

#endif

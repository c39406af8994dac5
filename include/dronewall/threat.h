/* threat.h — where a track is going and what it can reach: the predicted path with its
 * uncertainty, the border crossing into the home country, the alert regions and protected
 * sites within reach and when, the closest approach to each, and a score that orders the
 * operator's list (DESIGN.md §5, docs/assessment.md).
 *
 * The path is the track's current ground velocity held for horizon_s: a line of constant
 * course (a rhumb line, stepped in segments of at most seg_max_m, each with the
 * ellipsoid's radii of curvature at its middle latitude). Its horizontal uncertainty
 * grows as
 *     σ(t)² = σp² + t² σv² + q t³ / 3
 * where σp² and σv² are the larger eigenvalues of the east-north blocks of the track's
 * position and velocity covariances (the worse axis, taken for every direction), and the
 * last term is the manoeuvre term: the position variance a white-noise acceleration of
 * spectral density q (m²/s³) builds up over t. It covers gusts, speed changes and gentle
 * course corrections (q = 0.05 gives 0.67 km at 5 min and 3.5 km at 15 min), not a
 * deliberate turn at a waypoint; that is what re-running the prediction on every update
 * and the alerts' hysteresis are for. An area is reachable at t when the path's point at
 * t is within k σ(t) of it (a circle site: of its edge, so k σ(t) + radius of its
 * centre); with k = 2 a 2-D Gaussian error falls inside that circle 86 % of the time.
 *
 * Everything the evaluation needs from the geography (kind masks, the home country, the
 * lists of regions and sites, the sites' values) is resolved once, by dw_threat_create;
 * dw_threat_eval then allocates nothing, writes only into the caller's dw_threat, and may
 * run on any number of threads at once on one context.
 */
#ifndef DRONEWALL_THREAT_H
#define DRONEWALL_THREAT_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/geog.h"
#include "dronewall/status.h"
#include "dronewall/track.h"

#define DW_THREAT_MAX_SEGS 128          /* path segments; beyond seg_max_m x this the
                                           segments get longer (docs/assessment.md)   */
#define DW_THREAT_MAX_REACH 24          /* reachable regions and sites kept, earliest */
#define DW_THREAT_MAX_CROSSINGS 4       /* countries entered along the path, in order */

typedef struct dw_threat_config {
    char home[3];                       /* the defended country's feature id ("PL")    */
    const char *country_kinds;          /* kinds that are countries ("country")        */
    const char *region_kinds;           /* alert regions ("region"); only the home
                                           country's (their "country" property) count  */
    const char *site_kinds;             /* protected sites ("airport,power_plant,base,city") */
    double horizon_s;                   /* how far ahead the path goes (900)           */
    double seg_max_m;                   /* longest path segment (10,000)               */
    double k_sigma;                     /* reach within k σ(t) (2)                     */
    double manoeuvre_q;                 /* q of the manoeuvre term, m²/s³ (0.05)       */
    double score_tau_s;                 /* urgency time scale of the score (600)       */
} dw_threat_config;

void dw_threat_config_default(dw_threat_config *c);

/* A region or site the path can reach. */
typedef struct dw_threat_reach {
    int feature;                        /* index in the geography store               */
    int is_site;                        /* a protected site (else an alert region)     */
    int inside_now;                     /* the track is in it (a site: within its radius) */
    int on_path;                        /* the path's centre line itself gets in, not
                                           only its uncertainty                        */
    int64_t eta_us;                     /* earliest instant within k σ(t) of it: the
                                           track's t_us when it is there already       */
    double sigma_m;                     /* σ(t) at that instant                        */
    int64_t arrive_us;                  /* the expected arrival: when the centre line
                                           gets in (on_path), else its closest approach;
                                           stable while the course holds, where eta_us
                                           moves later as the lead (and σ) shrinks     */
    double approach_m;                  /* closest approach of the centre line: to a
                                           site's centre, to a region (0 when it gets in) */
    int64_t approach_us;                /* when                                        */
    double value;                       /* a site's value 0..1 (0 for regions)         */
} dw_threat_reach;

/* A country the path enters (other than the home country). */
typedef struct dw_threat_crossing {
    int feature;
    char country[3];                    /* its id as an ISO code, "" when longer        */
    int64_t eta_us;
    double lat_deg, lon_deg;            /* the crossing point on its border            */
} dw_threat_crossing;

typedef struct dw_threat {
    uint64_t track_id;
    int64_t t_us;                       /* the track's time: the path starts here      */
    double speed_mps;                   /* ground speed                                */
    double sigma_pos_m, sigma_vel_mps;  /* σp and σv above                             */
    double seg_s;                       /* time between path points                    */
    int n_points;                       /* 1 + segments; point 0 is the track          */
    double lat_deg[DW_THREAT_MAX_SEGS + 1], lon_deg[DW_THREAT_MAX_SEGS + 1];
    float sigma_m[DW_THREAT_MAX_SEGS + 1];   /* σ(t) at each point                     */
    int16_t country[DW_THREAT_MAX_SEGS + 1]; /* the country feature under each, -1     */
    int now_in;                         /* country feature it is over now, -1: none    */
    int inside_home;
    int64_t cross_eta_us;               /* predicted entry into the home country;
                                           INT64_MIN when none ahead (or inside)       */
    double cross_lat_deg, cross_lon_deg;
    int n_crossings;
    dw_threat_crossing crossings[DW_THREAT_MAX_CROSSINGS];
    int n_reach;                        /* earliest first                              */
    dw_threat_reach reach[DW_THREAT_MAX_REACH];
    int n_reach_dropped;                /* reachable beyond DW_THREAT_MAX_REACH        */
    double score;                       /* dw_threat_score's last answer, 0 before     */
} dw_threat;

typedef struct dw_threat_ctx dw_threat_ctx;

/* Resolves the configuration against the store (borrowed: it must outlive the context).
 * DW_ERR_INVALID with the reason in err for a home country the store does not have,
 * kinds it does not have, or a value out of range; DW_ERR_NOMEM. */
dw_status dw_threat_create(const dw_geog *g, const dw_threat_config *c, dw_threat_ctx **out,
                           char *err, size_t errlen);
void dw_threat_destroy(dw_threat_ctx *x);   /* NULL is fine */

const dw_threat_config *dw_threat_config_of(const dw_threat_ctx *x);
int dw_threat_home(const dw_threat_ctx *x);             /* the home country's feature */
uint32_t dw_threat_kinds(const dw_threat_ctx *x, int which); /* 0 countries, 1 regions,
                                                               2 sites */

/* The path, crossing and reach of one track (score left at 0). No allocation.
 * DW_ERR_INVALID (out untouched) for a position or velocity that is not finite. */
dw_status dw_threat_eval(const dw_threat_ctx *x, const dw_track *t, dw_threat *out);

/* σ(t) of the model above. */
double dw_threat_sigma_m(const dw_threat_config *c, double sigma_pos_m, double sigma_vel_mps,
                         double t_s);

/* The larger eigenvalue of a symmetric 2x2 block [a b; b c]. */
double dw_threat_max_eig2(double a, double b, double c);

/* The value 0..1 of a site, as the score uses it: the feature's "value" property when it
 * has one, else by kind (base 1.0, power_plant 0.9, airport 0.8, city from its
 * population: min(1, 0.5 + 0.25 log10(population / 50,000)), at least 0.4; a city
 * without one 0.6; any other kind 0.5). -1 for a feature that is not a site. */
double dw_threat_site_value(const dw_threat_ctx *x, int feature);

/* The score 0..1 (also written to th->score):
 *     score = P · A · (B + (1 − B) · S)
 * P the drone probability; A the affiliation's weight (hostile 1, suspect 0.85,
 * unknown and pending 0.7, neutral 0.1, assumed friend 0.05, friend 0); B the border
 * term, 0.5 over the home country, 0.5 u(τ_cross) when a crossing is ahead, else 0;
 * S the largest value x u(τ) over the reachable sites; u(τ) = exp(−τ / score_tau_s)
 * with τ the time to get there (0 when there). */
double dw_threat_score(const dw_threat_ctx *x, dw_threat *th, double drone_prob,
                       dw_affiliation aff);

#endif

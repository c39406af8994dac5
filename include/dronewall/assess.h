/* assess.h — threat assessment and alerts: who is this, where is it going, and who must
 * be told (DESIGN.md §5).
 *
 * The assessment takes the tracker's picture (dw_track values, as they are published)
 * and, per track:
 *   1. classifies it (class probabilities from its kinematics, the sensors' hints and
 *      its cooperative identity: classify.h);
 *   2. identifies it (STANAG 1241 affiliation by the operator's rules: rules.h), every
 *      change with the rule that made it;
 *   3. evaluates the threat: the predicted path over the next minutes with its
 *      uncertainty, when and where it crosses the border, which alert regions and
 *      protected sites it can reach and when, its closest approach to each, and a
 *      score that orders the operator's list (threat.h);
 *   4. raises, updates, clears and reopens alerts with hysteresis (src/assess/alerts.c):
 *      one alert per object, kind and area however many sensors hand it on, raised once
 *      (what comes back after its clear is reopened, and only when clearly worse), and a
 *      track that takes over from a broken one (a new track id for the same drone)
 *      continues its alerts instead of raising new ones.
 * Its outputs are dw_alert records (alerts.ndjson, CoT) and the tracks with their class
 * and affiliation filled in.
 *
 * This header holds what the parts share: the facts a track's assessment knows (which
 * the rules read), the alert record, and the names of alert kinds and states.
 * docs/assessment.md describes the model, the life cycle of each kind and the config
 * keys; docs/formats.md ("alert") the NDJSON record.
 */
#ifndef DRONEWALL_ASSESS_H
#define DRONEWALL_ASSESS_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/classify.h"
#include "dronewall/geog.h"
#include "dronewall/status.h"
#include "dronewall/track.h"

#define DW_ASSESS_ID_MAX 64     /* a region's, site's or country's id, NUL included */
#define DW_ASSESS_NAME_MAX 96

/* ------------------------------------------------------------------ facts
 * What the assessment knows of one track at one instant: the inputs of the
 * identification rules, and what the alerts are raised on. */
typedef struct dw_assess_facts {
    uint64_t track_id;
    int64_t t_us;
    dw_class cls;                       /* most probable class                       */
    double class_prob;                  /* its probability                           */
    double drone_prob;                  /* owa_drone + decoy + quadcopter            */
    int cooperative;                    /* it reports its own identity (ADS-B ICAO or
                                           callsign, Remote ID, a partner's track
                                           number), now or before                     */
    int has_squawk;                     /* an SSR Mode 3/A code was seen             */
    char origin[3];                     /* ISO country where it was first seen ("" at
                                           sea or outside every country loaded); for
                                           a track first seen just inside the home
                                           country flying in, the country it came from */
    char now_in[3];                     /* the country it is over now                */
    int inside_home;                    /* over the home country (the config's)      */
    int crossed_into_home;              /* entered the home country from outside     */
    int64_t crossed_us;                 /* when (the crossing's estimated instant)   */
    int64_t cross_eta_us;               /* the predicted crossing into the home
                                           country, INT64_MIN when none ahead        */
    double speed_mps, alt_m, climb_mps;
    /* The protected sites its predicted path reaches (within its uncertainty) within
     * warn_lead_s, nearest in time first. */
    int n_threatened;
    int threatened[8];                  /* feature indices in the geography store     */
    int64_t threatened_eta_us[8];
    double threat_score;                /* 0..1: orders the operator's list          */
    dw_affiliation affiliation;         /* as it stands before the rules run          */
} dw_assess_facts;

/* ------------------------------------------------------------------ alerts */

#define DW_ALERT_KINDS(X)                                                              \
    X(DW_ALERT_BORDER_IMMINENT, "border_imminent")   /* will cross into the home
                                                        country within the lead time  */ \
    X(DW_ALERT_BORDER_VIOLATION, "border_violation") /* has crossed into it            */ \
    X(DW_ALERT_PROTECTED_ZONE, "protected_zone")     /* a protected site threatened   */ \
    X(DW_ALERT_REGIONAL_WARNING, "regional_warning") /* air-raid warning for a region */ \
    X(DW_ALERT_AIRSPACE_CLOSURE, "airspace_closure") /* closure advised for an airport */ \
    X(DW_ALERT_SENSOR_DOWN, "sensor_down")           /* a sensor stale or silent      */ \
    X(DW_ALERT_DEBRIS_ZONE, "debris_zone")           /* where a track that ended
                                                        abruptly may have come down   */ \
    X(DW_ALERT_NEIGHBOUR_NOTICE, "neighbour_notice") /* to a neighbour a threat heads
                                                        for                            */

typedef enum dw_alert_kind {
#define DW_ALERT_KIND_ENUM(e, s) e,
    DW_ALERT_KINDS(DW_ALERT_KIND_ENUM)
#undef DW_ALERT_KIND_ENUM
    DW_NALERT_KINDS
} dw_alert_kind;

#define DW_ALERT_STATES(X)                                                  \
    X(DW_ALERT_RAISED, "raised")                                            \
    X(DW_ALERT_UPDATED, "updated")                                          \
    X(DW_ALERT_CLEARED, "cleared")                                          \
    X(DW_ALERT_REOPENED, "reopened")    /* the same alert back after its clear */

typedef enum dw_alert_state {
#define DW_ALERT_STATE_ENUM(e, s) e,
    DW_ALERT_STATES(DW_ALERT_STATE_ENUM)
#undef DW_ALERT_STATE_ENUM
    DW_NALERT_STATES
} dw_alert_state;

/* How urgent, for a display's colour and a pager's filter: critical for a border
 * violation, a protected site threatened within imminent_s and a debris zone; warning
 * for the rest. */
#define DW_ALERT_SEVERITIES(X)                                              \
    X(DW_ALERT_INFO, "info")                                                \
    X(DW_ALERT_WARNING, "warning")                                          \
    X(DW_ALERT_CRITICAL, "critical")

typedef enum dw_alert_severity {
#define DW_ALERT_SEV_ENUM(e, s) e,
    DW_ALERT_SEVERITIES(DW_ALERT_SEV_ENUM)
#undef DW_ALERT_SEV_ENUM
    DW_NALERT_SEVERITIES
} dw_alert_severity;

/* One change of one alert: raised, then updated any number of times, then cleared;
 * within suppress_s of its clear it may be reopened (same id, same raised_us) and
 * cleared again. An alert is keyed by (kind, area, object): a regional warning
 * or an airspace closure is one alert per area however many tracks keep it up
 * (track_ids lists up to eight of them, n_tracks counts them all); a border violation,
 * a protected site threatened, a neighbour notice or a debris zone is one per object and
 * area, where the object is the drone however many track ids it has had; a sensor_down
 * is one per sensor. */
typedef struct dw_alert {
    uint64_t id;                        /* stable over the alert's life               */
    dw_alert_kind kind;
    dw_alert_state state;
    int64_t t_us;                       /* of this change                             */
    int64_t raised_us;                  /* when it was raised                         */
    uint64_t track_id;                  /* the track it is about (0: none, e.g. a
                                           regional warning held by several)          */
    uint64_t track_ids[8];              /* the tracks holding it up now                */
    int n_tracks;
    char area_id[DW_ASSESS_ID_MAX];     /* region, site, airport, country or sensor id */
    char area_name[DW_ASSESS_NAME_MAX];
    char neighbour[3];                  /* NEIGHBOUR_NOTICE: the country told          */
    double lat_deg, lon_deg;            /* the point it is about (crossing point,
                                           debris centre, the track's position)       */
    double radius_m;                    /* DEBRIS_ZONE: the zone's radius              */
    int64_t eta_us;                     /* predicted arrival, INT64_MIN when none      */
    int64_t event_us;                   /* the instant it is about, INT64_MIN when none:
                                           BORDER_VIOLATION the estimated crossing,
                                           DEBRIS_ZONE the estimated impact,
                                           SENSOR_DOWN the sensor's last report        */
    dw_alert_severity severity;
    char region[DW_ASSESS_ID_MAX];      /* the home country's alert region its point
                                           is in ("" when none)                       */
    /* The track it is about, as it was at this change (when about one). */
    double track_lat_deg, track_lon_deg, track_alt_m;
    double track_vel_enu_mps[3];
    dw_class cls;                       /* of the track, when about one               */
    dw_affiliation affiliation;
    double threat_score;
    char reason[160];                   /* why, in words an operator reads            */
} dw_alert;

const char *dw_alert_kind_name(dw_alert_kind k);
int dw_alert_kind_parse(const char *s, dw_alert_kind *out);
const char *dw_alert_state_name(dw_alert_state s);
int dw_alert_state_parse(const char *s, dw_alert_state *out);
const char *dw_alert_severity_name(dw_alert_severity s);
int dw_alert_severity_parse(const char *s, dw_alert_severity *out);

/* Zeroed, times INT64_MIN, class unknown, affiliation pending. */
void dw_alert_init(dw_alert *a);

/* ------------------------------------------------------------------ the engine */

struct dw_rules;

typedef struct dw_assess_config {
    const dw_geog *geo;                 /* borrowed: borders, regions, sites; required */
    const struct dw_rules *rules;       /* borrowed; NULL: affiliations are left as
                                           the tracks bring them                     */
    dw_classify_config classify;
    char home[3];                       /* the defended country ("PL")                */
    const char *region_kinds;           /* kinds that are alert regions ("region")    */
    const char *site_kinds;             /* kinds that are protected sites
                                           ("airport,power_plant,base,city")          */
    const char *airport_kinds;          /* of those, airports ("airport")             */
    double horizon_s;                   /* predicted path looked ahead (1800: what the
                                           alerts hold, warn_lead_s x hold_factor)     */
    double imminent_s;                  /* border_imminent when the crossing is nearer
                                           than this (300)                            */
    double warn_lead_s;                 /* regional warnings and closures raised when a
                                           threat can reach the area within this (900) */
    double clear_after_s;               /* an area alert is cleared this long after its
                                           last holder stopped holding it (180)        */
    double sensor_stale_s;              /* a sensor silent this long is down (120)     */
    double drone_prob_min;              /* a track is a drone threat from this drone
                                           probability on (0.5)                       */
    /* Added with the engine; dw_assess_config_default sets them, docs/assessment.md
     * says what each does. */
    const char *country_kinds;          /* kinds that are countries ("country")        */
    double k_sigma;                     /* reachable within k sigma(t) (2)             */
    double manoeuvre_q;                 /* the prediction's manoeuvre term, m²/s³ (0.05) */
    double seg_max_m;                   /* longest predicted path segment (10,000)     */
    double score_tau_s;                 /* the score's urgency time scale (600)        */
    double eta_update_s;                /* an ETA moved by more than this ...  (30)    */
    double eta_update_frac;             /* ... and by more than this fraction of the
                                           time left to it is an update (0.1)          */
    double hold_factor;                 /* a held alert stays held until its lead time
                                           times this is exceeded (2)                  */
    double continue_window_s;           /* a new track may continue one that stopped
                                           updating at most this long before (60)      */
    double continue_gate_m;             /* ... when it starts within this plus k sigma
                                           plus continue_speed_frac of the distance
                                           flown of where the old one was heading (1500) */
    double continue_speed_frac;         /* (0.25)                                     */
    double continue_dv_mps;             /* ... and its velocity differs by at most this
                                           or half the old speed, whichever is more (25) */
    double continue_dalt_m;             /* ... and its altitude by at most this (1000) */
    double track_timeout_s;             /* a track not updated this long is ended
                                           without a dead record (300)                 */
    double debris_hold_s;               /* an ended track's debris zone waits this long
                                           for a continuation (15)                     */
    double debris_keep_s;               /* a debris zone is cleared after this (1800)  */
    double debris_min_speed_mps;        /* moving: at least this fast (5)              */
    double ground_alt_m;                /* ground height above the ellipsoid for the
                                           fall time (0)                               */
    double coverage_cell_deg;           /* the cells of what was seen (0.02)           */
    double coverage_window_s;           /* a cell seen this recently counts (3600)     */
    double edge_ahead_m;                /* "not at the edge": the cell this far ahead
                                           of the end was seen (5000)                  */
    size_t tracks_hint;                 /* track states allocated at start (1024)      */
    /* Hysteresis beyond the leads (docs/assessment.md §3). */
    double drone_prob_hold;             /* a drone threat stays one down to this drone
                                           probability (0.3)                           */
    double suppress_s;                  /* a cleared alert is remembered this long: it
                                           comes back (reopened, same id) only when
                                           clearly worse, never as a new raise (1800)  */
    double entry_gate_m;                /* a track first seen over the home country at
                                           most this far inside, flying in, crossed
                                           into it (5000)                              */
} dw_assess_config;

void dw_assess_config_default(dw_assess_config *c);

typedef struct dw_assess_sink {
    /* Every alert change, in time order. */
    void (*alert)(void *ctx, const dw_alert *a);
    /* Every affiliation change with the rule that made it (rule: its name). */
    void (*identity)(void *ctx, const dw_track *t, dw_affiliation from, dw_affiliation to,
                     const char *rule);
    void *ctx;
} dw_assess_sink;

typedef struct dw_assess dw_assess;

/* DW_ERR_INVALID (with the reason in err) for a config without geography or a home
 * country the geography does not have; DW_ERR_NOMEM. */
dw_status dw_assess_create(const dw_assess_config *c, const dw_assess_sink *sink,
                           dw_assess **out, char *err, size_t errlen);
void dw_assess_destroy(dw_assess *a);   /* NULL is fine */

/* One published update of a track (confirmed, coasting, or dead when it ends), in time
 * order. Fills in t's class, class_prob and affiliation. hints may be NULL. */
dw_status dw_assess_track(dw_assess *a, dw_track *t, const dw_class_hints *hints);

/* A sensor reported (up = 1) or was declared stale or down (up = 0) at t_us. A sensor
 * that reported once and then stays silent for sensor_stale_s raises sensor_down. */
dw_status dw_assess_sensor(dw_assess *a, const char *sensor_id, int up, int64_t t_us);

/* Time moves on: clears what has lapsed, raises sensor_down for silent sensors. */
dw_status dw_assess_advance(dw_assess *a, int64_t t_us);

/* The facts of a live track as last assessed, or NULL. The pointer is valid until the
 * next call that changes the engine. */
const dw_assess_facts *dw_assess_facts_of(const dw_assess *a, uint64_t track_id);

/* An approved engagement is on the track: when it ends, it came down there, and its debris
 * zone is raised without the coverage test (docs/assessment.md §6); the other conditions
 * hold. DW_ERR_NOT_FOUND when the track is not live. */
dw_status dw_assess_engaged(dw_assess *a, uint64_t track_id);

struct dw_threat;
/* The threat evaluation of a live track as last assessed (path, crossing, reach), into
 * *out: DW_OK, or DW_ERR_NOT_FOUND. */
dw_status dw_assess_threat_of(const dw_assess *a, uint64_t track_id, struct dw_threat *out);

typedef struct dw_assess_stats {
    uint64_t updates, tracks, alerts_raised, alerts_updated, alerts_cleared;
    uint64_t alerts_reopened;           /* cleared alerts back, clearly worse         */
    uint64_t alerts_suppressed;         /* wants of a cleared alert not worse enough
                                           to bring it back (per update)              */
    uint64_t identity_changes;
    uint64_t raised_by_kind[DW_NALERT_KINDS];
    uint64_t continued;                 /* new tracks that continued an old one       */
    uint64_t ended, timed_out;          /* tracks ended by a dead record, by silence  */
    uint64_t bad_input;                 /* updates refused (not finite, no id)        */
    uint64_t ignored;                   /* tentative, or updates of a continued id    */
    uint64_t active_alerts;             /* now                                        */
} dw_assess_stats;
void dw_assess_get_stats(const dw_assess *a, dw_assess_stats *out);

/* The alert as one NDJSON line (docs/formats.md, "alert"), NUL-terminated, without the
 * newline, into buf[0 .. cap-1]: the length, or 0 when it does not fit. */
size_t dw_alert_to_ndjson(const dw_alert *a, char *buf, size_t cap);

/* A neighbour notice as Cursor-on-Target (docs/assessment.md): the event of the threat
 * as dw_cot_encode_track writes it for the track's state in the alert (uid
 * "dronewall-<track id>", time now_us, stale at the predicted crossing or 2 minutes
 * after now, whichever is later), with its remarks addressed to the neighbour
 * (<remarks source="dronewall" to="LT" time="...">) and saying when and where the
 * threat is predicted to enter. XML into [buf, end); *out_end after the last byte.
 * DW_ERR_UNSUPPORTED for other kinds, DW_ERR_FULL, DW_ERR_RANGE as the encoder. */
dw_status dw_alert_to_cot(const dw_alert *a, int64_t now_us, uint8_t *buf, uint8_t *end,
                          uint8_t **out_end);

#endif

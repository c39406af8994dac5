/* classify.h — what kind of object a track is: class probabilities from its kinematics,
 * its sensors' hints and its cooperative identity.
 *
 * Each track carries a small running state (dw_class_state) that every published update
 * feeds; the probabilities come from it, so a class does not flicker with one noisy
 * speed estimate. Evidence, each as a likelihood per class combined in log space:
 *   - kinematics: ground speed, altitude, climb rate and lateral acceleration (turn rate
 *     times speed) against each class's envelope (a Gerbera decoy flies 90-160 km/h at
 *     0.1-3 km; an airliner 700-950 km/h at 7-12.5 km; a bird under 80 km/h, mostly low;
 *     a fighter fast and agile), sustained hard turns (agility), and the track's age
 *     against the class's endurance (a quadcopter does not stay up for two hours);
 *   - the sensors' hints (dw_class_hints): classifier scores a sensor sent (EO/IR,
 *     SAPIENT), radar cross-section, being heard by acoustic sensors, being heard on a
 *     drone's radio link (an RF sensor), an SSR Mode 3/A code (a transponder: a crewed
 *     aircraft);
 *   - cooperative identity: an ADS-B or Mode S ICAO address says crewed aircraft (which
 *     one, the kinematics say), a Remote ID serial says an unmanned aircraft that
 *     declares itself (quadcopter class).
 * Birds and airliners must come out as birds and airliners, not drones: the alerts
 * depend on it.
 *
 * How it is computed (docs/identification.md has the envelopes with their sources):
 *   - A class's envelope is a few regimes (an airliner cruising or in the terminal area,
 *     a Shahed at 2-5 km or low, a quadcopter hovering or moving), each a box per
 *     feature; the box is blurred by the class's own softness (wind on ground speed,
 *     terrain on altitude) and by the track's uncertainty (its covariances), so a value
 *     just outside a box costs a little and a far one a lot. Each feature's log
 *     likelihood is clamped at DW_CLASSIFY_KIN_FLOOR below its best: a wrong speed
 *     estimate never makes a class impossible.
 *   - Per update the kinematic log likelihoods are averaged into the state with weights
 *     that decay with time (smoothing_s): every update counts once, and after
 *     smoothing_s it has lost 63 % of its weight. One outlier update moves the average by
 *     its share of the weight (about report period / smoothing_s), not more.
 *   - The hints are the pipeline's running summary of the track, so the latest ones
 *     given replace the earlier (each term clamped at DW_CLASSIFY_HINT_FLOOR); a NULL
 *     hints pointer keeps what the state has. Identity is read from the track itself.
 *   - The result: prior x exp(kinematic average) x exp(hints), normalised. Before
 *     min_track_s of history the kinematics are not used (prior and hints only: an
 *     ADS-B airliner is an airliner from its first report). An update whose velocity
 *     the tracker has not estimated yet (dw_classify_velocity_known) is no kinematics.
 *
 * All functions are pure on their arguments: no allocation, no clock, no globals; a
 * state may be copied freely.
 */
#ifndef DRONEWALL_CLASSIFY_H
#define DRONEWALL_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/track.h"

/* Clamps, in nats below a term's best value: one kinematic feature, one hint. */
#define DW_CLASSIFY_KIN_FLOOR 6.0
#define DW_CLASSIFY_HINT_FLOOR 8.0

/* Agility: a lateral acceleration of at least DW_CLASSIFY_AGILE_MPS2 (a level turn banked
 * 45°, 1.4 g), less its noise, on DW_CLASSIFY_AGILE_RUN turn measurements in a row is
 * something an airliner, a Shahed or a Gerbera does not do; the evidence is kept for
 * DW_CLASSIFY_AGILE_MEMORY_S after the last such turn (a fighter's patrol turns again). */
#define DW_CLASSIFY_AGILE_MPS2 10.0
#define DW_CLASSIFY_AGILE_RUN 3
#define DW_CLASSIFY_AGILE_MEMORY_S 900.0

/* What the sensors said of a track beyond its position, accumulated by the tracking
 * pipeline over the reports it took (all optional: zero means not known). */
typedef struct dw_class_hints {
    uint32_t sensor_kinds;              /* bit (1u << dw_sensor_kind) per kind that
                                           reported it                               */
    float class_score[DW_NCLASSES];     /* mean of the classifier scores sensors sent */
    uint32_t n_class_scores;            /* how many were averaged (0: none)           */
    double rcs_m2;                      /* mean radar cross-section, 0: unknown       */
    uint32_t n_rcs;
    uint16_t mode3a;                    /* an SSR Mode 3/A code seen, 0: none         */
    int heard;                          /* an acoustic sensor reported it            */
} dw_class_hints;

/* The hints a published track carries by itself: the kinds of sensor whose tracker slots
 * reported it (a radar's slot by its radar in `sensors`, found through `index`; the shared
 * bearing slots "acoustic-bearings", "rf-bearings", "eo-bearings" by their kind) and its
 * squawk. slot_names as dw_pipeline_sensor_names gives them; index may be NULL. The rest of
 * h is zero. */
struct dw_track;
struct dw_sensor;
struct dw_sensors_index;
void dw_class_hints_of_track(const struct dw_track *t, const char *const *slot_names,
                             size_t n_names, const struct dw_sensors_index *index,
                             const struct dw_sensor *sensors, dw_class_hints *h);

typedef struct dw_classify_config {
    double min_track_s;                 /* before this much history: prior only (10)  */
    double smoothing_s;                 /* time constant of the kinematic averages (30) */
    double prior[DW_NCLASSES];          /* prior probabilities (sum 1; the default:
                                           equal but birds x2, quadcopters x0.5,
                                           unknown x1/3: docs/identification.md)     */
} dw_classify_config;

void dw_classify_config_default(dw_classify_config *c);

/* The running state of one track; plain value, zero-initialise with dw_class_state_init. */
typedef struct dw_class_state {
    int64_t first_us, last_us;
    double speed_mps, alt_m, climb_mps, turn_rps;   /* smoothed                     */
    double max_speed_mps, max_turn_rps;
    double last_heading_rad;            /* the heading the next turn is measured from,
                                           NaN when none (slower than 3 m/s)          */
    int64_t heading_us;                 /* ...and when it was taken                   */
    uint32_t n;                         /* updates taken                              */
    double logl[DW_NCLASSES];           /* accumulated evidence, log: the weighted mean
                                           of the kinematic log likelihoods           */
    double weight;                      /* the sum of the decayed update weights       */
    double hint_logl[DW_NCLASSES];      /* the latest hints' evidence, log (<= 0): class
                                           scores, RCS, heard, an RF emitter         */
    uint32_t ident;                     /* DW_CLASS_IDENT_* the track has ever shown   */
    uint32_t agile_run;                 /* agile turn measurements in a row            */
    int64_t agile_us;                   /* the last sustained agile turn, 0: never     */
} dw_class_state;

/* Identities, sticky: an object that once answered with a transponder is crewed. */
enum {
    DW_CLASS_IDENT_ICAO = 1u << 0,      /* an ICAO address (ADS-B, Mode S)            */
    DW_CLASS_IDENT_SSR = 1u << 1,       /* a Mode 3/A code                             */
    DW_CLASS_IDENT_RID = 1u << 2,       /* a Remote ID serial                          */
};

void dw_class_state_init(dw_class_state *s);

/* Feeds one published update of the track (confirmed or coasting; others are ignored).
 * hints may be NULL. An update not later than the last one changes only the hints. */
void dw_classify_update(const dw_classify_config *c, dw_class_state *s, const dw_track *t,
                        const dw_class_hints *hints);

/* The probabilities now (sum 1) and the most probable class: unknown while only the
 * prior speaks (no kinematics yet, no hints, no identity) or when the most probable
 * classes tie. Either output may be NULL; s NULL gives the prior. */
void dw_classify_result(const dw_classify_config *c, const dw_class_state *s,
                        float prob[DW_NCLASSES], dw_class *best);

/* Has the tracker had time to estimate the track's velocity? A track starts from a plot
 * or two, and its first velocity may be 0 m/s (an airliner taking off) or 80 m/s the
 * wrong way, with a sigma of 30-80 m/s. Known: the larger horizontal axis of its
 * velocity covariance at most DW_CLASSIFY_VEL_KNOWN_MPS; without a covariance,
 * DW_CLASSIFY_VEL_KNOWN_HITS plots (when it counts them) and DW_CLASSIFY_VEL_KNOWN_S of
 * age (t_us - first_us, when it gives first_us); a track that says neither is taken as
 * known. Speed, climb and
 * turn evidence is taken only from a known velocity; the assessment raises no alert on
 * a path predicted from one that is not (docs/identification.md, docs/assessment.md). */
#define DW_CLASSIFY_VEL_KNOWN_MPS 15.0
#define DW_CLASSIFY_VEL_KNOWN_S 6.0
#define DW_CLASSIFY_VEL_KNOWN_HITS 3
int dw_classify_velocity_known(const dw_track *t);

/* 1 for the classes that are drones (owa_drone, decoy, quadcopter). */
int dw_class_is_drone(dw_class c);

/* The drone probability of a result: owa_drone + decoy + quadcopter. */
double dw_classify_drone_prob(const float prob[DW_NCLASSES]);

/* The kinematic envelopes as a Markdown table (the one in docs/identification.md is
 * this output), NUL-terminated into buf[0 .. cap-1]: the length, or 0 when it does not
 * fit. */
size_t dw_classify_describe(char *buf, size_t cap);

#endif

/* sim.h — the scenario simulator: threats, traffic and sensors, with the truth known.
 *
 * A scenario (YAML, docs/scenarios.md) names targets and raids, civil traffic and sensors.
 * Everything is a pure function of the scenario and its seed: target paths are computed when
 * the scenario is loaded (routes, speed and altitude profiles, fuel, dives, shoot-downs), so a
 * target's state at any instant is a lookup, and each sensor draws its noise from its own
 * random stream (seeded from the scenario seed and the sensor's id), so adding a sensor never
 * changes what another one reports. The simulator never reads the wall clock.
 *
 * Sensors report what they mean to say as dw_obs, each with the instant it reaches the
 * pipeline (a citizen's report minutes after the sighting) and the wire format it travels in;
 * the caller (sim.c, `dronewall sim`) encodes it with the real encoders of src/codecs, writes
 * the raw streams, decodes them again and feeds the tracker, as live feeds would be.
 *
 * Ownership: dw_scenario owns its world, sensors and names; dw_scenario_destroy frees them.
 * States and observations handed to callbacks are valid only during the call.
 */
#ifndef DRONEWALL_SIM_H
#define DRONEWALL_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/doc.h"
#include "dronewall/obs.h"
#include "dronewall/pipeline.h"
#include "dronewall/sensor.h"
#include "dronewall/status.h"
#include "dronewall/truth.h"

/* ------------------------------------------------------------------ random numbers
 * xoshiro256** seeded by splitmix64 from (seed, stream): one stream per target and per sensor,
 * stream = dw_rng_hash(id), so draws do not depend on the order things are listed in. */
typedef struct dw_rng {
    uint64_t s[4];
} dw_rng;

void dw_rng_seed(dw_rng *r, uint64_t seed, uint64_t stream);
uint64_t dw_rng_next(dw_rng *r);
double dw_rng_uniform(dw_rng *r);               /* [0, 1)                     */
double dw_rng_normal(dw_rng *r);                /* N(0, 1)                    */
double dw_rng_exp(dw_rng *r, double mean);      /* exponential with that mean */
uint32_t dw_rng_poisson(dw_rng *r, double lambda);
uint64_t dw_rng_hash(const char *s);            /* FNV-1a 64 of a name        */

/* ------------------------------------------------------------------ target states */

/* What a target is and does, as sensors see it. */
enum {
    DW_SIM_ADSB = 1u << 0,          /* broadcasts ADS-B (icao, callsign)          */
    DW_SIM_SSR = 1u << 1,           /* answers SSR: Mode 3/A and Mode C           */
    DW_SIM_RID = 1u << 2,           /* broadcasts Remote ID (rid)                 */
    DW_SIM_RF = 1u << 3,            /* emits a control/telemetry link (RF detector) */
    DW_SIM_AUDIBLE = 1u << 4,       /* an engine the acoustic sensors can hear    */
};

typedef struct dw_sim_state {
    dw_truth truth;                 /* t_us, id, cls, lat/lon/alt, vel, alive    */
    uint32_t target;                /* index in the world                        */
    double ecef[3];                 /* position, m                               */
    double rcs_m2;                  /* radar cross-section                       */
    double sound_db;                /* source level at 1 m, dB SPL (acoustic)    */
    uint32_t flags;                 /* DW_SIM_*                                  */
    uint32_t icao;
    uint16_t mode3a;
    char callsign[DW_CALLSIGN_MAX];
    char rid[DW_RID_MAX];
} dw_sim_state;

/* The targets of a scenario. */
typedef struct dw_sim_world dw_sim_world;

size_t dw_sim_world_count(const dw_sim_world *w);
/* Target i's state at t_us: 1 if it exists then (launched, and not ended more than a
 * moment ago; an ended target reports alive = 0 once, at its end), 0 if not (out untouched). */
int dw_sim_world_state(const dw_sim_world *w, size_t i, int64_t t_us, dw_sim_state *out);
/* The states of every target that exists at the instant of the last dw_sim_world_advance,
 * in target order; valid until the next advance. Sensors use it to find candidates and
 * dw_sim_world_state for the exact state at their own measurement instants. */
size_t dw_sim_world_snapshot(const dw_sim_world *w, const dw_sim_state **out);
void dw_sim_world_advance(dw_sim_world *w, int64_t t_us);
/* An engagement killed target i at t_us: it ends there (its debris falls where it was) and
 * no sensor sees it after. 1 when it was flying then, 0 otherwise (not launched yet, already
 * ended). Called between steps by the one thread that runs the scenario. */
int dw_sim_world_shoot(dw_sim_world *w, size_t i, int64_t t_us);

/* An engagement's outcome in the simulated world (dw_sim_world_engage). */
typedef enum dw_sim_engage {
    DW_SIM_ENGAGE_NONE = 0,     /* no drone within reach of the intercept point then   */
    DW_SIM_ENGAGE_MISS,         /* one was there: the shot missed                      */
    DW_SIM_ENGAGE_HIT,          /* it was brought down (dw_sim_world_shoot)            */
} dw_sim_engage;

/* An approved engagement applied to the world at its intercept t_us: the flying drone
 * (owa_drone, decoy, quadcopter) nearest to (lat_deg, lon_deg) within radius_m is brought
 * down when u01 (a uniform draw in [0, 1), the caller's, so runs can be repeated) is under
 * pk. *hit (may be NULL) gets the drone's state at t_us for a MISS or a HIT. */
dw_sim_engage dw_sim_world_engage(dw_sim_world *w, int64_t t_us, double lat_deg, double lon_deg,
                                  double radius_m, double pk, double u01, dw_sim_state *hit);

/* ------------------------------------------------------------------ sensors */

/* How an observation travels to the pipeline. */
#define DW_SIM_STREAMS(X)                                                               \
    X(DW_SIM_STREAM_ASTERIX, "asterix", "pcap")  /* radars: CAT048 in UDP, SAC/SIC in band */ \
    X(DW_SIM_STREAM_SBS, "sbs", "sbs")           /* ADS-B receivers, one per file   */  \
    X(DW_SIM_STREAM_SAPIENT, "sapient", "bin")   /* acoustic, RF, EO, AEW: node id  */  \
    X(DW_SIM_STREAM_NDJSON, "ndjson", "ndjson")  /* citizens' reports                */  \
    X(DW_SIM_STREAM_COT, "cot", "cot")           /* a neighbour's warnings, per file */  \
    X(DW_SIM_STREAM_REMOTEID, "remoteid", "pcap") /* Remote ID receivers: packs in UDP */

typedef enum dw_sim_stream {
#define DW_SIM_STREAM_ENUM(e, name, ext) e,
    DW_SIM_STREAMS(DW_SIM_STREAM_ENUM)
#undef DW_SIM_STREAM_ENUM
    DW_SIM_NSTREAMS
} dw_sim_stream;

const char *dw_sim_stream_name(dw_sim_stream s);
const char *dw_sim_stream_ext(dw_sim_stream s);

/* One simulated reporting sensor: the engine's description of it (what a sensors file
 * would say; for a radar its ASTERIX name "ASX-SAC-SIC" is the sensor's wire_id) and how
 * its reports travel. An acoustic network of 10,000 nodes is 10,000 of these. */
typedef struct dw_sim_sensor_info {
    dw_sensor desc;
    dw_sim_stream stream;
} dw_sim_sensor_info;

/* Where sensor models put what they produce. `o` is what the sensor measured (o->t_us the
 * measurement instant, o->sensor its id, o->sensor_idx its index in the sensor table); it
 * reaches the pipeline at deliver_us >= o->t_us. `target` is the world index of the target
 * it came from, or -1 for a false alarm or clutter: the truth side of the run uses it (first
 * detections in the summary), it never travels with the observation. Observations may be
 * emitted for instants after the step that produced them (a radar's whole scan at once);
 * the caller orders them. */
typedef struct dw_sim_sink {
    void (*emit)(void *ctx, const dw_obs *o, int64_t deliver_us, int32_t target);
    void *ctx;
} dw_sim_sink;

typedef struct dw_sim_sensors dw_sim_sensors;

/* The scenario's "sensors" list (an array inside d): each entry is checked (unknown keys,
 * bad values and missing keys are errors naming the file and line) and built. seed is the
 * scenario's; start_us its start, from which periodic sensors phase their reports. */
dw_status dw_sim_sensors_load(const dw_doc *d, const json_t *list, uint64_t seed, int64_t start_us,
                              dw_sim_sensors **out, char *err, size_t errlen);
void dw_sim_sensors_destroy(dw_sim_sensors *s);

/* The i-th sensor model's kind word ("radar", "aew", "acoustic", ...), NULL past the last. */
const char *dw_sim_sensor_model(size_t i);

/* The table of reporting sensors, index = dw_obs.sensor_idx. */
const dw_sim_sensor_info *dw_sim_sensors_table(const dw_sim_sensors *s, size_t *n);

/* Everything the sensors measure in [t0_us, t1_us): the world has been advanced to t0_us.
 * Observations for later instants may come out now (see dw_sim_sink). */
void dw_sim_sensors_step(dw_sim_sensors *s, const dw_sim_world *w, int64_t t0_us, int64_t t1_us,
                         const dw_sim_sink *sink);

/* ------------------------------------------------------------------ scenarios */

/* Something the scenario makes happen, for the run's summary: a launch, a border crossing,
 * a landing or crash when the fuel ends, a shoot-down. Times in µs. */
#define DW_SIM_EVENTS(X)                                                                \
    X(DW_SIM_EV_LAUNCH, "launch")                                                       \
    X(DW_SIM_EV_END_FUEL, "fuel_out")       /* glided down and landed / crashed */     \
    X(DW_SIM_EV_END_DIVE, "impact")         /* terminal dive onto its target    */     \
    X(DW_SIM_EV_SHOT, "shot_down")                                                      \
    X(DW_SIM_EV_ARRIVE, "arrived")          /* aircraft landed at its destination */

typedef enum dw_sim_event_kind {
#define DW_SIM_EVENT_ENUM(e, s) e,
    DW_SIM_EVENTS(DW_SIM_EVENT_ENUM)
#undef DW_SIM_EVENT_ENUM
    DW_SIM_NEVENTS
} dw_sim_event_kind;

const char *dw_sim_event_name(dw_sim_event_kind k);

typedef struct dw_sim_event {
    int64_t t_us;
    dw_sim_event_kind kind;
    uint32_t target;
    double lat_deg, lon_deg;
    char place[64];                 /* the named place it aimed for (its route's last point), or "" */
} dw_sim_event;

/* A named point of the scenario ("places:"): an airport, a crash site, a launch area... */
typedef struct dw_sim_place {
    char name[64];
    char kind[32];                  /* the file's word: airport, city, crash_site, ... or "" */
    char label[96];
    double lat_deg, lon_deg, alt_m;
} dw_sim_place;

typedef struct dw_scenario {
    char name[64];
    char *description;
    uint64_t seed;
    int64_t start_us, end_us;       /* simulated interval                         */
    int64_t step_us;                /* simulation step (default 1 s)              */
    int64_t truth_period_us;        /* truth.ndjson rate (default 1 s)            */
    int64_t report_period_us;       /* tracks.ndjson rate (default = truth's)     */
    dw_sim_world *world;
    dw_sim_sensors *sensors;
    dw_sim_event *events;           /* sorted by time                             */
    size_t n_events;
    dw_sim_place *places;           /* in the file's order                        */
    size_t n_places;
    /* assessment: what the picture is assessed against (all empty when the file has no
     * assessment section). Paths are resolved against the scenario file's directory. */
    char home[3];                   /* the defended country, ISO 3166-1 alpha-2      */
    char **geo_files;               /* GeoJSON: borders, regions, protected sites    */
    size_t n_geo_files;
    char *rules_file;               /* identification rules, NULL: none              */
    /* tracker: the pipeline's settings for this scenario (the defaults, with what the
     * file's tracker section changes). */
    dw_pipeline_config tracker;
} dw_scenario;

/* Reads and builds a scenario; seed_override != 0 replaces the file's seed. DW_ERR_NOT_FOUND,
 * DW_ERR_IO, DW_ERR_PARSE (with "PATH:LINE: what" in err) or DW_ERR_NOMEM. */
dw_status dw_scenario_load(const char *path, uint64_t seed_override, dw_scenario **out, char *err,
                           size_t errlen);
/* How a scenario is loaded: another seed, or without some kinds of sensor (the acoustic
 * line alone: without radar and aew) — what a cheap "wall" buys on its own. */
typedef struct dw_scenario_options {
    uint64_t seed;                  /* != 0: replaces the file's seed                 */
    const char *const *without;     /* NULL-terminated sensor kinds to leave out, or NULL */
} dw_scenario_options;

dw_status dw_scenario_load_opts(const char *path, const dw_scenario_options *o, dw_scenario **out,
                                char *err, size_t errlen);

/* The same from memory; name (".yaml", ".json" or sniffed) starts the messages. */
dw_status dw_scenario_load_mem(const char *buf, size_t len, const char *name,
                               uint64_t seed_override, dw_scenario **out, char *err, size_t errlen);
void dw_scenario_destroy(dw_scenario *s);

/* ------------------------------------------------------------------ running a scenario
 * dw_sim_run steps the scenario from start to end: truth at its rate, every sensor's
 * reports encoded by the real encoders into raw streams (one file per radar — its UDP feed
 * recorded as pcap, since ASTERIX carries only the time of day —, ADS-B receiver, partner
 * feed and citizen channel; one SAPIENT stream for all SAPIENT nodes), decoded
 * again by the real decoders into obs, and, unless told not to, tracked and scored.
 * Files in out_dir (created if missing; written to temporary names and renamed when whole):
 *   truth.ndjson  tracks.ndjson  obs.ndjson  events.ndjson  sensors.json  score.json
 *   summary.json  streams/<sensor or "sapient">.<ext>  [meant.ndjson]
 * Nothing is read from the wall clock: `progress` (called after every step) is where a
 * caller paces a run to real time or draws a progress bar. */
typedef struct dw_sim_progress {
    int64_t t_us;                   /* simulated time reached                        */
    int64_t start_us, end_us;
    uint64_t truth_written, obs_emitted, obs_delivered, obs_decoded, bytes_encoded;
    uint64_t encode_errors;         /* observations an encoder refused (counted, skipped) */
    uint64_t decode_malformed;      /* frames the decoders skipped                   */
    uint64_t tracks_confirmed;      /* tracks the tracker has confirmed so far       */
    uint64_t tracks_now;            /* confirmed or coasting at the last report      */
    uint64_t obs_dropped;           /* observations the tracker could not use yet    */
} dw_sim_progress;

typedef struct dw_sim_options {
    const char *out_dir;            /* NULL: write nothing (a benchmark)            */
    int track;                      /* run the tracker and score (default in cmd: 1) */
    int write_meant;                /* also write meant.ndjson: obs before encoding  */
    int write_obs;                  /* obs.ndjson (default 1)                        */
    void (*progress)(void *ctx, const dw_sim_progress *p);
    void *ctx;
    /* Optional: every observation as it is delivered, decoded, named by its sensor's id
     * (the daemon's scenario input: `dronewall run --scenario`). Delivery order is time
     * order within a step; the progress call follows each step's deliveries. */
    void (*obs)(void *ctx, const dw_obs *o);
    /* Optional: the run ends after the step during which *stop became nonzero (another
     * thread's request; the files written are those of a shorter run). */
    const volatile int *stop;
} dw_sim_options;

dw_status dw_sim_run(dw_scenario *s, const dw_sim_options *opt, dw_sim_progress *out,
                     char *err, size_t errlen);

#endif

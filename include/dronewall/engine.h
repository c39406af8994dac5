/* engine.h — the daemon's picture: observations in, tracks, alerts and identities out,
 * as one deterministic machine that a recording can drive again.
 *
 * `dronewall run` and `dronewall replay` both hold one engine. It owns the track stage's
 * pipeline (pipeline.h) and, when the configuration names a geography, the assessment
 * (assess.h), and it keeps the current picture that the HTTP API and the WebSocket stream
 * show: every live track with its recent history, every alert as it last stood, and which
 * of them changed since the stream last looked.
 *
 * Determinism. Everything that changes the engine comes through one of its input calls:
 * an observation, a flush (the end of a datagram or read), a tick (the clock went on), a
 * sensor going quiet or coming back, an operator's acknowledgement or identity. Each call
 * first hands the event to the sink's `input` as one NDJSON line and then acts on what
 * that line says — an observation is parsed back from its own line, so what is recorded is
 * exactly what was tracked. dw_engine_apply takes such a line again; an engine given the
 * same lines in the same order puts out the same lines (dronewall replay checks this byte
 * for byte). Nothing here reads the clock.
 *
 * Outputs (the sink's `output`, each one NDJSON line, docs/formats.md):
 *   DW_ENG_OUT_TRACK     a track at a report instant, assessed ("threat", "sigma_m" added)
 *   DW_ENG_OUT_DEAD      a confirmed track was dropped
 *   DW_ENG_OUT_ALERT     an alert was raised, updated, cleared, reopened or acknowledged
 *   DW_ENG_OUT_IDENTITY  a track's affiliation changed (by a rule or an operator)
 *   DW_ENG_OUT_SENSOR    a sensor or input went down or came back
 *   DW_ENG_OUT_PLAN      the response plan (with effectors configured: plan.h), every
 *                        plan_period_s of data time
 *   DW_ENG_OUT_DECISION  an operator approved or rejected one of its recommendations
 *   DW_ENG_OUT_LIVE      a track just updated by a batch, between report instants (not part
 *                        of the recording: it is the live stream's, and replay makes it anew);
 *                        no line (NULL, 0): the track is obj, its lines are written when the
 *                        API or the stream asks for them
 *
 * Threads: none; the caller serialises the calls (the daemon's event loop).
 */
#ifndef DRONEWALL_ENGINE_H
#define DRONEWALL_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/assess.h"
#include "dronewall/obs.h"
#include "dronewall/pipeline.h"
#include "dronewall/plan.h"
#include "dronewall/sensor.h"
#include "dronewall/status.h"
#include "dronewall/track.h"

/* Inputs, as recorded (record.h keeps the numbers). */
enum {
    DW_ENG_IN_OBS = 1,          /* {"v":1,"type":"obs",...}                              */
    DW_ENG_IN_FLUSH = 2,        /* {"type":"flush"}                                      */
    DW_ENG_IN_TICK = 3,         /* {"type":"tick","t_us":T}                              */
    DW_ENG_IN_ACK = 4,          /* {"type":"ack","t_us":T,"alert":ID,"by":"..."}         */
    DW_ENG_IN_SET_IDENTITY = 5, /* {"type":"set_identity","t_us":T,"track":ID,"affiliation":"hostile","by":"..."} */
    DW_ENG_IN_DECISION = 6,     /* {"type":"decision","t_us":T,"recommendation":ID,"decision":"approve","by":"..."} */
    DW_ENG_IN_SENSOR = 8,       /* {"type":"sensor","t_us":T,"sensor":"ID","up":true}   */
    DW_ENG_IN_PARTNER = 9,      /* {"type":"partner","t_us":T,"origin":"UA","via":"ntf","alert":{...}} */
};

enum {
    DW_ENG_OUT_TRACK = 1,
    DW_ENG_OUT_DEAD = 2,
    DW_ENG_OUT_ALERT = 3,
    DW_ENG_OUT_IDENTITY = 4,
    DW_ENG_OUT_SENSOR = 5,
    DW_ENG_OUT_LIVE = 6,
    DW_ENG_OUT_PLAN = 7,        /* the response plan: recommendations (plan.h)            */
    DW_ENG_OUT_DECISION = 8,    /* an operator approved or rejected a recommendation      */
};

#define DW_ENGINE_HISTORY 300   /* points of history kept per live track (one per report) */

typedef struct dw_engine_sink {
    /* Every input event as one NDJSON line, before it takes effect (the recording). */
    void (*input)(void *ctx, int kind, int64_t t_us, const char *line, size_t len);
    /* Every output line; track is the track's id where there is one (0 otherwise); obj is
     * the dw_track (TRACK, DEAD, LIVE) or dw_alert (ALERT; NULL for an acknowledgement)
     * the line was made from, valid during the call. */
    void (*output)(void *ctx, int kind, int64_t t_us, uint64_t track, const char *line,
                   size_t len, const void *obj);
    void *ctx;
} dw_engine_sink;

typedef struct dw_engine_config {
    const dw_sensor *sensors;           /* copied by the pipeline                         */
    size_t n_sensors;
    dw_pipeline_config pipeline;
    const char *const *geo_files;       /* GeoJSON; none: no assessment                    */
    size_t n_geo_files;
    const char *rules_file;             /* NULL: affiliations as the tracks bring them    */
    char home[3];                       /* the defended country                           */
    const char *effectors_file;         /* the effector catalogue: response planning; NULL off */
    double plan_period_s;               /* re-plan at most this often, data time (10)      */
} dw_engine_config;

typedef struct dw_engine_stats {
    uint64_t obs, obs_rejected;         /* taken; lines that did not parse back (replay)   */
    uint64_t flushes, ticks;
    uint64_t track_out, live_out, dead_out, alert_out, identity_out, sensor_out;
    uint64_t acks, identities_set, unknown_alert, unknown_track;
    uint64_t plans, decisions;
    uint64_t partner_alerts, partner_rejected;  /* partners' alert lines taken; refused */
    size_t tracks_now, alerts_now;
    int64_t t_us;                       /* data time reached                              */
    dw_pipeline_stats pipeline;
} dw_engine_stats;

typedef struct dw_engine dw_engine;

/* Loads the geography and rules (errors name the file), builds the pipeline and the
 * assessment. DW_ERR_INVALID / DW_ERR_PARSE / DW_ERR_NOT_FOUND with err, DW_ERR_NOMEM. */
dw_status dw_engine_create(const dw_engine_config *c, const dw_engine_sink *sink,
                           dw_engine **out, char *err, size_t errlen);
void dw_engine_destroy(dw_engine *e);   /* NULL is fine */

dw_status dw_engine_obs(dw_engine *e, const dw_obs *o);
dw_status dw_engine_flush(dw_engine *e);
dw_status dw_engine_tick(dw_engine *e, int64_t now_us);
dw_status dw_engine_sensor(dw_engine *e, const char *sensor, int up, int64_t t_us);
/* An operator acknowledges an alert: DW_ERR_NOT_FOUND when there is no such alert. */
dw_status dw_engine_ack(dw_engine *e, uint64_t alert_id, int64_t t_us, const char *by);
/* An operator sets a track's affiliation; it holds over the rules until the track ends.
 * DW_ERR_NOT_FOUND when the track is not in the picture. */
dw_status dw_engine_set_identity(dw_engine *e, uint64_t track_id, dw_affiliation aff,
                                 int64_t t_us, const char *by);
/* An operator approves (approve 1) or rejects a recommendation of the current plan: an
 * approved one spends its effector's rounds. DW_ERR_NOT_FOUND when the current plan has no
 * such recommendation, DW_ERR_UNSUPPORTED without response planning. */
dw_status dw_engine_decide(dw_engine *e, uint64_t rec_id, int approve, int64_t t_us,
                           const char *by);
/* A partner's alert (via "alr") or cross-border notice to us (via "ntf"), as the partner's
 * node put it out (an alert line, docs/formats.md), received over the federation bus at
 * data time t_us. It joins the picture's alerts under a number of ours (the partner's own
 * is kept as "origin_id", with "origin" and "via"), so it is listed, streamed and
 * acknowledged like ours; a later line of the same partner alert updates it. It is put out
 * as a DW_ENG_OUT_ALERT line with obj NULL. DW_ERR_PARSE when alert is not an alert line
 * (no integer "id", no "kind" or "state" words). */
dw_status dw_engine_partner_alert(dw_engine *e, const char *origin, const char *via,
                                  const char *alert, size_t len, int64_t t_us);
/* Recommendation rec_id of the current plan (*out) and the data time the plan was made at
 * (*planned_us; the recommendation's times are seconds from it). DW_ERR_NOT_FOUND. */
dw_status dw_engine_recommendation(const dw_engine *e, uint64_t rec_id, dw_plan_rec *out,
                                   int64_t *planned_us);
/* Whether the engine plans responses (effectors configured). */
int dw_engine_has_planning(const dw_engine *e);
/* The current plan's line (the last DW_ENG_OUT_PLAN, with decisions), NULL before one. */
const char *dw_engine_plan_line(const dw_engine *e, size_t *len);

/* A recorded input line of the given kind, acted on as when it was recorded.
 * DW_ERR_PARSE (with err) for a line that is not one. */
dw_status dw_engine_apply(dw_engine *e, int kind, const char *line, size_t len, char *err,
                          size_t errlen);
/* End of input: the waiting batch is tracked and the picture reported up to t_us
 * (INT64_MIN: the latest observation). */
dw_status dw_engine_finish(dw_engine *e, int64_t until_us);

/* ---- the picture, for the API (valid until the next input call) */

int64_t dw_engine_time(const dw_engine *e);     /* data time reached, INT64_MIN before any */
/* Calls cb for each live track's latest brief line (the track record without its
 * covariances, with "threat", "sigma_m" and "class_prob"), in no particular order. */
void dw_engine_each_track(const dw_engine *e,
                          void (*cb)(void *ctx, uint64_t id, const char *line, size_t len),
                          void *ctx);
/* A track's latest line and its history points (t_us, lat, lon, alt; oldest first) and
 * predicted path (t_us, lat, lon) written as the JSON object of GET /api/tracks/{id} into
 * [buf, buf+cap). Returns the length, 0 when the track is not in the picture, or > cap
 * when it did not fit (then call again with more room). */
size_t dw_engine_track_json(const dw_engine *e, uint64_t id, char *buf, size_t cap);
/* Each alert's latest line (acknowledgement included), cleared ones for keep_cleared_us
 * after their clear. */
void dw_engine_each_alert(const dw_engine *e, int64_t keep_cleared_us,
                          void (*cb)(void *ctx, uint64_t id, const char *line, size_t len),
                          void *ctx);
/* What changed since the last call: each changed track's latest brief line (report or
 * live), then the ids of tracks that ended. A track handed out less than min_interval_us
 * before now_us (the caller's clock) waits for a later call, still marked changed: a map
 * needs a few positions a second, not every plot. The stream's frames are made of these. */
void dw_engine_take_changes(dw_engine *e, int64_t now_us, int64_t min_interval_us,
                            void (*track)(void *ctx, uint64_t id, const char *line, size_t len),
                            void (*dead)(void *ctx, uint64_t id), void *ctx);

/* The pipeline's sensor table (names by tracker slot) and the sensors as configured. */
const dw_sensor *dw_engine_sensors(const dw_engine *e, size_t *n);
int dw_engine_has_assessment(const dw_engine *e);
const char *dw_engine_home(const dw_engine *e);
void dw_engine_get_stats(const dw_engine *e, dw_engine_stats *out);

#endif

/* session.h — the engine a recording's session was made with, as JSON and back
 * (src/serve/session.c). Private to src/serve and src/app. */
#ifndef DRONEWALL_SERVE_SESSION_H
#define DRONEWALL_SERVE_SESSION_H

#include <stddef.h>

#include "dronewall/engine.h"
#include "dronewall/pipeline.h"
#include "dronewall/sensor.h"

typedef struct dw_session {
    char node[64];
    char home[3];
    char **geo;                         /* absolute paths */
    size_t n_geo;
    char rules[512];
    char scenario[512];
    char effectors[512];                /* the effector catalogue, "" none */
    double plan_period_s;
    dw_pipeline_config pipeline;
    dw_sensor *sensors;
    size_t n_sensors;
} dw_session;

/* The session as one JSON object (malloc'd), with the daemon's configuration under "run"
 * for people (run_config_json may be NULL). NULL when out of memory. */
char *dw_session_json(const dw_session *s, const char *run_config_json);
/* Reads one back (s owns what it allocates: dw_session_free). DW_ERR_PARSE with err. */
dw_status dw_session_parse(const char *json, dw_session *s, char *err, size_t errlen);
void dw_session_free(dw_session *s);
/* The engine of a session (no assessment without a home country). */
dw_status dw_session_engine(const dw_session *s, const dw_engine_sink *sink, dw_engine **out,
                            char *err, size_t errlen);
/* path made absolute when it exists (malloc'd), else a copy. */
char *dw_session_abspath(const char *path);

#endif

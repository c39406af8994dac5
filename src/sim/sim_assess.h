/* sim_assess.h — the simulator's glue to the assessment (assess_run.c). */
#ifndef DRONEWALL_SIM_ASSESS_H
#define DRONEWALL_SIM_ASSESS_H

#include <stdint.h>
#include <stdio.h>

#include "dronewall/assess.h"
#include "dronewall/classify.h"
#include "dronewall/sim.h"
#include "dronewall/track.h"
#include "dronewall/truth.h"

typedef struct dw__sim_assess dw__sim_assess;

/* Loads the scenario's geography and rules and opens alerts.ndjson and
 * identities.ndjson in dir (NULL: no files). *out stays NULL (and DW_OK) when the
 * scenario has no assessment section. Errors name the file. */
dw_status dw__sim_assess_open(const dw_scenario *s, const char *dir, dw__sim_assess **out,
                              char *err, size_t errlen);
/* A published track update: assessed, its class and affiliation filled in; hints (may be
 * NULL) say what its sensors told beyond its position. */
dw_status dw__sim_assess_track(dw__sim_assess *a, dw_track *t, const dw_class_hints *hints);
/* A periodic sensor (radar, AEW, ADS-B receiver) delivered a report at t_us. */
void dw__sim_assess_sensor(dw__sim_assess *a, const char *sensor_id, int64_t t_us);
/* The truth of target at one of its points, in time order per target. */
void dw__sim_assess_truth(dw__sim_assess *a, uint32_t target, const dw_truth *t);
dw_status dw__sim_assess_advance(dw__sim_assess *a, int64_t t_us);
/* The alerts judged against the truth, as one JSON object (score.json "assessment"). */
void dw__sim_assess_score(const dw__sim_assess *a, FILE *f);
/* Closes the files (renamed into place when keep and whole, else removed) and frees;
 * NULL is fine. DW_ERR_IO when writing failed. */
dw_status dw__sim_assess_close(dw__sim_assess *a, int keep);
const char *dw__sim_assess_error(const dw__sim_assess *a);
/* When drone target truly crossed into the home country, and when the first alert of a
 * kind about it was raised; INT64_MIN for never (or without an assessment). */
int64_t dw__sim_assess_crossed(const dw__sim_assess *a, uint32_t target);
int64_t dw__sim_assess_first_alert(const dw__sim_assess *a, uint32_t target, dw_alert_kind kind);

#endif

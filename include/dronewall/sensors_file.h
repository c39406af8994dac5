/* sensors_file.h — the sensor definition file: which sensors a run knows.
 *
 * A site's sensors are described once, by a person, in JSON or YAML
 * (docs/formats.md, "Sensors file"): {"sensors": [{"id": ..., "kind": ...},
 * ...]}. Each entry starts from dw_sensor_init(kind)'s defaults and
 * overrides what it names; unknown keys are errors, because a misspelt
 * "max_rang_m" silently ignored is worse than a refusal. Every error names
 * the file, the line (YAML always; JSON for syntax errors) and the entry.
 *
 * Ownership: the loaders return one malloc'd array the caller frees with
 * free(); on failure nothing is returned and err says why.
 */
#ifndef DRONEWALL_SENSORS_FILE_H
#define DRONEWALL_SENSORS_FILE_H

#include <stddef.h>

#include "dronewall/doc.h"
#include "dronewall/sensor.h"
#include "dronewall/status.h"

/* Reads the file at path (format as dw_doc_load decides). On DW_OK *out
 * holds *n_out sensors (NULL when the list is empty). Otherwise returns
 * DW_ERR_PARSE (bad content), DW_ERR_NOT_FOUND, DW_ERR_IO or DW_ERR_NOMEM
 * and writes "PATH:LINE: what" to err. */
dw_status dw_sensors_load(const char *path, dw_sensor **out, size_t *n_out, char *err,
                          size_t errlen);

/* The same from memory; name (".json", ".yaml" or sniffed) starts messages. */
dw_status dw_sensors_load_mem(const char *buf, size_t len, const char *name, dw_sensor **out,
                              size_t *n_out, char *err, size_t errlen);

/* The "sensors" list of a document already loaded — a larger config or a
 * scenario may carry one. `list` must be an array inside d. */
dw_status dw_sensors_from_doc(const dw_doc *d, const json_t *list, dw_sensor **out,
                              size_t *n_out, char *err, size_t errlen);

/* Index of the sensor whose id is `id`, or -1. Linear: call it when a name
 * is first seen, not per observation. */
int dw_sensors_find(const dw_sensor *s, size_t n, const char *id);

#endif

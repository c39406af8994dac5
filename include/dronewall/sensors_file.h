/* sensors_file.h — the sensor definition file: which sensors a run knows.
 *
 * A site's sensors are described once, by a person, in JSON or YAML
 * (docs/formats.md, "Sensors file"): {"sensors": [{"id": ..., "kind": ...},
 * ...]}. Each entry starts from dw_sensor_init(kind)'s defaults and
 * overrides what it names; unknown keys are errors, because a misspelt
 * "max_rang_m" silently ignored is worse than a refusal. Every error names
 * the file, the line (YAML always; JSON for syntax errors) and the entry.
 *
 * A sensor has two names: its id, which the engine uses everywhere, and
 * optionally the name its wire format gives it (wire_id: an ASTERIX radar is
 * "ASX-SAC-SIC"). Observations may arrive under either, so every name, ids
 * and wire ids together, is unique in a file, and both lookups below accept
 * either. The index is the one to use per observation: a site may list
 * 10,000 acoustic nodes.
 *
 * Ownership: the loaders return one malloc'd array the caller frees with
 * free(); on failure nothing is returned and err says why. An index borrows
 * the array it was built from (which must then stay alive and unchanged) and
 * owns only its table.
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

/* Index of the sensor whose id is `id`, or else whose wire_id is `id`, or
 * -1. Linear: call it when a name is first seen, not per observation. */
int dw_sensors_find(const dw_sensor *s, size_t n, const char *id);

/* A hash index of the names (id and wire_id) of an array of sensors. */
typedef struct dw_sensors_index dw_sensors_index;

/* Index s[0..n-1]; the array is borrowed. DW_ERR_INVALID (message in err)
 * when a name is empty or two sensors share a name (an id, a wire_id, or
 * one's id and the other's wire_id; a wire_id equal to its own id is fine),
 * DW_ERR_NOMEM. */
dw_status dw_sensors_index_create(const dw_sensor *s, size_t n, dw_sensors_index **out,
                                  char *err, size_t errlen);
void dw_sensors_index_destroy(dw_sensors_index *x);     /* NULL is fine */

/* Index in the array of the sensor named `name` (its id or its wire_id),
 * or -1. One hash and, as a rule, one string comparison. */
int dw_sensors_index_find(const dw_sensors_index *x, const char *name);

/* One sensor as an entry of a sensors file (docs/formats.md), the inverse of the
 * loader: what `dronewall sim` writes to sensors.json and the daemon records. */
struct dw_jw;
void dw_sensor_write_json(struct dw_jw *w, const dw_sensor *d);

#endif

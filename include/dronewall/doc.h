/* doc.h — configuration documents: JSON or YAML, read into one jansson tree.
 *
 * Every file a person writes (sensor definitions, later the daemon's config
 * and scenarios) is read the same way: JSON by jansson, YAML by libyaml
 * turned into the same json_t tree, so each loader is written once against
 * json_t. YAML scalars are typed as in YAML 1.2's core schema, reduced to
 * what JSON has: plain 12 and 4.5e3 become numbers, true/false booleans,
 * null, ~ and nothing become null, and everything else — quoted scalars
 * always — stays a string (so yes/no/on/off stay words, and "7500" stays a
 * squawk). Anchors are allowed, aliases are not: a file says each thing once.
 *
 * For YAML the document remembers the line of every value, so a loader can
 * say "sensors.yaml:14: unknown kind"; jansson keeps no positions, so for
 * JSON only syntax errors have a line and lookups return 0.
 *
 * Ownership: the document owns its tree and its name; pointers from
 * dw_doc_root and into the tree are valid until dw_doc_destroy.
 */
#ifndef DRONEWALL_DOC_H
#define DRONEWALL_DOC_H

#include <jansson.h>
#include <stddef.h>

#include "dronewall/status.h"

typedef struct dw_doc dw_doc;

/* Reads the file at path: JSON if it ends in .json, YAML for .yaml/.yml,
 * otherwise JSON if it starts with '{' or '[' and YAML if not. On failure
 * returns DW_ERR_IO, DW_ERR_PARSE or DW_ERR_NOMEM and writes
 * "PATH:LINE:COLUMN: what" (or "PATH: what") to err. */
dw_status dw_doc_load(const char *path, dw_doc **out, char *err, size_t errlen);

/* The same from memory; name (copied) picks the format as a path would and
 * starts the messages. */
dw_status dw_doc_load_mem(const char *buf, size_t len, const char *name, dw_doc **out,
                          char *err, size_t errlen);

void dw_doc_destroy(dw_doc *d);

json_t *dw_doc_root(const dw_doc *d);
const char *dw_doc_name(const dw_doc *d);

/* 1-based line where a value starts, 0 when unknown (JSON, or true, false
 * and null, which jansson shares between all places). */
int dw_doc_line(const dw_doc *d, const json_t *node);

/* Line of obj's member key (where "key: value" is), 0 when unknown. */
int dw_doc_key_line(const dw_doc *d, const json_t *obj, const char *key);

/* Line of arr's element i, 0 when unknown. */
int dw_doc_index_line(const dw_doc *d, const json_t *arr, size_t i);

/* Writes "NAME:LINE: message" (or "NAME: message" for line 0) to err. */
void dw_doc_errf(const dw_doc *d, int line, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* For messages about a user's file: what kind of value v is, in a configuration's words
 * ("a mapping", "a list", "a string", "a number", "a boolean", "null"; "nothing" for
 * NULL), and a printable copy of a user's string cut to fit buf (n >= 4: non-printable
 * bytes as '?', "..." where it was cut). */
const char *dw_doc_type_word(const json_t *v);
const char *dw_doc_snip(const char *s, char *buf, size_t n);

#endif

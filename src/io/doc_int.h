/* doc_int.h — what doc.c and yaml.c share; not part of the public API.
 *
 * A mark ties a value in the tree to the line it came from, found again by
 * the value itself or by its place (parent and key or index): jansson shares
 * true, false and null between all places, so only the place tells those
 * apart. Keys point into the parent object's own key storage.
 */
#ifndef DW_IO_DOC_INT_H
#define DW_IO_DOC_INT_H

#include <stdbool.h>

#include "dronewall/doc.h"

typedef struct dw__mark {
    const json_t *node;
    const json_t *parent;
    const char *key;            /* parent is an object: its key for node  */
    size_t index;               /* parent is an array                     */
    int line;
} dw__mark;

struct dw_doc {
    char *name;
    json_t *root;
    bool yaml;
    dw__mark *marks;
    size_t n_marks, cap_marks;
};

/* Records where node (already inside parent, or the root) came from.
 * Returns DW_ERR_NOMEM on failure. */
dw_status dw__doc_mark(dw_doc *d, const json_t *node, const json_t *parent, const char *key,
                       size_t index, int line);

/* Parses YAML text into d->root, marking every value. On failure d->root is
 * NULL and err holds "NAME:LINE:COLUMN: what". */
dw_status dw__yaml_load(dw_doc *d, const char *buf, size_t len, char *err, size_t errlen);

#endif

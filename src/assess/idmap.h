/* idmap.h — an index from 64-bit keys to 32-bit values, for the assessment's tables (its
 * tracks, its alerts, its sensors): open addressing with linear probing, grown at half full,
 * backward-shift deletion (no tombstones). Keys are used as given, so the caller mixes them;
 * several entries may share a key (a hash whose owner the caller checks), and
 * dw__idmap_next walks them in turn. Private to the assess stage. */
#ifndef DRONEWALL_ASSESS_IDMAP_H
#define DRONEWALL_ASSESS_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/status.h"

#define DW__IDMAP_NONE UINT32_MAX

typedef struct dw__idmap {
    uint64_t *key;
    uint32_t *val;                      /* value + 1; 0: empty */
    size_t cap, count;                  /* cap: a power of two */
} dw__idmap;

/* Room for hint entries before the first growth. DW_ERR_NOMEM. */
dw_status dw__idmap_init(dw__idmap *m, size_t hint);
void dw__idmap_free(dw__idmap *m);
/* Room for n entries in all. DW_ERR_NOMEM (the index is unchanged). */
dw_status dw__idmap_reserve(dw__idmap *m, size_t n);
/* Adds k -> v (v < DW__IDMAP_NONE); there must be room (dw__idmap_reserve). */
void dw__idmap_add(dw__idmap *m, uint64_t k, uint32_t v);
/* The values under key k in turn: *pos = 0 before the first call; DW__IDMAP_NONE after
 * the last. */
uint32_t dw__idmap_next(const dw__idmap *m, uint64_t k, size_t *pos);
/* Removes the entry k -> v, if there is one. */
void dw__idmap_del(dw__idmap *m, uint64_t k, uint32_t v);

#endif

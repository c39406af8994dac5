/* grow.h — room in a growing array, the one way the project grows one.
 *
 * dw_grow(p, &cap, need, sizeof *p, first): the array p with room for at least `need`
 * elements, its contents kept; its capacity doubles from `first` (when it was empty) until
 * it is enough. Returns the array, moved if it had to grow, or NULL when out of memory,
 * the old array then still valid and *cap unchanged. */
#ifndef DRONEWALL_GROW_H
#define DRONEWALL_GROW_H

#include <stdlib.h>

static inline void *dw_grow(void *p, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : first;
    while (c < need)
        c *= 2;
    void *q = realloc(p, c * elem);
    if (q)
        *cap = c;
    return q;
}

#endif

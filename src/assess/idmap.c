/* idmap.c — the assessment's index from 64-bit keys to 32-bit values (idmap.h). */
#include "idmap.h"

#include <stdlib.h>

dw_status dw__idmap_init(dw__idmap *m, size_t hint)
{
    m->cap = 64;
    while (m->cap < 2 * hint)
        m->cap *= 2;
    m->count = 0;
    m->key = calloc(m->cap, sizeof *m->key);
    m->val = calloc(m->cap, sizeof *m->val);
    if (!m->key || !m->val) {
        dw__idmap_free(m);
        return DW_ERR_NOMEM;
    }
    return DW_OK;
}

void dw__idmap_free(dw__idmap *m)
{
    free(m->key);
    free(m->val);
    m->key = NULL;
    m->val = NULL;
    m->cap = m->count = 0;
}

static void put(uint64_t *keys, uint32_t *vals, size_t cap, uint64_t k, uint32_t v1)
{
    size_t i = (size_t)(k & (cap - 1));
    while (vals[i])
        i = (i + 1) & (cap - 1);
    keys[i] = k;
    vals[i] = v1;
}

dw_status dw__idmap_reserve(dw__idmap *m, size_t n)
{
    if (n * 2 <= m->cap)
        return DW_OK;
    size_t nc = m->cap;
    while (n * 2 > nc)
        nc *= 2;
    uint64_t *k = calloc(nc, sizeof *k);
    uint32_t *v = calloc(nc, sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return DW_ERR_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->val[i])
            put(k, v, nc, m->key[i], m->val[i]);
    free(m->key);
    free(m->val);
    m->key = k;
    m->val = v;
    m->cap = nc;
    return DW_OK;
}

void dw__idmap_add(dw__idmap *m, uint64_t k, uint32_t v)
{
    put(m->key, m->val, m->cap, k, v + 1);
    m->count++;
}

uint32_t dw__idmap_next(const dw__idmap *m, uint64_t k, size_t *pos)
{
    const size_t mask = m->cap - 1;
    for (;;) {
        size_t i = (size_t)((k + *pos) & mask);
        if (!m->val[i])
            return DW__IDMAP_NONE;
        ++*pos;
        if (m->key[i] == k)
            return m->val[i] - 1;
    }
}

void dw__idmap_del(dw__idmap *m, uint64_t k, uint32_t v)
{
    const size_t mask = m->cap - 1;
    size_t i = (size_t)(k & mask);
    while (m->val[i] && !(m->key[i] == k && m->val[i] == v + 1))
        i = (i + 1) & mask;
    if (!m->val[i])
        return;
    m->val[i] = 0;
    m->count--;
    for (size_t j = (i + 1) & mask; m->val[j]; j = (j + 1) & mask) {
        size_t h = (size_t)(m->key[j] & mask);
        /* j moves to the hole at i unless its home lies cyclically in (i, j] */
        int stay = i <= j ? (h > i && h <= j) : (h > i || h <= j);
        if (stay)
            continue;
        m->key[i] = m->key[j];
        m->val[i] = m->val[j];
        m->val[j] = 0;
        i = j;
    }
}

/* jsonw.h — a small, fast JSON writer into a caller's buffer.
 *
 * Decoders describe raw items as JSON text at the rate a radar feed
 * arrives, so this writer allocates nothing and never formats through
 * stdio for integers: it appends into [p, end) and remembers whether it ran
 * out of room (then the text is incomplete and dw_jw_ok() is false). Commas
 * between members and elements are placed automatically.
 */
#ifndef DRONEWALL_JSONW_H
#define DRONEWALL_JSONW_H

#include <stddef.h>
#include <stdint.h>

#define DW_JW_DEPTH 32

typedef struct dw_jw {
    char *start, *p, *end;
    int full;                       /* ran out of room */
    int depth;
    unsigned char first[DW_JW_DEPTH]; /* nothing written yet at this level */
} dw_jw;

/* Start writing into buf[0 .. cap-1]; the text is NUL-terminated when it fits. */
void dw_jw_init(dw_jw *w, char *buf, size_t cap);
static inline int dw_jw_ok(const dw_jw *w) { return !w->full; }
static inline size_t dw_jw_len(const dw_jw *w) { return (size_t)(w->p - w->start); }

void dw_jw_obj(dw_jw *w);           /* { */
void dw_jw_obj_end(dw_jw *w);       /* } */
void dw_jw_arr(dw_jw *w);           /* [ */
void dw_jw_arr_end(dw_jw *w);       /* ] */
void dw_jw_key(dw_jw *w, const char *k);   /* "k": (k is not escaped: keys are ours) */

void dw_jw_int(dw_jw *w, int64_t v);
void dw_jw_uint(dw_jw *w, uint64_t v);
void dw_jw_double(dw_jw *w, double v);     /* shortest round-trip form; null if not finite */
void dw_jw_double_prec(dw_jw *w, double v, int sig); /* %.{sig}g */
void dw_jw_bool(dw_jw *w, int v);
void dw_jw_null(dw_jw *w);
void dw_jw_raw(dw_jw *w, const char *json, size_t n); /* a value already JSON (not checked) */
void dw_jw_str(dw_jw *w, const char *s);   /* escaped */
void dw_jw_strn(dw_jw *w, const char *s, size_t n);
void dw_jw_hex(dw_jw *w, const uint8_t *b, size_t n); /* "0a1b..." */

/* key + value in one call */
static inline void dw_jw_kint(dw_jw *w, const char *k, int64_t v) { dw_jw_key(w, k); dw_jw_int(w, v); }
static inline void dw_jw_kdouble(dw_jw *w, const char *k, double v) { dw_jw_key(w, k); dw_jw_double(w, v); }
static inline void dw_jw_kstr(dw_jw *w, const char *k, const char *v) { dw_jw_key(w, k); dw_jw_str(w, v); }
static inline void dw_jw_kbool(dw_jw *w, const char *k, int v) { dw_jw_key(w, k); dw_jw_bool(w, v); }

#endif

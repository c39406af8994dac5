/* log.h — levelled, categorised logging that costs nothing when off.
 *
 * DW_LOG(cat, level, fmt, ...) compares the level with the category's
 * threshold before any argument is formatted. Categories are the pipeline
 * stages. The library never writes to a terminal by itself: messages go to a
 * sink (stderr by default) that the application may replace. Malformed-input
 * messages should go through dw_ratelimit so a flood of bad packets cannot
 * flood the log; what was suppressed is counted and reported with the next
 * message that passes.
 */
#ifndef DRONEWALL_LOG_H
#define DRONEWALL_LOG_H

#include <stdarg.h>
#include <stdint.h>

#include "dronewall/status.h"

typedef enum dw_log_level {
    DW_LOG_OFF = 0,
    DW_LOG_ERROR,
    DW_LOG_WARN,
    DW_LOG_INFO,
    DW_LOG_DEBUG,
    DW_LOG_TRACE
} dw_log_level;

#define DW_LOG_CATEGORIES(X)                                                \
    X(DW_LOG_CORE, "core")                                                  \
    X(DW_LOG_GEO, "geo")                                                    \
    X(DW_LOG_IO, "io")                                                      \
    X(DW_LOG_CODEC, "codec")                                                \
    X(DW_LOG_TRACK, "track")                                                \
    X(DW_LOG_ASSESS, "assess")                                              \
    X(DW_LOG_RESPOND, "respond")                                            \
    X(DW_LOG_PUBLISH, "publish")                                            \
    X(DW_LOG_NET, "net")                                                    \
    X(DW_LOG_SIM, "sim")                                                    \
    X(DW_LOG_METRICS, "metrics")                                            \
    X(DW_LOG_APP, "app")

typedef enum dw_log_cat {
#define DW_LOG_CAT_ENUM(c, name) c,
    DW_LOG_CATEGORIES(DW_LOG_CAT_ENUM)
#undef DW_LOG_CAT_ENUM
    DW_LOG_NCAT
} dw_log_cat;

/* Per-category threshold; a message is formatted only if level <= threshold.
 * Default: DW_LOG_WARN for every category. */
extern unsigned char dw_log_threshold[DW_LOG_NCAT];

/* A sink receives one formatted message (no trailing newline). */
typedef void (*dw_log_sink_fn)(void *ctx, dw_log_cat cat, dw_log_level level,
                               const char *msg);

/* Replace the sink; NULL restores the default (stderr). Not thread-safe:
 * call at start-up. */
void dw_log_set_sink(dw_log_sink_fn fn, void *ctx);

/* Set every category's threshold (cat < 0) or one category's. */
void dw_log_set_level(int cat, dw_log_level level);

/* Parse "warn", "debug,track=trace,io=info" into thresholds. Returns
 * DW_ERR_INVALID (and changes nothing) on an unknown level or category. */
dw_status dw_log_configure(const char *spec);

const char *dw_log_cat_name(dw_log_cat cat);
const char *dw_log_level_name(dw_log_level level);

/* Formats and emits; use the DW_LOG macro rather than calling this. */
void dw_log_write(dw_log_cat cat, dw_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define DW_LOG_ON(cat, level) ((unsigned)(level) <= dw_log_threshold[(cat)])

#define DW_LOG(cat, level, ...)                                             \
    do {                                                                    \
        if (DW_LOG_ON(cat, level))                                          \
            dw_log_write((cat), (level), __VA_ARGS__);                      \
    } while (0)

/* A token bucket: at most `burst` messages at once, refilled at
 * `per_s` messages per second of the injected clock. */
typedef struct dw_ratelimit {
    double per_s;
    double burst;
    double tokens;
    int64_t last_us;
    uint64_t suppressed;    /* messages dropped since the last one let through */
} dw_ratelimit;

#define DW_RATELIMIT_INIT(per_s, burst) { (per_s), (burst), (burst), INT64_MIN, 0 }

/* True if a message may be emitted at now_us; otherwise counts it as
 * suppressed. */
int dw_ratelimit_allow(dw_ratelimit *rl, int64_t now_us);

#define DW_LOG_RL(rl, now_us, cat, level, ...)                              \
    do {                                                                    \
        if (DW_LOG_ON(cat, level) && dw_ratelimit_allow((rl), (now_us))) {  \
            if ((rl)->suppressed)                                           \
                dw_log_write((cat), (level), "(%llu similar messages suppressed)", \
                             (unsigned long long)(rl)->suppressed);         \
            (rl)->suppressed = 0;                                           \
            dw_log_write((cat), (level), __VA_ARGS__);                      \
        }                                                                   \
    } while (0)

#endif

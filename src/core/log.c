#include "dronewall/log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

unsigned char dw_log_threshold[DW_LOG_NCAT] = {
#define DW_LOG_CAT_INIT(c, name) [c] = DW_LOG_WARN,
    DW_LOG_CATEGORIES(DW_LOG_CAT_INIT)
#undef DW_LOG_CAT_INIT
};

static const char *const cat_names[] = {
#define DW_LOG_CAT_NAME(c, name) name,
    DW_LOG_CATEGORIES(DW_LOG_CAT_NAME)
#undef DW_LOG_CAT_NAME
};

static const char *const level_names[] = {"off", "error", "warn", "info", "debug", "trace"};

static void stderr_sink(void *ctx, dw_log_cat cat, dw_log_level level, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "dronewall: %s: %s: %s\n", dw_log_level_name(level), dw_log_cat_name(cat), msg);
}

static dw_log_sink_fn sink = stderr_sink;
static void *sink_ctx;

void dw_log_set_sink(dw_log_sink_fn fn, void *ctx)
{
    sink = fn ? fn : stderr_sink;
    sink_ctx = fn ? ctx : NULL;
}

void dw_log_set_level(int cat, dw_log_level level)
{
    if (cat < 0) {
        for (int i = 0; i < DW_LOG_NCAT; i++)
            dw_log_threshold[i] = (unsigned char)level;
    } else if (cat < DW_LOG_NCAT) {
        dw_log_threshold[cat] = (unsigned char)level;
    }
}

const char *dw_log_cat_name(dw_log_cat cat)
{
    return (unsigned)cat < DW_LOG_NCAT ? cat_names[cat] : "?";
}

const char *dw_log_level_name(dw_log_level level)
{
    return (unsigned)level <= DW_LOG_TRACE ? level_names[level] : "?";
}

static int parse_level(const char *s, size_t n, dw_log_level *out)
{
    for (int i = 0; i <= DW_LOG_TRACE; i++) {
        if (strlen(level_names[i]) == n && strncasecmp(s, level_names[i], n) == 0) {
            *out = (dw_log_level)i;
            return 1;
        }
    }
    return 0;
}

dw_status dw_log_configure(const char *spec)
{
    unsigned char next[DW_LOG_NCAT];
    memcpy(next, dw_log_threshold, sizeof next);
    const char *p = spec;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        dw_log_level lv;
        if (!eq) {
            if (!parse_level(p, n, &lv))
                return DW_ERR_INVALID;
            memset(next, (int)lv, sizeof next);
        } else {
            size_t cn = (size_t)(eq - p);
            int cat = -1;
            for (int i = 0; i < DW_LOG_NCAT; i++)
                if (strlen(cat_names[i]) == cn && strncmp(p, cat_names[i], cn) == 0)
                    cat = i;
            if (cat < 0 || !parse_level(eq + 1, n - cn - 1, &lv))
                return DW_ERR_INVALID;
            next[cat] = (unsigned char)lv;
        }
        p = end ? end + 1 : NULL;
    }
    memcpy(dw_log_threshold, next, sizeof next);
    return DW_OK;
}

void dw_log_write(dw_log_cat cat, dw_log_level level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sink(sink_ctx, cat, level, buf);
}

int dw_ratelimit_allow(dw_ratelimit *rl, int64_t now_us)
{
    if (rl->last_us == INT64_MIN) {
        rl->last_us = now_us;
    } else if (now_us > rl->last_us) {
        rl->tokens += rl->per_s * (double)(now_us - rl->last_us) * 1e-6;
        if (rl->tokens > rl->burst)
            rl->tokens = rl->burst;
        rl->last_us = now_us;
    }
    if (rl->tokens >= 1.0) {
        rl->tokens -= 1.0;
        return 1;
    }
    rl->suppressed++;
    return 0;
}

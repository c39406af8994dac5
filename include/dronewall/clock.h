/* clock.h — time is an argument.
 *
 * Nothing below src/app reads the wall clock: functions take `int64_t now_us`
 * (microseconds since the Unix epoch, UTC), and components that need to ask
 * for the time are given a dw_clock. The application supplies the real one;
 * tests and replay supply a manual one, so a run is reproducible.
 */
#ifndef DRONEWALL_CLOCK_H
#define DRONEWALL_CLOCK_H

#include <stdint.h>

#define DW_US_PER_S 1000000LL

typedef struct dw_clock {
    int64_t (*now_us)(void *ctx);
    void *ctx;
} dw_clock;

/* A manual clock: reads *ctx, an int64_t the owner advances. */
int64_t dw_clock_manual_now(void *ctx);

static inline int64_t dw_clock_now(const dw_clock *c) { return c->now_us(c->ctx); }

#endif

#include "dronewall/clock.h"

int64_t dw_clock_manual_now(void *ctx)
{
    return *(const int64_t *)ctx;
}

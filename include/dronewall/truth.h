/* truth.h — dw_truth: where an object really was (simulation, scoring).
 *
 * Truth never enters the tracker; it travels beside the observations so that
 * metrics/ can score the tracks. A plain value that owns no memory.
 */
#ifndef DRONEWALL_TRUTH_H
#define DRONEWALL_TRUTH_H

#include <stdint.h>

#include "dronewall/obs.h"

typedef struct dw_truth {
    int64_t t_us;
    char id[DW_ID_MAX];             /* "G07": the scenario's own name     */
    dw_class cls;
    double lat_deg, lon_deg, alt_m;
    double vel_enu_mps[3];
    int alive;                      /* 0 once landed, crashed, shot down */
    int unseen;                     /* outside coverage: no sensor reported it in the
                                       DW_TRUTH_SEEN_WINDOW_US before (the simulator
                                       knows; 0 where nobody says)                */
} dw_truth;

#define DW_TRUTH_SEEN_WINDOW_US (30 * 1000000LL)

#endif

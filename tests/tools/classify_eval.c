/* classify_eval.c — the classifier's confusion matrix on a simulated run.
 *
 *   dronewall sim scenarios/pl-2025-09-10.yaml --out /tmp/cls-pl -q
 *   build/tests/dw_tool_classify_eval /tmp/cls-pl [--settle S]
 *
 * Replays the run's tracks.ndjson through the classifier, one dw_class_state per track
 * and hints only from what each record says, matches every report to the nearest truth
 * within 1 km at the same instant, and prints per true class the accuracy, the share
 * called a drone (P(owa_drone + decoy + quadcopter) >= 0.5), the confusion row, and the
 * two figures the alerts depend on: non-drones called drones and drones called drones.
 * "Settled" repeats it for reports of tracks at least S seconds old (default 60).
 * The counting is tests/tools/classify_eval.h, which the unit test shares.
 */
#include "classify_eval.h"

int main(int argc, char **argv)
{
    const char *dir = NULL;
    double settle = 60.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--settle") == 0 && i + 1 < argc) {
            settle = atof(argv[++i]);
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: %s RUN_DIR [--settle S]\n", argv[0]);
            return 2;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) {
        fprintf(stderr, "usage: %s RUN_DIR [--settle S]\n", argv[0]);
        return 2;
    }
    ce_eval e;
    if (ce_init(&e) != 0)
        return 1;
    e.settle_s = settle;
    if (ce_run_dir(&e, dir) != 0) {
        fprintf(stderr, "%s: cannot read truth.ndjson and tracks.ndjson\n", dir);
        ce_free(&e);
        return 1;
    }
    printf("classifier on %s\n", dir);
    ce_print(&e, stdout);
    ce_free(&e);
    return 0;
}

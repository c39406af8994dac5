/* fuzz_track2d — the track2d CSV readers (scenario and tracks files) on
 * arbitrary bytes. They read from a path, so each input goes through one
 * reused temporary file. A reader must return DW_OK with consistent arrays,
 * or an error with a message; never crash, leak or read out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dronewall/track2d.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/dw-fuzz-t2d-%ld.csv", (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);

    char err[512];
    dw_t2d_scenario sc;
    if (dw_t2d_read_scenario(path, DW_T2D_MEAS | DW_T2D_TRUTH | DW_T2D_ORIGIN, &sc, err,
                             sizeof err) == DW_OK) {
        /* the scan index must describe the arrays it came with */
        int K = sc.params.n_scans;
        if (sc.scan_start && (sc.scan_start[0] != 0 || (size_t)sc.scan_start[K] != sc.n_meas))
            abort();
        for (int k = 0; sc.scan_start && k < K; k++)
            if (sc.scan_start[k] > sc.scan_start[k + 1])
                abort();
        dw_t2d_scenario_free(&sc);
    } else if (!err[0]) {
        abort(); /* every failure says why */
    }
    dw_t2d_track_row *rows = NULL;
    size_t n = 0;
    if (dw_t2d_read_tracks(path, &rows, &n, err, sizeof err) == DW_OK)
        free(rows);
    else if (!err[0])
        abort();
    return 0;
}

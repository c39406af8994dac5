/* dw_bench_track2d_gen — write a track2d scenario of the benchmark's model.
 *
 *   dw_bench_track2d_gen --targets N [--seed S] [--scans K] --out FILE
 *
 * The other parameters are the shipped scenarios' (dt 1, q 0.05, sigma_z 1,
 * sigma_v 1, pd 0.9, clutter density 2e-5, spacing 100).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/track2d.h"

int main(int argc, char **argv)
{
    dw_t2d_params p;
    memset(&p, 0, sizeof p);
    p.n_targets = 1000;
    p.n_scans = 100;
    p.dt = 1.0;
    p.q = 0.05;
    p.sigma_z = 1.0;
    p.sigma_v = 1.0;
    p.pd = 0.9;
    p.clutter_density = 2e-5;
    p.spacing = 100.0;
    p.seed = 7;
    const char *out = NULL;
    static const struct option opts[] = {{"targets", required_argument, 0, 'n'},
                                         {"seed", required_argument, 0, 's'},
                                         {"scans", required_argument, 0, 'k'},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "n:s:k:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': p.n_targets = atoi(optarg); break;
        case 's': p.seed = strtoul(optarg, NULL, 10); break;
        case 'k': p.n_scans = atoi(optarg); break;
        case 'o': out = optarg; break;
        case 'h':
            printf("usage: dw_bench_track2d_gen --targets N [--seed S] [--scans K] --out FILE\n");
            return 0;
        default: return 2;
        }
    }
    if (!out || p.n_targets < 1 || p.n_scans < 1) {
        fprintf(stderr, "usage: dw_bench_track2d_gen --targets N [--seed S] [--scans K] --out FILE\n");
        return 2;
    }
    dw_status st = dw_t2d_generate(&p, out);
    if (st != DW_OK) {
        fprintf(stderr, "dw_bench_track2d_gen: %s: %s\n", out, dw_status_str(st));
        return 1;
    }
    return 0;
}

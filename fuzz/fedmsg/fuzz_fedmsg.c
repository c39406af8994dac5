/* fuzz_fedmsg.c — a partner's messages (fed.h) on arbitrary bytes: what a node receives from
 * the bus is whatever the partner put there.
 *
 * The input is several messages, each "SUBJECT\n" then the message up to a NUL byte; one
 * receiver takes them all in order (its sequences and jump table carry over). Beyond "no
 * crash, no leak, no undefined behaviour": an accepted message's body lies inside it, its
 * envelope names the subject's node and kind, an accepted track is a POS3 report of
 * "fed:<origin>" with finite numbers, and the counts add up.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/fed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "fuzz_fedmsg: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dw_fed_rx *rx = NULL;
    if (dw_fed_rx_create(NULL, &rx) != DW_OK)
        return 0;
    const char *p = (const char *)data, *end = p + size;
    uint64_t taken = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        char subject[128];
        size_t sl = (size_t)(nl - p);
        if (sl >= sizeof subject)
            sl = sizeof subject - 1;
        memcpy(subject, p, sl);
        subject[sl] = '\0';
        const char *m = nl + 1;
        const char *z = memchr(m, '\0', (size_t)(end - m));
        size_t ml = z ? (size_t)(z - m) : (size_t)(end - m);
        /* A copy of exactly the message: reads past it are caught. */
        char *msg = malloc(ml ? ml : 1);
        if (!msg)
            break;
        memcpy(msg, m, ml);
        dw_fed_item it;
        dw_fed_verdict v = dw_fed_rx_take(rx, subject, msg, ml, 1757469600000000LL, &it);
        taken++;
        if ((unsigned)v >= DW_FED_NVERDICTS)
            die("a verdict out of range");
        if (v == DW_FED_ACCEPTED) {
            if (!it.body || it.body < msg || it.body + it.body_len > msg + ml)
                die("the body is not inside the message");
            char want[160];
            if (dw_fed_subject(it.env.origin, it.audience, it.env.kind, want, sizeof want) != DW_OK ||
                strcmp(want, subject))
                die("accepted a message whose envelope is not its subject's");
            if (it.has_obs) {
                char s[64];
                dw_fed_sensor_name(it.env.origin, s, sizeof s);
                if (strcmp(it.obs.sensor, s) || it.obs.kind != DW_OBS_POS3 ||
                    !isfinite(it.obs.lat_deg) || !isfinite(it.obs.lon_deg) ||
                    !isfinite(it.obs.alt_m) || !(it.obs.has & DW_OBS_HAS_PTRACK))
                    die("an accepted track is not a partner's report");
            }
        }
        free(msg);
        p = z ? z + 1 : end;
    }
    size_t n = 0;
    const dw_fed_origin_stats *os = dw_fed_rx_origins(rx, &n);
    uint64_t counted = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t rej = 0;
        for (int k = 1; k < DW_FED_NVERDICTS; k++)
            rej += os[i].rejected[k];
        if (os[i].accepted + rej != os[i].received)
            die("received is not accepted + rejected");
        counted += os[i].received;
    }
    if (counted > taken)
        die("more counted than taken");
    dw_fed_rx_destroy(rx);
    return 0;
}

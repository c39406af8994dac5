/* fuzz_runcfg.c — the daemon's config reader (and under it the YAML and JSON document readers)
 * and --set on arbitrary bytes.
 *
 * The bytes go in as a YAML file, as a JSON file (both on top of the defaults, one from a file
 * name with a directory so relative paths are resolved), and line by line as --set assignments.
 * Besides the sanitizers' checks: a failure must say which file (or --set) it was about and
 * leave the config exactly as it was; a config that was accepted from a file must pass
 * dw_run_config_check; and any config that passes the checks must come back the same, byte for
 * byte, from its own JSON read as a config file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/runcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const dw_run_config *c)
{
    char err[700] = "";
    char *j = dw_run_config_json(c);
    if (!j)
        abort();
    dw_run_config d;
    dw_run_config_default(&d);
    if (dw_run_config_load_mem(&d, j, strlen(j), "effective.json", err, sizeof err) != DW_OK) {
        fprintf(stderr, "fuzz_runcfg: its own JSON is refused: %s\n%s\n", err, j);
        abort();
    }
    if (memcmp(c, &d, sizeof d) != 0) {
        fprintf(stderr, "fuzz_runcfg: the JSON round trip changed the config:\n%s\n", j);
        abort();
    }
    free(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"fuzz.yaml", "fuzz.json", "/etc/dronewall/fuzz.yaml"};
    const char *buf = (const char *)data;
    for (size_t k = 0; k < 3; k++) {
        dw_run_config c, before;
        dw_run_config_default(&c);
        before = c;
        char err[700] = "";
        dw_status st = dw_run_config_load_mem(&c, buf, size, names[k], err, sizeof err);
        if (st == DW_OK) {
            if (dw_run_config_check(&c, err, sizeof err) != DW_OK) {
                fprintf(stderr, "fuzz_runcfg: accepted, then refused by the check: %s\n", err);
                abort();
            }
            round_trip(&c);
        } else {
            if (memcmp(&c, &before, sizeof c) != 0)
                abort();
            if (strncmp(err, names[k], strlen(names[k])) != 0) {
                fprintf(stderr, "fuzz_runcfg: message without the file's name: %s\n", err);
                abort();
            }
        }
    }

    /* Each line an assignment, applied in turn. */
    dw_run_config c;
    dw_run_config_default(&c);
    char line[1024];
    for (size_t i = 0; i < size;) {
        size_t n = 0;
        while (i < size && data[i] != '\n') {
            if (n + 1 < sizeof line)
                line[n++] = (char)data[i];
            i++;
        }
        i++;
        line[n] = '\0';
        if (strlen(line) != n)
            continue;   /* a NUL inside: argv cannot carry one */
        dw_run_config before = c;
        char err[700] = "";
        if (dw_run_config_set(&c, line, err, sizeof err) != DW_OK) {
            if (memcmp(&c, &before, sizeof c) != 0)
                abort();
            if (strncmp(err, "--set ", 6) != 0) {
                fprintf(stderr, "fuzz_runcfg: --set message without --set: %s\n", err);
                abort();
            }
        }
    }
    char err[700];
    if (dw_run_config_check(&c, err, sizeof err) == DW_OK)
        round_trip(&c);
    return 0;
}

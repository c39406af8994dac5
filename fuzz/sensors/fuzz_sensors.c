/* fuzz_sensors.c — the sensor file loader (and under it the YAML and JSON
 * document readers) on arbitrary bytes.
 *
 * The same bytes go in as YAML, as JSON and with the format sniffed from
 * the content. Besides the sanitizers' checks: a success must hand back
 * sensors with unique, non-empty ids that dw_sensors_find finds, and a
 * failure must say which file it was about. Any YAML that parses at all
 * is also walked for line numbers, so every mark is looked up once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/doc.h"
#include "dronewall/sensors_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const dw_doc *d, const json_t *v, int depth)
{
    if (depth > 100)
        abort(); /* the YAML reader promises 64 levels at most */
    (void)dw_doc_line(d, v);
    if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e) {
            (void)dw_doc_key_line(d, v, k);
            walk(d, e, depth + 1);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            (void)dw_doc_index_line(d, v, i);
            walk(d, e, depth + 1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"fuzz.yaml", "fuzz.json", "fuzz"};
    const char *buf = (const char *)data;

    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        dw_sensor *s = NULL;
        size_t n = 0;
        char err[512] = "";
        dw_status st = dw_sensors_load_mem(buf, size, names[k], &s, &n, err, sizeof err);
        if (st == DW_OK) {
            for (size_t i = 0; i < n; i++) {
                if (s[i].id[0] == '\0' || dw_sensors_find(s, n, s[i].id) != (int)i)
                    abort();
                if ((unsigned)s[i].kind >= DW_SENSOR_NKINDS)
                    abort();
            }
            free(s);
        } else if (strncmp(err, names[k], strlen(names[k])) != 0) {
            fprintf(stderr, "fuzz_sensors: message without the file's name: %s\n", err);
            abort();
        }
    }

    dw_doc *d;
    if (dw_doc_load_mem(buf, size, "fuzz.yaml", &d, NULL, 0) == DW_OK) {
        walk(d, dw_doc_root(d), 0);
        dw_doc_destroy(d);
    }
    return 0;
}

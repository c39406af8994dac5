/* runcfg_sample.c — prints what the daemon's key table generates, to regenerate the committed
 * copies (test_runcfg compares them byte for byte):
 *
 *   build/tests/dw_tool_runcfg_sample > config/dronewall.yaml
 *   build/tests/dw_tool_runcfg_sample --markdown    the key table of docs/config.md
 *   build/tests/dw_tool_runcfg_sample --update-docs docs/config.md
 *                                          puts it between the file's markers
 *   build/tests/dw_tool_runcfg_sample --help        the key reference of `dronewall run --help`
 *   build/tests/dw_tool_runcfg_sample --json        the default config as JSON
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/runcfg.h"

/* Replaces what is between "<!-- keys begin -->" and "<!-- keys end -->" in the file at path
 * with the generated table; written to a temporary name and renamed. */
static int update_docs(const char *path)
{
    static const char begin[] = "<!-- keys begin -->\n", end[] = "<!-- keys end -->";
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    char *doc = NULL;
    size_t len = 0, cap = 0, k;
    do {
        if (len + 4096 + 1 > cap) {
            cap = 2 * cap + 8192;
            char *nd = realloc(doc, cap);
            if (!nd) {
                free(doc);
                fclose(f);
                return 1;
            }
            doc = nd;
        }
        k = fread(doc + len, 1, 4096, f);
        len += k;
    } while (k > 0);
    fclose(f);
    doc[len] = '\0';
    char *b = strstr(doc, begin), *e = b ? strstr(b, end) : NULL;
    if (!b || !e) {
        fprintf(stderr, "%s: no \"%.19s\" ... \"%s\" markers\n", path, begin, end);
        free(doc);
        return 1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *o = fopen(tmp, "wb");
    if (!o) {
        perror(tmp);
        free(doc);
        return 1;
    }
    fwrite(doc, 1, (size_t)(b - doc) + strlen(begin), o);
    dw_run_config_markdown(o);
    fputs(e, o);
    free(doc);
    if (fclose(o) != 0 || rename(tmp, path) != 0) {
        perror(path);
        remove(tmp);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "--sample";
    if (!strcmp(what, "--sample")) {
        dw_run_config_sample(stdout);
    } else if (!strcmp(what, "--markdown")) {
        dw_run_config_markdown(stdout);
    } else if (!strcmp(what, "--help")) {
        dw_run_config_help(stdout);
    } else if (!strcmp(what, "--update-docs") && argc > 2) {
        return update_docs(argv[2]);
    } else if (!strcmp(what, "--json")) {
        dw_run_config c;
        dw_run_config_default(&c);
        char *j = dw_run_config_json(&c);
        if (!j)
            return 1;
        printf("%s\n", j);
        free(j);
    } else {
        fprintf(stderr, "usage: dw_tool_runcfg_sample [--sample|--markdown|--help|--json|"
                        "--update-docs FILE]\n");
        return 2;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dw_test_run(const char *group, const struct CMUnitTest *tests, size_t n, int argc, char **argv)
{
    if (argc > 1) {
        for (size_t i = 0; i < n; i++) {
            if (strcmp(tests[i].name, argv[1]) == 0)
                return _cmocka_run_group_tests(group, &tests[i], 1, NULL, NULL);
        }
        fprintf(stderr, "%s: no test case named '%s'\n", group, argv[1]);
        return 2;
    }
    return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}

const char *dw_test_shared(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("DW_SHARED_DIR");
    snprintf(buf, sizeof buf, "%s/%s", root && *root ? root : DW_SHARED_DIR, rel);
    return buf;
}

const char *dw_test_tmpdir(void)
{
    static char buf[256];
    const char *base = getenv("TMPDIR");
    snprintf(buf, sizeof buf, "%s/dwtest.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf))
        return NULL;
    return buf;
}

void dw_test_near(double a, double b, double eps, const char *expr, const char *file, int line)
{
    if (fabs(a - b) <= eps)
        return;
    fprintf(stderr, "%s:%d: %s: %.12g vs %.12g (|diff| %.3g > %.3g)\n", file, line, expr, a, b,
                   fabs(a - b), eps);
    _fail(file, line);
}

void *dw_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        fail();
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fprintf(stderr, "out of memory reading %s\n", path);
            fail();
        }
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        cap *= 2;
        buf = realloc(buf, cap);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "read error on %s\n", path);
        free(buf);
        fail();
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

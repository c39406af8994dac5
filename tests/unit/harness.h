/* harness.h — the shared main() of every unit test program.
 *
 * CTest runs each case on its own: `test_x CASE`. A case name that matches
 * nothing is an error (cmocka alone would report "0 tests passed" and exit 0).
 */
#ifndef DW_TEST_HARNESS_H
#define DW_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

int dw_test_run(const char *group, const struct CMUnitTest *tests, size_t n, int argc, char **argv);

#define DW_TEST_MAIN(group, tests)                                          \
    int main(int argc, char **argv)                                         \
    {                                                                       \
        return dw_test_run(group, tests, sizeof(tests) / sizeof(tests[0]), argc, argv); \
    }

/* |a - b| <= eps, printing both values when it is not (cmocka 1.1 has no
 * assert_double_equal). */
void dw_test_near(double a, double b, double eps, const char *expr, const char *file, int line);
#define assert_near(a, b, eps) dw_test_near((a), (b), (eps), #a " ~ " #b, __FILE__, __LINE__)
#ifndef assert_double_equal
#define assert_double_equal(a, b, eps) assert_near(a, b, eps)
#endif

/* The whole file at path, NUL-terminated, in memory the caller frees; its
 * size in *len when len is not NULL. Fails the test if it cannot be read. */
void *dw_test_read_file(const char *path, size_t *len);

/* Path of a file under ../shared (captures, benchmark data). */
const char *dw_test_shared(const char *rel);
/* A fresh temporary directory for this test case; removed by nobody. */
const char *dw_test_tmpdir(void);

#endif

/* bench_tmp.h — a scratch directory for a benchmark's files, removed afterwards.
 *
 * The benchmarks that run the simulator write what it writes (streams, obs, tracks) to a
 * fresh directory under /tmp unless told where, and remove it when done, so that a
 * benchmark measures the writing too and leaves nothing behind. Header-only: each
 * benchmark is its own program.
 */
#ifndef DW_BENCH_TMP_H
#define DW_BENCH_TMP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Make the directory from template (ending in XXXXXX, rewritten in place); 0 or -1. */
static inline int bench_tmp_make(char *template_path)
{
    return mkdtemp(template_path) ? 0 : -1;
}

/* Remove path and, for a directory, everything under it; 0 or -1. */
static int bench_tmp_rm(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return -1;
        int rc = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[1024];
            if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= sizeof sub ||
                bench_tmp_rm(sub) != 0)
                rc = -1;
        }
        closedir(d);
        if (rc != 0)
            return rc;
    }
    return remove(path);
}

/* Remove the directory and everything in it; says so on stderr when it cannot. */
static inline void bench_tmp_remove(const char *prog, const char *dir)
{
    if (bench_tmp_rm(dir) != 0)
        fprintf(stderr, "%s: could not remove %s\n", prog, dir);
}

#endif

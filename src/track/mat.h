/* mat.h — the few dense small-matrix operations the filters need.
 * Row-major, dimensions passed in, no allocation; sizes are at most
 * DW_TRK_MAX_X, so callers keep everything on the stack. */
#ifndef DW_TRACK_MAT_H
#define DW_TRACK_MAT_H

#include <math.h>
#include <string.h>

/* C (n x p) = A (n x m) * B (m x p) */
static inline void dw__mat_mul(const double *A, const double *B, double *C, int n, int m, int p)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < p; j++) {
            double s = 0;
            for (int k = 0; k < m; k++)
                s += A[i * m + k] * B[k * p + j];
            C[i * p + j] = s;
        }
}

/* C (n x p) = A (n x m) * B^T, with B p x m */
static inline void dw__mat_mul_bt(const double *A, const double *B, double *C, int n, int m, int p)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < p; j++) {
            double s = 0;
            for (int k = 0; k < m; k++)
                s += A[i * m + k] * B[j * m + k];
            C[i * p + j] = s;
        }
}

static inline void dw__mat_symmetrize(double *A, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double v = 0.5 * (A[i * n + j] + A[j * n + i]);
            A[i * n + j] = A[j * n + i] = v;
        }
}

/* Inverse and log-determinant of a symmetric positive-definite n x n matrix
 * by Cholesky. Returns 0, or -1 (out untouched) if it is not positive
 * definite. */
static inline int dw__spd_inverse(const double *A, int n, double *inv, double *logdet)
{
    double L[16], Li[16];
    memset(L, 0, sizeof L);
    double ld = 0;
    for (int j = 0; j < n; j++) {
        double s = A[j * n + j];
        for (int k = 0; k < j; k++)
            s -= L[j * 4 + k] * L[j * 4 + k];
        if (!(s > 0))
            return -1;
        double d = sqrt(s);
        L[j * 4 + j] = d;
        ld += 2 * log(d);
        for (int i = j + 1; i < n; i++) {
            double t = A[i * n + j];
            for (int k = 0; k < j; k++)
                t -= L[i * 4 + k] * L[j * 4 + k];
            L[i * 4 + j] = t / d;
        }
    }
    /* Li = L^-1 (lower triangular) */
    memset(Li, 0, sizeof Li);
    for (int i = 0; i < n; i++) {
        Li[i * 4 + i] = 1.0 / L[i * 4 + i];
        for (int j = 0; j < i; j++) {
            double s = 0;
            for (int k = j; k < i; k++)
                s -= L[i * 4 + k] * Li[k * 4 + j];
            Li[i * 4 + j] = s / L[i * 4 + i];
        }
    }
    /* inv = Li^T Li */
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) {
            double s = 0;
            for (int k = i; k < n; k++)
                s += Li[k * 4 + i] * Li[k * 4 + j];
            inv[i * n + j] = inv[j * n + i] = s;
        }
    if (logdet)
        *logdet = ld;
    return 0;
}

#endif

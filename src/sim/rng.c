/* rng.c — the simulator's random numbers: xoshiro256** (Blackman and Vigna), seeded
 * through splitmix64 so that nearby seeds and streams give unrelated sequences. */
#include <math.h>

#include "dronewall/sim.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void dw_rng_seed(dw_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    /* A stream that happens to mix to zero would stay zero. */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t dw_rng_next(dw_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double dw_rng_uniform(dw_rng *r)
{
    return (double)(dw_rng_next(r) >> 11) * 0x1.0p-53;
}

double dw_rng_normal(dw_rng *r)
{
    /* Marsaglia's polar method; the second value is dropped so that a draw's
     * place in the sequence never depends on what was drawn before. */
    for (;;) {
        double u = 2.0 * dw_rng_uniform(r) - 1.0, v = 2.0 * dw_rng_uniform(r) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0)
            return u * sqrt(-2.0 * log(s) / s);
    }
}

double dw_rng_exp(dw_rng *r, double mean)
{
    return -mean * log1p(-dw_rng_uniform(r));
}

uint32_t dw_rng_poisson(dw_rng *r, double lambda)
{
    if (!(lambda > 0.0))
        return 0;
    if (lambda < 30.0) {
        /* Knuth: multiply uniforms until below e^-lambda. */
        double l = exp(-lambda), p = 1.0;
        uint32_t k = 0;
        for (;;) {
            p *= dw_rng_uniform(r);
            if (p <= l)
                return k;
            k++;
        }
    }
    /* Large means: the normal approximation with continuity correction is
     * well inside what clutter and false-alarm counts need. */
    double x = floor(lambda + sqrt(lambda) * dw_rng_normal(r) + 0.5);
    return x < 0 ? 0 : x > 4e9 ? 4000000000u : (uint32_t)x;
}

uint64_t dw_rng_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

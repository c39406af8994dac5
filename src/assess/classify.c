/* classify.c — class probabilities of a track from its kinematics, hints and identity
 * (classify.h).
 *
 * The envelopes are one table (below): per class, its regimes with a box per feature,
 * the class's softness per feature, its endurance, its radar cross-section and what each
 * hint says of it. The same table prints itself for docs/identification.md
 * (dw_classify_describe), so the page and the code cannot disagree.
 *
 * A feature's likelihood under a box [lo, hi] blurred by a Gaussian of sigma s is the
 * uniform density convolved with the Gaussian: (Phi((x-lo)/s) - Phi((x-hi)/s)) / (hi-lo).
 * It is a proper density, so a broad box (a fighter's 100-600 m/s) is less likely at any
 * one value than a narrow one (a Gerbera's 25-44 m/s): a class is not favoured for
 * allowing everything. Speeds and lateral accelerations are not negative: their density
 * is folded at zero.
 */
#include "dronewall/classify.h"
#include "dronewall/sensors_file.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dronewall/sensor.h"

enum { F_SPEED, F_ALT, F_CLIMB, F_ALAT, NF };

#define MAX_REGIMES 4
#define HEADING_MIN_MPS 3.0     /* slower than this a heading is noise               */
#define TURN_BASELINE_S 4.0     /* a turn is measured over at least this long        */
#define TURN_MAX_GAP_S 60.0     /* ...and not over gaps longer than this             */
#define DEFAULT_SIGMA_V 4.0     /* m/s, a track without a velocity covariance        */
#define DEFAULT_SIGMA_ALT 30.0  /* m, a track without a position covariance          */
#define CLIMB_FROM_ALT_S 40.0   /* without a velocity covariance, climb sigma =
                                   altitude sigma / this (the tracker's memory; what
                                   the CV tracker shows on the September scenario)  */
#define RCS_SOFT_DEC 0.3        /* decades: a class's RCS beyond its box             */
#define RCS_MEAS_DEC 0.5        /* decades: one plot's fluctuation (~5 dB)            */
#define SCORE_FLOOR 0.05        /* a classifier score is never taken as lower        */

typedef struct regime {
    const char *what;
    double w;
    double box[NF][2];
} regime;

typedef struct envelope {
    double soft[NF];            /* the class's own spread beyond its boxes           */
    double endurance_s;         /* 0: none that matters                              */
    double rcs_log10[2];        /* log10 m², the box of its radar cross-section      */
    /* Hint terms, log likelihood (0: fits, negative: does not). */
    double icao, ssr, rid, heard, rf;
    double agile;               /* a sustained turn of DW_CLASSIFY_AGILE_MPS2 or more */
    int n;
    regime r[MAX_REGIMES];
    const char *source;
} envelope;

/* Speeds m/s, altitudes m above the ellipsoid (the boxes are AGL or MSL figures; the
 * altitude softness covers terrain and geoid, 100-300 m in Poland), climb m/s, lateral
 * acceleration m/s² (g x tan(bank) in a level turn: 30° is 5.7, 60° is 17, 9 g is 88). */
static const envelope env[DW_NCLASSES] = {
    [DW_CLASS_UNKNOWN] = {
        .soft = {30, 500, 10, 5}, .endurance_s = 0, .rcs_log10 = {-3, 2},
        .icao = -2, .ssr = -1, .rid = -2, .heard = -0.5, .rf = -1, .agile = -1,
        .n = 1,
        .r = {{"anything that flies", 1.0, {{0, 400}, {-200, 20000}, {-150, 150}, {0, 100}}}},
        .source = "the catch-all: wins only where no other class fits",
    },
    [DW_CLASS_OWA_DRONE] = {
        .soft = {6, 250, 2, 2}, .endurance_s = 15 * 3600.0, .rcs_log10 = {-1.5, 0},
        .icao = -6, .ssr = -5, .rid = -4, .heard = 0, .rf = 0, .agile = -5,
        .n = 4,
        .r = {{"cruise, 2025 profile", 0.60, {{40, 55}, {1500, 5000}, {-5, 5}, {0, 6}}},
              {"low level", 0.20, {{40, 55}, {50, 1500}, {-5, 5}, {0, 6}}},
              {"Geran-3 (jet)", 0.15, {{135, 175}, {500, 8000}, {-15, 15}, {0, 10}}},
              {"terminal dive", 0.05, {{40, 120}, {0, 5000}, {-100, -10}, {0, 10}}}},
        .source = "Shahed-136/Geran-2: 150-190 km/h (185 commonly cited), cruise at 2-5 km since "
                  "2025, range over 1,000 km, terminal dive; Geran-3 (jet): ~550-600 km/h",
    },
    [DW_CLASS_DECOY] = {
        .soft = {6, 250, 2, 2}, .endurance_s = 5 * 3600.0, .rcs_log10 = {-2, -0.5},
        .icao = -6, .ssr = -5, .rid = -4, .heard = 0, .rf = 0, .agile = -5,
        .n = 2,
        .r = {{"cruise", 0.9, {{25, 44}, {100, 3000}, {-5, 5}, {0, 6}}},
              {"glide, fuel out", 0.1, {{15, 40}, {0, 3000}, {-8, -1}, {0, 4}}}},
        .source = "Gerbera: max 160 km/h, ceiling ~3 km, range 600 km (4 h at 150 km/h), "
                  "lands or glides when its fuel ends; some carry 4G modems",
    },
    [DW_CLASS_QUADCOPTER] = {
        .soft = {3, 200, 2, 2}, .endurance_s = 3000, .rcs_log10 = {-2.5, -1},
        .icao = -6, .ssr = -5, .rid = 0, .heard = 0, .rf = 0, .agile = -1,
        .n = 2,
        .r = {{"hover", 0.35, {{0, 3}, {0, 500}, {-5, 5}, {0, 10}}},
              {"moving", 0.65, {{3, 21}, {0, 500}, {-6, 8}, {0, 10}}}},
        .source = "DJI Mavic 3 class: ~46 min flight, 21 m/s in sport mode, firmware height "
                  "limit 500 m (EU open category: 120 m AGL)",
    },
    [DW_CLASS_HELICOPTER] = {
        .soft = {8, 250, 2, 2}, .endurance_s = 4 * 3600.0, .rcs_log10 = {0, 1.5},
        .icao = 0, .ssr = 0, .rid = -6, .heard = 0, .rf = -2, .agile = -2,
        .n = 3,
        .r = {{"cruise, low", 0.6, {{30, 85}, {0, 800}, {-8, 8}, {0, 8}}},
              {"cruise, higher", 0.1, {{30, 85}, {0, 3000}, {-8, 8}, {0, 8}}},
              {"slow, hover", 0.3, {{0, 30}, {0, 1500}, {-8, 8}, {0, 8}}}},
        .source = "Mi-17 cruise ~230 km/h, UH-60 ~280 km/h, Mi-24 max ~330 km/h; cruise "
                  "commonly at 500-1,500 ft AGL, tactical flight lower (the scenario: "
                  "200 km/h at 300 m)",
    },
    [DW_CLASS_AIRLINER] = {
        .soft = {20, 300, 2, 2}, .endurance_s = 16 * 3600.0, .rcs_log10 = {1, 2},
        .icao = 0, .ssr = -2, .rid = -8, .heard = -1, .rf = -2, .agile = -6,
        .n = 3,
        .r = {{"cruise", 0.55, {{190, 265}, {7000, 12500}, {-5, 5}, {0, 5}}},
              {"climb, descent above FL100", 0.25, {{130, 250}, {3000, 12000}, {-20, 25}, {0, 5}}},
              {"below FL100, approach", 0.2, {{65, 135}, {0, 3500}, {-10, 15}, {0, 5}}}},
        .source = "700-950 km/h at 9-12 km, short legs at FL230-260; 250 kt below FL100, "
                  "approach ~140 kt; bank <= 25-30° (lateral acc. <= 5.7 m/s²); "
                  "ground speed +- wind (softness 20 m/s)",
    },
    [DW_CLASS_LIGHT_AIRCRAFT] = {
        .soft = {8, 250, 2, 2}, .endurance_s = 6 * 3600.0, .rcs_log10 = {0, 0.7},
        .icao = 0, .ssr = -0.5, .rid = -6, .heard = 0, .rf = -2, .agile = -2,
        .n = 1,
        .r = {{"cruise", 1.0, {{25, 85}, {150, 4500}, {-6, 6}, {0, 10}}}},
        .source = "Cessna 172 / PA-28 class: stall ~25 m/s, cruise ~60 m/s, faster tourers "
                  "to ~85 m/s; VFR at 150-4,500 m",
    },
    [DW_CLASS_FIGHTER] = {
        .soft = {20, 300, 3, 3}, .endurance_s = 5 * 3600.0, .rcs_log10 = {-0.5, 1},
        .icao = -1, .ssr = 0, .rid = -8, .heard = -1, .rf = -2, .agile = 0,
        .n = 2,
        .r = {{"transit, patrol", 0.6, {{120, 300}, {300, 13000}, {-20, 20}, {0, 10}}},
              {"manoeuvre", 0.4, {{100, 600}, {100, 15000}, {-150, 150}, {0, 90}}}},
        .source = "F-16 / F-35: patrols at ~750 km/h and 5-7 km (the scenario's CAPs), up to "
                  "9 g; squawk a Mode 3/A code, ADS-B often off",
    },
    [DW_CLASS_BIRD] = {
        .soft = {6, 200, 1, 2}, .endurance_s = 0, .rcs_log10 = {-3, -0.5},
        .icao = -8, .ssr = -8, .rid = -8, .heard = -3, .rf = -5, .agile = -2,
        .n = 2,
        .r = {{"local, low", 0.4, {{5, 22}, {0, 500}, {-3, 3}, {0, 6}}},
              {"migration", 0.6, {{5, 22}, {0, 3000}, {-3, 3}, {0, 6}}}},
        .source = "under 80 km/h airspeed, ground speed +- wind; nocturnal migration mostly "
                  "below 2-3 km; no engine, no radio, no transponder",
    },
};

/* ------------------------------------------------------------------ densities */

/* Phi(a) - Phi(b) for a >= b, accurate in both tails. */
static double phi_diff(double a, double b)
{
    if (b >= 0)
        return 0.5 * (erfc(b / M_SQRT2) - erfc(a / M_SQRT2));
    if (a <= 0)
        return 0.5 * (erfc(-a / M_SQRT2) - erfc(-b / M_SQRT2));
    return 1.0 - 0.5 * erfc(a / M_SQRT2) - 0.5 * erfc(-b / M_SQRT2);
}

/* log of the density at x of [lo, hi] blurred by sigma (folded at 0 when asked),
 * clamped at DW_CLASSIFY_KIN_FLOOR below the box's peak. */
static double box_logpdf(double x, double lo, double hi, double sigma, int folded)
{
    double w = hi - lo;
    double d = phi_diff((x - lo) / sigma, (x - hi) / sigma) / w;
    if (folded)
        d += phi_diff((-x - lo) / sigma, (-x - hi) / sigma) / w;
    double floor = log(erf(w / (2.0 * M_SQRT2 * sigma)) / w) - DW_CLASSIFY_KIN_FLOOR;
    if (!(d > 0))
        return floor;
    double l = log(d);
    return l < floor ? floor : l;
}

static double logsumexp2(double a, double b)
{
    if (a == -INFINITY)
        return b;
    if (b == -INFINITY)
        return a;
    double m = a > b ? a : b;
    return m + log(exp(a - m) + exp(b - m));
}

/* One update's kinematic log likelihood of class c. */
static double kin_logl(dw_class c, const double x[NF], const double sm[NF], const int have[NF],
                       double age_s)
{
    const envelope *e = &env[c];
    double total = -INFINITY;
    for (int k = 0; k < e->n; k++) {
        const regime *r = &e->r[k];
        double l = log(r->w);
        for (int f = 0; f < NF; f++) {
            if (!have[f])
                continue;
            double s = sqrt(e->soft[f] * e->soft[f] + sm[f] * sm[f]);
            l += box_logpdf(x[f], r->box[f][0], r->box[f][1], s, f == F_SPEED || f == F_ALAT);
        }
        total = logsumexp2(total, l);
    }
    if (e->endurance_s > 0 && age_s > e->endurance_s) {
        double z = (age_s - e->endurance_s) / (0.25 * e->endurance_s);
        double pen = -0.5 * z * z;
        total += pen < -DW_CLASSIFY_KIN_FLOOR ? -DW_CLASSIFY_KIN_FLOOR : pen;
    }
    return total;
}

/* ------------------------------------------------------------------ hints */

static double clamp_hint(double l)
{
    return l < -DW_CLASSIFY_HINT_FLOOR ? -DW_CLASSIFY_HINT_FLOOR : l;
}

/* The hints' evidence per class (identity aside), each term's best at 0. */
static void hints_logl(const dw_class_hints *h, double out[DW_NCLASSES])
{
    for (int c = 0; c < DW_NCLASSES; c++)
        out[c] = 0;

    if (h->n_class_scores > 0) {
        /* A sensor's scores are its own posterior under its own (unknown) prior: taken as
         * a likelihood, tempered, growing with the number of reports averaged. Its
         * "unknown" share is spread over all classes; our unknown class gets the mean. */
        double kappa = 0.5 + 0.25 * (double)h->n_class_scores;
        if (kappa > 2.0)
            kappa = 2.0;
        double su = h->class_score[DW_CLASS_UNKNOWN];
        su = isfinite(su) && su > 0 ? su : 0;
        double eff[DW_NCLASSES], mean = 0, best = 0;
        for (int c = 1; c < DW_NCLASSES; c++) {
            double s = h->class_score[c];
            s = isfinite(s) && s > 0 ? s : 0;
            eff[c] = s + su / DW_NCLASSES;
            if (eff[c] < SCORE_FLOOR)
                eff[c] = SCORE_FLOOR;
            mean += eff[c] / (DW_NCLASSES - 1);
            if (eff[c] > best)
                best = eff[c];
        }
        eff[DW_CLASS_UNKNOWN] = mean;
        for (int c = 0; c < DW_NCLASSES; c++)
            out[c] += clamp_hint(kappa * log(eff[c] / best));
    }

    if (h->n_rcs > 0 && isfinite(h->rcs_m2) && h->rcs_m2 > 0) {
        double x = log10(h->rcs_m2);
        double meas = RCS_MEAS_DEC / sqrt((double)h->n_rcs);
        double l[DW_NCLASSES], best = -INFINITY;
        for (int c = 0; c < DW_NCLASSES; c++) {
            double s = sqrt(RCS_SOFT_DEC * RCS_SOFT_DEC + meas * meas);
            double w = env[c].rcs_log10[1] - env[c].rcs_log10[0];
            double d = phi_diff((x - env[c].rcs_log10[0]) / s, (x - env[c].rcs_log10[1]) / s) / w;
            l[c] = d > 0 ? log(d) : -INFINITY;
            if (l[c] > best)
                best = l[c];
        }
        for (int c = 0; c < DW_NCLASSES; c++)
            out[c] += clamp_hint(isfinite(best) ? l[c] - best : 0);
    }

    int heard = h->heard || (h->sensor_kinds & (1u << DW_SENSOR_ACOUSTIC));
    int rf = (h->sensor_kinds & (1u << DW_SENSOR_RF)) != 0;
    for (int c = 0; c < DW_NCLASSES; c++) {
        if (heard)
            out[c] += env[c].heard;
        if (rf)
            out[c] += env[c].rf;
    }
}

static uint32_t hints_ident(const dw_class_hints *h)
{
    uint32_t id = 0;
    if (h->sensor_kinds & (1u << DW_SENSOR_ADSB))
        id |= DW_CLASS_IDENT_ICAO;
    if (h->sensor_kinds & (1u << DW_SENSOR_REMOTE_ID))
        id |= DW_CLASS_IDENT_RID;
    if (h->mode3a)
        id |= DW_CLASS_IDENT_SSR;
    return id;
}

/* What the track itself carries: an ICAO address or a callsign (Mode S, ADS-B: both come
 * from a transponder), a Mode 3/A code, a Remote ID serial. */
static uint32_t track_ident(const dw_track *t)
{
    uint32_t id = 0;
    if (t->icao || t->callsign[0])
        id |= DW_CLASS_IDENT_ICAO;
    if (t->mode3a)
        id |= DW_CLASS_IDENT_SSR;
    if (t->rid[0])
        id |= DW_CLASS_IDENT_RID;
    return id;
}

static double ident_logl(dw_class c, uint32_t id)
{
    double l = 0;
    /* An ICAO address implies a transponder: the SSR code says nothing more. */
    if (id & DW_CLASS_IDENT_ICAO)
        l += env[c].icao;
    else if (id & DW_CLASS_IDENT_SSR)
        l += env[c].ssr;
    if (id & DW_CLASS_IDENT_RID)
        l += env[c].rid;
    return clamp_hint(l);
}

/* ------------------------------------------------------------------ public */

void dw_classify_config_default(dw_classify_config *c)
{
    if (!c)
        return;
    memset(c, 0, sizeof *c);
    c->min_track_s = 10.0;
    c->smoothing_s = 30.0;
    /* Relative weights: no class favoured, except birds, the commonest target of a
     * low-level radar and its best-known false alarm (x2), and quadcopters, rare in a
     * wide-area picture outside a site's own perimeter and mostly under the radar
     * horizon (x0.5); the catch-all gets a third. A site that knows its traffic sets its
     * own. */
    double w[DW_NCLASSES], sum = 0;
    for (int k = 0; k < DW_NCLASSES; k++) {
        w[k] = k == DW_CLASS_BIRD ? 2.0 : k == DW_CLASS_QUADCOPTER ? 0.5
             : k == DW_CLASS_UNKNOWN ? 1.0 / 3.0 : 1.0;
        sum += w[k];
    }
    for (int k = 0; k < DW_NCLASSES; k++)
        c->prior[k] = w[k] / sum;
}

void dw_class_state_init(dw_class_state *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof *s);
    s->last_heading_rad = NAN;
}

int dw_classify_velocity_known(const dw_track *t)
{
    if (!t)
        return 0;
    double a = t->cov_vel_enu[0][0], b = t->cov_vel_enu[0][1], c = t->cov_vel_enu[1][1];
    if (isfinite(a) && isfinite(b) && isfinite(c) && (a > 0 || c > 0)) {
        double m = 0.5 * (a + c), d = sqrt(0.25 * (a - c) * (a - c) + b * b);
        return m + d <= DW_CLASSIFY_VEL_KNOWN_MPS * DW_CLASSIFY_VEL_KNOWN_MPS;
    }
    if (t->hits > 0 && t->hits < DW_CLASSIFY_VEL_KNOWN_HITS)
        return 0;
    if (t->first_us <= 0 || t->first_us > t->t_us)
        return 1;                       /* nothing says how young it is */
    return (double)(t->t_us - t->first_us) * 1e-6 >= DW_CLASSIFY_VEL_KNOWN_S;
}

int dw_class_is_drone(dw_class c)
{
    return c == DW_CLASS_OWA_DRONE || c == DW_CLASS_DECOY || c == DW_CLASS_QUADCOPTER;
}

double dw_classify_drone_prob(const float prob[DW_NCLASSES])
{
    if (!prob)
        return 0;
    return (double)prob[DW_CLASS_OWA_DRONE] + prob[DW_CLASS_DECOY] + prob[DW_CLASS_QUADCOPTER];
}

static double finite_or(double x, double dflt)
{
    return isfinite(x) ? x : dflt;
}

void dw_classify_update(const dw_classify_config *c, dw_class_state *s, const dw_track *t,
                        const dw_class_hints *hints)
{
    if (!s || !t)
        return;
    if (t->status != DW_TRACK_CONFIRMED && t->status != DW_TRACK_COASTING)
        return;
    dw_classify_config def;
    if (!c) {
        dw_classify_config_default(&def);
        c = &def;
    }

    if (hints) {
        hints_logl(hints, s->hint_logl);
        s->ident |= hints_ident(hints);
    }
    s->ident |= track_ident(t);
    if (s->n > 0 && t->t_us <= s->last_us)
        return;
    /* Kinematics from a velocity the tracker has not estimated yet (a track's first
     * plots) would say "hovering" or "80 m/s sideways": such an update is no kinematic
     * evidence at all, and neither starts nor feeds the averages (mixing an
     * altitude-only update into them would dilute what the others say). */
    if (!dw_classify_velocity_known(t))
        return;

    /* The features of this update, and their measurement sigmas. */
    double x[NF] = {0}, sm[NF] = {0};
    int have[NF] = {0};
    double ve = t->vel_enu_mps[0], vn = t->vel_enu_mps[1], vu = t->vel_enu_mps[2];
    double var_h = 0.5 * (t->cov_vel_enu[0][0] + t->cov_vel_enu[1][1]);
    double sig_v = isfinite(var_h) && var_h > 0 ? sqrt(var_h) : DEFAULT_SIGMA_V;
    double var_a = t->cov_pos_enu[2][2];
    double sig_alt = isfinite(var_a) && var_a > 0 ? sqrt(var_a) : DEFAULT_SIGMA_ALT;
    double var_u = t->cov_vel_enu[2][2];
    double sig_u = isfinite(var_u) && var_u > 0 ? sqrt(var_u)
                                                : fmax(2.0, sig_alt / CLIMB_FROM_ALT_S);
    double speed = hypot(ve, vn);
    if (isfinite(speed)) {
        x[F_SPEED] = speed;
        sm[F_SPEED] = sig_v;
        have[F_SPEED] = 1;
    }
    if (isfinite(t->alt_m)) {
        x[F_ALT] = t->alt_m;
        sm[F_ALT] = sig_alt;
        have[F_ALT] = 1;
    }
    if (isfinite(vu)) {
        x[F_CLIMB] = vu;
        sm[F_CLIMB] = sig_u;
        have[F_CLIMB] = 1;
    }

    /* The turn: the heading change over at least TURN_BASELINE_S, as a lateral
     * acceleration; its noise is that of the difference of two velocities. */
    double turn_rps = NAN;
    if (have[F_SPEED] && speed >= HEADING_MIN_MPS) {
        double hd = atan2(ve, vn);
        if (isnan(s->last_heading_rad)) {
            s->last_heading_rad = hd;
            s->heading_us = t->t_us;
        } else {
            double dts = ((double)t->t_us - (double)s->heading_us) / 1e6;
            if (dts > TURN_MAX_GAP_S || dts <= 0) {
                s->last_heading_rad = hd;
                s->heading_us = t->t_us;
            } else if (dts >= TURN_BASELINE_S) {
                double d = remainder(hd - s->last_heading_rad, 2.0 * M_PI);
                turn_rps = fabs(d) / dts;
                /* A tracker cuts the corner of a turn and its speed sags there: the
                 * smoothed speed gives the acceleration the object really pulls. */
                double v_turn = s->n && s->speed_mps > speed ? s->speed_mps : speed;
                x[F_ALAT] = v_turn * turn_rps;
                sm[F_ALAT] = M_SQRT2 * sig_v / dts;
                have[F_ALAT] = 1;
                if (x[F_ALAT] - sm[F_ALAT] >= DW_CLASSIFY_AGILE_MPS2) {
                    if (++s->agile_run >= DW_CLASSIFY_AGILE_RUN)
                        s->agile_us = t->t_us;
                } else {
                    s->agile_run = 0;
                }
                s->last_heading_rad = hd;
                s->heading_us = t->t_us;
            }
        }
    } else {
        s->last_heading_rad = NAN;
    }

    if (!have[F_SPEED] && !have[F_ALT] && !have[F_CLIMB])
        return;

    int64_t first = s->n ? s->first_us : t->t_us;
    if (t->first_us > 0 && t->first_us < first)
        first = t->first_us;
    double age_s = ((double)t->t_us - (double)first) / 1e6;

    double tau = c->smoothing_s > 1e-3 ? c->smoothing_s : 1e-3;
    double dt = s->n ? ((double)t->t_us - (double)s->last_us) / 1e6 : 0;
    double decay = s->n ? exp(-dt / tau) : 0;
    double w_old = s->weight * decay, w_new = w_old + 1.0;
    for (int k = 0; k < DW_NCLASSES; k++) {
        double l = kin_logl((dw_class)k, x, sm, have, age_s);
        s->logl[k] = (s->logl[k] * w_old + l) / w_new;
    }
    s->weight = w_new;

    double a = s->n ? 1.0 - decay : 1.0;
    if (have[F_SPEED])
        s->speed_mps = s->n ? s->speed_mps + a * (speed - s->speed_mps) : speed;
    if (have[F_ALT])
        s->alt_m = s->n ? s->alt_m + a * (t->alt_m - s->alt_m) : t->alt_m;
    if (have[F_CLIMB])
        s->climb_mps = s->n ? s->climb_mps + a * (vu - s->climb_mps) : vu;
    if (isfinite(turn_rps))
        s->turn_rps = finite_or(s->turn_rps, 0) + (1.0 - exp(-TURN_BASELINE_S / tau)) *
                                                      (turn_rps - finite_or(s->turn_rps, 0));
    if (s->speed_mps > s->max_speed_mps)
        s->max_speed_mps = s->speed_mps;
    if (s->turn_rps > s->max_turn_rps)
        s->max_turn_rps = s->turn_rps;
    if (s->n == 0)
        s->first_us = t->t_us;
    s->last_us = t->t_us;
    s->n++;
}

void dw_classify_result(const dw_classify_config *c, const dw_class_state *s,
                        float prob[DW_NCLASSES], dw_class *best)
{
    dw_classify_config def;
    if (!c) {
        dw_classify_config_default(&def);
        c = &def;
    }
    double lp[DW_NCLASSES], m = -INFINITY;
    int use_kin = s && s->n > 0 &&
                  ((double)s->last_us - (double)s->first_us) / 1e6 >= c->min_track_s;
    for (int k = 0; k < DW_NCLASSES; k++) {
        double p = c->prior[k];
        lp[k] = log(isfinite(p) && p > 1e-12 ? p : 1e-12);
        if (s) {
            if (use_kin && isfinite(s->logl[k]))
                lp[k] += s->logl[k];
            if (isfinite(s->hint_logl[k]))
                lp[k] += s->hint_logl[k];
            lp[k] += ident_logl((dw_class)k, s->ident);
            if (s->agile_us &&
                ((double)s->last_us - (double)s->agile_us) / 1e6 <= DW_CLASSIFY_AGILE_MEMORY_S)
                lp[k] += env[k].agile;
        }
        if (lp[k] > m)
            m = lp[k];
    }
    double sum = 0, p[DW_NCLASSES];
    for (int k = 0; k < DW_NCLASSES; k++)
        sum += p[k] = exp(lp[k] - m);
    /* Evidence beyond the prior: without it no class is named. */
    int evidence = use_kin;
    if (s) {
        evidence |= s->ident != 0 || s->agile_us != 0;
        for (int k = 0; k < DW_NCLASSES; k++)
            evidence |= s->hint_logl[k] != 0;
    }
    int b = 0, tie = 0;
    for (int k = 0; k < DW_NCLASSES; k++) {
        if (prob)
            prob[k] = (float)(p[k] / sum);
        if (k > 0 && fabs(p[k] - p[b]) <= 1e-9 * p[b])
            tie = 1;
        else if (p[k] > p[b])
            b = k, tie = 0;
    }
    /* A class is named only when it stands out and something but the prior says so. */
    if (best)
        *best = tie || !evidence ? DW_CLASS_UNKNOWN : (dw_class)b;
}

/* ------------------------------------------------------------------ the table as text */

typedef struct sbuf {
    char *p;
    size_t cap, n;
    int over;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    if (b->over)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= b->cap - b->n)
        b->over = 1;
    else
        b->n += (size_t)k;
}

static void put_range(sbuf *b, const double r[2])
{
    put(b, " %g to %g |", r[0], r[1]);
}

size_t dw_classify_describe(char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return 0;
    sbuf b = {buf, cap, 0, 0};
    buf[0] = '\0';
    put(&b, "| class | regime | weight | speed, m/s | altitude, m | climb, m/s | "
            "lateral acc., m/s² |\n");
    put(&b, "|---|---|---|---|---|---|---|\n");
    for (int c = 0; c < DW_NCLASSES; c++) {
        const envelope *e = &env[c];
        for (int k = 0; k < e->n; k++) {
            put(&b, "| %s | %s | %g |", k == 0 ? dw_class_name((dw_class)c) : "", e->r[k].what,
                e->r[k].w);
            for (int f = 0; f < NF; f++)
                put_range(&b, e->r[k].box[f]);
            put(&b, "\n");
        }
    }
    put(&b, "\n| class | softness (speed, alt, climb, lat. acc.) | endurance | RCS, m² | "
            "ICAO | Mode 3/A | Remote ID | heard | RF | agile | basis |\n");
    put(&b, "|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int c = 0; c < DW_NCLASSES; c++) {
        const envelope *e = &env[c];
        put(&b, "| %s | %g, %g, %g, %g |", dw_class_name((dw_class)c), e->soft[0], e->soft[1],
            e->soft[2], e->soft[3]);
        if (e->endurance_s >= 3600)
            put(&b, " %g h |", e->endurance_s / 3600.0);
        else if (e->endurance_s > 0)
            put(&b, " %g min |", e->endurance_s / 60.0);
        else
            put(&b, " - |");
        put(&b, " %.3g to %.3g | %g | %g | %g | %g | %g | %g | %s |\n", pow(10, e->rcs_log10[0]),
            pow(10, e->rcs_log10[1]), e->icao, e->ssr, e->rid, e->heard, e->rf, e->agile,
            e->source);
    }
    if (b.over) {
        buf[0] = '\0';
        return 0;
    }
    return b.n;
}

void dw_class_hints_of_track(const dw_track *t, const char *const *slot_names, size_t n_names,
                             const dw_sensors_index *index, const dw_sensor *sensors,
                             dw_class_hints *h)
{
    memset(h, 0, sizeof *h);
    h->mode3a = t->mode3a;
    for (int i = 0; i < t->n_sensors; i++) {
        const char *nm = t->sensor_idx[i] < n_names ? slot_names[t->sensor_idx[i]] : NULL;
        int fi = nm && index ? dw_sensors_index_find(index, nm) : -1;
        if (fi >= 0)
            h->sensor_kinds |= 1u << sensors[fi].kind;
        else if (nm && !strcmp(nm, "acoustic-bearings"))
            h->sensor_kinds |= 1u << DW_SENSOR_ACOUSTIC;
        else if (nm && !strcmp(nm, "rf-bearings"))
            h->sensor_kinds |= 1u << DW_SENSOR_RF;
        else if (nm && !strcmp(nm, "eo-bearings"))
            h->sensor_kinds |= 1u << DW_SENSOR_EO;
    }
    h->heard = !!(h->sensor_kinds & (1u << DW_SENSOR_ACOUSTIC));
}

/* cmd_sim.c — `dronewall sim`: a scenario through the whole pipeline.
 *
 * The simulator itself (src/sim) never reads the clock; this main is where wall time
 * enters: the progress bar, the real-time pacing of --speed and the speed-up figure.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/commands.h"
#include "dronewall/log.h"
#include "dronewall/sim.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: dronewall sim SCENARIO.yaml [options]\n"
        "\n"
        "Run a scenario (docs/scenarios.md): targets fly, sensors report through the real\n"
        "encoders into raw streams, the streams are decoded and tracked, and the tracks are\n"
        "scored against the truth. Writes into the output directory:\n"
        "  truth.ndjson tracks.ndjson obs.ndjson events.ndjson sensors.json score.json\n"
        "  summary.json summary.txt streams/ (one raw file per feed)\n"
        "\n"
        "  -o, --out DIR      output directory (default: out/<scenario name>)\n"
        "      --seed N       use this seed instead of the scenario's\n"
        "      --without K,.. leave out the sensors of these kinds (e.g. radar,aew: what the\n"
        "                     acoustic line, RF, EO and people see on their own)\n"
        "      --speed X      run at X times real time (default: as fast as it can)\n"
        "      --no-track     truth and sensor streams only: no tracker, no score\n"
        "      --no-obs       do not write obs.ndjson\n"
        "      --meant        also write meant.ndjson: each observation before encoding\n"
        "      --summary      print summary.txt (what was seen and when) at the end\n"
        "  -q, --quiet        no progress bar and no closing line; errors only\n"
        "      --log SPEC     log levels, e.g. 'info' or 'warn,sim=debug'\n"
        "  -h, --help         this text\n"
        "\n"
        "Scenarios shipped: scenarios/quick.yaml, scenarios/pl-2025-09-10.yaml,\n"
        "scenarios/ua-2025-09-07.yaml.\n");
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct pace {
    double t0_wall, last_draw;
    double speed;
    int bar;
} pace;

static void human(char *buf, size_t len, double v)
{
    if (v >= 1e9)
        snprintf(buf, len, "%.1fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, len, "%.1fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, len, "%.0fk", v / 1e3);
    else
        snprintf(buf, len, "%.0f", v);
}

static void on_progress(void *ctx, const dw_sim_progress *p)
{
    pace *pc = ctx;
    double sim_s = (double)(p->t_us - p->start_us) * 1e-6;
    if (pc->speed > 0) {
        double due = pc->t0_wall + sim_s / pc->speed, now = wall_s();
        if (due > now) {
            struct timespec ts = {(time_t)(due - now), (long)(fmod(due - now, 1.0) * 1e9)};
            nanosleep(&ts, NULL);
        }
    }
    if (!pc->bar)
        return;
    double now = wall_s();
    if (now - pc->last_draw < 0.1 && p->t_us < p->end_us)
        return;
    pc->last_draw = now;
    double frac = (double)(p->t_us - p->start_us) / (double)(p->end_us - p->start_us);
    int w = 24, fill = (int)(frac * w + 0.5);
    char bar[32];
    for (int i = 0; i < w; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[w] = '\0';
    time_t ts = (time_t)(p->t_us / 1000000);
    struct tm tm;
    gmtime_r(&ts, &tm);
    double el = now - pc->t0_wall;
    char obs[16], drops[16];
    human(obs, sizeof obs, (double)p->obs_decoded);
    human(drops, sizeof drops, (double)p->obs_dropped);
    fprintf(stderr, "\r[%s] %02d:%02d:%02dZ %3.0f%% %6.0fx  obs %s  tracks %llu (confirmed %llu)  "
                    "not tracked %s \033[K",
            bar, tm.tm_hour, tm.tm_min, tm.tm_sec, frac * 100, el > 0 ? sim_s / el : 0.0, obs,
            (unsigned long long)p->tracks_now, (unsigned long long)p->tracks_confirmed, drops);
}

int cmd_sim(int argc, char **argv)
{
    const char *out = NULL;
    double speed = 0;
    unsigned long long seed = 0;
    int quiet = 0, track = 1, write_obs = 1, meant = 0, summary = 0;
    char without_buf[256] = "";
    const char *without[17] = {NULL};
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},   {"seed", required_argument, 0, 'S'},
        {"speed", required_argument, 0, 'X'}, {"no-track", no_argument, 0, 'T'},
        {"no-obs", no_argument, 0, 'O'},      {"meant", no_argument, 0, 'M'},
        {"summary", no_argument, 0, 'U'},     {"quiet", no_argument, 0, 'q'},
        {"log", required_argument, 0, 'L'},   {"help", no_argument, 0, 'h'},
        {"without", required_argument, 0, 'W'},
        {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        char *e = NULL;
        errno = 0;
        switch (o) {
        case 'o': out = optarg; break;
        case 'S': seed = strtoull(optarg, &e, 10); break;
        case 'X': speed = strtod(optarg, &e); break;
        case 'T': track = 0; break;
        case 'O': write_obs = 0; break;
        case 'M': meant = 1; break;
        case 'U': summary = 1; break;
        case 'q': quiet = 1; break;
        case 'W': {
            snprintf(without_buf, sizeof without_buf, "%s", optarg);
            int n = 0;
            for (char *tok = strtok(without_buf, ","); tok && n < 16; tok = strtok(NULL, ","))
                without[n++] = tok;
            without[n] = NULL;
            break;
        }
        case 'L':
            if (dw_log_configure(optarg) != DW_OK) {
                fprintf(stderr, "dronewall sim: bad --log '%s' (levels: off error warn info debug trace)\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (e && (*e || errno)) {
            fprintf(stderr, "dronewall sim: '%s' is not a number\n", optarg);
            return 2;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "dronewall sim: one scenario file is needed\n");
        usage(stderr);
        return 2;
    }
    if (speed < 0) {
        fprintf(stderr, "dronewall sim: --speed must be positive\n");
        return 2;
    }
    for (const char *const *w = without; *w; w++) {
        size_t i = 0;
        while (dw_sim_sensor_model(i) && strcmp(dw_sim_sensor_model(i), *w))
            i++;
        if (!dw_sim_sensor_model(i)) {
            fprintf(stderr, "dronewall sim: --without: '%s' is no sensor kind (", *w);
            for (size_t k = 0; dw_sim_sensor_model(k); k++)
                fprintf(stderr, "%s%s", k ? ", " : "", dw_sim_sensor_model(k));
            fprintf(stderr, ")\n");
            return 2;
        }
    }
    const char *path = argv[optind];
    char err[1024];
    dw_scenario *s = NULL;
    dw_scenario_options lo = {seed, without[0] ? without : NULL};
    dw_status st = dw_scenario_load_opts(path, &lo, &s, err, sizeof err);
    if (st != DW_OK) {
        fprintf(stderr, "dronewall sim: %s\n", err[0] ? err : dw_status_str(st));
        return 1;
    }
    char outbuf[512];
    if (!out) {
        snprintf(outbuf, sizeof outbuf, "out/%s", s->name);
        out = outbuf;
    }
    pace pc = {wall_s(), 0, speed, !quiet && isatty(2)};
    dw_sim_options so = {out, track, meant, write_obs, on_progress, &pc, NULL, NULL};
    dw_sim_progress pr;
    st = dw_sim_run(s, &so, &pr, err, sizeof err);
    double el = wall_s() - pc.t0_wall;
    if (pc.bar)
        fputc('\n', stderr);
    int rc = 0;
    if (st != DW_OK) {
        fprintf(stderr, "dronewall sim: %s\n", err[0] ? err : dw_status_str(st));
        rc = 1;
    } else {
        double sim_s = (double)(s->end_us - s->start_us) * 1e-6;
        if (!quiet)
            fprintf(stderr,
                    "dronewall sim: %s: %.2f h simulated in %.2f s (%.0fx real time); %llu truth "
                    "records, %llu observations delivered, %llu decoded, %llu bytes of sensor "
                    "streams, %llu refused by an encoder, %llu malformed; %llu tracks confirmed; "
                    "output in %s/\n",
                    s->name, sim_s / 3600, el, el > 0 ? sim_s / el : 0.0,
                    (unsigned long long)pr.truth_written, (unsigned long long)pr.obs_delivered,
                    (unsigned long long)pr.obs_decoded, (unsigned long long)pr.bytes_encoded,
                    (unsigned long long)pr.encode_errors, (unsigned long long)pr.decode_malformed,
                    (unsigned long long)pr.tracks_confirmed, out);
        if (summary) {
            char p[600];
            snprintf(p, sizeof p, "%s/summary.txt", out);
            FILE *f = fopen(p, "r");
            if (f) {
                char buf[4096];
                size_t n;
                while ((n = fread(buf, 1, sizeof buf, f)) > 0)
                    fwrite(buf, 1, n, stdout);
                fclose(f);
            }
        }
    }
    dw_scenario_destroy(s);
    return rc;
}

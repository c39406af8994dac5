/* cmd_replay.c — `dronewall replay RECORDING`: check a recording by playing it again, or
 * serve it (the map with its time slider) at a chosen speed (daemon.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/commands.h"
#include "dronewall/daemon.h"
#include "dronewall/runcfg.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: dronewall replay RECORDING [options]\n"
        "\n"
        "Plays a recording made by `dronewall run` (SQLite) through a fresh engine.\n"
        "Without --serve: as fast as it goes, comparing every track, alert, identity and\n"
        "sensor line with the recorded one byte for byte; exit 0 when all match, 1 at the\n"
        "first difference (shown), 2 when the recording cannot be read.\n"
        "With --serve: the map and the API of the daemon, the recording played at --speed,\n"
        "and the time slider showing any instant of it.\n"
        "\n"
        "      --session N       the session to play (default: the last; each daemon start\n"
        "                        is one)\n"
        "  -o, --out DIR         write the replay's tracks.ndjson and alerts.ndjson here\n"
        "      --serve           serve the map and API while playing\n"
        "      --speed X         with --serve: data time per wall time (default 10; 0: as\n"
        "                        fast as it goes)\n"
        "      --http HOST:PORT  with --serve: where to listen (default 127.0.0.1:8080)\n"
        "      --ready-file FILE with --serve: as for `dronewall run`\n"
        "      --exit-at-end     with --serve: stop once played\n"
        "      --linger S        ... S seconds after it\n"
        "  -h, --help            this text\n");
}

enum { O_SESSION = 256, O_SERVE, O_SPEED, O_HTTP, O_READY, O_EXIT, O_LINGER };

static int num(const char *opt, const char *v, double *out)
{
    char *e = NULL;
    errno = 0;
    *out = strtod(v, &e);
    if (errno || !e || *e || !(*out >= 0)) {
        fprintf(stderr, "dronewall replay: %s wants a number not below 0, not '%s'\n", opt, v);
        return -1;
    }
    return 0;
}

int cmd_replay(int argc, char **argv)
{
    static const struct option opts[] = {
        {"session", required_argument, 0, O_SESSION}, {"out", required_argument, 0, 'o'},
        {"serve", no_argument, 0, O_SERVE},           {"speed", required_argument, 0, O_SPEED},
        {"http", required_argument, 0, O_HTTP},       {"ready-file", required_argument, 0, O_READY},
        {"exit-at-end", no_argument, 0, O_EXIT},      {"linger", required_argument, 0, O_LINGER},
        {"help", no_argument, 0, 'h'},                {0, 0, 0, 0}};
    const char *out = NULL, *http = NULL;
    double session = 0, speed = 10, linger = 0;
    int serve = 0, c;
    dw_daemon_opts o;
    memset(&o, 0, sizeof o);
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case O_SESSION: if (num("--session", optarg, &session)) return 2; break;
        case 'o': out = optarg; break;
        case O_SERVE: serve = 1; break;
        case O_SPEED: if (num("--speed", optarg, &speed)) return 2; break;
        case O_HTTP: http = optarg; break;
        case O_READY: o.ready_file = optarg; break;
        case O_EXIT: o.exit_at_end = 1; break;
        case O_LINGER: if (num("--linger", optarg, &linger)) return 2; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "dronewall replay: one recording, please\n");
        usage(stderr);
        return 2;
    }
    const char *path = argv[optind];
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "dronewall replay: %s: %s\n", path, strerror(errno));
        return 2;
    }
    if (serve) {
        dw_run_config cfg;
        dw_run_config_default(&cfg);
        char err[600];
        char set[600];
        snprintf(set, sizeof set, "http.listen=%s", http ? http : "127.0.0.1:8080");
        if (dw_run_config_set(&cfg, set, err, sizeof err) != DW_OK ||
            dw_run_config_set(&cfg, "record.path=off", err, sizeof err) != DW_OK) {
            fprintf(stderr, "dronewall replay: %s\n", err);
            return 2;
        }
        o.replay = path;
        o.replay_session = (int64_t)session;
        o.replay_speed = speed;
        o.linger_s = linger;
        return dw_daemon_run(&cfg, &o);
    }
    if (out) {
        mkdir(out, 0777);
    }
    dw_replay_result r;
    char err[600] = "";
    int rc = dw_replay_check(path, (int64_t)session, out, &r, err, sizeof err);
    if (rc == 2) {
        fprintf(stderr, "dronewall replay: %s\n", err);
        return 2;
    }
    printf("replay: session %lld: %llu inputs, %llu outputs recorded, %llu replayed, %llu "
           "identical (%llu track lines, %llu alert lines) in %.2f s\n",
           (long long)r.session, (unsigned long long)r.inputs,
           (unsigned long long)r.outputs_recorded, (unsigned long long)r.outputs_replayed,
           (unsigned long long)r.matched, (unsigned long long)r.tracks,
           (unsigned long long)r.alerts, r.seconds);
    if (rc == 1) {
        printf("replay: DIFFERENT: %s\n", r.first_diff);
        return 1;
    }
    if (r.outputs_replayed > r.outputs_recorded)
        printf("replay: the recording ends before %llu of the replay's outputs (a session cut "
               "short: its last outputs were not committed)\n",
               (unsigned long long)(r.outputs_replayed - r.outputs_recorded));
    printf("replay: byte for byte the same\n");
    return 0;
}

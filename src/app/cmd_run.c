/* cmd_run.c — `dronewall run`: the daemon (daemon.h) from a config file, --set overrides and
 * a few shorthands for the keys people change most. The keys' reference comes from the one
 * table in src/serve/runcfg.c. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "dronewall/daemon.h"
#include "dronewall/runcfg.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: dronewall run [options]\n"
        "\n"
        "The daemon: live inputs (ASTERIX, Beast, SBS, SAPIENT, CoT, NDJSON), the fused and\n"
        "assessed picture, the web map and HTTP API, outputs (CoT/TAK, ASTERIX CAT062, NDJSON)\n"
        "and a recording that `dronewall replay` plays again. With no configuration it\n"
        "listens on 127.0.0.1:8080 only and records to ./dronewall.db.\n"
        "\n"
        "  -c, --config FILE     the configuration, YAML or JSON (config/dronewall.yaml is a\n"
        "                        commented sample; docs/config.md describes every key)\n"
        "      --set KEY=VALUE   change one key, e.g. --set http.listen=127.0.0.1:9000 (repeatable;\n"
        "                        applied after the file)\n"
        "      --http HOST:PORT  where the map and the API listen (http.listen; port 0: any free)\n"
        "      --record PATH     the recording (record.path); 'off' for none\n"
        "      --scenario FILE   feed the daemon from a scenario's simulated sensors (scenario.file)\n"
        "      --speed X         the scenario's data time per wall time (scenario.speed)\n"
        "      --exit-at-end     stop once the scenario has been played\n"
        "      --linger S        ... S seconds after it (the map stays up meanwhile)\n"
        "      --ready-file FILE write {\"pid\",\"http\",\"url\",\"io\":{...}} to FILE once listening\n"
        "      --print-config    print the sample configuration (every key, its default) and exit\n"
        "      --check           read and check the configuration, print it as JSON, and exit\n"
        "  -h, --help            this text\n"
        "\n"
        "Operator actions (acknowledging alerts, setting identities) need the bearer token in\n"
        "http.token_file, else $DRONEWALL_TOKEN, else a random one written to dronewall.token\n"
        "beside the recording (mode 0600).\n"
        "\n"
        "Configuration keys:\n");
    dw_run_config_help(f);
}

enum { O_SET = 256, O_HTTP, O_RECORD, O_SCENARIO, O_SPEED, O_EXIT_AT_END, O_LINGER, O_READY,
       O_PRINT, O_CHECK };

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},     {"set", required_argument, 0, O_SET},
        {"http", required_argument, 0, O_HTTP},    {"record", required_argument, 0, O_RECORD},
        {"scenario", required_argument, 0, O_SCENARIO}, {"speed", required_argument, 0, O_SPEED},
        {"exit-at-end", no_argument, 0, O_EXIT_AT_END}, {"linger", required_argument, 0, O_LINGER},
        {"ready-file", required_argument, 0, O_READY}, {"print-config", no_argument, 0, O_PRINT},
        {"check", no_argument, 0, O_CHECK},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *config = NULL;
    const char *sets[128];
    int n_sets = 0, check = 0;
    dw_daemon_opts o;
    memset(&o, 0, sizeof o);
    int c;
    optind = 1;
    /* Shorthands become --set assignments, applied in order after the file. */
    char shorthand[8][600];
    int n_short = 0;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        const char *key = NULL;
        switch (c) {
        case 'c': config = optarg; break;
        case O_SET:
            if (n_sets == (int)(sizeof sets / sizeof sets[0])) {
                fprintf(stderr, "dronewall run: too many --set\n");
                return 2;
            }
            sets[n_sets++] = optarg;
            break;
        case O_HTTP: key = "http.listen"; break;
        case O_RECORD: key = "record.path"; break;
        case O_SCENARIO: key = "scenario.file"; break;
        case O_SPEED: key = "scenario.speed"; break;
        case O_EXIT_AT_END: o.exit_at_end = 1; break;
        case O_LINGER: {
            char *e = NULL;
            errno = 0;
            o.linger_s = strtod(optarg, &e);
            if (errno || !e || *e || !(o.linger_s >= 0)) {
                fprintf(stderr, "dronewall run: --linger wants seconds, not '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case O_READY: o.ready_file = optarg; break;
        case O_PRINT: dw_run_config_sample(stdout); return 0;
        case O_CHECK: check = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (key) {
            if (n_short == 8 || n_sets == (int)(sizeof sets / sizeof sets[0])) {
                fprintf(stderr, "dronewall run: too many options\n");
                return 2;
            }
            snprintf(shorthand[n_short], sizeof shorthand[n_short], "%s=%s", key, optarg);
            sets[n_sets++] = shorthand[n_short++];
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dronewall run: unexpected '%s' (the configuration is -c FILE)\n",
                argv[optind]);
        return 2;
    }
    dw_run_config cfg;
    dw_run_config_default(&cfg);
    char err[600];
    if (config && dw_run_config_load(&cfg, config, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall run: %s\n", err);
        return 2;
    }
    for (int i = 0; i < n_sets; i++)
        if (dw_run_config_set(&cfg, sets[i], err, sizeof err) != DW_OK) {
            fprintf(stderr, "dronewall run: %s\n", err);
            return 2;
        }
    if (dw_run_config_check(&cfg, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall run: %s%s\n", config ? config : "the configuration",
                err[0] ? "" : ": invalid");
        fprintf(stderr, "dronewall run: %s\n", err);
        return 2;
    }
    if (check) {
        char *j = dw_run_config_json(&cfg);
        if (!j)
            return 1;
        printf("%s\n", j);
        free(j);
        return 0;
    }
    return dw_daemon_run(&cfg, &o);
}

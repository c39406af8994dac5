/* runcfg.h — the configuration of the daemon, `dronewall run`.
 *
 * One table of keys (src/serve/runcfg.c) is the single source of everything a person sees about
 * the daemon's configuration: it reads the YAML or JSON config file, applies `--set KEY=VALUE`
 * overrides with the same checks, and prints the commented sample config (config/dronewall.yaml),
 * the key reference of `dronewall run --help` and the Markdown key table of docs/config.md. Each
 * key is declared once there with its type, range, default and help; a default is written as it
 * would be in a file and read through the same parser, so the documented default is the default.
 *
 * The file nests mappings: the dotted names below are the keys' paths (`http.listen` is
 * `http: {listen: ...}`). `inputs` and `outputs` are lists of entries whose `kind` decides which
 * keys apply; a key that does not apply to its entry's kind is an error that says so, because a
 * `listen` on a client, silently ignored, is a sensor that never reports. Unknown keys are
 * refused, with a did-you-mean when one is close. Every message names the file, the line (YAML)
 * and the key: "dronewall.yaml:12: inputs[2].listen: expected HOST:PORT, got '127.0.0.1'".
 *
 * Relative paths in a file are resolved against the file's directory (a file named without a
 * directory leaves them as written); `--set` values and the defaults are relative to the working
 * directory. The default config (no file) is complete and safe: the map and API on loopback only,
 * no inputs or outputs, the recording in ./dronewall.db.
 *
 * Ownership: dw_run_config is a plain caller-owned struct with no pointers; copy it freely. On
 * failure the functions below leave it exactly as it was. dw_run_config_json's string is malloc'd
 * and freed by the caller.
 */
#ifndef DRONEWALL_RUNCFG_H
#define DRONEWALL_RUNCFG_H

#include <stddef.h>
#include <stdio.h>

#include "dronewall/status.h"

#define DW_RUN_MAX_IO 32        /* inputs, and outputs, at most */
#define DW_RUN_MAX_GEO 8        /* assessment.geography files at most */

typedef enum dw_run_in_kind {
    DW_IN_ASTERIX_UDP = 1,      /* ASTERIX over UDP (unicast or multicast): receiver     */
    DW_IN_BEAST_TCP,            /* Mode S Beast binary from a dump1090/readsb: client    */
    DW_IN_SBS_TCP,              /* SBS/BaseStation text from a dump1090/readsb: client   */
    DW_IN_SAPIENT_TCP,          /* SAPIENT nodes (BSI Flex 335) connect to us: server     */
    DW_IN_COT_UDP,              /* Cursor on Target over UDP (the TAK mesh): receiver      */
    DW_IN_NDJSON_TCP,           /* dronewall NDJSON observations: server                  */
    DW_IN_NATS                  /* a partner node's released data, from the federation bus */
} dw_run_in_kind;

typedef enum dw_run_out_kind {
    DW_OUT_COT_TCP = 1,         /* CoT to a TAK server: client                            */
    DW_OUT_COT_UDP,             /* CoT over UDP, by default to the TAK mesh 239.2.3.1:6969 */
    DW_OUT_ASTERIX_UDP,         /* ASTERIX CAT062 system tracks over UDP                   */
    DW_OUT_NDJSON_TCP,          /* dronewall NDJSON tracks and alerts: server              */
    DW_OUT_NATS                 /* what this node releases to one audience, on the bus     */
} dw_run_out_kind;

typedef struct dw_run_input {
    dw_run_in_kind kind;   /* YAML word: asterix_udp, beast_tcp, sbs_tcp, sapient_tcp, cot_udp, ndjson_tcp */
    char name[64];         /* default "<kind>-<index>"; used as the input's name in stats and as the sensor name for sources whose frames carry none (beast/sbs: the receiver) */
    char listen[128];      /* HOST:PORT to bind: asterix_udp, cot_udp (UDP), sapient_tcp, ndjson_tcp (TCP servers); "" for clients */
    char connect[128];     /* HOST:PORT to connect to: beast_tcp, sbs_tcp (clients of a dump1090/readsb-style receiver); "" for servers */
    char group[64];        /* UDP multicast group to join (IPv4, e.g. 239.1.2.3), "" none */
    char iface[64];        /* the interface address for the multicast join ("" : 0.0.0.0 / any) */
    double quiet_s;        /* sensor-down alert when no data for this long (default 30; 0 = never) */
    double reconnect_s;    /* clients: first retry delay, doubling to 30 s (default 1) */
    size_t max_clients;    /* TCP servers: connections at once (default 64) */
    size_t max_frame;      /* largest frame/line accepted, bytes (default 1 MiB); larger is counted as malformed and the connection's buffer resynchronised */
    char from[33];         /* nats: the partner node whose releases to our owner we read */
} dw_run_input;

typedef struct dw_run_output {
    dw_run_out_kind kind;  /* YAML word: cot_tcp, cot_udp, asterix_udp (CAT062), ndjson_tcp */
    char name[64];         /* default "<kind>-<index>" */
    char connect[128];     /* cot_tcp: the TAK server HOST:PORT (client); cot_udp: destination, default 239.2.3.1:6969 (the TAK mesh); asterix_udp: destination HOST:PORT */
    char listen[128];      /* ndjson_tcp: HOST:PORT to serve clients on */
    double period_s;       /* how often each track is sent (default 1) */
    int hostile_only;      /* 1: only tracks identified hostile/suspect (default 0: all tracks) */
    int ttl;               /* multicast TTL (default 1) */
    int sac, sic;          /* asterix_udp: the SAC/SIC of our CAT062 (default 0/1) */
    int alerts;            /* cot/ndjson/nats: also send alerts (default 1) */
    char to[33];           /* nats: the audience (an owner, like LT) this output releases to */
    int sensors;           /* nats: also sensor status (default 1) */
    int observations;      /* nats: also this node's own raw observations (default 0) */
} dw_run_output;

typedef struct dw_run_config {
    char node_id[64];       /* node.id: this node's name (default "dronewall"): CoT uids, meta, its name on the bus */
    char node_owner[33];    /* node.owner: the nation or organisation operating it ("" = node.id): its audience on the bus */
    char fed_servers[512];  /* federation.servers: NATS URLs, comma-separated ("" = no federation) */
    char fed_user[64];      /* federation.user ("" = node.id) */
    char fed_password_file[512]; /* federation.password_file ("" = none) */
    char fed_tls_ca[512], fed_tls_cert[512], fed_tls_key[512]; /* federation.tls_* ("" = none) */
    int fed_replicas;       /* federation.replicas: of the streams this node creates (default 1) */
    double fed_max_age_s;   /* federation.max_age_s: what the streams keep (default 86400) */
    size_t fed_buffer_max;  /* federation.buffer_max: messages held while the bus is away (default 100000) */
    double fed_max_speed_mps; /* federation.max_speed_mps: a partner's track faster than this is refused (default 1000) */
    char scenario_owners[128]; /* scenario.owners: only the scenario's sensors of these owners ("" = all) */
    double scenario_begin_at; /* scenario.begin_at: the scenario's start at this Unix time (0 = at once) */
    char http_listen[128];  /* http.listen (default "127.0.0.1:8080"); port 0 = any free port */
    char web_root[512];     /* http.web_root: the web map's files ("" = the built-in default path) */
    char token_file[512];   /* http.token_file: file holding the operator bearer token ("" = DRONEWALL_TOKEN env, else a random token written to ./dronewall.token, mode 0600) */
    size_t http_max_clients;/* http.max_clients (default 512) */
    double ws_period_s;     /* http.ws_period_s: WebSocket frames to a viewer at most this often (default 0.1) */
    char record_path[512];  /* record.path (default "./dronewall.db"; "off" or "" = no recording: stored as "") */
    int record_commit_ms;   /* record.commit_ms (default 500) */
    char sensors_file[512]; /* sensors: sensor definitions file (JSON/YAML, as `dronewall track --sensors`) */
    char rules_file[512];   /* assessment.rules */
    char home[3];           /* assessment.home: ISO country (default "" = no assessment unless a scenario gives it) */
    char geo_files[8][512]; size_t n_geo_files; /* assessment.geography: GeoJSON files */
    char scenario[512];     /* scenario.file: a scenario file (one of scenarios/) whose simulated sensors feed the daemon in-process — the demo */
    double speed;           /* scenario.speed: data time per wall time (default 1) */
    double report_s;        /* tracker.report_s: the picture's report period (default 1) */
    char assoc[8];          /* tracker.assoc: gnn|jpda ("" = scenario's or default) */
    char effectors_file[512]; /* response.effectors: the effector catalogue (config/effectors.yaml);
                               "" = no response planning */
    double plan_period_s;   /* response.period_s: re-plan at most this often, data time (default 10) */
    double stop_after_s;    /* stop_after_s: stop by itself after this many wall seconds (default 0 = never) — for tests */
    dw_run_input inputs[DW_RUN_MAX_IO]; size_t n_inputs;
    dw_run_output outputs[DW_RUN_MAX_IO]; size_t n_outputs;
} dw_run_config;

/* The defaults: every key at the default its table entry documents, no inputs, no outputs. */
void dw_run_config_default(dw_run_config *c);

/* Reads the config file at path (YAML, or JSON: as dw_doc_load decides) on top of what c holds:
 * a key in the file replaces the held value, a list in the file (inputs, outputs,
 * assessment.geography) replaces the held list, keys the file does not name keep theirs. The
 * result must pass dw_run_config_check. A file with nothing in it is refused (dw_doc: "empty
 * document"); `{}` is an empty config. DW_OK, or DW_ERR_PARSE (bad content), DW_ERR_NOT_FOUND,
 * DW_ERR_IO, DW_ERR_RANGE (too large), DW_ERR_NOMEM with "PATH:LINE: KEY: what" in err and c
 * unchanged. */
dw_status dw_run_config_load(dw_run_config *c, const char *path, char *err, size_t errlen);

/* The same from memory: name (".yaml", ".json" or sniffed) starts the messages, and its
 * directory is the one relative paths are resolved against. */
dw_status dw_run_config_load_mem(dw_run_config *c, const char *buf, size_t len, const char *name,
                                 char *err, size_t errlen);

/* One `--set KEY=VALUE`: any scalar key by its dotted path (http.listen=127.0.0.1:9000,
 * record.path=off), assessment.geography as a comma-separated list, and the keys of an existing
 * list entry (inputs[0].quiet_s=10). inputs[N].kind=KIND with N = n_inputs adds an entry (the
 * same for outputs); an entry's kind cannot be changed. The value is checked as it would be in a
 * file; strings are taken as written (no quoting needed). Cross-key checks are left to
 * dw_run_config_check, once every --set is applied. DW_OK, or DW_ERR_PARSE with
 * "--set KEY: what" in err and c unchanged. */
dw_status dw_run_config_set(dw_run_config *c, const char *assignment /* "key=value" */, char *err, size_t errlen);

/* Cross-key checks: every value in its range, client inputs and outputs have connect and servers
 * listen (and not the other), multicast options only where they apply, entry names unique, no
 * listen address taken twice (TCP: http.listen, TCP input servers and ndjson_tcp outputs; UDP:
 * receivers, unless they join different groups). DW_OK or DW_ERR_INVALID with "KEY: what". */
dw_status dw_run_config_check(const dw_run_config *c, char *err, size_t errlen);

/* The sample config file: every key with its help and its default, commented out ("#key: value"
 * lines; remove the '#' to set one). Read back, it gives the defaults. config/dronewall.yaml is
 * this output. */
void dw_run_config_sample(FILE *f);

/* The key reference for `dronewall run --help`: one line per key,
 * "  http.listen  HOST:PORT  where the map and the API listen (127.0.0.1:8080)". */
void dw_run_config_help(FILE *f);

/* The Markdown tables of the keys and of the input and output kinds, for docs/config.md (between
 * its "<!-- keys begin -->" and "<!-- keys end -->" markers). */
void dw_run_config_markdown(FILE *f);

/* The effective config as one compact JSON object (for the recording and GET /api/info), malloc'd;
 * NULL when out of memory. Its layout is the file's; an entry carries only the keys of its kind.
 * Loaded back as a .json config (from a name without a directory), it gives the same config. */
char *dw_run_config_json(const dw_run_config *c);

/* The YAML word of a kind ("asterix_udp"), or NULL if k is no kind. Static storage. */
const char *dw_run_in_kind_name(dw_run_in_kind k);
const char *dw_run_out_kind_name(dw_run_out_kind k);

/* HOST:PORT parsing shared with the daemon: IPv4 dotted or "localhost" or a name; port 0..65535;
 * an IPv6 address in brackets ("[::1]:8080", host without them). host (hostcap bytes) and *port
 * are written only on DW_OK; otherwise DW_ERR_PARSE and err says
 * "expected HOST:PORT, got '...'" (with the reason when there is more to say). */
dw_status dw_hostport_parse(const char *s, char *host, size_t hostcap, int *port, char *err, size_t errlen);

#endif

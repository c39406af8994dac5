/* runcfg.c — the daemon's configuration: one table of keys, and everything drawn from it.
 *
 * The table `keys` below is the only place a key of `dronewall run` is declared: its path, its
 * type and range, its default (as a file would write it), the kinds of input or output it
 * applies to, and its help. The file reader, --set, the cross-key checks, the sample config,
 * --help, the Markdown of docs/config.md and the JSON of GET /api/info all walk it, so none of
 * them can drift from the others. The defaults themselves are applied by parsing the table's
 * default text, so a documented default that did not parse would fail every test at once.
 *
 * Everything works on a copy and commits on success: a config is either the old one or a
 * wholly checked new one, never half of a file.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dronewall/doc.h"
#include "dronewall/fed.h"
#include "dronewall/jsonw.h"
#include "dronewall/runcfg.h"

/* ------------------------------------------------------------------ the table */

enum sec { SEC_TOP, SEC_IN, SEC_OUT };

typedef enum ktype {
    K_NAME,     /* char[size]: 1..size-1 of [A-Za-z0-9._:-]                          */
    K_LISTEN,   /* char[size]: HOST:PORT, port 0..65535                              */
    K_CONNECT,  /* char[size]: HOST:PORT, port 1..65535                              */
    K_PATH,     /* char[size]: a file or directory, "" none; relative to the file     */
    K_RECORD,   /* K_PATH, and "off" for none (stored as "")                          */
    K_PATHS,    /* char[hi][size] and a count at count_off: a list of K_PATH          */
    K_NUM,      /* double in [lo, hi]                                                 */
    K_INT,      /* int in [lo, hi], whole                                             */
    K_SIZE,     /* size_t in [lo, hi], whole                                          */
    K_BOOL,     /* int 0/1                                                            */
    K_WORD,     /* char[size]: "" or one of `choices` ("gnn|jpda")                    */
    K_COUNTRY,  /* char[3]: "" or two letters, stored upper-case                      */
    K_GROUP,    /* char[size]: "" or an IPv4 multicast group                          */
    K_ADDR,     /* char[size]: "" or an IPv4 address                                  */
    K_KIND,     /* an entry's kind (read before its other keys)                       */
    K_URLS,     /* char[size]: "" or comma-separated [nats://|tls://]HOST:PORT         */
    K_WORDS,    /* char[size]: "" or comma-separated names of [A-Za-z0-9_-]           */
    K_FEDNAME,  /* char[size]: "" or 1..32 of [A-Za-z0-9_-] (a token on the bus)       */
} ktype;

typedef struct key_def {
    const char *path;       /* top: the dotted path; entries: the key inside the entry   */
    enum sec sec;
    ktype type;
    size_t off, size;       /* the member in dw_run_config / dw_run_input / dw_run_output */
    size_t count_off;       /* K_PATHS: the count member                                  */
    double lo, hi;          /* K_NUM/K_INT/K_SIZE: the range; K_PATHS: hi = most entries  */
    const char *def;        /* the default as a file writes it ("" empty)                 */
    const char *def_doc;    /* the docs' words for an empty default (NULL: none shown)    */
    unsigned kinds;         /* entries: kinds (bit 1 << kind) the key applies to; 0: all  */
    unsigned required;      /* entries: kinds that must have it                           */
    unsigned kdef_kinds;    /* entries: kinds whose default is kdef instead of def        */
    const char *kdef;
    const char *choices;    /* K_WORD                                                     */
    const char *meta;       /* the value's form in --help                                 */
    const char *help;       /* a short phrase: --help, and the first sentence elsewhere   */
    const char *more;       /* more sentences for the sample and the Markdown, or NULL    */
} key_def;

#define TOP(f) .sec = SEC_TOP, .off = offsetof(dw_run_config, f), \
               .size = sizeof(((dw_run_config *)0)->f)
#define IN(f) .sec = SEC_IN, .off = offsetof(dw_run_input, f), \
              .size = sizeof(((dw_run_input *)0)->f)
#define OUT(f) .sec = SEC_OUT, .off = offsetof(dw_run_output, f), \
               .size = sizeof(((dw_run_output *)0)->f)

#define IB(k) (1u << DW_IN_##k)
#define OB(k) (1u << DW_OUT_##k)
#define IN_UDP (IB(ASTERIX_UDP) | IB(COT_UDP))
#define IN_CLIENT (IB(BEAST_TCP) | IB(SBS_TCP))
#define IN_SERVER (IB(SAPIENT_TCP) | IB(NDJSON_TCP))

static const key_def keys[] = {
    {.path = "node.id", TOP(node_id), .type = K_NAME, .def = "dronewall", .meta = "NAME",
     .help = "this node's name: CoT uids, the recording's meta",
     .more = "Letters, digits and . _ : - only."},
    {.path = "node.owner", TOP(node_owner), .type = K_FEDNAME, .def = "", .def_doc = "node.id",
     .meta = "NAME", .help = "the nation or organisation operating this node, like PL",
     .more = "Partners release to owners: this node reads what is released to its owner."},
    {.path = "http.listen", TOP(http_listen), .type = K_LISTEN, .def = "127.0.0.1:8080",
     .meta = "HOST:PORT", .help = "where the map and the API listen",
     .more = "Port 0: any free port. The default is loopback only; 0.0.0.0:8080 opens the map "
             "and the API to the network."},
    {.path = "http.web_root", TOP(web_root), .type = K_PATH, .def = "", .def_doc = "built in",
     .meta = "DIR", .help = "the web map's files",
     .more = "Empty: web/ of the source tree dronewall was built from (its npm libraries in "
             "web/node_modules, installed by scripts/webdeps)."},
    {.path = "http.token_file", TOP(token_file), .type = K_PATH, .def = "",
     .def_doc = "$DRONEWALL_TOKEN, else generated", .meta = "FILE",
     .help = "file holding the operator bearer token",
     .more = "Empty: the DRONEWALL_TOKEN environment variable, else a random token written to "
             "dronewall.token beside the recording (mode 0600)."},
    {.path = "http.max_clients", TOP(http_max_clients), .type = K_SIZE, .lo = 1, .hi = 65536,
     .def = "512", .meta = "N", .help = "HTTP and WebSocket connections at once"},
    {.path = "http.ws_period_s", TOP(ws_period_s), .type = K_NUM, .lo = 0.005, .hi = 10,
     .def = "0.025", .meta = "SECONDS", .help = "the stream's frames at most this often",
     .more = "What changed since the last frame goes out in the next; a track at most four "
             "times a second. Shorter: less latency, more frames."},
    {.path = "record.path", TOP(record_path), .type = K_RECORD, .def = "./dronewall.db",
     .meta = "FILE|off", .help = "the recording, a SQLite database",
     .more = "Every observation, track update, alert and decision, for `dronewall replay`; "
             "off: no recording."},
    {.path = "record.commit_ms", TOP(record_commit_ms), .type = K_INT, .lo = 10, .hi = 60000,
     .def = "500", .meta = "MS", .help = "how often the recording commits",
     .more = "A crash loses at most this much."},
    {.path = "sensors", TOP(sensors_file), .type = K_PATH, .def = "", .def_doc = "none",
     .meta = "FILE", .help = "sensor definitions file, as for `dronewall track --sensors`",
     .more = "Positions, accuracies and owners of the sensors the inputs report for."},
    {.path = "assessment.home", TOP(home), .type = K_COUNTRY, .def = "", .def_doc = "none",
     .meta = "CC", .help = "the defended country's ISO 3166 code, like PL",
     .more = "Empty: no assessment, unless the scenario names one."},
    {.path = "assessment.rules", TOP(rules_file), .type = K_PATH, .def = "", .def_doc = "none",
     .meta = "FILE", .help = "identification rules, like config/identification.yaml"},
    {.path = "assessment.geography", .sec = SEC_TOP, .off = offsetof(dw_run_config, geo_files),
     .size = sizeof(((dw_run_config *)0)->geo_files[0]), .type = K_PATHS,
     .count_off = offsetof(dw_run_config, n_geo_files), .hi = 8, .def = "", .def_doc = "none",
     .meta = "[FILE, ...]", .help = "GeoJSON files: borders, airports, bases, protected places",
     .more = "At most 8; with --set, a comma-separated list."},
    {.path = "scenario.file", TOP(scenario), .type = K_PATH, .def = "", .def_doc = "none",
     .meta = "FILE", .help = "a scenario whose simulated sensors feed the daemon: the demo",
     .more = "As in scenarios/; its sensors are added to the inputs."},
    {.path = "scenario.speed", TOP(speed), .type = K_NUM, .lo = 0.01, .hi = 1000, .def = "1",
     .meta = "X", .help = "the scenario's data time per wall time"},
    {.path = "scenario.owners", TOP(scenario_owners), .type = K_WORDS, .def = "",
     .def_doc = "all", .meta = "NAME,...",
     .help = "only the scenario's sensors of these owners feed this node",
     .more = "For several nodes playing one scenario, each with its own sensors (PL, LT, UA)."},
    {.path = "scenario.begin_at", TOP(scenario_begin_at), .type = K_NUM, .lo = 0, .hi = 1e11,
     .def = "0", .def_doc = "at once", .meta = "UNIX_S",
     .help = "the scenario's start at this Unix time (seconds)",
     .more = "Nodes given the same begin_at and speed share one data clock."},
    {.path = "tracker.report_s", TOP(report_s), .type = K_NUM, .lo = 0.1, .hi = 60, .def = "1",
     .meta = "SECONDS", .help = "the picture's report period"},
    {.path = "tracker.assoc", TOP(assoc), .type = K_WORD, .choices = "gnn|jpda", .def = "",
     .def_doc = "scenario's, else gnn", .meta = "gnn|jpda",
     .help = "data association: gnn or jpda (docs/tracker.md)",
     .more = "Empty: the scenario's, else gnn."},
    {.path = "response.effectors", TOP(effectors_file), .type = K_PATH, .def = "",
     .def_doc = "none", .meta = "FILE",
     .help = "the effector catalogue: response planning on (config/effectors.yaml)",
     .more = "Hostile and suspect drones get recommended engagements, which an operator "
             "approves or rejects (POST /api/decisions); docs/respond.md."},
    {.path = "response.period_s", TOP(plan_period_s), .type = K_NUM, .lo = 1, .hi = 3600,
     .def = "10", .meta = "SECONDS", .help = "re-plan at most this often (data time)"},
    {.path = "federation.servers", TOP(fed_servers), .type = K_URLS, .def = "", .def_doc = "none",
     .meta = "URL,...", .help = "the NATS servers of the federation bus",
     .more = "Like nats://127.0.0.1:4222,nats://127.0.0.1:4223 (scripts/nats-cluster prints "
             "them). Empty: no federation; nats inputs and outputs need it (docs/federation.md)."},
    {.path = "federation.user", TOP(fed_user), .type = K_FEDNAME, .def = "", .def_doc = "node.id",
     .meta = "NAME", .help = "the bus user this node logs in as"},
    {.path = "federation.password_file", TOP(fed_password_file), .type = K_PATH, .def = "",
     .def_doc = "none", .meta = "FILE", .help = "file holding the bus user's password",
     .more = "Its first line; keep it mode 0600."},
    {.path = "federation.tls_ca", TOP(fed_tls_ca), .type = K_PATH, .def = "", .def_doc = "none",
     .meta = "FILE", .help = "CA certificate (PEM) the bus servers' certificates are checked "
     "against: TLS on"},
    {.path = "federation.tls_cert", TOP(fed_tls_cert), .type = K_PATH, .def = "",
     .def_doc = "none", .meta = "FILE", .help = "this node's client certificate (PEM), when "
     "the bus asks for one"},
    {.path = "federation.tls_key", TOP(fed_tls_key), .type = K_PATH, .def = "", .def_doc = "none",
     .meta = "FILE", .help = "the client certificate's key (PEM)"},
    {.path = "federation.replicas", TOP(fed_replicas), .type = K_INT, .lo = 1, .hi = 5, .def = "1",
     .meta = "N", .help = "copies the bus keeps of this node's streams",
     .more = "3 on a 3-node cluster: a stream survives one server lost."},
    {.path = "federation.max_age_s", TOP(fed_max_age_s), .type = K_NUM, .lo = 0, .hi = 3.2e7,
     .def = "86400", .meta = "SECONDS", .help = "how long the bus keeps what this node released",
     .more = "A partner away for less than this catches up when it returns; 0: for ever."},
    {.path = "federation.buffer_max", TOP(fed_buffer_max), .type = K_SIZE, .lo = 100, .hi = 1e7,
     .def = "100000", .meta = "N", .help = "messages held while the bus is away",
     .more = "When full, the oldest go first (counted as dropped)."},
    {.path = "federation.max_speed_mps", TOP(fed_max_speed_mps), .type = K_NUM, .lo = 10,
     .hi = 10000, .def = "1000", .meta = "M/S",
     .help = "a partner's track faster than this is refused",
     .more = "Also its jumps: a partner's track that moved faster between two reports."},
    {.path = "stop_after_s", TOP(stop_after_s), .type = K_NUM, .lo = 0, .hi = 1e7, .def = "0",
     .meta = "SECONDS", .help = "stop after this many wall seconds, for tests; 0: never"},

    {.path = "kind", .sec = SEC_IN, .type = K_KIND, .meta = "KIND", .help = "what the input is"},
    {.path = "name", IN(name), .type = K_NAME, .def = "", .def_doc = "<kind>-<index>",
     .meta = "NAME", .help = "the input's name in stats and alerts",
     .more = "Also the sensor's name for frames that carry none (a Beast or SBS receiver)."},
    {.path = "listen", IN(listen), .type = K_LISTEN, .kinds = IN_UDP | IN_SERVER,
     .required = IN_UDP | IN_SERVER, .meta = "HOST:PORT", .help = "the address to bind"},
    {.path = "connect", IN(connect), .type = K_CONNECT, .kinds = IN_CLIENT,
     .required = IN_CLIENT, .meta = "HOST:PORT",
     .help = "the receiver to connect to (dump1090, readsb)"},
    {.path = "group", IN(group), .type = K_GROUP, .kinds = IN_UDP, .def = "", .def_doc = "none",
     .meta = "ADDR", .help = "an IPv4 multicast group to join",
     .more = "Two UDP inputs may share a listen address only when they join different groups."},
    {.path = "iface", IN(iface), .type = K_ADDR, .kinds = IN_UDP, .def = "", .def_doc = "any",
     .meta = "ADDR", .help = "the address of the interface to join the group on"},
    {.path = "quiet_s", IN(quiet_s), .type = K_NUM, .lo = 0, .hi = 86400, .def = "30",
     .meta = "SECONDS", .help = "a sensor-down alert after this long without data; 0: never"},
    {.path = "reconnect_s", IN(reconnect_s), .type = K_NUM, .lo = 0.1, .hi = 30, .def = "1",
     .kinds = IN_CLIENT, .meta = "SECONDS", .help = "first retry delay, doubling to 30 s"},
    {.path = "max_clients", IN(max_clients), .type = K_SIZE, .lo = 1, .hi = 65536, .def = "64",
     .kinds = IN_SERVER, .meta = "N", .help = "connections at once"},
    {.path = "from", IN(from), .type = K_FEDNAME, .kinds = IB(NATS), .required = IB(NATS),
     .meta = "NODE", .help = "the partner node whose releases to our owner are read"},
    {.path = "max_frame", IN(max_frame), .type = K_SIZE, .lo = 256, .hi = 67108864,
     .def = "1048576", .meta = "BYTES", .help = "the largest frame or line accepted",
     .more = "A larger one is counted as malformed and the stream resynchronised."},

    {.path = "kind", .sec = SEC_OUT, .type = K_KIND, .meta = "KIND", .help = "what the output is"},
    {.path = "name", OUT(name), .type = K_NAME, .def = "", .def_doc = "<kind>-<index>",
     .meta = "NAME", .help = "the output's name in stats"},
    {.path = "connect", OUT(connect), .type = K_CONNECT,
     .kinds = OB(COT_TCP) | OB(COT_UDP) | OB(ASTERIX_UDP),
     .required = OB(COT_TCP) | OB(COT_UDP) | OB(ASTERIX_UDP), .kdef_kinds = OB(COT_UDP),
     .kdef = "239.2.3.1:6969", .meta = "HOST:PORT",
     .help = "where to send: the TAK server, or the UDP destination",
     .more = "cot_udp's default is the TAK mesh's multicast group."},
    {.path = "listen", OUT(listen), .type = K_LISTEN, .kinds = OB(NDJSON_TCP),
     .required = OB(NDJSON_TCP), .meta = "HOST:PORT", .help = "where clients connect"},
    {.path = "period_s", OUT(period_s), .type = K_NUM, .lo = 0.05, .hi = 3600, .def = "1",
     .meta = "SECONDS", .help = "how often each track is sent"},
    {.path = "hostile_only", OUT(hostile_only), .type = K_BOOL, .def = "false",
     .meta = "BOOL", .help = "only tracks identified hostile or suspect"},
    {.path = "ttl", OUT(ttl), .type = K_INT, .lo = 0, .hi = 255, .def = "1",
     .kinds = OB(COT_UDP) | OB(ASTERIX_UDP), .meta = "N", .help = "the multicast TTL"},
    {.path = "sac", OUT(sac), .type = K_INT, .lo = 0, .hi = 255, .def = "0",
     .kinds = OB(ASTERIX_UDP), .meta = "N", .help = "the SAC of our CAT062"},
    {.path = "sic", OUT(sic), .type = K_INT, .lo = 0, .hi = 255, .def = "1",
     .kinds = OB(ASTERIX_UDP), .meta = "N", .help = "the SIC of our CAT062"},
    {.path = "alerts", OUT(alerts), .type = K_BOOL, .def = "true",
     .kinds = OB(COT_TCP) | OB(COT_UDP) | OB(NDJSON_TCP) | OB(NATS), .meta = "BOOL",
     .help = "also send alerts"},
    {.path = "to", OUT(to), .type = K_FEDNAME, .kinds = OB(NATS), .required = OB(NATS),
     .meta = "OWNER", .help = "the audience released to: a partner's owner, like LT",
     .more = "Neighbour notices for that country go to it as notifications."},
    {.path = "sensors", OUT(sensors), .type = K_BOOL, .def = "true", .kinds = OB(NATS),
     .meta = "BOOL", .help = "also release sensor status"},
    {.path = "observations", OUT(observations), .type = K_BOOL, .def = "false",
     .kinds = OB(NATS), .meta = "BOOL", .help = "also release this node's raw observations"},
};
#define N_KEYS (sizeof keys / sizeof keys[0])

/* The kinds of inputs and outputs, by enum value. `role` finishes "beast_tcp is ...". */
typedef struct kind_def {
    const char *word, *role, *what, *example;
} kind_def;

static const kind_def in_kinds[] = {
    [DW_IN_ASTERIX_UDP] = {"asterix_udp", "a UDP receiver",
                           "ASTERIX from radars (CAT048, CAT034), ADS-B stations (CAT021) and "
                           "trackers (CAT062), unicast or multicast",
                           "{kind: asterix_udp, name: radar-north, listen: \"0.0.0.0:8600\", "
                           "group: 239.1.2.3}"},
    [DW_IN_BEAST_TCP] = {"beast_tcp", "a client",
                         "Mode S Beast binary from a dump1090 or readsb receiver",
                         "{kind: beast_tcp, name: adsb-roof, connect: \"127.0.0.1:30005\"}"},
    [DW_IN_SBS_TCP] = {"sbs_tcp", "a client",
                       "SBS (BaseStation) text from a dump1090 or readsb receiver",
                       "{kind: sbs_tcp, connect: \"192.168.1.20:30003\"}"},
    [DW_IN_SAPIENT_TCP] = {"sapient_tcp", "a server",
                           "SAPIENT (BSI Flex 335) nodes: radars, cameras, acoustic and RF "
                           "detectors",
                           "{kind: sapient_tcp, listen: \"0.0.0.0:5020\", max_clients: 16}"},
    [DW_IN_COT_UDP] = {"cot_udp", "a UDP receiver",
                       "Cursor on Target events (XML or TAK protocol), like the TAK mesh",
                       "{kind: cot_udp, listen: \"0.0.0.0:6969\", group: 239.2.3.1}"},
    [DW_IN_NDJSON_TCP] = {"ndjson_tcp", "a server",
                          "NDJSON observations in dronewall's format, one per line",
                          "{kind: ndjson_tcp, listen: \"127.0.0.1:7000\"}"},
    [DW_IN_NATS] = {"nats", "a bus consumer",
                    "a partner node's tracks, alerts, notices and sensor status, from the "
                    "federation bus (a durable consumer: nothing missed while away)",
                    "{kind: nats, from: UA}"},
};
static const kind_def out_kinds[] = {
    [DW_OUT_COT_TCP] = {"cot_tcp", "a client", "Cursor on Target tracks to a TAK server",
                        "{kind: cot_tcp, connect: \"tak.example.org:8087\"}"},
    [DW_OUT_COT_UDP] = {"cot_udp", "a UDP sender",
                        "Cursor on Target tracks over UDP, by default to the TAK mesh",
                        "{kind: cot_udp}"},
    [DW_OUT_ASTERIX_UDP] = {"asterix_udp", "a UDP sender", "ASTERIX CAT062 system tracks",
                            "{kind: asterix_udp, connect: \"239.1.9.1:8600\", sac: 10, sic: 1}"},
    [DW_OUT_NDJSON_TCP] = {"ndjson_tcp", "a server",
                           "NDJSON tracks and alerts in dronewall's format, one per line",
                           "{kind: ndjson_tcp, listen: \"127.0.0.1:7001\"}"},
    [DW_OUT_NATS] = {"nats", "a bus publisher",
                     "this node's tracks, alerts and sensor status released to one audience "
                     "on the federation bus",
                     "{kind: nats, to: LT, hostile_only: true}"},
};
#define N_IN_KINDS (sizeof in_kinds / sizeof in_kinds[0])
#define N_OUT_KINDS (sizeof out_kinds / sizeof out_kinds[0])

static const char *sec_name(enum sec s) { return s == SEC_IN ? "inputs" : "outputs"; }
static const kind_def *sec_kinds(enum sec s, size_t *n)
{
    *n = s == SEC_IN ? N_IN_KINDS : N_OUT_KINDS;
    return s == SEC_IN ? in_kinds : out_kinds;
}
static const kind_def *kind_of(enum sec s, int kind)
{
    size_t n;
    const kind_def *k = sec_kinds(s, &n);
    return kind >= 1 && (size_t)kind < n ? &k[kind] : NULL;
}

const char *dw_run_in_kind_name(dw_run_in_kind k)
{
    const kind_def *d = kind_of(SEC_IN, (int)k);
    return d ? d->word : NULL;
}

const char *dw_run_out_kind_name(dw_run_out_kind k)
{
    const kind_def *d = kind_of(SEC_OUT, (int)k);
    return d ? d->word : NULL;
}

/* "asterix_udp, beast_tcp, ..." of the kinds in mask (0: all). */
static void kinds_list(enum sec s, unsigned mask, const char *sep, char *buf, size_t n)
{
    size_t nk, len = 0;
    const kind_def *k = sec_kinds(s, &nk);
    buf[0] = '\0';
    for (size_t i = 1; i < nk; i++)
        if (!mask || (mask & (1u << i)))
            len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? sep : "",
                                    k[i].word);
}

static bool applies(const key_def *k, int kind) { return !k->kinds || (k->kinds & (1u << kind)); }

static bool is_text(ktype t)
{
    return t != K_NUM && t != K_INT && t != K_SIZE && t != K_BOOL && t != K_PATHS && t != K_KIND;
}

/* Entry i of list s in c. */
static char *entry_at(dw_run_config *c, enum sec s, size_t i)
{
    return s == SEC_IN ? (char *)&c->inputs[i] : (char *)&c->outputs[i];
}
static size_t *entry_count(dw_run_config *c, enum sec s)
{
    return s == SEC_IN ? &c->n_inputs : &c->n_outputs;
}
static int entry_kind(const char *e, enum sec s)
{
    return s == SEC_IN ? (int)((const dw_run_input *)e)->kind : (int)((const dw_run_output *)e)->kind;
}
static const char *entry_name(const char *e, enum sec s)
{
    return s == SEC_IN ? ((const dw_run_input *)e)->name : ((const dw_run_output *)e)->name;
}

/* ------------------------------------------------------------------ messages */

/* Where messages go: a document (file and line), or --set, or the checks (no prefix). */
typedef struct rd {
    const dw_doc *d;
    const char *dir;        /* relative paths are resolved against this; "" none */
    const char *prefix;     /* without a document, messages start with this ("--set") */
    char *err;
    size_t errlen;
} rd;

static dw_status fail(const rd *r, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static dw_status fail(const rd *r, int line, const char *key, const char *fmt, ...)
{
    if (!r->err || r->errlen == 0)
        return DW_ERR_PARSE;
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *sep = key[0] ? ": " : "";
    if (r->d)
        dw_doc_errf(r->d, line, r->err, r->errlen, "%s%s%s", key, sep, msg);
    else if (r->prefix)
        snprintf(r->err, r->errlen, "%s %s%s%s", r->prefix, key, sep, msg);
    else
        snprintf(r->err, r->errlen, "%s%s%s", key, sep, msg);
    return DW_ERR_PARSE;
}

/* What a person wrote, for "got ...": the text quoted, the number as written, or its type. */
static const char *got(const json_t *v, char *buf, size_t n)
{
    char s[72];
    if (!v || json_is_null(v))
        snprintf(buf, n, "nothing");
    else if (json_is_string(v))
        snprintf(buf, n, "'%s'", dw_doc_snip(json_string_value(v), s, sizeof s));
    else if (json_is_integer(v))
        snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, n, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, n, "%s", json_is_true(v) ? "true" : "false");
    else
        snprintf(buf, n, "%s", dw_doc_type_word(v));
    return buf;
}

/* Optimal string alignment distance (edits and swaps), ignoring case; for did-you-mean. */
static size_t distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 63 || nb > 63)
        return 99;
    size_t d[64][64];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t x = d[i - 1][j] + 1, y = d[i][j - 1] + 1, z = d[i - 1][j - 1] + cost;
            size_t m = x < y ? x : y;
            m = m < z ? m : z;
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
                d[i - 2][j - 2] + 1 < m)
                m = d[i - 2][j - 2] + 1;
            d[i][j] = m;
        }
    return d[na][nb];
}

/* Keeps the closest candidate that is close enough to be a misspelling of `typed`. */
typedef struct guess {
    char best[160];
    size_t d;
} guess;

static void guess_try(guess *g, const char *typed, const char *cand, const char *shown)
{
    size_t d = distance(typed, cand), nt = strlen(typed), nc = strlen(cand);
    /* A key cut short ("commit" for commit_ms) is as good as one letter off. */
    if (d > 1 && nt >= 4 && nt < nc && !strncasecmp(typed, cand, nt))
        d = 1;
    if (d <= 2 && 2 * d <= nc && d < g->d) {
        g->d = d;
        snprintf(g->best, sizeof g->best, "%s", shown);
    }
}

/* ------------------------------------------------------------------ values */

/* Strings in a config are printable text: no control characters, valid UTF-8. */
static bool clean_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        if (*p < 0x80) {
            p++;
            continue;
        }
        int n = (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;
        if (n < 0 || *p < 0xc2 || *p > 0xf4)
            return false;
        for (int i = 1; i <= n; i++)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        p += n + 1;
    }
    return true;
}

static bool is_ipv4(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1;
}

static bool is_hostname(const char *s, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
        } else if (isalnum((unsigned char)ch) || ch == '-' || ch == '_') {
            if ((label == 0 && ch == '-') || ++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && s[n - 1] != '-';
}

dw_status dw_hostport_parse(const char *s, char *host, size_t hostcap, int *port, char *err,
                            size_t errlen)
{
    char ebuf[8], sn[72];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!s) {
        snprintf(err, errlen, "expected HOST:PORT, got nothing");
        return DW_ERR_PARSE;
    }
    dw_doc_snip(s, sn, sizeof sn);
    const char *h0, *h1, *p;
    bool v6 = false;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':') {
            snprintf(err, errlen, "expected HOST:PORT, got '%s'", sn);
            return DW_ERR_PARSE;
        }
        h0 = s + 1;
        h1 = close;
        p = close + 2;
        v6 = true;
    } else {
        const char *colon = strrchr(s, ':');
        if (!colon) {
            snprintf(err, errlen, "expected HOST:PORT, got '%s'", sn);
            return DW_ERR_PARSE;
        }
        if (memchr(s, ':', (size_t)(colon - s))) {
            snprintf(err, errlen, "expected HOST:PORT, got '%s' (an IPv6 address goes in "
                                  "brackets: [::1]:8080)", sn);
            return DW_ERR_PARSE;
        }
        h0 = s;
        h1 = colon;
        p = colon + 1;
    }
    size_t hn = (size_t)(h1 - h0), pn = strlen(p);
    long pv = 0;
    bool port_ok = pn >= 1 && pn <= 5;
    for (size_t i = 0; port_ok && i < pn; i++) {
        port_ok = p[i] >= '0' && p[i] <= '9';
        pv = pv * 10 + (p[i] - '0');
    }
    if (!port_ok || pv > 65535) {
        snprintf(err, errlen, "expected HOST:PORT with a port from 0 to 65535, got '%s'", sn);
        return DW_ERR_PARSE;
    }
    char h[256];
    if (hn == 0 || hn >= sizeof h) {
        snprintf(err, errlen, "expected HOST:PORT, got '%s'", sn);
        return DW_ERR_PARSE;
    }
    memcpy(h, h0, hn);
    h[hn] = '\0';
    bool ok;
    if (v6) {
        struct in6_addr a6;
        ok = inet_pton(AF_INET6, h, &a6) == 1;
    } else if (strspn(h, "0123456789.") == hn) {
        ok = is_ipv4(h);    /* all digits and dots: an address, or nothing */
    } else {
        ok = is_hostname(h, hn);
    }
    if (!ok) {
        char hs[72];
        snprintf(err, errlen, "expected HOST:PORT, got '%s' (no such address or host name: '%s')",
                 sn, dw_doc_snip(h, hs, sizeof hs));
        return DW_ERR_PARSE;
    }
    if (hn + 1 > hostcap) {
        snprintf(err, errlen, "expected HOST:PORT, got '%s' (the host is too long)", sn);
        return DW_ERR_PARSE;
    }
    memcpy(host, h, hn + 1);
    *port = (int)pv;
    return DW_OK;
}

/* path resolved against dir into out (cap bytes); false if it does not fit. */
static bool resolve(const char *dir, const char *s, char *out, size_t cap)
{
    int n;
    if (!s[0] || s[0] == '/' || !dir[0]) {
        n = snprintf(out, cap, "%s", s);
    } else {
        while (s[0] == '.' && s[1] == '/')
            s += 2;
        size_t dl = strlen(dir);
        n = snprintf(out, cap, "%s%s%s", dir, dir[dl - 1] == '/' || !s[0] ? "" : "/", s);
    }
    return n >= 0 && (size_t)n < cap;
}

static void put_text(char *dst, size_t size, const char *s)
{
    memset(dst, 0, size);
    memcpy(dst, s, strlen(s));
}

/* "gnn or jpda" from "gnn|jpda". */
static void choices_text(const char *choices, char *buf, size_t n)
{
    size_t len = 0, count = 1;
    for (const char *p = choices; *p; p++)
        count += *p == '|';
    size_t i = 0;
    for (const char *p = choices; *p && len + 8 < n;) {
        size_t w = strcspn(p, "|");
        const char *sep = i == 0 ? "" : i + 1 == count ? " or " : ", ";
        len += (size_t)snprintf(buf + len, n - len, "%s%.*s", sep, (int)w, p);
        p += w + (p[w] == '|');
        i++;
    }
}

static bool word_in(const char *choices, const char *s)
{
    size_t n = strlen(s);
    for (const char *p = choices; *p;) {
        size_t w = strcspn(p, "|");
        if (w == n && !strncmp(p, s, n))
            return true;
        p += w + (p[w] == '|');
    }
    return false;
}

/* One text value of key k: checked, resolved, into dst (k->size bytes). */
static dw_status read_text(const rd *r, const key_def *k, const json_t *v, const char *path, int line,
                           char *dst)
{
    char g[96], buf[1024], what[160];
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    switch (k->type) {
    case K_NAME:
        snprintf(what, sizeof what, "a name (letters, digits and . _ : -, at most %zu)", k->size - 1);
        break;
    case K_LISTEN:
    case K_CONNECT: snprintf(what, sizeof what, "HOST:PORT"); break;
    case K_PATH:
        snprintf(what, sizeof what, "%s", !strcmp(k->meta, "DIR") ? "a directory" : "a file name");
        break;
    case K_RECORD: snprintf(what, sizeof what, "a file name or off"); break;
    case K_WORD: choices_text(k->choices, what, sizeof what); break;
    case K_URLS: snprintf(what, sizeof what, "server URLs like nats://HOST:PORT, comma-separated"); break;
    case K_WORDS:
        snprintf(what, sizeof what, "names of letters, digits, _ and -, comma-separated");
        break;
    case K_FEDNAME:
        snprintf(what, sizeof what, "a name of letters, digits, _ and - (at most 32)");
        break;
    case K_COUNTRY: snprintf(what, sizeof what, "a two-letter country code (like PL)"); break;
    case K_GROUP:
        snprintf(what, sizeof what, "an IPv4 multicast group (224.0.0.0 to 239.255.255.255)");
        break;
    default: snprintf(what, sizeof what, "an IPv4 address"); break;
    }
    /* Nothing (null) is the empty value where one is allowed. */
    if (json_is_null(v) && k->type != K_NAME && k->type != K_LISTEN && k->type != K_CONNECT)
        s = "";
    if (!s || !clean_text(s))
        return fail(r, line, path, "expected %s, got %s", what, got(v, g, sizeof g));
    size_t n = strlen(s);
    switch (k->type) {
    case K_NAME:
        if (n == 0 || n >= k->size ||
            strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") != n)
            return fail(r, line, path, "expected %s, got %s", what, got(v, g, sizeof g));
        break;
    case K_LISTEN:
    case K_CONNECT: {
        char host[256], msg[300];
        int port;
        if (dw_hostport_parse(s, host, sizeof host, &port, msg, sizeof msg) != DW_OK)
            return fail(r, line, path, "%s", msg);
        if (k->type == K_CONNECT && port == 0)
            return fail(r, line, path, "expected HOST:PORT with a port from 1 to 65535, got %s",
                        got(v, g, sizeof g));
        if (n >= k->size)
            return fail(r, line, path, "expected HOST:PORT of at most %zu characters, got %s",
                        k->size - 1, got(v, g, sizeof g));
        break;
    }
    case K_RECORD:
        if (!strcmp(s, "off"))
            s = "";
        /* fall through */
    case K_PATH:
        if (!resolve(r->dir, s, buf, sizeof buf) || strlen(buf) >= k->size)
            return fail(r, line, path, "expected %s of at most %zu characters%s%s, got %s", what,
                        k->size - 1, r->dir[0] && s[0] != '/' ? " once resolved against " : "",
                        r->dir[0] && s[0] != '/' ? r->dir : "", got(v, g, sizeof g));
        s = buf;
        break;
    case K_WORD:
        if (n && !word_in(k->choices, s))
            return fail(r, line, path, "expected %s, got %s", what, got(v, g, sizeof g));
        break;
    case K_COUNTRY:
        if (n && (n != 2 || !isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1])))
            return fail(r, line, path, "expected %s, got %s", what, got(v, g, sizeof g));
        if (n) {
            snprintf(buf, sizeof buf, "%c%c", toupper((unsigned char)s[0]),
                     toupper((unsigned char)s[1]));
            s = buf;
        }
        break;
    case K_GROUP: {
        struct in_addr a;
        if (n && (inet_pton(AF_INET, s, &a) != 1 || (ntohl(a.s_addr) >> 28) != 0xe))
            return fail(r, line, path, "expected %s, got %s", what, got(v, g, sizeof g));
        break;
    }
    case K_ADDR:
        if (n && !is_ipv4(s))
            return fail(r, line, path, "expected %s, got %s", what, got(v, g, sizeof g));
        break;
    case K_URLS:
        for (const char *p = s; n && *p;) {
            size_t w = strcspn(p, ",");
            char one[300], host[256], msg[300];
            int port;
            snprintf(one, sizeof one, "%.*s", (int)(w < 299 ? w : 299), p);
            const char *hp = one;
            if (!strncmp(hp, "nats://", 7))
                hp += 7;
            else if (!strncmp(hp, "tls://", 6))
                hp += 6;
            if (w == 0 || w >= sizeof one || strchr(hp, '@') ||
                dw_hostport_parse(hp, host, sizeof host, &port, msg, sizeof msg) != DW_OK || !port)
                return fail(r, line, path, "expected %s, got %s (at '%s')", what,
                            got(v, g, sizeof g), one);
            p += w + (p[w] == ',');
        }
        break;
    case K_FEDNAME:
        if (n && (n > 32 ||
                  strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n))
            return fail(r, line, path, "expected %s, got %s", what, got(v, g, sizeof g));
        break;
    case K_WORDS:
        for (const char *p = s; n && *p;) {
            size_t w = strcspn(p, ",");
            if (w == 0 || w >= 33 ||
                strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") < w)
                return fail(r, line, path, "expected %s, got %s", what, got(v, g, sizeof g));
            p += w + (p[w] == ',');
        }
        break;
    default: break;
    }
    if (strlen(s) >= k->size)
        return fail(r, line, path, "expected %s of at most %zu characters, got %s", what,
                    k->size - 1, got(v, g, sizeof g));
    put_text(dst, k->size, s);
    return DW_OK;
}

/* Value v of key k into its member of base (a dw_run_config, or an entry for entry keys).
 * path names the key in messages, line is where it is (0: unknown). */
static dw_status read_value(const rd *r, const key_def *k, const json_t *v, const char *path,
                            int line, char *base)
{
    char g[96];
    char *dst = base + k->off;
    double x = json_is_number(v) ? json_number_value(v) : NAN;
    switch (k->type) {
    case K_NUM:
        if (!isfinite(x) || x < k->lo || x > k->hi)
            return fail(r, line, path, "expected a number from %g to %g, got %s", k->lo, k->hi,
                        got(v, g, sizeof g));
        *(double *)dst = x == 0 ? 0.0 : x;     /* no -0: the same config has the same bytes */
        return DW_OK;
    case K_INT:
    case K_SIZE:
        if (!isfinite(x) || x < k->lo || x > k->hi || x != floor(x))
            return fail(r, line, path, "expected a whole number from %.0f to %.0f, got %s", k->lo,
                        k->hi, got(v, g, sizeof g));
        if (k->type == K_INT)
            *(int *)dst = (int)x;
        else
            *(size_t *)dst = (size_t)x;
        return DW_OK;
    case K_BOOL:
        if (!json_is_boolean(v))
            return fail(r, line, path, "expected true or false, got %s", got(v, g, sizeof g));
        *(int *)dst = json_is_true(v);
        return DW_OK;
    case K_PATHS: {
        size_t n = json_is_array(v) ? json_array_size(v) : json_is_null(v) ? 0 : 1;
        if (!json_is_array(v) && !json_is_string(v) && !json_is_null(v))
            return fail(r, line, path, "expected a list of file names, got %s", got(v, g, sizeof g));
        if (n > (size_t)k->hi)
            return fail(r, line, path, "expected at most %.0f files, got %zu", k->hi, n);
        key_def one = *k;
        one.type = K_PATH;
        for (size_t i = 0; i < n; i++) {
            const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
            char ep[160];
            snprintf(ep, sizeof ep, "%s[%zu]", path, i);
            int el = json_is_array(v) ? dw_doc_index_line(r->d, v, i) : 0;
            if (read_text(r, &one, e, json_is_array(v) ? ep : path, el ? el : line,
                          dst + i * k->size) != DW_OK)
                return DW_ERR_PARSE;
            if (!dst[i * k->size])
                return fail(r, el ? el : line, json_is_array(v) ? ep : path,
                            "expected a file name, got ''");
        }
        for (size_t i = n; i < (size_t)k->hi; i++)
            memset(dst + i * k->size, 0, k->size);
        *(size_t *)(base + k->count_off) = n;
        return DW_OK;
    }
    case K_KIND:
        return DW_ERR_INVALID;  /* read by read_kind */
    default:
        return read_text(r, k, v, path, line, dst);
    }
}

static dw_status read_kind(const rd *r, enum sec s, const json_t *v, const char *path, int line,
                           int *out)
{
    char g[96], list[200];
    size_t nk;
    const kind_def *kd = sec_kinds(s, &nk);
    kinds_list(s, 0, ", ", list, sizeof list);
    if (!json_is_string(v))
        return fail(r, line, path, "expected a kind (%s), got %s", list, got(v, g, sizeof g));
    for (size_t i = 1; i < nk; i++)
        if (!strcmp(kd[i].word, json_string_value(v))) {
            *out = (int)i;
            return DW_OK;
        }
    return fail(r, line, path, "unknown kind %s (kinds: %s)", got(v, g, sizeof g), list);
}

/* A value of key k from text as given on a command line, typed by the key: numbers and booleans
 * where the key wants one (else the text, for the message), lists split at commas, the rest
 * verbatim. */
static json_t *text_json(const key_def *k, const char *s)
{
    switch (k->type) {
    case K_NUM:
    case K_INT:
    case K_SIZE: {
        /* [-+]?digits[.digits][e[-+]digits] or .digits...: strtod also takes hex, inf and nan */
        const char *p = s + (*s == '-' || *s == '+');
        size_t d1 = strspn(p, "0123456789");
        size_t d2 = p[d1] == '.' ? strspn(p + d1 + 1, "0123456789") : 0;
        const char *q = p + d1 + (p[d1] == '.' ? 1 + d2 : 0);
        bool ok = d1 + d2 > 0;
        if (ok && (*q == 'e' || *q == 'E')) {
            q += 1 + (q[1] == '-' || q[1] == '+');
            size_t d3 = strspn(q, "0123456789");
            ok = d3 > 0;
            q += d3;
        }
        if (ok && !*q) {
            double x = strtod(s, NULL);
            if (isfinite(x))
                return json_real(x);
        }
        return json_string_nocheck(s);
    }
    case K_BOOL:
        if (!strcmp(s, "true"))
            return json_true();
        if (!strcmp(s, "false"))
            return json_false();
        return json_string_nocheck(s);
    case K_PATHS: {
        json_t *a = json_array();
        while (a && *s) {
            size_t w = strcspn(s, ",");
            json_array_append_new(a, json_stringn_nocheck(s, w));
            s += w + (s[w] == ',');
        }
        return a;
    }
    default:
        return json_string_nocheck(s);
    }
}

/* The value key k holds in base, as it would be written in a JSON config. */
static json_t *value_json(const key_def *k, const char *base)
{
    const char *src = base + k->off;
    switch (k->type) {
    case K_NUM: return json_real(*(const double *)src);
    case K_INT: return json_integer(*(const int *)src);
    case K_SIZE: return json_integer((json_int_t) * (const size_t *)src);
    case K_BOOL: return json_boolean(*(const int *)src);
    case K_PATHS: {
        json_t *a = json_array();
        size_t n = *(const size_t *)(base + k->count_off);
        for (size_t i = 0; a && i < n && i < (size_t)k->hi; i++)
            json_array_append_new(a, json_stringn_nocheck(src + i * k->size,
                                                          strnlen(src + i * k->size, k->size)));
        return a;
    }
    default: return json_stringn_nocheck(src, strnlen(src, k->size));
    }
}

/* Sets key k of base from the text t (a default). The table's defaults are checked by the tests;
 * one that does not parse is a programmer's error. */
static void apply_text(const key_def *k, const char *t, char *base)
{
    char msg[300];
    rd r = {.d = NULL, .dir = "", .prefix = "default", .err = msg, .errlen = sizeof msg};
    json_t *v = text_json(k, t);
    dw_status st = v ? read_value(&r, k, v, k->path, 0, base) : DW_ERR_NOMEM;
    json_decref(v);
    assert(st == DW_OK);
    (void)st;
}

static void init_entry(char *e, enum sec s, int kind, size_t index)
{
    memset(e, 0, s == SEC_IN ? sizeof(dw_run_input) : sizeof(dw_run_output));
    if (s == SEC_IN)
        ((dw_run_input *)e)->kind = (dw_run_in_kind)kind;
    else
        ((dw_run_output *)e)->kind = (dw_run_out_kind)kind;
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_def *k = &keys[i];
        if (k->sec != s || k->type == K_KIND)
            continue;
        const char *t = (k->kdef_kinds & (1u << kind)) ? k->kdef : k->def;
        if (t && (t[0] || !is_text(k->type)))
            apply_text(k, t, e);
    }
    char name[64];
    snprintf(name, sizeof name, "%s-%zu", kind_of(s, kind)->word, index);
    put_text(s == SEC_IN ? ((dw_run_input *)e)->name : ((dw_run_output *)e)->name, sizeof name,
             name);
}

void dw_run_config_default(dw_run_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < N_KEYS; i++)
        if (keys[i].sec == SEC_TOP)
            apply_text(&keys[i], keys[i].def, (char *)c);
}

/* ------------------------------------------------------------------ reading a file */

static const key_def *find_top(const char *path)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (keys[i].sec == SEC_TOP && !strcmp(keys[i].path, path))
            return &keys[i];
    return NULL;
}

static const key_def *find_entry_key(enum sec s, const char *key)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (keys[i].sec == s && !strcmp(keys[i].path, key))
            return &keys[i];
    return NULL;
}

/* Is path ("http") a section, that is the start of some key's path? */
static bool is_section(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < N_KEYS; i++)
        if (keys[i].sec == SEC_TOP && !strncmp(keys[i].path, path, n) && keys[i].path[n] == '.')
            return true;
    return false;
}

/* The names directly under prefix ("" the top), comma-separated, each once. */
static bool under(const char *path, const char *prefix, size_t pl)
{
    return !pl || (!strncmp(path, prefix, pl) && path[pl] == '.');
}

static void children(const char *prefix, char *buf, size_t n)
{
    size_t pl = strlen(prefix), len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_KEYS + 2; i++) {
        const char *p = i < N_KEYS ? keys[i].path : i == N_KEYS ? "inputs" : "outputs";
        if ((i < N_KEYS && keys[i].sec != SEC_TOP) || (i >= N_KEYS && pl) || !under(p, prefix, pl))
            continue;
        const char *c = pl ? p + pl + 1 : p;
        size_t w = strcspn(c, ".");
        bool dup = false;
        for (size_t j = 0; j < i && j < N_KEYS && !dup; j++) {
            if (keys[j].sec != SEC_TOP || !under(keys[j].path, prefix, pl))
                continue;
            const char *cq = pl ? keys[j].path + pl + 1 : keys[j].path;
            dup = strcspn(cq, ".") == w && !strncmp(cq, c, w);
        }
        if (!dup)
            len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%.*s", len ? ", " : "",
                                    (int)w, c);
    }
}

static dw_status unknown_top(const rd *r, int line, const char *prefix, const char *path,
                             const char *key)
{
    guess g = {.d = 99};
    size_t pl = strlen(prefix);
    char known[400];
    children(prefix, known, sizeof known);
    /* A near name at this level first, then the same name elsewhere (listen → http.listen). */
    for (const char *p = known; *p;) {
        size_t w = strcspn(p, ",");
        char name[80], shown[160];
        snprintf(name, sizeof name, "%.*s", (int)w, p);
        snprintf(shown, sizeof shown, "%s%s%s", prefix, pl ? "." : "", name);
        guess_try(&g, key, name, shown);
        p += w + (p[w] == ',' ? 2 : 0);
    }
    if (g.d == 99)
        for (size_t i = 0; i < N_KEYS; i++) {
            const char *dot = strrchr(keys[i].path, '.');
            if (keys[i].sec == SEC_TOP && dot && !strcmp(dot + 1, key)) {
                snprintf(g.best, sizeof g.best, "%s", keys[i].path);
                g.d = 0;
                break;
            }
        }
    if (g.d != 99)
        return fail(r, line, path, "unknown key (did you mean %s?)", g.best);
    return fail(r, line, path, "unknown key (known: %s)", known);
}

static dw_status unknown_entry_key(const rd *r, int line, enum sec s, size_t idx, const char *key)
{
    guess g = {.d = 99};
    char path[200], known[300];
    size_t len = 0;
    known[0] = '\0';
    for (size_t i = 0; i < N_KEYS; i++) {
        if (keys[i].sec != s)
            continue;
        char shown[160];
        snprintf(shown, sizeof shown, "%s[%zu].%s", sec_name(s), idx, keys[i].path);
        guess_try(&g, key, keys[i].path, shown);
        len += (size_t)snprintf(known + len, len < sizeof known ? sizeof known - len : 0, "%s%s",
                                len ? ", " : "", keys[i].path);
    }
    snprintf(path, sizeof path, "%s[%zu].%.64s", sec_name(s), idx, key);
    if (g.d != 99)
        return fail(r, line, path, "unknown key (did you mean %s?)", g.best);
    return fail(r, line, path, "unknown key (known: %s)", known);
}

static dw_status not_applicable(const rd *r, int line, enum sec s, size_t idx, int kind,
                                const key_def *k)
{
    char where[40], list[200];
    snprintf(where, sizeof where, "%s[%zu]", sec_name(s), idx);
    const kind_def *kd = kind_of(s, kind);
    if (!strcmp(k->path, "listen") || !strcmp(k->path, "connect"))
        return fail(r, line, where, "%s is %s: use %s, not %s", kd->word, kd->role,
                    !strcmp(k->path, "listen") ? "connect" : "listen", k->path);
    kinds_list(s, k->kinds, ", ", list, sizeof list);
    return fail(r, line, where, "%s does not apply to %s (only to %s)", k->path, kd->word, list);
}

static dw_status read_entry(const rd *r, enum sec s, size_t idx, const json_t *obj, int line,
                            char *e)
{
    char where[40], path[200], g[96], list[200];
    snprintf(where, sizeof where, "%s[%zu]", sec_name(s), idx);
    if (!json_is_object(obj))
        return fail(r, line, where, "expected a mapping (kind: KIND and its keys), got %s",
                    got(obj, g, sizeof g));
    const json_t *kv = json_object_get(obj, "kind");
    int kind;
    if (!kv) {
        kinds_list(s, 0, ", ", list, sizeof list);
        return fail(r, line, where, "kind is required (kinds: %s)", list);
    }
    snprintf(path, sizeof path, "%s.kind", where);
    int kl = dw_doc_key_line(r->d, obj, "kind");
    if (read_kind(r, s, kv, path, kl ? kl : line, &kind) != DW_OK)
        return DW_ERR_PARSE;
    init_entry(e, s, kind, idx);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        int kline = dw_doc_key_line(r->d, obj, key);
        kline = kline ? kline : line;
        if (!strcmp(key, "kind"))
            continue;
        const key_def *k = find_entry_key(s, key);
        if (!k)
            return unknown_entry_key(r, kline, s, idx, key);
        if (!applies(k, kind))
            return not_applicable(r, kline, s, idx, kind, k);
        snprintf(path, sizeof path, "%s.%s", where, key);
        if (read_value(r, k, v, path, kline, e) != DW_OK)
            return DW_ERR_PARSE;
    }
    return DW_OK;
}

static dw_status read_list(const rd *r, dw_run_config *c, enum sec s, const json_t *v, int line)
{
    char g[96];
    const char *name = sec_name(s);
    if (!json_is_array(v) && !json_is_null(v))
        return fail(r, line, name, "expected a list of entries, got %s", got(v, g, sizeof g));
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (n > DW_RUN_MAX_IO)
        return fail(r, line, name, "at most %d entries, got %zu", DW_RUN_MAX_IO, n);
    for (size_t i = 0; i < n; i++) {
        int el = dw_doc_index_line(r->d, v, i);
        if (read_entry(r, s, i, json_array_get(v, i), el ? el : line, entry_at(c, s, i)) != DW_OK)
            return DW_ERR_PARSE;
    }
    /* The list is replaced whole: no stale entries behind the count. */
    for (size_t i = n; i < DW_RUN_MAX_IO; i++)
        memset(entry_at(c, s, i), 0, s == SEC_IN ? sizeof(dw_run_input) : sizeof(dw_run_output));
    *entry_count(c, s) = n;
    return DW_OK;
}

/* The members of obj, a mapping at prefix ("" the top). */
static dw_status read_map(const rd *r, dw_run_config *c, const json_t *obj, const char *prefix,
                          int line)
{
    char g[96], known[400];
    if (json_is_null(obj))
        return DW_OK;       /* a section with every key commented out */
    if (!json_is_object(obj)) {
        children(prefix, known, sizeof known);
        return fail(r, line, prefix, "expected a mapping (keys: %s), got %s", known,
                    got(obj, g, sizeof g));
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        char path[200];
        snprintf(path, sizeof path, "%s%s%.100s", prefix, prefix[0] ? "." : "", key);
        int kline = dw_doc_key_line(r->d, obj, key);
        const key_def *k;
        dw_status st;
        if (strchr(key, '.'))   /* "http.listen:" flat: a file nests, only --set dots */
            st = fail(r, kline, path, "unknown key (a file nests its keys: write %.*s: and %s: "
                                      "under it)",
                      (int)strcspn(key, "."), key, strrchr(key, '.') + 1);
        else if (!prefix[0] && !strcmp(key, "inputs"))
            st = read_list(r, c, SEC_IN, v, kline);
        else if (!prefix[0] && !strcmp(key, "outputs"))
            st = read_list(r, c, SEC_OUT, v, kline);
        else if ((k = find_top(path)))
            st = read_value(r, k, v, path, kline, (char *)c);
        else if (is_section(path))
            st = read_map(r, c, v, path, kline);
        else
            st = unknown_top(r, kline, prefix, path, key);
        if (st != DW_OK)
            return st;
    }
    return DW_OK;
}

/* ------------------------------------------------------------------ checks */

/* Where a check failed: a top key, or an entry (key NULL: the entry as a whole). */
typedef struct loc {
    enum sec sec;
    size_t idx;
    const char *key;
} loc;

/* Both listen addresses may take the same socket: the same port (not 0), and the same host or
 * either the wildcard. */
static bool overlap(const char *a, const char *b)
{
    char ha[256], hb[256];
    int pa, pb;
    if (dw_hostport_parse(a, ha, sizeof ha, &pa, NULL, 0) != DW_OK ||
        dw_hostport_parse(b, hb, sizeof hb, &pb, NULL, 0) != DW_OK)
        return false;
    if (pa != pb || pa == 0)
        return false;
    const char *wild[] = {"0.0.0.0", "::"};
    for (size_t i = 0; i < 2; i++)
        if (!strcmp(ha, wild[i]) || !strcmp(hb, wild[i]))
            return true;
    if (!strcasecmp(ha, "localhost"))
        snprintf(ha, sizeof ha, "127.0.0.1");
    if (!strcasecmp(hb, "localhost"))
        snprintf(hb, sizeof hb, "127.0.0.1");
    return !strcasecmp(ha, hb);
}

typedef struct sock {
    char label[64];     /* "http.listen", "inputs[2].listen" */
    const char *addr, *group;
    bool udp;
    loc at;
} sock;

/* The federation's keys together: names that are subject tokens on the bus, a bus for the
 * nats entries, one entry per partner and per audience. */
static dw_status check_federation(const dw_run_config *c, loc *at, char *msg, size_t n)
{
    static const char tok[] = "a name of letters, digits, _ and - (it is a subject token and a "
                              "stream name on the bus)";
    int any = 0;
    for (size_t i = 0; i < c->n_inputs; i++)
        any |= c->inputs[i].kind == DW_IN_NATS;
    for (size_t i = 0; i < c->n_outputs; i++)
        any |= c->outputs[i].kind == DW_OUT_NATS;
    if (!c->fed_servers[0]) {
        for (size_t i = 0; i < c->n_inputs + c->n_outputs; i++) {
            int in = i < c->n_inputs;
            size_t j = in ? i : i - c->n_inputs;
            if (in ? c->inputs[j].kind != DW_IN_NATS : c->outputs[j].kind != DW_OUT_NATS)
                continue;
            *at = (loc){in ? SEC_IN : SEC_OUT, j, "kind"};
            snprintf(msg, n, "%s[%zu]: nats needs the bus: set federation.servers",
                     in ? "inputs" : "outputs", j);
            return DW_ERR_INVALID;
        }
        return DW_OK;
    }
    if (!dw_fed_name_ok(c->node_id)) {
        *at = (loc){SEC_TOP, 0, "node.id"};
        snprintf(msg, n, "node.id: with federation.servers, expected %s, got '%s'", tok, c->node_id);
        return DW_ERR_INVALID;
    }
    if (c->node_owner[0] && !dw_fed_name_ok(c->node_owner)) {
        *at = (loc){SEC_TOP, 0, "node.owner"};
        snprintf(msg, n, "node.owner: expected %s, got '%s'", tok, c->node_owner);
        return DW_ERR_INVALID;
    }
    if (!c->fed_tls_cert[0] != !c->fed_tls_key[0]) {
        *at = (loc){SEC_TOP, 0, c->fed_tls_cert[0] ? "federation.tls_cert" : "federation.tls_key"};
        snprintf(msg, n, "%s: a client certificate needs both federation.tls_cert and "
                         "federation.tls_key", at->key);
        return DW_ERR_INVALID;
    }
    for (size_t i = 0; any && i < c->n_inputs; i++) {
        const dw_run_input *in = &c->inputs[i];
        if (in->kind != DW_IN_NATS)
            continue;
        *at = (loc){SEC_IN, i, "from"};
        if (!dw_fed_name_ok(in->from)) {
            snprintf(msg, n, "inputs[%zu].from: expected %s, got '%s'", i, tok, in->from);
            return DW_ERR_INVALID;
        }
        if (!strcmp(in->from, c->node_id)) {
            snprintf(msg, n, "inputs[%zu].from: '%s' is this node (node.id)", i, in->from);
            return DW_ERR_INVALID;
        }
        for (size_t j = 0; j < i; j++)
            if (c->inputs[j].kind == DW_IN_NATS && !strcmp(c->inputs[j].from, in->from)) {
                snprintf(msg, n, "inputs[%zu].from: %s is read by inputs[%zu] already", i,
                         in->from, j);
                return DW_ERR_INVALID;
            }
    }
    for (size_t i = 0; any && i < c->n_outputs; i++) {
        const dw_run_output *o = &c->outputs[i];
        if (o->kind != DW_OUT_NATS)
            continue;
        *at = (loc){SEC_OUT, i, "to"};
        if (!dw_fed_name_ok(o->to)) {
            snprintf(msg, n, "outputs[%zu].to: expected %s, got '%s'", i, tok, o->to);
            return DW_ERR_INVALID;
        }
        for (size_t j = 0; j < i; j++)
            if (c->outputs[j].kind == DW_OUT_NATS && !strcmp(c->outputs[j].to, o->to)) {
                snprintf(msg, n, "outputs[%zu].to: %s is released to by outputs[%zu] already", i,
                         o->to, j);
                return DW_ERR_INVALID;
            }
    }
    return DW_OK;
}

static dw_status check_cfg(const dw_run_config *c, dw_run_config *t, loc *at, char *msg, size_t n)
{
    rd r = {.d = NULL, .dir = "", .prefix = NULL, .err = msg, .errlen = n};
    dw_status st = DW_OK;
    *t = *c;
    for (size_t i = 0; i < N_KEYS && st == DW_OK; i++) {
        if (keys[i].sec != SEC_TOP)
            continue;
        *at = (loc){SEC_TOP, 0, keys[i].path};
        if (keys[i].type == K_PATHS &&
            *(const size_t *)((const char *)c + keys[i].count_off) > (size_t)keys[i].hi) {
            snprintf(msg, n, "%s: expected at most %.0f files, got %zu", keys[i].path, keys[i].hi,
                     *(const size_t *)((const char *)c + keys[i].count_off));
            return DW_ERR_INVALID;
        }
        json_t *v = value_json(&keys[i], (const char *)c);
        st = v ? read_value(&r, &keys[i], v, keys[i].path, 0, (char *)t) : DW_ERR_NOMEM;
        json_decref(v);
    }
    if (st != DW_OK)
        return st == DW_ERR_NOMEM ? st : DW_ERR_INVALID;

    sock socks[1 + 2 * DW_RUN_MAX_IO];
    size_t n_socks = 0;
    socks[n_socks++] = (sock){"http.listen", c->http_listen, "", false, {SEC_TOP, 0, "http.listen"}};
    for (enum sec s = SEC_IN; s <= SEC_OUT; s++) {
        size_t count = *entry_count((dw_run_config *)c, s);
        if (count > DW_RUN_MAX_IO) {
            *at = (loc){SEC_TOP, 0, sec_name(s)};
            snprintf(msg, n, "%s: at most %d entries, got %zu", sec_name(s), DW_RUN_MAX_IO, count);
            return DW_ERR_INVALID;
        }
        for (size_t i = 0; i < count; i++) {
            const char *e = entry_at((dw_run_config *)c, s, i);
            char *te = entry_at(t, s, i);
            int kind = entry_kind(e, s);
            char where[40], path[200];
            snprintf(where, sizeof where, "%s[%zu]", sec_name(s), i);
            *at = (loc){s, i, NULL};
            const kind_def *kd = kind_of(s, kind);
            if (!kd) {
                *at = (loc){s, i, "kind"};
                snprintf(msg, n, "%s.kind: unknown kind %d", where, kind);
                return DW_ERR_INVALID;
            }
            for (size_t j = 0; j < N_KEYS; j++) {
                const key_def *k = &keys[j];
                if (k->sec != s || k->type == K_KIND)
                    continue;
                const char *field = e + k->off;
                *at = (loc){s, i, k->path};
                if (!applies(k, kind)) {
                    if (is_text(k->type) && field[0]) {
                        not_applicable(&r, 0, s, i, kind, k);
                        return DW_ERR_INVALID;
                    }
                    continue;
                }
                if (is_text(k->type) && !field[0] && (k->required & (1u << kind))) {
                    *at = (loc){s, i, NULL};
                    snprintf(msg, n, "%s: %s is %s and needs %s (%s)", where, kd->word, kd->role,
                             k->path, k->meta);
                    return DW_ERR_INVALID;
                }
                if ((k->type == K_LISTEN || k->type == K_CONNECT) && !field[0])
                    continue;
                snprintf(path, sizeof path, "%s.%s", where, k->path);
                json_t *v = value_json(k, e);
                st = v ? read_value(&r, k, v, path, 0, te) : DW_ERR_NOMEM;
                json_decref(v);
                if (st != DW_OK)
                    return st == DW_ERR_NOMEM ? st : DW_ERR_INVALID;
            }
            if (s == SEC_IN) {
                const dw_run_input *in = (const dw_run_input *)e;
                if (in->iface[0] && !in->group[0]) {
                    *at = (loc){s, i, "iface"};
                    snprintf(msg, n, "%s: iface is where group is joined, and there is no group",
                             where);
                    return DW_ERR_INVALID;
                }
            }
            const char *listen = s == SEC_IN ? ((const dw_run_input *)e)->listen
                                             : ((const dw_run_output *)e)->listen;
            if (listen[0]) {
                sock *k = &socks[n_socks++];
                snprintf(k->label, sizeof k->label, "%s.listen", where);
                k->addr = listen;
                k->group = s == SEC_IN ? ((const dw_run_input *)e)->group : "";
                k->udp = s == SEC_IN && ((1u << kind) & IN_UDP);
                k->at = (loc){s, i, "listen"};
            }
            for (size_t j = 0; j < i; j++)
                if (!strcmp(entry_name(entry_at((dw_run_config *)c, s, j), s), entry_name(e, s))) {
                    *at = (loc){s, i, "name"};
                    snprintf(msg, n, "%s.name: '%s' is already the name of %s[%zu]", where,
                             entry_name(e, s), sec_name(s), j);
                    return DW_ERR_INVALID;
                }
        }
    }
    if (check_federation(c, at, msg, n) != DW_OK)
        return DW_ERR_INVALID;
    for (size_t i = 1; i < n_socks; i++)
        for (size_t j = 0; j < i; j++) {
            const sock *a = &socks[j], *b = &socks[i];
            if (a->udp != b->udp || (a->udp && strcmp(a->group, b->group)) ||
                !overlap(a->addr, b->addr))
                continue;
            *at = b->at;
            snprintf(msg, n, "%s: %s conflicts with %s (%s)", b->label, b->addr, a->label, a->addr);
            return DW_ERR_INVALID;
        }
    return DW_OK;
}

dw_status dw_run_config_check(const dw_run_config *c, char *err, size_t errlen)
{
    char ebuf[8];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    dw_run_config *t = malloc(sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return DW_ERR_NOMEM;
    }
    loc at;
    dw_status st = check_cfg(c, t, &at, err, errlen);
    free(t);
    return st;
}

/* The line of the place a check points at, if the document holds it. */
static int loc_line(const dw_doc *d, const loc *at)
{
    const json_t *root = dw_doc_root(d);
    if (!json_is_object(root))
        return 0;
    if (at->sec == SEC_TOP) {
        const json_t *obj = root;
        const char *p = at->key;
        int line = 0;
        while (json_is_object(obj)) {
            size_t w = strcspn(p, ".");
            char name[80];
            snprintf(name, sizeof name, "%.*s", (int)w, p);
            line = dw_doc_key_line(d, obj, name);
            obj = json_object_get(obj, name);
            if (!obj || !p[w])
                return obj ? line : 0;
            p += w + 1;
        }
        return 0;
    }
    const json_t *arr = json_object_get(root, sec_name(at->sec));
    if (!json_is_array(arr) || at->idx >= json_array_size(arr))
        return 0;
    int line = 0;
    const json_t *e = json_array_get(arr, at->idx);
    if (at->key && json_is_object(e))
        line = dw_doc_key_line(d, e, at->key);
    return line ? line : dw_doc_index_line(d, arr, at->idx);
}

static dw_status load_doc(dw_run_config *c, const dw_doc *d, char *err, size_t errlen)
{
    char dir[512], g[96];
    const char *name = dw_doc_name(d);
    const char *slash = strrchr(name, '/');
    if (!slash)
        dir[0] = '\0';
    else
        snprintf(dir, sizeof dir, "%.*s", slash == name ? 1 : (int)(slash - name), name);
    dw_run_config *t = malloc(2 * sizeof *t);
    if (!t) {
        dw_doc_errf(d, 0, err, errlen, "out of memory");
        return DW_ERR_NOMEM;
    }
    t[0] = *c;
    rd r = {.d = d, .dir = dir, .err = err, .errlen = errlen};
    const json_t *root = dw_doc_root(d);
    dw_status st = DW_OK;
    if (root && !json_is_null(root)) {
        if (!json_is_object(root))
            st = fail(&r, dw_doc_line(d, root), "", "expected a mapping of keys, got %s",
                      got(root, g, sizeof g));
        else
            st = read_map(&r, &t[0], root, "", 0);
    }
    if (st == DW_OK) {
        char msg[700];
        loc at;
        st = check_cfg(&t[0], &t[1], &at, msg, sizeof msg);
        if (st == DW_ERR_INVALID) {
            dw_doc_errf(d, loc_line(d, &at), err, errlen, "%s", msg);
            st = DW_ERR_PARSE;
        } else if (st != DW_OK) {
            dw_doc_errf(d, 0, err, errlen, "out of memory");
        }
    }
    if (st == DW_OK)
        *c = t[0];
    free(t);
    return st;
}

dw_status dw_run_config_load_mem(dw_run_config *c, const char *buf, size_t len, const char *name,
                                 char *err, size_t errlen)
{
    char ebuf[8];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    dw_doc *d;
    dw_status st = dw_doc_load_mem(buf, len, name, &d, err, errlen);
    if (st != DW_OK)
        return st;
    st = load_doc(c, d, err, errlen);
    dw_doc_destroy(d);
    return st;
}

dw_status dw_run_config_load(dw_run_config *c, const char *path, char *err, size_t errlen)
{
    char ebuf[8];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    dw_doc *d;
    dw_status st = dw_doc_load(path, &d, err, errlen);
    if (st != DW_OK)
        return st;
    st = load_doc(c, d, err, errlen);
    dw_doc_destroy(d);
    return st;
}

/* ------------------------------------------------------------------ --set */

static dw_status set_entry(const rd *r, dw_run_config *t, enum sec s, const char *key,
                           const char *rest, const char *value)
{
    /* rest: "N].leaf" */
    const char *name = sec_name(s);
    size_t nd = strspn(rest, "0123456789");
    if (nd == 0 || nd > 4 || rest[nd] != ']' || rest[nd + 1] != '.')
        return fail(r, 0, key, "expected %s[N].KEY=VALUE", name);
    size_t idx = (size_t)strtoul(rest, NULL, 10);
    const char *leaf = rest + nd + 2;
    size_t *count = entry_count(t, s);
    char add[120];
    char there[40];
    snprintf(add, sizeof add, "add one with --set %s[%zu].kind=KIND", name, *count);
    if (*count == 0)
        snprintf(there, sizeof there, "there are none");
    else
        snprintf(there, sizeof there, "there %s %zu", *count == 1 ? "is" : "are", *count);
    if (!strcmp(leaf, "kind")) {
        int kind;
        json_t *v = json_string_nocheck(value);
        dw_status st = v ? read_kind(r, s, v, key, 0, &kind) : DW_ERR_NOMEM;
        json_decref(v);
        if (st != DW_OK)
            return st;
        if (idx < *count) {
            int had = entry_kind(entry_at(t, s, idx), s);
            if (had == kind)
                return DW_OK;
            return fail(r, 0, key, "an entry's kind cannot be changed (%s[%zu] is %s)", name, idx,
                        kind_of(s, had)->word);
        }
        if (idx > *count)
            return fail(r, 0, key, "no %s[%zu]: %s (%s)", name, idx, there, add);
        if (*count == DW_RUN_MAX_IO)
            return fail(r, 0, key, "at most %d %s", DW_RUN_MAX_IO, name);
        init_entry(entry_at(t, s, idx), s, kind, idx);
        (*count)++;
        return DW_OK;
    }
    if (idx >= *count)
        return fail(r, 0, key, "no %s[%zu]: %s (%s)", name, idx, there, add);
    char *e = entry_at(t, s, idx);
    const key_def *k = find_entry_key(s, leaf);
    if (!k)
        return unknown_entry_key(r, 0, s, idx, leaf);
    if (!applies(k, entry_kind(e, s)))
        return not_applicable(r, 0, s, idx, entry_kind(e, s), k);
    json_t *v = text_json(k, value);
    dw_status st = v ? read_value(r, k, v, key, 0, e) : DW_ERR_NOMEM;
    json_decref(v);
    return st;
}

dw_status dw_run_config_set(dw_run_config *c, const char *assignment, char *err, size_t errlen)
{
    char ebuf[8], key[160], sn[72];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    rd r = {.d = NULL, .dir = "", .prefix = "--set", .err = err, .errlen = errlen};
    const char *eq = assignment ? strchr(assignment, '=') : NULL;
    if (!eq)
        return fail(&r, 0, assignment ? dw_doc_snip(assignment, sn, sizeof sn) : "",
                    "expected KEY=VALUE");
    snprintf(key, sizeof key, "%.*s", (int)(eq - assignment) < 100 ? (int)(eq - assignment) : 100,
             assignment);
    if (!clean_text(key))
        return fail(&r, 0, dw_doc_snip(key, sn, sizeof sn), "unknown key");
    const char *value = eq + 1;
    dw_run_config *t = malloc(sizeof *t);
    if (!t)
        return fail(&r, 0, key, "out of memory"), DW_ERR_NOMEM;
    *t = *c;
    dw_status st;
    const key_def *k;
    if (!strncmp(key, "inputs[", 7)) {
        st = set_entry(&r, t, SEC_IN, key, key + 7, value);
    } else if (!strncmp(key, "outputs[", 8)) {
        st = set_entry(&r, t, SEC_OUT, key, key + 8, value);
    } else if ((k = find_top(key))) {
        json_t *v = text_json(k, value);
        st = v ? read_value(&r, k, v, key, 0, (char *)t) : DW_ERR_NOMEM;
        json_decref(v);
    } else if (!strcmp(key, "inputs") || !strcmp(key, "outputs")) {
        st = fail(&r, 0, key, "a list: set its entries' keys (%s[0].kind=KIND, then %s[0].KEY=VALUE)",
                  key, key);
    } else if (is_section(key)) {
        char known[400], full[600];
        size_t len = 0;
        children(key, known, sizeof known);
        full[0] = '\0';
        for (const char *p = known; *p;) {
            size_t w = strcspn(p, ",");
            len += (size_t)snprintf(full + len, len < sizeof full ? sizeof full - len : 0, "%s%s.%.*s",
                                    len ? ", " : "", key, (int)w, p);
            p += w + (p[w] == ',' ? 2 : 0);
        }
        st = fail(&r, 0, key, "a section, not a key (keys: %s)", full);
    } else {
        /* A misspelt dotted path, or a key without its section. */
        guess g = {.d = 99};
        for (size_t i = 0; i < N_KEYS; i++) {
            if (keys[i].sec != SEC_TOP)
                continue;
            guess_try(&g, key, keys[i].path, keys[i].path);
            const char *dot = strrchr(keys[i].path, '.');
            if (g.d == 99 && dot && !strcmp(dot + 1, key)) {
                snprintf(g.best, sizeof g.best, "%s", keys[i].path);
                g.d = 0;
            }
        }
        if (g.d != 99)
            st = fail(&r, 0, key, "unknown key (did you mean %s?)", g.best);
        else
            st = fail(&r, 0, key, "unknown key (`dronewall run --help` lists them)");
    }
    if (st == DW_OK)
        *c = *t;
    free(t);
    return st;
}

/* ------------------------------------------------------------------ documents */

/* The default as a YAML scalar: quoted when plain text would read as something else. */
static void yaml_scalar(const key_def *k, const char *t, char *buf, size_t n)
{
    if (k->type == K_PATHS) {
        snprintf(buf, n, "[]");
        return;
    }
    bool plain = t[0] && strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789._/:-") == strlen(t);
    if (plain && is_text(k->type)) {
        json_t *v = text_json(&(key_def){.type = K_NUM}, t);
        plain = json_is_string(v) && strcmp(t, "true") && strcmp(t, "false") && strcmp(t, "null");
        json_decref(v);
    }
    snprintf(buf, n, plain || !is_text(k->type) ? "%s" : "\"%s\"", t);
}

/* The default for the docs: the text, or the def_doc words when empty. */
static const char *default_doc(const key_def *k, char *buf, size_t n)
{
    if (k->type == K_KIND || k->required)
        snprintf(buf, n, "%s", k->kdef ? k->kdef : "");
    else if (k->def && k->def[0])
        snprintf(buf, n, "%s", k->def);
    else
        snprintf(buf, n, "%s", k->def_doc ? k->def_doc : "");
    return buf;
}

/* Writes text as comment lines of at most 92 columns: first line after `lead`, the rest after
 * `indent`. */
static void wrap(FILE *f, const char *lead, const char *indent, const char *text)
{
    const size_t width = 92;
    size_t col = (size_t)fprintf(f, "%s", lead);
    bool first = true;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (!w)
            break;
        if (!first && col + 1 + w > width) {
            col = (size_t)fprintf(f, "\n%s", indent) - 1;
            first = true;
        }
        col += (size_t)fprintf(f, "%s%.*s", first ? "" : " ", (int)w, p);
        first = false;
        p += w;
    }
    fputc('\n', f);
}

/* "Help text (META). More." as one paragraph; kinds are added for entry keys. */
static void describe(const key_def *k, bool with_meta, char *buf, size_t n)
{
    char list[200] = "", req[200] = "";
    size_t len = (size_t)snprintf(buf, n, "%c%s", toupper((unsigned char)k->help[0]), k->help + 1);
    if (k->type == K_KIND) {
        kinds_list(k->sec, 0, ", ", list, sizeof list);
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, ": %s", list);
    }
    if (with_meta)
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, " (%s)", k->meta);
    len += (size_t)snprintf(buf + len, len < n ? n - len : 0, ".");
    if (k->more)
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, " %s", k->more);
    if (k->sec != SEC_TOP && k->kinds) {
        kinds_list(k->sec, k->kinds, ", ", list, sizeof list);
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, " Only %s.", list);
    }
    if (k->required) {
        kinds_list(k->sec, k->required & ~k->kdef_kinds, ", ", req, sizeof req);
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, " Required%s%s.",
                                strcmp(req, list) ? " for " : "", strcmp(req, list) ? req : "");
    }
    if (k->kdef)
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, " Default for %s: %s.",
                                (kinds_list(k->sec, k->kdef_kinds, ", ", list, sizeof list), list),
                                k->kdef);
    if (k->type == K_KIND)
        snprintf(buf + len, len < n ? n - len : 0, " Required.");
}

static void sample_list(FILE *f, enum sec s)
{
    char text[1200], dflt[200], lead[120];
    size_t nk;
    const kind_def *kd = sec_kinds(s, &nk);
    fprintf(f, "\n");
    snprintf(text, sizeof text, "%s: %s, at most %d. An entry's kind decides which of these keys "
                                "it takes:",
             sec_name(s), s == SEC_IN ? "the sockets observations arrive on"
                                       : "where the picture is sent",
             DW_RUN_MAX_IO);
    wrap(f, "# ", "# ", text);
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_def *k = &keys[i];
        if (k->sec != s)
            continue;
        describe(k, true, text, sizeof text);
        default_doc(k, dflt, sizeof dflt);
        if (dflt[0] && !k->required && k->type != K_KIND)
            snprintf(text + strlen(text), sizeof text - strlen(text), " Default: %s.", dflt);
        snprintf(lead, sizeof lead, "#   %-14s", k->path);
        wrap(f, lead, "#                 ", text);
    }
    fprintf(f, "# The kinds:\n");
    for (size_t i = 1; i < nk; i++) {
        snprintf(text, sizeof text, "%s (%s).", kd[i].what, kd[i].role);
        snprintf(lead, sizeof lead, "#   %-14s", kd[i].word);
        wrap(f, lead, "#                 ", text);
    }
    fprintf(f, "# For example:\n#   %s:\n", sec_name(s));
    for (size_t i = 1; i < nk; i++)
        fprintf(f, "#     - %s\n", kd[i].example);
    fprintf(f, "#%s: []\n", sec_name(s));
}

void dw_run_config_sample(FILE *f)
{
    fprintf(f,
            "# dronewall.yaml — the configuration of `dronewall run`.\n"
            "#\n"
            "# Generated by dw_run_config_sample() from the key table in src/serve/runcfg.c, as are\n"
            "# `dronewall run --help` and the key table of docs/config.md, which also shows a whole\n"
            "# site's file. Every key is here at its default: a line \"#key: value\" is a key\n"
            "# commented out; remove the \"#\" to set it. Relative paths are resolved against this\n"
            "# file's directory. On the command line, `--set KEY=VALUE` sets a key by its dotted\n"
            "# name: --set http.listen=0.0.0.0:8080 --set inputs[0].quiet_s=10\n");
    char section[64] = "", text[1200], val[600];
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_def *k = &keys[i];
        if (k->sec != SEC_TOP)
            continue;
        const char *dot = strchr(k->path, '.');
        size_t w = dot ? (size_t)(dot - k->path) : 0;
        if (dot && (strlen(section) != w || strncmp(section, k->path, w))) {
            snprintf(section, sizeof section, "%.*s", (int)w, k->path);
            fprintf(f, "\n%s:\n", section);
        } else if (!dot) {
            section[0] = '\0';
            fprintf(f, "\n");
        }
        const char *ind = dot ? "  " : "";
        describe(k, true, text, sizeof text);
        char lead[16];
        snprintf(lead, sizeof lead, "%s# ", ind);
        wrap(f, lead, lead, text);
        yaml_scalar(k, k->def, val, sizeof val);
        fprintf(f, "%s#%s: %s\n", ind, dot ? dot + 1 : k->path, val);
    }
    sample_list(f, SEC_IN);
    sample_list(f, SEC_OUT);
}

/* The key as --help and the Markdown name it: "http.listen", "inputs[].listen". */
static const char *shown_key(const key_def *k, char *buf, size_t n)
{
    if (k->sec == SEC_TOP)
        snprintf(buf, n, "%s", k->path);
    else
        snprintf(buf, n, "%s[].%s", sec_name(k->sec), k->path);
    return buf;
}

void dw_run_config_help(FILE *f)
{
    size_t wk = 0, wm = 0;
    char name[80], dflt[200], list[200];
    for (size_t i = 0; i < N_KEYS; i++) {
        size_t a = strlen(shown_key(&keys[i], name, sizeof name)), b = strlen(keys[i].meta);
        wk = a > wk ? a : wk;
        wm = b > wm ? b : wm;
    }
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_def *k = &keys[i];
        fprintf(f, "  %-*s  %-*s  %s", (int)wk, shown_key(k, name, sizeof name), (int)wm, k->meta,
                k->help);
        if (k->type == K_KIND) {
            kinds_list(k->sec, 0, ", ", list, sizeof list);
            fprintf(f, ": %s (required)", list);
        } else if (k->required) {
            kinds_list(k->sec, k->required & ~k->kdef_kinds, ", ", list, sizeof list);
            fprintf(f, " (required for %s", list);
            if (k->kdef) {
                kinds_list(k->sec, k->kdef_kinds, ", ", list, sizeof list);
                fprintf(f, "; %s: %s", list, k->kdef);
            }
            fprintf(f, ")");
        } else if (default_doc(k, dflt, sizeof dflt)[0]) {
            fprintf(f, " (%s)", dflt);
        }
        if (k->sec != SEC_TOP && k->kinds && !k->required) {
            kinds_list(k->sec, k->kinds, ", ", list, sizeof list);
            fprintf(f, " [%s]", list);
        }
        fputc('\n', f);
    }
}

/* Markdown table cell text: '|' escaped. */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s, f);
    }
}

void dw_run_config_markdown(FILE *f)
{
    char name[80], dflt[200], text[1200];
    fprintf(f, "| Key | Value | Default | Meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_def *k = &keys[i];
        fprintf(f, "| `%s` | ", shown_key(k, name, sizeof name));
        md_cell(f, k->meta);
        fprintf(f, " | ");
        default_doc(k, dflt, sizeof dflt);
        if (k->type == K_KIND || (k->required && !k->kdef))
            fprintf(f, "required");
        else if (k->kdef)
            fprintf(f, "required; `%s`: `%s`",
                    (kinds_list(k->sec, k->kdef_kinds, "`, `", dflt, sizeof dflt), dflt), k->kdef);
        else if (k->def && k->def[0])
            fprintf(f, "`%s`", k->def);
        else if (dflt[0])
            md_cell(f, dflt);
        else
            fprintf(f, "`\"\"`");
        fprintf(f, " | ");
        describe(k, false, text, sizeof text);
        md_cell(f, text);
        fprintf(f, " |\n");
    }
    for (enum sec s = SEC_IN; s <= SEC_OUT; s++) {
        size_t nk;
        const kind_def *kd = sec_kinds(s, &nk);
        fprintf(f, "\n| `%s[].kind` | Is | Carries |\n|---|---|---|\n", sec_name(s));
        for (size_t i = 1; i < nk; i++)
            fprintf(f, "| `%s` | %s | %s |\n", kd[i].word, kd[i].role, kd[i].what);
    }
}

/* ------------------------------------------------------------------ JSON */

static void jw_value(dw_jw *w, const key_def *k, const char *base)
{
    const char *src = base + k->off;
    switch (k->type) {
    case K_NUM: dw_jw_double(w, *(const double *)src); break;
    case K_INT: dw_jw_int(w, *(const int *)src); break;
    case K_SIZE: dw_jw_uint(w, *(const size_t *)src); break;
    case K_BOOL: dw_jw_bool(w, *(const int *)src); break;
    case K_PATHS: {
        size_t n = *(const size_t *)(base + k->count_off);
        dw_jw_arr(w);
        for (size_t i = 0; i < n && i < (size_t)k->hi; i++)
            dw_jw_strn(w, src + i * k->size, strnlen(src + i * k->size, k->size));
        dw_jw_arr_end(w);
        break;
    }
    default: dw_jw_strn(w, src, strnlen(src, k->size)); break;
    }
}

static void jw_config(dw_jw *w, const dw_run_config *c)
{
    char section[64] = "";
    dw_jw_obj(w);
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_def *k = &keys[i];
        if (k->sec != SEC_TOP)
            continue;
        const char *dot = strchr(k->path, '.');
        size_t wd = dot ? (size_t)(dot - k->path) : 0;
        if (section[0] && (!dot || strlen(section) != wd || strncmp(section, k->path, wd))) {
            dw_jw_obj_end(w);
            section[0] = '\0';
        }
        if (dot && !section[0]) {
            snprintf(section, sizeof section, "%.*s", (int)wd, k->path);
            dw_jw_key(w, section);
            dw_jw_obj(w);
        }
        dw_jw_key(w, dot ? dot + 1 : k->path);
        jw_value(w, k, (const char *)c);
    }
    if (section[0])
        dw_jw_obj_end(w);
    for (enum sec s = SEC_IN; s <= SEC_OUT; s++) {
        size_t count = *entry_count((dw_run_config *)c, s);
        dw_jw_key(w, sec_name(s));
        dw_jw_arr(w);
        for (size_t i = 0; i < count && i < DW_RUN_MAX_IO; i++) {
            const char *e = entry_at((dw_run_config *)c, s, i);
            int kind = entry_kind(e, s);
            const kind_def *kd = kind_of(s, kind);
            dw_jw_obj(w);
            dw_jw_key(w, "kind");
            if (kd)
                dw_jw_str(w, kd->word);
            else
                dw_jw_null(w);
            for (size_t j = 0; j < N_KEYS; j++) {
                const key_def *k = &keys[j];
                if (k->sec != s || k->type == K_KIND || !kd || !applies(k, kind))
                    continue;
                dw_jw_key(w, k->path);
                jw_value(w, k, e);
            }
            dw_jw_obj_end(w);
        }
        dw_jw_arr_end(w);
    }
    dw_jw_obj_end(w);
}

char *dw_run_config_json(const dw_run_config *c)
{
    for (size_t cap = 1 << 16; cap <= (1u << 24); cap *= 2) {
        char *buf = malloc(cap);
        if (!buf)
            return NULL;
        dw_jw w;
        dw_jw_init(&w, buf, cap);
        jw_config(&w, c);
        if (dw_jw_ok(&w) && dw_jw_len(&w) < cap)
            return buf;
        free(buf);
    }
    return NULL;
}

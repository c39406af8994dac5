/* test_runcfg.c — the daemon's configuration: defaults, files, --set, checks, and the documents
 * the key table generates (config/dronewall.yaml and the table of docs/config.md, compared byte
 * for byte with what the code prints). */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dronewall/runcfg.h"

#define SAMPLE_FILE DW_SOURCE_DIR "/config/dronewall.yaml"
#define DOCS_FILE DW_SOURCE_DIR "/docs/config.md"

/* What f prints into a string the caller frees. (Not inlined: gcc -O3 then takes the
 * returned heap string for the local pointer it was read through, -Wdangling-pointer.) */
__attribute__((noinline)) static char *capture(void (*fn)(FILE *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(f);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static dw_status load_text(dw_run_config *c, const char *name, const char *text, char *err,
                           size_t errlen)
{
    return dw_run_config_load_mem(c, text, strlen(text), name, err, errlen);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* ------------------------------------------------------------------ defaults */

static void defaults_are_safe(void **state)
{
    (void)state;
    dw_run_config c;
    dw_run_config_default(&c);
    assert_string_equal(c.http_listen, "127.0.0.1:8080");
    char host[64];
    int port;
    assert_int_equal(dw_hostport_parse(c.http_listen, host, sizeof host, &port, NULL, 0), DW_OK);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8080);
    assert_string_equal(c.record_path, "./dronewall.db");
    assert_string_equal(c.node_id, "dronewall");
    assert_string_equal(c.web_root, "");
    assert_string_equal(c.token_file, "");
    assert_int_equal(c.http_max_clients, 512);
    assert_near(c.ws_period_s, 0.025, 0);
    assert_int_equal(c.record_commit_ms, 500);
    assert_string_equal(c.home, "");
    assert_int_equal(c.n_geo_files, 0);
    assert_string_equal(c.scenario, "");
    assert_near(c.speed, 1, 0);
    assert_near(c.report_s, 1, 0);
    assert_string_equal(c.assoc, "");
    assert_near(c.stop_after_s, 0, 0);
    assert_int_equal(c.n_inputs, 0);
    assert_int_equal(c.n_outputs, 0);
    char err[512] = "";
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_OK);

    /* An empty mapping changes nothing; a file with nothing in it is refused (by dw_doc). */
    dw_run_config d = c;
    assert_int_equal(load_text(&d, "e.json", "{}", err, sizeof err), DW_OK);
    assert_int_equal(load_text(&d, "e.yaml", "{}\n", err, sizeof err), DW_OK);
    assert_int_equal(load_text(&d, "e.yaml", "# nothing\n", err, sizeof err), DW_ERR_PARSE);
    assert_string_equal(err, "e.yaml: empty document");
    assert_memory_equal(&c, &d, sizeof c);
}

static void kind_names(void **state)
{
    (void)state;
    assert_string_equal(dw_run_in_kind_name(DW_IN_ASTERIX_UDP), "asterix_udp");
    assert_string_equal(dw_run_in_kind_name(DW_IN_NDJSON_TCP), "ndjson_tcp");
    assert_null(dw_run_in_kind_name((dw_run_in_kind)0));
    assert_string_equal(dw_run_in_kind_name(DW_IN_NATS), "nats");
    assert_null(dw_run_in_kind_name((dw_run_in_kind)8));
    assert_string_equal(dw_run_out_kind_name(DW_OUT_COT_TCP), "cot_tcp");
    assert_string_equal(dw_run_out_kind_name(DW_OUT_NDJSON_TCP), "ndjson_tcp");
    assert_string_equal(dw_run_out_kind_name(DW_OUT_NATS), "nats");
    assert_null(dw_run_out_kind_name((dw_run_out_kind)6));
}

/* ------------------------------------------------------------------ a whole site */

static const char *site_yaml =
    "node:\n"
    "  id: pl-lublin-1\n"
    "http:\n"
    "  listen: 0.0.0.0:8080\n"
    "  web_root: /usr/share/dronewall/web\n"
    "  token_file: /etc/dronewall/token\n"
    "  max_clients: 256\n"
    "  ws_period_s: 0.25\n"
    "record:\n"
    "  path: /var/lib/dronewall/lublin.db\n"
    "  commit_ms: 250\n"
    "sensors: /etc/dronewall/sensors.yaml\n"
    "assessment:\n"
    "  home: pl\n"
    "  rules: /etc/dronewall/identification.yaml\n"
    "  geography: [/geo/countries.geojson, /geo/regions.geojson]\n"
    "scenario:\n"
    "  file: /srv/quick.yaml\n"
    "  speed: 4\n"
    "tracker:\n"
    "  report_s: 2\n"
    "  assoc: jpda\n"
    "stop_after_s: 3600\n"
    "inputs:\n"
    "  - kind: asterix_udp\n"
    "    name: radar-north\n"
    "    listen: 0.0.0.0:8600\n"
    "    group: 239.10.1.1\n"
    "    iface: 10.20.0.5\n"
    "    quiet_s: 20\n"
    "    max_frame: 65536\n"
    "  - kind: asterix_udp\n"
    "    listen: 0.0.0.0:8600\n"
    "    group: 239.10.1.2\n"
    "  - kind: beast_tcp\n"
    "    name: adsb-mast\n"
    "    connect: 10.20.0.40:30005\n"
    "    reconnect_s: 2\n"
    "  - kind: sbs_tcp\n"
    "    connect: localhost:30003\n"
    "  - kind: sapient_tcp\n"
    "    listen: 0.0.0.0:5020\n"
    "    max_clients: 32\n"
    "    quiet_s: 0\n"
    "  - {kind: cot_udp, listen: 0.0.0.0:6969, group: 239.2.3.1}\n"
    "  - kind: ndjson_tcp\n"
    "    listen: \"[::1]:7000\"\n"
    "outputs:\n"
    "  - kind: cot_tcp\n"
    "    name: tak-server\n"
    "    connect: tak.lublin.example:8087\n"
    "    period_s: 2\n"
    "    alerts: false\n"
    "  - kind: cot_udp\n"
    "    hostile_only: true\n"
    "    ttl: 2\n"
    "  - kind: asterix_udp\n"
    "    connect: 239.1.9.1:8600\n"
    "    sac: 10\n"
    "    sic: 7\n"
    "  - kind: ndjson_tcp\n"
    "    listen: 127.0.0.1:7001\n";

static void check_site(const dw_run_config *c)
{
    assert_string_equal(c->node_id, "pl-lublin-1");
    assert_string_equal(c->http_listen, "0.0.0.0:8080");
    assert_string_equal(c->web_root, "/usr/share/dronewall/web");
    assert_string_equal(c->token_file, "/etc/dronewall/token");
    assert_int_equal(c->http_max_clients, 256);
    assert_near(c->ws_period_s, 0.25, 0);
    assert_string_equal(c->record_path, "/var/lib/dronewall/lublin.db");
    assert_int_equal(c->record_commit_ms, 250);
    assert_string_equal(c->sensors_file, "/etc/dronewall/sensors.yaml");
    assert_string_equal(c->home, "PL");
    assert_string_equal(c->rules_file, "/etc/dronewall/identification.yaml");
    assert_int_equal(c->n_geo_files, 2);
    assert_string_equal(c->geo_files[0], "/geo/countries.geojson");
    assert_string_equal(c->geo_files[1], "/geo/regions.geojson");
    assert_string_equal(c->scenario, "/srv/quick.yaml");
    assert_near(c->speed, 4, 0);
    assert_near(c->report_s, 2, 0);
    assert_string_equal(c->assoc, "jpda");
    assert_near(c->stop_after_s, 3600, 0);

    assert_int_equal(c->n_inputs, 7);
    const dw_run_input *in = c->inputs;
    assert_int_equal(in[0].kind, DW_IN_ASTERIX_UDP);
    assert_string_equal(in[0].name, "radar-north");
    assert_string_equal(in[0].listen, "0.0.0.0:8600");
    assert_string_equal(in[0].connect, "");
    assert_string_equal(in[0].group, "239.10.1.1");
    assert_string_equal(in[0].iface, "10.20.0.5");
    assert_near(in[0].quiet_s, 20, 0);
    assert_int_equal(in[0].max_frame, 65536);
    assert_string_equal(in[1].name, "asterix_udp-1");
    assert_string_equal(in[1].group, "239.10.1.2");
    assert_string_equal(in[1].iface, "");
    assert_near(in[1].quiet_s, 30, 0);
    assert_int_equal(in[1].max_frame, 1048576);
    assert_int_equal(in[2].kind, DW_IN_BEAST_TCP);
    assert_string_equal(in[2].name, "adsb-mast");
    assert_string_equal(in[2].connect, "10.20.0.40:30005");
    assert_string_equal(in[2].listen, "");
    assert_near(in[2].reconnect_s, 2, 0);
    assert_int_equal(in[3].kind, DW_IN_SBS_TCP);
    assert_string_equal(in[3].name, "sbs_tcp-3");
    assert_string_equal(in[3].connect, "localhost:30003");
    assert_near(in[3].reconnect_s, 1, 0);
    assert_int_equal(in[4].kind, DW_IN_SAPIENT_TCP);
    assert_string_equal(in[4].listen, "0.0.0.0:5020");
    assert_int_equal(in[4].max_clients, 32);
    assert_near(in[4].quiet_s, 0, 0);
    assert_int_equal(in[5].kind, DW_IN_COT_UDP);
    assert_string_equal(in[5].listen, "0.0.0.0:6969");
    assert_string_equal(in[5].group, "239.2.3.1");
    assert_int_equal(in[6].kind, DW_IN_NDJSON_TCP);
    assert_string_equal(in[6].listen, "[::1]:7000");
    assert_int_equal(in[6].max_clients, 64);

    assert_int_equal(c->n_outputs, 4);
    const dw_run_output *out = c->outputs;
    assert_int_equal(out[0].kind, DW_OUT_COT_TCP);
    assert_string_equal(out[0].name, "tak-server");
    assert_string_equal(out[0].connect, "tak.lublin.example:8087");
    assert_near(out[0].period_s, 2, 0);
    assert_int_equal(out[0].alerts, 0);
    assert_int_equal(out[0].hostile_only, 0);
    assert_int_equal(out[1].kind, DW_OUT_COT_UDP);
    assert_string_equal(out[1].name, "cot_udp-1");
    assert_string_equal(out[1].connect, "239.2.3.1:6969");
    assert_int_equal(out[1].hostile_only, 1);
    assert_int_equal(out[1].ttl, 2);
    assert_int_equal(out[1].alerts, 1);
    assert_near(out[1].period_s, 1, 0);
    assert_int_equal(out[2].kind, DW_OUT_ASTERIX_UDP);
    assert_string_equal(out[2].connect, "239.1.9.1:8600");
    assert_int_equal(out[2].sac, 10);
    assert_int_equal(out[2].sic, 7);
    assert_int_equal(out[2].ttl, 1);
    assert_int_equal(out[3].kind, DW_OUT_NDJSON_TCP);
    assert_string_equal(out[3].listen, "127.0.0.1:7001");
    assert_string_equal(out[3].connect, "");
}

static void full_example_parses(void **state)
{
    (void)state;
    dw_run_config c;
    char err[512] = "";
    dw_run_config_default(&c);
    dw_status st = load_text(&c, "site.yaml", site_yaml, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    check_site(&c);
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_OK);

    /* From a file on disk, too. */
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/site.yaml", dir);
    write_file(path, site_yaml);
    dw_run_config d;
    dw_run_config_default(&d);
    assert_int_equal(dw_run_config_load(&d, path, err, sizeof err), DW_OK);
    assert_memory_equal(&c, &d, sizeof c);
    remove(path);
    rmdir(dir);
}

/* The effective config as JSON, read back as a JSON config file, is the same config. */
static void json_round_trip(void **state)
{
    (void)state;
    dw_run_config c, d;
    char err[512] = "";
    dw_run_config_default(&c);
    assert_int_equal(load_text(&c, "site.yaml", site_yaml, err, sizeof err), DW_OK);
    char *j = dw_run_config_json(&c);
    assert_non_null(j);
    assert_null(strchr(j, '\n'));
    assert_non_null(strstr(j, "{\"node\":{\"id\":\"pl-lublin-1\",\"owner\":\"\"},\"http\":{\"listen\":\"0.0.0.0:8080\","));
    assert_non_null(strstr(j, "\"inputs\":[{\"kind\":\"asterix_udp\",\"name\":\"radar-north\","
                              "\"listen\":\"0.0.0.0:8600\",\"group\":\"239.10.1.1\","
                              "\"iface\":\"10.20.0.5\",\"quiet_s\":20,\"max_frame\":65536}"));
    /* An entry carries the keys of its kind only. */
    assert_non_null(strstr(j, "{\"kind\":\"cot_udp\",\"name\":\"cot_udp-1\",\"connect\":"
                              "\"239.2.3.1:6969\",\"period_s\":1,\"hostile_only\":true,\"ttl\":2,"
                              "\"alerts\":true}"));
    dw_run_config_default(&d);
    dw_status st = load_text(&d, "effective.json", j, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n%s\n", err, j);
    assert_int_equal(st, DW_OK);
    assert_memory_equal(&c, &d, sizeof c);
    free(j);

    /* The defaults too, from a changed config: every key is written. */
    dw_run_config_default(&c);
    j = dw_run_config_json(&c);
    assert_non_null(j);
    assert_string_equal(j, "{\"node\":{\"id\":\"dronewall\",\"owner\":\"\"},\"http\":{\"listen\":"
                           "\"127.0.0.1:8080\",\"web_root\":\"\",\"token_file\":\"\",\"max_clients\":512,"
                           "\"ws_period_s\":0.025},\"record\":{\"path\":\"./dronewall.db\","
                           "\"commit_ms\":500},\"sensors\":\"\",\"assessment\":{\"home\":\"\","
                           "\"rules\":\"\",\"geography\":[]},\"scenario\":{\"file\":\"\","
                           "\"speed\":1,\"owners\":\"\",\"begin_at\":0},\"tracker\":{\"report_s\":1,"
                           "\"assoc\":\"\"},\"response\":{\"effectors\":\"\",\"period_s\":10},"
                           "\"federation\":{\"servers\":\"\",\"user\":\"\",\"password_file\":\"\","
                           "\"tls_ca\":\"\",\"tls_cert\":\"\",\"tls_key\":\"\",\"replicas\":1,"
                           "\"max_age_s\":86400,\"buffer_max\":100000,\"max_speed_mps\":1000},"
                           "\"stop_after_s\":0,\"inputs\":[],\"outputs\":[]}");
    assert_int_equal(load_text(&d, "effective.json", j, err, sizeof err), DW_OK);
    assert_memory_equal(&c, &d, sizeof c);
    free(j);
}

/* A file sets what it names; lists replace the held ones, the rest keeps its value. */
static void load_on_top(void **state)
{
    (void)state;
    dw_run_config c;
    char err[512] = "";
    dw_run_config_default(&c);
    assert_int_equal(load_text(&c, "site.yaml", site_yaml, err, sizeof err), DW_OK);
    assert_int_equal(load_text(&c, "more.yaml",
                               "http: {listen: 127.0.0.1:9000}\n"
                               "inputs:\n  - {kind: sbs_tcp, connect: 10.0.0.1:30003}\n"
                               "outputs: []\n",
                               err, sizeof err),
                     DW_OK);
    assert_string_equal(c.http_listen, "127.0.0.1:9000");
    assert_string_equal(c.node_id, "pl-lublin-1");
    assert_int_equal(c.http_max_clients, 256);
    assert_int_equal(c.n_geo_files, 2);
    assert_int_equal(c.n_inputs, 1);
    assert_string_equal(c.inputs[0].name, "sbs_tcp-0");
    assert_int_equal(c.n_outputs, 0);
    /* inputs: with nothing is no inputs. */
    assert_int_equal(load_text(&c, "more.yaml", "inputs:\n", err, sizeof err), DW_OK);
    assert_int_equal(c.n_inputs, 0);
    /* A section with every key commented out is nothing. */
    assert_int_equal(load_text(&c, "more.yaml", "node:\n  # id: x\nhttp:\n", err, sizeof err), DW_OK);
    assert_string_equal(c.node_id, "pl-lublin-1");
}

/* ------------------------------------------------------------------ errors */

typedef struct bad_case {
    const char *name, *text, *msg;
} bad_case;

static void expect_errors(const bad_case *cases, size_t n)
{
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        dw_run_config c, before;
        dw_run_config_default(&c);
        before = c;
        char err[700] = "";
        dw_status st = load_text(&c, cases[i].name, cases[i].text, err, sizeof err);
        if (st != DW_ERR_PARSE || strcmp(err, cases[i].msg)) {
            fprintf(stderr, "case %zu:\n%s\n  got (%s): %s\n  want: %s\n", i, cases[i].text,
                    dw_status_name(st), err, cases[i].msg);
            failed = 1;
        }
        if (memcmp(&c, &before, sizeof c)) {
            fprintf(stderr, "case %zu changed the config\n", i);
            failed = 1;
        }
    }
    assert_int_equal(failed, 0);
}

#define KINDS_IN "asterix_udp, beast_tcp, sbs_tcp, sapient_tcp, cot_udp, ndjson_tcp, nats"
#define KINDS_OUT "cot_tcp, cot_udp, asterix_udp, ndjson_tcp, nats"

static void errors_in_values(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"dronewall.yaml",
         "# site\n"
         "node:\n"
         "  id: lublin\n"
         "inputs:\n"
         "  - kind: asterix_udp\n"
         "    listen: 0.0.0.0:8600\n"
         "    group: 239.1.2.3\n"
         "  - kind: beast_tcp\n"
         "    connect: 127.0.0.1:30005\n"
         "  - kind: sapient_tcp\n"
         "    name: sapient\n"
         "    listen: 127.0.0.1\n",
         "dronewall.yaml:12: inputs[2].listen: expected HOST:PORT, got '127.0.0.1'"},
        {"t.yaml", "http:\n  max_clients: many\n",
         "t.yaml:2: http.max_clients: expected a whole number from 1 to 65536, got 'many'"},
        {"t.yaml", "http:\n  max_clients: 2.5\n",
         "t.yaml:2: http.max_clients: expected a whole number from 1 to 65536, got 2.5"},
        {"t.yaml", "http:\n  listen: 8080\n",
         "t.yaml:2: http.listen: expected HOST:PORT, got 8080"},
        {"t.yaml", "http:\n  listen:\n",
         "t.yaml:2: http.listen: expected HOST:PORT, got nothing"},
        {"t.yaml", "http:\n  listen: 0.0.0.0:70000\n",
         "t.yaml:2: http.listen: expected HOST:PORT with a port from 0 to 65535, got "
         "'0.0.0.0:70000'"},
        {"t.yaml", "http:\n  listen: 300.1.2.3:80\n",
         "t.yaml:2: http.listen: expected HOST:PORT, got '300.1.2.3:80' (no such address or host "
         "name: '300.1.2.3')"},
        {"t.yaml", "http:\n  listen: ::1:80\n",
         "t.yaml:2: http.listen: expected HOST:PORT, got '::1:80' (an IPv6 address goes in "
         "brackets: [::1]:8080)"},
        {"t.yaml", "tracker:\n  report_s: 0\n",
         "t.yaml:2: tracker.report_s: expected a number from 0.1 to 60, got 0"},
        {"t.yaml", "tracker:\n  assoc: mht\n",
         "t.yaml:2: tracker.assoc: expected gnn or jpda, got 'mht'"},
        {"t.yaml", "assessment:\n  home: POL\n",
         "t.yaml:2: assessment.home: expected a two-letter country code (like PL), got 'POL'"},
        {"t.yaml", "node:\n  id: \"lublin 1\"\n",
         "t.yaml:2: node.id: expected a name (letters, digits and . _ : -, at most 63), got "
         "'lublin 1'"},
        {"t.yaml", "outputs:\n  - kind: cot_udp\n    hostile_only: yes\n",
         "t.yaml:3: outputs[0].hostile_only: expected true or false, got 'yes'"},
        {"t.yaml", "inputs:\n  - kind: cot_udp\n    listen: 0.0.0.0:6969\n    group: 10.1.2.3\n",
         "t.yaml:4: inputs[0].group: expected an IPv4 multicast group (224.0.0.0 to "
         "239.255.255.255), got '10.1.2.3'"},
        {"t.yaml", "inputs:\n  - kind: cot_udp\n    listen: 0.0.0.0:6969\n    group: 239.2.3.1\n"
                   "    iface: eth0\n",
         "t.yaml:5: inputs[0].iface: expected an IPv4 address, got 'eth0'"},
        {"t.yaml", "inputs:\n  - kind: beast_tcp\n    connect: 10.0.0.1:0\n",
         "t.yaml:3: inputs[0].connect: expected HOST:PORT with a port from 1 to 65535, got "
         "'10.0.0.1:0'"},
        {"t.yaml", "assessment:\n  geography: [a, b, c, d, e, f, g, h, i]\n",
         "t.yaml:2: assessment.geography: expected at most 8 files, got 9"},
        {"t.yaml", "assessment:\n  geography:\n    - a.geojson\n    - 3\n",
         "t.yaml:4: assessment.geography[1]: expected a file name, got 3"},
        {"t.yaml", "record:\n  path: [a]\n",
         "t.yaml:2: record.path: expected a file name or off, got a list"},
        {"t.json", "{\"http\": {\"listen\": 8080}}",
         "t.json: http.listen: expected HOST:PORT, got 8080"},
    };
    expect_errors(cases, sizeof cases / sizeof cases[0]);
}

static void errors_in_keys(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"t.yaml", "node:\n  id: a\nhttp:\n  listn: 127.0.0.1:80\n",
         "t.yaml:4: http.listn: unknown key (did you mean http.listen?)"},
        {"t.yaml", "htpp:\n  listen: 127.0.0.1:80\n",
         "t.yaml:1: htpp: unknown key (did you mean http?)"},
        {"t.yaml", "listen: 127.0.0.1:80\n",
         "t.yaml:1: listen: unknown key (did you mean http.listen?)"},
        {"t.yaml", "\n\nfoo: 1\n",
         "t.yaml:3: foo: unknown key (known: node, http, record, sensors, assessment, scenario, "
         "tracker, response, federation, stop_after_s, inputs, outputs)"},
        {"t.yaml", "record:\n  commit: 5\n",
         "t.yaml:2: record.commit: unknown key (did you mean record.commit_ms?)"},
        {"t.yaml", "record:\n  zzz: 5\n",
         "t.yaml:2: record.zzz: unknown key (known: path, commit_ms)"},
        {"t.yaml", "http: 8080\n",
         "t.yaml:1: http: expected a mapping (keys: listen, web_root, token_file, max_clients, "
         "ws_period_s), got 8080"},
        {"t.yaml", "- a\n- b\n", "t.yaml:1: expected a mapping of keys, got a list"},
        {"t.yaml", "inputs:\n  - kind: asterix_udp\n    lisen: 0.0.0.0:1\n",
         "t.yaml:3: inputs[0].lisen: unknown key (did you mean inputs[0].listen?)"},
        {"t.yaml", "outputs:\n  - kind: cot_udp\n    colour: red\n",
         "t.yaml:3: outputs[0].colour: unknown key (known: kind, name, connect, listen, period_s, "
         "hostile_only, ttl, sac, sic, alerts, to, sensors, observations)"},
        {"t.yaml", "node:\n  id: a\nhttp.listen: 0.0.0.0:80\n",
         "t.yaml:3: http.listen: unknown key (a file nests its keys: write http: and listen: "
         "under it)"},
        {"t.yaml", "inputs: {kind: asterix_udp}\n",
         "t.yaml:1: inputs: expected a list of entries, got a mapping"},
    };
    expect_errors(cases, sizeof cases / sizeof cases[0]);
}

static void errors_in_entries(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"t.yaml", "inputs:\n  - kind: asterix\n    listen: 0.0.0.0:1\n",
         "t.yaml:2: inputs[0].kind: unknown kind 'asterix' (kinds: " KINDS_IN ")"},
        {"t.yaml", "outputs:\n  - kind: tak\n",
         "t.yaml:2: outputs[0].kind: unknown kind 'tak' (kinds: " KINDS_OUT ")"},
        {"t.yaml", "inputs:\n  - listen: 0.0.0.0:1\n",
         "t.yaml:2: inputs[0]: kind is required (kinds: " KINDS_IN ")"},
        {"t.yaml", "inputs:\n  - kind: 3\n",
         "t.yaml:2: inputs[0].kind: expected a kind (" KINDS_IN "), got 3"},
        {"t.yaml", "inputs: [3]\n",
         "t.yaml:1: inputs[0]: expected a mapping (kind: KIND and its keys), got 3"},
        {"t.yaml", "inputs:\n  - kind: beast_tcp\n    name: rx\n",
         "t.yaml:2: inputs[0]: beast_tcp is a client and needs connect (HOST:PORT)"},
        {"t.yaml", "inputs:\n  - kind: asterix_udp\n    group: 239.1.1.1\n",
         "t.yaml:2: inputs[0]: asterix_udp is a UDP receiver and needs listen (HOST:PORT)"},
        {"t.yaml",
         "inputs:\n  - kind: sbs_tcp\n    connect: 10.0.0.1:30003\n"
         "  - kind: beast_tcp\n    listen: 0.0.0.0:30005\n",
         "t.yaml:5: inputs[1]: beast_tcp is a client: use connect, not listen"},
        {"t.yaml", "inputs:\n  - kind: sapient_tcp\n    connect: 10.0.0.1:5020\n",
         "t.yaml:3: inputs[0]: sapient_tcp is a server: use listen, not connect"},
        {"t.yaml", "inputs:\n  - kind: asterix_udp\n    listen: 0.0.0.0:1\n    reconnect_s: 5\n",
         "t.yaml:4: inputs[0]: reconnect_s does not apply to asterix_udp (only to beast_tcp, "
         "sbs_tcp)"},
        {"t.yaml", "inputs:\n  - kind: ndjson_tcp\n    listen: 0.0.0.0:1\n    group: 239.1.1.1\n",
         "t.yaml:4: inputs[0]: group does not apply to ndjson_tcp (only to asterix_udp, cot_udp)"},
        {"t.yaml", "outputs:\n  - kind: cot_tcp\n",
         "t.yaml:2: outputs[0]: cot_tcp is a client and needs connect (HOST:PORT)"},
        {"t.yaml", "outputs:\n  - kind: ndjson_tcp\n    connect: 10.0.0.1:7000\n",
         "t.yaml:3: outputs[0]: ndjson_tcp is a server: use listen, not connect"},
        {"t.yaml", "outputs:\n  - kind: cot_udp\n    listen: 0.0.0.0:6969\n",
         "t.yaml:3: outputs[0]: cot_udp is a UDP sender: use connect, not listen"},
        {"t.yaml", "outputs:\n  - kind: cot_tcp\n    connect: tak:8087\n    sac: 1\n",
         "t.yaml:4: outputs[0]: sac does not apply to cot_tcp (only to asterix_udp)"},
        {"t.yaml", "inputs:\n  - kind: cot_udp\n    listen: 0.0.0.0:6969\n    iface: 10.0.0.1\n",
         "t.yaml:4: inputs[0]: iface is where group is joined, and there is no group"},
    };
    expect_errors(cases, sizeof cases / sizeof cases[0]);
}

static void errors_across_keys(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"t.yaml",
         "inputs:\n"
         "  - kind: sapient_tcp\n"
         "    listen: 0.0.0.0:5020\n"
         "  - kind: ndjson_tcp\n"
         "    listen: 0.0.0.0:5020\n",
         "t.yaml:5: inputs[1].listen: 0.0.0.0:5020 conflicts with inputs[0].listen (0.0.0.0:5020)"},
        {"t.yaml",
         "http:\n  listen: 0.0.0.0:8080\n"
         "outputs:\n  - kind: ndjson_tcp\n    listen: 127.0.0.1:8080\n",
         "t.yaml:5: outputs[0].listen: 127.0.0.1:8080 conflicts with http.listen (0.0.0.0:8080)"},
        {"t.yaml",
         "inputs:\n  - kind: ndjson_tcp\n    listen: localhost:8080\n",
         "t.yaml:3: inputs[0].listen: localhost:8080 conflicts with http.listen (127.0.0.1:8080)"},
        {"t.yaml",
         "inputs:\n"
         "  - kind: asterix_udp\n    listen: 0.0.0.0:8600\n    group: 239.1.1.1\n"
         "  - kind: cot_udp\n    listen: 10.0.0.1:8600\n    group: 239.1.1.1\n",
         "t.yaml:6: inputs[1].listen: 10.0.0.1:8600 conflicts with inputs[0].listen (0.0.0.0:8600)"},
        {"t.yaml",
         "inputs:\n"
         "  - kind: sbs_tcp\n    name: rx\n    connect: 10.0.0.1:30003\n"
         "  - kind: beast_tcp\n    name: rx\n    connect: 10.0.0.1:30005\n",
         "t.yaml:6: inputs[1].name: 'rx' is already the name of inputs[0]"},
        /* Federation: a bus for the nats entries, names that are tokens on it, one entry
         * per partner and per audience. */
        {"t.yaml", "inputs:\n  - kind: nats\n    from: UA\n",
         "t.yaml:2: inputs[0]: nats needs the bus: set federation.servers"},
        {"t.yaml", "outputs:\n  - {kind: nats, to: LT}\n",
         "t.yaml:2: outputs[0]: nats needs the bus: set federation.servers"},
        {"t.yaml", "federation: {servers: nats://127.0.0.1:4222}\ninputs:\n  - kind: nats\n",
         "t.yaml:3: inputs[0]: nats is a bus consumer and needs from (NODE)"},
        {"t.yaml", "federation: {servers: nats://127.0.0.1:4222}\noutputs:\n  - {kind: nats, to: L.T}\n",
         "t.yaml:3: outputs[0].to: expected a name of letters, digits, _ and - (at most 32), got 'L.T'"},
        {"t.yaml", "node: {id: pl.lublin}\nfederation: {servers: nats://127.0.0.1:4222}\n",
         "t.yaml:1: node.id: with federation.servers, expected a name of letters, digits, _ and - "
         "(it is a subject token and a stream name on the bus), got 'pl.lublin'"},
        {"t.yaml", "node: {id: PL}\nfederation: {servers: nats://127.0.0.1:4222}\n"
                   "inputs:\n  - {kind: nats, from: UA}\n  - {kind: nats, from: UA, name: again}\n",
         "t.yaml:5: inputs[1].from: UA is read by inputs[0] already"},
        {"t.yaml", "node: {id: PL}\nfederation: {servers: nats://127.0.0.1:4222}\n"
                   "inputs:\n  - {kind: nats, from: PL}\n",
         "t.yaml:4: inputs[0].from: 'PL' is this node (node.id)"},
        {"t.yaml", "node: {id: PL}\nfederation: {servers: nats://127.0.0.1:4222}\n"
                   "outputs:\n  - {kind: nats, to: LT}\n  - {kind: nats, to: LT, name: b}\n",
         "t.yaml:5: outputs[1].to: LT is released to by outputs[0] already"},
        {"t.yaml", "federation: {servers: \"nats://127.0.0.1:4222,127.0.0.1\"}\n",
         "t.yaml:1: federation.servers: expected server URLs like nats://HOST:PORT, comma-separated, "
         "got 'nats://127.0.0.1:4222,127.0.0.1' (at '127.0.0.1')"},
        {"t.yaml", "federation: {servers: nats://127.0.0.1:4222, tls_cert: c.pem}\n",
         "t.yaml:1: federation.tls_cert: a client certificate needs both federation.tls_cert and "
         "federation.tls_key"},
        {"t.yaml", "scenario: {owners: \"PL,,LT\"}\n",
         "t.yaml:1: scenario.owners: expected names of letters, digits, _ and -, comma-separated, "
         "got 'PL,,LT'"},
        {"t.yaml", "inputs:\n  - {kind: sbs_tcp, connect: 10.0.0.1:30003, from: UA}\n",
         "t.yaml:2: inputs[0]: from does not apply to sbs_tcp (only to nats)"},
    };
    expect_errors(cases, sizeof cases / sizeof cases[0]);

    /* A whole federated node. */
    {
        dw_run_config c;
        dw_run_config_default(&c);
        char err[512] = "";
        const char *y = "node: {id: PL-1, owner: PL}\n"
                        "federation: {servers: \"nats://127.0.0.1:4222,tls://127.0.0.1:4223\", "
                        "replicas: 3}\n"
                        "inputs:\n  - {kind: nats, from: UA, quiet_s: 120}\n"
                        "outputs:\n  - {kind: nats, to: LT, hostile_only: true}\n"
                        "  - {kind: nats, to: UA, observations: true}\n";
        dw_status st = load_text(&c, "fed.yaml", y, err, sizeof err);
        if (st != DW_OK)
            fprintf(stderr, "%s\n", err);
        assert_int_equal(st, DW_OK);
        assert_string_equal(c.node_owner, "PL");
        assert_int_equal(c.fed_replicas, 3);
        assert_string_equal(c.inputs[0].from, "UA");
        assert_string_equal(c.inputs[0].name, "nats-0");
        assert_true(c.inputs[0].quiet_s == 120);
        assert_string_equal(c.outputs[0].to, "LT");
        assert_true(c.outputs[0].hostile_only && c.outputs[0].alerts && c.outputs[0].sensors &&
                    !c.outputs[0].observations);
        assert_true(c.outputs[1].observations);
        assert_true(c.fed_max_speed_mps == 1000 && c.fed_buffer_max == 100000);
    }

    /* Too many inputs: the 33rd is refused at the list. */
    char text[4096] = "node: {id: a}\ninputs:\n";
    for (int i = 0; i <= DW_RUN_MAX_IO; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "  - {kind: sbs_tcp, connect: 10.0.0.1:%d}\n", 30000 + i);
    bad_case many = {"t.yaml", text, "t.yaml:2: inputs: at most 32 entries, got 33"};
    expect_errors(&many, 1);

    /* What is allowed: UDP on one port with different groups, TCP and UDP on one port, port 0. */
    dw_run_config c;
    char err[512] = "";
    dw_run_config_default(&c);
    dw_status st = load_text(&c, "ok.yaml",
                             "http: {listen: 127.0.0.1:0}\n"
                             "inputs:\n"
                             "  - {kind: asterix_udp, listen: 0.0.0.0:8600, group: 239.1.1.1}\n"
                             "  - {kind: asterix_udp, listen: 0.0.0.0:8600, group: 239.1.1.2}\n"
                             "  - {kind: ndjson_tcp, listen: 0.0.0.0:8600}\n"
                             "  - {kind: sapient_tcp, listen: 127.0.0.1:0}\n"
                             "  - {kind: sapient_tcp, listen: 127.0.0.1:5021}\n"
                             "  - {kind: sapient_tcp, listen: 127.0.0.2:5021}\n",
                             err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    assert_int_equal(c.n_inputs, 6);
}

/* dw_run_config_check on structs the caller filled (the daemon's own tests do). */
static void check_catches_struct_errors(void **state)
{
    (void)state;
    dw_run_config c;
    char err[512] = "";
    dw_run_config_default(&c);
    c.n_inputs = 1;
    c.inputs[0] = (dw_run_input){.kind = DW_IN_BEAST_TCP, .name = "rx", .quiet_s = 30,
                                 .reconnect_s = 1, .max_clients = 64, .max_frame = 4096};
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_ERR_INVALID);
    assert_string_equal(err, "inputs[0]: beast_tcp is a client and needs connect (HOST:PORT)");
    strcpy(c.inputs[0].connect, "10.0.0.1:30005");
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_OK);
    strcpy(c.inputs[0].listen, "0.0.0.0:1");
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_ERR_INVALID);
    assert_string_equal(err, "inputs[0]: beast_tcp is a client: use connect, not listen");
    c.inputs[0].listen[0] = '\0';
    c.inputs[0].max_frame = 10;
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_ERR_INVALID);
    assert_string_equal(err, "inputs[0].max_frame: expected a whole number from 256 to 67108864, "
                             "got 10");
    c.inputs[0].max_frame = 4096;
    c.inputs[0].kind = (dw_run_in_kind)9;
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_ERR_INVALID);
    assert_string_equal(err, "inputs[0].kind: unknown kind 9");
    c.inputs[0].kind = DW_IN_BEAST_TCP;
    c.inputs[0].name[0] = '\0';
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_ERR_INVALID);
    assert_string_equal(err, "inputs[0].name: expected a name (letters, digits and . _ : -, at most "
                             "63), got ''");
    strcpy(c.inputs[0].name, "rx");
    c.n_geo_files = 9;
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_ERR_INVALID);
    assert_string_equal(err, "assessment.geography: expected at most 8 files, got 9");
    c.n_geo_files = 0;
    c.ws_period_s = 0;
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_ERR_INVALID);
    assert_string_equal(err, "http.ws_period_s: expected a number from 0.005 to 10, got 0");
    c.ws_period_s = 0.1;
    strcpy(c.http_listen, "");
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_ERR_INVALID);
    assert_string_equal(err, "http.listen: expected HOST:PORT, got ''");
}

/* ------------------------------------------------------------------ --set */

static void set_scalars(void **state)
{
    (void)state;
    dw_run_config c;
    char err[512] = "";
    dw_run_config_default(&c);
    static const char *const ok[] = {
        "http.listen=127.0.0.1:9000", "record.path=off", "node.id=pl-2",
        "http.max_clients=1e3", "http.ws_period_s=.5", "assessment.home=ua",
        "assessment.geography=a.geojson,/b.geojson", "tracker.assoc=jpda", "stop_after_s=2.5",
        "sensors=rel/sensors.yaml", "http.token_file=",
        "inputs[0].kind=asterix_udp", "inputs[0].listen=0.0.0.0:8600", "inputs[0].quiet_s=10",
        "inputs[0].group=239.1.1.1", "inputs[0].kind=asterix_udp", "inputs[1].kind=sbs_tcp",
        "inputs[1].connect=host.example:30003", "inputs[1].name=rx",
        "outputs[0].kind=cot_udp", "outputs[0].hostile_only=true", "outputs[0].ttl=4",
        "scenario.file=scenarios/quick.yaml", "scenario.speed=10",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        dw_status st = dw_run_config_set(&c, ok[i], err, sizeof err);
        if (st != DW_OK)
            fprintf(stderr, "%s: %s\n", ok[i], err);
        assert_int_equal(st, DW_OK);
    }
    assert_string_equal(c.http_listen, "127.0.0.1:9000");
    assert_string_equal(c.record_path, "");
    assert_string_equal(c.node_id, "pl-2");
    assert_int_equal(c.http_max_clients, 1000);
    assert_near(c.ws_period_s, 0.5, 0);
    assert_string_equal(c.home, "UA");
    assert_int_equal(c.n_geo_files, 2);
    assert_string_equal(c.geo_files[0], "a.geojson");
    assert_string_equal(c.geo_files[1], "/b.geojson");
    assert_string_equal(c.assoc, "jpda");
    assert_near(c.stop_after_s, 2.5, 0);
    assert_string_equal(c.sensors_file, "rel/sensors.yaml");   /* --set: as given */
    assert_int_equal(c.n_inputs, 2);
    assert_int_equal(c.inputs[0].kind, DW_IN_ASTERIX_UDP);
    assert_string_equal(c.inputs[0].name, "asterix_udp-0");
    assert_string_equal(c.inputs[0].listen, "0.0.0.0:8600");
    assert_near(c.inputs[0].quiet_s, 10, 0);
    assert_string_equal(c.inputs[0].group, "239.1.1.1");
    assert_string_equal(c.inputs[1].name, "rx");
    assert_string_equal(c.inputs[1].connect, "host.example:30003");
    assert_int_equal(c.n_outputs, 1);
    assert_string_equal(c.outputs[0].connect, "239.2.3.1:6969");
    assert_int_equal(c.outputs[0].hostile_only, 1);
    assert_int_equal(c.outputs[0].ttl, 4);
    assert_string_equal(c.scenario, "scenarios/quick.yaml");
    assert_near(c.speed, 10, 0);
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_OK);
    /* An empty list, and back to a file. */
    assert_int_equal(dw_run_config_set(&c, "assessment.geography=", err, sizeof err), DW_OK);
    assert_int_equal(c.n_geo_files, 0);
    assert_int_equal(dw_run_config_set(&c, "record.path=x.db", err, sizeof err), DW_OK);
    assert_string_equal(c.record_path, "x.db");
}

static void set_errors(void **state)
{
    (void)state;
    static const struct {
        const char *set, *msg;
    } cases[] = {
        {"http.listen=127.0.0.1", "--set http.listen: expected HOST:PORT, got '127.0.0.1'"},
        {"http.listen", "--set http.listen: expected KEY=VALUE"},
        {"http.listn=127.0.0.1:80", "--set http.listn: unknown key (did you mean http.listen?)"},
        {"listen=127.0.0.1:80", "--set listen: unknown key (did you mean http.listen?)"},
        {"nothing.here=1", "--set nothing.here: unknown key (`dronewall run --help` lists them)"},
        {"http=1", "--set http: a section, not a key (keys: http.listen, http.web_root, "
                   "http.token_file, http.max_clients, http.ws_period_s)"},
        {"inputs=1", "--set inputs: a list: set its entries' keys (inputs[0].kind=KIND, then "
                     "inputs[0].KEY=VALUE)"},
        {"http.max_clients=lots",
         "--set http.max_clients: expected a whole number from 1 to 65536, got 'lots'"},
        {"http.max_clients=0x10",
         "--set http.max_clients: expected a whole number from 1 to 65536, got '0x10'"},
        {"http.ws_period_s=inf",
         "--set http.ws_period_s: expected a number from 0.005 to 10, got 'inf'"},
        {"outputs[0].hostile_only=true",
         "--set outputs[0].hostile_only: no outputs[0]: there are none (add one with --set "
         "outputs[0].kind=KIND)"},
        {"inputs[0].quiet_s=10",
         "--set inputs[0].quiet_s: no inputs[0]: there are none (add one with --set "
         "inputs[0].kind=KIND)"},
        {"inputs[2].kind=sbs_tcp",
         "--set inputs[2].kind: no inputs[2]: there are none (add one with --set "
         "inputs[0].kind=KIND)"},
        {"inputs[0].kind=radar",
         "--set inputs[0].kind: unknown kind 'radar' (kinds: " KINDS_IN ")"},
        {"inputs[x].kind=sbs_tcp", "--set inputs[x].kind: expected inputs[N].KEY=VALUE"},
        {"assessment.geography=a,,b", "--set assessment.geography[1]: expected a file name, got ''"},
        {"record.commit_ms=5", "--set record.commit_ms: expected a whole number from 10 to 60000, "
                               "got 5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dw_run_config c, before;
        dw_run_config_default(&c);
        before = c;
        char err[512] = "";
        assert_int_equal(dw_run_config_set(&c, cases[i].set, err, sizeof err), DW_ERR_PARSE);
        assert_string_equal(err, cases[i].msg);
        assert_memory_equal(&c, &before, sizeof c);
    }

    /* On an entry that is there. */
    static const struct {
        const char *set, *msg;
    } entry_cases[] = {
        {"inputs[0].kind=sbs_tcp",
         "--set inputs[0].kind: an entry's kind cannot be changed (inputs[0] is asterix_udp)"},
        {"inputs[0].connect=10.0.0.1:1",
         "--set inputs[0]: asterix_udp is a UDP receiver: use listen, not connect"},
        {"inputs[0].max_clients=3",
         "--set inputs[0]: max_clients does not apply to asterix_udp (only to sapient_tcp, "
         "ndjson_tcp)"},
        {"inputs[0].lisen=0.0.0.0:1",
         "--set inputs[0].lisen: unknown key (did you mean inputs[0].listen?)"},
        {"inputs[0].quiet_s=-1",
         "--set inputs[0].quiet_s: expected a number from 0 to 86400, got -1"},
        {"inputs[3].quiet_s=1",
         "--set inputs[3].quiet_s: no inputs[3]: there is 1 (add one with --set inputs[1].kind=KIND)"},
    };
    for (size_t i = 0; i < sizeof entry_cases / sizeof entry_cases[0]; i++) {
        dw_run_config c, before;
        char err[512] = "";
        dw_run_config_default(&c);
        assert_int_equal(dw_run_config_set(&c, "inputs[0].kind=asterix_udp", err, sizeof err), DW_OK);
        before = c;
        assert_int_equal(dw_run_config_set(&c, entry_cases[i].set, err, sizeof err), DW_ERR_PARSE);
        assert_string_equal(err, entry_cases[i].msg);
        assert_memory_equal(&c, &before, sizeof c);
    }

    /* At most 32 entries. */
    dw_run_config c;
    char err[512] = "", a[64];
    dw_run_config_default(&c);
    for (int i = 0; i < DW_RUN_MAX_IO; i++) {
        snprintf(a, sizeof a, "outputs[%d].kind=cot_udp", i);
        assert_int_equal(dw_run_config_set(&c, a, err, sizeof err), DW_OK);
    }
    assert_int_equal(dw_run_config_set(&c, "outputs[32].kind=cot_udp", err, sizeof err), DW_ERR_PARSE);
    assert_string_equal(err, "--set outputs[32].kind: at most 32 outputs");
    /* Those 32 all send to the mesh: fine, senders do not bind. */
    assert_int_equal(dw_run_config_check(&c, err, sizeof err), DW_OK);
}

/* ------------------------------------------------------------------ paths */

static void relative_paths_resolved(void **state)
{
    (void)state;
    const char *tmp = dw_test_tmpdir();
    assert_non_null(tmp);
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/etc", tmp);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/site.yaml", dir);
    write_file(path, "http:\n  web_root: web\n  token_file: ./secret/token\n"
                     "record:\n  path: ../var/site.db\n"
                     "sensors: sensors.yaml\n"
                     "assessment:\n  rules: /etc/dronewall/rules.yaml\n"
                     "  geography: [geo/a.geojson, /usr/share/b.geojson]\n"
                     "scenario: {file: ./}\n");
    dw_run_config c;
    char err[512] = "", want[700];
    dw_run_config_default(&c);
    assert_int_equal(dw_run_config_load(&c, path, err, sizeof err), DW_OK);
    snprintf(want, sizeof want, "%s/web", dir);
    assert_string_equal(c.web_root, want);
    snprintf(want, sizeof want, "%s/secret/token", dir);
    assert_string_equal(c.token_file, want);
    snprintf(want, sizeof want, "%s/../var/site.db", dir);
    assert_string_equal(c.record_path, want);
    snprintf(want, sizeof want, "%s/sensors.yaml", dir);
    assert_string_equal(c.sensors_file, want);
    assert_string_equal(c.rules_file, "/etc/dronewall/rules.yaml");
    snprintf(want, sizeof want, "%s/geo/a.geojson", dir);
    assert_string_equal(c.geo_files[0], want);
    assert_string_equal(c.geo_files[1], "/usr/share/b.geojson");
    assert_string_equal(c.scenario, dir);

    /* A file named without a directory: relative to the working directory, as written. */
    dw_run_config_default(&c);
    assert_int_equal(load_text(&c, "site.yaml", "sensors: ./s.yaml\nrecord: {path: r.db}\n", err,
                               sizeof err),
                     DW_OK);
    assert_string_equal(c.sensors_file, "./s.yaml");
    assert_string_equal(c.record_path, "r.db");
    /* "off" is no file; from the root directory, no double slash. */
    assert_int_equal(load_text(&c, "/site.yaml", "sensors: s.yaml\nrecord: {path: off}\n", err,
                               sizeof err),
                     DW_OK);
    assert_string_equal(c.sensors_file, "/s.yaml");
    assert_string_equal(c.record_path, "");

    /* Too long once resolved. */
    char text[700];
    snprintf(text, sizeof text, "sensors: %0500d.yaml\n", 0);
    assert_int_equal(load_text(&c, "/some/where/site.yaml", text, err, sizeof err), DW_ERR_PARSE);
    assert_non_null(strstr(err, "/some/where/site.yaml:1: sensors: expected a file name of at "
                                "most 511 characters once resolved against /some/where, got '"));
    remove(path);
    rmdir(dir);
    rmdir(tmp);
}

static void hostport_parse(void **state)
{
    (void)state;
    static const struct {
        const char *s, *host;
        int port;
    } ok[] = {
        {"127.0.0.1:8080", "127.0.0.1", 8080}, {"0.0.0.0:0", "0.0.0.0", 0},
        {"localhost:65535", "localhost", 65535}, {"tak.example.org:8087", "tak.example.org", 8087},
        {"[::1]:7000", "::1", 7000}, {"[::]:1", "::", 1}, {"readsb:30005", "readsb", 30005},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char host[64] = "";
        int port = -1;
        assert_int_equal(dw_hostport_parse(ok[i].s, host, sizeof host, &port, NULL, 0), DW_OK);
        assert_string_equal(host, ok[i].host);
        assert_int_equal(port, ok[i].port);
    }
    static const char *const bad[] = {"", ":80", "127.0.0.1", "127.0.0.1:", "1.2.3.4:65536",
                                      "1.2.3.4:-1", "1.2.3.4:+80", "1.2.3:80", "a b:80",
                                      "-host:80", "host-:80", "[::1]80", "[zz]:80", "::1:80",
                                      "1.2.3.4:123456", "h..x:1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char host[64] = "untouched", err[200] = "";
        int port = -7;
        assert_int_equal(dw_hostport_parse(bad[i], host, sizeof host, &port, err, sizeof err),
                         DW_ERR_PARSE);
        assert_string_equal(host, "untouched");
        assert_int_equal(port, -7);
        assert_int_equal(strncmp(err, "expected HOST:PORT", 18), 0);
    }
    char host[4], err[200];
    int port;
    assert_int_equal(dw_hostport_parse("abcd:1", host, sizeof host, &port, err, sizeof err),
                     DW_ERR_PARSE);
    assert_string_equal(err, "expected HOST:PORT, got 'abcd:1' (the host is too long)");
}

/* ------------------------------------------------------------------ generated documents */

/* The sample as printed, and with every "#key: value" line uncommented: both are the defaults. */
static void sample_round_trip(void **state)
{
    (void)state;
    char *s = capture(dw_run_config_sample);
    dw_run_config def, c;
    char err[512] = "";
    dw_run_config_default(&def);
    c = def;
    dw_status st = load_text(&c, "dronewall.yaml", s, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    assert_memory_equal(&c, &def, sizeof c);

    /* Uncomment: "  #listen: 127.0.0.1:8080" -> "  listen: 127.0.0.1:8080". */
    size_t n = strlen(s), keys = 0;
    char *u = malloc(n + 1);
    assert_non_null(u);
    size_t o = 0;
    for (const char *line = s; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        size_t ind = strspn(line, " ");
        if (line[ind] == '#' && line[ind + 1] >= 'a' && line[ind + 1] <= 'z') {
            memcpy(u + o, line, ind);
            memcpy(u + o + ind, line + ind + 1, len - ind - 1);
            o += len - 1;
            keys++;
        } else {
            memcpy(u + o, line, len);
            o += len;
        }
        line += len;
    }
    u[o] = '\0';
    assert_int_equal(keys, 34);    /* the 32 scalar keys, inputs and outputs */
    c = def;
    st = load_text(&c, "dronewall.yaml", u, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n%s\n", err, u);
    assert_int_equal(st, DW_OK);
    assert_memory_equal(&c, &def, sizeof c);
    free(u);
    free(s);
}

/* The examples of the sample ("#     - {kind: ...}") are valid entries, together. */
static void sample_examples_parse(void **state)
{
    (void)state;
    char *s = capture(dw_run_config_sample);
    char *doc = malloc(strlen(s) + 1);
    assert_non_null(doc);
    size_t o = 0;
    for (const char *line = s; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        if (!strncmp(line, "#   inputs:\n", 12) || !strncmp(line, "#   outputs:\n", 13) ||
            !strncmp(line, "#     - {", 9)) {
            memcpy(doc + o, line + 4, len - 4);
            o += len - 4;
        }
        line += len;
    }
    doc[o] = '\0';
    dw_run_config c;
    char err[512] = "";
    dw_run_config_default(&c);
    /* The nats examples need a bus and a node name that is a token on it. */
    assert_int_equal(dw_run_config_set(&c, "federation.servers=nats://127.0.0.1:4222", err,
                                       sizeof err), DW_OK);
    assert_int_equal(dw_run_config_set(&c, "node.id=PL", err, sizeof err), DW_OK);
    dw_status st = load_text(&c, "examples.yaml", doc, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n%s\n", err, doc);
    assert_int_equal(st, DW_OK);
    assert_int_equal(c.n_inputs, 7);     /* one of each kind */
    assert_int_equal(c.n_outputs, 5);
    for (size_t i = 0; i < c.n_inputs; i++)
        assert_int_equal(c.inputs[i].kind, (dw_run_in_kind)(i + 1));
    for (size_t i = 0; i < c.n_outputs; i++)
        assert_int_equal(c.outputs[i].kind, (dw_run_out_kind)(i + 1));
    free(doc);
    free(s);
}

/* Where a and b first differ, for the message. */
static void show_difference(const char *what, const char *a, const char *b)
{
    size_t line = 1, i = 0;
    while (a[i] && a[i] == b[i]) {
        line += a[i] == '\n';
        i++;
    }
    size_t start = i;
    while (start > 0 && a[start - 1] != '\n')
        start--;
    fprintf(stderr, "%s: first difference at line %zu:\n  file:      %.*s\n  generated: %.*s\n", what,
            line, (int)strcspn(a + start, "\n"), a + start, (int)strcspn(b + start, "\n"), b + start);
}

static void sample_file_is_current(void **state)
{
    (void)state;
    char *want = capture(dw_run_config_sample);
    char *have = dw_test_read_file(SAMPLE_FILE, NULL);
    if (strcmp(have, want)) {
        show_difference("config/dronewall.yaml", have, want);
        fprintf(stderr, "config/dronewall.yaml is not what dw_run_config_sample prints; regenerate "
                        "it with\n  build/tests/dw_tool_runcfg_sample > config/dronewall.yaml\n");
        fail();
    }
    /* And the committed sample, loaded as the file it is, gives the defaults. */
    dw_run_config def, c;
    char err[512] = "";
    dw_run_config_default(&def);
    c = def;
    assert_int_equal(dw_run_config_load(&c, SAMPLE_FILE, err, sizeof err), DW_OK);
    assert_memory_equal(&c, &def, sizeof c);
    free(have);
    free(want);
}

static void docs_table_is_current(void **state)
{
    (void)state;
    char *want = capture(dw_run_config_markdown);
    char *docs = dw_test_read_file(DOCS_FILE, NULL);
    const char *begin = "<!-- keys begin -->\n", *end = "<!-- keys end -->";
    char *b = strstr(docs, begin);
    assert_non_null(b);
    b += strlen(begin);
    char *e = strstr(b, end);
    assert_non_null(e);
    *e = '\0';
    if (strcmp(b, want)) {
        show_difference("docs/config.md", b, want);
        fprintf(stderr, "the key table of docs/config.md is not what dw_run_config_markdown "
                        "prints; regenerate it with\n  build/tests/dw_tool_runcfg_sample "
                        "--update-docs docs/config.md\n");
        fail();
    }
    free(docs);
    free(want);
}

/* The site example of docs/config.md (its first yaml block) is a valid config. */
static void docs_example_parses(void **state)
{
    (void)state;
    char *docs = dw_test_read_file(DOCS_FILE, NULL);
    char *b = strstr(docs, "```yaml\n");
    assert_non_null(b);
    b += 8;
    char *e = strstr(b, "```");
    assert_non_null(e);
    *e = '\0';
    dw_run_config c;
    char err[512] = "";
    dw_run_config_default(&c);
    dw_status st = load_text(&c, "site.yaml", b, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    assert_int_equal(c.n_inputs, 4);
    assert_int_equal(c.inputs[0].kind, DW_IN_ASTERIX_UDP);
    assert_int_equal(c.inputs[1].kind, DW_IN_ASTERIX_UDP);
    assert_int_equal(c.inputs[2].kind, DW_IN_BEAST_TCP);
    assert_int_equal(c.inputs[3].kind, DW_IN_SAPIENT_TCP);
    assert_int_equal(c.n_outputs, 2);
    assert_int_equal(c.outputs[0].kind, DW_OUT_COT_TCP);
    assert_int_equal(c.outputs[1].kind, DW_OUT_COT_UDP);
    assert_string_equal(c.outputs[1].connect, "239.2.3.1:6969");
    free(docs);
}

static void help_lists_every_key(void **state)
{
    (void)state;
    char *h = capture(dw_run_config_help);
    char *s = capture(dw_run_config_sample);
    size_t lines = 0;
    for (const char *p = h; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 32 + 11 + 13);
    /* "  http.listen  HOST:PORT  where the map and the API listen (127.0.0.1:8080)" */
    const char *l = strstr(h, "\n  http.listen ");
    assert_non_null(l);
    l += 3;
    size_t len = strcspn(l, "\n");
    char line[300];
    snprintf(line, sizeof line, "%.*s", (int)len, l);
    assert_non_null(strstr(line, " HOST:PORT "));
    const char *tail = "where the map and the API listen (127.0.0.1:8080)";
    assert_true(len > strlen(tail));
    assert_string_equal(line + len - strlen(tail), tail);
    assert_non_null(strstr(h, "  inputs[].reconnect_s "));
    assert_non_null(strstr(h, "first retry delay, doubling to 30 s (1) [beast_tcp, sbs_tcp]\n"));
    /* Every key of --help is in the sample. */
    for (const char *p = h; *p;) {
        char key[80];
        assert_int_equal(sscanf(p, " %79s", key), 1);
        const char *leaf = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
        char pat[100];
        snprintf(pat, sizeof pat, strchr(key, '[') ? "#   %s " : "#%s: ", leaf);
        if (!strstr(s, pat))
            fprintf(stderr, "%s is not in the sample\n", key);
        assert_non_null(strstr(s, pat));
        p = strchr(p, '\n') + 1;
    }
    free(h);
    free(s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(defaults_are_safe),
    cmocka_unit_test(kind_names),
    cmocka_unit_test(full_example_parses),
    cmocka_unit_test(json_round_trip),
    cmocka_unit_test(load_on_top),
    cmocka_unit_test(errors_in_values),
    cmocka_unit_test(errors_in_keys),
    cmocka_unit_test(errors_in_entries),
    cmocka_unit_test(errors_across_keys),
    cmocka_unit_test(check_catches_struct_errors),
    cmocka_unit_test(set_scalars),
    cmocka_unit_test(set_errors),
    cmocka_unit_test(relative_paths_resolved),
    cmocka_unit_test(hostport_parse),
    cmocka_unit_test(sample_round_trip),
    cmocka_unit_test(sample_examples_parse),
    cmocka_unit_test(sample_file_is_current),
    cmocka_unit_test(docs_table_is_current),
    cmocka_unit_test(docs_example_parses),
    cmocka_unit_test(help_lists_every_key),
};

DW_TEST_MAIN("runcfg", tests)

/* cmd_track.c — `dronewall track`: NDJSON observations in, NDJSON tracks out.
 *
 * A thin main over the track stage's pipeline (dronewall/pipeline.h), which
 * batches the observations (consecutive plots of one sensor within --window
 * seconds), runs the tracker and, every --report seconds of data time, hands
 * out the picture: one track record for every confirmed or coasting track,
 * predicted to that instant, and a "dead" record once for each track that was
 * dropped. This file reads the lines, writes the records and the summary. Bad
 * lines are counted and skipped by the reader; observations the tracker cannot
 * use yet are counted and reported at the end. With --geo, every track record is
 * assessed first (class, identity by --rules, alerts: dronewall/assess.h) and the
 * alerts and identity changes are written as NDJSON too.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "dronewall/assess.h"
#include "dronewall/geog.h"
#include "dronewall/log.h"
#include "dronewall/ndjson.h"
#include "dronewall/pipeline.h"
#include "dronewall/rules.h"
#include "dronewall/sensors_file.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: dronewall track --sensors FILE [options] [OBS.ndjson | -]\n"
        "\n"
        "Fuse NDJSON observations (docs/formats.md) into tracks, written as NDJSON.\n"
        "Reads standard input when no file (or '-') is given.\n"
        "\n"
        "  -s, --sensors FILE     sensor definitions, JSON or YAML (required)\n"
        "  -o, --out FILE         write tracks here (default: standard output)\n"
        "      --report S         write the picture every S seconds of data time (default 1)\n"
        "      --window S         plots of one sensor within S seconds form one batch (default 0.5)\n"
        "      --q Q              process noise, m^2/s^3 per axis (default 1)\n"
        "      --init-vel V       velocity sigma of a new track, m/s (default 80)\n"
        "      --gate G           Mahalanobis gate, d^2 (default 16.3: chi-square 99.9 %%, 3-D)\n"
        "      --confirm M/N      confirm after M hits in N batches (default 3/4)\n"
        "      --delete-misses K  drop a track after K batches without a hit (default 4)\n"
        "      --max-tracks N     track pool size (default 20000)\n"
        "      --max-coast S      drop a track not updated for S seconds (default 30)\n"
        "      --init-window S    bearings and cells of different sites within S seconds\n"
        "                         are combined into new tracks (default 10)\n"
        "      --min-cross DEG    two bearings must cross at more than DEG (default 10)\n"
        "      --prior-alt M      altitude assumed where nothing measures it: tracks from\n"
        "                         bearings without elevation, cells, POS2 (default 1000)\n"
        "      --prior-alt-sigma S  its sigma for tracks from bearings and cells (default 1000)\n"
        "      --pos2-alt-sigma S   its sigma for a track a POS2 report starts (default 1500)\n"
        "      --merge-after N    delete a confirmed track seen N times as another's duplicate\n"
        "                         (same plots, within 3 sigma, like velocity); 0: never (default 3)\n"
        "      --radar-bias on|off  estimate each radar's azimuth and range bias from its plots\n"
        "                         of ADS-B aircraft and take it off its plots (default on)\n"
        "      --imm on|off       a coordinated-turn model beside the constant-velocity one,\n"
        "                         mixed by an IMM (default off)\n"
        "      --imm-q Q          the turn model's horizontal process noise, m^2/s^3\n"
        "                         (default: --q)\n"
        "      --imm-q-turn Q     the turn rate's random walk, rad^2/s^3 (default 0.001)\n"
        "      --imm-turn-sigma W the turn rate's sigma where unknown, rad/s (default 0.1)\n"
        "      --imm-switch P/Q   chances per second of going into the turn model and\n"
        "                         back out (default 0.05/0.1)\n"
        "      --assoc gnn|jpda   association: global nearest neighbour, one plot per track\n"
        "                         (default), or joint probabilistic data association, each\n"
        "                         track taking the plots of its gate by their chances of\n"
        "                         being its own (for dense clutter; keyed, partner and\n"
        "                         bearing measurements keep GNN; docs/tracker.md)\n"
        "      --jpda-pd P        JPDA: detection chance of sensors that give none (0.9)\n"
        "      --jpda-clutter D   JPDA: false plots per unit volume of the measurement space\n"
        "                         per batch; 0: estimated per cluster (default 0)\n"
        "      --jpda-used U      JPDA: a plot whose chances sum to U starts no track (0.5)\n"
        "      --jpda-hit H       JPDA: a track counts a hit when its plots are its own\n"
        "                         with chance H (default 0.5)\n"
        "      --jpda-max-events N  JPDA: clusters with more joint events use GNN (10000)\n"
        "      --jpda-max-size N  JPDA: clusters with more tracks or plots use GNN (12)\n"
        "      --update ekf|ukf   the measurement update of radar plots, bearings and\n"
        "                         latitude/longitude reports: extended Kalman (default) or\n"
        "                         unscented (sigma points through the model, alpha 1, beta 2,\n"
        "                         kappa 0; docs/tracker.md)\n"
        "      --key-vel V        the fastest object followed, m/s: a track with one keyed\n"
        "                         report restarts with this velocity sigma when its second\n"
        "                         misses the gate; 0: two-point differencing (default 1000)\n"
        "      --partner-coast S  a track last updated by a partner's report may coast S\n"
        "                         seconds (default: --max-coast)\n"
        "      --citizen-coast S  the same after a citizen's report (default: --max-coast)\n"
        "      --polar-2d         use POLAR plots with neither elevation nor height (a 2-D\n"
        "                         radar's primary plots) as range and azimuth only\n"
        "      --geo FILE         assess the picture against this GeoJSON (borders, alert\n"
        "                         regions, protected sites; repeat for several files, e.g.\n"
        "                         data/geo/countries.geojson data/geo/regions.geojson\n"
        "                         scenarios/geo/pl-protected.geojson): each track is classified,\n"
        "                         identified and its alerts raised (docs/assessment.md)\n"
        "      --home CC          the defended country of the assessment (default PL)\n"
        "      --rules FILE       identification rules (e.g. config/identification.yaml)\n"
        "      --alerts FILE      write alerts and identity changes here (default: with\n"
        "                         the tracks)\n"
        "      --log SPEC         log levels, e.g. 'info' or 'warn,track=debug'\n"
        "  -h, --help             this text\n"
        "\n"
        "Observation kinds: POLAR (from a sensor of kind radar or aew in the sensors\n"
        "file, named by its id or wire_id; a plot without elevation is placed by its\n"
        "alt_m), POS3, BEARING (from an acoustic, rf or eo sensor of the file: its site),\n"
        "POS2 and CELL (a footprint: its centre, else the sensor's site, and radius_m,\n"
        "else the sensor's max range). ADS-B and Remote ID reports carry their identity\n"
        "(icao, rid); a partner's reports are fused by covariance intersection. A POLAR\n"
        "plot's range_rate_mps is used when it has a sigma (its own, else the sensor's\n"
        "sigma.range_rate_mps).\n");
}

/* Where the pipeline's reports go: NDJSON lines into one growing buffer. */
typedef struct out {
    FILE *f;
    const dw_pipeline *pl;
    char *line;
    size_t line_cap;
    uint64_t n_written, n_unwritable;
    dw_assess *as;              /* with --geo: tracks are assessed before written */
    FILE *af;                   /* where alerts and identity changes go */
    const dw_sensors_index *index;
    const dw_sensor *sensors;
    uint64_t n_alerts, n_identity;
    dw_status failed;
} out;

static void on_alert(void *ctx, const dw_alert *a)
{
    out *c = ctx;
    char buf[2048];
    size_t n = dw_alert_to_ndjson(a, buf, sizeof buf);
    if (!n) {
        fprintf(stderr, "dronewall track: alert %llu does not fit a line; left out\n",
                (unsigned long long)a->id);
        return;
    }
    fwrite(buf, 1, n, c->af);
    fputc('\n', c->af);
    c->n_alerts++;
}

static void on_identity(void *ctx, const dw_track *t, dw_affiliation from, dw_affiliation to,
                        const char *rule)
{
    out *c = ctx;
    fprintf(c->af,
            "{\"v\":1,\"type\":\"identity\",\"t_us\":%lld,\"track\":%llu,\"from\":\"%s\","
            "\"to\":\"%s\",\"class\":\"%s\",\"rule\":\"",
            (long long)t->t_us, (unsigned long long)t->id, dw_affiliation_name(from),
            dw_affiliation_name(to), dw_class_name(t->cls));
    for (const char *r = rule ? rule : ""; *r; r++) {
        if (*r == '"' || *r == '\\')
            fputc('\\', c->af);
        if ((unsigned char)*r >= 0x20)
            fputc(*r, c->af);
    }
    fputs("\"}\n", c->af);
    c->n_identity++;
}

/* What the sensors told of a track beyond its position: the kinds that reported it (a
 * radar's slot by its radar, the bearing slots by their kind) and its squawk. */
static void hints_of(const out *c, const dw_track *t, dw_class_hints *h)
{
    size_t nn = 0;
    const char *const *names = dw_pipeline_sensor_names(c->pl, &nn);
    dw_class_hints_of_track(t, names, nn, c->index, c->sensors, h);
}

static dw_status on_done(void *ctx, int64_t t_us)
{
    out *c = ctx;
    dw_status st = c->as ? dw_assess_advance(c->as, t_us) : DW_OK;
    return st != DW_OK ? st : c->failed;
}

static dw_status write_track(void *ctx, const dw_track *in)
{
    out *c = ctx;
    dw_track assessed;
    const dw_track *t = in;
    if (c->as) {
        assessed = *in;
        dw_class_hints h;
        hints_of(c, in, &h);
        dw_status st = dw_assess_track(c->as, &assessed, &h);
        if (st != DW_OK) {
            fprintf(stderr, "dronewall track: assessing track %llu: %s\n",
                    (unsigned long long)in->id, dw_status_str(st));
            return st;
        }
        t = &assessed;
    }
    size_t n_names;
    const char *const *names = dw_pipeline_sensor_names(c->pl, &n_names);
    char *end;
    for (;;) {
        dw_status st = dw_ndjson_write_track(c->line, c->line + c->line_cap, t, names, n_names, &end);
        if (st == DW_OK)
            break;
        if (st == DW_ERR_INVALID) {
            /* An estimate outside what the format allows (a clutter track
             * diving underground): counted and left out, never fatal. */
            if (c->n_unwritable++ == 0)
                fprintf(stderr, "dronewall track: track %llu at %.0f m altitude is outside the "
                                "track format's range; such reports are left out and counted\n",
                        (unsigned long long)t->id, t->alt_m);
            return DW_OK;
        }
        if (st != DW_ERR_FULL || c->line_cap > (1u << 24)) {
            fprintf(stderr, "dronewall track: cannot write track %llu: %s\n",
                    (unsigned long long)t->id, dw_status_str(st));
            return st;
        }
        char *nb = realloc(c->line, c->line_cap * 2);
        if (!nb)
            return DW_ERR_NOMEM;
        c->line = nb;
        c->line_cap *= 2;
    }
    fwrite(c->line, 1, (size_t)(end - c->line), c->f);
    c->n_written++;
    return DW_OK;
}

int cmd_track(int argc, char **argv)
{
    const char *sensors_path = NULL, *out_path = NULL, *rules_path = NULL, *alerts_path = NULL;
    const char *geo_paths[8];
    int n_geo = 0;
    char home[3] = "PL";
    double report_s = 1.0, window_s = 0.5, q = 1.0, init_vel = 80.0, gate = 16.3;
    int cm = 3, cn = 4, del = 4;
    long max_tracks = 20000;
    double max_coast = 30.0;
    double init_window = 10.0, min_cross = 10.0, prior_alt = 1000.0, prior_alt_sigma = 1000.0,
           pos2_alt_sigma = 1500.0;
    int polar_2d = 0;
    dw_pipeline_config def;
    dw_pipeline_config_default(&def);
    int imm = def.imm;
    double imm_q = def.imm_q, imm_q_turn = def.imm_q_turn, imm_turn_sigma = def.imm_turn_sigma,
           imm_p_turn = def.imm_p_turn, imm_p_straight = def.imm_p_straight,
           key_vel = def.key_vel_mps, partner_coast = (double)def.partner_coast_us * 1e-6,
           citizen_coast = (double)def.citizen_coast_us * 1e-6;
    enum { O_IMM = 256, O_IMM_Q, O_IMM_Q_TURN, O_IMM_TURN_SIGMA, O_IMM_SWITCH, O_KEY_VEL,
           O_PARTNER_COAST, O_CITIZEN_COAST, O_RADAR_BIAS, O_MERGE_AFTER, O_ASSOC, O_JPDA_PD,
           O_JPDA_CLUTTER, O_JPDA_USED, O_JPDA_HIT, O_JPDA_MAX_EVENTS, O_JPDA_MAX_SIZE, O_UPDATE,
           O_GEO, O_HOME, O_RULES, O_ALERTS };
    int assoc = def.assoc;
    double jpda_pd = def.jpda_pd, jpda_clutter = def.jpda_clutter, jpda_used = def.jpda_used,
           jpda_hit = def.jpda_hit;
    long jpda_max_events = def.jpda_max_events, jpda_max_size = def.jpda_max_size;
    int radar_bias = def.radar_bias;
    int update = def.update;
    long merge_after = def.merge_after;
    static const struct option opts[] = {
        {"sensors", required_argument, 0, 's'}, {"out", required_argument, 0, 'o'},
        {"report", required_argument, 0, 'R'},  {"window", required_argument, 0, 'W'},
        {"q", required_argument, 0, 'Q'},       {"init-vel", required_argument, 0, 'V'},
        {"gate", required_argument, 0, 'G'},    {"confirm", required_argument, 0, 'C'},
        {"delete-misses", required_argument, 0, 'D'},
        {"max-tracks", required_argument, 0, 'M'},
        {"max-coast", required_argument, 0, 'K'},
        {"init-window", required_argument, 0, 'I'},
        {"min-cross", required_argument, 0, 'X'},
        {"prior-alt", required_argument, 0, 'A'},
        {"prior-alt-sigma", required_argument, 0, 'Z'},
        {"pos2-alt-sigma", required_argument, 0, 'P'},
        {"polar-2d", no_argument, 0, '2'},
        {"imm", required_argument, 0, O_IMM},
        {"radar-bias", required_argument, 0, O_RADAR_BIAS},
        {"merge-after", required_argument, 0, O_MERGE_AFTER},
        {"imm-q", required_argument, 0, O_IMM_Q},
        {"imm-q-turn", required_argument, 0, O_IMM_Q_TURN},
        {"imm-turn-sigma", required_argument, 0, O_IMM_TURN_SIGMA},
        {"imm-switch", required_argument, 0, O_IMM_SWITCH},
        {"key-vel", required_argument, 0, O_KEY_VEL},
        {"partner-coast", required_argument, 0, O_PARTNER_COAST},
        {"citizen-coast", required_argument, 0, O_CITIZEN_COAST},
        {"assoc", required_argument, 0, O_ASSOC},
        {"jpda-pd", required_argument, 0, O_JPDA_PD},
        {"jpda-clutter", required_argument, 0, O_JPDA_CLUTTER},
        {"jpda-used", required_argument, 0, O_JPDA_USED},
        {"jpda-hit", required_argument, 0, O_JPDA_HIT},
        {"jpda-max-events", required_argument, 0, O_JPDA_MAX_EVENTS},
        {"jpda-max-size", required_argument, 0, O_JPDA_MAX_SIZE},
        {"update", required_argument, 0, O_UPDATE},
        {"geo", required_argument, 0, O_GEO},   {"home", required_argument, 0, O_HOME},
        {"rules", required_argument, 0, O_RULES},
        {"alerts", required_argument, 0, O_ALERTS},
        {"log", required_argument, 0, 'L'},     {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "s:o:h", opts, NULL)) != -1) {
        char *e = NULL;
        errno = 0;
        switch (o) {
        case 's': sensors_path = optarg; break;
        case O_GEO:
            if (n_geo == (int)(sizeof geo_paths / sizeof geo_paths[0])) {
                fprintf(stderr, "dronewall track: --geo at most %zu times\n",
                        sizeof geo_paths / sizeof geo_paths[0]);
                return 2;
            }
            geo_paths[n_geo++] = optarg;
            break;
        case O_HOME:
            if (strlen(optarg) != 2 || optarg[0] < 'A' || optarg[0] > 'Z' || optarg[1] < 'A' ||
                optarg[1] > 'Z') {
                fprintf(stderr, "dronewall track: --home wants a two-letter country code like PL\n");
                return 2;
            }
            memcpy(home, optarg, 3);
            break;
        case O_RULES: rules_path = optarg; break;
        case O_ALERTS: alerts_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'R': report_s = strtod(optarg, &e); break;
        case 'W': window_s = strtod(optarg, &e); break;
        case 'Q': q = strtod(optarg, &e); break;
        case 'V': init_vel = strtod(optarg, &e); break;
        case 'G': gate = strtod(optarg, &e); break;
        case 'D': del = (int)strtol(optarg, &e, 10); break;
        case 'M': max_tracks = strtol(optarg, &e, 10); break;
        case 'K': max_coast = strtod(optarg, &e); break;
        case 'I': init_window = strtod(optarg, &e); break;
        case 'X': min_cross = strtod(optarg, &e); break;
        case 'A': prior_alt = strtod(optarg, &e); break;
        case 'Z': prior_alt_sigma = strtod(optarg, &e); break;
        case 'P': pos2_alt_sigma = strtod(optarg, &e); break;
        case '2': polar_2d = 1; break;
        case O_MERGE_AFTER: merge_after = strtol(optarg, &e, 10); break;
        case O_RADAR_BIAS:
            if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
                fprintf(stderr, "dronewall track: --radar-bias wants on or off\n");
                return 2;
            }
            radar_bias = strcmp(optarg, "on") == 0;
            break;
        case O_IMM:
            if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
                fprintf(stderr, "dronewall track: --imm wants on or off\n");
                return 2;
            }
            imm = strcmp(optarg, "on") == 0;
            break;
        case O_ASSOC:
            if (strcmp(optarg, "gnn") && strcmp(optarg, "jpda")) {
                fprintf(stderr, "dronewall track: --assoc wants gnn or jpda\n");
                return 2;
            }
            assoc = strcmp(optarg, "jpda") == 0 ? DW_ASSOC_JPDA : DW_ASSOC_GNN;
            break;
        case O_UPDATE:
            if (strcmp(optarg, "ekf") && strcmp(optarg, "ukf")) {
                fprintf(stderr, "dronewall track: --update wants ekf or ukf\n");
                return 2;
            }
            update = strcmp(optarg, "ukf") == 0 ? DW_UPDATE_UKF : DW_UPDATE_EKF;
            break;
        case O_JPDA_PD: jpda_pd = strtod(optarg, &e); break;
        case O_JPDA_CLUTTER: jpda_clutter = strtod(optarg, &e); break;
        case O_JPDA_USED: jpda_used = strtod(optarg, &e); break;
        case O_JPDA_HIT: jpda_hit = strtod(optarg, &e); break;
        case O_JPDA_MAX_EVENTS: jpda_max_events = strtol(optarg, &e, 10); break;
        case O_JPDA_MAX_SIZE: jpda_max_size = strtol(optarg, &e, 10); break;
        case O_IMM_Q: imm_q = strtod(optarg, &e); break;
        case O_IMM_Q_TURN: imm_q_turn = strtod(optarg, &e); break;
        case O_IMM_TURN_SIGMA: imm_turn_sigma = strtod(optarg, &e); break;
        case O_IMM_SWITCH:
            if (sscanf(optarg, "%lf/%lf", &imm_p_turn, &imm_p_straight) != 2) {
                fprintf(stderr, "dronewall track: --imm-switch wants P/Q, e.g. 0.05/0.1\n");
                return 2;
            }
            break;
        case O_KEY_VEL: key_vel = strtod(optarg, &e); break;
        case O_PARTNER_COAST: partner_coast = strtod(optarg, &e); break;
        case O_CITIZEN_COAST: citizen_coast = strtod(optarg, &e); break;
        case 'C':
            if (sscanf(optarg, "%d/%d", &cm, &cn) != 2) {
                fprintf(stderr, "dronewall track: --confirm wants M/N, e.g. 3/4\n");
                return 2;
            }
            break;
        case 'L':
            if (dw_log_configure(optarg) != DW_OK) {
                fprintf(stderr, "dronewall track: bad --log '%s' (levels: off error warn info debug trace)\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (e && (*e || errno)) {
            fprintf(stderr, "dronewall track: '%s' is not a number\n", optarg);
            return 2;
        }
    }
    if (!sensors_path) {
        fprintf(stderr, "dronewall track: --sensors FILE is required\n");
        usage(stderr);
        return 2;
    }
    if (argc - optind > 1) {
        fprintf(stderr, "dronewall track: one input file at most\n");
        return 2;
    }
    if (!(report_s > 0) || !(window_s >= 0) || !(q > 0) || !(init_vel > 0) || !(gate > 0) ||
        max_tracks < 1 || !(max_coast > 0) || !(init_window > 0) || !(prior_alt_sigma > 0) ||
        !(pos2_alt_sigma > 0) || !isfinite(prior_alt)) {
        fprintf(stderr, "dronewall track: --report, --q, --init-vel, --gate, --max-tracks, "
                        "--max-coast, --init-window and the altitude sigmas must be positive\n");
        return 2;
    }
    if (!(imm_q >= 0) || !(imm_q_turn >= 0) || !(imm_turn_sigma >= 0) || !(imm_p_turn >= 0) ||
        !(imm_p_straight >= 0) || !(imm_p_turn + imm_p_straight < 1) || !(key_vel >= 0) ||
        !(partner_coast >= 0) || !(citizen_coast >= 0) || !isfinite(key_vel) ||
        !isfinite(partner_coast) || !isfinite(citizen_coast)) {
        fprintf(stderr, "dronewall track: the --imm settings, --key-vel and the coasts must not be "
                        "negative, and the two switching chances must sum below 1\n");
        return 2;
    }
    if (!(jpda_pd > 0 && jpda_pd <= 1) || !(jpda_clutter >= 0) || !isfinite(jpda_clutter) ||
        !(jpda_used >= 0 && jpda_used <= 1) || !(jpda_hit >= 0 && jpda_hit <= 1) ||
        jpda_max_events < 1 || jpda_max_events > 100000000 || jpda_max_size < 1 ||
        jpda_max_size > 64) {
        fprintf(stderr, "dronewall track: --jpda-pd wants (0, 1], --jpda-clutter a density not "
                        "negative, --jpda-used and --jpda-hit [0, 1], --jpda-max-events 1 to "
                        "100000000, --jpda-max-size 1 to 64\n");
        return 2;
    }
    if (!(min_cross >= 0 && min_cross < 90)) {
        fprintf(stderr, "dronewall track: --min-cross wants degrees in [0, 90)\n");
        return 2;
    }
    const char *in_path = optind < argc ? argv[optind] : "-";

    char err[512];
    int rc = 1;
    FILE *in = NULL;
    dw_ndjson_reader *rd = NULL;
    dw_pipeline *pl = NULL;
    dw_sensor *sensors = NULL;
    size_t n_sensors = 0;
    out w;
    memset(&w, 0, sizeof w);
    dw_geog *geo = NULL;
    dw_rules *rules = NULL;
    dw_sensors_index *index = NULL;

    if (merge_after < 0 || merge_after > 1000) {
        fprintf(stderr, "dronewall track: --merge-after wants 0 to 1000\n");
        return 2;
    }
    if (dw_sensors_load(sensors_path, &sensors, &n_sensors, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall track: %s\n", err);
        return 1;
    }
    dw_pipeline_config cfg;
    dw_pipeline_config_default(&cfg);
    cfg.q = q;
    cfg.init_vel_mps = init_vel;
    cfg.gate = gate;
    cfg.confirm_m = cm;
    cfg.confirm_n = cn;
    cfg.delete_misses = del;
    cfg.max_tracks = (size_t)max_tracks;
    cfg.max_coast_us = (int64_t)llround(max_coast * 1e6);
    cfg.window_us = (int64_t)llround(window_s * 1e6);
    cfg.report_us = (int64_t)llround(report_s * 1e6);
    cfg.init_window_us = (int64_t)llround(init_window * 1e6);
    cfg.init_min_cross_rad = min_cross * M_PI / 180.0;
    cfg.prior_alt_m = prior_alt;
    cfg.prior_alt_sigma_m = prior_alt_sigma;
    cfg.pos2_alt_sigma_m = pos2_alt_sigma;
    cfg.polar_2d = polar_2d;
    cfg.imm = imm;
    cfg.radar_bias = radar_bias;
    cfg.merge_after = (int)merge_after;
    cfg.imm_q = imm_q;
    cfg.imm_q_turn = imm_q_turn;
    cfg.imm_turn_sigma = imm_turn_sigma;
    cfg.imm_p_turn = imm_p_turn;
    cfg.imm_p_straight = imm_p_straight;
    cfg.key_vel_mps = key_vel;
    cfg.partner_coast_us = (int64_t)llround(partner_coast * 1e6);
    cfg.citizen_coast_us = (int64_t)llround(citizen_coast * 1e6);
    cfg.assoc = assoc;
    cfg.jpda_pd = jpda_pd;
    cfg.jpda_clutter = jpda_clutter;
    cfg.jpda_used = jpda_used;
    cfg.jpda_hit = jpda_hit;
    cfg.jpda_max_events = (int)jpda_max_events;
    cfg.jpda_max_size = (int)jpda_max_size;
    cfg.update = update;
    if ((rules_path || alerts_path) && !n_geo) {
        fprintf(stderr, "dronewall track: --rules and --alerts need --geo (what to assess against)\n");
        goto done;
    }
    if (n_geo) {
        if (dw_geog_create(&geo) != DW_OK) {
            fprintf(stderr, "dronewall track: out of memory\n");
            goto done;
        }
        for (int i = 0; i < n_geo; i++)
            if (dw_geog_load(geo, geo_paths[i], err, sizeof err) != DW_OK) {
                fprintf(stderr, "dronewall track: %s\n", err);
                goto done;
            }
        if (rules_path && dw_rules_load(rules_path, geo, &rules, err, sizeof err) != DW_OK) {
            fprintf(stderr, "dronewall track: %s\n", err);
            goto done;
        }
        dw_assess_config ac;
        dw_assess_config_default(&ac);
        ac.geo = geo;
        ac.rules = rules;
        memcpy(ac.home, home, sizeof ac.home);
        const dw_assess_sink as = {on_alert, on_identity, &w};
        if (dw_assess_create(&ac, &as, &w.as, err, sizeof err) != DW_OK) {
            fprintf(stderr, "dronewall track: %s\n", err);
            goto done;
        }
        if (dw_sensors_index_create(sensors, n_sensors, &index, err, sizeof err) != DW_OK) {
            fprintf(stderr, "dronewall track: %s\n", err);
            goto done;
        }
        w.index = index;
        w.sensors = sensors;
    }
    const dw_pipeline_sink sink = {.report = write_track, .report_done = on_done,
                                   .dead = write_track, .ctx = &w};
    if (dw_pipeline_create(sensors, n_sensors, &cfg, &sink, &pl, err, sizeof err) != DW_OK) {
        fprintf(stderr, "dronewall track: %s\n", err);
        goto done;
    }
    w.pl = pl;
    w.line_cap = 4096;
    w.line = malloc(w.line_cap);
    if (!w.line) {
        fprintf(stderr, "dronewall track: out of memory\n");
        goto done;
    }

    in = strcmp(in_path, "-") ? fopen(in_path, "r") : stdin;
    if (!in) {
        fprintf(stderr, "dronewall track: %s: %s\n", in_path, strerror(errno));
        goto done;
    }
    w.f = out_path ? fopen(out_path, "w") : stdout;
    if (!w.f) {
        fprintf(stderr, "dronewall track: %s: %s\n", out_path, strerror(errno));
        goto done;
    }
    w.af = alerts_path ? fopen(alerts_path, "w") : w.f;
    if (!w.af) {
        fprintf(stderr, "dronewall track: %s: %s\n", alerts_path, strerror(errno));
        goto done;
    }
    if (dw_ndjson_reader_create(in, in_path, &rd) != DW_OK) {
        fprintf(stderr, "dronewall track: out of memory\n");
        goto done;
    }

    uint64_t n_other = 0;
    dw_pipeline_stats ps;
    dw_record rec;
    dw_status st;
    for (;;) {
        st = dw_ndjson_next(rd, &rec);
        if (st == DW_ERR_EOF)
            break;
        if (st != DW_OK) {
            fprintf(stderr, "dronewall track: %s: read error\n", in_path);
            goto done;
        }
        if (rec.type != DW_REC_OBS) {
            n_other++;
            continue;
        }
        const dw_obs *ob = &rec.u.obs;
        uint64_t unknown_before = 0;
        if (ob->kind == DW_OBS_POLAR && DW_LOG_ON(DW_LOG_APP, DW_LOG_WARN)) {
            dw_pipeline_get_stats(pl, &ps);
            unknown_before = ps.unknown_sensor;
        }
        if ((st = dw_pipeline_obs(pl, ob)) != DW_OK) {
            fprintf(stderr, "dronewall track: %s\n", dw_status_str(st));
            goto done;
        }
        if (ob->kind == DW_OBS_POLAR && DW_LOG_ON(DW_LOG_APP, DW_LOG_WARN)) {
            dw_pipeline_get_stats(pl, &ps);
            if (ps.unknown_sensor != unknown_before)
                DW_LOG(DW_LOG_APP, DW_LOG_WARN, "%s:%llu: POLAR from '%s', which is no radar in %s",
                       in_path, (unsigned long long)rec.line, ob->sensor, sensors_path);
        }
    }
    if ((st = dw_pipeline_finish(pl, INT64_MIN)) != DW_OK) {
        fprintf(stderr, "dronewall track: %s\n", dw_status_str(st));
        goto done;
    }
    if (fflush(w.f) != 0 || ferror(w.f)) {
        fprintf(stderr, "dronewall track: writing tracks failed\n");
        goto done;
    }

    dw_ndjson_stats ns;
    dw_ndjson_get_stats(rd, &ns);
    dw_pipeline_get_stats(pl, &ps);
    fprintf(stderr,
            "dronewall track: %llu lines, %llu bad, %llu observations (%llu used, %llu unusable, "
            "%llu from unknown sensors, %llu out of order), %llu other records; "
            "%llu batches, %llu tracks confirmed, %llu dropped; %llu track records written, "
            "%llu left out\n",
            (unsigned long long)ns.lines, (unsigned long long)ns.bad, (unsigned long long)ps.obs,
            (unsigned long long)ps.used, (unsigned long long)ps.unsupported,
            (unsigned long long)ps.unknown_sensor, (unsigned long long)ps.late,
            (unsigned long long)n_other, (unsigned long long)ps.tracker.batches,
            (unsigned long long)ps.tracker.confirmed, (unsigned long long)ps.dead,
            (unsigned long long)w.n_written, (unsigned long long)w.n_unwritable);
    if (ps.used_kind[DW_OBS_BEARING] || ps.used_kind[DW_OBS_POS2] || ps.used_kind[DW_OBS_CELL] ||
        ps.keyed)
        fprintf(stderr, "dronewall track: used %llu POLAR, %llu POS3, %llu POS2, %llu BEARING, "
                        "%llu CELL; %llu with an identity (%llu cooperative); %llu tracks started "
                        "from %llu bearing and cell fixes (%llu fell on a track)\n",
                (unsigned long long)ps.used_kind[DW_OBS_POLAR],
                (unsigned long long)ps.used_kind[DW_OBS_POS3],
                (unsigned long long)ps.used_kind[DW_OBS_POS2],
                (unsigned long long)ps.used_kind[DW_OBS_BEARING],
                (unsigned long long)ps.used_kind[DW_OBS_CELL], (unsigned long long)ps.keyed,
                (unsigned long long)ps.coop, (unsigned long long)ps.init_started,
                (unsigned long long)ps.init_fixes, (unsigned long long)ps.init_explained);
    if (ps.keyed)
        fprintf(stderr, "dronewall track: identity keys: %llu jumps, %llu reports held before a "
                        "jump, %llu plots refused by a cooperative track, %llu restarts of a "
                        "track by its second report\n",
                (unsigned long long)ps.tracker.key_jumps, (unsigned long long)ps.tracker.key_held,
                (unsigned long long)ps.tracker.key_refused, (unsigned long long)ps.tracker.two_point);
    if (cfg.assoc == DW_ASSOC_JPDA)
        fprintf(stderr, "dronewall track: JPDA: %llu clusters (%llu joint events), %llu PDA "
                        "updates; %llu clusters over the caps and %llu with keyed, partner or "
                        "own-site measurements solved by GNN\n",
                (unsigned long long)ps.tracker.jpda_clusters,
                (unsigned long long)ps.tracker.jpda_events,
                (unsigned long long)ps.tracker.jpda_updates,
                (unsigned long long)ps.tracker.jpda_over_cap,
                (unsigned long long)ps.tracker.jpda_gnn_kept);
    if (cfg.update == DW_UPDATE_UKF)
        fprintf(stderr, "dronewall track: UKF: %llu unscented updates, %llu fell back to the EKF\n",
                (unsigned long long)ps.tracker.ukf_updates,
                (unsigned long long)ps.tracker.ukf_fallbacks);
    if (w.as) {
        dw_assess_stats as;
        dw_assess_get_stats(w.as, &as);
        fprintf(stderr, "dronewall track: assessed %llu track updates: %llu alerts raised, %llu "
                        "updated, %llu cleared; %llu identity changes\n",
                (unsigned long long)as.updates, (unsigned long long)as.alerts_raised,
                (unsigned long long)as.alerts_updated, (unsigned long long)as.alerts_cleared,
                (unsigned long long)as.identity_changes);
    }
    if (ps.polar_rr)
        fprintf(stderr, "dronewall track: %llu POLAR plots filtered with their range rate\n",
                (unsigned long long)ps.polar_rr);
    if (ps.polar_no_el)
        fprintf(stderr, "dronewall track: %llu POLAR plots without elevation or height used as "
                        "range and azimuth\n", (unsigned long long)ps.polar_no_el);
    if (ps.el_from_alt)
        fprintf(stderr, "dronewall track: %llu POLAR plots without elevation placed by their "
                        "height\n", (unsigned long long)ps.el_from_alt);
    if (ns.bad)
        fprintf(stderr, "dronewall track: last bad line: %s\n", dw_ndjson_last_error(rd));
    rc = 0;
done:
    dw_ndjson_reader_destroy(rd);
    if (in && in != stdin)
        fclose(in);
    if (w.af && w.af != w.f && fclose(w.af) != 0 && rc == 0) {
        fprintf(stderr, "dronewall track: writing %s failed\n", alerts_path);
        rc = 1;
    }
    if (w.f && w.f != stdout && fclose(w.f) != 0 && rc == 0) {
        fprintf(stderr, "dronewall track: writing %s failed\n", out_path);
        rc = 1;
    }
    dw_pipeline_destroy(pl);
    dw_assess_destroy(w.as);
    dw_rules_destroy(rules);
    dw_geog_destroy(geo);
    dw_sensors_index_destroy(index);
    free(sensors);
    free(w.line);
    return rc;
}

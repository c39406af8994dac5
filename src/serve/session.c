/* session.c — what a recording must hold to build the same engine again: the sensors, the
 * tracker's settings, the geography and rules files and the home country, as one JSON
 * object (the session row's config). The daemon builds its own engine from this text too,
 * not from the values it was made of, so that a replay starts from exactly the same place.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dronewall/jsonw.h"
#include "dronewall/sensors_file.h"
#include "serve/session.h"

/* The tracker's settings, each once: double, int, int64 and size_t fields. */
#define PIPELINE_FIELDS(D, I, L, Z)                                                           \
    D(q) D(q_vertical) I(merge_after) D(init_vel_mps) D(gate) I(confirm_m) I(confirm_n)     \
    I(delete_misses) Z(max_tracks) L(max_coast_us) L(window_us) L(report_us) D(prior_alt_m) \
    D(prior_alt_sigma_m) D(pos2_alt_sigma_m) L(init_window_us) D(init_min_cross_rad) I(imm) \
    D(imm_q) D(imm_q_turn) D(imm_turn_sigma) D(imm_p_turn) D(imm_p_straight)                 \
    L(partner_coast_us) L(citizen_coast_us) D(key_vel_mps) I(polar_2d) I(radar_bias)        \
    I(assoc) D(jpda_pd) D(jpda_clutter) D(jpda_used) D(jpda_hit) I(jpda_max_events)          \
    I(jpda_max_size) I(update)

char *dw_session_json(const dw_session *s, const char *run_config_json)
{
    size_t cap = 65536 + s->n_sensors * 1024;
    for (size_t i = 0; i < s->n_geo; i++)
        cap += strlen(s->geo[i]) * 2 + 8;
    if (run_config_json)
        cap += strlen(run_config_json);
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    dw_jw w;
    dw_jw_init(&w, buf, cap);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "v", 1);
    dw_jw_kstr(&w, "node", s->node);
    dw_jw_kstr(&w, "home", s->home);
    dw_jw_key(&w, "geography");
    dw_jw_arr(&w);
    for (size_t i = 0; i < s->n_geo; i++)
        dw_jw_str(&w, s->geo[i]);
    dw_jw_arr_end(&w);
    dw_jw_key(&w, "rules");
    if (s->rules[0])
        dw_jw_str(&w, s->rules);
    else
        dw_jw_null(&w);
    dw_jw_kstr(&w, "scenario", s->scenario);
    dw_jw_key(&w, "effectors");
    if (s->effectors[0])
        dw_jw_str(&w, s->effectors);
    else
        dw_jw_null(&w);
    dw_jw_kdouble(&w, "plan_period_s", s->plan_period_s);
    dw_jw_key(&w, "tracker");
    dw_jw_obj(&w);
#define WD(f) dw_jw_kdouble(&w, #f, s->pipeline.f);
#define WI(f) dw_jw_kint(&w, #f, (int64_t)s->pipeline.f);
    PIPELINE_FIELDS(WD, WI, WI, WI)
#undef WD
#undef WI
    dw_jw_obj_end(&w);
    dw_jw_key(&w, "sensors");
    dw_jw_arr(&w);
    for (size_t i = 0; i < s->n_sensors; i++)
        dw_sensor_write_json(&w, &s->sensors[i]);
    dw_jw_arr_end(&w);
    dw_jw_obj_end(&w);
    if (!dw_jw_ok(&w)) {
        free(buf);
        return NULL;
    }
    size_t n = dw_jw_len(&w);
    /* The daemon's own configuration rides along for people (not read back). */
    if (run_config_json) {
        size_t m = strlen(run_config_json);
        if (n + m + 16 > cap) {
            free(buf);
            return NULL;
        }
        memcpy(buf + n - 1, ",\"run\":", 7);
        memcpy(buf + n + 6, run_config_json, m);
        buf[n + 6 + m] = '}';
        buf[n + 7 + m] = 0;
    }
    return buf;
}

void dw_session_free(dw_session *s)
{
    for (size_t i = 0; i < s->n_geo; i++)
        free(s->geo[i]);
    free(s->geo);
    free(s->sensors);
    memset(s, 0, sizeof *s);
}

dw_status dw_session_parse(const char *json, dw_session *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    if (!j) {
        snprintf(err, errlen, "session configuration: %s (line %d)", je.text, je.line);
        return DW_ERR_PARSE;
    }
    dw_status st = DW_ERR_PARSE;
    const char *node = "", *home = "", *rules = NULL, *scen = "";
    json_t *geo = NULL, *trk = NULL, *sens = NULL, *rj = NULL;
    if (json_unpack_ex(j, &je, 0, "{s?s,s?s,s?o,s?o,s?s,s:o,s:o}", "node", &node, "home", &home,
                       "geography", &geo, "rules", &rj, "scenario", &scen, "tracker", &trk,
                       "sensors", &sens)) {
        snprintf(err, errlen, "session configuration: %s", je.text);
        goto done;
    }
    if (json_is_string(rj))
        rules = json_string_value(rj);
    json_t *ej = json_object_get(j, "effectors");
    snprintf(s->effectors, sizeof s->effectors, "%s", json_is_string(ej) ? json_string_value(ej) : "");
    json_t *pj = json_object_get(j, "plan_period_s");
    s->plan_period_s = json_is_number(pj) ? json_number_value(pj) : 10.0;
    snprintf(s->node, sizeof s->node, "%s", node);
    snprintf(s->home, sizeof s->home, "%s", home);
    snprintf(s->rules, sizeof s->rules, "%s", rules ? rules : "");
    snprintf(s->scenario, sizeof s->scenario, "%s", scen);
    dw_pipeline_config_default(&s->pipeline);
    json_t *v;
#define RD(f)                                                                                 \
    if ((v = json_object_get(trk, #f)) && json_is_number(v))                                  \
        s->pipeline.f = json_number_value(v);
#define RI(f)                                                                                 \
    if ((v = json_object_get(trk, #f)) && json_is_integer(v))                                 \
        s->pipeline.f = (__typeof__(s->pipeline.f))json_integer_value(v);
    PIPELINE_FIELDS(RD, RI, RI, RI)
#undef RD
#undef RI
    if (geo && json_is_array(geo) && json_array_size(geo)) {
        s->geo = calloc(json_array_size(geo), sizeof *s->geo);
        if (!s->geo) {
            st = DW_ERR_NOMEM;
            goto done;
        }
        size_t i;
        json_t *g;
        json_array_foreach(geo, i, g)
        {
            if (!json_is_string(g))
                continue;
            if (!(s->geo[s->n_geo] = strdup(json_string_value(g)))) {
                st = DW_ERR_NOMEM;
                goto done;
            }
            s->n_geo++;
        }
    }
    /* The sensors through the sensors-file reader, as a file would be read. */
    json_t *wrap = json_pack("{s:O}", "sensors", sens);
    char *text = wrap ? json_dumps(wrap, JSON_COMPACT) : NULL;
    json_decref(wrap);
    if (!text) {
        st = DW_ERR_NOMEM;
        goto done;
    }
    st = dw_sensors_load_mem(text, strlen(text), "session.json", &s->sensors, &s->n_sensors, err,
                             errlen);
    free(text);
done:
    json_decref(j);
    if (st != DW_OK)
        dw_session_free(s);
    return st;
}

dw_status dw_session_engine(const dw_session *s, const dw_engine_sink *sink, dw_engine **out,
                            char *err, size_t errlen)
{
    dw_engine_config ec;
    memset(&ec, 0, sizeof ec);
    ec.sensors = s->sensors;
    ec.n_sensors = s->n_sensors;
    ec.pipeline = s->pipeline;
    ec.geo_files = (const char *const *)s->geo;
    ec.n_geo_files = s->home[0] ? s->n_geo : 0;
    ec.rules_file = s->rules[0] ? s->rules : NULL;
    memcpy(ec.home, s->home, sizeof ec.home);
    ec.effectors_file = s->effectors[0] ? s->effectors : NULL;
    ec.plan_period_s = s->plan_period_s;
    return dw_engine_create(&ec, sink, out, err, errlen);
}

char *dw_session_abspath(const char *path)
{
    char buf[PATH_MAX];
    if (realpath(path, buf))
        return strdup(buf);
    return strdup(path);
}

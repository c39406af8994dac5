/* threats.c — the picture's drone tracks as threats to plan for: what each threatens, by
 * when, and what stopping it is worth (plan.h, docs/respond.md "Threats"). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "dronewall/plan.h"
#include "dronewall/threat.h"

struct dw_plan_threats {
    const dw_geog *geo;
    dw_threat_ctx *tctx;
    uint32_t site_mask;
};

dw_status dw_plan_threats_create(const dw_geog *geo, const char home[3], dw_plan_threats **out,
                                 char *err, size_t errlen)
{
    if (!geo || !home || !out)
        return DW_ERR_INVALID;
    dw_plan_threats *x = calloc(1, sizeof *x);
    if (!x)
        return DW_ERR_NOMEM;
    dw_threat_config tc;
    dw_threat_config_default(&tc);
    memcpy(tc.home, home, sizeof tc.home);
    dw_status st = dw_threat_create(geo, &tc, &x->tctx, err, errlen);
    if (st != DW_OK) {
        free(x);
        return st;
    }
    x->geo = geo;
    x->site_mask = dw_threat_kinds(x->tctx, 2);
    *out = x;
    return DW_OK;
}

void dw_plan_threats_destroy(dw_plan_threats *x)
{
    if (!x)
        return;
    dw_threat_destroy(x->tctx);
    free(x);
}

double dw_plan_threats_value(const dw_plan_threats *x, dw_class cls, int site)
{
    double factor = cls == DW_CLASS_DECOY ? DW_PLAN_DECOY_FACTOR : 1.0;
    if (!x || site < 0)
        return factor * DW_PLAN_LOOSE_EUR;
    double v = dw_threat_site_value(x->tctx, site);
    return factor * DW_PLAN_SITE_EUR * (v > 0 ? v : 0.5);
}

/* The first site the straight course reaches within the horizon, in a flat frame at the
 * track: the smaller root of |d - v t| = reach. */
static void reach_site(const dw_plan_threats *x, dw_plan_target *t)
{
    dw_geodetic here = {t->lat_deg, t->lon_deg, 0};
    dw_enu_frame f;
    dw_enu_frame_init(&f, &here);
    double ve = t->vel_enu_mps[0], vn = t->vel_enu_mps[1], v2 = ve * ve + vn * vn;
    double best_t = INFINITY;
    int best_i = -1;
    const char *best_id = "";
    size_t n = dw_geog_count(x->geo);
    for (size_t i = 0; i < n; i++) {
        const dw_geog_feature *ft = dw_geog_get(x->geo, i);
        if (!ft || !(x->site_mask & (1u << ft->kind_index)))
            continue;
        dw_geodetic c = {ft->lat_deg, ft->lon_deg, 0};
        double enu[3];
        dw_enu_from_geo(&f, &c, enu);
        double radius = ft->shape == DW_GEOG_CIRCLE
                            ? ft->radius_m
                            : 0.5 * (ft->max_lat_deg - ft->min_lat_deg) * 111000.0;
        double reach = radius + DW_PLAN_SITE_MARGIN_M, d2 = enu[0] * enu[0] + enu[1] * enu[1];
        double when;
        if (d2 <= reach * reach) {
            when = 0;
        } else {
            double b = enu[0] * ve + enu[1] * vn, disc = b * b - v2 * (d2 - reach * reach);
            if (v2 < 1 || disc < 0 || b <= 0)
                continue;
            when = (b - sqrt(disc)) / v2;
        }
        if (when > DW_PLAN_HORIZON_S || when >= best_t)
            continue;
        best_t = when;
        best_i = (int)i;
        best_id = ft->id;
    }
    t->deadline_s = best_t;
    t->value_eur = dw_plan_threats_value(x, t->cls, isfinite(best_t) ? best_i : -1);
    snprintf(t->threatens, sizeof t->threatens, "%s", best_id);
}

int dw_plan_threats_target(const dw_plan_threats *x, uint64_t id, const char *line, size_t len,
                           dw_plan_target *t)
{
    json_error_t je;
    json_t *o = x && line ? json_loadb(line, len, 0, &je) : NULL;
    if (!o)
        return 0;
    const char *cls_s = json_string_value(json_object_get(o, "class"));
    const char *aff = json_string_value(json_object_get(o, "affiliation"));
    const char *status = json_string_value(json_object_get(o, "status"));
    json_t *vel = json_object_get(o, "vel_enu_mps");
    dw_class cls;
    int is = cls_s && dw_class_parse(cls_s, &cls) == 0 && json_is_array(vel) &&
             json_array_size(vel) == 3 &&
             (cls == DW_CLASS_OWA_DRONE || cls == DW_CLASS_DECOY || cls == DW_CLASS_QUADCOPTER) &&
             !(aff && (!strcmp(aff, "friend") || !strcmp(aff, "assumed_friend") ||
                       !strcmp(aff, "neutral"))) &&
             !(status && strcmp(status, "confirmed") && strcmp(status, "coasting"));
    if (is) {
        memset(t, 0, sizeof *t);
        t->track_id = id;
        t->cls = cls;
        t->lat_deg = json_number_value(json_object_get(o, "lat_deg"));
        t->lon_deg = json_number_value(json_object_get(o, "lon_deg"));
        t->alt_m = json_number_value(json_object_get(o, "alt_m"));
        for (int i = 0; i < 3; i++)
            t->vel_enu_mps[i] = json_number_value(json_array_get(vel, (size_t)i));
    }
    json_decref(o);
    if (is)
        reach_site(x, t);
    return is;
}

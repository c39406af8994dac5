#include <math.h>
#include <string.h>

#include "dronewall/obs.h"
#include "dronewall/sensor.h"
#include "dronewall/track.h"

#define DEG (M_PI / 180.0)

void dw_obs_init(dw_obs *o, dw_obs_kind kind)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
}

void dw_sensor_init(dw_sensor *s, dw_sensor_kind kind)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->pd = 0.9;
    s->max_el_rad = 90.0 * DEG;
    s->min_el_rad = -5.0 * DEG;
    switch (kind) {
    case DW_SENSOR_RADAR:
    case DW_SENSOR_AEW:
        s->sigma_range_m = 50.0;
        s->sigma_az_rad = 0.2 * DEG;
        s->sigma_el_rad = 0.3 * DEG;
        s->sigma_rr_mps = 1.0;
        s->max_range_m = 200e3;
        s->period_us = 4 * 1000000LL;
        break;
    case DW_SENSOR_ACOUSTIC:
        s->sigma_az_rad = 5.0 * DEG;
        s->max_range_m = 3e3;
        s->pd = 0.7;
        break;
    case DW_SENSOR_RF:
    case DW_SENSOR_EO:
        s->sigma_az_rad = 2.0 * DEG;
        s->max_range_m = 10e3;
        break;
    case DW_SENSOR_ADSB:
    case DW_SENSOR_REMOTE_ID:
        s->sigma_pos_m = 30.0;
        s->max_range_m = 400e3;
        s->pd = 0.99;
        break;
    case DW_SENSOR_CITIZEN:
        s->sigma_pos_m = 2000.0;
        s->pd = 0.3;
        break;
    default:
        s->sigma_pos_m = 500.0;
        break;
    }
}

void dw_track_init(dw_track *t)
{
    memset(t, 0, sizeof *t);
    t->status = DW_TRACK_TENTATIVE;
    t->cls = DW_CLASS_UNKNOWN;
    t->affiliation = DW_AFF_PENDING;
    t->n_models = 1;
    t->model_prob[0] = 1.0;
    t->last_local_us = INT64_MIN;
}

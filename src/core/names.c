/* names.c — the string forms of the core enumerations, generated from the
 * X-macro lists in the headers so the wire names have one source. */
#include <string.h>

#include "dronewall/obs.h"
#include "dronewall/sensor.h"
#include "dronewall/track.h"

#define NAME_STR(e, s) s,

static const char *const obs_kinds[] = {DW_OBS_KINDS(NAME_STR)};
static const char *const classes[] = {DW_CLASSES(NAME_STR)};
static const char *const sensor_kinds[] = {DW_SENSOR_KINDS(NAME_STR)};
static const char *const track_statuses[] = {DW_TRACK_STATUSES(NAME_STR)};
static const char *const affiliations[] = {DW_AFFILIATIONS(NAME_STR)};

static int lookup(const char *const *names, int n, const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

#define NAME_FNS(fn, parse_fn, type, table, count)                          \
    const char *fn(type v)                                                  \
    {                                                                       \
        return (unsigned)v < (unsigned)(count) ? table[v] : "?";            \
    }                                                                       \
    int parse_fn(const char *s, type *out)                                  \
    {                                                                       \
        int i = lookup(table, (int)(count), s);                             \
        if (i < 0)                                                          \
            return -1;                                                      \
        *out = (type)i;                                                     \
        return 0;                                                           \
    }

NAME_FNS(dw_obs_kind_name, dw_obs_kind_parse, dw_obs_kind, obs_kinds, DW_OBS_NKINDS)
NAME_FNS(dw_class_name, dw_class_parse, dw_class, classes, DW_NCLASSES)
NAME_FNS(dw_sensor_kind_name, dw_sensor_kind_parse, dw_sensor_kind, sensor_kinds, DW_SENSOR_NKINDS)
NAME_FNS(dw_track_status_name, dw_track_status_parse, dw_track_status, track_statuses, DW_TRACK_NSTATUS)
NAME_FNS(dw_affiliation_name, dw_affiliation_parse, dw_affiliation, affiliations, DW_NAFFILIATIONS)

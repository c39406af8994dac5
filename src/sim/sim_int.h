/* sim_int.h — what the simulator's files share: reading scenario entries, and the table of
 * sensor models.
 *
 * Scenario entries are read through one table-driven reader (dw__cfg_read), so every key has
 * one declaration with its unit and range, unknown keys are refused with the file and line,
 * and units are converted once (km → m, km/h → m/s, degrees → radians, times → µs).
 */
#ifndef DW_SIM_INT_H
#define DW_SIM_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "dronewall/doc.h"
#include "dronewall/sim.h"

/* A named point of the scenario ("places:"), usable wherever a position is. */
typedef struct dw__sim_place {
    char name[64];
    double lat_deg, lon_deg, alt_m;
    int has_alt;
} dw__sim_place;

/* What entry readers need: the document (for lines), the error buffer, the scenario's start
 * (for "+HH:MM:SS" offsets) and its places. */
typedef struct dw__cfg {
    const dw_doc *d;
    char *err;
    size_t errlen;
    int64_t start_us;
    const dw__sim_place *places;
    size_t n_places;
} dw__cfg;

typedef enum dw__cfg_type {
    DW_CF_NUM,      /* double as written                                         */
    DW_CF_INT,      /* long as written (must be integral)                        */
    DW_CF_BOOL,     /* int 0/1                                                   */
    DW_CF_STR,      /* char[size]                                                */
    DW_CF_DEG,      /* degrees in the file, radians in memory                    */
    DW_CF_KM,       /* km in the file, m in memory                               */
    DW_CF_KMH,      /* km/h in the file, m/s in memory                           */
    DW_CF_SECONDS,  /* seconds in the file, int64 µs in memory                   */
    DW_CF_TIME,     /* "2025-09-09T21:30:00Z", or "+HH:MM[:SS]" / a number of seconds
                       after the scenario start: int64 µs since the epoch         */
    DW_CF_POINT,    /* [lat, lon], [lat, lon, alt_m] or a place name: dw__sim_point */
} dw__cfg_type;

typedef struct dw__sim_point {
    double lat_deg, lon_deg, alt_m;
    int has_alt;
    char place[64];                 /* the place's name when given by name, else "" */
} dw__sim_point;

typedef struct dw__cfg_field {
    const char *key;
    dw__cfg_type type;
    size_t off;                     /* offsetof the member in the caller's struct */
    size_t size;                    /* DW_CF_STR: the buffer's size               */
    double lo, hi;                  /* accepted range in the file's unit (lo == hi: any) */
    int required;
} dw__cfg_field;

/* Read obj's keys into base by the table. Keys listed in `skip` (NULL-terminated, may be
 * NULL) are left for the caller; any other key not in the table is an error. `where` names
 * the entry in messages ("sensors[3] (PL-RAD-01)"). DW_OK or DW_ERR_PARSE with err set. */
dw_status dw__cfg_read(const dw__cfg *c, const json_t *obj, const char *where,
                       const dw__cfg_field *f, size_t n, const char *const *skip, void *base);

/* One value by its type into out (as dw__cfg_read would store it). */
dw_status dw__cfg_value(const dw__cfg *c, const json_t *v, const char *where, const char *key,
                        const dw__cfg_field *f, void *out);

/* A position: [lat, lon], [lat, lon, alt_m] or a place name. */
dw_status dw__cfg_point(const dw__cfg *c, const json_t *v, const char *where, dw__sim_point *out);

/* A time as DW_CF_TIME. */
dw_status dw__cfg_time(const dw__cfg *c, const json_t *v, const char *where, int64_t *out_us);

/* "PATH:LINE: where: message" for node v (line 0 if unknown). Returns DW_ERR_PARSE. */
dw_status dw__cfg_fail(const dw__cfg *c, const json_t *v, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The place called name, or NULL. */
const dw__sim_place *dw__cfg_place(const dw__cfg *c, const char *name);

/* ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS[.f]Z" to µs; 0 on success, -1 if not one. */
int dw__parse_utc(const char *s, int64_t *out_us);
/* µs to "YYYY-MM-DDTHH:MM:SSZ" (buf of 21+). */
void dw__format_utc(int64_t t_us, char *buf, size_t len);

/* ------------------------------------------------------------------ targets
 * A target as the scenario loader hands it to the world (world.c), which turns it into a
 * path: climb from the launch point to the cruise altitude, follow the route at the cruise
 * speed (a waypoint's own altitude overrides the cruise altitude from there on), and end as
 * `end` says — or earlier, when the fuel (range_m of flight) runs out (a glide to the ground
 * at glide_ratio) or at shot_us (shot down: falls where it is). */
typedef enum dw__sim_end {
    DW_SIM_END_LAND,        /* descend at the last waypoint and land (aircraft), or glide
                               down when the fuel ends (a decoy)                          */
    DW_SIM_END_DIVE,        /* a terminal dive at dive_rad onto the last waypoint          */
    DW_SIM_END_LEAVE,       /* vanish at the last waypoint (left the simulated area)       */
} dw__sim_end;

#define DW_SIM_MAX_ROUTE 96

typedef struct dw__sim_target_spec {
    char id[DW_ID_MAX];
    dw_class cls;
    uint32_t flags;                 /* DW_SIM_*                                   */
    double rcs_m2, sound_db;
    uint32_t icao;
    uint16_t mode3a;
    char callsign[DW_CALLSIGN_MAX];
    char rid[DW_RID_MAX];
    int64_t launch_us;
    dw__sim_point route[DW_SIM_MAX_ROUTE];  /* route[0] is the launch point        */
    size_t n_route;
    double speed_mps;               /* cruise ground speed                         */
    double alt_m;                   /* cruise altitude (above the ellipsoid)       */
    double climb_mps;               /* climb and descent rate                      */
    double range_m;                 /* flight distance the fuel allows; 0: no limit */
    dw__sim_end end;
    double dive_rad;                /* DW_SIM_END_DIVE: dive angle below horizontal */
    double glide_ratio;             /* fuel out: metres forward per metre down      */
    int64_t shot_us;                /* shot down at this instant; 0: never          */
    double wander_m;                /* birds: random lateral wander amplitude       */
    double bank_rad;                /* bank in turns: radius v²/(g tan bank); 0: corners */
} dw__sim_target_spec;

/* Builds the world's paths. Events (launch, fuel out, impact, shot down, arrived) are
 * appended to *events / *n_events (realloc'd; the caller frees). */
dw_status dw__sim_world_create(const dw__sim_target_spec *specs, size_t n, uint64_t seed,
                               dw_sim_world **out, dw_sim_event **events, size_t *n_events);
void dw__sim_world_destroy(dw_sim_world *w);
/* The id of target i ("" if there is none). */
const char *dw__sim_world_target_id(const dw_sim_world *w, size_t i);

/* ------------------------------------------------------------------ sensor models
 * Each kind of simulated sensor ("kind:" in a scenario's sensors list) is one model in the
 * table of sensors.c. load reads its entry and adds its reporting sensors to the table
 * (one radar: one; an acoustic network: thousands); step measures [t0, t1). */
typedef struct dw__sim_table dw__sim_table;

/* Add a reporting sensor; returns its index (= dw_obs.sensor_idx) or -1 (out of memory). */
int dw__sim_add_sensor(dw__sim_table *t, const dw_sensor *desc, dw_sim_stream stream);
const dw_sim_sensor_info *dw__sim_sensor(const dw__sim_table *t, size_t idx);

typedef struct dw__sim_model {
    const char *kind;
    const char *summary;
    dw_status (*load)(const dw__cfg *c, const json_t *entry, const char *where, uint64_t seed,
                      dw__sim_table *table, void **state);
    void (*step)(void *state, const dw__sim_table *table, const dw_sim_world *w, int64_t t0_us,
                 int64_t t1_us, const dw_sim_sink *sink);
    void (*destroy)(void *state);
} dw__sim_model;

#endif

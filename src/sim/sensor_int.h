/* sensor_int.h — what the simulated sensor models (src/sim/sensor_*.c) share with sensors.c.
 *
 * A model reads its scenario entry through dw__cfg_read, adds its reporting sensors to the
 * table, and at each step looks at the world through the step's view: the snapshot of the
 * targets that exist at t0, indexed on a latitude/longitude grid, so that a sensor only
 * looks at the targets near it (an RF detector at its 10 km, a radar at its 250 km) and a
 * step costs O(targets near each sensor), never O(sensors × targets). The same grid, built
 * once at load, indexes the nodes of an acoustic network, so that each target looks only at
 * the few nodes that can hear it.
 *
 * Helpers here are the physics the models share: the radar horizon, Swerling-1 detection,
 * small metric offsets in latitude and longitude, and the instants of periodic reports.
 */
#ifndef DW_SENSOR_INT_H
#define DW_SENSOR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/geo.h"
#include "sim/sim_int.h"

/* ------------------------------------------------------------------ the model table */

extern const dw__sim_model dw__sim_model_radar;
extern const dw__sim_model dw__sim_model_aew;
extern const dw__sim_model dw__sim_model_acoustic;
extern const dw__sim_model dw__sim_model_rf;
extern const dw__sim_model dw__sim_model_eo;
extern const dw__sim_model dw__sim_model_citizens;
extern const dw__sim_model dw__sim_model_partner;
extern const dw__sim_model dw__sim_model_adsb;
extern const dw__sim_model dw__sim_model_remote_id;

/* How many reporting sensors the table holds: the index the next one will get. */
size_t dw__sim_sensor_count(const dw__sim_table *t);

/* The same as dw_sim_sensors_load with the scenario's reader (its places, so that a site may
 * be a place name): the scenario loader calls this one. */
dw_status dw__sim_sensors_load(const dw__cfg *c, const json_t *list, uint64_t seed,
                               dw_sim_sensors **out);

/* ------------------------------------------------------------------ entry reading */

/* The entry's `classes` (a list of class words: what a sensor reports) as a bit per dw_class,
 * or dflt when the entry has none. */
dw_status dw__sim_read_classes(const dw__cfg *c, const json_t *e, const char *where, uint32_t dflt,
                               uint32_t *out);

/* Keys every entry shares (id or id_prefix, owner) and those of a sensor at one site. A
 * model's config struct holds these members under these names; the macros give their rows
 * of the model's dw__cfg_field table. */
#define DW__SIM_ID_FIELDS(T)                                                                \
    {"id", DW_CF_STR, offsetof(T, id), DW_ID_MAX, 0, 0, 1},                                 \
    {"owner", DW_CF_STR, offsetof(T, owner), DW_ID_MAX, 0, 0, 0}

#define DW__SIM_SITE_FIELDS(T)                                                              \
    {"site", DW_CF_POINT, offsetof(T, site), 0, 0, 0, 0},                                   \
    {"lat_deg", DW_CF_NUM, offsetof(T, lat_deg), 0, -90, 90, 0},                            \
    {"lon_deg", DW_CF_NUM, offsetof(T, lon_deg), 0, -180, 180, 0},                          \
    {"alt_m", DW_CF_NUM, offsetof(T, alt_m), 0, -500, 1e5, 0},                              \
    {"ground_alt_m", DW_CF_NUM, offsetof(T, ground_alt_m), 0, -500, 9000, 0}

/* The members DW__SIM_SITE_FIELDS reads into. */
#define DW__SIM_SITE_MEMBERS                                                                \
    dw__sim_point site;                                                                     \
    double lat_deg, lon_deg, alt_m, ground_alt_m

/* Keys every entry may carry besides its model's: "kind" (read by sensors.c). */
extern const char *const dw__sim_skip_kind[];

/* The site of a one-site sensor from `site` (a position or a place name) or lat_deg +
 * lon_deg (exactly one of the two); an alt_m key overrides the site's altitude, else the
 * place's, else def_alt_m. DW_ERR_PARSE with the message otherwise. */
dw_status dw__sim_site(const dw__cfg *c, const json_t *entry, const char *where,
                       const dw__sim_point *site, double lat_deg, double lon_deg, double alt_m,
                       double def_alt_m, dw_geodetic *out);

/* A box {south, west, north, east} in degrees (key `key` of entry, required). */
typedef struct dw__sim_box {
    double south, west, north, east;
} dw__sim_box;

dw_status dw__sim_read_box(const dw__cfg *c, const json_t *entry, const char *where,
                           const char *key, dw__sim_box *out);
int dw__sim_in_box(const dw__sim_box *b, double lat_deg, double lon_deg);

/* A sensor description with the fields every model fills the same way. */
void dw__sim_desc(dw_sensor *s, dw_sensor_kind kind, const char *id, const char *owner,
                  const dw_geodetic *site);

/* ------------------------------------------------------------------ a grid of points
 * Points (targets, acoustic nodes) sorted by their cell on a latitude/longitude grid of
 * square cells cell_deg wide; a disc query visits the rows it spans and, in each, the run of
 * cells it spans by binary search. Up to 2^28 points; longitudes across ±180° are not joined
 * (no sensor area spans the antimeridian). */
typedef struct dw__sim_grid {
    double cell_deg;
    uint64_t ncols;
    uint64_t *keys;             /* cell << 28 | point index, sorted */
    size_t n, cap;
} dw__sim_grid;

/* (Re)builds g over n points; keeps its memory for the next build. DW_ERR_NOMEM. */
dw_status dw__sim_grid_build(dw__sim_grid *g, double cell_deg, const double *lat_deg,
                             const double *lon_deg, size_t stride, size_t n);
void dw__sim_grid_free(dw__sim_grid *g);

/* Calls fn with the index of every point whose cell meets the box around the disc of
 * radius_m (horizontal) at (lat, lon): a superset of the points within radius_m, which
 * the caller checks exactly. Stops early when fn returns nonzero. */
void dw__sim_grid_query(const dw__sim_grid *g, double lat_deg, double lon_deg, double radius_m,
                        int (*fn)(void *ctx, uint32_t idx), void *ctx);

/* ------------------------------------------------------------------ the step's view */

/* Targets of the snapshot near (lat, lon): fn gets each existing target whose position at
 * t0 is within radius_m horizontally (and a few cells more); the models add to radius_m how
 * far a target can fly until their last measurement instant (dw__sim_vmax). */
void dw__sim_near(const dw__sim_table *t, double lat_deg, double lon_deg, double radius_m,
                  int (*fn)(void *ctx, const dw_sim_state *s), void *ctx);
/* All targets of the snapshot, in target order. */
size_t dw__sim_all(const dw__sim_table *t, const dw_sim_state **out);
/* The fastest target's speed in the snapshot, m/s (3-D). */
double dw__sim_vmax(const dw__sim_table *t);

/* ------------------------------------------------------------------ shared physics */

#define DW_SIM_EARTH_R_M 6371000.0
/* The 4/3-earth radius of standard refraction, for the radar and radio horizons. */
#define DW_SIM_EFF_EARTH_R_M (4.0 / 3.0 * DW_SIM_EARTH_R_M)

/* Whether a target at height h_t_m sits above the radio horizon of an antenna at h_a_m
 * (both above the ground), ground_m apart: d <= sqrt(2 kR h_a) + sqrt(2 kR h_t). */
int dw__sim_los(double h_a_m, double h_t_m, double ground_m);

/* Swerling-1 probability of detection at signal-to-noise ratio snr (linear) and false-alarm
 * probability pfa: Pd = pfa^(1/(1+snr)). */
double dw__sim_swerling1(double snr, double pfa);
/* The snr that gives pd at pfa (inverse of the above); pfa < pd < 1. */
double dw__sim_snr_for(double pd, double pfa);

/* The point de_m east and dn_m north of (lat, lon) on the ellipsoid (small offsets, metres
 * to a few km: radii of curvature at lat). */
void dw__sim_offset(double lat_deg, double lon_deg, double de_m, double dn_m, double *lat_out,
                    double *lon_out);
/* Metres per degree of latitude and of longitude at lat. */
void dw__sim_m_per_deg(double lat_deg, double *m_lat, double *m_lon);

/* The first instant origin + k·period (any integer k) at or after t. */
int64_t dw__sim_next_tick(int64_t t_us, int64_t origin_us, int64_t period_us);

/* A target's velocity in ECEF, m/s, from its east-north-up velocity. */
void dw__sim_vel_ecef(const dw_sim_state *s, double v_ecef[3]);

/* An angle to [0, 2π). */
double dw__sim_wrap_2pi(double a);

/* dw_obs_init, with the sensor's id, index and time. */
void dw__sim_obs(dw_obs *o, dw_obs_kind kind, const dw__sim_table *t, uint32_t idx, int64_t t_us);

/* target: the world index of the target measured, -1 for a false alarm or clutter. */
static inline void dw__sim_emit(const dw_sim_sink *sink, const dw_obs *o, int64_t deliver_us,
                                int32_t target)
{
    if (sink && sink->emit)
        sink->emit(sink->ctx, o, deliver_us, target);
}

/* Squared distance between two ECEF points, m². */
static inline double dw__sim_dist2(const double a[3], const double b[3])
{
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return dx * dx + dy * dy + dz * dz;
}

#endif

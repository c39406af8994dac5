/* effector.h — the catalogue of defensive assets the response stage may recommend.
 *
 * An effector is one thing that can engage an air threat: a pair of fighters on combat
 * air patrol (CAP) or on quick-reaction alert (QRA), a long- or medium-range SAM battery,
 * a short-range gun, a MANPADS team, an interceptor-drone team or a jammer (DESIGN.md §6).
 * Each has a site (for CAP: the centre and radius of its orbit), a readiness, a reaction
 * time, the average speed of what it sends (missile, shell, interceptor drone; for fighters
 * also the aircraft's transit speed), an engagement envelope, a magazine, a cost per shot
 * (plus a sortie cost for fighters) and a kill probability per target class (dw_class).
 *
 * The catalogue is a YAML or JSON file (config/effectors.yaml, docs/respond.md) read with
 * dw_doc. Every kind has defaults from public figures (the table in effector.c, the single
 * source of them; docs/respond.md lists them with their sources), so an entry may give only
 * its id, kind and site. A bad file is refused as a whole with "PATH:LINE: effectors[i]
 * 'id': key: what".
 *
 * Units: metres, seconds, metres per second, EUR; altitudes above the WGS-84 ellipsoid.
 * Ownership: dw_effectors_load returns one malloc'd array the caller frees with
 * dw_effectors_free (or free). Effectors are plain values; nothing here keeps state.
 */
#ifndef DRONEWALL_EFFECTOR_H
#define DRONEWALL_EFFECTOR_H

#include <stddef.h>

#include "dronewall/geo.h"
#include "dronewall/obs.h"
#include "dronewall/status.h"

#define DW_EFFECTOR_KINDS(X)                                                                 \
    X(DW_EFF_FIGHTER_CAP, "fighter_cap")             /* fighters on combat air patrol    */ \
    X(DW_EFF_FIGHTER_QRA, "fighter_qra")             /* fighters on quick-reaction alert */ \
    X(DW_EFF_SAM_LONG, "sam_long")                   /* Patriot-class battery            */ \
    X(DW_EFF_SAM_MEDIUM, "sam_medium")               /* NASAMS-class battery             */ \
    X(DW_EFF_GUN, "gun")                             /* Gepard / Skyranger-class gun     */ \
    X(DW_EFF_MANPADS, "manpads")                     /* Piorun-class team                */ \
    X(DW_EFF_INTERCEPTOR_DRONE, "interceptor_drone") /* interceptor-drone team           */ \
    X(DW_EFF_JAMMER, "jammer")                       /* RF / GNSS jammer: range only     */

typedef enum dw_effector_kind {
#define DW_EFF_ENUM(e, s) e,
    DW_EFFECTOR_KINDS(DW_EFF_ENUM)
#undef DW_EFF_ENUM
    DW_EFF_NKINDS
} dw_effector_kind;

#define DW_EFFECTOR_ID_MAX 64
#define DW_EFFECTOR_NAME_MAX 96
#define DW_EFFECTOR_OWNER_MAX 16
#define DW_EFFECTORS_MAX 4096           /* entries in one file                       */
#define DW_MAGAZINE_UNLIMITED (-1)      /* a jammer: no rounds to count              */

typedef struct dw_effector {
    char id[DW_EFFECTOR_ID_MAX];        /* unique in the file                        */
    char name[DW_EFFECTOR_NAME_MAX];    /* the id when the file gives none           */
    char owner[DW_EFFECTOR_OWNER_MAX];  /* nation or operator ("PL", "NL"); "" none  */
    dw_effector_kind kind;
    dw_geodetic site;                   /* launch site; CAP: the orbit's centre      */
    double orbit_radius_m;              /* CAP: the orbit's radius; else 0           */
    double ready_in_s;                  /* 0: ready; else seconds until it is        */
    double reaction_s;                  /* detect-to-launch once ready               */
    double speed_mps;                   /* average speed of the weapon / interceptor;
                                           0 for a jammer (its effect has no flight)  */
    double carrier_speed_mps;           /* fighters: transit speed to weapon range;
                                           else 0                                     */
    double weapon_range_m;              /* fighters: launch range of their missile;
                                           else 0                                     */
    double min_range_m, max_range_m;    /* envelope, slant range from the launch
                                           point (fighters: how far from base or orbit
                                           they may go)                               */
    double min_alt_m, max_alt_m;        /* envelope, altitude of the intercept point */
    int magazine;                       /* shots left; DW_MAGAZINE_UNLIMITED         */
    double cost_per_shot_eur;
    double sortie_cost_eur;             /* fighters: per engagement; else 0          */
    double assess_s;                    /* time to see whether a shot killed         */
    double pk[DW_NCLASSES];             /* single-shot kill probability by class     */
    int line;                           /* where the entry starts in its file, 0     */
} dw_effector;

/* "fighter_cap" etc., "?" for a bad value; and back (0 on success, -1 unknown). */
const char *dw_effector_kind_name(dw_effector_kind k);
int dw_effector_kind_parse(const char *s, dw_effector_kind *out);

/* The defaults of a kind (public figures, docs/respond.md): *out fully written, with an
 * empty id and the site at 0/0/0. DW_ERR_INVALID for a bad kind. */
dw_status dw_effector_defaults(dw_effector_kind k, dw_effector *out);

/* 1 for fighter_cap and fighter_qra. */
int dw_effector_is_fighter(dw_effector_kind k);

/* Reads a catalogue: a mapping with one key `effectors`, a list of entries (keys in
 * docs/respond.md). On DW_OK, *list is a malloc'd array of *n effectors (NULL and 0 for
 * an empty list) the caller frees with dw_effectors_free. On failure nothing is written
 * but err: DW_ERR_PARSE with "PATH:LINE: what", DW_ERR_IO / DW_ERR_NOT_FOUND from reading,
 * DW_ERR_NOMEM. */
dw_status dw_effectors_load(const char *path, dw_effector **list, size_t *n, char *err,
                            size_t errlen);
/* The same from memory; name stands for the path (and picks JSON for "*.json"). */
dw_status dw_effectors_load_mem(const char *text, size_t len, const char *name,
                                dw_effector **list, size_t *n, char *err, size_t errlen);
void dw_effectors_free(dw_effector *list); /* NULL is fine */

#endif

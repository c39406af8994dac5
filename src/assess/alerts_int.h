/* alerts_int.h — the alert book: the alerts in force, who holds each, and the rules
 * that turn holding into raised / updated / cleared records (assess.c decides what each
 * track wants; this decides what is said).
 *
 * An alert is keyed by (kind, area, object): object is 0 for the kinds that are one per
 * area (regional_warning, airspace_closure, sensor_down). A holder is a track state of
 * the engine (its slot index), which claims the alerts it wants on each update between
 * dw__book_begin and dw__book_end; a claim it did not renew in that update is released.
 * An alert without an active claim lapses and is cleared clear_after_s later unless a
 * claim comes back first: that is the hysteresis. A holder whose track ended has its
 * claims suspended (not holding, but remembered), so that a track continuing it renews
 * them as "holder replaced" instead of raising anew; an alert is not cleared while such a
 * suspended claim remains (dw__book_drop ends it when no continuation can come).
 * Standalone alerts (debris_zone, sensor_down) have no claims and are cleared at a set
 * time or on request.
 *
 * A cleared alert is remembered (closed) under its key while an object it was about still
 * lives (dw__book_object_gone says when one is gone for good) and for suppress_s after
 * its clear or the last want it turned down: wanted again in that time it is not raised
 * anew; it is reopened, same id, when the situation is clearly worse than anything it
 * said (book_worse in alerts.c: a higher severity than it ever had, a new event, a new
 * holder of an area alert, the raise criterion met with half its lead, a path half as
 * far), and otherwise stays cleared (counted as suppressed). A standalone one is
 * reopened when raised again.
 *
 * Memory: pools (alerts, claims, per-holder list heads) and one open-addressing index,
 * grown by doubling; in the steady state nothing is allocated.
 */
#ifndef DW_ASSESS_ALERTS_INT_H
#define DW_ASSESS_ALERTS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/assess.h"

typedef struct dw__book dw__book;

typedef struct dw__book_config {
    double clear_after_s;
    double eta_update_s;
    double eta_update_frac;             /* of the time left to the ETA                */
    double suppress_s;                  /* a cleared alert is remembered this long     */
    size_t alerts_hint, claims_hint;    /* pool sizes at start (grown when needed)     */
    /* The home alert region a point is in, into buf ("" when none); may be NULL. */
    void (*region_of)(void *ctx, double lat_deg, double lon_deg, char *buf, size_t cap);
    void *region_ctx;
} dw__book_config;

/* Who holds (or raises) an alert, as it is now. */
typedef struct dw__holder {
    uint32_t slot;                      /* the engine's track state                   */
    uint64_t object;                    /* the object it is (first track id of a chain) */
    uint64_t track_id;
    uint64_t prev_track_id;             /* the track it continued, 0 when none         */
    const dw_track *t;
    double threat_score;
} dw__holder;

/* What a holder wants held, or what is raised standalone. */
typedef struct dw__want {
    dw_alert_kind kind;
    const char *area_id;                /* the key's area (and the record's)           */
    const char *area_name;
    int per_object;                     /* the key includes the object                */
    char neighbour[3];
    int64_t eta_us, event_us;
    double lat_deg, lon_deg, radius_m;
    dw_alert_severity severity;
    double approach_m;                  /* protected_zone: closest approach to centre  */
    double lead_s;                      /* how far ahead the raise criterion now puts it
                                           (s; 0 when there), NAN when not lead-based  */
    double raise_lead_s;                /* the lead the kind is raised at (s)          */
    int hold_only;                      /* renew a claim the holder has, as it stands
                                           (its ETA and point not from this want): the
                                           prediction it would come from is not known */
    const char *detail;                 /* a few words for the reason (may be NULL)    */
} dw__want;

dw_status dw__book_create(const dw__book_config *c, const dw_assess_sink *sink,
                          dw_assess_stats *stats, dw__book **out);
void dw__book_destroy(dw__book *b);

/* Room for holders 0 .. n-1 (the engine's slot capacity). DW_ERR_NOMEM. */
dw_status dw__book_reserve_holders(dw__book *b, size_t n);

void dw__book_begin(dw__book *b, uint32_t slot);
/* Raise or hold. DW_ERR_NOMEM (nothing changed). */
dw_status dw__book_want(dw__book *b, const dw__holder *h, const dw__want *w, int64_t now_us);
/* Releases the holder's claims not renewed since dw__book_begin. */
void dw__book_end(dw__book *b, uint32_t slot, int64_t now_us);

/* The holder's track ended: its claims stop holding, but are kept for a continuation. */
void dw__book_suspend(dw__book *b, uint32_t slot, int64_t now_us);
/* The holder is gone for good: its claims are removed. */
void dw__book_drop(dw__book *b, uint32_t slot, int64_t now_us);

/* An alert with no holder, cleared at clear_at_us (INT64_MAX: only by dw__book_clear);
 * h may be NULL. Raised, or updated when it is in force already. */
dw_status dw__book_standalone(dw__book *b, const dw__holder *h, const dw__want *w,
                              int64_t clear_at_us, int64_t now_us);

/* The alert in force under this key, or NULL (a cleared one is not in force). */
const dw_alert *dw__book_find(const dw__book *b, dw_alert_kind kind, const char *area_id,
                              uint64_t object);
/* Does the holder have a claim on it (active, or suspended since its track ended)? */
int dw__book_holds(const dw__book *b, uint32_t slot, dw_alert_kind kind, const char *area_id,
                   uint64_t object);
/* Clears the alert under this key now, with the reason; 1 when there was one. */
int dw__book_clear(dw__book *b, dw_alert_kind kind, const char *area_id, uint64_t object,
                   int64_t now_us, const char *why);

/* The object (a chain of tracks) is gone for good: the cleared alerts about it are
 * remembered suppress_s more, no longer for its life. */
void dw__book_object_gone(dw__book *b, uint64_t object);

/* Clears what has lapsed (no holder for clear_after_s) or reached its clear time. */
void dw__book_sweep(dw__book *b, int64_t now_us);

size_t dw__book_active(const dw__book *b);

#endif

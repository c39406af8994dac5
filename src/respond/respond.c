/* respond.c — the response stage (DESIGN.md §6, docs/respond.md): the effector catalogue
 * (effector.c), intercept geometry, cost and ground risk (intercept.c), and the
 * weapon-target assignment an operator approves or rejects (wta.c). */
#include "dronewall/status.h"

const char *dw_respond_stage(void);
const char *dw_respond_stage(void) { return "respond"; }

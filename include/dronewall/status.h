/* status.h — the one result type of dronewall.
 *
 * Every function that can fail returns a dw_status. On failure nothing the
 * caller passed in is changed: out-parameters are written only on DW_OK.
 * The list below is the single source of the codes and their messages.
 */
#ifndef DRONEWALL_STATUS_H
#define DRONEWALL_STATUS_H

#define DW_STATUS_LIST(X)                                                   \
    X(DW_OK, "ok")                                                          \
    X(DW_ERR_NOMEM, "out of memory")                                        \
    X(DW_ERR_INVALID, "invalid argument")                                   \
    X(DW_ERR_PARSE, "malformed input")                                      \
    X(DW_ERR_IO, "input/output error")                                      \
    X(DW_ERR_NOT_FOUND, "not found")                                        \
    X(DW_ERR_FULL, "capacity exhausted")                                    \
    X(DW_ERR_UNSUPPORTED, "not supported")                                  \
    X(DW_ERR_RANGE, "value out of range")                                   \
    X(DW_ERR_EOF, "end of input")

typedef enum dw_status {
#define DW_STATUS_ENUM(code, msg) code,
    DW_STATUS_LIST(DW_STATUS_ENUM)
#undef DW_STATUS_ENUM
    DW_STATUS_COUNT
} dw_status;

/* A short English description of s; never NULL, static storage. */
const char *dw_status_str(dw_status s);

/* The enumerator's name ("DW_ERR_PARSE"); never NULL, static storage. */
const char *dw_status_name(dw_status s);

#endif

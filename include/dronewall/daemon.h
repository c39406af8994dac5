/* daemon.h — `dronewall run` and `dronewall replay` (DESIGN.md §7).
 *
 * dw_daemon_run is the daemon: one libwebsockets service loop with the inputs, outputs,
 * HTTP API, WebSocket stream and web map of the configuration (runcfg.h), the engine
 * (engine.h) and the recording (record.h). It returns when told to stop (SIGINT, SIGTERM,
 * stop_after_s, the end of a scenario with exit_at_end) with the process's exit code.
 * docs/daemon.md describes what it serves; docs/api.md the API.
 *
 * dw_replay_check plays a recording's session through a fresh engine as fast as it goes
 * and compares every output line with the recorded one, byte for byte.
 */
#ifndef DRONEWALL_DAEMON_H
#define DRONEWALL_DAEMON_H

#include <stdint.h>
#include <stdio.h>

#include "dronewall/runcfg.h"

typedef struct dw_daemon_opts {
    const char *ready_file;     /* written once listening: {"pid","http","url",...}; NULL none */
    const char *replay;         /* serve this recording instead of live inputs; NULL: live   */
    int64_t replay_session;     /* its session (0: the last)                                */
    double replay_speed;        /* data time per wall time; 0: as fast as it goes            */
    int exit_at_end;            /* stop when the scenario or the replay has been played       */
    double linger_s;            /* ... this many seconds after it (the map stays up)          */
} dw_daemon_opts;

int dw_daemon_run(const dw_run_config *cfg, const dw_daemon_opts *o);

typedef struct dw_replay_result {
    int64_t session;
    uint64_t inputs, outputs_recorded, outputs_replayed, matched;
    uint64_t tracks, alerts;
    int64_t first_diff_seq;     /* the recorded output row that first differed, -1 none    */
    char first_diff[512];       /* what differed                                            */
    double seconds;             /* wall time of the run                                     */
} dw_replay_result;

/* session 0: the last. out_dir non-NULL: the replay's outputs are written there as NDJSON
 * (tracks.ndjson, alerts.ndjson). Returns 0 when every output matched, 1 when one differed
 * (res says where), 2 when the recording could not be read or played (err says why). */
int dw_replay_check(const char *path, int64_t session, const char *out_dir,
                    dw_replay_result *res, char *err, size_t errlen);

#endif

/* commands.h — the table of dronewall's commands (one source for dispatch
 * and --help). Each command is `int cmd_x(int argc, char **argv)` with
 * argv[0] the command's name; it returns the process exit code:
 * 0 success, 1 failure, 2 usage error. */
#ifndef DW_APP_COMMANDS_H
#define DW_APP_COMMANDS_H

#define DW_COMMANDS(X)                                                      \
    X(decode, cmd_decode, "wire formats (pcap, FINAL, raw...) to NDJSON")  \
    X(track, cmd_track, "NDJSON observations in, NDJSON tracks out")        \
    X(score, cmd_score, "score tracks against truth (GOSPA, RMSE, bound)") \
    X(sim, cmd_sim, "run a scenario: truth, sensor streams, tracks, score") \
    X(run, cmd_run, "the daemon: live inputs, the map and API, outputs, recording") \
    X(replay, cmd_replay, "play a recording again: check it byte for byte, or serve it") \
    X(plan, cmd_plan, "response planning on a scenario: the plan beside two baselines")

struct dw_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

#define DW_CMD_DECL(name, fn, summary) int fn(int argc, char **argv);
DW_COMMANDS(DW_CMD_DECL)
#undef DW_CMD_DECL

#endif

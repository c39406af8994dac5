/* daemon_int.h — what the parts of `dronewall run` share (private to src/serve).
 *
 * One thread runs the libwebsockets service loop (daemon.c): every socket of ours is
 * adopted into it as a raw descriptor (net.c: inputs and outputs), the HTTP API and the
 * WebSocket stream are its own connections (http.c), and timers are lws_sul. Two things
 * run beside it: the recorder's writer thread (record.h) and, with a scenario, the
 * simulator's thread, which hands its observations over through a locked queue and a
 * wake-up (lws_cancel_service).
 */
#ifndef DRONEWALL_SERVE_DAEMON_INT_H
#define DRONEWALL_SERVE_DAEMON_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include <libwebsockets.h>

#include "dronewall/decoder.h"
#include "dronewall/engine.h"
#include "dronewall/runcfg.h"
#include "dronewall/sensors_file.h"

struct dw_asterix;
struct dw_jw;
typedef struct dw_recorder dw_recorder;
typedef struct dwd_fed dwd_fed;
typedef struct dw_recording dw_recording;

#define DWD_OUTQ_MAX (8u << 20)         /* bytes queued for one TCP peer before it is dropped */
#define DWD_WS_RING 512                 /* stream frames kept for slow viewers */
#define DWD_TRACK_INTERVAL_US 250000    /* a track goes to viewers at most this often */
#define DWD_LAT_BINS 4096               /* latency histogram: 0.1 ms bins up to 409.6 ms */

typedef enum dwd_conn_type {
    DWD_UDP_IN = 1,                     /* an input's UDP socket                     */
    DWD_LISTEN,                         /* a TCP server's listening socket           */
    DWD_TCP_IN,                         /* a TCP connection whose bytes we decode    */
    DWD_TCP_OUT,                        /* a TCP connection we send to               */
} dwd_conn_type;

struct dwd;
struct dwd_io;

/* One descriptor in the loop. */
typedef struct dwd_conn {
    dwd_conn_type type;
    int fd;
    struct lws *wsi;
    struct dwd_io *io;                  /* the input or output it belongs to         */
    char peer[64];                      /* "127.0.0.1:40312"                         */
    char source[96];                    /* the decoder's name for this stream        */
    /* Outgoing bytes not yet taken by the socket. */
    uint8_t *q;
    size_t q_len, q_off, q_cap;
    /* NDJSON input: the line being gathered. */
    char *line;
    size_t line_len, line_cap;
    int line_skip;                      /* discarding an oversized line up to its \n  */
    struct dwd_conn *next;              /* the io's connections                      */
} dwd_conn;

/* An input or an output, with its status for /api/sensors and /api/stats. */
typedef struct dwd_io {
    struct dwd *d;
    int is_input;
    const dw_run_input *in;             /* one of these two */
    const dw_run_output *out;
    char name[64];
    const char *kind;                   /* the config's word */
    char address[160];                  /* what it listens on or connects to, resolved */
    const char *state;                  /* "listening", "connected", "connecting", ... */
    char last_error[160];
    dwd_conn *conns;
    size_t n_conns;
    int fd;                             /* UDP outputs' socket, -1 */
    struct sockaddr_in dest;            /* UDP outputs' destination */
    struct lws_sorted_usec_list sul;    /* reconnect timer (clients) */
    double backoff_s;
    int connecting_fd;                  /* a client's connect in progress, -1 */
    dw_decoder *dec;                    /* inputs: one decoder, one source per connection */
    dw_decode_sink sink;
    int64_t last_rx_wall_us, last_tx_wall_us;
    int down;                           /* a sensor_down was raised for its silence */
    int heard;                          /* it has delivered data since the start */
    uint64_t frames, obs, malformed, bytes, refused, dropped, sent, send_errors, connects;
    uint64_t kernel_dropped;            /* UDP: datagrams the kernel had no room for */
    uint64_t rate_obs_prev;             /* obs at the last rate reading */
    double rate_hz;
    int64_t *last_sent;                 /* outputs: data time each track was last sent, by
                                           the engine's track id modulo a table */
    size_t n_last_sent;
    struct dw_asterix *ax;              /* asterix_udp output: the CAT062 encoder */
    uint64_t seq;
} dwd_io;

/* A frame of the WebSocket stream, shared by every viewer. */
typedef struct dwd_frame {
    uint8_t *buf;                       /* LWS_PRE + text */
    size_t len;
    uint64_t seq;
    int64_t made_wall_us;               /* when it was made                          */
    int64_t oldest_change_wall_us;      /* the oldest change it carries arrived then */
    int sent;                           /* written to at least one viewer             */
} dwd_frame;

/* Observations handed over by the simulator's thread. */
typedef struct dwd_simq_item {
    int kind;                           /* 0 an observation, 1 end of a step (flush + tick) */
    int64_t t_us;
    dw_obs o;
} dwd_simq_item;

typedef struct dwd {
    dw_run_config cfg;
    const char *ready_file;
    int replay;                         /* serving a recording */
    struct lws_context *ctx;
    struct lws_vhost *vh;
    int http_port;
    char token[128];
    char token_path[520];
    char web_root[520], vendor_root[540];
    struct lws_http_mount mounts[3];

    dw_engine *eng;
    dw_sensor *sensors;
    size_t n_sensors;
    dw_sensors_index *sindex;
    uint64_t *sensor_obs;               /* per sensor of the table */
    int64_t *sensor_last_us;
    char **geo_paths;                   /* what the engine loaded, for /api/geo/N */
    size_t n_geo;
    char *config_json;                  /* the effective configuration (session row)  */

    dw_recorder *rec;
    dw_recording *rec_read;             /* for ?t_us= queries and history */
    int64_t session;

    dwd_io io[2 * DW_RUN_MAX_IO];
    size_t n_io;
    dwd_fed *fed;                       /* the federation bus (fed.c), NULL without one */

    /* The clock: data time = t0_data + (wall - t0_wall) * speed. */
    int64_t t0_wall_us, t0_data_us;
    double speed;
    int scenario;
    struct lws_sorted_usec_list sul_tick, sul_ws, sul_second;
    int64_t last_change_wall_us;        /* oldest change not yet in a frame, 0 none */

    /* The stream. */
    dwd_frame ring[DWD_WS_RING];
    uint64_t ring_head;                 /* next seq to be made */
    size_t viewers;
    uint64_t ws_frames, ws_bytes, ws_writes, ws_resyncs, ws_connects;
    uint32_t lat_hist[DWD_LAT_BINS];    /* change arrival to first write, 0.1 ms bins */
    uint64_t lat_n;
    int64_t lat_max_us;

    /* The scenario's thread. */
    pthread_t sim_thread;
    int sim_running, sim_done;
    char sim_error[256];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    dwd_simq_item *q;
    size_t q_len, q_cap;
    dwd_simq_item *backlog;             /* taken from q, not yet in the engine */
    size_t backlog_n, backlog_at;
    struct lws_sorted_usec_list sul_drain;
    uint64_t sim_obs;
    void *scenario_obj;
    uint8_t *sim_keep;                  /* by the scenario's sensor index: this node's owners' */
    size_t n_sim_keep;
    /* Approved engagements, applied to the scenario's world at their intercept (under mu). */
    struct dwd_shot {
        int64_t t_us;                   /* the intercept, data time                   */
        double lat_deg, lon_deg, pk;
        uint64_t rec, track;
    } *shots;
    size_t n_shots, cap_shots;
    uint64_t shots_approved, shots_hit, shots_missed, shots_no_target;

    /* Replay serving. */
    int64_t replay_session;
    double replay_speed;
    int64_t replay_next_seq;
    int replay_done;
    void *replay_rows;                  /* the session's inputs, loaded */
    size_t replay_n, replay_at;

    /* HTTP counters. */
    uint64_t http_requests, http_errors, http_unauthorized, http_too_big, reports;

    volatile int stop;
    int exit_code;
    int64_t started_wall_us;
    char ws_text[1 << 16];              /* a frame being built */
} dwd;

int64_t dwd_wall_us(void);
/* With a scenario: an operator approved recommendation rec_id; the engagement is applied to
 * the simulated world at its intercept (daemon.c). */
void dwd_scenario_engage(dwd *d, uint64_t rec_id);
int64_t dwd_now(const dwd *d);          /* data time now */

/* net.c */
int dwd_io_start(dwd *d, char *err, size_t errlen);
void dwd_io_stop(dwd *d);
int dwd_raw_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len);
void dwd_io_second(dwd *d);             /* once a second: rates, quiet inputs, reconnects */
void dwd_io_poll(dwd *d);               /* connects in progress (every tick) */
void dwd_out_track(dwd *d, int kind, const dw_track *t, const char *line, size_t len);
/* Whether this track is due on this output (once per its period_s of data time). */
int dwd_out_due(dwd_io *io, const dw_track *t, int dead);

/* fed.c: the federation bus, when federation.servers is set (else all of these do nothing). */
int dwd_fed_start(dwd *d, char *err, size_t errlen);   /* after dwd_io_start */
void dwd_fed_stop(dwd *d);
void dwd_fed_drain(dwd *d);             /* on a wake-up: partners' messages into the engine */
void dwd_fed_second(dwd *d);
void dwd_fed_track(dwd *d, int kind, const dw_track *t, const char *line, size_t len);
void dwd_fed_alert(dwd *d, const dw_alert *a, const char *line, size_t len);
void dwd_fed_sensor(dwd *d, const char *line, size_t len);
void dwd_fed_obs(dwd *d, const char *line, size_t len);
void dwd_fed_io_json(const dwd *d, const dwd_io *io, struct dw_jw *w);
void dwd_fed_stats_json(const dwd *d, struct dw_jw *w);
void dwd_out_alert(dwd *d, const dw_alert *a, const char *line, size_t len);
void dwd_io_json(const dwd *d, struct dw_jw *w, int inputs);
void dwd_engine_obs(dwd *d, const dw_obs *o, dwd_io *io);

/* http.c */
int dwd_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                      size_t len);
size_t dwd_http_pss_size(void);
void dwd_ws_push(dwd *d, const char *text, size_t len, int64_t oldest_change_wall_us);
void dwd_ws_changes(dwd *d);            /* the engine's changes into a frame */
void dwd_ws_stats(const dwd *d, double *p50_ms, double *p99_ms, double *max_ms);

#endif

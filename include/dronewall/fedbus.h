/* fedbus.h — a node's connection to the federation bus (NATS JetStream).
 *
 * The daemon's event loop must never wait on the network, and nats.c runs its own threads,
 * so the bus is a small set of threads of its own behind a bounded buffer:
 *
 *   publish  dw_fedbus_publish() copies the message into the buffer and returns at once. A
 *            publisher thread sends it with js_PublishMsgAsync and the Nats-Msg-Id header
 *            set to the caller's msg id; the message leaves the buffer only when its PubAck
 *            arrives. On an error, a timeout or a reconnection it is sent again with the
 *            same id, and JetStream's de-duplication stores it once. When the buffer is
 *            full the OLDEST message is dropped and counted: a picture wants the newest.
 *   consume  one thread per configured durable pull consumer fetches batches and calls
 *            on_msg for each message, then acks it.
 *   connect  the bus is never "down at start" as far as the caller is concerned: start
 *            succeeds with no server reachable, nats.c retries forever, and the streams and
 *            consumers are (re)created each time a connection is made. Only configuration
 *            errors (an unparsable server URL, a TLS file that cannot be loaded, a bad name)
 *            fail dw_fedbus_start.
 *
 * Names on the bus (streams, subjects, inbox prefix, durables) come from fed.h.
 *
 * Threads: on_msg runs in a consumer thread, on_state in a nats.c thread; neither may
 * call dw_fedbus_stop. dw_fedbus_publish, dw_fedbus_flush and dw_fedbus_get_stats may be
 * called from any thread.
 *
 * Process end: nats.c keeps library-wide threads and memory until nats_Close. The bus does
 * not call it (other users of nats.c may share the process); a program that wants a clean
 * exit under valgrind calls dw_fedbus_library_close() once after its last dw_fedbus_stop.
 */
#ifndef DRONEWALL_FEDBUS_H
#define DRONEWALL_FEDBUS_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/status.h"

typedef struct dw_fedbus dw_fedbus;

#define DW_FEDBUS_ERR_MAX 256           /* an error text, NUL included */
#define DW_FEDBUS_DEFAULT_BUFFER_MAX 100000

/* What the consumer thread knows of one received message. Strings live until on_msg returns. */
typedef struct dw_fedbus_meta {
    const char *stream;         /* "DW_PL-1_LT" */
    const char *durable;        /* the consumer it came through */
    uint64_t stream_seq;        /* its sequence in the stream (1, 2, ...) */
    uint64_t delivered;         /* the server's delivery count (1 on the first delivery) */
    int redelivered;            /* 1 when delivered > 1, or when this bus already passed a
                                   message of this or a later stream sequence to on_msg */
    int64_t published_ns;       /* when the stream stored it, ns since 1970 (0 if unknown) */
} dw_fedbus_meta;

/* Called for each message, in the consumer's thread. The data is the bus's: copy what you
 * keep. Return 0 and the message is acked; nonzero and it is refused (negatively acked
 * with a delay of reconnect_wait_ms, then delivered again), e.g. when the caller's own
 * queue is full. */
typedef int (*dw_fedbus_msg_fn)(void *ctx, const char *subject, const void *data, size_t len,
                                const dw_fedbus_meta *m);
/* Called when the connection state changes (see dw_fedbus_state), from a nats.c thread:
 * a wake-up for the caller's event loop, nothing more. */
typedef void (*dw_fedbus_state_fn)(void *ctx);

/* One durable pull consumer on someone's stream. */
typedef struct dw_fedbus_consumer {
    const char *stream;         /* "DW_PL-1_LT" */
    const char *durable;        /* the consuming node's id, "LT-1" */
    const char *filter;         /* subject filter; NULL: the whole stream */
} dw_fedbus_consumer;

/* Caller-owned; every string and array is copied by dw_fedbus_start. Zero means default. */
typedef struct dw_fedbus_config {
    const char *servers;        /* "nats://127.0.0.1:15221,nats://127.0.0.1:15222" (required) */
    const char *user, *password;                /* optional */
    const char *tls_ca, *tls_cert, *tls_key;    /* optional; any of them turns TLS on */
    const char *node;           /* this node's id (required): inbox prefix, stream names */
    const char *const *audiences;               /* the streams it publishes into: */
    size_t n_audiences;                         /*   DW_<node>_<audience> each */
    int replicas;               /* of the streams it creates (default 1) */
    int64_t max_age_s;          /* of the streams it creates (default 0: unlimited) */
    int64_t dup_window_s;       /* JetStream de-duplication window (default 120) */
    const dw_fedbus_consumer *consumers;
    size_t n_consumers;
    size_t buffer_max;          /* messages held for sending (default 100,000) */
    int reconnect_wait_ms;      /* between reconnect attempts and re-sends (default 250) */
    int ack_wait_ms;            /* a PubAck not here after this is a timeout: re-send
                                   (default 2,000) */
    int max_inflight;           /* published, not yet acked (default 4,096) */
    int fetch_batch;            /* messages per pull request (default 256) */
    dw_fedbus_msg_fn on_msg;    /* required when there are consumers */
    dw_fedbus_state_fn on_state;                /* optional */
    void *ctx;                  /* passed to both */
} dw_fedbus_config;

typedef enum dw_fedbus_state {
    DW_FEDBUS_CONNECTING,       /* started, never connected yet; retrying */
    DW_FEDBUS_CONNECTED,
    DW_FEDBUS_RECONNECTING,     /* was connected, lost it; retrying */
    DW_FEDBUS_DOWN              /* closed: stopping, or nats.c gave up */
} dw_fedbus_state;

/* "connecting", "connected", "reconnecting", "down"; static storage. */
const char *dw_fedbus_state_name(dw_fedbus_state s);

/* A snapshot; the names are those of the daemon's /api/stats. */
typedef struct dw_fedbus_stats {
    dw_fedbus_state state;
    char server[128];           /* URL connected to, "" when not connected */
    int streams_ready;          /* 1 when every publishing stream exists */
    uint64_t queued;            /* in the buffer now (not yet acked) */
    uint64_t queued_peak;
    uint64_t published;         /* PubAcks received (a duplicate's too: it is stored once;
                                   and that of a message dropped while in flight) */
    uint64_t duplicates;        /* of those, acks that said "duplicate" */
    uint64_t sent;              /* send attempts */
    uint64_t resent;            /* attempts after the first for a message */
    uint64_t dropped;           /* oldest dropped because the buffer was full */
    uint64_t publish_errors;    /* errors and timeouts of attempts */
    uint64_t received;          /* messages given to on_msg */
    uint64_t acked;             /* of those, acked */
    uint64_t refused;           /* of those, refused by on_msg */
    uint64_t redelivered;       /* of those, flagged redelivered */
    uint64_t consumer_errors;   /* failed pull subscribes and fetches (timeouts are not) */
    uint64_t reconnects;
    char last_error[DW_FEDBUS_ERR_MAX];         /* "" when none */
} dw_fedbus_stats;

/* Start the bus. On DW_OK *out is a bus the caller frees with dw_fedbus_stop. On failure
 * (DW_ERR_INVALID for a bad config, DW_ERR_IO for a file or nats.c error, DW_ERR_NOMEM)
 * *out is unchanged and err (when not NULL, errcap bytes) says why. A server that cannot
 * be reached is not a failure. */
dw_status dw_fedbus_start(const dw_fedbus_config *cfg, dw_fedbus **out, char *err, size_t errcap);

/* Queue one message: subject (a dw.<node>.<audience>.<kind> of one of this bus's streams),
 * len bytes of data, and msg_id (JetStream's de-duplication id; NULL: the bus makes one
 * unique to this bus). Copies everything and never blocks. DW_OK also when the buffer was
 * full and the oldest message was dropped to make room (counted in dropped); DW_ERR_INVALID
 * for a missing subject or a message over 1 MB. */
dw_status dw_fedbus_publish(dw_fedbus *bus, const char *subject, const void *data, size_t len,
                            const char *msg_id);

/* Wait until every queued message is acked or timeout_ms passes: DW_OK when the buffer is
 * empty, DW_ERR_RANGE on the timeout. Blocks: for shutdown and tests, not the event loop. */
dw_status dw_fedbus_flush(dw_fedbus *bus, int timeout_ms);

/* A consistent snapshot of the counters into *out. */
void dw_fedbus_get_stats(dw_fedbus *bus, dw_fedbus_stats *out);

/* Stop the threads, close the connection and free everything; messages still queued are
 * lost (flush first to keep them). Messages a consumer fetched but did not hand to on_msg
 * are given back to the server at once (negative ack); the durables stay on the server.
 * Blocks for up to about half a second (a pull in progress), longer only while a stream is
 * being created on a server that does not answer (up to 5 s). NULL is fine. */
void dw_fedbus_stop(dw_fedbus *bus);

/* nats_Close: release nats.c's library-wide threads and memory. Call once, after the last
 * dw_fedbus_stop of the process, when a clean exit matters (valgrind); a later
 * dw_fedbus_start opens the library again. */
void dw_fedbus_library_close(void);

#endif

/* net.c — the daemon's inputs and outputs: our own sockets, adopted into the lws loop as
 * raw descriptors (daemon_int.h).
 *
 * Inputs decode what arrives with the codec of their kind (one decoder per input, one
 * stream per connection) and hand each observation to the engine, then flush it: a
 * datagram or a read is a batch. Nothing an input receives can stop the daemon: bad
 * frames are counted by the decoders, oversized lines and frames are counted and skipped,
 * a peer that goes away is forgotten (a client input reconnects with a doubling delay),
 * and a silent input raises a sensor-down alert.
 * Outputs send tracks (at most once per period_s of data time per track) and alerts; a
 * TCP peer that does not read is dropped when DWD_OUTQ_MAX bytes wait for it.
 */
#define _GNU_SOURCE 1     /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dronewall/asterix.h"
#include "dronewall/codec.h"
#include "dronewall/cot.h"
#include "dronewall/jsonw.h"
#include "dronewall/ndjson.h"
#include "serve/daemon_int.h"

#define RX_BUF 65536
#define LAST_SENT_SLOTS 65536

static uint8_t g_rx[RX_BUF];
static uint8_t g_tx[16384];

static int is_client_in(dw_run_in_kind k) { return k == DW_IN_BEAST_TCP || k == DW_IN_SBS_TCP; }
static int is_udp_in(dw_run_in_kind k) { return k == DW_IN_ASTERIX_UDP || k == DW_IN_COT_UDP; }

static const char *codec_of(dw_run_in_kind k)
{
    switch (k) {
    case DW_IN_ASTERIX_UDP: return "asterix";
    case DW_IN_BEAST_TCP: return "beast";
    case DW_IN_SBS_TCP: return "sbs";
    case DW_IN_SAPIENT_TCP: return "sapient";
    case DW_IN_COT_UDP: return "cot";
    default: return NULL;
    }
}

static int resolve(const char *hostport, struct sockaddr_in *sa, char *err, size_t errlen)
{
    char host[128];
    int port = 0;
    if (dw_hostport_parse(hostport, host, sizeof host, &port, err, errlen) != DW_OK)
        return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!host[0] || !strcmp(host, "*")) {
        sa->sin_addr.s_addr = htonl(INADDR_ANY);
        return 0;
    }
    if (inet_pton(AF_INET, host, &sa->sin_addr) == 1)
        return 0;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc || !res) {
        snprintf(err, errlen, "%.80s: cannot resolve: %.80s", hostport, gai_strerror(rc));
        return -1;
    }
    sa->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
    freeaddrinfo(res);
    return 0;
}

static void addr_text(const struct sockaddr_in *sa, char *buf, size_t cap)
{
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof ip);
    snprintf(buf, cap, "%s:%u", ip, ntohs(sa->sin_port));
}

static dwd_conn *conn_new(dwd_io *io, dwd_conn_type type, int fd)
{
    dwd_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->type = type;
    c->fd = fd;
    c->io = io;
    lws_sock_file_fd_type u;
    u.filefd = fd;
    c->wsi = lws_adopt_descriptor_vhost(io->d->vh, LWS_ADOPT_RAW_FILE_DESC, u, "dw-raw", NULL);
    if (!c->wsi) {
        free(c);
        close(fd);
        return NULL;
    }
    lws_set_opaque_user_data(c->wsi, c);
    c->next = io->conns;
    io->conns = c;
    io->n_conns++;
    return c;
}

static void conn_unlink(dwd_conn *c)
{
    dwd_io *io = c->io;
    for (dwd_conn **p = &io->conns; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            io->n_conns--;
            break;
        }
    free(c->q);
    free(c->line);
    free(c);
}

/* ------------------------------------------------------------------ inputs */

void dwd_engine_obs(dwd *d, const dw_obs *o, dwd_io *io)
{
    int i = dw_sensors_index_find(d->sindex, o->sensor);
    size_t slot = i >= 0 ? (size_t)i : d->n_sensors;
    d->sensor_obs[slot]++;
    d->sensor_last_us[slot] = o->t_us;
    if (io)
        io->obs++;
    dw_engine_obs(d->eng, o);
}

static void on_decoded(void *ctx, const dw_obs *in)
{
    dwd_io *io = ctx;
    dw_obs o = *in;
    if (!o.sensor[0])
        snprintf(o.sensor, sizeof o.sensor, "%.*s", (int)sizeof o.sensor - 1, io->name);
    dwd_engine_obs(io->d, &o, io);
}

static void feed(dwd_io *io, dwd_conn *c, const uint8_t *buf, size_t n, int datagram)
{
    dwd *d = io->d;
    io->bytes += n;
    if (datagram)
        io->frames++;       /* a datagram is a frame; on a stream, each frame or line is */
    io->last_rx_wall_us = dwd_wall_us();
    if (!io->heard) {
        /* Its first data: the input is up (a later silence says since when). */
        io->heard = 1;
        dw_engine_sensor(d->eng, io->name, 1, dwd_now(d));
    }
    if (io->in->kind == DW_IN_NDJSON_TCP) {
        /* Lines, each at most max_frame bytes; a longer one is skipped to its end. */
        for (size_t i = 0; i < n; i++) {
            char ch = (char)buf[i];
            if (ch == '\n') {
                if (c->line_skip) {
                    c->line_skip = 0;
                } else if (c->line_len) {
                    io->frames++;
                    dw_record rec;
                    char perr[200];
                    if (dw_ndjson_parse(c->line, c->line_len, &rec, perr, sizeof perr) == DW_OK &&
                        rec.type == DW_REC_OBS) {
                        if (!rec.u.obs.sensor[0])
                            snprintf(rec.u.obs.sensor, sizeof rec.u.obs.sensor, "%.*s",
                                     (int)sizeof rec.u.obs.sensor - 1, io->name);
                        dwd_engine_obs(d, &rec.u.obs, io);
                    } else {
                        io->malformed++;
                    }
                }
                c->line_len = 0;
                continue;
            }
            if (c->line_skip)
                continue;
            if (c->line_len + 1 >= io->in->max_frame) {
                io->frames++;
                io->malformed++;
                c->line_skip = 1;
                c->line_len = 0;
                continue;
            }
            if (c->line_len + 1 >= c->line_cap) {
                size_t nc = c->line_cap ? c->line_cap * 2 : 4096;
                if (nc > io->in->max_frame + 1)
                    nc = io->in->max_frame + 1;
                char *l = realloc(c->line, nc);
                if (!l) {
                    io->dropped++;
                    c->line_skip = 1;
                    c->line_len = 0;
                    continue;
                }
                c->line = l;
                c->line_cap = nc;
            }
            c->line[c->line_len++] = ch;
        }
        dw_engine_flush(d->eng);
        return;
    }
    uint64_t bad0 = io->sink.stats.malformed + io->sink.stats.unknown;
    uint64_t good0 = io->sink.stats.frames, mal0 = io->sink.stats.malformed;
    uint64_t skip0 = io->sink.stats.skipped_bytes;
    dw_decoder_stats ds0, ds1;
    dw_decoder_get_stats(io->dec, &ds0);
    dw_frame_meta m;
    memset(&m, 0, sizeof m);
    m.rx_us = dwd_now(d);
    m.linktype = datagram ? DW_LINK_DATAGRAM : DW_LINK_STREAM;
    m.source = c ? c->source : io->name;
    /* The decoder's stream buffer holds lim bytes (start_input): fed at most that much at a
     * time, a frame longer than max_frame can never be whole, so it is dropped (an
     * overflow) rather than decoded straight from a large read. */
    size_t lim = io->in->max_frame > 4096 ? io->in->max_frame : 4096;
    if (datagram && n > lim)
        io->sink.stats.malformed++;
    else
        for (size_t off = 0; off < n; off += lim)
            dw_decoder_feed(io->dec, buf + off, n - off < lim ? n - off : lim, &m);
    dw_decoder_get_stats(io->dec, &ds1);
    uint64_t bad = io->sink.stats.malformed + io->sink.stats.unknown - bad0 +
                   (ds1.overflows - ds0.overflows);
    uint64_t good = io->sink.stats.frames - good0;
    if (datagram && !good && !bad && io->sink.stats.skipped_bytes != skip0)
        bad = 1;            /* a datagram nothing could be made of */
    io->malformed += bad;
    if (!datagram)          /* decoded, refused by the codec, or too long */
        io->frames += good + (io->sink.stats.malformed - mal0) + (ds1.overflows - ds0.overflows);
    dw_engine_flush(d->eng);
}

static int udp_rx(dwd_conn *c)
{
    dwd_io *io = c->io;
    /* A few datagrams a turn (a radar's sector of ~30 plots costs ~0.5 ms to track), then
     * back to the loop, so that frames, timers and viewers wait a few ms, not ~100 ms. */
    for (int k = 0; k < 8; k++) {
        /* The kernel says (SO_RXQ_OVFL) how many datagrams it dropped on this socket for
         * want of room: a loss nobody would see otherwise. */
        union {
            char buf[CMSG_SPACE(sizeof(uint32_t))];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = {g_rx, sizeof g_rx};
        struct msghdr mh;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = ctl.buf;
        mh.msg_controllen = sizeof ctl.buf;
        ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT);
        if (n < 0)
            return 0;       /* drained (or a transient error: the next event retries) */
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
                uint32_t dropped;
                memcpy(&dropped, CMSG_DATA(cm), sizeof dropped);
                io->kernel_dropped = dropped;
            }
        feed(io, NULL, g_rx, (size_t)n, 1);
    }
    return 0;
}

static void set_state(dwd_io *io, const char *state) { io->state = state; }

/* ------------------------------------------------------------------ clients */

static void client_connect(dwd_io *io)
{
    const char *target = io->is_input ? io->in->connect : io->out->connect;
    struct sockaddr_in sa;
    char err[200];
    if (resolve(target, &sa, err, sizeof err)) {
        snprintf(io->last_error, sizeof io->last_error, "%.*s", (int)sizeof io->last_error - 1, err);
        set_state(io, "retrying");
        return;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        snprintf(io->last_error, sizeof io->last_error, "connect %s: %s", target, strerror(errno));
        close(fd);
        set_state(io, "retrying");
        return;
    }
    io->connecting_fd = fd;
    set_state(io, "connecting");
}

static int64_t g_retry_at[2 * DW_RUN_MAX_IO];

static void schedule_retry(dwd_io *io)
{
    dwd *d = io->d;
    double first = io->is_input && io->in->reconnect_s > 0 ? io->in->reconnect_s : 1.0;
    if (io->backoff_s < first)
        io->backoff_s = first;
    g_retry_at[io - d->io] = dwd_wall_us() + (int64_t)(io->backoff_s * 1e6);
    io->backoff_s *= 2;
    if (io->backoff_s > 30)
        io->backoff_s = 30;
    set_state(io, "retrying");
}

/* Connects in progress: done, failed, or still going. */
static void poll_connects(dwd *d)
{
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        if (io->connecting_fd < 0)
            continue;
        struct pollfd p = {io->connecting_fd, POLLOUT, 0};
        if (poll(&p, 1, 0) <= 0)
            continue;
        int e = 0;
        socklen_t el = sizeof e;
        getsockopt(io->connecting_fd, SOL_SOCKET, SO_ERROR, &e, &el);
        int fd = io->connecting_fd;
        io->connecting_fd = -1;
        if (e) {
            snprintf(io->last_error, sizeof io->last_error, "connect %s: %s",
                     io->is_input ? io->in->connect : io->out->connect, strerror(e));
            close(fd);
            schedule_retry(io);
            continue;
        }
        dwd_conn *c = conn_new(io, io->is_input ? DWD_TCP_IN : DWD_TCP_OUT, fd);
        if (!c) {
            schedule_retry(io);
            continue;
        }
        snprintf(c->peer, sizeof c->peer, "%.*s", (int)sizeof c->peer - 1,
                 io->is_input ? io->in->connect : io->out->connect);
        snprintf(c->source, sizeof c->source, "%s#%llu", io->name,
                 (unsigned long long)++io->connects);
        io->backoff_s = 0;
        io->last_error[0] = 0;
        set_state(io, "connected");
    }
}

/* ------------------------------------------------------------------ servers */

static int listen_on(dwd_io *io, const char *hostport, int udp, char *err, size_t errlen)
{
    struct sockaddr_in sa;
    if (resolve(hostport, &sa, err, errlen))
        return -1;
    int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "%s: socket: %s", io->name, strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const char *group = io->is_input ? io->in->group : "";
    if (udp && group[0]) {
        /* A multicast receiver binds the group's address and port (so that it gets that
         * group's datagrams only, not another group's on the same port) and joins it. */
        if (inet_pton(AF_INET, group, &sa.sin_addr) != 1) {
            snprintf(err, errlen, "%s: group %s is not an IPv4 address", io->name, group);
            close(fd);
            return -1;
        }
    }
    if (udp) {
        /* 8 MiB of datagrams can wait while the loop is busy. SO_RCVBUF is capped by
         * net.core.rmem_max (often 208 KiB: a second of a busy radar feed); a process
         * allowed to (CAP_NET_ADMIN) goes past the cap. */
        int rcv = 8 << 20;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, errlen, "%s: cannot listen on %s: %s", io->name, hostport, strerror(errno));
        close(fd);
        return -1;
    }
    if (udp && group[0]) {
        struct ip_mreq mr;
        memset(&mr, 0, sizeof mr);
        if (inet_pton(AF_INET, group, &mr.imr_multiaddr) != 1) {
            snprintf(err, errlen, "%s: group %s is not an IPv4 address", io->name, group);
            close(fd);
            return -1;
        }
        mr.imr_interface.s_addr = htonl(INADDR_ANY);
        if (io->in->iface[0] && inet_pton(AF_INET, io->in->iface, &mr.imr_interface) != 1) {
            snprintf(err, errlen, "%s: iface %s is not an IPv4 address", io->name, io->in->iface);
            close(fd);
            return -1;
        }
        if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) != 0) {
            snprintf(err, errlen, "%s: cannot join %s: %s", io->name, group, strerror(errno));
            close(fd);
            return -1;
        }
    }
    if (!udp && listen(fd, 64) != 0) {
        snprintf(err, errlen, "%s: listen %s: %s", io->name, hostport, strerror(errno));
        close(fd);
        return -1;
    }
    struct sockaddr_in got;
    socklen_t gl = sizeof got;
    getsockname(fd, (struct sockaddr *)&got, &gl);
    addr_text(&got, io->address, sizeof io->address);
    if (udp && group[0]) {
        char a[64];
        snprintf(a, sizeof a, "%.*s", (int)sizeof a - 1, io->address);
        snprintf(io->address, sizeof io->address, "%.63s (group %.63s)", a, group);
    }
    dwd_conn *c = conn_new(io, udp ? DWD_UDP_IN : DWD_LISTEN, fd);
    if (!c) {
        snprintf(err, errlen, "%s: cannot watch its socket", io->name);
        return -1;
    }
    set_state(io, "listening");
    return 0;
}

static int accept_rx(dwd_conn *lc)
{
    dwd_io *io = lc->io;
    for (int k = 0; k < 64; k++) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int fd = accept4(lc->fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return 0;
        size_t max = io->is_input ? io->in->max_clients : 64;
        if (io->n_conns - 1 >= max) {   /* the listening socket is one of them */
            io->refused++;
            close(fd);
            continue;
        }
        dwd_conn *c = conn_new(io, io->is_input ? DWD_TCP_IN : DWD_TCP_OUT, fd);
        if (!c) {
            io->refused++;
            continue;
        }
        addr_text(&sa, c->peer, sizeof c->peer);
        snprintf(c->source, sizeof c->source, "%s#%llu", io->name,
                 (unsigned long long)++io->connects);
    }
    return 0;
}

/* ------------------------------------------------------------------ start, stop */

static int start_input(dwd *d, const dw_run_input *in, char *err, size_t errlen)
{
    dwd_io *io = &d->io[d->n_io];
    memset(io, 0, sizeof *io);
    io->d = d;
    io->is_input = 1;
    io->in = in;
    io->fd = io->connecting_fd = -1;
    snprintf(io->name, sizeof io->name, "%s", in->name);
    io->kind = dw_run_in_kind_name(in->kind);
    io->state = "starting";
    const char *cn = codec_of(in->kind);
    if (cn) {
        const dw_codec_ops *ops = dw_codec_find(cn);
        io->sink.obs = on_decoded;
        io->sink.ctx = io;
        io->sink.want_obs = 1;
        if (!ops || dw_decoder_create(ops, NULL, &io->sink, &io->dec) != DW_OK) {
            snprintf(err, errlen, "%s: cannot create the %s decoder", io->name, cn);
            return -1;
        }
        size_t srcs = in->max_clients > 0 ? in->max_clients : 1;
        dw_decoder_set_limits(io->dec, in->max_frame > 4096 ? in->max_frame : 4096,
                              srcs < DW_DECODER_MAX_SOURCES ? DW_DECODER_MAX_SOURCES : srcs);
    }
    d->n_io++;
    io->last_rx_wall_us = 0;
    if (in->kind == DW_IN_NATS)
        return 0;               /* fed.c: the bus's consumer */
    if (is_client_in(in->kind)) {
        snprintf(io->address, sizeof io->address, "%s", in->connect);
        client_connect(io);
        if (io->connecting_fd < 0)
            schedule_retry(io);
        return 0;
    }
    return listen_on(io, in->listen, is_udp_in(in->kind), err, errlen);
}

static int start_output(dwd *d, const dw_run_output *out, char *err, size_t errlen)
{
    dwd_io *io = &d->io[d->n_io];
    memset(io, 0, sizeof *io);
    io->d = d;
    io->out = out;
    io->fd = io->connecting_fd = -1;
    snprintf(io->name, sizeof io->name, "%s", out->name);
    io->kind = dw_run_out_kind_name(out->kind);
    io->state = "starting";
    io->last_sent = calloc(LAST_SENT_SLOTS * 2, sizeof *io->last_sent);
    if (!io->last_sent)
        return -1;
    io->n_last_sent = LAST_SENT_SLOTS;
    d->n_io++;
    switch (out->kind) {
    case DW_OUT_COT_UDP:
    case DW_OUT_ASTERIX_UDP: {
        if (resolve(out->connect, &io->dest, err, errlen))
            return -1;
        io->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (io->fd < 0) {
            snprintf(err, errlen, "%s: socket: %s", io->name, strerror(errno));
            return -1;
        }
        unsigned char ttl = (unsigned char)(out->ttl > 0 ? out->ttl : 1);
        setsockopt(io->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
        addr_text(&io->dest, io->address, sizeof io->address);
        if (out->kind == DW_OUT_ASTERIX_UDP) {
            char ed[64];
            snprintf(ed, sizeof ed, "sac=%d,sic=%d", out->sac, out->sic);
            dw_codec_config cc;
            memset(&cc, 0, sizeof cc);
            cc.edition = ed;
            if (dw_asterix_create(&cc, &io->ax) != DW_OK) {
                snprintf(err, errlen, "%s: cannot make the CAT062 encoder (sac %d, sic %d)",
                         io->name, out->sac, out->sic);
                return -1;
            }
        }
        set_state(io, "sending");
        return 0;
    }
    case DW_OUT_COT_TCP:
        snprintf(io->address, sizeof io->address, "%s", out->connect);
        client_connect(io);
        if (io->connecting_fd < 0)
            schedule_retry(io);
        return 0;
    case DW_OUT_NDJSON_TCP:
        return listen_on(io, out->listen, 0, err, errlen);
    case DW_OUT_NATS:
        return 0;               /* fed.c: the bus's publisher */
    }
    return 0;
}

int dwd_io_start(dwd *d, char *err, size_t errlen)
{
    for (size_t i = 0; i < d->cfg.n_inputs; i++)
        if (start_input(d, &d->cfg.inputs[i], err, errlen))
            return -1;
    for (size_t i = 0; i < d->cfg.n_outputs; i++)
        if (start_output(d, &d->cfg.outputs[i], err, errlen))
            return -1;
    return 0;
}

void dwd_io_stop(dwd *d)
{
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        if (io->connecting_fd >= 0)
            close(io->connecting_fd);
        if (io->fd >= 0)
            close(io->fd);
        dw_decoder_destroy(io->dec);
        dw_asterix_destroy(io->ax);
        free(io->last_sent);
        /* Connections are closed with the lws context, which calls RAW_CLOSE_FILE. */
        io->dec = NULL;
        io->ax = NULL;
        io->last_sent = NULL;
        io->fd = io->connecting_fd = -1;
    }
}

/* ------------------------------------------------------------------ the raw callback */

static void flush_out(dwd_conn *c)
{
    while (c->q_off < c->q_len) {
        ssize_t n = send(c->fd, c->q + c->q_off, c->q_len - c->q_off, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                lws_callback_on_writable(c->wsi);
            break;
        }
        c->q_off += (size_t)n;
    }
    if (c->q_off == c->q_len)
        c->q_off = c->q_len = 0;
}

int dwd_raw_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len)
{
    (void)user;
    (void)in;
    (void)len;
    dwd_conn *c = wsi ? lws_get_opaque_user_data(wsi) : NULL;
    switch (reason) {
    case LWS_CALLBACK_RAW_RX_FILE:
        if (!c)
            return 0;
        switch (c->type) {
        case DWD_UDP_IN:
            return udp_rx(c);
        case DWD_LISTEN:
            return accept_rx(c);
        case DWD_TCP_IN:
        case DWD_TCP_OUT: {
            ssize_t n = recv(c->fd, g_rx, sizeof g_rx, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                return -1;      /* gone: lws closes it */
            if (n > 0 && c->type == DWD_TCP_IN)
                feed(c->io, c, g_rx, (size_t)n, 0);
            return 0;
        }
        }
        return 0;
    case LWS_CALLBACK_RAW_WRITEABLE_FILE:
        if (c && c->type == DWD_TCP_OUT)
            flush_out(c);
        return 0;
    case LWS_CALLBACK_RAW_CLOSE_FILE:
        if (c) {
            dwd_io *io = c->io;
            int client = (io->is_input && is_client_in(io->in->kind)) ||
                         (!io->is_input && io->out->kind == DW_OUT_COT_TCP);
            int stopping = io->d->stop;
            lws_set_opaque_user_data(wsi, NULL);
            conn_unlink(c);
            if (client && !stopping)
                schedule_retry(io);
        }
        return 0;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ outputs */

static void enqueue(dwd_io *io, dwd_conn *c, const void *buf, size_t n)
{
    if (c->q_len + n > DWD_OUTQ_MAX) {
        /* A peer that does not read loses its connection, not our memory. */
        io->dropped++;
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_ACK, LWS_TO_KILL_ASYNC);
        return;
    }
    if (c->q_len + n > c->q_cap) {
        size_t nc = c->q_cap ? c->q_cap : 65536;
        while (nc < c->q_len + n)
            nc *= 2;
        uint8_t *q = realloc(c->q, nc);
        if (!q) {
            io->dropped++;
            return;
        }
        c->q = q;
        c->q_cap = nc;
    }
    memcpy(c->q + c->q_len, buf, n);
    c->q_len += n;
    io->sent++;
    io->last_tx_wall_us = dwd_wall_us();
    flush_out(c);
}

static void send_all(dwd_io *io, const void *buf, size_t n)
{
    for (dwd_conn *c = io->conns; c; c = c->next)
        if (c->type == DWD_TCP_OUT)
            enqueue(io, c, buf, n);
}

static void send_udp(dwd_io *io, const void *buf, size_t n)
{
    if (sendto(io->fd, buf, n, MSG_DONTWAIT, (struct sockaddr *)&io->dest, sizeof io->dest) < 0)
        io->send_errors++;
    else {
        io->sent++;
        io->last_tx_wall_us = dwd_wall_us();
    }
}

int dwd_out_due(dwd_io *io, const dw_track *t, int dead)
{
    size_t slot = (size_t)(t->id % io->n_last_sent);
    int64_t *e = &io->last_sent[2 * slot];
    int64_t period = (int64_t)llround(io->out->period_s * 1e6);
    if (!dead && e[0] == (int64_t)t->id && t->t_us - e[1] < period && t->t_us >= e[1])
        return 0;
    e[0] = (int64_t)t->id;
    e[1] = t->t_us;
    return 1;
}

void dwd_out_track(dwd *d, int kind, const dw_track *t, const char *line, size_t len)
{
    if (!t)
        return;
    int dead = kind == DW_ENG_OUT_DEAD;
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        if (io->is_input || io->out->kind == DW_OUT_NATS)
            continue;
        if (io->out->hostile_only && t->affiliation != DW_AFF_HOSTILE &&
            t->affiliation != DW_AFF_SUSPECT)
            continue;
        if (!dwd_out_due(io, t, dead))
            continue;
        uint8_t *end = NULL;
        switch (io->out->kind) {
        case DW_OUT_COT_UDP:
        case DW_OUT_COT_TCP: {
            char prefix[80];
            snprintf(prefix, sizeof prefix, "%s-", d->cfg.node_id);
            dw_cot_track_opts co = {DW_COT_WIRE_XML, 0, prefix};
            if (dw_cot_encode_track(t, t->t_us, &co, g_tx, g_tx + sizeof g_tx, &end) != DW_OK) {
                io->send_errors++;
                break;
            }
            if (io->out->kind == DW_OUT_COT_UDP)
                send_udp(io, g_tx, (size_t)(end - g_tx));
            else
                send_all(io, g_tx, (size_t)(end - g_tx));
            break;
        }
        case DW_OUT_ASTERIX_UDP:
            if (dw_asterix_encode_track(io->ax, t, t->t_us, g_tx, g_tx + sizeof g_tx, &end) != DW_OK) {
                io->send_errors++;
                break;
            }
            send_udp(io, g_tx, (size_t)(end - g_tx));
            break;
        case DW_OUT_NDJSON_TCP:
            if (len + 1 <= sizeof g_tx) {
                memcpy(g_tx, line, len);
                g_tx[len] = '\n';
                send_all(io, g_tx, len + 1);
            }
            break;
        case DW_OUT_NATS:
            break;
        }
    }
}

void dwd_out_alert(dwd *d, const dw_alert *a, const char *line, size_t len)
{
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        if (io->is_input || !io->out->alerts)
            continue;
        if (io->out->kind == DW_OUT_NDJSON_TCP && len + 1 <= sizeof g_tx) {
            memcpy(g_tx, line, len);
            g_tx[len] = '\n';
            send_all(io, g_tx, len + 1);
        } else if (a && (io->out->kind == DW_OUT_COT_UDP || io->out->kind == DW_OUT_COT_TCP)) {
            uint8_t *end = NULL;
            if (dw_alert_to_cot(a, a->t_us, g_tx, g_tx + sizeof g_tx, &end) != DW_OK)
                continue;   /* only neighbour notices have a CoT form */
            if (io->out->kind == DW_OUT_COT_UDP)
                send_udp(io, g_tx, (size_t)(end - g_tx));
            else
                send_all(io, g_tx, (size_t)(end - g_tx));
        }
    }
}

/* ------------------------------------------------------------------ once a second */

void dwd_io_second(dwd *d)
{
    int64_t now = dwd_wall_us();
    poll_connects(d);
    dwd_fed_second(d);
    for (size_t i = 0; i < d->n_io; i++) {
        dwd_io *io = &d->io[i];
        io->rate_hz = (double)(io->obs - io->rate_obs_prev);
        io->rate_obs_prev = io->obs;
        int client = (io->is_input && is_client_in(io->in->kind)) ||
                     (!io->is_input && io->out->kind == DW_OUT_COT_TCP);
        if (client && !io->n_conns && io->connecting_fd < 0 && now >= g_retry_at[i]) {
            client_connect(io);
            if (io->connecting_fd < 0)
                schedule_retry(io);     /* refused at once: the delay doubles all the same */
        }
        if (!io->is_input || io->in->quiet_s <= 0)
            continue;
        int64_t since = io->last_rx_wall_us ? io->last_rx_wall_us : d->started_wall_us;
        int quiet = now - since > (int64_t)(io->in->quiet_s * 1e6);
        if (quiet && !io->down) {
            io->down = 1;
            dw_engine_sensor(d->eng, io->name, 0, dwd_now(d));
        } else if (!quiet && io->down) {
            io->down = 0;
            dw_engine_sensor(d->eng, io->name, 1, dwd_now(d));
        }
    }
}

void dwd_io_poll(dwd *d) { poll_connects(d); }

void dwd_io_json(const dwd *d, struct dw_jw *w, int inputs)
{
    dw_jw_arr(w);
    for (size_t i = 0; i < d->n_io; i++) {
        const dwd_io *io = &d->io[i];
        if (io->is_input != inputs)
            continue;
        dw_jw_obj(w);
        dw_jw_kstr(w, "name", io->name);
        dw_jw_kstr(w, "kind", io->kind ? io->kind : "");
        dw_jw_kstr(w, "address", io->address);
        const char *state = io->state;
        if (io->is_input && io->down)
            state = "quiet";
        dw_jw_kstr(w, "state", state ? state : "");
        if (io->last_error[0])
            dw_jw_kstr(w, "error", io->last_error);
        dw_jw_key(w, io->is_input ? "last_rx_us" : "last_tx_us");
        int64_t t = io->is_input ? io->last_rx_wall_us : io->last_tx_wall_us;
        if (t)
            dw_jw_int(w, t);
        else
            dw_jw_null(w);
        size_t clients = 0;
        for (const dwd_conn *c = io->conns; c; c = c->next)
            clients += c->type == DWD_TCP_IN || c->type == DWD_TCP_OUT;
        dw_jw_kint(w, "clients", (int64_t)clients);
        if (io->is_input) {
            dw_jw_kint(w, "frames", (int64_t)io->frames);
            dw_jw_kint(w, "obs", (int64_t)io->obs);
            dw_jw_kdouble(w, "obs_per_s", io->rate_hz);
            dw_jw_kint(w, "malformed", (int64_t)io->malformed);
            dw_jw_kint(w, "bytes", (int64_t)io->bytes);
            dw_jw_kint(w, "refused", (int64_t)io->refused);
            dw_jw_kint(w, "dropped", (int64_t)io->dropped);
            if (io->in->kind == DW_IN_ASTERIX_UDP || io->in->kind == DW_IN_COT_UDP)
                dw_jw_kint(w, "kernel_dropped", (int64_t)io->kernel_dropped);
            if (io->dec) {
                dw_decoder_stats ds;
                dw_decoder_get_stats(io->dec, &ds);
                dw_jw_kint(w, "skipped_bytes", (int64_t)io->sink.stats.skipped_bytes);
                dw_jw_kint(w, "overflows", (int64_t)ds.overflows);
            }
        } else {
            dw_jw_kint(w, "sent", (int64_t)io->sent);
            dw_jw_kint(w, "send_errors", (int64_t)io->send_errors);
            dw_jw_kint(w, "dropped", (int64_t)io->dropped);
        }
        if (io->is_input ? io->in->kind == DW_IN_NATS : io->out->kind == DW_OUT_NATS)
            dwd_fed_io_json(d, io, w);
        dw_jw_obj_end(w);
    }
    dw_jw_arr_end(w);
}

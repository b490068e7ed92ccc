/*
 * proto.h - what every C shim of sesslife-shim/1 shares (docs/protocol.md):
 * the operation names, a request and its parser, the events a call raises,
 * a growable string for replies, and the TLS record framing the in-memory
 * connections use. The OpenSSL shim (shim.c, bench.c) and the wolfSSL shim
 * (../wolfssl/shim.c) compile proto.c and json.c in; what differs between
 * libraries (calls, threads, output) stays in each shim.
 */
#ifndef SESSLIFE_PROTO_H
#define SESSLIFE_PROTO_H

#include <stddef.h>

#define PROTOCOL "sesslife-shim/1"
#define MAX_LANES 64
/* MAX_HANDLE bounds the handles a request may name. */
#define MAX_HANDLE 1000000

/* op is a call of the model (model.Kind) or a control operation. */
enum op {
    OP_UNKNOWN, OP_CTX_NEW, OP_CTX_FREE, OP_SSL_NEW, OP_SSL_FREE, OP_SSL_CLEAR, OP_SHUTDOWN, OP_FATAL_ALERT,
    OP_HANDSHAKE, OP_READ_TICKET, OP_GET0, OP_GET1, OP_UP_REF, OP_SESS_FREE, OP_SET_SESSION, OP_SESSION_REUSED,
    OP_IS_RESUMABLE, OP_SET_TIME, OP_SET_TIMEOUT, OP_GET_TIME, OP_GET_TIMEOUT, OP_CTX_SET_TIMEOUT,
    OP_SET_CACHE_SIZE, OP_ADD_SESSION, OP_REMOVE_SESSION, OP_FLUSH, OP_SESS_NUMBER, OP_SESS_HITS,
    OP_SESS_MISSES, OP_SESS_TIMEOUTS, OP_SESS_CACHE_FULL, OP_TICK,
    OP_OBSERVE, OP_RESET, OP_QUIT
};

/* op_names are the operations' names on the wire, exactly
 * model.Kind.String() plus the control operations; NULL for OP_UNKNOWN. */
extern const char *const op_names[OP_QUIT + 1];

/* parse_op returns the operation named name, or OP_UNKNOWN. */
enum op parse_op(const char *name);

enum ev_kind { EV_NEW = 1, EV_REMOVE, EV_DESTROYED };

/* event is one lifetime event a call raised. */
struct event {
    enum ev_kind kind;
    int ctx;
    int sess;
};

/* events collects what one call raised, in order. */
struct events {
    struct event *v;
    size_t n, cap;
};

/* config is SSL_CTX_new's "config" object. */
struct config {
    int server, default_mode, no_ticket, new_cb, remove_cb;
    long long mode, size, timeout, tickets;
};

/* request is one parsed request line. */
struct request {
    struct request *next; /* in a lane's queue (OpenSSL shim) */
    long long id;
    long long now;
    int lane;
    char op[48];
    long long ctx, ssl, peer, sess, arg;
    struct config cfg;
};

/* shim_parse_request fills rq from one request line; -1 with err set if
 * the line is not a valid request (rq->id is then what could be read, or
 * 0). */
int shim_parse_request(const char *line, struct request *rq, char *err, size_t errlen);

/* must_grow makes p hold at least need elements of elem bytes (*cap is
 * its capacity, updated); it aborts when memory runs out. */
void *must_grow(void *p, size_t *cap, size_t need, size_t elem);

/* sbuf is a growable string; s is not NUL-terminated. */
struct sbuf {
    char *s;
    size_t n, cap;
};

/* sb_printf appends formatted text to b. */
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sb_string appends s as a JSON string literal. */
void sb_string(struct sbuf *b, const char *s);

/* record_len is the length of the TLS record at b (header included),
 * clipped to what is there. */
size_t record_len(const unsigned char *b, size_t avail);

#endif

/*
 * proto.h - the protocol sesslife-shim/1 as every C shim reads it
 * (docs/protocol.md): the operations (the calls of calls.h and the control
 * operations), a request and its parser, the events a call raises, a
 * growable string for replies, and the TLS record framing the in-memory
 * connections use.
 */
#ifndef SESSLIFE_PROTO_H
#define SESSLIFE_PROTO_H

#include <stddef.h>
#include <string.h>

#define PROTOCOL "sesslife-shim/1"
#define MAX_LANES 64
/* MAX_HANDLE bounds the handles a request may name. */
#define MAX_HANDLE 1000000

/* op is a call of the model (model.Kind, listed in calls.h: OP_SSL_new is
 * SSL_new) or, from OP_OBSERVE on, a control operation. */
enum op {
    OP_UNKNOWN,
#define SESSLIFE_CALL(name, ctx, ssl, peer, sess) OP_##name,
#include "calls.h"
#undef SESSLIFE_CALL
    OP_OBSERVE, OP_RESET, OP_QUIT
};

/* op_names are the operations' names on the wire, exactly
 * model.Kind.String() plus the control operations; NULL for OP_UNKNOWN. */
extern const char *const op_names[OP_QUIT + 1];

/* arg_use says what a handle field of a call's request names (calls.h). */
enum arg_use { ARG_NO, ARG_NEW, ARG_LIVE, ARG_OR_NULL };

/* call_shape is a call's row of calls.h: the use of each handle field. */
struct call_shape {
    unsigned char ctx, ssl, peer, sess;
};

/* call_shapes holds every call's shape (calls.h), indexed by op. */
extern const struct call_shape call_shapes[OP_OBSERVE];

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
    int get_cb; /* 0 none (absent), 1 leaves *copy at 1, 2 writes 0; a store of bytes: 3 leaves 1, 4 writes 0 */
    long long mode, size, timeout, tickets;
};

/* request is one parsed request line. */
struct request {
    struct request *next; /* in a lane's queue (OpenSSL shim) */
    long long id;
    long long now;
    int lane;
    char op[48];
    enum op code;     /* parse_op(op), set by shim_parse_request */
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

/* sb_reserve makes room for n more bytes in b. */
static inline void sb_reserve(struct sbuf *b, size_t n)
{
    if (b->cap - b->n < n)
        b->s = must_grow(b->s, &b->cap, b->n + n, 1);
}

/* sb_add appends the n bytes at s to b. The replies and the observation
 * are built from these appends rather than sb_printf: they run for every
 * call, and parsing a format string for each field cost more than the
 * fields (docs/perf.md). */
static inline void sb_add(struct sbuf *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->s + b->n, s, n);
    b->n += n;
}

/* SB_LIT appends string literal lit to b. */
#define SB_LIT(b, lit) sb_add((b), "" lit, sizeof(lit) - 1)

/* sb_int appends v in decimal, as printf's %lld writes it. */
static inline void sb_int(struct sbuf *b, long long v)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        tmp[--i] = '-';
    sb_add(b, tmp + i, sizeof(tmp) - i);
}

/* sb_bool appends true or false. */
static inline void sb_bool(struct sbuf *b, int v)
{
    if (v)
        SB_LIT(b, "true");
    else
        SB_LIT(b, "false");
}

/* sb_printf appends formatted text to b. */
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sb_string appends s as a JSON string literal. */
void sb_string(struct sbuf *b, const char *s);

/* record_len is the length of the TLS record at b (header included),
 * clipped to what is there. */
size_t record_len(const unsigned char *b, size_t avail);

#endif

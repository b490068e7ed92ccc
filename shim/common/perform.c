/*
 * perform.c - the calls: one switch over the calls of calls.h, with the
 * bookkeeping every shim does around them (handles, names, references,
 * connections, events); the library's part of each call is in lib.h.
 * The planted bugs (-DSHIM_BUG=N, docs/protocol.md §10) live here too.
 */
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The events of the request the current thread is running (NULL: none,
 * e.g. during reset, when nothing is reported). */
static _Thread_local struct events *current_events;

void emit(enum ev_kind kind, int ctx, int sess)
{
    struct events *e = current_events;

    if (e == NULL)
        return;
    e->v = must_grow(e->v, &e->cap, e->n + 1, sizeof(*e->v));
    e->v[e->n++] = (struct event){ kind, ctx, sess };
}

int shim_new_session(struct shim *sh, struct ctxent *ce, lib_sess *s)
{
    int keep, h;

    if (ce == NULL || current_events == NULL)
        return 0;
    keep = ce->new_cb == 2;
    h = sess_name(sh, s);
    emit(EV_NEW, ce->handle, h);
    if (keep && ce->get_cb == 0) /* with get_cb the reference is the store's */
        add_apprefs(sh, h, 1);
#if SHIM_BUG == 3
    /* Planted bug 3: claim the reference (return 1) even when the
     * application does not keep it: the session leaks. */
    return 1;
#else
    return keep;
#endif
}

void shim_removed_session(struct shim *sh, struct ctxent *ce, lib_sess *s)
{
    if (current_events == NULL)
        return;
    emit(EV_REMOVE, ce != NULL ? ce->handle : 0, sess_name(sh, s));
}

static long long op_ctx_new(struct shim *sh, const struct request *rq, char *err, size_t errlen)
{
    struct ctxent *ce = calloc(1, sizeof(*ce));
    lib_ctx *ctx;
    int taken;

    if (ce == NULL)
        abort();
    *ce = (struct ctxent){ sh, NULL, (int)rq->ctx, 0, rq->cfg.new_cb, rq->cfg.get_cb, NULL };
    shim_lock(sh);
    taken = claim((void ***)&sh->ctxs, &sh->nctx, &sh->capctx, rq->ctx, ce) != 0;
    shim_unlock(sh);
    if (taken) {
        snprintf(err, errlen, "ctx %lld is taken (or not a handle)", rq->ctx);
        free(ce);
        return -1;
    }
    /* From here on ce stays in the table; it becomes usable (app_held)
     * only once the SSL_CTX is set up. */
    ctx = lib_ctx_new(ce, &rq->cfg, err, errlen);
    if (ctx == NULL)
        return -1;
    shim_lock(sh);
    ce->ctx = ctx;
    ce->app_held = 1;
    shim_unlock(sh);
    return 0;
}

static long long op_ssl_new(struct shim *sh, const struct request *rq, struct ctxent *ce, char *err, size_t errlen)
{
    struct conn *c = calloc(1, sizeof(*c));
    lib_ssl *ssl;
    int taken;

    if (c == NULL)
        abort();
    c->handle = (int)rq->ssl;
    shim_lock(sh);
    taken = claim((void ***)&sh->conns, &sh->nconn, &sh->capconn, rq->ssl, c) != 0;
    shim_unlock(sh);
    if (taken) {
        snprintf(err, errlen, "ssl %lld is taken (or not a handle)", rq->ssl);
        free(c);
        return -1;
    }
    ssl = lib_ssl_new(c, ce->ctx);
    if (ssl == NULL) {
        snprintf(err, errlen, "SSL_new failed");
        return -1;
    }
    shim_lock(sh);
    c->ssl = ssl;
    c->alive = 1;
    shim_unlock(sh);
    return 0;
}

/* op_get0 is SSL_get0_session; planted bugs 1 and 2 live here. */
static long long op_get0(struct shim *sh, struct conn *c)
{
    lib_sess *s = lib_get0_session(c->ssl);
    int h = sess_name(sh, s);

#if SHIM_BUG == 1
    /* Planted bug 1: an extra reference nobody releases. */
    if (s != NULL)
        lib_sess_up_ref(s);
#elif SHIM_BUG == 2
    /* Planted bug 2: a borrowed pointer released (use after free later). */
    lib_sess_free(s);
#endif
    return h;
}

/* op_adopt names a new session the application owns (one reference), or
 * returns 0 for NULL. */
static long long op_adopt(struct shim *sh, lib_sess *s)
{
    long long r = sess_name(sh, s);

    if (s != NULL)
        add_apprefs(sh, (int)r, 1);
    return r;
}

/* run_call performs one call; -1 with err set means it could not. The
 * handles it names are looked up first, as calls.h says, in the order
 * ctx, ssl, sess, peer. */
/* SID_CTX_MAX_BYTES holds the longest context the protocol names: one byte
 * more than SSL_MAX_SID_CTX_LENGTH (32), which the library must refuse. */
#define SID_CTX_MAX_BYTES 33

/* sid_ctx_bytes writes the bytes of session id context n (docs/protocol.md
 * §3, model.SidCtx) into b and returns their length, or -1 for a number
 * the protocol does not name: 0 empty, 1 "sid-1", 2 "sid-2", 3 thirty-two
 * '3's, 4 thirty-three '4's. */
static int sid_ctx_bytes(long long n, unsigned char b[SID_CTX_MAX_BYTES])
{
    int len;

    switch (n) {
    case 0:
        return 0;
    case 1:
    case 2:
        memcpy(b, n == 1 ? "sid-1" : "sid-2", 5);
        return 5;
    case 3:
    case 4:
        len = n == 3 ? 32 : 33;
        memset(b, '0' + (int)n, (size_t)len);
        return len;
    }
    return -1;
}

int sid_ctx_number(const unsigned char *b, unsigned int len)
{
    unsigned char want[SID_CTX_MAX_BYTES];
    int n, wl;

    /* sid_ctx_bytes names 0..4 and answers -1 for the first number after. */
    for (n = 0; (wl = sid_ctx_bytes(n, want)) >= 0; n++)
        if ((unsigned int)wl == len && (len == 0 || memcmp(b, want, len) == 0))
            return n;
    return -1;
}

static long long run_call(struct shim *sh, const struct request *rq, char *err, size_t errlen)
{
    const struct call_shape *shape;
    struct ctxent *ce = NULL;
    struct conn *c = NULL, *p = NULL;
    lib_sess *s = NULL;
    long long r;

    if (!shim_is_call(rq)) {
        snprintf(err, errlen, "not a call");
        return -1;
    }
    shape = &call_shapes[rq->code];
    if (shape->ctx == ARG_LIVE && (ce = get_ctx(sh, rq->ctx, err, errlen)) == NULL)
        return -1;
    if (shape->ssl == ARG_LIVE && (c = get_conn(sh, rq->ssl, err, errlen)) == NULL)
        return -1;
    if ((shape->sess == ARG_LIVE || (shape->sess == ARG_OR_NULL && rq->sess != 0))
        && (s = get_sess(sh, rq->sess, err, errlen)) == NULL)
        return -1;
    if (shape->peer == ARG_LIVE && (p = get_conn(sh, rq->peer, err, errlen)) == NULL)
        return -1;

    switch (rq->code) {
    case OP_SSL_CTX_new:
        return op_ctx_new(sh, rq, err, errlen);
    case OP_SSL_CTX_free:
        shim_lock(sh);
        ce->app_held = 0;
        shim_unlock(sh);
        lib_ctx_free(ce->ctx);
        return 0;
    case OP_SSL_new:
        return op_ssl_new(sh, rq, ce, err, errlen);
    case OP_SSL_free:
        shim_lock(sh);
        disconnect(sh, c);
        c->alive = 0;
        shim_unlock(sh);
        lib_ssl_free(c->ssl);
        c->ssl = NULL;
        return 0;
    case OP_SSL_clear:
        r = lib_ssl_clear(c->ssl);
        shim_lock(sh);
        disconnect(sh, c);
        shim_unlock(sh);
        return r;
    case OP_SSL_shutdown:
        return op_shutdown(sh, c);
    case OP_fatal_alert:
        return op_fatal_alert(sh, c, err, errlen);
    case OP_handshake:
        if (p == c) {
            snprintf(err, errlen, "handshake needs two different SSLs");
            return -1;
        }
        return op_handshake(sh, c, p, (int)rq->arg, err, errlen);
    case OP_client_hello:
    case OP_handshake_finish:
        if (p == c) {
            snprintf(err, errlen, "%s needs two different SSLs", rq->code == OP_client_hello ? "client_hello" : "handshake_finish");
            return -1;
        }
        if (rq->code == OP_client_hello)
            return op_client_hello(sh, c, p, (int)rq->arg, err, errlen);
        return op_handshake_finish(sh, c, p, err, errlen);
    case OP_read_ticket:
        return op_read_ticket(sh, c);
    case OP_SSL_get0_session:
        return op_get0(sh, c);
    case OP_SSL_get1_session:
        s = lib_get1_session(c->ssl);
        r = sess_name(sh, s);
        if (s != NULL)
            add_apprefs(sh, (int)r, 1);
        return r;
    case OP_SSL_SESSION_up_ref:
        r = lib_sess_up_ref(s);
        if (r == 1)
            add_apprefs(sh, (int)rq->sess, 1);
        return r;
    case OP_SSL_SESSION_free:
        add_apprefs(sh, (int)rq->sess, -1);
        lib_sess_free(s);
        return 0;
    case OP_SSL_set_session:
        return lib_set_session(c->ssl, s);
    case OP_SSL_session_reused:
        return lib_session_reused(c->ssl);
    case OP_SSL_SESSION_is_resumable:
        return lib_sess_is_resumable(s);
    case OP_SSL_SESSION_set_time:
        return lib_sess_set_time(s, rq->arg);
    case OP_SSL_SESSION_set_timeout:
        return lib_sess_set_timeout(s, rq->arg);
    case OP_SSL_SESSION_get_time:
        return lib_sess_time(s);
    case OP_SSL_SESSION_get_timeout:
        return lib_sess_timeout(s);
    case OP_SSL_CTX_set_timeout:
        return lib_ctx_set_timeout(ce->ctx, rq->arg);
    case OP_SSL_CTX_sess_set_cache_size:
        return lib_ctx_set_cache_size(ce->ctx, rq->arg);
    case OP_SSL_CTX_add_session:
        return lib_ctx_add_session(ce->ctx, s);
    case OP_SSL_CTX_remove_session:
        return lib_ctx_remove_session(ce->ctx, s);
    case OP_SSL_CTX_flush_sessions:
        lib_ctx_flush(ce->ctx, rq->arg);
        return 0;
    case OP_SSL_CTX_sess_number:
        return lib_ctx_number(ce->ctx);
    case OP_SSL_CTX_sess_hits:
        return lib_ctx_hits(ce->ctx);
    case OP_SSL_CTX_sess_misses:
        return lib_ctx_misses(ce->ctx);
    case OP_SSL_CTX_sess_timeouts:
        return lib_ctx_timeouts(ce->ctx);
    case OP_SSL_CTX_sess_cache_full:
        return lib_ctx_cache_full(ce->ctx);
    case OP_tick:
        return 0; /* the clock came with the request */
    case OP_SSL_CTX_sess_connect:
        return lib_ctx_connect(ce->ctx);
    case OP_SSL_CTX_sess_connect_good:
        return lib_ctx_connect_good(ce->ctx);
    case OP_SSL_CTX_sess_accept:
        return lib_ctx_accept(ce->ctx);
    case OP_SSL_CTX_sess_accept_good:
        return lib_ctx_accept_good(ce->ctx);
    case OP_SSL_CTX_sess_cb_hits:
        return lib_ctx_cb_hits(ce->ctx);
    case OP_SSL_has_matching_session_id:
        return lib_has_matching(c->ssl, s);
    case OP_SSL_CTX_set_session_cache_mode:
        return lib_ctx_set_cache_mode(ce->ctx, rq->arg);
    case OP_SSL_CTX_set_options:
    case OP_SSL_CTX_clear_options:
        return lib_ctx_set_options(ce->ctx, rq->arg, rq->code == OP_SSL_CTX_set_options);
    case OP_SSL_set_options:
    case OP_SSL_clear_options:
        return lib_ssl_set_options(c->ssl, rq->arg, rq->code == OP_SSL_set_options);
    case OP_SSL_CTX_set_num_tickets:
        return lib_ctx_set_num_tickets(ce->ctx, rq->arg);
    case OP_SSL_set_num_tickets:
        return lib_ssl_set_num_tickets(c->ssl, rq->arg);
    case OP_i2d_d2i:
        return op_adopt(sh, lib_sess_round_trip(s));
    case OP_SSL_SESSION_dup:
        return op_adopt(sh, lib_sess_dup(s));
    case OP_SSL_SESSION_new:
        return op_adopt(sh, lib_sess_new());
    case OP_SSL_copy_session_id:
        if (p == c) {
            snprintf(err, errlen, "SSL_copy_session_id needs two different SSLs");
            return -1;
        }
        return lib_copy_session_id(c->ssl, p->ssl);
    case OP_SSL_set_quiet_shutdown:
        lib_ssl_set_quiet_shutdown(c->ssl, (int)rq->arg);
        return 0;
    case OP_SSL_set_shutdown:
        lib_ssl_set_shutdown(c->ssl, (int)rq->arg);
        return 0;
    case OP_SSL_get_shutdown:
        return lib_ssl_get_shutdown(c->ssl);
    case OP_read_alert:
        return op_read_alert(sh, c, err, errlen);
    case OP_SSL_CTX_set_max_early_data:
        return lib_ctx_set_max_early_data(ce->ctx, rq->arg);
    case OP_SSL_set_max_early_data:
        return lib_ssl_set_max_early_data(c->ssl, rq->arg);
    case OP_SSL_CTX_set_session_id_context:
    case OP_SSL_set_session_id_context:
    case OP_SSL_SESSION_set1_id_context: {
        unsigned char b[SID_CTX_MAX_BYTES];
        int len = sid_ctx_bytes(rq->arg, b);

        if (len < 0) {
            snprintf(err, errlen, "session id context %lld is not one of 0..4", rq->arg);
            return -1;
        }
        if (rq->code == OP_SSL_CTX_set_session_id_context)
            return lib_ctx_set_sid_ctx(ce->ctx, b, (unsigned int)len);
        if (rq->code == OP_SSL_set_session_id_context)
            return lib_ssl_set_sid_ctx(c->ssl, b, (unsigned int)len);
        return lib_sess_set_sid_ctx(s, b, (unsigned int)len);
    }
    case OP_SSL_set_SSL_CTX:
        return lib_ssl_set_ssl_ctx(c->ssl, ce->ctx);
    case OP_SSL_CTX_set_tlsext_servername_callback: {
        /* The second SSL_CTX travels in arg (model.ArgCtx); 0 is NULL. */
        struct ctxent *to = NULL;

        if (rq->arg != 0 && (to = get_ctx(sh, rq->arg, err, errlen)) == NULL)
            return -1;
        lib_ctx_set_servername_ctx(ce->ctx, to != NULL ? to->ctx : NULL);
        return 0;
    }
    default:
        snprintf(err, errlen, "not a call");
        return -1;
    }
}

int shim_is_call(const struct request *rq)
{
    return rq->code != OP_UNKNOWN && rq->code < OP_OBSERVE && lib_implemented(rq->code);
}

long long shim_perform(struct shim *sh, const struct request *rq, struct events *evs, char *err, size_t errlen)
{
    long long ret;

    shim_set_clock(rq->now);
    current_events = evs;
    ret = run_call(sh, rq, err, errlen);
    current_events = NULL;
    if (sh->verbose)
        lib_log_errors(rq->op);
    lib_clear_errors();
    return ret;
}

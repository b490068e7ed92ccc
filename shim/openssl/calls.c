/*
 * calls.c - the OpenSSL shim's calls.
 */
#include "library.h"

_Thread_local struct events *current_events;

static long long op_ctx_new(struct shim *sh, const struct request *rq, char *err, size_t errlen)
{
    struct ctxent *ce = calloc(1, sizeof(*ce));
    SSL_CTX *ctx;
    int taken;

    if (ce == NULL)
        abort();
    *ce = (struct ctxent){ sh, NULL, (int)rq->ctx, 0, rq->cfg.new_cb };
    pthread_mutex_lock(&sh->mu);
    taken = rq->ctx < 1 || claim_ctx(sh, rq->ctx, ce) != 0;
    pthread_mutex_unlock(&sh->mu);
    if (taken) {
        snprintf(err, errlen, "ctx %lld is taken (or not a handle)", rq->ctx);
        free(ce);
        return -1;
    }
    /* From here on ce stays in the table; it becomes usable (app_held)
     * only once the SSL_CTX is set up. */
    ctx = SSL_CTX_new(rq->cfg.server ? TLS_server_method() : TLS_client_method());
    if (ctx == NULL) {
        log_ssl_errors("SSL_CTX_new");
        snprintf(err, errlen, "SSL_CTX_new failed");
        return -1;
    }
    SSL_CTX_set_app_data(ctx, ce);
    if (!rq->cfg.default_mode)
        SSL_CTX_set_session_cache_mode(ctx, rq->cfg.mode);
    if (rq->cfg.size >= 0)
        SSL_CTX_sess_set_cache_size(ctx, rq->cfg.size);
    if (rq->cfg.timeout != 0)
        SSL_CTX_set_timeout(ctx, rq->cfg.timeout);
    if (rq->cfg.tickets >= 0)
        SSL_CTX_set_num_tickets(ctx, (size_t)rq->cfg.tickets);
    if (rq->cfg.no_ticket)
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (rq->cfg.new_cb != 0)
        SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    if (rq->cfg.remove_cb)
        SSL_CTX_sess_set_remove_cb(ctx, on_remove_session);
    if (rq->cfg.server) {
        SSL_CTX_use_certificate(ctx, sh->cert);
        SSL_CTX_use_PrivateKey(ctx, sh->key);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    pthread_mutex_lock(&sh->mu);
    ce->ctx = ctx;
    ce->app_held = 1;
    pthread_mutex_unlock(&sh->mu);
    return 0;
}

static long long op_ssl_new(struct shim *sh, const struct request *rq, char *err, size_t errlen)
{
    struct ctxent *ce = get_ctx(sh, rq->ctx, err, errlen);
    struct conn *c;
    SSL *ssl;
    int taken;

    if (ce == NULL)
        return -1;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        abort();
    c->handle = (int)rq->ssl;
    pthread_mutex_lock(&sh->mu);
    taken = rq->ssl < 1 || claim_conn(sh, rq->ssl, c) != 0;
    pthread_mutex_unlock(&sh->mu);
    if (taken) {
        snprintf(err, errlen, "ssl %lld is taken (or not a handle)", rq->ssl);
        free(c);
        return -1;
    }
    ssl = SSL_new(ce->ctx);
    if (ssl == NULL) {
        log_ssl_errors("SSL_new");
        snprintf(err, errlen, "SSL_new failed");
        return -1;
    }
    c->client = SSL_is_server(ssl) == 0;
    if (c->client)
        SSL_set_connect_state(ssl);
    else
        SSL_set_accept_state(ssl);
    pthread_mutex_lock(&sh->mu);
    c->ssl = ssl;
    c->alive = 1;
    pthread_mutex_unlock(&sh->mu);
    return 0;
}

/* ------------------------------------------------------------------------
 * The calls.
 * ------------------------------------------------------------------------ */

/* op_get0 is SSL_get0_session; planted bugs 1 and 2 live here. */
static long long op_get0(struct shim *sh, struct conn *c)
{
    SSL_SESSION *s = SSL_get0_session(c->ssl);
    int h = name(sh, s);

#if SHIM_BUG == 1
    /* Planted bug 1: an extra reference nobody releases. */
    if (s != NULL)
        SSL_SESSION_up_ref(s);
#elif SHIM_BUG == 2
    /* Planted bug 2: a borrowed pointer released (use after free later). */
    SSL_SESSION_free(s);
#endif
    return h;
}

/* run_call performs one call; -1 with err set means it could not. */
static long long run_call(struct shim *sh, enum op op, const struct request *rq, char *err, size_t errlen)
{
    struct ctxent *ce = NULL;
    struct conn *c = NULL, *p;
    SSL_SESSION *s = NULL;
    long long r;

    switch (op) {
    case OP_CTX_FREE: case OP_SET_CACHE_SIZE: case OP_CTX_SET_TIMEOUT: case OP_FLUSH: case OP_SESS_NUMBER:
    case OP_SESS_HITS: case OP_SESS_MISSES: case OP_SESS_TIMEOUTS: case OP_SESS_CACHE_FULL:
    case OP_ADD_SESSION: case OP_REMOVE_SESSION:
        if ((ce = get_ctx(sh, rq->ctx, err, errlen)) == NULL)
            return -1;
        break;
    case OP_SSL_FREE: case OP_SSL_CLEAR: case OP_SHUTDOWN: case OP_FATAL_ALERT: case OP_HANDSHAKE:
    case OP_READ_TICKET: case OP_GET0: case OP_GET1: case OP_SET_SESSION: case OP_SESSION_REUSED:
        if ((c = get_conn(sh, rq->ssl, err, errlen)) == NULL)
            return -1;
        break;
    default:
        break;
    }
    switch (op) {
    case OP_UP_REF: case OP_SESS_FREE: case OP_IS_RESUMABLE: case OP_SET_TIME: case OP_SET_TIMEOUT:
    case OP_GET_TIME: case OP_GET_TIMEOUT: case OP_ADD_SESSION: case OP_REMOVE_SESSION:
        if ((s = get_sess(sh, rq->sess, err, errlen)) == NULL)
            return -1;
        break;
    case OP_SET_SESSION:
        if (rq->sess != 0 && (s = get_sess(sh, rq->sess, err, errlen)) == NULL)
            return -1;
        break;
    default:
        break;
    }

    switch (op) {
    case OP_CTX_NEW:
        return op_ctx_new(sh, rq, err, errlen);
    case OP_CTX_FREE:
        pthread_mutex_lock(&sh->mu);
        ce->app_held = 0;
        pthread_mutex_unlock(&sh->mu);
        SSL_CTX_free(ce->ctx);
        return 0;
    case OP_SSL_NEW:
        return op_ssl_new(sh, rq, err, errlen);
    case OP_SSL_FREE:
        pthread_mutex_lock(&sh->mu);
        disconnect(sh, c);
        c->alive = 0;
        pthread_mutex_unlock(&sh->mu);
        SSL_free(c->ssl);
        c->ssl = NULL;
        return 0;
    case OP_SSL_CLEAR:
        r = SSL_clear(c->ssl);
        pthread_mutex_lock(&sh->mu);
        disconnect(sh, c);
        pthread_mutex_unlock(&sh->mu);
        return r;
    case OP_SHUTDOWN:
        return op_shutdown(sh, c);
    case OP_FATAL_ALERT:
        return op_fatal_alert(sh, c, err, errlen);
    case OP_HANDSHAKE:
        if ((p = get_conn(sh, rq->peer, err, errlen)) == NULL)
            return -1;
        if (p == c) {
            snprintf(err, errlen, "handshake needs two different SSLs");
            return -1;
        }
        return op_handshake(sh, c, p, (int)rq->arg, err, errlen);
    case OP_READ_TICKET:
        return op_read_ticket(sh, c);
    case OP_GET0:
        return op_get0(sh, c);
    case OP_GET1:
        s = SSL_get1_session(c->ssl);
        r = name(sh, s);
        if (s != NULL)
            add_apprefs(sh, (int)r, 1);
        return r;
    case OP_UP_REF:
        r = SSL_SESSION_up_ref(s);
        add_apprefs(sh, (int)rq->sess, 1);
        return r;
    case OP_SESS_FREE:
        add_apprefs(sh, (int)rq->sess, -1);
        SSL_SESSION_free(s);
        return 0;
    case OP_SET_SESSION:
        return SSL_set_session(c->ssl, s);
    case OP_SESSION_REUSED:
        return SSL_session_reused(c->ssl);
    case OP_IS_RESUMABLE:
        return SSL_SESSION_is_resumable(s);
    case OP_SET_TIME:
        return SSL_SESSION_set_time(s, (long)rq->arg);
    case OP_SET_TIMEOUT:
        return SSL_SESSION_set_timeout(s, (long)rq->arg);
    case OP_GET_TIME:
        return SSL_SESSION_get_time(s);
    case OP_GET_TIMEOUT:
        return SSL_SESSION_get_timeout(s);
    case OP_CTX_SET_TIMEOUT:
        return SSL_CTX_set_timeout(ce->ctx, (long)rq->arg);
    case OP_SET_CACHE_SIZE:
        return SSL_CTX_sess_set_cache_size(ce->ctx, (long)rq->arg);
    case OP_ADD_SESSION:
        return SSL_CTX_add_session(ce->ctx, s);
    case OP_REMOVE_SESSION:
        return SSL_CTX_remove_session(ce->ctx, s);
    case OP_FLUSH:
        SSL_CTX_flush_sessions(ce->ctx, (long)rq->arg);
        return 0;
    case OP_SESS_NUMBER:
        return SSL_CTX_sess_number(ce->ctx);
    case OP_SESS_HITS:
        return SSL_CTX_sess_hits(ce->ctx);
    case OP_SESS_MISSES:
        return SSL_CTX_sess_misses(ce->ctx);
    case OP_SESS_TIMEOUTS:
        return SSL_CTX_sess_timeouts(ce->ctx);
    case OP_SESS_CACHE_FULL:
        return SSL_CTX_sess_cache_full(ce->ctx);
    case OP_TICK:
        return 0; /* the clock came with the request */
    default:
        snprintf(err, errlen, "not a call");
        return -1;
    }
}

int shim_is_call(const struct request *rq)
{
    enum op op = parse_op(rq->op);

    return op != OP_UNKNOWN && op < OP_OBSERVE;
}

long long shim_perform(struct shim *sh, const struct request *rq, struct events *evs, char *err, size_t errlen)
{
    long long ret;

    atomic_store(&virtual_now, rq->now);
    current_events = evs;
    ret = run_call(sh, parse_op(rq->op), rq, err, errlen);
    current_events = NULL;
    if (sh->verbose)
        log_ssl_errors(rq->op);
    ERR_clear_error();
    return ret;
}

/*
 * calls.c - the wolfSSL shim's calls.
 */
#include "library.h"

/* cache_mode turns the protocol's (OpenSSL's) mode bits into wolfSSL's:
 * NO_AUTO_CLEAR is 0x0080 in OpenSSL and 0x0008 in wolfSSL. */
static long cache_mode(long long m)
{
    long w = 0;

    if (m & 0x001)
        w |= WOLFSSL_SESS_CACHE_CLIENT;
    if (m & 0x002)
        w |= WOLFSSL_SESS_CACHE_SERVER;
    if (m & 0x080)
        w |= WOLFSSL_SESS_CACHE_NO_AUTO_CLEAR;
    if (m & 0x100)
        w |= WOLFSSL_SESS_CACHE_NO_INTERNAL_LOOKUP;
    if (m & 0x200)
        w |= WOLFSSL_SESS_CACHE_NO_INTERNAL_STORE;
    return w;
}

static long long op_ctx_new(struct shim *sh, long long h, const struct config *cfg, char *err, size_t errlen)
{
    struct ctxent *ce = calloc(1, sizeof(*ce));
    WOLFSSL_CTX *ctx;

    if (ce == NULL)
        abort();
    if (claim((void ***)&sh->ctxs, &sh->nctx, &sh->capctx, h, ce) != 0) {
        snprintf(err, errlen, "ctx %lld is taken (or not a handle)", h);
        free(ce);
        return -1;
    }
    ce->handle = (int)h;
    ce->new_cb = cfg->new_cb;
    /* SSL_CTX_new(TLS_server_method()) / SSL_CTX_new(TLS_client_method()) */
    ctx = wolfSSL_CTX_new(cfg->server ? wolfSSLv23_server_method() : wolfSSLv23_client_method());
    if (ctx == NULL) {
        snprintf(err, errlen, "SSL_CTX_new failed");
        return -1;
    }
    wolfSSL_CTX_set_ex_data(ctx, 0, ce); /* SSL_CTX_set_app_data */
    wolfSSL_CTX_SetIORecv(ctx, io_recv);
    wolfSSL_CTX_SetIOSend(ctx, io_send);
    if (!cfg->default_mode)
        wolfSSL_CTX_set_session_cache_mode(ctx, cache_mode(cfg->mode));
    if (cfg->size >= 0)
        wolfSSL_CTX_sess_set_cache_size(ctx, (long)cfg->size);
    if (cfg->timeout != 0)
        wolfSSL_CTX_set_timeout(ctx, (unsigned int)cfg->timeout);
    if (cfg->tickets >= 0)
        wolfSSL_CTX_set_num_tickets(ctx, (size_t)cfg->tickets);
    if (cfg->no_ticket)
        wolfSSL_CTX_set_options(ctx, WOLFSSL_OP_NO_TICKET);
    if (cfg->new_cb != 0)
        wolfSSL_CTX_sess_set_new_cb(ctx, on_new_session);
    if (cfg->remove_cb)
        wolfSSL_CTX_sess_set_remove_cb(ctx, on_remove_session);
    if (cfg->server) {
        if (wolfSSL_CTX_use_certificate_buffer(ctx, serv_ecc_der_256, sizeof_serv_ecc_der_256,
                                               WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS
            || wolfSSL_CTX_use_PrivateKey_buffer(ctx, ecc_key_der_256, sizeof_ecc_key_der_256,
                                                 WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS) {
            wolfSSL_CTX_free(ctx);
            snprintf(err, errlen, "cannot load the test certificate");
            return -1;
        }
    } else {
        wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, NULL);
    }
    ce->ctx = ctx;
    ce->app_held = 1;
    return 0;
}

static long long op_ssl_new(struct shim *sh, long long h, struct ctxent *ce, char *err, size_t errlen)
{
    struct conn *c = calloc(1, sizeof(*c));

    if (c == NULL)
        abort();
    if (claim((void ***)&sh->conns, &sh->nconn, &sh->capconn, h, c) != 0) {
        snprintf(err, errlen, "ssl %lld is taken (or not a handle)", h);
        free(c);
        return -1;
    }
    c->handle = (int)h;
    c->ssl = wolfSSL_new(ce->ctx);
    if (c->ssl == NULL) {
        snprintf(err, errlen, "SSL_new failed");
        return -1;
    }
    wolfSSL_SetIOReadCtx(c->ssl, c);
    wolfSSL_SetIOWriteCtx(c->ssl, c);
    c->client = wolfSSL_is_server(c->ssl) == 0;
    if (c->client)
        wolfSSL_set_connect_state(c->ssl);
    else
        wolfSSL_set_accept_state(c->ssl);
    c->alive = 1;
    return 0;
}

/* ------------------------------------------------------------------------
 * The calls.
 * ------------------------------------------------------------------------ */

/* implemented says whether the shim performs op. wolfSSL 5.5.4 has no
 * SSL_SESSION_set_time (no function, no macro): the call is not offered. */
int implemented(enum op op)
{
    return op != OP_UNKNOWN && op != OP_SET_TIME;
}

/* run_call performs one call; -1 with err set means it could not. */
long long run_call(struct shim *sh, enum op op, const struct request *rq, char *err, size_t errlen)
{
    struct ctxent *ce = NULL;
    struct conn *c = NULL, *p;
    WOLFSSL_SESSION *s = NULL;
    long long r;

    switch (op) {
    case OP_CTX_FREE: case OP_SET_CACHE_SIZE: case OP_CTX_SET_TIMEOUT: case OP_FLUSH: case OP_SESS_NUMBER:
    case OP_SESS_HITS: case OP_SESS_MISSES: case OP_SESS_TIMEOUTS: case OP_SESS_CACHE_FULL:
    case OP_ADD_SESSION: case OP_REMOVE_SESSION: case OP_SSL_NEW:
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
    case OP_UP_REF: case OP_SESS_FREE: case OP_IS_RESUMABLE: case OP_SET_TIMEOUT: case OP_GET_TIME:
    case OP_GET_TIMEOUT: case OP_ADD_SESSION: case OP_REMOVE_SESSION:
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
        return op_ctx_new(sh, rq->ctx, &rq->cfg, err, errlen);
    case OP_CTX_FREE:
        ce->app_held = 0;
        wolfSSL_CTX_free(ce->ctx);
        return 0;
    case OP_SSL_NEW:
        return op_ssl_new(sh, rq->ssl, ce, err, errlen);
    case OP_SSL_FREE:
        disconnect(sh, c);
        c->alive = 0;
        wolfSSL_free(c->ssl);
        c->ssl = NULL;
        return 0;
    case OP_SSL_CLEAR:
        r = wolfSSL_clear(c->ssl);
        disconnect(sh, c);
        return r;
    case OP_SHUTDOWN:
        return op_shutdown(sh, c);
    case OP_FATAL_ALERT:
        return op_fatal_alert(sh, c);
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
        return name(sh, wolfSSL_SSL_get0_session(c->ssl)); /* SSL_get0_session */
    case OP_GET1:
        s = wolfSSL_get1_session(c->ssl);
        r = name(sh, s);
        if (s != NULL)
            add_apprefs(sh, (int)r, 1);
        return r;
    case OP_UP_REF:
        r = wolfSSL_SESSION_up_ref(s);
        if (r == WOLFSSL_SUCCESS)
            add_apprefs(sh, (int)rq->sess, 1);
        return r;
    case OP_SESS_FREE:
        add_apprefs(sh, (int)rq->sess, -1);
        wolfSSL_SESSION_free(s);
        return 0;
    case OP_SET_SESSION:
        return wolfSSL_set_session(c->ssl, s);
    case OP_SESSION_REUSED:
        return wolfSSL_session_reused(c->ssl);
    case OP_IS_RESUMABLE:
        return wolfSSL_SESSION_is_resumable(s);
    case OP_SET_TIMEOUT:
        return wolfSSL_SSL_SESSION_set_timeout(s, (long)rq->arg); /* SSL_SESSION_set_timeout */
    case OP_GET_TIME:
        return wolfSSL_SESSION_get_time(s);
    case OP_GET_TIMEOUT:
        return wolfSSL_SESSION_get_timeout(s);
    case OP_CTX_SET_TIMEOUT:
        /* SSL_CTX_set_timeout casts to unsigned int */
        return wolfSSL_CTX_set_timeout(ce->ctx, (unsigned int)rq->arg);
    case OP_SET_CACHE_SIZE:
        return wolfSSL_CTX_sess_set_cache_size(ce->ctx, (long)rq->arg);
    case OP_ADD_SESSION:
        sh->dirty = 1;
        return wolfSSL_CTX_add_session(ce->ctx, s);
    case OP_REMOVE_SESSION:
        sh->dirty = 1;
        return wolfSSL_SSL_CTX_remove_session(ce->ctx, s); /* SSL_CTX_remove_session */
    case OP_FLUSH:
        wolfSSL_flush_sessions(ce->ctx, (long)rq->arg); /* SSL_CTX_flush_sessions */
        return 0;
    case OP_SESS_NUMBER:
        return wolfSSL_CTX_sess_number(ce->ctx);
    case OP_SESS_HITS:
        return wolfSSL_CTX_sess_hits(ce->ctx);
    case OP_SESS_MISSES:
        return wolfSSL_CTX_sess_misses(ce->ctx);
    case OP_SESS_TIMEOUTS:
        return wolfSSL_CTX_sess_timeouts(ce->ctx);
    case OP_SESS_CACHE_FULL:
        return wolfSSL_CTX_sess_cache_full(ce->ctx);
    case OP_TICK:
        return 0; /* the clock came with the request */
    default:
        snprintf(err, errlen, "not a call");
        return -1;
    }
}

/* log_queue drains wolfSSL's error queue to stderr (SESSLIFE_SHIM_VERBOSE). */
void log_queue(const char *what)
{
    char buf[WOLFSSL_MAX_ERROR_SZ];
    unsigned long e;

    while ((e = wolfSSL_ERR_get_error()) != 0)
        fprintf(stderr, "shim: %s: %s\n", what, wolfSSL_ERR_error_string(e, buf));
}

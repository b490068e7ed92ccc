/*
 * calls.c - the OpenSSL 3.0 side of the calls (../common/perform.c): making
 * SSL_CTXs and SSLs, the callbacks, and the library function behind each
 * call, which the common code hands its arguments as they are.
 */
#include "shim.h"

#include <stdio.h>

int lib_implemented(enum op op)
{
    return op != OP_UNKNOWN;
}

int lib_check_request(const struct request *rq, char *err, size_t errlen)
{
    (void)rq, (void)err, (void)errlen;
    return 0;
}

static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    struct ctxent *ce = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

    return shim_new_session(ce->sh, ce, sess);
}

static void on_remove_session(SSL_CTX *ctx, SSL_SESSION *sess)
{
    struct ctxent *ce = SSL_CTX_get_app_data(ctx);

    shim_removed_session(ce->sh, ce, sess);
}

SSL_CTX *lib_ctx_new(struct ctxent *ce, const struct config *cfg, char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(cfg->server ? TLS_server_method() : TLS_client_method());

    if (ctx == NULL) {
        log_ssl_errors("SSL_CTX_new");
        snprintf(err, errlen, "SSL_CTX_new failed");
        return NULL;
    }
    SSL_CTX_set_app_data(ctx, ce);
    if (!cfg->default_mode)
        SSL_CTX_set_session_cache_mode(ctx, cfg->mode);
    if (cfg->size >= 0)
        SSL_CTX_sess_set_cache_size(ctx, cfg->size);
    if (cfg->timeout != 0)
        SSL_CTX_set_timeout(ctx, cfg->timeout);
    if (cfg->tickets >= 0)
        SSL_CTX_set_num_tickets(ctx, (size_t)cfg->tickets);
    if (cfg->no_ticket)
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (cfg->new_cb != 0)
        SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    if (cfg->remove_cb)
        SSL_CTX_sess_set_remove_cb(ctx, on_remove_session);
    if (cfg->server) {
        SSL_CTX_use_certificate(ctx, ce->sh->lib.cert);
        SSL_CTX_use_PrivateKey(ctx, ce->sh->lib.key);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

SSL *lib_ssl_new(struct conn *c, SSL_CTX *ctx)
{
    /* No BIOs yet: the handshake gives the SSL its first memory BIO pair. */
    SSL *ssl = SSL_new(ctx);

    if (ssl == NULL) {
        log_ssl_errors("SSL_new");
        return NULL;
    }
    c->client = SSL_is_server(ssl) == 0;
    if (c->client)
        SSL_set_connect_state(ssl);
    else
        SSL_set_accept_state(ssl);
    return ssl;
}

void lib_ctx_free(SSL_CTX *ctx) { SSL_CTX_free(ctx); }
void lib_ssl_free(SSL *ssl) { SSL_free(ssl); }
long long lib_ssl_clear(SSL *ssl) { return SSL_clear(ssl); }
SSL_SESSION *lib_get0_session(SSL *ssl) { return SSL_get0_session(ssl); }
SSL_SESSION *lib_get1_session(SSL *ssl) { return SSL_get1_session(ssl); }
long long lib_set_session(SSL *ssl, SSL_SESSION *s) { return SSL_set_session(ssl, s); }
int lib_session_reused(SSL *ssl) { return SSL_session_reused(ssl); }
long long lib_sess_up_ref(SSL_SESSION *s) { return SSL_SESSION_up_ref(s); }
void lib_sess_free(SSL_SESSION *s) { SSL_SESSION_free(s); }
int lib_sess_is_resumable(SSL_SESSION *s) { return SSL_SESSION_is_resumable(s); }
long long lib_sess_set_time(SSL_SESSION *s, long long t) { return SSL_SESSION_set_time(s, (long)t); }
long long lib_sess_set_timeout(SSL_SESSION *s, long long t) { return SSL_SESSION_set_timeout(s, (long)t); }
long lib_sess_time(SSL_SESSION *s) { return SSL_SESSION_get_time(s); }
long lib_sess_timeout(SSL_SESSION *s) { return SSL_SESSION_get_timeout(s); }
long long lib_ctx_set_timeout(SSL_CTX *ctx, long long t) { return SSL_CTX_set_timeout(ctx, (long)t); }
long long lib_ctx_set_cache_size(SSL_CTX *ctx, long long n) { return SSL_CTX_sess_set_cache_size(ctx, (long)n); }
long long lib_ctx_add_session(SSL_CTX *ctx, SSL_SESSION *s) { return SSL_CTX_add_session(ctx, s); }
long long lib_ctx_remove_session(SSL_CTX *ctx, SSL_SESSION *s) { return SSL_CTX_remove_session(ctx, s); }
void lib_ctx_flush(SSL_CTX *ctx, long long t) { SSL_CTX_flush_sessions(ctx, (long)t); }
long lib_ctx_number(SSL_CTX *ctx) { return SSL_CTX_sess_number(ctx); }
long lib_ctx_hits(SSL_CTX *ctx) { return SSL_CTX_sess_hits(ctx); }
long lib_ctx_misses(SSL_CTX *ctx) { return SSL_CTX_sess_misses(ctx); }
long lib_ctx_timeouts(SSL_CTX *ctx) { return SSL_CTX_sess_timeouts(ctx); }
long lib_ctx_cache_full(SSL_CTX *ctx) { return SSL_CTX_sess_cache_full(ctx); }
long lib_ctx_connect(SSL_CTX *ctx) { return SSL_CTX_sess_connect(ctx); }
long lib_ctx_connect_good(SSL_CTX *ctx) { return SSL_CTX_sess_connect_good(ctx); }
long lib_ctx_accept(SSL_CTX *ctx) { return SSL_CTX_sess_accept(ctx); }
long lib_ctx_accept_good(SSL_CTX *ctx) { return SSL_CTX_sess_accept_good(ctx); }
long lib_ctx_cb_hits(SSL_CTX *ctx) { return SSL_CTX_sess_cb_hits(ctx); }

/* The protocol's option bits are OpenSSL's; the value compared is masked
 * to them (docs/protocol.md §3). */
#define PROTO_OPTIONS ((uint64_t)(SSL_OP_NO_TICKET | SSL_OP_NO_ANTI_REPLAY))

long long lib_ctx_set_cache_mode(SSL_CTX *ctx, long long mode) { return SSL_CTX_set_session_cache_mode(ctx, (long)mode); }
long long lib_ctx_set_num_tickets(SSL_CTX *ctx, long long n) { return SSL_CTX_set_num_tickets(ctx, (size_t)n); }
long long lib_ctx_set_sid_ctx(SSL_CTX *ctx, const unsigned char *b, unsigned int len)
{
    return SSL_CTX_set_session_id_context(ctx, b, len);
}
long long lib_ssl_set_sid_ctx(SSL *ssl, const unsigned char *b, unsigned int len)
{
    return SSL_set_session_id_context(ssl, b, len);
}
long long lib_sess_set_sid_ctx(SSL_SESSION *s, const unsigned char *b, unsigned int len)
{
    return SSL_SESSION_set1_id_context(s, b, len);
}
long long lib_ssl_set_num_tickets(SSL *ssl, long long n) { return SSL_set_num_tickets(ssl, (size_t)n); }

long long lib_ctx_set_options(SSL_CTX *ctx, long long opts, int set)
{
    uint64_t r = set ? SSL_CTX_set_options(ctx, (uint64_t)opts) : SSL_CTX_clear_options(ctx, (uint64_t)opts);

    return (long long)(r & PROTO_OPTIONS);
}

long long lib_ssl_set_options(SSL *ssl, long long opts, int set)
{
    uint64_t r = set ? SSL_set_options(ssl, (uint64_t)opts) : SSL_clear_options(ssl, (uint64_t)opts);

    return (long long)(r & PROTO_OPTIONS);
}

int lib_has_matching(SSL *ssl, SSL_SESSION *s)
{
    unsigned int len = 0;
    const unsigned char *id = SSL_SESSION_get_id(s, &len);

    return SSL_has_matching_session_id(ssl, id, len);
}

const char *lib_version(void)
{
    return OpenSSL_version(OPENSSL_VERSION_STRING);
}

/*
 * calls.c - the BoringSSL side of the calls (../common/perform.c): making
 * SSL_CTXs and SSLs, the callbacks, and the library function behind each
 * call, which the common code hands its arguments as they are. Where
 * BoringSSL's prototype takes a narrower or unsigned type (uint32_t
 * timeouts, uint64_t times), the value is converted as a C caller's would
 * be; the boringssl profile of the model says what that means.
 */
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>

/* The protocol's SSL_OP_NO_ANTI_REPLAY (docs/protocol.md §3), which
 * BoringSSL lacks; its SSL_OP_NO_TICKET has OpenSSL's value. */
#define PROTO_OP_NO_ANTI_REPLAY 0x01000000LL

/* BoringSSL has every call of calls.h but SSL_has_matching_session_id and
 * SSL_set_num_tickets (no function, no macro in ssl.h):
 * SSL_get0_session is a macro for SSL_get_session, and the counters other
 * than SSL_CTX_sess_number are functions that return 0 (the profile says
 * so, rather than the hello). */
/* BoringSSL has no SSL_CTX_set_max_early_data or SSL_set_max_early_data
 * (it has SSL_CTX_set_early_data_enabled instead): not offered. The
 * shutdown variants are offered; the boringssl profile leaves read_alert
 * out (docs/findings.md, B18). */
static int is_max_early_data(enum op op)
{
    return op == OP_SSL_CTX_set_max_early_data || op == OP_SSL_set_max_early_data;
}

int lib_implemented(enum op op)
{
    return op != OP_UNKNOWN && op != OP_SSL_has_matching_session_id && op != OP_SSL_set_num_tickets
           && op != OP_SSL_SESSION_dup && op != OP_SSL_SESSION_new && op != OP_SSL_copy_session_id
           && !is_max_early_data(op);
}

static int is_options_call(enum op op)
{
    return op == OP_SSL_CTX_set_options || op == OP_SSL_CTX_clear_options || op == OP_SSL_set_options
           || op == OP_SSL_clear_options;
}

int lib_check_request(const struct request *rq, char *err, size_t errlen)
{
    if (rq->cfg.get_cb != 0) { /* docs/findings.md: the external cache is left out */
        snprintf(err, errlen, "the BoringSSL shim runs no external session cache (\"get_cb\")");
        return -1;
    }
    if (is_options_call(rq->code) && (rq->arg & PROTO_OP_NO_ANTI_REPLAY) != 0) {
        snprintf(err, errlen, "BoringSSL has no SSL_OP_NO_ANTI_REPLAY (\"arg\" 0x%llx)", rq->arg);
        return -1;
    }
    return 0;
}

/* session_ctx_of is the SSL_CTX the SSL was made from (lib_ssl_new keeps
 * it as the SSL's app data): BoringSSL's session_ctx, whose cache and
 * callbacks the SSL uses. SSL_get_SSL_CTX names the one SSL_set_SSL_CTX
 * installed, so looking there would file a session under the wrong one. */
static struct ctxent *session_ctx_of(SSL *ssl)
{
    return SSL_CTX_get_app_data((SSL_CTX *)SSL_get_app_data(ssl));
}

static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    struct ctxent *ce = session_ctx_of(ssl);

    return shim_new_session(ce->sh, ce, sess);
}

static void on_remove_session(SSL_CTX *ctx, SSL_SESSION *sess)
{
    struct ctxent *ce = SSL_CTX_get_app_data(ctx);

    shim_removed_session(ce->sh, ce, sess);
}

SSL_CTX *lib_ctx_new(struct ctxent *ce, const struct config *cfg, char *err, size_t errlen)
{
    /* BoringSSL's TLS_server_method and TLS_client_method are both
     * TLS_method: an SSL's role comes from SSL_set_accept_state. */
    SSL_CTX *ctx = SSL_CTX_new(cfg->server ? TLS_server_method() : TLS_client_method());

    if (ctx == NULL) {
        log_ssl_errors("SSL_CTX_new");
        snprintf(err, errlen, "SSL_CTX_new failed");
        return NULL;
    }
    SSL_CTX_set_app_data(ctx, ce);
    SSL_CTX_set_current_time_cb(ctx, virtual_time);
    if (!cfg->default_mode)
        SSL_CTX_set_session_cache_mode(ctx, (int)cfg->mode);
    if (cfg->size >= 0)
        SSL_CTX_sess_set_cache_size(ctx, (unsigned long)cfg->size);
    if (cfg->timeout != 0)
        SSL_CTX_set_timeout(ctx, (uint32_t)cfg->timeout);
    if (cfg->tickets >= 0)
        SSL_CTX_set_num_tickets(ctx, (size_t)cfg->tickets);
    if (cfg->no_ticket)
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (cfg->new_cb != 0)
        SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    if (cfg->remove_cb)
        SSL_CTX_sess_set_remove_cb(ctx, on_remove_session);
    if (cfg->server) {
        if (!SSL_CTX_use_certificate(ctx, ce->sh->lib.cert) || !SSL_CTX_use_PrivateKey(ctx, ce->sh->lib.key)) {
            log_ssl_errors("SSL_CTX_use_certificate");
            SSL_CTX_free(ctx);
            snprintf(err, errlen, "cannot load the server certificate");
            return NULL;
        }
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

/* Only server SSL_CTXs have a certificate: that is how an SSL learns its
 * role, since BoringSSL's methods do not carry one. */
SSL *lib_ssl_new(struct conn *c, SSL_CTX *ctx)
{
    SSL *ssl = SSL_new(ctx);

    if (ssl == NULL) {
        log_ssl_errors("SSL_new");
        return NULL;
    }
    SSL_set_app_data(ssl, ctx); /* session_ctx_of */
    c->client = SSL_CTX_get0_certificate(ctx) == NULL;
    if (c->client)
        SSL_set_connect_state(ssl);
    else
        SSL_set_accept_state(ssl);
    return ssl;
}

void lib_ctx_free(SSL_CTX *ctx) { SSL_CTX_free(ctx); }
void lib_ssl_free(SSL *ssl) { SSL_free(ssl); }
long long lib_ssl_clear(SSL *ssl) { return SSL_clear(ssl); }
SSL_SESSION *lib_get0_session(SSL *ssl) { return SSL_get0_session(ssl); } /* a macro for SSL_get_session */
SSL_SESSION *lib_get1_session(SSL *ssl) { return SSL_get1_session(ssl); }
long long lib_set_session(SSL *ssl, SSL_SESSION *s) { return SSL_set_session(ssl, s); }
int lib_session_reused(SSL *ssl) { return SSL_session_reused(ssl); }
long long lib_sess_up_ref(SSL_SESSION *s) { return SSL_SESSION_up_ref(s); }
void lib_sess_free(SSL_SESSION *s) { SSL_SESSION_free(s); }
int lib_sess_is_resumable(SSL_SESSION *s) { return SSL_SESSION_is_resumable(s); }
long long lib_sess_set_time(SSL_SESSION *s, long long t) { return (long long)SSL_SESSION_set_time(s, (uint64_t)t); }
long long lib_sess_set_timeout(SSL_SESSION *s, long long t) { return SSL_SESSION_set_timeout(s, (uint32_t)t); }
long lib_sess_time(SSL_SESSION *s) { return (long)SSL_SESSION_get_time(s); }
long lib_sess_timeout(SSL_SESSION *s) { return (long)SSL_SESSION_get_timeout(s); }
long long lib_ctx_set_timeout(SSL_CTX *ctx, long long t) { return SSL_CTX_set_timeout(ctx, (uint32_t)t); }
long long lib_ctx_set_cache_size(SSL_CTX *ctx, long long n)
{
    return (long long)SSL_CTX_sess_set_cache_size(ctx, (unsigned long)n);
}
long long lib_ctx_add_session(SSL_CTX *ctx, SSL_SESSION *s) { return SSL_CTX_add_session(ctx, s); }
long long lib_ctx_remove_session(SSL_CTX *ctx, SSL_SESSION *s) { return SSL_CTX_remove_session(ctx, s); }
void lib_ctx_flush(SSL_CTX *ctx, long long t) { SSL_CTX_flush_sessions(ctx, (uint64_t)t); }
long lib_ctx_number(SSL_CTX *ctx) { return (long)SSL_CTX_sess_number(ctx); }
long lib_ctx_hits(SSL_CTX *ctx) { return SSL_CTX_sess_hits(ctx); }
long lib_ctx_misses(SSL_CTX *ctx) { return SSL_CTX_sess_misses(ctx); }
long lib_ctx_timeouts(SSL_CTX *ctx) { return SSL_CTX_sess_timeouts(ctx); }
long lib_ctx_cache_full(SSL_CTX *ctx) { return SSL_CTX_sess_cache_full(ctx); }
long lib_ctx_connect(SSL_CTX *ctx) { return SSL_CTX_sess_connect(ctx); }
long lib_ctx_connect_good(SSL_CTX *ctx) { return SSL_CTX_sess_connect_good(ctx); }
long lib_ctx_accept(SSL_CTX *ctx) { return SSL_CTX_sess_accept(ctx); }
long lib_ctx_accept_good(SSL_CTX *ctx) { return SSL_CTX_sess_accept_good(ctx); }
long lib_ctx_cb_hits(SSL_CTX *ctx) { return SSL_CTX_sess_cb_hits(ctx); }

/* The settings: BoringSSL's options are a uint32_t, masked to the one
 * protocol option it has; SSL_CTX_set_num_tickets caps the count at 16. */
long long lib_ctx_set_cache_mode(SSL_CTX *ctx, long long mode) { return SSL_CTX_set_session_cache_mode(ctx, (int)mode); }
long long lib_ctx_set_num_tickets(SSL_CTX *ctx, long long n) { return SSL_CTX_set_num_tickets(ctx, (size_t)n); }

long long lib_ctx_set_options(SSL_CTX *ctx, long long opts, int set)
{
    uint32_t r = set ? SSL_CTX_set_options(ctx, (uint32_t)opts) : SSL_CTX_clear_options(ctx, (uint32_t)opts);

    return (long long)(r & SSL_OP_NO_TICKET);
}

long long lib_ssl_set_options(SSL *ssl, long long opts, int set)
{
    uint32_t r = set ? SSL_set_options(ssl, (uint32_t)opts) : SSL_clear_options(ssl, (uint32_t)opts);

    return (long long)(r & SSL_OP_NO_TICKET);
}

/* Never called: lib_implemented leaves these two out. */
long long lib_ssl_set_num_tickets(SSL *ssl, long long n)
{
    (void)ssl, (void)n;
    return 0;
}

int lib_has_matching(SSL *ssl, SSL_SESSION *s)
{
    (void)ssl, (void)s;
    return 0;
}

/* BoringSSL has no version string; the hello names the Android release
 * and the API version of its headers. */
const char *lib_version(void)
{
    static char v[64];

    snprintf(v, sizeof(v), "android 13.0.0+r24 (BORINGSSL_API_VERSION %d)", BORINGSSL_API_VERSION);
    return v;
}

/* lib_sess_round_trip encodes s with i2d_SSL_SESSION and decodes a new
 * session from the bytes with d2i_SSL_SESSION. */
SSL_SESSION *lib_sess_round_trip(SSL_SESSION *s)
{
    int n = i2d_SSL_SESSION(s, NULL);
    uint8_t *buf, *w;
    const uint8_t *r;
    SSL_SESSION *out;

    if (n <= 0)
        return NULL;
    buf = malloc((size_t)n);
    if (buf == NULL)
        abort();
    w = buf;
    if (i2d_SSL_SESSION(s, &w) != n) {
        free(buf);
        return NULL;
    }
    r = buf;
    out = d2i_SSL_SESSION(NULL, &r, n);
    free(buf);
    return out;
}

/* Never called: lib_implemented leaves them out. BoringSSL has no public
 * SSL_SESSION_dup and no SSL_copy_session_id, and its SSL_SESSION_new
 * takes the SSL_CTX whose X509 method the session uses, which the call of
 * sesslife-shim/1 does not carry. */
SSL_SESSION *lib_sess_dup(SSL_SESSION *s)
{
    (void)s;
    return NULL;
}

SSL_SESSION *lib_sess_new(void) { return NULL; }

long long lib_copy_session_id(SSL *to, SSL *from)
{
    (void)to, (void)from;
    return 0;
}

void lib_ssl_set_quiet_shutdown(SSL *ssl, int mode) { SSL_set_quiet_shutdown(ssl, mode); }
void lib_ssl_set_shutdown(SSL *ssl, int flags) { SSL_set_shutdown(ssl, flags); }
long long lib_ssl_get_shutdown(SSL *ssl) { return SSL_get_shutdown(ssl); }

/* Never called: BoringSSL lacks max_early_data (see lib_implemented). */
long long lib_ctx_set_max_early_data(SSL_CTX *ctx, long long n)
{
    (void)ctx, (void)n;
    return 0;
}

long long lib_ssl_set_max_early_data(SSL *ssl, long long n)
{
    (void)ssl, (void)n;
    return 0;
}

/* The session id context calls, as OpenSSL's: BoringSSL keeps the
 * SSL_CTX's and the SSL's context in their CERT (ssl_cert.cc
 * set_session_id_context), which SSL_new copies. */
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
int lib_sess_sid_ctx(SSL_SESSION *s, const unsigned char **b, unsigned int *len)
{
    *b = SSL_SESSION_get0_id_context(s, len);
    return 1;
}

/* SSL_set_SSL_CTX returns the SSL_CTX it installed, NULL on failure. */
long long lib_ssl_set_ssl_ctx(SSL *ssl, SSL_CTX *ctx)
{
    return SSL_set_SSL_CTX(ssl, ctx) == ctx;
}

/* on_servername is the servername callback lib_ctx_set_servername_ctx
 * installs: it moves the SSL to the SSL_CTX it was given. */
static int on_servername(SSL *ssl, int *alert, void *arg)
{
    (void)alert;
    SSL_set_SSL_CTX(ssl, arg);
    return SSL_TLSEXT_ERR_OK;
}

void lib_ctx_set_servername_ctx(SSL_CTX *ctx, SSL_CTX *to)
{
    SSL_CTX_set_tlsext_servername_callback(ctx, to != NULL ? on_servername : NULL);
    SSL_CTX_set_tlsext_servername_arg(ctx, to);
}

/*
 * calls.c - the wolfSSL 5.5 side of the calls (../common/perform.c): making
 * SSL_CTXs and SSLs, the callbacks, and the wolfSSL function behind each
 * call (with the OpenSSL name it stands for where the two differ), which
 * the common code hands its arguments as they are.
 */
#include "shim.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#pragma GCC diagnostic ignored "-Wunused-variable"
#define USE_CERT_BUFFERS_256
#include <wolfssl/certs_test.h>
#pragma GCC diagnostic pop

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* The protocol's option bits (OpenSSL's values, docs/protocol.md §3). */
#define PROTO_OP_NO_TICKET 0x00004000LL
#define PROTO_OP_NO_ANTI_REPLAY 0x01000000LL

/* wolfSSL 5.5.4 has none of SSL_SESSION_set_time,
 * SSL_has_matching_session_id and SSL_set_num_tickets (no function, no
 * macro): those calls are not offered. */
/* Debian's build has no WOLFSSL_EARLY_DATA, so
 * wolfSSL_CTX_set_max_early_data and wolfSSL_set_max_early_data are neither
 * declared nor exported: missing. */
static int is_early_data_call(enum op op)
{
    return op == OP_SSL_CTX_set_max_early_data || op == OP_SSL_set_max_early_data;
}

int lib_implemented(enum op op)
{
    return op != OP_UNKNOWN && op != OP_SSL_SESSION_set_time && op != OP_SSL_has_matching_session_id
           && op != OP_SSL_set_num_tickets && op != OP_SSL_copy_session_id
           && !is_early_data_call(op)
           && op != OP_SSL_CTX_set_tlsext_servername_callback;
}

static int is_options_call(enum op op)
{
    return op == OP_SSL_CTX_set_options || op == OP_SSL_CTX_clear_options || op == OP_SSL_set_options
           || op == OP_SSL_clear_options;
}

int lib_check_request(const struct request *rq, char *err, size_t errlen)
{
    if (rq->cfg.get_cb != 0) { /* docs/findings.md: the external cache is left out */
        snprintf(err, errlen, "the wolfSSL shim runs no external session cache (\"get_cb\")");
        return -1;
    }
    if (rq->cfg.timeout > UINT_MAX) { /* wolfSSL keeps timeouts in a word32 */
        snprintf(err, errlen, "\"timeout\" must be an integer in 0..4294967295");
        return -1;
    }
    if (is_options_call(rq->code) && (rq->arg & PROTO_OP_NO_ANTI_REPLAY) != 0) {
        snprintf(err, errlen, "wolfSSL has no SSL_OP_NO_ANTI_REPLAY (\"arg\" 0x%llx)", rq->arg);
        return -1;
    }
    return 0;
}

/* ctxent_of finds the handle of a WOLFSSL_CTX through its ex_data slot 0
 * (SSL_CTX_get_app_data): addresses are reused once a context is freed. */
static struct ctxent *ctxent_of(const WOLFSSL_CTX *ctx)
{
    return ctx != NULL ? wolfSSL_CTX_get_ex_data(ctx, 0) : NULL;
}

/* AddSession takes a reference before the call and drops it when the
 * callback returns 0, as OpenSSL does. wolfSSL keeps one WOLFSSL_CTX per
 * WOLFSSL, which wolfSSL_set_SSL_CTX replaces, and runs that one's
 * new_sess_cb: the SSL's current SSL_CTX is the one whose callback ran
 * (the OpenSSL and BoringSSL shims look up the SSL_CTX the SSL was made
 * from instead, since their libraries run that one's). */
static int on_new_session(WOLFSSL *ssl, WOLFSSL_SESSION *sess)
{
    return shim_new_session(&the_shim, ctxent_of(wolfSSL_get_SSL_CTX(ssl)), sess);
}

/* ctx is NULL when wolfSSL overwrites a cache row whose entry came from an
 * SSL_CTX with a remove callback (AddSessionToCache): the event then names
 * no SSL_CTX (ctx 0). */
static void on_remove_session(WOLFSSL_CTX *ctx, WOLFSSL_SESSION *sess)
{
    shim_removed_session(&the_shim, ctxent_of(ctx), sess);
}

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

WOLFSSL_CTX *lib_ctx_new(struct ctxent *ce, const struct config *cfg, char *err, size_t errlen)
{
    /* SSL_CTX_new(TLS_server_method()) / SSL_CTX_new(TLS_client_method()) */
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(cfg->server ? wolfSSLv23_server_method() : wolfSSLv23_client_method());

    if (ctx == NULL) {
        snprintf(err, errlen, "SSL_CTX_new failed");
        return NULL;
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
            return NULL;
        }
    } else {
        wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

WOLFSSL *lib_ssl_new(struct conn *c, WOLFSSL_CTX *ctx)
{
    WOLFSSL *ssl = wolfSSL_new(ctx);

    if (ssl == NULL)
        return NULL;
    wolfSSL_SetIOReadCtx(ssl, c);
    wolfSSL_SetIOWriteCtx(ssl, c);
    c->client = wolfSSL_is_server(ssl) == 0;
    if (c->client)
        wolfSSL_set_connect_state(ssl);
    else
        wolfSSL_set_accept_state(ssl);
    return ssl;
}

void lib_ctx_free(WOLFSSL_CTX *ctx) { wolfSSL_CTX_free(ctx); }
void lib_ssl_free(WOLFSSL *ssl) { wolfSSL_free(ssl); }
long long lib_ssl_clear(WOLFSSL *ssl) { return wolfSSL_clear(ssl); }
WOLFSSL_SESSION *lib_get0_session(WOLFSSL *ssl) { return wolfSSL_SSL_get0_session(ssl); } /* SSL_get0_session */
WOLFSSL_SESSION *lib_get1_session(WOLFSSL *ssl) { return wolfSSL_get1_session(ssl); }
long long lib_set_session(WOLFSSL *ssl, WOLFSSL_SESSION *s) { return wolfSSL_set_session(ssl, s); }
int lib_session_reused(WOLFSSL *ssl) { return wolfSSL_session_reused(ssl); }
long long lib_sess_up_ref(WOLFSSL_SESSION *s) { return wolfSSL_SESSION_up_ref(s); }
void lib_sess_free(WOLFSSL_SESSION *s) { wolfSSL_SESSION_free(s); }
int lib_sess_is_resumable(WOLFSSL_SESSION *s) { return wolfSSL_SESSION_is_resumable(s); }
long lib_sess_time(WOLFSSL_SESSION *s) { return wolfSSL_SESSION_get_time(s); }
long lib_sess_timeout(WOLFSSL_SESSION *s) { return wolfSSL_SESSION_get_timeout(s); }
long lib_ctx_number(WOLFSSL_CTX *ctx) { return wolfSSL_CTX_sess_number(ctx); }
long lib_ctx_hits(WOLFSSL_CTX *ctx) { return wolfSSL_CTX_sess_hits(ctx); }
long lib_ctx_misses(WOLFSSL_CTX *ctx) { return wolfSSL_CTX_sess_misses(ctx); }
long lib_ctx_timeouts(WOLFSSL_CTX *ctx) { return wolfSSL_CTX_sess_timeouts(ctx); }
long lib_ctx_cache_full(WOLFSSL_CTX *ctx) { return wolfSSL_CTX_sess_cache_full(ctx); }
long lib_ctx_connect(WOLFSSL_CTX *ctx) { return wolfSSL_CTX_sess_connect(ctx); }
long lib_ctx_connect_good(WOLFSSL_CTX *ctx) { return wolfSSL_CTX_sess_connect_good(ctx); }
long lib_ctx_accept(WOLFSSL_CTX *ctx) { return wolfSSL_CTX_sess_accept(ctx); }
long lib_ctx_accept_good(WOLFSSL_CTX *ctx) { return wolfSSL_CTX_sess_accept_good(ctx); }
long lib_ctx_cb_hits(WOLFSSL_CTX *ctx) { return wolfSSL_CTX_sess_cb_hits(ctx); }

/* wolf_options and proto_options translate the protocol's SSL_OP_NO_TICKET
 * (0x4000) to wolfSSL's (0x80000) and back. */
static long wolf_options(long long opts)
{
    return (opts & PROTO_OP_NO_TICKET) != 0 ? WOLFSSL_OP_NO_TICKET : 0;
}

static long long proto_options(long opts)
{
    return (opts & WOLFSSL_OP_NO_TICKET) != 0 ? PROTO_OP_NO_TICKET : 0;
}

long long lib_ctx_set_options(WOLFSSL_CTX *ctx, long long opts, int set)
{
    long r = set ? wolfSSL_CTX_set_options(ctx, wolf_options(opts)) : wolfSSL_CTX_clear_options(ctx, wolf_options(opts));

    return proto_options(r);
}

long long lib_ssl_set_options(WOLFSSL *ssl, long long opts, int set)
{
    long r = set ? wolfSSL_set_options(ssl, wolf_options(opts)) : wolfSSL_clear_options(ssl, wolf_options(opts));

    return proto_options(r);
}

/* SSL_CTX_set_session_cache_mode: wolfSSL returns WOLFSSL_SUCCESS, not the
 * old mode. */
long long lib_ctx_set_cache_mode(WOLFSSL_CTX *ctx, long long mode)
{
    return wolfSSL_CTX_set_session_cache_mode(ctx, cache_mode(mode));
}

long long lib_ctx_set_num_tickets(WOLFSSL_CTX *ctx, long long n)
{
    return wolfSSL_CTX_set_num_tickets(ctx, (size_t)n);
}

/* Never called: lib_implemented says wolfSSL has no SSL_set_num_tickets. */
long long lib_ssl_set_num_tickets(WOLFSSL *ssl, long long n)
{
    (void)ssl, (void)n;
    return 0;
}

/* Never called: lib_implemented says wolfSSL has no
 * SSL_has_matching_session_id. */
int lib_has_matching(WOLFSSL *ssl, WOLFSSL_SESSION *s)
{
    (void)ssl, (void)s;
    return 0;
}

/* Never called: lib_implemented says wolfSSL has no SSL_SESSION_set_time. */
long long lib_sess_set_time(WOLFSSL_SESSION *s, long long t)
{
    (void)s, (void)t;
    return 0;
}

long long lib_sess_set_timeout(WOLFSSL_SESSION *s, long long t)
{
    return wolfSSL_SSL_SESSION_set_timeout(s, (long)t); /* SSL_SESSION_set_timeout */
}

long long lib_ctx_set_timeout(WOLFSSL_CTX *ctx, long long t)
{
    return wolfSSL_CTX_set_timeout(ctx, (unsigned int)t); /* SSL_CTX_set_timeout casts to unsigned int */
}

long long lib_ctx_set_cache_size(WOLFSSL_CTX *ctx, long long n)
{
    return wolfSSL_CTX_sess_set_cache_size(ctx, (long)n);
}

/* Adding or removing may touch the process-wide cache (dirty). */
long long lib_ctx_add_session(WOLFSSL_CTX *ctx, WOLFSSL_SESSION *s)
{
    the_shim.lib.dirty = 1;
    return wolfSSL_CTX_add_session(ctx, s);
}

long long lib_ctx_remove_session(WOLFSSL_CTX *ctx, WOLFSSL_SESSION *s)
{
    the_shim.lib.dirty = 1;
    return wolfSSL_SSL_CTX_remove_session(ctx, s); /* SSL_CTX_remove_session */
}

void lib_ctx_flush(WOLFSSL_CTX *ctx, long long t)
{
    wolfSSL_flush_sessions(ctx, (long)t); /* SSL_CTX_flush_sessions */
}

unsigned int lib_sess_id_len(WOLFSSL_SESSION *s)
{
    unsigned int len = 0;

    wolfSSL_SESSION_get_id(s, &len);
    return len;
}

/* lib_log_errors drains wolfSSL's error queue (SESSLIFE_SHIM_VERBOSE). */
void lib_log_errors(const char *what)
{
    char buf[WOLFSSL_MAX_ERROR_SZ];
    unsigned long e;

    while ((e = wolfSSL_ERR_get_error()) != 0)
        fprintf(stderr, "shim: %s: %s\n", what, wolfSSL_ERR_error_string(e, buf));
}

void lib_clear_errors(void)
{
    wolfSSL_ERR_clear_error();
}

const char *lib_version(void)
{
    return wolfSSL_lib_version();
}

/* lib_sess_round_trip encodes s with wolfSSL_i2d_SSL_SESSION and decodes a
 * new session from the bytes with wolfSSL_d2i_SSL_SESSION. */
WOLFSSL_SESSION *lib_sess_round_trip(WOLFSSL_SESSION *s)
{
    int n = wolfSSL_i2d_SSL_SESSION(s, NULL);
    unsigned char *buf, *w;
    const unsigned char *r;
    WOLFSSL_SESSION *out;

    if (n <= 0)
        return NULL;
    buf = malloc((size_t)n);
    if (buf == NULL)
        abort();
    w = buf;
    if (wolfSSL_i2d_SSL_SESSION(s, &w) != n) {
        free(buf);
        return NULL;
    }
    r = buf;
    out = wolfSSL_d2i_SSL_SESSION(NULL, &r, n);
    free(buf);
    return out;
}

WOLFSSL_SESSION *lib_sess_dup(WOLFSSL_SESSION *s) { return wolfSSL_SESSION_dup(s); } /* SSL_SESSION_dup */
WOLFSSL_SESSION *lib_sess_new(void) { return wolfSSL_SESSION_new(); } /* SSL_SESSION_new */

/* Never called: lib_implemented says wolfSSL 5.5.4 has no
 * SSL_copy_session_id (no function, no macro). */
long long lib_copy_session_id(WOLFSSL *to, WOLFSSL *from)
{
    (void)to, (void)from;
    return 0;
}

/* SSL_set_quiet_shutdown (W25): a mode of 0 leaves the setting as it was. */
void lib_ssl_set_quiet_shutdown(WOLFSSL *ssl, int mode)
{
    wolfSSL_set_quiet_shutdown(ssl, mode);
}

/* SSL_set_shutdown (W26): writes sentNotify and closeNotify. */
void lib_ssl_set_shutdown(WOLFSSL *ssl, int flags)
{
    wolfSSL_set_shutdown(ssl, flags);
}

/* SSL_get_shutdown (W22): 3 whenever handShakeState is NULL_STATE. */
long long lib_ssl_get_shutdown(WOLFSSL *ssl)
{
    return wolfSSL_get_shutdown(ssl);
}

/* Never called: Debian's wolfSSL is built without early data (see
 * lib_implemented). */
long long lib_ctx_set_max_early_data(WOLFSSL_CTX *ctx, long long n)
{
    (void)ctx, (void)n;
    return 0;
}

long long lib_ssl_set_max_early_data(WOLFSSL *ssl, long long n)
{
    (void)ssl, (void)n;
    return 0;
}

/* The session id context calls (W21). wolfSSL 5.5.4's
 * SSL_SESSION_set1_id_context is a stub that returns WOLFSSL_FAILURE. */
long long lib_ctx_set_sid_ctx(WOLFSSL_CTX *ctx, const unsigned char *b, unsigned int len)
{
    return wolfSSL_CTX_set_session_id_context(ctx, b, len);
}
long long lib_ssl_set_sid_ctx(WOLFSSL *ssl, const unsigned char *b, unsigned int len)
{
    return wolfSSL_set_session_id_context(ssl, b, len);
}
long long lib_sess_set_sid_ctx(WOLFSSL_SESSION *s, const unsigned char *b, unsigned int len)
{
    return SSL_SESSION_set1_id_context(s, b, len);
}
/* wolfSSL 5.5.4's SSL_SESSION_get0_id_context hands back the session's
 * id (its bytes and length), not its id context (docs/findings.md W21):
 * the observation leaves the context out rather than report a false one. */
int lib_sess_sid_ctx(WOLFSSL_SESSION *s, const unsigned char **b, unsigned int *len)
{
    (void)s;
    *b = NULL;
    *len = 0;
    return 0;
}

/* wolfSSL_set_SSL_CTX returns the WOLFSSL_CTX it installed, NULL on
 * failure. The wolfssl-5.5 profile leaves the call out (Profile.Unchecked,
 * docs/findings.md "Not checked yet: SSL_set_SSL_CTX"), so the model sends
 * it only when that is lifted. */
long long lib_ssl_set_ssl_ctx(WOLFSSL *ssl, WOLFSSL_CTX *ctx)
{
    return wolfSSL_set_SSL_CTX(ssl, ctx) == ctx;
}

/* Never called: lib_implemented leaves the servername callback out (not
 * compared with this library yet, docs/findings.md). */
void lib_ctx_set_servername_ctx(WOLFSSL_CTX *ctx, WOLFSSL_CTX *to)
{
    (void)ctx, (void)to;
}

/*
 * calls.c - the OpenSSL 3.0 side of the calls (../common/perform.c): making
 * SSL_CTXs and SSLs, the callbacks, and the library function behind each
 * call, which the common code hands its arguments as they are.
 */
#include "shim.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lib_implemented(enum op op)
{
    return op != OP_UNKNOWN;
}

int lib_check_request(const struct request *rq, char *err, size_t errlen)
{
    (void)rq, (void)err, (void)errlen;
    return 0;
}

/*
 * The external session cache (docs/spec.md CB-EXT-STORE), run as nginx or
 * haproxy would run one that keeps pointers: new_session_cb returning 1
 * keeps the session under its id, remove_cb takes the entry out and frees
 * it, get_session_cb returns the entry asked for (leaving *copy at 1, or
 * writing 0 and so handing the store's reference to libssl), and the
 * SSL_CTX's ex_data free, after its final flush, frees what is left. The
 * model never sends a call that would make the store free a reference it
 * handed over (UB-EXT-HANDED-FREE), so owned is only bookkeeping here.
 */
struct ext_entry {
    unsigned char id[SSL_MAX_SSL_SESSION_ID_LENGTH];
    unsigned int len;
    SSL_SESSION *sess;
    int owned;
    /* A store of bytes (get_cb 3 or 4, docs/spec.md CB-EXT-SERIAL-STORE)
     * keeps what i2d_SSL_SESSION wrote instead, and sess is NULL. */
    unsigned char *der;
    int derlen;
};

/* EXT_MAX_DER bounds one encoded session; EXT_MAX_BYTES bounds the entries
 * of a store of bytes (a generated sequence makes far fewer sessions). */
#define EXT_MAX_DER 4096
#define EXT_MAX_BYTES 256

struct ext_store {
    pthread_mutex_t mu;
    struct ext_entry *v;
    size_t n, cap;
};

static int ext_index = -1;
static pthread_once_t ext_once = PTHREAD_ONCE_INIT;

static void ext_free_all(struct ext_store *st)
{
    for (size_t i = 0; i < st->n; i++) {
        if (st->v[i].owned)
            SSL_SESSION_free(st->v[i].sess);
        free(st->v[i].der);
    }
    free(st->v);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

/* ext_on_ctx_free is the ex_data free callback: SSL_CTX_free calls it after
 * the final flush, so remove_cb has already taken out what was cached. */
static void ext_on_ctx_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    if (ptr != NULL)
        ext_free_all(ptr);
}

static void ext_init(void)
{
    ext_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, ext_on_ctx_free);
}

/* ext_find returns the index of the entry under id, or -1; mu is held. */
static long ext_find(const struct ext_store *st, const unsigned char *id, unsigned int len)
{
    if (len == 0)
        return -1;
    for (size_t i = 0; i < st->n; i++)
        if (st->v[i].len == len && memcmp(st->v[i].id, id, len) == 0)
            return (long)i;
    return -1;
}

/* ext_take removes the entry under id and returns its session if the store
 * owned the reference (the caller frees it outside the lock). */
static SSL_SESSION *ext_take(struct ext_store *st, const unsigned char *id, unsigned int len)
{
    SSL_SESSION *out = NULL;
    long i;

    pthread_mutex_lock(&st->mu);
    i = ext_find(st, id, len);
    if (i >= 0) {
        if (st->v[i].owned)
            out = st->v[i].sess;
        free(st->v[i].der);
        st->v[i] = st->v[--st->n];
    }
    pthread_mutex_unlock(&st->mu);
    return out;
}

static void ext_put(struct ext_store *st, SSL_SESSION *sess)
{
    unsigned int len;
    const unsigned char *id = SSL_SESSION_get_id(sess, &len);
    SSL_SESSION *old = ext_take(st, id, len);

    if (old != NULL)
        SSL_SESSION_free(old);
    pthread_mutex_lock(&st->mu);
    st->v = must_grow(st->v, &st->cap, st->n + 1, sizeof(*st->v));
    st->v[st->n] = (struct ext_entry){ .len = len, .sess = sess, .owned = 1 };
    memcpy(st->v[st->n].id, id, len);
    st->n++;
    pthread_mutex_unlock(&st->mu);
}

/*
 * The store of bytes nginx and haproxy run (get_cb 3 leaves *copy at 1,
 * 4 writes 0; docs/spec.md CB-EXT-SERIAL-STORE): new_session_cb, which
 * returns 0, encodes the session with i2d_SSL_SESSION under its id (older
 * bytes under it go), remove_cb erases the bytes (ext_take), get_session_cb
 * decodes a fresh object with d2i_SSL_SESSION, and the ex_data free frees
 * the bytes. A session that encodes to nothing is not kept.
 */
static void ext_put_bytes(struct ext_store *st, SSL_SESSION *sess)
{
    unsigned int len;
    const unsigned char *id = SSL_SESSION_get_id(sess, &len);
    int n = i2d_SSL_SESSION(sess, NULL);
    unsigned char *der, *p;

    if (len == 0 || n <= 0 || n > EXT_MAX_DER)
        return;
    der = malloc((size_t)n);
    if (der == NULL)
        abort();
    p = der;
    if (i2d_SSL_SESSION(sess, &p) != n) {
        free(der);
        return;
    }
    (void)ext_take(st, id, len); /* older bytes go; a store of bytes owns no session */
    pthread_mutex_lock(&st->mu);
    if (st->n >= EXT_MAX_BYTES) { /* bounded: the oldest entry makes room */
        free(st->v[0].der);
        memmove(st->v, st->v + 1, (st->n - 1) * sizeof(*st->v));
        st->n--;
    }
    st->v = must_grow(st->v, &st->cap, st->n + 1, sizeof(*st->v));
    st->v[st->n] = (struct ext_entry){ .len = len, .der = der, .derlen = n };
    memcpy(st->v[st->n].id, id, len);
    st->n++;
    pthread_mutex_unlock(&st->mu);
}

/* ext_get_bytes is get_session_cb of a store of bytes: a fresh session
 * from d2i_SSL_SESSION, whose one reference libssl takes over with
 * *copy = 0 (get_cb 4); with *copy left at 1 (get_cb 3) libssl takes one
 * of its own and d2i's is the application's, which keeps the object
 * nowhere (sess_orphan: the shim frees it at reset, as it frees every
 * reference the application owns). */
static SSL_SESSION *ext_get_bytes(struct ctxent *ce, struct ext_store *st, const unsigned char *id, int len, int *copy)
{
    SSL_SESSION *out = NULL;
    long i;

    pthread_mutex_lock(&st->mu);
    i = ext_find(st, id, (unsigned int)len);
    if (i >= 0) {
        const unsigned char *p = st->v[i].der;
        out = d2i_SSL_SESSION(NULL, &p, st->v[i].derlen);
        if (out == NULL)
            log_ssl_errors("d2i_SSL_SESSION");
    }
    pthread_mutex_unlock(&st->mu);
    if (out != NULL && ce->get_cb == 4)
        *copy = 0;
    else if (out != NULL)
        sess_orphan(ce->sh, out); /* libssl takes its own reference: d2i's is the application's */
    return out;
}

/* session_ctx_of is the SSL_CTX the SSL was made from (lib_ssl_new keeps
 * it as the SSL's app data): its session_ctx, whose cache and callbacks
 * OpenSSL uses. SSL_get_SSL_CTX names the one SSL_set_SSL_CTX installed,
 * so a callback that looked there would file the session under the wrong
 * SSL_CTX (nginx keeps its session context apart for the same reason). */
static struct ctxent *session_ctx_of(SSL *ssl)
{
    return SSL_CTX_get_app_data((SSL_CTX *)SSL_get_app_data(ssl));
}

static SSL_SESSION *on_get_session(SSL *ssl, const unsigned char *id, int len, int *copy)
{
    struct ctxent *ce = session_ctx_of(ssl);
    struct ext_store *st = ce->store;
    SSL_SESSION *out = NULL;
    long i;

    if (ce->get_cb >= 3)
        return ext_get_bytes(ce, st, id, len, copy);
    pthread_mutex_lock(&st->mu);
    i = ext_find(st, id, (unsigned int)len);
    if (i >= 0) {
        out = st->v[i].sess;
        if (ce->get_cb == 2) {
            *copy = 0;
            st->v[i].owned = 0;
        }
    }
    pthread_mutex_unlock(&st->mu);
    return out;
}

static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    struct ctxent *ce = session_ctx_of(ssl);
    int keep = shim_new_session(ce->sh, ce, sess);

    if (keep && ce->store != NULL)
        ext_put(ce->store, sess);
    else if (ce->store != NULL && ce->get_cb >= 3)
        ext_put_bytes(ce->store, sess);
    return keep;
}

static void on_remove_session(SSL_CTX *ctx, SSL_SESSION *sess)
{
    struct ctxent *ce = SSL_CTX_get_app_data(ctx);

    shim_removed_session(ce->sh, ce, sess);
    if (ce->store != NULL) {
        unsigned int len;
        const unsigned char *id = SSL_SESSION_get_id(sess, &len);
        SSL_SESSION *old = ext_take(ce->store, id, len);

        if (old != NULL)
            SSL_SESSION_free(old);
    }
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
    if (cfg->get_cb != 0) {
        struct ext_store *st = calloc(1, sizeof(*st));

        pthread_once(&ext_once, ext_init);
        if (st == NULL || ext_index < 0)
            abort();
        pthread_mutex_init(&st->mu, NULL);
        ce->store = st;
        SSL_CTX_set_ex_data(ctx, ext_index, st);
        SSL_CTX_sess_set_get_cb(ctx, on_get_session);
    }
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
    SSL_set_app_data(ssl, ctx); /* session_ctx_of */
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
int lib_sess_sid_ctx(SSL_SESSION *s, const unsigned char **b, unsigned int *len)
{
    *b = SSL_SESSION_get0_id_context(s, len);
    return 1;
}
long long lib_ssl_set_ssl_ctx(SSL *ssl, SSL_CTX *ctx) { return SSL_set_SSL_CTX(ssl, ctx) == ctx; }

/* on_servername is the servername callback lib_ctx_set_servername_ctx
 * installs: what a server of several names does once it knows which one
 * the client asked for (here: always the same one). */
static int on_servername(SSL *ssl, int *alert, void *arg)
{
    (void)alert;
    SSL_set_SSL_CTX(ssl, arg);
    return SSL_TLSEXT_ERR_OK;
}

void lib_ctx_set_servername_ctx(SSL_CTX *ctx, SSL_CTX *to)
{
    /* The macro casts its argument unparenthesized: pass a plain name. */
    if (to != NULL)
        SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);
    else
        SSL_CTX_set_tlsext_servername_callback(ctx, NULL);
    SSL_CTX_set_tlsext_servername_arg(ctx, to);
}
long long lib_ssl_set_num_tickets(SSL *ssl, long long n) { return SSL_set_num_tickets(ssl, (size_t)n); }
void lib_ssl_set_quiet_shutdown(SSL *ssl, int mode) { SSL_set_quiet_shutdown(ssl, mode); }
void lib_ssl_set_shutdown(SSL *ssl, int flags) { SSL_set_shutdown(ssl, flags); }
long long lib_ssl_get_shutdown(SSL *ssl) { return SSL_get_shutdown(ssl); }
long long lib_ctx_set_max_early_data(SSL_CTX *ctx, long long n) { return SSL_CTX_set_max_early_data(ctx, (uint32_t)n); }
long long lib_ssl_set_max_early_data(SSL *ssl, long long n) { return SSL_set_max_early_data(ssl, (uint32_t)n); }

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

/* lib_sess_round_trip encodes s as haproxy and libcurl keep it (the DER
 * of i2d_SSL_SESSION) and decodes a new object from the bytes; NULL when
 * i2d encodes nothing (a session without a cipher). */
SSL_SESSION *lib_sess_round_trip(SSL_SESSION *s)
{
    int n = i2d_SSL_SESSION(s, NULL);
    unsigned char *buf, *w;
    const unsigned char *r;
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

SSL_SESSION *lib_sess_dup(SSL_SESSION *s) { return SSL_SESSION_dup(s); }
SSL_SESSION *lib_sess_new(void) { return SSL_SESSION_new(); }
long long lib_copy_session_id(SSL *to, SSL *from) { return SSL_copy_session_id(to, from); }

/*
 * shim.c - the sesslife-shim/1 shim for wolfSSL 5.5 (see docs/protocol.md).
 *
 * It reads one JSON request per line on stdin, performs the call on real
 * wolfSSL objects through wolfSSL's OpenSSL compatibility layer and writes
 * one JSON reply per line on stdout. Handshakes run between a client SSL and
 * a server SSL over in-memory buffers behind wolfSSL's custom I/O callbacks,
 * which this file pumps itself, record by record, so it decides what is
 * delivered when. It serves one request at a time ("concurrent": false).
 *
 * Each call names the wolfSSL function it runs; the OpenSSL name it stands
 * for is the compatibility macro of <wolfssl/openssl/ssl.h> at 5.5.4.
 * docs/findings.md says what each does differently from OpenSSL 3.0.
 *
 * Build: see Makefile (cc ... shim.c ../common/proto.c ../common/json.c
 * -lwolfssl); proto.c is what this shim shares with the OpenSSL one.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/memory.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#pragma GCC diagnostic ignored "-Wunused-variable"
#define USE_CERT_BUFFERS_256
#include <wolfssl/certs_test.h>
#pragma GCC diagnostic pop

#include "json.h"
#include "proto.h"

#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PROFILE "wolfssl-5.5"
#define EXIT_WRONG_PROTOCOL 89 /* the BoGo convention for "cannot do that" */
/* Set in the environment of the fresh image a reset executes (see reset):
 * FRESH_ENV says "skip the hello", PENDING_ENV carries request bytes the old
 * image had read but not served. */
#define FRESH_ENV "SESSLIFE_WOLFSSL_FRESH"
#define PENDING_ENV "SESSLIFE_WOLFSSL_PENDING"

/* ------------------------------------------------------------------------
 * The virtual clock. wolfSSL asks time() for seconds (LowResTimer: session
 * birth, expiry) and gettimeofday() for milliseconds (TimeNowInMilliseconds:
 * TLS 1.3 ticket ages). libwolfssl imports both from the global scope
 * (nm -D shows "U time" and "U gettimeofday"), so the dynamic linker binds
 * its calls to these definitions (symbol interposition).
 * ------------------------------------------------------------------------ */
static long long virtual_now = 1700000000;

time_t time(time_t *out)
{
    if (out != NULL)
        *out = (time_t)virtual_now;
    return (time_t)virtual_now;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    tv->tv_sec = (time_t)virtual_now;
    tv->tv_usec = 0;
    return 0;
}

/* ------------------------------------------------------------------------
 * Objects and handles.
 * ------------------------------------------------------------------------ */

enum rec_kind { REC_TICKET = 1, REC_CLOSE, REC_OTHER };

/* record is one TLS record waiting for its receiver. */
struct record {
    struct record *next;
    enum rec_kind kind;
    size_t len;
    unsigned char data[];
};

/* bytes is a growable byte buffer read from the front. */
struct bytes {
    unsigned char *b;
    size_t off, len, cap;
};

/* ctxent is one SSL_CTX handle. It lives until reset because the WOLFSSL_CTX
 * may outlive SSL_CTX_free while SSLs hold it. */
struct ctxent {
    WOLFSSL_CTX *ctx;
    int handle;
    int app_held;
    int new_cb; /* 0 none, 1 returns 0, 2 returns 1 */
};

/* conn is one SSL handle and its end of the in-memory connection: in holds
 * bytes delivered to it (what its recv callback reads), out what it wrote. */
struct conn {
    WOLFSSL *ssl;
    int handle;
    int client;
    int alive;
    int peer;                   /* the other end, 0 when disconnected */
    struct bytes in, out;
    struct record *head, *tail; /* records sent to this SSL, not delivered */
};

/* named is a session the application has been shown; ptr is NULL once the
 * object was freed. Sessions are told apart by address: wolfSSL copies a
 * session's ex_data into every copy (wolfSSL_DupSession), so ex_data cannot
 * carry a per-object tag. */
struct named {
    WOLFSSL_SESSION *ptr;
    long apprefs; /* references the application owns (freed at reset) */
};

/* input is stdin, read with read(2) so that the shim knows exactly what it
 * has read but not served when a reset replaces its image. */
struct input {
    char *buf;
    size_t off, len, cap;
};

struct shim {
    struct input in;
    struct ctxent **ctxs;
    size_t nctx, capctx;
    struct conn **conns;
    size_t nconn, capconn;
    struct named *sess;
    size_t nsess, capsess;
    struct events *events; /* of the call running; NULL during reset */
    int dirty;             /* the process-wide session cache may hold entries */
    int verbose;
    char **argv;
};

/* The one shim. wolfSSL's allocator hook and its callbacks carry no user
 * pointer we could use, so they find it here. */
static struct shim the_shim;

/* ------------------------------------------------------------------------
 * Small helpers.
 * ------------------------------------------------------------------------ */

static void write_line(struct sbuf *b)
{
    if (fwrite(b->s, 1, b->n, stdout) != b->n || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        fprintf(stderr, "shim: cannot write to stdout; the harness is gone\n");
        exit(1);
    }
}

static void reply_error(long long id, const char *msg)
{
    struct sbuf b = { 0 };

    sb_printf(&b, "{\"id\":%lld,\"error\":", id);
    sb_string(&b, msg);
    sb_printf(&b, "}");
    write_line(&b);
    free(b.s);
}

static void emit(struct shim *sh, enum ev_kind kind, int ctx, int sess)
{
    struct events *e = sh->events;

    if (e == NULL)
        return;
    e->v = must_grow(e->v, &e->cap, e->n + 1, sizeof(*e->v));
    e->v[e->n++] = (struct event){ kind, ctx, sess };
}

/* next_line returns the next request line (NUL-terminated, without its
 * newline), or NULL at end of input. */
static char *next_line(struct input *in)
{
    for (;;) {
        char *nl = memchr(in->buf + in->off, '\n', in->len - in->off);
        ssize_t n;

        if (nl != NULL) {
            char *line = in->buf + in->off;

            *nl = '\0';
            in->off = (size_t)(nl - in->buf) + 1;
            return line;
        }
        if (in->off > 0) {
            memmove(in->buf, in->buf + in->off, in->len - in->off);
            in->len -= in->off;
            in->off = 0;
        }
        in->buf = must_grow(in->buf, &in->cap, in->len + 65536 + 1, 1);
        n = read(0, in->buf + in->len, 65536);
        if (n <= 0) {
            if (in->len == 0)
                return NULL;
            in->buf[in->len] = '\0'; /* a last line without a newline */
            in->off = in->len;
            return in->buf;
        }
        in->len += (size_t)n;
    }
}

static void bytes_put(struct bytes *q, const void *p, size_t n)
{
    if (q->off == q->len)
        q->off = q->len = 0;
    q->b = must_grow(q->b, &q->cap, q->len + n, 1);
    memcpy(q->b + q->len, p, n);
    q->len += n;
}

/* ------------------------------------------------------------------------
 * Session tracking: names by address, destruction through the allocator.
 * ------------------------------------------------------------------------ */

/* handle_of returns s's handle without naming it: 0 for NULL, -1 unnamed. */
static int handle_of(struct shim *sh, const WOLFSSL_SESSION *s)
{
    if (s == NULL)
        return 0;
    for (size_t i = 0; i < sh->nsess; i++)
        if (sh->sess[i].ptr == s)
            return (int)i + 1;
    return -1;
}

/* name returns s's handle, giving it the next one if the application has
 * not seen it yet (the naming rule of model/doc.go). */
static int name(struct shim *sh, WOLFSSL_SESSION *s)
{
    int h = handle_of(sh, s);

    if (h >= 0)
        return h;
    sh->sess = must_grow(sh->sess, &sh->capsess, sh->nsess + 1, sizeof(*sh->sess));
    sh->sess[sh->nsess] = (struct named){ s, 0 };
    return (int)++sh->nsess;
}

/*
 * shim_free is wolfSSL's free (wolfSSL_SetAllocators). wolfSSL_FreeSession
 * releases a heap session with XFREE once its reference count reaches zero,
 * after the remove callback it may run; freeing a named session's address
 * is therefore exactly its destruction. Sessions inside wolfSSL's static
 * cache rows are never freed.
 */
static void shim_free(void *p)
{
    struct shim *sh = &the_shim;
    int h;

    if (p != NULL && (h = handle_of(sh, p)) > 0) {
        sh->sess[h - 1].ptr = NULL;
        emit(sh, EV_DESTROYED, 0, h);
    }
    free(p);
}

static void *shim_malloc(size_t n) { return malloc(n); }
static void *shim_realloc(void *p, size_t n) { return realloc(p, n); }

static void add_apprefs(struct shim *sh, int h, long n)
{
    if (h > 0 && (size_t)h <= sh->nsess && sh->sess[h - 1].apprefs + n >= 0)
        sh->sess[h - 1].apprefs += n;
}

/* ------------------------------------------------------------------------
 * Callbacks.
 * ------------------------------------------------------------------------ */

/* ctxent_of finds the handle of a WOLFSSL_CTX through its ex_data slot 0
 * (SSL_CTX_get_app_data): addresses are reused once a context is freed. */
static struct ctxent *ctxent_of(const WOLFSSL_CTX *ctx)
{
    return ctx != NULL ? wolfSSL_CTX_get_ex_data(ctx, 0) : NULL;
}

/* AddSession takes a reference before the call and drops it when the
 * callback returns 0, as OpenSSL does. */
static int on_new_session(WOLFSSL *ssl, WOLFSSL_SESSION *sess)
{
    struct shim *sh = &the_shim;
    struct ctxent *ce = ctxent_of(wolfSSL_get_SSL_CTX(ssl));
    int h;

    if (ce == NULL || sh->events == NULL)
        return 0;
    h = name(sh, sess);
    emit(sh, EV_NEW, ce->handle, h);
    if (ce->new_cb == 2) {
        add_apprefs(sh, h, 1);
        return 1;
    }
    return 0;
}

/* ctx is NULL when wolfSSL overwrites a cache row whose entry came from an
 * SSL_CTX with a remove callback (AddSessionToCache): the event then names
 * no SSL_CTX (ctx 0). */
static void on_remove_session(WOLFSSL_CTX *ctx, WOLFSSL_SESSION *sess)
{
    struct shim *sh = &the_shim;
    struct ctxent *ce = ctxent_of(ctx);

    if (sh->events == NULL)
        return;
    emit(sh, EV_REMOVE, ce != NULL ? ce->handle : 0, name(sh, sess));
}

/* ------------------------------------------------------------------------
 * Handle lookups.
 * ------------------------------------------------------------------------ */

static struct ctxent *get_ctx(struct shim *sh, long long h, char *err, size_t errlen)
{
    if (h >= 1 && (size_t)h <= sh->nctx && sh->ctxs[h - 1] != NULL && sh->ctxs[h - 1]->app_held)
        return sh->ctxs[h - 1];
    snprintf(err, errlen, "ctx %lld is not a live SSL_CTX", h);
    return NULL;
}

static struct conn *get_conn(struct shim *sh, long long h, char *err, size_t errlen)
{
    if (h >= 1 && (size_t)h <= sh->nconn && sh->conns[h - 1] != NULL && sh->conns[h - 1]->alive)
        return sh->conns[h - 1];
    snprintf(err, errlen, "ssl %lld is not a live SSL", h);
    return NULL;
}

static WOLFSSL_SESSION *get_sess(struct shim *sh, long long h, char *err, size_t errlen)
{
    if (h >= 1 && (size_t)h <= sh->nsess && sh->sess[h - 1].ptr != NULL)
        return sh->sess[h - 1].ptr;
    snprintf(err, errlen, "sess %lld is not a live named session", h);
    return NULL;
}

/* ------------------------------------------------------------------------
 * The in-memory connection.
 * ------------------------------------------------------------------------ */

/* io_recv and io_send are the SSL_CTX's I/O callbacks; the read and write
 * contexts are the SSL's conn. */
static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
    struct bytes *in = &((struct conn *)arg)->in;
    size_t n = in->len - in->off;

    (void)ssl;
    if (n == 0)
        return WOLFSSL_CBIO_ERR_WANT_READ;
    if (n > (size_t)sz)
        n = (size_t)sz;
    memcpy(buf, in->b + in->off, n);
    in->off += n;
    return (int)n;
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
    (void)ssl;
    bytes_put(&((struct conn *)arg)->out, buf, (size_t)sz);
    return sz;
}

static void drop_queue(struct conn *c)
{
    while (c->head != NULL) {
        struct record *r = c->head;

        c->head = r->next;
        free(r);
    }
    c->tail = NULL;
}

/* disconnect forgets c's connection: what either end writes later goes
 * nowhere, and what was sent to c is gone. What c sent to its peer stays
 * with the peer. */
static void disconnect(struct shim *sh, struct conn *c)
{
    if (c->peer != 0) {
        struct conn *p = sh->conns[c->peer - 1];

        if (p->peer == c->handle)
            p->peer = 0;
    }
    c->peer = 0;
    c->in.off = c->in.len = 0;
    drop_queue(c);
}

/*
 * send_output takes what from's SSL wrote and passes it on record by
 * record: straight to the peer when deliver is set, otherwise onto the
 * peer's queue as kind. Without a peer the bytes are lost. It returns the
 * number of bytes moved.
 */
static size_t send_output(struct shim *sh, struct conn *from, int deliver, enum rec_kind kind)
{
    struct bytes *out = &from->out;
    size_t len = out->len - out->off, off = 0;
    struct conn *to = from->peer != 0 ? sh->conns[from->peer - 1] : NULL;

    if (to != NULL && deliver)
        bytes_put(&to->in, out->b + out->off, len);
    while (to != NULL && !deliver && off < len) {
        size_t n = record_len(out->b + out->off + off, len - off);
        struct record *r = malloc(sizeof(*r) + n);

        if (r == NULL)
            abort();
        r->next = NULL;
        r->kind = kind;
        r->len = n;
        memcpy(r->data, out->b + out->off + off, n);
        if (to->tail != NULL)
            to->tail->next = r;
        else
            to->head = r;
        to->tail = r;
        off += n;
    }
    out->off = out->len = 0;
    return to != NULL ? len : 0;
}

/* deliver_queued moves c's queued records into its input: all of them, or
 * only the first when it is of kind only (only != 0). It returns how many
 * records it moved. */
static int deliver_queued(struct conn *c, enum rec_kind only)
{
    int n = 0;

    while (c->head != NULL && (only == 0 || (n == 0 && c->head->kind == only))) {
        struct record *r = c->head;

        c->head = r->next;
        if (c->head == NULL)
            c->tail = NULL;
        bytes_put(&c->in, r->data, r->len);
        free(r);
        n++;
    }
    return n;
}

static void log_error(WOLFSSL *ssl, const char *what, int r)
{
    char buf[WOLFSSL_MAX_ERROR_SZ];
    int e = wolfSSL_get_error(ssl, r);

    fprintf(stderr, "shim: %s returned %d: %s\n", what, r, wolfSSL_ERR_error_string((unsigned long)e, buf));
}

/* hs_step runs one side's handshake: 1 done, 0 waiting for data, -1 failed. */
static int hs_step(struct conn *c)
{
    int r = wolfSSL_SSL_do_handshake(c->ssl); /* SSL_do_handshake */

    if (r == WOLFSSL_SUCCESS)
        return 1;
    if (wolfSSL_get_error(c->ssl, r) == WOLFSSL_ERROR_WANT_READ)
        return 0;
    log_error(c->ssl, c->client ? "client handshake" : "server handshake", r);
    return -1;
}

/*
 * op_handshake drives client c and server s to the end of a handshake at
 * version v, in lockstep, with empty buffers. What one side writes is
 * delivered while the other is still in its handshake; what the server
 * writes after the client finished (TLS 1.3 tickets) is queued for the
 * client, one queue entry per record.
 */
static long long op_handshake(struct shim *sh, struct conn *c, struct conn *s, int version, char *err,
                              size_t errlen)
{
    int proto = version == 12 ? TLS1_2_VERSION : version == 13 ? TLS1_3_VERSION : 0;
    int cdone = 0, sdone = 0;
    struct conn *both[2] = { c, s };

    if (proto == 0) {
        snprintf(err, errlen, "arg %d is not a TLS version (12 or 13)", version);
        return -1;
    }
    if (!c->client || s->client) {
        snprintf(err, errlen, "handshake needs a client ssl and a server peer");
        return -1;
    }
    sh->dirty = 1;
    for (int i = 0; i < 2; i++) {
        /* SSL_set_min_proto_version, SSL_set_max_proto_version */
        wolfSSL_set_min_proto_version(both[i]->ssl, proto);
        wolfSSL_set_max_proto_version(both[i]->ssl, proto);
        disconnect(sh, both[i]);
        both[i]->out.off = both[i]->out.len = 0;
    }
    c->peer = s->handle;
    s->peer = c->handle;

    for (int round = 0; round < 64; round++) {
        size_t moved;
        int r;

        if (!cdone && (r = hs_step(c)) != 0) {
            if (r < 0)
                break;
            cdone = 1;
        }
        moved = send_output(sh, c, !sdone, REC_OTHER);
        if (!sdone && (r = hs_step(s)) != 0) {
            if (r < 0)
                break;
            sdone = 1;
        }
        moved += send_output(sh, s, !cdone, REC_TICKET);
        if (cdone && sdone)
            return 1;
        if (moved == 0)
            break;
    }
    fprintf(stderr, "shim: handshake did not complete (client %s, server %s)\n", cdone ? "done" : "not done",
            sdone ? "done" : "not done");
    return 0;
}

/* op_read_ticket lets client c read one queued ticket record: one
 * wolfSSL_read (SSL_read), which processes it and then wants more data. */
static long long op_read_ticket(struct shim *sh, struct conn *c)
{
    unsigned char buf[256];
    int r;

    if (deliver_queued(c, REC_TICKET) == 0)
        return 0;
    r = wolfSSL_read(c->ssl, buf, sizeof(buf));
    if (r > 0 || wolfSSL_get_error(c->ssl, r) != WOLFSSL_ERROR_WANT_READ)
        log_error(c->ssl, "SSL_read of a ticket", r);
    send_output(sh, c, 0, REC_OTHER);
    return 1;
}

/* op_shutdown is one wolfSSL_shutdown (SSL_shutdown). After the first call
 * (close_notify sent) the SSL reads: everything queued is delivered first. */
static long long op_shutdown(struct shim *sh, struct conn *c)
{
    int r;

    if (wolfSSL_get_shutdown(c->ssl) & WOLFSSL_SENT_SHUTDOWN)
        deliver_queued(c, 0);
    r = wolfSSL_shutdown(c->ssl);
    send_output(sh, c, 0, REC_CLOSE);
    return r;
}

/* op_fatal_alert makes c's connection fail: a garbage application-data
 * record fails to decrypt, c sends a fatal alert, which is dropped. */
static long long op_fatal_alert(struct shim *sh, struct conn *c)
{
    unsigned char rec[5 + 48];
    int r;

    disconnect(sh, c);
    memset(rec, 0x5a, sizeof(rec));
    rec[0] = 23; /* application_data */
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = 0;
    rec[4] = 48;
    bytes_put(&c->in, rec, sizeof(rec));
    r = wolfSSL_read(c->ssl, rec, sizeof(rec));
    if (r > 0 || wolfSSL_get_error(c->ssl, r) == WOLFSSL_ERROR_WANT_READ)
        fprintf(stderr, "shim: garbage record did not fail fatally (SSL_read %d)\n", r);
    c->out.off = c->out.len = 0;
    return 0;
}

/* ------------------------------------------------------------------------
 * Creating objects.
 * ------------------------------------------------------------------------ */

/* claim puts entry p at handle h of a table with a NULL hole for every
 * handle not used yet; -1 if h is taken. */
static int claim(void ***tab, size_t *n, size_t *cap, long long h, void *p)
{
    if (h < 1)
        return -1;
    if ((size_t)h > *n) {
        *tab = must_grow(*tab, cap, (size_t)h, sizeof(**tab));
        memset(*tab + *n, 0, ((size_t)h - *n) * sizeof(**tab));
        *n = (size_t)h;
    }
    if ((*tab)[h - 1] != NULL)
        return -1;
    (*tab)[h - 1] = p;
    return 0;
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
static int implemented(enum op op)
{
    return op != OP_UNKNOWN && op != OP_SET_TIME;
}

/* run_call performs one call; -1 with err set means it could not. */
static long long run_call(struct shim *sh, enum op op, const struct request *rq, char *err, size_t errlen)
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
static void log_queue(const char *what)
{
    char buf[WOLFSSL_MAX_ERROR_SZ];
    unsigned long e;

    while ((e = wolfSSL_ERR_get_error()) != 0)
        fprintf(stderr, "shim: %s: %s\n", what, wolfSSL_ERR_error_string(e, buf));
}

/* serve runs one call request and writes its reply. */
static void serve(struct shim *sh, enum op op, const struct request *rq)
{
    struct events evs = { 0 };
    struct sbuf b = { 0 };
    char err[256] = "";
    long long ret;

    virtual_now = rq->now;
    sh->events = &evs;
    ret = run_call(sh, op, rq, err, sizeof(err));
    sh->events = NULL;
    if (sh->verbose)
        log_queue(rq->op);
    wolfSSL_ERR_clear_error();
    if (err[0] != '\0') {
        reply_error(rq->id, err);
    } else {
        static const char *const ev_names[] = { "", "new_session_cb", "remove_cb", "destroyed" };

        sb_printf(&b, "{\"id\":%lld,\"ret\":%lld,\"events\":[", rq->id, ret);
        for (size_t i = 0; i < evs.n; i++)
            sb_printf(&b, "%s{\"ev\":\"%s\",\"ctx\":%d,\"sess\":%d}", i ? "," : "", ev_names[evs.v[i].kind],
                      evs.v[i].ctx, evs.v[i].sess);
        sb_printf(&b, "]}");
        write_line(&b);
    }
    free(b.s);
    free(evs.v);
}

/* ------------------------------------------------------------------------
 * Control operations: observe, reset.
 * ------------------------------------------------------------------------ */

static void observe(struct shim *sh, long long id)
{
    struct sbuf b = { 0 };
    int first = 1;

    sb_printf(&b, "{\"id\":%lld,\"observation\":{\"ctxs\":[", id);
    for (size_t i = 0; i < sh->nctx; i++) {
        WOLFSSL_CTX *x;

        if (sh->ctxs[i] == NULL || !sh->ctxs[i]->app_held)
            continue;
        x = sh->ctxs[i]->ctx;
        sb_printf(&b, "%s{\"ctx\":%zu,\"number\":%ld,\"hits\":%ld,\"misses\":%ld,\"timeouts\":%ld,"
                  "\"cache_full\":%ld}", first ? "" : ",", i + 1, wolfSSL_CTX_sess_number(x),
                  wolfSSL_CTX_sess_hits(x), wolfSSL_CTX_sess_misses(x), wolfSSL_CTX_sess_timeouts(x),
                  wolfSSL_CTX_sess_cache_full(x));
        first = 0;
    }
    sb_printf(&b, "],\"ssls\":[");
    first = 1;
    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL || !c->alive)
            continue;
        sb_printf(&b, "%s{\"ssl\":%zu,\"sess\":%d,\"reused\":%s}", first ? "" : ",", i + 1,
                  handle_of(sh, wolfSSL_SSL_get0_session(c->ssl)), wolfSSL_session_reused(c->ssl) ? "true" : "false");
        first = 0;
    }
    sb_printf(&b, "],\"sessions\":[");
    first = 1;
    for (size_t i = 0; i < sh->nsess; i++) {
        WOLFSSL_SESSION *s = sh->sess[i].ptr;
        unsigned int idlen = 0;

        if (s == NULL)
            continue;
        wolfSSL_SESSION_get_id(s, &idlen);
        sb_printf(&b, "%s{\"sess\":%zu,\"resumable\":%s,\"id_len\":%u,\"time\":%ld,\"timeout\":%ld}",
                  first ? "" : ",", i + 1, wolfSSL_SESSION_is_resumable(s) ? "true" : "false", idlen,
                  wolfSSL_SESSION_get_time(s), wolfSSL_SESSION_get_timeout(s));
        first = 0;
    }
    sb_printf(&b, "]}}");
    write_line(&b);
    free(b.s);
}

/* free_universe frees every object (live SSLs, the application's session
 * references, application-held SSL_CTXs) without reporting events, and logs
 * the sessions still alive afterwards: they were leaked. */
static void free_universe(struct shim *sh)
{
    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL)
            continue;
        drop_queue(c);
        if (c->alive)
            wolfSSL_free(c->ssl);
        free(c->in.b);
        free(c->out.b);
        free(c);
    }
    for (size_t i = 0; i < sh->nsess; i++)
        for (long n = sh->sess[i].apprefs; n > 0 && sh->sess[i].ptr != NULL; n--)
            wolfSSL_SESSION_free(sh->sess[i].ptr);
    for (size_t i = 0; i < sh->nctx; i++)
        if (sh->ctxs[i] != NULL && sh->ctxs[i]->app_held)
            wolfSSL_CTX_free(sh->ctxs[i]->ctx);
    for (size_t i = 0; i < sh->nsess; i++)
        if (sh->sess[i].ptr != NULL)
            fprintf(stderr, "shim: reset: sess %zu is still alive (leaked)\n", i + 1);
    for (size_t i = 0; i < sh->nctx; i++)
        free(sh->ctxs[i]);
    free(sh->ctxs);
    free(sh->conns);
    free(sh->sess);
    sh->ctxs = NULL;
    sh->conns = NULL;
    sh->sess = NULL;
    sh->nctx = sh->capctx = sh->nconn = sh->capconn = sh->nsess = sh->capsess = 0;
}

/*
 * reset starts a new universe. wolfSSL's session cache is one static table
 * per process (SessionCache in ssl.c) shared by every SSL_CTX, and no call
 * empties it: wolfSSL_flush_sessions is a no-op and
 * wolfSSL_memrestore_session_cache copies back only the first entry of each
 * row. So once a universe may have put something there (dirty), the shim
 * replaces its own image with a fresh copy of itself (same process, same
 * pipes; the harness sends nothing until it has the reply) that skips the
 * hello line.
 */
static void reset(struct shim *sh, long long id, int quit)
{
    struct sbuf b = { 0 };

    free_universe(sh);
    sb_printf(&b, "{\"id\":%lld,\"ret\":0,\"events\":[]}", id);
    write_line(&b);
    free(b.s);
    if (quit || !sh->dirty)
        return;
    wolfSSL_Cleanup();
    setenv(FRESH_ENV, "1", 1);
    if (sh->in.off < sh->in.len) {
        sh->in.buf[sh->in.len] = '\0';
        setenv(PENDING_ENV, sh->in.buf + sh->in.off, 1);
    }
    execv("/proc/self/exe", sh->argv);
    fprintf(stderr, "shim: reset: cannot re-execute myself; exiting\n");
    exit(1);
}

/* ------------------------------------------------------------------------
 * Requests.
 * ------------------------------------------------------------------------ */

static void hello(void)
{
    struct sbuf b = { 0 };
    int first = 1;

    sb_printf(&b, "{\"hello\":\"%s\",\"library\":\"wolfSSL\",\"version\":", PROTOCOL);
    sb_string(&b, wolfSSL_lib_version());
    sb_printf(&b, ",\"profile\":\"%s\",\"variant\":\"\",\"concurrent\":false,\"calls\":[", PROFILE);
    for (int i = OP_CTX_NEW; i <= OP_TICK; i++) {
        if (!implemented((enum op)i))
            continue;
        sb_printf(&b, "%s\"%s\"", first ? "" : ",", op_names[i]);
        first = 0;
    }
    sb_printf(&b, "]}");
    write_line(&b);
    free(b.s);
}

int main(int argc, char **argv)
{
    struct shim *sh = &the_shim;
    const char *want = getenv("SESSLIFE_SHIM_PROTOCOL");
    int fresh = getenv(FRESH_ENV) != NULL;
    const char *pending = getenv(PENDING_ENV);
    char *line;

    (void)argc;
    if (want != NULL && *want != '\0' && strcmp(want, PROTOCOL) != 0) {
        fprintf(stderr, "shim: protocol %s requested; this shim speaks only %s\n", want, PROTOCOL);
        return EXIT_WRONG_PROTOCOL;
    }
    if (pending != NULL) {
        size_t n = strlen(pending);

        sh->in.buf = must_grow(sh->in.buf, &sh->in.cap, n + 1, 1);
        memcpy(sh->in.buf, pending, n);
        sh->in.len = n;
    }
    unsetenv(FRESH_ENV);
    unsetenv(PENDING_ENV);
    signal(SIGPIPE, SIG_IGN);
    sh->argv = argv;
    sh->verbose = getenv("SESSLIFE_SHIM_VERBOSE") != NULL;
    if (wolfSSL_SetAllocators(shim_malloc, shim_free, shim_realloc) != 0 || wolfSSL_Init() != WOLFSSL_SUCCESS) {
        fprintf(stderr, "shim: wolfSSL_Init failed\n");
        return 1;
    }
    if (!fresh)
        hello();

    while ((line = next_line(&sh->in)) != NULL) {
        struct request rq;
        char err[256] = "";
        enum op op;
        size_t n = strlen(line);

        while (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (shim_parse_request(line, &rq, err, sizeof(err)) != 0) {
            reply_error(rq.id > 0 ? rq.id : 0, err);
            continue;
        }
        if (rq.cfg.timeout > UINT_MAX) { /* wolfSSL keeps timeouts in a word32 */
            reply_error(rq.id, "\"timeout\" must be an integer in 0..4294967295");
            continue;
        }
        op = parse_op(rq.op);
        if (!implemented(op) && op < OP_OBSERVE) {
            struct sbuf b = { 0 };

            sb_printf(&b, "{\"id\":%lld,\"unimplemented\":true}", rq.id);
            write_line(&b);
            free(b.s);
            continue;
        }
        if (op == OP_OBSERVE) {
            observe(sh, rq.id);
        } else if (op == OP_RESET || op == OP_QUIT) {
            reset(sh, rq.id, op == OP_QUIT);
            if (op == OP_QUIT)
                break;
        } else if (rq.now < 0) {
            reply_error(rq.id, "\"now\" is missing");
        } else {
            serve(sh, op, &rq);
        }
    }
    free_universe(sh);
    free(sh->in.buf);
    wolfSSL_Cleanup();
    return 0;
}

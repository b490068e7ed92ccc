/*
 * shim.c - the sesslife-shim/1 shim for OpenSSL 3.0 (see docs/protocol.md).
 *
 * It reads one JSON request per line on stdin, performs the call on real
 * OpenSSL objects and writes one JSON reply per line on stdout. Handshakes
 * run between a client SSL and a server SSL over memory BIOs that this file
 * pumps itself, record by record, so it decides what is delivered when.
 *
 * Build: cc -std=c11 -O2 -Wall -Wextra -D_GNU_SOURCE -pthread shim.c json.c
 *        -lssl -lcrypto   (see Makefile; -DSHIM_BUG=N plants bug N).
 */
#include "json.h"
#include "shim.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef SHIM_BUG
#define SHIM_BUG 0
#endif

#define EXIT_WRONG_PROTOCOL 89 /* the BoGo convention for "cannot do that" */
#define MAX_THREADS (MAX_LANES + 1) /* one per busy lane, one reading */

/* ------------------------------------------------------------------------
 * The virtual clock. OpenSSL 3.0's ssl code asks time(NULL) for "now"
 * (session creation, expiry checks, ticket ages). This executable defines
 * time() itself; libssl and libcrypto import it from the global scope, so
 * the dynamic linker binds their calls here (symbol interposition). The
 * harness sets the clock with every request. It is process-wide by nature.
 * ------------------------------------------------------------------------ */
static _Atomic long long virtual_now = 1700000000;

time_t time(time_t *out)
{
    time_t now = (time_t)atomic_load(&virtual_now);

    if (out != NULL)
        *out = now;
    return now;
}

/* ------------------------------------------------------------------------
 * Objects and handles.
 * ------------------------------------------------------------------------ */

/* The events of the request the current thread is running (NULL: none,
 * e.g. during reset, when nothing is reported). */
static _Thread_local struct events *current_events;

/* rec_kind tags a queued record by when it was written (docs/protocol.md
 * §6): once records are encrypted the shim cannot see what they hold, so
 * read_ticket knows a ticket by its tag. REC_TICKET: the server wrote it in
 * a handshake after the client had finished; REC_CLOSE: SSL_shutdown wrote
 * it; REC_OTHER: anything else. */
enum rec_kind { REC_TICKET = 1, REC_CLOSE, REC_OTHER };

/* record is one TLS record waiting for its receiver. */
struct record {
    struct record *next;
    enum rec_kind kind;
    size_t len;
    unsigned char data[];
};

struct shim;

/* ctxent is one SSL_CTX handle. It lives until reset because the SSL_CTX
 * itself may outlive SSL_CTX_free while SSLs hold it. */
struct ctxent {
    struct shim *sh;
    SSL_CTX *ctx;
    int handle;
    int app_held;
    int new_cb; /* 0 none, 1 returns 0, 2 returns 1 */
};

/* conn is one SSL handle and its end of the in-memory connection. */
struct conn {
    SSL *ssl;
    int handle;
    int client;
    int alive;
    int peer;                    /* the other end, 0 when disconnected */
    struct record *head, *tail;  /* records sent to this SSL, not delivered */
};

/* named is a session the application has been shown. */
struct named {
    SSL_SESSION *ptr; /* NULL once destroyed */
    long apprefs;     /* references the application owns (freed at reset) */
};

/* tracker rides in every SSL_SESSION's ex_data: its handle in universe
 * epoch, or 0 while unnamed. Each object gets its own (see on_session_dup). */
struct tracker {
    int handle;
    unsigned epoch;
};

/* input is stdin, read with read(2) into buf[start:end) by whichever thread
 * has the reading turn, so that the reader can tell whether the next line
 * has already arrived. */
struct input {
    char *buf;
    size_t start, end, cap;
    int eof;
};

/* lane is one FIFO of calls. At most one of its calls runs at a time, on
 * whichever thread read it; calls that arrive meanwhile wait in the queue
 * and that thread runs them next. */
struct lane {
    int busy;
    struct request *head, *tail;
};

/*
 * The threads of the shim take turns reading stdin (a leader/followers
 * pool): the thread that reads a call for an idle lane hands the reading
 * turn to an idle thread (starting one if none is idle) and runs the call
 * itself, so a call costs no thread hand-off before it runs. Control
 * operations are barriers run by the thread that answers the last call in
 * flight, or by the reader when nothing is in flight. When the line after
 * a call has already arrived and is a control operation, nothing could run
 * beside the call anyway, so the reader keeps its turn and runs both (the
 * harness sends a call and the observation after it in one write).
 */
struct shim {
    pthread_mutex_t mu; /* tables, queues, links, naming, lanes, turns */
    pthread_cond_t idle;  /* a barrier was answered, or nothing is in flight */
    pthread_cond_t turn;  /* the reading turn is free */
    pthread_mutex_t out_mu; /* stdout */
    struct ctxent **ctxs;
    size_t nctx, capctx;
    struct conn **conns;
    size_t nconn, capconn;
    struct named *sess;
    size_t nsess, capsess;
    unsigned epoch;
    int sess_idx;
    atomic_long live_trackers;
    X509 *cert;
    EVP_PKEY *key;
    struct input in; /* used only by the thread with the reading turn */
    struct lane lanes[MAX_LANES];
    int inflight;             /* calls read and not answered yet */
    int reading;              /* a thread has the reading turn */
    int waiting;              /* threads waiting for the turn */
    int stopping;             /* stdin ended or quit: nobody reads any more */
    struct request *barrier;  /* a control operation waiting for inflight 0 */
    pthread_t threads[MAX_THREADS]; /* started by pass_turn, joined at exit */
    int nthreads;
    int verbose; /* SESSLIFE_SHIM_VERBOSE: log OpenSSL's errors after every call */
};

/* ------------------------------------------------------------------------
 * Small helpers: events, logging (buffers and strings are in proto.c).
 * ------------------------------------------------------------------------ */

static void emit(enum ev_kind kind, int ctx, int sess)
{
    struct events *e = current_events;

    if (e == NULL)
        return;
    e->v = must_grow(e->v, &e->cap, e->n + 1, sizeof(*e->v));
    e->v[e->n++] = (struct event){ kind, ctx, sess };
}

/* log_ssl_errors drains OpenSSL's error queue to stderr, for the harness. */
static void log_ssl_errors(const char *what)
{
    unsigned long e;
    char buf[256];

    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        fprintf(stderr, "shim: %s: %s\n", what, buf);
    }
}

/*
 * Replies this thread holds back (holding set): the reader that runs a call
 * and the control operation after it writes both replies with one write,
 * so the harness wakes once for the pair. It never blocks while holding.
 */
static _Thread_local struct sbuf held;
static _Thread_local int holding;

/* write_out writes with write(2) itself: stdout is the protocol stream and
 * nothing else writes to it, so stdio's buffer would only add a copy. */
static void write_out(struct shim *sh, const char *s, size_t len)
{
    size_t off = 0;
    int bad = 0;

    pthread_mutex_lock(&sh->out_mu);
    while (off < len && !bad) {
        ssize_t n = write(STDOUT_FILENO, s + off, len - off);

        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && errno != EINTR)
            bad = 1;
    }
    pthread_mutex_unlock(&sh->out_mu);
    if (bad) {
        fprintf(stderr, "shim: cannot write to stdout; the harness is gone\n");
        exit(1);
    }
}

/* write_line writes b and a newline, or holds them back (see held). */
static void write_line(struct shim *sh, struct sbuf *b)
{
    sb_printf(b, "\n");
    if (holding) {
        held.s = must_grow(held.s, &held.cap, held.n + b->n, 1);
        memcpy(held.s + held.n, b->s, b->n);
        held.n += b->n;
        return;
    }
    write_out(sh, b->s, b->n);
}

/* release_held writes what this thread held back and stops holding. */
static void release_held(struct shim *sh)
{
    if (held.n > 0)
        write_out(sh, held.s, held.n);
    held.n = 0;
    holding = 0;
}

/* ------------------------------------------------------------------------
 * Session tracking through ex_data.
 * ------------------------------------------------------------------------ */

static void on_session_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct shim *sh = argp;
    struct tracker *t = calloc(1, sizeof(*t));

    (void)parent, (void)ptr, (void)argl;
    if (t == NULL)
        return;
    atomic_fetch_add(&sh->live_trackers, 1);
    CRYPTO_set_ex_data(ad, idx, t);
}

/* on_session_dup runs for internal copies: the copy keeps the fresh tracker
 * on_session_new gave it rather than sharing the original's (which would be
 * freed twice). The copy is a different object, so it starts unnamed. */
static int on_session_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx, long argl,
                          void *argp)
{
    struct shim *sh = argp;
    struct tracker *t = CRYPTO_get_ex_data(to, idx);

    (void)from, (void)argl;
    if (t == NULL) {
        t = calloc(1, sizeof(*t));
        if (t == NULL)
            return 0;
        atomic_fetch_add(&sh->live_trackers, 1);
    }
    *from_d = t;
    return 1;
}

/* on_session_free runs once per object, when its last reference goes. */
static void on_session_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct shim *sh = argp;
    struct tracker *t = ptr;

    (void)parent, (void)ad, (void)idx, (void)argl;
    if (t == NULL)
        return;
    pthread_mutex_lock(&sh->mu);
    if (t->handle != 0 && t->epoch == sh->epoch) {
        sh->sess[t->handle - 1].ptr = NULL;
        emit(EV_DESTROYED, 0, t->handle);
    }
    pthread_mutex_unlock(&sh->mu);
    atomic_fetch_sub(&sh->live_trackers, 1);
    free(t);
}

/*
 * touch reads one byte of a session pointer OpenSSL handed back, so that in
 * the AddressSanitizer build a pointer to a freed session is reported here,
 * in instrumented code, rather than corrupting libssl silently.
 */
static void touch(const SSL_SESSION *s)
{
    volatile const unsigned char *p = (const void *)s;

    (void)*p;
}

/* handle_of returns s's handle without naming it: 0 for NULL, -1 unnamed. */
static int handle_of(struct shim *sh, SSL_SESSION *s)
{
    struct tracker *t;
    int h = -1;

    if (s == NULL)
        return 0;
    touch(s);
    t = SSL_SESSION_get_ex_data(s, sh->sess_idx);
    pthread_mutex_lock(&sh->mu);
    if (t != NULL && t->handle != 0 && t->epoch == sh->epoch)
        h = t->handle;
    pthread_mutex_unlock(&sh->mu);
    return h;
}

/* name returns s's handle, giving it the next one if the application has
 * not seen it yet (the naming rule of model/doc.go). */
static int name(struct shim *sh, SSL_SESSION *s)
{
    struct tracker *t;
    int h;

    if (s == NULL)
        return 0;
    touch(s);
    t = SSL_SESSION_get_ex_data(s, sh->sess_idx);
    if (t == NULL) {
        fprintf(stderr, "shim: a session without a tracker\n");
        abort();
    }
    pthread_mutex_lock(&sh->mu);
    if (t->handle == 0 || t->epoch != sh->epoch) {
        sh->sess = must_grow(sh->sess, &sh->capsess, sh->nsess + 1, sizeof(*sh->sess));
        sh->sess[sh->nsess] = (struct named){ s, 0 };
        t->handle = (int)++sh->nsess;
        t->epoch = sh->epoch;
    }
    h = t->handle;
    pthread_mutex_unlock(&sh->mu);
    return h;
}

static void add_apprefs(struct shim *sh, int h, long n)
{
    pthread_mutex_lock(&sh->mu);
    if (h > 0 && (size_t)h <= sh->nsess && sh->sess[h - 1].apprefs + n >= 0)
        sh->sess[h - 1].apprefs += n;
    pthread_mutex_unlock(&sh->mu);
}

/* ------------------------------------------------------------------------
 * Callbacks.
 * ------------------------------------------------------------------------ */

static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    struct ctxent *ce = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    int keep = ce->new_cb == 2;

    if (current_events == NULL)
        return 0;
    int h = name(ce->sh, sess);
    emit(EV_NEW, ce->handle, h);
    if (keep)
        add_apprefs(ce->sh, h, 1);
#if SHIM_BUG == 3
    /* Planted bug 3: claim the reference (return 1) even when the
     * application does not keep it: the session leaks. */
    return 1;
#else
    return keep;
#endif
}

static void on_remove_session(SSL_CTX *ctx, SSL_SESSION *sess)
{
    struct ctxent *ce = SSL_CTX_get_app_data(ctx);

    if (current_events == NULL)
        return;
    emit(EV_REMOVE, ce->handle, name(ce->sh, sess));
}

/* ------------------------------------------------------------------------
 * Handle lookups. They take sh->mu only to read the tables, never while
 * OpenSSL runs, so callbacks can always take it.
 * ------------------------------------------------------------------------ */

static struct ctxent *get_ctx(struct shim *sh, long long h, char *err, size_t errlen)
{
    struct ctxent *ce = NULL;

    pthread_mutex_lock(&sh->mu);
    if (h >= 1 && (size_t)h <= sh->nctx && sh->ctxs[h - 1] != NULL && sh->ctxs[h - 1]->app_held)
        ce = sh->ctxs[h - 1];
    pthread_mutex_unlock(&sh->mu);
    if (ce == NULL)
        snprintf(err, errlen, "ctx %lld is not a live SSL_CTX", h);
    return ce;
}

static struct conn *get_conn(struct shim *sh, long long h, char *err, size_t errlen)
{
    struct conn *c = NULL;

    pthread_mutex_lock(&sh->mu);
    if (h >= 1 && (size_t)h <= sh->nconn && sh->conns[h - 1] != NULL && sh->conns[h - 1]->alive)
        c = sh->conns[h - 1];
    pthread_mutex_unlock(&sh->mu);
    if (c == NULL)
        snprintf(err, errlen, "ssl %lld is not a live SSL", h);
    return c;
}

static SSL_SESSION *get_sess(struct shim *sh, long long h, char *err, size_t errlen)
{
    SSL_SESSION *s = NULL;

    pthread_mutex_lock(&sh->mu);
    if (h >= 1 && (size_t)h <= sh->nsess)
        s = sh->sess[h - 1].ptr;
    pthread_mutex_unlock(&sh->mu);
    if (s == NULL)
        snprintf(err, errlen, "sess %lld is not a live named session", h);
    return s;
}

/* ------------------------------------------------------------------------
 * The in-memory connection.
 * ------------------------------------------------------------------------ */

static void drop_queue(struct conn *c)
{
    while (c->head != NULL) {
        struct record *r = c->head;

        c->head = r->next;
        free(r);
    }
    c->tail = NULL;
}

/* disconnect forgets c's connection (sh->mu held): what either end writes
 * later goes nowhere, and what was sent to c is gone. What c sent to its
 * peer stays with the peer. */
static void disconnect(struct shim *sh, struct conn *c)
{
    if (c->peer != 0) {
        struct conn *p = sh->conns[c->peer - 1];

        if (p->peer == c->handle)
            p->peer = 0;
    }
    c->peer = 0;
    drop_queue(c);
}

/* take_output empties ssl's write BIO into a new buffer. */
static unsigned char *take_output(SSL *ssl, size_t *len)
{
    BIO *w = SSL_get_wbio(ssl);
    unsigned char *buf = NULL;
    size_t cap = 0;
    int n;

    *len = 0;
    if (w == NULL)
        return NULL;
    for (;;) {
        buf = must_grow(buf, &cap, *len + 16384, 1);
        n = BIO_read(w, buf + *len, 16384);
        if (n <= 0)
            break;
        *len += (size_t)n;
    }
    return buf;
}

/*
 * send_output takes what from's SSL wrote and passes it on record by
 * record: straight into the peer's read BIO when deliver is set, otherwise
 * onto the peer's queue as kind. Without a peer the bytes are lost. It
 * returns the number of bytes moved.
 */
static size_t send_output(struct shim *sh, struct conn *from, int deliver, enum rec_kind kind)
{
    size_t len, off = 0;
    unsigned char *out = take_output(from->ssl, &len);
    struct conn *to = NULL;

    pthread_mutex_lock(&sh->mu);
    if (from->peer != 0)
        to = sh->conns[from->peer - 1];
    while (to != NULL && !deliver && off < len) {
        size_t n = record_len(out + off, len - off);
        struct record *r = malloc(sizeof(*r) + n);

        if (r == NULL)
            abort();
        r->next = NULL;
        r->kind = kind;
        r->len = n;
        memcpy(r->data, out + off, n);
        if (to->tail != NULL)
            to->tail->next = r;
        else
            to->head = r;
        to->tail = r;
        off += n;
    }
    pthread_mutex_unlock(&sh->mu);
    if (to != NULL && deliver && len > 0)
        BIO_write(SSL_get_rbio(to->ssl), out, (int)len);
    free(out);
    return to != NULL ? len : 0;
}

/* deliver_queued moves c's queued records into its read BIO: all of them,
 * or only the first when it is of kind only (only != 0). It returns how
 * many records it moved. */
static int deliver_queued(struct shim *sh, struct conn *c, enum rec_kind only)
{
    struct record *list, *r;
    int n = 0;

    pthread_mutex_lock(&sh->mu);
    list = c->head;
    if (only != 0) {
        if (list != NULL && list->kind == only) {
            c->head = list->next;
            if (c->head == NULL)
                c->tail = NULL;
            list->next = NULL;
        } else {
            list = NULL;
        }
    } else {
        c->head = c->tail = NULL;
    }
    pthread_mutex_unlock(&sh->mu);
    while (list != NULL) {
        r = list;
        list = r->next;
        BIO_write(SSL_get_rbio(c->ssl), r->data, (int)r->len);
        free(r);
        n++;
    }
    return n;
}

/* hs_step runs one side's handshake: 1 done, 0 waiting for data, -1 failed. */
static int hs_step(SSL *ssl)
{
    int r = SSL_do_handshake(ssl);

    if (r == 1)
        return 1;
    return SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ ? 0 : -1;
}

/*
 * handshake drives client c and server s to the end of a handshake at
 * version v, in lockstep, starting with fresh memory BIOs. What one side
 * writes is delivered while the other is still in its handshake; what the
 * server writes after the client finished (TLS 1.3 tickets) is queued for
 * the client, one queue entry per record.
 */
static long long op_handshake(struct shim *sh, struct conn *c, struct conn *s, int version, char *err, size_t errlen)
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
    for (int i = 0; i < 2; i++) {
        SSL_set_min_proto_version(both[i]->ssl, proto);
        SSL_set_max_proto_version(both[i]->ssl, proto);
        SSL_set_bio(both[i]->ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    }
    pthread_mutex_lock(&sh->mu);
    disconnect(sh, c);
    disconnect(sh, s);
    c->peer = s->handle;
    s->peer = c->handle;
    pthread_mutex_unlock(&sh->mu);

    for (int round = 0; round < 64; round++) {
        size_t moved;
        int r;

        if (!cdone && (r = hs_step(c->ssl)) != 0) {
            if (r < 0)
                break;
            cdone = 1;
        }
        moved = send_output(sh, c, !sdone, REC_OTHER);
        if (!sdone && (r = hs_step(s->ssl)) != 0) {
            if (r < 0)
                break;
            sdone = 1;
        }
        moved += send_output(sh, s, !cdone, REC_TICKET);
        if (cdone && sdone)
            return 1;
        if (moved == 0) /* neither side wrote a byte: no progress, ret 0 */
            break;
    }
    fprintf(stderr, "shim: handshake did not complete (client %s, server %s)\n", cdone ? "done" : "not done",
            sdone ? "done" : "not done");
    log_ssl_errors("handshake");
    return 0;
}

/* op_read_ticket lets client c read one queued ticket record. */
static long long op_read_ticket(struct shim *sh, struct conn *c)
{
    unsigned char buf[256];
    int r;

    if (SSL_get_rbio(c->ssl) == NULL || deliver_queued(sh, c, REC_TICKET) == 0)
        return 0;
    r = SSL_read(c->ssl, buf, sizeof(buf));
    if (r > 0 || SSL_get_error(c->ssl, r) != SSL_ERROR_WANT_READ) {
        fprintf(stderr, "shim: SSL_read of a ticket returned %d (error %d)\n", r, SSL_get_error(c->ssl, r));
        log_ssl_errors("read_ticket");
    }
    send_output(sh, c, 0, REC_OTHER);
    return 1;
}

/* op_shutdown is one SSL_shutdown call. After the first call (close_notify
 * sent) the SSL reads: everything queued for it is delivered first. */
static long long op_shutdown(struct shim *sh, struct conn *c)
{
    int r;

    if ((SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN) && SSL_get_rbio(c->ssl) != NULL)
        deliver_queued(sh, c, 0);
    r = SSL_shutdown(c->ssl);
    send_output(sh, c, 0, REC_CLOSE);
    return r;
}

/* op_fatal_alert makes c's connection fail: a garbage application-data
 * record fails to decrypt, c sends a fatal alert, which is dropped. */
static long long op_fatal_alert(struct shim *sh, struct conn *c, char *err, size_t errlen)
{
    unsigned char rec[5 + 48];
    size_t len;
    int r;

    if (SSL_get_rbio(c->ssl) == NULL) {
        snprintf(err, errlen, "ssl has no connection");
        return -1;
    }
    pthread_mutex_lock(&sh->mu);
    disconnect(sh, c);
    pthread_mutex_unlock(&sh->mu);
    memset(rec, 0x5a, sizeof(rec));
    rec[0] = 23; /* application_data */
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = 0;
    rec[4] = 48;
    BIO_write(SSL_get_rbio(c->ssl), rec, sizeof(rec));
    r = SSL_read(c->ssl, rec, sizeof(rec));
    if (r > 0 || SSL_get_error(c->ssl, r) != SSL_ERROR_SSL)
        fprintf(stderr, "shim: garbage record did not fail fatally (SSL_read %d, error %d)\n", r,
                SSL_get_error(c->ssl, r));
    free(take_output(c->ssl, &len));
    return 0;
}

/* ------------------------------------------------------------------------
 * Creating objects.
 * ------------------------------------------------------------------------ */

/*
 * claim_ctx and claim_conn put a new entry at handle h (sh->mu held). The
 * harness chooses handles; any unused one is fine, so concurrent lanes may
 * create objects in any order. The tables have a NULL hole for a handle
 * not used yet. They return -1 if h is taken.
 */
static int claim_ctx(struct shim *sh, long long h, struct ctxent *ce)
{
    if ((size_t)h > sh->nctx) {
        sh->ctxs = must_grow(sh->ctxs, &sh->capctx, (size_t)h, sizeof(*sh->ctxs));
        memset(sh->ctxs + sh->nctx, 0, ((size_t)h - sh->nctx) * sizeof(*sh->ctxs));
        sh->nctx = (size_t)h;
    }
    if (sh->ctxs[h - 1] != NULL)
        return -1;
    sh->ctxs[h - 1] = ce;
    return 0;
}

static int claim_conn(struct shim *sh, long long h, struct conn *c)
{
    if ((size_t)h > sh->nconn) {
        sh->conns = must_grow(sh->conns, &sh->capconn, (size_t)h, sizeof(*sh->conns));
        memset(sh->conns + sh->nconn, 0, ((size_t)h - sh->nconn) * sizeof(*sh->conns));
        sh->nconn = (size_t)h;
    }
    if (sh->conns[h - 1] != NULL)
        return -1;
    sh->conns[h - 1] = c;
    return 0;
}

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
    /* No BIOs yet: op_handshake gives the SSL its first memory BIO pair. */
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

static void reply_error(struct shim *sh, long long id, const char *msg)
{
    struct sbuf b = { 0 };

    sb_printf(&b, "{\"id\":%lld,\"error\":", id);
    sb_string(&b, msg);
    sb_printf(&b, "}");
    write_line(sh, &b);
    free(b.s);
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

/* serve runs one call request on the current thread and writes its reply. */
static void serve(struct shim *sh, const struct request *rq)
{
    struct events evs = { 0 };
    struct sbuf b = { 0 };
    char err[256] = "";
    long long ret = shim_perform(sh, rq, &evs, err, sizeof(err));

    if (err[0] != '\0') {
        reply_error(sh, rq->id, err);
    } else {
        static const char *const ev_names[] = { "", "new_session_cb", "remove_cb", "destroyed" };

        sb_printf(&b, "{\"id\":%lld,\"ret\":%lld,\"events\":[", rq->id, ret);
        for (size_t i = 0; i < evs.n; i++)
            sb_printf(&b, "%s{\"ev\":\"%s\",\"ctx\":%d,\"sess\":%d}", i ? "," : "", ev_names[evs.v[i].kind],
                      evs.v[i].ctx, evs.v[i].sess);
        sb_printf(&b, "]}");
        write_line(sh, &b);
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
        SSL_CTX *x;

        if (sh->ctxs[i] == NULL || !sh->ctxs[i]->app_held)
            continue;
        x = sh->ctxs[i]->ctx;
        sb_printf(&b, "%s{\"ctx\":%zu,\"number\":%ld,\"hits\":%ld,\"misses\":%ld,\"timeouts\":%ld,"
                  "\"cache_full\":%ld}", first ? "" : ",", i + 1, SSL_CTX_sess_number(x), SSL_CTX_sess_hits(x),
                  SSL_CTX_sess_misses(x), SSL_CTX_sess_timeouts(x), SSL_CTX_sess_cache_full(x));
        first = 0;
    }
    sb_printf(&b, "],\"ssls\":[");
    first = 1;
    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL || !c->alive)
            continue;
        sb_printf(&b, "%s{\"ssl\":%zu,\"sess\":%d,\"reused\":%s}", first ? "" : ",", i + 1,
                  handle_of(sh, SSL_get0_session(c->ssl)), SSL_session_reused(c->ssl) ? "true" : "false");
        first = 0;
    }
    sb_printf(&b, "],\"sessions\":[");
    first = 1;
    for (size_t i = 0; i < sh->nsess; i++) {
        SSL_SESSION *s = sh->sess[i].ptr;
        unsigned int idlen = 0;

        if (s == NULL)
            continue;
        SSL_SESSION_get_id(s, &idlen);
        sb_printf(&b, "%s{\"sess\":%zu,\"resumable\":%s,\"id_len\":%u,\"time\":%ld,\"timeout\":%ld}",
                  first ? "" : ",", i + 1, SSL_SESSION_is_resumable(s) ? "true" : "false", idlen,
                  SSL_SESSION_get_time(s), SSL_SESSION_get_timeout(s));
        first = 0;
    }
    sb_printf(&b, "]}}");
    write_line(sh, &b);
    free(b.s);
}

/*
 * shim_reset frees every object of the universe (no lane is running): live SSLs,
 * the application's session references, application-held SSL_CTXs. Events
 * are not reported. Sessions still alive afterwards were leaked; they are
 * logged, and their trackers belong to an old epoch from now on.
 */
void shim_reset(struct shim *sh)
{
    long leaked;

    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL)
            continue;
        drop_queue(c);
        if (c->alive)
            SSL_free(c->ssl);
        free(c);
    }
    for (size_t i = 0; i < sh->nsess; i++)
        for (long n = sh->sess[i].apprefs; n > 0 && sh->sess[i].ptr != NULL; n--)
            SSL_SESSION_free(sh->sess[i].ptr);
    for (size_t i = 0; i < sh->nctx; i++)
        if (sh->ctxs[i] != NULL && sh->ctxs[i]->app_held)
            SSL_CTX_free(sh->ctxs[i]->ctx);
    for (size_t i = 0; i < sh->nsess; i++)
        if (sh->sess[i].ptr != NULL)
            fprintf(stderr, "shim: reset: sess %zu is still alive (leaked)\n", i + 1);
    leaked = atomic_load(&sh->live_trackers);
    if (leaked != 0)
        fprintf(stderr, "shim: reset: %ld SSL_SESSION objects still alive (leaked)\n", leaked);
    for (size_t i = 0; i < sh->nctx; i++)
        free(sh->ctxs[i]);
    free(sh->ctxs);
    free(sh->conns);
    free(sh->sess);
    sh->ctxs = NULL;
    sh->conns = NULL;
    sh->sess = NULL;
    sh->nctx = sh->capctx = sh->nconn = sh->capconn = sh->nsess = sh->capsess = 0;
    sh->epoch++;
    ERR_clear_error();
}

/* ------------------------------------------------------------------------
 * Requests and lanes.
 * ------------------------------------------------------------------------ */

/* control runs a control operation (no call in flight) and frees it. */
static void control(struct shim *sh, struct request *rq)
{
    struct sbuf b = { 0 };

    if (strcmp(rq->op, "observe") == 0) {
        observe(sh, rq->id);
    } else {
        shim_reset(sh);
        sb_printf(&b, "{\"id\":%lld,\"ret\":0,\"events\":[]}", rq->id);
        write_line(sh, &b);
        free(b.s);
    }
    free(rq);
}

/* barrier runs control operation rq once no call is in flight: now, or by
 * the thread answering the last call, while this reader keeps its turn so
 * that nothing new starts meanwhile. The count of calls in flight is checked
 * again under the same lock as the barrier is posted: the last call can be
 * answered while held replies are written, and a barrier posted after that
 * would wait for an answer that never comes. */
static void barrier(struct shim *sh, struct request *rq)
{
    pthread_mutex_lock(&sh->mu);
    if (sh->inflight > 0) {
        pthread_mutex_unlock(&sh->mu);
        release_held(sh); /* do not hold replies back while waiting */
        pthread_mutex_lock(&sh->mu);
    }
    if (sh->inflight == 0) {
        pthread_mutex_unlock(&sh->mu);
        control(sh, rq);
        return;
    }
    sh->barrier = rq;
    while (sh->barrier != NULL)
        pthread_cond_wait(&sh->idle, &sh->mu);
    pthread_mutex_unlock(&sh->mu);
}

/* answered books one answered call (sh->mu held) and runs a waiting
 * barrier if it was the last in flight. */
static void answered(struct shim *sh)
{
    if (--sh->inflight > 0)
        return;
    if (sh->barrier != NULL) {
        struct request *rq = sh->barrier;

        pthread_mutex_unlock(&sh->mu);
        control(sh, rq);
        pthread_mutex_lock(&sh->mu);
        sh->barrier = NULL;
    }
    pthread_cond_broadcast(&sh->idle);
}

/* run_lane runs rq on its lane, then whatever queued up behind it. */
static void run_lane(struct shim *sh, struct request *rq)
{
    struct lane *l = &sh->lanes[rq->lane];

    for (;;) {
        serve(sh, rq);
        free(rq);
        pthread_mutex_lock(&sh->mu);
        answered(sh);
        rq = l->head;
        if (rq == NULL) {
            l->busy = 0;
            pthread_mutex_unlock(&sh->mu);
            return;
        }
        l->head = rq->next;
        if (l->head == NULL)
            l->tail = NULL;
        pthread_mutex_unlock(&sh->mu);
    }
}

static void *worker(void *arg);

/* pass_turn gives the reading turn away (sh->mu held): to a waiting thread,
 * or to a new one. If none can be started, the turn stays free until a
 * thread is done with its call, which only costs overlap. */
static void pass_turn(struct shim *sh)
{
    sh->reading = 0;
    if (sh->waiting > 0) {
        pthread_cond_signal(&sh->turn);
    } else if (sh->nthreads < MAX_THREADS && pthread_create(&sh->threads[sh->nthreads], NULL, worker, sh) == 0) {
        sh->nthreads++;
    } else if (sh->nthreads < MAX_THREADS) {
        fprintf(stderr, "shim: cannot start a thread; calls of other lanes wait\n");
    }
}

/* take_call books call rq read by the reader (sh->mu held). It returns 1
 * if the reader must run it now, 0 if it waits behind its lane's call. */
static int take_call(struct shim *sh, struct request *rq)
{
    struct lane *l = &sh->lanes[rq->lane];

    sh->inflight++;
    if (!l->busy) {
        l->busy = 1;
        return 1;
    }
    rq->next = NULL;
    if (l->tail != NULL)
        l->tail->next = rq;
    else
        l->head = rq;
    l->tail = rq;
    return 0;
}

/* next_line returns the next line of input without its newline,
 * NUL-terminated in place (valid until the next call), or NULL at the end. */
static char *next_line(struct input *in)
{
    for (;;) {
        char *nl = in->end > in->start ? memchr(in->buf + in->start, '\n', in->end - in->start) : NULL;
        ssize_t n;

        if (nl != NULL || (in->eof && in->end > in->start)) {
            char *line = in->buf + in->start;

            if (nl == NULL)
                nl = in->buf + in->end; /* the last line has no newline; cap > end */
            *nl = '\0';
            in->start = (size_t)(nl - in->buf) + 1;
            if (in->start > in->end)
                in->start = in->end;
            return line;
        }
        if (in->eof)
            return NULL;
        if (in->start > 0) {
            memmove(in->buf, in->buf + in->start, in->end - in->start);
            in->end -= in->start;
            in->start = 0;
        }
        in->buf = must_grow(in->buf, &in->cap, in->end + 4096, 1);
        n = read(STDIN_FILENO, in->buf + in->end, in->cap - in->end - 1);
        if (n > 0)
            in->end += (size_t)n;
        else if (n == 0 || errno != EINTR)
            in->eof = 1;
    }
}

/* control_next reports whether the next line has arrived and holds a
 * control operation; it consumes nothing. */
static int control_next(struct input *in)
{
    char *line, *nl;
    struct request rq;
    char err[256];
    int yes;

    if (in->end == in->start)
        return 0;
    line = in->buf + in->start;
    nl = memchr(line, '\n', in->end - in->start);
    if (nl == NULL)
        return 0;
    *nl = '\0';
    yes = shim_parse_request(line, &rq, err, sizeof(err)) == 0 && parse_op(rq.op) >= OP_OBSERVE;
    *nl = '\n';
    return yes;
}

/* read_request reads lines until one holds a call or a control operation,
 * answering the lines that are neither. It returns NULL at end of input. */
static struct request *read_request(struct shim *sh)
{
    char *s;

    while ((s = next_line(&sh->in)) != NULL) {
        struct request *rq;
        char err[256] = "";
        size_t n = strlen(s);

        while (n > 0 && s[n - 1] == '\r')
            s[--n] = '\0';
        if (n == 0)
            continue;
        rq = malloc(sizeof(*rq));
        if (rq == NULL)
            abort();
        if (shim_parse_request(s, rq, err, sizeof(err)) != 0) {
            reply_error(sh, rq->id > 0 ? rq->id : 0, err);
        } else if (parse_op(rq->op) == OP_UNKNOWN) {
            struct sbuf b = { 0 };

            sb_printf(&b, "{\"id\":%lld,\"unimplemented\":true}", rq->id);
            write_line(sh, &b);
            free(b.s);
        } else if (parse_op(rq->op) < OP_OBSERVE && rq->now < 0) {
            reply_error(sh, rq->id, "\"now\" is missing");
        } else {
            return rq;
        }
        free(rq);
    }
    return NULL;
}

/* read_turn reads while this thread has the reading turn: it runs control
 * operations as barriers, queues calls for busy lanes, runs a call itself
 * when a control operation follows it, and returns the first call this
 * thread must run after passing the turn on (sh->mu held), or NULL once
 * input has ended. */
static struct request *read_turn(struct shim *sh)
{
    for (;;) {
        struct request *rq = read_request(sh);
        int quit = rq == NULL || parse_op(rq->op) == OP_QUIT;

        if (rq != NULL && parse_op(rq->op) >= OP_OBSERVE) {
            barrier(sh, rq);
            rq = NULL;
        }
        release_held(sh);
        pthread_mutex_lock(&sh->mu);
        if (quit) {
            sh->stopping = 1;
            sh->reading = 0;
            pthread_cond_broadcast(&sh->turn);
            return NULL;
        }
        if (rq != NULL && take_call(sh, rq)) {
            if (!control_next(&sh->in)) {
                pass_turn(sh);
                return rq;
            }
            pthread_mutex_unlock(&sh->mu);
            holding = 1; /* until the control operation is answered */
            run_lane(sh, rq);
            continue;
        }
        pthread_mutex_unlock(&sh->mu);
    }
}

/* worker is every thread's loop, the main thread's included: wait for the
 * reading turn, read, run the call read. It returns once input has ended. */
static void *worker(void *arg)
{
    struct shim *sh = arg;

    pthread_mutex_lock(&sh->mu);
    for (;;) {
        struct request *rq;

        while (sh->reading && !sh->stopping) {
            sh->waiting++;
            pthread_cond_wait(&sh->turn, &sh->mu);
            sh->waiting--;
        }
        if (sh->stopping)
            break;
        sh->reading = 1;
        pthread_mutex_unlock(&sh->mu);
        rq = read_turn(sh);
        if (rq == NULL)
            break;
        pthread_mutex_unlock(&sh->mu);
        run_lane(sh, rq);
        pthread_mutex_lock(&sh->mu);
    }
    pthread_mutex_unlock(&sh->mu);
    free(held.s);
    held = (struct sbuf){ 0 };
    return NULL;
}

/* wait_idle waits until no call is in flight. */
static void wait_idle(struct shim *sh)
{
    pthread_mutex_lock(&sh->mu);
    while (sh->inflight > 0)
        pthread_cond_wait(&sh->idle, &sh->mu);
    pthread_mutex_unlock(&sh->mu);
}

/* ------------------------------------------------------------------------
 * Start-up: the throwaway certificate, the hello line.
 * ------------------------------------------------------------------------ */

static int make_certificate(struct shim *sh)
{
    X509_NAME *name;

    sh->key = EVP_EC_gen("P-256");
    sh->cert = X509_new();
    if (sh->key == NULL || sh->cert == NULL)
        return -1;
    name = X509_get_subject_name(sh->cert);
    if (!X509_set_version(sh->cert, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(sh->cert), 1)
        || !X509_gmtime_adj(X509_getm_notBefore(sh->cert), 0)
        || !X509_gmtime_adj(X509_getm_notAfter(sh->cert), 3600L * 24 * 3650)
        || !X509_set_pubkey(sh->cert, sh->key)
        || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"sesslife", -1, -1, 0)
        || !X509_set_issuer_name(sh->cert, name) || !X509_sign(sh->cert, sh->key, EVP_sha256()))
        return -1;
    return 0;
}

static void hello(struct shim *sh)
{
    struct sbuf b = { 0 };
    const char *variant = SHIM_BUG == 1 ? "bug1" : SHIM_BUG == 2 ? "bug2" : SHIM_BUG == 3 ? "bug3" : "";

#ifdef __SANITIZE_ADDRESS__
    if (SHIM_BUG == 0)
        variant = "asan";
#endif
    sb_printf(&b, "{\"hello\":\"%s\",\"library\":\"OpenSSL\",\"version\":", PROTOCOL);
    sb_string(&b, OpenSSL_version(OPENSSL_VERSION_STRING));
    sb_printf(&b, ",\"profile\":\"openssl-3.0\",\"variant\":\"%s\",\"concurrent\":true,\"calls\":[", variant);
    for (int i = OP_CTX_NEW; i <= OP_TICK; i++)
        sb_printf(&b, "%s\"%s\"", i == OP_CTX_NEW ? "" : ",", op_names[i]);
    sb_printf(&b, "]}");
    write_line(sh, &b);
    free(b.s);
}

int main(int argc, char **argv)
{
    static struct shim sh; /* static: its lanes array is large */
    const char *want = getenv("SESSLIFE_SHIM_PROTOCOL");

    if (want != NULL && *want != '\0' && strcmp(want, PROTOCOL) != 0) {
        fprintf(stderr, "shim: protocol %s requested; this shim speaks only %s\n", want, PROTOCOL);
        return EXIT_WRONG_PROTOCOL;
    }
    signal(SIGPIPE, SIG_IGN);
    pthread_mutex_init(&sh.mu, NULL);
    pthread_mutex_init(&sh.out_mu, NULL);
    pthread_cond_init(&sh.idle, NULL);
    pthread_cond_init(&sh.turn, NULL);
    sh.epoch = 1;
    sh.verbose = getenv("SESSLIFE_SHIM_VERBOSE") != NULL;
    if (!OPENSSL_init_ssl(0, NULL)
        || (sh.sess_idx = SSL_SESSION_get_ex_new_index(0, &sh, on_session_new, on_session_dup,
                                                        on_session_free)) < 0
        || make_certificate(&sh) != 0) {
        log_ssl_errors("start-up");
        return 1;
    }
    if (argc >= 2 && strcmp(argv[1], "--bench-raw") == 0) {
        /* A developer option, not the protocol (docs/protocol.md §10). */
        int rc = bench_raw(&sh, argc - 2, argv + 2);

        X509_free(sh.cert);
        EVP_PKEY_free(sh.key);
        return rc;
    }
    hello(&sh);
    worker(&sh);
    /* Every thread ends once input has: joining them lets OpenSSL free
     * their thread-local state before the sanitizers look for leaks. */
    for (int i = 0; i < sh.nthreads; i++)
        pthread_join(sh.threads[i], NULL);
    wait_idle(&sh);
    shim_reset(&sh);
    free(sh.in.buf);
    X509_free(sh.cert);
    EVP_PKEY_free(sh.key);
    return 0;
}

/*
 * library.h - what the files of the OpenSSL 3.0 shim share: its objects,
 * its state and the functions one file offers another (see docs/protocol.md).
 *
 * Build: see Makefile (-DSHIM_BUG=N plants bug N).
 */
#ifndef SESSLIFE_OPENSSL_LIBRARY_H
#define SESSLIFE_OPENSSL_LIBRARY_H

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

/* virtual_now is the clock the harness sets with every request (main.c). */
extern _Atomic long long virtual_now;

/* The events of the request the current thread is running (NULL: none,
 * e.g. during reset, when nothing is reported). */
extern _Thread_local struct events *current_events;

/* Replies this thread holds back (output.c). */
extern _Thread_local struct sbuf held;
extern _Thread_local int holding;

void emit(enum ev_kind kind, int ctx, int sess);
void log_ssl_errors(const char *what);
void write_line(struct shim *sh, struct sbuf *b);
void release_held(struct shim *sh);
void reply_error(struct shim *sh, long long id, const char *msg);
void serve(struct shim *sh, const struct request *rq);
void observe(struct shim *sh, long long id);
void on_session_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp);
int on_session_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx, long argl,
                          void *argp);
void on_session_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp);
int handle_of(struct shim *sh, SSL_SESSION *s);
int name(struct shim *sh, SSL_SESSION *s);
void add_apprefs(struct shim *sh, int h, long n);
int on_new_session(SSL *ssl, SSL_SESSION *sess);
void on_remove_session(SSL_CTX *ctx, SSL_SESSION *sess);
struct ctxent *get_ctx(struct shim *sh, long long h, char *err, size_t errlen);
struct conn *get_conn(struct shim *sh, long long h, char *err, size_t errlen);
SSL_SESSION *get_sess(struct shim *sh, long long h, char *err, size_t errlen);
int claim_ctx(struct shim *sh, long long h, struct ctxent *ce);
int claim_conn(struct shim *sh, long long h, struct conn *c);
void drop_queue(struct conn *c);
void disconnect(struct shim *sh, struct conn *c);
long long op_handshake(struct shim *sh, struct conn *c, struct conn *s, int version, char *err, size_t errlen);
long long op_read_ticket(struct shim *sh, struct conn *c);
long long op_shutdown(struct shim *sh, struct conn *c);
long long op_fatal_alert(struct shim *sh, struct conn *c, char *err, size_t errlen);
void *worker(void *arg);
void wait_idle(struct shim *sh);

#endif

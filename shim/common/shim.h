/*
 * shim.h - the objects and the common code of every C shim of
 * sesslife-shim/1 (docs/protocol.md).
 *
 * One shim is this folder compiled together with a folder of its library
 * (../openssl, ../wolfssl), whose library.h this file includes first. That
 * header names the library's types (lib_ctx, lib_ssl, lib_sess), what the
 * shim keeps for the library (struct lib_state, struct lib_conn), its name
 * and profile, and SHIM_THREADS; the functions it defines for the common
 * code are in lib.h.
 *
 * SHIM_THREADS is the one difference of structure between shims: with 1
 * the shim runs calls of different lanes on threads at once (lanes.c,
 * "concurrent": true) and takes sh->mu around its tables; with 0 it serves
 * one request at a time (serial.c) and takes no lock.
 */
#ifndef SESSLIFE_SHIM_H
#define SESSLIFE_SHIM_H

#include "library.h"
#include "proto.h"

#include <stdatomic.h>
#include <stddef.h>

#if SHIM_THREADS
#include <pthread.h>
#define MAX_THREADS (MAX_LANES + 1) /* one per busy lane, one reading */
#endif

#ifndef SHIM_BUG
#define SHIM_BUG 0 /* -DSHIM_BUG=N plants bug N (docs/protocol.md §10) */
#endif

#define EXIT_WRONG_PROTOCOL 89 /* the BoGo convention for "cannot do that" */

struct shim;

/* ctxent is one SSL_CTX handle. It lives until reset because the SSL_CTX
 * itself may outlive SSL_CTX_free while SSLs hold it. */
struct ctxent {
    struct shim *sh;
    lib_ctx *ctx;
    int handle;
    int app_held;
    int new_cb; /* 0 none, 1 returns 0, 2 returns 1 */
    int get_cb; /* the external cache: 0 none, 1 leaves *copy at 1, 2 writes 0; of bytes: 3 leaves 1, 4 writes 0 */
    void *store; /* the library's external cache, when get_cb is set */
};

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

/* conn is one SSL handle and its end of the in-memory connection. */
struct conn {
    lib_ssl *ssl;
    int handle;
    int client;
    int alive;
    int peer;                   /* the other end, 0 when disconnected */
    struct record *head, *tail; /* records sent to this SSL, not delivered */
    struct lib_conn io;         /* what the library's I/O keeps (library.h) */
};

/* named is a session the application has been shown. */
struct named {
    lib_sess *ptr; /* NULL once destroyed */
    long apprefs;  /* references the application owns (freed at reset) */
};

/* input is stdin, read with read(2) into buf[start:end), so that the reader
 * can tell whether the next line has already arrived, and a shim knows what
 * it has read but not served. */
struct input {
    char *buf;
    size_t start, end, cap;
    int eof;
    /* control_next parses the line at buf+peek_at to look at it; when that
     * succeeds (peeked set) read_request takes the request from peek rather
     * than parsing the line again. */
    int peeked;
    size_t peek_at;
    struct request peek;
};

#if SHIM_THREADS
/* lane is one FIFO of calls. At most one of its calls runs at a time, on
 * whichever thread read it; calls that arrive meanwhile wait in the queue
 * and that thread runs them next. */
struct lane {
    int busy;
    struct request *head, *tail;
};
#endif

/* shim is one universe of objects and the state of the request loop. */
struct shim {
#if SHIM_THREADS
    pthread_mutex_t mu;     /* tables, queues, links, naming, lanes, turns */
    pthread_cond_t idle;    /* a barrier was answered, or nothing is in flight */
    pthread_cond_t turn;    /* the reading turn is free */
    pthread_mutex_t out_mu; /* stdout */
#endif
    struct ctxent **ctxs;
    size_t nctx, capctx;
    struct conn **conns;
    size_t nconn, capconn;
    struct named *sess;
    size_t nsess, capsess;
    unsigned epoch;  /* the universe's number: reset counts it up */
    struct input in; /* used only by the thread with the reading turn */
#if SHIM_THREADS
    /* See lanes.c for how the threads take turns. */
    struct lane lanes[MAX_LANES];
    int inflight;                   /* calls read and not answered yet */
    int reading;                    /* a thread has the reading turn */
    int waiting;                    /* threads waiting for the turn */
    int stopping;                   /* stdin ended or quit: nobody reads any more */
    struct request *barrier;        /* a control operation waiting for inflight 0 */
    pthread_t threads[MAX_THREADS]; /* started by pass_turn, joined at exit */
    int nthreads;
#endif
    int verbose;          /* SESSLIFE_SHIM_VERBOSE: log the library's errors after every call */
    struct lib_state lib; /* what the library's side keeps (library.h) */
};

/* shim_lock and shim_unlock guard the tables where calls run on threads.
 * They are never held while the library runs, so callbacks can take them. */
static inline void shim_lock(struct shim *sh)
{
#if SHIM_THREADS
    pthread_mutex_lock(&sh->mu);
#else
    (void)sh;
#endif
}

static inline void shim_unlock(struct shim *sh)
{
#if SHIM_THREADS
    pthread_mutex_unlock(&sh->mu);
#else
    (void)sh;
#endif
}

/* ---- clock.c: the virtual clock ---------------------------------------- */

/* shim_set_clock sets "now", which time() answers from then on. */
void shim_set_clock(long long now);

/* shim_clock is the virtual "now" in seconds. */
long long shim_clock(void);

/* ---- tables.c: handles, names, the universe ---------------------------- */

/* shim_init prepares an all-zero shim: locks, epoch, verbosity. */
void shim_init(struct shim *sh);

/* get_ctx, get_conn and get_sess look a handle up; NULL with err set when
 * it names no live object. */
struct ctxent *get_ctx(struct shim *sh, long long h, char *err, size_t errlen);
struct conn *get_conn(struct shim *sh, long long h, char *err, size_t errlen);
lib_sess *get_sess(struct shim *sh, long long h, char *err, size_t errlen);

/* claim puts entry p at handle h of a table (sh->mu held); -1 if h is
 * taken or not a handle. */
int claim(void ***tab, size_t *n, size_t *cap, long long h, void *p);

/* sess_handle_of returns s's handle without naming it: 0 for NULL, -1 for
 * a session the application has not been shown. */
int sess_handle_of(struct shim *sh, lib_sess *s);

/* sess_name returns s's handle, naming it first if the application has not
 * seen it yet (the naming rule of model/doc.go); 0 for NULL. */
int sess_name(struct shim *sh, lib_sess *s);

/* sess_add gives s the next handle and returns it (sh->mu held); the
 * library's lib_name calls it for a session it has not named. */
int sess_add(struct shim *sh, lib_sess *s);

/* sess_destroyed records that named session h is gone (sh->mu held) and
 * reports it. */
void sess_destroyed(struct shim *sh, int h);

/* add_apprefs counts n more references the application owns on session h. */
void add_apprefs(struct shim *sh, int h, long n);

/* shim_reset discards the universe and starts an empty one. */
void shim_reset(struct shim *sh);

/* ---- perform.c: the calls ---------------------------------------------- */

/* shim_is_call reports whether rq names a call this shim performs (not a
 * control operation and not an unknown name). */
int shim_is_call(const struct request *rq);

/* shim_perform runs call rq on the current thread as the protocol does
 * (clock, events, error queue) and returns its value; events are appended
 * to evs (which the caller empties). On failure err is set. */
long long shim_perform(struct shim *sh, const struct request *rq, struct events *evs, char *err, size_t errlen);

/* sid_ctx_number maps a session id context's bytes back to the number
 * docs/protocol.md §3 gives them (the inverse of what the set calls
 * send), or -1 for bytes that are none of them. */
int sid_ctx_number(const unsigned char *b, unsigned int len);

/* shim_new_session is the new-session callback of SSL_CTX ce (NULL: none
 * known): it reports s and returns what the callback must return. */
int shim_new_session(struct shim *sh, struct ctxent *ce, lib_sess *s);

/* shim_removed_session is the remove callback of SSL_CTX ce (NULL: none
 * known, reported as ctx 0). */
void shim_removed_session(struct shim *sh, struct ctxent *ce, lib_sess *s);

/* emit reports one event of the call the current thread runs (if any). */
void emit(enum ev_kind kind, int ctx, int sess);

/* ---- transport.c: the in-memory connections ---------------------------- */

/* disconnect forgets c's connection (sh->mu held). */
void disconnect(struct shim *sh, struct conn *c);

/* drop_queue frees the records waiting for c. */
void drop_queue(struct conn *c);

/* The calls that drive a connection: handshake, read_ticket, SSL_shutdown,
 * fatal_alert (transport.c says how). */
long long op_handshake(struct shim *sh, struct conn *c, struct conn *s, int version, char *err, size_t errlen);
long long op_client_hello(struct shim *sh, struct conn *c, struct conn *s, int version, char *err, size_t errlen);
long long op_handshake_finish(struct shim *sh, struct conn *c, struct conn *s, char *err, size_t errlen);
long long op_read_ticket(struct shim *sh, struct conn *c);
long long op_shutdown(struct shim *sh, struct conn *c);
long long op_fatal_alert(struct shim *sh, struct conn *c, char *err, size_t errlen);
long long op_read_alert(struct shim *sh, struct conn *c, char *err, size_t errlen);

/* ---- reply.c: what goes to stdout -------------------------------------- */

/* shim_protocol_ok reports whether the harness asks for this protocol
 * (SESSLIFE_SHIM_PROTOCOL), saying so on stderr when it does not. */
int shim_protocol_ok(void);

/* hello writes the hello line. */
void hello(struct shim *sh);

/* reply_buf is this thread's buffer for the next reply, to fill and hand
 * to write_line: empty, or the replies held back so far (then the reply is
 * formatted straight behind them). */
struct sbuf *reply_buf(void);

/* write_line writes b and a newline, or holds them back (reply.c). */
void write_line(struct shim *sh, struct sbuf *b);

/* release_held writes what this thread held back and stops holding. */
void release_held(struct shim *sh);

/* hold_replies makes this thread hold its replies until release_held. */
void hold_replies(void);

/* forget_held frees this thread's reply buffers (held replies, the reply
 * buffer, the events buffer); a thread calls it before it ends. */
void forget_held(void);

/* reply_error answers request id with an error message. */
void reply_error(struct shim *sh, long long id, const char *msg);

/* serve runs one call request on the current thread and writes its reply. */
void serve(struct shim *sh, const struct request *rq);

/* observe writes the observation of the universe (no call in flight). */
void observe(struct shim *sh, long long id);

/* ---- requests.c: what comes from stdin --------------------------------- */

/* read_request reads lines until one holds a call or a control operation
 * and fills rq with it, answering the lines that are neither. It returns 0
 * at end of input. */
int read_request(struct shim *sh, struct request *rq);

/* control_next reports whether the next line has arrived and holds a
 * control operation; it consumes nothing. */
int control_next(struct input *in);

/* control runs control operation rq (no call in flight). */
void control(struct shim *sh, const struct request *rq);

/* ---- lanes.c or serial.c: the request loop ----------------------------- */

/* shim_serve answers requests until input ends or "quit". */
void shim_serve(struct shim *sh);

/* ---- bench.c ----------------------------------------------------------- */

/* bench_raw is the --bench-raw developer mode (bench.c); argv holds its
 * arguments after the option name. It returns the exit status. */
int bench_raw(struct shim *sh, int argc, char **argv);

/* bench_proto is the --bench-proto developer mode (bench.c): the raw run
 * and the protocol's path for the same calls, side by side. */
int bench_proto(struct shim *sh, int argc, char **argv);

#include "lib.h"

#endif

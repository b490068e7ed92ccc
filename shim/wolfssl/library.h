/*
 * library.h - what the files of the wolfSSL 5.5 shim share: its objects, its
 * state and the functions one file offers another (see docs/protocol.md).
 *
 * Build: see Makefile.
 */
#ifndef SESSLIFE_WOLFSSL_LIBRARY_H
#define SESSLIFE_WOLFSSL_LIBRARY_H

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

/* The one shim (main.c). wolfSSL's allocator hook and its callbacks carry
 * no user pointer we could use, so they find it here. */
extern struct shim the_shim;

/* virtual_now is the clock the harness sets with every request (main.c). */
extern long long virtual_now;

void write_line(struct sbuf *b);
void reply_error(long long id, const char *msg);
void emit(struct shim *sh, enum ev_kind kind, int ctx, int sess);
void serve(struct shim *sh, enum op op, const struct request *rq);
void observe(struct shim *sh, long long id);
int handle_of(struct shim *sh, const WOLFSSL_SESSION *s);
int name(struct shim *sh, WOLFSSL_SESSION *s);
void shim_free(void *p);
void *shim_malloc(size_t n);
void *shim_realloc(void *p, size_t n);
void add_apprefs(struct shim *sh, int h, long n);
int on_new_session(WOLFSSL *ssl, WOLFSSL_SESSION *sess);
void on_remove_session(WOLFSSL_CTX *ctx, WOLFSSL_SESSION *sess);
struct ctxent *get_ctx(struct shim *sh, long long h, char *err, size_t errlen);
struct conn *get_conn(struct shim *sh, long long h, char *err, size_t errlen);
WOLFSSL_SESSION *get_sess(struct shim *sh, long long h, char *err, size_t errlen);
int claim(void ***tab, size_t *n, size_t *cap, long long h, void *p);
void free_universe(struct shim *sh);
int io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg);
int io_send(WOLFSSL *ssl, char *buf, int sz, void *arg);
void drop_queue(struct conn *c);
void disconnect(struct shim *sh, struct conn *c);
long long op_handshake(struct shim *sh, struct conn *c, struct conn *s, int version, char *err,
                              size_t errlen);
long long op_read_ticket(struct shim *sh, struct conn *c);
long long op_shutdown(struct shim *sh, struct conn *c);
long long op_fatal_alert(struct shim *sh, struct conn *c);
int implemented(enum op op);
long long run_call(struct shim *sh, enum op op, const struct request *rq, char *err, size_t errlen);
void log_queue(const char *what);

#endif

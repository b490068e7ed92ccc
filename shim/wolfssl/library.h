/*
 * library.h - wolfSSL 5.5 as the common code (../common) sees it: the types
 * of its objects, what the shim keeps for it, and the functions the files
 * of this folder share. The functions it defines for the common code are
 * declared in ../common/lib.h.
 *
 * Each call names the wolfSSL function it runs; the OpenSSL name it stands
 * for is the compatibility macro of <wolfssl/openssl/ssl.h> at 5.5.4.
 * docs/findings.md says what each does differently from OpenSSL 3.0.
 *
 * This shim serves one request at a time (serial.c): wolfSSL's session
 * cache is one table per process, which only a fresh process empties
 * (fresh.c).
 */
#ifndef SESSLIFE_WOLFSSL_LIBRARY_H
#define SESSLIFE_WOLFSSL_LIBRARY_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/memory.h>

#include <stddef.h>

#define SHIM_THREADS 0
#define LIB_NAME "wolfSSL"
#define LIB_PROFILE "wolfssl-5.5"
/* Every universe needs a process of its own (fresh.c); the raw benchmark
 * mode runs each pass in one (../common/bench.c). */
#define LIB_FRESH_PROCESS 1

typedef WOLFSSL_CTX lib_ctx;
typedef WOLFSSL lib_ssl;
typedef WOLFSSL_SESSION lib_sess;

/* lib_state is what the shim keeps for wolfSSL. */
struct lib_state {
    int dirty;    /* the process-wide session cache may hold entries */
    int handover; /* the pipe to the keeper (fresh.c) */
};

/* bytes is a growable byte buffer read from the front. */
struct bytes {
    unsigned char *b;
    size_t off, len, cap;
};

/* lib_conn is what a connection keeps for wolfSSL's custom I/O callbacks:
 * in holds bytes delivered to the SSL (what its recv callback reads), out
 * what it wrote. */
struct lib_conn {
    struct bytes in, out;
};

/* The one shim (main.c). wolfSSL's allocator hook and its callbacks carry
 * no user pointer we could use, so they find it here. */
extern struct shim the_shim;

/* fresh_keep makes this process the keeper of a pristine wolfSSL: it
 * returns only in a forked server, once per universe, with the requests
 * the last server had read ahead in sh->in; the keeper itself exits as its
 * last server did. fresh_handover ends this server's universe: it passes
 * the unread requests to the keeper and exits (fresh.c). */
void fresh_keep(struct shim *sh);
void fresh_handover(struct shim *sh);

/* io_recv and io_send are the SSL_CTX's I/O callbacks (io.c). */
int io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg);
int io_send(WOLFSSL *ssl, char *buf, int sz, void *arg);

/* log_error logs what wolfSSL says about ssl's failed call what (io.c). */
void log_error(WOLFSSL *ssl, const char *what, int r);

/* shim_malloc, shim_free and shim_realloc are wolfSSL's allocators
 * (sessions.c). */
void *shim_malloc(size_t n);
void shim_free(void *p);
void *shim_realloc(void *p, size_t n);

#endif

/*
 * recorder.h - the session-call recorder that `sesslife trace` preloads
 * (docs/trace.md). It interposes libssl 3.0's session API with
 * LD_PRELOAD, forwards every call to the real function found with
 * dlsym(RTLD_NEXT), and writes one JSON line per call the application
 * makes, per lifetime event and per call site into a trace file per
 * process under $SESSLIFE_TRACE_DIR.
 *
 * Files: core.c (set-up, fork, exit, output, call sites), table.c (which
 * sessions and SSL_CTXs are alive, what the application owns; the ex_data
 * callbacks that see births and deaths), sessions.c (calls taking an
 * SSL_SESSION), conns.c (calls taking an SSL: get/set, handshakes, reads),
 * callbacks.c (the three session cache callbacks).
 */
#ifndef SESSLIFE_RECORDER_H
#define SESSLIFE_RECORDER_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

/* REAL declares real_, the next definition of name after the recorder's
 * (libssl's), looked up once. */
#define REAL(name)                                                          \
    static __typeof__(&name) real_cache_;                                   \
    __typeof__(&name) real_ = __atomic_load_n(&real_cache_, __ATOMIC_ACQUIRE); \
    if (real_ == NULL) {                                                    \
        real_ = (__typeof__(&name))tr_real(#name);                          \
        __atomic_store_n(&real_cache_, real_, __ATOMIC_RELEASE);            \
    }

/* CALLER is the address the interposed function returns to. */
#define CALLER() __builtin_return_address(0)

void *tr_real(const char *name);

/* tr_app reports whether a call returning to ra is the application's: the
 * recorder is on and ra lies outside libssl and libcrypto (their own calls
 * to exported functions go through the PLT too, and are not recorded). */
int tr_app(const void *ra);
int tr_on(void);
/* tr_forward_all: SESSLIFE_TRACE_FORWARD=1, forward even calls that would
 * be undefined behaviour (record only). */
int tr_forward_all(void);

uint64_t tr_seq(void);

/* rec builds one JSON line: rec_begin, fields, rec_end (which adds it to
 * the process's buffer). */
struct rec {
    char buf[2048];
    size_t n;
    int urgent; /* written at once (a "ub" record) */
};
void rec_begin(struct rec *r, const char *kind, uint64_t seq);
void rec_u(struct rec *r, const char *key, uint64_t v);
void rec_i(struct rec *r, const char *key, int64_t v);
void rec_p(struct rec *r, const char *key, const void *p);
void rec_s(struct rec *r, const char *key, const char *s);
void rec_end(struct rec *r);

/* call is one application call being recorded: its sequence numbers at
 * entry and exit, the call site and the record it becomes. */
struct call {
    struct rec r;
    uint64_t seq;
    unsigned site;
};
void call_begin(struct call *c, const char *fn, const void *ra);
void call_end(struct call *c);

/* tr_site returns the id of the site record for pc (emitting it the first
 * time); entry says pc is a function's first instruction, not a return
 * address. */
unsigned tr_site(const void *pc, int entry);

/* Session states in the recorder's table. */
enum sess_state { SESS_UNKNOWN, SESS_LIVE, SESS_DEAD };

enum sess_state sess_state(const SSL_SESSION *s);
/* sess_app_refs returns the application's references to a live session
 * (-1 if the recorder does not know the session). */
int sess_app_refs(const SSL_SESSION *s);
void sess_app_take(const SSL_SESSION *s);
void sess_app_give(const SSL_SESSION *s);
void sess_set_owner(const SSL_SESSION *s, const SSL_CTX *ctx);
void sess_clear_owner(const SSL_SESSION *s, const SSL_CTX *ctx);
/* sess_cached_elsewhere returns the live SSL_CTX other than ctx whose cache
 * holds s, or NULL. */
const SSL_CTX *sess_cached_elsewhere(const SSL_SESSION *s, const SSL_CTX *ctx);

/* ctxinfo rides in each SSL_CTX's ex_data: the application's callbacks. */
struct ctxinfo {
    int (*new_cb)(SSL *, SSL_SESSION *);
    void (*remove_cb)(SSL_CTX *, SSL_SESSION *);
    SSL_SESSION *(*get_cb)(SSL *, const unsigned char *, int, int *);
};
struct ctxinfo *ctx_info(const SSL_CTX *ctx);

/* sslinfo rides in each SSL's ex_data. */
struct sslinfo {
    SSL_CTX *session_ctx;      /* the SSL_CTX given to SSL_new */
    const SSL_SESSION *last;   /* the SSL's session when last looked */
    const SSL_SESSION *offered;
    int hs_done;
};
struct sslinfo *ssl_info(const SSL *ssl);
SSL_CTX *ssl_session_ctx(const SSL *ssl);

void table_init(void);
void table_lock(void);
void table_unlock(void);

/* use checks a session argument before the call is forwarded: it adds
 * "sess" (and "state" when the session is not live) to c's record and
 * returns 1 when the call must not be forwarded: the session was
 * destroyed, or nullable is 0 and the argument is NULL. */
int use_session(struct call *c, const char *key, const SSL_SESSION *s, int nullable);

/* after_io records what an I/O call did to an SSL's session: a completed
 * handshake, a new session (a TLS 1.3 ticket read). */
void after_io(const char *fn, SSL *ssl, const void *ra);

#endif

/*
 * library.h - OpenSSL 3.0 as the common code (../common) sees it: the types
 * of its objects, what the shim keeps for it, and the functions the files
 * of this folder share. The functions it defines for the common code are
 * declared in ../common/lib.h.
 *
 * This shim runs calls of different lanes on threads at once (lanes.c).
 */
#ifndef SESSLIFE_OPENSSL_LIBRARY_H
#define SESSLIFE_OPENSSL_LIBRARY_H

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdatomic.h>

#define SHIM_THREADS 1
#define LIB_NAME "OpenSSL"
/* The profile follows the libssl the shim runs with, not the headers it
 * was built with: OpenSSL 3.2 changed three things the model tells apart
 * (model/profile_openssl32.go, docs/findings.md O1-O3). */
#define LIB_PROFILE (OpenSSL_version_num() >= 0x30200000L ? "openssl-3.2" : "openssl-3.0")

typedef SSL_CTX lib_ctx;
typedef SSL lib_ssl;
typedef SSL_SESSION lib_sess;

/* lib_state is what the shim keeps for OpenSSL. */
struct lib_state {
    int sess_idx;              /* the ex_data index of the trackers (sessions.c) */
    atomic_long live_trackers; /* SSL_SESSION objects alive, named or not */
    X509 *cert;                /* the throwaway server certificate (main.c) */
    EVP_PKEY *key;
    /* orphans: fresh sessions a store of bytes decoded and handed to libssl
     * with *copy left at 1 (docs/spec.md CB-GET-FRESH-COPY1), not named yet:
     * d2i's reference is the application's. Naming one moves that reference
     * to the handle's apprefs; reset frees the rest. Guarded by shim_lock. */
    SSL_SESSION **orphans;
    size_t norphans, caporphans;
};

/* lib_conn is what a connection keeps for OpenSSL: nothing, since the
 * memory BIOs inside the SSL hold the bytes in flight. */
struct lib_conn {
    char unused;
};

struct shim;

/* sess_orphan records d2i's reference to fresh session s as the
 * application's (sessions.c); s has no handle yet. */
void sess_orphan(struct shim *sh, SSL_SESSION *s);

/* sessions_init registers the session trackers (ex_data) with OpenSSL; it
 * returns their index, or -1. */
int sessions_init(struct shim *sh);

/* log_ssl_errors drains OpenSSL's error queue to stderr, for the harness. */
void log_ssl_errors(const char *what);

#endif

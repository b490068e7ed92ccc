/*
 * library.h - BoringSSL as the common code (../common) sees it: the types
 * of its objects, what the shim keeps for it, and the functions the files
 * of this folder share. The functions it defines for the common code are
 * declared in ../common/lib.h.
 *
 * The library is Debian 12's android-libboringssl (13.0.0+r24, Android
 * 13's copy of BoringSSL; docs/findings.md says which upstream commit it
 * matches). Its headers live in /usr/include/android/openssl, so
 * <openssl/ssl.h> below is BoringSSL's, not the system OpenSSL's
 * (-I/usr/include/android in the Makefile).
 *
 * This shim serves one request at a time (serial.c).
 */
#ifndef SESSLIFE_BORINGSSL_LIBRARY_H
#define SESSLIFE_BORINGSSL_LIBRARY_H

#include <openssl/bio.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/is_boringssl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define SHIM_THREADS 0
#define LIB_NAME "BoringSSL"
#define LIB_PROFILE "boringssl"

typedef SSL_CTX lib_ctx;
typedef SSL lib_ssl;
typedef SSL_SESSION lib_sess;

/* lib_state is what the shim keeps for BoringSSL. */
struct lib_state {
    int sess_idx;   /* the ex_data index of the session tags (sessions.c) */
    long live_tags; /* named SSL_SESSION objects not destroyed yet */
    X509 *cert;     /* the throwaway server certificate (main.c) */
    EVP_PKEY *key;
};

/* lib_conn is what a connection keeps for BoringSSL: nothing, since the
 * memory BIOs inside the SSL hold the bytes in flight. */
struct lib_conn {
    char unused;
};

struct shim;

/* sessions_init registers the session tags (ex_data) with BoringSSL; it
 * returns their index, or -1. */
int sessions_init(struct shim *sh);

/* virtual_time is every SSL_CTX's current_time_cb (main.c). */
void virtual_time(const SSL *ssl, struct timeval *out);

/* log_ssl_errors drains BoringSSL's error queue to stderr, for the harness. */
void log_ssl_errors(const char *what);

#endif

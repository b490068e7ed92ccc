/*
 * main.c - the sesslife-shim/1 shim for BoringSSL (see docs/protocol.md):
 * start-up (the throwaway certificate), the virtual clock, and the
 * protocol. The shim reads one JSON request per line on stdin, performs the
 * call on real BoringSSL objects and writes one JSON reply per line on
 * stdout; ../common has all of that but BoringSSL's side (lib.h). It serves
 * one request at a time ("concurrent": false).
 *
 * Build: see Makefile.
 */
#include "shim.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

/*
 * virtual_time is installed on every SSL_CTX with
 * SSL_CTX_set_current_time_cb: BoringSSL asks it for "now" wherever a
 * session's time, expiry or a ticket key's rotation is decided
 * (ssl_get_current_time, ssl_ctx_get_current_time), instead of
 * gettimeofday. The one other clock it reads, time() in the SSL_SESSION
 * constructor (overwritten before any session is used), is ../common's.
 */
void virtual_time(const SSL *ssl, struct timeval *out)
{
    (void)ssl;
    out->tv_sec = (time_t)shim_clock();
    out->tv_usec = 0;
}

/* make_certificate makes a self-signed P-256 certificate for the servers;
 * clients do not verify it. */
static int make_certificate(struct shim *sh)
{
    EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    EVP_PKEY *key = EVP_PKEY_new();
    X509 *cert = X509_new();
    X509_NAME *name;

    sh->lib.key = key;
    sh->lib.cert = cert;
    if (ec == NULL || key == NULL || cert == NULL || !EC_KEY_generate_key(ec) || !EVP_PKEY_assign_EC_KEY(key, ec)) {
        EC_KEY_free(ec);
        return -1;
    }
    name = X509_get_subject_name(cert);
    if (!X509_set_version(cert, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(cert), 1)
        || !X509_gmtime_adj(X509_getm_notBefore(cert), 0)
        || !X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 3650) || !X509_set_pubkey(cert, key)
        || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"sesslife", -1, -1, 0)
        || !X509_set_issuer_name(cert, name) || !X509_sign(cert, key, EVP_sha256()))
        return -1;
    return 0;
}

int main(void)
{
    static struct shim sh;

    if (!shim_protocol_ok())
        return EXIT_WRONG_PROTOCOL;
    signal(SIGPIPE, SIG_IGN);
    shim_init(&sh);
    if ((sh.lib.sess_idx = sessions_init(&sh)) < 0 || make_certificate(&sh) != 0) {
        log_ssl_errors("start-up");
        return 1;
    }
    hello(&sh);
    shim_serve(&sh);
    shim_reset(&sh);
    free(sh.in.buf);
    X509_free(sh.lib.cert);
    EVP_PKEY_free(sh.lib.key);
    return 0;
}

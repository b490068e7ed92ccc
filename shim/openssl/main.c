/*
 * main.c - the sesslife-shim/1 shim for OpenSSL 3.0 (see docs/protocol.md):
 * start-up (the throwaway certificate), the --bench-raw and --bench-proto
 * developer modes, and the protocol. The shim reads one JSON request per
 * line on stdin, performs the call on real OpenSSL objects and writes one
 * JSON reply per line on stdout; ../common has all of that but OpenSSL's
 * side (lib.h).
 *
 * Build: see Makefile (-DSHIM_BUG=N plants bug N).
 */
#include "shim.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int make_certificate(struct shim *sh)
{
    X509_NAME *name;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();

    sh->lib.key = key;
    sh->lib.cert = cert;
    if (key == NULL || cert == NULL)
        return -1;
    name = X509_get_subject_name(cert);
    if (!X509_set_version(cert, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(cert), 1)
        || !X509_gmtime_adj(X509_getm_notBefore(cert), 0)
        || !X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 3650)
        || !X509_set_pubkey(cert, key)
        || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"sesslife", -1, -1, 0)
        || !X509_set_issuer_name(cert, name) || !X509_sign(cert, key, EVP_sha256()))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    static struct shim sh; /* static: its lanes array is large */

    if (!shim_protocol_ok())
        return EXIT_WRONG_PROTOCOL;
    signal(SIGPIPE, SIG_IGN);
    shim_init(&sh);
    if (!OPENSSL_init_ssl(0, NULL) || (sh.lib.sess_idx = sessions_init(&sh)) < 0 || make_certificate(&sh) != 0) {
        log_ssl_errors("start-up");
        return 1;
    }
    if (argc >= 2 && (strcmp(argv[1], "--bench-raw") == 0 || strcmp(argv[1], "--bench-proto") == 0)) {
        /* Developer options, not the protocol (docs/protocol.md §10). */
        int rc = strcmp(argv[1], "--bench-raw") == 0 ? bench_raw(&sh, argc - 2, argv + 2)
                                                     : bench_proto(&sh, argc - 2, argv + 2);

        X509_free(sh.lib.cert);
        EVP_PKEY_free(sh.lib.key);
        return rc;
    }
    hello(&sh);
    shim_serve(&sh);
    shim_reset(&sh);
    free(sh.in.buf);
    X509_free(sh.lib.cert);
    EVP_PKEY_free(sh.lib.key);
    return 0;
}

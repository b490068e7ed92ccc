/*
 * main.c - the OpenSSL shim's start-up: the virtual clock, the throwaway
 * certificate, the hello line and main.
 */
#include "library.h"

/* ------------------------------------------------------------------------
 * The virtual clock. OpenSSL 3.0's ssl code asks time(NULL) for "now"
 * (session creation, expiry checks, ticket ages). This executable defines
 * time() itself; libssl and libcrypto import it from the global scope, so
 * the dynamic linker binds their calls here (symbol interposition). The
 * harness sets the clock with every request. It is process-wide by nature.
 * ------------------------------------------------------------------------ */
_Atomic long long virtual_now = 1700000000;

time_t time(time_t *out)
{
    time_t now = (time_t)atomic_load(&virtual_now);

    if (out != NULL)
        *out = now;
    return now;
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

/*
 * shared.c - what the libssl API lets OpenSSL and BoringSSL do alike
 * (../openssl, ../boringssl): a session id's length, error logging, and
 * nothing to do after a reset, since both empty their session caches with
 * their SSL_CTXs.
 */
#include "shim.h"

#include <stdio.h>

unsigned int lib_sess_id_len(SSL_SESSION *s)
{
    unsigned int len = 0;

    SSL_SESSION_get_id(s, &len);
    return len;
}

void log_ssl_errors(const char *what)
{
    unsigned long e;
    char buf[256];

    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        fprintf(stderr, "shim: %s: %s\n", what, buf);
    }
}

void lib_log_errors(const char *what)
{
    log_ssl_errors(what);
}

void lib_clear_errors(void)
{
    ERR_clear_error();
}

void lib_after_reset(struct shim *sh)
{
    (void)sh;
}

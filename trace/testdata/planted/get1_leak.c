/* get1_leak.c - takes a reference with SSL_get1_session and never gives it
 * back (APP-LEAK-REF, because of SEED-GET1-REF). */
#include "tls.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *sctx = server_ctx(TLS1_2_VERSION), *cctx = client_ctx(TLS1_2_VERSION);
    SSL *c, *s;
    connect_pair(cctx, sctx, &c, &s);
    handshake(c, s);
    SSL_SESSION *sess = SSL_get1_session(c); /* BUG: never freed */
    finish(c, s);
    connect_pair(cctx, sctx, &c, &s);
    SSL_set_session(c, sess);
    printf("resumed: %d\n", handshake(c, s));
    finish(c, s);
#ifdef FIXED
    SSL_SESSION_free(sess);
#endif
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

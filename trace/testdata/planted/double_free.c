/* double_free.c - frees a get1 reference twice (UB-OVER-RELEASE): the
 * second free drops the reference the SSL still owns. */
#include "tls.h"

static void done_with(SSL_SESSION *sess) { SSL_SESSION_free(sess); }

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *sctx = server_ctx(TLS1_2_VERSION), *cctx = client_ctx(TLS1_2_VERSION);
    SSL *c, *s;
    connect_pair(cctx, sctx, &c, &s);
    handshake(c, s);
    SSL_SESSION *sess = SSL_get1_session(c);
    done_with(sess);
#ifndef FIXED
    SSL_SESSION_free(sess); /* BUG: the only reference was given back above */
#endif
    finish(c, s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

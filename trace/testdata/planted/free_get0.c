/* free_get0.c - frees the pointer SSL_get0_session lent, which carries no
 * reference (UB-OVER-RELEASE): the SSL's own reference goes, and SSL_free
 * would free the session a second time. The fix does not free it. */
#include "tls.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *sctx = server_ctx(TLS1_2_VERSION), *cctx = client_ctx(TLS1_2_VERSION);
    SSL *c, *s;
    connect_pair(cctx, sctx, &c, &s);
    handshake(c, s);
    SSL_SESSION *sess = SSL_get0_session(c);
    printf("resumable: %d\n", SSL_SESSION_is_resumable(sess));
#ifndef FIXED
    SSL_SESSION_free(sess); /* BUG: get0 lends a pointer without a reference */
#endif
    finish(c, s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

/* dangling_get0.c - keeps SSL_get0_session's pointer past SSL_free and
 * offers it on the next connection (UB-DANGLING-SESSION). The fix takes a
 * reference with SSL_get1_session and gives it back at the end. */
#include "tls.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *sctx = server_ctx(TLS1_2_VERSION), *cctx = client_ctx(TLS1_2_VERSION);
    SSL *c, *s;
    connect_pair(cctx, sctx, &c, &s);
    handshake(c, s);
#ifndef FIXED
    SSL_SESSION *sess = SSL_get0_session(c);
#else
    SSL_SESSION *sess = SSL_get1_session(c);
#endif
    finish(c, s); /* the client's session dies here unless someone holds it */
    connect_pair(cctx, sctx, &c, &s);
    SSL_set_session(c, sess); /* BUG: sess was destroyed by SSL_free */
    printf("resumed: %d\n", handshake(c, s));
    finish(c, s);
#ifdef FIXED
    SSL_SESSION_free(sess);
#endif
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

/* tls13_twice.c - a TLS 1.3 client with CLIENT caching offers the same
 * ticket twice (HS13-CLIENT-SINGLE-USE): the first resumption used it up,
 * so the second offer cannot resume. The fix offers the session of the
 * ticket the resumed connection received. */
#include "tls.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *sctx = server_ctx(TLS1_3_VERSION), *cctx = client_ctx(TLS1_3_VERSION);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT);
    SSL *c, *s;
    connect_pair(cctx, sctx, &c, &s);
    handshake(c, s);
    SSL_SESSION *sess = SSL_get1_session(c); /* the last ticket's session */
    finish(c, s);
    connect_pair(cctx, sctx, &c, &s);
    SSL_set_session(c, sess);
    printf("first offer resumed: %d\n", handshake(c, s));
#ifdef FIXED
    SSL_SESSION_free(sess);
    sess = SSL_get1_session(c); /* the new ticket's session */
#endif
    finish(c, s);
    connect_pair(cctx, sctx, &c, &s);
    SSL_set_session(c, sess); /* BUG: this ticket was used by the resumption above */
    printf("second offer resumed: %d\n", handshake(c, s));
    finish(c, s);
    SSL_SESSION_free(sess);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

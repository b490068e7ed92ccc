/* cross_ctx.c - adds one session to the caches of two SSL_CTXs
 * (UB-CROSS-CONTEXT): each cache links the session into its own list
 * through the same pointers, so both lists break. The fix removes it from
 * the first cache before adding it to the second. */
#include "tls.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *sctx = server_ctx(TLS1_2_VERSION), *cctx = client_ctx(TLS1_2_VERSION);
    SSL_CTX *a = client_ctx(TLS1_2_VERSION), *b = client_ctx(TLS1_2_VERSION);
    SSL *c, *s;
    connect_pair(cctx, sctx, &c, &s);
    handshake(c, s);
    SSL_SESSION *sess = SSL_get1_session(c);
    finish(c, s);
    printf("added to a: %d\n", SSL_CTX_add_session(a, sess));
#ifdef FIXED
    SSL_CTX_remove_session(a, sess);
#endif
    printf("added to b: %d\n", SSL_CTX_add_session(b, sess)); /* BUG: a's cache still holds it */
    SSL_SESSION_free(sess);
    SSL_CTX_free(a);
    SSL_CTX_free(b);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

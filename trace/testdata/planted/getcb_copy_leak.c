/* getcb_copy_leak.c - an external session cache on the server: new_session_cb
 * stores the encoded session, get_session_cb decodes it and returns it but
 * leaves *copy at 1, so libssl takes a reference of its own and the one
 * d2i_SSL_SESSION gave the callback is never freed (CB-GET-COPY). The fix
 * sets *copy = 0, handing that reference over. */
#include "tls.h"

#include <string.h>

static unsigned char stored[4096];
static int stored_len;

static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    unsigned char *p = stored;
    (void)ssl;
    if (i2d_SSL_SESSION(sess, NULL) <= (int)sizeof(stored))
        stored_len = i2d_SSL_SESSION(sess, &p);
    return 0; /* libssl keeps its reference */
}

static SSL_SESSION *on_get_session(SSL *ssl, const unsigned char *id, int len, int *copy)
{
    const unsigned char *p = stored;
    (void)ssl, (void)id, (void)len;
    if (stored_len == 0)
        return NULL;
    SSL_SESSION *sess = d2i_SSL_SESSION(NULL, &p, stored_len); /* BUG: returned with *copy left at 1 */
#ifdef FIXED
    *copy = 0;
#else
    (void)copy;
#endif
    return sess;
}

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *sctx = server_ctx(TLS1_2_VERSION), *cctx = client_ctx(TLS1_2_VERSION);
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(sctx, on_new_session);
    SSL_CTX_sess_set_get_cb(sctx, on_get_session);
    SSL *c, *s;
    connect_pair(cctx, sctx, &c, &s);
    handshake(c, s);
    SSL_SESSION *sess = SSL_get1_session(c);
    finish(c, s);
    connect_pair(cctx, sctx, &c, &s);
    SSL_set_session(c, sess);
    printf("resumed: %d\n", handshake(c, s));
    finish(c, s);
    SSL_SESSION_free(sess);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

/* newcb_leak.c - a client's new_session_cb returns 1, which gives the
 * application the session's reference, but keeps the session nowhere and
 * never frees it (APP-LEAK-REF, because of CB-NEW-RET1). The fix returns
 * 0: libssl keeps its reference. */
#include "tls.h"

static int seen;

static int on_new_session(SSL *ssl, SSL_SESSION *sess) /* BUG: returns 1, never frees */
{
    (void)ssl, (void)sess;
    seen++;
#ifndef FIXED
    return 1;
#else
    return 0;
#endif
}

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *sctx = server_ctx(TLS1_3_VERSION), *cctx = client_ctx(TLS1_3_VERSION);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(cctx, on_new_session);
    SSL *c, *s;
    connect_pair(cctx, sctx, &c, &s);
    handshake(c, s);
    finish(c, s);
    printf("sessions seen: %d\n", seen);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

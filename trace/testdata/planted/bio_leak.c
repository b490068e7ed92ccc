/* bio_leak.c - decodes a saved session with d2i_SSL_SESSION_bio (a macro:
 * libcrypto's ASN1_d2i_bio, which calls d2i_SSL_SESSION itself), offers it
 * and never frees it (APP-LEAK-REF, from the decoding call). The recorder
 * must see the macro's call as the application's: else the leak goes
 * unseen, and the fixed program's free looks like an over-release. */
#include "tls.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *sctx = server_ctx(TLS1_2_VERSION), *cctx = client_ctx(TLS1_2_VERSION);
    SSL *c, *s;
    connect_pair(cctx, sctx, &c, &s);
    handshake(c, s);
    BIO *saved = BIO_new(BIO_s_mem());
    if (saved == NULL || !i2d_SSL_SESSION_bio(saved, SSL_get0_session(c)))
        die("i2d_SSL_SESSION_bio");
    finish(c, s);
    SSL_SESSION *sess = d2i_SSL_SESSION_bio(saved, NULL); /* BUG: never freed */
    if (sess == NULL)
        die("d2i_SSL_SESSION_bio");
    BIO_free(saved);
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

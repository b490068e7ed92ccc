/*
 * tls.h - what the planted programs share: a server and a client SSL_CTX,
 * a client and a server SSL joined by a BIO pair inside one process, and
 * the steps of a connection (handshake, one byte that makes the client
 * read the TLS 1.3 tickets, clean shutdown). Each program is built twice
 * by trace/planted_test.go: as it is (one misuse of sessions, on the line
 * marked BUG) and with -DFIXED (the same program, fixed).
 *
 * Usage of every program: PROGRAM CERT.pem KEY.pem
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>

static const char *cert_file, *key_file;

static void die(const char *what)
{
    fprintf(stderr, "%s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(2);
}

static void args(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s CERT.pem KEY.pem\n", argv[0]);
        exit(2);
    }
    cert_file = argv[1];
    key_file = argv[2];
}

static SSL_CTX *server_ctx(int version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL || SSL_CTX_use_certificate_file(ctx, cert_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1)
        die("server SSL_CTX");
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"planted", 7);
    return ctx;
}

static SSL_CTX *client_ctx(int version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL)
        die("client SSL_CTX");
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    return ctx;
}

/* connect makes a client and a server SSL joined by a BIO pair. */
static void connect_pair(SSL_CTX *cctx, SSL_CTX *sctx, SSL **c, SSL **s)
{
    BIO *cb, *sb;
    *c = SSL_new(cctx);
    *s = SSL_new(sctx);
    if (*c == NULL || *s == NULL || BIO_new_bio_pair(&cb, 0, &sb, 0) != 1)
        die("SSL_new");
    SSL_set_bio(*c, cb, cb);
    SSL_set_bio(*s, sb, sb);
    SSL_set_connect_state(*c);
    SSL_set_accept_state(*s);
}

/* handshake drives both ends until both are done, then lets the client
 * read the server's tickets; it returns SSL_session_reused of the client. */
static int handshake(SSL *c, SSL *s)
{
    int dc = 0, ds = 0;
    char byte;
    for (int i = 0; i < 100 && !(dc && ds); i++) {
        if (!dc)
            dc = SSL_do_handshake(c) == 1;
        if (!ds)
            ds = SSL_do_handshake(s) == 1;
    }
    if (!(dc && ds))
        die("handshake");
    if (SSL_write(s, "x", 1) != 1 || SSL_read(c, &byte, 1) != 1)
        die("the byte after the handshake");
    return SSL_session_reused(c);
}

/* finish closes both ends cleanly and frees them. */
static void finish(SSL *c, SSL *s)
{
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
}

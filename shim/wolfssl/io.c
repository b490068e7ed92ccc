/*
 * io.c - the wolfSSL side of the in-memory connections (../common/
 * transport.c): wolfSSL's custom I/O callbacks read and write two byte
 * buffers of each connection (struct lib_conn); the common code moves the
 * bytes between them.
 */
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bytes_put(struct bytes *q, const void *p, size_t n)
{
    if (q->off == q->len)
        q->off = q->len = 0;
    q->b = must_grow(q->b, &q->cap, q->len + n, 1);
    memcpy(q->b + q->len, p, n);
    q->len += n;
}

/* io_recv and io_send are the SSL_CTX's I/O callbacks; the read and write
 * contexts are the SSL's conn. */
int io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
    struct bytes *in = &((struct conn *)arg)->io.in;
    size_t n = in->len - in->off;

    (void)ssl;
    if (n == 0)
        return WOLFSSL_CBIO_ERR_WANT_READ;
    if (n > (size_t)sz)
        n = (size_t)sz;
    memcpy(buf, in->b + in->off, n);
    in->off += n;
    return (int)n;
}

int io_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
    (void)ssl;
    bytes_put(&((struct conn *)arg)->io.out, buf, (size_t)sz);
    return sz;
}

/* Records reach an SSL only through its connection. */
int lib_connected(struct conn *c)
{
    (void)c;
    return 1;
}

unsigned char *lib_take_output(struct conn *c, size_t *len)
{
    struct bytes *out = &c->io.out;

    *len = out->len - out->off;
    return out->b + out->off;
}

void lib_output_done(struct conn *c, unsigned char *out)
{
    (void)out;
    c->io.out.off = c->io.out.len = 0;
}

void lib_feed(struct conn *c, const unsigned char *p, size_t n)
{
    bytes_put(&c->io.in, p, n);
}

void lib_forget_input(struct conn *c)
{
    c->io.in.off = c->io.in.len = 0;
}

void lib_conn_free(struct conn *c)
{
    free(c->io.in.b);
    free(c->io.out.b);
}

void log_error(WOLFSSL *ssl, const char *what, int r)
{
    char buf[WOLFSSL_MAX_ERROR_SZ];
    int e = wolfSSL_get_error(ssl, r);

    fprintf(stderr, "shim: %s returned %d: %s\n", what, r, wolfSSL_ERR_error_string((unsigned long)e, buf));
}

/* A handshake may put sessions into the process-wide cache (dirty). */
void lib_handshake_prepare(struct shim *sh, struct conn *c, int version)
{
    int proto = version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;

    sh->lib.dirty = 1;
    /* SSL_set_min_proto_version, SSL_set_max_proto_version */
    wolfSSL_set_min_proto_version(c->ssl, proto);
    wolfSSL_set_max_proto_version(c->ssl, proto);
    c->io.out.off = c->io.out.len = 0;
}

int lib_handshake_step(struct conn *c)
{
    int r = wolfSSL_SSL_do_handshake(c->ssl); /* SSL_do_handshake */

    if (r == WOLFSSL_SUCCESS)
        return 1;
    if (wolfSSL_get_error(c->ssl, r) == WOLFSSL_ERROR_WANT_READ)
        return 0;
    log_error(c->ssl, c->client ? "client handshake" : "server handshake", r);
    return -1;
}

/* lib_handshake_step has logged already. */
void lib_handshake_failed(void)
{
}

/* One wolfSSL_read (SSL_read) processes the ticket and then wants more. */
void lib_read_ticket(struct conn *c)
{
    unsigned char buf[256];
    int r = wolfSSL_read(c->ssl, buf, sizeof(buf));

    if (r > 0 || wolfSSL_get_error(c->ssl, r) != WOLFSSL_ERROR_WANT_READ)
        log_error(c->ssl, "SSL_read of a ticket", r);
}

int lib_sent_shutdown(struct conn *c)
{
    return (wolfSSL_get_shutdown(c->ssl) & WOLFSSL_SENT_SHUTDOWN) != 0;
}

long long lib_shutdown(struct conn *c)
{
    return wolfSSL_shutdown(c->ssl); /* SSL_shutdown */
}

void lib_read_garbage(struct conn *c, unsigned char *rec, size_t len)
{
    int r = wolfSSL_read(c->ssl, rec, (int)len);

    if (r > 0 || wolfSSL_get_error(c->ssl, r) == WOLFSSL_ERROR_WANT_READ)
        fprintf(stderr, "shim: garbage record did not fail fatally (SSL_read %d)\n", r);
}

/* read_alert (W27): one SSL_read processes the records fed (tickets first)
 * up to the fatal alert, which fails it. */
void lib_read_alert(struct conn *c)
{
    unsigned char buf[256];
    int r = wolfSSL_read(c->ssl, buf, sizeof(buf));
    int e = wolfSSL_get_error(c->ssl, r);

    if (r > 0 || e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_ZERO_RETURN)
        fprintf(stderr, "shim: reading the peer's alert did not fail (SSL_read %d, error %d)\n", r, e);
}

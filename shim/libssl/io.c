/*
 * io.c - the in-memory connections (../common/transport.c) for the libssl
 * API that OpenSSL and BoringSSL share (../openssl, ../boringssl): each SSL
 * reads and writes a pair of memory BIOs, fresh for every handshake; the
 * common code moves the bytes between them.
 *
 * A library whose TLS 1.3 server holds its tickets back until it next
 * writes defines LIB_TICKETS_WAIT_FOR_WRITE in its library.h (BoringSSL).
 */
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>

int lib_connected(struct conn *c)
{
    return SSL_get_rbio(c->ssl) != NULL;
}

/* lib_take_output empties the SSL's write BIO (a memory BIO, which says
 * what it holds) into a new buffer of that size: a fixed 16 KiB step cost
 * a 16 KiB allocation for every flight, most of which are a few hundred
 * bytes (docs/perf.md). The buffer is never NULL, empty or not. */
unsigned char *lib_take_output(struct conn *c, size_t *len)
{
    BIO *w = SSL_get_wbio(c->ssl);
    unsigned char *buf = NULL;
    size_t cap = 0, want;

    *len = 0;
    if (w == NULL)
        return NULL;
    buf = must_grow(buf, &cap, BIO_ctrl_pending(w) + 1, 1);
    while ((want = BIO_ctrl_pending(w)) > 0) {
        int n;

        buf = must_grow(buf, &cap, *len + want, 1);
        n = BIO_read(w, buf + *len, want > 1 << 30 ? 1 << 30 : (int)want);
        if (n <= 0)
            break;
        *len += (size_t)n;
    }
    return buf;
}

void lib_output_done(struct conn *c, unsigned char *out)
{
    (void)c;
    free(out);
}

void lib_feed(struct conn *c, const unsigned char *p, size_t n)
{
    BIO_write(SSL_get_rbio(c->ssl), p, (int)n);
}

/* lib_forget_input empties c's read BIO. A record delivered and never read
 * (a close_notify that reached an SSL whose SSL_shutdown then returned
 * without reading) would otherwise be read before fatal_alert's garbage
 * record, and the SSL would see the close_notify instead of failing. */
void lib_forget_input(struct conn *c)
{
    BIO *r = SSL_get_rbio(c->ssl);

    if (r != NULL)
        (void)BIO_reset(r);
}

void lib_conn_free(struct conn *c)
{
    (void)c;
}

void lib_handshake_prepare(struct shim *sh, struct conn *c, int version)
{
    int proto = version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;

    (void)sh;
    SSL_set_min_proto_version(c->ssl, proto);
    SSL_set_max_proto_version(c->ssl, proto);
    SSL_set_bio(c->ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
}

#ifndef LIB_TICKETS_WAIT_FOR_WRITE
#define LIB_TICKETS_WAIT_FOR_WRITE 0
#endif

/*
 * lib_handshake_step runs one SSL_do_handshake. Under
 * LIB_TICKETS_WAIT_FOR_WRITE a TLS 1.3 server's NewSessionTickets are not
 * flushed until it next writes (BoringSSL: tls13_server.cc
 * do_send_new_session_ticket), so a zero-byte SSL_write right after the
 * handshake flushes them, as a server that answers its client would, and
 * they travel with the handshake as they do with OpenSSL (docs/protocol.md
 * §6).
 */
int lib_handshake_step(struct conn *c)
{
    static const unsigned char nothing[1];
    int r = SSL_do_handshake(c->ssl);

    if (r == 1) {
        if (LIB_TICKETS_WAIT_FOR_WRITE && !c->client && SSL_version(c->ssl) == TLS1_3_VERSION
            && SSL_write(c->ssl, nothing, 0) < 0) {
            fprintf(stderr, "shim: flushing the server's tickets failed\n");
            log_ssl_errors("handshake");
        }
        return 1;
    }
    return SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ ? 0 : -1;
}

void lib_handshake_failed(void)
{
    log_ssl_errors("handshake");
}

/* A ticket record is processed by SSL_read, which then wants more data. */
void lib_read_ticket(struct conn *c)
{
    unsigned char buf[256];
    int r = SSL_read(c->ssl, buf, sizeof(buf));

    if (r > 0 || SSL_get_error(c->ssl, r) != SSL_ERROR_WANT_READ) {
        fprintf(stderr, "shim: SSL_read of a ticket returned %d (error %d)\n", r, SSL_get_error(c->ssl, r));
        log_ssl_errors("read_ticket");
    }
}

int lib_sent_shutdown(struct conn *c)
{
    return (SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN) != 0;
}

long long lib_shutdown(struct conn *c)
{
    return SSL_shutdown(c->ssl);
}

void lib_read_alert(struct conn *c)
{
    unsigned char buf[256];
    int r = SSL_read(c->ssl, buf, sizeof(buf));

    if (r > 0 || SSL_get_error(c->ssl, r) != SSL_ERROR_SSL)
        fprintf(stderr, "shim: reading the peer's alert did not fail (SSL_read %d, error %d)\n", r,
                SSL_get_error(c->ssl, r));
}

void lib_read_garbage(struct conn *c, unsigned char *rec, size_t len)
{
    int r = SSL_read(c->ssl, rec, (int)len);

    if (r > 0 || SSL_get_error(c->ssl, r) != SSL_ERROR_SSL)
        fprintf(stderr, "shim: garbage record did not fail fatally (SSL_read %d, error %d)\n", r,
                SSL_get_error(c->ssl, r));
}

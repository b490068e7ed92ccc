/*
 * transport.c - the wolfSSL shim's in-memory connections and handshake pump.
 */
#include "library.h"

static void bytes_put(struct bytes *q, const void *p, size_t n)
{
    if (q->off == q->len)
        q->off = q->len = 0;
    q->b = must_grow(q->b, &q->cap, q->len + n, 1);
    memcpy(q->b + q->len, p, n);
    q->len += n;
}

/* ------------------------------------------------------------------------
 * The in-memory connection.
 * ------------------------------------------------------------------------ */

/* io_recv and io_send are the SSL_CTX's I/O callbacks; the read and write
 * contexts are the SSL's conn. */
int io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
    struct bytes *in = &((struct conn *)arg)->in;
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
    bytes_put(&((struct conn *)arg)->out, buf, (size_t)sz);
    return sz;
}

void drop_queue(struct conn *c)
{
    while (c->head != NULL) {
        struct record *r = c->head;

        c->head = r->next;
        free(r);
    }
    c->tail = NULL;
}

/* disconnect forgets c's connection: what either end writes later goes
 * nowhere, and what was sent to c is gone. What c sent to its peer stays
 * with the peer. */
void disconnect(struct shim *sh, struct conn *c)
{
    if (c->peer != 0) {
        struct conn *p = sh->conns[c->peer - 1];

        if (p->peer == c->handle)
            p->peer = 0;
    }
    c->peer = 0;
    c->in.off = c->in.len = 0;
    drop_queue(c);
}

/*
 * send_output takes what from's SSL wrote and passes it on record by
 * record: straight to the peer when deliver is set, otherwise onto the
 * peer's queue as kind. Without a peer the bytes are lost. It returns the
 * number of bytes moved.
 */
static size_t send_output(struct shim *sh, struct conn *from, int deliver, enum rec_kind kind)
{
    struct bytes *out = &from->out;
    size_t len = out->len - out->off, off = 0;
    struct conn *to = from->peer != 0 ? sh->conns[from->peer - 1] : NULL;

    if (to != NULL && deliver)
        bytes_put(&to->in, out->b + out->off, len);
    while (to != NULL && !deliver && off < len) {
        size_t n = record_len(out->b + out->off + off, len - off);
        struct record *r = malloc(sizeof(*r) + n);

        if (r == NULL)
            abort();
        r->next = NULL;
        r->kind = kind;
        r->len = n;
        memcpy(r->data, out->b + out->off + off, n);
        if (to->tail != NULL)
            to->tail->next = r;
        else
            to->head = r;
        to->tail = r;
        off += n;
    }
    out->off = out->len = 0;
    return to != NULL ? len : 0;
}

/* deliver_queued moves c's queued records into its input: all of them, or
 * only the first when it is of kind only (only != 0). It returns how many
 * records it moved. */
static int deliver_queued(struct conn *c, enum rec_kind only)
{
    int n = 0;

    while (c->head != NULL && (only == 0 || (n == 0 && c->head->kind == only))) {
        struct record *r = c->head;

        c->head = r->next;
        if (c->head == NULL)
            c->tail = NULL;
        bytes_put(&c->in, r->data, r->len);
        free(r);
        n++;
    }
    return n;
}

static void log_error(WOLFSSL *ssl, const char *what, int r)
{
    char buf[WOLFSSL_MAX_ERROR_SZ];
    int e = wolfSSL_get_error(ssl, r);

    fprintf(stderr, "shim: %s returned %d: %s\n", what, r, wolfSSL_ERR_error_string((unsigned long)e, buf));
}

/* hs_step runs one side's handshake: 1 done, 0 waiting for data, -1 failed. */
static int hs_step(struct conn *c)
{
    int r = wolfSSL_SSL_do_handshake(c->ssl); /* SSL_do_handshake */

    if (r == WOLFSSL_SUCCESS)
        return 1;
    if (wolfSSL_get_error(c->ssl, r) == WOLFSSL_ERROR_WANT_READ)
        return 0;
    log_error(c->ssl, c->client ? "client handshake" : "server handshake", r);
    return -1;
}

/*
 * op_handshake drives client c and server s to the end of a handshake at
 * version v, in lockstep, with empty buffers. What one side writes is
 * delivered while the other is still in its handshake; what the server
 * writes after the client finished (TLS 1.3 tickets) is queued for the
 * client, one queue entry per record.
 */
long long op_handshake(struct shim *sh, struct conn *c, struct conn *s, int version, char *err,
                              size_t errlen)
{
    int proto = version == 12 ? TLS1_2_VERSION : version == 13 ? TLS1_3_VERSION : 0;
    int cdone = 0, sdone = 0;
    struct conn *both[2] = { c, s };

    if (proto == 0) {
        snprintf(err, errlen, "arg %d is not a TLS version (12 or 13)", version);
        return -1;
    }
    if (!c->client || s->client) {
        snprintf(err, errlen, "handshake needs a client ssl and a server peer");
        return -1;
    }
    sh->dirty = 1;
    for (int i = 0; i < 2; i++) {
        /* SSL_set_min_proto_version, SSL_set_max_proto_version */
        wolfSSL_set_min_proto_version(both[i]->ssl, proto);
        wolfSSL_set_max_proto_version(both[i]->ssl, proto);
        disconnect(sh, both[i]);
        both[i]->out.off = both[i]->out.len = 0;
    }
    c->peer = s->handle;
    s->peer = c->handle;

    for (int round = 0; round < 64; round++) {
        size_t moved;
        int r;

        if (!cdone && (r = hs_step(c)) != 0) {
            if (r < 0)
                break;
            cdone = 1;
        }
        moved = send_output(sh, c, !sdone, REC_OTHER);
        if (!sdone && (r = hs_step(s)) != 0) {
            if (r < 0)
                break;
            sdone = 1;
        }
        moved += send_output(sh, s, !cdone, REC_TICKET);
        if (cdone && sdone)
            return 1;
        if (moved == 0)
            break;
    }
    fprintf(stderr, "shim: handshake did not complete (client %s, server %s)\n", cdone ? "done" : "not done",
            sdone ? "done" : "not done");
    return 0;
}

/* op_read_ticket lets client c read one queued ticket record: one
 * wolfSSL_read (SSL_read), which processes it and then wants more data. */
long long op_read_ticket(struct shim *sh, struct conn *c)
{
    unsigned char buf[256];
    int r;

    if (deliver_queued(c, REC_TICKET) == 0)
        return 0;
    r = wolfSSL_read(c->ssl, buf, sizeof(buf));
    if (r > 0 || wolfSSL_get_error(c->ssl, r) != WOLFSSL_ERROR_WANT_READ)
        log_error(c->ssl, "SSL_read of a ticket", r);
    send_output(sh, c, 0, REC_OTHER);
    return 1;
}

/* op_shutdown is one wolfSSL_shutdown (SSL_shutdown). After the first call
 * (close_notify sent) the SSL reads: everything queued is delivered first. */
long long op_shutdown(struct shim *sh, struct conn *c)
{
    int r;

    if (wolfSSL_get_shutdown(c->ssl) & WOLFSSL_SENT_SHUTDOWN)
        deliver_queued(c, 0);
    r = wolfSSL_shutdown(c->ssl);
    send_output(sh, c, 0, REC_CLOSE);
    return r;
}

/* op_fatal_alert makes c's connection fail: a garbage application-data
 * record fails to decrypt, c sends a fatal alert, which is dropped. */
long long op_fatal_alert(struct shim *sh, struct conn *c)
{
    unsigned char rec[5 + 48];
    int r;

    disconnect(sh, c);
    memset(rec, 0x5a, sizeof(rec));
    rec[0] = 23; /* application_data */
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = 0;
    rec[4] = 48;
    bytes_put(&c->in, rec, sizeof(rec));
    r = wolfSSL_read(c->ssl, rec, sizeof(rec));
    if (r > 0 || wolfSSL_get_error(c->ssl, r) == WOLFSSL_ERROR_WANT_READ)
        fprintf(stderr, "shim: garbage record did not fail fatally (SSL_read %d)\n", r);
    c->out.off = c->out.len = 0;
    return 0;
}

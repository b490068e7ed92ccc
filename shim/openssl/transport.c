/*
 * transport.c - the OpenSSL shim's in-memory connections and handshake pump.
 */
#include "library.h"

/* ------------------------------------------------------------------------
 * The in-memory connection.
 * ------------------------------------------------------------------------ */

void drop_queue(struct conn *c)
{
    while (c->head != NULL) {
        struct record *r = c->head;

        c->head = r->next;
        free(r);
    }
    c->tail = NULL;
}

/* disconnect forgets c's connection (sh->mu held): what either end writes
 * later goes nowhere, and what was sent to c is gone. What c sent to its
 * peer stays with the peer. */
void disconnect(struct shim *sh, struct conn *c)
{
    if (c->peer != 0) {
        struct conn *p = sh->conns[c->peer - 1];

        if (p->peer == c->handle)
            p->peer = 0;
    }
    c->peer = 0;
    drop_queue(c);
}

/* take_output empties ssl's write BIO into a new buffer. */
static unsigned char *take_output(SSL *ssl, size_t *len)
{
    BIO *w = SSL_get_wbio(ssl);
    unsigned char *buf = NULL;
    size_t cap = 0;
    int n;

    *len = 0;
    if (w == NULL)
        return NULL;
    for (;;) {
        buf = must_grow(buf, &cap, *len + 16384, 1);
        n = BIO_read(w, buf + *len, 16384);
        if (n <= 0)
            break;
        *len += (size_t)n;
    }
    return buf;
}

/*
 * send_output takes what from's SSL wrote and passes it on record by
 * record: straight into the peer's read BIO when deliver is set, otherwise
 * onto the peer's queue as kind. Without a peer the bytes are lost. It
 * returns the number of bytes moved.
 */
static size_t send_output(struct shim *sh, struct conn *from, int deliver, enum rec_kind kind)
{
    size_t len, off = 0;
    unsigned char *out = take_output(from->ssl, &len);
    struct conn *to = NULL;

    pthread_mutex_lock(&sh->mu);
    if (from->peer != 0)
        to = sh->conns[from->peer - 1];
    while (to != NULL && !deliver && off < len) {
        size_t n = record_len(out + off, len - off);
        struct record *r = malloc(sizeof(*r) + n);

        if (r == NULL)
            abort();
        r->next = NULL;
        r->kind = kind;
        r->len = n;
        memcpy(r->data, out + off, n);
        if (to->tail != NULL)
            to->tail->next = r;
        else
            to->head = r;
        to->tail = r;
        off += n;
    }
    pthread_mutex_unlock(&sh->mu);
    if (to != NULL && deliver && len > 0)
        BIO_write(SSL_get_rbio(to->ssl), out, (int)len);
    free(out);
    return to != NULL ? len : 0;
}

/* deliver_queued moves c's queued records into its read BIO: all of them,
 * or only the first when it is of kind only (only != 0). It returns how
 * many records it moved. */
static int deliver_queued(struct shim *sh, struct conn *c, enum rec_kind only)
{
    struct record *list, *r;
    int n = 0;

    pthread_mutex_lock(&sh->mu);
    list = c->head;
    if (only != 0) {
        if (list != NULL && list->kind == only) {
            c->head = list->next;
            if (c->head == NULL)
                c->tail = NULL;
            list->next = NULL;
        } else {
            list = NULL;
        }
    } else {
        c->head = c->tail = NULL;
    }
    pthread_mutex_unlock(&sh->mu);
    while (list != NULL) {
        r = list;
        list = r->next;
        BIO_write(SSL_get_rbio(c->ssl), r->data, (int)r->len);
        free(r);
        n++;
    }
    return n;
}

/* hs_step runs one side's handshake: 1 done, 0 waiting for data, -1 failed. */
static int hs_step(SSL *ssl)
{
    int r = SSL_do_handshake(ssl);

    if (r == 1)
        return 1;
    return SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ ? 0 : -1;
}

/*
 * handshake drives client c and server s to the end of a handshake at
 * version v, in lockstep, starting with fresh memory BIOs. What one side
 * writes is delivered while the other is still in its handshake; what the
 * server writes after the client finished (TLS 1.3 tickets) is queued for
 * the client, one queue entry per record.
 */
long long op_handshake(struct shim *sh, struct conn *c, struct conn *s, int version, char *err, size_t errlen)
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
    for (int i = 0; i < 2; i++) {
        SSL_set_min_proto_version(both[i]->ssl, proto);
        SSL_set_max_proto_version(both[i]->ssl, proto);
        SSL_set_bio(both[i]->ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    }
    pthread_mutex_lock(&sh->mu);
    disconnect(sh, c);
    disconnect(sh, s);
    c->peer = s->handle;
    s->peer = c->handle;
    pthread_mutex_unlock(&sh->mu);

    for (int round = 0; round < 64; round++) {
        size_t moved;
        int r;

        if (!cdone && (r = hs_step(c->ssl)) != 0) {
            if (r < 0)
                break;
            cdone = 1;
        }
        moved = send_output(sh, c, !sdone, REC_OTHER);
        if (!sdone && (r = hs_step(s->ssl)) != 0) {
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
    log_ssl_errors("handshake");
    return 0;
}

/* op_read_ticket lets client c read one queued ticket record. */
long long op_read_ticket(struct shim *sh, struct conn *c)
{
    unsigned char buf[256];
    int r;

    if (SSL_get_rbio(c->ssl) == NULL || deliver_queued(sh, c, REC_TICKET) == 0)
        return 0;
    r = SSL_read(c->ssl, buf, sizeof(buf));
    if (r > 0 || SSL_get_error(c->ssl, r) != SSL_ERROR_WANT_READ) {
        fprintf(stderr, "shim: SSL_read of a ticket returned %d (error %d)\n", r, SSL_get_error(c->ssl, r));
        log_ssl_errors("read_ticket");
    }
    send_output(sh, c, 0, REC_OTHER);
    return 1;
}

/* op_shutdown is one SSL_shutdown call. After the first call (close_notify
 * sent) the SSL reads: everything queued for it is delivered first. */
long long op_shutdown(struct shim *sh, struct conn *c)
{
    int r;

    if ((SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN) && SSL_get_rbio(c->ssl) != NULL)
        deliver_queued(sh, c, 0);
    r = SSL_shutdown(c->ssl);
    send_output(sh, c, 0, REC_CLOSE);
    return r;
}

/* op_fatal_alert makes c's connection fail: a garbage application-data
 * record fails to decrypt, c sends a fatal alert, which is dropped. */
long long op_fatal_alert(struct shim *sh, struct conn *c, char *err, size_t errlen)
{
    unsigned char rec[5 + 48];
    size_t len;
    int r;

    if (SSL_get_rbio(c->ssl) == NULL) {
        snprintf(err, errlen, "ssl has no connection");
        return -1;
    }
    pthread_mutex_lock(&sh->mu);
    disconnect(sh, c);
    pthread_mutex_unlock(&sh->mu);
    memset(rec, 0x5a, sizeof(rec));
    rec[0] = 23; /* application_data */
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = 0;
    rec[4] = 48;
    BIO_write(SSL_get_rbio(c->ssl), rec, sizeof(rec));
    r = SSL_read(c->ssl, rec, sizeof(rec));
    if (r > 0 || SSL_get_error(c->ssl, r) != SSL_ERROR_SSL)
        fprintf(stderr, "shim: garbage record did not fail fatally (SSL_read %d, error %d)\n", r,
                SSL_get_error(c->ssl, r));
    free(take_output(c->ssl, &len));
    return 0;
}

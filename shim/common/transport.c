/*
 * transport.c - the in-memory connections. Handshakes run between a client
 * SSL and a server SSL whose bytes this file pumps itself, record by record,
 * so it decides what is delivered when; the library's side (lib.h) only
 * hands out what an SSL wrote and feeds it what it is to read.
 */
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    lib_forget_input(c);
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
    size_t len, off = 0;
    unsigned char *out = lib_take_output(from, &len);
    struct conn *to = NULL;

    shim_lock(sh);
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
    shim_unlock(sh);
    if (to != NULL && deliver && len > 0)
        lib_feed(to, out, len);
    lib_output_done(from, out);
    return to != NULL ? len : 0;
}

/* deliver_queued feeds c its queued records: all of them, or only the first
 * when it is of kind only (only != 0). It returns how many records it
 * moved. */
static int deliver_queued(struct shim *sh, struct conn *c, enum rec_kind only)
{
    struct record *list, *r;
    int n = 0;

    shim_lock(sh);
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
    shim_unlock(sh);
    while (list != NULL) {
        r = list;
        list = r->next;
        lib_feed(c, r->data, r->len);
        free(r);
        n++;
    }
    return n;
}

/* check_pair checks that c is a client, s a server and version a TLS
 * version the protocol knows. */
static int check_pair(struct conn *c, struct conn *s, int version, char *err, size_t errlen)
{
    if (version != 12 && version != 13) {
        snprintf(err, errlen, "arg %d is not a TLS version (12 or 13)", version);
        return -1;
    }
    if (!c->client || s->client) {
        snprintf(err, errlen, "handshake needs a client ssl and a server peer");
        return -1;
    }
    return 0;
}

/* start_pair gives c and s new memory BIOs for version and connects them. */
static void start_pair(struct shim *sh, struct conn *c, struct conn *s, int version)
{
    lib_handshake_prepare(sh, c, version);
    lib_handshake_prepare(sh, s, version);
    shim_lock(sh);
    disconnect(sh, c);
    disconnect(sh, s);
    c->peer = s->handle;
    s->peer = c->handle;
    shim_unlock(sh);
}

/*
 * pump drives client c and server s to the end of a handshake, in
 * lockstep, with nothing in flight. What one side writes is delivered while
 * the other is still in its handshake; what the server writes after the
 * client finished (TLS 1.3 tickets) is queued for the client, one queue
 * entry per record. It returns 1 once both are done, 0 otherwise.
 */
static long long pump(struct shim *sh, struct conn *c, struct conn *s)
{
    int cdone = 0, sdone = 0;

    for (int round = 0; round < 64; round++) {
        size_t moved;
        int r;

        if (!cdone && (r = lib_handshake_step(c)) != 0) {
            if (r < 0)
                break;
            cdone = 1;
        }
        moved = send_output(sh, c, !sdone, REC_OTHER);
        if (!sdone && (r = lib_handshake_step(s)) != 0) {
            if (r < 0)
                break;
            sdone = 1;
        }
        moved += send_output(sh, s, !cdone, REC_TICKET);
        if (cdone && sdone)
            return 1;
        if (moved == 0) /* neither side wrote a byte: no progress, ret 0 */
            break;
    }
    fprintf(stderr, "shim: handshake did not complete (client %s, server %s)\n", cdone ? "done" : "not done",
            sdone ? "done" : "not done");
    lib_handshake_failed();
    return 0;
}

/* op_handshake drives client c and server s through a whole handshake at
 * version v (pump). */
long long op_handshake(struct shim *sh, struct conn *c, struct conn *s, int version, char *err, size_t errlen)
{
    if (check_pair(c, s, version, err, errlen) != 0)
        return -1;
    start_pair(sh, c, s, version);
    return pump(sh, c, s);
}

/*
 * op_client_hello is the first half of op_handshake: client c writes its
 * ClientHello, which server s reads; s writes its first flight, which is
 * queued for c (not fed to it: a fatal error or SSL_clear on c half way
 * must find nothing of it in c's input). It returns 1 when both are
 * waiting to read, 0 otherwise.
 */
long long op_client_hello(struct shim *sh, struct conn *c, struct conn *s, int version, char *err, size_t errlen)
{
    if (check_pair(c, s, version, err, errlen) != 0)
        return -1;
    start_pair(sh, c, s, version);
    if (lib_handshake_step(c) != 0) {
        fprintf(stderr, "shim: client_hello: the client did not wait for the server\n");
        lib_handshake_failed();
        return 0;
    }
    send_output(sh, c, 1, REC_OTHER);
    if (lib_handshake_step(s) != 0) {
        fprintf(stderr, "shim: client_hello: the server did not wait for the client\n");
        lib_handshake_failed();
        return 0;
    }
    send_output(sh, s, 0, REC_OTHER);
    return 1;
}

/* op_handshake_finish is the second half: c reads the server's flight and
 * the pair runs to the end (pump). c and s must be each other's peer. */
long long op_handshake_finish(struct shim *sh, struct conn *c, struct conn *s, char *err, size_t errlen)
{
    int linked;

    shim_lock(sh);
    linked = c->peer == s->handle && s->peer == c->handle;
    shim_unlock(sh);
    if (!c->client || s->client || !linked) {
        snprintf(err, errlen, "handshake_finish needs a client and the server client_hello connected it to");
        return -1;
    }
    deliver_queued(sh, c, 0);
    return pump(sh, c, s);
}

/* op_read_ticket lets client c read one queued ticket record. */
long long op_read_ticket(struct shim *sh, struct conn *c)
{
    if (!lib_connected(c) || deliver_queued(sh, c, REC_TICKET) == 0)
        return 0;
    lib_read_ticket(c);
    send_output(sh, c, 0, REC_OTHER);
    return 1;
}

/* op_shutdown is one SSL_shutdown call. After the first call (close_notify
 * sent) the SSL reads: everything queued for it is delivered first. */
long long op_shutdown(struct shim *sh, struct conn *c)
{
    long long r;

    if (lib_sent_shutdown(c) && lib_connected(c))
        deliver_queued(sh, c, 0);
    r = lib_shutdown(c);
    send_output(sh, c, 0, REC_CLOSE);
    return r;
}

/* garbage_record fills rec with one application-data record that cannot
 * decrypt (docs/protocol.md, fatal_alert). */
static void garbage_record(unsigned char rec[5 + 48])
{
    memset(rec, 0x5a, 5 + 48);
    rec[0] = 23; /* application_data */
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = 0;
    rec[4] = 48;
}

/* op_fatal_alert makes c's connection fail: a garbage application-data
 * record fails to decrypt, c sends a fatal alert, which is dropped. */
long long op_fatal_alert(struct shim *sh, struct conn *c, char *err, size_t errlen)
{
    unsigned char rec[5 + 48];
    size_t len;

    if (!lib_connected(c)) {
        snprintf(err, errlen, "ssl has no connection");
        return -1;
    }
    shim_lock(sh);
    disconnect(sh, c);
    shim_unlock(sh);
    garbage_record(rec);
    lib_feed(c, rec, sizeof(rec));
    lib_read_garbage(c, rec, sizeof(rec));
    lib_output_done(c, lib_take_output(c, &len));
    return 0;
}

/* op_read_alert makes c's peer fail as op_fatal_alert does, but its fatal
 * alert reaches c: c is fed what was queued for it, then the alert, and
 * reads once. Both connections end. */
long long op_read_alert(struct shim *sh, struct conn *c, char *err, size_t errlen)
{
    unsigned char rec[5 + 48], *out;
    struct conn *p = NULL;
    size_t len;

    shim_lock(sh);
    if (c->peer != 0)
        p = sh->conns[c->peer - 1];
    shim_unlock(sh);
    if (!lib_connected(c) || p == NULL || !lib_connected(p)) {
        snprintf(err, errlen, "ssl has no connected peer");
        return -1;
    }
    shim_lock(sh);
    disconnect(sh, p); /* the peer's queue and input go, as in fatal_alert */
    shim_unlock(sh);
    deliver_queued(sh, c, 0);
    garbage_record(rec);
    lib_feed(p, rec, sizeof(rec));
    lib_read_garbage(p, rec, sizeof(rec));
    out = lib_take_output(p, &len);
    lib_feed(c, out, len);
    lib_output_done(p, out);
    lib_read_alert(c);
    lib_output_done(c, lib_take_output(c, &len));
    shim_lock(sh);
    disconnect(sh, c);
    shim_unlock(sh);
    return 0;
}

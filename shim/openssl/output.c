/*
 * output.c - what the OpenSSL shim writes: events, replies, observations.
 */
#include "library.h"

/* ------------------------------------------------------------------------
 * Small helpers: events, logging (buffers and strings are in proto.c).
 * ------------------------------------------------------------------------ */

void emit(enum ev_kind kind, int ctx, int sess)
{
    struct events *e = current_events;

    if (e == NULL)
        return;
    e->v = must_grow(e->v, &e->cap, e->n + 1, sizeof(*e->v));
    e->v[e->n++] = (struct event){ kind, ctx, sess };
}

/* log_ssl_errors drains OpenSSL's error queue to stderr, for the harness. */
void log_ssl_errors(const char *what)
{
    unsigned long e;
    char buf[256];

    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        fprintf(stderr, "shim: %s: %s\n", what, buf);
    }
}

/*
 * Replies this thread holds back (holding set): the reader that runs a call
 * and the control operation after it writes both replies with one write,
 * so the harness wakes once for the pair. It never blocks while holding.
 */
_Thread_local struct sbuf held;
_Thread_local int holding;

/* write_out writes with write(2) itself: stdout is the protocol stream and
 * nothing else writes to it, so stdio's buffer would only add a copy. */
static void write_out(struct shim *sh, const char *s, size_t len)
{
    size_t off = 0;
    int bad = 0;

    pthread_mutex_lock(&sh->out_mu);
    while (off < len && !bad) {
        ssize_t n = write(STDOUT_FILENO, s + off, len - off);

        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && errno != EINTR)
            bad = 1;
    }
    pthread_mutex_unlock(&sh->out_mu);
    if (bad) {
        fprintf(stderr, "shim: cannot write to stdout; the harness is gone\n");
        exit(1);
    }
}

/* write_line writes b and a newline, or holds them back (see held). */
void write_line(struct shim *sh, struct sbuf *b)
{
    sb_printf(b, "\n");
    if (holding) {
        held.s = must_grow(held.s, &held.cap, held.n + b->n, 1);
        memcpy(held.s + held.n, b->s, b->n);
        held.n += b->n;
        return;
    }
    write_out(sh, b->s, b->n);
}

/* release_held writes what this thread held back and stops holding. */
void release_held(struct shim *sh)
{
    if (held.n > 0)
        write_out(sh, held.s, held.n);
    held.n = 0;
    holding = 0;
}

void reply_error(struct shim *sh, long long id, const char *msg)
{
    struct sbuf b = { 0 };

    sb_printf(&b, "{\"id\":%lld,\"error\":", id);
    sb_string(&b, msg);
    sb_printf(&b, "}");
    write_line(sh, &b);
    free(b.s);
}

/* serve runs one call request on the current thread and writes its reply. */
void serve(struct shim *sh, const struct request *rq)
{
    struct events evs = { 0 };
    struct sbuf b = { 0 };
    char err[256] = "";
    long long ret = shim_perform(sh, rq, &evs, err, sizeof(err));

    if (err[0] != '\0') {
        reply_error(sh, rq->id, err);
    } else {
        static const char *const ev_names[] = { "", "new_session_cb", "remove_cb", "destroyed" };

        sb_printf(&b, "{\"id\":%lld,\"ret\":%lld,\"events\":[", rq->id, ret);
        for (size_t i = 0; i < evs.n; i++)
            sb_printf(&b, "%s{\"ev\":\"%s\",\"ctx\":%d,\"sess\":%d}", i ? "," : "", ev_names[evs.v[i].kind],
                      evs.v[i].ctx, evs.v[i].sess);
        sb_printf(&b, "]}");
        write_line(sh, &b);
    }
    free(b.s);
    free(evs.v);
}

/* ------------------------------------------------------------------------
 * Control operations: observe, reset.
 * ------------------------------------------------------------------------ */

void observe(struct shim *sh, long long id)
{
    struct sbuf b = { 0 };
    int first = 1;

    sb_printf(&b, "{\"id\":%lld,\"observation\":{\"ctxs\":[", id);
    for (size_t i = 0; i < sh->nctx; i++) {
        SSL_CTX *x;

        if (sh->ctxs[i] == NULL || !sh->ctxs[i]->app_held)
            continue;
        x = sh->ctxs[i]->ctx;
        sb_printf(&b, "%s{\"ctx\":%zu,\"number\":%ld,\"hits\":%ld,\"misses\":%ld,\"timeouts\":%ld,"
                  "\"cache_full\":%ld}", first ? "" : ",", i + 1, SSL_CTX_sess_number(x), SSL_CTX_sess_hits(x),
                  SSL_CTX_sess_misses(x), SSL_CTX_sess_timeouts(x), SSL_CTX_sess_cache_full(x));
        first = 0;
    }
    sb_printf(&b, "],\"ssls\":[");
    first = 1;
    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL || !c->alive)
            continue;
        sb_printf(&b, "%s{\"ssl\":%zu,\"sess\":%d,\"reused\":%s}", first ? "" : ",", i + 1,
                  handle_of(sh, SSL_get0_session(c->ssl)), SSL_session_reused(c->ssl) ? "true" : "false");
        first = 0;
    }
    sb_printf(&b, "],\"sessions\":[");
    first = 1;
    for (size_t i = 0; i < sh->nsess; i++) {
        SSL_SESSION *s = sh->sess[i].ptr;
        unsigned int idlen = 0;

        if (s == NULL)
            continue;
        SSL_SESSION_get_id(s, &idlen);
        sb_printf(&b, "%s{\"sess\":%zu,\"resumable\":%s,\"id_len\":%u,\"time\":%ld,\"timeout\":%ld}",
                  first ? "" : ",", i + 1, SSL_SESSION_is_resumable(s) ? "true" : "false", idlen,
                  SSL_SESSION_get_time(s), SSL_SESSION_get_timeout(s));
        first = 0;
    }
    sb_printf(&b, "]}}");
    write_line(sh, &b);
    free(b.s);
}

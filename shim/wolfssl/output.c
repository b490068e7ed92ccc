/*
 * output.c - what the wolfSSL shim writes: events, replies, observations.
 */
#include "library.h"

/* ------------------------------------------------------------------------
 * Small helpers.
 * ------------------------------------------------------------------------ */

void write_line(struct sbuf *b)
{
    if (fwrite(b->s, 1, b->n, stdout) != b->n || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        fprintf(stderr, "shim: cannot write to stdout; the harness is gone\n");
        exit(1);
    }
}

void reply_error(long long id, const char *msg)
{
    struct sbuf b = { 0 };

    sb_printf(&b, "{\"id\":%lld,\"error\":", id);
    sb_string(&b, msg);
    sb_printf(&b, "}");
    write_line(&b);
    free(b.s);
}

void emit(struct shim *sh, enum ev_kind kind, int ctx, int sess)
{
    struct events *e = sh->events;

    if (e == NULL)
        return;
    e->v = must_grow(e->v, &e->cap, e->n + 1, sizeof(*e->v));
    e->v[e->n++] = (struct event){ kind, ctx, sess };
}

/* serve runs one call request and writes its reply. */
void serve(struct shim *sh, enum op op, const struct request *rq)
{
    struct events evs = { 0 };
    struct sbuf b = { 0 };
    char err[256] = "";
    long long ret;

    virtual_now = rq->now;
    sh->events = &evs;
    ret = run_call(sh, op, rq, err, sizeof(err));
    sh->events = NULL;
    if (sh->verbose)
        log_queue(rq->op);
    wolfSSL_ERR_clear_error();
    if (err[0] != '\0') {
        reply_error(rq->id, err);
    } else {
        static const char *const ev_names[] = { "", "new_session_cb", "remove_cb", "destroyed" };

        sb_printf(&b, "{\"id\":%lld,\"ret\":%lld,\"events\":[", rq->id, ret);
        for (size_t i = 0; i < evs.n; i++)
            sb_printf(&b, "%s{\"ev\":\"%s\",\"ctx\":%d,\"sess\":%d}", i ? "," : "", ev_names[evs.v[i].kind],
                      evs.v[i].ctx, evs.v[i].sess);
        sb_printf(&b, "]}");
        write_line(&b);
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
        WOLFSSL_CTX *x;

        if (sh->ctxs[i] == NULL || !sh->ctxs[i]->app_held)
            continue;
        x = sh->ctxs[i]->ctx;
        sb_printf(&b, "%s{\"ctx\":%zu,\"number\":%ld,\"hits\":%ld,\"misses\":%ld,\"timeouts\":%ld,"
                  "\"cache_full\":%ld}", first ? "" : ",", i + 1, wolfSSL_CTX_sess_number(x),
                  wolfSSL_CTX_sess_hits(x), wolfSSL_CTX_sess_misses(x), wolfSSL_CTX_sess_timeouts(x),
                  wolfSSL_CTX_sess_cache_full(x));
        first = 0;
    }
    sb_printf(&b, "],\"ssls\":[");
    first = 1;
    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL || !c->alive)
            continue;
        sb_printf(&b, "%s{\"ssl\":%zu,\"sess\":%d,\"reused\":%s}", first ? "" : ",", i + 1,
                  handle_of(sh, wolfSSL_SSL_get0_session(c->ssl)), wolfSSL_session_reused(c->ssl) ? "true" : "false");
        first = 0;
    }
    sb_printf(&b, "],\"sessions\":[");
    first = 1;
    for (size_t i = 0; i < sh->nsess; i++) {
        WOLFSSL_SESSION *s = sh->sess[i].ptr;
        unsigned int idlen = 0;

        if (s == NULL)
            continue;
        wolfSSL_SESSION_get_id(s, &idlen);
        sb_printf(&b, "%s{\"sess\":%zu,\"resumable\":%s,\"id_len\":%u,\"time\":%ld,\"timeout\":%ld}",
                  first ? "" : ",", i + 1, wolfSSL_SESSION_is_resumable(s) ? "true" : "false", idlen,
                  wolfSSL_SESSION_get_time(s), wolfSSL_SESSION_get_timeout(s));
        first = 0;
    }
    sb_printf(&b, "]}}");
    write_line(&b);
    free(b.s);
}

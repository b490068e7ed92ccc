/*
 * reply.c - what a shim writes on stdout: the hello line, replies to calls,
 * errors, observations. Nothing else writes to stdout.
 */
#include "shim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int shim_protocol_ok(void)
{
    const char *want = getenv("SESSLIFE_SHIM_PROTOCOL");

    if (want != NULL && *want != '\0' && strcmp(want, PROTOCOL) != 0) {
        fprintf(stderr, "shim: protocol %s requested; this shim speaks only %s\n", want, PROTOCOL);
        return 0;
    }
    return 1;
}

/*
 * Replies this thread holds back (holding set): the reader that runs a call
 * and the control operation after it writes both replies with one write,
 * so the harness wakes once for the pair (lanes.c). It never blocks while
 * holding.
 */
static _Thread_local struct sbuf held;
static _Thread_local int holding;

/* write_out writes with write(2) itself: stdout is the protocol stream and
 * nothing else writes to it, so stdio's buffer would only add a copy. */
static void write_out(struct shim *sh, const char *s, size_t len)
{
    size_t off = 0;
    int bad = 0;

#if SHIM_THREADS
    pthread_mutex_lock(&sh->out_mu);
#else
    (void)sh;
#endif
    while (off < len && !bad) {
        ssize_t n = write(STDOUT_FILENO, s + off, len - off);

        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && errno != EINTR)
            bad = 1;
    }
#if SHIM_THREADS
    pthread_mutex_unlock(&sh->out_mu);
#endif
    if (bad) {
        fprintf(stderr, "shim: cannot write to stdout; the harness is gone\n");
        exit(1);
    }
}

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

void hold_replies(void)
{
    holding = 1;
}

void release_held(struct shim *sh)
{
    if (held.n > 0)
        write_out(sh, held.s, held.n);
    held.n = 0;
    holding = 0;
}

void forget_held(void)
{
    free(held.s);
    held = (struct sbuf){ 0 };
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

void observe(struct shim *sh, long long id)
{
    struct sbuf b = { 0 };
    int first = 1;

    sb_printf(&b, "{\"id\":%lld,\"observation\":{\"ctxs\":[", id);
    for (size_t i = 0; i < sh->nctx; i++) {
        lib_ctx *x;

        if (sh->ctxs[i] == NULL || !sh->ctxs[i]->app_held)
            continue;
        x = sh->ctxs[i]->ctx;
        sb_printf(&b, "%s{\"ctx\":%zu,\"number\":%ld,\"hits\":%ld,\"misses\":%ld,\"timeouts\":%ld,"
                  "\"cache_full\":%ld,\"connect\":%ld,\"connect_good\":%ld,\"accept\":%ld,"
                  "\"accept_good\":%ld,\"cb_hits\":%ld}", first ? "" : ",", i + 1, lib_ctx_number(x),
                  lib_ctx_hits(x), lib_ctx_misses(x), lib_ctx_timeouts(x), lib_ctx_cache_full(x),
                  lib_ctx_connect(x), lib_ctx_connect_good(x), lib_ctx_accept(x), lib_ctx_accept_good(x),
                  lib_ctx_cb_hits(x));
        first = 0;
    }
    sb_printf(&b, "],\"ssls\":[");
    first = 1;
    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL || !c->alive)
            continue;
        sb_printf(&b, "%s{\"ssl\":%zu,\"sess\":%d,\"reused\":%s}", first ? "" : ",", i + 1,
                  sess_handle_of(sh, lib_get0_session(c->ssl)), lib_session_reused(c->ssl) ? "true" : "false");
        first = 0;
    }
    sb_printf(&b, "],\"sessions\":[");
    first = 1;
    for (size_t i = 0; i < sh->nsess; i++) {
        lib_sess *s = sh->sess[i].ptr;
        const unsigned char *ctx;
        unsigned int ctxlen;

        if (s == NULL)
            continue;
        sb_printf(&b, "%s{\"sess\":%zu,\"resumable\":%s,\"id_len\":%u,\"time\":%ld,\"timeout\":%ld",
                  first ? "" : ",", i + 1, lib_sess_is_resumable(s) ? "true" : "false", lib_sess_id_len(s),
                  lib_sess_time(s), lib_sess_timeout(s));
        if (lib_sess_sid_ctx(s, &ctx, &ctxlen))
            sb_printf(&b, ",\"sid_ctx\":%d", sid_ctx_number(ctx, ctxlen));
        sb_printf(&b, "}");
        first = 0;
    }
    sb_printf(&b, "]}}");
    write_line(sh, &b);
    free(b.s);
}

void hello(struct shim *sh)
{
    struct sbuf b = { 0 };
    const char *variant = SHIM_BUG == 1 ? "bug1" : SHIM_BUG == 2 ? "bug2" : SHIM_BUG == 3 ? "bug3" : "";
    int first = 1;

#ifdef __SANITIZE_ADDRESS__
    if (SHIM_BUG == 0)
        variant = "asan";
#endif
    sb_printf(&b, "{\"hello\":\"%s\",\"library\":\"%s\",\"version\":", PROTOCOL, LIB_NAME);
    sb_string(&b, lib_version());
    sb_printf(&b, ",\"profile\":\"%s\",\"variant\":\"%s\",\"concurrent\":%s,\"calls\":[", LIB_PROFILE, variant,
              SHIM_THREADS ? "true" : "false");
    for (int i = OP_UNKNOWN + 1; i < OP_OBSERVE; i++) {
        if (!lib_implemented((enum op)i))
            continue;
        sb_printf(&b, "%s\"%s\"", first ? "" : ",", op_names[i]);
        first = 0;
    }
    sb_printf(&b, "]}");
    write_line(sh, &b);
    free(b.s);
}

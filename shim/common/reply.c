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
 * holding. Replies are formatted straight into held then; otherwise into
 * out, which every reply of this thread reuses (no allocation per reply).
 */
static _Thread_local struct sbuf held, out;
static _Thread_local int holding;

/* The events of the call this thread serves: the buffer stays with the
 * thread, since a call raises few events and most calls none. */
static _Thread_local struct events evs;

struct sbuf *reply_buf(void)
{
    if (holding)
        return &held;
    out.n = 0;
    return &out;
}

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
    SB_LIT(b, "\n");
    if (b == &held)
        return;
    if (holding) {
        sb_add(&held, b->s, b->n);
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
    free(out.s);
    out = (struct sbuf){ 0 };
    free(evs.v);
    evs = (struct events){ 0 };
}

void reply_error(struct shim *sh, long long id, const char *msg)
{
    struct sbuf *b = reply_buf();

    SB_LIT(b, "{\"id\":");
    sb_int(b, id);
    SB_LIT(b, ",\"error\":");
    sb_string(b, msg);
    SB_LIT(b, "}");
    write_line(sh, b);
}

void serve(struct shim *sh, const struct request *rq)
{
    char err[256] = "";
    long long ret;

    evs.n = 0;
    ret = shim_perform(sh, rq, &evs, err, sizeof(err));
    if (err[0] != '\0') {
        reply_error(sh, rq->id, err);
    } else {
        static const struct {
            const char *s;
            size_t n;
        } ev_names[] = { { "", 0 }, { "new_session_cb", 14 }, { "remove_cb", 9 }, { "destroyed", 9 } };
        struct sbuf *b = reply_buf();

        SB_LIT(b, "{\"id\":");
        sb_int(b, rq->id);
        SB_LIT(b, ",\"ret\":");
        sb_int(b, ret);
        SB_LIT(b, ",\"events\":[");
        for (size_t i = 0; i < evs.n; i++) {
            if (i > 0)
                SB_LIT(b, ",");
            SB_LIT(b, "{\"ev\":\"");
            sb_add(b, ev_names[evs.v[i].kind].s, ev_names[evs.v[i].kind].n);
            SB_LIT(b, "\",\"ctx\":");
            sb_int(b, evs.v[i].ctx);
            SB_LIT(b, ",\"sess\":");
            sb_int(b, evs.v[i].sess);
            SB_LIT(b, "}");
        }
        SB_LIT(b, "]}");
        write_line(sh, b);
    }
    if (evs.cap > 64) { /* a rare call that raised many: do not keep its buffer */
        free(evs.v);
        evs = (struct events){ 0 };
    }
}

/* FIELD appends "name":v, the first member of an object; NEXT_FIELD
 * appends ,"name":v, any other. */
#define FIELD(b, lit, v)                                                                                             \
    do {                                                                                                             \
        SB_LIT(b, "\"" lit "\":");                                                                                   \
        sb_int(b, v);                                                                                                \
    } while (0)
#define NEXT_FIELD(b, lit, v)                                                                                        \
    do {                                                                                                             \
        SB_LIT(b, ",\"" lit "\":");                                                                                  \
        sb_int(b, v);                                                                                                \
    } while (0)

void observe(struct shim *sh, long long id)
{
    struct sbuf *b = reply_buf();
    int first = 1;

    SB_LIT(b, "{\"id\":");
    sb_int(b, id);
    SB_LIT(b, ",\"observation\":{\"ctxs\":[");
    for (size_t i = 0; i < sh->nctx; i++) {
        lib_ctx *x;

        if (sh->ctxs[i] == NULL || !sh->ctxs[i]->app_held)
            continue;
        x = sh->ctxs[i]->ctx;
        if (!first)
            SB_LIT(b, ",");
        SB_LIT(b, "{");
        FIELD(b, "ctx", (long long)(i + 1));
        NEXT_FIELD(b, "number", lib_ctx_number(x));
        NEXT_FIELD(b, "hits", lib_ctx_hits(x));
        NEXT_FIELD(b, "misses", lib_ctx_misses(x));
        NEXT_FIELD(b, "timeouts", lib_ctx_timeouts(x));
        NEXT_FIELD(b, "cache_full", lib_ctx_cache_full(x));
        NEXT_FIELD(b, "connect", lib_ctx_connect(x));
        NEXT_FIELD(b, "connect_good", lib_ctx_connect_good(x));
        NEXT_FIELD(b, "accept", lib_ctx_accept(x));
        NEXT_FIELD(b, "accept_good", lib_ctx_accept_good(x));
        NEXT_FIELD(b, "cb_hits", lib_ctx_cb_hits(x));
        SB_LIT(b, "}");
        first = 0;
    }
    SB_LIT(b, "],\"ssls\":[");
    first = 1;
    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL || !c->alive)
            continue;
        if (!first)
            SB_LIT(b, ",");
        SB_LIT(b, "{");
        FIELD(b, "ssl", (long long)(i + 1));
        NEXT_FIELD(b, "sess", sess_handle_of(sh, lib_get0_session(c->ssl)));
        SB_LIT(b, ",\"reused\":");
        sb_bool(b, lib_session_reused(c->ssl));
        SB_LIT(b, "}");
        first = 0;
    }
    SB_LIT(b, "],\"sessions\":[");
    first = 1;
    for (size_t i = 0; i < sh->nsess; i++) {
        lib_sess *s = sh->sess[i].ptr;
        const unsigned char *ctx;
        unsigned int ctxlen;

        if (s == NULL)
            continue;
        if (!first)
            SB_LIT(b, ",");
        SB_LIT(b, "{");
        FIELD(b, "sess", (long long)(i + 1));
        SB_LIT(b, ",\"resumable\":");
        sb_bool(b, lib_sess_is_resumable(s));
        NEXT_FIELD(b, "id_len", lib_sess_id_len(s));
        NEXT_FIELD(b, "time", lib_sess_time(s));
        NEXT_FIELD(b, "timeout", lib_sess_timeout(s));
        if (lib_sess_sid_ctx(s, &ctx, &ctxlen)) {
            NEXT_FIELD(b, "sid_ctx", sid_ctx_number(ctx, ctxlen));
        }
        SB_LIT(b, "}");
        first = 0;
    }
    SB_LIT(b, "]}}");
    write_line(sh, b);
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

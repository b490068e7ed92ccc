/*
 * callbacks.c - the three session cache callbacks. Setting one installs a
 * trampoline of the recorder's in libssl and keeps the application's
 * function in the SSL_CTX's ex_data; the trampoline runs the application's
 * callback and records its arguments, its result and, for get_session_cb,
 * the *copy it chose. Calls the application makes inside its callback
 * return into the application, so they are recorded as its own.
 *
 * new_session_cb and get_session_cb receive an SSL; libssl calls the ones
 * of the SSL's session_ctx, the SSL_CTX it was made from (SSL_new keeps it
 * in the SSL's ex_data, since SSL_set_SSL_CTX changes only the other one).
 *
 * A get_session_cb that hands a session over (*copy = 0) without owning a
 * reference to it would make libssl free a reference nobody took; the
 * recorder then sets *copy to 1, so that libssl takes its own, and records
 * "repaired" (unless SESSLIFE_TRACE_FORWARD=1). A destroyed session
 * returned by the callback is replaced by NULL (a cache miss).
 */
#include "recorder.h"

static int tramp_new(SSL *ssl, SSL_SESSION *sess)
{
    struct ctxinfo *ci = ctx_info(ssl_session_ctx(ssl));
    if (ci == NULL || ci->new_cb == NULL)
        return 0;
    if (!tr_on())
        return ci->new_cb(ssl, sess);
    struct rec r;
    uint64_t seq = tr_seq();
    unsigned fn = tr_site((const void *)ci->new_cb, 1);
    int ret = ci->new_cb(ssl, sess);
    if (ret == 1)
        sess_app_take(sess);
    rec_begin(&r, "cb", seq);
    rec_s(&r, "cb", "new");
    rec_u(&r, "fnsite", fn);
    rec_p(&r, "ssl", ssl);
    rec_p(&r, "ctx", ssl_session_ctx(ssl));
    rec_p(&r, "sess", sess);
    rec_i(&r, "server", SSL_is_server(ssl));
    rec_i(&r, "ret", ret);
    rec_u(&r, "end", tr_seq());
    rec_end(&r);
    return ret;
}

static void tramp_remove(SSL_CTX *ctx, SSL_SESSION *sess)
{
    struct ctxinfo *ci = ctx_info(ctx);
    if (tr_on())
        sess_clear_owner(sess, ctx);
    if (ci == NULL || ci->remove_cb == NULL)
        return;
    if (!tr_on()) {
        ci->remove_cb(ctx, sess);
        return;
    }
    struct rec r;
    uint64_t seq = tr_seq();
    unsigned fn = tr_site((const void *)ci->remove_cb, 1);
    ci->remove_cb(ctx, sess);
    rec_begin(&r, "cb", seq);
    rec_s(&r, "cb", "remove");
    rec_u(&r, "fnsite", fn);
    rec_p(&r, "ctx", ctx);
    rec_p(&r, "sess", sess);
    rec_u(&r, "end", tr_seq());
    rec_end(&r);
}

static SSL_SESSION *tramp_get(SSL *ssl, const unsigned char *id, int len, int *copy)
{
    struct ctxinfo *ci = ctx_info(ssl_session_ctx(ssl));
    if (ci == NULL || ci->get_cb == NULL)
        return NULL;
    if (!tr_on())
        return ci->get_cb(ssl, id, len, copy);
    struct rec r;
    uint64_t seq = tr_seq();
    unsigned fn = tr_site((const void *)ci->get_cb, 1);
    SSL_SESSION *ret = ci->get_cb(ssl, id, len, copy);
    rec_begin(&r, "cb", seq);
    rec_s(&r, "cb", "get");
    rec_u(&r, "fnsite", fn);
    rec_p(&r, "ssl", ssl);
    rec_p(&r, "ctx", ssl_session_ctx(ssl));
    rec_i(&r, "len", len);
    rec_p(&r, "ret", ret);
    rec_i(&r, "copy", *copy);
    if (ret != NULL) {
        if (sess_state(ret) == SESS_DEAD) {
            rec_s(&r, "ub", "dangling");
            if (!tr_forward_all()) {
                rec_i(&r, "skipped", 1);
                ret = NULL;
            }
        } else if (*copy == 0) {
            if (sess_app_refs(ret) == 0) {
                rec_s(&r, "ub", "over-release");
                if (!tr_forward_all()) {
                    rec_i(&r, "repaired", 1);
                    *copy = 1;
                }
            } else {
                sess_app_give(ret);
            }
        }
    }
    rec_u(&r, "end", tr_seq());
    rec_end(&r);
    return ret;
}

EXPORT void SSL_CTX_sess_set_new_cb(SSL_CTX *ctx, int (*cb)(SSL *, SSL_SESSION *))
{
    REAL(SSL_CTX_sess_set_new_cb);
    struct ctxinfo *ci = ctx_info(ctx);
    if (ci == NULL) {
        real_(ctx, cb);
        return;
    }
    ci->new_cb = cb;
    real_(ctx, cb != NULL ? tramp_new : NULL);
}

EXPORT void SSL_CTX_sess_set_remove_cb(SSL_CTX *ctx, void (*cb)(SSL_CTX *, SSL_SESSION *))
{
    REAL(SSL_CTX_sess_set_remove_cb);
    struct ctxinfo *ci = ctx_info(ctx);
    if (ci == NULL) {
        real_(ctx, cb);
        return;
    }
    ci->remove_cb = cb;
    real_(ctx, cb != NULL ? tramp_remove : NULL);
}

EXPORT void SSL_CTX_sess_set_get_cb(SSL_CTX *ctx, SSL_SESSION *(*cb)(SSL *, const unsigned char *, int, int *))
{
    REAL(SSL_CTX_sess_set_get_cb);
    struct ctxinfo *ci = ctx_info(ctx);
    if (ci == NULL) {
        real_(ctx, cb);
        return;
    }
    ci->get_cb = cb;
    real_(ctx, cb != NULL ? tramp_get : NULL);
}

/* The getters give back what the application set, not the trampolines. */

EXPORT int (*SSL_CTX_sess_get_new_cb(SSL_CTX *ctx))(SSL *, SSL_SESSION *)
{
    REAL(SSL_CTX_sess_get_new_cb);
    struct ctxinfo *ci = ctx_info(ctx);
    return ci != NULL ? ci->new_cb : real_(ctx);
}

EXPORT void (*SSL_CTX_sess_get_remove_cb(SSL_CTX *ctx))(SSL_CTX *, SSL_SESSION *)
{
    REAL(SSL_CTX_sess_get_remove_cb);
    struct ctxinfo *ci = ctx_info(ctx);
    return ci != NULL ? ci->remove_cb : real_(ctx);
}

EXPORT SSL_SESSION *(*SSL_CTX_sess_get_get_cb(SSL_CTX *ctx))(SSL *, const unsigned char *, int, int *)
{
    REAL(SSL_CTX_sess_get_get_cb);
    struct ctxinfo *ci = ctx_info(ctx);
    return ci != NULL ? ci->get_cb : real_(ctx);
}

/*
 * conns.c - the interposed calls that take an SSL: SSL_new and SSL_free,
 * SSL_clear, SSL_shutdown, getting and setting the session, and the calls
 * that drive the connection (the handshake entry points, reads and writes,
 * which can complete a handshake or read TLS 1.3 tickets).
 *
 * I/O calls are not recorded one by one (a download makes thousands):
 * after each, after_io records a "hs" line when the SSL's handshake has
 * just completed (or failed), and a "newsess" line when the SSL's session
 * changed underneath (a ticket read after the handshake).
 */
#include "recorder.h"

static SSL_SESSION *current_session(const SSL *ssl)
{
    REAL(SSL_get_session);
    return real_(ssl);
}

static int resumable(const SSL_SESSION *s)
{
    REAL(SSL_SESSION_is_resumable);
    return s != NULL && sess_state(s) == SESS_LIVE ? real_(s) : 0;
}

static void record_hs(const char *fn, SSL *ssl, struct sslinfo *si, const SSL_SESSION *cur, int ok, int ret,
                      const void *ra)
{
    struct rec r;
    SSL_CTX *sctx = ssl_session_ctx(ssl);
    rec_begin(&r, "hs", tr_seq());
    rec_s(&r, "via", fn);
    rec_u(&r, "site", tr_site(ra, 0));
    rec_p(&r, "ssl", ssl);
    rec_p(&r, "ctx", SSL_get_SSL_CTX(ssl));
    rec_p(&r, "sctx", sctx);
    rec_i(&r, "ok", ok);
    rec_i(&r, "server", SSL_is_server(ssl));
    rec_p(&r, "offered", si->offered);
    if (ok) {
        rec_i(&r, "ver", SSL_version(ssl));
        rec_i(&r, "reused", SSL_session_reused(ssl));
        rec_p(&r, "sess", cur);
        rec_i(&r, "resumable", resumable(cur));
        rec_i(&r, "mode", sctx ? SSL_CTX_ctrl(sctx, SSL_CTRL_GET_SESS_CACHE_MODE, 0, NULL) : 0);
    } else {
        rec_i(&r, "ret", ret);
        rec_i(&r, "err", SSL_get_error(ssl, ret));
    }
    rec_end(&r);
}

/* after_io runs after an I/O call of the application on ssl. */
static void io_done(const char *fn, SSL *ssl, int ret, const void *ra)
{
    struct sslinfo *si = ssl_info(ssl);
    if (si == NULL)
        return;
    const SSL_SESSION *cur = current_session(ssl);
    if (!si->hs_done && SSL_is_init_finished(ssl)) {
        si->hs_done = 1;
        si->last = cur;
        record_hs(fn, ssl, si, cur, 1, ret, ra);
    } else if (!si->hs_done && ret <= 0 && SSL_want(ssl) == SSL_NOTHING &&
               SSL_get_error(ssl, ret) != SSL_ERROR_WANT_READ && SSL_get_error(ssl, ret) != SSL_ERROR_WANT_WRITE) {
        si->hs_done = -1; /* failed: recorded once */
        record_hs(fn, ssl, si, cur, 0, ret, ra);
    }
    if (cur != si->last && si->hs_done != 1) {
        si->last = cur; /* part of the handshake, which "hs" records */
    } else if (cur != si->last) {
        struct rec r;
        rec_begin(&r, "newsess", tr_seq());
        rec_s(&r, "via", fn);
        rec_u(&r, "site", tr_site(ra, 0));
        rec_p(&r, "ssl", ssl);
        rec_p(&r, "old", si->last);
        rec_p(&r, "sess", cur);
        rec_end(&r);
        si->last = cur;
    }
}

void after_io(const char *fn, SSL *ssl, const void *ra) { io_done(fn, ssl, 1, ra); }

/* IO defines an interposed I/O call on an SSL. */
#define IO(name, params, args)                 \
    EXPORT int name params                     \
    {                                          \
        REAL(name);                            \
        void *ra = CALLER();                   \
        int ret = real_ args;                  \
        if (tr_app(ra))                        \
            io_done(#name, ssl, ret, ra);      \
        return ret;                            \
    }

IO(SSL_do_handshake, (SSL *ssl), (ssl))
IO(SSL_connect, (SSL *ssl), (ssl))
IO(SSL_accept, (SSL *ssl), (ssl))
IO(SSL_read, (SSL *ssl, void *buf, int num), (ssl, buf, num))
IO(SSL_peek, (SSL *ssl, void *buf, int num), (ssl, buf, num))
IO(SSL_write, (SSL *ssl, const void *buf, int num), (ssl, buf, num))
IO(SSL_read_ex, (SSL *ssl, void *buf, size_t num, size_t *n), (ssl, buf, num, n))
IO(SSL_peek_ex, (SSL *ssl, void *buf, size_t num, size_t *n), (ssl, buf, num, n))
IO(SSL_write_ex, (SSL *ssl, const void *buf, size_t num, size_t *n), (ssl, buf, num, n))

EXPORT SSL *SSL_new(SSL_CTX *ctx)
{
    REAL(SSL_new);
    void *ra = CALLER();
    SSL *ssl = real_(ctx);
    struct sslinfo *si = ssl_info(ssl);
    if (si != NULL)
        si->session_ctx = ctx;
    if (!tr_app(ra))
        return ssl;
    struct call c;
    call_begin(&c, "SSL_new", ra);
    rec_p(&c.r, "ctx", ctx);
    rec_p(&c.r, "ret", ssl);
    call_end(&c);
    return ssl;
}

EXPORT void SSL_free(SSL *ssl)
{
    REAL(SSL_free);
    void *ra = CALLER();
    if (!tr_app(ra) || ssl == NULL) {
        real_(ssl);
        return;
    }
    struct call c;
    call_begin(&c, "SSL_free", ra);
    rec_p(&c.r, "ssl", ssl);
    rec_p(&c.r, "sess", current_session(ssl));
    real_(ssl);
    call_end(&c);
}

EXPORT int SSL_clear(SSL *ssl)
{
    REAL(SSL_clear);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(ssl);
    struct call c;
    call_begin(&c, "SSL_clear", ra);
    rec_p(&c.r, "ssl", ssl);
    int ret = real_(ssl);
    struct sslinfo *si = ssl_info(ssl);
    if (si != NULL) {
        si->hs_done = 0;
        si->offered = si->last = current_session(ssl);
    }
    rec_i(&c.r, "ret", ret);
    rec_p(&c.r, "sess", current_session(ssl));
    call_end(&c);
    return ret;
}

EXPORT int SSL_shutdown(SSL *ssl)
{
    REAL(SSL_shutdown);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(ssl);
    struct call c;
    call_begin(&c, "SSL_shutdown", ra);
    rec_p(&c.r, "ssl", ssl);
    int ret = real_(ssl);
    rec_i(&c.r, "ret", ret);
    call_end(&c);
    io_done("SSL_shutdown", ssl, 1, ra);
    return ret;
}

EXPORT SSL_SESSION *SSL_get_session(const SSL *ssl)
{
    REAL(SSL_get_session);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(ssl);
    struct call c;
    call_begin(&c, "SSL_get0_session", ra);
    rec_p(&c.r, "ssl", ssl);
    SSL_SESSION *ret = real_(ssl);
    rec_p(&c.r, "ret", ret);
    call_end(&c);
    return ret;
}

EXPORT SSL_SESSION *SSL_get1_session(SSL *ssl)
{
    REAL(SSL_get1_session);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(ssl);
    struct call c;
    call_begin(&c, "SSL_get1_session", ra);
    rec_p(&c.r, "ssl", ssl);
    SSL_SESSION *ret = real_(ssl);
    if (ret != NULL)
        sess_app_take(ret);
    rec_p(&c.r, "ret", ret);
    call_end(&c);
    return ret;
}

EXPORT int SSL_set_session(SSL *ssl, SSL_SESSION *s)
{
    REAL(SSL_set_session);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(ssl, s);
    struct call c;
    call_begin(&c, "SSL_set_session", ra);
    rec_p(&c.r, "ssl", ssl);
    rec_p(&c.r, "ctx", SSL_get_SSL_CTX(ssl));
    if (use_session(&c, "sess", s, 1)) {
        call_end(&c);
        return 0;
    }
    if (s != NULL)
        rec_i(&c.r, "resumable", resumable(s));
    int ret = real_(ssl, s);
    struct sslinfo *si = ssl_info(ssl);
    if (si != NULL && ret == 1)
        si->offered = si->last = s;
    rec_i(&c.r, "ret", ret);
    call_end(&c);
    return ret;
}

EXPORT SSL_CTX *SSL_set_SSL_CTX(SSL *ssl, SSL_CTX *ctx)
{
    REAL(SSL_set_SSL_CTX);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(ssl, ctx);
    struct call c;
    call_begin(&c, "SSL_set_SSL_CTX", ra);
    rec_p(&c.r, "ssl", ssl);
    rec_p(&c.r, "ctx", ctx);
    SSL_CTX *ret = real_(ssl, ctx);
    rec_p(&c.r, "ret", ret);
    call_end(&c);
    return ret;
}

EXPORT int SSL_copy_session_id(SSL *to, const SSL *from)
{
    REAL(SSL_copy_session_id);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(to, from);
    struct call c;
    call_begin(&c, "SSL_copy_session_id", ra);
    rec_p(&c.r, "ssl", to);
    rec_p(&c.r, "from", from);
    int ret = real_(to, from);
    rec_i(&c.r, "ret", ret);
    rec_p(&c.r, "sess", current_session(to));
    call_end(&c);
    return ret;
}

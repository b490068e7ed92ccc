/*
 * sessions.c - the interposed calls that take an SSL_SESSION: reference
 * counting, the session cache, encoding and decoding, and the accessors.
 *
 * Each checks its session argument against the table before forwarding.
 * A session the recorder saw destroyed is not passed on (the call would
 * read freed memory): the call is recorded with "ub":"dangling" and
 * returns what the function returns on failure. The same goes for a NULL
 * where the function would dereference it, for SSL_SESSION_free of a
 * reference the application does not own ("over-release": forwarding it
 * would destroy a session libssl still uses), and for SSL_CTX_add_session
 * of a session another SSL_CTX's cache holds ("cross-context": it would
 * corrupt both caches' lists). SESSLIFE_TRACE_FORWARD=1 forwards them all.
 */
#include "recorder.h"

#include <openssl/pem.h>

int use_session(struct call *c, const char *key, const SSL_SESSION *s, int nullable)
{
    rec_p(&c->r, key, s);
    const char *ub = NULL;
    if (s == NULL && !nullable)
        ub = "null";
    else if (s != NULL && sess_state(s) == SESS_DEAD)
        ub = "dangling";
    if (ub == NULL)
        return 0;
    rec_s(&c->r, "ub", ub);
    if (tr_forward_all())
        return 0;
    rec_i(&c->r, "skipped", 1);
    return 1;
}

/* WRAP defines an interposed call that takes session sess, records it,
 * and records its result with after (code that sees ret). */
#define WRAP(ret_t, name, params, args, sess, nullable, fail, after)   \
    EXPORT ret_t name params                                          \
    {                                                                 \
        REAL(name);                                                   \
        void *ra = CALLER();                                          \
        if (!tr_app(ra))                                              \
            return real_ args;                                        \
        struct call c;                                                \
        call_begin(&c, #name, ra);                                    \
        if (use_session(&c, "sess", sess, nullable)) {                \
            call_end(&c);                                             \
            return fail;                                              \
        }                                                             \
        ret_t ret = real_ args;                                       \
        after;                                                        \
        call_end(&c);                                                 \
        return ret;                                                   \
    }

#define RET_I rec_i(&c.r, "ret", (int64_t)ret)
#define RET_P rec_p(&c.r, "ret", ret)

WRAP(int, SSL_SESSION_is_resumable, (const SSL_SESSION *s), (s), s, 0, 0, RET_I)
WRAP(long, SSL_SESSION_get_time, (const SSL_SESSION *s), (s), s, 0, 0, RET_I)
WRAP(long, SSL_SESSION_get_timeout, (const SSL_SESSION *s), (s), s, 0, 0, RET_I)
WRAP(long, SSL_SESSION_set_time, (SSL_SESSION *s, long t), (s, t), s, 0, 0, (rec_i(&c.r, "arg", t), RET_I))
WRAP(long, SSL_SESSION_set_timeout, (SSL_SESSION *s, long t), (s, t), s, 0, 0, (rec_i(&c.r, "arg", t), RET_I))
WRAP(const unsigned char *, SSL_SESSION_get_id, (const SSL_SESSION *s, unsigned int *len), (s, len), s, 0, NULL,
     rec_u(&c.r, "len", len ? *len : 0))
WRAP(int, SSL_SESSION_get_protocol_version, (const SSL_SESSION *s), (s), s, 0, 0, RET_I)
WRAP(int, SSL_SESSION_has_ticket, (const SSL_SESSION *s), (s), s, 0, 0, RET_I)
WRAP(unsigned long, SSL_SESSION_get_ticket_lifetime_hint, (const SSL_SESSION *s), (s), s, 0, 0, RET_I)
WRAP(int, i2d_SSL_SESSION, (const SSL_SESSION *s, unsigned char **pp), (s, pp), s, 0, 0, RET_I)
WRAP(int, PEM_write_bio_SSL_SESSION, (BIO *bp, const SSL_SESSION *s), (bp, s), s, 0, 0, RET_I)
WRAP(int, PEM_write_SSL_SESSION, (FILE *fp, const SSL_SESSION *s), (fp, s), s, 0, 0, RET_I)
WRAP(int, SSL_SESSION_print, (BIO *bp, const SSL_SESSION *s), (bp, s), s, 0, 0, RET_I)
WRAP(int, SSL_SESSION_set1_id_context, (SSL_SESSION *s, const unsigned char *ctx, unsigned int len), (s, ctx, len), s,
     0, 0, RET_I)
WRAP(int, SSL_SESSION_set1_id, (SSL_SESSION *s, const unsigned char *id, unsigned int len), (s, id, len), s, 0, 0,
     RET_I)
WRAP(const char *, SSL_SESSION_get0_hostname, (const SSL_SESSION *s), (s), s, 0, NULL, (void)ret)
WRAP(X509 *, SSL_SESSION_get0_peer, (SSL_SESSION *s), (s), s, 0, NULL, (void)ret)
WRAP(const SSL_CIPHER *, SSL_SESSION_get0_cipher, (const SSL_SESSION *s), (s), s, 0, NULL, (void)ret)
WRAP(uint32_t, SSL_SESSION_get_max_early_data, (const SSL_SESSION *s), (s), s, 0, 0, RET_I)
WRAP(SSL_SESSION *, SSL_SESSION_dup, (const SSL_SESSION *s), (s), s, 0, NULL,
     (RET_P, ret != NULL ? sess_app_take(ret) : (void)0))

EXPORT int SSL_SESSION_up_ref(SSL_SESSION *s)
{
    REAL(SSL_SESSION_up_ref);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(s);
    struct call c;
    call_begin(&c, "SSL_SESSION_up_ref", ra);
    if (use_session(&c, "sess", s, 0)) {
        call_end(&c);
        return 0;
    }
    int ret = real_(s);
    if (ret == 1)
        sess_app_take(s);
    RET_I;
    call_end(&c);
    return ret;
}

EXPORT void SSL_SESSION_free(SSL_SESSION *s)
{
    REAL(SSL_SESSION_free);
    void *ra = CALLER();
    if (!tr_app(ra)) {
        real_(s);
        return;
    }
    struct call c;
    call_begin(&c, "SSL_SESSION_free", ra);
    if (use_session(&c, "sess", s, 1)) {
        call_end(&c);
        return;
    }
    if (s != NULL) {
        int refs = sess_app_refs(s);
        rec_i(&c.r, "refs", refs);
        if (refs == 0) {
            rec_s(&c.r, "ub", "over-release");
            if (!tr_forward_all()) {
                rec_i(&c.r, "skipped", 1);
                call_end(&c);
                return;
            }
        }
        sess_app_give(s);
    }
    real_(s);
    call_end(&c);
}

EXPORT SSL_SESSION *SSL_SESSION_new(void)
{
    REAL(SSL_SESSION_new);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_();
    struct call c;
    call_begin(&c, "SSL_SESSION_new", ra);
    SSL_SESSION *ret = real_();
    if (ret != NULL)
        sess_app_take(ret);
    RET_P;
    call_end(&c);
    return ret;
}

/* decoded records a decoding call's new session: the application owns it,
 * unless the call filled in an object the application passed (*a). */
static SSL_SESSION *decoded(struct call *c, SSL_SESSION *ret, SSL_SESSION *given)
{
    if (ret != NULL && ret != given)
        sess_app_take(ret);
    rec_p(&c->r, "ret", ret);
    if (given != NULL)
        rec_p(&c->r, "into", given);
    call_end(c);
    return ret;
}

EXPORT SSL_SESSION *d2i_SSL_SESSION(SSL_SESSION **a, const unsigned char **pp, long length)
{
    REAL(d2i_SSL_SESSION);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(a, pp, length);
    struct call c;
    SSL_SESSION *given = a != NULL ? *a : NULL;
    call_begin(&c, "d2i_SSL_SESSION", ra);
    rec_i(&c.r, "arg", length);
    return decoded(&c, real_(a, pp, length), given);
}

/* d2i_SSL_SESSION_bio is a macro of ssl.h: ASN1_d2i_bio with
 * d2i_SSL_SESSION as the decoder. libcrypto then calls d2i_SSL_SESSION
 * itself, a call the recorder leaves to the library, so the application's
 * call is this one (Ruby's OpenSSL::SSL::Session.new(der) makes it): without
 * it the session would reach the application with no reference on record,
 * and its free would look like an over-release. Any other decoder is
 * forwarded unrecorded. */
EXPORT void *ASN1_d2i_bio(void *(*xnew)(void), d2i_of_void *d2i, BIO *in, void **x)
{
    REAL(ASN1_d2i_bio);
    void *ra = CALLER();
    if (!tr_app(ra) || (d2i != (d2i_of_void *)d2i_SSL_SESSION && d2i != (d2i_of_void *)tr_real("d2i_SSL_SESSION")))
        return real_(xnew, d2i, in, x);
    struct call c;
    SSL_SESSION *given = x != NULL ? *x : NULL;
    call_begin(&c, "d2i_SSL_SESSION_bio", ra);
    return decoded(&c, real_(xnew, d2i, in, x), given);
}

EXPORT SSL_SESSION *PEM_read_bio_SSL_SESSION(BIO *bp, SSL_SESSION **x, pem_password_cb *cb, void *u)
{
    REAL(PEM_read_bio_SSL_SESSION);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(bp, x, cb, u);
    struct call c;
    SSL_SESSION *given = x != NULL ? *x : NULL;
    call_begin(&c, "PEM_read_bio_SSL_SESSION", ra);
    return decoded(&c, real_(bp, x, cb, u), given);
}

EXPORT SSL_SESSION *PEM_read_SSL_SESSION(FILE *fp, SSL_SESSION **x, pem_password_cb *cb, void *u)
{
    REAL(PEM_read_SSL_SESSION);
    void *ra = CALLER();
    if (!tr_app(ra))
        return real_(fp, x, cb, u);
    struct call c;
    SSL_SESSION *given = x != NULL ? *x : NULL;
    call_begin(&c, "PEM_read_SSL_SESSION", ra);
    return decoded(&c, real_(fp, x, cb, u), given);
}

EXPORT int SSL_CTX_add_session(SSL_CTX *ctx, SSL_SESSION *s)
{
    REAL(SSL_CTX_add_session);
    void *ra = CALLER();
    if (!tr_app(ra)) {
        int ret = real_(ctx, s);
        if (ret == 1 && tr_on())
            sess_set_owner(s, ctx);
        return ret;
    }
    struct call c;
    call_begin(&c, "SSL_CTX_add_session", ra);
    rec_p(&c.r, "ctx", ctx);
    if (use_session(&c, "sess", s, 0)) {
        call_end(&c);
        return 0;
    }
    const SSL_CTX *other = sess_cached_elsewhere(s, ctx);
    if (other != NULL) {
        rec_p(&c.r, "other", other);
        rec_s(&c.r, "ub", "cross-context");
        if (!tr_forward_all()) {
            rec_i(&c.r, "skipped", 1);
            call_end(&c);
            return 0;
        }
    }
    int ret = real_(ctx, s);
    if (ret == 1)
        sess_set_owner(s, ctx);
    RET_I;
    call_end(&c);
    return ret;
}

EXPORT int SSL_CTX_remove_session(SSL_CTX *ctx, SSL_SESSION *s)
{
    REAL(SSL_CTX_remove_session);
    void *ra = CALLER();
    if (!tr_app(ra)) {
        int ret = real_(ctx, s);
        if (ret == 1 && tr_on())
            sess_clear_owner(s, ctx);
        return ret;
    }
    struct call c;
    call_begin(&c, "SSL_CTX_remove_session", ra);
    rec_p(&c.r, "ctx", ctx);
    if (use_session(&c, "sess", s, 0)) {
        call_end(&c);
        return 0;
    }
    int ret = real_(ctx, s);
    if (ret == 1)
        sess_clear_owner(s, ctx);
    RET_I;
    call_end(&c);
    return ret;
}

EXPORT void SSL_CTX_flush_sessions(SSL_CTX *ctx, long t)
{
    REAL(SSL_CTX_flush_sessions);
    void *ra = CALLER();
    if (!tr_app(ra)) {
        real_(ctx, t);
        return;
    }
    struct call c;
    call_begin(&c, "SSL_CTX_flush_sessions", ra);
    rec_p(&c.r, "ctx", ctx);
    rec_i(&c.r, "arg", t);
    real_(ctx, t);
    call_end(&c);
}

EXPORT void SSL_CTX_free(SSL_CTX *ctx)
{
    REAL(SSL_CTX_free);
    void *ra = CALLER();
    if (!tr_app(ra)) {
        real_(ctx);
        return;
    }
    struct call c;
    call_begin(&c, "SSL_CTX_free", ra);
    rec_p(&c.r, "ctx", ctx);
    real_(ctx);
    call_end(&c);
}

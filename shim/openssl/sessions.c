/*
 * sessions.c - the OpenSSL shim's session tracking (ex_data) and callbacks.
 */
#include "library.h"

/* ------------------------------------------------------------------------
 * Session tracking through ex_data.
 * ------------------------------------------------------------------------ */

void on_session_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct shim *sh = argp;
    struct tracker *t = calloc(1, sizeof(*t));

    (void)parent, (void)ptr, (void)argl;
    if (t == NULL)
        return;
    atomic_fetch_add(&sh->live_trackers, 1);
    CRYPTO_set_ex_data(ad, idx, t);
}

/* on_session_dup runs for internal copies: the copy keeps the fresh tracker
 * on_session_new gave it rather than sharing the original's (which would be
 * freed twice). The copy is a different object, so it starts unnamed. */
int on_session_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx, long argl,
                          void *argp)
{
    struct shim *sh = argp;
    struct tracker *t = CRYPTO_get_ex_data(to, idx);

    (void)from, (void)argl;
    if (t == NULL) {
        t = calloc(1, sizeof(*t));
        if (t == NULL)
            return 0;
        atomic_fetch_add(&sh->live_trackers, 1);
    }
    *from_d = t;
    return 1;
}

/* on_session_free runs once per object, when its last reference goes. */
void on_session_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct shim *sh = argp;
    struct tracker *t = ptr;

    (void)parent, (void)ad, (void)idx, (void)argl;
    if (t == NULL)
        return;
    pthread_mutex_lock(&sh->mu);
    if (t->handle != 0 && t->epoch == sh->epoch) {
        sh->sess[t->handle - 1].ptr = NULL;
        emit(EV_DESTROYED, 0, t->handle);
    }
    pthread_mutex_unlock(&sh->mu);
    atomic_fetch_sub(&sh->live_trackers, 1);
    free(t);
}

/*
 * touch reads one byte of a session pointer OpenSSL handed back, so that in
 * the AddressSanitizer build a pointer to a freed session is reported here,
 * in instrumented code, rather than corrupting libssl silently.
 */
static void touch(const SSL_SESSION *s)
{
    volatile const unsigned char *p = (const void *)s;

    (void)*p;
}

/* handle_of returns s's handle without naming it: 0 for NULL, -1 unnamed. */
int handle_of(struct shim *sh, SSL_SESSION *s)
{
    struct tracker *t;
    int h = -1;

    if (s == NULL)
        return 0;
    touch(s);
    t = SSL_SESSION_get_ex_data(s, sh->sess_idx);
    pthread_mutex_lock(&sh->mu);
    if (t != NULL && t->handle != 0 && t->epoch == sh->epoch)
        h = t->handle;
    pthread_mutex_unlock(&sh->mu);
    return h;
}

/* name returns s's handle, giving it the next one if the application has
 * not seen it yet (the naming rule of model/doc.go). */
int name(struct shim *sh, SSL_SESSION *s)
{
    struct tracker *t;
    int h;

    if (s == NULL)
        return 0;
    touch(s);
    t = SSL_SESSION_get_ex_data(s, sh->sess_idx);
    if (t == NULL) {
        fprintf(stderr, "shim: a session without a tracker\n");
        abort();
    }
    pthread_mutex_lock(&sh->mu);
    if (t->handle == 0 || t->epoch != sh->epoch) {
        sh->sess = must_grow(sh->sess, &sh->capsess, sh->nsess + 1, sizeof(*sh->sess));
        sh->sess[sh->nsess] = (struct named){ s, 0 };
        t->handle = (int)++sh->nsess;
        t->epoch = sh->epoch;
    }
    h = t->handle;
    pthread_mutex_unlock(&sh->mu);
    return h;
}

void add_apprefs(struct shim *sh, int h, long n)
{
    pthread_mutex_lock(&sh->mu);
    if (h > 0 && (size_t)h <= sh->nsess && sh->sess[h - 1].apprefs + n >= 0)
        sh->sess[h - 1].apprefs += n;
    pthread_mutex_unlock(&sh->mu);
}

/* ------------------------------------------------------------------------
 * Callbacks.
 * ------------------------------------------------------------------------ */

int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    struct ctxent *ce = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    int keep = ce->new_cb == 2;

    if (current_events == NULL)
        return 0;
    int h = name(ce->sh, sess);
    emit(EV_NEW, ce->handle, h);
    if (keep)
        add_apprefs(ce->sh, h, 1);
#if SHIM_BUG == 3
    /* Planted bug 3: claim the reference (return 1) even when the
     * application does not keep it: the session leaks. */
    return 1;
#else
    return keep;
#endif
}

void on_remove_session(SSL_CTX *ctx, SSL_SESSION *sess)
{
    struct ctxent *ce = SSL_CTX_get_app_data(ctx);

    if (current_events == NULL)
        return;
    emit(EV_REMOVE, ce->handle, name(ce->sh, sess));
}

/*
 * sessions.c - the wolfSSL shim's session tracking (by address) and callbacks.
 */
#include "library.h"

/* ------------------------------------------------------------------------
 * Session tracking: names by address, destruction through the allocator.
 * ------------------------------------------------------------------------ */

/* handle_of returns s's handle without naming it: 0 for NULL, -1 unnamed. */
int handle_of(struct shim *sh, const WOLFSSL_SESSION *s)
{
    if (s == NULL)
        return 0;
    for (size_t i = 0; i < sh->nsess; i++)
        if (sh->sess[i].ptr == s)
            return (int)i + 1;
    return -1;
}

/* name returns s's handle, giving it the next one if the application has
 * not seen it yet (the naming rule of model/doc.go). */
int name(struct shim *sh, WOLFSSL_SESSION *s)
{
    int h = handle_of(sh, s);

    if (h >= 0)
        return h;
    sh->sess = must_grow(sh->sess, &sh->capsess, sh->nsess + 1, sizeof(*sh->sess));
    sh->sess[sh->nsess] = (struct named){ s, 0 };
    return (int)++sh->nsess;
}

/*
 * shim_free is wolfSSL's free (wolfSSL_SetAllocators). wolfSSL_FreeSession
 * releases a heap session with XFREE once its reference count reaches zero,
 * after the remove callback it may run; freeing a named session's address
 * is therefore exactly its destruction. Sessions inside wolfSSL's static
 * cache rows are never freed.
 */
void shim_free(void *p)
{
    struct shim *sh = &the_shim;
    int h;

    if (p != NULL && (h = handle_of(sh, p)) > 0) {
        sh->sess[h - 1].ptr = NULL;
        emit(sh, EV_DESTROYED, 0, h);
    }
    free(p);
}

void *shim_malloc(size_t n) { return malloc(n); }
void *shim_realloc(void *p, size_t n) { return realloc(p, n); }

void add_apprefs(struct shim *sh, int h, long n)
{
    if (h > 0 && (size_t)h <= sh->nsess && sh->sess[h - 1].apprefs + n >= 0)
        sh->sess[h - 1].apprefs += n;
}

/* ------------------------------------------------------------------------
 * Callbacks.
 * ------------------------------------------------------------------------ */

/* ctxent_of finds the handle of a WOLFSSL_CTX through its ex_data slot 0
 * (SSL_CTX_get_app_data): addresses are reused once a context is freed. */
static struct ctxent *ctxent_of(const WOLFSSL_CTX *ctx)
{
    return ctx != NULL ? wolfSSL_CTX_get_ex_data(ctx, 0) : NULL;
}

/* AddSession takes a reference before the call and drops it when the
 * callback returns 0, as OpenSSL does. */
int on_new_session(WOLFSSL *ssl, WOLFSSL_SESSION *sess)
{
    struct shim *sh = &the_shim;
    struct ctxent *ce = ctxent_of(wolfSSL_get_SSL_CTX(ssl));
    int h;

    if (ce == NULL || sh->events == NULL)
        return 0;
    h = name(sh, sess);
    emit(sh, EV_NEW, ce->handle, h);
    if (ce->new_cb == 2) {
        add_apprefs(sh, h, 1);
        return 1;
    }
    return 0;
}

/* ctx is NULL when wolfSSL overwrites a cache row whose entry came from an
 * SSL_CTX with a remove callback (AddSessionToCache): the event then names
 * no SSL_CTX (ctx 0). */
void on_remove_session(WOLFSSL_CTX *ctx, WOLFSSL_SESSION *sess)
{
    struct shim *sh = &the_shim;
    struct ctxent *ce = ctxent_of(ctx);

    if (sh->events == NULL)
        return;
    emit(sh, EV_REMOVE, ce != NULL ? ce->handle : 0, name(sh, sess));
}

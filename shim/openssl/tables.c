/*
 * tables.c - the OpenSSL shim's handle tables and reset.
 */
#include "library.h"

/* ------------------------------------------------------------------------
 * Handle lookups. They take sh->mu only to read the tables, never while
 * OpenSSL runs, so callbacks can always take it.
 * ------------------------------------------------------------------------ */

struct ctxent *get_ctx(struct shim *sh, long long h, char *err, size_t errlen)
{
    struct ctxent *ce = NULL;

    pthread_mutex_lock(&sh->mu);
    if (h >= 1 && (size_t)h <= sh->nctx && sh->ctxs[h - 1] != NULL && sh->ctxs[h - 1]->app_held)
        ce = sh->ctxs[h - 1];
    pthread_mutex_unlock(&sh->mu);
    if (ce == NULL)
        snprintf(err, errlen, "ctx %lld is not a live SSL_CTX", h);
    return ce;
}

struct conn *get_conn(struct shim *sh, long long h, char *err, size_t errlen)
{
    struct conn *c = NULL;

    pthread_mutex_lock(&sh->mu);
    if (h >= 1 && (size_t)h <= sh->nconn && sh->conns[h - 1] != NULL && sh->conns[h - 1]->alive)
        c = sh->conns[h - 1];
    pthread_mutex_unlock(&sh->mu);
    if (c == NULL)
        snprintf(err, errlen, "ssl %lld is not a live SSL", h);
    return c;
}

SSL_SESSION *get_sess(struct shim *sh, long long h, char *err, size_t errlen)
{
    SSL_SESSION *s = NULL;

    pthread_mutex_lock(&sh->mu);
    if (h >= 1 && (size_t)h <= sh->nsess)
        s = sh->sess[h - 1].ptr;
    pthread_mutex_unlock(&sh->mu);
    if (s == NULL)
        snprintf(err, errlen, "sess %lld is not a live named session", h);
    return s;
}

/* ------------------------------------------------------------------------
 * Creating objects.
 * ------------------------------------------------------------------------ */

/*
 * claim_ctx and claim_conn put a new entry at handle h (sh->mu held). The
 * harness chooses handles; any unused one is fine, so concurrent lanes may
 * create objects in any order. The tables have a NULL hole for a handle
 * not used yet. They return -1 if h is taken.
 */
int claim_ctx(struct shim *sh, long long h, struct ctxent *ce)
{
    if ((size_t)h > sh->nctx) {
        sh->ctxs = must_grow(sh->ctxs, &sh->capctx, (size_t)h, sizeof(*sh->ctxs));
        memset(sh->ctxs + sh->nctx, 0, ((size_t)h - sh->nctx) * sizeof(*sh->ctxs));
        sh->nctx = (size_t)h;
    }
    if (sh->ctxs[h - 1] != NULL)
        return -1;
    sh->ctxs[h - 1] = ce;
    return 0;
}

int claim_conn(struct shim *sh, long long h, struct conn *c)
{
    if ((size_t)h > sh->nconn) {
        sh->conns = must_grow(sh->conns, &sh->capconn, (size_t)h, sizeof(*sh->conns));
        memset(sh->conns + sh->nconn, 0, ((size_t)h - sh->nconn) * sizeof(*sh->conns));
        sh->nconn = (size_t)h;
    }
    if (sh->conns[h - 1] != NULL)
        return -1;
    sh->conns[h - 1] = c;
    return 0;
}

/*
 * shim_reset frees every object of the universe (no lane is running): live SSLs,
 * the application's session references, application-held SSL_CTXs. Events
 * are not reported. Sessions still alive afterwards were leaked; they are
 * logged, and their trackers belong to an old epoch from now on.
 */
void shim_reset(struct shim *sh)
{
    long leaked;

    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL)
            continue;
        drop_queue(c);
        if (c->alive)
            SSL_free(c->ssl);
        free(c);
    }
    for (size_t i = 0; i < sh->nsess; i++)
        for (long n = sh->sess[i].apprefs; n > 0 && sh->sess[i].ptr != NULL; n--)
            SSL_SESSION_free(sh->sess[i].ptr);
    for (size_t i = 0; i < sh->nctx; i++)
        if (sh->ctxs[i] != NULL && sh->ctxs[i]->app_held)
            SSL_CTX_free(sh->ctxs[i]->ctx);
    for (size_t i = 0; i < sh->nsess; i++)
        if (sh->sess[i].ptr != NULL)
            fprintf(stderr, "shim: reset: sess %zu is still alive (leaked)\n", i + 1);
    leaked = atomic_load(&sh->live_trackers);
    if (leaked != 0)
        fprintf(stderr, "shim: reset: %ld SSL_SESSION objects still alive (leaked)\n", leaked);
    for (size_t i = 0; i < sh->nctx; i++)
        free(sh->ctxs[i]);
    free(sh->ctxs);
    free(sh->conns);
    free(sh->sess);
    sh->ctxs = NULL;
    sh->conns = NULL;
    sh->sess = NULL;
    sh->nctx = sh->capctx = sh->nconn = sh->capconn = sh->nsess = sh->capsess = 0;
    sh->epoch++;
    ERR_clear_error();
}

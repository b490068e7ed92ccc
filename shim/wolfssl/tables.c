/*
 * tables.c - the wolfSSL shim's handle tables.
 */
#include "library.h"

/* ------------------------------------------------------------------------
 * Handle lookups.
 * ------------------------------------------------------------------------ */

struct ctxent *get_ctx(struct shim *sh, long long h, char *err, size_t errlen)
{
    if (h >= 1 && (size_t)h <= sh->nctx && sh->ctxs[h - 1] != NULL && sh->ctxs[h - 1]->app_held)
        return sh->ctxs[h - 1];
    snprintf(err, errlen, "ctx %lld is not a live SSL_CTX", h);
    return NULL;
}

struct conn *get_conn(struct shim *sh, long long h, char *err, size_t errlen)
{
    if (h >= 1 && (size_t)h <= sh->nconn && sh->conns[h - 1] != NULL && sh->conns[h - 1]->alive)
        return sh->conns[h - 1];
    snprintf(err, errlen, "ssl %lld is not a live SSL", h);
    return NULL;
}

WOLFSSL_SESSION *get_sess(struct shim *sh, long long h, char *err, size_t errlen)
{
    if (h >= 1 && (size_t)h <= sh->nsess && sh->sess[h - 1].ptr != NULL)
        return sh->sess[h - 1].ptr;
    snprintf(err, errlen, "sess %lld is not a live named session", h);
    return NULL;
}

/* ------------------------------------------------------------------------
 * Creating objects.
 * ------------------------------------------------------------------------ */

/* claim puts entry p at handle h of a table with a NULL hole for every
 * handle not used yet; -1 if h is taken. */
int claim(void ***tab, size_t *n, size_t *cap, long long h, void *p)
{
    if (h < 1)
        return -1;
    if ((size_t)h > *n) {
        *tab = must_grow(*tab, cap, (size_t)h, sizeof(**tab));
        memset(*tab + *n, 0, ((size_t)h - *n) * sizeof(**tab));
        *n = (size_t)h;
    }
    if ((*tab)[h - 1] != NULL)
        return -1;
    (*tab)[h - 1] = p;
    return 0;
}

/* free_universe frees every object (live SSLs, the application's session
 * references, application-held SSL_CTXs) without reporting events, and logs
 * the sessions still alive afterwards: they were leaked. */
void free_universe(struct shim *sh)
{
    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL)
            continue;
        drop_queue(c);
        if (c->alive)
            wolfSSL_free(c->ssl);
        free(c->in.b);
        free(c->out.b);
        free(c);
    }
    for (size_t i = 0; i < sh->nsess; i++)
        for (long n = sh->sess[i].apprefs; n > 0 && sh->sess[i].ptr != NULL; n--)
            wolfSSL_SESSION_free(sh->sess[i].ptr);
    for (size_t i = 0; i < sh->nctx; i++)
        if (sh->ctxs[i] != NULL && sh->ctxs[i]->app_held)
            wolfSSL_CTX_free(sh->ctxs[i]->ctx);
    for (size_t i = 0; i < sh->nsess; i++)
        if (sh->sess[i].ptr != NULL)
            fprintf(stderr, "shim: reset: sess %zu is still alive (leaked)\n", i + 1);
    for (size_t i = 0; i < sh->nctx; i++)
        free(sh->ctxs[i]);
    free(sh->ctxs);
    free(sh->conns);
    free(sh->sess);
    sh->ctxs = NULL;
    sh->conns = NULL;
    sh->sess = NULL;
    sh->nctx = sh->capctx = sh->nconn = sh->capconn = sh->nsess = sh->capsess = 0;
}

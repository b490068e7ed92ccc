/*
 * tables.c - the handle tables of a universe: SSL_CTXs, SSLs and the named
 * sessions, their lookups, and reset. Lookups take sh->mu only to read the
 * tables, never while the library runs, so callbacks can always take it.
 */
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void shim_init(struct shim *sh)
{
#if SHIM_THREADS
    pthread_mutex_init(&sh->mu, NULL);
    pthread_mutex_init(&sh->out_mu, NULL);
    pthread_cond_init(&sh->idle, NULL);
    pthread_cond_init(&sh->turn, NULL);
#endif
    sh->epoch = 1;
    sh->verbose = getenv("SESSLIFE_SHIM_VERBOSE") != NULL;
}

struct ctxent *get_ctx(struct shim *sh, long long h, char *err, size_t errlen)
{
    struct ctxent *ce = NULL;

    shim_lock(sh);
    if (h >= 1 && (size_t)h <= sh->nctx && sh->ctxs[h - 1] != NULL && sh->ctxs[h - 1]->app_held)
        ce = sh->ctxs[h - 1];
    shim_unlock(sh);
    if (ce == NULL)
        snprintf(err, errlen, "ctx %lld is not a live SSL_CTX", h);
    return ce;
}

struct conn *get_conn(struct shim *sh, long long h, char *err, size_t errlen)
{
    struct conn *c = NULL;

    shim_lock(sh);
    if (h >= 1 && (size_t)h <= sh->nconn && sh->conns[h - 1] != NULL && sh->conns[h - 1]->alive)
        c = sh->conns[h - 1];
    shim_unlock(sh);
    if (c == NULL)
        snprintf(err, errlen, "ssl %lld is not a live SSL", h);
    return c;
}

lib_sess *get_sess(struct shim *sh, long long h, char *err, size_t errlen)
{
    lib_sess *s = NULL;

    shim_lock(sh);
    if (h >= 1 && (size_t)h <= sh->nsess)
        s = sh->sess[h - 1].ptr;
    shim_unlock(sh);
    if (s == NULL)
        snprintf(err, errlen, "sess %lld is not a live named session", h);
    return s;
}

/*
 * The harness chooses handles; any unused one is fine, so concurrent lanes
 * may create objects in any order. The tables have a NULL hole for a handle
 * not used yet.
 */
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

int sess_handle_of(struct shim *sh, lib_sess *s)
{
    return s == NULL ? 0 : lib_handle_of(sh, s);
}

int sess_name(struct shim *sh, lib_sess *s)
{
    return s == NULL ? 0 : lib_name(sh, s);
}

int sess_add(struct shim *sh, lib_sess *s)
{
    sh->sess = must_grow(sh->sess, &sh->capsess, sh->nsess + 1, sizeof(*sh->sess));
    sh->sess[sh->nsess] = (struct named){ s, 0 };
    return (int)++sh->nsess;
}

void sess_destroyed(struct shim *sh, int h)
{
    sh->sess[h - 1].ptr = NULL;
    emit(EV_DESTROYED, 0, h);
}

void add_apprefs(struct shim *sh, int h, long n)
{
    shim_lock(sh);
    if (h > 0 && (size_t)h <= sh->nsess && sh->sess[h - 1].apprefs + n >= 0)
        sh->sess[h - 1].apprefs += n;
    shim_unlock(sh);
}

/*
 * shim_reset frees every object of the universe (no call is running): live
 * SSLs, the application's session references, application-held SSL_CTXs.
 * Events are not reported. Sessions still alive afterwards were leaked;
 * they are logged.
 */
void shim_reset(struct shim *sh)
{
    for (size_t i = 0; i < sh->nconn; i++) {
        struct conn *c = sh->conns[i];

        if (c == NULL)
            continue;
        drop_queue(c);
        if (c->alive)
            lib_ssl_free(c->ssl);
        lib_conn_free(c);
        free(c);
    }
    for (size_t i = 0; i < sh->nsess; i++)
        for (long n = sh->sess[i].apprefs; n > 0 && sh->sess[i].ptr != NULL; n--)
            lib_sess_free(sh->sess[i].ptr);
    for (size_t i = 0; i < sh->nctx; i++)
        if (sh->ctxs[i] != NULL && sh->ctxs[i]->app_held)
            lib_ctx_free(sh->ctxs[i]->ctx);
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
    sh->epoch++;
    lib_reset_done(sh);
}

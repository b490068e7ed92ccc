/*
 * table.c - what the recorder knows about objects, by address: which
 * sessions are alive or destroyed, how many references the application
 * owns, which SSL_CTX's cache holds a session; which SSL_CTXs are alive.
 *
 * Births and deaths come from ex_data callbacks registered before main:
 * libcrypto calls the "new" callback for every SSL_SESSION and SSL_CTX it
 * makes (internal copies included) and the "free" callback when the last
 * reference goes, so the recorder never reads an object's memory to learn
 * whether it is still there. Entries stay after death (an address may be
 * reused by a later object, which then takes the entry over), so the table
 * grows with the number of distinct addresses, not of objects.
 */
#include "recorder.h"

#include <openssl/lhash.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    const void *p;
    unsigned char state;   /* enum sess_state */
    int app_refs;
    const SSL_CTX *owner;  /* the SSL_CTX whose cache holds the session */
    uint64_t owner_gen;
    uint64_t gen;          /* for SSL_CTXs: which object at this address */
};

struct table {
    struct entry *e;
    size_t cap, used;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct table sessions, ctxs;
static uint64_t ctx_gen;
static int sess_idx = -1, ctx_idx = -1, ssl_idx = -1;

void table_lock(void) { pthread_mutex_lock(&lock); }
void table_unlock(void) { pthread_mutex_unlock(&lock); }

static size_t slot(const void *p, size_t cap) { return (size_t)(((uintptr_t)p >> 4) * 11400714819323198485ull) & (cap - 1); }

static struct entry *find(struct table *t, const void *p, int create)
{
    if (t->cap == 0 || (create && 2 * (t->used + 1) > t->cap)) {
        if (!create)
            return NULL;
        size_t ncap = t->cap ? 2 * t->cap : 1024;
        struct entry *ne = calloc(ncap, sizeof(*ne));
        if (ne == NULL)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (t->e[i].p == NULL)
                continue;
            size_t k = slot(t->e[i].p, ncap);
            while (ne[k].p != NULL)
                k = (k + 1) & (ncap - 1);
            ne[k] = t->e[i];
        }
        free(t->e);
        t->e = ne;
        t->cap = ncap;
    }
    for (size_t k = slot(p, t->cap);; k = (k + 1) & (t->cap - 1)) {
        if (t->e[k].p == p)
            return &t->e[k];
        if (t->e[k].p == NULL) {
            if (!create)
                return NULL;
            memset(&t->e[k], 0, sizeof(t->e[k]));
            t->e[k].p = p;
            t->used++;
            return &t->e[k];
        }
    }
}

enum sess_state sess_state(const SSL_SESSION *s)
{
    table_lock();
    struct entry *e = find(&sessions, s, 0);
    enum sess_state st = e ? (enum sess_state)e->state : SESS_UNKNOWN;
    table_unlock();
    return st;
}

int sess_app_refs(const SSL_SESSION *s)
{
    table_lock();
    struct entry *e = find(&sessions, s, 0);
    int n = e && e->state == SESS_LIVE ? e->app_refs : -1;
    table_unlock();
    return n;
}

void sess_app_take(const SSL_SESSION *s)
{
    table_lock();
    struct entry *e = find(&sessions, s, 0);
    if (e != NULL)
        e->app_refs++;
    table_unlock();
}

void sess_app_give(const SSL_SESSION *s)
{
    table_lock();
    struct entry *e = find(&sessions, s, 0);
    if (e != NULL && e->app_refs > 0)
        e->app_refs--;
    table_unlock();
}

void sess_set_owner(const SSL_SESSION *s, const SSL_CTX *ctx)
{
    table_lock();
    struct entry *e = find(&sessions, s, 0), *c = find(&ctxs, ctx, 0);
    if (e != NULL && c != NULL && c->state == SESS_LIVE) {
        e->owner = ctx;
        e->owner_gen = c->gen;
    }
    table_unlock();
}

void sess_clear_owner(const SSL_SESSION *s, const SSL_CTX *ctx)
{
    table_lock();
    struct entry *e = find(&sessions, s, 0);
    if (e != NULL && e->owner == ctx)
        e->owner = NULL;
    table_unlock();
}

/* sess_cached_elsewhere asks the cache of the SSL_CTX the recorder last saw
 * the session added to (if that SSL_CTX still lives) whether the object
 * cached under the session's key is the session itself. The question is
 * asked only then, so only a program about to put one session into two
 * caches pays for it. */
const SSL_CTX *sess_cached_elsewhere(const SSL_SESSION *s, const SSL_CTX *ctx)
{
    const SSL_CTX *owner = NULL;
    table_lock();
    struct entry *e = find(&sessions, s, 0);
    if (e != NULL && e->state == SESS_LIVE && e->owner != NULL && e->owner != ctx) {
        struct entry *c = find(&ctxs, e->owner, 0);
        if (c != NULL && c->state == SESS_LIVE && c->gen == e->owner_gen)
            owner = e->owner;
    }
    table_unlock();
    if (owner == NULL)
        return NULL;
    LHASH_OF(SSL_SESSION) *cache = SSL_CTX_sessions((SSL_CTX *)owner);
    if (cache == NULL || OPENSSL_LH_retrieve((OPENSSL_LHASH *)cache, s) != (const void *)s)
        return NULL;
    return owner;
}

struct ctxinfo *ctx_info(const SSL_CTX *ctx)
{
    return ctx_idx < 0 || ctx == NULL ? NULL : SSL_CTX_get_ex_data(ctx, ctx_idx);
}

struct sslinfo *ssl_info(const SSL *ssl)
{
    return ssl_idx < 0 || ssl == NULL ? NULL : SSL_get_ex_data(ssl, ssl_idx);
}

SSL_CTX *ssl_session_ctx(const SSL *ssl)
{
    struct sslinfo *si = ssl_info(ssl);
    if (si != NULL && si->session_ctx != NULL)
        return si->session_ctx;
    return SSL_get_SSL_CTX(ssl);
}

static void event(const char *kind, const char *key, const void *p)
{
    struct rec r;
    rec_begin(&r, kind, tr_seq());
    rec_p(&r, key, p);
    rec_end(&r);
}

static void on_sess_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)ptr, (void)ad, (void)idx, (void)argl, (void)argp;
    table_lock();
    struct entry *e = find(&sessions, parent, 1);
    if (e != NULL) {
        e->state = SESS_LIVE;
        e->app_refs = 0;
        e->owner = NULL;
    }
    table_unlock();
    if (tr_on())
        event("born", "sess", parent);
}

static void on_sess_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)ptr, (void)ad, (void)idx, (void)argl, (void)argp;
    table_lock();
    struct entry *e = find(&sessions, parent, 1);
    if (e != NULL)
        e->state = SESS_DEAD;
    table_unlock();
    if (tr_on())
        event("dead", "sess", parent);
}

static void on_ctx_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)ptr, (void)argl, (void)argp;
    table_lock();
    struct entry *e = find(&ctxs, parent, 1);
    if (e != NULL) {
        e->state = SESS_LIVE;
        e->gen = ++ctx_gen;
    }
    table_unlock();
    CRYPTO_set_ex_data(ad, idx, calloc(1, sizeof(struct ctxinfo)));
    if (tr_on())
        event("ctxborn", "ctx", parent);
}

static void on_ctx_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)ad, (void)idx, (void)argl, (void)argp;
    table_lock();
    struct entry *e = find(&ctxs, parent, 1);
    if (e != NULL)
        e->state = SESS_DEAD;
    table_unlock();
    free(ptr);
    if (tr_on())
        event("ctxdead", "ctx", parent);
}

static void on_ssl_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent, (void)ptr, (void)argl, (void)argp;
    CRYPTO_set_ex_data(ad, idx, calloc(1, sizeof(struct sslinfo)));
}

static void on_ssl_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    free(ptr);
}

/* The dup callbacks give a copy its own info (the "new" callback already
 * made one) instead of sharing the original's, which would be freed twice. */
static int on_dup_keep(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx, long argl,
                       void *argp)
{
    (void)from, (void)argl, (void)argp;
    *from_d = CRYPTO_get_ex_data(to, idx);
    return 1;
}

void table_init(void)
{
    sess_idx = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_SESSION, 0, NULL, on_sess_new, NULL, on_sess_free);
    ctx_idx = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, NULL, on_ctx_new, on_dup_keep, on_ctx_free);
    ssl_idx = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, NULL, on_ssl_new, on_dup_keep, on_ssl_free);
}

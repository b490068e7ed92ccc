/*
 * sessions.c - how the OpenSSL shim tells sessions apart: a tracker rides
 * in every SSL_SESSION's ex_data, with the session's handle in universe
 * epoch (0 while unnamed), and the free callback reports its destruction.
 */
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>

/* tracker is one SSL_SESSION object's tag. Each object gets its own (see
 * on_session_dup). */
struct tracker {
    int handle;
    unsigned epoch;
    long apprefs; /* the application's references while unnamed (sess_orphan) */
};

static void on_session_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct shim *sh = argp;
    struct tracker *t = calloc(1, sizeof(*t));

    (void)parent, (void)ptr, (void)argl;
    if (t == NULL)
        return;
    atomic_fetch_add(&sh->lib.live_trackers, 1);
    CRYPTO_set_ex_data(ad, idx, t);
}

/* on_session_dup runs for internal copies: the copy keeps the fresh tracker
 * on_session_new gave it rather than sharing the original's (which would be
 * freed twice). The copy is a different object, so it starts unnamed. */
static int on_session_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx, long argl,
                          void *argp)
{
    struct shim *sh = argp;
    struct tracker *t = CRYPTO_get_ex_data(to, idx);

    (void)from, (void)argl;
    if (t == NULL) {
        t = calloc(1, sizeof(*t));
        if (t == NULL)
            return 0;
        atomic_fetch_add(&sh->lib.live_trackers, 1);
    }
    *from_d = t;
    return 1;
}

/* on_session_free runs once per object, when its last reference goes. */
static void on_session_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct shim *sh = argp;
    struct tracker *t = ptr;

    (void)parent, (void)ad, (void)idx, (void)argl;
    if (t == NULL)
        return;
    shim_lock(sh);
    if (t->handle != 0 && t->epoch == sh->epoch)
        sess_destroyed(sh, t->handle);
    shim_unlock(sh);
    atomic_fetch_sub(&sh->lib.live_trackers, 1);
    free(t);
}

int sessions_init(struct shim *sh)
{
    return SSL_SESSION_get_ex_new_index(0, sh, on_session_new, on_session_dup, on_session_free);
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

int lib_handle_of(struct shim *sh, SSL_SESSION *s)
{
    struct tracker *t;
    int h = -1;

    touch(s);
    t = SSL_SESSION_get_ex_data(s, sh->lib.sess_idx);
    shim_lock(sh);
    if (t != NULL && t->handle != 0 && t->epoch == sh->epoch)
        h = t->handle;
    shim_unlock(sh);
    return h;
}

int lib_name(struct shim *sh, SSL_SESSION *s)
{
    struct tracker *t;
    int h;

    touch(s);
    t = SSL_SESSION_get_ex_data(s, sh->lib.sess_idx);
    if (t == NULL) {
        fprintf(stderr, "shim: a session without a tracker\n");
        abort();
    }
    shim_lock(sh);
    if (t->handle == 0 || t->epoch != sh->epoch) {
        t->handle = sess_add(sh, s);
        t->epoch = sh->epoch;
        if (t->apprefs > 0) { /* an orphan: its reference goes with the handle */
            sh->sess[t->handle - 1].apprefs += t->apprefs;
            t->apprefs = 0;
            for (size_t i = 0; i < sh->lib.norphans; i++)
                if (sh->lib.orphans[i] == s) {
                    sh->lib.orphans[i] = sh->lib.orphans[--sh->lib.norphans];
                    break;
                }
        }
    }
    h = t->handle;
    shim_unlock(sh);
    return h;
}

/* lib_reset_done reports the SSL_SESSION objects still alive after reset,
 * named or not (their trackers belong to an old epoch from now on), and
 * empties the error queue. */
void sess_orphan(struct shim *sh, SSL_SESSION *s)
{
    struct tracker *t = SSL_SESSION_get_ex_data(s, sh->lib.sess_idx);

    if (t == NULL)
        return;
    shim_lock(sh);
    t->apprefs++;
    sh->lib.orphans = must_grow(sh->lib.orphans, &sh->lib.caporphans, sh->lib.norphans + 1, sizeof(*sh->lib.orphans));
    sh->lib.orphans[sh->lib.norphans++] = s;
    shim_unlock(sh);
}

void lib_reset_done(struct shim *sh)
{
    long leaked;

    /* The application's references to sessions it never saw: an orphan
     * holds one until it is named, so each pointer here is still live. */
    for (size_t i = 0; i < sh->lib.norphans; i++)
        SSL_SESSION_free(sh->lib.orphans[i]);
    free(sh->lib.orphans);
    sh->lib.orphans = NULL;
    sh->lib.norphans = sh->lib.caporphans = 0;
    leaked = atomic_load(&sh->lib.live_trackers);

    if (leaked != 0)
        fprintf(stderr, "shim: reset: %ld SSL_SESSION objects still alive (leaked)\n", leaked);
    ERR_clear_error();
}

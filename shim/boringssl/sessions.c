/*
 * sessions.c - how the BoringSSL shim tells sessions apart. BoringSSL's
 * SSL_SESSION ex_data has only a free callback (no "new" or "dup" one), and
 * SSL_SESSION_dup does not copy ex_data, so a session is tagged when it is
 * first named: the tag (its handle and the universe's epoch) rides in its
 * ex_data, and the free callback reports its destruction. A session the
 * application was never shown carries no tag and dies silently.
 */
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>

/* tag is one named SSL_SESSION object's label. */
struct tag {
    int handle;
    unsigned epoch;
};

/* on_session_free runs once per object, when its last reference goes, for
 * every object that ever had ex_data set (BoringSSL skips the others). */
static void on_session_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct shim *sh = argp;
    struct tag *t = ptr;

    (void)parent, (void)ad, (void)idx, (void)argl;
    if (t == NULL)
        return;
    if (t->epoch == sh->epoch)
        sess_destroyed(sh, t->handle);
    sh->lib.live_tags--;
    free(t);
}

int sessions_init(struct shim *sh)
{
    return SSL_SESSION_get_ex_new_index(0, sh, NULL, NULL, on_session_free);
}

int lib_handle_of(struct shim *sh, SSL_SESSION *s)
{
    struct tag *t = SSL_SESSION_get_ex_data(s, sh->lib.sess_idx);

    if (t != NULL && t->epoch == sh->epoch)
        return t->handle;
    return -1;
}

int lib_name(struct shim *sh, SSL_SESSION *s)
{
    struct tag *t = SSL_SESSION_get_ex_data(s, sh->lib.sess_idx);

    if (t == NULL) {
        t = calloc(1, sizeof(*t));
        if (t == NULL || !SSL_SESSION_set_ex_data(s, sh->lib.sess_idx, t)) {
            fprintf(stderr, "shim: cannot tag a session\n");
            abort();
        }
        sh->lib.live_tags++;
    }
    if (t->epoch != sh->epoch) {
        t->handle = sess_add(sh, s);
        t->epoch = sh->epoch;
    }
    return t->handle;
}

/* lib_reset_done reports the named SSL_SESSION objects still alive after
 * reset (their tags belong to an old epoch from now on), and empties the
 * error queue. Unnamed sessions carry no tag, so a leak of one of those is
 * not seen here. */
void lib_reset_done(struct shim *sh)
{
    if (sh->lib.live_tags != 0)
        fprintf(stderr, "shim: reset: %ld named SSL_SESSION objects still alive (leaked)\n", sh->lib.live_tags);
    ERR_clear_error();
}

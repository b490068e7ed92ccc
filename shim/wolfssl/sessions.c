/*
 * sessions.c - how the wolfSSL shim tells sessions apart: by address, with
 * destruction seen through wolfSSL's allocator. wolfSSL copies a session's
 * ex_data into every copy (wolfSSL_DupSession), so ex_data cannot carry a
 * per-object tag.
 */
#include "shim.h"

#include <stdlib.h>

/* find returns the handle of the named session at address p, or -1. */
static int find(struct shim *sh, const void *p)
{
    for (size_t i = 0; i < sh->nsess; i++)
        if (sh->sess[i].ptr == p)
            return (int)i + 1;
    return -1;
}

int lib_handle_of(struct shim *sh, WOLFSSL_SESSION *s)
{
    return find(sh, s);
}

int lib_name(struct shim *sh, WOLFSSL_SESSION *s)
{
    int h = find(sh, s);

    return h >= 0 ? h : sess_add(sh, s);
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

    if (p != NULL && (h = find(sh, p)) > 0)
        sess_destroyed(sh, h);
    free(p);
}

void *shim_malloc(size_t n) { return malloc(n); }
void *shim_realloc(void *p, size_t n) { return realloc(p, n); }

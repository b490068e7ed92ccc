/*
 * json.h - a tiny JSON reader for the request lines of sesslife-shim/1.
 *
 * It parses one complete JSON text into a tree of nodes. Numbers must be
 * integers that fit in a long long: the protocol has no other kind, and a
 * fraction or exponent is reported as an error rather than rounded.
 */
#ifndef SESSLIFE_JSON_H
#define SESSLIFE_JSON_H

#include <stddef.h>

enum jkind { J_NULL, J_BOOL, J_INT, J_STR, J_ARR, J_OBJ };

struct jnode {
    enum jkind kind;
    long long num;        /* J_INT value; J_BOOL is 0 or 1 */
    char *str;            /* J_STR value, NUL-terminated */
    char *key;            /* member name when the parent is an object */
    struct jnode *child;  /* first element or member (J_ARR, J_OBJ) */
    struct jnode *next;   /* next sibling */
};

/*
 * json_parse parses text (NUL-terminated). On success it returns the root,
 * which the caller releases with json_free. On failure it returns NULL and
 * writes a message naming the byte offset into err.
 */
struct jnode *json_parse(const char *text, char *err, size_t errlen);

/* json_free releases a tree returned by json_parse (NULL is fine); only
 * a root, never a subtree. */
void json_free(struct jnode *n);

/* json_get returns the member called key of object obj, or NULL. */
const struct jnode *json_get(const struct jnode *obj, const char *key);

#endif

/*
 * proto.c - the protocol as every C shim reads it (see proto.h).
 */
#include "proto.h"

#include "json.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *must_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 8;

    if (need <= *cap)
        return p;
    while (n < need)
        n *= 2;
    p = realloc(p, n * elem);
    if (p == NULL) {
        fprintf(stderr, "shim: out of memory\n");
        abort();
    }
    *cap = n;
    return p;
}

/* sb_printf appends to b; it formats once when the text fits, which it
 * nearly always does after the first reservation (replies are short). */
void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int need;

    if (b->cap - b->n < 64)
        b->s = must_grow(b->s, &b->cap, b->n + 256, 1);
    va_start(ap, fmt);
    need = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (need < 0)
        return;
    if ((size_t)need >= b->cap - b->n) {
        b->s = must_grow(b->s, &b->cap, b->n + (size_t)need + 1, 1);
        va_start(ap, fmt);
        vsnprintf(b->s + b->n, (size_t)need + 1, fmt, ap);
        va_end(ap);
    }
    b->n += (size_t)need;
}

/* sb_string appends s as a JSON string literal. */
void sb_string(struct sbuf *b, const char *s)
{
    sb_printf(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            sb_printf(b, "\\%c", c);
        else if (c < 0x20)
            sb_printf(b, "\\u%04x", c);
        else
            sb_printf(b, "%c", c);
    }
    sb_printf(b, "\"");
}

const char *const op_names[OP_QUIT + 1] = {
#define SESSLIFE_CALL(name, ctx, ssl, peer, sess) [OP_##name] = #name,
#include "calls.h"
#undef SESSLIFE_CALL
    [OP_OBSERVE] = "observe", [OP_RESET] = "reset", [OP_QUIT] = "quit",
};

const struct call_shape call_shapes[OP_OBSERVE] = {
#define SESSLIFE_CALL(name, ctx, ssl, peer, sess) [OP_##name] = { ARG_##ctx, ARG_##ssl, ARG_##peer, ARG_##sess },
#include "calls.h"
#undef SESSLIFE_CALL
};

#define NOPS ((int)(sizeof(op_names) / sizeof(op_names[0])))

/*
 * op_index finds an operation by name in one probe or two, where comparing
 * the name with every operation's in turn cost a strcmp per operation
 * before it (docs/perf.md). It is an open-addressing table of the indexes
 * of op_names, filled before main (op_index_init) and only read after.
 */
#define OP_SLOTS 256 /* a power of two, well over twice the operations */
static unsigned char op_index[OP_SLOTS];

_Static_assert(OP_QUIT < 255 && 2 * (OP_QUIT + 1) <= OP_SLOTS, "op_index is too small for the operations");

static unsigned op_hash(const char *name)
{
    unsigned h = 2166136261u;

    for (; *name != '\0'; name++)
        h = (h ^ (unsigned char)*name) * 16777619u;
    return h;
}

__attribute__((constructor)) static void op_index_init(void)
{
    for (int i = 1; i < NOPS; i++) {
        unsigned slot;

        if (op_names[i] == NULL)
            continue;
        slot = op_hash(op_names[i]) & (OP_SLOTS - 1);
        while (op_index[slot] != 0)
            slot = (slot + 1) & (OP_SLOTS - 1);
        op_index[slot] = (unsigned char)i;
    }
}

enum op parse_op(const char *name)
{
    unsigned slot = op_hash(name) & (OP_SLOTS - 1);

    for (; op_index[slot] != 0; slot = (slot + 1) & (OP_SLOTS - 1))
        if (strcmp(op_names[op_index[slot]], name) == 0)
            return (enum op)op_index[slot];
    return OP_UNKNOWN;
}

/* record_len is the length of the TLS record at b (header included),
 * clipped to what is there. */
size_t record_len(const unsigned char *b, size_t avail)
{
    size_t n;

    if (avail < 5)
        return avail;
    n = 5 + ((size_t)b[3] << 8 | b[4]);
    return n < avail ? n : avail;
}

/* int_of reads member v called key (NULL: absent, def). */
static int int_of(const struct jnode *v, const char *key, long long def, long long lo, long long hi, long long *out,
                  char *err, size_t errlen)
{
    if (v == NULL) {
        *out = def;
        return 0;
    }
    if (v->kind != J_INT || v->num < lo || v->num > hi) {
        snprintf(err, errlen, "\"%s\" must be an integer in %lld..%lld", key, lo, hi);
        return -1;
    }
    *out = v->num;
    return 0;
}

static int get_int(const struct jnode *obj, const char *key, long long def, long long lo, long long hi,
                   long long *out, char *err, size_t errlen)
{
    return int_of(json_get(obj, key), key, def, lo, hi, out, err, errlen);
}

static int get_bool(const struct jnode *obj, const char *key, int def, int *out, char *err, size_t errlen)
{
    const struct jnode *v = json_get(obj, key);

    if (v == NULL) {
        *out = def;
        return 0;
    }
    if (v->kind != J_BOOL) {
        snprintf(err, errlen, "\"%s\" must be true or false", key);
        return -1;
    }
    *out = (int)v->num;
    return 0;
}

/* The members a request and its config may have: all the protocol defines.
 * A shim built before the harness learnt a field must not run the call
 * as if it were absent (docs/protocol.md §3), so any other member is
 * refused with a message naming it, which the harness reports as a shim
 * older than itself. */
static const char *const request_fields[] = { "id", "op", "now", "lane", "ctx", "ssl", "peer", "sess", "arg", "config", NULL };
static const char *const config_fields[] = { "side", "new_cb", "remove_cb", "get_cb", "default_mode", "mode",
                                             "size", "timeout", "tickets", "no_ticket", NULL };

/* unknown_member names the first member of obj that known lacks: -1 and
 * err set, or 0 when every member is known. */
static int unknown_member(const struct jnode *obj, const char *const *known, const char *what, char *err, size_t errlen)
{
    for (const struct jnode *m = obj->child; m != NULL; m = m->next) {
        int ok = 0;

        for (const char *const *k = known; *k != NULL && !ok; k++)
            ok = strcmp(*k, m->key) == 0;
        if (!ok) {
            snprintf(err, errlen, "unknown %s field \"%.64s\"", what, m->key);
            return -1;
        }
    }
    return 0;
}

static int parse_config(const struct jnode *cfg, struct request *rq, char *err, size_t errlen)
{
    const struct jnode *side = json_get(cfg, "side");
    long long newcb, getcb;

    if (cfg == NULL || cfg->kind != J_OBJ) {
        snprintf(err, errlen, "SSL_CTX_new needs a \"config\" object");
        return -1;
    }
    if (unknown_member(cfg, config_fields, "config", err, errlen))
        return -1;
    if (side == NULL || side->kind != J_STR || (strcmp(side->str, "client") && strcmp(side->str, "server"))) {
        snprintf(err, errlen, "config \"side\" must be \"client\" or \"server\"");
        return -1;
    }
    rq->cfg.server = strcmp(side->str, "server") == 0;
    if (get_bool(cfg, "default_mode", 1, &rq->cfg.default_mode, err, errlen)
        || get_int(cfg, "mode", 0, 0, 0xffff, &rq->cfg.mode, err, errlen)
        || get_int(cfg, "size", -1, -1, LLONG_MAX, &rq->cfg.size, err, errlen)
        || get_int(cfg, "timeout", 0, 0, LLONG_MAX, &rq->cfg.timeout, err, errlen)
        || get_int(cfg, "tickets", -1, -1, 1 << 20, &rq->cfg.tickets, err, errlen)
        || get_bool(cfg, "no_ticket", 0, &rq->cfg.no_ticket, err, errlen)
        || get_int(cfg, "new_cb", 0, 0, 2, &newcb, err, errlen)
        || get_bool(cfg, "remove_cb", 0, &rq->cfg.remove_cb, err, errlen)
        || get_int(cfg, "get_cb", 0, 0, 4, &getcb, err, errlen))
        return -1;
    rq->cfg.new_cb = (int)newcb;
    rq->cfg.get_cb = (int)getcb;
    return 0;
}

/* The request's members, in request_fields' order. */
enum { F_ID, F_OP, F_NOW, F_LANE, F_CTX, F_SSL, F_PEER, F_SESS, F_ARG, F_CONFIG, NFIELDS };

_Static_assert(sizeof(request_fields) / sizeof(request_fields[0]) == NFIELDS + 1, "request_fields and F_ differ");

/* request_field is the index in request_fields of member name key, or -1.
 * It decides on the length and a letter first, so that one strcmp at most
 * confirms it: a request has up to ten members, and looking each one up by
 * name with strcmp, then each field again, cost more than the rest of the
 * parse (docs/perf.md). */
static int request_field(const char *key)
{
    int f = -1;

    switch (strlen(key)) {
    case 2: f = F_ID; break;
    case 3:
        f = key[0] == 'n' ? F_NOW : key[0] == 'c' ? F_CTX : key[0] == 's' ? F_SSL : key[0] == 'a' ? F_ARG : -1;
        break;
    case 4:
        f = key[0] == 'l' ? F_LANE : key[0] == 'p' ? F_PEER : key[0] == 's' ? F_SESS : -1;
        break;
    case 6: f = F_CONFIG; break;
    }
    if (f < 0 || strcmp(request_fields[f], key) != 0) {
        if (strcmp(key, "op") == 0)
            return F_OP;
        return -1;
    }
    return f;
}

/* On error rq->id is what could be read. The checks run in the order they
 * always have, so that a request with several faults gets the same error. */
int shim_parse_request(const char *line, struct request *rq, char *err, size_t errlen)
{
    struct jnode *root = json_parse(line, err, errlen);
    const struct jnode *field[NFIELDS] = { NULL }, *unknown = NULL, *op;
    long long lane;
    int rc = -1;

    memset(rq, 0, sizeof(*rq));
    if (root == NULL)
        return -1;
    if (root->kind != J_OBJ) {
        snprintf(err, errlen, "a request must be a JSON object");
        goto out;
    }
    /* Member names are unique (json.c), so each field is found once. */
    for (const struct jnode *m = root->child; m != NULL; m = m->next) {
        int f = request_field(m->key);

        if (f >= 0)
            field[f] = m;
        else if (unknown == NULL)
            unknown = m;
    }
    if (int_of(field[F_ID], "id", -1, 0, LLONG_MAX, &rq->id, err, errlen))
        goto out;
    if (rq->id < 0) {
        snprintf(err, errlen, "\"id\" is missing");
        goto out;
    }
    op = field[F_OP];
    if (op == NULL || op->kind != J_STR || strlen(op->str) >= sizeof(rq->op)) {
        snprintf(err, errlen, "\"op\" must be a string naming a call");
        goto out;
    }
    strcpy(rq->op, op->str);
    rq->code = parse_op(rq->op);
    if (unknown != NULL) {
        snprintf(err, errlen, "unknown %s field \"%.64s\"", "request", unknown->key);
        goto out;
    }
    if (int_of(field[F_NOW], "now", -1, 0, LLONG_MAX, &rq->now, err, errlen)
        || int_of(field[F_LANE], "lane", 0, 0, MAX_LANES - 1, &lane, err, errlen)
        || int_of(field[F_CTX], "ctx", 0, 0, MAX_HANDLE, &rq->ctx, err, errlen)
        || int_of(field[F_SSL], "ssl", 0, 0, MAX_HANDLE, &rq->ssl, err, errlen)
        || int_of(field[F_PEER], "peer", 0, 0, MAX_HANDLE, &rq->peer, err, errlen)
        || int_of(field[F_SESS], "sess", 0, 0, MAX_HANDLE, &rq->sess, err, errlen)
        || int_of(field[F_ARG], "arg", 0, LLONG_MIN, LLONG_MAX, &rq->arg, err, errlen))
        goto out;
    rq->lane = (int)lane;
    if (rq->code == OP_SSL_CTX_new && parse_config(field[F_CONFIG], rq, err, errlen))
        goto out;
    rc = 0;
out:
    json_free(root);
    return rc;
}

/*
 * json.c - a small recursive-descent JSON reader (see json.h).
 *
 * Written for sesslife's shim: whole text in memory, nesting limited to
 * MAX_DEPTH, duplicate object keys rejected (a request must be unambiguous).
 */
#include "json.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

/*
 * A tree lives in one block, allocated once per text: its nodes, then the
 * decoded strings. Every node starts at a byte of its own in the text, so
 * a text of len bytes has at most len nodes; every string's decoded bytes
 * and NUL fit in the bytes its literal takes, so the strings need at most
 * len bytes in all. One allocation per request instead of one per node,
 * key and string (docs/perf.md).
 */
struct parser {
    const char *s;   /* the whole text */
    size_t pos;      /* next byte to read */
    char *err;
    size_t errlen;
    int failed;
    struct jnode *nodes; /* the block: nodes[0] is the root */
    size_t nnodes, capnodes;
    char *strs; /* after the nodes */
    size_t nstrs, capstrs;
};

static void fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->failed)
        return;
    p->failed = 1;
    n = snprintf(p->err, p->errlen, "byte %zu: ", p->pos);
    if (n < 0 || (size_t)n >= p->errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static void skip_space(struct parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\r'
           || p->s[p->pos] == '\n')
        p->pos++;
}

static struct jnode *new_node(struct parser *p, enum jkind kind)
{
    struct jnode *n;

    if (p->nnodes == p->capnodes) { /* cannot happen: see struct parser */
        fail(p, "out of memory");
        return NULL;
    }
    n = &p->nodes[p->nnodes++];
    *n = (struct jnode){ .kind = kind };
    return n;
}

static int literal(struct parser *p, const char *word)
{
    size_t len = strlen(word);

    if (strncmp(p->s + p->pos, word, len) != 0)
        return 0;
    p->pos += len;
    return 1;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* read_hex4 reads the four hex digits of a \u escape. */
static long read_hex4(struct parser *p)
{
    long v = 0;

    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p->s[p->pos]);

        if (d < 0) {
            fail(p, "bad \\u escape");
            return -1;
        }
        v = v * 16 + d;
        p->pos++;
    }
    return v;
}

/* put_utf8 appends code point cp to out (which has room for 4 bytes). */
static size_t put_utf8(char *out, long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/*
 * parse_string reads a string whose opening quote is at p->pos. The decoded
 * text is never longer than the source, so one allocation of the source
 * length is enough.
 */
static char *parse_string(struct parser *p)
{
    size_t start = ++p->pos, raw = 0, n = 0;
    char *out;

    while (p->s[start + raw] != '\0' && p->s[start + raw] != '"')
        raw += (p->s[start + raw] == '\\' && p->s[start + raw + 1] != '\0') ? 2 : 1;
    if (p->capstrs - p->nstrs < raw + 1) { /* cannot happen: see struct parser */
        fail(p, "out of memory");
        return NULL;
    }
    out = p->strs + p->nstrs;
    for (;;) {
        unsigned char c = (unsigned char)p->s[p->pos];

        if (c == '\0') {
            fail(p, "unterminated string");
            break;
        }
        if (c < 0x20) {
            fail(p, "control character in string");
            break;
        }
        p->pos++;
        if (c == '"') {
            out[n] = '\0';
            p->nstrs += n + 1;
            return out;
        }
        if (c != '\\') {
            out[n++] = (char)c;
            continue;
        }
        c = (unsigned char)p->s[p->pos++];
        switch (c) {
        case '"': case '\\': case '/':
            out[n++] = (char)c;
            break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            long cp = read_hex4(p);

            if (cp < 0)
                break;
            if (cp >= 0xd800 && cp < 0xdc00 && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
                long lo;

                p->pos += 2;
                lo = read_hex4(p);
                if (lo < 0xdc00 || lo > 0xdfff) {
                    fail(p, "bad surrogate pair");
                    break;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            n += put_utf8(out + n, cp);
            break;
        }
        default:
            p->pos--;
            fail(p, "bad escape");
        }
        if (p->failed)
            break;
    }
    return NULL;
}

static void parse_number(struct parser *p, struct jnode *n)
{
    int neg = 0;
    unsigned long long v = 0, limit;

    if (p->s[p->pos] == '-') {
        neg = 1;
        p->pos++;
    }
    if (p->s[p->pos] < '0' || p->s[p->pos] > '9') {
        fail(p, "bad number");
        return;
    }
    if (p->s[p->pos] == '0' && p->s[p->pos + 1] >= '0' && p->s[p->pos + 1] <= '9') {
        fail(p, "leading zero in number");
        return;
    }
    limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
    while (p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        unsigned d = (unsigned)(p->s[p->pos] - '0');

        if (v > (limit - d) / 10) {
            fail(p, "number out of the 64-bit range");
            return;
        }
        v = v * 10 + d;
        p->pos++;
    }
    if (p->s[p->pos] == '.' || p->s[p->pos] == 'e' || p->s[p->pos] == 'E') {
        fail(p, "only integers are allowed");
        return;
    }
    if (neg)
        n->num = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    else
        n->num = (long long)v;
}

static struct jnode *parse_value(struct parser *p, int depth);

/* parse_members reads the elements of an array or the members of an object. */
static void parse_members(struct parser *p, struct jnode *parent, int depth)
{
    char close = parent->kind == J_OBJ ? '}' : ']';
    struct jnode **tail = &parent->child;

    p->pos++;
    skip_space(p);
    if (p->s[p->pos] == close) {
        p->pos++;
        return;
    }
    for (;;) {
        char *key = NULL;
        struct jnode *v;

        skip_space(p);
        if (parent->kind == J_OBJ) {
            if (p->s[p->pos] != '"') {
                fail(p, "expected a member name");
                return;
            }
            key = parse_string(p);
            if (key == NULL)
                return;
            if (json_get(parent, key) != NULL) {
                fail(p, "duplicate member \"%s\"", key);
                return;
            }
            skip_space(p);
            if (p->s[p->pos] != ':') {
                fail(p, "expected ':'");
                return;
            }
            p->pos++;
        }
        v = parse_value(p, depth + 1);
        if (v == NULL)
            return;
        v->key = key;
        *tail = v;
        tail = &v->next;
        skip_space(p);
        if (p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->s[p->pos] == close) {
            p->pos++;
            return;
        }
        fail(p, "expected ',' or '%c'", close);
        return;
    }
}

static struct jnode *parse_value(struct parser *p, int depth)
{
    struct jnode *n = NULL;
    char c;

    if (depth > MAX_DEPTH) {
        fail(p, "nested too deeply");
        return NULL;
    }
    skip_space(p);
    c = p->s[p->pos];
    if (c == '{' || c == '[') {
        n = new_node(p, c == '{' ? J_OBJ : J_ARR);
        if (n != NULL)
            parse_members(p, n, depth);
    } else if (c == '"') {
        n = new_node(p, J_STR);
        if (n != NULL)
            n->str = parse_string(p);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        n = new_node(p, J_INT);
        if (n != NULL)
            parse_number(p, n);
    } else if (literal(p, "true")) {
        n = new_node(p, J_BOOL);
        if (n != NULL)
            n->num = 1;
    } else if (literal(p, "false")) {
        n = new_node(p, J_BOOL);
    } else if (literal(p, "null")) {
        n = new_node(p, J_NULL);
    } else {
        fail(p, c == '\0' ? "unexpected end of input" : "unexpected character '%c'", c);
    }
    if (p->failed)
        return NULL; /* the block goes at the end of json_parse */
    return n;
}

struct jnode *json_parse(const char *text, char *err, size_t errlen)
{
    size_t len = strlen(text);
    struct parser p = { text, 0, err, errlen, 0, NULL, 0, len + 1, NULL, 0, len + 1 };
    struct jnode *root;

    p.nodes = malloc(p.capnodes * sizeof(*p.nodes) + p.capstrs);
    if (p.nodes == NULL) {
        fail(&p, "out of memory");
        return NULL;
    }
    p.strs = (char *)(p.nodes + p.capnodes);
    root = parse_value(&p, 0);
    if (root != NULL) {
        skip_space(&p);
        if (p.s[p.pos] != '\0')
            fail(&p, "trailing characters after the value");
    }
    if (root == NULL || p.failed) {
        free(p.nodes);
        return NULL;
    }
    return root; /* == p.nodes: json_free frees the block */
}

void json_free(struct jnode *n)
{
    free(n);
}

const struct jnode *json_get(const struct jnode *obj, const char *key)
{
    if (obj == NULL || obj->kind != J_OBJ)
        return NULL;
    for (const struct jnode *m = obj->child; m != NULL; m = m->next)
        if (m->key != NULL && strcmp(m->key, key) == 0)
            return m;
    return NULL;
}

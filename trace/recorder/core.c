/*
 * core.c - the recorder's set-up and output: the shared sequence counter,
 * one trace file per process (opened on the first record, so processes
 * that never touch TLS leave none), fork and exit, JSON lines, call sites.
 *
 * Records are gathered in a 64 KiB buffer and written with one write(2)
 * when it fills, before fork, at exit, and at once for a record of
 * undefined behaviour (so that its evidence is on disk before the program
 * goes on): writing each record on its own made a handshake-bound loop
 * half again as slow (docs/perf.md). A process killed by a signal loses
 * what its buffer held.
 * Each process holds a shared flock on its file while it lives; `sesslife
 * trace` waits for the exclusive lock before reading, which is how it
 * knows every descendant (nginx's workers) has finished.
 */
#include "recorder.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* range is one executable segment of libssl or libcrypto. */
struct range {
    uintptr_t lo, hi;
};

#define MAX_RANGES 16
#define SITE_SLOTS 4096

static struct {
    int on, forward;
    char dir[3072];
    uint64_t *seq;           /* shared by every process of the run */
    int fd;                  /* this process's trace file, -1 until needed */
    char buf[64 * 1024];     /* records not yet written (under file_lock) */
    size_t buflen;
    pid_t pid, ppid;
    uint64_t fork_seq;       /* set in a child of fork: the parent's fork record */
    pthread_mutex_t file_lock;
    pthread_mutex_t site_lock;
    void *main_base;         /* dladdr's base of the main program */
    struct range ranges[MAX_RANGES];
    int nranges;
    const void *site_pc[SITE_SLOTS];
    unsigned site_id[SITE_SLOTS];
    unsigned next_site;
} g = {.fd = -1, .file_lock = PTHREAD_MUTEX_INITIALIZER, .site_lock = PTHREAD_MUTEX_INITIALIZER};

static __thread pid_t tid_pid;
static __thread pid_t tid_cached;

static pid_t tr_tid(void)
{
    if (tid_pid != g.pid) {
        tid_cached = (pid_t)syscall(SYS_gettid);
        tid_pid = g.pid;
    }
    return tid_cached;
}

void *tr_real(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (p == NULL) {
        fprintf(stderr, "sesslife recorder: %s not found after the recorder (is libssl 3.0 loaded?)\n", name);
        abort();
    }
    return p;
}

int tr_on(void) { return g.on; }
int tr_forward_all(void) { return g.forward; }

int tr_app(const void *ra)
{
    uintptr_t a = (uintptr_t)ra;
    if (!g.on)
        return 0;
    for (int i = 0; i < g.nranges; i++)
        if (a >= g.ranges[i].lo && a < g.ranges[i].hi)
            return 0;
    return 1;
}

uint64_t tr_seq(void)
{
    static uint64_t local;
    if (g.seq == NULL)
        return __atomic_add_fetch(&local, 1, __ATOMIC_SEQ_CST);
    return __atomic_add_fetch(g.seq, 1, __ATOMIC_SEQ_CST);
}

/* main_object finds an address inside the main program (listed first). */
static int main_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type == PT_LOAD) {
            *(uintptr_t *)data = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
            return 1;
        }
    }
    return 1;
}

/* add_object records the executable segments of the object holding the
 * address data points to. */
static int add_object(struct dl_phdr_info *info, size_t size, void *data)
{
    uintptr_t want = (uintptr_t)data;
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && want >= lo && want < lo + ph->p_memsz) {
            for (int j = 0; j < info->dlpi_phnum && g.nranges < MAX_RANGES; j++) {
                const ElfW(Phdr) *q = &info->dlpi_phdr[j];
                if (q->p_type == PT_LOAD && (q->p_flags & PF_X)) {
                    g.ranges[g.nranges].lo = info->dlpi_addr + q->p_vaddr;
                    g.ranges[g.nranges].hi = info->dlpi_addr + q->p_vaddr + q->p_memsz;
                    g.nranges++;
                }
            }
            return 1;
        }
    }
    return 0;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void open_trace(void);

static void rec_raw(struct rec *r, const char *s, size_t len)
{
    if (r->n + len + 3 >= sizeof(r->buf))
        return;
    memcpy(r->buf + r->n, s, len);
    r->n += len;
}

void rec_begin(struct rec *r, const char *kind, uint64_t seq)
{
    r->n = 0;
    r->urgent = 0;
    rec_raw(r, "{\"k\":\"", 6);
    rec_raw(r, kind, strlen(kind));
    rec_raw(r, "\"", 1);
    rec_u(r, "seq", seq);
    rec_i(r, "tid", tr_tid());
}

/* rec_key appends ,"key": */
static void rec_key(struct rec *r, const char *key)
{
    size_t k = strlen(key);
    if (r->n + k + 4 >= sizeof(r->buf))
        return;
    r->buf[r->n++] = ',';
    r->buf[r->n++] = '"';
    memcpy(r->buf + r->n, key, k);
    r->n += k;
    r->buf[r->n++] = '"';
    r->buf[r->n++] = ':';
}

static void rec_digits(struct rec *r, uint64_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (r->n + (size_t)k + 3 >= sizeof(r->buf))
        return;
    while (k > 0)
        r->buf[r->n++] = tmp[--k];
}

void rec_u(struct rec *r, const char *key, uint64_t v)
{
    rec_key(r, key);
    rec_digits(r, v);
}

void rec_i(struct rec *r, const char *key, int64_t v)
{
    rec_key(r, key);
    if (v < 0) {
        rec_raw(r, "-", 1);
        rec_digits(r, (uint64_t)0 - (uint64_t)v);
    } else {
        rec_digits(r, (uint64_t)v);
    }
}

void rec_p(struct rec *r, const char *key, const void *p) { rec_u(r, key, (uint64_t)(uintptr_t)p); }

void rec_s(struct rec *r, const char *key, const char *s)
{
    if (strcmp(key, "ub") == 0)
        r->urgent = 1;
    rec_key(r, key);
    rec_raw(r, "\"", 1);
    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            rec_raw(r, e, 2);
        } else if (c < 0x20) {
            char e[8];
            snprintf(e, sizeof(e), "\\u%04x", c);
            rec_raw(r, e, 6);
        } else {
            rec_raw(r, (const char *)&c, 1);
        }
    }
    rec_raw(r, "\"", 1);
}

/* flush writes the buffer (file_lock held). */
static void flush(void)
{
    if (g.fd >= 0 && g.buflen > 0)
        write_all(g.fd, g.buf, g.buflen);
    g.buflen = 0;
}

void rec_end(struct rec *r)
{
    r->buf[r->n++] = '}';
    r->buf[r->n++] = '\n';
    if (g.fd < 0)
        open_trace();
    pthread_mutex_lock(&g.file_lock);
    if (g.fd >= 0) {
        if (g.buflen + r->n > sizeof(g.buf))
            flush();
        memcpy(g.buf + g.buflen, r->buf, r->n);
        g.buflen += r->n;
        if (r->urgent)
            flush();
    }
    pthread_mutex_unlock(&g.file_lock);
}

/* open_trace opens this process's file and writes its start record. */
static void open_trace(void)
{
    char path[3200], exe[2048] = "", cwd[2048] = "";
    struct rec r;
    pthread_mutex_lock(&g.file_lock);
    if (g.fd >= 0 || !g.on) {
        pthread_mutex_unlock(&g.file_lock);
        return;
    }
    uint64_t seq = tr_seq();
    snprintf(path, sizeof(path), "%s/trace-%d-%llu.jsonl", g.dir, (int)g.pid, (unsigned long long)seq);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        pthread_mutex_unlock(&g.file_lock);
        return;
    }
    flock(fd, LOCK_SH);
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        cwd[0] = '\0';
    rec_begin(&r, "start", seq);
    rec_i(&r, "pid", g.pid);
    rec_i(&r, "ppid", g.ppid);
    if (g.fork_seq != 0)
        rec_u(&r, "fork", g.fork_seq);
    rec_s(&r, "exe", exe);
    rec_s(&r, "cwd", cwd);
    rec_s(&r, "openssl", OpenSSL_version(OPENSSL_VERSION));
    rec_i(&r, "forward", g.forward);
    r.buf[r.n++] = '}';
    r.buf[r.n++] = '\n';
    write_all(fd, r.buf, r.n);
    g.fd = fd;
    pthread_mutex_unlock(&g.file_lock);
}

unsigned tr_site(const void *pc, int entry)
{
    Dl_info info;
    struct rec r;
    unsigned h = (unsigned)(((uintptr_t)pc >> 2) * 2654435761u) % SITE_SLOTS, id = 0;
    pthread_mutex_lock(&g.site_lock);
    for (unsigned i = 0; i < SITE_SLOTS; i++) {
        unsigned k = (h + i) % SITE_SLOTS;
        if (g.site_pc[k] == pc) {
            id = g.site_id[k];
            pthread_mutex_unlock(&g.site_lock);
            return id;
        }
        if (g.site_pc[k] == NULL) {
            g.site_pc[k] = pc;
            g.site_id[k] = id = ++g.next_site;
            break;
        }
    }
    if (id == 0)
        id = ++g.next_site; /* table full: a fresh record each time */
    memset(&info, 0, sizeof(info));
    dladdr(pc, &info);
    /* dladdr names the main program by its argv[0], which programs such as
     * nginx overwrite: the checker takes the start record's exe instead. */
    if (info.dli_fbase != NULL && info.dli_fbase == g.main_base)
        info.dli_fname = "";
    rec_begin(&r, "site", tr_seq());
    rec_u(&r, "id", id);
    rec_p(&r, "pc", pc);
    rec_i(&r, "entry", entry);
    rec_s(&r, "obj", info.dli_fname);
    rec_p(&r, "base", info.dli_fbase);
    rec_s(&r, "sym", info.dli_sname);
    rec_p(&r, "saddr", info.dli_saddr);
    rec_end(&r);
    pthread_mutex_unlock(&g.site_lock);
    return id;
}

void call_begin(struct call *c, const char *fn, const void *ra)
{
    c->seq = tr_seq();
    c->site = tr_site(ra, 0);
    rec_begin(&c->r, "call", c->seq);
    rec_s(&c->r, "fn", fn);
    rec_u(&c->r, "site", c->site);
}

void call_end(struct call *c)
{
    rec_u(&c->r, "end", tr_seq());
    rec_end(&c->r);
}

static void before_fork(void)
{
    struct rec r;
    table_lock();
    pthread_mutex_lock(&g.site_lock);
    pthread_mutex_lock(&g.file_lock);
    g.fork_seq = tr_seq();
    if (g.fd >= 0) {
        rec_begin(&r, "fork", g.fork_seq);
        r.buf[r.n++] = '}';
        r.buf[r.n++] = '\n';
        flush();
        write_all(g.fd, r.buf, r.n);
    }
}

static void after_fork_parent(void)
{
    g.fork_seq = 0;
    pthread_mutex_unlock(&g.file_lock);
    pthread_mutex_unlock(&g.site_lock);
    table_unlock();
}

/* after_fork_child starts the child's own trace: its own file, its own
 * call sites; the tables (what is alive and owned) are inherited. */
static void after_fork_child(void)
{
    g.ppid = g.pid;
    g.pid = getpid();
    if (g.fd >= 0)
        close(g.fd);
    g.fd = -1;
    g.buflen = 0;
    memset(g.site_pc, 0, sizeof(g.site_pc));
    g.next_site = 0;
    pthread_mutex_unlock(&g.file_lock);
    pthread_mutex_unlock(&g.site_lock);
    table_unlock();
}

__attribute__((constructor)) static void recorder_init(void)
{
    const char *dir = getenv("SESSLIFE_TRACE_DIR");
    const char *fw = getenv("SESSLIFE_TRACE_FORWARD");
    void *ssl_fn = dlsym(RTLD_NEXT, "SSL_new");
    g.pid = getpid();
    g.ppid = getppid();
    if (dir == NULL || *dir == '\0' || strlen(dir) >= sizeof(g.dir) || ssl_fn == NULL)
        return;
    strcpy(g.dir, dir);
    g.forward = fw != NULL && strcmp(fw, "1") == 0;
    uintptr_t in_main = 0;
    Dl_info mi;
    dl_iterate_phdr(main_object, &in_main);
    if (in_main != 0 && dladdr((void *)in_main, &mi) != 0)
        g.main_base = mi.dli_fbase;
    dl_iterate_phdr(add_object, ssl_fn);
    dl_iterate_phdr(add_object, (void *)&CRYPTO_malloc);
    /* The recorder's own calls (a wrapper forwarding to libssl, which may
     * tail-call another interposed function) are not the application's. */
    dl_iterate_phdr(add_object, (void *)&recorder_init);
    char path[3200];
    snprintf(path, sizeof(path), "%s/seq", g.dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd >= 0) {
        fchmod(fd, 0666); /* whatever the umask: processes of other users share it */
        struct stat st;
        if (fstat(fd, &st) == 0 && st.st_size < 4096 && ftruncate(fd, 4096) != 0)
            st.st_size = -1;
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m != MAP_FAILED)
            g.seq = m;
        close(fd);
    }
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    table_init();
    g.on = 1;
}

__attribute__((destructor)) static void recorder_fini(void)
{
    struct rec r;
    if (!g.on || g.fd < 0)
        return;
    rec_begin(&r, "exit", tr_seq());
    rec_end(&r);
    pthread_mutex_lock(&g.file_lock);
    flush();
    pthread_mutex_unlock(&g.file_lock);
}

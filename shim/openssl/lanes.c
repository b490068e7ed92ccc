/*
 * lanes.c - the OpenSSL shim's requests, lanes and threads.
 */
#include "library.h"

/* ------------------------------------------------------------------------
 * Requests and lanes.
 * ------------------------------------------------------------------------ */

/* control runs a control operation (no call in flight) and frees it. */
static void control(struct shim *sh, struct request *rq)
{
    struct sbuf b = { 0 };

    if (strcmp(rq->op, "observe") == 0) {
        observe(sh, rq->id);
    } else {
        shim_reset(sh);
        sb_printf(&b, "{\"id\":%lld,\"ret\":0,\"events\":[]}", rq->id);
        write_line(sh, &b);
        free(b.s);
    }
    free(rq);
}

/* barrier runs control operation rq once no call is in flight: now, or by
 * the thread answering the last call, while this reader keeps its turn so
 * that nothing new starts meanwhile. The count of calls in flight is checked
 * again under the same lock as the barrier is posted: the last call can be
 * answered while held replies are written, and a barrier posted after that
 * would wait for an answer that never comes. */
static void barrier(struct shim *sh, struct request *rq)
{
    pthread_mutex_lock(&sh->mu);
    if (sh->inflight > 0) {
        pthread_mutex_unlock(&sh->mu);
        release_held(sh); /* do not hold replies back while waiting */
        pthread_mutex_lock(&sh->mu);
    }
    if (sh->inflight == 0) {
        pthread_mutex_unlock(&sh->mu);
        control(sh, rq);
        return;
    }
    sh->barrier = rq;
    while (sh->barrier != NULL)
        pthread_cond_wait(&sh->idle, &sh->mu);
    pthread_mutex_unlock(&sh->mu);
}

/* answered books one answered call (sh->mu held) and runs a waiting
 * barrier if it was the last in flight. */
static void answered(struct shim *sh)
{
    if (--sh->inflight > 0)
        return;
    if (sh->barrier != NULL) {
        struct request *rq = sh->barrier;

        pthread_mutex_unlock(&sh->mu);
        control(sh, rq);
        pthread_mutex_lock(&sh->mu);
        sh->barrier = NULL;
    }
    pthread_cond_broadcast(&sh->idle);
}

/* run_lane runs rq on its lane, then whatever queued up behind it. */
static void run_lane(struct shim *sh, struct request *rq)
{
    struct lane *l = &sh->lanes[rq->lane];

    for (;;) {
        serve(sh, rq);
        free(rq);
        pthread_mutex_lock(&sh->mu);
        answered(sh);
        rq = l->head;
        if (rq == NULL) {
            l->busy = 0;
            pthread_mutex_unlock(&sh->mu);
            return;
        }
        l->head = rq->next;
        if (l->head == NULL)
            l->tail = NULL;
        pthread_mutex_unlock(&sh->mu);
    }
}

/* pass_turn gives the reading turn away (sh->mu held): to a waiting thread,
 * or to a new one. If none can be started, the turn stays free until a
 * thread is done with its call, which only costs overlap. */
static void pass_turn(struct shim *sh)
{
    sh->reading = 0;
    if (sh->waiting > 0) {
        pthread_cond_signal(&sh->turn);
    } else if (sh->nthreads < MAX_THREADS && pthread_create(&sh->threads[sh->nthreads], NULL, worker, sh) == 0) {
        sh->nthreads++;
    } else if (sh->nthreads < MAX_THREADS) {
        fprintf(stderr, "shim: cannot start a thread; calls of other lanes wait\n");
    }
}

/* take_call books call rq read by the reader (sh->mu held). It returns 1
 * if the reader must run it now, 0 if it waits behind its lane's call. */
static int take_call(struct shim *sh, struct request *rq)
{
    struct lane *l = &sh->lanes[rq->lane];

    sh->inflight++;
    if (!l->busy) {
        l->busy = 1;
        return 1;
    }
    rq->next = NULL;
    if (l->tail != NULL)
        l->tail->next = rq;
    else
        l->head = rq;
    l->tail = rq;
    return 0;
}

/* next_line returns the next line of input without its newline,
 * NUL-terminated in place (valid until the next call), or NULL at the end. */
static char *next_line(struct input *in)
{
    for (;;) {
        char *nl = in->end > in->start ? memchr(in->buf + in->start, '\n', in->end - in->start) : NULL;
        ssize_t n;

        if (nl != NULL || (in->eof && in->end > in->start)) {
            char *line = in->buf + in->start;

            if (nl == NULL)
                nl = in->buf + in->end; /* the last line has no newline; cap > end */
            *nl = '\0';
            in->start = (size_t)(nl - in->buf) + 1;
            if (in->start > in->end)
                in->start = in->end;
            return line;
        }
        if (in->eof)
            return NULL;
        if (in->start > 0) {
            memmove(in->buf, in->buf + in->start, in->end - in->start);
            in->end -= in->start;
            in->start = 0;
        }
        in->buf = must_grow(in->buf, &in->cap, in->end + 4096, 1);
        n = read(STDIN_FILENO, in->buf + in->end, in->cap - in->end - 1);
        if (n > 0)
            in->end += (size_t)n;
        else if (n == 0 || errno != EINTR)
            in->eof = 1;
    }
}

/* control_next reports whether the next line has arrived and holds a
 * control operation; it consumes nothing. */
static int control_next(struct input *in)
{
    char *line, *nl;
    struct request rq;
    char err[256];
    int yes;

    if (in->end == in->start)
        return 0;
    line = in->buf + in->start;
    nl = memchr(line, '\n', in->end - in->start);
    if (nl == NULL)
        return 0;
    *nl = '\0';
    yes = shim_parse_request(line, &rq, err, sizeof(err)) == 0 && parse_op(rq.op) >= OP_OBSERVE;
    *nl = '\n';
    return yes;
}

/* read_request reads lines until one holds a call or a control operation,
 * answering the lines that are neither. It returns NULL at end of input. */
static struct request *read_request(struct shim *sh)
{
    char *s;

    while ((s = next_line(&sh->in)) != NULL) {
        struct request *rq;
        char err[256] = "";
        size_t n = strlen(s);

        while (n > 0 && s[n - 1] == '\r')
            s[--n] = '\0';
        if (n == 0)
            continue;
        rq = malloc(sizeof(*rq));
        if (rq == NULL)
            abort();
        if (shim_parse_request(s, rq, err, sizeof(err)) != 0) {
            reply_error(sh, rq->id > 0 ? rq->id : 0, err);
        } else if (parse_op(rq->op) == OP_UNKNOWN) {
            struct sbuf b = { 0 };

            sb_printf(&b, "{\"id\":%lld,\"unimplemented\":true}", rq->id);
            write_line(sh, &b);
            free(b.s);
        } else if (parse_op(rq->op) < OP_OBSERVE && rq->now < 0) {
            reply_error(sh, rq->id, "\"now\" is missing");
        } else {
            return rq;
        }
        free(rq);
    }
    return NULL;
}

/* read_turn reads while this thread has the reading turn: it runs control
 * operations as barriers, queues calls for busy lanes, runs a call itself
 * when a control operation follows it, and returns the first call this
 * thread must run after passing the turn on (sh->mu held), or NULL once
 * input has ended. */
static struct request *read_turn(struct shim *sh)
{
    for (;;) {
        struct request *rq = read_request(sh);
        int quit = rq == NULL || parse_op(rq->op) == OP_QUIT;

        if (rq != NULL && parse_op(rq->op) >= OP_OBSERVE) {
            barrier(sh, rq);
            rq = NULL;
        }
        release_held(sh);
        pthread_mutex_lock(&sh->mu);
        if (quit) {
            sh->stopping = 1;
            sh->reading = 0;
            pthread_cond_broadcast(&sh->turn);
            return NULL;
        }
        if (rq != NULL && take_call(sh, rq)) {
            if (!control_next(&sh->in)) {
                pass_turn(sh);
                return rq;
            }
            pthread_mutex_unlock(&sh->mu);
            holding = 1; /* until the control operation is answered */
            run_lane(sh, rq);
            continue;
        }
        pthread_mutex_unlock(&sh->mu);
    }
}

/* worker is every thread's loop, the main thread's included: wait for the
 * reading turn, read, run the call read. It returns once input has ended. */
void *worker(void *arg)
{
    struct shim *sh = arg;

    pthread_mutex_lock(&sh->mu);
    for (;;) {
        struct request *rq;

        while (sh->reading && !sh->stopping) {
            sh->waiting++;
            pthread_cond_wait(&sh->turn, &sh->mu);
            sh->waiting--;
        }
        if (sh->stopping)
            break;
        sh->reading = 1;
        pthread_mutex_unlock(&sh->mu);
        rq = read_turn(sh);
        if (rq == NULL)
            break;
        pthread_mutex_unlock(&sh->mu);
        run_lane(sh, rq);
        pthread_mutex_lock(&sh->mu);
    }
    pthread_mutex_unlock(&sh->mu);
    free(held.s);
    held = (struct sbuf){ 0 };
    return NULL;
}

/* wait_idle waits until no call is in flight. */
void wait_idle(struct shim *sh)
{
    pthread_mutex_lock(&sh->mu);
    while (sh->inflight > 0)
        pthread_cond_wait(&sh->idle, &sh->mu);
    pthread_mutex_unlock(&sh->mu);
}

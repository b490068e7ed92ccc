/*
 * lanes.c - the request loop of a shim that runs calls on threads
 * (SHIM_THREADS 1: the OpenSSL shim, "concurrent": true).
 *
 * The threads of the shim take turns reading stdin (a leader/followers
 * pool): the thread that reads a call for an idle lane hands the reading
 * turn to an idle thread (starting one if none is idle) and runs the call
 * itself, so a call costs no thread hand-off before it runs. Control
 * operations are barriers run by the thread that answers the last call in
 * flight, or by the reader when nothing is in flight. When the line after
 * a call has already arrived and is a control operation, nothing could run
 * beside the call anyway, so the reader keeps its turn and runs both (the
 * harness sends a call and the observation after it in one write).
 */
#include "shim.h"

#if !SHIM_THREADS
#error "lanes.c is the loop of a shim with SHIM_THREADS 1; others build serial.c"
#endif

#include <stdio.h>
#include <stdlib.h>

/* run_control runs a control operation (no call in flight) and frees it. */
static void run_control(struct shim *sh, struct request *rq)
{
    control(sh, rq);
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
        run_control(sh, rq);
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
        run_control(sh, rq);
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

static void *worker(void *arg);

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

/* next_request reads the next request into a new struct (lanes queue
 * them); NULL at end of input. */
static struct request *next_request(struct shim *sh)
{
    struct request *rq = malloc(sizeof(*rq));

    if (rq == NULL)
        abort();
    if (read_request(sh, rq))
        return rq;
    free(rq);
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
        struct request *rq = next_request(sh);
        int quit = rq == NULL || rq->code == OP_QUIT;

        if (rq != NULL && rq->code >= OP_OBSERVE) {
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
            hold_replies(); /* until the control operation is answered */
            run_lane(sh, rq);
            continue;
        }
        pthread_mutex_unlock(&sh->mu);
    }
}

/* worker is every thread's loop, the main thread's included: wait for the
 * reading turn, read, run the call read. It returns once input has ended. */
static void *worker(void *arg)
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
    forget_held();
    return NULL;
}

void shim_serve(struct shim *sh)
{
    worker(sh);
    /* Every thread ends once input has: joining them lets the library free
     * their thread-local state before the sanitizers look for leaks. */
    for (int i = 0; i < sh->nthreads; i++)
        pthread_join(sh->threads[i], NULL);
    pthread_mutex_lock(&sh->mu);
    while (sh->inflight > 0)
        pthread_cond_wait(&sh->idle, &sh->mu);
    pthread_mutex_unlock(&sh->mu);
}

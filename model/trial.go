package model

import (
	"slices"
	"sync"
)

// Some checks can only tell what a call would do by doing it: a trial
// step on a copy of the state (wolfSSL's and BoringSSL's refusals, the
// external caches' violations, SSL_set_session's freed session). They run
// before every call the engines make, so a fresh Clone each time was most
// of what a checked wolfSSL call allocated (docs/perf.md). A trial copy is
// instead made into a State kept in trialStates: the pool is only a cache
// of memory, no copy outlives its trial and none is seen by two trials.
var trialStates = sync.Pool{New: func() any { return new(State) }}

// tryOn runs f on a trial stepper over a copy of s (with op, for the
// checks that need it) and returns what f returns; the copy is discarded.
func tryOn[T any](s *State, op Op, f func(trial *stepper) T) T {
	c := trialStates.Get().(*State)
	s.cloneInto(c)
	res := f(&stepper{State: c, op: op})
	trialStates.Put(c)
	return res
}

// cloneInto makes c the deep copy Clone returns, reusing the arrays c
// already has. c never shares an array with s: its arrays were made for
// it, and append grows them apart from s's.
func (s *State) cloneInto(c *State) {
	ctxs, ssls, objs, named, tickets, rows := c.ctxs, c.ssls, c.objs, c.named, c.tickets, c.rows
	*c = *s
	c.ctxs = reuse(ctxs, s.ctxs)
	for i := range c.ctxs {
		c.ctxs[i].list = slices.Clone(c.ctxs[i].list)
		c.ctxs[i].store = slices.Clone(c.ctxs[i].store)
	}
	c.ssls = reuse(ssls, s.ssls)
	for i := range c.ssls {
		c.ssls[i].pending = slices.Clone(c.ssls[i].pending)
		c.ssls[i].buffered = slices.Clone(c.ssls[i].buffered)
	}
	c.objs = reuse(objs, s.objs)
	c.named = reuse(named, s.named)
	c.tickets = reuse(tickets, s.tickets)
	c.rows = reuse(rows, s.rows)
}

// reuse returns a copy of src in dst's array when dst has one, else as
// slices.Clone makes it (nil for nil).
func reuse[S ~[]E, E any](dst, src S) S {
	if dst == nil || src == nil {
		return slices.Clone(src)
	}
	return append(dst[:0], src...)
}

package linearizability

import "sync/atomic"

// DefaultMemoryBudget bounds the memory the search of one universe may
// spend on the states porcupine keeps, when Options.MemoryBudget is zero.
const DefaultMemoryBudget = 1 << 30

// DefaultStepBudget bounds the model steps the search of one universe may
// try, when Options.StepBudget is zero. A linearizable universe takes
// about one step per call (a default run of 8 clients, about 5,800 calls in
// 4 universes, took at most 9,536 steps in 100 runs), and the failing
// universes of the concurrent mutants' runs a few thousand: the budget
// leaves room for a thousand times that.
const DefaultStepBudget = 10_000_000

// budget bounds the search of one universe, in counts, never in time, so
// that a verdict does not depend on the machine: the model steps porcupine
// tries, and the states it keeps (porcupine caches every state it reaches,
// and a search that backtracks a lot can fill the machine's memory long
// before it has tried many steps). Each kept state is charged its estimated
// size in bytes, computed from its bijection and keys: the same on every
// machine. Once the budget is spent, or the search is stopped because an
// earlier universe failed, every step fails, porcupine unwinds at once, and
// Check reports the universe as undecided (or ignores it), never as a
// violation.
type budget struct {
	bytes int64 // left to spend on kept states
	steps int64 // model steps left
	out   bool  // bytes or steps ran out

	stop atomic.Bool // set by another goroutine: the result is not needed
}

func newBudget(bytes, steps int64) *budget {
	return &budget{bytes: bytes, steps: steps}
}

// step accounts for one model step and reports whether the search may go
// on. A nil budget allows everything. Only the goroutine searching the
// universe calls step, spend and refund.
func (b *budget) step() bool {
	if b == nil {
		return true
	}
	if b.steps--; b.steps < 0 {
		b.out = true
	}
	return !b.out && !b.stop.Load()
}

// spend accounts for one more kept state of the given size and reports
// whether the budget allows it.
func (b *budget) spend(bytes int64) bool {
	if b == nil {
		return true
	}
	if b.bytes -= bytes; b.bytes < 0 {
		b.out = true
	}
	return !b.out
}

// refund gives back the share of a state porcupine did not keep. Once the
// budget has run out it stays out: the search has already been cut short.
func (b *budget) refund(bytes int64) {
	if b != nil {
		b.bytes += bytes
	}
}

func (b *budget) exhausted() bool { return b != nil && b.out }

// again gives a search that starts over the whole memory budget again
// (the states of the search abandoned are gone) and what is left of its
// steps.
func (b *budget) again(bytes int64) {
	b.bytes = bytes
}

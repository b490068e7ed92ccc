package linearizability

import "sync/atomic"

// DefaultMemoryBudget bounds the memory a check may spend on the states
// porcupine keeps, when Options.MemoryBudget is zero.
const DefaultMemoryBudget = 4 << 30

// budget bounds the states porcupine keeps: it caches every state it
// reaches, and a search that backtracks a lot (a history that is not
// linearizable, with many clients) can fill the machine's memory long
// before its time limit. Once the budget is spent every step fails, the
// search ends at once, and Check reports the verdict as unknown, never as a
// violation.
type budget struct {
	left atomic.Int64
	out  atomic.Bool
}

func newBudget(bytes int64) *budget {
	b := &budget{}
	b.left.Store(bytes)
	return b
}

// spend accounts for one more kept state of the given size and reports
// whether the budget allows it. A nil budget allows everything.
func (b *budget) spend(bytes int64) bool {
	if b == nil {
		return true
	}
	if b.left.Add(-bytes) < 0 {
		b.out.Store(true)
	}
	return !b.out.Load()
}

func (b *budget) exhausted() bool { return b != nil && b.out.Load() }

// stateBytes estimates the average size of a model state of a universe
// with n records: model.State.Clone copies every session object and ticket
// ever made, which grow through the universe (measured: about 25 bytes per
// record for its last state, half that on average).
func stateBytes(n int) int64 { return 2048 + 16*int64(n) }

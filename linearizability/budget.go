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

// refund gives back the share of a state porcupine did not keep. Once the
// budget has run out it stays out: the search has already been cut short.
func (b *budget) refund(bytes int64) {
	if b != nil {
		b.left.Add(bytes)
	}
}

func (b *budget) exhausted() bool { return b != nil && b.out.Load() }

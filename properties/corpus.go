package properties

import (
	"slices"

	"github.com/sesslife/sesslife/model"
)

// The search keeps, as go fuzz keeps inputs that reach new coverage, the
// choices of sequences that made a rare rule fire, and starts later
// sequences from them: a sequence replays the choices up to the rare
// event (or a little past it) and goes on with fresh ones, so the paths
// behind rare rules (resumption after the cache or the session was
// disturbed) are explored again and again instead of once in thousands.
// Everything stays deterministic: the corpus of sequence i depends only on
// the sequences before it in the same shard.

// rareFires is how many times a rule may have fired for a sequence that
// fires it to be kept; keepFires is how often it may have fired since for
// its entry to still be used.
const (
	rareFires   = 5
	keepFires   = 60
	corpusLimit = 64
)

type corpusEntry struct {
	rule    model.Rule
	choices []int
	cut     int // the choices up to and including the call that fired rule
	mix     *Mix
	limits  Limits
	calls   int // the sequence's length
}

// corpus holds one entry per rare rule, the first sequence that fired it.
type corpus struct{ entries []corpusEntry }

func (c *corpus) add(e corpusEntry) {
	if len(c.entries) == corpusLimit {
		return
	}
	for _, x := range c.entries {
		if x.rule == e.rule {
			return
		}
	}
	c.entries = append(c.entries, e)
}

// live returns the entries whose rule is still rare in cov, the rarest
// first (at most four of them, so that the rarest get the replays).
func (c *corpus) live(cov *Coverage) []corpusEntry {
	var out []corpusEntry
	for _, e := range c.entries {
		keep := keepFires
		if e.calls > marathonCalls/2 {
			keep = 2 * rareFires // a marathon is dear: replay it less
		}
		if cov.Fires[e.rule] < keep {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b corpusEntry) int { return cov.Fires[a.rule] - cov.Fires[b.rule] })
	return out[:min(len(out), 4)]
}

// recorder is a Source that remembers every choice it made.
type recorder struct {
	src     Source
	choices []int
}

func (r *recorder) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	v := r.src.Intn(n)
	r.choices = append(r.choices, v)
	return v
}

// replayer is a Source that repeats a prefix of recorded choices, then
// draws fresh ones.
type replayer struct {
	prefix []int
	pos    int
	rest   Source
}

func (r *replayer) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	if r.pos < len(r.prefix) {
		v := r.prefix[r.pos]
		r.pos++
		return v % n
	}
	return r.rest.Intn(n)
}

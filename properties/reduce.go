package properties

import (
	"context"
	"slices"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Reduction is what Reduce made of a failing sequence.
type Reduction struct {
	Ops []model.Op
	// Tries is how many candidates were run on the target (each call of
	// fails).
	Tries int
	// Minimal is true when the last pass over Ops found nothing to drop:
	// removing any one call, or any SSL_CTX or SSL with every call that
	// uses it, makes the sequence pass. It is false only when the budget
	// ran out first.
	Minimal bool
}

// Reduce shrinks ops while fails still holds, for at most budget
// evaluations of fails, and deterministically: the same ops, budget and
// predicate give the same result on any machine, however loaded, because
// nothing depends on time. It removes chunks of calls (halving the chunk
// size down to one call, so no-op calls such as tick(0) go), merges ticks,
// puts SSL_CTX
// options back to their defaults, and removes whole objects (an SSL_CTX or
// SSL with every call that uses it, and the sessions those calls named),
// and repeats until a whole pass changes nothing.
//
// Removing calls renumbers what comes after them: SSL_CTX and SSL handles
// after a removed SSL_CTX_new or SSL_new move down, and session handles
// follow the calls that first showed each session. A candidate that is not
// legal from an empty universe of profile p is never run.
func Reduce(ops []model.Op, p model.Profile, fails func([]model.Op) bool, budget int) Reduction {
	ops = slices.Clone(ops)
	tries := 0
	try := func(cand []model.Op) bool {
		if tries >= budget {
			return false
		}
		tries++
		return fails(cand)
	}
	for tries < budget {
		progress := false
		for size := max(1, len(ops)/2); size >= 1; size /= 2 {
			for i := len(ops) - size; i >= 0 && tries < budget; i-- {
				if i+size > len(ops) {
					continue
				}
				if cand, ok := without(p, ops, i, i+size); ok && try(cand) {
					ops, progress = cand, true
				}
			}
		}
		for i := len(ops) - 1; i >= 0 && tries < budget; i-- {
			if i >= len(ops) || !creates(ops[i]) {
				continue
			}
			if cand, ok := withoutObject(p, ops, i); ok && try(cand) {
				ops, progress = cand, true
			}
		}
		if cand, ok := mergeTicks(p, ops); ok && tries < budget && try(cand) {
			ops, progress = cand, true
		}
		for i := range ops {
			if ops[i].Kind != model.CtxNew {
				continue
			}
			for _, c := range simplerConfigs(ops[i].Config) {
				cand := slices.Clone(ops)
				cand[i].Config = c
				if Legal(p, cand) && try(cand) {
					ops, progress = cand, true
					break
				}
			}
		}
		if !progress {
			return Reduction{Ops: ops, Tries: tries, Minimal: true}
		}
	}
	return Reduction{Ops: ops, Tries: tries}
}

// Legal reports whether ops is legal and modelled from an empty universe of
// profile p.
func Legal(p model.Profile, ops []model.Op) bool {
	s := model.New(p)
	for _, op := range ops {
		if _, err := s.Step(op); err != nil {
			return false
		}
	}
	return true
}

// RunOps runs ops on tgt and on the model in lockstep from an empty
// universe (tgt is Reset first, and Reset again at the end to catch a
// target that fails while discarding the universe), with window calls in
// flight on a pipelining target. It returns nil when they agree on every
// call, a *Divergence when they do not, or another error when the sequence
// itself is not legal or the target cannot be reset.
func RunOps(ctx context.Context, tgt target.Target, p model.Profile, ops []model.Op, window int) error {
	ls, err := NewLockstep(ctx, tgt, p)
	if err != nil {
		return err
	}
	ls.SetWindow(window)
	for _, op := range ops {
		if err := ls.Do(ctx, op); err != nil {
			return err
		}
	}
	return ls.Finish(ctx)
}

func creates(op model.Op) bool { return op.Kind == model.CtxNew || op.Kind == model.SSLNew }

// mergeTicks tries, from the end, to move the time of the nearest earlier
// tick onto a later one (two ticks become one); false when no legal
// candidate is left.
func mergeTicks(p model.Profile, ops []model.Op) ([]model.Op, bool) {
	for j := len(ops) - 1; j > 0; j-- {
		if ops[j].Kind != model.Tick {
			continue
		}
		for i := j - 1; i >= 0; i-- {
			if ops[i].Kind != model.Tick {
				continue
			}
			cand := slices.Clone(ops)
			cand[j].Arg += cand[i].Arg
			cand = slices.Delete(cand, i, i+1)
			if Legal(p, cand) {
				return cand, true
			}
			break
		}
	}
	return nil, false
}

// simplerConfigs returns c with one option put back to its default, for
// each option c changes.
func simplerConfigs(c model.CtxConfig) []model.CtxConfig {
	d := model.DefaultConfig(c.Side)
	var out []model.CtxConfig
	add := func(changed bool, reset func(*model.CtxConfig)) {
		if changed {
			x := c
			reset(&x)
			out = append(out, x)
		}
	}
	add(c.DefaultMode != d.DefaultMode || c.CacheMode != d.CacheMode, func(x *model.CtxConfig) {
		x.DefaultMode, x.CacheMode = d.DefaultMode, d.CacheMode
	})
	add(c.CacheSize != d.CacheSize, func(x *model.CtxConfig) { x.CacheSize = d.CacheSize })
	add(c.Timeout != d.Timeout, func(x *model.CtxConfig) { x.Timeout = d.Timeout })
	add(c.NumTickets != d.NumTickets, func(x *model.CtxConfig) { x.NumTickets = d.NumTickets })
	add(c.NoTicket != d.NoTicket, func(x *model.CtxConfig) { x.NoTicket = d.NoTicket })
	add(c.NewCB != d.NewCB, func(x *model.CtxConfig) { x.NewCB = d.NewCB })
	add(c.GetCB != d.GetCB, func(x *model.CtxConfig) { x.GetCB = d.GetCB })
	add(c.RemoveCB != d.RemoveCB, func(x *model.CtxConfig) { x.RemoveCB = d.RemoveCB })
	return out
}

// without returns ops minus ops[from:to], renumbered as Reduce says, or
// false when what is left is not a legal sequence.
func without(p model.Profile, ops []model.Op, from, to int) ([]model.Op, bool) {
	drop := make([]bool, len(ops))
	for i := from; i < to; i++ {
		drop[i] = true
	}
	return rebuild(p, ops, drop, false)
}

// withoutObject returns ops without the SSL_CTX or SSL that ops[i]
// creates and without every call that uses it, or that uses an object or a
// session which only those calls made or named.
func withoutObject(p model.Profile, ops []model.Op, i int) ([]model.Op, bool) {
	drop := make([]bool, len(ops))
	drop[i] = true
	return rebuild(p, ops, drop, true)
}

// rebuild replays ops on two models, the original and the candidate that
// leaves out the calls marked in drop, renumbering handles. With cascade,
// a call that refers to something gone, or that the candidate model
// refuses, is dropped too; without it, such a call makes the candidate
// illegal (false).
func rebuild(p model.Profile, ops []model.Op, drop []bool, cascade bool) ([]model.Op, bool) {
	var ctxGone, sslGone []model.Handle
	orig, cand := model.New(p), model.New(p)
	sessMap := map[model.Handle]model.Handle{}
	out := make([]model.Op, 0, len(ops))
	for i, op := range ops {
		before := orig.NamedSessions()
		if _, err := orig.Step(op); err != nil {
			return nil, false
		}
		keep := !drop[i]
		var renamed model.Op
		if keep {
			renamed, keep = renumber(op, ctxGone, sslGone, sessMap)
			if !keep && !cascade {
				return nil, false
			}
		}
		candBefore := cand.NamedSessions()
		if keep {
			if _, err := cand.Step(renamed); err != nil {
				if !cascade {
					return nil, false
				}
				keep = false
			}
		}
		if !keep {
			switch op.Kind {
			case model.CtxNew:
				ctxGone = append(ctxGone, op.Ctx)
			case model.SSLNew:
				sslGone = append(sslGone, op.SSL)
			}
			continue
		}
		named, candNamed := orig.NamedSessions()-before, cand.NamedSessions()-candBefore
		for k := 0; k < min(named, candNamed); k++ {
			sessMap[model.Handle(before+k+1)] = model.Handle(candBefore + k + 1)
		}
		out = append(out, renamed)
	}
	if len(out) == len(ops) {
		return nil, false
	}
	return out, true
}

// renumber moves op's handles to the candidate's numbering; false when op
// refers to an object or session the candidate does not have.
func renumber(op model.Op, ctxGone, sslGone []model.Handle, sessMap map[model.Handle]model.Handle) (model.Op, bool) {
	var ok1, ok2, ok3 bool
	op.Ctx, ok1 = shift(op.Ctx, ctxGone)
	op.SSL, ok2 = shift(op.SSL, sslGone)
	op.Peer, ok3 = shift(op.Peer, sslGone)
	if !ok1 || !ok2 || !ok3 {
		return op, false
	}
	if op.Sess != 0 {
		h, ok := sessMap[op.Sess]
		if !ok {
			return op, false
		}
		op.Sess = h
	}
	return op, true
}

// shift renumbers h after the handles in gone were removed.
func shift(h model.Handle, gone []model.Handle) (model.Handle, bool) {
	if h == 0 {
		return 0, true
	}
	n := model.Handle(0)
	for _, g := range gone {
		switch {
		case g == h:
			return 0, false
		case g < h:
			n++
		}
	}
	return h - n, true
}

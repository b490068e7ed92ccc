package fuzz

import (
	"slices"

	"github.com/sesslife/sesslife/model"
)

// Shrinking here is the fuzz engine's own, used by the mutant kill table:
// `go test -fuzz` minimises failing inputs itself, but a deterministic
// loop outside go test needs its own. Both shrinkers are greedy delta
// debugging bounded by a number of evaluations.

// ShrinkBytes returns a shorter or simpler input on which fails still holds
// for the decoded calls: it removes chunks of bytes (halving the chunk size
// down to one byte), then lowers single bytes toward 0 (the plainest
// choice), and repeats while that helps, for at most budget evaluations.
// Because the bytes are choices among the objects alive at each step,
// removing a call renumbers the handles after it for free.
func ShrinkBytes(data []byte, cfg Config, fails func([]model.Op) bool, budget int) []byte {
	try := func(cand []byte) bool {
		if budget <= 0 {
			return false
		}
		budget--
		ops, err := Decode(cand, cfg)
		return err == nil && fails(ops)
	}
	data = slices.Clone(data)
	for progress := true; progress && budget > 0; {
		progress = false
		for size := len(data) / 2; size >= 1; size /= 2 {
			for i := len(data) - size; i >= 0; i-- {
				if i+size > len(data) {
					continue
				}
				cand := slices.Concat(data[:i], data[i+size:])
				if try(cand) {
					data, progress = cand, true
				}
			}
		}
		for i := range data {
			for _, v := range []byte{0, data[i] / 2, data[i] - 1} {
				if v >= data[i] {
					continue
				}
				cand := slices.Clone(data)
				cand[i] = v
				if try(cand) {
					data, progress = cand, true
					break
				}
			}
		}
	}
	return data
}

// ShrinkOps removes calls from ops while the sequence stays legal (from an
// empty universe, profile p) and fails still holds, merges pairs of ticks,
// then resets SSL_CTX options one at a time to their defaults while it
// still fails, for at most
// budget evaluations of fails. Removing a call renumbers what comes after
// it: SSL_CTX and SSL handles after a removed SSL_CTX_new or SSL_new move
// down, and session handles follow the calls that first showed each
// session. A candidate that still uses a removed object is skipped.
func ShrinkOps(ops []model.Op, p model.Profile, fails func([]model.Op) bool, budget int) []model.Op {
	ops = slices.Clone(ops)
	try := func(cand []model.Op) bool {
		if budget <= 0 {
			return false
		}
		budget--
		return fails(cand)
	}
	for progress := true; progress && budget > 0; {
		progress = false
		for size := max(1, len(ops)/2); size >= 1; size /= 2 {
			for i := len(ops) - size; i >= 0 && budget > 0; i-- {
				if i+size > len(ops) {
					continue
				}
				if cand, ok := without(p, ops, i, i+size); ok && try(cand) {
					ops, progress = cand, true
				}
			}
		}
		// Two ticks become one: the later takes the earlier's seconds.
		for j := len(ops) - 1; j > 0 && budget > 0; j-- {
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
				if Legal(p, cand) && try(cand) {
					ops, progress = cand, true
				}
				break
			}
		}
		for i, op := range ops {
			if op.Kind != model.CtxNew {
				continue
			}
			for _, c := range simplerConfigs(op.Config) {
				cand := slices.Clone(ops)
				cand[i].Config = c
				if Legal(p, cand) && try(cand) {
					ops, progress = cand, true
					break
				}
			}
		}
	}
	return ops
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
	add(c.RemoveCB != d.RemoveCB, func(x *model.CtxConfig) { x.RemoveCB = d.RemoveCB })
	return out
}

// without returns ops minus ops[from:to], renumbered as ShrinkOps says, or
// false when what is left is not a legal sequence.
func without(p model.Profile, ops []model.Op, from, to int) ([]model.Op, bool) {
	var ctxGone, sslGone []model.Handle
	for _, op := range ops[from:to] {
		switch op.Kind {
		case model.CtxNew:
			ctxGone = append(ctxGone, op.Ctx)
		case model.SSLNew:
			sslGone = append(sslGone, op.SSL)
		}
	}
	// Replay both sequences on the model: the original to learn which
	// session handles each call names, the candidate to learn what they
	// become.
	orig, cand := model.New(p), model.New(p)
	sessMap := map[model.Handle]model.Handle{}
	out := make([]model.Op, 0, len(ops)-(to-from))
	for i, op := range ops {
		before := orig.NamedSessions()
		if _, err := orig.Step(op); err != nil {
			return nil, false
		}
		if i >= from && i < to {
			continue
		}
		var ok1, ok2, ok3 bool
		op.Ctx, ok1 = shift(op.Ctx, ctxGone)
		op.SSL, ok2 = shift(op.SSL, sslGone)
		op.Peer, ok3 = shift(op.Peer, sslGone)
		if !ok1 || !ok2 || !ok3 {
			return nil, false
		}
		if op.Sess != 0 {
			h, ok := sessMap[op.Sess]
			if !ok {
				return nil, false
			}
			op.Sess = h
		}
		candBefore := cand.NamedSessions()
		if _, err := cand.Step(op); err != nil {
			return nil, false
		}
		named, candNamed := orig.NamedSessions()-before, cand.NamedSessions()-candBefore
		for k := 0; k < min(named, candNamed); k++ {
			sessMap[model.Handle(before+k+1)] = model.Handle(candBefore + k + 1)
		}
		out = append(out, op)
	}
	return out, true
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

package linearizability

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/anishathalye/porcupine"
	"github.com/sesslife/sesslife/model"
)

// universe is one epoch of a history, relabelled for the model: SSL_CTX and
// SSL handles become the model's (their creation rank: creations never
// overlap, so their linearization order is their call order), session
// handles become dense local ids that the checker's bijection pairs with
// the model's session handles.
type universe struct {
	id   int
	prof model.Profile
	recs []*Record // in call order
	ops  []porcupine.Operation

	ctxs, ssls []model.Handle // local handle-1 -> target handle
	sess       []model.Handle // local id-1 -> target session handle

	ctxOf, sslOf, sessOf map[model.Handle]model.Handle // target handle -> local

	budget *budget // what the search of the universe may still spend
	search search  // the state of porcupine's search of the universe
	keyCap int     // the longest key so far, to size the next one
	charge int64   // what a state costs the budget besides its key (stateCharge)
}

// input is what porcupine sees as an operation's input.
type input struct {
	u     *universe
	rec   *Record
	what  What
	op    model.Op // local handles
	clock int64
	obs   model.Observation // local handles, sorted
}

// output is what porcupine sees as an operation's output.
type output struct {
	res    model.Result // local handles
	failed bool
}

// split cuts a history into universes and checks the conditions that make
// checking them apart sound (package doc): every call of a universe uses
// only that universe's objects, each universe starts with its Begin, SSL_CTX
// and SSL creations do not overlap, and the clock moves only while every
// universe is quiescent.
func split(h *History) ([]*universe, error) {
	byID := map[int]*universe{}
	for i := range h.Records {
		rec := &h.Records[i]
		if rec.Call < 0 || rec.Return < rec.Call {
			return nil, fmt.Errorf("linearizability: record %d (%s): return %d before call %d", i, rec, rec.Return, rec.Call)
		}
		u := byID[rec.Universe]
		if u == nil {
			u = &universe{id: rec.Universe, prof: h.Profile, ctxOf: map[model.Handle]model.Handle{},
				sslOf: map[model.Handle]model.Handle{}, sessOf: map[model.Handle]model.Handle{}}
			byID[rec.Universe] = u
		}
		u.recs = append(u.recs, rec)
	}
	us := make([]*universe, 0, len(byID))
	for _, u := range byID {
		us = append(us, u)
	}
	slices.SortFunc(us, func(a, b *universe) int { return cmp.Compare(a.id, b.id) })
	if err := checkClock(h, us); err != nil {
		return nil, err
	}
	owner := map[model.Handle]int{} // target session handle -> universe that showed it first
	for _, u := range us {
		slices.SortStableFunc(u.recs, func(a, b *Record) int { return cmp.Compare(a.Call, b.Call) })
		if err := u.number(owner); err != nil {
			return nil, err
		}
		if err := u.build(); err != nil {
			return nil, err
		}
		u.search.seed, u.search.maxCompares = maphash.MakeSeed(), comparesPerOp*len(u.ops)
		u.charge = stateCharge(len(u.ops))
	}
	return us, nil
}

// checkClock verifies that ticks are barriers and that each universe's
// Begin carries the clock its calls run at.
func checkClock(h *History, us []*universe) error {
	clock := h.Profile.StartTime
	type span struct{ first, last int64 }
	spans := map[int]span{}
	for _, u := range us {
		sp := span{first: u.recs[0].Call, last: u.recs[0].Return}
		for _, r := range u.recs {
			sp.first, sp.last = min(sp.first, r.Call), max(sp.last, r.Return)
		}
		spans[u.id] = sp
	}
	var ticks []*Record
	for i := range h.Records {
		if r := &h.Records[i]; r.What == Call && r.Op.Kind == model.Tick {
			ticks = append(ticks, r)
		}
	}
	for _, t := range ticks {
		for i := range h.Records {
			r := &h.Records[i]
			if r != t && r.Call <= t.Return && t.Call <= r.Return {
				return fmt.Errorf("linearizability: %s overlaps %s: time may move only at a quiescent point", t, r)
			}
		}
		for id, sp := range spans {
			if id != t.Universe && sp.first < t.Call && t.Return < sp.last {
				return fmt.Errorf("linearizability: %s happens while universe %d is open: time is shared, so universes cannot be checked apart", t, id)
			}
		}
	}
	for _, u := range us {
		b := u.recs[0]
		for _, r := range u.recs {
			if r.Call < b.Call {
				b = r
			}
		}
		if b.What != Begin {
			return fmt.Errorf("linearizability: universe %d starts with %s, not with its Begin", u.id, b)
		}
		want := clock
		for _, t := range ticks {
			if t.Return < b.Call && !t.Failed {
				want += t.Op.Arg
			}
		}
		if b.Clock != want {
			return fmt.Errorf("linearizability: %s: the clock should read %d after the ticks before it", b, want)
		}
	}
	return nil
}

// number gives every SSL_CTX, SSL and session of the universe its local
// handle, and rejects handles that belong to another universe.
func (u *universe) number(owner map[model.Handle]int) error {
	begins := 0
	var lastCtx, lastSSL *Record
	for _, r := range u.recs {
		switch r.What {
		case Begin:
			begins++
			if begins > 1 {
				return fmt.Errorf("linearizability: universe %d has a second Begin: %s", u.id, r)
			}
			if r != u.recs[0] || (len(u.recs) > 1 && r.Return >= u.recs[1].Call) {
				return fmt.Errorf("linearizability: %s does not precede every call of universe %d", r, u.id)
			}
			continue
		case Observe:
			continue
		}
		switch r.Op.Kind {
		case model.CtxNew:
			if lastCtx != nil && lastCtx.Return >= r.Call {
				return fmt.Errorf("linearizability: %s overlaps %s: SSL_CTX creations must not overlap", r, lastCtx)
			}
			lastCtx = r
			u.ctxs = append(u.ctxs, r.Op.Ctx)
			u.ctxOf[r.Op.Ctx] = model.Handle(len(u.ctxs))
		case model.SSLNew:
			if lastSSL != nil && lastSSL.Return >= r.Call {
				return fmt.Errorf("linearizability: %s overlaps %s: SSL creations must not overlap", r, lastSSL)
			}
			lastSSL = r
			u.ssls = append(u.ssls, r.Op.SSL)
			u.sslOf[r.Op.SSL] = model.Handle(len(u.ssls))
		}
		for _, s := range sessionsOf(r) {
			if o, ok := owner[s]; ok && o != u.id {
				return fmt.Errorf("linearizability: %s uses %s of universe %d: universes must not share objects", r, model.SessName(s), o)
			}
			owner[s] = u.id
			if _, ok := u.sessOf[s]; !ok {
				u.sess = append(u.sess, s)
				u.sessOf[s] = model.Handle(len(u.sess))
			}
		}
	}
	if begins == 0 {
		return fmt.Errorf("linearizability: universe %d has no Begin", u.id)
	}
	return nil
}

// sessionsOf lists the session handles a call names or shows.
func sessionsOf(r *Record) []model.Handle {
	var hs []model.Handle
	if r.Op.Sess != 0 {
		hs = append(hs, r.Op.Sess)
	}
	if r.Failed {
		return hs
	}
	for _, e := range r.Result.Events {
		hs = append(hs, e.Sess)
	}
	if (r.Op.Kind == model.Get0 || r.Op.Kind == model.Get1) && r.Result.Ret != 0 {
		hs = append(hs, model.Handle(r.Result.Ret))
	}
	return hs
}

// build makes the porcupine operations.
func (u *universe) build() error {
	for _, r := range u.recs {
		in := &input{u: u, rec: r, what: r.What, clock: r.Clock}
		out := &output{failed: r.Failed}
		var err error
		switch r.What {
		case Call:
			if in.op, err = u.localOp(r.Op); err == nil && !r.Failed {
				out.res, err = u.localResult(r.Op.Kind, r.Result)
			}
		case Observe:
			in.obs = u.localObs(r.Obs)
		}
		if err != nil {
			return fmt.Errorf("linearizability: %s: %w", r, err)
		}
		u.ops = append(u.ops, porcupine.Operation{ClientId: r.Client, Input: in, Output: out, Call: r.Call, Return: r.Return})
	}
	return nil
}

func (u *universe) localOp(op model.Op) (model.Op, error) {
	var err error
	conv := func(h *model.Handle, m map[model.Handle]model.Handle, name func(model.Handle) string) {
		if *h == 0 || err != nil {
			return
		}
		l, ok := m[*h]
		if !ok {
			err = fmt.Errorf("%s is not an object of universe %d", name(*h), u.id)
		}
		*h = l
	}
	conv(&op.Ctx, u.ctxOf, model.CtxName)
	conv(&op.SSL, u.sslOf, model.SSLName)
	conv(&op.Peer, u.sslOf, model.SSLName)
	conv(&op.Sess, u.sessOf, model.SessName)
	return op, err
}

func (u *universe) localResult(k model.Kind, res model.Result) (model.Result, error) {
	out := model.Result{Ret: res.Ret, Events: make([]model.Event, len(res.Events))}
	if (k == model.Get0 || k == model.Get1) && res.Ret != 0 {
		out.Ret = int64(u.sessOf[model.Handle(res.Ret)])
	}
	for i, e := range res.Events {
		e.Sess = u.sessOf[e.Sess]
		if e.Ctx != 0 {
			l, ok := u.ctxOf[e.Ctx]
			if !ok {
				return out, fmt.Errorf("event %s names an SSL_CTX of another universe", res.Events[i])
			}
			e.Ctx = l
		}
		out.Events[i] = e
	}
	return out, nil
}

// localObs keeps what belongs to the universe. Objects of other universes
// are left to their own observations: once a universe is torn down, its
// final observation must show nothing.
func (u *universe) localObs(ob model.Observation) model.Observation {
	var out model.Observation
	for _, c := range ob.Ctxs {
		if l, ok := u.ctxOf[c.Ctx]; ok {
			c.Ctx = l
			out.Ctxs = append(out.Ctxs, c)
		}
	}
	for _, s := range ob.SSLs {
		l, ok := u.sslOf[s.SSL]
		if !ok {
			continue
		}
		s.SSL = l
		if s.Sess > 0 {
			l, ok := u.sessOf[s.Sess]
			if !ok {
				l = alien
			}
			s.Sess = l
		}
		out.SSLs = append(out.SSLs, s)
	}
	for _, s := range ob.Sessions {
		if l, ok := u.sessOf[s.Sess]; ok {
			s.Sess = l
			out.Sessions = append(out.Sessions, s)
		}
	}
	sortObs(&out)
	return out
}

// alien stands for a session that no call of the universe showed; the
// model never holds one, so an observation that contains it fails.
const alien model.Handle = -2

func sortObs(ob *model.Observation) {
	slices.SortFunc(ob.Ctxs, func(a, b model.CtxObs) int { return cmp.Compare(a.Ctx, b.Ctx) })
	slices.SortFunc(ob.SSLs, func(a, b model.SSLObs) int { return cmp.Compare(a.SSL, b.SSL) })
	slices.SortFunc(ob.Sessions, func(a, b model.SessObs) int { return cmp.Compare(a.Sess, b.Sess) })
}

// global renders a local session id as the target's handle.
func (u *universe) global(local int32) model.Handle {
	if local < 1 || int(local) > len(u.sess) {
		return 0
	}
	return u.sess[local-1]
}

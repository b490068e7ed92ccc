package properties

import (
	"slices"

	"github.com/sesslife/sesslife/model"
)

// Source supplies the choices a drawing makes. Intn returns a number in
// [0, n) for n > 0. Smaller numbers must mean simpler choices: shrinkers move
// toward 0, so every list below starts with its plainest entry.
type Source interface {
	Intn(n int) int
}

// Limits bound the universes the generator builds.
type Limits struct {
	MaxCtxs int // application-held SSL_CTXs at once
	MaxSSLs int // live SSLs at once
}

// DefaultLimits keep universes small enough that calls interact.
func DefaultLimits() Limits { return Limits{MaxCtxs: 4, MaxSSLs: 8} }

// DrawOp draws one call that is legal and modelled in state s and that the
// target supports, with the default mix. It never changes s.
func DrawOp(src Source, s *model.State, supports func(model.Kind) bool, lim Limits) model.Op {
	return DrawOpMix(src, s, supports, lim, nil)
}

// DrawOpMix is DrawOp with a mix of call kinds and configurations (nil:
// the default mix), as swarm testing draws one per sequence.
func DrawOpMix(src Source, s *model.State, supports func(model.Kind) bool, lim Limits, mix *Mix) model.Op {
	var d Drawer
	return d.Draw(src, s, supports, lim, mix)
}

// Drawer is DrawOpMix for a caller that draws call after call: it keeps its
// memory (the views of the universe, the pools of handles, the menu of
// kinds) from one draw to the next. Its zero value is ready; it is not safe
// for concurrent use.
type Drawer struct{ d drawer }

// Draw is DrawOpMix(src, s, supports, lim, mix), drawing the same call.
func (dr *Drawer) Draw(src Source, s *model.State, supports func(model.Kind) bool, lim Limits, mix *Mix) model.Op {
	if mix == nil {
		mix = &defaultMix
	}
	d := &dr.d
	d.src, d.s, d.supports, d.lim, d.mix = src, s, supports, lim, mix
	d.look()
	for try := 0; try < 8; try++ {
		op, ok := d.propose()
		if ok && s.Check(op) == nil {
			return op
		}
	}
	return model.Op{Kind: model.Tick} // always legal: zero seconds pass
}

type drawer struct {
	src      Source
	s        *model.State
	supports func(model.Kind) bool
	lim      Limits
	mix      *Mix

	clientCtxs, serverCtxs, ctxs []model.Handle
	ssls, clients, established   []model.Handle
	freshClients, freshServers   []model.Handle
	sessions, owned, resumable   []model.Handle
	pendingTickets               bool
	// views of the universe, by handle-1
	sslView  []model.SSLView
	sessView []model.SessView
	ctxView  []model.CtxView
	// readyClients are fresh clients that hold a resumable session;
	// idleClients are fresh clients that hold none.
	readyClients, idleClients []model.Handle
	// halfway are the SSLs in the middle of a handshake in steps;
	// finishable the clients among them whose server is still in it too.
	halfway, finishable []model.Handle
	menu                []choice // propose's, kept for its memory
}

// look sorts the universe's objects into the pools the proposals pick from.
func (d *drawer) look() {
	d.ctxView, d.sslView, d.sessView = d.s.AppendCtxs(d.ctxView), d.s.AppendSSLs(d.sslView), d.s.AppendSessions(d.sessView)
	d.ctxs, d.clientCtxs, d.serverCtxs = d.ctxs[:0], d.clientCtxs[:0], d.serverCtxs[:0]
	d.sessions, d.owned, d.resumable = d.sessions[:0], d.owned[:0], d.resumable[:0]
	d.ssls, d.clients, d.established = d.ssls[:0], d.clients[:0], d.established[:0]
	d.freshClients, d.freshServers = d.freshClients[:0], d.freshServers[:0]
	d.readyClients, d.idleClients = d.readyClients[:0], d.idleClients[:0]
	d.halfway, d.finishable = d.halfway[:0], d.finishable[:0]
	d.pendingTickets = false
	for _, c := range d.ctxView {
		if !c.AppHeld {
			continue
		}
		d.ctxs = append(d.ctxs, c.Ctx)
		if c.Side == model.Client {
			d.clientCtxs = append(d.clientCtxs, c.Ctx)
		} else {
			d.serverCtxs = append(d.serverCtxs, c.Ctx)
		}
	}
	for _, v := range d.sessView {
		if !v.Alive {
			continue
		}
		d.sessions = append(d.sessions, v.Sess)
		if v.AppRefs > 0 {
			d.owned = append(d.owned, v.Sess)
		}
		if v.Resumable && v.Version != model.VersionNone {
			d.resumable = append(d.resumable, v.Sess)
		}
	}
	for _, l := range d.sslView {
		if !l.Alive {
			continue
		}
		d.ssls = append(d.ssls, l.SSL)
		if l.Client {
			d.clients = append(d.clients, l.SSL)
		}
		switch {
		case l.Phase == model.PhaseBefore && l.Client:
			d.freshClients = append(d.freshClients, l.SSL)
			if d.holdsResumable(l) {
				d.readyClients = append(d.readyClients, l.SSL)
			} else {
				d.idleClients = append(d.idleClients, l.SSL)
			}
		case l.Phase == model.PhaseBefore:
			d.freshServers = append(d.freshServers, l.SSL)
		case l.Phase == model.PhaseEstablished:
			d.established = append(d.established, l.SSL)
			if l.PendingTickets > 0 {
				d.pendingTickets = true
			}
		case l.Phase == model.PhaseHello:
			d.halfway = append(d.halfway, l.SSL)
			if p := l.Peer; l.Client && p != 0 && d.sslView[p-1].Phase == model.PhaseHello && d.sslView[p-1].Peer == l.SSL {
				d.finishable = append(d.finishable, l.SSL)
			}
		}
	}
}

// overlapping reports whether a server is half way through resuming a
// session a fresh client could offer too: a second client_hello then
// overlaps two resumptions of one session (STEP-OVERLAP-COPY-RESUMABLE).
func (d *drawer) overlapping() bool {
	for _, h := range d.halfway {
		l := d.sslView[h-1]
		if l.Client || !l.Reused {
			continue
		}
		for _, c := range d.readyClients {
			if d.sslView[c-1].Held.Issuer == l.Ctx {
				return true
			}
		}
	}
	return false
}

// abortTarget picks an SSL half way through a handshake to end: most often
// a resuming server while another server of its SSL_CTX is half way too.
func (d *drawer) abortTarget() model.Handle {
	var shared []model.Handle
	for _, h := range d.halfway {
		l := d.sslView[h-1]
		if l.Client || !l.Reused {
			continue
		}
		for _, o := range d.halfway {
			if o != h && !d.sslView[o-1].Client && d.sslView[o-1].Ctx == l.Ctx {
				shared = append(shared, h)
				break
			}
		}
	}
	if len(shared) > 0 && !d.chance(3) {
		return d.pick(shared)
	}
	return d.pick(d.halfway)
}

// plainServerCtxs returns the server SSL_CTXs whose max_early_data is 0
// and that have made no SSL yet: set then, it reaches every SSL of the
// SSL_CTX, so a ticket can be issued and offered again under anti-replay
// (HS13-ANTI-REPLAY-SINGLE-USE).
func (d *drawer) plainServerCtxs() []model.Handle {
	var out []model.Handle
	for _, c := range d.serverCtxs {
		if d.ctxView[c-1].MaxEarlyData != 0 {
			continue
		}
		used := false
		for _, l := range d.sslView {
			if l.Ctx == c {
				used = true
				break
			}
		}
		if !used {
			out = append(out, c)
		}
	}
	return out
}

// holdsResumable reports whether SSL l holds a resumable session, named
// or not.
func (d *drawer) holdsResumable(l model.SSLView) bool {
	v := l.Held
	return v.Alive && v.Resumable && v.Version != model.VersionNone
}

type choice struct {
	kind   model.Kind
	weight int
}

// propose picks a call kind by weight among those that can apply now, then
// its arguments.
func (d *drawer) propose() (model.Op, bool) {
	menu := d.menu[:0]
	add := func(k model.Kind, w int, ok bool) {
		w = w * d.mix.weight(k) / 2
		if ok && w > 0 && d.supports(k) {
			menu = append(menu, choice{k, w})
		}
	}
	haveCtx, haveSSL, haveSess := len(d.ctxs) > 0, len(d.ssls) > 0, len(d.sessions) > 0
	seek := d.mix.Resume // how hard the draw steers toward resumptions
	// The plainest calls come first so that shrinking turns calls into them.
	add(model.Tick, 3, true)
	// A fresh client about to offer a session: time may pass to its edge.
	add(model.Tick, 2*seek, len(d.readyClients) > 0)
	add(model.SessNumber, 1, haveCtx)
	add(model.SessHits, 1, haveCtx)
	add(model.SessMisses, 1, haveCtx)
	add(model.SessTimeouts, 1, haveCtx)
	add(model.SessCacheFull, 1, haveCtx)
	add(model.SessConnect, 1, haveCtx)
	add(model.SessConnectGood, 1, haveCtx)
	add(model.SessAccept, 1, haveCtx)
	add(model.SessAcceptGood, 1, haveCtx)
	add(model.SessCbHits, 1, haveCtx)
	add(model.HasMatchingSessionID, 2, haveSSL && haveSess)
	add(model.CtxSetCacheMode, 1, haveCtx)
	add(model.CtxSetOptions, 1, haveCtx)
	add(model.CtxClearOptions, 1, haveCtx)
	add(model.SetOptions, 1, haveSSL)
	add(model.ClearOptions, 1, haveSSL)
	add(model.CtxSetNumTickets, 1, haveCtx)
	add(model.SetNumTickets, 1, haveSSL)
	// A drill: a fresh server that will resume sends no ticket, so it keeps
	// what it found.
	add(model.SetNumTickets, 2*seek, d.mix.Drill && len(d.readyClients) > 0 && len(d.ticketingFresh()) > 0)
	add(model.Get0, 5, haveSSL)
	add(model.Get1, 5, haveSSL)
	add(model.SessionReused, 1, haveSSL)
	add(model.IsResumable, 2, haveSess)
	add(model.GetTime, 1, haveSess)
	add(model.GetTimeout, 1, haveSess)
	add(model.CtxNew, 12, len(d.ctxs) < d.lim.MaxCtxs && (len(d.clientCtxs) == 0 || len(d.serverCtxs) == 0))
	add(model.CtxNew, 2, len(d.ctxs) < d.lim.MaxCtxs)
	add(model.SSLNew, 10, haveCtx && len(d.ssls) < d.lim.MaxSSLs)
	// A resumable session and no fresh client to offer it: make one.
	add(model.SSLNew, 4*seek, len(d.resumable) > 0 && len(d.freshClients) == 0 && len(d.clientCtxs) > 0 && len(d.ssls) < d.lim.MaxSSLs)
	add(model.Handshake, 20, len(d.freshClients) > 0 && len(d.freshServers) > 0)
	add(model.Handshake, 6*seek, len(d.readyClients) > 0 && len(d.freshServers) > 0)
	// Handshakes in steps: begun like handshakes, overlapped, ended half
	// way or finished.
	add(model.ClientHello, 4, len(d.freshClients) > 0 && len(d.freshServers) > 0)
	add(model.ClientHello, 3*seek, len(d.readyClients) > 0 && len(d.freshServers) > 0)
	add(model.ClientHello, 8*seek, d.overlapping() && len(d.freshServers) > 0)
	add(model.HandshakeFinish, 6, len(d.finishable) > 0)
	add(model.FatalAlert, 3, len(d.halfway) > 0)
	add(model.SSLClear, 1, len(d.halfway) > 0)
	add(model.SSLFree, 1, len(d.halfway) > 0)
	add(model.ReadTicket, 8, d.pendingTickets)
	add(model.ReadTicket, 1, len(d.established) > 0)
	add(model.Shutdown, 5, len(d.established) > 0)
	add(model.Shutdown, 1, haveSSL)
	add(model.FatalAlert, 2, len(d.established) > 0)
	add(model.ReadAlert, 1, len(d.established) > 0)
	add(model.SetQuietShutdown, 1, len(d.established) > 0)
	add(model.SetShutdown, 1, len(d.established) > 0)
	add(model.GetShutdown, 1, haveSSL)
	// Anti-replay needs max_early_data on a server before its SSLs are
	// made, and a resumption after it: lean on server SSL_CTXs.
	add(model.CtxSetMaxEarlyData, 1, len(d.serverCtxs) > 0)
	// In half the mixes a new server SSL_CTX gets max_early_data before
	// its first SSL, as if configured so: every SSL of it then has
	// anti-replay on, and its tickets can come back to it.
	add(model.CtxSetMaxEarlyData, 20, d.mix.Resume >= 2 && len(d.plainServerCtxs()) > 0)
	add(model.SetMaxEarlyData, 2, len(d.freshServers) > 0)
	add(model.SetMaxEarlyData, 1, haveSSL)
	add(model.SSLClear, 4, haveSSL)
	add(model.SSLFree, 4, haveSSL)
	add(model.UpRef, 2, haveSess)
	add(model.SessFree, 6, len(d.owned) > 0)
	add(model.SetSession, 6, len(d.clients) > 0)
	// A resumable session and a fresh client without one: offer it.
	add(model.SetSession, 4*seek, len(d.resumable) > 0 && len(d.idleClients) > 0)
	add(model.SetTime, 2, haveSess)
	add(model.SetTimeout, 2, haveSess)
	add(model.AddSession, 4, haveCtx && haveSess)
	add(model.RemoveSession, 4, haveCtx && haveSess)
	add(model.Flush, 3, haveCtx)
	add(model.CtxSetTimeout, 1, haveCtx)
	add(model.SetCacheSize, 2, haveCtx)
	add(model.CtxFree, 1, haveCtx)
	add(model.RoundTrip, 3, haveSess)
	add(model.SessDup, 2, haveSess)
	add(model.SessNew, 1, true)
	add(model.CopySessionID, 2, len(d.clients) > 1)
	// Session id contexts on the server side, where they decide
	// resumptions: a client SSL whose session has another context than
	// its own cannot handshake (the model leaves that out).
	// BoringSSL's clients drop an expired session before offering it
	// (BORING-CLIENT-DROPS-UNUSABLE), so its server meets a cached session
	// that is both expired and of another context (BORING-SIDCTX-AFTER-EXPIRY)
	// only when its timeout is the shorter: contexts are drawn three times as
	// often (twice left boringssl:SidCtxAfterExpiry alive on one seed of 5
	// once sessions' contexts were observed and SSL_set_SSL_CTX compared).
	sidW := 1
	if d.s.Profile().ImmutableSessions {
		sidW = 3
	}
	add(model.CtxSetSidCtx, sidW, len(d.serverCtxs) > 0)
	add(model.SetSidCtx, sidW, len(d.freshServers) > 0 || len(d.freshClients) > 0)
	add(model.SessSetSidCtx, sidW, d.serverSession(false) != 0)
	// A fresh server moved to another server SSL_CTX, as a servername
	// callback would (docs/spec.md "Changing context"). BoringSSL replaces
	// even a context the SSL set itself (BORING-SWITCH-SIDCTX), which
	// shows only when a context was set first and a resumption follows:
	// the switch is drawn more often there.
	switchW := 3
	if d.s.Profile().SwitchSidCtxAlways {
		switchW = 6
	}
	add(model.SetSSLCtx, switchW, len(d.freshServers) > 0 && len(d.serverCtxs) > 1)
	// A servername callback that switches to another server SSL_CTX
	// (docs/spec.md "The servername callback"), or none.
	add(model.CtxSetServernameCtx, 2, len(d.serverCtxs) > 1)
	d.menu = menu
	if len(menu) == 0 {
		return model.Op{}, false
	}
	total := 0
	for _, c := range menu {
		total += c.weight
	}
	n := d.src.Intn(total)
	k := menu[len(menu)-1].kind
	for _, c := range menu {
		if n < c.weight {
			k = c.kind
			break
		}
		n -= c.weight
	}
	return d.args(k), true
}

// sidCtx draws a session id context: mostly the empty one and two short
// ones, sometimes the longest and the one too long.
func (d *drawer) sidCtx() int64 {
	return d.from(0, 1, 2, 0, 1, 2, 3, 4)
}

// serverSession returns a named TLS 1.2 session on the server side: in a
// server SSL_CTX's cache or held by a server SSL; 0 if there is none. It
// is the first one, or (draw) one drawn among them. (TLS 1.3 sessions are
// left alone: a context changed there hides the rarer TLS 1.3 outcomes,
// HS13-EXPIRED above all, behind SIDCTX-MISMATCH.)
func (d *drawer) serverSession(draw bool) model.Handle {
	n := 0
	var got model.Handle
	take := func(h model.Handle) bool {
		if !draw {
			got = h
			return true
		}
		// One pass, uniform among the candidates (reservoir sampling).
		n++
		if d.src.Intn(n) == 0 {
			got = h
		}
		return false
	}
	for _, h := range d.sessions {
		v := d.sessView[h-1]
		if v.Version == model.TLS12 && v.Owner != 0 && slices.Contains(d.serverCtxs, v.Owner) && take(h) {
			return got
		}
	}
	for _, l := range d.sslView {
		if h := l.Held.Sess; l.Alive && !l.Client && h > 0 && l.Held.Alive && l.Held.Version == model.TLS12 && take(h) {
			return got
		}
	}
	return got
}

func (d *drawer) pick(hs []model.Handle) model.Handle {
	if len(hs) == 0 {
		return 0
	}
	return hs[d.src.Intn(len(hs))]
}

func (d *drawer) from(vals ...int64) int64 { return vals[d.src.Intn(len(vals))] }

func (d *drawer) flag() bool { return d.src.Intn(2) == 1 }

// chance is true about once in n draws.
func (d *drawer) chance(n int) bool { return d.src.Intn(n) == 0 }

// args fills in the arguments of a call of kind k.
func (d *drawer) args(k model.Kind) model.Op {
	op := model.Op{Kind: k}
	now := d.s.Now()
	switch k {
	case model.CtxNew:
		op.Ctx = d.s.NextCtx()
		side := model.Server
		switch {
		case len(d.serverCtxs) == 0:
		case len(d.clientCtxs) == 0:
			side = model.Client
		case d.flag():
			side = model.Client
		}
		op.Config = d.config(side)
	case model.SSLNew:
		op.SSL, op.Ctx = d.s.NextSSL(), d.pick(d.ctxs)
		if len(d.resumable) > 0 && len(d.freshClients) == 0 && len(d.clientCtxs) > 0 && d.mix.Resume > 0 && d.flag() {
			op.Ctx = d.pick(d.clientCtxs) // a client to offer a session on
		}
	case model.CtxFree:
		op.Ctx = d.pick(d.ctxs)
		// Now and then the SSL_CTX a live SSL was moved to: the SSL's
		// reference keeps it (SWITCH-CTX-REF), cache and all.
		if switched := d.switchedCtxs(); len(switched) > 0 && d.flag() {
			op.Ctx = d.pick(switched)
		}
	case model.SessNumber, model.SessHits, model.SessMisses, model.SessTimeouts, model.SessCacheFull,
		model.SessConnect, model.SessConnectGood, model.SessAccept, model.SessAcceptGood, model.SessCbHits:
		op.Ctx = d.pick(d.ctxs)
	case model.HasMatchingSessionID:
		d.matching(&op)
	case model.CtxSetCacheMode:
		op.Ctx, op.Arg = d.pick(d.ctxs), int64(d.mode())
	case model.CtxSetOptions, model.CtxClearOptions:
		op.Ctx, op.Arg = d.pick(d.ctxs), int64(d.options())
	case model.SetOptions, model.ClearOptions:
		op.SSL, op.Arg = d.pick(d.ssls), int64(d.options())
	case model.CtxSetNumTickets:
		op.Ctx, op.Arg = d.pick(d.ctxs), d.from(0, 1, 2, 3)
	case model.SetNumTickets:
		op.SSL, op.Arg = d.pick(d.ssls), d.from(0, 1, 2, 3)
		if servers := d.ticketingFresh(); d.mix.Drill && len(servers) > 0 && !d.chance(4) {
			op.SSL, op.Arg = d.pick(servers), 0 // it will resume and send no ticket
		}
	case model.Get0, model.Get1:
		op.SSL = d.pick(d.ssls)
		if d.mix.Drill && !d.chance(4) {
			if unnamed := d.holdingUnnamed(false); len(unnamed) > 0 && !d.chance(3) {
				op.SSL = d.pick(unnamed)
			} else if unnamed := d.holdingUnnamed(true); len(unnamed) > 0 {
				op.SSL = d.pick(unnamed)
			}
		}
	case model.CtxSetSidCtx:
		op.Ctx, op.Arg = d.pick(d.serverCtxs), d.sidCtx()
	case model.SetSidCtx:
		// Mostly a server's, whose lookup compares it (SIDCTX-MISMATCH);
		// sometimes a client's, which wolfSSL's SSL_set_session compares
		// (WOLF-SIDCTX-SET-SESSION).
		pool := d.freshServers
		if len(pool) == 0 || (len(d.freshClients) > 0 && d.chance(3)) {
			pool = d.freshClients
		}
		op.SSL, op.Arg = d.pick(pool), d.sidCtx()
	case model.SessSetSidCtx:
		op.Sess, op.Arg = d.serverSession(true), d.sidCtx()
	case model.SetSSLCtx:
		op.SSL, op.Ctx = d.pick(d.freshServers), d.pick(d.serverCtxs)
	case model.CtxSetServernameCtx:
		op.Ctx = d.pick(d.serverCtxs)
		if !d.chance(5) {
			op.Arg = int64(d.pick(d.serverCtxs))
		}
	case model.SSLFree, model.SSLClear, model.SessionReused:
		op.SSL = d.pick(d.ssls)
		if len(d.halfway) > 0 && d.chance(3) {
			op.SSL = d.pick(d.halfway)
		}
	case model.ClientHello:
		d.handshake(&op)
	case model.HandshakeFinish:
		op.SSL = d.pick(d.finishable)
		op.Peer = d.sslView[op.SSL-1].Peer
	case model.Shutdown:
		op.SSL = d.pick(d.established)
		if op.SSL == 0 || d.chance(6) {
			op.SSL = d.pick(d.ssls) // before a handshake, or after a failure
		}
	case model.FatalAlert, model.ReadTicket, model.ReadAlert:
		op.SSL = d.pick(d.established)
		if k == model.FatalAlert && len(d.halfway) > 0 && (op.SSL == 0 || d.flag()) {
			op.SSL = d.abortTarget()
		}
	case model.SetQuietShutdown:
		op.SSL, op.Arg = d.pick(d.ssls), d.from(1, 0)
	case model.SetShutdown:
		// SSL_SENT_SHUTDOWN alone first: what nginx sets before SSL_free.
		op.SSL, op.Arg = d.pick(d.established), d.from(model.SentShutdown, 0,
			model.SentShutdown|model.ReceivedShutdown, model.ReceivedShutdown)
		if op.SSL == 0 || d.chance(6) {
			op.SSL = d.pick(d.ssls)
		}
	case model.GetShutdown:
		op.SSL = d.pick(d.ssls)
	case model.CtxSetMaxEarlyData:
		op.Ctx, op.Arg = d.pick(d.serverCtxs), d.from(16384, 16384, 0)
		if plain := d.plainServerCtxs(); len(plain) > 0 && d.flag() {
			op.Ctx, op.Arg = d.pick(plain), 16384
		}
	case model.SetMaxEarlyData:
		op.SSL, op.Arg = d.pick(d.freshServers), d.from(16384, 16384, 16384, 0)
		if op.SSL == 0 || d.chance(6) {
			op.SSL = d.pick(d.ssls)
		}
	case model.Handshake:
		d.handshake(&op)
	case model.UpRef, model.IsResumable, model.GetTime, model.GetTimeout:
		op.Sess = d.pick(d.sessions)
	case model.SessFree:
		op.Sess = d.pick(d.owned)
	case model.RoundTrip, model.SessDup:
		// Lean toward a session with something to carry over: an id or a
		// ticket (and, when it was marked, the not_resumable mark).
		op.Sess = d.pick(d.sessions)
		if len(d.resumable) > 0 && d.flag() {
			op.Sess = d.pick(d.resumable)
		}
	case model.CopySessionID:
		d.copySessionID(&op)
	case model.SetSession:
		d.setSession(&op)
	case model.SetTime:
		op.Sess = d.pick(d.sessions)
		op.Arg = max(0, now+d.from(0, -10, 10, -100, 100, -7200, 3600))
		if d.mix.Drill && len(d.resumable) > 0 {
			// A drill dates what it will offer, mostly ahead of the clock
			// (a ticket's age, OSSL32-TICKET-AGE-FLOOR) or at its expiry.
			op.Sess, op.Arg = d.pick(d.resumable), now+d.from(10, 3600, -7200)
		}
	case model.SetTimeout:
		op.Sess = d.pick(d.sessions)
		op.Arg = d.from(10, 0, 1, 5, 30, 100, 7200, -1)
	case model.AddSession, model.RemoveSession:
		op.Ctx, op.Sess = d.pick(d.ctxs), d.pick(d.sessions)
		if len(d.resumable) > 0 && d.chance(2) {
			op.Sess = d.pick(d.resumable)
		}
		if k == model.AddSession && d.mix.Resume > 0 && d.flag() {
			// A session no cache holds, into a server's cache: another
			// SSL_CTX can then resume it by id.
			var loose, byID []model.Handle
			for _, h := range d.resumable {
				if v := d.sessView[h-1]; v.Owner == 0 {
					loose = append(loose, h)
					if !v.HasTicket && v.IDLen > 0 {
						byID = append(byID, h)
					}
				}
			}
			var ticketing []model.Handle
			for _, c := range d.serverCtxs {
				if d.ctxView[c-1].Options&model.OptNoTicket == 0 {
					ticketing = append(ticketing, c)
				}
			}
			switch {
			case len(byID) > 0 && len(ticketing) > 0 && d.flag():
				// An id-only session in a server that issues tickets: a
				// client that asks for a ticket resumes it by id and gets
				// a new ticket (HS12-EMPTY-TICKET-HIT).
				op.Ctx, op.Sess = d.pick(ticketing), d.pick(byID)
			case len(loose) > 0 && len(d.serverCtxs) > 0:
				op.Ctx, op.Sess = d.pick(d.serverCtxs), d.pick(loose)
			}
		}
	case model.Flush:
		op.Ctx = d.pick(d.ctxs)
		op.Arg = now + d.from(0, 1, 5, 10, 30, 100, 7200, 8000)
		if d.src.Intn(5) == 0 {
			op.Arg = 0
		}
		if t, ok := d.boundary(); ok && d.chance(3) {
			op.Arg = max(1, t)
		}
	case model.CtxSetTimeout:
		op.Ctx = d.pick(d.ctxs)
		op.Arg = d.from(10, 0, 1, 5, 30, 100, 7200)
	case model.SetCacheSize:
		op.Ctx = d.pick(d.ctxs)
		op.Arg = d.from(3, 0, 1, 2, 4, 20480)
	case model.Tick:
		op.Arg = d.from(0, 1, 2, 5, 10, 30, 60, 120, 7200)
		if t, ok := d.boundary(); ok && t >= now && (d.chance(3) || (len(d.readyClients) > 0 && d.flag())) {
			op.Arg = t - now
		}
	}
	return op
}

// handshake picks a fresh client and a fresh server, leaning (with the
// mix's Resume) toward a client that holds a resumable session, the version
// of that session, and a server of the SSL_CTX that issued it or whose
// cache it was added to.
func (d *drawer) handshake(op *model.Op) {
	op.SSL, op.Peer = d.pick(d.freshClients), d.pick(d.freshServers)
	op.Arg = int64(d.version())
	if m := d.sslView[op.SSL-1].Method; m != model.VersionNone {
		op.Arg = int64(m) // SSL_copy_session_id pinned its method
	}
	if len(d.readyClients) == 0 || d.mix.Resume == 0 || d.chance(4) {
		return
	}
	op.SSL = d.pick(d.readyClients)
	v := d.sslView[op.SSL-1].Held
	op.Arg = int64(v.Version)
	if d.chance(5) {
		return // another SSL_CTX: a foreign ticket or an unknown id
	}
	if d.chance(4) {
		// A server whose own timeout has already run out on the session
		// (a library may judge a resumption by it rather than the
		// session's).
		var stale []model.Handle
		for _, h := range d.freshServers {
			if age := d.s.Now() - v.Time; d.ctxView[d.sslView[h-1].Ctx-1].Timeout < age {
				stale = append(stale, h)
			}
		}
		if len(stale) > 0 {
			op.Peer = d.pick(stale)
			return
		}
	}
	// The SSL_CTX that issued it, or one whose cache it was added to.
	want := v.Issuer
	if v.Owner != 0 && v.Owner != v.Issuer && d.flag() {
		want = v.Owner
	}
	var same []model.Handle
	for _, h := range d.freshServers {
		if d.sslView[h-1].Ctx == want {
			same = append(same, h)
		}
	}
	if len(same) > 0 {
		op.Peer = d.pick(same)
	}
}

// ticketingFresh lists the fresh servers that would send tickets.
func (d *drawer) ticketingFresh() []model.Handle {
	var hs []model.Handle
	for _, h := range d.freshServers {
		if d.sslView[h-1].NumTickets != 0 {
			hs = append(hs, h)
		}
	}
	return hs
}

// holdingUnnamed lists the established clients, or servers, that hold a
// session no call has named yet.
func (d *drawer) holdingUnnamed(clients bool) []model.Handle {
	var hs []model.Handle
	for _, h := range d.established {
		if v := d.sslView[h-1]; v.Client == clients && v.Sess == model.Unnamed {
			hs = append(hs, h)
		}
	}
	return hs
}

// matching asks an SSL about a session, leaning toward a session its
// SSL_CTX caches (the answer then turns on the SSL's version).
func (d *drawer) matching(op *model.Op) {
	op.SSL, op.Sess = d.pick(d.ssls), d.pick(d.sessions)
	if d.flag() {
		var cached []model.Handle
		for _, h := range d.ctxView[d.sslView[op.SSL-1].Ctx-1].Cached {
			if h != model.Unnamed {
				cached = append(cached, h)
			}
		}
		if len(cached) > 0 {
			op.Sess = d.pick(cached)
		}
	}
}

// copySessionID copies a client's session to another client, leaning
// toward an established source (whose session has an id or a ticket to
// resume) and a fresh target (which can then offer it).
func (d *drawer) copySessionID(op *model.Op) {
	op.SSL, op.Peer = d.pick(d.clients), d.pick(d.clients)
	if len(d.freshClients) > 0 && d.flag() {
		op.SSL = d.pick(d.freshClients)
		// A fresh client given a context of its own has one to lose.
		var own []model.Handle
		for _, h := range d.freshClients {
			if d.sslView[h-1].SidCtx != model.SidCtxEmpty {
				own = append(own, h)
			}
		}
		if len(own) > 0 && d.flag() {
			op.SSL = d.pick(own)
		}
	}
	var sources []model.Handle
	for _, h := range d.clients {
		if h != op.SSL && d.sslView[h-1].Held.Alive {
			sources = append(sources, h)
		}
	}
	if len(sources) > 0 && !d.chance(4) {
		op.Peer = d.pick(sources)
	}
	// The copy also carries the source's session id context
	// (SER-COPY-SESSION-ID): lean toward a source whose context differs.
	var others []model.Handle
	for _, h := range sources {
		if d.sslView[h-1].SidCtx != d.sslView[op.SSL-1].SidCtx {
			others = append(others, h)
		}
	}
	if len(others) > 0 && d.flag() {
		op.Peer = d.pick(others)
	}
}

// setSession offers a session to a client, leaning toward a resumable
// session and a fresh client.
func (d *drawer) setSession(op *model.Op) {
	op.SSL = d.pick(d.clients)
	if d.src.Intn(6) != 0 {
		op.Sess = d.pick(d.sessions)
	}
	if d.mix.Resume > 0 && len(d.resumable) > 0 && len(d.idleClients) > 0 && !d.chance(3) {
		op.SSL, op.Sess = d.pick(d.idleClients), d.pick(d.resumable)
	}
}

// version draws a protocol version as the mix prefers.
func (d *drawer) version() model.Version {
	switch d.mix.Version {
	case model.TLS12, model.TLS13:
		if !d.chance(8) {
			return d.mix.Version
		}
	}
	if d.flag() {
		return model.TLS12
	}
	return model.TLS13
}

// boundary returns a time at which something expires: a live session's
// time+timeout, the second after it, or, for a TLS 1.3 ticket, the second
// after its lifetime hint (the last second a client still offers it). It
// leans toward the session a fresh client is about to offer: strict expiry
// is decided at these instants.
func (d *drawer) boundary() (int64, bool) {
	if len(d.sessions) == 0 {
		return 0, false
	}
	v := d.sessView[d.pick(d.sessions)-1]
	if len(d.readyClients) > 0 && d.flag() {
		v = d.sslView[d.pick(d.readyClients)-1].Held
	}
	switch d.src.Intn(5) {
	case 0:
		return v.Time + v.Timeout, true
	case 1:
		return v.Time + v.Timeout + 1, true
	case 2:
		// The second after a server's own timeout has run out on the
		// session (a library may judge a resumption by the server's
		// timeout rather than the session's).
		if len(d.serverCtxs) > 0 {
			return v.Time + d.ctxView[d.pick(d.serverCtxs)-1].Timeout + 1, true
		}
	}
	if v.Hint > 0 {
		return v.Time + v.Hint + 1, true
	}
	return v.Time + v.Timeout + 1, true
}

// mode draws a session cache mode: a side's bits, now and then with the
// others.
func (d *drawer) mode() model.CacheMode {
	m := model.CacheMode(d.from(int64(model.CacheServer), int64(model.CacheClient),
		int64(model.CacheClient|model.CacheServer), int64(model.CacheOff)))
	for _, bit := range []model.CacheMode{model.CacheNoAutoClear, model.CacheNoInternalLookup, model.CacheNoInternalStore} {
		if d.src.Intn(5) == 0 {
			m |= bit
		}
	}
	return m
}

// options draws the option bits of an options call.
func (d *drawer) options() model.Options {
	return model.Options(d.from(int64(model.OptNoTicket), int64(model.OptNoAntiReplay), 0,
		int64(model.OptNoTicket|model.OptNoAntiReplay)))
}

// caches makes an SSL_CTX of a caching drill cache on both sides; a server
// SSL_CTX keeps its sessions in an external cache half the time, with its
// internal lookup off so that get_session_cb answers every resumption.
func (d *drawer) caches(c *model.CtxConfig) {
	c.DefaultMode, c.CacheMode = false, model.CacheClient|model.CacheServer
	if c.Side == model.Server && d.s.Profile().ExternalCache() && d.flag() {
		d.extStore(c)
		c.CacheMode |= model.CacheNoInternalLookup
	}
}

// extStore draws an external cache's callbacks, each of the four stores
// as often: one of pointers (CB-EXT-STORE) that new_session_cb returning 1
// fills, or one of bytes (CB-EXT-SERIAL-STORE) whose new_session_cb
// encodes and returns 0; get_session_cb leaves *copy at 1 or writes 0.
func (d *drawer) extStore(c *model.CtxConfig) {
	c.NewCB, c.GetCB = model.NewCBReturn1, model.GetSessionCB(1+d.src.Intn(4))
	if c.GetCB.Fresh() {
		c.NewCB = model.NewCBReturn0
	}
}

// config draws an SSL_CTX configuration, leaning on small caches and short
// timeouts so that eviction and expiry happen within a short sequence.
func (d *drawer) config(side model.Side) model.CtxConfig {
	c := model.DefaultConfig(side)
	if d.mix.Plain {
		c.NoTicket = d.src.Intn(100) < d.mix.NoTicket
		if d.mix.Caches {
			d.caches(&c)
		}
		return c
	}
	if d.src.Intn(4) != 0 {
		c.DefaultMode, c.CacheMode = false, d.mode()
	}
	c.CacheSize = d.from(-1, 3, 1, 2, 4, 0)
	c.Timeout = d.from(0, 10, 30, 100, 1)
	if side == model.Server {
		c.NumTickets = d.from(-1, 1, 0, 2, 3)
	}
	c.NoTicket = d.src.Intn(100) < d.mix.NoTicket
	if d.mix.Resume > 0 && d.flag() {
		// The opposite of the last SSL_CTX of this side: resumptions
		// between SSL_CTXs that differ in tickets reach the rules that
		// tell ids from tickets.
		for i := len(d.ctxView) - 1; i >= 0; i-- {
			if v := d.ctxView[i]; v.AppHeld && v.Side == side {
				c.NoTicket = !v.Config.NoTicket
				break
			}
		}
	}
	c.NewCB = model.NewSessionCB(d.src.Intn(3))
	c.RemoveCB = d.flag()
	if side == model.Server && d.s.Profile().ExternalCache() && d.src.Intn(4) == 0 {
		// An external cache (CB-EXT-STORE): new_session_cb fills it, and
		// an internal cache kept out of the way makes get_session_cb count.
		d.extStore(&c)
		if d.flag() {
			c.DefaultMode = false
			c.CacheMode |= model.CacheServer | []model.CacheMode{model.CacheNoInternalStore, model.CacheNoInternalLookup}[d.src.Intn(2)]
		}
	}
	return c
}

// switchedCtxs lists the SSL_CTXs the application still holds that a live
// SSL was moved to with SSL_set_SSL_CTX.
func (d *drawer) switchedCtxs() []model.Handle {
	var out []model.Handle
	for _, l := range d.sslView {
		if l.Alive && l.Cur != 0 && slices.Contains(d.ctxs, l.Cur) && !slices.Contains(out, l.Cur) {
			out = append(out, l.Cur)
		}
	}
	return out
}

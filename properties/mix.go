package properties

import "github.com/sesslife/sesslife/model"

// Mix is what swarm testing draws once per sequence: how much each call
// kind weighs (some not at all, so that rare combinations are not drowned
// by the common ones), which TLS version handshakes prefer, how many
// SSL_CTXs turn tickets off, and how hard the draw steers toward
// resumptions (a resumable session offered by a fresh client to the
// SSL_CTX that issued it). The zero Mix draws nothing; DefaultMix is the
// generator's plain behaviour.
type Mix struct {
	// weights multiplies each kind's weight by weights[k]/2 (0 turns the
	// kind off).
	weights [64]uint8
	// Version is the version handshakes mostly use; VersionNone: both
	// alike.
	Version model.Version
	// NoTicket is the percentage of SSL_CTXs made with SSL_OP_NO_TICKET.
	NoTicket int
	// Resume is how hard the draw steers toward resumptions, 0 to 3.
	Resume int
	// Plain makes every SSL_CTX with the library's defaults (but for
	// NoTicket).
	Plain bool
	// Drill leans the calls that name a session toward established
	// servers, and SSL_set_num_tickets toward 0 on fresh servers: a
	// resumption drill (DrillMix).
	Drill bool
	// Caches makes the SSL_CTXs of a plain mix cache sessions on both
	// sides, and a server SSL_CTX keep its sessions in an external cache
	// half the time (DrillMix's TLS 1.2 flavour).
	Caches bool
}

// defaultMix weighs every kind as draw.go says, both versions alike, a
// quarter of SSL_CTXs without tickets, and a gentle pull toward
// resumptions.
var defaultMix = func() Mix {
	m := Mix{NoTicket: 25, Resume: 1}
	for i := range m.weights {
		m.weights[i] = 2
	}
	return m
}()

// DefaultMix returns the mix DrawOp uses.
func DefaultMix() *Mix { m := defaultMix; return &m }

func (m *Mix) weight(k model.Kind) int { return int(m.weights[k]) }

// essential kinds are never turned off: without them nothing happens.
var essential = map[model.Kind]bool{model.CtxNew: true, model.SSLNew: true, model.Handshake: true}

// DrawMix draws a swarm mix: each call kind off (one in five), halved,
// plain or doubled; a version preference; a share of SSL_CTXs without
// tickets; a pull toward resumptions.
func DrawMix(src Source) *Mix {
	m := defaultMix
	for _, k := range model.Kinds() {
		switch src.Intn(8) {
		case 0, 1:
			if !essential[k] {
				m.weights[k] = 0
			}
		case 2:
			m.weights[k] = 1
		case 3, 4:
			m.weights[k] = 4
		}
	}
	m.Version = []model.Version{model.VersionNone, model.TLS12, model.TLS13}[src.Intn(3)]
	m.NoTicket = []int{25, 0, 75, 100}[src.Intn(4)]
	m.Resume = src.Intn(4)
	return &m
}

// DrillMix is the mix of a resumption drill, in two flavours. Two thirds
// are TLS 1.3 drills (drill13Mix): TLS 1.3 handshakes on
// SSL_CTXs without tickets (so servers keep stateful tickets in their
// caches), clients that offer what they were given, servers whose sessions
// get named and that send no new ticket when they resume. The rules about
// which object a resuming server holds, and what a stateful resumption does
// to the cache entry it found, show only on that path: each of its five or
// six steps is common, all of them in one sequence are not. Some drills
// also set max_early_data on the server, whose anti-replay then takes each
// stateful ticket out of its cache as it resumes (HS13-ANTI-REPLAY-SINGLE-USE).
// A third are TLS 1.2 drills (drill12Mix): caches on both sides, tickets
// toggled between handshakes, external caches.
//
// A drill runs within drillLimits: one client and one server SSL_CTX, so
// that every handshake goes to the context that issued the ticket.
func DrillMix(src Source) *Mix {
	if src.Intn(3) == 0 {
		return drill12Mix()
	}
	return drill13Mix()
}

// drill13Mix is a TLS 1.3 resumption drill, two thirds of the drills.
func drill13Mix() *Mix {
	m := Mix{NoTicket: 100, Resume: 3, Version: model.TLS13, Plain: true, Drill: true}
	// Frees, clears and removals are rare: an SSL freed or cleared
	// without a clean shutdown takes its session out of resumption.
	for _, k := range []model.Kind{model.CtxNew, model.SSLNew, model.Handshake, model.ReadTicket, model.SetSession,
		model.Get0, model.Get1, model.SetNumTickets, model.Shutdown, model.SessNumber, model.CtxSetMaxEarlyData} {
		m.weights[k] = 2
	}
	m.weights[model.Get1], m.weights[model.SetNumTickets], m.weights[model.SSLFree], m.weights[model.SSLClear] = 4, 4, 1, 1
	// Time passes now and then, mostly to a session's expiry (the tick's
	// boundary): a client still offers a ticket its server judges expired
	// (HS13-EXPIRED), which the plain mix reaches more rarely as call kinds
	// join it.
	m.weights[model.Tick] = 1
	// And now and then a session is dated back or ahead: a client leaves
	// out, or (OpenSSL 3.2+) still offers, a ticket whose session's time
	// lies in the future (TKT-HINT-SLACK, OSSL32-TICKET-AGE-FLOOR).
	m.weights[model.SetTime] = 2
	return &m
}

// drill12Mix is a TLS 1.2 resumption drill, a third of the drills: SSL_CTXs
// that cache on both sides, tickets turned on and off between the
// handshakes (a session with an id offered with an empty ticket extension
// comes back renewed, and the client swaps it in its cache: TKT-12-DUP), and
// servers with an external cache that hand sessions back with or without a
// reference (CB-GET-COPY*), whose SSLs are then freed and cleared.
func drill12Mix() *Mix {
	m := Mix{NoTicket: 50, Resume: 3, Version: model.TLS12, Plain: true, Drill: true, Caches: true}
	for _, k := range []model.Kind{model.CtxNew, model.SSLNew, model.Handshake, model.SetSession, model.Get1,
		model.CtxSetOptions, model.CtxClearOptions, model.SetOptions, model.ClearOptions, model.CopySessionID,
		model.SessNumber, model.SessFree, model.Shutdown} {
		m.weights[k] = 2
	}
	m.weights[model.SSLFree], m.weights[model.SSLClear] = 1, 1
	return &m
}

var drillLimits = Limits{MaxCtxs: 2, MaxSSLs: 8}

// A marathon sequence has marathonCalls calls on at most two SSL_CTXs and
// four SSLs.
const marathonCalls = 2500

var marathonLimits = Limits{MaxCtxs: 2, MaxSSLs: 4}

// MarathonMix is the mix of a marathon: a long sequence of handshakes on a
// few SSL_CTXs that are never freed, with SSLs made, shut down, cleared
// and freed around them, so that the rules that need hundreds of
// handshakes on one SSL_CTX (the automatic flush of every 256th) fire.
func MarathonMix(src Source) *Mix {
	m := Mix{NoTicket: 100, Plain: true, Version: []model.Version{model.VersionNone, model.TLS12, model.TLS13}[src.Intn(3)]}
	for _, k := range []model.Kind{model.CtxNew, model.SSLNew, model.Handshake, model.SSLClear, model.SSLFree,
		model.ReadTicket, model.SessNumber} {
		m.weights[k] = 2
	}
	// Clearing both ends makes them fresh again: three calls a handshake.
	m.weights[model.Handshake] = 16
	m.weights[model.SSLClear] = 8
	m.weights[model.SSLFree] = 1
	if src.Intn(2) == 1 {
		// Fresh SSLs rather than cleared ones, in TLS 1.2: a library whose
		// cleared client keeps its session (BoringSSL) would resume every
		// handshake, and only full TLS 1.2 handshakes add to the cache
		// whose adds BORING-AUTO-FLUSH-255 counts.
		m.weights[model.SSLNew], m.weights[model.SSLFree], m.weights[model.SSLClear] = 8, 8, 1
		m.weights[model.ReadTicket], m.weights[model.SessNumber] = 1, 1
		m.Version = model.TLS12
	}
	return &m
}

package model

import (
	"fmt"
	"strings"
)

// Handle names one object (SSL_CTX, SSL or SSL_SESSION) inside a universe.
// Handles of each kind count from 1; 0 means "none" (a NULL pointer).
type Handle int32

// Kind is the call an [Op] makes. Its String form is the C function name
// (or a lower-case pseudo call such as "handshake" for a step that drives
// several library functions).
type Kind uint8

// The calls of the model. Pseudo calls (lower-case names) stand for what a
// program does with several library calls: drive a whole handshake, let a
// client read one post-handshake ticket, suffer a fatal error, let time pass.
const (
	KindInvalid   Kind = iota
	CtxNew             // SSL_CTX_new + configuration; Ctx is the new handle
	CtxFree            // SSL_CTX_free(Ctx)
	SSLNew             // SSL_new(Ctx); SSL is the new handle
	SSLFree            // SSL_free(SSL)
	SSLClear           // SSL_clear(SSL)
	Shutdown           // SSL_shutdown(SSL), one call
	FatalAlert         // a fatal error on SSL's connection: it sends a fatal alert
	Handshake          // a complete handshake between client SSL and server Peer, version Arg
	ReadTicket         // client SSL reads one pending post-handshake ticket; returns 1 or 0
	Get0               // SSL_get0_session(SSL)
	Get1               // SSL_get1_session(SSL)
	UpRef              // SSL_SESSION_up_ref(Sess)
	SessFree           // SSL_SESSION_free(Sess)
	SetSession         // SSL_set_session(SSL, Sess); Sess 0 is NULL
	SessionReused      // SSL_session_reused(SSL)
	IsResumable        // SSL_SESSION_is_resumable(Sess)
	SetTime            // SSL_SESSION_set_time(Sess, Arg)
	SetTimeout         // SSL_SESSION_set_timeout(Sess, Arg)
	GetTime            // SSL_SESSION_get_time(Sess)
	GetTimeout         // SSL_SESSION_get_timeout(Sess)
	CtxSetTimeout      // SSL_CTX_set_timeout(Ctx, Arg)
	SetCacheSize       // SSL_CTX_sess_set_cache_size(Ctx, Arg)
	AddSession         // SSL_CTX_add_session(Ctx, Sess)
	RemoveSession      // SSL_CTX_remove_session(Ctx, Sess)
	Flush              // SSL_CTX_flush_sessions(Ctx, Arg)
	SessNumber         // SSL_CTX_sess_number(Ctx)
	SessHits           // SSL_CTX_sess_hits(Ctx)
	SessMisses         // SSL_CTX_sess_misses(Ctx)
	SessTimeouts       // SSL_CTX_sess_timeouts(Ctx)
	SessCacheFull      // SSL_CTX_sess_cache_full(Ctx)
	Tick               // the virtual clock advances by Arg seconds
	// The calls added after tick keep the wire order of the calls before
	// them (the hello lists calls in Kind order).
	SessConnect          // SSL_CTX_sess_connect(Ctx)
	SessConnectGood      // SSL_CTX_sess_connect_good(Ctx)
	SessAccept           // SSL_CTX_sess_accept(Ctx)
	SessAcceptGood       // SSL_CTX_sess_accept_good(Ctx)
	SessCbHits           // SSL_CTX_sess_cb_hits(Ctx)
	HasMatchingSessionID // SSL_has_matching_session_id(SSL, the id of Sess)
	CtxSetCacheMode      // SSL_CTX_set_session_cache_mode(Ctx, Arg)
	CtxSetOptions        // SSL_CTX_set_options(Ctx, Arg)
	CtxClearOptions      // SSL_CTX_clear_options(Ctx, Arg)
	SetOptions           // SSL_set_options(SSL, Arg)
	ClearOptions         // SSL_clear_options(SSL, Arg)
	CtxSetNumTickets     // SSL_CTX_set_num_tickets(Ctx, Arg)
	SetNumTickets        // SSL_set_num_tickets(SSL, Arg)
	RoundTrip            // d2i_SSL_SESSION of what i2d_SSL_SESSION(Sess) encodes, in one step
	SessDup              // SSL_SESSION_dup(Sess)
	SessNew              // SSL_SESSION_new()
	CopySessionID        // SSL_copy_session_id(SSL, Peer): SSL is to, Peer is from
	SetQuietShutdown     // SSL_set_quiet_shutdown(SSL, Arg)
	SetShutdown          // SSL_set_shutdown(SSL, Arg)
	GetShutdown          // SSL_get_shutdown(SSL)
	ReadAlert            // SSL's peer fails with a fatal alert, which SSL reads
	CtxSetMaxEarlyData   // SSL_CTX_set_max_early_data(Ctx, Arg)
	SetMaxEarlyData      // SSL_set_max_early_data(SSL, Arg)
	CtxSetSidCtx         // SSL_CTX_set_session_id_context(Ctx, the SidCtx Arg)
	SetSidCtx            // SSL_set_session_id_context(SSL, the SidCtx Arg)
	SessSetSidCtx        // SSL_SESSION_set1_id_context(Sess, the SidCtx Arg)
	ClientHello          // client_hello(SSL, Peer, version): a handshake's first flights
	HandshakeFinish      // handshake_finish(SSL, Peer): the rest of the handshake
	SetSSLCtx            // SSL_set_SSL_CTX(SSL, Ctx)
	CtxSetServernameCtx  // SSL_CTX_set_tlsext_servername_callback(Ctx, a callback switching to the SSL_CTX Arg)
	kindCount
)

// String returns the C name of the call.
func (k Kind) String() string {
	switch {
	case k == KindInvalid:
		return "invalid"
	case k < kindCount:
		return calls[k].Name
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Kinds lists every valid call kind, in declaration order.
func Kinds() []Kind {
	out := make([]Kind, 0, kindCount-1)
	for k := Kind(1); k < kindCount; k++ {
		out = append(out, k)
	}
	return out
}

// ParseKind maps a C name (or pseudo-call name) to its Kind. SSL_get_session
// is accepted as the alias of SSL_get0_session.
func ParseKind(name string) (Kind, bool) {
	if name == "SSL_get_session" {
		return Get0, true
	}
	for k := Kind(1); k < kindCount; k++ {
		if calls[k].Name == name {
			return k, true
		}
	}
	return KindInvalid, false
}

// Version is a TLS protocol version used in a handshake.
type Version uint8

// The protocol versions a handshake can use. VersionNone marks a session or
// connection that has not negotiated one.
const (
	VersionNone Version = 0
	TLS12       Version = 12
	TLS13       Version = 13
)

// String returns TLS1_2 or TLS1_3, as a C programmer writes them.
func (v Version) String() string {
	switch v {
	case TLS12:
		return "TLS1_2"
	case TLS13:
		return "TLS1_3"
	case VersionNone:
		return "none"
	}
	return fmt.Sprintf("Version(%d)", uint8(v))
}

// Op is one call. Which fields matter depends on Kind; the rest are zero.
type Op struct {
	Kind   Kind
	Ctx    Handle    // SSL_CTX argument (the new handle for CtxNew)
	SSL    Handle    // SSL argument (the new handle for SSLNew; the client in Handshake)
	Peer   Handle    // the server SSL in Handshake
	Sess   Handle    // SSL_SESSION argument (0 is NULL in SetSession)
	Arg    int64     // time, timeout, size, flush time, seconds to tick, the Version of a Handshake, or a second SSL_CTX handle
	Config CtxConfig // the options of CtxNew
}

// String renders the call in C-like form, for example
// "SSL_CTX_add_session(ctx1, sess2)": its objects in the order SSL_CTX,
// SSL, peer, session (the object a call makes is left out: it is named by
// the assignment scenarios write), then its argument.
func (o Op) String() string {
	c := CallOf(o.Kind)
	if c.Config {
		return fmt.Sprintf("%s(%s)", c.Name, o.Config)
	}
	var args []string
	if c.Ctx == Takes || c.Ctx == TakesOrNull {
		args = append(args, CtxName(o.Ctx))
	}
	if c.SSL == Takes || c.SSL == TakesOrNull {
		args = append(args, SSLName(o.SSL))
	}
	if c.Peer == Takes || c.Peer == TakesOrNull {
		args = append(args, SSLName(o.Peer))
	}
	if c.Sess == Takes || c.Sess == TakesOrNull {
		args = append(args, SessName(o.Sess))
	}
	switch c.Arg {
	case ArgNumber, ArgTime:
		args = append(args, fmt.Sprint(o.Arg))
	case ArgVersion:
		args = append(args, Version(o.Arg).String())
	case ArgMode:
		args = append(args, CacheMode(o.Arg).String())
	case ArgOptions:
		args = append(args, Options(o.Arg).String())
	case ArgCtx:
		args = append(args, CtxName(Handle(o.Arg)))
	}
	return c.Name + "(" + strings.Join(args, ", ") + ")"
}

// CtxName renders an SSL_CTX handle ("ctx3", or "NULL").
func CtxName(h Handle) string { return name("ctx", h) }

// SSLName renders an SSL handle ("ssl2", or "NULL").
func SSLName(h Handle) string { return name("ssl", h) }

// SessName renders an SSL_SESSION handle ("sess5", or "NULL").
func SessName(h Handle) string { return name("sess", h) }

func name(prefix string, h Handle) string {
	if h == 0 {
		return "NULL"
	}
	return fmt.Sprintf("%s%d", prefix, h)
}

// GoString renders the call in C-like form, so that tools which print
// values with %#v (rapid's failure logs) show code, not a struct.
func (o Op) GoString() string { return o.String() }

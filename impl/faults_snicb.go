package impl

// The fault points of the servername callback (snicb.go). They live apart
// from faults.go so that its lines stay where docs/mutants.md's automatic
// mutation section found them; they continue its choose points, which end
// at CopySessionIDCopiesSidCtx, below the Amount points at 128.
const (
	// SNICBCurrentFirst: the servername callback of the connection's
	// current SSL_CTX runs rather than the one of the SSL_CTX it was made
	// from [true]; false: the latter goes first (SNICB-WHICH). on: the
	// server's *Conn.
	SNICBCurrentFirst Point = CopySessionIDCopiesSidCtx + 1 + iota
	// SNICBMovesAccept: the callback's switch moves the handshake's
	// sess_accept to the new SSL_CTX [true] (SNICB-SWITCH). on: the
	// server's *Conn.
	SNICBMovesAccept
	// SNICBAfterLookup: the callback runs after the session lookup and the
	// new session [true]; false: before the lookup, so the lookup and the
	// new session see the new SSL_CTX's session id context
	// (SNICB-AFTER-LOOKUP). on: the server's *Conn.
	SNICBAfterLookup
)

// The choose points must stay below the Amount points.
var _ [FirstShutdownResult - SNICBAfterLookup - 1]struct{}

package model

import (
	"fmt"
	"strings"
)

// Side says whether an SSL_CTX was made with a client or a server method.
type Side uint8

// The two sides of a connection.
const (
	Client Side = iota
	Server
)

// String returns "client" or "server".
func (s Side) String() string {
	if s == Server {
		return "server"
	}
	return "client"
}

// CacheMode holds SSL_CTX_set_session_cache_mode bits, with OpenSSL's values.
type CacheMode uint16

// Session cache mode bits (ssl.h). CacheOff is the empty mode.
const (
	CacheOff              CacheMode = 0x000
	CacheClient           CacheMode = 0x001
	CacheServer           CacheMode = 0x002
	CacheNoAutoClear      CacheMode = 0x080
	CacheNoInternalLookup CacheMode = 0x100
	CacheNoInternalStore  CacheMode = 0x200
)

// CacheModeMask holds every bit the model knows.
const CacheModeMask = CacheClient | CacheServer | CacheNoAutoClear | CacheNoInternalLookup | CacheNoInternalStore

// String renders the mode as the C expression that builds it.
func (m CacheMode) String() string {
	if m == CacheOff {
		return "OFF"
	}
	var parts []string
	for _, b := range []struct {
		bit  CacheMode
		name string
	}{{CacheClient, "CLIENT"}, {CacheServer, "SERVER"}, {CacheNoAutoClear, "NO_AUTO_CLEAR"},
		{CacheNoInternalLookup, "NO_INTERNAL_LOOKUP"}, {CacheNoInternalStore, "NO_INTERNAL_STORE"}} {
		if m&b.bit != 0 {
			parts = append(parts, b.name)
		}
	}
	if rest := m &^ CacheModeMask; rest != 0 {
		parts = append(parts, fmt.Sprintf("0x%x", uint16(rest)))
	}
	return strings.Join(parts, "|")
}

// Options holds the SSL_OP_* bits the model knows, with OpenSSL's values:
// the options the shim protocol carries (docs/protocol.md §3).
type Options uint64

// The option bits.
const (
	OptNoTicket     Options = 0x00004000 // SSL_OP_NO_TICKET
	OptNoAntiReplay Options = 0x01000000 // SSL_OP_NO_ANTI_REPLAY
)

// OptionsMask holds every option bit the model knows; the options calls
// return what the library returned ANDed with it.
const OptionsMask = OptNoTicket | OptNoAntiReplay

// String renders the options as the C expression that builds them, "0"
// for none.
func (o Options) String() string {
	if o == 0 {
		return "0"
	}
	var parts []string
	for _, b := range []struct {
		bit  Options
		name string
	}{{OptNoTicket, "SSL_OP_NO_TICKET"}, {OptNoAntiReplay, "SSL_OP_NO_ANTI_REPLAY"}} {
		if o&b.bit != 0 {
			parts = append(parts, b.name)
		}
	}
	if rest := o &^ OptionsMask; rest != 0 {
		parts = append(parts, fmt.Sprintf("0x%x", uint64(rest)))
	}
	return strings.Join(parts, "|")
}

// NewSessionCB says whether an SSL_CTX has a new_session_cb and what it returns.
type NewSessionCB uint8

// The new_session_cb settings: none, one that returns 0 (the library keeps
// its reference), one that returns 1 (the application now owns a reference
// and must SSL_SESSION_free it).
const (
	NewCBNone NewSessionCB = iota
	NewCBReturn0
	NewCBReturn1
)

// GetSessionCB says whether an SSL_CTX has a get_session_cb (an external
// session cache, CB-EXT-STORE) and what it writes to *copy.
type GetSessionCB uint8

// The get_session_cb settings: none; one that leaves *copy at 1 (libssl
// takes a reference of its own, CB-GET-COPY1); one that writes 0 (libssl
// takes over the store's reference, CB-GET-COPY0).
const (
	GetCBNone GetSessionCB = iota
	GetCBCopy1
	GetCBCopy0
	// A store that keeps bytes (CB-EXT-SERIAL-STORE): new_session_cb
	// returns 0 after i2d_SSL_SESSION, get_session_cb returns a fresh
	// object from d2i_SSL_SESSION. GetCBFresh1 leaves *copy at 1, which
	// leaks d2i's reference (CB-GET-FRESH-COPY1); GetCBFresh0 writes 0
	// (CB-GET-FRESH-COPY0), what nginx and haproxy do.
	GetCBFresh1
	GetCBFresh0
)

// Fresh reports whether get_session_cb makes a fresh object from bytes
// the store kept (CB-EXT-SERIAL-STORE) rather than return a kept pointer.
func (g GetSessionCB) Fresh() bool { return g == GetCBFresh1 || g == GetCBFresh0 }

// CtxConfig is everything SSL_CTX_new and the set-up calls after it decide.
// Zero values mean "library default" where the field says so.
type CtxConfig struct {
	Side        Side         `json:"side"`
	CacheMode   CacheMode    `json:"mode"`         // exact mode; see DefaultMode
	DefaultMode bool         `json:"default_mode"` // leave the mode at the library default (SERVER)
	CacheSize   int64        `json:"cache_size"`   // SSL_CTX_sess_set_cache_size; -1 leaves the default
	Timeout     int64        `json:"timeout"`      // SSL_CTX_set_timeout; 0 leaves the default
	NumTickets  int64        `json:"num_tickets"`  // SSL_CTX_set_num_tickets; -1 leaves the default
	NoTicket    bool         `json:"no_ticket"`    // SSL_OP_NO_TICKET
	NewCB       NewSessionCB `json:"new_cb"`       // SSL_CTX_sess_set_new_cb: 0 none, 1 returns 0, 2 returns 1
	RemoveCB    bool         `json:"remove_cb"`    // SSL_CTX_sess_set_remove_cb
	// GetCB installs an external cache's get_session_cb
	// (SSL_CTX_sess_set_get_cb); a store of pointers (GetCBCopy1,
	// GetCBCopy0) needs NewCB = NewCBReturn1, which fills it
	// (CB-EXT-STORE), a store of bytes (GetCBFresh1, GetCBFresh0) needs
	// NewCB = NewCBReturn0 (CB-EXT-SERIAL-STORE).
	GetCB GetSessionCB `json:"get_cb,omitempty"`
}

// DefaultConfig returns a configuration that changes nothing from the
// library's defaults, for the given side.
func DefaultConfig(side Side) CtxConfig {
	return CtxConfig{Side: side, DefaultMode: true, CacheSize: -1, NumTickets: -1}
}

// String renders the configuration compactly, for example
// "server, mode=SERVER|NO_AUTO_CLEAR, size=3, new_cb=1, remove_cb".
func (c CtxConfig) String() string {
	parts := []string{c.Side.String()}
	if !c.DefaultMode {
		parts = append(parts, "mode="+c.CacheMode.String())
	}
	if c.CacheSize >= 0 {
		parts = append(parts, fmt.Sprintf("size=%d", c.CacheSize))
	}
	if c.Timeout != 0 {
		parts = append(parts, fmt.Sprintf("timeout=%d", c.Timeout))
	}
	if c.NumTickets >= 0 {
		parts = append(parts, fmt.Sprintf("tickets=%d", c.NumTickets))
	}
	if c.NoTicket {
		parts = append(parts, "no_ticket")
	}
	switch c.NewCB {
	case NewCBReturn0:
		parts = append(parts, "new_cb=0")
	case NewCBReturn1:
		parts = append(parts, "new_cb=1")
	}
	if c.RemoveCB {
		parts = append(parts, "remove_cb")
	}
	switch c.GetCB {
	case GetCBCopy1:
		parts = append(parts, "get_cb=1")
	case GetCBCopy0:
		parts = append(parts, "get_cb=0")
	case GetCBFresh1:
		parts = append(parts, "get_cb=d2i1")
	case GetCBFresh0:
		parts = append(parts, "get_cb=d2i0")
	}
	return strings.Join(parts, ", ")
}

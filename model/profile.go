package model

import "sort"

// Profile holds what differs between library versions. Today there is one,
// [OpenSSL30]; a profile for another library adds its numbers here and, where
// it behaves differently rather than with other numbers, a named switch that
// the step functions consult.
type Profile struct {
	Name string
	// DefaultTimeout is the session timeout of a new SSL_CTX and of a session
	// whose SSL_CTX timeout is 0 (OpenSSL: 7200 s; its docs say 300 s).
	DefaultTimeout int64
	// DefaultCacheSize is SSL_SESSION_CACHE_MAX_SIZE_DEFAULT.
	DefaultCacheSize int64
	// DefaultNumTickets is how many TLS 1.3 tickets a server sends after a
	// full handshake.
	DefaultNumTickets int64
	// TicketHintCap caps the TLS 1.3 ticket_lifetime_hint (one week).
	TicketHintCap int64
	// AutoFlushMask: the cache is flushed when the handshake counter ANDed
	// with the mask equals the mask (every 256th handshake for 0xff).
	AutoFlushMask int64
	// StartTime is the virtual clock's value in a new universe.
	StartTime int64
}

// OpenSSL30 is what Debian's OpenSSL 3.0 does (ssl/ssl_sess.c,
// ssl/ssl_lib.c and ssl/statem at 3.0.16+; checked against 3.0.19).
func OpenSSL30() Profile {
	return Profile{
		Name:              "openssl-3.0",
		DefaultTimeout:    7200,
		DefaultCacheSize:  1024 * 20,
		DefaultNumTickets: 2,
		TicketHintCap:     7 * 24 * 3600,
		AutoFlushMask:     0xff,
		StartTime:         1_700_000_000,
	}
}

// Profiles returns every known profile by name.
func Profiles() map[string]Profile {
	p := OpenSSL30()
	return map[string]Profile{p.Name: p}
}

// ProfileNames returns the known profile names, sorted.
func ProfileNames() []string {
	var names []string
	for n := range Profiles() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

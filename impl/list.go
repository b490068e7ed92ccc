package impl

import "github.com/sesslife/sesslife/model"

// cacheKey is what the cache's hash table is keyed by: OpenSSL's
// ssl_session_hash/ssl_session_cmp compare the protocol version and the id.
type cacheKey struct {
	version model.Version
	id      SessionID
}

func keyOf(s *Session) cacheKey { return cacheKey{s.version, s.id} }

// cache is an SSL_CTX's session cache: a hash table and a doubly linked list
// holding the same sessions, the list sorted by expiry with the session that
// expires last at the head. The cache owns one reference per session.
// Everything here runs under the owning Ctx's mu.
type cache struct {
	byKey      map[cacheKey]*Session
	head, tail *Session
}

func (k *cache) init() { k.byKey = make(map[cacheKey]*Session) }

// link is SSL_SESSION_list_add: s goes (back) into c's list before the first
// session that expires no later than it does, so among equal expiry times the
// newest is nearest the head. It also enters the hash table and becomes owned.
func (c *Ctx) link(s *Session) {
	k := &c.cache
	k.remove(s)
	s.mu.Lock()
	e := s.expiry()
	s.owner = c
	s.mu.Unlock()
	at := k.head
	for at != nil && e < at.currentExpiry() {
		at = at.next
	}
	k.insertBefore(s, at)
	k.byKey[keyOf(s)] = s
}

// unlink takes s out of c's cache (hash table and list); s no longer has an
// owner. The cache's reference is the caller's to drop.
func (c *Ctx) unlink(s *Session) {
	c.cache.remove(s)
	if c.cache.byKey[keyOf(s)] == s {
		delete(c.cache.byKey, keyOf(s))
	}
	s.mu.Lock()
	s.owner = nil
	s.mu.Unlock()
}

// currentExpiry is expiry for a caller that does not hold s.mu.
func (s *Session) currentExpiry() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expiry()
}

// currentOwner returns the SSL_CTX whose cache holds s, or nil.
func (s *Session) currentOwner() *Ctx {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.owner
}

// insertBefore puts s before at, or at the tail when at is nil.
func (k *cache) insertBefore(s, at *Session) {
	s.next = at
	if at == nil {
		s.prev = k.tail
		k.tail = s
	} else {
		s.prev = at.prev
		at.prev = s
	}
	if s.prev == nil {
		k.head = s
	} else {
		s.prev.next = s
	}
}

// remove takes s out of the list if it is in it.
func (k *cache) remove(s *Session) {
	if s.prev == nil && k.head != s {
		return
	}
	if s.prev == nil {
		k.head = s.next
	} else {
		s.prev.next = s.next
	}
	if s.next == nil {
		k.tail = s.prev
	} else {
		s.next.prev = s.prev
	}
	s.prev, s.next = nil, nil
}

package impl

import "context"

// useUp is the anti-replay check of tls_parse_ctos_psk: the stateful
// ticket's session leaves the cache before it resumes. A session the cache
// does not hold (get_session_cb's under NO_INTERNAL_STORE) cannot be used
// up, so the ticket is refused: the lookup's reference is dropped and nil
// returned (HS13-ANTI-REPLAY-SINGLE-USE).
func (c *Ctx) useUp(call context.Context, found *Session) *Session {
	if c.RemoveSession(call, found) {
		return found
	}
	found.release(call)
	return nil
}

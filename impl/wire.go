package impl

import "sync"

// wire is the transport between the two ends of one handshake: what each end
// has sent and the other has not read yet. The ends may be used by different
// goroutines once the handshake is over, so it has its own lock. An end that
// disconnects drops its pointer; what the other end sends later is never
// read, and what was waiting for the end that left is lost with it.
type wire struct {
	mu    sync.Mutex
	inbox [2][]record // by end: 0 the client, 1 the server
	// ends are the two connections, set once by Handshake before the wire
	// is shared; an end that disconnects stops pointing at the wire, not
	// the other way round.
	ends [2]*Conn
}

// record is one message in flight: a NewSessionTicket, or close_notify when
// ticket is nil.
type record struct {
	ticket *ticket
}

const (
	clientEnd = 0
	serverEnd = 1
)

// send queues r for the end opposite from.
func (w *wire) send(from int, r record) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inbox[1-from] = append(w.inbox[1-from], r)
}

// next takes the first record waiting at end at. With ticketsOnly it takes
// only a ticket, leaving a close_notify for a later read.
func (w *wire) next(at int, ticketsOnly bool) (record, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.inbox[at]
	if len(q) == 0 || (ticketsOnly && q[0].ticket == nil) {
		return record{}, false
	}
	w.inbox[at] = q[1:]
	return q[0], true
}

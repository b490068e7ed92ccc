package linearizability

import (
	"fmt"
	"time"
)

// Config sizes one run. The zero value of a field means its default.
type Config struct {
	// Clients is how many goroutines call the target at once (default 8).
	Clients int
	// Epochs is how many universes the run opens, one after another
	// (default 4). Each is checked as its own partition.
	Epochs int
	// Rounds is how many concurrent phases each universe has, separated
	// by quiescent barriers that observe the target (default 2).
	Rounds int
	// CallsPerRound is how many calls each client makes per round
	// (default 50).
	CallsPerRound int
	// Seed drives every random choice; client k of epoch e draws from its
	// own stream, so its choices do not depend on the other clients.
	Seed uint64
	// CallTimeout bounds one call (default 10 s). A call that takes longer
	// is recorded as unknown and ends the run: the target hangs.
	CallTimeout time.Duration
	// Handshakes, when positive, bounds how many clients may be in a
	// handshake at once; 0 (the default) bounds nothing. The checker no
	// longer needs a bound (the package doc, "Why the check is fast"); it
	// is kept for measuring what concurrent handshakes cost the check.
	Handshakes int
	// toldHangs, set only by the package's tests, says that the target
	// tells when a call hangs (tellHang, through the call's context): the
	// watchdog then gives up on that call at once, and after a stop waits
	// for the other calls however long they take, so that no verdict
	// depends on the clock (CallTimeout should then be long).
	toldHangs bool
}

// Defaults for Config.
const (
	DefaultClients       = 8
	DefaultEpochs        = 4
	DefaultRounds        = 2
	DefaultCallsPerRound = 50
	DefaultCallTimeout   = 10 * time.Second
)

// maxClients bounds Clients: a universe opens one SSL_CTX and two SSLs per
// client, and its handshake budget is shared out between them.
const maxClients = 32

// withDefaults fills zero fields and rejects impossible values, naming the
// field.
func (c Config) withDefaults() (Config, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Clients, DefaultClients)
	def(&c.Epochs, DefaultEpochs)
	def(&c.Rounds, DefaultRounds)
	def(&c.CallsPerRound, DefaultCallsPerRound)
	if c.CallTimeout == 0 {
		c.CallTimeout = DefaultCallTimeout
	}
	switch {
	case c.Clients < 1 || c.Clients > maxClients:
		return c, fmt.Errorf("linearizability: Config.Clients = %d, want 1..%d", c.Clients, maxClients)
	case c.Epochs < 1:
		return c, fmt.Errorf("linearizability: Config.Epochs = %d, want at least 1", c.Epochs)
	case c.Rounds < 1:
		return c, fmt.Errorf("linearizability: Config.Rounds = %d, want at least 1", c.Rounds)
	case c.CallsPerRound < 1:
		return c, fmt.Errorf("linearizability: Config.CallsPerRound = %d, want at least 1", c.CallsPerRound)
	case c.CallTimeout < 0:
		return c, fmt.Errorf("linearizability: Config.CallTimeout = %v, want a positive duration", c.CallTimeout)
	case c.Handshakes < 0:
		return c, fmt.Errorf("linearizability: Config.Handshakes = %d, want 0 (no bound) or more", c.Handshakes)
	}
	return c, nil
}

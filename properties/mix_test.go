package properties

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

// TestDrillReachesHeldCachedSession checks what the resumption drill is
// for: a TLS 1.3 server that resumes a stateful ticket, sends no ticket and
// so keeps the cached object it found, which a call named before (the only
// way an observation can tell that object from a copy; hs13-resume-copies
// hides otherwise). The plain mix must reach it far less often, or the
// drill would be pointless. Counts only: the same on every machine.
func TestDrillReachesHeldCachedSession(t *testing.T) {
	const sequences = 1000
	count := func(drawMix func(Source) *Mix, limits Limits) int {
		hits := 0
		for i := 0; i < sequences; i++ {
			src := newSeqSource(20261124, i)
			mix := drawMix(src)
			s := model.New(model.OpenSSL30())
			var dr Drawer
			hit := false
			for n := 50 + src.Intn(51); n > 0 && !hit; n-- {
				op := dr.Draw(src, s, func(model.Kind) bool { return true }, limits, mix)
				var quiet bool
				if op.Kind == model.Handshake {
					quiet = s.SSLs()[op.Peer-1].NumTickets == 0
				}
				if _, err := s.Step(op); err != nil {
					t.Fatalf("sequence %d: %v: %v", i, op, err)
				}
				if op.Kind == model.Handshake && quiet && model.Version(op.Arg) == model.TLS13 {
					v := s.SSLs()[op.Peer-1]
					hit = v.Reused && v.Sess != model.Unnamed
				}
			}
			if hit {
				hits++
			}
		}
		return hits
	}
	drill := count(DrillMix, drillLimits)
	plain := count(func(Source) *Mix { return DefaultMix() }, DefaultLimits())
	t.Logf("of %d sequences, %d drills and %d plain ones reach it", sequences, drill, plain)
	if drill < 10 || drill < 4*plain {
		t.Errorf("drills reach a resumed TLS 1.3 server holding a named cached session in %d of %d sequences, "+
			"plain sequences in %d; want at least 10, and 4 times as many as plain", drill, sequences, plain)
	}
}

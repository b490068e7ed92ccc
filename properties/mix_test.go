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
	const sequences = 2000
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
	drill := count(func(Source) *Mix { return drill13Mix() }, drillLimits)
	plain := count(func(Source) *Mix { return DefaultMix() }, DefaultLimits())
	t.Logf("of %d sequences, %d drills and %d plain ones reach it", sequences, drill, plain)
	if drill < 10 || drill < 4*plain {
		t.Errorf("TLS 1.3 drills reach a resumed TLS 1.3 server holding a named cached session in %d of %d sequences, "+
			"plain sequences in %d; want at least 10, and 4 times as many as plain", drill, sequences, plain)
	}
}

// TestDrill12FiresItsRules checks what the TLS 1.2 drill is for: a client
// that caches its sessions swaps one for a renewed ticket (TKT-12-DUP), and
// an external cache hands a session back without a reference
// (CB-GET-COPY0). The plain mix must fire them far less often. Counts
// only: the same on every machine.
func TestDrill12FiresItsRules(t *testing.T) {
	const sequences = 1000
	rules := []model.Rule{model.RuleTkt12Dup, model.RuleCBGetCopy0}
	count := func(drawMix func(Source) *Mix, limits Limits) []int {
		fires := make([]int, len(rules))
		for i := 0; i < sequences; i++ {
			src := newSeqSource(20261124, i)
			mix := drawMix(src)
			s := model.New(model.OpenSSL30())
			var dr Drawer
			var seen model.RuleSet
			for n := 50 + src.Intn(51); n > 0; n-- {
				op := dr.Draw(src, s, func(model.Kind) bool { return true }, limits, mix)
				if _, err := s.Step(op); err != nil {
					t.Fatalf("sequence %d: %v: %v", i, op, err)
				}
				seen.Union(s.Fired())
			}
			for j, r := range rules {
				if seen.Has(r) {
					fires[j]++
				}
			}
		}
		return fires
	}
	drill := count(func(Source) *Mix { return drill12Mix() }, drillLimits)
	plain := count(func(Source) *Mix { return DefaultMix() }, DefaultLimits())
	for j, r := range rules {
		t.Logf("%s: in %d of %d TLS 1.2 drills, %d of %d plain sequences", r, drill[j], sequences, plain[j], sequences)
		if drill[j] < 10 || drill[j] < 4*plain[j] {
			t.Errorf("%s fires in %d of %d TLS 1.2 drills and %d plain sequences; want at least 10, and 4 times as many as plain",
				r, drill[j], sequences, plain[j])
		}
	}
}

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
	count := func(mix *Mix, limits Limits) int {
		hits := map[int]bool{}
		drawSequences(t, sequences, mix, limits, func(i int, s *model.State, op model.Op, apply func()) bool {
			quiet := op.Kind == model.Handshake && s.SSLs()[op.Peer-1].NumTickets == 0
			apply()
			if quiet && model.Version(op.Arg) == model.TLS13 {
				if v := s.SSLs()[op.Peer-1]; v.Reused && v.Sess != model.Unnamed {
					hits[i] = true
				}
			}
			return !hits[i]
		})
		return len(hits)
	}
	drill := count(drill13Mix(), drillLimits)
	plain := count(DefaultMix(), DefaultLimits())
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
	count := func(mix *Mix, limits Limits) []int {
		seen := map[int]*model.RuleSet{}
		drawSequences(t, sequences, mix, limits, func(i int, s *model.State, _ model.Op, apply func()) bool {
			apply()
			if seen[i] == nil {
				seen[i] = new(model.RuleSet)
			}
			seen[i].Union(s.Fired())
			return true
		})
		fires := make([]int, len(rules))
		for _, set := range seen {
			for j, r := range rules {
				if set.Has(r) {
					fires[j]++
				}
			}
		}
		return fires
	}
	drill := count(drill12Mix(), drillLimits)
	plain := count(DefaultMix(), DefaultLimits())
	for j, r := range rules {
		t.Logf("%s: in %d of %d TLS 1.2 drills, %d of %d plain sequences", r, drill[j], sequences, plain[j], sequences)
		if drill[j] < 10 || drill[j] < 4*plain[j] {
			t.Errorf("%s fires in %d of %d TLS 1.2 drills and %d plain sequences; want at least 10, and 4 times as many as plain",
				r, drill[j], sequences, plain[j])
		}
	}
}

// drawSequences draws the first n sequences of seed 20261124 from mix on
// the openssl-3.0 model, as the search would, and hands each drawn call to
// visit with the model before the call; visit steps it with apply (a
// refused call fails the test) and returns false to end its sequence.
// Both drill tests count on it, so they count the same sequences.
func drawSequences(t *testing.T, n int, mix *Mix, limits Limits, visit func(seq int, s *model.State, op model.Op, apply func()) bool) {
	t.Helper()
	for i := 0; i < n; i++ {
		src := newSeqSource(20261124, i)
		s := model.New(model.OpenSSL30())
		var dr Drawer
		for calls := 50 + src.Intn(51); calls > 0; calls-- {
			op := dr.Draw(src, s, func(model.Kind) bool { return true }, limits, mix)
			apply := func() {
				if _, err := s.Step(op); err != nil {
					t.Fatalf("sequence %d: %v: %v", i, op, err)
				}
			}
			if !visit(i, s, op, apply) {
				break
			}
		}
	}
}

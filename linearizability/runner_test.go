package linearizability

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// small is a run that keeps the tests fast, under the race detector too.
// A call counts as hung only near the test binary's deadline, not after
// the 10 s default a loaded machine could reach on a correct target.
func small(seed uint64) Config {
	return Config{Clients: 8, Epochs: 2, Rounds: 2, CallsPerRound: 40, Seed: seed, CallTimeout: testwait.RunBudget()}
}

// overlapping counts the calls whose interval overlaps a call of another
// client: a run where calls never overlap tests nothing.
func overlapping(h *History) int {
	n := 0
	for i := range h.Records {
		a := &h.Records[i]
		for j := range h.Records {
			b := &h.Records[j]
			if a.What == Call && b.What == Call && a.Client != b.Client && a.Call <= b.Return && b.Call <= a.Return {
				n++
				break
			}
		}
	}
	return n
}

// TestImplLinearizable runs the reference simulator, yielding between the
// steps of its calls so that calls overlap, and expects a pass. It also
// checks that the workload overlaps calls and reaches every call kind.
func TestImplLinearizable(t *testing.T) {
	seen := map[model.Kind]bool{}
	for seed := range uint64(3) {
		h := checkPasses(t, fmt.Sprintf("seed %d", seed), func() (*History, error) {
			return Run(context.Background(), impl.NewTarget(mutants.Yields()), small(seed))
		})
		if n := overlapping(h); n < h.Calls()/10 {
			t.Errorf("seed %d: only %d of %d calls overlap another client's", seed, n, h.Calls())
		}
		for _, r := range h.Records {
			seen[r.Op.Kind] = true
		}
	}
	for _, k := range usedKinds {
		if !seen[k] {
			t.Errorf("no run made a %s call", k)
		}
	}
}

// TestRunIsPerClientDeterministic: a client's calls depend on the seed, not
// on how the clients interleave (handles aside).
func TestRunIsPerClientDeterministic(t *testing.T) {
	kinds := func() [][]model.Kind {
		h, err := Run(context.Background(), impl.NewTarget(mutants.Yields()), Config{Clients: 4, Epochs: 1, Rounds: 1, CallsPerRound: 30, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		out := make([][]model.Kind, h.Clients+1)
		for _, r := range h.Records {
			out[r.Client] = append(out[r.Client], r.Op.Kind)
		}
		return out
	}
	a, b := kinds(), kinds()
	for c := range len(a) - 1 { // the harness's tear-down follows what it observes
		if !slices.Equal(a[c], b[c]) {
			t.Errorf("client %d made different calls in two runs with one seed", c)
		}
	}
}

// faulty fails (or hangs at) its n-th call, or, with kind set, at its
// first call of that kind from the n-th call on.
type faulty struct {
	target.Target
	calls   atomic.Int64
	n       int64
	kind    model.Kind // KindInvalid: any call
	hang    bool
	fired   atomic.Bool
	release chan struct{}
}

func (f *faulty) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	due := f.calls.Add(1) >= f.n && (f.kind == model.KindInvalid || op.Kind == f.kind)
	if due && f.fired.CompareAndSwap(false, true) {
		if f.hang {
			tellHang(ctx)
			<-f.release // ignores ctx, as a deadlocked in-process library would
		}
		return model.Result{}, errors.New("injected failure")
	}
	return f.Target.Apply(ctx, op)
}

// TestFailingTargetIsAFinding: an error or a hang is recorded as an unknown
// call, the run stops, and the verdict is a target failure, not a pass.
//
// It fails or hangs, in turn, at the first call of each kind the runner
// makes from the 200th call on, with and without a bound on concurrent
// handshakes: a call that hangs may hold what other clients wait for (the
// lock that orders the creation of objects, a handshake token), and they
// must give up when the run stops, not wait for ever (a CI run once hung
// in SSL_new here until the test binary's deadline).
func TestFailingTargetIsAFinding(t *testing.T) {
	for _, kind := range append([]model.Kind{model.KindInvalid}, usedKinds...) {
		for _, hang := range []bool{false, true} {
			for _, handshakes := range []int{0, 2} {
				name := fmt.Sprintf("%s/hang=%v/handshakes=%d", kind, hang, handshakes)
				if kind == model.KindInvalid {
					name = fmt.Sprintf("any/hang=%v/handshakes=%d", hang, handshakes)
				}
				t.Run(name, func(t *testing.T) { failOnce(t, kind, hang, handshakes) })
			}
		}
	}
}

// failOnce runs a small run whose target fails (or hangs at) its first call
// of kind from the 200th call on, and checks the verdict.
func failOnce(t *testing.T, kind model.Kind, hang bool, handshakes int) {
	f := &faulty{Target: impl.NewTarget(), n: 200, kind: kind, hang: hang, release: make(chan struct{})}
	cfg := small(1)
	cfg.Handshakes = handshakes
	// The target tells the runner when its call hangs, and no clock decides
	// anything: no other call is given up on, however slow the machine
	// (small's CallTimeout is near the test's deadline).
	cfg.toldHangs = true
	h, err := Run(context.Background(), f, cfg)
	close(f.release)
	if err != nil {
		t.Fatal(err)
	}
	if !f.fired.Load() {
		// Every kind comes again in the second universe, well after the
		// 200th call: a case that injects nothing would test nothing.
		t.Fatalf("no call of this kind came from the 200th on, so no fault was injected (failures %q)", h.Failures)
	}
	var failed []Record
	for _, r := range h.Records {
		if r.Failed {
			failed = append(failed, r)
		}
	}
	if len(failed) != 1 || failed[0].Return != Unknown || len(h.Failures) != 1 {
		t.Fatalf("%d failed records, failures %q; want one unknown call", len(failed), h.Failures)
	}
	if hang != strings.Contains(h.Failures[0], "hangs") {
		t.Errorf("failure %q", h.Failures[0])
	}
	if rep := check(t, h); rep.Verdict != TargetFailed {
		t.Errorf("verdict %s, want %s\n%s", rep.Verdict, TargetFailed, rep)
	}
}

// sequential is a target that says it cannot be called concurrently.
type sequential struct{ target.Target }

func (s sequential) Info() target.Info {
	i := s.Target.Info()
	i.Concurrent = false
	return i
}

func TestRunRefuses(t *testing.T) {
	ctx := context.Background()
	if _, err := Run(ctx, sequential{impl.NewTarget()}, Config{}); err == nil || !strings.Contains(err.Error(), "not concurrent") {
		t.Errorf("a sequential target: %v", err)
	}
	for _, cfg := range []Config{{Clients: -1}, {Clients: 99}, {Epochs: -2}, {Rounds: -1}, {CallsPerRound: -5}, {CallTimeout: -time.Second}, {Handshakes: -1}} {
		if _, err := Run(ctx, impl.NewTarget(), cfg); err == nil || !strings.Contains(err.Error(), "Config.") {
			t.Errorf("%+v: %v, want an error naming the field", cfg, err)
		}
	}
}

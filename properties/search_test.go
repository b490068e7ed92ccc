package properties

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// perturbed is the model behind the Target interface with twists of its
// results and observations: a library with one known bug.
type perturbed struct {
	modelTarget
	obs func(last model.Op, s *model.State, o *model.Observation)
	op  model.Op
}

func (p *perturbed) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	p.op = op
	return p.modelTarget.Apply(ctx, op)
}

func (p *perturbed) Observe(ctx context.Context) (model.Observation, error) {
	o, err := p.modelTarget.Observe(ctx)
	if p.obs != nil {
		p.obs(p.op, p.s, &o)
	}
	return o, err
}

// dropRemoveCB is a library that never reports remove_cb.
func dropRemoveCB() *perturbed {
	return &perturbed{modelTarget: modelTarget{twist: func(_ model.Op, r *model.Result) {
		var keep []model.Event
		for _, e := range r.Events {
			if e.Kind != model.EvRemove {
				keep = append(keep, e)
			}
		}
		r.Events = keep
	}}}
}

// zeroResumedIDs is a library that zeroes the id of every session an SSL
// resumed.
func zeroResumedIDs() *perturbed {
	return &perturbed{obs: func(_ model.Op, s *model.State, o *model.Observation) {
		resumed := map[model.Handle]bool{}
		for _, l := range s.SSLs() {
			if l.Alive && l.Reused && l.Sess > 0 {
				resumed[l.Sess] = true
			}
		}
		for i := range o.Sessions {
			if resumed[o.Sessions[i].Sess] {
				o.Sessions[i].IDLen = 0
			}
		}
	}}
}

func opsOfScript(t *testing.T, ops ...model.Op) []model.Op {
	t.Helper()
	if !Legal(model.OpenSSL30(), ops) {
		t.Fatalf("not a legal sequence: %v", ops)
	}
	return ops
}

func newCtxOp(h model.Handle, c model.CtxConfig) model.Op {
	return model.Op{Kind: model.CtxNew, Ctx: h, Config: c}
}

func sslNew(h, ctx model.Handle) model.Op { return model.Op{Kind: model.SSLNew, SSL: h, Ctx: ctx} }

func hsOp(c, s model.Handle, v model.Version) model.Op {
	return model.Op{Kind: model.Handshake, SSL: c, Peer: s, Arg: int64(v)}
}

// TestRulesOfKnownBugs: the three divergences once named by the wording of
// their diff are named by the rule the model applied. A cache eviction
// without remove_cb (a client in default mode beside it) breaks
// EVICT-EVENTS; a flush(0) without remove_cb breaks FLUSH-ZERO; a resumed
// session whose id reads as empty breaks HS12-RESUME-ID.
func TestRulesOfKnownBugs(t *testing.T) {
	srv := model.DefaultConfig(model.Server)
	srv.NoTicket, srv.RemoveCB, srv.CacheSize = true, true, 2
	cli := model.DefaultConfig(model.Client)
	pair := []model.Op{newCtxOp(1, srv), newCtxOp(2, cli), sslNew(1, 2), sslNew(2, 1), hsOp(1, 2, model.TLS12)}
	for _, tc := range []struct {
		name string
		tgt  target.Target
		ops  []model.Op
		want model.Rule
	}{
		{"eviction without remove_cb", dropRemoveCB(),
			append(append([]model.Op{}, pair...), sslNew(3, 2), sslNew(4, 1), hsOp(3, 4, model.TLS12)), model.RuleEvictEvents},
		{"flush(0) without remove_cb", dropRemoveCB(),
			append(append([]model.Op{}, pair...), model.Op{Kind: model.Flush, Ctx: 1}), model.RuleFlushZero},
		{"resumed id zeroed", zeroResumedIDs(),
			append(append([]model.Op{}, pair...), model.Op{Kind: model.Get1, SSL: 1}, sslNew(3, 2), sslNew(4, 1),
				model.Op{Kind: model.SetSession, SSL: 3, Sess: 1}, hsOp(3, 4, model.TLS12)), model.RuleHS12ResumeID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := RunOps(context.Background(), tc.tgt, model.OpenSSL30(), opsOfScript(t, tc.ops...), 1)
			var d *Divergence
			if !errors.As(err, &d) {
				t.Fatalf("no divergence: %v", err)
			}
			if d.Rule != tc.want || d.Call() != len(tc.ops) {
				t.Errorf("divergence at call %d named %s, want call %d named %s:\n%v", d.Call(), d.Rule, len(tc.ops), tc.want, d)
			}
		})
	}
}

// mutantFactory opens the reference simulator with mutant m.
func mutantFactory(m mutants.Mutant) target.Factory {
	return func() (target.Target, error) { return impl.NewTarget(mutants.Option(m)), nil }
}

func searchOptions(seed uint64) SearchOptions {
	o := DefaultSearchOptions()
	o.Seed, o.Sequences, o.MaxFindings = seed, 400, 1
	return o
}

// TestSearchFindsRulesOfMutants: mutants that break a rule where it shows
// are found, named by that rule, and reduced to a 1-minimal reproducer.
func TestSearchFindsRulesOfMutants(t *testing.T) {
	for _, tc := range []struct {
		m    mutants.Mutant
		want model.Rule
	}{
		{mutants.AddSameReturns1, model.RuleCacheAddSame},
		{mutants.FlushZeroKeeps, model.RuleFlushZero},
		{mutants.ShutdownFirstReturns1, model.RuleShutFirstSends},
		{mutants.RemoveEmptyIDMarks, model.RuleRemoveEmptyID},
		{mutants.CountCacheFullOnRemove, model.RuleCntCacheFull},
		{mutants.AlertAfterCloseNotifyRemoves, model.RuleAlertAfterCloseNotify},
	} {
		t.Run(tc.m.String(), func(t *testing.T) {
			rep, err := Search(context.Background(), mutantFactory(tc.m), searchOptions(42))
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != 1 {
				t.Fatalf("%d findings in %d sequences, want 1", len(rep.Findings), rep.Sequences)
			}
			f := rep.Findings[0]
			if f.Rule != tc.want || !f.Minimal {
				t.Errorf("finding named %s (minimal %v), want %s:\n%v", f.Rule, f.Minimal, tc.want, f.Divergence)
			}
			if n := len(f.Divergence.Trail); n > 12 {
				t.Errorf("reproducer of %d calls, want at most 12:\n%v", n, f.Divergence)
			}
			checkOneMinimal(t, tc.m, f)
		})
	}
}

// checkOneMinimal: dropping any one call of the reproducer, or any object
// with every call that uses it, makes it pass or become illegal.
func checkOneMinimal(t *testing.T, m mutants.Mutant, f Finding) {
	t.Helper()
	p, ops := model.OpenSSL30(), f.Divergence.Ops()
	fails := func(cand []model.Op) bool {
		var d *Divergence
		err := RunOps(context.Background(), impl.NewTarget(mutants.Option(m)), p, cand, 1)
		return errors.As(err, &d) && d.Rule == f.Rule
	}
	for i := range ops {
		if cand, ok := without(p, ops, i, i+1); ok && fails(cand) {
			t.Errorf("still fails without call %d (%s):\n%v", i+1, ops[i], cand)
		}
		if creates(ops[i]) {
			if cand, ok := withoutObject(p, ops, i); ok && fails(cand) {
				t.Errorf("still fails without the object call %d makes (%s):\n%v", i+1, ops[i], cand)
			}
		}
	}
}

// TestSearchIsTheSameUnderLoad: the same seed gives the same findings, call
// for call, on a quiet machine and with busy goroutines beside it.
func TestSearchIsTheSameUnderLoad(t *testing.T) {
	run := func() []string {
		opts := searchOptions(7)
		opts.MaxFindings = 3
		rep, err := Search(context.Background(), mutantFactory(mutants.CapacityN), opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range rep.Findings {
			out = append(out, fmt.Sprintf("%s %d %d %v\n%s", f.Rule, f.Sequence, f.Replays, f.Minimal, f.Divergence.Error()))
		}
		return out
	}
	quiet := run()
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for x := 0; !stop.Load(); x++ {
				_ = x * x
			}
		}()
	}
	loaded := run()
	stop.Store(true)
	wg.Wait()
	if len(quiet) == 0 {
		t.Fatal("the search found nothing to compare")
	}
	if !reflect.DeepEqual(quiet, loaded) {
		t.Errorf("findings differ under load:\nquiet:\n%v\nloaded:\n%v", quiet, loaded)
	}
}

// TestSearchShardsSplitTheRun: shards 0/3, 1/3 and 2/3 draw disjoint
// sequences that together are the whole run's.
func TestSearchShardsSplitTheRun(t *testing.T) {
	open := func() (target.Target, error) { return impl.NewTarget(), nil }
	whole := searchOptions(3)
	whole.Sequences = 60
	all, err := Search(context.Background(), open, whole)
	if err != nil {
		t.Fatal(err)
	}
	sum := &Coverage{}
	for k := range 3 {
		o := whole
		o.Shard, o.Shards = k, 3
		rep, err := Search(context.Background(), open, o)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Sequences != 20 {
			t.Errorf("shard %d/3 drew %d sequences, want 20", k, rep.Sequences)
		}
		sum.Merge(rep.Coverage)
	}
	// Each shard keeps its own corpus, so the calls may differ; which
	// sequences are drawn does not.
	if sum.Sequences != all.Sequences {
		t.Errorf("shards drew %d sequences, the whole run %d", sum.Sequences, all.Sequences)
	}
}

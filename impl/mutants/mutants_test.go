package mutants

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// TestCatalogue: names are unique and parse back; every mutant's rule is a
// model.Rule that model.ParseRule knows and docs/spec.md defines; every
// mutant has hooks.
func TestCatalogue(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("..", "..", "docs", "spec.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	sequential := 0
	for _, m := range All() {
		if seen[m.Name] || m.Name == "" || m.Does == "" || m.Mutant == 0 {
			t.Errorf("bad or duplicate entry %+v", m)
		}
		seen[m.Name] = true
		if got, err := Parse(m.Name); err != nil || got != m.Mutant || got.String() != m.Name {
			t.Errorf("%s: Parse gives %v, %v", m.Name, got, err)
		}
		if m.Rule == model.RuleNone {
			t.Errorf("%s: its rule id (%q in table.go) is not one model.ParseRule knows", m.Name, table[m.Mutant-1].rule)
		} else if r, ok := model.ParseRule(m.Rule.String()); !ok || r != m.Rule {
			t.Errorf("%s: rule %s does not parse back", m.Name, m.Rule)
		}
		if !strings.Contains(string(spec), "| "+m.Rule.String()+" |") {
			t.Errorf("%s: rule %s is not a rule of docs/spec.md", m.Name, m.Rule)
		}
		if f := faults(m.Mutant); f == nil || (f.Choose == nil && f.Amount == nil && f.Pick == nil && f.Reach == nil && f.AddRef == nil) {
			t.Errorf("%s: no hooks", m.Name)
		}
		if !m.Concurrent {
			sequential++
		}
	}
	if sequential < 20 || len(Sequential()) != sequential {
		t.Errorf("%d sequential mutants (Sequential() has %d), want at least 20", sequential, len(Sequential()))
	}
	if _, err := Parse("no-such-mutant"); err == nil || !strings.Contains(err.Error(), "get0-takes-ref") {
		t.Errorf("Parse of an unknown name: %v (want an error listing the known ones)", err)
	}
	if _, ok := Mutant(0).Info(); ok {
		t.Error("Mutant(0) has an Info")
	}
}

// TestOption: a mutant shows in Info().Name and survives Reset; an unknown
// value is refused; without options the name is plain.
func TestOption(t *testing.T) {
	if name := impl.NewTarget().Info().Name; name != "impl" {
		t.Fatalf("a plain target is named %q", name)
	}
	tg := impl.NewTarget(Option(CapacityN, Get0TakesRef))
	if name := tg.Info().Name; name != "impl (mutant get0-takes-ref+capacity-n)" {
		t.Fatalf("Info().Name = %q", name)
	}
	if err := tg.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := firstShutdown(t, tg); got != 0 {
		t.Fatalf("get0-takes-ref+capacity-n changed SSL_shutdown: %d", got)
	}
	if got := get0Refs(t, tg); got != 2 {
		t.Fatalf("after Reset, SSL_get0_session left %d references, want 2 (the mutant's extra one)", got)
	}
	if name := impl.NewTarget(Yields()).Info().Name; name != "impl (yields)" {
		t.Fatalf("Yields() names the target %q", name)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Option(200) did not panic")
		}
	}()
	Option(200)
}

// TestMutantChangesBehaviour: one mutant, one sequence, the visible
// difference (the kill table does this for every mutant with every engine;
// this keeps the mechanism honest in plain go test). Reset keeps it.
func TestMutantChangesBehaviour(t *testing.T) {
	for _, c := range []struct {
		tg   target.Target
		want int64
	}{{impl.NewTarget(), 0}, {impl.NewTarget(Option(ShutdownFirstReturns1)), 1}} {
		for range 2 {
			if got := firstShutdown(t, c.tg); got != c.want {
				t.Errorf("%s: first SSL_shutdown returned %d, want %d", c.tg.Info().Name, got, c.want)
			}
			if err := c.tg.Reset(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// handshake is a TLS 1.2 handshake between ssl1 (client) and ssl2.
var handshake = []model.Op{
	{Kind: model.CtxNew, Ctx: 1, Config: model.DefaultConfig(model.Server)},
	{Kind: model.CtxNew, Ctx: 2, Config: model.DefaultConfig(model.Client)},
	{Kind: model.SSLNew, SSL: 1, Ctx: 2},
	{Kind: model.SSLNew, SSL: 2, Ctx: 1},
	{Kind: model.Handshake, SSL: 1, Peer: 2, Arg: int64(model.TLS12)},
}

// run applies ops on a fresh universe of tg and returns the last result.
func run(t *testing.T, tg target.Target, ops ...model.Op) model.Result {
	t.Helper()
	ctx := context.Background()
	if err := tg.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	var last model.Result
	for _, op := range ops {
		res, err := tg.Apply(ctx, op)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		last = res
	}
	return last
}

func firstShutdown(t *testing.T, tg target.Target) int64 {
	t.Helper()
	return run(t, tg, append(handshake, model.Op{Kind: model.Shutdown, SSL: 1})...).Ret
}

// get0Refs calls SSL_get0_session on the client, then SSL_free: the
// session, which only the SSL holds, dies with it (1) unless get0 took a
// reference of its own (2).
func get0Refs(t *testing.T, tg target.Target) int {
	t.Helper()
	ops := append(handshake, model.Op{Kind: model.Get0, SSL: 1}, model.Op{Kind: model.SSLFree, SSL: 1})
	res := run(t, tg, ops...)
	for _, e := range res.Events {
		if e.Kind == model.EvDestroyed {
			return 1
		}
	}
	return 2
}

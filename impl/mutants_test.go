package impl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// TestMutantCatalogue: names are unique and parse back, every sequential
// mutant cites a rule that docs/spec.md defines, and values fit the set.
func TestMutantCatalogue(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("..", "docs", "spec.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	sequential := 0
	for _, m := range Mutants() {
		if seen[m.Name] || m.Name == "" || m.Does == "" || m.Mutant == 0 || m.Mutant >= 64 {
			t.Errorf("bad or duplicate entry %+v", m)
		}
		seen[m.Name] = true
		if got, err := ParseMutant(m.Name); err != nil || got != m.Mutant || got.String() != m.Name {
			t.Errorf("%s: ParseMutant gives %v, %v", m.Name, got, err)
		}
		if !m.Concurrent {
			sequential++
			if !strings.Contains(string(spec), "| "+m.Rule+" |") {
				t.Errorf("%s: rule %s is not a rule of docs/spec.md", m.Name, m.Rule)
			}
		}
	}
	if sequential < 20 {
		t.Errorf("%d sequential mutants, want at least 20", sequential)
	}
	if _, err := ParseMutant("no-such-mutant"); err == nil || !strings.Contains(err.Error(), "get0-takes-ref") {
		t.Errorf("ParseMutant of an unknown name: %v (want an error listing the known ones)", err)
	}
}

// TestWithMutant: a mutant shows in Info().Name and survives Reset; an
// unknown value is refused; without options nothing is enabled.
func TestWithMutant(t *testing.T) {
	if a := NewTarget().(*adapter); a.mutants != 0 || a.u.env.mutants != 0 {
		t.Fatal("a plain target has mutants enabled")
	}
	tg := NewTarget(WithMutant(MutCapacityN, MutGet0TakesRef))
	if name := tg.Info().Name; name != "impl (mutant get0-takes-ref+capacity-n)" {
		t.Fatalf("Info().Name = %q", name)
	}
	if err := tg.Reset(bg); err != nil {
		t.Fatal(err)
	}
	if env := tg.(*adapter).universe().env; !env.mut(MutCapacityN) || !env.mut(MutGet0TakesRef) || env.mut(MutGet1NoRef) {
		t.Fatal("Reset lost or changed the mutants")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("WithMutant(200) did not panic")
		}
	}()
	NewTarget(WithMutant(200))
}

// TestMutantChangesBehaviour: one mutant, one sequence, the visible
// difference (the kill table does this for every mutant with every
// engine; this keeps the mechanism honest in plain go test).
func TestMutantChangesBehaviour(t *testing.T) {
	ops := []model.Op{
		{Kind: model.CtxNew, Ctx: 1, Config: model.DefaultConfig(model.Server)},
		{Kind: model.CtxNew, Ctx: 2, Config: model.DefaultConfig(model.Client)},
		{Kind: model.SSLNew, SSL: 1, Ctx: 2},
		{Kind: model.SSLNew, SSL: 2, Ctx: 1},
		{Kind: model.Handshake, SSL: 1, Peer: 2, Arg: int64(model.TLS12)},
		{Kind: model.Shutdown, SSL: 1},
	}
	for _, c := range []struct {
		opts []Option
		want int64
	}{{nil, 0}, {[]Option{WithMutant(MutShutdownFirstReturns1)}, 1}} {
		tg := NewTarget(c.opts...)
		var last model.Result
		for _, op := range ops {
			last = apply(t, tg, op)
		}
		if last.Ret != c.want {
			t.Errorf("%s: first SSL_shutdown returned %d, want %d", tg.Info().Name, last.Ret, c.want)
		}
	}
}

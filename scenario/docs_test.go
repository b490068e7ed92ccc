package scenario

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

var update = flag.Bool("update", false, "rewrite the golden files docs/scenarios/*.out")

// expectation is the "# expect:" header of a worked example: clean, or
// some of "ub RULE...", "leaks", "unmodelled", separated by commas; and
// "notes" when it expects notes (which go with clean too).
type expectation struct {
	clean      bool
	rules      []model.Rule
	leaks      bool
	unmodelled bool
	notes      bool
}

func parseExpect(t *testing.T, src []byte) expectation {
	t.Helper()
	var e expectation
	found := false
	for _, line := range strings.Split(string(src), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "# expect:")
		if !ok {
			continue
		}
		if found {
			t.Fatalf("two # expect: lines")
		}
		found = true
		for _, clause := range strings.Split(rest, ",") {
			words := strings.Fields(clause)
			switch {
			case len(words) == 1 && words[0] == "clean":
				e.clean = true
			case len(words) == 1 && words[0] == "leaks":
				e.leaks = true
			case len(words) == 1 && words[0] == "unmodelled":
				e.unmodelled = true
			case len(words) == 1 && words[0] == "notes":
				e.notes = true
			case len(words) > 1 && words[0] == "ub":
				for _, w := range words[1:] {
					r, ok := model.ParseRule(w)
					if !ok {
						t.Fatalf("bad # expect: clause %q: %q is not a rule id of docs/spec.md", clause, w)
					}
					e.rules = append(e.rules, r)
				}
			default:
				t.Fatalf("bad # expect: clause %q (want clean, leaks, unmodelled, notes or ub RULE...)", clause)
			}
		}
	}
	if !found {
		t.Fatalf("no # expect: line in the header")
	}
	if e.clean && (e.leaks || e.unmodelled || len(e.rules) > 0) {
		t.Fatalf("# expect: clean cannot go with other clauses")
	}
	slices.Sort(e.rules)
	return e
}

// TestWorkedExamples runs every docs/scenarios/*.sim, compares the output
// with NAME.out and checks the verdict the header announces.
func TestWorkedExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "docs", "scenarios", "*.sim"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 14 {
		t.Fatalf("found %d worked examples in docs/scenarios, want at least 14", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".sim"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := parseExpect(t, src)
			s, err := Parse(name, src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var out bytes.Buffer
			rep, err := Run(context.Background(), s, Options{}, &out)
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(path, ".sim") + ".out"
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			prev, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./scenario -update to write it)", err)
			}
			if !bytes.Equal(prev, out.Bytes()) {
				t.Errorf("output differs from %s (go test ./scenario -update rewrites it):\n%s", golden, lineDiff(string(prev), out.String()))
			}
			if got := rep.Rules(); !slices.Equal(got, want.rules) {
				t.Errorf("undefined behaviour flagged: %v, header expects %v", got, want.rules)
			}
			if got := len(rep.Leaks) > 0; got != want.leaks {
				t.Errorf("leaks found: %v, header expects %v", got, want.leaks)
			}
			if got := len(rep.Unmodelled) > 0; got != want.unmodelled {
				t.Errorf("calls not modelled: %v, header expects %v", got, want.unmodelled)
			}
			if got := len(rep.Notes) > 0; got != want.notes {
				t.Errorf("notes: %v, header expects %v", got, want.notes)
			}
			if rep.Clean() != want.clean {
				t.Errorf("clean = %v, header expects %v (verdict: %s)", rep.Clean(), want.clean, rep.Verdict())
			}
		})
	}
}

// lineDiff shows the first differing line of two texts with its neighbours.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  golden: " + wl + "\n  now:    " + gl
		}
	}
	return "(same lines, different bytes)"
}

// TestWorkedExamplesCiteKnownRules: every rule id a worked example cites
// on its "# rules (docs/spec.md):" line is a rule of docs/spec.md.
func TestWorkedExamplesCiteKnownRules(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("..", "docs", "spec.md"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("..", "docs", "scenarios", "*.sim"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no worked examples: %v", err)
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cited := 0
		for _, line := range strings.Split(string(src), "\n") {
			rest, ok := strings.CutPrefix(line, "# rules (docs/spec.md):")
			if !ok {
				continue
			}
			for _, id := range strings.Fields(rest) {
				cited++
				if !regexp.MustCompile(`(?m)^\| *` + regexp.QuoteMeta(id) + ` *\|`).Match(spec) {
					t.Errorf("%s cites %s, which is not a rule of docs/spec.md", filepath.Base(path), id)
				}
			}
		}
		if cited == 0 {
			t.Errorf("%s cites no rule of docs/spec.md", filepath.Base(path))
		}
	}
}

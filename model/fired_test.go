package model_test

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// firedIn records, per test, every rule the model applied (and every UB rule
// it refused a call for) while the test played its calls.
var firedIn = firedLog{m: map[string]map[model.Rule]bool{}}

type firedLog struct {
	mu sync.Mutex
	m  map[string]map[model.Rule]bool
}

func (f *firedLog) add(test string, r model.Rule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m[test] == nil {
		f.m[test] = map[model.Rule]bool{}
	}
	f.m[test][r] = true
}

// TestMain runs the tests, then checks the model's rule trace against
// docs/spec.md: every rule whose row lists TestRule tests (OpenSSL 3.0's
// rules), TestWolf tests (the wolfssl-5.5 profile's) or TestBoring tests (the
// boringssl profile's) must be applied by
// the model in at least one of them. A rule the model never names where
// the spec says it is checked would be a rule no report could name.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		if err := checkRulesFire(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

var testName = regexp.MustCompile(`Test(?:Rule|Wolf|Boring)[A-Za-z0-9]+/[A-Z0-9-]+`)

func checkRulesFire() error {
	src, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		return err
	}
	var missing []string
	for _, line := range strings.Split(string(src), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 6 {
			continue
		}
		r, ok := model.ParseRule(strings.TrimSpace(cells[1]))
		if !ok || r == model.RuleNone {
			continue
		}
		tests := testName.FindAllString(cells[len(cells)-2], -1)
		if len(tests) == 0 {
			continue
		}
		fired := false
		for _, name := range tests {
			if firedIn.m[name][r] {
				fired = true
			}
		}
		if !fired {
			missing = append(missing, fmt.Sprintf("  %s (tests %s)", r, strings.Join(tests, ", ")))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("FAIL: the model never applies these rules in the tests docs/spec.md lists for them:\n%s", strings.Join(missing, "\n"))
	}
	return nil
}

package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// expectations are the known divergences of `check --expect FILE`: one
// rule id of docs/spec.md per line, then why it is expected. Blank lines
// and lines starting with # are comments.
type expectations struct {
	path    string
	entries []expectation
}

type expectation struct {
	rule   model.Rule
	reason string
	line   int
}

func readExpectations(path string) (*expectations, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	e := &expectations{path: path}
	sc := bufio.NewScanner(f)
	seen := map[model.Rule]int{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, " ")
		r, ok := model.ParseRule(id)
		if !ok || r == model.RuleNone {
			return nil, fmt.Errorf("%s:%d: %q is not a rule id of docs/spec.md", path, n, id)
		}
		if strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s:%d: %s needs a reason after the rule id", path, n, id)
		}
		if prev, ok := seen[r]; ok {
			return nil, fmt.Errorf("%s:%d: %s is already expected at line %d", path, n, id, prev)
		}
		seen[r] = n
		e.entries = append(e.entries, expectation{rule: r, reason: strings.TrimSpace(reason), line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return e, nil
}

func (e *expectations) has(r model.Rule) bool {
	for _, x := range e.entries {
		if x.rule == r {
			return true
		}
	}
	return false
}

// judge says, for each expected rule, in how many sequences it showed.
func (e *expectations) judge(res *properties.SearchReport) []expectedReport {
	out := []expectedReport{}
	for _, x := range e.entries {
		out = append(out, expectedReport{Rule: x.rule.String(), Reason: x.reason, Seen: res.Known[x.rule],
			Where: fmt.Sprintf("%s:%d", e.path, x.line)})
	}
	return out
}

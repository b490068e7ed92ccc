package model_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model/internal/genfindings"
)

// TestFindingsTableCurrent: the cross-library table of docs/findings.md is
// what the profiles say now (go generate ./model rewrites it), and every
// "differs" cell links a scenario of docs/scenarios/findings, which
// scenario.TestFindings runs against all three libraries.
func TestFindingsTableCurrent(t *testing.T) {
	scenarios, err := genfindings.Scenarios(filepath.Join("..", "docs", "scenarios", "findings"))
	if err != nil {
		t.Fatal(err)
	}
	table, err := genfindings.Table(scenarios)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "findings.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := genfindings.Update(doc, table)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, want) {
		t.Fatalf("docs/findings.md's rule table is stale: run go generate ./model")
	}
	link := regexp.MustCompile(`\]\((scenarios/findings/[a-z0-9-]+\.sim)\)`)
	rows, cells := 0, 0
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| rule |") {
			continue
		}
		rows++
		fields := strings.Split(line, " | ")
		if len(fields) != len(genfindings.Columns())+1 {
			t.Fatalf("row %q has %d cells", line, len(fields)-1)
		}
		for _, c := range fields[1:] {
			c = strings.TrimSuffix(c, " |")
			switch {
			case c == "same", strings.HasPrefix(c, "same in the model, not checked"), strings.HasPrefix(c, "not checked: "):
			case strings.HasPrefix(c, "differs: "), strings.HasPrefix(c, "not implemented"), strings.HasPrefix(c, "not modelled"):
				cells++
				ms := link.FindAllStringSubmatch(c, -1)
				if len(ms) == 0 && strings.HasPrefix(c, "differs: ") {
					t.Errorf("%q links no scenario", c)
				}
				for _, m := range ms {
					if _, err := os.Stat(filepath.Join("..", "docs", m[1])); err != nil {
						t.Errorf("%q links a missing scenario: %v", c, err)
					}
				}
			default:
				t.Errorf("cell %q is neither same, same but not checked, not checked, differs, not implemented nor not modelled", c)
			}
		}
	}
	if rows < 100 || cells == 0 {
		t.Fatalf("the table has %d rows and %d differing cells", rows, cells)
	}
}

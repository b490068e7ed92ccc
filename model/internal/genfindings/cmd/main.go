// Command genfindings writes the cross-library rule table of
// docs/findings.md from the profiles (go generate ./model).
package main

import (
	"fmt"
	"os"

	"github.com/sesslife/sesslife/model/internal/genfindings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: genfindings FINDINGS.md SCENARIO-DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "genfindings:", err)
		os.Exit(1)
	}
}

func run(doc, dir string) error {
	scenarios, err := genfindings.Scenarios(dir)
	if err != nil {
		return err
	}
	table, err := genfindings.Table(scenarios)
	if err != nil {
		return err
	}
	src, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	out, err := genfindings.Update(src, table)
	if err != nil {
		return fmt.Errorf("%s: %w", doc, err)
	}
	return os.WriteFile(doc, out, 0o644)
}

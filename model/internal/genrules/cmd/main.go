// Command genrules writes model/rules_gen.go from docs/spec.md (go
// generate ./model).
package main

import (
	"fmt"
	"os"

	"github.com/sesslife/sesslife/model/internal/genrules"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: genrules SPEC.md OUT.go")
		os.Exit(2)
	}
	src, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "genrules:", err)
		os.Exit(1)
	}
	out, err := genrules.Generate(os.Args[1], src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genrules:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[2], out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genrules:", err)
		os.Exit(1)
	}
}

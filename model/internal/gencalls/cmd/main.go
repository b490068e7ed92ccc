// Command gencalls writes shim/common/calls.h and the call list of
// docs/protocol.md from the model's call table (go generate ./model).
package main

import (
	"fmt"
	"os"

	"github.com/sesslife/sesslife/model/internal/gencalls"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gencalls CALLS.h PROTOCOL.md")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gencalls:", err)
		os.Exit(1)
	}
}

func run(header, protocol string) error {
	if err := os.WriteFile(header, gencalls.Header(), 0o644); err != nil {
		return err
	}
	doc, err := os.ReadFile(protocol)
	if err != nil {
		return err
	}
	out, err := gencalls.Splice(string(doc))
	if err != nil {
		return err
	}
	return os.WriteFile(protocol, []byte(out), 0o644)
}

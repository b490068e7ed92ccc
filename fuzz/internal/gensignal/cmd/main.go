// Command gensignal writes fuzz/signal_gen.go (go generate ./fuzz).
package main

import (
	"fmt"
	"os"

	"github.com/sesslife/sesslife/fuzz/internal/gensignal"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gensignal OUT.go")
		os.Exit(2)
	}
	src, err := gensignal.Generate()
	if err == nil {
		err = os.WriteFile(os.Args[1], src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gensignal:", err)
		os.Exit(1)
	}
}

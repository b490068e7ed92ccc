package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/sesslife/sesslife/internal/tailbuf"
)

// shimStderrMax bounds what replay keeps of a shim's stderr: its last
// 64 KiB, which is more than a terminal shows at once.
const shimStderrMax = 64 << 10

// newShimStderr keeps what a shim writes on its stderr during a replay or
// sim, so that they can show it after the calls: a shim's own words on why
// a call failed (docs/protocol.md asks shims to log why a handshake
// returned 0) are often what explains a difference. It is printed only at
// the end, so that its lines never break into the call listing.
func newShimStderr() *tailbuf.Buffer { return tailbuf.New(shimStderrMax, nil) }

// printShimStderr writes what the shim wrote, each line indented under a
// heading, or nothing when it wrote nothing.
func printShimStderr(w io.Writer, b *tailbuf.Buffer) {
	text := strings.TrimRight(b.String(), "\n")
	if text == "" {
		return
	}
	if b.Dropped() {
		fmt.Fprintf(w, "the shim wrote on stderr (its last %d bytes):\n", shimStderrMax)
	} else {
		fmt.Fprintln(w, "the shim wrote on stderr:")
	}
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(w, "    %s\n", line)
	}
}

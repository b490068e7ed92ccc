package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

// shimStderrMax bounds what replay keeps of a shim's stderr: its last
// 64 KiB, which is more than a terminal shows at once.
const shimStderrMax = 64 << 10

// shimStderr keeps what a shim writes on its stderr during a replay, so
// that replay can show it after the calls: a shim's own words on why a
// call failed (docs/protocol.md asks shims to log why a handshake returned
// 0) are often what explains a difference. It is written by the target's
// stderr copier while replay prints, hence the lock, and printed only at
// the end so that its lines never break into the call listing.
type shimStderr struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	dropped bool // the start was dropped to keep the last shimStderrMax bytes
}

func (s *shimStderr) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	if over := s.buf.Len() - shimStderrMax; over > 0 {
		s.buf.Next(over)
		s.dropped = true
	}
	return len(p), nil
}

// print writes what the shim wrote, each line indented under a heading,
// or nothing when it wrote nothing.
func (s *shimStderr) print(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text := strings.TrimRight(s.buf.String(), "\n")
	if text == "" {
		return
	}
	if s.dropped {
		fmt.Fprintf(w, "the shim wrote on stderr (its last %d bytes):\n", shimStderrMax)
	} else {
		fmt.Fprintln(w, "the shim wrote on stderr:")
	}
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(w, "    %s\n", line)
	}
}

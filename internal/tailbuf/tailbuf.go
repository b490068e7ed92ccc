// Package tailbuf keeps the last bytes written to it: a shim's stderr, for
// the subprocess target's crash reports and for what sesslife replay shows.
package tailbuf

import (
	"io"
	"sync"
)

// Buffer keeps the last Max bytes written to it and copies everything to
// Tee as well, when set. It is safe for concurrent use (a shim's stderr is
// copied in by one goroutine while others read it).
type Buffer struct {
	mu      sync.Mutex
	max     int
	tee     io.Writer
	buf     []byte
	dropped bool
}

// New returns a Buffer keeping the last max bytes, copying to tee if it is
// not nil.
func New(max int, tee io.Writer) *Buffer {
	return &Buffer{max: max, tee: tee}
}

// Write never fails: a broken tee must not stop the shim's stderr.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tee != nil {
		_, _ = b.tee.Write(p)
	}
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
		b.dropped = true
	}
	return len(p), nil
}

// String returns what is kept.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// Dropped reports whether earlier bytes were dropped to keep the last Max.
func (b *Buffer) Dropped() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped
}

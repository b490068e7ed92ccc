package subprocess

import (
	"io"
	"sync"
)

// tail keeps the last max bytes written to it (the shim's stderr), and
// copies everything to an optional writer as well.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
	tee io.Writer
}

func newTail(max int, tee io.Writer) *tail {
	return &tail{max: max, tee: tee}
}

// Write never fails: a broken tee must not stop the shim's stderr.
func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tee != nil {
		_, _ = t.tee.Write(p)
	}
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// String returns what is kept.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

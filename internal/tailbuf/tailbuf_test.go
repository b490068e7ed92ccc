package tailbuf

import (
	"strings"
	"testing"
)

func TestKeepsTheLastBytes(t *testing.T) {
	var tee strings.Builder
	b := New(5, &tee)
	b.Write([]byte("abc"))
	if got := b.String(); got != "abc" || b.Dropped() {
		t.Errorf("after 3 bytes: %q dropped %v, want %q and nothing dropped", got, b.Dropped(), "abc")
	}
	b.Write([]byte("defg"))
	if got := b.String(); got != "cdefg" || !b.Dropped() {
		t.Errorf("after 7 bytes: %q dropped %v, want %q and a drop", got, b.Dropped(), "cdefg")
	}
	if tee.String() != "abcdefg" {
		t.Errorf("tee got %q, want every byte", tee.String())
	}
}

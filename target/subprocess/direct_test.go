package subprocess

import (
	"reflect"
	"strings"
	"testing"
)

// checkDirect fails when decodeDirect takes line but the general path
// (parseReply, then result or observation) rejects it or reads it
// differently.
func checkDirect(t *testing.T, line []byte) bool {
	t.Helper()
	d, ok := decodeDirect(line)
	if !ok {
		return false
	}
	r, err := parseReply(line)
	if err != nil {
		t.Fatalf("decodeDirect took %q, which the general path rejects: %v", line, err)
	}
	if *r.ID != d.id {
		t.Fatalf("decodeDirect(%q) id %d, general path %d", line, d.id, *r.ID)
	}
	if d.observation {
		ob, err := r.observation()
		if err != nil || !reflect.DeepEqual(ob, d.obs) {
			t.Fatalf("decodeDirect(%q) = %+v, general path %+v, %v", line, d.obs, ob, err)
		}
		if _, err := r.result(); err == nil {
			t.Fatalf("decodeDirect(%q) read an observation the general path reads as a result", line)
		}
		return true
	}
	res, err := r.result()
	if err != nil || !reflect.DeepEqual(res, d.res) {
		t.Fatalf("decodeDirect(%q) = %+v, general path %+v, %v", line, d.res, res, err)
	}
	if _, err := r.observation(); err == nil {
		t.Fatalf("decodeDirect(%q) read a result the general path reads as an observation", line)
	}
	return true
}

// TestDecodeDirectAgrees: decodeDirect takes every call reply and
// observation of the corpus, and on the corpus's seeded mutations it
// never takes a line the general path reads differently or refuses.
func TestDecodeDirectAgrees(t *testing.T) {
	t.Parallel()
	for _, c := range replyCorpus {
		// The shims' own form of a result or an observation; errors and
		// "unimplemented" are for the general path.
		want := c.fast && (strings.Contains(c.line, `"ret":`) || strings.Contains(c.line, `"observation":`))
		if ok := checkDirect(t, []byte(c.line)); ok != want {
			t.Errorf("decodeDirect(%s) took it: %v, want %v", c.line, ok, want)
		}
	}
	for _, line := range []string{
		`{"id":4,"ret":1,"events":[{"ev":"destroyed","ctx":3,"sess":1}]}`,                                                                 // destroyed with a ctx
		`{"id":4,"ret":1,"events":[{"ev":"remove_cb","ctx":0,"sess":1}]}`,                                                                 // ctx out of range
		`{"id":4,"ret":99999999999999999999,"events":[]}`,                                                                                 // beyond int64
		`{"id":4,"observation":{"ctxs":[],"ssls":[{"ssl":2,"sess":-1,"reused":false},{"ssl":2,"sess":-1,"reused":false}],"sessions":[]}}`, // out of order
		`{"id":4,"observation":{"ctxs":[],"ssls":[],"sessions":[{"sess":1,"resumable":true,"id_len":32,"time":7,"timeout":8,"sid_ctx":-2}]}}`,
		`{"id":4,"observation":{"ctxs":[],"ssls":[{"ssl":2,"sess":-2,"reused":false}],"sessions":[]}}`,
		`{"id":04,"ret":1,"events":[]}`,
	} {
		if checkDirect(t, []byte(line)) {
			t.Errorf("decodeDirect took %s, which the general path refuses or reads differently", line)
		}
	}
	taken, tried := 0, 0
	mutateCorpus(func(b []byte) {
		tried++
		if checkDirect(t, b) {
			taken++
		}
	})
	t.Logf("decodeDirect took %d of %d mutated lines; the general path agreed on each", taken, tried)
}

// FuzzDecodeDirect looks for a line decodeDirect takes and the general
// path reads differently (go test -fuzz FuzzDecodeDirect ./target/subprocess).
func FuzzDecodeDirect(f *testing.F) {
	for _, c := range replyCorpus {
		f.Add([]byte(c.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) { checkDirect(t, line) })
}

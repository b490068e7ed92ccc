package subprocess

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// replyCorpus holds replies as the OpenSSL shim writes them; fast says
// whether decodeReply must take them (the fast path is the point).
var replyCorpus = []struct {
	line string
	fast bool
}{
	{`{"id":5,"ret":1,"events":[{"ev":"new_session_cb","ctx":2,"sess":1},{"ev":"destroyed","ctx":0,"sess":3}]}`, true},
	{`{"id":1,"ret":0,"events":[]}`, true},
	{`{"id":7,"ret":-1700000003,"events":[{"ev":"remove_cb","ctx":1,"sess":4}]}`, true},
	{`{"id":12,"unimplemented":true}`, true},
	{`{"id":3,"error":"ssl 9 is not a live SSL"}`, true},
	{`{"id":10,"observation":{"ctxs":[{"ctx":1,"number":0,"hits":0,"misses":0,"timeouts":0,"cache_full":0,"connect":0,"connect_good":0,"accept":0,"accept_good":0,"cb_hits":0},` +
		`{"ctx":2,"number":2,"hits":0,"misses":0,"timeouts":0,"cache_full":0,"connect":0,"connect_good":0,"accept":0,"accept_good":0,"cb_hits":0}],"ssls":[{"ssl":2,"sess":-1,"reused":false}],` +
		`"sessions":[{"sess":4,"resumable":false,"id_len":32,"time":1700000003,"timeout":7200}]}}`, true},
	{`{"id":2,"observation":{"ctxs":[],"ssls":[],"sessions":[]}}`, true},
	{`{"id":9,"observation":{"ctxs":[],"ssls":[],"sessions":[{"sess":1,"resumable":true,"id_len":32,"time":7,"timeout":8,"sid_ctx":2},` +
		`{"sess":2,"resumable":true,"id_len":0,"time":7,"timeout":8,"sid_ctx":-1}]}}`, true},
	{`{"id":11,"error":"SSL_CTX_new needs a \"config\" object"}`, false},
	{`{"id": 4, "ret": 1, "events": []}`, false},
	{`{"id":4,"ret":1,"events":[],"extra":1}`, false},
	{`{"ID":4,"ret":1,"events":[]}`, false},
	{`{"id":4,"ret":1,"ret":2,"events":[]}`, false},
	{`{"id":4,"ret":1.0,"events":[]}`, false},
	{`{"id":4,"ret":null,"events":[]}`, false},
}

// checkDecode fails when decodeReply takes line but encoding/json rejects
// it or reads it differently.
func checkDecode(t *testing.T, line []byte) bool {
	t.Helper()
	got, ok := decodeReply(line)
	if !ok {
		return false
	}
	var want reply
	if err := json.Unmarshal(line, &want); err != nil {
		t.Fatalf("decodeReply took %q, which encoding/json rejects: %v", line, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeReply(%q) = %+v, encoding/json gives %+v", line, got, want)
	}
	return true
}

// TestDecodeReplyAgreesWithJSON runs the corpus and thousands of seeded
// mutations of it (bytes deleted, inserted, replaced, repeated).
func TestDecodeReplyAgreesWithJSON(t *testing.T) {
	t.Parallel()
	for _, c := range replyCorpus {
		if ok := checkDecode(t, []byte(c.line)); ok != c.fast {
			t.Errorf("decodeReply(%s) took it: %v, want %v", c.line, ok, c.fast)
		}
	}
	taken, tried := 0, 0
	mutateCorpus(func(b []byte) {
		tried++
		if checkDecode(t, b) {
			taken++
		}
	})
	t.Logf("decodeReply took %d of %d mutated lines; encoding/json agreed on each", taken, tried)
}

// mutateCorpus hands every corpus line's 3,000 seeded mutations (bytes
// deleted, inserted, replaced, repeated) to try.
func mutateCorpus(try func(line []byte)) {
	const alphabet = `{}[]":,-0123456789.eE+truefalsn \x01é"`
	rng := rand.New(rand.NewPCG(20261124, 3))
	for _, c := range replyCorpus {
		for range 3000 {
			b := []byte(c.line)
			for range 1 + rng.IntN(3) {
				i := rng.IntN(len(b))
				switch rng.IntN(4) {
				case 0:
					b = append(b[:i:i], b[i+1:]...)
				case 1:
					b = append(b[:i:i], append([]byte{alphabet[rng.IntN(len(alphabet))]}, b[i:]...)...)
				case 2:
					b[i] = alphabet[rng.IntN(len(alphabet))]
				case 3:
					j := i + rng.IntN(len(b)-i)
					b = append(b[:j:j], append(append([]byte{}, b[i:j]...), b[j:]...)...)
				}
				if len(b) == 0 {
					b = []byte("{")
				}
			}
			try(b)
		}
	}
}

// FuzzDecodeReply looks for a line the two decoders read differently
// (go test -fuzz FuzzDecodeReply ./target/subprocess).
func FuzzDecodeReply(f *testing.F) {
	for _, c := range replyCorpus {
		f.Add([]byte(c.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) { checkDecode(t, line) })
}

// BenchmarkDecodeReply compares the ways a reply is read, on a call reply
// and an observation as the OpenSSL shim writes them: decodeDirect (into
// the model's types), decodeReply alone (fast) and followed by the
// checks that make the model's types (general), and encoding/json.
func BenchmarkDecodeReply(b *testing.B) {
	for _, c := range []struct{ name, line string }{{"call", replyCorpus[0].line}, {"observation", replyCorpus[5].line}} {
		line := []byte(c.line)
		b.Run(c.name+"/fast", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := decodeReply(line); !ok {
					b.Fatal("not taken")
				}
			}
		})
		b.Run(c.name+"/direct", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := decodeDirect(line); !ok {
					b.Fatal("not taken")
				}
			}
		})
		b.Run(c.name+"/general", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r, ok := decodeReply(line)
				if !ok {
					b.Fatal("not taken")
				}
				var err error
				if r.Observation != nil {
					_, err = r.observation()
				} else {
					_, err = r.result()
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/encoding-json", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var r reply
				if err := json.Unmarshal(line, &r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestAppendRequestIsJSON: the hand-written encoder writes exactly what
// encoding/json writes for every call kind and every field.
func TestAppendRequestIsJSON(t *testing.T) {
	t.Parallel()
	cfg := model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer | model.CacheNoAutoClear, CacheSize: -1,
		Timeout: 1 << 40, NumTickets: 3, NoTicket: true, NewCB: model.NewCBReturn1, RemoveCB: true}
	var reqs []request
	for i, k := range model.Kinds() {
		op := model.Op{Kind: k, Ctx: model.Handle(i), SSL: model.Handle(i % 3), Peer: 7, Sess: model.Handle(i % 2),
			Arg: int64(i-16) * 1_000_000_007, Config: cfg}
		if i%4 == 0 {
			op = model.Op{Kind: k}
		}
		r := requestFor(op)
		r.ID, r.Now, r.Lane = uint64(i)*math.MaxUint32, -int64(i), i%64
		reqs = append(reqs, r)
	}
	reqs = append(reqs, request{ID: math.MaxUint64, Now: math.MinInt64, Op: opObserve},
		request{Op: "odd \"name\" <&> \u00e9\x01", Arg: math.MaxInt64})
	for _, r := range reqs {
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendRequest(nil, r); string(got) != string(want)+"\n" {
			t.Errorf("appendRequest:\n got %s\nwant %s", got, want)
		}
	}
}

package impl

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// diffRun drives random legal sequences through the model and the
// simulator side by side, comparing results (return value and events in
// order) and observations after every call, and counts what was exercised.
type diffRun struct {
	t       *testing.T
	tg      *adapter
	g       *gen
	trace   []string
	kinds   map[model.Kind]int
	events  map[model.EventKind]int
	retSeen map[model.Kind]map[int64]bool
}

// step applies op to both and describes the first disagreement, or "".
func (d *diffRun) step(op model.Op) string {
	want, err := d.g.st.Step(op)
	if err != nil {
		d.t.Fatalf("generator drew an illegal call %s: %v", op, err)
	}
	got, err := d.tg.Apply(context.Background(), op)
	d.trace = append(d.trace, fmt.Sprintf("%s -> %s", op, want.Format(op)))
	if err != nil {
		return fmt.Sprintf("%s: impl error: %v", op, err)
	}
	if !got.Equal(want) {
		return fmt.Sprintf("%s: impl %s, model %s", op, got.Format(op), want.Format(op))
	}
	ob, err := d.tg.Observe(context.Background())
	if err != nil {
		return fmt.Sprintf("after %s: Observe: %v", op, err)
	}
	if diff := d.g.st.Observe().Diff(ob); diff != "" {
		return fmt.Sprintf("after %s, observations differ:\n%s", op, diff)
	}
	d.kinds[op.Kind]++
	for _, e := range want.Events {
		d.events[e.Kind]++
	}
	if d.retSeen[op.Kind] == nil {
		d.retSeen[op.Kind] = map[int64]bool{}
	}
	d.retSeen[op.Kind][want.Ret] = true
	return ""
}

// sequence runs one sequence of about length calls and returns how many ran.
func (d *diffRun) sequence(seed uint64, mix callMix, length int) int {
	d.g = newGen(seed, mix)
	d.trace = d.trace[:0]
	if err := d.tg.Reset(context.Background()); err != nil {
		d.t.Fatal(err)
	}
	n := 0
	for _, op := range d.g.setup() {
		if msg := d.step(op); msg != "" {
			d.fail(seed, msg)
		}
		n++
	}
	for ; n < length; n++ {
		op, ok := d.g.next()
		if !ok {
			break
		}
		if msg := d.step(op); msg != "" {
			d.fail(seed, msg)
		}
	}
	return n
}

func (d *diffRun) fail(seed uint64, msg string) {
	d.t.Fatalf("seed %d: %s\nsequence:\n  %s", seed, msg, strings.Join(d.trace, "\n  "))
}

func newDiffRun(t *testing.T) *diffRun {
	return &diffRun{t: t, tg: NewTarget().(*adapter), kinds: map[model.Kind]int{},
		events: map[model.EventKind]int{}, retSeen: map[model.Kind]map[int64]bool{}}
}

// TestDifferential is the definition of done: thousands of random legal
// sequences agree with the model after every call, in result (return value
// and events in order) and in observation.
func TestDifferential(t *testing.T) {
	const sequences, length = 5000, 60
	d := newDiffRun(t)
	calls, short := 0, 0
	for seed := range uint64(sequences) {
		n := d.sequence(seed, everyday, length)
		calls += n
		if n < length {
			short++
		}
	}
	t.Logf("%d sequences, %d calls, %d ended early for lack of a legal call; events %v",
		sequences, calls, short, d.events)
	if short > sequences/100 {
		t.Errorf("%d sequences ended before %d calls", short, length)
	}
	for _, k := range model.Kinds() {
		if d.kinds[k] < 50 {
			t.Errorf("%s exercised %d times", k, d.kinds[k])
		}
	}
	for _, e := range []model.EventKind{model.EvNewSession, model.EvRemove, model.EvDestroyed} {
		if d.events[e] < 100 {
			t.Errorf("%s seen %d times", e, d.events[e])
		}
	}
	// Both outcomes of the calls that can go either way must occur.
	for _, k := range []model.Kind{model.Shutdown, model.ReadTicket, model.Get0, model.SessionReused,
		model.IsResumable, model.SetTimeout, model.AddSession, model.RemoveSession, model.HasMatchingSessionID} {
		if len(d.retSeen[k]) < 2 {
			t.Errorf("%s only ever returned %v", k, d.retSeen[k])
		}
	}
	if hits := d.retSeen[model.SessHits]; len(hits) < 3 {
		t.Errorf("SSL_CTX_sess_hits only ever returned %v: resumption is not exercised", hits)
	}
	if full := d.retSeen[model.SessCacheFull]; len(full) < 2 {
		t.Errorf("SSL_CTX_sess_cache_full only ever returned %v: eviction is not exercised", full)
	}
	if to := d.retSeen[model.SessTimeouts]; len(to) < 2 {
		t.Errorf("SSL_CTX_sess_timeouts only ever returned %v: expiry on resumption is not exercised", to)
	}
}

// TestDifferentialAutoFlush runs long handshake-heavy sequences, so that
// SSL_CTXs pass 255 handshakes and the automatic flush runs.
func TestDifferentialAutoFlush(t *testing.T) {
	d := newDiffRun(t)
	flushed := 0
	for seed := range uint64(12) {
		d.sequence(1_000_000+seed, handshakeHeavy, 5000)
		for _, c := range d.tg.universe().ctxs {
			if c == nil || c.Mode()&model.CacheNoAutoClear != 0 {
				continue
			}
			st := c.Stats()
			if (c.Mode()&model.CacheServer != 0 && st.AcceptGood > 255) ||
				(c.Mode()&model.CacheClient != 0 && st.ConnectGood > 255) {
				flushed++
			}
		}
	}
	if flushed == 0 {
		t.Error("no SSL_CTX with automatic flushing passed 255 handshakes")
	}
	t.Logf("%d SSL_CTXs passed an automatic flush point", flushed)
}

package properties

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/model"
)

// TestRapidFindsWrongReturn shows the engine rejects a target whose
// SSL_get0_session answers NULL for a connection that has a session, and
// shrinks to a short sequence.
func TestRapidFindsWrongReturn(t *testing.T) {
	tgt := &modelTarget{twist: func(op model.Op, r *model.Result) {
		if op.Kind == model.Get0 {
			r.Ret = 0
		}
	}}
	opts := DefaultOptions()
	opts.MinCalls, opts.MaxCalls = 40, 80 // short runs (-short: 20 sequences) still reach get0
	msg := failureOf(t, RapidProp(tgt, opts))
	if !strings.Contains(msg, "SSL_get0_session") || !strings.Contains(msg, "got:  NULL") {
		t.Fatalf("failure message does not show the diverging call:\n%s", msg)
	}
}

// failureOf runs prop until it fails and returns rapid's message.
func failureOf(t *testing.T, prop func(*rapid.T)) string {
	t.Helper()
	t.Chdir(t.TempDir()) // rapid saves the failure under testdata/rapid here
	ft := &fakeTB{name: t.Name()}
	func() {
		defer func() { recover() }()
		rapid.Check(ft, prop)
	}()
	if !ft.failed {
		t.Fatalf("the property never failed")
	}
	return ft.msgs.String()
}

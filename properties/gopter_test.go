package properties

import (
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/commands"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// runCommands checks tgt with gopter's commands engine and returns whether
// it passed and gopter's report.
func runCommands(t *testing.T, tgt target.Target, opts Options, runs int) (bool, string) {
	t.Helper()
	params := lawParameters(t)
	params.MinSuccessfulTests = runs
	params.MaxSize = opts.MaxCalls
	props := gopter.NewProperties(params)
	props.Property("model and "+tgt.Info().Name+" agree", commands.Prop(GopterCommands(tgt, opts)))
	var out strings.Builder
	ok := props.Run(gopter.NewFormatedReporter(true, 100, &out))
	return ok, out.String()
}

// TestGopterFindsWrongEvent shows the second engine rejects a target that
// forgets remove_cb events.
func TestGopterFindsWrongEvent(t *testing.T) {
	tgt := &modelTarget{twist: func(op model.Op, r *model.Result) {
		var kept []model.Event
		for _, e := range r.Events {
			if e.Kind != model.EvRemove {
				kept = append(kept, e)
			}
		}
		r.Events = kept
	}}
	ok, report := runCommands(t, tgt, DefaultOptions(), 300)
	if ok {
		t.Fatalf("gopter did not notice the missing remove_cb events:\n%s", report)
	}
	if !strings.Contains(report, "remove_cb") {
		t.Fatalf("report does not name the missing event:\n%s", report)
	}
}

package properties

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/impl"
)

// TestConformanceImpl checks the reference simulator against the model with
// the rapid engine: -rapid.checks sequences of 50..100 calls (make test asks
// for 10,000), and every call kind must have been exercised.
func TestConformanceImpl(t *testing.T) {
	opts := DefaultOptions()
	opts.Coverage = &Coverage{}
	tgt := impl.NewTarget()
	defer tgt.Close()
	rapid.Check(t, RapidProp(tgt, opts))
	t.Logf("sesslife: impl agrees with %s on %s", opts.Profile.Name, opts.Coverage)
	if missing := opts.Coverage.Missing(tgt.Info().Supports); len(missing) > 0 {
		t.Errorf("sesslife: these calls were never exercised: %v", missing)
	}
}

// TestGopterCommandsImpl checks the reference simulator against the model
// with gopter's commands engine, which generates and shrinks on its own.
func TestGopterCommandsImpl(t *testing.T) {
	tgt := impl.NewTarget()
	defer tgt.Close()
	runs := 300
	if testing.Short() {
		runs = 50
	}
	if ok, report := runCommands(t, tgt, DefaultOptions(), runs); !ok {
		t.Fatalf("%s", report)
	}
}

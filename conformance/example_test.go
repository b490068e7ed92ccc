package conformance_test

import (
	"testing"

	"github.com/sesslife/sesslife/conformance"
	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/target"
)

// The reference simulator passes every check; replace impl.NewTarget with
// your own Target to check your library.
func ExampleRun() {
	var t *testing.T // in a real test: func TestMyLibrary(t *testing.T)
	if t == nil {
		return
	}
	conformance.Run(t, func(t *testing.T) target.Target { return impl.NewTarget() })
}

func TestRunImpl(t *testing.T) {
	conformance.Run(t, func(t *testing.T) target.Target { return impl.NewTarget() })
}

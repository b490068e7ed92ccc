package trace

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

// TestOthersAreOutsideTheCallTable: a function the model's call table has
// is named there only (model.ParseKind), so the lists of functions outside
// it must not repeat one.
func TestOthersAreOutsideTheCallTable(t *testing.T) {
	for _, list := range []map[string]bool{others, makesSession} {
		for fn := range list {
			if k, ok := model.ParseKind(fn); ok {
				t.Errorf("%s is the call table's %v: name it by its kind", fn, k)
			}
		}
	}
	for fn := range makesSession {
		if !others[fn] {
			t.Errorf("%s makes a session but is not in others", fn)
		}
	}
	if modelled[model.KindInvalid] {
		t.Error("modelled holds KindInvalid")
	}
}

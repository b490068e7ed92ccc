package properties

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

// TestReduceRenumbers: removing an SSL_CTX_new moves the later SSL_CTX
// handles down, and a candidate that still uses the removed object is
// never tried.
func TestReduceRenumbers(t *testing.T) {
	cfg := model.DefaultConfig(model.Server)
	ops := []model.Op{
		{Kind: model.CtxNew, Ctx: 1, Config: cfg},
		{Kind: model.CtxNew, Ctx: 2, Config: cfg},
		{Kind: model.SSLNew, SSL: 1, Ctx: 2},
		{Kind: model.SessNumber, Ctx: 2},
	}
	// "Fails" while some SSL_new and a sess_number on the same SSL_CTX are
	// left: the unused first SSL_CTX must go.
	fails := func(ops []model.Op) bool {
		var newOn, numberOn model.Handle
		for _, op := range ops {
			switch op.Kind {
			case model.SSLNew:
				newOn = op.Ctx
			case model.SessNumber:
				numberOn = op.Ctx
			}
		}
		return newOn != 0 && newOn == numberOn
	}
	got := Reduce(ops, model.OpenSSL30(), fails, 100).Ops
	want := []model.Op{
		{Kind: model.CtxNew, Ctx: 1, Config: cfg},
		{Kind: model.SSLNew, SSL: 1, Ctx: 1},
		{Kind: model.SessNumber, Ctx: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

package impl

import (
	"sync/atomic"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// shutdownOps ends with the client's first SSL_shutdown; the server caches
// the session (no tickets).
var shutdownOps = []model.Op{
	{Kind: model.CtxNew, Ctx: 1, Config: noTicketServer()},
	{Kind: model.CtxNew, Ctx: 2, Config: model.DefaultConfig(model.Client)},
	{Kind: model.SSLNew, SSL: 1, Ctx: 2},
	{Kind: model.SSLNew, SSL: 2, Ctx: 1},
	{Kind: model.Handshake, SSL: 1, Peer: 2, Arg: int64(model.TLS12)},
	{Kind: model.Shutdown, SSL: 1},
}

func noTicketServer() model.CtxConfig {
	c := model.DefaultConfig(model.Server)
	c.NoTicket = true
	return c
}

// TestWithFaults: a plain target consults no faults; faults with nil hooks
// are the reference; each kind of hook is consulted at its points with the
// reference's value, and what it returns is what the simulator does; the
// faults survive Reset and name the target.
func TestWithFaults(t *testing.T) {
	if a := NewTarget().(*adapter); a.faults != nil || a.u.env.faults != nil {
		t.Fatal("a plain target has faults")
	}
	lastRet := func(o ...Option) int64 {
		tg := NewTarget(o...)
		var last model.Result
		for _, op := range shutdownOps {
			last = apply(t, tg, op)
		}
		return last.Ret
	}
	if got := lastRet(WithFaults(&Faults{Name: "nothing"})); got != 0 {
		t.Fatalf("faults without hooks changed the first SSL_shutdown to %d", got)
	}
	var chose, amounts, reached, picks, refs atomic.Int64
	f := &Faults{
		Name:   "counting",
		Choose: func(_ Point, _ any, ref bool) bool { chose.Add(1); return ref },
		Amount: func(at Point, _ any, ref int64) int64 {
			amounts.Add(1)
			if at == FirstShutdownResult {
				return 7
			}
			return ref
		},
		Pick:   func(_ Point, _ any, ref *Session) *Session { picks.Add(1); return ref },
		Reach:  func(Point, any) { reached.Add(1) },
		AddRef: func(n *atomic.Int32, d int32) int32 { refs.Add(1); return n.Add(d) },
	}
	if got := lastRet(WithFaults(f)); got != 7 {
		t.Fatalf("the first SSL_shutdown returned %d, want the 7 Amount gave", got)
	}
	if chose.Load() == 0 || amounts.Load() == 0 || reached.Load() == 0 || refs.Load() == 0 {
		t.Errorf("hooks consulted: choose %d, amount %d, reach %d, addRef %d; want each at least once",
			chose.Load(), amounts.Load(), reached.Load(), refs.Load())
	}
	tg := NewTarget(WithFaults(f))
	if name := tg.Info().Name; name != "impl (counting)" {
		t.Fatalf("Info().Name = %q", name)
	}
	if err := tg.Reset(bg); err != nil {
		t.Fatal(err)
	}
	if tg.(*adapter).universe().env.faults != f {
		t.Fatal("Reset lost the faults")
	}
}

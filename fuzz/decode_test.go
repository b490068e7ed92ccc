package fuzz

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

func randomInput(r *rand.Rand, n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	return data
}

// TestDecodeIsLegalAndDeterministic: any bytes give a legal sequence, the
// same one every time, bounded by MaxCalls and by the input's length.
func TestDecodeIsLegalAndDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cfg := DefaultConfig()
	cfg.MaxCalls = 120
	kinds := map[model.Kind]bool{}
	for i := 0; i < 300; i++ {
		data := randomInput(r, r.IntN(800))
		ops, err := Decode(data, cfg)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := Decode(data, cfg)
		if !slices.Equal(ops, again) {
			t.Fatalf("input %d decodes differently twice", i)
		}
		if len(ops) > cfg.MaxCalls || len(ops) > len(data) {
			t.Fatalf("input %d (%d bytes) decodes to %d calls (max %d)", i, len(data), len(ops), cfg.MaxCalls)
		}
		if !Legal(cfg.Profile, ops) {
			t.Fatalf("input %d decodes to an illegal sequence", i)
		}
		for _, op := range ops {
			kinds[op.Kind] = true
		}
	}
	for _, k := range model.Kinds() {
		if !kinds[k] {
			t.Errorf("300 random inputs never decoded a %v", k)
		}
	}
	if ops, _ := Decode(nil, cfg); len(ops) != 0 {
		t.Fatalf("the empty input decodes to %v", ops)
	}
}

// TestDecodeRespectsSupports: a call kind the target lacks is never drawn.
func TestDecodeRespectsSupports(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Supports = func(k model.Kind) bool { return k != model.Get1 && k != model.Handshake }
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100; i++ {
		ops, err := Decode(randomInput(r, 400), cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			if !cfg.Supports(op.Kind) {
				t.Fatalf("drew the unsupported %v", op)
			}
		}
	}
}

// TestCheckAgreesAndRejects: the simulator passes decoded sequences; a
// mutant that takes a reference in SSL_get0_session is rejected with a
// divergence whose last call is a get0.
func TestCheckAgreesAndRejects(t *testing.T) {
	ctx := context.Background()
	cfg := DefaultConfig()
	good := impl.NewTarget()
	bad := impl.NewTarget(mutants.Option(mutants.Get0TakesRef))
	r := rand.New(rand.NewPCG(5, 6))
	var caught *properties.Divergence
	for i := 0; i < 200; i++ {
		ops, err := Decode(randomInput(r, 600), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(ctx, good, cfg.Profile, ops); err != nil {
			t.Fatalf("the simulator diverges: %v", err)
		}
		if err := Check(ctx, bad, cfg.Profile, ops); err != nil && caught == nil {
			if !errors.As(err, &caught) {
				t.Fatalf("not a divergence: %v", err)
			}
		}
	}
	if caught == nil {
		t.Fatal("200 random sequences never caught the get0-takes-ref mutant")
	}
	if err := Check(ctx, good, cfg.Profile, []model.Op{{Kind: model.SSLNew, SSL: 1, Ctx: 1}}); err == nil {
		t.Fatal("an illegal sequence passed Check")
	}
}

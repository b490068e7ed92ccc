package modeltarget_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/modeltarget"
)

// TestModelFollowsItself: checked against its own profile, the model as a
// target never diverges, under every profile.
func TestModelFollowsItself(t *testing.T) {
	for _, name := range model.ProfileNames() {
		p := model.Profiles()[name]
		opts := properties.DefaultSearchOptions()
		opts.Profile, opts.Seed, opts.Sequences = p, 3, 40
		if testing.Short() {
			opts.Sequences = 10
		}
		rep, err := properties.Search(context.Background(), modeltarget.Factory(p, ""), opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rep.Findings) > 0 || len(rep.Unconfirmed) > 0 || rep.Sequences != opts.Sequences {
			t.Errorf("%s: %d findings, %d unconfirmed, %d sequences", name, len(rep.Findings), len(rep.Unconfirmed), rep.Sequences)
		}
	}
}

// TestRefusalAndInfo: a call the target's model rejects is ErrRefused, so
// the engines name it REFUSED; Info claims the profile's name; Reset
// empties the universe.
func TestRefusalAndInfo(t *testing.T) {
	ctx := context.Background()
	tgt := modeltarget.New(model.WolfSSL55(), "")
	if info := tgt.Info(); info.Profile != "wolfssl-5.5" || info.Name != "model wolfssl-5.5" || info.Concurrent {
		t.Errorf("Info() = %+v", info)
	}
	_, err := tgt.Apply(ctx, model.Op{Kind: model.SSLFree, SSL: 1})
	if !errors.Is(err, target.ErrRefused) || properties.Outcome(err) != model.RuleRefused {
		t.Fatalf("SSL_free of an SSL that does not exist: %v", err)
	}
	if _, err := tgt.Apply(ctx, model.Op{Kind: model.CtxNew, Ctx: 1}); err != nil {
		t.Fatal(err)
	}
	if ob, _ := tgt.Observe(ctx); len(ob.Ctxs) != 1 {
		t.Fatalf("after SSL_CTX_new: %+v", ob)
	}
	if err := tgt.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if ob, _ := tgt.Observe(ctx); len(ob.Ctxs) != 0 {
		t.Errorf("after Reset: %+v", ob)
	}
}

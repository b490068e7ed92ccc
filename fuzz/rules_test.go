package fuzz

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/sesslife/sesslife/fuzz/internal/gensignal"
	"github.com/sesslife/sesslife/model"
)

var updateRuleSeeds = flag.Bool("update-rule-seeds", false, "rewrite the rule-* seeds of the decoder corpora")

// TestSignalGenCurrent: signal_gen.go has a case for every rule of
// docs/spec.md today.
func TestSignalGenCurrent(t *testing.T) {
	want, err := gensignal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("signal_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("fuzz/signal_gen.go is stale: run go generate ./fuzz")
	}
}

// decoderUnreachable are the generable rules the decoder cannot reach in
// DefaultMaxCalls calls: the automatic flush needs 255 handshakes on one
// SSL_CTX (the search's marathons reach it; docs/fuzzing.md).
var decoderUnreachable = map[model.Rule]bool{model.RuleAutoEvery256: true}

// TestRuleSeeds: the decoder corpora hold, for every rule random
// generation can reach, a seed (rule-ID) on which the model applies it, so
// that fuzzing starts from every rare path and go test replays each. With
// -update-rule-seeds the seeds are searched for again (seeded, shrunk with
// ShrinkBytes) and rewritten.
func TestRuleSeeds(t *testing.T) {
	cfg := DefaultConfig()
	dirs, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode*"))
	if len(dirs) != 2 {
		t.Fatalf("want the two decoder corpora, found %v", dirs)
	}
	if *updateRuleSeeds {
		writeRuleSeeds(t, cfg, dirs)
	}
	for _, r := range model.GenerableRules(cfg.Profile) {
		if decoderUnreachable[r] {
			continue
		}
		for _, dir := range dirs {
			path := filepath.Join(dir, "rule-"+r.String())
			if _, err := os.Stat(path); err != nil {
				t.Errorf("no seed for %s in %s (go test ./fuzz -run TestRuleSeeds -update-rule-seeds)", r, dir)
				continue
			}
			_, rules, err := DecodeRules(readSeed(t, path), cfg)
			if err != nil || !rules.Has(r) {
				t.Errorf("%s does not make the model apply %s (%v)", path, r, err)
			}
		}
	}
}

// writeRuleSeeds finds, for each reachable rule, the first of a seeded
// stream of random inputs that applies it, shrinks it keeping the rule,
// and writes it into every decoder corpus.
func writeRuleSeeds(t *testing.T, cfg Config, dirs []string) {
	r := rand.New(rand.NewPCG(20261124, 11))
	found := map[model.Rule][]byte{}
	want := 0
	for _, rl := range model.GenerableRules(cfg.Profile) {
		if !decoderUnreachable[rl] {
			want++
		}
	}
	for i := 0; i < 50000 && len(found) < want; i++ {
		data := randomInput(r, 800)
		_, rules, err := DecodeRules(data, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, rl := range rules.Rules() {
			if _, ok := found[rl]; !ok && !decoderUnreachable[rl] {
				found[rl] = data
			}
		}
	}
	for rl, data := range found {
		small := ShrinkBytesBy(data, func(cand []byte) bool {
			_, rules, err := DecodeRules(cand, cfg)
			return err == nil && rules.Has(rl)
		}, 2000)
		for _, dir := range dirs {
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", small)
			if err := os.WriteFile(filepath.Join(dir, "rule-"+rl.String()), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

package fuzz

import (
	"context"
	"fmt"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// DefaultMaxCalls bounds a decoded sequence when Config.MaxCalls is 0.
const DefaultMaxCalls = 200

// Config says how bytes become calls.
type Config struct {
	Profile model.Profile
	Limits  properties.Limits
	// Supports filters the calls drawn (a target's Info().Supports); nil
	// allows every call.
	Supports func(model.Kind) bool
	// MaxCalls bounds the sequence; 0 means DefaultMaxCalls.
	MaxCalls int
}

// DefaultConfig decodes for the openssl-3.0 profile with the generator's
// default limits.
func DefaultConfig() Config {
	return Config{Profile: model.OpenSSL30(), Limits: properties.DefaultLimits()}
}

// Decode turns data into a call sequence that is legal and modelled from an
// empty universe: one [properties.DrawOp] per call, its choices read from
// data, until data is used up or MaxCalls calls are drawn. The same bytes
// always give the same calls. An error means the generator drew a call the
// model refuses, a bug in properties, never in the input.
func Decode(data []byte, cfg Config) ([]model.Op, error) {
	ops, _, err := DecodeRules(data, cfg)
	return ops, err
}

// DecodeRules is Decode that also returns every rule of docs/spec.md the
// model applied on the way: the fuzz targets feed it to Signal, so that an
// input reaching a rule no other input reached is new coverage.
func DecodeRules(data []byte, cfg Config) ([]model.Op, model.RuleSet, error) {
	maxCalls := cfg.MaxCalls
	if maxCalls <= 0 {
		maxCalls = DefaultMaxCalls
	}
	supports := cfg.Supports
	if supports == nil {
		supports = func(model.Kind) bool { return true }
	}
	s := model.New(cfg.Profile)
	src := NewBytes(data)
	var ops []model.Op
	var fired model.RuleSet
	for !src.Exhausted() && len(ops) < maxCalls {
		op := properties.DrawOp(src, s, supports, cfg.Limits)
		if _, err := s.Step(op); err != nil {
			return ops, fired, fmt.Errorf("fuzz: decoding byte %d: the generator drew call %d, which the model refuses: %w",
				src.Consumed(), len(ops)+1, err)
		}
		fired.Union(s.Fired())
		ops = append(ops, op)
	}
	return ops, fired, nil
}

// Check runs ops on tgt and on the model in lockstep from an empty universe
// (properties.RunOps with the default window).
func Check(ctx context.Context, tgt target.Target, p model.Profile, ops []model.Op) error {
	return properties.RunOps(ctx, tgt, p, ops, properties.DefaultWindow)
}

// Legal reports whether ops is legal and modelled from an empty universe.
func Legal(p model.Profile, ops []model.Op) bool { return properties.Legal(p, ops) }

package fuzz

import (
	"slices"

	"github.com/sesslife/sesslife/model"
)

// Shrinking here is the fuzz engine's own, used by the mutant kill table:
// `go test -fuzz` minimises failing inputs itself, but a deterministic
// loop outside go test needs its own. ShrinkBytes works on the input bytes;
// properties.Reduce then works on the calls they decode to. Both are greedy
// delta debugging bounded by a number of evaluations.

// ShrinkBytes returns a shorter or simpler input on which fails still holds
// for the decoded calls: it removes chunks of bytes (halving the chunk size
// down to one byte), then lowers single bytes toward 0 (the plainest
// choice), and repeats while that helps, for at most budget evaluations.
// Because the bytes are choices among the objects alive at each step,
// removing a call renumbers the handles after it for free.
func ShrinkBytes(data []byte, cfg Config, fails func([]model.Op) bool, budget int) []byte {
	return ShrinkBytesBy(data, func(cand []byte) bool {
		ops, err := Decode(cand, cfg)
		return err == nil && fails(ops)
	}, budget)
}

// ShrinkBytesBy is ShrinkBytes with the property stated on the bytes
// themselves (holds reports whether a candidate still has it).
func ShrinkBytesBy(data []byte, holds func([]byte) bool, budget int) []byte {
	try := func(cand []byte) bool {
		if budget <= 0 {
			return false
		}
		budget--
		return holds(cand)
	}
	data = slices.Clone(data)
	for progress := true; progress && budget > 0; {
		progress = false
		for size := len(data) / 2; size >= 1; size /= 2 {
			for i := len(data) - size; i >= 0; i-- {
				if i+size > len(data) {
					continue
				}
				cand := slices.Concat(data[:i], data[i+size:])
				if try(cand) {
					data, progress = cand, true
				}
			}
		}
		for i := range data {
			for _, v := range []byte{0, data[i] / 2, data[i] - 1} {
				if v >= data[i] {
					continue
				}
				cand := slices.Clone(data)
				cand[i] = v
				if try(cand) {
					data, progress = cand, true
					break
				}
			}
		}
	}
	return data
}

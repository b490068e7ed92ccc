package subprocess

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sesslife/sesslife/target"
)

// OutdatedError reports a shim that refused a request field it does not
// know, or a value of an enumerated config field it does not know
// (docs/protocol.md §3 and §9): its binary was built before the harness
// learnt that field or value. Running on would compare the library without
// what the field asks for against a model with it, a false divergence under
// a wrong rule, so it is a harness error, never a finding.
type OutdatedError struct {
	Op      string // the call whose request carried the field
	What    string // "config" or "request"
	Field   string // the member the shim does not know, or whose value it does not know
	Value   string // the value the shim does not know; empty when it does not know the field
	Rebuild string // what brings the shim up to date: "rebuild it (make shim)", or what to implement
}

// Error names the field (and the value) and says how to rebuild the shim,
// on one line.
func (e *OutdatedError) Error() string {
	what := fmt.Sprintf("the %s field %q", e.What, e.Field)
	if e.Value != "" {
		what = fmt.Sprintf("the value %s of %s", e.Value, what)
	}
	return fmt.Sprintf("shim answering %s does not know %s: the shim is older than the harness: %s",
		e.Op, what, e.Rebuild)
}

// Is makes an OutdatedError match target.ErrOutdated.
func (e *OutdatedError) Is(err error) bool { return err == target.ErrOutdated }

// outdated returns the OutdatedError an error reply's message stands for,
// or nil when it is another refusal. The message's form is the protocol's:
// `unknown config field "NAME"` or `unknown request field "NAME"`; or, for
// an enumerated config field of cfg (the request's config, nil if none)
// whose value the harness sent above the largest the shim accepts,
// `"NAME" must be an integer in LO..HI`.
func outdated(op, msg, rebuild string, cfg *wireConfig) *OutdatedError {
	if name, hi, ok := rangeRefusal(msg); ok && cfg != nil {
		if v, ok := cfg.enumerated(name); ok && v > hi {
			return &OutdatedError{Op: op, What: "config", Field: name, Value: strconv.FormatInt(v, 10),
				Rebuild: rebuild}
		}
	}
	for _, what := range []string{"config", "request"} {
		rest, ok := strings.CutPrefix(msg, "unknown "+what+" field ")
		if !ok {
			continue
		}
		field, err := strconv.Unquote(rest)
		if err != nil {
			return nil
		}
		return &OutdatedError{Op: op, What: what, Field: field, Rebuild: rebuild}
	}
	return nil
}

// rangeRefusal reads a refusal `"NAME" must be an integer in LO..HI`: the
// field's name and the largest value the shim accepts.
func rangeRefusal(msg string) (name string, hi int64, ok bool) {
	quoted, rest, ok := strings.Cut(msg, " must be an integer in ")
	if !ok {
		return "", 0, false
	}
	name, err := strconv.Unquote(quoted)
	_, hiText, ok := strings.Cut(rest, "..")
	if err != nil || !ok {
		return "", 0, false
	}
	hi, err = strconv.ParseInt(hiText, 10, 64)
	return name, hi, err == nil
}

// rebuildCommand is what brings the shim at path up to date: the make
// target that builds it when it is one of this project's shims (its name
// and the hello's library say so), else the part of the protocol its
// author has to implement.
func rebuildCommand(library, path string) string {
	if strings.HasPrefix(filepath.Base(path), "sesslife-shim-") {
		switch library {
		case "OpenSSL":
			return "rebuild it (make shim)"
		case "wolfSSL":
			return "rebuild it (make shim-wolfssl)"
		case "BoringSSL":
			return "rebuild it (make shim-boringssl)"
		}
	}
	return "teach " + path + " the field as docs/protocol.md §3 describes it, or build it from sources that know it"
}

package subprocess

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sesslife/sesslife/target"
)

// OutdatedError reports a shim that refused a request field it does not
// know (docs/protocol.md §9, "unknown config field"): its binary was built
// before the harness learnt that field. Running on would compare the
// library without what the field asks for against a model with it, a false
// divergence under a wrong rule, so it is a harness error, never a finding.
type OutdatedError struct {
	Op      string // the call whose request carried the field
	What    string // "config" or "request"
	Field   string // the member the shim does not know
	Rebuild string // the command that rebuilds the shim
}

// Error names the field and says how to rebuild the shim, on one line.
func (e *OutdatedError) Error() string {
	return fmt.Sprintf("shim answering %s does not know the %s field %q: the shim is older than the harness: rebuild it (%s)",
		e.Op, e.What, e.Field, e.Rebuild)
}

// Is makes an OutdatedError match target.ErrOutdated.
func (e *OutdatedError) Is(err error) bool { return err == target.ErrOutdated }

// outdated returns the OutdatedError an error reply's message stands for,
// or nil when it is another refusal. The message's form is the protocol's:
// `unknown config field "NAME"` or `unknown request field "NAME"`.
func outdated(op, msg, library string) *OutdatedError {
	for _, what := range []string{"config", "request"} {
		rest, ok := strings.CutPrefix(msg, "unknown "+what+" field ")
		if !ok {
			continue
		}
		field, err := strconv.Unquote(rest)
		if err != nil {
			return nil
		}
		return &OutdatedError{Op: op, What: what, Field: field, Rebuild: rebuildCommand(library)}
	}
	return nil
}

// rebuildCommand is the make target that builds the shim of library (the
// hello's name), or a plain instruction for a shim not built here.
func rebuildCommand(library string) string {
	switch library {
	case "OpenSSL":
		return "make shim"
	case "wolfSSL":
		return "make shim-wolfssl"
	case "BoringSSL":
		return "make shim-boringssl"
	}
	return "build it from sources that know the field"
}

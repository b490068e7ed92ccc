package model

import (
	"errors"
	"fmt"
)

// Rule names one rule of docs/spec.md that a call sequence can break.
type Rule string

// The rules whose breach is undefined behaviour in C. docs/spec.md gives
// each one's statement and source.
const (
	// RuleDanglingSession: a session pointer is used after the session was
	// destroyed (typically a get0 pointer kept past SSL_free).
	RuleDanglingSession Rule = "UB-DANGLING-SESSION"
	// RuleOverRelease: SSL_SESSION_free without a reference of the
	// application's own (get1, up_ref or a new_session_cb that returned 1).
	RuleOverRelease Rule = "UB-OVER-RELEASE"
	// RuleCrossContext: a session cached in one SSL_CTX is added to another.
	RuleCrossContext Rule = "UB-CROSS-CONTEXT"
	// RuleDanglingSSL: an SSL is used after SSL_free.
	RuleDanglingSSL Rule = "UB-DANGLING-SSL"
	// RuleDanglingCtx: an SSL_CTX is used after SSL_CTX_free.
	RuleDanglingCtx Rule = "UB-DANGLING-CTX"
	// RuleNullSession: a NULL session pointer is passed to a call that
	// dereferences it (SSL_SESSION_* calls, SSL_CTX_add_session and
	// SSL_CTX_remove_session); typically the NULL that get0 or get1 returned
	// for an SSL without a session. Only SSL_set_session accepts NULL.
	RuleNullSession Rule = "UB-NULL-SESSION"
	// RuleBadHandle: a handle that never named an object, or a new object
	// given a handle that is not the next free one (a harness error).
	RuleBadHandle Rule = "UB-BAD-HANDLE"
)

// Violation is the error Step returns for a call that is undefined
// behaviour. The state is unchanged.
type Violation struct {
	Rule   Rule
	Op     Op
	Detail string
}

// Error names the rule, the call and why.
func (v *Violation) Error() string {
	return fmt.Sprintf("%s: %s: %s", v.Rule, v.Op, v.Detail)
}

// ErrUnmodelled is wrapped by the error Step returns for a legal call that
// the model does not claim to know the outcome of (for example a second
// handshake on an SSL without SSL_clear). Generators avoid such calls.
var ErrUnmodelled = errors.New("not modelled")

func violation(rule Rule, op Op, format string, args ...any) error {
	return &Violation{Rule: rule, Op: op, Detail: fmt.Sprintf(format, args...)}
}

func unmodelled(op Op, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", op, ErrUnmodelled, fmt.Sprintf(format, args...))
}

package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sesslife/sesslife/model"
)

// label renders an object with the variables that name it: "p=sess1",
// "a,b=ssl2", or the bare handle name when no variable does.
func (r *runner) label(t ArgType, h model.Handle) string {
	var canon string
	switch {
	case h == 0:
		return "NULL"
	case h == model.Unnamed:
		return "(unseen)"
	case t == ArgCtx:
		canon = model.CtxName(h)
	case t == ArgSSL:
		canon = model.SSLName(h)
	default:
		canon = model.SessName(h)
	}
	var names []string
	for name, v := range r.vars {
		if v.typ == t && v.h == h && name != canon {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return canon
	}
	slices.Sort(names)
	return strings.Join(names, ",") + "=" + canon
}

// annotate adds variable names to the handle names (whole words such as
// sess3) in a model message.
func (r *runner) annotate(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		j := i
		for j < len(msg) && isIdentPart(msg[j]) {
			j++
		}
		if j == i {
			b.WriteByte(msg[i])
			i++
			continue
		}
		word := msg[i:j]
		if t, h, ok := handleName(word); ok {
			word = r.label(t, h)
		}
		b.WriteString(word)
		i = j
	}
	return b.String()
}

// formatEvent renders an event with variable names.
func (r *runner) formatEvent(e model.Event) string {
	if e.Kind == model.EvDestroyed {
		return "destroyed(" + r.label(ArgSess, e.Sess) + ")"
	}
	return e.Kind.String() + "(" + r.label(ArgCtx, e.Ctx) + ", " + r.label(ArgSess, e.Sess) + ")"
}

// formatResult renders a result with variable names.
func (r *runner) formatResult(op model.Op, res model.Result) string {
	parts := []string{r.formatRet(op, res.Ret)}
	if op.Kind == model.Get0 || op.Kind == model.Get1 {
		parts[0] = r.label(ArgSess, model.Handle(res.Ret))
	}
	for _, e := range res.Events {
		parts = append(parts, r.formatEvent(e))
	}
	return strings.Join(parts, " ")
}

// formatRet renders a return value: the new handle of a creation call, the
// session (or NULL) of a get, a number (with its time for time calls).
func (r *runner) formatRet(op model.Op, ret int64) string {
	switch op.Kind {
	case model.CtxNew:
		return model.CtxName(op.Ctx)
	case model.SSLNew:
		return model.SSLName(op.SSL)
	case model.GetTime, model.SetTime:
		return fmt.Sprintf("%d (%s)", ret, r.clock(ret))
	case model.SessFree:
		// void in C; model.FormatRet prints its 0.
		return "void"
	}
	return model.FormatRet(op.Kind, ret)
}

// clock renders an absolute time relative to the start, T+N.
func (r *runner) clock(t int64) string {
	if d := t - r.start; d < 0 {
		return fmt.Sprintf("T%d", d)
	}
	return fmt.Sprintf("T+%d", t-r.start)
}

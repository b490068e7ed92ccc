package scenario

import (
	"fmt"

	"github.com/sesslife/sesslife/model"
)

// track records the references to sessions the application gained and
// gave back in this call, to say where a leaked one was taken.
func (r *runner) track(before snapshot, op model.Op, pos Pos) {
	how := "new_session_cb returned 1"
	switch op.Kind {
	case model.Get1, model.UpRef:
		how = op.Kind.String()
	}
	// A get_session_cb that leaves *copy at 1 on a fresh d2i object gives
	// the application a reference to an object it has not seen.
	unnamed := r.st.UnnamedAppRefs()
	moved := before.unnamed - unnamed // named in this call
	for n := before.unnamed; n < unnamed; n++ {
		r.unnamedTaken = append(r.unnamedTaken, taking{pos: pos, how: "get_session_cb left *copy at 1 on a fresh d2i_SSL_SESSION object"})
		moved++
	}
	for _, v := range r.st.Sessions() {
		was := 0
		if int(v.Sess) <= len(before.appRefs) {
			was = before.appRefs[v.Sess-1]
		}
		for ; int(v.Sess) > len(before.appRefs) && was < v.AppRefs && moved > 0 && len(r.unnamedTaken) > 0; was++ {
			r.taken[v.Sess] = append(r.taken[v.Sess], r.unnamedTaken[0])
			r.unnamedTaken = r.unnamedTaken[1:]
			moved--
		}
		for n := was; n < v.AppRefs; n++ {
			r.taken[v.Sess] = append(r.taken[v.Sess], taking{pos: pos, how: how})
		}
		for n := v.AppRefs; n < was && len(r.taken[v.Sess]) > 0; n++ {
			r.taken[v.Sess] = r.taken[v.Sess][:len(r.taken[v.Sess])-1]
		}
	}
}

// leaks lists the session references the application still owns and the
// SSLs and SSL_CTXs it never freed.
func (r *runner) leaks() {
	add := func(object string, pos Pos, msg string) {
		r.report.Leaks = append(r.report.Leaks, Leak{Object: object, File: r.file, Pos: pos, Msg: msg})
	}
	for _, v := range r.st.Sessions() {
		if !v.Alive || v.AppRefs == 0 {
			continue
		}
		taken := r.taken[v.Sess]
		for i := range v.AppRefs {
			if i < len(taken) {
				add(r.label(ArgSess, v.Sess), taken[i].pos, fmt.Sprintf("reference taken at %s:%d (%s) never freed with SSL_SESSION_free", r.file, taken[i].pos.Line, taken[i].how))
			} else {
				add(r.label(ArgSess, v.Sess), Pos{}, "reference never freed with SSL_SESSION_free")
			}
		}
	}
	for _, t := range r.unnamedTaken {
		add("a session never shown", t.pos, fmt.Sprintf("reference taken at %s:%d (%s) never freed with SSL_SESSION_free", r.file, t.pos.Line, t.how))
	}
	for _, l := range r.st.SSLs() {
		if l.Alive {
			pos := r.made[model.SSLName(l.SSL)]
			add(r.label(ArgSSL, l.SSL), pos, fmt.Sprintf("SSL made at %s:%d never freed with SSL_free", r.file, pos.Line))
		}
	}
	for _, c := range r.st.Ctxs() {
		if c.AppHeld {
			pos := r.made[model.CtxName(c.Ctx)]
			add(r.label(ArgCtx, c.Ctx), pos, fmt.Sprintf("SSL_CTX made at %s:%d never freed with SSL_CTX_free", r.file, pos.Line))
		}
	}
}

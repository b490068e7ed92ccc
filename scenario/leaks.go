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
	for _, v := range r.st.Sessions() {
		was := 0
		if int(v.Sess) <= len(before.appRefs) {
			was = before.appRefs[v.Sess-1]
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

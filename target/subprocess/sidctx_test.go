package subprocess

import (
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// TestObservedSidCtx: a session's "sid_ctx" is a context's number, -1 for
// bytes that are none of them, or absent when the library cannot show it
// (docs/protocol.md §7); anything else is a protocol error.
func TestObservedSidCtx(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		field string
		want  model.SidCtx
		err   string
	}{
		{``, model.SidCtxUnknown, ""},
		{`,"sid_ctx":0`, model.SidCtxEmpty, ""},
		{`,"sid_ctx":2`, model.SidCtx2, ""},
		{`,"sid_ctx":3`, model.SidCtxMax, ""},
		{`,"sid_ctx":-1`, model.SidCtxOther, ""},
		{`,"sid_ctx":5`, 0, `"sid_ctx" = 5`},
		{`,"sid_ctx":-2`, 0, `"sid_ctx" = -2`},
	} {
		line := `{"id":1,"observation":{"ctxs":[],"ssls":[],"sessions":[{"sess":1,"resumable":true,"id_len":32,"time":7,"timeout":8` +
			c.field + `}]}}`
		r, err := parseReply([]byte(line))
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		ob, err := r.observation()
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one about %s", line, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", line, err)
		case ob.Sessions[0].SidCtx != c.want:
			t.Errorf("%s: sid_ctx read as %d, want %d", line, ob.Sessions[0].SidCtx, c.want)
		}
	}
}

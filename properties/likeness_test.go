package properties_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target/modeltarget"
)

// TestFindingsSayWhichLibraryTheTargetActsLike: the openssl-3.2 model
// checked as a target against openssl-3.0 (and the other way round) is
// found to differ by rules that name where the difference shows (a
// counter, the reused flag); each finding the model can explain also says
// which switch of the divergence table does all of what the target did,
// in its headline and in its text, and the rule that switch replaces.
func TestFindingsSayWhichLibraryTheTargetActsLike(t *testing.T) {
	for _, tc := range []struct{ target, checked model.Profile }{
		{model.OpenSSL32(), model.OpenSSL30()},
		{model.OpenSSL30(), model.OpenSSL32()},
	} {
		opts := properties.DefaultSearchOptions()
		opts.Profile, opts.Seed, opts.Sequences, opts.MaxFindings = tc.checked, 1, 2000, 5
		rep, err := properties.Search(context.Background(), modeltarget.Factory(tc.target, "model "+tc.target.Name), opts)
		if err != nil {
			t.Fatal(err)
		}
		explained := 0
		for _, f := range rep.Findings {
			d := f.Divergence
			if d.Err != nil {
				if len(d.Likenesses()) != 0 {
					t.Errorf("%s: a failed call has likenesses: %v", d.Headline(), d.Likenesses())
				}
				continue
			}
			like := d.Likenesses()
			if len(like) == 0 {
				t.Errorf("%s against %s: no switch explains\n%s", tc.target.Name, tc.checked.Name, d.Error())
				continue
			}
			explained++
			for _, l := range like {
				if !slices.Contains(l.Like, tc.target.Name) || len(l.Breaks) == 0 || len(l.Follows) == 0 {
					t.Errorf("%s: likeness %+v does not name %s and the rules on both sides", d.Headline(), l, tc.target.Name)
				}
			}
			if !strings.Contains(d.Headline(), "(acts as "+tc.target.Name+": breaks ") || !strings.Contains(d.Error(), like[0].String()) {
				t.Errorf("the report does not say it:\n%s", d.Error())
			}
		}
		if explained == 0 {
			t.Errorf("%s against %s: no finding to explain in %d sequences", tc.target.Name, tc.checked.Name, rep.Sequences)
		}
	}
}

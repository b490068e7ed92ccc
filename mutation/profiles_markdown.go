package mutation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sesslife/sesslife/model"
)

// RuleCover is how the profile mutants stand to one rule of the wolfSSL or
// BoringSSL profile (a rule the profile has as its own).
type RuleCover struct {
	Rule    model.Rule
	Profile string
	// Mutants are the profile mutants whose switch brings the rule.
	Mutants []string
	// Generable: random sequences of the profile can make the rule fire
	// (model.GenerableRules).
	Generable bool
	// Killed: one of Mutants ran and was killed on every seed.
	Killed bool
	// Named: a finding of one of Mutants was named by the rule.
	Named bool
	// Why says why no mutant kills the rule ("" when one does): the rule
	// cannot be generated, or every mutant of it is equivalent, or none ran.
	Why string
}

// CoverRules says, for every rule that only the wolfSSL or BoringSSL
// profile has, which profile mutants bring it and whether the rows kill it.
// A mutant that is not among rows counts as not run.
func CoverRules(rows []ProfileRow) []RuleCover {
	byName := map[string]ProfileRow{}
	for _, r := range rows {
		byName[r.Mutant.Name] = r
	}
	all := ProfileMutants()
	var out []RuleCover
	for _, p := range []model.Profile{model.WolfSSL55(), model.BoringSSL()} {
		gen := model.GenerableRules(p)
		for _, r := range model.Rules() {
			if p.Status(r).Verdict != model.Own {
				continue
			}
			c := RuleCover{Rule: r, Profile: p.Name, Generable: slices.Contains(gen, r)}
			var why []string
			for _, m := range all {
				if m.Profile.Name != p.Name || !slices.Contains(m.Rules, r) {
					continue
				}
				c.Mutants = append(c.Mutants, m.Name)
				row, ran := byName[m.Name]
				switch {
				case ran && row.Kill.Killed && row.Expected():
					c.Killed = true
				case m.Equivalent != "" && !(ran && row.Kill.Killed):
					why = append(why, fmt.Sprintf("`%s` is equivalent: %s", m.Name, m.Equivalent))
				case m.Equivalent != "":
					why = append(why, fmt.Sprintf("`%s` is marked equivalent, yet it was killed", m.Name))
				case !ran:
					why = append(why, fmt.Sprintf("`%s` did not run", m.Name))
				default:
					why = append(why, fmt.Sprintf("`%s` survived on some seed", m.Name))
				}
				if ran && (slices.Contains(row.Named, r) || slices.ContainsFunc(row.Kill.Seeds,
					func(sk SeedKill) bool { return sk.Killed && sk.Rule == r })) {
					c.Named = true
				}
			}
			switch {
			case !c.Generable:
				c.Killed, c.Why = false, "no random sequence can make it fire: "+r.Info().Unreachable
			case !c.Killed && len(c.Mutants) == 0:
				c.Why = "no divergence switch brings it"
			case !c.Killed:
				c.Why = strings.Join(why, "; ")
			}
			out = append(out, c)
		}
	}
	return out
}

// writeProfiles writes docs/mutants.md's section on the profile mutants:
// their table, the rules of the profiles they kill, and those no mutant
// kills, with the reason.
func (t *Table) writeProfiles(s *strings.Builder) {
	o := t.Options
	s.WriteString("\n## Profile mutants\n\n")
	s.WriteString("The simulator follows openssl-3.0 alone, so its mutants say nothing of the rules only the wolfSSL,\n")
	s.WriteString("BoringSSL and OpenSSL 3.2 profiles have (WOLF-\\*, BORING-\\*, OSSL32-\\*). A profile mutant is the model itself as the target\n")
	s.WriteString("(`target/modeltarget`) with one divergence switch of a profile (`model.Divergence.Switch`,\n")
	s.WriteString("`model/profile_rules.go`) turned back to OpenSSL 3.0's value, checked against the unchanged profile:\n")
	s.WriteString("a library that forgot one of its differences. It is built by package `mutation`\n")
	s.WriteString("(`mutation/profiles.go`), which sets the switch by its name; the model knows nothing of it.\n")
	fmt.Fprintf(s, "The search runs on the same %d seeds, each up to its first finding or %d sequences (a profile that\n",
		o.Seeds, o.ProfileSequences)
	s.WriteString("flushes its cache makes the search run marathons of 2,500 calls, so the budget is smaller than the\n")
	s.WriteString("simulator's).")
	if o.ProfileNaming {
		s.WriteString(" On the first seed the search goes on past its first finding, within the same budget,\n")
		s.WriteString("to name every difference it meets: the last column.")
	}
	s.WriteString(" A mutant marked equivalent cannot be told from its profile by any\n")
	s.WriteString("sequence the engines draw (the reason is in the last table); it must survive, and every other must\n")
	s.WriteString("be killed on every seed. \"Acts as its switch\" counts the seeds whose finding says that the target\n")
	s.WriteString("acts with the mutant's switch at OpenSSL 3.0's value, the finding's likeness ([report.md](report.md#likenesses));\n")
	s.WriteString("a finding the mutant's model refused a call for (REFUSED) has no result to compare and no likeness.\n\n")
	s.WriteString("| mutant | findings | rules of the switch | search | sequences to kill: median / worst | first findings named by | acts as its switch | every finding on the first seed |\n")
	s.WriteString("|---|---|---|---|---|---|---|---|\n")
	budget := SeedStats{budget: o.ProfileSequences}
	killed, expected := 0, 0
	for _, r := range t.Profiles {
		m := r.Mutant
		verdict := cell(Row{Kills: map[string]Kill{"search": r.Kill}}, "search")
		if m.Equivalent != "" {
			verdict += " (equivalent)"
		}
		if r.Kill.Killed {
			killed++
		}
		if r.Expected() {
			expected++
		}
		var seqs []int
		for _, sk := range r.Kill.Seeds {
			if sk.Killed {
				seqs = append(seqs, sk.Sequences)
			} else {
				seqs = append(seqs, o.ProfileSequences+1)
			}
		}
		counts := "-"
		if len(seqs) > 0 && r.Kill.Killed {
			counts = budget.count(medianInt(seqs)) + " / " + budget.count(slices.Max(seqs))
		}
		acts, killedSeeds := 0, 0
		for _, sk := range r.Kill.Seeds {
			if sk.Killed {
				killedSeeds++
				if slices.Contains(sk.Like, m.Switch) {
					acts++
				}
			}
		}
		actsCell := "-"
		if killedSeeds > 0 {
			actsCell = fmt.Sprintf("%d/%d", acts, killedSeeds)
		}
		fmt.Fprintf(s, "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", m.Name, strings.Join(m.Findings, ", "),
			ruleIDs(m.Rules), verdict, counts, namedBy(r.Kill.Seeds), actsCell, orDash(ruleIDs(r.Named)))
	}
	fmt.Fprintf(s, "\nkilled %d/%d profile mutants; %d/%d got the verdict expected of them\n", killed, len(t.Profiles),
		expected, len(t.Profiles))

	covers := CoverRules(t.Profiles)
	s.WriteString("\n### Rules of the profiles\n\n")
	s.WriteString("Every rule that only the wolfSSL or BoringSSL profile has, the profile mutants that bring it, whether one\n")
	s.WriteString("of them was killed on every seed, and whether a finding was named by the rule itself (the model names\n")
	s.WriteString("a finding by the rule of its first difference, which may be another rule the switch changes).\n\n")
	s.WriteString("| rule | profile | mutants | killed | named by a finding |\n|---|---|---|---|---|\n")
	generable, covered, named := 0, 0, 0
	for _, c := range covers {
		if c.Generable {
			generable++
		}
		if c.Killed {
			covered++
		}
		if c.Named {
			named++
		}
		fmt.Fprintf(s, "| %s | %s | %s | %s | %s |\n", c.Rule, c.Profile, strings.Join(quoted(c.Mutants), ", "),
			yesNo(c.Killed), yesNo(c.Named))
	}
	fmt.Fprintf(s, "\nOf the %d rules, %d can be generated; a killed mutant brings %d of them, and %d were named by a finding.\n",
		len(covers), generable, covered, named)
	s.WriteString("\n### Rules no profile mutant kills\n\n")
	listed := false
	for _, c := range covers {
		if c.Why != "" {
			fmt.Fprintf(s, "- %s (%s): %s.\n", c.Rule, c.Profile, strings.TrimSuffix(c.Why, "."))
			listed = true
		}
	}
	if !listed {
		s.WriteString("None.\n")
	}
}

// writeProfileReproducers writes each killed profile mutant's reproducer.
func (t *Table) writeProfileReproducers(s *strings.Builder) {
	s.WriteString("\n## Reproducers of the profile mutants\n\n")
	s.WriteString("The search's on the first seed that killed the mutant: got is what the mutant's model did, want what\n")
	s.WriteString("the profile says.\n")
	for _, r := range t.Profiles {
		if !r.Kill.Killed {
			continue
		}
		fmt.Fprintf(s, "\n### %s\n\n%d calls, named %s.\n\n```\n%s\n```\n", r.Mutant.Name, r.Kill.Calls, r.Kill.Rule, r.Kill.Repro)
	}
}

func ruleIDs(rs []model.Rule) string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.String()
	}
	return strings.Join(ids, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

package mutation

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target/modeltarget"
)

// The mutants of the impl/mutants package break the reference simulator,
// which follows openssl-3.0 alone, so no rule that only the wolfSSL,
// BoringSSL or OpenSSL 3.2 profile has (WOLF-*, BORING-*, OSSL32-*) could be shown to be checked by
// them. A profile mutant is the model itself as the target
// (target/modeltarget), with one of the profile's divergence switches
// (model.Divergence.Switch) turned back to OpenSSL 3.0's value: checked
// against the unchanged profile, it is an implementation of the library
// that forgot one of its differences from OpenSSL, and the engines must
// tell.

// ProfileMutant is one library profile with one divergence switch turned
// back to OpenSSL 3.0's value.
type ProfileMutant struct {
	// Name is "profile:Switch", e.g. "wolfssl-5.5:FlushIsStub".
	Name string
	// Profile is the unchanged profile, the one the engines check against.
	Profile model.Profile
	// Switch is the field of model.Profile that the mutant turns back.
	Switch string
	// Findings are the ids of docs/findings.md behind the switch.
	Findings []string
	// Rules are the profile's own rules the switch brings (the Adds of
	// every row of model's divergence table with that switch), in table
	// order.
	Rules []model.Rule
	// Equivalent says why no engine can tell the mutant from its profile
	// ("" when one can): its survival is then the expected verdict, and a
	// kill means the reason no longer holds.
	Equivalent string
}

// equivalent gives the reason of every profile mutant that no sequence the
// engines draw can tell from its profile. It is checked by the kill table:
// such a mutant must survive and every other must die.
var equivalent = map[string]string{
	"wolfssl-5.5:FlushIsStub": "wolfSSL's sessions live in the process-wide table of SharedCopyCache, and no SSL_CTX's own " +
		"list ever holds one, so OpenSSL's flush, walking that empty list, does nothing either",
	"wolfssl-5.5:AutoFlushMask": "an automatic flush comes every 256 handshakes, which only a marathon reaches, and the " +
		"search runs marathons only for a profile that flushes (wolfSSL's never does); the flush would walk an " +
		"SSL_CTX list that SharedCopyCache leaves empty anyway",
	"wolfssl-5.5:StatsAreStubs": "in the model, the counters count only in OpenSSL's handshake and cache code, which " +
		"wolfSSL's (SharedCopyCache) replaces, and sess_number counts an SSL_CTX's own list, which the process-wide " +
		"table leaves empty: every counter reads 0 under either value",
	"wolfssl-5.5:Lacks": "the switch names calls the library lacks (SSL_SESSION_set_time, SSL_has_matching_session_id, " +
		"SSL_set_num_tickets, SSL_copy_session_id); the checked profile refuses them, so no engine ever draws them",
	"wolfssl-5.5:Unmodelled": "the switch names calls the profile leaves out (the round trip, SSL_SESSION_dup, " +
		"SSL_SESSION_new: finding W19); the checked profile refuses them, so no engine ever draws them",
	"wolfssl-5.5:CacheModeSticky": "SSL_CTX_set_session_cache_mode after creation is a call the wolfSSL profile leaves out " +
		"(finding W18: it only ever sets flags), so no engine ever draws it",
	"boringssl:Lacks": "the switch names calls the library lacks (SSL_has_matching_session_id, SSL_set_num_tickets, " +
		"SSL_SESSION_dup, SSL_copy_session_id, SSL_SESSION_new without an SSL_CTX); the checked profile refuses them, " +
		"so no engine ever draws them",
	"boringssl:Unmodelled": "the switch names calls the profile leaves out (read_alert: finding B18); the " +
		"checked profile refuses them, so no engine ever draws them",
	"openssl-3.2:CloseNotifyStaysCurrent": "the switch only makes Check leave out an SSL_set_shutdown that clears " +
		"SSL_RECEIVED_SHUTDOWN on a TLS 1.3 SSL that has it (finding O3); the checked profile refuses those calls, so " +
		"no engine ever draws them",
	"boringssl:CountersAreStubs": "in the model, the hit, miss, timeout and cache-full counters count only in " +
		"OpenSSL's handshake and cache code, which BoringSSL's (ImmutableSessions) replaces, so they read 0 under " +
		"either value; sess_number is real under both",
}

// ProfileMutants returns one mutant per divergence switch of the wolfSSL,
// BoringSSL and OpenSSL 3.2 profiles, in the order of model's divergence
// table.
func ProfileMutants() []ProfileMutant {
	var out []ProfileMutant
	for _, p := range []model.Profile{model.WolfSSL55(), model.BoringSSL(), model.OpenSSL32()} {
		index := map[string]int{}
		for _, d := range p.Divergences() {
			i, ok := index[d.Switch]
			if !ok {
				i = len(out)
				index[d.Switch] = i
				name := p.Name + ":" + d.Switch
				out = append(out, ProfileMutant{Name: name, Profile: p, Switch: d.Switch, Equivalent: equivalent[name]})
			}
			m := &out[i]
			if !slices.Contains(m.Findings, d.Finding) {
				m.Findings = append(m.Findings, d.Finding)
			}
			for _, r := range d.Adds {
				if !slices.Contains(m.Rules, r) {
					m.Rules = append(m.Rules, r)
				}
			}
		}
	}
	return out
}

// Mutated returns the profile the mutant's target follows: Profile with
// the field Switch set to OpenSSL 3.0's value. The name stays the
// profile's, as a library that forgot a difference still claims it.
func (m ProfileMutant) Mutated() model.Profile {
	p := m.Profile
	f := reflect.ValueOf(&p).Elem().FieldByName(m.Switch)
	if !f.IsValid() {
		panic(fmt.Sprintf("mutation: profile mutant %s: model.Profile has no field %s", m.Name, m.Switch))
	}
	f.Set(reflect.ValueOf(model.OpenSSL30()).FieldByName(m.Switch))
	return p
}

// Generable lists the mutant's rules that random sequences of its profile
// can make fire (model.GenerableRules), in the order of Rules.
func (m ProfileMutant) Generable() []model.Rule {
	gen := model.GenerableRules(m.Profile)
	var out []model.Rule
	for _, r := range m.Rules {
		if slices.Contains(gen, r) {
			out = append(out, r)
		}
	}
	return out
}

// SelectProfileMutants returns the profile mutants named in a
// comma-separated list, all of them for "".
func SelectProfileMutants(list string) ([]ProfileMutant, error) {
	all := ProfileMutants()
	if list == "" {
		return all, nil
	}
	var out []ProfileMutant
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(all, func(m ProfileMutant) bool { return m.Name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("unknown profile mutant %q (known: profile:Switch, e.g. %s)", name, all[0].Name)
		}
		out = append(out, all[i])
	}
	return out, nil
}

// ProfileRow is what the search did to one profile mutant.
type ProfileRow struct {
	Mutant ProfileMutant
	// Kill is the search on Options.Seeds seeds, each up to its first
	// finding or Options.ProfileSequences sequences, as for the mutants
	// of the simulator.
	Kill Kill
	// Named are the rules the findings on the first seed were named by,
	// in the order found: with Options.ProfileNaming every finding within
	// the budget, not just the first, so the differences the mutant shows.
	Named []model.Rule
}

// Expected reports whether the row's verdict is the one the mutant should
// get: killed on every seed, or, for an equivalent mutant, survived.
func (r ProfileRow) Expected() bool {
	if r.Kill.Undecided != "" {
		return false
	}
	if r.Mutant.Equivalent != "" {
		return !r.Kill.Killed
	}
	return killedSeeds(r.Kill) == len(r.Kill.Seeds)
}

// profileAllFindings bounds the findings of the first seed's longer
// search: more than any switch has rules.
const profileAllFindings = 64

// RunProfiles runs the search engine against each profile mutant: the
// mutant's model as the target, the unchanged profile as the model, on
// o.Seeds seeds of up to o.ProfileSequences sequences. With
// o.ProfileNaming, the search on the first seed goes on past the first
// finding, to name every difference it meets. o.Parallel seeds run at once; rows are in the order of ms. It
// stops early, with the rows so far, when ctx is cancelled.
func RunProfiles(ctx context.Context, ms []ProfileMutant, o Options) ([]ProfileRow, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	type job struct{ row, seed int }
	rows := make([]ProfileRow, len(ms))
	seeds := make([][]seedRun, len(ms))
	var todo []job
	for i, m := range ms {
		rows[i].Mutant = m
		seeds[i] = make([]seedRun, o.Seeds)
		for s := range o.Seeds {
			todo = append(todo, job{i, s})
		}
	}
	// The first seeds first: they run longest.
	slices.SortStableFunc(todo, func(a, b job) int { return min(a.seed, 1) - min(b.seed, 1) })
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "sesslife: %d profile mutants, %d seeds each, up to %d sequences per seed\n", len(ms), o.Seeds, o.ProfileSequences)
	}
	jobs := make(chan job)
	left := make([]int, len(ms)) // seeds still to run, per row
	for i := range left {
		left[i] = o.Seeds
	}
	var (
		mu      sync.Mutex // guards seeds and left
		workers sync.WaitGroup
	)
	for range o.Parallel {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range jobs {
				run := searchProfile(ctx, ms[j.row], o, j.seed)
				mu.Lock()
				seeds[j.row][j.seed] = run
				// A line as soon as a mutant's last seed is done, so a
				// long phase is never silent (the order of these lines
				// follows the machine; the table's does not).
				if j.seed == 0 && o.Seeds > 1 && o.Progress != nil && ctx.Err() == nil {
					// The first seeds run first and longest: say how each
					// went rather than wait for the mutant's last seed.
					fmt.Fprintf(o.Progress, "sesslife: %-34s first seed: %s\n", ms[j.row].Name, seedVerdict(run))
				}
				if left[j.row]--; left[j.row] == 0 && o.Progress != nil && ctx.Err() == nil {
					kill, _ := gatherSeeds(seeds[j.row])
					profileProgress(o.Progress, ms[j.row].Name, kill)
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range todo {
		if ctx.Err() != nil {
			break
		}
		jobs <- j
	}
	close(jobs)
	workers.Wait()
	if err := ctx.Err(); err != nil {
		return rows, err
	}
	for i := range rows {
		rows[i].Kill, rows[i].Named = gatherSeeds(seeds[i])
	}
	return rows, nil
}

// seedVerdict says how one seed's search went, for a progress line.
func seedVerdict(r seedRun) string {
	switch {
	case r.undecided != "":
		return "undecided (" + r.undecided + ")"
	case r.sk.Killed:
		return fmt.Sprintf("killed after %s (%s)", sequences(r.sk.Sequences), r.sk.Rule)
	}
	return "survived " + sequences(r.sk.Sequences)
}

// sequences is n with its noun: "1 sequence", "7 sequences".
func sequences(n int) string {
	if n == 1 {
		return "1 sequence"
	}
	return fmt.Sprintf("%d sequences", n)
}

// profileProgress prints one line for a profile mutant whose seeds are all
// done: killed on how many of them, or survived.
func profileProgress(w io.Writer, name string, k Kill) {
	verdict := "survived"
	if k.Killed {
		verdict = fmt.Sprintf("killed on %d/%d seeds", killedSeeds(k), len(k.Seeds))
	}
	fmt.Fprintf(w, "sesslife: %-34s %s\n", name, verdict)
}

// seedRun is the search's outcome on one seed of one profile mutant.
type seedRun struct {
	sk        SeedKill
	repro     string
	undecided string
	named     []model.Rule
}

// searchProfile runs the search on seed number i of a profile mutant.
func searchProfile(ctx context.Context, m ProfileMutant, o Options, i int) seedRun {
	opts := properties.DefaultSearchOptions()
	opts.Profile, opts.Seed, opts.Sequences = m.Profile, o.Seed+uint64(i), o.ProfileSequences
	opts.MaxFindings, opts.ReduceBudget = 1, o.ReduceBudget
	if i == 0 && o.ProfileNaming {
		opts.MaxFindings = profileAllFindings
	}
	rep, err := properties.Search(ctx, modeltarget.Factory(m.Mutated(), "model "+m.Name), opts)
	switch {
	case err != nil:
		return seedRun{undecided: "harness error: " + err.Error()}
	case len(rep.Unconfirmed) > 0:
		return seedRun{undecided: "a divergence did not reproduce on a fresh target: " + rep.Unconfirmed[0].Brief()}
	case len(rep.Findings) == 0:
		return seedRun{sk: SeedKill{Seed: opts.Seed, Sequences: rep.Sequences}}
	}
	f := rep.Findings[0]
	run := seedRun{sk: SeedKill{Seed: opts.Seed, Killed: true, Sequences: f.Sequence + 1, Rule: f.Rule,
		Calls: len(f.Divergence.Trail), Minimal: f.Minimal}, repro: f.Divergence.Error()}
	for _, l := range f.Divergence.Likenesses() {
		run.sk.Like = append(run.sk.Like, l.Switch)
	}
	for _, f := range rep.Findings {
		run.named = append(run.named, f.Rule)
	}
	return run
}

// gatherSeeds makes one kill of a mutant's seeds, as runSearch does, and
// the rules the first seed named.
func gatherSeeds(runs []seedRun) (Kill, []model.Rule) {
	var k Kill
	for i, r := range runs {
		if r.undecided != "" {
			return Kill{Undecided: r.undecided}, nil
		}
		if r.sk.Killed && !k.Killed {
			k.Killed, k.Rule, k.Calls, k.Repro = true, r.sk.Rule, r.sk.Calls, r.repro
		}
		if i == 0 {
			k.Tries = r.sk.Sequences
		}
		k.Seeds = append(k.Seeds, r.sk)
	}
	if len(runs) == 0 {
		return k, nil
	}
	return k, runs[0].named
}

package scenario

// Step is one statement of a run as the simulator saw it, for renderers
// other than the text one (the HTML report of sesslife check shows each
// finding's reproducer this way): the call, what the model returned, and
// the whole state table after it, with what changed marked.
type Step struct {
	Pos  Pos
	Stmt string // the statement in normal form
	// Result is the model's result with variable names ("p=sess1",
	// "void", "1700000000 (T+0)"), and Events its events; both are empty
	// when the call did not run (Messages say why).
	Result string
	Events []string
	// Messages are what the simulator said at the statement beside the
	// result: undefined behaviour, a call not modelled, a note, a
	// difference from the target or its failure.
	Messages []string
	// State is every object ever made, in the order of the text table
	// (the clock, then each SSL_CTX, SSL and session by handle), as it
	// stands after the statement.
	State []StateRow
}

// StateRow is one object of the state table.
type StateRow struct {
	// Key is the object's handle name ("ctx1", "ssl2", "sess3") or
	// "clock"; Label adds the variables that name it ("p=sess3").
	Key, Label string
	// Text is how the object stands: the cache and its sessions, which
	// session an SSL holds, a session's reference counts.
	Text string
	// Dead: freed or destroyed (at this step or before).
	Dead bool
	// Change is "+" for an object the statement made, "-" for one it freed
	// or destroyed, "~" for one it changed, "" for one it left alone.
	Change string
}

// beginStep opens the record of s and returns the state before it.
func (r *runner) beginStep(s Stmt) snapshot {
	r.report.Steps = append(r.report.Steps, Step{Pos: s.Pos, Stmt: s.Text})
	return r.snapshot()
}

// step is the record of the statement running. Only stmt and what it
// calls use it, after beginStep.
func (r *runner) step() *Step { return &r.report.Steps[len(r.report.Steps)-1] }

// say records a message of the statement running; a message before the
// first statement (a target that fails to start) belongs to none.
func (r *runner) say(msg string) {
	if len(r.report.Steps) > 0 {
		r.step().Messages = append(r.step().Messages, msg)
	}
}

// endStep records the state after the statement and what it changed.
func (r *runner) endStep(before snapshot) {
	after := r.snapshot()
	marks := changeMarks(before, after)
	rows := make([]StateRow, len(after.rows))
	for i, rw := range after.rows {
		rows[i] = StateRow{Key: rw.key, Label: rw.label, Text: rw.text, Dead: rw.dead, Change: marks[i]}
	}
	r.step().State = rows
}

// changeMarks says how each row of after differs from before: "+" for a
// new object, "-" for one freed or destroyed, "~" for one that changed
// (its variables included), "" for one that did not.
func changeMarks(before, after snapshot) []string {
	old := make(map[string]string, len(before.rows))
	for _, rw := range before.rows {
		old[rw.key] = rw.label + "\x00" + rw.text
	}
	marks := make([]string, len(after.rows))
	for i, rw := range after.rows {
		was, existed := old[rw.key]
		switch {
		case !existed:
			marks[i] = "+"
		case was == rw.label+"\x00"+rw.text:
		case rw.dead:
			marks[i] = "-"
		default:
			marks[i] = "~"
		}
	}
	return marks
}

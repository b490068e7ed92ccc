package properties

import (
	"strings"

	"github.com/sesslife/sesslife/model"
)

// Classify names the rule of docs/spec.md a divergence most likely breaks,
// from the call that diverged and what differed about it, so that reports
// can group findings. It is a best guess to sort findings by; the
// reproducer is the evidence. Infrastructure failures are "INFRA", failures
// while discarding a universe "TEARDOWN", unsupported calls "UNSUPPORTED".
func Classify(d *Divergence) string {
	switch {
	case d.Teardown:
		return "TEARDOWN" // the target failed while freeing what the sequence left: a leak or a double free
	case d.Err != nil:
		return "INFRA"
	case d.Unsupported:
		return "UNSUPPORTED"
	case len(d.Trail) == 0:
		return "INFRA"
	}
	last := d.Trail[len(d.Trail)-1]
	if d.ResultDiffers {
		if k, ok := firstEventDifference(last.Want.Events, last.Got.Events); ok {
			return eventRule(last.Op.Kind, k)
		}
		if r, ok := retRules[last.Op.Kind]; ok {
			return r
		}
		return "NAME-ORDER" // same events and value, other handles
	}
	first, _, _ := strings.Cut(d.ObservationDiff, "\n")
	if last.Op.Kind == model.SSLNew && strings.Contains(first, ": session =") {
		return "SEED-GET-NULL" // a new SSL holds no session
	}
	for _, o := range observationRules {
		if strings.Contains(first, o.field) {
			return o.rule
		}
	}
	return "OBSERVATION"
}

// firstEventDifference returns the kind of the first event where the two
// lists part.
func firstEventDifference(want, got []model.Event) (model.EventKind, bool) {
	for i := 0; i < len(want) || i < len(got); i++ {
		switch {
		case i >= len(want):
			return got[i].Kind, true
		case i >= len(got):
			return want[i].Kind, true
		case want[i].Kind != got[i].Kind:
			return want[i].Kind, true
		}
	}
	return 0, false
}

func eventRule(k model.Kind, ev model.EventKind) string {
	switch ev {
	case model.EvDestroyed:
		return "REF-DESTROY-AT-ZERO"
	case model.EvNewSession:
		if k == model.ReadTicket {
			return "TKT-13-NEWCB-PER-TICKET"
		}
		return "SEED-NEWCB-ESTABLISHED"
	}
	if r, ok := removeRules[k]; ok {
		return r
	}
	return "CB-REMOVE-WHEN"
}

// removeRules: the rule behind a remove_cb of each call.
var removeRules = map[model.Kind]string{
	model.SSLFree:       "FREE-BAD-REMOVES",
	model.SSLClear:      "CLEAR-BAD-DROPS",
	model.FatalAlert:    "ALERT-REMOVES",
	model.RemoveSession: "REMOVE-UNCACHED",
	model.Flush:         "FLUSH-STRICT",
	model.AddSession:    "EVICT-EVENTS",
	model.SetSession:    "SET-BAD-OLD",
	model.Handshake:     "HS13-CLIENT-SINGLE-USE",
	model.CtxFree:       "FLUSH-CTX-FREE",
}

// retRules: the rule behind the return value of each call.
var retRules = map[model.Kind]string{
	model.Get0:          "SEED-GET0-NOREF",
	model.Get1:          "SEED-GET1-REF",
	model.UpRef:         "REF-UPREF",
	model.IsResumable:   "SEED-TLS13-NOT-RESUMABLE",
	model.SessionReused: "HS12-RESUME-ID",
	model.AddSession:    "CACHE-ADD-NEW",
	model.RemoveSession: "REMOVE-CACHED",
	model.Shutdown:      "SHUT-FIRST-SENDS",
	model.ReadTicket:    "TKT-13-PENDING",
	model.SetTime:       "TIME-SETTERS",
	model.SetTimeout:    "TIME-SETTERS",
	model.GetTime:       "TIME-NEW",
	model.GetTimeout:    "TIME-CTX-SET",
	model.CtxSetTimeout: "TIME-CTX-SET",
	model.SetCacheSize:  "CACHE-SIZE-SET",
	model.SessNumber:    "CNT-NUMBER",
	model.SessHits:      "CNT-HITS",
	model.SessMisses:    "CNT-MISSES",
	model.SessTimeouts:  "CNT-TIMEOUTS",
	model.SessCacheFull: "CNT-CACHE-FULL",
	model.Handshake:     "HS12-RESUME-ID",
	model.SetSession:    "SET-TAKES-REF",
	model.SSLClear:      "CLEAR-GOOD-KEEPS",
}

// observationRules map the first differing observation field to a rule.
var observationRules = []struct{ field, rule string }{
	{"sess_number", "CNT-NUMBER"},
	{"sess_hits", "CNT-HITS"},
	{"sess_misses", "CNT-MISSES"},
	{"sess_timeouts", "CNT-TIMEOUTS"},
	{"sess_cache_full", "CNT-CACHE-FULL"},
	{"SSL_session_reused", "HS12-RESUME-ID"},
	{"SSL_SESSION_is_resumable", "SEED-UNCLEAN-REMOVE"},
	{"id length", "HS12-STATELESS-EMPTY-ID"},
	{"SSL_SESSION_get_timeout", "TIME-CTX-SET"},
	{"SSL_SESSION_get_time", "TIME-NEW"},
	{"want destroyed", "REF-DESTROY-AT-ZERO"},
	{"want alive", "REF-DESTROY-AT-ZERO"},
	{": session =", "SEED-TLS13-LAST-WINS"},
	{"unexpected live", "FREE-CTX-LAST-SSL"},
	{"missing", "FREE-CTX-LAST-SSL"},
}

package model

// reachedOnlyThrough names, for the rules that only a call of their own can
// make the model apply, that call: a profile that leaves it out (Lacks,
// Unmodelled, Unchecked) cannot reach the rule by generation, so
// GenerableRules leaves the rule out for that profile rather than have
// `sesslife check --min-fires` ask for it.
var reachedOnlyThrough = map[Rule]Kind{
	RuleShutQuiet:               SetQuietShutdown,
	RuleShutSetFlags:            SetShutdown,
	RuleShutGetFlags:            GetShutdown,
	RuleAlertReceivedRemoves:    ReadAlert,
	RuleCfgMaxEarlyData:         CtxSetMaxEarlyData,
	RuleHS13AntiReplayStateful:  CtxSetMaxEarlyData,
	RuleHS13AntiReplaySingleUse: CtxSetMaxEarlyData,
	RuleUBSnicbFreed:            CtxSetServernameCtx,
}

// familyReachedOnlyThrough is reachedOnlyThrough for whole families of
// docs/spec.md.
var familyReachedOnlyThrough = map[string]Kind{
	"Session id contexts":                CtxSetSidCtx,
	"Handshakes in steps":                ClientHello,
	"Changing context (SSL_set_SSL_CTX)": SetSSLCtx,
	"The servername callback (SSL_CTX_set_tlsext_servername_callback)": CtxSetServernameCtx,
}

// reaches reports whether generation under p can reach rule r at all, as
// far as the calls and configurations p leaves out decide it.
func (p Profile) reaches(r Rule) bool {
	info := ruleTable[r]
	if k, ok := reachedOnlyThrough[r]; ok && p.LeavesOut(k) {
		return false
	}
	if k, ok := familyReachedOnlyThrough[info.Family]; ok && p.LeavesOut(k) {
		return false
	}
	// The external cache is a configuration of SSL_CTX_new, not a call.
	if info.Family == "External session cache (get_session_cb)" && !p.ExternalCache() {
		return false
	}
	return true
}

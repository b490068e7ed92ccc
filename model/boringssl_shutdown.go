package model

// The shutdown variants under the boringssl profile (switch
// ShutdownStatesOnlyAdd, B21 of docs/findings.md). BoringSSL keeps two
// states, ssl->s3->write_shutdown and read_shutdown (none, close_notify,
// error), where OpenSSL keeps two flags. On an SSL that has not failed
// neither is error, and SSL_get_shutdown's bits are the model's flags:
// sslObj.sent is write_shutdown == close_notify, sslObj.recv is
// read_shutdown == close_notify.

// boringSetShutdown is SSL_set_shutdown (BORING-SHUT-SET-STATES): a bit
// moves its state from none to close_notify; nothing moves one back.
func (st *stepper) boringSetShutdown(op Op) int64 {
	st.because(RuleBoringShutSetStates)
	l := st.ssl(op.SSL)
	l.sent = l.sent || op.Arg&SentShutdown != 0
	l.recv = l.recv || op.Arg&ReceivedShutdown != 0
	return 0
}

// boringShutdownCheck is what the model leaves out of the shutdown
// variants under the boringssl profile.
func (s *State) boringShutdownCheck(op Op) error {
	switch op.Kind {
	case Handshake, ClientHello:
		// ssl_send_alert_impl and the record layer refuse every write once
		// write_shutdown is set, and every read once read_shutdown is.
		if a, b := s.ssl(op.SSL), s.ssl(op.Peer); a.sent || a.recv || b.sent || b.recv {
			return unmodelled(op, "a BoringSSL handshake fails on an SSL whose shutdown state SSL_set_shutdown set")
		}
	case SetShutdown, GetShutdown:
		if s.ssl(op.SSL).phase == phaseFailed {
			return unmodelled(op, "after a fatal error BoringSSL's shutdown states are error, which the model's flags do not hold")
		}
	case Shutdown:
		if l := s.ssl(op.SSL); l.phase == phaseFailed && l.quiet {
			return unmodelled(op, "a quiet SSL_shutdown after a fatal error: BoringSSL's SSL is out of init, returns 1 and overwrites both error states")
		}
	}
	return nil
}

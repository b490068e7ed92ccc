package shimfuzz

import "testing"

// The shim-protocol fuzz targets: what a shim writes is outside input to
// the harness, so no line may make it panic, hang or accept nonsense.

// FuzzShimReply: whatever a shim answers to a call or an observe request,
// the subprocess target returns a typed error or a well-formed result that
// matches the reply.
func FuzzShimReply(f *testing.F) {
	f.Fuzz(func(t *testing.T, reply []byte, sel uint8) {
		if err := CheckShimReply(reply, sel); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzShimHello: whatever a shim's first line is, subprocess.New returns a
// typed error or a target whose Info matches the hello.
func FuzzShimHello(f *testing.F) {
	f.Fuzz(func(t *testing.T, hello []byte) {
		if err := CheckShimHello(hello); err != nil {
			t.Fatal(err)
		}
	})
}

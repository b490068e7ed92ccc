package fuzz

// Bytes is a [properties.Source] that reads its choices from a byte slice:
// each choice among n options consumes just enough bytes to cover n (one
// byte for menus of up to 256 entries) and takes the value modulo n. Once
// the input is used up every choice is 0, the plainest one, so decoding
// always terminates and shorter inputs mean simpler calls.
type Bytes struct {
	data []byte
	pos  int
}

// NewBytes returns a source reading data from the start. It does not copy
// data; the caller must not change it while decoding.
func NewBytes(data []byte) *Bytes { return &Bytes{data: data} }

// Intn returns a choice in [0, n); for n <= 1 it consumes nothing.
func (b *Bytes) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	var v uint64
	for span := uint64(1); span < uint64(n) && b.pos < len(b.data); span <<= 8 {
		v = v<<8 | uint64(b.data[b.pos])
		b.pos++
	}
	return int(v % uint64(n))
}

// Exhausted reports whether every byte has been consumed.
func (b *Bytes) Exhausted() bool { return b.pos >= len(b.data) }

// Consumed returns how many bytes have been read.
func (b *Bytes) Consumed() int { return b.pos }

package fuzz

import "testing"

func TestBytesIntn(t *testing.T) {
	b := NewBytes([]byte{7, 255, 1, 2, 9})
	if got := b.Intn(1); got != 0 || b.Consumed() != 0 {
		t.Fatalf("Intn(1) = %d after consuming %d bytes, want 0 consuming none", got, b.Consumed())
	}
	if got := b.Intn(5); got != 2 || b.Consumed() != 1 {
		t.Fatalf("Intn(5) on 7 = %d (consumed %d), want 2 (1 byte)", got, b.Consumed())
	}
	if got := b.Intn(256); got != 255 {
		t.Fatalf("Intn(256) on 255 = %d", got)
	}
	// 257 options need two bytes: 0x0102 = 258, 258 mod 257 = 1.
	if got := b.Intn(257); got != 1 || b.Consumed() != 4 {
		t.Fatalf("Intn(257) on 01 02 = %d (consumed %d), want 1 (2 more bytes)", got, b.Consumed())
	}
	if b.Exhausted() {
		t.Fatal("exhausted with one byte left")
	}
	b.Intn(3)
	if !b.Exhausted() {
		t.Fatal("not exhausted after the last byte")
	}
	for _, n := range []int{2, 100, 1 << 20} {
		if got := b.Intn(n); got != 0 {
			t.Fatalf("Intn(%d) past the end = %d, want 0", n, got)
		}
	}
}

package model

import (
	"bytes"
	"reflect"
	"testing"
	"unsafe"
)

// TestKeyKnowsEveryField fails when a struct of the universe gains or
// loses a field: AppendKey and SetKey (key.go) write and read every field
// by name, and Equal compares them all, so a field the key does not know
// would make states that differ in it look the same to a checker.
func TestKeyKnowsEveryField(t *testing.T) {
	for _, c := range []struct {
		v    any
		want int
	}{
		{State{}, 13}, // prof, fired, differs and skew are not in the key: see AppendKey and State.skew
		{ctxObj{}, 26},
		{CtxConfig{}, 10},
		{storeEntry{}, 4},
		{serialBytes{}, 5},
		{ticketKey{}, 2},
		{sslObj{}, 33},
		{sessObj{}, 25},
		{ticket{}, 11},
	} {
		if n := reflect.TypeOf(c.v).NumField(); n != c.want {
			t.Errorf("%T has %d fields, key.go knows %d: update AppendKey, SetKey and this test", c.v, n, c.want)
		}
	}
}

// TestKeyFieldsMatter: changing any one field of any object changes the
// key, and SetKey brings the change back.
func TestKeyFieldsMatter(t *testing.T) {
	s := New(OpenSSL30())
	s.ctxs = []ctxObj{{list: []sessRef{1}, store: []storeEntry{{}}}}
	s.ssls = []sslObj{{pending: []int32{1}, buffered: []int32{1}}}
	s.objs = []sessObj{{}}
	s.named = []int32{1}
	s.tickets = []ticket{{}}
	s.rows = []sessRef{1}
	base := s.AppendKey(nil)
	var poke func(name string, v reflect.Value)
	poke = func(name string, v reflect.Value) {
		t.Helper()
		for i := range v.NumField() {
			// The fields are unexported: reach them through their address.
			f := v.Field(i)
			f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
			old := reflect.New(f.Type()).Elem()
			old.Set(f)
			switch f.Kind() {
			case reflect.Bool:
				f.SetBool(!f.Bool())
			case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
				f.SetInt(f.Int() + 1)
			case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				f.SetUint(f.Uint() + 1)
			case reflect.Slice:
				elem := reflect.New(f.Type().Elem()).Elem() // a struct element: its zero value
				if elem.Kind() != reflect.Struct {
					elem = reflect.ValueOf(int32(7)).Convert(f.Type().Elem())
				}
				f.Set(reflect.Append(f, elem))
			case reflect.Struct:
				poke(name+"."+v.Type().Field(i).Name, f)
				continue
			case reflect.Array:
				for j := range f.Len() {
					poke(name+"."+v.Type().Field(i).Name, f.Index(j))
				}
				continue
			default:
				t.Fatalf("%s.%s: a %s the test does not know", name, v.Type().Field(i).Name, f.Kind())
			}
			key := s.AppendKey(nil)
			if bytes.Equal(key, base) {
				t.Errorf("changing %s.%s leaves the key as it was", name, v.Type().Field(i).Name)
			}
			back := New(OpenSSL30())
			if err := back.SetKey(key); err != nil || !back.Equal(s) {
				t.Errorf("changing %s.%s: SetKey does not bring the state back (%v)", name, v.Type().Field(i).Name, err)
			}
			f.Set(old)
		}
	}
	poke("ctx", reflect.ValueOf(&s.ctxs[0]).Elem())
	poke("store", reflect.ValueOf(&s.ctxs[0].store[0]).Elem())
	poke("ssl", reflect.ValueOf(&s.ssls[0]).Elem())
	poke("sess", reflect.ValueOf(&s.objs[0]).Elem())
	poke("ticket", reflect.ValueOf(&s.tickets[0]).Elem())
	for _, f := range []*int64{&s.now, &s.nextID, &s.inserts} {
		*f++
		if bytes.Equal(s.AppendKey(nil), base) {
			t.Error("a counter of the universe is not in the key")
		}
		*f--
	}
}

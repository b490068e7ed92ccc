package main

import (
	"encoding"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// TestReportDocumented keeps docs/report.md honest: every key the JSON
// report can hold is documented there (as `key`), and so are its schema
// string and check's exit statuses.
func TestReportDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/report.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	keys := map[string]bool{}
	reportKeys(t, reflect.TypeFor[checkReport](), keys, map[reflect.Type]bool{})
	if len(keys) < 60 {
		t.Fatalf("found only %d keys: the walk misses some (%v)", len(keys), sortedKeys(keys))
	}
	for _, k := range sortedKeys(keys) {
		if !strings.Contains(text, "`"+k+"`") {
			t.Errorf("docs/report.md does not document the key %q of the JSON report", k)
		}
	}
	if !strings.Contains(text, "`"+reportSchema+"`") {
		t.Errorf("docs/report.md does not name the schema %s", reportSchema)
	}
	for _, code := range []int{exitOK, exitDivergence, exitUsage, exitInterrupted} {
		if !strings.Contains(text, "| `"+strconv.Itoa(code)+"` |") {
			t.Errorf("docs/report.md does not explain exit status %d", code)
		}
	}
}

// jsonSamples are values of the report's types that write their own JSON
// (json.Marshaler): their keys are read from what they write, with every
// optional field set.
var jsonSamples = map[reflect.Type]any{
	reflect.TypeFor[model.Op](): model.Op{Kind: model.CtxNew, Ctx: 1, SSL: 2, Peer: 3, Sess: 4, Arg: 5,
		Config: model.DefaultConfig(model.Server)},
}

// reportKeys adds to keys every JSON key a value of type t can hold.
func reportKeys(t *testing.T, typ reflect.Type, keys map[string]bool, seen map[reflect.Type]bool) {
	t.Helper()
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array {
		typ = typ.Elem()
	}
	if seen[typ] {
		return
	}
	seen[typ] = true
	if typ.Implements(reflect.TypeFor[json.Marshaler]()) {
		sample, ok := jsonSamples[typ]
		if !ok {
			t.Fatalf("%s writes its own JSON: add a sample of it to jsonSamples", typ)
		}
		data, err := json.Marshal(sample)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		valueKeys(v, keys)
		return
	}
	if typ.Implements(reflect.TypeFor[encoding.TextMarshaler]()) {
		return // a string
	}
	switch typ.Kind() {
	case reflect.Map:
		reportKeys(t, typ.Elem(), keys, seen) // its keys are data
	case reflect.Struct:
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			keys[name] = true
			reportKeys(t, f.Type, keys, seen)
		}
	}
}

// valueKeys adds the object keys of a decoded JSON value.
func valueKeys(v any, keys map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			keys[k] = true
			valueKeys(x, keys)
		}
	case []any:
		for _, x := range v {
			valueKeys(x, keys)
		}
	}
}

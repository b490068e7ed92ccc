package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
)

// readCheckReport reads the JSON report of a check run (docs/report.md)
// for coverage and merge; its error names the place in the file that is
// wrong.
func readCheckReport(path string) (checkReport, error) {
	var rep checkReport
	data, err := os.ReadFile(path)
	if err != nil {
		return rep, err
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return rep, fmt.Errorf("%s: not a report of sesslife check (%s)", jsonPlace(path, data, err), jsonWhy(err))
	}
	if rep.Schema != reportSchema {
		if rep.Schema == "" {
			return rep, fmt.Errorf("%s: not a report of sesslife check (it has no \"schema\")", path)
		}
		return rep, fmt.Errorf("%s: report schema %q, want %q", path, rep.Schema, reportSchema)
	}
	return rep, nil
}

// jsonPlace names where in src err happened, as path:line:column, when
// err says (a syntax error or a value of the wrong type); else path.
func jsonPlace(path string, src []byte, err error) string {
	var off int64
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = valueStart(src, typ.Offset)
	default:
		return path
	}
	before := src[:min(int(off), len(src))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("%s:%d:%d", path, line, col)
}

// jsonWhy says what is wrong in a report's JSON, in a report's terms.
func jsonWhy(err error) string {
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &typ) {
		return err.Error()
	}
	want := "a " + typ.Type.Kind().String()
	switch typ.Type.Kind() {
	case reflect.Struct, reflect.Map:
		want = "an object"
	case reflect.Slice, reflect.Array:
		want = "a list"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		want = "an integer"
	}
	got := "a " + typ.Value
	if typ.Value == "object" || typ.Value == "array" {
		got = "an " + typ.Value
	}
	return fmt.Sprintf("%q is %s where a report has %s", typ.Field, got, want)
}

// valueStart is where the JSON value that ends at off begins: a type
// error's offset is the end of the value it could not take.
func valueStart(src []byte, off int64) int64 {
	i := min(int(off), len(src))
	if i > 0 && src[i-1] == '"' {
		for i--; i > 0; i-- {
			if src[i-1] == '"' && (i < 2 || src[i-2] != '\\') {
				return int64(i - 1)
			}
		}
		return 0
	}
	for i > 0 && bytes.IndexByte([]byte("0123456789+-.eEtruefalsn"), src[i-1]) >= 0 {
		i--
	}
	return int64(i)
}

package httpapi

import (
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// checkText refuses a decoded body that holds a string with a control
// character (tab, line feed and carriage return aside), wherever it is: a
// field, a list item, a map key or value, deep in free-form meta. Every body
// passes here, so no handler can forget it and no NUL reaches a database
// (PostgreSQL refuses it with an error, SQLite keeps it). Which fields must
// be single lines, and how long each may be, the domain checks.
func checkText(v any) error {
	return walkText(reflect.ValueOf(v), "")
}

// checkQuery refuses a query string whose values hold control characters or
// invalid UTF-8 (a search for %00 would otherwise reach PostgreSQL, which
// answers a NUL with an error). Every list calls it through pageParams.
func checkQuery(r *http.Request) error {
	q := r.URL.Query()
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[k] {
			if err := textfield.Clean(k, k+v, false); err != nil {
				return badParam(k, "must be text without control characters")
			}
		}
	}
	return nil
}

func walkText(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkText(v.Elem(), path)
	case reflect.String:
		return textfield.Clean(path, v.String(), true)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				name = "" // embedded: its fields are the parent's
			}
			if err := walkText(v.Field(i), join(path, name)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // bytes (base64 in JSON, raw JSON): not text
		}
		for i := range v.Len() {
			if err := walkText(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			key := fmt.Sprint(k.Interface())
			if k.Kind() == reflect.String { // checked before it names a field
				if err := textfield.Clean(path, k.String(), false); err != nil {
					return err
				}
			}
			if err := walkText(iter.Value(), join(path, key)); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, name string) string {
	switch {
	case name == "":
		return path
	case path == "":
		return name
	}
	return path + "." + name
}

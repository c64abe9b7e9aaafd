// Package testfiles builds hostile and unusual files for tests.
package testfiles

import (
	"archive/zip"
	"bytes"
	"testing"
)

// Zip builds a zip archive (deflated entries) with the given entries.
func Zip(tb testing.TB, entries map[string][]byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, data := range entries {
		f, err := w.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

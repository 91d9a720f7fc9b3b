package main

import (
	"bytes"
	"os"
	"testing"
)

// The redactor masks what it was given, from then on, in every write, and
// leaves values too short to be credentials.
func TestRedactor(t *testing.T) {
	var x redactor
	var b bytes.Buffer
	w := x.Writer(&b)
	w.Write([]byte("secret S3cr3tValue0 before\n"))
	x.Add("S3cr3tValue0", "short", "")
	x.Add("TokenValue99")
	n, err := w.Write([]byte("secret S3cr3tValue0, token TokenValue99, short\n"))
	if want := "secret S3cr3tValue0 before\nsecret [redacted], token [redacted], short\n"; b.String() != want || err != nil || n != len("secret S3cr3tValue0, token TokenValue99, short\n") {
		t.Errorf("wrote %q (%d, %v), want %q", b.String(), n, err, want)
	}
	// A secret that starts another: the longer is masked whole.
	var y redactor
	y.Add("SECRETkey1", "SECRETkey1TOKENpart", "SECRETkey1")
	if got := y.Redact("SECRETkey1TOKENpart SECRETkey1"); got != "[redacted] [redacted]" || len(y.secrets) != 2 {
		t.Errorf("overlapping secrets: %q (%d kept)", got, len(y.secrets))
	}
	var none *redactor
	if none.Redact("S3cr3tValue0") != "S3cr3tValue0" {
		t.Error("a nil redactor masks")
	}
}

// The progress bar looks through the redactor for the terminal beneath.
func TestFileOfRedactedStream(t *testing.T) {
	var x redactor
	if fileOf(x.Writer(os.Stderr)) != os.Stderr || fileOf(os.Stdout) != os.Stdout || fileOf(x.Writer(&bytes.Buffer{})) != nil {
		t.Error("fileOf does not find the file beneath the redactor")
	}
}

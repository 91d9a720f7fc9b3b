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
	// Secrets that overlap where they occur: one's tail starts the other,
	// or one lies inside the other. No byte of either shows.
	var z redactor
	z.Add("AAAAbbbb1234", "1234ccccDDDD", "bbbb1234")
	for in, want := range map[string]string{
		"k=AAAAbbbb1234ccccDDDD;":   "k=[redacted];",
		"1234ccccDDDD AAAAbbbb1234": "[redacted] [redacted]",
		"xbbbb1234x AAAAbbbb1234cc": "x[redacted]x [redacted]cc",
		"no secret here, 1234cccc":  "no secret here, 1234cccc",
	} {
		if got := z.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	var none *redactor
	if none.Redact("S3cr3tValue0") != "S3cr3tValue0" {
		t.Error("a nil redactor masks")
	}
}

// The progress bar looks through the redactor for the terminal beneath.
func TestFileOfRedactedStream(t *testing.T) {
	var x redactor
	if fileOf(x.Writer(os.Stderr)) != os.Stderr || fileOf(os.Stdout) != os.Stdout || fileOf(x.Writer(&stickyWriter{w: os.Stdout})) != os.Stdout || fileOf(x.Writer(&bytes.Buffer{})) != nil {
		t.Error("fileOf does not find the file beneath the redactor")
	}
}

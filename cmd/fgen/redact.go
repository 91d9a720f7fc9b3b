package main

import (
	"io"
	"slices"
	"strings"
	"sync"
)

// redactor masks the secrets a run holds (an AccessKey secret, an STS
// token) in everything it writes: a service's error message may carry what
// fgen sent it (a proxy that echoes a request's headers), and fgen prints
// such messages as they are. Add them once read; writes through a Writer
// that would show one show "[redacted]" instead.
type redactor struct {
	mu      sync.Mutex
	secrets []string
	r       *strings.Replacer // nil without secrets
}

// minSecret is the shortest value masked: a shorter one would mask
// ordinary words (no AccessKey secret or STS token is this short).
const minSecret = 8

// Add masks the values from now on.
func (x *redactor) Add(values ...string) {
	if x == nil { // a globalOptions of a test
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	var pairs []string
	for _, v := range values {
		if len(v) >= minSecret && !slices.Contains(x.secrets, v) {
			x.secrets = append(x.secrets, v)
		}
	}
	// The longest first: a Replacer takes the first pair that matches, and
	// a secret that starts another would leave the other's tail.
	slices.SortStableFunc(x.secrets, func(a, b string) int { return len(b) - len(a) })
	for _, v := range x.secrets {
		pairs = append(pairs, v, "[redacted]")
	}
	if len(pairs) > 0 {
		x.r = strings.NewReplacer(pairs...)
	}
}

// Redact returns s with the secrets masked.
func (x *redactor) Redact(s string) string {
	if x == nil {
		return s
	}
	x.mu.Lock()
	r := x.r
	x.mu.Unlock()
	if r == nil {
		return s
	}
	return r.Replace(s)
}

// Writer returns w with the secrets masked in each write. A write is
// masked whole: fgen writes a message, a line or a JSON document at once.
func (x *redactor) Writer(w io.Writer) io.Writer { return redactedWriter{x, w} }

type redactedWriter struct {
	x *redactor
	w io.Writer
}

func (rw redactedWriter) Write(p []byte) (int, error) {
	s := rw.x.Redact(string(p))
	if len(s) == len(p) && s == string(p) {
		return rw.w.Write(p)
	}
	if _, err := io.WriteString(rw.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}

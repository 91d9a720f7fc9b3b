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
	for _, v := range values {
		if len(v) >= minSecret && !slices.Contains(x.secrets, v) {
			x.secrets = append(x.secrets, v)
		}
	}
}

// Redact returns s with the secrets masked: every byte of every occurrence
// of each, so that secrets that overlap in s (one's tail the start of
// another, one inside another) leave no part of either; a run of masked
// bytes becomes one "[redacted]".
func (x *redactor) Redact(s string) string {
	if x == nil {
		return s
	}
	x.mu.Lock()
	secrets := x.secrets
	x.mu.Unlock()
	var masked []bool // by byte of s; nil until a secret occurs
	for _, v := range secrets {
		for from := 0; ; {
			i := strings.Index(s[from:], v)
			if i < 0 {
				break
			}
			if masked == nil {
				masked = make([]bool, len(s))
			}
			for j := from + i; j < from+i+len(v); j++ {
				masked[j] = true
			}
			from += i + 1
		}
	}
	if masked == nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case !masked[i]:
			b.WriteByte(s[i])
		case i == 0 || !masked[i-1]:
			b.WriteString("[redacted]")
		}
	}
	return b.String()
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

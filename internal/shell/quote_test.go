package shell

import "testing"

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"events.jsonl":      "events.jsonl",
		"/data/d-1.jsonl":   "/data/d-1.jsonl",
		"-x.jsonl":          "./-x.jsonl",
		"it's here.jsonl":   `'it'\''s here.jsonl'`,
		"$(rm -rf ~).jsonl": "'$(rm -rf ~).jsonl'",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

package shell

import (
	"os/exec"
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"events.jsonl":        "events.jsonl",
		"/data/d-1.jsonl":     "/data/d-1.jsonl",
		"-x.jsonl":            "./-x.jsonl",
		"my dir/funnel.toml":  `"my dir/funnel.toml"`,
		"it's here.jsonl":     `"it's here.jsonl"`,
		"$(rm -rf ~).jsonl":   "'$(rm -rf ~).jsonl'",
		`say "hi" it's.jsonl`: `'say "hi" it'\''s.jsonl'`,
		"wow!.jsonl":          "'wow!.jsonl'",
		"":                    `""`,
	} {
		got := Quote(in)
		if got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
		// The shell reads it back as the one word path: in, or ./in.
		sh, err := exec.LookPath("sh")
		if err != nil {
			continue
		}
		path := in
		if strings.HasPrefix(in, "-") {
			path = "./" + in
		}
		out, err := exec.Command(sh, "-c", `printf '%s' `+got).Output()
		if err != nil || string(out) != path {
			t.Errorf("sh read %s as %q (%v), want %q", got, out, err, path)
		}
	}
}

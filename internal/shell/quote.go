// Package shell writes paths into the shell commands fgen's messages
// suggest.
package shell

import "strings"

// Quote writes path for a POSIX shell command's operand: as it is when it
// holds only letters, digits and -_./+:,@=; else in double quotes, which
// read clearly inside the single quotes fgen's messages put around a
// command ('fgen -c "my dir/funnel.toml" plan'); in single quotes when it
// holds a character double quotes do not keep as written ($ ` " \ !). A
// path that starts with - gets ./ before it, as a command would take it
// for an option.
func Quote(path string) string {
	if strings.HasPrefix(path, "-") {
		path = "./" + path
	}
	switch {
	case path != "" && strings.Trim(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+:,@=") == "":
		return path
	case !strings.ContainsAny(path, "$`\"\\!"):
		return `"` + path + `"`
	}
	return "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
}

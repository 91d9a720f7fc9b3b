// Package shell writes paths into the shell commands fgen's messages
// suggest.
package shell

import "strings"

// Quote writes path for a POSIX shell command's operand: quoted when it
// holds anything but letters, digits and -_./+:,@=, and after ./ when it
// starts with -, which a command would take for an option.
func Quote(path string) string {
	if strings.HasPrefix(path, "-") {
		path = "./" + path
	}
	if path != "" && strings.Trim(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+:,@=") == "" {
		return path
	}
	return "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
}

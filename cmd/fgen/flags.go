package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// choice is a flag value that takes one of a fixed list of words: an
// unknown word is a usage error when the flags are parsed, and shell
// completion offers the list.
type choice struct {
	value   *string
	allowed []string
}

func (c *choice) String() string { return *c.value }
func (c *choice) Type() string   { return "string" }

func (c *choice) Set(v string) error {
	if !slices.Contains(c.allowed, v) {
		return fmt.Errorf("%q is not one of %s", v, strings.Join(c.allowed, ", "))
	}
	*c.value = v
	return nil
}

// choiceFlag adds a flag to cmd that takes one of allowed, the first being
// the default.
func choiceFlag(cmd *cobra.Command, p *string, name, usage string, allowed ...string) {
	*p = allowed[0]
	cmd.Flags().Var(&choice{value: p, allowed: allowed}, name, fmt.Sprintf("%s: %s", usage, strings.Join(allowed, ", ")))
	cmd.Flags().Lookup(name).DefValue = allowed[0]
	cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return allowed, cobra.ShellCompDirectiveNoFileComp
	})
}

// names is a flag value of names, given in several flags or separated by
// commas in one, none empty: pflag's string slice drops an empty one
// ('--funnel a --funnel ""'), which a script's unset variable gives.
type names struct{ values *[]string }

func (n *names) String() string { return strings.Join(*n.values, ",") }
func (n *names) Type() string   { return "strings" }

// GetSlice returns the names, each as given, as pflag's slice values do.
func (n *names) GetSlice() []string { return *n.values }

func (n *names) Set(v string) error {
	for _, name := range strings.Split(v, ",") {
		if name = strings.TrimSpace(name); name == "" {
			return fmt.Errorf("an empty name: give names, separated by commas, or leave the flag out (is the variable that should hold them unset?)")
		}
		*n.values = append(*n.values, name)
	}
	return nil
}

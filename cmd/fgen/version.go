package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/models"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func newVersionCmd(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print fgen's version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := version
			if v == "" {
				v = "(devel)"
				if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
					v = bi.Main.Version
				}
			}
			info := map[string]any{"version": v, "go": runtime.Version(), "config_format": models.FormatVersion}
			switch format {
			case "json":
				b, _ := json.MarshalIndent(info, "", "  ")
				fmt.Fprintln(g.stdout, string(b))
			case "text":
				fmt.Fprintf(g.stdout, "fgen %s (%s, funnel.toml format %d)\n", v, runtime.Version(), models.FormatVersion)
			default:
				return fmt.Errorf("unknown --format %q; use text or json", format)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

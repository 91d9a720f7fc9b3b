package main

import (
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
		Long: `Print fgen's version, the Go release it was built with, and the format of
funnel.toml it reads. A build from a git checkout or a module carries the version Go
stamps (a tag, or a pseudo-version of the commit); a release build, the one it was given
with -ldflags "-X main.version=..."; a build without either, "(devel)".

` + exitStatusHelp,
		Args: noArgs,
		Example: `  fgen version
  fgen --version
  fgen version --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := fgenVersion()
			if format == "json" {
				return writeJSON(g.stdout, "version", struct {
					Version      string `json:"version"`
					Go           string `json:"go"`
					ConfigFormat int    `json:"config_format"`
				}{v, runtime.Version(), models.FormatVersion})
			}
			fmt.Fprintf(g.stdout, "fgen %s (%s, funnel.toml format %d)\n", v, runtime.Version(), models.FormatVersion)
			return nil
		},
	}
	choiceFlag(cmd, &format, "format", "output format", "text", "json")
	return cmd
}

// fgenVersion is the version fgen was built as: set with -ldflags, or the
// module's version in the build info, or "(devel)".
func fgenVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/models"
)

// jsonFormatVersion is the version of the shape every --format json output
// shares: an object with "format_version" and "command", then the
// command's own fields, or "error" when it failed. Fields are only added
// within a version.
const jsonFormatVersion = 1

// writeJSON writes a command's JSON output: the fields of v (a struct or
// map encoding to an object) after format_version and command, indented.
func writeJSON(w io.Writer, command string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	head, _ := json.Marshal(struct {
		FormatVersion int    `json:"format_version"`
		Command       string `json:"command"`
	}{jsonFormatVersion, command})
	doc := head[:len(head)-1] // {"format_version":1,"command":"x"
	if rest := bytes.TrimPrefix(body, []byte("{")); len(rest) > 1 {
		doc = append(append(doc, ','), rest...)
	} else {
		doc = append(doc, '}')
	}
	var out bytes.Buffer
	if err := json.Indent(&out, doc, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

// jsonError is how a failed command says so under --format json.
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

// jsonErrorBody is the "error" field of a command's JSON output: alone when
// the command failed, or beside what it did (apply's jobs) when it failed
// part-way.
type jsonErrorBody struct {
	Message  string           `json:"message"`
	ExitCode int              `json:"exit_code"`
	Problems []jsonDiagnostic `json:"problems"` // the config's; [] when none
}

// withError is the JSON object v with an "error" field, body, last.
func withError(v any, body jsonErrorBody) json.RawMessage {
	doc, err := json.Marshal(v)
	if err != nil || len(doc) < 2 || doc[len(doc)-1] != '}' {
		doc = []byte("{}")
	}
	e, _ := json.Marshal(body)
	sep := ","
	if len(doc) == 2 {
		sep = ""
	}
	return append(append(append(doc[:len(doc)-1:len(doc)-1], sep+`"error":`...), e...), '}')
}

// jsonWritten is an error the command has already put in its JSON output:
// main says it on stderr, and writes no second document.
type jsonWritten struct{ error }

func (e *jsonWritten) Unwrap() error { return e.error }

type jsonDiagnostic struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path"` // "" for a problem of the file as a whole (its syntax)
	Message string `json:"message"`
}

// wantsJSON reports whether the command ran with --format json.
func wantsJSON(cmd *cobra.Command) bool {
	f := cmd.Flags().Lookup("format")
	return f != nil && f.Value.String() == "json"
}

// toFile reports whether cmd writes its output to a file (-o FILE): its
// JSON goes there, and an error is text on stderr alone, not a JSON
// document on standard output, which was not to hold any.
func toFile(cmd *cobra.Command) bool {
	f := cmd.Flags().Lookup("output")
	return f != nil && f.Value.String() != "" && f.Value.String() != "-"
}

// argsWantJSON reports whether args ask for --format json: a flag error
// stops the parsing before a --format after it, which the output must still
// follow. The last --format wins, as it does when the flags parse.
func argsWantJSON(args []string) bool {
	json := false
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--format="); ok {
			json = v == "json"
		} else if a == "--format" && i+1 < len(args) {
			json = args[i+1] == "json"
		}
	}
	return json
}

// offersJSON reports whether cmd has --format json: an error of any other
// command stays text, whatever its arguments say.
func offersJSON(cmd *cobra.Command) bool {
	f := cmd.Flags().Lookup("format")
	if f == nil {
		return false
	}
	if c, ok := f.Value.(*choice); ok {
		return slices.Contains(c.allowed, "json")
	}
	return true // report's, which also takes the file's extension
}

// writeJSONError writes err as the command's JSON output.
func writeJSONError(w io.Writer, cmd *cobra.Command, err error, msg string, code int) {
	writeJSON(w, cmd.Name(), jsonError{errorBody(err, msg, code)})
}

// errorBody is the "error" field of a command's JSON output for err, with
// its message and exit status, and funnel.toml's problems ([] when none).
func errorBody(err error, msg string, code int) jsonErrorBody {
	b := jsonErrorBody{Message: msg, ExitCode: code, Problems: []jsonDiagnostic{}}
	var ds models.Diagnostics
	var row dataRowError
	switch {
	case errors.As(err, &ds):
		for _, d := range ds {
			b.Problems = append(b.Problems, jsonDiagnostic{d.File, d.Pos.Line, d.Pos.Column, d.Path, d.Msg})
		}
	case errors.As(err, &row):
		file, line, msg := row.FileLine()
		b.Problems = append(b.Problems, jsonDiagnostic{File: file, Line: int(line), Message: msg})
	}
	return b
}

// dataRowError is an error of a row of a data file a load reads
// (ingest.RowError): its file, its line (0 for the file as a whole) and
// what is wrong there.
type dataRowError interface {
	error
	FileLine() (file string, line int64, msg string)
}

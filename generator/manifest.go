package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ManifestPath is where fgen records, relative to the output directory, the
// files it generated and their content hashes. Files not listed there are
// not fgen's: it never overwrites or removes them.
const ManifestPath = "manifest.json"

type manifest struct {
	Comment string            `json:"comment"`
	Files   map[string]string `json:"files"` // path -> sha256:hex
}

// manifestComment opens every manifest fgen writes.
const manifestComment = "Written by fgen generate: the files it owns in this directory and their hashes. DO NOT EDIT."

// HoldsManifest reports whether dir holds a manifest that fgen generate
// wrote: dir is (or was) a generated project, whose files generate owns.
// Another tool's manifest.json (a web app's) is not fgen's.
func HoldsManifest(dir string) bool {
	f, err := os.Open(filepath.Join(dir, ManifestPath))
	if err != nil {
		return false
	}
	defer f.Close()
	var m struct {
		Comment string `json:"comment"`
	}
	return json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&m) == nil && m.Comment == manifestComment
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// WithManifest returns files plus the manifest that records them.
func WithManifest(files []File) []File {
	m := manifest{Comment: manifestComment, Files: map[string]string{}}
	for _, f := range files {
		m.Files[f.Path] = hash(f.Data)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(err)
	}
	out := append([]File{}, files...)
	out = append(out, File{Path: ManifestPath, Data: append(data, '\n')})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// localPath reports whether p, a slash-separated path from the manifest or
// from Render, names a file inside the output directory on every platform:
// relative, clean, no "..", no backslash or volume name, no reserved name.
func localPath(p string) bool {
	return fs.ValidPath(p) && p != "." && !strings.ContainsAny(p, `\:`) && filepath.IsLocal(filepath.FromSlash(p))
}

// readManifest returns the files the manifest in root records, or nil when
// there is none. Every path it returns is local (see localPath); name is
// the manifest's path for messages.
func readManifest(root *os.Root, name string) (map[string]string, error) {
	data, err := readRegular(root, ManifestPath)
	var notRegular errNotRegular
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.As(err, &notRegular):
		return nil, fmt.Errorf("%s %v, not a manifest fgen wrote; if it is yours, generate into another directory (--dir); if fgen's, remove it and run 'fgen generate --force'", name, notRegular)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	files, err := parseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: malformed: %v; if it is a file of yours (another tool's manifest), generate into another directory (--dir); if fgen's, remove it and run 'fgen generate --force'", name, err)
	}
	return files, nil
}

// parseManifest decodes a manifest, checking what json.Unmarshal into the
// manifest type would not (and saying it without Go type names): the paths
// stay inside the output directory and the hashes are SHA-256.
func parseManifest(data []byte) (map[string]string, error) {
	var top any
	if err := json.Unmarshal(data, &top); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("line %d: %v", 1+bytes.Count(data[:syn.Offset], []byte("\n")), syn)
		}
		return nil, err
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s, want an object with \"files\"", jsonKind(top))
	}
	raw, ok := obj["files"]
	if !ok {
		return nil, errors.New(`no "files" object`)
	}
	entries, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf(`"files" is %s, want an object`, jsonKind(raw))
	}
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	files := make(map[string]string, len(entries))
	for _, p := range paths {
		switch {
		case !localPath(p):
			return nil, fmt.Errorf("files[%q]: not a slash-separated path inside the output directory", p)
		case p == ManifestPath:
			return nil, fmt.Errorf("files[%q]: names the manifest itself", p)
		case p == LockPath:
			return nil, fmt.Errorf("files[%q]: names fgen's lock file", p)
		}
		sum, ok := entries[p].(string)
		if !ok {
			return nil, fmt.Errorf(`files[%q] is %s, want "sha256:<64 hex digits>"`, p, jsonKind(entries[p]))
		}
		if !validHash(sum) {
			return nil, fmt.Errorf(`files[%q] is %q, want "sha256:<64 hex digits>"`, p, sum)
		}
		files[p] = sum
	}
	return files, nil
}

func validHash(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(h) != 2*sha256.Size || strings.ToLower(h) != h {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// jsonKind names the JSON type of a value json.Unmarshal decoded into any.
func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return "null"
	}
}

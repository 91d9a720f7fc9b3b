// Package templates holds the SQL templates fgen renders, one set shared by
// every dialect plus a small file of dialect pieces per engine, and the
// commented starter funnel.toml that 'fgen init' writes.
package templates

import (
	"embed"
	"io/fs"
	"sync"
)

//go:embed sql/*.tmpl
var sqlFS embed.FS

// FS returns the SQL templates: the shared node and table templates and one
// dialect file per engine (maxcompute.tmpl, duckdb.tmpl). It returns the
// same value on every call, so that a caller can tell these templates from
// others (generator parses them once).
func FS() fs.FS { return sqlDir() }

var sqlDir = sync.OnceValue(func() fs.FS {
	sub, err := fs.Sub(sqlFS, "sql")
	if err != nil {
		panic(err)
	}
	return sub
})

// Starter is the commented funnel.toml written by 'fgen init'. It reproduces
// the article's pipeline and is the repository's own funnel.toml.
//
//go:embed starter.toml
var Starter []byte

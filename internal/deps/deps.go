// Package deps pins module dependencies while the packages that use them are written.
// Remove once every dependency has a real importer.
package deps

import (
	_ "github.com/aliyun/aliyun-odps-go-sdk/odps"
	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/pelletier/go-toml/v2"
	_ "github.com/spf13/cobra"
)

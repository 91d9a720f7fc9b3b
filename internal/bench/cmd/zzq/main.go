package main

import (
	"database/sql"
	"fmt"
	"os"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	db, err := sql.Open("duckdb", os.Args[1]+"?access_mode=read_only")
	if err != nil {
		panic(err)
	}
	rows, err := db.Query(os.Args[2])
	if err != nil {
		panic(err)
	}
	cols, _ := rows.Columns()
	fmt.Println(strings.Join(cols, "\t"))
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		rows.Scan(ptrs...)
		var out []string
		for _, v := range vals {
			out = append(out, fmt.Sprint(v))
		}
		fmt.Println(strings.Join(out, "\t"))
	}
}

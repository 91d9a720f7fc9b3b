//go:build cgo

package e2e

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/reference"
)

// Real shop logs as they are published, with no dt column and their own
// time columns: small files shaped like the REES46 e-commerce behaviour data
// (event_time strings "2019-10-01 00:00:07 UTC") and the RetailRocket
// events (epoch milliseconds). Each is loaded without --bizdate, so each
// row's day is the date of its time in dataworks.timezone, applied, and its
// reports compared with the reference computed from the same rows, whose
// days the test derives on its own.

// loadingDoc is the page whose two funnel.toml files these tests run.
const loadingDoc = "../../docs/loading.md"

// docConfig returns the funnel.toml of docs/loading.md whose project is
// name: the toml code block with name = "<name>" in [project].
func docConfig(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(loadingDoc)
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(data), "```toml\n")
	for _, b := range blocks[1:] {
		b, _, _ = strings.Cut(b, "```")
		if strings.Contains(b, "[project]\nname = "+strconv.Quote(name)+"\n") {
			return []byte(b)
		}
	}
	t.Fatalf("%s has no funnel.toml of project %s", loadingDoc, name)
	return nil
}

func TestRealLogsREES46(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "rees46", docConfig(t, "rees46"))
	r := rand.New(rand.NewPCG(46, 2019))
	codes := []string{"", "electronics.smartphone", "appliances.kitchen.washer", "computers.notebook", "apparel.shoes"}
	brands := []string{"samsung", "apple", "xiaomi", "", "huawei"}
	start := time.Date(2019, 10, 1, 0, 0, 0, 0, time.UTC)
	var records [][]string
	var rows []reference.ODSRow
	add := func(at time.Time, typ string, prod int, user, session string) {
		code := codes[prod%len(codes)]
		records = append(records, []string{at.Format("2006-01-02 15:04:05") + " UTC", typ, strconv.Itoa(1000000 + prod),
			strconv.FormatInt(2053013555631882655+int64(prod%len(codes)), 10), code, brands[prod%len(brands)],
			fmt.Sprintf("%d.%02d", 10+prod%900, prod%100), user, session})
		row := reference.ODSRow{Dt: at.UTC().Format("20060102"), User: ptrOrNil(user), Event: &typ, TS: at.Unix(),
			Dims: map[string]*string{"category_code": ptrOrNil(code)}}
		rows = append(rows, row)
	}
	for u := range 40 {
		user := strconv.Itoa(512000000 + u*7919)
		for range 1 + r.IntN(3) {
			at := start.Add(time.Duration(r.IntN(2*86400)) * time.Second)
			if r.IntN(4) == 0 { // around midnight, so that sessions straddle two days
				at = start.Add(time.Duration(86400-r.IntN(1200)) * time.Second)
			}
			session := fmt.Sprintf("%08x-%04x-4e00-8c23-a032dfed738c", r.Uint32(), r.IntN(1<<16))
			for range 1 + r.IntN(4) {
				prod := r.IntN(60)
				add(at, "view", prod, user, session)
				if r.IntN(3) == 0 {
					at = at.Add(time.Duration(r.IntN(90)) * time.Second) // sometimes in the same second
					add(at, "cart", prod, user, session)
					if r.IntN(5) == 0 {
						add(at.Add(time.Duration(r.IntN(30))*time.Second), "remove_from_cart", prod, user, session)
					} else if r.IntN(2) == 0 {
						at = at.Add(time.Duration(60+r.IntN(3600)) * time.Second) // some past the window
						add(at, "purchase", prod, user, session)
					}
				}
				if r.IntN(25) == 0 { // the logs hold some rows twice
					records = append(records, records[len(records)-1])
					rows = append(rows, rows[len(rows)-1])
				}
				at = at.Add(time.Duration(5+r.IntN(400)) * time.Second)
			}
		}
		if u%9 == 0 { // a buyer who viewed on another day
			add(start.Add(time.Duration(r.IntN(2*86400))*time.Second), "purchase", r.IntN(60), user, "")
		}
	}
	add(start.Add(time.Hour), "view", 1, "", "") // dropped: no user
	header := []string{"event_time", "event_type", "product_id", "category_id", "category_code", "brand", "price", "user_id", "user_session"}
	file := writeCSV(t, e.dir, "2019-Oct.csv", header, records)
	e.loadRealLog(file, rows)
}

func TestRealLogsRetailRocket(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "retailrocket", docConfig(t, "retailrocket"))
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1433, 2015))
	start := time.Date(2015, 6, 1, 0, 0, 0, 0, shanghai).UnixMilli()
	var records [][]string
	var rows []reference.ODSRow
	transactions := 4000
	add := func(ms int64, visitor, event string, item int) {
		tx := ""
		if event == "transaction" {
			transactions++
			tx = strconv.Itoa(transactions)
		}
		records = append(records, []string{strconv.FormatInt(ms, 10), visitor, event, strconv.Itoa(item), tx})
		rows = append(rows, reference.ODSRow{Dt: time.UnixMilli(ms).In(shanghai).Format("20060102"), User: &visitor, Event: &event, TS: ms})
	}
	for v := range 50 {
		visitor := strconv.Itoa(257597 + v*1031)
		for range 1 + r.IntN(3) {
			ms := start + r.Int64N(2*86400_000)
			if r.IntN(4) == 0 { // around midnight in Shanghai
				ms = start + 86400_000 - r.Int64N(900_000)
			}
			for range 1 + r.IntN(3) {
				item := r.IntN(500)
				add(ms, visitor, "view", item)
				if r.IntN(3) == 0 {
					if r.IntN(4) != 0 { // else in the same millisecond
						ms += r.Int64N(600_000)
					}
					add(ms, visitor, "addtocart", item)
					if r.IntN(2) == 0 {
						ms += 1000 + r.Int64N(2400_000) // some past the window
						add(ms, visitor, "transaction", item)
					}
				}
				ms += 2000 + r.Int64N(300_000)
			}
		}
	}
	file := writeCSV(t, e.dir, "events.csv", []string{"timestamp", "visitorid", "event", "itemid", "transactionid"}, records)
	e.loadRealLog(file, rows)
}

// loadRealLog loads a log file that has no dt column, without a business
// date, applies every day its rows fall on, and checks the DW rows and the
// reports against the reference of rows.
func (e *env) loadRealLog(file string, rows []reference.ODSRow) {
	e.t.Helper()
	n, err := e.loadFiles("", file)
	if err != nil {
		e.t.Fatalf("load: %v", err)
	}
	if n != int64(len(rows)) {
		e.t.Fatalf("load: %d rows, want %d", n, len(rows))
	}
	var days []string
	for _, r := range rows {
		if !slices.Contains(days, r.Dt) {
			days = append(days, r.Dt)
		}
	}
	slices.Sort(days)
	if len(days) < 2 {
		e.t.Fatalf("the rows fall on %v; the test wants several days", days)
	}
	live := e.query(`SELECT DISTINCT dt FROM ` + e.cfg.ODS.Name + ` ORDER BY dt`)
	var loaded []string
	for _, v := range live.Values {
		loaded = append(loaded, *v[0])
	}
	if !slices.Equal(loaded, days) {
		e.t.Fatalf("the load put the rows in partitions %v, want %v", loaded, days)
	}
	e.mustApply(days...)
	e.checkDW(rows, days)
	e.checkReports(rows, days)
	// Every funnel converts somewhere: the comparison is not one of zeros.
	for i, f := range e.cfg.Funnels {
		var last int64
		for _, r := range e.report(i) {
			last += r.Counts[len(r.Counts)-1]
		}
		if last == 0 {
			e.t.Errorf("%s: no user reached the last stage; the data should have some who do", f.Name)
		}
	}
}

func writeCSV(t *testing.T, dir, name string, header []string, records [][]string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write(header)
	w.WriteAll(records)
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// ptrOrNil is &s, or nil (NULL) for "", as a CSV file's empty field loads.
func ptrOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

package reference

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// RandomOptions shape the data RandomRows makes. Zero fields take the defaults shown.
type RandomOptions struct {
	// Days are the partitions (yyyymmdd) rows may carry; each stays empty with probability
	// 1/5. Consecutive calendar days give midnight chains. Default: 20240101 to 20240103.
	Days []string
	// Events are the funnel's event values in stage order (default browse, click, purchase);
	// sessions mostly walk forward through them.
	Events []string
	// OtherEvents are sprinkled between them: values outside the funnel, unknown to a DW or
	// not, as the caller decides (default "login", "evt_unknown"). NULL and empty events are
	// always sprinkled too.
	OtherEvents []string
	// Dims are the breakdown column names every row carries (values NULL, "", "B", "a", "b",
	// and those of DimValues).
	Dims []string
	// DimValues, when positive, adds that many breakdown values "v0", "v1", ... (byte order
	// puts "v10" before "v2"), so that a day has more values than a breakdown limit, many of
	// them with few rows and equal stage-1 counts. Give it Users to spread over.
	DimValues int
	// Users is the number of distinct user ids "u0", "u1", ... (default 8); NULL and empty
	// users are added.
	Users int
	// Sessions is the number of bursts of activity of one user (default 40).
	Sessions int
	// Window is the W whose edges gaps should hit: W and W + 1, in units of the time precision
	// (default 3600 seconds).
	Window int64
	// UnitsPerSecond is the precision of TS (and Window): 1 for epoch seconds (the default),
	// 1000 for epoch milliseconds. Above 1, sessions also take sub-second steps: one unit (a
	// row one millisecond after another is no tie), a few units, exactly one second, to the
	// last unit of the second; equal TS values are ties at that precision.
	UnitsPerSecond int64
	// BotEvents, when positive, is the number of events of a bot user added to about one
	// call in four.
	BotEvents int
	// FarTimes adds, to about one call in three, a few stage rows whose TS is far from their
	// Dt: the greatest and least BIGINTs of MaxCompute, +-2^62, the first and last units of
	// the years 0000 to 9999 (times, see IsTime) and one unit past them (none).
	FarTimes bool
}

var shanghai = time.FixedZone("UTC+8", 8*3600) // Asia/Shanghai has had no daylight saving since 1991

// RandomRows returns nasty ODS rows for property tests: equal timestamps across stages and
// equal (ts, stage) duplicates, repeated stage-1 rows, gaps of exactly W and W + 1 from a
// chain start, chains across midnight, empty days, users with only later stages, NULL and
// empty users, events and breakdown values, unknown events, exact copies sharing a dedup key
// (and a few equal keys in different partitions), NULL dedup keys, and occasional bots.
//
// Every Dt is one of opts.Days, and TS (in units of opts.UnitsPerSecond) lies on Dt's day in
// UTC+8 except for a few late rows, whose Dt is a later day than their TS, and the far rows
// of FarTimes. The rows come in
// random order. The result depends only on r's state and opts. It panics when a day is not
// yyyymmdd.
func RandomRows(r *rand.Rand, opts RandomOptions) []ODSRow {
	g := newGenerator(r, opts)
	for range g.o.Sessions {
		g.session()
	}
	if g.o.BotEvents > 0 && r.IntN(4) == 0 {
		g.bot()
	}
	if g.o.FarTimes && r.IntN(3) == 0 {
		g.far()
	}
	r.Shuffle(len(g.rows), func(i, j int) { g.rows[i], g.rows[j] = g.rows[j], g.rows[i] })
	return g.rows
}

type generator struct {
	r      *rand.Rand
	o      RandomOptions
	day    int64            // units in a day
	values []*string        // breakdown values
	active []string         // days that get rows, in calendar order
	starts map[string]int64 // 00:00 UTC+8 of each active day, in units
	home   map[string][]*string
	keys   int
	rows   []ODSRow
}

func newGenerator(r *rand.Rand, o RandomOptions) *generator {
	if len(o.Days) == 0 {
		o.Days = []string{"20240101", "20240102", "20240103"}
	}
	if len(o.Events) == 0 {
		o.Events = []string{"browse", "click", "purchase"}
	}
	if len(o.OtherEvents) == 0 {
		o.OtherEvents = []string{"login", "evt_unknown"}
	}
	if o.Users <= 0 {
		o.Users = 8
	}
	if o.Sessions <= 0 {
		o.Sessions = 40
	}
	if o.UnitsPerSecond <= 0 {
		o.UnitsPerSecond = 1
	}
	if o.Window <= 0 {
		o.Window = 3600 * o.UnitsPerSecond
	}
	g := &generator{r: r, o: o, day: 86400 * o.UnitsPerSecond, values: dimValues,
		starts: map[string]int64{}, home: map[string][]*string{}}
	for i := range o.DimValues {
		g.values = append(slices.Clip(g.values), ptr(fmt.Sprintf("v%d", i)))
	}
	for _, day := range o.Days {
		t, err := time.ParseInLocation("20060102", day, shanghai)
		if err != nil {
			panic(fmt.Sprintf("reference: day %q: want yyyymmdd", day))
		}
		if r.IntN(5) == 0 {
			continue // an empty day
		}
		if _, dup := g.starts[day]; !dup {
			g.starts[day] = t.Unix() * o.UnitsPerSecond
			g.active = append(g.active, day)
		}
	}
	return g
}

// session adds a burst of rows of one user, walking mostly forward through the stages.
func (g *generator) session() {
	if len(g.active) == 0 {
		return
	}
	r, w, ups := g.r, g.o.Window, g.o.UnitsPerSecond
	user := g.user()
	start := g.starts[g.active[r.IntN(len(g.active))]]
	var base int64
	switch r.IntN(10) {
	case 0, 1, 2, 3, 4:
		base = start + r.Int64N(g.day)
	case 5, 6: // late evening: the chain may cross midnight, some right at the W edge
		base = start + g.day - 1 - r.Int64N(w+2)
	case 7: // just after midnight
		base = start + r.Int64N(60*ups)
	case 8: // the last unit of the day
		base = start + g.day - 1
	default: // noon: ties with other sessions
		base = start + g.day/2
	}
	ts := base
	idx := 0
	if r.IntN(3) == 0 {
		idx = r.IntN(len(g.o.Events)) // may start with a later stage
	}
	for range 1 + r.IntN(6) {
		var event *string
		switch k := r.IntN(20); {
		case k < 16:
			event = &g.o.Events[idx]
		case k < 18:
			event = &g.o.OtherEvents[r.IntN(len(g.o.OtherEvents))]
		case k == 18:
			event = nil
		default:
			event = new(string)
		}
		g.emit(user, event, ts)

		if ups > 1 && r.IntN(3) == 0 { // below a second
			switch r.IntN(4) {
			case 0:
				ts++
			case 1:
				ts += 1 + r.Int64N(9)
			case 2:
				ts += ups
			default: // the last unit of this second
				ts += ups - 1 - floorMod(ts, ups)
			}
		} else {
			ts = g.gap(ts, base)
		}
		switch k := r.IntN(10); {
		case k < 6:
			idx = (idx + 1) % len(g.o.Events)
		case k < 8: // repeat the stage
		case k == 8:
			idx = 0
		default:
			idx = r.IntN(len(g.o.Events))
		}
	}
}

// gap returns the time of a session's next row after one at ts; base is the session's start.
func (g *generator) gap(ts, base int64) int64 {
	r, w := g.r, g.o.Window
	switch k := r.IntN(12); {
	case k < 3: // the same time: a tie
	case k == 3:
		ts++
	case k == 4: // exactly W after the session start
		ts = max(ts, base+w)
	case k == 5: // W + 1 after it
		ts = max(ts, base+w+1)
	case k == 6:
		ts += w
	case k == 7:
		ts += w + 1
	case k < 10:
		ts += r.Int64N(w/4 + 1)
	case k == 10:
		ts += r.Int64N(3*w + 1)
	default:
		ts += r.Int64N(60 * g.o.UnitsPerSecond)
	}
	return ts
}

// bot adds a user with BotEvents rows on one day, mostly stage 1, with many equal timestamps.
func (g *generator) bot() {
	if len(g.active) == 0 {
		return
	}
	r := g.r
	user := fmt.Sprintf("bot%d", r.IntN(100))
	start := g.starts[g.active[r.IntN(len(g.active))]]
	ts := start + r.Int64N(g.day)
	for range g.o.BotEvents {
		if r.IntN(2) == 0 {
			ts = start + r.Int64N(g.day)
		}
		idx := 0
		if r.IntN(3) == 0 {
			idx = r.IntN(len(g.o.Events))
		}
		g.emit(&user, &g.o.Events[idx], ts)
	}
}

// far adds a few stage rows, with new dedup keys, at times far from their partition's day,
// some of them no times at all (IsTime), to users who have rows on that day or new ones.
func (g *generator) far() {
	if len(g.active) == 0 {
		return
	}
	r := g.r
	first, end := timeBounds(g.o.UnitsPerSecond)
	times := []int64{math.MaxInt64, math.MinInt64 + 1, 1 << 62, -1 << 62, first, first - 1, end - 1, end}
	for range 1 + r.IntN(4) {
		g.keys++
		key := fmt.Sprintf("k%d", g.keys)
		user := g.user()
		g.rows = append(g.rows, ODSRow{
			Dt: g.active[r.IntN(len(g.active))], DedupKey: &key, User: user,
			Event: clonePtr(&g.o.Events[r.IntN(len(g.o.Events))]), TS: times[r.IntN(len(times))], Dims: g.dims(user),
		})
	}
}

// user returns a user id, now and then NULL or empty.
func (g *generator) user() *string {
	switch g.r.IntN(25) {
	case 0:
		return nil
	case 1:
		return new(string)
	}
	u := fmt.Sprintf("u%d", g.r.IntN(g.o.Users))
	return &u
}

// emit adds one row at ts, in the partition of ts's day (or a later one for a late row), with
// now and then an exact copy or a copy in another partition. Rows on days that are not
// active are dropped.
func (g *generator) emit(user, event *string, ts int64) {
	r := g.r
	dt := time.Unix(floorDiv(ts, g.o.UnitsPerSecond), 0).In(shanghai).Format("20060102")
	if _, ok := g.starts[dt]; !ok {
		return
	}
	if r.IntN(30) == 0 {
		dt = g.later(dt) // a late row
	}
	var key *string
	if r.IntN(12) > 0 {
		g.keys++
		k := fmt.Sprintf("k%d", g.keys)
		key = &k
	}
	row := ODSRow{Dt: dt, DedupKey: key, User: clonePtr(user), Event: clonePtr(event), TS: ts, Dims: g.dims(user)}
	g.rows = append(g.rows, row)
	switch r.IntN(25) {
	case 0, 1: // an exact copy: the same log record twice
		g.rows = append(g.rows, copyRow(row))
	case 2: // the same record replayed into a later partition
		if later := g.later(dt); later != dt {
			c := copyRow(row)
			c.Dt = later
			g.rows = append(g.rows, c)
		}
	}
}

// later returns a random active day after dt, or dt when there is none.
func (g *generator) later(dt string) string {
	var after []string
	for _, d := range g.active {
		if d > dt {
			after = append(after, d)
		}
	}
	if len(after) == 0 {
		return dt
	}
	return after[g.r.IntN(len(after))]
}

var dimValues = []*string{nil, ptr(""), ptr("B"), ptr("a"), ptr("b")}

func ptr(s string) *string { return &s }

// floorDiv returns a / b rounded down (b > 0): epoch times before 1970 are negative.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// floorMod returns a - b * floorDiv(a, b), in [0, b).
func floorMod(a, b int64) int64 {
	return a - b*floorDiv(a, b)
}

// dims returns breakdown values: mostly the user's own, now and then any value.
func (g *generator) dims(user *string) map[string]*string {
	if len(g.o.Dims) == 0 {
		return nil
	}
	id := "<nil>"
	if user != nil {
		id = "=" + *user
	}
	home, ok := g.home[id]
	if !ok {
		for range g.o.Dims {
			home = append(home, g.values[g.r.IntN(len(g.values))])
		}
		g.home[id] = home
	}
	m := map[string]*string{}
	for i, d := range g.o.Dims {
		v := home[i]
		if g.r.IntN(5) == 0 {
			v = g.values[g.r.IntN(len(g.values))]
		}
		m[d] = clonePtr(v)
	}
	return m
}

func copyRow(row ODSRow) ODSRow {
	c := row
	c.DedupKey, c.User, c.Event = clonePtr(row.DedupKey), clonePtr(row.User), clonePtr(row.Event)
	if row.Dims != nil {
		c.Dims = map[string]*string{}
		for k, v := range row.Dims {
			c.Dims[k] = clonePtr(v)
		}
	}
	return c
}

func clonePtr(p *string) *string {
	if p == nil {
		return nil
	}
	s := *p
	return &s
}

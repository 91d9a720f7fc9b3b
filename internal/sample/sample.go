package sample

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Defaults applied by [Generate] to zero Options fields.
const (
	DefaultUsers = 10000
	DefaultDays  = 1
	DefaultStart = "20210303"
)

// PartitionColumn is the trailing column that files and tables of sample
// rows add after [Columns]: the business day yyyymmdd a row belongs to.
const PartitionColumn = "dt"

// LateSpill bounds how far past the end of its business day a row's ts may
// lie: every row of day D has D 00:00 <= ts < D+1 00:00 + LateSpill
// (Asia/Shanghai).
const LateSpill = 30 * time.Minute

// DefaultStages returns the seed's funnel: browse, click, purchase.
func DefaultStages() [][]string {
	return [][]string{{"browse"}, {"click"}, {"purchase"}}
}

// Options configures [Generate]. Zero values mean the defaults.
type Options struct {
	Users int    // distinct (non-bot) users per day (default 10000)
	Days  int    // number of consecutive business days (default 1)
	Start string // first business day, yyyymmdd (default "20210303")
	Seed  int64  // same Options, same output, byte for byte

	// Stages lists the event values of each funnel stage in order (default
	// DefaultStages). A stage with several values uses all of them, chosen
	// uniformly. A value may appear only once across all stages.
	Stages [][]string

	Noise bool // add dirty rows, see the package documentation
	// EventCodes: the event column holds integer codes (the Stages'
	// values are integers), so the values of no stage that noise adds are
	// codes too (unknownCodes).
	EventCodes bool

	// Time is how the ts column holds a time (default epoch seconds). With
	// millisecond precision, every Event gets its millisecond MS.
	Time TimeFormat

	// Progress, if set, is called as users are generated with how many
	// were since its last call: Users * Days in all.
	Progress func(users int)
}

// ExpectedRows is about how many rows Generate emits for opts: some nine
// a user a day (with three stages; fewer stages make fewer), and with
// Noise a bot's mean events (botsPerDay of them). It is an estimate, for
// choosing how to load them, not a bound.
func (opts Options) ExpectedRows() int64 {
	opts = opts.withDefaults()
	day := int64(opts.Users) * 9
	if opts.Noise {
		day += botsPerDay * (botEventsMin + botEventsMax) / 2
	}
	return int64(opts.Days) * day
}

// withDefaults is opts with the defaults where a field is not set (zero or,
// for users and days, which Generate refuses negative, less).
func (opts Options) withDefaults() Options {
	if opts.Users <= 0 {
		opts.Users = DefaultUsers
	}
	if opts.Days <= 0 {
		opts.Days = DefaultDays
	}
	if opts.Start == "" {
		opts.Start = DefaultStart
	}
	if len(opts.Stages) == 0 {
		opts.Stages = DefaultStages()
	}
	return opts
}

// progressEvery is how many users make a call of Options.Progress.
const progressEvery = 4096

// Event is one ODS row. Generate reuses Events between calls to emit: copy
// what you keep.
type Event struct {
	MD5     string
	UID     string
	UIDNull bool  // uid is SQL NULL (UID is then "")
	TS      int64 // epoch seconds
	// MS is the millisecond within TS's second, 0 to 999: 0 unless
	// Options.Time has millisecond precision. Within a second, the events
	// Generate emits have non-decreasing MS.
	MS                    int
	IP                    string
	Status                int64
	Bytes                 int64
	DeviceBrand           string
	Device                string
	SystemType            string
	CustomizeEvent        string
	UseTime               int64
	CustomizeEventContent string
	Dt                    string // partition: the business day, yyyymmdd
}

var columns = [...]string{
	"md5", "uid", "ts", "ip", "status", "bytes", "device_brand", "device",
	"system_type", "customize_event", "use_time", "customize_event_content",
}

// Columns returns the 12 ODS column names in table order (without the
// partition column dt).
func Columns() []string { return append([]string(nil), columns[:]...) }

// columnTypes are the DuckDB types of Columns and dt, in order.
var columnTypes = [...]string{
	"VARCHAR", "VARCHAR", "BIGINT", "VARCHAR", "BIGINT", "BIGINT", "VARCHAR",
	"VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "VARCHAR", "VARCHAR",
}

// Noise rates, see the package documentation.
const (
	pNullUID    = 0.006
	pEmptyUID   = 0.006
	pUnknown    = 0.012 // per browsed product
	pDuplicate  = 0.01
	botsPerDay  = 2
	maxSessions = 6
	shanghai    = 8 * 3600 // UTC offset of Asia/Shanghai, which has no DST since 1991
	md5Batch    = 256
	catalogSize = 20000
)

// A bot makes botEventsMin to botEventsMax events a day.
const botEventsMin, botEventsMax = 2000, 6000

// Generate streams the events described by opts to emit, day by day, and
// stops at the first error emit returns. emit must not modify the Event.
func Generate(opts Options, emit func(*Event) error) error {
	return GenerateContext(context.Background(), opts, emit)
}

// GenerateContext is Generate that also stops, with ctx's error, when ctx
// ends: it looks before every progressEvery users and every bot.
func GenerateContext(ctx context.Context, opts Options, emit func(*Event) error) error {
	g, err := newGenerator(opts, emit)
	if err != nil {
		return err
	}
	g.ctx = ctx
	for d := 0; d < g.opts.Days; d++ {
		if err := g.day(g.start.AddDate(0, 0, d)); err != nil {
			return err
		}
	}
	return nil
}

type generator struct {
	ctx     context.Context
	opts    Options
	start   time.Time
	emit    func(*Event) error
	key     uint64 // mixes the options into per-user and per-record hashes
	unknown []string
	catalog []string

	// per day
	r        rng
	msr      rng // draws Event.MS apart from r, so that the rows stay the same
	lastTS   int64
	lastMS   int
	dt       string
	absDay   uint64
	dayStart int64
	dayEnd   int64
	limit    int64 // dayEnd + LateSpill

	md5Seq uint64
	md5s   string
	md5Buf []byte
	buf    []Event // one session
	bot    Event
	tmp    []byte
}

func newGenerator(opts Options, emit func(*Event) error) (*generator, error) {
	if opts.Users < 0 {
		return nil, fmt.Errorf("sample options: users must not be negative, got %d", opts.Users)
	}
	if opts.Days < 0 {
		return nil, fmt.Errorf("sample options: days must not be negative, got %d", opts.Days)
	}
	opts = opts.withDefaults()
	start, err := time.Parse("20060102", opts.Start)
	if err != nil || len(opts.Start) != 8 {
		return nil, fmt.Errorf("sample options: start %q is not a date yyyymmdd", opts.Start)
	}
	if emit == nil {
		return nil, errors.New("sample: nil emit function")
	}
	g := &generator{opts: opts, start: start, emit: emit, catalog: catalog()}

	// Hash the options that shape the rows into key, so that runs with other
	// options give other md5 values.
	g.key = mix64(uint64(opts.Seed) ^ 0x3c6ef372fe94f82b)
	g.key = mix64(g.key ^ uint64(opts.Users))
	if opts.Noise {
		g.key = mix64(g.key ^ 1)
	}
	seen := make(map[string]bool)
	for i, st := range opts.Stages {
		if len(st) == 0 {
			return nil, fmt.Errorf("sample options: stage %d has no event values", i+1)
		}
		for _, v := range st {
			if v == "" {
				return nil, fmt.Errorf("sample options: stage %d has an empty event value", i+1)
			}
			if seen[v] {
				return nil, fmt.Errorf("sample options: event value %q is in more than one stage", v)
			}
			seen[v] = true
			g.key = mix64(g.key ^ hashString(v) ^ uint64(i))
		}
	}
	unknown := unknownEvents
	if opts.EventCodes {
		unknown = unknownCodes
	}
	for _, v := range unknown {
		if !seen[v] {
			g.unknown = append(g.unknown, v)
		}
	}
	g.md5Buf = make([]byte, 0, md5Batch*32)
	return g, nil
}

// hashString is FNV-1a.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func (g *generator) day(date time.Time) error {
	g.absDay = uint64(date.Unix() / 86400)
	g.dt = date.Format("20060102")
	g.dayStart = date.Unix() - shanghai
	g.dayEnd = g.dayStart + 86400
	g.limit = g.dayEnd + int64(LateSpill/time.Second)
	g.r = newRNG(int64(mix64(g.key ^ g.absDay*0x9e3779b97f4a7c15)))
	if g.opts.Time.Millis() {
		g.msr = newRNG(int64(mix64(g.key ^ g.absDay*0x9e3779b97f4a7c15 ^ 0x6d73)))
		g.lastTS, g.lastMS = -1, 0
	}
	// md5 counters: 2^40 records per day, distinct across days.
	g.md5Seq = g.absDay << 40
	g.md5s = ""

	// Day n's pool is users [n*half, n*half+Users): half of it returns on n+1.
	half := uint64(g.opts.Users+1) / 2
	for i := 0; i < g.opts.Users; i++ {
		if i%progressEvery == 0 && g.ctx.Err() != nil {
			return g.ctx.Err()
		}
		if err := g.user(g.absDay*half + uint64(i)); err != nil {
			return err
		}
		if g.opts.Progress != nil && (i+1)%progressEvery == 0 {
			g.opts.Progress(progressEvery)
		}
	}
	if g.opts.Progress != nil && g.opts.Users%progressEvery != 0 {
		g.opts.Progress(g.opts.Users % progressEvery)
	}
	if g.opts.Noise {
		for b := 0; b < botsPerDay; b++ {
			if err := g.ctx.Err(); err != nil {
				return err
			}
			if err := g.runBot(uint64(b)); err != nil {
				return err
			}
		}
	}
	return nil
}

// uidIP returns the uid of global user gid and an IP for today, sharing one
// allocation.
func (g *generator) uidIP(gid uint64, ipHash uint64, bot bool) (uid, ip string) {
	b := g.tmp[:0]
	// A bijection on the low 32 bits, so that ids look scattered but stay
	// distinct.
	b = strconv.AppendUint(b, 1_000_000_000+uint64(uint32(gid*2654435761)), 10)
	if bot {
		b = append(b, '9') // outside the range of real users
	}
	n := len(b)
	if bot {
		b = append(b, "47."...) // a cloud provider range
	} else {
		b = strconv.AppendUint(b, uint64(ipPrefixes[(ipHash&0xffff)%uint64(len(ipPrefixes))]), 10)
		b = append(b, '.')
	}
	b = strconv.AppendUint(b, (ipHash>>16)&0xff, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, (ipHash>>24)&0xff, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, 1+(ipHash>>32)%254, 10)
	g.tmp = b
	s := string(b)
	return s[:n], s[n:]
}

func (g *generator) user(gid uint64) error {
	h := mix64(gid ^ g.key)
	dev := &devices[pick(deviceCum, uint32(h))]
	uid, ip := g.uidIP(gid, mix64(h^g.absDay), false)

	n := 1
	for n < maxSessions && g.r.chance(0.4) {
		n++
	}
	var starts [maxSessions]int64
	for k := 0; k < n; k++ {
		hour := pick(hourCum, uint32(g.r.next()))
		s := g.dayStart + int64(hour)*3600 + int64(g.r.intn(3600))
		j := k
		for ; j > 0 && starts[j-1] > s; j-- {
			starts[j] = starts[j-1]
		}
		starts[j] = s
	}
	end := int64(-1 << 62)
	for k := 0; k < n; k++ {
		s := starts[k]
		if s < end+60 {
			s = end + 60 + int64(g.r.small(0, 1800))
		}
		if s >= g.dayEnd {
			break
		}
		var err error
		if end, err = g.session(s, uid, ip, dev); err != nil {
			return err
		}
	}
	return nil
}

// session emits one session starting at t and returns its last ts.
func (g *generator) session(t int64, uid, ip string, dev *device) (int64, error) {
	r := &g.r
	stages := g.opts.Stages
	ev := g.buf[:0]
	add := func(t int64, value, content string, stage int) {
		ev = append(ev, Event{
			UID: uid, TS: t, IP: ip,
			DeviceBrand: dev.brand, Device: dev.model, SystemType: dev.os,
			CustomizeEvent: value, CustomizeEventContent: content, Dt: g.dt,
		})
		e := &ev[len(ev)-1]
		e.Status, e.Bytes = g.status(stage)
	}
	products := 1 + pick(productCum, uint32(r.next()))
	prod := ""
products:
	for p := 0; p < products; p++ {
		if p == 0 || !r.chance(0.12) { // else look at the same product again
			prod = g.product()
		}
		if t >= g.limit {
			break
		}
		add(t, g.value(0), prod, 0)
		for k := 1; k < len(stages); k++ {
			if k == 1 {
				if !r.chance(dev.click) {
					break
				}
				if !r.chance(0.15) { // else in the same second
					t += int64(r.small(1, 60))
				}
			} else {
				if !r.chance(dev.buy) {
					break
				}
				t += int64(r.small(5, 240))
			}
			if t >= g.limit {
				break products
			}
			add(t, g.value(k), prod, k)
		}
		if g.opts.Noise && len(g.unknown) > 0 && r.chance(pUnknown) {
			t += int64(r.small(0, 30))
			if t >= g.limit {
				break
			}
			add(t, g.unknown[r.intn(len(g.unknown))], prod, -1)
		}
		t += int64(r.small(3, 120))
	}
	for i := range ev {
		if i+1 < len(ev) {
			gap := ev[i+1].TS - ev[i].TS
			if gap == 0 {
				ev[i].UseTime = int64(r.between(40, 999))
			} else {
				ev[i].UseTime = gap*1000 - int64(r.intn(1000))
			}
		} else {
			ev[i].UseTime = int64(r.small(1000, 90000))
		}
	}
	g.buf = ev
	if len(ev) == 0 {
		return t, nil
	}
	for i := range ev {
		if err := g.out(&ev[i]); err != nil {
			return 0, err
		}
	}
	return ev[len(ev)-1].TS, nil
}

// runBot emits the rows of bot b: a crawler walking the catalogue.
func (g *generator) runBot(b uint64) error {
	r := &g.r
	gid := uint64(1)<<40 + g.absDay*botsPerDay + b
	h := mix64(gid ^ g.key)
	dev := &devices[pick(deviceCum, uint32(h))]
	uid, ip := g.uidIP(gid, mix64(h^g.absDay), true)
	n := r.between(botEventsMin, botEventsMax)
	t := g.dayStart + int64(r.intn(86400-3*n))
	e := &g.bot
	for i := 0; i < n; i++ {
		stage := 0
		if len(g.opts.Stages) > 1 && r.chance(0.03) {
			stage = 1
		}
		*e = Event{
			UID: uid, TS: t, IP: ip,
			DeviceBrand: dev.brand, Device: dev.model, SystemType: dev.os,
			CustomizeEvent: g.value(stage), CustomizeEventContent: g.catalog[r.intn(len(g.catalog))],
			UseTime: int64(r.small(20, 400)), Status: 200, Dt: g.dt,
		}
		if r.chance(0.08) {
			e.Status, e.Bytes = 404, int64(r.between(150, 600))
		} else {
			e.Bytes = int64(r.between(8000, 60000))
		}
		if err := g.out(e); err != nil {
			return err
		}
		t += int64(r.intn(4))
	}
	return nil
}

// out stamps an md5 (and a millisecond) on e, applies row noise and emits
// it.
func (g *generator) out(e *Event) error {
	e.MD5 = g.nextMD5()
	if g.opts.Time.Millis() {
		g.stampMS(e)
	}
	if !g.opts.Noise {
		return g.emit(e)
	}
	switch u := g.r.float(); {
	case u < pNullUID:
		e.UID, e.UIDNull = "", true
	case u < pNullUID+pEmptyUID:
		e.UID = ""
	}
	if err := g.emit(e); err != nil {
		return err
	}
	if g.r.chance(pDuplicate) {
		return g.emit(e)
	}
	return nil
}

// stampMS draws e's millisecond: any in a new second, and no earlier than
// the last one's in the same second, so that events keep their order.
func (g *generator) stampMS(e *Event) {
	ms := 0
	if e.TS == g.lastTS {
		ms = g.lastMS + g.msr.intn(1000-g.lastMS)
	} else {
		ms = g.msr.intn(1000)
	}
	e.MS, g.lastTS, g.lastMS = ms, e.TS, ms
}

// value returns an event value of stage k.
func (g *generator) value(k int) string {
	vs := g.opts.Stages[k]
	if len(vs) == 1 {
		return vs[0]
	}
	return vs[g.r.intn(len(vs))]
}

// product draws a product id; a few products get most of the views.
func (g *generator) product() string {
	u := g.r.float()
	return g.catalog[int(u*u*u*float64(len(g.catalog)))]
}

// status draws an HTTP status and response size for an event of the given
// stage (-1 for an unknown event).
func (g *generator) status(stage int) (status, bytes int64) {
	r := &g.r
	switch u := r.intn(1000); {
	case u < 965:
	case u < 975:
		return 304, 0
	case u < 988:
		return 404, int64(r.between(150, 600))
	case u < 994:
		return 302, int64(r.between(0, 300))
	default:
		return 500, int64(r.between(100, 400))
	}
	switch stage {
	case 0:
		return 200, int64(r.small(8000, 160000))
	case 1:
		return 200, int64(r.between(300, 4000))
	case -1:
		return 200, int64(r.between(200, 2000))
	default:
		return 200, int64(r.between(800, 6000))
	}
}

func (g *generator) nextMD5() string {
	if len(g.md5s) == 0 {
		b := g.md5Buf[:0]
		for i := 0; i < md5Batch; i++ {
			// mix64 is a bijection, so distinct counters give distinct hashes.
			h1 := mix64(g.md5Seq + g.key)
			h2 := mix64(h1 ^ 0x510e527fade682d1)
			g.md5Seq++
			b = appendHex64(b, h1)
			b = appendHex64(b, h2)
		}
		g.md5Buf = b
		g.md5s = string(b)
	}
	s := g.md5s[:32]
	g.md5s = g.md5s[32:]
	return s
}

const hexDigits = "0123456789abcdef"

func appendHex64(b []byte, v uint64) []byte {
	var a [16]byte
	for i := 15; i >= 0; i-- {
		a[i] = hexDigits[v&0xf]
		v >>= 4
	}
	return append(b, a[:]...)
}

// catalog returns the product ids, shared by all generators.
var catalog = sync.OnceValue(func() []string {
	b := make([]byte, 0, catalogSize*12)
	for i := 0; i < catalogSize; i++ {
		b = append(b, "item_"...)
		b = strconv.AppendInt(b, int64(1_000_001+i), 10)
	}
	s := string(b)
	ids := make([]string, catalogSize)
	for i := range ids {
		ids[i] = s[i*12 : (i+1)*12]
	}
	return ids
})

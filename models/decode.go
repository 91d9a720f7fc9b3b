package models

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// decoder maps a value tree onto Go structs by their `toml` tags. It is strict:
// unknown keys and wrong types are diagnostics, all of them collected, so a
// user sees every mistake in one run. Struct fields may carry a `default`
// tag, applied when the key is absent.
type decoder struct {
	diags Diagnostics
	// pos holds, for every path present in the file, the position of its key
	// (or of the value, for array items).
	pos map[string]Position
}

func (d *decoder) errorf(pos Position, path, format string, args ...any) {
	d.diags = append(d.diags, &Diagnostic{Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// bareKeyRE matches the keys TOML writes unquoted.
var bareKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// joinPath appends key to the path base, quoted unless it is a bare key, so
// that a path names a table key such as a target name or a hint as written
// (hints."odps.sql.type.system.odps2"), on one line.
func joinPath(base, key string) string {
	if !bareKeyRE.MatchString(key) {
		key = strconv.Quote(key)
	}
	if base == "" {
		return key
	}
	return base + "." + key
}

// decode sets rv from v. tag is the struct tag of the field rv is, or is
// an element of.
func (d *decoder) decode(v *value, rv reflect.Value, path string, tag reflect.StructTag) {
	if dur, ok := rv.Addr().Interface().(*Duration); ok {
		d.decodeDuration(v, dur, path, tag.Get("duration"))
		return
	}
	if pc, ok := rv.Addr().Interface().(*Percentile); ok {
		d.decodePercentile(v, pc, path)
		return
	}
	if tc, ok := rv.Addr().Interface().(*TimeColumn); ok && v.kind == kindString {
		tc.Name = v.str // the short form: the column's name
		return
	}
	switch rv.Kind() {
	case reflect.Struct:
		d.decodeStruct(v, rv, path)
	case reflect.Slice:
		if v.kind != kindArray {
			d.errorf(v.pos, path, "expected an array, got %s", v.kind)
			return
		}
		s := reflect.MakeSlice(rv.Type(), len(v.items), len(v.items))
		for i, item := range v.items {
			ip := fmt.Sprintf("%s[%d]", path, i)
			d.pos[ip] = item.pos
			d.decode(item, s.Index(i), ip, tag)
		}
		rv.Set(s)
	case reflect.Map:
		if v.kind != kindTable {
			d.errorf(v.pos, path, "expected a table, got %s", v.kind)
			return
		}
		m := reflect.MakeMapWithSize(rv.Type(), len(v.keys))
		for _, k := range v.keys {
			f := v.fields[k]
			kp := joinPath(path, k)
			d.pos[kp] = f.keyPos
			ev := reflect.New(rv.Type().Elem()).Elem()
			d.decode(f.val, ev, kp, tag)
			m.SetMapIndex(reflect.ValueOf(k), ev)
		}
		rv.Set(m)
	case reflect.String:
		if v.kind != kindString {
			d.errorf(v.pos, path, "expected a string, got %s", v.kind)
			return
		}
		rv.SetString(v.str)
	case reflect.Int, reflect.Int64:
		if v.kind != kindInteger {
			d.errorf(v.pos, path, "expected an integer, got %s", v.kind)
			return
		}
		rv.SetInt(v.num)
	case reflect.Bool:
		if v.kind != kindBool {
			d.errorf(v.pos, path, "expected true or false, got %s", v.kind)
			return
		}
		rv.SetBool(v.b)
	default:
		panic(fmt.Sprintf("models: unsupported field type %s", rv.Type()))
	}
}

// decodeDuration sets dur from v and holds it to the range of its field's
// duration tag (see Duration).
func (d *decoder) decodeDuration(v *value, dur *Duration, path, tag string) {
	if v.kind != kindString {
		d.errorf(v.pos, path, "expected a string, got %s", v.kind)
		return
	}
	lo, hi, seconds := durationRange(tag)
	key := path[strings.LastIndexByte(path, '.')+1:]
	parsed, err := parseDuration(v.str)
	switch {
	case v.str == "":
		d.errorf(v.pos, path, "%s is empty; write a duration from %s to %s", key, lo, hi)
	case err == errDurationRange || (err == nil && (parsed.D < lo.D || parsed.D > hi.D)):
		d.errorf(v.pos, path, "%s %q is out of range; write a duration from %s to %s", key, v.str, lo, hi)
	case err != nil:
		d.errorf(v.pos, path, "%v", err)
	case seconds && parsed.D%time.Second != 0:
		d.errorf(v.pos, path, "%s %q is not a whole number of seconds", key, v.str)
	default:
		*dur = parsed
	}
}

// decodePercentile sets p from a number of percent (see Percentile).
func (d *decoder) decodePercentile(v *value, p *Percentile, path string) {
	if v.kind != kindInteger && v.kind != kindFloat {
		d.errorf(v.pos, path, "expected a number of percent, got %s", v.kind)
		return
	}
	parsed, err := parsePercentile(v.str)
	if err != nil {
		d.errorf(v.pos, path, "%v", err)
		return
	}
	*p = parsed
}

// structFields lists the TOML keys of a struct type, following embedded structs.
func structFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			for k, idx := range structFields(sf.Type) {
				out[k] = append([]int{i}, idx...)
			}
			continue
		}
		name := sf.Tag.Get("toml")
		if name == "" || name == "-" {
			continue
		}
		out[name] = []int{i}
	}
	return out
}

func (d *decoder) applyDefaults(rv reflect.Value) {
	t := rv.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		fv := rv.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			d.applyDefaults(fv)
			continue
		}
		def, ok := sf.Tag.Lookup("default")
		if !ok {
			if fv.Kind() == reflect.Struct {
				d.applyDefaults(fv)
			}
			continue
		}
		if dur, ok := fv.Addr().Interface().(*Duration); ok {
			var err error
			if *dur, err = parseDuration(def); err != nil {
				panic(fmt.Sprintf("models: bad default %q for %s: %v", def, sf.Name, err))
			}
			continue
		}
		switch fv.Kind() {
		case reflect.String:
			fv.SetString(def)
		case reflect.Int, reflect.Int64:
			n, err := strconv.ParseInt(def, 10, 64)
			if err != nil {
				panic(fmt.Sprintf("models: bad default %q for %s", def, sf.Name))
			}
			fv.SetInt(n)
		case reflect.Bool:
			fv.SetBool(def == "true")
		default:
			panic(fmt.Sprintf("models: no default for %s of kind %s", sf.Name, fv.Kind()))
		}
	}
}

func (d *decoder) decodeStruct(v *value, rv reflect.Value, path string) {
	if v.kind != kindTable {
		d.errorf(v.pos, path, "expected a table, got %s", v.kind)
		return
	}
	d.applyDefaults(rv)
	known := structFields(rv.Type())
	for _, k := range v.keys {
		f := v.fields[k]
		kp := joinPath(path, k)
		idx, ok := known[k]
		if !ok {
			d.unknownKey(f.keyPos, path, k, known)
			continue
		}
		d.pos[kp] = f.keyPos
		d.decode(f.val, rv.FieldByIndex(idx), kp, rv.Type().FieldByIndex(idx).Tag)
	}
}

// credentialsFix says where credentials go instead of funnel.toml.
const credentialsFix = "credentials never go in funnel.toml; set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET in the environment, or use an odps config file (--odps-config)"

// credentialWords are what the names people put credentials under hold,
// lower-cased and without '.', '_' and '-': access_key, AccessKeyId,
// odps.access.key, security_token, password, ...
var credentialWords = []string{"accessid", "accesskey", "secret", "password", "passwd", "token"}

// credentialParts are the parts of a key between '.', '_' and '-' that
// name a credential by its short name: odps.ak, access_sk, ...
var credentialParts = []string{"ak", "sk", "akid", "aksecret"}

// isCredentialKey reports whether a key names a credential.
func isCredentialKey(key string) bool {
	lower := strings.ToLower(key)
	k := strings.NewReplacer(".", "", "_", "", "-", "").Replace(lower)
	for _, w := range credentialWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	parts := strings.FieldsFunc(lower, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	return slices.ContainsFunc(parts, func(p string) bool { return slices.Contains(credentialParts, p) })
}

// accessKeyID matches an Alibaba Cloud AccessKey ID ("LTAI" and letters
// and digits), a value that is a credential whatever its key.
var accessKeyID = regexp.MustCompile(`^LTAI[0-9A-Za-z]{12,30}$`)

func (d *decoder) unknownKey(pos Position, path, key string, known map[string][]int) {
	kp := joinPath(path, key)
	if isCredentialKey(key) {
		d.errorf(pos, kp, "%s", credentialsFix)
		return
	}
	if f, ok := unbuilt[strings.ToLower(key)]; ok && funnelPathRE.MatchString(path) {
		d.errorf(pos, kp, "%s are not yet supported (docs/funnels.md, \"Not built yet\"): remove the key", f)
		return
	}
	names := slices.Sorted(maps.Keys(known))
	msg := fmt.Sprintf("unknown key %q", key)
	if s := closest(key, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else if len(names) > 0 {
		where := "the top level"
		if path != "" {
			where = path
		}
		msg += fmt.Sprintf("; valid keys in %s: %s", where, strings.Join(names, ", "))
	}
	d.errorf(pos, kp, "%s", msg)
}

// unbuilt are the keys a funnel would take for a feature fgen does not
// build yet (docs/funnels.md, "Not built yet"), with the feature's name:
// refused as such, not as a typo.
var unbuilt = map[string]string{
	"exclusions":           "exclusion steps",
	"exclusion":            "exclusion steps",
	"exclude":              "exclusion steps",
	"hold":                 "held properties",
	"strict":               "ClickHouse's strict modes",
	"strict_mode":          "ClickHouse's strict modes",
	"strict_order":         "ClickHouse's strict modes",
	"strict_deduplication": "ClickHouse's strict modes",
	"strict_increase":      "ClickHouse's strict modes",
	"strict_once":          "ClickHouse's strict modes",
}

// funnelPathRE matches the path of a funnel's table, funnels[i].
var funnelPathRE = regexp.MustCompile(`^funnels\[\d+\]$`)

// closest returns the candidate nearest to s by edit distance, ignoring
// case, if it is near enough to be a plausible typo: a key of funnel.toml or
// a value of one.
func closest(s string, candidates []string) string {
	best, bestDist := "", 1<<30
	limit := max(2, utf8.RuneCountInString(s)/3)
	for _, c := range candidates {
		if dist, ok := EditDistanceWithin(strings.ToLower(s), strings.ToLower(c), limit); ok && dist < bestDist {
			best, bestDist = c, dist
		}
	}
	return best
}

// EditDistanceWithin is EditDistance when it is at most limit; ok is false
// otherwise. Strings whose lengths differ by more than limit are told
// apart without building the table: a 2 MB key or a long value of the
// data costs no more than its length.
func EditDistanceWithin(a, b string, limit int) (dist int, ok bool) {
	if n := utf8.RuneCountInString(a) - utf8.RuneCountInString(b); n > limit || -n > limit {
		return 0, false
	}
	dist = EditDistance(a, b)
	return dist, dist <= limit
}

// EditDistance is the optimal string alignment distance of a and b, by
// runes: insertions, deletions, substitutions and transpositions of
// neighbours, the edits a typo makes (--form is one edit from --from).
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

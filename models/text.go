package models

import (
	"fmt"
	"net/url"
	"strings"
)

// The strings of funnel.toml end up in generated SQL, in the DataWorks
// workflow, in file paths, in URLs and in fgen's messages, so each is held
// to what its place can take:
//
//   - No string holds a control character: C0 (U+0000-U+001F), DEL
//     (U+007F) or C1 (U+0080-U+009F), nor the line and paragraph separators
//     (U+2028, U+2029) or the bidirectional embeddings, overrides and
//     isolates (U+202A-U+202E, U+2066-U+2069), which make text read other
//     than it is. A NUL ends a C string; the others break lines of SQL,
//     paths and messages, or hide what a reviewer reads.
//   - Except tab and newline in strings that reach generated SQL (sqlText):
//     an event value or a breakdown marker is data that may hold them, and
//     the dialects write literals byte-exact; comments and descriptions are
//     folded onto one line in "--" comments and escaped in COMMENT literals.
//     Names, paths, the time zone, the cron, the endpoint, hints and target
//     names take none (lineText).
//   - No string that reaches generated SQL holds "${": DataWorks replaces
//     ${...} anywhere in a node's code before it runs it, string literals and
//     comments included, so a comment would change with the date and an
//     event value would never match.

// controlChar returns the first control character of s, tab and newline
// aside when tabNewline is set.
func controlChar(s string, tabNewline bool) (rune, bool) {
	for _, r := range s {
		switch {
		case tabNewline && (r == '\t' || r == '\n'):
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0x2028, r == 0x2029,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return r, true
		}
	}
	return 0, false
}

// lineText checks a string that takes no control character at all.
func (v *validator) lineText(path, what, s string) bool {
	if r, ok := controlChar(s, false); ok {
		v.errorf(path, "%s %q contains the control character U+%04X; remove it", what, s, r)
		return false
	}
	return true
}

// sqlText checks a string that reaches generated SQL: a comment, a
// description, an event value or a breakdown marker.
func (v *validator) sqlText(path, what, s string) bool {
	if r, ok := controlChar(s, true); ok {
		v.errorf(path, "%s %q contains the control character U+%04X; remove it (tab and newline are the only control characters allowed here)", what, s, r)
		return false
	}
	if strings.Contains(s, "${") {
		v.errorf(path, "%s %q contains \"${\", which DataWorks replaces with a scheduling parameter anywhere in a node's code, string literals and comments included; remove it", what, s)
		return false
	}
	return true
}

// MaxCompute's limits on a table: a comment of at most 1,024 bytes, at
// most 1,200 columns (https://www.alibabacloud.com/help/en/maxcompute/user-guide/maxcompute-sql-limits).
const (
	MaxCommentBytes = 1024
	MaxColumns      = 1200
)

// comment checks a table's or column's comment: an SQL text within
// MaxCompute's length.
func (v *validator) comment(path, s string) {
	if v.sqlText(path, "comment", s) && len(s) > MaxCommentBytes {
		v.errorf(path, "comment is %d bytes long; MaxCompute takes at most %d: shorten it", len(s), MaxCommentBytes)
	}
}

// sqlTexts checks the strings of the config that reach generated SQL, the
// names aside (they are identifiers).
func (v *validator) sqlTexts() {
	c := v.c
	tables := []struct {
		path string
		t    *Table
	}{{"ods", &c.ODS}, {"dw", &c.DW.Table}}
	for _, t := range tables {
		v.comment(t.path+".comment", t.t.Comment)
		for i, col := range t.t.Columns {
			v.comment(fmt.Sprintf("%s.columns[%d].comment", t.path, i), col.Comment)
		}
		if len(t.t.Columns) > MaxColumns {
			v.errorf(t.path+".columns", "table %q has %d columns; MaxCompute takes at most %d", t.t.Name, len(t.t.Columns), MaxColumns)
		}
	}
	for i, f := range c.Funnels {
		p := fmt.Sprintf("funnels[%d]", i)
		v.sqlText(p+".description", "description", f.Description)
		for j, s := range f.Stages {
			for k, e := range s.Events {
				v.sqlText(fmt.Sprintf("%s.stages[%d].events[%d]", p, j, k), "event value", e)
			}
		}
		v.comment(p+".report.comment", f.Report.Comment)
		v.sqlText(p+".report.total_marker", "total_marker", f.Report.TotalMarker)
		v.sqlText(p+".report.null_marker", "null_marker", f.Report.NullMarker)
		v.sqlText(p+".report.other_marker", "other_marker", f.Report.OtherMarker)
	}
}

// endpointExample is how a MaxCompute endpoint is written.
const endpointExample = `"https://service.cn-hangzhou.maxcompute.aliyun.com/api"`

// endpoint checks a MaxCompute endpoint. Its messages never show what may
// be a secret: user information, a query, a fragment (see redactedURL).
func (v *validator) endpoint(path, ep string) {
	if ep == "" {
		v.errorf(path, "endpoint is required, e.g. %s", endpointExample)
		return
	}
	if r, ok := controlChar(ep, false); ok {
		v.errorf(path, "endpoint contains the control character U+%04X; remove it", r)
		return
	}
	u, err := url.Parse(ep)
	switch {
	case err != nil:
		v.errorf(path, "endpoint is not a valid URL; write it like %s", endpointExample)
	case u.User != nil:
		v.errorf(path, "endpoint %q holds credentials; remove them: %s", redactedURL(u), credentialsFix)
	case u.Opaque != "" || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		v.errorf(path, "endpoint %q is not an http(s) URL; write it like %s", redactedURL(u), endpointExample)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		v.errorf(path, "endpoint %q must have no query (?...) or fragment (#...); write it like %s", redactedURL(u), endpointExample)
	case !strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/api"):
		v.errorf(path, "endpoint %q must end in /api; write it like %s", redactedURL(u), endpointExample)
	}
}

// redactedURL shows u with its user information, query and fragment, where
// credentials may hide, each replaced by [redacted].
func redactedURL(u *url.URL) string {
	const r = "[redacted]"
	if u.Opaque != "" {
		return u.Scheme + ":" + r
	}
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme + ":")
	}
	if u.Host != "" || u.User != nil {
		b.WriteString("//")
		if u.User != nil {
			b.WriteString(r + "@")
		}
		b.WriteString(u.Host)
	}
	b.WriteString(u.EscapedPath())
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteString("?" + r)
	}
	if u.Fragment != "" {
		b.WriteString("#" + r)
	}
	return b.String()
}

// Package sample generates synthetic ODS events for fgen's conversion funnels
// and writes them as JSON Lines or CSV. It is plain Go: DuckDB writes them
// as Parquet or appends them to a table (internal/ingest: CreateSample,
// AppendSample), from the CSV this package writes.
//
// # Shape
//
// Rows follow the seed's ods_user_trace_data (see [Columns]) plus the
// partition column dt (yyyymmdd, the business day). Every file format and
// table of sample rows carries dt as a trailing 13th column, because a row's partition
// cannot be derived from its ts (see late rows below).
//
// For each business day D a pool of Options.Users users is active; half of
// each day's pool returns the next day. A user keeps one device (brand, model
// and OS from a fixed mix of Chinese-market phones) across days and gets a new
// mobile IP each day. A user has one or more sessions; a session browses
// several products (customize_event_content, e.g. "item_1004211", drawn with
// a strong popularity skew) and for each product may go on to the next
// funnel stage and the one after, with per-device probabilities of about
// 30-40 % (first step) and 20-35 % (each later step). Events of a session lie
// seconds to minutes apart, some in the same second. Session start times
// follow a daily curve with an evening peak.
//
// # Time and late rows
//
// ts is epoch seconds, or as Options.Time says: epoch milliseconds, a
// DATETIME or TIMESTAMP (UTC wall time), or a STRING in a format and time
// zone ([TimeFormatFor]); with millisecond precision each row also gets a
// millisecond, which never reorders the rows of a session. Sessions start
// within the Asia/Shanghai day of D, [D 00:00, D+1 00:00) at UTC+8, but a
// session that starts shortly before midnight runs on: a small fraction of
// rows (well under 1 %) have ts in [D+1 00:00, D+1 00:00 + [LateSpill]) and
// still carry dt = D. No row is earlier than D 00:00 or later than that
// bound.
//
// Rows are emitted user by user, not in ts order.
//
// # Values
//
// status is mostly 200 (also 304, 302, 404, 500); bytes depends on status and
// event; use_time is the time spent on the event in milliseconds, roughly the
// gap to the user's next event; ip is a dotted IPv4 address; md5 is 32
// lower-case hex digits, unique per distinct record (a hash of a counter, not
// an MD5 of anything).
//
// # Noise
//
// With Options.Noise (each rate per row unless noted):
//   - about 0.6 % of rows have an empty uid and 0.6 % a NULL uid ([Event.UIDNull]);
//   - about 1.2 % of browsed products add a row with an event value that is in
//     no stage: "share", "favorite", "search", "add_cart", "" or "Browse" (with
//     Options.EventCodes, an integer event column's, "0", "-1", "97", "98",
//     "99" or "1000");
//   - about 1 % of rows are emitted twice with every field equal, md5 included
//     (the log shipped twice);
//   - two bot users per day each send 2,000 to 6,000 rapid first-stage rows
//     (a few second-stage ones, no later stages) from one data-centre IP.
//
// Without Noise none of these occur: every uid is non-empty, every event value
// belongs to a stage and md5 values are all distinct.
//
// # Determinism
//
// The same Options give the same rows in the same order, byte for byte, on
// every platform and Go release (the generator is a fixed wyrand stream, not
// math/rand). Each day depends only on the seed, the other options and its own
// date, so generating Days: 2 yields exactly the rows of two single-day runs.
//
// # NULL in files
//
// JSON Lines writes NULL as null. CSV writes NULL as an empty unquoted field
// and the empty string as "" (RFC 4180 quoting). encoding/csv reads both as ""
// and so cannot tell them apart; DuckDB can, with allow_quoted_nulls=false,
// as in [DuckDBSource].
package sample

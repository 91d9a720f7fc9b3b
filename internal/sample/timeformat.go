package sample

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fgen-dev/fgen/models"
)

// TimeFormat is how files and tables of sample rows hold the ts column. The
// zero value is BIGINT epoch seconds, the seed's.
type TimeFormat struct {
	kind   timeKind
	layout string         // tsString: the Go layout of the column's format
	zone   *time.Location // tsString: the zone its wall times are in
	millis bool           // the column holds milliseconds
	desc   string
}

type timeKind uint8

const (
	tsSeconds  timeKind = iota // BIGINT epoch seconds
	tsMillis                   // BIGINT epoch milliseconds
	tsDatetime                 // DATETIME or TIMESTAMP: UTC wall time to the millisecond
	tsString                   // STRING in a format and time zone
)

// datetimeLayout is how a DATETIME or TIMESTAMP is written in a text file:
// the UTC wall time, as the local engine reads it (models.TimeDatetime).
const datetimeLayout = "2006-01-02 15:04:05.000"

// TimeFormatFor returns how a time column of ODS type typ, read as tc
// declares it (a funnel's time_column), holds a time: epoch seconds or
// milliseconds (unit = "ms"), a DATETIME or TIMESTAMP as UTC wall time
// "yyyy-MM-dd HH:mm:ss.SSS", or a STRING in tc's format and time zone. A
// STRING without a format holds epoch seconds.
func TimeFormatFor(typ string, tc models.TimeColumn) (TimeFormat, error) {
	switch models.TimeKind(typ) {
	case models.TimeEpoch:
		if tc.Unit == "ms" {
			return TimeFormat{kind: tsMillis, millis: true, desc: "epoch milliseconds"}, nil
		}
	case models.TimeDatetime:
		return TimeFormat{kind: tsDatetime, millis: true, desc: "UTC wall time yyyy-MM-dd HH:mm:ss.SSS"}, nil
	case models.TimeString:
		if tc.Format == "" {
			break
		}
		layout, err := tc.GoLayout()
		if err != nil {
			return TimeFormat{}, err
		}
		zone, err := time.LoadLocation(tc.Timezone)
		if err != nil {
			return TimeFormat{}, fmt.Errorf("time zone %q: %w", tc.Timezone, err)
		}
		return TimeFormat{kind: tsString, layout: layout, zone: zone, millis: strings.Contains(tc.Format, "SSS"),
			desc: fmt.Sprintf("%q in %s", tc.Format, tc.Timezone)}, nil
	}
	return TimeFormat{}, nil
}

// TimeFormatOf returns how the ODS column ts of cfg holds a time
// (TimeFormatFor): as the first funnel whose time column is ts reads it,
// or else as its type says.
func TimeFormatOf(cfg *models.Config) (TimeFormat, error) {
	col, ok := cfg.ODS.Column("ts")
	if !ok {
		return TimeFormat{}, nil
	}
	for _, f := range cfg.Funnels {
		if strings.EqualFold(f.TimeColumn.Name, col.Name) {
			return TimeFormatFor(col.Type, f.TimeColumn)
		}
	}
	return TimeFormatFor(col.Type, models.TimeColumn{Name: col.Name})
}

// String describes the format: "epoch seconds", "epoch milliseconds", ...
func (f TimeFormat) String() string {
	if f.kind == tsSeconds {
		return "epoch seconds"
	}
	return f.desc
}

// Millis reports whether the column holds milliseconds, which Generate then
// draws (Event.MS).
func (f TimeFormat) Millis() bool { return f.millis }

// duckType is the DuckDB type of the column.
func (f TimeFormat) duckType() string {
	switch f.kind {
	case tsDatetime:
		return "TIMESTAMP"
	case tsString:
		return "VARCHAR"
	}
	return "BIGINT"
}

// appendNumber appends e's time as an integer of seconds or milliseconds.
func (f TimeFormat) appendNumber(b []byte, e *Event) []byte {
	if f.kind == tsMillis {
		return strconv.AppendInt(b, e.TS*1000+int64(e.MS), 10)
	}
	return strconv.AppendInt(b, e.TS, 10)
}

// appendText appends e's time as text: a DATETIME's UTC wall time or a
// STRING in its format.
func (f TimeFormat) appendText(b []byte, e *Event) []byte {
	at := time.Unix(e.TS, int64(e.MS)*1e6)
	if f.kind == tsDatetime {
		return at.UTC().AppendFormat(b, datetimeLayout)
	}
	return at.In(f.zone).AppendFormat(b, f.layout)
}

package models

import (
	"testing"
)

// badEdit is an edit of the shipped config and the one diagnostic it must
// give, exactly.
type badEdit struct {
	name     string
	old, new string
	want     string
}

func runBadEdits(t *testing.T, tests []badEdit) {
	t.Helper()
	base := shipped(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("funnel.toml", []byte(edit(t, base, tt.old, tt.new)))
			if err == nil {
				t.Fatalf("no error, want\n%s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestPlaceholderInSQLText: DataWorks replaces ${...} anywhere in a node's
// code, string literals and comments included, so no string that reaches
// generated SQL may hold "${".
func TestPlaceholderInSQLText(t *testing.T) {
	const why = `contains "${", which DataWorks replaces with a scheduling parameter anywhere in a node's code, string literals and comments included; remove it`
	runBadEdits(t, []badEdit{
		{"table comment", `comment = "cleaned user trace events"`, `comment = "cleaned ${bizdate} events"`,
			`funnel.toml:62:1: dw.comment: comment "cleaned ${bizdate} events" ` + why},
		{"column comment", `comment = "hash of the log record"`, `comment = "${x}"`,
			`funnel.toml:44:56: ods.columns[0].comment: comment "${x}" ` + why},
		{"description", `description = "browse -> click -> purchase, events per day"`, `description = "per ${bdp.system.bizdate}"`,
			`funnel.toml:82:1: funnels[0].description: description "per ${bdp.system.bizdate}" ` + why},
		{"event value", `events = ["click"]`, `events = ["click", "cl${x}"]`,
			`funnel.toml:88:43: funnels[0].stages[1].events[1]: event value "cl${x}" ` + why},
		{"report comment", `comment = "daily browse/click/purchase funnel"`, `comment = "${a"`,
			`funnel.toml:95:1: funnels[0].report.comment: comment "${a" ` + why},
		{"total marker", `partition = "dt"
count_type`, `partition = "dt"
total_marker = "${x}"
count_type`,
			`funnel.toml:97:1: funnels[0].report.total_marker: total_marker "${x}" ` + why},
		{"null marker", `partition = "dt"
count_type`, `partition = "dt"
null_marker = "n/a ${x}"
count_type`,
			`funnel.toml:97:1: funnels[0].report.null_marker: null_marker "n/a ${x}" ` + why},
	})
}

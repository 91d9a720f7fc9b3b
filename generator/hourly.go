package generator

import "github.com/fgen-dev/fgen/models"

// Hourly partitions. A table may be partitioned by day and hour, (dt, hh),
// the hour a STRING "00" to "23" as a DataWorks hourly sync writes it:
//
//   - a daily node reads every hour of its day from such a table: a filter on
//     the day partition alone prunes to the day's 24 hour partitions;
//   - an hourly node (the DW node of an hourly DW table, the report node of a
//     funnel with grain = "hour") computes one hour partition from the same
//     hour partition of its input, and runs every hour in DataWorks.

// hourView is what a table view knows of its hour partition.
type hourView struct {
	// HourPartition is the table's hour partition column; "" for a table
	// partitioned by day alone.
	HourPartition string
	// HourParam is the hour its partition is written for: a placeholder,
	// or the hour itself; "" for a daily table.
	HourParam string
}

// dwHours says which hour partitions of the ODS table the DW node reads:
// with Hour set (an hourly DW), the ODS partition (day, Hour); else the
// day's every hour, or its one partition when the ODS is daily.
type dwHours struct {
	SourceHourly  bool   // the ODS table is partitioned by (day, hour)
	HourPartition string // the ODS hour partition column
	Hour          string // the hour an hourly DW node computes; "" for a daily one
}

func (v *dwView) setHours(c *models.Config, d dates) {
	v.SourceHourly = c.ODS.Hourly()
	v.HourPartition = c.ODS.HourPartition
	if c.DW.Hourly() {
		v.Hour = d.Hour
		v.Table.HourParam = d.Hour
	}
}

// rptHours is the hour an hourly report computes, from the DW partition
// (Day, Hour); Hour is "" for a daily report, which reads every hour of
// the day of an hourly DW.
type rptHours struct {
	Hour                string
	SourceHourly        bool   // the DW table is partitioned by (day, hour)
	SourceHourPartition string // its hour partition column
}

func (v *rptView) setHours(c *models.Config, f *models.Funnel, d dates) {
	v.SourceHourly = c.DW.Hourly()
	v.SourceHourPartition = c.DW.HourPartition
	if f.Hourly() {
		v.Hour = d.Hour
		v.Table.HourParam = d.Hour
	}
}

// hourlyNode reports whether the node of a table view runs every hour.
func hourlyNode(t tableView) bool { return t.HourPartition != "" }

// Period is what one run of a report node covers, for its comments: "hour"
// for an hourly report, else "day".
func (h rptHours) Period() string {
	if h.Hour != "" {
		return "hour"
	}
	return "day"
}

// InPeriod is Period with its preposition: "in the hour", "on the day".
func (h rptHours) InPeriod() string {
	if h.Hour != "" {
		return "in the hour"
	}
	return "on the day"
}

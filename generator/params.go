package generator

import "github.com/fgen-dev/fgen/models"

// Param is a DataWorks scheduling parameter a node's SQL uses, written
// ${Name} in it.
type Param struct {
	Name string
	// Value is the node's assignment of the parameter (name=value), e.g.
	// $[yyyymmdd-2]; empty for a system parameter, which needs none.
	Value string
	// Offset is the day the parameter stands for, in days after the
	// business date the node computes: 0 for that day, 1 for the next.
	Offset int
	// Hour: the parameter stands for the hour (00 to 23) an hourly node
	// computes, not for a day.
	Hour bool
}

// Placeholder is how the parameter is written in SQL.
func (p Param) Placeholder() string { return "${" + p.Name + "}" }

// The scheduling parameters fgen writes into nodes. A node computes a day D:
// with parameters = "system" it is ${bdp.system.bizdate}, with "custom" a
// node parameter ${bizdate}=$bizdate. A cross_midnight funnel's day D is
// final once D+1 has landed, so its node runs one day behind: D is the day
// before the business date, and D+1 the business date.
var (
	paramSystemBizdate = Param{Name: "bdp.system.bizdate"}
	paramBizdate       = Param{Name: "bizdate", Value: "$bizdate"}
	paramFinal         = Param{Name: "final_bizdate", Value: "$[yyyymmdd-2]"}
	paramFinalNext     = Param{Name: "final_next_bizdate", Value: "$[yyyymmdd-1]", Offset: 1}
)

// The parameters of an hourly node, which runs every hour and computes the
// hour before its scheduled time: $[...] is the scheduled time, and -1/24
// one hour earlier, so the run at 00:10 computes hour 23 of the day before
// (https://www.alibabacloud.com/help/en/dataworks/user-guide/supported-formats-of-scheduling-parameters).
var (
	paramHourDay = Param{Name: "bizhour_day", Value: "$[yyyymmdd-1/24]"}
	paramHour    = Param{Name: "bizhour", Value: "$[hh24-1/24]", Hour: true}
)

// hourParams returns the scheduling parameters of an hourly node: the day
// and the hour it computes. Sorted by name.
func hourParams() []Param {
	return []Param{paramHour, paramHourDay}
}

// dayParams returns the scheduling parameters of the DW node (f nil) or of
// funnel f's RPT node: the day it computes, and for a cross_midnight funnel
// the day after it. Sorted by name.
func dayParams(cfg *models.Config, f *models.Funnel) []Param {
	if f != nil && f.DayBoundary == models.CrossMidnight {
		return []Param{paramFinal, paramFinalNext}
	}
	if cfg.DataWorks.Parameters == "custom" {
		return []Param{paramBizdate}
	}
	return []Param{paramSystemBizdate}
}

// dates are what a node's SQL says for the day it computes and the day
// after it: the placeholders of its parameters in files, the days
// themselves when fgen runs it for a business date.
type dates struct {
	Day, Next string
	Hour      string // the hour an hourly node computes
}

// placeholders are the dates of a node written as its parameters.
func placeholders(params []Param) dates {
	var d dates
	for _, p := range params {
		if p.Hour {
			d.Hour = p.Placeholder()
			continue
		}
		switch p.Offset {
		case 0:
			d.Day = p.Placeholder()
		case 1:
			d.Next = p.Placeholder()
		}
	}
	return d
}

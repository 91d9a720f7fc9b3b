package odpstest

import "strings"

// aggregates are MaxCompute's aggregate functions that fgen's SQL, or SQL
// like it, calls: one of them followed by OVER is a window function.
// https://www.alibabacloud.com/help/en/maxcompute/user-guide/aggregate-functions
var aggregates = map[string]bool{
	"COUNT": true, "SUM": true, "MIN": true, "MAX": true, "AVG": true,
	"BITWISE_OR_AGG": true, "BITWISE_AND_AGG": true, "COLLECT_LIST": true, "COLLECT_SET": true,
	"ARG_MIN": true, "ARG_MAX": true, "MIN_BY": true, "MAX_BY": true, "ANY_VALUE": true,
	"MEDIAN": true, "PERCENTILE": true, "PERCENTILE_APPROX": true, "APPROX_DISTINCT": true,
	"STDDEV": true, "STDDEV_SAMP": true, "VARIANCE": true, "VAR_SAMP": true, "WM_CONCAT": true,
}

// checkWindows refuses a window function nested in another, or in an
// aggregate, and one at the same level of a query as an aggregate:
// "Window functions cannot be nested or mixed with aggregates at one
// level: each level is its own subquery" (docs/MAXCOMPUTE.md of the
// brief). A level is a SELECT and what follows it up to the end of its
// query; a subquery in it is a level of its own. Called with s.mu held.
func checkWindows(toks []token) error {
	for i, t := range toks {
		if t.is("select") {
			if err := checkLevel(toks, i+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLevel checks the level whose SELECT is just before toks[i].
func checkLevel(toks []token, i int) error {
	var agg, window *token
	for depth := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.punct(";"):
			return nil
		case subquery(toks, i):
			i = closing(toks, i) // a level of its own
			continue
		case t.punct("("):
			depth++
			continue
		case t.punct(")"):
			if depth == 0 {
				return nil // the level's query ended
			}
			depth--
			continue
		case depth == 0 && (t.is("union") || t.is("intersect") || t.is("except")):
			return nil // the next SELECT is another level
		}
		end, over, ok := callAt(toks, i)
		if !ok {
			continue
		}
		switch {
		case over:
			// Its arguments and its window hold no window function or
			// aggregate: that would be one nested in it.
			to := end + 1
			if to+1 < len(toks) && toks[to+1].punct("(") {
				to = closing(toks, to+1)
			}
			kind := ""
			if n := call(toks, i+2, to, func(name string, over bool) bool {
				switch {
				case over:
					kind = "window function"
				case aggregates[name]:
					kind = "aggregate"
				}
				return kind != ""
			}); n != nil {
				return semanticErr(*n, "%s %s cannot be nested in window function %s; compute it in a subquery", kind, strings.ToUpper(n.text), strings.ToUpper(t.text))
			}
			if window == nil {
				window = &toks[i]
			}
			i = to
		case aggregates[strings.ToUpper(t.text)]:
			if n := call(toks, i+2, end, func(_ string, over bool) bool { return over }); n != nil {
				return semanticErr(*n, "window function %s cannot be nested in aggregate %s; compute it in a subquery", strings.ToUpper(n.text), strings.ToUpper(t.text))
			}
			if agg == nil {
				agg = &toks[i]
			}
			i = end
		}
		if agg != nil && window != nil {
			return semanticErr(*window, "window function %s and aggregate %s at one level of a query; compute one of them in a subquery", strings.ToUpper(window.text), strings.ToUpper(agg.text))
		}
	}
	return nil
}

// call returns the first function call in toks[from:to], outside
// subqueries, for which bad(its upper-case name, whether OVER follows it)
// holds, or nil.
func call(toks []token, from, to int, bad func(name string, over bool) bool) *token {
	for i := from; i < to && i < len(toks); i++ {
		if subquery(toks, i) {
			i = closing(toks, i)
			continue
		}
		if _, over, ok := callAt(toks, i); ok && bad(strings.ToUpper(toks[i].text), over) {
			return &toks[i]
		}
	}
	return nil
}

// subquery reports whether toks[i] opens a subquery: "(" then SELECT.
func subquery(toks []token, i int) bool {
	return toks[i].punct("(") && i+1 < len(toks) && toks[i+1].is("select")
}

// callAt reports whether toks[i] is the name of a function call, a name
// then "(": ok, with the index of the call's closing ")" and whether OVER
// follows it (a window function's).
func callAt(toks []token, i int) (end int, over, ok bool) {
	t := toks[i]
	if (t.kind != tkWord && t.kind != tkIdent) || i+1 >= len(toks) || !toks[i+1].punct("(") {
		return 0, false, false
	}
	end = closing(toks, i+1)
	return end, end+1 < len(toks) && toks[end+1].is("over"), true
}

package reference

import (
	"reflect"
	"testing"
)

func TestClean(t *testing.T) {
	ods := []ODSRow{
		{Dt: "20240101", DedupKey: ptr("k1"), User: ptr("u1"), Event: ptr("browse"), TS: 10},
		{Dt: "20240101", DedupKey: ptr("k2"), User: nil, Event: ptr("browse"), TS: 11},
		{Dt: "20240101", DedupKey: ptr("k3"), User: ptr(""), Event: ptr("browse"), TS: 12},
		{Dt: "20240101", DedupKey: ptr("k4"), User: ptr("u1"), Event: nil, TS: 13},
		{Dt: "20240101", DedupKey: ptr("k5"), User: ptr("u1"), Event: ptr(""), TS: 14},
		{Dt: "20240101", DedupKey: ptr("k6"), User: ptr("u1"), Event: ptr("login"), TS: 15},
		{Dt: "20240101", DedupKey: ptr("k1"), User: ptr("u1"), Event: ptr("browse"), TS: 10}, // copy of k1
		{Dt: "20240102", DedupKey: ptr("k1"), User: ptr("u1"), Event: ptr("browse"), TS: 10}, // other partition
		{Dt: "20240101", DedupKey: nil, User: ptr("u2"), Event: ptr("click"), TS: 20},
		{Dt: "20240101", DedupKey: nil, User: ptr("u2"), Event: ptr("click"), TS: 20},
		{Dt: "20240101", DedupKey: ptr("k7"), User: ptr("u3"), Event: ptr("click"), TS: 30,
			Dims: map[string]*string{"os": ptr("ios"), "brand": nil}},
	}
	dims := map[string]*string{"os": ptr("ios"), "brand": nil}
	known := map[string]bool{"browse": true, "click": true, "purchase": true}

	tests := []struct {
		name  string
		rules CleanRules
		want  []Row
	}{
		{
			name:  "known events and dedup",
			rules: CleanRules{KnownEvents: known, Dedup: true},
			want: []Row{
				{Dt: "20240101", User: "u1", TS: 10, Event: "browse"},
				{Dt: "20240102", User: "u1", TS: 10, Event: "browse"},
				{Dt: "20240101", User: "u2", TS: 20, Event: "click"},
				{Dt: "20240101", User: "u2", TS: 20, Event: "click"},
				{Dt: "20240101", User: "u3", TS: 30, Event: "click", Dims: dims},
			},
		},
		{
			name:  "all events, no dedup",
			rules: CleanRules{},
			want: []Row{
				{Dt: "20240101", User: "u1", TS: 10, Event: "browse"},
				{Dt: "20240101", User: "u1", TS: 15, Event: "login"},
				{Dt: "20240101", User: "u1", TS: 10, Event: "browse"},
				{Dt: "20240102", User: "u1", TS: 10, Event: "browse"},
				{Dt: "20240101", User: "u2", TS: 20, Event: "click"},
				{Dt: "20240101", User: "u2", TS: 20, Event: "click"},
				{Dt: "20240101", User: "u3", TS: 30, Event: "click", Dims: dims},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clean(ods, tt.rules)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Clean:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// A dedup key is only compared among rows that survive the filters.
func TestCleanDedupAfterFilters(t *testing.T) {
	ods := []ODSRow{
		{Dt: "20240101", DedupKey: ptr("k"), User: ptr(""), Event: ptr("browse"), TS: 1},
		{Dt: "20240101", DedupKey: ptr("k"), User: ptr("u"), Event: ptr("browse"), TS: 1},
	}
	got := Clean(ods, CleanRules{Dedup: true})
	if len(got) != 1 || got[0].User != "u" {
		t.Errorf("Clean = %+v, want the row of user u", got)
	}
}

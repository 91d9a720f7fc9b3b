package sample

import (
	"io"
	"testing"
)

// Run with: go test -run '^$' -bench . -cpu 1 ./internal/sample

var benchOpts = Options{Users: 10000, Seed: 1, Noise: true}

func benchmarkEvents(b *testing.B, emit func(*Event) error, done func()) {
	var n int64
	count := func(e *Event) error {
		n++
		return emit(e)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Generate(benchOpts, count); err != nil {
			b.Fatal(err)
		}
		done()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
}

func BenchmarkGenerate(b *testing.B) {
	benchmarkEvents(b, func(*Event) error { return nil }, func() {})
}

func BenchmarkJSONL(b *testing.B) {
	w := NewJSONLWriter(io.Discard, TimeFormat{})
	benchmarkEvents(b, w.Write, func() { w.Close() })
}

func BenchmarkCSV(b *testing.B) {
	w := NewCSVWriter(io.Discard, TimeFormat{})
	benchmarkEvents(b, w.Write, func() { w.Close() })
}

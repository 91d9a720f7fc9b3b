package chpeer

import (
	"context"
	"testing"
)

// FGEN_CLICKHOUSE=0 skips ClickHouse even where a server answers (the
// benchmark script documents it so); Connect does not look for one.
func TestConnectSkipsWhenAsked(t *testing.T) {
	t.Setenv("FGEN_CLICKHOUSE", "0")
	t.Setenv("FGEN_CLICKHOUSE_PORT", "not a port") // would fail if read
	peer, skip, err := Connect(context.Background(), "no-such-script", t.TempDir())
	if err != nil || peer != nil || skip != "FGEN_CLICKHOUSE=0" {
		t.Errorf("Connect with FGEN_CLICKHOUSE=0 = %v, %q, %v; want no peer, the reason FGEN_CLICKHOUSE=0, no error", peer, skip, err)
	}
}

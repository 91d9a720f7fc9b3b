package maxcompute

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/odpstest"
)

// recordingClient returns a client whose retry sleeps are recorded, not slept.
func recordingClient(t *testing.T, srv *odpstest.Server, maxBackoff time.Duration) (*Client, *[]time.Duration) {
	t.Helper()
	c, err := New(Config{
		Endpoint: srv.Endpoint(), Project: srv.Project(),
		PollInterval: time.Millisecond, BaseBackoff: time.Millisecond, MaxBackoff: maxBackoff, MaxRetries: 3,
	}, Credentials{AccessID: srv.AccessID(), AccessKey: srv.AccessKey()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	var slept []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return ctx.Err()
	}
	return c, &slept
}

func TestRetryAfterIsHonouredAndCapped(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter string
		maxBackoff time.Duration
		want       time.Duration
	}{
		{"seconds", "7", time.Minute, 7 * time.Second},
		{"capped", "3600", 20 * time.Second, 20 * time.Second},
		{"http date in the past", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), time.Minute, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := odpstest.New(t)
			srv.AddTable(odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a", Type: "BIGINT"}}})
			srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Status: http.StatusConflict, RetryAfter: tc.retryAfter})
			c, slept := recordingClient(t, srv, tc.maxBackoff)
			if _, err := c.Table(context.Background(), "t"); err != nil {
				t.Fatalf("Table: %v", err)
			}
			if !slices.Equal(*slept, []time.Duration{tc.want}) {
				t.Errorf("slept %v, want [%v]", *slept, tc.want)
			}
		})
	}
}

func TestConflictWithoutRetryAfterBacksOff(t *testing.T) {
	srv := odpstest.New(t)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTaskStatus, Status: http.StatusConflict, Times: 2})
	c, slept := recordingClient(t, srv, time.Second)
	c.cfg.BaseBackoff = 100 * time.Millisecond
	if err := c.Run(context.Background(), "SELECT 1;", nil, nil); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Two retry delays (50-100ms, then 100-200ms) among the poll pauses (1ms).
	var retries []time.Duration
	for _, d := range *slept {
		if d != time.Millisecond {
			retries = append(retries, d)
		}
	}
	if len(retries) != 2 || retries[0] < 50*time.Millisecond || retries[0] > 100*time.Millisecond ||
		retries[1] < 100*time.Millisecond || retries[1] > 200*time.Millisecond {
		t.Errorf("retry delays = %v, want one in [50ms,100ms] then one in [100ms,200ms]", retries)
	}
}

func TestBackoffIsCapped(t *testing.T) {
	c := &Client{cfg: Config{BaseBackoff: time.Second, MaxBackoff: 5 * time.Second}}
	for attempt := 0; attempt < 70; attempt++ {
		if d := c.backoff(attempt); d < 0 || d > 5*time.Second {
			t.Fatalf("backoff(%d) = %v, want within [0, 5s]", attempt, d)
		}
	}
}

func TestParseTaskError(t *testing.T) {
	for _, tc := range []struct{ in, code, msg string }{
		{"ODPS-0130071:[1,8] Semantic analysis exception - x", "ODPS-0130071", "[1,8] Semantic analysis exception - x"},
		{"FAILED: ODPS-0130161:[2,1] Parse exception - y\n", "ODPS-0130161", "[2,1] Parse exception - y"},
		{"something else ODPS-0123456: z", "", "something else ODPS-0123456: z"},
		{"no code at all", "", "no code at all"},
	} {
		code, msg := parseTaskError(tc.in)
		if code != tc.code || msg != tc.msg {
			t.Errorf("parseTaskError(%q) = %q, %q; want %q, %q", tc.in, code, msg, tc.code, tc.msg)
		}
	}
}

func TestCallRecoversPanic(t *testing.T) {
	_, err := call(context.Background(), func() (int, error) { panic("empty type") }, nil, nil)
	if err == nil || err.Error() != "odps sdk panicked: empty type" {
		t.Errorf("call = %v, want the panic as an error", err)
	}
}

func TestCallHandsAbandonedResultToCleanup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started, release := make(chan struct{}), make(chan struct{})
	cleaned := make(chan int, 1)
	go func() {
		<-started
		cancel()
	}()
	var pending cleanups
	_, err := call(ctx, func() (int, error) {
		close(started)
		<-release
		return 42, nil
	}, func(v int, err error) { cleaned <- v }, &pending)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("call = %v, want context.Canceled", err)
	}
	// The cleanup is pending until fn returns and it has run.
	waited := make(chan struct{})
	go func() {
		pending.wg.Wait()
		close(waited)
	}()
	select {
	case <-waited:
		t.Fatal("nothing pending while fn still runs")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if v := <-cleaned; v != 42 {
		t.Errorf("cleanup got %d, want 42", v)
	}
	<-waited
}

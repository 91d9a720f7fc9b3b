package maxcompute

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aliyun/aliyun-odps-go-sdk/odps/restclient"
)

// call runs fn on its own goroutine so that ctx can interrupt it: no SDK
// call takes a context. When ctx ends first, call returns ctx.Err() at once
// and fn runs on, bounded by the HTTP timeout; cleanup, when not nil, then
// receives fn's eventual result (Submit uses it to terminate a job created
// after its caller gave up), counted in pending until it returns, so that
// the process can wait for it before it exits (Client.Close). A panic in fn
// becomes an error.
func call[T any](ctx context.Context, fn func() (T, error), cleanup func(T, error), pending *cleanups) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1) // the worker's one send never blocks
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: fmt.Errorf("odps sdk panicked: %v", p)}
			}
			ch <- r
		}()
		r.v, r.err = fn()
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		select {
		case r := <-ch: // finished meanwhile: its result wins
			return r.v, r.err
		default:
			if cleanup != nil {
				pending.add()
				go func() {
					defer pending.done()
					r := <-ch
					cleanup(r.v, r.err)
				}()
			}
			return zero, ctx.Err()
		}
	}
}

// cleanups counts the cleanups call leaves running: wg to wait for them,
// n to know whether there are any.
type cleanups struct {
	wg sync.WaitGroup
	n  atomic.Int64
}

func (c *cleanups) add() {
	c.wg.Add(1)
	c.n.Add(1)
}

func (c *cleanups) done() {
	c.n.Add(-1)
	c.wg.Done()
}

// retry runs fn through call until it succeeds, fails for good, or ctx
// ends. Transient failures (HTTP 5xx, 409, network timeouts and resets) are
// retried up to MaxRetries times with capped exponential backoff, honouring
// Retry-After on 409, each retry told to OnRetry. A timeout (no answer
// within HTTPTimeout) is retried only once while the endpoint has never
// answered (maxSilentRetries). Errors come back as *APIError, *TimeoutError
// (or with op as context) and wrap ctx.Err() when the context ended.
func retry[T any](ctx context.Context, c *Client, op string, fn func() (T, error), cleanup func(T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		v, err := call(ctx, fn, cleanup, &c.cleanups)
		var he restclient.HttpError
		if err == nil || errors.As(err, &he) {
			c.answered.Store(true)
		}
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return v, fmt.Errorf("%s: %w", op, ended(ctx))
		}
		delay, transient := c.delay(err, attempt)
		if !transient {
			return v, c.apiError(op, err)
		}
		timeout := timedOut(err)
		retries := c.cfg.MaxRetries
		if timeout && !c.answered.Load() {
			retries = min(retries, maxSilentRetries)
		}
		if attempt >= retries {
			if timeout {
				return v, &TimeoutError{Op: op, Endpoint: c.shown, Timeout: c.cfg.HTTPTimeout, Attempts: attempt + 1, Err: err}
			}
			return v, fmt.Errorf("%w (gave up after %d attempts)", c.apiError(op, err), attempt+1)
		}
		if c.cfg.OnRetry != nil {
			r := Retry{Op: op, Endpoint: c.shown, Attempt: attempt + 2, Attempts: retries + 1, Delay: delay, Err: c.apiError(op, err)}
			if timeout {
				r.Timeout = c.cfg.HTTPTimeout
			}
			c.cfg.OnRetry(r)
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			if ctx.Err() != nil {
				serr = ended(ctx)
			}
			return v, fmt.Errorf("%s: %w (while retrying: %v)", op, serr, c.apiError(op, err))
		}
	}
}

// maxSilentRetries is how often a timeout is retried while the endpoint has
// never answered: once, not MaxRetries times. Each attempt waits the whole
// HTTPTimeout (60s by default), and an endpoint that let two of them pass
// without a word is almost always wrong or out of reach (a VPC endpoint
// outside its VPC, a firewall that drops packets) rather than slow; five
// attempts kept the user waiting five minutes to learn it. Once it has
// answered, a timeout is more likely a passing fault of the network, and
// gets MaxRetries, as a job being watched should not be given up lightly.
const maxSilentRetries = 1

// timedOut reports whether err is a request the endpoint did not answer
// within the HTTP timeout: no connection, or no answer on it.
func timedOut(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) && ue.Timeout()
}

// Retry is a transient failure that a call is about to retry, as
// Config.OnRetry hears of it.
type Retry struct {
	Op       string // what fgen was doing, e.g. "load table events"
	Endpoint string // the endpoint, without credentials
	Attempt  int    // the attempt about to be made: 2 for the first retry
	Attempts int    // how many attempts the call makes at most
	Delay    time.Duration
	// Timeout is the HTTP timeout that passed without an answer; 0 when
	// the failure was another (Err).
	Timeout time.Duration
	Err     error
}

// String says what failed and that it is retried, e.g. "load table events:
// endpoint https://.../api did not answer within 1m0s; retrying in 0.4s
// (attempt 2 of 2)".
func (r Retry) String() string {
	what := r.Err.Error()
	if r.Timeout > 0 {
		what = fmt.Sprintf("%s: endpoint %s did not answer within %v", r.Op, r.Endpoint, r.Timeout)
	}
	return fmt.Sprintf("%s; retrying in %.1fs (attempt %d of %d)", what, r.Delay.Seconds(), r.Attempt, r.Attempts)
}

// do is retry for calls without a result.
func do(ctx context.Context, c *Client, op string, fn func() error) error {
	_, err := retry(ctx, c, op, func() (struct{}, error) { return struct{}{}, fn() }, nil)
	return err
}

// delay says whether err is transient and how long to wait before attempt+1.
func (c *Client) delay(err error, attempt int) (time.Duration, bool) {
	var he restclient.HttpError
	if errors.As(err, &he) {
		switch {
		case he.StatusCode == http.StatusConflict:
			if d, ok := retryAfter(he.Response); ok {
				return min(d, c.cfg.MaxBackoff), true
			}
			return c.backoff(attempt), true
		case he.StatusCode >= 500:
			return c.backoff(attempt), true
		}
		return 0, false // other 4xx: never retried
	}
	var ue *url.Error
	if errors.As(err, &ue) && (ue.Timeout() || errors.Is(ue, syscall.ECONNRESET) ||
		errors.Is(ue, io.EOF) || errors.Is(ue, io.ErrUnexpectedEOF)) {
		return c.backoff(attempt), true
	}
	return 0, false
}

// backoff is BaseBackoff doubled per attempt, capped at MaxBackoff, with
// the upper half jittered.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.BaseBackoff << min(attempt, 30)
	if d <= 0 || d > c.cfg.MaxBackoff {
		d = c.cfg.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(res *http.Response) (time.Duration, bool) {
	if res == nil {
		return 0, false
	}
	v := res.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

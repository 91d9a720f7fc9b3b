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
	"syscall"
	"time"

	"github.com/aliyun/aliyun-odps-go-sdk/odps/restclient"
)

// call runs fn on its own goroutine so that ctx can interrupt it: no SDK
// call takes a context. When ctx ends first, call returns ctx.Err() at once
// and fn runs on, bounded by the HTTP timeout; cleanup, when not nil, then
// receives fn's eventual result (Submit uses it to terminate a job created
// after its caller gave up). A panic in fn becomes an error.
func call[T any](ctx context.Context, fn func() (T, error), cleanup func(T, error)) (T, error) {
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
				go func() {
					r := <-ch
					cleanup(r.v, r.err)
				}()
			}
			return zero, ctx.Err()
		}
	}
}

// retry runs fn through call until it succeeds, fails for good, or ctx
// ends. Transient failures (HTTP 5xx, 409, network timeouts and resets) are
// retried up to MaxRetries times with capped exponential backoff, honouring
// Retry-After on 409. Errors come back as *APIError (or with op as context)
// and wrap ctx.Err() when the context ended.
func retry[T any](ctx context.Context, c *Client, op string, fn func() (T, error), cleanup func(T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		v, err := call(ctx, fn, cleanup)
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return v, fmt.Errorf("%s: %w", op, err)
		}
		delay, transient := c.delay(err, attempt)
		if !transient {
			return v, apiError(op, err)
		}
		if attempt >= c.cfg.MaxRetries {
			return v, fmt.Errorf("%w (gave up after %d attempts)", apiError(op, err), attempt+1)
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			return v, fmt.Errorf("%s: %w (while retrying: %v)", op, serr, apiError(op, err))
		}
	}
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

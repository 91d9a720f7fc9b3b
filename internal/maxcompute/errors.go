package maxcompute

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aliyun/aliyun-odps-go-sdk/odps/restclient"
)

// ErrTableNotFound is wrapped by Client.Table and Client.PartitionExists
// when the table does not exist.
var ErrTableNotFound = errors.New("table not found")

// ErrAccessDenied is matched (errors.Is) by an *APIError with status 401 or
// 403: a wrong access key id or secret, an expired STS token, or missing
// permissions.
var ErrAccessDenied = errors.New("access denied")

// APIError is a failed MaxCompute REST call: a non-2xx answer. It carries
// what the service said and never the credentials.
type APIError struct {
	Op         string // what fgen was doing, e.g. "load table events"
	StatusCode int    // HTTP status, e.g. 403
	Status     string // HTTP status line, e.g. "403 Forbidden"
	Code       string // error code from the body, e.g. "NoSuchObject"
	Message    string // message from the body, usually starting with an ODPS-xxxxxxx code
	RequestID  string // x-odps-request-id, for Alibaba Cloud support
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Op, e.Status)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	if e.denied() && (e.StatusCode == 401 || strings.Contains(e.Message, "ODPS-0410042") || strings.Contains(e.Message, "ODPS-0410051")) {
		b.WriteString("; check the access key id and secret (and the STS token, if any) fgen was given")
	}
	return b.String()
}

// Is reports whether target is ErrAccessDenied and e is a 401 or 403.
func (e *APIError) Is(target error) bool {
	return target == ErrAccessDenied && e.denied()
}

// denied reports a 401 or 403.
func (e *APIError) denied() bool { return e.StatusCode == 401 || e.StatusCode == 403 }

// TimeoutError is a call that the endpoint did not answer within the HTTP
// timeout, on its last attempt. Its message names the endpoint and the
// setting to change, http_timeout (of a target in funnel.toml, or of an
// odps config ini).
type TimeoutError struct {
	Op       string // what fgen was doing, e.g. "load table events"
	Endpoint string // the endpoint, without credentials
	Timeout  time.Duration
	Attempts int
	Err      error // the last attempt's
}

func (e *TimeoutError) Error() string {
	attempts := "1 attempt"
	if e.Attempts > 1 {
		attempts = fmt.Sprintf("%d attempts", e.Attempts)
	}
	return fmt.Sprintf("%s: endpoint %s did not answer within %v (%s); check the endpoint and that this machine can reach it, or, if the service is only slow, raise http_timeout",
		e.Op, e.Endpoint, e.Timeout, attempts)
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// JobTimeoutError is a job that ran past the job timeout (Warehouse's
// JobTimeout), which was then terminated: the cause of its context's end.
type JobTimeoutError struct {
	Timeout time.Duration
	Setting string // where the timeout is set, e.g. "timeout under [targets.prod] in funnel.toml"; "" when unknown
}

func (e *JobTimeoutError) Error() string {
	where := ""
	if e.Setting != "" {
		where = " (" + e.Setting + ")"
	}
	return fmt.Sprintf("it ran past the job timeout of %v%s; if the job is only slow, raise the timeout", e.Timeout, where)
}

// Unwrap makes the error a context.DeadlineExceeded.
func (e *JobTimeoutError) Unwrap() error { return context.DeadlineExceeded }

// apiError turns an SDK HTTP error into an *APIError; other errors get op as context.
func (c *Client) apiError(op string, err error) error {
	var he restclient.HttpError
	if !errors.As(err, &he) {
		return fmt.Errorf("%s: %w", op, err)
	}
	e := &APIError{Op: op, StatusCode: he.StatusCode, Status: he.Status, RequestID: he.RequestId}
	if m := he.ErrorMessage; m != nil {
		e.Code, e.Message = m.ErrorCode, m.Message
		if e.RequestID == "" {
			e.RequestID = m.RequestId
		}
	}
	if e.Code == "" && e.Message == "" && len(he.Body) > 0 {
		// A page not of the service (a proxy's) may echo the request,
		// token and all: masked whole here, as the cut would leave a
		// part of it that fgen's output masking no longer recognises.
		body := string(he.Body)
		for _, s := range c.secrets {
			if s != "" {
				body = strings.ReplaceAll(body, s, redacted)
			}
		}
		e.Message = truncate(strings.TrimSpace(body), 200)
	}
	return e
}

// NotSubmittedError is a Submit that made no job: its context had ended
// before it, or the service refused every attempt outright.
type NotSubmittedError struct{ Err error }

func (e *NotSubmittedError) Error() string { return e.Err.Error() }
func (e *NotSubmittedError) Unwrap() error { return e.Err }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// SQLError is a job whose SQL task ended Failed, Cancelled or Suspended.
type SQLError struct {
	InstanceID string
	Task       string // task name, "AnonymousSQLTask" for fgen's jobs
	Status     string // "FAILED", "CANCELLED" or "SUSPENDED"
	Code       string // e.g. "ODPS-0130071"; empty when the text does not start with one
	Message    string // text after the code, e.g. "[1,8] Semantic analysis exception - ..."
	// RequestID is the request id of the failing call when the service
	// reported one; the SDK does not expose it for a task's result.
	RequestID string
}

func (e *SQLError) Error() string {
	text := e.Message
	if e.Code != "" {
		text = e.Code + ":" + e.Message
	}
	s := fmt.Sprintf("job %s %s: %s", e.InstanceID, strings.ToLower(e.Status), text)
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// odpsCode is an error code at the start of a text.
var odpsCode = regexp.MustCompile(`^ODPS-\d{7}`)

// parseTaskError splits a failed task's result text ("FAILED: ODPS-0130071:[1,8] ...")
// into code and message.
func parseTaskError(text string) (code, msg string) {
	text = strings.TrimSpace(text)
	text = strings.TrimSpace(strings.TrimPrefix(text, "FAILED:"))
	code = odpsCode.FindString(text)
	if code == "" { // no code, or one inside the text: keep the text whole
		return "", text
	}
	return code, strings.TrimSpace(strings.TrimPrefix(text[len(code):], ":"))
}

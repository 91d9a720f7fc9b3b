// Package odpstest is an in-process test double of the MaxCompute (ODPS) REST API.
//
// The real ODPS Go SDK talks to it over plain HTTP on 127.0.0.1 (the SDK's HTTP
// client cannot be injected, so the double is a real server): point
// odps.NewOdps at Server.Endpoint and use the Server's access id, secret and
// project.
//
// The double verifies every request's ODPS signature, holds table metadata and
// partitions, accepts SQL instances and records them in order, decides each
// job's fate through rules and a Responder, applies simple DDL to its own
// tables, records terminations, and can inject HTTP faults. It implements
// only what fgen needs; anything else answers 404.
//
// Each rule it enforces of the SQL names its source (Compile, checkReads,
// checkTypeSystem, checkLiterals, checkNames, checkWindows, checkInserts).
// Where it is simpler than the service, it says so, and these are its
// known limits: a partition list is one page (maxitems and marker are
// not read, so the SDK's paging is not exercised); a query's result is
// CSV without quoting (no value fgen reads back holds a comma or a
// quote); a job is never Waiting; and the texts of errors the service's
// documentation does not give (a partition spec that does not match,
// a missing partition, a terminated job, a table or column that exists)
// are the double's, with the service's codes where known.
package odpstest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults used when no Option overrides them.
const (
	DefaultAccessID  = "odpstest-access-id"
	DefaultAccessKey = "odpstest-access-secret"
	DefaultProject   = "fgen_test"
)

// apiBase is the path prefix of the endpoint, as on the real service.
const apiBase = "/api"

// Server is a running test double. All methods are safe for concurrent use.
type Server struct {
	http *httptest.Server

	accessID  string
	accessKey string
	token     string
	project   string

	mu        sync.Mutex
	tables    map[string]*table // by lower-case name
	jobs      map[string]*job
	jobOrder  []string
	guids     map[string]string // job Guid -> instance id
	rules     []rule
	responder Responder
	// typeSystem1: the project is of the 1.0 data type edition
	// (WithTypeSystem1).
	typeSystem1 bool
	// schemaEvolution: the project allows dropping, retyping and renaming
	// columns (WithSchemaEvolution)
	schemaEvolution bool
	faults          []*fault
	requests        []Request
	terminated      []string
	seq             int
	// clock: when a table is created (WithClock); nil: time.Now
	clock func() time.Time
}

// Option configures a Server.
type Option func(*Server)

// WithCredentials sets the access id and secret requests must be signed with.
func WithCredentials(accessID, accessKey string) Option {
	return func(s *Server) { s.accessID, s.accessKey = accessID, accessKey }
}

// WithSecurityToken makes the server require this STS token in the
// authorization-sts-token header. Without it, a request carrying a token is
// rejected, which catches a stale token leaking into the client.
func WithSecurityToken(token string) Option {
	return func(s *Server) { s.token = token }
}

// WithClock makes now the server's clock for its tables: their
// createTime, last DDL time and partitions' last-modified times. A test
// moves it on to tell a table made again from the one before it, as the
// service's clock moves on between the two.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.clock = now }
}

// WithResponder sets the Responder (see Server.SetResponder).
func WithResponder(r Responder) Option {
	return func(s *Server) { s.responder = r }
}

// New starts a Server and closes it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a Server; the caller must Close it.
func NewServer(opts ...Option) *Server {
	s := &Server{
		accessID:  DefaultAccessID,
		accessKey: DefaultAccessKey,
		project:   DefaultProject,
		tables:    make(map[string]*table),
		jobs:      make(map[string]*job),
		guids:     make(map[string]string),
	}
	for _, opt := range opts {
		opt(s)
	}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.http.Close() }

// Endpoint returns the endpoint to give odps.NewOdps: http://127.0.0.1:port/api.
func (s *Server) Endpoint() string { return s.http.URL + apiBase }

// Project returns the project name the server serves.
func (s *Server) Project() string { return s.project }

// AccessID returns the access id requests must be signed with.
func (s *Server) AccessID() string { return s.accessID }

// AccessKey returns the secret requests must be signed with.
func (s *Server) AccessKey() string { return s.accessKey }

// SecurityToken returns the STS token the server requires, if any.
func (s *Server) SecurityToken() string { return s.token }

// Op classifies a request, for faults and the request log.
type Op string

// Request kinds.
const (
	OpAny        Op = ""           // matches every request (faults only)
	OpSubmit     Op = "submit"     // POST /projects/<p>/instances
	OpInstance   Op = "instance"   // GET an instance (Instance.Load)
	OpTaskStatus Op = "taskstatus" // GET ?taskstatus (Instance.GetTasks)
	OpResult     Op = "result"     // GET ?result (Instance.GetResult)
	OpTerminate  Op = "terminate"  // PUT an instance (Instance.Terminate)
	OpTable      Op = "table"      // GET table metadata (Table.Load)
	OpPartition  Op = "partition"  // GET one partition or a partition list
	OpOther      Op = "other"      // anything else (project, log view hosts, unknown)
)

// Request is one logged request.
type Request struct {
	Method string
	Path   string // without the /api prefix
	Query  string // raw query
	Op     Op
	Status int // status the server answered; 0 while it has not answered yet
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests of kind op were received (all of them for OpAny).
func (s *Server) Count(op Op) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if op == OpAny || r.Op == op {
			n++
		}
	}
	return n
}

// Fault makes matching requests fail with an HTTP error before they are handled.
type Fault struct {
	Op         Op     // which requests; OpAny matches all
	Status     int    // HTTP status to answer, e.g. 503 or 409
	RetryAfter string // value of the Retry-After header, if any
	// Times is how many matching requests fail: 0 means once, a negative
	// value means every matching request.
	Times int
	// AfterCreate applies to OpSubmit: the job is created (and recorded)
	// first and only the answer fails, like a gateway error after the
	// service accepted the job. A retry with the same Guid gets the same job.
	// To OpTaskStatus: the poll is handled first (a job due to finish
	// finishes, and its DDL takes effect), and only the answer fails.
	AfterCreate bool
	// Code and Message fill the ODPS error body; defaults derive from Status.
	Code, Message string
	// Delay holds the answer back this long (or until the client gives up),
	// to play a slow service or a network timeout. With a zero Status the
	// request is then handled normally.
	Delay time.Duration
}

type fault struct {
	Fault
	left int // remaining failures; negative = unlimited
}

// InjectFault adds a fault. Faults apply in the order added; signature checks
// come first.
func (s *Server) InjectFault(f Fault) {
	if f.Status == 0 && f.Delay == 0 {
		panic("odpstest: InjectFault: a fault needs a Status or a Delay")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left == 0 {
		left = 1
	}
	s.faults = append(s.faults, &fault{Fault: f, left: left})
}

// takeFault returns the first active fault for op, consuming one use.
// Called with s.mu held.
func (s *Server) takeFault(op Op) *Fault {
	for _, f := range s.faults {
		if f.left == 0 || (f.Op != OpAny && f.Op != op) {
			continue
		}
		if f.left > 0 {
			f.left--
		}
		ff := f.Fault
		return &ff
	}
	return nil
}

// serveHTTP authenticates, logs, applies faults and routes a request.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// Every SDK request uses a fresh transport; do not pile up idle connections.
	w.Header().Set("Connection", "close")
	rw := &statusWriter{ResponseWriter: w}
	path := strings.TrimPrefix(r.URL.Path, apiBase)
	op := classify(r.Method, path, r.URL.Query())

	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	// A request is logged when it arrives, and its status when it is answered:
	// a request held back by a Delay fault counts from the start, though the
	// server only notices later, if at all, that the client gave up on it.
	i := len(s.requests)
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Op: op})
	defer func() {
		s.requests[i].Status = rw.status
		s.mu.Unlock()
	}()

	if !strings.HasPrefix(r.URL.Path, apiBase+"/") {
		s.writeError(rw, http.StatusNotFound, "NoSuchObject", "ODPS-0410001:Unknown resource - "+r.URL.Path)
		return
	}
	if status, code, msg := s.authenticate(r, path); status != 0 {
		s.writeError(rw, status, code, msg)
		return
	}
	f := s.takeFault(op)
	if f != nil && f.Delay > 0 {
		s.mu.Unlock()
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
		}
		s.mu.Lock()
		if f.Status == 0 {
			f = nil
		}
	}
	if f != nil && f.AfterCreate && op == OpTaskStatus {
		s.route(&statusWriter{ResponseWriter: httptest.NewRecorder()}, r, path, op, body, nil)
		s.writeFault(rw, f)
		return
	}
	if f != nil && !(f.AfterCreate && op == OpSubmit) {
		s.writeFault(rw, f)
		return
	}
	s.route(rw, r, path, op, body, f)
}

// classify names the kind of a request from its method, path and query.
func classify(method, path string, q url.Values) Op {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 3 && parts[0] == "projects" && parts[2] == "instances" && method == http.MethodPost:
		return OpSubmit
	case len(parts) == 4 && parts[0] == "projects" && parts[2] == "instances":
		switch {
		case method == http.MethodPut:
			return OpTerminate
		case has(q, "taskstatus"):
			return OpTaskStatus
		case has(q, "result"):
			return OpResult
		case method == http.MethodGet:
			return OpInstance
		}
	case len(parts) == 4 && parts[0] == "projects" && parts[2] == "tables" && method == http.MethodGet:
		if has(q, "partition") || has(q, "partitions") {
			return OpPartition
		}
		return OpTable
	}
	return OpOther
}

func has(q url.Values, key string) bool {
	_, ok := q[key]
	return ok
}

// authenticate checks the Date, the STS token and the ODPS signature. It
// returns a zero status when the request is authentic.
func (s *Server) authenticate(r *http.Request, path string) (status int, code, msg string) {
	const badSig = "ODPS-0410042:Invalid signature value - User signature does not match"
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return http.StatusUnauthorized, "Unauthorized", "ODPS-0410022:Authorization required - missing Authorization header"
	}
	date, err := time.Parse(time.RFC1123, r.Header.Get("Date"))
	if err != nil {
		return http.StatusForbidden, "InvalidDate", "ODPS-0410031:Authentication request expired - missing or malformed Date header"
	}
	// No source gives the service's window or text; 15 minutes is the
	// usual one of Alibaba Cloud's signed REST APIs (OSS's
	// RequestTimeTooSkewed). fgen sends the current time and never
	// depends on this answer.
	if d := time.Since(date); d > 15*time.Minute || d < -15*time.Minute {
		return http.StatusForbidden, "InvalidDate", "ODPS-0410031:Authentication request expired - Date is more than 15 minutes off"
	}
	rest, ok := strings.CutPrefix(auth, "ODPS ")
	i := strings.LastIndex(rest, ":")
	if !ok || i < 0 {
		return http.StatusForbidden, "InvalidSignature", badSig
	}
	id, sig := rest[:i], rest[i+1:]
	if id != s.accessID {
		return http.StatusForbidden, "InvalidAccessKeyId", "ODPS-0410051:Invalid credentials - accessKeyId not found"
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(s.accessKey, CanonicalString(r, path)))) {
		return http.StatusForbidden, "InvalidSignature", badSig
	}
	got := r.Header.Get("authorization-sts-token")
	switch {
	case s.token != "" && got == "":
		return http.StatusForbidden, "InvalidStsToken", "ODPS-0410051:Invalid credentials - STS token required"
	case s.token == "" && got != "":
		return http.StatusForbidden, "InvalidStsToken", "ODPS-0410051:Invalid credentials - unexpected STS token"
	case got != s.token:
		return http.StatusForbidden, "InvalidStsToken", "ODPS-0410051:Invalid credentials - STS token does not match"
	}
	return 0, "", ""
}

// CanonicalString builds the string an ODPS request signature covers:
// method, Content-MD5, Content-Type and Date lines, the sorted lower-cased
// x-odps-* headers, then the resource path (without the /api base) and the
// sorted query. path is the request path without the endpoint's base path.
func CanonicalString(r *http.Request, path string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(r.Header.Get("Content-MD5") + "\n")
	b.WriteString(r.Header.Get("Content-Type") + "\n")
	b.WriteString(r.Header.Get("Date") + "\n")

	var keys []string
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-odps-") {
			keys = append(keys, lk)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k + ":" + strings.Join(r.Header.Values(k), ",") + "\n")
	}

	b.WriteString(path)
	q := r.URL.Query()
	if len(q) > 0 {
		names := make([]string, 0, len(q))
		for k := range q {
			names = append(names, k)
		}
		sort.Strings(names)
		b.WriteByte('?')
		for i, k := range names {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k)
			if v := q.Get(k); v != "" {
				b.WriteString("=" + v)
			}
		}
	}
	return b.String()
}

// Sign returns base64(HMAC-SHA1(secret, canonical)), the signature part of
// "Authorization: ODPS <id>:<signature>".
func Sign(secret, canonical string) string {
	h := hmac.New(sha1.New, []byte(secret))
	h.Write([]byte(canonical))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// route dispatches an authenticated request. Called with s.mu held.
func (s *Server) route(w *statusWriter, r *http.Request, path string, op Op, body []byte, f *Fault) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	q := r.URL.Query()
	switch {
	case path == "/webconsole/host" || path == "/logview/host":
		io.WriteString(w, "https://maxcompute.console.aliyun.com")
		return
	case len(parts) >= 2 && parts[0] == "projects" && parts[1] != s.project:
		// The service's code and text: Alibaba Cloud's MaxCompute Studio
		// FAQ ("Accessing project '<projectname>' failed: ODPS-0420111:
		// Project not found - '<projectname>'"), and DataX's OdpsReader
		// and OdpsWriter error codes ("ODPS-0420111: Project not found").
		// maxcompute.Client.notFound tells a missing project from a
		// missing table by this code.
		s.writeError(w, http.StatusNotFound, "NoSuchObject",
			fmt.Sprintf("ODPS-0420111:Project not found - '%s'", parts[1]))
		return
	case len(parts) == 2 && parts[0] == "projects" && r.Method == http.MethodGet:
		writeXML(w, http.StatusOK, projectXML{Name: s.project, Region: "cn-odpstest", State: "AVAILABLE"})
		return
	}
	switch op {
	case OpSubmit:
		s.submit(w, body, f)
	case OpInstance, OpTaskStatus, OpResult, OpTerminate:
		s.instance(w, op, parts[3], body)
	case OpTable:
		s.getTable(w, parts[3])
	case OpPartition:
		s.getPartition(w, parts[3], q)
	default:
		s.writeError(w, http.StatusNotFound, "NoSuchObject", "ODPS-0410001:Unknown resource - "+r.Method+" "+path)
	}
}

// writeFault answers an injected fault.
func (s *Server) writeFault(w *statusWriter, f *Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	code, msg := f.Code, f.Message
	if code == "" {
		code = strings.ReplaceAll(http.StatusText(f.Status), " ", "")
	}
	if msg == "" {
		// No source gives the service's texts of these, so the double's
		// are plainly its own; fgen reads the status and Retry-After only
		// (docs/MAXCOMPUTE.md of the brief: "409 answers carry
		// Retry-After").
		msg = fmt.Sprintf("odpstest: injected %d", f.Status)
		if f.Status == http.StatusConflict {
			msg = "odpstest: injected 409, retry later"
		}
	}
	s.writeError(w, f.Status, code, msg)
}

type errorXML struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	RequestId string
	HostId    string
}

// writeError answers an ODPS XML error with the standard reason phrase (the
// SDK compares Status with "404 Not Found"). Called with s.mu held.
func (s *Server) writeError(w http.ResponseWriter, status int, code, msg string) {
	id := s.requestID()
	w.Header().Set("x-odps-request-id", id)
	writeXML(w, status, errorXML{Code: code, Message: msg, RequestId: id, HostId: "odpstest"})
}

func (s *Server) requestID() string {
	s.seq++
	return fmt.Sprintf("odpstest%012d", s.seq)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	w.Write(out)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

type projectXML struct {
	XMLName xml.Name `xml:"Project"`
	Name    string
	Region  string
	State   string
}

type cdata struct {
	Text string `xml:",cdata"`
}

package odpstest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Job is a submitted SQL job as the double recorded it.
type Job struct {
	ID    string
	SQL   string
	Hints map[string]string // the task's "settings" property, decoded
}

// Outcome scripts the fate of one job. The zero Outcome succeeds on the
// first status poll with an empty result.
type Outcome struct {
	// RunningPolls is how many task-status polls (Instance.GetTasks) answer
	// Running before the job finishes.
	RunningPolls int
	// Forever keeps the job Running until it is terminated.
	Forever bool
	// Error makes the job fail with this result text, e.g.
	// "ODPS-0130071:[1,1] Semantic analysis exception - ...". DDL is not applied.
	Error string
	// Result is the result text of a successful job: for a query, CSV with
	// a header row and NULL as \N.
	Result string
	// Status overrides the final task status ("Success", "Failed",
	// "Cancelled", or any other word to play a status the SDK does not know).
	Status string
}

// Responder decides the Outcome of a job that no rule matched. It runs with
// the server locked: it must not call the Server's methods.
type Responder func(Job) Outcome

// DefaultResponder answers Running on the first status poll, then Success.
func DefaultResponder(Job) Outcome { return Outcome{RunningPolls: 1} }

type rule struct {
	match func(sql string) bool
	out   Outcome
}

// On makes jobs whose SQL contains substr (case-insensitively) end with o.
// Rules are tried in the order added, before the Responder.
func (s *Server) On(substr string, o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	substr = strings.ToLower(substr)
	match := func(sql string) bool { return strings.Contains(strings.ToLower(sql), substr) }
	s.rules = append(s.rules, rule{match: match, out: o})
}

// SetResponder replaces the Responder; nil restores DefaultResponder.
func (s *Server) SetResponder(r Responder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responder = r
}

// Submitted returns every job received, in submission order.
func (s *Server) Submitted() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.jobOrder))
	for _, id := range s.jobOrder {
		j := s.jobs[id].Job
		j.Hints = maps.Clone(j.Hints)
		out = append(out, j)
	}
	return out
}

// Terminated returns the ids of instances a Terminate request named, in order.
func (s *Server) Terminated() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.terminated)
}

// JobStatus returns the task status the double would report for a job now
// ("Running", "Success", "Failed", "Cancelled", ...) without polling it.
func (s *Server) JobStatus(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		return "", false
	}
	return j.taskStatus(), true
}

type job struct {
	Job
	task     string
	outcome  Outcome
	polls    int
	finished bool
	status   string // final task status
	result   string
	start    time.Time
	end      time.Time
}

// taskStatus is the task status reported for j now: Running until it has
// finished, then its final status.
func (j *job) taskStatus() string {
	if !j.finished {
		return "Running"
	}
	return j.status
}

// submitXML is the body of POST /projects/<p>/instances.
type submitXML struct {
	XMLName xml.Name `xml:"Instance"`
	Job     struct {
		Name     string
		Priority int
		Guid     string
		Tasks    struct {
			SQL []struct {
				Name   string
				Config []struct {
					Name  string
					Value string
				} `xml:"Config>Property"`
				Query string
			} `xml:"SQL"`
			Any []struct {
				XMLName xml.Name
			} `xml:",any"`
		}
	}
}

// submit creates an instance. f is an AfterCreate fault to answer with once
// the job exists. Called with s.mu held.
func (s *Server) submit(w *statusWriter, body []byte, f *Fault) {
	var in submitXML
	if err := xml.Unmarshal(body, &in); err != nil {
		s.writeError(w, http.StatusBadRequest, "InvalidXml", "ODPS-0410002:Invalid XML - "+err.Error())
		return
	}
	tasks := in.Job.Tasks
	if len(tasks.SQL) != 1 || len(tasks.Any) != 0 {
		s.writeError(w, http.StatusBadRequest, "InvalidArgument",
			"ODPS-0410003:Invalid argument - odpstest accepts exactly one SQL task per instance")
		return
	}
	if id, ok := s.guids[in.Job.Guid]; ok && in.Job.Guid != "" {
		// The service deduplicates on Guid: the same job comes back. The
		// SDK sends it as the job's "unique identify id"
		// (options.WithUniqueIdentifyID, odps/options/sql_options.go of
		// aliyun-odps-go-sdk v0.4.26), which is for this: a submission
		// retried after a lost answer is not run twice. The source: the
		// official Java SDK's UniqueIdentifyIDTest (com.aliyun.odps.task,
		// aliyun/aliyun-odps-java-sdk) submits "select 1;" then "select
		// 2;" under one id to the service and asserts one instance id,
		// whatever the second job's SQL (as here).
		s.answerCreated(w, id, f)
		return
	}
	t := tasks.SQL[0]
	hints := map[string]string{}
	for _, p := range t.Config {
		if p.Name == "settings" && p.Value != "" {
			if err := json.Unmarshal([]byte(p.Value), &hints); err != nil {
				s.writeError(w, http.StatusBadRequest, "InvalidArgument", "ODPS-0410003:Invalid argument - settings: "+err.Error())
				return
			}
		}
	}
	s.seq++
	id := fmt.Sprintf("%s%06dgodpstest", time.Now().UTC().Format("20060102150405"), s.seq)
	j := &job{Job: Job{ID: id, SQL: t.Query, Hints: hints}, task: t.Name, start: time.Now()}
	j.outcome = s.decide(j.Job)
	s.jobs[id] = j
	s.jobOrder = append(s.jobOrder, id)
	if in.Job.Guid != "" {
		s.guids[in.Job.Guid] = id
	}
	s.answerCreated(w, id, f)
}

func (s *Server) answerCreated(w *statusWriter, id string, f *Fault) {
	if f != nil {
		s.writeFault(w, f)
		return
	}
	w.Header().Set("Location", s.Endpoint()+"/projects/"+s.project+"/instances/"+id)
	w.WriteHeader(http.StatusCreated)
}

// decide picks a job's outcome: rules first, then the responder.
// Called with s.mu held.
func (s *Server) decide(j Job) Outcome {
	for _, r := range s.rules {
		if r.match(j.SQL) {
			return r.out
		}
	}
	if s.responder != nil {
		return s.responder(j)
	}
	return DefaultResponder(j)
}

// Check runs, with no job, every check the double makes of a job's SQL
// before it runs it: Compile, and those that need its tables (the type
// system of a project of the 1.0 edition, the tables a query reads).
func (s *Server) Check(sql string, hints map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.check(sql, hints)
}

// CheckApply checks that the DDL of sql would apply to the double's tables
// as they are now, as a job that succeeded would apply it (applySQL: a
// keyword unquoted, a lifecycle that is not positive, a column dropped or
// retyped without schema evolution, a table that exists or does not), on a
// copy: the tables do not change.
func (s *Server) CheckApply(sql string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	scratch := &Server{project: s.project, tables: map[string]*table{}, jobs: map[string]*job{}, guids: map[string]string{}, schemaEvolution: s.schemaEvolution}
	for k, t := range s.tables {
		c := *t
		c.spec = clone(t.spec)
		c.partitions = slices.Clone(t.partitions)
		c.written = maps.Clone(t.written)
		c.rows = make([][]*string, len(t.rows))
		for i, row := range t.rows {
			c.rows[i] = slices.Clone(row)
		}
		scratch.tables[k] = &c
	}
	return scratch.applySQL(sql)
}

// check is Check with s.mu held.
func (s *Server) check(sql string, hints map[string]string) error {
	toks, err := compile(sql, hints)
	if err != nil {
		return err
	}
	if err := s.checkTypeSystem(toks, hints); err != nil {
		return err
	}
	if err := s.checkInserts(toks); err != nil {
		return err
	}
	if err := checkWindows(toks); err != nil {
		return err
	}
	if err := s.checkLiterals(toks, hints); err != nil {
		return err
	}
	if err := s.checkReads(toks, hints); err != nil {
		return err
	}
	return s.checkNames(toks)
}

// finish moves a job to its final state, applying its DDL on success.
// Called with s.mu held.
func (s *Server) finish(j *job) {
	j.finished, j.end = true, time.Now()
	o := j.outcome
	switch {
	case o.Error != "":
		j.status, j.result = "Failed", o.Error
	default:
		if err := s.check(j.SQL, j.Hints); err != nil {
			j.status, j.result = "Failed", err.Error()
		} else if err := s.applySQL(j.SQL); err != nil {
			j.status, j.result = "Failed", err.Error()
		} else if res, ok, err := s.query(j.SQL); err != nil {
			j.status, j.result = "Failed", err.Error()
		} else if ok && o.Result == "" {
			j.status, j.result = "Success", res
		} else {
			j.status, j.result = "Success", o.Result
		}
	}
	if o.Status != "" {
		j.status = o.Status
	}
}

type taskXML struct {
	Type      string `xml:"Type,attr"`
	Name      string
	StartTime string `xml:"StartTime,omitempty"`
	EndTime   string `xml:"EndTime"`
	Status    string `xml:"Status,omitempty"`
	Result    *resultXML
}

type resultXML struct {
	Format string `xml:"Format,attr"`
	Text   string `xml:",cdata"`
}

type instanceXML struct {
	XMLName xml.Name  `xml:"Instance"`
	Status  string    `xml:"Status,omitempty"`
	Tasks   *tasksXML `xml:"Tasks,omitempty"`
}

type tasksXML struct {
	Task []taskXML `xml:"Task"`
}

// instance answers Load, GetTasks, GetResult and Terminate. Called with s.mu held.
func (s *Server) instance(w *statusWriter, op Op, id string, body []byte) {
	j, ok := s.jobs[id]
	if !ok {
		// No source gives the service's code or text, so the double's is
		// plainly its own; fgen reads the status only.
		s.writeError(w, http.StatusNotFound, "NoSuchObject", "odpstest: instance not found - "+id)
		return
	}
	gmt := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(http.TimeFormat)
	}
	instStatus := func() string {
		if j.finished {
			return "Terminated"
		}
		return "Running"
	}
	switch op {
	case OpTerminate:
		if !strings.Contains(string(body), "<Status>Terminated</Status>") {
			s.writeError(w, http.StatusBadRequest, "InvalidArgument", "ODPS-0410003:Invalid argument - only Terminated is supported")
			return
		}
		s.terminated = append(s.terminated, id)
		if !j.finished {
			j.finished, j.end = true, time.Now()
			j.status, j.result = "Cancelled", "ODPS-0110999:Job terminated by user"
		}
		w.WriteHeader(http.StatusOK)
	case OpInstance:
		// No <Tasks> here: the SDK would take the instance for a synchronous one.
		w.Header().Set("x-odps-owner", owner)
		w.Header().Set("x-odps-start-time", gmt(j.start))
		if j.finished {
			w.Header().Set("x-odps-end-time", gmt(j.end))
		}
		writeXML(w, http.StatusOK, instanceXML{Status: instStatus()})
	case OpTaskStatus:
		if !j.finished {
			if j.outcome.Forever || j.polls < j.outcome.RunningPolls {
				j.polls++
			} else {
				s.finish(j)
			}
		}
		out := instanceXML{Status: instStatus(), Tasks: &tasksXML{[]taskXML{
			{Type: "SQL", Name: j.task, StartTime: gmt(j.start), EndTime: gmt(j.end), Status: j.taskStatus()},
		}}}
		writeXML(w, http.StatusOK, out)
	case OpResult:
		text := ""
		if j.finished {
			text = j.result
		}
		out := instanceXML{Tasks: &tasksXML{[]taskXML{
			{Type: "SQL", Name: j.task, Result: &resultXML{Format: "text", Text: text}},
		}}}
		writeXML(w, http.StatusOK, out)
	}
}

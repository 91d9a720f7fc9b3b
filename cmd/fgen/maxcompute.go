package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/fgen-dev/fgen/internal/maxcompute"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// envODPSConfig names an odps config ini when --odps-config is not given.
const envODPSConfig = "FGEN_ODPS_CONFIG"

// pollEvery, when set, replaces every target's poll_interval, which
// funnel.toml keeps at 100ms or more: the tests' MaxCompute double answers
// Running to a job's first poll.
var pollEvery time.Duration

// httpTimeout, when set, replaces every target's http_timeout, which
// funnel.toml keeps at 1s or more, and makes retries pause 1ms: tests wait
// on endpoints that never answer.
var httpTimeout time.Duration

// openMaxCompute builds the MaxCompute client of a target. Credentials come
// from --odps-config (or $FGEN_ODPS_CONFIG), else from the environment;
// never from funnel.toml.
func (g *globalOptions) openMaxCompute(name string, t models.Target, opts *targetOptions, project string) (warehouse.Warehouse, error) {
	cfg := maxcompute.Config{
		Endpoint:     strings.TrimRight(t.Endpoint, "/"),
		Project:      t.Project,
		Schema:       t.Schema,
		Hints:        map[string]string{},
		PollInterval: t.PollInterval.D,
		HTTPTimeout:  t.HTTPTimeout.D,
	}
	if pollEvery > 0 {
		cfg.PollInterval = pollEvery
	}
	// Each retry is news: a call to an endpoint that does not answer
	// takes minutes.
	cfg.OnRetry = func(r maxcompute.Retry) { g.notice("%s", r) }
	// A job the service created as fgen was interrupted: before it exits,
	// fgen terminates it (the warehouse's Close waits), and says so.
	cfg.OnWait = func(limit time.Duration) {
		g.notice("waiting up to %s for MaxCompute to answer the job submission in flight, to terminate the job it may create; press Ctrl-C again to leave it", limit)
	}
	cfg.OnOrphan = func(id string, err error) {
		switch {
		case id == "":
			g.warn("%v", err)
		case err != nil:
			g.warn("MaxCompute job %s, which the service created as fgen was interrupted, may still run: terminating it failed: %v; stop it in the console", id, err)
		default:
			g.notice("terminated MaxCompute job %s, which the service created as fgen was interrupted", id)
		}
	}
	iniPath := opts.odpsConfig
	if iniPath == "" {
		iniPath = g.getenv(envODPSConfig)
	}
	var cred maxcompute.Credentials
	var err error
	if iniPath != "" {
		var ini maxcompute.IniSettings
		cred, ini, err = maxcompute.CredentialsFromIni(iniPath)
		if errors.Is(err, fs.ErrNotExist) {
			from, instead := "--odps-config", fmt.Sprintf("read the credentials from %s and %s", maxcompute.EnvAccessKeyID, maxcompute.EnvAccessKeySecret)
			if opts.odpsConfig == "" {
				from = "$" + envODPSConfig
			} else if env := g.getenv(envODPSConfig); env != "" {
				instead = fmt.Sprintf("use $%s (%s)", envODPSConfig, env)
			}
			return nil, fmt.Errorf("%s names %s, which does not exist: give the path of an odps config ini (access_id and access_key under [odps]), or leave it out to %s", from, iniPath, instead)
		}
		if err != nil {
			return nil, err
		}
		// The target names the project and endpoint; the ini, which
		// odpscmd and the SDK read too, may name others.
		var names []string
		if ini.Project != "" && !strings.EqualFold(ini.Project, cfg.Project) {
			names = append(names, "project "+ini.Project)
		}
		if ini.Endpoint != "" && strings.TrimRight(ini.Endpoint, "/") != cfg.Endpoint {
			names = append(names, "endpoint "+ini.Endpoint)
		}
		if len(names) > 0 {
			g.warn("%s names %s; fgen reads its credentials, hints and http_timeout, and uses target %s's project %s at %s (funnel.toml)", iniPath, strings.Join(names, " and "), name, cfg.Project, cfg.Endpoint)
		}
		for k, v := range ini.Hints {
			cfg.Hints[k] = v
		}
		if cfg.HTTPTimeout == 0 {
			cfg.HTTPTimeout = ini.HTTPTimeout
		}
	} else {
		cred, err = maxcompute.CredentialsFromEnv(g.getenv)
		if err != nil {
			return nil, err
		}
	}
	// What the service says is printed as it is; it must not show these.
	g.secrets.Add(cred.AccessKey, cred.SecurityToken)
	for k, v := range t.Hints {
		cfg.Hints[k] = v
	}
	if httpTimeout > 0 {
		cfg.HTTPTimeout, cfg.BaseBackoff, cfg.MaxBackoff = httpTimeout, time.Millisecond, time.Millisecond
	}
	c, err := maxcompute.New(cfg, cred)
	if err != nil {
		return nil, fmt.Errorf("maxcompute client: %w", err)
	}
	w := maxcompute.NewWarehouse(c, t.Timeout.D)
	w.Project = project
	w.TimeoutSetting = fmt.Sprintf("timeout under [targets.%s] in %s", name, g.configPath)
	return w, nil
}

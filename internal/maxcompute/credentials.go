package maxcompute

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variables CredentialsFromEnv reads (the Alibaba Cloud defaults).
const (
	EnvAccessKeyID     = "ALIBABA_CLOUD_ACCESS_KEY_ID"
	EnvAccessKeySecret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
	EnvSecurityToken   = "ALIBABA_CLOUD_SECURITY_TOKEN"
)

// ErrNoCredentials means no credentials were given at all.
var ErrNoCredentials = errors.New("no MaxCompute credentials: set " + EnvAccessKeyID + " and " +
	EnvAccessKeySecret + " (and " + EnvSecurityToken + " for an STS token), " +
	"or point --odps-config or FGEN_ODPS_CONFIG at an odps config ini with access_id and access_key")

// Credentials sign requests to MaxCompute. Printing them (fmt, %v, %+v,
// %#v, any verb; log/slog) shows the access id but never the key or token.
type Credentials struct {
	AccessID      string
	AccessKey     string
	SecurityToken string // STS token; empty for a plain AccessKey pair
}

const redacted = "[redacted]"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// String shows the access id and whether a key and token are set.
func (c Credentials) String() string {
	return fmt.Sprintf("{AccessID:%s AccessKey:%s SecurityToken:%s}", c.AccessID, redact(c.AccessKey), redact(c.SecurityToken))
}

// GoString is String for %#v.
func (c Credentials) GoString() string {
	return fmt.Sprintf("maxcompute.Credentials{AccessID:%q, AccessKey:%q, SecurityToken:%q}",
		c.AccessID, redact(c.AccessKey), redact(c.SecurityToken))
}

// Format prints the redacted form for every verb, so that no verb (%x, %d,
// ...) reaches the fields.
func (c Credentials) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, c.GoString())
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(c.String()))
	default:
		fmt.Fprint(f, c.String())
	}
}

// LogValue keeps log/slog handlers (JSON included) from reading the fields.
func (c Credentials) LogValue() slog.Value {
	return slog.StringValue(c.String())
}

// CredentialsFromEnv reads ALIBABA_CLOUD_ACCESS_KEY_ID,
// ALIBABA_CLOUD_ACCESS_KEY_SECRET and the optional
// ALIBABA_CLOUD_SECURITY_TOKEN through getenv (os.Getenv in the CLI).
// Surrounding white space is dropped. It returns ErrNoCredentials when none
// of them is set, and another error when only some are.
func CredentialsFromEnv(getenv func(string) string) (Credentials, error) {
	c := Credentials{
		AccessID:      strings.TrimSpace(getenv(EnvAccessKeyID)),
		AccessKey:     strings.TrimSpace(getenv(EnvAccessKeySecret)),
		SecurityToken: strings.TrimSpace(getenv(EnvSecurityToken)),
	}
	switch {
	case c.AccessID == "" && c.AccessKey == "" && c.SecurityToken == "":
		return Credentials{}, ErrNoCredentials
	case c.AccessID == "":
		return Credentials{}, incomplete(EnvAccessKeyID)
	case c.AccessKey == "":
		return Credentials{}, incomplete(EnvAccessKeySecret)
	}
	return c, nil
}

func incomplete(missing string) error {
	return fmt.Errorf("incomplete MaxCompute credentials: %s is not set while other %s variables are; set %s and %s",
		missing, "ALIBABA_CLOUD_*", EnvAccessKeyID, EnvAccessKeySecret)
}

// IniSettings is what an odps config ini holds besides the credentials.
type IniSettings struct {
	Endpoint    string
	Project     string
	HTTPTimeout time.Duration // http_timeout, in seconds in the file; 0 when absent
	// Hints are the section's other keys, as the SDK reads them: a
	// "hints." prefix is dropped, keys without it are kept whole.
	Hints map[string]string
}

// CredentialsFromIni reads an odps config ini, the format of the SDK's
// odps.NewConfigFromIni:
//
//	[odps]
//	access_id = ...
//	access_key = ...
//	sts_token = ...        (optional)
//	endpoint = https://service.cn-hangzhou.maxcompute.aliyun.com/api
//	project = ...
//	http_timeout = 60      (optional, seconds)
//	hints.odps.sql.type.system.odps2 = true
//
// Only access_id and access_key are required here; New checks the rest.
// Errors name the file and line but never repeat its content.
func CredentialsFromIni(path string) (Credentials, IniSettings, error) {
	f, err := os.Open(path)
	if err != nil {
		return Credentials{}, IniSettings{}, fmt.Errorf("odps config: %w", err)
	}
	defer f.Close()

	var c Credentials
	s := IniSettings{Hints: map[string]string{}}
	section, found := "", false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if n == 1 {
			// An ini saved "UTF-8 with BOM" (Notepad) starts with U+FEFF.
			text = strings.TrimPrefix(text, "\ufeff")
		}
		line := strings.TrimSpace(text)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return Credentials{}, IniSettings{}, fmt.Errorf("%s:%d: malformed section header", path, n)
			}
			section = strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
			found = found || section == "odps"
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			return Credentials{}, IniSettings{}, fmt.Errorf("%s:%d: expected key = value", path, n)
		}
		if section != "odps" {
			continue
		}
		key, val := strings.TrimSpace(line[:i]), unquote(strings.TrimSpace(line[i+1:]))
		switch key {
		case "access_id":
			c.AccessID = val
		case "access_key":
			c.AccessKey = val
		case "sts_token":
			c.SecurityToken = val
		case "endpoint", "end_point": // end_point, project_name: odpscmd's odps_config.ini
			s.Endpoint = val
		case "project", "project_name":
			s.Project = val
		case "http_timeout":
			secs, err := strconv.Atoi(val)
			// At most an hour, as http_timeout in funnel.toml; more would
			// overflow a time.Duration sooner or later.
			if err != nil || secs < 0 || secs > 3600 {
				return Credentials{}, IniSettings{}, fmt.Errorf("%s:%d: http_timeout must be a whole number of seconds from 0 (the default) to 3600", path, n)
			}
			s.HTTPTimeout = time.Duration(secs) * time.Second
		case "tcp_connection_timeout", "tunnel_endpoint", "tunnel_quota_name", "enableLogview",
			"log_view_host", "https_check", "data_size_confirm", "update_url", "use_instance_tunnel", "instance_tunnel_max_record":
			// understood by the SDK or by odpscmd, not used by fgen, and no
			// settings of a job
		default:
			if strings.HasPrefix(key, "hints") {
				if _, rest, ok := strings.Cut(key, "."); ok {
					key = rest
				}
			}
			s.Hints[key] = val
		}
	}
	if err := sc.Err(); err != nil {
		return Credentials{}, IniSettings{}, fmt.Errorf("odps config %s: %w", path, err)
	}
	switch {
	case !found:
		return Credentials{}, IniSettings{}, fmt.Errorf("%s: no [odps] section; it needs access_id and access_key", path)
	case c.AccessID == "":
		return Credentials{}, IniSettings{}, fmt.Errorf("%s: [odps] has no access_id", path)
	case c.AccessKey == "":
		return Credentials{}, IniSettings{}, fmt.Errorf("%s: [odps] has no access_key", path)
	}
	return c, s, nil
}

// unquote strips the quotes around a value, as go-ini, which the SDK reads
// the file with, strips double quotes, backquotes and single quotes.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '`' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

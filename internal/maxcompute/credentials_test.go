package maxcompute_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/maxcompute"
)

const (
	secret = "S3cr3t-Key-Value"
	token  = "STS-Token-Value"
)

func TestCredentialsNeverPrintSecrets(t *testing.T) {
	c := maxcompute.Credentials{AccessID: "LTAI-id", AccessKey: secret, SecurityToken: token}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("creds", "c", c, "p", &c)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("creds", "c", c)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"%s": fmt.Sprintf("%s", c), "%q": fmt.Sprintf("%q", c), "%x": fmt.Sprintf("%x", c),
		"%d": fmt.Sprintf("%d", c), "pointer %v": fmt.Sprintf("%v", &c), "Println": fmt.Sprintln(c),
		"nested %+v":  fmt.Sprintf("%+v", struct{ C maxcompute.Credentials }{c}),
		"nested %#v":  fmt.Sprintf("%#v", struct{ C maxcompute.Credentials }{c}),
		"slice %v":    fmt.Sprintf("%v", []maxcompute.Credentials{c}),
		"wrapped err": fmt.Errorf("using %v: %w", c, errors.New("boom")).Error(),
		"slog":        logs.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, secret) || strings.Contains(out, token) {
			t.Errorf("%s prints a secret: %s", name, out)
		}
		if !strings.Contains(out, "LTAI-id") {
			t.Errorf("%s does not show the access id: %s", name, out)
		}
	}
	if got, want := fmt.Sprintf("%+v", c), "{AccessID:LTAI-id AccessKey:[redacted] SecurityToken:[redacted]}"; got != want {
		t.Errorf("%%+v = %s, want %s", got, want)
	}
	if got := fmt.Sprint(maxcompute.Credentials{AccessID: "x", AccessKey: "k"}); !strings.HasSuffix(got, "SecurityToken:}") {
		t.Errorf("an unset token should print empty: %s", got)
	}
}

func TestCredentialsFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    maxcompute.Credentials
		wantErr string
	}{
		{
			name: "key pair, trimmed",
			env:  map[string]string{maxcompute.EnvAccessKeyID: " id ", maxcompute.EnvAccessKeySecret: secret + "\n"},
			want: maxcompute.Credentials{AccessID: "id", AccessKey: secret},
		},
		{
			name: "sts",
			env: map[string]string{maxcompute.EnvAccessKeyID: "id", maxcompute.EnvAccessKeySecret: secret,
				maxcompute.EnvSecurityToken: token},
			want: maxcompute.Credentials{AccessID: "id", AccessKey: secret, SecurityToken: token},
		},
		{
			name:    "nothing",
			env:     map[string]string{},
			wantErr: maxcompute.ErrNoCredentials.Error(),
		},
		{
			name:    "no secret",
			env:     map[string]string{maxcompute.EnvAccessKeyID: "id"},
			wantErr: "incomplete MaxCompute credentials: ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set while other ALIBABA_CLOUD_* variables are; set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		},
		{
			name:    "no id",
			env:     map[string]string{maxcompute.EnvAccessKeySecret: secret, maxcompute.EnvSecurityToken: token},
			wantErr: "incomplete MaxCompute credentials: ALIBABA_CLOUD_ACCESS_KEY_ID is not set while other ALIBABA_CLOUD_* variables are; set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := maxcompute.CredentialsFromEnv(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("CredentialsFromEnv = %#v, %v; want %#v", got, err, tc.want)
			}
		})
	}
}

func TestErrNoCredentialsNamesEveryWay(t *testing.T) {
	msg := maxcompute.ErrNoCredentials.Error()
	for _, want := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		"ALIBABA_CLOUD_SECURITY_TOKEN", "--odps-config", "FGEN_ODPS_CONFIG"} {
		if !strings.Contains(msg, want) {
			t.Errorf("ErrNoCredentials %q does not mention %s", msg, want)
		}
	}
}

func writeIni(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "odps_config.ini")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCredentialsFromIni(t *testing.T) {
	path := writeIni(t, `# fgen
[other]
access_id = not-this-one

[odps]
access_id = 'LTAI-id'
access_key = "`+secret+`"
sts_token = `+token+`
endpoint = https://service.cn-hangzhou.maxcompute.aliyun.com/api
project: funnel_prod
http_timeout = 30
tcp_connection_timeout = 5
hints.odps.sql.type.system.odps2 = true
odps.sql.timezone = Asia/Shanghai
`)
	cred, s, err := maxcompute.CredentialsFromIni(path)
	if err != nil {
		t.Fatalf("CredentialsFromIni: %v", err)
	}
	if want := (maxcompute.Credentials{AccessID: "LTAI-id", AccessKey: secret, SecurityToken: token}); cred != want {
		t.Errorf("credentials = %#v, want %#v", cred, want)
	}
	want := maxcompute.IniSettings{
		Endpoint:    "https://service.cn-hangzhou.maxcompute.aliyun.com/api",
		Project:     "funnel_prod",
		HTTPTimeout: 30 * time.Second,
		Hints:       map[string]string{"odps.sql.type.system.odps2": "true", "odps.sql.timezone": "Asia/Shanghai"},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("settings = %+v, want %+v", s, want)
	}
	// odpscmd's odps_config.ini names the project and endpoint otherwise,
	// and has keys of its own, which are no job's settings.
	path = writeIni(t, "[odps]\naccess_id = id\naccess_key = "+secret+"\nproject_name = funnel_prod\nend_point = https://service.cn-hangzhou.maxcompute.aliyun.com/api\nlog_view_host = https://logview.aliyun.com\nhttps_check = true\n")
	if _, s, err = maxcompute.CredentialsFromIni(path); err != nil || s.Project != "funnel_prod" || s.Endpoint != "https://service.cn-hangzhou.maxcompute.aliyun.com/api" || len(s.Hints) != 0 {
		t.Errorf("odpscmd's keys: %+v, %v", s, err)
	}
	// Saved "UTF-8 with BOM", as Notepad does.
	path = writeIni(t, "\ufeff[odps]\naccess_id = id\naccess_key = "+secret+"\n")
	if cred, _, err := maxcompute.CredentialsFromIni(path); err != nil || cred.AccessID != "id" {
		t.Errorf("an ini with a byte-order mark: %+v, %v", cred.AccessID, err)
	}
}

func TestCredentialsFromIniErrors(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"no section", "access_id = x\naccess_key = y\n", ": no [odps] section; it needs access_id and access_key"},
		{"no key", "[odps]\naccess_id = x\n", ": [odps] has no access_key"},
		{"no id", "[odps]\naccess_key = " + secret + "\n", ": [odps] has no access_id"},
		{"malformed line holding the secret", "[odps]\naccess_id = x\naccess_key " + secret + "\n", ":3: expected key = value"},
		{"bad timeout", "[odps]\nhttp_timeout = soon\n", ":2: http_timeout must be a whole number of seconds from 0 (the default) to 3600"},
		{"timeout past time.Duration", "[odps]\nhttp_timeout = 9223372037\n", ":2: http_timeout must be a whole number of seconds from 0 (the default) to 3600"},
		{"bad header", "[odps\n", ":1: malformed section header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeIni(t, tc.content)
			_, _, err := maxcompute.CredentialsFromIni(path)
			if err == nil || err.Error() != path+tc.want {
				t.Errorf("error = %v, want %q", err, path+tc.want)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}
	if _, _, err := maxcompute.CredentialsFromIni(filepath.Join(t.TempDir(), "missing.ini")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error = %v, want os.ErrNotExist", err)
	}
}

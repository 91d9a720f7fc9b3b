package sample

import (
	"bufio"
	"io"
	"strconv"
	"unicode/utf8"
)

type jsonlWriter struct{ w *bufio.Writer }

// NewJSONLWriter returns a Writer of JSON Lines: one object per event with
// the keys of Columns and then dt, in that order; a NULL uid is null.
// Strings are escaped as JSON requires; invalid UTF-8 becomes U+FFFD.
func NewJSONLWriter(w io.Writer) Writer {
	return &jsonlWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (j *jsonlWriter) Write(e *Event) error {
	b := j.w.AvailableBuffer()
	b = append(b, `{"md5":`...)
	b = appendJSONString(b, e.MD5)
	b = append(b, `,"uid":`...)
	if e.UIDNull {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, e.UID)
	}
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, e.TS, 10)
	b = append(b, `,"ip":`...)
	b = appendJSONString(b, e.IP)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, e.Status, 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, e.Bytes, 10)
	b = append(b, `,"device_brand":`...)
	b = appendJSONString(b, e.DeviceBrand)
	b = append(b, `,"device":`...)
	b = appendJSONString(b, e.Device)
	b = append(b, `,"system_type":`...)
	b = appendJSONString(b, e.SystemType)
	b = append(b, `,"customize_event":`...)
	b = appendJSONString(b, e.CustomizeEvent)
	b = append(b, `,"use_time":`...)
	b = strconv.AppendInt(b, e.UseTime, 10)
	b = append(b, `,"customize_event_content":`...)
	b = appendJSONString(b, e.CustomizeEventContent)
	b = append(b, `,"dt":`...)
	b = appendJSONString(b, e.Dt)
	b = append(b, "}\n"...)
	_, err := j.w.Write(b)
	return err
}

func (j *jsonlWriter) Close() error { return j.w.Flush() }

// appendJSONString appends s as a JSON string. It escapes '"', '\\', control
// characters and U+2028/U+2029 (for JavaScript readers) and replaces invalid
// UTF-8 by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

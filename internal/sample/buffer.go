package sample

import "io"

// flushAt is the buffer size at which the line writers write through.
const flushAt = 64 << 10

// lineBuffer collects whole lines and writes them to w in large blocks. The
// first write error sticks.
type lineBuffer struct {
	w   io.Writer
	buf []byte
	err error
}

func newLineBuffer(w io.Writer) lineBuffer {
	return lineBuffer{w: w, buf: make([]byte, 0, flushAt+4<<10)}
}

// done takes the buffer back after a line was appended to it.
func (l *lineBuffer) done(b []byte) error {
	l.buf = b
	if len(b) >= flushAt {
		return l.flush()
	}
	return l.err
}

func (l *lineBuffer) flush() error {
	if l.err == nil && len(l.buf) > 0 {
		_, l.err = l.w.Write(l.buf)
	}
	l.buf = l.buf[:0]
	return l.err
}

package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// maxLine is the longest line, and CSV record, a load accepts: a bound on
// the memory a file can make fgen and DuckDB hold, which an endless line
// (a file of NUL bytes, say) would otherwise exhaust. A variable for tests.
var maxLine = 64 << 20

// errTooLong is a line, or CSV record, longer than maxLine; rowMsg gives
// its message.
var errTooLong = errors.New("line too long")

// rowMsg is the message of a RowError for err.
func rowMsg(err error) string {
	if errors.Is(err, errTooLong) {
		return fmt.Sprintf("line longer than %d MiB; is this a JSON lines or CSV file?", maxLine>>20)
	}
	return err.Error()
}

// lineReader reads lines, each with its '\n' (the last one may have none),
// of at most maxLine bytes.
type lineReader struct {
	r    *bufio.Reader
	long []byte // a line longer than r's buffer, collected
	n    int64  // lines read
}

// newLineReader reads r, a file of size bytes, through a buffer of 1 MiB,
// or of the file's size when it is smaller: tests check thousands of small
// files.
func newLineReader(r io.Reader, size int64) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, int(min(1<<20, max(size+1, 4096))))}
}

// next returns the next line, valid until the following call, or io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	line, err := lr.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		lr.long = append(lr.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(lr.long) > maxLine {
				lr.n++
				return nil, errTooLong
			}
			line, err = lr.r.ReadSlice('\n')
			lr.long = append(lr.long, line...)
		}
		line = lr.long
	}
	if len(line) > maxLine {
		lr.n++
		return nil, errTooLong
	}
	if err == io.EOF {
		if len(line) == 0 {
			return nil, io.EOF
		}
		err = nil
	}
	if err != nil {
		return nil, err
	}
	lr.n++
	return line, nil
}

// trimEOL returns line without its '\n' or "\r\n".
func trimEOL(line []byte) []byte {
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
	}
	return line[:n]
}

package scanner

import (
	"bufio"
	"bytes"
	"image"
	"testing"
	"unicode/utf8"
)

// FuzzNextJPEG feeds arbitrary bytes to the MJPEG splitter: it must end (frame, EOF or error)
// without panicking, and a frame it returns starts with SOI and ends with EOI.
func FuzzNextJPEG(f *testing.F) {
	f.Add(jpegBytes(f, image.NewGray(image.Rect(0, 0, 8, 8))))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0x00, 0xFF, 0xD0, 0xFF, 0xFF, 0xD9})
	f.Add([]byte("--frame\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReader(bytes.NewReader(data))
		for i := 0; i < 4; i++ {
			frame, err := nextJPEG(br)
			if err != nil {
				return
			}
			if len(frame) < 4 || !bytes.HasPrefix(frame, []byte{0xFF, 0xD8}) || !bytes.HasSuffix(frame, []byte{0xFF, 0xD9}) {
				t.Fatalf("frame % x", frame)
			}
		}
	})
}

// FuzzLineSplitter checks that lines never contain the ending that cut them, are never empty,
// and respect the length limit, however the bytes are chunked.
func FuzzLineSplitter(f *testing.F) {
	f.Add([]byte("751234212312\r\nAB\rCD\n"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		for _, end := range []LineEnding{LineAuto, LineCR, LineLF, LineCRLF} {
			l := newLineSplitter(end, 64)
			var lines [][]byte
			step := int(cut%16) + 1
			for i := 0; i < len(data); i += step {
				lines = append(lines, l.write(data[i:min(i+step, len(data))])...)
			}
			for _, line := range lines {
				switch {
				case len(line) == 0 || len(line) > 64:
					t.Fatalf("%s: line of %d bytes", end, len(line))
				case end == LineAuto && bytes.ContainsAny(line, "\r\n"),
					end == LineCR && bytes.IndexByte(line, '\r') >= 0,
					end == LineLF && bytes.IndexByte(line, '\n') >= 0,
					end == LineCRLF && bytes.Contains(line, []byte("\r\n")):
					t.Fatalf("%s: line %q keeps its ending", end, line)
				}
				if s := decodePayload(line); !utf8.ValidString(s) {
					t.Fatalf("payload %q is not UTF-8", s)
				}
			}
		}
	})
}

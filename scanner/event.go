package scanner

import "time"

// Source says where a scan came from.
type Source string

// The input sources a scan can have.
const (
	SourceWedge  Source = "wedge"  // a keyboard-wedge scanner typing into the window
	SourceSerial Source = "serial" // a scanner in serial (USB-COM) mode
	SourceCamera Source = "camera" // the webcam decoder
	SourceTyped  Source = "typed"  // typed by hand in the manual-entry field
	SourceCLI    Source = "cli"    // `cardpos redeem TEXT`
)

// Event is one scan from any source: the text read, where it came from and when.
type Event struct {
	Text   string
	Source Source
	At     time.Time
}

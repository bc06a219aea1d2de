//go:build race

package scanner

// raceEnabled lets slow tests do less under the race detector.
const raceEnabled = true

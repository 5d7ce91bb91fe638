//go:build race

package main

// raceEnabled is true under the race detector, which makes matching ten
// to twenty times slower.
const raceEnabled = true

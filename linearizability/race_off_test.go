//go:build !race

package linearizability

// raceDetector says whether the test binary runs under the race detector.
const raceDetector = false

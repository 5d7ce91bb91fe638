package har

// SetChunkBytes makes the chunks of entries decoded ahead about n bytes
// (1: every entry a chunk of its own) until the returned function runs.
func SetChunkBytes(n int) (restore func()) {
	old := chunkBytes
	chunkBytes = n
	return func() { chunkBytes = old }
}

// SetPlainPairs turns the plain name-value decoding on or off and returns
// a function that puts it back.
func SetPlainPairs(on bool) func() {
	old := noPlainPairs.Swap(!on)
	return func() { noPlainPairs.Store(old) }
}

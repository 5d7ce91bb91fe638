package har

// SetChunkBytes makes the chunks of entries decoded ahead about n bytes
// (1: every entry a chunk of its own) until the returned function runs.
func SetChunkBytes(n int) (restore func()) {
	old := chunkBytes
	chunkBytes = n
	return func() { chunkBytes = old }
}

package har

// digestMember holds the SHA-256 of a whole body that was cut: two cut
// bodies whose kept starts and lengths agree may still differ past the
// cut, and only a digest of the whole stream tells them apart.
const digestMember = "_sha256"

// SHA256 is the hex SHA-256 of the whole body, when the tool that cut it
// computed one (replay does; capture cannot for a compressed body it kept
// only the start of), or "".
func (c *Content) SHA256() string {
	s, _ := c.Extra.String(digestMember)
	return s
}

// SetSHA256 records the hex SHA-256 of the whole body, for a body that is
// stored cut (see MarkTruncated).
func (c *Content) SetSHA256(hex string) { c.Extra.Set(digestMember, hex) }

package correlate

// matcher finds every occurrence of a set of patterns in a text in one
// pass over it (Aho–Corasick): a flow of 20,000 calls produces thousands of
// distinct values, and looking for each of them in each request string
// would make planning quadratic.
type matcher struct {
	// edges maps a state and a byte (state<<8 | byte) to the next state; one
	// map for the whole trie keeps it compact for many short patterns.
	edges map[uint64]int32
	fail  []int32
	// out is the pattern that ends at a state, or -1; dict is the nearest
	// state on the failure chain where one ends, or -1.
	out      []int32
	dict     []int32
	depth    []int32
	patterns []string
	shortest int
}

func newMatcher(patterns []string) *matcher {
	m := &matcher{edges: map[uint64]int32{}, fail: []int32{0}, out: []int32{-1}, dict: []int32{-1}, depth: []int32{0}, patterns: patterns}
	for pi, p := range patterns {
		if p == "" {
			continue
		}
		if m.shortest == 0 || len(p) < m.shortest {
			m.shortest = len(p)
		}
		s := int32(0)
		for i := 0; i < len(p); i++ {
			k := uint64(s)<<8 | uint64(p[i])
			next, ok := m.edges[k]
			if !ok {
				next = int32(len(m.fail))
				m.edges[k] = next
				m.fail = append(m.fail, 0)
				m.out = append(m.out, -1)
				m.dict = append(m.dict, -1)
				m.depth = append(m.depth, m.depth[s]+1)
			}
			s = next
		}
		m.out[s] = int32(pi)
	}
	// Breadth first, so that a state's failure target is finished before
	// the state's children need it. Children are found by trying each
	// byte, which is bounded by 256 per state and done once.
	children := make([][]int32, len(m.fail))
	labels := make([][]byte, len(m.fail))
	for k, next := range m.edges {
		parent := int32(k >> 8)
		children[parent] = append(children[parent], next)
		labels[parent] = append(labels[parent], byte(k))
	}
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for ci, child := range children[s] {
			c := labels[s][ci]
			if s != 0 {
				f := m.fail[s]
				for {
					if next, ok := m.edges[uint64(f)<<8|uint64(c)]; ok {
						m.fail[child] = next
						break
					}
					if f == 0 {
						break
					}
					f = m.fail[f]
				}
			}
			f := m.fail[child]
			if m.out[f] >= 0 {
				m.dict[child] = f
			} else {
				m.dict[child] = m.dict[f]
			}
			queue = append(queue, child)
		}
	}
	return m
}

// find calls hit for every occurrence of a pattern in text, with its
// index and the occurrence's end offset.
func (m *matcher) find(text string, hit func(pattern, end int)) {
	if m == nil || m.shortest == 0 || len(text) < m.shortest {
		return
	}
	s := int32(0)
	for i := 0; i < len(text); i++ {
		c := uint64(text[i])
		for {
			if next, ok := m.edges[uint64(s)<<8|c]; ok {
				s = next
				break
			}
			if s == 0 {
				break
			}
			s = m.fail[s]
		}
		for o := s; o >= 0; o = m.dict[o] {
			if p := m.out[o]; p >= 0 {
				hit(int(p), i+1)
			}
			if o == 0 {
				break
			}
		}
	}
}

package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// page is Spring Data's Page as Jackson writes it, fields in Spring's order.
type page[T any] struct {
	Content          []T      `json:"content"`
	Pageable         pageable `json:"pageable"`
	Last             bool     `json:"last"`
	TotalPages       int      `json:"totalPages"`
	TotalElements    int      `json:"totalElements"`
	First            bool     `json:"first"`
	Size             int      `json:"size"`
	Number           int      `json:"number"`
	Sort             sortInfo `json:"sort"`
	NumberOfElements int      `json:"numberOfElements"`
	Empty            bool     `json:"empty"`
}

type pageable struct {
	PageNumber int      `json:"pageNumber"`
	PageSize   int      `json:"pageSize"`
	Sort       sortInfo `json:"sort"`
	Offset     int      `json:"offset"`
	Paged      bool     `json:"paged"`
	Unpaged    bool     `json:"unpaged"`
}

type sortInfo struct {
	Empty    bool `json:"empty"`
	Sorted   bool `json:"sorted"`
	Unsorted bool `json:"unsorted"`
}

// maxPageSize is Spring Data's default cap; larger sizes are cut to it.
const maxPageSize = 2000

type order struct {
	prop string
	desc bool
}

// pageRequest reads page, size and sort as Spring's Pageable resolver does:
// page is 0-based and clamped at 0, a size below 1 means the default, and
// sort repeats as property(,asc|desc).
type pageRequest struct {
	page, size int
	orders     []order
}

func parsePageRequest(r *http.Request, defSize int, defSort ...string) pageRequest {
	q := r.URL.Query()
	pr := pageRequest{size: defSize}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		pr.page = n
	}
	if n, err := strconv.Atoi(q.Get("size")); err == nil && n > 0 {
		pr.size = min(n, maxPageSize)
	}
	sorts := q["sort"]
	if len(sorts) == 0 {
		sorts = defSort
	}
	for _, s := range sorts {
		parts := strings.Split(s, ",")
		desc := false
		if n := len(parts); n > 1 {
			switch strings.ToLower(strings.TrimSpace(parts[n-1])) {
			case "desc":
				desc, parts = true, parts[:n-1]
			case "asc":
				parts = parts[:n-1]
			}
		}
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				pr.orders = append(pr.orders, order{prop: p, desc: desc})
			}
		}
	}
	return pr
}

// comparators name the properties a type sorts by. Keys are normalised
// (lower case, no underscores), since clients send both created_date and
// createdDate.
type comparators[T any] map[string]func(a, b T) int

func normProp(p string) string { return strings.ToLower(strings.ReplaceAll(p, "_", "")) }

// paginate sorts and slices items; an unknown sort property is the 400
// Spring Data answers with.
func paginate[T, V any](w http.ResponseWriter, pr pageRequest, items []T, by comparators[T], typeName string, view func(T) V) (page[V], bool) {
	for _, o := range pr.orders {
		if by[normProp(o.prop)] == nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("No property '%s' found for type '%s'", o.prop, typeName))
			return page[V]{}, false
		}
	}
	// Ties (two launches made in the same millisecond) fall back to
	// creation order, in the direction of the last sort, so "newest first"
	// stays true to the ids and pages never shuffle between calls.
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		for _, o := range pr.orders {
			c := by[normProp(o.prop)](items[i], items[j])
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		if n := len(pr.orders); n > 0 && pr.orders[n-1].desc {
			return j - i
		}
		return i - j
	})
	sorted := make([]T, len(items))
	for k, i := range idx {
		sorted[k] = items[i]
	}
	total := len(sorted)
	from := min(pr.page*pr.size, total)
	to := min(from+pr.size, total)
	content := make([]V, 0, to-from)
	for _, it := range sorted[from:to] {
		content = append(content, view(it))
	}
	si := sortInfo{Empty: len(pr.orders) == 0, Sorted: len(pr.orders) > 0, Unsorted: len(pr.orders) == 0}
	pages := (total + pr.size - 1) / pr.size
	return page[V]{
		Content:          content,
		Pageable:         pageable{PageNumber: pr.page, PageSize: pr.size, Sort: si, Offset: pr.page * pr.size, Paged: true},
		Last:             pr.page >= pages-1,
		TotalPages:       pages,
		TotalElements:    total,
		First:            pr.page == 0,
		Size:             pr.size,
		Number:           pr.page,
		Sort:             si,
		NumberOfElements: len(content),
		Empty:            len(content) == 0,
	}, true
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// pathID reads an int64 path parameter.
func pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	return parseID(w, r.PathValue(name))
}

// queryID reads a required int64 query parameter.
func queryID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Required request parameter '%s' for method parameter type Long is not present", name))
		return 0, false
	}
	return parseID(w, v)
}

// parseID reads an id; anything else is Spring's 400 for a failed type
// conversion.
func parseID(w http.ResponseWriter, v string) (int64, bool) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Failed to convert value of type 'java.lang.String' to required type 'java.lang.Long'; For input string: \"%s\"", v))
		return 0, false
	}
	return id, true
}

func requiredQuery(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	if _, ok := r.URL.Query()[name]; !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Required request parameter '%s' for method parameter type String is not present", name))
		return "", false
	}
	return r.URL.Query().Get(name), true
}

// readJSON decodes a request body, answering 400 the way Spring's message
// converter does when the body is not JSON.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Could not read the request body")
		return false
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		writeError(w, http.StatusBadRequest, "Required request body is missing")
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		writeError(w, http.StatusBadRequest, "JSON parse error: "+err.Error())
		return false
	}
	return true
}

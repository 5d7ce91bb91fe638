package sandbox

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

//go:embed openapi/report-service.json openapi/uaa-service.json
var docFS embed.FS

// AllServices is the group name Document takes for the combined document,
// served at /v3/api-docs.
const AllServices = "all"

// Document returns the OpenAPI 3.1 document an instance serves for group
// (ReportService, UAAService or AllServices), in version 1 or version 2
// shape. The bytes are the ones served, so a test can load them directly.
func Document(group string, v2 bool) ([]byte, error) {
	d, err := buildDoc(group, v2)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type jsonObj = map[string]any

func loadDoc(group string) (jsonObj, error) {
	b, err := docFS.ReadFile("openapi/" + group + ".json")
	if err != nil {
		return nil, fmt.Errorf("no document %q", group)
	}
	var d jsonObj
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("document %s: %w", group, err)
	}
	return d, nil
}

func buildDoc(group string, v2 bool) (jsonObj, error) {
	if group == AllServices {
		report, err := buildDoc(ReportService, v2)
		if err != nil {
			return nil, err
		}
		u, err := buildDoc(UAAService, v2)
		if err != nil {
			return nil, err
		}
		merge(report, u, "paths")
		merge(report["components"].(jsonObj), u["components"].(jsonObj), "schemas")
		report["info"].(jsonObj)["description"] = "apitrail sandbox: all services (Report Service and UAA Service) in one document."
		return report, nil
	}
	d, err := loadDoc(group)
	if err != nil {
		return nil, err
	}
	if v2 {
		applyV2(d)
	}
	return d, nil
}

func merge(dst, src jsonObj, key string) {
	to := dst[key].(jsonObj)
	for k, v := range src[key].(jsonObj) {
		to[k] = v
	}
}

// applyV2 makes the document say what version 2 mode does; the package
// doc lists the same three changes.
func applyV2(d jsonObj) {
	d["info"].(jsonObj)["version"] = "2.0.0"
	paths := d["paths"].(jsonObj)
	schemas := d["components"].(jsonObj)["schemas"].(jsonObj)
	delete(paths, "/api/launch/{id}/statistic")
	if l, ok := schemas["LaunchDto"].(jsonObj); ok {
		props := l["properties"].(jsonObj)
		props["isClosed"] = props["closed"]
		delete(props, "closed")
	}
	if p, ok := schemas["ProjectDto"].(jsonObj); ok {
		p["properties"].(jsonObj)["archived"] = jsonObj{"type": "boolean"}
	}
}

// handleDoc serves /v3/api-docs (all services) and /v3/api-docs/{group}.
func (in *Instance) handleDoc(w http.ResponseWriter, r *http.Request) {
	group := r.PathValue("group")
	if group == "" {
		group = AllServices
	}
	if group != ReportService && group != UAAService {
		if group != AllServices || r.PathValue("group") != "" {
			writeError(w, http.StatusNotFound, "No API definition for group "+group)
			return
		}
	}
	b, err := Document(group, in.v2())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// swaggerConfig is what springdoc serves for Swagger UI's "Select a
// definition" drop-down.
func swaggerConfig() jsonObj {
	return jsonObj{
		"configUrl":         "/v3/api-docs/swagger-config",
		"oauth2RedirectUrl": "/swagger-ui/oauth2-redirect.html",
		"operationsSorter":  "alpha",
		"tagsSorter":        "alpha",
		"validatorUrl":      "",
		"urls": []jsonObj{
			{"url": "/v3/api-docs/" + ReportService, "name": "Report Service"},
			{"url": "/v3/api-docs/" + UAAService, "name": "UAA Service"},
			{"url": "/v3/api-docs", "name": "All Services"},
		},
		"urls.primaryName": "All Services",
	}
}

func (in *Instance) handleSwaggerConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, swaggerConfig())
}

// handleSwaggerRedirect mirrors springdoc, whose /swagger-ui.html only
// redirects to the real page.
func (in *Instance) handleSwaggerRedirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/swagger-ui/index.html", http.StatusFound)
}

func (in *Instance) handleSwaggerInitializer(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/javascript")
	fmt.Fprintf(w, "window.onload = function () {\n  window.ui = SwaggerUIBundle({ configUrl: %q, dom_id: '#swagger-ui' });\n};\n", "/v3/api-docs/swagger-config")
}

func (in *Instance) handleSwaggerUI(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, "web/swagger.html")
}

func (in *Instance) handleUI(w http.ResponseWriter, r *http.Request) {
	// The page is where a browser session begins, so it hands out the CSRF
	// cookie the login form will have to repeat, as Spring does.
	if c, err := r.Cookie(XSRFCookie); err != nil || c.Value == "" {
		in.setXSRFCookie(w, r)
	}
	serveAsset(w, "web/index.html")
}

//go:embed web
var webFS embed.FS

func serveAsset(w http.ResponseWriter, name string) {
	b, err := webFS.ReadFile(name)
	if err != nil {
		writeError(w, http.StatusNotFound, http.StatusText(http.StatusNotFound))
		return
	}
	ct := "text/html; charset=utf-8"
	if strings.HasSuffix(name, ".js") {
		ct = "application/javascript"
	}
	w.Header().Set("Content-Type", ct)
	w.Write(b)
}

package script

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

const postmanSchema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

type pmCollection struct {
	Info     pmInfo       `json:"info"`
	Auth     pmAuth       `json:"auth"`
	Event    []pmEvent    `json:"event"`
	Variable []pmVariable `json:"variable"`
	Item     []pmItem     `json:"item"`
}

type pmInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Schema      string `json:"schema"`
}

type pmAuth struct {
	Type   string       `json:"type"`
	Bearer []pmVariable `json:"bearer,omitempty"`
}

type pmEvent struct {
	Listen string   `json:"listen"`
	Script pmScript `json:"script"`
}

type pmScript struct {
	Type string   `json:"type"`
	Exec []string `json:"exec"`
}

type pmVariable struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

type pmItem struct {
	Name    string    `json:"name"`
	Event   []pmEvent `json:"event"`
	Request pmRequest `json:"request"`
}

type pmRequest struct {
	Method      string     `json:"method"`
	Header      []pmHeader `json:"header"`
	Body        *pmBody    `json:"body,omitempty"`
	URL         string     `json:"url"`
	Description string     `json:"description,omitempty"`
}

type pmHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type pmBody struct {
	Mode    string         `json:"mode"`
	Raw     string         `json:"raw"`
	Options map[string]any `json:"options,omitempty"`
}

// renderPostman writes a Postman collection v2.1: a collection-level
// pre-request script that gets the Bearer token with pm.sendRequest (and
// a new one before it expires), Bearer auth that every request inherits,
// variables for the endpoint, the tokens and the parameters, and a test
// script per request that checks the answer and keeps what later requests
// use.
func renderPostman(fl *flow) ([]byte, error) {
	names := namer(fl.params, sameStyle, jsReserved...)
	col := pmCollection{
		Info: pmInfo{Name: fl.name, Schema: postmanSchema,
			Description: strings.Join(headingLines(fl), "\n") + "\n\nRun with newman:\n  newman run " +
				fileName(fl, Postman) + " --bail --env-var endpoint=" + fl.endpoint + " --env-var userToken=<your API token>"},
		Auth: pmAuth{Type: "bearer", Bearer: []pmVariable{{Key: "token", Value: "{{jwtToken}}", Type: "string"}}},
	}
	required := []string{"endpoint", "userToken"}
	col.Variable = []pmVariable{
		{Key: "endpoint", Value: fl.endpoint, Type: "string", Description: "The instance's address; the recording's by default."},
		{Key: "userToken", Value: "", Type: "string", Description: "An API token of the instance (user profile, API tokens). Leave it empty here: give it at run time."},
		{Key: "jwtToken", Value: "", Type: "string", Description: "The Bearer token the pre-request script gets."},
		{Key: "jwtExpires", Value: "0", Type: "string", Description: "When jwtToken expires, in epoch milliseconds."},
	}
	for _, pr := range fl.params {
		v := pmVariable{Key: names[pr], Type: "string"}
		switch pr.kind {
		case contextParam:
			v.Value, v.Description = pr.value, "The recording's context: an id the flow used but did not create."
		case secretParam:
			v.Description = "A secret the recording sent in " + pr.where + "; the recording kept none: supply it."
			required = append(required, names[pr])
		case producedParam:
			v.Description = "Read from an earlier answer."
		case chosenParam:
			v.Description = "Chosen by the flow; made anew on each run with the time now, before the call that first sends it."
		}
		col.Variable = append(col.Variable, v)
	}
	col.Event = []pmEvent{{Listen: "prerequest", Script: pmScript{Type: "text/javascript", Exec: lines(fmt.Sprintf(`// Gets a Bearer token for the API token in userToken, and a new one shortly
// before it expires.
var missing = %s.filter(function (name) { return !pm.variables.get(name); });
if (missing.length > 0) {
  throw new Error("set " + missing.join(", ") + " (newman: --env-var NAME=VALUE)");
}
if (!pm.collectionVariables.get("jwtToken") || Date.now() >= Number(pm.collectionVariables.get("jwtExpires"))) {
  pm.sendRequest({
    url: pm.variables.get("endpoint").replace(/\/+$/, "") + "/api/uaa/oauth/token",
    method: "POST",
    header: { Accept: "application/json" },
    body: {
      mode: "urlencoded",
      urlencoded: [
        { key: "grant_type", value: "apitoken" },
        { key: "scope", value: "openid" },
        { key: "token", value: pm.variables.get("userToken") }
      ]
    }
  }, function (err, res) {
    // A throw in this callback would go unreported; a failed test is seen.
    pm.test("token exchange", function () {
      pm.expect(err, "the token exchange failed: " + err).to.equal(null);
      pm.expect(res.code, "the token exchange answered " + res.code + ": " + %s).to.equal(200);
    });
    if (!err && res.code === 200) {
      var answer = res.json();
      var life = Number(answer.expires_in) || 300;
      pm.collectionVariables.set("jwtToken", answer.access_token);
      pm.collectionVariables.set("jwtExpires", String(Date.now() + Math.max(life - 30, 1) * 1000));
    }
  });
}`, jsValue(required), jsExcerpt("res.text()", `pm.variables.get("userToken")`, `pm.collectionVariables.get("jwtToken")`)))}}}

	if fl.signIn.scheme() != "testops" {
		postmanSignIn(&col, fl, required)
	}

	ref := mustacheRef(names)
	for _, c := range fl.calls {
		req := pmRequest{Method: c.method, URL: "{{endpoint}}" + c.target.text(ref),
			Description: strings.TrimSpace(fmt.Sprintf("Call #%d of the recording. %s", c.seq, c.note))}
		req.Header = []pmHeader{}
		for _, h := range c.headers {
			req.Header = append(req.Header, pmHeader{Key: h.name, Value: h.value.text(ref)})
		}
		if c.bodyKind != noBody {
			req.Body = &pmBody{Mode: "raw", Raw: c.body.text(ref)}
			if c.bodyKind == jsonBody {
				req.Body.Options = map[string]any{"raw": map[string]string{"language": "json"}}
			}
		}
		test := fmt.Sprintf(`pm.test(%s, function () {
  pm.expect(pm.response.code, "answered " + pm.response.code + ": " + %s).to.be.within(200, 399);
});
if (pm.response.code < 200 || pm.response.code >= 400) {
  pm.execution.setNextRequest(null); // stop here, as the other formats do
}`, jsString(fmt.Sprintf("#%d %s", c.seq, c.label)), jsExcerpt("pm.response.text()", `pm.collectionVariables.get("jwtToken")`))
		if len(c.produces) > 0 {
			test += " else {"
			for _, pr := range c.produces {
				test += fmt.Sprintf("\n  pm.collectionVariables.set(%s, String(%s));", jsString(names[pr]),
					jsExtract(pr.from, "pm.response.json()", "pm.response.headers.get(%s)"))
			}
			test += "\n}"
		}
		col.Item = append(col.Item, pmItem{Name: c.label, Request: req,
			Event: append([]pmEvent{{Listen: "test", Script: pmScript{Type: "text/javascript", Exec: lines(test)}}}, postmanChoose(c, names)...)})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(col); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func lines(s string) []string { return strings.Split(s, "\n") }

// postmanSignIn replaces the TestOps exchange of col with the scheme's
// sign-in: collection auth, its variables, and a pre-request script that
// sets the headers (or gets an OAuth 2.0 token).
func postmanSignIn(col *pmCollection, fl *flow, required []string) {
	si := fl.signIn
	vars := col.Variable[:1:1] // the endpoint; the token variables follow
	// endpoint and the flow's secrets; the scheme adds its own variables.
	required = append([]string{"endpoint"}, required[2:]...)
	tokenVar := pmVariable{Key: "userToken", Value: "", Type: "string", Description: "The token the instance signs in with. Leave it empty here: give it at run time."}
	var script string
	run := " --env-var userToken=<your token>"
	col.Auth = pmAuth{Type: "noauth"}
	switch si.scheme() {
	case "none":
		run = ""
	case "bearer":
		vars, required = append(vars, tokenVar), append(required, "userToken")
		col.Auth = pmAuth{Type: "bearer", Bearer: []pmVariable{{Key: "token", Value: "{{userToken}}", Type: "string"}}}
	case "basic":
		vars, required = append(vars, tokenVar), append(required, "userToken")
		tokenVar.Description = "user:password. " + tokenVar.Description
		script = `var token = pm.variables.get("userToken");
pm.request.headers.upsert({ key: "Authorization", value: "Basic " + CryptoJS.enc.Base64.stringify(CryptoJS.enc.Utf8.parse(token)) });`
	case "header":
		vars, required = append(vars, tokenVar), append(required, "userToken")
		script = `var token = pm.variables.get("userToken");`
		for _, h := range si.Headers {
			name, value, _ := strings.Cut(h, ":")
			script += fmt.Sprintf("\npm.request.headers.upsert({ key: %s, value: %s.split(\"{token}\").join(token) });", jsString(strings.TrimSpace(name)), jsString(strings.TrimSpace(value)))
		}
	case "oauth2":
		run = " --env-var clientSecret=<the client secret>"
		vars = append(vars,
			pmVariable{Key: "tokenUrl", Value: si.TokenURL, Type: "string", Description: "The OAuth 2.0 token endpoint."},
			pmVariable{Key: "clientId", Value: si.ClientID, Type: "string", Description: "The OAuth 2.0 client id."},
			pmVariable{Key: "clientSecret", Value: "", Type: "string", Description: "The OAuth 2.0 client secret. Leave it empty here: give it at run time."},
			pmVariable{Key: "jwtToken", Value: "", Type: "string", Description: "The Bearer token the pre-request script gets."},
			pmVariable{Key: "jwtExpires", Value: "0", Type: "string", Description: "When jwtToken expires, in epoch milliseconds."})
		required = append(required, "tokenUrl", "clientId", "clientSecret")
		col.Auth = pmAuth{Type: "bearer", Bearer: []pmVariable{{Key: "token", Value: "{{jwtToken}}", Type: "string"}}}
		script = fmt.Sprintf(`if (!pm.collectionVariables.get("jwtToken") || Date.now() >= Number(pm.collectionVariables.get("jwtExpires"))) {
  var client = pm.variables.get("clientId") + ":" + pm.variables.get("clientSecret");
  pm.sendRequest({
    url: pm.variables.get("tokenUrl"),
    method: "POST",
    header: { Accept: "application/json", Authorization: "Basic " + CryptoJS.enc.Base64.stringify(CryptoJS.enc.Utf8.parse(client)) },
    body: { mode: "urlencoded", urlencoded: [{ key: "grant_type", value: "client_credentials" }, { key: "scope", value: %s }] }
  }, function (err, res) {
    pm.test("client-credentials grant", function () {
      pm.expect(err, "the client-credentials grant failed: " + err).to.equal(null);
      pm.expect(res.code, "the client-credentials grant answered " + res.code).to.equal(200);
    });
    if (!err && res.code === 200) {
      var answer = res.json();
      var life = Number(answer.expires_in) || 300;
      pm.collectionVariables.set("jwtToken", answer.access_token);
      pm.collectionVariables.set("jwtExpires", String(Date.now() + Math.max(life - 30, 0) * 1000));
    }
  });
}`, jsString(strings.Join(si.Scopes, " ")))
	}
	col.Variable = append(vars, col.Variable[4:]...)
	check := fmt.Sprintf(`var missing = %s.filter(function (name) { return !pm.variables.get(name); });
if (missing.length > 0) {
  throw new Error("set " + missing.join(", ") + " (newman: --env-var NAME=VALUE)");
}`, jsValue(required))
	if script != "" {
		check += "\n" + script
	}
	col.Event = []pmEvent{{Listen: "prerequest", Script: pmScript{Type: "text/javascript", Exec: lines(check)}}}
	col.Info.Description = strings.Join(headingLines(fl), "\n") + "\n\nRun with newman:\n  newman run " +
		fileName(fl, Postman) + " --bail --env-var endpoint=" + fl.endpoint + run
}

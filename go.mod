module github.com/apitrail/apitrail

go 1.26

require (
	github.com/getkin/kin-openapi v0.153.0 // indirect
	github.com/google/martian/v3 v3.3.3 // indirect
	github.com/sergi/go-diff v1.4.0 // indirect
	github.com/spf13/pflag v1.1.0 // indirect
	golang.org/x/net v0.0.0-20190628185345-da137c7871d7 // indirect
	golang.org/x/text v0.14.0 // indirect
)

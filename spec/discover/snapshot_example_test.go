package discover_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/apitrail/apitrail/spec"
	"github.com/apitrail/apitrail/spec/discover"
)

func ExampleSaveSnapshot() {
	dir, err := os.MkdirTemp("", "snapshot")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	src, err := spec.ReadFile("../../testdata/spec/shop-3.0.yaml")
	if err != nil {
		log.Fatal(err)
	}
	src.Name = "All Services"
	if err := discover.SaveSnapshot(filepath.Join(dir, "spec"), []spec.Source{src}); err != nil {
		log.Fatal(err)
	}
	// Later, offline:
	srcs, err := discover.LoadSnapshot(filepath.Join(dir, "spec"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(srcs[0].Name, srcs[0].SHA256 == src.SHA256)
	// Output:
	// All Services true
}

func ExampleLoadSnapshot() {
	dir, err := os.MkdirTemp("", "snapshot")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	src, err := spec.ReadFile("../../testdata/spec/petshop-2.0.json")
	if err != nil {
		log.Fatal(err)
	}
	if err := discover.SaveSnapshot(dir, []spec.Source{src}); err != nil {
		log.Fatal(err)
	}
	srcs, err := discover.LoadSnapshot(dir)
	if err != nil {
		log.Fatal(err)
	}
	docs, err := spec.LoadAll(srcs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(docs[0].Title, docs[0].Source.SHA256[:12])
	// Output:
	// Petshop ed25d3ee6135
}

// Package contribtest holds the tests that need Collector contrib modules
// (the file_storage extension), in a module of its own so that the
// analytics exporter's module does not depend on contrib. It imports the
// parent module's packages through a replace directive; its path is below
// the parent's, so the parent's internal packages are visible to it.
//
// Run: cd contribtest && go test -race ./...
package contribtest

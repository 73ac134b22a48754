// Package schema checks analytics output against the entry contract:
// strict JSON, the seven keys in order, a canonical UUID, a UTC
// timestamp with six fraction digits that Python's datetime accepts, one of
// the ten types. It is the Go counterpart of ../shared/tools/seedcheck.py
// and serves the project's tests and the analyticscheck command; it is a
// checker, not a hot path, so it decodes with encoding/json tokens.
package schema

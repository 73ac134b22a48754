package schema

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// goodLine is a valid entry; the bad cases below are one edit away from it.
const goodLine = `{"id":"0b7cb4e2-3d0f-4a5e-9a57-2f1c8f3f9d11","timestamp":"2026-11-26T21:50:07.123456+00:00","type":"tool_use","session_id":"s-1","user_id":null,"data":{"tool_name":"Bash","n":[1,{"a":null}]},"metadata":{"signal":"log"}}`

func TestCheckLineGood(t *testing.T) {
	e, err := CheckLine([]byte(goodLine))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 26, 21, 50, 7, 123456000, time.UTC)
	if e.ID != "0b7cb4e2-3d0f-4a5e-9a57-2f1c8f3f9d11" || e.Type != "tool_use" || !e.Timestamp.Equal(want) {
		t.Errorf("entry %+v", e)
	}
	if e.SessionID != "s-1" || e.SessionIDNull || e.UserID != "" || !e.UserIDNull {
		t.Errorf("ids %+v", e)
	}
	if string(e.Data) != `{"tool_name":"Bash","n":[1,{"a":null}]}` || string(e.Metadata) != `{"signal":"log"}` {
		t.Errorf("raw data %s metadata %s", e.Data, e.Metadata)
	}
	d, err := e.DataMap()
	if err != nil || d["tool_name"] != "Bash" || d["n"].([]any)[0] != json.Number("1") {
		t.Errorf("DataMap %v %v", d, err)
	}
	m, err := e.MetadataMap()
	if err != nil || m["signal"] != "log" {
		t.Errorf("MetadataMap %v %v", m, err)
	}
}

func TestCheckLineWhitespaceAllowed(t *testing.T) {
	spaced := strings.ReplaceAll(goodLine, `,"`, ` ,  "`)
	spaced = strings.ReplaceAll(spaced, `":`, `" : `)
	e, err := CheckLine([]byte(" " + spaced + " \t"))
	if err != nil {
		t.Fatal(err)
	}
	if string(e.Metadata) != `{"signal" : "log"}` {
		t.Errorf("metadata %q", e.Metadata)
	}
}

// badLines are lines every checker of the contract must reject, with a
// piece of the expected message. seedcheck_test.go feeds them to
// seedcheck.py too.
var badLines = []struct {
	name, line, wantErr string
}{
	{"empty", ``, "end of input"},
	{"not an object", `[1]`, "not a JSON object"},
	{"truncated", goodLine[:len(goodLine)-1], "end of input"},
	{"invalid UTF-8", strings.Replace(goodLine, "Bash", "Ba\xffsh", 1), "invalid UTF-8"},
	{"raw control char", strings.Replace(goodLine, "Bash", "Ba\x01sh", 1), "invalid character"},
	{"raw newline", strings.Replace(goodLine, `"data":`, "\"data\":\n", 1), "raw newline"},
	{"NaN", strings.Replace(goodLine, `"n":[1`, `"n":[NaN`, 1), "invalid character"},
	{"Infinity", strings.Replace(goodLine, `"n":[1`, `"n":[Infinity`, 1), "invalid character"},
	{"-Infinity", strings.Replace(goodLine, `"n":[1`, `"n":[-Infinity`, 1), "invalid character"},
	{"trailing garbage", goodLine + ` x`, "trailing data"},
	{"second object", goodLine + `{}`, "trailing data"},
	{"duplicate top-level key", strings.Replace(goodLine, `"user_id":null,`, `"user_id":null,"user_id":null,`, 1), "key 6 is \"user_id\""},
	{"duplicate key in data", strings.Replace(goodLine, `"tool_name":"Bash"`, `"tool_name":"Bash","tool_name":"x"`, 1), `duplicate key "tool_name" in object .data`},
	{"duplicate key deep in array", strings.Replace(goodLine, `{"a":null}`, `{"a":null,"a":1}`, 1), `duplicate key "a" in object .data.n[1]`},
	{"duplicate key in metadata", strings.Replace(goodLine, `{"signal":"log"}`, `{"signal":"log","signal":"log"}`, 1), `duplicate key "signal"`},
	{"missing metadata", strings.Replace(goodLine, `,"metadata":{"signal":"log"}`, ``, 1), "missing keys"},
	{"extra key", strings.Replace(goodLine, `}}`, `},"x":1}`, 1), `unexpected key "x"`},
	{"keys out of order", strings.Replace(goodLine, `"session_id":"s-1","user_id":null`, `"user_id":null,"session_id":"s-1"`, 1), `key 4 is "user_id"`},
	{"uppercase id", strings.Replace(goodLine, "0b7cb4e2", "0B7CB4E2", 1), "canonical lowercase UUID"},
	{"id without dashes", strings.Replace(goodLine, "0b7cb4e2-3d0f", "0b7cb4e23d0f", 1), "canonical lowercase UUID"},
	{"id a number", strings.Replace(goodLine, `"0b7cb4e2-3d0f-4a5e-9a57-2f1c8f3f9d11"`, `7`, 1), "id must be a string, got a number"},
	{"timestamp Z", strings.Replace(goodLine, "+00:00", "Z", 1), "6 fraction digits"},
	{"timestamp 3 digits", strings.Replace(goodLine, ".123456", ".123", 1), "6 fraction digits"},
	{"timestamp other zone", strings.Replace(goodLine, "+00:00", "+01:00", 1), "6 fraction digits"},
	{"timestamp month 13", strings.Replace(goodLine, "2026-11-26", "2026-13-26", 1), "month out of range"},
	{"timestamp year 0", strings.Replace(goodLine, "2026-11-26", "0000-11-26", 1), "year 0000"},
	{"unknown type", strings.Replace(goodLine, `"tool_use"`, `"tool_used"`, 1), `type "tool_used" is not one of`},
	{"session_id a number", strings.Replace(goodLine, `"s-1"`, `5`, 1), "session_id must be a string or null, got a number"},
	{"user_id an object", strings.Replace(goodLine, `"user_id":null`, `"user_id":{}`, 1), "user_id must be a string or null, got an object"},
	{"data an array", strings.Replace(goodLine, `"data":{"tool_name":"Bash","n":[1,{"a":null}]}`, `"data":[]`, 1), "data must be an object, got an array"},
	{"metadata null", strings.Replace(goodLine, `"metadata":{"signal":"log"}`, `"metadata":null`, 1), "metadata must be an object, got null"},
}

func TestCheckLineBad(t *testing.T) {
	for _, tt := range badLines {
		t.Run(tt.name, func(t *testing.T) {
			if tt.line == goodLine {
				t.Fatal("test case did not change the good line")
			}
			_, err := CheckLine([]byte(tt.line))
			if err == nil {
				t.Fatalf("accepted %s", tt.line)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestCheckJSON(t *testing.T) {
	good := []string{`1`, ` "x" `, `null`, `[]`, `{"":{"":[{"a":1,"b":2}]}}`, `{"a":1,"A":2}`}
	for _, s := range good {
		if err := CheckJSON([]byte(s)); err != nil {
			t.Errorf("CheckJSON(%s) = %v", s, err)
		}
	}
	bad := []string{``, `1 2`, `{"a":1,"a":2}`, `[{"":1,"":1}]`, `NaN`, `{"a":1e999}x`, "\"\xff\"", `{"a":}`, `[1,]`}
	for _, s := range bad {
		if err := CheckJSON([]byte(s)); err == nil {
			t.Errorf("CheckJSON(%q) accepted", s)
		}
	}
}

func TestIsType(t *testing.T) {
	for _, typ := range Types {
		if !IsType(typ) {
			t.Errorf("IsType(%q) = false", typ)
		}
	}
	if IsType("") || IsType("Tool_use") {
		t.Error("IsType accepts a non-type")
	}
}

package encode

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
)

// mustStrict fails t unless b is one strict JSON value (no duplicate keys,
// valid UTF-8, no NaN) that encoding/json also accepts, and returns it
// decoded with numbers as json.Number.
func mustStrict(t testing.TB, b []byte) any {
	t.Helper()
	if err := schema.CheckJSON(b); err != nil {
		t.Fatalf("not strict JSON: %v\n%.2000s", err, b)
	}
	if !json.Valid(b) {
		t.Fatalf("json.Valid rejects %.2000s", b)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return v
}

// model is what a JSON reader must get back from Value(v): the test oracle.
// Ints are int64, doubles float64 (nil for NaN/Inf), strings with each
// invalid byte as U+FFFD, maps with the last value of a repeated key.
func model(v pcommon.Value, depth int) any {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return string([]rune(v.Str()))
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		if f := v.Double(); !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeBytes:
		return base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())
	case pcommon.ValueTypeMap:
		return modelMap(v.Map(), depth)
	case pcommon.ValueTypeSlice:
		if depth >= MaxDepth {
			return "<too deep>"
		}
		out := []any{}
		for _, e := range v.Slice().All() {
			out = append(out, model(e, depth+1))
		}
		return out
	}
	return nil
}

func modelMap(m pcommon.Map, depth int) any {
	if depth >= MaxDepth {
		return "<too deep>"
	}
	out := map[string]any{}
	for k, e := range m.All() {
		out[string([]rune(k))] = model(e, depth+1)
	}
	return out
}

// sameJSON compares a decoded value (json.Number numbers) with a model value.
func sameJSON(want, got any) error {
	switch w := want.(type) {
	case int64:
		if n, ok := got.(json.Number); !ok || n.String() != strconv.FormatInt(w, 10) {
			return fmt.Errorf("got %v, want int %d", got, w)
		}
	case float64:
		n, ok := got.(json.Number)
		f, err := strconv.ParseFloat(string(n), 64)
		if !ok || err != nil || math.Float64bits(f) != math.Float64bits(w) {
			return fmt.Errorf("got %v, want float %v", got, w)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("got %v, want array of %d", got, len(w))
		}
		for i := range w {
			if err := sameJSON(w[i], g[i]); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("got %v, want object of %d keys", got, len(w))
		}
		for k := range w {
			if err := sameJSON(w[k], g[k]); err != nil {
				return fmt.Errorf(".%q: %w", k, err)
			}
		}
	default:
		if want != got {
			return fmt.Errorf("got %#v, want %#v", got, want)
		}
	}
	return nil
}

// Protobuf builders for OTLP AnyValue/KeyValue: pdata keeps a repeated key
// as it came off the wire (its Put methods never make one), so maps with
// duplicates are made by unmarshaling hand-written protobuf.

func pbField(b []byte, field int, payload []byte) []byte {
	b = binary.AppendUvarint(b, uint64(field<<3|2))
	b = binary.AppendUvarint(b, uint64(len(payload)))
	return append(b, payload...)
}

func pbStr(s string) []byte { return pbField(nil, 1, []byte(s)) }

func pbInt(i int64) []byte { return binary.AppendUvarint([]byte{3 << 3}, uint64(i)) }

func pbBool(v bool) []byte {
	if v {
		return []byte{2 << 3, 1}
	}
	return []byte{2 << 3, 0}
}

func pbDouble(f float64) []byte {
	return binary.LittleEndian.AppendUint64([]byte{4<<3 | 1}, math.Float64bits(f))
}

func pbBytes(v []byte) []byte { return pbField(nil, 7, v) }

func pbArray(vals ...[]byte) []byte {
	var arr []byte
	for _, v := range vals {
		arr = pbField(arr, 1, v)
	}
	return pbField(nil, 5, arr)
}

func pbKVList(kvs ...[]byte) []byte {
	var list []byte
	for _, kv := range kvs {
		list = pbField(list, 1, kv)
	}
	return pbField(nil, 6, list)
}

func pbKV(key string, val []byte) []byte {
	return pbField(pbField(nil, 1, []byte(key)), 2, val)
}

// mapFromProto returns the resource attributes of a LogsData holding kvs.
func mapFromProto(t testing.TB, kvs ...[]byte) pcommon.Map {
	t.Helper()
	var res []byte
	for _, kv := range kvs {
		res = pbField(res, 1, kv)
	}
	ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(pbField(nil, 1, pbField(nil, 1, res)))
	if err != nil {
		t.Fatalf("unmarshal protobuf: %v", err)
	}
	return ld.ResourceLogs().At(0).Resource().Attributes()
}

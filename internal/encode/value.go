package encode

import (
	"encoding/base64"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// MaxDepth bounds the nesting Value follows: at most MaxDepth maps and
// slices inside one another (the outermost counts); a deeper one is written
// as the string "<too deep>", so hostile input cannot blow the stack.
const MaxDepth = 32

// tooDeep replaces a map or slice nested deeper than MaxDepth.
const tooDeep = `"<too deep>"`

// Value appends any pcommon.Value as JSON: maps as objects (a repeated key:
// the last one wins), slices as arrays, bytes as a base64 string, empty as
// null. Nesting deeper than MaxDepth is written as the string "<too deep>".
func Value(dst []byte, v pcommon.Value) []byte {
	return value(dst, v, 0)
}

// Map appends m as a JSON object; for a repeated key the last value wins.
func Map(dst []byte, m pcommon.Map) []byte {
	return mapObject(dst, m, 0)
}

// Bytes appends b as a quoted standard (padded) base64 string.
func Bytes(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// value appends v; depth counts the maps and slices around v.
func value(dst []byte, v pcommon.Value, depth int) []byte {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return String(dst, v.Str())
	case pcommon.ValueTypeInt:
		return Int(dst, v.Int())
	case pcommon.ValueTypeDouble:
		return Float(dst, v.Double())
	case pcommon.ValueTypeBool:
		return Bool(dst, v.Bool())
	case pcommon.ValueTypeBytes:
		return Bytes(dst, v.Bytes().AsRaw())
	case pcommon.ValueTypeMap:
		return mapObject(dst, v.Map(), depth)
	case pcommon.ValueTypeSlice:
		return slice(dst, v.Slice(), depth)
	}
	return append(dst, "null"...)
}

// mapObject appends m as an object nested inside depth containers.
func mapObject(dst []byte, m pcommon.Map, depth int) []byte {
	if depth >= MaxDepth {
		return append(dst, tooDeep...)
	}
	dst = append(dst, '{')
	dst = members(dst, m, depth+1)
	return append(dst, '}')
}

// slice appends s as an array nested inside depth containers.
func slice(dst []byte, s pcommon.Slice, depth int) []byte {
	if depth >= MaxDepth {
		return append(dst, tooDeep...)
	}
	dst = append(dst, '[')
	for i := 0; i < s.Len(); i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = value(dst, s.At(i), depth+1)
	}
	return append(dst, ']')
}

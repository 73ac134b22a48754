// Package encode appends strict JSON to byte slices: strings, numbers,
// pdata values and maps, entry ids and timestamps.
//
// Every function appends to the caller's slice and returns it, in the manner
// of strconv.AppendInt and zap's JSON encoder: no reflection, no maps and no
// allocations on the hot path when dst has room. The output is strict JSON
// in every case: NaN and infinities become null, invalid UTF-8 becomes
// U+FFFD, control characters (C0, DEL, C1) and U+2028/U+2029 are escaped,
// and an object never holds the same key twice.
package encode

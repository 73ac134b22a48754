package encode

import "time"

// EntryHead appends the start of an entry line, up to and including
// `"data":` — that is `{"id":"…","timestamp":"…","type":"…","session_id":…,
// "user_id":…,"data":` with an empty id written as null.
// The caller then appends the data object, `,"metadata":`, the metadata
// object, and "}\n".
//
// The id is a fresh UUID (see UUID); "empty id" means an empty sessionID or
// userID, which is written as null.
func EntryHead(dst []byte, ts time.Time, typ, sessionID, userID string) []byte {
	dst = append(dst, `{"id":`...)
	dst = UUID(dst)
	dst = append(dst, `,"timestamp":`...)
	dst = Timestamp(dst, ts)
	dst = append(dst, `,"type":`...)
	dst = String(dst, typ)
	dst = append(dst, `,"session_id":`...)
	dst = stringOrNull(dst, sessionID)
	dst = append(dst, `,"user_id":`...)
	dst = stringOrNull(dst, userID)
	return append(dst, `,"data":`...)
}

// stringOrNull appends s quoted, or null when s is empty.
func stringOrNull(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return String(dst, s)
}

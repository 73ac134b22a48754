package encode

import "time"

// Unix seconds of 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the range
// of Python's datetime (MINYEAR 1, MAXYEAR 9999).
const (
	minUnix = -62135596800
	maxUnix = 253402300800
)

// Timestamp appends t in UTC as "YYYY-MM-DDTHH:MM:SS.ffffff+00:00", quoted.
//
// The fraction is truncated to microseconds (Python's datetime precision).
// A time before year 1 is written as 0001-01-01T00:00:00.000000+00:00 and one
// after year 9999 as 9999-12-31T23:59:59.999999+00:00: clamped, so that
// Python's datetime.fromisoformat accepts every output. pdata timestamps
// (uint64 nanoseconds since 1970) always fall inside the range.
func Timestamp(dst []byte, t time.Time) []byte {
	var c TimeCache
	return c.Append(dst, t)
}

// TimeCache writes timestamps as Timestamp does, remembering the text of the
// last second it wrote: the records of a batch mostly fall into a few
// seconds, so the calendar arithmetic is done once per second, not once per
// record. The zero value is ready to use; it is not safe for concurrent use.
type TimeCache struct {
	sec  int64
	head [20]byte // `"YYYY-MM-DDTHH:MM:SS` of sec
	ok   bool
}

// Append appends t like Timestamp.
func (c *TimeCache) Append(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	micro := t.Nanosecond() / 1000
	if sec < minUnix {
		sec, micro = minUnix, 0
	} else if sec >= maxUnix {
		sec, micro = maxUnix-1, 999999
	}
	if !c.ok || sec != c.sec {
		c.fill(sec)
	}
	dst, b := grow(dst, 34)
	_ = b[33]
	copy(b[:20], c.head[:])
	b[20] = '.'
	put2(b[21:23], micro/10000)
	put2(b[23:25], micro/100%100)
	put2(b[25:27], micro%100)
	copy(b[27:], `+00:00"`)
	return dst
}

// fill formats the date and time of sec (inside the clamped range) into head.
func (c *TimeCache) fill(sec int64) {
	days := sec / 86400 // sec >= minUnix > -2^62: floor below handles negatives
	rem := sec - days*86400
	if rem < 0 {
		days--
		rem += 86400
	}
	y, mo, d := civil(days)
	b := c.head[:]
	b[0] = '"'
	put2(b[1:3], y/100)
	put2(b[3:5], y%100)
	b[5] = '-'
	put2(b[6:8], mo)
	b[8] = '-'
	put2(b[9:11], d)
	b[11] = 'T'
	put2(b[12:14], int(rem/3600))
	b[14] = ':'
	put2(b[15:17], int(rem/60%60))
	b[17] = ':'
	put2(b[18:20], int(rem%60))
	c.sec, c.ok = sec, true
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date, after
// Howard Hinnant's civil_from_days
// (https://howardhinnant.github.io/date_algorithms.html), valid for every
// day in the clamped range.
func civil(days int64) (year, month, day int) {
	z := days + 719468
	era := z / 146097 // z >= 0 for every year >= 1
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}

// put2 writes 0 <= v < 100 as two digits into b[0:2].
func put2(b []byte, v int) {
	_ = b[1]
	b[0], b[1] = byte('0'+v/10), byte('0'+v%10)
}

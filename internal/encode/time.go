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
	sec := t.Unix()
	micro := t.Nanosecond() / 1000
	if sec < minUnix {
		sec, micro = minUnix, 0
	} else if sec >= maxUnix {
		sec, micro = maxUnix-1, 999999
	}
	days := sec / 86400 // sec >= minUnix > -2^62: floor below handles negatives
	rem := sec - days*86400
	if rem < 0 {
		days--
		rem += 86400
	}
	y, mo, d := civil(days)
	dst = append(dst, '"')
	dst = append4(dst, y)
	dst = append(dst, '-')
	dst = append2(dst, mo)
	dst = append(dst, '-')
	dst = append2(dst, d)
	dst = append(dst, 'T')
	dst = append2(dst, int(rem/3600))
	dst = append(dst, ':')
	dst = append2(dst, int(rem/60%60))
	dst = append(dst, ':')
	dst = append2(dst, int(rem%60))
	dst = append(dst, '.')
	dst = append2(dst, micro/10000)
	dst = append2(dst, micro/100%100)
	dst = append2(dst, micro%100)
	return append(dst, "+00:00\""...)
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

// append2 appends 0 <= v < 100 as two digits.
func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// append4 appends 0 <= v < 10000 as four digits.
func append4(dst []byte, v int) []byte {
	return append2(append2(dst, v/100), v%100)
}

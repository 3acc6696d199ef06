package rollup

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Hist is a mergeable histogram of durations in seconds, from which reports
// read medians and p90s without the raw values (ADR 0051). Buckets are one
// second wide up to ExactUpTo seconds, so a service level "answered within N
// seconds" is exact for any whole N up to it; above, each bucket is Growth
// times wider than the last, so a quantile read from them is within 2 % of
// the true value. Two histograms merge by adding their counts, which is what
// lets an hour's rollups add up to a month.
type Hist map[int]int64

// ExactUpTo is the largest duration, in seconds, whose bucket is exact.
const ExactUpTo = 120

// Growth is the ratio of one logarithmic bucket's upper bound to the last's.
const Growth = 1.02

var logGrowth = math.Log(Growth)

// Bucket is the index of the bucket that holds secs: the smallest bucket
// whose upper bound is at least secs. Negative durations (clocks that
// disagree) count as zero.
func Bucket(secs float64) int {
	if secs <= 0 {
		return 0
	}
	if secs <= ExactUpTo {
		return int(math.Ceil(secs))
	}
	return ExactUpTo + int(math.Ceil(math.Log(secs/ExactUpTo)/logGrowth-1e-9))
}

// Upper is the upper bound of bucket b, in seconds: what a quantile that
// falls in it reads.
func Upper(b int) float64 {
	if b <= ExactUpTo {
		return float64(b)
	}
	return ExactUpTo * math.Pow(Growth, float64(b-ExactUpTo))
}

// Add counts one duration.
func (h Hist) Add(secs float64) { h[Bucket(secs)]++ }

// Merge adds o's counts to h.
func (h Hist) Merge(o Hist) {
	for b, n := range o {
		h[b] += n
	}
}

// Count is how many durations h holds.
func (h Hist) Count() int64 {
	var n int64
	for _, c := range h {
		n += c
	}
	return n
}

// AtMost counts the durations of at most secs (exact for whole secs up to
// ExactUpTo; above, it counts whole buckets whose upper bound is at most secs).
func (h Hist) AtMost(secs float64) int64 {
	var n int64
	for b, c := range h {
		if Upper(b) <= secs {
			n += c
		}
	}
	return n
}

// Quantile is the nearest-rank q-quantile (0 < q ≤ 1): the upper bound of
// the bucket holding the ⌈q·n⌉-th smallest duration; ok is false when h is
// empty.
func (h Hist) Quantile(q float64) (secs float64, ok bool) {
	n := h.Count()
	if n == 0 {
		return 0, false
	}
	rank := int64(math.Ceil(q * float64(n)))
	rank = max(rank, 1)
	keys := make([]int, 0, len(h))
	for b := range h {
		keys = append(keys, b)
	}
	slices.Sort(keys)
	var seen int64
	for _, b := range keys {
		seen += h[b]
		if seen >= rank {
			return Upper(b), true
		}
	}
	return Upper(keys[len(keys)-1]), true
}

// String encodes h as "bucket:count" pairs in bucket order, the form the
// store keeps: compact, and quick to read back for a month of hours.
func (h Hist) String() string {
	keys := make([]int, 0, len(h))
	for b, n := range h {
		if n != 0 {
			keys = append(keys, b)
		}
	}
	slices.Sort(keys)
	buf := make([]byte, 0, 8*len(keys))
	for i, b := range keys {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = strconv.AppendInt(buf, int64(b), 10)
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, h[b], 10)
	}
	return string(buf)
}

// ParseHist reads what String wrote, adding the counts to into.
func ParseHist(s string, into Hist) error {
	for len(s) > 0 {
		field, rest, _ := strings.Cut(s, " ")
		s = rest
		b, n, ok := strings.Cut(field, ":")
		bi, err1 := strconv.Atoi(b)
		ni, err2 := strconv.ParseInt(n, 10, 64)
		if !ok || err1 != nil || err2 != nil || bi < 0 {
			return fmt.Errorf("histogram: bad bucket %q", field)
		}
		into[bi] += ni
	}
	return nil
}

// MergeText merges two histograms in text form, for store.MergeRollupHists.
func MergeText(old, add string) (string, error) {
	h := Hist{}
	if err := ParseHist(old, h); err != nil {
		return "", err
	}
	if err := ParseHist(add, h); err != nil {
		return "", err
	}
	return h.String(), nil
}

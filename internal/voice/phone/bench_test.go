package phone_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/sip/baresiptest"
)

// BenchmarkPhoneCallAnswer times a call to a tenant's number from baresip's
// dial to its CALL_ESTABLISHED: the trunk looked up in SQL, the media leg
// made, the caller's persona and the call's conversation stored durably,
// the 200 OK acknowledged. The number has no menu; nobody is available, so
// the call waits in the queue until baresip hangs up. It reports p50 and
// p99 and prints BENCH lines.
func BenchmarkPhoneCallAnswer(b *testing.B) {
	c := newCenter(b)
	c.do(b, "POST", "/api/v1/phone/trunks", map[string]any{"name": "Bench", "accept_from": []string{"127.0.0.1"},
		"numbers": []map[string]any{{"number": c.number, "queue_id": c.front}}}, nil, 201)
	phone := baresiptest.Start(b, baresiptest.Options{User: "+15550120"})
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := phone.Dial("sip:" + c.number + "@" + c.app.SIP.UDPAddr()); err != nil {
			b.Fatal(err)
		}
		phone.WaitEvent("CALL_ESTABLISHED")
		took = append(took, time.Since(start))
		if err := phone.Hangup(); err != nil {
			b.Fatal(err)
		}
		phone.WaitEvent("CALL_CLOSED")
	}
	b.StopTimer()
	slices.Sort(took)
	p := func(q float64) time.Duration { return took[min(len(took)-1, int(q*float64(len(took))))] }
	b.ReportMetric(float64(p(0.5).Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99_ms")
	fmt.Printf("BENCH phone_answer_p50_ms %.1f ms (%d calls)\nBENCH phone_answer_p99_ms %.1f ms\n",
		float64(p(0.5).Microseconds())/1000, len(took), float64(p(0.99).Microseconds())/1000)
}

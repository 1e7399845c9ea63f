package web

import (
	"context"
	"sort"
	"testing"
	"time"
)

// firstByte records when the first audio bytes were written.
type firstByte struct {
	start time.Time
	at    time.Duration
}

func (f *firstByte) Write(p []byte) (int, error) {
	if f.at == 0 {
		f.at = time.Since(f.start)
	}
	return len(p), nil
}

// BenchmarkSpeak reads a typical assistant reply aloud and reports the time
// to the first audio bytes (what a resident waits for after "Nghe đọc") and
// to the whole reply.
func BenchmarkSpeak(b *testing.B) {
	const reply = "Dạ, thủ tục Bác chọn là: Cấp bản sao trích lục hộ tịch. Lệ phí mỗi bản là 8.000 đồng. " +
		"Thời gian giải quyết: ngay trong ngày. Bác bấm Tiếp tục để xem tiếp."
	sp := NewSpeaker("espeak-ng", 2, 1500)
	var firsts []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := &firstByte{start: time.Now()}
		if err := sp.Speak(context.Background(), reply, "vi", func() {}, w); err != nil {
			b.Fatal(err)
		}
		firsts = append(firsts, w.at)
	}
	b.StopTimer()
	sort.Slice(firsts, func(i, j int) bool { return firsts[i] < firsts[j] })
	b.ReportMetric(float64(firsts[len(firsts)/2].Microseconds())/1000, "ms-first-byte-p50")
	b.ReportMetric(float64(firsts[len(firsts)*95/100].Microseconds())/1000, "ms-first-byte-p95")
}

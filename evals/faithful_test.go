package evals

import (
	"context"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
)

// TestFaithfulFindsFactsOutsideTheSources: a reply's sums, durations, form
// codes and phone numbers must stand in the passages it was given.
func TestFaithfulFindsFactsOutsideTheSources(t *testing.T) {
	passages := []Citation{{Slug: "idcard.reissue", Section: "fees", Text: "Lệ phí cấp lại thẻ căn cước là 70.000 đồng. Nhận thẻ trong 07 ngày làm việc. Điền tờ khai CC01."}}
	tests := []struct {
		name  string
		reply string
		pass  bool
		score float64
	}{
		{"all in the passages", "Dạ, lệ phí là 70.000 đồng, Bác nhận thẻ trong 07 ngày làm việc.", true, 1},
		{"the same sum written otherwise", "Lệ phí 70000đ ạ.", true, 1},
		{"no facts at all", "Dạ, Bác chờ một chút ạ.", true, 1},
		{"an invented sum", "Lệ phí là 90.000 đồng, nhận thẻ trong 07 ngày làm việc.", false, 0.5},
		{"an invented time limit and hotline", "Nhận thẻ trong 3 ngày, gọi 0283 123 4567.", false, 0},
	}
	ck := &Checker{}
	a := Assertion{Type: AssertFaithful}
	if err := a.compile("."); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ck.Check(context.Background(), &a, subject{reply: Reply{Reply: tt.reply, Citations: passages}})
			if o.Pass != tt.pass || o.Score != tt.score {
				t.Errorf("pass %v score %v (%s), want %v %v", o.Pass, o.Score, o.Reason, tt.pass, tt.score)
			}
		})
	}
}

type countingJudge struct {
	calls int
	grade Grade
}

func (j *countingJudge) Grade(context.Context, string, string) (Grade, error) {
	j.calls++
	return j.grade, nil
}

// TestJudgeGradesAreCached: with a judge, faithful takes the lower of its
// own score and the judge's; the grade is kept in PostgreSQL, so the same
// reply is graded once, and another judge grades afresh.
func TestJudgeGradesAreCached(t *testing.T) {
	store := NewStore(dbtest.New(t))
	judge := &countingJudge{grade: Grade{Score: 0.4, Reason: "the office is not in the sources"}}
	ck := &Checker{Judge: &CachedJudge{Judge: judge, Name: "judge-a", Cache: store}}
	a := Assertion{Type: AssertFaithful}
	a.compile(".")
	s := subject{reply: Reply{Reply: "Bác nộp ở trụ sở công an phường.", Citations: []Citation{{Text: "Nộp tại công an phường."}}}}
	for range 2 {
		o := ck.Check(context.Background(), &a, s)
		if o.Pass || o.Score != 0.4 {
			t.Fatalf("outcome %+v, want the judge's 0.4", o)
		}
	}
	if judge.calls != 1 {
		t.Errorf("the judge was asked %d times, want once", judge.calls)
	}
	ck.Judge.(*CachedJudge).Name = "judge-b"
	ck.Check(context.Background(), &a, s)
	if judge.calls != 2 {
		t.Errorf("another judge must grade afresh: %d calls", judge.calls)
	}
	if n, err := store.PruneCache(context.Background()); err != nil || n != 0 {
		t.Errorf("fresh grades must stay: %d pruned, %v", n, err)
	}
}

package evals

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

func TestExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	pool := dbtest.New(t)
	cat := procedurestest.Load(t, pool)
	base := assistant.Defaults()
	if os.Getenv("FLOOR") != "" {
		fmt.Sscan(os.Getenv("FLOOR"), &base.RelevanceFloor)
	}
	scans := ocr.NewStore(pool, t.TempDir())
	reader := &OCR{Config: ocr.Config{Workers: 1, Queue: 4, QueueTimeout: time.Minute, Languages: []string{"vie"}}, Store: scans}
	defer reader.Close()
	ip := &InProcess{Pool: pool, Catalogue: cat, Base: base, Scans: assistant.OCRScans{Results: scans}, Recognise: reader.Recognise}
	target, err := ip.Target(context.Background(), Provider{ID: "guide"})
	if err != nil {
		t.Fatal(err)
	}
	for _, conv := range strings.Split(os.Getenv("EXPLORE"), "||") {
		c, err := target.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("=====")
		for _, turn := range strings.Split(conv, "|") {
			in := Input{Text: turn}
			if strings.HasPrefix(turn, "#") {
				in = Input{Choice: turn[1:]}
			}
			if strings.HasPrefix(turn, "@") {
				in = Input{Image: turn[1:]}
			}
			r, err := c.Send(context.Background(), in)
			if err != nil {
				fmt.Println("ERR", err)
				break
			}
			proc := ""
			if r.Procedure != nil {
				proc = r.Procedure.Slug
			}
			var ch []string
			for _, x := range r.Choices {
				ch = append(ch, x.ID+"="+x.Label)
			}
			var cites []string
			for _, x := range r.Citations {
				cites = append(cites, x.Slug+"#"+x.Section)
			}
			route := ""
			if r.Eval != nil {
				route = r.Eval.Route
			}
			fmt.Printf(">> %s\n<< [%s/%s/%s proc=%s %.1fms] %s\n   choices: %s\n   cites: %s missing: %v\n", turn, r.Stage, r.Status, route, proc, r.LatencyMS, r.Reply, strings.Join(ch, "; "), strings.Join(cites, ","), r.MissingFields)
		}
		st, _ := c.State(context.Background())
		fmt.Printf("END %s fields=%v\n", st.Stage, st.Fields)
	}
}

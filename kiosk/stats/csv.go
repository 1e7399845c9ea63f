package stats

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/citizenstation/citizenstation/kiosk"
)

// bom opens every CSV: without it spreadsheet programs read UTF-8 as the
// local code page and break the Vietnamese words.
const bom = "\uFEFF"

// Tables are the CSV exports, by their name in ?table=.
var Tables = []string{"visits", "abandonment", "payments", "help"}

// WriteCSV writes one table of r: the demand cube ("visits"), where
// visits were abandoned, payments by kind, or the calls for a person
// ("help"). Each key is written with its Vietnamese words beside it.
func WriteCSV(w io.Writer, r *Report, table string) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	var rows [][]string
	switch table {
	case "visits":
		rows = append(rows, []string{"dich_vu", "ten_dich_vu", "thu", "gio", "nhom", "ten_nhom", "co_nguoi_giup", "luot_su_dung", "bo_do"})
		for _, c := range r.Cube {
			rows = append(rows, []string{c.Service, r.ServiceName(c.Service), Weekdays[c.Weekday-1], fmt.Sprintf("%02d", c.Hour),
				c.Group, Label(c.Group), yesNo(c.WithHelper), itoa(c.Visits), itoa(c.Abandoned)})
		}
	case "abandonment":
		rows = append(rows, []string{"dich_vu", "ten_dich_vu", "buoc", "ten_buoc", "luot_bo_do"})
		for _, a := range r.Abandonment {
			rows = append(rows, []string{a.Service, r.ServiceName(a.Service), a.Step, kiosk.StepName(a.Step), itoa(a.Visits)})
		}
	case "payments":
		rows = append(rows, []string{"loai", "ten_loai", "so_giao_dich", "so_tien_vnd"})
		for _, p := range r.Payments {
			rows = append(rows, []string{p.Kind, Label(p.Kind), itoa(p.Count), itoa(p.Amount)})
		}
	case "help":
		h := r.Help
		rows = append(rows, []string{"so_lan_goi", "co_nguoi_nhan", "phai_bao_len_tren", "nguoi_dan_tu_huy", "dang_cho", "cho_trung_vi_giay", "cho_lau_nhat_giay"},
			[]string{itoa(h.Requests), itoa(h.Acknowledged), itoa(h.Escalated), itoa(h.Cancelled), itoa(h.Waiting),
				strconv.FormatFloat(h.MedianWaitSeconds, 'f', 0, 64), strconv.FormatFloat(h.MaxWaitSeconds, 'f', 0, 64)})
	default:
		return fmt.Errorf("stats: no table %q", table)
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func yesNo(b bool) string {
	if b {
		return "có"
	}
	return "không"
}

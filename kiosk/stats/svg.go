package stats

import (
	"fmt"
	"html/template"
	"strings"
	"unicode/utf8"
)

// The charts are SVG written here, on the server: they need no script,
// print as they show, and a screen reader reads each one's title and the
// values in its text. Colours and sizes are attributes, never styles, so
// the pages' Content-Security-Policy (style-src 'self') holds.

const (
	barColour  = "#1d4f91"
	heatColour = "29,79,145" // the same blue, as RGB for the heat map's opacity
	font       = `font-family="sans-serif" font-size="13"`
)

// esc escapes text for SVG.
func esc(s string) string { return template.HTMLEscapeString(s) }

// BarChart draws one horizontal bar per count, labelled, longest first as
// given.
func BarChart(title string, bars []Count, label func(string) string) template.HTML {
	const barW, rowH, top = 360, 24, 28
	var most int64 = 1
	longest := 0
	for _, b := range bars {
		most = max(most, b.Value)
		longest = max(longest, utf8.RuneCountInString(label(b.Key)))
	}
	labelW := min(max(8*longest, 150), 420) // about 8 px a letter at 13 px

	h := top + rowH*max(len(bars), 1) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="c-%p" class="chart">`,
		labelW+barW+70, h, &b)
	fmt.Fprintf(&b, `<title id="c-%p">%s</title>`, &b, esc(title))
	fmt.Fprintf(&b, `<text x="0" y="18" %s font-weight="bold">%s</text>`, font, esc(title))
	if len(bars) == 0 {
		fmt.Fprintf(&b, `<text x="0" y="%d" %s>Không có số liệu trong khoảng thời gian này.</text>`, top+16, font)
	}
	for i, bar := range bars {
		y := top + i*rowH
		w := int(float64(barW) * float64(bar.Value) / float64(most))
		fmt.Fprintf(&b, `<text x="%d" y="%d" %s text-anchor="end">%s</text>`, labelW-8, y+16, font, esc(label(bar.Key)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, labelW, y+3, max(w, 1), rowH-6, barColour)
		fmt.Fprintf(&b, `<text x="%d" y="%d" %s>%d</text>`, labelW+w+6, y+16, font, bar.Value)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// HeatMap draws visits per weekday and hour: one cell per hour of each
// day, darker for more, with its count in the cell's tooltip.
func HeatMap(title string, heat [7][24]int64) template.HTML {
	const left, top, cell = 40, 30, 24
	var most int64 = 1
	for _, row := range heat {
		for _, v := range row {
			most = max(most, v)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="h-%p" class="chart">`,
		left+24*cell+4, top+7*cell+22, &b)
	fmt.Fprintf(&b, `<title id="h-%p">%s</title>`, &b, esc(title))
	fmt.Fprintf(&b, `<text x="0" y="18" %s font-weight="bold">%s</text>`, font, esc(title))
	for d, row := range heat {
		y := top + d*cell
		fmt.Fprintf(&b, `<text x="0" y="%d" %s>%s</text>`, y+16, font, WeekdayShort[d])
		for h, v := range row {
			opacity := 0.04 + 0.96*float64(v)/float64(most)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="rgb(%s)" fill-opacity="%.2f"><title>%s %02d:00–%02d:59: %d lượt</title></rect>`,
				left+h*cell, y, cell-2, cell-2, heatColour, opacity, Weekdays[d], h, h, v)
		}
	}
	for h := 0; h < 24; h += 3 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" %s>%02dh</text>`, left+h*cell, top+7*cell+16, font, h)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

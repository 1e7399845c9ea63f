package ocr

import (
	"image"
	"image/color"
	"math"
)

// PreprocessOptions choose the clean-up steps run before recognition.
// Decoding to greyscale and EXIF orientation always happen; the steps here
// are switched on only where BenchmarkPreprocessSteps showed they help
// (README, "OCR"), and the switches let it measure each one.
type PreprocessOptions struct {
	// Flatten divides out uneven lighting (a shadow, a lamp's hot spot) and
	// stretches the contrast so ink is dark and paper white.
	Flatten bool
	// Deskew straightens a page laid up to 5° askew.
	Deskew bool
	// MinWidth scales a narrower page up to this width.
	MinWidth int
	// Shrink scales what is read as text down by this factor (0 < Shrink
	// < 1; 0 is none): Tesseract's layout analysis costs by the pixel while
	// its recogniser scales every line to its own height anyway. The MRZ
	// is read at full size.
	Shrink float64
}

// DefaultPreprocess is what the reader does. Deskewing is what the MRZ of
// a card laid askew needs (33% of the MRZ read without it, 100% with);
// flattening and scaling 300 dpi scans to 1600 pixels changed neither the
// text's error rate nor any field on the corpus while costing time, so they
// are off.
var DefaultPreprocess = PreprocessOptions{Deskew: true, Shrink: 0.75}

// Transform maps points of a preprocessed page back to the uploaded image.
type Transform struct {
	Scale  float64 // preprocessed = original × Scale
	Angle  float64 // radians the page was turned by
	CX, CY float64 // the centre of the turn, in original pixels
}

// ToOriginal maps a box on the preprocessed page to the uploaded image.
func (t Transform) ToOriginal(r image.Rectangle) [4]int {
	if r.Empty() {
		return [4]int{}
	}
	s := t.Scale
	if s == 0 {
		s = 1
	}
	cx := (float64(r.Min.X+r.Max.X) / 2) / s
	cy := (float64(r.Min.Y+r.Max.Y) / 2) / s
	if t.Angle != 0 {
		// The turn was about the centre; undo it.
		sin, cos := math.Sincos(-t.Angle)
		dx, dy := cx-t.CX, cy-t.CY
		cx = t.CX + dx*cos - dy*sin
		cy = t.CY + dx*sin + dy*cos
	}
	w := float64(r.Dx()) / s
	h := float64(r.Dy()) / s
	return [4]int{int(math.Round(cx - w/2)), int(math.Round(cy - h/2)), int(math.Round(w)), int(math.Round(h))}
}

// Preprocess returns the page cleaned up for Tesseract and the transform
// back to the uploaded image's pixels.
func Preprocess(g *image.Gray, opts PreprocessOptions) (*image.Gray, Transform) {
	t := Transform{Scale: 1}
	if opts.Flatten {
		g = flatten(g)
	}
	if opts.Deskew {
		if a := skewAngle(g); math.Abs(a) >= 0.2*math.Pi/180 {
			t.Angle = a
			t.CX, t.CY = float64(g.Rect.Dx())/2, float64(g.Rect.Dy())/2
			g = rotate(g, -a)
		}
	}
	if w := g.Rect.Dx(); opts.MinWidth > 0 && w < opts.MinWidth {
		t.Scale = float64(opts.MinWidth) / float64(w)
		g = resize(g, opts.MinWidth, int(math.Round(float64(g.Rect.Dy())*t.Scale)))
	}
	return g, t
}

// shrink returns g scaled down by f (0 < f < 1), or g itself.
func shrink(g *image.Gray, f float64) *image.Gray {
	if f <= 0 || f >= 1 {
		return g
	}
	return resize(g, max(1, int(math.Round(float64(g.Rect.Dx())*f))), max(1, int(math.Round(float64(g.Rect.Dy())*f))))
}

// toGray converts img to 8-bit luminance; a JPEG's Y plane is taken as is.
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch src := img.(type) {
	case *image.Gray:
		if src.Rect.Min == (image.Point{}) {
			return src
		}
		for y := 0; y < b.Dy(); y++ {
			copy(out.Pix[y*out.Stride:y*out.Stride+b.Dx()], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			copy(out.Pix[y*out.Stride:y*out.Stride+b.Dx()], src.Y[src.YOffset(b.Min.X, b.Min.Y+y):])
		}
	default:
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				out.Pix[y*out.Stride+x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
			}
		}
	}
	return out
}

// orient turns g upright according to an EXIF orientation value.
func orient(g *image.Gray, o int) *image.Gray {
	if o <= 1 || o > 8 {
		return g
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := image.NewGray(image.Rect(0, 0, ow, oh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var nx, ny int
			switch o {
			case 2:
				nx, ny = w-1-x, y
			case 3:
				nx, ny = w-1-x, h-1-y
			case 4:
				nx, ny = x, h-1-y
			case 5:
				nx, ny = y, x
			case 6:
				nx, ny = h-1-y, x
			case 7:
				nx, ny = h-1-y, w-1-x
			case 8:
				nx, ny = y, w-1-x
			}
			out.Pix[ny*out.Stride+nx] = g.Pix[y*g.Stride+x]
		}
	}
	return out
}

// flatten estimates the paper's brightness over the page (the brightest
// pixels of coarse cells, smoothed), divides it out, and stretches what is
// left so the darkest ink is black.
func flatten(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	const cell = 32
	cw, ch := (w+cell-1)/cell, (h+cell-1)/cell
	bg := make([]float64, cw*ch)
	hist := make([]int, 256)
	for cy := 0; cy < ch; cy++ {
		for cx := 0; cx < cw; cx++ {
			// The 90th percentile of a cell is paper even where text is dense.
			clear(hist)
			n := 0
			for y := cy * cell; y < min(h, (cy+1)*cell); y++ {
				row := g.Pix[y*g.Stride:]
				for x := cx * cell; x < min(w, (cx+1)*cell); x++ {
					hist[row[x]]++
					n++
				}
			}
			bg[cy*cw+cx] = float64(percentile(hist, n, 0.9))
		}
	}
	bg = blurGrid(bg, cw, ch)
	out := image.NewGray(image.Rect(0, 0, w, h))
	clear(hist)
	for y := 0; y < h; y++ {
		fy := (float64(y)+0.5)/cell - 0.5
		for x := 0; x < w; x++ {
			fx := (float64(x)+0.5)/cell - 0.5
			b := bilinearGrid(bg, cw, ch, fx, fy)
			v := 255.0
			if b > 1 {
				v = math.Min(255, float64(g.Pix[y*g.Stride+x])*255/b)
			}
			out.Pix[y*out.Stride+x] = uint8(v)
			hist[uint8(v)]++
		}
	}
	// Stretch: the darkest 0.5% become black.
	lo := percentile(hist, w*h, 0.005)
	if lo < 200 {
		var lut [256]uint8
		for i := range lut {
			lut[i] = uint8(max(0, min(255, (i-lo)*255/(255-lo))))
		}
		for i, v := range out.Pix {
			out.Pix[i] = lut[v]
		}
	}
	return out
}

func percentile(hist []int, n int, p float64) int {
	target := int(float64(n) * p)
	sum := 0
	for v, c := range hist {
		sum += c
		if sum > target {
			return v
		}
	}
	return 255
}

// blurGrid smooths a coarse grid with a 3×3 box, twice.
func blurGrid(g []float64, w, h int) []float64 {
	for range 2 {
		out := make([]float64, len(g))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				s, n := 0.0, 0
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := x+dx, y+dy
						if xx >= 0 && yy >= 0 && xx < w && yy < h {
							s += g[yy*w+xx]
							n++
						}
					}
				}
				out[y*w+x] = s / float64(n)
			}
		}
		g = out
	}
	return g
}

func bilinearGrid(g []float64, w, h int, fx, fy float64) float64 {
	fx = math.Max(0, math.Min(float64(w-1), fx))
	fy = math.Max(0, math.Min(float64(h-1), fy))
	x0, y0 := int(fx), int(fy)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	ax, ay := fx-float64(x0), fy-float64(y0)
	top := g[y0*w+x0]*(1-ax) + g[y0*w+x1]*ax
	bot := g[y1*w+x0]*(1-ax) + g[y1*w+x1]*ax
	return top*(1-ay) + bot*ay
}

// skewAngle estimates by how much the text lines slope, in radians, within
// ±5°: the angle whose row projection of dark pixels is sharpest. Ink is
// what is much darker than the page's mean (a dim photo's paper is darker
// than 128), sampled every other pixel, and the angle is found coarse to
// fine (1° steps, then 0.25° about the best).
func skewAngle(g *image.Gray) float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	step := max(2, w/500)
	sum, n := 0, 0
	for y := 0; y < h; y += step {
		row := g.Pix[y*g.Stride:]
		for x := 0; x < w; x += step {
			sum += int(row[x])
			n++
		}
	}
	if n == 0 {
		return 0
	}
	ink := uint8(min(128, sum/n*3/5))
	type pt struct{ x, y float64 }
	var pts []pt
	for y := 0; y < h; y += step {
		row := g.Pix[y*g.Stride:]
		for x := 0; x < w; x += step {
			if row[x] < ink {
				pts = append(pts, pt{float64(x - w/2), float64(y)})
			}
		}
	}
	if len(pts) < 100 {
		return 0
	}
	margin := int(float64(w)*0.05/float64(step)) + 2
	rows := make([]float64, h/step+2*margin+2)
	sharpness := func(deg float64) float64 {
		t := math.Tan(deg * math.Pi / 180)
		clear(rows)
		for _, p := range pts {
			r := int((p.y-p.x*t)/float64(step)) + margin
			if r >= 0 && r < len(rows) {
				rows[r]++
			}
		}
		score := 0.0
		for i := 1; i < len(rows); i++ {
			d := rows[i] - rows[i-1]
			score += d * d
		}
		return score
	}
	best, bestScore := 0.0, -1.0
	try := func(deg float64) {
		if s := sharpness(deg); s > bestScore {
			best, bestScore = deg, s
		}
	}
	for deg := -5.0; deg <= 5.0; deg++ {
		try(deg)
	}
	coarse := best
	for _, d := range []float64{-0.75, -0.5, -0.25, 0.25, 0.5, 0.75} {
		if a := coarse + d; a >= -5 && a <= 5 {
			try(a)
		}
	}
	return best * math.Pi / 180
}

// rotate turns g by angle radians about its centre (bilinear; the corners
// that come in are paper-white).
func rotate(g *image.Gray, angle float64) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	sin, cos := math.Sincos(angle)
	cx, cy := float64(w)/2, float64(h)/2
	for y := 0; y < h; y++ {
		dy := float64(y) + 0.5 - cy
		for x := 0; x < w; x++ {
			dx := float64(x) + 0.5 - cx
			// Inverse map: where in the source does (x, y) come from?
			sx := cx + dx*cos + dy*sin - 0.5
			sy := cy - dx*sin + dy*cos - 0.5
			out.Pix[y*out.Stride+x] = sampleGray(g, sx, sy)
		}
	}
	return out
}

func sampleGray(g *image.Gray, fx, fy float64) uint8 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if fx < 0 || fy < 0 || fx > float64(w-1) || fy > float64(h-1) {
		return 255
	}
	x0, y0 := int(fx), int(fy)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	ax, ay := fx-float64(x0), fy-float64(y0)
	p := func(x, y int) float64 { return float64(g.Pix[y*g.Stride+x]) }
	top := p(x0, y0)*(1-ax) + p(x1, y0)*ax
	bot := p(x0, y1)*(1-ax) + p(x1, y1)*ax
	return uint8(top*(1-ay) + bot*ay + 0.5)
}

// resize scales g to w×h, bilinear (used to scale up; for scaling down by
// more than 2 it averages boxes first).
func resize(g *image.Gray, w, h int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	sx := float64(g.Rect.Dx()) / float64(w)
	sy := float64(g.Rect.Dy()) / float64(h)
	for y := 0; y < h; y++ {
		fy := (float64(y)+0.5)*sy - 0.5
		for x := 0; x < w; x++ {
			fx := (float64(x)+0.5)*sx - 0.5
			out.Pix[y*out.Stride+x] = sampleGray(g, math.Max(0, fx), math.Max(0, fy))
		}
	}
	return out
}

// inkBox returns the box around what is printed in the part area of g,
// with a margin of 2% of the page: ink is what is much darker than the
// area's mean, as for skewAngle, seen in at least two samples of a row or
// column. A page photographed on a dark table has ink to its edges and
// keeps its size.
func inkBox(g *image.Gray, area image.Rectangle) image.Rectangle {
	area = area.Intersect(g.Rect)
	w, h := area.Dx(), area.Dy()
	step := max(2, w/500)
	sum, n := 0, 0
	for y := area.Min.Y; y < area.Max.Y; y += step {
		row := g.Pix[y*g.Stride:]
		for x := area.Min.X; x < area.Max.X; x += step {
			sum += int(row[x])
			n++
		}
	}
	if n == 0 {
		return area
	}
	ink := uint8(min(128, sum/n*3/5))
	rows, cols := make([]int, h/step+1), make([]int, w/step+1)
	for y := area.Min.Y; y < area.Max.Y; y += step {
		row := g.Pix[y*g.Stride:]
		for x := area.Min.X; x < area.Max.X; x += step {
			if row[x] < ink {
				rows[(y-area.Min.Y)/step]++
				cols[(x-area.Min.X)/step]++
			}
		}
	}
	first, last := span(rows)
	left, right := span(cols)
	if first > last || left > right {
		return area
	}
	box := image.Rect(left*step, first*step, (right+1)*step, (last+1)*step).Add(area.Min)
	return box.Inset(-max(g.Rect.Dx(), g.Rect.Dy()) / 50).Intersect(area)
}

// span returns the first and last index of counts holding two or more.
func span(counts []int) (first, last int) {
	first, last = len(counts), -1
	for i, c := range counts {
		if c >= 2 {
			first, last = min(first, i), i
		}
	}
	return first, last
}

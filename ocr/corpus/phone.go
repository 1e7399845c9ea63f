package corpus

import (
	"image"
	"math"
	"math/rand/v2"
)

// phoneDegrade applies one of the phone-photo degradations.
func phoneDegrade(g *image.Gray, degradation string, rng *rand.Rand) *image.Gray {
	switch degradation {
	case Perspective:
		return perspective(g, rng)
	case Glare:
		return glare(g, rng)
	case LowLight:
		out := image.NewGray(g.Rect)
		level := 0.35 + rng.Float64()*0.15
		for i, v := range g.Pix {
			out.Pix[i] = clamp(float64(v)*level + rng.NormFloat64()*5)
		}
		return out
	case Skew:
		deg := 2 + rng.Float64()*3
		if rng.IntN(2) == 0 {
			deg = -deg
		}
		return rotateOnto(g, deg*math.Pi/180, 235)
	}
	return g // JPEGLow: the encoding is the degradation
}

// perspective draws the page as a camera held at an angle sees it: each
// corner pulled in by up to 5% of the page's size, on a darker table.
func perspective(g *image.Gray, rng *rand.Rand) *image.Gray {
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	// Where each corner of the page lands on the photo: top-left,
	// top-right, bottom-left, bottom-right. One edge is shorter (the far
	// one), as a tilt makes it.
	in := func(f float64) float64 { return f * (0.01 + rng.Float64()*0.04) }
	var c [4][2]float64
	c[0] = [2]float64{in(w), in(h)}
	c[1] = [2]float64{w - in(w), in(h)}
	c[2] = [2]float64{in(w), h - in(h)}
	c[3] = [2]float64{w - in(w), h - in(h)}
	hm := homography(c, w, h)
	out := image.NewGray(g.Rect)
	for y := 0; y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			d := hm[6]*fx + hm[7]*fy + 1
			sx := (hm[0]*fx+hm[1]*fy+hm[2])/d - 0.5
			sy := (hm[3]*fx+hm[4]*fy+hm[5])/d - 0.5
			if sx < 0 || sy < 0 || sx > w-1 || sy > h-1 {
				out.Pix[y*out.Stride+x] = 90
				continue
			}
			out.Pix[y*out.Stride+x] = bilinear(g, sx, sy)
		}
	}
	return out
}

// homography returns the 3×3 matrix (h33 = 1) taking the photo's points
// back to the page: corners c on the photo go to the page's corners.
func homography(c [4][2]float64, w, h float64) [8]float64 {
	dst := [4][2]float64{{0, 0}, {w, 0}, {0, h}, {w, h}}
	var a [8][9]float64
	for i := range 4 {
		x, y, u, v := c[i][0], c[i][1], dst[i][0], dst[i][1]
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	// Gaussian elimination with partial pivoting.
	for col := range 8 {
		p := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		a[col], a[p] = a[p], a[col]
		for r := range 8 {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for k := col; k < 9; k++ {
				a[r][k] -= f * a[col][k]
			}
		}
	}
	var out [8]float64
	for i := range 8 {
		out[i] = a[i][8] / a[i][i]
	}
	return out
}

func bilinear(g *image.Gray, sx, sy float64) uint8 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	x0, y0 := int(sx), int(sy)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	ax, ay := sx-float64(x0), sy-float64(y0)
	p := func(x, y int) float64 { return float64(g.Pix[y*g.Stride+x]) }
	return clamp((p(x0, y0)*(1-ax)+p(x1, y0)*ax)*(1-ay) + (p(x0, y1)*(1-ax)+p(x1, y1)*ax)*ay)
}

// glare brightens a soft oval somewhere on the page toward white, as a
// lamp's reflection on a card's laminate does: ink under it fades but
// stays readable to a person.
func glare(g *image.Gray, rng *rand.Rand) *image.Gray {
	out := image.NewGray(g.Rect)
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	cx, cy := w*(0.2+rng.Float64()*0.6), h*(0.2+rng.Float64()*0.6)
	rx, ry := w*(0.12+rng.Float64()*0.1), h*(0.12+rng.Float64()*0.1)
	strength := 0.45 + rng.Float64()*0.2
	for y := 0; y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			a := strength * math.Exp(-(dx*dx + dy*dy))
			v := float64(g.Pix[y*g.Stride+x])
			out.Pix[y*out.Stride+x] = clamp(v + (255-v)*a)
		}
	}
	return out
}

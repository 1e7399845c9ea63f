package assistant

import "testing"

func TestDetectEmergency(t *testing.T) {
	cases := []struct {
		in     string
		tense  Tense
		danger Danger
	}{
		{"nhà tôi đang cháy", TenseNow, DangerFire},
		{"nha toi dang chay", TenseNow, DangerFire},
		{"nhà tôi đang cháyyy", TenseNow, DangerFire},
		{"có khói ở tầng hầm", TenseNow, DangerFire},
		{"co khoi o tang ham", TenseNow, DangerFire},
		{"có người bị thương", TenseNow, DangerMedical},
		{"có trộm đang ở trong nhà", TenseNow, DangerPolice},
		{"tôi bị đánh", TenseNow, DangerPolice},
		{"bà tôi ngất xỉu", TenseNow, DangerMedical},
		{"ba toi ngat xiuu", TenseNow, DangerMedical},
		{"ông tôi bất tihn", TenseNow, DangerMedical},
		{"hôm qua tôi bị giật túi", TensePast, DangerPolice},
		{"tuần trước nhà tôi bị cháy", TensePast, DangerFire},
		{"tôi đã bị mất xe, bị trộm", TensePast, DangerPolice},
		{"tôi bị cướp", TenseUnclear, DangerPolice},
		{"xe tôi bị đánh cắp", TenseUnclear, DangerPolice},
		{"tôi muốn đăng ký tạm trú", TenseNone, ""},
		{"kể lại chuyện nhà tôi", TenseNone, ""},
		{"thằng bé đang chạy ngoài sân", TenseNone, ""},
		{"xin giấy kiểm tra phòng cháy chữa cháy", TenseNone, ""},
		{"đăng ký tạm trú, hôm qua bị trộm xe", TensePast, DangerPolice},
		{"hôm qua bị đánh, bây giờ nó đang đứng trước cửa", TenseNow, DangerPolice},
	}
	for _, tc := range cases {
		got := DetectEmergency(tc.in)
		if got.Tense != tc.tense || (tc.tense != TenseNone && got.Danger != tc.danger) {
			t.Errorf("%q: got %+v, want %s %s", tc.in, got, tc.tense, tc.danger)
		}
	}
}

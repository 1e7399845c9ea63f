package assistant

import (
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// businessWords say that the person files for a business rather than for
// themselves: folded, as residents type them.
var businessWords = []string{
	"ho kinh doanh", "kinh doanh", "doanh nghiep", "cong ty", "cua hang", "cua tiem", "tiem", "tap hoa",
	"quan an", "quan nuoc", "quan ca phe", "quan cafe", "quan nhau", "nhan vien quan", "chu quan", "mo quan",
	"nha hang", "khach san", "nha nghi", "karaoke", "cam do", "co so kinh doanh", "buon ban", "xuong",
	"my business", "my shop", "my company", "business", "company", "shop", "restaurant", "hotel",
}

// forBusiness says whether text speaks of a business the person files for.
func forBusiness(text string) bool {
	padded := " " + strings.Join(vietnamese.Words(text), " ") + " "
	for _, w := range businessWords {
		if strings.Contains(padded, " "+w+" ") {
			return true
		}
	}
	return false
}

package places

import (
	"slices"
	"strings"
	"unicode"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// A visitor's words are matched on folded text (no diacritics, lower case),
// as the catalogue's search matches procedures: "di cho ben thanh the nao"
// finds Chợ Bến Thành as "đi chợ Bến Thành thế nào" does.

// stopwords carry no place: the question's frame in both languages. "cho"
// is not one: folded, it is also chợ, a market.
var stopwords = map[string]bool{
	// Vietnamese, folded
	"di": true, "the": true, "nao": true, "o": true, "dau": true, "gan": true, "day": true, "toi": true, "muon": true,
	"xem": true, "la": true, "gi": true, "co": true, "khong": true, "den": true, "tu": true, "tram": true, "nay": true,
	"duong": true, "bac": true, "em": true, "anh": true, "chi": true, "minh": true, "can": true, "tim": true,
	"nhat": true, "mo": true, "cua": true, "may": true, "gio": true, "va": true, "voi": true, "huong": true, "dan": true,
	"lam": true, "sao": true,
	// English
	"a": true, "an": true, "to": true, "near": true, "here": true, "where": true, "is": true, "are": true, "how": true,
	"get": true, "go": true, "i": true, "want": true, "me": true, "of": true, "in": true, "what": true, "nearby": true,
	"closest": true, "nearest": true, "show": true, "find": true, "there": true, "at": true, "do": true,
	"please": true, "open": true, "opening": true, "hours": true, "time": true, "when": true, "which": true, "any": true,
	"some": true, "good": true, "best": true, "visit": true, "from": true, "station": true, "this": true, "way": true,
}

// kindWords name a kind of place, folded, in both languages.
var kindWords = map[string][]string{
	"museum":   {"bao tang", "museum", "museums", "trien lam", "gallery"},
	"market":   {"cho", "market", "markets", "mua sam", "shopping"},
	"landmark": {"di tich", "landmark", "landmarks", "sightseeing", "tham quan", "danh lam", "historic"},
	"church":   {"nha tho", "church", "cathedral"},
	"pagoda":   {"chua", "pagoda", "temple"},
	"park":     {"cong vien", "park", "zoo", "so thu", "garden"},
	"street":   {"pho di bo", "walking street", "nightlife", "pho tay"},
	"event":    {"le hoi", "su kien", "festival", "event", "events", "tet"},
}

// generalWords ask for anything worth seeing.
var generalWords = []string{"du lich", "tourist", "tourism", "tham quan", "choi", "sightseeing", "attractions", "things"}

// asksGenerally says whether the words ask for anything worth seeing, and
// returns the words without those that ask it.
func asksGenerally(words []string) (bool, []string) {
	joined := " " + strings.Join(words, " ") + " "
	general := false
	for _, g := range generalWords {
		if strings.Contains(joined, " "+g+" ") {
			general = true
			joined = strings.ReplaceAll(joined, " "+g+" ", " ")
		}
	}
	return general, strings.Fields(joined)
}

// queryWords are the folded words of a question without its frame.
func queryWords(text string) []string {
	var out []string
	for _, w := range vietnamese.Words(text) {
		if !stopwords[w] {
			out = append(out, w)
		}
	}
	return out
}

// score is how well a place answers the words: a word of its names or
// aliases counts 1, a word of its address ½, a kind of place named counts
// 1½, and the whole of a name or alias said counts 3 more.
func score(p Place, words []string) float64 {
	if len(words) == 0 {
		return 0
	}
	joined := " " + strings.Join(words, " ") + " "
	names := append([]string{p.Name, p.NameEN}, p.Aliases...)
	nameWords := map[string]bool{}
	var s float64
	for _, n := range names {
		ws := vietnamese.Words(n)
		for _, w := range ws {
			nameWords[w] = true
		}
		if phrase := strings.Join(ws, " "); len(ws) > 1 && strings.Contains(joined, " "+phrase+" ") {
			s = max(s, 3)
		}
	}
	addressWords := vietnamese.Words(p.Address)
	for _, w := range words {
		switch {
		case nameWords[w]:
			s++
		case slices.Contains(addressWords, w) && !isNumber(w):
			s += 0.5
		}
	}
	for _, k := range kindWords[p.Kind] {
		if strings.Contains(joined, " "+k+" ") {
			s += 1.5
			break
		}
	}
	return s
}

func isNumber(w string) bool {
	return strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}

// guessLang says en for a question in plain English words, vi otherwise:
// Vietnamese typed without diacritics is still Vietnamese.
func guessLang(text string) string {
	if text == "" {
		return "vi"
	}
	for _, r := range text {
		if r > unicode.MaxASCII {
			return "vi"
		}
	}
	english := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if englishWords[w] {
			english++
		}
	}
	if english > 0 {
		return "en"
	}
	return "vi"
}

// englishWords mark a question as English: words Vietnamese without
// diacritics does not use.
var englishWords = map[string]bool{
	"museum": true, "museums": true, "market": true, "markets": true, "near": true, "here": true, "where": true,
	"how": true, "what": true, "church": true, "pagoda": true, "temple": true, "park": true, "zoo": true,
	"palace": true, "walking": true, "street": true, "festival": true, "event": true, "events": true, "nearby": true,
	"closest": true, "nearest": true, "tourist": true, "visit": true, "open": true, "hours": true, "get": true,
	"to": true, "is": true, "tunnels": true, "post": true, "office": true, "opera": true, "house": true, "safety": true,
}

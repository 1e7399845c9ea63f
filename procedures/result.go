package procedures

// Result is one entry found by a search, with the chunks that matched.
// (Declared here until the catalogue branch, which owns it, is merged.)
type Result struct {
	Slug      string     `json:"slug"`
	Name      string     `json:"name"`
	Score     float64    `json:"score"`
	Citations []Citation `json:"citations"`
}

// Citation is a passage of an entry that matched the query.
type Citation struct {
	Slug    string `json:"slug"`
	Section string `json:"section"`
	Text    string `json:"text"`
}

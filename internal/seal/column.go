package seal

// Column is a column of sealed values, with how each value's context is
// made from its row: the package that seals it says so, for Rekey.
type Column struct {
	Table, Column string
	// Keys are the SQL expressions (text) the context is made of.
	Keys []string
	// Context makes a value's context from its keys.
	Context func(keys []string) string
}

func (c Column) String() string { return c.Table + "." + c.Column }

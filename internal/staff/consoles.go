package staff

// ConsolePage is a page of the staff consoles in every page's header,
// with the roles that may open it.
type ConsolePage struct {
	Path  string
	Label string
	Roles []Role
}

// ConsolePages are the consoles' pages in the order of the header. The
// routes guard each page with these roles (PageRoles), so the header never
// offers a page its reader may not open.
var ConsolePages = []ConsolePage{
	{"/staff", "Hồ sơ", []Role{RoleWardStaff, RoleAdmin, RoleCommandCentre}},
	{"/duty", "Trực ban phản ánh", []Role{RoleDutyOfficer, RoleCommandCentre}},
	{"/staff/help", "Gọi cán bộ", []Role{RoleWardStaff, RoleDutyOfficer, RoleCommandCentre, RoleAdmin}},
	{"/staff/stations", "Trạm", []Role{RoleAdmin, RoleCommandCentre}},
	{"/staff/stations/stats", "Thống kê", []Role{RoleAdmin, RoleCommandCentre}},
	{"/staff/places", "Địa điểm du lịch", []Role{RoleAdmin, RoleWardStaff}},
}

// PageRoles are the roles that may open the console page at path.
func PageRoles(path string) []Role {
	for _, p := range ConsolePages {
		if p.Path == path {
			return p.Roles
		}
	}
	panic("staff: no console page " + path) // a wiring mistake, found at start
}

// ConsolePages are the consoles' pages u may open.
func (u *User) ConsolePages() []ConsolePage {
	var out []ConsolePage
	for _, p := range ConsolePages {
		if u.HasRole(p.Roles...) {
			out = append(out, p)
		}
	}
	return out
}

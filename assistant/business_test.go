package assistant

import (
	"slices"
	"testing"
)

// TestBusinessProceduresOnlyForBusinesses: a fire-safety inspection is a
// business's procedure. A resident who speaks of no business is not
// offered it; one who says the request is for their shop is, and the form
// then asks what a business gives: its tax code, address and
// representative.
func TestBusinessProceduresOnlyForBusinesses(t *testing.T) {
	svc := newTestService(t, nil, nil)
	offered := func(c *chat) []string {
		var slugs []string
		for _, ch := range c.r.Choices {
			slugs = append(slugs, ch.ID)
		}
		return slugs
	}
	resident := startChat(t, svc, StartRequest{})
	resident.say("kiểm tra an toàn phòng cháy chữa cháy")
	if slices.Contains(offered(resident), "p:fire.safety-inspection-request") || resident.r.Procedure != nil && resident.r.Procedure.Slug == "fire.safety-inspection-request" {
		resident.fatalf("a business's procedure offered to a resident: %v", offered(resident))
	}

	shop := startChat(t, svc, StartRequest{})
	shop.say("tiệm tạp hóa của tôi muốn công an phường kiểm tra an toàn phòng cháy chữa cháy")
	if !slices.Contains(offered(shop), "p:fire.safety-inspection-request") {
		shop.fatalf("not offered to a shop: %v", offered(shop))
	}
	// The form asks the business's name, tax code, address and
	// representative, in that order, each answer taken before the next.
	shop.pick("fire.safety-inspection-request").through()
	shop.wantField("business_name").say("Tạp hóa Cô Lan")
	shop.wantField("tax_code").say("12345").wantField("tax_code") // not a tax code: asked again
	shop.say("0312345678")
	shop.wantField("business_address").say("12 Nguyễn Huệ, phường Sài Gòn")
	shop.wantField("representative").say("Nguyễn Thị Lan")
	shop.wantField("id_number")
	if !forBusiness("quan an nha toi") || !forBusiness("My shop needs a fire check") || forBusiness("tôi ở quận 1") {
		t.Error("forBusiness")
	}
}

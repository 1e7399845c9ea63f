package httpserver

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// ProofValue is a proof the client sends with a look-up (the four digits):
// in a POST's JSON or form body, where it stays out of addresses,
// proxies' logs and browsers' history; never from the query.
func ProofValue(c *gin.Context, name string) string {
	if c.Request.Method != http.MethodPost {
		return ""
	}
	if c.ContentType() == binding.MIMEJSON {
		var body map[string]any
		if c.ShouldBindBodyWith(&body, binding.JSON) == nil {
			s, _ := body[name].(string)
			return s
		}
		return ""
	}
	return c.PostForm(name)
}

// proofParams are the query parameters that once carried a proof: the
// four digits and a dossier's secret.
var proofParams = []string{"last4", "secret"}

// ErrProofInAddress refuses a proof in a request's address.
var ErrProofInAddress = apperr.New(apperr.Invalid, "proof_in_address",
	"Không gửi 4 số cuối hay mã bí mật của hồ sơ trong địa chỉ. Xin tra cứu bằng POST (4 số cuối trong nội dung), in giấy bằng mã pass của lần tra cứu, gửi mã bí mật trong tiêu đề X-Dossier-Secret.")

// ErrLookupByPost answers a look-up asked by GET.
var ErrLookupByPost = apperr.New(apperr.Invalid, "lookup_by_post",
	"Xin tra cứu bằng POST, 4 số cuối gửi trong nội dung yêu cầu, không trong địa chỉ.")

// NoProofInAddress refuses a request that carries a proof in its query
// (?last4=, ?secret=), before anything counts or checks it: a proof in an
// address ends up in access logs and browsers' history.
func NoProofInAddress(c *gin.Context) {
	if proofInQuery(c) {
		Error(c, ErrProofInAddress)
		c.Abort()
	}
}

// LookupByPost answers the GET form of a look-up, which no client of this
// server sends: look-ups are POSTs with the proof in their body.
func LookupByPost(c *gin.Context) {
	if proofInQuery(c) {
		Error(c, ErrProofInAddress)
		return
	}
	Error(c, ErrLookupByPost)
}

func proofInQuery(c *gin.Context) bool {
	q := c.Request.URL.Query()
	for _, name := range proofParams {
		if q.Has(name) {
			return true
		}
	}
	return false
}

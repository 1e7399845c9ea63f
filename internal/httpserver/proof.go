package httpserver

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
)

// ProofValue is a proof the client sends with a look-up (the four digits,
// a pass): in a POST's JSON or form body, where it stays out of
// addresses, proxies' logs and browsers' history; from older clients, in
// the query of a GET.
func ProofValue(c *gin.Context, name string) string {
	if c.Request.Method != http.MethodPost {
		return c.Query(name)
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

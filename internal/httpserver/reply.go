package httpserver

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Reply answers a request with what a handler's call of its service
// returned: err in the one error shape, or else v as JSON with status.
func Reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(status, v)
}

// ReplyNoStore is Reply for an answer no cache may keep (a resident's
// tracking, an officer's view of a case): v goes out marked no-store.
func ReplyNoStore(c *gin.Context, status int, v any, err error) {
	if err == nil {
		c.Header("Cache-Control", "no-store")
	}
	Reply(c, status, v, err)
}

// ReplyNoContent answers a request whose call returned nothing but err:
// the error, or 204 No Content.
func ReplyNoContent(c *gin.Context, err error) {
	if err != nil {
		Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// ReplyList answers a list as {key: [...]}, an empty one as [] rather
// than null, or the error.
func ReplyList[T any](c *gin.Context, key string, list []T, err error) {
	if list == nil {
		list = []T{}
	}
	Reply(c, http.StatusOK, gin.H{key: list}, err)
}

// ReplyPDF answers with a paper to show in the browser, under filename,
// never cached; or the error.
func ReplyPDF(c *gin.Context, filename string, pdf []byte, err error) {
	if err != nil {
		Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `inline; filename="`+filename+`"`)
	c.Data(http.StatusOK, "application/pdf", pdf)
}

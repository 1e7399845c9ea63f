package staff

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/httpserver"
)

// CookieName is the session cookie.
const CookieName = "station_session"

// CSRFHeader carries the session's CSRF token on every state-changing
// request; HTML forms may send it as the CSRFField form field instead.
const (
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "csrf_token"
)

const (
	userKey    = "staff.user"
	sessionKey = "staff.session"
)

// Handler serves sign-in, sign-out and "who am I".
type Handler struct{ Service *Service }

// RegisterRoutes adds login, logout and "who am I".
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	s := h.Service
	g := r.Group("/api/v1/auth", httpserver.LimitBody(16<<10))
	g.POST("/login", s.handleLogin)
	g.POST("/logout", s.Require(), s.handleLogout)
	g.GET("/me", s.Require(), s.handleMe)
}

type loginRequest struct {
	Username string `json:"username" form:"username"`
	Password string `json:"password" form:"password"`
	// Next is where the sign-in form sends the browser afterwards.
	Next string `json:"-" form:"next"`
}

// LoginPath is the sign-in page.
const LoginPath = "/staff/login"

// handleLogin signs in from JSON or from the sign-in page's form; the form
// is answered with a redirect, to the page asked for or back to the form
// with the error's code.
func (s *Service) handleLogin(c *gin.Context) {
	var req loginRequest
	bindErr := c.ShouldBind(&req)
	form := isForm(c)
	fail := func(err error) {
		if form {
			q := url.Values{"error": {apperr.From(err).Code}}
			if req.Next != "" {
				q.Set("next", req.Next)
			}
			c.Redirect(http.StatusSeeOther, LoginPath+"?"+q.Encode())
			return
		}
		httpserver.Error(c, err)
	}
	if bindErr != nil || req.Username == "" || req.Password == "" {
		fail(apperr.New(apperr.Invalid, "login_incomplete", "Xin nhập tên đăng nhập và mật khẩu."))
		return
	}
	sess, err := s.Login(c, ClientOf(c), req.Username, req.Password)
	if err != nil {
		fail(err)
		return
	}
	s.setCookie(c, sess.Token, int(s.cfg.SessionTTL.Seconds()))
	c.Header("Cache-Control", "no-store")
	if form {
		c.Redirect(http.StatusSeeOther, HomeOf(sess.User, req.Next))
		return
	}
	c.JSON(http.StatusOK, sess)
}

// LoginMessage is what the sign-in page says for an error code it was sent
// back with; nothing for an unknown code, so a link cannot put words there.
func LoginMessage(code string) string {
	switch code {
	case "":
		return ""
	case "login_incomplete":
		return "Xin nhập tên đăng nhập và mật khẩu."
	case "rate_limited":
		return "Đăng nhập sai quá nhiều lần. Xin đợi vài phút rồi thử lại."
	case "not_signed_in":
		return "Phiên làm việc đã hết hạn. Xin đăng nhập lại."
	}
	return errBadLogin.Message
}

// HomeOf is where u goes after signing in: next when it is a path of this
// site, else the console of u's role.
func HomeOf(u *User, next string) string {
	if localPath(next) {
		return next
	}
	switch u.Role {
	case RoleDutyOfficer:
		return "/duty"
	case RoleEvaluator:
		return "/staff/evals"
	case RoleAdmin:
		return "/staff/stations"
	}
	return "/staff"
}

// localPath says whether next is a path on this site: it starts with one
// slash, and holds no backslash or control character, which browsers drop
// or read as a slash ("/\tevil.example" is "//evil.example" to them).
func localPath(next string) bool {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return false
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func (s *Service) handleLogout(c *gin.Context) {
	token, _ := c.Cookie(CookieName)
	if err := s.Logout(c, ActorFrom(c), token); err != nil {
		httpserver.Error(c, err)
		return
	}
	s.setCookie(c, "", -1)
	if isForm(c) {
		c.Redirect(http.StatusSeeOther, LoginPath)
		return
	}
	c.Status(http.StatusNoContent)
}

func isForm(c *gin.Context) bool {
	ct := c.ContentType()
	return ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data"
}

func (s *Service) handleMe(c *gin.Context) {
	sess := c.MustGet(sessionKey).(*Session)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, sess)
}

func (s *Service) setCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     CookieName,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.cfg.CookieSecure,
		SameSite: http.SameSiteStrictMode,
	})
}

// Require is middleware that lets through only a signed-in user with one of
// roles (any role when none are given): 401 without a live session, 403 for
// another role. State-changing requests must also carry the session's CSRF
// token. Handlers behind it read the user with UserFrom.
func (s *Service) Require(roles ...Role) gin.HandlerFunc {
	return s.require(roles, httpserver.Error)
}

// RequirePage is Require for the consoles' pages and forms: without a live
// session the browser is sent to sign in, and back here afterwards.
func (s *Service) RequirePage(roles ...Role) gin.HandlerFunc {
	return s.require(roles, func(c *gin.Context, err error) {
		if apperr.From(err).Kind != apperr.Unauthorized {
			httpserver.Error(c, err)
			return
		}
		next := c.Request.URL.RequestURI()
		if c.Request.Method != http.MethodGet {
			next = c.Request.URL.Path
		}
		if c.GetHeader("HX-Request") == "true" {
			// htmx asked for part of a page: the whole page goes to sign in,
			// and back to the page (not the part) afterwards.
			next = c.Request.URL.Path
			if u, err := url.Parse(c.GetHeader("HX-Current-URL")); err == nil && u.Path != "" {
				next = u.RequestURI()
			}
			c.Header("HX-Redirect", LoginPath+"?"+url.Values{"next": {next}}.Encode())
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		c.Redirect(http.StatusSeeOther, LoginPath+"?"+url.Values{"next": {next}}.Encode())
		c.Abort()
	})
}

func (s *Service) require(roles []Role, fail func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, _ := c.Cookie(CookieName)
		sess, err := s.Authenticate(c, token)
		if err != nil {
			fail(c, err)
			return
		}
		if len(roles) > 0 && !sess.User.HasRole(roles...) {
			fail(c, apperr.New(apperr.Forbidden, "role_forbidden", "Tài khoản của bạn không có quyền làm việc này."))
			return
		}
		if !safeMethod(c.Request.Method) && !csrfMatches(c, sess.CSRFToken) {
			fail(c, apperr.New(apperr.Forbidden, "csrf_invalid", "Phiên làm việc không hợp lệ. Xin tải lại trang rồi thử lại."))
			return
		}
		c.Set(userKey, sess.User)
		c.Set(sessionKey, sess)
		c.Next()
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func csrfMatches(c *gin.Context, want string) bool {
	got := c.GetHeader(CSRFHeader)
	if got == "" {
		ct := c.ContentType()
		if ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" {
			got = c.PostForm(CSRFField)
		}
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// CSRFTokenFrom returns the CSRF token of the session of a request that
// passed Require, for the forms a server-rendered page puts in.
func CSRFTokenFrom(c *gin.Context) string {
	if sess, ok := SessionFrom(c); ok {
		return sess.CSRFToken
	}
	return ""
}

// UserFrom returns the signed-in user of a request that passed Require.
func UserFrom(c *gin.Context) (*User, bool) { return fromRequest[*User](c, userKey) }

// SessionFrom returns the session of a request that passed Require.
func SessionFrom(c *gin.Context) (*Session, bool) { return fromRequest[*Session](c, sessionKey) }

// fromRequest returns what Require put on the request under key.
func fromRequest[T any](c *gin.Context, key string) (T, bool) {
	v, _ := c.Get(key)
	t, ok := v.(T)
	return t, ok
}

// ClientOf is the request's client address and user agent, for the audit log.
func ClientOf(c *gin.Context) audit.Actor {
	return audit.Actor{IP: c.ClientIP(), UserAgent: strings.TrimSpace(c.Request.UserAgent())}
}

// ActorFrom is who makes the request, for the audit log: the signed-in user
// when there is one, and the client either way.
func ActorFrom(c *gin.Context) audit.Actor {
	u, _ := UserFrom(c)
	return ActorOf(u, ClientOf(c))
}

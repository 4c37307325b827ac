package staff

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

type usersData struct {
	Users       []models.StaffUser
	Departments []models.Department
	Error       string
	Created     string // one-time password of a user just created
}

// Users answers GET /staff/admin/users.
func (h *Handler) Users(c *fiber.Ctx) error { return h.showUsers(c, "", "") }

func (h *Handler) showUsers(c *fiber.Ctx, msg, created string) error {
	ctx := c.UserContext()
	us, err := h.store.Users(ctx)
	if err != nil {
		return err
	}
	ds, err := h.store.Departments(ctx)
	if err != nil {
		return err
	}
	if msg != "" {
		c.Status(fiber.StatusBadRequest)
	}
	return h.render(c, "staff/users", "Staff accounts", "admin", usersData{Users: us, Departments: ds, Error: msg, Created: created})
}

// CreateUser answers POST /staff/admin/users with a generated one-time
// password shown once to the admin.
func (h *Handler) CreateUser(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	pw := oneTimePassword()
	u, err := h.store.CreateUser(ctx, c.FormValue("email"), c.FormValue("name"), c.FormValue("role"), pw)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "create user: ")
		if errors.Is(err, models.ErrConflict) {
			msg = "An account with that email already exists."
		}
		return h.showUsers(c, msg, "")
	}
	if depts := c.Request().PostArgs().PeekMulti("departments"); len(depts) > 0 {
		var codes []string
		for _, d := range depts {
			codes = append(codes, string(d))
		}
		if err := h.store.UpdateUser(ctx, u.ID, u.Name, u.Role, strings.Join(codes, ",")); err != nil {
			return err
		}
	}
	_ = h.store.Audit(ctx, p.User.Email, "user.create", recordUser(u.ID), ip(c), u.Email+" "+u.Role)
	return h.showUsers(c, "", fmt.Sprintf("%s can sign in with the one-time password %s", u.Email, pw))
}

// UserAction answers POST /staff/admin/users/:id: disable, enable,
// reset-mfa, role.
func (h *Handler) UserAction(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	id64, err := strconv.ParseUint(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusNotFound, "No such user.")
	}
	id := uint(id64)
	u, err := h.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	action := c.FormValue("action")
	if id == p.User.ID && (action == "disable" || action == "role") {
		return fiber.NewError(fiber.StatusConflict, "You cannot disable your own account or change your own role.")
	}
	switch action {
	case "disable":
		err = h.store.SetUserDisabled(ctx, id, true)
	case "enable":
		err = h.store.SetUserDisabled(ctx, id, false)
	case "reset-mfa":
		if err = h.store.SetTOTP(ctx, id, ""); err == nil {
			err = h.store.DeleteUserSessions(ctx, id)
		}
	case "role":
		var codes []string
		for _, d := range c.Request().PostArgs().PeekMulti("departments") {
			codes = append(codes, string(d))
		}
		err = h.store.UpdateUser(ctx, id, u.Name, c.FormValue("role"), strings.Join(codes, ","))
	default:
		return fiber.NewError(fiber.StatusBadRequest, "Unknown action.")
	}
	if err != nil {
		return err
	}
	_ = h.store.Audit(ctx, p.User.Email, "user."+action, recordUser(id), ip(c), u.Email)
	return c.Redirect("/staff/admin/users?flash="+urlQuery("Saved: "+action+" "+u.Email), fiber.StatusSeeOther)
}

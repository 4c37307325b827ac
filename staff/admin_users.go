package staff

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

type usersData struct {
	Users       []models.StaffUser
	Departments []models.Department
	Error       string
	Created     string // email of a user just created
	Password    string // their temporary password, shown once
}

// Users answers GET /staff/admin/users.
func (h *Handler) Users(c *fiber.Ctx) error { return h.showUsers(c, "", "", "") }

func (h *Handler) showUsers(c *fiber.Ctx, msg, created, pw string) error {
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
	return h.render(c, "staff/users", "Staff accounts", "admin", usersData{Users: us, Departments: ds, Error: msg, Created: created, Password: pw})
}

// formScope reads the departments checkboxes and the explicit "all
// departments" choice.
func formScope(c *fiber.Ctx) (codes []string, all bool) {
	for _, d := range c.Request().PostArgs().PeekMulti("departments") {
		if v := string(d); v == "*" {
			all = true
		} else {
			codes = append(codes, v)
		}
	}
	return codes, all
}

// userError turns a store refusal into the sentence an admin reads.
func userError(err error, prefix string) string {
	if errors.Is(err, models.ErrConflict) {
		return "An account with that email already exists."
	}
	msg := strings.TrimPrefix(err.Error(), prefix)
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}

// CreateUser answers POST /staff/admin/users with a generated temporary
// password shown once to the admin; the user must change it at the first
// sign-in.
func (h *Handler) CreateUser(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	pw := oneTimePassword()
	codes, all := formScope(c)
	u, err := h.store.CreateUser(ctx, models.NewUser{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: c.FormValue("role"),
		Password: pw, Departments: codes, AllDepartments: all})
	if err != nil {
		return h.showUsers(c, userError(err, "create user: "), "", "")
	}
	_ = h.store.Audit(ctx, p.User.Email, "user.create", recordUser(u.ID), ip(c), u.Email+" "+u.Role+" "+scopeText(u))
	return h.showUsers(c, "", u.Email, pw)
}

// scopeText describes an account's departments for the audit log.
func scopeText(u models.StaffUser) string {
	sc := u.Scope()
	switch {
	case u.Role != models.RoleAgent:
		return "departments: all (role)"
	case sc.All:
		return "departments: all"
	case len(sc.Codes) == 0:
		return "departments: none"
	}
	return "departments: " + strings.Join(sc.Codes, ",")
}

type userEditData struct {
	U           models.StaffUser
	Departments []models.Department
	Self        bool
	Error       string
	Password    string // a temporary password just set, shown once
	CodesLeft   int64
}

func (h *Handler) userParam(c *fiber.Ctx) (models.StaffUser, error) {
	id, err := strconv.ParseUint(c.Params("id"), 10, 64)
	if err != nil {
		return models.StaffUser{}, fiber.NewError(fiber.StatusNotFound, "No such user.")
	}
	return h.store.UserByID(c.UserContext(), uint(id))
}

// UserPage answers GET /staff/admin/users/:id: edit role, departments and
// name; disable; reset password or second factor.
func (h *Handler) UserPage(c *fiber.Ctx) error {
	u, err := h.userParam(c)
	if err != nil {
		return err
	}
	return h.showUser(c, u, "", "")
}

func (h *Handler) showUser(c *fiber.Ctx, u models.StaffUser, msg, pw string) error {
	ds, err := h.store.Departments(c.UserContext())
	if err != nil {
		return err
	}
	left, err := h.store.RecoveryCodesLeft(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	if msg != "" {
		c.Status(fiber.StatusBadRequest)
	}
	return h.render(c, "staff/user_edit", "Edit "+u.Name, "admin", userEditData{U: u, Departments: ds, Self: u.ID == principal(c).User.ID,
		Error: msg, Password: pw, CodesLeft: left})
}

// UserAction answers POST /staff/admin/users/:id: save (name, role,
// departments), disable, enable, reset-password, reset-mfa. Every change
// is audited.
func (h *Handler) UserAction(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	u, err := h.userParam(c)
	if err != nil {
		return err
	}
	action := c.FormValue("action")
	self := u.ID == p.User.ID
	detail := u.Email
	switch action {
	case "save":
		role := c.FormValue("role")
		if self && role != u.Role {
			return h.showUser(c, u, "You cannot change your own role: ask another admin.", "")
		}
		codes, all := formScope(c)
		if err := h.store.UpdateUser(ctx, models.UserUpdate{ID: u.ID, Name: c.FormValue("name"), Role: role, Departments: codes, AllDepartments: all}); err != nil {
			if errors.Is(err, models.ErrNotFound) && !strings.Contains(err.Error(), "department") {
				return err
			}
			return h.showUser(c, u, userError(err, "update user: "), "")
		}
		nu, err := h.store.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		detail = u.Email + " role " + u.Role + " -> " + nu.Role + "; " + scopeText(u) + " -> " + scopeText(nu)
	case "disable", "enable":
		if self {
			return h.showUser(c, u, "You cannot disable your own account.", "")
		}
		if err := h.store.SetUserDisabled(ctx, u.ID, action == "disable"); err != nil {
			return err
		}
		if action == "disable" {
			h.live.EndUser(u.ID)
		}
	case "reset-password":
		pw := oneTimePassword()
		if err := h.store.SetPassword(ctx, u.ID, pw); err != nil {
			return err
		}
		h.live.EndUser(u.ID)
		_ = h.store.Audit(ctx, p.User.Email, "user.reset-password", recordUser(u.ID), ip(c), u.Email+": temporary password, change forced, sessions ended")
		nu, err := h.store.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		return h.showUser(c, nu, "", pw)
	case "reset-mfa":
		if err := h.store.ResetTOTP(ctx, u.ID); err != nil {
			return err
		}
		h.live.EndUser(u.ID)
		detail = u.Email + ": second factor and recovery codes removed, sessions ended"
	default:
		return fiber.NewError(fiber.StatusBadRequest, "Unknown action.")
	}
	_ = h.store.Audit(ctx, p.User.Email, "user."+action, recordUser(u.ID), ip(c), detail)
	return c.Redirect("/staff/admin/users/"+itoa(u.ID)+"?flash=user-"+action, fiber.StatusSeeOther)
}

package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/patientvoice/patientvoice/password"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Staff roles.
const (
	RoleAgent   = "agent"
	RoleManager = "manager"
	RoleAdmin   = "admin"
)

// ValidRole reports whether r is a staff role.
func ValidRole(r string) bool { return r == RoleAgent || r == RoleManager || r == RoleAdmin }

// MinPasswordLen is the shortest staff password accepted.
const MinPasswordLen = password.MinLen

// ErrWeakPassword wraps every refusal of the password policy; the wrapped
// message says why in words a user understands.
var ErrWeakPassword = errors.New("password refused")

// CheckPassword applies the password policy (length, common passwords,
// the account's own email or name) to pw.
func (s *Store) CheckPassword(pw, email, name string) error {
	if err := s.policy.Check(pw, email, name); err != nil {
		return fmt.Errorf("%w: %w", ErrWeakPassword, err)
	}
	return nil
}

// NewUser is a staff account to create.
type NewUser struct {
	Email, Name, Role, Password string
	// Departments and AllDepartments are an agent's scope: no codes and
	// AllDepartments false means no department at all.
	Departments    []string
	AllDepartments bool
}

// CreateUser adds a staff account with a bcrypt-hashed password. Whoever
// creates an account chose its password, so the user must change it at the
// first sign-in.
func (s *Store) CreateUser(ctx context.Context, n NewUser) (StaffUser, error) {
	email := strings.ToLower(strings.TrimSpace(n.Email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 320 {
		return StaffUser{}, fmt.Errorf("create user: %q is not an email address", email)
	}
	name := strings.TrimSpace(n.Name)
	if name == "" || len([]rune(name)) > 200 {
		return StaffUser{}, errors.New("create user: a name of at most 200 characters is required")
	}
	if !ValidRole(n.Role) {
		return StaffUser{}, fmt.Errorf("create user: role %q; use agent, manager or admin", n.Role)
	}
	if err := s.CheckPassword(n.Password, email, name); err != nil {
		return StaffUser{}, fmt.Errorf("create user: %w", err)
	}
	depts, err := s.checkDepartments(ctx, n.Departments)
	if err != nil {
		return StaffUser{}, fmt.Errorf("create user: %w", err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(n.Password), bcrypt.DefaultCost)
	if err != nil {
		return StaffUser{}, fmt.Errorf("create user: %w", err)
	}
	u := StaffUser{Email: email, Name: name, Role: n.Role, PasswordHash: string(hash), MustChangePassword: true,
		Departments: depts, AllDepartments: n.AllDepartments}
	if err := s.ctx(ctx).Create(&u).Error; err != nil {
		if isDuplicate(err) {
			return u, fmt.Errorf("create user: %s already exists: %w", email, ErrConflict)
		}
		return u, wrap("create user", err)
	}
	return u, nil
}

// checkDepartments validates department codes and joins them for the
// departments column.
func (s *Store) checkDepartments(ctx context.Context, codes []string) (string, error) {
	var out []string
	seen := map[string]bool{}
	for _, c := range codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" || seen[c] {
			continue
		}
		if _, err := s.DepartmentByCode(ctx, c); err != nil {
			return "", fmt.Errorf("unknown department %q: %w", c, ErrNotFound)
		}
		seen[c] = true
		out = append(out, c)
	}
	return strings.Join(out, ","), nil
}

// UserByEmail finds a staff account.
func (s *Store) UserByEmail(ctx context.Context, email string) (StaffUser, error) {
	var u StaffUser
	err := s.ctx(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	return u, wrap("find user", err)
}

// UserByID finds a staff account by id.
func (s *Store) UserByID(ctx context.Context, id uint) (StaffUser, error) {
	var u StaffUser
	err := s.ctx(ctx).Take(&u, id).Error
	return u, wrap("find user", err)
}

// CountAdmins counts enabled admin accounts.
func (s *Store) CountAdmins(ctx context.Context) (int64, error) {
	var n int64
	err := s.ctx(ctx).Model(&StaffUser{}).Where("role = ? AND disabled = ?", RoleAdmin, false).Count(&n).Error
	return n, wrap("count admins", err)
}

// CheckPassword compares a password with the stored hash in constant time.
func (u StaffUser) CheckPassword(pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(pw)) == nil
}

// Users lists every staff account by email.
func (s *Store) Users(ctx context.Context) ([]StaffUser, error) {
	var out []StaffUser
	err := s.ctx(ctx).Order("email").Find(&out).Error
	return out, wrap("list users", err)
}

// SetUserDisabled disables or re-enables an account; disabling ends its
// sessions at once.
func (s *Store) SetUserDisabled(ctx context.Context, id uint, disabled bool) error {
	if err := s.ctx(ctx).Model(&StaffUser{}).Where("id = ?", id).Update("disabled", disabled).Error; err != nil {
		return wrap("disable user", err)
	}
	if disabled {
		return s.DeleteUserSessions(ctx, id)
	}
	return nil
}

// UserUpdate is what an admin may change about an account.
type UserUpdate struct {
	ID             uint
	Name, Role     string
	Departments    []string
	AllDepartments bool
}

// UpdateUser changes an account's name, role and department scope.
func (s *Store) UpdateUser(ctx context.Context, up UserUpdate) error {
	if !ValidRole(up.Role) {
		return fmt.Errorf("update user: role %q; use agent, manager or admin", up.Role)
	}
	name := strings.TrimSpace(up.Name)
	if name == "" || len([]rune(name)) > 200 {
		return errors.New("update user: a name of at most 200 characters is required")
	}
	depts, err := s.checkDepartments(ctx, up.Departments)
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	res := s.ctx(ctx).Model(&StaffUser{}).Where("id = ?", up.ID).
		Updates(map[string]any{"name": name, "role": up.Role, "departments": depts, "all_departments": up.AllDepartments})
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("update user: %w", ErrNotFound)
	}
	return wrap("update user", res.Error)
}

// SetPassword replaces a password chosen by someone else (an admin's
// reset, the CLI): the user must change it at the next sign-in, every
// session of the account ends and a lockout is lifted.
func (s *Store) SetPassword(ctx context.Context, id uint, pw string) error {
	return s.storePassword(ctx, id, pw, true)
}

// ChangePassword stores a password the user chose themselves.
func (s *Store) ChangePassword(ctx context.Context, id uint, pw string) error {
	return s.storePassword(ctx, id, pw, false)
}

func (s *Store) storePassword(ctx context.Context, id uint, pw string, byOther bool) error {
	u, err := s.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if err := s.CheckPassword(pw, u.Email, u.Name); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	upd := map[string]any{"password_hash": string(hash), "must_change_password": byOther}
	if byOther {
		upd["failed_logins"], upd["first_failure_at"], upd["locked_until"] = 0, nil, nil
	} else {
		upd["password_changed_at"] = s.Now()
	}
	if err := s.ctx(ctx).Model(&StaffUser{}).Where("id = ?", id).Updates(upd).Error; err != nil {
		return wrap("set password", err)
	}
	if byOther {
		return s.DeleteUserSessions(ctx, id)
	}
	return nil
}

// Scope is the departments a staff member may see.
type Scope struct {
	// All is true for managers, admins and agents given "all departments".
	All bool
	// Codes lists an agent's departments; with All false, empty means none.
	Codes []string
}

// Scope says which departments the account may see.
func (u StaffUser) Scope() Scope {
	if u.Role != RoleAgent || u.AllDepartments {
		return Scope{All: true}
	}
	return Scope{Codes: splitList(u.Departments)}
}

// Has reports whether the scope includes department code.
func (sc Scope) Has(code string) bool {
	if sc.All {
		return true
	}
	for _, c := range sc.Codes {
		if c == code {
			return true
		}
	}
	return false
}

// DepartmentCodes splits an agent's department list.
func (u StaffUser) DepartmentCodes() []string { return splitList(u.Departments) }

// affected reports whether a conditional update matched its one row.
func affected(res *gorm.DB, op string) (bool, error) {
	if res.Error != nil {
		return false, wrap(op, res.Error)
	}
	return res.RowsAffected == 1, nil
}

package models

import (
	"fmt"

	"gorm.io/gorm"
)

// migrateStaffSecurity adds what the staff sign-in needs to resist
// guessing and takeover (issue 11). Two data changes go with it:
//
//   - Agents whose department list was empty saw every department (empty
//     meant all). Empty now means none, so such agents are given the
//     explicit "all departments" flag: nobody loses their queue on the
//     day of the upgrade, and an audit row per account lets admins find
//     and narrow them.
//   - Until now every password was chosen by someone other than its user
//     (an admin, the CLI, the printed demo password): every existing
//     account must change its password at its next sign-in.
func migrateStaffSecurity(tx *gorm.DB, s *Store) error {
	add := func(model any, fields ...string) error {
		for _, f := range fields {
			if tx.Migrator().HasColumn(model, f) {
				continue
			}
			if err := tx.Migrator().AddColumn(model, f); err != nil {
				return fmt.Errorf("add %T.%s: %w", model, f, err)
			}
		}
		return nil
	}
	if err := add(&StaffUser{}, "AllDepartments", "MustChangePassword", "PasswordChangedAt", "TOTPLastStep"); err != nil {
		return err
	}
	if err := add(&Session{}, "MFAAttempts", "PendingTOTPEnc", "PendingTOTPAt"); err != nil {
		return err
	}
	for _, t := range []any{&RecoveryCode{}, &SessionStream{}, &ThrottleCount{}} {
		if !tx.Migrator().HasTable(t) {
			if err := tx.Migrator().CreateTable(t); err != nil {
				return fmt.Errorf("create %T: %w", t, err)
			}
		}
	}
	var agents []StaffUser
	if err := tx.Where("role = ? AND departments = ''", RoleAgent).Find(&agents).Error; err != nil {
		return err
	}
	now := s.Now()
	for _, u := range agents {
		if err := tx.Model(&StaffUser{}).Where("id = ?", u.ID).Update("all_departments", true).Error; err != nil {
			return err
		}
		row := AuditLog{At: now, Actor: "system", Action: "user.scope_migrated", Record: fmt.Sprintf("user:%d", u.ID),
			Detail: u.Email + ": no departments meant all; now explicitly all departments (narrow on the Staff accounts page)"}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
	}
	return tx.Model(&StaffUser{}).Where("1 = 1").Update("must_change_password", true).Error
}

package models

import "context"

// Departments lists every department ordered by code.
func (s *Store) Departments(ctx context.Context) ([]Department, error) {
	var out []Department
	err := s.ctx(ctx).Order("code").Find(&out).Error
	return out, wrap("list departments", err)
}

// DepartmentByCode finds one department; ErrNotFound when the code is unknown.
func (s *Store) DepartmentByCode(ctx context.Context, code string) (Department, error) {
	var d Department
	err := s.ctx(ctx).Where("code = ?", code).Take(&d).Error
	return d, wrap("find department "+code, err)
}

// DepartmentByID finds one department by id.
func (s *Store) DepartmentByID(ctx context.Context, id uint) (Department, error) {
	var d Department
	err := s.ctx(ctx).Take(&d, id).Error
	return d, wrap("find department", err)
}

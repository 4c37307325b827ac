package models

import "context"

// RoutingRules lists routing rules in the order they are tried.
func (s *Store) RoutingRules(ctx context.Context) ([]RoutingRule, error) {
	var out []RoutingRule
	err := s.ctx(ctx).Order("position, id").Find(&out).Error
	return out, wrap("list routing rules", err)
}

// SaveRoutingRule creates or updates a routing rule.
func (s *Store) SaveRoutingRule(ctx context.Context, r *RoutingRule) error {
	return wrap("save routing rule", s.ctx(ctx).Save(r).Error)
}

// DeleteRoutingRule removes a routing rule.
func (s *Store) DeleteRoutingRule(ctx context.Context, id uint) error {
	return wrap("delete routing rule", s.ctx(ctx).Delete(&RoutingRule{}, id).Error)
}

package models

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// SchemaReport describes the live schema as "table.column" and
// "table#index(cols)" lines, sorted, so tests and operators can check that
// SQLite and MySQL were migrated to the same shape.
func (s *Store) SchemaReport(ctx context.Context) ([]string, error) {
	m := s.ctx(ctx).Migrator()
	tables, err := m.GetTables()
	if err != nil {
		return nil, wrap("list tables", err)
	}
	var out []string
	for _, t := range tables {
		if strings.HasPrefix(t, "sqlite_") {
			continue
		}
		cols, err := m.ColumnTypes(t)
		if err != nil {
			return nil, wrap("columns of "+t, err)
		}
		for _, c := range cols {
			out = append(out, t+"."+c.Name())
		}
		idx, err := m.GetIndexes(t)
		if err != nil {
			return nil, wrap("indexes of "+t, err)
		}
		for _, i := range idx {
			if pk, _ := i.PrimaryKey(); pk || i.Name() == "PRIMARY" || strings.HasPrefix(i.Name(), "sqlite_autoindex") {
				continue
			}
			u, _ := i.Unique()
			out = append(out, fmt.Sprintf("%s#%s(%s) unique=%v", t, i.Name(), strings.Join(i.Columns(), ","), u))
		}
	}
	sort.Strings(out)
	return out, nil
}

// DumpText renders every row of every table as text, the way a database
// dump would show it. It exists for the PHI leak checks: nothing sensitive
// may appear in it in clear.
func (s *Store) DumpText(ctx context.Context) (string, error) {
	tables, err := s.ctx(ctx).Migrator().GetTables()
	if err != nil {
		return "", wrap("list tables", err)
	}
	var b strings.Builder
	for _, t := range tables {
		rows, err := s.ctx(ctx).Table(t).Rows()
		if err != nil {
			return "", wrap("dump "+t, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", wrap("dump "+t, err)
			}
			b.WriteString(t)
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "\t%v", v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String(), nil
}

// TablesWithoutPrimaryKey lists the tables of the database that have no
// primary key. Galera replicates row changes by primary key: a table
// without one replicates badly (and deletes on it may not replicate at
// all), so every table must have one; a test holds the schema to it, and
// operators can run it against a database that other tools also write.
func (s *Store) TablesWithoutPrimaryKey(ctx context.Context) ([]string, error) {
	var out []string
	if s.driver == "mysql" {
		err := s.ctx(ctx).Raw(`SELECT t.table_name FROM information_schema.tables t
			WHERE t.table_schema = DATABASE() AND t.table_type = 'BASE TABLE'
			AND NOT EXISTS (SELECT 1 FROM information_schema.table_constraints c
				WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY')
			ORDER BY t.table_name`).Scan(&out).Error
		return out, wrap("tables without primary key", err)
	}
	var tables []string
	if err := s.ctx(ctx).Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").
		Scan(&tables).Error; err != nil {
		return nil, wrap("tables without primary key", err)
	}
	for _, t := range tables {
		var n int64
		if err := s.ctx(ctx).Raw("SELECT COUNT(*) FROM pragma_table_info(?) WHERE pk > 0", t).Scan(&n).Error; err != nil {
			return nil, wrap("primary key of "+t, err)
		}
		if n == 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

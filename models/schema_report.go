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

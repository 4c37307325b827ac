package fhirapi

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/fhir"
	"github.com/patientvoice/patientvoice/models"
)

// Search limits of GET /api/fhir/QuestionnaireResponse.
const (
	DefaultCount = 50
	MaxCount     = 500
)

// ScopeComments lets a token read free-text answers (they may hold PHI)
// through the FHIR feed, in addition to reports:read.
const ScopeComments = models.ScopeCommentsRead

// searchParams is a parsed QuestionnaireResponse search.
type searchParams struct {
	rng      dateRange
	survey   string // survey key; "" for all
	version  int    // survey version; 0 for all
	count    int
	after    *models.FeedCursor
	total    string
	withText bool
	// keep are the parameters the next link repeats
	keep url.Values
}

func badParam(name, format string, args ...any) *fhir.Problem {
	return &fhir.Problem{Status: fiber.StatusBadRequest, Code: "invalid", Message: name + ": " + fmt.Sprintf(format, args...)}
}

// parseSearch reads the query string; an unknown parameter is a 400 rather
// than silently ignored, so a filter the server does not apply (patient=,
// subject=) never returns everything as if it had.
func (h *Handler) parseSearch(c *fiber.Ctx) (searchParams, error) {
	p := searchParams{count: DefaultCount, keep: url.Values{}}
	var perr error
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if perr == nil {
			perr = h.searchParam(&p, string(k), string(v))
		}
	})
	return p, perr
}

func (h *Handler) searchParam(p *searchParams, name, v string) error {
	switch name {
	case "_lastUpdated":
		r, err := parseDateSearch(v, h.cfg.Location)
		if err != nil {
			return badParam(name, "%s", err.Error())
		}
		p.rng = p.rng.narrow(r)
	case "_count":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badParam(name, "a whole number from 0 to %d", MaxCount)
		}
		p.count = min(n, MaxCount)
		v = strconv.Itoa(p.count)
	case "_cursor":
		cur, err := decodeCursor(v)
		if err != nil {
			return err
		}
		p.after = &cur
		return nil
	case "_total":
		if v != "none" && v != "estimate" && v != "accurate" {
			return badParam(name, "use none, estimate or accurate")
		}
		p.total = v
	case "_sort":
		if v != "_lastUpdated" {
			return badParam(name, "results are sorted by _lastUpdated, oldest first; no other order is offered")
		}
	case "_format":
	case "questionnaire":
		key, version, err := questionnaireRef(v)
		if err != nil {
			return badParam(name, "%s", err.Error())
		}
		p.survey, p.version = key, version
	case "comments":
		switch v {
		case "include":
			p.withText = true
		case "omit":
		default:
			return badParam(name, "use include or omit")
		}
	default:
		return badParam(name, "not a supported search parameter (supported: _lastUpdated, _count, _total, _sort, questionnaire, comments)")
	}
	p.keep.Add(name, v)
	return nil
}

// questionnaireRef reads a canonical URL (optionally |version), a
// "Questionnaire/id" reference or a bare id.
func questionnaireRef(v string) (string, int, error) {
	ref, ver, hasVer := strings.Cut(v, "|")
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	if ref == "" {
		return "", 0, errors.New("name a Questionnaire by its canonical URL or id")
	}
	version := 0
	if hasVer {
		n, err := strconv.Atoi(ver)
		if err != nil || n < 1 {
			return "", 0, fmt.Errorf("version %q is not a survey version number", ver)
		}
		version = n
	}
	return surveyKey(ref), version, nil
}

// SearchResponses answers GET /api/fhir/QuestionnaireResponse: a searchset
// Bundle of stored responses, oldest change first, paged by a next link
// that carries a cursor. total is counted on the first page (and on any
// page with _total=accurate) unless _total=none.
func (h *Handler) SearchResponses(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := h.parseSearch(c)
	if err != nil {
		return err
	}
	if err := h.allowText(c, p.withText); err != nil {
		return err
	}
	l, err := h.lookups(ctx)
	if err != nil {
		return err
	}
	q := models.FeedQuery{From: p.rng.From, To: p.rng.To, SurveyVersion: p.version, After: p.after, Limit: p.count + 1, WithText: p.withText}
	none := p.rng.empty()
	if p.survey != "" {
		q.SurveyID = l.surveyID(p.survey)
		none = none || q.SurveyID == 0
	}
	b := fhir.Bundle{ResourceType: "Bundle", Type: "searchset", Meta: &fhir.Meta{LastUpdated: instant(h.now())},
		Link: []fhir.BundleLink{{Relation: "self", URL: h.base() + "/QuestionnaireResponse" + query(c.Context().QueryArgs().String())}}}
	if p.total == "accurate" || p.total != "none" && p.after == nil {
		n := int64(0)
		if !none {
			if n, err = h.store.CountResponseFeed(ctx, q); err != nil {
				return err
			}
		}
		total := int(n)
		b.Total = &total
	}
	if none || p.count == 0 {
		return send(c, fiber.StatusOK, b)
	}
	rows, err := h.store.ResponseFeed(ctx, q)
	if err != nil {
		return err
	}
	if len(rows) > p.count {
		rows = rows[:p.count]
		last := rows[len(rows)-1]
		next := url.Values{}
		for k, v := range p.keep {
			next[k] = v
		}
		next.Set("_cursor", encodeCursor(models.FeedCursor{ReceivedAt: last.ReceivedAt, ID: last.ID}))
		b.Link = append(b.Link, fhir.BundleLink{Relation: "next", URL: h.base() + "/QuestionnaireResponse?" + next.Encode()})
	}
	if err := h.auditText(c, rows); err != nil {
		return err
	}
	for _, r := range rows {
		qr := l.response(r, h.base())
		b.Entry = append(b.Entry, fhir.BundleEntry{FullURL: h.base() + "/QuestionnaireResponse/" + qr.ID, Resource: qr, Search: &fhir.BundleSearch{Mode: "match"}})
	}
	return send(c, fiber.StatusOK, b)
}

func query(qs string) string {
	if qs == "" {
		return ""
	}
	return "?" + qs
}

func (l lookups) surveyID(key string) uint {
	for id, k := range l.surveys {
		if k == key {
			return id
		}
	}
	return 0
}

// ReadResponse answers GET /api/fhir/QuestionnaireResponse/{id}, the
// fullUrl of every search entry.
func (h *Handler) ReadResponse(c *fiber.Ctx) error {
	ctx := c.UserContext()
	withText := false
	var perr error
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		switch string(k) {
		case "_format":
		case "comments":
			withText = string(v) == "include"
			if !withText && string(v) != "omit" {
				perr = badParam("comments", "use include or omit")
			}
		default:
			perr = badParam(string(k), "not a parameter of a read (comments=include|omit and _format are)")
		}
	})
	if perr != nil {
		return perr
	}
	if err := h.allowText(c, withText); err != nil {
		return err
	}
	id, err := strconv.ParseUint(c.Params("id"), 10, 32)
	if err != nil || id == 0 {
		return &fhir.Problem{Status: fiber.StatusNotFound, Code: "not-found", Message: "no QuestionnaireResponse " + strconv.Quote(c.Params("id"))}
	}
	r, err := h.store.FeedResponseByID(ctx, uint(id), withText)
	if errors.Is(err, models.ErrNotFound) {
		return &fhir.Problem{Status: fiber.StatusNotFound, Code: "not-found", Message: "no QuestionnaireResponse " + strconv.Quote(c.Params("id"))}
	} else if err != nil {
		return err
	}
	l, err := h.lookups(ctx)
	if err != nil {
		return err
	}
	if err := h.auditText(c, []models.FeedResponse{r}); err != nil {
		return err
	}
	qr := l.response(r, h.base())
	c.Set(fiber.HeaderETag, `W/"1"`)
	return send(c, fiber.StatusOK, qr)
}

// allowText refuses comments=include to a token without comments:read.
func (h *Handler) allowText(c *fiber.Ctx, withText bool) error {
	if !withText {
		return nil
	}
	if t, ok := h.token(c); ok && t.HasScope(ScopeComments) {
		return nil
	}
	return &fhir.Problem{Status: fiber.StatusForbidden, Code: "forbidden",
		Message: "comments=include needs a token with the " + ScopeComments + " scope: free-text answers may hold health information"}
}

// auditText writes one audit row when free text left the server: which
// token read which responses' comments, from where.
func (h *Handler) auditText(c *fiber.Ctx, rows []models.FeedResponse) error {
	var ids []string
	for _, r := range rows {
		for _, a := range r.Answers {
			if a.Text != "" {
				ids = append(ids, strconv.FormatUint(uint64(r.ID), 10))
				break
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	t, _ := h.token(c)
	actor := "api-token:" + strconv.FormatUint(uint64(t.ID), 10) + " " + t.Name
	detail := strconv.Itoa(len(ids)) + " responses with free text: " + strings.Join(ids, ",")
	return h.store.Audit(c.UserContext(), actor, "fhir_comments_read", "responses", c.IP(), detail)
}

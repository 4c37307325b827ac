package fhirapi

import (
	"context"
	"strconv"

	"github.com/patientvoice/patientvoice/fhir"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// Tags on a QuestionnaireResponse (meta.tag, SystemResponseTag).
const (
	// TagSuspicious marks a kiosk press-filter duplicate: stored, counted
	// in no score.
	TagSuspicious = "suspicious"
	// TagFlagged marks a response that met a flag rule (low score,
	// keyword, safety word).
	TagFlagged = "flagged"
)

// lookups are the names the mapping needs: survey keys and department
// codes by id.
type lookups struct {
	surveys map[uint]string
	depts   map[uint]string
}

// response maps r with the names in l.
func (l lookups) response(r models.FeedResponse, base string) fhir.QuestionnaireResponse {
	return ToQuestionnaireResponse(r, base, l.surveys[r.SurveyID], l.depts[r.DepartmentID])
}

func (h *Handler) lookups(ctx context.Context) (lookups, error) {
	l := lookups{surveys: map[uint]string{}, depts: map[uint]string{}}
	ss, err := h.store.Surveys(ctx)
	if err != nil {
		return l, err
	}
	for _, s := range ss {
		l.surveys[s.ID] = s.Key
	}
	ds, err := h.store.Departments(ctx)
	if err != nil {
		return l, err
	}
	for _, d := range ds {
		l.depts[d.ID] = d.Code
	}
	return l, nil
}

// ToQuestionnaireResponse maps a stored response (to survey key, from
// department) to R4 without anything
// that identifies the patient: no subject, no author, no encounter, no
// contact details. Department and channel are extensions; free text is
// present only when the feed was read with text, otherwise the response
// carries the REDACTED security label when it had any.
func ToQuestionnaireResponse(r models.FeedResponse, base, key, department string) fhir.QuestionnaireResponse {
	qr := fhir.QuestionnaireResponse{
		ResourceType: "QuestionnaireResponse", ID: strconv.FormatUint(uint64(r.ID), 10),
		Meta:          &fhir.Meta{VersionID: "1", LastUpdated: instant(r.ReceivedAt)},
		Language:      r.Language,
		Questionnaire: QuestionnaireURL(base, key) + "|" + strconv.Itoa(r.SurveyVersion),
		Status:        "completed",
		Authored:      instant(r.SubmittedAt),
	}
	if !r.Completed {
		qr.Status = "in-progress"
	}
	if department != "" {
		qr.Extension = append(qr.Extension, fhir.Extension{URL: fhir.ExtDepartment, ValueCode: department})
	}
	if r.Source != "" {
		qr.Extension = append(qr.Extension, fhir.Extension{URL: fhir.ExtSurveyChannel, ValueCode: r.Source})
	}
	if r.Suspicious {
		qr.Meta.Tag = append(qr.Meta.Tag, fhir.Coding{System: fhir.SystemResponseTag, Code: TagSuspicious, Display: "Repeated kiosk press: counted in no score"})
	}
	if r.Flagged {
		qr.Meta.Tag = append(qr.Meta.Tag, fhir.Coding{System: fhir.SystemResponseTag, Code: TagFlagged, Display: "Met a flag rule"})
	}
	if r.TextWithheld > 0 {
		qr.Meta.Security = []fhir.Coding{{System: fhir.SystemObservationValue, Code: "REDACTED", Display: "redacted"}}
	}
	for _, a := range r.Answers {
		qr.Item = append(qr.Item, fhir.QuestionnaireResponseItem{LinkID: a.Question,
			Answer: []fhir.QuestionnaireResponseAnswer{answer(a, base, key)}})
	}
	return qr
}

func answer(a models.FeedAnswer, base, key string) fhir.QuestionnaireResponseAnswer {
	switch {
	case a.Int != nil:
		return fhir.QuestionnaireResponseAnswer{ValueInteger: a.Int}
	case a.Bool != nil:
		return fhir.QuestionnaireResponseAnswer{ValueBoolean: a.Bool}
	case a.Kind == string(survey.Choice) || a.Choice != "":
		return fhir.QuestionnaireResponseAnswer{ValueCoding: &fhir.Coding{System: optionSystem(base, key, a.Question), Code: a.Choice}}
	}
	t := a.Text
	return fhir.QuestionnaireResponseAnswer{ValueString: &t}
}

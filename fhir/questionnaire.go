package fhir

// Questionnaire is a survey definition as R4 describes forms.
type Questionnaire struct {
	ResourceType string              `json:"resourceType"`
	ID           string              `json:"id,omitempty"`
	Meta         *Meta               `json:"meta,omitempty"`
	Language     string              `json:"language,omitempty"`
	URL          string              `json:"url,omitempty"`
	Identifier   []Identifier        `json:"identifier,omitempty"`
	Version      string              `json:"version,omitempty"`
	Name         string              `json:"name,omitempty"`
	Title        string              `json:"title,omitempty"`
	TitleX       *Element            `json:"_title,omitempty"`
	Status       string              `json:"status"`
	Date         string              `json:"date,omitempty"`
	Publisher    string              `json:"publisher,omitempty"`
	SubjectType  []string            `json:"subjectType,omitempty"`
	Item         []QuestionnaireItem `json:"item,omitempty"`
}

// QuestionnaireItem is one question.
type QuestionnaireItem struct {
	Extension      []Extension    `json:"extension,omitempty"`
	LinkID         string         `json:"linkId"`
	Text           string         `json:"text,omitempty"`
	TextX          *Element       `json:"_text,omitempty"`
	Type           string         `json:"type"`
	EnableWhen     []EnableWhen   `json:"enableWhen,omitempty"`
	EnableBehavior string         `json:"enableBehavior,omitempty"`
	Required       bool           `json:"required,omitempty"`
	MaxLength      int            `json:"maxLength,omitempty"`
	AnswerOption   []AnswerOption `json:"answerOption,omitempty"`
}

// EnableWhen shows an item only when an earlier answer matches; exactly
// one answer[x] is set.
type EnableWhen struct {
	Question      string  `json:"question"`
	Operator      string  `json:"operator"`
	AnswerBoolean *bool   `json:"answerBoolean,omitempty"`
	AnswerInteger *int    `json:"answerInteger,omitempty"`
	AnswerString  *string `json:"answerString,omitempty"`
	AnswerCoding  *Coding `json:"answerCoding,omitempty"`
}

// AnswerOption is one permitted answer of a choice item.
type AnswerOption struct {
	ValueCoding *Coding `json:"valueCoding,omitempty"`
}

// QuestionnaireResponse is one set of answers to a Questionnaire.
type QuestionnaireResponse struct {
	ResourceType  string                      `json:"resourceType"`
	ID            string                      `json:"id,omitempty"`
	Meta          *Meta                       `json:"meta,omitempty"`
	Language      string                      `json:"language,omitempty"`
	Extension     []Extension                 `json:"extension,omitempty"`
	Questionnaire string                      `json:"questionnaire,omitempty"`
	Status        string                      `json:"status"`
	Authored      string                      `json:"authored,omitempty"`
	Item          []QuestionnaireResponseItem `json:"item,omitempty"`
}

// QuestionnaireResponseItem is the answer to one question.
type QuestionnaireResponseItem struct {
	LinkID string                        `json:"linkId"`
	Text   string                        `json:"text,omitempty"`
	Answer []QuestionnaireResponseAnswer `json:"answer,omitempty"`
}

// QuestionnaireResponseAnswer holds one value[x].
type QuestionnaireResponseAnswer struct {
	ValueBoolean *bool   `json:"valueBoolean,omitempty"`
	ValueInteger *int    `json:"valueInteger,omitempty"`
	ValueString  *string `json:"valueString,omitempty"`
	ValueCoding  *Coding `json:"valueCoding,omitempty"`
}

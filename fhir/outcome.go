package fhir

// OperationOutcome reports errors and the result of an operation.
type OperationOutcome struct {
	ResourceType string         `json:"resourceType"`
	Extension    []Extension    `json:"extension,omitempty"`
	Issue        []OutcomeIssue `json:"issue"`
}

// OutcomeIssue is one problem or piece of information.
type OutcomeIssue struct {
	Severity    string           `json:"severity"` // fatal | error | warning | information
	Code        string           `json:"code"`
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
	Expression  []string         `json:"expression,omitempty"`
}

// IssueCode is the R4 issue type that fits an HTTP status.
func IssueCode(status int) string {
	switch status {
	case 400:
		return "invalid"
	case 401:
		return "login"
	case 403:
		return "forbidden"
	case 404, 410:
		return "not-found"
	case 406, 415:
		return "not-supported"
	case 409:
		return "conflict"
	case 413:
		return "too-long"
	case 422:
		return "processing"
	case 429:
		return "throttled"
	case 503:
		return "transient"
	}
	return "exception"
}

// Outcome is an error OperationOutcome with one issue; expression (a
// FHIRPath such as "Encounter.period.end") may be empty.
func Outcome(status int, code, message, expression string) OperationOutcome {
	if code == "" {
		code = IssueCode(status)
	}
	sev := "error"
	if status >= 500 {
		sev = "fatal"
	}
	iss := OutcomeIssue{Severity: sev, Code: code, Details: &CodeableConcept{Text: message}}
	if expression != "" {
		iss.Expression = []string{expression}
	}
	return OperationOutcome{ResourceType: "OperationOutcome", Issue: []OutcomeIssue{iss}}
}

// Problem is an error a FHIR handler returns: the status, the R4 issue
// code and the FHIRPath of the element at fault. The server's one error
// handler turns it into an OperationOutcome.
type Problem struct {
	Status     int
	Code       string
	Message    string
	Expression string
}

// Error returns the message.
func (p *Problem) Error() string {
	if p.Expression != "" {
		return p.Expression + ": " + p.Message
	}
	return p.Message
}

// Invalid is a 422 about the element at expression: well-formed FHIR the
// product cannot act on.
func Invalid(expression, code, message string) *Problem {
	if code == "" {
		code = "value"
	}
	return &Problem{Status: 422, Code: code, Message: message, Expression: expression}
}

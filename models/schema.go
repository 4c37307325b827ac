package models

import "time"

// The structs below are the whole domain schema. Columns ending in Enc hold
// AES-GCM ciphertext (see Crypto); columns ending in Index hold HMAC blind
// indexes so a contact can be found without storing the identifier in clear.
// Every string has a size and every index a name, so MySQL and SQLite build
// the same schema.

// SchemaMigration records one applied migration.
type SchemaMigration struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"size:200;not null"`
	AppliedAt time.Time
}

// Setting is a small key/value row for hospital-editable configuration that
// is not worth a table of its own (information screens, report schedule).
type Setting struct {
	Key       string `gorm:"primaryKey;size:100"`
	Value     string `gorm:"size:65536;not null"`
	UpdatedAt time.Time
}

// Department is a unit cases are routed to and responses reported by.
type Department struct {
	ID        uint   `gorm:"primaryKey"`
	Code      string `gorm:"size:16;not null;uniqueIndex:ux_departments_code"`
	Name      string `gorm:"size:200;not null"`
	HeadEmail string `gorm:"size:320;not null;default:''"`
	CreatedAt time.Time
}

// Survey is a questionnaire; Version goes up whenever its questions change so
// old responses stay interpretable against the questions they answered.
type Survey struct {
	ID        uint   `gorm:"primaryKey"`
	Key       string `gorm:"size:64;not null;uniqueIndex:ux_surveys_key"`
	Name      string `gorm:"size:200;not null"`
	Languages string `gorm:"size:200;not null"` // comma separated, first is the default
	Channels  string `gorm:"size:100;not null"` // comma separated: kiosk,sms,email
	Version   int    `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SurveyQuestion is one question; its Key is frozen once answered: editing
// archives the old row instead of renaming it.
type SurveyQuestion struct {
	ID       uint   `gorm:"primaryKey"`
	SurveyID uint   `gorm:"not null;uniqueIndex:ux_survey_questions_key,priority:1;index:ix_survey_questions_order,priority:1"`
	Key      string `gorm:"size:64;not null;uniqueIndex:ux_survey_questions_key,priority:2"`
	Kind     string `gorm:"size:16;not null"`
	Required bool   `gorm:"not null;default:false"`
	Position int    `gorm:"not null;index:ix_survey_questions_order,priority:2"`
	Prompt   string `gorm:"size:65536;not null"` // JSON {"en": "...", ...}
	Options  string `gorm:"size:65536;not null"` // JSON [{"value","label"}]
	ShowIf   string `gorm:"size:2000;not null;default:''"`
	Archived bool   `gorm:"not null;default:false"`
}

// Kiosk is an enrolled lobby device. Only the SHA-256 of its token is kept.
type Kiosk struct {
	ID           uint   `gorm:"primaryKey"`
	Name         string `gorm:"size:200;not null"`
	Location     string `gorm:"size:200;not null;default:''"`
	DepartmentID uint   `gorm:"not null;index:ix_kiosks_department"`
	SurveyID     uint   `gorm:"not null"`
	TokenHash    string `gorm:"size:64;not null;uniqueIndex:ux_kiosks_token"`
	IdleSeconds  int    `gorm:"not null;default:60"`
	LastSeenAt   *time.Time
	RevokedAt    *time.Time
	CreatedAt    time.Time
}

// Contact is a patient we may message. Identifiers are encrypted; lookups use
// the blind indexes.
type Contact struct {
	ID              uint   `gorm:"primaryKey"`
	NameEnc         string `gorm:"size:1024;not null;default:''"`
	PhoneEnc        string `gorm:"size:512;not null;default:''"`
	EmailEnc        string `gorm:"size:1024;not null;default:''"`
	PhoneIndex      string `gorm:"size:64;index:ix_contacts_phone"`
	EmailIndex      string `gorm:"size:64;index:ix_contacts_email"`
	Language        string `gorm:"size:16;not null;default:'en'"`
	Timezone        string `gorm:"size:64;not null;default:''"`
	SMSOptOut       bool   `gorm:"column:sms_opt_out;not null;default:false"`
	SMSOptOutAt     *time.Time
	SMSOptOutSource string `gorm:"column:sms_opt_out_source;size:64;not null;default:''"`
	EmailOptOut     bool   `gorm:"not null;default:false"`
	EmailOptOutAt   *time.Time
	EmailOptOutSrc  string `gorm:"column:email_opt_out_source;size:64;not null;default:''"`
	LastSurveyedAt  *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Encounter is one discharge received from the hospital feed.
type Encounter struct {
	ID           uint   `gorm:"primaryKey"`
	ExternalID   string `gorm:"size:128;not null;uniqueIndex:ux_encounters_external"`
	ContactID    uint   `gorm:"not null;index:ix_encounters_contact"`
	DepartmentID uint   `gorm:"not null"`
	DischargedAt time.Time
	Disposition  string `gorm:"size:64;not null;default:''"`
	Sensitive    bool   `gorm:"not null;default:false"`
	BirthDate    string `gorm:"size:512;not null;default:''"` // encrypted
	CreatedAt    time.Time
}

// Invitation is one survey offered for one encounter; Result is the cached
// API answer so a repeated discharge gets the same body.
type Invitation struct {
	ID           uint   `gorm:"primaryKey"`
	EncounterID  uint   `gorm:"not null;uniqueIndex:ux_invitations_encounter"`
	ContactID    uint   `gorm:"not null;index:ix_invitations_contact"`
	SurveyID     uint   `gorm:"not null;index:ix_invitations_sent,priority:5"`
	DepartmentID uint   `gorm:"not null;index:ix_invitations_sent,priority:4"`
	Channel      string `gorm:"size:16;not null;default:'';index:ix_invitations_sent,priority:2"`
	Status       string `gorm:"size:16;not null;index:ix_invitations_status;index:ix_invitations_sent,priority:3"`
	Reason       string `gorm:"size:32;not null;default:''"`
	Language     string `gorm:"size:16;not null;default:'en'"`
	ScheduledFor *time.Time
	// ix_invitations_sent covers the funnel's scan of a date range
	FirstSentAt     *time.Time `gorm:"index:ix_invitations_sent,priority:1"`
	ExpiresAt       *time.Time
	ReminderAt      *time.Time
	CurrentQuestion int  `gorm:"not null;default:0"`
	Reprompted      bool `gorm:"not null;default:false"`
	// AnswersEnc holds the SMS answers so far (sealed JSON) until the
	// last one completes the response.
	AnswersEnc  string `gorm:"size:65536;not null;default:''"`
	ResponseID  *uint
	CompletedAt *time.Time
	// StartedAt is the first answer by SMS or the first visit of the email
	// survey page: the funnel's "started" step.
	StartedAt *time.Time `gorm:"index:ix_invitations_sent,priority:6"`
	// DeliveredAt is when the first message was delivered (Twilio's
	// receipt) or accepted by the mail server: the funnel's second step.
	DeliveredAt *time.Time `gorm:"index:ix_invitations_sent,priority:7"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// OutboundMessage is the outbox: every SMS and email is a row here before it
// is sent, so sending is claimed once, retried, rate limited and tracked.
type OutboundMessage struct {
	ID             uint      `gorm:"primaryKey"`
	Channel        string    `gorm:"size:8;not null;index:ix_outbound_due,priority:2"`
	Status         string    `gorm:"size:16;not null;index:ix_outbound_due,priority:1"`
	Priority       int       `gorm:"not null;default:0;index:ix_outbound_due,priority:3"`
	NextAttemptAt  time.Time `gorm:"index:ix_outbound_due,priority:4"`
	Kind           string    `gorm:"size:32;not null"`
	ToEnc          string    `gorm:"size:1024;not null"`
	ToIndex        string    `gorm:"size:64;not null;index:ix_outbound_to"`
	SubjectEnc     string    `gorm:"size:2048;not null;default:''"`
	BodyEnc        string    `gorm:"size:65536;not null"`
	HTMLEnc        string    `gorm:"size:16777216;not null;default:''"`
	ContactID      *uint     `gorm:"index:ix_outbound_contact"`
	InvitationID   *uint     `gorm:"index:ix_outbound_invitation"`
	CaseID         *uint     `gorm:"index:ix_outbound_case"`
	Attempts       int       `gorm:"not null;default:0"`
	ClaimedBy      string    `gorm:"size:64;not null;default:''"`
	ClaimedAt      *time.Time
	ProviderID     string `gorm:"size:64;index:ix_outbound_provider"`
	ProviderStatus string `gorm:"size:32;not null;default:''"`
	LastError      string `gorm:"size:1000;not null;default:''"`
	IdempotencyKey string `gorm:"size:128;not null;uniqueIndex:ux_outbound_idem"`
	SentAt         *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// InboundMessage is one message received from a patient; the provider id is
// unique so a replayed webhook is a no-op.
type InboundMessage struct {
	ID           uint   `gorm:"primaryKey"`
	ProviderID   string `gorm:"size:64;not null;uniqueIndex:ux_inbound_provider"`
	Channel      string `gorm:"size:8;not null"`
	FromIndex    string `gorm:"size:64;not null;index:ix_inbound_from"`
	FromEnc      string `gorm:"size:1024;not null"`
	BodyEnc      string `gorm:"size:65536;not null"`
	ContactID    *uint
	InvitationID *uint
	CaseID       *uint  `gorm:"index:ix_inbound_case"`
	Outcome      string `gorm:"size:32;not null;default:''"`
	ProcessedAt  *time.Time
	ReceivedAt   time.Time
}

// Response is one completed (or in-progress, for SMS) set of answers.
type Response struct {
	ID            uint   `gorm:"primaryKey"`
	ClientID      string `gorm:"size:64;not null;uniqueIndex:ux_responses_client"`
	SurveyID      uint   `gorm:"not null"`
	SurveyVersion int    `gorm:"not null;default:1"`
	Source        string `gorm:"size:8;not null;index:ix_responses_report,priority:2"`
	KioskID       *uint  `gorm:"index:ix_responses_kiosk,priority:1;index:ix_responses_press,priority:1"`
	InvitationID  *uint
	DepartmentID  uint   `gorm:"not null;index:ix_responses_dept,priority:1"`
	Language      string `gorm:"size:16;not null"`
	Flagged       bool   `gorm:"not null;default:false"`
	Suspicious    bool   `gorm:"not null;default:false"`
	Completed     bool   `gorm:"not null;default:true"`
	AnswerHash    string `gorm:"size:64;not null;default:'';index:ix_responses_press,priority:2"`
	ContactID     *uint
	CaseID        *uint
	SubmittedAt   time.Time `gorm:"index:ix_responses_press,priority:3;index:ix_responses_report,priority:1;index:ix_responses_dept,priority:2"`
	// ix_responses_received serves the FHIR feed: a range of received_at
	// in (received_at, id) order (InnoDB and SQLite append the key)
	ReceivedAt time.Time `gorm:"index:ix_responses_kiosk,priority:2;index:ix_responses_received"`
	// RolledUp is set once the response is counted in report_daily; a
	// response committed late is picked up by the next refresh.
	RolledUp bool `gorm:"not null;default:false;index:ix_responses_rollup"`
}

// Answer is one answer of a response; exactly one value column is set.
type Answer struct {
	ID          uint   `gorm:"primaryKey"`
	ResponseID  uint   `gorm:"not null;index:ix_answers_response"`
	QuestionKey string `gorm:"size:64;not null;index:ix_answers_question"`
	Kind        string `gorm:"size:16;not null"`
	IntValue    *int
	BoolValue   *bool
	ChoiceValue string `gorm:"size:64;not null;default:''"`
	TextEnc     string `gorm:"size:65536;not null;default:''"`
	Tags        string `gorm:"size:500;not null;default:''"` // themes found before encryption
}

// Case is one item in the patient relations queue.
type Case struct {
	ID             uint   `gorm:"primaryKey"`
	Status         string `gorm:"size:16;not null;index:ix_cases_queue,priority:1"`
	Priority       string `gorm:"size:8;not null;index:ix_cases_queue,priority:2"`
	Category       string `gorm:"size:32;not null;index:ix_cases_report,priority:4"`
	DepartmentID   uint   `gorm:"not null;index:ix_cases_department;index:ix_cases_report,priority:2"`
	Source         string `gorm:"size:8;not null;index:ix_cases_report,priority:3"`
	Channel        string `gorm:"size:16;not null;default:''"`
	Reasons        string `gorm:"size:1000;not null;default:''"` // comma separated tags
	Grievance      bool   `gorm:"not null;default:false;index:ix_cases_report,priority:5;index:ix_cases_resolved,priority:2"`
	ResponseID     *uint  `gorm:"uniqueIndex:ux_cases_response"`
	ContactID      *uint
	AssigneeID     *uint      `gorm:"index:ix_cases_assignee"`
	SummaryEnc     string     `gorm:"size:65536;not null;default:''"`
	AcknowledgeBy  time.Time  `gorm:"index:ix_cases_queue,priority:3;index:ix_cases_report,priority:7"`
	ResolveBy      time.Time  `gorm:"index:ix_cases_report,priority:9"`
	AcknowledgedAt *time.Time `gorm:"index:ix_cases_report,priority:6"`
	ResolvedAt     *time.Time `gorm:"index:ix_cases_resolved,priority:1;index:ix_cases_report,priority:8"`
	ClosedAt       *time.Time
	// Follow-up: after resolution the patient may be asked whether they
	// are satisfied with how the concern was handled ("yes" or "no").
	FollowupSentAt     *time.Time
	FollowupAnswer     string `gorm:"size:8;not null;default:'';index:ix_cases_report,priority:10"`
	FollowupAnsweredAt *time.Time
	CreatedAt          time.Time `gorm:"index:ix_cases_created;index:ix_cases_report,priority:1"`
	UpdatedAt          time.Time
}

// CaseEvent is one entry of a case's timeline; never updated.
type CaseEvent struct {
	ID        uint   `gorm:"primaryKey"`
	CaseID    uint   `gorm:"not null;index:ix_case_events_case"`
	Kind      string `gorm:"size:32;not null"`
	Actor     string `gorm:"size:320;not null"`
	DetailEnc string `gorm:"size:65536;not null;default:''"`
	At        time.Time
}

// StaffUser is a patient relations, manager or admin account.
type StaffUser struct {
	ID    uint   `gorm:"primaryKey"`
	Email string `gorm:"size:320;not null;uniqueIndex:ux_staff_users_email"`
	Name  string `gorm:"size:200;not null"`
	Role  string `gorm:"size:16;not null"`
	// Departments is the codes an agent is scoped to; with AllDepartments
	// false, empty means none (an admin ticks "all departments" explicitly).
	Departments    string `gorm:"size:500;not null;default:''"`
	AllDepartments bool   `gorm:"not null;default:false"`
	PasswordHash   string `gorm:"size:255;not null"`
	// MustChangePassword is set whenever someone other than the user chose
	// the password (an admin, the CLI, the printed demo password): the
	// next sign-in ends on the change-password page.
	MustChangePassword bool `gorm:"not null;default:false"`
	PasswordChangedAt  *time.Time
	TOTPSecretEnc      string `gorm:"column:totp_secret_enc;size:512;not null;default:''"`
	TOTPEnabled        bool   `gorm:"column:totp_enabled;not null;default:false"`
	// TOTPLastStep is the last accepted 30-second time step: a code is
	// accepted once, and never one older than the last.
	TOTPLastStep   int64 `gorm:"column:totp_last_step;not null;default:0"`
	Disabled       bool  `gorm:"not null;default:false"`
	FailedLogins   int   `gorm:"not null;default:0"`
	FirstFailureAt *time.Time
	LockedUntil    *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Session is a server-side staff session; ID is the SHA-256 of the cookie
// value so a database reader cannot hijack sessions.
type Session struct {
	ID         string `gorm:"primaryKey;size:64"`
	UserID     uint   `gorm:"not null;index:ix_sessions_user"`
	CSRFToken  string `gorm:"column:csrf_token;size:64;not null"`
	MFAPending bool   `gorm:"column:mfa_pending;not null;default:false"`
	// MFAAttempts counts second-factor codes tried on this session.
	MFAAttempts int `gorm:"column:mfa_attempts;not null;default:0"`
	// PendingTOTPEnc is a TOTP secret being enrolled (sealed), kept on the
	// server until a code from it proves the phone has it.
	PendingTOTPEnc string `gorm:"column:pending_totp_enc;size:512;not null;default:''"`
	PendingTOTPAt  *time.Time
	IP             string `gorm:"size:64;not null;default:''"`
	CreatedAt      time.Time
	LastSeenAt     time.Time
	ExpiresAt      time.Time
}

// RecoveryCode is one single-use second-factor code, shown once at
// enrolment; only its hash is kept.
type RecoveryCode struct {
	ID        uint   `gorm:"primaryKey"`
	UserID    uint   `gorm:"not null;uniqueIndex:ux_recovery_codes_code,priority:1"`
	CodeHash  string `gorm:"size:64;not null;uniqueIndex:ux_recovery_codes_code,priority:2"`
	UsedAt    *time.Time
	CreatedAt time.Time
}

// SessionStream is a lease on one of a session's live-queue streams: a
// session holds at most a few (Slot 1..n), and a server that dies loses
// its leases when Until passes.
type SessionStream struct {
	ID        uint      `gorm:"primaryKey"`
	SessionID string    `gorm:"size:64;not null;uniqueIndex:ux_session_streams_slot,priority:1"`
	Slot      int       `gorm:"not null;uniqueIndex:ux_session_streams_slot,priority:2"`
	Token     string    `gorm:"size:64;not null"`
	Until     time.Time `gorm:"not null;index:ix_session_streams_until"`
}

// ThrottleCount counts the requests of one bucket (a route class and a
// client address, or the class overall) in one minute, so limits hold
// across servers. Limit is the limit in force; requests past it were
// refused, and Summarized marks the minute's one audit row as written.
type ThrottleCount struct {
	Bucket      string    `gorm:"primaryKey;size:160"`
	WindowStart time.Time `gorm:"primaryKey;index:ix_throttle_summary,priority:2"`
	Class       string    `gorm:"size:16;not null;index:ix_throttle_summary,priority:1"`
	Address     string    `gorm:"size:64;not null;default:''"`
	N           int       `gorm:"not null;default:0"`
	Limit       int       `gorm:"column:lim;not null;default:0"`
	Summarized  bool      `gorm:"not null;default:false"`
}

// APIToken is an integration credential; only its SHA-256 is stored.
type APIToken struct {
	ID         uint   `gorm:"primaryKey"`
	Name       string `gorm:"size:200;not null"`
	TokenHash  string `gorm:"size:64;not null;uniqueIndex:ux_api_tokens_hash"`
	Scopes     string `gorm:"size:500;not null"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time
}

// TableName keeps the acronym readable.
func (APIToken) TableName() string { return "api_tokens" }

// AuditLog is append-only: nothing in the app updates or deletes a row.
type AuditLog struct {
	ID     uint      `gorm:"primaryKey"`
	At     time.Time `gorm:"index:ix_audit_at"`
	Actor  string    `gorm:"size:320;not null;index:ix_audit_actor"`
	Action string    `gorm:"size:64;not null;index:ix_audit_action"`
	Record string    `gorm:"size:128;not null;default:''"`
	IP     string    `gorm:"size:64;not null;default:''"`
	Detail string    `gorm:"size:2000;not null;default:''"`
}

// TableName is singular: it is a log, not a collection of logs.
func (AuditLog) TableName() string { return "audit_log" }

// RoutingRule picks department, priority and assignee for a new case. Rules
// are tried in Position order; the first match wins.
type RoutingRule struct {
	ID              uint   `gorm:"primaryKey"`
	Position        int    `gorm:"not null"`
	Name            string `gorm:"size:200;not null"`
	MatchCategory   string `gorm:"size:32;not null;default:''"`
	MatchKeywords   string `gorm:"size:1000;not null;default:''"`
	MatchMaxScore   *int
	MatchSource     string `gorm:"size:8;not null;default:''"`
	MatchDepartment string `gorm:"size:16;not null;default:''"`
	SetDepartment   string `gorm:"size:16;not null;default:''"`
	SetPriority     string `gorm:"size:8;not null;default:''"`
	SetAssignee     string `gorm:"size:320;not null;default:''"`
	Enabled         bool   `gorm:"not null;default:true"`
}

// FlagRule decides whether a response needs a person to look at it.
type FlagRule struct {
	ID        uint   `gorm:"primaryKey"`
	Kind      string `gorm:"size:16;not null"` // low_rating, low_nps, keyword, safety
	Threshold int    `gorm:"not null;default:0"`
	Words     string `gorm:"size:4000;not null;default:''"`
	Category  string `gorm:"size:32;not null;default:''"`
	Enabled   bool   `gorm:"not null;default:true"`
}

// allTables lists every model in creation order for the first migration.
func allTables() []any {
	return []any{
		&SchemaMigration{}, &Setting{}, &Department{}, &Survey{}, &SurveyQuestion{},
		&Kiosk{}, &Contact{}, &Encounter{}, &Invitation{}, &OutboundMessage{},
		&InboundMessage{}, &Response{}, &Answer{}, &Case{}, &CaseEvent{},
		&StaffUser{}, &Session{}, &APIToken{}, &AuditLog{}, &RoutingRule{}, &FlagRule{},
		&ReportDaily{}, &ReportTheme{}, &ReportFunnel{}, &Lock{}, &CommitMarker{},
		&RecoveryCode{}, &SessionStream{}, &ThrottleCount{},
	}
}

// ReportDaily is one day's answer counts for one department, channel,
// survey and question (QuestionKey "" holds the response count), so a
// report over a year sums a few thousand rows instead of millions of
// answers. Day is the local date in PV_TIMEZONE.
type ReportDaily struct {
	Day          string `gorm:"size:10;not null;primaryKey"`
	DepartmentID uint   `gorm:"not null;primaryKey"`
	Source       string `gorm:"size:8;not null;primaryKey"`
	SurveyID     uint   `gorm:"not null;primaryKey"`
	KioskID      uint   `gorm:"not null;default:0;primaryKey"` // 0 off the kiosks
	QuestionKey  string `gorm:"size:64;not null;primaryKey"`
	Kind         string `gorm:"size:16;not null;default:''"`
	N            int64  `gorm:"not null;default:0"` // responses ("" row) or answers
	Top          int64  `gorm:"not null;default:0"` // rating5 answers that are 5
	Promoters    int64  `gorm:"not null;default:0"` // nps 9-10
	Detractors   int64  `gorm:"not null;default:0"` // nps 0-6
	Yes          int64  `gorm:"not null;default:0"` // yesno answers that are yes
	Sum          int64  `gorm:"not null;default:0"` // sum of values (mean score)
}

// ReportTheme counts the themes found in one day's comments.
type ReportTheme struct {
	Day          string `gorm:"size:10;not null;primaryKey"`
	DepartmentID uint   `gorm:"not null;primaryKey"`
	Source       string `gorm:"size:8;not null;primaryKey"`
	SurveyID     uint   `gorm:"not null;primaryKey"`
	Theme        string `gorm:"size:64;not null;primaryKey"`
	N            int64  `gorm:"not null;default:0"`
	// Examples is up to three answer ids (newest first) of comments with
	// the theme, so the dashboard shows examples without scanning answers.
	Examples string `gorm:"size:100;not null;default:''"`
}

// ReportFunnel is the invitation funnel of one local day, department,
// survey and channel, kept only for days old enough that their
// invitations can no longer change (see Store.FreezeFunnel).
type ReportFunnel struct {
	Day          string `gorm:"size:10;not null;primaryKey"`
	DepartmentID uint   `gorm:"not null;primaryKey"`
	SurveyID     uint   `gorm:"not null;primaryKey"`
	Channel      string `gorm:"size:8;not null;primaryKey"`
	Sent         int64  `gorm:"not null;default:0"`
	Delivered    int64  `gorm:"not null;default:0"`
	Started      int64  `gorm:"not null;default:0"`
	Completed    int64  `gorm:"not null;default:0"`
}

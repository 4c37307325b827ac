package staff

// flashes are the only messages a staff page shows from its URL
// (?flash=KEY): a redirect after a change names what happened by key, and
// text in a link can never appear in the hospital's own banner.
var flashes = map[string]string{
	"saved":               "Saved.",
	"status-acknowledged": "Status changed to acknowledged.",
	"status-in_progress":  "Status changed to in progress.",
	"status-escalated":    "Status changed to escalated.",
	"status-resolved":     "Status changed to resolved.",
	"status-closed":       "Status changed to closed.",
	"escalated":           "Escalated.",
	"assigned":            "Assignment saved.",
	"note":                "Note added.",
	"classified":          "Classification saved.",
	"case-opened":         "Case opened.",
	"contact-sms":         "Message queued to the patient by SMS.",
	"contact-email":       "Message queued to the patient by email.",
	"followup-sms":        "Follow-up question queued to the patient by SMS.",
	"followup-email":      "Follow-up question queued to the patient by email.",
	"kiosk-saved":         "Saved.",
	"info-saved":          "Information screens saved. Kiosks show them on their next load.",
	"weekly-saved":        "Weekly report settings saved.",
	"weekly-sent":         "Weekly report queued to its recipients.",
	"rules-saved":         "Saved. Every server applies it within 15 seconds.",
	"survey-saved":        "Saved. Kiosks pick up the change within 15 seconds.",
	"user-save":           "Account saved.",
	"user-disable":        "Account disabled; its sessions ended.",
	"user-enable":         "Account enabled.",
	"user-reset-mfa":      "Second factor and recovery codes removed; the user sets up a new one at the next sign-in.",
	"password-changed":    "Your password was changed. Your other sessions were signed out.",
	"mfa-replaced":        "Your new authenticator is set up.",
}

// flash is the message for a key; "" for anything else.
func flash(key string) string { return flashes[key] }

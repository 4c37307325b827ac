package sending

import (
	"context"
	"fmt"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/wneessen/go-mail"
)

// SMTP sends email with go-mail, one connection per batch.
type SMTP struct {
	cfg  config.SMTP
	from string
}

// NewSMTP builds the sender.
func NewSMTP(cfg *config.Config) *SMTP {
	return &SMTP{cfg: cfg.SMTP, from: cfg.SMTP.From}
}

func (s *SMTP) client() (*mail.Client, error) {
	opts := []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTimeout(20 * time.Second)}
	switch s.cfg.TLS {
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "opportunistic":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	return mail.NewClient(s.cfg.Host, opts...)
}

// SendEmails sends the batch over one connection.
func (s *SMTP) SendEmails(ctx context.Context, batch []Email) []error {
	errs := make([]error, len(batch))
	msgs := make([]*mail.Msg, 0, len(batch))
	idx := make([]int, 0, len(batch))
	for i, e := range batch {
		m := mail.NewMsg()
		if err := m.From(s.from); err != nil {
			errs[i] = &PermanentError{Code: 0, Msg: "bad SMTP_FROM: " + err.Error()}
			continue
		}
		if err := m.To(e.To); err != nil {
			errs[i] = &PermanentError{Code: 0, Msg: "bad recipient address"}
			continue
		}
		m.Subject(e.Subject)
		m.SetBodyString(mail.TypeTextPlain, e.Text)
		if e.HTML != "" {
			m.AddAlternativeString(mail.TypeTextHTML, e.HTML)
		}
		if e.Unsubscribe != "" {
			m.SetGenHeader("List-Unsubscribe", "<"+e.Unsubscribe+">")
			m.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
		}
		if e.MessageID != "" {
			m.SetMessageIDWithValue(e.MessageID)
		} else {
			m.SetMessageID()
		}
		m.SetDate()
		msgs = append(msgs, m)
		idx = append(idx, i)
	}
	if len(msgs) == 0 {
		return errs
	}
	c, err := s.client()
	if err != nil {
		for _, i := range idx {
			errs[i] = fmt.Errorf("smtp: %w", err)
		}
		return errs
	}
	if err := c.DialAndSendWithContext(ctx, msgs...); err != nil {
		for k, m := range msgs {
			if m.HasSendError() {
				if m.SendErrorIsTemp() {
					errs[idx[k]] = fmt.Errorf("smtp: %w", m.SendError())
				} else {
					errs[idx[k]] = &PermanentError{Msg: m.SendError().Error()}
				}
			} else if errs[idx[k]] == nil && !sentOK(m) {
				errs[idx[k]] = fmt.Errorf("smtp: %w", err)
			}
		}
	}
	return errs
}

// sentOK reports whether go-mail marked a message as delivered to the
// server.
func sentOK(m *mail.Msg) bool { return m.IsDelivered() }

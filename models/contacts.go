package models

import (
	"context"
	"errors"

	"gorm.io/gorm"
)

// ContactInput is a patient's identity in clear; the store encrypts it.
// Phone must be E.164 and Email lower-case (see package contact).
type ContactInput struct {
	Name, Phone, Email, Language, Timezone string
}

// ContactView is a contact decrypted for display to staff who revealed it.
type ContactView struct {
	ID                 uint
	Name, Phone, Email string
	Language           string
	SMSOptOut          bool
	EmailOptOut        bool
}

// findContact finds the contact of a patient's phone (first) or email
// through the blind indexes; found is false for a new patient.
func (s *Store) findContact(tx *gorm.DB, in ContactInput) (c Contact, found bool, err error) {
	for _, probe := range []struct{ col, idx string }{
		{"phone_index", s.Crypto.BlindIndex("phone", in.Phone)},
		{"email_index", s.Crypto.BlindIndex("email", in.Email)},
	} {
		if probe.idx == "" {
			continue
		}
		err := tx.Where(probe.col+" = ?", probe.idx).Order("id").Take(&c).Error
		if err == nil {
			return c, true, nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return c, false, wrap("find contact", err)
		}
	}
	return Contact{}, false, nil
}

func (s *Store) upsertContact(tx *gorm.DB, in ContactInput) (Contact, error) {
	c, found, err := s.findContact(tx, in)
	if err != nil {
		return c, err
	}
	if in.Name != "" {
		c.NameEnc = s.Crypto.Seal(in.Name)
	}
	if in.Phone != "" {
		c.PhoneEnc, c.PhoneIndex = s.Crypto.Seal(in.Phone), s.Crypto.BlindIndex("phone", in.Phone)
	}
	if in.Email != "" {
		c.EmailEnc, c.EmailIndex = s.Crypto.Seal(in.Email), s.Crypto.BlindIndex("email", in.Email)
	}
	if in.Language != "" {
		c.Language = in.Language
	}
	if c.Language == "" {
		c.Language = "en"
	}
	if in.Timezone != "" {
		c.Timezone = in.Timezone
	}
	if found {
		err = tx.Save(&c).Error
	} else {
		err = tx.Create(&c).Error
	}
	return c, wrap("save contact", err)
}

// ContactByID decrypts one contact. Callers that show it to staff must
// audit the reveal.
func (s *Store) ContactByID(ctx context.Context, id uint) (ContactView, error) {
	var c Contact
	if err := s.ctx(ctx).Take(&c, id).Error; err != nil {
		return ContactView{}, wrap("find contact", err)
	}
	return s.view(c), nil
}

func (s *Store) view(c Contact) ContactView {
	return ContactView{ID: c.ID, Name: s.Crypto.MustOpen(c.NameEnc), Phone: s.Crypto.MustOpen(c.PhoneEnc),
		Email: s.Crypto.MustOpen(c.EmailEnc), Language: c.Language, SMSOptOut: c.SMSOptOut, EmailOptOut: c.EmailOptOut}
}

// ContactByPhone finds a contact by E.164 phone through the blind index.
func (s *Store) ContactByPhone(ctx context.Context, e164 string) (Contact, error) {
	var c Contact
	err := s.ctx(ctx).Where("phone_index = ?", s.Crypto.BlindIndex("phone", e164)).Order("id").Take(&c).Error
	return c, wrap("find contact by phone", err)
}

// ContactRow loads the raw contact (opt-out state) by id.
func (s *Store) ContactRow(ctx context.Context, id uint) (Contact, error) {
	var c Contact
	err := s.ctx(ctx).Take(&c, id).Error
	return c, wrap("find contact", err)
}

// ContactFor is the contact a discharge's patient would be filed under
// (found through the phone's blind index, else the email's), as stored:
// opt-outs and last survey, what scheduling decides on. A new patient is
// the zero Contact.
func (s *Store) ContactFor(ctx context.Context, in ContactInput) (Contact, error) {
	c, _, err := s.findContact(s.ctx(ctx), in)
	return c, err
}

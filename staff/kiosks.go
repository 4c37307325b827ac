package staff

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/translations"
)

// KioskOffline is how long a kiosk may be silent before it shows offline
// (heartbeats come every 60 s).
const KioskOffline = 10 * time.Minute

type kioskRow struct {
	models.Kiosk
	Department string
	Survey     string
	Online     bool
	LastSeen   string
}

type kiosksData struct {
	Kiosks      []kioskRow
	Departments []models.Department
	Surveys     []models.Survey
	NewURL      string
	Error       string
}

// Kiosks answers GET /staff/kiosks: every kiosk with its last contact.
func (h *Handler) Kiosks(c *fiber.Ctx) error { return h.showKiosks(c, "", "") }

func (h *Handler) showKiosks(c *fiber.Ctx, newURL, msg string) error {
	ctx := c.UserContext()
	ks, err := h.store.Kiosks(ctx)
	if err != nil {
		return err
	}
	ds, err := h.store.Departments(ctx)
	if err != nil {
		return err
	}
	ss, err := h.store.Surveys(ctx)
	if err != nil {
		return err
	}
	dn := map[uint]string{}
	for _, d := range ds {
		dn[d.ID] = d.Code
	}
	sn := map[uint]string{}
	for _, s := range ss {
		sn[s.ID] = s.Key
	}
	now := h.now()
	d := kiosksData{Departments: ds, Surveys: ss, NewURL: newURL, Error: msg}
	for _, k := range ks {
		r := kioskRow{Kiosk: k, Department: dn[k.DepartmentID], Survey: sn[k.SurveyID], Online: k.RevokedAt == nil && k.Online(now, KioskOffline), LastSeen: "never"}
		if k.LastSeenAt != nil {
			r.LastSeen = humanDue(k.LastSeenAt.Sub(now))
			r.LastSeen = strings.TrimSuffix(r.LastSeen, " overdue") + " ago"
		}
		d.Kiosks = append(d.Kiosks, r)
	}
	if msg != "" {
		c.Status(fiber.StatusBadRequest)
	}
	return h.render(c, "staff/kiosks", "Kiosks", "kiosks", d)
}

// EnrolKiosk answers POST /staff/kiosks (admin): a new kiosk and its URL,
// shown once.
func (h *Handler) EnrolKiosk(c *fiber.Ctx) error {
	ctx := c.UserContext()
	name := strings.TrimSpace(c.FormValue("name"))
	if name == "" {
		return h.showKiosks(c, "", "Give the kiosk a name.")
	}
	tok, k, err := h.store.CreateKiosk(ctx, name, strings.TrimSpace(c.FormValue("location")), c.FormValue("department"), c.FormValue("survey"))
	if err != nil {
		return h.showKiosks(c, "", "Choose a department and a survey.")
	}
	_ = h.store.Audit(ctx, principal(c).User.Email, "kiosk.create", fmt.Sprintf("kiosk:%d", k.ID), ip(c), name)
	return h.showKiosks(c, h.cfg.BaseURL+"/kiosk/"+tok, "")
}

// KioskAction answers POST /staff/kiosks/:id (admin): update, revoke,
// rotate.
func (h *Handler) KioskAction(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id64, err := strconv.ParseUint(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusNotFound, "No such kiosk.")
	}
	k, err := h.store.KioskByID(ctx, uint(id64))
	if err != nil {
		return err
	}
	action := c.FormValue("action")
	newURL := ""
	switch action {
	case "update":
		k.Name, k.Location = strings.TrimSpace(c.FormValue("name")), strings.TrimSpace(c.FormValue("location"))
		if k.IdleSeconds, err = strconv.Atoi(c.FormValue("idle_seconds")); err != nil || k.IdleSeconds < 10 || k.IdleSeconds > 600 {
			return h.showKiosks(c, "", "Inactivity reset must be between 10 and 600 seconds.")
		}
		d, err := h.store.DepartmentByCode(ctx, c.FormValue("department"))
		if err != nil || k.Name == "" {
			return h.showKiosks(c, "", "Name and department are required.")
		}
		k.DepartmentID = d.ID
		if _, sid, err := h.store.SurveyByKey(ctx, c.FormValue("survey")); err == nil {
			k.SurveyID = sid
		}
		err = h.store.UpdateKiosk(ctx, k)
		if err != nil {
			return err
		}
	case "revoke":
		err = h.store.RevokeKiosk(ctx, k.ID)
	case "rotate":
		var tok string
		tok, err = h.store.RotateKioskToken(ctx, k.ID)
		newURL = h.cfg.BaseURL + "/kiosk/" + tok
	default:
		return fiber.NewError(fiber.StatusBadRequest, "Unknown action.")
	}
	if err != nil {
		return err
	}
	_ = h.store.Audit(ctx, principal(c).User.Email, "kiosk.change", fmt.Sprintf("kiosk:%d", k.ID), ip(c), action)
	if newURL != "" {
		return h.showKiosks(c, newURL, "")
	}
	return c.Redirect("/staff/kiosks?flash=kiosk-saved", fiber.StatusSeeOther)
}

type infoData struct {
	Screens       []infoScreen
	Langs         []*translations.Language
	LanguagePhone string
}

type infoScreen struct {
	Key, Title string
	Text       map[string]string
}

var infoTitles = [][2]string{{models.InfoRights, "Patient rights and responsibilities"}, {models.InfoConcern, "How to raise a concern"},
	{models.InfoBilling, "Billing and insurance help"}, {models.InfoLanguage, "Free language assistance"}}

// InfoScreens answers GET /staff/admin/info: edit the kiosk information
// screens in every language.
func (h *Handler) InfoScreens(c *fiber.Ctx) error {
	d := infoData{Langs: h.catalog.Languages()}
	phone, _, err := h.store.Setting(c.UserContext(), models.InfoLanguagePhone)
	if err != nil {
		return err
	}
	d.LanguagePhone = phone
	for _, t := range infoTitles {
		v, _, err := h.store.Setting(c.UserContext(), t[0])
		if err != nil {
			return err
		}
		m := map[string]string{}
		_ = json.Unmarshal([]byte(v), &m)
		d.Screens = append(d.Screens, infoScreen{Key: t[0], Title: t[1], Text: m})
	}
	return h.render(c, "staff/info", "Kiosk information screens", "kiosks", d)
}

// SaveInfoScreens answers POST /staff/admin/info.
func (h *Handler) SaveInfoScreens(c *fiber.Ctx) error {
	ctx := c.UserContext()
	for _, t := range infoTitles {
		m := map[string]string{}
		for _, l := range h.catalog.Codes() {
			if v := strings.TrimSpace(c.FormValue(t[0] + "." + l)); v != "" {
				if len(v) > 8000 {
					return fiber.NewError(fiber.StatusBadRequest, "Each text is limited to 8000 characters.")
				}
				m[l] = v
			}
		}
		b, _ := json.Marshal(m)
		if err := h.store.SetSetting(ctx, t[0], string(b)); err != nil {
			return err
		}
	}
	phone := strings.TrimSpace(c.FormValue("language_phone"))
	if len(phone) > 40 {
		return fiber.NewError(fiber.StatusBadRequest, "The language assistance phone number is limited to 40 characters.")
	}
	if err := h.store.SetSetting(ctx, models.InfoLanguagePhone, phone); err != nil {
		return err
	}
	_ = h.store.Audit(ctx, principal(c).User.Email, "kiosk.change", "info", ip(c), "information screens")
	return c.Redirect("/staff/admin/info?flash=info-saved", fiber.StatusSeeOther)
}

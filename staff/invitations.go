package staff

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

// Importer runs a discharge CSV import; inviting implements it.
type Importer interface {
	ImportFile(ctx context.Context, r io.Reader, progress func(line int)) (any, error)
}

type invitationsData struct {
	Rows []models.Invitation
}

// Invitations answers GET /staff/invitations: recent survey invitations
// with channel, state and why any was suppressed (no patient details).
func (h *Handler) Invitations(c *fiber.Ctx) error {
	rows, err := h.store.Invitations(c.UserContext(), 300)
	if err != nil {
		return err
	}
	return h.render(c, "staff/invitations", "Invitations", "outbox", invitationsData{Rows: rows})
}

// importState is a running import's progress, kept in the settings table
// so any server behind the load balancer can report it.
type importState struct {
	Line   int    `json:"line"`
	Done   bool   `json:"done"`
	Error  string `json:"error,omitempty"`
	Result any    `json:"result,omitempty"`
}

var importIDRe = regexp.MustCompile(`^[0-9a-f]{16}$`)

// ImportPage answers GET /staff/import: upload a discharge CSV.
func (h *Handler) ImportPage(c *fiber.Ctx) error {
	return h.render(c, "staff/import", "Import discharges", "outbox", fiber.Map{"ID": c.Query("id")})
}

// ImportUpload answers POST /staff/import: the file is read in the
// background; the page follows its progress.
func (h *Handler) ImportUpload(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "Choose a CSV file to upload.")
	}
	if fh.Size > 10<<20 {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, "The file is over 10 MB; split it.")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return err
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	key := "import." + id
	p := principal(c)
	if err := h.saveImport(context.Background(), key, importState{}); err != nil {
		return err
	}
	go h.runImport(key, data, p.User.Email, ip(c), fh)
	return c.Redirect("/staff/import?id="+id, fiber.StatusSeeOther)
}

func (h *Handler) runImport(key string, data []byte, who, from string, fh *multipart.FileHeader) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	last := time.Now()
	res, err := h.importer.ImportFile(ctx, bytes.NewReader(data), func(line int) {
		if time.Since(last) > 500*time.Millisecond {
			last = time.Now()
			_ = h.saveImport(ctx, key, importState{Line: line})
		}
	})
	st := importState{Done: true, Result: res}
	if err != nil {
		st.Error = err.Error()
	}
	_ = h.saveImport(ctx, key, st)
	_ = h.store.Audit(ctx, who, "import", key, from, fmt.Sprintf("%s (%d bytes)", fh.Filename, fh.Size))
}

func (h *Handler) saveImport(ctx context.Context, key string, st importState) error {
	b, _ := json.Marshal(st)
	return h.store.SetSetting(ctx, key, string(b))
}

// ImportStatus answers GET /staff/import/:id: progress as JSON for the
// page's script.
func (h *Handler) ImportStatus(c *fiber.Ctx) error {
	id := c.Params("id")
	if !importIDRe.MatchString(id) {
		return fiber.NewError(fiber.StatusNotFound, "No such import.")
	}
	v, ok, err := h.store.Setting(c.UserContext(), "import."+id)
	if err != nil {
		return err
	}
	if !ok {
		return fiber.NewError(fiber.StatusNotFound, "No such import.")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.SendString(v)
}

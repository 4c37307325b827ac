package conversations_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/patientvoice/patientvoice/models"
)

// 25 replies to one SMS survey at once are taken one at a time: each step
// starts where the previous one left the invitation, so the survey ends
// completed with one response, and no reply is lost or applied twice.
func TestSimultaneousRepliesTakenInTurn(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		phone := "+13125550143"
		if r := e.Discharge(dischargeJSON("C1", phone, "", "")); r.Status != 202 {
			t.Fatalf("discharge: %d %s", r.Status, r.Body)
		}
		e.Tick()
		var wg sync.WaitGroup
		for i := 0; i < 25; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := e.SMS(fmt.Sprintf("SMcc%030d", i), phone, "4"); r.Status != 200 {
					t.Errorf("webhook %d: %d %s", i, r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		inv, err := e.Store.InvitationByID(ctx, 1)
		if err != nil || inv.Status != models.InvCompleted {
			t.Fatalf("invitation %+v %v", inv, err)
		}
		// "4" answers the rating, is not a yes or no (re-prompt, then
		// moved past), answers the NPS question and is the comment
		resp, err := e.Store.ResponseByClientID(ctx, "inv-1")
		if err != nil {
			t.Fatal(err)
		}
		answers, err := e.Store.ResponseAnswers(ctx, resp.ID)
		if err != nil || len(answers) != 3 {
			t.Fatalf("answers %+v %v", answers, err)
		}
		if n, _ := e.Store.CountResponses(ctx); n != 1 {
			t.Fatalf("%d responses", n)
		}
	})
}

package survey

import "encoding/json"

// jsonValue renders an answer as the JSON value a client would post.
func jsonValue(a Answer) (json.RawMessage, error) {
	switch {
	case a.Int != nil:
		return json.Marshal(*a.Int)
	case a.Bool != nil:
		return json.Marshal(*a.Bool)
	case a.Kind == Choice:
		return json.Marshal(a.Choice)
	}
	return json.Marshal(a.Text)
}

// Raw turns validated answers back into raw answers (for storing an SMS
// conversation in progress and re-validating at completion).
func Raw(answers []Answer) []RawAnswer {
	out := make([]RawAnswer, 0, len(answers))
	for _, a := range answers {
		v, _ := jsonValue(a)
		out = append(out, RawAnswer{Question: a.Question, Value: v})
	}
	return out
}

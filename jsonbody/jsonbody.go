// Package jsonbody decodes API request bodies and explains what is wrong
// with a bad one in the contract's terms: a 400 with the field at fault.
package jsonbody

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/survey"
)

// Decode unmarshals body into v; a syntax error is a 400, a value of the
// wrong type a 400 naming the field.
func Decode(body []byte, v any) error {
	if tooDeep(body, MaxDepth) {
		return fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("body is nested too deeply (more than %d levels)", MaxDepth))
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("body is not valid JSON (syntax error at byte %d)", se.Offset))
	case errors.As(err, &te) && te.Field != "":
		return &survey.FieldError{Field: te.Field, Message: "has the wrong JSON type (" + te.Value + ")"}
	}
	return fiber.NewError(fiber.StatusBadRequest, "body is not a JSON object")
}

// MaxDepth is how deeply API bodies may nest; the contract's bodies need 4.
const MaxDepth = 32

// tooDeep reports whether brackets outside strings nest deeper than max,
// without decoding anything.
func tooDeep(b []byte, max int) bool {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

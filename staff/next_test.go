package staff

import "testing"

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/staff/cases/1":                                    "/staff/cases/1",
		"/staff/?status=all&department=ED":                  "/staff/?status=all&department=ED",
		"/staff/\r\nSet-Cookie: __Host-pv_session=attacker": "/staff/",
		"/staff/%0d%0aSet-Cookie:%20x=y":                    "/staff/",
		"/staff/\nx":                                        "/staff/",
		"/staff/\x00":                                       "/staff/",
		"/staff/\u0085":                                     "/staff/",
		"//evil.example/staff/":                             "/staff/",
		"https://evil.example/staff/":                       "/staff/",
		"/staff/../admin":                                   "/staff/",
		"/staff/./x":                                        "/staff/",
		"/staff\\..\\x":                                     "/staff/",
		"/staff/login?next=/staff/":                         "/staff/",
		"/staffx":                                           "/staff/",
		"":                                                  "/staff/",
		"javascript:alert(1)":                               "/staff/",
		"/staff/#frag":                                      "/staff/",
		"/staff/cases/1?x=%0a":                              "/staff/cases/1?x=%0a",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

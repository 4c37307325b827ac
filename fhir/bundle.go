package fhir

// Bundle is a search result (searchset) or a transaction and its response.
// Entries carry resources as any value so one type serves every content.
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id,omitempty"`
	Meta         *Meta         `json:"meta,omitempty"`
	Type         string        `json:"type"`
	Total        *int          `json:"total,omitempty"`
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// BundleLink is a paging link (self, next).
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry is one entry; Resource is a resource struct when writing and
// a Resource (raw) when reading.
type BundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource any             `json:"resource,omitempty"`
	Search   *BundleSearch   `json:"search,omitempty"`
	Request  *BundleRequest  `json:"request,omitempty"`
	Response *BundleResponse `json:"response,omitempty"`
}

// BundleSearch says why an entry is in a searchset.
type BundleSearch struct {
	Mode string `json:"mode,omitempty"`
}

// BundleRequest is what a transaction entry asks for.
type BundleRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
}

// BundleResponse is what a transaction-response entry reports.
type BundleResponse struct {
	Status   string `json:"status"`
	Location string `json:"location,omitempty"`
	Outcome  any    `json:"outcome,omitempty"`
}

// InBundle is a Bundle as read from a client: entries keep their raw JSON.
type InBundle struct {
	ResourceType string    `json:"resourceType"`
	Type         string    `json:"type"`
	Entry        []InEntry `json:"entry"`
}

// InEntry is one entry of a Bundle read from a client.
type InEntry struct {
	FullURL  string         `json:"fullUrl"`
	Resource *Resource      `json:"resource"`
	Request  *BundleRequest `json:"request"`
}

package mockmodel

import "net/http"

// anthropic registers the handlers of the anthropic API. Not written yet: its
// requests fall through to unknown.
func (s *Server) anthropic(_ *http.ServeMux) {}

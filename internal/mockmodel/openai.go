package mockmodel

import "net/http"

// openai registers the handlers of the openai API. Not written yet: its
// requests fall through to unknown.
func (s *Server) openai(_ *http.ServeMux) {}

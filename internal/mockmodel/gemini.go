package mockmodel

import "net/http"

// gemini registers the handlers of the gemini API. Not written yet: its
// requests fall through to unknown.
func (s *Server) gemini(_ *http.ServeMux) {}

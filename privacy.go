package analyticsexporter

import (
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
)

// PrivacyConfig is the `privacy` section: what the exporter drops, hashes
// or cuts among the attributes it writes (docs/privacy.md).
type PrivacyConfig struct {
	// Content is drop (default) or keep: the text of prompts, responses,
	// system instructions, tool arguments, tool input and output, commands
	// and file paths, in the attributes the agents and GenAI conventions
	// name (the built-in list) and in ContentAttributes.
	Content string `mapstructure:"content"`
	// ContentAttributes are more content attribute keys: an exact key, or
	// "prefix.*" for prefix and every key that starts with "prefix.".
	ContentAttributes []string `mapstructure:"content_attributes"`
	// Identities is hash (default), drop or keep: the identity attributes
	// (user.email, user.name, user.full_name, process.owner and
	// IdentityAttributes) and a user id that looks like an email address.
	Identities string `mapstructure:"identities"`
	// IdentityAttributes are more identity attribute keys.
	IdentityAttributes []string `mapstructure:"identity_attributes"`
	// HashKey is the HMAC-SHA256 key of identities: hash, at least 32
	// bytes; usually "${env:ANALYTICS_HASH_KEY}". Empty: identities are
	// dropped instead.
	HashKey configopaque.String `mapstructure:"hash_key"`
	// MaxValueBytes cuts longer string values; 0 = no limit.
	MaxValueBytes int `mapstructure:"max_value_bytes"`
}

// minHashKeyBytes is the shortest hash key accepted, as the contrib
// redaction processor requires for HMAC-SHA256: a short key can be guessed,
// and with it every address in a list of candidates.
const minHashKeyBytes = 32

func defaultPrivacyConfig() PrivacyConfig {
	return PrivacyConfig{Content: "drop", Identities: "hash", MaxValueBytes: convert.DefaultMaxValueBytes}
}

// validate checks the privacy section; every error names its key.
func (p *PrivacyConfig) validate(key string) error {
	var errs error
	if p.Content != "drop" && p.Content != "keep" {
		errs = errors.Join(errs, fmt.Errorf("%scontent: must be drop or keep, got %q", key, p.Content))
	}
	switch p.Identities {
	case "hash", "drop", "keep":
	default:
		errs = errors.Join(errs, fmt.Errorf("%sidentities: must be hash, drop or keep, got %q", key, p.Identities))
	}
	ids := map[string]bool{}
	for _, k := range convert.BuiltinIdentities {
		ids[k] = true
	}
	for i, k := range p.IdentityAttributes {
		switch {
		case strings.TrimSpace(k) == "":
			errs = errors.Join(errs, fmt.Errorf("%sidentity_attributes::%d: attribute key must not be empty", key, i))
		case strings.Contains(k, "*"):
			errs = errors.Join(errs, fmt.Errorf("%sidentity_attributes::%d: %q: identity attributes are exact keys", key, i, k))
		}
		ids[k] = true
	}
	for i, k := range p.ContentAttributes {
		if strings.TrimSpace(k) == "" {
			errs = errors.Join(errs, fmt.Errorf("%scontent_attributes::%d: attribute key must not be empty", key, i))
			continue
		}
		name, _, err := convert.ParseContentAttribute(k)
		if err != nil {
			errs = errors.Join(errs, fmt.Errorf("%scontent_attributes::%d: %w", key, i, err))
		} else if ids[name] {
			errs = errors.Join(errs, fmt.Errorf("%scontent_attributes::%d: %q is an identity attribute", key, i, k))
		}
	}
	if n := len(p.HashKey); n > 0 && n < minHashKeyBytes {
		errs = errors.Join(errs, fmt.Errorf("%shash_key: must be at least %d bytes, got %d", key, minHashKeyBytes, n))
	}
	if p.MaxValueBytes < 0 {
		errs = errors.Join(errs, fmt.Errorf("%smax_value_bytes: must be >= 0 (0 = no limit), got %d", key, p.MaxValueBytes))
	}
	return errs
}

// options maps the section to the converter's options.
func (p *PrivacyConfig) options() convert.Privacy {
	out := convert.Privacy{
		DropContent:        p.Content != "keep",
		ContentAttributes:  p.ContentAttributes,
		IdentityAttributes: p.IdentityAttributes,
		MaxValueBytes:      p.MaxValueBytes,
	}
	switch p.Identities {
	case "keep":
		out.Identities = convert.IdentitiesKeep
	case "drop":
		out.Identities = convert.IdentitiesDrop
	default:
		out.Identities = convert.IdentitiesHash
	}
	if p.HashKey != "" {
		out.HashKey = []byte(p.HashKey)
	}
	return out
}

// identitiesDropped reports identities: hash without a key, which drops
// them; the exporter says so when it starts.
func (p *PrivacyConfig) identitiesDropped() bool {
	return p.Identities == "hash" && p.HashKey == ""
}

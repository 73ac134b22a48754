package analyticsexporter

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// Config is the configuration of the analytics exporter.
//
// Validate reports every bad value with its full key, the way confmap
// spells paths (`rotation::max_megabytes: ...`, `rules::0::type: ...`).
type Config struct {
	// Directory is the base directory; files go to <directory>/metrics/.
	Directory string `mapstructure:"directory"`
	// Rotation says when the live file is closed and how many are kept.
	Rotation RotationConfig `mapstructure:"rotation"`
	// Compression of rotated files: gzip, zstd or none.
	Compression jsonl.Compression `mapstructure:"compression"`
	// Fsync makes every successful export durable against power loss.
	Fsync bool `mapstructure:"fsync"`
	// FileMode is the permission of data files, an octal string ("0600").
	FileMode string `mapstructure:"file_mode"`
	// DirMode is the permission of directories, an octal string ("0700").
	DirMode string `mapstructure:"dir_mode"`
	// TypeAttribute is the override attribute key; empty disables overrides.
	TypeAttribute string `mapstructure:"type_attribute"`
	// BuiltinRules turns the built-in mapping table on.
	BuiltinRules bool `mapstructure:"builtin_rules"`
	// Unmatched is "drop" or the entry type given to records no rule matched.
	Unmatched string `mapstructure:"unmatched"`
	// SessionIDAttributes are read in order; the first present is the session id.
	SessionIDAttributes []string `mapstructure:"session_id_attributes"`
	// UserIDAttributes are read in order; the first present is the user id.
	UserIDAttributes []string `mapstructure:"user_id_attributes"`
	// Rules are user mapping rules, tried in order before the built-in ones.
	Rules []RuleConfig `mapstructure:"rules"`
	// Metrics configures metric data point entries.
	Metrics MetricsConfig `mapstructure:"metrics"`
	// Sessions configures the synthesized session lifecycle.
	Sessions SessionsConfig `mapstructure:"sessions"`
	// Traces configures span entries.
	Traces TracesConfig `mapstructure:"traces"`
	// Privacy says what is dropped, hashed or cut (privacy.go).
	Privacy PrivacyConfig `mapstructure:"privacy"`

	exporterhelper.TimeoutConfig `mapstructure:",squash"`
	// BackOffConfig is `retry_on_failure`; a failed write is retried.
	BackOffConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`
	// QueueConfig is `sending_queue`; disabled by default.
	QueueConfig configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// RotationConfig is the `rotation` section.
type RotationConfig struct {
	// MaxMegabytes is the size (MiB, fractions allowed) the live file never passes.
	MaxMegabytes float64 `mapstructure:"max_megabytes"`
	// MaxFiles is how many data files are kept, the live one included.
	MaxFiles int `mapstructure:"max_files"`
	// MaxAge removes data files older than this; 0 keeps by count only.
	MaxAge time.Duration `mapstructure:"max_age"`
	// Interval also rotates on a timer; 0 rotates by size only.
	Interval time.Duration `mapstructure:"interval"`
}

// RuleConfig is one entry of `rules`.
type RuleConfig struct {
	// Match holds the conditions; all that are set must hold.
	Match MatchConfig `mapstructure:"match"`
	// Type is the entry type given to a matching record.
	Type string `mapstructure:"type"`
	// Fields maps a named field of the type to the attribute it is read from.
	Fields map[string]string `mapstructure:"fields"`
}

// MatchConfig is the `match` of a rule.
type MatchConfig struct {
	// Event is a glob on the event name (with or without tool prefix).
	Event string `mapstructure:"event"`
	// Metric is a glob on the metric name.
	Metric string `mapstructure:"metric"`
	// Span is a glob on the span name.
	Span string `mapstructure:"span"`
	// SeverityMin is the lowest severity a log must have ("ERROR" or 17).
	SeverityMin Severity `mapstructure:"severity_min"`
	// Attributes must be equal; the value "*" means present with any value.
	Attributes map[string]string `mapstructure:"attributes"`
}

// MetricsConfig is the `metrics` section.
type MetricsConfig struct {
	// IncludeBuckets writes histogram bucket counts into data.
	IncludeBuckets bool `mapstructure:"include_buckets"`
}

// SessionsConfig is the `sessions` section.
type SessionsConfig struct {
	// Enabled synthesizes session_start/session_end entries.
	Enabled bool `mapstructure:"enabled"`
	// IdleTimeout ends a session that saw no record for this long.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// MaxTracked bounds the sessions held in memory; the oldest idle one is
	// ended first when it is reached.
	MaxTracked int `mapstructure:"max_tracked"`
	// Storage is the storage extension that keeps open sessions across
	// restarts; nil keeps them in memory only.
	Storage *component.ID `mapstructure:"storage"`
}

// TracesConfig is the `traces` section.
type TracesConfig struct {
	// SessionWait is how long an entry is held at most: a span entry
	// waiting for a span of its trace that names the session, a span for
	// the log event of the same call, a gen_ai.client metric point for its
	// service's spans.
	SessionWait time.Duration `mapstructure:"session_wait"`
	// MaxHeld bounds the entries held; beyond it the oldest are written at
	// once, as if their wait had run out.
	MaxHeld int `mapstructure:"max_held"`
	// MaxHeldMegabytes bounds the size of the entries held (MiB).
	MaxHeldMegabytes float64 `mapstructure:"max_held_megabytes"`
	// MaxRemembered bounds the join keys and the trace sessions an
	// exporter remembers (each); the oldest are forgotten first.
	MaxRemembered int `mapstructure:"max_remembered"`
}

func (t *TracesConfig) validate(key string) error {
	var errs error
	if t.SessionWait <= 0 {
		errs = errors.Join(errs, fmt.Errorf("%ssession_wait: must be > 0, got %v", key, t.SessionWait))
	}
	if t.MaxHeld < 1 {
		errs = errors.Join(errs, fmt.Errorf("%smax_held: must be >= 1, got %d", key, t.MaxHeld))
	}
	if math.IsNaN(t.MaxHeldMegabytes) || t.MaxHeldMegabytes <= 0 || t.MaxHeldMegabytes > 1<<20 {
		errs = errors.Join(errs, fmt.Errorf("%smax_held_megabytes: must be > 0, got %v", key, t.MaxHeldMegabytes))
	}
	if t.MaxRemembered < 1 {
		errs = errors.Join(errs, fmt.Errorf("%smax_remembered: must be >= 1, got %d", key, t.MaxRemembered))
	}
	return errs
}

var _ component.Config = (*Config)(nil)

// Validate checks every key of the config and names the key in each error.
func (cfg *Config) Validate() error {
	var errs error
	if strings.TrimSpace(cfg.Directory) == "" {
		errs = errors.Join(errs, errors.New("directory: must not be empty"))
	}
	switch cfg.Compression {
	case jsonl.CompressionGzip, jsonl.CompressionZstd, jsonl.CompressionNone:
	default:
		errs = errors.Join(errs, fmt.Errorf("compression: must be one of gzip, zstd, none, got %q", cfg.Compression))
	}
	if _, _, err := cfg.modes(); err != nil {
		errs = errors.Join(errs, err)
	}
	if cfg.Unmatched != "" && cfg.Unmatched != "drop" && !isEntryType(cfg.Unmatched) {
		errs = errors.Join(errs, fmt.Errorf("unmatched: must be drop or one of %s, got %q", typeList(), cfg.Unmatched))
	}
	errs = errors.Join(errs, checkKeys("session_id_attributes", cfg.SessionIDAttributes))
	errs = errors.Join(errs, checkKeys("user_id_attributes", cfg.UserIDAttributes))
	errs = errors.Join(errs, cfg.Rotation.validate("rotation::"))
	for i := range cfg.Rules {
		errs = errors.Join(errs, cfg.Rules[i].validate(fmt.Sprintf("rules::%d::", i)))
	}
	errs = errors.Join(errs, cfg.Sessions.validate("sessions::"))
	errs = errors.Join(errs, cfg.Traces.validate("traces::"))
	errs = errors.Join(errs, cfg.Privacy.validate("privacy::"))
	if errs != nil {
		return errs
	}
	// The converter checks what only it knows (the named fields of each
	// type); its errors name the key too.
	if _, err := convert.New(convertOptions(cfg)); err != nil {
		return err
	}
	return nil
}

func (r *RotationConfig) validate(key string) error {
	var errs error
	const maxMB = float64(math.MaxInt64 >> 20)
	if math.IsNaN(r.MaxMegabytes) || r.MaxMegabytes <= 0 || r.MaxMegabytes > maxMB {
		errs = errors.Join(errs, fmt.Errorf("%smax_megabytes: must be > 0, got %v", key, r.MaxMegabytes))
	} else if r.maxBytes() < 1 {
		errs = errors.Join(errs, fmt.Errorf("%smax_megabytes: must be at least one byte, got %v", key, r.MaxMegabytes))
	}
	if r.MaxFiles < 1 {
		errs = errors.Join(errs, fmt.Errorf("%smax_files: must be >= 1, got %d", key, r.MaxFiles))
	}
	if r.MaxAge < 0 {
		errs = errors.Join(errs, fmt.Errorf("%smax_age: must be >= 0, got %v", key, r.MaxAge))
	}
	if r.Interval < 0 {
		errs = errors.Join(errs, fmt.Errorf("%sinterval: must be >= 0, got %v", key, r.Interval))
	}
	return errs
}

func (r *RotationConfig) maxBytes() int64 { return int64(r.MaxMegabytes * (1 << 20)) }

func (r *RuleConfig) validate(key string) error {
	errs := r.Match.validate(key + "match")
	if !isEntryType(r.Type) {
		errs = errors.Join(errs, fmt.Errorf("%stype: must be one of %s, got %q", key, typeList(), r.Type))
	}
	for _, field := range sortedKeys(r.Fields) {
		if field == "" || r.Fields[field] == "" {
			errs = errors.Join(errs, fmt.Errorf("%sfields: named field and attribute must not be empty, got %q: %q", key, field, r.Fields[field]))
		}
	}
	return errs
}

func (m *MatchConfig) validate(key string) error {
	if m.Event == "" && m.Metric == "" && m.Span == "" && m.SeverityMin == 0 && len(m.Attributes) == 0 {
		return fmt.Errorf("%s: must set at least one of event, metric, span, severity_min, attributes", key)
	}
	key += "::"
	var errs error
	if m.Event != "" && m.Metric != "" {
		errs = errors.Join(errs, fmt.Errorf("%sevent: event and metric exclude each other (a record is a log or a metric)", key))
	}
	if m.Span != "" && (m.Event != "" || m.Metric != "") {
		errs = errors.Join(errs, fmt.Errorf("%sspan: span excludes event and metric (a record is a log, a metric or a span)", key))
	}
	if m.Span != "" && m.SeverityMin != 0 {
		errs = errors.Join(errs, fmt.Errorf("%sspan: a span has no severity: span and severity_min exclude each other", key))
	}
	errs = errors.Join(errs, checkGlob(key+"event", m.Event))
	errs = errors.Join(errs, checkGlob(key+"metric", m.Metric))
	errs = errors.Join(errs, checkGlob(key+"span", m.Span))
	if err := m.SeverityMin.validate(); err != nil {
		errs = errors.Join(errs, fmt.Errorf("%sseverity_min: %w", key, err))
	}
	for _, k := range sortedKeys(m.Attributes) {
		if k == "" {
			errs = errors.Join(errs, fmt.Errorf("%sattributes: attribute key must not be empty", key))
		}
	}
	return errs
}

// validate checks the sessions section; nothing is checked when disabled.
func (s *SessionsConfig) validate(key string) error {
	if !s.Enabled {
		return nil
	}
	var errs error
	if s.IdleTimeout <= 0 {
		errs = errors.Join(errs, fmt.Errorf("%sidle_timeout: must be > 0, got %v", key, s.IdleTimeout))
	}
	if s.MaxTracked < 1 {
		errs = errors.Join(errs, fmt.Errorf("%smax_tracked: must be >= 1, got %d", key, s.MaxTracked))
	}
	return errs
}

// checkGlob rejects glob syntax the matcher does not have: only '*' (any
// run) and '?' (one byte) are wildcards, so a class or brace a user meant
// as a wildcard would silently match only itself.
func checkGlob(key, pattern string) error {
	if i := strings.IndexAny(pattern, "[]{}\\"); i >= 0 {
		return fmt.Errorf("%s: unsupported glob syntax %q in %q: only * and ? are wildcards", key, pattern[i], pattern)
	}
	return nil
}

// The owner bits file_mode and dir_mode must keep for the exporter to work
// at all: it writes and reads back its files, and creates and lists files in
// its directories.
const (
	ownerFileBits os.FileMode = 0o600
	ownerDirBits  os.FileMode = 0o700
)

// modes parses file_mode and dir_mode; errors name the key.
func (cfg *Config) modes() (file, dir os.FileMode, err error) {
	file, ferr := parseMode(cfg.FileMode, ownerFileBits)
	if ferr != nil {
		ferr = fmt.Errorf("file_mode: %w", ferr)
	}
	dir, derr := parseMode(cfg.DirMode, ownerDirBits)
	if derr != nil {
		derr = fmt.Errorf("dir_mode: %w", derr)
	}
	return file, dir, errors.Join(ferr, derr)
}

// formatMode writes a permission as config spells it ("0600").
func formatMode(m os.FileMode) string { return fmt.Sprintf("%04o", m.Perm()) }

// parseMode reads an octal permission string; need are the owner bits that
// must be set for the exporter to work at all.
func parseMode(s string, need os.FileMode) (os.FileMode, error) {
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil || v > uint64(os.ModePerm) {
		return 0, fmt.Errorf("must be an octal permission between 0000 and 0777, got %q", s)
	}
	mode := os.FileMode(v)
	if mode&need != need {
		return 0, fmt.Errorf("must give the owner at least %#o, got %q", need, s)
	}
	return mode, nil
}

func checkKeys(key string, list []string) error {
	var errs error
	for i, k := range list {
		if strings.TrimSpace(k) == "" {
			errs = errors.Join(errs, fmt.Errorf("%s::%d: attribute key must not be empty", key, i))
		}
	}
	return errs
}

func isEntryType(s string) bool { return slices.Contains(convert.Types[:], s) }

func typeList() string { return strings.Join(convert.Types[:], ", ") }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Severity is a minimum log severity: a name (TRACE, DEBUG, INFO, WARN,
// ERROR, FATAL, optionally followed by 2-4, any case) or its OTLP number
// (1-24). Zero means any severity.
type Severity plog.SeverityNumber

var severityNames = []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}

// UnmarshalText reads a severity name or number.
func (s *Severity) UnmarshalText(text []byte) error {
	str := strings.ToUpper(strings.TrimSpace(string(text)))
	if str == "" {
		*s = 0
		return nil
	}
	if n, err := strconv.Atoi(str); err == nil {
		*s = Severity(n)
		return s.validate()
	}
	str = strings.Replace(str, "WARNING", "WARN", 1)
	for i, name := range severityNames {
		rest, ok := strings.CutPrefix(str, name)
		if !ok {
			continue
		}
		step := 1
		if rest != "" {
			if len(rest) != 1 || rest[0] < '2' || rest[0] > '4' {
				break
			}
			step = int(rest[0] - '0')
		}
		*s = Severity(i*4 + step)
		return nil
	}
	return fmt.Errorf("unknown severity %q: want TRACE, DEBUG, INFO, WARN, ERROR, FATAL (optionally 2-4) or 1-24", string(text))
}

// MarshalText writes the severity as its OTLP name, upper case (ERROR, WARN2).
func (s Severity) MarshalText() ([]byte, error) {
	if s == 0 {
		return []byte{}, nil
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	name := severityNames[(s-1)/4]
	if step := (s-1)%4 + 1; step > 1 {
		name += strconv.Itoa(int(step))
	}
	return []byte(name), nil
}

// validate rejects numbers outside the OTLP range (a number in YAML bypasses
// UnmarshalText).
func (s Severity) validate() error {
	if s < 0 || s > 24 {
		return fmt.Errorf("must be 1-24 or a severity name, got %d", int(s))
	}
	return nil
}

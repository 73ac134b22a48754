package report

import (
	"bytes"
	_ "embed" // the built-in pricing table
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
)

//go:embed pricing.json
var builtinPricing []byte

// BuiltinPricing returns the pricing table shipped with the command, as JSON.
func BuiltinPricing() []byte { return bytes.Clone(builtinPricing) }

// Price is one model's prices in micro-dollars per million tokens.
type Price struct {
	Input, CacheRead, CacheWrite, Output int64
}

// Pricing maps normalized model names to prices.
type Pricing struct {
	Date    string
	Sources map[string]string
	models  map[string]Price
}

type pricingFile struct {
	Date    string            `json:"date"`
	Unit    string            `json:"unit"`
	Note    string            `json:"note"`
	Sources map[string]string `json:"sources"`
	Models  []struct {
		Model      string      `json:"model"`
		Aliases    []string    `json:"aliases"`
		Source     string      `json:"source"`
		Input      json.Number `json:"input"`
		CacheRead  json.Number `json:"cache_read"`
		CacheWrite json.Number `json:"cache_write"`
		Output     json.Number `json:"output"`
	} `json:"models"`
}

// LoadPricing returns the built-in table, with the models of the file at
// path (when path is not "") added over it: a model in the file replaces
// the built-in one of the same name.
func LoadPricing(path string) (*Pricing, error) {
	p := &Pricing{Sources: map[string]string{}, models: map[string]Price{}}
	if err := p.add(builtinPricing); err != nil {
		return nil, fmt.Errorf("built-in pricing: %w", err)
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("pricing: %w", err)
		}
		if err := p.add(b); err != nil {
			return nil, fmt.Errorf("pricing %s: %w", path, err)
		}
	}
	return p, nil
}

func (p *Pricing) add(b []byte) error {
	var f pricingFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return err
	}
	if f.Unit != "" && f.Unit != "USD per million tokens" {
		return fmt.Errorf("unit %q: only \"USD per million tokens\" is understood", f.Unit)
	}
	if f.Date != "" {
		p.Date = f.Date
	}
	for k, v := range f.Sources {
		p.Sources[k] = v
	}
	for _, m := range f.Models {
		if m.Model == "" {
			return errors.New(`a model without "model"`)
		}
		var pr Price
		for _, x := range []struct {
			name string
			num  json.Number
			dst  *int64
		}{{"input", m.Input, &pr.Input}, {"cache_read", m.CacheRead, &pr.CacheRead}, {"cache_write", m.CacheWrite, &pr.CacheWrite}, {"output", m.Output, &pr.Output}} {
			if x.num == "" {
				return fmt.Errorf("%s: no %s price", m.Model, x.name)
			}
			v, ok := parseDecimal([]byte(x.num), 6)
			if !ok || v < 0 {
				return fmt.Errorf("%s: %s price %q is not a non-negative number", m.Model, x.name, x.num)
			}
			if back, _ := parseDecimal([]byte(x.num), 12); back != v*1e6 {
				return fmt.Errorf("%s: %s price %q has more than six decimals", m.Model, x.name, x.num)
			}
			*x.dst = v
		}
		for _, name := range append([]string{m.Model}, m.Aliases...) {
			p.models[NormalizeModel(name)] = pr
		}
	}
	return nil
}

// Lookup returns the price of model, if the table has it.
func (p *Pricing) Lookup(model string) (Price, bool) {
	if model == "" {
		return Price{}, false
	}
	n := NormalizeModel(model)
	if pr, ok := p.models[n]; ok {
		return pr, true
	}
	if s := stripDate(n); s != n {
		pr, ok := p.models[s]
		return pr, ok
	}
	return Price{}, false
}

// NormalizeModel lowercases a model name and drops a provider or path
// prefix ("anthropic/", "models/", "publishers/google/models/").
func NormalizeModel(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// stripDate drops a release-date suffix: -20250929, @20250929, -2025-08-07.
func stripDate(s string) string {
	isDigits := func(t string) bool {
		for _, c := range t {
			if c < '0' || c > '9' {
				return false
			}
		}
		return t != ""
	}
	if n := len(s); n > 9 && (s[n-9] == '-' || s[n-9] == '@') && isDigits(s[n-8:]) {
		return s[:n-9]
	}
	if n := len(s); n > 11 && s[n-11] == '-' && s[n-6] == '-' && s[n-3] == '-' &&
		isDigits(s[n-10:n-6]) && isDigits(s[n-5:n-3]) && isDigits(s[n-2:]) {
		return s[:n-11]
	}
	return s
}

// Tokens are token counts by kind (input includes the cache kinds, output
// includes reasoning).
type Tokens [numKinds]int64

func (t *Tokens) add(o *Tokens) {
	for i := range t {
		t[i] += o[i]
	}
}

// Total is input + output.
func (t *Tokens) Total() int64 { return t[kInput] + t[kOutput] }

// estimatePico adds the cost of t at price pr to acc, in pico-dollars
// (1e-12 USD): uncached input, cache reads, cache writes and output each
// at their price.
func estimatePico(acc *big.Int, t *Tokens, pr Price) {
	uncached := t[kInput] - t[kCacheRead] - t[kCacheCreation]
	var x, y big.Int
	for _, term := range [...][2]int64{
		{uncached, pr.Input}, {t[kCacheRead], pr.CacheRead}, {t[kCacheCreation], pr.CacheWrite}, {t[kOutput], pr.Output},
	} {
		x.SetInt64(term[0])
		y.SetInt64(term[1])
		acc.Add(acc, x.Mul(&x, &y))
	}
}

// picoToMicros rounds pico-dollars to micro-dollars, half away from zero.
func picoToMicros(v *big.Int) int64 {
	q, r := new(big.Int).QuoRem(v, big.NewInt(1e6), new(big.Int))
	r.Abs(r)
	if r.Lsh(r, 1).Cmp(big.NewInt(1e6)) >= 0 {
		if v.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return 0
	}
	return q.Int64()
}

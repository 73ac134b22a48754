package convert

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// Privacy says what the converter drops, hashes or cuts among the
// attributes it writes (data, named fields, metadata.resource, user_id).
// The zero value changes nothing; DefaultPrivacy is what the exporter does
// unless configured otherwise.
type Privacy struct {
	// DropContent drops the content attributes: BuiltinContent and
	// ContentAttributes. A dropped attribute whose size the record does not
	// carry already gets `<key>_bytes`, its size.
	DropContent bool
	// ContentAttributes are more content attribute keys: an exact key, or
	// "prefix.*" for the key prefix and every key that starts with "prefix.".
	ContentAttributes []string
	// Identities is what happens to the identity attributes
	// (BuiltinIdentities and IdentityAttributes), in data, in the resource
	// and as the user id.
	Identities IdentityAction
	// IdentityAttributes are more identity attribute keys (exact keys).
	IdentityAttributes []string
	// HashKey is the HMAC-SHA256 key of IdentitiesHash; without one, the
	// identities are dropped instead.
	HashKey []byte
	// MaxValueBytes cuts longer string values; 0 = no limit.
	MaxValueBytes int
}

// IdentityAction is what happens to an identity attribute.
type IdentityAction uint8

// The identity actions.
const (
	IdentitiesKeep IdentityAction = iota // written as sent
	IdentitiesHash                       // replaced by HashPrefix + hex HMAC-SHA256 (dropped without a key)
	IdentitiesDrop                       // not written
)

// DefaultPrivacy is the exporter's default: content dropped, identities
// hashed (dropped while there is no key), values cut at 4 KiB.
func DefaultPrivacy() Privacy {
	return Privacy{DropContent: true, Identities: IdentitiesHash, MaxValueBytes: DefaultMaxValueBytes}
}

// DefaultMaxValueBytes is the default limit of a string value.
const DefaultMaxValueBytes = 4096

// HashPrefix starts every hashed identity: "hmac-sha256:" and 64 hex digits.
const HashPrefix = "hmac-sha256:"

// The redaction actions, the indexes of Stats.Redacted.
const (
	RedactDropped   = iota // a content or identity attribute left out
	RedactHashed           // an identity replaced by its keyed hash
	RedactTruncated        // a value cut to MaxValueBytes
	NumRedactActions
)

// RedactActions names the redaction actions, indexed like Stats.Redacted.
var RedactActions = [NumRedactActions]string{"dropped", "hashed", "truncated"}

// ContentAttribute is one built-in content attribute.
type ContentAttribute struct {
	Key string
	// Sizes are attributes the senders put next to it with its size; when
	// the record has one of them, no `<key>_bytes` is added.
	Sizes []string
	// Indexed: the flattened list form too, Key followed by "." and a digit
	// (gen_ai.prompt.0.content, llm.input_messages.1.message.role).
	Indexed bool
	// Senders is who sends it, for the documentation.
	Senders string
}

// BuiltinContent are the attributes that hold the text of prompts,
// responses, system instructions, tool arguments, tool input and output,
// commands and file paths, as the agents and the GenAI conventions name
// them. docs/privacy.md lists them per sender.
var BuiltinContent = []ContentAttribute{
	// Claude Code (OTEL_LOG_USER_PROMPTS, OTEL_LOG_TOOL_DETAILS), Gemini
	// CLI and Codex (log_user_prompt) all call the prompt `prompt`.
	{Key: "prompt", Sizes: []string{"prompt_length"}, Senders: "Claude Code, Gemini CLI, Codex"},
	{Key: "prompt_text", Sizes: []string{"prompt_length"}, Senders: "Claude Code"},
	{Key: "user_prompt", Sizes: []string{"user_prompt_length"}, Senders: "Claude Code (spans)"},
	{Key: "response", Sizes: []string{"response_length"}, Senders: "Claude Code, Codex"},
	{Key: "tool_input", Sizes: []string{"tool_input_size_bytes"}, Senders: "Claude Code"},
	{Key: "tool_parameters", Senders: "Claude Code"},
	{Key: "full_command", Senders: "Claude Code"},
	{Key: "bash_command", Senders: "Claude Code"},
	{Key: "file_path", Senders: "Claude Code"},
	{Key: "arguments", Sizes: []string{"arguments_length"}, Senders: "Codex"},
	{Key: "output", Sizes: []string{"output_length"}, Senders: "Codex, Claude Code (spans)"},
	{Key: "request_text", Senders: "Gemini CLI"},
	{Key: "response_text", Senders: "Gemini CLI"},
	{Key: "function_args", Senders: "Gemini CLI"},
	// The model router's explanation of the prompt.
	{Key: "reasoning", Senders: "Gemini CLI"},
	{Key: "routing.reasoning", Senders: "Gemini CLI (metrics)"},
	// Process resource attributes: the arguments hold the prompt of a
	// one-shot run (gemini -p "...").
	{Key: "process.command_args", Senders: "Gemini CLI (resource)"},
	{Key: "process.command_line", Senders: "OpenTelemetry process resource"},
	// OpenTelemetry GenAI conventions.
	{Key: "gen_ai.input.messages", Senders: "GenAI conventions, Gemini CLI"},
	{Key: "gen_ai.output.messages", Senders: "GenAI conventions, Gemini CLI"},
	{Key: "gen_ai.system_instructions", Senders: "GenAI conventions, Gemini CLI"},
	{Key: "gen_ai.tool.call.arguments", Senders: "GenAI conventions"},
	{Key: "gen_ai.tool.call.result", Senders: "GenAI conventions"},
	{Key: "gen_ai.prompt", Indexed: true, Senders: "GenAI conventions (older), OpenLLMetry"},
	{Key: "gen_ai.completion", Indexed: true, Senders: "GenAI conventions (older), OpenLLMetry"},
	// OpenInference.
	{Key: "input.value", Senders: "OpenInference"},
	{Key: "output.value", Senders: "OpenInference"},
	{Key: "llm.input_messages", Indexed: true, Senders: "OpenInference"},
	{Key: "llm.output_messages", Indexed: true, Senders: "OpenInference"},
	{Key: "llm.prompts", Indexed: true, Senders: "OpenInference, OpenLLMetry"},
	{Key: "llm.prompt_template.template", Senders: "OpenInference"},
	{Key: "llm.prompt_template.variables", Senders: "OpenInference"},
	{Key: "retrieval.documents", Indexed: true, Senders: "OpenInference"},
	{Key: "embedding.embeddings", Indexed: true, Senders: "OpenInference"},
	{Key: "reranker.query", Senders: "OpenInference"},
	{Key: "reranker.input_documents", Indexed: true, Senders: "OpenInference"},
	{Key: "reranker.output_documents", Indexed: true, Senders: "OpenInference"},
	// OpenLLMetry (Traceloop).
	{Key: "traceloop.entity.input", Senders: "OpenLLMetry"},
	{Key: "traceloop.entity.output", Senders: "OpenLLMetry"},
	// Vercel AI SDK (spans; recordInputs / recordOutputs).
	{Key: "ai.prompt", Senders: "Vercel AI SDK"},
	{Key: "ai.prompt.messages", Senders: "Vercel AI SDK"},
	{Key: "ai.response.text", Senders: "Vercel AI SDK"},
	{Key: "ai.response.reasoning", Senders: "Vercel AI SDK"},
	{Key: "ai.response.object", Senders: "Vercel AI SDK"},
	{Key: "ai.response.toolCalls", Senders: "Vercel AI SDK"},
	{Key: "ai.toolCall.args", Senders: "Vercel AI SDK"},
	{Key: "ai.toolCall.result", Senders: "Vercel AI SDK"},
	{Key: "ai.value", Senders: "Vercel AI SDK"},
	{Key: "ai.values", Indexed: true, Senders: "Vercel AI SDK"},
}

// BuiltinIdentities are the identity attributes: who the user is, by name
// or address.
var BuiltinIdentities = []string{"user.email", "user.name", "user.full_name", "process.owner"}

// Privacy classes of an attribute key.
const (
	classNone uint8 = iota
	classContent
	classIdentity
)

// privacy is a Privacy compiled against the key table.
type privacy struct {
	dropContent bool
	ids         IdentityAction // effective: Hash without a key is Drop
	key         []byte
	limit       int  // MaxValueBytes, MaxInt for none
	plainUIDs   int  // the user id attributes before the first identity attribute
	inert       bool // no rule at all: the zero Privacy

	exact    []*ContentAttribute          // exact content keys, in order
	byKey    map[string]*ContentAttribute // the same by key
	prefixes []prefixRule
	first    [8]uint32 // bitmap of the first bytes of prefixes
	identity []string
	isID     map[string]bool

	class    []uint8   // key id -> class
	sizeIDs  [][]int16 // key id -> ids of the attributes that carry its size
	bytesKey [][]byte  // key id -> `"<key>_bytes":`, nil = no size companion
}

// prefixRule matches the key itself and keys under it: any key starting
// with prefix+"." (any), or only prefix+"." followed by a digit (indexed).
type prefixRule struct {
	prefix  string
	indexed bool
}

func (r prefixRule) match(k string) bool {
	n := len(r.prefix)
	if len(k) < n || k[:n] != r.prefix {
		return false
	}
	if len(k) == n {
		return true
	}
	if k[n] != '.' {
		return false
	}
	return !r.indexed || (len(k) > n+1 && k[n+1] >= '0' && k[n+1] <= '9')
}

// newPrivacy validates p; errors name the option.
func newPrivacy(p Privacy) (*privacy, error) {
	if p.Identities > IdentitiesDrop {
		return nil, fmt.Errorf("privacy.identities: unknown action %d", p.Identities)
	}
	if p.MaxValueBytes < 0 {
		return nil, fmt.Errorf("privacy.max_value_bytes: must be >= 0, got %d", p.MaxValueBytes)
	}
	pr := &privacy{dropContent: p.DropContent, ids: p.Identities, limit: p.MaxValueBytes,
		byKey: map[string]*ContentAttribute{}, isID: map[string]bool{}}
	if pr.limit == 0 {
		pr.limit = math.MaxInt
	}
	if pr.ids == IdentitiesHash {
		if len(p.HashKey) == 0 {
			pr.ids = IdentitiesDrop
		} else {
			pr.key = append([]byte(nil), p.HashKey...)
		}
	}
	if pr.ids != IdentitiesKeep {
		for i, k := range append(append([]string(nil), BuiltinIdentities...), p.IdentityAttributes...) {
			if k == "" {
				return nil, fmt.Errorf("privacy.identity_attributes[%d]: empty attribute name", i-len(BuiltinIdentities))
			}
			if !pr.isID[k] {
				pr.isID[k] = true
				pr.identity = append(pr.identity, k)
			}
		}
	}
	pr.inert = !pr.dropContent && pr.ids == IdentitiesKeep && pr.limit == math.MaxInt
	if !pr.dropContent {
		return pr, nil
	}
	for i := range BuiltinContent {
		pr.addContent(&BuiltinContent[i], false)
	}
	for i, k := range p.ContentAttributes {
		key, prefix, err := ParseContentAttribute(k)
		if err != nil {
			return nil, fmt.Errorf("privacy.content_attributes[%d]: %w", i, err)
		}
		if pr.isID[key] {
			return nil, fmt.Errorf("privacy.content_attributes[%d]: %q is an identity attribute", i, k)
		}
		pr.addContent(&ContentAttribute{Key: key}, prefix)
	}
	return pr, nil
}

// ParseContentAttribute reads one user content attribute: an exact key, or
// "prefix.*" (prefix true) for the key prefix and every key under it.
func ParseContentAttribute(k string) (key string, prefix bool, err error) {
	if k == "" {
		return "", false, fmt.Errorf("empty attribute name")
	}
	if key, ok := strings.CutSuffix(k, ".*"); ok {
		if key == "" || strings.Contains(key, "*") {
			return "", false, fmt.Errorf("%q: a pattern is a key prefix followed by .*", k)
		}
		return key, true, nil
	}
	if strings.Contains(k, "*") {
		return "", false, fmt.Errorf("%q: * is allowed only as a trailing .* (prefix.*)", k)
	}
	return k, false, nil
}

// addContent adds a content attribute; prefix: every key under it too.
func (p *privacy) addContent(ca *ContentAttribute, prefix bool) {
	if ca.Indexed || prefix {
		p.prefixes = append(p.prefixes, prefixRule{prefix: ca.Key, indexed: !prefix})
		p.first[ca.Key[0]>>5] |= 1 << (ca.Key[0] & 31)
	}
	if p.byKey[ca.Key] == nil {
		p.byKey[ca.Key] = ca
		p.exact = append(p.exact, ca)
	}
}

// register adds the keys privacy looks up to the key table; called before
// endRoles, since the size attributes are looked up by position.
func (p *privacy) register(t *keyTable) {
	for _, ca := range p.exact {
		t.add(ca.Key)
		for _, s := range ca.Sizes {
			t.add(s)
		}
		t.add(ca.Key + "_bytes")
	}
	for _, k := range p.identity {
		t.add(k)
	}
}

// build classifies every key of the table (after keyTable.build).
func (p *privacy) build(t *keyTable) {
	n := t.len()
	p.class = make([]uint8, n)
	p.sizeIDs = make([][]int16, n)
	p.bytesKey = make([][]byte, n)
	for id := range n {
		k := t.idx.Key(id)
		p.class[id] = p.classify(k)
		ca := p.byKey[k]
		if p.class[id] != classContent || ca == nil {
			continue
		}
		for _, s := range append(append([]string(nil), ca.Sizes...), k+"_bytes") {
			if sid := t.idx.Lookup(s); sid >= 0 {
				p.sizeIDs[id] = append(p.sizeIDs[id], int16(sid))
			}
		}
		p.bytesKey[id] = encode.Key(nil, k+"_bytes")
	}
}

// classify is the class of key k, by the lists.
func (p *privacy) classify(k string) uint8 {
	if p.isID[k] {
		return classIdentity
	}
	if !p.dropContent {
		return classNone
	}
	if p.byKey[k] != nil {
		return classContent
	}
	return p.matchPrefix(k)
}

// matchPrefix is classContent when a prefix rule matches k.
func (p *privacy) matchPrefix(k string) uint8 {
	for _, r := range p.prefixes {
		if r.match(k) {
			return classContent
		}
	}
	return classNone
}

// classOf is the class of an attribute key: by its key id, or, for a key
// the table does not know, by the prefix rules.
func (p *privacy) classOf(id int16, k string) uint8 {
	if id >= 0 {
		return p.class[id]
	}
	return p.unknownClass(k)
}

// unknownClass is the class of a key the table does not know, by the
// prefix rules: a bitmap of their first bytes turns most keys away without
// a compare.
func (p *privacy) unknownClass(k string) uint8 {
	if k == "" || p.first[k[0]>>5]&(1<<(k[0]&31)) == 0 {
		return classNone
	}
	return p.matchPrefix(k)
}

// buildPrivacy classifies the keys of the table (after keyTable.build) and
// marks what the plans read: each plan's skip set holds its field names and
// every key with a class, so the data loop finds an attribute to redact in
// the test it makes anyway. A named field does not read an attribute with
// a class: the attribute stays in data, redacted there, and the field
// takes its next source.
func (c *Converter) buildPrivacy() {
	pr := c.priv
	pr.build(&c.keys)
	pr.plainUIDs = len(c.ids.user)
	for j, id := range c.ids.user {
		if pr.class[id] == classIdentity {
			pr.plainUIDs = j
			break
		}
	}
	for _, p := range append(c.plans[:], c.rules...) {
		if p == nil {
			continue
		}
		p.skip = p.names
		if pr.inert {
			continue
		}
		p.skip = append(bitset(nil), p.names...)
		for id, cls := range pr.class {
			if cls != classNone {
				p.skip.set(int16(id))
			}
		}
		for i := range p.fields {
			f := &p.fields[i]
			var srcs []planSrc
			for _, s := range f.srcs {
				if pr.class[s.id] == classNone {
					srcs = append(srcs, s)
				}
			}
			f.srcs = srcs
		}
	}
}

// redactSkipped writes what stays of an attribute the data loop skipped
// by p.skip that was not consumed and is no field name: one to redact,
// unless it is a metric number, which is not written again.
func (c *Converter) redactSkipped(dst []byte, sc *scratch, id int16, k string, v pcommon.Value, comma bool) ([]byte, bool) {
	if (sc.ctx.metric && c.special.metricKeys.has(id)) || c.priv.class[id] == classNone {
		return dst, comma
	}
	return c.appendRedacted(dst, sc, sc.rec, id, k, v, c.priv.class[id], comma, &sc.priv.pend)
}

// appendData writes the data object (appendDataObject). When it came out
// longer than the value limit, some value may be too long: it is written
// again with every value cut to the limit (sc.priv.cutting). Checking once
// per object keeps the common path free of a test per value. For the
// second pass the entry's counts restart from what the head counted;
// coercion failures were counted by the first.
func (c *Converter) appendData(dst []byte, sc *scratch, p *plan, st *Stats) []byte {
	start := len(dst)
	dst = c.appendDataObject(dst, sc, p, st)
	if len(dst)-start > c.priv.limit {
		dst = c.appendDataCut(dst[:start], sc, p, st)
	}
	return dst
}

// appendDataCut is appendData's second pass.
func (c *Converter) appendDataCut(dst []byte, sc *scratch, p *plan, st *Stats) []byte {
	sc.priv.pend = sc.priv.res
	c.userID(sc, sc.rec, &sc.priv.pend)
	sc.priv.cutting = true
	failed := st.CoercionFailed
	dst = c.appendDataObject(dst, sc, p, st)
	st.CoercionFailed = failed
	sc.priv.cutting = false
	return dst
}

// counts are the redactions of one entry, by action (an entry holds far
// fewer than 2^31 attributes).
type counts [NumRedactActions]int32

// hashSlots is the number of hashed identities a scratch remembers.
const hashSlots = 8

// privScratch is the per-call state of privacy: the counts of the entry
// being written and of the current resource, and the hashes computed.
type privScratch struct {
	pend    counts // the current entry (its resource's counts included)
	res     counts // the current resource object
	cutting bool   // appendDataCut's pass: every value cut to the limit
	mac     hash.Hash
	sum     []byte
	buf     []byte
	hashes  [hashSlots]struct {
		raw, out string
		ok       bool
	}
}

// release lets a pooled scratch forget a huge value's buffer.
func (ps *privScratch) release() {
	if cap(ps.buf) > 1<<20 {
		ps.buf = nil
	}
}

// hash returns HashPrefix + hex HMAC-SHA256(key, s). The strings are kept
// (copied) across calls of the scratch, so a user seen on every record is
// hashed once.
func (ps *privScratch) hash(key []byte, s string) string {
	h := mapping.Hash(s)
	sl := &ps.hashes[(h^h>>8)&(hashSlots-1)]
	if sl.ok && sl.raw == s {
		return sl.out
	}
	if ps.mac == nil {
		ps.mac = hmac.New(sha256.New, key)
	}
	ps.mac.Reset()
	ps.mac.Write([]byte(s))
	ps.sum = ps.mac.Sum(ps.sum[:0])
	out := make([]byte, 0, len(HashPrefix)+2*sha256.Size)
	out = append(out, HashPrefix...)
	out = hex.AppendEncode(out, ps.sum)
	sl.raw, sl.out, sl.ok = strings.Clone(s), string(out), true
	return sl.out
}

// userID resolves the user id of a (the record's attributes or the
// resource's) from the user id attributes, in order. An identity attribute
// is hashed, or skipped when identities are dropped (cnt counts it).
// Values are not searched for addresses: an address under another key
// stays unless that key is listed in identity_attributes.
func (c *Converter) userID(sc *scratch, a *attrSet, cnt *counts) string {
	p := c.priv
	for j, id := range c.ids.user {
		i := a.find(id)
		if i < 0 {
			continue
		}
		s := idString(a.val(i))
		if s == "" {
			continue
		}
		a.use(i)
		if j < p.plainUIDs { // before the first identity attribute of the list
			return s
		}
		if p.class[id] != classIdentity { // identities: keep gives no key a class
			return s
		}
		if p.ids == IdentitiesDrop {
			cnt[RedactDropped]++
			continue
		}
		cnt[RedactHashed]++
		return sc.priv.hash(p.key, s)
	}
	return ""
}

// loadResourceIDs resolves the resource's user id and writes its
// attributes as JSON with the privacy rules applied; what they did is
// counted once for every entry written with the resource.
func (c *Converter) loadResourceIDs(sc *scratch) {
	ps := &sc.priv
	sc.resUID = c.userID(sc, sc.res, &ps.res)
	// The resource object holds the user id attribute too and counts it there.
	ps.res = counts{}
	if c.priv.inert {
		sc.resJSON = appendAttrObject(sc.resJSON[:0], sc.res)
	} else {
		sc.resJSON = c.appendAttrObjectPrivate(sc.resJSON[:0], sc, sc.res)
	}
	var cut bool
	if sc.resJSON, cut = capObject(sc.resJSON, maxResourceBytes); cut {
		ps.res[RedactTruncated]++
	}
}

// appendAttrObjectPrivate writes the live attributes of a (the resource)
// as a JSON object, with the privacy rules applied.
func (c *Converter) appendAttrObjectPrivate(dst []byte, sc *scratch, a *attrSet) []byte {
	ps := &sc.priv
	dst = append(dst, '{')
	comma := false
	i := -1
	for k, v := range a.m.All() {
		i++
		if a.flags[i]&attrDead != 0 {
			continue
		}
		id := a.ids[i]
		if cls := c.priv.classOf(id, k); cls != classNone {
			dst, comma = c.appendRedacted(dst, sc, a, id, k, v, cls, comma, &ps.res)
			continue
		}
		if comma {
			dst = append(dst, ',')
		}
		comma = true
		dst = encode.Key(dst, k)
		dst = c.appendLimited(dst, sc, v, &ps.res)
	}
	return append(dst, '}')
}

// appendRedacted writes what stays of a content or identity attribute: the
// size of dropped content when the record carries none, an identity's hash.
func (c *Converter) appendRedacted(dst []byte, sc *scratch, a *attrSet, id int16, k string, v pcommon.Value, cls uint8, comma bool, cnt *counts) ([]byte, bool) {
	p := c.priv
	if cls == classIdentity {
		s := idString(v)
		if p.ids == IdentitiesDrop {
			cnt[RedactDropped]++
			return dst, comma
		}
		if comma {
			dst = append(dst, ',')
		}
		if id >= 0 {
			dst = append(dst, c.keys.enc[id]...)
		} else {
			dst = encode.Key(dst, k)
		}
		if s == "" {
			return append(dst, `""`...), true
		}
		cnt[RedactHashed]++
		dst = append(dst, '"')
		dst = append(dst, sc.priv.hash(p.key, s)...)
		return append(dst, '"'), true
	}
	cnt[RedactDropped]++
	if id < 0 || p.bytesKey[id] == nil {
		return dst, comma
	}
	for _, sid := range p.sizeIDs[id] {
		if a.find(sid) >= 0 {
			return dst, comma
		}
	}
	if comma {
		dst = append(dst, ',')
	}
	dst = append(dst, p.bytesKey[id]...)
	return encode.Int(dst, int64(c.sizeOf(sc, v))), true
}

// sizeOf is the size of a value: a string's length in bytes, any other
// value's JSON length.
func (c *Converter) sizeOf(sc *scratch, v pcommon.Value) int {
	if v.Type() == pcommon.ValueTypeStr {
		return len(v.Str())
	}
	sc.priv.buf = encode.Value(sc.priv.buf[:0], v)
	n := len(sc.priv.buf)
	sc.priv.release()
	return n
}

// appendLimited writes v; a string longer than the limit is cut, and a map,
// list or byte array whose JSON is longer becomes its JSON (base64) text,
// cut, as a string.
func (c *Converter) appendLimited(dst []byte, sc *scratch, v pcommon.Value, cnt *counts) []byte {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := v.Str()
		if len(s) > c.priv.limit {
			return c.appendCut(dst, s, len(s), cnt)
		}
		return encode.String(dst, s)
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice, pcommon.ValueTypeBytes:
		start := len(dst)
		dst = encode.Value(dst, v)
		if len(dst)-start <= c.priv.limit {
			return dst
		}
		text := dst[start:]
		if v.Type() == pcommon.ValueTypeBytes {
			text = text[1 : len(text)-1] // the base64 text without its quotes
		}
		sc.priv.buf = append(sc.priv.buf[:0], text...)
		// appendCut copies the text before buf is written again.
		dst = c.appendCut(dst[:start], unsafe.String(unsafe.SliceData(sc.priv.buf), len(sc.priv.buf)), len(sc.priv.buf), cnt)
		sc.priv.release()
		return dst
	}
	return encode.Value(dst, v)
}

// appendString writes s, cut when longer than the limit (a log body
// written as error_message).
func (c *Converter) appendString(dst []byte, sc *scratch, s string) []byte {
	if len(s) > c.priv.limit {
		return c.appendCut(dst, s, len(s), &sc.priv.pend)
	}
	return encode.String(dst, s)
}

// truncatedMarker follows the kept part of a cut value, then the original
// size in bytes and "bytes]".
const truncatedMarker = "…[truncated: "

// appendCut writes the first limit bytes of s, cut back to a UTF-8
// boundary, followed by the marker with n, the original size.
func (c *Converter) appendCut(dst []byte, s string, n int, cnt *counts) []byte {
	cnt[RedactTruncated]++
	cut := c.priv.limit
	for j := 0; j < utf8.UTFMax-1 && cut > 0 && !utf8.RuneStart(s[cut]); j++ {
		cut--
	}
	dst = encode.String(dst, s[:cut])
	dst = append(dst[:len(dst)-1], truncatedMarker...)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, ` bytes]"`...)
}

// appendFieldValue writes a named field's attribute value in the cutting
// pass: cut when it is a string longer than the limit, else coerced to the
// field's kind.
func (c *Converter) appendFieldValue(dst []byte, sc *scratch, k kind, v pcommon.Value) ([]byte, bool) {
	if v.Type() == pcommon.ValueTypeStr && len(v.Str()) > c.priv.limit {
		return c.appendCut(dst, v.Str(), len(v.Str()), &sc.priv.pend), k == kindStr || k == kindPath
	}
	return appendCoerced(dst, k, v)
}

// commitRedactions adds the counts of a written entry to st.
func (sc *scratch) commitRedactions(st *Stats) {
	if sc.priv.pend != (counts{}) {
		for i, n := range sc.priv.pend {
			st.Redacted[i] += int64(n)
		}
	}
}

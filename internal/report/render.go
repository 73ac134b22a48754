package report

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Groupings are the names --by accepts, in the order the table prints them.
var Groupings = []string{"total", "day", "month", "block", "user", "model", "agent", "session", "tool", "error", "operation"}

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteCSV writes one grouping of r as CSV with a header row.
func WriteCSV(w io.Writer, r *Report, by string) error {
	cw := csv.NewWriter(w)
	switch by {
	case "tool", "operation":
		list := r.Tools
		if by == "operation" {
			list = r.Operations
		}
		_ = cw.Write([]string{"name", "uses", "successes", "failures", "success_rate", "timed", "p50_ms", "p95_ms"})
		for _, t := range list {
			_ = cw.Write([]string{t.Name, itoa(t.Uses), itoa(t.Successes), itoa(t.Failures), optFloat(t.SuccessRate), itoa(t.Timed), optFloat(t.P50), optFloat(t.P95)})
		}
	case "error":
		_ = cw.Write([]string{"type", "count"})
		for _, e := range r.Errors {
			_ = cw.Write([]string{e.Type, itoa(e.Count)})
		}
	default:
		var head []string
		var rows [][]string
		switch by {
		case "total":
			head = []string{"from", "to"}
			rows = [][]string{append([]string{r.From, r.To}, figureCells(&r.Figures)...)}
		case "day", "month", "user", "agent":
			head = []string{by}
			list := map[string][]Group{"day": r.Days, "month": r.Months, "user": r.Users, "agent": r.Agents}[by]
			for _, g := range list {
				rows = append(rows, append([]string{g.Key}, figureCells(&g.Figures)...))
			}
		case "model":
			head = []string{"model", "priced", "latency_count", "latency_p50_ms", "latency_p95_ms"}
			for _, m := range r.Models {
				rows = append(rows, append([]string{m.Model, strconv.FormatBool(m.Priced), itoa(m.LatencyCount), optFloat(m.LatencyP50), optFloat(m.LatencyP95)}, figureCells(&m.Figures)...))
			}
		case "block":
			head = []string{"user", "start", "end"}
			for _, b := range r.Blocks {
				rows = append(rows, append([]string{b.User, b.Start, b.End}, figureCells(&b.Figures)...))
			}
		case "session":
			head = []string{"session_id", "users", "agent", "start", "end", "models"}
			for _, s := range r.TopSessions {
				rows = append(rows, append([]string{s.SessionID, strings.Join(s.Users, " "), s.Agent, s.Start, s.End, strings.Join(s.Models, " ")}, figureCells(&s.Figures)...))
			}
		default:
			return fmt.Errorf("csv: unknown grouping %q", by)
		}
		_ = cw.Write(append(head, figureHead...))
		for _, row := range rows {
			_ = cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}

var figureHead = []string{"sessions", "prompts", "active_seconds", "requests", "input_tokens", "output_tokens",
	"cache_read_tokens", "cache_creation_tokens", "reasoning_tokens", "total_tokens", "cache_read_ratio",
	"cost_usd", "cost_usd_estimated", "unpriced_requests", "unpriced_tokens", "tool_uses", "tool_failures", "errors"}

func figureCells(f *Figures) []string {
	t := f.Tokens
	return []string{itoa(f.Sessions), optInt(f.Prompts), optMicros(f.ActiveSeconds), itoa(f.Requests),
		itoa(t.Input), itoa(t.Output), itoa(t.CacheRead), itoa(t.CacheCreation), itoa(t.Reasoning), itoa(t.Total),
		optFloat(t.CacheReadRatio), optMicros(f.CostUSD), optMicros(f.CostUSDEstimated),
		itoa(f.UnpricedRequests), itoa(f.UnpricedTokens), itoa(f.ToolUses), itoa(f.ToolFailures), itoa(f.Errors)}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func optInt(v *int64) string {
	if v == nil {
		return ""
	}
	return itoa(*v)
}

func optMicros(v *Micros) string {
	if v == nil {
		return ""
	}
	return v.String()
}

func optFloat(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// table is a text table: first column left-aligned, the others right.
type table struct {
	head []string
	rows [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) {
	widths := make([]int, len(t.head))
	for _, row := range append([][]string{t.head}, t.rows...) {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(row []string) {
		var b strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(t.head)
	sep := make([]string, len(widths))
	for i, n := range widths {
		sep[i] = strings.Repeat("─", n)
	}
	line(sep)
	for _, r := range t.rows {
		line(r)
	}
	fmt.Fprintln(w)
}

// comma writes v with thousands separators.
func comma(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// dollars writes micro-dollars as $ with cents; "-" for unknown.
func dollars(v *Micros) string {
	if v == nil {
		return "-"
	}
	cents := roundDiv(int64(*v), 10000)
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%s.%02d", sign, comma(cents/100), cents%100)
}

func percent(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}

func ms(v *float64) string {
	if v == nil {
		return "-"
	}
	if *v >= 10000 {
		return strconv.FormatFloat(*v/1000, 'f', 1, 64) + "s"
	}
	return strconv.FormatFloat(*v, 'f', 0, 64) + "ms"
}

func duration(v *Micros) string {
	if v == nil {
		return "-"
	}
	s := int64(*v) / 1e6
	if s < 3600 {
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
}

func optComma(v *int64) string {
	if v == nil {
		return "-"
	}
	return comma(*v)
}

var groupHead = []string{"Sessions", "Prompts", "Active", "Requests", "Input", "Output", "Cache read", "Cache %", "Cost", "Est. cost", "Unpriced tok", "Tool uses", "Errors"}

func groupCells(key string, f *Figures) []string {
	return []string{key, comma(f.Sessions), optComma(f.Prompts), duration(f.ActiveSeconds), comma(f.Requests),
		comma(f.Tokens.Input), comma(f.Tokens.Output), comma(f.Tokens.CacheRead), percent(f.Tokens.CacheReadRatio),
		dollars(f.CostUSD), dollars(f.CostUSDEstimated), comma(f.UnpricedTokens), comma(f.ToolUses), comma(f.Errors)}
}

// WriteTable writes the sections named in by (Groupings names) as aligned
// text tables.
func WriteTable(w io.Writer, r *Report, by []string, top int) {
	period := "no entries selected"
	if r.From != "" {
		period = r.From + " .. " + r.To
	}
	fmt.Fprintf(w, "Agent telemetry report: %s\n", period)
	fmt.Fprintf(w, "%d files, %d entries read, %d selected. Costs in US dollars, rounded to the cent here (exact in --format json/csv).\n\n",
		r.Input.Files, r.Input.Entries, r.Input.Selected)
	for _, name := range by {
		switch name {
		case "total":
			writeTotals(w, r)
		case "day", "month", "user", "agent":
			title := map[string]string{"day": "Per day (UTC)", "month": "Per month (UTC)", "user": "Per user", "agent": "Per agent (service.name)"}[name]
			list := map[string][]Group{"day": r.Days, "month": r.Months, "user": r.Users, "agent": r.Agents}[name]
			fmt.Fprintln(w, title)
			t := table{head: append([]string{strings.ToUpper(name[:1]) + name[1:]}, groupHead...)}
			for _, g := range list {
				t.add(groupCells(g.Key, &g.Figures)...)
			}
			t.write(w)
		case "model":
			fmt.Fprintln(w, "Per model")
			t := table{head: []string{"Model", "Requests", "Sessions", "Input", "Output", "Cache read", "Cache write", "Cache %", "Cost", "Est. cost", "Unpriced tok", "API p50", "API p95"}}
			for _, m := range r.Models {
				f := &m.Figures
				t.add(m.Model, comma(f.Requests), comma(f.Sessions), comma(f.Tokens.Input), comma(f.Tokens.Output),
					comma(f.Tokens.CacheRead), comma(f.Tokens.CacheCreation), percent(f.Tokens.CacheReadRatio),
					dollars(f.CostUSD), dollars(f.CostUSDEstimated), comma(f.UnpricedTokens), ms(m.LatencyP50), ms(m.LatencyP95))
			}
			t.write(w)
		case "block":
			list := append([]Block(nil), r.Blocks...)
			sortBlocksByCost(list)
			title := "5-hour blocks per user"
			if top > 0 && len(list) > top {
				title = fmt.Sprintf("5-hour blocks per user: the %d costliest of %d", top, len(list))
				list = list[:top]
			}
			fmt.Fprintln(w, title)
			t := table{head: []string{"User", "Start", "Requests", "Input", "Output", "Cache read", "Cost", "Est. cost", "Tool uses", "Errors"}}
			for _, b := range list {
				f := &b.Figures
				t.add(b.User, b.Start[:16], comma(f.Requests), comma(f.Tokens.Input), comma(f.Tokens.Output),
					comma(f.Tokens.CacheRead), dollars(f.CostUSD), dollars(f.CostUSDEstimated), comma(f.ToolUses), comma(f.Errors))
			}
			t.write(w)
		case "session":
			fmt.Fprintf(w, "Top %d of %d sessions\n", len(r.TopSessions), r.SessionsTotal)
			t := table{head: []string{"Session", "User", "Agent", "Start", "Active", "Prompts", "Requests", "Tokens", "Cost", "Est. cost", "Tool uses", "Errors"}}
			for _, s := range r.TopSessions {
				f := &s.Figures
				t.add(s.SessionID, strings.Join(s.Users, " "), s.Agent, s.Start[:16], duration(f.ActiveSeconds), optComma(f.Prompts),
					comma(f.Requests), comma(f.Tokens.Total), dollars(f.CostUSD), dollars(f.CostUSDEstimated), comma(f.ToolUses), comma(f.Errors))
			}
			t.write(w)
		case "tool", "operation":
			list, title, col := r.Tools, "Tools (durations: DDSketch, 1% relative accuracy)", "Tool"
			if name == "operation" {
				list, title, col = r.Operations, "Performance entries per operation", "Operation"
			}
			fmt.Fprintln(w, title)
			t := table{head: []string{col, "Uses", "Failures", "Success", "p50", "p95"}}
			for _, x := range list {
				t.add(x.Name, comma(x.Uses), comma(x.Failures), percent(x.SuccessRate), ms(x.P50), ms(x.P95))
			}
			t.write(w)
		case "error":
			fmt.Fprintln(w, "Errors by type")
			t := table{head: []string{"Type", "Count"}}
			for _, e := range r.Errors {
				t.add(e.Type, comma(e.Count))
			}
			t.write(w)
		}
	}
}

func writeTotals(w io.Writer, r *Report) {
	f := &r.Figures
	t := table{head: []string{"Totals", ""}}
	t.add("Sessions", comma(f.Sessions))
	t.add("Prompts", optComma(f.Prompts))
	t.add("Active duration", duration(f.ActiveSeconds))
	t.add("Requests (token_usage)", comma(f.Requests))
	t.add("Input tokens", comma(f.Tokens.Input))
	t.add("  cache read", comma(f.Tokens.CacheRead))
	t.add("  cache write", comma(f.Tokens.CacheCreation))
	t.add("Output tokens", comma(f.Tokens.Output))
	t.add("  reasoning", comma(f.Tokens.Reasoning))
	t.add("Cache-read ratio", percent(f.Tokens.CacheReadRatio))
	t.add("Cost reported by the agents", dollars(f.CostUSD))
	t.add("Cost estimated (pricing "+r.Pricing.Date+")", dollars(f.CostUSDEstimated))
	unpriced := comma(f.UnpricedTokens)
	if len(r.UnpricedModels) > 0 {
		unpriced += " (" + strings.Join(r.UnpricedModels, ", ") + ")"
	}
	t.add("Tokens of unpriced models", unpriced)
	t.add("Tool uses", comma(f.ToolUses))
	t.add("Tool failures", comma(f.ToolFailures))
	t.add("Errors", comma(f.Errors))
	t.write(w)
}

func sortBlocksByCost(list []Block) {
	slices.SortFunc(list, func(x, y Block) int {
		return cmp.Or(y.costPico.Cmp(x.costPico), cmp.Compare(y.Tokens.Total, x.Tokens.Total), cmp.Compare(x.Start, y.Start), cmp.Compare(x.User, y.User))
	})
}

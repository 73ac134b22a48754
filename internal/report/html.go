package report

import (
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Chart colours; the browser test looks for them in the screenshot.
const (
	colReported   = "#2563eb"
	colEstimated  = "#f59e0b"
	colUncached   = "#64748b"
	colCacheRead  = "#10b981"
	colCacheWrite = "#8b5cf6"
	colOutput     = "#ef4444"
	colSessions   = "#0ea5e9"
	colSuccess    = "#16a34a"
	colFailure    = "#dc2626"
	colP50        = "#1d4ed8"
	colP95        = "#93c5fd"
	colError      = "#b91c1c"
	colTop        = "#7c3aed"
)

// series is one stacked layer of a bar chart.
type series struct {
	name   string
	colour string
	values []float64
}

// WriteHTML writes r as one self-contained page: inline CSS and SVG
// charts, no script, no font or image from anywhere.
func WriteHTML(w io.Writer, r *Report) error {
	var b strings.Builder
	esc := html.EscapeString
	period := "no entries selected"
	if r.From != "" {
		period = r.From[:10] + " to " + r.To[:10] + " (UTC)"
	}
	b.WriteString(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Agent telemetry report</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px;color:#0f172a;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#475569;font-size:13px;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #e2e8f0;border-radius:8px;padding:10px 14px;min-width:130px}
.card .v{font-size:20px;font-weight:600}.card .l{font-size:12px;color:#475569}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:20px}
.panel{border:1px solid #e2e8f0;border-radius:8px;padding:12px}
svg text{font-size:11px;fill:#334155}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
table{border-collapse:collapse;font-size:12px;width:100%}
th,td{padding:3px 8px;border-bottom:1px solid #e2e8f0;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
.note{font-size:12px;color:#475569}
</style></head><body>
`)
	fmt.Fprintf(&b, "<h1>Agent telemetry report</h1>\n<div class=\"sub\">%s · %d files · %d entries selected of %d read · pricing table of %s · quantiles: DDSketch, %g%% relative accuracy</div>\n",
		esc(period), r.Input.Files, r.Input.Selected, r.Input.Entries, esc(r.Pricing.Date), RelativeAccuracy*100)

	f := &r.Figures
	b.WriteString(`<div class="cards">`)
	card := func(label, value string) {
		fmt.Fprintf(&b, `<div class="card"><div class="v">%s</div><div class="l">%s</div></div>`, esc(value), esc(label))
	}
	card("sessions", comma(f.Sessions))
	card("prompts", optComma(f.Prompts))
	card("active time", duration(f.ActiveSeconds))
	card("cost reported", dollars(f.CostUSD))
	card("cost estimated", dollars(f.CostUSDEstimated))
	card("tokens", comma(f.Tokens.Total))
	card("cache-read ratio", percent(f.Tokens.CacheReadRatio))
	card("tool uses", comma(f.ToolUses))
	card("errors", comma(f.Errors))
	b.WriteString("</div>\n")
	if f.UnpricedTokens > 0 {
		fmt.Fprintf(&b, "<p class=\"note\">%s tokens of models without a price (%s) have no estimated cost.</p>\n",
			comma(f.UnpricedTokens), esc(strings.Join(r.UnpricedModels, ", ")))
	}

	days, labels := continuousDays(r.Days)
	get := func(fn func(*Figures) float64) []float64 {
		out := make([]float64, len(days))
		for i, d := range days {
			if d != nil {
				out[i] = fn(d)
			}
		}
		return out
	}
	micro := func(v *Micros) float64 {
		if v == nil {
			return 0
		}
		return float64(*v) / 1e6
	}
	b.WriteString(`<div class="grid">`)
	panel(&b, "chart-cost", "Cost per day (USD)", barChart(labels, []series{
		{"reported", colReported, get(func(f *Figures) float64 { return micro(f.CostUSD) })},
		{"estimated", colEstimated, get(func(f *Figures) float64 { return micro(f.CostUSDEstimated) })},
	}, "$"))
	panel(&b, "chart-tokens", "Tokens per day", barChart(labels, []series{
		{"uncached input", colUncached, get(func(f *Figures) float64 {
			return float64(f.Tokens.Input - f.Tokens.CacheRead - f.Tokens.CacheCreation)
		})},
		{"cache read", colCacheRead, get(func(f *Figures) float64 { return float64(f.Tokens.CacheRead) })},
		{"cache write", colCacheWrite, get(func(f *Figures) float64 { return float64(f.Tokens.CacheCreation) })},
		{"output", colOutput, get(func(f *Figures) float64 { return float64(f.Tokens.Output) })},
	}, ""))
	panel(&b, "chart-sessions", "Sessions started per day", barChart(labels, []series{
		{"sessions", colSessions, get(func(f *Figures) float64 { return float64(f.Sessions) })},
	}, ""))

	tools := r.Tools
	if len(tools) > 15 {
		tools = tools[:15]
	}
	var names []string
	var ok, fail, p50, p95 []float64
	for _, t := range tools {
		names = append(names, t.Name)
		ok = append(ok, float64(t.Successes))
		fail = append(fail, float64(t.Failures))
		p50 = append(p50, optVal(t.P50))
		p95 = append(p95, optVal(t.P95))
	}
	panel(&b, "chart-tools", "Tool uses: succeeded and failed", hbarChart(names, []series{
		{"succeeded", colSuccess, ok}, {"failed", colFailure, fail},
	}, true, ""))
	panel(&b, "chart-latency", "Tool duration p50 and p95 (ms)", hbarChart(names, []series{
		{"p50", colP50, p50}, {"p95", colP95, p95},
	}, false, "ms"))

	errs := r.Errors
	if len(errs) > 15 {
		errs = errs[:15]
	}
	names, ok = nil, nil
	for _, e := range errs {
		names = append(names, e.Type)
		ok = append(ok, float64(e.Count))
	}
	panel(&b, "chart-errors", "Errors by type", hbarChart(names, []series{{"errors", colError, ok}}, true, ""))

	names, ok = nil, nil
	for _, s := range r.TopSessions {
		names = append(names, shortID(s.SessionID))
		ok = append(ok, micro(s.CostUSD)+micro(s.CostUSDEstimated))
	}
	panel(&b, "chart-top-sessions", "Top sessions by cost (reported + estimated, USD)", hbarChart(names, []series{{"cost", colTop, ok}}, true, "$"))
	b.WriteString("</div>\n")

	b.WriteString("<h2>Models</h2>\n<table id=\"models\"><tr><th>Model</th><th>Requests</th><th>Input</th><th>Output</th><th>Cache read</th><th>Cache write</th><th>Cost</th><th>Est. cost</th><th>Unpriced tokens</th><th>API p50</th><th>API p95</th></tr>\n")
	for _, m := range r.Models {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			esc(m.Model), comma(m.Requests), comma(m.Tokens.Input), comma(m.Tokens.Output), comma(m.Tokens.CacheRead),
			comma(m.Tokens.CacheCreation), dollars(m.CostUSD), dollars(m.CostUSDEstimated), comma(m.UnpricedTokens), ms(m.LatencyP50), ms(m.LatencyP95))
	}
	b.WriteString("</table>\n<h2>Top sessions</h2>\n<table id=\"sessions\"><tr><th>Session</th><th>User</th><th>Agent</th><th>Start</th><th>Active</th><th>Prompts</th><th>Tokens</th><th>Cost</th><th>Est. cost</th><th>Tool uses</th><th>Errors</th></tr>\n")
	for _, s := range r.TopSessions {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			esc(s.SessionID), esc(strings.Join(s.Users, " ")), esc(s.Agent), esc(s.Start[:16]), duration(s.ActiveSeconds), optComma(s.Prompts),
			comma(s.Tokens.Total), dollars(s.CostUSD), dollars(s.CostUSDEstimated), comma(s.ToolUses), comma(s.Errors))
	}
	b.WriteString("</table>\n<p class=\"note\">Costs: reported = the agents' cost_usd; estimated = the pricing table's price of the requests that reported none. Days are UTC.</p>\n</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func optVal(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

func shortID(s string) string {
	if len(s) > 14 {
		return s[:13] + "…"
	}
	return s
}

func panel(b *strings.Builder, id, title, svg string) {
	fmt.Fprintf(b, "<div class=\"panel\" id=\"%s\"><h2>%s</h2>%s</div>\n", id, html.EscapeString(title), svg)
}

// continuousDays returns one slot per day from the first to the last day
// of days (nil for a day without data) and the day labels.
func continuousDays(days []Group) ([]*Figures, []string) {
	if len(days) == 0 {
		return nil, nil
	}
	first, err1 := time.Parse(time.DateOnly, days[0].Key)
	last, err2 := time.Parse(time.DateOnly, days[len(days)-1].Key)
	if err1 != nil || err2 != nil || last.Sub(first) > 3660*24*time.Hour {
		out := make([]*Figures, len(days))
		labels := make([]string, len(days))
		for i := range days {
			out[i], labels[i] = &days[i].Figures, days[i].Key
		}
		return out, labels
	}
	byKey := map[string]*Figures{}
	for i := range days {
		byKey[days[i].Key] = &days[i].Figures
	}
	var out []*Figures
	var labels []string
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		k := d.Format(time.DateOnly)
		out = append(out, byKey[k])
		labels = append(labels, k)
	}
	return out, labels
}

// niceMax rounds v up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func short(v float64, unit string) string {
	a := math.Abs(v)
	var s string
	switch {
	case a >= 1e9:
		s = strconv.FormatFloat(v/1e9, 'f', -1, 64) + "G"
	case a >= 1e6:
		s = strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case a >= 1e3:
		s = strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	default:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	}
	if unit == "$" {
		return "$" + s
	}
	return s + unit
}

func legend(ss []series) string {
	var b strings.Builder
	b.WriteString(`<div class="legend">`)
	for _, s := range ss {
		fmt.Fprintf(&b, `<span><i style="background:%s"></i>%s</span>`, s.colour, html.EscapeString(s.name))
	}
	b.WriteString(`</div>`)
	return b.String()
}

// barChart draws stacked vertical bars, one per label.
func barChart(labels []string, ss []series, unit string) string {
	if len(labels) == 0 {
		return `<p class="note">no data</p>`
	}
	const width, height, left, bottom, top = 640.0, 240.0, 56.0, 40.0, 10.0
	plotW, plotH := width-left-10, height-bottom-top
	maxV := 0.0
	for i := range labels {
		sum := 0.0
		for _, s := range ss {
			sum += math.Max(0, s.values[i])
		}
		maxV = math.Max(maxV, sum)
	}
	maxV = niceMax(maxV)
	var b strings.Builder
	b.WriteString(legend(ss))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="100%%" role="img">`, width, height)
	for i := 0; i <= 4; i++ {
		v := maxV * float64(i) / 4
		y := top + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#e2e8f0"/><text x="%g" y="%.1f" text-anchor="end">%s</text>`,
			left, left+plotW, y, y, left-4, y+4, html.EscapeString(short(v, unit)))
	}
	slot := plotW / float64(len(labels))
	barW := math.Max(1, slot*0.8)
	step := int(math.Ceil(float64(len(labels)) / 10))
	for i, l := range labels {
		x := left + slot*float64(i) + (slot-barW)/2
		y := top + plotH
		for _, s := range ss {
			v := math.Max(0, s.values[i])
			if v == 0 {
				continue
			}
			h := plotH * v / maxV
			y -= h
			fmt.Fprintf(&b, `<rect class="bar" x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"><title>%s %s: %s</title></rect>`,
				x, y, barW, h, s.colour, html.EscapeString(l), html.EscapeString(s.name), strconv.FormatFloat(v, 'f', -1, 64))
		}
		if i%step == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`, x+barW/2, top+plotH+14, html.EscapeString(tail(l, 5)))
		}
	}
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" stroke="#94a3b8"/></svg>`, left, left+plotW, top+plotH, top+plotH)
	return b.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// hbarChart draws horizontal bars, one row per name; stacked or side by side.
func hbarChart(names []string, ss []series, stacked bool, unit string) string {
	if len(names) == 0 {
		return `<p class="note">no data</p>`
	}
	const width, left, right, rowH = 640.0, 150.0, 70.0, 22.0
	plotW := width - left - right
	height := rowH*float64(len(names)) + 8
	maxV := 0.0
	for i := range names {
		sum := 0.0
		for _, s := range ss {
			if stacked {
				sum += math.Max(0, s.values[i])
			} else {
				sum = math.Max(sum, s.values[i])
			}
		}
		maxV = math.Max(maxV, sum)
	}
	if maxV <= 0 {
		maxV = 1
	}
	var b strings.Builder
	b.WriteString(legend(ss))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="100%%" role="img">`, width, height)
	for i, n := range names {
		y := 4 + rowH*float64(i)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`, left-6, y+rowH/2+4, html.EscapeString(shortName(n)))
		x := left
		total := 0.0
		for j, s := range ss {
			v := math.Max(0, s.values[i])
			total += v
			w := plotW * v / maxV
			if v == 0 {
				continue
			}
			by, bh := y+3, rowH-6
			if !stacked {
				bh = (rowH - 6) / float64(len(ss))
				by = y + 3 + bh*float64(j)
				x = left
			}
			fmt.Fprintf(&b, `<rect class="bar" x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"><title>%s %s: %s</title></rect>`,
				x, by, w, bh, s.colour, html.EscapeString(n), html.EscapeString(s.name), strconv.FormatFloat(v, 'f', -1, 64))
			if stacked {
				x += w
			}
		}
		label := total
		if !stacked {
			label = ss[len(ss)-1].values[i]
		}
		text := short(math.Round(label*100)/100, unit)
		if unit == "$" {
			text = "$" + strconv.FormatFloat(label, 'f', 2, 64)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, left+plotW+4, y+rowH/2+4, html.EscapeString(text))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func shortName(s string) string {
	r := []rune(s)
	if len(r) > 24 {
		return string(r[:23]) + "…"
	}
	return s
}

// Package report reads analytics exporter output directories and computes
// the figures of `analytics report`: sessions, prompts, active time,
// tokens by kind, reported and estimated cost, tools, errors and latency,
// in totals and per day, month, 5-hour block, user, model, agent and
// session, and writes them as a table, JSON, CSV or an HTML page.
package report

// Package sessions tracks the lifecycle of agent sessions and synthesizes the
// session_start and session_end entries that the agent tools do not send over
// OTLP.
//
// Use:
//
//   - For each batch, Add(b, e) answers keep for each entry while the batch
//     is converted (read-only) and keeps the entry in the Batch b; once the
//     batch is written, Commit(dst, b) records them all in order and appends
//     the lines they cause: one clock read and one lock per shard for the
//     whole batch, no hashing per entry.
//   - Lines that could not be written go back with Requeue and wait in the
//     tracker's outbox; the exporter appends Drain(batch) to every batch
//     before its one write.
//   - The exporter's ticker calls Tick(ctx, now, write): it ends idle spans,
//     writes their session_end lines with the outbox in one write, and
//     persists (Store) every PersistInterval. Expire is the bare step.
//   - At start, Load resumes the spans of the Store; at shutdown,
//     Shutdown(ctx, dst) persists them (Store) or ends them (no Store), and
//     the caller writes what it returns plus Drain.
//
// Memory: at most MaxTracked open spans plus MaxTracked remembered closed
// ones, about 250 bytes each with their map entry, plus per shard at most 8
// KiB of interned strings; an entry of a known session is O(1) and allocates
// nothing, also when its model alternates (the values that change within a
// span are interned per shard). With MaxTracked >= 4096 the
// sessions are spread over 16 shards with their own lock and LRU list, each
// holding at most MaxTracked/16: eviction is then least recently seen within
// the shard, an approximation of the global order.
//
// # Spans
//
// A span is one run of a session id: from the first record the tracker sees
// for the id to its end. The tracker keeps one open span per session id.
// Records without a session id are not tracked.
//
// # Start
//
//   - The first record of a span that is not itself a session_start yields a
//     synthesized session_start line (timestamp = that record's time, data
//     project_path and model from that record, synthesized: true).
//   - An explicit session_start opens the span; no synthesized line follows.
//   - A session_start for a span that is already open is a duplicate:
//     Add reports keep=false and Commit counts it. One session_start per span.
//
// keep=false asks the caller to drop the explicit entry. The exporter asks
// Add while a batch is converted, so the converter cuts that line out of the
// batch (counted as dropped, reason duplicate), and Commits the batch's
// entries only after the batch was written, so a retried batch is counted
// once. The counters (Stats) say how often a duplicate was seen.
//
// # End (exactly one per span)
//
//   - An explicit session_end closes the open span. It is the span's end: the
//     converter writes it as the source sent it and the tracker writes
//     nothing (it cannot enrich a line already written).
//   - A span with no record for IdleTimeout (tracker clock, i.e. arrival
//     time, not record time, so replayed old data is not closed at once)
//     yields a synthesized session_end at the next Expire (end_reason
//     "idle_timeout").
//   - When MaxTracked open spans are tracked, opening another closes the
//     least recently seen span first (end_reason "max_tracked").
//   - Shutdown without a store closes every open span (end_reason
//     "shutdown"). With a store, Shutdown persists the open spans instead and
//     the next run resumes them: no second session_start, and the eventual
//     session_end covers the whole span across the restart.
//
// A closed span is remembered for IdleTimeout after it closed (bounded by
// MaxTracked). While remembered:
//
//   - a session_end for it is a duplicate (keep=false, counted): the end
//     already written stands and the late explicit end is to be dropped, so
//     an explicit end after a synthesized one makes no second session_end;
//   - after an explicit end, other records for the id (stragglers such as a
//     last token_usage exported after the end event) belong to the closed
//     span: they are counted as late and open no new span;
//   - after a synthesized end (idle timeout, max_tracked, shutdown), any other
//     record opens a NEW span with its own session_start. After an idle
//     timeout this record comes at least IdleTimeout after the previous one,
//     so a session id that pauses longer than IdleTimeout has one span per
//     burst of activity, each with one start and one end;
//   - an explicit session_start always opens a new span.
//
// # Records that are no entry
//
// An Entry with an empty Type is a record of the session that became no
// entry (a user prompt event, an agent's ignored metric point). It counts
// for the span's first and last time and its prompts, opens a span like
// any record, and is not counted in records.
//
// # Time
//
// A span runs from the earliest time of its records (a metric point's start
// time included) to the latest, whatever order they arrive in, so the
// session_end is the same whether an agent's logs or its metrics reach the
// exporter first. The synthesized session_start has the earliest time known
// when the span opens.
//
// # Lines
//
// Synthesized lines are entries with the seven keys in the entry contract's
// order, written with package encode. session_start data: project_path,
// model, synthesized. session_end data: duration_seconds (first to last
// record time, a float), token_count (input + output tokens), model,
// project_path, prompts, input_tokens, output_tokens, cache_read_tokens,
// cache_creation_tokens, reasoning_tokens (sums of the span's token_usage
// entries), tool_uses, tool_failures (tool_use entries, failed ones),
// errors (error_occurred entries), cost_usd (null unless a record of the
// span had a cost; summed in nano-dollars and written to the micro-dollar),
// records, start_timestamp, end_reason, start_synthesized, synthesized. The
// session_end timestamp is the span's last record time. The span's model is
// the model of its model calls (token_usage entries) or of an explicit
// start. metadata is {"signal":"session","synthesized":true}.
package sessions

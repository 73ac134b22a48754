-- The figures of `analytics report` in DuckDB SQL. docs/report.md shows
-- these statements; the report's tests run them (scripts/report/duckdb.mjs)
-- against the same files and compare every figure. 'FILES' is a list of
-- globs, one per directory, e.g. ['analytics/metrics/metrics_*.jsonl*'];
-- 'PRICING' a pricing file (`analytics pricing > pricing.json`); FILTER a
-- condition on the entries view (TRUE for everything).

-- name: setup
SET TimeZone = 'UTC';

CREATE OR REPLACE VIEW raw AS
SELECT * FROM read_json(FILES, format = 'newline_delimited', ignore_errors = true,
  columns = {id: 'VARCHAR', timestamp: 'VARCHAR', type: 'VARCHAR', session_id: 'VARCHAR',
             user_id: 'VARCHAR', data: 'JSON', metadata: 'JSON'});

-- Entries with their agent: service.name of the resource; the exporter's
-- synthesized session lines have no resource and take their session's
-- agent (the service.name of its earliest entry that has one).
CREATE OR REPLACE VIEW entries AS
WITH e AS (
  SELECT TRY_CAST(timestamp AS TIMESTAMPTZ) AS ts, type, session_id, user_id, data,
         metadata->'resource'->>'service.name' AS svc
  FROM raw
  WHERE type IN ('session_start', 'session_end', 'tool_use', 'agent_execution', 'checkpoint_created',
                 'hook_triggered', 'command_executed', 'error_occurred', 'token_usage', 'performance')
), sa AS (
  SELECT session_id, first(svc ORDER BY ts, svc) AS session_agent
  FROM e WHERE svc IS NOT NULL AND session_id IS NOT NULL AND ts IS NOT NULL
  GROUP BY session_id
)
SELECT e.*,
       CASE WHEN svc IS NULL AND type IN ('session_start', 'session_end') AND session_id IS NOT NULL
            THEN coalesce(session_agent, '') ELSE coalesce(svc, '') END AS agent
FROM e LEFT JOIN sa USING (session_id)
WHERE ts IS NOT NULL;

-- The exact value at rank floor(q * (n - 1)) of a list: the rank DDSketch
-- estimates (quantile_disc picks a neighbouring rank).
CREATE OR REPLACE MACRO at_rank(l, q) AS list_sort(l)[CAST(floor(q * (len(l) - 1)) AS BIGINT) + 1];

-- Prices in micro-dollars per million tokens, by normalized model name.
CREATE OR REPLACE TABLE price AS
SELECT regexp_replace(lower(trim(name)), '^.*/', '') AS name,
       CAST(round(m.input * 1e6) AS BIGINT) AS p_in,
       CAST(round(m.cache_read * 1e6) AS BIGINT) AS p_cr,
       CAST(round(m.cache_write * 1e6) AS BIGINT) AS p_cw,
       CAST(round(m.output * 1e6) AS BIGINT) AS p_out
FROM (SELECT unnest(models) AS m FROM read_json(PRICING)),
     unnest(list_prepend(m.model, coalesce(m.aliases, []))) AS t(name);

-- One row per selected entry with what it adds to each figure.
CREATE OR REPLACE VIEW figures AS
WITH sel AS (SELECT * FROM entries WHERE FILTER),
typed AS (
  SELECT sel.*,
    min(ts) OVER (PARTITION BY session_id) AS session_start,
    CASE WHEN type = 'token_usage' THEN coalesce(data->>'model', '') END AS model,
    CASE WHEN type = 'token_usage' THEN TRY_CAST(data->>'input_tokens' AS BIGINT) END AS input,
    CASE WHEN type = 'token_usage' THEN TRY_CAST(data->>'output_tokens' AS BIGINT) END AS output,
    CASE WHEN type = 'token_usage' THEN TRY_CAST(data->>'cache_read_tokens' AS BIGINT) END AS cache_read,
    CASE WHEN type = 'token_usage' THEN TRY_CAST(data->>'cache_creation_tokens' AS BIGINT) END AS cache_creation,
    CASE WHEN type = 'token_usage' THEN TRY_CAST(data->>'reasoning_tokens' AS BIGINT) END AS reasoning,
    CASE WHEN type = 'token_usage' THEN TRY_CAST(data->>'cost_usd' AS DECIMAL(38, 9)) END AS cost_usd,
    CASE WHEN type = 'session_end' THEN TRY_CAST(data->>'prompts' AS BIGINT) END AS prompts,
    CASE WHEN type = 'session_end' THEN TRY_CAST(data->>'duration_seconds' AS DECIMAL(38, 6)) END AS active_seconds,
    type = 'tool_use' AS tool_use,
    type = 'tool_use' AND json_type(data->'success') = 'BOOLEAN' AND (data->>'success') = 'false' AS tool_failure,
    type = 'error_occurred' AS error
  FROM sel
), priced AS (
  SELECT typed.*, coalesce(p1.p_in, p2.p_in) AS p_in, coalesce(p1.p_cr, p2.p_cr) AS p_cr,
         coalesce(p1.p_cw, p2.p_cw) AS p_cw, coalesce(p1.p_out, p2.p_out) AS p_out
  FROM typed
  LEFT JOIN price p1 ON p1.name = regexp_replace(lower(trim(model)), '^.*/', '')
  LEFT JOIN price p2 ON p2.name = regexp_replace(regexp_replace(lower(trim(model)), '^.*/', ''),
                                                 '([-@][0-9]{8}|-[0-9]{4}-[0-9]{2}-[0-9]{2})$', '')
)
SELECT *,
  -- estimated cost in pico-dollars (1e-12 USD) of a request that reported none
  CASE WHEN type = 'token_usage' AND cost_usd IS NULL AND p_in IS NOT NULL THEN
    CAST(coalesce(input, 0) - coalesce(cache_read, 0) - coalesce(cache_creation, 0) AS HUGEINT) * p_in
    + CAST(coalesce(cache_read, 0) AS HUGEINT) * p_cr + CAST(coalesce(cache_creation, 0) AS HUGEINT) * p_cw
    + CAST(coalesce(output, 0) AS HUGEINT) * p_out END AS estimated_pico,
  type = 'token_usage' AND cost_usd IS NULL AND p_in IS NULL AS unpriced,
  strftime(ts, '%Y-%m-%d') AS day,
  strftime(ts, '%Y-%m') AS month
FROM priced;

-- name: totals
SELECT count(DISTINCT session_id) AS sessions,
       sum(prompts) AS prompts,
       sum(active_seconds) AS active_seconds,
       count(*) FILTER (WHERE type = 'token_usage') AS requests,
       sum(input) AS input, sum(output) AS output, sum(cache_read) AS cache_read,
       sum(cache_creation) AS cache_creation, sum(reasoning) AS reasoning,
       sum(cost_usd) AS cost_usd,
       sum(estimated_pico) AS estimated_pico,
       count(*) FILTER (WHERE unpriced) AS unpriced_requests,
       sum(coalesce(input, 0) + coalesce(output, 0)) FILTER (WHERE unpriced) AS unpriced_tokens,
       count(*) FILTER (WHERE tool_use) AS tool_uses,
       count(*) FILTER (WHERE tool_failure) AS tool_failures,
       count(*) FILTER (WHERE error) AS errors,
       count(*) AS entries
FROM figures;

-- name: days
SELECT day AS key,
       count(DISTINCT session_id) FILTER (WHERE strftime(session_start, '%Y-%m-%d') = day) AS sessions,
       sum(prompts) AS prompts, sum(active_seconds) AS active_seconds,
       count(*) FILTER (WHERE type = 'token_usage') AS requests,
       sum(input) AS input, sum(output) AS output, sum(cache_read) AS cache_read,
       sum(cache_creation) AS cache_creation, sum(reasoning) AS reasoning,
       sum(cost_usd) AS cost_usd, sum(estimated_pico) AS estimated_pico,
       count(*) FILTER (WHERE unpriced) AS unpriced_requests,
       sum(coalesce(input, 0) + coalesce(output, 0)) FILTER (WHERE unpriced) AS unpriced_tokens,
       count(*) FILTER (WHERE tool_use) AS tool_uses, count(*) FILTER (WHERE tool_failure) AS tool_failures,
       count(*) FILTER (WHERE error) AS errors
FROM figures GROUP BY day ORDER BY day;

-- name: months
SELECT month AS key,
       count(DISTINCT session_id) FILTER (WHERE strftime(session_start, '%Y-%m') = month) AS sessions,
       sum(prompts) AS prompts, sum(active_seconds) AS active_seconds,
       count(*) FILTER (WHERE type = 'token_usage') AS requests,
       sum(input) AS input, sum(output) AS output, sum(cache_read) AS cache_read,
       sum(cache_creation) AS cache_creation, sum(reasoning) AS reasoning,
       sum(cost_usd) AS cost_usd, sum(estimated_pico) AS estimated_pico,
       count(*) FILTER (WHERE unpriced) AS unpriced_requests,
       sum(coalesce(input, 0) + coalesce(output, 0)) FILTER (WHERE unpriced) AS unpriced_tokens,
       count(*) FILTER (WHERE tool_use) AS tool_uses, count(*) FILTER (WHERE tool_failure) AS tool_failures,
       count(*) FILTER (WHERE error) AS errors
FROM figures GROUP BY month ORDER BY month;

-- name: users
SELECT coalesce(user_id, '') AS key, count(DISTINCT session_id) AS sessions,
       sum(prompts) AS prompts, sum(active_seconds) AS active_seconds,
       count(*) FILTER (WHERE type = 'token_usage') AS requests,
       sum(input) AS input, sum(output) AS output, sum(cache_read) AS cache_read,
       sum(cache_creation) AS cache_creation, sum(reasoning) AS reasoning,
       sum(cost_usd) AS cost_usd, sum(estimated_pico) AS estimated_pico,
       count(*) FILTER (WHERE unpriced) AS unpriced_requests,
       sum(coalesce(input, 0) + coalesce(output, 0)) FILTER (WHERE unpriced) AS unpriced_tokens,
       count(*) FILTER (WHERE tool_use) AS tool_uses, count(*) FILTER (WHERE tool_failure) AS tool_failures,
       count(*) FILTER (WHERE error) AS errors
FROM figures GROUP BY ALL ORDER BY key;

-- name: agents
SELECT agent AS key, count(DISTINCT session_id) AS sessions,
       sum(prompts) AS prompts, sum(active_seconds) AS active_seconds,
       count(*) FILTER (WHERE type = 'token_usage') AS requests,
       sum(input) AS input, sum(output) AS output, sum(cache_read) AS cache_read,
       sum(cache_creation) AS cache_creation, sum(reasoning) AS reasoning,
       sum(cost_usd) AS cost_usd, sum(estimated_pico) AS estimated_pico,
       count(*) FILTER (WHERE unpriced) AS unpriced_requests,
       sum(coalesce(input, 0) + coalesce(output, 0)) FILTER (WHERE unpriced) AS unpriced_tokens,
       count(*) FILTER (WHERE tool_use) AS tool_uses, count(*) FILTER (WHERE tool_failure) AS tool_failures,
       count(*) FILTER (WHERE error) AS errors
FROM figures GROUP BY ALL ORDER BY key;

-- name: models
SELECT model AS key, count(DISTINCT session_id) AS sessions,
       count(*) AS requests,
       sum(input) AS input, sum(output) AS output, sum(cache_read) AS cache_read,
       sum(cache_creation) AS cache_creation, sum(reasoning) AS reasoning,
       sum(cost_usd) AS cost_usd, sum(estimated_pico) AS estimated_pico,
       count(*) FILTER (WHERE unpriced) AS unpriced_requests,
       sum(coalesce(input, 0) + coalesce(output, 0)) FILTER (WHERE unpriced) AS unpriced_tokens,
       count(TRY_CAST(data->>'duration_ms' AS DOUBLE)) AS latency_count,
       at_rank(list(TRY_CAST(data->>'duration_ms' AS DOUBLE)) FILTER (WHERE TRY_CAST(data->>'duration_ms' AS DOUBLE) >= 0), 0.5) AS latency_p50_ms,
       at_rank(list(TRY_CAST(data->>'duration_ms' AS DOUBLE)) FILTER (WHERE TRY_CAST(data->>'duration_ms' AS DOUBLE) >= 0), 0.95) AS latency_p95_ms
FROM figures WHERE type = 'token_usage' GROUP BY ALL ORDER BY key;

-- name: sessions
SELECT session_id AS key, count(*) FILTER (WHERE type = 'token_usage') AS requests,
       sum(coalesce(input, 0) + coalesce(output, 0)) AS tokens,
       sum(prompts) AS prompts, sum(active_seconds) AS active_seconds,
       sum(cost_usd) AS cost_usd, sum(estimated_pico) AS estimated_pico,
       count(*) FILTER (WHERE tool_use) AS tool_uses, count(*) FILTER (WHERE error) AS errors,
       strftime(min(ts), '%Y-%m-%dT%H:%M:%S.%fZ') AS start, strftime(max(ts), '%Y-%m-%dT%H:%M:%S.%fZ') AS "end"
FROM figures WHERE session_id IS NOT NULL GROUP BY ALL ORDER BY key;

-- name: tools
SELECT coalesce(data->>'tool_name', '') AS name, count(*) AS uses,
       count(*) FILTER (WHERE json_type(data->'success') = 'BOOLEAN' AND (data->>'success') = 'true') AS successes,
       count(*) FILTER (WHERE tool_failure) AS failures,
       count(TRY_CAST(data->>'duration_ms' AS DOUBLE)) AS timed,
       at_rank(list(TRY_CAST(data->>'duration_ms' AS DOUBLE)) FILTER (WHERE TRY_CAST(data->>'duration_ms' AS DOUBLE) >= 0), 0.5) AS p50_ms,
       at_rank(list(TRY_CAST(data->>'duration_ms' AS DOUBLE)) FILTER (WHERE TRY_CAST(data->>'duration_ms' AS DOUBLE) >= 0), 0.95) AS p95_ms
FROM figures WHERE type = 'tool_use' GROUP BY ALL ORDER BY name;

-- name: errors
SELECT coalesce(data->>'error_type', '') AS type, count(*) AS count
FROM figures WHERE type = 'error_occurred' GROUP BY ALL ORDER BY type;

-- name: blocks
-- A user's 5-hour block starts at the hour of their first entry after the
-- previous block ended.
WITH RECURSIVE hours AS (
  SELECT coalesce(user_id, '') AS user_id, date_trunc('hour', ts) AS hour FROM figures GROUP BY ALL
), starts AS (
  SELECT user_id, min(hour) AS start FROM hours GROUP BY user_id
  UNION ALL
  SELECT s.user_id, (SELECT min(h.hour) FROM hours h WHERE h.user_id = s.user_id AND h.hour >= s.start + INTERVAL 5 HOUR)
  FROM starts s WHERE s.start IS NOT NULL
), blocks AS (
  SELECT user_id, start FROM starts WHERE start IS NOT NULL
)
SELECT b.user_id AS user, strftime(b.start, '%Y-%m-%dT%H:%M:%S.%fZ') AS start,
       count(*) FILTER (WHERE type = 'token_usage') AS requests,
       sum(input) AS input, sum(output) AS output, sum(cost_usd) AS cost_usd,
       sum(estimated_pico) AS estimated_pico,
       count(*) FILTER (WHERE tool_use) AS tool_uses, count(*) FILTER (WHERE error) AS errors
FROM figures f JOIN blocks b ON b.user_id = coalesce(f.user_id, '')
  AND f.ts >= b.start AND f.ts < b.start + INTERVAL 5 HOUR
GROUP BY ALL ORDER BY start, user;

// Runs the named queries of report.sql with DuckDB and prints their rows as
// JSON: {"totals": [{...}], "days": [...], ...}, every number as a string.
//
//   node duckdb.mjs --modules .tools/node/node_modules --files '["dir/metrics/metrics_*.jsonl*"]' \
//        --pricing pricing.json [--filter SQL] [--sql report.sql]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = { filter: 'TRUE', sql: join(dirname(fileURLToPath(import.meta.url)), 'report.sql') };
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
// The packages live in .tools/node (make report-tools), not beside this file.
const require = createRequire(join(resolve(args.modules), 'x.js'));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);
const quote = (s) => "'" + String(s).replaceAll("'", "''") + "'";
const files = '[' + JSON.parse(args.files).map(quote).join(', ') + ']';
const sql = readFileSync(args.sql, 'utf8')
  .replaceAll('FILES', files)
  .replaceAll('PRICING', quote(args.pricing))
  .replaceAll('WHERE FILTER', 'WHERE ' + args.filter);

// "-- name: X" starts a query; setup holds several statements.
const parts = {};
let name = null;
for (const line of sql.split('\n')) {
  const m = line.match(/^-- name: (\w+)/);
  if (m) { name = m[1]; parts[name] = ''; continue; }
  if (name) parts[name] += line + '\n';
}

const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
for (const stmt of parts.setup.split(/;\s*\n/)) {
  if (stmt.replace(/--.*$/gm, '').trim()) await con.run(stmt);
}
const out = {};
for (const [n, q] of Object.entries(parts)) {
  if (n === 'setup') continue;
  const reader = await con.runAndReadAll(q);
  out[n] = reader.getRowObjectsJson();
}
process.stdout.write(JSON.stringify(out));

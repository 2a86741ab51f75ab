// writes_count_proxy.js — a tiny HTTP proxy for bench_writes.sh that counts
// round trips. Forwards every request to UPSTREAM unchanged (keep-alive on
// both sides) and, after each one, rewrites COUNTFILE with one line:
//   "<pipeline requests> <pull-updates requests> <other requests>"
// so a benchmark can read the counters before and after an operation.
//   node writes_count_proxy.js UPSTREAM_URL COUNTFILE PORTFILE
// Listens on a free loopback port and writes it to PORTFILE.
'use strict';
const http = require('http');
const fs = require('fs');

const [upstreamUrl, countFile, portFile] = process.argv.slice(2);
if (!upstreamUrl || !countFile || !portFile) {
  console.error('usage: node writes_count_proxy.js UPSTREAM_URL COUNTFILE PORTFILE');
  process.exit(2);
}
const upstream = new URL(upstreamUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const counts = { pipeline: 0, pull: 0, other: 0 };

function record(path) {
  if (path.startsWith('/v2/pipeline')) counts.pipeline++;
  else if (path.startsWith('/pull-updates')) counts.pull++;
  else counts.other++;
  fs.writeFileSync(countFile, `${counts.pipeline} ${counts.pull} ${counts.other}\n`);
}

// tursodb (turso 0.6.0) accepts only `execute` and `batch` requests; it
// rejects (HTTP 500, "unknown variant") the `close` request @libsql/client
// appends to every pipeline and the `store_sql` / `close_sql` requests of
// its SQL cache (client.batch with a repeated statement). It keeps no
// streams anyway (baton always null), so this proxy answers those requests
// itself, inlining stored SQL into the statements that name its sql_id,
// and forwards the rest. Every /v2/pipeline body is buffered and parsed for
// both clients alike, so the shim costs them the same.
const LOCAL_TYPES = new Set(['close', 'store_sql', 'close_sql']);
// sql_id -> text; the client's cache outlives one pipeline (one stream as
// it sees it), so the map is kept for the proxy's life.
const stored = new Map();

function inlineSql(stmt) {
  if (stmt && stmt.sql_id !== undefined && stmt.sql === undefined) {
    stmt.sql = stored.get(stmt.sql_id);
    delete stmt.sql_id;
  }
}

function forward(req, res, body) {
  let local = []; // [index, synthetic result]
  if (req.url.startsWith('/v2/pipeline') && body.length) {
    try {
      const j = JSON.parse(body.toString('utf8'));
      if (Array.isArray(j.requests)) {
        const kept = [];
        j.requests.forEach((r, i) => {
          if (r && LOCAL_TYPES.has(r.type)) {
            if (r.type === 'store_sql') stored.set(r.sql_id, r.sql);
            if (r.type === 'close_sql') stored.delete(r.sql_id);
            local.push([i, { type: 'ok', response: { type: r.type } }]);
            return;
          }
          if (r && r.type === 'execute') inlineSql(r.stmt);
          if (r && r.type === 'batch' && r.batch && Array.isArray(r.batch.steps))
            r.batch.steps.forEach((s) => inlineSql(s.stmt));
          kept.push(r);
        });
        j.requests = kept;
        body = Buffer.from(JSON.stringify(j));
      }
    } catch (e) { local = []; /* not JSON: pass it through untouched */ }
  }
  if (process.env.WRITES_DEBUG) console.error('proxy>', body.toString('utf8').slice(0, 600));
  const headers = { ...req.headers, 'content-length': String(body.length) };
  const fwd = http.request({
    host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
    headers, agent,
  }, (up) => {
    const chunks = [];
    up.on('data', (c) => chunks.push(c));
    up.on('end', () => {
      let out = Buffer.concat(chunks);
      if (local.length && up.statusCode === 200) {
        try {
          const j = JSON.parse(out.toString('utf8'));
          for (const [i, r] of local) j.results.splice(i, 0, r);
          out = Buffer.from(JSON.stringify(j));
        } catch (e) { /* leave the answer as it is */ }
      }
      // counted before the client can see the answer, so a counter read
      // right after a call always includes that call
      record(req.url);
      const h = { ...up.headers, 'content-length': String(out.length) };
      delete h['transfer-encoding'];
      res.writeHead(up.statusCode, h);
      res.end(out);
    });
  });
  fwd.on('error', (e) => { record(req.url); res.writeHead(502); res.end(String(e)); });
  fwd.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => forward(req, res, Buffer.concat(chunks)));
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(countFile, '0 0 0\n');
  fs.writeFileSync(portFile, String(server.address().port));
});
process.on('SIGTERM', () => process.exit(0));

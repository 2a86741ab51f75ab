#!/usr/bin/env node
// sync_query.js — read a primary through an independent client for
// cross-checks: the npm package @tursodatabase/sync (not this project's
// code) pulls a local embedded copy in DIR and runs one query on it.
//
//   node sync_query.js URL DIR 'SQL'  -> prints a JSON array of row arrays
// Integers that do not fit a double print as strings, blobs as base64.
// (@libsql/client cannot be used against tursodb 0.6.0: its HTTP client
// sends Hrana `close` requests that server rejects with HTTP 500.)
'use strict';
const fs = require('fs');
const path = require('path');
const { connect } = require('@tursodatabase/sync');

async function main() {
  const [url, dir, sql] = process.argv.slice(2);
  if (!url || !dir || !sql) {
    console.error("usage: sync_query.js URL DIR 'SQL'");
    process.exit(2);
  }
  fs.mkdirSync(dir, { recursive: true });
  const db = await connect({ path: path.join(dir, 'sync-query.db'), url });
  await db.pull();
  const stmt = await db.prepare(sql);
  stmt.raw(true);
  const objs = await stmt.all();
  const rows = objs.map((o) => (Array.isArray(o) ? o : Object.values(o)));
  await db.close();
  const out = rows.map((r) => r.map((v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array || Buffer.isBuffer(v)) return { blob: Buffer.from(v).toString('base64') };
    return v;
  }));
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  console.error('sync_query.js: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});

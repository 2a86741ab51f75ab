#!/usr/bin/env node
// sync_push.js — an independent client for cross-checks: writes rows into a
// primary with the npm package @tursodatabase/sync (not this project's code):
// a local embedded copy in DIR pulls from the primary, runs the statements,
// and pushes them. Tests then show the rows reach the driver's replica.
//
//   node sync_push.js URL DIR 'SQL' ['SQL' ...]
// Exits 1 with a message on any error.
// (@libsql/client cannot be used against tursodb 0.6.0: its HTTP client sends
// Hrana `close` / `store_sql` requests that server rejects with HTTP 500.)
'use strict';
const path = require('path');
const { connect } = require('@tursodatabase/sync');

async function main() {
  const [url, dir, ...stmts] = process.argv.slice(2);
  if (!url || !dir || stmts.length === 0) {
    console.error('usage: sync_push.js URL DIR SQL [SQL...]');
    process.exit(2);
  }
  const db = await connect({ path: path.join(dir, 'sync-client.db'), url });
  await db.pull();
  for (const sql of stmts) await db.exec(sql);
  await db.push();
  await db.close();
  console.log('pushed ' + stmts.length + ' statement(s)');
}

main().catch((e) => {
  console.error('sync_push.js: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});

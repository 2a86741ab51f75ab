#!/usr/bin/env node
// offline_client.js — an independent OFFLINE writer for the offline-mode
// tests (docs/offline.md, tests/integration/test_offline_two_replicas.py):
// the npm package @tursodatabase/sync 0.6.0 (not this project's code) keeps a
// local copy in DIR/offline-client.db, writes to it with no network, and
// pushes / pulls only when told to.
//
//   offline_client.js init  URL DIR            bootstrap DIR from the primary (network)
//   offline_client.js exec  URL DIR SQL...     each SQL its own local transaction (no network)
//   offline_client.js tx    URL DIR SQL...     all SQL in ONE local transaction (no network)
//   offline_client.js push  URL DIR            send the pending local changes
//   offline_client.js pull  URL DIR            pull (rebasing pending changes); prints {"changed":b}
//   offline_client.js sync  URL DIR            push, then pull
//   offline_client.js query URL DIR SQL        local rows as a JSON array of arrays (no network)
//   offline_client.js dump  URL DIR            {"table": [rows...]} of every table but the
//                                              client's own CDC log turso_cdc* (no network)
//   offline_client.js stats URL DIR            the client's own stats (cdcOperations = pending)
// Values: integers beyond 2^53 print as strings, blobs as {"blob": base64}.
// OFFLINE_CLIENT_TRACE=1 prints every /v2/pipeline request body to stderr.
// Exits 1 with a message on any error (e.g. push/pull with the primary down).
//
// How this client behaves (observed against tursodb 0.6.0 --sync-server,
// by tracing its requests with OFFLINE_CLIENT_TRACE=1):
// - Writes are local only. connect() on an existing DIR does not touch the
//   network, so `exec`/`tx`/`query` work with the primary stopped; the
//   changes are kept in a CDC log (stats().cdcOperations counts them) until
//   push. Nothing is pushed implicitly.
// - push does NOT need a pull first: it sends every pending change, of all
//   local transactions together, as ONE Hrana batch: BEGIN IMMEDIATE,
//   CREATE TABLE IF NOT EXISTS turso_sync_last_change_id, the changes, an
//   upsert of (client_id, pull_gen, change_id) into turso_sync_last_change_id
//   (its exactly-once ledger), COMMIT.
// - The changes are sent as blind, key-addressed statements:
//     insert -> INSERT INTO t(cols) VALUES (...) ON CONFLICT(pk) DO UPDATE SET every col
//     update -> UPDATE t SET <changed cols only> = ? WHERE pk = ?
//     delete -> DELETE FROM t WHERE pk = ?
//   So there is no conflict detection at all: the last push wins, column by
//   column. A key the primary inserted meanwhile is overwritten by this
//   client's insert; a row the primary updated is overwritten in the columns
//   this client changed (other columns keep the primary's values); an update
//   of a row the primary deleted is silently lost (0 rows); a delete removes
//   the row whatever the primary did to it. Nothing is reported or counted.
// - pull with pending changes rebases them: the local copy becomes the
//   primary's newest state with the pending changes replayed on top by the
//   same rules (local wins per changed column; a local insert overwrites the
//   primary's row of the same key), and they stay pending for the next push.
'use strict';
const fs = require('fs');
const path = require('path');
const { connect } = require('@tursodatabase/sync');

function usage() {
  console.error('usage: offline_client.js init|exec|tx|push|pull|sync|query|dump|stats URL DIR [SQL...]');
  process.exit(2);
}

// fetch that can log the SQL pipeline requests (how the behaviour above was seen).
async function tracingFetch(url, opts) {
  if (process.env.OFFLINE_CLIENT_TRACE && opts && opts.body && String(url).includes('/v2/pipeline')) {
    console.error('pipeline ' + Buffer.from(opts.body).toString());
  }
  return fetch(url, opts);
}

function jsonValue(v) {
  if (typeof v === 'bigint') {
    return (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER))
      ? Number(v) : v.toString();
  }
  if (v instanceof Uint8Array || Buffer.isBuffer(v)) return { blob: Buffer.from(v).toString('base64') };
  return v;
}

async function rows(db, sql) {
  const stmt = await db.prepare(sql);
  stmt.raw(true);
  const objs = await stmt.all();
  return objs.map((o) => (Array.isArray(o) ? o : Object.values(o)).map(jsonValue));
}

async function main() {
  const [cmd, url, dir, ...rest] = process.argv.slice(2);
  if (!cmd || !url || !dir) usage();
  fs.mkdirSync(dir, { recursive: true });
  const db = await connect({ path: path.join(dir, 'offline-client.db'), url, fetch: tracingFetch });
  let out;
  switch (cmd) {
    case 'init':
      out = await db.stats();
      break;
    case 'exec':
      for (const sql of rest) await db.exec(sql);
      out = { executed: rest.length };
      break;
    case 'tx':
      await db.exec('BEGIN');
      try {
        for (const sql of rest) await db.exec(sql);
      } catch (e) {
        await db.exec('ROLLBACK');
        throw e;
      }
      await db.exec('COMMIT');
      out = { executed: rest.length };
      break;
    case 'push':
      await db.push();
      out = { pushed: true };
      break;
    case 'pull':
      out = { changed: await db.pull() };
      break;
    case 'sync':
      await db.push();
      out = { changed: await db.pull() };
      break;
    case 'query':
      if (rest.length !== 1) usage();
      out = await rows(db, rest[0]);
      break;
    case 'dump': {
      out = {};
      const tables = await rows(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'turso_cdc%' ORDER BY name");
      for (const [name] of tables) out[name] = await rows(db, 'SELECT * FROM "' + name.replace(/"/g, '""') + '"');
      break;
    }
    case 'stats':
      out = await db.stats();
      break;
    default:
      usage();
  }
  await db.close();
  process.stdout.write(JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? jsonValue(v) : v)) + '\n');
}

main().catch((e) => {
  console.error('offline_client.js: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});

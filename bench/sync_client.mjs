// sync_client.mjs — the npm side of bench/bench_sync.sh: @tursodatabase/sync
// bootstrapping and pulling the same primary as the driver, timed.
//
//   node sync_client.mjs NODE_MODULES_DIR SYNC_URL LOCAL_PATH
//
// Same line protocol as sync_odbc.c: reads "bootstrap", "sync LABEL" and
// "quit" on stdin, answers each with one line:
//   npm bootstrap bytes=B seconds=S        (connect() on a fresh path)
//   npm LABEL seconds=S changed=0|1         (pull())
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import readline from 'node:readline';

const [modules, url, path] = process.argv.slice(2);
if (!path) {
  console.error('usage: node sync_client.mjs NODE_MODULES_DIR SYNC_URL LOCAL_PATH');
  process.exit(2);
}
const { connect } = await import(pathToFileURL(`${modules}/@tursodatabase/sync/dist/promise.js`));

// Bytes on disk of the files the client keeps under LOCAL_PATH's prefix.
function bytesOnDisk() {
  const dir = path.substring(0, path.lastIndexOf('/')) || '.';
  const base = path.substring(path.lastIndexOf('/') + 1);
  return fs.readdirSync(dir).filter((f) => f.startsWith(base))
    .reduce((n, f) => n + fs.statSync(`${dir}/${f}`).size, 0);
}

let db = null;
const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  if (line === 'bootstrap') {
    const t0 = process.hrtime.bigint();
    db = await connect({ path, url });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const rows = await db.get('SELECT count(*) AS n FROM big');
    console.log(`npm bootstrap bytes=${bytesOnDisk()} seconds=${s.toFixed(4)} rows=${rows.n}`);
  } else if (line.startsWith('sync ') && db) {
    const t0 = process.hrtime.bigint();
    const changed = await db.pull();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`npm ${line.slice(5)} seconds=${s.toFixed(4)} changed=${changed ? 1 : 0}`);
  } else if (line === 'quit') {
    break;
  } else {
    console.error(`sync_client: unexpected command '${line}'`);
    process.exit(2);
  }
}
if (db) await db.close();
process.exit(0);

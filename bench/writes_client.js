// writes_client.js — the @libsql/client side of bench/bench_writes.sh: the
// same writes as bench/writes_odbc.c against the same primary, through the
// same counting proxy, so the figures sit side by side.
//   node writes_client.js URL COUNTFILE ROWS_SINGLE ROWS_ARRAY TXN_STATEMENTS
// Table bench_js(id INTEGER PRIMARY KEY, name TEXT, val REAL), created by the
// script. Operations: single (one execute per row), array (client.batch of
// all rows, its bulk path), txn (an interactive client.transaction with one
// execute per statement, then commit; if the server has no interactive
// streams the batch form is used and the line says so).
// Prints lines in the format writes_odbc prints, with "client" first.
'use strict';
const fs = require('fs');
const { createClient } = require('@libsql/client');

const [url, countFile, nSingle, nArray, nTxn] = process.argv.slice(2);
if (!nTxn) {
  console.error('usage: node writes_client.js URL COUNTFILE ROWS_SINGLE ROWS_ARRAY TXN_STATEMENTS');
  process.exit(2);
}
const sql = 'INSERT INTO bench_js(id, name, val) VALUES (?, ?, ?)';

function mark() {
  const [pipeline, pulls] = fs.readFileSync(countFile, 'utf8').trim().split(/\s+/).map(Number);
  return { t: process.hrtime.bigint(), pipeline, pulls };
}
function report(op, rows, a, note) {
  const b = mark();
  const s = Number(b.t - a.t) / 1e9;
  console.log(`client ${op} rows=${rows} seconds=${s.toFixed(3)} rows_per_s=${(rows / s).toFixed(0)}` +
              ` pipeline=${b.pipeline - a.pipeline} pulls=${b.pulls - a.pulls}${note ? ' ' + note : ''}`);
}
const row = (id) => ({ sql, args: [id, `row-${id}`, id * 0.5] });

(async () => {
  const client = createClient({ url });
  let id = 1;
  let m = mark();
  for (let i = 0; i < Number(nSingle); i++) await client.execute(row(id++));
  report('single', Number(nSingle), m);

  const rows = [];
  for (let i = 0; i < Number(nArray); i++) rows.push(row(id++));
  m = mark();
  await client.batch(rows, 'write');
  report('array', Number(nArray), m, '(client.batch)');

  const first = id;
  m = mark();
  try {
    const tx = await client.transaction('write');
    for (let i = 0; i < Number(nTxn); i++) await tx.execute(row(id++));
    await tx.commit();
    report('txn', Number(nTxn), m, '(client.transaction)');
  } catch (e) {
    if (process.env.WRITES_DEBUG) console.error(e);
    id = first;
    const stmts = [];
    for (let i = 0; i < Number(nTxn); i++) stmts.push(row(id++));
    m = mark();
    await client.batch(stmts, 'write');
    report('txn', Number(nTxn), m,
           `(client.batch: client.transaction failed here: ${String(e.message || e).split('\n')[0]})`);
  }
  const rs = await client.execute('SELECT count(*) FROM bench_js');
  const count = Number(rs.rows[0][0]);
  const want = Number(nSingle) + Number(nArray) + Number(nTxn);
  client.close();
  if (count !== want) {
    console.error(`writes_client: count ${count}, expected ${want}`);
    process.exit(1);
  }
})().catch((e) => { console.error('writes_client:', e); process.exit(1); });

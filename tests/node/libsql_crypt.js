// libsql_crypt.js — an independent reader/writer of encrypted databases for
// the encryption tests: the npm package `libsql` (0.5.29, which bundles
// SQLite3 Multiple Ciphers, cipher "aes256cbc"), pinned in package.json.
//
//   node libsql_crypt.js DB KEY exec 'SQL'    run statements (no result)
//   node libsql_crypt.js DB KEY query 'SQL'   print the rows as JSON (arrays)
//
// KEY "" opens the file without encryption. Exit status 1 on any error, with
// the message on stderr.
'use strict';
const Database = require('libsql');

const [dbPath, key, mode, sql] = process.argv.slice(2);
if (!dbPath || key === undefined || !mode || !sql) {
  console.error('usage: libsql_crypt.js DB KEY exec|query SQL');
  process.exit(2);
}
try {
  const opts = key ? { encryptionKey: key } : {};
  const db = new Database(dbPath, opts);
  if (mode === 'exec') {
    db.exec(sql);
  } else {
    const rows = db.prepare(sql).raw(true).all();
    console.log(JSON.stringify(rows));
  }
  db.close();
} catch (e) {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
}

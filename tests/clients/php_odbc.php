<?php
// php_odbc.php — PHP's odbc extension (Debian's php-odbc, linked with
// unixODBC; ANSI API, strings are UTF-8 bytes). Reads the seeded rows with
// odbc_exec + odbc_fetch_array, inserts row 4 through odbc_prepare +
// odbc_execute (bound parameters), reads it back the same way.
// DSN and table from LSQ_CLIENT_DSN / LSQ_CLIENT_TABLE.
// Run by tests/integration/test_clients.sh.
$failures = 0;
function check($what, $expected, $got) {
    global $failures;
    if ($expected === $got) { echo "ok   - $what\n"; return; }
    $failures++;
    echo "FAIL - $what\n       expected: " . var_export($expected, true)
        . "\n       got:      " . var_export($got, true) . "\n";
}
function fail_odbc($what, $conn) {
    echo "FAIL - $what: [" . ($conn ? odbc_error($conn) : odbc_error()) . "] "
        . ($conn ? odbc_errormsg($conn) : odbc_errormsg()) . "\n";
    exit(1);
}
// All rows of a result as "a|b|c;..." (odbc returns every column as a string).
function flat($res) {
    $out = [];
    while (($row = odbc_fetch_array($res)) !== false) $out[] = implode('|', $row);
    return implode(';', $out);
}

if (!function_exists('odbc_connect')) {
    echo "FAIL - the odbc extension is not loaded (apt-get install php-odbc)\n";
    exit(1);
}
$dsn = getenv('LSQ_CLIENT_DSN');
$t = getenv('LSQ_CLIENT_TABLE');
$conn = odbc_connect($dsn, '', '');
if (!$conn) fail_odbc("odbc_connect($dsn)", null);
check('autocommit is on', 1, odbc_autocommit($conn));

// ---- catalog ------------------------------------------------------------
$res = odbc_tables($conn, null, null, $t, 'TABLE');
if (!$res) fail_odbc('odbc_tables', $conn);
$found = [];
while (($row = odbc_fetch_array($res)) !== false) $found[] = $row['TABLE_NAME'] . '/' . $row['TABLE_TYPE'];
check('odbc_tables finds the table', "$t/TABLE", implode(',', $found));
odbc_free_result($res);
$res = odbc_columns($conn, null, null, $t, '%');
if (!$res) fail_odbc('odbc_columns', $conn);
$found = [];
while (($row = odbc_fetch_array($res)) !== false) $found[] = $row['COLUMN_NAME'];
check('odbc_columns names in order', 'id,name,qty,price', implode(',', $found));
odbc_free_result($res);

// ---- read -------------------------------------------------------------
$cols = "id, name, qty, printf('%.2f', price) AS price";
$res = odbc_exec($conn, "SELECT $cols FROM $t ORDER BY id");
if (!$res) fail_odbc('select', $conn);
check('column count', 4, odbc_num_fields($res));
check('second column name', 'name', odbc_field_name($res, 2));
check('seeded rows', '1|alpha|10|1.50;2|beta|20|2.25;3|Zoë|30|-3.00', flat($res));
odbc_free_result($res);

// ---- write ------------------------------------------------------------
$ins = odbc_prepare($conn, "INSERT INTO $t(id, name, qty, price) VALUES (?, ?, ?, ?)");
if (!$ins) fail_odbc('prepare insert', $conn);
if (!odbc_execute($ins, [4, 'delta ü', 40, 4.75])) fail_odbc('execute insert', $conn);
check('insert affects one row', 1, odbc_num_rows($ins));
odbc_free_result($ins);

// ---- read back ----------------------------------------------------------
$sel = odbc_prepare($conn, "SELECT $cols FROM $t WHERE id = ?");
if (!$sel || !odbc_execute($sel, [4])) fail_odbc('select row 4', $conn);
check('written row read back', '4|delta ü|40|4.75', flat($sel));
odbc_free_result($sel);
$res = odbc_exec($conn, "SELECT count(*) AS n FROM $t");
if (!$res || !odbc_fetch_row($res)) fail_odbc('count', $conn);
check('row count after the write', '4', odbc_result($res, 'n'));
odbc_free_result($res);

odbc_close($conn);
exit($failures ? 1 : 0);

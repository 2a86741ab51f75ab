#!/usr/bin/python3
"""qt_qodbc.py — Qt's QODBC SQL driver (Debian's libqt5sql5-odbc), driven
through PyQt5 (python3-pyqt5.qtsql) so no C++ build is needed: the calls are
Qt's own QSqlDatabase / QSqlQuery, exactly what a Qt application makes.
Reads the seeded rows, inserts row 4 with prepare() + addBindValue(), reads
it back with a bound value. DSN and table from LSQ_CLIENT_DSN /
LSQ_CLIENT_TABLE. Run by tests/integration/test_clients.sh.
"""
import os
import sys

failures = 0


def check(what, expected, got):
    global failures
    if expected == got:
        print("ok   - %s" % what)
    else:
        failures += 1
        print("FAIL - %s\n       expected: %r\n       got:      %r" % (what, expected, got))


try:
    from PyQt5.QtCore import QCoreApplication
    from PyQt5.QtSql import QSqlDatabase, QSqlQuery
except ImportError as e:
    print("FAIL - cannot import PyQt5.QtSql (apt-get install python3-pyqt5.qtsql): %s" % e)
    sys.exit(1)

app = QCoreApplication(sys.argv)
if "QODBC" not in QSqlDatabase.drivers():
    print("FAIL - Qt has no QODBC driver (apt-get install libqt5sql5-odbc); has %s"
          % QSqlDatabase.drivers())
    sys.exit(1)

dsn = os.environ["LSQ_CLIENT_DSN"]
table = os.environ["LSQ_CLIENT_TABLE"]


def run():
    db = QSqlDatabase.addDatabase("QODBC", "clients")
    db.setDatabaseName(dsn)  # a bare name means DSN=<name> to QODBC
    if not db.open():
        print("FAIL - open %s: %s" % (dsn, db.lastError().text()))
        return 1

    def rows(query):
        out = []
        while query.next():
            out.append(tuple(query.value(i) for i in range(query.record().count())))
        return out

    def exec_or_fail(query, what, sql=None):
        ok = query.exec_(sql) if sql is not None else query.exec_()
        if not ok:
            check(what, "success", query.lastError().text())
        return ok

    cols = "id, name, qty, price"
    # ---- catalog, as QSqlTableModel and Qt Creator's browser use it ---------
    check("tables() lists the table (SQLTables)", True, table in db.tables())
    rec = db.record(table)  # SQLColumns
    check("record() fields (SQLColumns)", ["id", "name", "qty", "price"],
          [rec.fieldName(i) for i in range(rec.count())])
    pk = db.primaryIndex(table)  # SQLPrimaryKeys
    check("primaryIndex() (SQLPrimaryKeys)", ["id"],
          [pk.fieldName(i) for i in range(pk.count())])

    # ---- read -----------------------------------------------------------
    q = QSqlQuery(db)
    q.setForwardOnly(True)
    if exec_or_fail(q, "select seeded rows", "SELECT %s FROM %s ORDER BY id" % (cols, table)):
        rec = q.record()
        check("column names", ["id", "name", "qty", "price"],
              [rec.fieldName(i) for i in range(rec.count())])
        check("seeded rows", [(1, "alpha", 10, 1.5), (2, "beta", 20, 2.25), (3, "Zoë", 30, -3.0)],
              rows(q))
    q.finish()

    # ---- write ----------------------------------------------------------
    ins = QSqlQuery(db)
    ins.prepare("INSERT INTO %s(id, name, qty, price) VALUES (?, ?, ?, ?)" % table)
    for v in (4, "delta ü", 40, 4.75):
        ins.addBindValue(v)
    if exec_or_fail(ins, "insert row 4"):
        check("insert affects one row", 1, ins.numRowsAffected())
    ins.finish()

    # ---- read back --------------------------------------------------------
    sel = QSqlQuery(db)
    sel.setForwardOnly(True)
    sel.prepare("SELECT %s FROM %s WHERE id = ?" % (cols, table))
    sel.addBindValue(4)
    if exec_or_fail(sel, "select row 4"):
        check("written row read back", [(4, "delta ü", 40, 4.75)], rows(sel))
    sel.finish()
    cnt = QSqlQuery(db)
    if exec_or_fail(cnt, "count", "SELECT count(*) FROM %s" % table) and cnt.next():
        check("row count after the write", 4, cnt.value(0))
    cnt.finish()
    db.close()
    return 0


rc = run()
QSqlDatabase.removeDatabase("clients")
sys.exit(1 if rc or failures else 0)

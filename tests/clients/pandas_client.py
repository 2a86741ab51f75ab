#!/usr/bin/python3
"""pandas_client.py — pandas as a data analyst uses it over pyodbc:
read_sql() into a DataFrame, DataFrame.to_sql(if_exists="append") for the
write (pandas' DBAPI fallback speaks SQLite's dialect with '?' markers, so
it runs unchanged through this driver), then read_sql() with a parameter to
read the row back. The connection keeps pyodbc's default, manual commit, as
most scripts do: to_sql() commits its own insert, so on a replica the write
travels as a committed transaction. DSN and table come from LSQ_CLIENT_DSN /
LSQ_CLIENT_TABLE.
Run by tests/integration/test_clients.sh with Debian's /usr/bin/python3.
"""
import os
import sys
import warnings

failures = 0


def check(what, expected, got):
    global failures
    if expected == got:
        print("ok   - %s" % what)
    else:
        failures += 1
        print("FAIL - %s\n       expected: %r\n       got:      %r" % (what, expected, got))


try:
    import pandas as pd
    import pyodbc
except ImportError as e:
    print("FAIL - cannot import (apt-get install python3-pandas python3-pyodbc): %s" % e)
    sys.exit(1)

# pandas warns that a raw DBAPI connection other than sqlite3 is untested;
# that is exactly the use being tested here.
warnings.filterwarnings("ignore", message=".*pandas only supports SQLAlchemy.*")

dsn = os.environ["LSQ_CLIENT_DSN"]
table = os.environ["LSQ_CLIENT_TABLE"]
cnxn = pyodbc.connect("DSN=%s" % dsn)  # pyodbc default: manual commit

# ---- read ---------------------------------------------------------------
df = pd.read_sql("SELECT id, name, qty, price FROM %s ORDER BY id" % table, cnxn)
check("columns", ["id", "name", "qty", "price"], list(df.columns))
check("ids", [1, 2, 3], df["id"].tolist())
check("names (non-ASCII intact)", ["alpha", "beta", "Zoë"], df["name"].tolist())
check("qty is integer", "int64", str(df["qty"].dtype))
check("price is float", "float64", str(df["price"].dtype))
check("prices", [1.5, 2.25, -3.0], df["price"].tolist())
check("sum(qty)", 60, int(df["qty"].sum()))

# ---- write --------------------------------------------------------------
new = pd.DataFrame([{"id": 4, "name": "delta ü", "qty": 40, "price": 4.75}])
written = new.to_sql(table, cnxn, if_exists="append", index=False)
# pandas sums cursor.rowcount, and pyodbc's executemany() leaves that at -1
# (the driver's SQLRowCount is checked by the other clients); the count
# below is the real check.
check("to_sql wrote through executemany", True, written in (1, -1))

# ---- read back ------------------------------------------------------------
back = pd.read_sql("SELECT id, name, qty, price FROM %s WHERE id = ?" % table, cnxn, params=[4])
check("written row read back",
      [(4, "delta ü", 40, 4.75)],
      [tuple(r) for r in back.itertuples(index=False)])
count = pd.read_sql("SELECT count(*) AS n FROM %s" % table, cnxn)["n"][0]
check("row count after the write", 4, int(count))

cnxn.close()
sys.exit(1 if failures else 0)

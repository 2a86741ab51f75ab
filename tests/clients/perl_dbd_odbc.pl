#!/usr/bin/perl
# perl_dbd_odbc.pl — Perl DBI with DBD::ODBC (Debian's libdbd-odbc-perl, a
# Unicode build: it uses the wide API). Reads the seeded rows with
# selectall_arrayref, inserts row 4 with placeholders through prepare/
# execute (SQLPrepare + SQLBindParameter + SQLExecute), reads it back with a
# bound placeholder. DSN and table from LSQ_CLIENT_DSN / LSQ_CLIENT_TABLE.
# Run by tests/integration/test_clients.sh.
use strict;
use warnings;
use utf8;
BEGIN {    # fail naming the package, not with a bare "Can't locate"
    eval { require DBI; require DBD::ODBC; 1 }
        or do { print "FAIL - DBI/DBD::ODBC missing (apt-get install libdbd-odbc-perl): $@"; exit 1 };
}
use DBI;
use Encode qw(decode encode);

binmode STDOUT, ':encoding(UTF-8)';
my $failures = 0;
sub check {
    my ($what, $expected, $got) = @_;
    $got = 'undef' unless defined $got;
    if ($expected eq $got) { print "ok   - $what\n"; }
    else { $failures++; print "FAIL - $what\n       expected: $expected\n       got:      $got\n"; }
}
# Rows as "a|b|c;..." so one comparison shows the whole difference.
sub flat {
    join ';', map { join '|', map { defined $_ ? text($_) : 'NULL' } @$_ } @{ $_[0] };
}
# A fetched value as characters: UTF-8 bytes from an ANSI build, already
# characters from a Unicode build.
my $wide_api = 0;
sub text { $wide_api ? $_[0] : decode('UTF-8', $_[0]) }

my $dsn = $ENV{LSQ_CLIENT_DSN} or die "LSQ_CLIENT_DSN not set\n";
my $t   = $ENV{LSQ_CLIENT_TABLE} or die "LSQ_CLIENT_TABLE not set\n";

my $dbh = DBI->connect("dbi:ODBC:$dsn", '', '',
                       { RaiseError => 1, PrintError => 0, AutoCommit => 1 })
    or die "connect failed: $DBI::errstr\n";
check('driver name', 'libsqlodbc.so', $dbh->get_info(6));    # SQL_DRIVER_NAME
$wide_api = $dbh->{odbc_has_unicode} ? 1 : 0;
print "# DBD::ODBC $DBD::ODBC::VERSION, odbc_has_unicode=$wide_api\n";

# ---- catalog (what DBIx::Class::Schema::Loader and friends call) -------
my $tables = $dbh->table_info(undef, undef, $t, 'TABLE')->fetchall_arrayref({});
check('table_info finds the table', "$t/TABLE",
      join(',', map { "$_->{TABLE_NAME}/$_->{TABLE_TYPE}" } @$tables));
my $columns = $dbh->column_info(undef, undef, $t, '%')->fetchall_arrayref({});
check('column_info names in order', 'id,name,qty,price',
      join(',', map { $_->{COLUMN_NAME} } @$columns));
check('primary_key', 'id', join(',', $dbh->primary_key(undef, undef, $t)));

# ---- read ---------------------------------------------------------------
my $cols = "id, name, qty, printf('%.2f', price)";
my $rows = $dbh->selectall_arrayref("SELECT $cols FROM $t ORDER BY id");
check('seeded rows', '1|alpha|10|1.50;2|beta|20|2.25;3|Zoë|30|-3.00', flat($rows));
my $sth = $dbh->prepare("SELECT id, name, qty, price FROM $t WHERE id = ?");
$sth->execute(2);
check('column names', 'id,name,qty,price', join(',', @{ $sth->{NAME_lc} }));
my $r = $sth->fetchrow_hashref;
check('row by placeholder', 'beta/20/2.25', "$r->{name}/$r->{qty}/$r->{price}");
$sth->finish;

# ---- write --------------------------------------------------------------
my $ins = $dbh->prepare("INSERT INTO $t(id, name, qty, price) VALUES (?, ?, ?, ?)");
my $n = $ins->execute(4, $wide_api ? 'delta ü' : encode('UTF-8', 'delta ü'), 40, 4.75);
check('insert affects one row', '1', $n);

# ---- a rolled-back transaction leaves no trace ------------------------------
$dbh->begin_work;
$ins->execute(5, 'rolled back', 50, 5.5);
my ($inside) = $dbh->selectrow_array("SELECT count(*) FROM $t");
check('inside a transaction begun after an autocommit write, reads see both', '5', $inside);
$dbh->rollback;

# ---- read back ------------------------------------------------------------
$rows = $dbh->selectall_arrayref("SELECT $cols FROM $t WHERE id = ?", undef, 4);
check('written row read back', '4|delta ü|40|4.75', flat($rows));
my ($count) = $dbh->selectrow_array("SELECT count(*) FROM $t");
check('row count after the write', '4', $count);

$dbh->disconnect;
exit($failures ? 1 : 0);

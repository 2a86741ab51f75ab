/*
 * setup.c — the driver setup library libsqlodbcS.so that unixODBC loads for
 * DSN editing.
 *
 * Owns three entry points:
 *  - ODBCINSTGetProperties: the list of every DSN key the driver understands,
 *    with its default, help text, and the kind of widget a configuration tool
 *    (ODBCConfig, odbcinst's property API, GUI front-ends) should show:
 *    list boxes for booleans and enumerations, a file picker for paths,
 *    password fields for secrets, text for everything else.
 *  - ConfigDSN: add / configure / remove a DSN from an attribute list
 *    (SQLConfigDataSource). There is no GUI here, so it never prompts; it
 *    writes exactly the attributes it is given.
 *  - ConfigDriver: install / remove hooks; nothing driver-specific to do.
 *
 * Memory contract (unixODBC's ODBCINSTDestructProperties): each property
 * node, its aPromptData ARRAY and its pszHelp string are freed with free();
 * the strings inside aPromptData are not, and nothing may point into this
 * library (odbcinst unloads it). So nodes and help texts are heap copies and
 * each choice list is one block holding both the pointers and the strings.
 *
 * The key list mirrors driver/connect.c (dsn_options_set) and the keys added
 * for replicas, logging and secrets; keep the two in step.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <odbcinstext.h>

/* unixODBC's headers use BOOL but only define TRUE/FALSE on some platforms. */
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* Choice lists (NULL-terminated); copied out by copy_choice_array. */
static const char *const k_bool[] = {"0", "1", NULL};
static const char *const k_log_levels[] = {"", "error", "warn", "info", "debug", NULL};

typedef struct {
    const char *name;
    const char *default_value;
    int prompt_type;
    const char *const *choices; /* NULL for free text / file / password */
    const char *help;
} dsn_key_info;

/* Every DSN key, in the order a user fills them in. Help texts are short
 * (tools show them as tooltips or one-line hints) and give the default. */
static const dsn_key_info k_keys[] = {
    {"Database", "", ODBCINST_PROMPTTYPE_FILENAME, NULL,
     "Local SQLite file (the replica file when SyncUrl is set). A file: prefix is accepted. "
     "Alias: Url."},
    {"Create", "0", ODBCINST_PROMPTTYPE_LISTBOX, k_bool,
     "1 = create the local file if it does not exist. Default 0: a missing file fails with 08001 "
     "(a replica with SyncUrl is always bootstrapped from the primary)."},
    {"ReadOnly", "0", ODBCINST_PROMPTTYPE_LISTBOX, k_bool,
     "1 = open the local file read-only: every write fails. Default 0."},
    {"SyncUrl", "", ODBCINST_PROMPTTYPE_TEXTEDIT, NULL,
     "Primary database URL: libsql:// (means https), https:// or http://. Empty = plain local "
     "file, no replication."},
    {"AuthToken", "", ODBCINST_PROMPTTYPE_TEXTEDIT_PASSWORD, NULL,
     "Bearer token sent to the primary (turso db tokens create). Prefer AuthTokenFile or "
     "AuthTokenEnv to keep it out of odbc.ini. Never logged."},
    {"AuthTokenFile", "", ODBCINST_PROMPTTYPE_FILENAME, NULL,
     "Read the token from the first line of this file. Refused (28000) unless only its "
     "owner can read it (chmod 600). Used when AuthToken and AuthTokenEnv give none."},
    {"AuthTokenEnv", "", ODBCINST_PROMPTTYPE_TEXTEDIT, NULL,
     "Read the token from this environment variable, e.g. TURSO_AUTH_TOKEN. Used when "
     "AuthToken is empty."},
    {"SyncInterval", "0", ODBCINST_PROMPTTYPE_TEXTEDIT, NULL,
     "Seconds between background pulls from the primary (one thread per replica file). "
     "Default 0 = pull only at connect, after own writes and on PRAGMA libsql_sync."},
    {"ReadYourWrites", "1", ODBCINST_PROMPTTYPE_LISTBOX, k_bool,
     "1 (default) = after a write forwarded to the primary, the next read pulls first so it "
     "sees that write."},
    {"Offline", "0", ODBCINST_PROMPTTYPE_LISTBOX, k_bool,
     "1 = writes land in the local file first and are pushed on sync. Default 0: writes go to "
     "the primary."},
    {"EncryptionKey", "", ODBCINST_PROMPTTYPE_TEXTEDIT_PASSWORD, NULL,
     "Encrypts the local file at rest. A wrong key fails with SQLSTATE 28000. Never logged."},
    {"Timeout", "5000", ODBCINST_PROMPTTYPE_TEXTEDIT, NULL,
     "Milliseconds to wait for a lock held by another connection or process before "
     "failing with HY000 (busy). Default 5000."},
    {"ConnectTimeout", "10", ODBCINST_PROMPTTYPE_TEXTEDIT, NULL,
     "Seconds allowed to connect to the primary. Default 10."},
    {"RequestTimeout", "60", ODBCINST_PROMPTTYPE_TEXTEDIT, NULL,
     "Seconds allowed for one request to the primary (pull or write); exceeding it is "
     "SQLSTATE HYT00. Default 60."},
    {"TlsCaFile", "", ODBCINST_PROMPTTYPE_FILENAME, NULL,
     "PEM file of CA certificates to trust for https:// / libsql:// primaries. Empty = system "
     "CA store."},
    {"TlsInsecure", "0", ODBCINST_PROMPTTYPE_LISTBOX, k_bool,
     "1 = do not verify the primary's TLS certificate. For tests only; never in production."},
    {"MaxTextLength", "65535", ODBCINST_PROMPTTYPE_TEXTEDIT, NULL,
     "Column size reported for TEXT columns without a declared length. Default 65535."},
    {"BigInt", "1", ODBCINST_PROMPTTYPE_LISTBOX, k_bool,
     "1 (default) = INTEGER columns are reported as SQL_BIGINT; 0 = SQL_INTEGER for tools "
     "that do not handle 64-bit integers."},
    {"NoWCHAR", "0", ODBCINST_PROMPTTYPE_LISTBOX, k_bool,
     "1 = report text columns as SQL_VARCHAR even to Unicode applications. Default 0."},
    {"LogFile", "", ODBCINST_PROMPTTYPE_FILENAME, NULL,
     "Append timestamped log lines (connects, syncs, forwarded writes, errors) to this file. "
     "Secrets are never written. LIBSQL_ODBC_LOG overrides it."},
    {"LogLevel", "", ODBCINST_PROMPTTYPE_LISTBOX, k_log_levels,
     "error, warn, info or debug. Default: warn when LogFile is set, else off. "
     "LIBSQL_ODBC_LOG_LEVEL overrides it."},
};

#define KEY_COUNT (sizeof k_keys / sizeof k_keys[0])

/* A heap copy of a NULL-terminated list of choices, pointer array and string
 * bytes in ONE block: unixODBC frees only the array, and it may unload this
 * library (lt_dlclose) before the caller reads the list, so the strings must
 * neither live in our static data nor be separate allocations (they would
 * leak). */
static char **copy_choice_array(const char *const *choices)
{
    size_t n = 0, bytes = 0;
    while (choices[n])
        bytes += strlen(choices[n++]) + 1;
    char **arr = malloc((n + 1) * sizeof *arr + bytes);
    if (!arr)
        return NULL;
    char *text = (char *)(arr + n + 1);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(choices[i]) + 1;
        memcpy(text, choices[i], len);
        arr[i] = text;
        text += len;
    }
    arr[n] = NULL;
    return arr;
}

static HODBCINSTPROPERTY new_property(const dsn_key_info *k)
{
    HODBCINSTPROPERTY p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->nPromptType = k->prompt_type;
    strncpy(p->szName, k->name, INI_MAX_PROPERTY_NAME);
    strncpy(p->szValue, k->default_value, INI_MAX_PROPERTY_VALUE);
    p->pszHelp = strdup(k->help);
    if (k->choices)
        p->aPromptData = copy_choice_array(k->choices);
    if (!p->pszHelp || (k->choices && !p->aPromptData)) {
        free(p->aPromptData);
        free(p->pszHelp);
        free(p);
        return NULL;
    }
    return p;
}

/* odbcinst has already added Name, Description and Driver and passes the last
 * node; we append ours. Walking to the end keeps this correct even if a
 * caller hands us the head of the list. */
int ODBCINSTGetProperties(HODBCINSTPROPERTY hLastProperty)
{
    if (!hLastProperty)
        return ODBCINST_ERROR;
    HODBCINSTPROPERTY last = hLastProperty;
    while (last->pNext)
        last = last->pNext;
    for (size_t i = 0; i < KEY_COUNT; i++) {
        HODBCINSTPROPERTY p = new_property(&k_keys[i]);
        if (!p)
            return ODBCINST_ERROR; /* nodes added so far are freed by the caller */
        last->pNext = p;
        last = p;
    }
    return ODBCINST_SUCCESS;
}

/* ---------- ConfigDSN ------------------------------------------------------ */

/* The attribute list is "key=value\0key=value\0\0". Returns a malloc'd copy
 * of the DSN= value, or NULL. */
static char *find_dsn_name(LPCSTR attrs)
{
    for (const char *a = attrs; a && *a; a += strlen(a) + 1) {
        if (!strncasecmp(a, "DSN=", 4))
            return strdup(a + 4);
    }
    return NULL;
}

static BOOL write_attributes(const char *dsn, LPCSTR attrs)
{
    for (const char *a = attrs; a && *a; a += strlen(a) + 1) {
        const char *eq = strchr(a, '=');
        if (!eq || eq == a)
            continue;
        size_t klen = (size_t)(eq - a);
        if (klen == 3 && !strncasecmp(a, "DSN", 3))
            continue;
        if (klen == 6 && !strncasecmp(a, "Driver", 6))
            continue; /* SQLWriteDSNToIni wrote the Driver line */
        char key[INI_MAX_PROPERTY_NAME + 1];
        if (klen > INI_MAX_PROPERTY_NAME)
            return FALSE;
        memcpy(key, a, klen);
        key[klen] = '\0';
        if (!SQLWritePrivateProfileString(dsn, key, eq + 1, "odbc.ini"))
            return FALSE;
    }
    return TRUE;
}

BOOL INSTAPI ConfigDSN(HWND hwndParent, WORD fRequest, LPCSTR lpszDriver, LPCSTR lpszAttributes)
{
    (void)hwndParent; /* no GUI: attributes are always taken as given */
    char *dsn = find_dsn_name(lpszAttributes);
    if (!dsn || !*dsn || !SQLValidDSN(dsn)) {
        SQLPostInstallerError(ODBC_ERROR_INVALID_DSN, "ConfigDSN needs a valid DSN=name attribute");
        free(dsn);
        return FALSE;
    }
    BOOL ok = FALSE;
    switch (fRequest) {
    case ODBC_ADD_DSN:
        ok = SQLWriteDSNToIni(dsn, lpszDriver ? lpszDriver : "libSQL") &&
             write_attributes(dsn, lpszAttributes);
        break;
    case ODBC_CONFIG_DSN:
        ok = write_attributes(dsn, lpszAttributes);
        break;
    case ODBC_REMOVE_DSN:
        ok = SQLRemoveDSNFromIni(dsn);
        break;
    default:
        SQLPostInstallerError(ODBC_ERROR_INVALID_REQUEST_TYPE, "ConfigDSN: unknown request");
        break;
    }
    free(dsn);
    return ok;
}

/* ---------- ConfigDriver --------------------------------------------------- */

static void put_message(LPSTR msg, WORD max, WORD *out, const char *text)
{
    size_t n = strlen(text);
    if (out)
        *out = (WORD)n;
    if (msg && max > 0) {
        size_t c = n < (size_t)(max - 1) ? n : (size_t)(max - 1);
        memcpy(msg, text, c);
        msg[c] = '\0';
    }
}

BOOL INSTAPI ConfigDriver(HWND hwndParent, WORD fRequest, LPCSTR lpszDriver, LPCSTR lpszArgs,
                          LPSTR lpszMsg, WORD cbMsgMax, WORD *pcbMsgOut)
{
    (void)hwndParent;
    (void)lpszDriver;
    (void)lpszArgs;
    switch (fRequest) {
    case ODBC_INSTALL_DRIVER:
        put_message(lpszMsg, cbMsgMax, pcbMsgOut, "libSQL driver installed");
        return TRUE;
    case ODBC_REMOVE_DRIVER:
        put_message(lpszMsg, cbMsgMax, pcbMsgOut, "libSQL driver removed");
        return TRUE;
    default:
        /* Driver-specific requests: the driver has no driver-wide options. */
        put_message(lpszMsg, cbMsgMax, pcbMsgOut,
                    "libSQL has no driver-wide options; configure DSNs instead");
        return TRUE;
    }
}

/*
 * crmql.h — the C interface of the CRMQL interpreter.
 *
 * Any language that can call C can embed CRMQL through these functions, in
 * the manner of SQLite's interface: open a database, run text with a row
 * callback (crmql_exec), or prepare a statement once and run it many times
 * with bound parameter values (crmql_prepare, crmql_bind_*, crmql_step,
 * crmql_column_*, crmql_finalize).
 *
 *     crmql_db *db;
 *     if (crmql_open_v2(NULL, CRMQL_OPEN_DEMO, NULL, &db) != CRMQL_OK) { ... crmql_errmsg(db) ...; }
 *     crmql_stmt *stmt;
 *     crmql_prepare(db, "select customers where points >= $min show name, points", &stmt);
 *     crmql_bind_int64(stmt, crmql_bind_parameter_index(stmt, "min"), 5000);
 *     while (crmql_step(stmt) == CRMQL_ROW)
 *         printf("%s %lld\n", crmql_column_text(stmt, 0), (long long)crmql_column_int64(stmt, 1));
 *     crmql_finalize(stmt);
 *     crmql_close(db);
 *
 * Memory ownership. Every pointer the library returns belongs to the
 * library unless a function's comment says otherwise; the comment also says
 * how long it stays valid. The one exception is the error message of
 * crmql_exec, which the caller frees with crmql_free. Text the caller passes
 * in is copied before the call returns, so the caller may free it at once.
 *
 * Threads. A crmql_db may be used from several threads: statements run one
 * at a time, and crmql_interrupt may be called from any thread while another
 * runs a statement. A crmql_stmt must be used by one thread at a time.
 * crmql_errmsg describes the last failure on the database from any thread,
 * so a program that shares a database reads it right after the failing call.
 *
 * Text is UTF-8 and NUL-terminated.
 */
#ifndef CRMQL_H
#define CRMQL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A database: the store, the session's definitions, and the interpreter. */
typedef struct crmql_db crmql_db;
/* One prepared statement of a database. */
typedef struct crmql_stmt crmql_stmt;

/* Result codes. */
#define CRMQL_OK          0   /* success */
#define CRMQL_ERROR       1   /* a statement failed: an unknown name, a type error, bad data */
#define CRMQL_SYNTAX      2   /* the text does not parse */
#define CRMQL_IO          3   /* a file could not be read or written, or safe mode refused it */
#define CRMQL_LIMIT       4   /* a limit was exceeded (see crmql_limit) */
#define CRMQL_INTERRUPT   5   /* crmql_interrupt stopped the statement */
#define CRMQL_ABORT       6   /* the crmql_exec callback asked to stop */
#define CRMQL_MISUSE      7   /* a NULL handle, a closed database, an unknown flag */
#define CRMQL_RANGE       8   /* a parameter or column index out of range */
#define CRMQL_NOMEM       9   /* out of memory */
#define CRMQL_ROW       100   /* crmql_step has a row ready */
#define CRMQL_DONE      101   /* crmql_step has finished */

/* Types of a value (crmql_column_type). */
#define CRMQL_NULL        0
#define CRMQL_INT         1
#define CRMQL_NUMBER      2
#define CRMQL_TEXT        3
#define CRMQL_BOOL        4
#define CRMQL_DATE        5
#define CRMQL_DATETIME    6
#define CRMQL_ENUM        7

/* Flags of crmql_open_v2. */
#define CRMQL_OPEN_SAFE   0x01   /* no statement may read or write a file */
#define CRMQL_OPEN_DEMO   0x02   /* start on the built-in demo data */
#define CRMQL_OPEN_DATABASE 0x04 /* the file is a database file, created when missing: every change is
                                    logged to it and fsync'ed before it reports success */
#define CRMQL_OPEN_READONLY 0x08 /* with CRMQL_OPEN_DATABASE: read it, even while another process writes it;
                                    refuse every change */

/* Limits (crmql_limit). */
#define CRMQL_LIMIT_TIME_MS        0   /* longest time one statement may run, in milliseconds */
#define CRMQL_LIMIT_RESULT_ROWS    1   /* most rows one result may have */
#define CRMQL_LIMIT_NESTING_DEPTH  2   /* deepest expression a statement may contain */
#define CRMQL_LIMIT_MEMORY_BYTES   3   /* most bytes one statement may materialise (an estimate) */
#define CRMQL_UNLIMITED  INT64_MAX   /* a limit's value when there is none */

/* The library's version, e.g. "0.1.0". Static: never freed. */
const char *crmql_libversion(void);

/* An English description of a result code. Static: never freed. */
const char *crmql_errstr(int code);

/*
 * Opens a database: empty and in memory when snapshot is NULL or "", else
 * the snapshot file that `save "<file>"` wrote. Equivalent to
 * crmql_open_v2(snapshot, 0, NULL, db).
 */
int crmql_open(const char *snapshot, crmql_db **db);

/*
 * Opens a database with flags (CRMQL_OPEN_*) and the session's `today`
 * (YYYY-MM-DD; NULL for the system date; the demo data fixes 2026-06-30).
 * On success *db is a new database. On failure *db is, when memory allows,
 * a database that only reports the error through crmql_errmsg; either way
 * the caller releases *db with crmql_close.
 * With CRMQL_OPEN_DATABASE, snapshot names a database file (opened or
 * created); a second writer of the same file fails with CRMQL_IO, and
 * crmql_close (of the last reference) folds its log into the file.
 */
int crmql_open_v2(const char *snapshot, int flags, const char *today, crmql_db **db);

/*
 * Releases the caller's database. Statements not yet finalized keep it alive
 * until they are; the database's memory is freed with the last of them.
 * NULL is harmless. Returns CRMQL_OK.
 */
int crmql_close(crmql_db *db);

/*
 * Called by crmql_exec once per result row: the number of columns, each
 * cell as text (NULL for null) and each column name. The arrays and strings
 * belong to the library and are valid only during the call. Returning
 * non-zero stops crmql_exec, which then returns CRMQL_ABORT.
 */
typedef int (*crmql_callback)(void *context, int column_count, const char *const *values, const char *const *names);

/*
 * Runs every statement of text in order, stopping at the first that fails
 * (which leaves the store as it was before it). callback may be NULL.
 * When errmsg is not NULL, *errmsg is set to NULL on success, or to a copy
 * of the error message that the caller frees with crmql_free.
 */
int crmql_exec(crmql_db *db, const char *text, crmql_callback callback, void *context, char **errmsg);

/* Frees memory the library handed over (the errmsg of crmql_exec). NULL is harmless. */
void crmql_free(void *pointer);

/*
 * Parses exactly one statement for running many times. *stmt is set to the
 * statement, or to NULL on failure. Release it with crmql_finalize.
 * Parameters ($name) are bound with crmql_bind_*; one left unbound takes the
 * session's value (`param $name = ...`), and is an error if it has none.
 */
int crmql_prepare(crmql_db *db, const char *text, crmql_stmt **stmt);

/* The database a statement belongs to. */
crmql_db *crmql_db_handle(crmql_stmt *stmt);

/* How many distinct parameters the statement uses. */
int crmql_bind_parameter_count(crmql_stmt *stmt);

/*
 * The name of parameter index (1-based, in order of first use), with its
 * "$"; NULL when out of range. Valid until crmql_finalize.
 */
const char *crmql_bind_parameter_name(crmql_stmt *stmt, int index);

/* The index of the parameter named name (with or without "$"); 0 when the statement does not use it. */
int crmql_bind_parameter_index(crmql_stmt *stmt, const char *name);

/*
 * Bind a value to parameter index (1-based) for the following runs; the
 * value is copied. CRMQL_RANGE for an index out of range. A value bound
 * while the statement is stepping through rows takes effect when it runs
 * again (after CRMQL_DONE or crmql_reset). Bound values never appear in
 * error messages.
 */
int crmql_bind_null(crmql_stmt *stmt, int index);
int crmql_bind_int64(crmql_stmt *stmt, int index, int64_t value);
int crmql_bind_double(crmql_stmt *stmt, int index, double value);   /* NaN and infinities bind null */
int crmql_bind_bool(crmql_stmt *stmt, int index, int value);        /* 0 is false, anything else true */
/* UTF-8 text of length bytes, or up to its NUL when bytes < 0. */
int crmql_bind_text(crmql_stmt *stmt, int index, const char *text, int bytes);
/* A date (YYYY-MM-DD) or datetime (YYYY-MM-DDTHH:MM:SS[Z|+HH:MM]) as ISO text; CRMQL_ERROR when it is neither. */
int crmql_bind_date(crmql_stmt *stmt, int index, const char *iso);

/* Forgets every bound value. */
int crmql_clear_bindings(crmql_stmt *stmt);

/*
 * Runs the statement, or moves to its next row. The first call runs it with
 * the bound values and returns CRMQL_ROW when a row is ready, CRMQL_DONE
 * when there is none (and for statements that return no rows), or an error
 * code (crmql_errmsg of the database says why). Each further call moves to
 * the next row. A call after CRMQL_DONE or an error runs the statement again.
 */
int crmql_step(crmql_stmt *stmt);

/* Makes the next crmql_step run the statement again; bound values stay. */
int crmql_reset(crmql_stmt *stmt);

/* Releases the statement and everything it returned. NULL is harmless. Returns CRMQL_OK. */
int crmql_finalize(crmql_stmt *stmt);

/* The number of result columns; 0 before the first crmql_step and for statements that return no rows. */
int crmql_column_count(crmql_stmt *stmt);

/* A column's name; NULL when out of range. Valid until the statement runs again, crmql_reset or crmql_finalize. */
const char *crmql_column_name(crmql_stmt *stmt, int column);

/*
 * A column's declared type as CRMQL writes it ("int", "number", "text",
 * "enum(bronze, silver, gold, platinum)", "ref customers"); NULL when out
 * of range. Valid as long as crmql_column_name.
 */
const char *crmql_column_decltype(crmql_stmt *stmt, int column);

/*
 * The current row's cell in column (0-based). Out of range, or with no
 * current row, a cell reads as null: type CRMQL_NULL, 0, 0.0, NULL.
 * crmql_column_type is the cell's type (CRMQL_NULL for a null cell).
 * crmql_column_int64 converts: a number toward zero (clamped), bool 1 or 0,
 * a date in days and a datetime in seconds since 1970-01-01, an enum's
 * position among its symbols, text that reads as an integer, else 0.
 * crmql_column_double converts the same way, keeping fractions.
 * crmql_column_text is any cell as text, the way CSV output writes it
 * (numbers in their shortest exact form, dates in ISO 8601), NULL for null;
 * valid until the next crmql_step, crmql_reset or crmql_finalize.
 * crmql_column_bytes is the length of that text in bytes, without its NUL.
 */
int crmql_column_type(crmql_stmt *stmt, int column);
int64_t crmql_column_int64(crmql_stmt *stmt, int column);
double crmql_column_double(crmql_stmt *stmt, int column);
const char *crmql_column_text(crmql_stmt *stmt, int column);
int crmql_column_bytes(crmql_stmt *stmt, int column);

/* The result code of the last call on the database (or one of its statements) that failed; CRMQL_OK after one that succeeded. */
int crmql_errcode(crmql_db *db);

/*
 * The message of that failure: "file:line:column: error: ..." with the
 * statement's line and a caret under the span, or "not an error". Valid
 * until the next call on the database or one of its statements.
 */
const char *crmql_errmsg(crmql_db *db);

/* The byte offset in the statement text where that failure is, or -1. */
int crmql_error_offset(crmql_db *db);

/*
 * The phase of that failure: "syntax", "semantic", "runtime", "io",
 * "limit", "interrupted", or for a misuse of this interface "misuse",
 * "range", "abort", "nomem"; "none" after a success. Static: never freed.
 */
const char *crmql_error_phase(crmql_db *db);

/*
 * Asks the statement running on the database to stop; it fails with
 * CRMQL_INTERRUPT and leaves the store unchanged. Callable from any thread.
 * With no statement running, it has no effect.
 */
void crmql_interrupt(crmql_db *db);

/*
 * Sets limit id (CRMQL_LIMIT_*) to value and returns its previous value;
 * CRMQL_UNLIMITED means no limit. A negative value leaves the limit as it
 * is (to read it). Returns -1 for an unknown id or a NULL database.
 */
int64_t crmql_limit(crmql_db *db, int id, int64_t value);

/* Flags of crmql_chart. */
#define CRMQL_CHART_TEXT     0x01   /* lines of text for a terminal instead of an SVG document */
#define CRMQL_CHART_UNICODE  0x02   /* with CRMQL_CHART_TEXT: block characters (else ASCII only) */
#define CRMQL_CHART_COLOR    0x04   /* with CRMQL_CHART_TEXT: 256-colour escape sequences */

/*
 * Runs the statements of text and draws the last result they return as a
 * chart: kind is "bar", "line", "funnel" or "heat", or NULL (or "") for the
 * kind the result suits (heat for cohorts(...), line along a date, else
 * bar). Without CRMQL_CHART_TEXT, *out is an SVG document headed by title
 * (NULL: what is drawn against what) and width is ignored; with it, lines
 * of text at most width columns wide (at least 24). *out is set to NULL on
 * failure, else to a string the caller frees with crmql_free. A result
 * whose columns do not fit the kind (a line over text labels) is
 * CRMQL_ERROR with the reason in crmql_errmsg; no result at all is too.
 */
int crmql_chart(crmql_db *db, const char *text, const char *kind, const char *title, int width, int flags, char **out);

/*
 * Whole results, copied out a column at a time: what a data frame library
 * needs to take a large result without a call per cell.
 *
 *     crmql_result *r = crmql_stmt_result(stmt);      (after crmql_step)
 *     int64_t n = crmql_result_row_count(r);
 *     int64_t *days = malloc(n * 8); uint8_t *valid = malloc(n);
 *     crmql_result_copy_int64(r, 0, days, valid, n);   (a date column: days since 1970)
 *     crmql_result_free(r);
 */
typedef struct crmql_result crmql_result;

/*
 * The whole result of the statement's last run, which the caller owns and
 * releases with crmql_result_free; it stays valid after the statement runs
 * again or is finalized. NULL before the first crmql_step and for
 * statements that return no rows.
 */
crmql_result *crmql_stmt_result(crmql_stmt *stmt);

/* Releases a result. NULL is harmless. */
void crmql_result_free(crmql_result *result);

/* The number of rows and of columns. */
int64_t crmql_result_row_count(crmql_result *result);
int crmql_result_column_count(crmql_result *result);

/* A column's name and declared type (as crmql_column_decltype); NULL out of range. Valid until crmql_result_free. */
const char *crmql_result_column_name(crmql_result *result, int column);
const char *crmql_result_column_decltype(crmql_result *result, int column);

/*
 * How a column keeps its cells, which says which copy function reads it
 * without conversion: CRMQL_INT (int, and ref to integer keys),
 * CRMQL_NUMBER, CRMQL_TEXT (text, and ref to text keys), CRMQL_BOOL,
 * CRMQL_DATE, CRMQL_DATETIME, CRMQL_ENUM, or CRMQL_NULL (every cell null,
 * or out of range).
 */
int crmql_result_column_storage(crmql_result *result, int column);

/* An enum column's symbols in declared order (a cell's code is its symbol's index); 0 and NULL for other columns. Valid until crmql_result_free. */
int crmql_result_enum_count(crmql_result *result, int column);
const char *crmql_result_enum_symbol(crmql_result *result, int column, int index);

/*
 * Copy the first count cells of a column into values, and 1 (present) or
 * 0 (null, whose value is then 0) into valid. As integers: int, bool 1 or
 * 0, a date in days and a datetime in seconds since 1970-01-01, an enum's
 * code, a number toward zero; as doubles the same, keeping fractions.
 * Return the number of cells copied: 0 for a text column.
 */
int64_t crmql_result_copy_int64(crmql_result *result, int column, int64_t *values, uint8_t *valid, int64_t count);
int64_t crmql_result_copy_double(crmql_result *result, int column, double *values, uint8_t *valid, int64_t count);

/* The UTF-8 bytes of every cell of a column as text (as crmql_column_text writes it), nulls counting none. */
int64_t crmql_result_text_bytes(crmql_result *result, int column);

/*
 * Copies every cell of a column as text, laid out as an Arrow string array:
 * the cells' bytes one after the other in bytes (capacity at least
 * crmql_result_text_bytes), cell i from offsets[i] to offsets[i + 1]
 * (offsets holds rows + 1 entries), valid[i] 1 or 0 (a null is empty). No
 * NUL is written. rows must be crmql_result_row_count. CRMQL_RANGE when a
 * buffer is too small or the column out of range.
 */
int crmql_result_copy_text(crmql_result *result, int column, char *bytes, int64_t capacity,
                           int64_t *offsets, uint8_t *valid, int64_t rows);

/*
 * A result drawn as a chart, as crmql_chart draws the result of a query
 * (kind, title, width and the CRMQL_CHART_* flags the same), for a host
 * that holds the result already and should not run the query again. Returns
 * CRMQL_OK with *out the chart, or CRMQL_ERROR with *out NULL and, when
 * errmsg is not NULL, *errmsg saying why (an unknown kind, columns that do
 * not fit it); the caller frees both with crmql_free. CRMQL_MISUSE for a
 * NULL result or out.
 */
int crmql_result_chart(crmql_result *result, const char *kind, const char *title, int width, int flags,
                       char **out, char **errmsg);

/* The kind a result suits: "heat" for a grid such as cohorts(...), "line" along dates, else "bar". Static: never freed. */
const char *crmql_result_chart_kind(crmql_result *result);

/*
 * Scripts: a text of several statements run one output at a time, the way
 * a notebook cell runs. A failing statement leaves the store as it was
 * before it; the script moves past it, so the caller may stop or go on.
 *
 *     crmql_script *script;
 *     crmql_script_open(db, "define ...; select ...", "cell", &script);
 *     crmql_result *rows; char *text; int rc;
 *     while ((rc = crmql_script_next(script, &rows, &text)) != CRMQL_DONE) { ... }
 *     crmql_script_close(script);
 */
typedef struct crmql_script crmql_script;

/*
 * Parses text (source_name names it in error messages; NULL for "<input>").
 * Syntax errors are not reported here but by crmql_script_next, in their
 * place among the statements. Release the script with crmql_script_close.
 */
int crmql_script_open(crmql_db *db, const char *text, const char *source_name, crmql_script **script);

/*
 * Hands over the next output, running the next statement when the last
 * one's outputs are all handed over: CRMQL_ROW with *result a result the
 * caller releases with crmql_result_free; CRMQL_OK with *text a message or
 * text (explain's plan, "3 customers updated") the caller frees with
 * crmql_free, or NULL for a statement that produced nothing; CRMQL_DONE
 * after the last statement; or the failing statement's error code
 * (crmql_errmsg says why). result and text may be NULL to ignore them.
 */
int crmql_script_next(crmql_script *script, crmql_result **result, char **text);

/* The byte range in the text of the statement (or error) crmql_script_next reported last; -1 before any. */
int crmql_script_range(crmql_script *script, int *start, int *end);

/* Releases a script; statements not run yet never run. NULL is harmless. */
void crmql_script_close(crmql_script *script);

/*
 * Completion of a statement being typed, for an editor or a notebook:
 * the words that may replace the text from *start to cursor (a byte
 * offset), one per line, in the order to offer them (keywords, entity and
 * field names, enum symbols in declared order, parameters, file names
 * inside a string); "" when none fits. The caller frees the text with
 * crmql_free. NULL for a closed database.
 */
char *crmql_complete(crmql_db *db, const char *text, int cursor, int *start);

/*
 * What the database knows of the name at cursor (a byte offset): an
 * entity's fields, a field's type, a computed field's definition (a
 * measure of the CRM prelude included), a parameter, a named query or a
 * function. The caller frees the text with crmql_free; NULL when the cursor
 * is on no known name.
 */
char *crmql_inspect(crmql_db *db, const char *text, int cursor);

#ifdef __cplusplus
}
#endif

#endif /* CRMQL_H */

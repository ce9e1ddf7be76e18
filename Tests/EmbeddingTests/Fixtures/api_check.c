/*
 * Checks the promises of crmql.h that the example does not show: misuse
 * with NULL handles, index ranges, conversions, ownership, aborting exec,
 * re-running a statement, hidden parameter values, limits and failed opens.
 * Prints "ok" and exits 0 when every check holds; otherwise names the
 * first that failed and exits 1.
 */
#include <crmql.h>

#include <stdio.h>
#include <string.h>

static int failures = 0;

#define CHECK(condition) do { \
    if (!(condition)) { fprintf(stderr, "line %d: check failed: %s\n", __LINE__, #condition); failures++; } \
} while (0)

static int stop_after_first(void *context, int count, const char *const *values, const char *const *names) {
    (void)count; (void)values; (void)names;
    int *calls = context;
    *calls += 1;
    return 1;
}

int main(int argc, char **argv) {
    const char *snapshot = argc > 1 ? argv[1] : NULL;

    /* NULL handles are harmless or reported as misuse. */
    CHECK(crmql_close(NULL) == CRMQL_OK);
    CHECK(crmql_finalize(NULL) == CRMQL_OK);
    CHECK(crmql_step(NULL) == CRMQL_MISUSE);
    CHECK(crmql_errcode(NULL) == CRMQL_MISUSE);
    CHECK(crmql_column_text(NULL, 0) == NULL);
    CHECK(crmql_limit(NULL, CRMQL_LIMIT_RESULT_ROWS, 1) == -1);
    crmql_interrupt(NULL);
    CHECK(strcmp(crmql_errstr(CRMQL_DONE), "no more rows") == 0);

    /* A failed open still hands out a handle that reports why. */
    crmql_db *missing = NULL;
    CHECK(crmql_open("/nonexistent/folder/none.crmqlsnap", &missing) == CRMQL_IO);
    CHECK(missing != NULL);
    CHECK(crmql_errcode(missing) == CRMQL_IO);
    CHECK(strstr(crmql_errmsg(missing), "none.crmqlsnap") != NULL);
    crmql_stmt *none = NULL;
    CHECK(crmql_prepare(missing, "select customers", &none) == CRMQL_MISUSE);
    CHECK(none == NULL);
    crmql_close(missing);

    crmql_db *flagged = NULL;
    CHECK(crmql_open_v2(NULL, 0x100, NULL, &flagged) == CRMQL_MISUSE);
    crmql_close(flagged);

    crmql_db *db = NULL;
    CHECK(crmql_open_v2(NULL, 0, "2026-06-30", &db) == CRMQL_OK);
    CHECK(crmql_errcode(db) == CRMQL_OK);
    CHECK(crmql_exec(db,
        "create entity people (id int key, name text, score number, active bool, born date, level enum(low, high))\n"
        "insert into people (id, name, score, active, born, level) values "
        "(1, 'Ann', 2.5, true, 1990-04-01, high), (2, 'Bo', null, false, null, low), (3, 'Cy', -7.75, true, 2001-12-31, low)",
        NULL, NULL, NULL) == CRMQL_OK);

    /* exec: a callback that returns non-zero stops everything after it. */
    int calls = 0;
    char *message = NULL;
    CHECK(crmql_exec(db, "select people; insert into people (id, name) values (4, 'Di')", stop_after_first, &calls, &message) == CRMQL_ABORT);
    CHECK(calls == 1);
    CHECK(message != NULL);
    crmql_free(message);
    crmql_stmt *count = NULL;
    CHECK(crmql_prepare(db, "select count people", &count) == CRMQL_OK);
    CHECK(crmql_step(count) == CRMQL_ROW);
    CHECK(crmql_column_int64(count, 0) == 3);
    crmql_finalize(count);

    /* prepare: exactly one statement. */
    crmql_stmt *two = NULL;
    CHECK(crmql_prepare(db, "select people; select people", &two) == CRMQL_SYNTAX);
    CHECK(two == NULL);

    /* Parameters: indexes, names, ranges. */
    crmql_stmt *stmt = NULL;
    CHECK(crmql_prepare(db, "select people where score >= $min or name = $name order by id show id, name, score, active, born, level", &stmt) == CRMQL_OK);
    CHECK(crmql_db_handle(stmt) == db);
    CHECK(crmql_bind_parameter_count(stmt) == 2);
    CHECK(strcmp(crmql_bind_parameter_name(stmt, 1), "$min") == 0);
    CHECK(crmql_bind_parameter_name(stmt, 3) == NULL);
    CHECK(crmql_bind_parameter_index(stmt, "name") == 2);
    CHECK(crmql_bind_parameter_index(stmt, "$name") == 2);
    CHECK(crmql_bind_parameter_index(stmt, "other") == 0);
    CHECK(crmql_bind_int64(stmt, 0, 1) == CRMQL_RANGE);
    CHECK(crmql_bind_int64(stmt, 3, 1) == CRMQL_RANGE);
    CHECK(crmql_errcode(db) == CRMQL_RANGE);
    CHECK(crmql_column_count(stmt) == 0);

    /* Unbound: the statement names the parameter. */
    CHECK(crmql_step(stmt) == CRMQL_ERROR);
    CHECK(strstr(crmql_errmsg(db), "$min") != NULL);
    CHECK(crmql_error_offset(db) > 0);

    CHECK(crmql_bind_double(stmt, 1, 0.0) == CRMQL_OK);
    CHECK(crmql_bind_text(stmt, 2, "Bo and more", 2) == CRMQL_OK);
    CHECK(crmql_step(stmt) == CRMQL_ROW);
    CHECK(crmql_column_count(stmt) == 6);
    CHECK(strcmp(crmql_column_name(stmt, 2), "score") == 0);
    CHECK(crmql_column_name(stmt, 6) == NULL);
    CHECK(strcmp(crmql_column_decltype(stmt, 5), "enum(low, high)") == 0);
    CHECK(crmql_column_type(stmt, 0) == CRMQL_INT);
    CHECK(crmql_column_type(stmt, 2) == CRMQL_NUMBER);
    CHECK(crmql_column_type(stmt, 3) == CRMQL_BOOL);
    CHECK(crmql_column_type(stmt, 4) == CRMQL_DATE);
    CHECK(crmql_column_type(stmt, 5) == CRMQL_ENUM);
    CHECK(crmql_column_type(stmt, 99) == CRMQL_NULL);
    CHECK(crmql_column_int64(stmt, 2) == 2);
    CHECK(crmql_column_double(stmt, 2) == 2.5);
    CHECK(strcmp(crmql_column_text(stmt, 2), "2.5") == 0);
    CHECK(crmql_column_bytes(stmt, 1) == 3);
    CHECK(strcmp(crmql_column_text(stmt, 4), "1990-04-01") == 0);
    CHECK(crmql_column_int64(stmt, 5) == 1);
    CHECK(strcmp(crmql_column_text(stmt, 5), "high") == 0);
    /* The same pointer until the row changes. */
    CHECK(crmql_column_text(stmt, 1) == crmql_column_text(stmt, 1));

    CHECK(crmql_step(stmt) == CRMQL_ROW);
    CHECK(crmql_column_int64(stmt, 0) == 2);
    CHECK(crmql_column_type(stmt, 2) == CRMQL_NULL);
    CHECK(crmql_column_text(stmt, 2) == NULL);
    CHECK(crmql_column_bytes(stmt, 2) == 0);
    CHECK(crmql_column_double(stmt, 2) == 0.0);
    CHECK(crmql_step(stmt) == CRMQL_DONE);
    CHECK(crmql_column_type(stmt, 0) == CRMQL_NULL);

    /* After DONE, a step runs the statement again with the new values. */
    CHECK(crmql_bind_double(stmt, 1, -100.0) == CRMQL_OK);
    CHECK(crmql_bind_null(stmt, 2) == CRMQL_OK);
    int rows = 0;
    int code;
    while ((code = crmql_step(stmt)) == CRMQL_ROW) rows++;
    CHECK(code == CRMQL_DONE);
    CHECK(rows == 2);
    CHECK(crmql_reset(stmt) == CRMQL_OK);
    CHECK(crmql_clear_bindings(stmt) == CRMQL_OK);
    CHECK(crmql_step(stmt) == CRMQL_ERROR);
    crmql_finalize(stmt);

    /* Bound values never appear in a message. */
    crmql_stmt *insert = NULL;
    CHECK(crmql_prepare(db, "insert into people (id, name, level) values (9, 'Ed', $level)", &insert) == CRMQL_OK);
    CHECK(crmql_bind_text(insert, 1, "ultra-secret-level", -1) == CRMQL_OK);
    CHECK(crmql_step(insert) == CRMQL_ERROR);
    CHECK(strstr(crmql_errmsg(db), "ultra-secret-level") == NULL);
    CHECK(strstr(crmql_errmsg(db), "$level") != NULL);
    CHECK(crmql_bind_date(insert, 1, "not a date at all") == CRMQL_ERROR);
    CHECK(strstr(crmql_errmsg(db), "not a date at all") == NULL);
    crmql_finalize(insert);

    crmql_stmt *dated = NULL;
    CHECK(crmql_prepare(db, "select count people where born >= $since", &dated) == CRMQL_OK);
    CHECK(crmql_bind_date(dated, 1, "2000-01-01") == CRMQL_OK);
    CHECK(crmql_step(dated) == CRMQL_ROW);
    CHECK(crmql_column_int64(dated, 0) == 1);
    crmql_finalize(dated);

    /* Limits: read, set, read back, remove. */
    CHECK(crmql_limit(db, CRMQL_LIMIT_RESULT_ROWS, -1) == CRMQL_UNLIMITED);
    CHECK(crmql_limit(db, CRMQL_LIMIT_RESULT_ROWS, 2) == CRMQL_UNLIMITED);
    CHECK(crmql_limit(db, CRMQL_LIMIT_RESULT_ROWS, -1) == 2);
    CHECK(crmql_exec(db, "select people", NULL, NULL, NULL) == CRMQL_LIMIT);
    CHECK(crmql_limit(db, CRMQL_LIMIT_RESULT_ROWS, CRMQL_UNLIMITED) == 2);
    CHECK(crmql_exec(db, "select people", NULL, NULL, NULL) == CRMQL_OK);
    CHECK(crmql_limit(db, CRMQL_LIMIT_TIME_MS, 1500) == CRMQL_UNLIMITED);
    CHECK(crmql_limit(db, CRMQL_LIMIT_TIME_MS, -1) == 1500);
    CHECK(crmql_limit(db, 42, 1) == -1);

    /* A statement outlives crmql_close of its database. */
    crmql_stmt *late = NULL;
    CHECK(crmql_prepare(db, "select count people", &late) == CRMQL_OK);
    crmql_close(db);
    CHECK(crmql_step(late) == CRMQL_ROW);
    CHECK(crmql_column_int64(late, 0) == 3);
    crmql_finalize(late);

    /* A snapshot opens, in safe mode too. */
    if (snapshot) {
        crmql_db *saved = NULL;
        CHECK(crmql_open_v2(snapshot, CRMQL_OPEN_SAFE, NULL, &saved) == CRMQL_OK);
        crmql_stmt *people = NULL;
        CHECK(crmql_prepare(saved, "select count people", &people) == CRMQL_OK);
        CHECK(crmql_step(people) == CRMQL_ROW);
        CHECK(crmql_column_int64(people, 0) == 2);
        crmql_finalize(people);
        CHECK(crmql_exec(saved, "save 'elsewhere.crmqlsnap'", NULL, NULL, NULL) == CRMQL_IO);
        crmql_close(saved);
    }

    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}

/*
 * A C program that embeds CRMQL through crmql.h: it opens the demo data,
 * runs text with a row callback, prepares a query once and runs it with
 * different parameter values, and shows how a failure is reported.
 *
 *     swift build
 *     cc main.c -I ../../../Sources/CCRMQL/include -L ../../../.build/debug -lcrmql_c \
 *        -Wl,-rpath,../../../.build/debug -o crmql-c-example && ./crmql-c-example
 */
#include <crmql.h>

#include <stdio.h>

/* Prints each row crmql_exec hands over as "name=value" pairs. */
static int print_row(void *context, int column_count, const char *const *values, const char *const *names) {
    int *rows = context;
    *rows += 1;
    for (int column = 0; column < column_count; column++)
        printf("%s%s=%s", column ? " " : "  ", names[column], values[column] ? values[column] : "NULL");
    printf("\n");
    return 0;
}

/* Reports a failure and says whether there was one. */
static int failed(crmql_db *db, int code, const char *what) {
    if (code == CRMQL_OK || code == CRMQL_DONE || code == CRMQL_ROW) return 0;
    fprintf(stderr, "%s failed (%s):\n%s\n", what, crmql_errstr(code), crmql_errmsg(db));
    return 1;
}

int main(void) {
    crmql_db *db = NULL;
    int code = crmql_open_v2(NULL, CRMQL_OPEN_DEMO | CRMQL_OPEN_SAFE, NULL, &db);
    if (failed(db, code, "crmql_open_v2")) {
        crmql_close(db);
        return 1;
    }
    printf("crmql %s\n", crmql_libversion());

    /* Text with a row callback: one row per stage. */
    int rows = 0;
    char *message = NULL;
    code = crmql_exec(db, "select customers group by stage show stage, count() as customers", print_row, &rows, &message);
    if (code != CRMQL_OK) {
        fprintf(stderr, "crmql_exec: %s\n", message);
        crmql_free(message);
        crmql_close(db);
        return 1;
    }
    printf("%d stages\n", rows);

    /* Prepared once, run for two thresholds. */
    crmql_stmt *stmt = NULL;
    code = crmql_prepare(db,
        "select customers where tier = $tier and points >= $min order by points limit 3 show name, tier, points, signup",
        &stmt);
    if (failed(db, code, "crmql_prepare")) {
        crmql_close(db);
        return 1;
    }
    printf("%d parameters: %s %s\n", crmql_bind_parameter_count(stmt),
           crmql_bind_parameter_name(stmt, 1), crmql_bind_parameter_name(stmt, 2));
    const int64_t thresholds[] = {1000, 4000};
    for (int run = 0; run < 2; run++) {
        crmql_bind_text(stmt, crmql_bind_parameter_index(stmt, "$tier"), "gold", -1);
        crmql_bind_int64(stmt, crmql_bind_parameter_index(stmt, "min"), thresholds[run]);
        printf("gold customers with at least %lld points:\n", (long long)thresholds[run]);
        while ((code = crmql_step(stmt)) == CRMQL_ROW) {
            printf("  %s | %s | %lld | %s (%s)\n", crmql_column_text(stmt, 0), crmql_column_text(stmt, 1),
                   (long long)crmql_column_int64(stmt, 2), crmql_column_text(stmt, 3), crmql_column_decltype(stmt, 3));
        }
        if (failed(db, code, "crmql_step")) {
            crmql_finalize(stmt);
            crmql_close(db);
            return 1;
        }
        crmql_reset(stmt);
    }
    crmql_finalize(stmt);

    /* A failure: the code, and the message with a caret under the span. */
    code = crmql_exec(db, "select customers where loyality > 0.8", NULL, NULL, NULL);
    printf("error %d (%s) at byte %d:\n%s\n", code, crmql_errstr(code), crmql_error_offset(db), crmql_errmsg(db));

    /* A limit: at most 5 result rows. */
    crmql_limit(db, CRMQL_LIMIT_RESULT_ROWS, 5);
    code = crmql_exec(db, "select customers", NULL, NULL, NULL);
    printf("limit: %s\n", crmql_errstr(code));

    crmql_close(db);
    return 0;
}

/* The C block of the catalog's "Embedding from C" article, as a program:
 * DocumentationSnippetTests checks the article's lines are here and
 * ExamplesTests compiles and runs it. */
#include <crmql.h>
#include <stdio.h>

int main(void) {
    crmql_db *db;
    crmql_stmt *stmt;
    crmql_open_v2(NULL, CRMQL_OPEN_DEMO, NULL, &db);
    crmql_prepare(db, "select customers where points >= $min show name, points", &stmt);
    crmql_bind_int64(stmt, crmql_bind_parameter_index(stmt, "min"), 5000);
    while (crmql_step(stmt) == CRMQL_ROW)
        printf("%s %lld\n", crmql_column_text(stmt, 0), (long long)crmql_column_int64(stmt, 1));
    crmql_finalize(stmt);
    crmql_close(db);
    return 0;
}

/*
 * The parts of the C interface that need no interpreter: static strings
 * and freeing. Everything else is implemented in Swift (Sources/CRMQLC)
 * and exported under the names crmql.h declares.
 */
#include "crmql.h"

#include <stdlib.h>

const char *crmql_libversion(void) {
    return "0.1.0";
}

const char *crmql_errstr(int code) {
    switch (code) {
    case CRMQL_OK: return "not an error";
    case CRMQL_ERROR: return "the statement failed";
    case CRMQL_SYNTAX: return "syntax error";
    case CRMQL_IO: return "file error";
    case CRMQL_LIMIT: return "a limit was exceeded";
    case CRMQL_INTERRUPT: return "interrupted";
    case CRMQL_ABORT: return "the callback asked to stop";
    case CRMQL_MISUSE: return "the interface was misused";
    case CRMQL_RANGE: return "index out of range";
    case CRMQL_NOMEM: return "out of memory";
    case CRMQL_ROW: return "another row is ready";
    case CRMQL_DONE: return "no more rows";
    default: return "unknown result code";
    }
}

void crmql_free(void *pointer) {
    free(pointer);
}

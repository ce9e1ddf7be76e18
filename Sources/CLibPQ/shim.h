// libpq, PostgreSQL's own C client (the one psql uses), for
// `crmql --engine postgresql://…`: the connection string, PG* variables,
// ~/.pgpass, service files and cancellation then behave exactly as in psql.
#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif

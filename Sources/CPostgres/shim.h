#ifndef ANALYTICS_CPOSTGRES_SHIM_H
#define ANALYTICS_CPOSTGRES_SHIM_H
#include <libpq-fe.h>
#endif

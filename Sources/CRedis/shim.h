#ifndef ANALYTICS_CREDIS_SHIM_H
#define ANALYTICS_CREDIS_SHIM_H
#include <hiredis.h>
#include <sys/time.h>

/// The reply type constants of hiredis are macros; Swift imports them, but a typed helper keeps the
/// reply walking in Swift free of casts.
static inline int analytics_redis_reply_type(const redisReply *reply) { return reply->type; }
#endif

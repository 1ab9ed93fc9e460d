// GNU libmicrohttpd, imported by CustomUIServer alone. MHD's start and info calls are variadic,
// which Swift cannot call: the fixed-argument wrappers below are the only C written by hand.
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// Starts a daemon on `addr` with the options CustomUIServer uses (see docs/decisions/server-threading.md).
static inline struct MHD_Daemon *cui_mhd_start(
    unsigned int flags, const struct sockaddr *addr, MHD_AccessHandlerCallback handler, void *cls,
    MHD_RequestCompletedCallback completed, unsigned int connection_limit, unsigned int timeout_seconds,
    size_t memory_limit, unsigned int thread_pool)
{
    if (thread_pool > 1) {
        return MHD_start_daemon(flags, 0, NULL, NULL, handler, cls,
            MHD_OPTION_SOCK_ADDR, addr,
            MHD_OPTION_NOTIFY_COMPLETED, completed, cls,
            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
            MHD_OPTION_THREAD_POOL_SIZE, thread_pool,
            MHD_OPTION_END);
    }
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, cls,
        MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_NOTIFY_COMPLETED, completed, cls,
        MHD_OPTION_CONNECTION_LIMIT, connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
        MHD_OPTION_END);
}

/// The port a daemon bound (the one the kernel chose for port 0).
static inline uint16_t cui_mhd_bound_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

// Constants Swift cannot import as written (closed enums with a shared prefix, a cast macro).
static const enum MHD_Result CUI_MHD_YES = MHD_YES;
static const enum MHD_Result CUI_MHD_NO = MHD_NO;
static const enum MHD_ValueKind CUI_MHD_HEADER_KIND = MHD_HEADER_KIND;
static const enum MHD_ValueKind CUI_MHD_GET_ARGUMENT_KIND = MHD_GET_ARGUMENT_KIND;
static const enum MHD_ResponseMemoryMode CUI_MHD_RESPMEM_MUST_COPY = MHD_RESPMEM_MUST_COPY;
static const uint64_t CUI_MHD_SIZE_UNKNOWN = MHD_SIZE_UNKNOWN;

#include "dronewall/status.h"

static const char *const messages[] = {
#define DW_STATUS_MSG(code, msg) msg,
    DW_STATUS_LIST(DW_STATUS_MSG)
#undef DW_STATUS_MSG
};

static const char *const names[] = {
#define DW_STATUS_NAME(code, msg) #code,
    DW_STATUS_LIST(DW_STATUS_NAME)
#undef DW_STATUS_NAME
};

const char *dw_status_str(dw_status s)
{
    if ((unsigned)s >= DW_STATUS_COUNT)
        return "unknown status";
    return messages[s];
}

const char *dw_status_name(dw_status s)
{
    if ((unsigned)s >= DW_STATUS_COUNT)
        return "DW_UNKNOWN";
    return names[s];
}

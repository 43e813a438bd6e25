/*
 * relay: every message (text or binary) goes verbatim to every other
 * connection of the room. Freestanding (no libc); the benchmark party.
 */
#include "partyhost.h"

static int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind)
{
    int32_t r = ph_broadcast_except(data, len, kind, conn);
    return r < 0 ? r : 0;
}

PH_ON_MESSAGE(on_message)

package dev.partyhost.room;

import java.util.List;

/** The HTTP response a guest set with {@code respond}; headers alternate name and value. */
public record RoomResponse(int status, List<String> headers, byte[] body) {}

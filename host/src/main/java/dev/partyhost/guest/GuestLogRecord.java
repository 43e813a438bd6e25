package dev.partyhost.guest;

import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A guest's log line: its message begins with the room's {@code [party/room]} tag (for the text log),
 * and it keeps party, room and the guest's own text apart (for the JSON log, where a room id with a
 * {@code /} or a {@code ]} in it must not be parsed back out of the tag).
 */
public final class GuestLogRecord extends LogRecord {
  private static final long serialVersionUID = 1L;

  private final String party;
  private final String room;
  private final String text;

  GuestLogRecord(Level level, String tag, String party, String room, String text) {
    super(level, tag + text);
    this.party = party;
    this.room = room;
    this.text = text;
  }

  public String party() {
    return party;
  }

  public String room() {
    return room;
  }

  /** The line without its tag. */
  public String text() {
    return text;
  }
}

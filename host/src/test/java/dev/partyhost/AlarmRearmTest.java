package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An alarm hook that sets its alarm to the time that just fired (0, or a time now past) fires again:
 * a write that sets the alarm reschedules it, even to the same value (issue 11, item 4). Driven through
 * the "kv" test guest: "alarmat T" sets the alarm, "rearm N" makes its next N runs set T again.
 */
class AlarmRearmTest {
  @ParameterizedTest(name = "alarm at {0} ms from now (0: the epoch)")
  @ValueSource(longs = {0, 50})
  void anAlarmSetAgainToTheTimeThatFiredFiresAgain(long fromNow) throws InterruptedException {
    try (TestHost host = TestHost.start()) {
      String room = "/parties/kv/" + UUID.randomUUID();
      long at = fromNow == 0 ? 0 : System.currentTimeMillis() + fromNow;
      assertEquals("rearm 0", host.post(room, "rearm 3").body());
      assertEquals("alarmat 0", host.post(room, "alarmat " + at).body());
      // The first run and three re-armed ones, then the alarm is gone.
      Poll.until(() -> host.post(room, "get alarms").body().equals("get 4"), 10_000);
      Poll.until(() -> host.post(room, "alarmget").body().equals("alarmget ?-1"), 10_000);
      assertEquals("get 0", host.post(room, "get rearm").body());
    }
  }
}

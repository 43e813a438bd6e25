package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One client message cannot make a guest write megabytes of log (issue 11): each hook may write
 * maxLogBytesPerHook of log lines, then its lines are dropped with one warning; the next hook has its
 * budget again. Driven by hostile-c's "logmany N": N lines of 1 KiB in one hook.
 */
class LogBudgetTest {
  @Test
  void aHookWritesItsBudgetOfLogLinesAndNoMore() {
    try (LogCapture log = new LogCapture("partyhost.guest");
        TestHost host = TestHost.start(c -> c.maxLogBytesPerHook = 8 * 1024);
        Ws ws = host.ws("/parties/hostile-c/chatty")) {
      ws.send("logmany 1000").expectText("logged many"); // 1 MB asked for
      ws.send("logmany 2").expectText("logged many"); // a new hook, a new budget
      List<String> lines =
          log.messages().stream().filter(m -> m.startsWith("[hostile-c/chatty] ")).toList();
      String warning =
          "[hostile-c/chatty] log budget of 8192 bytes for this hook spent: its further lines are"
              + " dropped";
      assertEquals(8 + 1 + 2, lines.size(), lines.toString()); // 8 lines of 1 KiB, the warning, 2
      assertEquals(warning, lines.get(8));
    }
  }
}

package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.scenario.Scenario;
import dev.partyhost.scenario.ScenarioRunner;
import dev.partyhost.support.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The scenario runner ({@code test-party}): the examples' scenario files pass against their modules
 * (C, Rust, and a hand-written WAT guest), and a scenario that does not hold fails at its step with
 * a report that says what differs.
 */
class ScenarioTest {
  private static ScenarioRunner.Result play(Path wasm, Path file) throws Exception {
    return ScenarioRunner.run(
        wasm, Scenario.parse(file.toString(), Files.readString(file)), 10_000);
  }

  private static ScenarioRunner.Result play(Path wasm, String text) throws Exception {
    return ScenarioRunner.run(wasm, Scenario.parse("inline", text), 2_000);
  }

  private static Path example(String party) {
    return TestHost.root().resolve("examples-wasm").resolve(party).resolve(party + ".scenario");
  }

  @Test
  void theExamplesScenariosPass() throws Exception {
    for (String party : new String[] {"counter", "poll", "chat"}) {
      ScenarioRunner.Result r = play(TestHost.wasm("wasm", party), example(party));
      assertTrue(r.passed(), r.report());
      assertTrue(r.report().startsWith("PASSED "), r.report());
      // The poll's and the chat's rooms sleep on the way (each has one client connected then).
      if (!party.equals("counter"))
        assertTrue(r.report().contains("hibernate   -> 1 room asleep"), r.report());
    }
  }

  @Test
  void theReadmesScenarioPasses() throws Exception {
    String readme = Files.readString(TestHost.root().resolve("README.md"));
    String start = "# a shorter examples-wasm/poll/poll.scenario";
    int from = readme.indexOf(start);
    assertTrue(from >= 0, "the README's scenario is gone");
    String text = readme.substring(from, readme.indexOf("```", from));
    ScenarioRunner.Result r = play(TestHost.wasm("wasm", "poll"), text);
    assertTrue(r.passed(), r.report());
  }

  @Test
  void aHandWrittenModuleTrapsAndTheRoomResets() throws Exception {
    String scenario =
        """
        connect a
        send a hello there
        expect a hello there
        send-binary a 00 ff 10
        expect-binary a 00ff10
        connect b
        send a trap
        expect-close a 1011
        expect-close b 1011
        connect c
        send c again
        expect c again
        """;
    ScenarioRunner.Result r = play(TestHost.wasm("test-wasm", "echo"), scenario);
    assertTrue(r.passed(), r.report());
  }

  @Test
  void aFailedExpectationSaysWhereAndWhat() throws Exception {
    String scenario =
        """
        # the counter answers {"count":0}
        connect a
        expect a {"count":1}
        send a inc
        """;
    ScenarioRunner.Result r = play(TestHost.wasm("wasm", "counter"), scenario);
    assertFalse(r.passed());
    String report = r.report();
    assertTrue(report.startsWith("FAILED inline:3 "), report);
    assertTrue(report.contains("expected text {\"count\":1}\n"), report);
    assertTrue(report.contains("received text {\"count\":0}\n"), report);
    // The caret stands under the first character that differs.
    String caret = " ".repeat("       received text {\"count\":".length()) + "^ first difference";
    assertTrue(report.contains(caret), report);
    assertFalse(report.contains("send a inc"), "the run stops at the failed step:\n" + report);
  }

  @Test
  void whatNeverComesAndWrongStatusesAreReported() throws Exception {
    ScenarioRunner.Result silent =
        play(TestHost.wasm("test-wasm", "echo"), "connect a\nexpect a anything\n");
    assertTrue(silent.report().contains("received nothing within 2000 ms"), silent.report());
    ScenarioRunner.Result status =
        play(TestHost.wasm("wasm", "counter"), "request PUT\nexpect-response 200\n");
    assertTrue(status.report().contains("expected 200\n       received 405"), status.report());
    ScenarioRunner.Result open = play(TestHost.wasm("wasm", "counter"), "refused a 401\n");
    assertTrue(
        open.report().contains("expected HTTP 401, but the WebSocket opened"), open.report());
  }

  @Test
  void badScenarioFilesAreRefusedWithTheirLine() {
    Scenario.Invalid unknown =
        assertThrows(Scenario.Invalid.class, () -> Scenario.parse("f", "connect a\nsned a x\n"));
    assertEquals("f:2: unknown step \"sned\"", unknown.getMessage());
    Scenario.Invalid late =
        assertThrows(Scenario.Invalid.class, () -> Scenario.parse("f", "connect a\nvar k v\n"));
    assertEquals("f:2: var must come before the first other step", late.getMessage());
    Scenario.Invalid duration =
        assertThrows(Scenario.Invalid.class, () -> Scenario.parse("f", "advance soon\n"));
    assertEquals("f:1: advance: not a duration: \"soon\"", duration.getMessage());
  }

  @Test
  void aModuleThatDoesNotLoadFailsTheRun() throws Exception {
    Path bad = Files.createTempFile("bad", ".wasm");
    try {
      Files.write(bad, new byte[] {0, 'a', 's', 'm', 9, 9});
      ScenarioRunner.Result r = play(bad, "connect a\n");
      assertFalse(r.passed());
      assertTrue(r.report().contains("the host failed"), r.report());
    } finally {
      Files.delete(bad);
    }
  }
}

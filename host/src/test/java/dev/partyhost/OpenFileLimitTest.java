package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.partyhost.support.HostProcess;
import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The host as a process under a low open-file limit ({@code ulimit -n 512}), on both transports. It
 * lowers maxConnections to what fits, with a warning, so WebSockets past it get a clean 503. Plain
 * connections past the limit itself cannot be accepted (EMFILE): they wait, unanswered, while the host
 * stays up without spinning, and are served once other connections close.
 */
class OpenFileLimitTest {
  private static final int OPEN_FILES = 512;

  @ParameterizedTest
  @ValueSource(strings = {"epoll", "nio"})
  void pastTheOpenFileLimitConnectionsWaitAndAreServedOnceOthersClose(String transport)
      throws Exception {
    int port = HostProcess.freePort();
    String dataDir =
        Files.createTempDirectory(
                Files.createDirectories(TestHost.root().resolve("host/target")), "proc-")
            .toString();
    HostProcess host =
        HostProcess.start(
            port,
            // Idle connections must stay for the length of the test.
            List.of(
                "--data-dir",
                dataDir,
                "--transport",
                transport,
                "--request-header-timeout-ms",
                "120000"),
            Map.of(),
            OPEN_FILES);
    List<Socket> held = new ArrayList<>();
    try {
      Matcher warning =
          Pattern.compile(
                  "maxConnections 200000 is more than this process can open: its open-file limit"
                      + " \\(ulimit -n\\) is 512 and \\d+ files are open, so at most (\\d+) WebSockets"
                      + " are admitted")
              .matcher(host.output());
      assertTrue(warning.find(), host.output());
      int fits = Integer.parseInt(warning.group(1));
      assertTrue(fits > 0 && fits <= OPEN_FILES - OpenFiles.RESERVE, "fits: " + fits);

      for (int i = 0; i < fits; i++) {
        Socket ws = new Socket("127.0.0.1", port);
        held.add(ws);
        assertTrue(upgrade(ws, "/parties/probe/r" + i % 8).startsWith("HTTP/1.1 101"));
      }
      try (Socket refused = new Socket("127.0.0.1", port)) {
        String head = upgrade(refused, "/parties/probe/r0");
        assertTrue(head.startsWith("HTTP/1.1 503"), head);
      }

      // More plain connections than the files left: the kernel completes them, the host's accept
      // fails.
      for (int i = 0; i < 2 * OpenFiles.RESERVE; i++) held.add(new Socket("127.0.0.1", port));
      Socket waiting = new Socket("127.0.0.1", port);
      held.add(waiting);
      waiting
          .getOutputStream()
          .write(
              "GET /parties/probe/x HTTP/1.1\r\nHost: a\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      waiting.setSoTimeout(2_000);
      Duration cpuBefore = cpu(host);
      assertThrows(
          SocketTimeoutException.class,
          () -> waiting.getInputStream().read(),
          "answered past the open-file limit");
      Duration cpu = cpu(host).minus(cpuBefore);
      // Netty pauses accepting for a second after a failed accept: no busy loop (which would take
      // about 2 s of CPU in these 2 s).
      assertTrue(cpu.toMillis() < 1_000, "the host used " + cpu + " of CPU in 2 s");
      assertTrue(host.process.isAlive(), host.output());
      assertTrue(host.output().contains("Too many open files"), host.output());

      for (Socket socket : held) if (socket != waiting) socket.close();
      waiting.setSoTimeout(15_000);
      String answer = readHead(waiting.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      try (Socket again = new Socket("127.0.0.1", port)) {
        again.setSoTimeout(15_000);
        assertTrue(upgrade(again, "/parties/probe/again").startsWith("HTTP/1.1 101"));
      }
    } finally {
      for (Socket socket : held) socket.close();
      host.process.destroy();
      assertEquals(143, host.awaitExit(30), host.output());
    }
  }

  @Test
  void aMaxConnectionsSetAboveTheLimitIsLoweredWithAWarning() {
    long limit =
        ((com.sun.management.UnixOperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getMaxFileDescriptorCount();
    assumeTrue(limit < 1_000_000, "this process may open " + limit + " files");
    try (LogCapture log = new LogCapture("partyhost");
        TestHost host = TestHost.start(c -> c.maxConnections = 1_000_000)) {
      int admitted = host.host.config().maxConnections;
      assertTrue(admitted <= limit - OpenFiles.RESERVE, "admits " + admitted);
      assertTrue(
          log.lines().stream()
              .anyMatch(
                  l ->
                      l.level().equals(java.util.logging.Level.WARNING)
                          && l.message()
                              .startsWith(
                                  "maxConnections 1000000 is more than this process can open")
                          && l.message().contains("so at most " + admitted + " WebSockets")),
          String.valueOf(log.messages()));
    }
  }

  /** The CPU time the host process has used so far. */
  private static Duration cpu(HostProcess host) {
    return host.process.info().totalCpuDuration().orElseThrow();
  }

  /** Asks for a WebSocket over a raw socket; the response head. */
  private static String upgrade(Socket socket, String path) throws IOException {
    socket.setSoTimeout(15_000);
    socket
        .getOutputStream()
        .write(
            ("GET "
                    + path
                    + " HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    return readHead(socket.getInputStream());
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) throw new IOException("closed after " + head);
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }
}

package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Runs abi/conformance/ against the live host, following the runner protocol of its README. */
class ConformanceTest {
  private static final Path MATERIAL = TestHost.root().resolve("abi/conformance");
  private static TestHost host;

  @BeforeAll
  static void start() throws Exception {
    host = TestHost.start();
    host.host.parties().loadDirectory(TestHost.root().resolve("build/conformance"), true);
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  @TestFactory
  Stream<DynamicTest> modules() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> files = Files.list(MATERIAL)) {
      for (Path wat : files.filter(p -> p.toString().endsWith(".wat")).sorted().toList()) {
        String name = wat.getFileName().toString().replace(".wat", "");
        Path ws = MATERIAL.resolve(name + ".ws.expected");
        Path http = MATERIAL.resolve(name + ".http.expected");
        assertTrue(Files.exists(ws) || Files.exists(http), name + " has no expected output");
        if (Files.exists(ws))
          tests.add(DynamicTest.dynamicTest(name + " (ws)", () -> runWebSocket(name, ws)));
        if (Files.exists(http))
          tests.add(DynamicTest.dynamicTest(name + " (http)", () -> runHttp(name, http)));
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> invalidModulesAreRefusedWithTheirReason() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> files = Files.list(MATERIAL.resolve("invalid"))) {
      for (Path wat : files.filter(p -> p.toString().endsWith(".wat")).sorted().toList()) {
        String name = wat.getFileName().toString().replace(".wat", "");
        String reason = Files.readString(MATERIAL.resolve("invalid/" + name + ".reason")).trim();
        tests.add(
            DynamicTest.dynamicTest(
                name,
                () -> {
                  byte[] module = Files.readAllBytes(TestHost.wasm("conformance/invalid", name));
                  ModuleRejectedException e =
                      assertThrows(
                          ModuleRejectedException.class,
                          () -> host.host.parties().compile(name, module));
                  assertTrue(
                      e.getMessage().contains(reason),
                      "'" + e.getMessage() + "' lacks '" + reason + "'");
                  HttpResponse<String> upload =
                      host.upload("invalid-" + name, module, TestHost.ADMIN_TOKEN, false);
                  assertEquals(400, upload.statusCode());
                  assertTrue(upload.body().contains(reason), upload.body());
                }));
      }
    }
    return tests.stream();
  }

  private static void runWebSocket(String name, Path expected) throws Exception {
    List<String> lines = new ArrayList<>();
    try (Ws ws = host.ws("/parties/" + name + "/room-1?_pk=conf-1&x=1")) {
      ws.send("run");
      for (String line = ws.nextText(); !line.equals("end"); line = ws.nextText()) lines.add(line);
    }
    assertEquals(Files.readString(expected).stripTrailing(), String.join("\n", lines));
  }

  private static void runHttp(String name, Path expected) throws Exception {
    HttpResponse<String> r =
        host.send(
            HttpRequest.newBuilder(
                    URI.create(host.url("/parties/" + name + "/room-1/sub/path?q=1")))
                .header("X-Test", "yes")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(Files.readString(expected).stripTrailing(), r.body());
  }
}

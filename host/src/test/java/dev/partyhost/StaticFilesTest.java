package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.TestHost;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The --static folder at /, over real HTTP against a real host. */
class StaticFilesTest {
  @TempDir Path dir;

  /** The folder served; beside it, a file no request may reach. */
  private Path web;

  private void files() throws Exception {
    web = Files.createDirectories(dir.resolve("site"));
    Files.writeString(dir.resolve("outside.txt"), "outside");
    Files.writeString(web.resolve("index.html"), "<h1>home</h1>");
    Files.writeString(web.resolve("app.js"), "console.log('plain')");
    Files.writeString(web.resolve("app.js.gz"), "GZ-BYTES"); // any bytes: only the host reads them
    Files.writeString(web.resolve("app.js.br"), "BR-BYTES");
    Files.writeString(web.resolve("style.css"), "body{}");
    Files.writeString(web.resolve(".secret"), "hidden");
    // Files named like the host's own paths: they must never answer those.
    Files.createDirectories(web.resolve("parties/chat"));
    Files.writeString(web.resolve("parties/chat/room"), "FROM THE FOLDER");
    Files.createDirectories(web.resolve("_admin"));
    Files.writeString(web.resolve("_admin/stats"), "FROM THE FOLDER");
    Files.writeString(web.resolve("party"), "FROM THE FOLDER");
    Files.writeString(web.resolve("healthz"), "FROM THE FOLDER");
    Files.writeString(web.resolve("readyz"), "FROM THE FOLDER");
    Files.writeString(web.resolve("metrics"), "FROM THE FOLDER");
  }

  private static HttpResponse<String> get(TestHost host, String path, String... headers) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(host.url(path))).GET();
    if (headers.length > 0) req.headers(headers);
    return host.send(req);
  }

  @Test
  void filesWithContentTypesETagsAndRevalidation() throws Exception {
    files();
    try (TestHost host = TestHost.start(c -> c.staticDir = web.toString())) {
      HttpResponse<String> index = get(host, "/");
      assertEquals(200, index.statusCode());
      assertEquals("<h1>home</h1>", index.body());
      assertEquals("text/html;charset=UTF-8", index.headers().firstValue("content-type").get());
      assertEquals("no-cache", index.headers().firstValue("cache-control").get());
      String etag = index.headers().firstValue("etag").get();
      assertEquals(etag, get(host, "/index.html").headers().firstValue("etag").get());
      assertEquals(304, get(host, "/", "If-None-Match", etag).statusCode());
      assertEquals(304, get(host, "/", "If-None-Match", "\"other\", " + etag).statusCode());
      assertEquals(200, get(host, "/", "If-None-Match", "\"other\"").statusCode());

      assertEquals(
          "text/css;charset=UTF-8",
          get(host, "/style.css").headers().firstValue("content-type").get());

      // A changed file is served at once, with a new ETag.
      Files.writeString(web.resolve("index.html"), "<h1>home, again</h1>");
      Files.setLastModifiedTime(
          web.resolve("index.html"), FileTime.fromMillis(System.currentTimeMillis() + 5_000));
      HttpResponse<String> changed = get(host, "/", "If-None-Match", etag);
      assertEquals(200, changed.statusCode());
      assertEquals("<h1>home, again</h1>", changed.body());
      assertNotEquals(etag, changed.headers().firstValue("etag").get());

      HttpResponse<String> head =
          host.send(
              HttpRequest.newBuilder(URI.create(host.url("/style.css")))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody()));
      assertEquals(200, head.statusCode());
      assertEquals("6", head.headers().firstValue("content-length").get());
      assertEquals("text/css;charset=UTF-8", head.headers().firstValue("content-type").get());

      assertEquals(404, get(host, "/nope.js").statusCode());
      assertEquals(404, get(host, "/.secret").statusCode());
      assertEquals(404, host.rawGetStatus("/%2esecret"));
      Files.createDirectories(web.resolve("sub"));
      Files.writeString(web.resolve("sub/.env"), "hidden");
      for (String hidden :
          new String[] {
            "/sub/.env", "/sub%2F.env", "/sub%2f%2eenv", "/sub%5C.env", "/sub/%2e%65nv"
          }) assertEquals(404, host.rawGetStatus(hidden), hidden);
      assertEquals(404, host.rawGetStatus("/parties%2Fchat%2Froom"));
      assertEquals(404, host.rawGetStatus("/../outside.txt"));
      assertEquals(404, host.rawGetStatus("/%2e%2e/outside.txt"));
      assertEquals(404, host.rawGetStatus("/%2e%2e%2foutside.txt"));
      assertEquals(404, host.rawGetStatus("/..%5coutside.txt"));
      assertEquals(
          404,
          host.send(
                  HttpRequest.newBuilder(URI.create(host.url("/app.js")))
                      .POST(HttpRequest.BodyPublishers.ofString("x")))
              .statusCode());
    }
  }

  @Test
  void precompressedFilesGoToClientsThatAcceptThem() throws Exception {
    files();
    try (TestHost host = TestHost.start(c -> c.staticDir = web.toString())) {
      HttpResponse<String> plain = get(host, "/app.js");
      assertEquals("console.log('plain')", plain.body());
      assertFalse(plain.headers().firstValue("content-encoding").isPresent());
      assertEquals("accept-encoding", plain.headers().firstValue("vary").get());

      HttpResponse<String> br = get(host, "/app.js", "Accept-Encoding", "gzip, deflate, br");
      assertEquals("BR-BYTES", br.body());
      assertEquals("br", br.headers().firstValue("content-encoding").get());
      assertEquals(
          plain.headers().firstValue("content-type").get(),
          br.headers().firstValue("content-type").get());
      assertEquals("accept-encoding", br.headers().firstValue("vary").get());

      HttpResponse<String> gz = get(host, "/app.js", "Accept-Encoding", "gzip");
      assertEquals("GZ-BYTES", gz.body());
      assertEquals("gzip", gz.headers().firstValue("content-encoding").get());
      assertEquals("GZ-BYTES", get(host, "/app.js", "Accept-Encoding", "br;q=0, gzip").body());

      // Each variant has its own ETag, and revalidates.
      String brTag = br.headers().firstValue("etag").get();
      String gzTag = gz.headers().firstValue("etag").get();
      String plainTag = plain.headers().firstValue("etag").get();
      assertEquals(3, java.util.Set.of(brTag, gzTag, plainTag).size());
      assertEquals(
          304, get(host, "/app.js", "Accept-Encoding", "br", "If-None-Match", brTag).statusCode());
      assertEquals(
          200, get(host, "/app.js", "Accept-Encoding", "br", "If-None-Match", gzTag).statusCode());
      assertEquals(304, get(host, "/app.js", "If-None-Match", plainTag).statusCode());
    }
  }

  @Test
  void theHostsOwnPathsAreNeverShadowed() throws Exception {
    files();
    try (TestHost host = TestHost.start(c -> c.staticDir = web.toString())) {
      HttpResponse<String> room = get(host, "/parties/chat/room");
      assertEquals(200, room.statusCode());
      assertEquals("{\"type\":\"history\",\"messages\":[]}", room.body());
      assertTrue(get(host, "/party/room").body().startsWith("{\"type\":\"history\""));
      assertEquals(401, get(host, "/_admin/stats").statusCode());
      for (String path : new String[] {"/party", "/healthz", "/readyz", "/metrics"}) {
        assertNotEquals("FROM THE FOLDER", get(host, path).body(), path);
      }
    }
  }

  @Test
  void singlePageAppFallback() throws Exception {
    files();
    try (TestHost host =
        TestHost.start(
            c -> {
              c.staticDir = web.toString();
              c.staticSpa = true;
            })) {
      HttpResponse<String> route = get(host, "/rooms/42/settings");
      assertEquals(200, route.statusCode());
      assertEquals("<h1>home</h1>", route.body());
      assertEquals("text/html;charset=UTF-8", route.headers().firstValue("content-type").get());
      assertEquals("console.log('plain')", get(host, "/app.js").body());
      assertEquals("{\"type\":\"history\",\"messages\":[]}", get(host, "/parties/chat/x").body());
      assertNotEquals("<h1>home</h1>", get(host, "/metrics").body());
      assertEquals(
          404,
          host.send(
                  HttpRequest.newBuilder(URI.create(host.url("/rooms/42")))
                      .POST(HttpRequest.BodyPublishers.ofString("x")))
              .statusCode());
    }
    // Without the setting, such a path is a 404.
    try (TestHost host = TestHost.start(c -> c.staticDir = web.toString())) {
      assertEquals(404, get(host, "/rooms/42/settings").statusCode());
    }
  }

  @Test
  void theSettingsComeFromFlagEnvironmentAndFile() throws Exception {
    files();
    String dir = web.toString();
    assertEquals(dir, HostConfig.load(new String[] {"--static", dir}, Map.of()).staticDir);
    assertEquals(dir, HostConfig.load(new String[0], Map.of("PARTYHOST_STATIC", dir)).staticDir);
    Path file = web.resolve("config.json");
    Files.writeString(
        file,
        "{\"static\": "
            + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(dir)
            + ", \"staticSpa\": true}");
    HostConfig fromFile = HostConfig.load(new String[] {"--config", file.toString()}, Map.of());
    assertEquals(dir, fromFile.staticDir);
    assertTrue(fromFile.staticSpa);
    assertTrue(HostConfig.load(new String[] {"--static-spa"}, Map.of()).staticSpa);
    assertEquals(null, HostConfig.load(new String[0], Map.of()).staticDir);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostConfig.load(new String[] {"--static", dir + "/missing"}, Map.of()));
    assertTrue(e.getMessage().contains("is not a folder"), e.getMessage());
  }
}

package dev.partyhost.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.MimeMapping;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code --static} folder at {@code /}, served by Vert.x Web's StaticHandler (content types,
 * Last-Modified and If-Modified-Since, ranges, HEAD). Around it, what that handler lacks in Vert.x 5:
 * an ETag (it answers If-None-Match with 304 only when the response already has one),
 * precompressed {@code NAME.br} / {@code NAME.gz} files (it has no notion of them), and the
 * single-page-app fallback. The host's own paths never reach the folder, whatever files it holds.
 */
public final class StaticRoutes {
  /** Paths of the host's own, served or not: a file of the folder never answers them. */
  private static final Pattern RESERVED =
      Pattern.compile("^/(?:(?:parties|party|_admin)(?:/.*)?|healthz|readyz|metrics)$");

  /** Precompressed variants, best first, by their Content-Encoding. */
  private static final List<String> ENCODINGS = List.of("br", "gzip");

  private final Path root;
  private final boolean spa;
  private final StaticHandler files;

  public StaticRoutes(String dir, boolean spa) {
    this.root = Path.of(dir).toAbsolutePath().normalize();
    this.spa = spa;
    this.files =
        StaticHandler.create(FileSystemAccess.ROOT, root.toString())
            // A rebuilt file is served at once, not after a cached stat expires.
            .setFilesReadOnly(false);
  }

  /** Whether a path belongs to the host (rooms, admin API, probes), never to the folder. */
  public static boolean reserved(String path) {
    return RESERVED.matcher(path).matches();
  }

  public void mount(Router router) {
    router.route("/*").handler(this::prepare);
    router.route("/*").handler(ctx -> ifOurs(ctx, () -> files.handle(ctx)));
    if (spa) router.route("/*").handler(this::fallBack);
  }

  /**
   * Runs {@code handle} for a GET or HEAD of a path that is not the host's and names no hidden file
   * ({@code .env}, {@code .git/}: the StaticHandler would serve them), else passes the request on.
   * Judged on the path decoded as the StaticHandler decodes it, {@code %2F} and {@code %5C} too.
   */
  private static void ifOurs(RoutingContext ctx, Runnable handle) {
    HttpMethod method = ctx.request().method();
    String path = decode(ctx.normalizedPath());
    if ((method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD))
        && path != null
        && !reserved(path)
        && !path.contains("/.")
        && !path.contains("\\")) handle.run(); // the StaticHandler takes a backslash for a /
    else ctx.next();
  }

  /** The path percent-decoded (UTF-8), or null if it cannot be. */
  private static String decode(String path) {
    try {
      // URLDecoder is for forms: keep '+' a '+'.
      return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** What a GET of an existing file gets before the StaticHandler: see {@link #serve}. */
  private void prepare(RoutingContext ctx) {
    ifOurs(
        ctx,
        () -> {
          Path file = resolve(ctx.normalizedPath());
          if (file == null) {
            ctx.next();
            return;
          }
          String accepted = ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING);
          ctx.vertx()
              .executeBlocking(() -> Found.of(file, accepted), false)
              .onComplete(
                  found -> {
                    if (found.succeeded() && found.result() != null) serve(ctx, found.result());
                    else ctx.next();
                  });
        });
  }

  /**
   * Sets the ETag (size and modification time, per variant) and Cache-Control: no-cache (file names
   * here carry no version, so browsers revalidate, and get 304 while the file is unchanged). Sends a
   * precompressed variant itself; the plain file is the StaticHandler's.
   */
  private static void serve(RoutingContext ctx, Found found) {
    HttpServerResponse response = ctx.response();
    String etag = found.etag();
    response.putHeader(HttpHeaders.ETAG, etag).putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    if (found.hasVariants()) response.putHeader(HttpHeaders.VARY, "accept-encoding");
    // The StaticHandler sets the same on a GET, but none on a HEAD.
    String type = MimeMapping.mimeTypeForFilename(found.file().getFileName().toString());
    if (type == null) type = "application/octet-stream";
    else if (type.startsWith("text")) type += ";charset=UTF-8"; // as the StaticHandler says it
    response.putHeader(HttpHeaders.CONTENT_TYPE, type);
    if (found.encoding() == null) {
      ctx.next();
      return;
    }
    String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch != null
        && (ifNoneMatch.trim().equals("*")
            || List.of(ifNoneMatch.split(",")).stream()
                .map(String::trim)
                .anyMatch(t -> t.equals(etag) || t.equals("W/" + etag)))) {
      response.setStatusCode(304).end();
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_ENCODING, found.encoding());
    if (ctx.request().method().equals(HttpMethod.HEAD)) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(found.size())).end();
    } else {
      response.sendFile(found.served().toString());
    }
  }

  /** Answers a path that is no file with the folder's index.html (once: no loop if it is missing). */
  private void fallBack(RoutingContext ctx) {
    ifOurs(
        ctx,
        () -> {
          if (ctx.normalizedPath().equals("/index.html")) ctx.next();
          else ctx.reroute("/index.html");
        });
  }

  /**
   * The file a path names in the folder ({@code index.html} for a path ending in /), or null: not
   * inside the folder, or not decodable.
   */
  private Path resolve(String path) {
    String decoded = decode(path);
    if (decoded == null || !decoded.startsWith("/")) return null;
    if (decoded.endsWith("/")) decoded += "index.html";
    try {
      Path file = root.resolve(decoded.substring(1)).normalize();
      return file.startsWith(root) ? file : null;
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
  }

  /**
   * A regular file of the folder and what to send for it: the variant {@code served} with its
   * {@code encoding}, or the file itself (encoding null).
   */
  private record Found(
      Path file, Path served, String encoding, long size, long modified, boolean hasVariants) {
    /** Looks at the disk (blocking): null when {@code file} is no regular file. */
    static Found of(Path file, String acceptEncoding) throws IOException {
      if (!Files.isRegularFile(file)) return null;
      boolean hasVariants = false;
      for (String encoding : ENCODINGS) {
        Path variant = file.resolveSibling(file.getFileName() + suffix(encoding));
        if (!Files.isRegularFile(variant)) continue;
        hasVariants = true;
        if (accepts(acceptEncoding, encoding)) {
          BasicFileAttributes a = Files.readAttributes(variant, BasicFileAttributes.class);
          return new Found(
              file, variant, encoding, a.size(), a.lastModifiedTime().toMillis(), true);
        }
      }
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Found(file, file, null, a.size(), a.lastModifiedTime().toMillis(), hasVariants);
    }

    String etag() {
      String tag = Long.toHexString(size) + "-" + Long.toHexString(modified);
      return "\"" + (encoding == null ? tag : tag + "-" + suffix(encoding).substring(1)) + "\"";
    }

    private static String suffix(String encoding) {
      return encoding.equals("gzip") ? ".gz" : "." + encoding;
    }

    /** Whether an Accept-Encoding header takes {@code encoding} (listed, or *, without q=0). */
    private static boolean accepts(String header, String encoding) {
      if (header == null) return false;
      for (String part : header.toLowerCase(Locale.ROOT).split(",")) {
        String[] fields = part.trim().split(";");
        String name = fields[0].trim();
        if (!name.equals(encoding) && !name.equals("*")) continue;
        boolean refused = false;
        for (int i = 1; i < fields.length; i++) {
          String p = fields[i].trim().replace(" ", "");
          if (p.startsWith("q=") && p.substring(2).matches("0(\\.0*)?")) refused = true;
        }
        if (!refused) return true;
      }
      return false;
    }
  }
}

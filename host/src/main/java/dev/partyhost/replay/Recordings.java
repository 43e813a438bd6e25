package dev.partyhost.replay;

import dev.partyhost.HostConfig;
import dev.partyhost.PartyLimits;
import dev.partyhost.room.RoomTap;
import dev.partyhost.room.RoomTaps;
import dev.partyhost.storage.RoomKey;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host's recordings: rooms of parties with {@code record} on write one file per instance to
 * {@code DATA/recordings/PARTY/ROOM/STARTED-N.rec}. Files are written by one thread of their own,
 * in order, a write per hook: a room's loop only encodes and queues. While more than {@link
 * #MAX_QUEUED_BYTES} wait for that thread, new chunks are refused and their recordings stop.
 */
public final class Recordings implements RoomTaps {
  private static final Logger LOG = System.getLogger("partyhost.replay");

  /** Bytes queued for the writer before recordings give up rather than hold more memory. */
  static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;

  private static final AtomicLong FILES = new AtomicLong();

  private final HostConfig config;
  private final Path dir;
  private final AtomicLong queued = new AtomicLong();
  private ExecutorService writer;

  public Recordings(HostConfig config) {
    this.config = config;
    this.dir = Path.of(config.dataDir, "recordings");
  }

  @Override
  public boolean records(String party) {
    return config.limits(party).record();
  }

  @Override
  public RoomTap open(RoomKey room, PartyLimits limits) {
    if (!limits.record()) return null;
    return new RoomRecorder(
        room, limits, config, Answers.LIVE, this::openFile, config.maxRecordingBytes);
  }

  /** Where a room's recordings go: names encoded so that any room id is one folder. */
  Path folder(RoomKey room) {
    return dir.resolve(safe(room.party())).resolve(safe(room.room()));
  }

  private static String safe(String name) {
    String s = URLEncoder.encode(name, StandardCharsets.UTF_8);
    return s.startsWith(".") ? "%2E" + s.substring(1) : s;
  }

  private synchronized ExecutorService writer() {
    if (writer == null)
      writer =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "partyhost-recordings");
                t.setDaemon(true);
                return t;
              });
    return writer;
  }

  private RoomRecorder.Sink openFile(RoomKey room, long startedAtMs) {
    Path file = folder(room).resolve(startedAtMs + "-" + FILES.incrementAndGet() + ".rec");
    ExecutorService out = writer();
    return new RoomRecorder.Sink() {
      private OutputStream stream; // the writer thread's only
      private boolean failed;

      @Override
      public boolean write(byte[] chunk) {
        if (queued.addAndGet(chunk.length) > MAX_QUEUED_BYTES) {
          queued.addAndGet(-chunk.length);
          LOG.log(Level.WARNING, "recording " + file + " stops: the disk is not keeping up");
          return false;
        }
        out.execute(
            () -> {
              queued.addAndGet(-chunk.length);
              if (failed) return;
              try {
                if (stream == null) {
                  Files.createDirectories(file.getParent());
                  stream = new FileOutputStream(file.toFile());
                  stream.write(RecordFormat.fileHeader());
                }
                stream.write(chunk);
              } catch (IOException e) {
                failed = true;
                LOG.log(Level.WARNING, "recording " + file + " stops: " + e);
              }
            });
        return true;
      }

      @Override
      public void end() {
        out.execute(
            () -> {
              try {
                if (stream != null) stream.close();
              } catch (IOException e) {
                LOG.log(Level.WARNING, "recording " + file + ": " + e);
              }
              stream = null;
            });
      }
    };
  }

  @Override
  public synchronized void close() {
    if (writer == null) return;
    writer.shutdown();
    try {
      if (!writer.awaitTermination(10, TimeUnit.SECONDS))
        LOG.log(Level.WARNING, "recordings still being written after 10 s: left unfinished");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer = null;
  }

  /** Waits until every chunk queued so far is written (tests). */
  public void flush() throws InterruptedException {
    ExecutorService out;
    synchronized (this) {
      out = writer;
    }
    if (out == null) return;
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    out.execute(done::countDown);
    done.await(10, TimeUnit.SECONDS);
  }
}

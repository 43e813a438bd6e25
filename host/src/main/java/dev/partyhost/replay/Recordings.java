package dev.partyhost.replay;

import dev.partyhost.HostConfig;
import dev.partyhost.PartyLimits;
import dev.partyhost.room.RoomTap;
import dev.partyhost.room.RoomTaps;
import dev.partyhost.storage.RoomKey;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host's recordings: rooms of parties with {@code record} on write one file per instance to
 * {@code DATA/recordings/PARTY/ROOM/STARTED-N.rec}. Files are written by one thread of their own,
 * in order, and flushed whenever it has caught up: a room's loop only encodes and queues. While more than {@link
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

  /** Files written to since their last flush (the writer thread's only). */
  private final Set<FileSink> unflushed = new LinkedHashSet<>();

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
    return new FileSink(file, writer());
  }

  /**
   * One recording's file. Its chunks are written on the writer thread into a buffer, flushed when
   * the writer has nothing more queued: one write call for many hooks while rooms are busy, each
   * hook on disk soon after it ended when they are not.
   */
  private final class FileSink implements RoomRecorder.Sink {
    private final Path file;
    private final ExecutorService out;
    private OutputStream stream; // the writer thread's only, as are the fields below
    private boolean failed;

    FileSink(Path file, ExecutorService out) {
      this.file = file;
      this.out = out;
    }

    @Override
    public boolean write(byte[] chunk) {
      if (queued.addAndGet(chunk.length) > MAX_QUEUED_BYTES) {
        queued.addAndGet(-chunk.length);
        LOG.log(Level.WARNING, "recording " + file + " stops: the disk is not keeping up");
        return false;
      }
      out.execute(
          () -> {
            boolean last = queued.addAndGet(-chunk.length) == 0;
            if (failed) return;
            try {
              if (stream == null) {
                Files.createDirectories(file.getParent());
                stream = new BufferedOutputStream(new FileOutputStream(file.toFile()), 1 << 16);
                stream.write(RecordFormat.fileHeader());
              }
              stream.write(chunk);
              unflushed.add(this);
              if (last) flushAll();
            } catch (IOException e) {
              fail(e);
            }
          });
      return true;
    }

    void flush() {
      try {
        if (stream != null && !failed) stream.flush();
      } catch (IOException e) {
        fail(e);
      }
    }

    private void fail(IOException e) {
      failed = true;
      LOG.log(Level.WARNING, "recording " + file + " stops: " + e);
    }

    @Override
    public void end() {
      out.execute(
          () -> {
            unflushed.remove(this);
            try {
              if (stream != null) stream.close();
            } catch (IOException e) {
              LOG.log(Level.WARNING, "recording " + file + ": " + e);
            }
            stream = null;
          });
    }
  }

  /** On the writer thread, once nothing more is queued. */
  private void flushAll() {
    for (FileSink sink : unflushed) sink.flush();
    unflushed.clear();
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

package dev.partyhost.guest;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.OpCode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What an instance holds between hooks: its linear memory's size, its chunks that are not all zero
 * (with their indexes), and its mutable globals. Restored onto a fresh instance of the same module
 * (no code of it run yet), it is that instance as it was. Tables are not captured: a module that can
 * change its tables, or drop a segment, is refused ({@link #refusal}), so a fresh instance's tables and
 * segments are those the captured one had.
 */
public final class MemoryImage {
  /** Zero runs are elided per chunk: finer than a page, since a heap's pages are partly used. */
  static final int CHUNK = 1024;

  private static final byte[] ZERO = new byte[CHUNK];

  /** Instructions whose effect a fresh instance would not have. */
  private static final Set<OpCode> CHANGES_TABLES_OR_SEGMENTS =
      EnumSet.of(
          OpCode.TABLE_SET,
          OpCode.TABLE_GROW,
          OpCode.TABLE_FILL,
          OpCode.TABLE_COPY,
          OpCode.TABLE_INIT,
          OpCode.ELEM_DROP,
          OpCode.DATA_DROP);

  private final int pages;
  private final int[] chunkIndexes;

  /** The chunks' bytes, one after another: one array, written and read in one piece. */
  private final byte[] chunks;

  /** Per mutable global: its index, then its value's low and high 64 bits. */
  private final long[] globals;

  private MemoryImage(int pages, int[] chunkIndexes, byte[] chunks, long[] globals) {
    this.pages = pages;
    this.chunkIndexes = chunkIndexes;
    this.chunks = chunks;
    this.globals = globals;
  }

  /** The state of {@code guest} now (call between hooks). */
  public static MemoryImage capture(Guest guest) {
    return capture(guest, Long.MAX_VALUE);
  }

  /**
   * {@link #capture(Guest)}, or null as soon as the chunks that are not zero pass {@code maxBytes}
   * (a large instance is not copied whole to learn that its snapshot is refused).
   */
  public static MemoryImage capture(Guest guest, long maxBytes) {
    Memory memory = guest.memory();
    int pages = memory.pages();
    List<Integer> indexes = new ArrayList<>();
    ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    int perPage = Memory.PAGE_SIZE / CHUNK;
    for (int p = 0; p < pages; p++) {
      byte[] page = memory.readBytes(p * Memory.PAGE_SIZE, Memory.PAGE_SIZE);
      for (int c = 0; c < perPage; c++) {
        int from = c * CHUNK;
        if (Arrays.mismatch(page, from, from + CHUNK, ZERO, 0, CHUNK) < 0) continue;
        indexes.add(p * perPage + c);
        chunks.write(page, from, CHUNK);
        if (chunks.size() > maxBytes) return null;
      }
    }
    Instance instance = guest.instance();
    int count = instance.module().globalSection().globalCount();
    long[] globals = new long[0];
    int n = 0;
    for (int i = 0; i < count; i++) {
      GlobalInstance g = instance.global(i);
      if (g.getMutabilityType() != MutabilityType.Var) continue;
      if (n + 3 > globals.length) globals = Arrays.copyOf(globals, Math.max(6, globals.length * 2));
      globals[n++] = i;
      globals[n++] = g.getValueLow();
      globals[n++] = g.getValueHigh();
    }
    int[] idx = new int[indexes.size()];
    for (int i = 0; i < idx.length; i++) idx[i] = indexes.get(i);
    return new MemoryImage(pages, idx, chunks.toByteArray(), Arrays.copyOf(globals, n));
  }

  /**
   * Puts this state into {@code guest}, a fresh instance of {@code module} whose code has not run;
   * false if its memory cannot grow to the image's size (the budget or the instance's cap).
   */
  public boolean restoreInto(Guest guest, GuestModule module) {
    Memory memory = guest.memory();
    if (memory.pages() > pages) return false; // not an image of this module's instance
    if (memory.pages() < pages && memory.grow(pages - memory.pages()) < 0) return false;
    // A fresh memory is zero but where the data segments were copied.
    int[] ranges = module.dataRanges();
    for (int i = 0; i < ranges.length; i += 2) memory.fill((byte) 0, ranges[i], ranges[i + 1]);
    for (int i = 0; i < chunkIndexes.length; i++)
      memory.write(chunkIndexes[i] * CHUNK, chunks, i * CHUNK, CHUNK);
    Instance instance = guest.instance();
    for (int i = 0; i < globals.length; i += 3) {
      GlobalInstance g = instance.global((int) globals[i]);
      g.setValueLow(globals[i + 1]);
      g.setValueHigh(globals[i + 2]);
    }
    return true;
  }

  /** Bytes of memory the image holds (its chunks). */
  public long bytes() {
    return chunks.length;
  }

  public int pages() {
    return pages;
  }

  public void write(DataOutput out) throws IOException {
    out.writeInt(pages);
    out.writeInt(globals.length);
    for (long g : globals) out.writeLong(g);
    out.writeInt(chunkIndexes.length);
    for (int index : chunkIndexes) out.writeInt(index);
    out.write(chunks);
  }

  /** An image as {@link #write} wrote it; a BufferUnderflowException if {@code in} ends early. */
  public static MemoryImage read(ByteBuffer in) throws IOException {
    int pages = in.getInt();
    if (pages < 0 || pages > 65536) throw new IOException("bad page count " + pages);
    long[] globals = new long[checkedCount(in.getInt(), 3 * 100_000)];
    for (int i = 0; i < globals.length; i++) globals[i] = in.getLong();
    int n = checkedCount(in.getInt(), pages * (Memory.PAGE_SIZE / CHUNK));
    int[] indexes = new int[n];
    for (int i = 0; i < n; i++) {
      indexes[i] = in.getInt();
      if (indexes[i] < 0 || indexes[i] >= pages * (Memory.PAGE_SIZE / CHUNK))
        throw new IOException("chunk " + indexes[i] + " outside " + pages + " pages");
    }
    byte[] chunks = new byte[n * CHUNK];
    in.get(chunks);
    return new MemoryImage(pages, indexes, chunks, globals);
  }

  private static int checkedCount(int n, int max) throws IOException {
    if (n < 0 || n > max) throw new IOException("bad count " + n + " in a memory image");
    return n;
  }

  /** Why instances of {@code module} cannot be imaged exactly, or null. */
  static String refusal(WasmModule module) {
    for (FunctionBody body : module.codeSection().functionBodies()) {
      for (Instruction i : body.instructions()) {
        if (CHANGES_TABLES_OR_SEGMENTS.contains(i.opcode()))
          return "the module uses " + i.opcode() + " (its tables or segments can change)";
      }
    }
    if (module.importSection().count(com.dylibso.chicory.wasm.types.ExternalType.GLOBAL) > 0)
      return "the module imports globals";
    for (DataSegment d : module.dataSection().dataSegments()) {
      if (d instanceof ActiveDataSegment a && constantOffset(a) < 0)
        return "a data segment's offset is not a constant";
    }
    return null;
  }

  /** Start and end of each active data segment, for a module {@link #refusal} accepts. */
  static int[] dataRanges(WasmModule module) {
    List<Integer> ranges = new ArrayList<>();
    for (DataSegment d : module.dataSection().dataSegments()) {
      if (d instanceof ActiveDataSegment a && d.data().length > 0) {
        long from = constantOffset(a);
        ranges.add((int) from);
        ranges.add((int) (from + d.data().length));
      }
    }
    int[] r = new int[ranges.size()];
    for (int i = 0; i < r.length; i++) r[i] = ranges.get(i);
    return r;
  }

  /** The offset of a segment placed by one {@code i32.const}, or -1. */
  private static long constantOffset(ActiveDataSegment a) {
    List<Instruction> code = a.offsetInstructions();
    Instruction first = code.isEmpty() ? null : code.get(0);
    if (first == null || first.opcode() != OpCode.I32_CONST) return -1;
    for (int i = 1; i < code.size(); i++) if (code.get(i).opcode() != OpCode.END) return -1;
    long offset = Integer.toUnsignedLong((int) first.operand(0));
    return offset + a.data().length > Integer.MAX_VALUE ? -1 : offset;
  }
}

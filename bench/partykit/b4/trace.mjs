// A synthetic stand-in for the B4 editing trace of the crdt-benchmarks (`automerge-paper`: Martin
// Kleppmann's keystrokes writing a LaTeX paper). The real trace ships in no package of the registries
// this project can reach (npm, Maven Central, Debian), so this one has its shape and its counts:
// 259,778 single-character edits, of which 182,315 inserts and 77,463 deletions (backspaces), ending
// in a document of 104,852 ASCII characters. Mostly sequential typing in runs, each often followed
// by a few backspaces, and now and then a jump of the cursor to elsewhere in the text.
//
// Deterministic (a fixed seed): every run, every server and every thread replays the same edits.
// Each edit is [position, deleted, inserted], as in the crdt-benchmarks' `b4-editing-trace.js`.

export const B4_EDITS = 259_778;
export const B4_INSERTS = 182_315;
export const B4_DELETES = 77_463;
export const B4_FINAL_LENGTH = B4_INSERTS - B4_DELETES; // 104,852

// mulberry32: a small, fast PRNG with a 32-bit state.
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "the a of to and in is that for we it as with on be by this are an or which can from each " +
  "replica operation document list tree map cursor insert delete merge concurrent order state " +
  "network message value key element edit user application data structure algorithm proof " +
  "theorem lemma definition convergence consistency causal vector clock identifier register " +
  "section figure table semantics json crdt text local remote apply update history version"
).split(" ");

/**
 * The first `n` edits (at most 259,778) of the synthetic trace, as [pos, del, ins] triples, and the
 * text they leave.
 */
export function b4Trace(n = B4_EDITS) {
  const random = prng(0xb4);
  const geometric = (mean) => 1 + Math.floor(-Math.log(1 - random()) * (mean - 1));
  const edits = [];
  let length = 0;
  let cursor = 0;
  let inserts = B4_INSERTS;
  let deletes = B4_DELETES;
  let word = "";
  const nextChar = () => {
    if (word.length === 0) {
      const r = random();
      word = WORDS[Math.floor(random() * WORDS.length)] + (r < 0.04 ? "\n" : r < 0.1 ? ". " : " ");
    }
    const c = word[0];
    word = word.slice(1);
    return c;
  };
  const TYPING = 25; // mean characters typed between pauses
  const BACKSPACES = 11; // mean length of a run of backspaces
  while (inserts + deletes > 0 && edits.length < n) {
    // A jump of the cursor: anywhere in the text, more often near its end.
    if (length > 0 && random() < 0.1) {
      const r = random();
      cursor = r < 0.5 ? length - Math.floor(random() * Math.min(length, 200)) : Math.floor(random() * (length + 1));
      word = "";
    }
    // Backspaces after a run with the probability that keeps deletions on course for the total.
    const wantDeletes = inserts === 0 || (deletes > 0 && random() < Math.min(1, (deletes / inserts) * (TYPING / BACKSPACES)));
    if (wantDeletes && deletes > 0) {
      if (cursor === 0) cursor = length;
      let k = Math.min(geometric(BACKSPACES), deletes, cursor);
      while (k-- > 0 && edits.length < n) {
        edits.push([cursor - 1, 1, ""]);
        cursor--;
        length--;
        deletes--;
      }
    }
    if (inserts > 0) {
      let k = Math.min(geometric(TYPING), inserts);
      while (k-- > 0 && edits.length < n) {
        edits.push([cursor, 0, nextChar()]);
        cursor++;
        length++;
        inserts--;
      }
    }
  }
  return { edits, finalLength: length };
}

/** The text the edits leave, applied to a plain array of characters (for checks). */
export function applyTrace(edits) {
  const chars = [];
  for (const [pos, del, ins] of edits) {
    if (del > 0) chars.splice(pos, del);
    else chars.splice(pos, 0, ins);
  }
  return chars.join("");
}

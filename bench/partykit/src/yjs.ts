import type * as Party from "partykit/server";
import { onConnect } from "y-partykit";

// A Yjs room with y-partykit's server (0.0.33) and its defaults, persisted as a snapshot
// (`mode: "snapshot"`: updates appended to room storage while clients are connected, compacted to
// one document state when the last one leaves), as partyhost's `yjs` party stores its document.
// make bench-yjs replays the B4 editing trace through it (bench/partykit/b4/).
export default class Yjs implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(connection: Party.Connection) {
    return onConnect(connection, this.room, { persist: { mode: "snapshot" } });
  }
}

Yjs satisfies Party.Worker;

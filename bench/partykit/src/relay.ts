import type * as Party from "partykit/server";

// Relay: every message (text or binary) goes verbatim to every other
// connection of the room; nothing is sent on connect. No hibernation.
export default class Relay implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onMessage(message: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection) {
    this.room.broadcast(message, [sender.id]);
  }
}

Relay satisfies Party.Worker;

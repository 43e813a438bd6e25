import type * as Party from "partykit/server";

// Counter: in memory only (no storage). Sends {"count":N} to each new
// connection; the text message "inc" increments and broadcasts {"count":N}.
export default class Counter implements Party.Server {
  count = 0;

  constructor(readonly room: Party.Room) {}

  onConnect(connection: Party.Connection) {
    connection.send(JSON.stringify({ count: this.count }));
  }

  onMessage(message: string | ArrayBuffer | ArrayBufferView) {
    if (message === "inc") {
      this.count++;
      this.room.broadcast(JSON.stringify({ count: this.count }));
    }
  }
}

Counter satisfies Party.Worker;

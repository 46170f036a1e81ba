import type { CarrierCore } from "../core.js";
import type { SimCall } from "../sim-call.js";
import { ConferenceRoom, type ConferenceStatus } from "./conference-room.js";
import type { ConferenceCallbackConfig, Participant, ParticipantOptions } from "./participant.js";

/** Conferences by name: joining a name whose conference has ended starts a new one (a new CF SID). */
export class ConferenceRegistry {
  private readonly rooms: ConferenceRoom[] = [];

  constructor(private readonly core: CarrierCore) {}

  join(name: string, call: SimCall, options: ParticipantOptions, callback?: ConferenceCallbackConfig): { room: ConferenceRoom; participant: Participant } {
    const room = this.ensure(name);
    return { room, participant: room.join(call, options, callback) };
  }

  /** The live conference with this name, created (status "init") if there is none. */
  ensure(name: string): ConferenceRoom {
    let room = this.active(name);
    if (!room) {
      room = new ConferenceRoom(this.core, name);
      this.rooms.push(room);
    }
    return room;
  }

  active(name: string): ConferenceRoom | undefined {
    return this.rooms.find((r) => r.friendlyName === name && r.status !== "completed");
  }

  bySid(sid: string): ConferenceRoom | undefined {
    return this.rooms.find((r) => r.sid === sid);
  }

  /** REST paths accept a conference SID; the Participants API also accepts its friendly name. */
  bySidOrName(ref: string): ConferenceRoom | undefined {
    return this.bySid(ref) ?? this.active(ref);
  }

  forCall(callSid: string): ConferenceRoom | undefined {
    return this.rooms.find((r) => r.participants.has(callSid));
  }

  /** Newest first. */
  list(filter: { friendlyName?: string; status?: ConferenceStatus } = {}): ConferenceRoom[] {
    return [...this.rooms]
      .reverse()
      .filter((r) => (filter.friendlyName === undefined || r.friendlyName === filter.friendlyName) && (filter.status === undefined || r.status === filter.status));
  }
}

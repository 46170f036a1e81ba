import type { CarrierCore } from "../core.js";
import type { SimCall } from "../sim-call.js";
import type { DocumentSource } from "../call-session.js";
import type { TwimlNode } from "../twiml/parse-twiml.js";

export interface VerbContext {
  core: CarrierCore;
  call: SimCall;
  signal: AbortSignal;
  /** The URL of the document being run: relative URLs and Gather's default action resolve against it. */
  docUrl: string | undefined;
}

/** "next": go on with the next verb; "stop": the verb ended the call; a source: leave this document for another. */
export type VerbResult = "next" | "stop" | DocumentSource;

export type VerbHandler = (node: TwimlNode, ctx: VerbContext) => Promise<VerbResult>;

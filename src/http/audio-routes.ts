import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { recordingAudio } from "../recordings/recording-store.js";
import type { Services } from "../services.js";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { notFound } from "./errors.js";

const params = z.object({ id: z.coerce.number().int().positive() });

/**
 * Staff recordings, fetched by Twilio for <Play> (src/ivr/prompt-catalog.ts recordedPath): public like the
 * shipped files under /audio/, but only once approved. A replaced one stays playable for calls that were
 * handed its URL just before; drafts and rejected takes are never public.
 */
export function audioRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get("/audio/recorded/:id.wav", { schema: { params } }, async (request, reply) => {
    const { id } = request.params;
    const found = await recordingAudio(s.ctx.db, id, ["approved", "replaced"]);
    if (!found) throw notFound("recording");
    // Twilio caches media by URL; an id is never reused for other audio, so the file may be kept a day.
    return reply.header("cache-control", "public, max-age=86400").type("audio/wav").send(found.audio);
  });
}

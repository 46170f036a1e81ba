import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { languageSchema } from "../languages.js";
import type { Services } from "../services.js";

/**
 * GET /audio/<lang>/prompts.json: what each recording of a language says, from the prompt files. Public
 * like the recordings beside it, and readable from another origin: the built-in carrier's test-call page
 * shows a played file's text with it (Burmese is played, never spoken, so its name alone says little).
 */
export function promptTextRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get("/audio/:language/prompts.json", { schema: { params: z.object({ language: languageSchema }) } }, async (request, reply) => {
    const { language } = request.params;
    const texts = s.flows.prompts[language]?.prompts ?? {};
    const recordings = Object.fromEntries(
      Object.entries(s.flows.recordings[language] ?? {}).map(([prompt, file]) => [file, { prompt, text: texts[prompt]?.text ?? null }]),
    );
    return reply.header("access-control-allow-origin", "*").header("cache-control", "no-cache").send({ language, recordings });
  });
}

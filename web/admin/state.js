// What the admin pages know, shared by their modules; each module renders its own tab.
import { download as downloadWith } from "/web/shared.js";

export const $ = (id) => document.getElementById(id);
export const state = { token: null, me: null, agents: [] };

/** A file the server made (CSV), downloaded with the signed-in token. */
export const download = (path, fallbackName) => downloadWith(state.token, path, fallbackName);

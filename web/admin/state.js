// What the admin pages know, shared by their modules; each module renders its own tab.
export const $ = (id) => document.getElementById(id);
export const state = { token: null, me: null, agents: [] };

/** A file the server made (CSV), fetched with the token and handed to the browser as a download. */
export async function download(path, fallbackName) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${state.token}` } });
  if (!res.ok) return { status: res.status, body: await res.json().catch(() => null) };
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(await res.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return { status: res.status };
}

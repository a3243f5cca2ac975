// Tag modules register here by tag name; the editor looks each config element up in this table. A tag that is
// not registered gets a placeholder naming it, so the rest of the config still works.

const TAGS = new Map();

export function register(module) {
  for (const name of module.names) TAGS.set(name.toLowerCase(), module);
}

export function lookup(tagName) {
  return TAGS.get(tagName.toLowerCase()) || null;
}

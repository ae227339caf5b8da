// The parts of a topic `<root…>/<version>/<site>/<gate>/<leaf>`, cut once per distinct topic: the hub
// hears the same few topics (a handful per gate) over and over, and cutting each message's topic
// into pieces again was an array and half a dozen strings per message. Bounded: the cache is
// dropped past 10,000 topics (a sender of endless new topics costs a cut each, as before).

export interface TopicParts {
  /** All but the last four levels, joined ('' when there are fewer than five). */
  root: string;
  version: string | undefined;
  site: string | undefined;
  gate: string | undefined;
  leaf: string | undefined;
  /** "site/gate" when the topic has five levels or more (the flood check's key). */
  key: string | undefined;
}

const cache = new Map<string, TopicParts>();

export function topicParts(topic: string): TopicParts {
  const known = cache.get(topic);
  if (known) return known;
  const parts = topic.split('/');
  const cut: TopicParts = {
    root: parts.slice(0, -4).join('/'),
    version: parts.at(-4),
    site: parts.at(-3),
    gate: parts.at(-2),
    leaf: parts.at(-1),
    key: parts.length >= 5 ? `${parts.at(-3)}/${parts.at(-2)}` : undefined,
  };
  if (cache.size >= 10_000) cache.clear();
  cache.set(topic, cut);
  return cut;
}

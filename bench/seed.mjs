// Bench data, written straight into redis with ioredis pipelines: chat
// sessions whose list elements are byte for byte what LangChain JS / Flowise
// store (JSON StoredMessages, newest first), a third of them with a TTL.
//
// LangChain sends one LPUSH per message; a single `LPUSH key m1 m2 ... m10`
// (oldest first) leaves exactly the same list, so seeding uses that.
import { Redis } from "ioredis";
import { jsStoredMessage } from "../dist/src/dev/seed.js";

/** Deterministic PRNG (mulberry32), so every run seeds the same bytes. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const QUESTIONS = [
  "Where is my order? It was supposed to arrive on Monday.",
  "Can you recommend a vegetarian restaurant near the station?",
  "How do I reset my password? The link in the email has expired.",
  "What's the difference between the Pro and the Team plan?",
  "I'd like to change my delivery address to Rua Augusta 27, Lisbon.",
  "Summarise the meeting notes I pasted yesterday, please.",
  "Is the café open on Sundays? ☕",
  "Write a short SQL query that counts orders per customer.",
  "Can I bring my dog on the train to Sintra? 🐕",
  "Translate 'see you tomorrow' into Japanese.",
  "My invoice shows VAT twice. Can you check invoice INV-2291?",
  "What did I tell you about my seat preference?",
];
const ANSWERS = [
  "Your order is with the carrier and should arrive within two working days. I've emailed you the tracking link.",
  "Try Jardim dos Sentidos: fully vegetarian, ten minutes' walk from the station, and they take reservations online.",
  "Open Settings → Security → Reset password. The new link is valid for 30 minutes; check your spam folder if it doesn't arrive.",
  "Pro is for one person with unlimited projects; Team adds shared workspaces, roles and SSO for up to 50 members.",
  "Done: future deliveries go to Rua Augusta 27, 1100-048 Lisboa. Orders already shipped keep the old address.",
  "Three decisions: ship v2 on the 14th, move the retro to Fridays, and hire a second designer. Two open questions remain.",
  "Yes, from 9:00 to 14:00 on Sundays. The kitchen closes at 13:30.",
  "```sql\nSELECT customer_id, COUNT(*) AS orders\nFROM orders\nGROUP BY customer_id\nORDER BY orders DESC;\n```",
  "Dogs are welcome on CP trains if they're on a leash and muzzled, or small ones in a carrier. 🐾",
  "「また明日」(mata ashita) is the everyday way to say it.",
  "You're right: VAT was applied on the subtotal and again on the shipping line. I've issued a corrected invoice, INV-2291-C.",
  "You prefer window seats and trains over buses.",
];
const SYSTEM = "You are the assistant of Acme Shop. Be brief, friendly and accurate. Look orders up before answering.";

/** The 10-ish StoredMessages of one session, oldest first. */
function conversation(r, n) {
  const messages = [];
  if (n > 0 && r() < 0.3) messages.push({ type: "system", content: SYSTEM });
  while (messages.length < n) {
    const q = Math.floor(r() * QUESTIONS.length);
    messages.push({ type: "human", content: QUESTIONS[q] });
    if (messages.length >= n) break;
    if (r() < 0.1 && messages.length + 2 < n) {
      const id = `call_${Math.floor(r() * 2 ** 40).toString(36)}`;
      messages.push({
        type: "ai",
        content: "",
        toolCalls: [{ name: "lookup_order", args: { order_id: String(1000 + q) }, id }],
      });
      messages.push({
        type: "tool",
        content: `{"order_id":"${1000 + q}","status":"in_transit","carrier":"DHL"}`,
        toolCallId: id,
      });
    }
    messages.push({ type: "ai", content: ANSWERS[(q + Math.floor(r() * 2)) % ANSWERS.length] });
  }
  return messages.slice(0, n).map(jsStoredMessage);
}

/** Session ids as apps make them: user ids, and Flowise-style chat UUIDs. */
function sessionId(i, r) {
  if (i % 2 === 0) return `user-${String(i).padStart(7, "0")}`;
  const hex = () =>
    Math.floor(r() * 2 ** 32)
      .toString(16)
      .padStart(8, "0");
  const h = hex() + hex() + hex() + hex();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const TTLS = [3600, 86_400, 7 * 86_400, 30 * 86_400];

/**
 * Empty the logical database of `redisUrl`, then write `sessions` sessions of
 * `messages` messages under `prefix`; every third session gets an EXPIRE.
 * `keepIds: false` returns no ids (10,000,000 of them do not fit in memory).
 * @returns {Promise<{ sessions: number, messages: number, ids: string[] }>}
 */
export async function seedSessions(
  redisUrl,
  { prefix, sessions, messages = 10, flush = true, batch = 1000, keepIds = true },
) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  const ids = [];
  try {
    await redis.connect();
    if (flush) await redis.flushdb();
    const r = rng(sessions * 7919 + messages);
    for (let start = 0; start < sessions; start += batch) {
      const p = redis.pipeline();
      for (let i = start; i < Math.min(start + batch, sessions); i++) {
        const id = sessionId(i, r);
        if (keepIds) ids.push(id);
        const key = prefix + id;
        p.lpush(key, ...conversation(r, messages));
        if (i % 3 === 0) p.expire(key, TTLS[i % TTLS.length]);
      }
      const replies = await p.exec();
      const failed = replies?.find(([err]) => err);
      if (failed) throw failed[0];
    }
  } finally {
    redis.disconnect();
  }
  return { sessions, messages: sessions * messages, ids };
}

/** One long conversation of `messages` messages under `key` (replaced if present). */
export async function seedLongSession(redisUrl, { key, messages, ttlSeconds = 30 * 86_400, chunk = 1000 }) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.del(key);
    const all = conversation(rng(messages), messages);
    const p = redis.pipeline();
    for (let i = 0; i < all.length; i += chunk) p.lpush(key, ...all.slice(i, i + chunk));
    if (ttlSeconds) p.expire(key, ttlSeconds);
    const replies = await p.exec();
    const failed = replies?.find(([err]) => err);
    if (failed) throw failed[0];
    return { messages: all.length, bytes: all.reduce((n, m) => n + Buffer.byteLength(m), 0) };
  } finally {
    redis.disconnect();
  }
}

// LangChain JS's UpstashRedisChatMessageHistory against the local endpoint:
// what it writes must read back equal, and the list must hold exactly the bytes
// LangChain serialises, newest first.
import { UpstashRedisChatMessageHistory } from "@langchain/community/stores/message/upstash_redis";
import {
  AIMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
  mapChatMessagesToStoredMessages,
} from "@langchain/core/messages";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stack, uniqueId } from "../harness/stack.js";

const { restUrl, restToken, redisUrl } = stack();
let direct: IORedis;

beforeAll(() => {
  direct = new IORedis(redisUrl);
});
afterAll(() => {
  direct.disconnect();
});

describe("UpstashRedisChatMessageHistory", () => {
  it("round-trips messages byte for byte", async () => {
    const sessionId = uniqueId("langchain");
    const history = new UpstashRedisChatMessageHistory({
      sessionId,
      sessionTTL: 300,
      config: { url: restUrl, token: restToken },
    });
    const messages = [
      new SystemMessage("You are a concise assistant."),
      new HumanMessage("What's the weather in Lisbon? 🌤️ 天気"),
      new AIMessage({
        content: "",
        tool_calls: [
          { name: "get_weather", args: { city: "Lisbon", unit: "celsius" }, id: "call_abc123", type: "tool_call" },
        ],
      }),
      new ToolMessage({ content: '{"temp":21,"sky":"clear"}', tool_call_id: "call_abc123" }),
      new AIMessage("It's 21 °C and clear in Lisbon."),
      new HumanMessage('Quotes " and backslashes \\ and\nnewlines survive?'),
    ];
    await history.addMessages(messages);

    const read = await history.getMessages();
    expect(read.map((m) => m.getType())).toEqual(["system", "human", "ai", "tool", "ai", "human"]);
    expect(read.map((m) => m.content)).toEqual(messages.map((m) => m.content));
    expect((read[2] as AIMessage).tool_calls).toEqual(messages[2] instanceof AIMessage ? messages[2].tool_calls : []);

    const expected = mapChatMessagesToStoredMessages(messages)
      .map((m) => JSON.stringify(m))
      .reverse();
    expect(await direct.lrange(sessionId, 0, -1)).toEqual(expected);
    const ttl = await direct.ttl(sessionId);
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);

    await history.clear();
    expect(await direct.exists(sessionId)).toBe(0);
    expect(await history.getMessages()).toEqual([]);
  });
});

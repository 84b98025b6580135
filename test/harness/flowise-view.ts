// Flowise's chat view of a session, for tests: the mapping rule copied from
// flowise-components 3.1.4, dist/src/utils.js, `convertBaseMessagetoIMessage`
// (lines 950-979 of the published package). Flowise's Upstash memory node
// (dist/nodes/memory/UpstashRedisBackedChatMemory/UpstashRedisBackedChatMemory.js,
// `BufferMemoryExtended.getChatMessages`) applies it when called with
// `returnBaseMessages` false, its default: the chat UI and the API's history.
// Only the rule is copied (Flowise itself is not installed: 2 GB).
import type { BaseMessage } from "@langchain/core/messages";

export interface IMessage {
  message: unknown;
  type: "userMessage" | "apiMessage";
}

/** human → userMessage, ai and system → apiMessage, every other type left out; content passed as is. */
export function convertBaseMessagetoIMessage(messages: BaseMessage[]): IMessage[] {
  const formatmessages: IMessage[] = [];
  for (const m of messages) {
    if (m._getType() === "human") {
      formatmessages.push({ message: m.content, type: "userMessage" });
    } else if (m._getType() === "ai") {
      formatmessages.push({ message: m.content, type: "apiMessage" });
    } else if (m._getType() === "system") {
      formatmessages.push({ message: m.content, type: "apiMessage" });
    }
  }
  return formatmessages;
}

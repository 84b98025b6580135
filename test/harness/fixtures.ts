import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./cli.js";

export interface FixtureElement {
  writer: string;
  element: string;
}

/** List elements exactly as LangChain JS and Flowise store them. */
export function storedMessages(): FixtureElement[] {
  return fs
    .readFileSync(path.join(ROOT, "test/fixtures/stored-messages.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as FixtureElement);
}

/** As LangChain Python writes them (message_to_dict: data carries type, name, id, example). */
export const PYTHON_ELEMENTS = [
  '{"type": "human", "data": {"content": "hi from python", "additional_kwargs": {}, "response_metadata": {}, "type": "human", "name": null, "id": null, "example": false}}',
  '{"type": "ai", "data": {"content": "hello, python user", "additional_kwargs": {}, "response_metadata": {}, "type": "ai", "name": null, "id": null, "example": false, "tool_calls": [], "invalid_tool_calls": [], "usage_metadata": null}}',
  '{"type": "chat", "data": {"content": "from a chat role", "additional_kwargs": {}, "response_metadata": {}, "type": "chat", "name": null, "id": null, "role": "moderator"}}',
];

/** Elements that are not chat messages, one per reason. */
export const MALFORMED: { element: string; problem: string }[] = [
  { element: "plain text, not JSON", problem: "not JSON" },
  { element: JSON.stringify(JSON.stringify({ type: "human", data: { content: "double encoded" } })), problem: "JSON in a string" },
  { element: '{"data":{"content":"no type"}}', problem: "missing type" },
  { element: '{"type":"human","data":{"text":"no content"}}', problem: "missing data.content" },
  { element: '{"type":"robot","data":{"content":"unknown type"}}', problem: "unknown type" },
  { element: "42", problem: "not an object" },
];

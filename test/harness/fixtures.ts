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
  {
    element: JSON.stringify(JSON.stringify({ type: "human", data: { content: "double encoded" } })),
    problem: "JSON in a string",
  },
  { element: '{"data":{"content":"no type"}}', problem: "missing type" },
  { element: '{"type":"human","data":{"text":"no content"}}', problem: "missing data.content" },
  { element: '{"type":"robot","data":{"content":"unknown type"}}', problem: "unknown type" },
  { element: "42", problem: "not an object" },
];

/**
 * Elements readers disagree about, one per shape: what LangChain JS / Flowise
 * do with each is recorded by running the real reader (test/e2e/readers.test.ts),
 * never written down here.
 */
export const HOSTILE_SHAPES: { name: string; element: string | Buffer }[] = [
  { name: "null", element: "null" },
  { name: "type without data", element: '{"type":"human"}' },
  { name: "data null", element: '{"type":"human","data":null}' },
  { name: "unknown type", element: '{"type":"robot","data":{"content":"beep"}}' },
  { name: "type null", element: '{"type":null,"data":{"content":"x"}}' },
  { name: "type a number", element: '{"type":5,"data":{"content":"x"}}' },
  { name: "plain text", element: "plain text, not JSON" },
  { name: "number", element: "42" },
  { name: "big number", element: "12345678901234567890" },
  { name: "true", element: "true" },
  { name: "empty string", element: "" },
  {
    name: "JSON in a string (a message)",
    element: JSON.stringify(
      JSON.stringify({
        type: "human",
        data: { content: "double encoded", additional_kwargs: {}, response_metadata: {} },
      }),
    ),
  },
  { name: "JSON in a string (not a message)", element: JSON.stringify("just words") },
  { name: "array", element: "[1,2,3]" },
  { name: "array holding a message", element: '[{"type":"human","data":{"content":"x"}}]' },
  { name: "no type", element: '{"data":{"content":"no type"}}' },
  { name: "content under data.text", element: '{"type":"human","data":{"text":"no content"}}' },
  { name: "data a string", element: '{"type":"human","data":"hello"}' },
  { name: "data an array", element: '{"type":"ai","data":[]}' },
  { name: "content null", element: '{"type":"human","data":{"content":null}}' },
  { name: "content a number", element: '{"type":"ai","data":{"content":7}}' },
  { name: "tool without tool_call_id", element: '{"type":"tool","data":{"content":"18°C"}}' },
  { name: "function without name", element: '{"type":"function","data":{"content":"{}"}}' },
  { name: "generic without role", element: '{"type":"generic","data":{"content":"x"}}' },
  { name: "Python chat type", element: '{"type":"chat","data":{"content":"from a chat role","role":"moderator"}}' },
  { name: "Python remove type", element: '{"type":"remove","data":{"id":"m1"}}' },
  { name: "invalid UTF-8, not JSON", element: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) },
  {
    name: "invalid UTF-8 inside a message",
    element: Buffer.concat([
      Buffer.from('{"type":"human","data":{"content":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}}'),
    ]),
  },
  { name: "byte order mark", element: "\ufeff" + '{"type":"human","data":{"content":"with a BOM"}}' },
  { name: "NaN literal", element: '{"type":"human","data":{"content":"x","score":NaN}}' },
];

/** A human message as LangChain JS and Flowise store it. */
export const humanElement = (content: string) =>
  JSON.stringify({ type: "human", data: { content, additional_kwargs: {}, response_metadata: {} } });
/** An AI message as LangChain JS and Flowise store it. */
export const aiElement = (content: string) =>
  JSON.stringify({
    type: "ai",
    data: { content, tool_calls: [], invalid_tool_calls: [], additional_kwargs: {}, response_metadata: {} },
  });

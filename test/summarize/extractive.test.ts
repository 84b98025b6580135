import { describe, expect, it } from "vitest";
import { summarizeExtractive } from "../../src/summarize/extractive.js";
import { countWords } from "../../src/summarize/words.js";
import type { ChatLine } from "../../src/summarize/types.js";
import { loadConversations } from "../harness/conversations.js";

const conversations = loadConversations();
const LINE = /^(?:Earlier|User|Assistant): \S/;

describe("extractive engine: basics", () => {
  it("summarizes an empty conversation to an empty string", () => {
    expect(summarizeExtractive({ lines: [] }, { maxWords: 100 })).toBe("");
    expect(summarizeExtractive({ lines: [{ role: "user", content: "   " }] }, { maxWords: 100 })).toBe("");
  });

  it("summarizes pure small talk to an empty string", () => {
    const lines: ChatLine[] = [
      { role: "user", content: "Hi!" },
      { role: "assistant", content: "Hello! How can I help you today?" },
      { role: "user", content: "ok thanks, bye" },
    ];
    expect(summarizeExtractive({ lines }, { maxWords: 100 })).toBe("");
  });

  it("gives the same output for the same input, whatever ran before", () => {
    const first = conversations.map((c) => summarizeExtractive({ lines: c.messages }, { maxWords: 120 }));
    // Reversed order, with unrelated summaries in between: no hidden state.
    const again = [...conversations]
      .reverse()
      .map((c) => {
        summarizeExtractive(
          { lines: [{ role: "user", content: "Unrelated question about llamas?" }] },
          { maxWords: 30 },
        );
        return summarizeExtractive({ lines: c.messages.map((m) => ({ ...m })) }, { maxWords: 120 });
      })
      .reverse();
    expect(again).toEqual(first);
    for (const s of first) expect(s.length).toBeGreaterThan(0);
  });

  it("attributes every line to its speaker, in conversation order", () => {
    for (const c of conversations) {
      const summary = summarizeExtractive({ lines: c.messages }, { maxWords: 120 });
      const lines = summary.split("\n");
      for (const line of lines) expect(line).toMatch(LINE);
      // Consecutive lines alternate speakers: a speaker's sentences share one line.
      for (let i = 1; i < lines.length; i++) expect(lines[i]!.split(":")[0]).not.toBe(lines[i - 1]!.split(":")[0]);
      // Sentences appear in the order they were said.
      const text = conversationText(c.messages);
      let from = 0;
      for (const sentence of sentencesOf(summary)) {
        const at = text.indexOf(sentence, from);
        expect(at, sentence).toBeGreaterThanOrEqual(0);
        from = at + 1;
      }
    }
  });

  it("respects the word limit on real conversations for many limits", () => {
    for (const c of conversations) {
      for (const maxWords of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 120, 144, 233, 1000]) {
        const summary = summarizeExtractive({ lines: c.messages }, { maxWords });
        expect(countWords(summary), `${c.file} at ${maxWords}`).toBeLessThanOrEqual(maxWords);
      }
    }
  });

  it("uses most of a generous budget", () => {
    for (const c of conversations)
      expect(countWords(summarizeExtractive({ lines: c.messages }, { maxWords: 120 }))).toBeGreaterThan(90);
  });

  it("returns the start of the best sentence when no sentence fits whole", () => {
    const lines: ChatLine[] = [
      { role: "user", content: "I need to move my dentist appointment from Tuesday to Thursday afternoon." },
    ];
    expect(summarizeExtractive({ lines }, { maxWords: 5 })).toBe("User: I need to move…");
  });
});

describe("extractive engine: what it keeps and leaves out", () => {
  const support = conversations.find((c) => c.file === "support-refund.json")!;

  it("leaves out greetings, thanks and sign-offs", () => {
    const summary = summarizeExtractive({ lines: support.messages }, { maxWords: 200 });
    for (const filler of ["hello", "Hi there!", "Have a great day!", "thanks!", "You're welcome"])
      expect(summary).not.toContain(filler);
  });

  it("leaves out the system prompt and tool output", () => {
    const summary = summarizeExtractive({ lines: support.messages }, { maxWords: 1000 });
    expect(summary).not.toContain("friendly customer support agent");
    expect(summary).not.toContain('"order"');
    expect(summary).not.toMatch(/^(?:System|Tool):/m);
  });

  it("keeps the user's question and the assistant's decision", () => {
    const summary = summarizeExtractive({ lines: support.messages }, { maxWords: 120 });
    expect(summary).toContain("How long would a replacement take?");
    expect(summary).toMatch(/refund/);
  });

  it("drops code blocks and markdown markers but keeps the prose around them", () => {
    const lines: ChatLine[] = [
      { role: "user", content: "Why does this loop never end?\n```js\nwhile (i < 10) { console.log(i); }\n```" },
      {
        role: "assistant",
        content:
          "You never increment **i** inside the loop, so the condition stays true.\n- Add `i++` at the end of the body.",
      },
    ];
    const summary = summarizeExtractive({ lines }, { maxWords: 60 });
    expect(summary).toBe(
      "User: Why does this loop never end?\nAssistant: You never increment i inside the loop, so the condition stays true. Add i++ at the end of the body.",
    );
  });

  it("labels other speakers by their role", () => {
    const lines: ChatLine[] = [
      { role: "agent", content: "The escalation ticket 4411 was assigned to the billing team." },
    ];
    expect(summarizeExtractive({ lines }, { maxWords: 30 })).toBe(
      "Agent: The escalation ticket 4411 was assigned to the billing team.",
    );
  });

  it("understands LangChain and Flowise role names", () => {
    const lines: ChatLine[] = [
      { role: "human", content: "Can you remind me when the gym opens on Sunday?" },
      { role: "apiMessage", content: "The gym opens at 9:00 on Sundays." },
    ];
    expect(summarizeExtractive({ lines }, { maxWords: 40 })).toBe(
      "User: Can you remind me when the gym opens on Sunday?\nAssistant: The gym opens at 9:00 on Sundays.",
    );
  });
});

describe("extractive engine: unicode", () => {
  it("handles French accents and emoji", () => {
    const lines: ChatLine[] = [
      { role: "user", content: "Bonjour ! Je voudrais réserver une chambre à Montréal pour le 14 février 🙂" },
      {
        role: "assistant",
        content: "C'est noté : chambre réservée à l'hôtel Élysée, 189 € la nuit. 🎉 Le petit-déjeuner est inclus.",
      },
    ];
    const summary = summarizeExtractive({ lines }, { maxWords: 60 });
    expect(summary).toContain("réserver une chambre à Montréal pour le 14 février 🙂");
    expect(summary).toContain("chambre réservée à l'hôtel Élysée, 189 € la nuit. 🎉");
    expect(summary).not.toContain("Bonjour");
  });

  it("handles CJK text and counts it by characters", () => {
    const lines: ChatLine[] = [
      { role: "user", content: "你好！我想预订明天去上海的高铁票。二等座多少钱？" },
      { role: "assistant", content: "明天上午九点的G7次列车还有二等座，票价是553元。我已经为您预订了。" },
    ];
    const summary = summarizeExtractive({ lines }, { maxWords: 40 });
    expect(summary).toContain("二等座多少钱？");
    expect(summary).toContain("票价是553元。");
    expect(summary).not.toContain("你好");
    const tight = summarizeExtractive({ lines }, { maxWords: 12 });
    expect(countWords(tight)).toBeLessThanOrEqual(12);
    expect(tight.length).toBeGreaterThan(0);
  });

  it("does not break 'Dr.' or 'e.g.' into separate sentences", () => {
    const medical = conversations.find((c) => c.file === "medical-appointment.json")!;
    const summary = summarizeExtractive({ lines: medical.messages }, { maxWords: 200 });
    expect(summary).not.toMatch(/\bDr\.\s*$/m);
    expect(summary).not.toMatch(/(?:^|: )Patel/m);
    const lines: ChatLine[] = [
      {
        role: "assistant",
        content: "A fragrance-free moisturizer, e.g. Plain petroleum jelly, helps with itching at night.",
      },
    ];
    expect(summarizeExtractive({ lines }, { maxWords: 40 })).toBe(
      "Assistant: A fragrance-free moisturizer, e.g. Plain petroleum jelly, helps with itching at night.",
    );
  });
});

describe("extractive engine: previous summary", () => {
  const travel = conversations.find((c) => c.file === "travel-booking.json")!;

  it("puts the previous summary first, labelled", () => {
    const previousSummary = "The user, Marta, lives in Paris and prefers quiet hotels.";
    const summary = summarizeExtractive({ lines: travel.messages, previousSummary }, { maxWords: 120 });
    expect(summary.split("\n")[0]).toBe(`Earlier: ${previousSummary}`);
    expect(summary.split("\n").length).toBeGreaterThan(1);
    expect(countWords(summary)).toBeLessThanOrEqual(120);
  });

  it("trims a long previous summary so the new turns still fit", () => {
    const previousSummary = Array.from(
      { length: 40 },
      (_, i) => `Earlier fact number ${i} was discussed at length.`,
    ).join(" ");
    const summary = summarizeExtractive({ lines: travel.messages, previousSummary }, { maxWords: 100 });
    const [head, ...rest] = summary.split("\n");
    expect(head).toMatch(/^Earlier: Earlier fact number 0 .*…$/);
    // The new turns get at least half of the budget; the earlier summary what they leave.
    expect(rest.join("\n")).toMatch(/^(?:User|Assistant): /);
    expect(countWords(rest.join("\n"))).toBeGreaterThan(40);
    expect(countWords(summary)).toBeLessThanOrEqual(100);
  });

  it("keeps an earlier extractive summary's lines as they are, so summaries fold repeatedly", () => {
    const firstHalf = travel.messages.slice(0, 10);
    const secondHalf = travel.messages.slice(10);
    const earlier = summarizeExtractive({ lines: firstHalf }, { maxWords: 60 });
    const folded = summarizeExtractive({ lines: secondHalf, previousSummary: earlier }, { maxWords: 150 });
    expect(folded.startsWith(earlier)).toBe(true);
    expect(folded.length).toBeGreaterThan(earlier.length);
  });

  it("returns the previous summary alone when there is nothing new", () => {
    expect(summarizeExtractive({ lines: [], previousSummary: "  The user likes tea.  " }, { maxWords: 20 })).toBe(
      "Earlier: The user likes tea.",
    );
    expect(summarizeExtractive({ lines: [], previousSummary: "one two three four five six" }, { maxWords: 4 })).toBe(
      "Earlier: one two three…",
    );
  });
});

function sentencesOf(summary: string): string[] {
  // Compare on short prefixes: the engine collapses whitespace and unwraps markdown.
  return summary
    .split("\n")
    .map((l) => l.replace(/^\w+: /, ""))
    .flatMap((l) => l.split(/(?<=[.!?])\s+(?=[A-Z"])/))
    .map((s) => s.slice(0, 24));
}

function conversationText(messages: ChatLine[]): string {
  return messages.map((m) => m.content.replace(/\s+/g, " ")).join(" ");
}

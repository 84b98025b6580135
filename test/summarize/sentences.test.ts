import { describe, expect, it } from "vitest";
import { splitSentences } from "../../src/summarize/sentences.js";

describe("splitSentences", () => {
  it.each([
    ["I saw Dr. Smith today. He said I'm fine.", ["I saw Dr. Smith today.", "He said I'm fine."]],
    [
      "Mr. and Mrs. Brown live on Elm St. in town. They moved in 2020.",
      ["Mr. and Mrs. Brown live on Elm St. in town.", "They moved in 2020."],
    ],
    ["Bring snacks, e.g. Apples or pears. Also water.", ["Bring snacks, e.g. Apples or pears.", "Also water."]],
    ["Use a cache, i.e. Redis. It is fast.", ["Use a cache, i.e. Redis.", "It is fast."]],
    ["Python vs. Go is a classic debate. Pick one.", ["Python vs. Go is a classic debate.", "Pick one."]],
    ["Pack tents, stoves, etc. and food. Then go.", ["Pack tents, stoves, etc. and food.", "Then go."]],
  ])("does not split on abbreviations: %s", (text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });

  it("keeps decimals, versions and URLs whole", () => {
    expect(splitSentences("The price went from 3.5 to 4.25 dollars. Use v2.0 now.")).toEqual([
      "The price went from 3.5 to 4.25 dollars.",
      "Use v2.0 now.",
    ]);
    expect(splitSentences("See https://example.com/a.b?c=d.e for details. Then log in.")).toEqual([
      "See https://example.com/a.b?c=d.e for details.",
      "Then log in.",
    ]);
    expect(splitSentences("Mail me at jo.smith@example.co.uk. Thanks")).toEqual([
      "Mail me at jo.smith@example.co.uk.",
      "Thanks",
    ]);
  });

  it("keeps initials and dotted acronyms inside the sentence", () => {
    expect(splitSentences("John F. Kennedy was president. J. R. R. Tolkien wrote books.")).toEqual([
      "John F. Kennedy was president.",
      "J. R. R. Tolkien wrote books.",
    ]);
    expect(splitSentences("The U.S. Army is large. Ok.")).toEqual(["The U.S. Army is large.", "Ok."]);
  });

  it("does not split on ellipses", () => {
    expect(splitSentences("Well... I think so. Hmm… Maybe.")).toEqual(["Well... I think so.", "Hmm… Maybe."]);
  });

  it("splits on ! and ?, even before a lowercase word as people type in chats", () => {
    expect(splitSentences("hi! can u help? my order is late. it was due monday")).toEqual([
      "hi!",
      "can u help?",
      "my order is late.",
      "it was due monday",
    ]);
    expect(splitSentences("Really?! Yes.")).toEqual(["Really?!", "Yes."]);
  });

  it("splits on a.m./p.m./etc. only before a capital letter", () => {
    expect(splitSentences("Meet at 5 p.m. Bring food. It opens at 10 a.m. tomorrow.")).toEqual([
      "Meet at 5 p.m.",
      "Bring food.",
      "It opens at 10 a.m. tomorrow.",
    ]);
  });

  it("tells 'No. 5' from 'No.'", () => {
    expect(splitSentences("It's No. 5 on the list. No. I won't go.")).toEqual([
      "It's No. 5 on the list.",
      "No.",
      "I won't go.",
    ]);
  });

  it("treats each line as its own unit and keeps list markers with their item", () => {
    expect(splitSentences("Options:\n1. Book the flight\n2. Reserve the hotel.\n\n- Pack")).toEqual([
      "Options:",
      "1. Book the flight",
      "2. Reserve the hotel.",
      "- Pack",
    ]);
  });

  it("splits CJK text on full-width terminators without spaces", () => {
    expect(splitSentences("我们明天去北京。你呢？好的！")).toEqual(["我们明天去北京。", "你呢？", "好的！"]);
    expect(splitSentences("「駅はどこですか？」と聞いた。ありがとう。")).toEqual([
      "「駅はどこですか？」",
      "と聞いた。",
      "ありがとう。",
    ]);
  });

  it("handles accents, French spacing before punctuation, and quotes", () => {
    expect(splitSentences("C'est génial ! Où est la gare ? Très bien.")).toEqual([
      "C'est génial !",
      "Où est la gare ?",
      "Très bien.",
    ]);
    expect(splitSentences('She said "Hello." Then left.')).toEqual(['She said "Hello."', "Then left."]);
  });

  it("keeps emoji and emoticons with the sentence they close", () => {
    expect(splitSentences("Booked! 🎉 See you soon 👋🏽. Bye")).toEqual(["Booked! 🎉", "See you soon 👋🏽.", "Bye"]);
    expect(splitSentences("Thanks! :)")).toEqual(["Thanks! :)"]);
    expect(splitSentences("Flag 🇵🇹! Next.")).toEqual(["Flag 🇵🇹!", "Next."]);
  });

  it("returns nothing for blank text", () => {
    expect(splitSentences("")).toEqual([]);
    expect(splitSentences("  \n\n ")).toEqual([]);
  });
});

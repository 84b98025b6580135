// mistral-tokenizer-js ships no types: the one call used (see tokenizer.ts).
declare module "mistral-tokenizer-js" {
  const mistralTokenizer: {
    /** Token ids; addBos (default true) prepends <s>, addPrecedingSpace (default true) the SentencePiece "▁". */
    encode(prompt: string, addBos?: boolean, addPrecedingSpace?: boolean): number[];
  };
  export default mistralTokenizer;
}

import { describe, expect, it } from "vitest";
import { OLLAMA_BASE_URL, OPENAI_BASE_URL, resolveLlmSettings } from "../../src/summarize/settings.js";
import { redact } from "../../src/errors/secrets.js";

describe("resolveLlmSettings", () => {
  it("is undefined when no model is configured anywhere", () => {
    expect(resolveLlmSettings(undefined, {})).toBeUndefined();
    expect(
      resolveLlmSettings(
        { baseUrl: "http://localhost:1234/v1", apiKey: "sk-profile-key-123" },
        { OPENAI_API_KEY: "sk-env-key-456" },
      ),
    ).toBeUndefined();
  });

  it("takes the profile's settings", () => {
    expect(
      resolveLlmSettings({ baseUrl: "http://localhost:1234/v1", model: "qwen2.5", apiKey: "lm-studio-key" }, {}),
    ).toEqual({
      baseUrl: "http://localhost:1234/v1",
      model: "qwen2.5",
      apiKey: "lm-studio-key",
    });
  });

  it("lets the environment override each profile setting", () => {
    const profile = { baseUrl: "http://localhost:1234/v1", model: "qwen2.5", apiKey: "profile-key-123" };
    const env = {
      OPENAI_BASE_URL: "https://openrouter.ai/api/v1",
      OPENAI_API_KEY: "sk-or-env-key-456",
      UPSTASH_MEMORY_MODEL: "openai/gpt-4o-mini",
    };
    expect(resolveLlmSettings(profile, env)).toEqual({
      baseUrl: "https://openrouter.ai/api/v1",
      model: "openai/gpt-4o-mini",
      apiKey: "sk-or-env-key-456",
    });
  });

  it("lets the environment complete a partial profile", () => {
    expect(resolveLlmSettings({ model: "gpt-4o-mini" }, { OPENAI_API_KEY: "sk-env-key-456" })).toEqual({
      baseUrl: OPENAI_BASE_URL,
      model: "gpt-4o-mini",
      apiKey: "sk-env-key-456",
    });
  });

  it("defaults to OpenAI with a key, and to a local Ollama without one", () => {
    expect(
      resolveLlmSettings(undefined, { UPSTASH_MEMORY_MODEL: "gpt-4o-mini", OPENAI_API_KEY: "sk-env-key-456" })?.baseUrl,
    ).toBe("https://api.openai.com/v1");
    expect(resolveLlmSettings(undefined, { UPSTASH_MEMORY_MODEL: "llama3.2" })).toEqual({
      baseUrl: OLLAMA_BASE_URL,
      model: "llama3.2",
    });
    expect(OLLAMA_BASE_URL).toBe("http://localhost:11434/v1");
  });

  it("strips trailing slashes and treats blank variables as unset", () => {
    const resolved = resolveLlmSettings(
      { model: "m", baseUrl: "http://localhost:11434/v1/" },
      { OPENAI_BASE_URL: "  ", UPSTASH_MEMORY_MODEL: "" },
    );
    expect(resolved).toEqual({ baseUrl: "http://localhost:11434/v1", model: "m" });
    expect(
      resolveLlmSettings(undefined, { UPSTASH_MEMORY_MODEL: "m", OPENAI_BASE_URL: "https://example.com/v1//" })
        ?.baseUrl,
    ).toBe("https://example.com/v1");
  });

  it("registers the key so it is redacted from anything printed", () => {
    const key = "sk-registered-by-settings-789";
    resolveLlmSettings(undefined, { UPSTASH_MEMORY_MODEL: "m", OPENAI_API_KEY: key });
    expect(redact(`key=${key}`)).not.toContain(key);
  });
});

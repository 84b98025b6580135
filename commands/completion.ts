import { Argument, Command } from "commander";
import type { Context } from "../src/program/context.js";

const INSTALL = `
Install (then open a new shell):
  # bash, or in ~/.bashrc: eval "$(upstash-memory completion bash)"
  $ upstash-memory completion bash > ~/.local/share/bash-completion/completions/upstash-memory
  # zsh, or in ~/.zshrc after compinit: source <(upstash-memory completion zsh)
  $ upstash-memory completion zsh > "\${fpath[1]}/_upstash-memory"
  # fish
  $ upstash-memory completion fish > ~/.config/fish/completions/upstash-memory.fish

Completes commands, flags, flag values (--sort, --format, --role...), profile names, and session
ids: those come from one SCAN request to the configured connection (nothing without one).
`;

export function completionCommand(ctx: Context): Command {
  return new Command("completion")
    .description("print the shell completion script for bash, zsh or fish")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(["bash", "zsh", "fish"]))
    .addHelpText("after", INSTALL)
    .action(async (shell: "bash" | "zsh" | "fish", _opts: unknown, cmd: Command) => {
      const { completionScript } = await import("../src/completion/completion.js");
      ctx.io.stdout.write(completionScript(shell, cmd.parent!.name()));
    });
}

/** What the completion scripts call: `upstash-memory complete -- <words>`. */
export function completeCommand(ctx: Context): Command {
  return new Command("complete")
    .description("answer a shell completion request (used by the completion scripts)")
    .argument("[words...]", "the command line after the program name")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (words: string[], _opts: unknown, cmd: Command) => {
      const { complete } = await import("../src/completion/completion.js");
      await complete(ctx, cmd.parent!, words);
    });
}

// Saved profiles, kept with `conf` in a file only its owner can read.
// conf is imported lazily: it pulls in a JSON-schema validator that would slow
// every start-up, and commands configured by flags or env never need it.
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { UsageError } from "../errors/errors.js";

export interface LlmSettings {
  baseUrl?: string;
  model?: string;
  apiKey?: string;
}

export interface Profile {
  url: string;
  token?: string;
  prefix?: string;
  ttl?: string;
  /** The model token counts are made for when no --model is given (src/tokens/models.ts). */
  model?: string;
  llm?: LlmSettings;
  /** The Flowise memory node's own Session Id (`config set flowise.sessionId`). */
  flowise?: { sessionId: string };
}

export interface ConfigData {
  current?: string;
  profiles: Record<string, Profile>;
}

/** Where profiles live: $UPSTASH_MEMORY_CONFIG_DIR, else the platform config dir. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.UPSTASH_MEMORY_CONFIG_DIR) return path.resolve(env.UPSTASH_MEMORY_CONFIG_DIR);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(base, "upstash-memory");
}

export const CONFIG_FILE = "config.json";
export const DEFAULT_PROFILE = "default";
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function validateProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`invalid profile name '${name}': use letters, digits, '.', '_' or '-'`);
  }
  return name;
}

export interface PermissionFix {
  path: string;
  was: number;
  now: number;
}

/**
 * Config directory 0700, file 0600. Looser modes (another user could read the
 * token) are tightened and reported so the caller can warn.
 */
export function enforcePermissions(dir: string): PermissionFix[] {
  const fixes: PermissionFix[] = [];
  const check = (p: string, want: number) => {
    let st: fs.Stats;
    try {
      // Never through a symbolic link: its target is not ours to chmod.
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) return;
    const mode = st.mode & 0o777;
    if (mode & ~want) {
      fs.chmodSync(p, want);
      fixes.push({ path: p, was: mode, now: want });
    }
  };
  check(dir, 0o700);
  check(path.join(dir, CONFIG_FILE), 0o600);
  return fixes;
}

type ConfStore = {
  get store(): ConfigData;
  set store(v: ConfigData);
};

export class ProfileStore {
  private constructor(
    private readonly conf: ConfStore,
    readonly dir: string,
    readonly permissionFixes: PermissionFix[],
  ) {}

  static async open(env: NodeJS.ProcessEnv = process.env): Promise<ProfileStore> {
    const dir = configDir(env);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fixes = enforcePermissions(dir);
    const { default: Conf } = await import("conf");
    let conf: ConfStore;
    try {
      conf = new Conf<ConfigData>({
        cwd: dir,
        configName: "config",
        projectName: "upstash-memory",
        configFileMode: 0o600,
        defaults: { profiles: {} },
      }) as unknown as ConfStore;
    } catch (err) {
      throw new UsageError(
        `cannot read ${path.join(dir, CONFIG_FILE)}: ${(err as Error).message.split("\n")[0]}`,
        "fix or remove the file, then run `upstash-memory login` again",
      );
    }
    return new ProfileStore(conf, dir, fixes);
  }

  get file(): string {
    return path.join(this.dir, CONFIG_FILE);
  }

  /**
   * Profiles by name in a Map: a name is only ever looked up among the saved
   * ones, never through Object.prototype (`constructor`, `toString`, ...).
   */
  private data(): { current?: string; profiles: Map<string, Profile> } {
    const d = this.conf.store;
    const saved = d.profiles && typeof d.profiles === "object" ? Object.entries(d.profiles) : [];
    return { current: typeof d.current === "string" ? d.current : undefined, profiles: new Map(saved) };
  }

  private write(d: { current?: string; profiles: Map<string, Profile> }): void {
    // Object.fromEntries defines own properties, so even a `__proto__` entry stays data.
    const next: ConfigData = { profiles: Object.fromEntries(d.profiles) };
    if (d.current !== undefined) next.current = d.current;
    this.refuseLink();
    this.conf.store = next;
    enforcePermissions(this.dir);
  }

  /** A config file that is a symbolic link is read, never written through: the token would land in its target. */
  private refuseLink(): void {
    let link = false;
    try {
      link = fs.lstatSync(this.file).isSymbolicLink();
    } catch {
      // Not there yet: written as a new file.
    }
    if (link)
      throw new UsageError(
        `${this.file} is a symbolic link: profiles (tokens included) are never written through one`,
        `replace it with a regular file, or point UPSTASH_MEMORY_CONFIG_DIR at another folder`,
      );
  }

  /** The profile used when none is named: the one chosen by `config use`, else `default`. */
  currentName(): string {
    return this.data().current ?? DEFAULT_PROFILE;
  }

  names(): string[] {
    return [...this.data().profiles.keys()].sort();
  }

  get(name: string): Profile | undefined {
    return this.data().profiles.get(name);
  }

  save(name: string, profile: Profile): void {
    validateProfileName(name);
    const d = this.data();
    d.profiles.set(name, profile);
    this.write(d);
  }

  remove(name: string): boolean {
    const d = this.data();
    if (!d.profiles.delete(name)) return false;
    if (d.current === name) delete d.current;
    this.write(d);
    return true;
  }

  use(name: string): void {
    const d = this.data();
    d.current = name;
    this.write(d);
  }
}

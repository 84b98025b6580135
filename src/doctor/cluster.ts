// Connection, part 5: a Redis Cluster. Its masters and the slots each one
// serves, whether all 16384 slots are served and cluster_state is ok (if not,
// listing and --match commands refuse to answer: a partial answer would look
// complete), and which master holds the session: the node to look at when
// only some sessions go missing.
import type { Store } from "../store/types.js";
import type { CliError } from "../errors/errors.js";
import { plural, quoteKey, type Findings } from "./checks.js";
import { groupDigits } from "../text/plural.js";

const SLOTS = 16384;

export async function checkCluster(f: Findings, store: Store, session?: { id: string; key: string }): Promise<void> {
  if (!store.cluster) return;
  let report: Awaited<ReturnType<NonNullable<Store["cluster"]>>>;
  try {
    report = await store.cluster(session?.key);
  } catch (err) {
    f.add(
      "connection",
      "cluster",
      "fail",
      `cannot read the cluster's layout: ${(err as Error).message}`,
      (err as CliError).hint,
    );
    return;
  }
  if (!report) return;
  const masters = report.masters
    .map((m) => `${m.name} (slots ${m.slots}, ${plural(m.replicas, "replica")}${m.failed ? ", failing" : ""})`)
    .join("; ");
  const summary = `Redis Cluster: ${plural(report.masters.length, "master")} ${masters}; ${groupDigits(report.servedSlots)} of ${groupDigits(SLOTS)} slots served, cluster_state ${report.state}`;
  if (report.problems.length) {
    f.add(
      "connection",
      "cluster",
      "fail",
      `${summary}: ${report.problems.join("; ")}`,
      "sessions on those slots cannot be read or written; `sessions list`, export and --match commands stop rather than answer in part (--allow-partial: work with what is reachable)",
    );
  } else {
    f.add("connection", "cluster", "pass", summary);
  }
  if (session && report.keyNode) {
    f.add(
      "key",
      "node",
      "info",
      `session ${quoteKey(session.id)} is in hash slot ${report.keyNode.slot}, served by master ${report.keyNode.name}`,
    );
  }
}

/**
 * A fuzz campaign: `runs` sequences of `commands` commands each, seeded, every one starting from the world's
 * snapshot (loadFixture). On failure fast-check shrinks the sequence (unless `shrink` is false) and the seed, the
 * replay path and the shrunk counter-example are printed with the command log of the failing run.
 */
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { network } from "hardhat";
import { adversarialFixture, type AdversarialWorld } from "./world";
import { command, describeCommand, type Command } from "./commands";
import { InvariantViolation, newModel, newStats, step, type Ctx, type Stats } from "./model";

export interface CampaignOptions {
  runs: number;
  commands: number;
  seed: number;
  shrink: boolean;
  /** Stop shrinking (and report the smallest counter-example so far) after this many ms. */
  shrinkBudgetMs?: number;
  path?: string;
  verbose?: boolean;
  /** The command distribution (default: the main campaign's, `command`). */
  commands_?: fc.Arbitrary<Command>;
  /** The kind's world (default: eth-long-3x on Aave); see world.ts adversarialFixture. */
  world?: () => Promise<AdversarialWorld>;
  /** For the replay line: the preset and venue. */
  kind?: { preset: string; venue: string };
}

export interface CampaignResult {
  stats: Stats;
  ms: number;
  failure?: { message: string; seed: number; path?: string; counterexample: string[]; log: string[]; kind?: string };
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const stats = newStats();
  const started = Date.now();
  let lastLog: string[] = [];
  let lastError = "";
  let failing = false;
  let shrinkStarted = 0;
  const property = fc.asyncProperty(
    fc.array(opts.commands_ ?? (command as fc.Arbitrary<Command>), { minLength: opts.commands, maxLength: opts.commands }),
    async (cmds: Command[]) => {
      if (failing && opts.shrinkBudgetMs !== undefined && Date.now() - shrinkStarted > opts.shrinkBudgetMs) {
        // Out of shrinking budget: pass the remaining candidates, keeping the smallest failure found so far.
        return;
      }
      await network.provider.send("evm_setAutomine", [true]);
      const w = await loadFixture(opts.world ?? adversarialFixture("eth-long-3x", "aave"));
      const ctx: Ctx = { w, model: await newModel(w), stats, log: [], funded: new Map() };
      try {
        for (const c of cmds) {
          try {
            await step(ctx, c);
          } catch (e) {
            ctx.log.push(`!! ${describeCommand(c)}`);
            throw e;
          }
          if (opts.verbose) console.log(`      ${ctx.log[ctx.log.length - 1]}`);
        }
      } catch (e) {
        if (!failing) shrinkStarted = Date.now();
        failing = true;
        lastLog = ctx.log;
        lastError = e instanceof InvariantViolation ? e.message : `unexpected: ${String((e as Error).stack ?? e)}`;
        throw e;
      }
    },
  );
  const details = await fc.check(property, {
    numRuns: opts.runs,
    seed: opts.seed,
    path: opts.path,
    endOnFailure: !opts.shrink,
    verbose: 0,
  });
  const result: CampaignResult = { stats, ms: Date.now() - started };
  if (details.failed) {
    // The run stops at the first failing command: the counter-example is the prefix that ran.
    const cex = ((details.counterexample?.[0] ?? []) as Command[]).slice(0, Math.max(1, lastLog.length));
    result.failure = {
      message: lastError || String(details.errorInstance),
      seed: opts.seed,
      path: details.counterexamplePath ?? undefined,
      counterexample: cex.map(describeCommand),
      log: lastLog,
      kind: opts.kind ? `--preset ${opts.kind.preset} --venue ${opts.kind.venue}` : undefined,
    };
  }
  return result;
}

export function formatFailure(f: NonNullable<CampaignResult["failure"]>): string {
  return [
    `Counter-example (seed ${f.seed}, path ${f.path}); replay: npm run fuzz -- ${f.kind ? `${f.kind} ` : ""}--seed ${f.seed} --path "${f.path}"`,
    `  ${f.message}`,
    "  shrunk command sequence:",
    ...f.counterexample.map((c, i) => `    ${i + 1}. ${c}`),
    "  what happened (last run):",
    ...f.log.map((l) => `    - ${l}`),
  ].join("\n");
}

export function formatStats(s: Stats, ms: number): string {
  const sorted = (m: Record<string, number>) => Object.entries(m).sort(([, a], [, b]) => b - a).map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    `${s.commands} commands in ${(ms / 1000).toFixed(1)} s (${(ms / Math.max(1, s.commands)).toFixed(0)} ms each)`,
    `  by command: ${sorted(s.byOp)}`,
    `  invariant checks: ${sorted(s.checks)}`,
    `  went through: ${sorted(s.succeeded)}`,
    `  refused (decoded): ${sorted(s.reverts)}`,
    `  ms: ${sorted(s.ms)}`,
  ].join("\n");
}

/**
 * Replays one recorded command sequence on a kind's world (a counter-example the campaign printed, as data): runs every
 * command with every invariant check and throws the first violation, as the campaign would. For known-defect tests.
 * `strict`: the defects the campaign tolerates (model.ts, the KNOWN DEFECT checks) fail too, as with FUZZ_STRICT=1.
 */
export async function replayCommands(
  world: () => Promise<AdversarialWorld>, cmds: Command[], opts: { strict?: boolean } = {},
): Promise<{ log: string[]; stats: Stats }> {
  await network.provider.send("evm_setAutomine", [true]);
  const w = await loadFixture(world);
  const ctx: Ctx = { w, model: await newModel(w), stats: newStats(), log: [], funded: new Map(), strict: opts.strict };
  for (const c of cmds) await step(ctx, c);
  return { log: ctx.log, stats: ctx.stats };
}

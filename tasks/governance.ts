/**
 * Governance from the command line (imported by hardhat.config.ts). Roles are checked before anything is sent, every
 * call is simulated first, and `--dry-run` stops there (gas estimated). Loosening changes are timelocked by the vault
 * itself: `vault:set-config` then submits them and says when they can be accepted.
 *   npx hardhat vault:set-keeper    --vault <addr> --keeper <addr> [--remove]            (manager)
 *   npx hardhat vault:keepers       --vault <addr> [--from-block <n>]                    (anyone)
 *   npx hardhat vault:pause         --vault <addr>                                       (guardian or manager)
 *   npx hardhat vault:unpause       --vault <addr>                                       (manager)
 *   npx hardhat vault:stop          --vault <addr>                                       (guardian or manager)
 *   npx hardhat vault:rearm         --vault <addr>                                       (manager; timelocked)
 *   npx hardhat vault:set-config    --vault <addr> --kind <kind> --set field=value,...   (manager; owner for timelock)
 *   npx hardhat vault:pending       --vault <addr>                                       (anyone)
 *   npx hardhat vault:accept-change --vault <addr> --kind <kind>                         (anyone, once valid)
 *   npx hardhat vault:revoke-change --vault <addr> --kind <kind>                         (guardian, manager or owner)
 *   npx hardhat vault:set-roles     --vault <addr> [--manager <addr>] [--guardian <addr>] (owner)
 *   npx hardhat vault:set-fees      --vault <addr> [--management <bps>] [--performance <bps>] [--recipient <addr>] (owner)
 *   npx hardhat vault:refinance     --vault <addr> [--to <aave|morpho|implementation>]   (owner proposes; anyone executes)
 * Every task takes [--signer <addr>] [--dry-run] where it sends. Kinds: leverage, execution, automation, exit,
 * volatility, timelock, keeper-pay (and rearm, fees for accept / revoke). Loaded with the config: no `hardhat` runtime import.
 */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { Contract, ZeroAddress, type ContractTransactionResponse } from "ethers";
import { z } from "zod";
import type { ILeveredVault } from "../typechain-types";
import { describeError, gas } from "../scripts/lib/util/format";
import {
  CHANGE_KINDS,
  CONFIG_OF,
  FIELD_UNITS,
  describePending,
  duration,
  keeperSet,
  parseField,
  pendingChanges,
  pendingValidity,
  showField,
  structObject,
  type ChangeKind,
  type Decimals,
} from "../scripts/lib/vault/governance";
import { VENUE_KIND, apr, refinanceState, venueOfImplementation, type VenueView } from "../scripts/lib/vault/refinance";
import { deploymentsFile, readDeploymentRecord, recordedVenue } from "../scripts/lib/deploy/deployments";
import { VENUE_IDS, bytes32Text, type Venue } from "../scripts/lib/deploy/venues";
import { address, fail, integer, parseArgs } from "./cli";
import { openVault, read, send, signerFor } from "./shared";

type Role = "owner" | "manager" | "guardian";

/** Fails in one line unless the signer holds one of `roles` on the vault. */
async function requireRole(vault: ILeveredVault, who: string, roles: Role[], what: string): Promise<void> {
  const holders = await read("reading the vault's roles", () => Promise.all(roles.map((r) => vault[r]())), vault.interface);
  if (holders.some((h) => h.toLowerCase() === who.toLowerCase())) return;
  fail(`${what}: only the ${roles.map((r, i) => `${r} ${holders[i]}`).join(" or the ")} may do this (signer is ${who})`);
}

/**
 * Simulates the call (eth_call), then sends it unless `dryRun`; returns the receipt's logs parsed by the vault, or
 * undefined in a dry run. A refusal is one line naming the vault's error.
 */
async function execute(
  vault: ILeveredVault,
  what: string,
  call: { staticCall(): Promise<unknown>; estimateGas(): Promise<bigint>; send(): Promise<ContractTransactionResponse> },
  dryRun: boolean,
) {
  await read(`simulating ${what}`, () => call.staticCall(), vault.interface);
  if (dryRun) {
    const estimate = await read(`estimating ${what} gas`, () => call.estimateGas(), vault.interface);
    console.log(`dry run: ${what} would pass; gas ~${gas(estimate)}; nothing was sent`);
    return undefined;
  }
  const receipt = await send(what, () => call.send(), vault.interface);
  console.log(`${what}: done, gas ${gas(receipt.gasUsed)}, tx ${receipt.hash}`);
  return receipt.logs.flatMap((log) => {
    try {
      const parsed = vault.interface.parseLog(log);
      return parsed ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

const Common = { vault: address("vault"), signer: address("signer").optional(), dryRun: z.boolean().default(false) };

/** Opens the vault with the signer; for the tasks that send. */
async function open(hre: HardhatRuntimeEnvironment, args: { vault: string; signer?: string }) {
  const signer = await signerFor(hre, args.signer);
  const opened = await openVault(hre, args.vault, signer);
  return { signer, ...opened, decimals: { asset: opened.assetDecimals, debt: opened.debtDecimals } as Decimals };
}

const withCommon = <T extends ReturnType<typeof task>>(t: T, role: string) =>
  t
    .addParam("vault", "vault address")
    .addOptionalParam("signer", `the ${role} (default: first account)`)
    .addFlag("dryRun", "simulate and estimate gas; send nothing");

const latest = async (hre: HardhatRuntimeEnvironment) => (await read("reading the latest block", () => hre.ethers.provider.getBlock("latest")))!.timestamp;

// ---------------------------------------------------------------- keepers

const SetKeeperArgs = z.object({ ...Common, keeper: address("keeper"), remove: z.boolean().default(false) });

withCommon(task("vault:set-keeper", "Manager only: allow-lists (or with --remove, removes) a keeper, e.g. a Chainlink upkeep forwarder"), "vault's manager")
  .addParam("keeper", "keeper address")
  .addFlag("remove", "remove instead of add")
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(SetKeeperArgs, raw);
    if (args.keeper === ZeroAddress) fail("--keeper 0x0000000000000000000000000000000000000000 is the zero address: give the keeper's address");
    const { signer, vault } = await open(hre, args);
    await requireRole(vault, signer.address, ["manager"], "set a keeper");
    const now = await read("isKeeper()", () => vault.isKeeper(args.keeper), vault.interface);
    if (args.remove && !now) fail(`${args.keeper} is not a keeper of ${vault.target}: nothing to remove`);
    if (!args.remove && now) {
      console.log(`${args.keeper} is already a keeper of ${vault.target}: nothing sent`);
      return true;
    }
    const allowed = !args.remove;
    await execute(
      vault,
      `setKeeper(${args.keeper}, ${allowed})`,
      { staticCall: () => vault.setKeeper.staticCall(args.keeper, allowed), estimateGas: () => vault.setKeeper.estimateGas(args.keeper, allowed), send: () => vault.setKeeper(args.keeper, allowed) },
      args.dryRun,
    );
    if (!args.dryRun) console.log(`${args.keeper} ${args.remove ? "removed from" : "allow-listed on"} ${vault.target}`);
    return args.dryRun ? now : vault.isKeeper(args.keeper);
  });

const KeepersArgs = z.object({ vault: address("vault"), fromBlock: integer("from-block", 0).default(0) });

task("vault:keepers", "Lists the vault's allow-listed keepers (from its KeeperSet events, each confirmed with isKeeper)")
  .addParam("vault", "vault address")
  .addOptionalParam("fromBlock", "first block to read KeeperSet events from (default 0; some providers limit log ranges)")
  .setAction(async (raw: unknown, hre): Promise<string[]> => {
    const args = parseArgs(KeepersArgs, raw);
    const { vault } = await openVault(hre, args.vault);
    const keepers = await read("reading KeeperSet events", () => keeperSet(vault, args.fromBlock), vault.interface);
    console.log(keepers.length ? `keepers of ${vault.target}:\n${keepers.map((k) => `  ${k}`).join("\n")}` : `no keeper is allow-listed on ${vault.target}`);
    return keepers;
  });

// ---------------------------------------------------------------- pause, stop, rearm

const SimpleArgs = z.object(Common);

withCommon(task("vault:pause", "Guardian or manager: pauses deposits (exits are never paused)"), "guardian or manager").setAction(async (raw: unknown, hre) => {
  const args = parseArgs(SimpleArgs, raw);
  const { signer, vault } = await open(hre, args);
  await requireRole(vault, signer.address, ["guardian", "manager"], "pause deposits");
  if (await read("depositsPaused()", () => vault.depositsPaused(), vault.interface)) {
    console.log(`deposits of ${vault.target} are already paused: nothing sent`);
    return;
  }
  const c = vault.setDepositsPaused;
  await execute(vault, "setDepositsPaused(true)", { staticCall: () => c.staticCall(true), estimateGas: () => c.estimateGas(true), send: () => c(true) }, args.dryRun);
});

withCommon(task("vault:unpause", "Manager only: reopens deposits"), "manager").setAction(async (raw: unknown, hre) => {
  const args = parseArgs(SimpleArgs, raw);
  const { signer, vault } = await open(hre, args);
  await requireRole(vault, signer.address, ["manager"], "unpause deposits");
  if (!(await read("depositsPaused()", () => vault.depositsPaused(), vault.interface))) {
    console.log(`deposits of ${vault.target} are open already: nothing sent`);
    return;
  }
  const c = vault.setDepositsPaused;
  await execute(vault, "setDepositsPaused(false)", { staticCall: () => c.staticCall(false), estimateGas: () => c.estimateGas(false), send: () => c(false) }, args.dryRun);
});

withCommon(task("vault:stop", "Guardian or manager: latches the stop, keepers then unwind the position to 1x"), "guardian or manager").setAction(async (raw: unknown, hre) => {
  const args = parseArgs(SimpleArgs, raw);
  const { signer, vault } = await open(hre, args);
  await requireRole(vault, signer.address, ["guardian", "manager"], "stop the vault");
  const c = vault.stop;
  await execute(vault, "stop()", { staticCall: () => c.staticCall(), estimateGas: () => c.estimateGas(), send: () => c() }, args.dryRun);
  if (!args.dryRun) console.log("stopped: the next keeper pass unwinds the position (vault:status shows the trigger)");
});

withCommon(task("vault:rearm", "Manager only: submits a return to Active after a stop or take-profit (timelocked)"), "manager").setAction(async (raw: unknown, hre) => {
  const args = parseArgs(SimpleArgs, raw);
  const { signer, vault } = await open(hre, args);
  await requireRole(vault, signer.address, ["manager"], "re-arm");
  const c = vault.rearm;
  const events = await execute(vault, "rearm()", { staticCall: () => c.staticCall(), estimateGas: () => c.estimateGas(), send: () => c() }, args.dryRun);
  reportSubmitted(events, await latest(hre));
});

/** Prints what a setter did: applied at once, or submitted with the time it can be accepted. */
function reportSubmitted(events: Awaited<ReturnType<typeof execute>>, now: number) {
  if (!events) return;
  const submitted = events.find((e) => e.name === "ChangeSubmitted");
  if (submitted) {
    const validAt = Number(submitted.args.validAt);
    const kind = CHANGE_KINDS[Number(submitted.args.kind)];
    console.log(
      `submitted (timelocked: it loosens a limit): accept it with \`vault:accept-change --kind ${kind}\` in ${duration(validAt - now)} ` +
        `(at ${new Date(validAt * 1000).toISOString()}); it can be revoked until then`,
    );
  } else {
    console.log("applied at once (it only tightens limits)");
  }
}

// ---------------------------------------------------------------- parameter changes

const KIND = z.enum(CHANGE_KINDS, { error: (i) => `--kind must be one of ${CHANGE_KINDS.join(", ")} (got '${String(i.input)}')` });

const SetConfigArgs = z.object({
  ...Common,
  kind: KIND.refine((k) => k !== "rearm", { error: "--kind rearm: use vault:rearm" }).refine((k) => k !== "guardian", {
    error: "--kind guardian: use vault:set-roles",
  }).refine((k) => k !== "fees", { error: "--kind fees: use vault:set-fees" }).refine((k) => k !== "venue", {
    error: "--kind venue: use vault:refinance",
  }),
  set: z
    .string({ error: "--set is required: field=value[,field=value...]" })
    .transform((text, ctx) => {
      const pairs: [string, string][] = [];
      for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
        const match = /^([A-Za-z]+)=(.+)$/.exec(part);
        if (!match) ctx.addIssue({ code: "custom", message: `--set '${part}' is not field=value` });
        else pairs.push([match[1], match[2]]);
      }
      if (pairs.length === 0) ctx.addIssue({ code: "custom", message: "--set is empty: field=value[,field=value...]" });
      return pairs;
    }),
});

task("vault:set-config", "Manager (owner for the timelock): changes parameters; a tightening applies at once, a loosening is submitted")
  .addParam("vault", "vault address")
  .addParam("kind", `what to change: ${CHANGE_KINDS.filter((k) => !["rearm", "guardian", "fees", "venue"].includes(k)).join(", ")}`)
  .addParam("set", "comma-separated field=value (wad fields as decimals, e.g. targetLeverage=2.8; bps and seconds as integers)")
  .addOptionalParam("signer", "the manager (the owner for --kind timelock; default: first account)")
  .addFlag("dryRun", "simulate and estimate gas; send nothing")
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(SetConfigArgs, raw);
    const kind = args.kind as Exclude<ChangeKind, "rearm" | "guardian" | "fees" | "venue">;
    const { signer, vault, decimals } = await open(hre, args);
    if (kind === "timelock") {
      if (args.set.length !== 1 || args.set[0][0] !== "timelock") fail("--kind timelock takes --set timelock=<seconds>");
      const seconds = parseValue("timelock", args.set[0][1], decimals) as bigint;
      await requireRole(vault, signer.address, ["owner"], "set the timelock");
      const before = await read("timelock()", () => vault.timelock(), vault.interface);
      console.log(`timelock: ${before} s -> ${seconds} s`);
      const c = vault.setTimelock;
      const events = await execute(vault, "setTimelock()", { staticCall: () => c.staticCall(seconds), estimateGas: () => c.estimateGas(seconds), send: () => c(seconds) }, args.dryRun);
      reportSubmitted(events, await latest(hre));
      return;
    }
    const { getter, setter } = CONFIG_OF[kind];
    const type = vault.interface.getFunction(getter as "leverageConfig")!.outputs[0];
    const fields = type.components!.map((c) => c.name);
    const current = structObject(await read(`${getter}()`, () => (vault as unknown as Record<string, () => Promise<unknown>>)[getter](), vault.interface), type);
    const next = { ...current };
    for (const [name, text] of args.set) {
      if (!fields.includes(name)) fail(`--set ${name}: not a field of ${kind} (fields: ${fields.join(", ")})`);
      next[name] = parseValue(name, text, decimals);
    }
    const changed = fields.filter((f) => String(next[f]) !== String(current[f]));
    if (changed.length === 0) {
      console.log(`${kind}: every value given equals the current one: nothing sent`);
      return;
    }
    await requireRole(vault, signer.address, ["manager"], `change the ${kind} config`);
    console.log(`${kind}: ${changed.map((f) => `${f} ${showField(f, current[f], decimals)} -> ${showField(f, next[f], decimals)}`).join(", ")}`);
    const value = fields.map((f) => next[f]);
    const fn = vault.getFunction(setter);
    const events = await execute(
      vault,
      `${setter}()`,
      { staticCall: () => fn.staticCall(value), estimateGas: () => fn.estimateGas(value), send: () => fn.send(value) as Promise<ContractTransactionResponse> },
      args.dryRun,
    );
    reportSubmitted(events, await latest(hre));
  });

function parseValue(name: string, text: string, decimals: Decimals): bigint | boolean {
  try {
    return parseField(name, text, decimals);
  } catch (error) {
    fail(`--set ${(error as Error).message}`);
  }
}

const VaultArgs = z.object({ vault: address("vault") });

task("vault:pending", "Lists the vault's pending (timelocked) changes with the time left before each can be accepted")
  .addParam("vault", "vault address")
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(VaultArgs, raw);
    const { vault, assetDecimals, debtDecimals } = await openVault(hre, args.vault);
    const now = await latest(hre);
    const [timelock, validity] = await Promise.all([read("timelock()", () => vault.timelock(), vault.interface), pendingValidity(vault)]);
    const changes = await read("pendingChange()", () => pendingChanges(vault, now, validity), vault.interface);
    console.log(`timelock ${duration(Number(timelock))}; a valid change may be accepted for ${duration(validity)}`);
    if (changes.length === 0) console.log("no pending change");
    for (const c of changes) console.log(`  ${describePending(c, { asset: assetDecimals, debt: debtDecimals })}`);
    return changes;
  });

const KindArgs = z.object({ ...Common, kind: KIND });

withCommon(task("vault:accept-change", "Anyone: applies a pending change once its timelock has passed"), "sender")
  .addParam("kind", `the pending change: ${CHANGE_KINDS.join(", ")}`)
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(KindArgs, raw);
    const { vault, decimals } = await open(hre, args);
    const now = await latest(hre);
    const change = (await pendingChanges(vault, now, await pendingValidity(vault))).find((c) => c.kind === args.kind);
    if (!change) fail(`no ${args.kind} change is pending on ${vault.target} (vault:pending lists them)`);
    if (change.state === "waiting") fail(`the ${args.kind} change can be accepted in ${duration(change.timeLeft)} (${describePending(change, decimals)})`);
    if (change.state === "expired") fail(`the ${args.kind} change expired: ${describePending(change, decimals)}; submit it again`);
    const i = CHANGE_KINDS.indexOf(args.kind);
    const c = vault.acceptChange;
    await execute(vault, `acceptChange(${args.kind})`, { staticCall: () => c.staticCall(i), estimateGas: () => c.estimateGas(i), send: () => c(i) }, args.dryRun);
  });

withCommon(task("vault:revoke-change", "Guardian, manager or owner: drops a pending change"), "guardian, manager or owner")
  .addParam("kind", `the pending change: ${CHANGE_KINDS.join(", ")}`)
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(KindArgs, raw);
    const { signer, vault } = await open(hre, args);
    await requireRole(vault, signer.address, ["guardian", "manager", "owner"], "revoke a change");
    const [, validAt] = await read("pendingChange()", () => vault.pendingChange(CHANGE_KINDS.indexOf(args.kind)), vault.interface);
    if (validAt === 0n) fail(`no ${args.kind} change is pending on ${vault.target}: nothing to revoke`);
    const i = CHANGE_KINDS.indexOf(args.kind);
    const c = vault.revokeChange;
    await execute(vault, `revokeChange(${args.kind})`, { staticCall: () => c.staticCall(i), estimateGas: () => c.estimateGas(i), send: () => c(i) }, args.dryRun);
  });

// ---------------------------------------------------------------- roles

const RolesArgs = z
  .object({ ...Common, manager: address("manager").optional(), guardian: address("guardian").optional() })
  .refine((a) => a.manager || a.guardian, { error: "give --manager and/or --guardian" })
  .refine((a) => a.manager !== ZeroAddress && a.guardian !== ZeroAddress, { error: "a role cannot be the zero address" });

withCommon(task("vault:set-roles", "Owner only: appoints the manager and / or the guardian"), "owner")
  .addOptionalParam("manager", "new manager (default: unchanged)")
  .addOptionalParam("guardian", "new guardian (default: unchanged)")
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(RolesArgs, raw);
    const { signer, vault } = await open(hre, args);
    await requireRole(vault, signer.address, ["owner"], "set roles");
    const [manager, guardian] = await read("reading the roles", () => Promise.all([vault.manager(), vault.guardian()]), vault.interface);
    const m = args.manager ?? manager;
    const g = args.guardian ?? guardian;
    if (m === manager && g === guardian) {
      console.log("manager and guardian are already these: nothing sent");
      return;
    }
    console.log(`manager ${manager} -> ${m} (at once); guardian ${guardian} -> ${g}${g === guardian ? "" : " (timelocked: vault:pending, then vault:accept-change --kind guardian)"}`);
    const c = vault.setRoles;
    await execute(vault, "setRoles()", { staticCall: () => c.staticCall(m, g), estimateGas: () => c.estimateGas(m, g), send: () => c(m, g) }, args.dryRun);
  });

export { describeError };

// ---------------------------------------------------------------- fees (issue 21)

const bpsArg = (name: string, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `--${name} must be a whole number of bps` })
    .transform(Number)
    .refine((v) => v <= max, { error: `--${name} is above its hard cap of ${max} bps` })
    .optional();

const SetFeesArgs = z.object({
  ...Common,
  management: bpsArg("management", 200),
  performance: bpsArg("performance", 2000),
  recipient: address("recipient").optional(),
});

withCommon(
  task("vault:set-fees", "Owner only: fee recipient (at once) and fee rates (lowering at once, raising timelocked; caps 200 bps/yr and 2000 bps)"),
  "owner",
)
  .addOptionalParam("management", "management fee, bps of assets per year (<= 200)")
  .addOptionalParam("performance", "performance fee, bps of the share-price gain above the fee mark (<= 2000)")
  .addOptionalParam("recipient", "the fee recipient (applies at once; what accrued so far goes to the previous one)")
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(SetFeesArgs, raw);
    const { signer, vault } = await open(hre, args);
    await requireRole(vault, signer.address, ["owner"], "set the fees");
    const current = await read("feeConfig()", () => vault.feeConfig(), vault.interface);
    const management = args.management ?? Number(current.managementFeeBps);
    const performance = args.performance ?? Number(current.performanceFeeBps);
    const recipient = args.recipient ?? current.recipient;
    const recipientChanges = recipient.toLowerCase() !== current.recipient.toLowerCase();
    const ratesChange = management !== Number(current.managementFeeBps) || performance !== Number(current.performanceFeeBps);
    if (!recipientChanges && !ratesChange) {
      console.log("fees: every value given equals the current one: nothing sent");
      return;
    }
    if (recipientChanges) {
      console.log(`fee recipient: ${current.recipient} -> ${recipient} (at once)`);
      const c = vault.setFeeRecipient;
      await execute(vault, "setFeeRecipient()", { staticCall: () => c.staticCall(recipient), estimateGas: () => c.estimateGas(recipient), send: () => c(recipient) }, args.dryRun);
    }
    if (ratesChange) {
      console.log(
        `fees: management ${current.managementFeeBps} -> ${management} bps/yr, performance ${current.performanceFeeBps} -> ${performance} bps ` +
          `(${management <= Number(current.managementFeeBps) && performance <= Number(current.performanceFeeBps) ? "lower: at once" : "a raise: timelocked"})`,
      );
      if (args.dryRun && recipientChanges && current.recipient === ZeroAddress) {
        console.log("dry run: setFees() is simulated once the recipient is set (it needs one); nothing was sent");
        return;
      }
      const c = vault.setFees;
      const events = await execute(
        vault,
        "setFees()",
        { staticCall: () => c.staticCall(management, performance), estimateGas: () => c.estimateGas(management, performance), send: () => c(management, performance) },
        args.dryRun,
      );
      reportSubmitted(events, await latest(hre));
    }
  });

// ---------------------------------------------------------------- keeper pay's gas token

const SetGasFeedArgs = z.object({ ...Common, feed: z.string().trim() });

withCommon(
  task(
    "vault:set-gas-feed",
    "Manager or owner, at once, while keeper pay is off: the USD feed keeper pay prices the gas token with (for a vault neither of whose legs is the gas token, e.g. WBTC/USDC: ETH/USD); 'none' prices it as a leg again",
  ),
  "manager or owner",
)
  .addParam("feed", "the gas token's Chainlink USD feed, or none")
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(SetGasFeedArgs, raw);
    const feed = args.feed.toLowerCase() === "none" ? ZeroAddress : parseArgs(z.object({ feed: address("feed") }), { feed: args.feed }).feed;
    const { signer, vault } = await open(hre, args);
    await requireRole(vault, signer.address, ["manager", "owner"], "set the gas-token feed");
    const [current, pay, pending] = await Promise.all([
      read("gasTokenFeed()", () => vault.gasTokenFeed(), vault.interface),
      read("keeperPayConfig()", () => vault.keeperPayConfig(), vault.interface),
      read("pendingChange()", () => vault.pendingChange(CHANGE_KINDS.indexOf("keeper-pay")), vault.interface),
    ]);
    if (current.toLowerCase() === feed.toLowerCase()) {
      console.log(`gas-token feed: already ${feed === ZeroAddress ? "none" : feed}: nothing sent`);
      return current;
    }
    if (pay.multiplierBps !== 0n || pending[1] !== 0n) {
      fail(
        "the gas-token feed changes only while keeper pay is off and no keeper-pay change is pending: " +
          "set multiplierBps=0 (vault:set-config --kind keeper-pay) or revoke the pending change first",
      );
    }
    const c = vault.setGasTokenFeed;
    await execute(vault, `setGasTokenFeed(${feed})`, { staticCall: () => c.staticCall(feed), estimateGas: () => c.estimateGas(feed), send: () => c(feed) }, args.dryRun);
    if (!args.dryRun) console.log(`gas-token feed: ${current === ZeroAddress ? "none" : current} -> ${feed === ZeroAddress ? "none" : feed}`);
    return args.dryRun ? current : vault.gasTokenFeed();
  });

// ---------------------------------------------------------------- refinance

/** `--to`: a venue by name (aave, morpho), resolved to the vault's implementation there, or the implementation itself. */
const destination = (flag: string) =>
  z
    .string()
    .trim()
    .transform((s, ctx): { venue: Venue } | { implementation: string } => {
      const name = s.toLowerCase();
      if (name in VENUE_IDS) return { venue: name as Venue };
      if (!s.startsWith("0x")) {
        ctx.addIssue({ code: "custom", message: `--${flag} '${s}' is neither a venue (${Object.keys(VENUE_IDS).join(", ")}) nor an address` });
        return z.NEVER;
      }
      const parsed = address(flag).safeParse(s);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
        return z.NEVER;
      }
      return { implementation: parsed.data };
    });

const RefinanceArgs = z.object({ ...Common, to: destination("to").optional() });

const FACTORY_ABI = [
  "function VENUE() view returns (bytes32)",
  "function COLLATERAL_ASSET() view returns (address)",
  "function DEBT_ASSET() view returns (address)",
  "function refinanceImplementation() view returns (address)",
];
const REGISTRY_EVENTS_ABI = ["event FactorySet(address indexed factory, bool allowed)", "function isFactory(address) view returns (bool)"];

/**
 * The vault's implementation on `venue`, found through deployments/<network>.json: the one recorded with the vault
 * (a refinanceable deployment records both venues'), else the refinance implementation of the record's factory on that
 * venue, else of a factory the record's registry approved (its FactorySet events) for that venue and the vault's pair.
 */
async function implementationOn(hre: HardhatRuntimeEnvironment, vault: ILeveredVault, venue: Venue): Promise<string> {
  const { provider } = hre.ethers;
  const file = deploymentsFile(hre.network.name);
  const record = readDeploymentRecord(hre.network.name);
  const recorded = recordedVenue(record, vault.target as string, venue);
  if (recorded && "implementation" in recorded) {
    if ((await read("getCode()", () => provider.getCode(recorded.implementation))) === "0x") {
      fail(`the ${venue} implementation ${recorded.implementation} recorded in ${file} has no code on '${hre.network.name}': give --to <implementation>`);
    }
    console.log(`--to ${venue}: implementation ${recorded.implementation} (recorded with the vault in ${file})`);
    return recorded.implementation;
  }
  const [asset, debt] = await read("reading the vault's assets", () => Promise.all([vault.asset(), vault.debtAsset()]), vault.interface);
  let candidates: string[] = recorded ? [recorded.factory] : [];
  if (!candidates.length && record?.registry && (await provider.getCode(record.registry)) !== "0x") {
    const registry = new Contract(record.registry, REGISTRY_EVENTS_ABI, provider);
    const events = await read("reading the registry's factories (FactorySet events)", () => registry.queryFilter(registry.filters.FactorySet()));
    const named = [...new Set(events.map((e) => ("args" in e ? (e.args[0] as string) : "")).filter(Boolean))];
    candidates = [];
    for (const factory of named) if (await registry.isFactory(factory)) candidates.push(factory);
  }
  const found: { factory: string; implementation: string }[] = [];
  for (const factoryAddress of candidates) {
    if ((await provider.getCode(factoryAddress)) === "0x") continue;
    const factory = new Contract(factoryAddress, FACTORY_ABI, provider);
    const [id, collateral, borrowed] = await read(`reading factory ${factoryAddress}`, () =>
      Promise.all([factory.VENUE(), factory.COLLATERAL_ASSET(), factory.DEBT_ASSET()]),
    );
    if (id !== VENUE_IDS[venue] || collateral !== asset || borrowed !== debt) continue;
    const implementation: string = await read(`reading factory ${factoryAddress}'s refinance implementation`, () => factory.refinanceImplementation());
    if (implementation === ZeroAddress) {
      fail(
        `the ${venue} factory ${factoryAddress} has not deployed its refinance implementation yet: anyone may (VaultFactory.deployRefinanceImplementation()), ` +
          `then run this again`,
      );
    }
    found.push({ factory: factoryAddress, implementation });
  }
  const distinct = [...new Set(found.map((f) => f.implementation))];
  if (distinct.length === 0) {
    fail(
      `--to ${venue}: no implementation of ${vault.target} on ${venue} found through ${record ? file : `deployments/${hre.network.name}.json (none)`}` +
        ` (no factory there serves its pair on ${venue}): give --to <implementation address>`,
    );
  }
  if (distinct.length > 1) fail(`--to ${venue}: several implementations serve the vault's pair there (${distinct.join(", ")}): give --to <implementation address>`);
  console.log(`--to ${venue}: implementation ${distinct[0]} (factory ${found[0].factory}, found through ${file})`);
  return distinct[0];
}

/** "aave-v3" / "morpho-blue": a venue's id as VenueView.venue reads it. */
const bytes32Venue = (venue: Venue) => bytes32Text(VENUE_IDS[venue]);

const venueLine = (label: string, v: VenueView) => `${label}: ${v.venue} (implementation ${v.implementation}), borrow rate ${apr(v.borrowRate)} a year`;

withCommon(
  task(
    "vault:refinance",
    "Moves the vault's whole position to another venue: the owner proposes it (--to, timelocked), then anyone executes the accepted move",
  ),
  "owner to propose, anyone to execute",
)
  .addOptionalParam(
    "to",
    "the destination venue, aave or morpho (the vault's implementation there found through deployments/<network>.json), or that implementation's address: proposes the move (default: executes the pending one)",
  )
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(RefinanceArgs, raw);
    const { signer, vault, decimals } = await open(hre, args);
    const now = await latest(hre);
    const state = await read("reading the vault's venues", async () => refinanceState(vault, now, await pendingValidity(vault)), vault.interface);
    if (!state.current) fail(`${vault.target} cannot change venue: it is not behind a VaultProxy (venueImplementation() is 0)`);
    const position = await read("position()", () => vault.position(), vault.interface);
    console.log(venueLine("venue", state.current));
    console.log(
      `position: collateral ${showField("depositCap", position.collateral, decimals)}, debt ${showField("maxTradeSize", position.debt, decimals)}, ` +
        `leverage ${showField("targetLeverage", position.leverage, decimals)}x, HF ${showField("minHealthFactor", position.healthFactor, decimals)}`,
    );
    if (args.to && "venue" in args.to && state.current.venue === bytes32Venue(args.to.venue)) {
      fail(`${vault.target} already runs on ${args.to.venue}: nothing to move (--to names the other venue)`);
    }
    const to = args.to && ("venue" in args.to ? await implementationOn(hre, vault, args.to.venue) : args.to.implementation);
    if (to && to.toLowerCase() !== state.pending?.destination.implementation.toLowerCase()) {
      const destination = await read(`reading the venue of ${to}`, () => venueOfImplementation(vault.runner!, to));
      console.log(venueLine("destination", destination));
      await requireRole(vault, signer.address, ["owner"], "propose a venue");
      const c = vault.proposeVenue;
      await execute(vault, `proposeVenue(${to})`, { staticCall: () => c.staticCall(to), estimateGas: () => c.estimateGas(to), send: () => c(to) }, args.dryRun);
      if (!args.dryRun) {
        const [, validAt] = await vault.pendingChange(VENUE_KIND);
        console.log(`the move waits out the timelock: anyone may execute it in ${duration(Number(validAt) - now)} with vault:refinance --vault ${vault.target}`);
      }
      return;
    }
    if (!state.pending) fail(`no move is pending on ${vault.target}: the owner proposes one with --to <implementation>`);
    const { destination, validAt, expiresAt } = state.pending;
    console.log(venueLine("pending move to", destination));
    if (state.pending.state === "waiting") fail(`the move can be executed in ${duration(validAt - now)}`);
    if (state.pending.state === "expired") fail(`the move expired ${duration(now - expiresAt)} ago: the owner proposes it again`);
    const c = vault.acceptChange;
    const logs = await execute(
      vault,
      "acceptChange(venue)",
      { staticCall: () => c.staticCall(VENUE_KIND), estimateGas: () => c.estimateGas(VENUE_KIND), send: () => c(VENUE_KIND) },
      args.dryRun,
    );
    if (!logs) return;
    const after = await vault.position();
    const moved = await venueOfImplementation(vault.runner!, await vault.venueImplementation());
    console.log(
      `moved to ${moved.venue}: borrow rate ${apr(state.current.borrowRate)} -> ${apr(moved.borrowRate)} a year; ` +
        `HF ${showField("minHealthFactor", position.healthFactor, decimals)} -> ${showField("minHealthFactor", after.healthFactor, decimals)}`,
    );
    return { from: state.current, to: moved, logs: logs.map((l) => l.name) };
  });
